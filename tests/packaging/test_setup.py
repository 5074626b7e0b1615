#!/usr/bin/env python3
"""The shared install/remove logic (packaging/ec2-instance-connect-setup)
against real sshd configurations in temporary directories."""
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SETUP = os.path.join(TOP, "packaging", "ec2-instance-connect-setup.in")
HELPER = "/opt/aws/bin/eic_run_authorized_keys"
SSHD = "/usr/sbin/sshd"


def tree_digest(d):
    h = hashlib.sha256()
    for root, dirs, files in sorted(os.walk(d)):
        dirs.sort()
        for f in sorted(files):
            p = os.path.join(root, f)
            h.update(p.encode())
            with open(p, "rb") as fh:
                h.update(fh.read())
    return h.hexdigest()


class Setup(unittest.TestCase):
    def setUp(self):
        self.d = tempfile.mkdtemp(prefix="eic-setup-")
        self.etc = os.path.join(self.d, "ssh")
        self.dropins = os.path.join(self.etc, "sshd_config.d")
        os.makedirs(self.dropins)
        self.hostkey = os.path.join(self.etc, "ssh_host_ed25519_key")
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", self.hostkey],
                       check=True)
        self.cfg = os.path.join(self.etc, "sshd_config")
        self.units = os.path.join(self.d, "lib-systemd")
        os.makedirs(self.units)
        with open(os.path.join(self.units, "ssh.service"), "w") as f:
            f.write("[Service]\nExecStartPre=/usr/sbin/sshd -t\n"
                    "ExecStart=/usr/sbin/sshd -D $SSHD_OPTS\n")
        self.systemd = os.path.join(self.d, "etc-systemd")
        self.state = os.path.join(self.d, "state")
        self.write_main()

    def tearDown(self):
        shutil.rmtree(self.d)

    def write_main(self, before="", include=True, after=""):
        with open(self.cfg, "w") as f:
            f.write(f"HostKey {self.hostkey}\nPidFile {self.d}/sshd.pid\n{before}")
            if include:
                f.write(f"Include {self.dropins}/*.conf\n")
            f.write("PubkeyAuthentication yes\n" + after)

    def dropin(self, name, text):
        with open(os.path.join(self.dropins, name), "w") as f:
            f.write(text)

    def setup(self, action, *extra, sshd=SSHD):
        p = subprocess.run(
            ["sh", SETUP, action, "--helper", HELPER, "--sshd-config", self.cfg,
             "--sshd", sshd, "--systemd-dir", self.systemd, "--unit-dirs", self.units,
             "--state-dir", self.state, "--no-reload", "--no-user", *extra],
            capture_output=True, text=True)
        return p.returncode, p.stdout + p.stderr

    def effective(self, kw, *opts):
        out = subprocess.run([SSHD, "-T", "-f", self.cfg, *opts], capture_output=True,
                             text=True, check=True).stdout
        for line in out.splitlines():
            k, _, v = line.partition(" ")
            if k.lower() == kw.lower():
                return v
        return None

    def test_enables_via_dropin_and_removes_cleanly(self):
        before = tree_digest(self.etc)
        rc, out = self.setup("install")
        self.assertEqual(rc, 0, out)
        self.assertIn("enabled in", out)
        self.assertTrue(os.path.exists(os.path.join(self.dropins, "60-ec2-instance-connect.conf")))
        self.assertEqual(self.effective("authorizedkeyscommand"), HELPER + " %u %f")
        self.assertEqual(self.effective("authorizedkeyscommanduser"), "ec2-instance-connect")
        # idempotent
        rc, out = self.setup("install")
        self.assertEqual(rc, 0, out)
        self.assertIn("nothing to do", out)
        rc, out = self.setup("remove")
        self.assertEqual(rc, 0, out)
        self.assertEqual(tree_digest(self.etc), before)
        self.assertEqual(self.effective("authorizedkeyscommand"), "none")

    def test_existing_command_in_main_file_left_alone(self):
        self.write_main(before="AuthorizedKeysCommand /usr/bin/other %u\n"
                               "AuthorizedKeysCommandUser nobody\n")
        before = tree_digest(self.etc)
        rc, out = self.setup("install")
        self.assertEqual(rc, 2, out)
        self.assertIn("already configured", out)
        self.assertIn("sshd_config:3", out)
        self.assertEqual(tree_digest(self.etc), before)

    def test_existing_command_in_other_dropin_left_alone(self):
        self.dropin("50-corp.conf", "AuthorizedKeysCommand /usr/bin/corp-keys %u\n"
                                    "AuthorizedKeysCommandUser nobody\n")
        before = tree_digest(self.etc)
        rc, out = self.setup("install")
        self.assertEqual(rc, 2, out)
        self.assertIn("50-corp.conf:1", out)
        self.assertEqual(tree_digest(self.etc), before)

    def test_only_command_user_set_counts_too(self):
        self.dropin("40-user.conf", "AuthorizedKeysCommandUser nobody\n")
        rc, out = self.setup("install")
        self.assertEqual(rc, 2, out)
        self.assertIn("40-user.conf:1", out)

    def test_shadowed_by_earlier_dropin_is_reported_and_not_left(self):
        # "none" looks like the default in sshd -T, but sshd keeps the first
        # value it reads: 50-cloud.conf would win over our 60- file.
        self.dropin("50-cloud.conf", "AuthorizedKeysCommand none\n")
        before = tree_digest(self.etc)
        rc, out = self.setup("install")
        self.assertEqual(rc, 2, out)
        self.assertIn("shadowed", out)
        self.assertIn("50-cloud.conf:1", out)
        self.assertEqual(tree_digest(self.etc), before)

    def test_no_include_uses_systemd_fallback(self):
        self.write_main(include=False)
        rc, out = self.setup("install")
        self.assertEqual(rc, 0, out)
        unitdrop = os.path.join(self.systemd, "ssh.service.d", "ec2-instance-connect.conf")
        with open(unitdrop) as f:
            text = f.read()
        self.assertIn("ExecStart=\n", text)
        self.assertIn("ExecStart=/usr/sbin/sshd -D $SSHD_OPTS -o \"AuthorizedKeysCommand "
                      + HELPER + " %%u %%f\" -o \"AuthorizedKeysCommandUser "
                      "ec2-instance-connect\"", text)
        # What systemd would run gives sshd our settings.
        opts = ["-o", f"AuthorizedKeysCommand {HELPER} %u %f",
                "-o", "AuthorizedKeysCommandUser ec2-instance-connect"]
        self.assertEqual(self.effective("authorizedkeyscommand", *opts), HELPER + " %u %f")
        # The fallback counts as ours on a second run (ExecStart -o).
        rc, out = self.setup("install")
        self.assertEqual(rc, 0, out)
        self.assertIn("nothing to do", out)
        rc, out = self.setup("remove")
        self.assertFalse(os.path.exists(unitdrop))

    def test_command_line_option_in_execstart_left_alone(self):
        os.makedirs(os.path.join(self.units, "ssh.service.d"))
        with open(os.path.join(self.units, "ssh.service.d", "corp.conf"), "w") as f:
            f.write("[Service]\nExecStart=\nExecStart=/usr/sbin/sshd -D -o "
                    "\"AuthorizedKeysCommand /usr/bin/corp %u\"\n")
        before = tree_digest(self.etc)
        rc, out = self.setup("install")
        self.assertEqual(rc, 2, out)
        self.assertIn("command line", out)
        self.assertEqual(tree_digest(self.etc), before)

    def test_validation_failure_is_undone(self):
        before = tree_digest(self.etc)
        # sshd -t refuses a relative AuthorizedKeysCommand: our change must go.
        p = subprocess.run(
            ["sh", SETUP, "install", "--helper", "relative/eic", "--sshd-config", self.cfg,
             "--systemd-dir", self.systemd, "--unit-dirs", self.units,
             "--state-dir", self.state, "--no-reload", "--no-user"],
            capture_output=True, text=True)
        self.assertEqual(p.returncode, 3, p.stdout + p.stderr)
        self.assertIn("undone", p.stdout)
        self.assertEqual(tree_digest(self.etc), before)
        self.assertFalse(os.path.exists(os.path.join(self.state, "installed")))

    def test_broken_config_before_us_is_not_touched(self):
        self.write_main(after="NoSuchKeyword yes\n")
        before = tree_digest(self.etc)
        rc, out = self.setup("install")
        self.assertEqual(rc, 2, out)
        self.assertIn("sshd -T fails", out)
        self.assertEqual(tree_digest(self.etc), before)

    def test_remove_keeps_a_changed_file(self):
        rc, out = self.setup("install")
        self.assertEqual(rc, 0, out)
        path = os.path.join(self.dropins, "60-ec2-instance-connect.conf")
        with open(path, "a") as f:
            f.write("# local change\n")
        rc, out = self.setup("remove")
        self.assertIn("kept", out)
        self.assertTrue(os.path.exists(path))

    def test_camelcase_sshd_output(self):
        # Newer OpenSSH prints sshd -T keywords in CamelCase; this wrapper
        # runs the real sshd and prints its keywords the way they do.
        wrap = os.path.join(self.d, "sshd-camel")
        with open(wrap, "w") as f:
            f.write("#!/bin/sh\n" + SSHD + " \"$@\" | sed "
                    "'s/^authorizedkeyscommanduser /AuthorizedKeysCommandUser /;"
                    "s/^authorizedkeyscommand /AuthorizedKeysCommand /'\n")
        os.chmod(wrap, 0o755)
        self.dropin("50-corp.conf", "AuthorizedKeysCommand /usr/bin/corp-keys %u\n")
        rc, out = self.setup("install", sshd=wrap)
        self.assertEqual(rc, 2, out)
        self.assertIn("corp-keys", out)

    def test_purge_removes_state(self):
        rc, out = self.setup("install")
        rc, out = self.setup("purge")
        self.assertEqual(rc, 0, out)
        self.assertFalse(os.path.exists(self.state))


if __name__ == "__main__":
    prog = unittest.main(exit=False, verbosity=2)
    r = prog.result
    failed = len(r.failures) + len(r.errors)
    print(f"packaging-setup: {r.testsRun - failed} passed, {failed} failed")
    sys.exit(0 if r.wasSuccessful() else 1)
