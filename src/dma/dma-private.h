/* SPDX-License-Identifier: MIT */
/* The DMA layer's internals, shared by mapping.c, direct.c, swiotlb.c, dma-iommu.c, debug.c. */
#ifndef IMS_DMA_PRIVATE_H
#define IMS_DMA_PRIVATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <iommusim/dma.h>
#include <iommusim/iommu.h>

#include "util/compiler.h"

struct dma_debug;
struct dma_cookie;

#ifndef DIV_ROUND_UP
#define DIV_ROUND_UP(n, d) (((n) + (d)-1) / (d))
#endif

/* One slot of the swiotlb pool (struct io_tlb_slot). */
struct swiotlb_slot {
	uint32_t start;	 /* the first slot of the allocation holding this one */
	uint32_t nslots; /* at the first slot: slots in the allocation; 0 = free */
	uint64_t orig;	 /* at the first slot: the original address of tlb */
	uint64_t tlb;	 /* at the first slot: the bounce address returned */
	uint64_t size;	 /* at the first slot: the mapping size */
};

/* struct io_tlb_mem: one pool, one area. */
struct swiotlb {
	uint64_t start, end; /* [start, end) */
	uint32_t nslabs;
	uint32_t index; /* where the next search starts */
	uint64_t used;
	struct swiotlb_slot *slots;
	pthread_mutex_t lock;
};

/* A remapped (vmap'ed) CPU view of a non-contiguous IOMMU buffer. */
struct dma_remap {
	void *cpu_addr;
	size_t size;
	uint64_t *pages;
	unsigned int npages;
};

/* The per-system state, hung on the driver core. */
struct ims_dma_ctx {
	struct ims_devcore *core;
	struct ims_mem *mem;
	const struct ims_log *log;
	struct ims_dma_opts opts;
	pthread_mutex_t lock; /* remaps, swiotlb creation */
	struct dma_remap *remaps;
	unsigned int nr_remaps, cap_remaps;
	struct swiotlb *swiotlb;
	bool swiotlb_tried;
	struct dma_debug *debug;
	uint64_t ram_start, ram_end; /* lowest RAM byte, highest RAM byte */
	/*
	 * The largest RAM region when the context was made, [ram0_base, +ram0_size):
	 * RAM is never removed, so a buffer inside it is RAM without asking the
	 * memory model (ims_dma_is_ram()).
	 */
	uint64_t ram0_base, ram0_size;
	uint64_t zone_dma_limit; /* the last byte of ZONE_DMA (arm64_dma_phys_limit - 1) */
	_Atomic uint64_t cache_clean, cache_inval, swiotlb_maps, swiotlb_full;
	struct dma_cookie *cookies; /* live dma-iommu cookies, under @lock */
	_Atomic uint64_t fq_queued; /* queued by cookies already freed */
	_Atomic uint64_t fq_flushes;
	_Atomic uint64_t debug_counts[IMS_DMA_DEBUG_NR];
};

/* The state of @dev's system, created with the defaults at first use (NULL without memory). */
struct ims_dma_ctx *ims_dma_ctx_get(struct ims_device *dev);

/* Whether all of [@pa, @pa + @len) is RAM (one region), as ims_mem_is_ram() says. */
static inline bool ims_dma_is_ram(const struct ims_dma_ctx *ctx, uint64_t pa, uint64_t len)
{
	uint64_t off = pa - ctx->ram0_base;

	if (likely(off < ctx->ram0_size && len <= ctx->ram0_size - off))
		return true;
	return ims_mem_is_ram(ctx->mem, pa, len);
}

/* min_not_zero() */
static inline uint64_t min_not_zero(uint64_t a, uint64_t b)
{
	return !a ? b : !b ? a : (a < b ? a : b);
}

/* dma_get_mask() without the call (ims_dma_get_mask()). */
static inline uint64_t dma_get_mask_inline(const struct ims_device *dev)
{
	return dev->has_dma_mask && dev->dma_mask ? dev->dma_mask : DMA_BIT_MASK(32);
}

/* The debug report text "DMA-API: <driver> <dev>: <msg>" into dev->msgs and the sink. */
void ims_dma_report(struct ims_device *dev, enum ims_log_level level, const char *fmt, ...)
	IMS_PRINTF(3, 4);

/* arch_sync_dma_for_device/cpu: the cache maintenance a non-coherent device needs. */
void ims_arch_sync_dma_for_device(struct ims_dma_ctx *ctx, uint64_t paddr, size_t size,
				  enum ims_dma_data_direction dir);
void ims_arch_sync_dma_for_cpu(struct ims_dma_ctx *ctx, uint64_t paddr, size_t size,
			       enum ims_dma_data_direction dir);

/* swiotlb.c */
int ims_swiotlb_init(struct ims_dma_ctx *ctx);
void ims_swiotlb_free(struct ims_dma_ctx *ctx);
bool ims_is_swiotlb_active(struct ims_dma_ctx *ctx);
bool ims_is_swiotlb_buffer(struct ims_dma_ctx *ctx, uint64_t paddr);
uint64_t ims_swiotlb_tbl_map_single(struct ims_dma_ctx *ctx, struct ims_device *dev, uint64_t orig,
				    size_t size, uint64_t align_mask,
				    enum ims_dma_data_direction dir, unsigned long attrs);
void ims_swiotlb_tbl_unmap_single(struct ims_dma_ctx *ctx, struct ims_device *dev, uint64_t tlb,
				  size_t size, enum ims_dma_data_direction dir,
				  unsigned long attrs);
void ims_swiotlb_sync_single_for_device(struct ims_dma_ctx *ctx, uint64_t tlb, size_t size,
					enum ims_dma_data_direction dir);
void ims_swiotlb_sync_single_for_cpu(struct ims_dma_ctx *ctx, uint64_t tlb, size_t size,
				     enum ims_dma_data_direction dir);
size_t ims_swiotlb_max_mapping_size(void);

/* direct.c */
bool ims_dma_direct_supported(struct ims_dma_ctx *ctx, struct ims_device *dev, uint64_t mask);
uint64_t ims_dma_direct_get_required_mask(struct ims_dma_ctx *ctx, struct ims_device *dev);
void *ims_dma_direct_alloc(struct ims_dma_ctx *ctx, struct ims_device *dev, size_t size,
			   uint64_t *dma_handle, unsigned long attrs);
void ims_dma_direct_free(struct ims_dma_ctx *ctx, struct ims_device *dev, size_t size,
			 void *cpu_addr, uint64_t dma_addr, unsigned long attrs);
uint64_t ims_dma_direct_map_page(struct ims_dma_ctx *ctx, struct ims_device *dev, uint64_t phys,
				 size_t size, enum ims_dma_data_direction dir, unsigned long attrs);
void ims_dma_direct_unmap_page(struct ims_dma_ctx *ctx, struct ims_device *dev, uint64_t addr,
			       size_t size, enum ims_dma_data_direction dir, unsigned long attrs);
void ims_dma_direct_sync_single_for_device(struct ims_dma_ctx *ctx, struct ims_device *dev,
					   uint64_t addr, size_t size,
					   enum ims_dma_data_direction dir);
void ims_dma_direct_sync_single_for_cpu(struct ims_dma_ctx *ctx, struct ims_device *dev,
					uint64_t addr, size_t size,
					enum ims_dma_data_direction dir);
uint64_t ims_dma_direct_map_resource(struct ims_device *dev, uint64_t phys, size_t size);

/* dma-iommu.c */
void *ims_iommu_dma_alloc(struct ims_dma_ctx *ctx, struct ims_device *dev, size_t size,
			  uint64_t *dma_handle, unsigned long attrs);
void ims_iommu_dma_free(struct ims_dma_ctx *ctx, struct ims_device *dev, size_t size,
			void *cpu_addr, uint64_t dma_addr, unsigned long attrs);
uint64_t ims_iommu_dma_map_page(struct ims_dma_ctx *ctx, struct ims_device *dev, uint64_t phys,
				size_t size, enum ims_dma_data_direction dir, unsigned long attrs);
void ims_iommu_dma_unmap_page(struct ims_dma_ctx *ctx, struct ims_device *dev, uint64_t addr,
			      size_t size, enum ims_dma_data_direction dir, unsigned long attrs);
int ims_iommu_dma_map_sg(struct ims_dma_ctx *ctx, struct ims_device *dev,
			 struct ims_scatterlist *sg, int nents, enum ims_dma_data_direction dir,
			 unsigned long attrs);
void ims_iommu_dma_unmap_sg(struct ims_dma_ctx *ctx, struct ims_device *dev,
			    struct ims_scatterlist *sg, int nents, enum ims_dma_data_direction dir,
			    unsigned long attrs);
uint64_t ims_iommu_dma_map_resource(struct ims_dma_ctx *ctx, struct ims_device *dev, uint64_t phys,
				    size_t size, enum ims_dma_data_direction dir,
				    unsigned long attrs);
void ims_iommu_dma_unmap_resource(struct ims_dma_ctx *ctx, struct ims_device *dev, uint64_t addr,
				  size_t size);
void ims_iommu_dma_sync_single_for_cpu(struct ims_dma_ctx *ctx, struct ims_device *dev,
				       uint64_t addr, size_t size, enum ims_dma_data_direction dir);
void ims_iommu_dma_sync_single_for_device(struct ims_dma_ctx *ctx, struct ims_device *dev,
					  uint64_t addr, size_t size,
					  enum ims_dma_data_direction dir);
bool ims_iommu_dma_use_swiotlb(struct ims_device *dev);
uint64_t ims_iommu_dma_fq_queued(struct ims_dma_ctx *ctx);
void ims_iommu_dma_ctx_gone(struct ims_dma_ctx *ctx);

/* remaps (mapping.c) */
void *ims_dma_vmap(struct ims_dma_ctx *ctx, const uint64_t *pages, unsigned int npages);
struct dma_remap *ims_dma_find_remap(struct ims_dma_ctx *ctx, const void *cpu_addr);
void ims_dma_vunmap(struct ims_dma_ctx *ctx, void *cpu_addr);
int ims_dma_mmap_pages(struct ims_dma_ctx *ctx, struct ims_vm_area *vma, const uint64_t *pages,
		       unsigned int npages);

/* debug.c (all no-ops unless opts.debug) */
int ims_dma_debug_init(struct ims_dma_ctx *ctx);
void ims_dma_debug_exit(struct ims_dma_ctx *ctx);
void ims_debug_dma_map_page(struct ims_dma_ctx *ctx, struct ims_device *dev, uint64_t phys,
			    size_t size, enum ims_dma_data_direction dir, uint64_t dma_addr,
			    int type);
void ims_debug_dma_unmap_page(struct ims_dma_ctx *ctx, struct ims_device *dev, uint64_t addr,
			      size_t size, enum ims_dma_data_direction dir, int type);
void ims_debug_dma_alloc_coherent(struct ims_dma_ctx *ctx, struct ims_device *dev, size_t size,
				  uint64_t dma_addr, void *cpu_addr);
void ims_debug_dma_free_coherent(struct ims_dma_ctx *ctx, struct ims_device *dev, size_t size,
				 void *cpu_addr, uint64_t dma_addr);
void ims_debug_dma_sync(struct ims_dma_ctx *ctx, struct ims_device *dev, uint64_t addr, size_t size,
			enum ims_dma_data_direction dir, bool to_cpu);
void ims_debug_dma_mapping_error(struct ims_dma_ctx *ctx, struct ims_device *dev, uint64_t addr);
void ims_debug_dma_unbound(void *ctx, struct ims_device *dev);

/* dma-debug entry types (enum dma_debug_type). */
#define DMA_DEBUG_SINGLE 0
#define DMA_DEBUG_SG 1
#define DMA_DEBUG_COHERENT 2
#define DMA_DEBUG_RESOURCE 3

#endif
