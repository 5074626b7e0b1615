#!/bin/sh
# Builds the SELinux module, checks its rules, and checks that the rule
# check rejects policies that grant what ours must not.
# Usage: run.sh BUILD
set -eu
build=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
check=$top/tests/selinux/check_rules.py
python3 "$check" "$build/selinux/ec2_instance_connect.pp"

mutant() { # NAME RULE...
	name=$1
	shift
	d=$build/selinux-mutant-$name
	rm -rf "$d"
	mkdir -p "$d"
	cp "$top"/selinux/ec2_instance_connect.fc "$top"/selinux/ec2_instance_connect.if "$d/"
	{ cat "$top/selinux/ec2_instance_connect.te"; printf '%s\n' "$@"; } > "$d/ec2_instance_connect.te"
	make -s -C "$d" -f /usr/share/selinux/devel/Makefile ec2_instance_connect.pp > "$d/build.log" 2>&1 ||
	    { cat "$d/build.log"; echo "selinux: FAIL: mutant $name did not build"; exit 1; }
	if python3 "$check" "$d/ec2_instance_connect.pp" > "$d/check.log"; then
		echo "selinux: FAIL: the rule check accepted a policy that $name"
		exit 1
	fi
	echo "selinux: ok: rejects a policy that $name ($(grep -m1 FAIL "$d/check.log" | sed 's/selinux: FAIL: //'))"
	rm -rf "$d"
}
mutant "runs a shell" 'corecmd_exec_shell(ec2_instance_connect_t)'
mutant "writes /tmp" 'files_manage_generic_tmp_files(ec2_instance_connect_t)'
mutant "connects to any port" 'corenet_tcp_connect_all_ports(ec2_instance_connect_t)'
mutant "uses UDP" 'allow ec2_instance_connect_t self:udp_socket create_socket_perms;'
mutant "writes the console" 'term_write_console(ec2_instance_connect_t)'
