/* SPDX-License-Identifier: MIT */
/* SMMUv3 model internals shared by its source files. */
#ifndef IMS_HW_SMMUV3_INTERNAL_H
#define IMS_HW_SMMUV3_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <iommusim/smmuv3.h>

#include "hw/smmuv3/smmuv3-regs.h"
#include "hw/vmsa/walk-internal.h"

/*
 * Seqlocks (the slots of struct cfgc): a reader loads the sequence number
 * (acquire), copies the data, and keeps the copy only if the number is even
 * and unchanged afterwards; a writer makes it odd, writes the data, and makes
 * it even again (release).  Normally the data is copied plainly, ordered by
 * fences: the reader's acquire fence before it loads the number again, the
 * writer's release fence after it makes it odd.  ThreadSanitizer does not
 * model fences (gcc rejects them with -fsanitize=thread), so there every
 * data word is an atomic access instead, acquire when read and release when
 * written: a reader that sees any word of a write synchronises with it, and
 * then sees the number the writer made odd -- the order the fences give.
 */
#ifdef __SANITIZE_THREAD__
#define SEQ_ATOMIC_DATA 1
#define SEQ_DATA_LD __ATOMIC_ACQUIRE
#else
#define SEQ_ATOMIC_DATA 0
#define SEQ_DATA_LD __ATOMIC_RELAXED
#endif

/* Copy @len bytes of seqlocked data at @src into the private @dst. */
static inline void seq_read_data(void *dst, const void *src, size_t len)
{
	if (!SEQ_ATOMIC_DATA) {
		memcpy(dst, src, len);
	} else if (!(((uintptr_t)dst | (uintptr_t)src | len) & 7)) {
		for (size_t i = 0; i < len / 8; i++) {
			uint64_t w = __atomic_load_n((const uint64_t *)src + i, __ATOMIC_ACQUIRE);

			memcpy((uint8_t *)dst + 8 * i, &w, 8);
		}
	} else {
		for (size_t i = 0; i < len; i++)
			((uint8_t *)dst)[i] =
				__atomic_load_n((const uint8_t *)src + i, __ATOMIC_ACQUIRE);
	}
}

/* After the data loads, before the reader loads the sequence number again. */
static inline void seq_read_fence(void)
{
#if !SEQ_ATOMIC_DATA
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
#endif
}

/* After the writer made the sequence number odd, before it writes the data. */
static inline void seq_write_fence(void)
{
#if !SEQ_ATOMIC_DATA
	__atomic_thread_fence(__ATOMIC_RELEASE);
#endif
}

/* Write @len bytes at @src into seqlocked data at @dst (its writer holds the lock). */
static inline void seq_write_data(void *dst, const void *src, size_t len)
{
	if (!SEQ_ATOMIC_DATA) {
		memcpy(dst, src, len);
	} else if (!(((uintptr_t)dst | (uintptr_t)src | len) & 7)) {
		for (size_t i = 0; i < len / 8; i++) {
			uint64_t w;

			memcpy(&w, (const uint8_t *)src + 8 * i, 8);
			__atomic_store_n((uint64_t *)dst + i, w, __ATOMIC_RELEASE);
		}
	} else {
		for (size_t i = 0; i < len; i++)
			__atomic_store_n((uint8_t *)dst + i, ((const uint8_t *)src)[i],
					 __ATOMIC_RELEASE);
	}
}

/*
 * A decoded STE (IHI 0070 §5.2), as the configuration cache holds it.  The
 * fields the IOTLB-hit path needs come first so that it copies only those.
 */
struct smmu_ste {
	uint8_t config; /* STE_CFG_* */
	uint8_t s1cdmax;
	uint8_t s1dss;
	bool s2r;      /* record stage-2 faults */
	uint16_t vmid; /* TLB tag (0 when stage 2 is not implemented) */
	uint8_t privcfg, instcfg;
#define STE_HOT_SIZE 8
	uint8_t s1fmt;
	bool s1stalld;
	uint64_t s1ctxptr;
	struct ims_vmsa_cfg s2; /* valid when config has stage 2 */
};

/* A decoded CD (IHI 0070 §5.4). */
struct smmu_cd {
	uint16_t asid;
	bool r, a, s;
	uint8_t tbi;
#define CD_HOT_SIZE 6
	bool epd[2];
	uint8_t tsz[2];
	struct ims_vmsa_cfg tt[2];
	uint64_t mair;
};

/*
 * A resolved translation context: what STE + CD say for one (SID, SSV, SSID),
 * ready for the IOTLB and the walker.  Held in the fast table (struct xcache)
 * so that an IOTLB hit needs one lookup, not an STE and a CD lookup.  It is
 * derived data: every CFGI_* that removes the STE or CD it came from removes
 * it too.
 */
#define XF_S1 0x01u
#define XF_S2 0x02u
#define XF_BYPASS 0x04u
#define XF_S1_REC 0x08u
#define XF_S2_REC 0x10u
#define XF_STALL 0x20u
#define XF_FAST_S1 0x40u /* stage 1 only, both TTBx configurations accepted by vmsa_cfg_ok() */
struct smmu_xcfg {
	uint8_t flags; /* XF_* */
	uint8_t ctx;   /* IOTLB context tag */
	uint8_t tbi;
	uint8_t ovr;	 /* STE.INSTCFG << 2 | STE.PRIVCFG */
	uint8_t acc_clr; /* IMS_VMSA_* access bits the overrides clear ... */
	uint8_t acc_set; /* ... and set */
	uint8_t epd;	 /* bit i: CD.EPDi */
	uint8_t pad;
	uint64_t tag;  /* the IOTLB tag: ctx << 32 | vmid << 16 | asid */
	uint32_t salt; /* iotlb_salt(tag) */
	uint16_t vmid;
	uint16_t asid;
#define XCFG_HOT_SIZE 24
	uint8_t need[16]; /* by incoming access (IMS_VMSA_* bits 3:0): the permissions needed */
	struct ims_vmsa_cfg tt[2];
	struct ims_vmsa_cfg s2;
	struct vmsa_plan plan[2]; /* with XF_FAST_S1: tt[i] decoded for the walk (unless EPDi) */
	struct vmsa_fast fast[2]; /* with XF_FAST_S1: tt[i] decoded for the fast walk */
};

struct xslot {
	uint32_t seq;
	uint64_t key; /* 0 when empty */
	struct smmu_xcfg v;
};

/* A fast-table entry, padded to a power of two (its address is then a shift away). */
#define XSLOT_SIZE 512
union xslot_pad {
	struct xslot s;
	uint8_t pad[XSLOT_SIZE];
};
_Static_assert(sizeof(struct xslot) <= XSLOT_SIZE, "XSLOT_SIZE holds a fast-table entry");

/* The configuration cache (smmuv3-cfgc.c): set-associative, seqlock readers. */
#define CFGC_WAYS 4
#define CFGC_KEY_STE 0x1ULL
#define CFGC_KEY_CD 0x2ULL
#define CFGC_KEY_NONE 0

struct cfgc_slot {
	uint32_t seq; /* odd while being written */
	uint64_t key; /* CFGC_KEY_NONE when empty */
	union {
		struct smmu_ste ste;
		struct smmu_cd cd;
	} v;
};

struct cfgc {
	struct cfgc_slot *slots;
	unsigned int sets;	 /* 0: the cache is disabled */
	uint8_t *victim;	 /* per-set round-robin pointer */
	union xslot_pad *xslots; /* the resolved-context fast table, direct-mapped */
	unsigned int xmask;
	pthread_mutex_t lock;
	uint64_t hits, misses, evictions, invalidated; /* atomic */
};

static inline uint64_t cfgc_key_ste(uint32_t sid)
{
	return ((uint64_t)sid << 24) | (CFGC_KEY_STE << 62);
}

static inline uint64_t cfgc_key_cd(uint32_t sid, uint32_t idx)
{
	return ((uint64_t)sid << 24) | idx | (CFGC_KEY_CD << 62);
}

static inline uint64_t xcfg_key(uint32_t sid, bool ssv, uint32_t ssid)
{
	/* (branch-free: ssv selects the SSID part) */
	return ((uint64_t)sid << 24) | ((((uint64_t)1 << 23) | (ssid & 0xfffff)) & -(uint64_t)ssv) |
	       (3ULL << 62);
}

int cfgc_init(struct cfgc *c, unsigned int entries);
void xcache_insert(struct cfgc *c, uint64_t key, const struct smmu_xcfg *v);
void cfgc_destroy(struct cfgc *c);
/* Copy the first @len bytes of the value for @key into @out; true on a hit. */
bool cfgc_lookup(struct cfgc *c, uint64_t key, void *out, size_t len);
void cfgc_insert(struct cfgc *c, uint64_t key, const void *val, size_t len);
/* Remove entries for which (key & mask) == (match & mask), restricted to @type. */
unsigned int cfgc_inv(struct cfgc *c, uint64_t type, uint64_t sid_lo, uint64_t sid_hi, bool any_idx,
		      uint32_t idx);

/*
 * The micro-TLB (struct utlb_entry): a small direct-mapped cache in front of
 * the configuration cache and the IOTLB, holding the final result of a
 * successful translation of one 4K input page for one (StreamID, SSV,
 * SubstreamID) and one access kind.  It is architecturally a TLB level like
 * any other, and it is invalidated by everything that could change what it
 * holds: every command the SMMU consumes (each TLBI_* and CFGI_* among them)
 * and every register write bump one generation number, and an entry only
 * hits while its generation is the current one.  Filled only where the
 * IOTLB is enabled.
 */
#define UTLB_ENTRIES 256
struct utlb_entry {
	_Atomic uint32_t seq; /* odd while a writer holds the entry */
	_Atomic uint32_t gen; /* the generation it was filled in */
	_Atomic uint64_t key; /* xcfg_key() (never 0) */
	_Atomic uint64_t va;  /* input page | access (IMS_VMSA_* bits 3:0) */
	_Atomic uint64_t pa;  /* output page | perm */
};

struct smmu_queue {
	uint64_t base; /* the register as written */
	uint32_t prod, cons;
};

struct ims_smmuv3 {
	struct ims_translator tr;
	struct ims_mem *mem;
	uint64_t mmio_base;
	const struct ims_log *log;
	struct ims_smmuv3_params p;
	uint32_t idr[6];

	pthread_mutex_t lock; /* register state, queues and event writes */
	/* Registers.  Those read by the translation path are accessed atomically. */
	uint32_t cr0, cr1, cr2, gbpa, irq_ctrl, gerror, gerrorn;
	uint64_t gerror_irq_cfg0, eventq_irq_cfg0;
	uint32_t gerror_irq_cfg1, gerror_irq_cfg2, eventq_irq_cfg1, eventq_irq_cfg2;
	uint64_t strtab_base;
	uint32_t strtab_base_cfg;
	struct smmu_queue cmdq, evtq;
	uint32_t pending_irq; /* BIT(enum ims_smmuv3_irq), fired after unlock */
	uint16_t next_stag;

	struct ims_iotlb *iotlb; /* NULL when disabled */
	struct cfgc cfgc;
	struct utlb_entry *utlb;   /* UTLB_ENTRIES, with the IOTLB; else NULL */
	_Atomic uint32_t utlb_gen; /* see struct utlb_entry */
	uint64_t utlb_hits;	   /* also translations, config and IOTLB hits */
	uint64_t fast_walks;	   /* translate_nocache(): also translations and config hits */

	/* Counters (atomic). */
	uint64_t translations, events, events_lost, commands, cmd_errors, syncs, msis;
};

/*
 * Invalidate the micro-TLB: after a command has been executed, or a register
 * written (under s->lock, so generation numbers have one writer).  A 32-bit
 * generation that wraps empties every entry first.
 */
void smmu_utlb_invalidate(struct ims_smmuv3 *s);

static inline uint64_t utlb_va(uint64_t addr, unsigned int access)
{
	return (addr & ~0xfffULL) | (access & 0xfu);
}

static inline struct utlb_entry *utlb_slot(const struct ims_smmuv3 *s, uint64_t key, uint64_t va)
{
	uint64_t h = ((va >> 12) ^ (va << 60) ^ (key >> 20)) * 0x9E3779B97F4A7C15ULL;

	/* Consecutive pages of one stream land in consecutive entries. */
	return &s->utlb[((va >> 12) + (h >> 56)) & (UTLB_ENTRIES - 1)];
}

/* Fill the entry of (@key, @va) unless another writer holds it (it is only a cache). */
static inline void utlb_fill(struct ims_smmuv3 *s, uint32_t gen, uint64_t key, uint64_t va,
			     uint64_t pa, uint8_t perm)
{
	struct utlb_entry *e = utlb_slot(s, key, va);
	uint32_t sq = atomic_load_explicit(&e->seq, memory_order_relaxed);

	if ((sq & 1) || !atomic_compare_exchange_strong_explicit(
				&e->seq, &sq, sq + 1, memory_order_acquire, memory_order_relaxed))
		return;
	atomic_store_explicit(&e->gen, gen, memory_order_release);
	atomic_store_explicit(&e->key, key, memory_order_release);
	atomic_store_explicit(&e->va, va, memory_order_release);
	atomic_store_explicit(&e->pa, (pa & ~0xfffULL) | perm, memory_order_release);
	atomic_store_explicit(&e->seq, sq + 2, memory_order_release);
}

/* smmuv3.c */
void smmu_record_event(struct ims_smmuv3 *s, const uint64_t rec[4]);
void smmu_fire_irqs(struct ims_smmuv3 *s);

/* smmuv3-xlate.c */
int smmu_translate(void *opaque, const struct ims_txn *txn, struct ims_txn_result *res);
/* Fetch and cache the STE of @sid (and CD @ssid) without recording events (PREFETCH_CONFIG). */
void smmu_prefetch_config(struct ims_smmuv3 *s, uint32_t sid, bool ssv, uint32_t ssid);

/* A counter bumped on hot paths: a plain relaxed load/store, approximate under races. */
static inline void smmu_inc_local(uint64_t *ctr)
{
	__atomic_store_n(ctr, __atomic_load_n(ctr, __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED);
}

static inline uint64_t smmu_ld64(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline uint32_t smmu_ld32(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline void smmu_inc(uint64_t *ctr)
{
	__atomic_fetch_add(ctr, 1, __ATOMIC_RELAXED);
}

/* The IDR5.OAS / CD.IPS / STE.S2PS encoding (IHI 0070 §6.3.6). */
static inline unsigned int smmu_decode_pa_size(unsigned int enc)
{
	static const uint8_t bits[] = { 32, 36, 40, 42, 44, 48, 52, 52 };

	return bits[enc & 7];
}

static inline struct xslot *xslot_of(struct cfgc *c, uint64_t key)
{
	/*
	 * Direct-mapped by the low bits of StreamID ^ SubstreamID, as a
	 * hardware table would be: consecutive streams (or substreams of one
	 * stream) take consecutive entries.  (Two instructions on the
	 * translation's critical path, where a multiplicative hash takes more.)
	 */
	return &c->xslots[(key ^ (key >> 24)) & c->xmask].s;
}

/*
 * The fast table, for the translate fast path: copy the first @len bytes of
 * the context for @key; on a hit, *@slot and *@seq name the version read, so
 * that more of it can be read later with xcache_more().
 */
static inline bool xcache_hot(struct cfgc *c, uint64_t key, struct smmu_xcfg *out, size_t len,
			      struct xslot **slot, uint32_t *seq)
{
	struct xslot *sl;
	uint32_t sq;

	if (!c->sets)
		return false;
	sl = xslot_of(c, key);
	sq = __atomic_load_n(&sl->seq, __ATOMIC_ACQUIRE);
	if ((sq & 1) || __atomic_load_n(&sl->key, SEQ_DATA_LD) != key)
		return false;
	seq_read_data(out, &sl->v, len);
	seq_read_fence();
	*slot = sl;
	*seq = sq;
	return __atomic_load_n(&sl->seq, __ATOMIC_RELAXED) == sq;
}

/* Copy @len bytes at @off of the version xcache_hot() read; false if it changed since. */
static inline bool xcache_more(struct xslot *sl, uint32_t seq, size_t off, void *out, size_t len)
{
	seq_read_data(out, (const uint8_t *)&sl->v + off, len);
	seq_read_fence();
	return __atomic_load_n(&sl->seq, __ATOMIC_RELAXED) == seq;
}

/* Whether the version of @sl that xcache_hot() read (@seq) is still the current one. */
static inline bool xcache_valid(struct xslot *sl, uint32_t seq)
{
	seq_read_fence();
	return __atomic_load_n(&sl->seq, __ATOMIC_RELAXED) == seq;
}

/* The fast table: copy the first @len bytes of the context for @key; true on a hit. */
static inline bool xcache_lookup(struct cfgc *c, uint64_t key, struct smmu_xcfg *out, size_t len)
{
	struct xslot *sl;
	uint32_t seq;

	if (!c->sets)
		return false;
	sl = xslot_of(c, key);
	seq = __atomic_load_n(&sl->seq, __ATOMIC_ACQUIRE);
	if ((seq & 1) || __atomic_load_n(&sl->key, SEQ_DATA_LD) != key)
		return false;
	seq_read_data(out, &sl->v, len);
	seq_read_fence();
	return __atomic_load_n(&sl->seq, __ATOMIC_RELAXED) == seq;
}

#endif
