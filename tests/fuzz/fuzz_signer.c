/*
 * Fuzz target: the signer check in memory. Input: a PEM chain, then
 * staples separated by lines "=STAPLE=". The first certificate (if any)
 * also serves as the subject and issuer of every staple, so that the OCSP
 * parser sees fuzzer-made responses even when no chain verifies.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "b64.h"
#include "signer.h"
#include "staple.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SEP "\n=STAPLE=\n"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct signer_staple st[SIGNER_MAX_STAPLES];
	struct signer_input in;
	struct signer_info info;
	const uint8_t *p = data, *end = data + size, *next;
	size_t n = 0, i, dlen;
	struct slice parts[SIGNER_MAX_STAPLES + 1];
	X509_STORE *store = X509_STORE_new();
	EVP_PKEY *pkey = NULL;
	unsigned char *der;
	X509 *first = NULL;
	BIO *bio;

	while (n < SIGNER_MAX_STAPLES + 1) {
		next = memmem(p, (size_t)(end - p), SEP, strlen(SEP));
		parts[n].ptr = p;
		parts[n].len = next == NULL ? (size_t)(end - p) : (size_t)(next - p);
		n++;
		if (next == NULL)
			break;
		p = next + strlen(SEP);
	}
	for (i = 1; i < n; i++) {
		snprintf(st[i - 1].name, sizeof(st[i - 1].name), "%040zu", i);
		st[i - 1].b64 = parts[i];
	}
	memset(&in, 0, sizeof(in));
	in.chain_pem = parts[0];
	in.staples = st;
	in.nstaples = n - 1;
	in.expected_cn = "managed-ssh-signer.us-east-1.amazonaws.com";
	in.now = 1750000000;
	in.ocsp_leeway = 300;
	if (store != NULL && signer_verify(&in, store, &pkey, &info) == 0)
		EVP_PKEY_free(pkey);
	if ((bio = BIO_new_mem_buf(parts[0].ptr, (int)parts[0].len)) != NULL) {
		first = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		BIO_free(bio);
	}
	for (i = 1; first != NULL && i < n; i++) {
		if (b64_decode(parts[i], STAPLE_DER_MAX, &der, &dlen) != 0)
			continue;
		(void)staple_check((struct slice){ der, dlen }, first, first,
		    in.now, 300, NULL);
		free(der);
	}
	X509_free(first);
	X509_STORE_free(store);
	return 0;
}
