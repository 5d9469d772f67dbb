// SPDX-License-Identifier: MIT
/*
 * explain --rid-table: for every requester ID in a host bridge's bus-range,
 * the StreamID and SMMU (of_map_id() over "iommu-map"/"iommu-map-mask", as
 * of_iommu_configure_dev_id() does, linux-semantics.md §2) and the MSI
 * DeviceID (__of_msi_map_id()'s walk over "msi-map"), compressed into rows.
 * The maps are read once (every entry's base, length, output, target node and
 * whether the mask ignores its id-base); each RID then costs a scan of the
 * entries with of_map_id()'s exact rules, the compression one linear pass and
 * the fold detection one sort, so bus-range 0-255 (65,536 RIDs) is fast.
 * tests/explain/test-explain-ridtable.c checks every RID against of_map_id().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iommusim/explain.h>

#include "explain-private.h"
#include "util/log.h"

/* One target node (SMMU or MSI controller) in @t's list; its index or -1. */
static int target_index(struct ims_explain_rid_table *t, const struct ims_of_tree *tree, int np)
{
	char buf[512];

	if (np == IMS_OF_NONE)
		return -1;
	for (int i = 0; i < t->nr_targets; i++)
		if (t->target_np[i] == np)
			return i;
	if (t->nr_targets == IMS_EXPLAIN_RID_MAX_TARGETS)
		return -1;
	t->targets[t->nr_targets] = strdup(ims_of_node_path(tree, np, buf, sizeof(buf)));
	if (!t->targets[t->nr_targets])
		return -1;
	t->target_np[t->nr_targets] = np;
	return t->nr_targets++;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* One "iommu-map"/"msi-map" property, read once. */
struct map_entry {
	uint32_t base, len, out;
	int np;	       /* the phandle's node, IMS_OF_NONE when dangling */
	bool bad_base; /* id-base & ~mask: of_map_id() returns -EFAULT on reaching it */
};

struct map_cache {
	bool present;
	int err; /* -EINVAL: empty, or not a multiple of 16 bytes */
	uint32_t mask;
	int n;
	struct map_entry *e;
};

static int map_load(const struct ims_of_tree *tree, int node, const char *name,
		    const char *mask_name, struct map_cache *c)
{
	const uint8_t *p;
	int len;

	memset(c, 0, sizeof(*c));
	c->mask = 0xffffffff;
	p = ims_of_get_property(tree, node, name, &len);
	if (!p)
		return 0;
	c->present = true;
	if (!len || len % 16) {
		c->err = -EINVAL;
		return 0;
	}
	ims_of_property_read_u32(tree, node, mask_name, &c->mask);
	c->n = len / 16;
	c->e = calloc((size_t)c->n, sizeof(*c->e));
	if (!c->e)
		return -ENOMEM;
	for (int i = 0; i < c->n; i++, p += 16) {
		c->e[i].base = be32(p);
		c->e[i].np = ims_of_find_node_by_phandle(tree, be32(p + 4));
		c->e[i].out = be32(p + 8);
		c->e[i].len = be32(p + 12);
		c->e[i].bad_base = (c->e[i].base & ~c->mask) != 0;
	}
	return 0;
}

/*
 * of_map_id() with a target starting as IMS_OF_NONE, on the cache: 0 with
 * *np the matched entry's node (and *out its output), or 0 with *np
 * IMS_OF_NONE for a bypass (*out = id); or the error.  A missing map is
 * -ENODEV, as of_map_id() with a target.
 */
static int map_lookup(const struct map_cache *c, uint32_t id, int *np, uint32_t *out)
{
	uint32_t m = id & c->mask;

	*np = IMS_OF_NONE;
	*out = id;
	if (!c->present)
		return -ENODEV;
	if (c->err)
		return c->err;
	for (int i = 0; i < c->n; i++) {
		const struct map_entry *e = &c->e[i];

		if (e->bad_base)
			return -EFAULT;
		/* The end wraps modulo 2^32, as in the kernel. */
		if (m < e->base || m >= (uint32_t)(e->base + e->len))
			continue;
		if (e->np == IMS_OF_NONE)
			return -ENODEV;
		*np = e->np;
		*out = m - e->base + e->out;
		return 0;
	}
	return 0;
}

struct fold_key {
	int iommu;
	uint32_t sid, rid;
};

static int fold_cmp(const void *a, const void *b)
{
	const struct fold_key *x = a, *y = b;

	if (x->iommu != y->iommu)
		return x->iommu < y->iommu ? -1 : 1;
	if (x->sid != y->sid)
		return x->sid < y->sid ? -1 : 1;
	return x->rid < y->rid ? -1 : x->rid > y->rid;
}

IMS_EXPORT int ims_explain_rid_folds(struct ims_explain_rid *rids, int n)
{
	struct fold_key *k;
	int nr = 0;

	if (n < 0 || (n && !rids))
		return -EINVAL;
	for (int i = 0; i < n; i++) {
		rids[i].fold = 1;
		rids[i].fold_peer = rids[i].rid;
	}
	if (!n)
		return 0;
	k = malloc((size_t)n * sizeof(*k));
	if (!k)
		return -ENOMEM;
	for (int i = 0; i < n; i++)
		if (rids[i].iommu >= 0 && !rids[i].err)
			k[nr++] = (struct fold_key){ rids[i].iommu, rids[i].sid, (uint32_t)i };
	qsort(k, (size_t)nr, sizeof(*k), fold_cmp);
	for (int i = 0, j; i < nr; i = j) {
		for (j = i + 1; j < nr && k[j].iommu == k[i].iommu && k[j].sid == k[i].sid; j++)
			;
		if (j - i < 2)
			continue;
		for (int m = i; m < j; m++) {
			struct ims_explain_rid *r = &rids[k[m].rid];

			r->fold = j - i;
			/* The peer: the first other RID reaching the same SID. */
			r->fold_peer = rids[k[m == i ? i + 1 : i].rid].rid;
		}
	}
	free(k);
	return 0;
}

/*
 * Can @b extend row @row, whose last RID is @a?  Its outputs must follow with
 * the row's step: +1 (consecutive), or 0 (a run of RIDs folded onto one ID);
 * a row of one RID takes the step @b gives it.
 */
static bool continues(struct ims_explain_rid_row *row, const struct ims_explain_rid *a,
		      const struct ims_explain_rid *b)
{
	bool single = row->rid_first == row->rid_last;
	int sid_step = row->sid_step, msi_step = row->msi_step;

	if (b->rid != a->rid + 1 || a->err != b->err || a->iommu != b->iommu || a->msi != b->msi ||
	    (a->fold > 1) != (b->fold > 1))
		return false;
	if (a->iommu >= 0) {
		if (single && (b->sid == a->sid || b->sid == a->sid + 1))
			sid_step = (int)(b->sid - a->sid);
		if (b->sid != a->sid + (uint32_t)sid_step)
			return false;
	}
	if (a->msi >= 0) {
		if (single && (b->msi_id == a->msi_id || b->msi_id == a->msi_id + 1))
			msi_step = (int)(b->msi_id - a->msi_id);
		if (b->msi_id != a->msi_id + (uint32_t)msi_step)
			return false;
	}
	row->sid_step = sid_step;
	row->msi_step = msi_step;
	return true;
}

IMS_EXPORT int ims_explain_rid_compress(const struct ims_explain_rid *rids, int n,
					struct ims_explain_rid_row **rows, int *nr_rows)
{
	struct ims_explain_rid_row *v = NULL;
	int nr = 0, cap = 0;

	if (!rows || !nr_rows || n < 0 || (n && !rids))
		return -EINVAL;
	*rows = NULL;
	*nr_rows = 0;
	for (int i = 0; i < n; i++) {
		const struct ims_explain_rid *r = &rids[i];

		if (nr && continues(&v[nr - 1], &rids[i - 1], r)) {
			v[nr - 1].rid_last = r->rid;
			if (r->fold > v[nr - 1].fold)
				v[nr - 1].fold = r->fold;
			continue;
		}
		if (nr == cap) {
			int ncap = cap ? cap * 2 : 16;
			struct ims_explain_rid_row *nv = realloc(v, (size_t)ncap * sizeof(*v));

			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
			cap = ncap;
		}
		v[nr++] = (struct ims_explain_rid_row){
			.rid_first = r->rid,
			.rid_last = r->rid,
			.err = r->err,
			.iommu = r->iommu,
			.sid_first = r->sid,
			.msi = r->msi,
			.msi_first = r->msi_id,
			.fold = r->fold,
			.fold_peer = r->fold_peer,
			.sid_step = 1,
			.msi_step = 1,
		};
	}
	*rows = v;
	*nr_rows = nr;
	return 0;
}

IMS_EXPORT int ims_explain_rid_table_build(const struct ims_of_tree *tree, const char *node,
					   struct ims_explain_rid_table **out)
{
	struct map_cache imap = { 0 }, msi[IMS_OF_MAX_DEPTH + 1];
	int nr_msi = 0;
	struct ims_explain_rid_table *t;
	struct ims_explain_rid *rids = NULL;
	const uint8_t *br;
	int np, len, n, ret;
	char buf[512];

	if (!tree || !node || !out)
		return -EINVAL;
	*out = NULL;
	np = ims_of_find_node_by_path(tree, node);
	if (np == IMS_OF_NONE)
		return ims_error(-ENODEV, "%s: node %s not found", ims_of_tree_name(tree), node);
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->node = strdup(ims_of_node_path(tree, np, buf, sizeof(buf)));
	/* of_pci_parse_bus_range(); without one Linux's host bridges use 0x00-0xff. */
	t->bus_first = 0;
	t->bus_last = 255;
	br = ims_of_get_property(tree, np, "bus-range", &len);
	if (br && len == 8) {
		uint32_t a = (uint32_t)br[0] << 24 | (uint32_t)br[1] << 16 | (uint32_t)br[2] << 8 |
			     br[3];
		uint32_t b = (uint32_t)br[4] << 24 | (uint32_t)br[5] << 16 | (uint32_t)br[6] << 8 |
			     br[7];

		t->bus_first = (int)(a & 0xff);
		t->bus_last = (int)(b > 0xff ? 0xff : b);
		t->has_bus_range = true;
		if (t->bus_last < t->bus_first)
			t->bus_last = t->bus_first;
	}
	ret = map_load(tree, np, "iommu-map", "iommu-map-mask", &imap);
	/* __of_msi_map_id(): the msi-map of the node, then of each ancestor, in turn. */
	for (int p = np; !ret && p != IMS_OF_NONE && nr_msi < IMS_OF_MAX_DEPTH + 1;
	     p = ims_of_get_parent(tree, p)) {
		ret = map_load(tree, p, "msi-map", "msi-map-mask", &msi[nr_msi++]);
	}
	t->has_iommu_map = imap.present;
	n = (t->bus_last - t->bus_first + 1) * 256;
	rids = calloc((size_t)n, sizeof(*rids));
	if (!ret && (!t->node || !rids))
		ret = -ENOMEM;
	if (ret)
		goto fail;
	for (int i = 0; i < n; i++) {
		struct ims_explain_rid *r = &rids[i];
		int target, msi_target = IMS_OF_NONE;
		bool stopped = false;

		r->rid = (uint32_t)(t->bus_first * 256 + i);
		r->err = map_lookup(&imap, r->rid, &target, &r->sid);
		if (r->err == -ENODEV && !imap.present)
			r->err = 0; /* no map at all: every RID bypasses */
		r->iommu = -1;
		if (!r->err && target != IMS_OF_NONE) {
			r->iommu = target_index(t, tree, target);
			if (r->iommu < 0)
				r->err = -ENOSPC; /* more SMMUs than the table holds */
		}
		r->msi = -1;
		r->msi_id = r->rid;
		for (int k = 0; k < nr_msi && !stopped; k++)
			stopped = !map_lookup(&msi[k], r->rid, &msi_target, &r->msi_id);
		if (stopped && msi_target != IMS_OF_NONE)
			r->msi = target_index(t, tree, msi_target);
	}
	ret = ims_explain_rid_folds(rids, n);
	if (!ret)
		ret = ims_explain_rid_compress(rids, n, &t->rows, &t->nr_rows);
	if (ret)
		goto fail;
	for (int i = 0; i < n; i++) {
		t->nr_holes += rids[i].iommu < 0;
		t->nr_folded += rids[i].fold > 1;
	}
	t->nr_rids = n;
	free(rids);
	free(imap.e);
	for (int k = 0; k < nr_msi; k++)
		free(msi[k].e);
	*out = t;
	return 0;
fail:
	free(rids);
	free(imap.e);
	for (int k = 0; k < nr_msi; k++)
		free(msi[k].e);
	ims_explain_rid_table_free(t);
	return ret;
}

IMS_EXPORT void ims_explain_rid_table_free(struct ims_explain_rid_table *t)
{
	if (!t)
		return;
	for (int i = 0; i < t->nr_targets; i++)
		free(t->targets[i]);
	free(t->rows);
	free(t->node);
	free(t);
}

static void rid_str(char *buf, size_t len, uint32_t first, uint32_t last)
{
	if (first == last)
		snprintf(buf, len, "%02x:%02x.%u", first >> 8, (first >> 3) & 0x1f, first & 7);
	else
		snprintf(buf, len, "%02x:%02x.%u-%02x:%02x.%u", first >> 8, (first >> 3) & 0x1f,
			 first & 7, last >> 8, (last >> 3) & 0x1f, last & 7);
}

IMS_EXPORT int ims_explain_render_rid_table(const struct ims_explain_rid_table *t, bool json,
					    char **out)
{
	size_t size;
	char *buf = NULL;
	FILE *f;
	int w = 4;

	if (!t || !out)
		return -EINVAL;
	f = open_memstream(&buf, &size);
	if (!f)
		return -ENOMEM;
	if (json) {
		fputs("{\"node\": ", f);
		ims_explain_json_str(f, t->node);
		fprintf(f,
			", \"bus_range\": [%d, %d], \"rids\": %d, \"holes\": %d, \"folded\": %d,\n"
			" \"rows\": [",
			t->bus_first, t->bus_last, t->nr_rids, t->nr_holes, t->nr_folded);
		for (int i = 0; i < t->nr_rows; i++) {
			const struct ims_explain_rid_row *r = &t->rows[i];
			uint32_t n = r->rid_last - r->rid_first + 1;

			fprintf(f, "%s\n  {\"rid\": %u, \"count\": %u, \"iommu\": ", i ? "," : "",
				r->rid_first, n);
			ims_explain_json_str(f, r->iommu >= 0 ? t->targets[r->iommu] : NULL);
			if (r->iommu >= 0)
				fprintf(f, ", \"sid\": %u, \"sid_step\": %d", r->sid_first,
					r->sid_step);
			else
				fputs(", \"sid\": null", f);
			fputs(", \"msi_controller\": ", f);
			ims_explain_json_str(f, r->msi >= 0 ? t->targets[r->msi] : NULL);
			if (r->msi >= 0)
				fprintf(f, ", \"msi_id\": %u, \"msi_step\": %d", r->msi_first,
					r->msi_step);
			else
				fputs(", \"msi_id\": null", f);
			fprintf(f, ", \"hole\": %s, \"fold\": %d, \"fold_peer\": ",
				r->iommu < 0 ? "true" : "false", r->fold);
			if (r->fold > 1)
				fprintf(f, "%u", r->fold_peer);
			else
				fputs("null", f);
			fprintf(f, ", \"error\": %d}", r->err);
		}
		fputs("]}\n", f);
		return ims_explain_finish(f, out, &buf);
	}
	fprintf(f,
		"%s: bus-range %02x-%02x%s, %d RIDs, %d in holes (no IOMMU), %d folded into shared "
		"StreamIDs\n",
		t->node, t->bus_first, t->bus_last, t->has_bus_range ? "" : " (no bus-range)",
		t->nr_rids, t->nr_holes, t->nr_folded);
	for (int i = 0; i < t->nr_rows; i++)
		if (t->rows[i].iommu >= 0 && (int)strlen(t->targets[t->rows[i].iommu]) > w)
			w = (int)strlen(t->targets[t->rows[i].iommu]);
	fprintf(f, "%-25s %-6s %-17s %-*s %-17s %s\n", "RID (bus:dev.fn)", "RIDs", "StreamID", w,
		"SMMU", "MSI DeviceID", "note");
	for (int i = 0; i < t->nr_rows; i++) {
		const struct ims_explain_rid_row *r = &t->rows[i];
		uint32_t n = r->rid_last - r->rid_first + 1;
		char rid[40], sid[40], msi[40], nt[96] = "";

		rid_str(rid, sizeof(rid), r->rid_first, r->rid_last);
		if (r->err)
			snprintf(sid, sizeof(sid), "error %s", ims_errname(r->err));
		else if (r->iommu < 0)
			snprintf(sid, sizeof(sid), "-");
		else if (n == 1 || !r->sid_step)
			snprintf(sid, sizeof(sid), "0x%x", r->sid_first);
		else
			snprintf(sid, sizeof(sid), "0x%x-0x%x", r->sid_first, r->sid_first + n - 1);
		if (r->msi < 0)
			snprintf(msi, sizeof(msi), "-");
		else if (n == 1 || !r->msi_step)
			snprintf(msi, sizeof(msi), "0x%x", r->msi_first);
		else
			snprintf(msi, sizeof(msi), "0x%x-0x%x", r->msi_first, r->msi_first + n - 1);
		if (r->iommu < 0 && !r->err)
			snprintf(nt, sizeof(nt), "HOLE: no IOMMU, bypass");
		else if (r->fold > 1)
			snprintf(nt, sizeof(nt), "FOLD x%d: same SIDs as RID %02x:%02x.%u%s",
				 r->fold, r->fold_peer >> 8, (r->fold_peer >> 3) & 0x1f,
				 r->fold_peer & 7, n > 1 ? "..." : "");
		fprintf(f, "%-25s %-6u %-17s %-*s %-17s %s\n", rid, n, sid, w,
			r->iommu >= 0 ? t->targets[r->iommu] : "-", msi, nt);
	}
	if (t->nr_targets) {
		fputs("targets:", f);
		for (int i = 0; i < t->nr_targets; i++)
			fprintf(f, " %s", t->targets[i]);
		fputc('\n', f);
	}
	return ims_explain_finish(f, out, &buf);
}
