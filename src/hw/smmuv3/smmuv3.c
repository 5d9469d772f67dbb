/* SPDX-License-Identifier: MIT */
/*
 * The SMMUv3 model: ID registers, the programming interface (IHI 0070 §6),
 * the command queue (§4), the event queue (§7) and interrupts (§3.18).
 * Translation lives in smmuv3-xlate.c, the configuration cache in
 * smmuv3-cfgc.c.
 *
 * Register writes are serialised by s->lock.  Commands are consumed
 * synchronously when the driver writes CMDQ_PROD (or acknowledges a command
 * error, or enables the queue).
 */
#include <stdlib.h>
#include <string.h>

#include "hw/smmuv3/smmuv3-internal.h"
#include "util/compiler.h"
#include "util/le.h"
#include "util/log.h"

/* ---------------------------------------------------------------------- */
/* Parameters and ID registers */

void ims_smmuv3_params_default(struct ims_smmuv3_params *p)
{
	memset(p, 0, sizeof(*p));
	p->sidsize = 16;
	p->ssidsize = 20;
	p->s1p = p->s2p = true;
	p->st_2lvl = p->cd2l = true;
	p->gran4k = p->gran16k = p->gran64k = true;
	p->oas = 48;
	p->asid16 = p->vmid16 = true;
	p->cmdqs = 19;
	p->eventqs = 19;
	p->msi = p->sev = p->cohacc = p->ril = true;
	p->stall_model = 1;
	p->term_model = true;
	p->ttendian = 2;
	p->aidr = 1;
	p->iotlb_sets = 256;
	p->iotlb_ways = 4;
	p->cfg_cache_entries = 256;
}

/*
 * QEMU 7.2 hw/arm/smmuv3.c smmuv3_init_regs(), decoded field by field:
 * IDR0 0x0d40101a = S1P | TTF=AArch64 | COHACC | ASID16 | TTENDIAN=LE |
 *                   STALL_MODEL=1 (terminate only) | TERM_MODEL | ST_LEVEL=1;
 * IDR1 0x02730010 = SIDSIZE 16, SSIDSIZE 0, EVENTQS 19, CMDQS 19;
 * IDR3 0x00001404 = HAD | RIL | BBML=2;
 * IDR5 0x00000074 = OAS 44 bits | GRAN4K | GRAN16K | GRAN64K; AIDR = 1 (v3.1).
 */
void ims_smmuv3_params_qemu_virt(struct ims_smmuv3_params *p)
{
	ims_smmuv3_params_default(p);
	p->sidsize = 16;
	p->ssidsize = 0;
	p->s1p = true;
	p->s2p = false;
	p->st_2lvl = true;
	p->cd2l = false;
	p->oas = 44;
	p->asid16 = true;
	p->vmid16 = false;
	p->msi = p->sev = false;
	p->cohacc = true;
	p->ril = p->had = true;
	p->bbml = 2;
	p->stall_model = 1;
	p->term_model = true;
	p->iidr = 0;
	p->aidr = 1;
}

static int oas_encode(unsigned int bits)
{
	for (unsigned int e = 0; e < 7; e++)
		if (smmu_decode_pa_size(e) == bits)
			return (int)e;
	return -1;
}

static int params_check(const struct ims_smmuv3_params *p)
{
	if (p->sidsize > 32 || p->ssidsize > 20)
		return ims_error(-EINVAL, "ims_smmuv3_new: SIDSIZE %u / SSIDSIZE %u out of range",
				 p->sidsize, p->ssidsize);
	if (!p->s1p && !p->s2p)
		return ims_error(-EINVAL,
				 "ims_smmuv3_new: neither stage 1 nor stage 2 implemented");
	if (!p->gran4k && !p->gran16k && !p->gran64k)
		return ims_error(-EINVAL, "ims_smmuv3_new: no translation granule implemented");
	if (oas_encode(p->oas) < 0)
		return ims_error(-EINVAL, "ims_smmuv3_new: OAS %u is not an architected size",
				 p->oas);
	if (p->cmdqs > 19 || p->eventqs > 19)
		return ims_error(-EINVAL, "ims_smmuv3_new: CMDQS/EVENTQS above 19");
	if (p->stall_model > 2 || p->ttendian > 3 || p->bbml > 2)
		return ims_error(-EINVAL, "ims_smmuv3_new: bad STALL_MODEL/TTENDIAN/BBML");
	if (p->iotlb_sets && (!ims_is_power_of_2(p->iotlb_sets) || p->iotlb_sets > 65536 ||
			      !p->iotlb_ways || p->iotlb_ways > 64))
		return ims_error(-EINVAL, "ims_smmuv3_new: bad IOTLB geometry %ux%u", p->iotlb_sets,
				 p->iotlb_ways);
	if (p->cfg_cache_entries &&
	    (!ims_is_power_of_2(p->cfg_cache_entries) || p->cfg_cache_entries < CFGC_WAYS ||
	     p->cfg_cache_entries > (1u << 20)))
		return ims_error(-EINVAL, "ims_smmuv3_new: bad configuration cache size %u",
				 p->cfg_cache_entries);
	return 0;
}

static void build_idr(struct ims_smmuv3 *s)
{
	const struct ims_smmuv3_params *p = &s->p;

	s->idr[0] = (p->s2p ? IDR0_S2P : 0) | (p->s1p ? IDR0_S1P : 0) |
		    FIELD_PREP(IDR0_TTF, IDR0_TTF_AARCH64) | (p->cohacc ? IDR0_COHACC : 0) |
		    (p->hyp ? IDR0_HYP : 0) | (p->asid16 ? IDR0_ASID16 : 0) |
		    (p->msi ? IDR0_MSI : 0) | (p->sev ? IDR0_SEV : 0) |
		    (p->vmid16 ? IDR0_VMID16 : 0) | (p->cd2l ? IDR0_CD2L : 0) |
		    FIELD_PREP(IDR0_TTENDIAN, p->ttendian) |
		    FIELD_PREP(IDR0_STALL_MODEL, p->stall_model) |
		    (p->term_model ? IDR0_TERM_MODEL : 0) |
		    FIELD_PREP(IDR0_ST_LEVEL, p->st_2lvl ? 1 : 0);
	s->idr[1] = FIELD_PREP(IDR1_SIDSIZE, p->sidsize) | FIELD_PREP(IDR1_SSIDSIZE, p->ssidsize) |
		    FIELD_PREP(IDR1_EVENTQS, p->eventqs) | FIELD_PREP(IDR1_CMDQS, p->cmdqs);
	s->idr[2] = 0;
	s->idr[3] =
		(p->had ? IDR3_HAD : 0) | (p->ril ? IDR3_RIL : 0) | FIELD_PREP(IDR3_BBML, p->bbml);
	s->idr[4] = 0;
	s->idr[5] = FIELD_PREP(IDR5_OAS, (uint32_t)oas_encode(p->oas)) |
		    (p->gran4k ? IDR5_GRAN4K : 0) | (p->gran16k ? IDR5_GRAN16K : 0) |
		    (p->gran64k ? IDR5_GRAN64K : 0);
}

/* ---------------------------------------------------------------------- */
/* Interrupts and GERROR (§3.18, §6.3.17) */

/* Signal @line: an MSI write when MSIs are configured, else the wired line. */
static void signal_irq(struct ims_smmuv3 *s, enum ims_smmuv3_irq line, uint64_t cfg0, uint32_t cfg1,
		       uint32_t abt_bit);

static void gerror_raise(struct ims_smmuv3 *s, uint32_t bit)
{
	/* An error is active while GERROR.x != GERRORN.x; a new one toggles it. */
	if ((s->gerror ^ s->gerrorn) & bit)
		return;
	__atomic_store_n(&s->gerror, s->gerror ^ bit, __ATOMIC_RELAXED);
	ims_warn(s->log, "arm-smmu-v3: GERROR 0x%x raised", bit);
	if (s->irq_ctrl & IRQ_CTRL_GERROR_IRQEN)
		signal_irq(s, IMS_SMMUV3_IRQ_GERROR, s->gerror_irq_cfg0, s->gerror_irq_cfg1,
			   GERROR_MSI_GERROR_ABT_ERR);
}

static void signal_irq(struct ims_smmuv3 *s, enum ims_smmuv3_irq line, uint64_t cfg0, uint32_t cfg1,
		       uint32_t abt_bit)
{
	uint64_t addr = cfg0 & IRQ_CFG0_ADDR;

	if (s->p.msi && addr) {
		/* §3.18.2: a 32-bit write of the data to the address. */
		if (ims_mem_write32(s->mem, addr, cfg1)) {
			if (line != IMS_SMMUV3_IRQ_GERROR)
				gerror_raise(s, abt_bit);
			else if (!((s->gerror ^ s->gerrorn) & abt_bit))
				s->gerror ^= abt_bit;
		} else {
			smmu_inc(&s->msis);
		}
		return;
	}
	s->pending_irq |= 1u << line;
}

void smmu_fire_irqs(struct ims_smmuv3 *s)
{
	uint32_t pend;

	pthread_mutex_lock(&s->lock);
	pend = s->pending_irq;
	s->pending_irq = 0;
	pthread_mutex_unlock(&s->lock);
	for (unsigned int l = 0; pend && l < 4; l++)
		if ((pend & (1u << l)) && s->p.irq)
			s->p.irq(s->p.irq_opaque, (enum ims_smmuv3_irq)l);
}

/* ---------------------------------------------------------------------- */
/* Queues (§3.5) */

/* The effective LOG2SIZE: capped at the IDR1 maximum (§6.3.24). */
static unsigned int q_log2(const struct smmu_queue *q, unsigned int max)
{
	unsigned int l = (unsigned int)FIELD_GET(Q_BASE_LOG2SIZE, q->base);

	return l > max ? max : l;
}

/* The effective base: aligned to the larger of the queue size and 32 bytes. */
static uint64_t q_base(const struct smmu_queue *q, unsigned int log2, unsigned int ent)
{
	uint64_t size = (1ULL << log2) * ent;

	return (q->base & Q_BASE_ADDR) & ~((size < 32 ? 32 : size) - 1);
}

void smmu_record_event(struct ims_smmuv3 *s, const uint64_t rec[4])
{
	struct smmu_queue *q = &s->evtq;
	unsigned int log2;
	uint32_t mask, prod, cons;
	uint8_t buf[EVTQ_ENT_SIZE];

	pthread_mutex_lock(&s->lock);
	if (!(s->cr0 & CR0_EVENTQEN)) {
		/* §7.2: with the queue disabled, events are discarded. */
		smmu_inc(&s->events_lost);
		goto out;
	}
	log2 = q_log2(q, s->p.eventqs);
	mask = (2u << log2) - 1;
	prod = q->prod & mask;
	cons = q->cons & mask;
	if ((prod ^ cons) == (1u << log2)) {
		/* §7.4: full; the event is lost and OVFLG toggles if it was acknowledged. */
		if ((q->prod & Q_OVF) == (q->cons & Q_OVF))
			q->prod ^= Q_OVF;
		smmu_inc(&s->events_lost);
		goto out;
	}
	for (unsigned int i = 0; i < 4; i++)
		ims_st_le64(buf + 8 * i, rec[i]);
	if (ims_mem_write(s->mem,
			  q_base(q, log2, EVTQ_ENT_SIZE) +
				  (uint64_t)(prod & ((1u << log2) - 1)) * EVTQ_ENT_SIZE,
			  buf, sizeof(buf))) {
		gerror_raise(s, GERROR_EVENTQ_ABT_ERR);
		smmu_inc(&s->events_lost);
		goto out;
	}
	q->prod = (q->prod & Q_OVF) | ((prod + 1) & mask);
	smmu_inc(&s->events);
	if (s->irq_ctrl & IRQ_CTRL_EVENTQ_IRQEN)
		signal_irq(s, IMS_SMMUV3_IRQ_EVTQ, s->eventq_irq_cfg0, s->eventq_irq_cfg1,
			   GERROR_MSI_EVENTQ_ABT_ERR);
out:
	pthread_mutex_unlock(&s->lock);
}

/* ---------------------------------------------------------------------- */
/* Commands (§4) */

static unsigned int tg_shift(unsigned int tg)
{
	return tg == 1 ? 12 : tg == 2 ? 14 : 16;
}

static bool tg_supported(const struct ims_smmuv3 *s, unsigned int shift)
{
	return (shift == 12 && s->p.gran4k) || (shift == 14 && s->p.gran16k) ||
	       (shift == 16 && s->p.gran64k);
}

/*
 * The range of a TLBI_NH_VA/VAA/S2_IPA (§4.4.1.1): without RIL, or with
 * TG == 0, one address; otherwise (NUM + 1) * 2^SCALE granules from the address.
 * Return: 0, or CERROR_ILL for a TG naming an unimplemented granule.
 */
static int tlbi_range(const struct ims_smmuv3 *s, const uint64_t cmd[2], uint64_t addr,
		      uint64_t *size, unsigned int *ttl)
{
	unsigned int tg = (unsigned int)FIELD_GET(CMD_1_TG, cmd[1]);
	unsigned int scale, num, sh;

	*size = 1;
	*ttl = 0;
	if (!s->p.ril || !tg)
		return 0;
	sh = tg_shift(tg);
	if (!tg_supported(s, sh))
		return CMDQ_ERR_CERROR_ILL;
	num = (unsigned int)FIELD_GET(CMD_0_NUM, cmd[0]) + 1;
	scale = (unsigned int)FIELD_GET(CMD_0_SCALE, cmd[0]);
	*ttl = (unsigned int)FIELD_GET(CMD_1_TTL, cmd[1]);
	if (scale + sh >= 58)
		*size = UINT64_MAX - addr;
	else
		*size = (uint64_t)num << (scale + sh);
	(void)addr;
	return 0;
}

/* Sign-extend from bit 55: the canonical form IOTLB keys use (TBI ignores bits 63:56). */
static inline uint64_t canon_va(uint64_t va)
{
	return (uint64_t)((int64_t)(va << 8) >> 8);
}

static int cmd_sync(struct ims_smmuv3 *s, const uint64_t cmd[2])
{
	unsigned int cs = (unsigned int)FIELD_GET(CMD_0_CS, cmd[0]);
	uint64_t addr = cmd[1] & CMD_1_MSIADDR;

	if (cs == 3)
		return CMDQ_ERR_CERROR_ILL;
	smmu_inc(&s->syncs);
	if (cs != CMD_SYNC_CS_IRQ)
		return 0; /* SEV/NONE: completion is visible through CMDQ_CONS */
	if (s->p.msi && addr) {
		/* §4.7.3: MSIData written to MSIAddress on completion. */
		if (ims_mem_write32(s->mem, addr, (uint32_t)FIELD_GET(CMD_0_MSIDATA, cmd[0])))
			gerror_raise(s, GERROR_MSI_CMDQ_ABT_ERR);
		else
			smmu_inc(&s->msis);
	} else {
		s->pending_irq |= 1u << IMS_SMMUV3_IRQ_CMD_SYNC;
	}
	return 0;
}

static int cmd_exec(struct ims_smmuv3 *s, const uint64_t cmd[2])
{
	unsigned int op = (unsigned int)FIELD_GET(CMD_0_OP, cmd[0]);
	uint32_t sid = (uint32_t)FIELD_GET(CMD_0_SID, cmd[0]);
	uint32_t ssid = (uint32_t)FIELD_GET(CMD_0_SSID, cmd[0]);
	uint16_t vmid = (uint16_t)FIELD_GET(CMD_0_VMID, cmd[0]);
	uint16_t asid = (uint16_t)FIELD_GET(CMD_0_ASID, cmd[0]);
	struct ims_iotlb *tlb = s->iotlb;
	uint64_t size, addr;
	unsigned int ttl;
	int err;

	if (!s->p.vmid16)
		vmid &= 0xff;
	if (!s->p.s2p)
		vmid = 0;
	if (!s->p.asid16)
		asid &= 0xff;

	switch (op) {
	case CMDQ_OP_PREFETCH_CONFIG:
		smmu_prefetch_config(s, sid, !!(cmd[0] & CMD_0_SSV), ssid);
		return 0;
	case CMDQ_OP_PREFETCH_ADDR:
		return 0; /* a hint: nothing is prefetched into the IOTLB */
	case CMDQ_OP_CFGI_STE:
		/* §4.3.1: the STE and every CD cached through it. */
		cfgc_inv(&s->cfgc, CFGC_KEY_STE | CFGC_KEY_CD, sid, sid, true, 0);
		return 0;
	case CMDQ_OP_CFGI_STE_RANGE: {
		unsigned int range = (unsigned int)FIELD_GET(CMD_1_RANGE, cmd[1]);
		uint64_t span = 2ULL << range;
		uint64_t lo = range == 31 ? 0 : (sid & ~(span - 1));

		cfgc_inv(&s->cfgc, CFGC_KEY_STE | CFGC_KEY_CD, lo,
			 range == 31 ? UINT32_MAX : lo + span - 1, true, 0);
		return 0;
	}
	case CMDQ_OP_CFGI_CD:
		if (!s->p.s1p)
			return CMDQ_ERR_CERROR_ILL;
		cfgc_inv(&s->cfgc, CFGC_KEY_CD, sid, sid, false, ssid);
		return 0;
	case CMDQ_OP_CFGI_CD_ALL:
		if (!s->p.s1p)
			return CMDQ_ERR_CERROR_ILL;
		cfgc_inv(&s->cfgc, CFGC_KEY_CD, sid, sid, true, 0);
		return 0;
	case CMDQ_OP_TLBI_NH_ALL:
		if (!s->p.s1p)
			return CMDQ_ERR_CERROR_ILL;
		if (tlb)
			ims_iotlb_inv_vmid(tlb, IMS_IOTLB_ANY_CTX, vmid);
		return 0;
	case CMDQ_OP_TLBI_NH_ASID:
		if (!s->p.s1p)
			return CMDQ_ERR_CERROR_ILL;
		if (tlb)
			ims_iotlb_inv_asid(tlb, IMS_IOTLB_ANY_CTX, vmid, asid);
		return 0;
	case CMDQ_OP_TLBI_NH_VA:
	case CMDQ_OP_TLBI_NH_VAA:
		if (!s->p.s1p)
			return CMDQ_ERR_CERROR_ILL;
		addr = canon_va(cmd[1] & CMD_1_VA);
		err = tlbi_range(s, cmd, addr, &size, &ttl);
		if (err)
			return err;
		if (tlb)
			ims_iotlb_inv_va(tlb, IMS_IOTLB_ANY_CTX, vmid, asid,
					 op == CMDQ_OP_TLBI_NH_VAA, addr, size,
					 !!(cmd[1] & CMD_1_LEAF), ttl);
		return 0;
	case CMDQ_OP_TLBI_S12_VMALL:
		if (!s->p.s2p)
			return CMDQ_ERR_CERROR_ILL;
		if (tlb)
			ims_iotlb_inv_vmid(tlb, IMS_IOTLB_ANY_CTX, vmid);
		return 0;
	case CMDQ_OP_TLBI_S2_IPA:
		if (!s->p.s2p)
			return CMDQ_ERR_CERROR_ILL;
		addr = cmd[1] & CMD_1_IPA;
		err = tlbi_range(s, cmd, addr, &size, &ttl);
		if (err)
			return err;
		if (tlb)
			ims_iotlb_inv_ipa(tlb, IMS_IOTLB_ANY_CTX, vmid, addr, size);
		return 0;
	case CMDQ_OP_TLBI_NSNH_ALL:
		if (tlb)
			ims_iotlb_inv_all(tlb, IMS_IOTLB_ANY_CTX);
		return 0;
	case CMDQ_OP_TLBI_EL2_ALL:
	case CMDQ_OP_TLBI_EL2_ALL + 1: /* TLBI_EL2_ASID */
	case CMDQ_OP_TLBI_EL2_ALL + 2: /* TLBI_EL2_VA */
	case CMDQ_OP_TLBI_EL2_ALL + 3: /* TLBI_EL2_VAA */
		/* §4.4.3: CERROR_ILL without EL2; EL2 regimes are not modelled. */
		if (!s->p.hyp)
			return CMDQ_ERR_CERROR_ILL;
		return 0;
	case CMDQ_OP_RESUME:
	case CMDQ_OP_STALL_TERM:
		/* Stalled transactions complete synchronously (terminated). */
		return s->p.stall_model == 1 ? CMDQ_ERR_CERROR_ILL : 0;
	case CMDQ_OP_CMD_SYNC:
		return cmd_sync(s, cmd);
	case CMDQ_OP_ATC_INV:  /* ATS is not implemented */
	case CMDQ_OP_PRI_RESP: /* PRI is not implemented */
	default:
		return CMDQ_ERR_CERROR_ILL;
	}
}

/* Consume commands from CONS up to PROD (§3.5, §4); stop at the first error. */
static void cmdq_process(struct ims_smmuv3 *s)
{
	struct smmu_queue *q = &s->cmdq;
	unsigned int log2;
	uint32_t mask;
	uint64_t base;

	if (!(s->cr0 & CR0_CMDQEN) || ((s->gerror ^ s->gerrorn) & GERROR_CMDQ_ERR))
		return;
	log2 = q_log2(q, s->p.cmdqs);
	mask = (2u << log2) - 1;
	base = q_base(q, log2, CMDQ_ENT_SIZE);
	/* At most one pass over the queue: CONS only moves towards PROD. */
	for (uint64_t n = 0; n <= (1ULL << log2); n++) {
		uint32_t cons = q->cons & mask, prod = q->prod & mask;
		uint8_t buf[CMDQ_ENT_SIZE];
		uint64_t cmd[2];
		int err;

		if (cons == prod)
			break;
		if (ims_mem_read(s->mem,
				 base + (uint64_t)(cons & ((1u << log2) - 1)) * CMDQ_ENT_SIZE, buf,
				 sizeof(buf))) {
			err = CMDQ_ERR_CERROR_ABT;
		} else {
			cmd[0] = ims_ld_le64(buf);
			cmd[1] = ims_ld_le64(buf + 8);
			err = cmd_exec(s, cmd);
			smmu_utlb_invalidate(s); /* after the command's own invalidation */
		}
		if (err) {
			/* §4.5: CONS stays on the failing command; ERR says why. */
			q->cons = (q->cons & ~CMDQ_CONS_ERR) | FIELD_PREP(CMDQ_CONS_ERR, err);
			smmu_inc(&s->cmd_errors);
			ims_warn(s->log, "arm-smmu-v3: command 0x%02x at CONS 0x%x: error %d",
				 (unsigned int)(buf[0]), cons, err);
			gerror_raise(s, GERROR_CMDQ_ERR);
			return;
		}
		q->cons = (q->cons & CMDQ_CONS_ERR) | ((cons + 1) & mask);
		smmu_inc(&s->commands);
	}
}

/* ---------------------------------------------------------------------- */
/* MMIO (§6) */

static uint64_t *reg64(struct ims_smmuv3 *s, uint64_t off)
{
	switch (off) {
	case SMMU_GERROR_IRQ_CFG0:
		return &s->gerror_irq_cfg0;
	case SMMU_STRTAB_BASE:
		return &s->strtab_base;
	case SMMU_CMDQ_BASE:
		return &s->cmdq.base;
	case SMMU_EVENTQ_BASE:
		return &s->evtq.base;
	case SMMU_EVENTQ_IRQ_CFG0:
		return &s->eventq_irq_cfg0;
	default:
		return NULL;
	}
}

static int read32(struct ims_smmuv3 *s, uint64_t off, uint32_t *v)
{
	switch (off) {
	case SMMU_IDR0:
	case SMMU_IDR1:
	case SMMU_IDR2:
	case SMMU_IDR3:
	case SMMU_IDR4:
	case SMMU_IDR5:
		*v = s->idr[off / 4];
		return 0;
	case SMMU_IIDR:
		*v = s->p.iidr;
		return 0;
	case SMMU_AIDR:
		*v = s->p.aidr;
		return 0;
	case SMMU_CR0:
	case SMMU_CR0ACK: /* updates complete at once */
		*v = s->cr0;
		return 0;
	case SMMU_CR1:
		*v = s->cr1;
		return 0;
	case SMMU_CR2:
		*v = s->cr2;
		return 0;
	case SMMU_GBPA:
		*v = s->gbpa; /* Update reads 0: every update completes at once */
		return 0;
	case SMMU_IRQ_CTRL:
	case SMMU_IRQ_CTRLACK:
		*v = s->irq_ctrl;
		return 0;
	case SMMU_GERROR:
		*v = s->gerror;
		return 0;
	case SMMU_GERRORN:
		*v = s->gerrorn;
		return 0;
	case SMMU_GERROR_IRQ_CFG1:
		*v = s->gerror_irq_cfg1;
		return 0;
	case SMMU_GERROR_IRQ_CFG2:
		*v = s->gerror_irq_cfg2;
		return 0;
	case SMMU_STRTAB_BASE_CFG:
		*v = s->strtab_base_cfg;
		return 0;
	case SMMU_CMDQ_PROD:
		*v = s->cmdq.prod;
		return 0;
	case SMMU_CMDQ_CONS:
		*v = s->cmdq.cons;
		return 0;
	case SMMU_EVENTQ_PROD:
	case SMMU_EVENTQ_PROD_P1:
		*v = s->evtq.prod;
		return 0;
	case SMMU_EVENTQ_CONS:
	case SMMU_EVENTQ_CONS_P1:
		*v = s->evtq.cons;
		return 0;
	case SMMU_EVENTQ_IRQ_CFG1:
		*v = s->eventq_irq_cfg1;
		return 0;
	case SMMU_EVENTQ_IRQ_CFG2:
		*v = s->eventq_irq_cfg2;
		return 0;
	default:
		*v = 0; /* unimplemented and reserved registers are RAZ/WI */
		return 0;
	}
}

/* Whether the 64-bit register at @off may be written now (§6.3: "RO when enabled"). */
static bool reg64_writable(struct ims_smmuv3 *s, uint64_t off)
{
	switch (off) {
	case SMMU_GERROR_IRQ_CFG0:
		return s->p.msi && !(s->irq_ctrl & IRQ_CTRL_GERROR_IRQEN);
	case SMMU_EVENTQ_IRQ_CFG0:
		return s->p.msi && !(s->irq_ctrl & IRQ_CTRL_EVENTQ_IRQEN);
	case SMMU_STRTAB_BASE:
		return !(s->cr0 & CR0_SMMUEN);
	case SMMU_CMDQ_BASE:
		return !(s->cr0 & CR0_CMDQEN);
	case SMMU_EVENTQ_BASE:
		return !(s->cr0 & CR0_EVENTQEN);
	default:
		return false;
	}
}

static uint64_t reg64_mask(uint64_t off)
{
	switch (off) {
	case SMMU_GERROR_IRQ_CFG0:
	case SMMU_EVENTQ_IRQ_CFG0:
		return IRQ_CFG0_ADDR;
	case SMMU_STRTAB_BASE:
		return STRTAB_BASE_RA | STRTAB_BASE_ADDR;
	default:
		return Q_BASE_ALLOC | Q_BASE_ADDR | Q_BASE_LOG2SIZE;
	}
}

static void write64(struct ims_smmuv3 *s, uint64_t off, uint64_t v)
{
	uint64_t *r = reg64(s, off);

	if (!reg64_writable(s, off)) {
		/* Without MSI support the IRQ_CFG0 registers are RES0: writes are ignored silently. */
		if (s->p.msi || (off != SMMU_GERROR_IRQ_CFG0 && off != SMMU_EVENTQ_IRQ_CFG0))
			ims_dbg(s->log, "arm-smmu-v3: write to 0x%llx ignored (read-only now)",
				(unsigned long long)off);
		return;
	}
	__atomic_store_n(r, v & reg64_mask(off), __ATOMIC_RELAXED);
}

static void write_cr0(struct ims_smmuv3 *s, uint32_t v)
{
	uint32_t old = s->cr0;

	/* PRIQEN and ATSCHK are RES0: no PRI, no ATS.  VMW is not implemented. */
	v &= CR0_SMMUEN | CR0_EVENTQEN | CR0_CMDQEN;
	__atomic_store_n(&s->cr0, v, __ATOMIC_RELEASE);
	if ((v & CR0_CMDQEN) && !(old & CR0_CMDQEN))
		cmdq_process(s);
}

static void write32(struct ims_smmuv3 *s, uint64_t off, uint32_t v)
{
	uint32_t mask;

	switch (off) {
	case SMMU_CR0:
		write_cr0(s, v);
		return;
	case SMMU_CR1:
		if (!(s->cr0 & (CR0_SMMUEN | CR0_CMDQEN | CR0_EVENTQEN)))
			s->cr1 = v & CR1_MASK;
		return;
	case SMMU_CR2:
		if (!(s->cr0 & CR0_SMMUEN))
			__atomic_store_n(&s->cr2,
					 v & (CR2_RECINVSID | CR2_PTM | (s->p.hyp ? CR2_E2H : 0)),
					 __ATOMIC_RELAXED);
		return;
	case SMMU_GBPA:
		/* §6.3.14: a write takes effect only with Update set; it completes at once. */
		if (v & GBPA_UPDATE)
			__atomic_store_n(&s->gbpa, v & GBPA_FIELDS, __ATOMIC_RELAXED);
		return;
	case SMMU_IRQ_CTRL:
		s->irq_ctrl = v & (IRQ_CTRL_GERROR_IRQEN | IRQ_CTRL_EVENTQ_IRQEN);
		return;
	case SMMU_GERRORN: {
		bool was = (s->gerror ^ s->gerrorn) & GERROR_CMDQ_ERR;

		s->gerrorn = v & GERROR_MASK;
		/* §4.5: the acknowledged queue resumes at CONS. */
		if (was && !((s->gerror ^ s->gerrorn) & GERROR_CMDQ_ERR))
			cmdq_process(s);
		return;
	}
	case SMMU_GERROR_IRQ_CFG1:
		if (reg64_writable(s, SMMU_GERROR_IRQ_CFG0))
			s->gerror_irq_cfg1 = v;
		return;
	case SMMU_GERROR_IRQ_CFG2:
		if (reg64_writable(s, SMMU_GERROR_IRQ_CFG0))
			s->gerror_irq_cfg2 = v & IRQ_CFG2_MASK;
		return;
	case SMMU_EVENTQ_IRQ_CFG1:
		if (reg64_writable(s, SMMU_EVENTQ_IRQ_CFG0))
			s->eventq_irq_cfg1 = v;
		return;
	case SMMU_EVENTQ_IRQ_CFG2:
		if (reg64_writable(s, SMMU_EVENTQ_IRQ_CFG0))
			s->eventq_irq_cfg2 = v & IRQ_CFG2_MASK;
		return;
	case SMMU_STRTAB_BASE_CFG:
		if (!(s->cr0 & CR0_SMMUEN))
			__atomic_store_n(&s->strtab_base_cfg,
					 v & (STRTAB_BASE_CFG_LOG2SIZE | STRTAB_BASE_CFG_SPLIT |
					      STRTAB_BASE_CFG_FMT),
					 __ATOMIC_RELAXED);
		return;
	case SMMU_CMDQ_PROD:
		s->cmdq.prod = v & Q_IDX_WRAP_MASK;
		cmdq_process(s);
		return;
	case SMMU_CMDQ_CONS:
		if (!(s->cr0 & CR0_CMDQEN))
			s->cmdq.cons = v & Q_IDX_WRAP_MASK;
		return;
	case SMMU_EVENTQ_PROD:
	case SMMU_EVENTQ_PROD_P1:
		if (!(s->cr0 & CR0_EVENTQEN))
			s->evtq.prod = v & (Q_IDX_WRAP_MASK | Q_OVF);
		return;
	case SMMU_EVENTQ_CONS:
	case SMMU_EVENTQ_CONS_P1:
		mask = Q_IDX_WRAP_MASK | Q_OVF;
		s->evtq.cons = v & mask;
		return;
	default:
		return; /* IDRs, ACKs, GERROR and reserved space: RO / WI */
	}
}

static int mmio_read(void *opaque, uint64_t off, unsigned int size, uint64_t *val)
{
	struct ims_smmuv3 *s = opaque;
	uint64_t *r;
	uint32_t v;
	int ret = 0;

	pthread_mutex_lock(&s->lock);
	r = reg64(s, off & ~7ULL);
	if (r && size == 8) {
		*val = *r;
	} else if (r) {
		*val = (uint32_t)(*r >> ((off & 4) * 8));
	} else if (size == 8) {
		/* §6.2: 64-bit accesses to 32-bit registers: we abort them. */
		ret = ims_error(-EINVAL, "smmuv3: 64-bit read of 32-bit register 0x%llx",
				(unsigned long long)off);
	} else {
		read32(s, off, &v);
		*val = v;
	}
	pthread_mutex_unlock(&s->lock);
	return ret;
}

static int mmio_write(void *opaque, uint64_t off, unsigned int size, uint64_t val)
{
	struct ims_smmuv3 *s = opaque;
	uint64_t *r;
	int ret = 0;

	pthread_mutex_lock(&s->lock);
	r = reg64(s, off & ~7ULL);
	if (r && size == 8) {
		write64(s, off, val);
	} else if (r) {
		unsigned int sh = (unsigned int)(off & 4) * 8;
		uint64_t nv = (*r & ~(0xffffffffULL << sh)) | ((val & 0xffffffffULL) << sh);

		write64(s, off & ~7ULL, nv);
	} else if (size == 8) {
		ret = ims_error(-EINVAL, "smmuv3: 64-bit write of 32-bit register 0x%llx",
				(unsigned long long)off);
	} else {
		write32(s, off, (uint32_t)val);
	}
	smmu_utlb_invalidate(s);
	pthread_mutex_unlock(&s->lock);
	smmu_fire_irqs(s);
	return ret;
}

void smmu_utlb_invalidate(struct ims_smmuv3 *s)
{
	uint32_t gen;

	if (!s->utlb)
		return;
	gen = atomic_load_explicit(&s->utlb_gen, memory_order_relaxed) + 1;
	if (!gen) {
		/* Wrapped: no entry may keep a generation that comes round again. */
		for (unsigned int i = 0; i < UTLB_ENTRIES; i++) {
			struct utlb_entry *e = &s->utlb[i];
			uint32_t sq;

			do {
				sq = atomic_load_explicit(&e->seq, memory_order_relaxed) & ~1u;
			} while (!atomic_compare_exchange_weak_explicit(
				&e->seq, &sq, sq + 1, memory_order_acquire, memory_order_relaxed));
			atomic_store_explicit(&e->key, 0, memory_order_release);
			atomic_store_explicit(&e->seq, sq + 2, memory_order_release);
		}
		gen = 1;
	}
	atomic_store_explicit(&s->utlb_gen, gen, memory_order_release);
}

static const struct ims_mmio_ops smmuv3_mmio_ops = {
	.read = mmio_read,
	.write = mmio_write,
};

/* ---------------------------------------------------------------------- */
/* Life cycle */

int ims_smmuv3_new(struct ims_smmuv3 **out, struct ims_mem *mem, uint64_t base,
		   const struct ims_smmuv3_params *params, const struct ims_log *log)
{
	struct ims_smmuv3 *s;
	int ret;

	if (!out || !mem)
		return ims_error(-EINVAL, "ims_smmuv3_new: NULL argument");
	*out = NULL;
	if (base & 0xffff)
		return ims_error(-EINVAL, "ims_smmuv3_new: base 0x%llx not 64K aligned",
				 (unsigned long long)base);
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	if (params)
		s->p = *params;
	else
		ims_smmuv3_params_default(&s->p);
	ret = params_check(&s->p);
	if (ret) {
		free(s);
		return ret;
	}
	s->mem = mem;
	s->mmio_base = base;
	s->log = log;
	s->tr.translate = smmu_translate;
	s->tr.opaque = s;
	s->gbpa = GBPA_SHCFG_INCOMING;
	build_idr(s);
	if (pthread_mutex_init(&s->lock, NULL)) {
		free(s);
		return -ENOMEM;
	}
	ret = cfgc_init(&s->cfgc, s->p.cfg_cache_entries);
	if (ret)
		goto err_lock;
	if (s->p.iotlb_sets) {
		ret = ims_iotlb_new(&s->iotlb, s->p.iotlb_sets, s->p.iotlb_ways);
		if (ret)
			goto err_cfgc;
		/* Generation 1; entries of generation 0 never hit. */
		s->utlb = calloc(UTLB_ENTRIES, sizeof(*s->utlb));
		atomic_init(&s->utlb_gen, 1);
		if (!s->utlb) {
			ret = -ENOMEM;
			goto err_tlb;
		}
	}
	ret = ims_mem_add_mmio(mem, base, IMS_SMMUV3_MMIO_SIZE, &smmuv3_mmio_ops, s);
	if (ret)
		goto err_tlb;
	*out = s;
	return 0;
err_tlb:
	free(s->utlb);
	ims_iotlb_free(s->iotlb);
err_cfgc:
	cfgc_destroy(&s->cfgc);
err_lock:
	pthread_mutex_destroy(&s->lock);
	free(s);
	return ret;
}

void ims_smmuv3_free(struct ims_smmuv3 *s)
{
	if (!s)
		return;
	ims_mem_remove_mmio(s->mem, s->mmio_base);
	if (s->iotlb)
		ims_iotlb_free(s->iotlb);
	free(s->utlb);
	cfgc_destroy(&s->cfgc);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

const struct ims_translator *ims_smmuv3_translator(struct ims_smmuv3 *s)
{
	return &s->tr;
}

int ims_smmuv3_translate(struct ims_smmuv3 *s, const struct ims_txn *txn,
			 struct ims_txn_result *res)
{
	return smmu_translate(s, txn, res);
}

void ims_smmuv3_get_stats(struct ims_smmuv3 *s, struct ims_smmuv3_stats *st)
{
	uint64_t utlb_hits = smmu_ld64(&s->utlb_hits), fast_walks = smmu_ld64(&s->fast_walks);

	memset(st, 0, sizeof(*st));
	if (s->iotlb)
		ims_iotlb_get_stats(s->iotlb, &st->iotlb);
	/* A micro-TLB hit is a translation that hit the config cache and the IOTLB. */
	st->iotlb.hits += utlb_hits;
	/* So is a fast walk without an IOTLB (translate_nocache()), less the IOTLB part. */
	st->cfg_hits = smmu_ld64(&s->cfgc.hits) + utlb_hits + fast_walks;
	st->cfg_misses = smmu_ld64(&s->cfgc.misses);
	st->cfg_evictions = smmu_ld64(&s->cfgc.evictions);
	st->cfg_invalidated = smmu_ld64(&s->cfgc.invalidated);
	st->translations = smmu_ld64(&s->translations) + utlb_hits + fast_walks;
	st->events = smmu_ld64(&s->events);
	st->events_lost = smmu_ld64(&s->events_lost);
	st->commands = smmu_ld64(&s->commands);
	st->cmd_errors = smmu_ld64(&s->cmd_errors);
	st->syncs = smmu_ld64(&s->syncs);
	st->msis = smmu_ld64(&s->msis);
}
