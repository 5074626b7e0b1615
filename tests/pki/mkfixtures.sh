#!/bin/sh
# Builds the test PKI, OCSP staples and SSH keys with OpenSSL and ssh-keygen.
# Usage: mkfixtures.sh OUTDIR [REGION] [DOMAIN]
# Everything here is generated at test time and never committed.
set -eu

out=$1
region=${2:-us-east-1}
domain=${3:-amazonaws.com}
cn="managed-ssh-signer.$region.$domain"

rm -rf "$out"
mkdir -p "$out/ca" "$out/ocsp" "$out/keys" "$out/store" "$out/tmp"
cd "$out"

q() { "$@" >/dev/null 2>&1 || { echo "mkfixtures: failed: $*" >&2; "$@"; exit 1; }; }

cat > tmp/ca.ext <<X
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid:always
X
cat > tmp/root.ext <<X
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
X
cat > tmp/leaf.ext <<X
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid:always
X
cat > tmp/responder.ext <<X
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=OCSPSigning
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid:always
X
# A CA certificate without keyUsage: RFC 5280 requires it, X509_STRICT checks it.
cat > tmp/ca-noku.ext <<X
basicConstraints=critical,CA:TRUE
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid:always
X
cat > tmp/serverauth.ext <<X
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid:always
X

key() { q openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:${2:-2048} -out "ca/$1.key"; }

# selfsigned NAME SUBJECT
selfsigned() {
	key "$1"
	q openssl req -new -x509 -key "ca/$1.key" -subj "$2" -days 3650 \
	    -sha256 -out "ca/$1.pem" \
	    -addext "basicConstraints=critical,CA:TRUE" \
	    -addext "keyUsage=critical,keyCertSign,cRLSign"
}

serial=4096
# issue NAME SUBJECT ISSUER EXTFILE DAYS [KEYNAME]
issue() {
	k=${6:-$1}
	[ -f "ca/$k.key" ] || key "$k"
	serial=$((serial + 1))
	q openssl req -new -key "ca/$k.key" -subj "$2" -out "tmp/$1.csr"
	q openssl x509 -req -in "tmp/$1.csr" -CA "ca/$3.pem" -CAkey "ca/$3.key" \
	    -set_serial "$serial" -days "$5" -sha256 -extfile "tmp/$4" \
	    -out "ca/$1.pem"
}

selfsigned root "/O=EIC Test/CN=EIC Test Root CA"
issue inter "/O=EIC Test/CN=EIC Test Intermediate CA" root ca.ext 1825
issue signer "/O=EIC Test/CN=$cn" inter leaf.ext 365
issue wrongcn "/O=EIC Test/CN=managed-ssh-signer.eu-west-1.$domain" inter leaf.ext 365
issue shortlived "/O=EIC Test/CN=$cn" inter leaf.ext 1
issue responder "/O=EIC Test/CN=EIC Test OCSP Responder" inter responder.ext 365
issue noeku "/O=EIC Test/CN=EIC Test Not A Responder" inter leaf.ext 365
issue wrongeku "/O=EIC Test/CN=EIC Test TLS Server" inter serverauth.ext 365
issue internoku "/O=EIC Test/CN=EIC Test Lax Intermediate" root ca-noku.ext 1825
issue signerlax "/O=EIC Test/CN=$cn" internoku leaf.ext 365
# The intermediate's key under another name: what it certifies is not
# issued by the intermediate, though the signatures verify with its key.
issue intertwin "/O=EIC Test/CN=EIC Test Intermediate Twin" root ca.ext 1825 inter
ln -s inter.key ca/intertwin.key
issue twinresponder "/O=EIC Test/CN=EIC Test Twin Responder" intertwin responder.ext 365
selfsigned unrelated "/O=Evil/CN=Unrelated Signer"
# An untrusted hierarchy with the very same names.
selfsigned otherroot "/O=EIC Test/CN=EIC Test Root CA"
issue otherinter "/O=EIC Test/CN=EIC Test Intermediate CA" otherroot ca.ext 1825
issue othersigner "/O=EIC Test/CN=$cn" otherinter leaf.ext 365
# A cross-signed copy of the root (same subject and key, issued by an old root).
selfsigned oldroot "/O=EIC Test/CN=EIC Test Old Root CA"
issue crossroot "/O=EIC Test/CN=EIC Test Root CA" oldroot ca.ext 1825 root

cat ca/signer.pem ca/inter.pem > chain.pem
cat ca/wrongcn.pem ca/inter.pem > chain-wrongcn.pem
cat ca/shortlived.pem ca/inter.pem > chain-shortlived.pem
cat ca/othersigner.pem ca/otherinter.pem > chain-untrusted.pem
cat ca/signer.pem ca/inter.pem ca/crossroot.pem > chain-cross.pem
cat ca/signerlax.pem ca/internoku.pem > chain-lax.pem
cp ca/signer.key signer.key

# Trust store: a hashed directory and a bundle file, holding only the root.
cp ca/root.pem store/eic-test-root.pem
q openssl rehash store
cp ca/root.pem store.pem

# OCSP index: everything valid except what the revoked variant revokes.
idx_line() { # STATUS CERT [REVDATE]
	s=$(openssl x509 -in "ca/$2.pem" -noout -serial | cut -d= -f2)
	subj=$(openssl x509 -in "ca/$2.pem" -noout -subject -nameopt compat | sed 's/^subject=//')
	printf '%s\t%s\t%s\t%s\tunknown\t%s\n' "$1" 351231235959Z "${3:-}" "$s" "$subj"
}
: > tmp/index.txt
for c in signer inter wrongcn shortlived crossroot; do idx_line V $c >> tmp/index.txt; done
: > tmp/index-revoked.txt
idx_line R signer 240101000000Z >> tmp/index-revoked.txt
idx_line V inter >> tmp/index-revoked.txt

# ocsp OUT CERT ISSUER RSIGNER INDEX [extra args]
ocsp() {
	o=$1 c=$2 i=$3 rs=$4 ix=$5
	shift 5
	q openssl ocsp -issuer "ca/$i.pem" -cert "ca/$c.pem" -no_nonce \
	    -reqout "tmp/$o.req"
	echo "unique_subject = no" > "tmp/$ix.attr"
	q openssl ocsp -index "tmp/$ix" -rsigner "ca/$rs.pem" -rkey "ca/$rs.key" \
	    -CA "ca/$i.pem" -reqin "tmp/$o.req" -respout "ocsp/$o.der" "$@"
}
ocsp signer-good signer inter inter index.txt -ndays 7
ocsp inter-good inter root root index.txt -ndays 7
ocsp wrongcn-good wrongcn inter inter index.txt -ndays 7
ocsp shortlived-good shortlived inter inter index.txt -ndays 7
ocsp signer-revoked signer inter inter index-revoked.txt -ndays 7
: > tmp/index-empty.txt
ocsp signer-unknown signer inter inter index-empty.txt -ndays 7
ocsp signer-nonext signer inter inter index.txt
ocsp signer-delegated signer inter responder index.txt -ndays 7
ocsp signer-delegated-bykey signer inter responder index.txt -ndays 7 -resp_key_id
ocsp signer-noeku signer inter noeku index.txt -ndays 7
ocsp signer-wrongeku signer inter wrongeku index.txt -ndays 7
ocsp signer-twinresponder signer inter twinresponder index.txt -ndays 7
ocsp signer-unrelated signer inter unrelated index.txt -ndays 7
ocsp signer-for-inter inter root root index.txt -ndays 7
# An OCSP "tryLater" error response (no basic response at all).
printf '\060\003\012\001\003' > ocsp/trylater.der

# Staple names: upper-case hex SHA-1 of each chain certificate's DER.
for c in signer inter wrongcn shortlived crossroot othersigner otherinter; do
	openssl x509 -in "ca/$c.pem" -noout -fingerprint -sha1 |
	    sed 's/^.*=//; s/://g' > "ca/$c.sha1"
done

# SSH keys of every supported type.
for spec in rsa2048:rsa:2048 rsa4096:rsa:4096 ed25519:ed25519:0 \
    ecdsa256:ecdsa:256 ecdsa384:ecdsa:384 ecdsa521:ecdsa:521; do
	name=${spec%%:*}; rest=${spec#*:}; t=${rest%%:*}; b=${rest#*:}
	if [ "$b" = 0 ]; then
		q ssh-keygen -q -t "$t" -N '' -C "$name@test" -f "keys/$name"
	else
		q ssh-keygen -q -t "$t" -b "$b" -N '' -C "$name@test" -f "keys/$name"
	fi
	# OpenSSH's own fingerprints, to hold ours against.
	ssh-keygen -l -E sha256 -f "keys/$name.pub" | cut -d' ' -f2 > "keys/$name.sha256"
	ssh-keygen -l -E md5 -f "keys/$name.pub" | cut -d' ' -f2 > "keys/$name.md5"
done

rm -rf tmp
echo "fixtures in $out (signer CN $cn)"
