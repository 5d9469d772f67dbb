/* SPDX-License-Identifier: MIT */
/*
 * The MMU-500 (SMMU architecture v2) model: registers, stream matching,
 * context banks, fault recording and the IOTLB.
 *
 * References: Arm IHI 0062D.c (SMMU architecture v2), Arm DDI 0517 (MMU-500
 * TRM), and the Linux 6.12 arm-smmu driver for the programming it performs.
 *
 * Locking: every register access takes the register lock for writing, so
 * register writes are serialised; a transaction takes it for reading, so
 * transactions run in parallel.  Transactions that record a fault take the
 * fault lock as well, since they update FSR/sGFSR under the read lock.
 * Interrupt callbacks run with no model lock held, so that a handler may
 * read and write registers, as Linux's does.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hw/smmuv2/regs.h"
#include "util/compiler.h"
#include "util/log.h"
#include <iommusim/smmuv2.h>

/* One translation context bank: its page of registers plus its GR1 entries. */
struct smmuv2_cb {
	uint32_t regs[SMMU_CB_REGS_END / 4];
	uint32_t cbar;
	uint32_t cba2r;
	uint32_t cbfrsynra;
	bool stalled; /* a transaction awaits RESUME (set under fault_lock, read atomically) */
};

struct ims_smmuv2 {
	struct ims_smmuv2_params p;
	struct ims_mem *mem;
	const struct ims_log *log;
	struct ims_translator tr;
	struct ims_iotlb *tlb;
	uint64_t size;
	unsigned int pgshift;
	unsigned int numpage;
	uint32_t idr[8];
	bool mapped;		/* the MMIO region is ours to remove */
	uint32_t smr_id_mask;	/* implemented SMR.ID bits */
	uint32_t smr_mask_mask; /* implemented SMR.MASK bits (in place) */

	pthread_rwlock_t lock;
	pthread_mutex_t fault_lock;

	uint32_t scr0, scr2, sacr;
	uint64_t gfar;
	uint32_t gfsr, gfsynr0, gfsynr1, gfsynr2;
	uint32_t smr[IMS_SMMUV2_MAX_SMRG];
	/* Indices of the valid SMRs, ascending, rebuilt on every SMR write. */
	uint8_t valid_smr[IMS_SMMUV2_MAX_SMRG];
	unsigned int nr_valid_smr;
	uint32_t s2cr[IMS_SMMUV2_MAX_SMRG];
	struct smmuv2_cb *cb;

	uint64_t n_translations, n_bypassed, n_gfaults, n_cfaults, n_stalls, n_smc, n_resumes;
};

#define stat_inc(s, field) __atomic_fetch_add(&(s)->field, 1, __ATOMIC_RELAXED)

/* sIDR2.IAS/OAS/UBS encoding (IHI 0062 §9.6.4): 32, 36, 40, 42, 44, 48 bits. */
static const uint8_t size_enc[] = { 32, 36, 40, 42, 44, 48 };

static int size_to_enc(unsigned int bits)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(size_enc); i++)
		if (size_enc[i] == bits)
			return (int)i;
	return -1;
}

/* TCR2.PASIZE / VTCR.PS: encodings above 48 bits read as 48 (no LPA). */
static unsigned int enc_to_size(unsigned int enc)
{
	return enc < ARRAY_SIZE(size_enc) ? size_enc[enc] : 48;
}

IMS_EXPORT void ims_smmuv2_params_mmu500(struct ims_smmuv2_params *p)
{
	memset(p, 0, sizeof(*p));
	p->num_smrg = 48;
	p->num_cb = 16;
	p->num_s2cb = 0;
	p->num_irpt = 16;
	p->sid_bits = 15;
	p->s1ts = p->s2ts = p->nts = true;
	p->ias = p->oas = p->ubs = 48;
	p->ptfs_4k = p->ptfs_16k = p->ptfs_64k = true;
	p->pgsize_64k = false;
	p->vmid16 = true;
	p->cttw = true;
	p->major = 2;
	p->minor = 4;
	p->tlb_sets = 128;
	p->tlb_ways = 4;
}

static int check_params(const struct ims_smmuv2_params *p)
{
	if (p->num_smrg < 1 || p->num_smrg > IMS_SMMUV2_MAX_SMRG)
		return ims_error(-EINVAL, "ims_smmuv2_new: num_smrg %u out of range 1..%u",
				 p->num_smrg, IMS_SMMUV2_MAX_SMRG);
	if (p->num_cb < 1 || p->num_cb > IMS_SMMUV2_MAX_CB)
		return ims_error(-EINVAL, "ims_smmuv2_new: num_cb %u out of range 1..%u", p->num_cb,
				 IMS_SMMUV2_MAX_CB);
	if (p->num_s2cb > p->num_cb)
		return ims_error(-EINVAL, "ims_smmuv2_new: num_s2cb %u exceeds num_cb %u",
				 p->num_s2cb, p->num_cb);
	if (p->num_irpt > 255)
		return ims_error(-EINVAL, "ims_smmuv2_new: num_irpt %u out of range 0..255",
				 p->num_irpt);
	if (p->sid_bits < 1 || p->sid_bits > 15)
		return ims_error(-EINVAL, "ims_smmuv2_new: sid_bits %u out of range 1..15",
				 p->sid_bits);
	if (!p->s1ts && !p->s2ts)
		return ims_error(-EINVAL, "ims_smmuv2_new: neither stage 1 nor stage 2 supported");
	if (p->nts && !(p->s1ts && p->s2ts))
		return ims_error(-EINVAL, "ims_smmuv2_new: nested translation needs both stages");
	if (p->num_s2cb && !p->s2ts)
		return ims_error(-EINVAL, "ims_smmuv2_new: num_s2cb %u without stage 2 support",
				 p->num_s2cb);
	if (size_to_enc(p->ias) < 0 || size_to_enc(p->oas) < 0 || size_to_enc(p->ubs) < 0)
		return ims_error(-EINVAL, "ims_smmuv2_new: ias/oas/ubs %u/%u/%u not one of 32..48",
				 p->ias, p->oas, p->ubs);
	if (!p->ptfs_4k && !p->ptfs_16k && !p->ptfs_64k)
		return ims_error(-EINVAL, "ims_smmuv2_new: no translation granule supported");
	if (p->major > 15 || p->minor > 15)
		return ims_error(-EINVAL, "ims_smmuv2_new: revision r%up%u does not fit sIDR7",
				 p->major, p->minor);
	if (!ims_is_power_of_2(p->tlb_sets) || p->tlb_sets > 65536 || p->tlb_ways < 1 ||
	    p->tlb_ways > 64)
		return ims_error(-EINVAL, "ims_smmuv2_new: TLB geometry %u x %u invalid",
				 p->tlb_sets, p->tlb_ways);
	return 0;
}

static void build_idr(struct ims_smmuv2 *s, unsigned int numpagendxb)
{
	const struct ims_smmuv2_params *p = &s->p;

	/*
	 * sIDR0 (§9.6.2): stream matching, no EXIDS, no ATOS (ATOSNS = 1),
	 * and no AArch32 table formats (PTFS_NO_AARCH32/S) - not modelled.
	 */
	s->idr[0] = FIELD_PREP(ID0_NUMSMRG, p->num_smrg) | FIELD_PREP(ID0_NUMSIDB, p->sid_bits) |
		    FIELD_PREP(ID0_NUMIRPT, p->num_irpt) | ID0_SMS | ID0_ATOSNS |
		    ID0_PTFS_NO_AARCH32 | ID0_PTFS_NO_AARCH32S;
	if (p->cttw)
		s->idr[0] |= ID0_CTTW;
	if (p->s1ts)
		s->idr[0] |= ID0_S1TS;
	if (p->s2ts)
		s->idr[0] |= ID0_S2TS;
	if (p->nts)
		s->idr[0] |= ID0_NTS;
	/* sIDR1 (§9.6.3) */
	s->idr[1] = FIELD_PREP(ID1_NUMCB, p->num_cb) | FIELD_PREP(ID1_NUMS2CB, p->num_s2cb) |
		    FIELD_PREP(ID1_NUMPAGENDXB, numpagendxb);
	if (p->pgsize_64k)
		s->idr[1] |= ID1_PAGESIZE;
	/* sIDR2 (§9.6.4) */
	s->idr[2] = FIELD_PREP(ID2_IAS, size_to_enc(p->ias)) |
		    FIELD_PREP(ID2_OAS, size_to_enc(p->oas)) |
		    FIELD_PREP(ID2_UBS, size_to_enc(p->ubs));
	if (p->ptfs_4k)
		s->idr[2] |= ID2_PTFS_4K;
	if (p->ptfs_16k)
		s->idr[2] |= ID2_PTFS_16K;
	if (p->ptfs_64k)
		s->idr[2] |= ID2_PTFS_64K;
	if (p->vmid16)
		s->idr[2] |= ID2_VMID16;
	s->idr[7] = FIELD_PREP(ID7_MAJOR, p->major) | FIELD_PREP(ID7_MINOR, p->minor);
}

/* Reset values: MMU-500 TRM §3.3 - sCR0 CLIENTPD|SMCFCFG, SMRs invalid, S2CRs fault. */
static void smmuv2_reset(struct ims_smmuv2 *s)
{
	s->scr0 = sCR0_RESET;
	s->scr2 = 0;
	s->sacr = 0;
	s->gfar = 0;
	s->gfsr = s->gfsynr0 = s->gfsynr1 = s->gfsynr2 = 0;
	for (unsigned int i = 0; i < s->p.num_smrg; i++) {
		s->smr[i] = 0;
		s->s2cr[i] = S2CR_RESET;
	}
	memset(s->cb, 0, sizeof(*s->cb) * s->p.num_cb);
	s->nr_valid_smr = 0;
}

/* ------------------------------------------------------------------------ */
/* Effective identifiers */

static uint16_t cb_vmid(const struct ims_smmuv2 *s, const struct smmuv2_cb *cb)
{
	/* CBA2R.VMID16 is used when sCR0.VMID16EN is set (IHI 0062 §10.6.3). */
	if (s->p.vmid16 && (s->scr0 & sCR0_VMID16EN))
		return (uint16_t)FIELD_GET(CBA2R_VMID16, cb->cba2r);
	return (uint16_t)FIELD_GET(CBAR_VMID, cb->cbar);
}

static uint64_t cb_reg64(const struct smmuv2_cb *cb, unsigned int off)
{
	return cb->regs[off / 4] | ((uint64_t)cb->regs[off / 4 + 1] << 32);
}

static uint16_t cb_asid(const struct smmuv2_cb *cb)
{
	uint32_t tcr = cb->regs[SMMU_CB_TCR / 4];
	uint64_t ttbr = cb_reg64(cb, (tcr & TCR_A1) ? SMMU_CB_TTBR1 : SMMU_CB_TTBR0);
	uint16_t asid = (uint16_t)FIELD_GET(TTBR_ASID, ttbr);

	/* TCR2.AS selects 16-bit ASIDs; otherwise only ASID[7:0] exists. */
	return (cb->regs[SMMU_CB_TCR2 / 4] & TCR2_AS) ? asid : (asid & 0xff);
}

/* ------------------------------------------------------------------------ */
/* TLB maintenance (IHI 0062 §14.6 SMMU_CBn_TLBI*, §9.6.17-19 global TLBI). */

/*
 * TLB entries are tagged with the context bank (ctx), VMID and ASID.  An
 * invalidation by VMID/ASID matches every bank with those identifiers, as
 * the architecture's TLB tagging implies: over-invalidation is always safe.
 */
static void cb_tlbi(struct ims_smmuv2 *s, unsigned int n, unsigned int off, uint64_t val, bool wide)
{
	struct smmuv2_cb *cb = &s->cb[n];
	uint16_t vmid = cb_vmid(s, cb);
	uint16_t asid_mask = (cb->regs[SMMU_CB_TCR2 / 4] & TCR2_AS) ? 0xffff : 0xff;
	uint64_t addr;
	uint16_t asid;
	bool leaf = false;

	if (FIELD_GET(CBAR_TYPE, cb->cbar) == CBAR_TYPE_S1_TRANS_S2_TRANS &&
	    FIELD_GET(CBAR_S2_CBNDX, cb->cbar) < s->p.num_cb)
		vmid = cb_vmid(s, &s->cb[FIELD_GET(CBAR_S2_CBNDX, cb->cbar)]);
	if (wide) {
		/* AArch64 format: VA[55:12] in [43:0], ASID in [63:48]. */
		addr = FIELD_GET(TLBI_VA_ADDR, val) << 12;
		asid = (uint16_t)FIELD_GET(TLBI_VA_ASID, val);
	} else {
		/* AArch32 format: VA[31:12] in [31:12], ASID in [7:0]. */
		addr = val & GENMASK_ULL(31, 12);
		asid = (uint16_t)(val & 0xff);
	}
	asid &= asid_mask;

	switch (off) {
	case SMMU_CB_TLBIVAL:
		leaf = true;
		/* fall through */
	case SMMU_CB_TLBIVA:
		ims_iotlb_inv_va(s->tlb, IMS_IOTLB_ANY_CTX, vmid, asid, false, addr, 1, leaf, 0);
		break;
	case SMMU_CB_TLBIVAAL:
		leaf = true;
		/* fall through */
	case SMMU_CB_TLBIVAA:
		ims_iotlb_inv_va(s->tlb, IMS_IOTLB_ANY_CTX, vmid, 0, true, addr, 1, leaf, 0);
		break;
	case SMMU_CB_TLBIASID:
		ims_iotlb_inv_asid(s->tlb, IMS_IOTLB_ANY_CTX, vmid, (uint16_t)(val & asid_mask));
		break;
	case SMMU_CB_TLBIALL:
		/* Every entry of this bank's VMID (stage-1 context: "all for the VMID"). */
		ims_iotlb_inv_vmid(s->tlb, IMS_IOTLB_ANY_CTX, vmid);
		break;
	case SMMU_CB_TLBIIPAS2:
	case SMMU_CB_TLBIIPAS2L:
		/* IPA[47:12] in [35:0] (both widths). */
		ims_iotlb_inv_ipa(s->tlb, IMS_IOTLB_ANY_CTX, cb_vmid(s, cb),
				  FIELD_GET(TLBI_IPA_ADDR, val) << 12, 1);
		break;
	default:
		break;
	}
}

/* ------------------------------------------------------------------------ */
/* Register access */

static bool cb_reg_is_storage(unsigned int off)
{
	switch (off) {
	case SMMU_CB_SCTLR:
	case SMMU_CB_ACTLR:
	case SMMU_CB_TCR2:
	case SMMU_CB_TTBR0:
	case SMMU_CB_TTBR0 + 4:
	case SMMU_CB_TTBR1:
	case SMMU_CB_TTBR1 + 4:
	case SMMU_CB_TCR:
	case SMMU_CB_CONTEXTIDR:
	case SMMU_CB_MAIR0:
	case SMMU_CB_MAIR1:
	case SMMU_CB_PAR:
	case SMMU_CB_PAR + 4:
	case SMMU_CB_FSR:
	case SMMU_CB_FAR:
	case SMMU_CB_FAR + 4:
	case SMMU_CB_FSYNR0:
	case SMMU_CB_FSYNR1:
	case SMMU_CB_IPAFAR:
	case SMMU_CB_IPAFAR + 4:
		return true;
	default:
		return false;
	}
}

static uint32_t gr0_read(struct ims_smmuv2 *s, unsigned int off)
{
	switch (off) {
	case SMMU_GR0_sCR0:
		return s->scr0;
	case SMMU_GR0_sCR2:
		return s->scr2;
	case SMMU_GR0_sACR:
		return s->sacr;
	case SMMU_GR0_ID0:
	case SMMU_GR0_ID0 + 4:
	case SMMU_GR0_ID0 + 8:
	case SMMU_GR0_ID0 + 12:
	case SMMU_GR0_ID0 + 16:
	case SMMU_GR0_ID0 + 20:
	case SMMU_GR0_ID0 + 24:
	case SMMU_GR0_ID7:
		return s->idr[(off - SMMU_GR0_ID0) / 4];
	case SMMU_GR0_sGFAR:
		return (uint32_t)s->gfar;
	case SMMU_GR0_sGFAR + 4:
		return (uint32_t)(s->gfar >> 32);
	case SMMU_GR0_sGFSR:
		return s->gfsr;
	case SMMU_GR0_sGFSYNR0:
		return s->gfsynr0;
	case SMMU_GR0_sGFSYNR1:
		return s->gfsynr1;
	case SMMU_GR0_sGFSYNR2:
		return s->gfsynr2;
	case SMMU_GR0_sTLBGSTATUS:
		return 0; /* invalidation completes at once: GSACTIVE reads 0 */
	default:
		break;
	}
	if (off >= SMMU_GR0_SMR(0) && off < SMMU_GR0_SMR_END) {
		unsigned int n = (off - SMMU_GR0_SMR(0)) / 4;

		return n < s->p.num_smrg ? s->smr[n] : 0;
	}
	if (off >= SMMU_GR0_S2CR(0) && off < SMMU_GR0_S2CR_END) {
		unsigned int n = (off - SMMU_GR0_S2CR(0)) / 4;

		return n < s->p.num_smrg ? s->s2cr[n] : 0;
	}
	return 0; /* unimplemented and Secure-only registers: RAZ/WI */
}

static void rebuild_valid_smrs(struct ims_smmuv2 *s)
{
	s->nr_valid_smr = 0;
	for (unsigned int i = 0; i < s->p.num_smrg; i++)
		if (s->smr[i] & SMR_VALID)
			s->valid_smr[s->nr_valid_smr++] = (uint8_t)i;
}

static void gr0_write(struct ims_smmuv2 *s, unsigned int off, uint32_t val)
{
	uint32_t mask;

	switch (off) {
	case SMMU_GR0_sCR0:
		/* No EXIDS: EXIDENABLE is RAZ/WI; VMID16EN only with sIDR2.VMID16. */
		mask = (uint32_t) ~(sCR0_EXIDENABLE | BIT(30));
		if (!s->p.vmid16)
			mask &= (uint32_t)~sCR0_VMID16EN;
		s->scr0 = val & mask;
		return;
	case SMMU_GR0_sCR2:
		s->scr2 = val;
		return;
	case SMMU_GR0_sACR:
		/* MMU-500 IMPLEMENTATION DEFINED (CACHE_LOCK, S2CRB_TLBEN, ...): stored. */
		s->sacr = val;
		return;
	case SMMU_GR0_sGFAR:
		s->gfar = (s->gfar & GENMASK_ULL(63, 32)) | val;
		return;
	case SMMU_GR0_sGFAR + 4:
		s->gfar = (s->gfar & GENMASK_ULL(31, 0)) | ((uint64_t)val << 32);
		return;
	case SMMU_GR0_sGFSR:
		s->gfsr &= ~(val & sGFSR_FAULTS); /* write one to clear */
		return;
	case SMMU_GR0_sGFSRRESTORE:
		s->gfsr = val & sGFSR_FAULTS;
		return;
	case SMMU_GR0_sGFSYNR0:
		s->gfsynr0 = val & GENMASK(5, 0);
		return;
	case SMMU_GR0_sGFSYNR1:
		s->gfsynr1 = val;
		return;
	case SMMU_GR0_sGFSYNR2:
		s->gfsynr2 = val;
		return;
	case SMMU_GR0_TLBIVMID:
	case SMMU_GR0_TLBIVMIDS1: {
		uint16_t vmid = (uint16_t)FIELD_GET(TLBIVMID_VMID, val);

		if (!(s->p.vmid16 && (s->scr0 & sCR0_VMID16EN)))
			vmid &= 0xff;
		ims_iotlb_inv_vmid(s->tlb, IMS_IOTLB_ANY_CTX, vmid);
		return;
	}
	case SMMU_GR0_TLBIALLNSNH:
		ims_iotlb_inv_all(s->tlb, IMS_IOTLB_ANY_CTX);
		return;
	case SMMU_GR0_TLBIALLH:	 /* no hypervisor contexts are modelled */
	case SMMU_GR0_TLBIVAH:	 /* likewise */
	case SMMU_GR0_sTLBGSYNC: /* completes at once */
	default:
		break;
	}
	if (off >= SMMU_GR0_SMR(0) && off < SMMU_GR0_SMR_END) {
		unsigned int n = (off - SMMU_GR0_SMR(0)) / 4;

		/* Unimplemented ID/MASK bits are RAZ/WI (Linux probes them). */
		if (n < s->p.num_smrg) {
			s->smr[n] = val & (SMR_VALID | s->smr_mask_mask | s->smr_id_mask);
			rebuild_valid_smrs(s);
		}
		return;
	}
	if (off >= SMMU_GR0_S2CR(0) && off < SMMU_GR0_S2CR_END) {
		unsigned int n = (off - SMMU_GR0_S2CR(0)) / 4;

		/* No EXIDS: EXIDVALID is RAZ/WI; bits [31:30] are reserved. */
		if (n < s->p.num_smrg)
			s->s2cr[n] = val & GENMASK(29, 0) & ~S2CR_EXIDVALID;
		return;
	}
}

static uint32_t gr1_read(struct ims_smmuv2 *s, unsigned int off)
{
	unsigned int n = (off & 0x3ff) / 4;

	if (n >= s->p.num_cb || off >= 0xc00)
		return 0;
	if (off < 0x400)
		return s->cb[n].cbar;
	if (off < 0x800)
		return s->cb[n].cbfrsynra;
	return s->cb[n].cba2r;
}

static void gr1_write(struct ims_smmuv2 *s, unsigned int off, uint32_t val)
{
	unsigned int n = (off & 0x3ff) / 4;

	if (n >= s->p.num_cb || off >= 0xc00)
		return;
	if (off < 0x400) {
		/* Banks below NUMS2CB support stage 2 only: TYPE stays S2 there. */
		if (n < s->p.num_s2cb)
			val &= ~CBAR_TYPE;
		s->cb[n].cbar = val;
	} else if (off < 0x800) {
		s->cb[n].cbfrsynra = val & CBFRSYNRA_SID;
	} else {
		s->cb[n].cba2r = val & (CBA2R_VA64 | (s->p.vmid16 ? CBA2R_VMID16 : 0));
	}
}

static uint32_t cb_read(struct ims_smmuv2 *s, unsigned int n, unsigned int off)
{
	if (off < SMMU_CB_REGS_END && cb_reg_is_storage(off))
		return s->cb[n].regs[off / 4];
	return 0; /* RESUME, TLBI, TLBSYNC are write-only; TLBSTATUS.SACTIVE reads 0 */
}

/* FSR.FORMAT describes the recorded fault: it goes when the last fault bit does. */
static void fsr_tidy(struct smmuv2_cb *cb)
{
	if (!(cb->regs[SMMU_CB_FSR / 4] & (uint32_t)(FSR_FAULT & ~FSR_SS)))
		cb->regs[SMMU_CB_FSR / 4] &= ~FSR_FORMAT;
}

static void cb_resume(struct ims_smmuv2 *s, unsigned int n, uint32_t val)
{
	struct smmuv2_cb *cb = &s->cb[n];

	/* IHI 0062 §14.6 SMMU_CBn_RESUME: retry (0) or terminate (1) the stall. */
	if (!cb->stalled)
		return;
	__atomic_store_n(&cb->stalled, false, __ATOMIC_RELEASE);
	cb->regs[SMMU_CB_FSR / 4] &= ~FSR_SS;
	fsr_tidy(cb);
	stat_inc(s, n_resumes);
	ims_dbg(s->log, "arm-smmu: cb%u: stalled transaction %s", n,
		(val & RESUME_TERMINATE) ? "terminated" : "retried");
}

static void cb_write(struct ims_smmuv2 *s, unsigned int n, unsigned int off, uint64_t val,
		     bool wide)
{
	struct smmuv2_cb *cb = &s->cb[n];

	if (off >= SMMU_CB_TLBIVA && off <= SMMU_CB_TLBIIPAS2L && !(off & 7)) {
		cb_tlbi(s, n, off, val, wide);
		return;
	}
	switch (off) {
	case SMMU_CB_FSR:
		/* Write one to clear; SS clears only through RESUME. */
		cb->regs[off / 4] &= ~((uint32_t)val & (uint32_t)(FSR_FAULT & ~FSR_SS));
		fsr_tidy(cb);
		return;
	case SMMU_CB_FSRRESTORE:
		cb->regs[SMMU_CB_FSR / 4] = (uint32_t)val & (FSR_FAULT | FSR_FORMAT);
		return;
	case SMMU_CB_RESUME:
		cb_resume(s, n, (uint32_t)val);
		return;
	case SMMU_CB_TLBSYNC: /* completes at once */
		return;
	default:
		break;
	}
	if (off < SMMU_CB_REGS_END && cb_reg_is_storage(off))
		cb->regs[off / 4] = (uint32_t)val;
}

/* One 32-bit register read at offset @off of the register space. */
static uint32_t reg_read32(struct ims_smmuv2 *s, uint64_t off)
{
	uint64_t page = off >> s->pgshift;
	unsigned int poff = (unsigned int)(off & ((1u << s->pgshift) - 1));

	if (poff >= 0x1000)
		return 0;
	if (page == 0)
		return gr0_read(s, poff);
	if (page == 1)
		return gr1_read(s, poff);
	if (page < s->numpage)
		return 0;
	if (page - s->numpage < s->p.num_cb)
		return cb_read(s, (unsigned int)(page - s->numpage), poff);
	return 0;
}

/* One register write; @wide marks a 64-bit (AArch64-format) TLBI write. */
static void reg_write(struct ims_smmuv2 *s, uint64_t off, uint64_t val, bool wide)
{
	uint64_t page = off >> s->pgshift;
	unsigned int poff = (unsigned int)(off & ((1u << s->pgshift) - 1));

	if (poff >= 0x1000)
		return;
	if (page == 0)
		gr0_write(s, poff, (uint32_t)val);
	else if (page == 1)
		gr1_write(s, poff, (uint32_t)val);
	else if (page >= s->numpage && page - s->numpage < s->p.num_cb)
		cb_write(s, (unsigned int)(page - s->numpage), poff, val, wide);
}

static int smmuv2_mmio_read(void *opaque, uint64_t off, unsigned int size, uint64_t *val)
{
	struct ims_smmuv2 *s = opaque;

	if (off >= s->size || (size != 4 && size != 8))
		return -EINVAL;
	pthread_rwlock_wrlock(&s->lock);
	*val = reg_read32(s, off);
	if (size == 8)
		*val |= (uint64_t)reg_read32(s, off + 4) << 32;
	pthread_rwlock_unlock(&s->lock);
	return 0;
}

static bool is_cb_tlbi(const struct ims_smmuv2 *s, uint64_t off)
{
	unsigned int poff = (unsigned int)(off & ((1u << s->pgshift) - 1));

	return (off >> s->pgshift) >= s->numpage && poff >= SMMU_CB_TLBIVA &&
	       poff <= SMMU_CB_TLBIIPAS2L;
}

static int smmuv2_mmio_write(void *opaque, uint64_t off, unsigned int size, uint64_t val)
{
	struct ims_smmuv2 *s = opaque;

	if (off >= s->size || (size != 4 && size != 8))
		return -EINVAL;
	pthread_rwlock_wrlock(&s->lock);
	if (size == 8 && is_cb_tlbi(s, off)) {
		reg_write(s, off, val, true);
	} else {
		reg_write(s, off, (uint32_t)val, false);
		if (size == 8)
			reg_write(s, off + 4, val >> 32, false);
	}
	pthread_rwlock_unlock(&s->lock);
	return 0;
}

static const struct ims_mmio_ops smmuv2_mmio_ops = {
	.read = smmuv2_mmio_read,
	.write = smmuv2_mmio_write,
};

/* ------------------------------------------------------------------------ */
/* Translation */

/* Per-transaction state: interrupts to raise once the locks are dropped. */
struct xlate {
	struct ims_smmuv2 *s;
	const struct ims_txn *txn;
	unsigned int access; /* after S2CR.PRIVCFG/INSTCFG */
	bool girq;
	int cbirq;
	int s2n; /* nested: the stage-2 bank under the stage-1 walk, else -1 */
};

/*
 * Record a global fault (IHI 0062 §3.7 "Global faults"): sGFSR, sGFAR,
 * sGFSYNR0-1.  A fault arriving while sGFSR holds one sets MULTI and leaves
 * the syndrome of the first.  sCR0.GFRE selects an abort response to the
 * client (IMS_TXN_FAULT) or RAZ/WI (IMS_TXN_ABORT); sCR0.GFIE the interrupt.
 */
static void global_fault(struct xlate *x, uint32_t bit, struct ims_txn_result *res)
{
	struct ims_smmuv2 *s = x->s;
	const struct ims_txn *txn = x->txn;

	pthread_mutex_lock(&s->fault_lock);
	if (s->gfsr & sGFSR_FAULTS) {
		s->gfsr |= sGFSR_MULTI;
	} else {
		s->gfsr = bit;
		s->gfar = txn->addr;
		s->gfsynr0 = ((x->access & IMS_VMSA_WRITE) ? sGFSYNR0_WNR : 0) |
			     ((x->access & IMS_VMSA_PRIV) ? sGFSYNR0_PNU : 0) |
			     ((x->access & IMS_VMSA_EXEC) ? sGFSYNR0_IND : 0);
		s->gfsynr1 = FIELD_PREP(sGFSYNR1_SID, txn->sid);
		s->gfsynr2 = 0;
	}
	if (s->scr0 & sCR0_GFIE)
		x->girq = true;
	res->status = (s->scr0 & sCR0_GFRE) ? IMS_TXN_FAULT : IMS_TXN_ABORT;
	pthread_mutex_unlock(&s->fault_lock);
	res->fault.fsr = bit;
	res->fault.cbndx = -1;
	stat_inc(s, n_gfaults);
}

static uint32_t vmsa_fault_to_fsr(enum ims_vmsa_fault_type t)
{
	switch (t) {
	case IMS_VMSA_F_ADDR_SIZE:
		return FSR_ASF;
	case IMS_VMSA_F_ACCESS:
		return FSR_AFF;
	case IMS_VMSA_F_PERMISSION:
		return FSR_PF;
	case IMS_VMSA_F_WALK_EABT:
		return FSR_EF;
	case IMS_VMSA_F_TRANSLATION:
	default:
		return FSR_TF;
	}
}

/*
 * Record a context fault in bank @n (IHI 0062 §3.8 "Context faults"): FSR,
 * FAR, FSYNR0 and the bank's CBFRSYNRA.  SCTLR.CFCFG stalls the transaction
 * until RESUME; otherwise SCTLR.CFRE selects an abort response (FAULT) or
 * RAZ/WI (ABORT).  SCTLR.CFIE raises the bank's context interrupt, or
 * sGFSR.UCIF when that interrupt is not implemented.
 */
static void context_fault(struct xlate *x, unsigned int n, const struct ims_vmsa_fault *vf,
			  uint64_t far, int s1cbndx, struct ims_txn_result *res)
{
	struct ims_smmuv2 *s = x->s;
	struct smmuv2_cb *cb = &s->cb[n];
	uint32_t sctlr = cb->regs[SMMU_CB_SCTLR / 4];
	uint32_t *fsr = &cb->regs[SMMU_CB_FSR / 4];
	uint32_t bit = vmsa_fault_to_fsr(vf->type);
	bool ucif = false;

	pthread_mutex_lock(&s->fault_lock);
	if (*fsr & FSR_FAULT) {
		*fsr |= FSR_MULTI;
	} else {
		uint32_t fsynr0 = FIELD_PREP(FSYNR0_PLVL, vf->level & 3);

		if (x->access & IMS_VMSA_WRITE)
			fsynr0 |= FSYNR0_WNR;
		if (x->access & IMS_VMSA_PRIV)
			fsynr0 |= FSYNR0_PNU;
		if (x->access & IMS_VMSA_EXEC)
			fsynr0 |= FSYNR0_IND;
		/* PTWF: the fault arose on a translation table walk (IHI 0062 §10.6.x
		 * FSYNR0), an external abort on a fetch or a stage-2 fault met by the
		 * stage-1 walk of a nested bank. */
		if (vf->type == IMS_VMSA_F_WALK_EABT || vf->s2)
			fsynr0 |= FSYNR0_PTWF;
		if (s1cbndx >= 0)
			fsynr0 |= FIELD_PREP(FSYNR0_S1CBNDX, s1cbndx);
		*fsr = bit |
		       FIELD_PREP(FSR_FORMAT, (cb->cba2r & CBA2R_VA64) ? FSR_FORMAT_AARCH64
								       : FSR_FORMAT_AARCH32_L);
		cb->regs[SMMU_CB_FAR / 4] = (uint32_t)far;
		cb->regs[SMMU_CB_FAR / 4 + 1] = (uint32_t)(far >> 32);
		cb->regs[SMMU_CB_FSYNR0 / 4] = fsynr0;
		cb->cbfrsynra = FIELD_PREP(CBFRSYNRA_SID, x->txn->sid);
	}
	if (sctlr & SCTLR_CFCFG) {
		if (!cb->stalled) {
			__atomic_store_n(&cb->stalled, true, __ATOMIC_RELEASE);
			*fsr |= FSR_SS;
		}
		res->status = IMS_TXN_STALL;
	} else {
		res->status = (sctlr & SCTLR_CFRE) ? IMS_TXN_FAULT : IMS_TXN_ABORT;
	}
	if (sctlr & SCTLR_CFIE) {
		/*
		 * SMMUv2 gives each context bank its own interrupt (Linux uses
		 * irptndx = cbndx and never programs CBAR.IRPTNDX on v2), so
		 * IRPTNDX is stored but not used.  A bank without an
		 * implemented interrupt (n >= NUMIRPT) records UCIF instead.
		 */
		if (n < s->p.num_irpt)
			x->cbirq = (int)n;
		else
			ucif = true;
	}
	pthread_mutex_unlock(&s->fault_lock);
	res->fault.fsr = bit;
	res->fault.cbndx = (int)n;
	res->fault.vmsa = *vf;
	stat_inc(s, n_cfaults);
	if (res->status == IMS_TXN_STALL)
		stat_inc(s, n_stalls);
	if (ucif) {
		struct ims_txn_result gres;

		memset(&gres, 0, sizeof(gres));
		global_fault(x, sGFSR_UCIF, &gres);
	}
}

static void simple_fault(struct xlate *x, unsigned int n, enum ims_vmsa_fault_type type,
			 uint64_t far, int s1cbndx, struct ims_txn_result *res)
{
	struct ims_vmsa_fault vf = { .type = type };

	context_fault(x, n, &vf, far, s1cbndx, res);
}

static int tg0_shift(unsigned int tg0)
{
	static const int8_t shift[] = { 12, 16, 14, -1 };

	return shift[tg0 & 3];
}

static int tg1_shift(unsigned int tg1)
{
	static const int8_t shift[] = { -1, 14, 12, 16 };

	return shift[tg1 & 3];
}

static bool granule_supported(const struct ims_smmuv2 *s, int shift)
{
	return (shift == 12 && s->p.ptfs_4k) || (shift == 14 && s->p.ptfs_16k) ||
	       (shift == 16 && s->p.ptfs_64k);
}

/*
 * The stage-1 regime of bank @cb for @va (IHI 0062 §2.5/§14.6: TCR is
 * TTBCR with EAE, TCR2 carries PASIZE/AS for AArch64).  Selects TTBR0 or
 * TTBR1 by the VA's top bits.  Returns false for a configuration that gives
 * a translation fault; *@ia is the address handed to the walker.
 */
static bool s1_cfg(const struct ims_smmuv2 *s, const struct smmuv2_cb *cb, bool nested, uint64_t va,
		   struct ims_vmsa_cfg *cfg, uint64_t *ia)
{
	uint32_t tcr = cb->regs[SMMU_CB_TCR / 4];
	uint32_t tcr2 = cb->regs[SMMU_CB_TCR2 / 4];
	unsigned int t0sz = FIELD_GET(TCR_T0SZ, tcr), t1sz = FIELD_GET(TCR_T1SZ, tcr);
	unsigned int ias, oas;
	int gs, level;
	uint64_t ttbr;

	if (!(cb->cba2r & CBA2R_VA64))
		return false; /* AArch32 formats are not modelled */
	memset(cfg, 0, sizeof(*cfg));
	if (t0sz >= 1 && (va >> (64 - t0sz)) == 0) {
		if (tcr & TCR_EPD0)
			return false;
		ias = 64 - t0sz;
		gs = tg0_shift(FIELD_GET(TCR_TG0, tcr));
		ttbr = cb_reg64(cb, SMMU_CB_TTBR0);
	} else if (t1sz >= 1 && (~va >> (64 - t1sz)) == 0) {
		if (tcr & TCR_EPD1)
			return false;
		ias = 64 - t1sz;
		gs = tg1_shift(FIELD_GET(TCR_TG1, tcr));
		ttbr = cb_reg64(cb, SMMU_CB_TTBR1);
	} else {
		return false;
	}
	/* A VA size beyond the upstream bus, or an unsupported granule: fault. */
	if (ias > s->p.ubs || gs < 0 || !granule_supported(s, gs))
		return false;
	level = ims_vmsa_s1_start_level((unsigned int)gs, ias);
	if (level < 0)
		return false;
	oas = enc_to_size(FIELD_GET(TCR2_PASIZE, tcr2));
	oas = IMS_MIN(oas, nested ? s->p.ias : s->p.oas);
	cfg->ttb = ttbr & TTBR_BADDR;
	cfg->granule_shift = (uint8_t)gs;
	cfg->ias = (uint8_t)ias;
	cfg->oas = (uint8_t)oas;
	cfg->start_level = (int8_t)level;
	cfg->concat = 1;
	cfg->affd = cb->regs[SMMU_CB_SCTLR / 4] & SCTLR_AFFD;
	*ia = va & DMA_BIT_MASK(ias);
	return true;
}

/* The stage-2 regime of bank @cb (TCR in its VTCR form, IHI 0062 §14.6). */
static bool s2_cfg(const struct ims_smmuv2 *s, const struct smmuv2_cb *cb, struct ims_vmsa_cfg *cfg)
{
	uint32_t tcr = cb->regs[SMMU_CB_TCR / 4];
	unsigned int t0sz = FIELD_GET(TCR_T0SZ, tcr), ias, oas, concat = 1;
	int gs = tg0_shift(FIELD_GET(TCR_TG0, tcr)), level;

	memset(cfg, 0, sizeof(*cfg));
	if (t0sz < 1 || gs < 0 || !granule_supported(s, gs))
		return false;
	ias = 64 - t0sz;
	if (ias > s->p.ias)
		return false;
	level = ims_vmsa_s2_start_level((unsigned int)gs, FIELD_GET(VTCR_SL0, tcr), ias, &concat);
	if (level < 0)
		return false;
	oas = IMS_MIN(enc_to_size(FIELD_GET(VTCR_PS, tcr)), s->p.oas);
	cfg->ttb = cb_reg64(cb, SMMU_CB_TTBR0) & TTBR_BADDR;
	cfg->granule_shift = (uint8_t)gs;
	cfg->ias = (uint8_t)ias;
	cfg->oas = (uint8_t)oas;
	cfg->start_level = (int8_t)level;
	cfg->concat = (uint8_t)concat;
	cfg->stage2 = true;
	cfg->affd = cb->regs[SMMU_CB_SCTLR / 4] & SCTLR_AFFD;
	return true;
}

/* SCTLR.WXN: a region writable at an exception level is not executable there. */
static uint8_t apply_wxn(uint32_t sctlr, uint8_t perm)
{
	if (!(sctlr & SCTLR_WXN))
		return perm;
	if (perm & IMS_VMSA_PERM_W_PRIV)
		perm &= (uint8_t)~IMS_VMSA_PERM_X_PRIV;
	if (perm & IMS_VMSA_PERM_W_USER)
		perm &= (uint8_t)~IMS_VMSA_PERM_X_USER;
	return perm;
}

/*
 * Walk one stage.  On a fault (walk or permission) record it in bank @n
 * with FAR @ia and return false.
 */
static bool walk_stage(struct xlate *x, unsigned int n, const struct ims_vmsa_cfg *cfg, uint64_t ia,
		       int s1cbndx, struct ims_vmsa_walk *w, struct ims_txn_result *res)
{
	struct ims_vmsa_fault vf;
	int ret;

	memset(&vf, 0, sizeof(vf));
	ret = ims_vmsa_walk(x->s->mem, cfg, ia, w, &vf);
	if (ret == -EINVAL) {
		vf.type = IMS_VMSA_F_TRANSLATION;
		vf.level = 0;
	}
	if (ret == -EFAULT && vf.s2 && x->s2n >= 0) {
		/*
		 * Nested: stage 2 refused a stage-1 table fetch.  The fault belongs to
		 * the stage-2 bank, with the descriptor's IPA as the faulting address.
		 */
		context_fault(x, (unsigned int)x->s2n, &vf, vf.ipa, (int)n, res);
		res->fault.ipa = vf.ipa;
		return false;
	}
	if (ret) {
		context_fault(x, n, &vf, ia, s1cbndx, res);
		return false;
	}
	if (!cfg->stage2)
		w->perm = apply_wxn(x->s->cb[n].regs[SMMU_CB_SCTLR / 4], w->perm);
	if (!ims_vmsa_permits(w->perm, x->access)) {
		vf.type = IMS_VMSA_F_PERMISSION;
		vf.level = w->level;
		vf.desc_pa = w->desc_pa;
		context_fault(x, n, &vf, ia, s1cbndx, res);
		return false;
	}
	return true;
}

/* Translate through context bank @c (IHI 0062 §2.5, CBAR.TYPE). */
static void cb_translate(struct xlate *x, unsigned int c, struct ims_txn_result *res)
{
	struct ims_smmuv2 *s = x->s;
	struct smmuv2_cb *cb = &s->cb[c];
	unsigned int type = FIELD_GET(CBAR_TYPE, cb->cbar);
	const struct ims_txn *txn = x->txn;
	int s1 = -1, s2 = -1;
	bool s2fault = false, s1_on, s2_on, stalled, hupcf;
	struct ims_vmsa_cfg cfg1, cfg2;
	struct ims_vmsa_walk w1, w2;
	struct ims_iotlb_entry e;
	uint16_t vmid, asid = 0;
	uint64_t ia, ipa, pa;

	switch (type) {
	case CBAR_TYPE_S2_TRANS:
		s2 = (int)c;
		if (!s->p.s2ts)
			goto bad_type;
		break;
	case CBAR_TYPE_S1_TRANS_S2_BYPASS:
	case CBAR_TYPE_S1_TRANS_S2_FAULT:
		s1 = (int)c;
		s2fault = type == CBAR_TYPE_S1_TRANS_S2_FAULT;
		if (!s->p.s1ts)
			goto bad_type;
		break;
	default: /* nested: stage 2 is the bank named by CBAR.CBNDX */
		s1 = (int)c;
		s2 = (int)FIELD_GET(CBAR_S2_CBNDX, cb->cbar);
		if (!s->p.nts)
			goto bad_type;
		if ((unsigned int)s2 >= s->p.num_cb) {
			global_fault(x, sGFSR_UCBF, res);
			return;
		}
		break;
	}

	s1_on = s1 >= 0 && (s->cb[s1].regs[SMMU_CB_SCTLR / 4] & SCTLR_M);
	s2_on = s2 >= 0 && (s->cb[s2].regs[SMMU_CB_SCTLR / 4] & SCTLR_M);
	if (!s1_on && !s2_on && !s2fault) {
		/* SCTLR.M = 0: translation disabled, the bank passes addresses through. */
		res->status = IMS_TXN_BYPASS;
		res->pa = txn->addr;
		res->perm = 0x3f;
		stat_inc(s, n_bypassed);
		return;
	}
	vmid = cb_vmid(s, s2 >= 0 ? &s->cb[s2] : cb);
	if (s1_on)
		asid = cb_asid(cb);

	stalled = __atomic_load_n(&cb->stalled, __ATOMIC_ACQUIRE);
	hupcf = cb->regs[SMMU_CB_SCTLR / 4] & SCTLR_HUPCF;
	if (stalled && !hupcf)
		goto stall;

	/* The TLB: only the TLBI registers remove entries (stale ones included). */
	if (ims_iotlb_lookup(s->tlb, c, vmid, asid, txn->addr, &e)) {
		uint64_t off = txn->addr & (BIT_ULL(e.leaf_shift) - 1);

		if (!ims_vmsa_permits(e.perm, x->access)) {
			struct ims_vmsa_fault vf = { .type = IMS_VMSA_F_PERMISSION,
						     .level = e.level };

			context_fault(x, c, &vf, txn->addr, -1, res);
			return;
		}
		res->status = IMS_TXN_OK;
		res->pa = e.oa + off;
		res->perm = e.perm;
		return;
	}
	if (stalled)
		goto stall; /* hit-under-fault only (HUPCF) */

	ipa = txn->addr;
	memset(&w1, 0, sizeof(w1));
	memset(&w2, 0, sizeof(w2));
	w1.perm = w2.perm = 0x3f;
	if (s1_on) {
		if (!s1_cfg(s, cb, s2 >= 0, txn->addr, &cfg1, &ia)) {
			simple_fault(x, c, IMS_VMSA_F_TRANSLATION, txn->addr, -1, res);
			return;
		}
		/* Nested: the stage-1 tables live at IPAs that stage 2 translates. */
		x->s2n = -1;
		if (s2_on) {
			if (!s2_cfg(s, &s->cb[s2], &cfg2)) {
				simple_fault(x, (unsigned int)s2, IMS_VMSA_F_TRANSLATION, cfg1.ttb,
					     (int)c, res);
				return;
			}
			cfg1.s2 = &cfg2;
			x->s2n = s2;
		}
		if (!walk_stage(x, c, &cfg1, ia, -1, &w1, res))
			return;
		ipa = w1.oa; /* the output address of ia itself */
	}
	if (s2fault) {
		/* CBAR.TYPE "stage 1 with stage 2 fault": reported as a translation fault. */
		simple_fault(x, c, IMS_VMSA_F_TRANSLATION, txn->addr, -1, res);
		return;
	}
	pa = ipa;
	if (s2_on) {
		int s1ndx = s1 >= 0 ? s1 : -1;

		if (!s2_cfg(s, &s->cb[s2], &cfg2)) {
			simple_fault(x, (unsigned int)s2, IMS_VMSA_F_TRANSLATION, ipa, s1ndx, res);
			res->fault.ipa = ipa;
			return;
		}
		if (!walk_stage(x, (unsigned int)s2, &cfg2, ipa, s1ndx, &w2, res)) {
			res->fault.ipa = ipa;
			return;
		}
		pa = w2.oa;
	}

	/* Cache the combined translation (the smaller leaf of the two stages). */
	memset(&e, 0, sizeof(e));
	e.ctx = c;
	e.vmid = vmid;
	e.asid = asid;
	if (s1_on && s2_on)
		e.leaf_shift = IMS_MIN(w1.leaf_shift, w2.leaf_shift);
	else
		e.leaf_shift = s1_on ? w1.leaf_shift : w2.leaf_shift;
	e.iova = txn->addr & ~(BIT_ULL(e.leaf_shift) - 1);
	e.ipa = ipa & ~(BIT_ULL(e.leaf_shift) - 1);
	e.oa = pa & ~(BIT_ULL(e.leaf_shift) - 1);
	e.granule_shift = s1_on ? cfg1.granule_shift : cfg2.granule_shift;
	e.level = s1_on ? w1.level : w2.level;
	e.perm = w1.perm & w2.perm;
	if (s1_on)
		e.flags |= IMS_IOTLB_S1 | (w1.ng ? 0 : IMS_IOTLB_GLOBAL);
	if (s2_on)
		e.flags |= IMS_IOTLB_S2;
	ims_iotlb_insert(s->tlb, &e);

	res->status = IMS_TXN_OK;
	res->pa = pa;
	res->perm = e.perm;
	return;

bad_type:
	/* A CBAR.TYPE the implementation does not support: a translation fault. */
	simple_fault(x, c, IMS_VMSA_F_TRANSLATION, txn->addr, -1, res);
	return;
stall:
	res->status = IMS_TXN_STALL;
	res->fault.cbndx = (int)c;
	stat_inc(s, n_stalls);
}

/* Stream matching (IHI 0062 §2.4): @idx gets the one matching SMR, or -1. */
static int stream_match(struct ims_smmuv2 *s, uint32_t sid, int *idx)
{
	int matches = 0;

	*idx = -1;
	for (unsigned int v = 0; v < s->nr_valid_smr; v++) {
		unsigned int i = s->valid_smr[v];
		uint32_t smr = s->smr[i];
		uint32_t id = FIELD_GET(SMR_ID, smr);
		/* Without EXIDS, VALID is bit 31 and MASK only [30:16]. */
		uint32_t mask = FIELD_GET(SMR_MASK, smr & ~SMR_VALID);

		if (!(smr & SMR_VALID))
			continue;
		/* Bits set in MASK are ignored; SID bits above NUMSIDB never match. */
		if ((sid ^ id) & ~mask)
			continue;
		if (++matches == 1)
			*idx = (int)i;
	}
	return matches;
}

static void apply_s2cr_overrides(struct xlate *x, uint32_t s2cr)
{
	/* S2CR.PRIVCFG / INSTCFG override the transaction's attributes (§9.6.24). */
	switch (FIELD_GET(S2CR_PRIVCFG, s2cr)) {
	case S2CR_PRIVCFG_UNPRIV:
		x->access &= ~IMS_VMSA_PRIV;
		break;
	case S2CR_PRIVCFG_PRIV:
		x->access |= IMS_VMSA_PRIV;
		break;
	default:
		break;
	}
	switch (FIELD_GET(S2CR_INSTCFG, s2cr)) {
	case S2CR_INSTCFG_DATA:
		x->access &= ~IMS_VMSA_EXEC;
		break;
	case S2CR_INSTCFG_INST:
		x->access |= IMS_VMSA_EXEC;
		break;
	default:
		break;
	}
}

static void smmuv2_translate_locked(struct xlate *x, struct ims_txn_result *res)
{
	struct ims_smmuv2 *s = x->s;
	const struct ims_txn *txn = x->txn;
	uint32_t s2cr, cbndx;
	int idx, n;

	/* sCR0.CLIENTPD: the SMMU is disabled, every transaction bypasses. */
	if (s->scr0 & sCR0_CLIENTPD)
		goto bypass;
	n = stream_match(s, txn->sid, &idx);
	if (n == 0) {
		/* Unidentified stream: sCR0.USFCFG faults it, or lets it bypass. */
		if (s->scr0 & sCR0_USFCFG) {
			global_fault(x, sGFSR_USF, res);
			return;
		}
		goto bypass;
	}
	if (n > 1) {
		/*
		 * Stream match conflict.  SMCFCFG = 1: a global SMCF fault.
		 * SMCFCFG = 0 is CONSTRAINED UNPREDICTABLE; the model takes
		 * the lowest-numbered matching group and counts the event.
		 */
		if (s->scr0 & sCR0_SMCFCFG) {
			global_fault(x, sGFSR_SMCF, res);
			return;
		}
		stat_inc(s, n_smc);
	}
	s2cr = s->s2cr[idx];
	apply_s2cr_overrides(x, s2cr);
	switch (FIELD_GET(S2CR_TYPE, s2cr)) {
	case S2CR_TYPE_TRANS:
		cbndx = FIELD_GET(S2CR_CBNDX, s2cr);
		if (cbndx >= s->p.num_cb) {
			global_fault(x, sGFSR_UCBF, res);
			return;
		}
		cb_translate(x, cbndx, res);
		return;
	case S2CR_TYPE_BYPASS:
		goto bypass;
	default:
		/* TYPE = fault (and the reserved 0b11): an invalid context fault. */
		global_fault(x, sGFSR_ICF, res);
		return;
	}
bypass:
	res->status = IMS_TXN_BYPASS;
	res->pa = txn->addr;
	res->perm = 0x3f;
	stat_inc(s, n_bypassed);
}

static int smmuv2_translate(void *opaque, const struct ims_txn *txn, struct ims_txn_result *res)
{
	struct ims_smmuv2 *s = opaque;
	struct xlate x = { .s = s, .txn = txn, .cbirq = -1, .s2n = -1 };

	if (!txn || !res)
		return -EINVAL;
	if (!txn->size || txn->size > IMS_PAGE_SIZE ||
	    (txn->addr & (IMS_PAGE_SIZE - 1)) + txn->size > IMS_PAGE_SIZE)
		return ims_error(-EINVAL, "smmuv2: transaction of %u bytes at 0x%llx crosses 4K",
				 txn->size, (unsigned long long)txn->addr);
	memset(res, 0, sizeof(*res));
	res->fault.cbndx = -1;
	x.access = txn->access;
	stat_inc(s, n_translations);

	pthread_rwlock_rdlock(&s->lock);
	smmuv2_translate_locked(&x, res);
	pthread_rwlock_unlock(&s->lock);

	if (x.girq && s->p.global_irq)
		s->p.global_irq(s->p.irq_cookie);
	if (x.cbirq >= 0 && s->p.context_irq)
		s->p.context_irq(s->p.irq_cookie, (unsigned int)x.cbirq);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Life cycle */

IMS_EXPORT int ims_smmuv2_new(struct ims_smmuv2 **out, struct ims_mem *mem,
			      const struct ims_smmuv2_params *params, const struct ims_log *log)
{
	struct ims_smmuv2 *s;
	unsigned int numpagendxb = 0;
	int ret;

	if (!out || !mem || !params)
		return ims_error(-EINVAL, "ims_smmuv2_new: NULL argument");
	*out = NULL;
	ret = check_params(params);
	if (ret)
		return ret;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->cb = calloc(params->num_cb, sizeof(*s->cb));
	if (!s->cb) {
		free(s);
		return -ENOMEM;
	}
	s->p = *params;
	s->mem = mem;
	s->log = log;
	s->pgshift = params->pgsize_64k ? 16 : 12;
	/* NUMPAGE = 2^(NUMPAGENDXB + 1) pages must hold every context bank (§8.1). */
	while ((2u << numpagendxb) < params->num_cb)
		numpagendxb++;
	s->numpage = 2u << numpagendxb;
	s->size = (uint64_t)2 * s->numpage << s->pgshift;
	if (!IS_ALIGNED(params->base, s->size)) {
		ret = ims_error(-EINVAL,
				"ims_smmuv2_new: base 0x%llx not aligned to its size 0x%llx",
				(unsigned long long)params->base, (unsigned long long)s->size);
		free(s->cb);
		free(s);
		return ret;
	}
	s->smr_id_mask = (uint32_t)GENMASK(params->sid_bits - 1, 0);
	s->smr_mask_mask = s->smr_id_mask << 16;
	build_idr(s, numpagendxb);
	smmuv2_reset(s);
	s->tr.translate = smmuv2_translate;
	s->tr.opaque = s;
	ret = ims_iotlb_new(&s->tlb, params->tlb_sets, params->tlb_ways);
	if (ret) {
		free(s->cb);
		free(s);
		return ret;
	}
	pthread_rwlock_init(&s->lock, NULL);
	pthread_mutex_init(&s->fault_lock, NULL);
	ret = ims_mem_add_mmio(mem, params->base, s->size, &smmuv2_mmio_ops, s);
	if (ret) {
		ims_smmuv2_free(s);
		return ret;
	}
	s->mapped = true;
	ims_info(log,
		 "arm-smmu %llx.iommu: MMU-500 model r%up%u: %u SMRs, %u context banks, "
		 "%u-bit SIDs, %s register pages",
		 (unsigned long long)params->base, params->major, params->minor, params->num_smrg,
		 params->num_cb, params->sid_bits, params->pgsize_64k ? "64K" : "4K");
	*out = s;
	return 0;
}

IMS_EXPORT void ims_smmuv2_free(struct ims_smmuv2 *s)
{
	if (!s)
		return;
	if (s->mapped)
		ims_mem_remove_mmio(s->mem, s->p.base);
	pthread_rwlock_destroy(&s->lock);
	pthread_mutex_destroy(&s->fault_lock);
	ims_iotlb_free(s->tlb);
	free(s->cb);
	free(s);
}

IMS_EXPORT const struct ims_translator *ims_smmuv2_translator(struct ims_smmuv2 *s)
{
	return s ? &s->tr : NULL;
}

IMS_EXPORT uint64_t ims_smmuv2_reg_size(const struct ims_smmuv2 *s)
{
	return s ? s->size : 0;
}

IMS_EXPORT int ims_smmuv2_cb_stalled(struct ims_smmuv2 *s, unsigned int cbndx)
{
	int ret;

	if (!s || cbndx >= s->p.num_cb)
		return -EINVAL;
	ret = __atomic_load_n(&s->cb[cbndx].stalled, __ATOMIC_ACQUIRE);
	return ret;
}

IMS_EXPORT void ims_smmuv2_get_stats(struct ims_smmuv2 *s, struct ims_smmuv2_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!s)
		return;
	ims_iotlb_get_stats(s->tlb, &st->tlb);
	st->translations = __atomic_load_n(&s->n_translations, __ATOMIC_RELAXED);
	st->bypassed = __atomic_load_n(&s->n_bypassed, __ATOMIC_RELAXED);
	st->global_faults = __atomic_load_n(&s->n_gfaults, __ATOMIC_RELAXED);
	st->context_faults = __atomic_load_n(&s->n_cfaults, __ATOMIC_RELAXED);
	st->stalls = __atomic_load_n(&s->n_stalls, __ATOMIC_RELAXED);
	st->smc_unreported = __atomic_load_n(&s->n_smc, __ATOMIC_RELAXED);
	st->resumes = __atomic_load_n(&s->n_resumes, __ATOMIC_RELAXED);
}
