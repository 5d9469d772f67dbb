/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/*
 * Timing single operations.  CLOCK_MONOTONIC through the vDSO costs 20-30 ns
 * and is quantised to ~10 ns on the VMs we run on, which would swamp a
 * per-operation p99.  On x86-64 with an invariant TSC we read the TSC with
 * rdtscp (which waits for earlier instructions) instead, converted to ns by
 * a calibration against CLOCK_MONOTONIC; elsewhere we fall back to the clock.
 */
#if defined(__x86_64__)
#include <x86intrin.h>
static inline uint64_t ticks(void)
{
	unsigned int aux;

	return __rdtscp(&aux);
}

static double ns_per_tick(void)
{
	static double cached;
	double t0, t1;
	uint64_t c0, c1;

	if (cached > 0)
		return cached;
	t0 = now_ns();
	c0 = ticks();
	do {
		t1 = now_ns();
	} while (t1 - t0 < 20e6); /* 20 ms */
	c1 = ticks();
	cached = (t1 - t0) / (double)(c1 - c0);
	return cached;
}
#else
static inline uint64_t ticks(void)
{
	return (uint64_t)now_ns();
}

static double ns_per_tick(void)
{
	return 1.0;
}
#endif

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median cost, in ticks, of an empty timed region. */
static double tick_overhead(void)
{
	double s[1001];

	for (int i = 0; i < 1001; i++) {
		uint64_t t0 = ticks();

		s[i] = (double)(ticks() - t0);
	}
	qsort(s, 1001, sizeof(double), cmp_double);
	return s[500];
}

void bench_run(struct bench_result *res, bench_op_fn fn, void *ctx, uint64_t ops,
	       unsigned int batch)
{
	uint64_t nsamples, i = 0;
	double *samples, overhead = 0, scale;

	if (!batch)
		batch = 1;
	nsamples = ops / batch;
	if (!nsamples)
		nsamples = 1;
	samples = malloc(nsamples * sizeof(*samples));
	if (!samples) {
		res->median_ns = res->p99_ns = -1;
		return;
	}
	if (batch == 1)
		overhead = tick_overhead();
	scale = ns_per_tick();
	/* Warm up with one sample's worth. */
	for (unsigned int k = 0; k < batch; k++)
		fn(ctx, i++);
	for (uint64_t s = 0; s < nsamples; s++) {
		uint64_t t0 = ticks();
		double dt;

		for (unsigned int k = 0; k < batch; k++)
			fn(ctx, i++);
		dt = ((double)(ticks() - t0) - overhead) * scale / batch;
		samples[s] = dt < 0 ? 0 : dt;
	}
	qsort(samples, nsamples, sizeof(double), cmp_double);
	res->median_ns = samples[nsamples / 2];
	res->p99_ns =
		samples[(nsamples * 99) / 100 < nsamples ? (nsamples * 99) / 100 : nsamples - 1];
	res->ops = nsamples * batch;
	free(samples);
}

void bench_extra(struct bench_result *res, const char *fmt, ...)
{
	size_t len = strlen(res->extra);
	va_list ap;

	if (len && len + 2 < sizeof(res->extra)) {
		strcat(res->extra, ", ");
		len += 2;
	}
	va_start(ap, fmt);
	vsnprintf(res->extra + len, sizeof(res->extra) - len, fmt, ap);
	va_end(ap);
}
