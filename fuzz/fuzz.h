/* SPDX-License-Identifier: MIT */
/*
 * Shared by every fuzz target: the libFuzzer entry point's prototype (so the
 * targets build with -Wmissing-prototypes under gcc, where fuzz/replay.c
 * supplies main()) and the one way a target reports a broken invariant.
 */
#ifndef IMS_FUZZ_FUZZ_H
#define IMS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <iommusim/common.h>

/* Run one input.  Returns 0; a broken invariant aborts (libFuzzer's "crash"). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * A target found a disagreement between the library and an independent
 * recomputation, or a call that should not fail did: print why and abort so
 * that libFuzzer saves the input and the replay test fails.
 */
#define FUZZ_FAIL(...)                                                                             \
	do {                                                                                       \
		fprintf(stderr, "fuzz invariant broken: " __VA_ARGS__);                            \
		fprintf(stderr, " (last error: %s)\n", ims_last_error());                          \
		abort();                                                                           \
	} while (0)

#define FUZZ_CHECK(cond, ...)                                                                      \
	do {                                                                                       \
		if (!(cond))                                                                       \
			FUZZ_FAIL(__VA_ARGS__);                                                    \
	} while (0)

#endif
