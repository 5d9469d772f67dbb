/* SPDX-License-Identifier: MIT */
/* The driver core's interrupt router and address space. */
#include <iommusim/bus.h>

#include "../tap.h"

static const char dts[] =
	"/dts-v1/;\n"
	"/ {\n"
	"	#address-cells = <1>; #size-cells = <1>;\n"
	"	smmu@9050000 { compatible = \"arm,smmu-v3\"; reg = <0x9050000 0x20000>;\n"
	"		interrupt-names = \"eventq\", \"gerror\", \"priq\", \"cmdq-sync\"; };\n"
	"};\n";

struct counter {
	int hits;
	struct ims_devcore *core;
	int node;
	bool reenter;
};

static void handler(void *ctx)
{
	struct counter *c = ctx;

	c->hits++;
	/* A handler may raise again (a model re-asserting): the router holds no lock. */
	if (c->reenter) {
		c->reenter = false;
		ims_raise_irq(c->core, c->node, 1);
	}
}

int main(void)
{
	struct ims_of_tree *tree = NULL;
	struct ims_devcore *core = NULL;
	struct ims_mem *mem = NULL;
	struct counter a = { 0 }, b = { 0 };
	char path[] = "/tmp/ims-irq-XXXXXX.dts";
	int fd, node;
	FILE *f;

	fd = mkstemps(path, 4);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f || fputs(dts, f) < 0 || fclose(f))
		return 1;
	is_int(ims_of_tree_load(&tree, path, NULL, 0), 0, "load the board");
	remove(path);
	if (!tree)
		return tap_done();
	is_int(ims_devcore_new(&core, tree, NULL, NULL), 0, "driver core");
	node = ims_of_find_node_by_path(tree, "/smmu@9050000");

	ok(ims_devcore_mem(core) == NULL, "no address space until one is set");
	ims_mem_new(&mem, NULL);
	ims_devcore_set_mem(core, mem);
	ok(ims_devcore_mem(core) == mem, "the address space set is returned");

	is_int(ims_irq_index_byname(tree, node, "gerror"), 1,
	       "platform_get_irq_byname(gerror) = 1");
	is_int(ims_irq_index_byname(tree, node, "cmdq-sync"), 3, "cmdq-sync = 3");
	is_int(ims_irq_index_byname(tree, node, "combined"), -ENXIO, "absent name: -ENXIO");

	a.core = b.core = core;
	a.node = b.node = node;
	is_int(ims_raise_irq(core, node, 0), 0, "a line nobody requested is not handled");
	is_int(ims_irq_spurious(core), 1, "and counted as spurious");
	is_int(ims_request_irq(core, node, 0, handler, &a), 0, "request eventq");
	is_int(ims_request_irq(core, node, 0, handler, &b), -EBUSY, "a second request is -EBUSY");
	is_int(ims_request_irq(core, node, 1, handler, &b), 0, "request gerror");
	is_int(ims_request_irq(core, node, -1, handler, &b), -EINVAL, "negative index rejected");
	is_int(ims_request_irq(core, node, 2, NULL, &b), -EINVAL, "NULL handler rejected");
	is_int(ims_raise_irq(core, node, 0), 1, "raising eventq runs a handler");
	is_int(a.hits, 1, "its own handler");
	is_int(b.hits, 0, "not the other line's");
	a.reenter = true;
	is_int(ims_raise_irq(core, node, 0), 1, "a handler that raises another line");
	is_int(b.hits, 1, "reaches that line's handler (no deadlock)");
	ims_free_irq(core, node, 0);
	is_int(ims_raise_irq(core, node, 0), 0, "after free_irq the line is unhandled");
	is_int(ims_request_irq(core, node, 0, handler, &b), 0, "and can be requested again");

	ims_devcore_free(core);
	ims_of_tree_free(tree);
	ims_mem_free(mem);
	return tap_done();
}
