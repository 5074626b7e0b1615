/* keycheck.h: the rules one bundle entry must pass (PROTOCOL.md section 5). */
#ifndef EIC_KEYCHECK_H
#define EIC_KEYCHECK_H

#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>

#include "keyblob.h"
#include "sshkey.h"

struct keycheck_policy {
	time_t now;
	int64_t push_window;	/* seconds a pushed key lives: 60 */
	int64_t clock_skew;	/* extra seconds tolerated beyond the window */
	const struct sshkey_fp *fp;	/* offered key (%f), or NULL for all */
};

/*
 * The cheap checks, in this order: entry well formed, key line parses,
 * fingerprint equals policy->fp (when given), Timestamp present and within
 * (now, now + push_window + clock_skew], Instance present. On success *key
 * (sshkey_clear) holds the parsed key; untouched on failure.
 */
int keycheck_meta(const struct keyblob_entry *e,
    const struct keycheck_policy *policy, struct sshkey *key);

/* Returns 0 if the entry's Instance equals instance_id. */
int keycheck_instance(const struct keyblob_entry *e, const char *instance_id);

/*
 * Verifies the entry's RSASSA-PSS signature (SHA-256, MGF1-SHA-256, 32-byte
 * salt) over its signed bytes with the signer's public key.
 */
int keycheck_signature(const struct keyblob_entry *e, EVP_PKEY *signer);

#endif
