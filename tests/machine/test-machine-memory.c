// SPDX-License-Identifier: MIT
/* Memory nodes, reserved-memory and /memreserve/ into the machine's RAM. */
#include <iommusim/hw.h>

#include "machine-test.h"

static const char board[] =
	"/dts-v1/;\n"
	"/memreserve/ 0x40100000 0x2000;\n"
	"/ {\n"
	"  #address-cells = <2>; #size-cells = <2>;\n"
	"  memory@40000000 { device_type = \"memory\";\n"
	"    reg = <0 0x40000000 0 0x1000000>, <0 0x48000000 0 0x800000>; };\n"
	"  memory@80000000 { device_type = \"memory\"; reg = <0 0x80000000 0 0x400000>; };\n"
	"  memory@90000000 { device_type = \"memory\"; reg = <0 0x90000000 0 0x400000>;\n"
	"    status = \"disabled\"; };\n"
	"  reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;\n"
	"    secmon@40200000 { reg = <0 0x40200000 0 0x100000>; no-map; };\n"
	"    buf@48000800 { reg = <0 0x48000800 0 0x1000>; };\n"
	"    off@50000000 { reg = <0 0x50000000 0 0x1000>; status = \"disabled\"; };\n"
	"    pool { size = <0 0x200000>; alignment = <0 0x200000>; };\n"
	"  };\n"
	"};\n";

static bool in_reserved(uint64_t pa)
{
	return (pa >= 0x40100000 && pa < 0x40102000) || (pa >= 0x40200000 && pa < 0x40300000) ||
	       (pa >= 0x48000000 && pa < 0x48002000);
}

static void test_board(void)
{
	struct ims_mem_stats st;
	struct ims_machine *m;
	uint64_t pa;
	int ret, pages = 0, bad = 0;

	m = boot_dts(board, NULL, &ret);
	is_int(ret, 0, "boot with three memory ranges and reserved-memory");
	ims_mem_get_stats(ims_machine_mem(m), &st);
	is_hex(st.ram_bytes, 0x1c00000,
	       "RAM: 16 MiB + 8 MiB + 4 MiB (the disabled node is left out)");
	is_int(st.ram_regions, 3, "three RAM regions");
	ok(ims_mem_is_ram(ims_machine_mem(m), 0x48000000, 0x800000), "second reg entry is RAM");
	ok(!ims_mem_is_ram(ims_machine_mem(m), 0x90000000, 0x1000),
	   "status = \"disabled\" memory is not RAM");
	is_hex(st.reserved_bytes, 0x104000,
	       "reserved: /memreserve/ 8 KiB + no-map 1 MiB + the 2 pages an unaligned reg "
	       "touches");
	is_hex(st.allocated_bytes, 0x200000, "the dynamic pool of 2 MiB is allocated");
	ok(klog_has(m, "allocated memory for 'pool' node"), "the dynamic allocation is logged");
	ok(klog_has(m, "reserved region for node 'secmon@40200000'"), "a static region is logged");

	/* Every remaining page can be allocated, and none of them is reserved. */
	while (pages < 10000 && !ims_mem_alloc_pages(ims_machine_mem(m), &pa, 0, UINT64_MAX, 0)) {
		pages++;
		bad += in_reserved(pa);
	}
	is_int(pages, (int)(st.free_bytes / IMS_PAGE_SIZE), "every free page is allocatable");
	is_int(bad, 0, "no reserved page is handed out");
	ims_machine_free(m);
}

static void test_default_memory(void)
{
	struct ims_mem_stats st;
	struct ims_machine *m;
	int ret;

	m = boot_dts("/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>; };\n", NULL, &ret);
	is_int(ret, 0, "a board without memory boots");
	ok(klog_has(m, "no memory node"), "with a warning");
	is_int(ims_machine_klog(m, ims_machine_klog_find(m, "no memory node"))->level,
	       IMS_LOG_WARNING, "logged as a warning");
	ims_mem_get_stats(ims_machine_mem(m), &st);
	is_hex(st.ram_bytes, IMS_MACHINE_DEFAULT_RAM_SIZE, "the default is 1 GiB");
	ok(ims_mem_is_ram(ims_machine_mem(m), IMS_MACHINE_DEFAULT_RAM_BASE,
			  IMS_MACHINE_DEFAULT_RAM_SIZE),
	   "at 0x40000000");
	ims_machine_free(m);
}

static void test_variants(void)
{
	struct ims_mem_stats st;
	struct ims_machine *m;
	int ret;

	/* Overlapping memory nodes merge; linux,usable-memory wins over reg. */
	m = boot_dts("/dts-v1/;\n/ { #address-cells = <1>; #size-cells = <1>;\n"
		     "  memory@0 { device_type = \"memory\"; reg = <0x0 0x200000>; };\n"
		     "  memory@100000 { device_type = \"memory\"; reg = <0x100000 0x200000>; };\n"
		     "  memory@1000000 { device_type = \"memory\"; reg = <0x1000000 0x800000>;\n"
		     "    linux,usable-memory = <0x1000000 0x100000>; };\n"
		     "};\n",
		     NULL, &ret);
	is_int(ret, 0, "one-cell memory nodes");
	ims_mem_get_stats(ims_machine_mem(m), &st);
	is_hex(st.ram_bytes, 0x400000, "0..3 MiB merged, plus 1 MiB of usable memory");
	is_int(st.ram_regions, 2, "two regions after the merge");
	ims_machine_free(m);

	/* Unaligned memory is trimmed to whole pages. */
	m = boot_dts("/dts-v1/;\n/ { #address-cells = <1>; #size-cells = <1>;\n"
		     "  memory@800 { device_type = \"memory\"; reg = <0x800 0x3000>; };\n};\n",
		     NULL, &ret);
	ims_mem_get_stats(ims_machine_mem(m), &st);
	is_hex(st.ram_bytes, 0x2000, "0x800..0x37ff keeps the two whole pages 0x1000..0x2fff");
	ims_machine_free(m);

	/* reserved-memory whose cells differ from the root's is ignored, as Linux does. */
	m = boot_dts("/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>;\n"
		     "  memory@0 { device_type = \"memory\"; reg = <0 0 0 0x400000>; };\n"
		     "  reserved-memory { #address-cells = <1>; #size-cells = <1>; ranges;\n"
		     "    r@0 { reg = <0x0 0x1000>; }; };\n};\n",
		     NULL, &ret);
	is_int(ret, 0, "mismatched reserved-memory cells still boot");
	ok(klog_has(m, "Reserved memory: unsupported node format, ignoring"), "with Linux's error");
	ims_mem_get_stats(ims_machine_mem(m), &st);
	is_hex(st.reserved_bytes, 0, "and nothing reserved");
	ims_machine_free(m);
}

static void test_errors(void)
{
	struct ims_machine *m;
	int ret;

	m = boot_dts("/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>;\n"
		     "  memory@0 { device_type = \"memory\"; reg = <0 0 0x1000>; };\n};\n",
		     NULL, &ret);
	is_int(ret, -EINVAL, "a reg that is not whole <address size> pairs");
	ok(strstr(ims_last_error(), "/memory@0") && strstr(ims_last_error(), "property reg"),
	   "the message names node and property: %s", ims_last_error());
	ims_machine_free(m);

	m = boot_dts("/dts-v1/;\n/ { #address-cells = <3>; #size-cells = <2>; };\n", NULL, &ret);
	is_int(ret, -EINVAL, "three address cells at the root");
	ok(strstr(ims_last_error(), "#address-cells"), "named: %s", ims_last_error());
	ims_machine_free(m);

	m = boot_dts("/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>;\n"
		     "  memory@0 { device_type = \"memory\"; reg = <0 0 0 0x400000>; };\n"
		     "  reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;\n"
		     "    p { size = <0 0x1000>; alignment = <0 0x3000>; }; };\n};\n",
		     NULL, &ret);
	is_int(ret, -EINVAL, "an alignment that is not a power of two");
	ok(strstr(ims_last_error(), "/reserved-memory/p") && strstr(ims_last_error(), "alignment"),
	   "named: %s", ims_last_error());
	ims_machine_free(m);

	ret = ims_machine_new(&m, NULL);
	is_int(ims_machine_boot(m), -ENODEV, "boot without a board");
	ims_machine_free(m);
}

int main(void)
{
	test_board();
	test_default_memory();
	test_variants();
	test_errors();
	return tap_done();
}
