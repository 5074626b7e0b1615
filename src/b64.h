/* b64.h: strict base64 (RFC 4648 section 4) decoding and encoding. */
#ifndef EIC_B64_H
#define EIC_B64_H

#include <stddef.h>

#include "cursor.h"

/*
 * Decodes canonical padded base64 from in. Rejects any byte outside the
 * alphabet (including whitespace), bad padding and non-zero pad bits.
 * On success *out (malloc'd, caller frees) holds *outlen bytes; at most max.
 * Outputs untouched on failure.
 */
int b64_decode(struct slice in, size_t max, unsigned char **out, size_t *outlen);

/*
 * Encodes n bytes into dst (size dstsz) with '=' padding unless nopad,
 * NUL-terminated. EIC_ERR_LIMIT if dst is too small.
 */
int b64_encode(const unsigned char *p, size_t n, int nopad, char *dst, size_t dstsz);

#endif
