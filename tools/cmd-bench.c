/* SPDX-License-Identifier: MIT */
/* iommusim bench [--json] [--ops N] [NAME...] */
#include <stdio.h>
#include <string.h>

#include <iommusim/common.h>

#include "bench/bench.h"
#include "cli.h"

static const struct bench_def *const *const groups[] = {
	bench_floor, bench_hw, bench_pgtable, bench_iova, bench_dma, bench_scale,
};

static bool selected(const struct cli_args *a, const char *name)
{
	if (!a->nr_pos)
		return true;
	for (int i = 0; i < a->nr_pos; i++)
		if (!strcmp(a->pos[i], name))
			return true;
	return false;
}

static int run(const struct cli_args *a)
{
	struct bench_opts opts = { .ops = 1000000, .threads = 1, .seconds = 1.0 };
	bool json = cli_flag(a, "json"), list = cli_flag(a, "list"), first = true;
	const char *ops = cli_value(a, "ops");
	int matched = 0, failed = 0;

	if (ops) {
		unsigned long long v;

		if (!cli_parse_u64(ops, &v) || !v) {
			fprintf(stderr, "iommusim bench: --ops needs a positive integer\n");
			return CLI_EXIT_USAGE;
		}
		opts.ops = v;
	}
	if (a->nr_pos) {
		for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
			for (const struct bench_def *const *d = groups[g]; *d; d++)
				matched += selected(a, (*d)->name);
		if (!matched) {
			fprintf(stderr, "iommusim bench: no benchmark matches (see --list)\n");
			return CLI_EXIT_USAGE;
		}
	}
	if (json)
		printf("{\"results\": [");
	else if (!list)
		printf("%-28s %12s %12s %10s  %s\n", "name", "median_ns", "p99_ns", "ops", "extra");
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		for (const struct bench_def *const *d = groups[g]; *d; d++) {
			struct bench_result res;
			int ret;

			if (!selected(a, (*d)->name))
				continue;
			if (list) {
				printf("%-28s %s\n", (*d)->name, (*d)->help);
				continue;
			}
			memset(&res, 0, sizeof(res));
			res.name = (*d)->name;
			ret = (*d)->run(&opts, &res);
			if (ret) {
				fprintf(stderr, "iommusim bench: %s: %s\n", res.name,
					ims_strerror(ret));
				failed++;
				continue;
			}
			if (json) {
				printf("%s\n  {\"name\": \"%s\", \"median_ns\": %.3f, \"p99_ns\": "
				       "%.3f, "
				       "\"ops\": %llu, \"extra\": {%s}}",
				       first ? "" : ",", res.name, res.median_ns, res.p99_ns,
				       (unsigned long long)res.ops, res.extra);
			} else {
				printf("%-28s %12.2f %12.2f %10llu  %s\n", res.name, res.median_ns,
				       res.p99_ns, (unsigned long long)res.ops, res.extra);
			}
			fflush(stdout);
			first = false;
		}
	}
	if (json)
		printf("\n]}\n");
	return failed ? CLI_EXIT_FOUND : CLI_EXIT_OK;
}

static const struct cli_opt opts[] = {
	{ "json", CLI_FLAG, NULL, "print {\"results\": [...]} instead of a table" },
	{ "list", CLI_FLAG, NULL, "list the benchmarks and exit" },
	{ "ops", CLI_VALUE, "N", "operations per benchmark (default 1000000)" },
	{ NULL, 0, NULL, NULL },
};

const struct cli_cmd cmd_bench = {
	.name = "bench",
	.summary = "run benchmarks; report median and p99 per operation",
	.usage = "[NAME...]",
	.description = "Every target is a ratio to a floor measured in the same run "
		       "(floor-hash-probe, floor-chase4). See docs/bench.md.",
	.opts = opts,
	.min_pos = 0,
	.max_pos = CLI_MAX_POS,
	.run = run,
};
