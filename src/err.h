/* err.h: the one list of error codes and their messages. */
#ifndef EIC_ERR_H
#define EIC_ERR_H

/*
 * Every fallible function returns 0 or one of these (negative) codes.
 * Codes and messages come from this one list so they cannot drift.
 */
#define EIC_ERROR_LIST(X) \
	X(EIC_ERR_INTERNAL,        "internal error") \
	X(EIC_ERR_ALLOC,           "out of memory") \
	X(EIC_ERR_LIMIT,           "input exceeds its size limit") \
	X(EIC_ERR_TRUNCATED,       "input truncated") \
	X(EIC_ERR_TRAILING,        "trailing bytes after value") \
	X(EIC_ERR_CHARSET,         "unexpected control or non-ASCII byte") \
	X(EIC_ERR_BASE64,          "invalid base64") \
	X(EIC_ERR_NUMBER,          "invalid number") \
	X(EIC_ERR_CRLF,            "carriage return in line (CRLF is not accepted)") \
	X(EIC_ERR_KEY_FORMAT,      "key line is not 'type base64 [comment]'") \
	X(EIC_ERR_KEY_TYPE,        "unsupported key type or options prefix") \
	X(EIC_ERR_KEY_MISMATCH,    "key blob type differs from key line type") \
	X(EIC_ERR_KEY_BLOB,        "malformed key blob") \
	X(EIC_ERR_FP_FORMAT,       "malformed fingerprint argument") \
	X(EIC_ERR_FP_MISMATCH,     "fingerprint does not match the offered key") \
	X(EIC_ERR_ENTRY_META,      "malformed metadata line") \
	X(EIC_ERR_ENTRY_DUP,       "duplicate metadata field") \
	X(EIC_ERR_ENTRY_NO_KEY,    "entry has no key line") \
	X(EIC_ERR_ENTRY_NO_SIG,    "entry has no signature") \
	X(EIC_ERR_ENTRY_ORDER,     "metadata after key line") \
	X(EIC_ERR_NO_TIMESTAMP,    "missing #Timestamp") \
	X(EIC_ERR_NO_INSTANCE,     "missing #Instance") \
	X(EIC_ERR_EXPIRED,         "key expired") \
	X(EIC_ERR_TOO_FAR,         "expiry beyond push window plus clock skew") \
	X(EIC_ERR_OTHER_INSTANCE,  "key is for another instance") \
	X(EIC_ERR_SIG_LENGTH,      "signature length differs from signer key size") \
	X(EIC_ERR_SIG_INVALID,     "signature does not verify") \
	X(EIC_ERR_TOO_MANY,        "too many entries") \
	X(EIC_ERR_PEM,             "malformed PEM certificate chain") \
	X(EIC_ERR_CERT,            "malformed certificate") \
	X(EIC_ERR_SIGNER_KEY,      "signer key is not RSA of at least 2048 bits") \
	X(EIC_ERR_CN,              "signer CN differs from the expected signer name") \
	X(EIC_ERR_NO_ANCHOR,       "chain does not lead to a trusted root") \
	X(EIC_ERR_CHAIN,           "certificate chain does not verify") \
	X(EIC_ERR_OCSP_MISSING,    "no OCSP staple for a chain certificate") \
	X(EIC_ERR_OCSP_FORMAT,     "malformed OCSP response") \
	X(EIC_ERR_OCSP_STATUS,     "OCSP response status is not successful") \
	X(EIC_ERR_OCSP_SIGNER,     "OCSP response not signed by the issuer or its delegated responder") \
	X(EIC_ERR_OCSP_SIG,        "OCSP response signature does not verify") \
	X(EIC_ERR_OCSP_NOT_FOUND,  "OCSP response does not name the certificate") \
	X(EIC_ERR_OCSP_REVOKED,    "certificate revoked") \
	X(EIC_ERR_OCSP_UNKNOWN,    "certificate status unknown to the responder") \
	X(EIC_ERR_OCSP_NOT_YET,    "OCSP response thisUpdate is in the future") \
	X(EIC_ERR_OCSP_STALE,      "OCSP response is past its nextUpdate") \
	X(EIC_ERR_TRUST_STORE,     "no usable trust store") \
	X(EIC_ERR_INSTANCE_ID,     "malformed instance id") \
	X(EIC_ERR_REGION,          "malformed region or availability zone") \
	X(EIC_ERR_DOMAIN,          "domain is not an allowed partition") \
	X(EIC_ERR_USER,            "user name not allowed") \
	X(EIC_ERR_CONFIG,          "invalid configuration") \
	X(EIC_ERR_CONFIG_PERM,     "configuration file is not root-owned or is group/world-writable") \
	X(EIC_ERR_IO,              "I/O error") \
	X(EIC_ERR_HTTP,            "IMDS request failed") \
	X(EIC_ERR_HTTP_STATUS,     "unexpected IMDS status") \
	X(EIC_ERR_NOT_FOUND,       "not found in IMDS") \
	X(EIC_ERR_TOKEN,           "could not obtain IMDSv2 token") \
	X(EIC_ERR_DEADLINE,        "deadline reached")

enum eic_err_index {
	EIC_ERR_INDEX_OK_ = 0,
#define EIC_X(name, msg) name##_INDEX_,
	EIC_ERROR_LIST(EIC_X)
#undef EIC_X
	EIC_ERR_INDEX_COUNT_
};

enum eic_err {
	EIC_OK = 0,
#define EIC_X(name, msg) name = -(int)name##_INDEX_,
	EIC_ERROR_LIST(EIC_X)
#undef EIC_X
};

/* Returns a static message for an error code; never NULL. */
const char *err_str(int code);

/* Returns a static symbolic name ("EIC_ERR_CN") for an error code; never NULL. */
const char *err_name(int code);

#endif
