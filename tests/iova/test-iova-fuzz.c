/* SPDX-License-Identifier: MIT */
/*
 * ims_iova_fuzz_one() on seeded random inputs, on inputs biased towards
 * allocation (to fill the space) and on degenerate inputs.
 */
#include <stdlib.h>

#include "../tap.h"
#include "iommusim/iova.h"

int main(void)
{
	uint64_t s = tap_seed(0xf022);
	static uint8_t buf[8192];
	int bad = 0, first = -1;

	for (int k = 0; k < 120; k++) {
		size_t len = 1 + tap_rand(&s) % sizeof(buf);

		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)tap_rand(&s);
		/* Every other input mostly allocates, so the space fills up. */
		for (size_t i = 1; k % 2 && i + 4 <= len; i += 4)
			if (buf[i] & 0x30)
				buf[i] = (uint8_t)((buf[i] & ~7) | (buf[i] & 0x40 ? 1 : 0));
		if (ims_iova_fuzz_one(buf, len)) {
			bad++;
			if (first < 0)
				first = k;
		}
	}
	is_int(bad, 0, "120 random inputs pass the bitmap checks");
	if (first >= 0)
		diag("first failing input %d: %s", first, ims_last_error());
	is_int(ims_iova_fuzz_one(NULL, 0), 0, "the empty input");
	is_int(ims_iova_fuzz_one(NULL, 5), -EINVAL, "NULL data with a length is refused");
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = 0xff;
	is_int(ims_iova_fuzz_one(buf, sizeof(buf)), 0, "all 0xff");
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i % 4 == 1 ? 0x09 : 0x3f);
	is_int(ims_iova_fuzz_one(buf, sizeof(buf)), 0, "only large size-aligned allocations");
	return tap_done();
}
