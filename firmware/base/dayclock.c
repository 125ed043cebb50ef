/* dayclock.c — the office day from a wall clock that may be wrong (see dayclock.h). */
#include "dayclock.h"

#include <stdlib.h>

void mc_dayclock_init(struct mc_dayclock *c, int32_t day)
{
	*c = (struct mc_dayclock){ .day = day, .state = MC_CLOCK_UNTRUSTED };
}

static int64_t abs64(int64_t v) { return v < 0 ? -v : v; }

/* The wall clock is accepted as it is: the day follows it forward only. */
static enum mc_clock_state follow(struct mc_dayclock *c, const struct mc_dayclock_obs *o)
{
	if (o->wall_day > c->day)
		c->day = o->wall_day;
	c->state = o->wall_day < c->day ? MC_CLOCK_BEHIND : MC_CLOCK_OK;
	return c->state;
}

enum mc_clock_state mc_dayclock_observe(struct mc_dayclock *c, const struct mc_dayclock_conf *k,
					const struct mc_dayclock_obs *o)
{
	int64_t off = o->wall_ms - o->mono_ms;

	if (!o->trusted) {
		/* Whatever the clock does now is not a step of a trusted clock:
		 * once trust comes, the clock is taken as it is then. */
		c->have_ref = false;
		c->settling = false;
		return c->state = MC_CLOCK_UNTRUSTED;
	}
	if (!c->have_ref || c->ref_boot != o->boot) {
		/* First trusted look in this boot: nothing to compare with. */
		c->have_ref = true;
		c->ref_boot = o->boot;
		c->ref_offset = off;
		c->settling = false;
		return follow(c, o);
	}
	if (c->settling) {
		if (abs64(off - c->settle_offset) < k->step_ms) {
			/* The forward step still holds. */
			if (o->mono_ms - c->settle_since < k->settle_ms)
				return c->state = MC_CLOCK_SETTLING;
			c->settling = false;
			c->ref_offset = off;
			return follow(c, o);
		}
		/* It went away or moved on: judge the clock afresh. */
		c->settling = false;
	}
	int64_t delta = off - c->ref_offset;
	if (abs64(delta) < k->step_ms) {
		/* An ordinary correction (or none): keep following slow slews. */
		c->ref_offset = off;
		return follow(c, o);
	}
	c->last_step_ms = delta;
	if (delta > 0 && c->day && o->wall_day > c->day && k->settle_ms > 0) {
		c->settling = true;
		c->settle_since = o->mono_ms;
		c->settle_offset = off;
		return c->state = MC_CLOCK_SETTLING;
	}
	/* A step within the day, or back: applies at once (the day never
	 * moves back: follow() only moves it forward). */
	c->ref_offset = off;
	return follow(c, o);
}

int64_t mc_dayclock_settle_left(const struct mc_dayclock *c, const struct mc_dayclock_conf *k,
				int64_t mono_ms)
{
	if (!c->settling)
		return -1;
	int64_t left = c->settle_since + k->settle_ms - mono_ms;
	return left > 0 ? left : 0;
}

const char *mc_clock_state_name(enum mc_clock_state s)
{
	static const char *const names[] = { "ok", "untrusted", "settling", "behind" };
	return names[s];
}
