/* SPDX-License-Identifier: MIT */
/* Shared helpers for the machine tests: boot a board from DTS text or a file. */
#ifndef IMS_TESTS_MACHINE_TEST_H
#define IMS_TESTS_MACHINE_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <iommusim/machine.h>

#include "../tap.h"

/* Write @dts to a temporary file and load it into @m; returns the loader's result. */
__attribute__((unused)) static int load_dts(struct ims_machine *m, const char *dts)
{
	char path[] = "/tmp/ims-machine-test-XXXXXX.dts";
	int fd = mkstemps(path, 4), ret;
	FILE *f;

	if (fd < 0) {
		printf("Bail out! mkstemps\n");
		exit(1);
	}
	f = fdopen(fd, "w");
	fputs(dts, f);
	fclose(f);
	ret = ims_machine_load_board(m, path, NULL, 0);
	unlink(path);
	return ret;
}

/* New machine with @opts (NULL = defaults) booted on @dts; *@ret gets boot's result. */
__attribute__((unused)) static struct ims_machine *
boot_dts(const char *dts, const struct ims_machine_opts *opts, int *ret)
{
	struct ims_machine *m = NULL;

	if (ims_machine_new(&m, opts) || load_dts(m, dts)) {
		printf("Bail out! cannot load board: %s\n", ims_last_error());
		exit(1);
	}
	*ret = ims_machine_boot(m);
	return m;
}

/* Does any kernel-log line contain @needle? */
__attribute__((unused)) static bool klog_has(const struct ims_machine *m, const char *needle)
{
	return ims_machine_klog_find(m, needle) >= 0;
}

#endif
