/* keyblob.h: the signed key bundle IMDS serves under managed-ssh-keys/active-keys/<user>/. */
#ifndef EIC_KEYBLOB_H
#define EIC_KEYBLOB_H

#include <stddef.h>
#include <stdint.h>

#include "cursor.h"

/* Caps on untrusted input. */
#define KEYBLOB_MAX_BYTES	(4u * 1024 * 1024)	/* whole bundle */
#define KEYBLOB_MAX_ENTRIES	2000
#define KEYBLOB_META_LINE_MAX	2048
#define KEYBLOB_KEY_LINE_MAX	8192
#define KEYBLOB_SIG_B64_MAX	4096	/* an RSA-16384 signature is 2732 */

/* One entry. Slices borrow from the bundle passed to keyblob_parse. */
struct keyblob_entry {
	int error;		/* 0, or why the entry is malformed */
	size_t lineno;		/* line where the entry starts, 1-based */
	int has_timestamp;
	int64_t timestamp;	/* expiry, Unix seconds */
	struct slice instance;	/* ptr NULL when absent */
	struct slice caller;
	struct slice request;
	struct slice key_line;
	struct slice signed_data; /* metadata lines and key line, each with '\n' */
	unsigned char *sig;	/* decoded signature, owned */
	size_t siglen;
};

struct keyblob {
	struct keyblob_entry *entries;
	size_t n;
	int truncated;		/* 1 if entries past KEYBLOB_MAX_ENTRIES were ignored */
};

/*
 * Splits a bundle into entries (blank-line separated). A malformed entry is
 * kept with its error set so that it can be logged; later entries still
 * count. Fails as a whole only for an oversized bundle or allocation
 * failure. On success *kb (free with keyblob_free) borrows from bundle,
 * which must outlive it. An empty bundle has no entries.
 */
int keyblob_parse(struct slice bundle, struct keyblob *kb);

/* Frees what keyblob_parse allocated; accepts NULL. */
void keyblob_free(struct keyblob *kb);

#endif
