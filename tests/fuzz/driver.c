/*
 * driver.c - runs a fuzz target once on each file named on the command line, without
 * libFuzzer: what `make check` uses to replay the seed corpus and the regression inputs
 * under gcc's AddressSanitizer and UndefinedBehaviorSanitizer (so the check needs no
 * clang). Each file is read into a buffer of exactly its size, as libFuzzer does, so a read
 * past the input's end is caught. Prints "ok FILE" per input; a failing input stops the run
 * with the sanitizer's report (or the target's FUZZ_ASSERT) and a non-zero exit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *p;
	long n;

	if (!f) {
		fprintf(stderr, "driver: cannot open %s\n", path);
		return 1;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "driver: cannot size %s\n", path);
		fclose(f);
		return 1;
	}
	p = malloc(n ? (size_t)n : 1);
	if (!p || fread(p, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "driver: cannot read %s\n", path);
		free(p);
		fclose(f);
		return 1;
	}
	fclose(f);
	fprintf(stderr, "run %s\n", path);
	LLVMFuzzerTestOneInput(p, (size_t)n);
	free(p);
	printf("ok %s\n", path);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	int i, bad = 0;

	LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++)
		bad |= run_file(argv[i]);
	return bad;
}
