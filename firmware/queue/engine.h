/* engine.h — the queue rules, pure: state plus an event gives changes.
 *
 * No I/O and no clock reads: every call takes the time of its event (struct
 * mc_when). Numbering, priorities, call order, recall, no-show, transfer,
 * pause, clerk sessions, opening hours, double taps and the daily rollover
 * live here. Each call that changes anything fills a struct mc_changes with
 * the ticket rows, counter rows and events to commit in one store
 * transaction; the caller commits them before acknowledging anything. If the
 * commit fails, the caller puts back the state of a savepoint taken before
 * the calls (mc_engine_savepoint, mc_engine_rollback). */
#ifndef MC_ENGINE_H
#define MC_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* The moment of an event, supplied by the caller. */
struct mc_when {
	int64_t mono_ms;   /* CLOCK_MONOTONIC, ms */
	int64_t wall_ms;   /* UTC wall clock, ms since the epoch */
	int64_t boot;      /* identifies the boot mono_ms belongs to */
	int32_t day;       /* local day, days since 1970-01-01 */
	int minute;        /* local minute of the day, 0..1439 */
};

/* Where a ticket is in its life. */
enum mc_ticket_status {
	MC_T_WAITING,      /* in the queue */
	MC_T_CALLED,       /* called to a counter, being served */
	MC_T_FINISHED,     /* served */
	MC_T_NOSHOW,       /* called, did not come (reactivatable for a while) */
	MC_T_VOIDED,       /* never printed, or cancelled: never called */
	MC_T_EXPIRED,      /* still open at the day's rollover */
};

/* Whether a ticket's paper exists. */
enum mc_print_status {
	MC_P_NONE,         /* no printer: the number was shown on screen only */
	MC_P_PENDING,      /* handed to the printer, outcome not known yet */
	MC_P_PRINTED,      /* the printer took the whole job */
	MC_P_FAILED,       /* refused before any byte was sent: not on paper;
	                    * voided only when no screen showed the number */
	MC_P_IN_DOUBT,     /* may be on paper (crash while pending, job cut
	                    * off part way): called like any other ticket */
};

/* One ticket. Times: wall_* are UTC ms; wait_ms and service_ms come from
 * the monotonic clock when both ends are in the same boot, so a wall-clock
 * jump cannot make them negative or wrong. */
struct mc_ticket {
	int64_t id;              /* unique, increasing: also the queue order */
	int service;             /* issuing service index (numbering) */
	int cur_service;         /* service it waits for now (after transfer) */
	int32_t day;             /* local day of issue */
	int round;               /* times the range wrapped that day */
	int number;              /* number within the range */
	char label[8];           /* printed number, e.g. "1023" or "A017" */
	bool priority;           /* priority citizen */
	enum mc_ticket_status status;
	enum mc_print_status print;
	int counter;             /* counter number serving or last served (0: none) */
	int clerk;               /* clerk logged in at that counter (0: none) */
	int rating;              /* level on the scale of its rating event, best first
	                          * (1..5; legacy rows 1..4 worst first), 0: not rated */
	int transfers;           /* times transferred */
	int64_t issued_wall, called_wall, finished_wall;  /* UTC ms, 0 = not yet;
	                          * finished_* is also the time of a no-show (kept while a
	                          * reactivated no-show waits first at its counter) */
	int64_t issued_mono, called_mono, finished_mono; /* monotonic ms */
	int64_t issued_boot, called_boot, finished_boot; /* boot of each */
	int64_t wait_ms;         /* issue to (first) call, -1 = not called */
	int64_t service_ms;      /* call to finish, -1 = not finished */
};

/* A counter's live state. */
struct mc_counter_state {
	int number;              /* counter number */
	int64_t current;         /* ticket being served (0: none) */
	int64_t last_served;     /* ticket a rating applies to (0: none) */
	bool paused;             /* paused: NEXT refused */
	int clerk;               /* clerk logged in (0: none) */
	int normals;             /* normal tickets called since the last priority */
};

/* What happened, for the append-only event log. */
enum mc_event_kind {
	MC_EV_ISSUE, MC_EV_PRINTED, MC_EV_PRINT_FAILED, MC_EV_CALL, MC_EV_RECALL,
	MC_EV_NOSHOW, MC_EV_REACTIVATE, MC_EV_FINISH, MC_EV_TRANSFER, MC_EV_PAUSE,
	MC_EV_RESUME, MC_EV_LOGIN, MC_EV_LOGOUT, MC_EV_RATE, MC_EV_VOID,
	MC_EV_EXPIRE, MC_EV_ROLLOVER, MC_EV_PRINT_IN_DOUBT,
};

/* One event row. */
struct mc_event {
	enum mc_event_kind kind;
	int64_t ticket;          /* ticket id, 0 = none */
	int counter;             /* counter number, 0 = none */
	int clerk;               /* clerk at that counter, 0 = none */
	int value;               /* kind-specific: rating, service index, ... */
};

/* Rows to commit for one engine call. The caller commits them whenever
 * there are any, whatever the call returned (a NEXT with nobody waiting
 * still finishes the current ticket). Owned by the caller; reuse across
 * calls with mc_changes_clear(), free with mc_changes_free(). */
struct mc_changes {
	struct mc_ticket *tickets;  /* ticket rows, each the ticket's new state */
	size_t ntickets, cap_tickets;
	struct mc_counter_state *counters; /* counter rows, new state */
	size_t ncounters, cap_counters;
	struct mc_event *events;    /* events, in order */
	size_t nevents, cap_events;
	struct mc_when when;        /* time of the call */
	int32_t day;                /* engine day after the call */
};

void mc_changes_clear(struct mc_changes *ch);
void mc_changes_free(struct mc_changes *ch);
/* Appends src's rows to dst (group commit); dst takes src's time and day.
 * Returns 0, or -1 on out of memory (dst unchanged in content). */
int mc_changes_append(struct mc_changes *dst, const struct mc_changes *src);

/* Why a call was refused. */
enum mc_err {
	MC_OK = 0,
	MC_E_CLOSED,         /* outside opening hours or a closed day */
	MC_E_NO_SERVICE,     /* unknown service */
	MC_E_NO_COUNTER,     /* unknown counter */
	MC_E_NOT_SERVED,     /* counter does not serve that service */
	MC_E_EXHAUSTED,      /* every number of the range is still open */
	MC_E_PAUSED,         /* counter is paused */
	MC_E_EMPTY,          /* nobody is waiting */
	MC_E_NO_CURRENT,     /* counter serves no ticket now */
	MC_E_PRINTER,        /* printer cannot print and policy refuses */
	MC_E_NO_TICKET,      /* no such ticket (or not reactivatable) */
	MC_E_TOO_LATE,       /* no-show reactivation window passed */
	MC_E_RATED,          /* the ticket is already rated */
	MC_E_BAD_ARG,        /* value out of range */
	MC_E_ISSUING_PAUSED, /* the technician paused ticket issuing */
	MC_E_NOMEM,          /* out of memory */
	MC_E_STORE,          /* the database refused the change */
	MC_E_CLOCK_UNTRUSTED, /* the wall clock is not known right: no tickets */
	MC_E_CLOCK_SETTLING, /* the clock jumped to a later day: waiting for it to hold */
	MC_E_CLOCK_BEHIND,   /* the clock is on a day before the office day */
	MC_E_PRINTER_BUSY,   /* the print queue is at its bound and policy refuses:
	                      * press again in a moment (not "tell the staff":
	                      * a printer that cannot print is MC_E_PRINTER) */
};

/* How long t has waited: its wait when it was called, the wait so far at
 * now while it waits (by the monotonic clock within one boot), -1 for a
 * ticket closed without a call. */
int64_t mc_ticket_waited_ms(const struct mc_ticket *t, const struct mc_when *now);

/* A person-readable message for err in lang ("vi" or "en"). Static string. */
const char *mc_err_message(enum mc_err err, const char *lang);
/* A stable token for err, for scripts ("closed", "paused", ...). */
const char *mc_err_token(enum mc_err err);

/* What a counter is told to do. */
enum mc_action {
	MC_A_NEXT,           /* finish current, call next by policy; arg > 0 is
	                      * a hold in ms: a NEXT within arg ms of this
	                      * counter's call of its current ticket answers
	                      * that ticket and changes nothing (a clerk's key
	                      * pressed twice does not send the citizen just
	                      * called away as served; [office] next_hold) */
	MC_A_PRIORITY_NEXT,  /* the same, calling the next priority ticket */
	MC_A_RECALL,         /* call the current ticket again */
	MC_A_NOSHOW,         /* current did not come */
	MC_A_FINISH,         /* current is served */
	MC_A_PAUSE,          /* stop calling */
	MC_A_RESUME,         /* call again */
	MC_A_PAUSE_TOGGLE,   /* the keypad's PAUSE/RESUME key */
	MC_A_TRANSFER,       /* current to service arg, keeping its place */
	MC_A_LOGIN,          /* clerk arg logs in */
	MC_A_LOGOUT,         /* clerk logs out */
	MC_A_RATE,           /* rating arg (position on the office's scale, best
	                      * first, 1..n) for the last served ticket */
	MC_A_REACTIVATE,     /* no-show ticket arg (0: latest) comes back: called at once
	                      * when the counter is free, else first in its queue (the
	                      * current citizen is not finished) */
};

/* Result of a press, for the screen and the ticket. */
struct mc_issue {
	struct mc_ticket ticket; /* the ticket issued (or the double tap's) */
	bool duplicate;          /* double tap: no new ticket was issued */
	int ahead;               /* people waiting before it */
	int64_t est_wait_ms;     /* estimated wait */
	int32_t open_day;        /* MC_E_CLOSED: next opening day ... */
	int open_minute;         /* ... and minute (-1: none in a year) */
	const char *source;      /* input that asked ("touch", "gpio:...", "socket"); set
	                          * by mc_app_press, valid during its output calls only */
};

/* Printer state as the engine needs it. */
enum mc_printer_ok {
	MC_PRINTER_ABSENT,   /* no printer configured: screen only */
	MC_PRINTER_READY,    /* can print */
	MC_PRINTER_DOWN,     /* cannot print now */
	MC_PRINTER_FULL,     /* can print, but its bounded queue is full */
};

struct mc_engine;

/* A new engine for cfg (which must outlive it), empty, at day 0.
 * NULL on out of memory. */
struct mc_engine *mc_engine_new(const struct mc_config *cfg);
/* Accepts NULL. */
void mc_engine_free(struct mc_engine *e);

/* ---- restoring from the store ---- */

/* Sets the current day and the next ticket id (store's max id + 1). */
void mc_engine_restore_begin(struct mc_engine *e, int32_t day, int64_t next_id);
/* Adds a ticket row of the current day, or an open one of an earlier day. */
int mc_engine_restore_ticket(struct mc_engine *e, const struct mc_ticket *t);
/* Sets a counter's row; unknown counter numbers are ignored. */
void mc_engine_restore_counter(struct mc_engine *e, const struct mc_counter_state *c);
/* Ends restoring (a cold start only): pending prints of a previous run
 * become in doubt (they may be on paper; they stay callable) and counters
 * whose ticket is gone are cleared. Fills ch with those changes. */
int mc_engine_restore_end(struct mc_engine *e, const struct mc_when *w, struct mc_changes *ch);

/* ---- events ---- */

/* A citizen asks for a ticket of service (index) from input source (for
 * double-tap protection). Fills out and ch. */
enum mc_err mc_engine_press(struct mc_engine *e, const struct mc_when *w, int service,
			    bool priority, const char *source, struct mc_issue *out,
			    struct mc_changes *ch);

/* A counter (by number) acts; arg as mc_action says. *ticket receives the
 * ticket concerned (called, recalled, finished...), if any. */
enum mc_err mc_engine_counter(struct mc_engine *e, const struct mc_when *w, int counter,
			      enum mc_action act, int arg, struct mc_ticket *ticket,
			      struct mc_changes *ch);

/* The printer reported a ticket's outcome: MC_P_PRINTED (whole job taken),
 * MC_P_FAILED (refused before any byte was sent) or MC_P_IN_DOUBT. A failed
 * ticket is voided only when shown is false (no screen showed its number);
 * otherwise it stays callable. Only a pending print changes. */
enum mc_err mc_engine_print_outcome(struct mc_engine *e, const struct mc_when *w, int64_t id,
				    enum mc_print_status outcome, bool shown, struct mc_changes *ch);
/* The same with ok: MC_P_PRINTED, else MC_P_FAILED with no screen. */
enum mc_err mc_engine_printed(struct mc_engine *e, const struct mc_when *w, int64_t id,
			      bool ok, struct mc_changes *ch);

/* Time passes: rolls the day over when w is on a later day. Returns MC_OK;
 * ch is empty when nothing happened. */
enum mc_err mc_engine_tick(struct mc_engine *e, const struct mc_when *w, struct mc_changes *ch);

/* Savepoints: the app opens one before the actions of a group commit and
 * rolls back to it when the commit fails (nothing of the group happened),
 * or releases it once the rows are committed. One is open at a time;
 * every engine call between the two may change state as usual. The cost
 * is a copy of the engine's own 8 KB (counters, numbering, recent presses)
 * and what the calls change (each ticket touched and each counter's ring
 * of service times is saved once, before its first change; a rollover
 * saves them all), not the size of the queue.
 * mc_engine_savepoint returns 0, or -1 on out of memory (no savepoint is
 * open then, nothing changed): it reserves room to save every ticket, so
 * the calls that follow never fail for want of it. */
int mc_engine_savepoint(struct mc_engine *e);
/* Puts back the whole state as it was at the open savepoint, and closes it. */
void mc_engine_rollback(struct mc_engine *e);
/* Keeps every change since the open savepoint, and closes it. */
void mc_engine_release(struct mc_engine *e);

/* Tells the engine whether the printer can print. */
void mc_engine_set_printer(struct mc_engine *e, enum mc_printer_ok state);
/* Technician switch: refuse new tickets while paused. */
void mc_engine_set_issuing_paused(struct mc_engine *e, bool paused);
/* The clock's hold on issuing: MC_OK while the wall clock is trusted and on
 * the office day, else the refusal every press gets (MC_E_CLOCK_*). */
void mc_engine_set_clock(struct mc_engine *e, enum mc_err hold);

/* ---- queries ---- */

/* Is the office open at w? If not and next_day is not NULL, fills the next
 * opening (day and minute; minute -1 when none within a year). */
bool mc_engine_is_open(const struct mc_engine *e, const struct mc_when *w,
		       int32_t *next_day, int *next_minute);
/* Current local day of the engine. */
int32_t mc_engine_day(const struct mc_engine *e);
/* Tickets waiting for service index, or for all services when -1. */
int mc_engine_waiting(const struct mc_engine *e, int service);
/* Tickets waiting that counter number may call. */
int mc_engine_waiting_for_counter(const struct mc_engine *e, int counter);
/* Estimated wait of a new ticket for service, in ms. */
int64_t mc_engine_estimate(const struct mc_engine *e, int service, bool priority);
/* The ticket with id, or NULL. Valid until the next engine call. */
const struct mc_ticket *mc_engine_ticket(const struct mc_engine *e, int64_t id);
/* Tickets in memory (today's and open ones), in id order. Valid until the
 * next engine call. */
const struct mc_ticket *mc_engine_tickets(const struct mc_engine *e, size_t *n);
/* A counter's state, by number, or NULL. */
const struct mc_counter_state *mc_engine_counter_state(const struct mc_engine *e, int counter);
/* The printer state the engine was last told. */
enum mc_printer_ok mc_engine_printer(const struct mc_engine *e);
/* Whether issuing is paused by the technician. */
bool mc_engine_issuing_paused(const struct mc_engine *e);
/* The clock's hold on issuing last set (MC_OK: none). */
enum mc_err mc_engine_clock(const struct mc_engine *e);

/* Names for logs and the socket protocol. Static strings. */
const char *mc_ticket_status_name(enum mc_ticket_status s);
const char *mc_print_status_name(enum mc_print_status s);
const char *mc_event_kind_name(enum mc_event_kind k);
/* Parses names back; -1 if unknown. */
int mc_ticket_status_from_name(const char *s);
int mc_print_status_from_name(const char *s);

#endif
