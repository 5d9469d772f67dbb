/* SPDX-License-Identifier: MIT */
/*
 * Where the SMMU drivers' io-pgtable tables live: simulated RAM, so that the
 * SMMU models walk exactly what io-pgtable-arm wrote (the kernel's
 * __arm_lpae_alloc_pages() takes pages from the page allocator and reaches
 * them through the linear map).
 */
#ifndef IMS_DRIVERS_IO_PGTABLE_MEM_H
#define IMS_DRIVERS_IO_PGTABLE_MEM_H

#include <iommusim/pgtable.h>

/*
 * ims_io_pgtable_ram_ops - struct ims_pgtable_mem_ops over ims_mem_alloc()
 * (zeroed, naturally aligned) and ims_mem_host_ptr(); the mem_cookie is the
 * struct ims_mem.  io-pgtable itself refuses a table outside its linear map.
 */
extern const struct ims_pgtable_mem_ops ims_io_pgtable_ram_ops;

#endif
