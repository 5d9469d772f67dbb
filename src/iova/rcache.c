/* SPDX-License-Identifier: MIT */
/*
 * The IOVA range caches ("rcaches") of Linux 6.12 drivers/iommu/iova.c, per
 * thread instead of per CPU.
 *
 * Six size classes (1, 2, 4, 8, 16, 32 granules).  Each thread that uses a
 * domain claims a slot holding, per class, a "loaded" and a "prev" magazine
 * of IOVA_MAG_SIZE pfns; full magazines overflow to the class's depot, a
 * linked list.  The first IMS_IOVA_MAX_THREADS threads get a slot of their
 * own; later ones share one more slot.  Each slot has a lock, as each
 * per-CPU cache has in the kernel, because flushes reach into other slots.
 * Where membarrier() is available the owner skips it (the busy/steal
 * handshake), and the common alloc/free is an inline fast path with no
 * atomic read-modify-write.  The 100 ms depot reclaim work runs only when
 * ims_iova_depot_reclaim() is called.
 */
#include <linux/membarrier.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "iova-internal.h"
#include "util/compiler.h"
#include "util/log.h"

#define IOVA_SHARED_SLOT IMS_IOVA_MAX_THREADS
#define IOVA_TL_WAYS 8
/*
 * This thread's slot in up to IOVA_TL_WAYS domains (struct iova_tl_slot).
 * ims_iova_tl_last repeats the entry used last: the fast paths compare its
 * tag and nothing else; the table behind it serves threads that switch
 * between domains.
 */
static _Thread_local struct iova_tl_slot iova_tl[IOVA_TL_WAYS]
	__attribute__((tls_model("initial-exec")));
_Thread_local struct iova_tl_slot ims_iova_tl_last __attribute__((tls_model("initial-exec")));

static inline void slot_lock(struct iova_thread_rcache *s)
{
	iova_spin_lock(&s->lock);
}

static inline void slot_unlock(struct iova_thread_rcache *s)
{
	iova_spin_unlock(&s->lock);
}

/* The slow paths' entry: the handshake when the slot allows it, else the lock. */
static bool owner_enter(struct iova_thread_rcache *s)
{
	if (s->fast && iova_owner_try_enter(s))
		return true;
	slot_lock(s);
	return false;
}

static void owner_exit(struct iova_thread_rcache *s, bool fast)
{
	if (fast)
		iova_owner_leave(s);
	else
		slot_unlock(s);
}

static int iova_membarrier(int cmd)
{
	return (int)syscall(__NR_membarrier, cmd, 0, 0);
}

/* Another thread (or the owner, between operations) takes the slot. */
static void remote_lock(struct iova_thread_rcache *s)
{
	slot_lock(s);
	if (s->fast) {
		atomic_store_explicit(&s->steal, 1, memory_order_relaxed);
		iova_membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED);
		while (atomic_load_explicit(&s->busy, memory_order_acquire))
			sched_yield();
	}
}

static void remote_unlock(struct iova_thread_rcache *s)
{
	if (s->fast)
		atomic_store_explicit(&s->steal, 0, memory_order_release);
	slot_unlock(s);
}

/* order_base_2() with one count of leading zeros (0 for a size of 0 or 1). */
static inline unsigned int order_base_2(uint64_t size)
{
	return size ? 63u - (unsigned int)__builtin_clzll(((size - 1) << 1) | 1) : 0u;
}

static struct iova_magazine *iova_magazine_alloc(void)
{
	return calloc(1, sizeof(struct iova_magazine));
}

/* iova_magazine_free_pfns(): give @n pfns back to the tree. */
static void iova_magazine_free_pfns(const uint64_t *pfns, uint64_t n, struct ims_iova_domain *iovad)
{
	iova_spin_lock(&iovad->lock);
	for (uint64_t i = 0; i < n; i++)
		iova_remove_pfn_locked(iovad, pfns[i]);
	iova_spin_unlock(&iovad->lock);
}

/* iova_magazine_pop(): the topmost pfn <= @limit_pfn, swap-removed; 0 if none. */
static inline uint64_t iova_magazine_pop(struct iova_magazine *mag, uint16_t *size,
					 uint64_t limit_pfn)
{
	uint64_t i, pfn;

	for (i = *size - 1; mag->pfns[i] > limit_pfn; i--)
		if (i == 0)
			return 0;
	pfn = mag->pfns[i];
	mag->pfns[i] = mag->pfns[--*size];
	return pfn;
}

static struct iova_magazine *iova_depot_pop(struct iova_rcache *rcache)
{
	struct iova_magazine *mag = rcache->depot;

	rcache->depot = mag->next;
	rcache->depot_size--;
	return mag;
}

static void iova_depot_push(struct iova_rcache *rcache, struct iova_magazine *mag)
{
	mag->next = rcache->depot;
	rcache->depot = mag;
	rcache->depot_size++;
}

static bool slot_init(struct iova_thread_rcache *s)
{
	for (int i = 0; i < IMS_IOVA_RANGE_CACHE_MAX_SIZE; i++) {
		s->loaded[i] = iova_magazine_alloc();
		s->prev[i] = iova_magazine_alloc();
		if (!s->loaded[i] || !s->prev[i])
			return false;
	}
	s->ready = true;
	return true;
}

static struct iova_thread_rcache *claim_slot(struct ims_iova_domain *iovad, struct iova_tl_slot *tl)
{
	uintptr_t key = (uintptr_t)(void *)&iova_tl[0];
	struct iova_thread_rcache *s = NULL;
	unsigned int n, i;

	pthread_mutex_lock(&iovad->slot_lock);
	n = atomic_load_explicit(&iovad->nr_slots, memory_order_relaxed);
	for (i = 0; i < n; i++)
		if (iovad->slots[i].owner == key)
			s = &iovad->slots[i];
	if (!s && n < IMS_IOVA_MAX_THREADS) {
		s = &iovad->slots[n];
		s->owner = key;
		slot_init(s); /* a slot without magazines only ever misses */
		s->fast = iovad->membarrier_ok && s->ready;
		atomic_store_explicit(&iovad->nr_slots, n + 1, memory_order_release);
	}
	if (!s) {
		s = &iovad->slots[IOVA_SHARED_SLOT];
		s->owner = 1; /* marks the shared slot as in use */
	}
	pthread_mutex_unlock(&iovad->slot_lock);
	tl->tag = iovad->uid | (s->fast ? 0 : IOVA_TL_LOCKED);
	tl->slot = s;
	return s;
}

static inline struct iova_tl_slot *tl_entry(const struct ims_iova_domain *iovad)
{
	return &iova_tl[iovad->uid & (IOVA_TL_WAYS - 1)];
}

/* This thread's slot, claimed on first use; fast or locked. */
static struct iova_thread_rcache *this_slot(struct ims_iova_domain *iovad)
{
	struct iova_tl_slot *tl = tl_entry(iovad);

	if ((tl->tag & ~IOVA_TL_LOCKED) != iovad->uid)
		claim_slot(iovad, tl);
	ims_iova_tl_last = *tl;
	return tl->slot;
}

/* The loaded magazine is full: swap in prev, or push loaded to the depot. */
static __attribute__((noinline)) bool
rcache_make_room(struct ims_iova_domain *iovad, struct iova_thread_rcache *s, unsigned int log_size)
{
	struct iova_rcache *rcache = &iovad->rcaches[log_size];
	struct iova_magazine *mag;

	if (s->nprev[log_size] < IMS_IOVA_MAG_SIZE) {
		mag = s->prev[log_size];
		s->prev[log_size] = s->loaded[log_size];
		s->loaded[log_size] = mag;
		s->nprev[log_size] = s->nloaded[log_size];
		s->nloaded[log_size] = 0;
		return true;
	}
	mag = iova_magazine_alloc();
	if (!mag)
		return false;
	pthread_mutex_lock(&rcache->lock);
	iova_depot_push(rcache, s->loaded[log_size]);
	pthread_mutex_unlock(&rcache->lock);
	s->loaded[log_size] = mag;
	s->nloaded[log_size] = 0;
	return true;
}

/* The loaded magazine is empty: swap in prev, or take a full one from the depot. */
static __attribute__((noinline)) bool
rcache_refill(struct ims_iova_domain *iovad, struct iova_thread_rcache *s, unsigned int log_size)
{
	struct iova_rcache *rcache = &iovad->rcaches[log_size];
	struct iova_magazine *mag;
	bool has_pfn = false;

	if (s->nprev[log_size]) {
		mag = s->prev[log_size];
		s->prev[log_size] = s->loaded[log_size];
		s->loaded[log_size] = mag;
		s->nloaded[log_size] = s->nprev[log_size];
		s->nprev[log_size] = 0;
		return true;
	}
	pthread_mutex_lock(&rcache->lock);
	if (rcache->depot) {
		free(s->loaded[log_size]);
		s->loaded[log_size] = iova_depot_pop(rcache);
		s->nloaded[log_size] = IMS_IOVA_MAG_SIZE;
		has_pfn = true;
	}
	pthread_mutex_unlock(&rcache->lock);
	return has_pfn;
}

/* __iova_rcache_insert() */
static bool iova_rcache_insert(struct ims_iova_domain *iovad, uint64_t pfn, uint64_t size)
{
	unsigned int log_size = order_base_2(size);
	struct iova_thread_rcache *s;
	bool can_insert, fast;

	if (log_size >= IMS_IOVA_RANGE_CACHE_MAX_SIZE)
		return false;
	s = this_slot(iovad);
	fast = owner_enter(s);
	if (unlikely(!s->ready)) {
		owner_exit(s, fast);
		return false;
	}
	can_insert = likely(s->nloaded[log_size] < IMS_IOVA_MAG_SIZE) ||
		     rcache_make_room(iovad, s, log_size);
	if (likely(can_insert))
		s->loaded[log_size]->pfns[s->nloaded[log_size]++] = pfn;
	owner_exit(s, fast);
	return can_insert;
}

/* iova_rcache_get() + __iova_rcache_get(); @limit_pfn is exclusive. */
static uint64_t iova_rcache_get(struct ims_iova_domain *iovad, uint64_t size, uint64_t limit_pfn)
{
	unsigned int log_size = order_base_2(size);
	struct iova_thread_rcache *s;
	uint64_t pfn = 0;
	bool has_pfn, fast;

	if (log_size >= IMS_IOVA_RANGE_CACHE_MAX_SIZE)
		return 0;
	s = this_slot(iovad);
	fast = owner_enter(s);
	if (unlikely(!s->ready)) {
		owner_exit(s, fast);
		return 0;
	}
	has_pfn = likely(s->nloaded[log_size]) || rcache_refill(iovad, s, log_size);
	/* The kernel passes limit_pfn - size (unsigned, so a tiny limit wraps). */
	if (likely(has_pfn))
		pfn = iova_magazine_pop(s->loaded[log_size], &s->nloaded[log_size],
					limit_pfn - size);
	owner_exit(s, fast);
	return pfn;
}

/* alloc_iova_fast() after an rcache miss: the tree, then flush and retry once. */
static __attribute__((noinline)) uint64_t
alloc_fast_tree(struct ims_iova_domain *iovad, uint64_t size, uint64_t limit_pfn, bool flush_rcache)
{
	struct ims_iova iova;

	for (;;) {
		if (!alloc_and_insert_iova_range(iovad, size, limit_pfn + 1, true, &iova))
			return iova.pfn_lo;
		if (!flush_rcache)
			return 0;
		flush_rcache = false;
		ims_iova_flush_rcaches(iovad);
	}
}

/* alloc_iova_fast(), every case: the locked slot, refills, the tree. */
static __attribute__((noinline)) uint64_t
alloc_fast_slow(struct ims_iova_domain *iovad, uint64_t size, uint64_t limit_pfn, bool flush_rcache)
{
	uint64_t pfn;

	if (unlikely(!iovad || !size || limit_pfn == IMS_IOVA_ANCHOR))
		return 0;
	/* Cacheable sizes are rounded up so a freed range always fits its class. */
	if (size < (1u << (IMS_IOVA_RANGE_CACHE_MAX_SIZE - 1)))
		size = 1ULL << order_base_2(size);
	pfn = iova_rcache_get(iovad, size, limit_pfn + 1);
	if (likely(pfn))
		return pfn;
	return alloc_fast_tree(iovad, size, limit_pfn, flush_rcache);
}

/* free_iova_fast(), every case. */
static __attribute__((noinline)) void free_fast_slow(struct ims_iova_domain *iovad, uint64_t pfn,
						     uint64_t size)
{
	if (unlikely(!iovad))
		return;
	if (likely(iova_rcache_insert(iovad, pfn, size)))
		return;
	ims_iova_free(iovad, pfn);
}

/*
 * The fast paths below handle the common case inline: a cached size
 * (1..IOVA_FAST_MAX_SIZE), this thread's lock-free slot, and the loaded
 * magazine able to serve.  Everything else, with the same results, goes
 * through the slow paths above.
 */
#define IOVA_FAST_MAX_SIZE (1ULL << (IMS_IOVA_RANGE_CACHE_MAX_SIZE - 1))

/*
 * order_base_2(size) for sizes 1..32, by table: a bit scan (bsr; lzcnt is
 * not in the x86-64 baseline) costs several cycles of throughput on some
 * cores, a table load one micro-op.
 */
static const uint8_t iova_size_class[IOVA_FAST_MAX_SIZE + 1] = {
	0, 0, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4,
	5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
};

/* The size each class holds: 1 << iova_size_class[size]. */
static const uint8_t iova_size_round[IOVA_FAST_MAX_SIZE + 1] = {
	0,  1,	2,  4,	4,  8,	8,  8,	8,  16, 16, 16, 16, 16, 16, 16, 16,
	32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32,
};

uint64_t ims_iova_alloc_fast(struct ims_iova_domain *iovad, uint64_t size, uint64_t limit_pfn,
			     bool flush_rcache)
{
	uint64_t pfn;
	unsigned int k;

	if (unlikely(!iovad || size - 1 >= IOVA_FAST_MAX_SIZE))
		return alloc_fast_slow(iovad, size, limit_pfn, flush_rcache);
	k = iova_size_class[size];
	/* The slow path rounds the size the same way: pass it on rounded. */
	size = iova_size_round[size];
	if (likely(iova_rcache_pop_inline(iovad->uid, k, size, limit_pfn, &pfn)))
		return pfn;
	return alloc_fast_slow(iovad, size, limit_pfn, flush_rcache);
}

void ims_iova_free_fast(struct ims_iova_domain *iovad, uint64_t pfn, uint64_t size)
{
	if (likely(iovad && size - 1 < IOVA_FAST_MAX_SIZE) &&
	    likely(iova_rcache_push_inline(iovad->uid, iova_size_class[size], pfn)))
		return;
	free_fast_slow(iovad, pfn, size);
}

void ims_iova_free_fast_n(struct ims_iova_domain *iovad, const struct ims_iova_fq_entry *e,
			  size_t n)
{
	struct iova_thread_rcache *s;
	size_t i = 0;

	while (i < n) {
		if (likely(iovad && ims_iova_tl_last.tag == iovad->uid) &&
		    likely(iova_owner_try_enter(s = ims_iova_tl_last.slot))) {
			/* class 0 (one granule, the common case) counted in a register */
			uint64_t *pfns0 = s->loaded[0]->pfns;
			unsigned int cnt0 = s->nloaded[0];

			for (; i < n; i++) {
				uint64_t size = e[i].pages;
				unsigned int k, cnt;

				if (likely(size == 1)) {
					if (unlikely(cnt0 >= IMS_IOVA_MAG_SIZE))
						break;
					pfns0[cnt0++] = e[i].iova_pfn;
					continue;
				}
				if (unlikely(size - 1 >= IOVA_FAST_MAX_SIZE))
					break;
				k = iova_size_class[size]; /* not 0: size > 1 */
				cnt = s->nloaded[k];
				if (unlikely(cnt >= IMS_IOVA_MAG_SIZE))
					break;
				s->loaded[k]->pfns[cnt] = e[i].iova_pfn;
				s->nloaded[k] = (uint16_t)(cnt + 1);
			}
			s->nloaded[0] = (uint16_t)cnt0;
			iova_owner_leave(s);
			if (i == n)
				return;
		}
		/* one range the slow way; then the fast loop again (the slot may be set now) */
		ims_iova_free_fast(iovad, e[i].iova_pfn, e[i].pages);
		i++;
	}
}

uint64_t ims_iova_domain_uid(const struct ims_iova_domain *iovad)
{
	return iovad->uid;
}

/* free_cpu_cached_iovas() for one slot. */
static void free_slot_cached_iovas(struct ims_iova_domain *iovad, struct iova_thread_rcache *s)
{
	remote_lock(s);
	if (s->ready) {
		for (int i = 0; i < IMS_IOVA_RANGE_CACHE_MAX_SIZE; i++) {
			iova_magazine_free_pfns(s->loaded[i]->pfns, s->nloaded[i], iovad);
			s->nloaded[i] = 0;
			iova_magazine_free_pfns(s->prev[i]->pfns, s->nprev[i], iovad);
			s->nprev[i] = 0;
		}
	}
	remote_unlock(s);
}

/* free_global_cached_iovas() */
static void free_global_cached_iovas(struct ims_iova_domain *iovad)
{
	for (int i = 0; i < IMS_IOVA_RANGE_CACHE_MAX_SIZE; i++) {
		struct iova_rcache *rcache = &iovad->rcaches[i];

		pthread_mutex_lock(&rcache->lock);
		while (rcache->depot) {
			struct iova_magazine *mag = iova_depot_pop(rcache);

			iova_magazine_free_pfns(mag->pfns, IMS_IOVA_MAG_SIZE, iovad);
			free(mag);
		}
		pthread_mutex_unlock(&rcache->lock);
	}
}

void ims_iova_free_cpu_cached(struct ims_iova_domain *iovad)
{
	if (iovad)
		free_slot_cached_iovas(iovad, this_slot(iovad));
}

void ims_iova_flush_rcaches(struct ims_iova_domain *iovad)
{
	unsigned int n;

	if (!iovad)
		return;
	n = atomic_load_explicit(&iovad->nr_slots, memory_order_acquire);
	for (unsigned int i = 0; i < n; i++)
		free_slot_cached_iovas(iovad, &iovad->slots[i]);
	free_slot_cached_iovas(iovad, &iovad->slots[IOVA_SHARED_SLOT]);
	free_global_cached_iovas(iovad);
}

int ims_iova_depot_reclaim(struct ims_iova_domain *iovad)
{
	uint64_t keep;
	int freed = 0;

	if (!iovad)
		return -EINVAL;
	keep = atomic_load_explicit(&iovad->nr_slots, memory_order_acquire);
	pthread_mutex_lock(&iovad->slot_lock);
	if (iovad->slots[IOVA_SHARED_SLOT].owner)
		keep++;
	pthread_mutex_unlock(&iovad->slot_lock);
	if (!keep)
		keep = 1;
	for (int i = 0; i < IMS_IOVA_RANGE_CACHE_MAX_SIZE; i++) {
		struct iova_rcache *rcache = &iovad->rcaches[i];

		for (;;) {
			struct iova_magazine *mag = NULL;

			pthread_mutex_lock(&rcache->lock);
			if (rcache->depot_size > keep)
				mag = iova_depot_pop(rcache);
			pthread_mutex_unlock(&rcache->lock);
			if (!mag)
				break;
			iova_magazine_free_pfns(mag->pfns, IMS_IOVA_MAG_SIZE, iovad);
			free(mag);
			freed++;
		}
	}
	return freed;
}

int iova_domain_init_rcaches(struct ims_iova_domain *iovad)
{
	size_t n = IMS_IOVA_MAX_THREADS + 1;

	iovad->slots = aligned_alloc(128, n * sizeof(*iovad->slots));
	if (!iovad->slots)
		return -ENOMEM;
	memset(iovad->slots, 0, n * sizeof(*iovad->slots));
	for (int i = 0; i < IMS_IOVA_RANGE_CACHE_MAX_SIZE; i++)
		pthread_mutex_init(&iovad->rcaches[i].lock, NULL);
	pthread_mutex_init(&iovad->slot_lock, NULL);
	atomic_init(&iovad->nr_slots, 0);
	/* Registration is per process and idempotent; without it, slots lock. */
	iovad->membarrier_ok =
		!getenv("IMS_IOVA_NO_MEMBARRIER") && iova_membarrier(MEMBARRIER_CMD_QUERY) > 0 &&
		(iova_membarrier(MEMBARRIER_CMD_QUERY) & MEMBARRIER_CMD_PRIVATE_EXPEDITED) &&
		iova_membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
	/* The shared slot serves threads beyond IMS_IOVA_MAX_THREADS. */
	if (!slot_init(&iovad->slots[IOVA_SHARED_SLOT]))
		return -ENOMEM;
	return 0;
}

/* free_iova_rcaches(): drop the magazines; the pfns go with the tree. */
void iova_domain_free_rcaches(struct ims_iova_domain *iovad)
{
	if (!iovad->slots)
		return;
	for (int s = 0; s <= IMS_IOVA_MAX_THREADS; s++) {
		for (int i = 0; i < IMS_IOVA_RANGE_CACHE_MAX_SIZE; i++) {
			free(iovad->slots[s].loaded[i]);
			free(iovad->slots[s].prev[i]);
		}
	}
	for (int i = 0; i < IMS_IOVA_RANGE_CACHE_MAX_SIZE; i++) {
		struct iova_rcache *rcache = &iovad->rcaches[i];

		while (rcache->depot)
			free(iova_depot_pop(rcache));
		pthread_mutex_destroy(&rcache->lock);
	}
	pthread_mutex_destroy(&iovad->slot_lock);
	free(iovad->slots);
	iovad->slots = NULL;
}

void iova_rcache_info(struct ims_iova_domain *iovad, struct ims_iova_info *info)
{
	unsigned int n = atomic_load_explicit(&iovad->nr_slots, memory_order_acquire);

	info->threads = n;
	for (unsigned int s = 0; s <= IMS_IOVA_MAX_THREADS; s++) {
		struct iova_thread_rcache *t = &iovad->slots[s];

		if (s < IMS_IOVA_MAX_THREADS && s >= n)
			continue;
		remote_lock(t);
		for (int i = 0; t->ready && i < IMS_IOVA_RANGE_CACHE_MAX_SIZE; i++)
			info->cached_pfns += t->nloaded[i] + t->nprev[i];
		remote_unlock(t);
	}
	for (int i = 0; i < IMS_IOVA_RANGE_CACHE_MAX_SIZE; i++) {
		pthread_mutex_lock(&iovad->rcaches[i].lock);
		info->depot_mags += iovad->rcaches[i].depot_size;
		info->cached_pfns += iovad->rcaches[i].depot_size * IMS_IOVA_MAG_SIZE;
		pthread_mutex_unlock(&iovad->rcaches[i].lock);
	}
}

static int check_pfns(struct ims_iova_domain *iovad, const uint64_t *pfns, uint64_t n)
{
	if (n > IMS_IOVA_MAG_SIZE)
		return -EFAULT;
	for (uint64_t i = 0; i < n; i++)
		if (!iova_pfn_in_tree_locked(iovad, pfns[i]))
			return -EFAULT;
	return 0;
}

int iova_rcache_check(struct ims_iova_domain *iovad)
{
	unsigned int n = atomic_load_explicit(&iovad->nr_slots, memory_order_acquire);
	int ret = 0;

	for (unsigned int s = 0; s <= IMS_IOVA_MAX_THREADS && !ret; s++) {
		struct iova_thread_rcache *t = &iovad->slots[s];

		if (s < IMS_IOVA_MAX_THREADS && s >= n)
			continue;
		remote_lock(t);
		iova_spin_lock(&iovad->lock);
		for (int i = 0; t->ready && i < IMS_IOVA_RANGE_CACHE_MAX_SIZE && !ret; i++)
			if (check_pfns(iovad, t->loaded[i]->pfns, t->nloaded[i]) ||
			    check_pfns(iovad, t->prev[i]->pfns, t->nprev[i]))
				ret = -EFAULT;
		iova_spin_unlock(&iovad->lock);
		remote_unlock(t);
	}
	for (int i = 0; i < IMS_IOVA_RANGE_CACHE_MAX_SIZE && !ret; i++) {
		struct iova_rcache *rcache = &iovad->rcaches[i];
		uint64_t count = 0;

		pthread_mutex_lock(&rcache->lock);
		iova_spin_lock(&iovad->lock);
		for (struct iova_magazine *m = rcache->depot; m && !ret; m = m->next) {
			ret = check_pfns(iovad, m->pfns, IMS_IOVA_MAG_SIZE);
			count++;
		}
		if (count != rcache->depot_size)
			ret = -EFAULT;
		iova_spin_unlock(&iovad->lock);
		pthread_mutex_unlock(&rcache->lock);
	}
	if (ret)
		return ims_error(ret, "iova: a cached pfn has no range in the tree");
	return ret;
}
