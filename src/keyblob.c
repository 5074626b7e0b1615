/* keyblob.c: parse the key bundle (PROTOCOL.md section 5). */
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "buf.h"
#include "err.h"
#include "keyblob.h"

#define TIMESTAMP_DIGITS_MAX 18	/* fits int64 without overflow checks */

static int
parse_timestamp(struct slice v, int64_t *out)
{
	int64_t t = 0;
	size_t i;

	if (v.len == 0 || v.len > TIMESTAMP_DIGITS_MAX)
		return EIC_ERR_NUMBER;
	for (i = 0; i < v.len; i++) {
		if (v.ptr[i] < '0' || v.ptr[i] > '9')
			return EIC_ERR_NUMBER;
		t = t * 10 + (v.ptr[i] - '0');
	}
	*out = t;
	return 0;
}

static int
set_once(struct slice *field, struct slice v)
{
	if (field->ptr != NULL)
		return EIC_ERR_ENTRY_DUP;
	field->ptr = v.ptr;
	field->len = v.len;
	return 0;
}

/* "#Name=value": Name of [A-Za-z0-9_-], value printable ASCII. */
static int
parse_meta(struct slice line, struct keyblob_entry *e)
{
	struct slice name, value;
	size_t i;
	int r;

	for (i = 1; i < line.len && line.ptr[i] != '='; i++) {
		unsigned char ch = line.ptr[i];

		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
			return EIC_ERR_ENTRY_META;
	}
	if (i == 1 || i == line.len)
		return EIC_ERR_ENTRY_META;
	name = (struct slice){ line.ptr + 1, i - 1 };
	value = (struct slice){ line.ptr + i + 1, line.len - i - 1 };
	if (!slice_is_printable(value))
		return EIC_ERR_CHARSET;
	if (slice_eq_str(name, "Timestamp")) {
		if (e->has_timestamp)
			return EIC_ERR_ENTRY_DUP;
		if ((r = parse_timestamp(value, &e->timestamp)) != 0)
			return r;
		e->has_timestamp = 1;
		return 0;
	}
	if (slice_eq_str(name, "Instance"))
		return set_once(&e->instance, value);
	if (slice_eq_str(name, "Caller"))
		return set_once(&e->caller, value);
	if (slice_eq_str(name, "Request"))
		return set_once(&e->request, value);
	return 0;	/* unknown names are kept: they are inside signed_data */
}

enum stage { META, SIG };

/* Parses the entry whose lines are in c (up to its blank line). */
static int
parse_entry(struct cursor *c, size_t *lineno, struct keyblob_entry *e)
{
	struct slice line;
	struct buf sig;
	const unsigned char *start = NULL;
	enum stage stage = META;
	size_t max;
	int r = 0, lr;

	buf_init(&sig, KEYBLOB_SIG_B64_MAX);
	e->lineno = *lineno;
	while ((lr = cursor_line(c, SIZE_MAX, &line)) == 0) {
		(*lineno)++;
		if (line.len == 0)
			break;	/* end of entry */
		if (r != 0)
			continue;	/* already malformed: skip to its end */
		if (start == NULL)
			start = line.ptr;
		max = stage == SIG ? KEYBLOB_SIG_B64_MAX :
		    line.ptr[0] == '#' ? KEYBLOB_META_LINE_MAX : KEYBLOB_KEY_LINE_MAX;
		if (line.len > max) {
			r = EIC_ERR_LIMIT;
			continue;
		}
		/* Signed bytes are taken exactly as received; see README "CRLF". */
		if (memchr(line.ptr, '\r', line.len) != NULL) {
			r = EIC_ERR_CRLF;
			continue;
		}
		if (stage == META && line.ptr[0] == '#') {
			r = parse_meta(line, e);
		} else if (stage == META) {
			e->key_line = line;
			e->signed_data.ptr = start;
			e->signed_data.len = (size_t)(line.ptr + line.len - start) + 1;
			stage = SIG;
		} else if (line.ptr[0] == '#') {
			r = EIC_ERR_ENTRY_ORDER;
		} else {
			r = buf_append(&sig, line.ptr, line.len);
		}
	}
	if (r != 0)
		goto out;
	if (e->key_line.ptr == NULL) {
		r = EIC_ERR_ENTRY_NO_KEY;
		goto out;
	}
	/* The key line must end in '\n', as signed_data claims. */
	if (e->key_line.ptr + e->key_line.len >= c->ptr + c->len) {
		r = EIC_ERR_ENTRY_NO_SIG;
		goto out;
	}
	if (sig.len == 0) {
		r = EIC_ERR_ENTRY_NO_SIG;
		goto out;
	}
	r = b64_decode((struct slice){ sig.data, sig.len }, KEYBLOB_SIG_B64_MAX,
	    &e->sig, &e->siglen);
out:
	buf_free(&sig);
	return r;
}

int
keyblob_parse(struct slice bundle, struct keyblob *kb)
{
	struct keyblob_entry *v = NULL, *e;
	struct cursor c;
	struct slice peek;
	size_t n = 0, lineno = 1, save;
	int truncated = 0;
	int r;

	memset(kb, 0, sizeof(*kb));
	if (bundle.len > KEYBLOB_MAX_BYTES) {
		r = EIC_ERR_LIMIT;
		goto out;
	}
	cursor_init(&c, bundle.ptr, bundle.len);
	for (;;) {
		/* Skip blank lines between entries. */
		save = c.off;
		while (cursor_line(&c, SIZE_MAX, &peek) == 0 && peek.len == 0) {
			save = c.off;
			lineno++;
		}
		c.off = save;
		if (cursor_left(&c) == 0)
			break;
		if (n == KEYBLOB_MAX_ENTRIES) {
			truncated = 1;
			break;
		}
		if (n == 0 || (n & (n - 1)) == 0) {
			/* grow at powers of two */
			e = realloc(v, (n == 0 ? 1 : n * 2) * sizeof(*v));
			if (e == NULL) {
				r = EIC_ERR_ALLOC;
				goto out;
			}
			v = e;
		}
		e = &v[n++];
		memset(e, 0, sizeof(*e));
		e->error = parse_entry(&c, &lineno, e);
		if (e->error == EIC_ERR_ALLOC) {
			r = EIC_ERR_ALLOC;
			goto out;
		}
	}
	/* success */
	kb->entries = v;
	kb->n = n;
	kb->truncated = truncated;
	v = NULL;
	n = 0;
	r = 0;
out:
	if (v != NULL) {
		while (n > 0)
			free(v[--n].sig);
		free(v);
	}
	return r;
}

void
keyblob_free(struct keyblob *kb)
{
	size_t i;

	if (kb == NULL)
		return;
	for (i = 0; i < kb->n; i++)
		free(kb->entries[i].sig);
	free(kb->entries);
	memset(kb, 0, sizeof(*kb));
}
