// SPDX-License-Identifier: MIT
/*
 * iommusim run [--json] SCENARIO: parse a scenario (include/iommusim/scenario.h),
 * run it, print what happens with the kernel's messages, and exit 0 when every
 * expectation held, 1 when one failed, 2 for a syntax error or a scenario that
 * cannot run.  docs/run.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iommusim/scenario.h>

#include "cli.h"

static const char *const kind_names[] = {
	"stmt", "klog", "info", "fault", "pass", "fail", "error"
};

struct out {
	bool json;
	int nr;
};

static void on_event(void *ctx, const struct ims_scenario_event *ev)
{
	struct out *o = ctx;
	const char *msg;
	char tag[24];

	if (o->json) {
		printf("%s\n    {\"line\": %d, \"kind\": \"%s\", \"text\": ", o->nr++ ? "," : "",
		       ev->line, kind_names[ev->kind]);
		cli_json_str(stdout, ev->text);
		printf("}");
		return;
	}
	switch (ev->kind) {
	case IMS_SCN_EV_STMT:
		printf("%4d  %s\n", ev->line, ev->text);
		break;
	case IMS_SCN_EV_KLOG:
		printf("        kernel: %s\n", ev->text);
		break;
	case IMS_SCN_EV_INFO:
		printf("        -> %s\n", ev->text);
		break;
	case IMS_SCN_EV_FAULT:
		printf("        FAULT %s\n", ev->text);
		break;
	case IMS_SCN_EV_PASS:
		printf("        ok    %s\n", ev->text);
		break;
	case IMS_SCN_EV_FAIL:
		printf("        FAIL  %s\n", ev->text);
		break;
	case IMS_SCN_EV_ERROR:
		fprintf(stderr, "iommusim run: %s\n", ev->text);
		snprintf(tag, sizeof(tag), ":%d: ", ev->line);
		msg = strstr(ev->text, tag);
		printf("        ERROR %s\n", msg ? msg + strlen(tag) : ev->text);
		break;
	}
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

static int run(const struct cli_args *a)
{
	const char *path = a->pos[0];
	struct out o = { cli_flag(a, "json"), 0 };
	struct ims_scenario_result res;
	struct ims_scenario *s;
	int ret;

	ret = ims_scenario_load(&s, path);
	if (ret) {
		fprintf(stderr, "iommusim run: %s\n", ims_last_error());
		return CLI_EXIT_USAGE;
	}
	if (o.json) {
		printf("{\n  \"scenario\": ");
		cli_json_str(stdout, base_name(path));
		printf(",\n  \"events\": [");
	} else {
		printf("scenario %s\n", base_name(path));
	}
	ret = ims_scenario_run(s, on_event, &o, &res);
	if (o.json) {
		printf("\n  ],\n  \"result\": \"%s\",\n  \"statements\": %d,\n  \"passed\": %d,\n"
		       "  \"failed\": %d,\n  \"error\": ",
		       ret	    ? "error"
		       : res.failed ? "fail"
				    : "pass",
		       res.executed, res.passed, res.failed);
		if (ret)
			printf("{\"line\": %d, \"code\": \"%s\"}\n}\n", res.error_line,
			       ims_errname(ret));
		else
			printf("null\n}\n");
	} else if (ret) {
		printf("result: ERROR at line %d (%s)\n", res.error_line, ims_errname(ret));
	} else if (res.failed) {
		printf("result: FAIL (%d of %d expectations failed)\n", res.failed,
		       res.failed + res.passed);
	} else {
		printf("result: PASS (%d expectations held)\n", res.passed);
	}
	ims_scenario_free(s);
	return ret ? CLI_EXIT_USAGE : res.failed ? CLI_EXIT_FOUND : CLI_EXIT_OK;
}

static const struct cli_opt opts[] = {
	{ "json", CLI_FLAG, NULL, "print a machine-readable result (docs/run.md)" },
	{ NULL, 0, NULL, NULL },
};

const struct cli_cmd cmd_run = {
	.name = "run",
	.summary = "run a DMA scenario: boot, map, device accesses, expected faults",
	.usage = "SCENARIO",
	.description = "Runs a scenario file (the language is in docs/run.md). Exit 0 when every\n"
		       "expectation held, 1 when one failed, 2 for a syntax error or a scenario\n"
		       "that cannot run (unknown device, failed boot).",
	.opts = opts,
	.min_pos = 1,
	.max_pos = 1,
	.run = run,
};
