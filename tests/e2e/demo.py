#!/usr/bin/env python3
"""make demo: an EC2 Instance Connect login, end to end, narrated.

Usage: demo.py HELPER FIXTURES"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import LOGIN_USER, Rig, Sshd, slurp  # noqa: E402


def step(n, text):
    print(f"\n[{n}] {text}", flush=True)


def main():
    helper, fixtures = sys.argv[1], sys.argv[2]
    step(1, "Starting the IMDS simulator (IMDSv2 over HTTP/1.1 on 127.0.0.1) with a\n"
            "    test signer chain, its OCSP staples, instance i-0123456789abcdef0.")
    rig = Rig(helper, fixtures)
    sshd = None
    try:
        print(f"    IMDS at http://127.0.0.1:{rig.port}; helper installed at {rig.helper}")
        step(2, "Starting OpenSSH sshd on 127.0.0.1 with:")
        sshd = Sshd(rig)
        for line in slurp(sshd.cfg).splitlines():
            if line.startswith("AuthorizedKeysCommand"):
                print("    " + line)
        print(f"    listening on port {sshd.port}")
        step(3, f"Without a pushed key, ssh {LOGIN_USER}@127.0.0.1 is refused:")
        rc, out, err = sshd.ssh("ed25519")
        print(f"    ssh exit {rc}: {err.strip().splitlines()[-1] if err.strip() else ''}")
        if rc == 0:
            raise SystemExit("demo: login succeeded without a key")
        step(4, "Pushing a fresh ed25519 key for 60 s, signed like the service does\n"
                "    (aws ec2-instance-connect send-ssh-public-key):")
        rig.push(LOGIN_USER, "ed25519", "--request", "demo-request-0001")
        bundle = slurp(os.path.join(rig.root, "latest/meta-data/managed-ssh-keys/"
                                    "active-keys", LOGIN_USER))
        for line in bundle.splitlines():
            print("    " + (line if len(line) < 90 else line[:86] + " ..."))
        step(5, "What sshd will be told (the helper, run as the unprivileged user):")
        rc, out, err, t = rig.run(LOGIN_USER, rig.fp("ed25519"))
        print(f"    $ eic_run_authorized_keys {LOGIN_USER} {rig.fp('ed25519')}")
        print("    " + out.strip())
        print(f"    exit {rc} in {t * 1000:.0f} ms")
        step(6, f"Logging in: ssh -i ed25519 {LOGIN_USER}@127.0.0.1 'echo logged in as $(id -un)'")
        rc, out, err = sshd.ssh("ed25519", "echo logged in as $(id -un)")
        print("    " + (out.strip() or err.strip()))
        if rc != 0:
            raise SystemExit("demo: login failed: " + err)
        step(7, "The audit line the helper wrote to syslog (authpriv):")
        line = sshd.log.wait_for("request-id: demo-request-0001")
        print("    " + (line or "(none)"))
        if not line:
            raise SystemExit("demo: no audit line")
        step(8, "Another key than the one pushed is refused:")
        rc, out, err = sshd.ssh("rsa2048")
        print(f"    ssh exit {rc}: {err.strip().splitlines()[-1] if err.strip() else ''}")
        if rc == 0:
            raise SystemExit("demo: a key that was not pushed logged in")
        print("\ndemo: OK")
        return 0
    finally:
        step(9, "Cleaning up: sshd, simulator, test users, temporary files.")
        if sshd:
            sshd.close()
        rig.close()


if __name__ == "__main__":
    sys.exit(main())
