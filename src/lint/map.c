// SPDX-License-Identifier: MIT
/*
 * lint: iommu-map / msi-map (of_map_id(), drivers/of/base.c, v6.12) and the
 * RID space of each host bridge's bus-range.
 *
 * Every map is resolved once into a table of the first matching entry for
 * each of the 65,536 possible masked IDs (a RID is 16 bits, so id & mask is
 * too), filled in property order with a "next unfilled slot" union-find: the
 * cost is O(65,536 + entries), whatever the overlaps.  Each RID is then an
 * O(1) lookup, and everything reported is swept into ranges: no per-RID
 * pairwise comparison anywhere.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lint-private.h"

#define NR_IDS 0x10000

enum rid_state { R_MAPPED, R_UNMAPPED, R_FAULT, R_DANGLING };

struct map {
	const char *name, *mask_name;
	const uint8_t *raw;
	int len, nr;
	bool present, valid;
	uint32_t mask;
	bool has_mask;
	int first_bad;
	int *target;
	int32_t *win;
};

static uint32_t ent(const struct map *mp, int i, int cell)
{
	return lint_be32(mp->raw + 16 * i + 4 * cell);
}

static int32_t dsu_find(int32_t *nxt, int32_t x)
{
	while (nxt[x] != x) {
		nxt[x] = nxt[nxt[x]];
		x = nxt[x];
	}
	return x;
}

static void map_close(struct map *mp)
{
	free(mp->target);
	free(mp->win);
	mp->target = NULL;
	mp->win = NULL;
}

/* Read @name on @node; a valid map gets its first-match table. */
static int map_open(struct lint *l, int node, const char *name, const char *mask_name,
		    struct map *mp)
{
	int32_t *nxt;

	memset(mp, 0, sizeof(*mp));
	mp->name = name;
	mp->mask_name = mask_name;
	mp->first_bad = -1;
	mp->raw = ims_of_get_property(l->t, node, name, &mp->len);
	mp->present = mp->raw != NULL;
	if (!mp->present || mp->len <= 0 || mp->len % 16)
		return 0;
	mp->valid = true;
	mp->nr = mp->len / 16;
	mp->mask = 0xffffffff;
	mp->has_mask = !ims_of_property_read_u32(l->t, node, mask_name, &mp->mask);
	if (!mp->has_mask)
		mp->mask = 0xffffffff;
	mp->target = malloc((size_t)mp->nr * sizeof(int));
	mp->win = malloc(NR_IDS * sizeof(int32_t));
	nxt = malloc((NR_IDS + 1) * sizeof(int32_t));
	if (!mp->target || !mp->win || !nxt) {
		free(nxt);
		map_close(mp);
		return l->err = -ENOMEM;
	}
	for (int32_t i = 0; i <= NR_IDS; i++)
		nxt[i] = i;
	for (int i = 0; i < NR_IDS; i++)
		mp->win[i] = -1;
	for (int i = 0; i < mp->nr; i++) {
		uint32_t base = ent(mp, i, 0), ph = ent(mp, i, 1), n = ent(mp, i, 3);
		uint64_t end = (uint64_t)base + n;

		mp->target[i] = ph ? ims_of_find_node_by_phandle(l->t, ph) : IMS_OF_NONE;
		if ((base & ~mp->mask) && mp->first_bad < 0)
			mp->first_bad = i;
		/* (u32)(base + len) wraps: such an entry, or one of length 0, never matches. */
		if (!n || end > 0xffffffffULL || base >= NR_IDS)
			continue;
		if (end > NR_IDS)
			end = NR_IDS;
		for (int32_t x = dsu_find(nxt, (int32_t)base); x < (int32_t)end;
		     x = dsu_find(nxt, x + 1)) {
			mp->win[x] = i;
			nxt[x] = x + 1;
		}
	}
	free(nxt);
	return 0;
}

/* of_map_id() for a 16-bit @rid through a valid map. */
static enum rid_state map_resolve(const struct map *mp, uint32_t rid, int *target, uint32_t *out)
{
	uint32_t masked = rid & mp->mask;
	int32_t e = mp->win[masked & 0xffff];

	if (mp->first_bad >= 0 && (e < 0 || e > mp->first_bad))
		return R_FAULT;
	if (e < 0) {
		*out = rid;
		return R_UNMAPPED;
	}
	*target = mp->target[e];
	if (*target == IMS_OF_NONE)
		return R_DANGLING;
	*out = masked - ent(mp, e, 0) + ent(mp, e, 2);
	return R_MAPPED;
}

/* ---- the map properties themselves ---------------------------------------------------- */

static int cells_of(struct lint *l, int node, const char *cells_name)
{
	uint32_t v;

	if (node == IMS_OF_NONE || ims_of_property_read_u32(l->t, node, cells_name, &v))
		return -1;
	return (int)v;
}

static void check_map_syntax(struct lint *l, int node, const struct map *mp, bool iommu)
{
	const char *cells_name = iommu ? "#iommu-cells" : "#msi-cells";
	char tp[512];
	int warned_target = IMS_OF_NONE;

	if (!mp->present)
		return;
	if (!mp->valid) {
		bool five = mp->len > 0 && mp->len % 20 == 0;

		lint_add(l, "map-bad-length", IMS_LINT_ERROR, node, mp->name, NULL,
			 "%s is %d bytes, not a non-zero multiple of 16 (4 cells per entry): "
			 "of_map_id() logs \"Bad %s length: %d\" and fails with -EINVAL for every "
			 "ID, so %s. Fix: write <id-base phandle out-base length> rows.",
			 mp->name, mp->len, mp->name, mp->len,
			 iommu ? "no device below gets an IOMMU (DMA runs untranslated)"
			       : "no device below gets an MSI DeviceID translation");
		/* 5-cell rows written for an #iommu-cells = <2> provider? */
		for (int i = 0; five && i < mp->len / 20; i++) {
			int tn = ims_of_find_node_by_phandle(l->t, lint_be32(mp->raw + 20 * i + 4));

			if (cells_of(l, tn, cells_name) != 2)
				five = false;
		}
		if (five)
			lint_add(l, "map-stride-mismatch", IMS_LINT_ERROR, node, mp->name, NULL,
				 "%s has 5-cell rows <id-base phandle out-base mask length> for "
				 "an IOMMU with %s = <2>, but Linux 6.12 reads 4-cell rows "
				 "<id-base phandle out-base length> (of_map_id() passes a single "
				 "cell; the SMR mask comes from the SMMU's stream-match-mask): "
				 "the property is rejected with -EINVAL. Fix: 4-cell rows, and "
				 "the mask in stream-match-mask.",
				 mp->name, cells_name);
		return;
	}
	for (int i = 0; i < mp->nr; i++) {
		uint32_t base = ent(mp, i, 0), ph = ent(mp, i, 1), n = ent(mp, i, 3);
		int tn = mp->target[i];

		if (base & ~mp->mask)
			lint_add(l, "map-mask-ignores-base", IMS_LINT_ERROR, node, mp->name, NULL,
				 "entry %d: id-base 0x%x has bits that %s 0x%x clears: "
				 "of_map_id() logs \"Invalid %s translation - %s (0x%x) ignores "
				 "id-base (0x%x)\" and returns -EFAULT for every ID that reaches "
				 "this entry, so those devices get %s. Fix: id-base 0x%x (a "
				 "masked value), or widen the mask.",
				 i, base, mp->mask_name, mp->mask, mp->name, mp->mask_name,
				 mp->mask, base, iommu ? "no IOMMU" : "no MSI DeviceID translation",
				 base & mp->mask);
		if (!n || (uint64_t)base + n > 0xffffffffULL)
			lint_add(l, "map-entry-never-matches", IMS_LINT_WARNING, node, mp->name,
				 NULL,
				 "entry %d (id-base 0x%x, length 0x%x) never matches: %s, and "
				 "of_map_id() tests id < (u32)(id-base + length). Fix: %s.",
				 i, base, n,
				 !n ? "its length is 0" : "id-base + length wraps past 2^32",
				 !n ? "give it a length, or drop it"
				    : "shorten it so that id-base + length <= 0xffffffff");
		else if (tn == IMS_OF_NONE)
			lint_add(l, "map-entry-never-matches", IMS_LINT_ERROR, node, mp->name, NULL,
				 "entry %d (id-base 0x%x, length 0x%x): phandle 0x%x names no "
				 "node: of_map_id() returns -ENODEV for every ID it matches "
				 "(later entries are not tried), so those devices get %s. Fix: "
				 "point it at the %s.",
				 i, base, n, ph, iommu ? "no IOMMU" : "no MSI domain",
				 iommu ? "IOMMU" : "MSI controller");
		if (tn != IMS_OF_NONE && tn != warned_target && cells_of(l, tn, cells_name) >= 0 &&
		    cells_of(l, tn, cells_name) != 1) {
			warned_target = tn;
			lint_add(l, "map-stride-mismatch", IMS_LINT_WARNING, node, mp->name, NULL,
				 "entry %d points at %s, whose %s = <%d>, but %s rows are 4 cells "
				 "and Linux passes one cell (args_count = 1) to the driver%s. "
				 "Fix: keep 4-cell rows and put the mask in the SMMU's "
				 "stream-match-mask (or use #iommu-cells = <1>).",
				 i, lint_path(l, tn, tp, sizeof(tp)), cells_name,
				 cells_of(l, tn, cells_name), mp->name,
				 iommu ? ": no per-entry SMR mask is applied; arm-smmu takes the "
					 "mask from stream-match-mask"
				       : "");
		}
	}
}

/* ---- RID ranges -------------------------------------------------------------------- */

struct runs {
	char text[1200];
	int nr;
	char devs[600];
	int nr_devs;
	const char *first_dev;
};

static void runs_add(struct runs *rs, uint32_t a, uint32_t b, const char *extra)
{
	size_t len = strlen(rs->text);
	char bus[32] = "";

	if (++rs->nr > 8)
		return;
	if ((a & 0xff) == 0 && (b & 0xff) == 0xff) {
		if (a >> 8 == b >> 8)
			snprintf(bus, sizeof(bus), " (bus %02x)", a >> 8);
		else
			snprintf(bus, sizeof(bus), " (buses %02x-%02x)", a >> 8, b >> 8);
	}
	snprintf(rs->text + len, sizeof(rs->text) - len, "%s0x%04x-0x%04x%s%s", len ? ", " : "", a,
		 b, bus, extra ? extra : "");
}

static const char *runs_text(struct runs *rs)
{
	size_t len = strlen(rs->text);

	if (rs->nr > 8)
		snprintf(rs->text + len, sizeof(rs->text) - len, " and %d more range(s)",
			 rs->nr - 8);
	return rs->text;
}

static void runs_dev(struct runs *rs, const struct ims_device *d)
{
	size_t len = strlen(rs->devs);

	if (!d)
		return;
	if (!rs->first_dev)
		rs->first_dev = d->name;
	if (++rs->nr_devs <= 6)
		snprintf(rs->devs + len, sizeof(rs->devs) - len, "%s%s", len ? ", " : "", d->name);
	else if (rs->nr_devs == 7)
		snprintf(rs->devs + len, sizeof(rs->devs) - len, ", ...");
}

struct hb {
	int node;
	uint32_t lo, hi, n;
	struct ims_device **dev_at;
	uint8_t *st;
	int *tgt;
	uint32_t *out;
};

/* The host's PCI devices in driver-core order (the index lint built once). */
static void fill_devices(struct lint *l, struct hb *h)
{
	for (int i = lint_devnode_first(l->by_host, l->nr_by_host, h->node);
	     i < l->nr_by_host && l->by_host[i].node == h->node; i++) {
		struct ims_device *d = l->by_host[i].d;
		uint32_t rid = ims_pci_dev_id(d->pci);

		if (rid >= h->lo && rid <= h->hi && !h->dev_at[rid - h->lo])
			h->dev_at[rid - h->lo] = d;
	}
}

static void resolve_all(struct hb *h, const struct map *mp)
{
	for (uint32_t i = 0; i < h->n; i++) {
		h->tgt[i] = IMS_OF_NONE;
		h->st[i] = (uint8_t)map_resolve(mp, h->lo + i, &h->tgt[i], &h->out[i]);
	}
}

static void report_unmapped(struct lint *l, struct hb *h, const struct map *mp, bool iommu)
{
	struct runs rs = { 0 };
	uint32_t total = 0;

	for (uint32_t i = 0; i < h->n;) {
		uint32_t j = i;

		if (h->st[i] != R_UNMAPPED) {
			i++;
			continue;
		}
		while (j + 1 < h->n && h->st[j + 1] == R_UNMAPPED)
			j++;
		runs_add(&rs, h->lo + i, h->lo + j, NULL);
		for (uint32_t k = i; k <= j; k++)
			runs_dev(&rs, h->dev_at[k]);
		total += j - i + 1;
		i = j + 1;
	}
	if (!rs.nr)
		return;
	if (iommu)
		lint_add(l, "rid-unmapped", rs.nr_devs ? IMS_LINT_ERROR : IMS_LINT_WARNING, h->node,
			 mp->name, rs.first_dev,
			 "%u RID(s) of bus-range have no iommu-map entry%s%s: %s%s%s. of_map_id() "
			 "logs only \"no iommu-map translation for id\" at info level and the "
			 "device runs without an IOMMU (dma-direct); its DMA still reaches the "
			 "SMMU, which has no stream configured for it. Fix: extend iommu-map to "
			 "cover the bus-range (or narrow bus-range).",
			 total, mp->has_mask ? " after iommu-map-mask" : "",
			 rs.nr_devs ? " (devices present)" : "", runs_text(&rs),
			 rs.nr_devs ? "; devices: " : "", rs.devs);
	else
		lint_add(l, "msi-unmapped", IMS_LINT_WARNING, h->node, mp->name, rs.first_dev,
			 "%u RID(s) of bus-range have no msi-map entry: %s%s%s. of_map_id() finds "
			 "no entry, passes the raw RID through as the DeviceID and picks no MSI "
			 "controller: such devices' MSIs fail to set up, or reach the ITS with a "
			 "DeviceID nobody mapped. Fix: extend msi-map to cover the bus-range.",
			 total, runs_text(&rs), rs.nr_devs ? "; devices: " : "", rs.devs);
}

static void report_folds(struct lint *l, struct hb *h, const struct map *mp)
{
	int32_t *first;
	struct runs rs = { 0 };
	bool collide = false, v3 = false;
	char pairs[400] = "";
	int nr_pairs = 0;
	const char *dev = NULL;
	uint32_t used = 0xff;

	if (!mp->has_mask)
		return;
	first = malloc(NR_IDS * sizeof(int32_t));
	if (!first) {
		l->err = -ENOMEM;
		return;
	}
	for (int i = 0; i < NR_IDS; i++)
		first[i] = -1;
	for (uint32_t i = 0; i < h->n;) {
		uint32_t m = (h->lo + i) & mp->mask & 0xffff, j;
		int32_t delta;

		if (h->st[i] != R_MAPPED || first[m] < 0) {
			if (h->st[i] == R_MAPPED)
				first[m] = (int32_t)(h->lo + i);
			i++;
			continue;
		}
		delta = (int32_t)(h->lo + i) - first[m];
		for (j = i;; j++) {
			uint32_t mj = (h->lo + j) & mp->mask & 0xffff;
			struct ims_device *a = h->dev_at[j], *b;

			b = (uint32_t)first[mj] >= h->lo ? h->dev_at[(uint32_t)first[mj] - h->lo]
							 : NULL;
			if (a && b && a != b) {
				const struct lint_iommu *io = lint_iommu(l, h->tgt[j]);
				size_t len = strlen(pairs);

				if (io && io->v3 && io->known) {
					v3 = true;
					collide = true;
				}
				if (!dev)
					dev = a->name;
				if (++nr_pairs <= 4)
					snprintf(pairs + len, sizeof(pairs) - len, "%s%s with %s",
						 len ? ", " : "", a->name, b->name);
			}
			if (j + 1 >= h->n || h->st[j + 1] != R_MAPPED)
				break;
			mj = (h->lo + j + 1) & mp->mask & 0xffff;
			if (first[mj] < 0 || (int32_t)(h->lo + j + 1) - first[mj] != delta)
				break;
		}
		{
			char extra[64];

			snprintf(extra, sizeof(extra), " onto 0x%04x-0x%04x", h->lo + i - delta,
				 h->lo + j - delta);
			runs_add(&rs, h->lo + i, h->lo + j, extra);
		}
		i = j + 1;
	}
	free(first);
	if (!rs.nr)
		return;
	while (used < h->hi)
		used = used << 1 | 1;
	lint_add(l, "mask-folds", collide ? IMS_LINT_ERROR : IMS_LINT_WARNING, h->node,
		 mp->mask_name, dev,
		 "iommu-map-mask 0x%x clears RID bits 0x%x that the bus-range uses (bus bits "
		 "0x%02x, devfn bits 0x%02x), merging distinct RIDs into one StreamID: %s.%s%s%s "
		 "Linux masks before the lookup, so folded functions share StreamIDs: %s Fix: a "
		 "mask that keeps every bus and devfn bit the bus-range uses (0xffff), with "
		 "entries for each bus, unless the folding is intended.",
		 mp->mask, used & ~mp->mask, (used & ~mp->mask) >> 8, used & ~mp->mask & 0xff,
		 runs_text(&rs), nr_pairs ? " Present devices that fold: " : "", pairs,
		 nr_pairs ? "." : "",
		 v3 ? "on SMMUv3 the second device's probe fails (\"stream already in tree\") "
		      "and it runs without an IOMMU."
		    : "on arm-smmu they share one stream-match entry and so one IOMMU group.");
}

/* StreamID claims of the RIDs that map (folded ones are already claimed). */
static void add_rid_claims(struct lint *l, struct hb *h, const struct map *mp)
{
	uint8_t *seen = calloc(NR_IDS, 1);

	if (!seen) {
		l->err = -ENOMEM;
		return;
	}
	for (uint32_t i = 0; i < h->n;) {
		uint32_t m = (h->lo + i) & mp->mask & 0xffff, j = i;
		struct lint_claim c = { 0 };

		if (h->st[i] != R_MAPPED || seen[m]) {
			i++;
			continue;
		}
		seen[m] = 1;
		while (j + 1 < h->n && h->st[j + 1] == R_MAPPED && h->tgt[j + 1] == h->tgt[i] &&
		       h->out[j + 1] == h->out[j] + 1 &&
		       !seen[(h->lo + j + 1) & mp->mask & 0xffff]) {
			j++;
			seen[(h->lo + j) & mp->mask & 0xffff] = 1;
		}
		c.iommu = h->tgt[i];
		c.lo = h->out[i];
		c.hi = h->out[j];
		c.src = LINT_SRC_RID;
		c.node = h->node;
		c.rid_lo = h->lo + i;
		lint_add_claim(l, &c);
		i = j + 1;
	}
	free(seen);
}

static void report_unavailable_targets(struct lint *l, struct hb *h, const struct map *mp)
{
	char tp[512];

	for (int i = 0; i < mp->nr; i++) {
		int tn = mp->target[i];
		bool dup = false;

		if (tn == IMS_OF_NONE || ims_of_device_is_available(l->t, tn))
			continue;
		for (int k = 0; k < i; k++)
			dup |= mp->target[k] == tn;
		if (dup)
			continue;
		lint_add(l, "iommu-unavailable", IMS_LINT_WARNING, h->node, mp->name, NULL,
			 "iommu-map points at %s, whose status is not \"okay\": of_iommu_xlate() "
			 "returns -ENODEV and every device below runs untranslated (dma-direct), "
			 "while the hardware SMMU may still be in the path. Fix: enable the SMMU, "
			 "or drop iommu-map if the SMMU is really absent.",
			 lint_path(l, tn, tp, sizeof(tp)));
	}
}

static void report_msi_mismatch(struct lint *l, struct hb *h, const struct map *im,
				const struct map *mm)
{
	struct runs cov = { 0 }, off = { 0 };

	for (uint32_t i = 0; i < h->n;) {
		int t1 = IMS_OF_NONE, t2 = IMS_OF_NONE;
		uint32_t o1 = 0, o2 = 0, j = i;
		int a = map_resolve(im, h->lo + i, &t1, &o1) == R_MAPPED;
		int b = map_resolve(mm, h->lo + i, &t2, &o2) == R_MAPPED;
		int kind = a != b ? 1 : (a && b && o1 != o2) ? 2 : 0;

		for (; j + 1 < h->n; j++) {
			int u1 = IMS_OF_NONE, u2 = IMS_OF_NONE;
			uint32_t p1 = 0, p2 = 0;
			int a2 = map_resolve(im, h->lo + j + 1, &u1, &p1) == R_MAPPED;
			int b2 = map_resolve(mm, h->lo + j + 1, &u2, &p2) == R_MAPPED;
			int k2 = a2 != b2 ? 1 : (a2 && b2 && p1 != p2) ? 2 : 0;

			if (k2 != kind)
				break;
		}
		if (kind == 1) {
			char extra[48];

			snprintf(extra, sizeof(extra), " (%s only)", a ? "iommu-map" : "msi-map");
			runs_add(&cov, h->lo + i, h->lo + j, extra);
		} else if (kind == 2) {
			char extra[64];

			snprintf(extra, sizeof(extra), " (StreamID 0x%x, DeviceID 0x%x at start)",
				 o1, o2);
			runs_add(&off, h->lo + i, h->lo + j, extra);
		}
		i = j + 1;
	}
	if (cov.nr)
		lint_add(l, "iommu-msi-mismatch", IMS_LINT_WARNING, h->node, "msi-map", NULL,
			 "iommu-map and msi-map cover different RIDs: %s. A device translated by "
			 "one map and not the other either runs without an IOMMU while its MSIs "
			 "work, or has an IOMMU but no MSI DeviceID (its MSI doorbell IOVA is "
			 "mapped for nothing). Fix: make both maps cover the same RIDs.",
			 runs_text(&cov));
	if (off.nr)
		lint_add(l, "iommu-msi-mismatch", IMS_LINT_INFO, h->node, "msi-map", NULL,
			 "iommu-map and msi-map give different IDs for the same RIDs: %s. That is "
			 "fine when the SMMU StreamID and the ITS DeviceID spaces are wired "
			 "differently on purpose; otherwise MSIs arrive with the wrong DeviceID. "
			 "Fix (if unintended): use the same offsets in both maps.",
			 runs_text(&off));
}

static bool is_pci_node(struct lint *l, int node)
{
	int len;
	const char *dt = ims_of_get_property(l->t, node, "device_type", &len);

	return dt && len == 4 && !memcmp(dt, "pci", 4);
}

static void lint_host_bridge(struct lint *l, int node)
{
	struct hb h = { .node = node };
	struct map im, mm;
	int len;
	const uint8_t *br = ims_of_get_property(l->t, node, "bus-range", &len);
	uint32_t b0 = 0, b1 = 0xff;

	if (br && len >= 8) {
		b0 = lint_be32(br);
		b1 = lint_be32(br + 4);
	}
	if (b0 > 0xff || b1 > 0xff || b0 > b1)
		return;
	h.lo = b0 << 8;
	h.hi = b1 << 8 | 0xff;
	h.n = h.hi - h.lo + 1;
	l->r->nr_rids += h.n;
	if (map_open(l, node, "iommu-map", "iommu-map-mask", &im))
		return;
	if (map_open(l, node, "msi-map", "msi-map-mask", &mm)) {
		map_close(&im);
		return;
	}
	h.dev_at = calloc(h.n, sizeof(*h.dev_at));
	h.st = calloc(h.n, 1);
	h.tgt = calloc(h.n, sizeof(int));
	h.out = calloc(h.n, sizeof(uint32_t));
	if (!h.dev_at || !h.st || !h.tgt || !h.out) {
		l->err = -ENOMEM;
		goto out;
	}
	fill_devices(l, &h);
	if (im.valid) {
		resolve_all(&h, &im);
		report_unmapped(l, &h, &im, true);
		report_folds(l, &h, &im);
		add_rid_claims(l, &h, &im);
		report_unavailable_targets(l, &h, &im);
	}
	if (mm.valid) {
		resolve_all(&h, &mm);
		report_unmapped(l, &h, &mm, false);
	}
	if (im.valid && mm.valid)
		report_msi_mismatch(l, &h, &im, &mm);
out:
	free(h.dev_at);
	free(h.st);
	free(h.tgt);
	free(h.out);
	map_close(&im);
	map_close(&mm);
}

void lint_maps(struct lint *l)
{
	int nr = ims_of_nr_nodes(l->t);

	for (int i = 0; i < nr && !l->err; i++) {
		int node = ims_of_node_by_index(l->t, i), parent;
		struct map mp;

		for (int k = 0; k < 2; k++) {
			bool iommu = k == 0;

			if (map_open(l, node, iommu ? "iommu-map" : "msi-map",
				     iommu ? "iommu-map-mask" : "msi-map-mask", &mp))
				return;
			check_map_syntax(l, node, &mp, iommu);
			map_close(&mp);
		}
		/* A host bridge: device_type "pci" whose parent is not a PCI bus. */
		parent = ims_of_get_parent(l->t, node);
		if (is_pci_node(l, node) && ims_of_device_is_available(l->t, node) &&
		    (parent == IMS_OF_NONE || !is_pci_node(l, parent)))
			lint_host_bridge(l, node);
	}
}

int lint_map_id(struct lint *l, int node, const char *name, const char *mask_name, uint32_t id,
		int *target, uint32_t *out)
{
	int len;
	const uint8_t *raw = ims_of_get_property(l->t, node, name, &len);
	uint32_t mask = 0xffffffff, masked;

	*target = IMS_OF_NONE;
	if (!raw || len <= 0 || len % 16)
		return -1;
	if (ims_of_property_read_u32(l->t, node, mask_name, &mask))
		mask = 0xffffffff;
	masked = id & mask;
	for (int i = 0; i < len / 16 && i < 65536; i++) {
		uint32_t base = lint_be32(raw + 16 * i), n = lint_be32(raw + 16 * i + 12);

		if (base & ~mask)
			return R_FAULT;
		if (masked < base || masked >= (uint32_t)(base + n))
			continue;
		*target = ims_of_find_node_by_phandle(l->t, lint_be32(raw + 16 * i + 4));
		if (*target == IMS_OF_NONE)
			return R_DANGLING;
		*out = masked - base + lint_be32(raw + 16 * i + 8);
		return R_MAPPED;
	}
	*out = id;
	return R_UNMAPPED;
}
