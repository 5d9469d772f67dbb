/* SPDX-License-Identifier: MIT */
/*
 * Loading, validating and indexing a flattened device tree, and the node and
 * property accessors of drivers/of/base.c and drivers/of/property.c (v6.12).
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libfdt.h>

#include "of/of-private.h"
#include "util/compiler.h"
#include "util/log.h"

extern char **environ;

/* Room added for overlays beyond the sum of the two blobs' sizes. */
#define OVERLAY_SLACK 4096
/* Bytes of dtc's stderr quoted in an error message. */
#define DTC_MSG_MAX 600

/* ---- reading files and running dtc ---------------------------------------- */

static int read_fd(int fd, const char *name, void **out, size_t *size)
{
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap);

	if (!buf)
		return ims_error(-ENOMEM, "%s: out of memory", name);
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *nb;

			if (cap >= IMS_OF_MAX_BLOB_SIZE) {
				free(buf);
				return ims_error(-IMS_ELIMIT, "%s: larger than the %u-byte limit",
						 name, IMS_OF_MAX_BLOB_SIZE);
			}
			cap *= 2;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				return ims_error(-ENOMEM, "%s: out of memory", name);
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			int e = errno;

			if (e == EINTR)
				continue;
			free(buf);
			return ims_error(-e, "%s: read failed: %s", name, strerror(e));
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*out = buf;
	*size = len;
	return 0;
}

static int read_file(const char *path, void **out, size_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0) {
		int e = errno;

		return ims_error(-e, "%s: cannot open: %s", path, strerror(e));
	}
	ret = read_fd(fd, path, out, size);
	close(fd);
	return ret;
}

/* Quote dtc's stderr on one line. */
static void squash(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
	for (char *p = s; *p; p++)
		if (*p == '\n')
			*p = ';';
}

/*
 * Compile @path with dtc (no shell: posix_spawnp with an argv).  stdout is the
 * blob; stderr goes to an anonymous temporary file so neither pipe can block.
 */
static int run_dtc(const char *path, bool symbols, void **out, size_t *size)
{
	const char *dtc = getenv("IMS_DTC");
	char *argv[10];
	int argc = 0, pipefd[2], status, ret;
	posix_spawn_file_actions_t fa;
	FILE *err;
	pid_t pid;

	if (!dtc || !*dtc)
		dtc = "dtc";
	argv[argc++] = (char *)(uintptr_t) "dtc";
	argv[argc++] = (char *)(uintptr_t) "-q";
	argv[argc++] = (char *)(uintptr_t) "-I";
	argv[argc++] = (char *)(uintptr_t) "dts";
	argv[argc++] = (char *)(uintptr_t) "-O";
	argv[argc++] = (char *)(uintptr_t) "dtb";
	if (symbols)
		argv[argc++] = (char *)(uintptr_t) "-@";
	argv[argc++] = (char *)(uintptr_t)path;
	argv[argc] = NULL;

	err = tmpfile();
	if (!err)
		return ims_error(-errno, "%s: cannot create a temporary file for dtc", path);
	if (pipe2(pipefd, O_CLOEXEC)) {
		ret = -errno;
		fclose(err);
		return ims_error(ret, "%s: pipe: %s", path, strerror(-ret));
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, fileno(err), STDERR_FILENO);
	ret = posix_spawnp(&pid, dtc, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (ret) {
		close(pipefd[0]);
		fclose(err);
		return ims_error(-IMS_ETOOL, "%s: cannot run %s: %s", path, dtc, strerror(ret));
	}
	ret = read_fd(pipefd[0], path, out, size);
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!ret && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
		char msg[DTC_MSG_MAX + 1];
		size_t n;

		free(*out);
		*out = NULL;
		rewind(err);
		n = fread(msg, 1, DTC_MSG_MAX, err);
		msg[n] = '\0';
		squash(msg);
		/* Some posix_spawn()s (and valgrind) report a failed exec as status 127. */
		if (!n && WIFEXITED(status) && WEXITSTATUS(status) == 127)
			ret = ims_error(-IMS_ETOOL, "%s: cannot run %s: exit status 127", path,
					dtc);
		else
			ret = ims_error(-IMS_ETOOL, "%s: dtc failed: %s", path,
					n ? msg : "(no message)");
	}
	fclose(err);
	return ret;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

/* Read a .dtb/.dtbo or compile a .dts/.dtso into a raw (unvalidated) blob. */
static int load_raw(const char *path, bool overlay, void **out, size_t *size)
{
	int ret;

	if (has_suffix(path, ".dts") || has_suffix(path, ".dtso"))
		return run_dtc(path, true, out, size);
	ret = read_file(path, out, size);
	if (ret)
		return ret;
	/* A text source under another name: compile it too. */
	if (*size >= 8 && !memcmp(*out, "/dts-v1/", 8)) {
		free(*out);
		*out = NULL;
		return run_dtc(path, true, out, size);
	}
	(void)overlay;
	return 0;
}

/* ---- validation and the index ------------------------------------------------ */

/*
 * libfdt 1.6.1's fdt_next_tag() adds a property's length to the offset as a
 * signed int: a length of 0xfffffff4 (-12) makes the "next" tag the same one,
 * and fdt_check_full() then loops forever.  Walk the structure block once
 * (each step moves forward by at least one tag) and reject a property whose
 * value would run past its end before libfdt sees it.  Anything else odd is
 * left for fdt_check_full() to report.  Called after fdt_check_header().
 */
static int check_prop_lengths(const void *blob, const char *name)
{
	const uint8_t *s = (const uint8_t *)blob + fdt_off_dt_struct(blob);
	/* 64-bit offsets: an aligned step past the end must not wrap around. */
	uint64_t end = fdt_version(blob) >= 17 ? fdt_size_dt_struct(blob)
					       : fdt_totalsize(blob) - fdt_off_dt_struct(blob);
	uint64_t off = 0;

	while (off + FDT_TAGSIZE <= end) {
		uint32_t tag = of_be32(s + off), len;
		const uint8_t *nul;

		off += FDT_TAGSIZE;
		switch (tag) {
		case FDT_BEGIN_NODE:
			nul = memchr(s + off, 0, end - off);
			if (!nul)
				return 0;
			off = ALIGN_UP((uint64_t)(nul - s) + 1, FDT_TAGSIZE);
			break;
		case FDT_PROP:
			if (off + 8 > end)
				return 0;
			len = of_be32(s + off);
			if (len > end - off - 8)
				return ims_error(
					-IMS_EBADDTB,
					"%s: malformed device tree blob: property at "
					"structure offset 0x%x has length 0x%x, past the end "
					"of the structure block",
					name, (unsigned int)(off - FDT_TAGSIZE), len);
			off += 8;
			/* Before version 16, values of 8 bytes or more are 8-aligned. */
			if (fdt_version(blob) < 0x10 && len >= 8 &&
			    !IS_ALIGNED(fdt_off_dt_struct(blob) + off, 8))
				off += 4;
			off = ALIGN_UP(off + len, FDT_TAGSIZE);
			break;
		case FDT_END_NODE:
		case FDT_NOP:
			break;
		default: /* FDT_END, or a bad tag fdt_check_full() reports */
			return 0;
		}
	}
	return 0;
}

static int check_blob(const void *blob, size_t size, const char *name)
{
	int ret;

	if (size < sizeof(struct fdt_header))
		return ims_error(-IMS_EBADDTB,
				 "%s: truncated: %zu bytes, shorter than an FDT header", name,
				 size);
	if (fdt_magic(blob) != FDT_MAGIC)
		return ims_error(-IMS_EBADDTB, "%s: bad magic 0x%08x (not a flattened device tree)",
				 name, fdt_magic(blob));
	if (fdt_totalsize(blob) > IMS_OF_MAX_BLOB_SIZE)
		return ims_error(-IMS_ELIMIT, "%s: totalsize %u exceeds the %u-byte limit", name,
				 fdt_totalsize(blob), IMS_OF_MAX_BLOB_SIZE);
	if (fdt_totalsize(blob) > size)
		return ims_error(-IMS_EBADDTB, "%s: truncated: header says %u bytes, file has %zu",
				 name, fdt_totalsize(blob), size);
	ret = fdt_check_header(blob);
	if (!ret && check_prop_lengths(blob, name))
		return -IMS_EBADDTB;
	if (!ret && fdt_version(blob) < 0x10) {
		/*
		 * Before version 16 node names are full paths.  libfdt 1.6.1's
		 * fdt_check_full() dereferences the NULL that fdt_get_name()
		 * returns for a root whose name has no '/': check it first.
		 */
		int root = fdt_next_node(blob, -1, NULL);

		if (root >= 0 && !fdt_get_name(blob, root, NULL))
			return ims_error(-IMS_EBADDTB,
					 "%s: malformed device tree blob: version %u root node "
					 "name is not a path",
					 name, fdt_version(blob));
	}
	if (!ret)
		ret = fdt_check_full(blob, size);
	if (ret)
		return ims_error(-IMS_EBADDTB, "%s: malformed device tree blob: %s", name,
				 fdt_strerror(ret));
	return 0;
}

static int cmp_phandle(const void *a, const void *b)
{
	const struct of_phandle_ent *x = a, *y = b;

	if (x->phandle != y->phandle)
		return x->phandle < y->phandle ? -1 : 1;
	return x->idx - y->idx;
}

static void free_index(struct ims_of_tree *t)
{
	free(t->offset);
	free(t->parent);
	free(t->depth);
	free(t->phandles);
	t->offset = t->parent = t->depth = NULL;
	t->phandles = NULL;
	t->nr_nodes = t->nr_phandles = 0;
}

/* Linux's unflatten: the first "phandle" or "linux,phandle" property wins. */
static uint32_t node_phandle(const void *blob, int off)
{
	int prop;

	fdt_for_each_property_offset(prop, blob, off)
	{
		const char *pname;
		int len;
		const fdt32_t *val = fdt_getprop_by_offset(blob, prop, &pname, &len);

		if (!val || (strcmp(pname, "phandle") && strcmp(pname, "linux,phandle")))
			continue;
		if (len < 4)
			return 0;
		return fdt32_to_cpu(*val);
	}
	return 0;
}

static int build_index(struct ims_of_tree *t)
{
	int stack[IMS_OF_MAX_DEPTH + 1];
	int cap = 256, n = 0, depth = 0, off = 0, np = 0;
	char path[OF_PATH_MAX], other[OF_PATH_MAX];

	free_index(t);
	t->offset = malloc(sizeof(int) * (size_t)cap);
	t->parent = malloc(sizeof(int) * (size_t)cap);
	t->depth = malloc(sizeof(int) * (size_t)cap);
	if (!t->offset || !t->parent || !t->depth)
		goto nomem;
	for (off = 0; off >= 0; off = fdt_next_node(t->blob, off, &depth)) {
		if (depth < 0)
			break;
		if (depth > IMS_OF_MAX_DEPTH) {
			t->nr_nodes = n;
			return ims_error(-IMS_ELIMIT,
					 "%s: node %s: nested deeper than the limit of %d levels",
					 t->name,
					 ims_of_node_path(t, t->offset[stack[depth - 1]], path,
							  sizeof(path)),
					 IMS_OF_MAX_DEPTH);
		}
		if (n == IMS_OF_MAX_NODES) {
			t->nr_nodes = n;
			return ims_error(-IMS_ELIMIT, "%s: more than %d nodes", t->name,
					 IMS_OF_MAX_NODES);
		}
		if (n == cap) {
			int *a, *b, *c;

			cap *= 2;
			a = realloc(t->offset, sizeof(int) * (size_t)cap);
			if (a)
				t->offset = a;
			b = realloc(t->parent, sizeof(int) * (size_t)cap);
			if (b)
				t->parent = b;
			c = realloc(t->depth, sizeof(int) * (size_t)cap);
			if (c)
				t->depth = c;
			if (!a || !b || !c)
				goto nomem;
		}
		t->offset[n] = off;
		t->depth[n] = depth;
		t->parent[n] = depth ? stack[depth - 1] : -1;
		stack[depth] = n;
		if (node_phandle(t->blob, off))
			np++;
		n++;
	}
	if (off < 0 && off != -FDT_ERR_NOTFOUND)
		return ims_error(-IMS_EBADDTB, "%s: malformed structure block: %s", t->name,
				 fdt_strerror(off));
	t->nr_nodes = n;
	t->phandles = malloc(sizeof(*t->phandles) * (size_t)(np ? np : 1));
	if (!t->phandles)
		goto nomem;
	for (int i = 0; i < n; i++) {
		uint32_t ph = node_phandle(t->blob, t->offset[i]);

		if (ph && ph != 0xffffffffu)
			t->phandles[t->nr_phandles++] = (struct of_phandle_ent){ ph, i };
	}
	qsort(t->phandles, (size_t)t->nr_phandles, sizeof(*t->phandles), cmp_phandle);
	for (int i = 1; i < t->nr_phandles; i++)
		if (t->phandles[i].phandle == t->phandles[i - 1].phandle)
			return ims_error(-IMS_EBADDTB,
					 "%s: duplicate phandle 0x%x on nodes %s and %s", t->name,
					 t->phandles[i].phandle,
					 ims_of_node_path(t, t->offset[t->phandles[i - 1].idx],
							  other, sizeof(other)),
					 ims_of_node_path(t, t->offset[t->phandles[i].idx], path,
							  sizeof(path)));
	return 0;
nomem:
	return ims_error(-ENOMEM, "%s: out of memory indexing the tree", t->name);
}

int of_node_index(const struct ims_of_tree *t, int node)
{
	int lo = 0, hi = t->nr_nodes - 1;

	if (node < 0)
		return -1;
	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;

		if (t->offset[mid] == node)
			return mid;
		if (t->offset[mid] < node)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* ---- overlays ----------------------------------------------------------------- */

/* Explain why an overlay failed: look for a fragment whose target is missing. */
static void explain_overlay(const void *base, const void *ovl, char *buf, size_t len)
{
	int frag, symbols = fdt_path_offset(base, "/__symbols__");
	int fixups = fdt_path_offset(ovl, "/__fixups__");

	buf[0] = '\0';
	fdt_for_each_subnode(frag, ovl, 0)
	{
		const char *fname = fdt_get_name(ovl, frag, NULL);
		const char *tpath;
		int plen, prop;

		if (!fname || fdt_subnode_offset(ovl, frag, "__overlay__") < 0)
			continue;
		tpath = fdt_getprop(ovl, frag, "target-path", &plen);
		if (tpath) {
			if (plen < 1 || tpath[plen - 1] || fdt_path_offset(base, tpath) < 0) {
				snprintf(buf, len, "%s: target-path \"%.*s\" not found in the base",
					 fname, plen > 0 ? plen : 0, tpath);
				return;
			}
			continue;
		}
		if (!fdt_getprop(ovl, frag, "target", &plen)) {
			snprintf(buf, len, "%s: has neither target nor target-path", fname);
			return;
		}
		/* A phandle given as a number (no fixup: not 0xffffffff) must exist in the base. */
		if (plen == 4) {
			uint32_t ph = fdt32_ld(fdt_getprop(ovl, frag, "target", NULL));

			if (ph != 0xffffffffu && fdt_node_offset_by_phandle(base, ph) < 0) {
				snprintf(buf, len, "%s: target phandle 0x%x not found in the base",
					 fname, ph);
				return;
			}
		}
		/* A label reference is listed in __fixups__ as "<label> = "/<frag>:target:0"". */
		if (fixups < 0)
			continue;
		fdt_for_each_property_offset(prop, ovl, fixups)
		{
			const char *label, *val;
			int vlen;
			char want[256];

			val = fdt_getprop_by_offset(ovl, prop, &label, &vlen);
			if (!val)
				continue;
			snprintf(want, sizeof(want), "/%s:target:", fname);
			for (int i = 0; i < vlen;
			     i += (int)strnlen(val + i, (size_t)(vlen - i)) + 1) {
				if (strncmp(val + i, want, strlen(want)))
					continue;
				if (symbols < 0) {
					snprintf(buf, len,
						 "%s: target label '%s' cannot be resolved: the "
						 "base "
						 "has no __symbols__ (compile it with dtc -@, or "
						 "target by path with &{/path})",
						 fname, label);
					return;
				}
				if (!fdt_getprop(base, symbols, label, NULL)) {
					snprintf(buf, len,
						 "%s: target label '%s' not found in the base's "
						 "__symbols__",
						 fname, label);
					return;
				}
			}
		}
	}
	if (fixups >= 0 && symbols < 0)
		snprintf(buf, len,
			 "it references labels (__fixups__) but the base has no __symbols__");
}

static int apply_overlay(struct ims_of_tree *t, const void *dtbo, size_t osize, const char *name)
{
	size_t cap;
	void *base = NULL, *ovl = NULL;
	int ret;

	ret = check_blob(dtbo, osize, name);
	if (ret)
		return ret;
	cap = (size_t)fdt_totalsize(t->blob) + fdt_totalsize(dtbo) + OVERLAY_SLACK;
	for (;;) {
		char why[512];

		if (cap > IMS_OF_MAX_BLOB_SIZE)
			return ims_error(-IMS_ELIMIT,
					 "overlay %s: result exceeds the %u-byte limit", name,
					 IMS_OF_MAX_BLOB_SIZE);
		base = malloc(cap);
		ovl = malloc(fdt_totalsize(dtbo));
		if (!base || !ovl) {
			free(base);
			free(ovl);
			return ims_error(-ENOMEM, "overlay %s: out of memory", name);
		}
		memcpy(ovl, dtbo, fdt_totalsize(dtbo));
		ret = fdt_open_into(t->blob, base, (int)cap);
		if (!ret)
			ret = fdt_overlay_apply(base, ovl);
		if (ret == -FDT_ERR_NOSPACE) {
			free(base);
			free(ovl);
			cap *= 2;
			continue;
		}
		if (ret) {
			explain_overlay(t->blob, dtbo, why, sizeof(why));
			free(base);
			free(ovl);
			return ims_error(-IMS_EOVERLAY, "overlay %s: cannot apply to %s: %s%s%s",
					 name, t->name, fdt_strerror(ret), why[0] ? ": " : "", why);
		}
		break;
	}
	free(ovl);
	fdt_pack(base);
	free(t->blob);
	t->blob = base;
	t->size = fdt_totalsize(base);
	ret = check_blob(t->blob, t->size, name);
	if (ret)
		return ret;
	return build_index(t);
}

/* ---- public: load / free -------------------------------------------------------- */

static int tree_from_raw(struct ims_of_tree **out, void *raw, size_t size, const char *name)
{
	struct ims_of_tree *t;
	int ret;

	ret = check_blob(raw, size, name);
	if (ret) {
		free(raw);
		return ret;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		free(raw);
		return ims_error(-ENOMEM, "%s: out of memory", name);
	}
	t->blob = raw;
	t->size = fdt_totalsize(raw);
	t->name = strdup(name);
	if (!t->name) {
		ims_of_tree_free(t);
		return ims_error(-ENOMEM, "%s: out of memory", name);
	}
	ret = build_index(t);
	if (ret) {
		ims_of_tree_free(t);
		return ret;
	}
	*out = t;
	return 0;
}

IMS_EXPORT int ims_of_tree_load_blob(struct ims_of_tree **out, const void *blob, size_t size,
				     const char *name)
{
	void *copy;

	if (!out || (!blob && size) || !name)
		return ims_error(-EINVAL, "ims_of_tree_load_blob: bad arguments");
	*out = NULL;
	if (size > IMS_OF_MAX_BLOB_SIZE)
		return ims_error(-IMS_ELIMIT, "%s: %zu bytes exceeds the %u-byte limit", name, size,
				 IMS_OF_MAX_BLOB_SIZE);
	copy = malloc(size ? size : 1);
	if (!copy)
		return ims_error(-ENOMEM, "%s: out of memory", name);
	if (size)
		memcpy(copy, blob, size);
	return tree_from_raw(out, copy, size, name);
}

IMS_EXPORT int ims_of_tree_apply_overlay_blob(struct ims_of_tree *tree, const void *dtbo,
					      size_t size, const char *name)
{
	void *saved, *copy;
	int ret;

	if (!tree || !dtbo || !name)
		return ims_error(-EINVAL, "ims_of_tree_apply_overlay_blob: bad arguments");
	if (size > IMS_OF_MAX_BLOB_SIZE)
		return ims_error(-IMS_ELIMIT, "overlay %s: %zu bytes exceeds the %u-byte limit",
				 name, size, IMS_OF_MAX_BLOB_SIZE);
	/* libfdt reads the header as a struct: work on an aligned copy. */
	copy = malloc(size ? size : 1);
	saved = malloc(tree->size);
	if (!saved || !copy) {
		free(copy);
		free(saved);
		return ims_error(-ENOMEM, "overlay %s: out of memory", name);
	}
	memcpy(copy, dtbo, size);
	memcpy(saved, tree->blob, tree->size);
	ret = apply_overlay(tree, copy, size, name);
	free(copy);
	if (ret) {
		int keep = ret;
		char msg[1024];

		/* Restore the base so the tree stays usable. */
		snprintf(msg, sizeof(msg), "%s", ims_last_error());
		free(tree->blob);
		tree->blob = saved;
		tree->size = fdt_totalsize(saved);
		build_index(tree);
		return ims_error(keep, "%s", msg);
	}
	free(saved);
	return 0;
}

IMS_EXPORT int ims_of_tree_load(struct ims_of_tree **out, const char *path,
				const char *const *overlays, int nr_overlays)
{
	struct ims_of_tree *t = NULL;
	void *raw;
	size_t size;
	int ret;

	if (!out || !path || nr_overlays < 0 || (nr_overlays && !overlays))
		return ims_error(-EINVAL, "ims_of_tree_load: bad arguments");
	*out = NULL;
	if (nr_overlays > IMS_OF_MAX_OVERLAYS)
		return ims_error(-IMS_ELIMIT, "%s: %d overlays exceed the limit of %d", path,
				 nr_overlays, IMS_OF_MAX_OVERLAYS);
	ret = load_raw(path, false, &raw, &size);
	if (ret)
		return ret;
	ret = tree_from_raw(&t, raw, size, path);
	if (ret)
		return ret;
	for (int i = 0; i < nr_overlays; i++) {
		ret = load_raw(overlays[i], true, &raw, &size);
		if (!ret) {
			ret = apply_overlay(t, raw, size, overlays[i]);
			free(raw);
		}
		if (ret) {
			ims_of_tree_free(t);
			return ret;
		}
	}
	*out = t;
	return 0;
}

IMS_EXPORT void ims_of_tree_free(struct ims_of_tree *tree)
{
	if (!tree)
		return;
	free_index(tree);
	free(tree->blob);
	free(tree->name);
	free(tree);
}

IMS_EXPORT const void *ims_of_tree_blob(const struct ims_of_tree *tree, size_t *size)
{
	if (size)
		*size = tree->size;
	return tree->blob;
}

IMS_EXPORT const char *ims_of_tree_name(const struct ims_of_tree *tree)
{
	return tree->name;
}

IMS_EXPORT void ims_of_tree_set_log(struct ims_of_tree *tree, const struct ims_log *log)
{
	tree->has_log = log != NULL;
	if (log)
		tree->log = *log;
}

/* ---- nodes ---------------------------------------------------------------------- */

IMS_EXPORT int ims_of_nr_nodes(const struct ims_of_tree *tree)
{
	return tree->nr_nodes;
}

IMS_EXPORT int ims_of_node_by_index(const struct ims_of_tree *tree, int idx)
{
	if (idx < 0 || idx >= tree->nr_nodes)
		return IMS_OF_NONE;
	return tree->offset[idx];
}

IMS_EXPORT int ims_of_find_node_by_path(const struct ims_of_tree *tree, const char *path)
{
	int off;

	if (!path || !*path)
		return IMS_OF_NONE;
	off = fdt_path_offset(tree->blob, path);
	return off < 0 ? IMS_OF_NONE : off;
}

IMS_EXPORT int ims_of_find_node_by_phandle(const struct ims_of_tree *tree, uint32_t phandle)
{
	int lo = 0, hi = tree->nr_phandles - 1;

	if (!phandle)
		return IMS_OF_NONE;
	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;

		if (tree->phandles[mid].phandle == phandle)
			return tree->offset[tree->phandles[mid].idx];
		if (tree->phandles[mid].phandle < phandle)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return IMS_OF_NONE;
}

IMS_EXPORT uint32_t ims_of_get_phandle(const struct ims_of_tree *tree, int node)
{
	if (of_node_index(tree, node) < 0)
		return 0;
	return node_phandle(tree->blob, node);
}

IMS_EXPORT int ims_of_get_parent(const struct ims_of_tree *tree, int node)
{
	int i = of_node_index(tree, node);

	if (i < 0 || tree->parent[i] < 0)
		return IMS_OF_NONE;
	return tree->offset[tree->parent[i]];
}

IMS_EXPORT int ims_of_node_depth(const struct ims_of_tree *tree, int node)
{
	int i = of_node_index(tree, node);

	return i < 0 ? -EINVAL : tree->depth[i];
}

IMS_EXPORT int ims_of_first_child(const struct ims_of_tree *tree, int node)
{
	int off;

	if (of_node_index(tree, node) < 0)
		return IMS_OF_NONE;
	off = fdt_first_subnode(tree->blob, node);
	return off < 0 ? IMS_OF_NONE : off;
}

IMS_EXPORT int ims_of_next_sibling(const struct ims_of_tree *tree, int node)
{
	int off;

	if (of_node_index(tree, node) <= 0)
		return IMS_OF_NONE;
	off = fdt_next_subnode(tree->blob, node);
	return off < 0 ? IMS_OF_NONE : off;
}

IMS_EXPORT const char *ims_of_node_name(const struct ims_of_tree *tree, int node)
{
	const char *n;

	if (of_node_index(tree, node) < 0)
		return "(null)";
	n = fdt_get_name(tree->blob, node, NULL);
	return n ? n : "(null)";
}

IMS_EXPORT char *ims_of_node_path(const struct ims_of_tree *tree, int node, char *buf, size_t len)
{
	int chain[IMS_OF_MAX_DEPTH + 1], n = 0, i = of_node_index(tree, node);
	size_t pos = 0;

	if (!len)
		return buf;
	if (i < 0) {
		snprintf(buf, len, "(null)");
		return buf;
	}
	if (i == 0) {
		snprintf(buf, len, "/");
		return buf;
	}
	for (; i > 0 && n < (int)ARRAY_SIZE(chain); i = tree->parent[i])
		chain[n++] = i;
	buf[0] = '\0';
	while (n-- > 0 && pos + 1 < len) {
		const char *name = fdt_get_name(tree->blob, tree->offset[chain[n]], NULL);
		int w = snprintf(buf + pos, len - pos, "/%s", name ? name : "?");

		if (w < 0)
			break;
		pos += (size_t)w;
	}
	return buf;
}

bool of_node_name_eq(const struct ims_of_tree *tree, int node, const char *name)
{
	const char *n = ims_of_node_name(tree, node);
	size_t len = strcspn(n, "@");

	return strlen(name) == len && !strncmp(n, name, len);
}

/* of_node_is_type(): device_type equals @type (strcmp, as __of_node_is_type). */
bool of_node_is_type(const struct ims_of_tree *tree, int node, const char *type)
{
	int len;
	const char *t = ims_of_get_property(tree, node, "device_type", &len);

	return t && len > 0 && strnlen(t, (size_t)len) < (size_t)len && !strcmp(t, type);
}

IMS_EXPORT const void *ims_of_get_property(const struct ims_of_tree *tree, int node,
					   const char *name, int *lenp)
{
	const void *v;
	int len = 0;

	if (of_node_index(tree, node) < 0) {
		if (lenp)
			*lenp = 0;
		return NULL;
	}
	v = fdt_getprop(tree->blob, node, name, &len);
	if (lenp)
		*lenp = v ? len : 0;
	return v;
}

IMS_EXPORT int ims_of_property_read_u32(const struct ims_of_tree *tree, int node, const char *name,
					uint32_t *val)
{
	int len;
	const void *v = ims_of_get_property(tree, node, name, &len);

	if (!v)
		return -EINVAL;
	if (len < 4)
		return -EOVERFLOW;
	*val = of_be32(v);
	return 0;
}

IMS_EXPORT int ims_of_property_match_string(const struct ims_of_tree *tree, int node,
					    const char *name, const char *str)
{
	int len;
	const char *p = ims_of_get_property(tree, node, name, &len);
	const char *end;

	if (!p)
		return -EINVAL;
	end = p + len;
	for (int i = 0; p < end; i++) {
		size_t l = strnlen(p, (size_t)(end - p)) + 1;

		if (p + l > end) {
			char path[OF_PATH_MAX];

			return ims_error(-EILSEQ, "%s: node %s: property %s is not NUL-terminated",
					 tree->name,
					 ims_of_node_path(tree, node, path, sizeof(path)), name);
		}
		if (!strcmp(str, p))
			return i;
		p += l;
	}
	return -ENODATA;
}

IMS_EXPORT bool ims_of_device_is_compatible(const struct ims_of_tree *tree, int node,
					    const char *compat)
{
	int len;
	const char *p = ims_of_get_property(tree, node, "compatible", &len);
	const char *end;

	if (!p || !compat)
		return false;
	for (end = p + len; p < end;) {
		size_t l = strnlen(p, (size_t)(end - p));

		if (p + l == end)
			return false; /* unterminated */
		if (!strcasecmp(p, compat))
			return true;
		p += l + 1;
	}
	return false;
}

static bool status_is(const char *status, int len, const char *want)
{
	size_t n = strlen(want) + 1;

	return len >= (int)n && !memcmp(status, want, n);
}

IMS_EXPORT bool ims_of_device_is_available(const struct ims_of_tree *tree, int node)
{
	int len;
	const char *status;

	if (of_node_index(tree, node) < 0)
		return false;
	status = ims_of_get_property(tree, node, "status", &len);
	if (!status)
		return true;
	return len > 0 && (status_is(status, len, "okay") || status_is(status, len, "ok"));
}

IMS_EXPORT int ims_of_bus_n_addr_cells(const struct ims_of_tree *tree, int node)
{
	uint32_t cells;

	for (int i = 0; node != IMS_OF_NONE && i <= IMS_OF_MAX_DEPTH;
	     i++, node = ims_of_get_parent(tree, node))
		if (!ims_of_property_read_u32(tree, node, "#address-cells", &cells))
			return (int)cells;
	return 1; /* OF_ROOT_NODE_ADDR_CELLS_DEFAULT */
}

IMS_EXPORT int ims_of_bus_n_size_cells(const struct ims_of_tree *tree, int node)
{
	uint32_t cells;

	for (int i = 0; node != IMS_OF_NONE && i <= IMS_OF_MAX_DEPTH;
	     i++, node = ims_of_get_parent(tree, node))
		if (!ims_of_property_read_u32(tree, node, "#size-cells", &cells))
			return (int)cells;
	return 1; /* OF_ROOT_NODE_SIZE_CELLS_DEFAULT */
}

IMS_EXPORT int ims_of_n_addr_cells(const struct ims_of_tree *tree, int node)
{
	int parent = ims_of_get_parent(tree, node);

	return ims_of_bus_n_addr_cells(tree, parent != IMS_OF_NONE ? parent : node);
}

IMS_EXPORT int ims_of_n_size_cells(const struct ims_of_tree *tree, int node)
{
	int parent = ims_of_get_parent(tree, node);

	return ims_of_bus_n_size_cells(tree, parent != IMS_OF_NONE ? parent : node);
}
