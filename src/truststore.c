/* truststore.c: load trust anchors from the configured directory and bundle. */
#include <sys/stat.h>

#include <dirent.h>
#include <stdio.h>

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include "err.h"
#include "truststore.h"

int
truststore_add_file(X509_STORE *store, const char *file)
{
	int r;

	ERR_clear_error();
	r = file[0] != '\0' && X509_STORE_load_file(store, file) == 1 ?
	    0 : EIC_ERR_TRUST_STORE;
	ERR_clear_error();
	return r;
}

#define DIR_MAX_ENTRIES 4096
#define DIR_MAX_FILE (1024 * 1024)

int
truststore_add_dir_files(X509_STORE *store, const char *dir)
{
	struct dirent *de;
	struct stat sb;
	char path[4096];
	DIR *d = NULL;
	int r = EIC_ERR_TRUST_STORE, n = 0;

	if (dir[0] == '\0' || (d = opendir(dir)) == NULL)
		goto out;
	while ((de = readdir(d)) != NULL && n++ < DIR_MAX_ENTRIES) {
		if (de->d_name[0] == '.' ||
		    snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >=
		    (int)sizeof(path))
			continue;
		if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode) ||
		    sb.st_size > DIR_MAX_FILE)
			continue;
		ERR_clear_error();
		if (X509_STORE_load_file(store, path) == 1)
			r = 0;
	}
out:
	if (d != NULL)
		closedir(d);
	ERR_clear_error();
	return r;
}

int
truststore_open(const char *dir, const char *file, X509_STORE **out,
    int *file_loaded)
{
	X509_STORE *st = NULL;
	struct stat sb;
	int r, have_dir = 0;

	*file_loaded = 0;
	ERR_clear_error();
	if ((st = X509_STORE_new()) == NULL) {
		r = EIC_ERR_ALLOC;
		goto out;
	}
	/* The hashed directory costs one lookup per issuer, not a full parse. */
	if (dir[0] != '\0' && stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode))
		have_dir = X509_STORE_load_path(st, dir) == 1;
	if (!have_dir) {
		if ((r = truststore_add_file(st, file)) != 0)
			goto out;
		*file_loaded = 1;
	}
	/* success */
	*out = st;
	st = NULL;
	r = 0;
out:
	X509_STORE_free(st);
	ERR_clear_error();
	return r;
}
