/* SPDX-License-Identifier: MIT */
/*
 * The Arm SMMUv3 hardware model (Arm IHI 0070).
 *
 * The model is programmed only as silicon is: through its two 64 KiB MMIO
 * register pages (mapped with ims_mem_add_mmio()) and through the stream
 * table, context descriptors, queues and page tables a driver writes into
 * simulated physical memory.  Devices reach it through the
 * struct ims_translator returned by ims_smmuv3_translator().
 */
#ifndef IOMMUSIM_SMMUV3_H
#define IOMMUSIM_SMMUV3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iommusim/common.h>
#include <iommusim/hw.h>
#include <iommusim/smmu.h>
#include <iommusim/vmsa.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The model's MMIO footprint: register pages 0 and 1 (IHI 0070 §6.1). */
#define IMS_SMMUV3_MMIO_SIZE 0x20000ULL

/** enum ims_smmuv3_irq - the wired interrupt lines (IHI 0070 §3.18). */
enum ims_smmuv3_irq {
	IMS_SMMUV3_IRQ_EVTQ = 0,
	IMS_SMMUV3_IRQ_PRIQ = 1, /* never raised: PRI is not modelled */
	IMS_SMMUV3_IRQ_CMD_SYNC = 2,
	IMS_SMMUV3_IRQ_GERROR = 3,
};

/**
 * struct ims_smmuv3_params - the implementation choices, fixed at creation
 * and visible to software in SMMU_IDR0..5, SMMU_IIDR and SMMU_AIDR.
 * @sidsize:      IDR1.SIDSIZE, StreamID bits (0..32).
 * @ssidsize:     IDR1.SSIDSIZE, SubstreamID bits (0..20).
 * @s1p:          stage-1 translation (IDR0.S1P).
 * @s2p:          stage-2 translation (IDR0.S2P).
 * @st_2lvl:      2-level stream tables (IDR0.ST_LEVEL == 1).
 * @cd2l:         2-level CD tables (IDR0.CD2L).
 * @gran4k:       4 KiB granule (IDR5.GRAN4K); likewise @gran16k, @gran64k.
 * @oas:          output address size in bits: 32, 36, 40, 42, 44, 48 or 52 (IDR5.OAS).
 * @asid16:       16-bit ASIDs (IDR0.ASID16).
 * @vmid16:       16-bit VMIDs (IDR0.VMID16).
 * @cmdqs:        IDR1.CMDQS, log2 of the largest command queue (0..19).
 * @eventqs:      IDR1.EVENTQS, log2 of the largest event queue (0..19).
 * @msi:          MSIs (IDR0.MSI): CMD_SYNC, EVTQ and GERROR MSI writes into memory.
 * @sev:          IDR0.SEV.
 * @cohacc:       IDR0.COHACC (coherent table walks; only reported).
 * @ril:          range invalidation (IDR3.RIL).
 * @had:          IDR3.HAD (reported; hierarchical attribute disable is not modelled).
 * @hyp:          IDR0.HYP (EL2 StreamWorld accepted; EL2 regimes are not modelled).
 * @bbml:         IDR3.BBML (reported only).
 * @stall_model:  IDR0.STALL_MODEL: 0 stall and terminate, 1 terminate only, 2 stall forced.
 * @term_model:   IDR0.TERM_MODEL (1: terminated faults always abort, CD.A is ignored).
 * @ttendian:     IDR0.TTENDIAN (2 = little-endian only; other values are reported only).
 * @iidr:         SMMU_IIDR.  @aidr: SMMU_AIDR (1 = SMMUv3.1).
 * @iotlb_sets:   IOTLB geometry: sets (a power of two) ...
 * @iotlb_ways:   ... times ways.  @iotlb_sets == 0 disables the IOTLB (every
 *                translation walks; used by the miss benchmark).
 * @cfg_cache_entries: the configuration cache size (STEs and CDs), a power of
 *                two >= 4; 0 disables the configuration cache.
 * @irq:          called for a wired interrupt (may be NULL); never called with
 *                the model's lock held, so it may access the registers.
 * @irq_opaque:   passed back to @irq.
 */
struct ims_smmuv3_params {
	uint8_t sidsize;
	uint8_t ssidsize;
	bool s1p, s2p;
	bool st_2lvl, cd2l;
	bool gran4k, gran16k, gran64k;
	uint8_t oas;
	bool asid16, vmid16;
	uint8_t cmdqs, eventqs;
	bool msi, sev, cohacc, ril, had, hyp;
	uint8_t bbml;
	uint8_t stall_model;
	bool term_model;
	uint8_t ttendian;
	uint32_t iidr, aidr;
	unsigned int iotlb_sets, iotlb_ways;
	unsigned int cfg_cache_entries;
	void (*irq)(void *opaque, enum ims_smmuv3_irq line);
	void *irq_opaque;
};

/**
 * ims_smmuv3_params_default() - a full-featured SMMUv3.1: both stages,
 * 2-level stream and CD tables, all granules, 48-bit OAS, 16-bit SIDs,
 * 20-bit SSIDs, MSI, RIL; a 256x4 IOTLB and a 256-entry configuration cache.
 */
IMS_EXPORT void ims_smmuv3_params_default(struct ims_smmuv3_params *p);

/**
 * ims_smmuv3_params_qemu_virt() - the SMMUv3 of QEMU 7.2's `virt` machine:
 * IDR0=0x0d40101a IDR1=0x02730010 IDR2=0 IDR3=0x00001404 IDR4=0
 * IDR5=0x00000074 IIDR=0 AIDR=0x1 (stage 1 only, 2-level stream tables,
 * no MSI, SIDSIZE 16, queues of 2^19).
 */
IMS_EXPORT void ims_smmuv3_params_qemu_virt(struct ims_smmuv3_params *p);

struct ims_smmuv3;

/**
 * ims_smmuv3_new() - create an SMMUv3 and map its registers at @base.
 * @out:    the new model.
 * @mem:    the physical address space (must outlive the model).
 * @base:   the MMIO base, 64 KiB aligned; IMS_SMMUV3_MMIO_SIZE bytes are mapped.
 * @params: the implementation; NULL means ims_smmuv3_params_default().
 * @log:    the log sink (may be NULL); must outlive the model.
 *
 * The model comes out of reset: every enable clear, GBPA = SHCFG incoming
 * (bypass while SMMUEN == 0).
 *
 * Return: 0; -EINVAL for bad parameters or a misaligned @base; -ENOMEM;
 * or the error of ims_mem_add_mmio().
 */
IMS_EXPORT int ims_smmuv3_new(struct ims_smmuv3 **out, struct ims_mem *mem, uint64_t base,
			      const struct ims_smmuv3_params *params, const struct ims_log *log);

/** ims_smmuv3_free() - unmap and free @smmu (NULL is fine). */
IMS_EXPORT void ims_smmuv3_free(struct ims_smmuv3 *smmu);

/** ims_smmuv3_translator() - the device-side entry point of @smmu. */
IMS_EXPORT const struct ims_translator *ims_smmuv3_translator(struct ims_smmuv3 *smmu);

/**
 * ims_smmuv3_translate() - translate one transaction (as the translator does).
 * Return: 0 (see @res->status), or -EINVAL for a bad @txn (size 0, crossing 4 KiB).
 */
IMS_EXPORT int ims_smmuv3_translate(struct ims_smmuv3 *smmu, const struct ims_txn *txn,
				    struct ims_txn_result *res);

/**
 * struct ims_smmuv3_stats - counters.
 * @iotlb:          the IOTLB's counters.
 * @cfg_hits:       configuration-cache hits (STE and CD lookups).
 * @cfg_misses:     configuration-cache misses (structure fetched from memory).
 * @cfg_evictions:  entries evicted to make room.
 * @cfg_invalidated: entries removed by CFGI_* commands.
 * @translations:   transactions translated.
 * @events:         event records written to the event queue.
 * @events_lost:    events not written (queue full or disabled, or R == 0).
 * @commands:       commands consumed.
 * @cmd_errors:     commands that raised a CMDQ error.
 * @syncs:          CMD_SYNCs completed.
 * @msis:           MSI writes made.
 */
struct ims_smmuv3_stats {
	struct ims_iotlb_stats iotlb;
	uint64_t cfg_hits, cfg_misses, cfg_evictions, cfg_invalidated;
	uint64_t translations, events, events_lost;
	uint64_t commands, cmd_errors, syncs, msis;
};

/** ims_smmuv3_get_stats() - read the counters of @smmu into *@st. */
IMS_EXPORT void ims_smmuv3_get_stats(struct ims_smmuv3 *smmu, struct ims_smmuv3_stats *st);

/**
 * ims_smmuv3_fuzz_one() - interpret @data as a program of register writes,
 * memory writes and transactions against a fresh SMMUv3 over 2 MiB of RAM.
 *
 * The entry point of the libFuzzer target; it must never crash or hang on
 * any input.  Return: 0 (the input ran), or -ENOMEM when setup failed.
 */
IMS_EXPORT int ims_smmuv3_fuzz_one(const uint8_t *data, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* IOMMUSIM_SMMUV3_H */
