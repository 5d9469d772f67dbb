/* SPDX-License-Identifier: MIT */
/* Growable arrays (internal). */
#ifndef IMS_UTIL_ARRAY_H
#define IMS_UTIL_ARRAY_H

#include <stddef.h>

/*
 * Make *@arr (of *@cap elements of @elem bytes) hold at least @need
 * elements, doubling from 8.  Return: 0, or -ENOMEM with *@arr unchanged.
 */
int ims_array_grow(void **arr, int *cap, int need, size_t elem);

#endif
