/* SPDX-License-Identifier: MIT */
/*
 * arm-smmu-v3 driver internals, after Linux 6.12
 * drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.{c,h}.  Exposed (not exported
 * from the library) so that the tests can run the §10.4 KUnit vectors
 * against the very functions the driver uses.
 *
 * Register, structure and command layouts: Arm IHI 0070 (SMMUv3); shared with
 * the hardware model through hw/smmuv3/smmuv3-regs.h, completed here with the
 * fields only the driver needs.
 */
#ifndef IMS_DRIVERS_ARM_SMMU_V3_H
#define IMS_DRIVERS_ARM_SMMU_V3_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <iommusim/bus.h>
#include <iommusim/iommu.h>
#include <iommusim/pgtable.h>

#include "hw/smmuv3/smmuv3-regs.h"

/* ---- fields the model's header does not name (IHI 0070 §6.3, §5, §4) ---- */
#define IDR0_HTTU GENMASK(7, 6)
#define IDR0_ATS BIT(10)
#define IDR0_PRI BIT(16)
#define IDR0_TTF_AARCH32_64 3
#define IDR0_TTENDIAN_MIXED 0
#define IDR0_TTENDIAN_LE 2
#define IDR0_TTENDIAN_BE 3
#define IDR0_STALL_MODEL_STALL 0
#define IDR0_STALL_MODEL_FORCE 2
#define IDR0_ST_LVL_2LVL 1
#define IDR1_ATTR_TYPES_OVR BIT(27)
#define IDR1_REL BIT(28)
#define IDR1_QUEUES_PRESET BIT(29)
#define IDR1_TABLES_PRESET BIT(30)
#define IDR5_VAX GENMASK(11, 10)
#define IDR5_VAX_52_BIT 1

#define CR1_TABLE_SH GENMASK(11, 10)
#define CR1_TABLE_OC GENMASK(9, 8)
#define CR1_TABLE_IC GENMASK(7, 6)
#define CR1_QUEUE_SH GENMASK(5, 4)
#define CR1_QUEUE_OC GENMASK(3, 2)
#define CR1_QUEUE_IC GENMASK(1, 0)
#define CR1_CACHE_WB 1
#define ARM_SMMU_SH_ISH 3
#define ARM_SMMU_MEMATTR_OIWB 0xf

#define GERROR_ERR_MASK 0x1fdu
#define Q_BASE_RWA BIT_ULL(62)

#define STE_1_S1CIR GENMASK_ULL(3, 2)
#define STE_1_S1COR GENMASK_ULL(5, 4)
#define STE_1_S1CSH GENMASK_ULL(7, 6)
#define STE_1_S1C_CACHE_WBRA 1
#define STE_1_EATS_TRANS 1
#define STE_1_SHCFG_INCOMING 1
#define STE_2_VTCR GENMASK_ULL(50, 32)
#define STE_2_VTCR_S2T0SZ GENMASK_ULL(5, 0)
#define STE_2_VTCR_S2SL0 GENMASK_ULL(7, 6)
#define STE_2_VTCR_S2IR0 GENMASK_ULL(9, 8)
#define STE_2_VTCR_S2OR0 GENMASK_ULL(11, 10)
#define STE_2_VTCR_S2SH0 GENMASK_ULL(13, 12)
#define STE_2_VTCR_S2TG GENMASK_ULL(15, 14)
#define STE_2_VTCR_S2PS GENMASK_ULL(18, 16)

#define CD_0_IRGN0 GENMASK_ULL(9, 8)
#define CD_0_ORGN0 GENMASK_ULL(11, 10)
#define CD_0_SH0 GENMASK_ULL(13, 12)
#define CD_0_HD BIT_ULL(42)
#define CD_0_HA BIT_ULL(43)
#define CD_0_ASET BIT_ULL(47)

#define CMDQ_OP_CFGI_ALL 0x04
#define CMDQ_OP_TLBI_EL2_ASID 0x21
#define CMDQ_OP_TLBI_EL2_VA 0x22

/* ---- driver constants (arm-smmu-v3.h) ---- */
#define STRTAB_SPLIT 8
#define STRTAB_NUM_L2_STES (1u << STRTAB_SPLIT)
#define STRTAB_MAX_L1_ENTRIES (1u << 17)
#define CTXDESC_SPLIT 10
#define CTXDESC_L2_ENTRIES (1u << CTXDESC_SPLIT)
#define CTXDESC_LINEAR_CDMAX 10 /* ilog2(SZ_64K / sizeof(struct arm_smmu_cd)) */
#define CMDQ_BATCH_ENTRIES 64
#define CMDQ_TLBI_RANGE_NUM_MAX 31
/* Q_MAX_SZ_SHIFT = PAGE_SHIFT + MAX_PAGE_ORDER (4K pages, order 10). */
#define Q_MAX_SZ_SHIFT (12 + 10)
#define CMDQ_MAX_SZ_SHIFT (Q_MAX_SZ_SHIFT - 4)
#define EVTQ_MAX_SZ_SHIFT (Q_MAX_SZ_SHIFT - 5)
#define NUM_ENTRY_QWORDS 8
#define MSI_IOVA_BASE IMS_MSI_IOVA_BASE
#define MSI_IOVA_LENGTH IMS_MSI_IOVA_LENGTH
/* VA_BITS of the modelled kernel (CONFIG_ARM64_VA_BITS_48). */
#define ARM_SMMU_VA_BITS 48

/* smmu->features (arm-smmu-v3.h bit numbers). */
#define ARM_SMMU_FEAT_2_LVL_STRTAB (1u << 0)
#define ARM_SMMU_FEAT_2_LVL_CDTAB (1u << 1)
#define ARM_SMMU_FEAT_TT_LE (1u << 2)
#define ARM_SMMU_FEAT_TT_BE (1u << 3)
#define ARM_SMMU_FEAT_PRI (1u << 4)
#define ARM_SMMU_FEAT_ATS (1u << 5)
#define ARM_SMMU_FEAT_SEV (1u << 6)
#define ARM_SMMU_FEAT_MSI (1u << 7)
#define ARM_SMMU_FEAT_COHERENCY (1u << 8)
#define ARM_SMMU_FEAT_TRANS_S1 (1u << 9)
#define ARM_SMMU_FEAT_TRANS_S2 (1u << 10)
#define ARM_SMMU_FEAT_STALLS (1u << 11)
#define ARM_SMMU_FEAT_HYP (1u << 12)
#define ARM_SMMU_FEAT_STALL_FORCE (1u << 13)
#define ARM_SMMU_FEAT_VAX (1u << 14)
#define ARM_SMMU_FEAT_RANGE_INV (1u << 15)
#define ARM_SMMU_FEAT_BTM (1u << 16)
#define ARM_SMMU_FEAT_SVA (1u << 17)
#define ARM_SMMU_FEAT_E2H (1u << 18)
#define ARM_SMMU_FEAT_NESTING (1u << 19)
#define ARM_SMMU_FEAT_ATTR_TYPES_OVR (1u << 20)
#define ARM_SMMU_FEAT_HA (1u << 21)
#define ARM_SMMU_FEAT_HD (1u << 22)

/* smmu->options. */
#define ARM_SMMU_OPT_SKIP_PREFETCH (1u << 0)
#define ARM_SMMU_OPT_PAGE0_REGS_ONLY (1u << 1)
#define ARM_SMMU_OPT_MSIPOLL (1u << 2)
#define ARM_SMMU_OPT_CMDQ_FORCE_SYNC (1u << 3)

enum arm_smmu_domain_stage {
	ARM_SMMU_DOMAIN_S1 = 0,
	ARM_SMMU_DOMAIN_S2,
};

/**
 * struct arm_smmu_queue - one queue in simulated RAM (struct arm_smmu_queue
 * with its arm_smmu_ll_queue).
 * @base_dma:    the queue's physical address.
 * @q_base:      the *_BASE register value.
 * @max_n_shift: log2 of the entries.
 * @ent_dwords:  dwords per entry.
 * @prod, @cons: the software copies (index | wrap | overflow).
 * @prod_reg, @cons_reg: register offsets from the SMMU base.
 * @irq:         the interrupt index in the node, or -1.
 */
struct arm_smmu_queue {
	uint64_t base_dma, q_base;
	unsigned int max_n_shift, ent_dwords;
	uint32_t prod, cons;
	uint64_t prod_reg, cons_reg;
	int irq;
};

struct arm_smmu_master;

/** struct arm_smmu_stream - a StreamID owned by a master (rb-tree node in Linux). */
struct arm_smmu_stream {
	uint32_t id;
	struct arm_smmu_master *master;
};

/**
 * struct arm_smmu_device - one SMMUv3 instance.
 * @iommu:        the registered instance (idregs filled at probe).
 * @dev:          its platform device.
 * @mem:          the physical address space.
 * @base:         MMIO base (page 0); @page1: page 1.
 * @reg_size:     the reg size from DT.
 * @features:     ARM_SMMU_FEAT_*.  @options: ARM_SMMU_OPT_*.
 * @ias, @oas:    address sizes.  @asid_bits, @vmid_bits, @sid_bits, @ssid_bits.
 * @pgsize_bitmap: page sizes from IDR5.
 * @cmdq, @evtq:  the queues.
 * @combined_irq, @gerr_irq: interrupt indices, or -1.
 * @strtab_2lvl:  the stream table is 2-level.
 * @strtab_dma:   linear table or L1 table.
 * @strtab_size:  its size in bytes.
 * @num_ents:     linear: entries.  @num_l1_ents: 2-level: L1 entries.
 * @l2ptrs:       2-level: the L2 table of each L1 entry (0 = none).
 * @streams:      owned StreamIDs, sorted by id.
 * @asid_map, @vmid_map: allocation bitmaps (bit set = in use).
 * @cmdq_lock:    serialises command-queue writers.
 * @evtq_lock:    serialises event-queue consumers.
 * @streams_lock: protects @streams.
 * @nr_syncs:     CMD_SYNCs issued (statistics for tests).
 * @nr_cmds:      commands issued, CMD_SYNCs included.
 * @enabled:      SMMUEN was set by reset.
 */
struct arm_smmu_device {
	struct ims_iommu_device iommu;
	struct ims_device *dev;
	struct ims_mem *mem;
	uint64_t base, page1, reg_size;
	uint32_t features, options;
	unsigned int ias, oas, asid_bits, vmid_bits, sid_bits, ssid_bits;
	uint64_t pgsize_bitmap;
	struct arm_smmu_queue cmdq, evtq;
	int combined_irq, gerr_irq;
	bool strtab_2lvl;
	uint64_t strtab_dma, strtab_size;
	uint32_t num_ents, num_l1_ents;
	uint64_t *l2ptrs;
	struct arm_smmu_stream **streams;
	int nr_streams, cap_streams;
	uint8_t *asid_map, *vmid_map;
	pthread_mutex_t cmdq_lock, evtq_lock, streams_lock;
	unsigned long nr_syncs, nr_cmds;
	bool enabled;
};

/**
 * struct arm_smmu_ctx_desc_cfg - a master's CD table.
 * @cdtab_dma:    linear table or L1 table address (0 = not allocated).
 * @s1fmt:        STE_S1FMT_LINEAR or STE_S1FMT_64K_L2.
 * @s1cdmax:      log2 of the contexts.
 * @num_ents:     linear entries, or L1 entries.
 * @l2ptrs:       2-level: the L2 table of each L1 entry.
 * @size:         bytes of the linear / L1 table.
 */
struct arm_smmu_ctx_desc_cfg {
	uint64_t cdtab_dma;
	uint8_t s1fmt, s1cdmax;
	uint32_t num_ents;
	uint64_t *l2ptrs;
	uint64_t size;
};

struct arm_smmu_domain;

/**
 * struct arm_smmu_master - dev_iommu_priv of a device behind the SMMU.
 * @smmu:          the SMMU.
 * @dev:           the device.
 * @streams:       its StreamIDs in fwspec order.
 * @num_streams:   how many.
 * @cd_table:      the CD table.
 * @ssid_bits:     min(SSIDSIZE, pasid-num-bits).
 * @stall_enabled: stalls for this master.
 * @ats_enabled:   ATS in use (never: not modelled).
 * @domain:        the paging domain attached, or NULL.
 */
struct arm_smmu_master {
	struct arm_smmu_device *smmu;
	struct ims_device *dev;
	struct arm_smmu_stream *streams;
	unsigned int num_streams;
	struct arm_smmu_ctx_desc_cfg cd_table;
	unsigned int ssid_bits;
	bool stall_enabled, ats_enabled;
	struct arm_smmu_domain *domain;
};

/**
 * struct arm_smmu_domain - a paging domain.
 * @domain:     the core's domain.
 * @smmu:       the SMMU it was finalised for.
 * @stage:      S1 or S2.
 * @pgtbl_ops:  the page table.
 * @pgtbl_cfg:  its configuration with the register outputs (the kernel
 *              reads io_pgtable_ops_to_pgtable(pgtbl_ops)->cfg).
 * @asid:       stage 1 ASID.  @vmid: stage 2 VMID.
 * @nr_masters: masters attached.
 */
struct arm_smmu_domain {
	struct ims_iommu_domain domain;
	struct arm_smmu_device *smmu;
	enum arm_smmu_domain_stage stage;
	struct ims_io_pgtable_ops *pgtbl_ops;
	struct ims_io_pgtable_cfg pgtbl_cfg;
	uint16_t asid, vmid;
	int nr_masters;
};

/** struct arm_smmu_cmdq_ent - a command before encoding (flat form of the kernel's union). */
struct arm_smmu_cmdq_ent {
	uint8_t opcode;
	bool substream_valid;
	uint32_t sid, ssid;
	bool leaf;
	uint16_t asid, vmid;
	uint8_t num, scale, ttl, tg;
	uint64_t addr;
	uint64_t msiaddr;
};

struct arm_smmu_entry_writer;

/**
 * struct arm_smmu_entry_writer_ops - how arm_smmu_write_entry() reaches an entry.
 * @get_used: the bits the configuration in @entry reads.
 * @write:    store qword @i (NULL: the caller's array is the entry).
 * @sync:     make the SMMU observe the writes (CFGI + CMD_SYNC).
 */
struct arm_smmu_entry_writer_ops {
	void (*get_used)(const uint64_t *entry, uint64_t *used);
	void (*write)(struct arm_smmu_entry_writer *w, unsigned int i, uint64_t val);
	void (*sync)(struct arm_smmu_entry_writer *w);
};

/**
 * struct arm_smmu_entry_writer - an STE or CD writer.
 * @ops:    the ops.
 * @master: the master (CD syncs go to all its streams).
 * @sid:    the StreamID (STE).  @ssid: the SubstreamID (CD).
 * @pa:     where the entry lives.
 * @priv:   the caller's cookie.
 */
struct arm_smmu_entry_writer {
	const struct arm_smmu_entry_writer_ops *ops;
	struct arm_smmu_master *master;
	uint32_t sid, ssid;
	uint64_t pa;
	void *priv;
};

void arm_smmu_get_ste_used(const uint64_t *ent, uint64_t *used_bits);
void arm_smmu_get_cd_used(const uint64_t *ent, uint64_t *used_bits);
void arm_smmu_write_entry(struct arm_smmu_entry_writer *writer, uint64_t *entry,
			  const uint64_t *target);
void arm_smmu_make_abort_ste(uint64_t *target);
void arm_smmu_make_bypass_ste(const struct arm_smmu_device *smmu, uint64_t *target);
void arm_smmu_make_cdtable_ste(uint64_t *target, const struct arm_smmu_master *master,
			       bool ats_enabled, unsigned int s1dss);
void arm_smmu_make_s2_domain_ste(uint64_t *target, const struct arm_smmu_master *master,
				 const struct arm_smmu_domain *smmu_domain, bool ats_enabled);
void arm_smmu_make_s1_cd(uint64_t *target, const struct arm_smmu_master *master,
			 const struct arm_smmu_domain *smmu_domain);
int arm_smmu_cmdq_build_cmd(uint64_t *cmd, const struct arm_smmu_cmdq_ent *ent);
/* Issue one command followed by a CMD_SYNC; 0, -EINVAL (unknown opcode) or -ETIMEDOUT. */
int arm_smmu_cmdq_issue_cmd_with_sync(struct arm_smmu_device *smmu,
				      const struct arm_smmu_cmdq_ent *ent);
bool arm_smmu_sid_in_range(const struct arm_smmu_device *smmu, uint32_t sid);

/* The SMMU bound to a platform device, or NULL. */
struct arm_smmu_device *arm_smmu_from_dev(struct ims_device *dev);
/* The physical address of the STE of @sid (0 when its L2 table does not exist). */
uint64_t arm_smmu_ste_pa(const struct arm_smmu_device *smmu, uint32_t sid);
/* The physical address of SSID 0's CD of a master (0 when not allocated). */
uint64_t arm_smmu_cd0_pa(const struct arm_smmu_master *master);

#endif
