/* SPDX-License-Identifier: MIT */
#include "../tap.h"
#include "util/bitfield.h"
#include "util/compiler.h"
#include "util/le.h"

#define TEST_FIELD GENMASK_ULL(3, 1)
_Static_assert(GENMASK(31, 0) == 0xffffffffu, "GENMASK full width");
_Static_assert(GENMASK_ULL(63, 0) == ~0ULL, "GENMASK_ULL full width");

int main(void)
{
	uint8_t buf[8];

	is_hex(GENMASK(28, 27), 0x18000000u, "GENMASK(28,27)");
	is_hex(GENMASK_ULL(47, 12), 0xfffffffff000ULL, "GENMASK_ULL(47,12)");
	is_hex(FIELD_PREP(TEST_FIELD, 5), 0xaULL, "FIELD_PREP places at the mask's shift");
	is_hex(FIELD_PREP(TEST_FIELD, 0x1f), 0xeULL, "FIELD_PREP truncates to the mask");
	is_hex(FIELD_GET(TEST_FIELD, 0xffULL), 7, "FIELD_GET extracts");
	ok(FIELD_FIT(TEST_FIELD, 7), "FIELD_FIT accepts 7 in 3 bits");
	ok(!FIELD_FIT(TEST_FIELD, 8), "FIELD_FIT rejects 8 in 3 bits");
	is_hex(DMA_BIT_MASK(32), 0xffffffffULL, "DMA_BIT_MASK(32)");
	is_hex(DMA_BIT_MASK(64), ~0ULL, "DMA_BIT_MASK(64)");
	is_int(ims_ilog2(0x80000000ULL), 31, "ilog2");
	ims_st_le64(buf, 0x0102030405060708ULL);
	is_int(buf[0], 0x08, "little-endian store puts the low byte first");
	is_hex(ims_ld_le64(buf), 0x0102030405060708ULL, "little-endian round trip");
	is_hex(ims_ld_be32(buf), 0x08070605u, "big-endian load");
	return tap_done();
}
