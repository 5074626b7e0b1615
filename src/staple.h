/* staple.h: one stapled OCSP response for one certificate (RFC 6960), checked offline. */
#ifndef EIC_STAPLE_H
#define EIC_STAPLE_H

#include <time.h>

#include <openssl/x509.h>

#include "cursor.h"

#define STAPLE_DER_MAX (16 * 1024)
/* Its base64 text as IMDS serves it, with room for a newline. */
#define STAPLE_B64_MAX (STAPLE_DER_MAX / 3 * 4 + 8)

/*
 * Checks that der is a successful OCSP response, signed by issuer or by a
 * responder issuer delegated (id-kp-OCSPSigning), naming cert with status
 * good, with thisUpdate <= now + leeway and now - leeway <= nextUpdate.
 * A response without nextUpdate is refused (its freshness is unknowable).
 * On success *next_update (if not NULL) is set.
 */
int staple_check(struct slice der, X509 *cert, X509 *issuer, time_t now,
    long leeway, time_t *next_update);

#endif
