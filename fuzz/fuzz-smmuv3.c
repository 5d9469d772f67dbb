/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the SMMUv3 model programmed by hostile driver code.  The bytes
 * are a program of register writes, memory writes and transactions
 * (ims_smmuv3_fuzz_one() documents the encoding).  Any failure other than
 * running out of memory is a bug.
 */
#include <iommusim/smmuv3.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int ret = ims_smmuv3_fuzz_one(data, size);

	FUZZ_CHECK(!ret || ret == -ENOMEM, "ims_smmuv3_fuzz_one returned %d", ret);
	return 0;
}
