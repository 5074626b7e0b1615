/* b64.c: strict base64, so that decoded lengths are exact. */
#include <stdlib.h>

#include "b64.h"
#include "err.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int
value(unsigned char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

int
b64_decode(struct slice in, size_t max, unsigned char **out, size_t *outlen)
{
	unsigned char *res = NULL;
	size_t i, o = 0, pad = 0, n;
	int r = EIC_ERR_BASE64, v[4], k, last;

	if (in.len == 0 || in.len % 4 != 0)
		goto out;
	if (in.ptr[in.len - 1] == '=')
		pad = in.ptr[in.len - 2] == '=' ? 2 : 1;
	n = in.len / 4 * 3 - pad;
	if (n > max) {
		r = EIC_ERR_LIMIT;
		goto out;
	}
	if ((res = malloc(n == 0 ? 1 : n)) == NULL) {
		r = EIC_ERR_ALLOC;
		goto out;
	}
	for (i = 0; i < in.len; i += 4) {
		last = i + 4 == in.len;
		for (k = 0; k < 4; k++) {
			/* '=' only as the final one or two characters. */
			if (in.ptr[i + k] == '=') {
				if (!last || k < 4 - (int)pad)
					goto out;
				v[k] = 0;
			} else if ((v[k] = value(in.ptr[i + k])) < 0)
				goto out;
		}
		/* Canonical form: the bits dropped by padding must be zero. */
		if (last && ((pad == 2 && (v[1] & 0xf) != 0) ||
		    (pad == 1 && (v[2] & 0x3) != 0)))
			goto out;
		res[o++] = (unsigned char)(v[0] << 2 | v[1] >> 4);
		if (!last || pad < 2)
			res[o++] = (unsigned char)((v[1] & 0xf) << 4 | v[2] >> 2);
		if (!last || pad < 1)
			res[o++] = (unsigned char)((v[2] & 0x3) << 6 | v[3]);
	}
	if (o != n)
		goto out;
	/* success */
	*out = res;
	*outlen = n;
	res = NULL;
	r = 0;
out:
	free(res);
	return r;
}

int
b64_encode(const unsigned char *p, size_t n, int nopad, char *dst, size_t dstsz)
{
	size_t i, o = 0, need;
	unsigned long t;

	need = (n + 2) / 3 * 4 + 1;
	if (need > dstsz)
		return EIC_ERR_LIMIT;
	for (i = 0; i + 2 < n; i += 3) {
		t = (unsigned long)p[i] << 16 | (unsigned long)p[i + 1] << 8 | p[i + 2];
		dst[o++] = alphabet[t >> 18 & 63];
		dst[o++] = alphabet[t >> 12 & 63];
		dst[o++] = alphabet[t >> 6 & 63];
		dst[o++] = alphabet[t & 63];
	}
	if (i < n) {
		t = (unsigned long)p[i] << 16;
		if (i + 1 < n)
			t |= (unsigned long)p[i + 1] << 8;
		dst[o++] = alphabet[t >> 18 & 63];
		dst[o++] = alphabet[t >> 12 & 63];
		if (i + 1 < n)
			dst[o++] = alphabet[t >> 6 & 63];
		else if (!nopad)
			dst[o++] = '=';
		if (!nopad)
			dst[o++] = '=';
	}
	dst[o] = '\0';
	return 0;
}
