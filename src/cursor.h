/* cursor.h: slices and a bounded read-only cursor over untrusted bytes. */
#ifndef EIC_CURSOR_H
#define EIC_CURSOR_H

#include <stddef.h>
#include <stdint.h>

/* A borrowed view of bytes; never NUL-terminated by contract. */
struct slice {
	const unsigned char *ptr;
	size_t len;
};

/* A read-only cursor: getters fail instead of reading past the end. */
struct cursor {
	const unsigned char *ptr;
	size_t len;
	size_t off;
};

/* Returns a slice over a NUL-terminated string (length excludes the NUL). */
struct slice slice_str(const char *s);

/* Returns 1 if a and b hold the same bytes. */
int slice_eq(struct slice a, struct slice b);

/* Returns 1 if s equals the NUL-terminated string lit. */
int slice_eq_str(struct slice s, const char *lit);

/* Returns 1 if s starts with the NUL-terminated string prefix. */
int slice_has_prefix(struct slice s, const char *prefix);

/*
 * Returns 1 if every byte of s is printable ASCII (0x20..0x7e), i.e. no NUL,
 * control or non-ASCII byte: what text from IMDS must be.
 */
int slice_is_printable(struct slice s);

/* Copies s into a fresh NUL-terminated string; NULL on allocation failure
 * or if s contains a NUL byte. Caller frees. */
char *slice_strdup(struct slice s);

/* Starts a cursor over len bytes at p. */
void cursor_init(struct cursor *c, const void *p, size_t len);

/* Returns the number of unread bytes. */
size_t cursor_left(const struct cursor *c);

/*
 * Reads the next line (without its '\n') into *line. A final line without
 * '\n' counts. Returns EIC_ERR_TRUNCATED at end of input, EIC_ERR_LIMIT if
 * the line is longer than max (cursor unchanged).
 */
int cursor_line(struct cursor *c, size_t max, struct slice *line);

/* Reads exactly n bytes; EIC_ERR_TRUNCATED if fewer remain. */
int cursor_bytes(struct cursor *c, size_t n, struct slice *out);

/* Reads a big-endian uint32. */
int cursor_u32(struct cursor *c, uint32_t *v);

/* Reads an SSH wire string (uint32 length + bytes), length at most max. */
int cursor_sshstring(struct cursor *c, size_t max, struct slice *out);

#endif
