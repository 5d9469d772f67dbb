// SPDX-License-Identifier: MIT
/*
 * The IOTLB both SMMU models cache walk results in: set-associative, with
 * LRU replacement inside a set.  A full set evicts one entry; nothing ever
 * flushes the whole cache to make room (the weakness of QEMU's SMMU IOTLB).
 *
 * Geometry and lookup
 *   sets x ways entries.  An entry is tagged (ctx, vmid, asid, iova >>
 *   leaf_shift, leaf_shift); the set index is (vpn + (vpn >> set_bits) +
 *   hash(ctx, vmid)) mod sets, where vpn = iova >> leaf_shift, so a stream of
 *   consecutive pages fills every set evenly while power-of-two strides
 *   still spread.  Entries may be of any leaf size (4K/16K/64K pages,
 *   2M/32M/512M/1G blocks): a bitmap of the sizes present is kept, and a
 *   lookup probes each present size, smallest first.
 *
 * Concurrency
 *   Each set has a sequence counter (a seqlock): writers (insert,
 *   invalidation) take it by moving it from even to odd with a CAS and
 *   release it with the next even value.  Writers store entry words with
 *   release stores, readers load them with acquire loads (plain moves on
 *   x86), so a reader that sees any word of a write in progress also sees
 *   the odd counter when it re-reads it, and retries; no fences are needed
 *   (ThreadSanitizer supports none).  Readers never write the counter.  Every
 *   shared field is a C11 atomic, so lookups never block each other and
 *   there are no data races.  LRU ages and the hit and miss counts are
 *   updated by lookups with relaxed loads and stores (no read-modify-write,
 *   no locked instruction): exact in one thread, approximate when threads
 *   hit the same set at once.  Insert and eviction counts are exact.
 */
#include <stdlib.h>
#include <string.h>

#include "hw/vmsa/iotlb-internal.h"

#define LEAF_SHIFT_MIN 12
#define LEAF_SHIFT_MAX 52

/* Short names for this file. */
#define VA_VALID IOTLB_VA_VALID
#define VA_ANY_ASID IOTLB_VA_ANY_ASID
#define VA_SHIFT_POS IOTLB_VA_SHIFT_POS
#define VA_LOW_MASK IOTLB_VA_LOW_MASK
#define set_hdr iotlb_set_hdr
#define slot iotlb_slot
#define set_at iotlb_set_at
#define set_slots iotlb_slots
#define count iotlb_count
#define make_tag iotlb_make_tag

/* --- the set seqlock ----------------------------------------------------------------------- */

static uint32_t set_lock(struct set_hdr *h)
{
	for (;;) {
		uint32_t s = atomic_load_explicit(&h->seq, memory_order_relaxed);

		if (!(s & 1) &&
		    atomic_compare_exchange_weak_explicit(&h->seq, &s, s + 1, memory_order_acquire,
							  memory_order_relaxed))
			return s;
	}
}

static void set_unlock(struct set_hdr *h, uint32_t s)
{
	atomic_store_explicit(&h->seq, s + 2, memory_order_release);
}

/* --- create / free ------------------------------------------------------------------------- */

IMS_EXPORT int ims_iotlb_new(struct ims_iotlb **out, unsigned int sets, unsigned int ways)
{
	struct ims_iotlb *tlb;
	size_t stride, bytes;

	if (!out || !sets || sets > 65536 || !ims_is_power_of_2(sets) || !ways || ways > 64)
		return -EINVAL;
	tlb = calloc(1, sizeof(*tlb));
	if (!tlb)
		return -ENOMEM;
	/* A power-of-two set size: the set address is a shift, not a multiply. */
	_Static_assert(sizeof(struct iotlb_slot) == 32, "two ways per cache line");
	_Static_assert(sizeof(struct iotlb_set_hdr) == sizeof(struct iotlb_slot),
		       "the ways follow the header at a slot boundary");
	stride = 64;
	while (stride < sizeof(struct set_hdr) + (size_t)ways * (sizeof(struct slot) + 8) +
				sizeof(struct iotlb_ctrs))
		stride <<= 1;
	bytes = stride * sets;
	tlb->sets = aligned_alloc(64, bytes);
	if (!tlb->sets) {
		free(tlb);
		return -ENOMEM;
	}
	memset(tlb->sets, 0, bytes);
	tlb->stride_shift = ims_ilog2(stride);
	tlb->ipa_off = (unsigned int)(sizeof(struct set_hdr) + (size_t)ways * sizeof(struct slot));
	tlb->ctrs_off = tlb->ipa_off + 8 * ways;
	tlb->nsets = sets;
	tlb->ways = ways;
	tlb->set_bits = ims_ilog2(sets);
	tlb->set_mask = sets - 1;
	*out = tlb;
	return 0;
}

IMS_EXPORT void ims_iotlb_free(struct ims_iotlb *tlb)
{
	if (!tlb)
		return;
	free(tlb->sets);
	free(tlb);
}

IMS_EXPORT unsigned int ims_iotlb_capacity(struct ims_iotlb *tlb)
{
	return tlb ? tlb->nsets * tlb->ways : 0;
}

/* --- lookup -------------------------------------------------------------------------------- */

IMS_EXPORT bool ims_iotlb_lookup(struct ims_iotlb *tlb, uint32_t ctx, uint16_t vmid, uint16_t asid,
				 uint64_t iova, struct ims_iotlb_entry *out)
{
	struct iotlb_hit hit;

	if (!iotlb_lookup_inline(tlb, make_tag(ctx, vmid, asid), iova, true, &hit))
		return false;
	out->iova = iova & (~0ULL << hit.leaf_shift);
	out->oa = hit.oa;
	out->ipa = hit.ipa;
	out->ctx = ctx;
	out->vmid = vmid;
	out->asid = (uint16_t)hit.tag;
	out->leaf_shift = (uint8_t)hit.leaf_shift;
	out->flags = (uint8_t)hit.meta;
	out->perm = (uint8_t)(hit.meta >> 8);
	out->level = (uint8_t)(hit.meta >> 16);
	out->granule_shift = (uint8_t)(hit.meta >> 24);
	return true;
}

/* --- insert -------------------------------------------------------------------------------- */

IMS_EXPORT void ims_iotlb_insert(struct ims_iotlb *tlb, const struct ims_iotlb_entry *e)
{
	unsigned int shift = e->leaf_shift, victim;
	int dup = -1, empty = -1, lru = -1;
	uint64_t va, key, tag, bit;
	uint32_t meta;
	uint32_t s, oldest = 0, tick;
	struct set_hdr *h;
	struct slot *sl;

	/* Sizes outside the VMSA's are not cached (the caller walks again). */
	if (shift < LEAF_SHIFT_MIN || shift > LEAF_SHIFT_MAX)
		return;
	va = e->iova & ~((1ULL << shift) - 1);
	key = va | (uint64_t)shift << VA_SHIFT_POS | VA_VALID;
	/* Global entries, and entries with no stage-1 part, match any ASID. */
	if ((e->flags & IMS_IOTLB_GLOBAL) || !(e->flags & IMS_IOTLB_S1))
		key |= VA_ANY_ASID;
	tag = make_tag(e->ctx, e->vmid, e->asid);
	meta = (uint32_t)e->flags | (uint32_t)e->perm << 8 | (uint32_t)e->level << 16 |
	       (uint32_t)e->granule_shift << 24;

	bit = 1ULL << shift;
	if (!(atomic_load_explicit(&tlb->shifts, memory_order_relaxed) & bit))
		atomic_fetch_or_explicit(&tlb->shifts, bit, memory_order_relaxed);

	h = set_at(tlb, iotlb_set_index(tlb, iotlb_salt(tag), e->iova >> shift));
	sl = set_slots(h);
	s = set_lock(h);
	tick = atomic_load_explicit(&h->tick, memory_order_relaxed);
	for (unsigned int w = 0; w < tlb->ways; w++) {
		uint64_t v = atomic_load_explicit(&sl[w].va, memory_order_relaxed);
		uint32_t age;

		if (!(v & VA_VALID)) {
			if (empty < 0)
				empty = (int)w;
			continue;
		}
		/* The same translation again replaces the old copy. */
		if ((v & ~VA_ANY_ASID) == (key & ~VA_ANY_ASID) &&
		    atomic_load_explicit(&sl[w].tag, memory_order_relaxed) == tag) {
			dup = (int)w;
			break;
		}
		age = tick - atomic_load_explicit(&sl[w].age, memory_order_relaxed);
		if (lru < 0 || age > oldest) {
			lru = (int)w;
			oldest = age;
		}
	}
	if (dup >= 0) {
		victim = (unsigned int)dup;
	} else if (empty >= 0) {
		victim = (unsigned int)empty;
		atomic_fetch_add_explicit(&tlb->nvalid, 1, memory_order_relaxed);
	} else {
		/* The set is full: evict its least recently used way, only it. */
		victim = (unsigned int)lru;
		count(&iotlb_ctrs(tlb, h)->evictions);
	}
	atomic_store_explicit(&sl[victim].tag, tag, memory_order_release);
	atomic_store_explicit(&sl[victim].oa, e->oa & ~((1ULL << shift) - 1), memory_order_release);
	atomic_store_explicit(&iotlb_ipas(tlb, h)[victim], e->ipa, memory_order_release);
	atomic_store_explicit(&sl[victim].meta, meta, memory_order_release);
	atomic_store_explicit(&sl[victim].va, key, memory_order_release);
	atomic_store_explicit(&h->tick, tick + 1, memory_order_relaxed);
	atomic_store_explicit(&sl[victim].age, tick + 1, memory_order_relaxed);
	count(&iotlb_ctrs(tlb, h)->inserts);
	set_unlock(h, s);
}

/* --- invalidation -------------------------------------------------------------------------- */

enum inv_kind { INV_ALL, INV_ASID, INV_VA, INV_VMID, INV_IPA };

struct inv_req {
	enum inv_kind kind;
	uint32_t ctx;
	uint16_t vmid, asid;
	bool any_asid, leaf_only;
	unsigned int ttl_level;
	uint64_t start, last; /* inclusive range */
};

static bool overlaps(uint64_t base, unsigned int shift, uint64_t start, uint64_t last)
{
	uint64_t end = base + ((1ULL << shift) - 1);

	return base <= last && start <= end;
}

static bool inv_match(const struct inv_req *r, uint64_t v, uint64_t tag, uint64_t ipa,
		      uint64_t meta)
{
	uint32_t ctx = (uint32_t)(tag >> 32);
	uint16_t vmid = (uint16_t)(tag >> 16), asid = (uint16_t)tag;
	unsigned int flags = (uint8_t)meta, level = (uint8_t)(meta >> 16);
	unsigned int shift = (unsigned int)((v & VA_LOW_MASK) >> VA_SHIFT_POS);

	if (r->ctx != IMS_IOTLB_ANY_CTX && ctx != r->ctx)
		return false;
	switch (r->kind) {
	case INV_ALL:
		return true;
	case INV_VMID:
		return vmid == r->vmid;
	case INV_ASID:
		return vmid == r->vmid && (flags & IMS_IOTLB_S1) && !(flags & IMS_IOTLB_GLOBAL) &&
		       asid == r->asid;
	case INV_VA:
		if (vmid != r->vmid || !(flags & IMS_IOTLB_S1))
			return false;
		if (!r->any_asid && !(flags & IMS_IOTLB_GLOBAL) && asid != r->asid)
			return false;
		/*
		 * Every IOTLB entry is a last-level (leaf) translation -- no
		 * walk is cached here -- so @leaf_only removes the same
		 * entries; the TTL hint narrows to one level.
		 */
		if (r->ttl_level && level != r->ttl_level)
			return false;
		return overlaps(v & ~VA_LOW_MASK, shift, r->start, r->last);
	case INV_IPA:
		if (vmid != r->vmid || !(flags & IMS_IOTLB_S2))
			return false;
		return overlaps(ipa & ~((1ULL << shift) - 1), shift, r->start, r->last);
	}
	return false;
}

/* Remove the entries of one set that @r matches. */
static unsigned int inv_set(struct ims_iotlb *tlb, struct set_hdr *h, const struct inv_req *r)
{
	struct slot *sl = set_slots(h);
	unsigned int n = 0, w;
	uint32_t s;

	/*
	 * A set with no valid way is left alone without taking its lock: an
	 * insert that this look misses is ordered after the invalidation, as
	 * one made after the unlock below would be (an insert never clears a
	 * valid way, it overwrites one in place, its va last).  A whole-context
	 * invalidation (the flush queue's flush_iotlb_all) mostly meets empty
	 * sets: one read-modify-write per set would dominate its cost.
	 */
	for (w = 0; w < tlb->ways; w++)
		if (atomic_load_explicit(&sl[w].va, memory_order_acquire) & VA_VALID)
			break;
	if (w == tlb->ways)
		return 0;
	s = set_lock(h);
	for (w = 0; w < tlb->ways; w++) {
		uint64_t v = atomic_load_explicit(&sl[w].va, memory_order_relaxed);

		if (!(v & VA_VALID))
			continue;
		if (!inv_match(r, v, atomic_load_explicit(&sl[w].tag, memory_order_relaxed),
			       atomic_load_explicit(&iotlb_ipas(tlb, h)[w], memory_order_relaxed),
			       atomic_load_explicit(&sl[w].meta, memory_order_relaxed)))
			continue;
		atomic_store_explicit(&sl[w].va, 0, memory_order_release);
		n++;
	}
	set_unlock(h, s);
	return n;
}

static unsigned int inv_done(struct ims_iotlb *tlb, unsigned int n)
{
	if (n) {
		atomic_fetch_add_explicit(&tlb->invalidated, n, memory_order_relaxed);
		atomic_fetch_sub_explicit(&tlb->nvalid, n, memory_order_relaxed);
	}
	return n;
}

static unsigned int inv_scan(struct ims_iotlb *tlb, const struct inv_req *r)
{
	unsigned int n = 0;

	if (!tlb || !atomic_load_explicit(&tlb->nvalid, memory_order_acquire))
		return 0;
	for (unsigned int i = 0; i < tlb->nsets; i++)
		n += inv_set(tlb, set_at(tlb, i), r);
	return inv_done(tlb, n);
}

/* Probing sets one by one beats a full scan only up to about this many probes. */
#define INV_TARGETED_MAX 64

/*
 * Invalidation by VA of one context: every entry that can overlap the range
 * lives in the set its own (ctx, vmid, vpn) selects, for one of the leaf
 * sizes ever cached, so a short range costs O(sizes x pages) set probes
 * rather than a scan of every set.  The size bitmap only grows, so an
 * entry's size is always in it (a size once dropped from it while its entry
 * survived would hide the entry from this path).
 */
static unsigned int inv_va_targeted(struct ims_iotlb *tlb, const struct inv_req *r)
{
	uint64_t shifts = atomic_load_explicit(&tlb->shifts, memory_order_relaxed), m;
	unsigned int probes = 0, n = 0;

	if (!atomic_load_explicit(&tlb->nvalid, memory_order_acquire))
		return 0;

	for (m = shifts; m; m &= m - 1) {
		unsigned int shift = (unsigned int)__builtin_ctzll(m);

		probes += (unsigned int)IMS_MIN((r->last >> shift) - (r->start >> shift) + 1,
						(uint64_t)INV_TARGETED_MAX + 1);
		if (probes > INV_TARGETED_MAX || probes >= tlb->nsets)
			return inv_scan(tlb, r);
	}
	for (m = shifts; m; m &= m - 1) {
		unsigned int shift = (unsigned int)__builtin_ctzll(m);

		for (uint64_t vpn = r->start >> shift; vpn <= r->last >> shift; vpn++) {
			n += inv_set(
				tlb,
				set_at(tlb,
				       iotlb_set_index(
					       tlb, iotlb_salt(make_tag(r->ctx, r->vmid, 0)), vpn)),
				r);
			if (vpn == UINT64_MAX >> shift)
				break;
		}
	}
	return inv_done(tlb, n);
}

static void set_range(struct inv_req *r, uint64_t start, uint64_t size)
{
	r->start = start;
	/* A zero size names the one address; a range past 2^64 is clipped. */
	r->last = size ? (start + size - 1 < start ? UINT64_MAX : start + size - 1) : start;
}

IMS_EXPORT unsigned int ims_iotlb_inv_all(struct ims_iotlb *tlb, uint32_t ctx)
{
	struct inv_req r = { .kind = INV_ALL, .ctx = ctx };

	/* The size bitmap is left as it is: see inv_va_targeted(). */
	return inv_scan(tlb, &r);
}

IMS_EXPORT unsigned int ims_iotlb_inv_asid(struct ims_iotlb *tlb, uint32_t ctx, uint16_t vmid,
					   uint16_t asid)
{
	struct inv_req r = { .kind = INV_ASID, .ctx = ctx, .vmid = vmid, .asid = asid };

	return inv_scan(tlb, &r);
}

IMS_EXPORT unsigned int ims_iotlb_inv_va(struct ims_iotlb *tlb, uint32_t ctx, uint16_t vmid,
					 uint16_t asid, bool any_asid, uint64_t iova, uint64_t size,
					 bool leaf_only, unsigned int ttl_level)
{
	struct inv_req r = { .kind = INV_VA,
			     .ctx = ctx,
			     .vmid = vmid,
			     .asid = asid,
			     .any_asid = any_asid,
			     .leaf_only = leaf_only,
			     .ttl_level = ttl_level };

	set_range(&r, iova, size);
	if (!tlb)
		return 0;
	if (ctx != IMS_IOTLB_ANY_CTX)
		return inv_va_targeted(tlb, &r);
	return inv_scan(tlb, &r);
}

IMS_EXPORT unsigned int ims_iotlb_inv_vmid(struct ims_iotlb *tlb, uint32_t ctx, uint16_t vmid)
{
	struct inv_req r = { .kind = INV_VMID, .ctx = ctx, .vmid = vmid };

	return inv_scan(tlb, &r);
}

IMS_EXPORT unsigned int ims_iotlb_inv_ipa(struct ims_iotlb *tlb, uint32_t ctx, uint16_t vmid,
					  uint64_t ipa, uint64_t size)
{
	struct inv_req r = { .kind = INV_IPA, .ctx = ctx, .vmid = vmid };

	set_range(&r, ipa, size);
	return inv_scan(tlb, &r);
}

IMS_EXPORT void ims_iotlb_get_stats(struct ims_iotlb *tlb, struct ims_iotlb_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!tlb)
		return;
	for (unsigned int i = 0; i < tlb->nsets; i++) {
		struct set_hdr *h = set_at(tlb, i);

		st->hits += atomic_load_explicit(&h->hits, memory_order_relaxed);
		st->misses += atomic_load_explicit(&h->misses, memory_order_relaxed);
		st->inserts +=
			atomic_load_explicit(&iotlb_ctrs(tlb, h)->inserts, memory_order_relaxed);
		st->evictions +=
			atomic_load_explicit(&iotlb_ctrs(tlb, h)->evictions, memory_order_relaxed);
	}
	st->invalidated = atomic_load_explicit(&tlb->invalidated, memory_order_relaxed);
	st->entries = atomic_load_explicit(&tlb->nvalid, memory_order_relaxed);
}
