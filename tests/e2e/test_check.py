#!/usr/bin/env python3
"""`eic_run_authorized_keys --check` against real sshd configurations in
temporary directories and the IMDS simulator. Usage: test_check.py HELPER FIXTURES"""
import json
import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import AKC_USER, suite_main  # noqa: E402

RIG = None


class Check(unittest.TestCase):
    def setUp(self):
        RIG.reset()
        RIG.write_config()
        self.d = os.path.join(RIG.dir, "check")
        shutil.rmtree(self.d, ignore_errors=True)
        self.dropins = os.path.join(self.d, "sshd_config.d")
        self.units = os.path.join(self.d, "units")
        os.makedirs(self.dropins)
        os.makedirs(self.units)
        os.chmod(self.d, 0o755)
        self.hostkey = os.path.join(self.d, "host_key")
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", self.hostkey],
                       check=True)
        self.cfg = os.path.join(self.d, "sshd_config")
        self.main()
        self.ours(f"{RIG.helper} --config {RIG.config} %u %f")

    def main(self, extra=""):
        with open(self.cfg, "w") as f:
            f.write(f"HostKey {self.hostkey}\nInclude {self.dropins}/*.conf\n"
                    f"PubkeyAuthentication yes\n{extra}")

    def ours(self, command, user=AKC_USER):
        with open(os.path.join(self.dropins, "60-ec2-instance-connect.conf"), "w") as f:
            f.write(f"AuthorizedKeysCommand {command}\nAuthorizedKeysCommandUser {user}\n")

    def check(self, *extra, helper=None, json_out=True):
        cmd = [helper or RIG.helper, "--check", "--config", RIG.config,
               "--sshd-config", self.cfg, "--systemd-dir", self.units, *extra]
        if json_out:
            cmd.append("--json")
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        if not json_out:
            return p.returncode, p.stdout
        doc = json.loads(p.stdout)
        by = {}
        for c in doc["checks"]:
            by.setdefault(c["name"], c)
            if c["status"] == "FAIL":
                by[c["name"]] = c
        self.assertEqual(doc["ok"], p.returncode == 0)
        return p.returncode, by, doc

    def statuses(self, by):
        return {k: v["status"] for k, v in by.items()}

    def test_correct_setup_passes_every_check(self):
        rc, by, doc = self.check()
        self.assertEqual(rc, 0, json.dumps(doc, indent=1))
        self.assertTrue(all(c["status"] == "OK" for c in doc["checks"]), doc)
        for name in ("sshd", "akc", "akc-user", "pubkey", "auth-methods", "akc-source",
                     "akc-match", "helper-path", "config-path", "config", "trust-store",
                     "openssl", "ec2", "imds", "metadata", "signer"):
            self.assertIn(name, by)
        self.assertIn("60-ec2-instance-connect.conf:1", by["akc-source"]["message"])
        self.assertIn(f"http://127.0.0.1:{RIG.port}", by["imds"]["message"])
        self.assertIn("i-0123456789abcdef0", by["metadata"]["message"])
        self.assertIn("next update", by["signer"]["message"])

    def test_openssl_copy_in_the_helper_is_compared_with_the_system(self):
        # Every shared object the helper loads, its libcurl's included.
        dyn = subprocess.run(["ldd", RIG.helper], capture_output=True,
                             text=True, check=True).stdout
        if "libcrypto" in dyn:
            # Shared libcrypto: system updates reach the helper; it says so.
            rc, by, doc = self.check()
            self.assertEqual(by["openssl"]["status"], "OK", doc)
            self.assertIn("shared library", by["openssl"]["message"])
            return
        rc, by, doc = self.check()
        self.assertEqual(by["openssl"]["status"], "OK", doc)
        self.assertIn("same release", by["openssl"]["message"])
        # The system gets an OpenSSL update the helper does not have.
        lib = os.path.join(self.d, "newssl")
        os.makedirs(lib)
        src = os.path.join(lib, "v.c")
        with open(src, "w") as f:
            f.write('const char *OpenSSL_version(int t);\n'
                    'const char *OpenSSL_version(int t) { (void)t; '
                    'return "OpenSSL 3.9.99 (test update)"; }\n')
        subprocess.run(["cc", "-shared", "-fPIC", "-Wl,-soname,libcrypto.so.3", "-o",
                        os.path.join(lib, "libcrypto.so.3"), src], check=True)
        env = dict(os.environ, LD_LIBRARY_PATH=lib)
        p = subprocess.run([RIG.helper, "--check", "--config", RIG.config,
                            "--sshd-config", self.cfg, "--systemd-dir", self.units,
                            "--json"], capture_output=True, text=True, env=env,
                           timeout=30)
        doc = json.loads(p.stdout)
        c = [c for c in doc["checks"] if c["name"] == "openssl"][0]
        self.assertEqual(c["status"], "WARN", doc)
        self.assertIn("3.9.99 (test update)", c["message"])
        self.assertIn("rebuild", c["fix"])
        self.assertEqual(p.returncode, 0, doc)

    def test_text_output_gives_fixes(self):
        self.ours("/usr/bin/false %u %f")
        rc, out = self.check(json_out=False)
        self.assertEqual(rc, 1)
        self.assertRegex(out, r"(?m)^FAIL akc +sshd runs AuthorizedKeysCommand /usr/bin/false")
        self.assertRegex(out, r"(?m)^ +fix: put 'AuthorizedKeysCommand ")
        self.assertRegex(out, r"(?m)^\d+ OK, \d+ WARN, [1-9]\d* FAIL$")

    def test_shadowed_by_earlier_dropin(self):
        with open(os.path.join(self.dropins, "50-corp.conf"), "w") as f:
            f.write("AuthorizedKeysCommand /usr/bin/corp-keys %u\n"
                    "AuthorizedKeysCommandUser nobody\n")
        rc, by, _ = self.check()
        self.assertEqual(rc, 1)
        self.assertEqual(by["akc"]["status"], "FAIL")
        self.assertIn("/usr/bin/corp-keys", by["akc"]["message"])
        self.assertEqual(by["akc-source"]["status"], "FAIL")
        self.assertIn("shadowed by", by["akc-source"]["message"])
        self.assertIn("50-corp.conf:1", by["akc-source"]["message"])

    def test_missing_percent_f(self):
        self.ours(f"{RIG.helper} --config {RIG.config} %u")
        rc, by, _ = self.check()
        self.assertEqual(by["akc"]["status"], "WARN")
        self.assertIn("lacks %f", by["akc"]["message"])
        self.assertEqual(rc, 0)

    def test_missing_percent_u(self):
        self.ours(f"{RIG.helper} --config {RIG.config}")
        rc, by, _ = self.check()
        self.assertEqual((rc, by["akc"]["status"]), (1, "FAIL"))

    def test_wrong_or_missing_user(self):
        self.ours(f"{RIG.helper} --config {RIG.config} %u %f", user="no-such-user-eic")
        rc, by, _ = self.check()
        self.assertEqual((rc, by["akc-user"]["status"]), (1, "FAIL"))
        self.assertIn("does not exist", by["akc-user"]["message"])
        self.ours(f"{RIG.helper} --config {RIG.config} %u %f", user="root")
        rc, by, _ = self.check()
        self.assertEqual((rc, by["akc-user"]["status"]), (1, "FAIL"))
        self.assertIn("is root", by["akc-user"]["message"])

    def test_group_writable_parent_directory(self):
        gw = os.path.join(RIG.dir, "gw")
        os.makedirs(gw, exist_ok=True)
        os.chmod(gw, 0o775)
        helper = os.path.join(gw, "eic_run_authorized_keys")
        shutil.copy(RIG.helper, helper)
        self.ours(f"{helper} --config {RIG.config} %u %f")
        rc, by, _ = self.check(helper=helper)
        self.assertEqual((rc, by["helper-path"]["status"]), (1, "FAIL"))
        self.assertIn(gw + ": owner uid 0, mode 0775", by["helper-path"]["message"])
        self.assertIn("chmod go-w " + gw, by["helper-path"]["fix"])

    def test_match_block_overrides_for_some_users(self):
        self.main("Match User alice\n    AuthorizedKeysCommand none\n")
        rc, by, _ = self.check()
        self.assertEqual(by["akc"]["status"], "OK")
        self.assertEqual(by["akc-match"]["status"], "WARN")
        self.assertIn("Match User alice", by["akc-match"]["message"])
        self.assertIn("sshd_config:5", by["akc-match"]["message"])
        rc, by, _ = self.check("--match", "user=alice,host=h,addr=10.0.0.1")
        self.assertEqual((rc, by["akc"]["status"]), (1, "FAIL"))

    def test_execstart_options_override_files(self):
        with open(os.path.join(self.units, "ssh.service"), "w") as f:
            f.write('[Service]\nExecStart=/usr/sbin/sshd -D -o "AuthorizedKeysCommand '
                    '/usr/bin/corp %%u" -o "AuthorizedKeysCommandUser nobody"\n')
        rc, by, _ = self.check()
        self.assertEqual((rc, by["akc"]["status"]), (1, "FAIL"))
        self.assertIn("/usr/bin/corp %u", by["akc"]["message"])
        self.assertIn("command line by ssh.service", by["akc-source"]["message"])

    def test_systemd_fallback_is_recognised(self):
        os.unlink(os.path.join(self.dropins, "60-ec2-instance-connect.conf"))
        os.makedirs(os.path.join(self.units, "ssh.service.d"))
        with open(os.path.join(self.units, "ssh.service"), "w") as f:
            f.write("[Service]\nExecStart=/usr/sbin/sshd -D $SSHD_OPTS\n")
        with open(os.path.join(self.units, "ssh.service.d", "ec2-instance-connect.conf"),
                  "w") as f:
            f.write(f'[Service]\nExecStart=\nExecStart=/usr/sbin/sshd -D $SSHD_OPTS '
                    f'-o "AuthorizedKeysCommand {RIG.helper} --config {RIG.config} '
                    f'%%u %%f" -o "AuthorizedKeysCommandUser {AKC_USER}"\n')
        rc, by, doc = self.check()
        self.assertEqual(rc, 0, json.dumps(doc, indent=1))
        self.assertEqual(by["akc"]["status"], "OK")

    def test_config_file_checked(self):
        os.chmod(RIG.config, 0o664)
        rc, by, _ = self.check()
        self.assertEqual(rc, 1)
        self.assertEqual(by["config-path"]["status"], "FAIL")
        self.assertEqual(by["config"]["status"], "FAIL")

    def test_imds_down(self):
        RIG.stop_sim()
        try:
            rc, by, _ = self.check()
        finally:
            RIG.start_sim()
        self.assertEqual((rc, by["imds"]["status"]), (1, "FAIL"))
        self.assertIn("no IMDSv2 token", by["imds"]["message"])

    def test_revoked_signer(self):
        RIG.sim_setup("--staple", "signer=signer-revoked", "--staple", "inter=inter-good")
        rc, by, _ = self.check()
        self.assertEqual((rc, by["signer"]["status"]), (1, "FAIL"))
        self.assertIn("certificate revoked", by["signer"]["message"])

    def test_broken_sshd_config(self):
        self.main("NoSuchKeyword yes\n")
        rc, by, _ = self.check()
        self.assertEqual((rc, by["sshd"]["status"]), (1, "FAIL"))
        self.assertIn("NoSuchKeyword", by["sshd"]["message"])


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    return suite_main("check", globals())


if __name__ == "__main__":
    sys.exit(main())
