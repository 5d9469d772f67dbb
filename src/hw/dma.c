/* SPDX-License-Identifier: MIT */
/* The device-side data path shared by both SMMU models. */
#include <string.h>

#include "util/compiler.h"
#include <iommusim/smmu.h>

IMS_EXPORT int ims_smmu_dma(const struct ims_translator *tr, struct ims_mem *mem,
			    const struct ims_txn *tmpl, uint64_t addr, void *buf, uint64_t len,
			    struct ims_txn_result *res)
{
	struct ims_txn_result local;
	bool write;

	if (!mem || !tmpl || (!buf && len))
		return -EINVAL;
	write = tmpl->access & IMS_VMSA_WRITE;
	if (write == !!(tmpl->access & IMS_VMSA_READ))
		return -EINVAL; /* exactly one of READ and WRITE */
	if (!res)
		res = &local;

	while (len) {
		uint64_t chunk = IMS_MIN(len, IMS_PAGE_SIZE - (addr & (IMS_PAGE_SIZE - 1)));
		struct ims_txn txn = *tmpl;
		uint64_t pa = addr;
		void *host;
		int ret;

		txn.addr = addr;
		txn.size = (uint32_t)chunk;
		memset(res, 0, sizeof(*res));
		if (tr) {
			ret = tr->translate(tr->opaque, &txn, res);
			if (ret)
				return ret;
			if (res->status != IMS_TXN_OK && res->status != IMS_TXN_BYPASS)
				return -EFAULT;
			pa = res->pa;
		} else {
			res->status = IMS_TXN_BYPASS;
			res->pa = addr;
		}
		host = ims_mem_host_ptr(mem, pa, chunk);
		if (!host)
			return -EFAULT; /* the interconnect returns an external abort */
		if (write)
			memcpy(host, buf, chunk);
		else
			memcpy(buf, host, chunk);
		buf = (char *)buf + chunk;
		addr += chunk;
		len -= chunk;
	}
	return 0;
}
