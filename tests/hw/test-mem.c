/* SPDX-License-Identifier: MIT */
/* Simulated memory: RAM, MMIO dispatch and the buddy page allocator. */
#include <sys/mman.h>

#include <iommusim/hw.h>

#include <sys/resource.h>

#include "../tap.h"

struct regs {
	uint64_t r[4];
	int writes;
};

static int rd(void *o, uint64_t off, unsigned int size, uint64_t *val)
{
	struct regs *r = o;

	if (off / 8 >= 4)
		return -EFAULT;
	*val = r->r[off / 8];
	if (size == 4)
		*val = (off & 4) ? r->r[off / 8] >> 32 : (uint32_t)r->r[off / 8];
	return 0;
}

static int wr(void *o, uint64_t off, unsigned int size, uint64_t val)
{
	struct regs *r = o;

	r->writes++;
	r->r[off / 8] = val;
	return 0;
}

static const struct ims_mmio_ops ops = { rd, wr };

/* Odd-sized reservations go in as whole blocks; a refused one gives back exactly what it took. */
static void test_reserve_blocks(struct ims_mem *mem)
{
	const uint64_t rbase = 0x49235000, rsize = 0x8765b000; /* ~2.1 GiB, 4K-aligned ends */
	struct ims_mem_stats before, st;
	uint64_t pa, n = 0, bad = 0;

	ims_mem_get_stats(mem, &before);
	is_int(ims_mem_reserve(mem, rbase, rsize), 0, "reserve ~2.1 GiB at an odd address");
	ims_mem_get_stats(mem, &st);
	is_hex(st.reserved_bytes - before.reserved_bytes, rsize, "every page of it counted");
	is_hex(before.free_bytes - st.free_bytes, rsize, "and off the free lists");
	/* Overlaps only at its last page: everything before it must come back. */
	is_int(ims_mem_reserve(mem, 0x48100000, rbase + 0x1000 - 0x48100000), -EBUSY,
	       "a reservation ending inside another is -EBUSY");
	ims_mem_get_stats(mem, &before);
	is_hex(before.free_bytes, st.free_bytes, "the refused reservation gave its pages back");
	is_hex(before.reserved_bytes, st.reserved_bytes, "and its count");
	/* Take every free page: none may lie in a reservation. */
	while (!ims_mem_alloc_pages(mem, &pa, 0, UINT64_MAX, 0) && n < (1ULL << 21)) {
		n++;
		if (pa + 0x1000 > rbase && pa < rbase + rsize)
			bad++;
		if (pa >= 0x48000000 && pa < 0x48003000)
			bad++;
	}
	is_hex(n << 12, before.free_bytes, "every free page could be allocated");
	is_int((int)bad, 0, "none of them reserved");
}

/*
 * Reserving all of a 256 GiB region costs per block, not per page: the
 * per-page bookkeeping would touch ~600 MB of host memory.
 */
static void test_reserve_huge(void)
{
	struct ims_mem *mem;
	struct ims_mem_stats st;
	struct rusage a, b;
	int ret;

	ims_mem_new(&mem, NULL);
	ret = ims_mem_add_ram(mem, 1ULL << 40, 1ULL << 38);
	if (ret) {
		/* Only when the host refuses the sparse mapping itself (under valgrind). */
		is_int(ret, -ENOMEM,
		       "a 256 GiB region within the limits is refused only for memory");
		ims_mem_free(mem);
		return;
	}
	getrusage(RUSAGE_SELF, &a);
	is_int(ims_mem_reserve(mem, (1ULL << 40) + 0x1000, (1ULL << 38) - 0x2000), 0,
	       "reserve all of 256 GiB but its first and last pages");
	getrusage(RUSAGE_SELF, &b);
	ims_mem_get_stats(mem, &st);
	is_hex(st.reserved_bytes, (1ULL << 38) - 0x2000, "all of it counted");
	is_hex(st.free_bytes, 0x2000, "two pages left free");
	ok(b.ru_maxrss - a.ru_maxrss < 32 * 1024, "host memory grew by %ld KiB (< 32 MiB)",
	   b.ru_maxrss - a.ru_maxrss);
	ims_mem_free(mem);
}

int main(void)
{
	struct ims_mem *mem;
	struct ims_mem_stats st;
	struct regs regs = { { 0 }, 0 };
	uint64_t pa, pa2, v, blocks[64];
	uint32_t v32;
	char buf[16];
	int fd;
	uint64_t off;

	is_int(ims_mem_new(&mem, NULL), 0, "create address space");
	is_int(ims_mem_add_ram(mem, 0x40000000, 1ULL << 32), 0,
	       "4 GiB of sparse RAM at 0x40000000");
	is_int(ims_mem_add_ram(mem, 0x40001000, 0x1000), -EINVAL, "overlapping RAM rejected");
	is_int(ims_mem_add_ram(mem, 0x123, 0x1000), -EINVAL, "misaligned RAM rejected");
	is_int(ims_mem_add_ram(mem, 0x0, 0), -EINVAL, "empty RAM rejected");
	is_int(ims_mem_add_ram(mem, 0, 1ULL << 41), -IMS_ELIMIT,
	       "RAM past the size limit rejected");

	ims_mem_get_stats(mem, &st);
	is_hex(st.free_bytes, 1ULL << 32, "all RAM starts free");

	is_int(ims_mem_write64(mem, 0x40000008, 0x1122334455667788ULL), 0, "write64");
	is_int(ims_mem_read32(mem, 0x40000008, &v32), 0, "read32");
	is_hex(v32, 0x55667788, "little-endian in memory");
	is_int(ims_mem_read64(mem, 0x3ffffff8, &v), -EFAULT, "read below RAM faults");
	is_int(ims_mem_read(mem, 0x140000000 - 8, buf, 16), -EFAULT, "read across RAM end faults");
	ok(ims_mem_host_ptr(mem, 0x40000000, 16) != NULL, "host pointer into RAM");
	ok(ims_mem_host_ptr(mem, 0x140000000, 1) == NULL, "no host pointer past RAM");

	/* The memfd really holds the pages: a second mapping sees the same bytes. */
	is_int(ims_mem_ram_fd(mem, 0x40000008, &fd, &off), 0, "memfd behind RAM");
	{
		uint8_t *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

		ok(p != MAP_FAILED, "mmap the memfd");
		if (p != MAP_FAILED) {
			is_hex(p[off], 0x88, "the process mapping sees the device's bytes");
			p[off] = 0x99;
			is_int(ims_mem_read32(mem, 0x40000008, &v32), 0, "read back");
			is_hex(v32, 0x55667799, "the model sees the process's write");
			munmap(p, 4096);
		}
	}

	/* MMIO dispatch. */
	is_int(ims_mem_add_mmio(mem, 0x9050000, 0x20000, &ops, &regs), 0, "map MMIO");
	is_int(ims_mem_add_mmio(mem, 0x9060000, 0x1000, &ops, &regs), -EINVAL,
	       "overlapping MMIO rejected");
	is_int(ims_mmio_write(mem, 0x9050008, 8, 0xdeadbeefcafef00dULL), 0, "8-byte MMIO write");
	is_hex(regs.r[1], 0xdeadbeefcafef00dULL, "model got the value");
	is_int(ims_mmio_read(mem, 0x905000c, 4, &v), 0, "4-byte MMIO read");
	is_hex(v, 0xdeadbeef, "upper half read");
	is_int(ims_mmio_write(mem, 0x9050004, 8, 0), -EINVAL, "misaligned 8-byte access rejected");
	is_int(ims_mmio_write(mem, 0x9050000, 2, 0), -EINVAL, "2-byte access rejected");
	is_int(ims_mmio_read(mem, 0x8000000, 4, &v), -EFAULT, "unmapped MMIO faults");
	is_int(ims_mmio_write(mem, 0x9050000, 4, 0x1ffffffffULL), 0, "4-byte write");
	is_hex(regs.r[0], 0xffffffffULL, "4-byte write truncated");

	/* Page allocator: natural alignment, zeroing, limits, double free. */
	is_int(ims_mem_alloc_pages(mem, &pa, 4, UINT64_MAX, IMS_MEM_ZERO), 0, "order-4 allocation");
	ok((pa & 0xffff) == 0, "order-4 block is 64K aligned (0x%llx)", (unsigned long long)pa);
	ims_mem_set(mem, pa, 0xab, 0x10000);
	is_int(ims_mem_free_pages(mem, pa, 4), 0, "free it");
	is_int(ims_mem_free_pages(mem, pa, 4), -EINVAL, "double free rejected");
	is_int(ims_mem_alloc_pages(mem, &pa2, 4, UINT64_MAX, IMS_MEM_ZERO), 0, "allocate again");
	is_int(ims_mem_read64(mem, pa2 + 0x800, &v), 0, "read");
	is_hex(v, 0, "IMS_MEM_ZERO zeroes a reused block");
	is_int(ims_mem_free_pages(mem, pa2, 3), -EINVAL, "free with the wrong order rejected");
	is_int(ims_mem_free_pages(mem, pa2, 4), 0, "free with the right order");

	is_int(ims_mem_alloc_pages(mem, &pa, 0, 0x4fffffff, 0), 0, "allocation below a limit");
	ok(pa <= 0x4ffff000, "block below the limit (0x%llx)", (unsigned long long)pa);
	ims_mem_free_pages(mem, pa, 0);
	is_int(ims_mem_alloc_pages(mem, &pa, 0, 0x3fffffff, 0), -ENOMEM, "nothing below RAM");
	is_int(ims_mem_alloc_pages(mem, &pa, IMS_MEM_MAX_ORDER + 1, UINT64_MAX, 0), -EINVAL,
	       "order too big");

	for (int i = 0; i < 64; i++)
		ims_mem_alloc_pages(mem, &blocks[i], (unsigned int)(i % 5), UINT64_MAX, 0);
	for (int i = 63; i >= 0; i--)
		ims_mem_free_pages(mem, blocks[i], (unsigned int)(i % 5));
	ims_mem_get_stats(mem, &st);
	is_hex(st.free_bytes, 1ULL << 32, "everything merges back after mixed frees");
	is_hex(st.allocated_bytes, 0, "nothing left allocated");

	/* Reservations split blocks and refuse allocated pages. */
	is_int(ims_mem_reserve(mem, 0x48000000, 0x3000), 0, "reserve 3 pages");
	is_int(ims_mem_reserve(mem, 0x48002000, 0x1000), -EBUSY, "reserve twice is -EBUSY");
	ims_mem_get_stats(mem, &st);
	is_hex(st.reserved_bytes, 0x3000, "reserved bytes counted");
	is_hex(st.free_bytes, (1ULL << 32) - 0x3000, "reserved pages left the free lists");
	is_int(ims_mem_free_pages(mem, 0x48000000, 0), -EINVAL, "a reserved page cannot be freed");
	is_int(ims_mem_reserve(mem, 0x30000000, 0x1000), -EINVAL, "reserve outside RAM rejected");

	test_reserve_blocks(mem);
	ims_mem_free(mem);
	test_reserve_huge();
	return tap_done();
}
