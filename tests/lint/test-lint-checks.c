// SPDX-License-Identifier: MIT
/*
 * Every lint check on its fixtures (tests/lint/fixtures): one that triggers
 * it (check, severity, node, property, device and the key parts of the
 * message) and one that does not (the check is absent).
 */
#include <stdio.h>
#include <string.h>

#include <iommusim/lint.h>

#include "../tap.h"

#ifndef FIXTURE_DIR
#error "FIXTURE_DIR must be defined"
#endif

struct expect {
	const char *file;
	const char *check;
	bool present;
	enum ims_lint_severity sev;
	const char *node, *prop, *device; /* NULL: not asserted ("-" asserts absent) */
	const char *msg[3];
};

#define E IMS_LINT_ERROR
#define W IMS_LINT_WARNING
#define I IMS_LINT_INFO

/* A fixture on which @c must not fire. */
#define ABSENT(f, c)                                                                               \
	{                                                                                          \
		f, c, false, I, NULL, NULL, NULL,                                                  \
		{                                                                                  \
			NULL, NULL, NULL                                                           \
		}                                                                                  \
	}

/* clang-format off */
static const struct expect cases[] = {
	{ "map-bad-length.dts", "map-bad-length", true, E, "/pcie@10000000", "iommu-map", "-",
	  { "12 bytes", "-EINVAL", "no device below gets an IOMMU" } },
	ABSENT("clean.dts", "map-bad-length"),
	{ "map-mask-base.dts", "map-mask-ignores-base", true, E, "/pcie@10000000", "iommu-map", "-",
	  { "entry 1: id-base 0x100", "iommu-map-mask 0xff", "-EFAULT" } },
	ABSENT("map-mask-base-ok.dts", "map-mask-ignores-base"),
	{ "map-never.dts", "map-entry-never-matches", true, W, "/pcie@10000000", "iommu-map", "-",
	  { "entry 0 (id-base 0xffffff00, length 0x100)", "wraps past 2^32", NULL } },
	ABSENT("map-never-ok.dts", "map-entry-never-matches"),
	{ "map-stride-5.dts", "map-stride-mismatch", true, E, "/pcie@10000000", "iommu-map", "-",
	  { "5-cell rows", "#iommu-cells = <2>", "Linux 6.12 reads 4-cell rows" } },
	{ "map-stride-4.dts", "map-stride-mismatch", true, W, "/pcie@10000000", "iommu-map", "-",
	  { "points at /iommu@5000000", "#iommu-cells = <2>", "stream-match-mask" } },
	ABSENT("clean.dts", "map-stride-mismatch"),
	{ "rid-unmapped.dts", "rid-unmapped", true, E, "/pcie@10000000", "iommu-map", "0000:02:00.0",
	  { "512 RID(s)", "0x0200-0x03ff (buses 02-03)", "devices: 0000:02:00.0" } },
	{ "rid-unmapped-empty.dts", "rid-unmapped", true, W, "/pcie@10000000", "iommu-map", "-",
	  { "0x0200-0x03ff (buses 02-03)", "runs without an IOMMU", NULL } },
	ABSENT("clean.dts", "rid-unmapped"),
	{ "msi-unmapped.dts", "msi-unmapped", true, W, "/pcie@10000000", "msi-map", "-",
	  { "256 RID(s)", "0x0100-0x01ff (bus 01)", "MSI" } },
	ABSENT("clean.dts", "msi-unmapped"),
	{ "msi-unmapped.dts", "iommu-msi-mismatch", true, W, "/pcie@10000000", "msi-map", "-",
	  { "cover different RIDs", "0x0100-0x01ff (bus 01) (iommu-map only)", NULL } },
	{ "msi-offset.dts", "iommu-msi-mismatch", true, I, "/pcie@10000000", "msi-map", "-",
	  { "different IDs", "StreamID 0x0, DeviceID 0x10000", NULL } },
	ABSENT("clean.dts", "iommu-msi-mismatch"),
	{ "sid-collision.dts", "sid-collision", true, E, "/pcie@30000000", "iommu-map", "0001:00:00.0",
	  { "StreamIDs 0x0-0xff on /iommu@9050000", "of /pcie@10000000",
	    "Here 0001:00:00.0 is refused" } },
	{ "sid-collision-plat.dts", "sid-collision", true, E, "/dma@20000000", "iommus", "-",
	  { "StreamID 0x42 on /iommu@9050000", "RID 0x0042 of /pcie@10000000", "iommus <0x42>" } },
	ABSENT("sid-collision-ok.dts", "sid-collision"),
	ABSENT("sid-collision-disabled.dts", "sid-collision"),
	{ "sid-collision-disabled.dts", "iommu-unavailable", true, W, "/pcie@30000000", "iommu-map",
	  "-", { "points at /iommu@9050000", NULL, NULL } },
	{ "mask-folds.dts", "mask-folds", true, E, "/pcie@10000000", "iommu-map-mask", "0000:01:00.0",
	  { "0x0100-0x01ff (bus 01) onto 0x0000-0x00ff", "0000:01:00.0 with 0000:00:00.0",
	    "stream already in tree" } },
	ABSENT("mask-folds-ok.dts", "mask-folds"),
	{ "sid-out-of-range.dts", "sid-out-of-range", true, W, "/pcie@10000000", "iommu-map", "-",
	  { "RIDs 0x0100-0x01ff", "StreamID 0x100 and up", "8 StreamID bits, highest 0xff" } },
	{ "sid-out-of-range.dts", "sid-out-of-range", true, E, "/dma@20000000", "iommus",
	  "20000000.dma", { "StreamID 0x300", "-ERANGE", NULL } },
	{ "sid-out-of-range.dts", "sid-out-of-range", true, E, "/dma@20001000", "iommus",
	  "20001000.dma", { "StreamID 0x8000", "15 StreamID bits, highest 0x7fff", "-EINVAL" } },
	ABSENT("sid-out-of-range-ok.dts", "sid-out-of-range"),
	{ "smr-overcommit.dts", "smr-overcommit", true, E, "/iommu@5000000", "-", "20002000.dma",
	  { "2 stream-match register groups", "1 device(s) probe: 20002000.dma", "-ENOSPC" } },
	ABSENT("smr-overcommit-ok.dts", "smr-overcommit"),
	{ "smr-conflict.dts", "smr-conflict", true, E, "/dma@20001000", "iommus", "20001000.dma",
	  { "(ID 0x410, mask 0xff)", "(ID 0x400, mask 0x7f)", "-EINVAL" } },
	ABSENT("smr-conflict-ok.dts", "smr-conflict"),
	{ "iommu-unavailable.dts", "iommu-unavailable", true, W, "/dma@20000000", "iommus",
	  "20000000.dma", { "points at /iommu@5000000", "not \"okay\"", "untranslated" } },
	{ "iommu-unavailable-map.dts", "iommu-unavailable", true, W, "/pcie@10000000", "iommu-map",
	  "-", { "points at /iommu@9050000", "every device below runs untranslated", NULL } },
	ABSENT("clean.dts", "iommu-unavailable"),
	{ "iommus-bad.dts", "iommus-bad", true, E, "/dma@20000000", "iommus", "20000000.dma",
	  { "entry 0:", "has no #iommu-cells", "silently gets no IOMMU" } },
	{ "iommus-bad.dts", "iommus-bad", true, E, "/dma@20001000", "iommus", "20001000.dma",
	  { "#iommu-cells = <1> but only 0 cell(s) left", NULL, NULL } },
	{ "iommus-bad.dts", "iommus-bad", true, W, "/dma@20002000", "iommus", "20002000.dma",
	  { "entry 1: phandle 0xdead names no node", "keeps only the IDs", NULL } },
	ABSENT("clean.dts", "iommus-bad"),
	{ "dma-range-missing.dts", "dma-range-bad", true, E, "/soc/mid", "dma-ranges",
	  "20000000.dma", { "mid has no dma-ranges", "-ENODEV", "\"dma-ranges;\"" } },
	{ "dma-range-untranslatable.dts", "dma-range-bad", true, E, "/soc/mid/leaf", "dma-ranges",
	  "-", { "1 of 1 dma-ranges entries", "parent address 0x50000000", "-EINVAL" } },
	ABSENT("dma-range-ok.dts", "dma-range-bad"),
	{ "msi-window-overlap.dts", "msi-window-overlap", true, W, "/pcie@10000000", "ranges", "-",
	  { "0x8000000-0x8ffffff", "0x8000000-0x80fffff", "peer-to-peer" } },
	{ "msi-window-overlap.dts", "msi-window-overlap", true, W, "/reserved-memory/buf@80f0000",
	  "reg", "-", { "reserved memory 0x80f0000-0x810ffff", NULL, NULL } },
	ABSENT("msi-window-ok.dts", "msi-window-overlap"),
	{ "dma-mask-below-ram.dts", "dma-mask-below-ram", true, W, "/bus@0/dma@20000000",
	  "dma-ranges", "20000000.dma", { "bus limit from dma-ranges is 0x3fffffff", "swiotlb", NULL } },
	ABSENT("dma-mask-ok.dts", "dma-mask-below-ram"),
};
/* clang-format on */

static struct ims_lint_report *lint(const char *file)
{
	char path[512];
	struct ims_lint_report *r = NULL;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", FIXTURE_DIR, file);
	ret = ims_lint_board(&r, path, NULL, 0);
	if (ret) {
		diag("%s: %s", file, ims_last_error() ? ims_last_error() : "?");
		return NULL;
	}
	return r;
}

/* The finding of @c's check on @c's node with @c's first message part. */
static const struct ims_lint_finding *find(const struct ims_lint_report *r, const struct expect *c)
{
	for (int i = 0; i < r->nr_findings; i++) {
		const struct ims_lint_finding *f = &r->findings[i];

		if (strcmp(f->check, c->check) ||
		    (c->node && (!f->node || strcmp(f->node, c->node))))
			continue;
		if (c->msg[0] && !strstr(f->message, c->msg[0]))
			continue;
		return f;
	}
	return NULL;
}

static void check_opt(const char *what, const char *got, const char *want, const char *file)
{
	if (!want)
		return;
	if (!strcmp(want, "-"))
		ok(got == NULL, "%s: no %s (got %s)", file, what, got ? got : "none");
	else
		is_str(got ? got : "(null)", want, "%s: %s", file, what);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct expect *c = &cases[i];
		struct ims_lint_report *r = lint(c->file);
		const struct ims_lint_finding *f;

		if (!ok(r != NULL, "%s loads", c->file))
			continue;
		ok(r->booted, "%s boots", c->file);
		if (!c->present) {
			f = ims_lint_find(r, c->check, NULL);
			ok(!f, "%s: no %s finding%s%s", c->file, c->check, f ? ": " : "",
			   f ? f->message : "");
			ims_lint_free(r);
			continue;
		}
		f = find(r, c);
		if (ok(f != NULL, "%s: %s on %s", c->file, c->check, c->node)) {
			is_str(ims_lint_severity_name(f->severity), ims_lint_severity_name(c->sev),
			       "%s: %s severity", c->file, c->check);
			check_opt("property", f->property, c->prop, c->file);
			check_opt("device", f->device, c->device, c->file);
			for (int k = 0; k < 3 && c->msg[k]; k++)
				ok(strstr(f->message, c->msg[k]) != NULL, "%s: message has \"%s\"",
				   c->file, c->msg[k]);
			ok(strstr(f->message, "Fix") != NULL, "%s: message says how to fix it",
			   c->file);
		}
		ims_lint_free(r);
	}
	/* The clean board: nothing at all, and the counts agree. */
	{
		struct ims_lint_report *r = lint("clean.dts");

		if (ok(r != NULL, "clean.dts loads")) {
			is_int(r->nr_findings, 0, "clean.dts: no findings");
			is_int(r->counts[IMS_LINT_ERROR] + r->counts[IMS_LINT_WARNING] +
				       r->counts[IMS_LINT_INFO],
			       0, "clean.dts: counts are zero");
			is_int((int)r->nr_rids, 512, "clean.dts: 2 buses of RIDs examined");
			ok(r->nr_devices > 4, "clean.dts: devices were created (%d)",
			   r->nr_devices);
		}
		ims_lint_free(r);
	}
	/* Every check name is one of the table's, and the table has 18. */
	{
		int n = 0;

		while (ims_lint_checks[n])
			n++;
		is_int(n, 18, "18 checks");
		is_str(ims_lint_severity_name(IMS_LINT_WARNING), "warning", "severity names");
	}
	/* A file that does not exist is an input error, not a report. */
	{
		struct ims_lint_report *r = (struct ims_lint_report *)1;

		ok(ims_lint_board(&r, FIXTURE_DIR "/no-such-board.dts", NULL, 0) < 0 && !r,
		   "a missing board fails");
		ok(ims_lint_board(NULL, "x", NULL, 0) == -EINVAL, "NULL out is -EINVAL");
	}
	return tap_done();
}
