/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: a DTB as a vendor might ship it.  Load it as ims_of_tree_load()
 * would, then walk every node through iommus, of_map_id (iommu-map, msi-map),
 * dma-ranges, coherency and reg translation, checking the results against
 * independent recomputations (fuzz/of-exercise.h).  The last 16 bytes of the
 * input also choose the ids given to of_map_id.
 *
 * A rejected blob must come with a message naming it.
 */
#include <string.h>

#include <iommusim/of.h>

#include "fuzz.h"
#include "of-exercise.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ims_of_tree *t = NULL;
	int ret;

	ims_clear_error();
	ret = ims_of_tree_load_blob(&t, data, size, "fuzz.dtb");
	if (ret) {
		FUZZ_CHECK(ret == -IMS_EBADDTB || ret == -IMS_ELIMIT || ret == -ENOMEM,
			   "load returned %d", ret);
		FUZZ_CHECK(strstr(ims_last_error(), "fuzz.dtb"),
			   "rejection does not name the blob");
		FUZZ_CHECK(!t, "a failed load returned a tree");
		return 0;
	}
	fx_exercise(t, data, size);
	ims_of_tree_free(t);
	return 0;
}
