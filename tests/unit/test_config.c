/* Configuration: defaults, YAML parsing, refusals, file ownership. */
#include <sys/stat.h>

#include <unistd.h>

#include "testutil.h"
#include "config.h"
#include "err.h"

START_TEST(defaults_are_production_values)
{
	struct config c;

	config_defaults(&c);
	ck_assert_int_eq(c.imds_endpoint, CONFIG_ENDPOINT_AUTO);
	ck_assert_str_eq(c.imds_url, "");
	ck_assert_int_eq(c.deadline_ms, 5000);
	ck_assert_int_eq(c.push_window, 60);
	ck_assert_int_eq(c.clock_skew, 300);
	ck_assert_int_eq(c.ec2_check, 1);
	ck_assert_int_eq(c.imds_prefetch, 0);
	ck_assert_str_eq(c.ca_dir, "/etc/ssl/certs");
	ck_assert_uint_eq(c.ndomains, 7);
	ck_assert_str_eq(c.domains[0], "amazonaws.com");
	ck_assert_str_eq(c.domains[6], "amazonaws.eu");
}
END_TEST

START_TEST(full_file)
{
	const char *y =
	    "# every setting\n"
	    "imds_endpoint: ipv6\n"
	    "imds_url: \"http://127.0.0.1:8080\"\n"
	    "imds_timeout_ms: 250\n"
	    "imds_token_ttl: 30\n"
	    "deadline_ms: 2000\n"
	    "ca_dir: /tmp/ca\n"
	    "ca_file: ''\n"
	    "allowed_domains:\n  - amazonaws.com\n  - example.test\n"
	    "push_window: 60\n"
	    "clock_skew: 0\n"
	    "ocsp_leeway: 60\n"
	    "ec2_check: false\n"
	    "imds_prefetch: yes\n"
	    "log_level: debug\n";
	struct config c;
	char why[256];

	config_defaults(&c);
	ck_assert_int_eq(config_parse(slice_str(y), &c, why, sizeof(why)), 0);
	ck_assert_int_eq(c.imds_endpoint, CONFIG_ENDPOINT_IPV6);
	ck_assert_str_eq(c.imds_url, "http://127.0.0.1:8080");
	ck_assert_int_eq(c.imds_timeout_ms, 250);
	ck_assert_int_eq(c.imds_token_ttl, 30);
	ck_assert_int_eq(c.deadline_ms, 2000);
	ck_assert_str_eq(c.ca_dir, "/tmp/ca");
	ck_assert_str_eq(c.ca_file, "");
	ck_assert_uint_eq(c.ndomains, 2);
	ck_assert_str_eq(c.domains[1], "example.test");
	ck_assert_int_eq(c.clock_skew, 0);
	ck_assert_int_eq(c.ocsp_leeway, 60);
	ck_assert_int_eq(c.ec2_check, 0);
	ck_assert_int_eq(c.imds_prefetch, 1);
	ck_assert_int_eq(c.log_level, CONFIG_LOG_DEBUG);
}
END_TEST

START_TEST(empty_and_comment_only_files_keep_defaults)
{
	struct config c, d;
	char why[256];

	config_defaults(&d);
	config_defaults(&c);
	ck_assert_int_eq(config_parse(slice_str(""), &c, why, sizeof(why)), 0);
	ck_assert_mem_eq(&c, &d, sizeof(c));
	ck_assert_int_eq(config_parse(slice_str("# nothing\n\n"), &c, why, sizeof(why)), 0);
	ck_assert_mem_eq(&c, &d, sizeof(c));
}
END_TEST

static const struct {
	const char *yaml;
	const char *why;	/* a word the reason must contain */
} refused[] = {
	{ "imds_endpoit: auto\n", "unknown setting" },
	{ "deadline_ms: 5000\ndeadline_ms: 4000\n", "twice" },
	{ "deadline_ms: 5s\n", "bad value" },
	{ "deadline_ms: -1\n", "bad value" },
	{ "deadline_ms: 99999999999999999999\n", "bad value" },
	{ "deadline_ms: 10\n", "bad value" },
	{ "imds_token_ttl: 0\n", "bad value" },
	{ "imds_token_ttl: 21601\n", "bad value" },
	{ "imds_endpoint: ipv5\n", "bad value" },
	{ "imds_url: https://169.254.169.254\n", "bad value" },
	{ "imds_url: file:///etc/passwd\n", "bad value" },
	{ "ec2_check: maybe\n", "bad value" },
	{ "ca_dir: relative/path\n", "bad value" },
	{ "log_level: loud\n", "bad value" },
	{ "allowed_domains: amazonaws.com\n", "list" },
	{ "allowed_domains: []\nallowed_domains: []\n", "twice" },
	{ "allowed_domains:\n  - ''\n", "domain" },
	{ "allowed_domains:\n  - [nested]\n", "domain" },
	{ "- a\n- b\n", "mapping" },
	{ "just a string\n", "mapping" },
	{ "deadline_ms: &x 5000\nimds_timeout_ms: *x\n", "" },
	{ "deadline_ms: !!int 5000\n", "bad value" },
	{ "deadline_ms: [1]\n", "bad value" },
	{ "key: {a: b}\n", "unknown setting" },
	{ "deadline_ms: 5000\n---\ndeadline_ms: 4000\n", "one YAML document" },
	{ "deadline_ms: \"5000\n", "syntax" },
};

START_TEST(bad_files_refused_with_reason)
{
	struct config c, d;
	char why[256];

	config_defaults(&c);
	d = c;
	ck_assert_int_eq(config_parse(slice_str(refused[_i].yaml), &c, why,
	    sizeof(why)), EIC_ERR_CONFIG);
	ck_assert_msg(strstr(why, refused[_i].why) != NULL, "reason '%s' lacks '%s'",
	    why, refused[_i].why);
	/* cfg untouched on failure */
	ck_assert_mem_eq(&c, &d, sizeof(c));
}
END_TEST

START_TEST(file_ownership_and_mode)
{
	char dir[] = "/tmp/eic-config-XXXXXX", path[128], why[256];
	struct config c;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/config.yaml", dir);
	f = fopen(path, "w");
	fputs("deadline_ms: 3000\n", f);
	fclose(f);
	config_defaults(&c);
	ck_assert_int_eq(chmod(path, 0644), 0);
	if (geteuid() == 0) {
		ck_assert_int_eq(config_load(path, 1, &c, why, sizeof(why)), 0);
		ck_assert_int_eq(c.deadline_ms, 3000);
		ck_assert_int_eq(chown(path, 1, 1), 0);
		ck_assert_int_eq(config_load(path, 1, &c, why, sizeof(why)),
		    EIC_ERR_CONFIG_PERM);
		ck_assert_int_eq(chown(path, 0, 0), 0);
	}
	ck_assert_int_eq(chmod(path, 0664), 0);
	ck_assert_int_eq(config_load(path, 1, &c, why, sizeof(why)), EIC_ERR_CONFIG_PERM);
	ck_assert_int_eq(chmod(path, 0646), 0);
	ck_assert_int_eq(config_load(path, 1, &c, why, sizeof(why)), EIC_ERR_CONFIG_PERM);
	unlink(path);
	/* missing: fine when optional, refused when named explicitly */
	ck_assert_int_eq(config_load(path, 0, &c, why, sizeof(why)), 0);
	ck_assert_int_eq(config_load(path, 1, &c, why, sizeof(why)), EIC_ERR_CONFIG);
	/* a file over the cap is refused when read, with its reason */
	f = fopen(path, "w");
	for (int i = 0; i < CONFIG_MAX_BYTES / 9 + 1; i++)
		fputs("# padded\n", f);	/* 9 bytes a line: just over the cap */
	fclose(f);
	ck_assert_int_eq(chmod(path, 0644), 0);
	if (geteuid() == 0) {
		ck_assert_int_eq(config_load(path, 1, &c, why, sizeof(why)), EIC_ERR_CONFIG);
		ck_assert_ptr_nonnull(strstr(why, "larger than"));
	}
	unlink(path);
	/* a directory is not a config file */
	ck_assert_int_eq(config_load(dir, 1, &c, why, sizeof(why)), EIC_ERR_CONFIG);
	rmdir(dir);
}
END_TEST

START_TEST(shipped_config_parses_to_defaults)
{
	struct config c, d;
	char why[256];
	unsigned char *y;
	size_t n;
	FILE *f = fopen("conf/config.yaml", "rb");
	long len;

	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	y = malloc((size_t)len);
	n = fread(y, 1, (size_t)len, f);
	fclose(f);
	config_defaults(&c);
	config_defaults(&d);
	ck_assert_int_eq(config_parse((struct slice){ y, n }, &c, why, sizeof(why)), 0);
	/* the documented file states the built-in defaults, nothing else */
	ck_assert_mem_eq(&c, &d, sizeof(c));
	free(y);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");

	tcase_add_test(tc, defaults_are_production_values);
	tcase_add_test(tc, full_file);
	tcase_add_test(tc, empty_and_comment_only_files_keep_defaults);
	tcase_add_loop_test(tc, bad_files_refused_with_reason, 0,
	    sizeof(refused) / sizeof(refused[0]));
	tcase_add_test(tc, file_ownership_and_mode);
	tcase_add_test(tc, shipped_config_parses_to_defaults);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
