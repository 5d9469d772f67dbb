/* SPDX-License-Identifier: MIT */
/* Shared by the commands that take a BOARD: loading with --overlay, node lookup, logging. */
#ifndef IMS_TOOLS_CLI_BOARD_H
#define IMS_TOOLS_CLI_BOARD_H

#include <iommusim/of.h>

#include "cli.h"

/* The --overlay option row, for a command's option table. */
#define CLI_OVERLAY_OPT                                                                            \
	{                                                                                          \
		"overlay", CLI_MULTI, "FILE",                                                      \
			"apply a .dtbo/.dtso overlay on BOARD (applied in order)"                  \
	}

/*
 * Load @board with the command's --overlay files.  With @log_flag (the
 * command's --log), kernel-style messages go to stderr.  On failure prints
 * the error and returns CLI_EXIT_USAGE.
 */
int cli_load_board(const struct cli_args *a, const char *board, bool log_flag,
		   struct ims_of_tree **out);

/* Resolve @path in @t; prints "node not found" and returns IMS_OF_NONE on failure. */
int cli_find_node(const struct cli_args *a, const struct ims_of_tree *t, const char *path);

#endif
