// SPDX-License-Identifier: MIT
/*
 * explain: the report of what the booted machine's kernel decided for each
 * IOMMU and device.  Everything is read from the state and the records the
 * layers below left (the fwspec, group, default domain, DMA fields, the
 * device's messages and decision record); nothing is recomputed except the
 * two pure functions Linux itself calls to tell: pci_for_each_dma_alias() and
 * pci_msi_domain_get_msi_rid().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iommusim/explain.h>

#include "util/log.h"

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static char *node_path(const struct ims_of_tree *t, int node)
{
	char buf[512];

	if (node == IMS_OF_NONE)
		return NULL;
	return strdup(ims_of_node_path(t, node, buf, sizeof(buf)));
}

static int copy_messages(const struct ims_device *dev, char ***out, int *nr)
{
	*out = NULL;
	*nr = 0;
	if (!dev->nr_msgs)
		return 0;
	*out = calloc((size_t)dev->nr_msgs, sizeof(char *));
	if (!*out)
		return -ENOMEM;
	for (int i = 0; i < dev->nr_msgs; i++) {
		(*out)[i] = strdup(dev->msgs[i].text);
		if (!(*out)[i])
			return -ENOMEM;
		(*nr)++;
	}
	return 0;
}

IMS_EXPORT const char *ims_explain_dma_ops_name(enum ims_dma_ops_kind ops)
{
	switch (ops) {
	case IMS_DMA_OPS_IOMMU:
		return "iommu";
	case IMS_DMA_OPS_DUMMY:
		return "dummy";
	case IMS_DMA_OPS_DIRECT:
	default:
		return "direct";
	}
}

struct alias_acc {
	int *v;
	int n;
};

static int alias_cb(struct ims_pci_dev *owner, uint16_t alias, void *data)
{
	struct alias_acc *a = data;
	int *n = realloc(a->v, (size_t)(a->n + 1) * sizeof(int));

	(void)owner;
	if (!n)
		return -ENOMEM;
	a->v = n;
	a->v[a->n++] = alias;
	return a->n > 4096; /* bounded: a topology cannot give more */
}

/* Why DMA of @dev is not translated, from its state and decision record. */
static char *why_untranslated(struct ims_device *dev)
{
	const struct ims_decision *last_cfg = NULL, *cause = NULL;
	char buf[768];

	if (!dev->driver) {
		if (dev->deferred)
			return strdup("probe deferred: no driver bound");
		if (dev->probe_err < 0) {
			snprintf(buf, sizeof(buf), "probe failed (%s): no driver bound",
				 ims_errname(dev->probe_err));
			return strdup(buf);
		}
		return strdup("no driver bound: DMA is never configured");
	}
	if (dev->iommu_group && dev->iommu_group->default_domain &&
	    dev->iommu_group->default_domain->type == IMS_IOMMU_DOMAIN_IDENTITY)
		return strdup("identity default domain (passthrough): dma-direct, no translation");
	for (int i = 0; i < dev->nr_decisions; i++) {
		const struct ims_decision *d = &dev->decisions[i];

		if (!strcmp(d->step, "of_iommu_configure") && !strncmp(d->text, "result", 6)) {
			last_cfg = d;
			continue;
		}
		if (!strcmp(d->step, "pci_for_each_dma_alias") ||
		    !strcmp(d->step, "really_probe") || !strcmp(d->step, "of_dma_configure_id"))
			continue;
		if (!strcmp(d->step, "iommu_setup_dma_ops") ||
		    strstr(d->text, "no iommu-map translation") || strstr(d->text, "failed") ||
		    strstr(d->text, "not available") || strstr(d->text, "no usable") ||
		    strstr(d->text, "dropped") || strstr(d->text, ": -")) {
			/* The first failure is the cause; later ones follow from it. */
			if (!cause || !strcmp(d->step, "iommu_setup_dma_ops"))
				cause = d;
		}
	}
	if (dev->iommu_group && dev->dma_ops == IMS_DMA_OPS_DIRECT && cause &&
	    !strcmp(cause->step, "iommu_setup_dma_ops")) {
		snprintf(buf, sizeof(buf), "%s: %s", cause->step, cause->text);
		return strdup(buf);
	}
	if (!last_cfg)
		return strdup("no IOMMU described for it (no \"iommus\" or \"iommu-map\")");
	if (cause)
		snprintf(buf, sizeof(buf), "%s: %s", cause->step, cause->text);
	else
		snprintf(buf, sizeof(buf), "%s: %s", last_cfg->step, last_cfg->text);
	/* A driver's refusal: quote the warning it printed ("stream 248 already in tree"). */
	if (cause && !strcmp(cause->step, "iommu_probe_device")) {
		for (int i = dev->nr_msgs - 1; i >= 0; i--) {
			const char *t = dev->msgs[i].text, *p = strstr(t, dev->name);

			if (dev->msgs[i].level > IMS_LOG_WARNING)
				continue;
			if (p && p[strlen(dev->name)] == ':')
				t = p + strlen(dev->name) + 2;
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), ": %s", t);
			break;
		}
	}
	return strdup(buf);
}

static int build_device(struct ims_explain_device *e, struct ims_device *dev,
			const struct ims_of_tree *t)
{
	struct ims_iommu_fwspec *fw = ims_dev_iommu_fwspec_get(dev);
	int ret;

	e->name = strdup(dev->name);
	e->bus = dev->bus;
	e->node = node_path(t, dev->of_node);
	e->driver = dev->driver ? dup_or_null(dev->driver->name) : NULL;
	e->driver_bound = dev->driver != NULL;
	e->probe_err = dev->probe_err;
	e->deferred = dev->deferred;
	e->group = -1;
	e->sec_bus = -1;
	e->is_host_bridge = dev->is_host_bridge;
	if (dev->parent && !dev->parent->is_iommu) {
		e->parent = strdup(dev->parent->name);
		if (!e->parent)
			return -ENOMEM;
	}
	if (dev->pci && dev->pci->is_bridge) {
		e->is_pci_bridge = true;
		if (dev->pci->subordinate)
			e->sec_bus = dev->pci->subordinate->number;
	}
	if (!e->name)
		return -ENOMEM;
	if (dev->pci) {
		struct alias_acc a = { NULL, 0 };
		int msi_np = IMS_OF_NONE;
		uint32_t rid;

		ims_pci_for_each_dma_alias(dev->pci, alias_cb, &a);
		e->aliases = a.v;
		e->nr_aliases = a.n;
		rid = ims_pci_msi_domain_get_msi_rid(dev->pci, &msi_np);
		if (msi_np != IMS_OF_NONE) {
			e->has_msi_id = true;
			e->msi_id = rid;
		}
	}
	if (fw) {
		e->iommu = node_path(t, fw->iommu_fwnode);
		if (fw->num_ids) {
			e->ids = calloc(fw->num_ids, sizeof(uint32_t));
			if (!e->ids)
				return -ENOMEM;
			memcpy(e->ids, fw->ids, fw->num_ids * sizeof(uint32_t));
			e->nr_ids = (int)fw->num_ids;
		}
	}
	if (dev->iommu_group) {
		e->group = dev->iommu_group->id;
		if (dev->iommu_group->default_domain)
			e->domain =
				ims_iommu_domain_type_name(dev->iommu_group->default_domain->type);
	}
	e->dma_ops = dev->dma_ops;
	e->coherent = dev->dma_coherent;
	e->dma_mask = dev->dma_mask;
	e->bus_dma_limit = dev->bus_dma_limit;
	if (dev->dma_range_map && dev->nr_dma_range > 0) {
		e->ranges = calloc((size_t)dev->nr_dma_range, sizeof(*e->ranges));
		if (!e->ranges)
			return -ENOMEM;
		memcpy(e->ranges, dev->dma_range_map,
		       (size_t)dev->nr_dma_range * sizeof(*e->ranges));
		e->nr_ranges = dev->nr_dma_range;
	}
	if (dev->iommu_group) {
		struct ims_resv_list list = { 0 };

		ret = ims_iommu_get_resv_regions(dev, &list);
		if (ret < 0)
			return ret;
		if (list.nr) {
			e->resv = calloc((size_t)list.nr, sizeof(*e->resv));
			if (!e->resv) {
				ims_iommu_resv_list_free(&list);
				return -ENOMEM;
			}
			for (int i = 0; i < list.nr; i++) {
				e->resv[i].start = list.r[i].start;
				e->resv[i].end = list.r[i].start + list.r[i].length - 1;
				e->resv[i].type = ims_iommu_resv_type_name(list.r[i].type);
			}
			e->nr_resv = list.nr;
		}
		ims_iommu_resv_list_free(&list);
	}
	e->translated = dev->driver && dev->dma_ops == IMS_DMA_OPS_IOMMU;
	if (!e->translated) {
		e->reason = why_untranslated(dev);
		if (!e->reason)
			return -ENOMEM;
	}
	ret = copy_messages(dev, &e->messages, &e->nr_messages);
	if (ret)
		return ret;
	if (dev->nr_decisions) {
		e->decisions = calloc((size_t)dev->nr_decisions, sizeof(*e->decisions));
		if (!e->decisions)
			return -ENOMEM;
		for (int i = 0; i < dev->nr_decisions; i++) {
			e->decisions[i].step = strdup(dev->decisions[i].step);
			e->decisions[i].text = strdup(dev->decisions[i].text);
			e->nr_decisions++;
			if (!e->decisions[i].step || !e->decisions[i].text)
				return -ENOMEM;
		}
	}
	return 0;
}

static int build_iommu(struct ims_explain_iommu *e, struct ims_device *dev, struct ims_machine *m)
{
	const struct ims_of_tree *t = ims_machine_tree(m);
	struct ims_iommu_device *inst =
		ims_iommu_device_from_fwnode(ims_machine_iommu_core(m), dev->of_node);
	struct ims_machine_smmu *s = ims_machine_smmu_by_node(m, dev->of_node);

	e->node = node_path(t, dev->of_node);
	e->name = strdup(dev->name);
	e->driver = dev->driver ? dup_or_null(dev->driver->name) : NULL;
	e->probe_err = dev->probe_err;
	if (s)
		e->model = s->kind == IMS_MACHINE_SMMUV3 ? "smmuv3" : "mmu-500";
	if (!e->node || !e->name)
		return -ENOMEM;
	if (inst) {
		e->registered = true;
		for (int i = 0; i < inst->nr_idregs && i < IMS_IOMMU_MAX_IDREGS; i++) {
			snprintf(e->idr[i].name, sizeof(e->idr[i].name), "%s",
				 inst->idregs[i].name ? inst->idregs[i].name : "?");
			e->idr[i].value = inst->idregs[i].value;
			e->nr_idr++;
		}
	}
	return copy_messages(dev, &e->messages, &e->nr_messages);
}

IMS_EXPORT int ims_explain_build(struct ims_explain_report **out, struct ims_machine *m)
{
	struct ims_devcore *dc = ims_machine_devcore(m);
	struct ims_explain_report *r;
	int n, ret = 0;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!dc)
		return ims_error(-EINVAL, "explain: the machine is not booted");
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->board = strdup(ims_of_tree_name(ims_machine_tree(m)));
	n = ims_devcore_nr_devices(dc);
	r->iommus = calloc((size_t)n + 1, sizeof(*r->iommus));
	r->devices = calloc((size_t)n + 1, sizeof(*r->devices));
	if (!r->board || !r->iommus || !r->devices) {
		ret = -ENOMEM;
		goto fail;
	}
	for (int i = 0; i < n; i++) {
		struct ims_device *dev = ims_devcore_device(dc, i);

		if (!dev)
			continue;
		if (dev->is_iommu)
			ret = build_iommu(&r->iommus[r->nr_iommus++], dev, m);
		else
			ret = build_device(&r->devices[r->nr_devices++], dev, ims_machine_tree(m));
		if (ret)
			goto fail;
	}
	*out = r;
	return 0;
fail:
	ims_explain_free(r);
	return ret;
}

static void free_strv(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

IMS_EXPORT void ims_explain_free(struct ims_explain_report *r)
{
	if (!r)
		return;
	for (int i = 0; r->iommus && i < r->nr_iommus; i++) {
		struct ims_explain_iommu *e = &r->iommus[i];

		free(e->node);
		free(e->name);
		free(e->driver);
		free_strv(e->messages, e->nr_messages);
	}
	for (int i = 0; r->devices && i < r->nr_devices; i++) {
		struct ims_explain_device *e = &r->devices[i];

		free(e->name);
		free(e->node);
		free(e->driver);
		free(e->aliases);
		free(e->iommu);
		free(e->ids);
		free(e->ranges);
		free(e->resv);
		free(e->reason);
		free(e->parent);
		free_strv(e->messages, e->nr_messages);
		for (int j = 0; j < e->nr_decisions; j++) {
			free(e->decisions[j].step);
			free(e->decisions[j].text);
		}
		free(e->decisions);
	}
	free(r->iommus);
	free(r->devices);
	free(r->board);
	free(r);
}
