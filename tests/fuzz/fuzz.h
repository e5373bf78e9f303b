/*
 * fuzz.h - what every fuzz target defines, and the small helpers they share.
 *
 * Each tests/fuzz/fuzz_NAME.c is one libFuzzer target: LLVMFuzzerInitialize prepares what
 * the code under test needs once (a migrated database, the compiled templates),
 * LLVMFuzzerTestOneInput feeds it one input and checks what must hold for every input (no
 * sanitizer report, and the target's own invariants, which abort through FUZZ_ASSERT).
 * `make fuzz` links them with libFuzzer (clang); `make check` links the same files with
 * driver.c, which runs each file named on the command line once (tests/fuzz/README.md).
 */
#ifndef SHENLIAO_TESTS_FUZZ_H
#define SHENLIAO_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* FUZZ_ASSERT aborts (a crash libFuzzer keeps) when an invariant of the code under test does
 * not hold for this input. Unlike assert it is never compiled out. */
#define FUZZ_ASSERT(cond)                                                                          \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__,       \
				#cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

#endif
