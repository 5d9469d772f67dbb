// SPDX-License-Identifier: MIT
/*
 * The reference model behind ims_pgtable_fuzz_one() and the differential
 * tests.  It restates Linux 6.12's io-pgtable-arm rules per level, on flat
 * arrays: a leaf in the way is -EEXIST, a table where a block goes is
 * dropped with its contents, missing tables appear on the way down (and
 * stay, even when the map then fails), a block partly unmapped is split,
 * unmapping stops at the first empty entry, and one call never crosses
 * the end of a table.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pgtable/ref.h"

#define SZ_4K (1ULL << 12)
#define SZ_2M (1ULL << 21)
#define SZ_1G (1ULL << 30)

int ims_pgtable_ref_init(struct ims_pgtable_ref *ref)
{
	memset(ref, 0, sizeof(*ref));
	ref->l3 = calloc(IMS_REF_L3, sizeof(*ref->l3));
	return ref->l3 ? 0 : -ENOMEM;
}

void ims_pgtable_ref_fini(struct ims_pgtable_ref *ref)
{
	free(ref->l3);
	ref->l3 = NULL;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static void drop_l2_table(struct ims_pgtable_ref *ref, unsigned int i2)
{
	memset(&ref->l3[(size_t)i2 * 512], 0, 512 * sizeof(*ref->l3));
	ref->l2[i2] = REF_EMPTY;
}

static void drop_l1_table(struct ims_pgtable_ref *ref, unsigned int i1)
{
	for (unsigned int j = 0; j < 512; j++)
		drop_l2_table(ref, i1 * 512 + j);
	ref->l1[i1] = REF_EMPTY;
}

int ims_pgtable_ref_map(struct ims_pgtable_ref *ref, uint64_t iova, uint64_t pa, uint64_t size,
			uint64_t count, size_t *mapped)
{
	unsigned int i1 = (unsigned int)(iova / SZ_1G), i2 = (unsigned int)(iova / SZ_2M);
	uint64_t num;

	if (size == SZ_1G) {
		num = min_u64(count, 512 - i1);
		for (uint64_t i = 0; i < num; i++) {
			if (ref->l1[i1 + i] == REF_BLOCK)
				return -EEXIST;
			if (ref->l1[i1 + i] == REF_TABLE) {
				drop_l1_table(ref, (unsigned int)(i1 + i));
				ref->flush_walks++;
			}
		}
		for (uint64_t i = 0; i < num; i++) {
			ref->l1[i1 + i] = REF_BLOCK;
			ref->l1pa[i1 + i] = pa + i * SZ_1G;
		}
		*mapped += num * size;
		return 0;
	}

	if (ref->l1[i1] == REF_BLOCK)
		return -EEXIST;
	ref->l1[i1] = REF_TABLE;

	if (size == SZ_2M) {
		num = min_u64(count, 512 - (i2 & 511));
		for (uint64_t i = 0; i < num; i++) {
			if (ref->l2[i2 + i] == REF_BLOCK)
				return -EEXIST;
			if (ref->l2[i2 + i] == REF_TABLE) {
				drop_l2_table(ref, (unsigned int)(i2 + i));
				ref->flush_walks++;
			}
		}
		for (uint64_t i = 0; i < num; i++) {
			ref->l2[i2 + i] = REF_BLOCK;
			ref->l2pa[i2 + i] = pa + i * SZ_2M;
		}
		*mapped += num * size;
		return 0;
	}

	if (ref->l2[i2] == REF_BLOCK)
		return -EEXIST;
	ref->l2[i2] = REF_TABLE;
	{
		uint64_t p = iova / SZ_4K;

		num = min_u64(count, 512 - (p & 511));
		for (uint64_t i = 0; i < num; i++)
			if (ref->l3[p + i])
				return -EEXIST;
		for (uint64_t i = 0; i < num; i++)
			ref->l3[p + i] = (uint32_t)(((pa + i * SZ_4K) >> 12) + 1);
	}
	*mapped += num * size;
	return 0;
}

/* Replace the 2M block at @i2 with a table of pages. */
static void split_l2(struct ims_pgtable_ref *ref, unsigned int i2)
{
	for (unsigned int j = 0; j < 512; j++)
		ref->l3[(size_t)i2 * 512 + j] = (uint32_t)(((ref->l2pa[i2] + j * SZ_4K) >> 12) + 1);
	ref->l2[i2] = REF_TABLE;
}

static void split_l1(struct ims_pgtable_ref *ref, unsigned int i1)
{
	for (unsigned int j = 0; j < 512; j++) {
		ref->l2[i1 * 512 + j] = REF_BLOCK;
		ref->l2pa[i1 * 512 + j] = ref->l1pa[i1] + j * SZ_2M;
	}
	ref->l1[i1] = REF_TABLE;
}

uint64_t ims_pgtable_ref_unmap(struct ims_pgtable_ref *ref, uint64_t iova, uint64_t size,
			       uint64_t count)
{
	unsigned int i1 = (unsigned int)(iova / SZ_1G), i2 = (unsigned int)(iova / SZ_2M);
	uint64_t p = iova / SZ_4K, num, i;

	if (ref->l1[i1] == REF_EMPTY)
		return 0;
	if (size == SZ_1G) {
		num = min_u64(count, 512 - i1);
		for (i = 0; i < num && i1 + i < IMS_REF_L1; i++) {
			if (ref->l1[i1 + i] == REF_EMPTY)
				break;
			if (ref->l1[i1 + i] == REF_TABLE) {
				drop_l1_table(ref, (unsigned int)(i1 + i));
				ref->flush_walks++;
			} else {
				ref->l1[i1 + i] = REF_EMPTY;
				ref->add_pages++;
			}
		}
		return i * size;
	}
	if (ref->l1[i1] == REF_BLOCK) {
		split_l1(ref, i1);
		if (size == SZ_2M) {
			num = min_u64(count, 512 - (i2 & 511));
			for (i = 0; i < num; i++)
				ref->l2[i2 + i] = REF_EMPTY;
			ref->add_pages += num;
			return num * size;
		}
	}

	if (ref->l2[i2] == REF_EMPTY)
		return 0;
	if (size == SZ_2M) {
		num = min_u64(count, 512 - (i2 & 511));
		for (i = 0; i < num; i++) {
			if (ref->l2[i2 + i] == REF_EMPTY)
				break;
			if (ref->l2[i2 + i] == REF_TABLE) {
				drop_l2_table(ref, (unsigned int)(i2 + i));
				ref->flush_walks++;
			} else {
				ref->l2[i2 + i] = REF_EMPTY;
				ref->add_pages++;
			}
		}
		return i * size;
	}
	num = min_u64(count, 512 - (p & 511));
	if (ref->l2[i2] == REF_BLOCK) {
		split_l2(ref, i2);
		for (i = 0; i < num; i++)
			ref->l3[p + i] = 0;
		ref->add_pages += num;
		return num * size;
	}
	for (i = 0; i < num; i++) {
		if (!ref->l3[p + i])
			break;
		ref->l3[p + i] = 0;
		ref->add_pages++;
	}
	return i * size;
}

uint64_t ims_pgtable_ref_lookup(const struct ims_pgtable_ref *ref, uint64_t iova)
{
	unsigned int i1, i2;
	uint64_t p;

	if (iova >= IMS_REF_SPAN)
		return 0;
	i1 = (unsigned int)(iova / SZ_1G);
	i2 = (unsigned int)(iova / SZ_2M);
	p = iova / SZ_4K;
	if (ref->l1[i1] == REF_EMPTY)
		return 0;
	if (ref->l1[i1] == REF_BLOCK)
		return ref->l1pa[i1] + (iova & (SZ_1G - 1));
	if (ref->l2[i2] == REF_EMPTY)
		return 0;
	if (ref->l2[i2] == REF_BLOCK)
		return ref->l2pa[i2] + (iova & (SZ_2M - 1));
	if (!ref->l3[p])
		return 0;
	return ((uint64_t)(ref->l3[p] - 1) << 12) + (iova & (SZ_4K - 1));
}

int ims_pgtable_ref_l2_state(const struct ims_pgtable_ref *ref, unsigned int idx2)
{
	if (ref->l1[idx2 / 512] != REF_TABLE)
		return ref->l1[idx2 / 512] == REF_BLOCK ? REF_BLOCK : REF_EMPTY;
	return ref->l2[idx2];
}
