/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the DMA API (src/dma) driven by hostile call sequences on a
 * booted example board, with the device side (ims_machine_device_dma()).
 *
 * Byte 0 picks one of 32 setups: the board (the SMMUv3 board with
 * qemu-virt-bridges.dtso, or the Armada 8040 / MMU-500 board with
 * armada-8040-pcie.dtso), lazy or strict, DMA-API debug on or off, and one
 * of: nothing more, swiotlb=force (1 MiB pool), iommu.passthrough=1, an
 * untrusted PCI endpoint (1 MiB pool).  Booting costs milliseconds, so each
 * setup's machine is booted once and kept (static storage: the only state of
 * this target that outlives an input).  The rest of the input is records of
 * 8 bytes: op, device, u16 a, u16 b, u8 c, u8 d (at most FUZZ_MAX_OPS).  The
 * devices are every device of the machine plus one "dummy" entry: a
 * dma-direct platform device switched to dma_dummy_ops for the call.
 *
 * Ops: set the (coherent) mask; map_single/map_page of a CPU buffer in a
 * pool of simulated RAM (fuzzed offset, size, direction incl. DMA_NONE and
 * invalid ones, attrs); map_page of any physical address (in or out of RAM,
 * TO_DEVICE only, so that the device can never write memory the models use);
 * unmap exact or wrong (size, direction, address, device); map_sg/unmap_sg of
 * up to 4 segments; alloc/free coherent (fuzzed and absurd sizes, wrong free
 * size); mmap_coherent with fuzzed offsets and lengths (munmap at once) and
 * get_sgtable; sync single/sg for CPU/device (exact, partial, fuzzed);
 * map/unmap_resource; device reads and writes at mapped or fuzzed addresses;
 * the flush-queue timeout; the mask and mapping-error queries.
 *
 * Checked (abort on violation), besides the sanitizers:
 *  - every successful map returns an address dma_mapping_error() accepts;
 *    dma_mapping_error(DMA_MAPPING_ERROR) is -ENOMEM; a map with an invalid
 *    direction, of memory that is not RAM, and anything on dma_dummy_ops
 *    fails; map_resource of RAM fails; a successful set_mask is what
 *    get_mask returns; map_sg returns at most nents segments whose lengths add
 *    up to the list's;
 *  - on a device whose DMA reaches memory as Linux set it up (dma-iommu
 *    through its SMMU, dma-direct untranslated or through an identity
 *    domain), for a mapping without DMA_ATTR_PRIVILEGED: the device reads
 *    what the CPU wrote (TO_DEVICE, BIDIRECTIONAL; right after the map, also
 *    through swiotlb; map_sg: the segments in order), and a device write
 *    shows in the CPU buffer after sync_for_cpu (FROM_DEVICE, BIDIRECTIONAL);
 *    coherent memory is zeroed and shared both ways with no sync; an
 *    mmap_coherent view shows the same bytes as the kernel view, and
 *    succeeds exactly when vm_pgoff and the length fit the buffer;
 *  - no two live mappings of one IOMMU domain overlap in IOVA space (whole
 *    4 KiB granules);
 *  - after an exact unmap in a strict domain, and after the input's
 *    cleanup and the flush-queue timeout in a lazy one, the device faults on
 *    the old IOVA; after the cleanup dma-debug holds no entry and swiotlb no
 *    slot.
 * A destructive call with wrong arguments (an unmap or free that does not
 * match a live mapping) may legitimately break another mapping, as in
 * Linux: it "taints" the input, which then only checks that nothing crashes,
 * and the machine is freed (with whatever is still mapped) and booted again
 * for the next input.  The machine is also rebooted every
 * FUZZ_MACHINE_INPUTS inputs, since its kernel log grows.
 */
#include <string.h>
#include <sys/mman.h>

#include <iommusim/dma.h>
#include <iommusim/hw.h>
#include <iommusim/iommu.h>
#include <iommusim/machine.h>
#include <iommusim/of.h>

#include "fuzz.h"

#ifndef FUZZ_BOARDS_DIR
#error "FUZZ_BOARDS_DIR: the directory of examples/boards"
#endif
#ifndef FUZZ_TOPO_DIR
#error "FUZZ_TOPO_DIR: the directory of examples/topologies"
#endif

#define FUZZ_NR_SETUPS 32
#define FUZZ_MAX_OPS 64
#define FUZZ_MAX_LIVE 24
#define FUZZ_MAX_DEAD 16
#define FUZZ_MAX_DEVS 40
#define FUZZ_MAX_SG 4
#define FUZZ_POOL_SIZE (256u << 10)
#define FUZZ_CHECK_LEN 8192u
#define FUZZ_MACHINE_INPUTS 2000
#define FUZZ_MACHINE_KLOG 20000
#define GRANULE 4096ULL
#define FMIN(a, b) ((a) < (b) ? (a) : (b))
#define FARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum op {
	OP_SET_MASK,
	OP_MAP,
	OP_MAP_PHYS,
	OP_UNMAP,
	OP_MAP_SG,
	OP_UNMAP_SG,
	OP_ALLOC,
	OP_FREE,
	OP_MMAP,
	OP_SYNC,
	OP_MAP_RESOURCE,
	OP_UNMAP_RESOURCE,
	OP_DEV_ACCESS,
	OP_FQ_TIMEOUT,
	OP_QUERY,
	OP_NR,
};

enum rec_kind { R_SINGLE, R_PAGE, R_SG, R_COHERENT, R_RESOURCE };

struct fdev {
	struct ims_device *dev;
	uint64_t mask, cmask; /* at boot, restored after each input */
	bool data;	      /* its DMA reaches memory the way Linux set it up */
	bool dummy;	      /* switched to dma_dummy_ops for each call */
};

struct setup {
	struct ims_machine *m;
	struct ims_mem *mem;
	uint8_t *pool;
	uint64_t pool_pa;
	struct fdev devs[FUZZ_MAX_DEVS + 1];
	int nr_devs; /* without the dummy entry, which follows */
	unsigned int inputs;
};

struct rec {
	enum rec_kind kind;
	int dev;
	uint64_t addr; /* DMA address (first DMA segment for R_SG) */
	size_t size;
	enum ims_dma_data_direction dir;
	unsigned long attrs;
	uint8_t *cpu; /* the CPU buffer when it is ours (pool or coherent), else NULL */
	struct ims_scatterlist sg[FUZZ_MAX_SG];
	int nents, mapped;
	bool sg_distinct; /* no two segments share a byte */
};

struct dead {
	int dev;
	uint64_t addr;
};

struct run {
	struct setup *s;
	struct rec live[FUZZ_MAX_LIVE];
	int nr_live;
	struct dead dead[FUZZ_MAX_DEAD];
	int nr_dead;
	bool tainted;
	unsigned int seq;
	uint8_t a8, b8;
	uint16_t a, b;
	uint8_t c, d;
};

static struct setup setups[FUZZ_NR_SETUPS];

/* ---- the machines ------------------------------------------------------------------ */

static bool dev_data_path(struct ims_machine *m, struct ims_device *dev)
{
	struct ims_machine_dma_path path;
	struct ims_iommu_domain *dom;

	if (ims_machine_dma_path(m, dev, &path))
		return false;
	if (dev->dma_ops == IMS_DMA_OPS_IOMMU)
		return path.translated;
	if (dev->dma_ops != IMS_DMA_OPS_DIRECT)
		return false;
	if (!path.translated)
		return true;
	dom = ims_iommu_get_domain_for_dev(dev);
	return dom && dom->type == IMS_IOMMU_DOMAIN_IDENTITY;
}

/*
 * A copy of board @armada with its topology overlay: compiled by dtc once
 * (kept for the life of the process), then copied from its blob at every boot.
 */
static struct ims_of_tree *boards[2];

static int board_tree(bool armada, struct ims_of_tree **out)
{
	const char *ov[1] = { armada ? FUZZ_TOPO_DIR "/armada-8040-pcie.dtso"
				     : FUZZ_TOPO_DIR "/qemu-virt-bridges.dtso" };
	const void *blob;
	size_t size;
	int ret;

	if (!boards[armada]) {
		ret = ims_of_tree_load(&boards[armada],
				       armada ? FUZZ_BOARDS_DIR "/armada-8040.dts"
					      : FUZZ_BOARDS_DIR "/qemu-virt-smmuv3.dts",
				       ov, 1);
		if (ret)
			return ret;
	}
	blob = ims_of_tree_blob(boards[armada], &size);
	return ims_of_tree_load_blob(out, blob, size, armada ? "armada-8040" : "qemu-virt-smmuv3");
}

static int setup_boot(struct setup *s, unsigned int idx)
{
	bool armada = idx & 1, strict = idx & 2, debug = idx & 4;
	unsigned int mode = (idx >> 3) & 3;
	struct ims_dma_opts dopts = { .debug = debug };
	struct ims_machine_opts o;
	struct ims_of_tree *tree = NULL;
	struct ims_devcore *dc;
	bool untrusted = false;
	int ret, dummy = -1;

	memset(s, 0, sizeof(*s));
	ims_machine_opts_init(&o);
	o.iommu.strict = strict;
	if (mode == 2)
		o.iommu.passthrough = 1;
	if (mode == 1 || mode == 3)
		dopts.swiotlb_size = 1u << 20;
	dopts.swiotlb_force = mode == 1;
	if (!strict && !debug)
		dopts.fq_size = 16; /* reach the full-ring flush often */
	ret = ims_machine_new(&s->m, &o);
	if (!ret)
		ret = board_tree(armada, &tree);
	if (!ret) {
		ret = ims_machine_set_tree(s->m, tree);
		if (ret)
			ims_of_tree_free(tree);
	}
	if (!ret)
		ret = ims_machine_boot(s->m);
	if (!ret)
		ret = ims_dma_setup(ims_machine_devcore(s->m), &dopts);
	if (ret)
		FUZZ_FAIL("setup %u: boot failed: %d", idx, ret);
	s->mem = ims_machine_mem(s->m);
	s->pool = ims_kmalloc(s->mem, FUZZ_POOL_SIZE);
	FUZZ_CHECK(s->pool, "setup %u: no pool", idx);
	s->pool_pa = ims_virt_to_phys(s->mem, s->pool);
	dc = ims_machine_devcore(s->m);
	for (int i = 0; i < ims_devcore_nr_devices(dc) && s->nr_devs < FUZZ_MAX_DEVS; i++) {
		struct ims_device *dev = ims_devcore_device(dc, i);
		struct fdev *f = &s->devs[s->nr_devs++];

		/* Before any DMA call: the device has no fast state yet. */
		if (mode == 3 && !untrusted && dev->pci && !dev->pci->is_bridge &&
		    dev->dma_ops == IMS_DMA_OPS_IOMMU) {
			dev->pci->untrusted = true;
			untrusted = true;
		}
		f->dev = dev;
		f->mask = dev->dma_mask;
		f->cmask = dev->coherent_dma_mask;
		f->data = dev_data_path(s->m, dev);
		if (dummy < 0 && dev->dma_ops == IMS_DMA_OPS_DIRECT && !dev->pci)
			dummy = i;
	}
	FUZZ_CHECK(s->nr_devs && dummy >= 0, "setup %u: %d devices", idx, s->nr_devs);
	s->devs[s->nr_devs] = (struct fdev){ .dev = s->devs[dummy].dev, .dummy = true };
	return 0;
}

/*
 * Free the kept machines at exit: their RAM is still reachable, and a leak
 * checker (valgrind's) would otherwise scan every mapped page of it.
 */
__attribute__((destructor)) static void setups_free(void)
{
	for (unsigned int i = 0; i < FUZZ_NR_SETUPS; i++) {
		ims_machine_free(setups[i].m);
		setups[i].m = NULL;
	}
	for (unsigned int i = 0; i < 2; i++) {
		ims_of_tree_free(boards[i]);
		boards[i] = NULL;
	}
}

static struct setup *setup_get(unsigned int idx)
{
	struct setup *s = &setups[idx];

	if (s->m &&
	    (s->inputs >= FUZZ_MACHINE_INPUTS || ims_machine_klog_nr(s->m) > FUZZ_MACHINE_KLOG)) {
		ims_machine_free(s->m);
		s->m = NULL;
	}
	if (!s->m)
		setup_boot(s, idx);
	s->inputs++;
	return s;
}

/* ---- helpers ----------------------------------------------------------------------- */

static enum ims_dma_data_direction dir_from(uint8_t d)
{
	/* d & 3: BIDIRECTIONAL, TO_DEVICE, FROM_DEVICE, NONE; bit 7: not a direction */
	return (enum ims_dma_data_direction)((d & 3) | ((d & 0x80) ? 4 : 0));
}

static bool dir_valid(enum ims_dma_data_direction dir)
{
	return dir == IMS_DMA_BIDIRECTIONAL || dir == IMS_DMA_TO_DEVICE ||
	       dir == IMS_DMA_FROM_DEVICE;
}

static unsigned long attrs_from(uint8_t d)
{
	unsigned long attrs = 0;

	if (d & 4)
		attrs |= IMS_DMA_ATTR_SKIP_CPU_SYNC;
	if (d & 8)
		attrs |= IMS_DMA_ATTR_PRIVILEGED;
	if (d & 16)
		attrs |= IMS_DMA_ATTR_WEAK_ORDERING | IMS_DMA_ATTR_NO_WARN;
	return attrs;
}

/* Sizes: below a page, page multiples, up to 64 KiB unaligned, and edge cases. */
static size_t size_from(uint16_t b, uint8_t c)
{
	static const size_t edge[8] = {
		0,	  GRANULE - 1, GRANULE + 1, 256u << 10, (256u << 10) + 1,
		1u << 20, 1u << 30,    SIZE_MAX,
	};

	switch (c >> 6) {
	case 0:
		return 1 + b % GRANULE;
	case 1:
		return (1 + b % 16) * GRANULE;
	case 2:
		return 1 + b % 65536;
	default:
		return edge[b % 8];
	}
}

static uint8_t pat(unsigned int seq, size_t i)
{
	return (uint8_t)(seq * 37u + i * 7u + (i >> 8) + 1u);
}

static void fill(uint8_t *p, size_t n, unsigned int seq)
{
	for (size_t i = 0; i < n; i++)
		p[i] = pat(seq, i);
}

/* Swap the dummy entry's device to dma_dummy_ops for one call and back. */
static struct ims_device *dev_enter(struct run *r, int di)
{
	struct fdev *f = &r->s->devs[di];

	if (f->dummy)
		f->dev->dma_ops = IMS_DMA_OPS_DUMMY;
	return f->dev;
}

static void dev_leave(struct run *r, int di)
{
	if (r->s->devs[di].dummy)
		r->s->devs[di].dev->dma_ops = IMS_DMA_OPS_DIRECT;
}

static int dev_dma(struct run *r, int di, uint64_t addr, void *buf, uint64_t len, bool write)
{
	return ims_machine_device_dma(r->s->m, r->s->devs[di].dev, addr, buf, len, write, NULL);
}

/* Whether the data of @rec can be checked from the device. */
static bool rec_data(const struct run *r, const struct rec *rec)
{
	return !r->tainted && rec->cpu && r->s->devs[rec->dev].data &&
	       !(rec->attrs & IMS_DMA_ATTR_PRIVILEGED);
}

static bool rec_iommu(const struct run *r, const struct rec *rec)
{
	return r->s->devs[rec->dev].dev->dma_ops == IMS_DMA_OPS_IOMMU;
}

/* The DMA ranges of @rec, in whole granules. */
static int rec_ranges(const struct rec *rec, uint64_t *lo, uint64_t *hi)
{
	int n = 0;

	if (rec->kind == R_SG) {
		for (int i = 0; i < rec->mapped; i++, n++) {
			lo[n] = rec->sg[i].dma_address & ~(GRANULE - 1);
			hi[n] = (rec->sg[i].dma_address + rec->sg[i].dma_length - 1) |
				(GRANULE - 1);
		}
		return n;
	}
	lo[0] = rec->addr & ~(GRANULE - 1);
	hi[0] = (rec->addr + (rec->size ? rec->size : 1) - 1) | (GRANULE - 1);
	return 1;
}

/* No two live mappings of one IOMMU domain overlap (checked as @rec is added). */
static void check_overlap(struct run *r, const struct rec *rec)
{
	uint64_t lo[FUZZ_MAX_SG], hi[FUZZ_MAX_SG], lo2[FUZZ_MAX_SG], hi2[FUZZ_MAX_SG];
	struct ims_iommu_domain *dom;
	int n, n2;

	if (r->tainted || !rec_iommu(r, rec))
		return;
	dom = ims_iommu_get_domain_for_dev(r->s->devs[rec->dev].dev);
	n = rec_ranges(rec, lo, hi);
	for (int i = 0; i < n; i++)
		FUZZ_CHECK(lo[i] <= hi[i], "mapping 0x%llx wraps", (unsigned long long)lo[i]);
	for (int k = 0; k < r->nr_live; k++) {
		const struct rec *o = &r->live[k];

		if (!rec_iommu(r, o) || ims_iommu_get_domain_for_dev(r->s->devs[o->dev].dev) != dom)
			continue;
		n2 = rec_ranges(o, lo2, hi2);
		for (int i = 0; i < n; i++)
			for (int j = 0; j < n2; j++)
				FUZZ_CHECK(
					lo[i] > hi2[j] || lo2[j] > hi[i],
					"live IOVAs overlap: 0x%llx-0x%llx (%s) and 0x%llx-0x%llx "
					"(%s)",
					(unsigned long long)lo[i], (unsigned long long)hi[i],
					r->s->devs[rec->dev].dev->name, (unsigned long long)lo2[j],
					(unsigned long long)hi2[j], r->s->devs[o->dev].dev->name);
	}
}

static void rec_add(struct run *r, const struct rec *rec)
{
	check_overlap(r, rec);
	r->live[r->nr_live++] = *rec;
}

/* @rec (index @k) was unmapped exactly: forget it, keep its IOVA for the fault check. */
static void rec_gone(struct run *r, int k, bool exact)
{
	struct rec *rec = &r->live[k];

	if (exact && !r->tainted && rec_iommu(r, rec) && r->s->devs[rec->dev].data &&
	    rec->kind != R_SG) {
		uint8_t byte;

		/* strict: the IOTLB was invalidated at unmap */
		if (!ims_dma_iommu_domain_is_lazy(r->s->devs[rec->dev].dev))
			FUZZ_CHECK(dev_dma(r, rec->dev, rec->addr, &byte, 1, false) == -EFAULT,
				   "%s: strict unmap of 0x%llx still translates",
				   r->s->devs[rec->dev].dev->name, (unsigned long long)rec->addr);
		if (r->nr_dead < FUZZ_MAX_DEAD)
			r->dead[r->nr_dead++] = (struct dead){ rec->dev, rec->addr };
	}
	r->live[k] = r->live[--r->nr_live];
}

/*
 * Which wrong call a destructive op makes: MISUSE_NONE unless the low 6 bits
 * of @c are all set (1 in 64), so that most inputs stay clean and keep their
 * machine (a tainted one costs a boot).
 */
enum misuse { MISUSE_NONE, MISUSE_SIZE, MISUSE_DIR, MISUSE_ADDR, MISUSE_OTHER };

static enum misuse misuse_from(uint8_t c)
{
	return (c & 0x3f) == 0x3f ? (enum misuse)(1 + (c >> 6)) : MISUSE_NONE;
}

/* A destructive call that matched no live mapping: anything may be broken now. */
static void taint(struct run *r)
{
	r->tainted = true;
}

/* The linear offset @off of an R_SG record's segments, as a CPU pointer. */
static uint8_t *sg_cpu(const struct run *r, const struct rec *rec, size_t off)
{
	for (int i = 0; i < rec->nents; i++) {
		if (off < rec->sg[i].length)
			return r->s->pool + (rec->sg[i].phys - r->s->pool_pa) + off;
		off -= rec->sg[i].length;
	}
	return NULL;
}

/* The device reads @len bytes at @addr and finds @want. */
static void check_dev_read(struct run *r, int di, uint64_t addr, const uint8_t *want, size_t len,
			   const char *what)
{
	uint8_t got[FUZZ_CHECK_LEN];
	int ret;

	len = FMIN(len, (size_t)FUZZ_CHECK_LEN);
	ret = dev_dma(r, di, addr, got, len, false);
	FUZZ_CHECK(!ret && !memcmp(got, want, len), "%s: %s: device read of %zu at 0x%llx: %d%s",
		   r->s->devs[di].dev->name, what, len, (unsigned long long)addr, ret,
		   ret ? "" : ", other data");
}

/* ---- the ops ----------------------------------------------------------------------- */

static void op_set_mask(struct run *r, int di)
{
	struct ims_device *dev = dev_enter(r, di);
	unsigned int bits = r->c % 65;
	uint64_t mask = IMS_DMA_BIT_MASK(bits);
	int ret;

	if (r->d & 0x40)
		mask ^= (uint64_t)r->a << (r->b % 48); /* not all ones */
	switch (r->d & 3) {
	case 0:
		ret = ims_dma_set_mask(dev, mask);
		FUZZ_CHECK(ret || ims_dma_get_mask(dev) == (mask ? mask : IMS_DMA_BIT_MASK(32)),
			   "set_mask 0x%llx, get_mask 0x%llx", (unsigned long long)mask,
			   (unsigned long long)ims_dma_get_mask(dev));
		break;
	case 1:
		ret = ims_dma_set_coherent_mask(dev, mask);
		FUZZ_CHECK(ret || dev->coherent_dma_mask == mask, "set_coherent_mask");
		break;
	default:
		ret = ims_dma_set_mask_and_coherent(dev, mask);
		break;
	}
	FUZZ_CHECK(ret == 0 || ret == -EIO, "set_mask returned %d", ret);
	FUZZ_CHECK(!r->s->devs[di].dummy || ret == -EIO, "dummy set_mask returned %d", ret);
	dev_leave(r, di);
}

/* A successful map: dma_mapping_error() must accept it (unless the input skips the check). */
static void check_mapped(struct run *r, int di, uint64_t addr)
{
	FUZZ_CHECK(!r->s->devs[di].dummy, "dma_dummy_ops mapped 0x%llx", (unsigned long long)addr);
	if (!(r->d & 0x20))
		FUZZ_CHECK(!ims_dma_mapping_error(r->s->devs[di].dev, addr),
			   "mapping error on 0x%llx", (unsigned long long)addr);
}

static void op_map(struct run *r, int di)
{
	struct rec rec = { .dev = di, .dir = dir_from(r->d), .attrs = attrs_from(r->d) };
	size_t off = r->a % FUZZ_POOL_SIZE;
	struct ims_device *dev;

	rec.size = FMIN(size_from(r->b, r->c), (size_t)FUZZ_POOL_SIZE - off);
	rec.cpu = r->s->pool + off;
	rec.kind = (r->d & 0x40) ? R_PAGE : R_SINGLE;
	fill(rec.cpu, rec.size, r->seq);
	dev = dev_enter(r, di);
	if (rec.kind == R_PAGE)
		rec.addr = ims_dma_map_page_attrs(dev, (r->s->pool_pa + off) & ~(GRANULE - 1),
						  (r->s->pool_pa + off) & (GRANULE - 1), rec.size,
						  rec.dir, rec.attrs);
	else
		rec.addr = ims_dma_map_single_attrs(dev, rec.cpu, rec.size, rec.dir, rec.attrs);
	dev_leave(r, di);
	if (rec.addr == IMS_DMA_MAPPING_ERROR) {
		FUZZ_CHECK(ims_dma_mapping_error(dev, rec.addr) == -ENOMEM,
			   "dma_mapping_error(DMA_MAPPING_ERROR)");
		return;
	}
	FUZZ_CHECK(dir_valid(rec.dir), "map with direction %d succeeded", (int)rec.dir);
	check_mapped(r, di, rec.addr);
	if (rec_data(r, &rec) && rec.dir != IMS_DMA_FROM_DEVICE) {
		size_t o = rec.size > FUZZ_CHECK_LEN ? r->b % (rec.size - FUZZ_CHECK_LEN + 1) : 0;

		check_dev_read(r, di, rec.addr + o, rec.cpu + o, rec.size - o, "map");
	}
	rec_add(r, &rec);
}

/* map_page of any physical address: RAM that is not ours only TO_DEVICE. */
static void op_map_phys(struct run *r, int di)
{
	static const uint64_t far[] = {
		0,	    0x8000000,		 0x9050000,    0x10000000, 0xf0100000,
		1ULL << 40, (1ULL << 48) - 4096, ~0ULL - 4095, ~0ULL,
	};
	struct rec rec = { .dev = di, .kind = R_PAGE, .attrs = attrs_from(r->d) };
	uint64_t base, size, phys;
	bool ram;

	if (r->c & 0x80 || ims_mem_ram_region(r->s->mem, r->c % 4, &base, &size))
		phys = far[r->a % FARRAY_SIZE(far)] + r->b;
	else
		phys = base + (((uint64_t)r->a << 16 | r->b) << (r->d >> 6 ? 12 : 0)) % size;
	rec.size = size_from(r->b, r->c);
	if (rec.size > (4u << 20) && rec.size != SIZE_MAX)
		rec.size = 4u << 20;
	rec.dir = (r->d & 0x80) ? dir_from(r->d) : IMS_DMA_TO_DEVICE;
	ram = rec.size && phys + rec.size >= phys && ims_mem_is_ram(r->s->mem, phys, rec.size);
	rec.addr = ims_dma_map_page_attrs(dev_enter(r, di), phys & ~(GRANULE - 1),
					  phys & (GRANULE - 1), rec.size, rec.dir, rec.attrs);
	dev_leave(r, di);
	if (rec.addr == IMS_DMA_MAPPING_ERROR)
		return;
	FUZZ_CHECK(ram && dir_valid(rec.dir), "map of 0x%llx+%zu (ram %d, dir %d) succeeded",
		   (unsigned long long)phys, rec.size, ram, (int)rec.dir);
	check_mapped(r, di, rec.addr);
	rec_add(r, &rec);
}

/* Pick a live record of @kind (or R_SINGLE/R_PAGE for either), -1 when none. */
static int pick(const struct run *r, enum rec_kind kind, unsigned int sel)
{
	int idx[FUZZ_MAX_LIVE], n = 0;

	for (int k = 0; k < r->nr_live; k++) {
		enum rec_kind rk = r->live[k].kind == R_PAGE ? R_SINGLE : r->live[k].kind;

		if (rk == (kind == R_PAGE ? R_SINGLE : kind))
			idx[n++] = k;
	}
	return n ? idx[sel % n] : -1;
}

static void op_unmap(struct run *r, int di)
{
	int k = pick(r, R_SINGLE, r->a);
	enum misuse variant = misuse_from(r->c);
	struct rec *rec;
	uint64_t addr;
	size_t size;
	enum ims_dma_data_direction dir;

	if (k < 0 && variant == MISUSE_NONE)
		return;
	if (k < 0 || variant == MISUSE_OTHER) {
		/* an address nobody mapped, on any device */
		ims_dma_unmap_page_attrs(dev_enter(r, di), ((uint64_t)r->a << 12) + r->b,
					 size_from(r->b, r->c), dir_from(r->d), 0);
		dev_leave(r, di);
		taint(r);
		return;
	}
	rec = &r->live[k];
	addr = rec->addr;
	size = rec->size;
	dir = rec->dir;
	if (variant == MISUSE_SIZE)
		size = size_from(r->b, r->d);
	else if (variant == MISUSE_DIR)
		dir = dir_from(r->d);
	else if (variant == MISUSE_ADDR)
		addr += (int16_t)r->b;
	if (addr == rec->addr && size == rec->size && dir == rec->dir) {
		if (rec->kind == R_PAGE)
			ims_dma_unmap_page(r->s->devs[rec->dev].dev, addr, size, dir);
		else
			ims_dma_unmap_single(r->s->devs[rec->dev].dev, addr, size, dir);
		rec_gone(r, k, true);
		return;
	}
	ims_dma_unmap_page_attrs(r->s->devs[rec->dev].dev, addr, size, dir, attrs_from(r->d));
	taint(r);
	if (addr == rec->addr && dir_valid(dir))
		rec_gone(r, k, false);
}

static void op_map_sg(struct run *r, int di)
{
	struct rec rec = {
		.dev = di, .kind = R_SG, .dir = dir_from(r->d), .attrs = attrs_from(r->d)
	};
	uint64_t x = ((uint64_t)r->a << 16 | r->b) * 0x9E3779B97F4A7C15ULL + r->c;
	size_t total = 0;
	int ret;

	rec.nents = 1 + r->c % FUZZ_MAX_SG;
	ims_sg_init_table(rec.sg, (unsigned int)rec.nents);
	for (int i = 0; i < rec.nents; i++) {
		size_t off, len;

		x ^= x >> 29;
		x *= 0xBF58476D1CE4E5B9ULL;
		/* aligned pages, or anything; sometimes the next segment follows this one */
		if ((x >> 8) & 1)
			off = ((x >> 16) % (FUZZ_POOL_SIZE / GRANULE)) * GRANULE;
		else if (i && ((x >> 9) & 1))
			off = rec.sg[i - 1].phys - r->s->pool_pa + rec.sg[i - 1].length;
		else
			off = (x >> 16) % FUZZ_POOL_SIZE;
		len = (x >> 10) & 1 ? ((x >> 40) % 4 + 1) * GRANULE : 1 + (x >> 40) % 9000;
		if (off >= FUZZ_POOL_SIZE)
			off = 0;
		len = FMIN(len, (size_t)FUZZ_POOL_SIZE - off);
		rec.sg[i].phys = r->s->pool_pa + off;
		rec.sg[i].length = (unsigned int)len;
		fill(r->s->pool + off, len, r->seq + (unsigned int)i);
		total += len;
	}
	rec.cpu = r->s->pool;
	rec.size = total;
	ret = ims_dma_map_sg_attrs(dev_enter(r, di), rec.sg, rec.nents, rec.dir, rec.attrs);
	dev_leave(r, di);
	FUZZ_CHECK(ret >= 0 && ret <= rec.nents, "map_sg of %d returned %d", rec.nents, ret);
	if (!ret)
		return;
	FUZZ_CHECK(dir_valid(rec.dir) && !r->s->devs[di].dummy, "map_sg (dir %d) succeeded",
		   (int)rec.dir);
	rec.mapped = ret;
	rec.addr = rec.sg[0].dma_address;
	{
		size_t dma_total = 0;

		for (int i = 0; i < ret; i++)
			dma_total += rec.sg[i].dma_length;
		FUZZ_CHECK(dma_total == total, "map_sg: %zu bytes in DMA segments, %zu in the list",
			   dma_total, total);
	}
	/* The DMA segments in order hold the list's bytes in order (segments may overlap). */
	/* overlapping segments: the later fill wins, so only lists without them are checked */
	rec.sg_distinct = true;
	for (int i = 0; i < rec.nents; i++)
		for (int j = 0; j < i; j++)
			if (rec.sg[i].phys < rec.sg[j].phys + rec.sg[j].length &&
			    rec.sg[j].phys < rec.sg[i].phys + rec.sg[i].length)
				rec.sg_distinct = false;
	if (rec_data(r, &rec) && rec.dir != IMS_DMA_FROM_DEVICE) {
		size_t lin = 0, budget = 4 * FUZZ_CHECK_LEN;
		uint8_t want[FUZZ_CHECK_LEN];

		for (int i = 0; rec.sg_distinct && i < ret && budget; i++) {
			size_t len = FMIN((size_t)rec.sg[i].dma_length, (size_t)FUZZ_CHECK_LEN);

			len = FMIN(len, budget);
			for (size_t j = 0; j < len; j++)
				want[j] = *sg_cpu(r, &rec, lin + j);
			check_dev_read(r, di, rec.sg[i].dma_address, want, len, "map_sg");
			lin += rec.sg[i].dma_length;
			budget -= len;
		}
	}
	rec_add(r, &rec);
}

static void op_unmap_sg(struct run *r)
{
	int k = pick(r, R_SG, r->a);
	enum misuse variant = misuse_from(r->c);
	struct rec *rec;
	int nents;
	enum ims_dma_data_direction dir;

	if (k < 0)
		return;
	rec = &r->live[k];
	nents = rec->nents;
	dir = rec->dir;
	if (variant == MISUSE_DIR)
		dir = dir_from(r->d);
	else if (variant != MISUSE_NONE)
		nents = 1 + r->d % rec->nents;
	if (nents == rec->nents && dir == rec->dir) {
		ims_dma_unmap_sg(r->s->devs[rec->dev].dev, rec->sg, nents, dir);
		rec_gone(r, k, true);
		return;
	}
	ims_dma_unmap_sg(r->s->devs[rec->dev].dev, rec->sg, nents, dir);
	taint(r);
	if (dir_valid(dir))
		rec_gone(r, k, false);
}

static void op_alloc(struct run *r, int di)
{
	struct rec rec = { .dev = di, .kind = R_COHERENT, .dir = IMS_DMA_BIDIRECTIONAL };
	static const unsigned int gfps[4] = { IMS_GFP_KERNEL, IMS_GFP_DMA, IMS_GFP_DMA32,
					      IMS_GFP_COMP };
	unsigned int gfp = gfps[(r->d >> 5) & 3];
	uint8_t zero[256] = { 0 };

	rec.size = size_from(r->b, r->c);
	if (rec.size > (1u << 20) && rec.size != SIZE_MAX)
		rec.size = (r->c & 0x20) ? (4u << 20) : (1u << 20);
	rec.attrs = attrs_from(r->d) & ~IMS_DMA_ATTR_SKIP_CPU_SYNC;
	rec.cpu = ims_dma_alloc_attrs(dev_enter(r, di), rec.size, &rec.addr, gfp, rec.attrs);
	dev_leave(r, di);
	if (!rec.cpu)
		return;
	FUZZ_CHECK(!r->s->devs[di].dummy && rec.size && rec.size != SIZE_MAX &&
			   rec.addr != IMS_DMA_MAPPING_ERROR,
		   "alloc of %zu succeeded at 0x%llx", rec.size, (unsigned long long)rec.addr);
	FUZZ_CHECK(!memcmp(rec.cpu, zero, FMIN(rec.size, sizeof(zero))) &&
			   !memcmp(rec.cpu + rec.size - FMIN(rec.size, sizeof(zero)), zero,
				   FMIN(rec.size, sizeof(zero))),
		   "coherent memory of %zu not zeroed", rec.size);
	if (rec_data(r, &rec)) {
		size_t o = rec.size > FUZZ_CHECK_LEN ? r->a % (rec.size - FUZZ_CHECK_LEN + 1) : 0;
		size_t len = FMIN(rec.size - o, (size_t)FUZZ_CHECK_LEN);
		uint8_t put[FUZZ_CHECK_LEN];
		int ret;

		fill(rec.cpu + o, len, r->seq);
		check_dev_read(r, di, rec.addr + o, rec.cpu + o, len, "coherent");
		fill(put, len, r->seq + 99);
		ret = dev_dma(r, di, rec.addr + o, put, len, true);
		FUZZ_CHECK(!ret && !memcmp(put, rec.cpu + o, len),
			   "%s: coherent: device write of %zu at 0x%llx: %d",
			   r->s->devs[di].dev->name, len, (unsigned long long)(rec.addr + o), ret);
	}
	rec_add(r, &rec);
}

static void op_free(struct run *r)
{
	int k = pick(r, R_COHERENT, r->a);
	enum misuse variant = misuse_from(r->c);
	struct rec *rec;
	size_t size;
	uint64_t addr;

	if (k < 0)
		return;
	rec = &r->live[k];
	size = rec->size;
	addr = rec->addr;
	if (variant == MISUSE_SIZE || variant == MISUSE_DIR)
		size = size_from(r->b, r->d);
	else if (variant != MISUSE_NONE)
		addr += (int16_t)r->b;
	ims_dma_free_attrs(r->s->devs[rec->dev].dev, size, rec->cpu, addr, rec->attrs);
	if (size != rec->size || addr != rec->addr)
		taint(r);
	rec_gone(r, k, size == rec->size && addr == rec->addr);
}

static void op_mmap(struct run *r)
{
	int k = pick(r, R_COHERENT, r->a);
	struct ims_vm_area vma = { 0 };
	struct ims_sg_table sgt;
	struct rec *rec;
	size_t pages, size;
	int ret;

	if (k < 0)
		return;
	rec = &r->live[k];
	pages = (rec->size + IMS_PAGE_SIZE - 1) / IMS_PAGE_SIZE;
	size = (r->c & 0x80) ? size_from(r->b, r->c & 0x7f) : rec->size; /* may be wrong */
	if (r->c & 0x40) {
		ret = ims_dma_get_sgtable(r->s->devs[rec->dev].dev, &sgt, rec->cpu, rec->addr,
					  size);
		FUZZ_CHECK(ret == 0 || ret == -ENOMEM || ret == -EFAULT, "get_sgtable: %d", ret);
		if (!ret) {
			uint64_t total = 0;

			for (unsigned int i = 0; i < sgt.nents; i++)
				total += sgt.sgl[i].length;
			FUZZ_CHECK(size != rec->size || total >= rec->size,
				   "get_sgtable: %llu bytes of %zu", (unsigned long long)total,
				   rec->size);
			ims_sg_free_table(&sgt);
		}
		return;
	}
	vma.vm_pgoff = r->d % (pages + 2);
	vma.len = (r->b % (pages + 2)) * IMS_PAGE_SIZE + (r->c & 0x20 ? 1 : 0);
	if (!vma.len)
		vma.len = IMS_PAGE_SIZE;
	ret = ims_dma_mmap_coherent(r->s->devs[rec->dev].dev, &vma, rec->cpu, rec->addr, size);
	if (size == rec->size) {
		size_t want = (vma.len + IMS_PAGE_SIZE - 1) / IMS_PAGE_SIZE;
		bool fits = vma.vm_pgoff < pages && want <= pages - vma.vm_pgoff;

		FUZZ_CHECK(fits ? ret == 0 || ret == -ENOMEM : ret == -ENXIO,
			   "mmap of %zu pages at %lu of %zu: %d", want, vma.vm_pgoff, pages, ret);
		if (!ret) {
			/* the same bytes from both sides */
			uint8_t *u = vma.addr, *kv = rec->cpu + vma.vm_pgoff * IMS_PAGE_SIZE;
			size_t n = FMIN(vma.len, rec->size - vma.vm_pgoff * IMS_PAGE_SIZE);

			u[0] = (uint8_t)(r->seq + 1);
			u[n - 1] = (uint8_t)(r->seq + 2);
			FUZZ_CHECK(kv[0] == u[0] && kv[n - 1] == u[n - 1],
				   "mmap view differs from the kernel view");
			kv[n / 2] = (uint8_t)(r->seq + 3);
			FUZZ_CHECK(u[n / 2] == kv[n / 2], "kernel view differs from the mmap view");
		}
	}
	if (!ret) {
		FUZZ_CHECK(vma.addr, "mmap succeeded without an address");
		ims_dma_munmap(&vma);
	}
}

static void op_sync(struct run *r, int di)
{
	int k = pick(r, (r->c & 1) ? R_SG : R_SINGLE, r->a);
	bool for_cpu = r->c & 2;
	struct ims_device *dev;
	struct rec *rec;

	if (k < 0 || (r->c & 0xc0) == 0xc0) {
		/* anywhere, with any direction */
		uint64_t addr = ((uint64_t)r->a << 12) + r->b;

		dev = dev_enter(r, di);
		if (for_cpu)
			ims_dma_sync_single_for_cpu(dev, addr, size_from(r->b, r->c),
						    dir_from(r->d));
		else
			ims_dma_sync_single_for_device(dev, addr, size_from(r->b, r->c),
						       dir_from(r->d));
		dev_leave(r, di);
		return;
	}
	rec = &r->live[k];
	dev = r->s->devs[rec->dev].dev;
	if (rec->kind == R_SG) {
		int n = (r->c & 4) ? 1 + r->d % rec->nents : rec->nents;

		if (for_cpu)
			ims_dma_sync_sg_for_cpu(dev, rec->sg, n, rec->dir);
		else
			ims_dma_sync_sg_for_device(dev, rec->sg, n, rec->dir);
	} else {
		/* all of it, or a part of it, with its direction or another one */
		uint64_t off = (r->c & 4) ? r->b % (rec->size ? rec->size : 1) : 0;
		size_t size =
			(r->c & 4) ? 1 + r->d % (rec->size - off ? rec->size - off : 1) : rec->size;
		enum ims_dma_data_direction dir = (r->c & 8) ? dir_from(r->d) : rec->dir;

		if (for_cpu)
			ims_dma_sync_single_for_cpu(dev, rec->addr + off, size, dir);
		else
			ims_dma_sync_single_for_device(dev, rec->addr + off, size, dir);
	}
}

static void op_map_resource(struct run *r, int di)
{
	static const uint64_t where[] = { 0x9050000,  0x8000000,  0x10000000, 0xf0100000,
					  0xf2600000, 1ULL << 40, 0x40000000, 0 };
	struct rec rec = { .dev = di, .kind = R_RESOURCE, .dir = dir_from(r->d) };
	uint64_t phys = where[r->c % FARRAY_SIZE(where)] + ((uint64_t)r->a << 4);
	bool ram = ims_mem_is_ram(r->s->mem, phys, 1);

	rec.size = 1 + r->b % (4 * GRANULE);
	rec.attrs = attrs_from(r->d);
	rec.addr = ims_dma_map_resource(dev_enter(r, di), phys, rec.size, rec.dir, rec.attrs);
	dev_leave(r, di);
	if (rec.addr == IMS_DMA_MAPPING_ERROR)
		return;
	FUZZ_CHECK(!ram && dir_valid(rec.dir) && !r->s->devs[di].dummy,
		   "map_resource of 0x%llx (ram %d, dir %d) succeeded", (unsigned long long)phys,
		   ram, (int)rec.dir);
	check_mapped(r, di, rec.addr);
	rec_add(r, &rec);
}

static void op_unmap_resource(struct run *r)
{
	int k = pick(r, R_RESOURCE, r->a);
	struct rec *rec;
	size_t size;

	if (k < 0)
		return;
	rec = &r->live[k];
	size = misuse_from(r->c) != MISUSE_NONE ? rec->size + 1 + r->b : rec->size;
	ims_dma_unmap_resource(r->s->devs[rec->dev].dev, rec->addr, size, rec->dir, 0);
	if (size != rec->size)
		taint(r);
	rec_gone(r, k, size == rec->size);
}

/* A device write to @rec shows in its CPU buffer after sync_for_cpu. */
static void check_dev_write(struct run *r, struct rec *rec)
{
	uint8_t put[FUZZ_CHECK_LEN];
	struct ims_device *dev = r->s->devs[rec->dev].dev;
	uint64_t addr = rec->addr;
	size_t span = rec->kind == R_SG ? rec->sg[0].dma_length : rec->size;
	size_t o = span > FUZZ_CHECK_LEN ? r->b % (span - FUZZ_CHECK_LEN + 1) : 0;
	size_t len = FMIN(span - o, (size_t)FUZZ_CHECK_LEN);
	int ret;

	fill(put, len, r->seq + 7);
	ret = dev_dma(r, rec->dev, addr + o, put, len, true);
	FUZZ_CHECK(!ret, "%s: device write of %zu at 0x%llx (dir %d): %d", dev->name, len,
		   (unsigned long long)(addr + o), (int)rec->dir, ret);
	if (rec->kind == R_SG) {
		ims_dma_sync_sg_for_cpu(dev, rec->sg, rec->nents, rec->dir);
		for (size_t i = 0; i < len; i++)
			FUZZ_CHECK(*sg_cpu(r, rec, o + i) == put[i],
				   "%s: map_sg: device write at +%zu not in the buffer", dev->name,
				   o + i);
		return;
	}
	if (rec->kind != R_COHERENT)
		ims_dma_sync_single_for_cpu(dev, rec->addr, rec->size, rec->dir);
	FUZZ_CHECK(!memcmp(rec->cpu + o, put, len),
		   "%s: device write of %zu at 0x%llx not in the buffer after sync", dev->name, len,
		   (unsigned long long)(addr + o));
}

static void op_dev_access(struct run *r, int di)
{
	uint8_t buf[FUZZ_CHECK_LEN];
	size_t len = 1 + r->b % sizeof(buf);
	int k = r->nr_live ? r->a % r->nr_live : -1;
	bool write = (r->d & 1) && !r->tainted; /* after a wrong free, freed pages may be mapped */
	struct rec *rec;

	if (k < 0 || (r->c & 0xc0) == 0xc0) {
		/*
		 * A fuzzed address.  Writes only through a strict IOMMU domain,
		 * where nothing but our buffers is writable: a lazy one may still
		 * hold IOTLB entries of freed pages, which the models may now use.
		 */
		uint64_t addr = ((uint64_t)r->a << (r->c % 40)) + r->b;
		struct ims_device *dev = r->s->devs[di].dev;

		if (r->s->devs[di].dummy)
			return;
		write = write && dev->dma_ops == IMS_DMA_OPS_IOMMU && r->s->devs[di].data &&
			!ims_dma_iommu_domain_is_lazy(dev);
		fill(buf, len, r->seq);
		dev_dma(r, di, addr, buf, len, write);
		return;
	}
	rec = &r->live[k];
	if (write && rec->dir != IMS_DMA_TO_DEVICE && rec->kind != R_RESOURCE && rec_data(r, rec) &&
	    (rec->kind != R_SG || (rec->mapped == 1 && rec->sg_distinct))) {
		check_dev_write(r, rec);
		return;
	}
	/*
	 * Any access in the mapping; writes only into our own buffers (within
	 * the mapping and its first DMA segment).
	 */
	{
		size_t span = rec->kind == R_SG ? rec->sg[0].dma_length : rec->size;
		uint64_t off = span ? r->c % span : 0;

		/* a device with another path (a broken alias) may reach stale IOTLB entries */
		write = write && rec->cpu && rec->kind != R_RESOURCE && span &&
			r->s->devs[rec->dev].data;
		if (write)
			len = FMIN(len, span - off);
		fill(buf, len, r->seq);
		dev_dma(r, rec->dev, rec->addr + off, buf, len, write);
	}
}

static void op_fq_timeout(struct run *r, int di)
{
	struct ims_device *dev = dev_enter(r, di);
	int ret = ims_dma_fq_timeout(dev);

	FUZZ_CHECK(ret >= 0 || ret == -ENODEV, "fq_timeout: %d", ret);
	FUZZ_CHECK(dev->dma_ops == IMS_DMA_OPS_IOMMU || ret == -ENODEV,
		   "fq_timeout on a device without dma-iommu: %d", ret);
	dev_leave(r, di);
}

static void op_query(struct run *r, int di)
{
	struct ims_device *dev = dev_enter(r, di);
	uint64_t mask = IMS_DMA_BIT_MASK(r->c % 65), addr = ((uint64_t)r->a << 32) | r->b;
	bool sup = ims_dma_supported(dev, mask);

	FUZZ_CHECK(!r->s->devs[di].dummy || !sup, "dma_dummy_ops supports a mask");
	FUZZ_CHECK(dev->dma_ops != IMS_DMA_OPS_IOMMU || sup, "dma-iommu refuses a mask");
	(void)ims_dma_get_required_mask(dev);
	(void)ims_dma_max_mapping_size(dev);
	(void)ims_dma_addressing_limited(dev);
	(void)ims_dma_capable(dev, addr, size_from(r->b, r->c));
	(void)ims_phys_to_dma(dev, addr);
	(void)ims_dma_to_phys(dev, addr);
	FUZZ_CHECK(ims_dma_mapping_error(dev, IMS_DMA_MAPPING_ERROR) == -ENOMEM &&
			   !ims_dma_mapping_error(dev, addr),
		   "dma_mapping_error");
	dev_leave(r, di);
}

/* ---- one input --------------------------------------------------------------------- */

static void run_op(struct run *r, const uint8_t *p)
{
	int di;

	r->a = (uint16_t)(p[2] | p[3] << 8);
	r->b = (uint16_t)(p[4] | p[5] << 8);
	r->c = p[6];
	r->d = p[7];
	r->seq++;
	di = p[1] % (r->s->nr_devs + 1);
	if (r->nr_live >= FUZZ_MAX_LIVE &&
	    (p[0] % OP_NR == OP_MAP || p[0] % OP_NR == OP_MAP_PHYS || p[0] % OP_NR == OP_MAP_SG ||
	     p[0] % OP_NR == OP_ALLOC || p[0] % OP_NR == OP_MAP_RESOURCE))
		return;
	switch (p[0] % OP_NR) {
	case OP_SET_MASK:
		op_set_mask(r, di);
		break;
	case OP_MAP:
		op_map(r, di);
		break;
	case OP_MAP_PHYS:
		op_map_phys(r, di);
		break;
	case OP_UNMAP:
		op_unmap(r, di);
		break;
	case OP_MAP_SG:
		op_map_sg(r, di);
		break;
	case OP_UNMAP_SG:
		op_unmap_sg(r);
		break;
	case OP_ALLOC:
		op_alloc(r, di);
		break;
	case OP_FREE:
		op_free(r);
		break;
	case OP_MMAP:
		op_mmap(r);
		break;
	case OP_SYNC:
		op_sync(r, di);
		break;
	case OP_MAP_RESOURCE:
		op_map_resource(r, di);
		break;
	case OP_UNMAP_RESOURCE:
		op_unmap_resource(r);
		break;
	case OP_DEV_ACCESS:
		op_dev_access(r, di);
		break;
	case OP_FQ_TIMEOUT:
		op_fq_timeout(r, di);
		break;
	default:
		op_query(r, di);
		break;
	}
}

/* Unmap and free what is left, restore the masks, and check the machine is clean. */
static void cleanup(struct run *r)
{
	struct setup *s = r->s;
	struct ims_devcore *dc = ims_machine_devcore(s->m);
	struct ims_dma_stats st;

	while (r->nr_live) {
		struct rec *rec = &r->live[r->nr_live - 1];
		struct ims_device *dev = s->devs[rec->dev].dev;

		switch (rec->kind) {
		case R_SINGLE:
		case R_PAGE:
			ims_dma_unmap_page(dev, rec->addr, rec->size, rec->dir);
			break;
		case R_SG:
			ims_dma_unmap_sg(dev, rec->sg, rec->nents, rec->dir);
			break;
		case R_COHERENT:
			ims_dma_free_attrs(dev, rec->size, rec->cpu, rec->addr, rec->attrs);
			break;
		case R_RESOURCE:
			ims_dma_unmap_resource(dev, rec->addr, rec->size, rec->dir, 0);
			break;
		}
		rec_gone(r, r->nr_live - 1, true);
	}
	for (int i = 0; i < s->nr_devs; i++) {
		struct ims_device *dev = s->devs[i].dev;

		if (dev->dma_mask != s->devs[i].mask)
			ims_dma_set_mask(dev, s->devs[i].mask);
		if (dev->coherent_dma_mask != s->devs[i].cmask)
			ims_dma_set_coherent_mask(dev, s->devs[i].cmask);
		FUZZ_CHECK(dev->dma_mask == s->devs[i].mask &&
				   dev->coherent_dma_mask == s->devs[i].cmask,
			   "%s: the boot masks cannot be restored", dev->name);
		if (dev->dma_ops == IMS_DMA_OPS_IOMMU)
			(void)ims_dma_fq_timeout(dev);
	}
	if (r->tainted)
		return;
	for (int i = 0; i < r->nr_dead; i++) {
		uint8_t byte;
		int ret = dev_dma(r, r->dead[i].dev, r->dead[i].addr, &byte, 1, false);

		FUZZ_CHECK(ret == -EFAULT, "%s: 0x%llx still translates after unmap and flush: %d",
			   s->devs[r->dead[i].dev].dev->name, (unsigned long long)r->dead[i].addr,
			   ret);
	}
	FUZZ_CHECK(ims_dma_debug_nr_entries(dc, NULL) == 0, "dma-debug holds %lu entries",
		   ims_dma_debug_nr_entries(dc, NULL));
	ims_dma_get_stats(dc, &st);
	FUZZ_CHECK(st.swiotlb_used == 0, "swiotlb holds %llu slots",
		   (unsigned long long)st.swiotlb_used);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct run r;
	size_t nr_ops;

	if (!size)
		return 0;
	memset(&r, 0, sizeof(r));
	r.s = setup_get(data[0] % FUZZ_NR_SETUPS);
	nr_ops = FMIN((size - 1) / 8, (size_t)FUZZ_MAX_OPS);
	for (size_t i = 0; i < nr_ops; i++)
		run_op(&r, data + 1 + 8 * i);
	cleanup(&r);
	if (r.tainted) {
		/* whatever the wrong calls broke goes with the machine */
		ims_machine_free(r.s->m);
		r.s->m = NULL;
	}
	return 0;
}
