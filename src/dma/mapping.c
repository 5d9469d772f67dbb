// SPDX-License-Identifier: MIT
/*
 * The DMA API entry points and their dispatch, after Linux 6.12
 * kernel/dma/mapping.c: use_dma_iommu() -> dma-iommu, no ops -> dma-direct,
 * dma_dummy_ops -> clean failure.  Also the per-system state, the CPU buffer
 * allocator over simulated RAM and the memfd-backed CPU and user mappings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "dma/dma-iommu.h"
#include "dma/dma-private.h"
#include "util/compiler.h"
#include "util/log.h"

/* ---- per-system state ------------------------------------------------------------ */

static void ctx_free(void *p)
{
	struct ims_dma_ctx *ctx = p;

	if (!ctx)
		return;
	ims_iommu_dma_ctx_gone(ctx);
	ims_dma_debug_exit(ctx);
	ims_swiotlb_free(ctx);
	for (unsigned int i = 0; i < ctx->nr_remaps; i++) {
		munmap(ctx->remaps[i].cpu_addr, ctx->remaps[i].npages * IMS_PAGE_SIZE);
		free(ctx->remaps[i].pages);
	}
	free(ctx->remaps);
	pthread_mutex_destroy(&ctx->lock);
	free(ctx);
}

/*
 * arm64 zone_sizes_init() / max_zone_phys(): ZONE_DMA ends at the lowest CPU
 * address every dma-ranges can reach, at most 4 GiB when RAM starts below it.
 */
static void ctx_scan_ram(struct ims_dma_ctx *ctx)
{
	const struct ims_of_tree *tree = ims_devcore_tree(ctx->core);
	uint64_t base, size, limit;

	ctx->ram_start = UINT64_MAX;
	ctx->ram_end = 0;
	for (unsigned int i = 0; !ims_mem_ram_region(ctx->mem, i, &base, &size); i++) {
		if (size > ctx->ram0_size) {
			ctx->ram0_base = base;
			ctx->ram0_size = size;
		}
		ctx->ram_start = IMS_MIN(ctx->ram_start, base);
		ctx->ram_end = IMS_MAX(ctx->ram_end, base + size - 1);
	}
	if (ctx->ram_start == UINT64_MAX)
		ctx->ram_start = 0;
	limit = tree ? ims_of_dma_get_max_cpu_address(tree, IMS_OF_NONE) : UINT64_MAX;
	if (ctx->ram_start < 0xffffffffULL)
		limit = IMS_MIN(limit, 0xffffffffULL);
	ctx->zone_dma_limit = IMS_MIN(limit, ctx->ram_end);
}

static struct ims_dma_ctx *ctx_new(struct ims_devcore *core, const struct ims_dma_opts *opts)
{
	struct ims_dma_ctx *ctx;

	if (!core || !ims_devcore_mem(core))
		return NULL;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return NULL;
	ctx->core = core;
	ctx->mem = ims_devcore_mem(core);
	ctx->log = ims_devcore_log(core);
	if (opts)
		ctx->opts = *opts;
	if (!ctx->opts.fq_size)
		ctx->opts.fq_size = IMS_IOVA_DEFAULT_FQ_SIZE;
	pthread_mutex_init(&ctx->lock, NULL);
	ctx_scan_ram(ctx);
	if (ims_dma_debug_init(ctx)) {
		ctx_free(ctx);
		return NULL;
	}
	return ctx;
}

static struct ims_dma_ctx *ctx_install(struct ims_devcore *core, struct ims_dma_ctx *ctx)
{
	struct ims_dma_ctx *got =
		ims_devcore_install_dma_ctx(core, ctx, ctx_free, ims_debug_dma_unbound);

	if (got != ctx)
		ctx_free(ctx);
	return got;
}

struct ims_dma_ctx *ims_dma_ctx_get(struct ims_device *dev)
{
	struct ims_dma_ctx *ctx;

	if (!dev || !dev->core)
		return NULL;
	ctx = ims_devcore_dma_ctx(dev->core);
	if (ctx)
		return ctx;
	ctx = ctx_new(dev->core, NULL);
	return ctx ? ctx_install(dev->core, ctx) : NULL;
}

/*
 * ims_dma_ctx_get() for a device already known to be non-NULL: for an IOMMU
 * device once its DMA domain has its cookie, loads only (no call); otherwise
 * the driver core's pointer.
 */
static inline struct ims_dma_ctx *dev_dma_ctx(struct ims_device *dev)
{
	struct ims_dma_ctx *ctx =
		likely(dev->dma_ops == IMS_DMA_OPS_IOMMU) ? ims_iommu_dma_dev_ctx(dev) : NULL;

	if (likely(ctx))
		return ctx;
	ctx = dev->core ? ims_devcore_dma_ctx(dev->core) : NULL;
	return likely(ctx) ? ctx : ims_dma_ctx_get(dev);
}

IMS_EXPORT int ims_dma_setup(struct ims_devcore *core, const struct ims_dma_opts *opts)
{
	struct ims_dma_ctx *ctx;

	if (!core)
		return -EINVAL;
	if (ims_devcore_dma_ctx(core))
		return ims_error(-EBUSY, "ims_dma_setup: the DMA layer is already in use");
	if (!ims_devcore_mem(core))
		return ims_error(-ENODEV, "ims_dma_setup: the driver core has no memory");
	ctx = ctx_new(core, opts);
	if (!ctx)
		return -ENOMEM;
	if (ctx_install(core, ctx) != ctx)
		return ims_error(-EBUSY, "ims_dma_setup: the DMA layer is already in use");
	if (ctx->opts.swiotlb_early)
		return ims_swiotlb_init(ctx);
	return 0;
}

IMS_EXPORT void ims_dma_get_stats(struct ims_devcore *core, struct ims_dma_stats *st)
{
	struct ims_dma_ctx *ctx = ims_devcore_dma_ctx(core);

	memset(st, 0, sizeof(*st));
	if (!ctx)
		return;
	st->cache_clean = ctx->cache_clean;
	st->cache_inval = ctx->cache_inval;
	st->swiotlb_maps = ctx->swiotlb_maps;
	st->swiotlb_full = ctx->swiotlb_full;
	st->fq_queued = ctx->fq_queued + ims_iommu_dma_fq_queued(ctx);
	st->fq_flushes = ctx->fq_flushes;
	for (int i = 0; i < IMS_DMA_DEBUG_NR; i++)
		st->debug_errors += ctx->debug_counts[i];
	pthread_mutex_lock(&ctx->lock);
	if (ctx->swiotlb) {
		pthread_mutex_lock(&ctx->swiotlb->lock);
		st->swiotlb_used = ctx->swiotlb->used;
		pthread_mutex_unlock(&ctx->swiotlb->lock);
		st->swiotlb_nslabs = ctx->swiotlb->nslabs;
		st->swiotlb_base = ctx->swiotlb->start;
	}
	pthread_mutex_unlock(&ctx->lock);
}

void ims_dma_report(struct ims_device *dev, enum ims_log_level level, const char *fmt, ...)
{
	char body[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	/* err_printk(): pr_fmt "DMA-API: ", then dev_driver_string() and dev_name(). */
	ims_dev_record_msg(dev, level, "DMA-API: %s %s: %s",
			   dev->driver ? dev->driver->name
				       : (dev->bus == IMS_BUS_PCI ? "pci" : "platform"),
			   dev->name, body);
	ims_logf(ims_devcore_log(dev->core), level, "DMA-API: %s %s: %s",
		 dev->driver ? dev->driver->name : (dev->bus == IMS_BUS_PCI ? "pci" : "platform"),
		 dev->name, body);
}

void ims_arch_sync_dma_for_device(struct ims_dma_ctx *ctx, uint64_t paddr, size_t size,
				  enum ims_dma_data_direction dir)
{
	/* arm64: dcache_clean_poc() for every direction. */
	(void)paddr;
	(void)size;
	(void)dir;
	atomic_fetch_add_explicit(&ctx->cache_clean, 1, memory_order_relaxed);
}

void ims_arch_sync_dma_for_cpu(struct ims_dma_ctx *ctx, uint64_t paddr, size_t size,
			       enum ims_dma_data_direction dir)
{
	(void)paddr;
	(void)size;
	/* arm64: dcache_inval_poc() unless the device only read. */
	if (dir != IMS_DMA_TO_DEVICE)
		atomic_fetch_add_explicit(&ctx->cache_inval, 1, memory_order_relaxed);
}

/* ---- CPU buffers -------------------------------------------------------------------- */

IMS_EXPORT void *ims_kmalloc(struct ims_mem *mem, size_t size)
{
	uint64_t pa;

	if (!mem || !size)
		return NULL;
	if (ims_mem_alloc(mem, &pa, size, IMS_PAGE_SIZE, IMS_MEM_ZERO))
		return NULL;
	return ims_mem_host_ptr(mem, pa, size);
}

IMS_EXPORT void ims_kfree(struct ims_mem *mem, void *ptr)
{
	uint64_t pa;

	if (!mem || !ptr || ims_mem_virt_to_phys(mem, ptr, &pa))
		return;
	/* The allocator knows each block's order: exactly one order frees it. */
	for (unsigned int order = 0; order <= IMS_MEM_MAX_ORDER; order++)
		if (!ims_mem_free_pages(mem, pa, order))
			return;
}

IMS_EXPORT uint64_t ims_virt_to_phys(struct ims_mem *mem, const void *ptr)
{
	uint64_t pa;

	return ims_mem_virt_to_phys(mem, ptr, &pa) ? ~0ULL : pa;
}

IMS_EXPORT void *ims_phys_to_virt(struct ims_mem *mem, uint64_t pa)
{
	return ims_mem_host_ptr(mem, pa, 1);
}

IMS_EXPORT void ims_sg_init_table(struct ims_scatterlist *sg, unsigned int nents)
{
	if (sg)
		memset(sg, 0, sizeof(*sg) * nents);
}

IMS_EXPORT int ims_sg_set_buf(struct ims_mem *mem, struct ims_scatterlist *sg, const void *buf,
			      unsigned int len)
{
	uint64_t pa;

	if (ims_mem_virt_to_phys(mem, buf, &pa))
		return -EFAULT;
	sg->phys = pa;
	sg->length = len;
	return 0;
}

IMS_EXPORT void ims_sg_free_table(struct ims_sg_table *sgt)
{
	if (!sgt)
		return;
	free(sgt->sgl);
	sgt->sgl = NULL;
	sgt->nents = sgt->orig_nents = 0;
}

/* ---- memfd mappings: vmap() and the user mmap ----------------------------------------- */

/* Map @npages pages from their memfds at @va (MAP_FIXED over a reserved range). */
static int map_pages_at(struct ims_dma_ctx *ctx, uint8_t *va, const uint64_t *pages,
			unsigned int npages)
{
	for (unsigned int i = 0; i < npages; i++) {
		uint64_t off;
		int fd;

		if (ims_mem_ram_fd(ctx->mem, pages[i], &fd, &off))
			return -EFAULT;
		if (mmap(va + (size_t)i * IMS_PAGE_SIZE, IMS_PAGE_SIZE, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, fd, (off_t)off) == MAP_FAILED)
			return -ENOMEM;
	}
	return 0;
}

static void *reserve_va(size_t len)
{
	void *va = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return va == MAP_FAILED ? NULL : va;
}

void *ims_dma_vmap(struct ims_dma_ctx *ctx, const uint64_t *pages, unsigned int npages)
{
	size_t len = (size_t)npages * IMS_PAGE_SIZE;
	struct dma_remap *r;
	uint8_t *va;

	va = reserve_va(len);
	if (!va)
		return NULL;
	if (map_pages_at(ctx, va, pages, npages))
		goto fail;
	pthread_mutex_lock(&ctx->lock);
	if (ctx->nr_remaps == ctx->cap_remaps) {
		unsigned int cap = ctx->cap_remaps ? ctx->cap_remaps * 2 : 16;
		void *n = realloc(ctx->remaps, cap * sizeof(*ctx->remaps));

		if (!n) {
			pthread_mutex_unlock(&ctx->lock);
			goto fail;
		}
		ctx->remaps = n;
		ctx->cap_remaps = cap;
	}
	r = &ctx->remaps[ctx->nr_remaps];
	r->pages = malloc(npages * sizeof(*pages));
	if (!r->pages) {
		pthread_mutex_unlock(&ctx->lock);
		goto fail;
	}
	memcpy(r->pages, pages, npages * sizeof(*pages));
	r->npages = npages;
	r->size = len;
	r->cpu_addr = va;
	ctx->nr_remaps++;
	pthread_mutex_unlock(&ctx->lock);
	return va;
fail:
	munmap(va, len);
	return NULL;
}

/* find_vm_area(): the caller must not race with ims_dma_vunmap() of the same buffer. */
struct dma_remap *ims_dma_find_remap(struct ims_dma_ctx *ctx, const void *cpu_addr)
{
	struct dma_remap *found = NULL;

	pthread_mutex_lock(&ctx->lock);
	for (unsigned int i = 0; i < ctx->nr_remaps; i++)
		if (ctx->remaps[i].cpu_addr == cpu_addr)
			found = &ctx->remaps[i];
	pthread_mutex_unlock(&ctx->lock);
	return found;
}

void ims_dma_vunmap(struct ims_dma_ctx *ctx, void *cpu_addr)
{
	pthread_mutex_lock(&ctx->lock);
	for (unsigned int i = 0; i < ctx->nr_remaps; i++) {
		if (ctx->remaps[i].cpu_addr != cpu_addr)
			continue;
		munmap(cpu_addr, ctx->remaps[i].size);
		free(ctx->remaps[i].pages);
		ctx->remaps[i] = ctx->remaps[--ctx->nr_remaps];
		break;
	}
	pthread_mutex_unlock(&ctx->lock);
}

/* vm_map_pages(): -ENXIO when the vma does not fit the buffer. */
int ims_dma_mmap_pages(struct ims_dma_ctx *ctx, struct ims_vm_area *vma, const uint64_t *pages,
		       unsigned int npages)
{
	size_t vma_pages = (vma->len + IMS_PAGE_SIZE - 1) / IMS_PAGE_SIZE;
	uint8_t *va;
	int ret;

	if (!vma_pages || vma->vm_pgoff >= npages || vma_pages > npages - vma->vm_pgoff)
		return -ENXIO;
	va = reserve_va(vma_pages * IMS_PAGE_SIZE);
	if (!va)
		return -ENOMEM;
	ret = map_pages_at(ctx, va, pages + vma->vm_pgoff, (unsigned int)vma_pages);
	if (ret) {
		munmap(va, vma_pages * IMS_PAGE_SIZE);
		return ret;
	}
	vma->addr = va;
	return 0;
}

IMS_EXPORT void ims_dma_munmap(struct ims_vm_area *vma)
{
	if (!vma || !vma->addr)
		return;
	munmap(vma->addr, ALIGN_UP(vma->len, IMS_PAGE_SIZE));
	vma->addr = NULL;
}

/* ---- dispatch ------------------------------------------------------------------------ */

static bool use_dma_iommu(const struct ims_device *dev)
{
	return dev->dma_ops == IMS_DMA_OPS_IOMMU;
}

static bool dma_is_dummy(const struct ims_device *dev)
{
	return dev->dma_ops == IMS_DMA_OPS_DUMMY;
}

static bool valid_dir(enum ims_dma_data_direction dir)
{
	return dir == IMS_DMA_BIDIRECTIONAL || dir == IMS_DMA_TO_DEVICE ||
	       dir == IMS_DMA_FROM_DEVICE;
}

IMS_EXPORT bool ims_dma_supported(struct ims_device *dev, uint64_t mask)
{
	struct ims_dma_ctx *ctx;

	if (!dev || dma_is_dummy(dev))
		return false; /* dma_dummy_supported() */
	if (use_dma_iommu(dev))
		return true;
	ctx = ims_dma_ctx_get(dev);
	return ctx ? ims_dma_direct_supported(ctx, dev, mask) : mask >= DMA_BIT_MASK(32);
}

IMS_EXPORT int ims_dma_set_mask(struct ims_device *dev, uint64_t mask)
{
	if (!dev || !dev->has_dma_mask || !ims_dma_supported(dev, mask))
		return -EIO;
	dev->dma_mask = mask;
	ims_dma_fast_invalidate(dev);
	return 0;
}

IMS_EXPORT int ims_dma_set_coherent_mask(struct ims_device *dev, uint64_t mask)
{
	if (!dev || !ims_dma_supported(dev, mask))
		return -EIO;
	dev->coherent_dma_mask = mask;
	ims_dma_fast_invalidate(dev);
	return 0;
}

IMS_EXPORT int ims_dma_set_mask_and_coherent(struct ims_device *dev, uint64_t mask)
{
	int rc = ims_dma_set_mask(dev, mask);

	if (rc == 0)
		ims_dma_set_coherent_mask(dev, mask);
	return rc;
}

IMS_EXPORT uint64_t ims_dma_get_mask(struct ims_device *dev)
{
	if (dev && dev->has_dma_mask && dev->dma_mask)
		return dev->dma_mask;
	return DMA_BIT_MASK(32);
}

IMS_EXPORT uint64_t ims_dma_get_required_mask(struct ims_device *dev)
{
	struct ims_dma_ctx *ctx;

	if (!dev)
		return 0;
	if (use_dma_iommu(dev))
		return DMA_BIT_MASK(32); /* iommu_dma_get_required_mask() */
	if (dma_is_dummy(dev))
		return 0;
	ctx = ims_dma_ctx_get(dev);
	return ctx ? ims_dma_direct_get_required_mask(ctx, dev) : DMA_BIT_MASK(32);
}

IMS_EXPORT size_t ims_dma_max_mapping_size(struct ims_device *dev)
{
	struct ims_dma_ctx *ctx = dev ? ims_dma_ctx_get(dev) : NULL;

	if (!dev || dma_is_dummy(dev))
		return SIZE_MAX;
	if (use_dma_iommu(dev))
		return ims_iommu_dma_use_swiotlb(dev) ? ims_swiotlb_max_mapping_size() : SIZE_MAX;
	/* dma_direct_max_mapping_size(): swiotlb's limit when it is active and may be used. */
	if (ctx && ims_is_swiotlb_active(ctx) &&
	    (ims_dma_addressing_limited(dev) || ctx->opts.swiotlb_force))
		return ims_swiotlb_max_mapping_size();
	return SIZE_MAX;
}

IMS_EXPORT bool ims_dma_addressing_limited(struct ims_device *dev)
{
	struct ims_dma_ctx *ctx;

	if (!dev || dma_is_dummy(dev))
		return false;
	if (min_not_zero(ims_dma_get_mask(dev), dev->bus_dma_limit) <
	    ims_dma_get_required_mask(dev))
		return true;
	if (use_dma_iommu(dev))
		return false;
	ctx = ims_dma_ctx_get(dev);
	/* dma_direct_all_ram_mapped(): every RAM byte must have a DMA address. */
	if (ctx && dev->dma_range_map &&
	    (ims_phys_to_dma(dev, ctx->ram_start) == IMS_DMA_MAPPING_ERROR ||
	     ims_phys_to_dma(dev, ctx->ram_end) == IMS_DMA_MAPPING_ERROR))
		return true;
	return false;
}

IMS_EXPORT void *ims_dma_alloc_attrs(struct ims_device *dev, size_t size, uint64_t *dma_handle,
				     unsigned int gfp, unsigned long attrs)
{
	struct ims_dma_ctx *ctx;
	void *cpu_addr;

	if (!dev || !dma_handle)
		return NULL;
	*dma_handle = IMS_DMA_MAPPING_ERROR;
	if (!dev->coherent_dma_mask)
		ims_dev_logf(dev, IMS_LOG_WARNING,
			     "WARNING: dma_alloc_attrs: coherent_dma_mask is 0");
	if (gfp & IMS_GFP_COMP) {
		ims_dev_logf(dev, IMS_LOG_WARNING, "WARNING: dma_alloc_attrs: __GFP_COMP refused");
		return NULL;
	}
	if (!size || size > IMS_MEM_MAX_RAM_SIZE || dma_is_dummy(dev))
		return NULL;
	ctx = ims_dma_ctx_get(dev);
	if (!ctx)
		return NULL;
	if (use_dma_iommu(dev))
		cpu_addr = ims_iommu_dma_alloc(ctx, dev, size, dma_handle, attrs);
	else
		cpu_addr = ims_dma_direct_alloc(ctx, dev, size, dma_handle, attrs);
	if (cpu_addr)
		ims_debug_dma_alloc_coherent(ctx, dev, size, *dma_handle, cpu_addr);
	return cpu_addr;
}

IMS_EXPORT void *ims_dma_alloc_coherent(struct ims_device *dev, size_t size, uint64_t *dma_handle,
					unsigned int gfp)
{
	return ims_dma_alloc_attrs(dev, size, dma_handle, gfp, 0);
}

IMS_EXPORT void ims_dma_free_attrs(struct ims_device *dev, size_t size, void *cpu_addr,
				   uint64_t dma_handle, unsigned long attrs)
{
	struct ims_dma_ctx *ctx;

	if (!dev || !cpu_addr || dma_is_dummy(dev))
		return;
	ctx = ims_dma_ctx_get(dev);
	if (!ctx)
		return;
	ims_debug_dma_free_coherent(ctx, dev, size, cpu_addr, dma_handle);
	if (use_dma_iommu(dev))
		ims_iommu_dma_free(ctx, dev, size, cpu_addr, dma_handle, attrs);
	else
		ims_dma_direct_free(ctx, dev, size, cpu_addr, dma_handle, attrs);
}

IMS_EXPORT void ims_dma_free_coherent(struct ims_device *dev, size_t size, void *cpu_addr,
				      uint64_t dma_handle)
{
	ims_dma_free_attrs(dev, size, cpu_addr, dma_handle, 0);
}

/* The pages behind a coherent buffer: its remap, or the contiguous block. */
static uint64_t *coherent_pages(struct ims_dma_ctx *ctx, void *cpu_addr, size_t size,
				unsigned int *npages)
{
	unsigned int n = (unsigned int)(ALIGN_UP(size, IMS_PAGE_SIZE) / IMS_PAGE_SIZE);
	struct dma_remap *r = ims_dma_find_remap(ctx, cpu_addr);
	uint64_t *pages, pa;

	if (r) {
		n = IMS_MIN(n, r->npages);
		pages = malloc(n * sizeof(*pages));
		if (pages)
			memcpy(pages, r->pages, n * sizeof(*pages));
	} else {
		if (ims_mem_virt_to_phys(ctx->mem, cpu_addr, &pa))
			return NULL;
		pages = malloc(n * sizeof(*pages));
		for (unsigned int i = 0; pages && i < n; i++)
			pages[i] = pa + i * IMS_PAGE_SIZE;
	}
	*npages = n;
	return pages;
}

IMS_EXPORT int ims_dma_mmap_attrs(struct ims_device *dev, struct ims_vm_area *vma, void *cpu_addr,
				  uint64_t dma_addr, size_t size, unsigned long attrs)
{
	struct ims_dma_ctx *ctx;
	unsigned int npages;
	uint64_t *pages;
	int ret;

	(void)dma_addr;
	(void)attrs;
	if (!dev || !vma || !cpu_addr)
		return -EINVAL;
	vma->addr = NULL;
	if (dma_is_dummy(dev))
		return -ENXIO; /* dma_dummy_mmap() */
	ctx = ims_dma_ctx_get(dev);
	if (!ctx)
		return -ENOMEM;
	/* dma_direct_mmap() and iommu_dma_mmap(): the pages, in order, from vm_pgoff. */
	pages = coherent_pages(ctx, cpu_addr, size, &npages);
	if (!pages)
		return -EFAULT;
	ret = ims_dma_mmap_pages(ctx, vma, pages, npages);
	free(pages);
	return ret;
}

IMS_EXPORT int ims_dma_mmap_coherent(struct ims_device *dev, struct ims_vm_area *vma,
				     void *cpu_addr, uint64_t dma_addr, size_t size)
{
	return ims_dma_mmap_attrs(dev, vma, cpu_addr, dma_addr, size, 0);
}

IMS_EXPORT int ims_dma_get_sgtable_attrs(struct ims_device *dev, struct ims_sg_table *sgt,
					 void *cpu_addr, uint64_t dma_addr, size_t size,
					 unsigned long attrs)
{
	struct ims_dma_ctx *ctx;
	unsigned int npages, n = 0;
	uint64_t *pages;

	(void)dma_addr;
	(void)attrs;
	if (!dev || !sgt || !cpu_addr)
		return -EINVAL;
	memset(sgt, 0, sizeof(*sgt));
	if (dma_is_dummy(dev))
		return -ENXIO;
	ctx = ims_dma_ctx_get(dev);
	if (!ctx)
		return -ENOMEM;
	pages = coherent_pages(ctx, cpu_addr, size, &npages);
	if (!pages)
		return -EFAULT;
	sgt->sgl = calloc(npages ? npages : 1, sizeof(*sgt->sgl));
	if (!sgt->sgl) {
		free(pages);
		return -ENOMEM;
	}
	/* sg_alloc_table_from_pages(): physically contiguous pages share an entry. */
	for (unsigned int i = 0; i < npages; i++) {
		size_t len = IMS_MIN(IMS_PAGE_SIZE, size - (size_t)i * IMS_PAGE_SIZE);

		if (n && sgt->sgl[n - 1].phys + sgt->sgl[n - 1].length == pages[i]) {
			sgt->sgl[n - 1].length += (unsigned int)len;
			continue;
		}
		sgt->sgl[n].phys = pages[i];
		sgt->sgl[n].length = (unsigned int)len;
		n++;
	}
	sgt->nents = sgt->orig_nents = n;
	free(pages);
	return 0;
}

IMS_EXPORT int ims_dma_get_sgtable(struct ims_device *dev, struct ims_sg_table *sgt, void *cpu_addr,
				   uint64_t dma_addr, size_t size)
{
	return ims_dma_get_sgtable_attrs(dev, sgt, cpu_addr, dma_addr, size, 0);
}

/* dma_map_page_attrs() of a buffer that is not RAM: no struct page (dma_map_resource() is for MMIO). */
static __attribute__((noinline, cold)) uint64_t map_page_not_ram(struct ims_device *dev,
								 uint64_t phys, size_t size)
{
	ims_dev_logf(dev, IMS_LOG_WARNING, "WARNING: dma_map_page_attrs: 0x%llx+%zu is not RAM",
		     (unsigned long long)phys, size);
	return IMS_DMA_MAPPING_ERROR;
}

/* dma_map_page_attrs() for a device without a DMA mask: WARN_ON_ONCE(!dev->dma_mask). */
static __attribute__((noinline, cold)) uint64_t map_page_no_mask(struct ims_device *dev)
{
	ims_dev_logf(dev, IMS_LOG_WARNING, "WARNING: dma_map_page_attrs: no DMA mask");
	return IMS_DMA_MAPPING_ERROR;
}

/* The dispatch of dma_map_page_attrs() and debug_dma_map_page() with DMA-API debug on. */
static __attribute__((noinline)) uint64_t
map_page_debug(struct ims_dma_ctx *ctx, struct ims_device *dev, uint64_t phys, size_t size,
	       enum ims_dma_data_direction dir, unsigned long attrs)
{
	uint64_t addr;

	if (use_dma_iommu(dev))
		addr = ims_iommu_dma_map_page(ctx, dev, phys, size, dir, attrs);
	else
		addr = ims_dma_direct_map_page(ctx, dev, phys, size, dir, attrs);
	ims_debug_dma_map_page(ctx, dev, phys, size, dir, addr, DMA_DEBUG_SINGLE);
	return addr;
}

/* dma_map_page_attrs() once the arguments are checked: any device, any option. */
static __attribute__((noinline)) uint64_t map_page_any(struct ims_device *dev, uint64_t phys,
						       size_t size, enum ims_dma_data_direction dir,
						       unsigned long attrs)
{
	struct ims_dma_ctx *ctx = dev_dma_ctx(dev);

	if (unlikely(!ctx))
		return IMS_DMA_MAPPING_ERROR;
	if (unlikely(!ims_dma_is_ram(ctx, phys, size)))
		return map_page_not_ram(dev, phys, size);
	if (unlikely(ctx->debug))
		return map_page_debug(ctx, dev, phys, size, dir, attrs);
	if (use_dma_iommu(dev))
		return ims_iommu_dma_map_page(ctx, dev, phys, size, dir, attrs);
	return ims_dma_direct_map_page(ctx, dev, phys, size, dir, attrs);
}

/* dma_map_page_attrs() of everything but the one-granule common path. */
static uint64_t map_page_general(struct ims_device *dev, uint64_t page, size_t offset, size_t size,
				 enum ims_dma_data_direction dir, unsigned long attrs)
{
	uint64_t phys = page + offset;
	struct dma_cookie *c;
	struct ims_dma_ctx *ctx;

	if (unlikely(!dev || !valid_dir(dir)))
		return IMS_DMA_MAPPING_ERROR; /* BUG_ON(!valid_dma_direction(dir)) */
	if (unlikely(!dev->has_dma_mask))
		return map_page_no_mask(dev);
	if (unlikely(dma_is_dummy(dev) || !size || size > IMS_MEM_MAX_RAM_SIZE || phys < page))
		return IMS_DMA_MAPPING_ERROR;
	if (likely(use_dma_iommu(dev)) && likely(c = iommu_dma_dev_cookie(dev)) &&
	    likely(ctx = c->ctx) && likely(!ctx->debug) && likely(ims_dma_is_ram(ctx, phys, size)))
		return iommu_dma_map_page_inline(ctx, c, dev, phys, size, dir, attrs);
	return map_page_any(dev, phys, size, dir, attrs);
}

/* Whether @dev's fast state could be (re)built now: an IOMMU device without a valid one. */
static inline bool fast_buildable(struct ims_device *dev)
{
	struct dma_cookie *c;

	return dev && use_dma_iommu(dev) && !dma_fast_get(dev, &c);
}

/*
 * dma_map_page_attrs() off the common path: (re)build the device's fast state
 * when it has none, then the common path if it applies (with any IOVA
 * allocation: the inline one found no IOVA in this thread's magazine), else
 * the general one.
 */
static __attribute__((noinline)) uint64_t map_page_slow(struct ims_device *dev, uint64_t page,
							size_t offset, size_t size,
							enum ims_dma_data_direction dir,
							unsigned long attrs)
{
	struct dma_map_fast_call a;
	struct ims_dma_ctx *ctx;
	struct dma_cookie *c;

	if (dev && use_dma_iommu(dev) &&
	    (dma_fast_get(dev, &c) ||
	     ((ctx = dev_dma_ctx(dev)) && ims_iommu_dma_fast_build(ctx, dev))) &&
	    iommu_dma_map_fast_prepare(&a, dev, page, offset, size, dir, attrs, false))
		return iommu_dma_map_fast_commit(&a);
	return map_page_general(dev, page, offset, size, dir, attrs);
}

/*
 * dma_map_page_attrs().  A one-granule map of a device with a valid fast
 * state (dma-fast.h) runs in this one function (dma-iommu.h); everything
 * else goes to map_page_slow().
 */
static inline __attribute__((always_inline)) uint64_t
dma_map_page_attrs(struct ims_device *dev, uint64_t page, size_t offset, size_t size,
		   enum ims_dma_data_direction dir, unsigned long attrs)
{
	struct dma_map_fast_call a;

	if (likely(dev) &&
	    likely(iommu_dma_map_fast_prepare(&a, dev, page, offset, size, dir, attrs, true)))
		return iommu_dma_map_fast_commit(&a);
	return map_page_slow(dev, page, offset, size, dir, attrs);
}

IMS_EXPORT uint64_t ims_dma_map_page_attrs(struct ims_device *dev, uint64_t page, size_t offset,
					   size_t size, enum ims_dma_data_direction dir,
					   unsigned long attrs)
{
	return dma_map_page_attrs(dev, page, offset, size, dir, attrs);
}

/* The dispatch of dma_unmap_page_attrs() and debug_dma_unmap_page() with DMA-API debug on. */
static __attribute__((noinline)) void unmap_page_debug(struct ims_dma_ctx *ctx,
						       struct ims_device *dev, uint64_t addr,
						       size_t size, enum ims_dma_data_direction dir,
						       unsigned long attrs)
{
	if (use_dma_iommu(dev))
		ims_iommu_dma_unmap_page(ctx, dev, addr, size, dir, attrs);
	else
		ims_dma_direct_unmap_page(ctx, dev, addr, size, dir, attrs);
	ims_debug_dma_unmap_page(ctx, dev, addr, size, dir, DMA_DEBUG_SINGLE);
}

static __attribute__((noinline, cold)) void unmap_page_dummy(struct ims_device *dev)
{
	ims_dev_logf(dev, IMS_LOG_WARNING, "WARNING: dma_dummy_unmap_page");
}

/* dma_unmap_page_attrs() once the arguments are checked: any device, any option. */
static __attribute__((noinline)) void unmap_page_any(struct ims_device *dev, uint64_t addr,
						     size_t size, enum ims_dma_data_direction dir,
						     unsigned long attrs)
{
	struct ims_dma_ctx *ctx;

	if (unlikely(dma_is_dummy(dev))) {
		unmap_page_dummy(dev);
		return;
	}
	ctx = dev_dma_ctx(dev);
	if (unlikely(!ctx))
		return;
	if (unlikely(ctx->debug))
		unmap_page_debug(ctx, dev, addr, size, dir, attrs);
	else if (use_dma_iommu(dev))
		ims_iommu_dma_unmap_page(ctx, dev, addr, size, dir, attrs);
	else
		ims_dma_direct_unmap_page(ctx, dev, addr, size, dir, attrs);
}

/* dma_unmap_page_attrs() off the common path (as map_page_slow()). */
static __attribute__((noinline)) void unmap_page_slow(struct ims_device *dev, uint64_t addr,
						      size_t size, enum ims_dma_data_direction dir,
						      unsigned long attrs)
{
	struct dma_cookie *c;
	struct ims_dma_ctx *ctx;

	if (unlikely(!dev || !valid_dir(dir)))
		return;
	if (fast_buildable(dev) && (ctx = dev_dma_ctx(dev)) && ims_iommu_dma_fast_build(ctx, dev) &&
	    iommu_dma_unmap_page_fast(dev, addr, size, dir))
		return;
	if (likely(use_dma_iommu(dev)) && likely(c = iommu_dma_dev_cookie(dev)) &&
	    likely(ctx = c->ctx) && likely(!ctx->debug))
		iommu_dma_unmap_page_inline(ctx, c, dev, addr, size, dir, attrs);
	else
		unmap_page_any(dev, addr, size, dir, attrs);
}

/* dma_unmap_page_attrs(): as dma_map_page_attrs(), the common case in one function. */
static inline __attribute__((always_inline)) void
dma_unmap_page_attrs(struct ims_device *dev, uint64_t addr, size_t size,
		     enum ims_dma_data_direction dir, unsigned long attrs)
{
	if (likely(dev) && likely(iommu_dma_unmap_page_fast(dev, addr, size, dir)))
		return;
	unmap_page_slow(dev, addr, size, dir, attrs);
}

IMS_EXPORT void ims_dma_unmap_page_attrs(struct ims_device *dev, uint64_t addr, size_t size,
					 enum ims_dma_data_direction dir, unsigned long attrs)
{
	dma_unmap_page_attrs(dev, addr, size, dir, attrs);
}

IMS_EXPORT uint64_t ims_dma_map_page(struct ims_device *dev, uint64_t page, size_t offset,
				     size_t size, enum ims_dma_data_direction dir)
{
	return dma_map_page_attrs(dev, page, offset, size, dir, 0);
}

IMS_EXPORT void ims_dma_unmap_page(struct ims_device *dev, uint64_t addr, size_t size,
				   enum ims_dma_data_direction dir)
{
	dma_unmap_page_attrs(dev, addr, size, dir, 0);
}

IMS_EXPORT uint64_t ims_dma_map_single_attrs(struct ims_device *dev, const void *ptr, size_t size,
					     enum ims_dma_data_direction dir, unsigned long attrs)
{
	uint64_t pa;

	if (!dev || !dev->core || ims_mem_virt_to_phys(ims_devcore_mem(dev->core), ptr, &pa)) {
		if (dev)
			ims_dev_logf(dev, IMS_LOG_WARNING,
				     "WARNING: dma_map_single: rejecting a non-linear-map address");
		return IMS_DMA_MAPPING_ERROR;
	}
	return ims_dma_map_page_attrs(dev, pa & ~(IMS_PAGE_SIZE - 1), pa & (IMS_PAGE_SIZE - 1),
				      size, dir, attrs);
}

IMS_EXPORT void ims_dma_unmap_single_attrs(struct ims_device *dev, uint64_t addr, size_t size,
					   enum ims_dma_data_direction dir, unsigned long attrs)
{
	ims_dma_unmap_page_attrs(dev, addr, size, dir, attrs);
}

IMS_EXPORT uint64_t ims_dma_map_single(struct ims_device *dev, const void *ptr, size_t size,
				       enum ims_dma_data_direction dir)
{
	return ims_dma_map_single_attrs(dev, ptr, size, dir, 0);
}

IMS_EXPORT void ims_dma_unmap_single(struct ims_device *dev, uint64_t addr, size_t size,
				     enum ims_dma_data_direction dir)
{
	ims_dma_unmap_single_attrs(dev, addr, size, dir, 0);
}

static void direct_unmap_sg(struct ims_dma_ctx *ctx, struct ims_device *dev,
			    struct ims_scatterlist *sg, int nents, enum ims_dma_data_direction dir,
			    unsigned long attrs)
{
	for (int i = 0; i < nents; i++)
		if (sg[i].dma_length)
			ims_dma_direct_unmap_page(ctx, dev, sg[i].dma_address, sg[i].dma_length,
						  dir, attrs);
}

IMS_EXPORT int ims_dma_map_sg_attrs(struct ims_device *dev, struct ims_scatterlist *sg, int nents,
				    enum ims_dma_data_direction dir, unsigned long attrs)
{
	struct ims_dma_ctx *ctx;
	int ents;

	if (!dev || !sg || nents <= 0 || !valid_dir(dir) || dma_is_dummy(dev))
		return 0;
	ctx = ims_dma_ctx_get(dev);
	if (!ctx)
		return 0;
	for (int i = 0; i < nents; i++) {
		sg[i].dma_address = IMS_DMA_MAPPING_ERROR;
		sg[i].dma_length = 0;
		if (!sg[i].length || !ims_dma_is_ram(ctx, sg[i].phys, sg[i].length)) {
			ims_dev_logf(dev, IMS_LOG_WARNING,
				     "WARNING: dma_map_sg: segment %d (0x%llx+%u) is not RAM", i,
				     (unsigned long long)sg[i].phys, sg[i].length);
			return 0;
		}
	}
	if (use_dma_iommu(dev)) {
		ents = ims_iommu_dma_map_sg(ctx, dev, sg, nents, dir, attrs);
	} else {
		ents = nents;
		for (int i = 0; i < nents; i++) {
			sg[i].dma_address = ims_dma_direct_map_page(ctx, dev, sg[i].phys,
								    sg[i].length, dir, attrs);
			if (sg[i].dma_address == IMS_DMA_MAPPING_ERROR) {
				direct_unmap_sg(ctx, dev, sg, i, dir,
						attrs | IMS_DMA_ATTR_SKIP_CPU_SYNC);
				ents = 0;
				break;
			}
			sg[i].dma_length = sg[i].length;
		}
	}
	if (ents <= 0)
		return 0;
	for (int i = 0; i < ents; i++)
		ims_debug_dma_map_page(ctx, dev, sg[i].phys, sg[i].dma_length, dir,
				       sg[i].dma_address, DMA_DEBUG_SG);
	return ents;
}

IMS_EXPORT int ims_dma_map_sg(struct ims_device *dev, struct ims_scatterlist *sg, int nents,
			      enum ims_dma_data_direction dir)
{
	return ims_dma_map_sg_attrs(dev, sg, nents, dir, 0);
}

IMS_EXPORT void ims_dma_unmap_sg_attrs(struct ims_device *dev, struct ims_scatterlist *sg,
				       int nents, enum ims_dma_data_direction dir,
				       unsigned long attrs)
{
	struct ims_dma_ctx *ctx;

	if (!dev || !sg || nents <= 0 || !valid_dir(dir) || dma_is_dummy(dev))
		return;
	ctx = ims_dma_ctx_get(dev);
	if (!ctx)
		return;
	for (int i = 0; i < nents && sg[i].dma_length; i++)
		ims_debug_dma_unmap_page(ctx, dev, sg[i].dma_address, sg[i].dma_length, dir,
					 DMA_DEBUG_SG);
	if (use_dma_iommu(dev))
		ims_iommu_dma_unmap_sg(ctx, dev, sg, nents, dir, attrs);
	else
		direct_unmap_sg(ctx, dev, sg, nents, dir, attrs);
}

IMS_EXPORT void ims_dma_unmap_sg(struct ims_device *dev, struct ims_scatterlist *sg, int nents,
				 enum ims_dma_data_direction dir)
{
	ims_dma_unmap_sg_attrs(dev, sg, nents, dir, 0);
}

IMS_EXPORT uint64_t ims_dma_map_resource(struct ims_device *dev, uint64_t phys_addr, size_t size,
					 enum ims_dma_data_direction dir, unsigned long attrs)
{
	struct ims_dma_ctx *ctx;
	uint64_t addr;

	if (!dev || !valid_dir(dir) || dma_is_dummy(dev))
		return IMS_DMA_MAPPING_ERROR;
	ctx = ims_dma_ctx_get(dev);
	if (!ctx)
		return IMS_DMA_MAPPING_ERROR;
	if (ims_dma_is_ram(ctx, phys_addr, 1)) {
		/* WARN_ON_ONCE(pfn_valid(PHYS_PFN(phys_addr))) */
		ims_dev_logf(dev, IMS_LOG_WARNING,
			     "WARNING: dma_map_resource: 0x%llx is RAM, not a resource",
			     (unsigned long long)phys_addr);
		return IMS_DMA_MAPPING_ERROR;
	}
	if (use_dma_iommu(dev))
		addr = ims_iommu_dma_map_resource(ctx, dev, phys_addr, size, dir, attrs);
	else
		addr = ims_dma_direct_map_resource(dev, phys_addr, size);
	ims_debug_dma_map_page(ctx, dev, phys_addr, size, dir, addr, DMA_DEBUG_RESOURCE);
	return addr;
}

IMS_EXPORT void ims_dma_unmap_resource(struct ims_device *dev, uint64_t addr, size_t size,
				       enum ims_dma_data_direction dir, unsigned long attrs)
{
	struct ims_dma_ctx *ctx;

	(void)attrs;
	if (!dev || !valid_dir(dir) || dma_is_dummy(dev))
		return;
	ctx = ims_dma_ctx_get(dev);
	if (!ctx)
		return;
	if (use_dma_iommu(dev))
		ims_iommu_dma_unmap_resource(ctx, dev, addr, size);
	ims_debug_dma_unmap_page(ctx, dev, addr, size, dir, DMA_DEBUG_RESOURCE);
}

IMS_EXPORT void ims_dma_sync_single_for_cpu(struct ims_device *dev, uint64_t addr, size_t size,
					    enum ims_dma_data_direction dir)
{
	struct ims_dma_ctx *ctx;

	if (!dev || !valid_dir(dir) || dma_is_dummy(dev))
		return;
	ctx = ims_dma_ctx_get(dev);
	if (!ctx)
		return;
	if (use_dma_iommu(dev))
		ims_iommu_dma_sync_single_for_cpu(ctx, dev, addr, size, dir);
	else
		ims_dma_direct_sync_single_for_cpu(ctx, dev, addr, size, dir);
	ims_debug_dma_sync(ctx, dev, addr, size, dir, true);
}

IMS_EXPORT void ims_dma_sync_single_for_device(struct ims_device *dev, uint64_t addr, size_t size,
					       enum ims_dma_data_direction dir)
{
	struct ims_dma_ctx *ctx;

	if (!dev || !valid_dir(dir) || dma_is_dummy(dev))
		return;
	ctx = ims_dma_ctx_get(dev);
	if (!ctx)
		return;
	if (use_dma_iommu(dev))
		ims_iommu_dma_sync_single_for_device(ctx, dev, addr, size, dir);
	else
		ims_dma_direct_sync_single_for_device(ctx, dev, addr, size, dir);
	ims_debug_dma_sync(ctx, dev, addr, size, dir, false);
}

IMS_EXPORT void ims_dma_sync_sg_for_cpu(struct ims_device *dev, struct ims_scatterlist *sg,
					int nelems, enum ims_dma_data_direction dir)
{
	for (int i = 0; sg && i < nelems && sg[i].dma_length; i++)
		ims_dma_sync_single_for_cpu(dev, sg[i].dma_address, sg[i].dma_length, dir);
}

IMS_EXPORT void ims_dma_sync_sg_for_device(struct ims_device *dev, struct ims_scatterlist *sg,
					   int nelems, enum ims_dma_data_direction dir)
{
	for (int i = 0; sg && i < nelems && sg[i].dma_length; i++)
		ims_dma_sync_single_for_device(dev, sg[i].dma_address, sg[i].dma_length, dir);
}

/* dma_mapping_error() with DMA-API debug on, or a device whose context is not at hand. */
static __attribute__((noinline)) int mapping_error_any(struct ims_device *dev, uint64_t dma_addr)
{
	/* the context if there is one: this call never creates it */
	struct ims_dma_ctx *ctx = dev ? ims_devcore_dma_ctx(dev->core) : NULL;

	if (ctx && ctx->debug)
		ims_debug_dma_mapping_error(ctx, dev, dma_addr);
	return dma_addr == IMS_DMA_MAPPING_ERROR ? -ENOMEM : 0;
}

IMS_EXPORT int ims_dma_mapping_error(struct ims_device *dev, uint64_t dma_addr)
{
	/*
	 * debug_dma_mapping_error() is a no-op without DMA-API debug, which a
	 * device that has a fast state at all (valid or not) has not: the
	 * context's debug is fixed when it is made, and it outlives the devices.
	 */
	if (likely(dma_addr != IMS_DMA_MAPPING_ERROR) && likely(dev) &&
	    likely(__atomic_load_n(&dev->dma_fast, __ATOMIC_RELAXED)))
		return 0;
	return mapping_error_any(dev, dma_addr);
}

/* ---- dma-direct address helpers -------------------------------------------------------- */

IMS_EXPORT uint64_t ims_phys_to_dma(const struct ims_device *dev, uint64_t phys)
{
	return ims_of_phys_to_dma(dev ? dev->dma_range_map : NULL, phys);
}

IMS_EXPORT uint64_t ims_dma_to_phys(const struct ims_device *dev, uint64_t dma)
{
	return ims_of_dma_to_phys(dev ? dev->dma_range_map : NULL, dma);
}

IMS_EXPORT bool ims_dma_capable(const struct ims_device *dev, uint64_t addr, size_t size)
{
	uint64_t end = addr + size - 1;

	if (addr == IMS_DMA_MAPPING_ERROR)
		return false;
	if (size && end < addr)
		return false;
	return end <= min_not_zero(dev->has_dma_mask ? dev->dma_mask : DMA_BIT_MASK(32),
				   dev->bus_dma_limit);
}
