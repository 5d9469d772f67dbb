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

IMS_EXPORT int ims_smmuv2_fuzz_one(const uint8_t *data, size_t len)
{
	struct fuzz_in in = { .data = data, .len = len };
	struct ims_smmuv2_params p;
	struct ims_smmuv2 *smmu = NULL;
	const struct ims_translator *tr;
	struct ims_mem *mem = NULL;
	uint64_t size;
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

	for (unsigned int n = 0; n < FUZZ_MAX_OPS && in.pos < in.len; n++) {
		uint8_t op = (uint8_t)take(&in, 1);
		uint64_t v;

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

			v = fuzz_reg(&in, &p, size, 4);
			ims_mmio_read(mem, FUZZ_SMMU_BASE + v, 4, &val);
			break;
		}
		case 3: /* a descriptor in RAM */
			v = (take(&in, 4) % FUZZ_RAM_SIZE) & ~7ULL;
			ims_mem_write64(mem, FUZZ_RAM_BASE + v, take(&in, 8));
			break;
		case 4: { /* a plausible stream: SMR + S2CR */
			unsigned int g = (unsigned int)take(&in, 1) % p.num_smrg;

			ims_mmio_write(mem, FUZZ_SMMU_BASE + SMMU_GR0_S2CR(g), 4, take(&in, 2));
			ims_mmio_write(mem, FUZZ_SMMU_BASE + SMMU_GR0_SMR(g), 4,
				       SMR_VALID | take(&in, 2));
			break;
		}
		case 5: { /* a plausible context bank with tables in RAM */
			unsigned int cb = (unsigned int)take(&in, 1) % p.num_cb;
			uint64_t cbase = FUZZ_SMMU_BASE + size / 2 +
					 ((uint64_t)cb << (p.pgsize_64k ? 16 : 12));
			uint64_t ttbr = FUZZ_RAM_BASE + ((take(&in, 2) << 12) % FUZZ_RAM_SIZE);

			ims_mmio_write(mem,
				       FUZZ_SMMU_BASE + (1ULL << (p.pgsize_64k ? 16 : 12)) +
					       SMMU_GR1_CBAR(cb),
				       4, take(&in, 4));
			ims_mmio_write(mem,
				       FUZZ_SMMU_BASE + (1ULL << (p.pgsize_64k ? 16 : 12)) +
					       SMMU_GR1_CBA2R(cb),
				       4, CBA2R_VA64);
			ims_mmio_write(mem, cbase + SMMU_CB_TTBR0, 8, ttbr);
			ims_mmio_write(mem, cbase + SMMU_CB_TCR, 4, take(&in, 4));
			ims_mmio_write(mem, cbase + SMMU_CB_TCR2, 4, take(&in, 1));
			ims_mmio_write(mem, cbase + SMMU_CB_SCTLR, 4, take(&in, 2));
			break;
		}
		default: { /* a transaction */
			struct ims_txn txn;
			struct ims_txn_result res;

			memset(&txn, 0, sizeof(txn));
			txn.sid = (uint32_t)take(&in, 2);
			txn.addr = (op & 0x80) ? take(&in, 8) : (take(&in, 3) << 8);
			txn.size = 1 + (uint32_t)(take(&in, 1) & 0x3f);
			txn.addr &= ~(uint64_t)0x3f;
			txn.access = ((op & 0x40) ? IMS_VMSA_WRITE : IMS_VMSA_READ) |
				     (op & 0x30 ? IMS_VMSA_PRIV : 0);
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
