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

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double clock_overhead(void)
{
	double s[1001];

	for (int i = 0; i < 1001; i++) {
		double t0 = now_ns();

		s[i] = now_ns() - t0;
	}
	qsort(s, 1001, sizeof(double), cmp_double);
	return s[500];
}

void bench_run(struct bench_result *res, bench_op_fn fn, void *ctx, uint64_t ops,
	       unsigned int batch)
{
	uint64_t nsamples, i = 0;
	double *samples, overhead = 0;

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
		overhead = clock_overhead();
	/* Warm up with one sample's worth. */
	for (unsigned int k = 0; k < batch; k++)
		fn(ctx, i++);
	for (uint64_t s = 0; s < nsamples; s++) {
		double t0 = now_ns(), dt;

		for (unsigned int k = 0; k < batch; k++)
			fn(ctx, i++);
		dt = (now_ns() - t0 - overhead) / batch;
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
