/* SPDX-License-Identifier: MIT */
/* iommusim: dispatch to one cmd-<name>.c per subcommand. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct cli_cmd *const commands[] = {
	&cmd_demo, &cmd_map_id, &cmd_dma_range, &cmd_explain, &cmd_lint, &cmd_bench,
};

static void usage(FILE *f)
{
	fprintf(f, "usage: iommusim COMMAND [OPTIONS] ARGS...\n\n"
		   "An executable model of how Linux wires a device's DMA to an Arm "
		   "SMMU.\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-12s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(f, "\nRun 'iommusim COMMAND --help' for a command's options.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("iommusim %s\n", IMS_VERSION);
		return CLI_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const struct cli_cmd *cmd = commands[i];
		struct cli_args args;
		bool help;
		int ret;

		if (strcmp(argv[1], cmd->name))
			continue;
		ret = cli_parse(cmd, argc - 1, argv + 1, &args, &help);
		if (ret)
			return ret;
		if (help) {
			cli_print_help(cmd, stdout);
			return CLI_EXIT_OK;
		}
		return cmd->run(&args);
	}
	fprintf(stderr, "iommusim: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return CLI_EXIT_USAGE;
}
