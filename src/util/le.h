/* SPDX-License-Identifier: MIT */
/*
 * Little-endian load and store helpers.  Hardware descriptors (STE, CD,
 * commands, events, PTEs) are arrays of little-endian words in simulated
 * memory; models and drivers access them only through these.
 */
#ifndef IMS_UTIL_LE_H
#define IMS_UTIL_LE_H

#include <endian.h>
#include <stdint.h>
#include <string.h>

static inline uint32_t ims_ld_le32(const void *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static inline uint64_t ims_ld_le64(const void *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

static inline void ims_st_le32(void *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, sizeof(v));
}

static inline void ims_st_le64(void *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, sizeof(v));
}

static inline uint32_t ims_ld_be32(const void *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return be32toh(v);
}

#endif
