/* SPDX-License-Identifier: MIT */
/* Placeholder until the device-tree layer lands. */
#include <stdio.h>

#include "cli.h"

static int run(const struct cli_args *a)
{
	(void)a;
	fprintf(stderr, "iommusim demo: not built yet\n");
	return CLI_EXIT_USAGE;
}

static const struct cli_opt opts[] = { { NULL, 0, NULL, NULL } };

const struct cli_cmd cmd_demo = {
	.name = "demo",
	.summary = "(not built yet)",
	.usage = "",
	.opts = opts,
	.run = run,
};
