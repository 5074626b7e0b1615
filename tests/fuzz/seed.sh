#!/bin/sh
# Adds seeds made from the generated fixtures (never committed) to a
# scratch corpus. Usage: seed.sh TARGET FIXTURES DIR
set -eu
t=$1 fx=$2 dir=$3
case $t in
keyblob)
	i=0
	for k in "$fx"/keys/*.pub; do
		i=$((i + 1))
		printf '#Timestamp=1750000030\n#Instance=i-0123456789abcdef0\n#Caller=arn:aws:iam::1:user/a\n#Request=r\n%s\nQUJDRA==\n' \
		    "$(cat "$k")" > "$dir/fx-$i"
	done ;;
sshkey)
	for k in "$fx"/keys/*.pub; do cp "$k" "$dir/fx-$(basename "$k")"; done
	for k in "$fx"/keys/*.sha256 "$fx"/keys/*.md5; do cp "$k" "$dir/fx-$(basename "$k")"; done ;;
signer)
	{ cat "$fx/chain.pem"; printf '\n=STAPLE=\n'; base64 -w0 "$fx/ocsp/signer-good.der"
	  printf '\n=STAPLE=\n'; base64 -w0 "$fx/ocsp/inter-good.der"; } > "$dir/fx-chain"
	{ cat "$fx/ca/signer.pem"; printf '\n=STAPLE=\n'; base64 -w0 "$fx/ocsp/signer-delegated.der"; } > "$dir/fx-delegated" ;;
config)
	cp conf/config.yaml "$dir/fx-shipped" ;;
esac
