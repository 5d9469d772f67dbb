// SPDX-License-Identifier: MIT
/*
 * The arm-smmu-v3 driver, after Linux 6.12
 * drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.c (function names kept where a
 * function plays the same part).  It programs the SMMUv3 model only as the
 * kernel programs silicon: MMIO registers, and the stream table, context
 * descriptors and queues in simulated physical memory (Arm IHI 0070).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iommusim/drivers.h>

#include "arm-smmu-v3.h"
#include "drivers/io-pgtable-mem.h"
#include "iommu/iommu-fast.h"
#include "util/compiler.h"
#include "util/log.h"

#define ARM_SMMU_DRV_NAME "arm-smmu-v3"
#define ARM_SMMU_POLL_LIMIT 1000 /* register polls before a timeout */
#define PCI_VENDOR_ID_HUAWEI 0x19e5

static const struct ims_iommu_ops arm_smmu_ops;

/* ---- register and memory access ------------------------------------------------- */

static uint32_t readl_pa(struct arm_smmu_device *smmu, uint64_t pa)
{
	uint64_t v = 0;

	if (ims_mmio_read(smmu->mem, pa, 4, &v))
		return 0;
	return (uint32_t)v;
}

static void writel_pa(struct arm_smmu_device *smmu, uint64_t pa, uint32_t val)
{
	ims_mmio_write(smmu->mem, pa, 4, val);
}

static uint32_t readl(struct arm_smmu_device *smmu, uint64_t off)
{
	return readl_pa(smmu, smmu->base + off);
}

static void writel(struct arm_smmu_device *smmu, uint64_t off, uint32_t val)
{
	writel_pa(smmu, smmu->base + off, val);
}

static void writeq(struct arm_smmu_device *smmu, uint64_t off, uint64_t val)
{
	ims_mmio_write(smmu->mem, smmu->base + off, 8, val);
}

/* dma_alloc_coherent(): zeroed, page-aligned simulated RAM. */
static int dma_alloc(struct arm_smmu_device *smmu, uint64_t size, uint64_t *pa)
{
	return ims_mem_alloc(smmu->mem, pa, size, IMS_PAGE_SIZE, IMS_MEM_ZERO) ? -ENOMEM : 0;
}

static void dma_free(struct arm_smmu_device *smmu, uint64_t pa, uint64_t size)
{
	if (pa)
		ims_mem_free_block(smmu->mem, pa, size);
}

static void rd_entry(struct arm_smmu_device *smmu, uint64_t pa, uint64_t *e, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (ims_mem_read64(smmu->mem, pa + 8ull * i, &e[i]))
			e[i] = 0;
}

static void wr_entry(struct arm_smmu_device *smmu, uint64_t pa, const uint64_t *e, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		ims_mem_write64(smmu->mem, pa + 8ull * i, e[i]);
}

/* ---- queues (IHI 0070 §3.5) --------------------------------------------------------- */

#define Q_IDX(q, p) ((p) & ((1u << (q)->max_n_shift) - 1))
#define Q_WRP(q, p) ((p) & (1u << (q)->max_n_shift))
#define Q_OVF_OF(p) ((p)&Q_OVF)
#define Q_ENT(q, p) ((q)->base_dma + (uint64_t)Q_IDX(q, p) * (q)->ent_dwords * 8)

static uint32_t queue_inc(const struct arm_smmu_queue *q, uint32_t p)
{
	uint32_t v = (Q_WRP(q, p) | Q_IDX(q, p)) + 1;

	return Q_OVF_OF(p) | Q_WRP(q, v) | Q_IDX(q, v);
}

static bool queue_empty(const struct arm_smmu_queue *q)
{
	return Q_IDX(q, q->prod) == Q_IDX(q, q->cons) && Q_WRP(q, q->prod) == Q_WRP(q, q->cons);
}

static uint32_t queue_space(const struct arm_smmu_queue *q)
{
	uint32_t prod = Q_IDX(q, q->prod), cons = Q_IDX(q, q->cons);

	if (Q_WRP(q, q->prod) == Q_WRP(q, q->cons))
		return (1u << q->max_n_shift) - (prod - cons);
	return cons - prod;
}

/* queue_consumed(): has CONS moved past @prod? */
static bool queue_consumed(const struct arm_smmu_queue *q, uint32_t cons, uint32_t prod)
{
	return (Q_WRP(q, cons) == Q_WRP(q, prod) && Q_IDX(q, cons) > Q_IDX(q, prod)) ||
	       (Q_WRP(q, cons) != Q_WRP(q, prod) && Q_IDX(q, cons) <= Q_IDX(q, prod));
}

/* ---- commands (IHI 0070 §4) ---------------------------------------------------------- */

int arm_smmu_cmdq_build_cmd(uint64_t *cmd, const struct arm_smmu_cmdq_ent *ent)
{
	cmd[0] = FIELD_PREP(CMD_0_OP, ent->opcode);
	cmd[1] = 0;
	switch (ent->opcode) {
	case CMDQ_OP_TLBI_EL2_ALL:
	case CMDQ_OP_TLBI_NSNH_ALL:
		break;
	case CMDQ_OP_PREFETCH_CONFIG:
		cmd[0] |= FIELD_PREP(CMD_0_SID, ent->sid);
		break;
	case CMDQ_OP_CFGI_CD:
		cmd[0] |= FIELD_PREP(CMD_0_SSID, ent->ssid);
		/* fall through */
	case CMDQ_OP_CFGI_STE:
		cmd[0] |= FIELD_PREP(CMD_0_SID, ent->sid);
		cmd[1] |= FIELD_PREP(CMD_1_LEAF, ent->leaf);
		break;
	case CMDQ_OP_CFGI_CD_ALL:
		cmd[0] |= FIELD_PREP(CMD_0_SID, ent->sid);
		break;
	case CMDQ_OP_CFGI_ALL:
		/* Cover the entire SID range */
		cmd[1] |= FIELD_PREP(CMD_1_RANGE, 31);
		break;
	case CMDQ_OP_TLBI_NH_VA:
		cmd[0] |= FIELD_PREP(CMD_0_VMID, ent->vmid);
		/* fall through */
	case CMDQ_OP_TLBI_EL2_VA:
		cmd[0] |= FIELD_PREP(CMD_0_NUM, ent->num);
		cmd[0] |= FIELD_PREP(CMD_0_SCALE, ent->scale);
		cmd[0] |= FIELD_PREP(CMD_0_ASID, ent->asid);
		cmd[1] |= FIELD_PREP(CMD_1_LEAF, ent->leaf);
		cmd[1] |= FIELD_PREP(CMD_1_TTL, ent->ttl);
		cmd[1] |= FIELD_PREP(CMD_1_TG, ent->tg);
		cmd[1] |= ent->addr & CMD_1_VA;
		break;
	case CMDQ_OP_TLBI_S2_IPA:
		cmd[0] |= FIELD_PREP(CMD_0_NUM, ent->num);
		cmd[0] |= FIELD_PREP(CMD_0_SCALE, ent->scale);
		cmd[0] |= FIELD_PREP(CMD_0_VMID, ent->vmid);
		cmd[1] |= FIELD_PREP(CMD_1_LEAF, ent->leaf);
		cmd[1] |= FIELD_PREP(CMD_1_TTL, ent->ttl);
		cmd[1] |= FIELD_PREP(CMD_1_TG, ent->tg);
		cmd[1] |= ent->addr & CMD_1_IPA;
		break;
	case CMDQ_OP_TLBI_NH_ASID:
		cmd[0] |= FIELD_PREP(CMD_0_ASID, ent->asid);
		/* fall through */
	case CMDQ_OP_TLBI_NH_ALL:
	case CMDQ_OP_TLBI_S12_VMALL:
		cmd[0] |= FIELD_PREP(CMD_0_VMID, ent->vmid);
		break;
	case CMDQ_OP_TLBI_EL2_ASID:
		cmd[0] |= FIELD_PREP(CMD_0_ASID, ent->asid);
		break;
	case CMDQ_OP_CMD_SYNC:
		if (ent->msiaddr) {
			cmd[0] |= FIELD_PREP(CMD_0_CS, CMD_SYNC_CS_IRQ);
			cmd[1] |= ent->msiaddr & CMD_1_MSIADDR;
		} else {
			cmd[0] |= FIELD_PREP(CMD_0_CS, CMD_SYNC_CS_SEV);
		}
		cmd[0] |= FIELD_PREP(CMD_0_MSH, ARM_SMMU_SH_ISH);
		cmd[0] |= FIELD_PREP(CMD_0_MSIATTR, ARM_SMMU_MEMATTR_OIWB);
		break;
	default:
		return -ENOENT;
	}
	return 0;
}

/*
 * arm_smmu_cmdq_issue_cmdlist(): append @n commands (and a CMD_SYNC when
 * @sync), publish PROD, and with @sync wait until the SMMU consumed the
 * CMD_SYNC (CONS polling, or the MSI write of MSIPOLL).
 */
static int arm_smmu_cmdq_issue_cmdlist(struct arm_smmu_device *smmu, const uint64_t *cmds, int n,
				       bool sync)
{
	struct arm_smmu_queue *q = &smmu->cmdq;
	uint32_t sync_prod = 0;
	uint64_t sync_pa = 0;
	uint32_t need = (uint32_t)n + (sync ? 1 : 0);
	int ret = 0;

	pthread_mutex_lock(&smmu->cmdq_lock);
	q->cons = readl_pa(smmu, q->cons_reg) & (Q_IDX_WRAP_MASK | Q_OVF);
	for (int tries = 0; queue_space(q) < need; tries++) {
		if (tries == ARM_SMMU_POLL_LIMIT) {
			ims_dev_logf(smmu->dev, IMS_LOG_ERR, "CMDQ timeout");
			pthread_mutex_unlock(&smmu->cmdq_lock);
			return -ETIMEDOUT;
		}
		q->cons = readl_pa(smmu, q->cons_reg) & (Q_IDX_WRAP_MASK | Q_OVF);
	}
	for (int i = 0; i < n; i++) {
		wr_entry(smmu, Q_ENT(q, q->prod), &cmds[2 * i], 2);
		q->prod = queue_inc(q, q->prod);
	}
	if (sync) {
		struct arm_smmu_cmdq_ent ent = { .opcode = CMDQ_OP_CMD_SYNC };
		uint64_t cmd[2];

		sync_prod = q->prod;
		sync_pa = Q_ENT(q, q->prod);
		if (smmu->options & ARM_SMMU_OPT_MSIPOLL)
			ent.msiaddr = sync_pa;
		arm_smmu_cmdq_build_cmd(cmd, &ent);
		wr_entry(smmu, sync_pa, cmd, 2);
		q->prod = queue_inc(q, q->prod);
	}
	smmu->nr_cmds += need;
	writel_pa(smmu, q->prod_reg, q->prod);
	if (sync) {
		bool done = false;

		smmu->nr_syncs++;
		for (int tries = 0; !done && tries < ARM_SMMU_POLL_LIMIT; tries++) {
			if (smmu->options & ARM_SMMU_OPT_MSIPOLL) {
				uint32_t v = 1;

				ims_mem_read32(smmu->mem, sync_pa, &v);
				done = v == 0;
			} else {
				q->cons = readl_pa(smmu, q->cons_reg) & (Q_IDX_WRAP_MASK | Q_OVF);
				done = queue_consumed(q, q->cons, sync_prod);
			}
		}
		if (!done) {
			ims_dev_logf(smmu->dev, IMS_LOG_ERR,
				     "CMD_SYNC timeout at 0x%08x [hwprod 0x%08x, hwcons 0x%08x]",
				     sync_prod, readl_pa(smmu, q->prod_reg),
				     readl_pa(smmu, q->cons_reg));
			ret = -ETIMEDOUT;
		}
	}
	pthread_mutex_unlock(&smmu->cmdq_lock);
	return ret;
}

static int arm_smmu_cmdq_issue(struct arm_smmu_device *smmu, const struct arm_smmu_cmdq_ent *ent,
			       bool sync)
{
	uint64_t cmd[2];

	if (arm_smmu_cmdq_build_cmd(cmd, ent)) {
		ims_dev_logf(smmu->dev, IMS_LOG_WARNING, "ignoring unknown CMDQ opcode 0x%x",
			     ent->opcode);
		return -EINVAL;
	}
	return arm_smmu_cmdq_issue_cmdlist(smmu, cmd, 1, sync);
}

/* arm_smmu_cmdq_issue_cmd_with_sync() */
int arm_smmu_cmdq_issue_cmd_with_sync(struct arm_smmu_device *smmu,
				      const struct arm_smmu_cmdq_ent *ent)
{
	return arm_smmu_cmdq_issue(smmu, ent, true);
}

/* struct arm_smmu_cmdq_batch: up to CMDQ_BATCH_ENTRIES commands. */
struct arm_smmu_cmdq_batch {
	uint64_t cmds[CMDQ_BATCH_ENTRIES * 2];
	int num;
};

static void arm_smmu_cmdq_batch_add(struct arm_smmu_device *smmu, struct arm_smmu_cmdq_batch *cmds,
				    const struct arm_smmu_cmdq_ent *ent)
{
	if (cmds->num == CMDQ_BATCH_ENTRIES) {
		arm_smmu_cmdq_issue_cmdlist(smmu, cmds->cmds, cmds->num, false);
		cmds->num = 0;
	}
	if (arm_smmu_cmdq_build_cmd(&cmds->cmds[cmds->num * 2], ent)) {
		ims_dev_logf(smmu->dev, IMS_LOG_WARNING, "ignoring unknown CMDQ opcode 0x%x",
			     ent->opcode);
		return;
	}
	cmds->num++;
}

static int arm_smmu_cmdq_batch_submit(struct arm_smmu_device *smmu,
				      struct arm_smmu_cmdq_batch *cmds)
{
	return arm_smmu_cmdq_issue_cmdlist(smmu, cmds->cmds, cmds->num, true);
}

/* ---- hitless entry updates: arm_smmu_write_entry() ------------------------------------- */

void arm_smmu_get_ste_used(const uint64_t *ent, uint64_t *used_bits)
{
	unsigned int cfg = (unsigned int)FIELD_GET(STE_0_CFG, ent[0]);

	memset(used_bits, 0, NUM_ENTRY_QWORDS * sizeof(*used_bits));
	used_bits[0] = STE_0_V;
	if (!(ent[0] & STE_0_V))
		return;
	used_bits[0] |= STE_0_CFG;
	/* S1 translates */
	if (cfg & BIT(0)) {
		used_bits[0] |= STE_0_S1FMT | STE_0_S1CTXPTR | STE_0_S1CDMAX;
		used_bits[1] |= STE_1_S1DSS | STE_1_S1CIR | STE_1_S1COR | STE_1_S1CSH |
				STE_1_S1STALLD | STE_1_STRW | STE_1_EATS;
		used_bits[2] |= STE_2_S2VMID;
		/* IHI 0070 §13.5: SHCFG applies when S1DSS bypasses. */
		if (FIELD_GET(STE_1_S1DSS, ent[1]) == STE_S1DSS_BYPASS)
			used_bits[1] |= STE_1_SHCFG;
	}
	/* S2 translates */
	if (cfg & BIT(1)) {
		used_bits[1] |= STE_1_EATS | STE_1_SHCFG;
		used_bits[2] |= STE_2_S2VMID | STE_2_VTCR | STE_2_S2AA64 | STE_2_S2ENDI |
				STE_2_S2PTW | STE_2_S2S | STE_2_S2R;
		used_bits[3] |= STE_3_S2TTB;
	}
	if (cfg == STE_CFG_BYPASS)
		used_bits[1] |= STE_1_SHCFG;
}

void arm_smmu_get_cd_used(const uint64_t *ent, uint64_t *used_bits)
{
	memset(used_bits, 0, NUM_ENTRY_QWORDS * sizeof(*used_bits));
	used_bits[0] = CD_0_V;
	if (!(ent[0] & CD_0_V))
		return;
	memset(used_bits, 0xff, NUM_ENTRY_QWORDS * sizeof(*used_bits));
	/* EPD0 means T0SZ/TG0/IR0/OR0/SH0/TTB0 are IGNORED */
	if (ent[0] & CD_0_EPD0) {
		used_bits[0] &= ~(CD_0_T0SZ | CD_0_TG0 | CD_0_IRGN0 | CD_0_ORGN0 | CD_0_SH0);
		used_bits[1] &= ~CD_1_TTB0;
	}
}

/*
 * arm_smmu_entry_qword_diff(): compute the update that changes only unused
 * bits, and return the qwords whose used bits must still change.
 */
static uint8_t arm_smmu_entry_qword_diff(struct arm_smmu_entry_writer *writer,
					 const uint64_t *entry, const uint64_t *target,
					 uint64_t *unused_update)
{
	uint64_t target_used[NUM_ENTRY_QWORDS], cur_used[NUM_ENTRY_QWORDS];
	uint8_t used_qword_diff = 0;

	writer->ops->get_used(entry, cur_used);
	writer->ops->get_used(target, target_used);
	for (unsigned int i = 0; i != NUM_ENTRY_QWORDS; i++) {
		/* Bits can change because they are not currently being used */
		unused_update[i] = (entry[i] & cur_used[i]) | (target[i] & ~cur_used[i]);
		/* A used bit of qword i must still change after unused_update. */
		if ((unused_update[i] & target_used[i]) != target[i])
			used_qword_diff |= (uint8_t)(1u << i);
	}
	return used_qword_diff;
}

static bool entry_set(struct arm_smmu_entry_writer *writer, uint64_t *entry, const uint64_t *target,
		      unsigned int start, unsigned int len)
{
	bool changed = false;

	for (unsigned int i = start; len != 0; len--, i++) {
		if (entry[i] != target[i]) {
			entry[i] = target[i];
			if (writer->ops->write)
				writer->ops->write(writer, i, target[i]);
			changed = true;
		}
	}
	if (changed)
		writer->ops->sync(writer);
	return changed;
}

void arm_smmu_write_entry(struct arm_smmu_entry_writer *writer, uint64_t *entry,
			  const uint64_t *target)
{
	uint64_t unused_update[NUM_ENTRY_QWORDS];
	uint8_t used_qword_diff;

	used_qword_diff = arm_smmu_entry_qword_diff(writer, entry, target, unused_update);
	if (__builtin_popcount(used_qword_diff) == 1) {
		/*
		 * Hitless: set every bit the current entry ignores, then the
		 * single critical qword, then clear what the target ignores.
		 */
		unsigned int critical = (unsigned int)__builtin_ctz(used_qword_diff);

		unused_update[critical] = entry[critical];
		entry_set(writer, entry, unused_update, 0, NUM_ENTRY_QWORDS);
		entry_set(writer, entry, target, critical, 1);
		entry_set(writer, entry, target, 0, NUM_ENTRY_QWORDS);
	} else if (used_qword_diff) {
		/* Breaking: V=0, every qword but 0, then qword 0. */
		unused_update[0] = 0;
		entry_set(writer, entry, unused_update, 0, 1);
		entry_set(writer, entry, target, 1, NUM_ENTRY_QWORDS - 1);
		entry_set(writer, entry, target, 0, 1);
	} else {
		/* No used bit changes: only unused bits may differ (the kernel WARNs). */
		entry_set(writer, entry, target, 0, NUM_ENTRY_QWORDS);
	}
}

static void arm_smmu_entry_write_mem(struct arm_smmu_entry_writer *w, unsigned int i, uint64_t val)
{
	ims_mem_write64(w->master->smmu->mem, w->pa + 8ull * i, val);
}

/* arm_smmu_ste_writer_sync_entry(): CFGI_STE (leaf) + CMD_SYNC. */
static void arm_smmu_ste_writer_sync_entry(struct arm_smmu_entry_writer *w)
{
	struct arm_smmu_cmdq_ent cmd = { .opcode = CMDQ_OP_CFGI_STE, .sid = w->sid, .leaf = true };

	arm_smmu_cmdq_issue_cmd_with_sync(w->master->smmu, &cmd);
}

static const struct arm_smmu_entry_writer_ops arm_smmu_ste_writer_ops = {
	.get_used = arm_smmu_get_ste_used,
	.write = arm_smmu_entry_write_mem,
	.sync = arm_smmu_ste_writer_sync_entry,
};

/* arm_smmu_sync_cd(): CFGI_CD for every stream of the master, then CMD_SYNC. */
static void arm_smmu_sync_cd(struct arm_smmu_master *master, uint32_t ssid, bool leaf)
{
	struct arm_smmu_cmdq_batch cmds = { .num = 0 };
	struct arm_smmu_cmdq_ent cmd = { .opcode = CMDQ_OP_CFGI_CD, .ssid = ssid, .leaf = leaf };

	for (unsigned int i = 0; i < master->num_streams; i++) {
		cmd.sid = master->streams[i].id;
		arm_smmu_cmdq_batch_add(master->smmu, &cmds, &cmd);
	}
	arm_smmu_cmdq_batch_submit(master->smmu, &cmds);
}

static void arm_smmu_cd_writer_sync_entry(struct arm_smmu_entry_writer *w)
{
	arm_smmu_sync_cd(w->master, w->ssid, true);
}

static const struct arm_smmu_entry_writer_ops arm_smmu_cd_writer_ops = {
	.get_used = arm_smmu_get_cd_used,
	.write = arm_smmu_entry_write_mem,
	.sync = arm_smmu_cd_writer_sync_entry,
};

/* ---- STE and CD builders -------------------------------------------------------------- */

void arm_smmu_make_abort_ste(uint64_t *target)
{
	memset(target, 0, NUM_ENTRY_QWORDS * sizeof(*target));
	target[0] = STE_0_V | FIELD_PREP(STE_0_CFG, STE_CFG_ABORT);
}

void arm_smmu_make_bypass_ste(const struct arm_smmu_device *smmu, uint64_t *target)
{
	memset(target, 0, NUM_ENTRY_QWORDS * sizeof(*target));
	target[0] = STE_0_V | FIELD_PREP(STE_0_CFG, STE_CFG_BYPASS);
	if (smmu->features & ARM_SMMU_FEAT_ATTR_TYPES_OVR)
		target[1] = FIELD_PREP(STE_1_SHCFG, STE_1_SHCFG_INCOMING);
}

void arm_smmu_make_cdtable_ste(uint64_t *target, const struct arm_smmu_master *master,
			       bool ats_enabled, unsigned int s1dss)
{
	const struct arm_smmu_ctx_desc_cfg *cd_table = &master->cd_table;
	const struct arm_smmu_device *smmu = master->smmu;

	memset(target, 0, NUM_ENTRY_QWORDS * sizeof(*target));
	target[0] = STE_0_V | FIELD_PREP(STE_0_CFG, STE_CFG_S1) |
		    FIELD_PREP(STE_0_S1FMT, cd_table->s1fmt) |
		    (cd_table->cdtab_dma & STE_0_S1CTXPTR) |
		    FIELD_PREP(STE_0_S1CDMAX, cd_table->s1cdmax);
	target[1] =
		FIELD_PREP(STE_1_S1DSS, s1dss) | FIELD_PREP(STE_1_S1CIR, STE_1_S1C_CACHE_WBRA) |
		FIELD_PREP(STE_1_S1COR, STE_1_S1C_CACHE_WBRA) |
		FIELD_PREP(STE_1_S1CSH, ARM_SMMU_SH_ISH) |
		((smmu->features & ARM_SMMU_FEAT_STALLS) && !master->stall_enabled ? STE_1_S1STALLD
										   : 0) |
		FIELD_PREP(STE_1_EATS, ats_enabled ? STE_1_EATS_TRANS : 0);
	if ((smmu->features & ARM_SMMU_FEAT_ATTR_TYPES_OVR) && s1dss == STE_S1DSS_BYPASS)
		target[1] |= FIELD_PREP(STE_1_SHCFG, STE_1_SHCFG_INCOMING);
	if (smmu->features & ARM_SMMU_FEAT_E2H) {
		target[1] |= FIELD_PREP(STE_1_STRW, STE_STRW_EL2);
	} else {
		target[1] |= FIELD_PREP(STE_1_STRW, STE_STRW_NSEL1);
		/* VMID 0 is reserved for stage-2 bypass EL1 STEs. */
		target[2] = FIELD_PREP(STE_2_S2VMID, 0);
	}
}

void arm_smmu_make_s2_domain_ste(uint64_t *target, const struct arm_smmu_master *master,
				 const struct arm_smmu_domain *smmu_domain, bool ats_enabled)
{
	const struct ims_arm_lpae_tcr *vtcr = &smmu_domain->pgtbl_cfg.s2.vtcr;
	const struct arm_smmu_device *smmu = master->smmu;
	uint64_t vtcr_val;

	memset(target, 0, NUM_ENTRY_QWORDS * sizeof(*target));
	target[0] = STE_0_V | FIELD_PREP(STE_0_CFG, STE_CFG_S2);
	target[1] = FIELD_PREP(STE_1_EATS, ats_enabled ? STE_1_EATS_TRANS : 0);
	if (smmu->features & ARM_SMMU_FEAT_ATTR_TYPES_OVR)
		target[1] |= FIELD_PREP(STE_1_SHCFG, STE_1_SHCFG_INCOMING);
	vtcr_val =
		FIELD_PREP(STE_2_VTCR_S2T0SZ, vtcr->tsz) | FIELD_PREP(STE_2_VTCR_S2SL0, vtcr->sl) |
		FIELD_PREP(STE_2_VTCR_S2IR0, vtcr->irgn) |
		FIELD_PREP(STE_2_VTCR_S2OR0, vtcr->orgn) | FIELD_PREP(STE_2_VTCR_S2SH0, vtcr->sh) |
		FIELD_PREP(STE_2_VTCR_S2TG, vtcr->tg) | FIELD_PREP(STE_2_VTCR_S2PS, vtcr->ips);
	target[2] = FIELD_PREP(STE_2_S2VMID, smmu_domain->vmid) | FIELD_PREP(STE_2_VTCR, vtcr_val) |
		    STE_2_S2AA64 | STE_2_S2PTW | (master->stall_enabled ? STE_2_S2S : 0) |
		    STE_2_S2R;
	target[3] = smmu_domain->pgtbl_cfg.s2.vttbr & STE_3_S2TTB;
}

void arm_smmu_make_s1_cd(uint64_t *target, const struct arm_smmu_master *master,
			 const struct arm_smmu_domain *smmu_domain)
{
	const struct ims_io_pgtable_cfg *pgtbl_cfg = &smmu_domain->pgtbl_cfg;
	const struct ims_arm_lpae_tcr *tcr = &pgtbl_cfg->s1.tcr;

	memset(target, 0, NUM_ENTRY_QWORDS * sizeof(*target));
	target[0] = FIELD_PREP(CD_0_T0SZ, tcr->tsz) | FIELD_PREP(CD_0_TG0, tcr->tg) |
		    FIELD_PREP(CD_0_IRGN0, tcr->irgn) | FIELD_PREP(CD_0_ORGN0, tcr->orgn) |
		    FIELD_PREP(CD_0_SH0, tcr->sh) | CD_0_EPD1 | CD_0_V |
		    FIELD_PREP(CD_0_IPS, tcr->ips) | CD_0_AA64 |
		    (master->stall_enabled ? CD_0_S : 0) | CD_0_R | CD_0_A | CD_0_ASET |
		    FIELD_PREP(CD_0_ASID, smmu_domain->asid);
	/* To enable dirty flag update, set both Access flag and dirty state update */
	if (pgtbl_cfg->quirks & IMS_IO_PGTABLE_QUIRK_ARM_HD)
		target[0] |= CD_0_HA | CD_0_HD;
	target[1] = pgtbl_cfg->s1.ttbr & CD_1_TTB0;
	target[3] = pgtbl_cfg->s1.mair;
}

/* ---- stream table ----------------------------------------------------------------- */

bool arm_smmu_sid_in_range(const struct arm_smmu_device *smmu, uint32_t sid)
{
	if (smmu->strtab_2lvl)
		return (sid >> STRTAB_SPLIT) < smmu->num_l1_ents;
	return sid < smmu->num_ents;
}

uint64_t arm_smmu_ste_pa(const struct arm_smmu_device *smmu, uint32_t sid)
{
	if (!arm_smmu_sid_in_range(smmu, sid))
		return 0;
	if (smmu->strtab_2lvl) {
		uint64_t l2 = smmu->l2ptrs[sid >> STRTAB_SPLIT];

		return l2 ? l2 + 64ull * (sid & (STRTAB_NUM_L2_STES - 1)) : 0;
	}
	return smmu->strtab_dma + 64ull * sid;
}

/* arm_smmu_init_initial_stes(): every STE starts as abort (6.12: no disable_bypass). */
static void arm_smmu_init_initial_stes(struct arm_smmu_device *smmu, uint64_t pa, uint32_t nent)
{
	uint64_t ste[NUM_ENTRY_QWORDS];

	arm_smmu_make_abort_ste(ste);
	for (uint32_t i = 0; i < nent; i++)
		ims_mem_write64(smmu->mem, pa + 64ull * i, ste[0]);
}

static int arm_smmu_init_l2_strtab(struct arm_smmu_device *smmu, uint32_t sid)
{
	uint32_t l1_idx = sid >> STRTAB_SPLIT;
	uint64_t l2;

	if (smmu->l2ptrs[l1_idx])
		return 0;
	if (dma_alloc(smmu, 64ull * STRTAB_NUM_L2_STES, &l2)) {
		ims_dev_logf(smmu->dev, IMS_LOG_ERR,
			     "failed to allocate l2 stream table for SID %u", sid);
		return -ENOMEM;
	}
	arm_smmu_init_initial_stes(smmu, l2, STRTAB_NUM_L2_STES);
	smmu->l2ptrs[l1_idx] = l2;
	/* arm_smmu_write_strtab_l1_desc(): SPAN = STRTAB_SPLIT + 1 (§5.1). */
	ims_mem_write64(smmu->mem, smmu->strtab_dma + 8ull * l1_idx,
			FIELD_PREP(L1STD_SPAN, STRTAB_SPLIT + 1) | (l2 & L1STD_L2PTR));
	return 0;
}

static int arm_smmu_init_sid_strtab(struct arm_smmu_device *smmu, uint32_t sid)
{
	/* Check the SIDs are in range of the SMMU and our stream table */
	if (!arm_smmu_sid_in_range(smmu, sid))
		return -ERANGE;
	if (smmu->strtab_2lvl)
		return arm_smmu_init_l2_strtab(smmu, sid);
	return 0;
}

static int arm_smmu_init_strtab(struct arm_smmu_device *smmu)
{
	if (smmu->strtab_2lvl) {
		uint32_t last_sid_idx =
			(uint32_t)((((uint64_t)1 << smmu->sid_bits) - 1) >> STRTAB_SPLIT);

		/* Calculate the L1 size, capped to the SIDSIZE. */
		smmu->num_l1_ents = IMS_MIN(last_sid_idx + 1, STRTAB_MAX_L1_ENTRIES);
		if (smmu->num_l1_ents <= last_sid_idx)
			ims_dev_logf(smmu->dev, IMS_LOG_WARNING,
				     "2-level strtab only covers %u/%u bits of SID",
				     ims_ilog2(smmu->num_l1_ents * STRTAB_NUM_L2_STES),
				     smmu->sid_bits);
		smmu->strtab_size = 8ull * smmu->num_l1_ents;
		if (dma_alloc(smmu, smmu->strtab_size, &smmu->strtab_dma)) {
			ims_dev_logf(smmu->dev, IMS_LOG_ERR,
				     "failed to allocate l1 stream table (%u bytes)",
				     (unsigned int)smmu->strtab_size);
			return -ENOMEM;
		}
		smmu->l2ptrs = calloc(smmu->num_l1_ents, sizeof(*smmu->l2ptrs));
		return smmu->l2ptrs ? 0 : -ENOMEM;
	}
	smmu->strtab_size = 64ull << smmu->sid_bits;
	if (smmu->sid_bits > 26 || dma_alloc(smmu, smmu->strtab_size, &smmu->strtab_dma)) {
		ims_dev_logf(smmu->dev, IMS_LOG_ERR,
			     "failed to allocate linear stream table (%u bytes)",
			     (unsigned int)smmu->strtab_size);
		smmu->strtab_dma = 0;
		return -ENOMEM;
	}
	smmu->num_ents = 1u << smmu->sid_bits;
	arm_smmu_init_initial_stes(smmu, smmu->strtab_dma, smmu->num_ents);
	return 0;
}

/* arm_smmu_write_strtab(): STRTAB_BASE and STRTAB_BASE_CFG (§6.3.26). */
static void arm_smmu_write_strtab(struct arm_smmu_device *smmu)
{
	uint32_t reg;

	if (smmu->strtab_2lvl)
		reg = FIELD_PREP(STRTAB_BASE_CFG_FMT, STRTAB_BASE_CFG_FMT_2LVL) |
		      FIELD_PREP(STRTAB_BASE_CFG_LOG2SIZE,
				 ims_ilog2(smmu->num_l1_ents) + STRTAB_SPLIT) |
		      FIELD_PREP(STRTAB_BASE_CFG_SPLIT, STRTAB_SPLIT);
	else
		reg = FIELD_PREP(STRTAB_BASE_CFG_FMT, STRTAB_BASE_CFG_FMT_LINEAR) |
		      FIELD_PREP(STRTAB_BASE_CFG_LOG2SIZE, smmu->sid_bits);
	writeq(smmu, SMMU_STRTAB_BASE, (smmu->strtab_dma & STRTAB_BASE_ADDR) | STRTAB_BASE_RA);
	writel(smmu, SMMU_STRTAB_BASE_CFG, reg);
}

static void arm_smmu_write_ste(struct arm_smmu_master *master, uint32_t sid, const uint64_t *target)
{
	struct arm_smmu_device *smmu = master->smmu;
	struct arm_smmu_entry_writer w = {
		.ops = &arm_smmu_ste_writer_ops,
		.master = master,
		.sid = sid,
		.pa = arm_smmu_ste_pa(smmu, sid),
	};
	uint64_t cur[NUM_ENTRY_QWORDS];

	if (!w.pa)
		return;
	rd_entry(smmu, w.pa, cur, NUM_ENTRY_QWORDS);
	arm_smmu_write_entry(&w, cur, target);
	/* It's likely that we'll want to use the new STE soon */
	if (!(smmu->options & ARM_SMMU_OPT_SKIP_PREFETCH)) {
		struct arm_smmu_cmdq_ent prefetch = { .opcode = CMDQ_OP_PREFETCH_CONFIG,
						      .sid = sid };

		arm_smmu_cmdq_issue(smmu, &prefetch, false);
	}
}

/* arm_smmu_install_ste_for_dev() */
static void arm_smmu_install_ste_for_dev(struct arm_smmu_master *master, const uint64_t *target)
{
	for (unsigned int i = 0; i < master->num_streams; i++) {
		uint32_t sid = master->streams[i].id;
		unsigned int j;

		/* Bridged PCI devices may end up with duplicated IDs */
		for (j = 0; j < i; j++)
			if (master->streams[j].id == sid)
				break;
		if (j < i)
			continue;
		arm_smmu_write_ste(master, sid, target);
	}
}

/* ---- CD tables ------------------------------------------------------------------------ */

static uint64_t arm_smmu_get_cd_ptr(const struct arm_smmu_master *master, uint32_t ssid)
{
	const struct arm_smmu_ctx_desc_cfg *t = &master->cd_table;

	if (!t->cdtab_dma)
		return 0;
	if (t->s1fmt == STE_S1FMT_LINEAR)
		return ssid < t->num_ents ? t->cdtab_dma + 64ull * ssid : 0;
	if ((ssid >> CTXDESC_SPLIT) >= t->num_ents || !t->l2ptrs[ssid >> CTXDESC_SPLIT])
		return 0;
	return t->l2ptrs[ssid >> CTXDESC_SPLIT] + 64ull * (ssid & (CTXDESC_L2_ENTRIES - 1));
}

uint64_t arm_smmu_cd0_pa(const struct arm_smmu_master *master)
{
	return arm_smmu_get_cd_ptr(master, 0);
}

static int arm_smmu_alloc_cd_tables(struct arm_smmu_master *master)
{
	struct arm_smmu_ctx_desc_cfg *t = &master->cd_table;
	struct arm_smmu_device *smmu = master->smmu;
	uint32_t max_contexts;

	t->s1cdmax = (uint8_t)master->ssid_bits;
	max_contexts = 1u << t->s1cdmax;
	if (!(smmu->features & ARM_SMMU_FEAT_2_LVL_CDTAB) || max_contexts <= CTXDESC_L2_ENTRIES) {
		t->s1fmt = STE_S1FMT_LINEAR;
		t->num_ents = max_contexts;
		t->size = 64ull * max_contexts;
	} else {
		t->s1fmt = STE_S1FMT_64K_L2;
		t->num_ents = (max_contexts + CTXDESC_L2_ENTRIES - 1) / CTXDESC_L2_ENTRIES;
		t->l2ptrs = calloc(t->num_ents, sizeof(*t->l2ptrs));
		if (!t->l2ptrs)
			return -ENOMEM;
		t->size = 8ull * t->num_ents;
	}
	if (dma_alloc(smmu, t->size, &t->cdtab_dma)) {
		free(t->l2ptrs);
		t->l2ptrs = NULL;
		t->cdtab_dma = 0;
		return -ENOMEM;
	}
	return 0;
}

static void arm_smmu_free_cd_tables(struct arm_smmu_master *master)
{
	struct arm_smmu_ctx_desc_cfg *t = &master->cd_table;

	if (t->l2ptrs)
		for (uint32_t i = 0; i < t->num_ents; i++)
			dma_free(master->smmu, t->l2ptrs[i], 64ull * CTXDESC_L2_ENTRIES);
	free(t->l2ptrs);
	dma_free(master->smmu, t->cdtab_dma, t->size);
	memset(t, 0, sizeof(*t));
}

static uint64_t arm_smmu_alloc_cd_ptr(struct arm_smmu_master *master, uint32_t ssid)
{
	struct arm_smmu_ctx_desc_cfg *t = &master->cd_table;

	if (!t->cdtab_dma && arm_smmu_alloc_cd_tables(master))
		return 0;
	if (t->s1fmt == STE_S1FMT_64K_L2) {
		uint32_t idx = ssid >> CTXDESC_SPLIT;

		if (idx >= t->num_ents)
			return 0;
		if (!t->l2ptrs[idx]) {
			uint64_t l2;

			if (dma_alloc(master->smmu, 64ull * CTXDESC_L2_ENTRIES, &l2))
				return 0;
			t->l2ptrs[idx] = l2;
			/* arm_smmu_write_cd_l1_desc() (§5.3) */
			ims_mem_write64(master->smmu->mem, t->cdtab_dma + 8ull * idx,
					(l2 & L1CD_L2PTR) | L1CD_V);
			/* An invalid L1CD can be cached */
			arm_smmu_sync_cd(master, ssid, false);
		}
	}
	return arm_smmu_get_cd_ptr(master, ssid);
}

static void arm_smmu_write_cd_entry(struct arm_smmu_master *master, uint32_t ssid, uint64_t cdptr,
				    const uint64_t *target)
{
	struct arm_smmu_entry_writer w = {
		.ops = &arm_smmu_cd_writer_ops,
		.master = master,
		.ssid = ssid,
		.pa = cdptr,
	};
	uint64_t cur[NUM_ENTRY_QWORDS];

	rd_entry(master->smmu, cdptr, cur, NUM_ENTRY_QWORDS);
	arm_smmu_write_entry(&w, cur, target);
}

static void arm_smmu_clear_cd(struct arm_smmu_master *master, uint32_t ssid)
{
	uint64_t target[NUM_ENTRY_QWORDS] = { 0 };
	uint64_t cdptr;

	if (!master->cd_table.cdtab_dma)
		return;
	cdptr = arm_smmu_get_cd_ptr(master, ssid);
	if (cdptr)
		arm_smmu_write_cd_entry(master, ssid, cdptr, target);
}

/* ---- TLB maintenance --------------------------------------------------------------- */

static struct arm_smmu_domain *to_smmu_domain(struct ims_iommu_domain *dom)
{
	return container_of(dom, struct arm_smmu_domain, domain);
}

static void arm_smmu_tlb_inv_asid(struct arm_smmu_device *smmu, uint16_t asid)
{
	struct arm_smmu_cmdq_ent cmd = {
		.opcode = smmu->features & ARM_SMMU_FEAT_E2H ? CMDQ_OP_TLBI_EL2_ASID
							     : CMDQ_OP_TLBI_NH_ASID,
		.asid = asid,
	};

	arm_smmu_cmdq_issue_cmd_with_sync(smmu, &cmd);
}

/* arm_smmu_tlb_inv_context(): the io-pgtable tlb_flush_all. */
static void arm_smmu_tlb_inv_context(void *cookie)
{
	struct arm_smmu_domain *smmu_domain = cookie;
	struct arm_smmu_device *smmu = smmu_domain->smmu;

	if (!smmu)
		return;
	if (smmu_domain->stage == ARM_SMMU_DOMAIN_S1) {
		arm_smmu_tlb_inv_asid(smmu, smmu_domain->asid);
	} else {
		struct arm_smmu_cmdq_ent cmd = { .opcode = CMDQ_OP_TLBI_S12_VMALL,
						 .vmid = smmu_domain->vmid };

		arm_smmu_cmdq_issue_cmd_with_sync(smmu, &cmd);
	}
	/* arm_smmu_atc_inv_domain(): no ATS is modelled. */
}

static void __arm_smmu_tlb_inv_range(struct arm_smmu_cmdq_ent *cmd, uint64_t iova, size_t size,
				     size_t granule, struct arm_smmu_domain *smmu_domain)
{
	struct arm_smmu_device *smmu = smmu_domain->smmu;
	uint64_t end = iova + size, num_pages = 0, inv_range = granule;
	struct arm_smmu_cmdq_batch cmds = { .num = 0 };
	unsigned int tg = 0;

	if (!size)
		return;
	if (smmu->features & ARM_SMMU_FEAT_RANGE_INV) {
		/* Get the leaf page size */
		tg = (unsigned int)__builtin_ctzll(smmu_domain->domain.pgsize_bitmap);
		num_pages = size >> tg;
		/* Convert page size of 12,14,16 (log2) to 1,2,3 */
		cmd->tg = (uint8_t)((tg - 10) / 2);
		/*
		 * TTL: the level of the leaf.  Non-leaf invalidations keep
		 * TTL = 0 but avoid scale = num = 0.
		 */
		if (cmd->leaf)
			cmd->ttl = (uint8_t)(4 - ((ims_ilog2(granule) - 3) / (tg - 3)));
		else if ((num_pages & CMDQ_TLBI_RANGE_NUM_MAX) == 1)
			num_pages++;
	}
	while (iova < end) {
		if (smmu->features & ARM_SMMU_FEAT_RANGE_INV) {
			/* range = num * 2^scale pages, 5 bits of the remaining size at a time */
			unsigned int scale = (unsigned int)__builtin_ctzll(num_pages);
			uint64_t num = (num_pages >> scale) & CMDQ_TLBI_RANGE_NUM_MAX;

			cmd->scale = (uint8_t)scale;
			cmd->num = (uint8_t)(num - 1);
			inv_range = num << (scale + tg);
			num_pages -= num << scale;
		}
		cmd->addr = iova;
		arm_smmu_cmdq_batch_add(smmu, &cmds, cmd);
		iova += inv_range;
	}
	arm_smmu_cmdq_batch_submit(smmu, &cmds);
}

static void arm_smmu_tlb_inv_range_domain(uint64_t iova, size_t size, size_t granule, bool leaf,
					  struct arm_smmu_domain *smmu_domain)
{
	struct arm_smmu_cmdq_ent cmd = { .leaf = leaf };

	if (!smmu_domain->smmu)
		return;
	if (smmu_domain->stage == ARM_SMMU_DOMAIN_S1) {
		cmd.opcode = smmu_domain->smmu->features & ARM_SMMU_FEAT_E2H ? CMDQ_OP_TLBI_EL2_VA
									     : CMDQ_OP_TLBI_NH_VA;
		cmd.asid = smmu_domain->asid;
	} else {
		cmd.opcode = CMDQ_OP_TLBI_S2_IPA;
		cmd.vmid = smmu_domain->vmid;
	}
	__arm_smmu_tlb_inv_range(&cmd, iova, size, granule, smmu_domain);
}

static void arm_smmu_tlb_inv_walk(uint64_t iova, size_t size, size_t granule, void *cookie)
{
	arm_smmu_tlb_inv_range_domain(iova, size, granule, false, cookie);
}

/* arm_smmu_tlb_inv_page_nosync(): gather the leaf for iotlb_sync. */
static void arm_smmu_tlb_inv_page_nosync(struct ims_iotlb_gather *gather, uint64_t iova,
					 size_t granule, void *cookie)
{
	struct arm_smmu_domain *smmu_domain = cookie;

	if (gather)
		ims_iommu_iotlb_gather_add_page(&smmu_domain->domain, gather, iova, granule);
}

static const struct ims_iommu_flush_ops arm_smmu_flush_ops = {
	.tlb_flush_all = arm_smmu_tlb_inv_context,
	.tlb_flush_walk = arm_smmu_tlb_inv_walk,
	.tlb_add_page = arm_smmu_tlb_inv_page_nosync,
};

/* ---- domains ------------------------------------------------------------------------- */

/* Lowest free id in [min, max] of @map (xa_alloc / ida_alloc_range). */
static int id_alloc(uint8_t *map, unsigned int min, unsigned int max)
{
	for (unsigned int i = min; i <= max; i++) {
		if (!(map[i / 8] & (1u << (i % 8)))) {
			map[i / 8] |= (uint8_t)(1u << (i % 8));
			return (int)i;
		}
	}
	return -ENOSPC;
}

static void id_free(uint8_t *map, unsigned int id)
{
	map[id / 8] &= (uint8_t) ~(1u << (id % 8));
}

static int arm_smmu_domain_finalise(struct arm_smmu_domain *smmu_domain,
				    struct arm_smmu_device *smmu)
{
	struct ims_io_pgtable_cfg *pgtbl_cfg = &smmu_domain->pgtbl_cfg;
	enum ims_io_pgtable_fmt fmt;
	int ret, id;

	/* Restrict the stage to what we can actually support */
	if (!(smmu->features & ARM_SMMU_FEAT_TRANS_S1))
		smmu_domain->stage = ARM_SMMU_DOMAIN_S2;
	if (!(smmu->features & ARM_SMMU_FEAT_TRANS_S2))
		smmu_domain->stage = ARM_SMMU_DOMAIN_S1;
	*pgtbl_cfg = (struct ims_io_pgtable_cfg){
		.pgsize_bitmap = smmu->pgsize_bitmap,
		.coherent_walk = !!(smmu->features & ARM_SMMU_FEAT_COHERENCY),
		.tlb = &arm_smmu_flush_ops,
		.mem = &ims_io_pgtable_ram_ops,
		.mem_cookie = smmu->mem,
		.log = ims_devcore_log(smmu->dev->core),
	};
	if (smmu_domain->stage == ARM_SMMU_DOMAIN_S1) {
		unsigned int va = smmu->features & ARM_SMMU_FEAT_VAX ? 52 : 48;

		fmt = IMS_ARM_64_LPAE_S1;
		pgtbl_cfg->ias = IMS_MIN(va, ARM_SMMU_VA_BITS);
		pgtbl_cfg->oas = smmu->ias;
	} else {
		fmt = IMS_ARM_64_LPAE_S2;
		pgtbl_cfg->ias = smmu->ias;
		pgtbl_cfg->oas = smmu->oas;
	}
	smmu_domain->smmu = smmu;
	ret = ims_pgtable_alloc_ops(&smmu_domain->pgtbl_ops, fmt, pgtbl_cfg, smmu_domain);
	if (ret) {
		smmu_domain->smmu = NULL;
		return -ENOMEM;
	}
	smmu_domain->domain.pgsize_bitmap = pgtbl_cfg->pgsize_bitmap;
	smmu_domain->domain.aperture_start = 0;
	smmu_domain->domain.aperture_end =
		pgtbl_cfg->ias >= 64 ? ~0ull : (1ull << pgtbl_cfg->ias) - 1;
	smmu_domain->domain.force_aperture = true;
	/* arm_smmu_domain_finalise_s1() / _s2(): the ASID or VMID. */
	pthread_mutex_lock(&smmu->streams_lock);
	if (smmu_domain->stage == ARM_SMMU_DOMAIN_S1)
		id = id_alloc(smmu->asid_map, 1, (1u << smmu->asid_bits) - 1);
	else
		id = id_alloc(smmu->vmid_map, 1, (1u << smmu->vmid_bits) - 1);
	pthread_mutex_unlock(&smmu->streams_lock);
	if (id < 0) {
		/* xa_alloc() is -EBUSY when the ASID space is full; ida_alloc_range() -ENOSPC. */
		if (smmu_domain->stage == ARM_SMMU_DOMAIN_S1)
			id = -EBUSY;
		ims_pgtable_free_ops(smmu_domain->pgtbl_ops);
		smmu_domain->pgtbl_ops = NULL;
		smmu_domain->smmu = NULL;
		return id;
	}
	if (smmu_domain->stage == ARM_SMMU_DOMAIN_S1)
		smmu_domain->asid = (uint16_t)id;
	else
		smmu_domain->vmid = (uint16_t)id;
	return 0;
}

static const struct ims_iommu_domain_ops arm_smmu_paging_ops;

static struct arm_smmu_master *master_of(struct ims_device *dev)
{
	return dev && dev->iommu ? dev->iommu->priv : NULL;
}

static struct ims_iommu_domain *arm_smmu_domain_alloc_paging(struct ims_device *dev)
{
	struct arm_smmu_domain *smmu_domain = calloc(1, sizeof(*smmu_domain));
	struct arm_smmu_master *master = master_of(dev);

	if (!smmu_domain)
		return NULL;
	smmu_domain->stage = ARM_SMMU_DOMAIN_S1;
	smmu_domain->domain.ops = &arm_smmu_paging_ops;
	if (master && arm_smmu_domain_finalise(smmu_domain, master->smmu)) {
		free(smmu_domain);
		return NULL;
	}
	return &smmu_domain->domain;
}

static void arm_smmu_domain_free_paging(struct ims_iommu_domain *domain)
{
	struct arm_smmu_domain *smmu_domain = to_smmu_domain(domain);
	struct arm_smmu_device *smmu = smmu_domain->smmu;

	ims_pgtable_free_ops(smmu_domain->pgtbl_ops);
	if (smmu) {
		pthread_mutex_lock(&smmu->streams_lock);
		if (smmu_domain->stage == ARM_SMMU_DOMAIN_S1)
			id_free(smmu->asid_map, smmu_domain->asid);
		else if (smmu_domain->vmid)
			id_free(smmu->vmid_map, smmu_domain->vmid);
		pthread_mutex_unlock(&smmu->streams_lock);
	}
	free(smmu_domain);
}

/* arm_smmu_attach_commit(): leave the old paging domain. */
static void arm_smmu_attach_commit(struct arm_smmu_master *master,
				   struct arm_smmu_domain *new_domain)
{
	if (master->domain && master->domain != new_domain)
		master->domain->nr_masters--;
	if (new_domain && master->domain != new_domain)
		new_domain->nr_masters++;
	master->domain = new_domain;
}

static int arm_smmu_attach_dev(struct ims_iommu_domain *domain, struct ims_device *dev)
{
	struct arm_smmu_domain *smmu_domain = to_smmu_domain(domain);
	struct arm_smmu_master *master = master_of(dev);
	uint64_t target[NUM_ENTRY_QWORDS];
	struct arm_smmu_device *smmu;
	int ret = 0;

	if (!master)
		return -ENOENT;
	smmu = master->smmu;
	if (!smmu_domain->smmu)
		ret = arm_smmu_domain_finalise(smmu_domain, smmu);
	else if (smmu_domain->smmu != smmu)
		ret = -EINVAL;
	if (ret)
		return ret;
	if (smmu_domain->stage == ARM_SMMU_DOMAIN_S1) {
		uint64_t cd[NUM_ENTRY_QWORDS];
		uint64_t cdptr = arm_smmu_alloc_cd_ptr(master, 0);

		if (!cdptr)
			return -ENOMEM;
		arm_smmu_make_s1_cd(cd, master, smmu_domain);
		arm_smmu_write_cd_entry(master, 0, cdptr, cd);
		arm_smmu_make_cdtable_ste(target, master, master->ats_enabled, STE_S1DSS_SSID0);
		arm_smmu_install_ste_for_dev(master, target);
	} else {
		arm_smmu_make_s2_domain_ste(target, master, smmu_domain, master->ats_enabled);
		arm_smmu_install_ste_for_dev(master, target);
		arm_smmu_clear_cd(master, 0);
	}
	arm_smmu_attach_commit(master, smmu_domain);
	ims_dev_decide(dev, "arm_smmu_attach_dev", "%s domain: %s ASID %u VMID %u on %u stream(s)",
		       ims_iommu_domain_type_name(domain->type),
		       smmu_domain->stage == ARM_SMMU_DOMAIN_S1 ? "stage-1 STE+CD" : "stage-2 STE",
		       smmu_domain->asid, smmu_domain->vmid, master->num_streams);
	return 0;
}

/* arm_smmu_attach_dev_ste(): install a bypass or abort STE, then clear the CD. */
static int arm_smmu_attach_dev_ste(struct ims_device *dev, const uint64_t *ste)
{
	struct arm_smmu_master *master = master_of(dev);

	if (!master)
		return -ENOENT;
	/* No PASIDs are modelled, so the CD table is never needed here. */
	arm_smmu_install_ste_for_dev(master, ste);
	arm_smmu_attach_commit(master, NULL);
	arm_smmu_clear_cd(master, 0);
	return 0;
}

static int arm_smmu_attach_dev_identity(struct ims_iommu_domain *domain, struct ims_device *dev)
{
	struct arm_smmu_master *master = master_of(dev);
	uint64_t ste[NUM_ENTRY_QWORDS];

	(void)domain;
	if (!master)
		return -ENOENT;
	arm_smmu_make_bypass_ste(master->smmu, ste);
	return arm_smmu_attach_dev_ste(dev, ste);
}

static int arm_smmu_attach_dev_blocked(struct ims_iommu_domain *domain, struct ims_device *dev)
{
	uint64_t ste[NUM_ENTRY_QWORDS];

	(void)domain;
	arm_smmu_make_abort_ste(ste);
	return arm_smmu_attach_dev_ste(dev, ste);
}

static int arm_smmu_map_pages(struct ims_iommu_domain *domain, uint64_t iova, uint64_t paddr,
			      size_t pgsize, size_t pgcount, int prot, size_t *mapped)
{
	struct ims_io_pgtable_ops *ops = to_smmu_domain(domain)->pgtbl_ops;

	if (!ops)
		return -ENODEV;
	return ops->map_pages(ops, iova, paddr, pgsize, pgcount, prot, 0, mapped);
}

static size_t arm_smmu_unmap_pages(struct ims_iommu_domain *domain, uint64_t iova, size_t pgsize,
				   size_t pgcount, struct ims_iotlb_gather *gather)
{
	struct ims_io_pgtable_ops *ops = to_smmu_domain(domain)->pgtbl_ops;

	if (!ops)
		return 0;
	return ops->unmap_pages(ops, iova, pgsize, pgcount, gather);
}

static void arm_smmu_flush_iotlb_all(struct ims_iommu_domain *domain)
{
	struct arm_smmu_domain *smmu_domain = to_smmu_domain(domain);

	if (smmu_domain->smmu)
		arm_smmu_tlb_inv_context(smmu_domain);
}

static void arm_smmu_iotlb_sync(struct ims_iommu_domain *domain, struct ims_iotlb_gather *gather)
{
	struct arm_smmu_domain *smmu_domain = to_smmu_domain(domain);

	if (!gather->pgsize)
		return;
	arm_smmu_tlb_inv_range_domain(gather->start, gather->end - gather->start + 1,
				      gather->pgsize, true, smmu_domain);
}

static uint64_t arm_smmu_iova_to_phys(struct ims_iommu_domain *domain, uint64_t iova)
{
	struct ims_io_pgtable_ops *ops = to_smmu_domain(domain)->pgtbl_ops;

	return ops ? ops->iova_to_phys(ops, iova) : 0;
}

static const struct ims_iommu_domain_ops arm_smmu_paging_ops = {
	.attach_dev = arm_smmu_attach_dev,
	.map_pages = arm_smmu_map_pages,
	.unmap_pages = arm_smmu_unmap_pages,
	.flush_iotlb_all = arm_smmu_flush_iotlb_all,
	.iotlb_sync = arm_smmu_iotlb_sync,
	.iova_to_phys = arm_smmu_iova_to_phys,
	.free = arm_smmu_domain_free_paging,
};

static const struct ims_iommu_domain_ops arm_smmu_identity_ops = {
	.attach_dev = arm_smmu_attach_dev_identity,
};

static const struct ims_iommu_domain_ops arm_smmu_blocked_ops = {
	.attach_dev = arm_smmu_attach_dev_blocked,
};

/* Static and never written: shared by every SMMU, as in the kernel. */
static struct ims_iommu_domain arm_smmu_identity_domain = {
	.type = IMS_IOMMU_DOMAIN_IDENTITY,
	.ops = &arm_smmu_identity_ops,
	.owner = &arm_smmu_ops,
	.is_static = true,
};

static struct ims_iommu_domain arm_smmu_blocked_domain = {
	.type = IMS_IOMMU_DOMAIN_BLOCKED,
	.ops = &arm_smmu_blocked_ops,
	.owner = &arm_smmu_ops,
	.is_static = true,
};

/* ---- masters ----------------------------------------------------------------------- */

/* The stream of @sid (binary search), or -(insertion point) - 1. */
static int arm_smmu_find_stream(const struct arm_smmu_device *smmu, uint32_t sid)
{
	int lo = 0, hi = smmu->nr_streams - 1;

	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;

		if (smmu->streams[mid]->id == sid)
			return mid;
		if (smmu->streams[mid]->id < sid)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -lo - 1;
}

static void arm_smmu_erase_stream(struct arm_smmu_device *smmu, const struct arm_smmu_stream *s)
{
	int i = arm_smmu_find_stream(smmu, s->id);

	if (i < 0 || smmu->streams[i] != s)
		return;
	memmove(&smmu->streams[i], &smmu->streams[i + 1],
		(size_t)(smmu->nr_streams - i - 1) * sizeof(*smmu->streams));
	smmu->nr_streams--;
}

static int arm_smmu_insert_master(struct arm_smmu_device *smmu, struct arm_smmu_master *master)
{
	struct ims_iommu_fwspec *fwspec = ims_dev_iommu_fwspec_get(master->dev);
	unsigned int i;
	int ret = 0;

	master->streams = calloc(fwspec->num_ids ? fwspec->num_ids : 1, sizeof(*master->streams));
	if (!master->streams)
		return -ENOMEM;
	master->num_streams = fwspec->num_ids;
	pthread_mutex_lock(&smmu->streams_lock);
	for (i = 0; i < fwspec->num_ids; i++) {
		struct arm_smmu_stream *s = &master->streams[i];
		uint32_t sid = fwspec->ids[i];
		int pos;

		s->id = sid;
		s->master = master;
		ret = arm_smmu_init_sid_strtab(smmu, sid);
		if (ret) {
			if (ret == -ERANGE)
				ims_dev_decide(
					master->dev, "arm_smmu_init_sid_strtab",
					"StreamID %u is beyond the stream table (%u SID bits, %s)",
					sid, smmu->sid_bits,
					smmu->strtab_2lvl ? "2-level" : "linear");
			break;
		}
		/* Insert into SID tree */
		pos = arm_smmu_find_stream(smmu, sid);
		if (pos >= 0) {
			struct arm_smmu_master *owner = smmu->streams[pos]->master;

			ims_dev_logf(master->dev, IMS_LOG_WARNING, "stream %u already in tree",
				     sid);
			ims_dev_decide(master->dev, "arm_smmu_insert_master",
				       "StreamID %u is already owned by %s", sid, owner->dev->name);
			ret = -EINVAL;
			break;
		}
		if (smmu->nr_streams == smmu->cap_streams) {
			int cap = smmu->cap_streams ? smmu->cap_streams * 2 : 16;
			void *p = realloc(smmu->streams, (size_t)cap * sizeof(*smmu->streams));

			if (!p) {
				ret = -ENOMEM;
				break;
			}
			smmu->streams = p;
			smmu->cap_streams = cap;
		}
		pos = -pos - 1;
		memmove(&smmu->streams[pos + 1], &smmu->streams[pos],
			(size_t)(smmu->nr_streams - pos) * sizeof(*smmu->streams));
		smmu->streams[pos] = s;
		smmu->nr_streams++;
	}
	if (ret) {
		while (i-- > 0)
			arm_smmu_erase_stream(smmu, &master->streams[i]);
		free(master->streams);
		master->streams = NULL;
		master->num_streams = 0;
	}
	pthread_mutex_unlock(&smmu->streams_lock);
	return ret;
}

static void arm_smmu_remove_master(struct arm_smmu_master *master)
{
	struct arm_smmu_device *smmu = master->smmu;

	pthread_mutex_lock(&smmu->streams_lock);
	for (unsigned int i = 0; i < master->num_streams; i++)
		arm_smmu_erase_stream(smmu, &master->streams[i]);
	pthread_mutex_unlock(&smmu->streams_lock);
	free(master->streams);
	master->streams = NULL;
}

static struct arm_smmu_device *arm_smmu_get_by_fwnode(struct ims_device *dev, int fwnode)
{
	struct ims_iommu_device *iommu =
		ims_iommu_device_from_fwnode(ims_iommu_core_of(dev), fwnode);

	if (!iommu || iommu->ops != &arm_smmu_ops)
		return NULL;
	return container_of(iommu, struct arm_smmu_device, iommu);
}

static struct ims_iommu_device *arm_smmu_probe_device(struct ims_device *dev, int *err)
{
	struct ims_iommu_fwspec *fwspec = ims_dev_iommu_fwspec_get(dev);
	const struct ims_of_tree *tree = ims_devcore_tree(dev->core);
	struct arm_smmu_device *smmu;
	struct arm_smmu_master *master;
	uint32_t pasid_bits = 0;
	int ret;

	if (!fwspec || fwspec->ops != &arm_smmu_ops) {
		*err = -ENODEV;
		return NULL;
	}
	if (dev->iommu->priv) {
		*err = -EBUSY;
		return NULL;
	}
	smmu = arm_smmu_get_by_fwnode(dev, fwspec->iommu_fwnode);
	if (!smmu) {
		*err = -ENODEV;
		return NULL;
	}
	master = calloc(1, sizeof(*master));
	if (!master) {
		*err = -ENOMEM;
		return NULL;
	}
	master->dev = dev;
	master->smmu = smmu;
	dev->iommu->priv = master;
	ret = arm_smmu_insert_master(smmu, master);
	if (ret) {
		free(master);
		dev->iommu->priv = NULL;
		*err = ret;
		return NULL;
	}
	if (dev->of_node != IMS_OF_NONE)
		ims_of_property_read_u32(tree, dev->of_node, "pasid-num-bits", &pasid_bits);
	master->ssid_bits = IMS_MIN(smmu->ssid_bits, pasid_bits);
	/* Without 2-level CD tables the CD table is one 64 KiB page at most. */
	if (!(smmu->features & ARM_SMMU_FEAT_2_LVL_CDTAB))
		master->ssid_bits = IMS_MIN(master->ssid_bits, (unsigned int)CTXDESC_LINEAR_CDMAX);
	if (((smmu->features & ARM_SMMU_FEAT_STALLS) && dev->of_node != IMS_OF_NONE &&
	     ims_of_get_property(tree, dev->of_node, "dma-can-stall", NULL)) ||
	    (smmu->features & ARM_SMMU_FEAT_STALL_FORCE))
		master->stall_enabled = true;
	/* pci_prepare_ats(): ATS is not modelled. */
	return &smmu->iommu;
}

static void arm_smmu_release_device(struct ims_device *dev)
{
	struct arm_smmu_master *master = master_of(dev);

	if (!master)
		return;
	/* Put the STE back to what arm_smmu_init_strtab() sets */
	if (dev->iommu->require_direct)
		arm_smmu_attach_dev_identity(&arm_smmu_identity_domain, dev);
	else
		arm_smmu_attach_dev_blocked(&arm_smmu_blocked_domain, dev);
	arm_smmu_remove_master(master);
	if (master->cd_table.cdtab_dma)
		arm_smmu_free_cd_tables(master);
	free(master);
	dev->iommu->priv = NULL;
}

static struct ims_iommu_group *arm_smmu_device_group(struct ims_device *dev, int *err)
{
	/*
	 * Devices sharing StreamIDs other than PCI RID aliases are not
	 * supported.
	 */
	if (dev->pci)
		return ims_pci_device_group(dev, err);
	return ims_generic_device_group(dev, err);
}

static int arm_smmu_of_xlate(struct ims_device *dev, const struct ims_of_phandle_args *spec)
{
	return ims_iommu_fwspec_add_ids(dev, spec->args, 1);
}

static void arm_smmu_get_resv_regions(struct ims_device *dev, struct ims_resv_list *list)
{
	(void)dev;
	/* The software MSI window, always (iommu_dma_get_resv_regions adds firmware ones). */
	ims_iommu_resv_add(list, MSI_IOVA_BASE, MSI_IOVA_LENGTH,
			   IMS_IOMMU_WRITE | IMS_IOMMU_NOEXEC | IMS_IOMMU_MMIO,
			   IMS_IOMMU_RESV_SW_MSI);
}

static bool arm_smmu_capable(struct ims_device *dev, enum ims_iommu_cap cap)
{
	struct arm_smmu_master *master = master_of(dev);

	switch (cap) {
	case IMS_IOMMU_CAP_CACHE_COHERENCY:
		/* Assume that a coherent TCU implies coherent TBUs */
		return master && (master->smmu->features & ARM_SMMU_FEAT_COHERENCY);
	case IMS_IOMMU_CAP_NOEXEC:
	case IMS_IOMMU_CAP_DEFERRED_FLUSH:
		return true;
	default:
		return false;
	}
}

/* arm_smmu_def_domain_type(): the HiSilicon PCIe tune and trace device is identity-only. */
static int arm_smmu_def_domain_type(struct ims_device *dev)
{
	struct ims_pci_dev *pdev = ims_to_pci_dev(dev);

	if (pdev && pdev->vendor == PCI_VENDOR_ID_HUAWEI && pdev->device == 0xa12e)
		return IMS_IOMMU_DOMAIN_IDENTITY;
	return 0;
}

static const struct ims_iommu_ops arm_smmu_ops = {
	.name = ARM_SMMU_DRV_NAME,
	.capable = arm_smmu_capable,
	.domain_alloc_paging = arm_smmu_domain_alloc_paging,
	.probe_device = arm_smmu_probe_device,
	.release_device = arm_smmu_release_device,
	.device_group = arm_smmu_device_group,
	.get_resv_regions = arm_smmu_get_resv_regions,
	.of_xlate = arm_smmu_of_xlate,
	.def_domain_type = arm_smmu_def_domain_type,
	.identity_domain = &arm_smmu_identity_domain,
	.blocked_domain = &arm_smmu_blocked_domain,
	.pgsize_bitmap = ~0ull, /* Restricted during device attach */
};

/* ---- interrupts ---------------------------------------------------------------------- */

static struct arm_smmu_master *arm_smmu_find_master(struct arm_smmu_device *smmu, uint32_t sid)
{
	struct arm_smmu_master *m = NULL;
	int i;

	pthread_mutex_lock(&smmu->streams_lock);
	i = arm_smmu_find_stream(smmu, sid);
	if (i >= 0)
		m = smmu->streams[i]->master;
	pthread_mutex_unlock(&smmu->streams_lock);
	return m;
}

/* dev_info() on the SMMU, also kept with the master the event names. */
static void arm_smmu_evt_log(struct arm_smmu_device *smmu, struct arm_smmu_master *master,
			     const char *fmt, ...) IMS_PRINTF(3, 4);
static void arm_smmu_evt_log(struct arm_smmu_device *smmu, struct arm_smmu_master *master,
			     const char *fmt, ...)
{
	char body[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	ims_dev_logf(smmu->dev, IMS_LOG_INFO, "%s", body);
	if (master)
		ims_dev_record_msg(master->dev, IMS_LOG_INFO, "%s %s: %s", ARM_SMMU_DRV_NAME,
				   smmu->dev->name, body);
}

/* queue_remove_raw() */
static int queue_remove_raw(struct arm_smmu_device *smmu, struct arm_smmu_queue *q, uint64_t *ent)
{
	if (queue_empty(q))
		return -EAGAIN;
	rd_entry(smmu, Q_ENT(q, q->cons), ent, q->ent_dwords);
	q->cons = queue_inc(q, q->cons);
	writel_pa(smmu, q->cons_reg, q->cons);
	return 0;
}

/* arm_smmu_handle_evt(): only stalled translation faults are for the IOPF path. */
static int arm_smmu_handle_evt(struct arm_smmu_device *smmu, const uint64_t *evt)
{
	(void)smmu;
	switch (FIELD_GET(EVT_0_ID, evt[0])) {
	case EVT_ID_TRANSLATION:
	case EVT_ID_ADDR_SIZE:
	case EVT_ID_ACCESS:
	case EVT_ID_PERMISSION:
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (!(evt[1] & EVT_1_STALL))
		return -EOPNOTSUPP;
	/* No IOPF handler is modelled: iommu_report_device_fault() fails. */
	return -EINVAL;
}

static void arm_smmu_evtq_thread(void *cookie)
{
	struct arm_smmu_device *smmu = cookie;
	struct arm_smmu_queue *q = &smmu->evtq;
	uint64_t evt[4];
	int rounds = 0;

	pthread_mutex_lock(&smmu->evtq_lock);
	do {
		uint32_t prod;
		int n = 0;

		while (n++ <= (1 << q->max_n_shift) && !queue_remove_raw(smmu, q, evt)) {
			uint8_t id = (uint8_t)FIELD_GET(EVT_0_ID, evt[0]);
			struct arm_smmu_master *master;

			if (!arm_smmu_handle_evt(smmu, evt))
				continue;
			master = arm_smmu_find_master(smmu, (uint32_t)FIELD_GET(EVT_0_SID, evt[0]));
			arm_smmu_evt_log(smmu, master, "event 0x%02x received:", id);
			for (int i = 0; i < 4; i++)
				arm_smmu_evt_log(smmu, master, "\t0x%016llx",
						 (unsigned long long)evt[i]);
		}
		/* queue_sync_prod_in() */
		prod = readl_pa(smmu, q->prod_reg);
		if (Q_OVF_OF(prod) != Q_OVF_OF(q->prod))
			ims_dev_logf(smmu->dev, IMS_LOG_ERR,
				     "EVTQ overflow detected -- events lost");
		q->prod = prod;
	} while (!queue_empty(q) && ++rounds < 64);
	/* queue_sync_cons_ovf(): we believe we're up to speed */
	if (Q_OVF_OF(q->prod) != Q_OVF_OF(q->cons)) {
		q->cons = Q_OVF_OF(q->prod) | Q_WRP(q, q->cons) | Q_IDX(q, q->cons);
		writel_pa(smmu, q->cons_reg, q->cons);
	}
	pthread_mutex_unlock(&smmu->evtq_lock);
}

static const char *const cerror_str[] = {
	"No error",
	"Illegal command",
	"Abort on command fetch",
	"ATC invalidate timeout",
};

static void arm_smmu_cmdq_skip_err(struct arm_smmu_device *smmu)
{
	struct arm_smmu_queue *q = &smmu->cmdq;
	struct arm_smmu_cmdq_ent cmd_sync = { .opcode = CMDQ_OP_CMD_SYNC };
	uint32_t cons = readl_pa(smmu, q->cons_reg);
	uint32_t idx = (uint32_t)FIELD_GET(CMDQ_CONS_ERR, cons);
	uint64_t cmd[2];

	ims_dev_logf(smmu->dev, IMS_LOG_ERR, "CMDQ error (cons 0x%08x): %s", cons,
		     idx < ARRAY_SIZE(cerror_str) ? cerror_str[idx] : "Unknown");
	switch (idx) {
	case CMDQ_ERR_CERROR_ABT:
		ims_dev_logf(smmu->dev, IMS_LOG_ERR, "retrying command fetch");
		return;
	case CMDQ_ERR_CERROR_NONE:
	case 3: /* ATC invalidate timeout: CONS still points at the CMD_SYNC */
		return;
	default:
		break;
	}
	rd_entry(smmu, Q_ENT(q, cons), cmd, 2);
	ims_dev_logf(smmu->dev, IMS_LOG_ERR, "skipping command in error state:");
	for (int i = 0; i < 2; i++)
		ims_dev_logf(smmu->dev, IMS_LOG_ERR, "\t0x%016llx", (unsigned long long)cmd[i]);
	/* Convert the erroneous command into a CMD_SYNC */
	arm_smmu_cmdq_build_cmd(cmd, &cmd_sync);
	wr_entry(smmu, Q_ENT(q, cons), cmd, 2);
}

static void arm_smmu_device_disable(struct arm_smmu_device *smmu);

static void arm_smmu_gerror_handler(void *cookie)
{
	struct arm_smmu_device *smmu = cookie;
	uint32_t gerror = readl(smmu, SMMU_GERROR);
	uint32_t gerrorn = readl(smmu, SMMU_GERRORN);
	uint32_t active = (gerror ^ gerrorn) & GERROR_ERR_MASK;

	if (!active)
		return; /* No errors pending */
	ims_dev_logf(smmu->dev, IMS_LOG_WARNING,
		     "unexpected global error reported (0x%08x), this could be serious", active);
	if (active & GERROR_SFM_ERR) {
		ims_dev_logf(smmu->dev, IMS_LOG_ERR, "device has entered Service Failure Mode!");
		arm_smmu_device_disable(smmu);
	}
	if (active & GERROR_MSI_GERROR_ABT_ERR)
		ims_dev_logf(smmu->dev, IMS_LOG_WARNING, "GERROR MSI write aborted");
	if (active & GERROR_MSI_PRIQ_ABT_ERR)
		ims_dev_logf(smmu->dev, IMS_LOG_WARNING, "PRIQ MSI write aborted");
	if (active & GERROR_MSI_EVENTQ_ABT_ERR)
		ims_dev_logf(smmu->dev, IMS_LOG_WARNING, "EVTQ MSI write aborted");
	if (active & GERROR_MSI_CMDQ_ABT_ERR)
		ims_dev_logf(smmu->dev, IMS_LOG_WARNING, "CMDQ MSI write aborted");
	if (active & GERROR_PRIQ_ABT_ERR)
		ims_dev_logf(smmu->dev, IMS_LOG_ERR,
			     "PRIQ write aborted -- events may have been lost");
	if (active & GERROR_EVENTQ_ABT_ERR)
		ims_dev_logf(smmu->dev, IMS_LOG_ERR,
			     "EVTQ write aborted -- events may have been lost");
	if (active & GERROR_CMDQ_ERR)
		arm_smmu_cmdq_skip_err(smmu);
	writel(smmu, SMMU_GERRORN, gerror);
}

static void arm_smmu_combined_irq_handler(void *cookie)
{
	arm_smmu_gerror_handler(cookie);
	arm_smmu_evtq_thread(cookie);
}

/* ---- probe and reset -------------------------------------------------------------------- */

/* arm_smmu_write_reg_sync(): write, then poll the ACK register. */
static int arm_smmu_write_reg_sync(struct arm_smmu_device *smmu, uint32_t val, uint64_t reg_off,
				   uint64_t ack_off)
{
	writel(smmu, reg_off, val);
	for (int i = 0; i < ARM_SMMU_POLL_LIMIT; i++)
		if (readl(smmu, ack_off) == val)
			return 0;
	return -ETIMEDOUT;
}

static int arm_smmu_update_gbpa(struct arm_smmu_device *smmu, uint32_t set, uint32_t clr)
{
	uint32_t reg = 0;
	int i;

	for (i = 0; i < ARM_SMMU_POLL_LIMIT; i++)
		if (!((reg = readl(smmu, SMMU_GBPA)) & GBPA_UPDATE))
			break;
	if (i == ARM_SMMU_POLL_LIMIT)
		return -ETIMEDOUT;
	reg &= ~clr;
	reg |= set;
	writel(smmu, SMMU_GBPA, reg | GBPA_UPDATE);
	for (i = 0; i < ARM_SMMU_POLL_LIMIT; i++)
		if (!(readl(smmu, SMMU_GBPA) & GBPA_UPDATE))
			return 0;
	ims_dev_logf(smmu->dev, IMS_LOG_ERR, "GBPA not responding to update");
	return -ETIMEDOUT;
}

static void arm_smmu_device_disable(struct arm_smmu_device *smmu)
{
	if (arm_smmu_write_reg_sync(smmu, 0, SMMU_CR0, SMMU_CR0ACK))
		ims_dev_logf(smmu->dev, IMS_LOG_ERR, "failed to clear cr0");
	smmu->enabled = false;
}

static void arm_smmu_setup_unique_irqs(struct arm_smmu_device *smmu)
{
	struct ims_devcore *core = smmu->dev->core;
	int node = smmu->dev->of_node;

	/* arm_smmu_setup_msis(): clear the MSI addresses; no MSI domain is modelled. */
	writeq(smmu, SMMU_GERROR_IRQ_CFG0, 0);
	writeq(smmu, SMMU_EVENTQ_IRQ_CFG0, 0);
	if (smmu->features & ARM_SMMU_FEAT_MSI)
		ims_dev_logf(smmu->dev, IMS_LOG_INFO,
			     "msi_domain absent - falling back to wired irqs");
	if (smmu->evtq.irq >= 0) {
		if (ims_request_irq(core, node, smmu->evtq.irq, arm_smmu_evtq_thread, smmu) < 0) {
			ims_dev_logf(smmu->dev, IMS_LOG_WARNING, "failed to enable evtq irq");
			smmu->evtq.irq = -1;
		}
	} else {
		ims_dev_logf(smmu->dev, IMS_LOG_WARNING,
			     "no evtq irq - events will not be reported!");
	}
	if (smmu->gerr_irq >= 0) {
		if (ims_request_irq(core, node, smmu->gerr_irq, arm_smmu_gerror_handler, smmu) <
		    0) {
			ims_dev_logf(smmu->dev, IMS_LOG_WARNING, "failed to enable gerror irq");
			smmu->gerr_irq = -1;
		}
	} else {
		ims_dev_logf(smmu->dev, IMS_LOG_WARNING,
			     "no gerr irq - errors will not be reported!");
	}
}

static int arm_smmu_setup_irqs(struct arm_smmu_device *smmu)
{
	uint32_t irqen_flags = IRQ_CTRL_EVENTQ_IRQEN | IRQ_CTRL_GERROR_IRQEN;

	/* Disable IRQs first */
	if (arm_smmu_write_reg_sync(smmu, 0, SMMU_IRQ_CTRL, SMMU_IRQ_CTRLACK)) {
		ims_dev_logf(smmu->dev, IMS_LOG_ERR, "failed to disable irqs");
		return -ETIMEDOUT;
	}
	if (smmu->combined_irq >= 0) {
		if (ims_request_irq(smmu->dev->core, smmu->dev->of_node, smmu->combined_irq,
				    arm_smmu_combined_irq_handler, smmu) < 0) {
			ims_dev_logf(smmu->dev, IMS_LOG_WARNING, "failed to enable combined irq");
			smmu->combined_irq = -1;
		}
	} else {
		arm_smmu_setup_unique_irqs(smmu);
	}
	/* Enable interrupt generation on the SMMU */
	if (arm_smmu_write_reg_sync(smmu, irqen_flags, SMMU_IRQ_CTRL, SMMU_IRQ_CTRLACK))
		ims_dev_logf(smmu->dev, IMS_LOG_WARNING, "failed to enable irqs");
	return 0;
}

static void arm_smmu_free_irqs(struct arm_smmu_device *smmu)
{
	struct ims_devcore *core = smmu->dev->core;
	int node = smmu->dev->of_node;

	if (smmu->combined_irq >= 0)
		ims_free_irq(core, node, smmu->combined_irq);
	if (smmu->evtq.irq >= 0)
		ims_free_irq(core, node, smmu->evtq.irq);
	if (smmu->gerr_irq >= 0)
		ims_free_irq(core, node, smmu->gerr_irq);
}

static int arm_smmu_device_reset(struct arm_smmu_device *smmu)
{
	struct arm_smmu_cmdq_ent cmd = { .opcode = 0 };
	uint32_t reg, enables;
	int ret;

	/* Clear CR0 and sync (disables SMMU and queue processing) */
	reg = readl(smmu, SMMU_CR0);
	if (reg & CR0_SMMUEN) {
		ims_dev_logf(smmu->dev, IMS_LOG_WARNING, "SMMU currently enabled! Resetting...");
		arm_smmu_update_gbpa(smmu, GBPA_ABORT, 0);
	}
	if (arm_smmu_write_reg_sync(smmu, 0, SMMU_CR0, SMMU_CR0ACK)) {
		ims_dev_logf(smmu->dev, IMS_LOG_ERR, "failed to clear cr0");
		return -ETIMEDOUT;
	}
	/* CR1 (table and queue memory attributes) */
	reg = FIELD_PREP(CR1_TABLE_SH, ARM_SMMU_SH_ISH) | FIELD_PREP(CR1_TABLE_OC, CR1_CACHE_WB) |
	      FIELD_PREP(CR1_TABLE_IC, CR1_CACHE_WB) | FIELD_PREP(CR1_QUEUE_SH, ARM_SMMU_SH_ISH) |
	      FIELD_PREP(CR1_QUEUE_OC, CR1_CACHE_WB) | FIELD_PREP(CR1_QUEUE_IC, CR1_CACHE_WB);
	writel(smmu, SMMU_CR1, reg);
	/* CR2 (random crap) */
	reg = CR2_PTM | CR2_RECINVSID;
	if (smmu->features & ARM_SMMU_FEAT_E2H)
		reg |= CR2_E2H;
	writel(smmu, SMMU_CR2, reg);
	/* Stream table */
	arm_smmu_write_strtab(smmu);
	/* Command queue */
	writeq(smmu, SMMU_CMDQ_BASE, smmu->cmdq.q_base);
	writel_pa(smmu, smmu->cmdq.prod_reg, smmu->cmdq.prod);
	writel_pa(smmu, smmu->cmdq.cons_reg, smmu->cmdq.cons);
	enables = CR0_CMDQEN;
	ret = arm_smmu_write_reg_sync(smmu, enables, SMMU_CR0, SMMU_CR0ACK);
	if (ret) {
		ims_dev_logf(smmu->dev, IMS_LOG_ERR, "failed to enable command queue");
		return ret;
	}
	/* Invalidate any cached configuration */
	cmd.opcode = CMDQ_OP_CFGI_ALL;
	arm_smmu_cmdq_issue_cmd_with_sync(smmu, &cmd);
	/* Invalidate any stale TLB entries */
	if (smmu->features & ARM_SMMU_FEAT_HYP) {
		cmd.opcode = CMDQ_OP_TLBI_EL2_ALL;
		arm_smmu_cmdq_issue_cmd_with_sync(smmu, &cmd);
	}
	cmd.opcode = CMDQ_OP_TLBI_NSNH_ALL;
	arm_smmu_cmdq_issue_cmd_with_sync(smmu, &cmd);
	/* Event queue */
	writeq(smmu, SMMU_EVENTQ_BASE, smmu->evtq.q_base);
	writel_pa(smmu, smmu->evtq.prod_reg, smmu->evtq.prod);
	writel_pa(smmu, smmu->evtq.cons_reg, smmu->evtq.cons);
	enables |= CR0_EVENTQEN;
	ret = arm_smmu_write_reg_sync(smmu, enables, SMMU_CR0, SMMU_CR0ACK);
	if (ret) {
		ims_dev_logf(smmu->dev, IMS_LOG_ERR, "failed to enable event queue");
		return ret;
	}
	/* PRI and ATS are not modelled (the model implements neither). */
	ret = arm_smmu_setup_irqs(smmu);
	if (ret) {
		ims_dev_logf(smmu->dev, IMS_LOG_ERR, "failed to setup irqs");
		return ret;
	}
	/* Enable the SMMU interface */
	enables |= CR0_SMMUEN;
	ret = arm_smmu_write_reg_sync(smmu, enables, SMMU_CR0, SMMU_CR0ACK);
	if (ret) {
		ims_dev_logf(smmu->dev, IMS_LOG_ERR, "failed to enable SMMU interface");
		return ret;
	}
	smmu->enabled = true;
	return 0;
}

static int arm_smmu_device_hw_probe(struct arm_smmu_device *smmu)
{
	static const char *const names[] = { "IDR0", "IDR1", "IDR2", "IDR3",
					     "IDR4", "IDR5", "IIDR", "AIDR" };
	bool coherent = smmu->features & ARM_SMMU_FEAT_COHERENCY;
	uint32_t reg;

	for (unsigned int i = 0; i < ARRAY_SIZE(names); i++) {
		smmu->iommu.idregs[i].name = names[i];
		smmu->iommu.idregs[i].value = readl(smmu, SMMU_IDR0 + 4ull * i);
	}
	smmu->iommu.nr_idregs = (int)ARRAY_SIZE(names);

	/* IDR0 */
	reg = readl(smmu, SMMU_IDR0);
	/* 2-level structures */
	if (FIELD_GET(IDR0_ST_LEVEL, reg) == IDR0_ST_LVL_2LVL)
		smmu->features |= ARM_SMMU_FEAT_2_LVL_STRTAB;
	if (reg & IDR0_CD2L)
		smmu->features |= ARM_SMMU_FEAT_2_LVL_CDTAB;
	/* Translation table endianness (a little-endian kernel) */
	switch (FIELD_GET(IDR0_TTENDIAN, reg)) {
	case IDR0_TTENDIAN_MIXED:
		smmu->features |= ARM_SMMU_FEAT_TT_LE | ARM_SMMU_FEAT_TT_BE;
		break;
	case IDR0_TTENDIAN_LE:
		smmu->features |= ARM_SMMU_FEAT_TT_LE;
		break;
	default:
		ims_dev_logf(smmu->dev, IMS_LOG_ERR, "unknown/unsupported TT endianness!");
		return -ENXIO;
	}
	/* Boolean feature flags (CONFIG_PCI_PRI and CONFIG_PCI_ATS as arm64 defconfig) */
	if (reg & IDR0_PRI)
		smmu->features |= ARM_SMMU_FEAT_PRI;
	if (reg & IDR0_ATS)
		smmu->features |= ARM_SMMU_FEAT_ATS;
	if (reg & IDR0_SEV)
		smmu->features |= ARM_SMMU_FEAT_SEV;
	if (reg & IDR0_MSI) {
		smmu->features |= ARM_SMMU_FEAT_MSI;
		if (coherent)
			smmu->options |= ARM_SMMU_OPT_MSIPOLL;
	}
	if (reg & IDR0_HYP)
		smmu->features |= ARM_SMMU_FEAT_HYP; /* no VHE host: no E2H */
	/* arm_smmu_get_httu(): HTTU is reported, dirty tracking is not used. */
	if (FIELD_GET(IDR0_HTTU, reg) >= 1)
		smmu->features |= ARM_SMMU_FEAT_HA;
	if (FIELD_GET(IDR0_HTTU, reg) == 2)
		smmu->features |= ARM_SMMU_FEAT_HD;
	/* The coherency feature as set by FW is used in preference to the ID register */
	if (!!(reg & IDR0_COHACC) != coherent)
		ims_dev_logf(smmu->dev, IMS_LOG_WARNING,
			     "IDR0.COHACC overridden by FW configuration (%s)",
			     coherent ? "true" : "false");
	switch (FIELD_GET(IDR0_STALL_MODEL, reg)) {
	case IDR0_STALL_MODEL_FORCE:
		smmu->features |= ARM_SMMU_FEAT_STALL_FORCE;
		/* fall through */
	case IDR0_STALL_MODEL_STALL:
		smmu->features |= ARM_SMMU_FEAT_STALLS;
		break;
	default:
		break;
	}
	if (reg & IDR0_S1P)
		smmu->features |= ARM_SMMU_FEAT_TRANS_S1;
	if (reg & IDR0_S2P)
		smmu->features |= ARM_SMMU_FEAT_TRANS_S2;
	if (!(reg & (IDR0_S1P | IDR0_S2P))) {
		ims_dev_logf(smmu->dev, IMS_LOG_ERR, "no translation support!");
		return -ENXIO;
	}
	/* We only support the AArch64 table format at present */
	switch (FIELD_GET(IDR0_TTF, reg)) {
	case IDR0_TTF_AARCH32_64:
		smmu->ias = 40;
		/* fall through */
	case IDR0_TTF_AARCH64:
		break;
	default:
		ims_dev_logf(smmu->dev, IMS_LOG_ERR, "AArch64 table format not supported!");
		return -ENXIO;
	}
	/* ASID/VMID sizes */
	smmu->asid_bits = reg & IDR0_ASID16 ? 16 : 8;
	smmu->vmid_bits = reg & IDR0_VMID16 ? 16 : 8;

	/* IDR1 */
	reg = readl(smmu, SMMU_IDR1);
	if (reg & (IDR1_TABLES_PRESET | IDR1_QUEUES_PRESET | IDR1_REL)) {
		ims_dev_logf(smmu->dev, IMS_LOG_ERR, "embedded implementation not supported");
		return -ENXIO;
	}
	if (reg & IDR1_ATTR_TYPES_OVR)
		smmu->features |= ARM_SMMU_FEAT_ATTR_TYPES_OVR;
	/* Queue sizes, capped to ensure natural alignment */
	smmu->cmdq.max_n_shift =
		IMS_MIN((unsigned int)CMDQ_MAX_SZ_SHIFT, (unsigned int)FIELD_GET(IDR1_CMDQS, reg));
	if (smmu->cmdq.max_n_shift <= ims_ilog2(CMDQ_BATCH_ENTRIES)) {
		/* One batch of commands plus a sync must fit in the queue. */
		ims_dev_logf(smmu->dev, IMS_LOG_ERR,
			     "command queue size <= %d entries not supported", CMDQ_BATCH_ENTRIES);
		return -ENXIO;
	}
	smmu->evtq.max_n_shift = IMS_MIN((unsigned int)EVTQ_MAX_SZ_SHIFT,
					 (unsigned int)FIELD_GET(IDR1_EVENTQS, reg));
	/* SID/SSID sizes */
	smmu->ssid_bits = (unsigned int)FIELD_GET(IDR1_SSIDSIZE, reg);
	smmu->sid_bits = (unsigned int)FIELD_GET(IDR1_SIDSIZE, reg);
	/* Fewer SID bits than fill one L2 stream table: use a linear table. */
	if (smmu->sid_bits <= STRTAB_SPLIT)
		smmu->features &= ~ARM_SMMU_FEAT_2_LVL_STRTAB;

	/* IDR3 */
	reg = readl(smmu, SMMU_IDR3);
	if (FIELD_GET(IDR3_RIL, reg))
		smmu->features |= ARM_SMMU_FEAT_RANGE_INV;

	/* IDR5 */
	reg = readl(smmu, SMMU_IDR5);
	/* Page sizes */
	if (reg & IDR5_GRAN64K)
		smmu->pgsize_bitmap |= (1ull << 16) | (1ull << 29);
	if (reg & IDR5_GRAN16K)
		smmu->pgsize_bitmap |= (1ull << 14) | (1ull << 25);
	if (reg & IDR5_GRAN4K)
		smmu->pgsize_bitmap |= (1ull << 12) | (1ull << 21) | (1ull << 30);
	/* Input address size */
	if (FIELD_GET(IDR5_VAX, reg) == IDR5_VAX_52_BIT)
		smmu->features |= ARM_SMMU_FEAT_VAX;
	/* Output address size */
	switch (FIELD_GET(IDR5_OAS, reg)) {
	case 0:
		smmu->oas = 32;
		break;
	case 1:
		smmu->oas = 36;
		break;
	case 2:
		smmu->oas = 40;
		break;
	case 3:
		smmu->oas = 42;
		break;
	case 4:
		smmu->oas = 44;
		break;
	case 6:
		smmu->oas = 52;
		smmu->pgsize_bitmap |= 1ull << 42; /* 4TB */
		break;
	default:
		ims_dev_logf(smmu->dev, IMS_LOG_INFO,
			     "unknown output address size. Truncating to 48-bit");
		/* fall through */
	case 5:
		smmu->oas = 48;
	}
	/* dma_set_mask_and_coherent(DMA_BIT_MASK(oas)) for the table walker */
	smmu->dev->dma_mask = DMA_BIT_MASK(smmu->oas);
	smmu->dev->coherent_dma_mask = DMA_BIT_MASK(smmu->oas);
	smmu->ias = IMS_MAX(smmu->ias, smmu->oas);
	if ((smmu->features & ARM_SMMU_FEAT_TRANS_S1) && (smmu->features & ARM_SMMU_FEAT_TRANS_S2))
		smmu->features |= ARM_SMMU_FEAT_NESTING;
	ims_dev_logf(smmu->dev, IMS_LOG_INFO, "ias %u-bit, oas %u-bit (features 0x%08x)", smmu->ias,
		     smmu->oas, smmu->features);
	return 0;
}

/* arm_smmu_init_one_queue() */
static int arm_smmu_init_one_queue(struct arm_smmu_device *smmu, struct arm_smmu_queue *q,
				   uint64_t prod_off, uint64_t cons_off, unsigned int dwords,
				   const char *name)
{
	uint64_t qsz;

	for (;;) {
		qsz = ((1ull << q->max_n_shift) * dwords) << 3;
		if (!dma_alloc(smmu, qsz, &q->base_dma) || qsz < IMS_PAGE_SIZE)
			break;
		q->base_dma = 0;
		q->max_n_shift--;
	}
	if (!q->base_dma) {
		ims_dev_logf(smmu->dev, IMS_LOG_ERR,
			     "failed to allocate queue (0x%llx bytes) for %s",
			     (unsigned long long)qsz, name);
		return -ENOMEM;
	}
	if (!(q->base_dma & (qsz - 1)))
		ims_dev_logf(smmu->dev, IMS_LOG_INFO, "allocated %u entries for %s",
			     1u << q->max_n_shift, name);
	q->prod_reg = prod_off;
	q->cons_reg = cons_off;
	q->ent_dwords = dwords;
	q->q_base = Q_BASE_RWA | (q->base_dma & Q_BASE_ADDR) |
		    FIELD_PREP(Q_BASE_LOG2SIZE, q->max_n_shift);
	q->prod = q->cons = 0;
	return 0;
}

static void arm_smmu_free_structures(struct arm_smmu_device *smmu)
{
	if (smmu->cmdq.base_dma)
		dma_free(smmu, smmu->cmdq.base_dma, (16ull << smmu->cmdq.max_n_shift));
	if (smmu->evtq.base_dma)
		dma_free(smmu, smmu->evtq.base_dma, (32ull << smmu->evtq.max_n_shift));
	if (smmu->l2ptrs)
		for (uint32_t i = 0; i < smmu->num_l1_ents; i++)
			dma_free(smmu, smmu->l2ptrs[i], 64ull * STRTAB_NUM_L2_STES);
	free(smmu->l2ptrs);
	dma_free(smmu, smmu->strtab_dma, smmu->strtab_size);
	free(smmu->streams);
	free(smmu->asid_map);
	free(smmu->vmid_map);
	smmu->cmdq.base_dma = smmu->evtq.base_dma = smmu->strtab_dma = 0;
	smmu->l2ptrs = NULL;
	smmu->streams = NULL;
	smmu->asid_map = smmu->vmid_map = NULL;
}

static int arm_smmu_init_structures(struct arm_smmu_device *smmu)
{
	int ret;

	smmu->strtab_2lvl = !!(smmu->features & ARM_SMMU_FEAT_2_LVL_STRTAB);
	ret = arm_smmu_init_one_queue(smmu, &smmu->cmdq, smmu->base + SMMU_CMDQ_PROD,
				      smmu->base + SMMU_CMDQ_CONS, 2, "cmdq");
	if (!ret)
		ret = arm_smmu_init_one_queue(smmu, &smmu->evtq, smmu->page1 + SMMU_EVENTQ_PROD,
					      smmu->page1 + SMMU_EVENTQ_CONS, 4, "evtq");
	if (!ret)
		ret = arm_smmu_init_strtab(smmu);
	if (ret)
		return ret;
	smmu->asid_map = calloc(1, (1u << smmu->asid_bits) / 8);
	smmu->vmid_map = calloc(1, (1u << smmu->vmid_bits) / 8);
	return smmu->asid_map && smmu->vmid_map ? 0 : -ENOMEM;
}

/* arm_smmu_device_dt_probe() */
static int arm_smmu_device_dt_probe(struct arm_smmu_device *smmu)
{
	const struct ims_of_tree *tree = ims_devcore_tree(smmu->dev->core);
	int node = smmu->dev->of_node;
	uint32_t cells = 0;
	int ret = -EINVAL;

	if (ims_of_property_read_u32(tree, node, "#iommu-cells", &cells))
		ims_dev_logf(smmu->dev, IMS_LOG_ERR, "missing #iommu-cells property");
	else if (cells != 1)
		ims_dev_logf(smmu->dev, IMS_LOG_ERR, "invalid #iommu-cells value (%d)", (int)cells);
	else
		ret = 0;
	/* parse_driver_options() */
	if (ims_of_get_property(tree, node, "hisilicon,broken-prefetch-cmd", NULL)) {
		smmu->options |= ARM_SMMU_OPT_SKIP_PREFETCH;
		ims_dev_logf(smmu->dev, IMS_LOG_NOTICE, "option %s",
			     "hisilicon,broken-prefetch-cmd");
	}
	if (ims_of_get_property(tree, node, "cavium,cn9900-broken-page1-regspace", NULL)) {
		smmu->options |= ARM_SMMU_OPT_PAGE0_REGS_ONLY;
		ims_dev_logf(smmu->dev, IMS_LOG_NOTICE, "option %s",
			     "cavium,cn9900-broken-page1-regspace");
	}
	if (ims_of_dma_is_coherent(tree, node))
		smmu->features |= ARM_SMMU_FEAT_COHERENCY;
	return ret;
}

static void arm_smmu_destroy(struct arm_smmu_device *smmu)
{
	arm_smmu_free_structures(smmu);
	pthread_mutex_destroy(&smmu->cmdq_lock);
	pthread_mutex_destroy(&smmu->evtq_lock);
	pthread_mutex_destroy(&smmu->streams_lock);
	free(smmu);
}

static int arm_smmu_device_probe(struct ims_device *dev)
{
	const struct ims_of_tree *tree = ims_devcore_tree(dev->core);
	struct arm_smmu_device *smmu;
	uint64_t addr = 0, size = 0;
	int ret, irq;

	if (!ims_devcore_mem(dev->core))
		return ims_error(-ENODEV, "%s: the driver core has no address space", dev->name);
	smmu = calloc(1, sizeof(*smmu));
	if (!smmu)
		return -ENOMEM;
	smmu->dev = dev;
	smmu->mem = ims_devcore_mem(dev->core);
	smmu->combined_irq = smmu->gerr_irq = smmu->evtq.irq = smmu->cmdq.irq = -1;
	pthread_mutex_init(&smmu->cmdq_lock, NULL);
	pthread_mutex_init(&smmu->evtq_lock, NULL);
	pthread_mutex_init(&smmu->streams_lock, NULL);
	ret = arm_smmu_device_dt_probe(smmu);
	if (ret)
		goto err_free;
	/* Base address */
	if (ims_of_get_address(tree, dev->of_node, 0, &addr, &size)) {
		ret = -EINVAL;
		goto err_free;
	}
	smmu->reg_size = size;
	if (size < (smmu->options & ARM_SMMU_OPT_PAGE0_REGS_ONLY ? 0x10000ull : 0x20000ull)) {
		ims_dev_logf(dev, IMS_LOG_ERR, "MMIO region too small ([mem %#010llx-%#010llx])",
			     (unsigned long long)addr, (unsigned long long)(addr + size - 1));
		ret = -EINVAL;
		goto err_free;
	}
	smmu->base = addr;
	smmu->page1 = smmu->options & ARM_SMMU_OPT_PAGE0_REGS_ONLY ? addr : addr + 0x10000;
	/* Interrupt lines */
	irq = ims_irq_index_byname(tree, dev->of_node, "combined");
	if (irq >= 0) {
		smmu->combined_irq = irq;
	} else {
		smmu->evtq.irq = ims_irq_index_byname(tree, dev->of_node, "eventq");
		smmu->gerr_irq = ims_irq_index_byname(tree, dev->of_node, "gerror");
		if (smmu->evtq.irq < 0)
			smmu->evtq.irq = -1;
		if (smmu->gerr_irq < 0)
			smmu->gerr_irq = -1;
	}
	/* Probe the h/w */
	ret = arm_smmu_device_hw_probe(smmu);
	if (ret)
		goto err_free;
	/* Initialise in-memory data structures */
	ret = arm_smmu_init_structures(smmu);
	if (ret)
		goto err_free;
	dev->driver_data = smmu;
	/* Reset the device */
	ret = arm_smmu_device_reset(smmu);
	if (ret)
		goto err_disable;
	/* And we're up. Go go go! */
	/* arm_smmu_map_pages()/arm_smmu_unmap_pages() only forward to the page table */
	ims_iommu_register_pgtbl_fwd(ims_iommu_core_of(dev), &arm_smmu_paging_ops,
				     offsetof(struct arm_smmu_domain, pgtbl_ops) -
					     offsetof(struct arm_smmu_domain, domain));
	ret = ims_iommu_device_register(ims_iommu_core_of(dev), &smmu->iommu, &arm_smmu_ops, dev);
	if (ret) {
		ims_dev_logf(dev, IMS_LOG_ERR, "Failed to register iommu");
		goto err_disable;
	}
	smmu->iommu.priv = smmu;
	return 0;

err_disable:
	arm_smmu_device_disable(smmu);
	arm_smmu_free_irqs(smmu);
	dev->driver_data = NULL;
err_free:
	arm_smmu_destroy(smmu);
	return ret;
}

static void arm_smmu_device_remove(struct ims_device *dev)
{
	struct arm_smmu_device *smmu = dev->driver_data;

	if (!smmu)
		return;
	ims_iommu_device_unregister(&smmu->iommu);
	arm_smmu_device_disable(smmu);
	arm_smmu_free_irqs(smmu);
	dev->driver_data = NULL;
	arm_smmu_destroy(smmu);
}

struct arm_smmu_device *arm_smmu_from_dev(struct ims_device *dev)
{
	if (!dev || !dev->driver || dev->driver->probe != arm_smmu_device_probe)
		return NULL;
	return dev->driver_data;
}

static const char *const arm_smmu_of_match[] = { "arm,smmu-v3", NULL };

static const struct ims_driver arm_smmu_driver = {
	.name = ARM_SMMU_DRV_NAME,
	.bus = IMS_BUS_PLATFORM,
	.of_match = arm_smmu_of_match,
	.probe = arm_smmu_device_probe,
	.remove = arm_smmu_device_remove,
};

IMS_EXPORT int ims_arm_smmu_v3_register(struct ims_devcore *core)
{
	return ims_driver_register(core, &arm_smmu_driver);
}
