#!/usr/bin/env python3
"""The helper on a simulated EC2 host, exactly as installed: no config file,
built-in defaults, run as nobody. In private mount and network namespaces,
IMDS answers on 169.254.169.254:80 and [fd00:ec2::254]:80, /sys holds the
EC2 markers (DMI asset tag, Xen hypervisor uuid) and /etc/ssl/certs the test
root. Usage (root): test_ec2host.py HELPER FIXTURES"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SIM = os.path.join(HERE, "eicsim.py")
sys.path.insert(0, HERE)
from harness import run_tests, slurp  # noqa: E402
IID = "i-0123456789abcdef0"
V4, V6 = "169.254.169.254", "fd00:ec2::254"
HELPER = FIXTURES = WORK = None
USER = "root"


def sh(*args, **kw):
    return subprocess.run(args, check=True, **kw)


def write(p, text):
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "w") as f:
        f.write(text)


class Sim:
    def __init__(self, host):
        self.host = host
        self.root = os.path.join(WORK, "imds-" + host.replace(":", "_"))
        sh(sys.executable, SIM, "setup", self.root, FIXTURES)
        self.proc = subprocess.Popen([sys.executable, SIM, "serve", self.root,
                                      "--host", host, "--port", "80",
                                      "--port-file", self.root + ".port"])
        for _ in range(100):
            if os.path.exists(self.root + ".port"):
                return
            time.sleep(0.05)
        raise RuntimeError("simulator did not start on " + host)

    def push(self, *extra):
        sh(sys.executable, SIM, "push", self.root, USER,
           os.path.join(FIXTURES, "keys", "ed25519.pub"),
           os.path.join(FIXTURES, "signer.key"), *extra, stdout=subprocess.DEVNULL)

    def faults(self, text):
        write(os.path.join(self.root, "_faults.json"), text)

    def requests(self):
        p = os.path.join(self.root, "_requests.log")
        return slurp(p).splitlines() if os.path.exists(p) else []

    def reset(self):
        self.faults("{}")
        for p in (os.path.join(self.root, "_requests.log"),
                  os.path.join(self.root, "latest/meta-data/managed-ssh-keys/active-keys", USER)):
            if os.path.exists(p):
                os.unlink(p)


class Ec2Host(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        sh("ip", "link", "set", "lo", "up")
        sh("ip", "addr", "add", V4 + "/32", "dev", "lo")
        sh("ip", "-6", "addr", "add", V6 + "/128", "dev", "lo", "nodad")
        # /sys and the trust store become ours; no config file exists.
        sh("mount", "-t", "tmpfs", "tmpfs", "/sys")
        sh("mount", "-t", "tmpfs", "tmpfs", "/etc/ssl/certs")
        if os.path.isdir("/etc/ec2-instance-connect"):
            sh("mount", "-t", "tmpfs", "tmpfs", "/etc/ec2-instance-connect")
        shutil.copy(os.path.join(FIXTURES, "ca", "root.pem"), "/etc/ssl/certs/eic-test-root.pem")
        sh("openssl", "rehash", "/etc/ssl/certs")
        cls.v4, cls.v6 = Sim(V4), Sim(V6)

    @classmethod
    def tearDownClass(cls):
        for s in (cls.v4, cls.v6):
            s.proc.terminate()
            s.proc.wait()

    def setUp(self):
        for s in (self.v4, self.v6):
            s.reset()
        for p in ("/sys/hypervisor", "/sys/devices"):
            shutil.rmtree(p, ignore_errors=True)
        self.nitro(IID)

    def nitro(self, tag):
        write("/sys/devices/virtual/dmi/id/board_asset_tag", tag + "\n")

    def run_helper(self, *args, env=None):
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--",
               HELPER, "--debug", USER, *args]
        t = time.monotonic()
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=15,
                           env=env if env is not None else {"PATH": "/usr/bin:/bin"})
        return p.returncode, p.stdout, p.stderr, time.monotonic() - t

    def key(self):
        return slurp(os.path.join(FIXTURES, "keys", "ed25519.pub")).strip() + "\n"

    def fp(self):
        return slurp(os.path.join(FIXTURES, "keys", "ed25519.sha256")).strip()

    def test_nitro_asset_tag_ipv4(self):
        self.v4.push()
        rc, out, err, _ = self.run_helper(self.fp())
        self.assertEqual((rc, out), (0, self.key()), err)
        self.assertIn("Providing ssh key", err)
        self.assertTrue(self.v4.requests())
        self.assertEqual(self.v6.requests(), [])

    def test_asset_tag_of_another_instance(self):
        self.v4.push()
        self.nitro("i-0fedcba9876543210")
        rc, out, err, _ = self.run_helper(self.fp())
        self.assertEqual((rc, out), (0, ""), err)
        self.assertIn("not an EC2 instance", err)

    def test_not_ec2_asks_nothing(self):
        self.v4.push()
        shutil.rmtree("/sys/devices")
        rc, out, err, _ = self.run_helper(self.fp())
        self.assertEqual((rc, out), (0, ""), err)
        self.assertIn("not an EC2 instance", err)
        self.assertEqual(self.v4.requests() + self.v6.requests(), [])

    def test_xen_hypervisor_uuid(self):
        self.v4.push()
        shutil.rmtree("/sys/devices")
        write("/sys/hypervisor/uuid", "ec2e1916-9099-7caf-fd21-012345abcdef\n")
        rc, out, err, _ = self.run_helper(self.fp())
        self.assertEqual((rc, out), (0, self.key()), err)

    def test_ipv6_only(self):
        self.v6.push()
        sh("ip", "addr", "del", V4 + "/32", "dev", "lo")
        try:
            rc, out, err, t = self.run_helper(self.fp())
        finally:
            sh("ip", "addr", "add", V4 + "/32", "dev", "lo")
        self.assertEqual((rc, out), (0, self.key()), err)
        self.assertIn("via http://[fd00:ec2::254]", err)
        self.assertLess(t, 1.0)

    def test_ipv4_silent_falls_back_to_ipv6(self):
        self.v6.push()
        self.v4.faults('{"blackhole": true}')
        rc, out, err, t = self.run_helper(self.fp())
        self.assertEqual((rc, out), (0, self.key()), err)
        self.assertIn("via http://[fd00:ec2::254]", err)
        self.assertLess(t, 2.0)

    def test_no_imds_at_all(self):
        self.v4.faults('{"token_status": 403}')
        self.v6.faults('{"token_status": 403}')
        rc, out, err, t = self.run_helper(self.fp())
        self.assertEqual((rc, out), (3, ""), err)
        self.assertIn("no IMDSv2 token", err)

    def test_anchor_without_hash_link(self):
        self.v4.push()
        for f in os.listdir("/etc/ssl/certs"):
            if f != "eic-test-root.pem":
                os.unlink(os.path.join("/etc/ssl/certs", f))
        try:
            rc, out, err, _ = self.run_helper(self.fp())
        finally:
            sh("openssl", "rehash", "/etc/ssl/certs")
        self.assertEqual((rc, out), (0, self.key()), err)

    def test_untrusted_when_store_lacks_root(self):
        self.v4.push()
        shutil.move("/etc/ssl/certs/eic-test-root.pem", "/tmp/eic-test-root.pem")
        sh("openssl", "rehash", "/etc/ssl/certs")
        try:
            rc, out, err, _ = self.run_helper(self.fp())
        finally:
            shutil.move("/tmp/eic-test-root.pem", "/etc/ssl/certs/eic-test-root.pem")
            sh("openssl", "rehash", "/etc/ssl/certs")
        self.assertEqual((rc, out), (4, ""), err)

    def test_proxy_environment_ignored(self):
        self.v4.push()
        env = {"PATH": "/usr/bin:/bin", "http_proxy": "http://127.0.0.1:9",
               "HTTP_PROXY": "http://127.0.0.1:9", "ALL_PROXY": "http://127.0.0.1:9",
               "SSL_CERT_DIR": "/nonexistent", "SSL_CERT_FILE": "/nonexistent",
               "OPENSSL_CONF": "/nonexistent"}
        rc, out, err, _ = self.run_helper(self.fp(), env=env)
        self.assertEqual((rc, out), (0, self.key()), err)


def main():
    global HELPER, FIXTURES, WORK
    HELPER, FIXTURES = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    if os.environ.get("EIC_IN_NS") != "1":
        # Re-run inside private mount and network namespaces.
        env = dict(os.environ, EIC_IN_NS="1")
        return subprocess.run(["unshare", "--mount", "--net", "--fork", "--",
                               sys.executable, *sys.argv], env=env).returncode
    sh("mount", "--make-rprivate", "/")
    WORK = tempfile.mkdtemp(prefix="eic-ec2host-")
    os.chmod(WORK, 0o755)
    try:
        return run_tests("ec2host", sys.argv[3:])
    finally:
        shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
