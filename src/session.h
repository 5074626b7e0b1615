/* session.h: one run's conversation with IMDS, and trust in the signer. */
#ifndef EIC_SESSION_H
#define EIC_SESSION_H

#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "config.h"
#include "ec2.h"
#include "imds.h"
#include "signer.h"

/* The requests, keys first: with prefetch all go at once, else keys alone. */
enum { SESSION_KEYS, SESSION_ID, SESSION_REGION, SESSION_DOMAIN, SESSION_CHAIN,
	SESSION_LIST, SESSION_NREQ };
#define SESSION_BATCH SESSION_ID		/* first metadata request */
#define SESSION_NBATCH (SESSION_NREQ - SESSION_BATCH)

struct session {
	const struct config *cfg;
	time_t now;
	struct imds *imds;
	struct imds_req req[SESSION_NREQ];
	struct imds_req zone;
	int prefetched;		/* batch fetched along with the keys */
	struct imds_req staples[SIGNER_MAX_STAPLES];
	size_t nstaples;
	char keypath[sizeof("/latest/meta-data/managed-ssh-keys/active-keys/") + EC2_USER_MAX * 3 + 2];
	char staple_paths[SIGNER_MAX_STAPLES][128];
	char instance_id[EC2_INSTANCE_ID_MAX];
	char region[EC2_REGION_MAX];
	char domain[EC2_DOMAIN_MAX];
	char cn[EC2_CN_MAX];
	X509_STORE *store;
	EVP_PKEY *signer;	/* the verified signer's key, after session_signer */
	struct signer_info info;
	char staple_note[256];	/* the first staple IMDS would not give */
	char why[640];		/* why the last step failed, one line */
};

/*
 * Opens the IMDS client and gets a token; network work ends by deadline
 * (platform_now_ms clock). cfg must outlive s. Free with session_close.
 */
int session_open(struct session *s, const struct config *cfg, time_t now,
    int64_t deadline_ms);

/*
 * Fetches user's key bundle into *bundle; EIC_ERR_NOT_FOUND: none pushed.
 * With prefetch, the requests of session_metadata() are sent at once too.
 */
int session_keys(struct session *s, const char *user, int prefetch,
    struct slice *bundle);

/* Fetches (unless prefetched) and validates instance id, region (or zone),
 * domain, signer chain and staple list, at once. */
int session_metadata(struct session *s);

/* Checks the partition, fetches the chain's staples and verifies the
 * signer (PROTOCOL.md section 4); on success s->signer is its key. */
int session_signer(struct session *s);

/* Frees everything; accepts a zeroed or closed session. */
void session_close(struct session *s);

#endif
