// SPDX-License-Identifier: MIT
/*
 * Four threads map, translate and unmap in four DMA domains of one SMMUv3 at
 * once: the command queue is shared (one producer at a time), every CMD_SYNC
 * completes, and each thread sees only its own translations.
 */
#include <pthread.h>

#include "v3-test.h"

#define NTHREADS 4
#define ITERS 200

static const char *const board = V3_DTS_HEAD V3_SMMU_NODE
	" d0@a000000 { compatible = \"test,dma\"; reg = <0x0 0xa000000 0x0 0x1000>;"
	" iommus = <&smmu 0x10>; };\n"
	" d1@a001000 { compatible = \"test,dma\"; reg = <0x0 0xa001000 0x0 0x1000>;"
	" iommus = <&smmu 0x11>; };\n"
	" d2@a002000 { compatible = \"test,dma\"; reg = <0x0 0xa002000 0x0 0x1000>;"
	" iommus = <&smmu 0x12>; };\n"
	" d3@a003000 { compatible = \"test,dma\"; reg = <0x0 0xa003000 0x0 0x1000>;"
	" iommus = <&smmu 0x13>; };\n"
	"};\n";

struct worker {
	struct v3board *b;
	struct ims_iommu_domain *dom;
	uint32_t sid;
	int errors;
};

static void *run(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < ITERS; i++) {
		uint64_t iova = 0x100000ull + 0x1000ull * (uint64_t)(i % 64);
		uint64_t pa = 0x48000000ull + 0x100000ull * w->sid + 0x1000ull * (uint64_t)i;
		struct ims_txn_result r;

		if (ims_iommu_map(w->dom, iova, pa, 0x1000, IMS_IOMMU_READ, 0)) {
			w->errors++;
			continue;
		}
		r = v3_xlate(w->b, w->sid, iova + 8);
		if (r.status != IMS_TXN_OK || r.pa != pa + 8)
			w->errors++;
		if (ims_iommu_unmap(w->dom, iova, 0x1000) != 0x1000)
			w->errors++;
	}
	return NULL;
}

int main(void)
{
	struct worker w[NTHREADS];
	pthread_t th[NTHREADS];
	struct ims_smmuv3_stats st;
	struct v3board b;
	unsigned long syncs;
	int errors = 0;

	v3_up(&b, board, NULL);
	syncs = v3_smmu(&b)->nr_syncs;
	for (int i = 0; i < NTHREADS; i++) {
		char name[32];

		snprintf(name, sizeof(name), "a00%d000.d%d", i, i);
		w[i] = (struct worker){ .b = &b, .sid = 0x10u + (uint32_t)i };
		w[i].dom = ims_iommu_get_domain_for_dev(ims_devcore_find_device(b.dc, name));
		if (!w[i].dom) {
			printf("Bail out! no domain for %s\n", name);
			return 1;
		}
	}
	for (int i = 0; i < NTHREADS; i++)
		pthread_create(&th[i], NULL, run, &w[i]);
	for (int i = 0; i < NTHREADS; i++) {
		pthread_join(th[i], NULL);
		errors += w[i].errors;
	}
	is_int(errors, 0, "every map, translation and unmap was right in all threads");
	is_int(v3_smmu(&b)->nr_syncs - syncs, NTHREADS * ITERS, "one CMD_SYNC per strict unmap");
	ims_smmuv3_get_stats(b.model, &st);
	is_int(st.cmd_errors, 0, "no command errors");
	ok(!strstr(b.log.text, "timeout"), "no CMD_SYNC or CMDQ timeouts");
	v3_down(&b);
	return tap_done();
}
