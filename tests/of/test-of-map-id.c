/* SPDX-License-Identifier: MIT */
/* of_map_id(): linux-semantics.md §1, test vectors §10.2, the Armada-8040 table. */
#include "of-test.h"

static struct captured_log logc;

struct map_case {
	const char *node;
	uint32_t id;
	const char *target_in; /* NULL: IMS_OF_NONE */
	int want_ret;
	const char *want_target; /* NULL: IMS_OF_NONE */
	uint32_t want_id;
	const char *why;
};

static void run_cases(struct ims_of_tree *t, const struct map_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++, c++) {
		int target = c->target_in ? node(t, c->target_in) : IMS_OF_NONE;
		int want_t = c->want_target ? node(t, c->want_target) : IMS_OF_NONE;
		uint32_t out = 0xdeadbeef;
		int ret = ims_of_map_id(t, node(t, c->node), c->id, "iommu-map", "iommu-map-mask",
					&target, &out, NULL);

		is_int(ret, c->want_ret, "%s id 0x%x: return (%s)", c->node, c->id, c->why);
		is_int(target, want_t, "%s id 0x%x: target", c->node, c->id);
		is_hex(out, c->want_id, "%s id 0x%x: id_out", c->node, c->id);
	}
}

static void test_vectors(void)
{
	struct ims_of_tree *t = load_fixture("map-id.dtb", &logc);
	static const struct map_case cases[] = {
		/* §10.2 map A */
		{ "/map-a", 0x0, NULL, 0, "/iommu@1000", 0x10000, "first entry" },
		{ "/map-a", 0xff, NULL, 0, "/iommu@1000", 0x100ff, "last id of entry 0" },
		{ "/map-a", 0x100, NULL, 0, "/iommu@2000", 0x20000, "second entry" },
		{ "/map-a", 0x200, NULL, 0, NULL, 0x200, "no match: bypass, target stays none" },
		{ "/map-a", 0x10, "/iommu@2000", 0, "/iommu@2000", 0x10, "preset target: bypass" },
		{ "/map-a", 0x150, "/iommu@2000", 0, "/iommu@2000", 0x20050, "preset target" },
		{ "/map-a-mask", 0x1ff, NULL, 0, "/iommu@1000", 0x100ff,
		  "mask folds 0x1ff to 0xff" },
		{ "/map-a-mask", 0x12345, NULL, 0, "/iommu@1000", 0x10045, "mask 0xff" },
		{ "/efault", 0x90, NULL, -EFAULT, NULL, 0xdeadbeef, "mask ignores id-base" },
		{ "/efault", 0x10, NULL, 0, "/iommu@1000", 0x10, "bad entry after the match" },
		{ "/len12", 0x0, NULL, -EINVAL, NULL, 0xdeadbeef, "12-byte map" },
		{ "/len20", 0x0, NULL, -EINVAL, NULL, 0xdeadbeef, "20-byte map" },
		{ "/empty", 0x0, NULL, -EINVAL, NULL, 0xdeadbeef, "empty map" },
		{ "/none", 0x5, NULL, -ENODEV, NULL, 0xdeadbeef, "absent map with target" },
		{ "/wrap", 0xffffff10, NULL, 0, NULL, 0xffffff10, "base+len wraps: never matches" },
		{ "/wrap-out", 0x20, NULL, 0, "/iommu@1000", 0x10, "output wraps mod 2^32" },
		{ "/len0", 0x0, NULL, 0, "/iommu@2000", 0x500, "len 0 never matches" },
		{ "/dangling", 0x5, NULL, -ENODEV, NULL, 0xdeadbeef, "dangling phandle matched" },
		{ "/dangling-late", 0x5, NULL, 0, "/iommu@1000", 0xa,
		  "dangling entry not matched" },
		{ "/dangling-late", 0x105, NULL, -ENODEV, NULL, 0xdeadbeef,
		  "dangling first match" },
		{ "/first-wins", 0x5, NULL, 0, "/iommu@1000", 0x1005, "first match wins" },
		{ "/first-wins", 0x5, "/iommu@2000", 0, "/iommu@2000", 0x2005, "preset skips s1" },
		{ "/mask-empty", 0x15, NULL, 0, NULL, 0x15, "zero-length mask: 0xffffffff" },
		{ "/mask-empty", 0x5, NULL, 0, "/iommu@1000", 0x5, "zero-length mask matches" },
		{ "/mask-long", 0x1234, NULL, 0, "/iommu@1000", 0x104, "first mask cell used" },
		{ "/mask-zero", 0xabcd, NULL, 0, "/iommu@1000", 0x77, "mask 0: all ids to one" },
	};
	struct ims_of_map_record rec;
	uint32_t out = 0;
	int target = IMS_OF_NONE, ret;

	run_cases(t, cases, ARRAY_SIZE_T(cases));

	/* Absent map, no target: identity and 0. */
	ret = ims_of_map_id(t, node(t, "/none"), 0x42, "iommu-map", "iommu-map-mask", NULL, &out,
			    NULL);
	is_int(ret, 0, "absent map without target returns 0");
	is_hex(out, 0x42, "absent map without target: identity");
	is_int(ims_of_map_id(t, node(t, "/map-a"), 1, "iommu-map", NULL, NULL, NULL, NULL), -EINVAL,
	       "neither target nor id_out: -EINVAL");
	is_int(ims_of_map_id(t, IMS_OF_NONE, 1, "iommu-map", NULL, &target, &out, NULL), -EINVAL,
	       "no node: -EINVAL");

	/* The decision record and the log messages. */
	capture_reset(&logc);
	ret = ims_of_map_id(t, node(t, "/map-a-mask"), 0x1ff, "iommu-map", "iommu-map-mask",
			    &target, &out, &rec);
	ok(rec.matched && rec.index == 0 && rec.id_base == 0 && rec.out_base == 0x10000 &&
		   rec.len == 0x100 && rec.mask == 0xff && rec.masked_id == 0xff &&
		   rec.id_out == 0x100ff && rec.nr_entries == 2,
	   "record describes the matched entry");
	ok(strstr(logc.text,
		  "<7>/map-a-mask: iommu-map, using mask 000000ff, id-base: 00000000, "
		  "out-base: 00010000, length: 00000100, id: 000001ff -> 000100ff") != NULL,
	   "pr_debug text on a match");
	capture_reset(&logc);
	target = IMS_OF_NONE;
	ims_of_map_id(t, node(t, "/map-a"), 0x200, "iommu-map", "iommu-map-mask", &target, &out,
		      &rec);
	ok(!rec.matched && rec.id_out == 0x200, "record on bypass");
	is_str(logc.text, "<6>/map-a: no iommu-map translation for id 0x200 on (null)\n",
	       "pr_info text on bypass names no target");
	capture_reset(&logc);
	target = node(t, "/iommu@2000");
	ims_of_map_id(t, node(t, "/map-a"), 0x10, "iommu-map", "iommu-map-mask", &target, &out,
		      NULL);
	is_str(logc.text, "<6>/map-a: no iommu-map translation for id 0x10 on /iommu@2000\n",
	       "pr_info names the preset target");
	capture_reset(&logc);
	target = IMS_OF_NONE;
	ims_of_map_id(t, node(t, "/len12"), 0, "iommu-map", "iommu-map-mask", &target, &out, NULL);
	is_str(logc.text, "<3>/len12: Error: Bad iommu-map length: 12\n", "pr_err on bad length");
	capture_reset(&logc);
	ims_of_map_id(t, node(t, "/efault"), 0x90, "iommu-map", "iommu-map-mask", &target, &out,
		      &rec);
	is_str(logc.text,
	       "<3>/efault: Invalid iommu-map translation - iommu-map-mask (0xff) ignores id-base "
	       "(0x100)\n",
	       "pr_err on the ignored id-base");
	is_int(rec.bad_index, 1, "record names the bad entry");
	ims_of_tree_free(t);
}

static void test_msi_walk(void)
{
	struct ims_of_tree *t = load_fixture("map-id.dtb", &logc);
	int stop, target;
	uint32_t id;

	/* of_map_id with msi-map on the node itself. */
	target = IMS_OF_NONE;
	is_int(ims_of_map_id(t, node(t, "/msi-bus"), 0x1234, "msi-map", "msi-map-mask", &target,
			     &id, NULL),
	       0, "msi-map on the bus");
	is_hex(id, 0x8034, "msi-map-mask applies");
	is_int(target, node(t, "/msi@3000"), "msi target is the ITS");

	/* Walk from a device without msi-map: its parent's map is used. */
	target = IMS_OF_NONE;
	id = ims_of_msi_map_id_walk(t, node(t, "/msi-bus/dev"), 0x12, &target, &stop, NULL);
	is_hex(id, 0x8012, "walk reaches the bus's msi-map");
	is_int(stop, node(t, "/msi-bus"), "walk stopped at the bus");
	/* The first ancestor with msi-map stops the walk even without a match. */
	target = IMS_OF_NONE;
	id = ims_of_msi_map_id_walk(t, node(t, "/msi-bus/bridge/dev"), 0x12, &target, &stop, NULL);
	is_hex(id, 0x12, "bridge's msi-map has no match: raw id passes through");
	is_int(stop, node(t, "/msi-bus/bridge"), "walk stopped at the bridge");
	is_int(target, IMS_OF_NONE, "no controller chosen");
	target = IMS_OF_NONE;
	id = ims_of_msi_map_id_walk(t, node(t, "/msi-bus/bridge/dev"), 0x1003, &target, &stop,
				    NULL);
	is_hex(id, 0x9003, "bridge's msi-map matches");
	/* Errors (-EINVAL) do not stop the walk. */
	target = IMS_OF_NONE;
	id = ims_of_msi_map_id_walk(t, node(t, "/msi-bus/broken/dev"), 0x7, &target, &stop, NULL);
	is_hex(id, 0x8007, "walk continues past a malformed msi-map");
	is_int(stop, node(t, "/msi-bus"), "stopped at the bus, not the broken node");
	/* No msi-map anywhere: id unchanged. */
	target = IMS_OF_NONE;
	id = ims_of_msi_map_id_walk(t, node(t, "/none"), 0x7, &target, &stop, NULL);
	is_hex(id, 0x7, "no msi-map anywhere: identity");
	is_int(stop, IMS_OF_NONE, "nothing stopped the walk");
	/* A preset controller that no entry names: bypass. */
	target = node(t, "/iommu@1000");
	id = ims_of_msi_map_id_walk(t, node(t, "/msi-bus/dev"), 0x12, &target, &stop, NULL);
	is_hex(id, 0x12, "preset controller not named: raw id");
	ims_of_tree_free(t);
}

/* The Armada-8040 CP110 PCIe table (iommu-map-mask 0x031f). */
static void test_armada(void)
{
	struct ims_of_tree *t = load_fixture("armada-8040.dtb", &logc);
	static const struct map_case cases[] = {
		{ "/cp0/pcie@f2600000", 0x0, NULL, 0, "/ap806/config-space@f0000000/iommu@100000",
		  0x480, "RID 0x0" },
		{ "/cp0/pcie@f2600000", 0x108, NULL, 0, "/ap806/config-space@f0000000/iommu@100000",
		  0x4a8, "RID 0x108" },
		{ "/cp0/pcie@f2600000", 0x208, NULL, 0, "/ap806/config-space@f0000000/iommu@100000",
		  0x4c8, "RID 0x208" },
		{ "/cp0/pcie@f2600000", 0x300, NULL, 0, NULL, 0x300,
		  "RID 0x300: no match, bypass" },
		{ "/cp0/pcie@f2600000", 0x1100, NULL, 0,
		  "/ap806/config-space@f0000000/iommu@100000", 0x4a0,
		  "RID 0x1100 masked to 0x100" },
		{ "/cp0/pcie@f2600000", 0x20, NULL, 0, "/ap806/config-space@f0000000/iommu@100000",
		  0x480, "RID 0x20: mask drops bit 5" },
		{ "/cp0/pcie@f2600000", 0x1301, NULL, 0, NULL, 0x1301,
		  "masked 0x301: bypass unmasked" },
	};

	run_cases(t, cases, ARRAY_SIZE_T(cases));
	ims_of_tree_free(t);
}

/* Property checks: first covering entry, computed independently, for random ids. */
static void test_random(void)
{
	struct ims_of_tree *t = load_fixture("armada-8040.dtb", NULL);
	uint64_t s = tap_seed(0x5eed0f);
	int np = node(t, "/cp0/pcie@f2600000"), bad = 0;

	for (int i = 0; i < 2000; i++) {
		uint32_t id = (uint32_t)tap_rand(&s) & 0xffff, out, m = id & 0x31f, want = id;
		int target = IMS_OF_NONE;
		static const uint32_t base[] = { 0x0, 0x100, 0x200 },
				      ob[] = { 0x480, 0x4a0, 0x4c0 };

		for (int e = 0; e < 3; e++)
			if (m >= base[e] && m < base[e] + 0x20) {
				want = m - base[e] + ob[e];
				break;
			}
		if (ims_of_map_id(t, np, id, "iommu-map", "iommu-map-mask", &target, &out, NULL) ||
		    out != want)
			bad++;
	}
	is_int(bad, 0, "2000 random RIDs agree with an independent computation");
	ims_of_tree_free(t);
}

int main(void)
{
	test_vectors();
	test_msi_walk();
	test_armada();
	test_random();
	return tap_done();
}
