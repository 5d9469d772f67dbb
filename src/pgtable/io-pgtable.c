// SPDX-License-Identifier: MIT
/*
 * The io-pgtable format registry (drivers/iommu/io-pgtable.c): a table of
 * constructors indexed by enum ims_io_pgtable_fmt.
 */
#include <errno.h>
#include <stdio.h>

#include "pgtable/io-pgtable.h"
#include "util/log.h"

static const struct ims_io_pgtable_init_fns
	*const io_pgtable_init_table[IMS_IO_PGTABLE_NUM_FMTS] = {
		[IMS_ARM_64_LPAE_S1] = &ims_io_pgtable_arm_64_lpae_s1_init_fns,
		[IMS_ARM_64_LPAE_S2] = &ims_io_pgtable_arm_64_lpae_s2_init_fns,
	};

IMS_EXPORT int ims_pgtable_alloc_ops(struct ims_io_pgtable_ops **out, enum ims_io_pgtable_fmt fmt,
				     struct ims_io_pgtable_cfg *cfg, void *cookie)
{
	const struct ims_io_pgtable_init_fns *fns;
	struct ims_io_pgtable *iop;
	int ret;

	if (!out || !cfg)
		return ims_error(-EINVAL, "ims_pgtable_alloc_ops: NULL argument");
	*out = NULL;
	if ((unsigned int)fmt >= IMS_IO_PGTABLE_NUM_FMTS)
		return ims_error(-EINVAL, "ims_pgtable_alloc_ops: unknown format %d", (int)fmt);
	if (!cfg->mem || !cfg->mem->alloc || !cfg->mem->free)
		return ims_error(-EINVAL, "ims_pgtable_alloc_ops: cfg->mem needs alloc and free");

	fns = io_pgtable_init_table[fmt];
	ret = fns->alloc(&iop, cfg, cookie);
	if (ret) {
		char why[256];

		/* Name the call in the format's message. */
		snprintf(why, sizeof(why), "%s", ims_last_error());
		return ims_error(ret, "ims_pgtable_alloc_ops: %s", why);
	}

	iop->fmt = fmt;
	iop->cookie = cookie;
	iop->cfg = *cfg;
	*out = &iop->ops;
	return 0;
}

IMS_EXPORT void ims_pgtable_free_ops(struct ims_io_pgtable_ops *ops)
{
	struct ims_io_pgtable *iop;

	if (!ops)
		return;
	iop = io_pgtable_ops_to_pgtable(ops);
	io_pgtable_tlb_flush_all(iop);
	io_pgtable_init_table[iop->fmt]->free(iop);
}

IMS_EXPORT const struct ims_io_pgtable_cfg *
ims_pgtable_get_cfg(const struct ims_io_pgtable_ops *ops)
{
	return &container_of_const(ops, struct ims_io_pgtable, ops)->cfg;
}

IMS_EXPORT void ims_pgtable_get_info(const struct ims_io_pgtable_ops *ops,
				     struct ims_io_pgtable_info *info)
{
	const struct ims_io_pgtable *iop = container_of_const(ops, struct ims_io_pgtable, ops);

	io_pgtable_init_table[iop->fmt]->info(iop, info);
}

IMS_EXPORT uint64_t ims_pgtable_prot_to_pte(const struct ims_io_pgtable_ops *ops, int prot)
{
	const struct ims_io_pgtable *iop = container_of_const(ops, struct ims_io_pgtable, ops);

	return io_pgtable_init_table[iop->fmt]->prot_to_pte(iop, prot);
}
