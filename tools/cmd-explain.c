/* SPDX-License-Identifier: MIT */
/*
 * iommusim explain: boot the board (Linux 6.12's configuration path over the
 * SMMU models) and report, for every IOMMU and device, what the kernel
 * decided and why.  See docs/explain.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static int run(const struct cli_args *a)
{
	struct ims_machine_opts opts;
	struct ims_explain_report *r = NULL;
	struct ims_machine *m = NULL;
	const char *const *ovl = NULL;
	int nr = cli_multi(a, "overlay", &ovl), ret;
	char *text = NULL;

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
	ret = cli_flag(a, "json") ? ims_explain_render_json(r, &text)
				  : ims_explain_render_text(r, &text);
	if (!ret)
		fputs(text, stdout);
	else
		cli_report_error("explain", ret);
	free(text);
	ims_explain_free(r);
	ims_machine_free(m);
	return ret ? CLI_EXIT_USAGE : CLI_EXIT_OK;
}

static const struct cli_opt opts[] = {
	CLI_OVERLAY_OPT,
	{ "iommu.passthrough", CLI_VALUE, "0|1", "the kernel parameter iommu.passthrough" },
	{ "iommu.strict", CLI_VALUE, "0|1", "the kernel parameter iommu.strict" },
	{ "late-smmu-drivers", CLI_FLAG, NULL,
	  "register the SMMU drivers after the clients probed (deferred probe)" },
	{ "json", CLI_FLAG, NULL, "machine-readable output (schema in docs/explain.md)" },
	{ "log", CLI_FLAG, NULL, "print the kernel log to stderr" },
	{ NULL, 0, NULL, NULL },
};

const struct cli_cmd cmd_explain = {
	.name = "explain",
	.summary = "boot a board and explain every device's DMA and IOMMU wiring",
	.usage = "BOARD",
	.description =
		"Brings BOARD up as Linux 6.12 would (memory, SMMU models, drivers, PCI\n"
		"enumeration, deferred probe) and reports per IOMMU its ID registers and per\n"
		"device its aliases, IOMMU IDs, MSI DeviceID, group, default domain, DMA ops,\n"
		"DMA limits, reserved regions and kernel messages; '!' marks devices whose\n"
		"DMA is not translated, with the reason.  Exit status: 0 ok, 2 usage or input\n"
		"error.",
	.opts = opts,
	.min_pos = 1,
	.max_pos = 1,
	.run = run,
};
