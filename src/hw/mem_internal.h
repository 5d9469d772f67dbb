/* SPDX-License-Identifier: MIT */
/*
 * Simulated memory internals, shared by mem.c and the hardware models' fast
 * paths (the VMSA walker reads descriptors through ims_mem_ram_ptr() rather
 * than through an exported call per descriptor).
 *
 * RAM regions are only added while the machine is being set up; once models
 * run, the region array is read-only, so these lookups take no lock.
 */
#ifndef IMS_HW_MEM_INTERNAL_H
#define IMS_HW_MEM_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <iommusim/hw.h>

#include "util/le.h"

struct ram {
	uint64_t base, size;
	uint8_t *host;
	int fd;
	uint64_t base_pfn, npages;
	/* buddy metadata, one entry per page */
	uint8_t *state;
	uint32_t *next, *prev;
	uint32_t free_head[IMS_MEM_MAX_ORDER + 1];
	uint64_t free_pages, alloc_pages, reserved_pages;
};

struct mmio {
	uint64_t base, size;
	const struct ims_mmio_ops *ops;
	void *opaque;
};

struct ims_mem {
	const struct ims_log *log;
	pthread_mutex_t lock; /* the page allocator */
	struct ram ram[IMS_MEM_MAX_REGIONS];
	unsigned int nr_ram;
	struct mmio mmio[IMS_MEM_MAX_REGIONS];
	unsigned int nr_mmio;
};

/*
 * 8-byte accesses to simulated RAM that another thread may make at the same
 * time -- a driver updating a page table entry while an SMMU walks the table:
 * single-copy atomic when naturally aligned, as the architecture makes
 * translation table accesses (DDI 0487 B2.2.1), and relaxed: ordering is the
 * driver's business (barriers, TLBI, CMD_SYNC).  ims_ram_ld64_aligned() is
 * for addresses known to be 8-byte aligned (descriptor fetches).
 */
static inline uint64_t ims_ram_ld64_aligned(const uint8_t *p)
{
	return le64toh(__atomic_load_n((const uint64_t *)(const void *)p, __ATOMIC_RELAXED));
}

static inline uint64_t ims_ram_ld64(const uint8_t *p)
{
	if (!((uintptr_t)p & 7))
		return ims_ram_ld64_aligned(p);
	return ims_ld_le64(p);
}

static inline void ims_ram_st64(uint8_t *p, uint64_t v)
{
	if (!((uintptr_t)p & 7))
		__atomic_store_n((uint64_t *)(void *)p, htole64(v), __ATOMIC_RELAXED);
	else
		ims_st_le64(p, v);
}

/* The RAM region holding all of [@pa, @pa + @len), or NULL. */
static inline struct ram *ims_mem_find_ram(struct ims_mem *mem, uint64_t pa, uint64_t len)
{
	for (unsigned int i = 0; i < mem->nr_ram; i++) {
		struct ram *r = &mem->ram[i];

		if (pa >= r->base && pa - r->base < r->size && len <= r->size - (pa - r->base))
			return r;
	}
	return NULL;
}

/*
 * ims_mem_ram_ptr() - the host address of the @len bytes of RAM at @pa.
 * @hint: the caller's one-entry cache of the last region used (may point at
 *        NULL); it is tried first and updated on a successful search.
 *
 * Return: the host pointer, or NULL when the range is not wholly in one RAM region.
 */
static inline uint8_t *ims_mem_ram_ptr(struct ims_mem *mem, uint64_t pa, uint64_t len,
				       const struct ram **hint)
{
	const struct ram *r = *hint;

	if (!r || pa < r->base || pa - r->base >= r->size || len > r->size - (pa - r->base)) {
		r = ims_mem_find_ram(mem, pa, len);
		if (!r)
			return (uint8_t *)0;
		*hint = r;
	}
	return r->host + (pa - r->base);
}

#endif
