/* keycheck.c: per-entry authorization rules. */
#include <string.h>

#include <openssl/err.h>
#include <openssl/rsa.h>

#include "err.h"
#include "keycheck.h"

int
keycheck_meta(const struct keyblob_entry *e,
    const struct keycheck_policy *policy, struct sshkey *key)
{
	struct sshkey k;
	int r;

	memset(&k, 0, sizeof(k));
	if ((r = e->error) != 0)
		goto out;
	if ((r = sshkey_parse(e->key_line, &k)) != 0)
		goto out;
	/* Before anything costly: most calls are for some other offered key. */
	if (policy->fp != NULL &&
	    (r = sshkey_fp_match(policy->fp, k.blob, k.bloblen)) != 0)
		goto out;
	if (!e->has_timestamp) {
		r = EIC_ERR_NO_TIMESTAMP;
		goto out;
	}
	if (e->timestamp <= (int64_t)policy->now) {
		r = EIC_ERR_EXPIRED;
		goto out;
	}
	/* A key lives push_window seconds; more means a clock or a forgery. */
	if (e->timestamp - (int64_t)policy->now >
	    policy->push_window + policy->clock_skew) {
		r = EIC_ERR_TOO_FAR;
		goto out;
	}
	if (e->instance.ptr == NULL) {
		r = EIC_ERR_NO_INSTANCE;
		goto out;
	}
	/* success */
	*key = k;
	memset(&k, 0, sizeof(k));
	r = 0;
out:
	sshkey_clear(&k);
	return r;
}

int
keycheck_instance(const struct keyblob_entry *e, const char *instance_id)
{
	if (e->instance.ptr == NULL)
		return EIC_ERR_NO_INSTANCE;
	if (!slice_eq_str(e->instance, instance_id))
		return EIC_ERR_OTHER_INSTANCE;
	return 0;
}

int
keycheck_signature(const struct keyblob_entry *e, EVP_PKEY *signer)
{
	EVP_MD_CTX *md = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	int r = EIC_ERR_INTERNAL;

	ERR_clear_error();
	if (e->sig == NULL) {
		r = EIC_ERR_ENTRY_NO_SIG;
		goto out;
	}
	/* RFC 8017 8.1.2 step 1: the signature is exactly k octets long. */
	if (EVP_PKEY_get_size(signer) <= 0 ||
	    e->siglen != (size_t)EVP_PKEY_get_size(signer)) {
		r = EIC_ERR_SIG_LENGTH;
		goto out;
	}
	if ((md = EVP_MD_CTX_new()) == NULL) {
		r = EIC_ERR_ALLOC;
		goto out;
	}
	if (EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, signer) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) != 1)
		goto out;
	if (EVP_DigestVerify(md, e->sig, e->siglen, e->signed_data.ptr,
	    e->signed_data.len) != 1) {
		r = EIC_ERR_SIG_INVALID;
		goto out;
	}
	r = 0;
out:
	EVP_MD_CTX_free(md);
	ERR_clear_error();
	return r;
}
