/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: `iommusim explain` and `iommusim lint` end to end on a fuzzed
 * board.  The input is a base blob followed by up to two overlays (each
 * starting where the previous header's totalsize ends, as fuzz-of-overlay
 * reads them).  The board is booted as a machine (memory, SMMU models,
 * driver core, PCI enumeration, IOMMU core, the arm-smmu drivers), then:
 *
 *  - ims_explain_build() and every renderer (long text, JSON, tree, DOT, one
 *    device and its --why, in text and JSON); every JSON document must parse
 *    and every untranslated device must carry a reason;
 *  - the RID table of the first PCI host bridge (text and JSON);
 *  - ims_lint_machine() on the booted machine, or on an unbooted machine
 *    with the same tree when the boot failed (as ims_lint_board does).
 *
 * A boot may fail (a hostile board), but only with an errno-style code and a
 * message; nothing may crash, leak or go undefined.
 */
#include <string.h>

#include <iommusim/explain.h>
#include <iommusim/lint.h>
#include <iommusim/machine.h>
#include <iommusim/of.h>

#include "fuzz.h"
#include "json-check.h"

#define FUZZ_MAX_OVERLAYS 2
/* Larger inputs are not booted: one exec must stay in milliseconds. */
#define FUZZ_MAX_INPUT 65536
/* The RID table of a host bridge is built only for maps this small. */
#define FUZZ_MAX_MAP_ENTRIES 64

static size_t chunk(const uint8_t *p, size_t left)
{
	size_t n;

	if (left < 40)
		return left;
	n = (size_t)p[4] << 24 | (size_t)p[5] << 16 | (size_t)p[6] << 8 | p[7];
	return n < 40 || n > left ? left : n;
}

static void check_json(const char *what, int ret, char *text)
{
	FUZZ_CHECK(!ret || ret == -ENOMEM, "%s returned %d", what, ret);
	FUZZ_CHECK(ret || (text && json_valid(text)), "%s: not valid JSON:\n%s", what,
		   text ? text : "(null)");
	free(text);
}

static void check_text(const char *what, int ret, char *text)
{
	FUZZ_CHECK(!ret || ret == -ENOMEM, "%s returned %d", what, ret);
	FUZZ_CHECK(ret || text, "%s: no text", what);
	free(text);
}

static void render_all(const struct ims_explain_report *r)
{
	char *text = NULL;
	int ret;

	for (int i = 0; i < r->nr_devices; i++) {
		const struct ims_explain_device *d = &r->devices[i];

		FUZZ_CHECK(d->name && *d->name, "device %d has no name", i);
		FUZZ_CHECK(d->translated || (d->reason && *d->reason),
			   "%s is not translated but has no reason", d->name);
	}
	text = NULL;
	ret = ims_explain_render_text(r, &text);
	check_text("render_text", ret, text);
	text = NULL;
	ret = ims_explain_render_json(r, &text);
	check_json("render_json", ret, text);
	text = NULL;
	ret = ims_explain_render_tree(r, true, &text);
	check_text("render_tree", ret, text);
	text = NULL;
	ret = ims_explain_render_dot(r, &text);
	check_text("render_dot", ret, text);
	/* The first and the last device, by name, in both forms. */
	for (int k = 0; k < 2 && r->nr_devices; k++) {
		const char *name = r->devices[k ? r->nr_devices - 1 : 0].name;

		text = NULL;
		ret = ims_explain_render_device(r, name, false, &text);
		check_text("render_device", ret, text);
		text = NULL;
		ret = ims_explain_render_device(r, name, true, &text);
		check_json("render_device json", ret, text);
		text = NULL;
		ret = ims_explain_render_why(r, name, false, &text);
		check_text("render_why", ret, text);
		text = NULL;
		ret = ims_explain_render_why(r, name, true, &text);
		check_json("render_why json", ret, text);
	}
	/* A name no device has (node names are arbitrary bytes: check first). */
	for (int i = 0; i < r->nr_devices; i++)
		if (!strcmp(r->devices[i].name, "no such device"))
			return;
	text = NULL;
	FUZZ_CHECK(ims_explain_render_device(r, "no such device", false, &text) == -ENODEV,
		   "render_device of an unknown device");
	free(text);
}

static void rid_table(const struct ims_of_tree *t)
{
	struct ims_explain_rid_table *rt = NULL;
	int nr = ims_of_nr_nodes(t), len, ret;
	char path[512], *text = NULL;

	for (int i = 0; i < nr; i++) {
		int np = ims_of_node_by_index(t, i);
		const char *type = ims_of_get_property(t, np, "device_type", &len);

		if (!type || len != 4 || memcmp(type, "pci", 4) || ims_of_node_depth(t, np) != 1)
			continue;
		if (ims_of_get_property(t, np, "iommu-map", &len) &&
		    len > 16 * FUZZ_MAX_MAP_ENTRIES)
			return;
		ims_of_node_path(t, np, path, sizeof(path));
		ret = ims_explain_rid_table_build(t, path, &rt);
		FUZZ_CHECK(!ret || ret == -ENOMEM || ret == -EINVAL || ret == -ENODEV,
			   "rid_table_build(%s) returned %d", path, ret);
		if (ret)
			return;
		text = NULL;
		ret = ims_explain_render_rid_table(rt, false, &text);
		check_text("render_rid_table", ret, text);
		text = NULL;
		ret = ims_explain_render_rid_table(rt, true, &text);
		check_json("render_rid_table json", ret, text);
		ims_explain_rid_table_free(rt);
		return;
	}
}

static void lint(struct ims_machine *m)
{
	struct ims_lint_report *r = NULL;
	int ret = ims_lint_machine(&r, m);

	FUZZ_CHECK(!ret || ret == -ENOMEM, "lint_machine returned %d", ret);
	for (int i = 0; !ret && i < r->nr_findings; i++)
		FUZZ_CHECK(r->findings[i].check && r->findings[i].message &&
				   (unsigned int)r->findings[i].severity < IMS_LINT_NR_SEVERITIES,
			   "lint finding %d is incomplete", i);
	ims_lint_free(r);
}

/* Load the base and apply the overlays that apply; NULL when the base is rejected. */
static struct ims_of_tree *load(const uint8_t *data, size_t size)
{
	struct ims_of_tree *t = NULL;
	size_t pos = chunk(data, size);

	if (ims_of_tree_load_blob(&t, data, pos, "board.dtb"))
		return NULL;
	for (int i = 0; i < FUZZ_MAX_OVERLAYS && pos < size; i++) {
		size_t n = chunk(data + pos, size - pos);

		ims_of_tree_apply_overlay_blob(t, data + pos, n, "overlay.dtbo");
		pos += n;
	}
	return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ims_explain_report *r = NULL;
	struct ims_machine *m = NULL;
	struct ims_of_tree *t;
	int ret;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	t = load(data, size);
	if (!t)
		return 0;
	ret = ims_machine_new(&m, NULL);
	FUZZ_CHECK(!ret, "machine_new returned %d", ret);
	FUZZ_CHECK(!ims_machine_set_tree(m, t), "set_tree");
	ims_clear_error();
	ret = ims_machine_boot(m);
	if (ret) {
		FUZZ_CHECK(ret < 0 && *ims_last_error(), "boot returned %d without a message", ret);
		/* A failed boot leaves the machine to be freed: lint an unbooted one. */
		ims_machine_free(m);
		m = NULL;
		t = load(data, size);
		FUZZ_CHECK(t, "the board loaded once but not twice");
		FUZZ_CHECK(!ims_machine_new(&m, NULL) && !ims_machine_set_tree(m, t),
			   "machine_new");
		lint(m);
		ims_machine_free(m);
		return 0;
	}
	ret = ims_explain_build(&r, m);
	FUZZ_CHECK(!ret || ret == -ENOMEM, "explain_build returned %d", ret);
	if (!ret)
		render_all(r);
	ims_explain_free(r);
	rid_table(ims_machine_tree(m));
	lint(m);
	ims_machine_free(m);
	return 0;
}
