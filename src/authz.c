/* authz.c: apply the per-entry rules to a whole bundle. */
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "err.h"

size_t
authz_candidates(const struct keyblob *kb, const struct keycheck_policy *policy,
    int *verdicts)
{
	struct sshkey key;
	size_t i, n = 0;
	int r;

	for (i = 0; i < kb->n; i++) {
		if ((r = keycheck_meta(&kb->entries[i], policy, &key)) == 0) {
			n++;
			sshkey_clear(&key);
		}
		if (verdicts != NULL)
			verdicts[i] = r;
	}
	return n;
}

/* prior: keycheck_meta's verdict on e if known, else NULL. */
static int
decide_one(const struct keyblob_entry *e, const struct keycheck_policy *policy,
    const int *prior, const char *instance_id, EVP_PKEY *signer,
    struct authz_item *it)
{
	struct sshkey key;
	int r;

	memset(&key, 0, sizeof(key));
	if (prior != NULL && *prior != 0) {
		r = *prior;	/* refused by the same check already */
		goto out;
	}
	if ((r = keycheck_meta(e, policy, &key)) != 0)
		goto out;
	/* For the audit line of a key that may yet pass. */
	if (sshkey_fp_sha256(key.blob, key.bloblen, it->fp, sizeof(it->fp)) != 0)
		it->fp[0] = '\0';
	if ((r = keycheck_instance(e, instance_id)) != 0)
		goto out;
	r = keycheck_signature(e, signer);
out:
	sshkey_clear(&key);
	return r;
}

int
authz_decide(const struct keyblob *kb, const struct keycheck_policy *policy,
    const int *prior, const char *instance_id, EVP_PKEY *signer,
    struct authz_result *res)
{
	struct authz_item *items = NULL;
	size_t i, ok = 0;
	int r;

	memset(res, 0, sizeof(*res));
	if (signer == NULL || instance_id == NULL) {
		r = EIC_ERR_INTERNAL;
		goto out;
	}
	if (kb->n > 0 && (items = calloc(kb->n, sizeof(*items))) == NULL) {
		r = EIC_ERR_ALLOC;
		goto out;
	}
	for (i = 0; i < kb->n; i++) {
		items[i].entry = &kb->entries[i];
		items[i].verdict = decide_one(&kb->entries[i], policy,
		    prior != NULL ? &prior[i] : NULL, instance_id, signer,
		    &items[i]);
		if (items[i].verdict == EIC_ERR_ALLOC) {
			r = EIC_ERR_ALLOC;
			goto out;
		}
		if (items[i].verdict == 0)
			ok++;
	}
	/* success */
	res->items = items;
	res->n = kb->n;
	res->authorized = ok;
	items = NULL;
	r = 0;
out:
	free(items);
	return r;
}

void
authz_result_free(struct authz_result *res)
{
	if (res == NULL)
		return;
	free(res->items);
	memset(res, 0, sizeof(*res));
}
