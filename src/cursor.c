/* cursor.c: bounded reads over untrusted bytes. */
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "err.h"

struct slice
slice_str(const char *s)
{
	struct slice r = { (const unsigned char *)s, strlen(s) };
	return r;
}

int
slice_eq(struct slice a, struct slice b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

int
slice_eq_str(struct slice s, const char *lit)
{
	return slice_eq(s, slice_str(lit));
}

int
slice_has_prefix(struct slice s, const char *prefix)
{
	size_t n = strlen(prefix);

	return s.len >= n && memcmp(s.ptr, prefix, n) == 0;
}

int
slice_is_printable(struct slice s)
{
	size_t i;

	for (i = 0; i < s.len; i++) {
		if (s.ptr[i] < 0x20 || s.ptr[i] > 0x7e)
			return 0;
	}
	return 1;
}

char *
slice_strdup(struct slice s)
{
	char *r;

	if (s.len == SIZE_MAX || (s.len > 0 && memchr(s.ptr, '\0', s.len) != NULL))
		return NULL;
	if ((r = malloc(s.len + 1)) == NULL)
		return NULL;
	if (s.len > 0)
		memcpy(r, s.ptr, s.len);
	r[s.len] = '\0';
	return r;
}

void
cursor_init(struct cursor *c, const void *p, size_t len)
{
	c->ptr = p;
	c->len = p == NULL ? 0 : len;
	c->off = 0;
}

size_t
cursor_left(const struct cursor *c)
{
	return c->len - c->off;
}

int
cursor_line(struct cursor *c, size_t max, struct slice *line)
{
	const unsigned char *start, *nl;
	size_t left, n;

	if ((left = cursor_left(c)) == 0)
		return EIC_ERR_TRUNCATED;
	start = c->ptr + c->off;
	nl = memchr(start, '\n', left);
	n = nl == NULL ? left : (size_t)(nl - start);
	if (n > max)
		return EIC_ERR_LIMIT;
	line->ptr = start;
	line->len = n;
	c->off += nl == NULL ? n : n + 1;
	return 0;
}

int
cursor_bytes(struct cursor *c, size_t n, struct slice *out)
{
	if (n > cursor_left(c))
		return EIC_ERR_TRUNCATED;
	out->ptr = c->ptr + c->off;
	out->len = n;
	c->off += n;
	return 0;
}

int
cursor_u32(struct cursor *c, uint32_t *v)
{
	struct slice s;
	int r;

	if ((r = cursor_bytes(c, 4, &s)) != 0)
		return r;
	*v = (uint32_t)s.ptr[0] << 24 | (uint32_t)s.ptr[1] << 16 |
	    (uint32_t)s.ptr[2] << 8 | (uint32_t)s.ptr[3];
	return 0;
}

int
cursor_sshstring(struct cursor *c, size_t max, struct slice *out)
{
	size_t save = c->off;
	uint32_t n;
	int r;

	if ((r = cursor_u32(c, &n)) != 0)
		return r;
	if (n > max) {
		c->off = save;
		return EIC_ERR_LIMIT;
	}
	if ((r = cursor_bytes(c, n, out)) != 0) {
		c->off = save;
		return r;
	}
	return 0;
}
