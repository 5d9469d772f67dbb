// SPDX-License-Identifier: MIT
/*
 * The explain report and its renderers on the Armada-8040 example with the
 * PCIe overlay, the tests/iommu mock standing in for arm-smmu (the golden
 * tests in tests/cli cover the real drivers).
 */
#include <iommusim/explain.h>

#include "../iommu/mock-iommu.h"
#include "../machine/machine-test.h"

static const char *const mmu500_compat[] = { "arm,mmu-500", NULL };
static const struct ims_driver mmu500_mock = {
	.name = "arm-smmu",
	.bus = IMS_BUS_PLATFORM,
	.of_match = mmu500_compat,
	.probe = mock_drv_probe,
	.remove = mock_drv_remove,
};

static int reg_mock(struct ims_machine *m, void *ctx)
{
	(void)ctx;
	return ims_driver_register(ims_machine_devcore(m), &mmu500_mock);
}

static const struct ims_explain_device *find(const struct ims_explain_report *r, const char *n)
{
	for (int i = 0; i < r->nr_devices; i++)
		if (!strcmp(r->devices[i].name, n))
			return &r->devices[i];
	diag("no device %s in the report", n);
	return NULL;
}

static int count(const char *s, const char *needle)
{
	int n = 0;

	for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

int main(void)
{
	const char *ov[] = { TOPO_DIR "/armada-8040-pcie.dtso" };
	const struct ims_explain_device *d;
	struct ims_explain_report *r = NULL;
	struct ims_machine_opts o;
	struct ims_machine *m = NULL;
	char *json = NULL, *text = NULL;
	int ret;

	mock_cfg.no_msi = true; /* the mock reports the software MSI window */
	ims_machine_opts_init(&o);
	o.no_smmu_drivers = true;
	o.register_drivers = reg_mock;
	ret = ims_machine_new(&m, &o);
	is_int(ims_explain_build(&r, m), -EINVAL, "no report before boot");
	if (!ret)
		ret = ims_machine_load_board(m, BOARDS_DIR "/armada-8040.dts", ov, 1);
	if (!ret)
		ret = ims_machine_boot(m);
	is_int(ret, 0, "boot");
	is_int(ims_explain_build(&r, m), 0, "build the report");
	ims_machine_free(m); /* the report is a copy */
	if (!r) {
		printf("Bail out! no report\n");
		return 1;
	}

	is_int(r->nr_iommus, 1, "one IOMMU");
	is_str(r->iommus[0].name, "f0100000.iommu", "named like Linux");
	is_str(r->iommus[0].node, "/ap806/config-space@f0000000/iommu@100000", "its node");
	is_str(r->iommus[0].driver, "arm-smmu", "its driver");
	is_str(r->iommus[0].model, "mmu-500", "its model");

	d = find(r, "f2500000.usb3");
	ok(d && d->translated && d->dma_ops == IMS_DMA_OPS_IOMMU, "usb3 is translated");
	ok(d && d->nr_ids == 1 && d->ids[0] == 0x440, "usb3: ids [0x440]");
	is_str(d ? d->iommu : "", "/ap806/config-space@f0000000/iommu@100000", "usb3: its IOMMU");
	is_str(d ? d->domain : "", "DMA", "usb3: DMA default domain");
	ok(d && d->coherent && !d->has_msi_id && d->nr_aliases == 0,
	   "usb3: coherent, no MSI id, no aliases (platform)");
	ok(d && d->nr_resv >= 1 && !strcmp(d->resv[0].type, "sw-msi"),
	   "usb3: the mock's software MSI window is reserved");
	d = find(r, "f2000000.ethernet");
	ok(d && !d->coherent, "ethernet: dma-noncoherent");

	d = find(r, "0000:05:01.0");
	ok(d && d->nr_aliases == 2 && d->aliases[0] == 0x508 && d->aliases[1] == 0x500,
	   "05:01.0: aliases 0x508 then the bridge's 0x500");
	ok(d && d->nr_ids == 2 && d->ids[0] == 0x4a8 && d->ids[1] == 0x4a0,
	   "05:01.0: both folded through iommu-map");
	ok(d && d->has_msi_id && d->msi_id == 0x500, "05:01.0: MSI DeviceID 0x500");
	ok(d && d->bus == IMS_BUS_PCI && d->group >= 0, "05:01.0: PCI, in a group");
	ok(d && find(r, "0000:05:02.0") && find(r, "0000:05:02.0")->group == d->group,
	   "05:02.0 shares its group");

	d = find(r, "0000:03:00.0");
	ok(d && !d->translated && !d->iommu && d->group < 0, "03:00.0: no IOMMU (bypass)");
	ok(d && d->reason && strstr(d->reason, "no iommu-map translation"), "with the reason: %s",
	   d && d->reason ? d->reason : "(none)");
	d = find(r, "0000:07:03.0");
	ok(d && d->has_msi_id && d->msi_id == 0x600 && !d->translated,
	   "07:03.0: MSI id 0x600 (the bridge's RID), no IOMMU");

	is_int(ims_explain_render_json(r, &json), 0, "render JSON");
	ok(json && count(json, "{") == count(json, "}") && count(json, "[") == count(json, "]"),
	   "JSON brackets balance");
	ok(json && strstr(json,
			  "\"name\": \"f2500000.usb3\", \"bus\": \"platform\", \"node\": "
			  "\"/cp0/config-space@f2000000/usb3@500000\", \"driver_bound\": true, "
			  "\"aliases\": [], \"iommu\": \"/ap806/config-space@f0000000/"
			  "iommu@100000\", \"ids\": [1088], \"msi_id\": null, \"group\": "),
	   "a platform device's members, in schema order");
	ok(json && strstr(json, "\"aliases\": [1288, 1280]") && strstr(json, "\"msi_id\": 1280"),
	   "05:01.0 aliases and MSI id as integers");
	ok(json && strstr(json, "\"reserved\": [{\"start\": \"0x8000000\", \"end\": \"0x80fffff\", "
				"\"type\": \"sw-msi\"}"),
	   "reserved regions as start/end/type");
	is_int(json ? count(json, "\"messages\": [") : 0, r->nr_devices,
	       "every device carries its messages");

	is_int(ims_explain_render_text(r, &text), 0, "render text");
	ok(text && strstr(text, "  ! 0000:03:00.0 "), "03:00.0 is marked in the table");
	ok(text && strstr(text, "    f2500000.usb3 "), "usb3 is not");
	ok(text && strstr(text, "\n! 0000:03:00.0\n") && strstr(text, "no iommu-map translation"),
	   "the detail block gives the reason");
	ok(text && strstr(text, "board: armada-8040.dts\n"), "the board by file name");
	free(json);
	free(text);
	ims_explain_free(r);
	return tap_done();
}
