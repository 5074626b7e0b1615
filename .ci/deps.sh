#!/bin/sh
# Installs what building and testing need on Debian/Ubuntu (run as root).
# Only packages that are missing are installed; nothing happens otherwise.
set -eu

pkgs="make gcc libc6-dev pkg-config libcurl4-openssl-dev libssl-dev libyaml-dev
check openssl openssh-server openssh-client python3 clang libclang-rt-dev
strace valgrind procps iproute2 ca-certificates dpkg-dev"
# `deps.sh packaging` adds what building and checking packages needs.
if [ "${1:-}" = packaging ]; then
	pkgs="$pkgs debhelper dpkg-dev fakeroot lintian rpm rpmlint ruby debootstrap
selinux-policy-dev checkpolicy semodule-utils policycoreutils"
fi

missing=""
for p in $pkgs; do
	# libclang-rt-dev is versioned on Debian 12 (libclang-rt-14-dev)
	case $p in
	libclang-rt-dev)
		ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a \
		    >/dev/null 2>&1 || missing="$missing libclang-rt-14-dev"
		continue ;;
	esac
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
