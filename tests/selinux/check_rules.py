#!/usr/bin/env python3
"""Inspects the compiled SELinux module (via its CIL) and fails if the
helper's domain may execute programs, write files, or use the network
beyond connecting to the IMDS HTTP port. Usage: check_rules.py MODULE.pp"""
import re
import subprocess
import sys

DOMAIN = "ec2_instance_connect_t"
FILE_CLASSES = {"file", "dir", "lnk_file", "chr_file", "blk_file", "fifo_file", "sock_file"}
WRITE_PERMS = {"write", "append", "create", "unlink", "rename", "setattr", "link",
               "add_name", "remove_name", "reparent", "rmdir", "relabelfrom", "relabelto"}
# The only writes that are not file writes: the pipe sshd reads our output
# from (and our own), and sending to the syslog socket.
WRITE_OK = {("fifo_file", "self"), ("fifo_file", "sshd_t"), ("sock_file", "devlog_t")}
# Mapping shared libraries needs execute; running a program is execute_no_trans
# or a transition, which nothing allows.
EXEC_OK = {"lib_t", "ld_so_t", "ec2_instance_connect_exec_t"}
NET_CLASSES = {"udp_socket", "rawip_socket", "packet_socket", "sctp_socket", "icmp_socket",
               "netlink_route_socket", "tun_socket", "node", "netif"}


def rules(pp):
    cil = subprocess.run(["/usr/libexec/selinux/hll/pp"], stdin=open(pp, "rb"),
                         capture_output=True, check=True).stdout.decode()
    out = []
    for m in re.finditer(r"^\s*\((allow|auditallow) (\S+) (\S+) \((\S+) \(([^)]*)\)\)\)", cil, re.M):
        out.append((m.group(2), m.group(3), m.group(4), set(m.group(5).split())))
    trans = re.findall(r"^\s*\(typetransition (\S+) (\S+) process (\S+)\)", cil, re.M)
    return out, trans


def problems(pp):
    rs, trans = rules(pp)
    bad = []
    mine = [r for r in rs if r[0] == DOMAIN]
    if not mine:
        bad.append("no rules for " + DOMAIN + " (wrong module?)")
    for src, tgt, cls, perms in mine:
        if "execute_no_trans" in perms or perms & {"execmod", "execmem", "execstack", "execheap"}:
            bad.append(f"runs code: {tgt}:{cls} {sorted(perms)}")
        if "execute" in perms and tgt not in EXEC_OK:
            bad.append(f"execute on {tgt}:{cls}")
        if cls == "process" and perms & {"transition", "dyntransition", "fork", "ptrace",
                                         "setexec", "setcurrent"}:
            bad.append(f"process {sorted(perms)} on {tgt}")
        if cls in FILE_CLASSES and perms & WRITE_PERMS and (cls, tgt) not in WRITE_OK:
            bad.append(f"writes {tgt}:{cls} {sorted(perms & WRITE_PERMS)}")
        if cls in ("tcp_socket", "udp_socket") and "name_connect" in perms and tgt != "http_port_t":
            bad.append(f"connects to {tgt}")
        if perms & {"name_bind", "node_bind", "listen", "accept"} and cls != "unix_dgram_socket" \
                and cls != "unix_stream_socket":
            bad.append(f"accepts connections: {tgt}:{cls} {sorted(perms)}")
        if cls in NET_CLASSES:
            bad.append(f"other network: {tgt}:{cls}")
    # sshd must be able to enter the domain, and nothing else may be entered.
    if ("sshd_t", "ec2_instance_connect_exec_t", DOMAIN) not in trans:
        bad.append("no transition from sshd_t through ec2_instance_connect_exec_t")
    for t in trans:
        if t[0] == DOMAIN:
            bad.append(f"transition out of the domain: {t}")
    return bad, len(mine)


def main():
    bad, n = problems(sys.argv[1])
    for b in bad:
        print("selinux: FAIL:", b)
    if not bad:
        print(f"selinux: ok: {n} rules for {DOMAIN}: no exec, no file writes, "
              f"network only to http_port_t, entered from sshd_t")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
