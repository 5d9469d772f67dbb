/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: io-pgtable (Arm LPAE stage 1 and stage 2, 4K granule) driven
 * by map/unmap sequences, every result, translation and TLB callback checked
 * against the independent reference model (ims_pgtable_fuzz_one() documents
 * the encoding).  A disagreement (-EFAULT) is a bug.
 */
#include <iommusim/pgtable.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int ret = ims_pgtable_fuzz_one(data, size);

	FUZZ_CHECK(!ret || ret == -ENOMEM, "ims_pgtable_fuzz_one returned %d", ret);
	return 0;
}
