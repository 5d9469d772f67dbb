/* SPDX-License-Identifier: MIT */
/*
 * Tables overwritten from outside (a device's DMA into page-table memory, a
 * stray CPU write): a table descriptor that does not point at one of the page
 * table's own tables is not followed.  The kernel would follow it anywhere
 * (phys_to_virt()); the model warns and fails the call instead, so that a
 * corrupted table can never send the CPU outside simulated RAM.
 */
#include "../tap.h"
#include "pgt-test.h"

static struct pgt_env env;
static int warnings;
static char last_warning[256];

static void sink(void *ctx, enum ims_log_level level, const char *msg)
{
	(void)ctx;
	if (level <= IMS_LOG_WARNING) {
		warnings++;
		snprintf(last_warning, sizeof(last_warning), "%s", msg);
	}
}

static const struct ims_log log_sink = { sink, NULL, IMS_LOG_DEBUG };

static struct ims_io_pgtable_ops *mk(enum ims_io_pgtable_fmt fmt, uint64_t granule)
{
	struct ims_io_pgtable_cfg cfg;
	struct ims_io_pgtable_ops *ops = NULL;

	pgt_cfg_init(&cfg, &env, granule | (granule == SZ_4K ? SZ_2M : 0), 48, 48);
	cfg.log = &log_sink;
	if (ims_pgtable_alloc_ops(&ops, fmt, &cfg, &env))
		return NULL;
	return ops;
}

/* The descriptor at @level on the way to @iova (written by hand, as a device would). */
static uint64_t *slot_at(struct ims_io_pgtable_ops *ops, uint64_t iova, int level)
{
	struct ims_io_pgtable_info in;
	unsigned int gshift;
	uint64_t table;

	ims_pgtable_get_info(ops, &in);
	gshift = (unsigned int)__builtin_ctzll(in.granule);
	table = in.pgd_pa;
	for (int l = in.start_level; l <= level; l++) {
		unsigned int shift = gshift + (unsigned int)(3 - l) * (gshift - 3);
		unsigned int bits = l == in.start_level ? in.pgd_bits : gshift - 3;
		uint64_t *p = pgt_ptr(&env, table + ((iova >> shift) & ((1ULL << bits) - 1)) * 8);

		if (l == level)
			return p;
		table = *p & 0x0000fffffffff000ULL;
	}
	return NULL;
}

static void corrupt(enum ims_io_pgtable_fmt fmt, uint64_t granule, const char *what)
{
	const int rw = IMS_IOMMU_READ | IMS_IOMMU_WRITE;
	/* outside RAM; in RAM far from the tables; (64K) a table address not granule-aligned */
	uint64_t bad[3] = { 0xdead000000ULL, 0, 0 };
	size_t nbad = granule == SZ_64K ? 3 : 2;
	struct ims_io_pgtable_ops *ops;
	struct ims_io_pgtable_info in;
	uint64_t *slot, saved, iova = 0x12345000ULL & ~(granule - 1);
	size_t mapped = 0;
	int level;

	for (size_t k = 0; k < nbad; k++) {
		if (pgt_env_sim(&env)) {
			ok(false, "%s: simulated memory", what);
			return;
		}
		ops = mk(fmt, granule);
		if (!ops) {
			ok(false, "%s: alloc_ops", what);
			pgt_env_fini(&env);
			return;
		}
		ims_pgtable_get_info(ops, &in);
		/* RAM is [0x80000000, 0xc0000000): the half the tables are not in */
		bad[1] = in.pgd_pa >= 0xa0000000ULL ? 0x80100000ULL : 0xbff00000ULL;
		is_int(ops->map_pages(ops, iova, 0x80000000ULL, granule, 1, rw, 0, &mapped), 0,
		       "%s: map one granule", what);
		/* the level above the leaf: its descriptor points at the leaf table */
		level = 2;
		slot = slot_at(ops, iova, level);
		saved = *slot;
		ok((saved & 3) == 3, "%s: level %d holds a table descriptor", what, level);
		*slot = bad[k] ? (bad[k] & ~(granule - 1)) | 3 : saved + 0x1000; /* misaligned */
		warnings = 0;
		is_hex(ops->iova_to_phys(ops, iova), 0,
		       "%s, bad table %d: iova_to_phys finds nothing", what, (int)k);
		ok(warnings > 0 && strstr(last_warning, "does not point at a page table"),
		   "%s, bad table %d: with a warning (%s)", what, (int)k, last_warning);
		is_int(ops->map_pages(ops, iova + granule, 0x80000000ULL + granule, granule, 1, rw,
				      0, &mapped),
		       -EFAULT, "%s, bad table %d: a map under it fails with -EFAULT", what,
		       (int)k);
		is_int(ops->unmap_pages(ops, iova, granule, 1, NULL), 0,
		       "%s, bad table %d: an unmap under it unmaps nothing", what, (int)k);
		/* the rest of the table still works */
		is_int(ops->map_pages(ops, iova + (1ULL << 39), 0x80000000ULL + 2 * granule,
				      granule, 1, rw, 0, &mapped),
		       0, "%s, bad table %d: a map elsewhere still works", what, (int)k);
		is_hex(ops->iova_to_phys(ops, iova + (1ULL << 39)), 0x80000000ULL + 2 * granule,
		       "%s, bad table %d: and translates", what, (int)k);
		/* the descriptor put back: everything is as before */
		*slot = saved;
		is_hex(ops->iova_to_phys(ops, iova + 8), 0x80000008ULL,
		       "%s, bad table %d: restored, the first map translates again", what, (int)k);
		/* freeing with the bad descriptor in place skips it (its tables stay in RAM) */
		*slot = bad[k] ? (bad[k] & ~(granule - 1)) | 3 : saved + 0x1000;
		ims_pgtable_free_ops(ops);
		is_int(atomic_load(&env.live), 1,
		       "%s, bad table %d: free_ops frees all but the unreachable leaf table", what,
		       (int)k);
		pgt_env_fini(&env);
	}
}

int main(void)
{
	corrupt(IMS_ARM_64_LPAE_S1, SZ_4K, "stage 1, 4K");
	corrupt(IMS_ARM_64_LPAE_S2, SZ_4K, "stage 2, 4K");
	corrupt(IMS_ARM_64_LPAE_S1, SZ_64K, "stage 1, 64K");
	return tap_done();
}
