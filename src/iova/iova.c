/* SPDX-License-Identifier: MIT */
/*
 * The IOVA domain and its range tree: the behaviour of Linux 6.12
 * drivers/iommu/iova.c (init_iova_domain, alloc_iova, free_iova, find_iova,
 * reserve_iova, put_iova_domain), with a faster search.
 *
 * The kernel walks an rbtree down from a cached node with rb_prev() until a
 * gap fits, which is linear in the number of ranges it passes.  Here the
 * red-black tree's nodes also carry the free gap below them and upper bounds
 * on the (aligned) gaps in their subtree.  The search first walks node by node as the kernel
 * does (usually the gap is right there), and after a few steps switches to an
 * indexed query that finds the same node the kernel's walk would stop at:
 * the highest node at or below the current one whose gap takes the aligned
 * range.  See docs/iova.md for why that node is always the kernel's.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "iova-internal.h"
#include "util/compiler.h"
#include "util/log.h"

/* The common path's helpers are inlined into their few callers. */
#define iova_hot static inline __attribute__((always_inline))
/* Rare work stays out of the callers' way. */
#define iova_cold static __attribute__((noinline, cold))

/* Nodes visited one by one before the indexed search takes over. */
#define IOVA_DEFAULT_LINEAR_STEPS 8

static _Atomic uint64_t iova_domain_uids = 1; /* only names domains; see docs/iova.md */

/*
 * The node at byte offset @ref (a link) in the pool at @nd.  Functions copy
 * iovad->nodes into a local first: node stores could otherwise alias it (the
 * build uses -fno-strict-aliasing) and force a reload at every access.
 */
static inline struct iova_node *N(struct iova_node *nd, uint32_t ref)
{
	return (struct iova_node *)(void *)((char *)nd + ref);
}

/* ---- node pool ---- */

iova_cold int pool_grow(struct ims_iova_domain *iovad)
{
	uint32_t ncap, i;
	struct iova_node *nn;

	/* Links are 32-bit byte offsets: at most UINT32_MAX / 80 nodes. */
	if ((uint64_t)iovad->cap * 2 * sizeof(*nn) > UINT32_MAX)
		return -ENOMEM;
	ncap = iovad->cap ? iovad->cap * 2 : 64;
	nn = realloc(iovad->nodes, (size_t)ncap * sizeof(*nn));
	if (!nn)
		return -ENOMEM;
	iovad->nodes = nn;
	/* Thread the new nodes onto the free list, lowest index first. */
	for (i = ncap - 1; i >= iovad->cap && i > 1; i--) {
		nn[i].left = iovad->free_head;
		iovad->free_head = IOVA_REF(i);
	}
	iovad->cap = ncap;
	return 0;
}

static uint32_t pool_get(struct ims_iova_domain *iovad)
{
	struct iova_node *nd = iovad->nodes;
	uint32_t i = iovad->free_head;

	iovad->free_head = N(nd, i)->left;
	return i;
}

static void pool_put(struct ims_iova_domain *iovad, uint32_t i)
{
	struct iova_node *nd = iovad->nodes;

	N(nd, i)->left = iovad->free_head;
	iovad->free_head = i;
}

/* At least one free node; the pool may move. */
iova_hot int pool_reserve(struct ims_iova_domain *iovad)
{
	return likely(iovad->free_head != IOVA_NIL) ? 0 : pool_grow(iovad);
}

/* ---- the augmented red-black tree ---- */

/* The largest size whose start, aligned to 2^@k, fits the gap below @n. */
static inline uint32_t node_avail(const struct iova_node *n, unsigned int k)
{
	uint64_t a = 1ULL << k, up = (n->gap_lo + a - 1) & ~(a - 1);

	if (up < n->gap_lo || up > n->pfn_lo)
		return 0;
	return n->pfn_lo - up >= UINT32_MAX ? UINT32_MAX : (uint32_t)(n->pfn_lo - up);
}

/*
 * The per-order bounds as two vectors of four (GCC/Clang vector extensions;
 * plain SSE2 on x86-64, NEON on arm64), so that computing, merging and
 * comparing all eight orders takes a handful of instructions and no branch.
 */
typedef uint32_t iova_v4u __attribute__((vector_size(16)));
typedef int32_t iova_v4s __attribute__((vector_size(16)));
_Static_assert(IOVA_ALIGN_ORDERS == 8, "the bounds are two vectors of four");

struct iova_bounds {
	iova_v4u lo, hi; /* orders 0..3, 4..7 */
};

static inline struct iova_bounds bounds_get(const uint32_t *p)
{
	struct iova_bounds b;

	memcpy(&b.lo, p, sizeof(b.lo));
	memcpy(&b.hi, p + 4, sizeof(b.hi));
	return b;
}

static inline void bounds_put(uint32_t *p, struct iova_bounds b)
{
	memcpy(p, &b.lo, sizeof(b.lo));
	memcpy(p + 4, &b.hi, sizeof(b.hi));
}

/* Lane-wise select: @m (all ones or zero per lane) ? @a : @b. */
static inline iova_v4u v_sel(iova_v4u m, iova_v4u a, iova_v4u b)
{
	return (a & m) | (b & ~m);
}

static inline struct iova_bounds bounds_max(struct iova_bounds a, struct iova_bounds b)
{
	a.lo = v_sel((iova_v4u)(a.lo < b.lo), b.lo, a.lo);
	a.hi = v_sel((iova_v4u)(a.hi < b.hi), b.hi, a.hi);
	return a;
}

static inline bool v_any(iova_v4u a)
{
	uint64_t x[2];

	memcpy(x, &a, sizeof(x));
	return (x[0] | x[1]) != 0;
}

/*
 * node_avail() for every order.  Gaps below 2^31 granules (all but the free
 * space of a 64-bit domain) take a branch-free form: the aligned start is
 * gap_lo + mis with mis = (-gap_lo) mod 2^k, and the range fits when
 * mis <= the gap.  gap - mis then lies in (-128, 2^31), so its sign says
 * whether it fits; no overflow or saturation can happen there.
 */
static inline struct iova_bounds own_avail(const struct iova_node *n)
{
	static const iova_v4u mask_lo = { 0, 1, 3, 7 }, mask_hi = { 15, 31, 63, 127 };
	uint64_t gap = n->pfn_lo - n->gap_lo;
	struct iova_bounds b;
	iova_v4u g, neg;
	iova_v4s d;

	if (unlikely(gap >= (1ULL << 31))) {
		uint32_t v[IOVA_ALIGN_ORDERS];

		for (unsigned int k = 0; k < IOVA_ALIGN_ORDERS; k++)
			v[k] = node_avail(n, k);
		return bounds_get(v);
	}
	g = (iova_v4u){ 0 } + (uint32_t)gap;
	neg = (iova_v4u){ 0 } + (uint32_t)-n->gap_lo;
	d = (iova_v4s)(g - (neg & mask_lo));
	b.lo = (iova_v4u)(d & ~(d >> 31));
	d = (iova_v4s)(g - (neg & mask_hi));
	b.hi = (iova_v4u)(d & ~(d >> 31));
	return b;
}

/* Recompute @i's subtree maxima from its children; true when any changed. */
static bool pull(struct ims_iova_domain *iovad, uint32_t i)
{
	struct iova_node *nd = iovad->nodes;
	struct iova_node *n = N(nd, i);
	struct iova_bounds v = own_avail(n), old = bounds_get(n->max_avail);

	if (n->left != IOVA_NIL)
		v = bounds_max(v, bounds_get(N(nd, n->left)->max_avail));
	if (n->right != IOVA_NIL)
		v = bounds_max(v, bounds_get(N(nd, n->right)->max_avail));
	if (!v_any((v.lo ^ old.lo) | (v.hi ^ old.hi)))
		return false;
	bounds_put(n->max_avail, v);
	return true;
}

/*
 * The bounds are upper bounds: a gap that shrinks leaves its ancestors as
 * they are (a search that finds them stale tightens them), a gap that grows
 * or appears raises them here.  Every node's bound is at least its
 * children's, so the climb stops at the first node already high enough.
 */
iova_hot void raise_bounds(struct ims_iova_domain *iovad, uint32_t i, struct iova_bounds v)
{
	struct iova_node *nd = iovad->nodes;

	while (i != IOVA_NIL) {
		struct iova_node *n = N(nd, i);
		struct iova_bounds old = bounds_get(n->max_avail);
		iova_v4u lt_lo = (iova_v4u)(old.lo < v.lo), lt_hi = (iova_v4u)(old.hi < v.hi);

		if (!v_any(lt_lo | lt_hi))
			break;
		old.lo = v_sel(lt_lo, v.lo, old.lo);
		old.hi = v_sel(lt_hi, v.hi, old.hi);
		bounds_put(n->max_avail, old);
		i = n->parent;
	}
}

static void rotate_up(struct ims_iova_domain *iovad, uint32_t x)
{
	struct iova_node *nd = iovad->nodes;
	struct iova_node *nx = N(nd, x);
	uint32_t p = nx->parent, g, b;
	struct iova_node *np = N(nd, p);

	g = np->parent;
	if (np->left == x) {
		b = nx->right;
		np->left = b;
		nx->right = p;
	} else {
		b = nx->left;
		np->right = b;
		nx->left = p;
	}
	if (b != IOVA_NIL)
		N(nd, b)->parent = p;
	np->parent = x;
	nx->parent = g;
	if (g == IOVA_NIL)
		iovad->root = x;
	else if (N(nd, g)->left == p)
		N(nd, g)->left = x;
	else
		N(nd, g)->right = x;
	/*
	 * x now roots exactly the ranges p rooted, so it takes p's bounds;
	 * p's subtree only shrank, so its bounds remain upper bounds.
	 */
	memcpy(nx->max_avail, np->max_avail, sizeof(nx->max_avail));
}

static inline bool is_red(struct ims_iova_domain *iovad, uint32_t i)
{
	struct iova_node *nd = iovad->nodes;

	return i != IOVA_NIL && N(nd, i)->color == IOVA_RED;
}

static inline void set_color(struct ims_iova_domain *iovad, uint32_t i, uint32_t c)
{
	struct iova_node *nd = iovad->nodes;

	if (i != IOVA_NIL)
		N(nd, i)->color = c;
}

/* The red-black insert fix-up (as rb_insert_color()). */
iova_cold void insert_fixup(struct ims_iova_domain *iovad, uint32_t x)
{
	struct iova_node *nd = iovad->nodes;

	while (x != iovad->root && is_red(iovad, N(nd, x)->parent)) {
		uint32_t p = N(nd, x)->parent, g = N(nd, p)->parent;
		bool left = N(nd, g)->left == p;
		uint32_t u = left ? N(nd, g)->right : N(nd, g)->left;

		if (is_red(iovad, u)) {
			set_color(iovad, p, IOVA_BLACK);
			set_color(iovad, u, IOVA_BLACK);
			set_color(iovad, g, IOVA_RED);
			x = g;
			continue;
		}
		if (left != (N(nd, p)->left == x)) {
			/* x is an inner grandchild: lift it over p first. */
			rotate_up(iovad, x);
			p = x;
		}
		rotate_up(iovad, p);
		set_color(iovad, p, IOVA_BLACK);
		set_color(iovad, g, IOVA_RED);
		break;
	}
	set_color(iovad, iovad->root, IOVA_BLACK);
}

/* The red-black erase fix-up for a doubly black @x (maybe NIL) under @parent. */
iova_cold void erase_fixup(struct ims_iova_domain *iovad, uint32_t x, uint32_t parent)
{
	struct iova_node *nd = iovad->nodes;

	while (x != iovad->root && !is_red(iovad, x)) {
		struct iova_node *np = N(nd, parent);
		bool left = np->left == x;
		uint32_t w = left ? np->right : np->left, wn, wf;

		if (is_red(iovad, w)) {
			set_color(iovad, w, IOVA_BLACK);
			set_color(iovad, parent, IOVA_RED);
			rotate_up(iovad, w);
			np = N(nd, parent);
			w = left ? np->right : np->left;
		}
		/* wn: w's child nearer to x; wf: the farther one. */
		wn = left ? N(nd, w)->left : N(nd, w)->right;
		wf = left ? N(nd, w)->right : N(nd, w)->left;
		if (!is_red(iovad, wn) && !is_red(iovad, wf)) {
			set_color(iovad, w, IOVA_RED);
			x = parent;
			parent = N(nd, x)->parent;
			continue;
		}
		if (!is_red(iovad, wf)) {
			set_color(iovad, wn, IOVA_BLACK);
			set_color(iovad, w, IOVA_RED);
			rotate_up(iovad, wn);
			w = wn;
			wf = left ? N(nd, w)->right : N(nd, w)->left;
		}
		set_color(iovad, w, N(nd, parent)->color);
		set_color(iovad, parent, IOVA_BLACK);
		set_color(iovad, wf, IOVA_BLACK);
		rotate_up(iovad, w);
		x = iovad->root;
		break;
	}
	set_color(iovad, x, IOVA_BLACK);
}

/* Insert node @x (pfn_lo/pfn_hi set) just below its in-order successor @succ. */
iova_hot void tree_insert(struct ims_iova_domain *iovad, uint32_t x, uint32_t succ)
{
	struct iova_node *nd = iovad->nodes;
	struct iova_node *nx = N(nd, x), *ns = N(nd, succ);
	uint32_t pred = ns->prev;
	struct iova_bounds own;

	nx->prev = pred;
	nx->next = succ;
	ns->prev = x;
	if (pred != IOVA_NIL)
		N(nd, pred)->next = x;
	/* x takes the bottom of succ's gap; succ's gap shrinks (its bounds stay valid). */
	nx->gap_lo = ns->gap_lo;
	ns->gap_lo = nx->pfn_hi + 1;
	nx->left = nx->right = IOVA_NIL;
	nx->color = IOVA_RED;
	if (ns->left == IOVA_NIL) {
		/*
		 * x's gap is part of succ's old gap, which succ's bounds cover:
		 * x, a leaf under succ, may take succ's bounds as its own upper
		 * bounds (lazily tightened like any other).
		 */
		ns->left = x;
		nx->parent = succ;
		memcpy(nx->max_avail, ns->max_avail, sizeof(nx->max_avail));
	} else {
		/* pred is the rightmost node of succ's left subtree. */
		N(nd, pred)->right = x;
		nx->parent = pred;
		own = own_avail(nx);
		bounds_put(nx->max_avail, own);
		raise_bounds(iovad, pred, own);
	}
	/* A red x under a black parent needs no fix-up. */
	if (N(nd, nx->parent)->color == IOVA_RED)
		insert_fixup(iovad, x);
	iovad->nr_nodes++;
	iovad->last_node = x;
}

/* Point every hint at node @from to node @to. */
static void move_hints(struct ims_iova_domain *iovad, uint32_t from, uint32_t to)
{
	if (iovad->cached32_node == from)
		iovad->cached32_node = to;
	if (iovad->cached_node == from)
		iovad->cached_node = to;
	if (iovad->last_node == from)
		iovad->last_node = to;
}

iova_hot void tree_erase(struct ims_iova_domain *iovad, uint32_t x)
{
	struct iova_node *nd = iovad->nodes;
	struct iova_node *nx = N(nd, x);
	uint32_t pred = nx->prev, succ = nx->next, c, p, y;

	if (iovad->last_node == x)
		iovad->last_node = IOVA_NIL;
	/* In order: pred, x, succ becomes pred, succ; succ's gap takes x's. */
	N(nd, succ)->prev = pred;
	if (pred != IOVA_NIL)
		N(nd, pred)->next = succ;
	N(nd, succ)->gap_lo = nx->gap_lo;
	raise_bounds(iovad, succ, own_avail(N(nd, succ)));

	y = x;
	if (nx->left != IOVA_NIL && nx->right != IOVA_NIL) {
		/*
		 * Two children: pred (the rightmost of x's left subtree, never the
		 * anchor) moves into x's place in the tree and its own place goes.
		 * x's bounds still cover what is below that place.
		 */
		struct iova_node *np = N(nd, pred);

		nx->pfn_lo = np->pfn_lo;
		nx->pfn_hi = np->pfn_hi;
		nx->gap_lo = np->gap_lo;
		nx->prev = np->prev;
		if (np->prev != IOVA_NIL)
			N(nd, np->prev)->next = x;
		N(nd, succ)->prev = x;
		move_hints(iovad, pred, x);
		y = pred;
	}
	/* y has at most one child. */
	c = N(nd, y)->left != IOVA_NIL ? N(nd, y)->left : N(nd, y)->right;
	p = N(nd, y)->parent;
	if (c != IOVA_NIL)
		N(nd, c)->parent = p;
	if (p == IOVA_NIL)
		iovad->root = c;
	else if (N(nd, p)->left == y)
		N(nd, p)->left = c;
	else
		N(nd, p)->right = c;
	if (N(nd, y)->color == IOVA_BLACK) {
		if (is_red(iovad, c))
			set_color(iovad, c, IOVA_BLACK);
		else
			erase_fixup(iovad, c, p);
	}
	pool_put(iovad, y);
	iovad->nr_nodes--;
}

/* private_find_iova(): the node containing @pfn (the anchor included). */
iova_hot uint32_t private_find_iova(struct ims_iova_domain *iovad, uint64_t pfn)
{
	struct iova_node *nd = iovad->nodes;
	uint32_t i = iovad->last_node;

	/* Ranges are usually freed soon after they are allocated. */
	if (i != IOVA_NIL && N(nd, i)->pfn_lo <= pfn && pfn <= N(nd, i)->pfn_hi)
		return i;
	i = iovad->root;

	while (i != IOVA_NIL) {
		struct iova_node *n = N(nd, i);

		if (pfn < n->pfn_lo)
			i = n->left;
		else if (pfn > n->pfn_hi)
			i = n->right;
		else
			return i;
	}
	return IOVA_NIL;
}

/* The lowest node with pfn_lo >= @key (the anchor at worst). */
static uint32_t lower_bound_lo(struct ims_iova_domain *iovad, uint64_t key)
{
	struct iova_node *nd = iovad->nodes;
	uint32_t i = iovad->root, best = IOVA_ANCHOR_REF;

	while (i != IOVA_NIL) {
		if (N(nd, i)->pfn_lo >= key) {
			best = i;
			i = N(nd, i)->left;
		} else {
			i = N(nd, i)->right;
		}
	}
	return best;
}

/* The lowest node with pfn_hi >= @key. */
static uint32_t lower_bound_hi(struct ims_iova_domain *iovad, uint64_t key)
{
	struct iova_node *nd = iovad->nodes;
	uint32_t i = iovad->root, best = IOVA_ANCHOR_REF;

	while (i != IOVA_NIL) {
		if (N(nd, i)->pfn_hi >= key) {
			best = i;
			i = N(nd, i)->left;
		} else {
			i = N(nd, i)->right;
		}
	}
	return best;
}

struct gap_query {
	uint64_t size, mask, bound;
	unsigned int order; /* alignment order used to prune, 0 for none */
};

/* Does the range end right below @n, aligned, and clear of the node below? */
static inline bool gap_fits(const struct iova_node *n, const struct gap_query *q)
{
	return n->pfn_lo >= q->size && ((n->pfn_lo - q->size) & q->mask) >= n->gap_lo;
}

/*
 * The highest node in subtree @i whose gap takes the range.  Subtrees whose
 * bound is below the size are skipped; a subtree searched in vain had a
 * stale bound, which is tightened on the way out.
 */
static uint32_t fit_all(struct ims_iova_domain *iovad, uint32_t i, const struct gap_query *q)
{
	struct iova_node *nd = iovad->nodes;
	struct iova_node *n;
	uint32_t r;

	if (i == IOVA_NIL)
		return IOVA_NIL;
	n = N(nd, i);
	if (n->max_avail[q->order] < q->size)
		return IOVA_NIL;
	r = fit_all(iovad, n->right, q);
	if (r != IOVA_NIL)
		return r;
	if (gap_fits(N(nd, i), q))
		return i;
	r = fit_all(iovad, N(nd, i)->left, q);
	if (r != IOVA_NIL)
		return r;
	pull(iovad, i);
	return IOVA_NIL;
}

/* The highest node in subtree @i with pfn_lo <= q->bound whose gap takes the range. */
static uint32_t fit_le(struct ims_iova_domain *iovad, uint32_t i, const struct gap_query *q)
{
	struct iova_node *nd = iovad->nodes;

	while (i != IOVA_NIL) {
		struct iova_node *n = N(nd, i);
		uint32_t r;

		if (n->max_avail[q->order] < q->size)
			return IOVA_NIL;
		if (n->pfn_lo > q->bound) {
			i = n->left;
			continue;
		}
		r = fit_le(iovad, n->right, q);
		if (r != IOVA_NIL)
			return r;
		if (gap_fits(N(nd, i), q))
			return i;
		return fit_all(iovad, N(nd, i)->left, q);
	}
	return IOVA_NIL;
}

/*
 * One pass of the loop in __alloc_and_insert_iova_range(), starting at node
 * @curr with the exclusive @limit and lower bound @low.  Returns the node the
 * kernel's walk stops at (the new range goes right below it) and the new
 * pfn, or IOVA_NIL when the kernel's pass fails.
 */
static uint32_t find_gap(struct ims_iova_domain *iovad, uint32_t curr, uint64_t size,
			 uint64_t limit, uint64_t low, uint64_t mask, uint64_t *new_pfn)
{
	struct iova_node *nd = iovad->nodes;

	/* The saturated index cannot prune for 2^32 granules or more: walk. */
	unsigned int steps = size >= UINT32_MAX ? UINT_MAX : iovad->linear_steps;
	uint64_t high = limit, new;
	struct gap_query q;
	uint32_t fit;

	/* The kernel's own walk, for a few nodes (all of them for huge sizes). */
	while (steps--) {
		struct iova_node *n = N(nd, curr);

		high = IMS_MIN(high, n->pfn_lo);
		new = (high - size) & mask;
		/*
		 * The kernel goes on to rb_prev() while new <= prev->pfn_hi,
		 * i.e. new < gap_lo (0 when there is no prev).
		 */
		if (!(new < n->gap_lo &&new >= low)) {
			if (high < size || new < low)
				return IOVA_NIL;
			*new_pfn = new;
			return curr;
		}
		curr = n->prev;
	}

	/*
	 * Nodes at or above the limit all see high == limit; the walk can only
	 * stop at the lowest of them (any earlier stop is a failure that the
	 * lowest one reproduces).
	 */
	if (N(nd, curr)->pfn_lo >= limit) {
		curr = lower_bound_lo(iovad, limit);
		new = (limit - size) & mask;
		if (!(new < N(nd, curr)->gap_lo &&new >= low)) {
			if (limit < size || new < low)
				return IOVA_NIL;
			*new_pfn = new;
			return curr;
		}
		curr = N(nd, curr)->prev;
	}
	/*
	 * Below the limit high == pfn_lo, so the walk stops at the first node
	 * whose gap fits; failing earlier (new < low) is monotonic in high, so
	 * checking the first fitting node alone gives the kernel's answer.
	 */
	q.size = size;
	q.mask = mask;
	/* Alignments above 2^7 prune with 2^7, a necessary condition. */
	q.order = size >= UINT32_MAX ? 0
				     : IMS_MIN((unsigned int)__builtin_popcountll(~mask),
					       IOVA_ALIGN_ORDERS - 1u);
	q.bound = N(nd, curr)->pfn_lo;
	fit = fit_le(iovad, iovad->root, &q);
	if (fit == IOVA_NIL)
		return IOVA_NIL;
	new = (N(nd, fit)->pfn_lo - size) & mask;
	if (new < low)
		return IOVA_NIL;
	*new_pfn = new;
	return fit;
}

/* __cached_rbnode_insert_update() */
iova_hot void cached_insert_update(struct ims_iova_domain *iovad, uint32_t x)
{
	struct iova_node *nd = iovad->nodes;

	if (N(nd, x)->pfn_hi < iovad->dma_32bit_pfn)
		iovad->cached32_node = x;
	else
		iovad->cached_node = x;
}

/* __cached_rbnode_delete_update() */
iova_hot void cached_delete_update(struct ims_iova_domain *iovad, uint32_t x)
{
	struct iova_node *nd = iovad->nodes;
	struct iova_node *free = N(nd, x), *cached = N(nd, iovad->cached32_node);

	if (x == iovad->cached32_node ||
	    (free->pfn_hi < iovad->dma_32bit_pfn && free->pfn_lo >= cached->pfn_lo))
		iovad->cached32_node = free->next;
	if (free->pfn_lo < iovad->dma_32bit_pfn)
		iovad->max32_alloc_size = iovad->dma_32bit_pfn;
	cached = N(nd, iovad->cached_node);
	if (free->pfn_lo >= cached->pfn_lo)
		iovad->cached_node = free->next;
}

/* remove_iova() */
iova_hot void remove_iova(struct ims_iova_domain *iovad, uint32_t x)
{
	cached_delete_update(iovad, x);
	tree_erase(iovad, x);
}

void iova_remove_pfn_locked(struct ims_iova_domain *iovad, uint64_t pfn)
{
	uint32_t x = private_find_iova(iovad, pfn);

	/* The kernel WARNs on a cached pfn with no node; never free the anchor. */
	if (x != IOVA_NIL && x != IOVA_ANCHOR_REF)
		remove_iova(iovad, x);
}

bool iova_pfn_in_tree_locked(struct ims_iova_domain *iovad, uint64_t pfn)
{
	uint32_t x = private_find_iova(iovad, pfn);

	return x != IOVA_NIL && x != IOVA_ANCHOR_REF;
}

/* __alloc_and_insert_iova_range(); @limit is exclusive. */
int alloc_and_insert_iova_range(struct ims_iova_domain *iovad, uint64_t size, uint64_t limit,
				bool size_aligned, struct ims_iova *out)
{
	struct iova_node *nd;
	uint64_t low = iovad->start_pfn, retry_pfn, new_pfn = 0, m1 = size - 1, mask;
	uint32_t curr, at, x;
	int pass;

	/*
	 * ~0UL << fls_long(size - 1) when size-aligned, else ~0UL: computed
	 * without branches, as callers mix the two at random.  fls_long(m1)
	 * is 63 - clz(2 * m1 + 1) for m1 < 2^63; above that the mask is 0.
	 */
	mask = m1 >> 63 ? 0 : ~0ULL << (63u - (unsigned int)__builtin_clzll((m1 << 1) | 1));
	mask = size_aligned ? mask : ~0ULL;
	iova_spin_lock(&iovad->lock);
	if (limit <= iovad->dma_32bit_pfn && size >= iovad->max32_alloc_size)
		goto iova32_full;
	if (pool_reserve(iovad)) {
		iova_spin_unlock(&iovad->lock);
		return -ENOMEM;
	}
	nd = iovad->nodes; /* the pool may have moved */
	curr = limit <= iovad->dma_32bit_pfn ? iovad->cached32_node : iovad->cached_node;
	retry_pfn = N(nd, curr)->pfn_hi;
	/*
	 * The kernel retries from iova_find_limit(limit); walking from the
	 * anchor instead stops at the same node, since every node at or above
	 * the limit sees the same candidate.
	 */
	for (pass = 0; pass < 2; pass++) {
		at = find_gap(iovad, curr, size, limit, low, mask, &new_pfn);
		if (at != IOVA_NIL)
			goto insert;
		if (!(low == iovad->start_pfn && retry_pfn < limit))
			break;
		low = retry_pfn + 1;
		curr = IOVA_ANCHOR_REF;
	}
	iovad->max32_alloc_size = size;
iova32_full:
	iova_spin_unlock(&iovad->lock);
	return -ENOMEM;

insert:
	x = pool_get(iovad);
	N(nd, x)->pfn_lo = new_pfn;
	N(nd, x)->pfn_hi = new_pfn + size - 1;
	tree_insert(iovad, x, at);
	cached_insert_update(iovad, x);
	iova_spin_unlock(&iovad->lock);
	if (out) {
		out->pfn_lo = new_pfn;
		out->pfn_hi = new_pfn + size - 1;
	}
	return 0;
}

int ims_iova_alloc(struct ims_iova_domain *iovad, uint64_t size, uint64_t limit_pfn,
		   bool size_aligned, struct ims_iova *out)
{
	if (!iovad)
		return ims_error(-EINVAL, "alloc_iova: no domain");
	if (!size)
		return ims_error(-EINVAL, "alloc_iova: size 0");
	if (limit_pfn == IMS_IOVA_ANCHOR)
		return ims_error(-EINVAL, "alloc_iova: limit_pfn %#llx is the anchor",
				 (unsigned long long)limit_pfn);
	return alloc_and_insert_iova_range(iovad, size, limit_pfn + 1, size_aligned, out);
}

int ims_iova_find(struct ims_iova_domain *iovad, uint64_t pfn, struct ims_iova *out)
{
	struct iova_node *nd;
	uint32_t x;

	if (!iovad)
		return -EINVAL;
	iova_spin_lock(&iovad->lock);
	nd = iovad->nodes; /* read under the lock: the pool may move */
	x = private_find_iova(iovad, pfn);
	if (x != IOVA_NIL && x != IOVA_ANCHOR_REF && out) {
		out->pfn_lo = N(nd, x)->pfn_lo;
		out->pfn_hi = N(nd, x)->pfn_hi;
	}
	iova_spin_unlock(&iovad->lock);
	return x != IOVA_NIL && x != IOVA_ANCHOR_REF ? 0 : -ENOENT;
}

int ims_iova_free(struct ims_iova_domain *iovad, uint64_t pfn)
{
	uint32_t x;

	if (!iovad)
		return -EINVAL;
	iova_spin_lock(&iovad->lock);
	x = private_find_iova(iovad, pfn);
	if (x == IOVA_NIL || x == IOVA_ANCHOR_REF) {
		iova_spin_unlock(&iovad->lock);
		return ims_error(-ENOENT, "free_iova: no range contains pfn %#llx",
				 (unsigned long long)pfn);
	}
	remove_iova(iovad, x);
	iova_spin_unlock(&iovad->lock);
	return 0;
}

int ims_iova_free_range(struct ims_iova_domain *iovad, const struct ims_iova *iova)
{
	struct iova_node *nd;
	uint32_t x;

	if (!iovad || !iova)
		return -EINVAL;
	iova_spin_lock(&iovad->lock);
	nd = iovad->nodes; /* read under the lock: the pool may move */
	x = private_find_iova(iovad, iova->pfn_lo);
	if (x == IOVA_NIL || x == IOVA_ANCHOR_REF || N(nd, x)->pfn_lo != iova->pfn_lo ||
	    N(nd, x)->pfn_hi != iova->pfn_hi) {
		iova_spin_unlock(&iovad->lock);
		return ims_error(-ENOENT, "__free_iova: no range [%#llx, %#llx]",
				 (unsigned long long)iova->pfn_lo,
				 (unsigned long long)iova->pfn_hi);
	}
	remove_iova(iovad, x);
	iova_spin_unlock(&iovad->lock);
	return 0;
}

int ims_iova_reserve(struct ims_iova_domain *iovad, uint64_t pfn_lo, uint64_t pfn_hi,
		     struct ims_iova *out)
{
	struct iova_node *nd;
	bool overlap = false;
	uint32_t i, x;

	if (!iovad)
		return -EINVAL;
	if ((pfn_hi | pfn_lo) > (~0ULL >> iovad->shift))
		return ims_error(-EINVAL, "reserve_iova: pfn range [%#llx, %#llx] beyond %#llx",
				 (unsigned long long)pfn_lo, (unsigned long long)pfn_hi,
				 (unsigned long long)(~0ULL >> iovad->shift));
	if (pfn_lo > pfn_hi)
		return ims_error(-EINVAL, "reserve_iova: pfn_lo %#llx above pfn_hi %#llx",
				 (unsigned long long)pfn_lo, (unsigned long long)pfn_hi);
	iova_spin_lock(&iovad->lock);
	nd = iovad->nodes; /* read under the lock: the pool may move */
	/*
	 * The kernel scans from rb_first(); nodes wholly below pfn_lo cannot
	 * overlap, and the first node that does not overlap ends the run.
	 */
	for (i = lower_bound_hi(iovad, pfn_lo); i != IOVA_ANCHOR_REF; i = N(nd, i)->next) {
		struct iova_node *n = N(nd, i);

		if (!(pfn_lo <= n->pfn_hi && pfn_hi >= n->pfn_lo))
			break;
		/* __adjust_overlap_range() */
		if (pfn_lo < n->pfn_lo)
			n->pfn_lo = pfn_lo; /* its gap shrinks: the bounds stay valid */
		if (pfn_hi > n->pfn_hi)
			pfn_lo = n->pfn_hi + 1;
		if (pfn_lo >= n->pfn_lo && pfn_hi <= n->pfn_hi) {
			x = i;
			goto finish;
		}
		overlap = true;
	}
	(void)overlap;
	if (pool_reserve(iovad)) {
		iova_spin_unlock(&iovad->lock);
		return -ENOMEM;
	}
	nd = iovad->nodes; /* the pool may have moved */
	x = pool_get(iovad);
	N(nd, x)->pfn_lo = pfn_lo;
	N(nd, x)->pfn_hi = pfn_hi;
	tree_insert(iovad, x, lower_bound_lo(iovad, pfn_lo));
finish:
	if (out) {
		out->pfn_lo = N(nd, x)->pfn_lo;
		out->pfn_hi = N(nd, x)->pfn_hi;
	}
	iova_spin_unlock(&iovad->lock);
	return 0;
}

int ims_iova_domain_create(struct ims_iova_domain **out, uint64_t granule, uint64_t start_pfn)
{
	struct ims_iova_domain *iovad;
	struct iova_node *a;
	int ret;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!ims_is_power_of_2(granule) || granule < IMS_IOVA_MIN_GRANULE)
		return ims_error(-EINVAL,
				 "init_iova_domain: granule %#llx is not a power of two >= %d",
				 (unsigned long long)granule, IMS_IOVA_MIN_GRANULE);
	iovad = calloc(1, sizeof(*iovad));
	if (!iovad)
		return -ENOMEM;
	iovad->granule = granule;
	iovad->shift = ims_ilog2(granule);
	iovad->start_pfn = start_pfn;
	iovad->dma_32bit_pfn = iovad->shift >= 32 ? 1 : 1ULL << (32 - iovad->shift);
	iovad->max32_alloc_size = iovad->dma_32bit_pfn;
	iovad->linear_steps = IOVA_DEFAULT_LINEAR_STEPS;
	iovad->uid = atomic_fetch_add(&iova_domain_uids, 1);
	iovad->free_head = IOVA_NIL;
	if (pool_reserve(iovad)) {
		ims_iova_domain_destroy(iovad);
		return -ENOMEM;
	}
	a = &iovad->nodes[1];
	memset(a, 0, sizeof(*a));
	a->pfn_lo = a->pfn_hi = IMS_IOVA_ANCHOR;
	pull(iovad, IOVA_ANCHOR_REF);
	a->color = IOVA_BLACK;
	iovad->root = IOVA_ANCHOR_REF;
	iovad->cached_node = iovad->cached32_node = IOVA_ANCHOR_REF;
	ret = iova_domain_init_rcaches(iovad);
	if (ret) {
		ims_iova_domain_destroy(iovad);
		return ret;
	}
	*out = iovad;
	return 0;
}

void ims_iova_domain_destroy(struct ims_iova_domain *iovad)
{
	if (!iovad)
		return;
	iova_domain_free_rcaches(iovad);
	free(iovad->nodes);
	free(iovad);
}

void ims_iova_set_linear_steps(struct ims_iova_domain *iovad, unsigned int steps)
{
	if (!iovad)
		return;
	iova_spin_lock(&iovad->lock);
	iovad->linear_steps = steps;
	iova_spin_unlock(&iovad->lock);
}

void ims_iova_get_info(struct ims_iova_domain *iovad, struct ims_iova_info *info)
{
	struct iova_node *nd;

	memset(info, 0, sizeof(*info));
	if (!iovad)
		return;
	iova_spin_lock(&iovad->lock);
	nd = iovad->nodes; /* read under the lock: the pool may move */
	info->granule = iovad->granule;
	info->start_pfn = iovad->start_pfn;
	info->dma_32bit_pfn = iovad->dma_32bit_pfn;
	info->max32_alloc_size = iovad->max32_alloc_size;
	info->cached32.pfn_lo = N(nd, iovad->cached32_node)->pfn_lo;
	info->cached32.pfn_hi = N(nd, iovad->cached32_node)->pfn_hi;
	info->cached.pfn_lo = N(nd, iovad->cached_node)->pfn_lo;
	info->cached.pfn_hi = N(nd, iovad->cached_node)->pfn_hi;
	info->nodes = iovad->nr_nodes;
	iova_spin_unlock(&iovad->lock);
	iova_rcache_info(iovad, info);
}

/*
 * Check subtree @i: parent links, heap order, key range, and that every bound
 * covers the true maxima (@truth receives them) and its children's bounds.
 * Returns the node count or -1.
 */
static int64_t check_subtree(struct ims_iova_domain *iovad, uint32_t i, uint32_t parent,
			     uint64_t lo, uint64_t hi, unsigned int depth,
			     uint32_t truth[IOVA_ALIGN_ORDERS], unsigned int *bh)
{
	struct iova_node *nd = iovad->nodes;
	uint32_t tl[IOVA_ALIGN_ORDERS] = { 0 }, tr[IOVA_ALIGN_ORDERS] = { 0 };
	struct iova_bounds own;
	unsigned int bl = 0, br = 0;
	struct iova_node *n;
	int64_t l, r;

	memset(truth, 0, sizeof(uint32_t) * IOVA_ALIGN_ORDERS);
	*bh = 1;
	if (i == IOVA_NIL)
		return 0;
	if (depth > 4096 || i % sizeof(*n) || i / sizeof(*n) >= iovad->cap)
		return -1;
	n = N(nd, i);
	if (n->parent != parent || n->pfn_lo < lo || n->pfn_lo > hi)
		return -1;
	/* Red-black: no red node has a red child; equal black heights. */
	if (n->color == IOVA_RED && (is_red(iovad, n->left) || is_red(iovad, n->right)))
		return -1;
	l = check_subtree(iovad, n->left, i, lo, n->pfn_lo ? n->pfn_lo - 1 : 0, depth + 1, tl, &bl);
	r = check_subtree(iovad, n->right, i, n->pfn_lo + 1, hi, depth + 1, tr, &br);
	if (l < 0 || r < 0 || bl != br || (n->left != IOVA_NIL && n->pfn_lo == 0))
		return -1;
	*bh = bl + (n->color == IOVA_BLACK);
	/* The scalar definition, to check the vector form against. */
	own = own_avail(n);
	for (unsigned int k = 0; k < IOVA_ALIGN_ORDERS; k++)
		truth[k] = node_avail(n, k);
	if (memcmp(truth, &own, sizeof(own)))
		return -1;
	for (unsigned int k = 0; k < IOVA_ALIGN_ORDERS; k++) {
		truth[k] = IMS_MAX(truth[k], IMS_MAX(tl[k], tr[k]));
		if (n->max_avail[k] < truth[k])
			return -1;
		if (n->left != IOVA_NIL && N(nd, n->left)->max_avail[k] > n->max_avail[k])
			return -1;
		if (n->right != IOVA_NIL && N(nd, n->right)->max_avail[k] > n->max_avail[k])
			return -1;
	}
	return l + r + 1;
}

int ims_iova_check(struct ims_iova_domain *iovad)
{
	struct iova_node *nd;
	uint32_t i, prev = IOVA_NIL, first;
	uint64_t count = 0;
	uint32_t truth[IOVA_ALIGN_ORDERS];
	unsigned int bh;
	int64_t total;
	int ret = 0;

	if (!iovad)
		return -EINVAL;
	iova_spin_lock(&iovad->lock);
	nd = iovad->nodes; /* read under the lock: the pool may move */
	total = check_subtree(iovad, iovad->root, IOVA_NIL, 0, ~0ULL, 0, truth, &bh);
	if (total < 0 || (uint64_t)total != iovad->nr_nodes + 1 || is_red(iovad, iovad->root)) {
		ret = ims_error(-EFAULT, "iova: tree shape, order or gap index is broken");
		goto out;
	}
	first = iovad->root;
	while (N(nd, first)->left != IOVA_NIL)
		first = N(nd, first)->left;
	for (i = first; i != IOVA_NIL; i = N(nd, i)->next) {
		struct iova_node *n = N(nd, i);

		if (n->prev != prev || n->pfn_lo > n->pfn_hi ||
		    n->gap_lo != (prev != IOVA_NIL ? N(nd, prev)->pfn_hi + 1 : 0) ||
		    (prev != IOVA_NIL && N(nd, prev)->pfn_hi >= n->pfn_lo) ||
		    ++count > iovad->nr_nodes + 1) {
			ret = ims_error(-EFAULT, "iova: range [%#llx, %#llx] is out of order",
					(unsigned long long)n->pfn_lo,
					(unsigned long long)n->pfn_hi);
			goto out;
		}
		prev = i;
	}
	if (prev != IOVA_ANCHOR_REF || count != iovad->nr_nodes + 1)
		ret = ims_error(-EFAULT, "iova: neighbour links do not end at the anchor");
out:
	iova_spin_unlock(&iovad->lock);
	if (!ret)
		ret = iova_rcache_check(iovad);
	return ret;
}
