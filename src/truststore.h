/* truststore.h: the CA trust store, from configured paths only. */
#ifndef EIC_TRUSTSTORE_H
#define EIC_TRUSTSTORE_H

#include <openssl/x509.h>

/*
 * Creates a store that looks anchors up lazily in the hashed directory dir
 * ("" for none). If dir is unusable and file is set, loads file at once.
 * Never consults SSL_CERT_DIR/SSL_CERT_FILE or compiled-in OpenSSL paths.
 * *file_loaded tells whether file was loaded. *out: X509_STORE_free.
 */
int truststore_open(const char *dir, const char *file, X509_STORE **out,
    int *file_loaded);

/* Adds every certificate of the PEM bundle file to store. */
int truststore_add_file(X509_STORE *store, const char *file);

/*
 * Last resort when neither the hash links nor the bundle hold the anchor:
 * adds the certificates of every regular PEM file directly in dir (an
 * anchor dropped there without c_rehash). At most 4096 entries, each file
 * at most 1 MiB. Returns 0 if at least one file loaded.
 */
int truststore_add_dir_files(X509_STORE *store, const char *dir);

#endif
