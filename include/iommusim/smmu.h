/* SPDX-License-Identifier: MIT */
/*
 * The device side of an SMMU model: a transaction goes in, a physical
 * address or a fault comes out.  Both models (SMMUv3, MMU-500) implement
 * struct ims_translator; the byte-level data path on top is shared.
 */
#ifndef IOMMUSIM_SMMU_H
#define IOMMUSIM_SMMU_H

#include <stdbool.h>
#include <stdint.h>

#include <iommusim/common.h>
#include <iommusim/hw.h>
#include <iommusim/vmsa.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * struct ims_txn - one incoming transaction.
 * @sid:    StreamID.
 * @ssid:   SubstreamID (PASID), meaningful when @ssv.
 * @ssv:    whether a SubstreamID accompanies the transaction.
 * @addr:   the input address (IOVA).
 * @size:   bytes accessed; the access must not cross a 4 KiB boundary.
 * @access: IMS_VMSA_READ / IMS_VMSA_WRITE, plus IMS_VMSA_EXEC (InD) and
 *          IMS_VMSA_PRIV (PnU).
 */
struct ims_txn {
	uint32_t sid;
	uint32_t ssid;
	bool ssv;
	uint64_t addr;
	uint32_t size;
	unsigned int access;
};

/** enum ims_txn_status - how a transaction ended. */
enum ims_txn_status {
	IMS_TXN_OK = 0, /* translated: @pa is valid */
	IMS_TXN_BYPASS, /* passed untranslated: @pa == addr */
	IMS_TXN_FAULT,	/* terminated with a fault that was recorded/reported */
	IMS_TXN_ABORT,	/* terminated silently (abort config, GBPA.ABORT, ...) */
	IMS_TXN_STALL,	/* stalled awaiting software (stall model) */
};

/**
 * struct ims_txn_fault - what the model recorded for a faulting transaction.
 * @event:  SMMUv3: the event type (e.g. 0x10 F_TRANSLATION); MMU-500: 0.
 * @fsr:    MMU-500: the context bank FSR or sGFSR bits; SMMUv3: 0.
 * @cbndx:  MMU-500: the context bank, or -1 for a global fault.
 * @vmsa:   the walk fault underneath, when there was one.
 * @ipa:    the IPA for a stage-2 fault.
 * @record: SMMUv3: the raw 32-byte event record as written to the queue.
 */
struct ims_txn_fault {
	uint32_t event;
	uint32_t fsr;
	int cbndx;
	struct ims_vmsa_fault vmsa;
	uint64_t ipa;
	uint64_t record[4];
};

/**
 * struct ims_txn_result - the outcome of one transaction.
 * @status: IMS_TXN_*.
 * @pa:     the output address (OK, BYPASS).
 * @perm:   IMS_VMSA_PERM_* granted (OK).
 * @fault:  details (FAULT, ABORT).
 */
struct ims_txn_result {
	enum ims_txn_status status;
	uint64_t pa;
	uint8_t perm;
	struct ims_txn_fault fault;
};

/**
 * struct ims_translator - a model's device-side entry point.
 * @translate: translate @txn into @res; returns 0 (see @res->status) or a
 *             negative code for misuse (bad size, crossing a page).
 * @opaque:    the model.
 */
struct ims_translator {
	int (*translate)(void *opaque, const struct ims_txn *txn, struct ims_txn_result *res);
	void *opaque;
};

/**
 * ims_smmu_dma() - a device reads or writes @len bytes at @addr through @tr.
 * @tr:   the model; NULL means no SMMU on the path (the address is physical).
 * @mem:  the physical address space.
 * @tmpl: the transaction template: @sid, @ssid/@ssv and @access (READ or
 *        WRITE, plus EXEC/PRIV); @addr and @size are set per chunk.
 * @addr: the first input address.
 * @buf:  the bytes to write, or the buffer to read into.
 * @len:  the byte count.
 * @res:  on failure, the result of the failing chunk (may be NULL).
 *
 * The access is split at 4 KiB boundaries; each chunk is translated
 * separately and copied to or from RAM.  Chunks before a fault complete, as
 * on a real interconnect.
 *
 * Return: 0 when every chunk completed; -EFAULT when a chunk faulted or was
 * aborted (*@res says how), or when a translated address is not RAM;
 * -EINVAL for bad arguments.
 */
IMS_EXPORT int ims_smmu_dma(const struct ims_translator *tr, struct ims_mem *mem,
			    const struct ims_txn *tmpl, uint64_t addr, void *buf, uint64_t len,
			    struct ims_txn_result *res);

#ifdef __cplusplus
}
#endif
#endif /* IOMMUSIM_SMMU_H */
