/* SPDX-License-Identifier: MIT */
/*
 * IOTLB internals (see iotlb.c for the design), shared with the models' hot
 * paths so that an IOTLB hit inlines into their translate entry points
 * rather than paying for a call and a copy of the whole entry.
 */
#ifndef IMS_HW_VMSA_IOTLB_INTERNAL_H
#define IMS_HW_VMSA_IOTLB_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/compiler.h"
#include <iommusim/vmsa.h>

/* iotlb_slot.va: the tag word compared on lookup. */
#define IOTLB_VA_VALID 0x1ULL
#define IOTLB_VA_ANY_ASID 0x2ULL /* global, or no stage-1 component */
#define IOTLB_VA_SHIFT_POS 4	 /* leaf_shift in bits [9:4] */
#define IOTLB_VA_LOW_MASK 0x3ffULL

/*
 * One way: 32 bytes, so two ways share a cache line and a hit reads one line
 * of its set besides the header.  The IPA (needed only by TLBI by IPA and by
 * ims_iotlb_lookup()) lives in a parallel array after the ways.
 */
struct iotlb_slot {
	_Atomic uint64_t va;   /* iova | leaf_shift << 4 | VA_ANY_ASID | VA_VALID */
	_Atomic uint64_t tag;  /* ctx << 32 | vmid << 16 | asid */
	_Atomic uint64_t oa;   /* output address, aligned */
	_Atomic uint32_t meta; /* flags | perm << 8 | level << 16 | granule_shift << 24 */
	_Atomic uint32_t age;  /* the set's tick at the last use */
};

/*
 * A set: this header (padded to one slot), the ways, their IPAs, then the
 * counters -- kept off the lines a hit reads, except the hit count.
 */
struct iotlb_set_hdr {
	_Atomic uint32_t seq;  /* even: stable; odd: a writer holds the set */
	_Atomic uint32_t tick; /* LRU clock of this set */
	_Atomic uint64_t hits; /* lookups: relaxed load + store (approximate under races) */
	_Atomic uint64_t misses;
	uint64_t pad;
};

struct iotlb_ctrs {
	_Atomic uint64_t inserts, evictions; /* under the set lock: exact */
};

struct ims_iotlb {
	uint8_t *sets; /* nsets blocks of 1 << stride_shift bytes */
	unsigned int stride_shift;
	unsigned int nsets, ways, set_bits;
	uint64_t set_mask;		/* nsets - 1 */
	unsigned int ipa_off, ctrs_off; /* offsets in a set block */
	_Atomic uint64_t shifts;	/* bit n: entries of leaf_shift n may be present */
	_Atomic uint64_t invalidated;
	/*
	 * Valid entries, changed under the set lock with the entry: a scan that
	 * reads 0 has nothing to invalidate (an insert it misses is ordered
	 * after it), so a flush of an empty IOTLB visits no set.
	 */
	_Atomic uint64_t nvalid;
};

/* What a hit yields to a model's fast path. */
struct iotlb_hit {
	uint64_t oa; /* of the aligned iova */
	uint64_t ipa;
	uint64_t tag;
	unsigned int leaf_shift;
	uint32_t meta;
};

static inline struct iotlb_set_hdr *iotlb_set_at(const struct ims_iotlb *tlb, uint64_t idx)
{
	return (struct iotlb_set_hdr *)(void *)(tlb->sets + (idx << tlb->stride_shift));
}

static inline struct iotlb_slot *iotlb_slots(struct iotlb_set_hdr *h)
{
	return (struct iotlb_slot *)(void *)(h + 1);
}

static inline _Atomic uint64_t *iotlb_ipas(const struct ims_iotlb *tlb, struct iotlb_set_hdr *h)
{
	return (_Atomic uint64_t *)(void *)((uint8_t *)h + tlb->ipa_off);
}

static inline struct iotlb_ctrs *iotlb_ctrs(const struct ims_iotlb *tlb, struct iotlb_set_hdr *h)
{
	return (struct iotlb_ctrs *)(void *)((uint8_t *)h + tlb->ctrs_off);
}

/* An increment by relaxed load and store (no locked instruction): exact in one thread. */
static inline void iotlb_count(_Atomic uint64_t *c)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
			      memory_order_relaxed);
}

static inline uint64_t iotlb_make_tag(uint32_t ctx, uint16_t vmid, uint16_t asid)
{
	return (uint64_t)ctx << 32 | (uint64_t)vmid << 16 | asid;
}

/* The per-context part of the set index, from the tag's (ctx, vmid) bits. */
static inline uint64_t iotlb_salt(uint64_t tag)
{
	return ((tag >> 16) * 0x9E3779B97F4A7C15ULL) >> 40;
}

/*
 * (vpn + (vpn >> set_bits) + salt) mod sets: consecutive pages fill every
 * set evenly, power-of-two strides still spread, and contexts (VMIDs) are
 * spread apart.
 */
static inline uint64_t iotlb_set_index(const struct ims_iotlb *tlb, uint64_t salt, uint64_t vpn)
{
	return (vpn + (vpn >> tlb->set_bits) + salt) & tlb->set_mask;
}

/*
 * Probe the set of (leaf_shift @shift, @iova) for an entry matching @tag (its
 * ASID ignored for global entries).  A seqlock read: the words of a hit are
 * read with acquire loads between two reads of the set's sequence, and the
 * hit counts only when the sequence did not move.  @want_ipa: read the IPA
 * too (a constant at every call site, so the fast path never loads it).
 */
static inline __attribute__((always_inline)) bool
iotlb_probe(struct ims_iotlb *tlb, uint64_t tag, uint64_t salt, uint64_t iova, unsigned int shift,
	    bool want_ipa, struct iotlb_hit *out, struct iotlb_set_hdr **last)
{
	uint64_t key =
		(iova & (~0ULL << shift)) | (uint64_t)shift << IOTLB_VA_SHIFT_POS | IOTLB_VA_VALID;
	struct iotlb_set_hdr *h = iotlb_set_at(tlb, iotlb_set_index(tlb, salt, iova >> shift));
	struct iotlb_slot *sl = iotlb_slots(h);
	unsigned int ways = tlb->ways;

	*last = h;
	for (;;) {
		uint32_t s = atomic_load_explicit(&h->seq, memory_order_acquire), t;
		uint64_t v, etag = 0, oa, ipa = 0;
		unsigned int w;
		uint32_t meta;

		if (unlikely(s & 1))
			continue; /* a writer holds the set: wait for it */
		for (w = 0; w < ways; w++) {
			v = atomic_load_explicit(&sl[w].va, memory_order_acquire);
			if ((v & ~IOTLB_VA_ANY_ASID) != key)
				continue;
			etag = atomic_load_explicit(&sl[w].tag, memory_order_acquire);
			if (likely(etag == tag) ||
			    ((v & IOTLB_VA_ANY_ASID) && !((etag ^ tag) >> 16)))
				break;
		}
		/*
		 * A miss needs no validation: writers change one way at a
		 * time, so an entry present throughout was seen.
		 */
		if (w == ways)
			return false;
		oa = atomic_load_explicit(&sl[w].oa, memory_order_acquire);
		meta = atomic_load_explicit(&sl[w].meta, memory_order_acquire);
		if (want_ipa)
			ipa = atomic_load_explicit(&iotlb_ipas(tlb, h)[w], memory_order_acquire);
		if (unlikely(atomic_load_explicit(&h->seq, memory_order_relaxed) != s))
			continue;
		out->oa = oa;
		out->ipa = ipa;
		out->tag = etag;
		out->leaf_shift = shift;
		out->meta = meta;
		/* LRU: the way becomes the set's newest (no store when it already is). */
		t = atomic_load_explicit(&h->tick, memory_order_relaxed);
		if (atomic_load_explicit(&sl[w].age, memory_order_relaxed) != t) {
			atomic_store_explicit(&h->tick, t + 1, memory_order_relaxed);
			atomic_store_explicit(&sl[w].age, t + 1, memory_order_relaxed);
		}
		iotlb_count(&h->hits);
		return true;
	}
}

/*
 * Look @iova up at every leaf size present, smallest first; count a miss in
 * the last set probed.  @salt: iotlb_salt(@tag), which a caller may keep.
 */
static inline __attribute__((always_inline)) bool iotlb_lookup_salted(struct ims_iotlb *tlb,
								      uint64_t tag, uint64_t salt,
								      uint64_t iova, bool want_ipa,
								      struct iotlb_hit *out)
{
	uint64_t shifts = atomic_load_explicit(&tlb->shifts, memory_order_relaxed);
	struct iotlb_set_hdr *last = iotlb_set_at(tlb, 0);

	while (shifts) {
		unsigned int shift = (unsigned int)__builtin_ctzll(shifts);

		if (iotlb_probe(tlb, tag, salt, iova, shift, want_ipa, out, &last))
			return true;
		shifts &= shifts - 1;
	}
	iotlb_count(&last->misses);
	return false;
}

static inline __attribute__((always_inline)) bool iotlb_lookup_inline(struct ims_iotlb *tlb,
								      uint64_t tag, uint64_t iova,
								      bool want_ipa,
								      struct iotlb_hit *out)
{
	return iotlb_lookup_salted(tlb, tag, iotlb_salt(tag), iova, want_ipa, out);
}

#endif
