/* Instance metadata and user-name validation. */
#include "testutil.h"
#include "ec2.h"
#include "err.h"

static const struct {
	const char *in;
	int ok;
} ids[] = {
	{ "i-0123456789abcdef0", 1 }, { "i-01234567", 1 }, { "i-0123456789abcdef0\n", 1 },
	{ "i-0123456789abcdef0123456789abcdef", 1 },
	{ "i-0123456789abcdef0123456789abcdef0", 0 }, { "i-0123456", 0 },
	{ "i-0123456789ABCDEF0", 0 }, { "i-0123456789abcdeg0", 0 }, { "x-0123456789abcdef0", 0 },
	{ "i-0123456789abcdef0\n\n", 0 }, { " i-0123456789abcdef0", 0 }, { "", 0 },
	{ "i-01234567/../x", 0 },
};

START_TEST(instance_ids)
{
	char out[EC2_INSTANCE_ID_MAX];

	ck_assert_int_eq(ec2_instance_id(slice_str(ids[_i].in), out) == 0, ids[_i].ok);
}
END_TEST

static const struct {
	const char *zone;
	const char *region;	/* NULL: refused */
} zones[] = {
	{ "us-east-1a", "us-east-1" }, { "eu-west-2c", "eu-west-2" },
	{ "us-gov-west-1b", "us-gov-west-1" }, { "cn-north-1a", "cn-north-1" },
	{ "us-east-1", NULL }, { "us-east-1A", NULL }, { "a", NULL }, { "", NULL },
	{ "us--east-1a", NULL }, { "us-east-1a/../", NULL }, { "-us-east-1a", NULL },
};

START_TEST(zones_to_regions)
{
	char out[EC2_REGION_MAX];
	int r = ec2_region_from_zone(slice_str(zones[_i].zone), out);

	if (zones[_i].region == NULL) {
		ck_assert_int_eq(r, EIC_ERR_REGION);
	} else {
		ck_assert_int_eq(r, 0);
		ck_assert_str_eq(out, zones[_i].region);
	}
}
END_TEST

START_TEST(regions)
{
	char out[EC2_REGION_MAX];

	ck_assert_int_eq(ec2_region(slice_str("us-east-1\n"), out), 0);
	ck_assert_str_eq(out, "us-east-1");
	ck_assert_int_eq(ec2_region(slice_str("eusc-de-east-1"), out), 0);
	ck_assert_int_eq(ec2_region(slice_str("us-east-1."), out), EIC_ERR_REGION);
	ck_assert_int_eq(ec2_region(slice_str("us east 1"), out), EIC_ERR_REGION);
	ck_assert_int_eq(ec2_region(slice_str("US-EAST-1"), out), EIC_ERR_REGION);
	ck_assert_int_eq(ec2_region(slice_str("us-east-1.evil.com"), out), EIC_ERR_REGION);
}
END_TEST

START_TEST(domains_and_cn)
{
	const char *allowed[] = { "amazonaws.com", "amazonaws.com.cn" };
	char out[EC2_DOMAIN_MAX], cn[EC2_CN_MAX];

	ck_assert_int_eq(ec2_domain(slice_str("amazonaws.com\n"), allowed, 2, out), 0);
	ck_assert_str_eq(out, "amazonaws.com");
	ck_assert_int_eq(ec2_domain(slice_str("amazonaws.com.cn"), allowed, 2, out), 0);
	ck_assert_int_eq(ec2_domain(slice_str("evil.com"), allowed, 2, out), EIC_ERR_DOMAIN);
	ck_assert_int_eq(ec2_domain(slice_str("amazonaws.co"), allowed, 2, out), EIC_ERR_DOMAIN);
	ck_assert_int_eq(ec2_domain(slice_str("AMAZONAWS.COM"), allowed, 2, out), EIC_ERR_DOMAIN);
	ck_assert_int_eq(ec2_domain(slice_str(""), allowed, 2, out), EIC_ERR_DOMAIN);
	ck_assert_int_eq(ec2_signer_cn("us-east-1", "amazonaws.com", cn, sizeof(cn)), 0);
	ck_assert_str_eq(cn, "managed-ssh-signer.us-east-1.amazonaws.com");
}
END_TEST

static const struct {
	const char *user;
	int ok;
} users[] = {
	{ "ec2-user", 1 }, { "ubuntu", 1 }, { "_svc", 1 }, { "a", 1 }, { "first.last", 1 },
	{ "user@corp", 1 }, { "machine$", 1 }, { "abcdefghijklmnopqrstuvwxyz012345", 1 },
	{ "abcdefghijklmnopqrstuvwxyz0123456", 0 }, { "", 0 }, { "1user", 0 },
	{ "-user", 0 }, { ".user", 0 }, { "..", 0 }, { "a/b", 0 }, { "a%2fb", 0 },
	{ "a b", 0 }, { "a\nb", 0 }, { "a\tb", 0 }, { "a$b", 0 }, { "r\xc3\xa9mi", 0 },
	{ "../etc", 0 },
};

START_TEST(user_names)
{
	ck_assert_int_eq(ec2_user_valid(users[_i].user) == 0, users[_i].ok);
}
END_TEST

START_TEST(path_encoding)
{
	char out[128];

	ck_assert_int_eq(ec2_path_encode("ec2-user", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "ec2-user");
	ck_assert_int_eq(ec2_path_encode("a@b$", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "a%40b%24");
	ck_assert_int_eq(ec2_path_encode("../x y/%", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "..%2Fx%20y%2F%25");
	ck_assert_int_eq(ec2_path_encode("abcdef", out, 6), EIC_ERR_LIMIT);
}
END_TEST

START_TEST(staple_lists)
{
	char names[4][SIGNER_SHA1_HEX];
	size_t n = 99;
	const char *a = "0123456789ABCDEF0123456789ABCDEF01234567";
	const char *b = "89ABCDEF0123456789ABCDEF0123456789ABCDEF";
	char list[256];

	snprintf(list, sizeof(list), "%s\n%s\n%s\n", a, b, a);
	ck_assert_int_eq(ec2_staple_names(slice_str(list), names, 4, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(names[1], b);
	ck_assert_int_eq(ec2_staple_names(slice_str(""), names, 4, &n), 0);
	ck_assert_uint_eq(n, 0);
	snprintf(list, sizeof(list), "%s\n../etc/passwd\n", a);
	ck_assert_int_eq(ec2_staple_names(slice_str(list), names, 4, &n), EIC_ERR_OCSP_FORMAT);
	ck_assert_int_eq(ec2_staple_names(slice_str("0123456789abcdef0123456789abcdef01234567"),
	    names, 4, &n), EIC_ERR_OCSP_FORMAT);
	snprintf(list, sizeof(list), "%s\n%s\n", a, b);
	ck_assert_int_eq(ec2_staple_names(slice_str(list), names, 1, &n), EIC_ERR_LIMIT);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ec2");
	TCase *tc = tcase_create("ec2");

	tcase_add_loop_test(tc, instance_ids, 0, sizeof(ids) / sizeof(ids[0]));
	tcase_add_loop_test(tc, zones_to_regions, 0, sizeof(zones) / sizeof(zones[0]));
	tcase_add_test(tc, regions);
	tcase_add_test(tc, domains_and_cn);
	tcase_add_loop_test(tc, user_names, 0, sizeof(users) / sizeof(users[0]));
	tcase_add_test(tc, path_encoding);
	tcase_add_test(tc, staple_lists);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
