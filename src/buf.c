/* buf.c: capped growable buffer. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "buf.h"
#include "err.h"

void
buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

int
buf_append(struct buf *b, const void *p, size_t n)
{
	unsigned char *nd;
	size_t ncap;

	if (n == 0)
		return 0;
	if (n > b->max || b->len > b->max - n)
		return EIC_ERR_LIMIT;
	if (b->len + n > b->cap) {
		ncap = b->cap == 0 ? 256 : b->cap;
		while (ncap < b->len + n)
			ncap = ncap > b->max / 2 ? b->max : ncap * 2;
		if ((nd = realloc(b->data, ncap)) == NULL)
			return EIC_ERR_ALLOC;
		b->data = nd;
		b->cap = ncap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

void
buf_reset(struct buf *b)
{
	if (b->data != NULL)
		OPENSSL_cleanse(b->data, b->len);
	b->len = 0;
}

void
buf_free(struct buf *b)
{
	if (b == NULL)
		return;
	if (b->data != NULL) {
		OPENSSL_cleanse(b->data, b->cap);
		free(b->data);
	}
	buf_init(b, b->max);
}
