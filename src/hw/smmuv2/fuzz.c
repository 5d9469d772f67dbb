/* SPDX-License-Identifier: MIT */
/*
 * A fuzzing entry point for the MMU-500 model: arbitrary bytes become a
 * configuration and a bounded sequence of register accesses, table writes
 * and transactions.  Both libFuzzer targets and the seeded unit test use it.
 */
#include <string.h>

#include "hw/smmuv2/regs.h"
#include "util/compiler.h"
#include <iommusim/smmuv2.h>

#define FUZZ_RAM_BASE 0x40000000ULL
#define FUZZ_RAM_SIZE 0x100000ULL /* 256 pages: tables land here */
#define FUZZ_SMMU_BASE 0x20000000ULL
#define FUZZ_MAX_OPS 4096
/* One of 16 64K-aligned pages (aligned for every granule) where tables go. */
#define FUZZ_POOL(x) (FUZZ_RAM_BASE + (((uint64_t)(x)&0xf) << 16))

struct fuzz_in {
	const uint8_t *data;
	size_t len, pos;
};

static uint64_t take(struct fuzz_in *in, unsigned int bytes)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < bytes; i++)
		v |= (uint64_t)(in->pos < in->len ? in->data[in->pos++] : 0) << (8 * i);
	return v;
}

static void fuzz_params(struct fuzz_in *in, struct ims_smmuv2_params *p)
{
	static const unsigned int sizes[] = { 32, 36, 40, 42, 44, 48 };
	uint64_t b = take(in, 8);

	ims_smmuv2_params_mmu500(p);
	p->base = FUZZ_SMMU_BASE;
	p->num_smrg = 1 + (unsigned int)(b & 0x7f);
	p->num_cb = 1 + (unsigned int)((b >> 7) & 0x7f);
	p->sid_bits = 1 + (unsigned int)((b >> 14) % 15);
	p->pgsize_64k = (b >> 18) & 1;
	p->s1ts = (b >> 19) & 1;
	p->s2ts = !p->s1ts || ((b >> 20) & 1);
	p->nts = p->s1ts && p->s2ts && ((b >> 21) & 1);
	p->num_s2cb = p->s2ts ? (unsigned int)((b >> 22) & 0xff) % (p->num_cb + 1) : 0;
	p->num_irpt = (unsigned int)((b >> 30) & 0xff);
	p->ias = sizes[((b >> 38) & 0xff) % ARRAY_SIZE(sizes)];
	p->oas = sizes[((b >> 46) & 0xff) % ARRAY_SIZE(sizes)];
	p->ptfs_4k = (b >> 54) & 1;
	p->ptfs_16k = (b >> 55) & 1;
	p->ptfs_64k = !(p->ptfs_4k || p->ptfs_16k) || ((b >> 56) & 1);
	p->vmid16 = (b >> 57) & 1;
	p->tlb_sets = 4;
	p->tlb_ways = 2;
}

/* A register offset biased towards the implemented ones. */
static uint64_t fuzz_reg(struct fuzz_in *in, const struct ims_smmuv2_params *p, uint64_t size,
			 unsigned int align)
{
	unsigned int pgshift = p->pgsize_64k ? 16 : 12;
	uint64_t v = take(in, 4);
	uint64_t page, off;

	switch (v & 3) {
	case 0:
		page = 0;
		break;
	case 1:
		page = 1;
		break;
	case 2:
		page = size / 2 / (1ULL << pgshift) + ((v >> 2) & 0xff) % p->num_cb;
		break;
	default:
		return ((v >> 2) % size) & ~(uint64_t)(align - 1);
	}
	off = (v >> 10) & 0xfff;
	return ((page << pgshift) | off) & ~(uint64_t)(align - 1);
}

/* Tables in pool pages from @root, each entry 0 pointing to the next, then a leaf. */
static void fuzz_chain(struct ims_mem *mem, uint64_t root, uint64_t d)
{
	uint64_t pgs[4];

	pgs[0] = root;
	for (unsigned int l = 1; l < 4; l++)
		pgs[l] = FUZZ_POOL(d >> (4 * l));
	for (unsigned int l = 0; l < 3; l++)
		ims_mem_write64(mem, pgs[l], pgs[l + 1] | 3);
	ims_mem_write64(mem, pgs[3] + 8 * ((d >> 16) & 3),
			FUZZ_POOL(d >> 20) | 3 | BIT_ULL(10) |
				FIELD_PREP(GENMASK_ULL(7, 6), d >> 24) | (d & BIT_ULL(54)));
}

IMS_EXPORT int ims_smmuv2_fuzz_one(const uint8_t *data, size_t len)
{
	struct fuzz_in in = { .data = data, .len = len };
	struct ims_smmuv2_params p;
	struct ims_smmuv2 *smmu = NULL;
	const struct ims_translator *tr;
	struct ims_mem *mem = NULL;
	uint64_t size, pg, v;
	int ret;

	if (!data && len)
		return -EINVAL;
	ret = ims_mem_new(&mem, NULL);
	if (ret)
		return ret;
	ret = ims_mem_add_ram(mem, FUZZ_RAM_BASE, FUZZ_RAM_SIZE);
	if (ret)
		goto out;
	fuzz_params(&in, &p);
	ret = ims_smmuv2_new(&smmu, mem, &p, NULL);
	if (ret) {
		ret = ret == -ENOMEM ? ret : 0;
		goto out;
	}
	tr = ims_smmuv2_translator(smmu);
	size = ims_smmuv2_reg_size(smmu);
	pg = 1ULL << (p.pgsize_64k ? 16 : 12);
	/* Enable the SMMU most of the time (CLIENTPD = 0), as a driver would. */
	v = take(&in, 4);
	ims_mmio_write(mem, FUZZ_SMMU_BASE + SMMU_GR0_sCR0, 4,
		       (v & 0xff) ? (v & ~(uint64_t)sCR0_CLIENTPD) : v);

	for (unsigned int n = 0; n < FUZZ_MAX_OPS && in.pos < in.len; n++) {
		uint8_t op = (uint8_t)take(&in, 1);

		switch (op % 8) {
		case 0: /* 32-bit register write */
			v = fuzz_reg(&in, &p, size, 4);
			ims_mmio_write(mem, FUZZ_SMMU_BASE + v, 4, take(&in, 4));
			break;
		case 1: /* 64-bit register write */
			v = fuzz_reg(&in, &p, size, 8);
			ims_mmio_write(mem, FUZZ_SMMU_BASE + v, 8, take(&in, 8));
			break;
		case 2: { /* register read */
			uint64_t val;

			v = fuzz_reg(&in, &p, size, (op & 0x80) ? 8 : 4);
			ims_mmio_read(mem, FUZZ_SMMU_BASE + v, (op & 0x80) ? 8 : 4, &val);
			break;
		}
		case 3: { /* a descriptor in RAM: raw, a plausible one, or a whole chain */
			uint64_t d = take(&in, 8);

			if ((op & 0xc0) == 0xc0) {
				fuzz_chain(mem, FUZZ_POOL(d), d);
				break;
			}
			v = (take(&in, 4) % FUZZ_RAM_SIZE) & ~7ULL;
			if (op & 0x80)
				d = FUZZ_POOL(d) | (d >> 62) |
				    FIELD_PREP(GENMASK_ULL(11, 6), d >> 20) | (d & BIT_ULL(54));
			ims_mem_write64(mem, FUZZ_RAM_BASE + v, d);
			break;
		}
		case 4: { /* a plausible stream: S2CR then SMR, SIDs from a small pool */
			unsigned int g = (unsigned int)take(&in, 1) % p.num_smrg;
			uint64_t b = take(&in, 4);
			uint32_t s2cr = (uint32_t)FIELD_PREP(S2CR_TYPE, (b & 7) < 5 ? 0 : b & 3) |
					(uint32_t)FIELD_PREP(S2CR_CBNDX, (b >> 3) & 0xff) |
					(uint32_t)(b & GENMASK(29, 18));

			if (!(b & BIT(31)))
				s2cr = (s2cr & ~S2CR_CBNDX) |
				       (uint32_t)(((b >> 3) & 0xff) % p.num_cb);
			ims_mmio_write(mem, FUZZ_SMMU_BASE + SMMU_GR0_S2CR(g), 4, s2cr);
			ims_mmio_write(mem, FUZZ_SMMU_BASE + SMMU_GR0_SMR(g), 4,
				       SMR_VALID | FIELD_PREP(SMR_ID, (b >> 11) & 0xf) |
					       FIELD_PREP(SMR_MASK, (b >> 15) & 0x3));
			break;
		}
		case 5: { /* a plausible context bank with tables in RAM */
			unsigned int cb = (unsigned int)take(&in, 1) % p.num_cb;
			uint64_t cbase = FUZZ_SMMU_BASE + size / 2 + cb * pg;
			uint64_t ttbr = FUZZ_POOL(take(&in, 1));
			uint64_t b = take(&in, 8);
			uint32_t tcr = (uint32_t)(b & ~(uint64_t)TCR_T0SZ & 0xffffffffu) |
				       (uint32_t)FIELD_PREP(TCR_T0SZ, 16 + (b % 24));

			ims_mmio_write(mem, FUZZ_SMMU_BASE + pg + SMMU_GR1_CBAR(cb), 4,
				       FIELD_PREP(CBAR_TYPE, b >> 40) |
					       FIELD_PREP(CBAR_S2_CBNDX, (b >> 42) % p.num_cb) |
					       FIELD_PREP(CBAR_IRPTNDX, b >> 50));
			ims_mmio_write(mem, FUZZ_SMMU_BASE + pg + SMMU_GR1_CBA2R(cb), 4,
				       (b >> 58) ? CBA2R_VA64 : 0);
			ims_mmio_write(mem, cbase + SMMU_CB_TTBR0, 8, ttbr | (b & TTBR_ASID));
			ims_mmio_write(mem, cbase + SMMU_CB_TCR, 4,
				       (tcr & ~(TCR_EPD0 | VTCR_SL0)) |
					       FIELD_PREP(VTCR_SL0, (b >> 34) % 3));
			ims_mmio_write(mem, cbase + SMMU_CB_TCR2, 4, (b >> 36) & 0x1f);
			ims_mmio_write(mem, cbase + SMMU_CB_SCTLR, 4,
				       ((b >> 44) & GENMASK(10, 1)) | ((b >> 60) ? SCTLR_M : 0));
			if (op & 0x80) {
				/* Make it coherent: a stage-1 or stage-2 bank over a table chain. */
				unsigned int tg0 = p.ptfs_4k	? TCR_TG0_4K
						   : p.ptfs_64k ? TCR_TG0_64K
								: TCR_TG0_16K;
				bool s2 = !p.s1ts || ((op & 0x40) && p.s2ts);

				ims_mmio_write(
					mem, FUZZ_SMMU_BASE + pg + SMMU_GR1_CBAR(cb), 4,
					FIELD_PREP(CBAR_TYPE, s2 ? CBAR_TYPE_S2_TRANS
								 : CBAR_TYPE_S1_TRANS_S2_BYPASS) |
						FIELD_PREP(CBAR_IRPTNDX, b >> 50));
				ims_mmio_write(
					mem, cbase + SMMU_CB_TCR, 4,
					FIELD_PREP(TCR_T0SZ, 32) | FIELD_PREP(TCR_TG0, tg0) |
						FIELD_PREP(VTCR_SL0, tg0 == TCR_TG0_4K ? 1 : 2) |
						FIELD_PREP(VTCR_PS, 2));
				ims_mmio_write(mem, cbase + SMMU_CB_TCR2, 4, 2);
				ims_mmio_write(mem, FUZZ_SMMU_BASE + pg + SMMU_GR1_CBA2R(cb), 4,
					       CBA2R_VA64);
				ims_mmio_write(mem, cbase + SMMU_CB_SCTLR, 4,
					       SCTLR_M | ((b >> 44) & GENMASK(10, 1)));
				fuzz_chain(mem, ttbr, b);
			}
			break;
		}
		case 6: { /* fault handling: clear FSR/sGFSR, RESUME, TLBI */
			unsigned int cb = (unsigned int)take(&in, 1) % p.num_cb;
			uint64_t cbase = FUZZ_SMMU_BASE + size / 2 + cb * pg;

			ims_mmio_write(mem, cbase + SMMU_CB_FSR, 4, FSR_FAULT);
			ims_mmio_write(mem, cbase + SMMU_CB_RESUME, 4, op >> 7);
			ims_mmio_write(mem, FUZZ_SMMU_BASE + SMMU_GR0_sGFSR, 4, sGFSR_FAULTS);
			ims_mmio_write(mem, cbase + SMMU_CB_TLBIVA + 8 * ((op >> 3) & 7), 8,
				       take(&in, 8));
			break;
		}
		default: { /* a transaction */
			struct ims_txn txn;
			struct ims_txn_result res;

			memset(&txn, 0, sizeof(txn));
			txn.sid =
				(op & 0x80) ? (uint32_t)take(&in, 2) : (uint32_t)take(&in, 1) & 0xf;
			txn.addr = (op & 0x40) ? take(&in, 8) : (take(&in, 1) << 6);
			txn.addr &= ~(uint64_t)0x3f;
			txn.size = 1 + (uint32_t)(take(&in, 1) & 0x3f);
			txn.access = ((op & 0x20) ? IMS_VMSA_WRITE : IMS_VMSA_READ) |
				     ((op & 0x10) ? IMS_VMSA_PRIV : 0) |
				     ((op & 0x08) ? IMS_VMSA_EXEC : 0);
			tr->translate(tr->opaque, &txn, &res);
			break;
		}
		}
	}
	ret = 0;
out:
	ims_smmuv2_free(smmu);
	ims_mem_free(mem);
	return ret;
}
