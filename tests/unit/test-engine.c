/* test-engine.c — every queue rule of the engine, driven with chosen times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "engine.h"

#define BOARD \
	"[office]\n" \
	"name = UBND phường Thử\n" \
	"hours = mon-fri 07:30-11:30 13:30-17:00; sat 07:30-11:30\n" \
	"closed = 2026-09-02, 2027-02-05..2027-02-07\n" \
	"priority = %s\n" \
	"noshow_window = 10m\n" \
	"double_tap = 2s\n" \
	"[service.civil]\nname = Tư pháp – Hộ tịch\nnumbers = 1001-1999\n" \
	"[service.land]\nname = Đất đai\nnumbers = 2001-2999\nservice_time = 10m\n" \
	"[service.biz]\nname = Kinh doanh\nprefix = B\nnumbers = 1-3\n" \
	"[counter.1]\nservices = civil\n" \
	"[counter.2]\nservices = civil, land\n" \
	"[counter.3]\nservices = land, biz\n"

/* Fixture: a config, an engine and a change set. */
struct fx {
	struct mc_config cfg;
	struct mc_engine *e;
	struct mc_changes ch;
	int32_t day;   /* a Wednesday */
	int64_t mono;  /* advancing monotonic clock */
};

static int setup_with(void **state, const char *policy)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[256], text[2048];

	snprintf(text, sizeof(text), BOARD, policy);
	assert_int_equal(mc_config_load_string(text, "test.conf", &f->cfg, err, sizeof(err)), 0);
	f->e = mc_engine_new(&f->cfg);
	f->day = mc_days_from_civil(2026, 11, 25);
	assert_int_equal(mc_weekday(f->day), 3);
	f->mono = 1000000;
	*state = f;
	return 0;
}

static int setup(void **state) { return setup_with(state, "strict"); }
static int setup_every2(void **state) { return setup_with(state, "every 2"); }

static int teardown(void **state)
{
	struct fx *f = *state;

	mc_engine_free(f->e);
	mc_changes_free(&f->ch);
	free(f);
	return 0;
}

/* A moment on day d at hh:mm, advancing the monotonic clock by step_ms. */
static struct mc_when at(struct fx *f, int32_t d, int hh, int mm, int64_t step_ms)
{
	f->mono += step_ms;
	return (struct mc_when){
		.mono_ms = f->mono,
		.wall_ms = ((int64_t)d * 86400 + hh * 3600 + mm * 60 - 7 * 3600) * 1000 + f->mono % 1000,
		.boot = 42,
		.day = d,
		.minute = hh * 60 + mm,
	};
}

static struct mc_ticket press(struct fx *f, int service, bool prio, const char *src)
{
	struct mc_when w = at(f, f->day, 9, 0, 5000);
	struct mc_issue is;

	assert_int_equal(mc_engine_press(f->e, &w, service, prio, src, &is, &f->ch), MC_OK);
	assert_false(is.duplicate);
	return is.ticket;
}

static enum mc_err act(struct fx *f, int counter, enum mc_action a, int arg, struct mc_ticket *t)
{
	struct mc_when w = at(f, f->day, 9, 30, 60000);

	return mc_engine_counter(f->e, &w, counter, a, arg, t, &f->ch);
}

static void next_is(struct fx *f, int counter, const char *label)
{
	struct mc_ticket t;

	assert_int_equal(act(f, counter, MC_A_NEXT, 0, &t), MC_OK);
	assert_string_equal(t.label, label);
	assert_int_equal(t.status, MC_T_CALLED);
	assert_int_equal(t.counter, counter);
}

static bool has_event(const struct mc_changes *ch, enum mc_event_kind k)
{
	for (size_t i = 0; i < ch->nevents; i++)
		if (ch->events[i].kind == k)
			return true;
	return false;
}

/* ---- numbering --------------------------------------------------------- */

static void numbers_run_in_order_with_labels(void **state)
{
	struct fx *f = *state;

	assert_string_equal(press(f, 0, false, NULL).label, "1001");
	assert_string_equal(press(f, 0, false, NULL).label, "1002");
	assert_string_equal(press(f, 1, false, NULL).label, "2001");
	struct mc_ticket b = press(f, 2, false, NULL);
	assert_string_equal(b.label, "B1");
	assert_int_equal(b.number, 1);
	/* Each issue is one ticket row and one event in the change set. */
	assert_int_equal(f->ch.ntickets, 1);
	assert_int_equal(f->ch.nevents, 1);
	assert_int_equal(f->ch.events[0].kind, MC_EV_ISSUE);
}

static void numbers_restart_each_day_and_old_tickets_expire(void **state)
{
	struct fx *f = *state;

	press(f, 0, false, NULL);
	struct mc_ticket t2 = press(f, 0, false, NULL);
	assert_string_equal(t2.label, "1002");
	f->day += 1;
	struct mc_ticket t = press(f, 0, false, NULL);
	assert_string_equal(t.label, "1001");
	assert_int_equal(t.day, f->day);
	assert_true(has_event(&f->ch, MC_EV_ROLLOVER));
	assert_true(has_event(&f->ch, MC_EV_EXPIRE));
	/* Yesterday's tickets are not waiting any more. */
	assert_int_equal(mc_engine_waiting(f->e, 0), 1);
}

static void range_wraps_only_past_closed_numbers(void **state)
{
	struct fx *f = *state;

	assert_string_equal(press(f, 2, false, NULL).label, "B1");
	assert_string_equal(press(f, 2, false, NULL).label, "B2");
	assert_string_equal(press(f, 2, false, NULL).label, "B3");
	/* B1 is served and done; B2, B3 still wait. */
	next_is(f, 3, "B1");
	assert_int_equal(act(f, 3, MC_A_FINISH, 0, NULL), MC_OK);
	struct mc_ticket w = press(f, 2, false, NULL);
	assert_string_equal(w.label, "B1");
	assert_int_equal(w.round, 1);
	/* Now every number is held by an open ticket: no number left. */
	struct mc_when t = at(f, f->day, 9, 10, 5000);
	struct mc_issue is;
	assert_int_equal(mc_engine_press(f->e, &t, 2, false, NULL, &is, &f->ch), MC_E_EXHAUSTED);
	assert_int_equal(f->ch.ntickets, 0);
	/* B2 is called and marked no-show: that frees number 2, not 3. */
	next_is(f, 3, "B2");
	assert_int_equal(act(f, 3, MC_A_NOSHOW, 0, NULL), MC_OK);
	/* A no-show may still come back, so its number stays taken. */
	assert_int_equal(mc_engine_press(f->e, &t, 2, false, NULL, &is, &f->ch), MC_E_EXHAUSTED);
	next_is(f, 3, "B3");
	assert_int_equal(act(f, 3, MC_A_FINISH, 0, NULL), MC_OK);
	struct mc_ticket x = press(f, 2, false, NULL);
	assert_string_equal(x.label, "B3");
	assert_int_equal(x.round, 1);
}

/* The whole range of civil (999 numbers, 16 words of the open-number
 * bits) issued, then 130 served: a wrap hands out exactly the freed
 * numbers, across the bits' word boundaries, in order, then none; a
 * number freed past them (the third word) is the next one given. */
static void wrap_over_a_long_range_gives_each_freed_number_once(void **state)
{
	struct fx *f = *state;
	char want[16];

	for (int i = 0; i < 999; i++)
		assert_int_equal(press(f, 0, false, NULL).number, 1001 + i);
	for (int i = 0; i < 130; i++) {
		snprintf(want, sizeof(want), "%d", 1001 + i);
		next_is(f, 1, want);
		assert_int_equal(act(f, 1, MC_A_FINISH, 0, NULL), MC_OK);
	}
	for (int i = 0; i < 130; i++) {
		struct mc_ticket t = press(f, 0, false, NULL);
		assert_int_equal(t.number, 1001 + i);
		assert_int_equal(t.round, 1);
	}
	struct mc_when w = at(f, f->day, 9, 40, 5000);
	struct mc_issue is;
	assert_int_equal(mc_engine_press(f->e, &w, 0, false, NULL, &is, &f->ch), MC_E_EXHAUSTED);
	next_is(f, 1, "1131");
	assert_int_equal(act(f, 1, MC_A_FINISH, 0, NULL), MC_OK);
	struct mc_ticket t = press(f, 0, false, NULL);
	assert_int_equal(t.number, 1131);
	assert_int_equal(t.round, 1);
	assert_int_equal(mc_engine_press(f->e, &w, 0, false, NULL, &is, &f->ch), MC_E_EXHAUSTED);
}

/* Tickets of today restored from the store under an earlier board.conf
 * whose civil range started at 990: past a wrap, the numbers below today's
 * range (1001-1999) are still asked of the tickets (not of the range's
 * bits, which do not cover them; under ASan a read outside those would
 * show): 996 is held, so 997 is next. */
static void wrap_past_numbers_of_an_earlier_range(void **state)
{
	struct fx *f = *state;
	struct mc_when w = at(f, f->day, 9, 0, 5000);
	struct mc_ticket waiting = { .id = 1, .service = 0, .cur_service = 0, .day = f->day, .round = 1,
				     .number = 996, .status = MC_T_WAITING, .print = MC_P_PRINTED };
	struct mc_ticket done = waiting;

	done.id = 2; /* the last issued: it sets the numbering */
	done.number = 995;
	done.status = MC_T_FINISHED;
	snprintf(waiting.label, sizeof(waiting.label), "996");
	snprintf(done.label, sizeof(done.label), "995");
	struct mc_engine *e2 = mc_engine_new(&f->cfg);
	mc_engine_restore_begin(e2, f->day, 3);
	assert_int_equal(mc_engine_restore_ticket(e2, &waiting), 0);
	assert_int_equal(mc_engine_restore_ticket(e2, &done), 0);
	assert_int_equal(mc_engine_restore_end(e2, &w, &f->ch), 0);
	mc_engine_free(f->e);
	f->e = e2;
	mc_engine_set_printer(f->e, MC_PRINTER_READY);
	/* The last issued (id 2) is 995 in round 1: 996 is held, 997 is not. */
	struct mc_ticket t = press(f, 0, false, NULL);
	assert_int_equal(t.number, 997);
	assert_int_equal(t.round, 1);
}

/* ---- calling order ----------------------------------------------------- */

static void strict_priority_goes_first(void **state)
{
	struct fx *f = *state;

	press(f, 0, false, NULL);              /* 1001 */
	press(f, 0, false, NULL);              /* 1002 */
	press(f, 0, true, NULL);               /* 1003, priority */
	next_is(f, 1, "1003");
	next_is(f, 1, "1001");
	next_is(f, 1, "1002");
	assert_int_equal(act(f, 1, MC_A_NEXT, 0, NULL), MC_E_EMPTY);
	/* The empty NEXT still finished 1002. */
	assert_true(has_event(&f->ch, MC_EV_FINISH));
}

static void one_priority_after_every_n_normal(void **state)
{
	struct fx *f = *state;

	press(f, 0, false, NULL);  /* 1001 */
	press(f, 0, false, NULL);  /* 1002 */
	press(f, 0, false, NULL);  /* 1003 */
	press(f, 0, true, NULL);   /* 1004 P */
	press(f, 0, true, NULL);   /* 1005 P */
	press(f, 0, false, NULL);  /* 1006 */
	next_is(f, 1, "1001");
	next_is(f, 1, "1002");
	next_is(f, 1, "1004");
	next_is(f, 1, "1003");
	next_is(f, 1, "1006");
	next_is(f, 1, "1005");
}

static void priority_next_key_takes_priority(void **state)
{
	struct fx *f = *state;
	struct mc_ticket t;

	press(f, 0, false, NULL);
	press(f, 0, true, NULL);
	press(f, 0, false, NULL);
	assert_int_equal(act(f, 1, MC_A_PRIORITY_NEXT, 0, &t), MC_OK);
	assert_string_equal(t.label, "1002");
	/* No priority left: it takes the next normal ticket. */
	assert_int_equal(act(f, 1, MC_A_PRIORITY_NEXT, 0, &t), MC_OK);
	assert_string_equal(t.label, "1001");
}

/* A keypad's NEXT carries [office] next_hold as arg: the key again
 * before the citizen could come changes nothing (before, 20 NEXTs in
 * 105 ms called and "served" ten citizens in 5 ms each). */
static void a_next_key_again_within_the_hold_changes_nothing(void **state)
{
	struct fx *f = *state;
	struct mc_ticket t;

	for (int i = 0; i < 3; i++)
		press(f, 0, false, NULL);
	press(f, 0, true, NULL); /* 1004, priority */
	struct mc_when w = at(f, f->day, 9, 30, 60000);
	mc_changes_clear(&f->ch);
	assert_int_equal(mc_engine_counter(f->e, &w, 1, MC_A_NEXT, 3000, &t, &f->ch), MC_OK);
	assert_string_equal(t.label, "1004");
	/* 2.999 s after the call: NEXT, then the priority NEXT: held. */
	for (int k = 0; k < 2; k++) {
		w = at(f, f->day, 9, 30, k == 0 ? 2999 : 0);
		mc_changes_clear(&f->ch);
		assert_int_equal(mc_engine_counter(f->e, &w, 1, k ? MC_A_PRIORITY_NEXT : MC_A_NEXT, 3000, &t,
						   &f->ch), MC_OK);
		assert_string_equal(t.label, "1004");
		assert_int_equal(t.status, MC_T_CALLED);
		assert_int_equal(f->ch.ntickets + f->ch.ncounters + f->ch.nevents, 0);
	}
	/* 3 s after the call: served, and the next one called. */
	w = at(f, f->day, 9, 30, 1);
	assert_int_equal(mc_engine_counter(f->e, &w, 1, MC_A_NEXT, 3000, &t, &f->ch), MC_OK);
	assert_string_equal(t.label, "1001");
	const struct mc_ticket *first = mc_engine_ticket(f->e, 4);
	assert_non_null(first);
	assert_int_equal(first->status, MC_T_FINISHED);
	/* Without a hold (the control socket's default): at once. */
	w = at(f, f->day, 9, 30, 0);
	assert_int_equal(mc_engine_counter(f->e, &w, 1, MC_A_NEXT, 0, &t, &f->ch), MC_OK);
	assert_string_equal(t.label, "1002");
	/* A recalled ticket still counts from its call; a no-show is not held. */
	w = at(f, f->day, 9, 30, 0);
	assert_int_equal(mc_engine_counter(f->e, &w, 1, MC_A_NOSHOW, 0, &t, &f->ch), MC_OK);
	w = at(f, f->day, 9, 30, 0);
	assert_int_equal(mc_engine_counter(f->e, &w, 1, MC_A_NEXT, 3000, &t, &f->ch), MC_OK);
	assert_string_equal(t.label, "1003");
}

static void next_follows_issue_time_across_services(void **state)
{
	struct fx *f = *state;

	press(f, 1, false, NULL); /* 2001 */
	press(f, 0, false, NULL); /* 1001 */
	press(f, 1, false, NULL); /* 2002 */
	next_is(f, 2, "2001");    /* counter 2 serves both */
	next_is(f, 2, "1001");
	/* Counter 1 serves civil only: land waits for 2 or 3. */
	assert_int_equal(act(f, 1, MC_A_NEXT, 0, NULL), MC_E_EMPTY);
	next_is(f, 3, "2002");
}

static void recall_repeats_current(void **state)
{
	struct fx *f = *state;
	struct mc_ticket t;

	assert_int_equal(act(f, 1, MC_A_RECALL, 0, &t), MC_E_NO_CURRENT);
	press(f, 0, false, NULL);
	next_is(f, 1, "1001");
	assert_int_equal(act(f, 1, MC_A_RECALL, 0, &t), MC_OK);
	assert_string_equal(t.label, "1001");
	assert_true(has_event(&f->ch, MC_EV_RECALL));
	assert_int_equal(mc_engine_counter_state(f->e, 1)->current, t.id);
}

static void noshow_can_be_reactivated_within_window(void **state)
{
	struct fx *f = *state;
	struct mc_ticket t;

	press(f, 0, false, NULL);
	press(f, 0, false, NULL);
	press(f, 0, false, NULL);
	next_is(f, 1, "1001");
	assert_int_equal(act(f, 1, MC_A_NOSHOW, 0, &t), MC_OK);
	assert_int_equal(t.status, MC_T_NOSHOW);
	assert_int_equal(mc_engine_counter_state(f->e, 1)->current, 0);
	next_is(f, 1, "1002");
	int64_t serving = mc_engine_counter_state(f->e, 1)->current;
	/* 1001 comes back while the clerk serves 1002: 1002's service goes on,
	 * and 1001 waits first in counter 1's queue (no call yet). */
	assert_int_equal(act(f, 1, MC_A_REACTIVATE, 0, &t), MC_OK);
	assert_string_equal(t.label, "1001");
	assert_int_equal(t.status, MC_T_WAITING);
	assert_false(has_event(&f->ch, MC_EV_FINISH));
	assert_false(has_event(&f->ch, MC_EV_CALL));
	assert_true(has_event(&f->ch, MC_EV_REACTIVATE));
	assert_int_equal(mc_engine_counter_state(f->e, 1)->current, serving);
	assert_int_equal(mc_engine_ticket(f->e, serving)->status, MC_T_CALLED);
	/* Another counter does not take the citizen waiting at counter 1. */
	next_is(f, 2, "1003");
	/* 1002's service time runs from its call to its real finish: three
	 * steps of a minute (reactivate, counter 2's call, this finish). */
	assert_int_equal(act(f, 1, MC_A_FINISH, 0, &t), MC_OK);
	assert_int_equal(t.service_ms, 3 * 60000);
	/* Counter 1's next call is 1001, ahead of anyone else. */
	press(f, 0, false, NULL);
	next_is(f, 1, "1001");
	/* On a free counter a reactivation calls at once. */
	assert_int_equal(act(f, 1, MC_A_NOSHOW, 0, NULL), MC_OK);
	assert_int_equal(act(f, 1, MC_A_REACTIVATE, 0, &t), MC_OK);
	assert_int_equal(t.status, MC_T_CALLED);
	assert_int_equal(mc_engine_counter_state(f->e, 1)->current, t.id);
	/* Another counter cannot reactivate it. */
	assert_int_equal(act(f, 1, MC_A_NOSHOW, 0, NULL), MC_OK);
	assert_int_equal(act(f, 2, MC_A_REACTIVATE, 0, NULL), MC_E_NO_TICKET);
	/* Past the ten-minute window it is too late. */
	f->mono += 11 * 60000;
	assert_int_equal(act(f, 1, MC_A_REACTIVATE, 1001, NULL), MC_E_TOO_LATE);
}

static void finish_records_wait_and_service_from_monotonic_time(void **state)
{
	struct fx *f = *state;
	struct mc_ticket t;

	struct mc_ticket issued = press(f, 0, false, NULL);
	struct mc_when w1 = at(f, f->day, 9, 0, 120000);
	/* The wall clock jumps back an hour between issue and call. */
	w1.wall_ms -= 3600 * 1000;
	assert_int_equal(mc_engine_counter(f->e, &w1, 1, MC_A_NEXT, 0, &t, &f->ch), MC_OK);
	assert_int_equal(t.wait_ms, 120000);
	struct mc_when w2 = at(f, f->day, 9, 5, 300000);
	assert_int_equal(mc_engine_counter(f->e, &w2, 1, MC_A_FINISH, 0, &t, &f->ch), MC_OK);
	assert_int_equal(t.status, MC_T_FINISHED);
	assert_int_equal(t.service_ms, 300000);
	assert_int_equal(t.id, issued.id);
	assert_int_equal(mc_engine_counter_state(f->e, 1)->last_served, t.id);
}

static void wait_across_reboot_uses_wall_clock_never_negative(void **state)
{
	struct fx *f = *state;
	struct mc_ticket t;

	press(f, 0, false, NULL);
	press(f, 0, false, NULL);
	/* Rebooted: new boot id, monotonic clock restarted. */
	struct mc_when w = at(f, f->day, 9, 10, 0);
	w.boot = 43;
	w.mono_ms = 500;
	assert_int_equal(mc_engine_counter(f->e, &w, 1, MC_A_NEXT, 0, &t, &f->ch), MC_OK);
	assert_true(t.wait_ms >= 600000 - 10000 && t.wait_ms <= 600000 + 10000);
	/* And a wall clock set back before the issue time gives 0, not < 0. */
	w.wall_ms -= 24 * 3600 * 1000;
	w.boot = 44;
	assert_int_equal(mc_engine_counter(f->e, &w, 1, MC_A_NEXT, 0, &t, &f->ch), MC_OK);
	assert_int_equal(t.wait_ms, 0);
}

static void transfer_keeps_original_place(void **state)
{
	struct fx *f = *state;
	struct mc_ticket t;

	press(f, 0, false, NULL);   /* 1001 civil */
	press(f, 1, false, NULL);   /* 2001 land */
	press(f, 1, false, NULL);   /* 2002 land */
	next_is(f, 1, "1001");
	assert_int_equal(act(f, 1, MC_A_TRANSFER, 1, &t), MC_OK);
	assert_int_equal(t.status, MC_T_WAITING);
	assert_int_equal(t.cur_service, 1);
	assert_int_equal(t.service, 0);
	assert_int_equal(t.transfers, 1);
	assert_int_equal(mc_engine_waiting(f->e, 1), 3);
	/* Counter 3 (land) takes it before 2001: it was issued first. */
	next_is(f, 3, "1001");
	next_is(f, 3, "2001");
	/* Transfer to the same service, or with nobody called, is refused. */
	assert_int_equal(act(f, 3, MC_A_TRANSFER, 1, NULL), MC_E_BAD_ARG);
	assert_int_equal(act(f, 1, MC_A_TRANSFER, 1, NULL), MC_E_NO_CURRENT);
	assert_int_equal(act(f, 3, MC_A_TRANSFER, 9, NULL), MC_E_BAD_ARG);
}

static void paused_counter_calls_nobody(void **state)
{
	struct fx *f = *state;

	press(f, 0, false, NULL);
	assert_int_equal(act(f, 1, MC_A_PAUSE, 0, NULL), MC_OK);
	assert_true(mc_engine_counter_state(f->e, 1)->paused);
	assert_int_equal(act(f, 1, MC_A_NEXT, 0, NULL), MC_E_PAUSED);
	assert_int_equal(act(f, 1, MC_A_PAUSE_TOGGLE, 0, NULL), MC_OK);
	assert_false(mc_engine_counter_state(f->e, 1)->paused);
	next_is(f, 1, "1001");
	assert_int_equal(act(f, 1, MC_A_PAUSE_TOGGLE, 0, NULL), MC_OK);
	assert_true(has_event(&f->ch, MC_EV_PAUSE));
	assert_int_equal(act(f, 1, MC_A_RESUME, 0, NULL), MC_OK);
	assert_true(has_event(&f->ch, MC_EV_RESUME));
}

static void clerk_login_is_recorded_on_calls(void **state)
{
	struct fx *f = *state;
	struct mc_ticket t;

	press(f, 0, false, NULL);
	press(f, 0, false, NULL);
	assert_int_equal(act(f, 1, MC_A_LOGIN, 7, NULL), MC_OK);
	assert_int_equal(act(f, 1, MC_A_NEXT, 0, &t), MC_OK);
	assert_int_equal(t.clerk, 7);
	assert_int_equal(act(f, 1, MC_A_LOGIN, 9, NULL), MC_OK);
	assert_true(has_event(&f->ch, MC_EV_LOGOUT)); /* 7 is logged out first */
	assert_true(has_event(&f->ch, MC_EV_LOGIN));
	assert_int_equal(act(f, 1, MC_A_LOGOUT, 0, NULL), MC_OK);
	assert_int_equal(act(f, 1, MC_A_NEXT, 0, &t), MC_OK);
	assert_int_equal(t.clerk, 0);
	assert_int_equal(act(f, 1, MC_A_LOGIN, 256, NULL), MC_E_BAD_ARG);
}

static void rating_applies_to_last_served_once(void **state)
{
	struct fx *f = *state;
	struct mc_ticket t;

	assert_int_equal(act(f, 1, MC_A_RATE, 3, NULL), MC_E_NO_TICKET);
	press(f, 0, false, NULL);
	next_is(f, 1, "1001");
	assert_int_equal(act(f, 1, MC_A_FINISH, 0, NULL), MC_OK);
	assert_int_equal(act(f, 1, MC_A_RATE, 5, NULL), MC_E_BAD_ARG);
	assert_int_equal(act(f, 1, MC_A_RATE, 4, &t), MC_OK);
	assert_int_equal(t.rating, 4);
	assert_string_equal(t.label, "1001");
	assert_int_equal(act(f, 1, MC_A_RATE, 1, NULL), MC_E_RATED);
}

/* ---- hours, days ------------------------------------------------------- */

static void press_outside_hours_gives_next_opening(void **state)
{
	struct fx *f = *state;
	struct mc_issue is;
	struct mc_when w;

	/* Wednesday 06:00: opens 07:30 today. */
	w = at(f, f->day, 6, 0, 1000);
	assert_int_equal(mc_engine_press(f->e, &w, 0, false, NULL, &is, &f->ch), MC_E_CLOSED);
	assert_int_equal(is.open_day, f->day);
	assert_int_equal(is.open_minute, 7 * 60 + 30);
	/* Lunch break 12:00: opens 13:30. */
	w = at(f, f->day, 12, 0, 1000);
	assert_int_equal(mc_engine_press(f->e, &w, 0, false, NULL, &is, &f->ch), MC_E_CLOSED);
	assert_int_equal(is.open_minute, 13 * 60 + 30);
	/* Saturday 12:00: opens Monday 07:30. */
	w = at(f, f->day + 3, 12, 0, 1000);
	assert_int_equal(mc_engine_press(f->e, &w, 0, false, NULL, &is, &f->ch), MC_E_CLOSED);
	assert_int_equal(is.open_day, f->day + 5);
	/* 11:29 Wednesday is open, 11:30 is not (spans are half-open). */
	w = at(f, f->day + 7, 11, 29, 1000);
	assert_int_equal(mc_engine_press(f->e, &w, 0, false, NULL, &is, &f->ch), MC_OK);
	w = at(f, f->day + 7, 11, 30, 1000);
	assert_int_equal(mc_engine_press(f->e, &w, 0, false, NULL, &is, &f->ch), MC_E_CLOSED);
}

static void closed_dates_are_skipped(void **state)
{
	struct fx *f = *state;
	struct mc_issue is;
	int32_t natday = mc_days_from_civil(2026, 9, 2); /* a Wednesday, closed */
	struct mc_when w = at(f, natday, 9, 0, 1000);

	assert_int_equal(mc_engine_press(f->e, &w, 0, false, NULL, &is, &f->ch), MC_E_CLOSED);
	assert_int_equal(is.open_day, natday + 1);
	assert_int_equal(is.open_minute, 450);
	/* Tết: Thursday 2027-02-04 evening, closed Fri-Sun, opens Monday. */
	w = at(f, mc_days_from_civil(2027, 2, 4), 18, 0, 1000);
	assert_int_equal(mc_engine_press(f->e, &w, 0, false, NULL, &is, &f->ch), MC_E_CLOSED);
	assert_int_equal(is.open_day, mc_days_from_civil(2027, 2, 8));
}

static void rollover_at_midnight_by_tick(void **state)
{
	struct fx *f = *state;

	press(f, 0, false, NULL);
	press(f, 1, false, NULL);
	next_is(f, 2, "1001");
	assert_int_equal(act(f, 2, MC_A_LOGIN, 3, NULL), MC_OK);
	assert_int_equal(act(f, 2, MC_A_PAUSE, 0, NULL), MC_OK);
	struct mc_when same = at(f, f->day, 23, 59, 1000);
	assert_int_equal(mc_engine_tick(f->e, &same, &f->ch), MC_OK);
	assert_int_equal(f->ch.nevents, 0);
	struct mc_when mid = at(f, f->day + 1, 0, 0, 60000);
	assert_int_equal(mc_engine_tick(f->e, &mid, &f->ch), MC_OK);
	assert_int_equal(mc_engine_day(f->e), f->day + 1);
	assert_true(has_event(&f->ch, MC_EV_ROLLOVER));
	assert_true(has_event(&f->ch, MC_EV_LOGOUT));
	assert_int_equal(f->ch.ntickets, 2); /* 1001 (called) and 2001 (waiting) expire */
	for (size_t i = 0; i < f->ch.ntickets; i++)
		assert_int_equal(f->ch.tickets[i].status, MC_T_EXPIRED);
	const struct mc_counter_state *c = mc_engine_counter_state(f->e, 2);
	assert_int_equal(c->current, 0);
	assert_false(c->paused);
	assert_int_equal(c->clerk, 0);
	assert_int_equal(mc_engine_waiting(f->e, -1), 0);
}

static void rollover_at_opening_without_tick(void **state)
{
	struct fx *f = *state;
	struct mc_issue is;

	press(f, 0, false, NULL);
	press(f, 0, false, NULL);
	/* The kiosk was off overnight; the first press is at opening time. */
	struct mc_when w = at(f, f->day + 1, 7, 30, 3600000);
	assert_int_equal(mc_engine_press(f->e, &w, 0, false, NULL, &is, &f->ch), MC_OK);
	assert_string_equal(is.ticket.label, "1001");
	assert_true(has_event(&f->ch, MC_EV_ROLLOVER));
	assert_int_equal(is.ahead, 0);
}

static void clock_going_back_never_reuses_numbers(void **state)
{
	struct fx *f = *state;
	struct mc_issue is;

	press(f, 0, false, NULL);  /* 1001 today */
	/* The clock reads yesterday (a Pi without RTC before NTP). */
	struct mc_when w = at(f, f->day - 1, 9, 0, 1000);
	assert_int_equal(mc_engine_press(f->e, &w, 0, false, NULL, &is, &f->ch), MC_OK);
	assert_string_equal(is.ticket.label, "1002");
	assert_int_equal(is.ticket.day, f->day);
	assert_int_equal(mc_engine_day(f->e), f->day);
}

/* ---- double tap -------------------------------------------------------- */

static void double_tap_gives_the_same_ticket(void **state)
{
	struct fx *f = *state;
	struct mc_issue is;
	struct mc_ticket first = press(f, 0, false, "gpio:17");
	struct mc_when w = at(f, f->day, 9, 0, 300);

	assert_int_equal(mc_engine_press(f->e, &w, 0, false, "gpio:17", &is, &f->ch), MC_OK);
	assert_true(is.duplicate);
	assert_int_equal(is.ticket.id, first.id);
	assert_int_equal(f->ch.ntickets, 0);
	/* Another input, or another service, is a new ticket. */
	assert_int_equal(mc_engine_press(f->e, &w, 0, false, "touch", &is, &f->ch), MC_OK);
	assert_false(is.duplicate);
	assert_int_equal(mc_engine_press(f->e, &w, 1, false, "gpio:17", &is, &f->ch), MC_OK);
	assert_false(is.duplicate);
	/* After the interval, the same input is a new citizen. */
	w = at(f, f->day, 9, 0, 2500);
	assert_int_equal(mc_engine_press(f->e, &w, 0, false, "gpio:17", &is, &f->ch), MC_OK);
	assert_false(is.duplicate);
	assert_string_equal(is.ticket.label, "1003");
}

/* ---- estimate ---------------------------------------------------------- */

static void estimate_uses_recent_service_times(void **state)
{
	struct fx *f = *state;

	/* No service measured yet: land's default 10 min; two counters serve it. */
	press(f, 1, false, NULL);
	press(f, 1, false, NULL);
	assert_int_equal(mc_engine_estimate(f->e, 1, false), 2 * 600000 / 2);
	/* Counters 2 and 3 serve a land ticket each in 4 and 2 minutes. */
	struct mc_ticket t;
	struct mc_when w = at(f, f->day, 9, 0, 1000);
	assert_int_equal(mc_engine_counter(f->e, &w, 2, MC_A_NEXT, 0, &t, &f->ch), MC_OK);
	assert_int_equal(mc_engine_counter(f->e, &w, 3, MC_A_NEXT, 0, &t, &f->ch), MC_OK);
	w = at(f, f->day, 9, 2, 120000);
	assert_int_equal(mc_engine_counter(f->e, &w, 3, MC_A_FINISH, 0, &t, &f->ch), MC_OK);
	w = at(f, f->day, 9, 4, 120000);
	assert_int_equal(mc_engine_counter(f->e, &w, 2, MC_A_FINISH, 0, &t, &f->ch), MC_OK);
	press(f, 1, false, NULL);
	press(f, 1, false, NULL);
	press(f, 1, false, NULL);
	press(f, 1, false, NULL);
	/* Four waiting, mean of 4 and 2 min = 3 min, two counters: 6 min. */
	assert_int_equal(mc_engine_estimate(f->e, 1, false), 4 * 180000 / 2);
	/* Pause counter 3: one open counter left. */
	assert_int_equal(act(f, 3, MC_A_PAUSE, 0, NULL), MC_OK);
	assert_int_equal(mc_engine_estimate(f->e, 1, false), 4 * 180000);
}

/* ---- printer ----------------------------------------------------------- */

static void printer_state_and_policy(void **state)
{
	struct fx *f = *state;
	struct mc_issue is;
	struct mc_when w = at(f, f->day, 9, 0, 1000);

	/* No [printer]: screen only, callable at once. */
	assert_int_equal(mc_engine_printer(f->e), MC_PRINTER_ABSENT);
	assert_int_equal(press(f, 0, false, NULL).print, MC_P_NONE);

	mc_engine_set_printer(f->e, MC_PRINTER_READY);
	struct mc_ticket p = press(f, 0, false, NULL);
	struct mc_ticket q = press(f, 0, false, NULL);
	assert_int_equal(p.print, MC_P_PENDING);
	next_is(f, 1, "1001");
	/* Pending prints are not called until printed. */
	assert_int_equal(act(f, 1, MC_A_NEXT, 0, NULL), MC_E_EMPTY);
	assert_int_equal(mc_engine_printed(f->e, &w, p.id, true, &f->ch), MC_OK);
	assert_true(has_event(&f->ch, MC_EV_PRINTED));
	/* A failed print voids the ticket: never called. */
	assert_int_equal(mc_engine_printed(f->e, &w, q.id, false, &f->ch), MC_OK);
	assert_int_equal(mc_engine_ticket(f->e, q.id)->status, MC_T_VOIDED);
	/* Reported twice: nothing changes. */
	assert_int_equal(mc_engine_printed(f->e, &w, q.id, true, &f->ch), MC_OK);
	assert_int_equal(f->ch.nevents, 0);
	next_is(f, 1, "1002");
	assert_int_equal(act(f, 1, MC_A_NEXT, 0, NULL), MC_E_EMPTY);

	/* A job cut off part way may be on paper: in doubt, called like any other. */
	struct mc_ticket r = press(f, 0, false, NULL);
	assert_int_equal(mc_engine_print_outcome(f->e, &w, r.id, MC_P_IN_DOUBT, false, &f->ch), MC_OK);
	assert_true(has_event(&f->ch, MC_EV_PRINT_IN_DOUBT));
	assert_int_equal(mc_engine_ticket(f->e, r.id)->status, MC_T_WAITING);
	next_is(f, 1, "1004");
	/* Refused before any byte, but a screen showed the number: callable. */
	struct mc_ticket s2 = press(f, 0, false, NULL);
	assert_int_equal(mc_engine_print_outcome(f->e, &w, s2.id, MC_P_FAILED, true, &f->ch), MC_OK);
	assert_int_equal(mc_engine_ticket(f->e, s2.id)->print, MC_P_FAILED);
	assert_false(has_event(&f->ch, MC_EV_VOID));
	next_is(f, 1, "1005");
	/* Nothing else is an outcome. */
	struct mc_ticket u = press(f, 0, false, NULL);
	assert_int_equal(mc_engine_print_outcome(f->e, &w, u.id, MC_P_PENDING, false, &f->ch), MC_E_BAD_ARG);

	/* A full print queue under refuse: refused before a number is used. */
	mc_engine_set_printer(f->e, MC_PRINTER_FULL);
	assert_int_equal(mc_engine_press(f->e, &w, 0, false, NULL, &is, &f->ch), MC_E_PRINTER_BUSY);
	assert_string_equal(mc_err_token(MC_E_PRINTER_BUSY), "printer_busy");
	assert_int_equal(f->ch.ntickets, 0);

	/* Printer down with the default policy (refuse). */
	mc_engine_set_printer(f->e, MC_PRINTER_DOWN);
	assert_int_equal(mc_engine_press(f->e, &w, 0, false, NULL, &is, &f->ch), MC_E_PRINTER);
	mc_engine_set_issuing_paused(f->e, true);
	mc_engine_set_printer(f->e, MC_PRINTER_READY);
	assert_int_equal(mc_engine_press(f->e, &w, 0, false, NULL, &is, &f->ch), MC_E_ISSUING_PAUSED);
}

static void printer_down_screen_policy_issues_unprinted(void **state)
{
	struct fx *f = *state;
	char err[256];
	struct mc_issue is;

	char text[2048];
	snprintf(text, sizeof(text), BOARD, "strict");
	strcat(text, "[printer]\ndevice = file:/tmp/x\non_failure = screen\n[screen]\n");
	assert_int_equal(mc_config_load_string(text, "t.conf", &f->cfg, err, sizeof(err)), 0);
	mc_engine_free(f->e);
	f->e = mc_engine_new(&f->cfg);
	assert_int_equal(mc_engine_printer(f->e), MC_PRINTER_READY);
	mc_engine_set_printer(f->e, MC_PRINTER_DOWN);
	struct mc_when w = at(f, f->day, 9, 0, 1000);
	assert_int_equal(mc_engine_press(f->e, &w, 0, false, NULL, &is, &f->ch), MC_OK);
	assert_int_equal(is.ticket.print, MC_P_NONE);
	next_is(f, 1, "1001");
	/* Past the print queue's bound: shown, failed at once, never printed
	 * later, and callable. */
	mc_engine_set_printer(f->e, MC_PRINTER_FULL);
	assert_int_equal(mc_engine_press(f->e, &w, 0, false, NULL, &is, &f->ch), MC_OK);
	assert_int_equal(is.ticket.print, MC_P_FAILED);
	assert_int_equal(is.ticket.status, MC_T_WAITING);
	next_is(f, 1, "1002");
}

/* ---- restore ----------------------------------------------------------- */

/* Plays change sets into a table, as the store would. */
struct table {
	struct mc_ticket rows[64];
	int n;
	struct mc_counter_state counters[8];
	int nc;
};

static void apply(struct table *tb, const struct mc_changes *ch)
{
	for (size_t i = 0; i < ch->ntickets; i++) {
		int j;
		for (j = 0; j < tb->n && tb->rows[j].id != ch->tickets[i].id; j++)
			;
		tb->rows[j] = ch->tickets[i];
		if (j == tb->n)
			tb->n++;
	}
	for (size_t i = 0; i < ch->ncounters; i++) {
		int j;
		for (j = 0; j < tb->nc && tb->counters[j].number != ch->counters[i].number; j++)
			;
		tb->counters[j] = ch->counters[i];
		if (j == tb->nc)
			tb->nc++;
	}
}

static void restore_continues_numbering_and_keeps_in_doubt(void **state)
{
	struct fx *f = *state;
	struct table tb = { 0 };
	struct mc_ticket t;

	mc_engine_set_printer(f->e, MC_PRINTER_READY);
	struct mc_ticket a = press(f, 0, false, NULL);
	apply(&tb, &f->ch);
	struct mc_ticket b = press(f, 0, false, NULL);
	apply(&tb, &f->ch);
	press(f, 0, false, NULL); /* 1003: printing never reported */
	apply(&tb, &f->ch);
	struct mc_when w = at(f, f->day, 9, 0, 1000);
	mc_engine_printed(f->e, &w, a.id, true, &f->ch);
	apply(&tb, &f->ch);
	mc_engine_printed(f->e, &w, b.id, true, &f->ch);
	apply(&tb, &f->ch);
	next_is(f, 1, "1001");
	apply(&tb, &f->ch);

	/* Power cut. A new engine is rebuilt from the rows. */
	struct mc_engine *e2 = mc_engine_new(&f->cfg);
	mc_engine_restore_begin(e2, f->day, 4);
	for (int i = 0; i < tb.n; i++)
		assert_int_equal(mc_engine_restore_ticket(e2, &tb.rows[i]), 0);
	for (int i = 0; i < tb.nc; i++)
		mc_engine_restore_counter(e2, &tb.counters[i]);
	assert_int_equal(mc_engine_restore_end(e2, &w, &f->ch), 0);
	/* 1003 may be on paper: in doubt, still waiting, never voided. */
	assert_int_equal(f->ch.ntickets, 1);
	assert_string_equal(f->ch.tickets[0].label, "1003");
	assert_int_equal(f->ch.tickets[0].status, MC_T_WAITING);
	assert_int_equal(f->ch.tickets[0].print, MC_P_IN_DOUBT);
	assert_true(has_event(&f->ch, MC_EV_PRINT_IN_DOUBT));
	assert_false(has_event(&f->ch, MC_EV_VOID));
	assert_int_equal(mc_engine_counter_state(e2, 1)->current, a.id);
	mc_engine_free(f->e);
	f->e = e2;
	mc_engine_set_printer(f->e, MC_PRINTER_READY);
	struct mc_ticket d = press(f, 0, false, NULL);
	assert_string_equal(d.label, "1004");
	assert_int_equal(d.id, 4);
	/* 1002 is next, then the 1003 in doubt; 1004 is pending. */
	next_is(f, 1, "1002");
	next_is(f, 1, "1003");
	assert_int_equal(act(f, 1, MC_A_NEXT, 0, &t), MC_E_EMPTY);
}

static void unknown_counter_and_service(void **state)
{
	struct fx *f = *state;
	struct mc_issue is;
	struct mc_when w = at(f, f->day, 9, 0, 1000);

	assert_int_equal(act(f, 9, MC_A_NEXT, 0, NULL), MC_E_NO_COUNTER);
	assert_int_equal(mc_engine_press(f->e, &w, 7, false, NULL, &is, &f->ch), MC_E_NO_SERVICE);
	assert_int_equal(mc_engine_press(f->e, &w, -1, false, NULL, &is, &f->ch), MC_E_NO_SERVICE);
	assert_string_equal(mc_err_message(MC_E_CLOSED, "vi"), "Ngoài giờ làm việc");
	assert_string_equal(mc_err_token(MC_E_PAUSED), "paused");
}

/* ---- boundaries (issue 20) --------------------------------------------- */

/* Reloads the fixture with BOARD plus extra sections. */
static void reload(struct fx *f, const char *policy, const char *extra)
{
	char err[256], text[4096];

	snprintf(text, sizeof(text), BOARD "%s", policy, extra);
	assert_int_equal(mc_config_load_string(text, "t.conf", &f->cfg, err, sizeof(err)), 0);
	mc_engine_free(f->e);
	f->e = mc_engine_new(&f->cfg);
}

static void the_only_free_number_is_the_last_issued(void **state)
{
	struct fx *f = *state;
	struct mc_issue is;

	press(f, 2, false, NULL); /* B1 */
	press(f, 2, false, NULL); /* B2 */
	press(f, 2, true, NULL);  /* B3, priority: called first */
	next_is(f, 3, "B3");
	assert_int_equal(act(f, 3, MC_A_FINISH, 0, NULL), MC_OK);
	/* B1 and B2 still wait: the only free number is 3, the last issued. */
	struct mc_ticket t = press(f, 2, false, NULL);
	assert_string_equal(t.label, "B3");
	assert_int_equal(t.round, 1);
	struct mc_when w = at(f, f->day, 9, 0, 1000);
	assert_int_equal(mc_engine_press(f->e, &w, 2, false, NULL, &is, &f->ch), MC_E_EXHAUSTED);
}

static void prefixed_labels_are_as_wide_as_the_range(void **state)
{
	struct fx *f = *state;

	reload(f, "strict",
	       "[service.a]\nname = A\nprefix = A\nnumbers = 1-100\n"
	       "[service.c]\nname = C\nprefix = C\nnumbers = 1-10\n"
	       "[service.d]\nname = D\nprefix = D\nnumbers = 7-9\n"
	       "[service.e]\nname = E\nprefix = E\nnumbers = 1-99\n"
	       "[counter.4]\nservices = a, c, d, e\n");
	assert_string_equal(press(f, 3, false, NULL).label, "A001");
	assert_string_equal(press(f, 4, false, NULL).label, "C01");
	assert_string_equal(press(f, 5, false, NULL).label, "D7");
	assert_string_equal(press(f, 6, false, NULL).label, "E01");
	/* Without a prefix the number is printed as it is. */
	assert_string_equal(press(f, 0, false, NULL).label, "1001");
}

static void double_tap_window_is_half_open(void **state)
{
	struct fx *f = *state;
	struct mc_issue is;
	struct mc_ticket first = press(f, 0, false, "gpio:17");
	struct mc_when w = at(f, f->day, 9, 0, 1999);

	assert_int_equal(mc_engine_press(f->e, &w, 0, false, "gpio:17", &is, &f->ch), MC_OK);
	assert_true(is.duplicate);
	assert_int_equal(is.ticket.id, first.id);
	/* Exactly double_tap (2 s) after the first press: a new citizen. */
	w = at(f, f->day, 9, 0, 1);
	assert_int_equal(mc_engine_press(f->e, &w, 0, false, "gpio:17", &is, &f->ch), MC_OK);
	assert_false(is.duplicate);
	assert_string_equal(is.ticket.label, "1002");
	/* A press from before the remembered ones (another clock) is not a tap. */
	w.mono_ms = first.issued_mono - 10;
	assert_int_equal(mc_engine_press(f->e, &w, 0, false, "gpio:17", &is, &f->ch), MC_OK);
	assert_false(is.duplicate);
	/* After a reboot the same mono time is not the same moment. */
	w = at(f, f->day, 9, 0, 100);
	w.boot = 99;
	assert_int_equal(mc_engine_press(f->e, &w, 0, false, "gpio:17", &is, &f->ch), MC_OK);
	assert_false(is.duplicate);
}

static void priority_press_right_after_a_normal_one_is_new(void **state)
{
	struct fx *f = *state;
	struct mc_issue is;

	press(f, 0, false, "touch");
	struct mc_when w = at(f, f->day, 9, 0, 300);
	assert_int_equal(mc_engine_press(f->e, &w, 0, true, "touch", &is, &f->ch), MC_OK);
	assert_false(is.duplicate);
	assert_true(is.ticket.priority);
	assert_string_equal(is.ticket.label, "1002");
	/* Strict priority: it is called first, so nobody is ahead of it. */
	assert_int_equal(is.ahead, 0);
	/* Its own double tap gives it back with the same figures. */
	w = at(f, f->day, 9, 0, 300);
	assert_int_equal(mc_engine_press(f->e, &w, 0, true, "touch", &is, &f->ch), MC_OK);
	assert_true(is.duplicate);
	assert_string_equal(is.ticket.label, "1002");
	assert_int_equal(is.ahead, 1); /* itself, now waiting */
	next_is(f, 1, "1002");
}

static void reactivation_exactly_at_the_window(void **state)
{
	struct fx *f = *state;
	struct mc_ticket t;

	press(f, 0, false, NULL);
	press(f, 0, false, NULL);
	next_is(f, 1, "1001");
	struct mc_when w1 = at(f, f->day, 9, 30, 1000);
	assert_int_equal(mc_engine_counter(f->e, &w1, 1, MC_A_NOSHOW, 0, &t, &f->ch), MC_OK);
	next_is(f, 1, "1002");
	struct mc_when w2 = at(f, f->day, 9, 31, 1000);
	assert_int_equal(mc_engine_counter(f->e, &w2, 1, MC_A_NOSHOW, 0, &t, &f->ch), MC_OK);
	/* noshow_window = 10m: exactly 600000 ms after 1001's no-show is in time;
	 * by number it is 1001, not the latest no-show. */
	struct mc_when r = at(f, f->day, 9, 40, 0);
	r.mono_ms = w1.mono_ms + 600000;
	assert_int_equal(mc_engine_counter(f->e, &r, 1, MC_A_REACTIVATE, 1001, &t, &f->ch), MC_OK);
	assert_string_equal(t.label, "1001");
	assert_int_equal(t.status, MC_T_CALLED);
	assert_int_equal(mc_engine_counter_state(f->e, 1)->current, t.id);
	/* Without a number: the latest no-show, 1002. The counter serves 1001,
	 * who is not finished by it: 1002 goes first in its queue. */
	assert_int_equal(mc_engine_counter(f->e, &r, 1, MC_A_REACTIVATE, 0, &t, &f->ch), MC_OK);
	assert_string_equal(t.label, "1002");
	assert_false(has_event(&f->ch, MC_EV_FINISH));
	assert_int_equal(mc_engine_ticket(f->e, 1)->status, MC_T_CALLED);
	assert_int_equal(mc_engine_counter(f->e, &r, 1, MC_A_NEXT, 0, &t, &f->ch), MC_OK);
	assert_string_equal(t.label, "1002");
	assert_int_equal(mc_engine_ticket(f->e, 1)->status, MC_T_FINISHED);
	/* One ms past the window is too late, the window itself is not. */
	assert_int_equal(mc_engine_counter(f->e, &r, 1, MC_A_NOSHOW, 0, &t, &f->ch), MC_OK);
	r.mono_ms += 600001;
	assert_int_equal(mc_engine_counter(f->e, &r, 1, MC_A_REACTIVATE, 0, NULL, &f->ch), MC_E_TOO_LATE);
	assert_int_equal(f->ch.ntickets, 0);
	r.mono_ms -= 1;
	assert_int_equal(mc_engine_counter(f->e, &r, 1, MC_A_REACTIVATE, 0, NULL, &f->ch), MC_OK);
	/* A paused counter reactivates nobody. */
	assert_int_equal(mc_engine_counter(f->e, &r, 1, MC_A_NOSHOW, 0, NULL, &f->ch), MC_OK);
	assert_int_equal(mc_engine_counter(f->e, &r, 1, MC_A_PAUSE, 0, NULL, &f->ch), MC_OK);
	assert_int_equal(mc_engine_counter(f->e, &r, 1, MC_A_REACTIVATE, 0, NULL, &f->ch), MC_E_PAUSED);
}

static void transfer_to_the_last_service_and_bounds(void **state)
{
	struct fx *f = *state;
	struct mc_ticket t;

	press(f, 0, false, NULL);
	next_is(f, 2, "1001");
	assert_int_equal(act(f, 2, MC_A_TRANSFER, -1, NULL), MC_E_BAD_ARG);
	assert_int_equal(act(f, 2, MC_A_TRANSFER, 3, NULL), MC_E_BAD_ARG);
	assert_int_equal(act(f, 2, MC_A_TRANSFER, 2, &t), MC_OK);
	assert_int_equal(t.cur_service, 2);
	assert_int_equal(mc_engine_waiting(f->e, 2), 1);
	assert_int_equal(mc_engine_waiting(f->e, 0), 0);
	assert_int_equal(mc_engine_waiting_for_counter(f->e, 1), 0);
	assert_int_equal(mc_engine_waiting_for_counter(f->e, 3), 1);
	assert_int_equal(mc_engine_counter_state(f->e, 2)->current, 0);
	assert_int_equal(mc_engine_counter_state(f->e, 2)->last_served, t.id);
	next_is(f, 3, "1001");
}

static void login_accepts_1_to_255(void **state)
{
	struct fx *f = *state;

	assert_int_equal(act(f, 1, MC_A_LOGIN, 0, NULL), MC_E_BAD_ARG);
	assert_int_equal(act(f, 1, MC_A_LOGIN, 255, NULL), MC_OK);
	assert_int_equal(mc_engine_counter_state(f->e, 1)->clerk, 255);
	assert_int_equal(act(f, 1, MC_A_LOGIN, 1, NULL), MC_OK);
	assert_int_equal(mc_engine_counter_state(f->e, 1)->clerk, 1);
	/* Logging in again as the same clerk changes nothing. */
	assert_int_equal(act(f, 1, MC_A_LOGIN, 1, NULL), MC_OK);
	assert_int_equal(f->ch.nevents, 0);
	assert_int_equal(act(f, 1, MC_A_LOGOUT, 0, NULL), MC_OK);
	assert_true(has_event(&f->ch, MC_EV_LOGOUT));
	assert_int_equal(mc_engine_counter_state(f->e, 1)->clerk, 0);
	assert_int_equal(act(f, 1, MC_A_LOGOUT, 0, NULL), MC_OK);
	assert_int_equal(f->ch.nevents, 0);
}

static void rating_accepts_1_to_4(void **state)
{
	struct fx *f = *state;
	struct mc_ticket t;

	press(f, 0, false, NULL);
	press(f, 0, false, NULL);
	next_is(f, 1, "1001");
	/* Being served, not yet finished: the rating is for the current one. */
	assert_int_equal(act(f, 1, MC_A_RATE, 0, NULL), MC_E_BAD_ARG);
	assert_int_equal(act(f, 1, MC_A_RATE, 1, &t), MC_OK);
	assert_int_equal(t.rating, 1);
	assert_string_equal(t.label, "1001");
	assert_true(has_event(&f->ch, MC_EV_RATE));
	next_is(f, 1, "1002");
	assert_int_equal(act(f, 1, MC_A_FINISH, 0, NULL), MC_OK);
	assert_int_equal(act(f, 1, MC_A_RATE, 4, &t), MC_OK);
	assert_string_equal(t.label, "1002");
	assert_int_equal(mc_engine_ticket(f->e, t.id)->rating, 4);
}

/* ---- who is ahead and how long ----------------------------------------- */

static void ahead_and_wait_for_a_priority_press(void **state)
{
	struct fx *f = *state;
	struct mc_issue is;

	press(f, 1, false, NULL);
	press(f, 1, false, NULL);
	press(f, 1, true, NULL);
	struct mc_when w = at(f, f->day, 9, 0, 1000);
	assert_int_equal(mc_engine_press(f->e, &w, 1, true, NULL, &is, &f->ch), MC_OK);
	/* Only the priority ticket is ahead of a priority citizen. */
	assert_int_equal(is.ahead, 1);
	assert_int_equal(is.est_wait_ms, 1 * 600000 / 2);
	assert_int_equal(mc_engine_estimate(f->e, 1, false), 4 * 600000 / 2);
	assert_int_equal(mc_engine_estimate(f->e, 1, true), 2 * 600000 / 2);
	assert_int_equal(mc_engine_press(f->e, &w, 1, false, NULL, &is, &f->ch), MC_OK);
	assert_int_equal(is.ahead, 4);
	assert_int_equal(is.est_wait_ms, 4 * 600000 / 2);
	/* Another service's queue does not count. */
	assert_int_equal(mc_engine_press(f->e, &w, 0, false, NULL, &is, &f->ch), MC_OK);
	assert_int_equal(is.ahead, 0);
	assert_int_equal(is.est_wait_ms, 0);
}

static void ahead_and_wait_on_a_new_day(void **state)
{
	struct fx *f = *state;
	struct mc_issue is;
	struct mc_ticket t;

	press(f, 1, false, NULL);
	press(f, 1, false, NULL);
	/* A land ticket served in 2 minutes today. */
	struct mc_when w = at(f, f->day, 9, 0, 1000);
	assert_int_equal(mc_engine_counter(f->e, &w, 3, MC_A_NEXT, 0, &t, &f->ch), MC_OK);
	w = at(f, f->day, 9, 2, 120000);
	assert_int_equal(mc_engine_counter(f->e, &w, 3, MC_A_FINISH, 0, &t, &f->ch), MC_OK);
	assert_int_equal(mc_engine_estimate(f->e, 1, false), 1 * 120000 / 2);
	/* Next morning: yesterday's queue and service times are gone. */
	w = at(f, f->day + 1, 8, 0, 3600000);
	assert_int_equal(mc_engine_press(f->e, &w, 1, false, NULL, &is, &f->ch), MC_OK);
	assert_int_equal(is.ahead, 0);
	assert_int_equal(is.est_wait_ms, 0);
	assert_int_equal(mc_engine_press(f->e, &w, 1, false, NULL, &is, &f->ch), MC_OK);
	assert_int_equal(is.ahead, 1);
	assert_int_equal(is.est_wait_ms, 600000 / 2);
}

static void wait_with_every_serving_counter_paused(void **state)
{
	struct fx *f = *state;

	press(f, 1, false, NULL);
	press(f, 1, false, NULL);
	press(f, 1, false, NULL);
	assert_int_equal(act(f, 2, MC_A_PAUSE, 0, NULL), MC_OK);
	assert_int_equal(mc_engine_estimate(f->e, 1, false), 3 * 600000);
	assert_int_equal(act(f, 3, MC_A_PAUSE, 0, NULL), MC_OK);
	/* Nobody open: the estimate counts the counters that serve it, as
	 * they will be back; it is not infinite and not a division by zero. */
	assert_int_equal(mc_engine_estimate(f->e, 1, false), 3 * 600000 / 2);
	/* Counter 1 (civil only) paused or not changes nothing for land. */
	assert_int_equal(act(f, 1, MC_A_PAUSE, 0, NULL), MC_OK);
	assert_int_equal(mc_engine_estimate(f->e, 1, false), 3 * 600000 / 2);
	/* Pausing twice is no change; resuming reopens. */
	assert_int_equal(act(f, 3, MC_A_PAUSE, 0, NULL), MC_OK);
	assert_int_equal(f->ch.nevents, 0);
	assert_int_equal(act(f, 3, MC_A_RESUME, 0, NULL), MC_OK);
	assert_int_equal(mc_engine_estimate(f->e, 1, false), 3 * 600000);
}

static void recent_services_keeps_only_the_last_n(void **state)
{
	struct fx *f = *state;
	struct mc_ticket t;

	reload(f, "strict\nrecent_services = 2", "");
	/* Counter 1 serves three civil tickets in 1, 2 and 6 minutes. */
	static const int mins[] = { 1, 2, 6 };
	for (int i = 0; i < 3; i++) {
		press(f, 0, false, NULL);
		struct mc_when w = at(f, f->day, 9, 0, 1000);
		assert_int_equal(mc_engine_counter(f->e, &w, 1, MC_A_NEXT, 0, &t, &f->ch), MC_OK);
		w = at(f, f->day, 9, 0, mins[i] * 60000);
		assert_int_equal(mc_engine_counter(f->e, &w, 1, MC_A_FINISH, 0, &t, &f->ch), MC_OK);
	}
	press(f, 0, false, NULL);
	press(f, 0, false, NULL);
	/* Mean of the last two (2 and 6 min) = 4 min; counters 1 and 2 serve civil. */
	assert_int_equal(mc_engine_estimate(f->e, 0, false), 2 * 240000 / 2);
}

/* ---- order ------------------------------------------------------------- */

static void interleave_after_a_reactivation(void **state)
{
	struct fx *f = *state;

	press(f, 0, false, NULL); /* 1001 */
	press(f, 0, false, NULL); /* 1002 */
	press(f, 0, true, NULL);  /* 1003 P */
	press(f, 0, false, NULL); /* 1004 */
	next_is(f, 1, "1001");    /* one normal called */
	assert_int_equal(act(f, 1, MC_A_NOSHOW, 0, NULL), MC_OK);
	assert_int_equal(act(f, 1, MC_A_REACTIVATE, 0, NULL), MC_OK);
	/* The reactivation is not a second normal call: 1002 before 1003. */
	next_is(f, 1, "1002");
	next_is(f, 1, "1003");
	next_is(f, 1, "1004");
	/* A recall is not a call either. */
	press(f, 0, false, NULL); /* 1005 */
	press(f, 0, true, NULL);  /* 1006 P */
	press(f, 0, false, NULL); /* 1007 */
	assert_int_equal(act(f, 1, MC_A_RECALL, 0, NULL), MC_OK);
	next_is(f, 1, "1005");
	next_is(f, 1, "1006");
	next_is(f, 1, "1007");
}

static void every_1_alternates(void **state)
{
	struct fx *f = *state;

	reload(f, "every 1", "");
	press(f, 0, false, NULL); /* 1001 */
	press(f, 0, false, NULL); /* 1002 */
	press(f, 0, true, NULL);  /* 1003 P */
	press(f, 0, true, NULL);  /* 1004 P */
	next_is(f, 1, "1001");
	next_is(f, 1, "1003");
	next_is(f, 1, "1002");
	next_is(f, 1, "1004");
}

/* ---- restore ----------------------------------------------------------- */

static void restore_rebuilds_counters_and_numbering(void **state)
{
	struct fx *f = *state;
	struct mc_ticket t;

	mc_engine_set_printer(f->e, MC_PRINTER_READY);
	struct mc_ticket a = press(f, 0, false, NULL);          /* 1001, never reported */
	struct mc_ticket b = press(f, 1, false, NULL);          /* 2001 */
	struct mc_when w = at(f, f->day, 9, 0, 1000);
	assert_int_equal(mc_engine_printed(f->e, &w, b.id, true, &f->ch), MC_OK);
	next_is(f, 2, "2001");
	assert_int_equal(act(f, 2, MC_A_FINISH, 0, &t), MC_OK);
	struct mc_ticket finished = t;

	struct mc_engine *e2 = mc_engine_new(&f->cfg);
	mc_engine_restore_begin(e2, f->day, 0);
	/* A row naming a service that is not configured is refused. */
	struct mc_ticket bad = a;
	bad.id = 99;
	bad.service = 3;
	assert_int_equal(mc_engine_restore_ticket(e2, &bad), -1);
	bad.service = 0;
	bad.cur_service = 3;
	assert_int_equal(mc_engine_restore_ticket(e2, &bad), -1);
	bad.cur_service = -1;
	assert_int_equal(mc_engine_restore_ticket(e2, &bad), -1);
	struct mc_ticket pending = mc_engine_ticket(f->e, a.id)[0];
	assert_int_equal(mc_engine_restore_ticket(e2, &pending), 0);
	assert_int_equal(mc_engine_restore_ticket(e2, &finished), 0);
	/* The counter row says 2001 is current, but the ticket row is finished. */
	struct mc_counter_state c2 = *mc_engine_counter_state(f->e, 2);
	c2.current = finished.id;
	c2.clerk = 5;
	mc_engine_restore_counter(e2, &c2);
	struct mc_counter_state ghost = { .number = 9, .current = 77 };
	mc_engine_restore_counter(e2, &ghost);
	assert_int_equal(mc_engine_restore_end(e2, &w, &f->ch), 0);
	assert_int_equal(mc_engine_counter_state(e2, 2)->current, 0);
	assert_int_equal(mc_engine_counter_state(e2, 2)->clerk, 5);
	assert_int_equal(f->ch.ncounters, 1);
	assert_int_equal(f->ch.ntickets, 1);
	/* The ticket whose print never reported is in doubt, still waiting. */
	assert_int_equal(f->ch.tickets[0].status, MC_T_WAITING);
	assert_int_equal(f->ch.tickets[0].print, MC_P_IN_DOUBT);
	assert_int_equal(f->ch.day, f->day);
	/* next_id 0 from an empty store is 1, then past every restored id. */
	assert_null(mc_engine_ticket(e2, 99));

	/* Restoring the in-doubt row again marks nothing twice. */
	struct mc_engine *e3 = mc_engine_new(&f->cfg);
	mc_engine_restore_begin(e3, f->day, 0);
	struct mc_ticket voided = f->ch.tickets[0];
	assert_int_equal(mc_engine_restore_ticket(e3, &voided), 0);
	assert_int_equal(mc_engine_restore_ticket(e3, &finished), 0);
	assert_int_equal(mc_engine_restore_end(e3, &w, &f->ch), 0);
	assert_int_equal(f->ch.ntickets, 0);
	assert_int_equal(f->ch.nevents, 0);

	/* The estimate uses today's restored service time, numbering goes on. */
	mc_engine_free(f->e);
	f->e = e3;
	assert_int_equal(mc_engine_estimate(f->e, 1, false), 0);
	struct mc_ticket n = press(f, 1, false, NULL);
	assert_string_equal(n.label, "2002");
	assert_int_equal(n.id, 3);
	assert_int_equal(mc_engine_estimate(f->e, 1, false), finished.service_ms / 2);
	assert_string_equal(press(f, 0, false, NULL).label, "1002");
	mc_engine_free(e2);
}

static void restore_ignores_yesterdays_service_times(void **state)
{
	struct fx *f = *state;
	struct mc_ticket t;

	press(f, 1, false, NULL);
	next_is(f, 3, "2001");
	assert_int_equal(act(f, 3, MC_A_FINISH, 0, &t), MC_OK);
	assert_int_equal(t.service_ms, 60000);
	struct mc_engine *e2 = mc_engine_new(&f->cfg);
	mc_engine_restore_begin(e2, f->day + 1, 2);
	assert_int_equal(mc_engine_restore_ticket(e2, &t), 0);
	struct mc_when w = at(f, f->day + 1, 9, 0, 1000);
	assert_int_equal(mc_engine_restore_end(e2, &w, &f->ch), 0);
	mc_engine_free(f->e);
	f->e = e2;
	f->day += 1;
	press(f, 1, false, NULL);
	/* Default 10 min, not yesterday's 1 min; numbering starts again. */
	assert_int_equal(mc_engine_estimate(f->e, 1, false), 600000 / 2);
	assert_string_equal(mc_engine_ticket(f->e, 2)->label, "2001");
}

static void status_and_event_names_round_trip(void **state)
{
	(void)state;
	for (int s = MC_T_WAITING; s <= MC_T_EXPIRED; s++)
		assert_int_equal(mc_ticket_status_from_name(mc_ticket_status_name((enum mc_ticket_status)s)), s);
	for (int p = MC_P_NONE; p <= MC_P_FAILED; p++)
		assert_int_equal(mc_print_status_from_name(mc_print_status_name((enum mc_print_status)p)), p);
	assert_string_equal(mc_ticket_status_name(MC_T_EXPIRED), "expired");
	assert_string_equal(mc_print_status_name(MC_P_FAILED), "failed");
	assert_int_equal(mc_ticket_status_from_name("lost"), -1);
	assert_int_equal(mc_print_status_from_name("lost"), -1);
	assert_string_equal(mc_event_kind_name(MC_EV_ROLLOVER), "rollover");
	assert_string_equal(mc_err_message(MC_E_CLOSED, "en"), "The office is closed");
	assert_string_equal(mc_err_message(MC_E_CLOSED, NULL), "Ngoài giờ làm việc");
}

static void changes_grow_past_their_first_size(void **state)
{
	struct fx *f = *state;

	/* Twenty open tickets expire in one rollover: one change set. */
	for (int i = 0; i < 20; i++)
		press(f, i % 2, false, NULL);
	struct mc_when w = at(f, f->day + 1, 0, 0, 1000);
	assert_int_equal(mc_engine_tick(f->e, &w, &f->ch), MC_OK);
	assert_int_equal(f->ch.ntickets, 20);
	assert_int_equal(f->ch.nevents, 21);
	for (size_t i = 0; i < f->ch.ntickets; i++) {
		assert_int_equal(f->ch.tickets[i].id, (int64_t)i + 1);
		assert_int_equal(f->ch.events[i].ticket, (int64_t)i + 1);
		assert_int_equal(f->ch.events[i].kind, MC_EV_EXPIRE);
	}
	assert_int_equal(f->ch.events[20].kind, MC_EV_ROLLOVER);
	assert_int_equal(f->ch.events[20].value, f->day);
	size_t n;
	mc_engine_tickets(f->e, &n);
	assert_int_equal(n, 0);
}

/* The next opening is looked for a year ahead (366 days), not further. */
static void next_opening_a_year_ahead(void **state)
{
	struct fx *f = *state;
	char err[256], text[1024], a[16], b[16], c[16];
	struct mc_issue is;

	mc_format_day(f->day + 1, a, sizeof(a));
	mc_format_day(f->day + 365, b, sizeof(b));
	mc_format_day(f->day + 366, c, sizeof(c));
	snprintf(text, sizeof(text), "[office]\nhours = mon-sun 08:00-09:00\nclosed = %s..%s\n"
		 "[service.a]\nname = A\n[counter.1]\nservices = a\n", a, b);
	assert_int_equal(mc_config_load_string(text, "t.conf", &f->cfg, err, sizeof(err)), 0);
	mc_engine_free(f->e);
	f->e = mc_engine_new(&f->cfg);
	struct mc_when w = at(f, f->day, 10, 0, 1000);
	assert_int_equal(mc_engine_press(f->e, &w, 0, false, NULL, &is, &f->ch), MC_E_CLOSED);
	assert_int_equal(is.open_day, f->day + 366);
	assert_int_equal(is.open_minute, 8 * 60);
	/* Closed one day more: nothing within the year. */
	snprintf(text, sizeof(text), "[office]\nhours = mon-sun 08:00-09:00\nclosed = %s..%s\n"
		 "[service.a]\nname = A\n[counter.1]\nservices = a\n", a, c);
	assert_int_equal(mc_config_load_string(text, "t.conf", &f->cfg, err, sizeof(err)), 0);
	mc_engine_free(f->e);
	f->e = mc_engine_new(&f->cfg);
	assert_int_equal(mc_engine_press(f->e, &w, 0, false, NULL, &is, &f->ch), MC_E_CLOSED);
	assert_int_equal(is.open_day, f->day);
	assert_int_equal(is.open_minute, -1);
	/* Before today's span opens, it is today's. */
	w = at(f, f->day, 7, 59, 1000);
	assert_int_equal(mc_engine_press(f->e, &w, 0, false, NULL, &is, &f->ch), MC_E_CLOSED);
	assert_int_equal(is.open_day, f->day);
	assert_int_equal(is.open_minute, 8 * 60);
	w = at(f, f->day, 8, 0, 1000);
	assert_int_equal(mc_engine_press(f->e, &w, 0, false, NULL, &is, &f->ch), MC_OK);
}

/* A service that spans a reboot is timed by the wall clock from the call. */
static void service_time_across_a_reboot(void **state)
{
	struct fx *f = *state;
	struct mc_ticket t;

	press(f, 0, false, NULL);
	struct mc_when w = at(f, f->day, 9, 10, 1000);
	assert_int_equal(mc_engine_counter(f->e, &w, 1, MC_A_NEXT, 0, &t, &f->ch), MC_OK);
	assert_int_equal(t.called_wall, w.wall_ms);
	struct mc_when r = w;
	r.boot = 43;
	r.mono_ms = 700;               /* the new boot's clock starts again */
	r.wall_ms = w.wall_ms + 240000;
	r.minute += 4;
	assert_int_equal(mc_engine_counter(f->e, &r, 1, MC_A_FINISH, 0, &t, &f->ch), MC_OK);
	assert_int_equal(t.service_ms, 240000);
	assert_int_equal(t.finished_wall, r.wall_ms);
	assert_int_equal(t.finished_boot, 43);
}

/* ---- savepoints -------------------------------------------------------- */

/* A small generator for the savepoint test (xorshift64*): the same seed
 * gives the same office day. */
static uint64_t rnd(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 2685821657736338717ull;
}

static bool same_ticket(const struct mc_ticket *a, const struct mc_ticket *b)
{
	return a->id == b->id && a->service == b->service && a->cur_service == b->cur_service &&
	       a->day == b->day && a->round == b->round && a->number == b->number &&
	       !strcmp(a->label, b->label) && a->priority == b->priority && a->status == b->status &&
	       a->print == b->print && a->counter == b->counter && a->clerk == b->clerk &&
	       a->rating == b->rating && a->transfers == b->transfers &&
	       a->issued_wall == b->issued_wall && a->called_wall == b->called_wall &&
	       a->finished_wall == b->finished_wall && a->issued_mono == b->issued_mono &&
	       a->called_mono == b->called_mono && a->finished_mono == b->finished_mono &&
	       a->issued_boot == b->issued_boot && a->called_boot == b->called_boot &&
	       a->finished_boot == b->finished_boot && a->wait_ms == b->wait_ms &&
	       a->service_ms == b->service_ms;
}

/* Everything the engine shows of itself is the same in a and b. What it
 * keeps inside (numbering, double taps, service times) is compared by
 * what the next actions give, which the caller feeds to both. */
static void same_engine(const struct mc_config *cfg, const struct mc_engine *a,
			const struct mc_engine *b)
{
	size_t na, nb;
	const struct mc_ticket *ta = mc_engine_tickets(a, &na), *tb = mc_engine_tickets(b, &nb);

	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++)
		assert_true(same_ticket(&ta[i], &tb[i]));
	assert_int_equal(mc_engine_day(a), mc_engine_day(b));
	for (int i = 0; i < cfg->ncounters; i++) {
		const struct mc_counter_state *ca = mc_engine_counter_state(a, cfg->counters[i].number);
		const struct mc_counter_state *cb = mc_engine_counter_state(b, cfg->counters[i].number);
		assert_int_equal(ca->current, cb->current);
		assert_int_equal(ca->last_served, cb->last_served);
		assert_int_equal(ca->paused, cb->paused);
		assert_int_equal(ca->clerk, cb->clerk);
		assert_int_equal(ca->normals, cb->normals);
	}
	for (int s = 0; s < cfg->nservices; s++) {
		assert_int_equal(mc_engine_waiting(a, s), mc_engine_waiting(b, s));
		assert_int_equal(mc_engine_estimate(a, s, false), mc_engine_estimate(b, s, false));
	}
}

static void same_changes(const struct mc_changes *a, const struct mc_changes *b)
{
	assert_int_equal(a->ntickets, b->ntickets);
	for (size_t i = 0; i < a->ntickets; i++)
		assert_true(same_ticket(&a->tickets[i], &b->tickets[i]));
	assert_int_equal(a->ncounters, b->ncounters);
	assert_int_equal(a->nevents, b->nevents);
	for (size_t i = 0; i < a->nevents; i++) {
		assert_int_equal(a->events[i].kind, b->events[i].kind);
		assert_int_equal(a->events[i].ticket, b->events[i].ticket);
		assert_int_equal(a->events[i].value, b->events[i].value);
	}
	assert_int_equal(a->day, b->day);
}

/* One random action at moment w on engine e: a press (sources repeat, so
 * double taps happen), any counter key, a print outcome, or time passing. */
static enum mc_err random_action(struct fx *f, struct mc_engine *e, uint64_t pick,
				 const struct mc_when *w, struct mc_changes *ch, struct mc_ticket *out)
{
	static const enum mc_action keys[] = {
		MC_A_NEXT, MC_A_NEXT, MC_A_NEXT, MC_A_PRIORITY_NEXT, MC_A_RECALL, MC_A_NOSHOW,
		MC_A_NOSHOW, MC_A_FINISH, MC_A_PAUSE_TOGGLE, MC_A_TRANSFER, MC_A_LOGIN, MC_A_LOGOUT,
		MC_A_RATE, MC_A_REACTIVATE, MC_A_REACTIVATE, MC_A_REACTIVATE,
	};
	static const char *const sources[] = { "touch", "gpio:civil", "", "socket" };
	struct mc_issue is;
	enum mc_err err;

	memset(out, 0, sizeof(*out));
	switch (pick % 4) {
	case 0:
	case 1:
		err = mc_engine_press(e, w, (int)(pick >> 8) % f->cfg.nservices, (pick >> 16) % 5 == 0,
				      sources[(pick >> 20) % 4], &is, ch);
		*out = is.ticket;
		return err;
	case 2: {
		enum mc_action a = keys[(pick >> 8) % (sizeof(keys) / sizeof(keys[0]))];
		int arg = (int)((pick >> 24) % 4);
		/* A reactivation names the last no-show (0) mostly: one by number
		 * rarely matches. */
		if (a == MC_A_REACTIVATE && (pick >> 30) % 4)
			arg = 0;
		return mc_engine_counter(e, w, 1 + (int)((pick >> 16) % 3), a, arg, out, ch);
	}
	default: {
		size_t n;
		const struct mc_ticket *t = mc_engine_tickets(e, &n);
		int64_t id = n ? t[(pick >> 8) % n].id : 1;
		static const enum mc_print_status outcomes[] = { MC_P_PRINTED, MC_P_FAILED, MC_P_IN_DOUBT };
		if ((pick >> 16) % 8 == 0)
			return mc_engine_tick(e, w, ch);
		return mc_engine_print_outcome(e, w, id, outcomes[(pick >> 20) % 3], (pick >> 24) & 1, ch);
	}
	}
}

/* A group whose commit fails is rolled back to its savepoint: engine a
 * takes every group, b only those committed. After each group both must
 * look the same, and every action after must give both the same rows. */
static void a_rollback_puts_back_what_the_group_changed(void **state)
{
	struct fx *f = *state;
	struct mc_engine *b = mc_engine_new(&f->cfg);
	struct mc_changes cha = { 0 }, chb = { 0 };
	const char *env = getenv("MC_TEST_SEED");
	uint64_t x = env && *env ? strtoull(env, NULL, 10) : 20261130;
	int rolled = 0, kept = 0, rollovers = 0;
	int32_t day = f->day;
	int minute = 7 * 60 + 30;

	print_message("seed %llu\n", (unsigned long long)x);
	x = x * 2 + 1; /* never 0 */
	mc_engine_set_printer(f->e, MC_PRINTER_READY);
	mc_engine_set_printer(b, MC_PRINTER_READY);
	for (int g = 0; g < 20000; g++) {
		bool fails = rnd(&x) % 3 == 0;
		int n = 1 + (int)(rnd(&x) % 6);
		int32_t day0 = mc_engine_day(f->e);

		assert_int_equal(mc_engine_savepoint(f->e), 0);
		for (int i = 0; i < n; i++) {
			uint64_t pick = rnd(&x);
			struct mc_ticket ta, tb;
			/* Time passes: minutes, now and then the next morning. */
			minute += (int)(rnd(&x) % 3);
			if (minute >= 17 * 60 || rnd(&x) % 400 == 0) {
				day++;
				minute = 7 * 60 + 30;
			}
			struct mc_when w = at(f, day, minute / 60, minute % 60, 1000 + (int64_t)(rnd(&x) % 90000));
			enum mc_err ea = random_action(f, f->e, pick, &w, &cha, &ta);
			if (fails)
				continue;
			enum mc_err eb = random_action(f, b, pick, &w, &chb, &tb);
			assert_int_equal(ea, eb);
			assert_true(same_ticket(&ta, &tb));
			same_changes(&cha, &chb);
		}
		if (fails) {
			rollovers += mc_engine_day(f->e) != day0;
			mc_engine_rollback(f->e);
			rolled++;
		} else {
			mc_engine_release(f->e);
			kept++;
		}
		same_engine(&f->cfg, f->e, b);
	}
	print_message("%d groups rolled back (%d across a rollover), %d kept\n", rolled, rollovers, kept);
	assert_true(rolled > 1000 && kept > 1000 && rollovers > 0);
	mc_changes_free(&cha);
	mc_changes_free(&chb);
	mc_engine_free(b);
}


/* A no-show reactivated while its counter was busy is called by pick()'s
 * first loop; a rolled-back NEXT must put it back as it was (waiting,
 * its no-show time kept), or memory and the database disagree. */
static void a_rollback_puts_back_a_queued_reactivation(void **state)
{
	struct fx *f = *state;
	size_t n;

	press(f, 0, false, NULL); /* 1001 */
	press(f, 0, false, NULL); /* 1002 */
	next_is(f, 1, "1001");
	assert_int_equal(act(f, 1, MC_A_NOSHOW, 0, NULL), MC_OK);
	next_is(f, 1, "1002");
	assert_int_equal(act(f, 1, MC_A_REACTIVATE, 0, NULL), MC_OK); /* queued behind 1002 */
	const struct mc_ticket *t = mc_engine_tickets(f->e, &n);
	struct mc_ticket was = t[0];
	assert_int_equal(was.status, MC_T_WAITING);

	assert_int_equal(mc_engine_savepoint(f->e), 0);
	next_is(f, 1, "1001"); /* the queued reactivation */
	mc_engine_rollback(f->e);
	t = mc_engine_tickets(f->e, &n);
	assert_true(same_ticket(&t[0], &was));
	next_is(f, 1, "1001");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(numbers_run_in_order_with_labels, setup, teardown),
		cmocka_unit_test_setup_teardown(numbers_restart_each_day_and_old_tickets_expire, setup, teardown),
		cmocka_unit_test_setup_teardown(range_wraps_only_past_closed_numbers, setup, teardown),
		cmocka_unit_test_setup_teardown(wrap_over_a_long_range_gives_each_freed_number_once, setup,
						teardown),
		cmocka_unit_test_setup_teardown(wrap_past_numbers_of_an_earlier_range, setup, teardown),
		cmocka_unit_test_setup_teardown(strict_priority_goes_first, setup, teardown),
		cmocka_unit_test_setup_teardown(one_priority_after_every_n_normal, setup_every2, teardown),
		cmocka_unit_test_setup_teardown(priority_next_key_takes_priority, setup_every2, teardown),
		cmocka_unit_test_setup_teardown(a_next_key_again_within_the_hold_changes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(next_follows_issue_time_across_services, setup, teardown),
		cmocka_unit_test_setup_teardown(recall_repeats_current, setup, teardown),
		cmocka_unit_test_setup_teardown(noshow_can_be_reactivated_within_window, setup, teardown),
		cmocka_unit_test_setup_teardown(finish_records_wait_and_service_from_monotonic_time, setup, teardown),
		cmocka_unit_test_setup_teardown(wait_across_reboot_uses_wall_clock_never_negative, setup, teardown),
		cmocka_unit_test_setup_teardown(transfer_keeps_original_place, setup, teardown),
		cmocka_unit_test_setup_teardown(paused_counter_calls_nobody, setup, teardown),
		cmocka_unit_test_setup_teardown(clerk_login_is_recorded_on_calls, setup, teardown),
		cmocka_unit_test_setup_teardown(rating_applies_to_last_served_once, setup, teardown),
		cmocka_unit_test_setup_teardown(press_outside_hours_gives_next_opening, setup, teardown),
		cmocka_unit_test_setup_teardown(closed_dates_are_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(rollover_at_midnight_by_tick, setup, teardown),
		cmocka_unit_test_setup_teardown(rollover_at_opening_without_tick, setup, teardown),
		cmocka_unit_test_setup_teardown(clock_going_back_never_reuses_numbers, setup, teardown),
		cmocka_unit_test_setup_teardown(double_tap_gives_the_same_ticket, setup, teardown),
		cmocka_unit_test_setup_teardown(estimate_uses_recent_service_times, setup, teardown),
		cmocka_unit_test_setup_teardown(printer_state_and_policy, setup, teardown),
		cmocka_unit_test_setup_teardown(printer_down_screen_policy_issues_unprinted, setup, teardown),
		cmocka_unit_test_setup_teardown(restore_continues_numbering_and_keeps_in_doubt, setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_counter_and_service, setup, teardown),
		cmocka_unit_test_setup_teardown(next_opening_a_year_ahead, setup, teardown),
		cmocka_unit_test_setup_teardown(service_time_across_a_reboot, setup, teardown),
		cmocka_unit_test_setup_teardown(the_only_free_number_is_the_last_issued, setup, teardown),
		cmocka_unit_test_setup_teardown(prefixed_labels_are_as_wide_as_the_range, setup, teardown),
		cmocka_unit_test_setup_teardown(double_tap_window_is_half_open, setup, teardown),
		cmocka_unit_test_setup_teardown(priority_press_right_after_a_normal_one_is_new, setup, teardown),
		cmocka_unit_test_setup_teardown(reactivation_exactly_at_the_window, setup, teardown),
		cmocka_unit_test_setup_teardown(transfer_to_the_last_service_and_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(login_accepts_1_to_255, setup, teardown),
		cmocka_unit_test_setup_teardown(rating_accepts_1_to_4, setup, teardown),
		cmocka_unit_test_setup_teardown(ahead_and_wait_for_a_priority_press, setup, teardown),
		cmocka_unit_test_setup_teardown(ahead_and_wait_on_a_new_day, setup, teardown),
		cmocka_unit_test_setup_teardown(wait_with_every_serving_counter_paused, setup, teardown),
		cmocka_unit_test_setup_teardown(recent_services_keeps_only_the_last_n, setup, teardown),
		cmocka_unit_test_setup_teardown(interleave_after_a_reactivation, setup_every2, teardown),
		cmocka_unit_test_setup_teardown(every_1_alternates, setup, teardown),
		cmocka_unit_test_setup_teardown(restore_rebuilds_counters_and_numbering, setup, teardown),
		cmocka_unit_test_setup_teardown(restore_ignores_yesterdays_service_times, setup, teardown),
		cmocka_unit_test_setup_teardown(status_and_event_names_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(changes_grow_past_their_first_size, setup, teardown),
		cmocka_unit_test_setup_teardown(a_rollback_puts_back_what_the_group_changed, setup_every2,
						teardown),
		cmocka_unit_test_setup_teardown(a_rollback_puts_back_a_queued_reactivation, setup, teardown),
	};
	return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
