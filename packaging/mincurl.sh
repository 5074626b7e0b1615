#!/bin/sh
# Builds a static libcurl that speaks plain HTTP and nothing else, from the
# distribution's own curl source package (its security patches applied), into
# OUT/{include,lib}. libcurl as packaged pulls in some 30 shared libraries
# (TLS, Kerberos, LDAP, SSH, RTMP...) that an http://169.254.169.254 client
# never uses; loading them is most of the helper's start-up time.
# Usage: mincurl.sh OUT   Exit 0 with OUT/lib/libcurl.a, or non-zero: the
# build then uses the system libcurl.
set -eu
[ -f "$1/lib/libcurl.a" ] && exit 0
mkdir -p "$1"
out=$(cd "$1" && pwd)
src=$out-src
rm -rf "$src" "$out"
mkdir -p "$src"
log=$src/build.log
cd "$src"

fetch() { apt-get source --download-only curl >> "$log" 2>&1; }
if ! fetch; then
	# No deb-src configured: derive it from the deb sources, as root.
	[ "$(id -u)" = 0 ] || { echo "mincurl: no curl source (need deb-src)" >&2; exit 1; }
	for f in /etc/apt/sources.list.d/*.sources; do
		case $f in */zz-eic-src-*) continue ;; esac
		[ -f "$f" ] && grep -Eq '^Types:(.*[[:space:]])?deb([[:space:]]|$)' "$f" || continue
		sed 's/^Types:.*/Types: deb-src/' "$f" > "/etc/apt/sources.list.d/zz-eic-src-$(basename "$f")"
	done
	if [ -f /etc/apt/sources.list ] && grep -q '^deb ' /etc/apt/sources.list; then
		sed -n 's/^deb /deb-src /p' /etc/apt/sources.list > /etc/apt/sources.list.d/zz-eic-src.list
	fi
	apt-get update -qq >> "$log" 2>&1 || :
	fetch || { echo "mincurl: cannot fetch the curl source package" >&2; exit 1; }
fi
dpkg-source -x --no-check curl_*.dsc curl >> "$log" 2>&1 ||
    { echo "mincurl: dpkg-source failed" >&2; exit 1; }
cd curl
./configure --disable-shared --enable-static --with-pic --enable-ipv6 \
    --without-ssl --without-zlib --without-brotli --without-zstd --without-libidn2 \
    --without-nghttp2 --without-librtmp --without-libssh2 --without-libpsl \
    --without-gssapi --without-libgsasl --disable-ldap --disable-ldaps \
    --disable-ftp --disable-file --disable-rtsp --disable-dict --disable-telnet \
    --disable-tftp --disable-pop3 --disable-imap --disable-smb --disable-smtp \
    --disable-gopher --disable-mqtt --disable-proxy --disable-cookies \
    --disable-netrc --disable-alt-svc --disable-hsts --disable-doh \
    --disable-unix-sockets --disable-manual --disable-ntlm-wb --disable-crypto-auth \
    --disable-tls-srp --disable-aws --disable-mime --disable-progress-meter \
    --disable-threaded-resolver --disable-verbose --disable-dateparse \
    >> "$log" 2>&1 || { tail -20 "$log" >&2; echo "mincurl: configure failed" >&2; exit 1; }
make -C lib -j"$(nproc 2>/dev/null || echo 2)" >> "$log" 2>&1 ||
    { tail -20 "$log" >&2; echo "mincurl: make failed" >&2; exit 1; }
mkdir -p "$out/lib" "$out/include/curl"
cp lib/.libs/libcurl.a "$out/lib/"
cp include/curl/*.h "$out/include/curl/"
echo "mincurl: built $(grep -m1 'LIBCURL_VERSION ' include/curl/curlver.h | cut -d'"' -f2) (plain HTTP, static) in $out"
