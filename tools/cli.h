/* SPDX-License-Identifier: MIT */
/*
 * The iommusim CLI: one cmd-<name>.c per subcommand.  Options are declared
 * as a table; --help is generated from it.  Exit codes: 0 success, 1 the
 * command ran and found problems, 2 usage or input errors.
 */
#ifndef IMS_TOOLS_CLI_H
#define IMS_TOOLS_CLI_H

#include <stdbool.h>
#include <stdio.h>

#define CLI_EXIT_OK 0
#define CLI_EXIT_FOUND 1
#define CLI_EXIT_USAGE 2

#define CLI_MAX_OPTS 32
#define CLI_MAX_MULTI 64
#define CLI_MAX_POS 64

enum cli_opt_type {
	CLI_FLAG,  /* --name */
	CLI_VALUE, /* --name VALUE or --name=VALUE */
	CLI_MULTI, /* repeatable --name VALUE */
};

struct cli_opt {
	const char *name; /* long name without the dashes */
	enum cli_opt_type type;
	const char *metavar;
	const char *help;
};

struct cli_cmd;

/* What cli_parse() found. */
struct cli_args {
	const struct cli_cmd *cmd;
	const char *value[CLI_MAX_OPTS]; /* VALUE options, NULL when absent */
	bool flag[CLI_MAX_OPTS];
	const char *multi[CLI_MAX_OPTS][CLI_MAX_MULTI];
	int nr_multi[CLI_MAX_OPTS];
	const char *pos[CLI_MAX_POS];
	int nr_pos;
};

struct cli_cmd {
	const char *name;
	const char *summary;
	const char *usage; /* the positional part, e.g. "BOARD NODE ID" */
	const char *description;
	const struct cli_opt *opts; /* terminated by {NULL} */
	int min_pos, max_pos;
	int (*run)(const struct cli_args *args);
};

/* Parse argv (argv[0] is the subcommand name).  Prints usage errors; returns 0 or CLI_EXIT_USAGE. */
int cli_parse(const struct cli_cmd *cmd, int argc, char **argv, struct cli_args *out, bool *help);
void cli_print_help(const struct cli_cmd *cmd, FILE *f);

bool cli_flag(const struct cli_args *a, const char *name);
const char *cli_value(const struct cli_args *a, const char *name);
int cli_multi(const struct cli_args *a, const char *name, const char *const **vals);

/* Parse an unsigned integer in decimal or 0x hex; false on junk or overflow. */
bool cli_parse_u64(const char *s, unsigned long long *out);

/* Print "iommusim: <what>: <errname>: <message>" to stderr. */
void cli_report_error(const char *what, int err);

/* JSON string output with escaping. */
void cli_json_str(FILE *f, const char *s);

/* The subcommands. */
extern const struct cli_cmd cmd_map_id;
extern const struct cli_cmd cmd_dma_range;
extern const struct cli_cmd cmd_bench;
extern const struct cli_cmd cmd_demo;
extern const struct cli_cmd cmd_explain;
extern const struct cli_cmd cmd_lint;

#endif
