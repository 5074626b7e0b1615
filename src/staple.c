/* staple.c: offline OCSP response checks (RFC 6960). */
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/x509v3.h>

#include "err.h"
#include "staple.h"

/* RFC 6960 4.2.2.2: the issuer itself, or a responder it certified for OCSP. */
static int
authorized_key(OCSP_BASICRESP *bs, X509 *issuer, time_t now, EVP_PKEY **pkey)
{
	STACK_OF(X509) *extra = NULL;
	X509 *signer = NULL;
	EVP_PKEY *ikey;
	int r = EIC_ERR_OCSP_SIGNER;

	if ((extra = sk_X509_new_null()) == NULL ||
	    sk_X509_push(extra, issuer) <= 0) {
		r = EIC_ERR_ALLOC;
		goto out;
	}
	/* Matches the ResponderID (byName or byKey) against both sets. */
	if (OCSP_resp_get0_signer(bs, &signer, extra) != 1 || signer == NULL)
		goto out;
	if (X509_cmp(signer, issuer) != 0) {
		/* Delegated: issued directly by the issuer, for OCSP signing. */
		if (X509_check_issued(issuer, signer) != X509_V_OK ||
		    (ikey = X509_get0_pubkey(issuer)) == NULL ||
		    X509_verify(signer, ikey) != 1)
			goto out;
		if ((X509_get_extension_flags(signer) & EXFLAG_XKUSAGE) == 0 ||
		    (X509_get_extended_key_usage(signer) & XKU_OCSP_SIGN) == 0)
			goto out;
		if (X509_cmp_time(X509_get0_notBefore(signer), &now) >= 0 ||
		    X509_cmp_time(X509_get0_notAfter(signer), &now) <= 0)
			goto out;
	}
	if ((*pkey = X509_get0_pubkey(signer)) == NULL)
		goto out;
	r = 0;
out:
	sk_X509_free(extra);
	return r;
}

/* Finds the SingleResponse whose CertID names cert (any hash the CA used). */
static int
find_single(OCSP_BASICRESP *bs, X509 *cert, X509 *issuer,
    OCSP_SINGLERESP **found)
{
	OCSP_SINGLERESP *single;
	OCSP_CERTID *mine;
	ASN1_OBJECT *alg = NULL;
	const EVP_MD *md;
	int i, n;

	n = OCSP_resp_count(bs);
	for (i = 0; i < n; i++) {
		single = OCSP_resp_get0(bs, i);
		if (OCSP_id_get0_info(NULL, &alg, NULL, NULL,
		    (OCSP_CERTID *)OCSP_SINGLERESP_get0_id(single)) != 1 ||
		    (md = EVP_get_digestbyobj(alg)) == NULL)
			continue;
		if ((mine = OCSP_cert_to_id(md, cert, issuer)) == NULL)
			return EIC_ERR_ALLOC;
		if (OCSP_id_cmp(mine, OCSP_SINGLERESP_get0_id(single)) == 0) {
			OCSP_CERTID_free(mine);
			*found = single;
			return 0;
		}
		OCSP_CERTID_free(mine);
	}
	return EIC_ERR_OCSP_NOT_FOUND;
}

static time_t
asn1_to_time(const ASN1_TIME *t, time_t now)
{
	ASN1_TIME *base;
	int days = 0, secs = 0;

	if ((base = ASN1_TIME_set(NULL, now)) == NULL)
		return 0;
	if (ASN1_TIME_diff(&days, &secs, base, t) != 1)
		days = secs = 0;
	ASN1_TIME_free(base);
	return now + (time_t)days * 86400 + secs;
}

int
staple_check(struct slice der, X509 *cert, X509 *issuer, time_t now,
    long leeway, time_t *next_update)
{
	OCSP_RESPONSE *resp = NULL;
	OCSP_BASICRESP *bs = NULL;
	OCSP_SINGLERESP *single = NULL;
	ASN1_GENERALIZEDTIME *thisupd = NULL, *nextupd = NULL;
	EVP_PKEY *pkey = NULL;
	const unsigned char *p = der.ptr;
	int r = EIC_ERR_OCSP_FORMAT, status, reason, cmp;

	ERR_clear_error();
	if (der.len == 0 || der.len > STAPLE_DER_MAX)
		goto out;
	if ((resp = d2i_OCSP_RESPONSE(NULL, &p, (long)der.len)) == NULL ||
	    p != der.ptr + der.len)
		goto out;
	if (OCSP_response_status(resp) != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
		r = EIC_ERR_OCSP_STATUS;
		goto out;
	}
	if ((bs = OCSP_response_get1_basic(resp)) == NULL)
		goto out;
	if ((r = authorized_key(bs, issuer, now, &pkey)) != 0)
		goto out;
	/* RFC 6960 4.2.1: the signature covers tbsResponseData. */
	if (ASN1_item_verify(ASN1_ITEM_rptr(OCSP_RESPDATA),
	    OCSP_resp_get0_tbs_sigalg(bs), OCSP_resp_get0_signature(bs),
	    OCSP_resp_get0_respdata(bs), pkey) != 1) {
		r = EIC_ERR_OCSP_SIG;
		goto out;
	}
	if ((r = find_single(bs, cert, issuer, &single)) != 0)
		goto out;
	status = OCSP_single_get0_status(single, &reason, NULL, &thisupd,
	    &nextupd);
	if (status == V_OCSP_CERTSTATUS_REVOKED) {
		r = EIC_ERR_OCSP_REVOKED;
		goto out;
	}
	if (status != V_OCSP_CERTSTATUS_GOOD) {
		r = EIC_ERR_OCSP_UNKNOWN;
		goto out;
	}
	/* RFC 6960 4.2.2.1 and 3.2 (items 5 and 6): current information only. */
	if (thisupd == NULL || nextupd == NULL) {
		r = thisupd == NULL ? EIC_ERR_OCSP_FORMAT : EIC_ERR_OCSP_STALE;
		goto out;
	}
	/* ASN1_TIME_cmp_time_t returns -2 on error: never read as "earlier". */
	if ((cmp = ASN1_TIME_cmp_time_t(thisupd, now + leeway)) != -1 && cmp != 0) {
		r = cmp == 1 ? EIC_ERR_OCSP_NOT_YET : EIC_ERR_OCSP_FORMAT;
		goto out;
	}
	if ((cmp = ASN1_TIME_cmp_time_t(nextupd, now - leeway)) != 1 && cmp != 0) {
		r = cmp == -1 ? EIC_ERR_OCSP_STALE : EIC_ERR_OCSP_FORMAT;
		goto out;
	}
	if (next_update != NULL)
		*next_update = asn1_to_time(nextupd, now);
	r = 0;
out:
	OCSP_BASICRESP_free(bs);
	OCSP_RESPONSE_free(resp);
	ERR_clear_error();
	return r;
}
