/* SPDX-License-Identifier: MIT */
/*
 * A tiny TAP producer for meson's 'tap' protocol.  Every assertion prints
 * "ok N - name" or "not ok N - name" plus a diagnostic of what differed.
 *
 *   int main(void) { is_int(f(), 0, "f works"); return tap_done(); }
 */
#ifndef IMS_TESTS_TAP_H
#define IMS_TESTS_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

__attribute__((format(printf, 2, 3), unused)) static bool ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		tap_failed++;
	fflush(stdout);
	return cond;
}

__attribute__((format(printf, 1, 2), unused)) static void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

#define is_int(got, want, ...)                                                                     \
	do {                                                                                       \
		long long g_ = (long long)(got), w_ = (long long)(want);                           \
		if (!ok(g_ == w_, __VA_ARGS__))                                                    \
			diag("  %s: got %lld, want %lld", #got, g_, w_);                           \
	} while (0)

#define is_hex(got, want, ...)                                                                     \
	do {                                                                                       \
		unsigned long long g_ = (unsigned long long)(got),                                 \
				   w_ = (unsigned long long)(want);                                \
		if (!ok(g_ == w_, __VA_ARGS__))                                                    \
			diag("  %s: got 0x%llx, want 0x%llx", #got, g_, w_);                       \
	} while (0)

#define is_str(got, want, ...)                                                                     \
	do {                                                                                       \
		const char *g_ = (got), *w_ = (want);                                              \
		if (!ok(g_ && w_ && !strcmp(g_, w_), __VA_ARGS__))                                 \
			diag("  %s: got \"%s\", want \"%s\"", #got, g_ ? g_ : "(null)",            \
			     w_ ? w_ : "(null)");                                                  \
	} while (0)

/* Print the plan and return the exit status (non-zero when anything failed). */
__attribute__((unused)) static int tap_done(void)
{
	printf("1..%d\n", tap_n);
	if (tap_failed)
		printf("# %d of %d failed\n", tap_failed, tap_n);
	return tap_failed ? 1 : 0;
}

/* Seeded randomness for randomised tests: IMS_TEST_SEED overrides; the seed is printed. */
#include <stdlib.h>
__attribute__((unused)) static uint64_t tap_seed(uint64_t dflt)
{
	const char *s = getenv("IMS_TEST_SEED");
	uint64_t seed = s ? strtoull(s, NULL, 0) : dflt;

	diag("seed 0x%" PRIx64 " (set IMS_TEST_SEED to replay)", seed);
	return seed ? seed : 1;
}

__attribute__((unused)) static uint64_t tap_rand(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

#endif
