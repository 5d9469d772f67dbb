/* SPDX-License-Identifier: MIT */
/*
 * Differential test of the IOTLB against a plain list: random entries of
 * random sizes, contexts, VMIDs, ASIDs and stages, random invalidations of
 * every kind (single-VA ones take the targeted path, wide or any-context
 * ones the full scan), and after each one every key is looked up in both.
 * The TLB is large enough that nothing is evicted.  Seeded: IMS_TEST_SEED.
 */
#include <iommusim/vmsa.h>

#include "../../tap.h"

#define MAXE 256

struct ref {
	struct ims_iotlb_entry e;
	bool live;
};

static struct ref ref[MAXE];
static unsigned int nref;
static uint64_t rng;

static uint64_t rnd(uint64_t n)
{
	return tap_rand(&rng) % n;
}

static uint64_t end_of(const struct ims_iotlb_entry *e)
{
	return e->iova + ((1ULL << e->leaf_shift) - 1);
}

/* The entry the reference would return: the smallest live match. */
static const struct ims_iotlb_entry *ref_lookup(uint32_t ctx, uint16_t vmid, uint16_t asid,
						uint64_t iova)
{
	const struct ims_iotlb_entry *best = NULL;

	for (unsigned int i = 0; i < nref; i++) {
		const struct ims_iotlb_entry *e = &ref[i].e;
		bool any = (e->flags & IMS_IOTLB_GLOBAL) || !(e->flags & IMS_IOTLB_S1);

		if (!ref[i].live || e->ctx != ctx || e->vmid != vmid || (!any && e->asid != asid))
			continue;
		if (iova < e->iova || iova > end_of(e))
			continue;
		if (!best || e->leaf_shift < best->leaf_shift)
			best = e;
	}
	return best;
}

static const unsigned int shifts[] = { 12, 12, 12, 12, 14, 16, 21, 25, 29, 30 };

static void add_entry(struct ims_iotlb *t)
{
	struct ims_iotlb_entry e = { 0 };
	unsigned int shift = shifts[rnd(sizeof(shifts) / sizeof(shifts[0]))];

	e.ctx = (uint32_t)rnd(3);
	e.vmid = (uint16_t)rnd(3);
	e.asid = (uint16_t)rnd(4);
	e.leaf_shift = (uint8_t)shift;
	e.level = shift == 12 || shift == 14 || shift == 16 ? 3 : shift == 30 ? 1 : 2;
	e.granule_shift = 12;
	e.iova = (rnd(1ULL << 24) << 12) & ~((1ULL << shift) - 1);
	e.ipa = (rnd(1ULL << 24) << 12) & ~((1ULL << shift) - 1);
	e.oa = tap_rand(&rng) & 0x0000fffffffff000ULL & ~((1ULL << shift) - 1);
	switch (rnd(4)) {
	case 0:
		e.flags = IMS_IOTLB_S2;
		break;
	case 1:
		e.flags = IMS_IOTLB_S1 | IMS_IOTLB_S2;
		break;
	default:
		e.flags = IMS_IOTLB_S1;
	}
	if ((e.flags & IMS_IOTLB_S1) && rnd(4) == 0)
		e.flags |= IMS_IOTLB_GLOBAL;
	/* Keep lookups unambiguous: one entry per (ctx, vmid, leaf). */
	for (unsigned int i = 0; i < nref; i++)
		if (ref[i].live && ref[i].e.ctx == e.ctx && ref[i].e.vmid == e.vmid &&
		    ref[i].e.leaf_shift == e.leaf_shift && ref[i].e.iova == e.iova)
			return;
	if (nref == MAXE)
		return;
	ref[nref].e = e;
	ref[nref++].live = true;
	ims_iotlb_insert(t, &e);
}

/* The reference predicate, written out per kind. */
enum kind { K_ALL, K_ASID, K_VA, K_VMID, K_IPA };

struct inv {
	enum kind kind;
	uint32_t ctx;
	uint16_t vmid, asid;
	bool any_asid, leaf_only;
	unsigned int ttl;
	uint64_t addr, size;
};

static bool ref_match(const struct inv *v, const struct ims_iotlb_entry *e)
{
	uint64_t last = v->size ? v->addr + v->size - 1 : v->addr;

	if (v->ctx != IMS_IOTLB_ANY_CTX && v->ctx != e->ctx)
		return false;
	switch (v->kind) {
	case K_ALL:
		return true;
	case K_VMID:
		return e->vmid == v->vmid;
	case K_ASID:
		return e->vmid == v->vmid && (e->flags & IMS_IOTLB_S1) &&
		       !(e->flags & IMS_IOTLB_GLOBAL) && e->asid == v->asid;
	case K_VA:
		return e->vmid == v->vmid && (e->flags & IMS_IOTLB_S1) &&
		       (v->any_asid || (e->flags & IMS_IOTLB_GLOBAL) || e->asid == v->asid) &&
		       (!v->ttl || e->level == v->ttl) && e->iova <= last && v->addr <= end_of(e);
	case K_IPA:
		return e->vmid == v->vmid && (e->flags & IMS_IOTLB_S2) && e->ipa <= last &&
		       v->addr <= e->ipa + ((1ULL << e->leaf_shift) - 1);
	}
	return false;
}

static unsigned int do_inv(struct ims_iotlb *t, const struct inv *v)
{
	switch (v->kind) {
	case K_ALL:
		return ims_iotlb_inv_all(t, v->ctx);
	case K_ASID:
		return ims_iotlb_inv_asid(t, v->ctx, v->vmid, v->asid);
	case K_VA:
		return ims_iotlb_inv_va(t, v->ctx, v->vmid, v->asid, v->any_asid, v->addr, v->size,
					v->leaf_only, v->ttl);
	case K_VMID:
		return ims_iotlb_inv_vmid(t, v->ctx, v->vmid);
	case K_IPA:
		return ims_iotlb_inv_ipa(t, v->ctx, v->vmid, v->addr, v->size);
	}
	return 0;
}

static struct inv rand_inv(void)
{
	struct inv v = { 0 };
	unsigned int k = (unsigned int)rnd(16);

	v.kind = k < 9 ? K_VA : k < 11 ? K_ASID : k < 13 ? K_IPA : k < 15 ? K_VMID : K_ALL;
	v.ctx = rnd(5) == 0 ? IMS_IOTLB_ANY_CTX : (uint32_t)rnd(3);
	v.vmid = (uint16_t)rnd(3);
	v.asid = (uint16_t)rnd(4);
	v.any_asid = rnd(3) == 0;
	v.leaf_only = rnd(2);
	v.ttl = rnd(3) == 0 ? (unsigned int)rnd(4) : 0;
	/* Mostly near an existing entry, with sizes from a page to a wide range. */
	if (nref && rnd(4)) {
		const struct ims_iotlb_entry *e = &ref[rnd(nref)].e;

		v.addr = (v.kind == K_IPA ? e->ipa : e->iova) +
			 (rnd(1ULL << e->leaf_shift) & ~0xfffULL);
		/* Usually aim at that entry's own context, VMID and ASID. */
		if (v.ctx != IMS_IOTLB_ANY_CTX && rnd(4))
			v.ctx = e->ctx;
		if (rnd(4))
			v.vmid = e->vmid;
		if (rnd(2))
			v.asid = e->asid;
	} else {
		v.addr = rnd(1ULL << 24) << 12;
	}
	v.size = rnd(8) == 0 ? rnd(1ULL << 34) : (rnd(4) + 1) << 12;
	if (rnd(16) == 0)
		v.size = 0;
	return v;
}

int main(void)
{
	struct ims_iotlb *t;
	struct ims_iotlb_stats st;
	unsigned int bad_count = 0, bad_lookup = 0, removed = 0, rounds = 0, looked = 0;

	rng = tap_seed(0x1071b);
	if (ims_iotlb_new(&t, 64, 64)) {
		ok(0, "iotlb");
		return tap_done();
	}
	for (int round = 0; round < 300; round++) {
		struct inv v;
		unsigned int want = 0, got;

		for (int i = 0; i < 12; i++)
			add_entry(t);
		v = rand_inv();
		for (unsigned int i = 0; i < nref; i++)
			if (ref[i].live && ref_match(&v, &ref[i].e)) {
				ref[i].live = false;
				want++;
			}
		got = do_inv(t, &v);
		rounds++;
		removed += want;
		if (got != want && bad_count++ < 3)
			diag("round %d kind %d ctx %u vmid %u asid %u any %d ttl %u addr 0x%llx "
			     "size "
			     "0x%llx: removed %u, want %u",
			     round, v.kind, v.ctx, v.vmid, v.asid, v.any_asid, v.ttl,
			     (unsigned long long)v.addr, (unsigned long long)v.size, got, want);
		/* Every key, live or not, looks up the same in both. */
		for (unsigned int i = 0; i < nref; i++) {
			const struct ims_iotlb_entry *k = &ref[i].e;
			const struct ims_iotlb_entry *r;
			struct ims_iotlb_entry o;
			bool hit;

			for (uint16_t asid = 0; asid < 4; asid++) {
				uint64_t iova =
					k->iova + (tap_rand(&rng) & ((1ULL << k->leaf_shift) - 1));

				r = ref_lookup(k->ctx, k->vmid, asid, iova);
				hit = ims_iotlb_lookup(t, k->ctx, k->vmid, asid, iova, &o);
				looked++;
				if (hit != (r != NULL) ||
				    (hit && (o.oa != r->oa || o.iova != r->iova))) {
					if (bad_lookup++ < 3)
						diag("round %d: lookup ctx %u vmid %u asid %u "
						     "0x%llx: "
						     "hit %d, want %d",
						     round, k->ctx, k->vmid, asid,
						     (unsigned long long)iova, hit, r != NULL);
				}
			}
		}
		/* Drop dead entries from the reference now and then, to keep it small. */
		if (nref > MAXE - 16) {
			unsigned int j = 0;

			for (unsigned int i = 0; i < nref; i++)
				if (ref[i].live)
					ref[j++] = ref[i];
			nref = j;
		}
	}
	ims_iotlb_get_stats(t, &st);
	is_int(st.evictions, 0, "nothing was evicted (the comparison assumes it)");
	is_int(bad_count, 0,
	       "every invalidation removed what the reference removed (%u rounds, %u "
	       "removed)",
	       rounds, removed);
	is_int(bad_lookup, 0, "every lookup agreed with the reference (%u lookups)", looked);
	ok(removed > rounds, "the invalidations removed entries (%u)", removed);
	is_int(st.invalidated, removed, "the invalidated counter agrees");
	ims_iotlb_free(t);
	return tap_done();
}
