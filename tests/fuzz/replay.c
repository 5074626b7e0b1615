/*
 * Replays corpus files through a fuzz target without libFuzzer, so that
 * `make check` runs every seed and every past crash under any compiler.
 * Usage: replay-<target> FILE...
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
main(int argc, char **argv)
{
	unsigned char *p;
	long n;
	FILE *f;
	int i;

	for (i = 1; i < argc; i++) {
		if ((f = fopen(argv[i], "rb")) == NULL) {
			perror(argv[i]);
			return 1;
		}
		fseek(f, 0, SEEK_END);
		n = ftell(f);
		rewind(f);
		if ((p = malloc(n > 0 ? (size_t)n : 1)) == NULL ||
		    fread(p, 1, (size_t)n, f) != (size_t)n) {
			fprintf(stderr, "%s: read failed\n", argv[i]);
			return 1;
		}
		fclose(f);
		LLVMFuzzerTestOneInput(p, (size_t)n);
		free(p);
	}
	printf("replay: %d inputs, no crash\n", argc - 1);
	return 0;
}
