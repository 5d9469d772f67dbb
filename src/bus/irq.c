/* SPDX-License-Identifier: MIT */
/*
 * The driver core's address space and a minimal interrupt router, standing in
 * for platform_get_irq() + request_irq() over a GIC.  Lines are named by
 * (DT node, index into the node's "interrupts"); the machine connects model
 * outputs to them, drivers request them.
 */
#include <stdlib.h>
#include <string.h>

#include "bus/bus-private.h"
#include "util/log.h"

IMS_EXPORT void ims_devcore_set_mem(struct ims_devcore *core, struct ims_mem *mem)
{
	if (core)
		core->mem = mem;
}

IMS_EXPORT struct ims_mem *ims_devcore_mem(const struct ims_devcore *core)
{
	return core ? core->mem : NULL;
}

static struct ims_irq_line *find_line(struct ims_devcore *core, int node, int index)
{
	for (int i = 0; i < core->nr_irqs; i++)
		if (core->irqs[i].node == node && core->irqs[i].index == index)
			return &core->irqs[i];
	return NULL;
}

IMS_EXPORT int ims_request_irq(struct ims_devcore *core, int node, int index,
			       ims_irq_handler_t handler, void *ctx)
{
	int ret = 0;

	if (!core || node == IMS_OF_NONE || index < 0 || !handler)
		return ims_error(-EINVAL, "request_irq: bad arguments (node %d, index %d)", node,
				 index);
	pthread_mutex_lock(&core->irq_lock);
	if (find_line(core, node, index)) {
		ret = -EBUSY;
	} else if (core->nr_irqs == IMS_MAX_IRQS) {
		ret = -IMS_ELIMIT;
	} else {
		if (core->nr_irqs == core->cap_irqs) {
			int cap = core->cap_irqs ? core->cap_irqs * 2 : 16;
			struct ims_irq_line *n = realloc(core->irqs, (size_t)cap * sizeof(*n));

			if (!n) {
				pthread_mutex_unlock(&core->irq_lock);
				return -ENOMEM;
			}
			core->irqs = n;
			core->cap_irqs = cap;
		}
		core->irqs[core->nr_irqs++] = (struct ims_irq_line){
			.node = node, .index = index, .handler = handler, .ctx = ctx
		};
	}
	pthread_mutex_unlock(&core->irq_lock);
	return ret;
}

IMS_EXPORT void ims_free_irq(struct ims_devcore *core, int node, int index)
{
	struct ims_irq_line *l;

	if (!core)
		return;
	pthread_mutex_lock(&core->irq_lock);
	l = find_line(core, node, index);
	if (l)
		*l = core->irqs[--core->nr_irqs];
	pthread_mutex_unlock(&core->irq_lock);
}

IMS_EXPORT int ims_raise_irq(struct ims_devcore *core, int node, int index)
{
	ims_irq_handler_t handler = NULL;
	struct ims_irq_line *l;
	void *ctx = NULL;

	if (!core)
		return 0;
	pthread_mutex_lock(&core->irq_lock);
	l = find_line(core, node, index);
	if (l) {
		handler = l->handler;
		ctx = l->ctx;
	} else {
		core->irq_spurious++;
	}
	pthread_mutex_unlock(&core->irq_lock);
	if (!handler)
		return 0;
	handler(ctx);
	return 1;
}

IMS_EXPORT unsigned long ims_irq_spurious(const struct ims_devcore *core)
{
	return core ? core->irq_spurious : 0;
}

IMS_EXPORT int ims_irq_index_byname(const struct ims_of_tree *tree, int node, const char *name)
{
	int ret;

	if (!tree || node == IMS_OF_NONE || !name)
		return -EINVAL;
	ret = ims_of_property_match_string(tree, node, "interrupt-names", name);
	return ret < 0 ? -ENXIO : ret;
}
