/* SPDX-License-Identifier: MIT */
#include <stdio.h>

#include <iommusim/common.h>

#include "cli-board.h"

static void log_stderr(void *ctx, enum ims_log_level level, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "[%s] %s\n", ims_log_level_name(level), msg);
}

int cli_load_board(const struct cli_args *a, const char *board, bool log_flag,
		   struct ims_of_tree **out)
{
	const char *const *ovl = NULL;
	int nr = cli_multi(a, "overlay", &ovl), ret;

	ret = ims_of_tree_load(out, board, ovl, nr);
	if (ret) {
		char what[64];

		snprintf(what, sizeof(what), "%s", a->cmd->name);
		cli_report_error(what, ret);
		return CLI_EXIT_USAGE;
	}
	if (log_flag) {
		struct ims_log log = { log_stderr, NULL, IMS_LOG_DEBUG };

		ims_of_tree_set_log(*out, &log);
	}
	return 0;
}

int cli_find_node(const struct cli_args *a, const struct ims_of_tree *t, const char *path)
{
	int n = ims_of_find_node_by_path(t, path);

	if (n == IMS_OF_NONE)
		fprintf(stderr, "iommusim %s: %s: node %s not found\n", a->cmd->name,
			ims_of_tree_name(t), path);
	return n;
}
