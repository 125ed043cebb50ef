/* test-gpio-debounce.c — the pure button debouncer: bounces, presses,
 * releases and long-presses from edges and time alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "debounce.h"

/* Runs every due event up to time t, counting kinds. */
struct counts {
	int down, up, lng;
};

static void run_until(struct mc_debounce *d, int64_t t, struct counts *c)
{
	/* Step through each deadline as a loop timer would fire it. */
	for (;;) {
		int64_t next = mc_debounce_next(d);
		if (next < 0 || next > t)
			break;
		enum mc_press p;
		while ((p = mc_debounce_due(d, next, -1)) != MC_PRESS_NONE) {
			c->down += p == MC_PRESS_DOWN;
			c->up += p == MC_PRESS_UP;
			c->lng += p == MC_PRESS_LONG;
		}
	}
}

static void bounce_gives_one_press(void **state)
{
	struct mc_debounce d;
	struct counts c = { 0 };
	/* A contact that chatters for 6 ms on press and 5 ms on release. */
	static const struct { int t, level; } edges[] = {
		{ 100, 1 }, { 101, 0 }, { 102, 1 }, { 103, 0 }, { 104, 1 }, { 106, 0 }, { 106, 1 },
		{ 300, 0 }, { 301, 1 }, { 302, 0 }, { 303, 1 }, { 305, 0 },
	};

	(void)state;
	mc_debounce_init(&d, 20, 2000, 0);
	assert_int_equal(mc_debounce_next(&d), -1);
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		run_until(&d, edges[i].t, &c);
		mc_debounce_edge(&d, edges[i].t, edges[i].level);
	}
	run_until(&d, 10000, &c);
	assert_int_equal(c.down, 1);
	assert_int_equal(c.up, 1);
	assert_int_equal(c.lng, 0);
	assert_int_equal(mc_debounce_next(&d), -1); /* idle: no timer */
}

static void glitch_shorter_than_debounce_is_ignored(void **state)
{
	struct mc_debounce d;
	struct counts c = { 0 };

	(void)state;
	mc_debounce_init(&d, 20, 2000, 0);
	mc_debounce_edge(&d, 50, 1);
	mc_debounce_edge(&d, 60, 0); /* 10 ms spike: noise, not a press */
	run_until(&d, 1000, &c);
	assert_int_equal(c.down, 0);
	assert_int_equal(c.up, 0);
}

static void press_counts_after_debounce_interval(void **state)
{
	struct mc_debounce d;

	(void)state;
	mc_debounce_init(&d, 30, 2000, 0);
	mc_debounce_edge(&d, 1000, 1);
	assert_int_equal(mc_debounce_next(&d), 1030);
	assert_int_equal(mc_debounce_due(&d, 1029, -1), MC_PRESS_NONE);
	assert_int_equal(mc_debounce_due(&d, 1030, -1), MC_PRESS_DOWN);
	assert_int_equal(d.down_at, 1030);
	assert_int_equal(mc_debounce_next(&d), 3030); /* long-press deadline */
}

static void long_press_once(void **state)
{
	struct mc_debounce d;
	struct counts c = { 0 };

	(void)state;
	mc_debounce_init(&d, 20, 2000, 0);
	mc_debounce_edge(&d, 0, 1);
	run_until(&d, 1999, &c);
	assert_int_equal(c.down, 1);
	assert_int_equal(c.lng, 0);
	run_until(&d, 5000, &c);
	assert_int_equal(c.lng, 1);
	assert_int_equal(mc_debounce_next(&d), -1);
	mc_debounce_edge(&d, 6000, 0);
	run_until(&d, 7000, &c);
	assert_int_equal(c.up, 1);
	assert_int_equal(c.lng, 1);
}

static void short_press_has_no_long(void **state)
{
	struct mc_debounce d;
	struct counts c = { 0 };

	(void)state;
	mc_debounce_init(&d, 20, 2000, 0);
	mc_debounce_edge(&d, 0, 1);
	run_until(&d, 500, &c);
	mc_debounce_edge(&d, 500, 0);
	run_until(&d, 10000, &c);
	assert_int_equal(c.down, 1);
	assert_int_equal(c.up, 1);
	assert_int_equal(c.lng, 0);
}

static void fresh_read_repairs_lost_edge(void **state)
{
	struct mc_debounce d;

	(void)state;
	mc_debounce_init(&d, 20, 0, 0);
	/* The last edge (release) was lost: the line reads 0 at settle time. */
	mc_debounce_edge(&d, 0, 1);
	assert_int_equal(mc_debounce_due(&d, 20, 0), MC_PRESS_NONE);
	assert_int_equal(d.stable, 0);
	assert_int_equal(mc_debounce_next(&d), -1);
}

static void bounce_while_held_is_no_new_press(void **state)
{
	struct mc_debounce d;
	struct counts c = { 0 };

	(void)state;
	mc_debounce_init(&d, 20, 0, 0);
	mc_debounce_edge(&d, 0, 1);
	run_until(&d, 100, &c);
	/* Vibration while held: short dips that recover within debounce. */
	mc_debounce_edge(&d, 200, 0);
	mc_debounce_edge(&d, 203, 1);
	mc_debounce_edge(&d, 400, 0);
	mc_debounce_edge(&d, 405, 1);
	run_until(&d, 1000, &c);
	assert_int_equal(c.down, 1);
	assert_int_equal(c.up, 0);
}

static void names(void **state)
{
	(void)state;
	assert_string_equal(mc_press_name(MC_PRESS_DOWN), "down");
	assert_string_equal(mc_press_name(MC_PRESS_UP), "up");
	assert_string_equal(mc_press_name(MC_PRESS_LONG), "long");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bounce_gives_one_press),
		cmocka_unit_test(glitch_shorter_than_debounce_is_ignored),
		cmocka_unit_test(press_counts_after_debounce_interval),
		cmocka_unit_test(long_press_once),
		cmocka_unit_test(short_press_has_no_long),
		cmocka_unit_test(fresh_read_repairs_lost_edge),
		cmocka_unit_test(bounce_while_held_is_no_new_press),
		cmocka_unit_test(names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
