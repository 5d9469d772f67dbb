/* SPDX-License-Identifier: MIT */
/*
 * A plain, slow re-statement of Linux 6.12 drivers/iommu/iova.c for one CPU,
 * used as the oracle the fast allocator is compared with.  The rbtree is a
 * sorted array (the anchor last); rb_prev() is index - 1; the cached-node
 * hints are indices.  The walk is the kernel's loop, step by step, and the
 * retry starts at iova_find_limit()'s node (the lowest node at or above the
 * limit), not at the anchor as the fast allocator does.
 */
#ifndef IMS_TESTS_IOVA_REF_H
#define IMS_TESTS_IOVA_REF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define REF_MAG 127
#define REF_BINS 6

struct ref_node {
	uint64_t lo, hi;
};

struct ref_mag {
	uint64_t size;
	uint64_t pfns[REF_MAG];
};

struct ref_dom {
	struct ref_node *v;
	long n, cap;
	long cached32, cached;
	uint64_t start_pfn, dma32, max32;
	unsigned int shift;
	struct ref_mag *loaded[REF_BINS], *prev[REF_BINS];
	struct ref_mag **depot[REF_BINS];
	long depot_n[REF_BINS], depot_cap[REF_BINS];
};

static inline unsigned int ref_fls(uint64_t x)
{
	return x ? 64u - (unsigned int)__builtin_clzll(x) : 0u;
}

static inline unsigned int ref_order(uint64_t size)
{
	return size <= 1 ? 0 : ref_fls(size - 1);
}

__attribute__((unused)) static void ref_init(struct ref_dom *d, uint64_t granule,
					     uint64_t start_pfn)
{
	memset(d, 0, sizeof(*d));
	d->cap = 16;
	d->v = malloc(sizeof(*d->v) * (size_t)d->cap);
	d->n = 1;
	d->v[0].lo = d->v[0].hi = ~0ULL;
	d->cached = d->cached32 = 0;
	d->shift = ref_fls(granule) - 1;
	d->start_pfn = start_pfn;
	d->dma32 = 1ULL << (32 - d->shift);
	d->max32 = d->dma32;
	for (int i = 0; i < REF_BINS; i++) {
		d->loaded[i] = calloc(1, sizeof(struct ref_mag));
		d->prev[i] = calloc(1, sizeof(struct ref_mag));
	}
}

__attribute__((unused)) static void ref_destroy(struct ref_dom *d)
{
	for (int i = 0; i < REF_BINS; i++) {
		free(d->loaded[i]);
		free(d->prev[i]);
		for (long k = 0; k < d->depot_n[i]; k++)
			free(d->depot[i][k]);
		free(d->depot[i]);
	}
	free(d->v);
}

static void ref_insert_at(struct ref_dom *d, long pos, uint64_t lo, uint64_t hi)
{
	if (d->n == d->cap) {
		d->cap *= 2;
		d->v = realloc(d->v, sizeof(*d->v) * (size_t)d->cap);
	}
	memmove(&d->v[pos + 1], &d->v[pos], sizeof(*d->v) * (size_t)(d->n - pos));
	d->v[pos].lo = lo;
	d->v[pos].hi = hi;
	d->n++;
	if (d->cached32 >= pos)
		d->cached32++;
	if (d->cached >= pos)
		d->cached++;
}

/* private_find_iova() */
static long ref_find(const struct ref_dom *d, uint64_t pfn)
{
	for (long i = 0; i < d->n; i++)
		if (d->v[i].lo <= pfn && pfn <= d->v[i].hi)
			return i;
	return -1;
}

/* remove_iova(): __cached_rbnode_delete_update() then rb_erase(). */
static void ref_remove(struct ref_dom *d, long i)
{
	struct ref_node f = d->v[i];

	if (i == d->cached32 || (f.hi < d->dma32 && f.lo >= d->v[d->cached32].lo))
		d->cached32 = i + 1;
	if (f.lo < d->dma32)
		d->max32 = d->dma32;
	if (f.lo >= d->v[d->cached].lo)
		d->cached = i + 1;
	memmove(&d->v[i], &d->v[i + 1], sizeof(*d->v) * (size_t)(d->n - i - 1));
	d->n--;
	if (d->cached32 > i)
		d->cached32--;
	if (d->cached > i)
		d->cached--;
}

/* alloc_iova(); returns the pfn or ~0 on failure. */
__attribute__((unused)) static uint64_t ref_alloc(struct ref_dom *d, uint64_t size,
						  uint64_t limit_pfn, bool size_aligned)
{
	uint64_t limit = limit_pfn + 1, mask = ~0ULL, high = limit, low = d->start_pfn, new = 0;
	uint64_t retry_pfn;
	long curr, prev;
	int passes = 0;

	if (size_aligned)
		mask = ref_fls(size - 1) >= 64 ? 0 : ~0ULL << ref_fls(size - 1);
	if (limit <= d->dma32 && size >= d->max32)
		return ~0ULL;
	curr = limit <= d->dma32 ? d->cached32 : d->cached;
	retry_pfn = d->v[curr].hi;
retry:
	do {
		high = high < d->v[curr].lo ? high : d->v[curr].lo;
		new = (high - size) & mask;
		prev = curr;
		curr--;
	} while (curr >= 0 && new <= d->v[curr].hi &&new >= low);
	if (high < size || new < low) {
		if (low == d->start_pfn && retry_pfn < limit && ++passes < 2) {
			high = limit;
			low = retry_pfn + 1;
			/* iova_find_limit(): the lowest node at or above the limit */
			for (curr = 0; d->v[curr].lo < limit; curr++)
				;
			goto retry;
		}
		d->max32 = size;
		return ~0ULL;
	}
	ref_insert_at(d, prev, new, new + size - 1);
	if (new + size - 1 < d->dma32)
		d->cached32 = prev;
	else
		d->cached = prev;
	return new;
}

__attribute__((unused)) static int ref_free(struct ref_dom *d, uint64_t pfn)
{
	long i = ref_find(d, pfn);

	if (i < 0 || i == d->n - 1)
		return -1;
	ref_remove(d, i);
	return 0;
}

static void ref_mag_free_pfns(struct ref_dom *d, struct ref_mag *m)
{
	for (uint64_t i = 0; i < m->size; i++) {
		long k = ref_find(d, m->pfns[i]);

		if (k >= 0 && k != d->n - 1)
			ref_remove(d, k);
	}
	m->size = 0;
}

/* free_cpu_cached_iovas() + free_global_cached_iovas() */
__attribute__((unused)) static void ref_flush(struct ref_dom *d, bool cpu, bool global)
{
	for (int i = 0; cpu && i < REF_BINS; i++) {
		ref_mag_free_pfns(d, d->loaded[i]);
		ref_mag_free_pfns(d, d->prev[i]);
	}
	for (int i = 0; global && i < REF_BINS; i++) {
		while (d->depot_n[i]) {
			struct ref_mag *m = d->depot[i][--d->depot_n[i]];

			ref_mag_free_pfns(d, m);
			free(m);
		}
	}
}

/* the depot work, down to @keep magazines per class */
__attribute__((unused)) static int ref_reclaim(struct ref_dom *d, long keep)
{
	int freed = 0;

	for (int i = 0; i < REF_BINS; i++) {
		while (d->depot_n[i] > keep) {
			struct ref_mag *m = d->depot[i][--d->depot_n[i]];

			ref_mag_free_pfns(d, m);
			free(m);
			freed++;
		}
	}
	return freed;
}

__attribute__((unused)) static uint64_t ref_alloc_fast(struct ref_dom *d, uint64_t size,
						       uint64_t limit_pfn, bool flush)
{
	unsigned int b;
	uint64_t pfn;

	if (size < 32)
		size = 1ULL << ref_order(size);
	b = ref_order(size);
	if (b < REF_BINS) {
		struct ref_mag *m = NULL;

		if (d->loaded[b]->size) {
			m = d->loaded[b];
		} else if (d->prev[b]->size) {
			m = d->prev[b];
			d->prev[b] = d->loaded[b];
			d->loaded[b] = m;
		} else if (d->depot_n[b]) {
			free(d->loaded[b]);
			m = d->loaded[b] = d->depot[b][--d->depot_n[b]];
		}
		if (m) {
			uint64_t lim = limit_pfn + 1 - size;
			long i;

			for (i = (long)m->size - 1; i >= 0 && m->pfns[i] > lim; i--)
				;
			if (i >= 0) {
				pfn = m->pfns[i];
				m->pfns[i] = m->pfns[--m->size];
				return pfn;
			}
		}
	}
	for (;;) {
		pfn = ref_alloc(d, size, limit_pfn, true);
		if (pfn != ~0ULL)
			return pfn;
		if (!flush)
			return 0;
		flush = false;
		ref_flush(d, true, true);
	}
}

__attribute__((unused)) static void ref_free_fast(struct ref_dom *d, uint64_t pfn, uint64_t size)
{
	unsigned int b = ref_order(size);

	if (b < REF_BINS) {
		if (d->loaded[b]->size == REF_MAG && d->prev[b]->size < REF_MAG) {
			struct ref_mag *t = d->prev[b];

			d->prev[b] = d->loaded[b];
			d->loaded[b] = t;
		} else if (d->loaded[b]->size == REF_MAG) {
			if (d->depot_n[b] == d->depot_cap[b]) {
				d->depot_cap[b] = d->depot_cap[b] ? 2 * d->depot_cap[b] : 8;
				d->depot[b] = realloc(d->depot[b], sizeof(*d->depot[b]) *
									   (size_t)d->depot_cap[b]);
			}
			d->depot[b][d->depot_n[b]++] = d->loaded[b];
			d->loaded[b] = calloc(1, sizeof(struct ref_mag));
		}
		d->loaded[b]->pfns[d->loaded[b]->size++] = pfn;
		return;
	}
	ref_free(d, pfn);
}

/* reserve_iova(); returns the index of the covering node */
__attribute__((unused)) static long ref_reserve(struct ref_dom *d, uint64_t lo, uint64_t hi)
{
	bool overlap = false;
	long i;

	for (i = 0; i < d->n; i++) {
		struct ref_node *v = &d->v[i];

		if (lo <= v->hi && hi >= v->lo) {
			if (lo < v->lo)
				v->lo = lo;
			if (hi > v->hi)
				lo = v->hi + 1;
			if (lo >= v->lo && hi <= v->hi)
				return i;
			overlap = true;
		} else if (overlap) {
			break;
		}
	}
	for (i = 0; d->v[i].lo < lo; i++)
		;
	ref_insert_at(d, i, lo, hi);
	return i;
}

#endif
