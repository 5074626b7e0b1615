/* testutil.h: helpers shared by the Check suites (fixtures, signing). */
#ifndef EIC_TESTUTIL_H
#define EIC_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "b64.h"
#include "buf.h"
#include "cursor.h"

/* Path of a generated fixture (EIC_FIXTURES, set by make). */
static inline const char *
fx(const char *rel)
{
	static char path[8][512];
	static int slot;
	const char *dir = getenv("EIC_FIXTURES");

	slot = (slot + 1) % 8;
	snprintf(path[slot], sizeof(path[slot]), "%s/%s",
	    dir != NULL ? dir : "build/fixtures", rel);
	return path[slot];
}

/* Reads a whole fixture; aborts the test if it is missing. Caller frees. */
static inline unsigned char *
fx_read(const char *rel, size_t *len)
{
	FILE *f = fopen(fx(rel), "rb");
	unsigned char *p = NULL;
	long n;

	ck_assert_msg(f != NULL, "missing fixture %s", fx(rel));
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	p = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(fread(p, 1, (size_t)n, f), (size_t)n);
	p[n] = '\0';
	fclose(f);
	if (len != NULL)
		*len = (size_t)n;
	return p;
}

/* First line of a text fixture, without its newline. Caller frees. */
static inline char *
fx_line(const char *rel)
{
	char *p = (char *)fx_read(rel, NULL);

	p[strcspn(p, "\r\n")] = '\0';
	return p;
}

/* The public key line of fixture key name (keys/<name>.pub). Caller frees. */
static inline char *
fx_pubkey(const char *name)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "keys/%s.pub", name);
	return fx_line(rel);
}

static inline EVP_PKEY *
fx_privkey(const char *rel)
{
	FILE *f = fopen(fx(rel), "r");
	EVP_PKEY *k;

	ck_assert_msg(f != NULL, "missing key %s", fx(rel));
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	ck_assert_ptr_nonnull(k);
	return k;
}

/* The public key of a certificate fixture. */
static inline EVP_PKEY *
fx_cert_pubkey(const char *rel)
{
	FILE *f = fopen(fx(rel), "r");
	X509 *x;
	EVP_PKEY *k;

	ck_assert_msg(f != NULL, "missing cert %s", fx(rel));
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	ck_assert_ptr_nonnull(x);
	k = X509_get_pubkey(x);
	X509_free(x);
	ck_assert_ptr_nonnull(k);
	return k;
}

/*
 * Signs data as the service does (RSASSA-PSS, SHA-256, MGF1-SHA-256,
 * salt 32) and appends the base64 signature to out, wrapped every wrap
 * characters (0: one line), each line ending in '\n'.
 */
static inline void
sign_b64_with(EVP_PKEY *key, int padding, int saltlen, const char *data,
    size_t len, size_t wrap, struct buf *out)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char sig[1024];
	char b64[2048];
	size_t siglen = sizeof(sig), i, n;

	ck_assert_int_eq(EVP_DigestSignInit(md, &pctx, EVP_sha256(), NULL, key), 1);
	ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_padding(pctx, padding), 1);
	if (padding == RSA_PKCS1_PSS_PADDING) {
		ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()), 1);
		ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, saltlen), 1);
	}
	ck_assert_int_eq(EVP_DigestSign(md, sig, &siglen, (const unsigned char *)data, len), 1);
	EVP_MD_CTX_free(md);
	ck_assert_int_eq(b64_encode(sig, siglen, 0, b64, sizeof(b64)), 0);
	n = strlen(b64);
	if (wrap == 0)
		wrap = n;
	for (i = 0; i < n; i += wrap) {
		ck_assert_int_eq(buf_append(out, b64 + i, n - i < wrap ? n - i : wrap), 0);
		ck_assert_int_eq(buf_append(out, "\n", 1), 0);
	}
}

static inline void
sign_b64(EVP_PKEY *key, const char *data, size_t len, size_t wrap, struct buf *out)
{
	sign_b64_with(key, RSA_PKCS1_PSS_PADDING, 32, data, len, wrap, out);
}

/*
 * Appends one signed entry: meta (lines each ending in '\n', may be ""),
 * then keyline + '\n', then the signature over exactly those bytes.
 */
static inline void
add_entry(struct buf *out, EVP_PKEY *key, const char *meta, const char *keyline,
    size_t wrap)
{
	struct buf signed_part;

	buf_init(&signed_part, 1 << 16);
	ck_assert_int_eq(buf_append(&signed_part, meta, strlen(meta)), 0);
	ck_assert_int_eq(buf_append(&signed_part, keyline, strlen(keyline)), 0);
	ck_assert_int_eq(buf_append(&signed_part, "\n", 1), 0);
	if (out->len > 0)
		ck_assert_int_eq(buf_append(out, "\n", 1), 0);
	ck_assert_int_eq(buf_append(out, signed_part.data, signed_part.len), 0);
	sign_b64(key, (const char *)signed_part.data, signed_part.len, wrap, out);
	buf_free(&signed_part);
}

static inline struct slice
buf_slice(const struct buf *b)
{
	return (struct slice){ b->data, b->len };
}

/* Runs one suite; the exit status a test binary returns. */
static inline int
run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}

#endif
