/* SPDX-License-Identifier: MIT */
/* Internal state of a loaded device tree (src/of). */
#ifndef IMS_OF_PRIVATE_H
#define IMS_OF_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <iommusim/of.h>

/* Sorted phandle → node-index pair of the load-time index. */
struct of_phandle_ent {
	uint32_t phandle;
	int idx;
};

struct ims_of_tree {
	void *blob;
	size_t size;
	char *name;
	struct ims_log log;
	bool has_log;
	/* Index, depth-first order (ascending offsets). */
	int nr_nodes;
	int *offset;
	int *parent; /* node index of the parent, -1 for the root */
	int *depth;
	struct of_phandle_ent *phandles;
	int nr_phandles;
};

/* Node index of @node, or -1 when @node is not a node of @tree. */
int of_node_index(const struct ims_of_tree *tree, int node);

/* Full path of @node into @buf, as %pOF. */
static inline char *of_path(const struct ims_of_tree *tree, int node, char *buf, size_t len)
{
	return ims_of_node_path(tree, node, buf, len);
}

/* of_node_name_eq() / of_node_is_type(). */
bool of_node_name_eq(const struct ims_of_tree *tree, int node, const char *name);
bool of_node_is_type(const struct ims_of_tree *tree, int node, const char *type);

static inline const struct ims_log *of_log(const struct ims_of_tree *tree)
{
	return tree->has_log ? &tree->log : NULL;
}

/* Kernel-style of_read_number(): fold @size big-endian cells into a u64. */
static inline uint64_t of_read_number(const uint32_t *cell, int size)
{
	uint64_t r = 0;
	const uint8_t *p = (const uint8_t *)cell;

	for (int i = 0; i < size; i++, p += 4)
		r = (r << 32) |
		    ((uint64_t)p[0] << 24 | (uint64_t)p[1] << 16 | (uint64_t)p[2] << 8 | p[3]);
	return r;
}

static inline uint32_t of_be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static inline void of_put_be32(void *p, uint32_t v)
{
	uint8_t *b = p;

	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

#define OF_PATH_MAX 512

#endif
