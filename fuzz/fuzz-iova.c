/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the IOVA allocator driven by sequences of alloc_iova,
 * alloc_iova_fast, free, reserve and cache operations, every result checked
 * against a bitmap of what the caller holds and against ims_iova_check()
 * (ims_iova_fuzz_one() documents the encoding).  A mismatch (-EFAULT) is a bug.
 */
#include <iommusim/iova.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int ret = ims_iova_fuzz_one(data, size);

	FUZZ_CHECK(!ret || ret == -ENOMEM, "ims_iova_fuzz_one returned %d", ret);
	return 0;
}
