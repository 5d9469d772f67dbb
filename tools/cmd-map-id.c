/* SPDX-License-Identifier: MIT */
/*
 * iommusim map-id: run of_map_id() (drivers/of/base.c, Linux 6.12) on one node
 * for one input ID, as of_iommu_configure_dev_id() (iommu-map) or
 * of_msi_map_id() (msi-map) would.  See docs/map-id.md.
 */
#include <stdio.h>
#include <string.h>

#include <iommusim/of.h>

#include "cli-board.h"

static const char *status_name(int ret)
{
	return ret ? ims_errname(ret) : "ok";
}

/* One line saying why of_map_id failed, from its decision record. */
static void describe(const struct ims_of_tree *t, int np, const char *map, int ret,
		     const struct ims_of_map_record *rec, char *buf, size_t len)
{
	char p[512];
	int plen = 0;

	ims_of_node_path(t, np, p, sizeof(p));
	switch (ret) {
	case -ENODEV:
		if (rec->bad_index >= 0)
			snprintf(buf, len,
				 "%s: %s entry %d matches but its phandle 0x%x names no node", p,
				 map, rec->bad_index, rec->phandle);
		else
			snprintf(buf, len, "%s: no %s property%s", p, map,
				 strcmp(map, "msi-map") ? " (the device gets no IOMMU)"
							: " (--walk tries the ancestors)");
		break;
	case -EINVAL:
		ims_of_get_property(t, np, map, &plen);
		snprintf(buf, len,
			 "%s: bad %s length: %d (must be a non-zero multiple of 16 bytes)", p, map,
			 plen);
		break;
	case -EFAULT:
		snprintf(buf, len, "%s: %s entry %d: %s-mask (0x%x) ignores its id-base (0x%x)", p,
			 map, rec->bad_index, map, rec->mask, rec->id_base);
		break;
	default:
		snprintf(buf, len, "%s", ims_strerror(ret));
	}
}

static int run(const struct cli_args *a)
{
	const char *map_kind = cli_value(a, "map"), *tpath = cli_value(a, "target");
	bool json = cli_flag(a, "json"), walk = cli_flag(a, "walk");
	const char *map, *mask;
	struct ims_of_map_record rec;
	struct ims_of_tree *t;
	unsigned long long idv;
	int np, target = IMS_OF_NONE, ret, rc;
	uint32_t id_out = 0;
	char p[512];

	if (!map_kind || !strcmp(map_kind, "iommu")) {
		map = "iommu-map";
		mask = "iommu-map-mask";
	} else if (!strcmp(map_kind, "msi")) {
		map = "msi-map";
		mask = "msi-map-mask";
	} else {
		fprintf(stderr, "iommusim map-id: --map must be 'iommu' or 'msi', not '%s'\n",
			map_kind);
		return CLI_EXIT_USAGE;
	}
	if (walk && strcmp(map, "msi-map")) {
		fprintf(stderr, "iommusim map-id: --walk applies to --map msi only\n");
		return CLI_EXIT_USAGE;
	}
	if (!cli_parse_u64(a->pos[2], &idv) || idv > 0xffffffffULL) {
		fprintf(stderr, "iommusim map-id: ID '%s' is not a 32-bit number\n", a->pos[2]);
		return CLI_EXIT_USAGE;
	}
	rc = cli_load_board(a, a->pos[0], cli_flag(a, "log"), &t);
	if (rc)
		return rc;
	np = cli_find_node(a, t, a->pos[1]);
	if (np != IMS_OF_NONE && tpath) {
		target = cli_find_node(a, t, tpath);
		if (target == IMS_OF_NONE)
			np = IMS_OF_NONE;
	}
	if (np == IMS_OF_NONE) {
		ims_of_tree_free(t);
		return CLI_EXIT_USAGE;
	}

	if (walk) {
		int stop;

		id_out = ims_of_msi_map_id_walk(t, np, (uint32_t)idv, &target, &stop, &rec);
		ret = 0;
	} else {
		ret = ims_of_map_id(t, np, (uint32_t)idv, map, mask, &target, &id_out, &rec);
	}

	if (json) {
		printf("{\"status\": \"%s\", \"target\": ", status_name(ret));
		if (!ret && target != IMS_OF_NONE)
			cli_json_str(stdout, ims_of_node_path(t, target, p, sizeof(p)));
		else
			printf("null");
		if (!ret)
			printf(", \"id_out\": %u}\n", id_out);
		else
			printf(", \"id_out\": null}\n");
	} else if (!ret) {
		printf("target=%s id=0x%x\n",
		       target == IMS_OF_NONE ? "none" : ims_of_node_path(t, target, p, sizeof(p)),
		       id_out);
	} else {
		char why[1024];

		describe(t, np, map, ret, &rec, why, sizeof(why));
		printf("error: %s: %s\n", ims_errname(ret), why);
	}
	ims_of_tree_free(t);
	return ret ? CLI_EXIT_FOUND : CLI_EXIT_OK;
}

static const struct cli_opt opts[] = {
	{ "map", CLI_VALUE, "iommu|msi", "which map: iommu-map (default) or msi-map" },
	{ "target", CLI_VALUE, "NODE",
	  "preset the target (a path): only entries naming it match (as of_msi_map_id)" },
	{ "walk", CLI_FLAG, NULL,
	  "with --map msi: __of_msi_map_id's walk from NODE up through its ancestors" },
	{ "json", CLI_FLAG, NULL, "machine-readable output" },
	{ "log", CLI_FLAG, NULL,
	  "print the kernel's messages (pr_err/pr_info/pr_debug) to stderr" },
	CLI_OVERLAY_OPT,
	{ NULL, 0, NULL, NULL },
};

const struct cli_cmd cmd_map_id = {
	.name = "map-id",
	.summary = "translate an ID through iommu-map/msi-map exactly as Linux's of_map_id()",
	.usage = "BOARD NODE ID",
	.description =
		"BOARD is a .dtb, .dts or .dtbo file; NODE a node path (e.g. the PCIe host);\n"
		"ID the input ID (a PCI RID for iommu-map), decimal or 0x hex.  Prints\n"
		"'target=<path|none> id=0x<hex>' or 'error: <ERRNAME>: <why>'.  A missing\n"
		"match is not an error: Linux passes the unmasked ID through (target none).\n"
		"Exit status: 0 ok, 1 of_map_id failed, 2 usage or input error.",
	.opts = opts,
	.min_pos = 3,
	.max_pos = 3,
	.run = run,
};
