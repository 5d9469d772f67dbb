/* SPDX-License-Identifier: MIT */
/*
 * The VMSAv8-64 walker on hand-built tables: every granule, both stages,
 * every level, block and page leaves, each fault with its level and
 * descriptor address, permission decoding and start-level decoding.
 */
#include <iommusim/hw.h>
#include <iommusim/vmsa.h>

#include "../../tap.h"

#define RAM_BASE 0x40000000ULL
#define RAM_SIZE 0x10000000ULL /* 256 MiB; nothing is mapped below RAM_BASE */

#define D_VALID 0x1ULL
#define D_TABLE 0x3ULL
#define D_BLOCK 0x1ULL
#define D_PAGE 0x3ULL
#define D_AP1 (1ULL << 6) /* S1 EL0 / S2 read */
#define D_AP2 (1ULL << 7) /* S1 RO / S2 write */
#define D_AF (1ULL << 10)
#define D_NG (1ULL << 11)
#define D_PXN (1ULL << 53)
#define D_UXN (1ULL << 54)
#define T_PXN (1ULL << 59)
#define T_UXN (1ULL << 60)
#define T_AP0 (1ULL << 61)
#define T_AP1 (1ULL << 62)

#define P_RP IMS_VMSA_PERM_R_PRIV
#define P_WP IMS_VMSA_PERM_W_PRIV
#define P_XP IMS_VMSA_PERM_X_PRIV
#define P_RU IMS_VMSA_PERM_R_USER
#define P_WU IMS_VMSA_PERM_W_USER
#define P_XU IMS_VMSA_PERM_X_USER

static struct ims_mem *mem;

static uint64_t table(unsigned int gs, unsigned int count)
{
	uint64_t pa = 0, size = (1ULL << gs) * count;

	if (ims_mem_alloc(mem, &pa, size, size, IMS_MEM_ZERO))
		diag("table allocation failed");
	return pa;
}

static void put(uint64_t pa, uint64_t v)
{
	if (ims_mem_write64(mem, pa, v))
		diag("write at 0x%llx failed", (unsigned long long)pa);
}

static unsigned int lshift(unsigned int gs, unsigned int level)
{
	return gs + (3 - level) * (gs - 3);
}

/* Descriptor address of @ia in @tbl at @level, with @bits index bits. */
static uint64_t slot(uint64_t tbl, unsigned int gs, unsigned int level, uint64_t ia,
		     unsigned int bits)
{
	return tbl + (((ia >> lshift(gs, level)) & ((1ULL << bits) - 1)) << 3);
}

static int walk(const struct ims_vmsa_cfg *cfg, uint64_t ia, struct ims_vmsa_walk *w,
		struct ims_vmsa_fault *f)
{
	memset(w, 0xa5, sizeof(*w));
	memset(f, 0xa5, sizeof(*f));
	return ims_vmsa_walk(mem, cfg, ia, w, f);
}

static void expect_fault(const struct ims_vmsa_cfg *cfg, uint64_t ia, enum ims_vmsa_fault_type t,
			 unsigned int level, uint64_t desc_pa, const char *what)
{
	struct ims_vmsa_walk w;
	struct ims_vmsa_fault f;
	int ret = walk(cfg, ia, &w, &f);

	is_int(ret, -EFAULT, "%s: -EFAULT", what);
	is_int(f.type, t, "%s: fault type", what);
	is_int(f.level, level, "%s: fault level", what);
	is_hex(f.desc_pa, desc_pa, "%s: fault desc_pa", what);
}

static void expect_ok(const struct ims_vmsa_cfg *cfg, uint64_t ia, uint64_t oa, unsigned int level,
		      unsigned int shift, uint64_t desc_pa, const char *what)
{
	struct ims_vmsa_walk w;
	struct ims_vmsa_fault f;
	int ret = walk(cfg, ia, &w, &f);

	is_int(ret, 0, "%s: walk succeeds", what);
	is_hex(w.oa, oa, "%s: oa", what);
	is_int(w.level, level, "%s: level", what);
	is_int(w.leaf_shift, shift, "%s: leaf_shift", what);
	is_hex(w.desc_pa, desc_pa, "%s: desc_pa", what);
}

/* 4K granule, stage 1, 48-bit, start level 0: every level and leaf kind, every fault. */
static void test_4k_s1(void)
{
	const unsigned int gs = 12;
	uint64_t l0 = table(gs, 1), l1 = table(gs, 1), l2 = table(gs, 1), l3 = table(gs, 1);
	struct ims_vmsa_cfg cfg = {
		.ttb = l0, .granule_shift = gs, .ias = 48, .oas = 48, .start_level = 0, .concat = 1
	};
	uint64_t ia = 0x0000123456789abcULL, d, pa3;
	struct ims_vmsa_walk w;
	struct ims_vmsa_fault f;

	put(slot(l0, gs, 0, ia, 9), l1 | D_TABLE);
	put(slot(l1, gs, 1, ia, 9), l2 | D_TABLE);
	put(slot(l2, gs, 2, ia, 9), l3 | D_TABLE);
	pa3 = slot(l3, gs, 3, ia, 9);
	d = 0x0000008765432000ULL | D_PAGE | D_AF | D_NG;
	put(pa3, d);
	expect_ok(&cfg, ia, 0x0000008765432abcULL, 3, 12, pa3, "4K page");
	walk(&cfg, ia, &w, &f);
	is_hex(w.desc, d, "4K page: desc as read");
	ok(w.ng, "4K page: nG reported");
	is_hex(w.perm, P_RP | P_WP | P_XP | P_XU, "4K page: AP=00 is priv RW, executable");

	/* A 2M block at level 2 and a 1G block at level 1, for neighbouring addresses. */
	put(slot(l2, gs, 2, ia + (1ULL << 21), 9), 0x0000004000200000ULL | D_BLOCK | D_AF);
	expect_ok(&cfg, ia + (1ULL << 21), 0x0000004000200000ULL | ((ia + (1ULL << 21)) & 0x1fffff),
		  2, 21, slot(l2, gs, 2, ia + (1ULL << 21), 9), "4K 2M block");
	walk(&cfg, ia + (1ULL << 21), &w, &f);
	ok(!w.ng, "4K 2M block: global");
	put(slot(l1, gs, 1, ia + (1ULL << 30), 9), 0x0000000080000000ULL | D_BLOCK | D_AF);
	expect_ok(&cfg, ia + (1ULL << 30),
		  0x0000000080000000ULL | ((ia + (1ULL << 30)) & 0x3fffffff), 1, 30,
		  slot(l1, gs, 1, ia + (1ULL << 30), 9), "4K 1G block");
	/* Bits below the block size in a block descriptor do not reach the OA. */
	put(slot(l2, gs, 2, ia + (2ULL << 21), 9),
	    0x0000004000200000ULL | 0x1ff000 | D_BLOCK | D_AF);
	expect_ok(&cfg, ia + (2ULL << 21), 0x0000004000200000ULL | ((ia + (2ULL << 21)) & 0x1fffff),
		  2, 21, slot(l2, gs, 2, ia + (2ULL << 21), 9), "4K block ignores low bits");

	/* Faults. */
	expect_fault(&cfg, ia + (1ULL << 39), IMS_VMSA_F_TRANSLATION, 0,
		     slot(l0, gs, 0, ia + (1ULL << 39), 9), "4K invalid L0");
	expect_fault(&cfg, ia + (5ULL << 30), IMS_VMSA_F_TRANSLATION, 1,
		     slot(l1, gs, 1, ia + (5ULL << 30), 9), "4K invalid L1");
	expect_fault(&cfg, ia + (5ULL << 21), IMS_VMSA_F_TRANSLATION, 2,
		     slot(l2, gs, 2, ia + (5ULL << 21), 9), "4K invalid L2");
	expect_fault(&cfg, ia + (5ULL << 12), IMS_VMSA_F_TRANSLATION, 3,
		     slot(l3, gs, 3, ia + (5ULL << 12), 9), "4K invalid L3");
	/* An invalid descriptor with other bits set is still invalid. */
	put(slot(l3, gs, 3, ia + (6ULL << 12), 9), 0x0000008765432000ULL | 0x2 | D_AF);
	expect_fault(&cfg, ia + (6ULL << 12), IMS_VMSA_F_TRANSLATION, 3,
		     slot(l3, gs, 3, ia + (6ULL << 12), 9), "4K bit0=0 with bits set");
	/* Level-3 type 01 is reserved. */
	put(slot(l3, gs, 3, ia + (7ULL << 12), 9), 0x0000008765432000ULL | D_BLOCK | D_AF);
	expect_fault(&cfg, ia + (7ULL << 12), IMS_VMSA_F_TRANSLATION, 3,
		     slot(l3, gs, 3, ia + (7ULL << 12), 9), "4K L3 reserved type");
	/* No level-0 block with the 4K granule (48-bit OA). */
	put(slot(l0, gs, 0, ia + (2ULL << 39), 9), D_BLOCK | D_AF);
	expect_fault(&cfg, ia + (2ULL << 39), IMS_VMSA_F_TRANSLATION, 0,
		     slot(l0, gs, 0, ia + (2ULL << 39), 9), "4K L0 block");
	/* Access flag. */
	put(slot(l3, gs, 3, ia + (8ULL << 12), 9), 0x0000008765432000ULL | D_PAGE);
	expect_fault(&cfg, ia + (8ULL << 12), IMS_VMSA_F_ACCESS, 3,
		     slot(l3, gs, 3, ia + (8ULL << 12), 9), "4K AF=0");
	cfg.affd = true;
	expect_ok(&cfg, ia + (8ULL << 12), 0x0000008765432000ULL | ((ia + (8ULL << 12)) & 0xfff), 3,
		  12, slot(l3, gs, 3, ia + (8ULL << 12), 9), "4K AF=0 with AFFD");
	cfg.affd = false;
	/* Input beyond ias. */
	cfg.ias = 39;
	cfg.start_level = 1;
	cfg.ttb = l1;
	expect_fault(&cfg, 1ULL << 39, IMS_VMSA_F_TRANSLATION, 1, 0, "4K ia beyond ias");
	cfg.ias = 40;
	/* ias 40 from level 1 would need a 1024-entry (concatenated) table. */
	is_int(ims_vmsa_walk(mem, &cfg, ia, &w, &f), -EINVAL,
	       "4K ias 40 at level 1 needs concatenation (stage 1: -EINVAL)");
	cfg.ias = 39;
	cfg.ttb = l1;
	expect_ok(&cfg, ia & ((1ULL << 39) - 1), 0x0000008765432000ULL | (ia & 0xfff), 3, 12, pa3,
		  "4K ias 39 from level 1");
	cfg.ias = 48;
	cfg.start_level = 0;
	cfg.ttb = l0;
	/* Output address size: a page beyond a 36-bit oas, a table beyond it. */
	cfg.oas = 36;
	expect_fault(&cfg, ia, IMS_VMSA_F_ADDR_SIZE, 3, pa3, "4K page OA beyond oas");
	put(slot(l2, gs, 2, ia + (9ULL << 21), 9), (1ULL << 41) | D_TABLE);
	expect_fault(&cfg, ia + (9ULL << 21), IMS_VMSA_F_ADDR_SIZE, 2,
		     slot(l2, gs, 2, ia + (9ULL << 21), 9), "4K table beyond oas");
	cfg.ttb = 1ULL << 36;
	expect_fault(&cfg, ia, IMS_VMSA_F_ADDR_SIZE, 0, 1ULL << 36, "4K TTB beyond oas");
	cfg.ttb = l0;
	cfg.oas = 48;
	/* A table outside RAM: external abort on the next fetch. */
	put(slot(l2, gs, 2, ia + (10ULL << 21), 9), 0x10000000ULL | D_TABLE);
	expect_fault(&cfg, ia + (10ULL << 21), IMS_VMSA_F_WALK_EABT, 3,
		     slot(0x10000000ULL, gs, 3, ia + (10ULL << 21), 9), "4K table outside RAM");
	cfg.ttb = 0x20000000ULL;
	expect_fault(&cfg, ia, IMS_VMSA_F_WALK_EABT, 0, slot(0x20000000ULL, gs, 0, ia, 9),
		     "4K TTB outside RAM");
}

/* 16K granule, stage 1, 48-bit: level 0 resolves one bit (two entries). */
static void test_16k_s1(void)
{
	const unsigned int gs = 14;
	uint64_t l0 = table(gs, 1), l1 = table(gs, 1), l2 = table(gs, 1), l3 = table(gs, 1);
	struct ims_vmsa_cfg cfg = {
		.ttb = l0, .granule_shift = gs, .ias = 48, .oas = 48, .start_level = 0, .concat = 1
	};
	uint64_t ia = 0x0000923456789abcULL; /* bit 47 set: second level-0 entry */

	is_int(ims_vmsa_s1_start_level(gs, 48), 0, "16K ias 48 starts at level 0");
	put(slot(l0, gs, 0, ia, 1), l1 | D_TABLE);
	is_hex(slot(l0, gs, 0, ia, 1), l0 + 8, "16K L0 index is bit 47");
	put(slot(l1, gs, 1, ia, 11), l2 | D_TABLE);
	put(slot(l2, gs, 2, ia, 11), l3 | D_TABLE);
	put(slot(l3, gs, 3, ia, 11), 0x0000001234564000ULL | D_PAGE | D_AF);
	expect_ok(&cfg, ia, 0x0000001234564000ULL | (ia & 0x3fff), 3, 14, slot(l3, gs, 3, ia, 11),
		  "16K page");
	put(slot(l2, gs, 2, ia + (1ULL << 25), 11), 0x0000000042000000ULL | D_BLOCK | D_AF);
	expect_ok(&cfg, ia + (1ULL << 25),
		  0x0000000042000000ULL | ((ia + (1ULL << 25)) & 0x1ffffff), 2, 25,
		  slot(l2, gs, 2, ia + (1ULL << 25), 11), "16K 32M block");
	put(slot(l1, gs, 1, ia + (1ULL << 36), 11), D_BLOCK | D_AF);
	expect_fault(&cfg, ia + (1ULL << 36), IMS_VMSA_F_TRANSLATION, 1,
		     slot(l1, gs, 1, ia + (1ULL << 36), 11), "16K L1 block not allowed");
	put(slot(l0, gs, 0, 0, 1), D_BLOCK | D_AF);
	expect_fault(&cfg, 0x1000, IMS_VMSA_F_TRANSLATION, 0, l0, "16K L0 block not allowed");
	put(slot(l3, gs, 3, ia + (1ULL << 14), 11), 0x0000001234564000ULL | D_BLOCK | D_AF);
	expect_fault(&cfg, ia + (1ULL << 14), IMS_VMSA_F_TRANSLATION, 3,
		     slot(l3, gs, 3, ia + (1ULL << 14), 11), "16K L3 reserved type");
	/* 16K ias 36: start level 2 with 2048 entries (36 - 25 = 11 bits). */
	is_int(ims_vmsa_s1_start_level(gs, 36), 2, "16K ias 36 starts at level 2");
	cfg.ias = 36;
	cfg.start_level = 2;
	cfg.ttb = l2;
	expect_ok(&cfg, ia & ((1ULL << 36) - 1), 0x0000001234564000ULL | (ia & 0x3fff), 3, 14,
		  slot(l3, gs, 3, ia, 11), "16K from level 2");
}

/* 64K granule, stage 1: level 1 start, 512M blocks at level 2, no level-1 blocks. */
static void test_64k_s1(void)
{
	const unsigned int gs = 16;
	uint64_t l1 = table(gs, 1), l2 = table(gs, 1), l3 = table(gs, 1);
	struct ims_vmsa_cfg cfg = {
		.ttb = l1, .granule_shift = gs, .ias = 48, .oas = 48, .start_level = 1, .concat = 1
	};
	uint64_t ia = 0x0000a23456789abcULL;
	struct ims_vmsa_walk w;
	struct ims_vmsa_fault f;

	is_int(ims_vmsa_s1_start_level(gs, 48), 1, "64K ias 48 starts at level 1");
	put(slot(l1, gs, 1, ia, 6), l2 | D_TABLE);
	put(slot(l2, gs, 2, ia, 13), l3 | D_TABLE);
	/* Bits [15:12] would be OA[51:48] with 52-bit PA: ignored here. */
	put(slot(l3, gs, 3, ia, 13), 0x0000001234560000ULL | 0xf000 | D_PAGE | D_AF);
	expect_ok(&cfg, ia, 0x0000001234560000ULL | (ia & 0xffff), 3, 16, slot(l3, gs, 3, ia, 13),
		  "64K page");
	put(slot(l2, gs, 2, ia + (1ULL << 29), 13), 0x0000000060000000ULL | D_BLOCK | D_AF);
	expect_ok(&cfg, ia + (1ULL << 29),
		  0x0000000060000000ULL | ((ia + (1ULL << 29)) & 0x1fffffff), 2, 29,
		  slot(l2, gs, 2, ia + (1ULL << 29), 13), "64K 512M block");
	put(slot(l1, gs, 1, ia + (1ULL << 42), 6), D_BLOCK | D_AF);
	expect_fault(&cfg, ia + (1ULL << 42), IMS_VMSA_F_TRANSLATION, 1,
		     slot(l1, gs, 1, ia + (1ULL << 42), 6), "64K L1 block not allowed");
	cfg.start_level = 0;
	is_int(ims_vmsa_walk(mem, &cfg, ia, &w, &f), -EINVAL, "64K start level 0 is -EINVAL");
	is_int(ims_vmsa_s1_start_level(gs, 42), 2, "64K ias 42 starts at level 2");
	is_int(ims_vmsa_s1_start_level(gs, 29), 3, "64K ias 29 starts at level 3");
}

/* Stage 2: concatenated start-level tables and SL0 decoding. */
static void test_s2(void)
{
	struct ims_vmsa_cfg cfg = { .granule_shift = 12, .ias = 40, .oas = 48, .stage2 = true };
	unsigned int concat = 0;
	uint64_t l1, l2, l3, ia = 0x000000c123456789ULL; /* bit 39 set: second table */
	struct ims_vmsa_walk w;
	struct ims_vmsa_fault f;
	int sl;

	sl = ims_vmsa_s2_start_level(12, 1, 40, &concat);
	is_int(sl, 1, "S2 4K SL0=1 ias 40: level 1");
	is_int(concat, 2, "S2 4K SL0=1 ias 40: 2 concatenated tables");
	l1 = table(12, 2);
	l2 = table(12, 1);
	l3 = table(12, 1);
	cfg.ttb = l1;
	cfg.start_level = (int8_t)sl;
	cfg.concat = (uint8_t)concat;
	put(slot(l1, 12, 1, ia, 10), l2 | D_TABLE);
	is_hex(slot(l1, 12, 1, ia, 10), l1 + 4096 + ((ia >> 30) & 511) * 8,
	       "S2 index lands in the second table");
	put(slot(l2, 12, 2, ia, 9), l3 | D_TABLE);
	put(slot(l3, 12, 3, ia, 9), 0x0000000087654000ULL | D_PAGE | D_AF | D_AP1 | D_AP2 | D_NG);
	expect_ok(&cfg, ia, 0x0000000087654789ULL, 3, 12, slot(l3, 12, 3, ia, 9), "S2 4K page");
	walk(&cfg, ia, &w, &f);
	is_hex(w.perm, P_RP | P_WP | P_RU | P_WU | P_XP | P_XU, "S2AP=11 XN=00: RW, executable");
	ok(!w.ng, "S2: no nG");
	cfg.concat = 1;
	is_int(ims_vmsa_walk(mem, &cfg, ia, &w, &f), -EINVAL, "S2 ias 40 at L1 without concat");
	cfg.concat = 3;
	is_int(ims_vmsa_walk(mem, &cfg, ia, &w, &f), -EINVAL, "S2 concat 3 is -EINVAL");
	cfg.concat = 2;
	put(slot(l3, 12, 3, ia + 0x1000, 9), 0x0000000087655000ULL | D_PAGE | D_AP1);
	expect_fault(&cfg, ia + 0x1000, IMS_VMSA_F_ACCESS, 3, slot(l3, 12, 3, ia + 0x1000, 9),
		     "S2 AF=0");
	expect_fault(&cfg, ia | (1ULL << 40), IMS_VMSA_F_TRANSLATION, 1, 0, "S2 ia beyond ias");

	/* 4K level 2 with 16 concatenated tables: ias 34. */
	is_int(ims_vmsa_s2_start_level(12, 0, 34, &concat), 2, "S2 4K SL0=0 ias 34: level 2");
	is_int(concat, 16, "S2 4K SL0=0 ias 34: 16 tables");
	is_int(ims_vmsa_s2_start_level(12, 0, 35, &concat), -EINVAL, "S2 4K SL0=0 ias 35: too big");
	is_int(ims_vmsa_s2_start_level(12, 2, 40, &concat), 0, "S2 4K SL0=2 ias 40: level 0");
	is_int(concat, 1, "S2 4K SL0=2 ias 40: 1 table");
	is_int(ims_vmsa_s2_start_level(12, 2, 39, &concat), -EINVAL,
	       "S2 4K SL0=2 ias 39: level 0 resolves nothing");
	is_int(ims_vmsa_s2_start_level(12, 3, 32, &concat), -EINVAL, "S2 4K SL0=3 reserved");
	is_int(ims_vmsa_s2_start_level(14, 2, 48, &concat), 1, "S2 16K SL0=2 ias 48: level 1");
	is_int(concat, 2, "S2 16K SL0=2 ias 48: 2 tables");
	is_int(ims_vmsa_s2_start_level(14, 3, 48, &concat), -EINVAL, "S2 16K SL0=3 needs LPA2");
	is_int(ims_vmsa_s2_start_level(14, 0, 28, &concat), 3, "S2 16K SL0=0 ias 28: level 3");
	is_int(concat, 8, "S2 16K SL0=0 ias 28: 8 tables");
	is_int(ims_vmsa_s2_start_level(14, 0, 30, &concat), -EINVAL,
	       "S2 16K SL0=0 ias 30: too big");
	is_int(ims_vmsa_s2_start_level(16, 1, 44, &concat), 2, "S2 64K SL0=1 ias 44: level 2");
	is_int(concat, 4, "S2 64K SL0=1 ias 44: 4 tables");
	is_int(ims_vmsa_s2_start_level(16, 2, 48, &concat), 1, "S2 64K SL0=2 ias 48: level 1");
	is_int(concat, 1, "S2 64K SL0=2 ias 48: 1 table");
	is_int(ims_vmsa_s2_start_level(16, 3, 48, &concat), -EINVAL, "S2 64K SL0=3 reserved");
	is_int(ims_vmsa_s2_start_level(13, 0, 40, &concat), -EINVAL, "S2 bad granule");
	is_int(ims_vmsa_s2_start_level(12, 1, 49, &concat), -EINVAL, "S2 ias 49 not modelled");

	/* 64K level 2 with 4 concatenated tables, a 512M block in the last one. */
	l2 = table(16, 4);
	cfg = (struct ims_vmsa_cfg){ .ttb = l2,
				     .granule_shift = 16,
				     .ias = 44,
				     .oas = 44,
				     .start_level = 2,
				     .concat = 4,
				     .stage2 = true };
	ia = 0x00000fe123456789ULL;
	put(slot(l2, 16, 2, ia, 15), 0x00000000a0000000ULL | D_BLOCK | D_AF | D_AP1);
	is_hex(slot(l2, 16, 2, ia, 15), l2 + 3 * 65536 + ((ia >> 29) & 8191) * 8,
	       "S2 64K index lands in the fourth table");
	expect_ok(&cfg, ia, 0x00000000a0000000ULL | (ia & 0x1fffffff), 2, 29,
		  slot(l2, 16, 2, ia, 15), "S2 64K 512M block in a concatenated table");
	walk(&cfg, ia, &w, &f);
	is_hex(w.perm, P_RP | P_RU | P_XP | P_XU, "S2AP=01: read-only");
}

static uint8_t perm_of(const struct ims_vmsa_cfg *cfg, uint64_t ia)
{
	struct ims_vmsa_walk w;
	struct ims_vmsa_fault f;

	if (walk(cfg, ia, &w, &f))
		return 0xff;
	return w.perm;
}

/* Permission decoding: AP, PXN/UXN, APTable/XNTable, HPD, S2AP and XN[1:0]. */
static void test_perms(void)
{
	const unsigned int gs = 12;
	uint64_t l1 = table(gs, 1), l2 = table(gs, 1), l2b = table(gs, 1);
	struct ims_vmsa_cfg cfg = {
		.ttb = l1, .granule_shift = gs, .ias = 39, .oas = 48, .start_level = 1, .concat = 1
	};
	const uint64_t a = 0, b = 1ULL << 30; /* two level-1 slots */
	static const struct {
		uint64_t attrs;
		uint8_t perm;
	} s1[] = {
		{ 0, P_RP | P_WP | P_XP | P_XU },
		{ D_AP1, P_RP | P_WP | P_RU | P_WU | P_XU }, /* EL0-writable: implicit PXN */
		{ D_AP2, P_RP | P_XP | P_XU },
		{ D_AP1 | D_AP2, P_RP | P_RU | P_XP | P_XU },
		{ D_PXN, P_RP | P_WP | P_XU },
		{ D_UXN, P_RP | P_WP | P_XP },
		{ D_AP1 | D_AP2 | D_PXN | D_UXN, P_RP | P_RU },
	};
	static const struct {
		uint64_t attrs;
		uint8_t perm;
	} s2[] = {
		{ 0, P_XP | P_XU },
		{ D_AP1, P_RP | P_RU | P_XP | P_XU },
		{ D_AP2, P_WP | P_WU | P_XP | P_XU },
		{ D_AP1 | D_AP2 | D_PXN, P_RP | P_RU | P_WP | P_WU | P_XU }, /* XN=01 */
		{ D_AP1 | D_UXN, P_RP | P_RU },				     /* XN=10 */
		{ D_AP1 | D_UXN | D_PXN, P_RP | P_RU | P_XP },		     /* XN=11 */
	};

	for (size_t i = 0; i < sizeof(s1) / sizeof(s1[0]); i++) {
		put(l2, 0x40000000ULL | D_BLOCK | D_AF | s1[i].attrs);
		put(l1, l2 | D_TABLE);
		is_hex(perm_of(&cfg, a), s1[i].perm, "S1 leaf attrs 0x%llx",
		       (unsigned long long)s1[i].attrs);
	}
	/* Table attributes narrow what the leaf grants. */
	put(l2, 0x40000000ULL | D_BLOCK | D_AF | D_AP1);
	put(l2b, 0x40000000ULL | D_BLOCK | D_AF | D_AP1);
	put(l1 + 8, l2b | D_TABLE | T_AP0);
	is_hex(perm_of(&cfg, b), P_RP | P_WP | P_XP | P_XU,
	       "APTable[0]: no EL0 access below (and no implicit PXN)");
	put(l1 + 8, l2b | D_TABLE | T_AP1);
	is_hex(perm_of(&cfg, b), P_RP | P_RU | P_XP | P_XU, "APTable[1]: read-only below");
	put(l1 + 8, l2b | D_TABLE | T_PXN);
	is_hex(perm_of(&cfg, b), P_RP | P_WP | P_RU | P_WU | P_XU, "PXNTable");
	put(l1 + 8, l2b | D_TABLE | T_UXN);
	is_hex(perm_of(&cfg, b), P_RP | P_WP | P_RU | P_WU, "UXNTable (and implicit PXN)");
	put(l1 + 8, l2b | D_TABLE | T_AP1 | T_AP0 | T_PXN | T_UXN);
	is_hex(perm_of(&cfg, b), P_RP, "all table limits");
	cfg.hpd = true;
	is_hex(perm_of(&cfg, b), P_RP | P_WP | P_RU | P_WU | P_XU, "HPD ignores table limits");
	cfg.hpd = false;
	/* Table limits do not leak to a sibling subtree. */
	is_hex(perm_of(&cfg, a), P_RP | P_WP | P_RU | P_WU | P_XU, "sibling unaffected");
	/* Stage 2 ignores table attribute bits. */
	cfg.stage2 = true;
	put(l2b, 0x40000000ULL | D_BLOCK | D_AF | D_AP1 | D_AP2);
	is_hex(perm_of(&cfg, b), P_RP | P_WP | P_RU | P_WU | P_XP | P_XU,
	       "S2 ignores table attributes");
	for (size_t i = 0; i < sizeof(s2) / sizeof(s2[0]); i++) {
		put(l2, 0x40000000ULL | D_BLOCK | D_AF | s2[i].attrs);
		is_hex(perm_of(&cfg, a), s2[i].perm, "S2 leaf attrs 0x%llx",
		       (unsigned long long)s2[i].attrs);
	}
	/* ims_vmsa_permits() over decoded permissions. */
	ok(ims_vmsa_permits(P_RP | P_WP, IMS_VMSA_READ | IMS_VMSA_WRITE | IMS_VMSA_PRIV),
	   "permits priv RW");
	ok(!ims_vmsa_permits(P_RP | P_WP, IMS_VMSA_READ), "denies user read of priv-only");
	ok(!ims_vmsa_permits(P_RP | P_RU, IMS_VMSA_WRITE), "denies write of read-only");
	ok(ims_vmsa_permits(P_XU, IMS_VMSA_EXEC), "permits user exec");
}

static void test_bad_cfg(void)
{
	uint64_t t = table(12, 1);
	struct ims_vmsa_cfg ok_cfg = {
		.ttb = t, .granule_shift = 12, .ias = 48, .oas = 48, .start_level = 0, .concat = 1
	};
	struct ims_vmsa_cfg c;
	struct ims_vmsa_walk w;
	struct ims_vmsa_fault f;

	c = ok_cfg;
	is_int(ims_vmsa_walk(mem, &c, 0, &w, &f), -EFAULT, "good cfg walks (empty table faults)");
	c = ok_cfg;
	c.granule_shift = 13;
	is_int(ims_vmsa_walk(mem, &c, 0, &w, &f), -EINVAL, "granule 13");
	c = ok_cfg;
	c.start_level = 4;
	is_int(ims_vmsa_walk(mem, &c, 0, &w, &f), -EINVAL, "start level 4");
	c = ok_cfg;
	c.start_level = -1;
	is_int(ims_vmsa_walk(mem, &c, 0, &w, &f), -EINVAL, "start level -1 (LPA2)");
	c = ok_cfg;
	c.ias = 52;
	is_int(ims_vmsa_walk(mem, &c, 0, &w, &f), -EINVAL, "ias 52 not modelled");
	c = ok_cfg;
	c.ias = 39;
	is_int(ims_vmsa_walk(mem, &c, 0, &w, &f), -EINVAL, "ias 39 at level 0 resolves nothing");
	c = ok_cfg;
	c.concat = 2;
	is_int(ims_vmsa_walk(mem, &c, 0, &w, &f), -EINVAL, "stage-1 concatenation");
	c = ok_cfg;
	c.stage2 = true;
	c.concat = 32;
	is_int(ims_vmsa_walk(mem, &c, 0, &w, &f), -EINVAL, "concat 32");
	is_int(ims_vmsa_s1_start_level(12, 48), 0, "S1 4K ias 48: level 0");
	is_int(ims_vmsa_s1_start_level(12, 39), 1, "S1 4K ias 39: level 1");
	is_int(ims_vmsa_s1_start_level(12, 40), 0, "S1 4K ias 40: level 0");
	is_int(ims_vmsa_s1_start_level(12, 30), 2, "S1 4K ias 30: level 2");
	is_int(ims_vmsa_s1_start_level(12, 21), 3, "S1 4K ias 21: level 3");
	is_int(ims_vmsa_s1_start_level(14, 47), 1, "S1 16K ias 47: level 1");
	is_int(ims_vmsa_s1_start_level(12, 49), -EINVAL, "S1 ias 49");
	is_int(ims_vmsa_s1_start_level(12, 15), -EINVAL, "S1 ias 15");
	is_int(ims_vmsa_s1_start_level(15, 40), -EINVAL, "S1 granule 15");
}

int main(void)
{
	if (ims_mem_new(&mem, NULL) || ims_mem_add_ram(mem, RAM_BASE, RAM_SIZE)) {
		ok(0, "memory setup");
		return tap_done();
	}
	test_4k_s1();
	test_16k_s1();
	test_64k_s1();
	test_s2();
	test_perms();
	test_bad_cfg();
	ims_mem_free(mem);
	return tap_done();
}
