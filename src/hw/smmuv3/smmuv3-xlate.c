/* SPDX-License-Identifier: MIT */
/*
 * SMMUv3 translation: StreamID -> STE -> CD -> stage 1 -> stage 2
 * (IHI 0070 §3.3 "Data structures and translation procedure", §5 structures,
 * §7.3 event records).
 *
 * Each transaction ends in one place (finish_*): a status and, for a fault,
 * the event record exactly as §7.3 lays it out, which is then written to the
 * event queue when the configuration asks for it.
 */
#include <stddef.h>
#include <string.h>

#include "hw/smmuv3/smmuv3-internal.h"
#include "hw/vmsa/iotlb-internal.h"
#include "hw/vmsa/walk-internal.h"
#include "util/compiler.h"
#include "util/le.h"
#include "util/log.h"

/* The state of one translation. */
struct xl {
	struct ims_smmuv3 *s;
	const struct ims_txn *txn;
	struct ims_txn_result *res;
	bool quiet;	     /* prefetch: record nothing */
	unsigned int access; /* after STE.INSTCFG/PRIVCFG overrides */
	bool stall;	     /* CD.S: fault stalls (recorded with Stall = 1) */
	bool s1_record;	     /* CD.R */
	bool s2_record;	     /* STE.S2R */
};

/* ---------------------------------------------------------------------- */
/* Events */

static void evt_common(uint64_t rec[4], unsigned int id, const struct ims_txn *txn, bool ssid)
{
	rec[0] = FIELD_PREP(EVT_0_ID, id) | FIELD_PREP(EVT_0_SID, txn->sid);
	rec[1] = rec[2] = rec[3] = 0;
	if (ssid && txn->ssv)
		rec[0] |= EVT_0_SSV | FIELD_PREP(EVT_0_SSID, txn->ssid);
}

static void evt_attrs(uint64_t rec[4], unsigned int access)
{
	rec[1] |= ((access & IMS_VMSA_PRIV) ? EVT_1_PNU : 0) |
		  ((access & IMS_VMSA_EXEC) ? EVT_1_IND : 0) |
		  ((access & IMS_VMSA_WRITE) ? 0 : EVT_1_RNW);
}

/*
 * Finish with a fault: fill the result, and record the event when @record.
 * Stalled faults are always recorded (§3.12.2).
 */
static int finish_fault(struct xl *x, const uint64_t rec[4], bool record)
{
	struct ims_txn_result *res = x->res;
	unsigned int id = (unsigned int)FIELD_GET(EVT_0_ID, rec[0]);

	res->fault.event = id;
	res->fault.fsr = 0;
	res->fault.cbndx = -1;
	if (id != EVT_ID_WALK_EABT && (id < EVT_ID_TRANSLATION || id > EVT_ID_PERMISSION)) {
		/* No walk underneath a configuration or F_UUT event. */
		memset(&res->fault.vmsa, 0, sizeof(res->fault.vmsa));
		res->fault.ipa = 0;
	}
	memcpy(res->fault.record, rec, sizeof(res->fault.record));
	if (rec[1] & EVT_1_STALL) {
		res->status = IMS_TXN_STALL;
		record = true;
	} else {
		res->status = record ? IMS_TXN_FAULT : IMS_TXN_ABORT;
	}
	if (x->quiet)
		return 0;
	if (record)
		smmu_record_event(x->s, rec);
	else
		smmu_inc(&x->s->events_lost);
	smmu_fire_irqs(x->s);
	return 0;
}

/* A configuration error: C_BAD_*, F_STREAM_DISABLED (always recorded). */
static int finish_cfg(struct xl *x, unsigned int id)
{
	uint64_t rec[4];

	/* C_BAD_SUBSTREAMID has no SSV: its SubstreamID is always valid (§7.3.9). */
	evt_common(rec, id, x->txn, id != EVT_ID_STREAM_DISABLED);
	if (id == EVT_ID_BAD_SUBSTREAMID)
		rec[0] = (rec[0] & ~EVT_0_SSV) |
			 FIELD_PREP(EVT_0_SSID, x->txn->ssv ? x->txn->ssid : 0);
	return finish_fault(x, rec, true);
}

/* F_STE_FETCH / F_CD_FETCH: the fetch address in bits [51:3] of dword 3. */
static int finish_fetch(struct xl *x, unsigned int id, uint64_t fetch_pa)
{
	uint64_t rec[4];

	evt_common(rec, id, x->txn, true);
	rec[3] = fetch_pa & EVT_3_FETCH_ADDR;
	return finish_fault(x, rec, true);
}

static unsigned int walk_event(enum ims_vmsa_fault_type t)
{
	switch (t) {
	case IMS_VMSA_F_ADDR_SIZE:
		return EVT_ID_ADDR_SIZE;
	case IMS_VMSA_F_ACCESS:
		return EVT_ID_ACCESS;
	case IMS_VMSA_F_PERMISSION:
		return EVT_ID_PERMISSION;
	case IMS_VMSA_F_WALK_EABT:
		return EVT_ID_WALK_EABT;
	default:
		return EVT_ID_TRANSLATION;
	}
}

/*
 * A translation-stage fault (§7.3.12-§7.3.16).  @s2: the stage; @cls: CLASS;
 * @ipa: the IPA for stage-2 faults; @f: the walk fault.
 */
static int finish_walk(struct xl *x, const struct ims_vmsa_fault *f, bool s2, unsigned int cls,
		       uint64_t ipa)
{
	unsigned int id = walk_event(f->type);
	uint64_t rec[4];

	evt_common(rec, id, x->txn, true);
	evt_attrs(rec, x->access);
	rec[1] |= (s2 ? EVT_1_S2 : 0) | FIELD_PREP(EVT_1_CLASS, cls);
	rec[2] = x->txn->addr;
	if (id == EVT_ID_WALK_EABT) {
		/* A stage-1-only walk abort is CLASS TT (§7.3.12). */
		if (!s2)
			rec[1] = (rec[1] & ~EVT_1_CLASS) | FIELD_PREP(EVT_1_CLASS, EVT_CLASS_TT);
		rec[3] = f->desc_pa & EVT_3_FETCH_ADDR;
	} else if (s2) {
		rec[3] = ipa & EVT_3_IPA;
	}
	if (x->stall && id != EVT_ID_WALK_EABT) {
		uint16_t stag;

		pthread_mutex_lock(&x->s->lock);
		stag = x->s->next_stag++;
		pthread_mutex_unlock(&x->s->lock);
		rec[1] |= EVT_1_STALL | FIELD_PREP(EVT_1_STAG, stag);
	}
	x->res->fault.vmsa = *f;
	x->res->fault.ipa = s2 ? ipa : 0;
	/* CD.R / STE.S2R: record (§5.4 R, §5.2 S2R); external aborts always are. */
	return finish_fault(x, rec, id == EVT_ID_WALK_EABT || (s2 ? x->s2_record : x->s1_record));
}

/* ---------------------------------------------------------------------- */
/* Stream table (§3.3.2, §5.1, §5.2) */

static bool pa_ok(const struct ims_smmuv3 *s, uint64_t pa, uint64_t len)
{
	return s->p.oas >= 64 || (pa + len - 1) >> s->p.oas == 0;
}

/*
 * Find the STE of @sid.  Return: 0 with *@ste_pa, or the event to raise
 * (C_BAD_STREAMID, F_STE_FETCH with *@fetch).
 *
 * CONSTRAINED UNPREDICTABLE choices (documented in docs/smmuv3.md):
 * LOG2SIZE above SIDSIZE is capped at SIDSIZE; a reserved SPLIT behaves as
 * the largest valid value (6, 8, 10) below it, and as 6 below 6; a reserved
 * FMT, or FMT = 2-level without IDR0.ST_LEVEL, behaves as linear.
 */
static unsigned int ste_locate(struct ims_smmuv3 *s, uint32_t sid, uint64_t *ste_pa,
			       uint64_t *fetch)
{
	uint32_t cfg = smmu_ld32(&s->strtab_base_cfg);
	uint64_t base = smmu_ld64(&s->strtab_base) & STRTAB_BASE_ADDR;
	unsigned int log2 = (unsigned int)FIELD_GET(STRTAB_BASE_CFG_LOG2SIZE, cfg);
	uint64_t l1, l1_pa, sz;

	if (log2 > s->p.sidsize)
		log2 = s->p.sidsize;
	if (log2 < 32 && (sid >> log2))
		return EVT_ID_BAD_STREAMID;
	if (FIELD_GET(STRTAB_BASE_CFG_FMT, cfg) == STRTAB_BASE_CFG_FMT_2LVL && s->p.st_2lvl) {
		unsigned int split = (unsigned int)FIELD_GET(STRTAB_BASE_CFG_SPLIT, cfg);
		unsigned int span;

		split = split >= 10 ? 10 : split >= 8 ? 8 : 6;
		sz = (log2 > split ? 1ULL << (log2 - split) : 1) * 8;
		/* §6.3.22: the base is aligned to the larger of 64 bytes and the L1 size. */
		base &= ~((sz < 64 ? 64 : sz) - 1);
		l1_pa = base + (uint64_t)(sid >> split) * 8;
		*fetch = l1_pa;
		if (!pa_ok(s, l1_pa, 8) || ims_mem_read64(s->mem, l1_pa, &l1))
			return EVT_ID_STE_FETCH;
		span = (unsigned int)FIELD_GET(L1STD_SPAN, l1);
		/* §7.3.3: Span 0, reserved, or beyond SPLIT + 1; or the SID beyond it. */
		if (!span || span > 12 || span > split + 1 ||
		    (sid & ((1u << split) - 1)) >= (1u << (span - 1)))
			return EVT_ID_BAD_STREAMID;
		*ste_pa = (l1 & L1STD_L2PTR) + (uint64_t)(sid & ((1u << split) - 1)) * 64;
	} else {
		sz = (1ULL << log2) * 64;
		base &= ~((sz < 64 ? 64 : sz) - 1);
		*ste_pa = base + (uint64_t)sid * 64;
	}
	*fetch = *ste_pa;
	return 0;
}

static unsigned int granule_ok(const struct ims_smmuv3 *s, unsigned int shift)
{
	return (shift == 12 && s->p.gran4k) || (shift == 14 && s->p.gran16k) ||
	       (shift == 16 && s->p.gran64k);
}

/* §5.2.2: decode @d, or return false for an ILLEGAL STE (C_BAD_STE). */
static bool ste_decode(const struct ims_smmuv3 *s, const uint64_t d[STE_DWORDS], struct smmu_ste *o)
{
	unsigned int strw;

	memset(o, 0, sizeof(*o));
	if (!(d[0] & STE_0_V))
		return false;
	o->config = (uint8_t)FIELD_GET(STE_0_CFG, d[0]);
	switch (o->config) {
	case STE_CFG_ABORT:
		return true;
	case STE_CFG_BYPASS:
		break;
	case STE_CFG_S1:
		if (!s->p.s1p)
			return false;
		break;
	case STE_CFG_S2:
		if (!s->p.s2p)
			return false;
		break;
	case STE_CFG_NESTED:
		if (!s->p.s1p || !s->p.s2p)
			return false;
		break;
	default:
		return false; /* 0b001..0b011 are reserved */
	}
	o->privcfg = (uint8_t)FIELD_GET(STE_1_PRIVCFG, d[1]);
	o->instcfg = (uint8_t)FIELD_GET(STE_1_INSTCFG, d[1]);
	if (o->privcfg == 1 || o->instcfg == 1)
		return false; /* reserved encodings */
	strw = (unsigned int)FIELD_GET(STE_1_STRW, d[1]);
	if (strw == 1 || strw == 3 || (strw == STE_STRW_EL2 && !s->p.hyp))
		return false;
	if (o->config & 1) {
		o->s1cdmax = (uint8_t)FIELD_GET(STE_0_S1CDMAX, d[0]);
		o->s1fmt = (uint8_t)FIELD_GET(STE_0_S1FMT, d[0]);
		o->s1dss = (uint8_t)FIELD_GET(STE_1_S1DSS, d[1]);
		o->s1ctxptr = d[0] & STE_0_S1CTXPTR;
		o->s1stalld = !!(d[1] & STE_1_S1STALLD);
		if (o->s1cdmax > s->p.ssidsize)
			return false;
		if (o->s1cdmax) {
			if (o->s1fmt == 3 || (o->s1fmt && !s->p.cd2l) || o->s1dss == 3)
				return false;
		} else {
			o->s1fmt = STE_S1FMT_LINEAR;
		}
	}
	if (o->config & 2) {
		unsigned int tg = (unsigned int)FIELD_GET(STE_2_S2TG, d[2]);
		unsigned int gs = tg == 0 ? 12 : tg == 1 ? 16 : tg == 2 ? 14 : 0;
		unsigned int t0sz = (unsigned int)FIELD_GET(STE_2_S2T0SZ, d[2]);
		unsigned int ps = smmu_decode_pa_size((unsigned int)FIELD_GET(STE_2_S2PS, d[2]));
		unsigned int concat = 1, ias = 64 - t0sz;
		int sl;

		/* AArch64 tables only (IDR0.TTF), little-endian only. */
		if (!(d[2] & STE_2_S2AA64) || (d[2] & STE_2_S2ENDI))
			return false;
		if (!gs || !granule_ok(s, gs))
			return false;
		/* The IPA size may not exceed the SMMU's IAS (= OAS, AArch64 only). */
		if (ias > s->p.oas)
			return false;
		sl = ims_vmsa_s2_start_level(gs, (unsigned int)FIELD_GET(STE_2_S2SL0, d[2]), ias,
					     &concat);
		if (sl < 0)
			return false;
		o->s2.ttb = d[3] & STE_3_S2TTB;
		o->s2.granule_shift = (uint8_t)gs;
		o->s2.ias = (uint8_t)ias;
		o->s2.oas = (uint8_t)(ps > s->p.oas ? s->p.oas : ps);
		o->s2.start_level = (int8_t)sl;
		o->s2.concat = (uint8_t)concat;
		o->s2.stage2 = true;
		o->s2.affd = !!(d[2] & STE_2_S2AFFD);
		o->s2r = !!(d[2] & STE_2_S2R);
	}
	if (s->p.s2p) {
		o->vmid = (uint16_t)FIELD_GET(STE_2_S2VMID, d[2]);
		if (!s->p.vmid16)
			o->vmid &= 0xff;
	}
	return true;
}

/* Fetch, decode and cache the STE of @sid.  Return: 0 or the event to raise. */
static unsigned int ste_get(struct ims_smmuv3 *s, uint32_t sid, struct smmu_ste *ste,
			    uint64_t *fetch)
{
	uint64_t pa, d[STE_DWORDS];
	uint8_t buf[STE_DWORDS * 8];
	unsigned int ev;

	if (cfgc_lookup(&s->cfgc, cfgc_key_ste(sid), ste, sizeof(*ste)))
		return 0;
	ev = ste_locate(s, sid, &pa, fetch);
	if (ev)
		return ev;
	if (!pa_ok(s, pa, sizeof(buf)) || ims_mem_read(s->mem, pa, buf, sizeof(buf)))
		return EVT_ID_STE_FETCH;
	for (unsigned int i = 0; i < STE_DWORDS; i++)
		d[i] = ims_ld_le64(buf + 8 * i);
	if (!ste_decode(s, d, ste))
		return EVT_ID_BAD_STE;
	cfgc_insert(&s->cfgc, cfgc_key_ste(sid), ste, sizeof(*ste));
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Stage 2 of an address: walk and check @access.  Return: 0 or -EFAULT with *@f. */
static int s2_walk(struct ims_smmuv3 *s, const struct smmu_ste *ste, uint64_t ipa,
		   unsigned int access, struct ims_vmsa_walk *w, struct ims_vmsa_fault *f)
{
	memset(f, 0, sizeof(*f));
	if (ste->s2.ias < 64 && (ipa >> ste->s2.ias)) {
		f->type = IMS_VMSA_F_TRANSLATION;
		f->level = (uint8_t)ste->s2.start_level;
		return -EFAULT;
	}
	if (ims_vmsa_walk(s->mem, &ste->s2, ipa, w, f))
		return -EFAULT;
	if (!ims_vmsa_permits(w->perm, access)) {
		f->type = IMS_VMSA_F_PERMISSION;
		f->level = w->level;
		f->desc_pa = w->desc_pa;
		return -EFAULT;
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Context descriptors (§3.3.3, §5.3, §5.4) */

static bool cd_decode(const struct ims_smmuv3 *s, const uint64_t d[CD_DWORDS], unsigned int oas,
		      struct smmu_cd *o)
{
	unsigned int ips;

	memset(o, 0, sizeof(*o));
	if (!(d[0] & CD_0_V) || !(d[0] & CD_0_AA64) || (d[0] & CD_0_ENDI))
		return false;
	ips = smmu_decode_pa_size((unsigned int)FIELD_GET(CD_0_IPS, d[0]));
	if (ips > oas)
		ips = oas; /* §5.4: IPS above the OAS is treated as the OAS */
	o->asid = (uint16_t)FIELD_GET(CD_0_ASID, d[0]);
	if (!s->p.asid16)
		o->asid &= 0xff;
	o->r = !!(d[0] & CD_0_R);
	o->a = !!(d[0] & CD_0_A);
	o->s = !!(d[0] & CD_0_S);
	o->tbi = (uint8_t)FIELD_GET(CD_0_TBI, d[0]);
	o->mair = d[3];
	o->epd[0] = !!(d[0] & CD_0_EPD0);
	o->epd[1] = !!(d[0] & CD_0_EPD1);
	for (unsigned int i = 0; i < 2; i++) {
		unsigned int tg, gs, tsz;
		int sl;

		if (o->epd[i])
			continue;
		tg = (unsigned int)(i ? FIELD_GET(CD_0_TG1, d[0]) : FIELD_GET(CD_0_TG0, d[0]));
		tsz = (unsigned int)(i ? FIELD_GET(CD_0_T1SZ, d[0]) : FIELD_GET(CD_0_T0SZ, d[0]));
		if (i == 0)
			gs = tg == 0 ? 12 : tg == 1 ? 16 : tg == 2 ? 14 : 0;
		else
			gs = tg == 1 ? 14 : tg == 2 ? 12 : tg == 3 ? 16 : 0;
		if (!gs || !granule_ok(s, gs))
			return false;
		/* TxSZ outside the granule's range is ILLEGAL here (a choice, see docs). */
		sl = ims_vmsa_s1_start_level(gs, 64 - tsz);
		if (sl < 0 || tsz < 16)
			return false;
		o->tsz[i] = (uint8_t)tsz;
		o->tt[i].ttb = d[1 + i] & CD_1_TTB0;
		o->tt[i].granule_shift = (uint8_t)gs;
		o->tt[i].ias = (uint8_t)(64 - tsz);
		o->tt[i].oas = (uint8_t)ips;
		o->tt[i].start_level = (int8_t)sl;
		o->tt[i].concat = 1;
		o->tt[i].affd = !!(d[0] & CD_0_AFFD);
	}
	return true;
}

/*
 * An IPA the SMMU reads a CD or an L1CD from: translated by stage 2 in a
 * nested configuration (CLASS = CD faults).  Return: 0 with *@pa, or the
 * result of finish_walk() (1) after a stage-2 fault.
 */
static int cd_fetch_addr(struct xl *x, const struct smmu_ste *ste, uint64_t ipa, uint64_t *pa)
{
	struct ims_vmsa_walk w;
	struct ims_vmsa_fault f;

	if (!(ste->config & 2)) {
		*pa = ipa;
		return 0;
	}
	if (s2_walk(x->s, ste, ipa, IMS_VMSA_READ, &w, &f)) {
		finish_walk(x, &f, true, EVT_CLASS_CD, ipa);
		return 1;
	}
	*pa = w.oa;
	return 0;
}

/* Fetch, decode and cache CD @idx of @ste.  Return: 0, or 1 when the transaction ended. */
static int cd_get(struct xl *x, const struct smmu_ste *ste, uint32_t idx, struct smmu_cd *cd)
{
	struct ims_smmuv3 *s = x->s;
	uint64_t ipa = ste->s1ctxptr, pa, d[CD_DWORDS];
	uint8_t buf[CD_DWORDS * 8];

	if (cfgc_lookup(&s->cfgc, cfgc_key_cd(x->txn->sid, idx), cd, sizeof(*cd)))
		return 0;
	if (ste->s1cdmax && ste->s1fmt == STE_S1FMT_LINEAR) {
		ipa += (uint64_t)idx * 64;
	} else if (ste->s1cdmax) {
		unsigned int split = ste->s1fmt == STE_S1FMT_4K_L2 ? 6 : 10;
		uint64_t l1;

		if (cd_fetch_addr(x, ste, ipa + (uint64_t)(idx >> split) * 8, &pa))
			return 1;
		if (!pa_ok(s, pa, 8) || ims_mem_read64(s->mem, pa, &l1)) {
			finish_fetch(x, EVT_ID_CD_FETCH, pa);
			return 1;
		}
		/* §7.3.9: an invalid L1CD is C_BAD_SUBSTREAMID. */
		if (!(l1 & L1CD_V)) {
			finish_cfg(x, EVT_ID_BAD_SUBSTREAMID);
			return 1;
		}
		ipa = (l1 & L1CD_L2PTR) + (uint64_t)(idx & ((1u << split) - 1)) * 64;
	}
	if (cd_fetch_addr(x, ste, ipa, &pa))
		return 1;
	if (!pa_ok(s, pa, sizeof(buf)) || ims_mem_read(s->mem, pa, buf, sizeof(buf))) {
		finish_fetch(x, EVT_ID_CD_FETCH, pa);
		return 1;
	}
	for (unsigned int i = 0; i < CD_DWORDS; i++)
		d[i] = ims_ld_le64(buf + 8 * i);
	if (!cd_decode(s, d, (ste->config & 2) ? ste->s2.ias : s->p.oas, cd)) {
		finish_cfg(x, EVT_ID_BAD_CD);
		return 1;
	}
	cfgc_insert(&s->cfgc, cfgc_key_cd(x->txn->sid, idx), cd, sizeof(*cd));
	return 0;
}

/* ---------------------------------------------------------------------- */
/* The translation procedure */

static inline uint64_t canon_va(uint64_t va)
{
	return (uint64_t)((int64_t)(va << 8) >> 8);
}

static unsigned int apply_overrides(unsigned int ovr, unsigned int access)
{
	unsigned int instcfg = ovr >> 2, privcfg = ovr & 3;

	/* STE.INSTCFG / PRIVCFG (§5.2): 0b00 incoming, 0b10 data/unpriv, 0b11 instr/priv. */
	if (instcfg == 2)
		access &= ~IMS_VMSA_EXEC;
	else if (instcfg == 3)
		access |= IMS_VMSA_EXEC;
	if (privcfg == 2)
		access &= ~IMS_VMSA_PRIV;
	else if (privcfg == 3)
		access |= IMS_VMSA_PRIV;
	/* §7.3: InD == 0 when RnW == 0 -- a write is never an instruction fetch. */
	if (access & IMS_VMSA_WRITE)
		access &= ~IMS_VMSA_EXEC;
	return access;
}

/*
 * apply_overrides() as two masks, computed when the context is resolved:
 * access = ((access & ~clr) | set), then a write loses EXEC.
 */
static void override_masks(unsigned int ovr, uint8_t *clr, uint8_t *set)
{
	unsigned int instcfg = ovr >> 2, privcfg = ovr & 3;

	*clr = (uint8_t)((instcfg == 2 ? IMS_VMSA_EXEC : 0) | (privcfg == 2 ? IMS_VMSA_PRIV : 0));
	*set = (uint8_t)((instcfg == 3 ? IMS_VMSA_EXEC : 0) | (privcfg == 3 ? IMS_VMSA_PRIV : 0));
}

static inline unsigned int xl_access(const struct smmu_xcfg *xc, unsigned int access)
{
	_Static_assert(IMS_VMSA_EXEC == IMS_VMSA_WRITE << 1, "a write clears EXEC by a shift");
	access = (access & ~(unsigned int)xc->acc_clr) | xc->acc_set;
	return access & ~((access & IMS_VMSA_WRITE) << 1);
}

/* IOTLB context tags keep the three regimes apart. */
#define CTX_S1 0u
#define CTX_S2 1u
#define CTX_NESTED 2u

/* The IOTLB key of the input address: with TBI, bits 63:56 are ignored (§3.4.1). */
static inline uint64_t xl_iova(const struct smmu_xcfg *xc, uint64_t addr)
{
	/* (tbi is 0 without stage 1) */
	if (unlikely(xc->tbi) && (xc->tbi & (1u << ((addr >> 55) & 1))))
		return canon_va(addr);
	return addr;
}

/* Cache a walk's result. */
static void iotlb_fill(struct ims_smmuv3 *s, const struct smmu_xcfg *xc, uint64_t iova, uint64_t pa,
		       uint64_t ipa, unsigned int leaf_shift, unsigned int gshift,
		       unsigned int level, uint8_t perm, unsigned int flags)
{
	struct ims_iotlb_entry e;
	uint64_t m = ~((1ULL << leaf_shift) - 1);

	e.iova = iova & m;
	e.oa = pa & m;
	e.ipa = ipa & m;
	e.ctx = xc->ctx;
	e.asid = xc->asid;
	e.vmid = xc->vmid;
	e.leaf_shift = (uint8_t)leaf_shift;
	e.granule_shift = (uint8_t)gshift;
	e.level = (uint8_t)level;
	e.perm = perm;
	e.flags = (uint8_t)flags;
	ims_iotlb_insert(s->iotlb, &e);
}

static int translate_walk(struct xl *x, const struct smmu_xcfg *xc, uint64_t iova)
{
	struct ims_smmuv3 *s = x->s;
	const struct ims_txn *txn = x->txn;
	bool s1 = xc->flags & XF_S1, s2 = xc->flags & XF_S2;
	struct ims_vmsa_walk w1, w2;
	struct ims_vmsa_fault f;
	uint64_t ipa = txn->addr, pa;
	unsigned int leaf_shift = 63, level = 3, gshift;
	uint8_t perm = 0xff;
	bool global = false;

	x->s1_record = xc->flags & XF_S1_REC;
	x->s2_record = xc->flags & XF_S2_REC;
	x->stall = xc->flags & XF_STALL;
	if (s1) {
		unsigned int r = (unsigned int)((txn->addr >> 55) & 1);
		const struct ims_vmsa_cfg *tt = &xc->tt[r];
		unsigned int top = (xc->tbi & (1u << r)) ? 55 : 63;
		uint64_t hi = top >= tt->ias ? GENMASK_ULL(top, tt->ias) : 0;
		bool epd = xc->epd & (1u << r);

		/* §3.4.1: the address must lie in TTB0's or TTB1's range. */
		if (epd || (txn->addr & hi) != (r ? hi : 0)) {
			memset(&f, 0, sizeof(f));
			f.type = IMS_VMSA_F_TRANSLATION;
			f.level = (uint8_t)(epd ? 0 : tt->start_level);
			return finish_walk(x, &f, false, EVT_CLASS_IN, 0);
		}
		if (s2) {
			/*
			 * Nested (§3.4.1): the stage-1 walk reads its tables at
			 * IPAs that stage 2 translates.  A stage-2 fault on such a
			 * fetch is reported with S2 = 1, CLASS = TT and the IPA
			 * of the stage-1 descriptor (§7.3).
			 */
			struct ims_vmsa_cfg nested = *tt;

			nested.s2 = &xc->s2;
			if (ims_vmsa_walk(s->mem, &nested, txn->addr & DMA_BIT_MASK(tt->ias), &w1,
					  &f))
				return f.s2 ? finish_walk(x, &f, true, EVT_CLASS_TT, f.ipa)
					    : finish_walk(x, &f, false, EVT_CLASS_IN, 0);
		} else if (ims_vmsa_walk(s->mem, tt, txn->addr & DMA_BIT_MASK(tt->ias), &w1, &f)) {
			return finish_walk(x, &f, false, EVT_CLASS_IN, 0);
		}
		if (!ims_vmsa_permits(w1.perm, x->access)) {
			memset(&f, 0, sizeof(f));
			f.type = IMS_VMSA_F_PERMISSION;
			f.level = w1.level;
			f.desc_pa = w1.desc_pa;
			return finish_walk(x, &f, false, EVT_CLASS_IN, 0);
		}
		ipa = w1.oa;
		leaf_shift = w1.leaf_shift;
		level = w1.level;
		perm = w1.perm;
		global = !w1.ng;
		gshift = tt->granule_shift;
	} else {
		gshift = xc->s2.granule_shift;
	}
	pa = ipa;
	if (s2) {
		if (xc->s2.ias < 64 && (ipa >> xc->s2.ias)) {
			memset(&f, 0, sizeof(f));
			f.type = IMS_VMSA_F_TRANSLATION;
			f.level = (uint8_t)xc->s2.start_level;
			return finish_walk(x, &f, true, EVT_CLASS_IN, ipa);
		}
		if (ims_vmsa_walk(s->mem, &xc->s2, ipa, &w2, &f))
			return finish_walk(x, &f, true, EVT_CLASS_IN, ipa);
		if (!ims_vmsa_permits(w2.perm, x->access)) {
			memset(&f, 0, sizeof(f));
			f.type = IMS_VMSA_F_PERMISSION;
			f.level = w2.level;
			f.desc_pa = w2.desc_pa;
			return finish_walk(x, &f, true, EVT_CLASS_IN, ipa);
		}
		pa = w2.oa;
		if (w2.leaf_shift < leaf_shift)
			leaf_shift = w2.leaf_shift;
		if (!s1)
			level = w2.level;
		perm &= w2.perm;
	}
	if (s->iotlb)
		iotlb_fill(s, xc, iova, pa, ipa, leaf_shift, gshift, level, perm,
			   (s1 ? IMS_IOTLB_S1 : 0) | (s2 ? IMS_IOTLB_S2 : 0) |
				   (global ? IMS_IOTLB_GLOBAL : 0));
	x->res->status = IMS_TXN_OK;
	x->res->pa = pa;
	x->res->perm = perm;
	return 0;
}

/*
 * Resolve STE and CD into *@xc (§3.3 steps up to the translation tables).
 * Return: 0 when @xc is ready, 1 when the transaction already ended (a
 * fault, an abort, or bypass written into the result).
 */
static int resolve(struct xl *x, struct smmu_xcfg *xc)
{
	struct ims_smmuv3 *s = x->s;
	const struct ims_txn *txn = x->txn;
	struct ims_txn_result *res = x->res;
	struct smmu_ste ste;
	struct smmu_cd cd;
	uint64_t fetch = 0;
	unsigned int ev;
	uint32_t idx = 0;
	bool s1, s2;

	ev = ste_get(s, txn->sid, &ste, &fetch);
	if (ev == EVT_ID_BAD_STREAMID) {
		/* §7.3.3: recorded only when CR2.RECINVSID == 1. */
		uint64_t rec[4];

		evt_common(rec, ev, txn, true);
		finish_fault(x, rec, !!(smmu_ld32(&s->cr2) & CR2_RECINVSID));
		return 1;
	}
	if (ev == EVT_ID_STE_FETCH) {
		finish_fetch(x, ev, fetch);
		return 1;
	}
	if (ev) {
		finish_cfg(x, ev);
		return 1;
	}
	x->access = apply_overrides((unsigned int)(ste.instcfg << 2 | ste.privcfg), txn->access);
	if (ste.config == STE_CFG_ABORT) {
		/* §7.3.7: Config 0b000 terminates without an event. */
		memset(&res->fault, 0, sizeof(res->fault));
		res->status = IMS_TXN_ABORT;
		return 1;
	}
	s1 = ste.config & 1;
	s2 = (ste.config & 2) && ste.config != STE_CFG_BYPASS;
	if (ste.config == STE_CFG_BYPASS)
		s1 = s2 = false;
	/* §7.3.9: a SubstreamID without stage 1, substreams, or in range. */
	if (txn->ssv && (!s1 || !s->p.ssidsize || !ste.s1cdmax || (txn->ssid >> ste.s1cdmax))) {
		finish_cfg(x, EVT_ID_BAD_SUBSTREAMID);
		return 1;
	}
	if (s1) {
		if (txn->ssv) {
			if (ste.s1dss == STE_S1DSS_SSID0 && txn->ssid == 0) {
				finish_cfg(x, EVT_ID_STREAM_DISABLED);
				return 1;
			}
			idx = txn->ssid;
		} else if (ste.s1cdmax) {
			/* §5.2 S1DSS: what non-substream traffic does. */
			if (ste.s1dss == STE_S1DSS_TERMINATE) {
				finish_cfg(x, EVT_ID_STREAM_DISABLED);
				return 1;
			}
			if (ste.s1dss == STE_S1DSS_BYPASS)
				s1 = false;
		}
	}
	memset(xc, 0, sizeof(*xc));
	xc->ovr = (uint8_t)(ste.instcfg << 2 | ste.privcfg);
	xc->vmid = ste.vmid;
	if (s2) {
		xc->flags |= XF_S2 | (ste.s2r ? XF_S2_REC : 0);
		xc->s2 = ste.s2;
	}
	if (s1) {
		if (cd_get(x, &ste, idx, &cd))
			return 1;
		xc->flags |= XF_S1 | (cd.r ? XF_S1_REC : 0);
		if (cd.s && s->p.stall_model != 1 && !ste.s1stalld)
			xc->flags |= XF_STALL;
		xc->asid = cd.asid;
		xc->tbi = cd.tbi;
		xc->epd = (uint8_t)((cd.epd[0] ? 1 : 0) | (cd.epd[1] ? 2 : 0));
		xc->tt[0] = cd.tt[0];
		xc->tt[1] = cd.tt[1];
	}
	if (!s1 && !s2)
		xc->flags = XF_BYPASS;
	/* The fast path walks stage-1-only contexts whose tables it need not re-check. */
	if (s1 && !s2 && ((xc->epd & 1) || vmsa_cfg_ok(&xc->tt[0])) &&
	    ((xc->epd & 2) || vmsa_cfg_ok(&xc->tt[1]))) {
		xc->flags |= XF_FAST_S1;
		for (unsigned int i = 0; i < 2; i++) {
			/*
			 * §3.4.1: the address must lie in TTBi's range: bits above
			 * ias all 0 (TTB0) or all 1 (TTB1), up to bit 55 with TBI.
			 */
			uint64_t hi = ~0ULL << xc->tt[i].ias;

			if (xc->tbi & (1u << i))
				hi &= GENMASK_ULL(55, 0);
			if (xc->epd & (1u << i))
				continue;
			vmsa_plan_init(&xc->tt[i], &xc->plan[i]);
			/* (bit 55 selects the regime: it is part of the rule) */
			vmsa_fast_init(s->mem, &xc->tt[i], hi | BIT_ULL(55),
				       i ? hi | BIT_ULL(55) : 0, &xc->fast[i]);
		}
	}
	xc->ctx = (uint8_t)(s1 ? (s2 ? CTX_NESTED : CTX_S1) : CTX_S2);
	override_masks(xc->ovr, &xc->acc_clr, &xc->acc_set);
	for (unsigned int a = 0; a < ARRAY_SIZE(xc->need); a++) {
		unsigned int acc = xl_access(xc, a);

		xc->need[a] = (uint8_t)((acc & (IMS_VMSA_READ | IMS_VMSA_WRITE | IMS_VMSA_EXEC))
					<< ((acc & IMS_VMSA_PRIV) ? 0 : 3));
	}
	xc->tag = iotlb_make_tag(xc->ctx, xc->vmid, xc->asid);
	xc->salt = (uint32_t)iotlb_salt(xc->tag);
	return 0;
}

/*
 * Everything but an IOTLB hit on a resolved context, or a fast stage-1 walk.
 * @probed: the fast path already looked the IOTLB up and missed (or hit an
 * entry that denies the access): it is not looked up, nor counted, again.
 */
static __attribute__((noinline)) int translate_slow(struct ims_smmuv3 *s, const struct ims_txn *txn,
						    struct ims_txn_result *res, bool probed)
{
	struct xl x = { .s = s, .txn = txn, .res = res };
	struct smmu_xcfg xc;
	uint64_t key, iova;
	bool hot;

	/*
	 * §7.3.2 F_UUT (permitted even with SMMUEN == 0), IMPLEMENTATION
	 * DEFINED reasons: 1 = a read-and-write (atomic) transaction, 2 = a
	 * transaction that neither reads nor writes.  The attributes recorded
	 * are the incoming ones.
	 */
	if (unlikely((txn->access & (IMS_VMSA_READ | IMS_VMSA_WRITE)) ==
			     (IMS_VMSA_READ | IMS_VMSA_WRITE) ||
		     !(txn->access & (IMS_VMSA_READ | IMS_VMSA_WRITE)))) {
		uint64_t rec[4];

		evt_common(rec, EVT_ID_UUT, txn, true);
		evt_attrs(rec, txn->access);
		rec[1] |= FIELD_PREP(EVT_1_REASON, (txn->access & IMS_VMSA_READ) ? 1 : 2);
		rec[2] = txn->addr;
		return finish_fault(&x, rec, true);
	}

	/* §6.3.14: with SMMUEN == 0, GBPA decides: abort or bypass. */
	if (unlikely(!(smmu_ld32(&s->cr0) & CR0_SMMUEN))) {
		if (smmu_ld32(&s->gbpa) & GBPA_ABORT) {
			memset(&res->fault, 0, sizeof(res->fault));
			res->status = IMS_TXN_ABORT;
			return 0;
		}
		goto bypass;
	}

	/* The fast path: a resolved context, then the IOTLB. */
	key = xcfg_key(txn->sid, txn->ssv, txn->ssid);
	hot = xcache_lookup(&s->cfgc, key, &xc, sizeof(xc));
	if (hot) {
		smmu_inc_local(&s->cfgc.hits);
	} else {
		if (resolve(&x, &xc))
			return 0;
		xcache_insert(&s->cfgc, key, &xc);
	}
	if (xc.flags & XF_BYPASS)
		goto bypass;
	x.access = apply_overrides(xc.ovr, txn->access);
	iova = xl_iova(&xc, txn->addr);
	if (s->iotlb && !probed) {
		struct iotlb_hit hit;

		if (iotlb_lookup_inline(s->iotlb, xc.tag, iova, false, &hit) &&
		    likely(ims_vmsa_permits((uint8_t)(hit.meta >> 8), x.access))) {
			res->status = IMS_TXN_OK;
			res->pa = hit.oa | (iova & ((1ULL << hit.leaf_shift) - 1));
			res->perm = (uint8_t)(hit.meta >> 8);
			return 0;
		}
	}
	/* A miss, or a hit that denies the access: walk to find the faulting stage. */
	return translate_walk(&x, &xc, iova);

bypass:
	res->status = IMS_TXN_BYPASS;
	res->pa = txn->addr;
	res->perm = 0x3f;
	return 0;
}

/*
 * After an IOTLB miss (or with no IOTLB) on a resolved context @xc (the hot
 * part, read from @slot at version @seq): a stage-1-only context walks here,
 * with nothing to record -- its tables were validated and decoded into a
 * plan when the CD was (XF_FAST_S1).  Anything else -- a fault to record,
 * another kind of context, a race with a writer of the context -- takes the
 * slow path, which does the whole translation again.
 */
/* GCC cannot see that the out-of-line walks fill @w when they return 0. */
#pragma GCC diagnostic push
#ifndef __clang__ /* clang has no such group, and warns about unknown ones */
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
static inline __attribute__((always_inline)) int
translate_miss(struct ims_smmuv3 *s, const struct smmu_xcfg *xc, struct xslot *slot, uint32_t seq,
	       uint32_t gen, const struct ims_txn *txn, struct ims_txn_result *res)
{
	uint64_t addr = txn->addr, hi;
	unsigned int r = (unsigned int)((addr >> 55) & 1);
	struct ims_vmsa_walk w; /* (filled by every walk that returns 0) */
	struct vmsa_plan plan;

	if (!(xc->flags & XF_FAST_S1) || ((xc->epd >> r) & 1) ||
	    !xcache_more(slot, seq, offsetof(struct smmu_xcfg, plan) + r * sizeof(plan), &plan,
			 sizeof(plan)))
		goto slow;
	/*
	 * §3.4.1: the address must lie in TTB0's or TTB1's range: bits above
	 * ias all 0 (TTB0) or all 1 (TTB1), up to bit 55 with TBI (ias <= 48).
	 */
	hi = plan.ia_bad & ((xc->tbi & (1u << r)) ? GENMASK_ULL(55, 0) : ~0ULL);
	if (unlikely((addr & hi) != (r ? hi : 0)))
		goto slow;
	if (unlikely(vmsa_walk_plan(s->mem, &plan, addr & ~plan.ia_bad, &w, NULL)))
		goto slow;
	if (unlikely(!ims_vmsa_permits(w.perm, xl_access(xc, txn->access))))
		goto slow;
	if (s->iotlb) {
		struct smmu_xcfg full;

		/* The IOTLB tag's ASID and VMID, from the same version. */
		if (!xcache_more(slot, seq, 0, &full, offsetof(struct smmu_xcfg, tt)))
			goto slow;
		iotlb_fill(s, &full, xl_iova(xc, addr), w.oa, w.oa, w.leaf_shift, plan.gs, w.level,
			   w.perm, IMS_IOTLB_S1 | (w.ng ? 0 : IMS_IOTLB_GLOBAL));
		if (s->utlb)
			utlb_fill(s, gen, xcfg_key(txn->sid, txn->ssv, txn->ssid),
				  utlb_va(addr, txn->access), w.oa, w.perm);
	}
	res->status = IMS_TXN_OK;
	res->pa = w.oa;
	res->perm = w.perm;
	smmu_inc_local(&s->cfgc.hits);
	return 0;
slow:
	return translate_slow(s, txn, res, true);
}

#pragma GCC diagnostic pop

/*
 * A micro-TLB miss: the resolved context, the IOTLB, then a walk.  @key:
 * the context's key; @gen: the micro-TLB generation read before anything
 * else, which a fill records (an invalidation since makes the entry stale).
 */
static __attribute__((noinline)) int translate_main(struct ims_smmuv3 *s, const struct ims_txn *txn,
						    struct ims_txn_result *res, uint64_t key,
						    uint32_t gen)
{
	struct smmu_xcfg xc;
	struct xslot *slot;
	uint32_t seq;

	smmu_inc_local(&s->translations);
	/* A resolved context, then an IOTLB hit that permits. */
	if (likely(xcache_hot(&s->cfgc, key, &xc, XCFG_HOT_SIZE, &slot, &seq) &&
		   !(xc.flags & XF_BYPASS))) {
		if (likely(s->iotlb != NULL)) {
			uint64_t iova = xl_iova(&xc, txn->addr);
			struct iotlb_hit hit;

			if (iotlb_lookup_salted(s->iotlb, xc.tag, xc.salt, iova, false, &hit)) {
				uint8_t perm = (uint8_t)(hit.meta >> 8);

				if (unlikely(!ims_vmsa_permits(perm, xl_access(&xc, txn->access))))
					return translate_slow(s, txn, res, true);
				res->status = IMS_TXN_OK;
				res->pa = hit.oa | (iova & ~(~0ULL << hit.leaf_shift));
				res->perm = perm;
				smmu_inc_local(&s->cfgc.hits);
				if (s->utlb)
					utlb_fill(s, gen, key, utlb_va(txn->addr, txn->access),
						  res->pa, perm);
				return 0;
			}
		}
		if (likely(xc.flags & XF_FAST_S1)) {
			/* The fast walk (struct vmsa_fast): no fault, nothing to record. */
			uint64_t addr = txn->addr;
			const struct vmsa_fast *f = &slot->v.fast[(addr >> 55) & 1];
			struct vmsa_fast_out o;

			if (likely(vmsa_fast_walk_any(f, &slot->seq, seq, addr, &o) &&
				   ims_vmsa_permits(o.perm, xl_access(&xc, txn->access)) &&
				   xcache_valid(slot, seq))) {
				if (s->iotlb) {
					unsigned int gs = VMSA_FAST_LD(f->gs);

					iotlb_fill(s, &xc, xl_iova(&xc, addr), o.oa, o.oa, gs, gs,
						   3, o.perm,
						   IMS_IOTLB_S1 | (o.ng ? 0 : IMS_IOTLB_GLOBAL));
					if (s->utlb)
						utlb_fill(s, gen, key, utlb_va(addr, txn->access),
							  o.oa, o.perm);
				}
				res->status = IMS_TXN_OK;
				res->pa = o.oa;
				res->perm = o.perm;
				smmu_inc_local(&s->cfgc.hits);
				return 0;
			}
		}
		return translate_miss(s, &xc, slot, seq, gen, txn, res);
	}
	return translate_slow(s, txn, res, false);
}

/* translate_main() for translate_nocache(), out of the way of its registers. */
static __attribute__((noinline, cold)) int
nocache_full(struct ims_smmuv3 *s, const struct ims_txn *txn, struct ims_txn_result *res)
{
	return translate_main(s, txn, res, xcfg_key(txn->sid, txn->ssv, txn->ssid), 0);
}

/*
 * Without an IOTLB: a resolved stage-1-only context and the fast walk
 * (struct vmsa_fast), read in place from the fast table under its seqlock.
 * Anything else -- no such context, a walk the fast walk declines (a block,
 * any fault), an access the page does not permit, a race with a writer --
 * goes to translate_main(), which does the whole translation (and counts
 * it): nothing is counted here unless the translation ends here.  @r: the
 * regime (TTB0 or TTB1); @cgs and @csl: as for vmsa_fast_walk(), 0 for any.
 */
static inline __attribute__((always_inline)) int
nocache_walk(struct ims_smmuv3 *s, const struct ims_txn *txn, struct ims_txn_result *res,
	     struct xslot *sl, uint32_t seq, unsigned int r, unsigned int cgs, unsigned int csl)
{
	struct vmsa_fast_out o;
	uint8_t need;

	if (unlikely(!vmsa_fast_walk(&sl->v.fast[r], &sl->seq, seq, txn->addr, &o, cgs, csl)))
		goto full;
	need = __atomic_load_n(&sl->v.need[txn->access & 0xf], SEQ_DATA_LD);
	if (unlikely((need & ~o.perm) || !xcache_valid(sl, seq)))
		goto full;
	res->status = IMS_TXN_OK;
	res->pa = o.oa;
	res->perm = o.perm;
	smmu_inc_local(&s->fast_walks);
	return 0;
full:
	return nocache_full(s, txn, res);
}

/* nocache_walk() of any regime, granule and start level. */
static __attribute__((noinline)) int nocache_walk_generic(struct ims_smmuv3 *s,
							  const struct ims_txn *txn,
							  struct ims_txn_result *res,
							  struct xslot *sl, uint32_t seq)
{
	unsigned int r = (unsigned int)((txn->addr >> 55) & 1);

	if (VMSA_FAST_LD(sl->v.fast[r].kind) == VMSA_FAST_NONE)
		return nocache_full(s, txn, res);
	return nocache_walk(s, txn, res, sl, seq, r, 0, 0);
}

static __attribute__((noinline, hot)) int translate_nocache(struct ims_smmuv3 *s,
							    const struct ims_txn *txn,
							    struct ims_txn_result *res,
							    uint64_t key)
{
	struct xslot *sl;
	uint32_t seq;

	/* (Without a cache, the one slot is empty.) */
	sl = xslot_of(&s->cfgc, key);
	seq = __atomic_load_n(&sl->seq, __ATOMIC_ACQUIRE);
	if (unlikely((seq & 1) || __atomic_load_n(&sl->key, SEQ_DATA_LD) != key))
		return nocache_full(s, txn, res);
	/*
	 * The common regime inline: TTB0 (bit 55 clear), 4K from level 0.
	 * (A kind other than VMSA_FAST_NONE only with XF_FAST_S1: resolve()
	 * zeroes the rest.)
	 */
	if (likely(!(txn->addr & BIT_ULL(55)) &&
		   VMSA_FAST_LD(sl->v.fast[0].kind) == VMSA_FAST_4K_L0))
		return nocache_walk(s, txn, res, sl, seq, 0, 12, 0);
	return nocache_walk_generic(s, txn, res, sl, seq);
}

int smmu_translate(void *opaque, const struct ims_txn *txn, struct ims_txn_result *res)
{
	struct ims_smmuv3 *s = opaque;
	uint32_t gen = 0;
	unsigned int rw;
	uint64_t key;

	/* 1..4096 bytes, within one 4K page: size - 1 < 4096 - page offset (0 wraps). */
	if (unlikely(!s || !txn || !res ||
		     txn->size - 1u >= 4096u - (unsigned int)(txn->addr & 0xfff)))
		return ims_error(-EINVAL, "smmuv3: bad transaction (size %u at 0x%llx)",
				 txn ? txn->size : 0, txn ? (unsigned long long)txn->addr : 0ULL);
	res->fault.event = 0;
	rw = txn->access & (IMS_VMSA_READ | IMS_VMSA_WRITE);
	if (unlikely(rw - 1u >= 2u || !(smmu_ld32(&s->cr0) & CR0_SMMUEN))) {
		/* Not a read or a write, or both (F_UUT); or the SMMU is disabled. */
		smmu_inc_local(&s->translations);
		return translate_slow(s, txn, res, false);
	}
	if (unlikely(s->utlb == NULL)) {
		/*
		 * The key of a transaction without a SubstreamID in fewer
		 * steps, none of which waits for SSV.
		 */
		return translate_nocache(s, txn, res,
					 unlikely(txn->ssv) ? xcfg_key(txn->sid, true, txn->ssid)
							    : xcfg_key(txn->sid, false, 0));
	}
	key = xcfg_key(txn->sid, txn->ssv, txn->ssid);
	/* The hot path: the micro-TLB (see struct utlb_entry). */
	{
		uint64_t va = utlb_va(txn->addr, txn->access);
		struct utlb_entry *e = utlb_slot(s, key, va);
		uint32_t sq = atomic_load_explicit(&e->seq, memory_order_acquire);

		gen = atomic_load_explicit(&s->utlb_gen, memory_order_acquire);
		if (likely(atomic_load_explicit(&e->va, memory_order_acquire) == va &&
			   atomic_load_explicit(&e->key, memory_order_acquire) == key &&
			   atomic_load_explicit(&e->gen, memory_order_acquire) == gen &&
			   !(sq & 1))) {
			uint64_t pa = atomic_load_explicit(&e->pa, memory_order_acquire);

			if (likely(atomic_load_explicit(&e->seq, memory_order_relaxed) == sq)) {
				res->status = IMS_TXN_OK;
				res->pa = (pa & ~0xfffULL) | (txn->addr & 0xfff);
				res->perm = (uint8_t)pa;
				smmu_inc_local(&s->utlb_hits);
				return 0;
			}
		}
	}
	return translate_main(s, txn, res, key, gen);
}

void smmu_prefetch_config(struct ims_smmuv3 *s, uint32_t sid, bool ssv, uint32_t ssid)
{
	struct ims_txn txn = { .sid = sid, .ssid = ssid, .ssv = ssv, .size = 1 };
	struct ims_txn_result res;
	struct xl x = { .s = s, .txn = &txn, .res = &res, .quiet = true };
	struct smmu_ste ste;
	struct smmu_cd cd;
	uint64_t fetch;

	/* §4.2.1: errors found by a prefetch are not reported. */
	if (ste_get(s, sid, &ste, &fetch) || !(ste.config & 1) || ste.config == STE_CFG_BYPASS)
		return;
	if (ssv && (!ste.s1cdmax || (ssid >> ste.s1cdmax)))
		return;
	cd_get(&x, &ste, ssv ? ssid : 0, &cd);
}
