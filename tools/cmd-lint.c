/* SPDX-License-Identifier: MIT */
/*
 * iommusim lint: boot each board and report the DMA/IOMMU wiring mistakes
 * Linux 6.12 would make of it (docs/lint.md).  The library finds; this file
 * formats: human text (one block per finding) or JSON, a progress bar on a
 * TTY and a summary table when several boards are linted.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <iommusim/lint.h>

#include "cli-board.h"

/* The most boards one run lints (directories are expanded up to this). */
#define LINT_MAX_BOARDS 100000

struct board {
	char *path;
	char *name; /* what the output calls it */
	struct ims_lint_report *r;
	int load_err;
	char *load_msg;
};

struct boards {
	struct board *v;
	int nr, cap;
};

static int add_board(struct boards *b, const char *path, const char *name)
{
	if (b->nr >= LINT_MAX_BOARDS)
		return -E2BIG;
	if (b->nr == b->cap) {
		int cap = b->cap ? 2 * b->cap : 16;
		struct board *n = realloc(b->v, (size_t)cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		b->v = n;
		b->cap = cap;
	}
	memset(&b->v[b->nr], 0, sizeof(b->v[0]));
	b->v[b->nr].path = strdup(path);
	b->v[b->nr].name = strdup(name);
	if (!b->v[b->nr].path || !b->v[b->nr].name)
		return -ENOMEM;
	b->nr++;
	return 0;
}

static bool is_board_file(const char *name)
{
	size_t n = strlen(name);

	return (n > 4 && (!strcmp(name + n - 4, ".dtb") || !strcmp(name + n - 4, ".dts")));
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every .dtb/.dts below @dir (sorted, recursively), named relative to @root. */
static int expand_dir(struct boards *b, const char *dir, const char *rel, int depth)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	int nr = 0, cap = 0, ret = 0;

	if (depth > 16)
		return 0;
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (nr == cap) {
			char **n = realloc(names, (size_t)(cap = cap ? 2 * cap : 64) * sizeof(*n));

			if (!n) {
				ret = -ENOMEM;
				break;
			}
			names = n;
		}
		names[nr] = strdup(de->d_name);
		if (!names[nr]) {
			ret = -ENOMEM;
			break;
		}
		nr++;
	}
	closedir(d);
	if (!ret)
		qsort(names, (size_t)nr, sizeof(*names), name_cmp);
	for (int i = 0; i < nr && !ret; i++) {
		char path[4096], name[4096];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		snprintf(name, sizeof(name), "%s%s%s", rel, rel[0] ? "/" : "", names[i]);
		if (stat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode))
			ret = expand_dir(b, path, name, depth + 1);
		else if (S_ISREG(st.st_mode) && is_board_file(names[i]))
			ret = add_board(b, path, name);
	}
	for (int i = 0; i < nr; i++)
		free(names[i]);
	free(names);
	return ret;
}

static void progress(int done, int total, const char *name)
{
	int width = 30, fill = total ? done * width / total : width;

	fprintf(stderr, "\r\033[K[");
	for (int i = 0; i < width; i++)
		fputc(i < fill ? '#' : ' ', stderr);
	fprintf(stderr, "] %d/%d %.40s", done, total, name ? name : "");
	fflush(stderr);
}

/* Print @text wrapped at 100 columns, each line indented by @indent spaces. */
static void print_wrapped(const char *text, int indent)
{
	const int width = 100 - indent;
	const char *p = text;

	while (*p) {
		int len = (int)strlen(p), cut = len;

		if (len > width) {
			cut = width;
			while (cut > 0 && p[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = width;
		}
		printf("%*s%.*s\n", indent, "", cut, p);
		p += cut;
		while (*p == ' ')
			p++;
	}
}

static void print_text(const struct board *b, bool several)
{
	const struct ims_lint_report *r = b->r;

	if (several)
		printf("== %s\n", b->name);
	if (!r->booted)
		printf("note: the board did not boot (%s): static checks only\n",
		       r->boot_msg ? r->boot_msg : ims_errname(r->boot_err));
	for (int i = 0; i < r->nr_findings; i++) {
		const struct ims_lint_finding *f = &r->findings[i];

		printf("%s: %s: %s", ims_lint_severity_name(f->severity), f->check,
		       f->node ? f->node : "/");
		if (f->property)
			printf(" [%s]", f->property);
		if (f->device)
			printf(" (%s)", f->device);
		printf("\n");
		print_wrapped(f->message, 4);
	}
	printf("%s%s: %d error(s), %d warning(s), %d info\n", r->nr_findings ? "\n" : "", b->name,
	       r->counts[IMS_LINT_ERROR], r->counts[IMS_LINT_WARNING], r->counts[IMS_LINT_INFO]);
	if (several)
		printf("\n");
}

static void json_opt_str(const char *key, const char *s)
{
	printf("\"%s\": ", key);
	if (s)
		cli_json_str(stdout, s);
	else
		printf("null");
}

static void print_json(const struct boards *bs)
{
	int tot[IMS_LINT_NR_SEVERITIES] = { 0 }, first = 1, nr_failed = 0;

	printf("{\"findings\": [");
	for (int i = 0; i < bs->nr; i++) {
		const struct ims_lint_report *r = bs->v[i].r;

		for (int k = 0; r && k < r->nr_findings; k++) {
			const struct ims_lint_finding *f = &r->findings[k];

			printf("%s\n  {", first ? "" : ",");
			first = 0;
			json_opt_str("board", bs->v[i].name);
			printf(", ");
			json_opt_str("check", f->check);
			printf(", ");
			json_opt_str("severity", ims_lint_severity_name(f->severity));
			printf(", ");
			json_opt_str("node", f->node);
			printf(", ");
			json_opt_str("property", f->property);
			printf(", ");
			json_opt_str("device", f->device);
			printf(", ");
			json_opt_str("message", f->message);
			printf("}");
		}
		for (int s = 0; r && s < IMS_LINT_NR_SEVERITIES; s++)
			tot[s] += r->counts[s];
		nr_failed += !r;
	}
	printf("%s],\n \"summary\": {\"boards\": %d, \"load_failures\": %d, \"errors\": %d, "
	       "\"warnings\": %d, \"info\": %d,\n  \"checks\": {",
	       first ? "" : "\n ", bs->nr, nr_failed, tot[IMS_LINT_ERROR], tot[IMS_LINT_WARNING],
	       tot[IMS_LINT_INFO]);
	for (int c = 0; ims_lint_checks[c]; c++) {
		int n = 0;

		for (int i = 0; i < bs->nr; i++)
			for (int k = 0; bs->v[i].r && k < bs->v[i].r->nr_findings; k++)
				n += bs->v[i].r->findings[k].check == ims_lint_checks[c];
		printf("%s\"%s\": %d", c ? ", " : "", ims_lint_checks[c], n);
	}
	printf("},\n  \"per_board\": [");
	for (int i = 0; i < bs->nr; i++) {
		const struct board *b = &bs->v[i];

		printf("%s\n   {", i ? "," : "");
		json_opt_str("board", b->name);
		if (b->r)
			printf(", \"loaded\": true, \"booted\": %s, \"devices\": %d, \"rids\": "
			       "%ld, \"errors\": %d, \"warnings\": %d, \"info\": %d}",
			       b->r->booted ? "true" : "false", b->r->nr_devices, b->r->nr_rids,
			       b->r->counts[IMS_LINT_ERROR], b->r->counts[IMS_LINT_WARNING],
			       b->r->counts[IMS_LINT_INFO]);
		else
			printf(", \"loaded\": false, \"error\": \"%s\"}", ims_errname(b->load_err));
	}
	printf("]}}\n");
}

static void print_table(const struct boards *bs)
{
	int w = 5, tot[IMS_LINT_NR_SEVERITIES] = { 0 }, nr_failed = 0, nr_static = 0;

	for (int i = 0; i < bs->nr; i++)
		if ((int)strlen(bs->v[i].name) > w)
			w = (int)strlen(bs->v[i].name);
	if (w > 60)
		w = 60;
	printf("%-*s %6s %8s %5s  %s\n", w, "board", "errors", "warnings", "info", "checks");
	for (int i = 0; i < bs->nr; i++) {
		const struct board *b = &bs->v[i];
		char checks[512] = "";

		if (!b->r) {
			printf("%-*.*s %6s %8s %5s  not loaded: %s\n", w, w, b->name, "-", "-", "-",
			       ims_errname(b->load_err));
			nr_failed++;
			continue;
		}
		for (int c = 0; ims_lint_checks[c]; c++) {
			int n = 0;
			size_t len = strlen(checks);

			for (int k = 0; k < b->r->nr_findings; k++)
				n += b->r->findings[k].check == ims_lint_checks[c];
			if (n == 1)
				snprintf(checks + len, sizeof(checks) - len, "%s%s", len ? " " : "",
					 ims_lint_checks[c]);
			else if (n > 1)
				snprintf(checks + len, sizeof(checks) - len, "%s%s(%d)",
					 len ? " " : "", ims_lint_checks[c], n);
		}
		if (!b->r->booted) {
			size_t len = strlen(checks);

			snprintf(checks + len, sizeof(checks) - len, "%s(static only: boot failed)",
				 len ? " " : "");
			nr_static++;
		}
		printf("%-*.*s %6d %8d %5d  %s\n", w, w, b->name, b->r->counts[IMS_LINT_ERROR],
		       b->r->counts[IMS_LINT_WARNING], b->r->counts[IMS_LINT_INFO],
		       checks[0] ? checks : "-");
		for (int s = 0; s < IMS_LINT_NR_SEVERITIES; s++)
			tot[s] += b->r->counts[s];
	}
	printf("%-*s %6d %8d %5d  %d board(s), %d not loaded, %d static only\n", w, "total",
	       tot[IMS_LINT_ERROR], tot[IMS_LINT_WARNING], tot[IMS_LINT_INFO], bs->nr, nr_failed,
	       nr_static);
}

static int run(const struct cli_args *a)
{
	const char *const *ovl = NULL;
	int nr_ovl = cli_multi(a, "overlay", &ovl), ret = 0, exit_code = CLI_EXIT_OK;
	bool json = cli_flag(a, "json"), tty = isatty(STDERR_FILENO);
	bool table = cli_flag(a, "summary");
	struct boards bs = { 0 };
	bool several;

	for (int i = 0; i < a->nr_pos && !ret; i++) {
		struct stat st;
		const char *base = strrchr(a->pos[i], '/');

		if (!stat(a->pos[i], &st) && S_ISDIR(st.st_mode)) {
			ret = expand_dir(&bs, a->pos[i], "", 0);
			if (ret) {
				fprintf(stderr, "iommusim lint: %s: %s\n", a->pos[i],
					ims_strerror(ret));
				exit_code = CLI_EXIT_USAGE;
			}
		} else {
			ret = add_board(&bs, a->pos[i], base ? base + 1 : a->pos[i]);
		}
	}
	if (ret) {
		exit_code = CLI_EXIT_USAGE;
		goto out;
	}
	if (!bs.nr) {
		fprintf(stderr, "iommusim lint: no .dtb or .dts board found\n");
		exit_code = CLI_EXIT_USAGE;
		goto out;
	}
	several = bs.nr > 1;
	for (int i = 0; i < bs.nr; i++) {
		struct board *b = &bs.v[i];

		if (tty && several)
			progress(i, bs.nr, b->name);
		b->load_err = ims_lint_board(&b->r, b->path, ovl, nr_ovl);
		if (b->load_err) {
			if (tty && several)
				fprintf(stderr, "\r\033[K");
			fprintf(stderr, "iommusim lint: %s: %s: %s\n", b->name,
				ims_errname(b->load_err), ims_last_error() ? ims_last_error() : "");
			exit_code = CLI_EXIT_USAGE;
			continue;
		}
		if (b->r->counts[IMS_LINT_ERROR] && exit_code == CLI_EXIT_OK)
			exit_code = CLI_EXIT_FOUND;
		if (!json && !table)
			print_text(b, several);
		fflush(stdout);
	}
	if (tty && several) {
		progress(bs.nr, bs.nr, NULL);
		fprintf(stderr, "\r\033[K");
	}
	if (json)
		print_json(&bs);
	else if (several || table)
		print_table(&bs);
out:
	for (int i = 0; i < bs.nr; i++) {
		ims_lint_free(bs.v[i].r);
		free(bs.v[i].path);
		free(bs.v[i].name);
	}
	free(bs.v);
	return exit_code;
}

static const struct cli_opt opts[] = {
	CLI_OVERLAY_OPT,
	{ "json", CLI_FLAG, NULL, "machine-readable output (schema in docs/lint.md)" },
	{ "summary", CLI_FLAG, NULL, "print only the per-board summary table" },
	{ NULL, 0, NULL, NULL },
};

const struct cli_cmd cmd_lint = {
	.name = "lint",
	.summary = "find DMA/IOMMU wiring mistakes in device trees",
	.usage = "BOARD|DIR...",
	.description =
		"Boots each BOARD (a .dts/.dtb; a directory means every .dtb/.dts below it)\nas "
		"Linux 6.12 would, analyses its iommu-map, msi-map, iommus and "
		"dma-ranges\nstatically too, and reports each finding with a stable check name, a "
		"severity,\nthe node, property and device, what Linux does and how to fix it "
		"(docs/lint.md).\nSeveral boards end with a summary table.  Exit status: 0 no "
		"error findings,\n1 some finding has severity error, 2 usage or input error.",
	.opts = opts,
	.min_pos = 1,
	.max_pos = CLI_MAX_POS,
	.run = run,
};
