/* screen.h — the kiosk's touch screens as a state machine with a renderer:
 * home, priority choice, ticket issued, notices, technician PIN and
 * technician menu.
 *
 * Pure of SDL and of the app: it is fed views (view.h), results and touches
 * in logical pixels with the time, draws into any cairo context, and says
 * what a touch asks of the app through struct mc_screen_req. One thread
 * owns an mc_screen (the UI thread); nothing here blocks except the PIN
 * check, which runs from mc_screen_tick() after the "Checking…" frame. */
#ifndef MC_SCREEN_H
#define MC_SCREEN_H

#include <cairo.h>
#include <stdbool.h>
#include <stdint.h>

#include "i18n.h"
#include "view.h"

#define MC_PIN_ATTEMPTS 5          /* wrong PINs before a lockout */
#define MC_PIN_LOCKOUT_S 300       /* lockout length */
#define MC_TECH_IDLE_S 120         /* technician screens fall back to home */
#define MC_TICKET_HOLD_MS 3000     /* default: the ticket screen ignores every touch this long */
#define MC_SCREEN_GUARD_MS 500     /* touches this soon after a screen change are dropped */

/* Which screen is up. */
enum mc_screen_id {
	MC_SCR_HOME,       /* services (or a standing notice: closed, paused, printer) */
	MC_SCR_PRIORITY,   /* services for a priority ticket */
	MC_SCR_TICKET,     /* the number just issued */
	MC_SCR_NOTICE,     /* a notice after a refused request */
	MC_SCR_PIN,        /* technician PIN pad */
	MC_SCR_TECH,       /* technician menu */
	MC_SCR_COUNT
};

/* What a notice says. */
enum mc_notice {
	MC_NOTICE_NONE,
	MC_NOTICE_CLOSED,     /* office closed, with the next opening */
	MC_NOTICE_PRINTER,    /* printer cannot print and policy refuses */
	MC_NOTICE_PAUSED,     /* the technician paused issuing */
	MC_NOTICE_BUSY,       /* a transient refusal: try again */
	MC_NOTICE_EXHAUSTED,  /* no number left today for that service */
	MC_NOTICE_CLOCK,      /* the clock is not trusted (view.clock says why) */
};

/* What a touch asks of the app. */
enum mc_req_kind {
	MC_REQ_NONE,
	MC_REQ_PRESS,         /* issue a ticket: service, priority */
	MC_REQ_TEST_PRINT,    /* technician: print a test ticket */
	MC_REQ_REPRINT,       /* technician: reprint the last ticket */
	MC_REQ_PAUSE,         /* technician: pause issuing (arg 1) or resume (arg 0) */
	MC_REQ_BRIGHTNESS,    /* technician: set brightness to arg (0..10) */
	MC_REQ_CLOCK_CONFIRM, /* technician: the wall clock is right (this boot) */
	MC_REQ_TECH_OPEN,     /* the technician menu opened: fill the view's tech part */
	MC_REQ_TECH_CLOSE,    /* the technician menu closed */
	MC_REQ_SPEAKER_TEST,  /* technician: play a test call on the speaker */
	MC_REQ_VOLUME,        /* technician: change the volume by arg (percent, ±) */
	MC_REQ_UPDATE_FIND,   /* technician: look for update bundles */
	MC_REQ_UPDATE_INSTALL,/* technician: install the bundle at path (confirmed) */
};

/* The pages of the technician menu. */
enum mc_tech_page {
	MC_TECH_MAIN,         /* status lines and the actions */
	MC_TECH_SOUND,        /* speaker test and volume */
	MC_TECH_UPDATE,       /* bundles on the USB stick, progress, outcome */
	MC_TECH_CONFIRM,      /* "install this update?" */
};

/* A request from the screen. */
struct mc_screen_req {
	enum mc_req_kind kind;  /* what */
	int service;            /* MC_REQ_PRESS: service index */
	bool priority;          /* MC_REQ_PRESS: priority ticket */
	int arg;                /* MC_REQ_PAUSE, MC_REQ_BRIGHTNESS, MC_REQ_VOLUME */
	char path[512];         /* MC_REQ_UPDATE_INSTALL: the bundle the technician confirmed */
};

/* How the screen is set up. */
struct mc_screen_options {
	int width, height;      /* logical size (after rotation) */
	enum mc_lang lang;      /* default language, back to it after each ticket */
	int home_timeout_s;     /* ticket and notice screens go home after this */
	int ticket_hold_ms;     /* the ticket screen ignores touches this long (0: MC_TICKET_HOLD_MS) */
	const char *pin_hash;   /* crypto_pwhash_str string ("" or NULL: no PIN) */
	const char *fixed_clock; /* "HH:MM" to show instead of the time (tests) */
	int32_t fixed_day;      /* with fixed_clock: the day shown (days since 1970) */
	int brightness;         /* initial brightness 0..10 */
};

struct mc_screen;

/* A new screen showing home with an empty view. t must outlive it.
 * NULL on out of memory. */
struct mc_screen *mc_screen_new(const struct mc_screen_options *o, const struct mc_i18n *t);
/* Accepts NULL. */
void mc_screen_free(struct mc_screen *s);

/* New queue state; marks the screen dirty only if what it shows changed. */
void mc_screen_set_view(struct mc_screen *s, const struct mc_view *v);
/* The outcome of the last MC_REQ_PRESS: ticket screen or a notice. */
void mc_screen_set_result(struct mc_screen *s, const struct mc_view_result *r, int64_t now_ms);
/* A line for the technician menu (outcome of a technician request). */
void mc_screen_set_message(struct mc_screen *s, const char *text);
/* Changes the logical size (rotation or window resize). */
void mc_screen_set_size(struct mc_screen *s, int width, int height);

/* A touch at logical (x, y) at monotonic time now_ms. Returns true and
 * fills req when the app must act; marks the touched control as pressed so
 * the next frame shows it. Dropped: touches while a press is with the app,
 * before the frame of a new screen is drawn or within MC_SCREEN_GUARD_MS of
 * the change or of that frame being shown (mc_screen_shown), and on the ticket screen within its hold (ticket_hold_ms; after
 * that only its home button leaves it). A language chosen on the home
 * screen falls back to the default after home_timeout; the technician
 * menu's language button changes that menu only. */
bool mc_screen_touch(struct mc_screen *s, double x, double y, int64_t now_ms,
		     struct mc_screen_req *req);
/* A request that comes from a change of screen rather than a touch (the
 * technician menu opened or closed): true and fills req once per change;
 * the presenter asks after each touch and tick. */
bool mc_screen_take_req(struct mc_screen *s, struct mc_screen_req *req);
/* Timeouts, the minute clock and a pending PIN check. */
void mc_screen_tick(struct mc_screen *s, int64_t now_ms);
/* Monotonic ms of the next mc_screen_tick() needed, or -1 for none. */
int64_t mc_screen_deadline(const struct mc_screen *s, int64_t now_ms);

/* The frame last rendered is on the panel since now_ms. A new screen's
 * guard (MC_SCREEN_GUARD_MS) runs from the later of its change and its
 * first frame shown, so a slow draw does not eat the time a person has to
 * see the new screen before it takes touches. */
void mc_screen_shown(struct mc_screen *s, int64_t now_ms);

/* Whether a frame must be drawn. */
bool mc_screen_dirty(const struct mc_screen *s);
/* Draws the current screen at the logical size; clears dirty. */
void mc_screen_render(struct mc_screen *s, cairo_t *cr);

/* The screen up now (a standing notice reports MC_SCR_NOTICE). */
enum mc_screen_id mc_screen_current(const struct mc_screen *s);
/* The notice shown, if any. */
enum mc_notice mc_screen_notice(const struct mc_screen *s);
/* The language shown now. */
enum mc_lang mc_screen_lang(const struct mc_screen *s);
/* Current brightness 0..10. */
int mc_screen_brightness(const struct mc_screen *s);
/* The technician menu's page (meaningful on MC_SCR_TECH). */
enum mc_tech_page mc_screen_tech_page(const struct mc_screen *s);
/* PINs checked so far (tests). */
int mc_screen_pin_checks(const struct mc_screen *s);
/* Whether the PIN pad is locked out at now_ms. */
bool mc_screen_pin_locked(const struct mc_screen *s, int64_t now_ms);
/* Monotonic ms until which the ticket screen up now ignores every touch
 * (its hold), or 0 when no ticket screen is up. */
int64_t mc_screen_hold_until(const struct mc_screen *s);
/* Monotonic ms until which touches are dropped after the last change of
 * screen or technician page (see mc_screen_touch, mc_screen_shown). */
int64_t mc_screen_guard_until(const struct mc_screen *s);
/* Opens the technician menu without the PIN: the GPIO technician
 * combination, which needs hands inside the kiosk. */
void mc_screen_enter_tech(struct mc_screen *s, int64_t now_ms);
/* Forces a screen (tests and screenshots of every screen). */
void mc_screen_show(struct mc_screen *s, enum mc_screen_id id, enum mc_notice n, enum mc_lang lang);
/* Forces a page of the technician menu (after mc_screen_show of
 * MC_SCR_TECH; reference images). The confirm page asks about the view's
 * first bundle. */
void mc_screen_show_tech_page(struct mc_screen *s, enum mc_tech_page page);
/* Centre of the control that does what the name says, in logical pixels,
 * for synthetic touches: "service:N", "priority", "lang:vi", "lang:en",
 * "tech", "pin:D" (digit), "pin:ok", "pin:del", "back", "tech:pause",
 * "tech:exit", "tech:test", "tech:reprint", "tech:lang", "bright:+",
 * "bright:-", "tech:clock", "tech:sound", "tech:update", "tech:back",
 * "vol:+", "vol:-", "speaker", "bundle:N", "update:rescan",
 * "install:ok", "install:cancel", "any". Uses the last frame drawn.
 * Returns false if absent. */
bool mc_screen_find(const struct mc_screen *s, const char *name, double *x, double *y);

#endif
