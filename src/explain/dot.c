// SPDX-License-Identifier: MIT
/*
 * explain --dot: a Graphviz picture of the report: IOMMUs, host bridges, PCI
 * bridges and devices (edges follow the topology; a dashed edge goes from a
 * device to its IOMMU, labelled with its IDs), IOMMU groups as clusters and
 * devices whose DMA is not translated in a warning colour.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iommusim/explain.h>

#include "explain-private.h"

/* A DOT string: the same escapes as JSON's '"' and '\\' suffice (ASCII names). */
static void dot_str(FILE *f, const char *prefix, const char *s)
{
	fputc('"', f);
	fputs(prefix, f);
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if ((unsigned char)*s >= 0x20)
			fputc(*s, f);
	}
	fputc('"', f);
}

static void dev_node(FILE *f, const struct ims_explain_device *e, const char *indent)
{
	char label[512];
	int n;

	n = snprintf(label, sizeof(label), "%s", e->name);
	if (e->is_host_bridge)
		n += snprintf(label + n, sizeof(label) - (size_t)n, "\\nhost bridge");
	else if (e->is_pci_bridge)
		n += snprintf(label + n, sizeof(label) - (size_t)n, "\\nbridge -> bus %02x",
			      e->sec_bus < 0 ? 0 : e->sec_bus);
	for (int i = 0; i < e->nr_ids && n < (int)sizeof(label) - 16; i++)
		n += snprintf(label + n, sizeof(label) - (size_t)n, "%s0x%x", i ? "," : "\\nids ",
			      e->ids[i]);
	if (!e->translated && !e->is_host_bridge && n < (int)sizeof(label) - 24)
		snprintf(label + n, sizeof(label) - (size_t)n, "\\nno translation");
	fputs(indent, f);
	dot_str(f, "dev:", e->name);
	fputs(" [label=\"", f);
	fputs(label, f); /* names are DT/PCI names: no quotes */
	fputc('"', f);
	if (e->is_host_bridge)
		fputs(", shape=box3d", f);
	else if (!e->translated)
		fputs(", style=filled, fillcolor=\"#ffb347\", color=\"#cc0000\"", f);
	else if (e->is_pci_bridge)
		fputs(", shape=box, style=rounded", f);
	fputs("];\n", f);
}

IMS_EXPORT int ims_explain_render_dot(const struct ims_explain_report *r, char **out)
{
	int max_group = -1;
	size_t size;
	char *buf = NULL;
	FILE *f;

	if (!r || !out)
		return -EINVAL;
	f = open_memstream(&buf, &size);
	if (!f)
		return -ENOMEM;
	fputs("digraph iommusim {\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n",
	      f);
	fputs("  label=", f);
	dot_str(f, "", strrchr(r->board, '/') ? strrchr(r->board, '/') + 1 : r->board);
	fputs(";\n", f);
	for (int i = 0; i < r->nr_iommus; i++) {
		const struct ims_explain_iommu *io = &r->iommus[i];

		fputs("  ", f);
		dot_str(f, "iommu:", io->node);
		fprintf(f,
			" [label=\"%s\\n%s\", shape=hexagon, style=filled, "
			"fillcolor=\"#cfe2ff\"];\n",
			io->name, io->model ? io->model : "IOMMU");
	}
	for (int i = 0; i < r->nr_devices; i++)
		if (r->devices[i].group > max_group)
			max_group = r->devices[i].group;
	for (int g = 0; g <= max_group && g < 100000; g++) {
		bool open = false;

		for (int i = 0; i < r->nr_devices; i++) {
			const struct ims_explain_device *e = &r->devices[i];

			if (e->group != g)
				continue;
			if (!open)
				fprintf(f,
					"  subgraph cluster_group_%d {\n    label=\"group %d "
					"(%s)\";\n"
					"    style=rounded; color=\"#3366cc\";\n",
					g, g, e->domain ? e->domain : "no domain");
			open = true;
			dev_node(f, e, "    ");
		}
		if (open)
			fputs("  }\n", f);
	}
	for (int i = 0; i < r->nr_devices; i++)
		if (r->devices[i].group < 0)
			dev_node(f, &r->devices[i], "  ");
	for (int i = 0; i < r->nr_devices; i++) {
		const struct ims_explain_device *e = &r->devices[i];

		if (e->parent && ims_explain_find_device(r, e->parent)) {
			fputs("  ", f);
			dot_str(f, "dev:", e->parent);
			fputs(" -> ", f);
			dot_str(f, "dev:", e->name);
			fputs(";\n", f);
		}
		if (e->iommu) {
			fputs("  ", f);
			dot_str(f, "dev:", e->name);
			fputs(" -> ", f);
			dot_str(f, "iommu:", e->iommu);
			fputs(" [style=dashed, color=\"#3366cc\", label=\"", f);
			for (int j = 0; j < e->nr_ids; j++)
				fprintf(f, "%s0x%x", j ? "," : "", e->ids[j]);
			fputs("\"];\n", f);
		}
	}
	fputs("}\n", f);
	return ims_explain_finish(f, out, &buf);
}
