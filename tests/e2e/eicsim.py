#!/usr/bin/env python3
"""IMDS simulator and service stand-in for EC2 Instance Connect tests.

  eicsim.py setup ROOT FIXTURES [--instance-id ID] [--region R] [--domain D]
      Fills ROOT with instance metadata, the signer chain and OCSP staples.
  eicsim.py push ROOT USER PUBKEY SIGNKEY [--instance-id ID] [--expires-in S]
      Adds a signed entry for USER, as the service does when a key is pushed.
  eicsim.py serve ROOT [--host H] [--port P] [--port-file F]
      Serves ROOT over HTTP/1.1 with IMDSv2 token semantics.

Faults are read from ROOT/_faults.json on every request, e.g.
  {"delay_ms": 1, "token_status": 403, "status": {"instance-id": 500},
   "status_seq": {"active-keys": [429, 429]}, "truncate": ["signer-cert"],
   "oversize": ["active-keys"], "garbage": ["signer-cert"],
   "blackhole": false, "drop": ["instance-id"], "redirect": ["instance-id"]}
Every request is appended to ROOT/_requests.log as "<t_ms> <method> <path> <status>".
Only the Python standard library is used.
"""
import argparse
import base64
import json
import os
import secrets
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

META = "latest/meta-data"


def write(path, data, mode="w"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode) as f:
        f.write(data)


def cmd_setup(a):
    md = os.path.join(a.root, META)
    write(os.path.join(md, "instance-id"), a.instance_id)
    write(os.path.join(md, "placement/region"), a.region)
    write(os.path.join(md, "placement/availability-zone"), a.region + "a")
    write(os.path.join(md, "services/domain"), a.domain)
    fx = a.fixtures
    with open(os.path.join(fx, a.chain)) as f:
        chain = f.read()
    write(os.path.join(md, "managed-ssh-keys/signer-cert"), chain)
    ocsp_dir = os.path.join(md, "managed-ssh-keys/signer-ocsp")
    os.makedirs(ocsp_dir, exist_ok=True)
    for f in os.listdir(ocsp_dir):
        os.unlink(os.path.join(ocsp_dir, f))
    for spec in a.staple:
        cert, der = spec.split("=")
        with open(os.path.join(fx, "ca", cert + ".sha1")) as f:
            name = f.read().strip()
        with open(os.path.join(fx, "ocsp", der + ".der"), "rb") as f:
            data = f.read()
        write(os.path.join(ocsp_dir, name), base64.b64encode(data).decode())
    os.makedirs(os.path.join(md, "managed-ssh-keys/active-keys"), exist_ok=True)


def sign(signkey, data):
    r = subprocess.run(
        ["openssl", "dgst", "-sha256", "-sigopt", "rsa_padding_mode:pss",
         "-sigopt", "rsa_pss_saltlen:32", "-sigopt", "rsa_mgf1_md:sha256",
         "-sign", signkey],
        input=data, capture_output=True, check=True)
    return base64.b64encode(r.stdout).decode()


def cmd_push(a):
    with open(a.pubkey) as f:
        key = f.read().strip()
    expiry = int(time.time()) + a.expires_in
    meta = (f"#Timestamp={expiry}\n#Instance={a.instance_id}\n"
            f"#Caller={a.caller}\n#Request={a.request or uuid.uuid4()}\n")
    signed = (meta + key + "\n").encode()
    entry = signed.decode() + sign(a.signkey, signed) + "\n"
    # --count N: the same signed entry N times (large bundles, quickly)
    entry = "\n".join([entry] * a.count)
    path = os.path.join(a.root, META, "managed-ssh-keys/active-keys", a.user)
    old = ""
    if os.path.exists(path) and not a.replace:
        with open(path) as f:
            old = f.read()
    write(path, (old + "\n" if old else "") + entry)
    print(key.split()[1][:16] + "...", "pushed for", a.user, "until", expiry)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "EC2ws"
    sys_version = ""

    def log_message(self, fmt, *args):
        pass

    def setup(self):
        super().setup()
        # Like a real server: no Nagle delay between headers and body.
        import socket
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def faults(self):
        """The fault settings, read again only when the file changes."""
        p = os.path.join(self.server.root, "_faults.json")
        try:
            m = os.stat(p).st_mtime_ns
        except OSError:
            return {}
        srv = self.server
        if getattr(srv, "faults_mtime", None) != m:
            try:
                with open(p) as f:
                    srv.faults_cache = json.load(f)
            except (OSError, ValueError):
                srv.faults_cache = {}
            srv.faults_mtime = m
        return srv.faults_cache

    def record(self, status, done=None):
        # "<ms> METHOD PATH STATUS <arrived us> <answered us>"
        t0 = getattr(self, "t_arrive", time.time())
        t1 = done if done is not None else time.time()
        line = (f"{int(t0 * 1000)} {self.command} {self.path} {status} "
                f"{int(t0 * 1e6)} {int(t1 * 1e6)}\n")
        with self.server.lock:
            with open(os.path.join(self.server.root, "_requests.log"), "a") as f:
                f.write(line)

    def reply(self, status, body=b"", ctype="text/plain", extra=None):
        f = self.faults()
        if f.get("delay_ms"):
            time.sleep(f["delay_ms"] / 1000.0)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        # The log line is written before any of the reply leaves (headers
        # included: a 404 is complete with them), so that whoever got the
        # reply also finds it logged.
        if any(s in self.path for s in f.get("truncate", [])) and len(body) > 4:
            # Promise the whole body, send half, close: a truncated response.
            self.send_header("Content-Length", str(len(body)))
            self.record(status)
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.send_header("Content-Length", str(len(body)))
        self.record(status)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def fault_path(self, key):
        return any(s in self.path for s in self.faults().get(key, []))

    def common_faults(self):
        f = self.faults()
        if f.get("blackhole"):
            self.record("blackhole")
            time.sleep(30)
            self.close_connection = True
            return True
        if self.fault_path("drop"):
            self.record("drop")
            self.close_connection = True
            return True
        return False

    def parse_request(self):
        self.t_arrive = time.time()
        return super().parse_request()

    def do_PUT(self):
        if self.common_faults():
            return
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        if self.path != "/latest/api/token":
            return self.reply(404 if self.path.startswith("/latest") else 403)
        ts = self.faults().get("token_status")
        if ts:
            return self.reply(ts)
        ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds", "")
        if not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
            return self.reply(400)
        if self.headers.get("X-Forwarded-For"):
            return self.reply(403)
        tok = base64.b64encode(secrets.token_bytes(42)).decode()
        with self.server.lock:
            self.server.tokens[tok] = time.time() + int(ttl)
        self.reply(200, tok.encode(),
                   extra={"X-aws-ec2-metadata-token-ttl-seconds": ttl})

    def do_GET(self):
        if self.common_faults():
            return
        tok = self.headers.get("X-aws-ec2-metadata-token")
        with self.server.lock:
            exp = self.server.tokens.get(tok or "")
        if exp is None or exp < time.time():
            return self.reply(401)  # IMDSv2 only: no token, no data
        f = self.faults()
        for sub, codes in f.get("status_seq", {}).items():
            if sub in self.path:
                key = (sub, json.dumps(codes))
                with self.server.lock:
                    i = self.server.seq.get(key, 0)
                    self.server.seq[key] = i + 1
                if i < len(codes):
                    return self.reply(codes[i])
        for sub, code in f.get("status", {}).items():
            if sub in self.path:
                return self.reply(code)
        if self.fault_path("redirect"):
            return self.reply(302, extra={"Location": "http://127.0.0.1:1/evil"})
        rel = self.path.split("?")[0].lstrip("/").rstrip("/")
        if ".." in rel.split("/") or not rel.startswith("latest/"):
            return self.reply(404)
        p = os.path.join(self.server.root, rel)
        if os.path.isdir(p):
            body = "\n".join(sorted(os.listdir(p))).encode()
        elif os.path.isfile(p):
            with open(p, "rb") as f:
                body = f.read()
        else:
            return self.reply(404)
        if self.fault_path("oversize"):
            body = body + b"A" * (8 * 1024 * 1024)
        if self.fault_path("garbage"):
            body = os.urandom(max(len(body), 16))
        self.reply(200, body)


def cmd_serve(a):
    class Server(ThreadingHTTPServer):
        daemon_threads = True
        allow_reuse_address = True
        request_queue_size = 256  # bursts of concurrent helpers must not overflow

        def handle_error(self, request, client_address):
            # Clients hang up on purpose (size caps, deadlines): not news.
            if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
                super().handle_error(request, client_address)
        if ":" in a.host:
            import socket
            address_family = socket.AF_INET6

    srv = Server((a.host, a.port), Handler)
    srv.root = a.root
    srv.tokens = {}
    srv.seq = {}
    srv.lock = threading.Lock()
    if a.port_file:
        with open(a.port_file + ".tmp", "w") as f:
            f.write(str(srv.server_address[1]))
        os.rename(a.port_file + ".tmp", a.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("setup")
    s.add_argument("root")
    s.add_argument("fixtures")
    s.add_argument("--instance-id", default="i-0123456789abcdef0")
    s.add_argument("--region", default="us-east-1")
    s.add_argument("--domain", default="amazonaws.com")
    s.add_argument("--chain", default="chain.pem")
    s.add_argument("--staple", action="append",
                   default=None, help="CERT=RESPONSE, e.g. signer=signer-good")
    p = sub.add_parser("push")
    p.add_argument("root")
    p.add_argument("user")
    p.add_argument("pubkey")
    p.add_argument("signkey")
    p.add_argument("--instance-id", default="i-0123456789abcdef0")
    p.add_argument("--expires-in", type=int, default=60)
    p.add_argument("--caller", default="arn:aws:iam::123456789012:user/alice")
    p.add_argument("--request", default=None)
    p.add_argument("--replace", action="store_true")
    p.add_argument("--count", type=int, default=1)
    v = sub.add_parser("serve")
    v.add_argument("root")
    v.add_argument("--host", default="127.0.0.1")
    v.add_argument("--port", type=int, default=0)
    v.add_argument("--port-file")
    a = ap.parse_args()
    if a.cmd == "setup":
        if a.staple is None:
            a.staple = ["signer=signer-good", "inter=inter-good"]
        cmd_setup(a)
    elif a.cmd == "push":
        cmd_push(a)
    else:
        cmd_serve(a)


if __name__ == "__main__":
    sys.exit(main())
