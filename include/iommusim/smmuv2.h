/* SPDX-License-Identifier: MIT */
/*
 * The MMU-500 (Arm SMMU architecture v2, IHI 0062) hardware model.
 *
 * The model is programmed only through its registers (ims_mmio_read/write on
 * the simulated address space) and reads translation tables from simulated
 * memory; devices reach it through the struct ims_translator it exposes.
 * See docs/mmu500.md for what is and is not modelled.
 */
#ifndef IOMMUSIM_SMMUV2_H
#define IOMMUSIM_SMMUV2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iommusim/common.h>
#include <iommusim/hw.h>
#include <iommusim/smmu.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ims_smmuv2;

/** The most SMR/S2CR groups and context banks the model accepts (sIDR0/1 fields). */
#define IMS_SMMUV2_MAX_SMRG 128
#define IMS_SMMUV2_MAX_CB 128

/**
 * struct ims_smmuv2_params - the implementation's configuration, as the
 * SMMU_IDRn registers report it.
 * @base:        physical base of the register space (aligned to its size).
 * @num_smrg:    stream mapping register groups, 1..128 (sIDR0.NUMSMRG).
 * @num_cb:      context banks, 1..128 (sIDR1.NUMCB).
 * @num_s2cb:    of those, banks 0..@num_s2cb-1 support stage 2 only (sIDR1.NUMS2CB).
 * @num_irpt:    context interrupts, 0..255 (sIDR0.NUMIRPT).  SMMUv2 gives
 *               bank n interrupt n; a bank at or above this count records
 *               sGFSR.UCIF instead of raising one.
 * @sid_bits:    StreamID bits, 1..15 (sIDR0.NUMSIDB); the implemented width
 *               of SMR.ID and SMR.MASK.
 * @s1ts:        stage-1 translation supported (sIDR0.S1TS).
 * @s2ts:        stage-2 translation supported (sIDR0.S2TS).
 * @nts:         nested translation supported (sIDR0.NTS; needs both stages).
 * @ias:         IPA size in bits: 32, 36, 40, 42, 44 or 48 (sIDR2.IAS).
 * @oas:         PA size in bits, same set (sIDR2.OAS).
 * @ubs:         upstream (VA) bus size in bits, same set (sIDR2.UBS).
 * @ptfs_4k:     AArch64 4K granule supported (sIDR2.PTFS_4K); likewise
 * @ptfs_16k:    the 16K and
 * @ptfs_64k:    the 64K granules.
 * @pgsize_64k:  register pages are 64 KiB instead of 4 KiB (sIDR1.PAGESIZE).
 * @vmid16:      16-bit VMIDs supported (sIDR2.VMID16).
 * @cttw:        coherent table walks (sIDR0.CTTW), reported only.
 * @major:       sIDR7.MAJOR (revision rN); @minor: sIDR7.MINOR (pN).
 * @minor:       see @major.
 * @tlb_sets:    IOTLB sets (a power of two, 1..65536).
 * @tlb_ways:    IOTLB ways (1..64).
 * @global_irq:  called (without model locks held) when a global fault is
 *               recorded with sCR0.GFIE set; may be NULL.
 * @context_irq: called (without model locks held) with the context bank
 *               index when a context fault is recorded with SCTLR.CFIE set
 *               (CBAR.IRPTNDX is ignored, as on SMMUv2); may be NULL.
 * @irq_cookie:  passed to both callbacks.
 */
struct ims_smmuv2_params {
	uint64_t base;
	unsigned int num_smrg;
	unsigned int num_cb;
	unsigned int num_s2cb;
	unsigned int num_irpt;
	unsigned int sid_bits;
	bool s1ts, s2ts, nts;
	unsigned int ias, oas, ubs;
	bool ptfs_4k, ptfs_16k, ptfs_64k;
	bool pgsize_64k;
	bool vmid16;
	bool cttw;
	uint8_t major;
	uint8_t minor;
	unsigned int tlb_sets;
	unsigned int tlb_ways;
	void (*global_irq)(void *cookie);
	void (*context_irq)(void *cookie, unsigned int cbndx);
	void *irq_cookie;
};

/**
 * ims_smmuv2_params_mmu500() - fill @p with the MMU-500 preset: r2p4, 48
 * SMRs, 16 context banks (16 context interrupts), 15-bit StreamIDs, stage 1,
 * stage 2 and nested, 48-bit IAS/OAS/UBS, 4K/16K/64K granules, 4 KiB register
 * pages, 16-bit VMIDs, coherent walks, a 128 x 4 IOTLB, base 0, no interrupt
 * callbacks.  (The ZynqMP and many SoCs configure 48 SMRs and 16 banks.)
 */
IMS_EXPORT void ims_smmuv2_params_mmu500(struct ims_smmuv2_params *p);

/**
 * ims_smmuv2_new() - create an MMU-500 and map its registers in @mem.
 * @out:    the new model.
 * @mem:    the physical address space (registers and tables); must outlive it.
 * @params: the configuration (copied).
 * @log:    the log sink (may be NULL); must outlive the model.
 *
 * The register space is 2 x NUMPAGE pages of 4 or 64 KiB at @params->base:
 * global space 0 and 1 first, then one page per context bank (IHI 0062 §8).
 *
 * Return: 0; -EINVAL for out-of-range parameters (the message names the
 * field); -ENOMEM; or the error of ims_mem_add_mmio() (-EINVAL on overlap).
 */
IMS_EXPORT int ims_smmuv2_new(struct ims_smmuv2 **out, struct ims_mem *mem,
			      const struct ims_smmuv2_params *params, const struct ims_log *log);

/** ims_smmuv2_free() - unmap the registers and free @smmu (NULL is fine). */
IMS_EXPORT void ims_smmuv2_free(struct ims_smmuv2 *smmu);

/** ims_smmuv2_translator() - the device-side entry point of @smmu. */
IMS_EXPORT const struct ims_translator *ims_smmuv2_translator(struct ims_smmuv2 *smmu);

/** ims_smmuv2_reg_size() - the size of the register space in bytes. */
IMS_EXPORT uint64_t ims_smmuv2_reg_size(const struct ims_smmuv2 *smmu);

/**
 * ims_smmuv2_cb_stalled() - whether context bank @cbndx holds a stalled
 * transaction (SCTLR.CFCFG = 1) that software has not yet resumed.
 * Return: 1 or 0; -EINVAL for a bank that does not exist.
 */
IMS_EXPORT int ims_smmuv2_cb_stalled(struct ims_smmuv2 *smmu, unsigned int cbndx);

/**
 * struct ims_smmuv2_stats - counters.
 * @tlb:            the IOTLB's counters.
 * @translations:   transactions presented.
 * @bypassed:       transactions that left untranslated (CLIENTPD, USFCFG=0,
 *                  S2CR bypass, SCTLR.M=0 on every stage).
 * @global_faults:  faults recorded (or found pending) in sGFSR.
 * @context_faults: faults recorded in a context bank's FSR.
 * @stalls:         transactions answered IMS_TXN_STALL.
 * @smc_unreported: stream match conflicts resolved silently (SMCFCFG = 0).
 * @resumes:        RESUME writes that retired a stalled transaction.
 */
struct ims_smmuv2_stats {
	struct ims_iotlb_stats tlb;
	uint64_t translations;
	uint64_t bypassed;
	uint64_t global_faults;
	uint64_t context_faults;
	uint64_t stalls;
	uint64_t smc_unreported;
	uint64_t resumes;
};

/** ims_smmuv2_get_stats() - fill *@st. */
IMS_EXPORT void ims_smmuv2_get_stats(struct ims_smmuv2 *smmu, struct ims_smmuv2_stats *st);

/**
 * ims_smmuv2_fuzz_one() - run one fuzz input: the bytes choose a
 * configuration, then a sequence of register writes and reads, RAM writes and
 * transactions.  Never crashes or hangs on any input.
 * Return: 0 (the input was consumed), or -ENOMEM.
 */
IMS_EXPORT int ims_smmuv2_fuzz_one(const uint8_t *data, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* IOMMUSIM_SMMUV2_H */
