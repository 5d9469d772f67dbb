// SPDX-License-Identifier: MIT
/* io-pgtable tables in simulated RAM, shared by arm-smmu and arm-smmu-v3. */
#include <iommusim/hw.h>

#include "drivers/io-pgtable-mem.h"

static int ram_alloc(void *cookie, size_t size, uint64_t *pa, void **va)
{
	struct ims_mem *mem = cookie;
	int ret = ims_mem_alloc(mem, pa, size, size, IMS_MEM_ZERO);

	if (ret)
		return ret;
	*va = ims_mem_host_ptr(mem, *pa, size);
	if (!*va) {
		ims_mem_free_block(mem, *pa, size);
		return -ENOMEM;
	}
	return 0;
}

static void ram_free(void *cookie, uint64_t pa, void *va, size_t size)
{
	(void)va;
	ims_mem_free_block(cookie, pa, size);
}

const struct ims_pgtable_mem_ops ims_io_pgtable_ram_ops = {
	.alloc = ram_alloc,
	.free = ram_free,
};
