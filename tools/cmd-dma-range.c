/* SPDX-License-Identifier: MIT */
/* Placeholder until the device-tree layer lands. */
#include <stdio.h>

#include "cli.h"

static int run(const struct cli_args *a)
{
	(void)a;
	fprintf(stderr, "iommusim dma-range: not built yet\n");
	return CLI_EXIT_USAGE;
}

static const struct cli_opt opts[] = { { NULL, 0, NULL, NULL } };

const struct cli_cmd cmd_dma_range = {
	.name = "dma-range",
	.summary = "(not built yet)",
	.usage = "",
	.opts = opts,
	.run = run,
};
