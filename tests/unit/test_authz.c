/* Per-key rules (PROTOCOL.md section 5) with real RSASSA-PSS signatures. */
#include "testutil.h"
#include "authz.h"
#include "err.h"

#define NOW ((time_t)1750000000)
#define IID "i-0123456789abcdef0"

static EVP_PKEY *signkey, *signpub;

static void
setup(void)
{
	signkey = fx_privkey("signer.key");
	signpub = fx_cert_pubkey("ca/signer.pem");
}

static void
teardown(void)
{
	EVP_PKEY_free(signkey);
	EVP_PKEY_free(signpub);
}

static char *
meta(long ts_offset, const char *instance)
{
	static char m[256];

	snprintf(m, sizeof(m), "#Timestamp=%lld\n#Instance=%s\n"
	    "#Caller=arn:aws:iam::123456789012:user/alice\n#Request=req-1\n",
	    (long long)NOW + ts_offset, instance);
	return m;
}

/* Decides a bundle with the given %f (NULL for none); returns verdict 0. */
static int
decide(const struct buf *bundle, const char *fparg, struct authz_result *res)
{
	struct keycheck_policy pol = { NOW, 60, 300, NULL };
	struct sshkey_fp fp;
	static struct keyblob kb;

	keyblob_free(&kb);
	if (fparg != NULL) {
		ck_assert_int_eq(sshkey_fp_parse(fparg, &fp), 0);
		pol.fp = &fp;
	}
	ck_assert_int_eq(keyblob_parse(buf_slice(bundle), &kb), 0);
	ck_assert_int_eq(authz_decide(&kb, &pol, NULL, IID, signpub, res), 0);
	ck_assert_uint_eq(res->n, kb.n);
	return res->n > 0 ? res->items[0].verdict : 1;
}

/* One entry, signed, decided; returns its verdict. */
static int
one(const char *m, const char *keyline, const char *fparg)
{
	struct buf b;
	struct authz_result res;
	int v;

	buf_init(&b, 1 << 20);
	add_entry(&b, signkey, m, keyline, 0);
	v = decide(&b, fparg, &res);
	authz_result_free(&res);
	buf_free(&b);
	return v;
}

static const char *const keynames[] = {
	"rsa2048", "rsa4096", "ed25519", "ecdsa256", "ecdsa384", "ecdsa521",
};

START_TEST(valid_key_of_each_type)
{
	char *k = fx_pubkey(keynames[_i]);

	ck_assert_int_eq(one(meta(30, IID), k, NULL), 0);
	free(k);
}
END_TEST

START_TEST(expiry_window)
{
	char *k = fx_pubkey("ed25519");

	ck_assert_int_eq(one(meta(0, IID), k, NULL), EIC_ERR_EXPIRED);
	ck_assert_int_eq(one(meta(-1, IID), k, NULL), EIC_ERR_EXPIRED);
	ck_assert_int_eq(one(meta(1, IID), k, NULL), 0);
	ck_assert_int_eq(one(meta(60 + 300, IID), k, NULL), 0);
	ck_assert_int_eq(one(meta(60 + 300 + 1, IID), k, NULL), EIC_ERR_TOO_FAR);
	ck_assert_int_eq(one(meta(86400L * 365, IID), k, NULL), EIC_ERR_TOO_FAR);
	free(k);
}
END_TEST

START_TEST(missing_fields)
{
	char *k = fx_pubkey("ed25519");

	ck_assert_int_eq(one("#Instance=" IID "\n", k, NULL), EIC_ERR_NO_TIMESTAMP);
	ck_assert_int_eq(one("#Timestamp=1750000030\n", k, NULL), EIC_ERR_NO_INSTANCE);
	ck_assert_int_eq(one("", k, NULL), EIC_ERR_NO_TIMESTAMP);
	free(k);
}
END_TEST

START_TEST(other_instance)
{
	char *k = fx_pubkey("ed25519");

	ck_assert_int_eq(one(meta(30, "i-0123456789abcdef1"), k, NULL),
	    EIC_ERR_OTHER_INSTANCE);
	ck_assert_int_eq(one(meta(30, "i-0123456789abcdef"), k, NULL),
	    EIC_ERR_OTHER_INSTANCE);
	ck_assert_int_eq(one(meta(30, IID "0"), k, NULL), EIC_ERR_OTHER_INSTANCE);
	free(k);
}
END_TEST

START_TEST(unknown_metadata_is_signed_too)
{
	char *k = fx_pubkey("ed25519"), m[512];
	struct buf b, forged;
	struct authz_result res;
	const char *cut;

	snprintf(m, sizeof(m), "%s#Future-Field=x y z\n", meta(30, IID));
	ck_assert_int_eq(one(m, k, NULL), 0);
	/* The same line inserted after signing breaks the signature. */
	buf_init(&b, 1 << 20);
	buf_init(&forged, 1 << 20);
	add_entry(&b, signkey, meta(30, IID), k, 0);
	cut = strstr((const char *)b.data, "ssh-ed25519");
	ck_assert_int_eq(buf_append(&forged, b.data, (size_t)(cut - (char *)b.data)), 0);
	ck_assert_int_eq(buf_append(&forged, "#Injected=1\n", 12), 0);
	ck_assert_int_eq(buf_append(&forged, cut, b.len - (size_t)(cut - (char *)b.data)), 0);
	ck_assert_int_eq(decide(&forged, NULL, &res), EIC_ERR_SIG_INVALID);
	authz_result_free(&res);
	buf_free(&b);
	buf_free(&forged);
	free(k);
}
END_TEST

START_TEST(wrong_signatures)
{
	char *k = fx_pubkey("ed25519"), *k2 = fx_pubkey("ecdsa256");
	EVP_PKEY *other = fx_privkey("ca/unrelated.key");
	struct buf b;
	struct authz_result res;
	char data[2048];
	size_t n;

	/* signed by an unrelated RSA key of the same size */
	buf_init(&b, 1 << 20);
	add_entry(&b, other, meta(30, IID), k, 0);
	ck_assert_int_eq(decide(&b, NULL, &res), EIC_ERR_SIG_INVALID);
	authz_result_free(&res);
	/* valid signature, but over another key line */
	buf_reset(&b);
	n = (size_t)snprintf(data, sizeof(data), "%s%s\n", meta(30, IID), k2);
	ck_assert_int_eq(buf_append(&b, meta(30, IID), strlen(meta(30, IID))), 0);
	ck_assert_int_eq(buf_append(&b, k, strlen(k)), 0);
	ck_assert_int_eq(buf_append(&b, "\n", 1), 0);
	sign_b64(signkey, data, n, 0, &b);
	ck_assert_int_eq(decide(&b, NULL, &res), EIC_ERR_SIG_INVALID);
	authz_result_free(&res);
	/* PSS with another salt length, and PKCS #1 v1.5: not the protocol */
	buf_reset(&b);
	n = (size_t)snprintf(data, sizeof(data), "%s%s\n", meta(30, IID), k);
	ck_assert_int_eq(buf_append(&b, data, n), 0);
	sign_b64_with(signkey, RSA_PKCS1_PSS_PADDING, 20, data, n, 0, &b);
	ck_assert_int_eq(decide(&b, NULL, &res), EIC_ERR_SIG_INVALID);
	authz_result_free(&res);
	buf_reset(&b);
	ck_assert_int_eq(buf_append(&b, data, n), 0);
	sign_b64_with(signkey, RSA_PKCS1_PADDING, 0, data, n, 0, &b);
	ck_assert_int_eq(decide(&b, NULL, &res), EIC_ERR_SIG_INVALID);
	authz_result_free(&res);
	/* truncated signature: wrong length for the key */
	buf_reset(&b);
	ck_assert_int_eq(buf_append(&b, data, n), 0);
	ck_assert_int_eq(buf_append(&b, "c2lnbmF0dXJl\n", 13), 0);
	ck_assert_int_eq(decide(&b, NULL, &res), EIC_ERR_SIG_LENGTH);
	authz_result_free(&res);
	/* not base64 */
	buf_reset(&b);
	ck_assert_int_eq(buf_append(&b, data, n), 0);
	ck_assert_int_eq(buf_append(&b, "%%not-base64%%\n", 15), 0);
	ck_assert_int_eq(decide(&b, NULL, &res), EIC_ERR_BASE64);
	authz_result_free(&res);
	buf_free(&b);
	EVP_PKEY_free(other);
	free(k);
	free(k2);
}
END_TEST

START_TEST(multi_line_signature)
{
	char *k = fx_pubkey("rsa4096");
	struct buf b;
	struct authz_result res;

	buf_init(&b, 1 << 20);
	add_entry(&b, signkey, meta(30, IID), k, 64);
	ck_assert_int_eq(decide(&b, NULL, &res), 0);
	authz_result_free(&res);
	buf_free(&b);
	free(k);
}
END_TEST

START_TEST(fingerprint_filter)
{
	char *k = fx_pubkey("ecdsa384"), *sha = fx_line("keys/ecdsa384.sha256");
	char *md5 = fx_line("keys/ecdsa384.md5"), *other = fx_line("keys/ed25519.sha256");

	ck_assert_int_eq(one(meta(30, IID), k, sha), 0);
	ck_assert_int_eq(one(meta(30, IID), k, md5), 0);
	ck_assert_int_eq(one(meta(30, IID), k, md5 + 4), 0);
	ck_assert_int_eq(one(meta(30, IID), k, other), EIC_ERR_FP_MISMATCH);
	free(k);
	free(sha);
	free(md5);
	free(other);
}
END_TEST

START_TEST(key_line_problems)
{
	char *k = fx_pubkey("ed25519"), line[1024];

	ck_assert_int_eq(one(meta(30, IID), "", NULL), EIC_ERR_ENTRY_NO_KEY);
	snprintf(line, sizeof(line), "ssh-rsa%s", strchr(k, ' '));
	ck_assert_int_eq(one(meta(30, IID), line, NULL), EIC_ERR_KEY_MISMATCH);
	snprintf(line, sizeof(line), "command=\"/bin/id\" %s", k);
	ck_assert_int_eq(one(meta(30, IID), line, NULL), EIC_ERR_KEY_TYPE);
	free(k);
}
END_TEST

START_TEST(crlf_bundle_refused)
{
	char *k = fx_pubkey("ed25519"), m[512], line[1024];

	snprintf(m, sizeof(m), "#Timestamp=%lld\r\n#Instance=%s\r\n",
	    (long long)NOW + 30, IID);
	snprintf(line, sizeof(line), "%s\r", k);
	ck_assert_int_eq(one(m, line, NULL), EIC_ERR_CRLF);
	free(k);
}
END_TEST

START_TEST(mixed_bundle)
{
	char *a = fx_pubkey("ed25519"), *b2 = fx_pubkey("rsa2048"), *c = fx_pubkey("ecdsa521");
	struct buf b;
	struct authz_result res;

	buf_init(&b, 1 << 20);
	add_entry(&b, signkey, meta(30, IID), a, 0);
	add_entry(&b, signkey, meta(-30, IID), b2, 0);
	ck_assert_int_eq(buf_append(&b, "\n#Timestamp=oops\nssh-ed25519 AAAA\nc2ln\n", 39), 0);
	add_entry(&b, signkey, meta(30, "i-00000000"), c, 0);
	add_entry(&b, signkey, meta(45, IID), c, 0);
	decide(&b, NULL, &res);
	ck_assert_uint_eq(res.n, 5);
	ck_assert_int_eq(res.items[0].verdict, 0);
	ck_assert_int_eq(res.items[1].verdict, EIC_ERR_EXPIRED);
	ck_assert_int_eq(res.items[2].verdict, EIC_ERR_NUMBER);
	ck_assert_int_eq(res.items[3].verdict, EIC_ERR_OTHER_INSTANCE);
	ck_assert_int_eq(res.items[4].verdict, 0);
	ck_assert_uint_eq(res.authorized, 2);
	authz_result_free(&res);
	buf_free(&b);
	free(a);
	free(b2);
	free(c);
}
END_TEST

START_TEST(empty_bundle)
{
	struct buf b;
	struct authz_result res;

	buf_init(&b, 16);
	decide(&b, NULL, &res);
	ck_assert_uint_eq(res.n, 0);
	ck_assert_uint_eq(res.authorized, 0);
	authz_result_free(&res);
}
END_TEST

/*
 * The prefilter's verdicts, handed to authz_decide, change no verdict; an
 * entry they refused is not looked at again, and every other entry still
 * gets every check (instance, signature).
 */
START_TEST(prior_verdicts)
{
	char *k = fx_pubkey("ed25519"), *mine = fx_pubkey("ecdsa256");
	char *fp = fx_line("keys/ecdsa256.sha256");
	struct keycheck_policy pol = { NOW, 60, 300, NULL };
	struct authz_result a, b;
	EVP_PKEY *other = fx_privkey("ca/inter.key");
	struct sshkey_fp f;
	struct keyblob kb;
	struct buf bundle;
	int prior[6];
	size_t i;

	buf_init(&bundle, KEYBLOB_MAX_BYTES);
	add_entry(&bundle, signkey, meta(30, IID), mine, 0);		/* valid */
	add_entry(&bundle, signkey, meta(-30, IID), mine, 0);		/* expired */
	add_entry(&bundle, signkey, meta(30, IID), k, 0);		/* other key */
	add_entry(&bundle, signkey, meta(30, "i-00000000000000001"), mine, 0);
	add_entry(&bundle, other, meta(30, IID), mine, 0);		/* bad signature */
	add_entry(&bundle, signkey, meta(30, IID), mine, 0);		/* valid */
	ck_assert_int_eq(sshkey_fp_parse(fp, &f), 0);
	pol.fp = &f;
	ck_assert_int_eq(keyblob_parse(buf_slice(&bundle), &kb), 0);
	ck_assert_uint_eq(kb.n, 6);
	ck_assert_uint_eq(authz_candidates(&kb, &pol, prior), 4);
	ck_assert_int_eq(prior[1], EIC_ERR_EXPIRED);
	ck_assert_int_eq(prior[2], EIC_ERR_FP_MISMATCH);
	ck_assert_int_eq(authz_decide(&kb, &pol, NULL, IID, signpub, &a), 0);
	ck_assert_int_eq(authz_decide(&kb, &pol, prior, IID, signpub, &b), 0);
	ck_assert_uint_eq(a.authorized, 2);
	ck_assert_uint_eq(b.authorized, 2);
	for (i = 0; i < 6; i++) {
		ck_assert_int_eq(a.items[i].verdict, b.items[i].verdict);
		ck_assert_str_eq(a.items[i].fp, b.items[i].fp);
	}
	ck_assert_int_eq(b.items[3].verdict, EIC_ERR_OTHER_INSTANCE);
	ck_assert_int_eq(b.items[4].verdict, EIC_ERR_SIG_INVALID);
	ck_assert_str_eq(b.items[1].fp, "");
	ck_assert_str_ne(b.items[0].fp, "");
	authz_result_free(&b);
	/* a refusal in prior stands; a pass in prior is checked again in full */
	prior[0] = EIC_ERR_EXPIRED;
	prior[4] = 0;
	ck_assert_int_eq(authz_decide(&kb, &pol, prior, IID, signpub, &b), 0);
	ck_assert_int_eq(b.items[0].verdict, EIC_ERR_EXPIRED);
	ck_assert_int_eq(b.items[4].verdict, EIC_ERR_SIG_INVALID);
	ck_assert_uint_eq(b.authorized, 1);
	authz_result_free(&a);
	authz_result_free(&b);
	keyblob_free(&kb);
	buf_free(&bundle);
	EVP_PKEY_free(other);
	free(k);
	free(mine);
	free(fp);
}
END_TEST

START_TEST(thousand_entries)
{
	char *k = fx_pubkey("ed25519"), *mine = fx_pubkey("ecdsa256"), *fp = fx_line("keys/ecdsa256.sha256");
	struct keycheck_policy pol = { NOW, 60, 300, NULL };
	struct sshkey_fp f;
	struct keyblob kb;
	struct buf b;
	struct authz_result res;
	size_t i;

	buf_init(&b, KEYBLOB_MAX_BYTES);
	for (i = 0; i < 1000; i++)
		add_entry(&b, signkey, meta(30, IID), i == 737 ? mine : k, 0);
	/* without %f: every valid entry counts */
	decide(&b, NULL, &res);
	ck_assert_uint_eq(res.n, 1000);
	ck_assert_uint_eq(res.authorized, 1000);
	authz_result_free(&res);
	/* with %f: one candidate survives the cheap checks, and is authorized */
	ck_assert_int_eq(sshkey_fp_parse(fp, &f), 0);
	pol.fp = &f;
	ck_assert_int_eq(keyblob_parse(buf_slice(&b), &kb), 0);
	ck_assert_uint_eq(authz_candidates(&kb, &pol, NULL), 1);
	keyblob_free(&kb);
	decide(&b, fp, &res);
	ck_assert_uint_eq(res.authorized, 1);
	ck_assert_int_eq(res.items[737].verdict, 0);
	ck_assert_int_eq(res.items[0].verdict, EIC_ERR_FP_MISMATCH);
	authz_result_free(&res);
	buf_free(&b);
	free(k);
	free(mine);
	free(fp);
}
END_TEST

START_TEST(decide_refuses_without_signer)
{
	struct keycheck_policy pol = { NOW, 60, 300, NULL };
	struct keyblob kb = { NULL, 0, 0 };
	struct authz_result res;

	ck_assert_int_eq(authz_decide(&kb, &pol, NULL, IID, NULL, &res), EIC_ERR_INTERNAL);
	ck_assert_int_eq(authz_decide(&kb, &pol, NULL, NULL, signpub, &res), EIC_ERR_INTERNAL);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("authz");
	TCase *tc = tcase_create("authz");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, valid_key_of_each_type, 0, 6);
	tcase_add_test(tc, expiry_window);
	tcase_add_test(tc, missing_fields);
	tcase_add_test(tc, other_instance);
	tcase_add_test(tc, unknown_metadata_is_signed_too);
	tcase_add_test(tc, wrong_signatures);
	tcase_add_test(tc, multi_line_signature);
	tcase_add_test(tc, fingerprint_filter);
	tcase_add_test(tc, key_line_problems);
	tcase_add_test(tc, crlf_bundle_refused);
	tcase_add_test(tc, mixed_bundle);
	tcase_add_test(tc, empty_bundle);
	tcase_add_test(tc, thousand_entries);
	tcase_add_test(tc, prior_verdicts);
	tcase_add_test(tc, decide_refuses_without_signer);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
