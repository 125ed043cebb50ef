/* app-clock.h — kioskd's clock service: whether the wall clock may be
 * trusted, which office day it is, and the technician's confirmation
 * (DESIGN §8).
 *
 * It keeps a dayclock (dayclock.h) fed with the clocks on every event the
 * app handles, on the app's periodic day timer, when the trust source's
 * thread says its answer changed, when a pending forward step is due to have
 * settled, and — through a CLOCK_REALTIME timerfd with TFD_TIMER_CANCEL_ON_SET,
 * armed at the next local midnight — exactly when someone sets the clock. An
 * idle kiosk wakes for none of these (no polling beyond the day timer).
 *
 * State kept in STATE_DIR/clock (small text file, replaced atomically): the
 * last trusted office day, the boot and wall-minus-monotonic offset of the
 * accepted reference (so a restart in the same boot still sees a step), and
 * the boot a technician confirmed the clock for (/proc/sys/kernel/random/
 * boot_id: a confirmation holds for that boot only).
 * Everything here runs on the loop thread. */
#ifndef MC_APP_CLOCK_H
#define MC_APP_CLOCK_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "dayclock.h"
#include "engine.h"

struct mc_app;
struct mc_app_clock;

/* Starts the clock service for app: office day `day` is the store's (the
 * later of it and the saved one counts). NULL with a message in err. */
struct mc_app_clock *mc_app_clock_new(struct mc_app *app, int32_t day, char *err, size_t errlen);
/* Stops the trust source's thread, closes fds. Accepts NULL. */
void mc_app_clock_free(struct mc_app_clock *c);

/* Looks at the clocks. w holds the wall and monotonic times and the wall
 * clock's local day; on return w->day is the office day (which may have
 * moved forward: the caller rolls the queue over). Returns the state. */
enum mc_clock_state mc_app_clock_check(struct mc_app_clock *c, struct mc_when *w);
/* The office day as last decided (0: not known yet). */
int32_t mc_app_clock_day(const struct mc_app_clock *c);
/* The state as last decided. */
enum mc_clock_state mc_app_clock_state(const struct mc_app_clock *c);
/* The engine's refusal for a state (MC_OK for MC_CLOCK_OK). */
enum mc_err mc_clock_state_err(enum mc_clock_state s);

/* A technician confirms the wall clock for the current boot. Saved; the
 * caller then checks the clocks. Returns 0, or -1 with a message in err. */
int mc_app_clock_confirm(struct mc_app_clock *c, char *err, size_t errlen);
/* Adds "clock": {...} (mode, state, source, confirmed, day, wall day, step,
 * settle, notice in vi and en) to obj. */
void mc_app_clock_status(struct mc_app_clock *c, json_t *obj);

/* Implemented by app.c: the clock may have changed — look now (rollover,
 * holds, outputs told). */
void mc_app_clock_changed(struct mc_app *app);

#endif
