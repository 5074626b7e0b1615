#!/usr/bin/env python3
"""Mutation check: remove one security rule at a time; the unit tests must fail.

Run from the top directory: python3 tests/mutate.py (or make mutate)."""
import subprocess, sys, shutil, tempfile, os
muts = [
 ("src/staple.c", "(X509_get_extended_key_usage(signer) & XKU_OCSP_SIGN) == 0", "0"),
 ("src/staple.c", "if (status == V_OCSP_CERTSTATUS_REVOKED) {", "if (0) {"),
 ("src/staple.c", "if (X509_check_issued(issuer, signer) != X509_V_OK ||", "if ("),
 ("src/staple.c", "ASN1_TIME_cmp_time_t(nextupd, now - leeway)) != 1 && cmp != 0", "ASN1_TIME_cmp_time_t(nextupd, now - leeway)) == 7"),
 ("src/staple.c", "OCSP_resp_get0_respdata(bs), pkey) != 1) {", "OCSP_resp_get0_respdata(bs), pkey) == 7) {"),
 ("src/keycheck.c", "policy->push_window + policy->clock_skew) {", "policy->push_window + policy->clock_skew + 100000000) {"),
 ("src/keycheck.c", "if (e->timestamp <= (int64_t)policy->now) {", "if (e->timestamp < (int64_t)policy->now) {"),
 ("src/keycheck.c", "e->signed_data.len) != 1) {", "e->signed_data.len) == 7) {"),
 ("src/keycheck.c", "EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) != 1)", "EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_AUTO) != 1)"),
 ("src/keycheck.c", "if (!slice_eq_str(e->instance, instance_id))", "if (0)"),
 ("src/signer.c", "hit = X509_cmp(sk_X509_value(found, i), cert) == 0;", "hit = 1;"),
 ("src/signer.c", "memcmp(utf8, expected, (size_t)len) != 0)", "0)"),
 ("src/signer.c", "X509_V_FLAG_X509_STRICT | X509_V_FLAG_TRUSTED_FIRST", "X509_V_FLAG_TRUSTED_FIRST"),
 ("src/signer.c", "X509_VERIFY_PARAM_clear_flags(param, X509_V_FLAG_PARTIAL_CHAIN)", "X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN)"),
 ("src/sshkey.c", "return EIC_ERR_KEY_MISMATCH;\n\tswitch", "(void)0;\n\tswitch"),
 ("src/keyblob.c", "r = EIC_ERR_CRLF;", "r = 0;"),
 ("src/b64.c", "(pad == 1 && (v[2] & 0x3) != 0)))", "0))"),
]
BAK = os.path.join(tempfile.mkdtemp(), "mut.bak")
os.environ["MUTLOG"] = os.path.join(os.path.dirname(BAK), "mut.log")
failed_to_kill = []
for f, old, new in muts:
    src = open(f).read()
    assert old in src, (f, old)
    shutil.copy(f, BAK)
    try:
        open(f, "w").write(src.replace(old, new, 1))
        r = subprocess.run("make -s unit-run >$MUTLOG 2>&1", shell=True)
    finally:
        shutil.copy(BAK, f)  # never leave a mutant behind, even on ^C
    status = "killed" if r.returncode != 0 else "SURVIVED"
    if r.returncode == 0: failed_to_kill.append((f, old))
    print(f"{status}: {f}: {old[:60]}")
subprocess.run("touch src/*.c && make -s unit-run >/dev/null 2>&1", shell=True)
sys.exit(1 if failed_to_kill else 0)
