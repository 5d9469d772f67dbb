/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>

#include "util/array.h"

int ims_array_grow(void **arr, int *cap, int need, size_t elem)
{
	void *n;
	int ncap;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 8;
	while (ncap < need)
		ncap *= 2;
	n = realloc(*arr, (size_t)ncap * elem);
	if (!n)
		return -ENOMEM;
	*arr = n;
	*cap = ncap;
	return 0;
}
