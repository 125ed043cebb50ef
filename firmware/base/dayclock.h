/* dayclock.h — the office day from a wall clock that may be wrong, pure.
 *
 * A board without RTC boots with a stale clock and NTP steps it later,
 * forward or back; a bad NTP answer can step it a day ahead. The office day
 * (and so numbering and rollover) follows the wall clock only while it is
 * trusted, and a step of the wall clock against the monotonic clock is told
 * apart from time passing (DESIGN §8):
 *   - steps under step_ms are ordinary corrections;
 *   - a larger step that keeps the day applies at once;
 *   - a step forward into a later day counts only once it has held for
 *     settle_ms (meanwhile issuing waits);
 *   - the day never moves back; while the wall clock is on a day before the
 *     office day, no ticket may be issued (it would be dated after the
 *     trusted day).
 * No I/O and no clock reads: the caller observes the clocks and passes them
 * in. Plain data, owned by the caller; not thread-safe (one loop thread). */
#ifndef MC_DAYCLOCK_H
#define MC_DAYCLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* What the office may do now. */
enum mc_clock_state {
	MC_CLOCK_OK,         /* trusted, on the office day: issue */
	MC_CLOCK_UNTRUSTED,  /* not known synchronised nor confirmed: no tickets */
	MC_CLOCK_SETTLING,   /* a forward step into a later day is waiting to hold */
	MC_CLOCK_BEHIND,     /* the wall clock is on a day before the office day */
};

/* Thresholds, from board.conf [office] clock_step and clock_settle. */
struct mc_dayclock_conf {
	int64_t step_ms;     /* a jump at least this large is a step */
	int64_t settle_ms;   /* a forward step into a new day must hold this long */
};

/* One look at the clocks. */
struct mc_dayclock_obs {
	int64_t wall_ms;     /* CLOCK_REALTIME, ms since the epoch */
	int64_t mono_ms;     /* CLOCK_MONOTONIC, ms */
	int64_t boot;        /* the boot mono_ms belongs to */
	int32_t wall_day;    /* local day of wall_ms (days since 1970-01-01) */
	bool trusted;        /* the trust source (or a confirmation) vouches for it */
};

/* The state. Fields may be saved and restored as they are (a restart in the
 * same boot keeps its reference, so a step made while kioskd was down is
 * still a step). */
struct mc_dayclock {
	int32_t day;             /* office day: never decreases; 0 = not known yet */
	bool have_ref;           /* ref_offset is valid */
	int64_t ref_boot;        /* boot the reference belongs to */
	int64_t ref_offset;      /* accepted wall - mono, ms */
	bool settling;           /* a forward step is waiting to hold */
	int64_t settle_since;    /* mono ms the step was first seen */
	int64_t settle_offset;   /* wall - mono of that step, ms */
	int64_t last_step_ms;    /* size of the last step seen (signed), 0 = none */
	enum mc_clock_state state; /* result of the last observation */
};

/* Starts at office day `day` (0 = unknown: the first trusted look sets it)
 * with no reference. */
void mc_dayclock_init(struct mc_dayclock *c, int32_t day);

/* Observes the clocks at o and updates c. Returns the state: c->day is the
 * office day tickets are dated with (it may have moved forward: the caller
 * rolls the queue over to it). */
enum mc_clock_state mc_dayclock_observe(struct mc_dayclock *c, const struct mc_dayclock_conf *k,
					const struct mc_dayclock_obs *o);

/* Milliseconds until a pending forward step has held long enough at
 * monotonic time mono_ms (0 if due now), or -1 when nothing is pending. */
int64_t mc_dayclock_settle_left(const struct mc_dayclock *c, const struct mc_dayclock_conf *k,
				int64_t mono_ms);

/* A stable token for a state ("ok", "untrusted", "settling", "behind"). */
const char *mc_clock_state_name(enum mc_clock_state s);

#endif
