/* report-fixture.c — builds the report tests' database by driving the real
 * engine and store with chosen times (see test_report.py for the figures
 * expected from it).
 *
 *   report-fixture BOARD DB           days 2026-03-02 .. 2026-03-04 and the
 *                                     rollover into 2026-03-05
 *   report-fixture BOARD DB --more    then more activity on 2026-03-05
 *                                     (must not change the earlier days)
 *
 * 2026-03-02 (Monday): a normal day with a priority ticket, a no-show, a
 * transfer, a voided print, an expired ticket, ratings, a pause.
 * 2026-03-03: closed (a press is refused). 2026-03-04: the wall clock jumps
 * 2 h ahead while a ticket waits and a clerk is logged in, then is set
 * right; waits and sessions must come from the monotonic clock. The office
 * is in Asia/Ho_Chi_Minh (UTC+7, no summer time). Exits 1 with a message if
 * the engine refuses something the scenario expects to work. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "store.h"

/* The scenario's state. */
struct fx {
	struct mc_config cfg;    /* the test board */
	struct mc_engine *e;     /* the real engine */
	struct mc_store *st;     /* the real store */
	struct mc_changes ch;    /* reused change set */
	int64_t jump_ms;         /* how far the wall clock is wrong now */
};

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "report-fixture: %s: %s\n", what, msg);
	exit(1);
}

/* The moment "day hh:mm" of true local time, as the kiosk would see it. */
static struct mc_when at(const struct fx *f, const char *day, int h, int m)
{
	int32_t d;
	struct mc_when w = { .boot = 1 };

	if (mc_parse_day(day, &d) < 0)
		die("bad day", day);
	int64_t true_wall = ((int64_t)d * 86400 + h * 3600 + m * 60 - 7 * 3600) * 1000;
	int64_t base = (int64_t)mc_days_from_civil(2026, 3, 1) * 86400000;
	w.mono_ms = true_wall - base + 5000000;
	w.wall_ms = true_wall + f->jump_ms;
	/* Local day and minute come from the (possibly wrong) wall clock. */
	int64_t local_s = w.wall_ms / 1000 + 7 * 3600;
	w.day = (int32_t)(local_s / 86400);
	w.minute = (int)(local_s % 86400 / 60);
	return w;
}

static void commit(struct fx *f, const char *what)
{
	char err[256];
	if (mc_store_commit(f->st, &f->cfg, &f->ch, err, sizeof(err)) < 0)
		die(what, err);
}

static int64_t press(struct fx *f, const char *day, int h, int m, const char *svc, bool prio)
{
	struct mc_when w = at(f, day, h, m);
	struct mc_issue out;
	enum mc_err err = mc_engine_press(f->e, &w, mc_config_service_index(&f->cfg, svc), prio, "fx", &out, &f->ch);
	commit(f, "press");
	if (err != MC_OK)
		die("press", mc_err_message(err, "en"));
	return out.ticket.id;
}

static void act(struct fx *f, const char *day, int h, int m, int counter, enum mc_action a, int arg)
{
	struct mc_when w = at(f, day, h, m);
	struct mc_ticket t;
	enum mc_err err = mc_engine_counter(f->e, &w, counter, a, arg, &t, &f->ch);
	commit(f, "counter");
	if (err != MC_OK) {
		char what[64];
		snprintf(what, sizeof(what), "counter %d action %d at %s %02d:%02d", counter, (int)a, day, h, m);
		die(what, mc_err_message(err, "en"));
	}
}

static void tick(struct fx *f, const char *day, int h, int m)
{
	struct mc_when w = at(f, day, h, m);
	mc_engine_tick(f->e, &w, &f->ch);
	commit(f, "tick");
}

static void scenario(struct fx *f)
{
	const char *a = "2026-03-02", *b = "2026-03-03", *c = "2026-03-04";
	int land = mc_config_service_index(&f->cfg, "land");

	/* ---- 2026-03-02 ---- */
	act(f, a, 7, 55, 1, MC_A_LOGIN, 11);
	act(f, a, 7, 55, 2, MC_A_LOGIN, 12);
	press(f, a, 8, 0, "civil", false);          /* 1001 */
	press(f, a, 8, 2, "civil", false);          /* 1002 */
	act(f, a, 8, 5, 1, MC_A_NEXT, 0);           /* 1001 wait 5 */
	press(f, a, 8, 10, "civil", false);         /* 1003 */
	act(f, a, 8, 15, 1, MC_A_NEXT, 0);          /* 1001 served 10; 1002 wait 13 */
	act(f, a, 8, 16, 1, MC_A_RATE, 1);          /* 1001: Rất hài lòng */
	act(f, a, 8, 20, 1, MC_A_FINISH, 0);        /* 1002 served 5 */
	act(f, a, 8, 21, 1, MC_A_RATE, 2);          /* 1002: Hài lòng */
	press(f, a, 8, 30, "land", false);          /* 2001 */
	act(f, a, 8, 40, 1, MC_A_NEXT, 0);          /* 1003 wait 30 (over 20) */
	press(f, a, 8, 41, "civil", true);          /* 1004, priority */
	act(f, a, 8, 50, 2, MC_A_NEXT, 0);          /* 2001 wait 20 */
	act(f, a, 8, 52, 1, MC_A_NEXT, 0);          /* 1003 served 12; 1004 wait 11 */
	act(f, a, 8, 53, 1, MC_A_RATE, 4);          /* 1003: Không hài lòng */
	act(f, a, 8, 55, 1, MC_A_NOSHOW, 0);        /* 1004 no-show */
	press(f, a, 8, 58, "land", false);          /* 2002 */
	press(f, a, 9, 0, "civil", false);          /* 1005 */
	press(f, a, 9, 4, "civil", false);          /* 1006 */
	act(f, a, 9, 10, 2, MC_A_NEXT, 0);          /* 2001 served 20; 2002 wait 12 */
	act(f, a, 9, 11, 2, MC_A_RATE, 1);          /* 2001: Rất hài lòng */
	act(f, a, 9, 25, 1, MC_A_NEXT, 0);          /* 1005 wait 25 (over) */
	act(f, a, 9, 30, 1, MC_A_TRANSFER, land);   /* 1005 to land */
	act(f, a, 9, 31, 1, MC_A_NEXT, 0);          /* 1006 wait 27 (over) */
	act(f, a, 9, 35, 1, MC_A_FINISH, 0);        /* 1006 served 4 */
	act(f, a, 9, 40, 2, MC_A_NEXT, 0);          /* 2002 served 30; 1005 again */
	act(f, a, 9, 41, 2, MC_A_RATE, 2);          /* 2002: Hài lòng */
	act(f, a, 9, 50, 2, MC_A_FINISH, 0);        /* 1005 served 10 (from 9:40) */
	act(f, a, 9, 51, 2, MC_A_RATE, 3);          /* 1005: Bình thường */
	act(f, a, 10, 0, 1, MC_A_PAUSE, 0);
	/* 1007: the printer fails, the ticket is voided. */
	mc_engine_set_printer(f->e, MC_PRINTER_READY);
	int64_t id = press(f, a, 10, 0, "civil", false);
	struct mc_when w = at(f, a, 10, 1);
	if (mc_engine_printed(f->e, &w, id, false, &f->ch) != MC_OK)
		die("printed", "refused");
	commit(f, "printed");
	mc_engine_set_printer(f->e, MC_PRINTER_ABSENT);
	press(f, a, 10, 0, "land", false);          /* 2003 */
	act(f, a, 10, 30, 1, MC_A_RESUME, 0);
	act(f, a, 10, 45, 2, MC_A_NEXT, 0);         /* 2003 wait 45 (over 30) */
	act(f, a, 11, 0, 2, MC_A_FINISH, 0);        /* 2003 served 15 */
	act(f, a, 12, 0, 1, MC_A_LOGOUT, 0);        /* clerk 11: 4 h 05, paused 30 min */
	press(f, a, 16, 50, "civil", false);        /* 1008: expires at rollover */
	tick(f, b, 0, 0);                           /* clerk 12 logged out: 16 h 05 */

	/* ---- 2026-03-03: closed ---- */
	{
		struct mc_when wb = at(f, b, 9, 0);
		struct mc_issue out;
		if (mc_engine_press(f->e, &wb, 0, false, "fx", &out, &f->ch) != MC_E_CLOSED)
			die("closed day", "a press was not refused");
		commit(f, "closed");
	}
	tick(f, c, 0, 0);

	/* ---- 2026-03-04: the clock jumps; the office rates on three levels ---- */
	{
		char why[128];
		struct mc_scale *sc = &f->cfg.satisfaction.scale;
		if (mc_scale_set_labels(sc, false, "Hài lòng, Bình thường, Không hài lòng", why, sizeof(why)) ||
		    mc_scale_set_labels(sc, true, "Satisfied, Neutral, Dissatisfied", why, sizeof(why)))
			die("scale", why);
		sc->satisfied = 1;
	}
	act(f, c, 8, 0, 1, MC_A_LOGIN, 13);
	press(f, c, 8, 0, "civil", false);          /* 1001 */
	f->jump_ms = 2 * 3600 * 1000;               /* wall clock 2 h ahead */
	act(f, c, 8, 10, 1, MC_A_NEXT, 0);          /* wait 10 (wall says 130) */
	act(f, c, 8, 20, 1, MC_A_FINISH, 0);        /* served 10 */
	act(f, c, 8, 21, 1, MC_A_RATE, 1);          /* 3-level scale: Hài lòng */
	act(f, c, 8, 25, 1, MC_A_LOGOUT, 0);        /* clerk 13: 25 min (wall says 145) */
	f->jump_ms = 0;                             /* NTP sets it right */
	press(f, c, 8, 30, "civil", false);         /* 1002 */
	act(f, c, 8, 40, 1, MC_A_NEXT, 0);          /* wait 10, no clerk */
	act(f, c, 8, 45, 1, MC_A_FINISH, 0);        /* served 5 */
	act(f, c, 8, 46, 1, MC_A_RATE, 2);          /* Bình thường */
	press(f, c, 9, 0, "land", false);           /* 2001 */
	act(f, c, 9, 7, 2, MC_A_NEXT, 0);           /* wait 7 */
	act(f, c, 9, 10, 2, MC_A_FINISH, 0);        /* served 3 */
	tick(f, "2026-03-05", 0, 0);
}

/* Later activity: must leave every figure of the days before unchanged. */
static void more(struct fx *f)
{
	const char *d = "2026-03-05";

	act(f, d, 7, 30, 1, MC_A_LOGIN, 11);
	act(f, d, 7, 30, 2, MC_A_LOGIN, 12);
	for (int i = 0; i < 5; i++)
		press(f, d, 8, i, i % 2 ? "land" : "civil", i == 3);
	act(f, d, 9, 0, 1, MC_A_NEXT, 0);
	act(f, d, 9, 30, 1, MC_A_NEXT, 0);
	act(f, d, 9, 31, 1, MC_A_RATE, 1);
	act(f, d, 9, 40, 2, MC_A_NEXT, 0);
	act(f, d, 9, 45, 2, MC_A_PAUSE, 0);
}

int main(int argc, char **argv)
{
	static struct fx f;
	char err[512];
	int skipped;

	if (argc < 3 || (argc == 4 && strcmp(argv[3], "--more")) || argc > 4) {
		fprintf(stderr, "usage: report-fixture BOARD DB [--more]\n");
		return 2;
	}
	if (mc_config_load(argv[1], &f.cfg, err, sizeof(err)) < 0)
		die("board", err);
	f.e = mc_engine_new(&f.cfg);
	f.st = mc_store_open(argv[2], err, sizeof(err));
	if (!f.e || !f.st)
		die("open", f.st ? "out of memory" : err);
	struct mc_when now = at(&f, argc == 4 ? "2026-03-05" : "2026-03-01", 6, 0);
	if (mc_store_load(f.st, &f.cfg, f.e, &now, &skipped, err, sizeof(err)) < 0)
		die("load", err);
	mc_engine_set_printer(f.e, MC_PRINTER_ABSENT);
	if (argc == 4)
		more(&f);
	else
		scenario(&f);
	mc_changes_free(&f.ch);
	mc_engine_free(f.e);
	mc_store_close(f.st);
	return 0;
}
