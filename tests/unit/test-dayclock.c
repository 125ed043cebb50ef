/* test-dayclock.c — the office day from a wall clock that may be wrong:
 * corrections, steps within the day, forward steps that settle or go away,
 * backward steps, midnight, trust arriving late, restarts in the same boot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "config.h"
#include "dayclock.h"

#define MIN (60 * 1000LL)
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)

static const struct mc_dayclock_conf K = { .step_ms = 5 * MIN, .settle_ms = 60 * 1000 };

/* A fake pair of clocks: wall = base + mono + offset; days in UTC. */
struct clocks {
	int64_t mono;    /* monotonic ms */
	int64_t base;    /* wall at mono 0 */
	int64_t boot;
	bool trusted;
};

static struct mc_dayclock_obs look(const struct clocks *k)
{
	int64_t wall = k->base + k->mono;
	return (struct mc_dayclock_obs){ .wall_ms = wall, .mono_ms = k->mono, .boot = k->boot,
					 .wall_day = (int32_t)(wall / DAY), .trusted = k->trusted };
}

static enum mc_clock_state obs(struct mc_dayclock *c, const struct clocks *k)
{
	struct mc_dayclock_obs o = look(k);
	return mc_dayclock_observe(c, &K, &o);
}

/* 2026-11-25 10:00 UTC as wall ms, and its day. */
static int64_t at(int y, int m, int d, int hh, int mm)
{
	return (int64_t)mc_days_from_civil(y, m, d) * DAY + hh * HOUR + mm * MIN;
}

static struct clocks start(struct mc_dayclock *c, int64_t wall)
{
	struct clocks k = { .mono = 1000000, .boot = 7, .trusted = true };
	k.base = wall - k.mono;
	mc_dayclock_init(c, (int32_t)(wall / DAY));
	assert_int_equal(obs(c, &k), MC_CLOCK_OK);
	return k;
}

static void small_corrections_change_nothing(void **state)
{
	struct mc_dayclock c;
	struct clocks k = start(&c, at(2026, 11, 25, 10, 0));
	int32_t d = c.day;

	k.base += 3 * MIN;       /* +3 min: a correction */
	assert_int_equal(obs(&c, &k), MC_CLOCK_OK);
	k.base -= 4 * MIN;       /* then -4 min */
	assert_int_equal(obs(&c, &k), MC_CLOCK_OK);
	assert_int_equal(c.day, d);
	assert_int_equal(c.last_step_ms, 0);
	/* Many small slews add up without ever counting as a step. */
	for (int i = 0; i < 10; i++) {
		k.base += 4 * MIN;
		k.mono += 1000;
		assert_int_equal(obs(&c, &k), MC_CLOCK_OK);
	}
	assert_int_equal(c.day, d);
	(void)state;
}

static void step_within_the_day_applies_at_once(void **state)
{
	struct mc_dayclock c;
	struct clocks k = start(&c, at(2026, 11, 25, 10, 0));
	int32_t d = c.day;

	k.base -= 2 * HOUR;
	assert_int_equal(obs(&c, &k), MC_CLOCK_OK);
	assert_int_equal(c.day, d);
	assert_true(c.last_step_ms == -2 * HOUR);
	k.base += 5 * HOUR;      /* to 13:00: still the same day */
	assert_int_equal(obs(&c, &k), MC_CLOCK_OK);
	assert_int_equal(c.day, d);
	(void)state;
}

static void forward_day_step_that_goes_away_changes_nothing(void **state)
{
	struct mc_dayclock c;
	struct clocks k = start(&c, at(2026, 11, 25, 10, 0));
	int32_t d = c.day;

	k.base += DAY;
	k.mono += 1000;
	assert_int_equal(obs(&c, &k), MC_CLOCK_SETTLING);
	assert_int_equal(c.day, d);
	assert_int_equal(mc_dayclock_settle_left(&c, &K, k.mono), 60000);
	k.mono += 2000;
	assert_int_equal(obs(&c, &k), MC_CLOCK_SETTLING);
	assert_int_equal(c.day, d);
	k.base -= DAY;           /* NTP puts it back */
	k.mono += 1000;
	assert_int_equal(obs(&c, &k), MC_CLOCK_OK);
	assert_int_equal(c.day, d);
	assert_int_equal(mc_dayclock_settle_left(&c, &K, k.mono), -1);
	/* Long after, nothing is pending: still the same day. */
	k.mono += 10 * MIN;
	assert_int_equal(obs(&c, &k), MC_CLOCK_OK);
	assert_int_equal(c.day, d);
	(void)state;
}

static void forward_day_step_that_holds_rolls_over_once(void **state)
{
	struct mc_dayclock c;
	struct clocks k = start(&c, at(2026, 11, 25, 10, 0));
	int32_t d = c.day;

	k.base += DAY;
	assert_int_equal(obs(&c, &k), MC_CLOCK_SETTLING);
	k.mono += 59999;
	assert_int_equal(obs(&c, &k), MC_CLOCK_SETTLING);
	assert_int_equal(c.day, d);
	assert_int_equal(mc_dayclock_settle_left(&c, &K, k.mono), 1);
	k.base += 30 * 1000;     /* NTP slews it a little meanwhile: still the step */
	k.mono += 1;
	assert_int_equal(obs(&c, &k), MC_CLOCK_OK);
	assert_int_equal(c.day, d + 1);
	k.mono += 1000;
	assert_int_equal(obs(&c, &k), MC_CLOCK_OK);
	assert_int_equal(c.day, d + 1);
	(void)state;
}

static void backward_step_never_moves_the_day_back(void **state)
{
	struct mc_dayclock c;
	struct clocks k = start(&c, at(2026, 11, 25, 0, 30));
	int32_t d = c.day;

	k.base -= 2 * HOUR;      /* 22:30 the day before */
	assert_int_equal(obs(&c, &k), MC_CLOCK_BEHIND);
	assert_int_equal(c.day, d);
	k.mono += HOUR;          /* 23:30: still behind */
	assert_int_equal(obs(&c, &k), MC_CLOCK_BEHIND);
	assert_int_equal(c.day, d);
	k.mono += HOUR;          /* 00:30: the office day again, no new day */
	assert_int_equal(obs(&c, &k), MC_CLOCK_OK);
	assert_int_equal(c.day, d);
	(void)state;
}

static void midnight_rolls_over_without_settling(void **state)
{
	struct mc_dayclock c;
	struct clocks k = start(&c, at(2026, 11, 25, 23, 59));
	int32_t d = c.day;

	k.mono += 2 * MIN;
	assert_int_equal(obs(&c, &k), MC_CLOCK_OK);
	assert_int_equal(c.day, d + 1);
	(void)state;
}

static void untrusted_clock_holds_the_day_until_trust(void **state)
{
	struct mc_dayclock c;
	/* Last trusted day 2026-11-25 (saved); boots with a stale clock. */
	int32_t saved = mc_days_from_civil(2026, 11, 25);
	struct clocks k = { .mono = 5000, .boot = 8, .trusted = false };

	k.base = at(2026, 11, 20, 9, 0) - k.mono;
	mc_dayclock_init(&c, saved);
	assert_int_equal(obs(&c, &k), MC_CLOCK_UNTRUSTED);
	assert_int_equal(c.day, saved);
	k.base = at(2026, 11, 26, 8, 0) - k.mono;  /* NTP steps it to the real day */
	k.mono += 1000;
	assert_int_equal(obs(&c, &k), MC_CLOCK_UNTRUSTED);
	assert_int_equal(c.day, saved);
	k.trusted = true;        /* and says it is synchronised: no settling */
	k.mono += 1000;
	assert_int_equal(obs(&c, &k), MC_CLOCK_OK);
	assert_int_equal(c.day, saved + 1);
	(void)state;
}

static void stale_trusted_clock_behind_saved_day(void **state)
{
	struct mc_dayclock c;
	int32_t saved = mc_days_from_civil(2026, 11, 25);
	struct clocks k = { .mono = 5000, .boot = 8, .trusted = true };

	k.base = at(2026, 11, 20, 9, 0) - k.mono;
	mc_dayclock_init(&c, saved);
	assert_int_equal(obs(&c, &k), MC_CLOCK_BEHIND);
	assert_int_equal(c.day, saved);
	(void)state;
}

static void restart_in_the_same_boot_still_sees_the_step(void **state)
{
	struct mc_dayclock c;
	struct clocks k = start(&c, at(2026, 11, 25, 10, 0));
	int32_t d = c.day;
	struct mc_dayclock saved = c;

	/* kioskd restarts with the saved reference; the clock has jumped a
	 * day meanwhile. */
	k.base += DAY;
	k.mono += 5000;
	c = saved;
	assert_int_equal(obs(&c, &k), MC_CLOCK_SETTLING);
	assert_int_equal(c.day, d);
	/* A new boot has no reference: the clock is taken as it is. */
	k.boot = 9;
	assert_int_equal(obs(&c, &k), MC_CLOCK_OK);
	assert_int_equal(c.day, d + 1);
	(void)state;
}

static void zero_settle_applies_at_once(void **state)
{
	static const struct mc_dayclock_conf K0 = { .step_ms = 5 * MIN, .settle_ms = 0 };
	struct mc_dayclock c;
	struct clocks k = start(&c, at(2026, 11, 25, 10, 0));
	int32_t d = c.day;

	k.base += DAY;
	struct mc_dayclock_obs o = look(&k);
	assert_int_equal(mc_dayclock_observe(&c, &K0, &o), MC_CLOCK_OK);
	assert_int_equal(c.day, d + 1);
	assert_string_equal(mc_clock_state_name(MC_CLOCK_SETTLING), "settling");
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(small_corrections_change_nothing),
		cmocka_unit_test(step_within_the_day_applies_at_once),
		cmocka_unit_test(forward_day_step_that_goes_away_changes_nothing),
		cmocka_unit_test(forward_day_step_that_holds_rolls_over_once),
		cmocka_unit_test(backward_step_never_moves_the_day_back),
		cmocka_unit_test(midnight_rolls_over_without_settling),
		cmocka_unit_test(untrusted_clock_holds_the_day_until_trust),
		cmocka_unit_test(stale_trusted_clock_behind_saved_day),
		cmocka_unit_test(restart_in_the_same_boot_still_sees_the_step),
		cmocka_unit_test(zero_settle_applies_at_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
