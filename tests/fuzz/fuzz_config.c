/* Fuzz target: the YAML configuration parser. */
#include <stddef.h>
#include <stdint.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;
	char why[256];

	config_defaults(&cfg);
	(void)config_parse((struct slice){ data, size }, &cfg, why, sizeof(why));
	return 0;
}
