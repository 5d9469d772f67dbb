/* SPDX-License-Identifier: MIT */
/* Shared helpers for the bus and IOMMU core tests: boards, a capturing log, lookups. */
#ifndef IMS_TESTS_BUS_TEST_H
#define IMS_TESTS_BUS_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <iommusim/bus.h>
#include <iommusim/of.h>

#include "../tap.h"

#define ARRAY_SIZE_T(a) (sizeof(a) / sizeof((a)[0]))

struct captured_log {
	char text[65536];
	int nr;
};

__attribute__((unused)) static void capture_fn(void *ctx, enum ims_log_level level, const char *msg)
{
	struct captured_log *c = ctx;
	size_t n = strlen(c->text);

	if (n + 1 < sizeof(c->text))
		snprintf(c->text + n, sizeof(c->text) - n, "<%d>%s\n", (int)level, msg);
	c->nr++;
}

__attribute__((unused)) static void capture_reset(struct captured_log *c)
{
	c->text[0] = '\0';
	c->nr = 0;
}

/* Load a tree from @path (a .dtb, or a .dts compiled by dtc); bail out on failure. */
__attribute__((unused)) static struct ims_of_tree *load_tree(const char *path)
{
	struct ims_of_tree *t = NULL;

	if (ims_of_tree_load(&t, path, NULL, 0)) {
		printf("Bail out! cannot load %s: %s\n", path, ims_last_error());
		exit(1);
	}
	return t;
}

/* Write @dts to a temporary .dts and load it; *@ret gets the loader's result. */
__attribute__((unused)) static struct ims_of_tree *load_dts_text(const char *dts)
{
	char path[] = "/tmp/ims-bus-test-XXXXXX.dts";
	struct ims_of_tree *t;
	int fd = mkstemps(path, 4);
	FILE *f;

	if (fd < 0) {
		printf("Bail out! mkstemps\n");
		exit(1);
	}
	f = fdopen(fd, "w");
	fputs(dts, f);
	fclose(f);
	t = load_tree(path);
	unlink(path);
	return t;
}

__attribute__((unused)) static struct ims_device *dev_named(struct ims_devcore *core,
							    const char *name)
{
	struct ims_device *d = ims_devcore_find_device(core, name);

	if (!d)
		diag("no device %s", name);
	return d;
}

__attribute__((unused)) static struct ims_pci_dev *pci_named(struct ims_devcore *core,
							     const char *name)
{
	return ims_to_pci_dev(dev_named(core, name));
}

struct alias_rec {
	uint16_t alias[16];
	const char *owner[16];
	int nr;
	int stop_at; /* stop the walk (return 7) at this call index, or -1 */
};

__attribute__((unused)) static int record_alias(struct ims_pci_dev *owner, uint16_t alias, void *d)
{
	struct alias_rec *r = d;

	if (r->nr < 16) {
		r->alias[r->nr] = alias;
		r->owner[r->nr] = owner->dev.name;
	}
	return r->nr++ == r->stop_at ? 7 : 0;
}

__attribute__((unused)) static void aliases_of(struct ims_pci_dev *p, struct alias_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->stop_at = -1;
	if (p)
		ims_pci_for_each_dma_alias(p, record_alias, r);
}

#endif
