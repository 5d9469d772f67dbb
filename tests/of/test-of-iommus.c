/* SPDX-License-Identifier: MIT */
/* "iommus": of_parse_phandle_with_args() and the of_iommu_configure_dev() loop (§2). */
#include "of-test.h"

static struct captured_log logc;

static int parse(struct ims_of_tree *t, const char *path, int idx, struct ims_of_phandle_args *a)
{
	memset(a, 0xa5, sizeof(*a));
	return ims_of_parse_phandle_with_args(t, node(t, path), "iommus", "#iommu-cells", idx, a);
}

int main(void)
{
	struct ims_of_tree *t = load_fixture("iommus.dtb", &logc);
	struct ims_of_phandle_args a, specs[8];
	int nr, ret;

	is_int(parse(t, "/dev-ok", 0, &a), 0, "dev-ok idx 0");
	is_int(a.np, node(t, "/iommu@0"), "idx 0 provider");
	ok(a.args_count == 1 && a.args[0] == 0x10, "idx 0 args <0x10>");
	is_int(parse(t, "/dev-ok", 1, &a), 0, "dev-ok idx 1");
	ok(a.np == node(t, "/iommu@100") && a.args_count == 2 && a.args[0] == 0x20 &&
		   a.args[1] == 0x21,
	   "idx 1: two cells from #iommu-cells = <2>");
	is_int(parse(t, "/dev-ok", 3, &a), -ENOENT, "past the end: -ENOENT");
	is_int(parse(t, "/dev-ok", -1, &a), -EINVAL, "negative index: -EINVAL");
	is_int(ims_of_count_phandle_with_args(t, node(t, "/dev-ok"), "iommus", "#iommu-cells"), 3,
	       "count: 3 entries");
	is_int(parse(t, "/dev-none", 0, &a), -ENOENT, "absent list: -ENOENT");
	is_int(ims_of_count_phandle_with_args(t, node(t, "/dev-none"), "iommus", "#iommu-cells"),
	       -ENOENT, "count of an absent list: -ENOENT");

	is_int(parse(t, "/dev-empty-entry", 0, &a), -ENOENT, "phandle 0: empty entry, -ENOENT");
	is_int(parse(t, "/dev-empty-entry", 1, &a), 0, "entry after an empty one");
	ok(a.args_count == 1 && a.args[0] == 5, "args after the empty entry");

	capture_reset(&logc);
	is_int(parse(t, "/dev-dangling-first", 0, &a), -EINVAL, "unknown phandle: -EINVAL");
	is_str(logc.text, "<3>/dev-dangling-first: could not find phandle 57005\n",
	       "pr_err names the phandle in decimal");
	is_int(parse(t, "/dev-dangling-first", 1, &a), -EINVAL,
	       "an entry after a bad one cannot be reached");
	is_int(parse(t, "/dev-dangling-later", 0, &a), 0, "entry before a bad one parses");

	capture_reset(&logc);
	is_int(parse(t, "/dev-nocells", 0, &a), -EINVAL, "provider without #iommu-cells: -EINVAL");
	is_str(logc.text, "<3>/dev-nocells: could not get #iommu-cells for /iommu@200\n",
	       "pr_err for missing #iommu-cells");

	capture_reset(&logc);
	is_int(parse(t, "/dev-short", 1, &a), -EINVAL, "too few cells: -EINVAL");
	is_str(logc.text, "<3>/dev-short: #iommu-cells = 2 found 1\n", "pr_err for short cells");

	capture_reset(&logc);
	is_int(parse(t, "/dev-big", 0, &a), 0, "17 cells parse");
	is_int(a.args_count, 16, "truncated to MAX_PHANDLE_ARGS");
	is_int(a.args[15], 16, "16th cell kept");
	ok(strstr(logc.text, "<4>WARNING: /dev-big: iommus entry 0 has 17 cells") != NULL,
	   "WARN on truncation");

	is_int(parse(t, "/dev-zero-cells", 0, &a), 0, "#iommu-cells = <0>");
	is_int(a.args_count, 0, "no args");
	is_int(parse(t, "/dev-zero-cells", 1, &a), 0, "next entry after a zero-cell one");
	is_int(a.args[0], 7, "its cell");

	/* of_iommu_configure_dev loop. */
	is_int(ims_of_iommu_configure_dev(t, node(t, "/dev-ok"), specs, 8, &nr), 0,
	       "dev-ok: IOMMU");
	is_int(nr, 3, "three specifiers gathered");
	ret = ims_of_iommu_configure_dev(t, node(t, "/dev-dangling-first"), specs, 8, &nr);
	is_int(ret, -ENODEV, "bad first entry: no IOMMU (-ENODEV)");
	is_int(nr, 0, "nothing gathered");
	ret = ims_of_iommu_configure_dev(t, node(t, "/dev-dangling-later"), specs, 8, &nr);
	is_int(ret, 0, "bad later entry: keep what was gathered");
	ok(nr == 1 && specs[0].args[0] == 1, "the earlier ID is kept");
	is_int(ims_of_iommu_configure_dev(t, node(t, "/dev-short"), specs, 8, &nr), 0,
	       "short later entry: keep the first");
	is_int(nr, 1, "one ID");
	is_int(ims_of_iommu_configure_dev(t, node(t, "/dev-none"), specs, 8, &nr), -ENODEV,
	       "no iommus: -ENODEV");
	is_int(ims_of_iommu_configure_dev(t, node(t, "/dev-disabled-first"), specs, 8, &nr),
	       -ENODEV, "disabled IOMMU: -ENODEV");
	is_int(ims_of_iommu_configure_dev(t, node(t, "/dev-disabled-later"), specs, 8, &nr),
	       -ENODEV, "disabled IOMMU later: xlate fails, fwspec freed");
	is_int(nr, 0, "fwspec freed");
	is_int(ims_of_iommu_configure_dev(t, node(t, "/dev-emptystatus"), specs, 8, &nr), -ENODEV,
	       "zero-length status: not available");
	is_int(ims_of_iommu_configure_dev(t, node(t, "/dev-empty-entry"), specs, 8, &nr), -ENODEV,
	       "empty first entry (phandle 0): -ENOENT stops the loop at once");

	/* Availability and compatible. */
	ok(ims_of_device_is_available(t, node(t, "/iommu@0")), "no status: available");
	ok(ims_of_device_is_available(t, node(t, "/iommu@600")), "status \"ok\": available");
	ok(!ims_of_device_is_available(t, node(t, "/iommu@300")), "disabled: not available");
	ok(!ims_of_device_is_available(t, node(t, "/iommu@700")), "empty status: not available");
	ok(!ims_of_device_is_available(t, IMS_OF_NONE), "no node: not available");
	ok(ims_of_device_is_compatible(t, node(t, "/dev-compat"), "arm,mmu-500"),
	   "compatible matched case-insensitively, second string");
	ok(!ims_of_device_is_compatible(t, node(t, "/dev-compat"), "arm,mmu"), "no prefix match");
	ims_of_tree_free(t);
	return tap_done();
}
