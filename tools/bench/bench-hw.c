/* SPDX-License-Identifier: MIT */
/* Benchmarks of the hw module. */
#include <stddef.h>

#include "bench.h"

const struct bench_def *const bench_hw[] = { NULL };
