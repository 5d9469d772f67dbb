// SPDX-License-Identifier: MIT
/*
 * explain --why: the chain of decisions for one device, in the order Linux
 * 6.12 makes them (linux-semantics.md §2-§6): really_probe -> dma_configure,
 * of_dma_configure_id, of_iommu_configure (aliases, of_map_id, of_xlate, the
 * fwspec), probe_device, the group, the default domain, the DMA ops.  It
 * replays the decision record the layers below left on the device (copied
 * into the report); nothing is recomputed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iommusim/explain.h>

#include "explain-private.h"

#define NR_STAGES 7
#define NR_NOTES 3

static const char *const stage_title[NR_STAGES] = {
	"really_probe -> dma_configure",
	"of_dma_configure_id: dma-ranges, DMA mask, coherency",
	"of_iommu_configure: DMA aliases, of_map_id, of_xlate, fwspec",
	"probe_device",
	"IOMMU group",
	"default domain",
	"DMA ops",
};

/* Which step (0-based) of the chain a recorded decision belongs to. */
static int stage_of(const struct ims_decision *d)
{
	const char *s = d->step, *t = d->text;

	if (!strcmp(s, "really_probe"))
		return !strncmp(t, "bound", 5) || !strncmp(t, "probe of", 8) ? 6 : 0;
	if (!strcmp(s, "device_release_driver"))
		return 6;
	if (!strcmp(s, "of_dma_configure_id"))
		return strstr(t, "deferred") ? 2 : 1;
	if (!strcmp(s, "pci_for_each_dma_alias") || !strncmp(s, "of_iommu_configure_dev", 22) ||
	    !strcmp(s, "of_iommu_xlate"))
		return 2;
	if (!strcmp(s, "of_iommu_configure"))
		return !strncmp(t, "result", 6) ? 6 : 2;
	if (!strcmp(s, "iommu_probe_device"))
		return !strncmp(t, "group", 5) ? 4 : 3;
	if (!strcmp(s, "pci_device_group") || !strcmp(s, "generic_device_group") ||
	    !strcmp(s, "pci_enable_acs"))
		return 4;
	if (!strcmp(s, "iommu_setup_default_domain") || strstr(s, "attach"))
		return 5;
	if (!strcmp(s, "iommu_setup_dma_ops"))
		return 6;
	return 3; /* a driver's own step (arm_smmu_insert_master...) */
}

/* The host bridge of a PCI device (walking parents in the report), or NULL. */
static const struct ims_explain_device *host_bridge_of(const struct ims_explain_report *r,
						       const struct ims_explain_device *e)
{
	for (int depth = 0; e && depth < 300; depth++) {
		if (e->is_host_bridge)
			return e;
		e = ims_explain_find_device(r, e->parent);
	}
	return NULL;
}

struct why_ctx {
	const struct ims_explain_report *r;
	const struct ims_explain_device *e;
	const char *np;		 /* the node of steps 2 and 3 */
	const char *props[2][3]; /* properties of steps 2 and 3 */
	char notes[NR_STAGES][NR_NOTES][512];
	int nr_notes[NR_STAGES];
};

static void note(struct why_ctx *c, int stage, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void note(struct why_ctx *c, int stage, const char *fmt, ...)
{
	va_list ap;

	if (c->nr_notes[stage] >= NR_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(c->notes[stage][c->nr_notes[stage]++], sizeof(c->notes[0][0]), fmt, ap);
	va_end(ap);
}

static bool stage_has(const struct ims_explain_device *e, int stage)
{
	for (int i = 0; i < e->nr_decisions; i++)
		if (stage_of(&e->decisions[i]) == stage)
			return true;
	return false;
}

static bool has_step(const struct ims_explain_device *e, const char *step)
{
	for (int i = 0; i < e->nr_decisions; i++)
		if (!strcmp(e->decisions[i].step, step))
			return true;
	return false;
}

/* Did an of_xlate succeed (a fwspec was built)? */
static bool xlated(const struct ims_explain_device *e)
{
	for (int i = 0; i < e->nr_decisions; i++) {
		const char *t = e->decisions[i].text;
		size_t n = strlen(t);

		if (!strcmp(e->decisions[i].step, "of_iommu_xlate") && n > 3 &&
		    !strcmp(t + n - 3, ": 0"))
			return true;
	}
	return false;
}

/* The notes that come from the report rather than from one decision. */
static void build_notes(struct why_ctx *c)
{
	const struct ims_explain_device *e = c->e, *hb = NULL;
	char ids[256] = "";

	if (e->bus == IMS_BUS_PCI)
		hb = host_bridge_of(c->r, e);
	c->np = hb ? hb->node : e->node;
	c->props[0][0] = "dma-ranges";
	c->props[0][1] = "dma-coherent";
	if (e->bus == IMS_BUS_PCI) {
		c->props[1][0] = "iommu-map";
		c->props[1][1] = "iommu-map-mask";
	} else {
		c->props[1][0] = "iommus";
		c->props[1][1] = "#iommu-cells";
	}
	if (!stage_has(e, 0))
		note(c, 0, "no driver probed it: DMA is never configured");
	if (e->nr_ranges)
		note(c, 1,
		     "dma_range_map: %d range(s), the first cpu 0x%llx dma 0x%llx size 0x%llx",
		     e->nr_ranges, (unsigned long long)e->ranges[0].cpu_start,
		     (unsigned long long)e->ranges[0].dma_start,
		     (unsigned long long)e->ranges[0].size);
	for (int i = 0; i < e->nr_ids; i++)
		snprintf(ids + strlen(ids), sizeof(ids) - strlen(ids), "%s0x%x", i ? " " : "",
			 e->ids[i]);
	if (e->iommu)
		note(c, 2, "fwspec: iommu %s, ids %s", e->iommu, e->nr_ids ? ids : "(none)");
	else if (xlated(e))
		note(c, 2, "fwspec: built by of_xlate above, then freed: the device has none now");
	else
		note(c, 2, "fwspec: none (no IOMMU for this device)");
	if (e->has_msi_id)
		note(c, 2, "MSI DeviceID 0x%x (pci_msi_domain_get_msi_rid(): msi-map)", e->msi_id);
	if (!stage_has(e, 3))
		note(c, 3, "not reached: of_iommu_configure gave no fwspec to probe");
	if (e->group >= 0 && !has_step(e, "pci_device_group") &&
	    !has_step(e, "generic_device_group"))
		note(c, 4,
		     "the IOMMU driver's device_group() returned group %d it already held (no "
		     "pci_device_group/generic_device_group decision: e.g. arm-smmu's shared "
		     "stream-map entries)",
		     e->group);
	if (e->group < 0)
		note(c, 4, "no group");
	if (e->group >= 0 && !has_step(e, "iommu_setup_default_domain")) {
		for (int i = 0; i < c->r->nr_devices; i++) {
			const struct ims_explain_device *o = &c->r->devices[i];

			if (o == e || o->group != e->group)
				continue;
			for (int j = 0; j < o->nr_decisions; j++) {
				if (strcmp(o->decisions[j].step, "iommu_setup_default_domain"))
					continue;
				note(c, 5,
				     "group %d's default domain was chosen when %s joined: %s",
				     e->group, o->name, o->decisions[j].text);
				break;
			}
			if (c->nr_notes[5])
				break;
		}
	}
	if (e->group < 0)
		note(c, 5, "no default domain (no group)");
	if (e->translated)
		note(c, 6, "result: DMA ops %s: DMA is translated by %s",
		     ims_explain_dma_ops_name(e->dma_ops), e->iommu ? e->iommu : "the IOMMU");
	else
		note(c, 6, "result: DMA ops %s: NOT translated: %s",
		     ims_explain_dma_ops_name(e->dma_ops), e->reason ? e->reason : "(unknown)");
}

static void render_text(FILE *f, struct why_ctx *c)
{
	const struct ims_explain_device *e = c->e;

	fprintf(f, "%s%s (%s%s%s): DMA %s\n", e->translated ? "" : "! ", e->name,
		e->bus == IMS_BUS_PCI ? "pci" : "platform", e->node ? ", " : "",
		e->node ? e->node : "", e->translated ? "translated" : "NOT translated");
	for (int s = 0; s < NR_STAGES; s++) {
		fprintf(f, "\n%d. %s\n", s + 1, stage_title[s]);
		if ((s == 1 || s == 2) && c->np) {
			fprintf(f, "   from: node %s, properties %s, %s\n", c->np,
				c->props[s - 1][0], c->props[s - 1][1]);
		}
		for (int i = 0; i < e->nr_decisions; i++) {
			const struct ims_decision *d = &e->decisions[i];

			if (stage_of(d) == s)
				fprintf(f, "   %s: %s\n", d->step, d->text);
		}
		for (int i = 0; i < c->nr_notes[s]; i++)
			fprintf(f, "   %s\n", c->notes[s][i]);
	}
}

static void render_json(FILE *f, struct why_ctx *c)
{
	const struct ims_explain_device *e = c->e;

	fputs("{\"device\": ", f);
	ims_explain_json_str(f, e->name);
	fputs(", \"node\": ", f);
	ims_explain_json_str(f, e->node);
	fprintf(f, ", \"translated\": %s, \"reason\": ", e->translated ? "true" : "false");
	ims_explain_json_str(f, e->reason);
	fputs(", \"iommu\": ", f);
	ims_explain_json_str(f, e->iommu);
	fputs(", \"ids\": [", f);
	for (int i = 0; i < e->nr_ids; i++)
		fprintf(f, "%s%u", i ? ", " : "", e->ids[i]);
	fputs("],\n \"chain\": [", f);
	for (int s = 0; s < NR_STAGES; s++) {
		bool first = true;

		fprintf(f, "%s\n  {\"step\": %d, \"title\": ", s ? "," : "", s + 1);
		ims_explain_json_str(f, stage_title[s]);
		fputs(", \"node\": ", f);
		ims_explain_json_str(f, (s == 1 || s == 2) ? c->np : NULL);
		fputs(", \"properties\": [", f);
		if ((s == 1 || s == 2) && c->np) {
			ims_explain_json_str(f, c->props[s - 1][0]);
			fputs(", ", f);
			ims_explain_json_str(f, c->props[s - 1][1]);
		}
		fputs("], \"decisions\": [", f);
		for (int i = 0; i < e->nr_decisions; i++) {
			const struct ims_decision *d = &e->decisions[i];

			if (stage_of(d) != s)
				continue;
			fputs(first ? "\n   {\"function\": " : ",\n   {\"function\": ", f);
			ims_explain_json_str(f, d->step);
			fputs(", \"text\": ", f);
			ims_explain_json_str(f, d->text);
			fputc('}', f);
			first = false;
		}
		fputs("], \"notes\": [", f);
		for (int i = 0; i < c->nr_notes[s]; i++) {
			fputs(i ? ", " : "", f);
			ims_explain_json_str(f, c->notes[s][i]);
		}
		fputs("]}", f);
	}
	fputs("]}\n", f);
}

IMS_EXPORT int ims_explain_render_why(const struct ims_explain_report *r, const char *device,
				      bool json, char **out)
{
	struct why_ctx *c;
	size_t size;
	char *buf = NULL;
	FILE *f;
	int ret;

	if (!r || !device || !out)
		return -EINVAL;
	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->r = r;
	c->e = ims_explain_find_device(r, device);
	if (!c->e) {
		free(c);
		return -ENODEV;
	}
	build_notes(c);
	f = open_memstream(&buf, &size);
	if (!f) {
		free(c);
		return -ENOMEM;
	}
	if (json)
		render_json(f, c);
	else
		render_text(f, c);
	ret = ims_explain_finish(f, out, &buf);
	free(c);
	return ret;
}
