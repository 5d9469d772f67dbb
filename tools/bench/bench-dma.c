/* SPDX-License-Identifier: MIT */
/*
 * Benchmarks of the DMA API (perf-anchors.md §2 target 13), on the SMMUv3
 * example board (examples/boards/qemu-virt-smmuv3.dts, IMS_BOARDS_DIR, with
 * ../topologies/qemu-virt-bridges.dtso; the first PCI endpoint):
 *   dma-map-unmap-lazy-4k    dma_map_page + dma_unmap_page, 4 KiB, DMA_FQ domain
 *   dma-map-unmap-strict-4k  the same, strict: TLBI + CMD_SYNC per unmap
 *   dma-map-unmap-direct-4k  the same on dma-direct (iommu.passthrough=1)
 *   dma-map-unmap-bounce-4k  the same on dma-direct with swiotlb=force
 *   dma-map-benchmark        Linux's dma_map_benchmark: threads map and unmap
 *                            for some seconds; average and stddev of the map
 *                            and unmap latency in ns.  Options from the
 *                            environment: IMS_DMA_BENCH_THREADS (1),
 *                            IMS_DMA_BENCH_SECONDS (1), IMS_DMA_BENCH_GRANULE
 *                            (pages, 1), IMS_DMA_BENCH_DIR (0 bidirectional,
 *                            1 to device, 2 from device), IMS_DMA_BENCH_MODE
 *                            (lazy, strict, direct, bounce).
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include <iommusim/dma.h>
#include <iommusim/machine.h>

#ifndef IMS_BOARDS_DIR
#define IMS_BOARDS_DIR "examples/boards"
#endif

enum mode { LAZY, STRICT, DIRECT, BOUNCE };

struct dma_bench {
	struct ims_machine *m;
	struct ims_device *dev;
	uint64_t page;
	enum ims_dma_data_direction dir;
	size_t size;
	uint64_t errors;
};

static int bench_boot(struct dma_bench *b, enum mode mode)
{
	const char *dir = getenv("IMS_BOARDS_DIR");
	struct ims_dma_opts dopts = { .swiotlb_force = mode == BOUNCE };
	struct ims_machine_opts o;
	struct ims_devcore *dc;
	char path[1024], topo[1024];
	const char *ov[1] = { topo };
	int ret;

	memset(b, 0, sizeof(*b));
	snprintf(path, sizeof(path), "%s/qemu-virt-smmuv3.dts", dir && *dir ? dir : IMS_BOARDS_DIR);
	snprintf(topo, sizeof(topo), "%s/../topologies/qemu-virt-bridges.dtso",
		 dir && *dir ? dir : IMS_BOARDS_DIR);
	ims_machine_opts_init(&o);
	o.iommu.strict = mode == STRICT ? 1 : 0;
	o.iommu.passthrough = mode == DIRECT || mode == BOUNCE ? 1 : 0;
	ret = ims_machine_new(&b->m, &o);
	if (!ret)
		ret = ims_machine_load_board(b->m, path, ov, 1);
	if (!ret)
		ret = ims_machine_boot(b->m);
	if (!ret)
		ret = ims_dma_setup(ims_machine_devcore(b->m), &dopts);
	if (ret)
		return ret;
	dc = ims_machine_devcore(b->m);
	for (int i = 0; i < ims_devcore_nr_devices(dc) && !b->dev; i++) {
		struct ims_device *d = ims_devcore_device(dc, i);

		if (d->pci && !d->pci->is_bridge)
			b->dev = d;
	}
	if (!b->dev)
		return -ENODEV;
	if (ims_mem_alloc_pages(ims_machine_mem(b->m), &b->page, 4, UINT64_MAX, 0))
		return -ENOMEM;
	ims_dma_set_mask_and_coherent(b->dev, IMS_DMA_BIT_MASK(64));
	b->dir = IMS_DMA_BIDIRECTIONAL;
	b->size = 4096;
	return 0;
}

static void bench_down(struct dma_bench *b)
{
	ims_machine_free(b->m);
}

static void pair_op(void *ctx, uint64_t i)
{
	struct dma_bench *b = ctx;
	uint64_t dma = ims_dma_map_page(b->dev, b->page, 0, b->size, b->dir);

	(void)i;
	if (ims_dma_mapping_error(b->dev, dma)) {
		b->errors++;
		return;
	}
	ims_dma_unmap_page(b->dev, dma, b->size, b->dir);
}

#define PARTS 3
static const char *const part_names[PARTS] = { "iova-pair-warm", "pgtable-map-4k",
					       "pgtable-unmap-4k" };

/* The parts of the lazy pair, measured now: iova-pair-warm + pgtable-map/unmap-4k. */
static double parts_sum(const struct bench_opts *opts, double part_ns[PARTS])
{
	const struct bench_def *const *groups[] = { bench_iova, bench_pgtable };
	double sum = 0;

	bench_pgtable_forget();
	for (size_t n = 0; n < PARTS; n++) {
		part_ns[n] = 0;
		for (size_t g = 0; g < 2; g++)
			for (const struct bench_def *const *d = groups[g]; *d; d++) {
				struct bench_result r;

				if (strcmp((*d)->name, part_names[n]))
					continue;
				memset(&r, 0, sizeof(r));
				r.name = (*d)->name;
				if ((*d)->run(opts, &r))
					return 0;
				part_ns[n] = r.median_ns;
				sum += r.median_ns;
			}
	}
	bench_pgtable_forget(); /* a later pgtable-map-4k measures again */
	return sum;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median_of(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/*
 * The lazy pair against its parts, in LAZY_ROUNDS rounds: each round times
 * the pair (@ops pairs in samples of four flush-queue periods), then each
 * part, back to back, and takes the ratio of the two.  The figures are the
 * medians over the rounds: the ratio compares timings taken a fraction of a
 * second apart, so a machine whose speed changes between seconds (a busy
 * sibling hyperthread, frequency steps) moves both sides of most rounds.
 */
#define LAZY_ROUNDS 5

static void lazy_rounds(const struct bench_opts *opts, struct bench_result *res,
			struct dma_bench *b)
{
	double pair[LAZY_ROUNDS], ratio[LAZY_ROUNDS], part[PARTS][LAZY_ROUNDS], p99 = 0;
	double part_ns[PARTS], sum = 0;
	uint64_t ops = 0;
	int rounds = 0;

	for (int r = 0; r < LAZY_ROUNDS; r++) {
		struct bench_result one = { 0 };
		double s;

		bench_run(&one, pair_op, b, opts->ops, 4 * (IMS_IOVA_DEFAULT_FQ_SIZE - 1));
		s = parts_sum(opts, part_ns);
		if (s <= 0)
			continue;
		pair[rounds] = one.median_ns;
		ratio[rounds] = one.median_ns / s;
		for (int n = 0; n < PARTS; n++)
			part[n][rounds] = part_ns[n];
		p99 = one.p99_ns > p99 ? one.p99_ns : p99;
		ops += one.ops;
		rounds++;
	}
	if (!rounds) {
		bench_run(res, pair_op, b, opts->ops, 4 * (IMS_IOVA_DEFAULT_FQ_SIZE - 1));
		return;
	}
	res->median_ns = median_of(pair, (size_t)rounds);
	res->p99_ns = p99;
	res->ops = ops;
	for (int n = 0; n < PARTS; n++) {
		part_ns[n] = median_of(part[n], (size_t)rounds);
		sum += part_ns[n];
	}
	bench_extra(res,
		    "\"%s\": %.2f, \"%s\": %.2f, \"%s\": %.2f, \"parts_sum_ns\": %.2f, "
		    "\"rounds\": %d, \"ratio\": %.3f, \"target_ratio\": 1.3",
		    part_names[0], part_ns[0], part_names[1], part_ns[1], part_names[2], part_ns[2],
		    sum, rounds, median_of(ratio, (size_t)rounds));
}

static int run_mode(const struct bench_opts *opts, struct bench_result *res, enum mode mode)
{
	struct ims_smmuv3_stats a, b1, c;
	struct ims_machine_smmu *s;
	struct dma_bench b;
	int ret = bench_boot(&b, mode);

	if (ret) {
		if (b.m)
			bench_down(&b);
		return ret;
	}
	for (int i = 0; i < 4096; i++)
		pair_op(&b, (uint64_t)i);
	s = ims_machine_smmu(b.m, 0);
	/*
	 * Lazy: the flush queue flushes once per IMS_IOVA_DEFAULT_FQ_SIZE - 1
	 * unmaps.  A sample of 64 pairs would hold a flush one time in four,
	 * and the median would leave the flush out; a sample of four queue
	 * periods holds exactly four flushes, so the median pays them
	 * amortised, as the pair does.
	 */
	if (mode == LAZY)
		lazy_rounds(opts, res, &b);
	else
		bench_run(res, pair_op, &b, opts->ops, 64);
	if (mode == STRICT && s && s->v3) {
		/* exactly one TLBI + CMD_SYNC batch per unmap, none per map */
		uint64_t dma;

		ims_smmuv3_get_stats(s->v3, &a);
		dma = ims_dma_map_page(b.dev, b.page, 0, 4096, b.dir);
		ims_dma_mapping_error(b.dev, dma);
		ims_smmuv3_get_stats(s->v3, &b1);
		ims_dma_unmap_page(b.dev, dma, 4096, b.dir);
		ims_smmuv3_get_stats(s->v3, &c);
		bench_extra(
			res,
			"\"map_commands\": %llu, \"map_syncs\": %llu, \"unmap_commands\": %llu, "
			"\"unmap_syncs\": %llu",
			(unsigned long long)(b1.commands - a.commands),
			(unsigned long long)(b1.syncs - a.syncs),
			(unsigned long long)(c.commands - b1.commands),
			(unsigned long long)(c.syncs - b1.syncs));
	}
	if (mode == LAZY) {
		struct ims_dma_stats st;

		ims_dma_get_stats(ims_machine_devcore(b.m), &st);
		bench_extra(res, "\"fq_flushes\": %llu", (unsigned long long)st.fq_flushes);
	}
	if (mode == BOUNCE) {
		struct ims_dma_stats st;

		ims_dma_get_stats(ims_machine_devcore(b.m), &st);
		bench_extra(res, "\"swiotlb_maps\": %llu", (unsigned long long)st.swiotlb_maps);
	}
	bench_extra(res, "\"errors\": %llu", (unsigned long long)b.errors);
	ret = b.errors ? -EIO : 0;
	bench_down(&b);
	return ret;
}

static int run_lazy(const struct bench_opts *o, struct bench_result *r)
{
	return run_mode(o, r, LAZY);
}

static int run_strict(const struct bench_opts *o, struct bench_result *r)
{
	return run_mode(o, r, STRICT);
}

static int run_direct(const struct bench_opts *o, struct bench_result *r)
{
	return run_mode(o, r, DIRECT);
}

static int run_bounce(const struct bench_opts *o, struct bench_result *r)
{
	return run_mode(o, r, BOUNCE);
}

/* ---- dma_map_benchmark ---- */

struct mb_thread {
	struct dma_bench *b;
	double seconds;
	uint64_t page;
	double map_sum, map_sq, unmap_sum, unmap_sq;
	uint64_t n, errors;
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void *mb_thread(void *p)
{
	struct mb_thread *t = p;
	double end = now_ns() + t->seconds * 1e9;

	while (now_ns() < end) {
		double t0 = now_ns(), t1, t2;
		uint64_t dma = ims_dma_map_page(t->b->dev, t->page, 0, t->b->size, t->b->dir);

		t1 = now_ns();
		if (ims_dma_mapping_error(t->b->dev, dma)) {
			t->errors++;
			continue;
		}
		ims_dma_unmap_page(t->b->dev, dma, t->b->size, t->b->dir);
		t2 = now_ns();
		t->map_sum += t1 - t0;
		t->map_sq += (t1 - t0) * (t1 - t0);
		t->unmap_sum += t2 - t1;
		t->unmap_sq += (t2 - t1) * (t2 - t1);
		t->n++;
	}
	return NULL;
}

static long env_long(const char *name, long dflt, long lo, long hi)
{
	const char *v = getenv(name);
	long x = v && *v ? strtol(v, NULL, 0) : dflt;

	return x < lo ? lo : x > hi ? hi : x;
}

static int run_map_benchmark(const struct bench_opts *opts, struct bench_result *res)
{
	const char *ms = getenv("IMS_DMA_BENCH_MODE");
	enum mode mode = !ms || !strcmp(ms, "lazy") ? LAZY
			 : !strcmp(ms, "strict")    ? STRICT
			 : !strcmp(ms, "direct")    ? DIRECT
						    : BOUNCE;
	unsigned int threads =
		(unsigned int)env_long("IMS_DMA_BENCH_THREADS", opts->threads, 1, 64);
	double seconds = (double)env_long("IMS_DMA_BENCH_SECONDS", 1, 1, 300);
	long granule = env_long("IMS_DMA_BENCH_GRANULE", 1, 1, 1024);
	struct mb_thread t[64];
	pthread_t tid[64];
	double ms_sum = 0, ms_sq = 0, us_sum = 0, us_sq = 0, n = 0, errors = 0;
	struct dma_bench b;
	int ret = bench_boot(&b, mode);

	if (ret) {
		if (b.m)
			bench_down(&b);
		return ret;
	}
	b.dir = (enum ims_dma_data_direction)env_long("IMS_DMA_BENCH_DIR", 0, 0, 2);
	b.size = (size_t)granule * 4096;
	for (unsigned int i = 0; i < threads; i++) {
		t[i] = (struct mb_thread){ .b = &b, .seconds = seconds };
		if (ims_mem_alloc(ims_machine_mem(b.m), &t[i].page, b.size, 4096, 0)) {
			threads = i;
			break;
		}
		pthread_create(&tid[i], NULL, mb_thread, &t[i]);
	}
	for (unsigned int i = 0; i < threads; i++) {
		pthread_join(tid[i], NULL);
		ms_sum += t[i].map_sum;
		ms_sq += t[i].map_sq;
		us_sum += t[i].unmap_sum;
		us_sq += t[i].unmap_sq;
		n += (double)t[i].n;
		errors += (double)t[i].errors;
	}
	if (n > 0) {
		double mavg = ms_sum / n, uavg = us_sum / n;

		res->median_ns = mavg + uavg;
		res->p99_ns = 0;
		res->ops = (uint64_t)n;
		bench_extra(
			res,
			"\"mode\": \"%s\", \"threads\": %u, \"seconds\": %.0f, \"granule\": %ld, "
			"\"dir\": %d, \"avg_map_latency_ns\": %.1f, \"map_stddev_ns\": %.1f, "
			"\"avg_unmap_latency_ns\": %.1f, \"unmap_stddev_ns\": %.1f, \"errors\": "
			"%.0f",
			mode == LAZY	 ? "lazy"
			: mode == STRICT ? "strict"
			: mode == DIRECT ? "direct"
					 : "bounce",
			threads, seconds, granule, (int)b.dir, mavg,
			sqrt(fmax(0, ms_sq / n - mavg * mavg)), uavg,
			sqrt(fmax(0, us_sq / n - uavg * uavg)), errors);
	}
	bench_down(&b);
	return n > 0 ? 0 : -EIO;
}

static const struct bench_def lazy_4k = {
	"dma-map-unmap-lazy-4k",
	"dma_map_page + dma_unmap_page of 4K, DMA_FQ domain (SMMUv3)",
	run_lazy,
};
static const struct bench_def strict_4k = {
	"dma-map-unmap-strict-4k",
	"dma_map_page + dma_unmap_page of 4K, strict (TLBI + CMD_SYNC per unmap)",
	run_strict,
};
static const struct bench_def direct_4k = {
	"dma-map-unmap-direct-4k",
	"dma_map_page + dma_unmap_page of 4K on dma-direct (passthrough)",
	run_direct,
};
static const struct bench_def bounce_4k = {
	"dma-map-unmap-bounce-4k",
	"dma_map_page + dma_unmap_page of 4K bounced through swiotlb (swiotlb=force)",
	run_bounce,
};
static const struct bench_def map_benchmark = {
	"dma-map-benchmark",
	"dma_map_benchmark: IMS_DMA_BENCH_{THREADS,SECONDS,GRANULE,DIR,MODE}; avg/stddev ns",
	run_map_benchmark,
};

const struct bench_def *const bench_dma[] = {
	&lazy_4k, &strict_4k, &direct_4k, &bounce_4k, &map_benchmark, NULL,
};
