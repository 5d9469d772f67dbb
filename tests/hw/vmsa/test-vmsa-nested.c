/* SPDX-License-Identifier: MIT */
/*
 * Nested walks: stage-1 table addresses are IPAs that stage 2 translates
 * before each fetch (DDI 0487 D8.2), and stage-2 faults met on the way are
 * reported as such, with the IPA of the stage-1 descriptor.
 */
#include <iommusim/hw.h>
#include <iommusim/vmsa.h>

#include "../../tap.h"

#define RAM_BASE 0x40000000ULL
#define RAM_SIZE 0x10000000ULL
/* Stage 2 maps IPA [0, 1 GiB) to PA [1 GiB, 2 GiB) with one level-1 block. */
#define IPA_OFFSET 0x40000000ULL

#define D_TABLE 0x3ULL
#define D_BLOCK 0x1ULL
#define D_PAGE 0x3ULL
#define D_AF (1ULL << 10)
#define S2AP_R (1ULL << 6)
#define S2AP_W (1ULL << 7)

static struct ims_mem *mem;

static uint64_t table_pa(void)
{
	uint64_t pa = 0;

	if (ims_mem_alloc(mem, &pa, 4096, 4096, IMS_MEM_ZERO))
		diag("table allocation failed");
	return pa;
}

static void put(uint64_t pa, uint64_t v)
{
	if (ims_mem_write64(mem, pa, v))
		diag("write at 0x%llx failed", (unsigned long long)pa);
}

static uint64_t idx(uint64_t ia, unsigned int level)
{
	return (ia >> (12 + 9 * (3 - level))) & 511;
}

int main(void)
{
	struct ims_vmsa_cfg s1 = { 0 }, s2 = { 0 }, bad = { 0 };
	struct ims_vmsa_walk w;
	struct ims_vmsa_fault f;
	uint64_t s2_l1, l0, l1, l2, l3, va = 0x12345678ULL, out_ipa = 0x08000000ULL;
	int ret;

	if (ims_mem_new(&mem, NULL) || ims_mem_add_ram(mem, RAM_BASE, RAM_SIZE))
		return 1;

	/* Stage 2: 4K granule, 39-bit IPA, start level 1, one RW 1 GiB block. */
	s2_l1 = table_pa();
	put(s2_l1, IPA_OFFSET | S2AP_R | S2AP_W | D_AF | D_BLOCK);
	s2 = (struct ims_vmsa_cfg){ .ttb = s2_l1,
				    .granule_shift = 12,
				    .ias = 39,
				    .oas = 40,
				    .start_level = 1,
				    .concat = 1,
				    .stage2 = true };

	/* Stage 1: tables at PA, referenced by their IPA (PA - IPA_OFFSET). */
	l0 = table_pa();
	l1 = table_pa();
	l2 = table_pa();
	l3 = table_pa();
	put(l0 + idx(va, 0) * 8, (l1 - IPA_OFFSET) | D_TABLE);
	put(l1 + idx(va, 1) * 8, (l2 - IPA_OFFSET) | D_TABLE);
	put(l2 + idx(va, 2) * 8, (l3 - IPA_OFFSET) | D_TABLE);
	put(l3 + idx(va, 3) * 8, out_ipa | D_AF | D_PAGE);
	s1 = (struct ims_vmsa_cfg){ .ttb = l0 - IPA_OFFSET,
				    .granule_shift = 12,
				    .ias = 48,
				    .oas = 40,
				    .start_level = 0,
				    .s2 = &s2 };

	ret = ims_vmsa_walk(mem, &s1, va, &w, &f);
	is_int(ret, 0, "nested walk succeeds");
	is_hex(w.oa, out_ipa | (va & 0xfff),
	       "stage-1 output is the IPA (stage 2 of the output is the caller's)");
	is_hex(w.desc_pa, l3 + idx(va, 3) * 8, "leaf descriptor address is the physical one");
	is_int(w.level, 3, "page leaf");

	s1.s2 = NULL;
	ret = ims_vmsa_walk(mem, &s1, va, &w, &f);
	is_int(ret, -EFAULT, "without stage 2 the IPA table base is fetched as a PA");
	is_int(f.type, IMS_VMSA_F_WALK_EABT, "and hits no RAM: external abort");
	ok(!f.s2, "that is a stage-1 fault");
	s1.s2 = &s2;

	/* Stage 2 grants no read: the stage-1 walk cannot read its tables. */
	put(s2_l1, IPA_OFFSET | S2AP_W | D_AF | D_BLOCK);
	memset(&f, 0xa5, sizeof(f));
	ret = ims_vmsa_walk(mem, &s1, va, &w, &f);
	is_int(ret, -EFAULT, "stage-2 write-only mapping faults the table walk");
	is_int(f.type, IMS_VMSA_F_PERMISSION, "stage-2 permission fault");
	ok(f.s2, "reported as a stage-2 fault");
	is_hex(f.ipa, l0 - IPA_OFFSET + idx(va, 0) * 8, "with the IPA of the level-0 descriptor");
	is_int(f.level, 1, "at the stage-2 leaf level");
	is_hex(f.desc_pa, s2_l1, "and the stage-2 descriptor address");

	/* Stage 2 maps nothing: translation fault in stage 2. */
	put(s2_l1, 0);
	ret = ims_vmsa_walk(mem, &s1, va, &w, &f);
	is_int(ret, -EFAULT, "unmapped IPA faults");
	is_int(f.type, IMS_VMSA_F_TRANSLATION, "stage-2 translation fault");
	ok(f.s2, "in stage 2");
	is_hex(f.ipa, l0 - IPA_OFFSET + idx(va, 0) * 8, "IPA of the descriptor");
	put(s2_l1, IPA_OFFSET | S2AP_R | S2AP_W | D_AF | D_BLOCK);

	/* A stage-1 fault under nesting stays a stage-1 fault, with the PA. */
	put(l3 + idx(va, 3) * 8, 0);
	ret = ims_vmsa_walk(mem, &s1, va, &w, &f);
	is_int(ret, -EFAULT, "invalid stage-1 leaf");
	is_int(f.type, IMS_VMSA_F_TRANSLATION, "stage-1 translation fault");
	ok(!f.s2, "not a stage-2 fault");
	is_int(f.level, 3, "at level 3");
	is_hex(f.desc_pa, l3 + idx(va, 3) * 8, "descriptor PA");

	/* Nesting needs a stage-2 regime underneath. */
	bad = s2;
	bad.stage2 = false;
	s1.s2 = &bad;
	is_int(ims_vmsa_walk(mem, &s1, va, &w, &f), -EINVAL, "a stage-1 regime as s2 is rejected");

	ims_mem_free(mem);
	return tap_done();
}
