// SPDX-License-Identifier: MIT
/*
 * The simulated machine: one board's tree, memory, SMMU models, driver core
 * and IOMMU core, booted in the order the kernel brings a DT system up
 * (docs/machine.md): memory (setup_arch: early_init_dt_scan_memory,
 * early_init_fdt_scan_reserved_mem), the SMMU hardware, then the driver model
 * (iommu_subsys_init, device_initcall drivers, of_platform_default_populate,
 * deferred_probe_initcall and the deferred_probe_timeout work).
 */
#include <stdlib.h>
#include <string.h>

#include <iommusim/drivers.h>

#include "machine/machine-private.h"
#include "util/log.h"

/* Every message of every layer: into the kernel-log buffer, then the caller's sink. */
static void klog_fn(void *ctx, enum ims_log_level level, const char *msg)
{
	struct ims_machine *m = ctx;
	char *text = strdup(msg);

	pthread_mutex_lock(&m->klog_lock);
	if (text && m->nr_klog == m->cap_klog) {
		int cap = m->cap_klog ? 2 * m->cap_klog : 256;
		struct ims_klog_entry *n = realloc(m->klog, (size_t)cap * sizeof(*n));

		if (n) {
			m->klog = n;
			m->cap_klog = cap;
		}
	}
	if (text && m->nr_klog < m->cap_klog) {
		m->klog[m->nr_klog].level = level;
		m->klog[m->nr_klog].text = text;
		m->nr_klog++;
		text = NULL;
	}
	pthread_mutex_unlock(&m->klog_lock);
	free(text);
	if (m->opts.log.fn && level <= m->opts.log.max_level)
		m->opts.log.fn(m->opts.log.ctx, level, msg);
}

IMS_EXPORT void ims_machine_opts_init(struct ims_machine_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	ims_iommu_opts_init(&opts->iommu);
	opts->devcore.deferred_probe_timeout = -1;
	opts->devcore.acs_placement = IMS_ACS_AT_ENUMERATION;
	opts->log.max_level = IMS_LOG_DEBUG;
}

IMS_EXPORT int ims_machine_new(struct ims_machine **out, const struct ims_machine_opts *opts)
{
	struct ims_machine *m;

	if (!out)
		return -EINVAL;
	*out = NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	if (opts)
		m->opts = *opts;
	else
		ims_machine_opts_init(&m->opts);
	pthread_mutex_init(&m->klog_lock, NULL);
	m->log.fn = klog_fn;
	m->log.ctx = m;
	m->log.max_level = IMS_LOG_DEBUG;
	*out = m;
	return 0;
}

IMS_EXPORT int ims_machine_load_board(struct ims_machine *m, const char *path,
				      const char *const *overlays, int nr_overlays)
{
	struct ims_of_tree *t = NULL;
	int ret;

	if (!m || !path)
		return -EINVAL;
	if (m->tree)
		return ims_error(-EBUSY, "%s: the machine already has a board", path);
	ret = ims_of_tree_load(&t, path, overlays, nr_overlays);
	if (ret)
		return ret;
	m->tree = t;
	ims_of_tree_set_log(t, &m->log);
	return 0;
}

IMS_EXPORT int ims_machine_set_tree(struct ims_machine *m, struct ims_of_tree *tree)
{
	if (!m || !tree)
		return -EINVAL;
	if (m->tree)
		return ims_error(-EBUSY, "the machine already has a board");
	m->tree = tree;
	ims_of_tree_set_log(tree, &m->log);
	return 0;
}

/* The drivers registered at device_initcall time: extra ones, then the SMMU drivers. */
static int register_smmu_drivers(struct ims_machine *m)
{
	int ret;

	if (m->opts.register_drivers) {
		ret = m->opts.register_drivers(m, m->opts.register_ctx);
		if (ret)
			return ret;
	}
	if (m->opts.no_smmu_drivers)
		return 0;
	ret = ims_arm_smmu_v3_register(m->dc);
	if (ret)
		return ims_error(ret, "arm-smmu-v3: driver registration failed: %s",
				 ims_errname(ret));
	ret = ims_arm_smmu_register(m->dc);
	if (ret)
		return ims_error(ret, "arm-smmu: driver registration failed: %s", ims_errname(ret));
	return 0;
}

IMS_EXPORT int ims_machine_boot(struct ims_machine *m)
{
	int ret;

	if (!m)
		return -EINVAL;
	if (!m->tree)
		return ims_error(-ENODEV, "machine: no board loaded");
	if (m->booted)
		return ims_error(-EBUSY, "%s: the machine is booted already",
				 ims_of_tree_name(m->tree));
	m->booted = true;

	ret = ims_mem_new(&m->mem, &m->log);
	if (ret)
		return ret;
	ret = ims_machine_setup_memory(m);
	if (ret)
		return ret;
	ret = ims_machine_create_smmus(m);
	if (ret)
		return ret;

	ret = ims_devcore_new(&m->dc, m->tree, &m->opts.devcore, &m->log);
	if (ret)
		return ret;
	ims_devcore_set_mem(m->dc, m->mem);
	ret = ims_iommu_core_new(&m->ic, m->dc, &m->opts.iommu);
	if (ret)
		return ret;

	if (!m->opts.late_smmu_drivers) {
		ret = register_smmu_drivers(m);
		if (ret)
			return ret;
	}
	ret = ims_driver_register(m->dc, ims_pci_host_driver());
	if (!ret)
		ret = ims_driver_register(m->dc, ims_client_driver(IMS_BUS_PLATFORM));
	if (!ret)
		ret = ims_driver_register(m->dc, ims_client_driver(IMS_BUS_PCI));
	if (ret)
		return ret;
	ret = ims_of_platform_populate(m->dc);
	if (ret < 0)
		return ret;
	if (m->opts.late_smmu_drivers) {
		ret = register_smmu_drivers(m);
		if (ret)
			return ret;
	}
	ims_devcore_late_initcall(m->dc);
	if (!m->opts.stop_at_late_initcall && ims_devcore_nr_deferred(m->dc))
		ims_devcore_deferred_probe_timeout(m->dc);
	return 0;
}

IMS_EXPORT void ims_machine_free(struct ims_machine *m)
{
	if (!m)
		return;
	/* Devices (and the SMMU drivers' instances) go before the IOMMU core. */
	ims_devcore_free(m->dc);
	m->dc = NULL;
	ims_iommu_core_free(m->ic);
	m->ic = NULL;
	ims_machine_destroy_smmus(m);
	ims_mem_free(m->mem);
	ims_of_tree_free(m->tree);
	for (int i = 0; i < m->nr_klog; i++)
		free(m->klog[i].text);
	free(m->klog);
	pthread_mutex_destroy(&m->klog_lock);
	free(m);
}

IMS_EXPORT const struct ims_machine_opts *ims_machine_get_opts(const struct ims_machine *m)
{
	return &m->opts;
}

IMS_EXPORT const struct ims_of_tree *ims_machine_tree(const struct ims_machine *m)
{
	return m ? m->tree : NULL;
}

IMS_EXPORT struct ims_mem *ims_machine_mem(const struct ims_machine *m)
{
	return m ? m->mem : NULL;
}

IMS_EXPORT struct ims_devcore *ims_machine_devcore(const struct ims_machine *m)
{
	return m ? m->dc : NULL;
}

IMS_EXPORT struct ims_iommu_core *ims_machine_iommu_core(const struct ims_machine *m)
{
	return m ? m->ic : NULL;
}

IMS_EXPORT int ims_machine_nr_smmus(const struct ims_machine *m)
{
	return m ? m->nr_smmus : 0;
}

IMS_EXPORT struct ims_machine_smmu *ims_machine_smmu(const struct ims_machine *m, int idx)
{
	if (!m || idx < 0 || idx >= m->nr_smmus)
		return NULL;
	return m->smmus[idx];
}

IMS_EXPORT struct ims_machine_smmu *ims_machine_smmu_by_node(const struct ims_machine *m, int node)
{
	for (int i = 0; m && i < m->nr_smmus; i++)
		if (m->smmus[i]->node == node)
			return m->smmus[i];
	return NULL;
}

IMS_EXPORT struct ims_device *ims_machine_find_device(const struct ims_machine *m, const char *name)
{
	return m && m->dc && name ? ims_devcore_find_device(m->dc, name) : NULL;
}

IMS_EXPORT int ims_machine_klog_nr(const struct ims_machine *m)
{
	return m ? m->nr_klog : 0;
}

IMS_EXPORT const struct ims_klog_entry *ims_machine_klog(const struct ims_machine *m, int idx)
{
	if (!m || idx < 0 || idx >= m->nr_klog)
		return NULL;
	return &m->klog[idx];
}

IMS_EXPORT int ims_machine_klog_find(const struct ims_machine *m, const char *needle)
{
	for (int i = 0; m && needle && i < m->nr_klog; i++)
		if (strstr(m->klog[i].text, needle))
			return i;
	return -ENOENT;
}

uint64_t ims_machine_read_cells(const void *p, int cells)
{
	const uint8_t *b = p;
	uint64_t v = 0;

	for (int i = 0; i < cells * 4; i++)
		v = (v << 8) | b[i];
	return v;
}
