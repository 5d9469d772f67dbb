/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the MMU-500 model.  The first bytes choose a configuration,
 * the rest a sequence of register accesses, table writes and transactions
 * (ims_smmuv2_fuzz_one() documents the encoding).  Any failure other than
 * running out of memory is a bug.
 */
#include <iommusim/smmuv2.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int ret = ims_smmuv2_fuzz_one(data, size);

	FUZZ_CHECK(!ret || ret == -ENOMEM, "ims_smmuv2_fuzz_one returned %d", ret);
	return 0;
}
