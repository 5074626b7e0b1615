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
import asyncio
import base64
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import uuid

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


class Imds:
    """IMDSv2 over HTTP/1.1 on one asyncio loop: keep-alive connections,
    many clients at once, no thread per connection (the helper's own cost,
    not the simulator's, is what make bench measures)."""

    def __init__(self, root):
        self.root = root
        self.tokens = {}
        self.seq = {}
        self.faults_mtime = None
        self.faults_cache = {}

    def faults(self):
        """The fault settings, read again only when the file changes."""
        p = os.path.join(self.root, "_faults.json")
        try:
            m = os.stat(p).st_mtime_ns
        except OSError:
            return {}
        if self.faults_mtime != m:
            try:
                with open(p) as f:
                    self.faults_cache = json.load(f)
            except (OSError, ValueError):
                self.faults_cache = {}
            self.faults_mtime = m
        return self.faults_cache

    def record(self, req, status, t1=None):
        # "<ms> METHOD PATH STATUS <arrived us> <answered us>"; opened per
        # line because tests delete the log between cases.
        t0 = req["t"]
        t1 = t1 if t1 is not None else time.time()
        line = (f"{int(t0 * 1000)} {req['method']} {req['path']} {status} "
                f"{int(t0 * 1e6)} {int(t1 * 1e6)}\n")
        fd = os.open(os.path.join(self.root, "_requests.log"),
                     os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)

    def has(self, req, key):
        return any(s in req["path"] for s in self.faults().get(key, []))

    def answer(self, req):
        """(status, body, extra headers) or a fault word: "drop", "blackhole"."""
        f = self.faults()
        if f.get("blackhole"):
            return "blackhole"
        if self.has(req, "drop"):
            return "drop"
        h, path = req["headers"], req["path"]
        if req["method"] == "PUT":
            if path != "/latest/api/token":
                return (404 if path.startswith("/latest") else 403), b"", {}
            if f.get("token_status"):
                return f["token_status"], b"", {}
            ttl = h.get("x-aws-ec2-metadata-token-ttl-seconds", "")
            if not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
                return 400, b"", {}
            if h.get("x-forwarded-for"):
                return 403, b"", {}
            tok = base64.b64encode(secrets.token_bytes(42)).decode()
            self.tokens[tok] = time.time() + int(ttl)
            return 200, tok.encode(), {"X-aws-ec2-metadata-token-ttl-seconds": ttl}
        if req["method"] != "GET":
            return 405, b"", {}
        exp = self.tokens.get(h.get("x-aws-ec2-metadata-token", ""))
        if exp is None or exp < time.time():
            return 401, b"", {}  # IMDSv2 only: no token, no data
        for sub, codes in f.get("status_seq", {}).items():
            if sub in path:
                key = (sub, json.dumps(codes))
                i = self.seq.get(key, 0)
                self.seq[key] = i + 1
                if i < len(codes):
                    return codes[i], b"", {}
        for sub, code in f.get("status", {}).items():
            if sub in path:
                return code, b"", {}
        if self.has(req, "redirect"):
            return 302, b"", {"Location": "http://127.0.0.1:1/evil"}
        rel = path.split("?")[0].lstrip("/").rstrip("/")
        if ".." in rel.split("/") or not rel.startswith("latest/"):
            return 404, b"", {}
        p = os.path.join(self.root, rel)
        if os.path.isdir(p):
            body = "\n".join(sorted(os.listdir(p))).encode()
        elif os.path.isfile(p):
            with open(p, "rb") as fh:
                body = fh.read()
        else:
            return 404, b"", {}
        if self.has(req, "oversize"):
            body = body + b"A" * (8 * 1024 * 1024)
        if self.has(req, "garbage"):
            body = os.urandom(max(len(body), 16))
        return 200, body, {}

    async def read_request(self, reader):
        """One request, or None when the client is gone or talks nonsense."""
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            return None
        t = time.time()
        lines = head[:-4].decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            return None
        headers = {}
        for line in lines[1:]:
            k, sep, v = line.partition(":")
            if not sep:
                return None
            headers[k.strip().lower()] = v.strip()
        n = headers.get("content-length", "0")
        if not n.isdigit():
            return None
        if int(n):
            try:
                await reader.readexactly(int(n))
            except (asyncio.IncompleteReadError, ConnectionError):
                return None
        keep = (parts[2] == "HTTP/1.1"
                and headers.get("connection", "").lower() != "close")
        return {"t": t, "method": parts[0], "path": parts[1], "headers": headers,
                "keep": keep}

    async def serve_conn(self, reader, writer):
        sock = writer.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            # Like a real server: no Nagle delay between headers and body.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while True:
                req = await self.read_request(reader)
                if req is None:
                    break
                a = self.answer(req)
                if a == "blackhole":
                    self.record(req, "blackhole")
                    await asyncio.sleep(30)
                    break
                if a == "drop":
                    self.record(req, "drop")
                    break
                status, body, extra = a
                delay = self.faults().get("delay_ms")
                if delay:
                    await asyncio.sleep(delay / 1000.0)
                head = [f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}",
                        "Server: EC2ws", "Content-Type: text/plain",
                        f"Content-Length: {len(body)}"]
                head += [f"{k}: {v}" for k, v in extra.items()]
                if not req["keep"]:
                    head.append("Connection: close")
                data = ("\r\n".join(head) + "\r\n\r\n").encode()
                truncate = self.has(req, "truncate") and len(body) > 4
                # Logged before any of the reply leaves, so that whoever got
                # the reply also finds it logged.
                self.record(req, status)
                if truncate:
                    # Promise the whole body, send half, close.
                    writer.write(data + body[: len(body) // 2])
                    await writer.drain()
                    break
                writer.write(data + body)
                await writer.drain()
                if not req["keep"]:
                    break
        except ConnectionError:
            pass  # clients hang up on purpose (size caps, deadlines)
        finally:
            writer.close()


REASONS = {200: "OK", 302: "Found", 400: "Bad Request", 401: "Unauthorized",
           403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
           429: "Too Many Requests", 500: "Internal Server Error",
           502: "Bad Gateway", 503: "Service Unavailable"}


def cmd_serve(a):
    imds = Imds(a.root)

    async def run():
        # backlog: bursts of concurrent helpers must not overflow.
        srv = await asyncio.start_server(imds.serve_conn, a.host, a.port,
                                         backlog=256, reuse_address=True)
        port = srv.sockets[0].getsockname()[1]
        if a.port_file:
            with open(a.port_file + ".tmp", "w") as f:
                f.write(str(port))
            os.rename(a.port_file + ".tmp", a.port_file)
        async with srv:
            await srv.serve_forever()

    try:
        asyncio.run(run())
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
