/* SPDX-License-Identifier: MIT */
/*
 * The floors: what a cache lookup and a 4-level walk cost with no model
 * around them, on this machine, in this run.  Every target is a ratio to one
 * of these, so figures carry across machines.
 */
#include <stdlib.h>
#include <string.h>

#include "bench.h"

/* floor-hash-probe: 4096 (key, value) slots, 1024 keys, next key = value. */
#define HP_SLOTS 4096
#define HP_KEYS 1024

struct hash_probe {
	uint64_t key[HP_SLOTS];
	uint64_t val[HP_SLOTS];
	uint64_t cur;
};

static inline uint64_t hp_hash(uint64_t k)
{
	return (k * 0x9E3779B97F4A7C15ULL) >> 52; /* 12 bits */
}

static void hash_probe_op(void *ctx, uint64_t i)
{
	struct hash_probe *h = ctx;
	uint64_t k = h->cur, s = hp_hash(k);

	(void)i;
	while (h->key[s] != k)
		s = (s + 1) & (HP_SLOTS - 1);
	h->cur = h->val[s];
}

static int run_hash_probe(const struct bench_opts *opts, struct bench_result *res)
{
	struct hash_probe *h = calloc(1, sizeof(*h));
	uint64_t keys[HP_KEYS], seed = 0x1234567;

	if (!h)
		return -12;
	for (int i = 0; i < HP_KEYS; i++) {
		uint64_t k, s;

		do {
			k = bench_rand(&seed) | 1; /* 0 marks an empty slot */
			s = hp_hash(k);
			while (h->key[s] && h->key[s] != k)
				s = (s + 1) & (HP_SLOTS - 1);
		} while (h->key[s] == k);
		h->key[s] = k;
		keys[i] = k;
	}
	/* value = the next key of a random cyclic order, so lookups chain. */
	for (int i = HP_KEYS - 1; i > 0; i--) {
		int j = (int)(bench_rand(&seed) % (uint64_t)(i + 1));
		uint64_t t = keys[i];

		keys[i] = keys[j];
		keys[j] = t;
	}
	for (int i = 0; i < HP_KEYS; i++) {
		uint64_t k = keys[i], s = hp_hash(k);

		while (h->key[s] != k)
			s = (s + 1) & (HP_SLOTS - 1);
		h->val[s] = keys[(i + 1) % HP_KEYS];
	}
	h->cur = keys[0];
	bench_run(res, hash_probe_op, h, opts->ops, 256);
	bench_keep(h->cur);
	free(h);
	return 0;
}

/* floor-chase4: four dependent loads through four 512-entry tables. */
struct chase4 {
	uint64_t t[4][512];
	uint64_t cur;
};

static void chase4_op(void *ctx, uint64_t i)
{
	struct chase4 *c = ctx;
	uint64_t x = c->cur;

	(void)i;
	x = c->t[0][x & 511];
	x = c->t[1][x & 511];
	x = c->t[2][x & 511];
	x = c->t[3][x & 511];
	c->cur = x;
}

static int run_chase4(const struct bench_opts *opts, struct bench_result *res)
{
	struct chase4 *c = calloc(1, sizeof(*c));
	uint64_t seed = 0xabcdef;

	if (!c)
		return -12;
	for (int l = 0; l < 4; l++)
		for (int i = 0; i < 512; i++)
			c->t[l][i] = bench_rand(&seed) & 511;
	bench_run(res, chase4_op, c, opts->ops, 256);
	bench_keep(c->cur);
	free(c);
	return 0;
}

static const struct bench_def floor_hash_probe = {
	"floor-hash-probe",
	"dependent lookups in a 4096-slot open-addressing table (cache-lookup floor)",
	run_hash_probe,
};
static const struct bench_def floor_chase4 = {
	"floor-chase4",
	"four dependent loads through four 512-entry tables (4-level walk floor)",
	run_chase4,
};

const struct bench_def *const bench_floor[] = { &floor_hash_probe, &floor_chase4, NULL };
