/* SPDX-License-Identifier: MIT */
/*
 * Simulated physical memory.
 *
 * RAM regions are memfds mapped MAP_SHARED|MAP_NORESERVE, so gigabytes of
 * simulated RAM cost only the pages touched, and the same pages can later be
 * mmap()ed into the process (dma_mmap_coherent).
 *
 * The page allocator is a binary buddy allocator per region, like the
 * kernel's, with its metadata kept host-side (never in simulated RAM, where a
 * device could corrupt it).  Buddies are found by physical frame number, so
 * blocks are naturally aligned in the physical address space.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/compiler.h"
#include "util/le.h"
#include "util/log.h"
#include "hw/mem_internal.h"
#include <iommusim/hw.h>

#define NIL UINT32_MAX
/* Per-page state byte: order in bits 0-5, plus one of the flags. */
#define PG_ORDER 0x3fu
#define PG_FREE 0x40u  /* head of a free block */
#define PG_ALLOC 0x80u /* head of an allocated block */
#define PG_RESV 0xc0u  /* head of a reserved block */

IMS_EXPORT int ims_mem_new(struct ims_mem **out, const struct ims_log *log)
{
	struct ims_mem *mem;

	if (!out)
		return -EINVAL;
	mem = calloc(1, sizeof(*mem));
	if (!mem)
		return -ENOMEM;
	mem->log = log;
	pthread_mutex_init(&mem->lock, NULL);
	*out = mem;
	return 0;
}

IMS_EXPORT void ims_mem_free(struct ims_mem *mem)
{
	if (!mem)
		return;
	for (unsigned int i = 0; i < mem->nr_ram; i++) {
		struct ram *r = &mem->ram[i];

		munmap(r->host, r->size);
		close(r->fd);
		free(r->state);
		free(r->next);
		free(r->prev);
	}
	pthread_mutex_destroy(&mem->lock);
	free(mem);
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

static bool range_taken(const struct ims_mem *mem, uint64_t base, uint64_t size)
{
	for (unsigned int i = 0; i < mem->nr_ram; i++)
		if (overlaps(base, size, mem->ram[i].base, mem->ram[i].size))
			return true;
	for (unsigned int i = 0; i < mem->nr_mmio; i++)
		if (overlaps(base, size, mem->mmio[i].base, mem->mmio[i].size))
			return true;
	return false;
}

/* --- buddy free lists ------------------------------------------------------ */

static void list_add(struct ram *r, uint32_t idx, unsigned int order)
{
	uint32_t head = r->free_head[order];

	r->next[idx] = head;
	r->prev[idx] = NIL;
	if (head != NIL)
		r->prev[head] = idx;
	r->free_head[order] = idx;
	r->state[idx] = (uint8_t)(PG_FREE | order);
	r->free_pages += 1ULL << order;
}

static void list_del(struct ram *r, uint32_t idx, unsigned int order)
{
	uint32_t n = r->next[idx], p = r->prev[idx];

	if (p != NIL)
		r->next[p] = n;
	else
		r->free_head[order] = n;
	if (n != NIL)
		r->prev[n] = p;
	r->state[idx] = 0;
	r->free_pages -= 1ULL << order;
}

/* Free a block [idx, idx + 2^order), merging with free buddies. */
static void buddy_free(struct ram *r, uint32_t idx, unsigned int order)
{
	while (order < IMS_MEM_MAX_ORDER) {
		uint64_t pfn = r->base_pfn + idx;
		uint64_t bpfn = pfn ^ (1ULL << order);
		uint32_t bidx;

		if (bpfn < r->base_pfn || bpfn + (1ULL << order) > r->base_pfn + r->npages)
			break;
		bidx = (uint32_t)(bpfn - r->base_pfn);
		if (r->state[bidx] != (PG_FREE | order))
			break;
		list_del(r, bidx, order);
		if (bidx < idx)
			idx = bidx;
		order++;
	}
	list_add(r, idx, order);
}

/* Add [idx, idx + n) to the free lists as maximal aligned blocks. */
static void buddy_add_range(struct ram *r, uint64_t idx, uint64_t n)
{
	while (n) {
		uint64_t pfn = r->base_pfn + idx;
		unsigned int order = pfn ? (unsigned int)__builtin_ctzll(pfn) : IMS_MEM_MAX_ORDER;

		if (order > IMS_MEM_MAX_ORDER)
			order = IMS_MEM_MAX_ORDER;
		while ((1ULL << order) > n)
			order--;
		list_add(r, (uint32_t)idx, order);
		idx += 1ULL << order;
		n -= 1ULL << order;
	}
}

IMS_EXPORT int ims_mem_add_ram(struct ims_mem *mem, uint64_t base, uint64_t size)
{
	struct ram *r;
	void *host;
	int fd;

	if (!mem || !size || !IS_ALIGNED(base, IMS_PAGE_SIZE) || !IS_ALIGNED(size, IMS_PAGE_SIZE) ||
	    base + size < base)
		return ims_error(-EINVAL, "ims_mem_add_ram: bad region 0x%llx+0x%llx",
				 (unsigned long long)base, (unsigned long long)size);
	if (size > IMS_MEM_MAX_RAM_SIZE || mem->nr_ram == IMS_MEM_MAX_REGIONS)
		return ims_error(-IMS_ELIMIT,
				 "ims_mem_add_ram: region 0x%llx+0x%llx exceeds limits",
				 (unsigned long long)base, (unsigned long long)size);
	if (range_taken(mem, base, size))
		return ims_error(-EINVAL, "ims_mem_add_ram: 0x%llx+0x%llx overlaps another region",
				 (unsigned long long)base, (unsigned long long)size);

	fd = memfd_create("iommusim-ram", MFD_CLOEXEC);
	if (fd < 0)
		return -ENOMEM;
	if (ftruncate(fd, (off_t)size) < 0) {
		close(fd);
		return -ENOMEM;
	}
	host = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0);
	if (host == MAP_FAILED) {
		close(fd);
		return -ENOMEM;
	}

	r = &mem->ram[mem->nr_ram];
	memset(r, 0, sizeof(*r));
	r->base = base;
	r->size = size;
	r->host = host;
	r->fd = fd;
	r->base_pfn = base >> IMS_PAGE_SHIFT;
	r->npages = size >> IMS_PAGE_SHIFT;
	r->state = calloc(r->npages, 1);
	r->next = calloc(r->npages, sizeof(uint32_t));
	r->prev = calloc(r->npages, sizeof(uint32_t));
	if (!r->state || !r->next || !r->prev) {
		free(r->state);
		free(r->next);
		free(r->prev);
		munmap(host, size);
		close(fd);
		return -ENOMEM;
	}
	for (unsigned int o = 0; o <= IMS_MEM_MAX_ORDER; o++)
		r->free_head[o] = NIL;
	buddy_add_range(r, 0, r->npages);
	mem->nr_ram++;
	return 0;
}

static struct ram *find_ram(struct ims_mem *mem, uint64_t pa, uint64_t len)
{
	return ims_mem_find_ram(mem, pa, len);
}

/*
 * Take the aligned block [@p, @p + 2^@want) out of the free block that holds
 * it, splitting that block down; the block is then reserved as a whole (its
 * head marked PG_RESV | @want), so a reservation costs per block, not per
 * page: a board whose /memreserve/ covers hundreds of GiB stays cheap.
 */
static bool reserve_block(struct ram *r, uint64_t p, unsigned int want)
{
	for (unsigned int o = want; o <= IMS_MEM_MAX_ORDER; o++) {
		uint64_t hp = ALIGN_DOWN(r->base_pfn + p, 1ULL << o);
		uint64_t h;

		if (hp < r->base_pfn)
			return false;
		h = hp - r->base_pfn;
		if (r->state[h] != (PG_FREE | o))
			continue;
		list_del(r, (uint32_t)h, o);
		while (o > want) {
			uint64_t half;

			o--;
			half = h + (1ULL << o);
			if (p >= half) {
				list_add(r, (uint32_t)h, o);
				h = half;
			} else {
				list_add(r, (uint32_t)half, o);
			}
		}
		r->state[h] = (uint8_t)(PG_RESV | want);
		r->reserved_pages += 1ULL << want;
		return true;
	}
	return false;
}

/*
 * Reserve [@p, @p + 2^@o) in address order: whole when one free block holds
 * it, else by halves.  Returns where it stopped: @p + 2^@o when all of it is
 * reserved, else the first page it could not take.
 */
static uint64_t reserve_chunk(struct ram *r, uint64_t p, unsigned int o)
{
	uint64_t q;

	if (reserve_block(r, p, o))
		return p + (1ULL << o);
	if (!o)
		return p;
	q = reserve_chunk(r, p, o - 1);
	if (q != p + (1ULL << (o - 1)))
		return q;
	return reserve_chunk(r, q, o - 1);
}

/* Give back the blocks reserve_chunk() took in [@p, @end). */
static void unreserve(struct ram *r, uint64_t p, uint64_t end)
{
	while (p < end) {
		unsigned int o = r->state[p] & ~PG_RESV;

		r->state[p] = 0;
		r->reserved_pages -= 1ULL << o;
		buddy_free(r, (uint32_t)p, o);
		p += 1ULL << o;
	}
}

IMS_EXPORT int ims_mem_reserve(struct ims_mem *mem, uint64_t base, uint64_t size)
{
	struct ram *r;
	uint64_t idx, end;

	if (!mem || !size || !IS_ALIGNED(base, IMS_PAGE_SIZE) || !IS_ALIGNED(size, IMS_PAGE_SIZE))
		return -EINVAL;
	r = find_ram(mem, base, size);
	if (!r)
		return -EINVAL;
	idx = (base - r->base) >> IMS_PAGE_SHIFT;
	end = idx + (size >> IMS_PAGE_SHIFT);
	pthread_mutex_lock(&mem->lock);
	for (uint64_t p = idx; p < end;) {
		uint64_t pfn = r->base_pfn + p, q;
		unsigned int o = pfn ? (unsigned int)__builtin_ctzll(pfn) : IMS_MEM_MAX_ORDER;

		if (o > IMS_MEM_MAX_ORDER)
			o = IMS_MEM_MAX_ORDER;
		while ((1ULL << o) > end - p)
			o--;
		q = reserve_chunk(r, p, o);
		if (q != p + (1ULL << o)) {
			/* A page is taken: give back what this call reserved. */
			unreserve(r, idx, q);
			pthread_mutex_unlock(&mem->lock);
			return -EBUSY;
		}
		p = q;
	}
	pthread_mutex_unlock(&mem->lock);
	return 0;
}

static int alloc_in(struct ram *r, unsigned int order, uint64_t max_pa, uint64_t *pa)
{
	for (unsigned int o = order; o <= IMS_MEM_MAX_ORDER; o++) {
		uint32_t idx = r->free_head[o];

		/* With a limit, any block whose first 2^order pages fit will do. */
		while (idx != NIL) {
			uint64_t start = r->base + ((uint64_t)idx << IMS_PAGE_SHIFT);

			if (start + (IMS_PAGE_SIZE << order) - 1 <= max_pa)
				break;
			idx = r->next[idx];
		}
		if (idx == NIL)
			continue;
		list_del(r, idx, o);
		while (o > order) {
			o--;
			list_add(r, idx + (1u << o), o);
		}
		r->state[idx] = (uint8_t)(PG_ALLOC | order);
		r->alloc_pages += 1ULL << order;
		*pa = r->base + ((uint64_t)idx << IMS_PAGE_SHIFT);
		return 0;
	}
	return -ENOMEM;
}

IMS_EXPORT int ims_mem_alloc_pages(struct ims_mem *mem, uint64_t *pa, unsigned int order,
				   uint64_t max_pa, unsigned int flags)
{
	int ret = -ENOMEM;

	if (!mem || !pa || order > IMS_MEM_MAX_ORDER)
		return -EINVAL;
	pthread_mutex_lock(&mem->lock);
	for (unsigned int i = 0; i < mem->nr_ram && ret; i++)
		if (mem->ram[i].base < max_pa)
			ret = alloc_in(&mem->ram[i], order, max_pa, pa);
	pthread_mutex_unlock(&mem->lock);
	if (!ret && (flags & IMS_MEM_ZERO))
		memset(ims_mem_host_ptr(mem, *pa, IMS_PAGE_SIZE << order), 0,
		       IMS_PAGE_SIZE << order);
	return ret;
}

IMS_EXPORT int ims_mem_free_pages(struct ims_mem *mem, uint64_t pa, unsigned int order)
{
	struct ram *r;
	uint32_t idx;

	if (!mem || order > IMS_MEM_MAX_ORDER || !IS_ALIGNED(pa, IMS_PAGE_SIZE))
		return -EINVAL;
	r = find_ram(mem, pa, IMS_PAGE_SIZE << order);
	if (!r)
		return -EINVAL;
	idx = (uint32_t)((pa - r->base) >> IMS_PAGE_SHIFT);
	pthread_mutex_lock(&mem->lock);
	if (r->state[idx] != (PG_ALLOC | order)) {
		pthread_mutex_unlock(&mem->lock);
		return -EINVAL;
	}
	r->state[idx] = 0;
	r->alloc_pages -= 1ULL << order;
	buddy_free(r, idx, order);
	pthread_mutex_unlock(&mem->lock);
	return 0;
}

IMS_EXPORT unsigned int ims_mem_order_for(uint64_t size, uint64_t align)
{
	uint64_t need = IMS_MAX(size, align);
	unsigned int order = 0;

	while ((IMS_PAGE_SIZE << order) < need && order <= IMS_MEM_MAX_ORDER)
		order++;
	return order;
}

IMS_EXPORT int ims_mem_alloc(struct ims_mem *mem, uint64_t *pa, uint64_t size, uint64_t align,
			     unsigned int flags)
{
	if (!size || (align && !ims_is_power_of_2(align)))
		return -EINVAL;
	return ims_mem_alloc_pages(mem, pa, ims_mem_order_for(size, align), UINT64_MAX, flags);
}

IMS_EXPORT int ims_mem_free_block(struct ims_mem *mem, uint64_t pa, uint64_t size)
{
	return ims_mem_free_pages(mem, pa, ims_mem_order_for(size, 0));
}

/* --- access --------------------------------------------------------------- */

IMS_EXPORT void *ims_mem_host_ptr(struct ims_mem *mem, uint64_t pa, uint64_t len)
{
	struct ram *r = find_ram(mem, pa, len);

	return r ? r->host + (pa - r->base) : NULL;
}

IMS_EXPORT int ims_mem_ram_region(struct ims_mem *mem, unsigned int idx, uint64_t *base,
				  uint64_t *size)
{
	if (!mem || idx >= mem->nr_ram)
		return -ENOENT;
	*base = mem->ram[idx].base;
	*size = mem->ram[idx].size;
	return 0;
}

IMS_EXPORT int ims_mem_virt_to_phys(struct ims_mem *mem, const void *ptr, uint64_t *pa)
{
	const uint8_t *p = ptr;

	if (!mem || !ptr || !pa)
		return -EINVAL;
	for (unsigned int i = 0; i < mem->nr_ram; i++) {
		const struct ram *r = &mem->ram[i];

		if (p >= r->host && (uint64_t)(p - r->host) < r->size) {
			*pa = r->base + (uint64_t)(p - r->host);
			return 0;
		}
	}
	return -EFAULT;
}

IMS_EXPORT bool ims_mem_is_ram(struct ims_mem *mem, uint64_t pa, uint64_t len)
{
	return find_ram(mem, pa, len) != NULL;
}

IMS_EXPORT int ims_mem_ram_fd(struct ims_mem *mem, uint64_t pa, int *fd, uint64_t *offset)
{
	struct ram *r = find_ram(mem, pa, 1);

	if (!r)
		return -EFAULT;
	*fd = r->fd;
	*offset = pa - r->base;
	return 0;
}

IMS_EXPORT int ims_mem_read(struct ims_mem *mem, uint64_t pa, void *buf, uint64_t len)
{
	void *p = ims_mem_host_ptr(mem, pa, len);

	if (!p)
		return -EFAULT;
	memcpy(buf, p, len);
	return 0;
}

IMS_EXPORT int ims_mem_write(struct ims_mem *mem, uint64_t pa, const void *buf, uint64_t len)
{
	void *p = ims_mem_host_ptr(mem, pa, len);

	if (!p)
		return -EFAULT;
	memcpy(p, buf, len);
	return 0;
}

IMS_EXPORT int ims_mem_set(struct ims_mem *mem, uint64_t pa, int c, uint64_t len)
{
	void *p = ims_mem_host_ptr(mem, pa, len);

	if (!p)
		return -EFAULT;
	memset(p, c, len);
	return 0;
}

IMS_EXPORT int ims_mem_read32(struct ims_mem *mem, uint64_t pa, uint32_t *val)
{
	void *p = ims_mem_host_ptr(mem, pa, 4);

	if (!p)
		return -EFAULT;
	*val = ims_ld_le32(p);
	return 0;
}

IMS_EXPORT int ims_mem_read64(struct ims_mem *mem, uint64_t pa, uint64_t *val)
{
	void *p = ims_mem_host_ptr(mem, pa, 8);

	if (!p)
		return -EFAULT;
	*val = ims_ram_ld64(p);
	return 0;
}

IMS_EXPORT int ims_mem_write32(struct ims_mem *mem, uint64_t pa, uint32_t val)
{
	void *p = ims_mem_host_ptr(mem, pa, 4);

	if (!p)
		return -EFAULT;
	ims_st_le32(p, val);
	return 0;
}

IMS_EXPORT int ims_mem_write64(struct ims_mem *mem, uint64_t pa, uint64_t val)
{
	void *p = ims_mem_host_ptr(mem, pa, 8);

	if (!p)
		return -EFAULT;
	ims_ram_st64(p, val);
	return 0;
}

/* --- MMIO ----------------------------------------------------------------- */

IMS_EXPORT int ims_mem_add_mmio(struct ims_mem *mem, uint64_t base, uint64_t size,
				const struct ims_mmio_ops *ops, void *opaque)
{
	struct mmio *m;

	if (!mem || !ops || !size || base + size < base)
		return -EINVAL;
	if (mem->nr_mmio == IMS_MEM_MAX_REGIONS)
		return -IMS_ELIMIT;
	if (range_taken(mem, base, size))
		return ims_error(-EINVAL, "MMIO region 0x%llx+0x%llx overlaps another region",
				 (unsigned long long)base, (unsigned long long)size);
	m = &mem->mmio[mem->nr_mmio++];
	m->base = base;
	m->size = size;
	m->ops = ops;
	m->opaque = opaque;
	return 0;
}

IMS_EXPORT int ims_mem_remove_mmio(struct ims_mem *mem, uint64_t base)
{
	for (unsigned int i = 0; i < mem->nr_mmio; i++) {
		if (mem->mmio[i].base == base) {
			mem->mmio[i] = mem->mmio[--mem->nr_mmio];
			return 0;
		}
	}
	return -ENOENT;
}

static struct mmio *find_mmio(struct ims_mem *mem, uint64_t pa, unsigned int size)
{
	for (unsigned int i = 0; i < mem->nr_mmio; i++) {
		struct mmio *m = &mem->mmio[i];

		if (pa >= m->base && pa - m->base < m->size && size <= m->size - (pa - m->base))
			return m;
	}
	return NULL;
}

IMS_EXPORT int ims_mmio_read(struct ims_mem *mem, uint64_t pa, unsigned int size, uint64_t *val)
{
	struct mmio *m;

	if (!mem || !val || (size != 4 && size != 8) || (pa & (size - 1)))
		return -EINVAL;
	m = find_mmio(mem, pa, size);
	if (!m || !m->ops->read)
		return -EFAULT;
	*val = 0;
	return m->ops->read(m->opaque, pa - m->base, size, val);
}

IMS_EXPORT int ims_mmio_write(struct ims_mem *mem, uint64_t pa, unsigned int size, uint64_t val)
{
	struct mmio *m;

	if (!mem || (size != 4 && size != 8) || (pa & (size - 1)))
		return -EINVAL;
	m = find_mmio(mem, pa, size);
	if (!m || !m->ops->write)
		return -EFAULT;
	if (size == 4)
		val &= 0xffffffffu;
	return m->ops->write(m->opaque, pa - m->base, size, val);
}

IMS_EXPORT void ims_mem_get_stats(struct ims_mem *mem, struct ims_mem_stats *st)
{
	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&mem->lock);
	for (unsigned int i = 0; i < mem->nr_ram; i++) {
		const struct ram *r = &mem->ram[i];

		st->ram_bytes += r->size;
		st->free_bytes += r->free_pages << IMS_PAGE_SHIFT;
		st->allocated_bytes += r->alloc_pages << IMS_PAGE_SHIFT;
		st->reserved_bytes += r->reserved_pages << IMS_PAGE_SHIFT;
	}
	pthread_mutex_unlock(&mem->lock);
	st->ram_regions = mem->nr_ram;
	st->mmio_regions = mem->nr_mmio;
}
