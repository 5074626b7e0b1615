#!/usr/bin/env python3
"""make bench: the built helper against the IMDS simulator on loopback.

Prints, per scenario, medians and p95 over repeated runs of wall time per
invocation (process start included), CPU time, peak RSS, HTTP requests per
invocation and sequential round-trip depth. Usage: bench.py HELPER FIXTURES [RUNS]
"""
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SIM = os.path.join(HERE, "..", "e2e", "eicsim.py")


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


class Bench:
    def __init__(self, helper, fixtures, runs):
        self.helper, self.fx, self.runs = helper, fixtures, runs
        self.d = tempfile.mkdtemp(prefix="eic-bench-")
        self.root = os.path.join(self.d, "imds")
        subprocess.run([sys.executable, SIM, "setup", self.root, fixtures], check=True)
        pf = os.path.join(self.d, "port")
        self.sim = subprocess.Popen([sys.executable, SIM, "serve", self.root,
                                     "--port-file", pf])
        while not os.path.exists(pf):
            time.sleep(0.05)
        with open(pf) as f:
            self.port = int(f.read())
        self.cfg = os.path.join(self.d, "config.yaml")
        self.config()
        self.spawn = os.path.join(self.d, "spawn")
        subprocess.run(["cc", "-O2", "-o", self.spawn, os.path.join(HERE, "spawn.c")],
                       check=True)
        with open(os.path.join(fixtures, "keys", "ed25519.sha256")) as f:
            self.fp = f.read().strip()

    def config(self, extra=""):
        with open(self.cfg, "w") as f:
            f.write(f'imds_url: "http://127.0.0.1:{self.port}"\nec2_check: false\n'
                    f'ca_dir: {os.path.join(self.fx, "store")}\nca_file: ""\n{extra}')

    def keys(self, n):
        path = os.path.join(self.root, "latest/meta-data/managed-ssh-keys/active-keys/root")
        if os.path.exists(path):
            os.unlink(path)
        # Valid entries must expire within the push window plus clock skew
        # (360 s): pushed afresh for every scenario.
        others = ["rsa2048", "ecdsa256", "ecdsa384", "rsa4096", "ecdsa521"]
        for i in range(min(n - 1, 5)):
            count = (n - 1) // 5 + (1 if i < (n - 1) % 5 else 0)
            subprocess.run([sys.executable, SIM, "push", self.root, "root",
                            os.path.join(self.fx, "keys", others[i] + ".pub"),
                            os.path.join(self.fx, "signer.key"), "--expires-in", "300",
                            "--count", str(count)],
                           check=True, stdout=subprocess.DEVNULL)
        if n > 0:
            subprocess.run([sys.executable, SIM, "push", self.root, "root",
                            os.path.join(self.fx, "keys", "ed25519.pub"),
                            os.path.join(self.fx, "signer.key"), "--expires-in", "300"],
                           check=True, stdout=subprocess.DEVNULL)

    def faults(self, text):
        with open(os.path.join(self.root, "_faults.json"), "w") as f:
            f.write(text)

    def log(self):
        p = os.path.join(self.root, "_requests.log")
        if not os.path.exists(p):
            return []
        with open(p) as f:
            rows = [l.split() for l in f.read().splitlines()]
        os.unlink(p)
        return rows

    def run(self, name, user, runs, parallel=1):
        args = [self.helper, "--config", self.cfg, user, self.fp]
        # One run alone, to count its requests and round trips.
        self.log()
        p = os.path.join(self.root, "_faults.json")
        with open(p) if os.path.exists(p) else open(os.devnull) as f:
            saved = f.read()
        self.faults('{"delay_ms": 1}')
        err = subprocess.run(args + ["--debug"], capture_output=True, check=True,
                             text=True).stderr
        self.faults(saved or "{}")
        one = self.log()
        # Requests as IMDS saw them; round trips as the helper made them
        # (a request sent only after another was answered starts a new one).
        m = re.search(r"(\d+) IMDS requests in (\d+) round trips", err)
        reqs, dep = len(one), int(m.group(2)) if m else -1
        if m and int(m.group(1)) != reqs:
            print(f"bench: helper counted {m.group(1)} requests, IMDS saw {reqs}")
        out = subprocess.run([self.spawn, str(runs), str(parallel), *args],
                             capture_output=True, text=True, check=True).stdout
        self.log()
        rows = [list(map(int, l.split())) for l in out.splitlines()]
        bad = [r for r in rows if r[3] != 0]
        wall = [r[0] / 1000 for r in rows]
        cpu = [r[1] / 1000 for r in rows]
        rss = [r[2] / 1024 for r in rows]
        print(f"| {name:<22} | {runs:>4} | {statistics.median(wall):7.2f} | "
              f"{pct(wall, 95):7.2f} | {statistics.median(cpu):6.2f} | "
              f"{max(rss):6.1f} | {reqs:>4} | {dep:>5} |" +
              (f" {len(bad)} runs exited non-zero" if bad else ""), flush=True)

    def close(self):
        self.sim.terminate()
        self.sim.wait()
        shutil.rmtree(self.d, ignore_errors=True)


def main():
    helper, fixtures = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 50
    b = Bench(helper, fixtures, runs)
    try:
        print(f"eic_run_authorized_keys bench: {os.cpu_count()} CPUs, {runs} runs per "
              f"scenario; wall and CPU in ms (median, p95), peak RSS in MiB (max)")
        print("| scenario               | runs | wall md | wall95 | cpu md | rss max | reqs | depth |")
        print("|------------------------|------|---------|---------|--------|---------|------|-------|")
        b.keys(0)
        b.run("no keys (404)", "root", runs)
        b.keys(1)
        b.run("1 valid key, %f", "root", runs)
        b.keys(10)
        b.run("10 keys, %f", "root", runs)
        b.keys(1000)
        b.run("1000 keys, %f", "root", max(10, runs // 5))
        b.keys(1)
        b.faults('{"delay_ms": 1}')
        b.run("1 key, +1 ms/response", "root", runs)
        b.faults("{}")
        b.run("50 at once, 1 key", "root", 50 * max(1, runs // 25), parallel=50)
        b.keys(0)
        b.run("50 at once, no keys", "root", 50 * max(1, runs // 25), parallel=50)
        b.config("imds_prefetch: true\n")
        b.run("no keys, prefetch", "root", runs)
        b.keys(1)
        b.run("1 valid key, prefetch", "root", runs)
        b.faults('{"delay_ms": 1}')
        b.run("1 key, +1 ms, prefetch", "root", runs)
        b.faults("{}")
    finally:
        b.close()


if __name__ == "__main__":
    main()
