/* bench-stats.h — what the C benchmarks share: qsort comparators for their
 * samples and the monotonic clock they are timed with. Header only. */
#ifndef MC_BENCH_STATS_H
#define MC_BENCH_STATS_H

#include <stdint.h>
#include <time.h>

/* qsort comparators: int64_t samples (ns or µs) and double ratios. */
static inline int bench_cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* CLOCK_MONOTONIC in ns. */
static inline int64_t bench_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

#endif
