/* SPDX-License-Identifier: MIT */
/*
 * Benchmarks of the pgtable module: ARM_64_LPAE_S1, 4K granule, ias 48
 * (a four-level walk), tables in host memory from a pre-faulted pool.
 * The gather is queued (dma-iommu's flush-queue mode, IOMMU_DOMAIN_DMA_FQ),
 * so leaves are not passed to tlb_add_page; the -strict variants pass every
 * leaf to a tlb_add_page that widens the gather as a driver's
 * iommu_iotlb_gather_add_page() does.  No TLB invalidation is timed (as
 * perf-anchors.md excludes it).
 *
 *   pgtable-map-4k / -unmap-4k:   one 4K page per call, tables populated.
 *   pgtable-map-256x4k / -unmap-256x4k: one call of 256 pages in a leaf table.
 *   pgtable-map-block-2m:         one 2M block per call, tables populated.
 *   pgtable-map-newtable:         each call allocates and zeroes a leaf table.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <iommusim/pgtable.h>

#include "bench.h"

#define SZ_4K 0x1000ULL
#define SZ_2M 0x200000ULL
#define SZ_1G 0x40000000ULL
#define IOVA_BASE 0x100000000000ULL /* 16 TiB: far from 0 */

/* A pool of pre-faulted 4K tables with a free list (larger sizes use aligned_alloc). */
struct pool {
	uint8_t *base;
	size_t n;
	void **freelist;
	size_t nfree;
};

static int pool_alloc(void *cookie, size_t size, uint64_t *pa, void **va)
{
	struct pool *p = cookie;
	void *t;

	if (size == SZ_4K && p->nfree) {
		t = p->freelist[--p->nfree];
	} else {
		t = aligned_alloc(size, size);
		if (!t)
			return -12;
	}
	memset(t, 0, size);
	*va = t;
	*pa = (uint64_t)(uintptr_t)t;
	return 0;
}

static void pool_free(void *cookie, uint64_t pa, void *va, size_t size)
{
	struct pool *p = cookie;
	uint8_t *t = va;

	(void)pa;
	if (size == SZ_4K && t >= p->base && t < p->base + p->n * SZ_4K)
		p->freelist[p->nfree++] = va;
	else
		free(va);
}

static void add_page(struct ims_iotlb_gather *gather, uint64_t iova, size_t granule, void *cookie)
{
	(void)cookie;
	if (gather) {
		gather->pgsize = granule;
		ims_iotlb_gather_add_range(gather, iova, granule);
	}
}

static const struct ims_pgtable_mem_ops pool_ops = { pool_alloc, pool_free };
static const struct ims_iommu_flush_ops tlb_ops = { NULL, NULL, add_page };

struct ctx {
	struct ims_io_pgtable_ops *ops;
	struct pool pool;
	struct ims_iotlb_gather gather;
	uint64_t stride; /* iova step per op */
	uint64_t pgsize;
	size_t pgcount;
	uint64_t cap; /* ops before wrapping */
	long errors;
};

static int ctx_init(struct ctx *c, size_t pool_tables, bool queued)
{
	struct ims_io_pgtable_cfg cfg;

	memset(c, 0, sizeof(*c));
	c->pool.n = pool_tables;
	c->pool.base = aligned_alloc(SZ_4K, pool_tables * SZ_4K);
	c->pool.freelist = malloc(pool_tables * sizeof(void *));
	if (!c->pool.base || !c->pool.freelist)
		return -12;
	memset(c->pool.base, 0, pool_tables * SZ_4K); /* pre-fault */
	for (size_t i = 0; i < pool_tables; i++)
		c->pool.freelist[i] = c->pool.base + (pool_tables - 1 - i) * SZ_4K;
	c->pool.nfree = pool_tables;

	memset(&cfg, 0, sizeof(cfg));
	cfg.pgsize_bitmap = SZ_4K | SZ_2M | SZ_1G;
	cfg.ias = 48;
	cfg.oas = 48;
	cfg.coherent_walk = true;
	cfg.tlb = &tlb_ops;
	cfg.mem = &pool_ops;
	cfg.mem_cookie = &c->pool;
	ims_iotlb_gather_init(&c->gather);
	c->gather.queued = queued;
	return ims_pgtable_alloc_ops(&c->ops, IMS_ARM_64_LPAE_S1, &cfg, c);
}

static void ctx_fini(struct ctx *c)
{
	ims_pgtable_free_ops(c->ops);
	free(c->pool.base);
	free(c->pool.freelist);
}

static inline uint64_t op_iova(const struct ctx *c, uint64_t i)
{
	/* bench_run() never passes i >= cap (it runs n + batch ops; cap = n + 2 batch). */
	return IOVA_BASE + i * c->stride;
}

static void map_op(void *ctx, uint64_t i)
{
	struct ctx *c = ctx;
	uint64_t iova = op_iova(c, i);
	size_t mapped = 0;

	if (c->ops->map_pages(c->ops, iova, iova, c->pgsize, c->pgcount,
			      IMS_IOMMU_READ | IMS_IOMMU_WRITE | IMS_IOMMU_CACHE, 0, &mapped))
		c->errors++;
}

static void unmap_op(void *ctx, uint64_t i)
{
	struct ctx *c = ctx;

	if (c->ops->unmap_pages(c->ops, op_iova(c, i), c->pgsize, c->pgcount, &c->gather) !=
	    c->pgsize * c->pgcount)
		c->errors++;
}

/* Map then unmap everything the run will touch, so that the tables exist. */
static void populate(struct ctx *c)
{
	uint64_t span = c->cap * c->stride, step = c->pgsize == SZ_4K ? SZ_2M : SZ_1G;

	/* One page per leaf table (or one block per level-2 table) creates them. */
	for (uint64_t off = 0; off < span; off += step) {
		size_t mapped = 0;

		c->ops->map_pages(c->ops, IOVA_BASE + off, 0, c->pgsize, 1, IMS_IOMMU_READ, 0,
				  &mapped);
		c->ops->unmap_pages(c->ops, IOVA_BASE + off, c->pgsize, 1, NULL);
	}
}

static size_t tables_for(uint64_t span)
{
	return (size_t)(span / SZ_2M) + (size_t)(span / SZ_1G) + 64;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * Map then unmap @k ops of @pgcount x @pgsize, @stride apart, in rounds
 * until @total ops were timed each way: a warm working set of tables, as
 * DMA mappings reuse recently freed IOVA.  The figures are the median of
 * the rounds' medians and the worst round's p99.
 */
static int run_rounds(struct bench_result *map_res, struct bench_result *unmap_res, uint64_t pgsize,
		      size_t pgcount, uint64_t stride, uint64_t k, uint64_t total,
		      unsigned int batch, bool queued)
{
	uint64_t rounds = total / k ? total / k : 1;
	double *med[2];
	struct ctx c;
	int ret;

	if (rounds > 4096)
		rounds = 4096;
	med[0] = calloc(rounds, sizeof(double));
	med[1] = calloc(rounds, sizeof(double));
	ret = (med[0] && med[1]) ? ctx_init(&c, tables_for((k + 2 * batch) * stride), queued) : -12;
	if (ret) {
		free(med[0]);
		free(med[1]);
		return ret;
	}
	c.pgsize = pgsize;
	c.pgcount = pgcount;
	c.stride = stride;
	c.cap = k + 2 * batch;
	populate(&c);
	map_res->p99_ns = unmap_res->p99_ns = 0;
	map_res->ops = unmap_res->ops = 0;
	for (uint64_t r = 0; r < rounds; r++) {
		struct bench_result m = { 0 }, u = { 0 };

		bench_run(&m, map_op, &c, k, batch);
		bench_run(&u, unmap_op, &c, k, batch);
		med[0][r] = m.median_ns;
		med[1][r] = u.median_ns;
		map_res->p99_ns = m.p99_ns > map_res->p99_ns ? m.p99_ns : map_res->p99_ns;
		unmap_res->p99_ns = u.p99_ns > unmap_res->p99_ns ? u.p99_ns : unmap_res->p99_ns;
		map_res->ops += m.ops;
		unmap_res->ops += u.ops;
	}
	qsort(med[0], rounds, sizeof(double), cmp_double);
	qsort(med[1], rounds, sizeof(double), cmp_double);
	map_res->median_ns = med[0][rounds / 2];
	unmap_res->median_ns = med[1][rounds / 2];
	bench_extra(map_res, "\"pages_per_op\": %zu, \"rounds\": %llu, \"errors\": %ld", pgcount,
		    (unsigned long long)rounds, c.errors);
	bench_extra(unmap_res,
		    "\"pages_per_op\": %zu, \"rounds\": %llu, \"gather\": \"%s\", \"errors\": %ld",
		    pgcount, (unsigned long long)rounds, queued ? "queued" : "strict", c.errors);
	free(med[0]);
	free(med[1]);
	ctx_fini(&c);
	return c.errors ? -5 : 0;
}

/* One run gives both the map and the unmap figure; keep them for the second. */
static struct bench_result res_4k[2][2], res_256[2][2];
static int have_4k[2], have_256[2];
static uint64_t ops_4k[2], ops_256[2];

static void copy_res(struct bench_result *res, const struct bench_result *from)
{
	res->median_ns = from->median_ns;
	res->p99_ns = from->p99_ns;
	res->ops = from->ops;
	memcpy(res->extra, from->extra, sizeof(res->extra));
}

void bench_pgtable_forget(void)
{
	have_4k[0] = have_4k[1] = have_256[0] = have_256[1] = 0;
}

static int run_4k(const struct bench_opts *opts, struct bench_result *res, int which, int strict)
{
	/* 65536 pages: 128 leaf tables (512 KiB) per round. */
	uint64_t k = opts->ops < 65536 ? opts->ops : 65536;

	if (!have_4k[strict] || ops_4k[strict] != opts->ops) {
		int ret = run_rounds(&res_4k[strict][0], &res_4k[strict][1], SZ_4K, 1, SZ_4K, k,
				     opts->ops, 256, !strict);

		if (ret)
			return ret;
		have_4k[strict] = 1;
		ops_4k[strict] = opts->ops;
	}
	copy_res(res, &res_4k[strict][which]);
	return 0;
}

static int run_map_4k(const struct bench_opts *opts, struct bench_result *res)
{
	return run_4k(opts, res, 0, 0);
}

static int run_unmap_4k(const struct bench_opts *opts, struct bench_result *res)
{
	return run_4k(opts, res, 1, 0);
}

static int run_unmap_4k_strict(const struct bench_opts *opts, struct bench_result *res)
{
	return run_4k(opts, res, 1, 1);
}

static int run_256(const struct bench_opts *opts, struct bench_result *res, int which, int strict)
{
	/* Calls of 256 pages, 256 calls (128 leaf tables) per round; ops counts pages. */
	uint64_t total = opts->ops / 256 ? opts->ops / 256 : 1, k = total < 256 ? total : 256;

	if (!have_256[strict] || ops_256[strict] != opts->ops) {
		int ret = run_rounds(&res_256[strict][0], &res_256[strict][1], SZ_4K, 256,
				     256 * SZ_4K, k, total, 16, !strict);

		if (ret)
			return ret;
		have_256[strict] = 1;
		ops_256[strict] = opts->ops;
	}
	copy_res(res, &res_256[strict][which]);
	bench_extra(res, "\"ns_per_pte\": %.3f", res->median_ns / 256);
	return 0;
}

static int run_map_256(const struct bench_opts *opts, struct bench_result *res)
{
	return run_256(opts, res, 0, 0);
}

static int run_unmap_256(const struct bench_opts *opts, struct bench_result *res)
{
	return run_256(opts, res, 1, 0);
}

static int run_unmap_256_strict(const struct bench_opts *opts, struct bench_result *res)
{
	return run_256(opts, res, 1, 1);
}

static int run_block_2m(const struct bench_opts *opts, struct bench_result *res)
{
	/* 65536 blocks: 128 level-2 tables per round. */
	struct bench_result unmap = { 0 };
	uint64_t k = opts->ops < 65536 ? opts->ops : 65536;

	return run_rounds(res, &unmap, SZ_2M, 1, SZ_2M, k, opts->ops, 256, true);
}

static int run_newtable(const struct bench_opts *opts, struct bench_result *res)
{
	/* Every op lands in a fresh 2M slot: a leaf table is allocated and zeroed. */
	uint64_t n = opts->ops > 65536 ? 65536 : opts->ops;
	struct ctx c;
	int ret;

	ret = ctx_init(&c, (size_t)n + 1024, true);
	if (ret)
		return ret;
	c.pgsize = SZ_4K;
	c.pgcount = 1;
	c.stride = SZ_2M;
	c.cap = n + 128;
	/* Level-1/2 tables exist; leaf tables do not. */
	for (uint64_t off = 0; off < c.cap * SZ_2M; off += SZ_1G) {
		size_t mapped = 0;

		c.ops->map_pages(c.ops, IOVA_BASE + off, 0, SZ_2M, 1, IMS_IOMMU_READ, 0, &mapped);
		c.ops->unmap_pages(c.ops, IOVA_BASE + off, SZ_2M, 1, NULL);
	}
	bench_run(res, map_op, &c, n, 64);
	bench_extra(res, "\"tables_allocated\": %zu, \"errors\": %ld", c.pool.n - c.pool.nfree,
		    c.errors);
	ctx_fini(&c);
	return c.errors ? -5 : 0;
}

static const struct bench_def map_4k = {
	"pgtable-map-4k",
	"map one 4K page into populated tables (S1, 4 levels)",
	run_map_4k,
};
static const struct bench_def unmap_4k = {
	"pgtable-unmap-4k",
	"unmap one 4K page (tables stay)",
	run_unmap_4k,
};
static const struct bench_def unmap_4k_strict = {
	"pgtable-unmap-4k-strict",
	"unmap one 4K page, tlb_add_page gathering it (strict mode)",
	run_unmap_4k_strict,
};
static const struct bench_def map_256 = {
	"pgtable-map-256x4k",
	"one map_pages call of 256 x 4K in one leaf table",
	run_map_256,
};
static const struct bench_def unmap_256 = {
	"pgtable-unmap-256x4k",
	"one unmap_pages call of 256 x 4K",
	run_unmap_256,
};
static const struct bench_def unmap_256_strict = {
	"pgtable-unmap-256x4k-strict",
	"unmap 256 x 4K, tlb_add_page per page (strict mode)",
	run_unmap_256_strict,
};
static const struct bench_def map_block_2m = {
	"pgtable-map-block-2m",
	"map one 2M block into populated tables",
	run_block_2m,
};
static const struct bench_def map_newtable = {
	"pgtable-map-newtable",
	"map a 4K page where a new leaf table must be allocated and zeroed",
	run_newtable,
};

const struct bench_def *const bench_pgtable[] = {
	&map_4k,       &unmap_4k,	 &map_256,	    &unmap_256, &map_block_2m,
	&map_newtable, &unmap_4k_strict, &unmap_256_strict, NULL,
};
