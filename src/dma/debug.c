// SPDX-License-Identifier: MIT
/*
 * DMA-API debugging, after Linux 6.12 kernel/dma/debug.c
 * (CONFIG_DMA_API_DEBUG): every mapping is an entry in a hash table keyed by
 * device address; unmap, sync and free are checked against it; the first
 * cacheline of each device-writable mapping is tracked for overlaps; leaks
 * are reported when a driver unbinds.  Two device-side checks are ours (the
 * kernel cannot see device accesses): a device write into a DMA_TO_DEVICE
 * mapping, and a device access to a mapping the CPU owns (after
 * dma_sync_*_for_cpu without the matching _for_device).
 */
#include <stdlib.h>
#include <string.h>

#include "dma/dma-private.h"
#include "util/compiler.h"
#include "util/log.h"

#define HASH_SIZE 16384
#define HASH_FN_SHIFT 13
#define HASH_FN_MASK (HASH_SIZE - 1)
#define CL_HASH 4096
/* bucket_find_contain() looks back this many buckets (8 KiB each). */
#define MAX_CONTAIN_BUCKETS 512

enum map_err_types { MAP_ERR_CHECK_NOT_APPLICABLE, MAP_ERR_NOT_CHECKED, MAP_ERR_CHECKED };

struct dma_debug_entry {
	struct dma_debug_entry *next;
	struct ims_device *dev;
	int type;
	uint64_t paddr;
	uint64_t dev_addr;
	uint64_t size;
	int direction;
	void *cpu_addr;
	enum map_err_types map_err_type;
	bool cpu_owned;
	bool tracked; /* its cacheline is in the overlap table */
};

struct cl_ent {
	struct cl_ent *next;
	uint64_t cln;
	unsigned int count;
};

struct dma_debug {
	pthread_mutex_t lock;
	struct dma_debug_entry *buckets[HASH_SIZE];
	struct cl_ent *cl[CL_HASH];
	unsigned long nr_entries;
};

static const char *const type2name[] = { "single", "scatter-gather", "coherent", "resource" };
static const char *const dir2name[] = { "DMA_BIDIRECTIONAL", "DMA_TO_DEVICE", "DMA_FROM_DEVICE",
					"DMA_NONE" };

static unsigned int hash_fn(uint64_t dev_addr)
{
	return (unsigned int)((dev_addr >> HASH_FN_SHIFT) & HASH_FN_MASK);
}

static void count(struct ims_dma_ctx *ctx, enum ims_dma_debug_err kind)
{
	atomic_fetch_add_explicit(&ctx->debug_counts[kind], 1, memory_order_relaxed);
}

int ims_dma_debug_init(struct ims_dma_ctx *ctx)
{
	if (!ctx->opts.debug)
		return 0;
	ctx->debug = calloc(1, sizeof(*ctx->debug));
	if (!ctx->debug)
		return -ENOMEM;
	pthread_mutex_init(&ctx->debug->lock, NULL);
	ims_info(ctx->log, "DMA-API: debugging enabled by kernel config");
	return 0;
}

void ims_dma_debug_exit(struct ims_dma_ctx *ctx)
{
	struct dma_debug *d = ctx->debug;

	if (!d)
		return;
	for (int i = 0; i < HASH_SIZE; i++)
		while (d->buckets[i]) {
			struct dma_debug_entry *e = d->buckets[i];

			d->buckets[i] = e->next;
			free(e);
		}
	for (int i = 0; i < CL_HASH; i++)
		while (d->cl[i]) {
			struct cl_ent *c = d->cl[i];

			d->cl[i] = c->next;
			free(c);
		}
	pthread_mutex_destroy(&d->lock);
	free(d);
	ctx->debug = NULL;
}

/* active_cacheline_insert() / _remove(); lock held. */
static int cl_insert(struct dma_debug *d, uint64_t cln)
{
	struct cl_ent **pp = &d->cl[cln % CL_HASH];

	for (struct cl_ent *c = *pp; c; c = c->next)
		if (c->cln == cln) {
			c->count++;
			return -EEXIST;
		}
	struct cl_ent *n = calloc(1, sizeof(*n));

	if (!n)
		return -ENOMEM;
	n->cln = cln;
	n->count = 1;
	n->next = *pp;
	*pp = n;
	return 0;
}

static void cl_remove(struct dma_debug *d, uint64_t cln)
{
	for (struct cl_ent **pp = &d->cl[cln % CL_HASH]; *pp; pp = &(*pp)->next) {
		if ((*pp)->cln != cln)
			continue;
		if (--(*pp)->count == 0) {
			struct cl_ent *c = *pp;

			*pp = c->next;
			free(c);
		}
		return;
	}
}

void ims_debug_dma_map_page(struct ims_dma_ctx *ctx, struct ims_device *dev, uint64_t phys,
			    size_t size, enum ims_dma_data_direction dir, uint64_t dma_addr,
			    int type)
{
	struct dma_debug *d = ctx->debug;
	struct dma_debug_entry *e;
	bool overlap = false;

	if (!d || dma_addr == IMS_DMA_MAPPING_ERROR)
		return;
	e = calloc(1, sizeof(*e));
	if (!e)
		return;
	e->dev = dev;
	e->type = type;
	e->paddr = phys;
	e->dev_addr = dma_addr;
	e->size = size;
	e->direction = dir;
	e->map_err_type = MAP_ERR_NOT_CHECKED;
	pthread_mutex_lock(&d->lock);
	/* Mappings the device only reads cannot make the CPU see stale data. */
	if (dir != IMS_DMA_TO_DEVICE && type != DMA_DEBUG_RESOURCE) {
		e->tracked = true;
		overlap = cl_insert(d, phys >> IMS_DMA_DEBUG_CACHELINE_SHIFT) == -EEXIST;
	}
	e->next = d->buckets[hash_fn(dma_addr)];
	d->buckets[hash_fn(dma_addr)] = e;
	d->nr_entries++;
	pthread_mutex_unlock(&d->lock);
	if (overlap) {
		count(ctx, IMS_DMA_DEBUG_OVERLAP);
		ims_dma_report(dev, IMS_LOG_ERR,
			       "cacheline tracking EEXIST, overlapping mappings aren't supported "
			       "[device address=0x%016llx] [phys=0x%llx]",
			       (unsigned long long)dma_addr, (unsigned long long)phys);
	}
}

/* Unlink the entry of @dev at exactly @addr; lock held. */
static struct dma_debug_entry *bucket_find_exact(struct dma_debug *d, struct ims_device *dev,
						 uint64_t addr, bool unlink)
{
	for (struct dma_debug_entry **pp = &d->buckets[hash_fn(addr)]; *pp; pp = &(*pp)->next) {
		struct dma_debug_entry *e = *pp;

		if (e->dev != dev || e->dev_addr != addr)
			continue;
		if (unlink) {
			*pp = e->next;
			d->nr_entries--;
			if (e->tracked)
				cl_remove(d, e->paddr >> IMS_DMA_DEBUG_CACHELINE_SHIFT);
		}
		return e;
	}
	return NULL;
}

/* bucket_find_contain(): the entry of @dev (or any device when NULL) holding @addr. */
static struct dma_debug_entry *bucket_find_contain(struct dma_debug *d, struct ims_device *dev,
						   uint64_t addr)
{
	for (unsigned int back = 0; back < MAX_CONTAIN_BUCKETS; back++) {
		uint64_t key = addr - ((uint64_t)back << HASH_FN_SHIFT);

		if (back && key > addr)
			break;
		for (struct dma_debug_entry *e = d->buckets[hash_fn(key)]; e; e = e->next)
			if ((!dev || e->dev == dev) && addr >= e->dev_addr &&
			    addr - e->dev_addr < IMS_MAX(e->size, 1))
				return e;
	}
	return NULL;
}

/* check_unmap() */
static void check_unmap(struct ims_dma_ctx *ctx, struct ims_device *dev, uint64_t addr,
			uint64_t size, int dir, int type, void *cpu_addr)
{
	struct dma_debug *d = ctx->debug;
	struct dma_debug_entry *e;

	pthread_mutex_lock(&d->lock);
	e = bucket_find_exact(d, dev, addr, true);
	pthread_mutex_unlock(&d->lock);
	if (!e) {
		count(ctx, IMS_DMA_DEBUG_FREE_UNMAPPED);
		ims_dma_report(dev, IMS_LOG_ERR,
			       "device driver tries to free DMA memory it has not allocated "
			       "[device address=0x%016llx] [size=%llu bytes]",
			       (unsigned long long)addr, (unsigned long long)size);
		return;
	}
	if (e->size != size) {
		count(ctx, IMS_DMA_DEBUG_SIZE_MISMATCH);
		ims_dma_report(dev, IMS_LOG_ERR,
			       "device driver frees DMA memory with different size [device "
			       "address=0x%016llx] [map size=%llu bytes] [unmap size=%llu bytes]",
			       (unsigned long long)addr, (unsigned long long)e->size,
			       (unsigned long long)size);
	}
	if (e->type != type) {
		count(ctx, IMS_DMA_DEBUG_TYPE_MISMATCH);
		ims_dma_report(
			dev, IMS_LOG_ERR,
			"device driver frees DMA memory with wrong function [device "
			"address=0x%016llx] [size=%llu bytes] [mapped as %s] [unmapped as %s]",
			(unsigned long long)addr, (unsigned long long)e->size, type2name[e->type],
			type2name[type]);
	} else if (type == DMA_DEBUG_COHERENT && e->cpu_addr != cpu_addr) {
		count(ctx, IMS_DMA_DEBUG_FREE_UNMAPPED);
		ims_dma_report(dev, IMS_LOG_ERR,
			       "device driver frees DMA memory with different CPU address [device "
			       "address=0x%016llx] [size=%llu bytes] [cpu alloc address=0x%p] [cpu "
			       "free address=0x%p]",
			       (unsigned long long)addr, (unsigned long long)e->size, e->cpu_addr,
			       cpu_addr);
	}
	if (type != DMA_DEBUG_COHERENT && e->direction != dir) {
		count(ctx, IMS_DMA_DEBUG_DIR_MISMATCH);
		ims_dma_report(
			dev, IMS_LOG_ERR,
			"device driver frees DMA memory with different direction [device "
			"address=0x%016llx] [size=%llu bytes] [mapped with %s] [unmapped with %s]",
			(unsigned long long)addr, (unsigned long long)e->size,
			dir2name[e->direction & 3], dir2name[dir & 3]);
	}
	if (e->map_err_type == MAP_ERR_NOT_CHECKED) {
		count(ctx, IMS_DMA_DEBUG_UNCHECKED);
		ims_dma_report(dev, IMS_LOG_ERR,
			       "device driver failed to check map error[device address=0x%016llx] "
			       "[size=%llu bytes] [mapped as %s]",
			       (unsigned long long)addr, (unsigned long long)e->size,
			       type2name[e->type]);
	}
	free(e);
}

void ims_debug_dma_unmap_page(struct ims_dma_ctx *ctx, struct ims_device *dev, uint64_t addr,
			      size_t size, enum ims_dma_data_direction dir, int type)
{
	if (ctx->debug)
		check_unmap(ctx, dev, addr, size, dir, type, NULL);
}

void ims_debug_dma_alloc_coherent(struct ims_dma_ctx *ctx, struct ims_device *dev, size_t size,
				  uint64_t dma_addr, void *cpu_addr)
{
	struct dma_debug *d = ctx->debug;
	struct dma_debug_entry *e;

	if (!d)
		return;
	e = calloc(1, sizeof(*e));
	if (!e)
		return;
	e->dev = dev;
	e->type = DMA_DEBUG_COHERENT;
	e->paddr = ims_virt_to_phys(ctx->mem, cpu_addr);
	e->dev_addr = dma_addr;
	e->size = size;
	e->direction = IMS_DMA_BIDIRECTIONAL;
	e->cpu_addr = cpu_addr;
	e->map_err_type = MAP_ERR_CHECK_NOT_APPLICABLE;
	pthread_mutex_lock(&d->lock);
	e->next = d->buckets[hash_fn(dma_addr)];
	d->buckets[hash_fn(dma_addr)] = e;
	d->nr_entries++;
	pthread_mutex_unlock(&d->lock);
}

void ims_debug_dma_free_coherent(struct ims_dma_ctx *ctx, struct ims_device *dev, size_t size,
				 void *cpu_addr, uint64_t dma_addr)
{
	if (ctx->debug)
		check_unmap(ctx, dev, dma_addr, size, IMS_DMA_BIDIRECTIONAL, DMA_DEBUG_COHERENT,
			    cpu_addr);
}

/* check_sync() */
void ims_debug_dma_sync(struct ims_dma_ctx *ctx, struct ims_device *dev, uint64_t addr, size_t size,
			enum ims_dma_data_direction dir, bool to_cpu)
{
	struct dma_debug *d = ctx->debug;
	struct dma_debug_entry *e, copy;

	if (!d)
		return;
	pthread_mutex_lock(&d->lock);
	e = bucket_find_contain(d, dev, addr);
	if (e) {
		e->cpu_owned = to_cpu;
		copy = *e;
	}
	pthread_mutex_unlock(&d->lock);
	if (!e) {
		count(ctx, IMS_DMA_DEBUG_SYNC_UNMAPPED);
		ims_dma_report(dev, IMS_LOG_ERR,
			       "device driver tries to sync DMA memory it has not allocated "
			       "[device address=0x%016llx] [size=%zu bytes]",
			       (unsigned long long)addr, size);
		return;
	}
	if (addr + size > copy.dev_addr + copy.size) {
		count(ctx, IMS_DMA_DEBUG_SIZE_MISMATCH);
		ims_dma_report(
			dev, IMS_LOG_ERR,
			"device driver syncs DMA memory outside allocated range [device "
			"address=0x%016llx] [allocation size=%llu bytes] [sync offset+size=%llu]",
			(unsigned long long)copy.dev_addr, (unsigned long long)copy.size,
			(unsigned long long)(addr - copy.dev_addr + size));
	}
	if (copy.direction != IMS_DMA_BIDIRECTIONAL && copy.direction != (int)dir) {
		count(ctx, IMS_DMA_DEBUG_DIR_MISMATCH);
		ims_dma_report(
			dev, IMS_LOG_ERR,
			"device driver syncs DMA memory with different direction [device "
			"address=0x%016llx] [size=%llu bytes] [mapped with %s] [synced with %s]",
			(unsigned long long)addr, (unsigned long long)copy.size,
			dir2name[copy.direction & 3], dir2name[dir & 3]);
	}
}

void ims_debug_dma_mapping_error(struct ims_dma_ctx *ctx, struct ims_device *dev, uint64_t addr)
{
	struct dma_debug *d = ctx->debug;
	struct dma_debug_entry *e;

	if (!d)
		return;
	pthread_mutex_lock(&d->lock);
	/* debug_dma_mapping_error(): the entry with this exact address */
	e = bucket_find_exact(d, dev, addr, false);
	if (e && e->map_err_type == MAP_ERR_NOT_CHECKED)
		e->map_err_type = MAP_ERR_CHECKED;
	pthread_mutex_unlock(&d->lock);
}

/* dma_debug_device_change(BUS_NOTIFY_UNBOUND_DRIVER) -> dma_debug_device_change's leak check. */
void ims_debug_dma_unbound(void *p, struct ims_device *dev)
{
	struct ims_dma_ctx *ctx = p;
	struct dma_debug *d = ctx ? ctx->debug : NULL;
	struct dma_debug_entry first = { 0 };
	int leaked = 0;

	if (!d)
		return;
	pthread_mutex_lock(&d->lock);
	for (int i = 0; i < HASH_SIZE; i++)
		for (struct dma_debug_entry *e = d->buckets[i]; e; e = e->next)
			if (e->dev == dev) {
				if (!leaked++)
					first = *e;
			}
	pthread_mutex_unlock(&d->lock);
	if (!leaked)
		return;
	count(ctx, IMS_DMA_DEBUG_LEAK);
	ims_dma_report(dev, IMS_LOG_ERR,
		       "device driver has pending DMA allocations while released from device "
		       "[count=%d] One of leaked entries details: [device address=0x%016llx] "
		       "[size=%llu bytes] [mapped with %s] [mapped as %s]",
		       leaked, (unsigned long long)first.dev_addr, (unsigned long long)first.size,
		       dir2name[first.direction & 3], type2name[first.type]);
}

IMS_EXPORT void ims_dma_debug_device_access(struct ims_device *dev, uint64_t dma_addr, uint64_t len,
					    bool write)
{
	struct ims_dma_ctx *ctx = dev ? ims_devcore_dma_ctx(dev->core) : NULL;
	struct dma_debug *d = ctx ? ctx->debug : NULL;
	struct dma_debug_entry *e, copy;

	if (!d || !len)
		return;
	pthread_mutex_lock(&d->lock);
	e = bucket_find_contain(d, dev, dma_addr);
	if (e)
		copy = *e;
	pthread_mutex_unlock(&d->lock);
	if (!e || copy.type == DMA_DEBUG_COHERENT)
		return;
	if (write && copy.direction == IMS_DMA_TO_DEVICE) {
		count(ctx, IMS_DMA_DEBUG_DEVICE_WRITE_TO_DEVICE);
		ims_dma_report(dev, IMS_LOG_ERR,
			       "device wrote to DMA memory mapped DMA_TO_DEVICE [device "
			       "address=0x%016llx] [size=%llu bytes] [mapped as %s]",
			       (unsigned long long)dma_addr, (unsigned long long)len,
			       type2name[copy.type]);
	}
	if (copy.cpu_owned) {
		count(ctx, IMS_DMA_DEBUG_CPU_OWNED);
		ims_dma_report(dev, IMS_LOG_ERR,
			       "device %s DMA memory owned by the CPU (dma_sync_*_for_cpu without "
			       "_for_device) [device address=0x%016llx] [size=%llu bytes]",
			       write ? "wrote" : "read", (unsigned long long)dma_addr,
			       (unsigned long long)len);
	}
}

IMS_EXPORT unsigned long ims_dma_debug_count(struct ims_device *dev, enum ims_dma_debug_err kind)
{
	struct ims_dma_ctx *ctx = dev ? ims_devcore_dma_ctx(dev->core) : NULL;

	if (!ctx || kind < 0 || kind >= IMS_DMA_DEBUG_NR)
		return 0;
	return (unsigned long)ctx->debug_counts[kind];
}

IMS_EXPORT unsigned long ims_dma_debug_nr_entries(struct ims_devcore *core,
						  const struct ims_device *dev)
{
	struct ims_dma_ctx *ctx = ims_devcore_dma_ctx(core);
	struct dma_debug *d = ctx ? ctx->debug : NULL;
	unsigned long n = 0;

	if (!d)
		return 0;
	pthread_mutex_lock(&d->lock);
	for (int i = 0; i < HASH_SIZE; i++)
		for (struct dma_debug_entry *e = d->buckets[i]; e; e = e->next)
			if (!dev || e->dev == dev)
				n++;
	pthread_mutex_unlock(&d->lock);
	return n;
}
