/* SPDX-License-Identifier: MIT */
/* Shared helpers for the src/of tests: fixture loading and a capturing log sink. */
#ifndef IMS_TESTS_OF_TEST_H
#define IMS_TESTS_OF_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iommusim/of.h>

#include "../tap.h"

#define ARRAY_SIZE_T(a) (sizeof(a) / sizeof((a)[0]))

struct captured_log {
	char text[8192];
	int nr;
};

__attribute__((unused)) static void capture_fn(void *ctx, enum ims_log_level level, const char *msg)
{
	struct captured_log *c = ctx;
	size_t n = strlen(c->text);

	snprintf(c->text + n, sizeof(c->text) - n, "<%d>%s\n", (int)level, msg);
	c->nr++;
}

__attribute__((unused)) static void capture_reset(struct captured_log *c)
{
	c->text[0] = '\0';
	c->nr = 0;
}

/* Load FIXTURE_DIR/<name> and install @c as its log sink (debug level). */
__attribute__((unused)) static struct ims_of_tree *load_fixture(const char *name,
								struct captured_log *c)
{
	char path[1024];
	struct ims_of_tree *t = NULL;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", FIXTURE_DIR, name);
	ret = ims_of_tree_load(&t, path, NULL, 0);
	if (ret) {
		printf("Bail out! cannot load %s: %s\n", path, ims_last_error());
		exit(1);
	}
	if (c) {
		struct ims_log log = { capture_fn, c, IMS_LOG_DEBUG };

		capture_reset(c);
		ims_of_tree_set_log(t, &log);
	}
	return t;
}

__attribute__((unused)) static int node(const struct ims_of_tree *t, const char *path)
{
	int n = ims_of_find_node_by_path(t, path);

	if (n == IMS_OF_NONE)
		diag("no node %s", path);
	return n;
}

#endif
