#!/usr/bin/env python3
"""End-to-end tests: the built helper against the IMDS simulator, and real
sshd/ssh logins. Usage: test_e2e.py HELPER FIXTURES [unittest args]"""
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import LOGIN_USER, Sshd, slurp, suite_main  # noqa: E402

RIG = None

EXIT_OK, EXIT_USAGE, EXIT_IMDS, EXIT_TRUST = 0, 2, 3, 4


def paths(reqs):
    return [r[2] for r in reqs]


class Helper(unittest.TestCase):
    """The program as sshd runs it, without sshd: exit codes, output, logs."""

    def setUp(self):
        RIG.reset()
        RIG.write_config()

    def assertNoKeys(self, res, code=EXIT_OK):
        rc, out, err, _ = res
        self.assertEqual(out, "", "a key was printed: " + err)
        self.assertEqual(rc, code, err)

    # -- the happy path ------------------------------------------------------
    def test_valid_key_printed_exactly_with_audit_line(self):
        RIG.push(LOGIN_USER, "ed25519", "--request", "req-e2e-1")
        rc, out, err, _ = RIG.run(LOGIN_USER, RIG.fp("ed25519"))
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, RIG.pubkey("ed25519") + "\n")
        self.assertIn("fingerprint: " + RIG.fp("ed25519"), err)
        self.assertIn("request-id: req-e2e-1", err)
        self.assertIn("caller: arn:aws:iam::123456789012:user/alice", err)

    def test_every_key_type_and_md5_fingerprints(self):
        for k in ("rsa2048", "rsa4096", "ecdsa256", "ecdsa384", "ecdsa521", "ed25519"):
            RIG.push(LOGIN_USER, k)
        for k in ("rsa4096", "ecdsa521"):
            for fp in (RIG.fp(k), RIG.fp(k, "md5")):
                rc, out, err, _ = RIG.run(LOGIN_USER, fp)
                self.assertEqual((rc, out), (0, RIG.pubkey(k) + "\n"), err)
        # %u only (older configurations): every valid key
        rc, out, err, _ = RIG.run(LOGIN_USER)
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(out.splitlines()), 6)

    def test_mixed_bundle_prints_only_valid_entries(self):
        RIG.push(LOGIN_USER, "ed25519")
        RIG.push(LOGIN_USER, "rsa2048", "--expires-in", "-5")
        RIG.push(LOGIN_USER, "ecdsa256", "--instance-id", "i-00000000000000000")
        RIG.push(LOGIN_USER, "ecdsa384", "--expires-in", "3600")
        rc, out, err, _ = RIG.run(LOGIN_USER)
        self.assertEqual((rc, out), (0, RIG.pubkey("ed25519") + "\n"), err)
        # one line per rejected entry, with its reason, once
        self.assertEqual(err.count("key expired"), 1, err)
        self.assertEqual(err.count("another instance"), 1, err)
        self.assertEqual(err.count("beyond push window"), 1, err)

    def test_signed_by_other_key_refused(self):
        RIG.push(LOGIN_USER, "ed25519",
                 signkey=os.path.join(RIG.fixtures, "ca", "unrelated.key"))
        self.assertNoKeys(RIG.run(LOGIN_USER))

    # -- the fast paths --------------------------------------------------------
    def test_no_keys_is_two_requests_and_exit_0(self):
        res = RIG.run(LOGIN_USER, RIG.fp("ed25519"))
        self.assertNoKeys(res)
        self.assertEqual(paths(RIG.requests()), [
            "/latest/api/token",
            f"/latest/meta-data/managed-ssh-keys/active-keys/{LOGIN_USER}/"])

    def test_prefetch_trades_requests_for_a_round_trip(self):
        RIG.write_config(imds_prefetch="true")
        self.assertNoKeys(RIG.run(LOGIN_USER, RIG.fp("ed25519")))
        self.assertEqual(len(RIG.requests()), 1 + 6)   # token, keys + metadata
        RIG.reset()
        RIG.push(LOGIN_USER, "ed25519")
        rc, out, err, _ = RIG.run(LOGIN_USER, RIG.fp("ed25519"))
        self.assertEqual((rc, out), (0, RIG.pubkey("ed25519") + "\n"), err)
        # token; keys with the metadata; the staples
        got = paths(RIG.requests())
        self.assertEqual(got[0], "/latest/api/token")
        self.assertEqual(len(got), 1 + 6 + 2, got)

    def test_other_offered_key_stops_after_the_bundle(self):
        RIG.push(LOGIN_USER, "ed25519")
        self.assertNoKeys(RIG.run(LOGIN_USER, RIG.fp("rsa2048")))
        self.assertEqual(len(RIG.requests()), 2)

    def test_users_that_cannot_have_keys(self):
        for u in ("no-such-user-eic", "a/b", "..", "a%2fb", "a b", "a\tb", "a\x1bb",
                  "root/../x", ""):
            res = RIG.run(u)
            self.assertNoKeys(res)
        self.assertEqual(RIG.requests(), [], "IMDS was asked about a bad user")

    def test_not_ec2_without_config_file(self):
        # Built-in defaults (no config file): this test host is not EC2.
        if os.path.exists("/sys/hypervisor/uuid") or os.path.exists(
                "/sys/devices/virtual/dmi/id/board_asset_tag"):
            self.fail("test host looks like EC2; this test needs a non-EC2 host")
        rc, out, err, _ = RIG.run(LOGIN_USER, config=False)
        self.assertEqual((rc, out), (0, ""), err)
        self.assertIn("not an EC2 instance", err)

    # -- usage and configuration ----------------------------------------------
    def test_usage(self):
        self.assertEqual(RIG.run(config=False)[0], EXIT_USAGE)
        self.assertEqual(RIG.run("a", "b", "c")[0], EXIT_USAGE)
        self.assertEqual(RIG.run("--bogus", "a")[0], EXIT_USAGE)
        rc, out, _, _ = RIG.run("--version", config=False)
        self.assertEqual(rc, 0)
        self.assertRegex(out, r"^eic_run_authorized_keys \d+\.\d+\.\d+\n$")
        self.assertEqual(RIG.run("--help", config=False)[0], 0)
        RIG.push(LOGIN_USER, "ed25519")
        self.assertNoKeys(RIG.run(LOGIN_USER, "SHA256:nope"), EXIT_USAGE)

    def test_bad_config_refused(self):
        RIG.push(LOGIN_USER, "ed25519")
        with open(RIG.config, "a") as f:
            f.write("no_such_setting: 1\n")
        rc, out, err, _ = RIG.run(LOGIN_USER)
        self.assertNoKeys((rc, out, err, 0), EXIT_USAGE)
        self.assertIn("unknown setting 'no_such_setting'", err)
        RIG.write_config()
        os.chmod(RIG.config, 0o664)
        rc, out, err, _ = RIG.run(LOGIN_USER)
        self.assertNoKeys((rc, out, err, 0), EXIT_USAGE)
        self.assertIn("not writable by group or others", err)

    # -- trust failures ------------------------------------------------------
    def test_trust_failures_exit_4(self):
        cases = [
            (["--staple", "signer=signer-revoked", "--staple", "inter=inter-good"],
             "certificate revoked"),
            (["--staple", "inter=inter-good"], "no OCSP staple"),
            (["--chain", "chain-untrusted.pem"], "trusted root"),
            (["--chain", "chain-wrongcn.pem"], "signer CN differs"),
            (["--domain", "evil.example"], "not an allowed partition"),
        ]
        for extra, why in cases:
            RIG.reset()
            RIG.sim_setup(*extra)
            RIG.push(LOGIN_USER, "ed25519")
            rc, out, err, _ = RIG.run(LOGIN_USER, RIG.fp("ed25519"))
            self.assertNoKeys((rc, out, err, 0), EXIT_TRUST)
            self.assertIn(why, err)

    def test_region_falls_back_to_zone(self):
        RIG.push(LOGIN_USER, "ed25519")
        RIG.faults(status={"placement/region": 404})
        rc, out, err, _ = RIG.run(LOGIN_USER)
        self.assertEqual((rc, out), (0, RIG.pubkey("ed25519") + "\n"), err)
        self.assertIn("/latest/meta-data/placement/availability-zone", paths(RIG.requests()))

    # -- IMDS faults -----------------------------------------------------------
    def test_imds_faults(self):
        cases = [
            (dict(token_status=403), EXIT_IMDS, "no IMDSv2 token"),
            (dict(token_status=401), EXIT_IMDS, "no IMDSv2 token"),
            (dict(status={"instance-id": 500}), EXIT_IMDS, "HTTP status 500"),
            (dict(status={"active-keys": 403}), EXIT_IMDS, "HTTP status 403"),
            (dict(truncate=["signer-cert"]), EXIT_IMDS, "signer-cert"),
            (dict(oversize=["active-keys"]), EXIT_IMDS, "larger than"),
            (dict(oversize=["instance-id"]), EXIT_IMDS, "larger than"),
            (dict(redirect=["instance-id"]), EXIT_IMDS, "HTTP status 302"),
            (dict(drop=["signer-ocsp/"]), EXIT_IMDS, "signer-ocsp"),
            (dict(garbage=["signer-cert"]), EXIT_TRUST, "PEM"),
            (dict(garbage=["instance-id"]), EXIT_IMDS, "instance id"),
        ]
        for faults, code, why in cases:
            with self.subTest(faults=faults):
                RIG.reset()
                RIG.push(LOGIN_USER, "ed25519")
                RIG.faults(**faults)
                rc, out, err, t = RIG.run(LOGIN_USER, RIG.fp("ed25519"))
                self.assertNoKeys((rc, out, err, t), code)
                self.assertIn(why, err)
                self.assertLess(t, 5.5)

    def test_retries_ride_out_429_and_503(self):
        RIG.push(LOGIN_USER, "ed25519")
        RIG.faults(status_seq={"active-keys": [429, 503]})
        rc, out, err, _ = RIG.run(LOGIN_USER)
        self.assertEqual((rc, out), (0, RIG.pubkey("ed25519") + "\n"), err)

    def test_connection_refused_fails_fast(self):
        RIG.write_config(imds_url=f'"http://127.0.0.1:{RIG.port + 1 if RIG.port < 65535 else 1}"')
        rc, out, err, t = RIG.run(LOGIN_USER)
        self.assertNoKeys((rc, out, err, t), EXIT_IMDS)
        self.assertIn("no IMDSv2 token: could not connect", err)
        self.assertLess(t, 1.0)

    def test_blackhole_ends_at_the_deadline(self):
        RIG.write_config(deadline_ms=1500, imds_timeout_ms=400)
        RIG.faults(blackhole=True)
        rc, out, err, t = RIG.run(LOGIN_USER)
        self.assertNoKeys((rc, out, err, t), EXIT_IMDS)
        self.assertIn("no IMDSv2 token", err)
        self.assertLess(t, 1.9)
        self.assertGreater(t, 0.3)

    def test_slow_imds_still_answers(self):
        RIG.push(LOGIN_USER, "ed25519")
        RIG.faults(delay_ms=150)
        rc, out, err, t = RIG.run(LOGIN_USER)
        self.assertEqual((rc, out), (0, RIG.pubkey("ed25519") + "\n"), err)

    def test_hostile_environment_changes_nothing(self):
        RIG.push(LOGIN_USER, "ed25519")
        env = {"PATH": "/usr/bin:/bin", "http_proxy": "http://127.0.0.1:1",
               "HTTP_PROXY": "http://127.0.0.1:1", "HTTPS_PROXY": "http://127.0.0.1:1",
               "ALL_PROXY": "socks5://127.0.0.1:1", "all_proxy": "http://127.0.0.1:1",
               "NO_PROXY": "", "no_proxy": "", "OPENSSL_CONF": "/nonexistent/evil.cnf",
               "SSL_CERT_DIR": "/nonexistent", "SSL_CERT_FILE": "/nonexistent",
               "CURL_CA_BUNDLE": "/nonexistent", "OPENSSL_MODULES": "/nonexistent"}
        clean = RIG.run(LOGIN_USER)
        hostile = RIG.run(LOGIN_USER, env=env)
        self.assertEqual(hostile[:2], (0, RIG.pubkey("ed25519") + "\n"), hostile[2])
        self.assertEqual(clean[:2], hostile[:2])


class Login(unittest.TestCase):
    """Real logins through OpenSSH sshd with the helper as AuthorizedKeysCommand."""

    @classmethod
    def setUpClass(cls):
        RIG.reset()
        RIG.write_config()
        cls.sshd = Sshd(RIG)

    @classmethod
    def tearDownClass(cls):
        cls.sshd.close()

    def setUp(self):
        RIG.reset()
        RIG.write_config()

    def assertRefused(self, key="ed25519"):
        rc, out, err = self.sshd.ssh(key)
        self.assertNotEqual(rc, 0)
        self.assertNotIn("eic-login-ok", out)
        self.assertIn("Permission denied", err)

    def test_login_with_freshly_pushed_key_and_audit_line(self):
        for key in ("ed25519", "rsa4096", "ecdsa256"):
            RIG.push(LOGIN_USER, key, "--request", f"req-login-{key}")
            rc, out, err = self.sshd.ssh(key, "echo eic-login-ok; id -un")
            self.assertEqual(rc, 0, err + slurp(self.sshd.errlog.name)[-2000:])
            self.assertEqual(out, f"eic-login-ok\n{LOGIN_USER}\n")
            line = self.sshd.log.wait_for(f"request-id: req-login-{key}")
            self.assertIsNotNone(line, "no audit line in syslog")
            self.assertIn("fingerprint: " + RIG.fp(key), line)
            self.assertIn("caller: arn:aws:iam::123456789012:user/alice", line)
            self.assertTrue(line.startswith("<86>"), "not authpriv.info: " + line)

    def test_no_pushed_key(self):
        self.assertRefused()

    def test_expired_key(self):
        RIG.push(LOGIN_USER, "ed25519", "--expires-in", "-1")
        self.assertRefused()

    def test_other_instance(self):
        RIG.push(LOGIN_USER, "ed25519", "--instance-id", "i-0fedcba9876543210")
        self.assertRefused()

    def test_wrong_key_offered(self):
        RIG.push(LOGIN_USER, "ed25519")
        self.assertRefused("ecdsa256")

    def test_key_pushed_for_other_user(self):
        RIG.push("root", "ed25519")
        self.assertRefused()

    def test_revoked_signer(self):
        RIG.sim_setup("--staple", "signer=signer-revoked", "--staple", "inter=inter-good")
        RIG.push(LOGIN_USER, "ed25519")
        self.assertRefused()
        self.assertIsNotNone(self.sshd.log.wait_for("certificate revoked"))

    def test_imds_down(self):
        RIG.push(LOGIN_USER, "ed25519")
        RIG.stop_sim()
        try:
            self.assertRefused()
        finally:
            RIG.start_sim()


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    return suite_main("e2e", globals())


if __name__ == "__main__":
    sys.exit(main())
