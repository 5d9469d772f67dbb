/* SPDX-License-Identifier: MIT */
/* Benchmarks of the iova module. */
#include <stddef.h>

#include "bench.h"

const struct bench_def *const bench_iova[] = { NULL };
