/* SPDX-License-Identifier: MIT */
/*
 * The inline owner paths of the range caches (src/iova/iova-fast.h):
 * ims_iova_pop1()/ims_iova_push1() with their fallbacks, and the batch
 * ims_iova_free_fast_n(), give exactly what ims_iova_alloc_fast() and
 * ims_iova_free_fast() give.  Two domains run the same random operations,
 * one through the exported calls and one through the inline paths, and must
 * agree on every pfn and every snapshot; then the refusals one by one.
 */
#include <stdlib.h>

#include "../tap.h"
#include "iommusim/iova.h"
#include "iova/iova-fast.h"

#define LIMIT 0xfffffULL
#define LIVE 600

/* ims_iova_pop1()'s pfn, or 0 when it did not serve (pfn 0 is never handed out: start_pfn 1) */
static uint64_t pop1(uint64_t uid, uint64_t limit_pfn)
{
	uint64_t pfn;

	return ims_iova_pop1(uid, limit_pfn, &pfn) ? pfn : 0;
}

struct side {
	struct ims_iova_domain *d;
	uint64_t pfn[LIVE], size[LIVE];
	int npop, npush; /* how often the inline path itself served */
};

static uint64_t alloc1(struct side *s, bool inline_path, uint64_t limit, bool flush)
{
	uint64_t pfn = 0;

	if (inline_path && (pfn = pop1(ims_iova_domain_uid(s->d), limit)))
		s->npop++;
	return pfn ? pfn : ims_iova_alloc_fast(s->d, 1, limit, flush);
}

static void free1(struct side *s, bool inline_path, uint64_t pfn)
{
	if (inline_path && ims_iova_push1(ims_iova_domain_uid(s->d), pfn)) {
		s->npush++;
		return;
	}
	ims_iova_free_fast(s->d, pfn, 1);
}

static bool same_info(struct ims_iova_domain *a, struct ims_iova_domain *b)
{
	struct ims_iova_info x, y;

	ims_iova_get_info(a, &x);
	ims_iova_get_info(b, &y);
	return x.nodes == y.nodes && x.cached_pfns == y.cached_pfns &&
	       x.depot_mags == y.depot_mags && x.cached.pfn_lo == y.cached.pfn_lo &&
	       x.cached32.pfn_lo == y.cached32.pfn_lo && x.max32_alloc_size == y.max32_alloc_size;
}

/*
 * The same random operations on one side, recording every pfn returned.
 * The two sides run one after the other: the inline paths only serve the
 * domain this thread used last.
 */
static void run_side(struct side *s, bool inline_path, uint64_t seed, uint64_t *out, int nops,
		     uint64_t *snap)
{
	ims_iova_domain_create(&s->d, 4096, 1);
	for (int i = 0; i < nops; i++) {
		uint64_t r = tap_rand(&seed);
		int k = (int)(r % LIVE);
		/* mostly one granule (the inline case), some larger; limits that sometimes bind */
		uint64_t size = (r >> 20) % 8 ? 1 : 1 + (r >> 24) % 40;
		uint64_t limit = (r >> 32) % 16 ? LIMIT : 0xfff00 + (r >> 40) % 0x100;
		bool flush = (r >> 48) & 1;

		out[i] = 0;
		if (s->pfn[k] && (r >> 50) % 5 == 0) {
			/* a batch: free up to 300 live entries at once */
			struct ims_iova_fq_entry batch[300];
			size_t n = 0;

			for (int j = 0; j < LIVE && n < 300; j++) {
				int m = (k + j) % LIVE;

				if (!s->pfn[m])
					continue;
				if (inline_path)
					batch[n++] = (struct ims_iova_fq_entry){ s->pfn[m],
										 s->size[m], 0 };
				else
					ims_iova_free_fast(s->d, s->pfn[m], s->size[m]);
				s->pfn[m] = 0;
			}
			if (inline_path)
				ims_iova_free_fast_n(s->d, batch, n);
		} else if (s->pfn[k]) {
			if (s->size[k] == 1)
				free1(s, inline_path, s->pfn[k]);
			else
				ims_iova_free_fast(s->d, s->pfn[k], s->size[k]);
			s->pfn[k] = 0;
		} else {
			s->pfn[k] = size == 1 ? alloc1(s, inline_path, limit, flush)
					      : ims_iova_alloc_fast(s->d, size, limit, flush);
			s->size[k] = size;
			out[i] = s->pfn[k];
		}
		if (i % 101 == 0) {
			struct ims_iova_info x;

			ims_iova_get_info(s->d, &x);
			snap[i / 101] = x.nodes ^ (x.cached_pfns << 20) ^ (x.depot_mags << 40) ^
					(x.cached.pfn_lo << 8) ^ (x.cached32.pfn_lo << 28) ^
					x.max32_alloc_size;
		}
		if (i % 20011 == 20010)
			ims_iova_flush_rcaches(s->d);
	}
}

#define NOPS 60000

static void differential(void)
{
	static struct side a, b;
	static uint64_t pa[NOPS], pb[NOPS], sa[NOPS / 101 + 1], sb[NOPS / 101 + 1];
	uint64_t seed = tap_seed(0x1a1e);
	int first = -1, snaps = 0;

	run_side(&a, false, seed, pa, NOPS, sa);
	run_side(&b, true, seed, pb, NOPS, sb);
	for (int i = 0; i < NOPS && first < 0; i++)
		if (pa[i] != pb[i])
			first = i;
	if (first >= 0)
		diag("op %d: pfn 0x%llx vs 0x%llx", first, (unsigned long long)pa[first],
		     (unsigned long long)pb[first]);
	for (int i = 0; i <= NOPS / 101; i++)
		snaps += sa[i] != sb[i];
	is_int(first, -1, "%d operations: the inline paths return the same pfns", NOPS);
	is_int(snaps, 0, "and the two domains' snapshots agree throughout");
	ok(same_info(a.d, b.d), "and at the end");
	ok(b.npop > 1000 && b.npush > 1000, "the inline pop and push served (%d, %d)", b.npop,
	   b.npush);
	is_int(a.npop + a.npush, 0, "the exported calls alone on the other side");
	is_int(ims_iova_check(b.d), 0, "the domain fed by the inline paths is consistent");
	ims_iova_domain_destroy(a.d);
	ims_iova_domain_destroy(b.d);
}

static void refusals(void)
{
	struct ims_iova_domain *d, *e;
	struct ims_iova_info info;
	uint64_t uid, pfn, first, live[IMS_IOVA_MAG_SIZE + 5];
	int pushed;

	ims_iova_domain_create(&d, 4096, 1);
	ims_iova_domain_create(&e, 4096, 1);
	uid = ims_iova_domain_uid(d);
	ok(uid != ims_iova_domain_uid(e), "two domains have different uids");
	is_hex(pop1(uid, LIMIT), 0, "pop1 before this thread used the domain: 0");
	ok(!ims_iova_push1(uid, 5), "push1 before this thread used the domain: refused");
	ims_iova_get_info(d, &info);
	is_int(info.cached_pfns, 0, "and nothing was cached");

	first = ims_iova_alloc_fast(d, 1, LIMIT, true);
	is_hex(first, LIMIT, "alloc_iova_fast makes the thread's slot");
	ims_iova_free_fast(d, first, 1);
	is_hex(pop1(uid, LIMIT - 1), 0, "pop1 under a limit below the top pfn: 0");
	ims_iova_get_info(d, &info);
	is_int(info.cached_pfns, 1, "and the pfn stays cached");
	is_hex(pop1(uid, IMS_IOVA_ANCHOR), 0,
	       "pop1 with a limit of ~0 (refused by alloc_iova_fast too): 0");
	is_hex(ims_iova_alloc_fast(d, 1, IMS_IOVA_ANCHOR, true), 0,
	       "as alloc_iova_fast refuses it");
	is_hex(pop1(uid, LIMIT), first, "pop1 within the limit: the cached pfn");
	is_hex(pop1(uid, LIMIT), 0, "pop1 of an empty magazine: 0");

	/* another domain used last: the inline paths refuse, the calls still work */
	pfn = ims_iova_alloc_fast(e, 1, LIMIT, true);
	ok(!ims_iova_push1(uid, first), "push1 after another domain was used: refused");
	ims_iova_free_fast(d, first, 1);
	ims_iova_free_fast(e, pfn, 1);

	/* fill the loaded magazine through push1 until it refuses */
	ims_iova_flush_rcaches(d);
	for (int i = 0; i < IMS_IOVA_MAG_SIZE + 5; i++)
		live[i] = ims_iova_alloc_fast(d, 1, LIMIT, true);
	for (pushed = 0; pushed < IMS_IOVA_MAG_SIZE + 5; pushed++)
		if (!ims_iova_push1(uid, live[pushed]))
			break;
	is_int(pushed, IMS_IOVA_MAG_SIZE, "push1 fills the loaded magazine and no more");
	ims_iova_free_fast(d, live[pushed], 1);
	ok(ims_iova_push1(uid, live[pushed + 1]),
	   "once free_iova_fast() made room (prev swapped in), push1 serves again");
	for (int i = pushed + 2; i < IMS_IOVA_MAG_SIZE + 5; i++)
		ims_iova_free_fast(d, live[i], 1);
	ims_iova_get_info(d, &info);
	is_int(info.cached_pfns, IMS_IOVA_MAG_SIZE + 5, "every pfn is cached");
	is_int(ims_iova_check(d), 0, "the domain is consistent");
	ims_iova_domain_destroy(d);
	ims_iova_domain_destroy(e);
}

int main(void)
{
	differential();
	refusals();
	return tap_done();
}
