/* Fuzz target: the key bundle parser and the cheap per-entry checks. */
#include <stddef.h>
#include <stdint.h>

#include "keyblob.h"
#include "keycheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct keycheck_policy pol = { 1750000000, 60, 300, NULL };
	struct keyblob kb;
	struct sshkey key;
	size_t i;

	if (keyblob_parse((struct slice){ data, size }, &kb) != 0)
		return 0;
	for (i = 0; i < kb.n; i++) {
		if (keycheck_meta(&kb.entries[i], &pol, &key) == 0)
			sshkey_clear(&key);
		(void)keycheck_instance(&kb.entries[i], "i-0123456789abcdef0");
	}
	keyblob_free(&kb);
	return 0;
}
