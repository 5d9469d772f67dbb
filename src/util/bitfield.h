/* SPDX-License-Identifier: MIT */
/*
 * GENMASK / FIELD_PREP / FIELD_GET, as in include/linux/bits.h and
 * include/linux/bitfield.h.  Hardware formats are described with these,
 * never with C bit-fields.
 */
#ifndef IMS_UTIL_BITFIELD_H
#define IMS_UTIL_BITFIELD_H

#include <stdint.h>

#define BIT(n) (1UL << (n))
#define BIT_ULL(n) (1ULL << (n))

#define GENMASK(h, l) ((uint32_t)(((~0U) << (l)) & (~0U >> (31 - (h)))))
#define GENMASK_ULL(h, l) ((uint64_t)(((~0ULL) << (l)) & (~0ULL >> (63 - (h)))))

/* The shift of a constant mask: its lowest set bit. */
#define __bf_shf(mask) ((unsigned int)__builtin_ctzll((uint64_t)(mask)))

#define FIELD_PREP(mask, val)                                                                      \
	((__typeof__(mask))(((uint64_t)(val) << __bf_shf(mask)) & (uint64_t)(mask)))
#define FIELD_GET(mask, reg)                                                                       \
	((__typeof__(mask))(((uint64_t)(reg) & (uint64_t)(mask)) >> __bf_shf(mask)))
/* Does @val fit in @mask? */
#define FIELD_FIT(mask, val) ((((uint64_t)(val) << __bf_shf(mask)) & ~(uint64_t)(mask)) == 0)

/* Replace the field @mask of *@reg with @val. */
#define FIELD_SET(reg, mask, val) ((reg) = ((reg) & ~(mask)) | FIELD_PREP(mask, val))

#endif
