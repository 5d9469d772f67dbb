/* SPDX-License-Identifier: MIT */
/*
 * The owner's side of the IOVA range caches (rcache.c), inline for callers in
 * other modules: dma-iommu's one-granule common path pops and pushes one pfn
 * of this thread's loaded magazine of one-granule IOVAs without a call, and
 * falls back to ims_iova_alloc_fast()/ims_iova_free_fast() (same results)
 * whenever the inline case does not apply.
 */
#ifndef IMS_IOVA_FAST_H
#define IMS_IOVA_FAST_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iommusim/iova.h"
#include "util/compiler.h"

/*
 * struct iova_magazine: 1024 bytes, the size shares its slot with the depot
 * link.  While a magazine is a thread's loaded or prev one its fill count is
 * kept in the thread's slot instead (one load fewer on the hot path); depot
 * magazines are always full.
 */
struct iova_magazine {
	union {
		uint64_t size;
		struct iova_magazine *next;
	};
	uint64_t pfns[IMS_IOVA_MAG_SIZE];
};

/*
 * One thread's caches (struct iova_cpu_rcache for all six size classes).
 * The owner enters with a plain store to @busy and a look at @steal; another
 * thread that must reach in takes @lock, raises @steal, runs membarrier() and
 * waits for @busy to drop (an asymmetric Dekker handshake).  Without
 * membarrier(), or for the shared slot, everyone takes @lock.
 *
 * The first cache line holds all the owner's fast path reads and writes:
 * @busy, @steal and, per size class, the loaded magazine and its fill count.
 */
struct iova_thread_rcache {
	atomic_uchar busy;				 /* the owner is inside an operation */
	atomic_uchar steal;				 /* another thread holds the slot */
	uint16_t nloaded[IMS_IOVA_RANGE_CACHE_MAX_SIZE]; /* fill counts, kept here */
	struct iova_magazine *loaded[IMS_IOVA_RANGE_CACHE_MAX_SIZE];
	/* Below: the slow paths only. */
	atomic_int lock;
	bool fast;	 /* the owner may use the busy/steal handshake */
	bool ready;	 /* magazines allocated */
	uintptr_t owner; /* identifies the owning thread; 0 while unclaimed */
	uint16_t nprev[IMS_IOVA_RANGE_CACHE_MAX_SIZE];
	struct iova_magazine *prev[IMS_IOVA_RANGE_CACHE_MAX_SIZE];
} __attribute__((aligned(128)));

_Static_assert(offsetof(struct iova_thread_rcache, lock) <= 64,
	       "the owner's fast path fields fit one cache line");

/* Tags a thread-local entry whose slot must be locked (no fast path). */
#define IOVA_TL_LOCKED (1ULL << 63)

/*
 * This thread's slot in a domain.  @tag is the domain's uid (never reused, so
 * an entry left by a destroyed domain never matches), with IOVA_TL_LOCKED set
 * when the slot has no lock-free fast path.
 */
struct iova_tl_slot {
	uint64_t tag;
	struct iova_thread_rcache *slot;
};

/*
 * The entry this thread used last (rcache.c).  initial-exec: no
 * __tls_get_addr call from the shared library on the hot path.
 */
extern _Thread_local struct iova_tl_slot ims_iova_tl_last
	__attribute__((tls_model("initial-exec")));

/*
 * The owner's side of the handshake: a plain store and a load.  False when
 * another thread holds the slot; the caller then takes the locked path.
 */
static inline bool iova_owner_try_enter(struct iova_thread_rcache *s)
{
	atomic_store_explicit(&s->busy, 1, memory_order_relaxed);
	/* membarrier() on the other side orders this store before the load. */
	atomic_signal_fence(memory_order_seq_cst);
	if (likely(!atomic_load_explicit(&s->steal, memory_order_acquire)))
		return true;
	atomic_store_explicit(&s->busy, 0, memory_order_release);
	return false;
}

static inline void iova_owner_leave(struct iova_thread_rcache *s)
{
	atomic_store_explicit(&s->busy, 0, memory_order_release);
}

/* The domain's uid, which names it to this thread's slot lookup (never reused). */
uint64_t ims_iova_domain_uid(const struct ims_iova_domain *iovad);

/*
 * struct iova_fq_entry (in include/linux/iova.h until the flush queue moved
 * to dma-iommu): a range queued by a flush queue, and the flush counter it
 * waits for (the flush queue's; not used here).
 */
struct ims_iova_fq_entry {
	uint64_t iova_pfn;
	uint64_t pages;
	uint64_t counter;
};

/*
 * free_iova_fast() of the @n ranges at @e, in order: the same results as @n
 * calls of ims_iova_free_fast(), with this thread's slot entered once.
 */
void ims_iova_free_fast_n(struct ims_iova_domain *iovad, const struct ims_iova_fq_entry *e,
			  size_t n);

/*
 * The owner's pop from this thread's loaded magazine of size class @k
 * (ranges of @size granules, the class size), for the domain whose uid is
 * @uid: true with the pfn in *@pfn, or false with nothing done when the
 * inline case does not apply (another domain used last, a locked slot, an
 * empty magazine, a top pfn outside iova_magazine_pop()'s bound).
 */
static inline __attribute__((always_inline)) bool
iova_rcache_pop_inline(uint64_t uid, unsigned int k, uint64_t size, uint64_t limit_pfn,
		       uint64_t *pfn)
{
	struct iova_thread_rcache *s;
	unsigned int top;

	if (unlikely(ims_iova_tl_last.tag != uid))
		return false;
	s = ims_iova_tl_last.slot;
	if (unlikely(!iova_owner_try_enter(s)))
		return false;
	top = s->nloaded[k] - 1u; /* UINT_MAX when the magazine is empty */
	if (likely(top < IMS_IOVA_MAG_SIZE)) {
		/*
		 * iova_magazine_pop() takes the topmost pfn at or below the
		 * kernel's bound, limit_pfn + 1 - size (unsigned; it wraps
		 * for a limit below the size); usually that is the top one.
		 * pfn + size <= limit_pfn + 1 says the same when there is no
		 * wrap; otherwise, and for a limit_pfn of IMS_IOVA_ANCHOR
		 * (refused), it fails and the caller's slow path decides.
		 */
		*pfn = s->loaded[k]->pfns[top];
		if (likely(*pfn + size <= limit_pfn + 1)) {
			s->nloaded[k] = (uint16_t)top;
			iova_owner_leave(s);
			return true;
		}
	}
	iova_owner_leave(s);
	return false;
}

/* The owner's push of @pfn onto the loaded magazine of class @k (as iova_rcache_pop_inline()). */
static inline __attribute__((always_inline)) bool
iova_rcache_push_inline(uint64_t uid, unsigned int k, uint64_t pfn)
{
	struct iova_thread_rcache *s;
	unsigned int n;

	if (unlikely(ims_iova_tl_last.tag != uid))
		return false;
	s = ims_iova_tl_last.slot;
	if (unlikely(!iova_owner_try_enter(s)))
		return false;
	n = s->nloaded[k];
	if (likely(n < IMS_IOVA_MAG_SIZE)) {
		s->loaded[k]->pfns[n] = pfn;
		s->nloaded[k] = (uint16_t)(n + 1);
	}
	iova_owner_leave(s);
	return n < IMS_IOVA_MAG_SIZE;
}

/*
 * alloc_iova_fast(iovad, 1, @limit_pfn, ...) served from this thread's
 * loaded magazine of one-granule IOVAs, for the domain whose uid is @uid:
 * true with the pfn in *@pfn, or false with nothing done when this case does
 * not apply; ims_iova_alloc_fast() then gives the answer.
 */
static inline __attribute__((always_inline)) bool ims_iova_pop1(uint64_t uid, uint64_t limit_pfn,
								uint64_t *pfn)
{
	return iova_rcache_pop_inline(uid, 0, 1, limit_pfn, pfn);
}

/*
 * free_iova_fast(iovad, @pfn, 1) into this thread's loaded magazine of
 * one-granule IOVAs (as ims_iova_pop1()): false with nothing done when this
 * case does not apply (the magazine is full, ...); ims_iova_free_fast() then
 * does it.
 */
static inline __attribute__((always_inline)) bool ims_iova_push1(uint64_t uid, uint64_t pfn)
{
	return iova_rcache_push_inline(uid, 0, pfn);
}

#endif
