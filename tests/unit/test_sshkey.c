/* SSH key lines and fingerprints, held against ssh-keygen's own output. */
#include "testutil.h"
#include "err.h"
#include "sshkey.h"

static const char *const names[] = {
	"rsa2048", "rsa4096", "ed25519", "ecdsa256", "ecdsa384", "ecdsa521",
};
static const enum sshkey_kind kinds[] = {
	SSHKEY_RSA, SSHKEY_RSA, SSHKEY_ED25519, SSHKEY_ECDSA_P256,
	SSHKEY_ECDSA_P384, SSHKEY_ECDSA_P521,
};

START_TEST(parses_every_supported_type)
{
	char *line = fx_pubkey(names[_i]);
	struct sshkey k;

	ck_assert_int_eq(sshkey_parse(slice_str(line), &k), 0);
	ck_assert_int_eq(k.kind, kinds[_i]);
	ck_assert_uint_eq(k.line.len, strlen(line));
	sshkey_clear(&k);
	free(line);
}
END_TEST

START_TEST(fingerprints_match_ssh_keygen)
{
	char *line = fx_pubkey(names[_i]), rel[64], fp[SSHKEY_FP_STRLEN];
	char *sha, *md5, *bare;
	struct sshkey k;
	struct sshkey_fp f;

	snprintf(rel, sizeof(rel), "keys/%s.sha256", names[_i]);
	sha = fx_line(rel);
	snprintf(rel, sizeof(rel), "keys/%s.md5", names[_i]);
	md5 = fx_line(rel);
	ck_assert_int_eq(sshkey_parse(slice_str(line), &k), 0);
	ck_assert_int_eq(sshkey_fp_sha256(k.blob, k.bloblen, fp, sizeof(fp)), 0);
	ck_assert_str_eq(fp, sha);
	ck_assert_int_eq(sshkey_fp_parse(sha, &f), 0);
	ck_assert_int_eq(sshkey_fp_match(&f, k.blob, k.bloblen), 0);
	ck_assert_int_eq(sshkey_fp_parse(md5, &f), 0);
	ck_assert_int_eq(sshkey_fp_match(&f, k.blob, k.bloblen), 0);
	/* legacy bare hex, upper case too */
	bare = md5 + 4;
	for (char *p = bare; *p; p++)
		*p = (char)(*p >= 'a' && *p <= 'f' ? *p - 32 : *p);
	ck_assert_int_eq(sshkey_fp_parse(bare, &f), 0);
	ck_assert_int_eq(sshkey_fp_match(&f, k.blob, k.bloblen), 0);
	sshkey_clear(&k);
	free(line);
	free(sha);
	free(md5);
}
END_TEST

START_TEST(fingerprint_of_other_key_mismatches)
{
	char *a = fx_pubkey("ed25519"), *fpb = fx_line("keys/ecdsa256.sha256");
	char *md5b = fx_line("keys/rsa2048.md5");
	struct sshkey k;
	struct sshkey_fp f;

	ck_assert_int_eq(sshkey_parse(slice_str(a), &k), 0);
	ck_assert_int_eq(sshkey_fp_parse(fpb, &f), 0);
	ck_assert_int_eq(sshkey_fp_match(&f, k.blob, k.bloblen), EIC_ERR_FP_MISMATCH);
	ck_assert_int_eq(sshkey_fp_parse(md5b, &f), 0);
	ck_assert_int_eq(sshkey_fp_match(&f, k.blob, k.bloblen), EIC_ERR_FP_MISMATCH);
	sshkey_clear(&k);
	free(a);
	free(fpb);
	free(md5b);
}
END_TEST

static const char *const bad_fps[] = {
	"", "SHA256:", "SHA256:abc", "SHA256:DBwHQMZEKe2aDBNn0UaUuJ7lWaAru1aikRLZGQeVsRQ=",
	"SHA256:DBwHQMZEKe2aDBNn0UaUuJ7lWaAru1aikRLZGQeVsR!", "sha256:DBwHQMZEKe2aDBNn0UaUuJ7lWaAru1aikRLZGQeVsRQ",
	"MD5:76:35:63:47:1c:43:8a:a3:45:a5:97:fb:ac:66:ac", "MD5:7635634.1c438aa345a597fbac66ac87",
	"76-35-63-47-1c-43-8a-a3-45-a5-97-fb-ac-66-ac-87", "MD5:76:35:63:47:1c:43:8a:a3:45:a5:97:fb:ac:66:ac:8g",
	"SHA1:abc",
};

START_TEST(malformed_fingerprint_arguments)
{
	struct sshkey_fp f;

	ck_assert_int_eq(sshkey_fp_parse(bad_fps[_i], &f), EIC_ERR_FP_FORMAT);
}
END_TEST

/* Builds "<type> <b64 of blob>" from a real key with a swapped type. */
static char *
retyped(const char *keyname, const char *texttype)
{
	char *line = fx_pubkey(keyname), *sp = strchr(line, ' '), *out;

	ck_assert_ptr_nonnull(sp);
	out = malloc(strlen(line) + 64);
	snprintf(out, strlen(line) + 64, "%s%s", texttype, sp);
	free(line);
	return out;
}

START_TEST(type_mismatch_rejected)
{
	char *a = retyped("ed25519", "ssh-rsa");
	char *b = retyped("ecdsa256", "ecdsa-sha2-nistp384");
	char *c = retyped("rsa2048", "ssh-ed25519");
	struct sshkey k;

	ck_assert_int_eq(sshkey_parse(slice_str(a), &k), EIC_ERR_KEY_MISMATCH);
	ck_assert_int_eq(sshkey_parse(slice_str(b), &k), EIC_ERR_KEY_MISMATCH);
	ck_assert_int_eq(sshkey_parse(slice_str(c), &k), EIC_ERR_KEY_MISMATCH);
	free(a);
	free(b);
	free(c);
}
END_TEST

START_TEST(options_prefix_and_unknown_types_rejected)
{
	char *line = fx_pubkey("ed25519"), buf[1024];
	struct sshkey k;

	snprintf(buf, sizeof(buf), "command=\"/bin/sh\" %s", line);
	ck_assert_int_eq(sshkey_parse(slice_str(buf), &k), EIC_ERR_KEY_TYPE);
	snprintf(buf, sizeof(buf), "no-pty,from=\"*\" %s", line);
	ck_assert_int_eq(sshkey_parse(slice_str(buf), &k), EIC_ERR_KEY_TYPE);
	snprintf(buf, sizeof(buf), " %s", line);
	ck_assert_int_eq(sshkey_parse(slice_str(buf), &k), EIC_ERR_KEY_TYPE);
	ck_assert_int_eq(sshkey_parse(slice_str("ssh-dss AAAAB3NzaC1kc3MAAACBAP"), &k),
	    EIC_ERR_KEY_TYPE);
	ck_assert_int_eq(sshkey_parse(slice_str("sk-ssh-ed25519@openssh.com AAAA"), &k),
	    EIC_ERR_KEY_TYPE);
	free(line);
}
END_TEST

START_TEST(malformed_lines_rejected)
{
	char *line = fx_pubkey("ed25519"), buf[1024], *b64;
	struct sshkey k;

	ck_assert_int_eq(sshkey_parse(slice_str("ssh-ed25519"), &k), EIC_ERR_KEY_FORMAT);
	ck_assert_int_eq(sshkey_parse(slice_str("ssh-ed25519 "), &k), EIC_ERR_KEY_FORMAT);
	ck_assert_int_eq(sshkey_parse(slice_str("ssh-ed25519 AAAA*AAA"), &k), EIC_ERR_BASE64);
	/* control bytes anywhere, CR called out */
	snprintf(buf, sizeof(buf), "%s\r", line);
	ck_assert_int_eq(sshkey_parse(slice_str(buf), &k), EIC_ERR_CRLF);
	snprintf(buf, sizeof(buf), "%s \x1b[2J", line);
	ck_assert_int_eq(sshkey_parse(slice_str(buf), &k), EIC_ERR_CHARSET);
	/* truncated blob: drop the last 4 base64 characters of the key */
	b64 = strchr(line, ' ') + 1;
	b64[strcspn(b64, " ")] = '\0';
	snprintf(buf, sizeof(buf), "ssh-ed25519 %.*s", (int)strlen(b64) - 4, b64);
	ck_assert_int_eq(sshkey_parse(slice_str(buf), &k), EIC_ERR_KEY_BLOB);
	free(line);
}
END_TEST

START_TEST(trailing_blob_bytes_rejected)
{
	char *line = fx_pubkey("ed25519"), *b64, enc[512], buf[1024];
	unsigned char *blob = NULL, ext[256];
	size_t len = 0;
	struct sshkey k;

	b64 = strchr(line, ' ') + 1;
	b64[strcspn(b64, " ")] = '\0';
	ck_assert_int_eq(b64_decode(slice_str(b64), 256, &blob, &len), 0);
	memcpy(ext, blob, len);
	ext[len] = 0;	/* one extra byte */
	ck_assert_int_eq(b64_encode(ext, len + 1, 0, enc, sizeof(enc)), 0);
	snprintf(buf, sizeof(buf), "ssh-ed25519 %s", enc);
	ck_assert_int_eq(sshkey_parse(slice_str(buf), &k), EIC_ERR_KEY_BLOB);
	free(blob);
	free(line);
}
END_TEST

START_TEST(comment_and_separators_kept)
{
	char *line = fx_pubkey("ecdsa256"), *b64, buf[1024];
	struct sshkey k;

	b64 = strchr(line, ' ') + 1;
	b64[strcspn(b64, " ")] = '\0';
	snprintf(buf, sizeof(buf), "ecdsa-sha2-nistp256\t %s  alice@example caf\xc3\xa9", b64);
	ck_assert_int_eq(sshkey_parse(slice_str(buf), &k), 0);
	ck_assert_uint_eq(k.line.len, strlen(buf));
	sshkey_clear(&k);
	free(line);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sshkey");
	TCase *tc = tcase_create("sshkey");

	tcase_add_loop_test(tc, parses_every_supported_type, 0, 6);
	tcase_add_loop_test(tc, fingerprints_match_ssh_keygen, 0, 6);
	tcase_add_test(tc, fingerprint_of_other_key_mismatches);
	tcase_add_loop_test(tc, malformed_fingerprint_arguments, 0,
	    sizeof(bad_fps) / sizeof(bad_fps[0]));
	tcase_add_test(tc, type_mismatch_rejected);
	tcase_add_test(tc, options_prefix_and_unknown_types_rejected);
	tcase_add_test(tc, malformed_lines_rejected);
	tcase_add_test(tc, trailing_blob_bytes_rejected);
	tcase_add_test(tc, comment_and_separators_kept);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
