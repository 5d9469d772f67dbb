/* SPDX-License-Identifier: MIT */
/*
 * iommusim dma-range: what of_dma_configure_id() (drivers/of/device.c, Linux
 * 6.12) decides for a platform device before the IOMMU is considered: the
 * bus_dma_region table from dma-ranges, the DMA masks, bus_dma_limit and
 * coherency.  See docs/dma-range.md.
 */
#include <stdio.h>
#include <string.h>

#include <iommusim/of.h>

#include "cli-board.h"
#include "util/compiler.h"

static int run(const struct cli_args *a)
{
	const char *bits_s = cli_value(a, "mask");
	bool json = cli_flag(a, "json");
	unsigned long long bits = 32;
	struct ims_of_dma_config cfg;
	struct ims_of_tree *t;
	const char *status;
	int np, rc, ret;
	char p[512];

	if (bits_s && (!cli_parse_u64(bits_s, &bits) || bits < 1 || bits > 64)) {
		fprintf(stderr, "iommusim dma-range: --mask takes a bit count 1..64, not '%s'\n",
			bits_s);
		return CLI_EXIT_USAGE;
	}
	rc = cli_load_board(a, a->pos[0], cli_flag(a, "log"), &t);
	if (rc)
		return rc;
	np = cli_find_node(a, t, a->pos[1]);
	if (np == IMS_OF_NONE) {
		ims_of_tree_free(t);
		return CLI_EXIT_USAGE;
	}
	ret = ims_of_dma_configure(t, np, true, DMA_BIT_MASK(bits), &cfg);
	if (ret) {
		cli_report_error("dma-range", ret);
		ims_of_tree_free(t);
		return CLI_EXIT_USAGE;
	}
	/* No dma-ranges is normal; anything else is a problem in the tree. */
	status = (cfg.range_err == 0 || cfg.range_err == -ENODEV) ? "ok"
								  : ims_errname(cfg.range_err);
	if (json) {
		printf("{\"status\": \"%s\", \"ranges\": [", status);
		for (int i = 0; i < cfg.nr_map; i++)
			printf("%s{\"cpu\": \"0x%llx\", \"dma\": \"0x%llx\", \"size\": \"0x%llx\"}",
			       i ? ", " : "", (unsigned long long)cfg.map[i].cpu_start,
			       (unsigned long long)cfg.map[i].dma_start,
			       (unsigned long long)cfg.map[i].size);
		printf("], \"dma_mask\": \"0x%llx\", \"bus_dma_limit\": \"0x%llx\", "
		       "\"coherent\": %s}\n",
		       (unsigned long long)cfg.dma_mask, (unsigned long long)cfg.bus_dma_limit,
		       cfg.coherent ? "true" : "false");
	} else {
		printf("node:          %s\n", ims_of_node_path(t, np, p, sizeof(p)));
		printf("dma parent:    %s\n",
		       ims_of_node_path(t, ims_of_get_dma_parent(t, np), p, sizeof(p)));
		if (cfg.nr_map) {
			printf("dma-ranges:    %d region%s\n", cfg.nr_map,
			       cfg.nr_map > 1 ? "s" : "");
			printf("  %-18s  %-18s  %s\n", "cpu", "dma", "size");
			for (int i = 0; i < cfg.nr_map; i++)
				printf("  0x%016llx  0x%016llx  0x%016llx\n",
				       (unsigned long long)cfg.map[i].cpu_start,
				       (unsigned long long)cfg.map[i].dma_start,
				       (unsigned long long)cfg.map[i].size);
		} else {
			printf("dma-ranges:    none (of_dma_get_range: %s)\n",
			       ims_errname(cfg.range_err));
		}
		printf("dma_mask:      0x%016llx (default %llu bits)\n",
		       (unsigned long long)cfg.dma_mask, bits);
		printf("bus_dma_limit: 0x%016llx%s\n", (unsigned long long)cfg.bus_dma_limit,
		       cfg.bus_dma_limit ? "" : " (none)");
		printf("coherent:      %s\n", cfg.coherent ? "yes" : "no");
		if (strcmp(status, "ok"))
			printf("error: %s: dma-ranges present but no entry translates; Linux "
			       "carries on without a map\n",
			       status);
	}
	ims_of_dma_config_release(&cfg);
	ims_of_tree_free(t);
	return strcmp(status, "ok") ? CLI_EXIT_FOUND : CLI_EXIT_OK;
}

static const struct cli_opt opts[] = {
	{ "mask", CLI_VALUE, "BITS", "the bus default DMA mask in bits (default 32)" },
	{ "json", CLI_FLAG, NULL, "machine-readable output" },
	{ "log", CLI_FLAG, NULL, "print the kernel's messages to stderr" },
	CLI_OVERLAY_OPT,
	{ NULL, 0, NULL, NULL },
};

const struct cli_cmd cmd_dma_range = {
	.name = "dma-range",
	.summary = "dma-ranges, DMA masks, bus_dma_limit and coherency of a platform device",
	.usage = "BOARD NODE",
	.description =
		"Runs of_dma_configure_id()'s rules (Linux 6.12, force_dma, IOMMU part left\n"
		"out) for the platform device at NODE: the walk for dma-ranges starts at its\n"
		"DMA parent.  Exit status: 0 ok, 1 dma-ranges unusable, 2 usage or input error.",
	.opts = opts,
	.min_pos = 2,
	.max_pos = 2,
	.run = run,
};
