/* sshkey.h: SSH public key lines and their fingerprints, as sshd sees them. */
#ifndef EIC_SSHKEY_H
#define EIC_SSHKEY_H

#include <stddef.h>

#include "cursor.h"

enum sshkey_kind {
	SSHKEY_RSA = 1,
	SSHKEY_ED25519,
	SSHKEY_ECDSA_P256,
	SSHKEY_ECDSA_P384,
	SSHKEY_ECDSA_P521,
};

/* Longest key-line base64 accepted (an RSA-16384 blob is about 2.8 KiB). */
#define SSHKEY_B64_MAX 4096
/* Room for "SHA256:" + 43 base64 characters or "MD5:" + 47, plus NUL. */
#define SSHKEY_FP_STRLEN 64

/* A parsed key line. The slices borrow from the input line. */
struct sshkey {
	enum sshkey_kind kind;
	struct slice line;	/* the whole line, exactly as received */
	struct slice type;	/* e.g. "ssh-ed25519" */
	unsigned char *blob;	/* decoded wire blob, owned */
	size_t bloblen;
};

enum sshkey_fp_alg {
	SSHKEY_FP_SHA256 = 1,
	SSHKEY_FP_MD5,
};

/* A fingerprint as sshd passes it in %f. */
struct sshkey_fp {
	enum sshkey_fp_alg alg;
	unsigned char digest[32];
	size_t len;
};

/*
 * Parses "type base64 [comment]" (one authorized_keys line without options)
 * for ssh-rsa, ssh-ed25519 and ecdsa-sha2-nistp256/384/521. The decoded blob
 * must be well formed, of the same type as the text, with nothing trailing.
 * Fills *key (free with sshkey_clear) only on success.
 */
int sshkey_parse(struct slice line, struct sshkey *key);

/* Frees what sshkey_parse allocated; accepts NULL and cleared keys. */
void sshkey_clear(struct sshkey *key);

/*
 * Parses sshd's %f: "SHA256:<base64 without padding>", "MD5:<hex:...>", or
 * the legacy bare "<hex:...>" MD5 form. Hex is case-insensitive.
 */
int sshkey_fp_parse(const char *arg, struct sshkey_fp *fp);

/* Returns 0 if the blob's fingerprint equals fp, EIC_ERR_FP_MISMATCH if not. */
int sshkey_fp_match(const struct sshkey_fp *fp, const unsigned char *blob,
    size_t bloblen);

/* Writes the blob's "SHA256:..." fingerprint, as ssh-keygen -l prints it. */
int sshkey_fp_sha256(const unsigned char *blob, size_t bloblen, char *dst,
    size_t dstsz);

#endif
