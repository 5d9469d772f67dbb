// SPDX-License-Identifier: MIT
/*
 * explain --rid-table: the fold detection and the row compression on
 * synthetic per-RID results (up to a whole 65,536-RID bus-range), then the
 * table built from tests/explain/rid-holes.dts and the QEMU-virt board.
 */
#include <stdlib.h>

#include <iommusim/explain.h>

#include "../tap.h"

#define NR 65536

/* RIDs 0..n-1 on SMMU 0 with StreamID f(rid), MSI controller 1 with DeviceID rid. */
static void fill(struct ims_explain_rid *v, int n, uint32_t mask, uint32_t out_base)
{
	for (int i = 0; i < n; i++) {
		v[i] = (struct ims_explain_rid){ .rid = (uint32_t)i,
						 .iommu = 0,
						 .sid = ((uint32_t)i & mask) + out_base,
						 .msi = 1,
						 .msi_id = (uint32_t)i };
	}
}

static void test_empty(void)
{
	struct ims_explain_rid_row *rows = (void *)1;
	int nr = -1;

	is_int(ims_explain_rid_compress(NULL, 0, &rows, &nr), 0, "no RIDs: ok");
	is_int(nr, 0, "no RIDs: no rows");
	ok(rows == NULL, "no RIDs: NULL rows");
	is_int(ims_explain_rid_compress(NULL, 3, &rows, &nr), -EINVAL, "RIDs without an array");
	is_int(ims_explain_rid_folds(NULL, -1), -EINVAL, "negative count");
}

static void test_identity(struct ims_explain_rid *v)
{
	struct ims_explain_rid_row *rows = NULL;
	int nr = 0;

	fill(v, NR, 0xffffffff, 0x10000);
	is_int(ims_explain_rid_folds(v, NR), 0, "identity: folds");
	is_int(v[0x1234].fold, 1, "identity: no fold");
	is_int(ims_explain_rid_compress(v, NR, &rows, &nr), 0, "identity: compress 65536 RIDs");
	is_int(nr, 1, "identity: one row for the whole bus-range");
	if (nr == 1) {
		is_hex(rows[0].rid_first, 0, "identity: first RID");
		is_hex(rows[0].rid_last, 0xffff, "identity: last RID");
		is_hex(rows[0].sid_first, 0x10000, "identity: first SID");
		is_hex(rows[0].msi_first, 0, "identity: first MSI DeviceID");
	}
	free(rows);
}

/* The Armada mask 0x31f: 128 masked values, each reached by 512 RIDs; runs of 32. */
static void test_mask_folds(struct ims_explain_rid *v)
{
	struct ims_explain_rid_row *rows = NULL;
	int nr = 0, max_fold = 0, min_fold = 1 << 30;

	fill(v, NR, 0x31f, 0x480);
	is_int(ims_explain_rid_folds(v, NR), 0, "mask 0x31f: folds");
	for (int i = 0; i < NR; i++) {
		max_fold = v[i].fold > max_fold ? v[i].fold : max_fold;
		min_fold = v[i].fold < min_fold ? v[i].fold : min_fold;
	}
	is_int(min_fold, 512, "mask 0x31f: every RID shares its SID with 511 others (min)");
	is_int(max_fold, 512, "mask 0x31f: every RID shares its SID with 511 others (max)");
	is_hex(v[0x0000].fold_peer, 0x0020, "RID 0x0000's first peer is 0x0020 (bits 5-7 cleared)");
	is_hex(v[0x0508].fold_peer, 0x0108, "RID 0x0508's first peer is 0x0108");
	is_int(ims_explain_rid_compress(v, NR, &rows, &nr), 0, "mask 0x31f: compress");
	is_int(nr, NR / 32, "mask 0x31f: one row per 32 RIDs");
	if (nr > 41) {
		is_hex(rows[40].rid_first, 40 * 32, "row 40 starts at RID 0x500");
		is_hex(rows[40].sid_first, 0x580, "row 40: (0x500 & 0x31f) + 0x480 = 0x580");
		is_int(rows[40].fold, 512, "row 40 is marked folded");
	}
	free(rows);
}

/* iommu-map-mask 0: every RID folds onto one StreamID: one row of step 0. */
static void test_fold_to_one(struct ims_explain_rid *v)
{
	struct ims_explain_rid_row *rows = NULL;
	int nr = 0;

	fill(v, NR, 0, 0x77);
	is_int(ims_explain_rid_folds(v, NR), 0, "mask 0: folds");
	is_int(v[0x4321].fold, NR, "mask 0: all 65536 RIDs share SID 0x77");
	is_int(ims_explain_rid_compress(v, NR, &rows, &nr), 0, "mask 0: compress");
	is_int(nr, 1, "mask 0: one row");
	if (nr == 1) {
		is_int(rows[0].sid_step, 0, "mask 0: the SID stays (step 0)");
		is_int(rows[0].msi_step, 1, "mask 0: the MSI DeviceIDs still count up");
		is_hex(rows[0].rid_last, 0xffff, "mask 0: the row spans every RID");
	}
	free(rows);
	/* A fold run then a consecutive run: step 0 must not swallow the step-1 part. */
	fill(v, 8, 0xffffffff, 0x10);
	v[1].sid = 0x10;
	v[2].sid = 0x10;
	ims_explain_rid_folds(v, 8);
	is_int(ims_explain_rid_compress(v, 8, &rows, &nr), 0, "mixed: compress");
	is_int(nr, 2, "mixed: a folded row and a plain row");
	if (nr == 2) {
		is_hex(rows[0].rid_last, 2, "mixed: RIDs 0-2 fold onto 0x10");
		is_int(rows[0].sid_step, 0, "mixed: step 0 for the fold");
		is_hex(rows[1].sid_first, 0x13, "mixed: RID 3 -> 0x13 starts the plain row");
		is_int(rows[1].fold, 1, "mixed: the plain row is not folded");
	}
	free(rows);
}

/* Holes merge whatever their (meaningless) SIDs; a change of MSI continuity splits. */
static void test_holes_and_splits(struct ims_explain_rid *v)
{
	struct ims_explain_rid_row *rows = NULL;
	int nr = 0;

	fill(v, 1024, 0xffffffff, 0);
	for (int i = 0x300; i < 0x400; i++) {
		v[i].iommu = -1;
		v[i].sid = 0xdead0000u + (uint32_t)(i * 7); /* not consecutive: must not matter */
	}
	v[0x100].msi_id = 0x9999; /* breaks MSI continuity around RID 0x100 */
	v[0x200].err = -EFAULT;
	is_int(ims_explain_rid_folds(v, 1024), 0, "holes: folds");
	is_int(v[0x300].fold, 1, "a hole never folds");
	is_int(ims_explain_rid_compress(v, 1024, &rows, &nr), 0, "holes: compress");
	/* [0,ff] [100] [101,1ff] [200 err] [201,2ff] [300,3ff hole] */
	is_int(nr, 6, "holes: six rows");
	if (nr == 6) {
		is_hex(rows[1].rid_first, 0x100, "the MSI break is its own row");
		is_hex(rows[1].rid_last, 0x100, "the MSI break is one RID");
		is_int(rows[3].err, -EFAULT, "the error RID is its own row");
		is_int(rows[5].iommu, -1, "the hole row has no SMMU");
		is_hex(rows[5].rid_last - rows[5].rid_first + 1, 0x100, "the hole row spans bus 3");
	}
	free(rows);
}

static void test_build(void)
{
	struct ims_explain_rid_table *t = NULL;
	struct ims_of_tree *tree = NULL;
	char *json = NULL;

	is_int(ims_of_tree_load(&tree, SRC_DIR "/rid-holes.dts", NULL, 0), 0, "load rid-holes.dts");
	if (!tree)
		return;
	is_int(ims_explain_rid_table_build(tree, "/nope", &t), -ENODEV, "missing node");
	is_int(ims_explain_rid_table_build(tree, "/pcie@10000000", &t), 0, "build the table");
	if (t) {
		is_int(t->nr_rids, 1024, "bus-range 0-3: 1024 RIDs");
		is_int(t->nr_holes, 256, "devices 0x10-0x1f of buses 2 and 3 are holes");
		is_int(t->nr_folded, 768, "buses 0/1 fold, and the mapped halves of 2/3");
		is_int(t->nr_rows, 6, "six rows");
		if (t->nr_rows == 6) {
			is_hex(t->rows[1].sid_first, 0x1000, "bus 1 folds onto bus 0's SIDs");
			is_hex(t->rows[1].fold_peer, 0x000, "bus 1's peer is RID 00:00.0");
			is_int(t->rows[2].msi, -1, "bus 2 has no msi-map entry");
			is_int(t->rows[3].iommu, -1, "02:10.0-02:1f.7 is a hole");
		}
		is_int(ims_explain_render_rid_table(t, true, &json), 0, "render JSON");
		ok(json && strstr(json, "\"holes\": 256") && strstr(json, "\"hole\": true"),
		   "the JSON marks the holes");
		free(json);
		ims_explain_rid_table_free(t);
		t = NULL;
	}
	ims_of_tree_free(tree);

	is_int(ims_of_tree_load(&tree, BOARDS_DIR "/qemu-virt-smmuv3.dts", NULL, 0), 0,
	       "load the QEMU-virt board");
	if (!tree)
		return;
	is_int(ims_explain_rid_table_build(tree, "/pcie@10000000", &t), 0,
	       "QEMU: build 65536 RIDs");
	if (t) {
		is_int(t->nr_rids, 65536, "QEMU: bus-range 0-255");
		is_int(t->nr_rows, 1, "QEMU: the 1:1 map is one row");
		is_int(t->nr_holes + t->nr_folded, 0, "QEMU: no holes, no folds");
	}
	ims_explain_rid_table_free(t);
	ims_of_tree_free(tree);
}

static const struct ims_explain_rid_row *row_of(const struct ims_explain_rid_table *t, uint32_t rid)
{
	int lo = 0, hi = t->nr_rows - 1;

	while (lo <= hi) { /* the rows are sorted by RID */
		int mid = lo + (hi - lo) / 2;

		if (rid < t->rows[mid].rid_first)
			hi = mid - 1;
		else if (rid > t->rows[mid].rid_last)
			lo = mid + 1;
		else
			return &t->rows[mid];
	}
	return NULL;
}

/* Every sampled RID of @node's table agrees with of_map_id() and the msi-map walk themselves. */
static void cross_check(const struct ims_of_tree *tree, const char *node, int stride)
{
	struct ims_explain_rid_table *t = NULL;
	int bad = 0, checked = 0, np = ims_of_find_node_by_path(tree, node);
	bool has_map = ims_of_get_property(tree, np, "iommu-map", NULL) != NULL;
	char path[256];

	if (ims_explain_rid_table_build(tree, node, &t)) {
		ok(false, "%s: build", node);
		return;
	}
	for (int i = 0; i < t->nr_rids; i++) {
		uint32_t rid = (uint32_t)(t->bus_first * 256 + i), sid = 0, msi_id;
		const struct ims_explain_rid_row *r = row_of(t, rid);
		int target = IMS_OF_NONE, mt = IMS_OF_NONE, stop, err;
		bool good = true;

		if (i % stride && i > 300 && i < t->nr_rids - 300)
			continue;
		checked++;
		err = ims_of_map_id(tree, np, rid, "iommu-map", "iommu-map-mask", &target, &sid,
				    NULL);
		if (err == -ENODEV && !has_map)
			err = 0;
		msi_id = ims_of_msi_map_id_walk(tree, np, rid, &mt, &stop, NULL);
		if (!r) {
			bad++;
			continue;
		}
		good &= r->err == err;
		if (!err && target != IMS_OF_NONE)
			good &= r->iommu >= 0 &&
				r->sid_first + (rid - r->rid_first) * (uint32_t)r->sid_step ==
					sid &&
				!strcmp(t->targets[r->iommu],
					ims_of_node_path(tree, target, path, sizeof(path)));
		else if (!err)
			good &= r->iommu < 0;
		if (stop != IMS_OF_NONE && mt != IMS_OF_NONE)
			good &= r->msi >= 0 &&
				r->msi_first + (rid - r->rid_first) * (uint32_t)r->msi_step ==
					msi_id &&
				!strcmp(t->targets[r->msi],
					ims_of_node_path(tree, mt, path, sizeof(path)));
		else
			good &= r->msi < 0;
		if (!good && bad++ < 3)
			diag("%s: RID 0x%x: of_map_id %d -> 0x%x, row err %d iommu %d", node, rid,
			     err, sid, r->err, r->iommu);
	}
	ok(!bad && checked > 0, "%s: %d RIDs agree with of_map_id() and the msi-map walk", node,
	   checked);
	ims_explain_rid_table_free(t);
}

static void test_cross_check(void)
{
	static const char *const nodes[] = {
		"/map-a",     "/map-a-mask",	 "/efault",	    "/len12",	   "/len20",
		"/empty",     "/none",		 "/wrap",	    "/wrap-out",   "/len0",
		"/dangling",  "/dangling-late",	 "/first-wins",	    "/mask-empty", "/mask-long",
		"/mask-zero", "/msi-bus/bridge", "/msi-bus/broken", "/msi-bus",
	};
	struct ims_of_tree *tree = NULL;

	if (!ims_of_tree_load(&tree, SRC_DIR "/rid-holes.dts", NULL, 0))
		cross_check(tree, "/pcie@10000000", 1);
	ims_of_tree_free(tree);
	tree = NULL;
	if (!ims_of_tree_load(&tree, BOARDS_DIR "/armada-8040.dts", NULL, 0))
		cross_check(tree, "/cp0/pcie@f2600000", 7);
	ims_of_tree_free(tree);
	tree = NULL;
	is_int(ims_of_tree_load(&tree, MAPID_DTS, NULL, 0), 0, "load the map-id fixture");
	for (size_t i = 0; tree && i < sizeof(nodes) / sizeof(nodes[0]); i++)
		cross_check(tree, nodes[i], 211);
	ims_of_tree_free(tree);
}

int main(void)
{
	struct ims_explain_rid *v = calloc(NR, sizeof(*v));

	if (!v)
		return 1;
	test_empty();
	test_identity(v);
	test_mask_folds(v);
	test_fold_to_one(v);
	test_holes_and_splits(v);
	test_build();
	test_cross_check();
	free(v);
	return tap_done();
}
