/* SPDX-License-Identifier: MIT */
/*
 * The SMMUv3 configuration cache: decoded STEs keyed by StreamID and decoded
 * CDs keyed by (StreamID, CD table index), IHI 0070 §16.2.
 *
 * Set-associative (CFGC_WAYS ways); a full set evicts one way, round robin.
 * Readers never lock: each slot is a seqlock, so a reader that races with a
 * writer sees a miss and refetches.  Writers serialise on @lock.  Entries
 * leave only by eviction or by CFGI_* commands (cfgc_inv()).
 */
#include <stdlib.h>
#include <string.h>

#include "hw/smmuv3/smmuv3-internal.h"
#include "util/compiler.h"

int cfgc_init(struct cfgc *c, unsigned int entries)
{
	memset(c, 0, sizeof(*c));
	if (pthread_mutex_init(&c->lock, NULL))
		return -ENOMEM;
	if (!entries) {
		/* No cache: one fast-table slot that stays empty (no key is 0). */
		c->xslots = calloc(1, sizeof(*c->xslots));
		if (!c->xslots) {
			cfgc_destroy(c);
			return -ENOMEM;
		}
		return 0;
	}
	c->sets = entries / CFGC_WAYS;
	c->slots = calloc((size_t)entries, sizeof(*c->slots));
	c->victim = calloc(c->sets, 1);
	c->xslots = calloc((size_t)entries, sizeof(*c->xslots));
	c->xmask = entries - 1;
	if (!c->slots || !c->victim || !c->xslots) {
		cfgc_destroy(c);
		return -ENOMEM;
	}
	return 0;
}

void cfgc_destroy(struct cfgc *c)
{
	free(c->slots);
	free(c->victim);
	free(c->xslots);
	c->xslots = NULL;
	c->slots = NULL;
	c->victim = NULL;
	pthread_mutex_destroy(&c->lock);
}

static inline unsigned int cfgc_set(const struct cfgc *c, uint64_t key)
{
	return (unsigned int)(((key ^ (key >> 24)) * 0x9E3779B97F4A7C15ULL) >> 40) & (c->sets - 1);
}

bool cfgc_lookup(struct cfgc *c, uint64_t key, void *out, size_t len)
{
	struct cfgc_slot *set;

	if (!c->sets)
		return false;
	set = &c->slots[(size_t)cfgc_set(c, key) * CFGC_WAYS];
	for (unsigned int w = 0; w < CFGC_WAYS; w++) {
		struct cfgc_slot *sl = &set[w];
		uint32_t seq = __atomic_load_n(&sl->seq, __ATOMIC_ACQUIRE);

		if (seq & 1)
			continue;
		if (__atomic_load_n(&sl->key, SEQ_DATA_LD) != key)
			continue;
		seq_read_data(out, &sl->v, len);
		seq_read_fence();
		if (__atomic_load_n(&sl->seq, __ATOMIC_RELAXED) != seq)
			break;
		smmu_inc_local(&c->hits);
		return true;
	}
	smmu_inc_local(&c->misses);
	return false;
}

static void xslot_write(struct xslot *sl, uint64_t key, const struct smmu_xcfg *v)
{
	uint32_t seq = sl->seq;

	__atomic_store_n(&sl->seq, seq + 1, __ATOMIC_RELAXED);
	seq_write_fence();
	__atomic_store_n(&sl->key, key, SEQ_ATOMIC_DATA ? __ATOMIC_RELEASE : __ATOMIC_RELAXED);
	if (v)
		seq_write_data(&sl->v, v, sizeof(*v));
	__atomic_store_n(&sl->seq, seq + 2, __ATOMIC_RELEASE);
}

void xcache_insert(struct cfgc *c, uint64_t key, const struct smmu_xcfg *v)
{
	if (!c->sets)
		return;
	pthread_mutex_lock(&c->lock);
	xslot_write(xslot_of(c, key), key, v);
	pthread_mutex_unlock(&c->lock);
}

static void slot_write(struct cfgc_slot *sl, uint64_t key, const void *val, size_t len)
{
	uint32_t seq = sl->seq;

	__atomic_store_n(&sl->seq, seq + 1, __ATOMIC_RELAXED);
	seq_write_fence();
	__atomic_store_n(&sl->key, key, SEQ_ATOMIC_DATA ? __ATOMIC_RELEASE : __ATOMIC_RELAXED);
	if (val)
		seq_write_data(&sl->v, val, len);
	__atomic_store_n(&sl->seq, seq + 2, __ATOMIC_RELEASE);
}

void cfgc_insert(struct cfgc *c, uint64_t key, const void *val, size_t len)
{
	struct cfgc_slot *set, *dst = NULL;
	unsigned int si;

	if (!c->sets)
		return;
	si = cfgc_set(c, key);
	set = &c->slots[(size_t)si * CFGC_WAYS];
	pthread_mutex_lock(&c->lock);
	for (unsigned int w = 0; w < CFGC_WAYS && !dst; w++)
		if (set[w].key == key)
			dst = &set[w];
	for (unsigned int w = 0; w < CFGC_WAYS && !dst; w++)
		if (set[w].key == CFGC_KEY_NONE)
			dst = &set[w];
	if (!dst) {
		dst = &set[c->victim[si]];
		c->victim[si] = (uint8_t)((c->victim[si] + 1) % CFGC_WAYS);
		smmu_inc(&c->evictions);
	}
	slot_write(dst, key, val, len);
	pthread_mutex_unlock(&c->lock);
}

unsigned int cfgc_inv(struct cfgc *c, uint64_t type, uint64_t sid_lo, uint64_t sid_hi, bool any_idx,
		      uint32_t idx)
{
	unsigned int n = 0;

	if (!c->sets)
		return 0;
	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < (size_t)c->sets * CFGC_WAYS; i++) {
		struct cfgc_slot *sl = &c->slots[i];
		uint64_t k = sl->key, sid = (k >> 24) & 0xffffffffULL;

		if (k == CFGC_KEY_NONE || !((k >> 62) & type))
			continue;
		if (sid < sid_lo || sid > sid_hi)
			continue;
		if ((k >> 62) == CFGC_KEY_CD && !any_idx && (k & GENMASK_ULL(19, 0)) != idx)
			continue;
		slot_write(sl, CFGC_KEY_NONE, NULL, 0);
		n++;
	}
	/* Resolved contexts derived from what was just removed go too. */
	for (size_t i = 0; i <= c->xmask; i++) {
		struct xslot *sl = &c->xslots[i].s;
		uint64_t k = sl->key, sid = (k >> 24) & 0xffffffffULL;

		if (!k || sid < sid_lo || sid > sid_hi)
			continue;
		if (!(type & CFGC_KEY_STE) && !any_idx && (k & GENMASK_ULL(19, 0)) != idx)
			continue;
		xslot_write(sl, 0, NULL);
	}
	__atomic_fetch_add(&c->invalidated, n, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&c->lock);
	return n;
}
