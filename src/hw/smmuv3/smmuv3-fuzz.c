/* SPDX-License-Identifier: MIT */
/*
 * ims_smmuv3_fuzz_one(): the bytes of a fuzzer input become a program of
 * register accesses, memory writes and transactions against a fresh SMMUv3,
 * so that hostile programming is exercised exactly as a driver would do it.
 *
 * Each step starts with an opcode byte; missing operand bytes read as zero.
 *   0: 32-bit register write  (off: 2 bytes, scaled by 4, value: 4 bytes)
 *   1: 64-bit register write  (off: 2 bytes, scaled by 8, value: 8 bytes)
 *   2: register read          (off: 2 bytes, scaled by 4)
 *   3: RAM write of 8 bytes   (offset: 3 bytes, scaled by 8, value: 8 bytes)
 *   4: transaction            (sid: 1, ssid: 1, flags: 1, addr: 8)
 *   5: a well-formed setup: tables and queues at fixed places, all enabled
 *   6: RAM write of 8 bytes into the first 64 KiB (the stream table there)
 */
#include <string.h>

#include <iommusim/smmuv3.h>

#include "hw/smmuv3/smmuv3-internal.h"

#define FZ_RAM 0x40000000ULL
#define FZ_RAM_SIZE (2ULL << 20)
#define FZ_MMIO 0x09000000ULL
#define FZ_MAX_STEPS 4096

struct fz {
	const uint8_t *p;
	size_t left;
};

static uint64_t take(struct fz *f, unsigned int n)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < n; i++) {
		uint64_t b = 0;

		if (f->left) {
			b = *f->p++;
			f->left--;
		}
		v |= b << (8 * i);
	}
	return v;
}

static void fz_setup(struct ims_mem *mem)
{
	uint64_t mm = FZ_MMIO;

	ims_mmio_write(mem, mm + SMMU_STRTAB_BASE, 8, FZ_RAM);
	ims_mmio_write(mem, mm + SMMU_STRTAB_BASE_CFG, 4, 8);
	ims_mmio_write(mem, mm + SMMU_CMDQ_BASE, 8, (FZ_RAM + 0x100000) | 8);
	ims_mmio_write(mem, mm + SMMU_EVENTQ_BASE, 8, (FZ_RAM + 0x110000) | 4);
	ims_mmio_write(mem, mm + SMMU_CR2, 4, CR2_RECINVSID);
	ims_mmio_write(mem, mm + SMMU_CR0, 4, CR0_SMMUEN | CR0_EVENTQEN | CR0_CMDQEN);
}

int ims_smmuv3_fuzz_one(const uint8_t *data, size_t len)
{
	struct ims_smmuv3_params p;
	struct ims_smmuv3 *s = NULL;
	struct ims_mem *mem = NULL;
	struct fz f = { data, len };
	int ret;

	ret = ims_mem_new(&mem, NULL);
	if (ret)
		return ret;
	ret = ims_mem_add_ram(mem, FZ_RAM, FZ_RAM_SIZE);
	if (ret)
		goto out;
	ims_smmuv3_params_default(&p);
	p.cmdqs = 8;
	p.eventqs = 8;
	if (len && (data[0] & 0x80)) {
		p.iotlb_sets = 1;
		p.iotlb_ways = 2;
		p.cfg_cache_entries = 4;
	}
	ret = ims_smmuv3_new(&s, mem, FZ_MMIO, &p, NULL);
	if (ret)
		goto out;
	for (unsigned int step = 0; step < FZ_MAX_STEPS && f.left; step++) {
		unsigned int op = (unsigned int)take(&f, 1) % 7;
		uint64_t off, v;

		switch (op) {
		case 0:
			off = (take(&f, 2) * 4) % IMS_SMMUV3_MMIO_SIZE;
			ims_mmio_write(mem, FZ_MMIO + off, 4, take(&f, 4));
			break;
		case 1:
			off = (take(&f, 2) * 8) % IMS_SMMUV3_MMIO_SIZE;
			ims_mmio_write(mem, FZ_MMIO + off, 8, take(&f, 8));
			break;
		case 2:
			off = (take(&f, 2) * 4) % IMS_SMMUV3_MMIO_SIZE;
			ims_mmio_read(mem, FZ_MMIO + off, 4, &v);
			break;
		case 3:
			off = (take(&f, 3) * 8) % FZ_RAM_SIZE;
			ims_mem_write64(mem, FZ_RAM + off, take(&f, 8));
			break;
		case 4: {
			struct ims_txn txn = { 0 };
			struct ims_txn_result res;
			unsigned int fl;

			txn.sid = (uint32_t)take(&f, 1);
			txn.ssid = (uint32_t)take(&f, 1);
			fl = (unsigned int)take(&f, 1);
			txn.ssv = fl & 0x10;
			txn.access = fl & 0xf;
			txn.addr = take(&f, 8);
			txn.size = 4;
			txn.addr &= ~3ULL;
			ims_smmuv3_translate(s, &txn, &res);
			break;
		}
		case 5:
			fz_setup(mem);
			break;
		default:
			off = (take(&f, 2) * 8) % 0x10000;
			ims_mem_write64(mem, FZ_RAM + off, take(&f, 8));
			break;
		}
	}
	ret = 0;
out:
	ims_smmuv3_free(s);
	ims_mem_free(mem);
	return ret;
}
