/* signer.c: verify the signer certificate chain and its OCSP staples. */
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "b64.h"
#include "buf.h"
#include "err.h"
#include "signer.h"
#include "staple.h"

#define PEM_BEGIN "-----BEGIN CERTIFICATE-----"
#define PEM_END "-----END CERTIFICATE-----"
#define SIGNER_MIN_RSA_BITS 2048

typedef int (*der_fn)(const unsigned char *der, size_t len, void *arg);

/*
 * Walks a PEM chain: only certificate blocks and blank lines, at most
 * SIGNER_MAX_CERTS blocks, each base64 decoded exactly and handed to fn.
 */
static int
pem_walk(struct slice pem, der_fn fn, void *arg)
{
	struct cursor c;
	struct slice line;
	struct buf b64;
	unsigned char *der = NULL;
	size_t len = 0, blocks = 0;
	int r = 0, inside = 0;

	buf_init(&b64, SIGNER_PEM_MAX);
	if (pem.len > SIGNER_PEM_MAX) {
		r = EIC_ERR_LIMIT;
		goto out;
	}
	cursor_init(&c, pem.ptr, pem.len);
	while (cursor_line(&c, SIZE_MAX, &line) == 0) {
		if (line.len > 0 && line.ptr[line.len - 1] == '\r')
			line.len--;
		if (!inside) {
			if (line.len == 0)
				continue;
			if (!slice_eq_str(line, PEM_BEGIN)) {
				r = EIC_ERR_PEM;
				goto out;
			}
			inside = 1;
			buf_reset(&b64);
		} else if (slice_eq_str(line, PEM_END)) {
			if (++blocks > SIGNER_MAX_CERTS) {
				r = EIC_ERR_LIMIT;
				goto out;
			}
			if ((r = b64_decode((struct slice){ b64.data, b64.len },
			    SIGNER_PEM_MAX, &der, &len)) != 0) {
				r = r == EIC_ERR_ALLOC ? r : EIC_ERR_PEM;
				goto out;
			}
			r = fn(der, len, arg);
			free(der);
			der = NULL;
			if (r != 0)
				goto out;
			inside = 0;
		} else if ((r = buf_append(&b64, line.ptr, line.len)) != 0) {
			goto out;
		}
	}
	if (inside || blocks == 0)
		r = EIC_ERR_PEM;
out:
	free(der);
	buf_free(&b64);
	return r;
}

static int
push_cert(const unsigned char *der, size_t len, void *arg)
{
	STACK_OF(X509) *certs = arg;
	const unsigned char *p = der;
	X509 *x;

	/* DER decoded to exactly its length: nothing may trail. */
	if ((x = d2i_X509(NULL, &p, (long)len)) == NULL || p != der + len) {
		X509_free(x);
		return EIC_ERR_CERT;
	}
	if (sk_X509_push(certs, x) <= 0) {
		X509_free(x);
		return EIC_ERR_ALLOC;
	}
	return 0;
}

static int
split_pem(struct slice pem, STACK_OF(X509) **out)
{
	STACK_OF(X509) *certs;
	int r;

	if ((certs = sk_X509_new_null()) == NULL)
		return EIC_ERR_ALLOC;
	if ((r = pem_walk(pem, push_cert, certs)) != 0) {
		sk_X509_pop_free(certs, X509_free);
		return r;
	}
	*out = certs;
	return 0;
}

static int
check_key(X509 *leaf)
{
	EVP_PKEY *k = X509_get0_pubkey(leaf);

	if (k == NULL)
		return EIC_ERR_CERT;
	if ((EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA &&
	    EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA_PSS) ||
	    EVP_PKEY_get_bits(k) < SIGNER_MIN_RSA_BITS)
		return EIC_ERR_SIGNER_KEY;
	return 0;
}

/* Exactly one CN, equal byte for byte to expected (no NUL tricks). */
static int
check_cn(X509 *leaf, const char *expected)
{
	X509_NAME *name = X509_get_subject_name(leaf);
	unsigned char *utf8 = NULL;
	int idx, len, r = EIC_ERR_CN;

	if (name == NULL ||
	    (idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1)) < 0 ||
	    X509_NAME_get_index_by_NID(name, NID_commonName, idx) >= 0)
		goto out;
	len = ASN1_STRING_to_UTF8(&utf8,
	    X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx)));
	if (len < 0 || (size_t)len != strlen(expected) ||
	    memcmp(utf8, expected, (size_t)len) != 0)
		goto out;
	r = 0;
out:
	OPENSSL_free(utf8);
	return r;
}

/* PROTOCOL.md 4.3: a certificate identical to a trust-store one is trusted as is. */
static int
in_store(X509_STORE_CTX *ctx, X509 *cert)
{
	STACK_OF(X509) *found;
	int i, hit = 0;

	if ((found = X509_STORE_CTX_get1_certs(ctx, X509_get_subject_name(cert))) == NULL)
		return 0;
	for (i = 0; i < sk_X509_num(found) && !hit; i++)
		hit = X509_cmp(sk_X509_value(found, i), cert) == 0;
	sk_X509_pop_free(found, X509_free);
	return hit;
}

static void
hex_upper(const unsigned char *md, size_t n, char *out)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		out[i * 2] = hex[md[i] >> 4];
		out[i * 2 + 1] = hex[md[i] & 0xf];
	}
	out[n * 2] = '\0';
}

int
signer_sha1_name(X509 *cert, char out[SIGNER_SHA1_HEX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (X509_digest(cert, EVP_sha1(), md, &n) != 1 || n != 20)
		return EIC_ERR_INTERNAL;
	hex_upper(md, n, out);
	return 0;
}

struct names {
	char (*v)[SIGNER_SHA1_HEX];
	size_t max, n;
};

/* A staple's name is the SHA-1 of the certificate's DER: no parsing needed. */
static int
add_name(const unsigned char *der, size_t len, void *arg)
{
	struct names *nm = arg;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (nm->n == nm->max)
		return EIC_ERR_LIMIT;
	if (EVP_Digest(der, len, md, &mdlen, EVP_sha1(), NULL) != 1 || mdlen != 20)
		return EIC_ERR_INTERNAL;
	hex_upper(md, mdlen, nm->v[nm->n++]);
	return 0;
}

int
signer_chain_names(struct slice chain_pem, char (*names)[SIGNER_SHA1_HEX],
    size_t max, size_t *n)
{
	struct names nm = { names, max, 0 };
	int r;

	if ((r = pem_walk(chain_pem, add_name, &nm)) != 0)
		return r;
	*n = nm.n;
	return 0;
}

static const struct signer_staple *
find_staple(const struct signer_input *in, const char *name)
{
	size_t i;

	for (i = 0; i < in->nstaples; i++) {
		if (strcmp(in->staples[i].name, name) == 0)
			return &in->staples[i];
	}
	return NULL;
}

static int
check_staple(const struct signer_input *in, X509 *cert, X509 *issuer,
    time_t *next_update)
{
	const struct signer_staple *st;
	char name[SIGNER_SHA1_HEX];
	unsigned char *der = NULL;
	size_t len = 0;
	int r;

	if ((r = signer_sha1_name(cert, name)) != 0)
		goto out;
	if ((st = find_staple(in, name)) == NULL) {
		r = EIC_ERR_OCSP_MISSING;
		goto out;
	}
	if ((r = b64_decode(st->b64, STAPLE_DER_MAX, &der, &len)) != 0) {
		r = r == EIC_ERR_ALLOC ? r : EIC_ERR_OCSP_FORMAT;
		goto out;
	}
	r = staple_check((struct slice){ der, len }, cert, issuer, in->now,
	    in->ocsp_leeway, next_update);
out:
	free(der);
	return r;
}

static int
map_x509_error(int e)
{
	switch (e) {
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
		return EIC_ERR_NO_ANCHOR;
	default:
		return EIC_ERR_CHAIN;
	}
}

int
signer_chain_verify(const struct signer_input *in, X509_STORE *store,
    struct signer_chain *sc, struct signer_info *info)
{
	X509_VERIFY_PARAM *param;
	STACK_OF(X509) *chain;
	X509 *leaf;
	int r, i, n;

	memset(sc, 0, sizeof(*sc));
	memset(info, 0, sizeof(*info));
	info->depth = -1;
	ERR_clear_error();
	if ((r = split_pem(in->chain_pem, &sc->certs)) != 0)
		goto out;
	leaf = sk_X509_value(sc->certs, 0);
	info->depth = 0;
	if ((r = check_key(leaf)) != 0 || (r = check_cn(leaf, in->expected_cn)) != 0)
		goto out;
	if ((sc->ctx = X509_STORE_CTX_new()) == NULL) {
		r = EIC_ERR_ALLOC;
		goto out;
	}
	if (X509_STORE_CTX_init(sc->ctx, store, leaf, sc->certs) != 1) {
		r = EIC_ERR_INTERNAL;
		goto out;
	}
	param = X509_STORE_CTX_get0_param(sc->ctx);
	X509_VERIFY_PARAM_set_time(param, in->now);
	/*
	 * RFC 5280 6.1 with OpenSSL's strict profile. TRUSTED_FIRST makes the
	 * builder take a store anchor before any bundle copy (so a cross-signed
	 * root shipped in the bundle is never used); no partial chains.
	 */
	if (X509_VERIFY_PARAM_set_flags(param,
	    X509_V_FLAG_X509_STRICT | X509_V_FLAG_TRUSTED_FIRST) != 1 ||
	    X509_VERIFY_PARAM_clear_flags(param, X509_V_FLAG_PARTIAL_CHAIN) != 1) {
		r = EIC_ERR_INTERNAL;
		goto out;
	}
	X509_VERIFY_PARAM_set_depth(param, SIGNER_MAX_CERTS);
	if (X509_verify_cert(sc->ctx) != 1) {
		info->x509_error = X509_STORE_CTX_get_error(sc->ctx);
		info->depth = X509_STORE_CTX_get_error_depth(sc->ctx);
		r = map_x509_error(info->x509_error);
		goto out;
	}
	chain = X509_STORE_CTX_get0_chain(sc->ctx);
	if ((n = sk_X509_num(chain)) < 1 || n > SIGNER_MAX_CERTS) {
		r = EIC_ERR_CHAIN;
		goto out;
	}
	info->chain_len = (size_t)n;
	for (i = 0; i < n; i++)
		X509_NAME_oneline(X509_get_subject_name(sk_X509_value(chain, i)),
		    info->subject[i], sizeof(info->subject[i]));
	info->depth = -1;
	sc->verified = 1;
	r = 0;
out:
	ERR_clear_error();
	return r;
}

int
signer_chain_staples(const struct signer_chain *sc, const struct signer_input *in,
    EVP_PKEY **pkey, struct signer_info *info)
{
	STACK_OF(X509) *chain;
	int r, i, n;

	if (!sc->verified)
		return EIC_ERR_INTERNAL;
	ERR_clear_error();
	chain = X509_STORE_CTX_get0_chain(sc->ctx);
	n = sk_X509_num(chain);
	/* PROTOCOL.md 4.3: every certificate below the anchor, stapled. */
	for (i = 0; i + 1 < n; i++) {
		info->depth = i;
		if (in_store(sc->ctx, sk_X509_value(chain, i)))
			continue;
		if ((r = check_staple(in, sk_X509_value(chain, i),
		    sk_X509_value(chain, i + 1), &info->next_update[i])) != 0)
			goto out;
	}
	if ((*pkey = X509_get_pubkey(sk_X509_value(chain, 0))) == NULL) {
		r = EIC_ERR_INTERNAL;
		goto out;
	}
	info->depth = -1;
	r = 0;
out:
	ERR_clear_error();
	return r;
}

void
signer_chain_free(struct signer_chain *sc)
{
	X509_STORE_CTX_free(sc->ctx);
	sk_X509_pop_free(sc->certs, X509_free);
	memset(sc, 0, sizeof(*sc));
}

int
signer_verify(const struct signer_input *in, X509_STORE *store,
    EVP_PKEY **pkey, struct signer_info *info)
{
	struct signer_chain sc;
	int r;

	if ((r = signer_chain_verify(in, store, &sc, info)) == 0)
		r = signer_chain_staples(&sc, in, pkey, info);
	signer_chain_free(&sc);
	return r;
}
