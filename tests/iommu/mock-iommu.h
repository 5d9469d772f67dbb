/* SPDX-License-Identifier: MIT */
/*
 * A mock IOMMU driver for the IOMMU core tests: records the IDs of_xlate
 * gives, optionally refuses a StreamID already owned (like arm-smmu-v3's
 * "stream %u already in tree"), groups with pci_device_group /
 * generic_device_group, and keeps paging domains as a list of mappings.
 */
#ifndef IMS_TESTS_MOCK_IOMMU_H
#define IMS_TESTS_MOCK_IOMMU_H

#include <iommusim/iommu.h>

#include "../bus/bus-test.h"

#define container_of_t(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

struct mock_cfg {
	bool refuse_dups;	/* -EINVAL for a StreamID already in the tree */
	bool no_msi;		/* report the software MSI window */
	bool no_deferred_flush; /* capable(DEFERRED_FLUSH) false */
	bool fail_register;
	int xlate_calls;
	int domains_alive;
};
static struct mock_cfg mock_cfg;

struct mock_stream {
	uint32_t sid;
	struct ims_device *dev;
};

struct mock_iommu {
	struct ims_iommu_device iommu;
	struct mock_stream streams[512];
	int nr_streams;
};

struct mock_map {
	uint64_t iova, pa;
	size_t size;
};

struct mock_domain {
	struct ims_iommu_domain domain;
	struct mock_map maps[1024];
	int nr_maps;
	int map_calls, unmap_calls, syncs, attaches, flushes;
	size_t last_pgsize, last_count;
	uint64_t sync_start, sync_end;
};

static struct mock_iommu *mock_of(struct ims_device *dev)
{
	struct ims_iommu_fwspec *fw = ims_dev_iommu_fwspec_get(dev);
	struct ims_iommu_device *i =
		fw ? ims_iommu_device_from_fwnode(ims_iommu_core_of(dev), fw->iommu_fwnode) : NULL;

	return i ? container_of_t(i, struct mock_iommu, iommu) : NULL;
}

static int mock_of_xlate(struct ims_device *dev, const struct ims_of_phandle_args *spec)
{
	mock_cfg.xlate_calls++;
	return ims_iommu_fwspec_add_ids(dev, spec->args, 1);
}

static void mock_forget(struct mock_iommu *m, struct ims_device *dev)
{
	int j = 0;

	for (int i = 0; i < m->nr_streams; i++)
		if (m->streams[i].dev != dev)
			m->streams[j++] = m->streams[i];
	m->nr_streams = j;
}

static struct ims_iommu_device *mock_probe_device(struct ims_device *dev, int *err)
{
	struct ims_iommu_fwspec *fw = ims_dev_iommu_fwspec_get(dev);
	struct mock_iommu *m = mock_of(dev);

	if (!m) {
		*err = -ENODEV;
		return NULL;
	}
	for (unsigned int i = 0; i < fw->num_ids; i++) {
		for (int j = 0; mock_cfg.refuse_dups && j < m->nr_streams; j++) {
			if (m->streams[j].sid != fw->ids[i])
				continue;
			ims_dev_logf(dev, IMS_LOG_WARNING, "stream %u already in tree from dev %s",
				     fw->ids[i], m->streams[j].dev->name);
			mock_forget(m, dev);
			*err = -EINVAL;
			return NULL;
		}
		if (m->nr_streams < 512)
			m->streams[m->nr_streams++] = (struct mock_stream){ fw->ids[i], dev };
	}
	dev->iommu->priv = m;
	return &m->iommu;
}

static void mock_release_device(struct ims_device *dev)
{
	struct mock_iommu *m = dev->iommu->priv;

	if (m)
		mock_forget(m, dev);
}

static struct ims_iommu_group *mock_device_group(struct ims_device *dev, int *err)
{
	return dev->pci ? ims_pci_device_group(dev, err) : ims_generic_device_group(dev, err);
}

static int mock_def_domain_type(struct ims_device *dev)
{
	const char *s = dev->of_node == IMS_OF_NONE
				? NULL
				: ims_of_get_property(ims_devcore_tree(dev->core), dev->of_node,
						      "mock,def-domain", NULL);

	if (s && !strcmp(s, "identity"))
		return IMS_IOMMU_DOMAIN_IDENTITY;
	if (s && !strcmp(s, "dma"))
		return IMS_IOMMU_DOMAIN_DMA;
	return 0;
}

static bool mock_capable(struct ims_device *dev, enum ims_iommu_cap cap)
{
	return cap == IMS_IOMMU_CAP_DEFERRED_FLUSH && !mock_cfg.no_deferred_flush;
}

static void mock_get_resv_regions(struct ims_device *dev, struct ims_resv_list *list)
{
	if (mock_cfg.no_msi)
		ims_iommu_resv_add(list, IMS_MSI_IOVA_BASE, IMS_MSI_IOVA_LENGTH,
				   IMS_IOMMU_WRITE | IMS_IOMMU_NOEXEC | IMS_IOMMU_MMIO,
				   IMS_IOMMU_RESV_SW_MSI);
}

static int mock_attach(struct ims_iommu_domain *d, struct ims_device *dev)
{
	if (d->type & __IMS_IOMMU_DOMAIN_PAGING)
		container_of_t(d, struct mock_domain, domain)->attaches++;
	return 0;
}

static int mock_map_pages(struct ims_iommu_domain *d, uint64_t iova, uint64_t pa, size_t pgsize,
			  size_t pgcount, int prot, size_t *mapped)
{
	struct mock_domain *md = container_of_t(d, struct mock_domain, domain);

	md->map_calls++;
	md->last_pgsize = pgsize;
	md->last_count = pgcount;
	for (size_t n = 0; n < pgcount; n++, iova += pgsize, pa += pgsize) {
		for (int i = 0; i < md->nr_maps; i++)
			if (iova < md->maps[i].iova + md->maps[i].size &&
			    md->maps[i].iova < iova + pgsize)
				return -EEXIST;
		if (md->nr_maps == 1024)
			return -ENOMEM;
		md->maps[md->nr_maps++] = (struct mock_map){ iova, pa, pgsize };
		*mapped += pgsize;
	}
	return 0;
}

static size_t mock_unmap_pages(struct ims_iommu_domain *d, uint64_t iova, size_t pgsize,
			       size_t pgcount, struct ims_iotlb_gather *gather)
{
	struct mock_domain *md = container_of_t(d, struct mock_domain, domain);
	size_t done = 0;

	md->unmap_calls++;
	for (size_t n = 0; n < pgcount; n++, iova += pgsize) {
		int i;

		for (i = 0; i < md->nr_maps; i++)
			if (md->maps[i].iova == iova && md->maps[i].size == pgsize)
				break;
		if (i == md->nr_maps)
			break;
		md->maps[i] = md->maps[--md->nr_maps];
		ims_iommu_iotlb_gather_add_page(d, gather, iova, pgsize);
		done += pgsize;
	}
	return done;
}

static void mock_iotlb_sync(struct ims_iommu_domain *d, struct ims_iotlb_gather *g)
{
	struct mock_domain *md = container_of_t(d, struct mock_domain, domain);

	md->syncs++;
	md->sync_start = g->start;
	md->sync_end = g->end;
}

static void mock_flush_all(struct ims_iommu_domain *d)
{
	container_of_t(d, struct mock_domain, domain)->flushes++;
}

static uint64_t mock_iova_to_phys(struct ims_iommu_domain *d, uint64_t iova)
{
	struct mock_domain *md = container_of_t(d, struct mock_domain, domain);

	for (int i = 0; i < md->nr_maps; i++)
		if (iova >= md->maps[i].iova && iova - md->maps[i].iova < md->maps[i].size)
			return md->maps[i].pa + (iova - md->maps[i].iova);
	return 0;
}

static void mock_domain_free(struct ims_iommu_domain *d)
{
	mock_cfg.domains_alive--;
	free(container_of_t(d, struct mock_domain, domain));
}

static const struct ims_iommu_domain_ops mock_domain_ops = {
	.attach_dev = mock_attach,
	.map_pages = mock_map_pages,
	.unmap_pages = mock_unmap_pages,
	.iotlb_sync = mock_iotlb_sync,
	.flush_iotlb_all = mock_flush_all,
	.iova_to_phys = mock_iova_to_phys,
	.free = mock_domain_free,
};

static const struct ims_iommu_domain_ops mock_static_ops = { .attach_dev = mock_attach };

static struct ims_iommu_domain mock_identity = { .type = IMS_IOMMU_DOMAIN_IDENTITY,
						 .ops = &mock_static_ops,
						 .is_static = true };

static struct ims_iommu_domain *mock_domain_alloc_paging(struct ims_device *dev)
{
	struct mock_domain *md = calloc(1, sizeof(*md));

	if (!md)
		return NULL;
	md->domain.ops = &mock_domain_ops;
	md->domain.aperture_start = 0;
	md->domain.aperture_end = (1ull << 48) - 1;
	md->domain.force_aperture = true;
	mock_cfg.domains_alive++;
	return &md->domain;
}

static const struct ims_iommu_ops mock_ops = {
	.name = "mock-iommu",
	.capable = mock_capable,
	.domain_alloc_paging = mock_domain_alloc_paging,
	.probe_device = mock_probe_device,
	.release_device = mock_release_device,
	.device_group = mock_device_group,
	.get_resv_regions = mock_get_resv_regions,
	.of_xlate = mock_of_xlate,
	.def_domain_type = mock_def_domain_type,
	.identity_domain = &mock_identity,
	.pgsize_bitmap = 0x1000 | 0x200000 | 0x40000000,
};

static int mock_drv_probe(struct ims_device *dev)
{
	struct mock_iommu *m;
	int ret;

	if (mock_cfg.fail_register)
		return -ENODEV;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	ret = ims_iommu_device_register(ims_iommu_core_of(dev), &m->iommu, &mock_ops, dev);
	if (ret) {
		free(m);
		return ret;
	}
	dev->driver_data = m;
	return 0;
}

static void mock_drv_remove(struct ims_device *dev)
{
	struct mock_iommu *m = dev->driver_data;

	if (!m)
		return;
	ims_iommu_device_unregister(&m->iommu);
	free(m);
}

static const char *const mock_compat[] = { "iommusim,mock-iommu", NULL };
static const struct ims_driver mock_driver = {
	.name = "mock-iommu",
	.bus = IMS_BUS_PLATFORM,
	.of_match = mock_compat,
	.probe = mock_drv_probe,
	.remove = mock_drv_remove,
};

/* ---- board bring-up ---------------------------------------------------------- */

struct board {
	struct ims_of_tree *t;
	struct ims_devcore *dc;
	struct ims_iommu_core *ic;
	struct captured_log log;
};

enum iommu_order {
	IOMMU_FIRST,	     /* the IOMMU driver registers before the clients */
	IOMMU_AFTER_CLIENTS, /* clients first; the IOMMU driver before late_initcall */
	IOMMU_AS_MODULE,     /* the IOMMU driver loads after late_initcall */
};

static void board_up_tree(struct board *b, struct ims_of_tree *t,
			  const struct ims_devcore_opts *dopts, const struct ims_iommu_opts *iopts,
			  enum iommu_order order)
{
	struct ims_log log = { capture_fn, &b->log, IMS_LOG_DEBUG };
	int xl = mock_cfg.xlate_calls;

	capture_reset(&b->log);
	b->t = t;
	mock_cfg.xlate_calls = xl;
	if (ims_devcore_new(&b->dc, b->t, dopts, &log) ||
	    ims_iommu_core_new(&b->ic, b->dc, iopts)) {
		printf("Bail out! board_up\n");
		exit(1);
	}
	if (order == IOMMU_FIRST)
		ims_driver_register(b->dc, &mock_driver);
	ims_driver_register(b->dc, ims_pci_host_driver());
	ims_driver_register(b->dc, ims_client_driver(IMS_BUS_PLATFORM));
	ims_driver_register(b->dc, ims_client_driver(IMS_BUS_PCI));
	ims_of_platform_populate(b->dc);
	if (order == IOMMU_AFTER_CLIENTS)
		ims_driver_register(b->dc, &mock_driver);
	ims_devcore_late_initcall(b->dc);
	if (order == IOMMU_AS_MODULE)
		ims_driver_register(b->dc, &mock_driver);
}

__attribute__((unused)) static void board_up(struct board *b, const struct ims_devcore_opts *dopts,
					     const struct ims_iommu_opts *iopts,
					     enum iommu_order order)
{
	board_up_tree(b, load_tree(FIXTURE_DIR "/topo.dtb"), dopts, iopts, order);
}

static void board_down(struct board *b)
{
	ims_devcore_free(b->dc);
	ims_iommu_core_free(b->ic);
	ims_of_tree_free(b->t);
	memset(b, 0, sizeof(*b));
}

/* The fwspec IDs of @name as a string "7 8 9", or "none". */
static const char *ids_of(struct board *b, const char *name)
{
	static char buf[256];
	struct ims_device *d = ims_devcore_find_device(b->dc, name);
	struct ims_iommu_fwspec *fw = ims_dev_iommu_fwspec_get(d);

	if (!d)
		return "nodev";
	if (!fw)
		return "none";
	buf[0] = '\0';
	for (unsigned int i = 0; i < fw->num_ids; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s0x%x", i ? " " : "",
			 fw->ids[i]);
	return buf;
}

static int group_of(struct board *b, const char *name)
{
	struct ims_device *d = ims_devcore_find_device(b->dc, name);

	return d && d->iommu_group ? d->iommu_group->id : -1;
}

static const char *domain_of(struct board *b, const char *name)
{
	struct ims_device *d = ims_devcore_find_device(b->dc, name);
	struct ims_iommu_domain *dom = ims_iommu_get_domain_for_dev(d);

	return dom ? ims_iommu_domain_type_name(dom->type) : "none";
}

static bool same_group(struct board *b, const char *x, const char *y)
{
	return group_of(b, x) >= 0 && group_of(b, x) == group_of(b, y);
}

__attribute__((unused)) static void mock_unused(void)
{
	(void)board_down;
	(void)ids_of;
	(void)domain_of;
	(void)same_group;
}

#endif
