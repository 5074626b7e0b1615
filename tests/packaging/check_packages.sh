#!/bin/sh
# Checks what the built .deb and .rpm contain: paths, owners, modes. sshd
# refuses a helper that is not root-owned or whose directories are writable
# by group or others, so each package must get that right by itself.
# Usage: check_packages.sh BUILD
set -eu
build=$1
fail=0
no() { echo "check_packages: FAIL: $*"; fail=1; }
ok() { echo "check_packages: ok: $*"; }

deb=$(ls "$build"/deb/ec2-instance-connect_*_*.deb | grep -v dbgsym)
rpm=$(find "$build/rpm/RPMS" -name 'ec2-instance-connect-[0-9]*.rpm')

# "mode owner/group path" for every entry, from each package format.
dpkg-deb -c "$deb" | awk '{ sub(/^\./, "", $6); if ($6 != "/") sub(/\/$/, "", $6); print $1, $2, $6 ($7 == "->" ? " -> " $8 : "") }' > "$build/deb.list"
rpm -qlvp "$rpm" 2>/dev/null | awk '{ print $1, $3 "/" $4, $9 ($10 == "->" ? " -> " $11 : "") }' > "$build/rpm.list"

check() { # LIST FORMAT HELPER
	list=$1 fmt=$2 helper=$3
	line=$(grep " $helper\( ->.*\)\{0,1\}$" "$list" || true)
	[ -n "$line" ] || { no "$fmt: no $helper"; return; }
	case $line in
	l*)	# a link: follow it inside the package
		target=$(echo "$line" | sed 's/.* -> //')
		case $target in /*) ;; *) target=$(dirname "$helper")/$target ;; esac
		target=$(echo "$target" | awk -F/ '{ n = 0; for (i = 2; i <= NF; i++) { if ($i == "..") n--; else if ($i != ".") p[++n] = $i } s = ""; for (i = 1; i <= n; i++) s = s "/" p[i]; print s }')
		ok "$fmt: $helper -> $target"
		helper=$target
		line=$(grep " $helper$" "$list" || true) ;;
	esac
	set -- $line
	[ "$1" = "-rwxr-xr-x" ] && ok "$fmt: $helper mode 0755" || no "$fmt: $helper mode $1"
	[ "$2" = "root/root" ] && ok "$fmt: $helper owner root:root" || no "$fmt: $helper owner $2"
	# every directory the package ships on the way must be root's, 0755-ish
	d=$(dirname "$helper")
	while [ "$d" != / ]; do
		dl=$(grep " $d$" "$list" || true)
		if [ -n "$dl" ]; then
			set -- $dl
			case $1 in
			d????-??-?) [ "$2" = root/root ] && ok "$fmt: $d $1 root" || no "$fmt: $d owner $2" ;;
			*) no "$fmt: $d is $1 (group/world-writable or not a dir)" ;;
			esac
		fi
		d=$(dirname "$d")
	done
	# nothing in the package is group/world-writable
	if awk '$1 !~ /^l/ && (substr($1, 6, 1) == "w" || substr($1, 9, 1) == "w")' "$list" | grep -q .; then
		no "$fmt: group/world-writable entries"
	else
		ok "$fmt: no group/world-writable entries"
	fi
	for f in /etc/ec2-instance-connect/config.yaml /usr/share/man/man8/eic_run_authorized_keys.8 \
	    /usr/share/ec2-instance-connect/ec2-instance-connect-setup \
	    /usr/share/ec2-instance-connect/60-ec2-instance-connect.conf \
	    /usr/lib/sysusers.d/ec2-instance-connect.conf; do
		grep -q " $f\(\.gz\)\{0,1\}$" "$list" && ok "$fmt: ships $f" || no "$fmt: missing $f"
	done
}

check "$build/deb.list" deb /usr/share/ec2-instance-connect/eic_run_authorized_keys
check "$build/rpm.list" rpm /opt/aws/bin/eic_run_authorized_keys
dpkg-deb -f "$deb" Depends | grep -q openssh-server && ok "deb: Depends openssh-server" || no "deb: Depends"
dpkg-deb -f "$deb" Depends | grep -q ca-certificates && ok "deb: Depends ca-certificates" || no "deb: Depends"
dpkg-deb -f "$deb" Depends | grep -q 'libcurl4' && ok "deb: Depends from shlibs" || no "deb: no shlibs Depends"
# Distribution builds link the system's libraries, so its security updates
# reach the helper (make's own build may link libcrypto statically).
for l in libssl3 libyaml; do
	dpkg-deb -f "$deb" Depends | grep -q "$l" && ok "deb: Depends $l (shared)" || no "deb: no $l Depends"
done
rpm -qpR "$rpm" 2>/dev/null | grep -q '^libcrypto.so.3' && ok "rpm: Requires libcrypto.so.3 (shared)" ||
    no "rpm: libcrypto not shared"
rpm -qpR "$rpm" 2>/dev/null | grep -q '^openssh-server' && ok "rpm: Requires openssh-server" || no "rpm: Requires"
rpm -qp --scripts "$rpm" 2>/dev/null | grep -q 'ec2-instance-connect-setup install' && ok "rpm: %post runs setup" || no "rpm: %post"
sel=$(find "$build/rpm/RPMS" -name 'ec2-instance-connect-selinux-*.noarch.rpm')
[ -n "$sel" ] && ok "rpm: selinux subpackage is noarch" || no "rpm: no noarch selinux subpackage"
rpm -qlp "$sel" 2>/dev/null | grep -q '^/usr/share/selinux/packages/ec2_instance_connect.pp$' &&
    ok "rpm-selinux: ships the module" || no "rpm-selinux: no .pp"
rpm -qp --scripts "$sel" 2>/dev/null | grep -q 'semodule -i' && ok "rpm-selinux: %post semodule -i" || no "rpm-selinux: %post"
rpm -qp --scripts "$sel" 2>/dev/null | grep -q 'restorecon -F /opt/aws/bin/eic_run_authorized_keys' &&
    ok "rpm-selinux: relabels the helper" || no "rpm-selinux: restorecon"
rpm -qp --scripts "$sel" 2>/dev/null | grep -q 'semodule -r ec2_instance_connect' &&
    ok "rpm-selinux: %postun semodule -r" || no "rpm-selinux: %postun"
exit $fail
