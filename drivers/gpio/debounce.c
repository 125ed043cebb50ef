/* debounce.c — the pure button debouncer (see debounce.h). */
#include "debounce.h"

void mc_debounce_init(struct mc_debounce *d, int debounce_ms, int long_ms, int level)
{
	d->debounce_ms = debounce_ms;
	d->long_ms = long_ms;
	d->stable = d->raw = level ? 1 : 0;
	d->settle_at = -1;
	d->down_at = 0;
	d->long_at = -1;
}

void mc_debounce_edge(struct mc_debounce *d, int64_t now_ms, int level)
{
	d->raw = level ? 1 : 0;
	d->settle_at = now_ms + d->debounce_ms;
}

enum mc_press mc_debounce_due(struct mc_debounce *d, int64_t now_ms, int level)
{
	if (d->settle_at >= 0 && now_ms >= d->settle_at) {
		int lvl = level >= 0 ? (level ? 1 : 0) : d->raw;
		/* The press happened when the contact first settled. */
		int64_t at = d->settle_at;
		d->settle_at = -1;
		d->raw = lvl;
		if (lvl != d->stable) {
			d->stable = lvl;
			if (lvl) {
				d->down_at = at;
				d->long_at = d->long_ms > 0 ? at + d->long_ms : -1;
				return MC_PRESS_DOWN;
			}
			d->long_at = -1;
			return MC_PRESS_UP;
		}
	}
	if (d->long_at >= 0 && now_ms >= d->long_at && d->settle_at < 0) {
		d->long_at = -1;
		if (d->stable)
			return MC_PRESS_LONG;
	}
	return MC_PRESS_NONE;
}

int64_t mc_debounce_next(const struct mc_debounce *d)
{
	if (d->settle_at >= 0)
		return d->settle_at;
	return d->long_at;
}

const char *mc_press_name(enum mc_press p)
{
	switch (p) {
	case MC_PRESS_DOWN: return "down";
	case MC_PRESS_UP: return "up";
	case MC_PRESS_LONG: return "long";
	case MC_PRESS_NONE: break;
	}
	return "none";
}
