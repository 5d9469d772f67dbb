/* SPDX-License-Identifier: MIT */
/* Size constants, as include/linux/sizes.h (internal). */
#ifndef IMS_UTIL_SIZES_H
#define IMS_UTIL_SIZES_H

#define SZ_4K 0x1000ULL
#define SZ_16K 0x4000ULL
#define SZ_64K 0x10000ULL
#define SZ_2M 0x200000ULL
#define SZ_32M 0x2000000ULL
#define SZ_512M 0x20000000ULL
#define SZ_1G 0x40000000ULL
#define SZ_2G 0x80000000ULL

#endif
