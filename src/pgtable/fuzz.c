// SPDX-License-Identifier: MIT
/*
 * ims_pgtable_fuzz_one(): bytes in, map/unmap operations on a 4K-granule
 * table in host memory, every result checked against the reference model.
 *
 * Input: byte 0 picks the format (bit 0: S1/S2) and ias (bits 2:1: 32, 36,
 * 40, 48).  Then 8-byte records: [0] bit 0 unmap, bits 2:1 size (4K, 2M,
 * 1G; 3 = 4K), bits 7:3 prot; [1] count - 1; [2..4] iova page number;
 * [5..7] pa page number.  At most 4096 records are read.
 */
#include <errno.h>
#include <stdlib.h>

#include <iommusim/pgtable.h>

#include "pgtable/ref.h"
#include "util/log.h"

#define FUZZ_MAX_OPS 4096

struct fuzz_ctx {
	uint64_t add_pages;
	uint64_t flush_walks;
	long live;
};

static int fuzz_alloc(void *cookie, size_t size, uint64_t *pa, void **va)
{
	struct fuzz_ctx *f = cookie;
	void *p = aligned_alloc(size, size);

	if (!p)
		return -ENOMEM;
	__builtin_memset(p, 0, size);
	*va = p;
	*pa = (uint64_t)(uintptr_t)p;
	f->live++;
	return 0;
}

static void fuzz_free(void *cookie, uint64_t pa, void *va, size_t size)
{
	struct fuzz_ctx *f = cookie;

	(void)pa;
	(void)size;
	free(va);
	f->live--;
}

static void fuzz_flush_walk(uint64_t iova, size_t size, size_t granule, void *cookie)
{
	(void)iova;
	(void)size;
	(void)granule;
	((struct fuzz_ctx *)cookie)->flush_walks++;
}

static void fuzz_add_page(struct ims_iotlb_gather *gather, uint64_t iova, size_t granule,
			  void *cookie)
{
	(void)gather;
	(void)iova;
	(void)granule;
	((struct fuzz_ctx *)cookie)->add_pages++;
}

static const struct ims_pgtable_mem_ops fuzz_mem = { fuzz_alloc, fuzz_free };
static const struct ims_iommu_flush_ops fuzz_tlb = { NULL, fuzz_flush_walk, fuzz_add_page };

static int check(struct ims_io_pgtable_ops *ops, const struct ims_pgtable_ref *ref, uint64_t iova)
{
	uint64_t got, want;

	/* The reference covers 4 GiB; with ias 32, Linux's walk aliases above. */
	if (iova >= IMS_REF_SPAN)
		return 0;
	got = ops->iova_to_phys(ops, iova);
	want = ims_pgtable_ref_lookup(ref, iova);
	if (got != want)
		return ims_error(-EFAULT,
				 "pgtable fuzz: iova %#llx translates to %#llx, want %#llx",
				 (unsigned long long)iova, (unsigned long long)got,
				 (unsigned long long)want);
	return 0;
}

static int sweep(struct ims_io_pgtable_ops *ops, const struct ims_pgtable_ref *ref)
{
	for (unsigned int i2 = 0; i2 < IMS_REF_L2; i2++) {
		uint64_t base = (uint64_t)i2 << 21;
		int ret;

		if (ims_pgtable_ref_l2_state(ref, i2) == REF_TABLE) {
			for (unsigned int j = 0; j < 512; j++)
				if ((ret = check(ops, ref, base + ((uint64_t)j << 12) + 0x18)))
					return ret;
		} else if ((ret = check(ops, ref, base + 0x1234)) ||
			   (ret = check(ops, ref, base + 0x1ff008))) {
			return ret;
		}
	}
	return 0;
}

static int fuzz_run(struct ims_io_pgtable_ops *ops, struct ims_pgtable_ref *ref, struct fuzz_ctx *f,
		    const uint8_t *data, size_t len)
{
	static const uint64_t sizes[4] = { 1ULL << 12, 1ULL << 21, 1ULL << 30, 1ULL << 12 };
	size_t nops = len / 8;
	int ret;

	if (nops > FUZZ_MAX_OPS)
		nops = FUZZ_MAX_OPS;
	for (size_t n = 0; n < nops; n++) {
		const uint8_t *r = data + n * 8;
		uint64_t size = sizes[(r[0] >> 1) & 3], count = (uint64_t)r[1] + 1;
		uint64_t iova =
			((uint64_t)r[2] | (uint64_t)r[3] << 8 | (uint64_t)(r[4] & 0xf) << 16) << 12;
		uint64_t pa = ((uint64_t)r[5] | (uint64_t)r[6] << 8 | (uint64_t)r[7] << 16) << 12;
		int prot = (r[0] >> 3) & 0x1f;

		iova &= ~(size - 1);
		pa = (pa & ~(size - 1)) + (1ULL << 32);
		if (size == (1ULL << 30) && count > 4 - (iova >> 30))
			count = 4 - (iova >> 30);
		if (!(prot & (IMS_IOMMU_READ | IMS_IOMMU_WRITE)))
			prot |= IMS_IOMMU_READ;

		if (r[0] & 1) {
			uint64_t got = ops->unmap_pages(ops, iova, size, count, NULL);
			uint64_t want = ims_pgtable_ref_unmap(ref, iova, size, count);

			if (got != want)
				return ims_error(-EFAULT,
						 "pgtable fuzz: op %zu unmap %#llx x%llu @%#llx: "
						 "%llu bytes, want %llu",
						 n, (unsigned long long)size,
						 (unsigned long long)count,
						 (unsigned long long)iova, (unsigned long long)got,
						 (unsigned long long)want);
		} else {
			size_t got_m = 0, want_m = 0;
			int got = ops->map_pages(ops, iova, pa, size, count, prot, 0, &got_m);
			int want = ims_pgtable_ref_map(ref, iova, pa, size, count, &want_m);

			if (got != want || got_m != want_m)
				return ims_error(
					-EFAULT,
					"pgtable fuzz: op %zu map %#llx x%llu @%#llx: %d/%zu, want "
					"%d/%zu",
					n, (unsigned long long)size, (unsigned long long)count,
					(unsigned long long)iova, got, got_m, want, want_m);
		}
		if (f->add_pages != ref->add_pages || f->flush_walks != ref->flush_walks)
			return ims_error(-EFAULT,
					 "pgtable fuzz: op %zu: %llu add_page / %llu flush_walk, "
					 "want %llu / %llu",
					 n, (unsigned long long)f->add_pages,
					 (unsigned long long)f->flush_walks,
					 (unsigned long long)ref->add_pages,
					 (unsigned long long)ref->flush_walks);
		if ((ret = check(ops, ref, iova + 8)) ||
		    (ret = check(ops, ref, iova + count * size - 8)) ||
		    (ret = check(ops, ref, iova + (size >> 1))))
			return ret;
	}
	return sweep(ops, ref);
}

IMS_EXPORT int ims_pgtable_fuzz_one(const uint8_t *data, size_t len)
{
	static const unsigned int ias[4] = { 32, 36, 40, 48 };
	struct ims_io_pgtable_cfg cfg = { 0 };
	struct ims_io_pgtable_ops *ops;
	struct ims_pgtable_ref ref;
	struct fuzz_ctx f = { 0 };
	int ret;

	if (!len)
		return 0;
	cfg.pgsize_bitmap = (1ULL << 12) | (1ULL << 21) | (1ULL << 30);
	cfg.ias = ias[(data[0] >> 1) & 3];
	cfg.oas = 48;
	cfg.coherent_walk = true;
	cfg.tlb = &fuzz_tlb;
	cfg.mem = &fuzz_mem;
	cfg.mem_cookie = &f;
	ret = ims_pgtable_alloc_ops(&ops, (data[0] & 1) ? IMS_ARM_64_LPAE_S2 : IMS_ARM_64_LPAE_S1,
				    &cfg, &f);
	if (ret)
		return ret;
	ret = ims_pgtable_ref_init(&ref);
	if (!ret) {
		ret = fuzz_run(ops, &ref, &f, data + 1, len - 1);
		ims_pgtable_ref_fini(&ref);
	}
	ims_pgtable_free_ops(ops);
	if (!ret && f.live)
		ret = ims_error(-EFAULT, "pgtable fuzz: %ld tables leaked", f.live);
	return ret;
}
