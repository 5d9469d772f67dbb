/* SPDX-License-Identifier: MIT */
/* Benchmarks of the pgtable module. */
#include <stddef.h>

#include "bench.h"

const struct bench_def *const bench_pgtable[] = { NULL };
