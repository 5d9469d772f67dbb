// SPDX-License-Identifier: MIT
/*
 * lint: the report, the finding list and the entry points.  The checks live
 * in map.c (iommu-map / msi-map and host bridges), claims.c (iommus,
 * StreamID claims, aliases, stream matching) and dma.c (dma-ranges, masks,
 * the MSI window).  See docs/lint.md.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lint-private.h"
#include "util/log.h"

IMS_EXPORT const char *const ims_lint_checks[] = {
	"map-bad-length",
	"map-mask-ignores-base",
	"map-entry-never-matches",
	"map-stride-mismatch",
	"rid-unmapped",
	"msi-unmapped",
	"iommu-msi-mismatch",
	"sid-collision",
	"alias-collision",
	"mask-folds",
	"sid-out-of-range",
	"smr-overcommit",
	"smr-conflict",
	"iommu-unavailable",
	"iommus-bad",
	"dma-range-bad",
	"msi-window-overlap",
	"dma-mask-below-ram",
	NULL,
};

/* The most findings one board keeps (later ones are dropped). */
#define LINT_MAX_FINDINGS 4096

IMS_EXPORT const char *ims_lint_severity_name(enum ims_lint_severity sev)
{
	switch (sev) {
	case IMS_LINT_ERROR:
		return "error";
	case IMS_LINT_WARNING:
		return "warning";
	case IMS_LINT_INFO:
	default:
		return "info";
	}
}

uint32_t lint_be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

char *lint_path(const struct lint *l, int node, char *buf, size_t len)
{
	return ims_of_node_path(l->t, node, buf, len);
}

static const char *intern_check(const char *check)
{
	for (int i = 0; ims_lint_checks[i]; i++)
		if (!strcmp(ims_lint_checks[i], check))
			return ims_lint_checks[i];
	return "unknown";
}

void lint_add(struct lint *l, const char *check, enum ims_lint_severity sev, int node,
	      const char *prop, const char *device, const char *fmt, ...)
{
	struct ims_lint_report *r = l->r;
	struct ims_lint_finding *f;
	char path[512], msg[2048];
	va_list ap;

	if (l->err || r->nr_findings >= LINT_MAX_FINDINGS)
		return;
	if (r->nr_findings == r->cap_findings) {
		int cap = r->cap_findings ? 2 * r->cap_findings : 16;
		struct ims_lint_finding *n = realloc(r->findings, (size_t)cap * sizeof(*n));

		if (!n) {
			l->err = -ENOMEM;
			return;
		}
		r->findings = n;
		r->cap_findings = cap;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	f = &r->findings[r->nr_findings];
	memset(f, 0, sizeof(*f));
	f->check = intern_check(check);
	f->severity = sev;
	f->node = node != IMS_OF_NONE ? strdup(lint_path(l, node, path, sizeof(path))) : NULL;
	f->property = prop ? strdup(prop) : NULL;
	f->device = device ? strdup(device) : NULL;
	f->message = strdup(msg);
	r->nr_findings++;
	r->counts[sev]++;
	if ((node != IMS_OF_NONE && !f->node) || (prop && !f->property) || (device && !f->device) ||
	    !f->message)
		l->err = -ENOMEM;
}

int lint_add_claim(struct lint *l, const struct lint_claim *c)
{
	if (l->nr_claims == l->cap_claims) {
		int cap = l->cap_claims ? 2 * l->cap_claims : 64;
		struct lint_claim *n = realloc(l->claims, (size_t)cap * sizeof(*n));

		if (!n)
			return l->err = -ENOMEM;
		l->claims = n;
		l->cap_claims = cap;
	}
	l->claims[l->nr_claims++] = *c;
	return 0;
}

static uint32_t prop_u32(const struct ims_of_tree *t, int node, const char *name, uint32_t def)
{
	uint32_t v;

	return ims_of_property_read_u32(t, node, name, &v) ? def : v;
}

/* The IOMMU facts for @node (memoised): SMMU kind and the parameters the machine uses. */
const struct lint_iommu *lint_iommu(struct lint *l, int node)
{
	struct lint_iommu *e, **n;
	enum ims_machine_smmu_kind kind;
	struct ims_machine_smmu *s;

	for (int i = 0; i < l->nr_iommus; i++)
		if (l->iommus[i]->node == node)
			return l->iommus[i];
	n = realloc(l->iommus, (size_t)(l->nr_iommus + 1) * sizeof(*n));
	if (!n) {
		l->err = -ENOMEM;
		return NULL;
	}
	l->iommus = n;
	e = calloc(1, sizeof(*e));
	if (!e) {
		l->err = -ENOMEM;
		return NULL;
	}
	n[l->nr_iommus++] = e;
	e->node = node;
	e->available = ims_of_device_is_available(l->t, node);
	if (!ims_machine_smmu_compatible(l->t, node, &kind))
		return e;
	e->known = true;
	e->v3 = kind == IMS_MACHINE_SMMUV3;
	s = l->m ? ims_machine_smmu_by_node(l->m, node) : NULL;
	if (s && !(e->v3 ? s->v3 != NULL : s->v2 != NULL))
		s = NULL; /* no model was created: use the defaults */
	if (e->v3) {
		struct ims_smmuv3_params p;

		ims_smmuv3_params_qemu_virt(&p);
		if (s)
			p = s->v3_params;
		else
			p.sidsize = (uint8_t)prop_u32(l->t, node, "iommusim,sid-bits", p.sidsize);
		e->sid_bits = p.sidsize > 32 ? 32 : p.sidsize;
		e->st_2lvl = p.st_2lvl;
	} else {
		struct ims_smmuv2_params p;

		ims_smmuv2_params_mmu500(&p);
		if (s)
			p = s->v2_params;
		else {
			p.sid_bits = prop_u32(l->t, node, "iommusim,sid-bits", p.sid_bits);
			p.num_smrg = prop_u32(l->t, node, "iommusim,num-smr", p.num_smrg);
		}
		e->sid_bits = p.sid_bits > 16 ? 16 : p.sid_bits;
		e->num_smrg = p.num_smrg;
		e->smm = prop_u32(l->t, node, "stream-match-mask", 0);
	}
	return e;
}

IMS_EXPORT const struct ims_lint_finding *ims_lint_find(const struct ims_lint_report *r,
							const char *check, const char *node)
{
	for (int i = 0; r && i < r->nr_findings; i++) {
		const struct ims_lint_finding *f = &r->findings[i];

		if (strcmp(f->check, check))
			continue;
		if (node && (!f->node || strcmp(f->node, node)))
			continue;
		return f;
	}
	return NULL;
}

IMS_EXPORT void ims_lint_free(struct ims_lint_report *r)
{
	if (!r)
		return;
	for (int i = 0; i < r->nr_findings; i++) {
		free(r->findings[i].node);
		free(r->findings[i].property);
		free(r->findings[i].device);
		free(r->findings[i].message);
	}
	free(r->findings);
	free(r->board);
	free(r->boot_msg);
	free(r);
}

static int cmp_devnode(const void *a, const void *b)
{
	const struct lint_devnode *x = a, *y = b;

	if (x->node != y->node)
		return x->node < y->node ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/*
 * Index the booted machine's devices by node once: the checks ask for the
 * device of every node, and a scan of the driver core for each made lint of
 * N devices O(N^2).
 */
static int index_devices(struct lint *l)
{
	int nr = l->dc ? ims_devcore_nr_devices(l->dc) : 0;

	if (!nr)
		return 0;
	l->by_node = malloc((size_t)nr * sizeof(*l->by_node));
	l->by_host = malloc((size_t)nr * sizeof(*l->by_host));
	if (!l->by_node || !l->by_host)
		return -ENOMEM;
	for (int i = 0; i < nr; i++) {
		struct ims_device *d = ims_devcore_device(l->dc, i);
		struct ims_pci_host_bridge *b = d && d->pci ? ims_pci_host_bridge_of(d) : NULL;

		if (d && d->of_node != IMS_OF_NONE)
			l->by_node[l->nr_by_node++] =
				(struct lint_devnode){ .node = d->of_node, .pos = i, .d = d };
		if (b && b->dev && b->dev->of_node != IMS_OF_NONE)
			l->by_host[l->nr_by_host++] =
				(struct lint_devnode){ .node = b->dev->of_node, .pos = i, .d = d };
	}
	qsort(l->by_node, (size_t)l->nr_by_node, sizeof(*l->by_node), cmp_devnode);
	qsort(l->by_host, (size_t)l->nr_by_host, sizeof(*l->by_host), cmp_devnode);
	return 0;
}

int lint_devnode_first(const struct lint_devnode *v, int n, int node)
{
	int lo = 0, hi = n;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (v[mid].node < node)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo].node == node ? lo : n;
}

struct ims_device *lint_dev_by_node(const struct lint *l, int node)
{
	int i;

	if (node == IMS_OF_NONE)
		return NULL;
	/* The first entry with this node: the lowest position, as the driver core's scan. */
	i = lint_devnode_first(l->by_node, l->nr_by_node, node);
	return i < l->nr_by_node ? l->by_node[i].d : NULL;
}

IMS_EXPORT int ims_lint_machine(struct ims_lint_report **out, struct ims_machine *m)
{
	struct lint l = { 0 };
	struct ims_lint_report *r;

	if (!out || !m || !ims_machine_tree(m))
		return -EINVAL;
	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->board = strdup(ims_of_tree_name(ims_machine_tree(m)));
	if (!r->board) {
		free(r);
		return -ENOMEM;
	}
	l.r = r;
	l.t = ims_machine_tree(m);
	l.dc = ims_machine_devcore(m);
	l.m = l.dc ? m : NULL;
	r->booted = l.m != NULL;
	r->nr_devices = l.dc ? ims_devcore_nr_devices(l.dc) : 0;
	l.err = index_devices(&l);

	lint_maps(&l);
	lint_iommus_prop(&l);
	lint_claims(&l);
	if (l.m)
		lint_devices(&l);
	lint_dma(&l);

	free(l.claims);
	free(l.by_node);
	free(l.by_host);
	for (int i = 0; i < l.nr_iommus; i++)
		free(l.iommus[i]);
	free(l.iommus);
	if (l.err) {
		ims_lint_free(r);
		return l.err;
	}
	/* Group by check (the table's order); within a check, the order found. */
	if (r->nr_findings > 1) {
		struct ims_lint_finding *sorted = malloc((size_t)r->nr_findings * sizeof(*sorted));
		int n = 0;

		if (!sorted) {
			ims_lint_free(r);
			return -ENOMEM;
		}
		for (int k = 0; ims_lint_checks[k]; k++)
			for (int i = 0; i < r->nr_findings; i++)
				if (r->findings[i].check == ims_lint_checks[k])
					sorted[n++] = r->findings[i];
		for (int i = 0; i < r->nr_findings; i++)
			if (!strcmp(r->findings[i].check, "unknown"))
				sorted[n++] = r->findings[i];
		free(r->findings);
		r->findings = sorted;
		r->cap_findings = r->nr_findings;
	}
	*out = r;
	return 0;
}

IMS_EXPORT int ims_lint_board(struct ims_lint_report **out, const char *path,
			      const char *const *overlays, int nr_overlays)
{
	struct ims_machine *m = NULL;
	int ret, boot;

	if (!out || !path)
		return -EINVAL;
	*out = NULL;
	ret = ims_machine_new(&m, NULL);
	if (ret)
		return ret;
	ret = ims_machine_load_board(m, path, overlays, nr_overlays);
	if (ret) {
		ims_machine_free(m);
		return ret;
	}
	boot = ims_machine_boot(m);
	if (boot) {
		const char *msg = ims_last_error();
		struct ims_machine *m2 = NULL;

		/* A failed boot leaves the machine to be freed: lint a fresh, unbooted one. */
		char *saved = msg ? strdup(msg) : NULL;

		ims_machine_free(m);
		m = NULL;
		ret = ims_machine_new(&m2, NULL);
		if (!ret)
			ret = ims_machine_load_board(m2, path, overlays, nr_overlays);
		if (!ret)
			ret = ims_lint_machine(out, m2);
		ims_machine_free(m2);
		if (ret) {
			free(saved);
			return ret;
		}
		(*out)->boot_err = boot;
		(*out)->boot_msg = saved;
		return 0;
	}
	ret = ims_lint_machine(out, m);
	ims_machine_free(m);
	return ret;
}
