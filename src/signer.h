/* signer.h: trust in the key-bundle signer (PROTOCOL.md section 4). */
#ifndef EIC_SIGNER_H
#define EIC_SIGNER_H

#include <stddef.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "cursor.h"

#define SIGNER_PEM_MAX		(64 * 1024)
#define SIGNER_MAX_CERTS	8
#define SIGNER_MAX_STAPLES	SIGNER_MAX_CERTS
#define SIGNER_SHA1_HEX		41	/* 40 hex digits + NUL */

/* A staple as served: its name and the base64 text of its DER. */
struct signer_staple {
	char name[SIGNER_SHA1_HEX];	/* upper-case hex SHA-1 of a chain cert */
	struct slice b64;
};

struct signer_input {
	struct slice chain_pem;		/* signer first, then intermediates */
	const struct signer_staple *staples;
	size_t nstaples;
	const char *expected_cn;	/* managed-ssh-signer.<region>.<domain> */
	time_t now;
	long ocsp_leeway;		/* seconds of clock leeway for OCSP times */
};

/* What was found; filled as far as the check got, success or not. */
struct signer_info {
	int x509_error;		/* X509_V_OK, or the verify error */
	int depth;		/* chain position a failure concerns, or -1 */
	size_t chain_len;	/* length of the verified chain (anchor last) */
	char subject[SIGNER_MAX_CERTS][128];	/* one-line subjects, verified chain */
	time_t next_update[SIGNER_MAX_CERTS];	/* 0 where no staple was needed */
};

/*
 * Verifies the signer: chain parses (at most SIGNER_MAX_CERTS, no garbage),
 * signer key RSA >= 2048 bits, subject CN exactly expected_cn, chain
 * verifies at in->now to an anchor in store (anchors preferred over bundle
 * copies, strict X.509), and every certificate of the verified chain below
 * the anchor that is not itself in store has a good, current staple signed
 * by its issuer or a delegated responder.
 * On success *pkey (EVP_PKEY_free) is the signer's public key.
 * EIC_ERR_NO_ANCHOR means no trusted root was found: the caller may add
 * more anchors to store and call again.
 */
int signer_verify(const struct signer_input *in, X509_STORE *store,
    EVP_PKEY **pkey, struct signer_info *info);

/*
 * signer_verify in two halves, so that the chain is verified while its
 * staples are still on their way: signer_chain_verify does everything but
 * the staples (in->staples unused) and leaves the verified chain in *sc;
 * signer_chain_staples checks the staples against it and sets *pkey.
 * signer_chain_free(sc) in every case, after either.
 */
struct signer_chain {
	X509_STORE_CTX *ctx;
	STACK_OF(X509) *certs;
	int verified;
};
int signer_chain_verify(const struct signer_input *in, X509_STORE *store,
    struct signer_chain *sc, struct signer_info *info);
int signer_chain_staples(const struct signer_chain *sc, const struct signer_input *in,
    EVP_PKEY **pkey, struct signer_info *info);
void signer_chain_free(struct signer_chain *sc);

/*
 * Lists the staple names (upper-case hex SHA-1) of the certificates in a
 * PEM chain, in order: what is worth fetching. Fails as signer_verify's
 * chain parsing does.
 */
int signer_chain_names(struct slice chain_pem, char (*names)[SIGNER_SHA1_HEX],
    size_t max, size_t *n);

/* Writes the upper-case hex SHA-1 fingerprint of cert (a staple's name). */
int signer_sha1_name(X509 *cert, char out[SIGNER_SHA1_HEX]);

#endif
