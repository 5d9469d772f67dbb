// SPDX-License-Identifier: MIT
/*
 * explain's renderers on a hand-built report: the DOT generator (clusters,
 * warning colour, edges), the tree (nesting, '!' marker, colour only when
 * asked), --why (the seven steps in order, each decision under its step,
 * the notes taken from other devices) and --device.
 */
#include <stdlib.h>

#include <iommusim/explain.h>

#include "../tap.h"

static void add_decision(struct ims_explain_device *d, const char *step, const char *text)
{
	d->decisions = realloc(d->decisions, (size_t)(d->nr_decisions + 1) * sizeof(*d->decisions));
	d->decisions[d->nr_decisions].step = strdup(step);
	d->decisions[d->nr_decisions++].text = strdup(text);
}

static struct ims_explain_device *dev(struct ims_explain_report *r, const char *name,
				      enum ims_bus_kind bus, const char *parent)
{
	struct ims_explain_device *d = &r->devices[r->nr_devices++];

	d->name = strdup(name);
	d->bus = bus;
	d->parent = parent ? strdup(parent) : NULL;
	d->group = -1;
	d->sec_bus = -1;
	return d;
}

static void translated(struct ims_explain_device *d, uint32_t id, int group)
{
	d->iommu = strdup("/smmu@0");
	d->ids = calloc(1, sizeof(uint32_t));
	d->ids[0] = id;
	d->nr_ids = 1;
	d->group = group;
	d->domain = "DMA";
	d->translated = true;
	d->dma_ops = IMS_DMA_OPS_IOMMU;
}

static struct ims_explain_report *build(void)
{
	struct ims_explain_report *r = calloc(1, sizeof(*r));
	struct ims_explain_device *d;

	r->board = strdup("/some/where/board.dts");
	r->iommus = calloc(1, sizeof(*r->iommus));
	r->iommus[0].node = strdup("/smmu@0");
	r->iommus[0].name = strdup("0.smmu");
	r->iommus[0].driver = strdup("arm-smmu-v3");
	r->iommus[0].model = "smmuv3";
	r->iommus[0].registered = true;
	r->nr_iommus = 1;
	r->devices = calloc(6, sizeof(*r->devices));
	d = dev(r, "10000000.pcie", IMS_BUS_PLATFORM, NULL);
	d->node = strdup("/pcie@10000000");
	d->is_host_bridge = true;
	d->reason = strdup("no IOMMU described for it");
	d = dev(r, "0000:00:01.0", IMS_BUS_PCI, "10000000.pcie");
	d->is_pci_bridge = true;
	d->sec_bus = 1;
	translated(d, 0x8, 0);
	add_decision(d, "really_probe", "driver x matched: dma_configure (pci_dma_configure)");
	add_decision(d, "of_dma_configure_id", "np /pcie@10000000: dma-coherent");
	add_decision(d, "of_iommu_xlate", "arm-smmu-v3 of_xlate(/smmu@0, 1 cell 0x8): 0");
	add_decision(d, "iommu_probe_device", "arm-smmu-v3 probe_device accepted it");
	add_decision(d, "pci_device_group", "new group 0");
	add_decision(d, "iommu_probe_device", "group 0 (1 member)");
	add_decision(d, "iommu_setup_default_domain", "group 0: default domain DMA");
	add_decision(d, "iommu_setup_dma_ops", "domain DMA: DMA ops iommu");
	add_decision(d, "of_iommu_configure", "result 0 (OK)");
	add_decision(d, "really_probe", "bound to driver x");
	d = dev(r, "0000:01:00.0", IMS_BUS_PCI, "0000:00:01.0");
	translated(d, 0x100, 0);
	add_decision(d, "iommu_probe_device", "group 0 (2 members)");
	d = dev(r, "0000:01:00.1", IMS_BUS_PCI, "0000:00:01.0");
	d->reason = strdup("iommu_probe_device: refused");
	add_decision(d, "iommu_probe_device", "arm-smmu-v3 probe_device failed: -22 (EINVAL)");
	d = dev(r, "c000.dma", IMS_BUS_PLATFORM, NULL);
	d->node = strdup("/dma@c000");
	translated(d, 0x40, 1);
	d = dev(r, "d000.uart", IMS_BUS_PLATFORM, NULL);
	d->node = strdup("/uart@d000");
	d->reason = strdup("no IOMMU described for it");
	return r;
}

static int count(const char *s, const char *needle)
{
	int n = 0;

	for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static int line_indent(const char *s, const char *name)
{
	const char *p = strstr(s, name), *b = p;

	if (!p)
		return -1;
	while (b > s && b[-1] != '\n')
		b--;
	return (int)(p - b);
}

static void test_dot(const struct ims_explain_report *r)
{
	char *dot = NULL;

	is_int(ims_explain_render_dot(r, &dot), 0, "dot renders");
	if (!dot)
		return;
	ok(!strncmp(dot, "digraph iommusim {", 18), "a digraph");
	is_int(count(dot, "{"), count(dot, "}"), "braces balance");
	is_int(count(dot, "subgraph cluster_group_"), 2, "one cluster per group");
	ok(strstr(dot, "label=\"group 0 (DMA)\"") != NULL, "the cluster names group and domain");
	ok(strstr(dot, "\"dev:0000:01:00.1\" [label=\"0000:01:00.1\\nno translation\", "
		       "style=filled, fillcolor=\"#ffb347\"") != NULL,
	   "the untranslated device is in the warning colour");
	is_int(count(dot, "fillcolor=\"#ffb347\""), 2, "exactly the two untranslated devices");
	ok(strstr(dot, "\"dev:0000:00:01.0\" -> \"dev:0000:01:00.0\";") != NULL,
	   "a topology edge from the bridge");
	ok(strstr(dot, "\"dev:c000.dma\" -> \"iommu:/smmu@0\" [style=dashed, color=\"#3366cc\", "
		       "label=\"0x40\"]") != NULL,
	   "a dashed edge to the IOMMU with the IDs");
	ok(strstr(dot, "label=\"board.dts\"") != NULL, "the graph is labelled with the board");
	ok(strstr(dot, "shape=box3d") != NULL, "the host bridge has its own shape");
	free(dot);
}

static void test_tree(const struct ims_explain_report *r)
{
	char *t = NULL, *c = NULL;

	is_int(ims_explain_render_tree(r, false, &t), 0, "tree renders");
	is_int(ims_explain_render_tree(r, true, &c), 0, "tree renders in colour");
	if (!t || !c)
		goto out;
	ok(!strchr(t, '\033'), "no escape codes without colour");
	ok(strstr(c, "\033[1;31m!") != NULL, "colour marks the untranslated devices red");
	ok(line_indent(t, "0000:01:00.0") > line_indent(t, "0000:00:01.0"),
	   "the bridge's children are indented below it");
	ok(line_indent(t, "0000:00:01.0") > line_indent(t, "host bridge 10000000.pcie"),
	   "the root-bus function is indented below its host bridge");
	ok(strstr(t, "\n!     0000:01:00.1  -- no translation: iommu_probe_device: refused") !=
		   NULL,
	   "the refused function is marked with its reason");
	ok(strstr(t, "Without an IOMMU\n  platform devices\n!   d000.uart") != NULL,
	   "the uart is listed without an IOMMU");
	ok(strstr(t, "IOMMU 0.smmu  /smmu@0  (smmuv3, driver arm-smmu-v3)") != NULL,
	   "the IOMMU heading");
	ok(strstr(t, "6 devices, 3 without translation") != NULL, "the summary counts");
	is_int(count(t, "10000000.pcie"), 1,
	       "the host bridge is not also listed as a platform device");
out:
	free(t);
	free(c);
}

static void test_why(const struct ims_explain_report *r)
{
	char *w = NULL, *j = NULL, *d = NULL;
	const char *p1, *p3, *p4, *p5, *p7;

	is_int(ims_explain_render_why(r, "nope", false, &w), -ENODEV, "unknown device");
	is_int(ims_explain_render_why(r, "0000:00:01.0", false, &w), 0, "why renders");
	if (!w)
		return;
	p1 = strstr(w, "\n1. really_probe -> dma_configure\n");
	p3 = strstr(w, "\n3. of_iommu_configure");
	p4 = strstr(w, "\n4. probe_device\n");
	p5 = strstr(w, "\n5. IOMMU group\n");
	p7 = strstr(w, "\n7. DMA ops\n");
	ok(p1 && p3 && p4 && p5 && p7 && p1 < p3 && p3 < p4 && p4 < p5 && p5 < p7,
	   "the steps come in the kernel's order");
	ok(p3 && p4 && strstr(p3, "of_iommu_xlate: arm-smmu-v3") < p4, "of_xlate under step 3");
	ok(p4 && p5 && strstr(p4, "probe_device accepted") < p5, "probe_device under step 4");
	ok(p5 && strstr(p5, "pci_device_group: new group 0") < strstr(p5, "\n6. "),
	   "the group choice under step 5");
	ok(p7 && strstr(p7, "really_probe: bound to driver x"), "the binding closes step 7");
	ok(p1 && strstr(p1, "really_probe: driver x matched") < p3, "the match opens step 1");
	ok(strstr(w, "from: node /pcie@10000000, properties iommu-map, iommu-map-mask") != NULL,
	   "step 3 names the host bridge's node and properties");
	free(w);
	w = NULL;
	is_int(ims_explain_render_why(r, "0000:01:00.0", false, &w), 0, "why of a second member");
	ok(w && strstr(w, "group 0's default domain was chosen when 0000:00:01.0 joined") != NULL,
	   "the default domain is replayed from the member that chose it");
	ok(w && strstr(w, "returned group 0 it already held") != NULL,
	   "a group without a device_group decision is explained");
	free(w);
	is_int(ims_explain_render_why(r, "0000:01:00.1", true, &j), 0, "why JSON");
	ok(j && count(j, "{\"step\": ") == 7, "seven steps in JSON");
	ok(j && strstr(j, "\"translated\": false, \"reason\": \"iommu_probe_device: refused\""),
	   "the JSON carries the reason");
	ok(j && strstr(j,
		       "{\"step\": 4, \"title\": \"probe_device\", \"node\": null, \"properties\": "
		       "[], \"decisions\": [\n   {\"function\": \"iommu_probe_device\""),
	   "the refusal is a decision of step 4");
	free(j);
	is_int(ims_explain_render_device(r, "c000.dma", false, &d), 0, "--device renders");
	ok(d && strstr(d, "* c000.dma") && strstr(d, "/smmu@0 ids 0x40"),
	   "--device shows the block");
	free(d);
}

int main(void)
{
	struct ims_explain_report *r = build();

	test_dot(r);
	test_tree(r);
	test_why(r);
	ims_explain_free(r);
	return tap_done();
}
