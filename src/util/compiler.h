/* SPDX-License-Identifier: MIT */
/* Small compiler helpers shared by every module (internal). */
#ifndef IMS_UTIL_COMPILER_H
#define IMS_UTIL_COMPILER_H

#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define container_of(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define IMS_MIN(a, b) ((a) < (b) ? (a) : (b))
#define IMS_MAX(a, b) ((a) > (b) ? (a) : (b))

#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a)-1)) == 0)
#define ALIGN_UP(x, a) (((x) + ((__typeof__(x))(a)-1)) & ~((__typeof__(x))(a)-1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))

static inline int ims_is_power_of_2(uint64_t x)
{
	return x && !(x & (x - 1));
}

/* ilog2 of a non-zero value; callers guarantee x != 0. */
static inline unsigned int ims_ilog2(uint64_t x)
{
	return 63u - (unsigned int)__builtin_clzll(x);
}

/* DMA_BIT_MASK(n) as in include/linux/dma-mapping.h. */
#define DMA_BIT_MASK(n) (((n) == 64) ? ~0ULL : ((1ULL << (n)) - 1))

#endif
