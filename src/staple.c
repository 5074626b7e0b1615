/* staple.c: offline OCSP response checks (RFC 6960). */
#include <limits.h>

#include <openssl/asn1t.h>
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/x509v3.h>

#include "err.h"
#include "staple.h"

/*
 * OCSPResponse and BasicOCSPResponse (RFC 6960 4.2.1) with the basic
 * response's certificates kept as DER. OpenSSL 3.0 decodes the public key
 * of every certificate it parses (about 1.2M instructions each: a sixth of
 * a valid-key run went to the two that staples carry), while a staple's
 * certificate is usually the issuer the caller already holds. They are
 * parsed only to look for a delegated responder.
 */
typedef struct {
	ASN1_OBJECT *type;
	ASN1_OCTET_STRING *response;
} EIC_RESPBYTES;

typedef struct {
	ASN1_ENUMERATED *status;
	EIC_RESPBYTES *bytes;
} EIC_OCSPRESP;

typedef struct {
	ASN1_STRING *tbs;		/* ResponseData, encoding kept */
	ASN1_STRING *alg;		/* AlgorithmIdentifier, encoding kept */
	ASN1_BIT_STRING *sig;
	STACK_OF(ASN1_STRING) *certs;	/* each Certificate, encoding kept */
} EIC_BASICRESP;

ASN1_SEQUENCE(EIC_RESPBYTES) = {
	ASN1_SIMPLE(EIC_RESPBYTES, type, ASN1_OBJECT),
	ASN1_SIMPLE(EIC_RESPBYTES, response, ASN1_OCTET_STRING)
} static_ASN1_SEQUENCE_END(EIC_RESPBYTES)

ASN1_SEQUENCE(EIC_OCSPRESP) = {
	ASN1_SIMPLE(EIC_OCSPRESP, status, ASN1_ENUMERATED),
	ASN1_EXP_OPT(EIC_OCSPRESP, bytes, EIC_RESPBYTES, 0)
} static_ASN1_SEQUENCE_END(EIC_OCSPRESP)

ASN1_SEQUENCE(EIC_BASICRESP) = {
	ASN1_SIMPLE(EIC_BASICRESP, tbs, ASN1_SEQUENCE),
	ASN1_SIMPLE(EIC_BASICRESP, alg, ASN1_SEQUENCE),
	ASN1_SIMPLE(EIC_BASICRESP, sig, ASN1_BIT_STRING),
	ASN1_EXP_SEQUENCE_OF_OPT(EIC_BASICRESP, certs, ASN1_SEQUENCE, 0)
} static_ASN1_SEQUENCE_END(EIC_BASICRESP)

/* d2i of exactly len bytes into it, or NULL. */
static void *
d2i_exact(const ASN1_ITEM *it, const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	ASN1_VALUE *v;

	if (len == 0 || len > LONG_MAX ||
	    (v = ASN1_item_d2i(NULL, &p, (long)len, it)) == NULL)
		return NULL;
	if (p != der + len) {
		ASN1_item_free(v, it);
		return NULL;
	}
	return v;
}

/*
 * The basic response of a successful OCSP response: *bs without its
 * certificates, *certs (caller frees) with them as DER.
 */
static int
parse_response(struct slice der, OCSP_BASICRESP **bs, STACK_OF(ASN1_STRING) **certs)
{
	EIC_OCSPRESP *resp = NULL;
	EIC_BASICRESP *basic = NULL;
	unsigned char *bare = NULL;
	const unsigned char *p;
	int r = EIC_ERR_OCSP_FORMAT, n;

	if ((resp = d2i_exact(ASN1_ITEM_rptr(EIC_OCSPRESP), der.ptr, der.len)) == NULL)
		goto out;
	if (ASN1_ENUMERATED_get(resp->status) != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
		r = EIC_ERR_OCSP_STATUS;
		goto out;
	}
	if (resp->bytes == NULL ||
	    OBJ_obj2nid(resp->bytes->type) != NID_id_pkix_OCSP_basic ||
	    (basic = d2i_exact(ASN1_ITEM_rptr(EIC_BASICRESP),
	    resp->bytes->response->data,
	    (size_t)resp->bytes->response->length)) == NULL)
		goto out;
	/* The same BasicOCSPResponse minus certs, for OpenSSL's OCSP API. */
	*certs = basic->certs;
	basic->certs = NULL;
	if ((n = ASN1_item_i2d((ASN1_VALUE *)basic, &bare,
	    ASN1_ITEM_rptr(EIC_BASICRESP))) <= 0) {
		r = EIC_ERR_ALLOC;
		goto out;
	}
	p = bare;
	if ((*bs = d2i_OCSP_BASICRESP(NULL, &p, n)) == NULL || p != bare + n) {
		OCSP_BASICRESP_free(*bs);
		*bs = NULL;
		goto out;
	}
	r = 0;
out:
	OPENSSL_free(bare);
	ASN1_item_free((ASN1_VALUE *)basic, ASN1_ITEM_rptr(EIC_BASICRESP));
	ASN1_item_free((ASN1_VALUE *)resp, ASN1_ITEM_rptr(EIC_OCSPRESP));
	return r;
}

/* The certificates a response carries, parsed: delegated responder candidates. */
static int
parse_certs(STACK_OF(ASN1_STRING) *der, STACK_OF(X509) **out)
{
	ASN1_STRING *s;
	X509 *x;
	int i;

	if ((*out = sk_X509_new_null()) == NULL)
		return EIC_ERR_ALLOC;
	for (i = 0; i < sk_ASN1_STRING_num(der); i++) {
		s = sk_ASN1_STRING_value(der, i);
		if ((x = d2i_exact(ASN1_ITEM_rptr(X509), s->data, (size_t)s->length)) == NULL)
			return EIC_ERR_OCSP_FORMAT;
		if (sk_X509_push(*out, x) <= 0) {
			X509_free(x);
			return EIC_ERR_ALLOC;
		}
	}
	return 0;
}

/*
 * RFC 6960 4.2.2.2: the issuer itself, or a responder it certified for OCSP
 * among certs (the response's own, parsed here into *pool: caller frees).
 */
static int
authorized_key(OCSP_BASICRESP *bs, STACK_OF(ASN1_STRING) *certs, X509 *issuer,
    time_t now, STACK_OF(X509) **pool, EVP_PKEY **pkey)
{
	STACK_OF(X509) *self = NULL;
	X509 *signer = NULL;
	EVP_PKEY *ikey;
	int r = EIC_ERR_OCSP_SIGNER;

	if ((self = sk_X509_new_null()) == NULL || sk_X509_push(self, issuer) <= 0) {
		r = EIC_ERR_ALLOC;
		goto out;
	}
	/* Matches the ResponderID (byName or byKey): the issuer first. */
	if (OCSP_resp_get0_signer(bs, &signer, self) != 1 || signer == NULL) {
		signer = NULL;
		if ((r = parse_certs(certs, pool)) != 0)
			goto out;
		r = EIC_ERR_OCSP_SIGNER;
		if (OCSP_resp_get0_signer(bs, &signer, *pool) != 1 || signer == NULL)
			goto out;
	}
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
	sk_X509_free(self);
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
	OCSP_BASICRESP *bs = NULL;
	STACK_OF(ASN1_STRING) *certs = NULL;
	STACK_OF(X509) *pool = NULL;
	OCSP_SINGLERESP *single = NULL;
	ASN1_GENERALIZEDTIME *thisupd = NULL, *nextupd = NULL;
	EVP_PKEY *pkey = NULL;
	int r = EIC_ERR_OCSP_FORMAT, status, reason, cmp;

	ERR_clear_error();
	if (der.len == 0 || der.len > STAPLE_DER_MAX)
		goto out;
	if ((r = parse_response(der, &bs, &certs)) != 0)
		goto out;
	if ((r = authorized_key(bs, certs, issuer, now, &pool, &pkey)) != 0)
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
	sk_X509_pop_free(pool, X509_free);
	sk_ASN1_STRING_pop_free(certs, ASN1_STRING_free);
	ERR_clear_error();
	return r;
}
