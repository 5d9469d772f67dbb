/* SPDX-License-Identifier: MIT */
/*
 * The MMU-500 fuzz entry point over seeded random inputs: absurd register
 * values, tables and transactions never crash or hang the model.
 */
#include "smmuv2-test.h"

int main(void)
{
	uint64_t seed = tap_seed(0x5eed0062), s = seed;
	static uint8_t buf[1024];
	unsigned int fails = 0, runs = 5000;

	is_int(ims_smmuv2_fuzz_one(NULL, 0), 0, "empty input");
	for (unsigned int i = 0; i < runs; i++) {
		size_t len = 1 + tap_rand(&s) % sizeof(buf);

		for (size_t j = 0; j < len; j++)
			buf[j] = (uint8_t)tap_rand(&s);
		/* Bias some inputs towards structured operations (ops 4..7). */
		if (i & 1)
			for (size_t j = 8; j < len; j += 16)
				buf[j] = (uint8_t)(4 + (buf[j] & 3));
		if (ims_smmuv2_fuzz_one(buf, len) != 0)
			fails++;
	}
	is_int(fails, 0, "%u random inputs consumed without error", runs);
	return tap_done();
}
