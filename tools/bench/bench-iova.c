/* SPDX-License-Identifier: MIT */
/*
 * Benchmarks of the iova module (targets in perf-anchors.md §2):
 *   iova-pair-warm          alloc_iova_fast + free_iova_fast, warm magazines, sizes 1..32
 *   iova-alloc-slow         alloc_iova (tree path) + free_iova with 10^5 live ranges
 *   iova-alloc-adversarial  the comb of 1-pfn holes that makes Linux's walk linear
 */
#include <stdlib.h>

#include "bench.h"
#include "iommusim/iova.h"

#define LIMIT32 0xfffffULL     /* 4K granule: the 32-bit space */
#define LIMIT48 0xfffffffffULL /* 4K granule: a 48-bit space */

/* ---- iova-pair-warm ---- */

struct pair_ctx {
	struct ims_iova_domain *iovad;
};

/* The pfn goes straight back to free_iova_fast(), which keeps it live. */
static void pair_op(void *ctx, uint64_t i)
{
	struct ims_iova_domain *iovad = ((struct pair_ctx *)ctx)->iovad;
	uint64_t size = 1 + (i & 31);
	uint64_t pfn = ims_iova_alloc_fast(iovad, size, LIMIT32, true);

	ims_iova_free_fast(iovad, pfn, size);
}

static int run_pair_warm(const struct bench_opts *opts, struct bench_result *res)
{
	struct pair_ctx c = { NULL };
	struct ims_iova_info info;
	int ret = ims_iova_domain_create(&c.iovad, 4096, 1);

	if (ret)
		return ret;
	for (uint64_t i = 0; i < 4096; i++)
		pair_op(&c, i);
	bench_run(res, pair_op, &c, opts->ops, 256);
	ims_iova_get_info(c.iovad, &info);
	bench_extra(res, "\"cached_pfns\": %llu, \"tree_nodes\": %llu",
		    (unsigned long long)info.cached_pfns, (unsigned long long)info.nodes);
	ims_iova_domain_destroy(c.iovad);
	return 0;
}

/* ---- iova-alloc-slow ---- */

#define SLOW_LIVE 100000

struct slow_ctx {
	struct ims_iova_domain *iovad;
	uint64_t *live;
	uint64_t seed;
	uint64_t fails;
};

/* Churn: alloc_iova of a random size, then free a random live range (builds fragmentation). */
static void churn_op(struct slow_ctx *c)
{
	uint64_t r = bench_rand(&c->seed);
	uint64_t size = 1 + (r & 63), k = (r >> 8) % SLOW_LIVE;
	struct ims_iova iova;

	if (ims_iova_alloc(c->iovad, size, LIMIT48, (r >> 6) & 1, &iova)) {
		c->fails++;
		return;
	}
	ims_iova_free(c->iovad, c->live[k]);
	c->live[k] = iova.pfn_lo;
}

/* The timed op: alloc_iova of a random size (size-aligned half the time), then free it. */
static void slow_op(void *ctx, uint64_t i)
{
	struct slow_ctx *c = ctx;
	uint64_t r = bench_rand(&c->seed);
	struct ims_iova iova;

	(void)i;
	if (ims_iova_alloc(c->iovad, 1 + (r & 63), LIMIT48, (r >> 6) & 1, &iova)) {
		c->fails++;
		return;
	}
	ims_iova_free(c->iovad, iova.pfn_lo);
}

/* The same with a random victim freed each time: every free is a cold tree search. */
static void churn_timed_op(void *ctx, uint64_t i)
{
	(void)i;
	churn_op(ctx);
}

static int run_alloc_slow(const struct bench_opts *opts, struct bench_result *res)
{
	struct slow_ctx c = { NULL, NULL, 0x51077, 0 };
	struct bench_result churn = { 0 };
	struct ims_iova iova;
	int ret = ims_iova_domain_create(&c.iovad, 4096, 1);

	if (ret)
		return ret;
	c.live = malloc(SLOW_LIVE * sizeof(*c.live));
	if (!c.live) {
		ims_iova_domain_destroy(c.iovad);
		return -ENOMEM;
	}
	for (int k = 0; k < SLOW_LIVE; k++) {
		uint64_t r = bench_rand(&c.seed);

		ims_iova_alloc(c.iovad, 1 + (r & 63), LIMIT48, (r >> 6) & 1, &iova);
		c.live[k] = iova.pfn_lo;
	}
	/* Churn first so the tree is fragmented, not a fresh stack. */
	for (int k = 0; k < SLOW_LIVE; k++)
		churn_op(&c);
	bench_run(res, slow_op, &c, opts->ops, 1);
	bench_run(&churn, churn_timed_op, &c, opts->ops / 10 ? opts->ops / 10 : 1, 1);
	bench_extra(res,
		    "\"live_ranges\": %d, \"failures\": %llu, \"random_free_median_ns\": %.0f, "
		    "\"random_free_p99_ns\": %.0f",
		    SLOW_LIVE, (unsigned long long)c.fails, churn.median_ns, churn.p99_ns);
	free(c.live);
	ims_iova_domain_destroy(c.iovad);
	return 0;
}

/* ---- iova-alloc-adversarial ---- */

#define ADV_COMB 100000

struct adv_ctx {
	struct ims_iova_domain *iovad;
	uint64_t top; /* the highest range of the comb */
	uint64_t acc;
};

/*
 * Put cached32 back at the top of the comb (free the top range and take it
 * again), then allocate 2 pfns: Linux walks down through every 1-pfn hole to
 * the free space below the comb; then free them.
 */
static void adv_op(void *ctx, uint64_t i)
{
	struct adv_ctx *c = ctx;
	struct ims_iova iova;

	(void)i;
	ims_iova_free(c->iovad, c->top);
	ims_iova_alloc(c->iovad, 1, c->top, false, &iova);
	if (ims_iova_alloc(c->iovad, 2, LIMIT32, false, &iova) == 0) {
		ims_iova_free(c->iovad, iova.pfn_lo);
		c->acc += iova.pfn_lo;
	}
}

static int run_alloc_adversarial(const struct bench_opts *opts, struct bench_result *res)
{
	struct adv_ctx c = { NULL, LIMIT32, 0 };
	struct bench_result linear = { 0 };
	struct ims_iova iova;
	int ret = ims_iova_domain_create(&c.iovad, 4096, 1);
	uint64_t lin_ops = opts->ops / 100 < 2000 ? opts->ops / 100 : 2000;

	if (ret)
		return ret;
	/* 2 * ADV_COMB pfns top-down, then free every other one, lowest first. */
	for (int k = 0; k < 2 * ADV_COMB; k++)
		ims_iova_alloc(c.iovad, 1, LIMIT32, false, &iova);
	for (uint64_t p = LIMIT32 - 2 * ADV_COMB + 1; p <= LIMIT32; p += 2)
		ims_iova_free(c.iovad, p);
	c.top = LIMIT32;
	bench_run(res, adv_op, &c, opts->ops, 1);
	/* The same op with the kernel's node-by-node walk, for comparison. */
	ims_iova_set_linear_steps(c.iovad, ~0u);
	bench_run(&linear, adv_op, &c, lin_ops ? lin_ops : 1, 1);
	bench_keep(c.acc);
	bench_extra(res,
		    "\"holes\": %d, \"kernel_walk_median_ns\": %.0f, \"kernel_walk_p99_ns\": %.0f",
		    ADV_COMB, linear.median_ns, linear.p99_ns);
	ims_iova_domain_destroy(c.iovad);
	return 0;
}

static const struct bench_def iova_pair_warm = {
	"iova-pair-warm",
	"alloc_iova_fast + free_iova_fast with warm magazines, sizes cycling 1..32",
	run_pair_warm,
};
static const struct bench_def iova_alloc_slow = {
	"iova-alloc-slow",
	"alloc_iova (rcache bypassed) of random sizes + free of a random range, 10^5 live",
	run_alloc_slow,
};
static const struct bench_def iova_alloc_adversarial = {
	"iova-alloc-adversarial",
	"a 2-pfn alloc_iova + free under a comb of 10^5 1-pfn holes (Linux walks them all)",
	run_alloc_adversarial,
};

const struct bench_def *const bench_iova[] = { &iova_pair_warm, &iova_alloc_slow,
					       &iova_alloc_adversarial, NULL };
