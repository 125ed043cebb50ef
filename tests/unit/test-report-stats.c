/* test-report-stats.c — the report's statistics and period helpers, on
 * hand-checked sets: median of odd and even counts, P90 by nearest rank,
 * unsorted input, one value, none. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report.h"

static void test_empty(void **state)
{
	struct mc_report_stats s;
	mc_report_stats_of(NULL, 0, &s);
	assert_int_equal(s.n, 0);
	assert_int_equal(s.max_ms, 0);
}

static void test_one(void **state)
{
	int64_t v[] = { 420 };
	struct mc_report_stats s;
	mc_report_stats_of(v, 1, &s);
	assert_int_equal(s.n, 1);
	assert_true(s.mean_ms == 420 && s.median_ms == 420);
	assert_int_equal(s.p90_ms, 420);
	assert_int_equal(s.max_ms, 420);
}

static void test_ten_unsorted(void **state)
{
	/* 1..10 shuffled: median (5+6)/2, p90 rank 9 → 9, mean 5.5. */
	int64_t v[] = { 7, 2, 10, 4, 1, 9, 3, 6, 8, 5 };
	struct mc_report_stats s;
	mc_report_stats_of(v, 10, &s);
	assert_true(s.median_ms == 5.5);
	assert_int_equal(s.p90_ms, 9);
	assert_true(s.mean_ms == 5.5);
	assert_int_equal(s.max_ms, 10);
}

static void test_eleven(void **state)
{
	/* 11 values: median the 6th; p90 rank ceil(9.9) = 10. */
	int64_t v[] = { 110, 10, 100, 20, 90, 30, 80, 40, 70, 50, 60 };
	struct mc_report_stats s;
	mc_report_stats_of(v, 11, &s);
	assert_true(s.median_ms == 60);
	assert_int_equal(s.p90_ms, 100);
	assert_int_equal(s.max_ms, 110);
}

static void test_twelve_ties(void **state)
{
	/* The fixture's waits in minutes: median 12.5, p90 rank 11 → 30. */
	int64_t v[] = { 5, 13, 30, 11, 25, 27, 10, 10, 20, 12, 45, 7 };
	struct mc_report_stats s;
	mc_report_stats_of(v, 12, &s);
	assert_true(s.median_ms == 12.5);
	assert_int_equal(s.p90_ms, 30);
	assert_int_equal(s.max_ms, 45);
	assert_true(s.mean_ms > 17.916 && s.mean_ms < 17.917);
}

static int cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static void test_large(void **state)
{
	/* Many values (the radix path) agree with a plain sort, including
	 * values above 16 bits and one above 32 bits (the fallback). */
	enum { N = 20001 };
	static int64_t v[N], w[N];
	uint64_t r = 12345;
	for (int big = 0; big < 2; big++) {
		for (int i = 0; i < N; i++) {
			r = r * 6364136223846793005ull + 1442695040888963407ull;
			v[i] = w[i] = (int64_t)(r >> 40) % 7200000; /* up to 2 h in ms */
		}
		if (big)
			v[17] = w[17] = (int64_t)1 << 40;
		qsort(w, N, sizeof(w[0]), cmp);
		struct mc_report_stats s;
		mc_report_stats_of(v, N, &s);
		assert_memory_equal(v, w, sizeof(v));
		assert_true(s.median_ms == (double)w[N / 2]);
		assert_int_equal(s.p90_ms, w[(N * 9 + 9) / 10 - 1]);
		assert_int_equal(s.max_ms, w[N - 1]);
	}
}

static void test_minutes(void **state)
{
	char buf[32];
	mc_report_minutes(750000, ',', buf, sizeof(buf));
	assert_string_equal(buf, "12,5");
	mc_report_minutes(60000, '.', buf, sizeof(buf));
	assert_string_equal(buf, "1.0");
	mc_report_minutes(0, ',', buf, sizeof(buf));
	assert_string_equal(buf, "0,0");
}

static void test_dim_names(void **state)
{
	for (int d = 0; d < MC_REPORT_NDIMS; d++)
		assert_int_equal(mc_report_dim_from_name(mc_report_dim_name((enum mc_report_dim)d)), d);
	assert_int_equal(mc_report_dim_from_name("colour"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty), cmocka_unit_test(test_one),
		cmocka_unit_test(test_ten_unsorted), cmocka_unit_test(test_eleven),
		cmocka_unit_test(test_twelve_ties), cmocka_unit_test(test_large),
		cmocka_unit_test(test_minutes),
		cmocka_unit_test(test_dim_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
