/* authz.h: which entries of a key bundle may log in. */
#ifndef EIC_AUTHZ_H
#define EIC_AUTHZ_H

#include <stddef.h>

#include <openssl/evp.h>

#include "keyblob.h"
#include "keycheck.h"
#include "sshkey.h"

/* The verdict on one entry. */
struct authz_item {
	const struct keyblob_entry *entry;
	int verdict;			/* 0: authorized; else why not */
	char fp[SSHKEY_FP_STRLEN];	/* SHA256 fingerprint if keycheck_meta passed, else "" */
};

struct authz_result {
	struct authz_item *items;	/* one per bundle entry, in order */
	size_t n;
	size_t authorized;		/* items with verdict 0 */
};

/*
 * Returns how many entries pass keycheck_meta (no instance, no signature):
 * if none, nothing more needs fetching. If verdicts is not NULL (kb->n of
 * them), each entry's keycheck_meta result is stored there.
 */
size_t authz_candidates(const struct keyblob *kb,
    const struct keycheck_policy *policy, int *verdicts);

/*
 * Applies every rule to every entry: keycheck_meta, keycheck_instance
 * against instance_id, keycheck_signature with signer (the verified signer
 * key; must not be NULL). prior is NULL, or authz_candidates' verdicts for
 * the same kb and policy: an entry refused there is refused with the same
 * reason without doing the work again; every other entry gets every check.
 * On success *res (authz_result_free) holds one verdict per entry.
 */
int authz_decide(const struct keyblob *kb, const struct keycheck_policy *policy,
    const int *prior, const char *instance_id, EVP_PKEY *signer,
    struct authz_result *res);

/* Frees what authz_decide allocated; accepts NULL. */
void authz_result_free(struct authz_result *res);

#endif
