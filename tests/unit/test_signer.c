/* Signer trust (PROTOCOL.md section 4): chain, CN, anchors, OCSP staples. */
#include <unistd.h>

#include <openssl/ocsp.h>
#include <openssl/x509_vfy.h>

#include "testutil.h"
#include "err.h"
#include "signer.h"
#include "staple.h"
#include "truststore.h"

#define CN "managed-ssh-signer.us-east-1.amazonaws.com"
#define DAY 86400

static time_t now;

struct fixture_staple {
	const char *cert;	/* whose name the staple is filed under */
	const char *der;	/* ocsp/<der>.der */
};

static struct signer_staple st[SIGNER_MAX_STAPLES];
static char *b64s[SIGNER_MAX_STAPLES];
static size_t nst;

static void
staples(const struct fixture_staple *fs, size_t n)
{
	char rel[128], *name;
	unsigned char *der;
	size_t len, i;

	for (i = 0; i < nst; i++)
		free(b64s[i]);
	for (i = 0; i < n; i++) {
		snprintf(rel, sizeof(rel), "ca/%s.sha1", fs[i].cert);
		name = fx_line(rel);
		ck_assert_uint_eq(strlen(name), 40);
		memcpy(st[i].name, name, 41);
		free(name);
		snprintf(rel, sizeof(rel), "ocsp/%s.der", fs[i].der);
		der = fx_read(rel, &len);
		b64s[i] = malloc(len * 2 + 8);
		ck_assert_int_eq(b64_encode(der, len, 0, b64s[i], len * 2 + 8), 0);
		st[i].b64 = slice_str(b64s[i]);
		free(der);
	}
	nst = n;
}

static const struct fixture_staple good_staples[] = {
	{ "signer", "signer-good" }, { "inter", "inter-good" },
};

static X509_STORE *
dir_store(void)
{
	X509_STORE *s = NULL;
	int loaded = -1;

	ck_assert_int_eq(truststore_open(fx("store"), "", &s, &loaded), 0);
	ck_assert_int_eq(loaded, 0);
	return s;
}

/* Verifies chain file against store at time t, with the current staples. */
static int
verify_with(X509_STORE *s, const char *chain, const char *cn, time_t t,
    struct signer_info *info)
{
	struct signer_input in;
	EVP_PKEY *k = NULL;
	unsigned char *pem;
	size_t len;
	int r;

	pem = fx_read(chain, &len);
	memset(&in, 0, sizeof(in));
	in.chain_pem = (struct slice){ pem, len };
	in.staples = st;
	in.nstaples = nst;
	in.expected_cn = cn;
	in.now = t;
	in.ocsp_leeway = 300;
	r = signer_verify(&in, s, &k, info);
	if (r == 0)
		ck_assert_ptr_nonnull(k);
	else
		ck_assert_ptr_null(k);
	EVP_PKEY_free(k);
	free(pem);
	return r;
}

/* Verifies chain file against the directory store at time t. */
static int
verify_at(const char *chain, const char *cn, time_t t, struct signer_info *info)
{
	X509_STORE *s = dir_store();
	int r = verify_with(s, chain, cn, t, info);

	X509_STORE_free(s);
	return r;
}

static int
verify(const char *chain, struct signer_info *info)
{
	return verify_at(chain, CN, now, info);
}

static void
setup(void)
{
	now = time(NULL);
	staples(good_staples, 2);
}

START_TEST(good_chain_with_staples)
{
	struct signer_info info;

	ck_assert_int_eq(verify("chain.pem", &info), 0);
	ck_assert_uint_eq(info.chain_len, 3);
	ck_assert_ptr_nonnull(strstr(info.subject[2], "EIC Test Root CA"));
	ck_assert(info.next_update[0] > now + 6 * DAY);
	ck_assert(info.next_update[1] > now + 6 * DAY);
	ck_assert(info.next_update[2] == 0);	/* the anchor needs none */
}
END_TEST

START_TEST(good_chain_with_bundle_file_store)
{
	struct signer_info info;
	X509_STORE *s = NULL;
	int loaded = 0;

	/* No directory: the bundle file is loaded at once. */
	ck_assert_int_eq(truststore_open("", fx("store.pem"), &s, &loaded), 0);
	ck_assert_int_eq(loaded, 1);
	ck_assert_int_eq(verify_with(s, "chain.pem", CN, now, &info), 0);
	X509_STORE_free(s);
	/* And a store with nothing usable is refused. */
	ck_assert_int_eq(truststore_open("/nonexistent", "/nonexistent.pem", &s,
	    &loaded), EIC_ERR_TRUST_STORE);
}
END_TEST

START_TEST(cn_mismatch)
{
	struct signer_info info;
	const struct fixture_staple fs[] = {
		{ "wrongcn", "wrongcn-good" }, { "inter", "inter-good" },
	};

	ck_assert_int_eq(verify_at("chain.pem",
	    "managed-ssh-signer.eu-west-1.amazonaws.com", now, &info), EIC_ERR_CN);
	ck_assert_int_eq(verify_at("chain.pem", CN ".evil", now, &info), EIC_ERR_CN);
	ck_assert_int_eq(verify_at("chain.pem", "managed-ssh-signer.us-east-1.amazonaws.co",
	    now, &info), EIC_ERR_CN);
	staples(fs, 2);
	ck_assert_int_eq(verify("chain-wrongcn.pem", &info), EIC_ERR_CN);
}
END_TEST

START_TEST(untrusted_root)
{
	struct signer_info info;

	ck_assert_int_eq(verify("chain-untrusted.pem", &info), EIC_ERR_NO_ANCHOR);
	ck_assert_int_ne(info.x509_error, X509_V_OK);
}
END_TEST

START_TEST(cross_signed_root_in_bundle_is_harmless)
{
	struct signer_info info;

	ck_assert_int_eq(verify("chain-cross.pem", &info), 0);
	/* The store's self-signed root anchors the chain, not the bundle copy. */
	ck_assert_uint_eq(info.chain_len, 3);
	ck_assert_ptr_nonnull(strstr(info.subject[2], "EIC Test Root CA"));
}
END_TEST

START_TEST(expired_leaf)
{
	struct signer_info info;
	const struct fixture_staple fs[] = {
		{ "shortlived", "shortlived-good" }, { "inter", "inter-good" },
	};

	staples(fs, 2);
	ck_assert_int_eq(verify_at("chain-shortlived.pem", CN, now, &info), 0);
	ck_assert_int_eq(verify_at("chain-shortlived.pem", CN, now + 2 * DAY, &info),
	    EIC_ERR_CHAIN);
	ck_assert_int_eq(info.x509_error, X509_V_ERR_CERT_HAS_EXPIRED);
	ck_assert_int_eq(info.depth, 0);
}
END_TEST

static const struct {
	struct fixture_staple s[2];
	size_t n;
	int err;
	int depth;
} staple_cases[] = {
	{ { { "signer", "signer-revoked" }, { "inter", "inter-good" } }, 2, EIC_ERR_OCSP_REVOKED, 0 },
	{ { { "signer", "signer-unknown" }, { "inter", "inter-good" } }, 2, EIC_ERR_OCSP_UNKNOWN, 0 },
	{ { { "inter", "inter-good" } }, 1, EIC_ERR_OCSP_MISSING, 0 },
	{ { { "signer", "signer-good" } }, 1, EIC_ERR_OCSP_MISSING, 1 },
	{ { { "signer", "signer-nonext" }, { "inter", "inter-good" } }, 2, EIC_ERR_OCSP_STALE, 0 },
	{ { { "signer", "signer-noeku" }, { "inter", "inter-good" } }, 2, EIC_ERR_OCSP_SIGNER, 0 },
	/* extended key usage present, but not for OCSP */
	{ { { "signer", "signer-wrongeku" }, { "inter", "inter-good" } }, 2, EIC_ERR_OCSP_SIGNER, 0 },
	/* a responder certified with the issuer's key under another name */
	{ { { "signer", "signer-twinresponder" }, { "inter", "inter-good" } }, 2, EIC_ERR_OCSP_SIGNER, 0 },
	{ { { "signer", "signer-unrelated" }, { "inter", "inter-good" } }, 2, EIC_ERR_OCSP_SIGNER, 0 },
	{ { { "signer", "trylater" }, { "inter", "inter-good" } }, 2, EIC_ERR_OCSP_STATUS, 0 },
	/* a good response, but about another certificate */
	{ { { "signer", "wrongcn-good" }, { "inter", "inter-good" } }, 2, EIC_ERR_OCSP_NOT_FOUND, 0 },
	/* the intermediate's response filed under the signer's name */
	{ { { "signer", "inter-good" }, { "inter", "inter-good" } }, 2, EIC_ERR_OCSP_SIGNER, 0 },
	/* delegated responders, identified by name and by key */
	{ { { "signer", "signer-delegated" }, { "inter", "inter-good" } }, 2, 0, -1 },
	{ { { "signer", "signer-delegated-bykey" }, { "inter", "inter-good" } }, 2, 0, -1 },
};

START_TEST(staple_variants)
{
	struct signer_info info;

	staples(staple_cases[_i].s, staple_cases[_i].n);
	ck_assert_int_eq(verify("chain.pem", &info), staple_cases[_i].err);
	ck_assert_int_eq(info.depth, staple_cases[_i].depth);
}
END_TEST

START_TEST(stale_staple)
{
	struct signer_info info;
	time_t next;

	ck_assert_int_eq(verify("chain.pem", &info), 0);
	next = info.next_update[0];
	ck_assert(next > now);
	/* within the 300 s leeway past nextUpdate it is still current... */
	ck_assert_int_eq(verify_at("chain.pem", CN, next + 200, &info), 0);
	/* ...beyond it, stale (the leaf itself is still valid) */
	ck_assert_int_eq(verify_at("chain.pem", CN, next + 400, &info),
	    EIC_ERR_OCSP_STALE);
	ck_assert_int_eq(verify_at("chain.pem", CN, now + 30 * DAY, &info),
	    EIC_ERR_OCSP_STALE);
}
END_TEST

START_TEST(staple_not_yet_valid)
{
	unsigned char *der;
	size_t len;
	FILE *f;
	X509 *leaf, *inter;
	time_t next = 0, thisupd;

	der = fx_read("ocsp/signer-good.der", &len);
	f = fopen(fx("ca/signer.pem"), "r");
	leaf = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	f = fopen(fx("ca/inter.pem"), "r");
	inter = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	/* the fixture responses run 7 days from thisUpdate to nextUpdate */
	ck_assert_int_eq(staple_check((struct slice){ der, len }, leaf, inter,
	    now, 300, &next), 0);
	thisupd = next - 7 * DAY;
	ck_assert_int_eq(staple_check((struct slice){ der, len }, leaf, inter,
	    thisupd - 301, 300, NULL), EIC_ERR_OCSP_NOT_YET);
	ck_assert_int_eq(staple_check((struct slice){ der, len }, leaf, inter,
	    thisupd - 299, 300, NULL), 0);
	/* DER with a trailing byte is not the response */
	der = realloc(der, len + 1);
	der[len] = 0;
	ck_assert_int_eq(staple_check((struct slice){ der, len + 1 }, leaf, inter,
	    now, 300, NULL), EIC_ERR_OCSP_FORMAT);
	X509_free(leaf);
	X509_free(inter);
	free(der);
}
END_TEST

static X509 *
fx_cert(const char *rel)
{
	FILE *f = fopen(fx(rel), "r");
	X509 *x;

	ck_assert_msg(f != NULL, "missing fixture %s", rel);
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	ck_assert_ptr_nonnull(x);
	return x;
}

/*
 * Checks staple response against signer/inter after changing one byte, at
 * offset off of the copy of cert (a PEM fixture) the response carries.
 */
static int
staple_with_carried_cert_changed(const char *response, const char *cert,
    size_t off, unsigned char xor)
{
	unsigned char *der, *cder = NULL, *at;
	size_t len;
	int clen, r;
	X509 *leaf = fx_cert("ca/signer.pem"), *inter = fx_cert("ca/inter.pem");
	X509 *carried = fx_cert(cert);

	der = fx_read(response, &len);
	clen = i2d_X509(carried, &cder);
	ck_assert_int_gt(clen, 0);
	at = memmem(der, len, cder, (size_t)clen);
	ck_assert_msg(at != NULL, "%s does not carry %s", response, cert);
	ck_assert_uint_lt(off, (size_t)clen);
	at[off] ^= xor;
	r = staple_check((struct slice){ der, len }, leaf, inter, now, 300, NULL);
	OPENSSL_free(cder);
	free(der);
	X509_free(carried);
	X509_free(leaf);
	X509_free(inter);
	return r;
}

/*
 * A response's certificates are not covered by its signature: they matter
 * only when the responder is a delegate, and are parsed only then.
 */
START_TEST(carried_certificates)
{
	/* Signed by the issuer: the copy of the issuer it carries is not used. */
	ck_assert_int_eq(staple_with_carried_cert_changed("ocsp/signer-good.der",
	    "ca/inter.pem", 0, 0), 0);
	ck_assert_int_eq(staple_with_carried_cert_changed("ocsp/signer-good.der",
	    "ca/inter.pem", 4, 0x01), 0);
	/* Delegated: the responder certificate must parse... */
	ck_assert_int_eq(staple_with_carried_cert_changed("ocsp/signer-delegated.der",
	    "ca/responder.pem", 0, 0), 0);
	ck_assert_int_eq(staple_with_carried_cert_changed("ocsp/signer-delegated.der",
	    "ca/responder.pem", 4, 0x01), EIC_ERR_OCSP_FORMAT);
	/* ...and be the issuer's: a changed byte in its signature breaks that. */
	ck_assert_int_eq(staple_with_carried_cert_changed("ocsp/signer-delegated.der",
	    "ca/responder.pem", 200, 0x01), EIC_ERR_OCSP_SIGNER);
}
END_TEST

/* One byte of the response's signature changed: nothing else is wrong. */
START_TEST(staple_signature_must_verify)
{
	unsigned char *der, *at;
	const unsigned char *p;
	size_t len;
	OCSP_RESPONSE *resp;
	OCSP_BASICRESP *bs;
	const ASN1_OCTET_STRING *sig;
	X509 *leaf = fx_cert("ca/signer.pem"), *inter = fx_cert("ca/inter.pem");

	der = fx_read("ocsp/signer-good.der", &len);
	ck_assert_int_eq(staple_check((struct slice){ der, len }, leaf, inter, now,
	    300, NULL), 0);
	p = der;
	ck_assert_ptr_nonnull(resp = d2i_OCSP_RESPONSE(NULL, &p, (long)len));
	ck_assert_ptr_nonnull(bs = OCSP_response_get1_basic(resp));
	sig = OCSP_resp_get0_signature(bs);
	ck_assert_int_gt(ASN1_STRING_length(sig), 16);
	at = memmem(der, len, ASN1_STRING_get0_data(sig), (size_t)ASN1_STRING_length(sig));
	ck_assert_ptr_nonnull(at);
	at[ASN1_STRING_length(sig) / 2] ^= 0x40;
	ck_assert_int_eq(staple_check((struct slice){ der, len }, leaf, inter, now,
	    300, NULL), EIC_ERR_OCSP_SIG);
	OCSP_BASICRESP_free(bs);
	OCSP_RESPONSE_free(resp);
	X509_free(leaf);
	X509_free(inter);
	free(der);
}
END_TEST

START_TEST(garbage_staples)
{
	struct signer_info info;

	staples(good_staples, 2);
	st[0].b64 = slice_str("bm90IGFuIE9DU1AgcmVzcG9uc2U=");
	ck_assert_int_eq(verify("chain.pem", &info), EIC_ERR_OCSP_FORMAT);
	st[0].b64 = slice_str("*** not base64 ***");
	ck_assert_int_eq(verify("chain.pem", &info), EIC_ERR_OCSP_FORMAT);
	st[0].b64 = slice_str("");
	ck_assert_int_eq(verify("chain.pem", &info), EIC_ERR_OCSP_FORMAT);
}
END_TEST

/*
 * Only a certificate identical to one in the store needs no staple: the
 * store holding another certificate under the intermediate's name (the
 * untrusted hierarchy's) changes nothing.
 */
START_TEST(store_namesake_still_needs_a_staple)
{
	const struct fixture_staple fs[] = { { "signer", "signer-good" } };
	struct signer_info info;
	X509_STORE *s = dir_store();

	staples(fs, 1);
	ck_assert_int_eq(truststore_add_file(s, fx("ca/otherinter.pem")), 0);
	ck_assert_int_eq(verify_with(s, "chain.pem", CN, now, &info),
	    EIC_ERR_OCSP_MISSING);
	ck_assert_int_eq(info.depth, 1);
	X509_STORE_free(s);
}
END_TEST

/* Strict X.509: an intermediate CA certificate without keyUsage is refused. */
START_TEST(strict_x509)
{
	struct signer_info info;

	ck_assert_int_eq(verify("chain-lax.pem", &info), EIC_ERR_CHAIN);
	ck_assert_int_eq(info.depth, 1);
}
END_TEST

/* A trust anchor is a root: a store holding just the intermediate is not enough. */
START_TEST(no_partial_chains)
{
	struct signer_info info;
	X509_STORE *s = X509_STORE_new();

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(truststore_add_file(s, fx("ca/inter.pem")), 0);
	ck_assert_int_eq(verify_with(s, "chain.pem", CN, now, &info), EIC_ERR_NO_ANCHOR);
	X509_STORE_free(s);
}
END_TEST

/* The two halves: the chain verified first, its staples checked after. */
START_TEST(chain_then_staples)
{
	struct signer_chain sc;
	struct signer_input in;
	struct signer_info info;
	X509_STORE *s = dir_store();
	EVP_PKEY *k = NULL;
	unsigned char *pem;
	size_t len;

	pem = fx_read("chain.pem", &len);
	memset(&in, 0, sizeof(in));
	in.chain_pem = (struct slice){ pem, len };
	in.expected_cn = CN;
	in.now = now;
	in.ocsp_leeway = 300;
	/* no staples yet: the chain alone verifies */
	ck_assert_int_eq(signer_chain_verify(&in, s, &sc, &info), 0);
	ck_assert_uint_eq(info.chain_len, 3);
	/* then without them nothing is trusted... */
	ck_assert_int_eq(signer_chain_staples(&sc, &in, &k, &info), EIC_ERR_OCSP_MISSING);
	ck_assert_ptr_null(k);
	/* ...and with them the signer's key comes out */
	in.staples = st;
	in.nstaples = nst;
	ck_assert_int_eq(signer_chain_staples(&sc, &in, &k, &info), 0);
	ck_assert_ptr_nonnull(k);
	EVP_PKEY_free(k);
	k = NULL;
	signer_chain_free(&sc);
	/* a chain that failed cannot be asked about its staples */
	in.expected_cn = "managed-ssh-signer.eu-west-1.amazonaws.com";
	ck_assert_int_eq(signer_chain_verify(&in, s, &sc, &info), EIC_ERR_CN);
	ck_assert_int_eq(signer_chain_staples(&sc, &in, &k, &info), EIC_ERR_INTERNAL);
	ck_assert_ptr_null(k);
	signer_chain_free(&sc);
	X509_STORE_free(s);
	free(pem);
}
END_TEST

START_TEST(trusted_intermediate_needs_no_staple)
{
	const struct fixture_staple fs[] = { { "signer", "signer-good" } };
	struct signer_info info;
	X509_STORE *s = dir_store();

	staples(fs, 1);
	ck_assert_int_eq(truststore_add_file(s, fx("ca/inter.pem")), 0);
	ck_assert_int_eq(verify_with(s, "chain.pem", CN, now, &info), 0);
	ck_assert(info.next_update[1] == 0);
	X509_STORE_free(s);
}
END_TEST

static int
verify_text(const char *pem)
{
	struct signer_input in;
	struct signer_info info;
	X509_STORE *s = dir_store();
	EVP_PKEY *k = NULL;
	int r;

	memset(&in, 0, sizeof(in));
	in.chain_pem = slice_str(pem);
	in.staples = st;
	in.nstaples = nst;
	in.expected_cn = CN;
	in.now = now;
	r = signer_verify(&in, s, &k, &info);
	ck_assert_ptr_null(k);
	X509_STORE_free(s);
	return r;
}

START_TEST(pem_garbage)
{
	char *chain = (char *)fx_read("chain.pem", NULL), *big, *p;
	size_t n = strlen(chain), i;

	ck_assert_int_eq(verify_text(""), EIC_ERR_PEM);
	ck_assert_int_eq(verify_text("hello\n"), EIC_ERR_PEM);
	ck_assert_int_eq(verify_text("-----BEGIN CERTIFICATE-----\nAAAA\n"), EIC_ERR_PEM);
	ck_assert_int_eq(verify_text("-----BEGIN CERTIFICATE-----\nAAAA\n"
	    "-----END CERTIFICATE-----\n"), EIC_ERR_CERT);
	ck_assert_int_eq(verify_text("-----BEGIN CERTIFICATE-----\n!!!!\n"
	    "-----END CERTIFICATE-----\n"), EIC_ERR_PEM);
	big = malloc(n * 10 + 64);
	/* trailing text after the last block */
	snprintf(big, n + 64, "%sjunk\n", chain);
	ck_assert_int_eq(verify_text(big), EIC_ERR_PEM);
	/* nine certificates: over the cap */
	for (p = big, i = 0; i < 5; i++, p += n)
		memcpy(p, chain, n);
	*p = '\0';
	ck_assert_int_eq(verify_text(big), EIC_ERR_LIMIT);
	free(big);
	free(chain);
}
END_TEST

START_TEST(anchor_in_directory_without_hash_links)
{
	char dir[] = "/tmp/eic-store-XXXXXX", path[128];
	struct signer_info info;
	X509_STORE *s = NULL;
	unsigned char *root;
	size_t rlen;
	int loaded = 0;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/root.pem", dir);
	root = fx_read("ca/root.pem", &rlen);
	f = fopen(path, "w");
	ck_assert_uint_eq(fwrite(root, 1, rlen, f), rlen);
	fclose(f);
	ck_assert_int_eq(truststore_open(dir, "", &s, &loaded), 0);
	/* no hash link: the lazy lookup finds nothing... */
	ck_assert_int_eq(verify_with(s, "chain.pem", CN, now, &info), EIC_ERR_NO_ANCHOR);
	/* ...the directory's files do */
	ck_assert_int_eq(truststore_add_dir_files(s, dir), 0);
	ck_assert_int_eq(verify_with(s, "chain.pem", CN, now, &info), 0);
	X509_STORE_free(s);
	s = X509_STORE_new();
	ck_assert_int_eq(truststore_add_dir_files(s, "/nonexistent"), EIC_ERR_TRUST_STORE);
	X509_STORE_free(s);
	unlink(path);
	rmdir(dir);
	free(root);
}
END_TEST

START_TEST(chain_names_are_staple_names)
{
	char names[SIGNER_MAX_CERTS][SIGNER_SHA1_HEX], *want;
	unsigned char *pem;
	size_t len, n = 0;

	pem = fx_read("chain.pem", &len);
	ck_assert_int_eq(signer_chain_names((struct slice){ pem, len }, names,
	    SIGNER_MAX_CERTS, &n), 0);
	ck_assert_uint_eq(n, 2);
	want = fx_line("ca/signer.sha1");
	ck_assert_str_eq(names[0], want);
	free(want);
	want = fx_line("ca/inter.sha1");
	ck_assert_str_eq(names[1], want);
	free(want);
	ck_assert_int_eq(signer_chain_names((struct slice){ pem, len }, names, 1, &n),
	    EIC_ERR_LIMIT);
	ck_assert_int_eq(signer_chain_names(slice_str("junk"), names, 8, &n), EIC_ERR_PEM);
	free(pem);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("signer");
	TCase *tc = tcase_create("signer");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, good_chain_with_staples);
	tcase_add_test(tc, good_chain_with_bundle_file_store);
	tcase_add_test(tc, cn_mismatch);
	tcase_add_test(tc, untrusted_root);
	tcase_add_test(tc, cross_signed_root_in_bundle_is_harmless);
	tcase_add_test(tc, expired_leaf);
	tcase_add_loop_test(tc, staple_variants, 0,
	    sizeof(staple_cases) / sizeof(staple_cases[0]));
	tcase_add_test(tc, stale_staple);
	tcase_add_test(tc, staple_not_yet_valid);
	tcase_add_test(tc, garbage_staples);
	tcase_add_test(tc, carried_certificates);
	tcase_add_test(tc, staple_signature_must_verify);
	tcase_add_test(tc, store_namesake_still_needs_a_staple);
	tcase_add_test(tc, no_partial_chains);
	tcase_add_test(tc, strict_x509);
	tcase_add_test(tc, chain_then_staples);
	tcase_add_test(tc, trusted_intermediate_needs_no_staple);
	tcase_add_test(tc, pem_garbage);
	tcase_add_test(tc, anchor_in_directory_without_hash_links);
	tcase_add_test(tc, chain_names_are_staple_names);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
