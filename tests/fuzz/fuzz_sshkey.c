/* Fuzz target: SSH key lines and %f fingerprint arguments. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sshkey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sshkey key;
	struct sshkey_fp fp;
	char out[SSHKEY_FP_STRLEN], *s;

	if (sshkey_parse((struct slice){ data, size }, &key) == 0) {
		(void)sshkey_fp_sha256(key.blob, key.bloblen, out, sizeof(out));
		sshkey_clear(&key);
	}
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (sshkey_fp_parse(s, &fp) == 0)
		(void)sshkey_fp_match(&fp, data, size);
	free(s);
	return 0;
}
