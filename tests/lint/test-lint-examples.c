// SPDX-License-Identifier: MIT
/*
 * lint on the example boards (examples/boards with examples/topologies), and
 * its predictions checked against what the booted machine actually did: a
 * device lint says arm-smmu-v3 refuses is, in the same boot, untranslated
 * with the driver's "already in tree" warning.
 */
#include <stdio.h>
#include <string.h>

#include <iommusim/lint.h>
#include <iommusim/machine.h>

#include "../tap.h"

static struct ims_machine *boot(const char *board, const char *overlay)
{
	struct ims_machine *m = NULL;
	const char *ovl[1] = { overlay };

	if (ims_machine_new(&m, NULL) || ims_machine_load_board(m, board, ovl, overlay ? 1 : 0) ||
	    ims_machine_boot(m)) {
		diag("%s: %s", board, ims_last_error() ? ims_last_error() : "?");
		ims_machine_free(m);
		return NULL;
	}
	return m;
}

static int count(const struct ims_lint_report *r, const char *check)
{
	int n = 0;

	for (int i = 0; i < r->nr_findings; i++)
		n += !strcmp(r->findings[i].check, check);
	return n;
}

static const struct ims_lint_finding *by_device(const struct ims_lint_report *r, const char *check,
						const char *dev)
{
	for (int i = 0; i < r->nr_findings; i++)
		if (!strcmp(r->findings[i].check, check) && r->findings[i].device &&
		    !strcmp(r->findings[i].device, dev))
			return &r->findings[i];
	return NULL;
}

static void armada(void)
{
	struct ims_machine *m =
		boot(BOARDS_DIR "/armada-8040.dts", TOPO_DIR "/armada-8040-pcie.dtso");
	struct ims_lint_report *r = NULL;
	const struct ims_lint_finding *f;
	struct ims_device *d;

	if (!ok(m != NULL, "armada + pcie overlay boots"))
		return;
	if (!ok(!ims_lint_machine(&r, m), "lint the booted armada"))
		goto out;
	f = ims_lint_find(r, "rid-unmapped", "/cp0/pcie@f2600000");
	if (ok(f != NULL, "armada: rid-unmapped on the CP0 root complex")) {
		is_str(ims_lint_severity_name(f->severity), "error",
		       "a present device makes it an error");
		is_str(f->property, "iommu-map", "property iommu-map");
		is_str(f->device, "0000:03:00.0", "the first device in the hole is the NIC PF");
		ok(strstr(f->message, "0x0300-0x03ff (bus 03)") != NULL, "bus 3 is a hole");
		ok(strstr(f->message, "after iommu-map-mask") != NULL, "the mask is named");
		ok(strstr(f->message, "0000:07:03.0") != NULL,
		   "bus 7 folds onto bus 3: also unmapped");
	}
	/* The boot agrees: 03:00.0 has no IOMMU. */
	d = ims_machine_find_device(m, "0000:03:00.0");
	ok(d && d->dma_ops == IMS_DMA_OPS_DIRECT && !d->iommu_group,
	   "booted 0000:03:00.0 runs on dma-direct without a group");
	f = ims_lint_find(r, "mask-folds", "/cp0/pcie@f2600000");
	if (ok(f != NULL, "armada: mask-folds")) {
		is_str(ims_lint_severity_name(f->severity), "warning",
		       "MMU-500 folding is a warning");
		is_str(f->property, "iommu-map-mask", "property iommu-map-mask");
		ok(strstr(f->message, "0x31f") != NULL, "the mask value is quoted");
		ok(strstr(f->message, "0000:04:00.0 with 0000:00:00.0") != NULL,
		   "bus 4 folds onto bus 0: 04:00.0 with the root port");
		ok(strstr(f->message, "one stream-match entry") != NULL, "arm-smmu consequence");
	}
	/* The two devices that fold really share a group in the boot. */
	{
		struct ims_device *a = ims_machine_find_device(m, "0000:04:00.0");
		struct ims_device *b = ims_machine_find_device(m, "0000:00:00.0");

		ok(a && b && a->iommu_group && a->iommu_group == b->iommu_group,
		   "booted 04:00.0 and 00:00.0 share one IOMMU group");
	}
	is_int(count(r, "alias-collision"), 0, "armada: no alias-collision (MMU-500 shares SMEs)");
	is_int(count(r, "sid-collision"), 0, "armada: one root complex, no sid-collision");
	is_int(count(r, "iommus-bad"), 0, "armada: the iommus are well formed");
	is_int(count(r, "sid-out-of-range"), 0, "armada: StreamIDs fit 15 bits");
	ok(r->booted && r->nr_devices > 10, "armada: booted with its devices (%d)", r->nr_devices);
	is_int((int)r->nr_rids, 65536, "armada: bus-range 0-0xff is 65536 RIDs");
out:
	ims_lint_free(r);
	ims_machine_free(m);
}

static void armada_plain(void)
{
	struct ims_lint_report *r = NULL;
	const struct ims_lint_finding *f;

	if (!ok(!ims_lint_board(&r, BOARDS_DIR "/armada-8040.dts", NULL, 0), "lint armada alone"))
		return;
	f = ims_lint_find(r, "rid-unmapped", NULL);
	ok(f && f->severity == IMS_LINT_WARNING && !f->device,
	   "armada alone: rid-unmapped is a warning (no device in the hole)");
	is_int(r->counts[IMS_LINT_ERROR], 0, "armada alone: no errors");
	ims_lint_free(r);
}

static void qemu(void)
{
	struct ims_lint_report *r = NULL;

	if (ok(!ims_lint_board(&r, BOARDS_DIR "/qemu-virt-smmuv3.dts", NULL, 0), "lint qemu-virt"))
		is_int(r->nr_findings, 0, "qemu-virt: 1:1 maps over 0-0xffff, nothing to report");
	ims_lint_free(r);
}

static void qemu_bridges(void)
{
	struct ims_machine *m =
		boot(BOARDS_DIR "/qemu-virt-smmuv3.dts", TOPO_DIR "/qemu-virt-bridges.dtso");
	struct ims_lint_report *r = NULL;
	const struct ims_lint_finding *f;
	const char *refused[] = { "0000:02:03.0", "0000:05:03.0" };

	if (!ok(m != NULL, "qemu-virt + bridges boots"))
		return;
	if (!ok(!ims_lint_machine(&r, m), "lint the booted qemu-virt"))
		goto out;
	is_int(count(r, "alias-collision"), 2, "two alias collisions");
	f = by_device(r, "alias-collision", "0000:02:03.0");
	if (ok(f != NULL, "alias-collision names 0000:02:03.0")) {
		is_str(ims_lint_severity_name(f->severity), "error", "an error");
		is_str(f->node, "/pcie@10000000", "on the host bridge");
		is_str(f->property, "iommu-map", "property iommu-map");
		ok(strstr(f->message, "DMA alias 0x00f8 (from 0000:00:1f.0)") != NULL,
		   "the conventional bridge's alias");
		ok(strstr(f->message, "which 0000:00:1f.0 (probed first)") != NULL,
		   "the bridge owns StreamID 0xf8");
		ok(strstr(f->message, "stream 248 already in tree") != NULL, "the driver's words");
	}
	f = by_device(r, "alias-collision", "0000:05:03.0");
	ok(f && strstr(f->message, "0x0500") && strstr(f->message, "0000:05:02.0"),
	   "05:03.0 collides with 05:02.0 on the PCIe-to-PCI alias 0x500");
	ok(!by_device(r, "alias-collision", "0000:05:02.0"), "05:02.0 probed first: not refused");
	/* Prediction = boot: each refused device is untranslated with the driver's warning. */
	for (size_t i = 0; i < 2; i++) {
		struct ims_device *d = ims_machine_find_device(m, refused[i]);

		ok(d && d->dma_ops == IMS_DMA_OPS_DIRECT && ims_dev_has_msg(d, "already in tree"),
		   "booted %s was refused by arm-smmu-v3", refused[i]);
	}
	is_int(r->counts[IMS_LINT_ERROR], 2, "only the two alias errors");
out:
	ims_lint_free(r);
	ims_machine_free(m);
}

int main(void)
{
	armada();
	armada_plain();
	qemu();
	qemu_bridges();
	return tap_done();
}
