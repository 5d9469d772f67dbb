// SPDX-License-Identifier: MIT
/*
 * Descriptor and register values: every prot combination against an
 * encoding written here from DDI 0487 D8.3-D8.5 and arm_lpae_prot_to_pte(),
 * literal descriptors worked out by hand, and TCR/MAIR/VTCR values computed
 * by hand from the register layouts (TCR_EL1, VTCR_EL2, MAIR_EL1).
 */
#include "../tap.h"
#include "pgt-test.h"

static struct pgt_env env;

static struct ims_io_pgtable_ops *mk(enum ims_io_pgtable_fmt fmt, uint64_t bitmap, unsigned int ias,
				     unsigned int oas, unsigned long quirks, bool coherent,
				     struct ims_io_pgtable_cfg *cfg, int *ret)
{
	struct ims_io_pgtable_ops *ops = NULL;

	pgt_cfg_init(cfg, &env, bitmap, ias, oas);
	cfg->quirks = quirks;
	cfg->coherent_walk = coherent;
	*ret = ims_pgtable_alloc_ops(&ops, fmt, cfg, &env);
	return ops;
}

/* The attribute bits expected for @prot, from the architecture's field layout. */
static uint64_t expect_attrs(bool s1, int prot, unsigned long quirks)
{
	uint64_t v = 1ULL << 10; /* AF */

	if (s1) {
		unsigned int idx = 0; /* MAIR index 0: Normal non-cacheable */

		v |= 1ULL << 11; /* nG: ASID-tagged */
		if ((prot & IMS_IOMMU_READ) && !(prot & IMS_IOMMU_WRITE))
			v |= 1ULL << 7; /* AP[2]: read-only */
		else if (quirks & IMS_IO_PGTABLE_QUIRK_ARM_HD)
			v |= 1ULL << 51; /* DBM */
		if (!(prot & IMS_IOMMU_PRIV))
			v |= 1ULL << 6; /* AP[1]: EL0 access */
		if (prot & IMS_IOMMU_MMIO)
			idx = 2;
		else if (prot & IMS_IOMMU_CACHE)
			idx = 1;
		v |= (uint64_t)idx << 2;
	} else {
		unsigned int memattr = 0x5; /* Normal, outer NC, inner NC */

		if (prot & IMS_IOMMU_READ)
			v |= 1ULL << 6; /* S2AP[0] */
		if (prot & IMS_IOMMU_WRITE)
			v |= 1ULL << 7; /* S2AP[1] */
		if (prot & IMS_IOMMU_MMIO)
			memattr = 0x1; /* Device-nGnRE */
		else if (prot & IMS_IOMMU_CACHE)
			memattr = 0xf; /* Normal, outer WB, inner WB */
		v |= (uint64_t)memattr << 2;
	}
	v |= (prot & IMS_IOMMU_CACHE) ? 3ULL << 8 : 2ULL << 8; /* SH: IS or OS */
	if (prot & IMS_IOMMU_NOEXEC)
		v |= 3ULL << 53; /* UXN/PXN (S1), XN[1:0] (S2) */
	if (quirks & IMS_IO_PGTABLE_QUIRK_ARM_NS)
		v |= 1ULL << 5;
	return v;
}

static void prot_matrix(enum ims_io_pgtable_fmt fmt, unsigned long quirks)
{
	struct ims_io_pgtable_cfg cfg;
	int ret, bad = 0, bad_blk = 0, bad_api = 0, n = 0;
	struct ims_io_pgtable_ops *ops =
		mk(fmt, SZ_4K | SZ_2M | SZ_1G, 48, 48, quirks, true, &cfg, &ret);
	bool s1 = fmt == IMS_ARM_64_LPAE_S1;

	if (!ops) {
		ok(0, "alloc for prot matrix");
		return;
	}
	for (int prot = 0; prot < 64; prot++) {
		uint64_t iova = (uint64_t)prot * SZ_4K, biova = SZ_1G + (uint64_t)prot * SZ_2M;
		uint64_t pa = 0x123400000ULL + iova, bpa = 0x800000000ULL + (uint64_t)prot * SZ_2M;
		size_t mapped = 0;
		int lvl;

		if (!(prot & (IMS_IOMMU_READ | IMS_IOMMU_WRITE))) {
			if (ops->map_pages(ops, iova, pa, SZ_4K, 1, prot, 0, &mapped) != -EINVAL ||
			    mapped)
				bad++;
			continue;
		}
		n++;
		if (ops->map_pages(ops, iova, pa, SZ_4K, 1, prot, 0, &mapped) ||
		    pgt_read_pte(&env, ops, iova, &lvl) !=
			    (pa | expect_attrs(s1, prot, quirks) | 3))
			bad++;
		if (ops->map_pages(ops, biova, bpa, SZ_2M, 1, prot, 0, &mapped) ||
		    pgt_read_pte(&env, ops, biova, &lvl) !=
			    (bpa | expect_attrs(s1, prot, quirks) | 1))
			bad_blk++;
		if (ims_pgtable_prot_to_pte(ops, prot) != expect_attrs(s1, prot, quirks))
			bad_api++;
	}
	is_int(n, 48, "%s quirks %#lx: 48 prot combinations with R or W", s1 ? "S1" : "S2", quirks);
	is_int(bad, 0, "%s quirks %#lx: page descriptors for every prot (and -EINVAL without R/W)",
	       s1 ? "S1" : "S2", quirks);
	is_int(bad_blk, 0, "%s quirks %#lx: block descriptors for every prot", s1 ? "S1" : "S2",
	       quirks);
	is_int(bad_api, 0, "%s quirks %#lx: ims_pgtable_prot_to_pte agrees", s1 ? "S1" : "S2",
	       quirks);
	ims_pgtable_free_ops(ops);
}

static void literal_ptes(void)
{
	struct ims_io_pgtable_cfg cfg;
	struct ims_io_pgtable_ops *ops;
	size_t mapped = 0;
	int ret, lvl;

	ops = mk(IMS_ARM_64_LPAE_S1, SZ_4K | SZ_2M | SZ_1G, 48, 48, 0, true, &cfg, &ret);
	ops->map_pages(ops, 0x1000, 0x1234000, SZ_4K, 1,
		       IMS_IOMMU_READ | IMS_IOMMU_WRITE | IMS_IOMMU_CACHE, 0, &mapped);
	is_hex(pgt_read_pte(&env, ops, 0x1000, &lvl), 0x1234f47,
	       "S1 RW|CACHE page: AF|nG|SH_IS|AP_UNPRIV|AttrIndx 1|page");
	is_int(lvl, 3, "S1 page at level 3");
	ops->map_pages(ops, 0x2000, 0x5678000, SZ_4K, 1, IMS_IOMMU_READ | IMS_IOMMU_NOEXEC, 0,
		       &mapped);
	is_hex(pgt_read_pte(&env, ops, 0x2000, &lvl), 0x0060000005678ec3ULL,
	       "S1 R|NOEXEC page: XN, RDONLY, SH_OS, AttrIndx 0");
	ops->map_pages(ops, 0x3000, 0x9000, SZ_4K, 1,
		       IMS_IOMMU_WRITE | IMS_IOMMU_MMIO | IMS_IOMMU_PRIV, 0, &mapped);
	is_hex(pgt_read_pte(&env, ops, 0x3000, &lvl), 0x9e0b,
	       "S1 W|MMIO|PRIV page: AttrIndx 2, privileged, writable");
	ops->map_pages(ops, SZ_1G, 0x80000000ULL, SZ_1G, 1, IMS_IOMMU_READ | IMS_IOMMU_WRITE, 0,
		       &mapped);
	is_hex(pgt_read_pte(&env, ops, SZ_1G + 5, &lvl), 0x80000e41ULL,
	       "S1 RW 1G block: type 1, SH_OS, AttrIndx 0");
	is_int(lvl, 1, "1G block at level 1");
	{
		uint64_t *pgd = pgt_ptr(&env, cfg.s1.ttbr);

		is_hex(pgd[0] & 0xfff0000000000fffULL, 3,
		       "S1 table descriptor: type 3, no NSTable");
	}
	ims_pgtable_free_ops(ops);

	ops = mk(IMS_ARM_64_LPAE_S2, SZ_4K | SZ_2M | SZ_1G, 40, 40, 0, true, &cfg, &ret);
	ops->map_pages(ops, 0x1000, 0x1234000, SZ_4K, 1,
		       IMS_IOMMU_READ | IMS_IOMMU_WRITE | IMS_IOMMU_CACHE, 0, &mapped);
	is_hex(pgt_read_pte(&env, ops, 0x1000, &lvl), 0x12347ff,
	       "S2 RW|CACHE page: HAP RW, MemAttr OIWB, SH_IS, AF");
	ops->map_pages(ops, SZ_2M, 0x400000, SZ_2M, 1, IMS_IOMMU_WRITE | IMS_IOMMU_MMIO, 0,
		       &mapped);
	is_hex(pgt_read_pte(&env, ops, SZ_2M, &lvl), 0x400685,
	       "S2 W|MMIO block: HAP W, MemAttr device, SH_OS");
	is_int(lvl, 2, "2M block at level 2");
	ims_pgtable_free_ops(ops);

	ops = mk(IMS_ARM_64_LPAE_S1, SZ_4K | SZ_2M | SZ_1G, 48, 48, IMS_IO_PGTABLE_QUIRK_ARM_NS,
		 true, &cfg, &ret);
	ops->map_pages(ops, 0x1000, 0x1234000, SZ_4K, 1, IMS_IOMMU_READ, 0, &mapped);
	is_hex(pgt_read_pte(&env, ops, 0x1000, &lvl), 0x1234ee3, "S1 NS quirk: NS bit 5 in leaves");
	{
		uint64_t *pgd = pgt_ptr(&env, cfg.s1.ttbr);

		is_hex(pgd[0] & 0xfff0000000000fffULL, 0x8000000000000003ULL,
		       "S1 NS quirk: NSTable bit 63 in table descriptors");
	}
	ims_pgtable_free_ops(ops);

	/* 64K granule, oas 52: PA[51:48] packed into descriptor bits [15:12]. */
	ops = mk(IMS_ARM_64_LPAE_S1, SZ_64K | SZ_512M | (1ULL << 42), 48, 48, 0, true, &cfg, &ret);
	is_hex(cfg.pgsize_bitmap, SZ_64K | SZ_512M, "oas 48: the 4T block size is dropped");
	ims_pgtable_free_ops(ops);
	ops = mk(IMS_ARM_64_LPAE_S1, SZ_64K | SZ_512M | (1ULL << 42), 48, 52, 0, true, &cfg, &ret);
	is_int(ret, 0, "64K granule with oas 52 allocates");
	if (ops) {
		uint64_t pa = 0xa000123450000ULL;

		is_int(ops->map_pages(ops, 0x10000, pa, SZ_64K, 1, IMS_IOMMU_READ | IMS_IOMMU_WRITE,
				      0, &mapped),
		       0, "map a 52-bit PA");
		is_hex(pgt_read_pte(&env, ops, 0x10000, &lvl) & 0x0000fffffffff000ULL,
		       0x000012345a000ULL, "PA[51:48] packed into PTE[15:12]");
		is_hex(ops->iova_to_phys(ops, 0x10042), pa + 0x42, "52-bit PA translates back");
		ok(cfg.pgsize_bitmap & (1ULL << 42), "oas > 48 keeps the 4T block size");
		ims_pgtable_free_ops(ops);
	}
}

static void hd_quirk(void)
{
	prot_matrix(IMS_ARM_64_LPAE_S1, IMS_IO_PGTABLE_QUIRK_ARM_HD);
}

static void registers(void)
{
	struct ims_io_pgtable_cfg cfg;
	struct ims_io_pgtable_ops *ops;
	int ret;

	/* S1 4K ias 48 oas 48 coherent: T0SZ 16, IRGN0/ORGN0 WBWA, SH0 IS, TG0 4K, EPD1, IPS 48. */
	ops = mk(IMS_ARM_64_LPAE_S1, SZ_4K | SZ_2M | SZ_1G, 48, 48, 0, true, &cfg, &ret);
	is_hex(cfg.s1.tcr_val, 0x500803510ULL, "S1 4K/48/48 coherent TCR");
	is_int(cfg.s1.tcr.tsz, 16, "S1 tcr.tsz");
	is_int(cfg.s1.tcr.ips, 5, "S1 tcr.ips (48-bit)");
	is_hex(cfg.s1.mair, 0xf404ff44ULL,
	       "MAIR: NC 0x44, WBRWA 0xff, DEVICE 0x04, INC_OWBRWA 0xf4");
	is_hex(cfg.s1.ttbr, ims_pgtable_get_cfg(ops)->s1.ttbr, "TTBR kept in the instance");
	{
		struct ims_io_pgtable_info in;

		ims_pgtable_get_info(ops, &in);
		is_hex(cfg.s1.ttbr, in.pgd_pa, "TTBR is the pgd");
	}
	ims_pgtable_free_ops(ops);

	/* S1 64K ias 40 oas 44 non-coherent: T0SZ 24, SH0 OS, NC, TG0 64K (1), IPS 4. */
	ops = mk(IMS_ARM_64_LPAE_S1, SZ_64K | SZ_512M, 40, 44, 0, false, &cfg, &ret);
	is_hex(cfg.s1.tcr_val, 0x400806018ULL, "S1 64K/40/44 non-coherent TCR");
	ims_pgtable_free_ops(ops);

	/* Non-coherent with OUTER_WBWA: ORGN0 = WBWA. */
	ops = mk(IMS_ARM_64_LPAE_S1, SZ_4K, 32, 32, IMS_IO_PGTABLE_QUIRK_ARM_OUTER_WBWA, false,
		 &cfg, &ret);
	is_hex(cfg.s1.tcr_val, 0x000802420ULL, "S1 4K/32/32 non-coherent OUTER_WBWA TCR");
	ims_pgtable_free_ops(ops);
	ops = mk(IMS_ARM_64_LPAE_S1, SZ_4K, 32, 32, IMS_IO_PGTABLE_QUIRK_ARM_OUTER_WBWA, true, &cfg,
		 &ret);
	is_int(ret, -EINVAL, "OUTER_WBWA with a coherent walk is refused");
	ok(!ops, "no instance on failure");

	/* TTBR1: the fields move to the TTBR1 half, EPD0 set, TG1 encoding. */
	ops = mk(IMS_ARM_64_LPAE_S1, SZ_16K | SZ_32M, 36, 40, IMS_IO_PGTABLE_QUIRK_ARM_TTBR1, true,
		 &cfg, &ret);
	is_hex(cfg.s1.tcr_val, 0x2751c0080ULL, "S1 16K/36/40 TTBR1 TCR");
	is_int(cfg.s1.tcr.tg, IMS_ARM_LPAE_TCR_TG1_16K, "TTBR1 uses the TG1 encoding");
	if (ops) {
		size_t mapped = 0;
		uint64_t hi = 0xfffffff000000000ULL;

		is_int(ops->map_pages(ops, hi + 0x4000, 0x4000, SZ_16K, 1, IMS_IOMMU_READ, 0,
				      &mapped),
		       0, "TTBR1: an upper-half iova maps");
		is_hex(ops->iova_to_phys(ops, hi + 0x4010), 0x4010, "TTBR1: and translates");
		is_int(ops->map_pages(ops, 0x4000, 0x4000, SZ_16K, 1, IMS_IOMMU_READ, 0, &mapped),
		       -ERANGE, "TTBR1: a lower-half iova is out of range");
		ims_pgtable_free_ops(ops);
	}

	/* S2 4K ias 40 oas 40: concatenated, start level 1 -> SL0 1; T0SZ 24; PS 40. */
	ops = mk(IMS_ARM_64_LPAE_S2, SZ_4K | SZ_2M | SZ_1G, 40, 40, 0, true, &cfg, &ret);
	is_hex(cfg.s2.vtcr_val, 0x80023558ULL, "S2 4K/40/40 VTCR");
	is_int(cfg.s2.vtcr.sl, 1, "S2 4K start level 1: SL0 = 1");
	is_hex(cfg.s2.vttbr, ims_pgtable_get_cfg(ops)->s2.vttbr, "VTTBR recorded");
	ok(IS_ALIGNED_TEST(cfg.s2.vttbr, 8192), "the concatenated pgd is aligned to its 8K size");
	ims_pgtable_free_ops(ops);
	/* S2 4K ias 48: start level 0 -> SL0 2; PS 48. */
	ops = mk(IMS_ARM_64_LPAE_S2, SZ_4K | SZ_2M | SZ_1G, 48, 48, 0, true, &cfg, &ret);
	is_hex(cfg.s2.vtcr_val, 0x80053590ULL, "S2 4K/48/48 VTCR");
	ims_pgtable_free_ops(ops);
	/* S2 64K ias 42: start level 2 -> SL0 1; TG0 64K. */
	ops = mk(IMS_ARM_64_LPAE_S2, SZ_64K | SZ_512M, 42, 48, 0, true, &cfg, &ret);
	is_hex(cfg.s2.vtcr_val, 0x80057556ULL, "S2 64K/42/48 VTCR");
	ims_pgtable_free_ops(ops);
	/* S2 16K ias 48: concatenated to start level 1 -> SL0 2; TG0 16K. */
	ops = mk(IMS_ARM_64_LPAE_S2, SZ_16K | SZ_32M, 48, 48, 0, false, &cfg, &ret);
	is_hex(cfg.s2.vtcr_val, 0x8005a090ULL, "S2 16K/48/48 non-coherent VTCR");
	ims_pgtable_free_ops(ops);
}

static void config_errors(void)
{
	struct ims_io_pgtable_cfg cfg;
	struct ims_io_pgtable_ops *ops;
	int ret;

	ops = mk(IMS_ARM_64_LPAE_S1, SZ_4K, 48, 33, 0, true, &cfg, &ret);
	is_int(ret, -EINVAL, "oas 33 has no IPS encoding");
	ops = mk(IMS_ARM_64_LPAE_S2, SZ_4K, 48, 37, 0, true, &cfg, &ret);
	is_int(ret, -EINVAL, "oas 37 has no PS encoding (S2)");
	ops = mk(IMS_ARM_64_LPAE_S1, SZ_4K, 50, 50, 0, true, &cfg, &ret);
	is_int(ret, 0, "ias/oas 50 with 4K are clamped, not refused");
	is_int(cfg.ias, 48, "ias clamped to 48");
	is_int(cfg.oas, 48, "oas clamped to 48");
	ims_pgtable_free_ops(ops);
	ops = mk(IMS_ARM_64_LPAE_S1, SZ_64K, 56, 56, 0, true, &cfg, &ret);
	is_int(ret, 0, "64K: ias/oas clamp to 52");
	is_int(cfg.ias, 52, "64K ias clamped to 52");
	ims_pgtable_free_ops(ops);
	ops = mk(IMS_ARM_64_LPAE_S2, SZ_4K, 48, 48, IMS_IO_PGTABLE_QUIRK_ARM_NS, true, &cfg, &ret);
	is_int(ret, -EINVAL, "S2 takes no quirks");
	ops = mk(IMS_ARM_64_LPAE_S1, SZ_4K, 48, 48, IMS_IO_PGTABLE_QUIRK_NO_PERMS, true, &cfg,
		 &ret);
	is_int(ret, -EINVAL, "S1 refuses NO_PERMS");
	ops = mk(IMS_ARM_64_LPAE_S1, 0x800 | SZ_2M, 48, 48, 0, true, &cfg, &ret);
	is_int(ret, -EINVAL, "a 2K granule is no LPAE granule");
	ops = mk(IMS_ARM_64_LPAE_S1, SZ_4K | SZ_16K | SZ_64K | SZ_32M | SZ_2M, 48, 48, 0, true,
		 &cfg, &ret);
	is_hex(cfg.pgsize_bitmap, SZ_4K | SZ_2M, "PAGE_SIZE (4K) granule chosen; 16K/64K dropped");
	ims_pgtable_free_ops(ops);
	ops = mk(IMS_ARM_64_LPAE_S1, SZ_16K | SZ_64K | SZ_32M | SZ_512M, 48, 48, 0, true, &cfg,
		 &ret);
	is_hex(cfg.pgsize_bitmap, SZ_16K | SZ_32M, "no 4K: the smallest larger granule (16K)");
	ims_pgtable_free_ops(ops);
	pgt_cfg_init(&cfg, &env, SZ_4K | SZ_64K | SZ_512M, 48, 48);
	cfg.cpu_page_size = SZ_64K;
	is_int(ims_pgtable_alloc_ops(&ops, IMS_ARM_64_LPAE_S1, &cfg, &env), 0,
	       "64K-page kernel alloc");
	is_hex(cfg.pgsize_bitmap, SZ_64K | SZ_512M, "a 64K-page kernel prefers the 64K granule");
	ims_pgtable_free_ops(ops);
	ops = mk(IMS_IO_PGTABLE_NUM_FMTS, SZ_4K, 48, 48, 0, true, &cfg, &ret);
	is_int(ret, -EINVAL, "unknown format");
	env.fail_alloc = true;
	ops = mk(IMS_ARM_64_LPAE_S1, SZ_4K, 48, 48, 0, true, &cfg, &ret);
	is_int(ret, -ENOMEM, "pgd allocation failure is -ENOMEM");
	env.fail_alloc = false;
	is_int(atomic_load(&env.live), 0, "nothing leaked by the failures");
}

int main(void)
{
	prot_matrix(IMS_ARM_64_LPAE_S1, 0);
	prot_matrix(IMS_ARM_64_LPAE_S2, 0);
	prot_matrix(IMS_ARM_64_LPAE_S1, IMS_IO_PGTABLE_QUIRK_ARM_NS);
	hd_quirk();
	literal_ptes();
	registers();
	config_errors();
	return tap_done();
}
