/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the scenario language (src/scenario).  The input is scenario
 * text (cut at its first NUL byte).  Checked:
 *
 *  - ims_scenario_parse() either fails with -EINVAL and a message that
 *    starts "fuzz.scn:LINE: " with LINE within the text, or returns
 *    statements with valid ops, increasing lines and their text;
 *  - a parsed scenario that names only the fixed boards and overlays of
 *    fuzz/scenario-files/ (compiled from examples/, see gen-corpus.py) and
 *    stays small (at most 64 statements, sizes up to 16 MiB) is also run
 *    with ims_scenario_run(): it boots a machine and drives the DMA API and
 *    the devices.  A run that stops must name the line it stopped at; every
 *    report must be well formed.
 *
 * Other paths are never opened: a fuzzed "board /dev/stdin" would block.
 */
#include <string.h>

#include <iommusim/scenario.h>

#include "fuzz.h"

#ifndef FUZZ_SCENARIO_DIR
#error "FUZZ_SCENARIO_DIR: the directory of fuzz/scenario-files"
#endif

#define FUZZ_MAX_RUN_STMTS 64
#define FUZZ_MAX_RUN_SIZE (16u << 20)

/* The files in fuzz/scenario-files/ (device-tree blobs without extension). */
static const char *const files[] = {
	"qemu-virt-smmuv3", "armada-8040", "qemu-virt-bridges", "armada-8040-pcie", "dma-ranges",
};

struct ev_check {
	int last_line;
	int nr;
};

static void on_event(void *ctx, const struct ims_scenario_event *ev)
{
	struct ev_check *c = ctx;

	FUZZ_CHECK(ev->text && (unsigned int)ev->kind <= IMS_SCN_EV_ERROR && ev->line >= 0 &&
			   ev->line <= c->last_line,
		   "bad report kind %d line %d", (int)ev->kind, ev->line);
	c->nr++;
}

static bool known_file(const char *name)
{
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (!strcmp(name, files[i]))
			return true;
	return false;
}

/* Whether the parsed scenario is cheap and safe to run. */
static bool runnable(const struct ims_scenario *s)
{
	int n = ims_scenario_nr_stmts(s);

	if (n > FUZZ_MAX_RUN_STMTS)
		return false;
	for (int i = 0; i < n; i++) {
		const struct ims_scenario_stmt *st = ims_scenario_stmt(s, i);

		if ((st->op == IMS_SCN_BOARD || st->op == IMS_SCN_OVERLAY) && !known_file(st->name))
			return false;
		if ((st->op == IMS_SCN_DMA_ALLOC || st->op == IMS_SCN_MAP ||
		     st->op == IMS_SCN_DEV_READ || st->op == IMS_SCN_OPTION) &&
		    st->size > FUZZ_MAX_RUN_SIZE)
			return false;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ims_scenario_result res;
	struct ims_scenario *s = NULL;
	struct ev_check c = { 0 };
	int ret, n, lines = 1, last = 0;
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	ims_clear_error();
	ret = ims_scenario_parse(&s, "fuzz.scn", FUZZ_SCENARIO_DIR, text);
	free(text);
	if (ret) {
		const char *msg = ims_last_error();
		int line = 0;

		FUZZ_CHECK(!s && (ret == -EINVAL || ret == -ENOMEM), "parse returned %d", ret);
		/* An empty text has no line: its "no boot statement" is at line 0. */
		FUZZ_CHECK(ret == -ENOMEM || (sscanf(msg, "fuzz.scn:%d: ", &line) == 1 &&
					      line >= (size && data[0] ? 1 : 0) && line <= lines),
			   "parse error without fuzz.scn:LINE (%d lines): %s", lines, msg);
		return 0;
	}
	n = ims_scenario_nr_stmts(s);
	FUZZ_CHECK(n >= 1 && n < IMS_SCN_MAX_STMTS && !ims_scenario_stmt(s, n), "%d statements", n);
	for (int i = 0; i < n; i++) {
		const struct ims_scenario_stmt *st = ims_scenario_stmt(s, i);

		FUZZ_CHECK(st && (unsigned int)st->op < IMS_SCN_NR_OPS && st->line > last &&
				   st->line <= lines && st->text && *st->text &&
				   ims_scenario_op_name(st->op),
			   "statement %d (line %d after %d)", i, st ? st->line : -1, last);
		FUZZ_CHECK(st->data_len <= IMS_SCN_MAX_DATA && (st->data || !st->data_len),
			   "statement %d: %llu data bytes", i, (unsigned long long)st->data_len);
		last = st->line;
	}
	if (runnable(s)) {
		c.last_line = last;
		ret = ims_scenario_run(s, on_event, &c, &res);
		FUZZ_CHECK(ret <= 0 && res.executed >= 1 && res.executed <= n &&
				   c.nr >= res.executed && res.passed >= 0 && res.failed >= 0,
			   "run returned %d after %d statements", ret, res.executed);
		FUZZ_CHECK(
			!ret || (res.error == ret && res.error_line >= 1 && res.error_line <= last),
			"run stopped with %d at line %d (error %d)", ret, res.error_line,
			res.error);
	}
	ims_scenario_free(s);
	return 0;
}
