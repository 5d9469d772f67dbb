/* SPDX-License-Identifier: MIT */
/*
 * iommusim explain: boot the board (Linux 6.12's configuration path over the
 * SMMU models) and report, for every IOMMU and device, what the kernel
 * decided and why.  See docs/explain.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <iommusim/explain.h>
#include <iommusim/machine.h>

#include "cli-board.h"

static void log_stderr(void *ctx, enum ims_log_level level, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "[%s] %s\n", ims_log_level_name(level), msg);
}

/* "0" or "1" for a boolean kernel parameter; false on anything else. */
static bool parse_bool01(const char *opt, const char *s, int *out)
{
	if (!s)
		return true;
	if (strcmp(s, "0") && strcmp(s, "1")) {
		fprintf(stderr, "iommusim explain: --%s takes 0 or 1, not '%s'\n", opt, s);
		return false;
	}
	*out = s[0] == '1';
	return true;
}

/* --color=auto|always|never: colour only on a TTY by default. */
static bool want_color(const char *v, bool *color)
{
	if (!v || !strcmp(v, "auto")) {
		const char *term = getenv("TERM");

		*color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR") && term &&
			 strcmp(term, "dumb");
		return true;
	}
	if (!strcmp(v, "always") || !strcmp(v, "never")) {
		*color = v[0] == 'a';
		return true;
	}
	fprintf(stderr, "iommusim explain: --color takes auto, always or never, not '%s'\n", v);
	return false;
}

static int rid_table(const struct cli_args *a, const char *node)
{
	struct ims_explain_rid_table *t = NULL;
	struct ims_of_tree *tree = NULL;
	char *text = NULL;
	int ret;

	ret = cli_load_board(a, a->pos[0], cli_flag(a, "log"), &tree);
	if (ret)
		return ret;
	if (cli_find_node(a, tree, node) == IMS_OF_NONE) {
		ims_of_tree_free(tree);
		return CLI_EXIT_USAGE;
	}
	ret = ims_explain_rid_table_build(tree, node, &t);
	if (!ret)
		ret = ims_explain_render_rid_table(t, cli_flag(a, "json"), &text);
	if (ret)
		cli_report_error("explain", ret);
	else
		fputs(text, stdout);
	free(text);
	ims_explain_rid_table_free(t);
	ims_of_tree_free(tree);
	return ret ? CLI_EXIT_USAGE : CLI_EXIT_OK;
}

/* dot -Tsvg -o FILE, fed @dot on stdin; 0 or CLI_EXIT_USAGE with a message. */
static int render_svg(const char *dot, const char *file)
{
	char cmd[4200];
	FILE *p;
	int st;

	if (system("command -v dot >/dev/null 2>&1") != 0) {
		fprintf(stderr, "iommusim explain: --svg needs Graphviz's 'dot' (apt-get install "
				"graphviz); --dot prints the DOT text without it\n");
		return CLI_EXIT_USAGE;
	}
	if (strlen(file) > 4000 || strchr(file, '\'')) {
		fprintf(stderr, "iommusim explain: --svg: unusable file name '%s'\n", file);
		return CLI_EXIT_USAGE;
	}
	snprintf(cmd, sizeof(cmd), "dot -Tsvg -o '%s'", file);
	p = popen(cmd, "w");
	if (!p) {
		fprintf(stderr, "iommusim explain: --svg: cannot run dot\n");
		return CLI_EXIT_USAGE;
	}
	fputs(dot, p);
	st = pclose(p);
	if (st != 0) {
		fprintf(stderr, "iommusim explain: --svg: dot failed writing %s\n", file);
		return CLI_EXIT_USAGE;
	}
	return CLI_EXIT_OK;
}

static int run(const struct cli_args *a)
{
	struct ims_machine_opts opts;
	struct ims_explain_report *r = NULL;
	struct ims_machine *m = NULL;
	const char *const *ovl = NULL;
	int nr = cli_multi(a, "overlay", &ovl), ret, rc = CLI_EXIT_OK;
	const char *device = cli_value(a, "device"), *svg = cli_value(a, "svg");
	bool json = cli_flag(a, "json"), dot = cli_flag(a, "dot"), why = cli_flag(a, "why");
	bool color = false;
	char *text = NULL;

	if (!want_color(cli_value(a, "color"), &color))
		return CLI_EXIT_USAGE;
	if (why && !device) {
		fprintf(stderr, "iommusim explain: --why needs --device NAME\n");
		return CLI_EXIT_USAGE;
	}
	if ((dot || svg) && (json || device || cli_value(a, "rid-table"))) {
		fprintf(stderr, "iommusim explain: --dot/--svg take no --json, --device or "
				"--rid-table\n");
		return CLI_EXIT_USAGE;
	}
	if (cli_value(a, "rid-table")) {
		if (device) {
			fprintf(stderr, "iommusim explain: --rid-table takes no --device\n");
			return CLI_EXIT_USAGE;
		}
		return rid_table(a, cli_value(a, "rid-table"));
	}
	ims_machine_opts_init(&opts);
	if (!parse_bool01("iommu.passthrough", cli_value(a, "iommu.passthrough"),
			  &opts.iommu.passthrough) ||
	    !parse_bool01("iommu.strict", cli_value(a, "iommu.strict"), &opts.iommu.strict))
		return CLI_EXIT_USAGE;
	opts.late_smmu_drivers = cli_flag(a, "late-smmu-drivers");
	if (cli_flag(a, "log")) {
		opts.log.fn = log_stderr;
		opts.log.max_level = IMS_LOG_DEBUG;
	}
	ret = ims_machine_new(&m, &opts);
	if (!ret)
		ret = ims_machine_load_board(m, a->pos[0], ovl, nr);
	if (!ret)
		ret = ims_machine_boot(m);
	if (!ret)
		ret = ims_explain_build(&r, m);
	if (ret) {
		cli_report_error("explain", ret);
		ims_machine_free(m);
		return CLI_EXIT_USAGE;
	}
	if (device && why) {
		ret = ims_explain_render_why(r, device, json, &text);
	} else if (device) {
		ret = ims_explain_render_device(r, device, json, &text);
	} else if (dot || svg) {
		ret = ims_explain_render_dot(r, &text);
	} else if (json) {
		ret = ims_explain_render_json(r, &text);
	} else if (cli_flag(a, "long")) {
		ret = ims_explain_render_text(r, &text);
	} else {
		ret = ims_explain_render_tree(r, color, &text);
	}
	if (ret == -ENODEV) {
		fprintf(stderr, "iommusim explain: %s: no device '%s' (see the tree for names)\n",
			a->pos[0], device);
		rc = CLI_EXIT_USAGE;
	} else if (ret) {
		cli_report_error("explain", ret);
		rc = CLI_EXIT_USAGE;
	} else if (svg) {
		rc = render_svg(text, svg);
		if (dot)
			fputs(text, stdout);
	} else {
		fputs(text, stdout);
	}
	free(text);
	ims_explain_free(r);
	ims_machine_free(m);
	return rc;
}

static const struct cli_opt opts[] = {
	CLI_OVERLAY_OPT,
	{ "iommu.passthrough", CLI_VALUE, "0|1", "the kernel parameter iommu.passthrough" },
	{ "iommu.strict", CLI_VALUE, "0|1", "the kernel parameter iommu.strict" },
	{ "late-smmu-drivers", CLI_FLAG, NULL,
	  "register the SMMU drivers after the clients probed (deferred probe)" },
	{ "json", CLI_FLAG, NULL, "machine-readable output (schema in docs/explain.md)" },
	{ "long", CLI_FLAG, NULL, "the long report: every IOMMU and device in detail" },
	{ "device", CLI_VALUE, "NAME", "only this device (dev_name(), e.g. 0000:01:00.0)" },
	{ "why", CLI_FLAG, NULL, "with --device: the chain of decisions, step by step" },
	{ "rid-table", CLI_VALUE, "NODE",
	  "every RID of host bridge NODE: StreamID, SMMU, MSI DeviceID" },
	{ "dot", CLI_FLAG, NULL, "a Graphviz (DOT) picture on stdout" },
	{ "svg", CLI_VALUE, "FILE", "render the picture to FILE with Graphviz dot -Tsvg" },
	{ "color", CLI_VALUE, "WHEN", "colour: auto (on a TTY, the default), always, never" },
	{ "log", CLI_FLAG, NULL, "print the kernel log to stderr" },
	{ NULL, 0, NULL, NULL },
};

const struct cli_cmd cmd_explain = {
	.name = "explain",
	.summary = "boot a board and explain every device's DMA and IOMMU wiring",
	.usage = "BOARD",
	.description =
		"Brings BOARD up as Linux 6.12 would (memory, SMMU models, drivers, PCI\n"
		"enumeration, deferred probe) and shows a tree: each IOMMU, its host bridges\n"
		"with their PCI hierarchy and its platform devices, with IDs, groups and\n"
		"default domains; '!' marks devices whose DMA is not translated, with the\n"
		"reason.  --long gives every IOMMU and device in detail (aliases, MSI\n"
		"DeviceID, DMA limits, reserved regions, kernel messages); --device NAME\n"
		"--why replays the chain of decisions for one device; --rid-table NODE maps\n"
		"every RID of a host bridge; --dot/--svg draw the picture.\n"
		"Exit status: 0 ok, 2 usage or input error.",
	.opts = opts,
	.min_pos = 1,
	.max_pos = 1,
	.run = run,
};
