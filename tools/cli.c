/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <iommusim/common.h>

#include "cli.h"

static int opt_index(const struct cli_cmd *cmd, const char *name, size_t len)
{
	for (int i = 0; cmd->opts && cmd->opts[i].name; i++)
		if (strlen(cmd->opts[i].name) == len && !strncmp(cmd->opts[i].name, name, len))
			return i;
	return -1;
}

int cli_parse(const struct cli_cmd *cmd, int argc, char **argv, struct cli_args *out, bool *help)
{
	bool only_pos = false;

	memset(out, 0, sizeof(*out));
	out->cmd = cmd;
	*help = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *eq, *val = NULL;
		size_t len;
		int k;

		if (only_pos || a[0] != '-' || !a[1]) {
			if (out->nr_pos == CLI_MAX_POS) {
				fprintf(stderr, "iommusim %s: too many arguments\n", cmd->name);
				return CLI_EXIT_USAGE;
			}
			out->pos[out->nr_pos++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			only_pos = true;
			continue;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			*help = true;
			return 0;
		}
		if (a[1] != '-') {
			fprintf(stderr, "iommusim %s: unknown option '%s' (see --help)\n",
				cmd->name, a);
			return CLI_EXIT_USAGE;
		}
		a += 2;
		eq = strchr(a, '=');
		len = eq ? (size_t)(eq - a) : strlen(a);
		k = opt_index(cmd, a, len);
		if (k < 0) {
			fprintf(stderr, "iommusim %s: unknown option '--%.*s' (see --help)\n",
				cmd->name, (int)len, a);
			return CLI_EXIT_USAGE;
		}
		if (cmd->opts[k].type == CLI_FLAG) {
			if (eq) {
				fprintf(stderr, "iommusim %s: option '--%s' takes no value\n",
					cmd->name, cmd->opts[k].name);
				return CLI_EXIT_USAGE;
			}
			out->flag[k] = true;
			continue;
		}
		if (eq) {
			val = eq + 1;
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			fprintf(stderr, "iommusim %s: option '--%s' needs a value\n", cmd->name,
				cmd->opts[k].name);
			return CLI_EXIT_USAGE;
		}
		if (cmd->opts[k].type == CLI_VALUE) {
			out->value[k] = val;
		} else {
			if (out->nr_multi[k] == CLI_MAX_MULTI) {
				fprintf(stderr, "iommusim %s: too many '--%s'\n", cmd->name,
					cmd->opts[k].name);
				return CLI_EXIT_USAGE;
			}
			out->multi[k][out->nr_multi[k]++] = val;
		}
	}
	if (out->nr_pos < cmd->min_pos || out->nr_pos > cmd->max_pos) {
		fprintf(stderr, "usage: iommusim %s [OPTIONS] %s\n", cmd->name, cmd->usage);
		return CLI_EXIT_USAGE;
	}
	return 0;
}

void cli_print_help(const struct cli_cmd *cmd, FILE *f)
{
	fprintf(f, "usage: iommusim %s [OPTIONS] %s\n\n%s\n", cmd->name, cmd->usage, cmd->summary);
	if (cmd->description)
		fprintf(f, "\n%s\n", cmd->description);
	fprintf(f, "\noptions:\n");
	for (int i = 0; cmd->opts && cmd->opts[i].name; i++) {
		char left[64];

		snprintf(left, sizeof(left), "--%s%s%s", cmd->opts[i].name,
			 cmd->opts[i].metavar ? " " : "",
			 cmd->opts[i].metavar ? cmd->opts[i].metavar : "");
		fprintf(f, "  %-28s %s%s\n", left, cmd->opts[i].help,
			cmd->opts[i].type == CLI_MULTI ? " (repeatable)" : "");
	}
	fprintf(f, "  %-28s %s\n", "-h, --help", "show this help");
}

bool cli_flag(const struct cli_args *a, const char *name)
{
	int k = opt_index(a->cmd, name, strlen(name));

	return k >= 0 && a->flag[k];
}

const char *cli_value(const struct cli_args *a, const char *name)
{
	int k = opt_index(a->cmd, name, strlen(name));

	return k >= 0 ? a->value[k] : NULL;
}

int cli_multi(const struct cli_args *a, const char *name, const char *const **vals)
{
	int k = opt_index(a->cmd, name, strlen(name));

	if (k < 0) {
		*vals = NULL;
		return 0;
	}
	*vals = a->multi[k];
	return a->nr_multi[k];
}

bool cli_parse_u64(const char *s, unsigned long long *out)
{
	char *end;

	if (!s || !*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	*out = strtoull(s, &end, 0);
	return !errno && !*end;
}

void cli_report_error(const char *what, int err)
{
	const char *msg = ims_last_error();

	fprintf(stderr, "iommusim: %s: %s: %s\n", what, ims_errname(err),
		*msg ? msg : ims_strerror(err));
}

void cli_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}
