/* SPDX-License-Identifier: MIT */
/*
 * The benchmark registry behind `iommusim bench`.  Each area keeps its
 * benchmarks in its own bench-<area>.c as a NULL-terminated array.
 */
#ifndef IMS_TOOLS_BENCH_H
#define IMS_TOOLS_BENCH_H

#include <stdbool.h>
#include <stdint.h>

#define BENCH_EXTRA_MAX 512

struct bench_result {
	const char *name;
	double median_ns;
	double p99_ns;
	uint64_t ops;
	char extra[BENCH_EXTRA_MAX]; /* JSON members without braces: "\"hit_rate\": 0.97" */
};

struct bench_opts {
	uint64_t ops; /* operations per benchmark, at least 10^6 by default */
	unsigned int threads;
	double seconds;
};

struct bench_def {
	const char *name;
	const char *help;
	/* Fill @res (name is set by the caller); return 0 or a negative code. */
	int (*run)(const struct bench_opts *opts, struct bench_result *res);
};

/*
 * One timed operation.  @i counts from 0.  Chains of dependent work keep
 * their state in @ctx so the compiler cannot overlap iterations.
 */
typedef void (*bench_op_fn)(void *ctx, uint64_t i);

/*
 * Run @fn @ops times in samples of @batch operations; each sample's mean per
 * operation is one observation.  Fills median_ns, p99_ns and ops.
 * With @batch == 1 every operation is timed alone and the clock's own
 * overhead (measured first) is subtracted.
 */
void bench_run(struct bench_result *res, bench_op_fn fn, void *ctx, uint64_t ops,
	       unsigned int batch);

/* Append ", \"key\": value" style members to res->extra. */
void bench_extra(struct bench_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Fast deterministic PRNG for benchmarks and tests (xorshift64*). */
static inline uint64_t bench_rand(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/* Keep the compiler from discarding a value. */
#define bench_keep(v) __asm__ volatile("" : : "r"(v) : "memory")

/*
 * The pgtable benchmarks measure map and unmap in one run and keep both
 * figures for the second name; forget them, so that the next run measures.
 */
void bench_pgtable_forget(void);

extern const struct bench_def *const bench_floor[];
extern const struct bench_def *const bench_hw[];
extern const struct bench_def *const bench_pgtable[];
extern const struct bench_def *const bench_iova[];
extern const struct bench_def *const bench_dma[];
extern const struct bench_def *const bench_scale[];

#endif
