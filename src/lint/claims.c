// SPDX-License-Identifier: MIT
/*
 * lint: "iommus" (of_parse_phandle_with_args() and of_iommu_configure_dev(),
 * drivers/iommu/of_iommu.c), StreamID claims on each SMMU and what the
 * drivers do with them: arm-smmu-v3's arm_smmu_insert_master() (duplicate
 * StreamIDs), the StreamID range checks of both drivers, and arm-smmu's
 * arm_smmu_find_sme() (stream-match entries).  Collisions are found by sorting
 * claims (ranges) and sweeping, never by comparing every pair.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lint-private.h"

/* The most findings one check reports per board (collisions can be many). */
#define MAX_PER_CHECK 64

struct spec {
	int iommu;
	int nc;
	uint32_t args[2];
};

/*
 * Parse "iommus" as of_parse_phandle_with_args() does, entry by entry.
 * Returns the number of good entries before the first bad one; *@bad is the
 * index of the bad entry or -1; @why names the problem.
 */
static int parse_iommus(struct lint *l, int node, struct spec *specs, int max, int *bad, char *why,
			size_t why_len)
{
	int len, n = 0, idx = 0;
	const uint8_t *raw = ims_of_get_property(l->t, node, "iommus", &len);
	int cells = raw ? len / 4 : 0;

	*bad = -1;
	for (int i = 0; i < cells && idx < 4096;) {
		uint32_t ph = lint_be32(raw + 4 * i), nc;
		int tn;

		if (!ph) { /* an empty entry */
			i++;
			idx++;
			continue;
		}
		tn = ims_of_find_node_by_phandle(l->t, ph);
		if (tn == IMS_OF_NONE) {
			snprintf(why, why_len,
				 "entry %d: phandle 0x%x names no node (\"could not find "
				 "phandle\")",
				 idx, ph);
			*bad = idx;
			return n;
		}
		if (ims_of_property_read_u32(l->t, tn, "#iommu-cells", &nc)) {
			char tp[512];

			snprintf(why, why_len,
				 "entry %d: %s has no #iommu-cells (\"could not get "
				 "#iommu-cells\")",
				 idx, lint_path(l, tn, tp, sizeof(tp)));
			*bad = idx;
			return n;
		}
		if (nc > IMS_OF_MAX_PHANDLE_ARGS || (uint64_t)i + 1 + nc > (uint64_t)cells) {
			snprintf(why, why_len,
				 "entry %d: #iommu-cells = <%u> but only %d cell(s) left", idx, nc,
				 cells - i - 1);
			*bad = idx;
			return n;
		}
		if (n < max) {
			specs[n].iommu = tn;
			specs[n].nc = (int)nc;
			specs[n].args[0] = nc > 0 ? lint_be32(raw + 4 * (i + 1)) : 0;
			specs[n].args[1] = nc > 1 ? lint_be32(raw + 4 * (i + 2)) : 0;
			n++;
		}
		i += 1 + (int)nc;
		idx++;
	}
	if (raw && len % 4 && *bad < 0) {
		snprintf(why, why_len, "the property is %d bytes, not a whole number of cells",
			 len);
		*bad = idx;
	}
	return n;
}

static const char *dev_name_of(struct lint *l, int node, char *buf, size_t len)
{
	struct ims_device *d = lint_dev_by_node(l, node);

	if (d)
		return d->name;
	return ims_of_device_make_bus_id(l->t, node, buf, len);
}

void lint_iommus_prop(struct lint *l)
{
	int nr = ims_of_nr_nodes(l->t);

	for (int i = 0; i < nr && !l->err; i++) {
		int node = ims_of_node_by_index(l->t, i), bad, n;
		struct spec specs[32];
		char why[700], dn[128], tp[512];
		int warned = IMS_OF_NONE;

		if (!ims_of_get_property(l->t, node, "iommus", NULL) ||
		    !ims_of_device_is_available(l->t, node))
			continue;
		n = parse_iommus(l, node, specs, 32, &bad, why, sizeof(why));
		if (bad >= 0)
			lint_add(l, "iommus-bad", n ? IMS_LINT_WARNING : IMS_LINT_ERROR, node,
				 "iommus", dev_name_of(l, node, dn, sizeof(dn)),
				 "%s. of_iommu_configure_dev() stops at the first entry it cannot "
				 "parse and says nothing more: %s Fix: point the entry at the "
				 "IOMMU node and give exactly #iommu-cells cells.",
				 why,
				 n ? "the device keeps only the IDs of the entries before it."
				   : "the device silently gets no IOMMU and runs untranslated "
				     "(dma-direct).");
		for (int k = 0; k < n; k++) {
			const struct lint_iommu *io;
			struct lint_claim c = { 0 };

			if (!ims_of_device_is_available(l->t, specs[k].iommu)) {
				if (warned != specs[k].iommu)
					lint_add(l, "iommu-unavailable", IMS_LINT_WARNING, node,
						 "iommus", dev_name_of(l, node, dn, sizeof(dn)),
						 "iommus points at %s, whose status is not "
						 "\"okay\": of_iommu_xlate() returns -ENODEV, so "
						 "the device runs untranslated (dma-direct) "
						 "although the SMMU may still sit in its path. "
						 "Fix: enable the SMMU (status = \"okay\"), or "
						 "remove iommus if it is really absent.",
						 lint_path(l, specs[k].iommu, tp, sizeof(tp)));
				warned = specs[k].iommu;
				continue;
			}
			io = lint_iommu(l, specs[k].iommu);
			if (!io || !io->known || specs[k].nc < 1)
				continue;
			c.iommu = specs[k].iommu;
			c.src = LINT_SRC_IOMMUS;
			c.node = node;
			if (io->v3) {
				c.id = specs[k].args[0];
				c.lo = c.hi = c.id;
			} else {
				if (specs[k].args[0] > 0xffff ||
				    (specs[k].nc > 1 && specs[k].args[1] > 0xffff))
					lint_add(l, "sid-out-of-range", IMS_LINT_ERROR, node,
						 "iommus", dev_name_of(l, node, dn, sizeof(dn)),
						 "specifier <0x%x%s> has bits above 15: "
						 "arm-smmu's of_xlate keeps SMR ID[15:0] and "
						 "MASK[15:0] only (FIELD_PREP), so the device "
						 "gets StreamID 0x%x. Fix: use 16-bit values.",
						 specs[k].args[0], specs[k].nc > 1 ? " mask" : "",
						 specs[k].args[0] & 0xffff);
				c.id = specs[k].args[0] & 0xffff;
				c.mask = (specs[k].nc > 1 ? specs[k].args[1] : io->smm) & 0xffff;
				c.lo = c.id & ~c.mask;
				c.hi = c.id | c.mask;
			}
			lint_add_claim(l, &c);
		}
	}
}

/* ---- collisions and ranges over the claims ------------------------------------------- */

static int claim_cmp(const void *a, const void *b)
{
	const struct lint_claim *x = a, *y = b;

	if (x->iommu != y->iommu)
		return x->iommu < y->iommu ? -1 : 1;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	if (x->hi != y->hi)
		return x->hi < y->hi ? -1 : 1;
	return (x->node > y->node) - (x->node < y->node);
}

static void describe(struct lint *l, const struct lint_claim *c, uint64_t s0, uint64_t s1,
		     char *buf, size_t len)
{
	char p[512];

	lint_path(l, c->node, p, sizeof(p));
	if (c->src == LINT_SRC_RID) {
		uint64_t r0 = c->rid_lo + (s0 - c->lo), r1 = c->rid_lo + (s1 - c->lo);

		if (r0 == r1)
			snprintf(buf, len, "RID 0x%04llx of %s", (unsigned long long)r0, p);
		else
			snprintf(buf, len, "RIDs 0x%04llx-0x%04llx of %s", (unsigned long long)r0,
				 (unsigned long long)r1, p);
	} else if (c->mask) {
		snprintf(buf, len, "iommus <0x%x 0x%x> of %s", c->id, c->mask, p);
	} else {
		snprintf(buf, len, "iommus <0x%x> of %s", c->id, p);
	}
}

/* The device whose arm-smmu-v3 probe the boot refused for a StreamID in [s0, s1]. */
static const char *find_refused(struct lint *l, uint64_t s0, uint64_t s1, int na, int nb)
{
	int nr = l->dc ? ims_devcore_nr_devices(l->dc) : 0;

	for (int i = 0; i < nr; i++) {
		struct ims_device *d = ims_devcore_device(l->dc, i);
		int src;

		if (!d)
			continue;
		src = d->of_node;
		if (d->pci) {
			struct ims_pci_host_bridge *b = ims_pci_host_bridge_of(d);

			src = b && b->dev ? b->dev->of_node : IMS_OF_NONE;
		}
		if (src != na && src != nb)
			continue;
		for (int k = 0; k < d->nr_msgs; k++) {
			const char *p = strstr(d->msgs[k].text, "stream ");
			unsigned int sid;

			if (p && strstr(p, "already in tree") &&
			    sscanf(p, "stream %u", &sid) == 1 && sid >= s0 && sid <= s1)
				return d->name;
		}
	}
	return NULL;
}

static void report_collision(struct lint *l, const struct lint_claim *a, const struct lint_claim *b,
			     const struct lint_iommu *io)
{
	uint64_t s0 = a->lo > b->lo ? a->lo : b->lo, s1 = a->hi < b->hi ? a->hi : b->hi;
	char da[700], db[700], ip[512], refused_txt[400] = "", sids[64];
	const char *refused = NULL;

	describe(l, a, s0, s1, da, sizeof(da));
	describe(l, b, s0, s1, db, sizeof(db));
	lint_path(l, a->iommu, ip, sizeof(ip));
	if (io->v3) {
		refused = find_refused(l, s0, s1, a->node, b->node);
		if (refused)
			snprintf(refused_txt, sizeof(refused_txt),
				 " Here %s is refused (\"stream already in tree\", -EINVAL) and "
				 "runs without an IOMMU.",
				 refused);
		else
			snprintf(refused_txt, sizeof(refused_txt),
				 " No refusal happened in this boot (not both devices exist); "
				 "when both do, the one that probes second is refused.");
	}
	if (s0 == s1)
		snprintf(sids, sizeof(sids), "StreamID 0x%llx", (unsigned long long)s0);
	else
		snprintf(sids, sizeof(sids), "StreamIDs 0x%llx-0x%llx", (unsigned long long)s0,
			 (unsigned long long)s1);
	lint_add(l, "sid-collision", io->v3 ? IMS_LINT_ERROR : IMS_LINT_WARNING, b->node,
		 b->src == LINT_SRC_RID ? "iommu-map" : "iommus", refused,
		 "%s on %s reached by both %s and %s. %s%s Fix: give each root complex and "
		 "platform master its own StreamIDs on each SMMU (iommu-map out-base / iommus).",
		 sids, ip, da, db,
		 io->v3 ? "arm-smmu-v3 (6.12) refuses a StreamID another master owns."
			: "arm-smmu makes them share one stream-match entry, so both land in one "
			  "IOMMU group and one domain.",
		 refused_txt);
}

/* Highest StreamID the driver accepts (arm_smmu_sid_in_range() / streamid_mask). */
static uint64_t max_sid(const struct lint_iommu *io)
{
	if (io->v3) {
		if (io->st_2lvl && io->sid_bits > 8) {
			uint64_t l1 = ((((uint64_t)1 << io->sid_bits) - 1) >> 8) + 1;

			if (l1 > (1u << 17))
				l1 = 1u << 17;
			return l1 * 256 - 1;
		}
		return ((uint64_t)1 << io->sid_bits) - 1;
	}
	return ((uint64_t)1 << io->sid_bits) - 1;
}

static void check_range(struct lint *l, const struct lint_claim *c, const struct lint_iommu *io,
			int *nr_reported)
{
	uint64_t max = max_sid(io), lo;
	char d[700], ip[512], dn[128];

	if (c->src == LINT_SRC_IOMMUS && !io->v3) {
		if (c->id <= max && c->mask <= max)
			return;
	} else if (c->hi <= max) {
		return;
	}
	if ((*nr_reported)++ >= MAX_PER_CHECK)
		return;
	lo = c->lo > max + 1 ? c->lo : max + 1;
	if (c->src == LINT_SRC_IOMMUS && !io->v3)
		lo = c->id;
	describe(l, c, lo, c->hi, d, sizeof(d));
	lint_path(l, c->iommu, ip, sizeof(ip));
	lint_add(l, "sid-out-of-range",
		 c->src == LINT_SRC_IOMMUS ? IMS_LINT_ERROR : IMS_LINT_WARNING, c->node,
		 c->src == LINT_SRC_RID ? "iommu-map" : "iommus",
		 c->src == LINT_SRC_IOMMUS ? dev_name_of(l, c->node, dn, sizeof(dn)) : NULL,
		 "%s: StreamID 0x%llx%s on %s is beyond what the SMMU implements (%u StreamID "
		 "bits%s, highest 0x%llx). %s so the device runs without an IOMMU. Fix: use "
		 "StreamIDs the SMMU implements, or describe the SMMU's real width "
		 "(iommusim,sid-bits).",
		 d, (unsigned long long)(c->src == LINT_SRC_IOMMUS && !io->v3 ? c->id : lo),
		 c->hi > lo && !(c->src == LINT_SRC_IOMMUS && !io->v3) ? " and up" : "", ip,
		 io->sid_bits,
		 io->v3 && io->st_2lvl && io->sid_bits > 8 ? ", 2-level stream table" : "",
		 (unsigned long long)max,
		 io->v3 ? "arm-smmu-v3 fails the probe with -ERANGE (arm_smmu_sid_in_range()),"
			: "arm-smmu logs \"stream ID out of range for SMMU\" (or \"SMR mask out of "
			  "range\") and fails the probe with -EINVAL,");
}

void lint_claims(struct lint *l)
{
	int reach = -1, nr_coll = 0, nr_range = 0;

	if (l->err || !l->nr_claims)
		return;
	qsort(l->claims, (size_t)l->nr_claims, sizeof(*l->claims), claim_cmp);
	for (int i = 0; i < l->nr_claims && !l->err; i++) {
		const struct lint_claim *c = &l->claims[i];
		const struct lint_iommu *io = lint_iommu(l, c->iommu);

		if (!io)
			return;
		if (!io->known || !io->available)
			continue; /* not an SMMU the drivers model, or one Linux never uses */
		check_range(l, c, io, &nr_range);
		if (reach >= 0 && l->claims[reach].iommu != c->iommu)
			reach = -1;
		if (reach >= 0 && c->lo <= l->claims[reach].hi &&
		    l->claims[reach].node != c->node) {
			const struct lint_claim *a = &l->claims[reach];
			bool hit = true;

			/* Two masked specifiers overlap only if they agree outside both masks. */
			/*
			 * Identical masked specifiers share one stream-match entry; any
			 * other overlap is arm_smmu_find_sme()'s business (smr-conflict).
			 */
			if (a->src == LINT_SRC_IOMMUS && c->src == LINT_SRC_IOMMUS && !io->v3)
				hit = a->mask == c->mask && !((a->id ^ c->id) & ~a->mask);
			if (hit && nr_coll++ < MAX_PER_CHECK)
				report_collision(l, a, c, io);
		}
		if (reach < 0 || c->hi > l->claims[reach].hi)
			reach = i;
	}
}

/* ---- per-device checks on the booted machine ------------------------------------------ */

struct dsid {
	int iommu;
	uint32_t sid, mask;
	int dev;   /* add order */
	int order; /* the alias order within the device */
	bool alias;
	uint16_t rid;
	struct ims_device *d;
	struct ims_pci_dev *owner;
};

struct dsids {
	struct dsid *v;
	int nr, cap;
	struct lint *l;
	struct ims_device *d;
	int hb;
};

static void dsid_add(struct dsids *s, const struct dsid *e)
{
	if (s->nr == s->cap) {
		int cap = s->cap ? 2 * s->cap : 64;
		struct dsid *n = realloc(s->v, (size_t)cap * sizeof(*n));

		if (!n) {
			s->l->err = -ENOMEM;
			return;
		}
		s->v = n;
		s->cap = cap;
	}
	s->v[s->nr++] = *e;
}

static int alias_cb(struct ims_pci_dev *owner, uint16_t alias, void *data)
{
	struct dsids *s = data;
	struct dsid e = { 0 };
	uint32_t out = 0;
	int target;

	if (lint_map_id(s->l, s->hb, "iommu-map", "iommu-map-mask", alias, &target, &out) !=
	    LINT_MAPPED)
		return 0;
	e.iommu = target;
	e.sid = out;
	e.dev = s->d->index;
	e.alias = alias != ims_pci_dev_id(s->d->pci);
	e.rid = alias;
	e.d = s->d;
	e.owner = owner;
	e.order = s->nr;
	dsid_add(s, &e);
	return s->nr > (1 << 20);
}

static int dsid_cmp(const void *a, const void *b)
{
	const struct dsid *x = a, *y = b;

	if (x->iommu != y->iommu)
		return x->iommu < y->iommu ? -1 : 1;
	if (x->sid != y->sid)
		return x->sid < y->sid ? -1 : 1;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->order - y->order;
}

static void gather_dsids(struct lint *l, struct dsids *s)
{
	int nr = ims_devcore_nr_devices(l->dc);

	for (int i = 0; i < nr && !l->err; i++) {
		struct ims_device *d = ims_devcore_device(l->dc, i);

		if (!d || d->is_iommu || d->is_host_bridge)
			continue;
		s->d = d;
		if (d->pci) {
			struct ims_pci_host_bridge *b = ims_pci_host_bridge_of(d);

			if (!b || !b->dev)
				continue;
			s->hb = b->dev->of_node;
			ims_pci_for_each_dma_alias(d->pci, alias_cb, s);
		} else if (d->of_node != IMS_OF_NONE) {
			struct spec specs[32];
			char why[256];
			int bad, n = parse_iommus(l, d->of_node, specs, 32, &bad, why, sizeof(why));

			for (int k = 0; k < n && bad < 0; k++) {
				const struct lint_iommu *io = lint_iommu(l, specs[k].iommu);
				struct dsid e = { 0 };

				if (!io || !io->known || specs[k].nc < 1)
					continue;
				e.iommu = specs[k].iommu;
				e.sid = io->v3 ? specs[k].args[0] : specs[k].args[0] & 0xffff;
				e.mask = io->v3 ? 0
						: (specs[k].nc > 1 ? specs[k].args[1] : io->smm) &
							  0xffff;
				e.dev = d->index;
				e.order = k;
				e.d = d;
				dsid_add(s, &e);
			}
		}
	}
}

static void report_alias(struct lint *l, const struct dsid *o, const struct dsid *e, int hb)
{
	char ip[512], what[160], owner[200];

	lint_path(l, e->iommu, ip, sizeof(ip));
	if (o->d == e->d) {
		lint_add(l, "alias-collision", IMS_LINT_ERROR, hb, "iommu-map", e->d->name,
			 "%s: its DMA aliases 0x%04x and 0x%04x (from %s) both translate to "
			 "StreamID 0x%x on %s. arm-smmu-v3 (6.12) rejects the duplicate (\"stream "
			 "%u already in tree\", -EINVAL), so %s runs without an IOMMU "
			 "(dma-direct). Fix: map the aliases to distinct StreamIDs, or avoid the "
			 "aliasing bridge.",
			 e->d->name, o->rid, e->rid, e->owner ? e->owner->dev.name : "?", e->sid,
			 ip, e->sid, e->d->name);
		return;
	}
	if (e->alias)
		snprintf(what, sizeof(what), "DMA alias 0x%04x (from %s)", e->rid,
			 e->owner ? e->owner->dev.name : "?");
	else
		snprintf(what, sizeof(what), "RID 0x%04x", e->rid);
	snprintf(owner, sizeof(owner), "%s 0x%04x", o->alias ? "its DMA alias" : "its RID", o->rid);
	lint_add(l, "alias-collision", IMS_LINT_ERROR, hb, "iommu-map", e->d->name,
		 "%s: its %s translates to StreamID 0x%x on %s, which %s (probed first) already "
		 "uses through %s. arm-smmu-v3 (6.12) logs \"stream %u already in tree\" and "
		 "fails the probe with -EINVAL, so %s runs without an IOMMU (dma-direct) while "
		 "its DMA, arriving with StreamID 0x%x, is translated in the domain of %s. Fix: "
		 "on SMMUv3 no two masters may share a StreamID: give each device behind a "
		 "conventional or PCIe-to-PCI bridge a bridge of its own, or map the buses so "
		 "that no alias lands on another master's StreamID.",
		 e->d->name, what, e->sid, ip, o->d->name, owner, e->sid, e->d->name, e->sid,
		 o->d->name);
}

static void check_aliases(struct lint *l, struct dsids *s)
{
	bool *done = calloc((size_t)ims_devcore_nr_devices(l->dc) + 1, sizeof(bool));
	int nr = 0, ndev = ims_devcore_nr_devices(l->dc);

	if (!done) {
		l->err = -ENOMEM;
		return;
	}
	for (int i = 1; i < s->nr; i++) {
		const struct dsid *o, *e = &s->v[i];
		const struct lint_iommu *io;
		struct ims_pci_host_bridge *b;
		int g = i;

		while (g > 0 && s->v[g - 1].iommu == e->iommu && s->v[g - 1].sid == e->sid)
			g--;
		if (g == i)
			continue;
		o = &s->v[g]; /* the first claimer (probes first) */
		io = lint_iommu(l, e->iommu);
		if (!io || !io->known || !io->v3 || !io->available || !e->d->pci)
			continue;
		if (!e->alias && !o->alias)
			continue; /* two own RIDs: mask-folds or sid-collision */
		if (e->dev < 0 || e->dev > ndev || done[e->dev])
			continue;
		done[e->dev] = true;
		if (nr++ >= MAX_PER_CHECK)
			continue;
		b = ims_pci_host_bridge_of(e->d);
		report_alias(l, o, e, b && b->dev ? b->dev->of_node : IMS_OF_NONE);
	}
	free(done);
}

/* arm_smmu_find_sme() over the devices in probe order, per MMU-500. */
static void check_smrs(struct lint *l, struct dsids *s)
{
	for (int i = 0; i < l->nr_iommus && !l->err; i++) {
		const struct lint_iommu *io = l->iommus[i];
		struct {
			uint32_t id, mask;
		} * smr;
		int nsmr = 0, nr_conf = 0, dev = -1, start = 0, over = 0, iommu = io->node;
		char over_devs[400] = "", ip[512];
		const char *first_over = NULL;
		bool dev_failed = false;

		if (!io->known || io->v3 || !io->available)
			continue;
		smr = malloc(4096 * sizeof(*smr));
		if (!smr) {
			l->err = -ENOMEM;
			return;
		}
		lint_path(l, iommu, ip, sizeof(ip));
		/* s->v is in device order here (gather order). */
		for (int k = 0; k < s->nr; k++) {
			const struct dsid *e = &s->v[k];
			int idx = -2;

			if (e->iommu != iommu)
				continue;
			if (e->dev != dev) {
				dev = e->dev;
				start = nsmr;
				dev_failed = false;
			}
			if (dev_failed)
				continue;
			for (int j = 0; j < nsmr; j++) {
				if ((e->mask & smr[j].mask) == e->mask &&
				    !((e->sid ^ smr[j].id) & ~smr[j].mask)) {
					idx = j;
					break;
				}
				if (!((e->sid ^ smr[j].id) & ~(smr[j].mask | e->mask))) {
					idx = -1;
					if (nr_conf++ < MAX_PER_CHECK)
						lint_add(l, "smr-conflict", IMS_LINT_ERROR,
							 e->d->of_node, e->d->pci ? NULL : "iommus",
							 e->d->name,
							 "%s needs stream match (ID 0x%x, mask "
							 "0x%x) on %s, which partly overlaps the "
							 "entry (ID 0x%x, mask 0x%x) an earlier "
							 "device holds: arm_smmu_find_sme() "
							 "returns -EINVAL, the probe fails and %s "
							 "runs without an IOMMU. Fix: make the "
							 "specifiers disjoint, or one contain the "
							 "other (identical ones share an entry).",
							 e->d->name, e->sid, e->mask, ip, smr[j].id,
							 smr[j].mask, e->d->name);
					break;
				}
			}
			if (idx == -1) {
				nsmr = start; /* the device's entries are unwound */
				dev_failed = true;
				continue;
			}
			if (idx >= 0)
				continue;
			if (nsmr >= (int)io->num_smrg) {
				size_t len = strlen(over_devs);

				if (!first_over)
					first_over = e->d->name;
				if (++over <= 6)
					snprintf(over_devs + len, sizeof(over_devs) - len, "%s%s",
						 len ? ", " : "", e->d->name);
				nsmr = start;
				dev_failed = true;
				continue;
			}
			if (nsmr < 4096) {
				smr[nsmr].id = e->sid;
				smr[nsmr].mask = e->mask;
				nsmr++;
			}
		}
		if (over)
			lint_add(l, "smr-overcommit", IMS_LINT_ERROR, iommu, NULL, first_over,
				 "%s has %u stream-match register groups (NUMSMRG) and they are "
				 "all taken before %d device(s) probe: %s%s. arm_smmu_find_sme() "
				 "returns -ENOSPC, the probe fails and they run without an IOMMU. "
				 "Fix: share entries with masks (stream-match-mask / 2-cell "
				 "specifiers), or map fewer StreamIDs.",
				 ip, io->num_smrg, over, over_devs, over > 6 ? ", ..." : "");
		free(smr);
	}
}

void lint_devices(struct lint *l)
{
	struct dsids s = { .l = l };
	struct dsid *sorted;

	gather_dsids(l, &s);
	if (l->err || !s.nr) {
		free(s.v);
		return;
	}
	check_smrs(l, &s);
	sorted = s.v;
	qsort(sorted, (size_t)s.nr, sizeof(*sorted), dsid_cmp);
	check_aliases(l, &s);
	free(s.v);
}
