"""Shared rig for the end-to-end tests: simulator, helper runs, users, sshd.

Everything runs for real: the built helper as an unprivileged user, the IMDS
simulator over HTTP/1.1 on loopback, OpenSSH's sshd and ssh, syslog over
/dev/log. Only IMDS itself is simulated.
"""
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SIM = os.path.join(HERE, "eicsim.py")
IID = "i-0123456789abcdef0"
AKC_USER = "eic-akc"        # AuthorizedKeysCommandUser
LOGIN_USER = "eic-e2e"      # the OS user people log in as


def slurp(path):
    with open(path) as f:
        return f.read()


def ensure_user(name, shell, home):
    """Creates a user if missing; returns True if this run created it."""
    try:
        pwd.getpwnam(name)
        return False
    except KeyError:
        pass
    args = ["useradd", "-s", shell]
    args += ["-m", "-d", home] if home else ["-r", "-M", "-d", "/nonexistent"]
    subprocess.run(args + [name], check=True)
    # sshd refuses accounts whose password field starts with '!' (locked).
    subprocess.run(["usermod", "-p", "*", name], check=True)
    return True


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class SyslogCatcher:
    """Receives syslog datagrams on a unix socket (what glibc syslog() sends)."""

    def __init__(self, path):
        self.path = path
        self.lines = []
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        os.chmod(path, 0o666)
        self.sock.settimeout(0.2)
        self.stop = False
        self.t = threading.Thread(target=self.loop, daemon=True)
        self.t.start()

    def loop(self):
        while not self.stop:
            try:
                self.lines.append(self.sock.recv(65536).decode(errors="replace"))
            except socket.timeout:
                continue
            except OSError:
                return

    def wait_for(self, needle, timeout=3.0):
        end = time.time() + timeout
        while time.time() < end:
            for l in list(self.lines):
                if needle in l:
                    return l
            time.sleep(0.05)
        return None

    def close(self):
        self.stop = True
        self.sock.close()


class Rig:
    def __init__(self, helper, fixtures):
        self.fixtures = os.path.abspath(fixtures)
        # sshd demands a root-owned path with no group/world-writable parent:
        # /run qualifies, /tmp (1777) does not.
        self.dir = tempfile.mkdtemp(prefix="eic-e2e-", dir="/run")
        os.chmod(self.dir, 0o755)
        self.helper = os.path.join(self.dir, "eic_run_authorized_keys")
        shutil.copy(helper, self.helper)
        os.chmod(self.helper, 0o755)
        self.store = os.path.join(self.dir, "store")
        shutil.copytree(os.path.join(self.fixtures, "store"), self.store, symlinks=True)
        self.root = os.path.join(self.dir, "imds")
        self.sim_setup()
        self.sim = None
        self.port = None
        self.start_sim()
        self.config = os.path.join(self.dir, "config.yaml")
        self.write_config()
        self.created = [ensure_user(AKC_USER, "/usr/sbin/nologin", None),
                        ensure_user(LOGIN_USER, "/bin/sh", "/home/" + LOGIN_USER)]

    # --- IMDS simulator -------------------------------------------------
    def sim_setup(self, *extra):
        subprocess.run([sys.executable, SIM, "setup", self.root, self.fixtures, *extra],
                       check=True)

    def start_sim(self):
        pf = os.path.join(self.dir, "sim.port")
        if os.path.exists(pf):
            os.unlink(pf)
        args = [sys.executable, SIM, "serve", self.root, "--port-file", pf]
        if self.port:
            args += ["--port", str(self.port)]
        self.sim = subprocess.Popen(args)
        for _ in range(100):
            if os.path.exists(pf):
                self.port = int(slurp(pf))
                return
            time.sleep(0.05)
        raise RuntimeError("IMDS simulator did not start")

    def stop_sim(self):
        if self.sim:
            self.sim.terminate()
            self.sim.wait()
            self.sim = None

    def faults(self, **f):
        with open(os.path.join(self.root, "_faults.json"), "w") as fh:
            json.dump(f, fh)

    def clear_keys(self):
        d = os.path.join(self.root, "latest/meta-data/managed-ssh-keys/active-keys")
        for f in os.listdir(d):
            os.unlink(os.path.join(d, f))

    def push(self, user, key, *extra, signkey=None):
        subprocess.run([sys.executable, SIM, "push", self.root, user,
                        os.path.join(self.fixtures, "keys", key + ".pub"),
                        signkey or os.path.join(self.fixtures, "signer.key"), *extra],
                       check=True, stdout=subprocess.DEVNULL)

    def requests(self):
        p = os.path.join(self.root, "_requests.log")
        if not os.path.exists(p):
            return []
        return [l.split() for l in slurp(p).splitlines()]

    def reset(self):
        """Back to a healthy simulator with no keys and no faults."""
        self.faults()
        self.clear_keys()
        self.sim_setup()
        p = os.path.join(self.root, "_requests.log")
        if os.path.exists(p):
            os.unlink(p)

    # --- helper ------------------------------------------------------------
    def write_config(self, **over):
        cfg = {"imds_url": f'"http://127.0.0.1:{self.port}"', "ec2_check": "false",
               "ca_dir": self.store, "ca_file": '""', "deadline_ms": "5000"}
        cfg.update({k: str(v) for k, v in over.items()})
        with open(self.config, "w") as f:
            for k, v in cfg.items():
                f.write(f"{k}: {v}\n")
        os.chmod(self.config, 0o644)

    def fp(self, key, alg="sha256"):
        return slurp(os.path.join(self.fixtures, "keys", f"{key}.{alg}")).strip()

    def pubkey(self, key):
        return slurp(os.path.join(self.fixtures, "keys", key + ".pub")).strip()

    def run(self, *args, config=True, env=None, as_user=AKC_USER, timeout=15):
        """Runs the helper as an unprivileged user, with --debug logging to stderr."""
        cmd = [self.helper]
        if config:
            cmd += ["--config", self.config]
        cmd += ["--debug", *args]
        if as_user:
            cmd = ["setpriv", f"--reuid={as_user}", f"--regid={as_user}",
                   "--clear-groups", "--"] + cmd
        t = time.monotonic()
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                           env=env if env is not None else {"PATH": "/usr/bin:/bin"})
        return p.returncode, p.stdout, p.stderr, time.monotonic() - t

    def close(self):
        self.stop_sim()
        shutil.rmtree(self.dir, ignore_errors=True)
        if self.created[1]:
            subprocess.run(["userdel", "-r", LOGIN_USER], stderr=subprocess.DEVNULL)
        if self.created[0]:
            subprocess.run(["userdel", AKC_USER], stderr=subprocess.DEVNULL)


class Sshd:
    """A real OpenSSH sshd on 127.0.0.1 with the helper as AuthorizedKeysCommand."""

    def __init__(self, rig):
        self.rig = rig
        self.dir = os.path.join(rig.dir, "sshd")
        os.makedirs(self.dir)
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
        self.hostkey = os.path.join(self.dir, "host_ed25519")
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", self.hostkey],
                       check=True)
        self.port = free_port()
        self.cfg = os.path.join(self.dir, "sshd_config")
        with open(self.cfg, "w") as f:
            f.write(f"""Port {self.port}
ListenAddress 127.0.0.1
HostKey {self.hostkey}
PidFile {self.dir}/sshd.pid
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
StrictModes yes
AuthorizedKeysFile none
AuthorizedKeysCommand {rig.helper} --config {rig.config} %u %f
AuthorizedKeysCommandUser {AKC_USER}
LogLevel VERBOSE
""")
        subprocess.run(["/usr/sbin/sshd", "-t", "-f", self.cfg], check=True)
        # Audit lines arrive over syslog. Where /dev/log exists, a private
        # mount namespace puts our socket in its place for sshd and its children.
        self.logsock = os.path.join(self.dir, "log.sock")
        self.log = SyslogCatcher(self.logsock)
        sshd = ["/usr/sbin/sshd", "-D", "-e", "-f", self.cfg]
        if os.path.exists("/dev/log"):
            cmd = ["unshare", "-m", "--", "sh", "-c",
                   'mount --bind "$0" /dev/log && exec "$@"', self.logsock] + sshd
            self.own_devlog = False
        else:
            os.symlink(self.logsock, "/dev/log")
            self.own_devlog = True
            cmd = sshd
        self.errlog = open(os.path.join(self.dir, "sshd.log"), "w")
        self.proc = subprocess.Popen(cmd, stderr=self.errlog)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("sshd did not start: " + slurp(self.errlog.name))

    def ssh(self, key, command="echo eic-login-ok", user=LOGIN_USER):
        """Logs in with exactly one identity; returns (rc, stdout, stderr)."""
        k = os.path.join(self.dir, "id_" + key)
        shutil.copy(os.path.join(self.rig.fixtures, "keys", key), k)
        os.chmod(k, 0o600)
        p = subprocess.run(
            ["ssh", "-F", "/dev/null", "-i", k, "-o", "IdentitiesOnly=yes",
             "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
             "-o", "UserKnownHostsFile=/dev/null", "-o", "ConnectTimeout=10",
             "-o", "LogLevel=ERROR", "-p", str(self.port), f"{user}@127.0.0.1", command],
            capture_output=True, text=True, timeout=30)
        return p.returncode, p.stdout, p.stderr

    def close(self):
        self.proc.terminate()
        self.proc.wait()
        self.errlog.close()
        self.log.close()
        if self.own_devlog and os.path.islink("/dev/log"):
            os.unlink("/dev/log")


def run_tests(label, args):
    """Runs the calling script's unittest cases; prints 'label: N passed, M failed'."""
    prog = unittest.main(argv=[sys.argv[0]] + list(args), exit=False, verbosity=2)
    r = prog.result
    failed = len(r.failures) + len(r.errors)
    print(f"{label}: {r.testsRun - failed} passed, {failed} failed")
    return 0 if r.wasSuccessful() else 1


def suite_main(label, module_globals):
    """main() of a suite that shares one Rig (HELPER FIXTURES [unittest args])."""
    rig = Rig(sys.argv[1], sys.argv[2])
    module_globals["RIG"] = rig
    try:
        return run_tests(label, sys.argv[3:])
    finally:
        rig.close()
