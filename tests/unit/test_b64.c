/* Strict base64: RFC 4648 vectors and every way to be non-canonical. */
#include "testutil.h"
#include "err.h"

static const struct {
	const char *enc;
	const char *dec;
} good[] = {
	{ "Zg==", "f" }, { "Zm8=", "fo" }, { "Zm9v", "foo" },
	{ "Zm9vYg==", "foob" }, { "Zm9vYmE=", "fooba" }, { "Zm9vYmFy", "foobar" },
};

START_TEST(decode_rfc4648_vectors)
{
	unsigned char *out = NULL;
	size_t len = 0;

	ck_assert_int_eq(b64_decode(slice_str(good[_i].enc), 64, &out, &len), 0);
	ck_assert_uint_eq(len, strlen(good[_i].dec));
	ck_assert_mem_eq(out, good[_i].dec, len);
	free(out);
}
END_TEST

START_TEST(encode_rfc4648_vectors)
{
	char dst[32];

	ck_assert_int_eq(b64_encode((const unsigned char *)good[_i].dec,
	    strlen(good[_i].dec), 0, dst, sizeof(dst)), 0);
	ck_assert_str_eq(dst, good[_i].enc);
}
END_TEST

static const struct {
	const char *enc;
	int err;
} bad[] = {
	{ "", EIC_ERR_BASE64 },
	{ "Zg=", EIC_ERR_BASE64 },	/* length not a multiple of 4 */
	{ "Zg", EIC_ERR_BASE64 },
	{ "Zh==", EIC_ERR_BASE64 },	/* non-zero pad bits */
	{ "Zm9=", EIC_ERR_BASE64 },	/* non-zero pad bits */
	{ "Z===", EIC_ERR_BASE64 },	/* three pad characters */
	{ "Zg==Zg==", EIC_ERR_BASE64 },	/* padding in the middle */
	{ "Zm 9v", EIC_ERR_BASE64 },	/* whitespace */
	{ "Zm9v\n", EIC_ERR_BASE64 },
	{ "Zm9-", EIC_ERR_BASE64 },	/* base64url alphabet */
	{ "Zm9_", EIC_ERR_BASE64 },
	{ "=Zm9", EIC_ERR_BASE64 },
};

START_TEST(decode_rejects_noncanonical)
{
	unsigned char *out = (unsigned char *)"untouched";
	size_t len = 7;

	ck_assert_int_eq(b64_decode(slice_str(bad[_i].enc), 64, &out, &len),
	    bad[_i].err);
	/* outputs untouched on failure */
	ck_assert_str_eq((char *)out, "untouched");
	ck_assert_uint_eq(len, 7);
}
END_TEST

START_TEST(decode_enforces_max)
{
	unsigned char *out = NULL;
	size_t len = 0;

	ck_assert_int_eq(b64_decode(slice_str("Zm9vYmFy"), 5, &out, &len), EIC_ERR_LIMIT);
	ck_assert_int_eq(b64_decode(slice_str("Zm9vYmFy"), 6, &out, &len), 0);
	free(out);
}
END_TEST

START_TEST(encode_nopad_and_small_buffer)
{
	char dst[8];

	ck_assert_int_eq(b64_encode((const unsigned char *)"f", 1, 1, dst, sizeof(dst)), 0);
	ck_assert_str_eq(dst, "Zg");
	ck_assert_int_eq(b64_encode((const unsigned char *)"foobar", 6, 0, dst, 8), EIC_ERR_LIMIT);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("b64");
	TCase *tc = tcase_create("b64");

	tcase_add_loop_test(tc, decode_rfc4648_vectors, 0, sizeof(good) / sizeof(good[0]));
	tcase_add_loop_test(tc, encode_rfc4648_vectors, 0, sizeof(good) / sizeof(good[0]));
	tcase_add_loop_test(tc, decode_rejects_noncanonical, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, decode_enforces_max);
	tcase_add_test(tc, encode_nopad_and_small_buffer);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
