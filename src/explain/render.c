// SPDX-License-Identifier: MIT
/* explain's renderers: aligned text for people, JSON (docs/explain.md) for scripts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iommusim/explain.h>

#include "explain-private.h"

static const char *bus_name(enum ims_bus_kind bus)
{
	return bus == IMS_BUS_PCI ? "pci" : "platform";
}

void ims_explain_json_str(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

/* Close the memstream; only then is *@buf final. */
int ims_explain_finish(FILE *f, char **out, char **buf)
{
	if (fclose(f)) {
		free(*buf);
		*out = NULL;
		return -ENOMEM;
	}
	*out = *buf;
	return 0;
}

static void device_json(FILE *f, const struct ims_explain_device *e)
{
	fputs("\"name\": ", f);
	ims_explain_json_str(f, e->name);
	fprintf(f, ", \"bus\": \"%s\", \"node\": ", bus_name(e->bus));
	ims_explain_json_str(f, e->node);
	fprintf(f, ", \"driver_bound\": %s, \"aliases\": [", e->driver_bound ? "true" : "false");
	for (int j = 0; j < e->nr_aliases; j++)
		fprintf(f, "%s%d", j ? ", " : "", e->aliases[j]);
	fputs("], \"iommu\": ", f);
	ims_explain_json_str(f, e->iommu);
	fputs(", \"ids\": [", f);
	for (int j = 0; j < e->nr_ids; j++)
		fprintf(f, "%s%u", j ? ", " : "", e->ids[j]);
	fputs("], \"msi_id\": ", f);
	if (e->has_msi_id)
		fprintf(f, "%u", e->msi_id);
	else
		fputs("null", f);
	fputs(", \"group\": ", f);
	if (e->group >= 0)
		fprintf(f, "%d", e->group);
	else
		fputs("null", f);
	fputs(", \"domain\": ", f);
	ims_explain_json_str(f, e->domain);
	fprintf(f,
		", \"dma_ops\": \"%s\", \"coherent\": %s, \"dma_mask\": \"0x%llx\", "
		"\"bus_dma_limit\": \"0x%llx\", \"dma_ranges\": [",
		ims_explain_dma_ops_name(e->dma_ops), e->coherent ? "true" : "false",
		(unsigned long long)e->dma_mask, (unsigned long long)e->bus_dma_limit);
	for (int j = 0; j < e->nr_ranges; j++)
		fprintf(f,
			"%s{\"cpu\": \"0x%llx\", \"dma\": \"0x%llx\", \"size\": "
			"\"0x%llx\"}",
			j ? ", " : "", (unsigned long long)e->ranges[j].cpu_start,
			(unsigned long long)e->ranges[j].dma_start,
			(unsigned long long)e->ranges[j].size);
	fputs("], \"reserved\": [", f);
	for (int j = 0; j < e->nr_resv; j++)
		fprintf(f, "%s{\"start\": \"0x%llx\", \"end\": \"0x%llx\", \"type\": \"%s\"}",
			j ? ", " : "", (unsigned long long)e->resv[j].start,
			(unsigned long long)e->resv[j].end, e->resv[j].type);
	fputs("], \"messages\": [", f);
	for (int j = 0; j < e->nr_messages; j++) {
		fputs(j ? ", " : "", f);
		ims_explain_json_str(f, e->messages[j]);
	}
	fputs("]}", f);
}

IMS_EXPORT int ims_explain_render_json(const struct ims_explain_report *r, char **out)
{
	size_t size;
	char *buf = NULL;
	FILE *f;

	if (!r || !out)
		return -EINVAL;
	f = open_memstream(&buf, &size);
	if (!f)
		return -ENOMEM;
	fputs("{\"iommus\": [", f);
	for (int i = 0; i < r->nr_iommus; i++) {
		const struct ims_explain_iommu *e = &r->iommus[i];

		fputs(i ? ",\n  {" : "\n  {", f);
		fputs("\"node\": ", f);
		ims_explain_json_str(f, e->node);
		fputs(", \"name\": ", f);
		ims_explain_json_str(f, e->name);
		fputs(", \"driver\": ", f);
		ims_explain_json_str(f, e->driver);
		fputs(", \"idr\": {", f);
		for (int j = 0; j < e->nr_idr; j++) {
			fputs(j ? ", " : "", f);
			ims_explain_json_str(f, e->idr[j].name);
			fprintf(f, ": \"0x%llx\"", (unsigned long long)e->idr[j].value);
		}
		fputs("}}", f);
	}
	fputs(r->nr_iommus ? "\n ],\n \"devices\": [" : "],\n \"devices\": [", f);
	for (int i = 0; i < r->nr_devices; i++) {
		const struct ims_explain_device *e = &r->devices[i];

		fputs(i ? ",\n  {" : "\n  {", f);
		device_json(f, e);
	}
	fputs(r->nr_devices ? "\n ]}\n" : "]}\n", f);
	return ims_explain_finish(f, out, &buf);
}

/* ---- text ------------------------------------------------------------------ */

static int col(int cur, const char *s)
{
	int n = s ? (int)strlen(s) : 1;

	return n > cur ? n : cur;
}

static void ids_str(const struct ims_explain_device *e, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	if (!e->iommu) {
		snprintf(buf, len, "-");
		return;
	}
	for (int j = 0; j < e->nr_ids && off < len; j++)
		off += (size_t)snprintf(buf + off, len - off, "%s0x%x", j ? "," : "", e->ids[j]);
	if (!e->nr_ids)
		snprintf(buf, len, "(none)");
}

static void device_block(FILE *f, const struct ims_explain_device *e)
{
	char ids[256];

	fprintf(f, "\n%s %s\n", e->translated ? "*" : "!", e->name);
	fprintf(f, "    %-14s %s\n", "bus:", bus_name(e->bus));
	fprintf(f, "    %-14s %s\n", "node:", e->node ? e->node : "(none)");
	if (e->driver)
		fprintf(f, "    %-14s %s\n", "driver:", e->driver);
	else
		fprintf(f, "    %-14s (none%s)\n",
			"driver:", e->deferred ? ", probe deferred" : "");
	if (e->bus == IMS_BUS_PCI) {
		fprintf(f, "    %-14s", "aliases:");
		for (int j = 0; j < e->nr_aliases; j++)
			fprintf(f, " 0x%04x", e->aliases[j]);
		fputc('\n', f);
	}
	if (e->iommu) {
		ids_str(e, ids, sizeof(ids));
		fprintf(f, "    %-14s %s ids %s\n", "iommu:", e->iommu, ids);
	} else {
		fprintf(f, "    %-14s (none)\n", "iommu:");
	}
	if (e->has_msi_id)
		fprintf(f, "    %-14s 0x%x\n", "msi id:", e->msi_id);
	if (e->group >= 0)
		fprintf(f, "    %-14s %d, default domain %s\n", "group:", e->group,
			e->domain ? e->domain : "(none)");
	else
		fprintf(f, "    %-14s (none)\n", "group:");
	fprintf(f, "    %-14s %s\n", "dma ops:", ims_explain_dma_ops_name(e->dma_ops));
	fprintf(f, "    %-14s %s, mask 0x%llx, bus_dma_limit ",
		"dma:", e->coherent ? "coherent" : "non-coherent", (unsigned long long)e->dma_mask);
	if (e->bus_dma_limit)
		fprintf(f, "0x%llx\n", (unsigned long long)e->bus_dma_limit);
	else
		fputs("none\n", f);
	for (int j = 0; j < e->nr_ranges; j++)
		fprintf(f, "    %-14s cpu 0x%llx dma 0x%llx size 0x%llx\n",
			j ? "" : "dma-ranges:", (unsigned long long)e->ranges[j].cpu_start,
			(unsigned long long)e->ranges[j].dma_start,
			(unsigned long long)e->ranges[j].size);
	for (int j = 0; j < e->nr_resv; j++)
		fprintf(f, "    %-14s 0x%llx-0x%llx %s\n",
			j ? "" : "reserved:", (unsigned long long)e->resv[j].start,
			(unsigned long long)e->resv[j].end, e->resv[j].type);
	if (!e->translated)
		fprintf(f, "    %-14s %s\n", "untranslated:", e->reason);
	for (int j = 0; j < e->nr_messages; j++)
		fprintf(f, "    | %s\n", e->messages[j]);
}

IMS_EXPORT int ims_explain_render_text(const struct ims_explain_report *r, char **out)
{
	int w_name = 4, w_bus = 3, w_drv = 6, w_ids = 3, untranslated = 0;
	char ids[256], grp[16];
	size_t size;
	char *buf = NULL;
	FILE *f;

	if (!r || !out)
		return -EINVAL;
	f = open_memstream(&buf, &size);
	if (!f)
		return -ENOMEM;
	fprintf(f, "board: %s\n\n", strrchr(r->board, '/') ? strrchr(r->board, '/') + 1 : r->board);

	fprintf(f, "IOMMUs (%d)\n", r->nr_iommus);
	for (int i = 0; i < r->nr_iommus; i++) {
		const struct ims_explain_iommu *e = &r->iommus[i];

		fprintf(f, "  %s  %s\n", e->name, e->node);
		fprintf(f, "    model:  %s\n", e->model ? e->model : "(none)");
		if (e->driver)
			fprintf(f, "    driver: %s\n", e->driver);
		else
			fprintf(f, "    driver: (none bound%s%s)\n", e->probe_err < 0 ? ": " : "",
				e->probe_err < 0 ? ims_errname(e->probe_err) : "");
		if (e->nr_idr) {
			fputs("    idr:   ", f);
			for (int j = 0; j < e->nr_idr; j++)
				fprintf(f, "%s %s=0x%08llx", j && !(j % 4) ? "\n           " : "",
					e->idr[j].name, (unsigned long long)e->idr[j].value);
			fputc('\n', f);
		}
		for (int j = 0; j < e->nr_messages; j++)
			fprintf(f, "    | %s\n", e->messages[j]);
	}

	for (int i = 0; i < r->nr_devices; i++) {
		const struct ims_explain_device *e = &r->devices[i];

		w_name = col(w_name, e->name);
		w_bus = col(w_bus, bus_name(e->bus));
		w_drv = col(w_drv, e->driver ? e->driver : "-");
		ids_str(e, ids, sizeof(ids));
		w_ids = col(w_ids, ids);
		untranslated += !e->translated;
	}
	fprintf(f, "\nDevices (%d; %d without translation, marked !)\n", r->nr_devices,
		untranslated);
	fprintf(f, "    %-*s  %-*s  %-*s  %-*s  %-5s  %-8s  %s\n", w_name, "NAME", w_bus, "BUS",
		w_drv, "DRIVER", w_ids, "IDS", "GROUP", "DOMAIN", "DMA");
	for (int i = 0; i < r->nr_devices; i++) {
		const struct ims_explain_device *e = &r->devices[i];

		ids_str(e, ids, sizeof(ids));
		if (e->group >= 0)
			snprintf(grp, sizeof(grp), "%d", e->group);
		else
			snprintf(grp, sizeof(grp), "-");
		fprintf(f, "  %c %-*s  %-*s  %-*s  %-*s  %-5s  %-8s  %s\n",
			e->translated ? ' ' : '!', w_name, e->name, w_bus, bus_name(e->bus), w_drv,
			e->driver ? e->driver : "-", w_ids, ids, grp, e->domain ? e->domain : "-",
			ims_explain_dma_ops_name(e->dma_ops));
	}

	for (int i = 0; i < r->nr_devices; i++) {
		const struct ims_explain_device *e = &r->devices[i];

		device_block(f, e);
	}
	return ims_explain_finish(f, out, &buf);
}

const struct ims_explain_device *ims_explain_find_device(const struct ims_explain_report *r,
							 const char *name)
{
	for (int i = 0; r && name && i < r->nr_devices; i++)
		if (!strcmp(r->devices[i].name, name))
			return &r->devices[i];
	return NULL;
}

IMS_EXPORT int ims_explain_render_device(const struct ims_explain_report *r, const char *device,
					 bool json, char **out)
{
	const struct ims_explain_device *e;
	size_t size;
	char *buf = NULL;
	FILE *f;

	if (!r || !device || !out)
		return -EINVAL;
	*out = NULL;
	e = ims_explain_find_device(r, device);
	if (!e)
		return -ENODEV;
	f = open_memstream(&buf, &size);
	if (!f)
		return -ENOMEM;
	if (json) {
		fputc('{', f);
		device_json(f, e);
		fputc('\n', f);
	} else {
		device_block(f, e);
	}
	return ims_explain_finish(f, out, &buf);
}
