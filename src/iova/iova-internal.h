/* SPDX-License-Identifier: MIT */
/*
 * Internals of the IOVA allocator shared by iova.c (the tree) and rcache.c
 * (the per-thread magazine caches).
 */
#ifndef IMS_IOVA_INTERNAL_H
#define IMS_IOVA_INTERNAL_H

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iommusim/iova.h"
#include "iova/iova-fast.h"

/*
 * The tree: a red-black tree over a node pool, with parent links, in-order
 * neighbour links (rb_prev/rb_next in O(1)) and, per node, the free gap just
 * below it plus bounds on the gaps in its subtree.  A link is a node's byte
 * offset in the pool (index * sizeof(struct iova_node)), so following one is
 * a single add; offset 0 (node 0) is "no node", node 1 is the anchor.
 */
#define IOVA_NIL 0u
/*
 * Each node keeps, per alignment 2^k (k = 0..7), the largest size that fits
 * its own gap or a gap in its subtree with the start aligned to 2^k,
 * saturated at UINT32_MAX: searches skip subtrees whose gaps are too small
 * or too misaligned, and changes to gaps of 2^32 granules or more (the free
 * space of a 64-bit domain) never need to climb the tree.
 */
#define IOVA_ALIGN_ORDERS 8
#define IOVA_RED 0u
#define IOVA_BLACK 1u

/*
 * 80 bytes.  A lookup reads the first 24 bytes of each node on its way down,
 * a gap search the first 64; the links that only updates follow come last.
 */
struct iova_node {
	uint64_t pfn_lo;
	uint32_t left, right;
	uint64_t pfn_hi;
	uint64_t gap_lo; /* first free pfn below: prev ? prev->pfn_hi + 1 : 0 */
	uint32_t max_avail[IOVA_ALIGN_ORDERS]; /* per alignment order 0..7 */
	uint32_t parent;
	uint32_t prev, next; /* in-order neighbours */
	uint32_t color;	     /* IOVA_RED or IOVA_BLACK */
};

/* Node links are byte offsets into the pool. */
#define IOVA_REF(idx) ((uint32_t)((idx) * sizeof(struct iova_node)))
#define IOVA_ANCHOR_REF IOVA_REF(1)

/* struct iova_rcache: the per-size-class depot. */
struct iova_rcache {
	pthread_mutex_t lock;
	uint64_t depot_size;
	struct iova_magazine *depot;
};

struct ims_iova_domain {
	atomic_int lock; /* iova_rbtree_lock: a spinlock, as in the kernel */
	struct iova_node *nodes;
	uint32_t cap; /* nodes in the pool */
	uint32_t free_head, root;
	uint64_t nr_nodes; /* anchor excluded */
	uint32_t cached32_node, cached_node;
	uint32_t last_node; /* the latest inserted range: a finger for lookups */
	uint64_t granule;
	unsigned int shift;
	uint64_t start_pfn;
	uint64_t dma_32bit_pfn;
	uint64_t max32_alloc_size;
	unsigned int linear_steps;

	uint64_t uid; /* names the domain to the per-thread slot lookup; never reused */
	struct iova_rcache rcaches[IMS_IOVA_RANGE_CACHE_MAX_SIZE];
	pthread_mutex_t slot_lock;
	atomic_uint nr_slots;
	bool membarrier_ok;		  /* MEMBARRIER_CMD_PRIVATE_EXPEDITED is registered */
	struct iova_thread_rcache *slots; /* IMS_IOVA_MAX_THREADS + 1 shared */
};

/* A spinlock that yields the CPU after a while (the tree and the slots). */
static inline void iova_spin_lock(atomic_int *lock)
{
	unsigned int spins = 0;

	while (atomic_exchange_explicit(lock, 1, memory_order_acquire)) {
		while (atomic_load_explicit(lock, memory_order_relaxed)) {
			if (++spins > 64) {
				sched_yield();
				spins = 0;
			}
		}
	}
}

static inline void iova_spin_unlock(atomic_int *lock)
{
	atomic_store_explicit(lock, 0, memory_order_release);
}

/* rcache.c */
int iova_domain_init_rcaches(struct ims_iova_domain *iovad);
void iova_domain_free_rcaches(struct ims_iova_domain *iovad);
void iova_rcache_info(struct ims_iova_domain *iovad, struct ims_iova_info *info);
int iova_rcache_check(struct ims_iova_domain *iovad);

/* iova.c */
int alloc_and_insert_iova_range(struct ims_iova_domain *iovad, uint64_t size, uint64_t limit,
				bool size_aligned, struct ims_iova *out);
/* iova.c: called with iovad->lock held. */
void iova_remove_pfn_locked(struct ims_iova_domain *iovad, uint64_t pfn);
bool iova_pfn_in_tree_locked(struct ims_iova_domain *iovad, uint64_t pfn);

#endif
