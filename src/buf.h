/* buf.h: a growable byte buffer with a hard maximum size. */
#ifndef EIC_BUF_H
#define EIC_BUF_H

#include <stddef.h>

struct buf {
	unsigned char *data;
	size_t len;
	size_t cap;	/* allocated */
	size_t max;	/* never grows beyond this many bytes */
};

/* Sets up an empty buffer that may hold at most max bytes. */
void buf_init(struct buf *b, size_t max);

/* Appends n bytes; EIC_ERR_LIMIT (buffer unchanged) if that would exceed max. */
int buf_append(struct buf *b, const void *p, size_t n);

/* Empties the buffer, keeping its allocation and maximum. */
void buf_reset(struct buf *b);

/* Frees the contents (wiping them) and leaves an empty buffer. Accepts NULL. */
void buf_free(struct buf *b);

#endif
