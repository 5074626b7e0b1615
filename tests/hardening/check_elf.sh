#!/bin/sh
# Checks that the built helper carries the hardening flags we ask for:
# PIE, full RELRO (GNU_RELRO + BIND_NOW), non-executable stack, stack
# protector and _FORTIFY_SOURCE checked functions. Usage: check_elf.sh BINARY
set -eu
bin=$1
fail=0
ok() { echo "hardening: ok: $*"; }
no() { echo "hardening: FAIL: $*"; fail=1; }

readelf -h "$bin" | grep -q 'Type:[[:space:]]*DYN' && ok "PIE (ELF type DYN)" || no "not PIE"
readelf -l "$bin" | grep -q 'GNU_RELRO' && ok "RELRO segment" || no "no GNU_RELRO"
readelf -d "$bin" | grep -Eq 'BIND_NOW|FLAGS.*NOW' && ok "BIND_NOW (full RELRO)" || no "no BIND_NOW"
if readelf -lW "$bin" | awk '$1 == "GNU_STACK" { print $(NF-1) }' | grep -q E; then
	no "executable stack"
else
	readelf -lW "$bin" | grep -q GNU_STACK && ok "non-executable stack" || no "no GNU_STACK header"
fi
syms=$(readelf --dyn-syms -W "$bin")
echo "$syms" | grep -q '__stack_chk_fail' && ok "stack protector (__stack_chk_fail)" || no "no stack protector"
n=$(echo "$syms" | grep -c '__[a-z_]*_chk@' || true)
[ "$n" -gt 0 ] && ok "FORTIFY_SOURCE ($n checked functions)" || no "no _chk functions (FORTIFY_SOURCE)"
readelf -d "$bin" | grep -q 'TEXTREL' && no "text relocations" || ok "no text relocations"
exit $fail
