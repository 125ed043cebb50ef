/* debounce.h — a push button's debouncer as a pure state machine: edges and
 * the time in, press / release / long-press out. No clock reads and no I/O:
 * the caller feeds each edge with its time, arms one timer for
 * mc_debounce_next(), and calls mc_debounce_due() when it fires.
 *
 * A level counts once it has held for debounce_ms with no further edge (a
 * bouncing contact keeps pushing the deadline back), so a burst of bounces
 * gives exactly one press. A press held for long_ms gives one long-press. */
#ifndef MC_DEBOUNCE_H
#define MC_DEBOUNCE_H

#include <stdbool.h>
#include <stdint.h>

/* What a button did. */
enum mc_press {
	MC_PRESS_NONE,     /* nothing (yet) */
	MC_PRESS_DOWN,     /* pressed: the level went active and held */
	MC_PRESS_UP,       /* released */
	MC_PRESS_LONG,     /* still pressed long_ms after DOWN */
};

/* One button's state; plain data, the caller owns it. */
struct mc_debounce {
	int debounce_ms;   /* a level must hold this long to count */
	int long_ms;       /* hold this long for MC_PRESS_LONG (0: never) */
	int stable;        /* debounced level: 1 pressed */
	int raw;           /* level after the latest edge */
	int64_t settle_at; /* when raw counts, ms (-1: nothing pending) */
	int64_t down_at;   /* time of the last DOWN, ms */
	int64_t long_at;   /* when to report LONG, ms (-1: not pending) */
};

/* Starts a debouncer at level (normally 0, released). */
void mc_debounce_init(struct mc_debounce *d, int debounce_ms, int long_ms, int level);
/* An edge to level at now_ms. */
void mc_debounce_edge(struct mc_debounce *d, int64_t now_ms, int level);
/* Reports the next thing that is due at now_ms, or MC_PRESS_NONE; call
 * again until NONE. level is a fresh read of the line (-1: trust the last
 * edge), which also repairs a lost edge. */
enum mc_press mc_debounce_due(struct mc_debounce *d, int64_t now_ms, int level);
/* The next time mc_debounce_due() has something to do, ms, or -1 if none
 * (an idle button needs no timer). */
int64_t mc_debounce_next(const struct mc_debounce *d);
/* Name of a press kind ("down", "up", "long"). */
const char *mc_press_name(enum mc_press p);

#endif
