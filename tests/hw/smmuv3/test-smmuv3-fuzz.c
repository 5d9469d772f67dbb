/* SPDX-License-Identifier: MIT */
/*
 * Run ims_smmuv3_fuzz_one() over seeded random programs: hostile register
 * values, memory contents and transactions must never crash or hang.
 */
#include <iommusim/smmuv3.h>

#include "../../tap.h"

#define RUNS 2000
#define MAXLEN 512

int main(void)
{
	uint64_t seed = tap_seed(0x5eed5a3bULL);
	uint8_t buf[MAXLEN];
	int fails = 0;

	for (int run = 0; run < RUNS; run++) {
		size_t len = (size_t)(tap_rand(&seed) % MAXLEN);

		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)tap_rand(&seed);
		/* Bias towards the well-formed setup so that deep paths run. */
		if (len > 8 && (run & 1))
			buf[1] = 5;
		if (ims_smmuv3_fuzz_one(buf, len))
			fails++;
	}
	is_int(fails, 0, "%d random programs ran to completion", RUNS);
	is_int(ims_smmuv3_fuzz_one(NULL, 0), 0, "empty input");
	return tap_done();
}
