/* Key bundle structure: entries, metadata, signatures, caps. */
#include "testutil.h"
#include "err.h"
#include "keyblob.h"

static const char SIG[] = "c2lnbmF0dXJl\n";	/* "signature" */

static void
parse_str(const char *text, struct keyblob *kb)
{
	ck_assert_int_eq(keyblob_parse(slice_str(text), kb), 0);
}

START_TEST(empty_bundle_has_no_entries)
{
	struct keyblob kb;

	parse_str("", &kb);
	ck_assert_uint_eq(kb.n, 0);
	keyblob_free(&kb);
	parse_str("\n\n\n", &kb);
	ck_assert_uint_eq(kb.n, 0);
	keyblob_free(&kb);
}
END_TEST

START_TEST(fields_and_signed_bytes)
{
	const char *text =
	    "#Timestamp=1732147260\n#Instance=i-0123456789abcdef0\n"
	    "#Caller=arn:aws:iam::123456789012:user/alice\n#Request=5f3b\n"
	    "#Future=anything at all\n"
	    "ssh-ed25519 AAAA comment\nc2lnbmF0\ndXJl\n";
	struct keyblob kb;
	struct keyblob_entry *e;
	const char *signed_end = strstr(text, "c2ln");

	parse_str(text, &kb);
	ck_assert_uint_eq(kb.n, 1);
	e = &kb.entries[0];
	ck_assert_int_eq(e->error, 0);
	ck_assert_int_eq(e->has_timestamp, 1);
	ck_assert_int_eq(e->timestamp, 1732147260);
	ck_assert(slice_eq_str(e->instance, "i-0123456789abcdef0"));
	ck_assert(slice_eq_str(e->caller, "arn:aws:iam::123456789012:user/alice"));
	ck_assert(slice_eq_str(e->request, "5f3b"));
	ck_assert(slice_eq_str(e->key_line, "ssh-ed25519 AAAA comment"));
	/* signed bytes: every metadata line (unknown ones too) and the key line */
	ck_assert_ptr_eq(e->signed_data.ptr, (const unsigned char *)text);
	ck_assert_uint_eq(e->signed_data.len, (size_t)(signed_end - text));
	/* multi-line signature joined before decoding */
	ck_assert_uint_eq(e->siglen, 9);
	ck_assert_mem_eq(e->sig, "signature", 9);
	keyblob_free(&kb);
}
END_TEST

START_TEST(entries_split_on_blank_lines)
{
	char text[512];
	struct keyblob kb;

	snprintf(text, sizeof(text), "\n#Timestamp=1\nssh-ed25519 A\n%s\n\n\n"
	    "#Timestamp=2\nssh-ed25519 B\n%s#Timestamp=3\nssh-ed25519 C\n%s",
	    SIG, SIG, SIG);
	parse_str(text, &kb);
	ck_assert_uint_eq(kb.n, 2);
	ck_assert_int_eq(kb.entries[0].timestamp, 1);
	ck_assert_uint_eq(kb.entries[0].lineno, 2);
	ck_assert_int_eq(kb.entries[1].timestamp, 2);
	/* no blank line: "#Timestamp=3" comes after signature lines */
	ck_assert_int_eq(kb.entries[1].error, EIC_ERR_ENTRY_ORDER);
	keyblob_free(&kb);
}
END_TEST

static const struct {
	const char *text;
	int err;
} malformed[] = {
	{ "#Timestamp=1\n#Instance=i-1\n", EIC_ERR_ENTRY_NO_KEY },
	{ "#Timestamp=1\nssh-ed25519 AAAA\n", EIC_ERR_ENTRY_NO_SIG },
	{ "#Timestamp=1\nssh-ed25519 AAAA", EIC_ERR_ENTRY_NO_SIG },
	{ "#Timestamp=1\nssh-ed25519 AAAA\nnot base64!\n", EIC_ERR_BASE64 },
	{ "#Timestamp=1\nssh-ed25519 AAAA\nc2lnbmF0dXJl\n#Late=1\n", EIC_ERR_ENTRY_ORDER },
	{ "#Timestamp=1\n#Timestamp=2\nssh-ed25519 AAAA\nc2lnbmF0dXJl\n", EIC_ERR_ENTRY_DUP },
	{ "#Instance=i-1\n#Instance=i-2\nssh-ed25519 AAAA\nc2lnbmF0dXJl\n", EIC_ERR_ENTRY_DUP },
	{ "#Timestamp=-5\nssh-ed25519 AAAA\nc2lnbmF0dXJl\n", EIC_ERR_NUMBER },
	{ "#Timestamp=12x\nssh-ed25519 AAAA\nc2lnbmF0dXJl\n", EIC_ERR_NUMBER },
	{ "#Timestamp=\nssh-ed25519 AAAA\nc2lnbmF0dXJl\n", EIC_ERR_NUMBER },
	{ "#Timestamp=9999999999999999999999\nssh-ed25519 AAAA\nc2lnbmF0dXJl\n", EIC_ERR_NUMBER },
	{ "#NoEquals\nssh-ed25519 AAAA\nc2lnbmF0dXJl\n", EIC_ERR_ENTRY_META },
	{ "#=value\nssh-ed25519 AAAA\nc2lnbmF0dXJl\n", EIC_ERR_ENTRY_META },
	{ "#Bad Name=1\nssh-ed25519 AAAA\nc2lnbmF0dXJl\n", EIC_ERR_ENTRY_META },
	{ "#Caller=a\x01" "b\nssh-ed25519 AAAA\nc2lnbmF0dXJl\n", EIC_ERR_CHARSET },
	/* CRLF: refused, see README */
	{ "#Timestamp=1\r\nssh-ed25519 AAAA\r\nc2lnbmF0dXJl\r\n", EIC_ERR_CRLF },
	{ "#Timestamp=1\nssh-ed25519 AAAA\nc2lnbmF0dXJl\r\n", EIC_ERR_CRLF },
};

START_TEST(malformed_entries_carry_their_reason)
{
	struct keyblob kb;

	parse_str(malformed[_i].text, &kb);
	ck_assert_uint_eq(kb.n, 1);
	ck_assert_int_eq(kb.entries[0].error, malformed[_i].err);
	keyblob_free(&kb);
}
END_TEST

START_TEST(bad_entry_does_not_hide_good_one)
{
	char text[512];
	struct keyblob kb;

	snprintf(text, sizeof(text), "#Timestamp=x\nssh-ed25519 A\n%s\n"
	    "#Timestamp=7\nssh-ed25519 B\n%s", SIG, SIG);
	parse_str(text, &kb);
	ck_assert_uint_eq(kb.n, 2);
	ck_assert_int_eq(kb.entries[0].error, EIC_ERR_NUMBER);
	ck_assert_int_eq(kb.entries[1].error, 0);
	ck_assert_int_eq(kb.entries[1].timestamp, 7);
	keyblob_free(&kb);
}
END_TEST

START_TEST(line_caps)
{
	struct keyblob kb;
	size_t n = 1 << 20;
	unsigned char *line = malloc(n);

	/* A single 1 MB line is one malformed entry, not a crash or a key. */
	ck_assert_ptr_nonnull(line);
	memset(line, 'A', n);
	ck_assert_int_eq(keyblob_parse((struct slice){ line, n }, &kb), 0);
	ck_assert_uint_eq(kb.n, 1);
	ck_assert_int_eq(kb.entries[0].error, EIC_ERR_LIMIT);
	keyblob_free(&kb);
	free(line);
}
END_TEST

START_TEST(bundle_size_cap)
{
	struct keyblob kb;
	struct slice big = { (const unsigned char *)"", KEYBLOB_MAX_BYTES + 1 };

	ck_assert_int_eq(keyblob_parse(big, &kb), EIC_ERR_LIMIT);
	ck_assert_ptr_null(kb.entries);
}
END_TEST

START_TEST(entry_count_cap)
{
	struct buf b;
	struct keyblob kb;
	char e[64];
	size_t i;

	buf_init(&b, KEYBLOB_MAX_BYTES);
	for (i = 0; i < KEYBLOB_MAX_ENTRIES + 5; i++) {
		snprintf(e, sizeof(e), "#Timestamp=%zu\nk %zu\nc2ln\n\n", i, i);
		ck_assert_int_eq(buf_append(&b, e, strlen(e)), 0);
	}
	ck_assert_int_eq(keyblob_parse(buf_slice(&b), &kb), 0);
	ck_assert_uint_eq(kb.n, KEYBLOB_MAX_ENTRIES);
	ck_assert_int_eq(kb.truncated, 1);
	ck_assert_int_eq(kb.entries[KEYBLOB_MAX_ENTRIES - 1].timestamp,
	    KEYBLOB_MAX_ENTRIES - 1);
	keyblob_free(&kb);
	buf_free(&b);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("keyblob");
	TCase *tc = tcase_create("keyblob");

	tcase_add_test(tc, empty_bundle_has_no_entries);
	tcase_add_test(tc, fields_and_signed_bytes);
	tcase_add_test(tc, entries_split_on_blank_lines);
	tcase_add_loop_test(tc, malformed_entries_carry_their_reason, 0,
	    sizeof(malformed) / sizeof(malformed[0]));
	tcase_add_test(tc, bad_entry_does_not_hide_good_one);
	tcase_add_test(tc, line_caps);
	tcase_add_test(tc, bundle_size_cap);
	tcase_add_test(tc, entry_count_cap);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
