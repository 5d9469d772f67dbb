/* SPDX-License-Identifier: MIT */
/* of_dma_configure_id() masks and bus_dma_limit (§3, test vectors §10.8). */
#include "of-test.h"

#define M32 0xffffffffULL
#define M64 (~0ULL)

struct mask_case {
	const char *dev;
	uint64_t default_mask;
	int want_err;
	uint64_t want_limit, want_mask;
	const char *why;
};

int main(void)
{
	struct ims_of_tree *t = load_fixture("dma-masks.dtb", NULL);
	static const struct mask_case cases[] = {
		{ "/none-bus/dev", M32, -ENODEV, 0, M32, "no dma-ranges, 32-bit" },
		{ "/none-bus/dev", M64, -ENODEV, 0, M64, "no dma-ranges, 64-bit: end = mask" },
		{ "/bus-30/dev", M32, 0, 0x3fffffff, 0x3fffffff, "1 GiB window: 30-bit" },
		{ "/bus-30/dev", M64, 0, 0x3fffffff, 0x3fffffff, "masks only shrink" },
		{ "/bus-33/dev", M64, 0, 0x17fffffffULL, 0x1ffffffffULL, "rounded up to 33 bits" },
		{ "/bus-33/dev", M32, 0, 0x17fffffffULL, M32, "32-bit default stays" },
		{ "/bus-mask-as-size/dev", M32, 0, 0xfffffffe, M32, "mask-as-size (6.12)" },
		{ "/bus-31/dev", M32, 0, 0x7fffffff, 0x7fffffff, "end 0x7fffffff: 31 bits" },
		{ "/bus-32/dev", M32, 0, 0x80000000, M32, "end 0x80000000: 32 bits" },
		{ "/bus-32/dev", 0, 0, 0x80000000, 0, "zero default mask stays zero" },
		{ "/none-bus/dev", 0, -ENODEV, 0, 0, "no ranges, zero mask: end 0xffffffff" },
	};
	struct ims_of_dma_config cfg;

	for (size_t i = 0; i < ARRAY_SIZE_T(cases); i++) {
		const struct mask_case *c = &cases[i];

		is_int(ims_of_dma_configure(t, node(t, c->dev), true, c->default_mask, &cfg), 0,
		       "%s: configure returns 0 (%s)", c->dev, c->why);
		is_int(cfg.range_err, c->want_err, "%s: of_dma_get_range result", c->dev);
		is_hex(cfg.bus_dma_limit, c->want_limit, "%s: bus_dma_limit (%s)", c->dev, c->why);
		is_hex(cfg.dma_mask, c->want_mask, "%s: dma_mask (%s)", c->dev, c->why);
		is_hex(cfg.coherent_dma_mask, c->want_mask, "%s: coherent_dma_mask", c->dev);
		ok((cfg.map != NULL) == (c->want_err == 0), "%s: map installed iff ranges", c->dev);
		ims_of_dma_config_release(&cfg);
	}
	ims_of_dma_configure(t, node(t, "/bus-30/dev"), true, M32, &cfg);
	is_hex(ims_of_phys_to_dma(cfg.map, 0x80001000), 0x1000, "phys 0x80001000 -> dma 0x1000");
	is_hex(ims_of_dma_to_phys(cfg.map, 0x1000), 0x80001000, "and back");
	ok(!cfg.coherent, "not coherent by default");
	ims_of_dma_config_release(&cfg);
	/* Walk starting at the node itself (PCI: np is the host's parent). */
	ims_of_dma_configure(t, node(t, "/bus-30"), false, M32, &cfg);
	is_hex(cfg.bus_dma_limit, 0x3fffffff, "is_dev_node=false: ranges of np itself");
	ims_of_dma_config_release(&cfg);
	ims_of_dma_configure(t, node(t, "/bus-30"), true, M32, &cfg);
	is_int(cfg.range_err, -ENODEV, "is_dev_node=true: walk starts at the root");
	ims_of_dma_config_release(&cfg);
	ims_of_tree_free(t);

	/* The board: coherent platform devices behind the CP110 config space. */
	t = load_fixture("armada-8040.dtb", NULL);
	ims_of_dma_configure(t, node(t, "/cp0/config-space@f2000000/usb3@500000"), true, M32, &cfg);
	ok(cfg.coherent, "usb3: dma-coherent inherited from the config space");
	is_int(cfg.range_err, -ENODEV, "no dma-ranges on the board");
	ims_of_dma_config_release(&cfg);
	ims_of_dma_configure(t, node(t, "/cp0/config-space@f2000000/ethernet@0"), true, M32, &cfg);
	ok(!cfg.coherent, "ethernet: dma-noncoherent on the node wins over the parent");
	ims_of_dma_config_release(&cfg);
	ims_of_tree_free(t);
	return tap_done();
}
