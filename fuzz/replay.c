/* SPDX-License-Identifier: MIT */
/*
 * Standalone driver for the fuzz targets (after libgit2's standalone_driver):
 * without libFuzzer, run LLVMFuzzerTestOneInput() once over every file named
 * on the command line or found (non-recursively, in name order) in a
 * directory named there.  It prints TAP, one line per input; an input that
 * breaks an invariant aborts the process, which fails the test and leaves
 * the input's name as the last line printed.
 *
 * usage: fuzz-<target>-replay CORPUS-DIR-OR-FILE...
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* The largest input replayed; corpus files are far smaller. */
#define REPLAY_MAX_INPUT (64u << 20)

static int nr_run;

static int run_file(const char *path)
{
	struct stat st;
	uint8_t *buf;
	FILE *f;
	size_t n;

	if (stat(path, &st) || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > REPLAY_MAX_INPUT) {
		printf("not ok %d - %s: not a readable regular file under 64 MiB\n", ++nr_run,
		       path);
		return -1;
	}
	f = fopen(path, "rb");
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!f || !buf) {
		printf("not ok %d - %s: %s\n", ++nr_run, path, strerror(errno));
		if (f)
			fclose(f);
		free(buf);
		return -1;
	}
	n = fread(buf, 1, (size_t)st.st_size, f);
	fclose(f);
	/* Name the input before running it, so that a crash is attributed. */
	printf("# %s (%zu bytes)\n", path, n);
	fflush(stdout);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	printf("ok %d - %s\n", ++nr_run, path);
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir)
{
	char **names = NULL;
	size_t nr = 0, cap = 0;
	struct dirent *de;
	int bad = 0;
	DIR *d = opendir(dir);

	if (!d) {
		printf("not ok %d - %s: %s\n", ++nr_run, dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (nr == cap) {
			char **nn = realloc(names, sizeof(*names) * (cap = cap ? 2 * cap : 64));

			if (!nn)
				abort();
			names = nn;
		}
		names[nr] = malloc(strlen(dir) + strlen(de->d_name) + 2);
		if (!names[nr])
			abort();
		sprintf(names[nr], "%s/%s", dir, de->d_name);
		nr++;
	}
	closedir(d);
	if (nr)
		qsort(names, nr, sizeof(*names), cmp_names);
	for (size_t i = 0; i < nr; i++) {
		bad |= run_file(names[i]);
		free(names[i]);
	}
	free(names);
	if (!nr) {
		printf("not ok %d - %s: empty corpus\n", ++nr_run, dir);
		return -1;
	}
	return bad;
}

int main(int argc, char **argv)
{
	int bad = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS-DIR-OR-FILE...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (!stat(argv[i], &st) && S_ISDIR(st.st_mode))
			bad |= run_dir(argv[i]);
		else
			bad |= run_file(argv[i]);
	}
	printf("1..%d\n", nr_run);
	return bad ? 1 : 0;
}
