/* SPDX-License-Identifier: MIT */
/*
 * Benchmarks of the hw module: the SMMUv3 model's translate entry point,
 * programmed through MMIO and memory as a driver would.
 *
 *   translate-hit          TLB hits on a 64-page working set (the model's
 *                          micro-TLB, in front of its IOTLB)
 *   translate-miss         a full 4-level stage-1 walk each time (no IOTLB,
 *                          hence no micro-TLB; tables and configuration
 *                          cache hot)
 *   translate-cyclic-2048  2048 pages cycled through a 2048-entry IOTLB
 *                          (too many for the micro-TLB: IOTLB hits)
 */
#include <stdlib.h>
#include <string.h>

#include <iommusim/hw.h>
#include <iommusim/smmuv3.h>

#include "bench.h"
#include "hw/smmuv3/smmuv3-regs.h"

#define BH_RAM 0x80000000ULL
#define BH_RAM_SIZE (256ULL << 20)
#define BH_MMIO 0x09050000ULL
#define BH_SID 3
#define BH_IOVA 0x0000123400000000ULL /* bits in every level's index */

struct bh {
	struct ims_mem *mem;
	struct ims_smmuv3 *smmu;
	uint64_t root;
	unsigned int npages;
	uint64_t cur;
	uint64_t sum;
};

static uint64_t bh_alloc(struct bh *b, uint64_t size)
{
	uint64_t pa = 0;

	ims_mem_alloc(b->mem, &pa, size, size < 4096 ? 64 : size, IMS_MEM_ZERO);
	return pa;
}

/* 4K stage-1 page, 48-bit VA: level 0..3 tables (DDI 0487 D8.3). */
static void bh_map(struct bh *b, uint64_t iova, uint64_t pa)
{
	uint64_t table = b->root, desc;

	for (unsigned int lvl = 0; lvl < 3; lvl++) {
		uint64_t dpa = table + 8 * ((iova >> (39 - 9 * lvl)) & 511);

		ims_mem_read64(b->mem, dpa, &desc);
		if (!(desc & 1)) {
			desc = bh_alloc(b, 4096) | 3;
			ims_mem_write64(b->mem, dpa, desc);
		}
		table = desc & GENMASK_ULL(47, 12);
	}
	/* Page, AF, AP[1] (EL0 access), nG. */
	ims_mem_write64(b->mem, table + 8 * ((iova >> 12) & 511),
			(pa & GENMASK_ULL(47, 12)) | 3 | BIT_ULL(10) | BIT_ULL(6) | BIT_ULL(11));
}

static int bh_setup(struct bh *b, unsigned int sets, unsigned int ways, unsigned int npages)
{
	struct ims_smmuv3_params p;
	uint64_t strtab, cmdq, cd, ste0;
	int ret;

	memset(b, 0, sizeof(*b));
	ims_smmuv3_params_default(&p);
	p.iotlb_sets = sets;
	p.iotlb_ways = ways;
	ret = ims_mem_new(&b->mem, NULL);
	if (!ret)
		ret = ims_mem_add_ram(b->mem, BH_RAM, BH_RAM_SIZE);
	if (!ret)
		ret = ims_smmuv3_new(&b->smmu, b->mem, BH_MMIO, &p, NULL);
	if (ret)
		return ret;
	strtab = bh_alloc(b, 64 * 256);
	cmdq = bh_alloc(b, 4096);
	cd = bh_alloc(b, 64);
	b->root = bh_alloc(b, 4096);
	b->npages = npages;
	for (unsigned int i = 0; i < npages; i++)
		bh_map(b, BH_IOVA + 4096ULL * i, BH_RAM + 0x8000000 + 4096ULL * i);
	/* CD: T0SZ 16, TG0 4K, IPS 48, V, AA64, R, A, ASID 1, EPD1. */
	ims_mem_write64(b->mem, cd,
			FIELD_PREP(CD_0_T0SZ, 16) | CD_0_EPD1 | CD_0_V | FIELD_PREP(CD_0_IPS, 5) |
				CD_0_AA64 | CD_0_R | CD_0_A | FIELD_PREP(CD_0_ASID, 1));
	ims_mem_write64(b->mem, cd + 8, b->root);
	ste0 = STE_0_V | FIELD_PREP(STE_0_CFG, STE_CFG_S1) | (cd & STE_0_S1CTXPTR);
	ims_mem_write64(b->mem, strtab + 64 * BH_SID, ste0);
	ims_mmio_write(b->mem, BH_MMIO + SMMU_STRTAB_BASE, 8, strtab);
	ims_mmio_write(b->mem, BH_MMIO + SMMU_STRTAB_BASE_CFG, 4, 8);
	ims_mmio_write(b->mem, BH_MMIO + SMMU_CMDQ_BASE, 8, cmdq | 8);
	ims_mmio_write(b->mem, BH_MMIO + SMMU_CR0, 4, CR0_CMDQEN | CR0_SMMUEN);
	return 0;
}

static void bh_free(struct bh *b)
{
	ims_smmuv3_free(b->smmu);
	ims_mem_free(b->mem);
}

/* One translation; the next page index depends on this result. */
static void translate_op(void *ctx, uint64_t i)
{
	struct bh *b = ctx;
	struct ims_txn txn = { .sid = BH_SID, .size = 4, .access = IMS_VMSA_READ };
	struct ims_txn_result res;

	txn.addr = BH_IOVA + 4096ULL * b->cur;
	ims_smmuv3_translate(b->smmu, &txn, &res);
	b->sum += res.pa;
	(void)i;
	b->cur = (b->cur + 1 + (res.pa & 1)) & (b->npages - 1); /* npages: a power of two */
}

static int run_translate(const struct bench_opts *opts, struct bench_result *res, unsigned int sets,
			 unsigned int ways, unsigned int npages)
{
	struct bh b;
	struct ims_smmuv3_stats st0, st1;
	int ret = bh_setup(&b, sets, ways, npages);

	if (ret) {
		bh_free(&b);
		return ret;
	}
	for (unsigned int i = 0; i < 2 * npages; i++)
		translate_op(&b, i);
	ims_smmuv3_get_stats(b.smmu, &st0);
	bench_run(res, translate_op, &b, opts->ops, 256);
	ims_smmuv3_get_stats(b.smmu, &st1);
	bench_keep(b.sum);
	if (sets) {
		uint64_t h = st1.iotlb.hits - st0.iotlb.hits;
		uint64_t m = st1.iotlb.misses - st0.iotlb.misses;

		bench_extra(res, "\"hit_rate\": %.4f", h + m ? (double)h / (double)(h + m) : 0.0);
	}
	bench_extra(
		res, "\"faults\": %llu",
		(unsigned long long)(st1.events_lost + st1.events - st0.events_lost - st0.events));
	bh_free(&b);
	return 0;
}

static int run_hit(const struct bench_opts *opts, struct bench_result *res)
{
	return run_translate(opts, res, 256, 4, 64);
}

static int run_miss(const struct bench_opts *opts, struct bench_result *res)
{
	return run_translate(opts, res, 0, 0, 64);
}

static int run_cyclic(const struct bench_opts *opts, struct bench_result *res)
{
	return run_translate(opts, res, 512, 4, 2048);
}

static const struct bench_def translate_hit = {
	"translate-hit",
	"SMMUv3 translate: TLB hits (micro-TLB, then IOTLB) on a 64-page working set",
	run_hit,
};
static const struct bench_def translate_miss = {
	"translate-miss",
	"SMMUv3 translate: a 4-level stage-1 walk per op (IOTLB off, tables hot)",
	run_miss,
};
static const struct bench_def translate_cyclic = {
	"translate-cyclic-2048",
	"SMMUv3 translate: 2048 pages cycled through a 2048-entry IOTLB",
	run_cyclic,
};

const struct bench_def *const bench_hw[] = { &translate_hit, &translate_miss, &translate_cyclic,
					     NULL };
