/* SPDX-License-Identifier: MIT */
/*
 * Address translation through "ranges" / "dma-ranges" (drivers/of/address.c),
 * of_dma_get_range(), of_dma_is_coherent(), the mask rules of
 * of_dma_configure_id() (drivers/of/device.c) and the dma-direct range-map
 * helpers (include/linux/dma-direct.h), Linux 6.12.
 */
#include <stdlib.h>
#include <string.h>

#include "of/of-private.h"
#include "util/compiler.h"
#include "util/log.h"

/* IORESOURCE_* flags as of_bus_pci_get_flags() produces them (include/linux/ioport.h). */
#define IORESOURCE_IO 0x00000100u
#define IORESOURCE_MEM 0x00000200u
#define IORESOURCE_PREFETCH 0x00002000u
#define IORESOURCE_MEM_64 0x00100000u

#define OF_CHECK_ADDR_COUNT(na) ((na) > 0 && (na) <= IMS_OF_MAX_ADDR_CELLS)
#define OF_CHECK_COUNTS(na, ns) (OF_CHECK_ADDR_COUNT(na) && (ns) > 0)

/* Bound on translation walks; the index caps depth, interconnects can cycle. */
#define WALK_MAX (4 * IMS_OF_MAX_DEPTH)

/* struct of_bus: the bus types of drivers/of/address.c, in of_busses[] order. */
enum of_bus_id { BUS_PCI, BUS_ISA, BUS_DEFAULT_FLAGS, BUS_DEFAULT };

struct of_bus {
	const char *name;
	enum of_bus_id id;
	int flag_cells;
};

static const struct of_bus of_busses[] = {
	[BUS_PCI] = { "pci", BUS_PCI, 1 },
	[BUS_ISA] = { "isa", BUS_ISA, 1 },
	[BUS_DEFAULT_FLAGS] = { "default-flags", BUS_DEFAULT_FLAGS, 1 },
	[BUS_DEFAULT] = { "default", BUS_DEFAULT, 0 },
};

/* of_bus_pci_match(): device_type pci/pciex/vci/ht, or a node named "pcie". */
static bool bus_pci_match(const struct ims_of_tree *t, int np)
{
	if (of_node_is_type(t, np, "pci") || of_node_is_type(t, np, "pciex") ||
	    of_node_is_type(t, np, "vci") || of_node_is_type(t, np, "ht"))
		return true;
	if (of_node_name_eq(t, np, "pcie")) {
		char p[OF_PATH_MAX];

		ims_warn(of_log(t), "%s: Missing device_type", of_path(t, np, p, sizeof(p)));
		return true;
	}
	return false;
}

static const struct of_bus *of_match_bus(const struct ims_of_tree *t, int np)
{
	if (bus_pci_match(t, np))
		return &of_busses[BUS_PCI];
	if (of_node_name_eq(t, np, "isa"))
		return &of_busses[BUS_ISA];
	if (ims_of_bus_n_addr_cells(t, np) == 3)
		return &of_busses[BUS_DEFAULT_FLAGS];
	return &of_busses[BUS_DEFAULT];
}

static void bus_count_cells(const struct ims_of_tree *t, const struct of_bus *bus, int dev, int *na,
			    int *ns)
{
	switch (bus->id) {
	case BUS_PCI:
		*na = 3;
		*ns = 2;
		break;
	case BUS_ISA:
		*na = 2;
		*ns = 1;
		break;
	default:
		*na = ims_of_n_addr_cells(t, dev);
		*ns = ims_of_n_size_cells(t, dev);
		break;
	}
}

static unsigned int bus_get_flags(const struct of_bus *bus, const uint32_t *addr)
{
	uint32_t w;

	switch (bus->id) {
	case BUS_PCI: {
		unsigned int flags = 0;

		w = of_be32(addr);
		switch ((w >> 24) & 0x03) {
		case 0x01:
			flags |= IORESOURCE_IO;
			break;
		case 0x02: /* 32 bits */
			flags |= IORESOURCE_MEM;
			break;
		case 0x03: /* 64 bits */
			flags |= IORESOURCE_MEM | IORESOURCE_MEM_64;
			break;
		}
		if (w & 0x40000000)
			flags |= IORESOURCE_PREFETCH;
		return flags;
	}
	case BUS_ISA:
		return (of_be32(addr) & 1) ? IORESOURCE_IO : IORESOURCE_MEM;
	case BUS_DEFAULT_FLAGS:
		return of_be32(addr);
	default:
		return IORESOURCE_MEM;
	}
}

static uint64_t default_map(const uint32_t *addr, const uint32_t *range, int na, int ns, int pna,
			    int fna)
{
	uint64_t cp = of_read_number(range + fna, na - fna);
	uint64_t s = of_read_number(range + na + pna, ns);
	uint64_t da = of_read_number(addr + fna, na - fna);

	if (da < cp || da >= cp + s)
		return IMS_OF_BAD_ADDR;
	return da - cp;
}

static uint64_t bus_map(const struct of_bus *bus, const uint32_t *addr, const uint32_t *range,
			int na, int ns, int pna)
{
	switch (bus->id) {
	case BUS_PCI: {
		unsigned int af = bus_get_flags(bus, addr), rf = bus_get_flags(bus, range);

		/* Check address type match. */
		if ((af ^ rf) & (IORESOURCE_MEM | IORESOURCE_IO))
			return IMS_OF_BAD_ADDR;
		break;
	}
	case BUS_ISA:
		if ((of_be32(addr) ^ of_be32(range)) & 1)
			return IMS_OF_BAD_ADDR;
		break;
	case BUS_DEFAULT_FLAGS:
		if (of_be32(addr) != of_be32(range))
			return IMS_OF_BAD_ADDR;
		break;
	default:
		break;
	}
	return default_map(addr, range, na, ns, pna, bus->flag_cells);
}

/* of_bus_default_translate(): add @offset to the address in @addr (@na cells). */
static int default_translate(uint32_t *addr, uint64_t offset, int na)
{
	uint64_t a = of_read_number(addr, na);

	memset(addr, 0, (size_t)na * 4);
	a += offset;
	if (na > 1)
		of_put_be32(&addr[na - 2], (uint32_t)(a >> 32));
	of_put_be32(&addr[na - 1], (uint32_t)a);
	return 0;
}

static int bus_translate(const struct of_bus *bus, uint32_t *addr, uint64_t offset, int na)
{
	if (bus->flag_cells)
		return default_translate(addr + 1, offset, na - 1);
	return default_translate(addr, offset, na);
}

/* of_translate_one(): move @addr from @parent's child bus to its parent bus. */
static int translate_one(const struct ims_of_tree *t, int parent, const struct of_bus *bus,
			 const struct of_bus *pbus, uint32_t *addr, int na, int ns, int pna,
			 const char *rprop)
{
	const uint8_t *ranges;
	int rlen;
	int64_t rone; /* #size-cells is unbounded here: the sum must not overflow */
	uint64_t offset = IMS_OF_BAD_ADDR;

	ranges = ims_of_get_property(t, parent, rprop, &rlen);
	/* No "ranges" crosses a non-translatable boundary; no "dma-ranges" is 1:1. */
	if (!ranges && strcmp(rprop, "dma-ranges"))
		return 1;
	if (!ranges || rlen == 0) {
		offset = of_read_number(addr, na);
		/* Set the address to zero, pass flags through. */
		memset(addr + pbus->flag_cells, 0, (size_t)(pna - pbus->flag_cells) * 4);
		goto finish;
	}
	rlen /= 4;
	rone = (int64_t)na + pna + ns;
	for (; rlen >= rone; rlen -= rone, ranges += 4 * rone) {
		offset = bus_map(bus, addr, (const uint32_t *)(const void *)ranges, na, ns, pna);
		if (offset != IMS_OF_BAD_ADDR)
			break;
	}
	if (offset == IMS_OF_BAD_ADDR)
		return 1;
	memcpy(addr, ranges + 4 * na, (size_t)pna * 4);
finish:
	/* Translate into the parent bus space. */
	return bus_translate(pbus, addr, offset, pna);
}

typedef int (*get_parent_fn)(const struct ims_of_tree *t, int node);

/*
 * __of_translate_address().  #size-cells is bounded by the property reads
 * (ns only enters of_read_number, which folds any count), and every bus
 * address is at most IMS_OF_MAX_ADDR_CELLS cells (OF_CHECK_COUNTS).
 */
static uint64_t translate_address(const struct ims_of_tree *t, int dev, get_parent_fn get_parent,
				  const uint32_t *in_addr, const char *rprop)
{
	uint32_t addr[IMS_OF_MAX_ADDR_CELLS];
	const struct of_bus *bus, *pbus;
	uint64_t result = IMS_OF_BAD_ADDR;
	int parent, na, ns, pna, pns;
	char p[OF_PATH_MAX];

	parent = get_parent(t, dev);
	if (parent == IMS_OF_NONE)
		return IMS_OF_BAD_ADDR;
	bus = of_match_bus(t, parent);
	bus_count_cells(t, bus, dev, &na, &ns);
	if (!OF_CHECK_COUNTS(na, ns))
		return IMS_OF_BAD_ADDR;
	memcpy(addr, in_addr, (size_t)na * 4);
	for (int step = 0; step < WALK_MAX; step++) {
		dev = parent;
		parent = get_parent(t, dev);
		if (parent == IMS_OF_NONE) {
			result = of_read_number(addr, na);
			break;
		}
		pbus = of_match_bus(t, parent);
		bus_count_cells(t, pbus, dev, &pna, &pns);
		if (!OF_CHECK_COUNTS(pna, pns)) {
			ims_err(of_log(t), "Bad cell count for %s", of_path(t, dev, p, sizeof(p)));
			break;
		}
		if (translate_one(t, dev, bus, pbus, addr, na, ns, pna, rprop))
			break;
		na = pna;
		ns = pns;
		bus = pbus;
	}
	return result;
}

static int get_parent(const struct ims_of_tree *t, int node)
{
	return ims_of_get_parent(t, node);
}

static int get_dma_parent(const struct ims_of_tree *t, int node)
{
	return ims_of_get_dma_parent(t, node);
}

IMS_EXPORT uint64_t ims_of_translate_address(const struct ims_of_tree *tree, int node,
					     const uint32_t *in_addr)
{
	if (!tree || !in_addr || of_node_index(tree, node) < 0)
		return IMS_OF_BAD_ADDR;
	return translate_address(tree, node, get_parent, in_addr, "ranges");
}

IMS_EXPORT uint64_t ims_of_translate_dma_address(const struct ims_of_tree *tree, int node,
						 const uint32_t *in_addr)
{
	if (!tree || !in_addr || of_node_index(tree, node) < 0)
		return IMS_OF_BAD_ADDR;
	return translate_address(tree, node, get_dma_parent, in_addr, "dma-ranges");
}

IMS_EXPORT int ims_of_get_address(const struct ims_of_tree *tree, int node, int index,
				  uint64_t *addr, uint64_t *size)
{
	const uint8_t *reg;
	int parent, na, ns, len, onesize;
	const struct of_bus *bus;
	char p[OF_PATH_MAX];
	uint32_t cells[IMS_OF_MAX_ADDR_CELLS];

	if (!tree || !addr || !size || index < 0 || of_node_index(tree, node) < 0)
		return -EINVAL;
	of_path(tree, node, p, sizeof(p));
	parent = ims_of_get_parent(tree, node);
	if (parent == IMS_OF_NONE)
		return ims_error(-EINVAL, "%s: %s: the root has no reg", tree->name, p);
	bus = of_match_bus(tree, parent);
	bus_count_cells(tree, bus, node, &na, &ns);
	if (!OF_CHECK_ADDR_COUNT(na))
		return ims_error(-EINVAL, "%s: node %s: bad #address-cells %d for reg", tree->name,
				 p, na);
	if (ns < 0 || ns > 4)
		return ims_error(-EINVAL, "%s: node %s: bad #size-cells %d for reg", tree->name, p,
				 ns);
	reg = ims_of_get_property(tree, node, "reg", &len);
	if (!reg)
		return ims_error(-EINVAL, "%s: node %s: no property reg", tree->name, p);
	onesize = na + ns;
	if ((int64_t)(index + 1) * onesize * 4 > len)
		return ims_error(-EINVAL, "%s: node %s: property reg has no entry %d", tree->name,
				 p, index);
	reg += (size_t)index * (size_t)onesize * 4;
	memcpy(cells, reg, (size_t)na * 4);
	*size = of_read_number((const uint32_t *)(const void *)(reg + 4 * na), ns);
	*addr = translate_address(tree, node, get_parent, cells, "ranges");
	if (*addr == IMS_OF_BAD_ADDR)
		return ims_error(-EINVAL,
				 "%s: node %s: reg entry %d is not translatable to a CPU address",
				 tree->name, p, index);
	return 0;
}

IMS_EXPORT int ims_of_get_dma_parent(const struct ims_of_tree *tree, int node)
{
	struct ims_of_phandle_args args;
	int index;

	if (!tree || of_node_index(tree, node) < 0)
		return IMS_OF_NONE;
	index = ims_of_property_match_string(tree, node, "interconnect-names", "dma-mem");
	if (index < 0)
		return ims_of_get_parent(tree, node);
	if (ims_of_parse_phandle_with_args(tree, node, "interconnects", "#interconnect-cells",
					   index, &args) < 0)
		return ims_of_get_parent(tree, node);
	return args.np;
}

/* ---- of_range parser (of_pci_range_parser_init / _one) ---------------------------- */

struct range_parser {
	const struct ims_of_tree *t;
	int node;
	const struct of_bus *bus;
	const uint8_t *range, *end;
	int na, pna, ns;
};

struct of_range {
	uint64_t bus_addr, cpu_addr, size;
	unsigned int flags;
};

static int dma_range_parser_init(struct range_parser *p, const struct ims_of_tree *t, int node)
{
	int rlen;

	p->t = t;
	p->node = node;
	p->pna = ims_of_n_addr_cells(t, node);
	p->na = ims_of_bus_n_addr_cells(t, node);
	p->ns = ims_of_bus_n_size_cells(t, node);
	p->bus = of_match_bus(t, node);
	p->range = ims_of_get_property(t, node, "dma-ranges", &rlen);
	if (!p->range)
		return -ENOENT;
	p->end = p->range + rlen / 4 * 4;
	return 0;
}

#define PARSE_MAX_SIZE_CELLS 1024

/*
 * of_pci_range_parser_one() over "dma-ranges".  Cell counts outside 1..4
 * (address) / 0..1024 (size) cannot be parsed safely; the kernel would read
 * past its stack buffers, so such entries are treated as "no more ranges"
 * (documented in docs/of.md).
 */
static bool parse_one(struct range_parser *p, struct of_range *r)
{
	int na = p->na, ns = p->ns, np;
	int fna = p->bus->flag_cells;

	if (!OF_CHECK_ADDR_COUNT(na) || !OF_CHECK_ADDR_COUNT(p->pna) || ns < 0 ||
	    ns > PARSE_MAX_SIZE_CELLS || na < fna)
		return false;
	/* Only now: wild cell counts would overflow the sum. */
	np = p->pna + na + ns;
	if (!p->range || p->range + 4 * np > p->end)
		return false;
	r->flags = bus_get_flags(p->bus, (const uint32_t *)(const void *)p->range);
	r->bus_addr =
		of_read_number((const uint32_t *)(const void *)(p->range + 4 * fna), na - fna);
	r->cpu_addr = ims_of_translate_dma_address(
		p->t, p->node, (const uint32_t *)(const void *)(p->range + 4 * na));
	r->size =
		of_read_number((const uint32_t *)(const void *)(p->range + 4 * (p->pna + na)), ns);
	p->range += 4 * np;
	/* Consume following entries while they are contiguous. */
	while (p->range + 4 * np <= p->end) {
		const uint32_t *e = (const uint32_t *)(const void *)p->range;
		unsigned int flags = bus_get_flags(p->bus, e);
		uint64_t bus_addr = of_read_number(e + fna, na - fna);
		uint64_t cpu_addr = ims_of_translate_dma_address(p->t, p->node, e + na);
		uint64_t size = of_read_number(e + p->pna + na, ns);

		if (flags != r->flags)
			break;
		if (bus_addr != r->bus_addr + r->size || cpu_addr != r->cpu_addr + r->size)
			break;
		r->size += size;
		p->range += 4 * np;
	}
	return true;
}

IMS_EXPORT int ims_of_dma_get_range(const struct ims_of_tree *tree, int np,
				    struct ims_bus_dma_region **map, int *nr_map)
{
	const struct ims_log *log;
	struct range_parser parser;
	struct of_range range;
	struct ims_bus_dma_region *r;
	const void *ranges = NULL;
	bool found_dma_ranges = false;
	int node = np, len = 0, num_ranges = 0, steps = 0;
	char p[OF_PATH_MAX];

	if (!tree || !map)
		return -EINVAL;
	*map = NULL;
	if (nr_map)
		*nr_map = 0;
	log = of_log(tree);
	while (node != IMS_OF_NONE) {
		ranges = ims_of_get_property(tree, node, "dma-ranges", &len);
		/* Empty dma-ranges imply no translation at this level. */
		if (ranges && len > 0)
			break;
		/* Once dma-ranges is found, a missing one is an error. */
		if (found_dma_ranges && !ranges)
			return -ENODEV;
		found_dma_ranges = true;
		node = ims_of_get_dma_parent(tree, node);
		if (++steps > WALK_MAX)
			return ims_error(-ELOOP,
					 "%s: node %s: DMA parents (interconnects) form a cycle",
					 tree->name, of_path(tree, np, p, sizeof(p)));
	}
	if (node == IMS_OF_NONE || !ranges) {
		ims_dbg(log, "no dma-ranges found for node(%s)", of_path(tree, np, p, sizeof(p)));
		return -ENODEV;
	}
	of_path(tree, node, p, sizeof(p));
	dma_range_parser_init(&parser, tree, node);
	while (parse_one(&parser, &range)) {
		if (range.cpu_addr == IMS_OF_BAD_ADDR) {
			ims_err(log,
				"translation of DMA address(%llx) to CPU address failed node(%s)",
				(unsigned long long)range.bus_addr, p);
			continue;
		}
		num_ranges++;
	}
	if (!num_ranges)
		return ims_error(-EINVAL,
				 "%s: node %s: dma-ranges has no entry that parses and translates",
				 tree->name, p);
	r = calloc((size_t)num_ranges + 1, sizeof(*r));
	if (!r)
		return ims_error(-ENOMEM, "%s: out of memory", tree->name);
	*map = r;
	dma_range_parser_init(&parser, tree, node);
	while (parse_one(&parser, &range)) {
		ims_dbg(log, "dma_addr(%llx) cpu_addr(%llx) size(%llx)",
			(unsigned long long)range.bus_addr, (unsigned long long)range.cpu_addr,
			(unsigned long long)range.size);
		if (range.cpu_addr == IMS_OF_BAD_ADDR)
			continue;
		r->cpu_start = range.cpu_addr;
		r->dma_start = range.bus_addr;
		r->size = range.size;
		r++;
	}
	if (nr_map)
		*nr_map = num_ranges;
	return 0;
}

/*
 * of_dma_get_max_cpu_address() (drivers/of/address.c): the lowest, over the
 * subtree of @np, of each node's highest dma-ranges CPU end.  Like the
 * kernel it parses every entry (untranslatable ones included: their CPU
 * address is OF_BAD_ADDR and the end arithmetic wraps as the kernel's u64
 * does) and recurses into available children only.  Recursion is bounded
 * by the tree's depth limit.
 */
static uint64_t __of_dma_get_max_cpu_address(const struct ims_of_tree *t, int np)
{
	uint64_t max_cpu_addr = UINT64_MAX, cpu_end = 0;
	struct range_parser parser;
	struct of_range range;
	int len;

	if (ims_of_get_property(t, np, "dma-ranges", &len) && len &&
	    !dma_range_parser_init(&parser, t, np)) {
		while (parse_one(&parser, &range))
			if (range.cpu_addr + range.size > cpu_end)
				cpu_end = range.cpu_addr + range.size - 1;
		if (max_cpu_addr > cpu_end)
			max_cpu_addr = cpu_end;
	}
	for (int child = ims_of_first_child(t, np); child != IMS_OF_NONE;
	     child = ims_of_next_sibling(t, child)) {
		uint64_t sub;

		if (!ims_of_device_is_available(t, child))
			continue;
		sub = __of_dma_get_max_cpu_address(t, child);
		if (max_cpu_addr > sub)
			max_cpu_addr = sub;
	}
	return max_cpu_addr;
}

IMS_EXPORT uint64_t ims_of_dma_get_max_cpu_address(const struct ims_of_tree *tree, int node)
{
	if (!tree)
		return UINT64_MAX;
	if (node == IMS_OF_NONE)
		node = ims_of_find_node_by_path(tree, "/");
	return node == IMS_OF_NONE ? UINT64_MAX : __of_dma_get_max_cpu_address(tree, node);
}

IMS_EXPORT bool ims_of_dma_is_coherent(const struct ims_of_tree *tree, int node)
{
	for (int i = 0; node != IMS_OF_NONE && i < WALK_MAX; i++) {
		if (ims_of_get_property(tree, node, "dma-coherent", NULL))
			return true;
		if (ims_of_get_property(tree, node, "dma-noncoherent", NULL))
			return false;
		node = ims_of_get_dma_parent(tree, node);
	}
	return false; /* dma_default_coherent: CONFIG_ARCH_DMA_DEFAULT_COHERENT is off on arm64 */
}

IMS_EXPORT int ims_of_dma_configure(const struct ims_of_tree *tree, int np, bool is_dev_node,
				    uint64_t default_mask, struct ims_of_dma_config *cfg)
{
	struct ims_bus_dma_region *map = NULL;
	uint64_t end = 0, mask;
	bool set_map = false;
	int bus_np, ret, nr = 0;

	if (!cfg)
		return -EINVAL;
	memset(cfg, 0, sizeof(*cfg));
	if (!tree || of_node_index(tree, np) < 0)
		return -EINVAL;
	cfg->dma_mask = default_mask;
	cfg->coherent_dma_mask = default_mask;
	bus_np = is_dev_node ? ims_of_get_dma_parent(tree, np) : np;
	ret = ims_of_dma_get_range(tree, bus_np, &map, &nr);
	cfg->range_err = ret;
	if (ret == -ENOMEM)
		return ret;
	if (!ret) {
		end = ims_of_dma_range_map_max(map);
		set_map = true;
	}
	/* force_dma: any other error carries on without a map. */
	if (!end && cfg->coherent_dma_mask)
		end = cfg->coherent_dma_mask;
	else if (!end)
		end = 0xffffffff;
	/* Round the limit up to an all-ones mask; masks only ever shrink here. */
	mask = DMA_BIT_MASK(ims_ilog2(end) + 1);
	cfg->coherent_dma_mask &= mask;
	cfg->dma_mask &= mask;
	if (set_map) {
		cfg->bus_dma_limit = end;
		cfg->map = map;
		cfg->nr_map = nr;
	}
	cfg->coherent = ims_of_dma_is_coherent(tree, np);
	return 0;
}

IMS_EXPORT void ims_of_dma_config_release(struct ims_of_dma_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->map);
	cfg->map = NULL;
	cfg->nr_map = 0;
}

IMS_EXPORT uint64_t ims_of_phys_to_dma(const struct ims_bus_dma_region *map, uint64_t phys)
{
	if (!map)
		return phys;
	for (const struct ims_bus_dma_region *m = map; m->size; m++) {
		uint64_t offset = phys - m->cpu_start;

		if (phys >= m->cpu_start && offset < m->size)
			return m->dma_start + offset;
	}
	return ~0ULL; /* DMA_MAPPING_ERROR: dma_capable() then fails */
}

IMS_EXPORT uint64_t ims_of_dma_to_phys(const struct ims_bus_dma_region *map, uint64_t dma)
{
	if (!map)
		return dma;
	for (const struct ims_bus_dma_region *m = map; m->size; m++) {
		uint64_t offset = dma - m->dma_start;

		if (dma >= m->dma_start && offset < m->size)
			return m->cpu_start + offset;
	}
	return ~0ULL;
}

IMS_EXPORT uint64_t ims_of_dma_range_map_max(const struct ims_bus_dma_region *map)
{
	uint64_t ret = 0;

	for (; map && map->size; map++)
		ret = IMS_MAX(ret, map->dma_start + map->size - 1);
	return ret;
}

IMS_EXPORT uint64_t ims_of_dma_range_map_min(const struct ims_bus_dma_region *map)
{
	uint64_t ret = ~0ULL;

	for (; map && map->size; map++)
		ret = IMS_MIN(ret, map->dma_start);
	return ret;
}
