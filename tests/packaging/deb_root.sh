#!/bin/sh
# Installs the built .deb into a throwaway Debian root made by debootstrap,
# with the real openssh-server, and checks install, removal and purge.
# Usage: deb_root.sh BUILD   (root; network to the Debian archive)
set -eu
build=$(cd "$1" && pwd)
root=$build/debroot
cache=$build/debroot-base.tar
mirror=${DEB_MIRROR:-http://deb.debian.org/debian}
suite=${DEB_SUITE:-bookworm}
deb=$(ls "$build"/deb/ec2-instance-connect_*_*.deb | grep -v dbgsym)
fail=0
no() { echo "deb_root: FAIL: $*"; fail=1; }
ok() { echo "deb_root: ok: $*"; }
in_root() { chroot "$root" "$@"; }
digest() { (cd "$root/etc/ssh" && find . -type f ! -name 'ssh_host_*' | sort | xargs sha256sum) | sha256sum; }
akc() { in_root /usr/sbin/sshd -T -C user=root,host=localhost,addr=127.0.0.1 2>/dev/null | awk -v k="$1" 'tolower($1) == k { $1 = ""; sub(/^ /, ""); print }'; }

cleanup() {
	umount "$root/proc" 2>/dev/null || :
}
trap cleanup EXIT INT TERM

if [ ! -f "$cache" ]; then
	echo "deb_root: debootstrap $suite (once per build directory)"
	rm -rf "$root"
	debootstrap --variant=minbase "$suite" "$root" "$mirror" > "$build/debootstrap.log" 2>&1 ||
	    { tail -20 "$build/debootstrap.log"; exit 1; }
	# No service may start inside the throwaway root.
	printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
	chmod 0755 "$root/usr/sbin/policy-rc.d"
	cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || :
	in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    openssh-server libcurl4 libyaml-0-2 ca-certificates > "$build/debroot-apt.log" 2>&1 ||
	    { tail -20 "$build/debroot-apt.log"; exit 1; }
	tar -C "$root" -cf "$cache" .
fi
rm -rf "$root"
mkdir -p "$root"
tar -C "$root" -xf "$cache"
mount -t proc proc "$root/proc"
cp "$deb" "$root/tmp/eic.deb"
[ -x "$root/usr/sbin/sshd" ] && ok "debootstrap root with $(in_root /usr/sbin/sshd -V 2>&1 | head -n 1)"

echo "--- fresh install"
before=$(digest)
out=$(in_root dpkg -i /tmp/eic.deb 2>&1) || { echo "$out"; no "dpkg -i failed"; }
echo "$out" | grep "ec2-instance-connect:" || :
pw=$(in_root getent passwd ec2-instance-connect || true)
[ -n "$pw" ] && ok "user created: $pw" || no "user not created"
case $pw in *:/nonexistent:/usr/sbin/nologin) ok "no home, no login shell" ;; *) no "user home/shell: $pw" ;; esac
in_root passwd -S ec2-instance-connect | grep -q ' L ' && ok "password locked" || no "password not locked"
[ -f "$root/etc/ssh/sshd_config.d/60-ec2-instance-connect.conf" ] && ok "drop-in installed" || no "no drop-in"
[ "$(akc authorizedkeyscommand)" = "/usr/share/ec2-instance-connect/eic_run_authorized_keys %u %f" ] &&
    ok "sshd -T: authorizedkeyscommand $(akc authorizedkeyscommand)" || no "sshd -T: '$(akc authorizedkeyscommand)'"
[ "$(akc authorizedkeyscommanduser)" = "ec2-instance-connect" ] &&
    ok "sshd -T: authorizedkeyscommanduser ec2-instance-connect" || no "sshd -T user: '$(akc authorizedkeyscommanduser)'"
in_root /usr/sbin/sshd -t && ok "sshd -t passes"
# The helper runs there, as its user, with built-in defaults: not EC2, no keys, exit 0.
set +e
hout=$(in_root setpriv --reuid=ec2-instance-connect --regid=ec2-instance-connect --clear-groups \
    /usr/share/ec2-instance-connect/eic_run_authorized_keys root SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA)
hrc=$?
set -e
[ "$hrc" = 0 ] && [ -z "$hout" ] && ok "helper runs as ec2-instance-connect: exit 0, no keys" ||
    no "helper exit $hrc output '$hout'"

echo "--- remove, then purge"
in_root dpkg -r ec2-instance-connect > /dev/null 2>&1 || no "dpkg -r failed"
[ ! -e "$root/etc/ssh/sshd_config.d/60-ec2-instance-connect.conf" ] && ok "remove: drop-in gone" || no "remove: drop-in left"
[ "$(digest)" = "$before" ] && ok "remove: /etc/ssh as before install" || no "remove: /etc/ssh changed"
[ "$(akc authorizedkeyscommand)" = none ] && ok "remove: sshd -T authorizedkeyscommand none" || no "remove: sshd -T"
in_root getent passwd ec2-instance-connect > /dev/null && ok "remove: user kept until purge" || no "remove: user gone"
in_root dpkg -P ec2-instance-connect > /dev/null 2>&1 || no "dpkg -P failed"
in_root getent passwd ec2-instance-connect > /dev/null && no "purge: user left" || ok "purge: user removed"
[ ! -e "$root/etc/ec2-instance-connect" ] && ok "purge: config removed" || no "purge: /etc/ec2-instance-connect left"

echo "--- an AuthorizedKeysCommand already configured"
printf 'AuthorizedKeysCommand /usr/local/bin/corp-keys %%u\nAuthorizedKeysCommandUser nobody\n' \
    > "$root/etc/ssh/sshd_config.d/50-corp.conf"
before=$(digest)
out=$(in_root dpkg -i /tmp/eic.deb 2>&1) || no "dpkg -i failed"
echo "$out" | grep "ec2-instance-connect:" || :
echo "$out" | grep -q "already configured" && ok "install says it leaves sshd alone" || no "no message"
echo "$out" | grep -q "set at /etc/ssh/sshd_config.d/50-corp.conf:1:" && ok "and where it is set" || { echo "$out"; no "no location"; }
[ "$(digest)" = "$before" ] && ok "/etc/ssh untouched" || no "/etc/ssh changed"
[ "$(akc authorizedkeyscommand)" = "/usr/local/bin/corp-keys %u" ] && ok "sshd -T still corp-keys" || no "sshd -T changed"
in_root dpkg -P ec2-instance-connect > /dev/null 2>&1
[ "$(digest)" = "$before" ] && ok "purge leaves the other command alone" || no "purge touched /etc/ssh"
rm -f "$root/etc/ssh/sshd_config.d/50-corp.conf"

echo "--- an sshd_config without Include: the systemd fallback"
cp "$root/etc/ssh/sshd_config" "$root/tmp/sshd_config.orig"
sed -i '/^Include /d' "$root/etc/ssh/sshd_config"
out=$(in_root dpkg -i /tmp/eic.deb 2>&1) || no "dpkg -i failed"
echo "$out" | grep "ec2-instance-connect:" || :
unit=$root/etc/systemd/system/ssh.service.d/ec2-instance-connect.conf
if [ -f "$unit" ]; then
	ok "systemd drop-in written"
	grep -q '^ExecStart=/usr/sbin/sshd -D $SSHD_OPTS -o "AuthorizedKeysCommand /usr/share/ec2-instance-connect/eic_run_authorized_keys %%u %%f" -o "AuthorizedKeysCommandUser ec2-instance-connect"$' "$unit" &&
	    ok "ExecStart keeps the unit's own and adds our -o options" || { cat "$unit"; no "ExecStart"; }
else
	no "no systemd drop-in"
fi
in_root dpkg -P ec2-instance-connect > /dev/null 2>&1
[ ! -e "$unit" ] && ok "purge removes the systemd drop-in" || no "systemd drop-in left"
cp "$root/tmp/sshd_config.orig" "$root/etc/ssh/sshd_config"

cleanup
rm -rf "$root"
[ "$fail" = 0 ] && echo "deb_root: all checks passed" || echo "deb_root: FAILED"
exit $fail
