// SPDX-License-Identifier: MIT
/*
 * explain's tree: each IOMMU, then the host bridges whose functions it
 * translates with their PCI hierarchy (indented by topology), then its
 * platform clients; last everything that runs without translation.  Built
 * from the report only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iommusim/explain.h>

#include "explain-private.h"

#define TREE_MAX_DEPTH 64

struct tree_ctx {
	FILE *f;
	const struct ims_explain_report *r;
	bool color;
};

static const char *c_on(const struct tree_ctx *c, const char *code)
{
	return c->color ? code : "";
}

static const char *c_off(const struct tree_ctx *c)
{
	return c->color ? "\033[0m" : "";
}

static bool is_pci_child_of(const struct ims_explain_device *d, const char *parent)
{
	return d->bus == IMS_BUS_PCI && d->parent && !strcmp(d->parent, parent);
}

static void dev_line(struct tree_ctx *c, const struct ims_explain_device *e, int indent)
{
	FILE *f = c->f;

	/* The marker in the first column, so that untranslated devices stand out. */
	fprintf(f, "%s%s%*s%s", e->translated ? "" : c_on(c, "\033[1;31m"),
		e->translated ? " " : "!", indent - 1, "", e->name);
	if (e->is_pci_bridge && e->sec_bus >= 0)
		fprintf(f, "  [bridge -> bus %02x]", e->sec_bus);
	if (e->bus == IMS_BUS_PLATFORM && e->node)
		fprintf(f, "  %s", e->node);
	if (e->nr_ids) {
		fputs("  ids ", f);
		for (int i = 0; i < e->nr_ids; i++)
			fprintf(f, "%s0x%x", i ? "," : "", e->ids[i]);
	}
	if (e->has_msi_id)
		fprintf(f, "  msi 0x%x", e->msi_id);
	if (e->group >= 0)
		fprintf(f, "  group %d %s", e->group, e->domain ? e->domain : "-");
	if (!e->translated)
		fprintf(f, "  -- no translation: %s%s", e->reason ? e->reason : "?", c_off(c));
	fputc('\n', f);
}

/* A PCI function and everything below it. */
static void pci_subtree(struct tree_ctx *c, const struct ims_explain_device *e, int indent,
			int depth)
{
	dev_line(c, e, indent);
	if (depth >= TREE_MAX_DEPTH)
		return;
	for (int i = 0; i < c->r->nr_devices; i++)
		if (is_pci_child_of(&c->r->devices[i], e->name))
			pci_subtree(c, &c->r->devices[i], indent + 2, depth + 1);
}

/* Does any function below host bridge @hb use IOMMU @iommu (NULL: none at all)? */
static bool hb_uses(const struct ims_explain_report *r, const struct ims_explain_device *hb,
		    const char *iommu)
{
	for (int i = 0; i < r->nr_devices; i++) {
		const struct ims_explain_device *d = &r->devices[i];
		const struct ims_explain_device *p = d;
		int depth = 0;

		if (d->bus != IMS_BUS_PCI)
			continue;
		while (p && !p->is_host_bridge && depth++ < TREE_MAX_DEPTH)
			p = ims_explain_find_device(r, p->parent);
		if (p != hb)
			continue;
		if (iommu ? d->iommu && !strcmp(d->iommu, iommu) : d->iommu != NULL)
			return true;
	}
	return false;
}

static void host_bridge(struct tree_ctx *c, const struct ims_explain_device *hb, int indent)
{
	fprintf(c->f, "%*shost bridge %s  %s\n", indent, "", hb->name, hb->node ? hb->node : "");
	for (int i = 0; i < c->r->nr_devices; i++)
		if (is_pci_child_of(&c->r->devices[i], hb->name))
			pci_subtree(c, &c->r->devices[i], indent + 2, 1);
}

IMS_EXPORT int ims_explain_render_tree(const struct ims_explain_report *r, bool color, char **out)
{
	struct tree_ctx c = { NULL, r, color };
	int nr_untranslated = 0, nr_plain = 0;
	size_t size;
	char *buf = NULL;

	if (!r || !out)
		return -EINVAL;
	c.f = open_memstream(&buf, &size);
	if (!c.f)
		return -ENOMEM;
	for (int i = 0; i < r->nr_devices; i++)
		nr_untranslated += !r->devices[i].translated;
	fprintf(c.f, "board: %s\n", strrchr(r->board, '/') ? strrchr(r->board, '/') + 1 : r->board);
	for (int k = 0; k < r->nr_iommus; k++) {
		const struct ims_explain_iommu *io = &r->iommus[k];
		bool any = false;

		fprintf(c.f, "\n%sIOMMU %s%s  %s  (%s, ", c_on(&c, "\033[1m"), io->name, c_off(&c),
			io->node, io->model ? io->model : "no model");
		if (io->driver && io->registered)
			fprintf(c.f, "driver %s)\n", io->driver);
		else
			fprintf(c.f, "no driver bound: %s)\n",
				io->probe_err < 0 ? ims_errname(io->probe_err) : "never probed");
		for (int i = 0; i < r->nr_devices; i++)
			if (r->devices[i].is_host_bridge && hb_uses(r, &r->devices[i], io->node)) {
				host_bridge(&c, &r->devices[i], 2);
				any = true;
			}
		for (int i = 0; i < r->nr_devices; i++) {
			const struct ims_explain_device *d = &r->devices[i];

			if (d->bus != IMS_BUS_PLATFORM || !d->iommu || strcmp(d->iommu, io->node))
				continue;
			if (!any || nr_plain == 0)
				fprintf(c.f, "  platform devices\n");
			any = true;
			nr_plain = 1;
			dev_line(&c, d, 4);
		}
		nr_plain = 0;
		if (!any)
			fprintf(c.f, "  (no clients)\n");
	}
	fprintf(c.f, "\n%sWithout an IOMMU%s\n", c_on(&c, "\033[1m"), c_off(&c));
	for (int i = 0; i < r->nr_devices; i++)
		if (r->devices[i].is_host_bridge && !hb_uses(r, &r->devices[i], NULL))
			host_bridge(&c, &r->devices[i], 2);
	for (int i = 0; i < r->nr_devices; i++) {
		const struct ims_explain_device *d = &r->devices[i];

		if (d->bus != IMS_BUS_PLATFORM || d->is_host_bridge || d->iommu)
			continue;
		if (!nr_plain++)
			fprintf(c.f, "  platform devices\n");
		dev_line(&c, d, 4);
	}
	fprintf(c.f, "\n%d devices, %d without translation (marked !)\n", r->nr_devices,
		nr_untranslated);
	return ims_explain_finish(c.f, out, &buf);
}
