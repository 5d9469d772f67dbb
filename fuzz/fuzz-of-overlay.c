/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: overlays applied to a base.  The input is a base blob followed
 * by up to four overlay blobs, each starting where the previous one's header
 * totalsize says it ends (so `cat base.dtb a.dtbo b.dtbo` is an input).
 *
 * Checked: a failed apply leaves the tree byte-for-byte as it was and names
 * the overlay; after every successful apply the tree passes the whole-tree
 * walk of fuzz/of-exercise.h.
 */
#include <string.h>

#include <libfdt.h>

#include <iommusim/of.h>

#include "fuzz.h"
#include "of-exercise.h"

#define FUZZ_MAX_OVERLAYS 4

/* The size the blob at @p says it has, clamped to the @left bytes there. */
static size_t chunk(const uint8_t *p, size_t left)
{
	size_t n;

	if (left < sizeof(struct fdt_header))
		return left;
	/* The header's totalsize, read bytewise: overlays need not be aligned. */
	n = (size_t)p[4] << 24 | (size_t)p[5] << 16 | (size_t)p[6] << 8 | p[7];
	return n < sizeof(struct fdt_header) || n > left ? left : n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ims_of_tree *t = NULL;
	size_t base_len = chunk(data, size), pos = base_len;
	int applied = 0;

	if (ims_of_tree_load_blob(&t, data, base_len, "base.dtb"))
		return 0;
	for (int i = 0; i < FUZZ_MAX_OVERLAYS && pos < size; i++) {
		size_t n = chunk(data + pos, size - pos), before_len, after_len;
		const void *before = ims_of_tree_blob(t, &before_len);
		void *saved = malloc(before_len);
		char name[32];
		int ret;

		if (!saved)
			break;
		memcpy(saved, before, before_len);
		snprintf(name, sizeof(name), "overlay%d.dtbo", i);
		ims_clear_error();
		ret = ims_of_tree_apply_overlay_blob(t, data + pos, n, name);
		if (ret) {
			const void *after = ims_of_tree_blob(t, &after_len);

			FUZZ_CHECK(ret == -IMS_EOVERLAY || ret == -IMS_EBADDTB ||
					   ret == -IMS_ELIMIT || ret == -ENOMEM,
				   "apply returned %d", ret);
			FUZZ_CHECK(strstr(ims_last_error(), name), "failure does not name %s",
				   name);
			FUZZ_CHECK(after_len == before_len && !memcmp(after, saved, before_len),
				   "a failed apply changed the tree");
		} else {
			applied++;
		}
		free(saved);
		pos += n;
	}
	if (applied)
		fx_exercise(t, data, size);
	ims_of_tree_free(t);
	return 0;
}
