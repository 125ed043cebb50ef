/* app.c — kioskd's application: events in, committed changes out (see app.h). */
#include "app.h"
#include "app-clock.h"
#include "ctl.h"
#include "log.h"
#include "loop.h"
#include "store.h"

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_OUTPUTS 16
#define BATCH_MAX 32           /* actions committed together, at most */

/* A registered output. */
struct output {
	const struct mc_output_ops *ops;
	void *priv;
};

/* One write action waiting for the store, in arrival order. */
enum wop_kind { WOP_PRESS, WOP_COUNTER, WOP_TICK };
struct wop {
	struct wop *next;
	enum wop_kind kind;
	int service;                    /* WOP_PRESS */
	bool priority;
	char source[32];
	int counter;                    /* WOP_COUNTER */
	enum mc_action act;
	int arg;
	int64_t deadline_ms;            /* monotonic: refused with `store` after it */
	uint64_t origin;                /* the socket client that asked, plus 1;
	                                 * 0 for a device (a button, a keypad) */
	mc_app_done_fn done;            /* answer (may be NULL) */
	void *ctx;
};

/* What an attempt at a write action gave. */
struct result {
	enum mc_err err;
	struct mc_issue is;             /* WOP_PRESS */
	struct mc_ticket t;             /* WOP_COUNTER */
	char why[300];                  /* MC_E_STORE: the store's reason */
};

struct mc_app {
	struct mc_config cfg;           /* board.conf */
	struct mc_loop *loop;           /* the one event loop */
	struct mc_store *store;         /* the database */
	struct mc_engine *engine;       /* queue state; a savepoint before each
	                                 * group, rolled back when its commit fails */
	struct mc_changes marks;        /* print outcomes not yet committed:
	                                 * they go with the next commit */
	struct mc_changes scratch;      /* one print outcome's rows */
	struct mc_changes tick;         /* an office day's rollover, committed
	                                 * with the action that noticed it */
	struct mc_changes bch[BATCH_MAX]; /* each action's rows in a group commit */
	struct result br[BATCH_MAX];    /* and what each action gave */
	long long pump_timer;           /* pumps the queue at the end of this loop turn */
	bool store_busy;                /* the last commit found the database locked */
	long long marks_timer;          /* flushes marks after this loop turn */
	struct wop *wq_head, *wq_tail;  /* writes waiting for their commit */
	int wq_len;
	long long wq_timer;             /* retries the head */
	bool pumping;                   /* inside pump(): no re-entry */
	char store_problem[400];        /* why writes fail now ("" = fine) */
	const char *ckpt_trouble;       /* why checkpoints fail, as last logged
	                                 * (mc_store_checkpoints; NULL: they run) */
	unsigned long store_busy_waits; /* actions that waited for a lock */
	unsigned long store_refused;    /* actions refused with `store` */
	int64_t shown[64];              /* recent tickets whose number the touch
	                                 * screen showed (a ring) */
	int shown_next;
	struct mc_ctl *ctl;             /* control socket */
	struct mc_app_clock *clock;     /* wall clock trust and the office day */
	struct mc_changes ch;           /* the synchronous form's rows, reused */
	struct output outputs[MAX_OUTPUTS];
	int noutputs;
	int64_t boot;                   /* this boot's id */
	bool sim;                       /* simulated hardware */
	char state_dir[256];
	int64_t started_ms;             /* monotonic ms at start (uptime in status) */
	char printer_text[128];         /* why the printer is in its state */
	int printer_room;               /* tickets the print queue takes now, -1: no limit */
	int sigfd;                      /* SIGTERM/SIGINT */
	int lock_fd;                    /* STATE/kioskd.lock, flock()ed: one
	                                 * kioskd per state directory */
	long long day_timer;            /* rollover timer */
	struct mc_app_hooks hooks;      /* services' hooks for one another */
};

/* ---- time -------------------------------------------------------------- */

static int64_t read_boot_id(void)
{
	char buf[64] = "";
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
	}
	for (const char *p = buf; *p && *p != '\n'; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	return (int64_t)(h >> 1);
}

/* Fills w from the clocks; w->day is the wall clock's local day. */
static void wall_now(const struct mc_app *app, struct mc_when *w)
{
	struct timespec ts;
	struct tm tm;
	time_t secs;

	clock_gettime(CLOCK_REALTIME, &ts);
	secs = ts.tv_sec;
	localtime_r(&secs, &tm);
	w->wall_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	w->mono_ms = mc_mono_ms();
	w->boot = app->boot;
	w->day = mc_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	w->minute = tm.tm_hour * 60 + tm.tm_min;
}

void mc_app_now(const struct mc_app *app, struct mc_when *w)
{
	wall_now(app, w);
	if (app->clock && mc_app_clock_day(app->clock))
		w->day = mc_app_clock_day(app->clock);
}

/* ---- committing and telling outputs ------------------------------------ */

#define RETRY_MS 20            /* a busy store is tried again this often */

/* Logs when checkpoints start failing and when they run again (the
 * checkpointer's thread keeps why; the loop looks after each commit). */
static void note_checkpoints(struct mc_app *app)
{
	struct mc_store_checkpoints ck;
	char text[200];

	mc_store_checkpoints(app->store, &ck);
	if (ck.trouble == app->ckpt_trouble)
		return;
	if (ck.trouble) {
		snprintf(text, sizeof(text), "%s", ck.trouble);
		mc_store_disk_note(app->store, text, sizeof(text));
		mc_log(MC_LOG_WARNING, "database checkpoints fail (%s): the WAL holds %d pages and only "
		       "grows; tickets are refused once it cannot grow", text, ck.wal_pages);
	} else {
		mc_log(MC_LOG_NOTICE, "database checkpoints run again");
	}
	app->ckpt_trouble = ck.trouble;
}

/* Writes a rollover's rows tick (may be NULL) and the actions' rows
 * chs[0..nch) together with the print marks gathered so far, in one
 * transaction, after making sure the files are still ours. Returns 0, or
 * -1 with errno (EBUSY: retry) and a message. */
static int store_write(struct mc_app *app, const struct mc_changes *tick, const struct mc_changes *chs,
		       int nch, char *err, size_t errlen)
{
	const struct mc_changes *sets[BATCH_MAX + 2];
	size_t n = 0;
	int rc = mc_store_check_files(app->store, err, errlen);

	if (rc < 0) {
		mc_store_disk_note(app->store, err, errlen);
		if (strcmp(app->store_problem, err))
			mc_log(MC_LOG_ERR, "database: %s", err);
		snprintf(app->store_problem, sizeof(app->store_problem), "%s", err);
		errno = EIO;
		return -1;
	}
	if (rc == 1)
		mc_log(MC_LOG_WARNING, "database: a file was removed or replaced under kioskd; "
		       "what it held was saved and the database reopened");
	if (app->marks.ntickets || app->marks.nevents)
		sets[n++] = &app->marks;
	if (tick)
		sets[n++] = tick;
	for (int i = 0; i < nch && n < sizeof(sets) / sizeof(sets[0]); i++)
		sets[n++] = &chs[i];
	if (mc_store_commit_many(app->store, &app->cfg, sets, n, err, errlen) < 0) {
		int e = errno;
		if (e != EBUSY) {
			mc_store_disk_note(app->store, err, errlen);
			snprintf(app->store_problem, sizeof(app->store_problem), "%s", err);
		}
		errno = e;
		return -1;
	}
	app->store_problem[0] = 0;
	mc_changes_clear(&app->marks);
	note_checkpoints(app);
	return 0;
}

static void notify_changed(struct mc_app *app);

/* Commits a change set made outside the write queue (a print outcome
 * flush). Returns 0, or -1 with errno. */
static int64_t on_marks_timer(struct mc_loop *loop, long long id, void *ctx)
{
	struct mc_app *app = ctx;
	char err[300];

	(void)loop;
	(void)id;
	if (!app->marks.ntickets && !app->marks.nevents) {
		app->marks_timer = 0;
		return -1;
	}
	if (app->wq_head)
		return RETRY_MS; /* the queue's next commit takes them */
	if (store_write(app, NULL, NULL, 0, err, sizeof(err)) == 0) {
		app->marks_timer = 0;
		return -1;
	}
	if (errno != EBUSY)
		mc_log(MC_LOG_WARNING, "print outcomes not saved yet, retrying: %s", err);
	return errno == EBUSY ? RETRY_MS : 1000;
}
static void notify_changed(struct mc_app *app)
{
	for (int i = 0; i < app->noutputs; i++)
		if (app->outputs[i].ops->changed)
			app->outputs[i].ops->changed(app->outputs[i].priv);
}

static void notify_called(struct mc_app *app, int counter, const struct mc_ticket *t,
			  enum mc_event_kind kind)
{
	for (int i = 0; i < app->noutputs; i++)
		if (app->outputs[i].ops->called)
			app->outputs[i].ops->called(app->outputs[i].priv, counter, t, kind);
}

static void log_changes(const struct mc_app *app, const struct mc_changes *ch)
{
	for (size_t i = 0; i < ch->nevents; i++) {
		const struct mc_event *ev = &ch->events[i];
		const struct mc_ticket *t = ev->ticket ? mc_engine_ticket(app->engine, ev->ticket) : NULL;
		char where[32] = "";
		if (ev->counter)
			snprintf(where, sizeof(where), " counter %d", ev->counter);
		mc_log(MC_LOG_INFO, "event %s%s%s%s", mc_event_kind_name(ev->kind), t ? " " : "",
		       t ? t->label : "", where);
	}
}

/* Looks at the clocks before an event (DESIGN §8): sets the clock's hold
 * on issuing and fills w with the moment, dated the office day. Returns
 * whether the hold changed. A new office day is rolled over by the write
 * that notices it (attempt). */
static bool clock_check(struct mc_app *app, struct mc_when *w)
{
	wall_now(app, w);
	if (!app->clock)
		return false;
	enum mc_err hold = mc_clock_state_err(mc_app_clock_check(app->clock, w));
	bool changed = hold != mc_engine_clock(app->engine);
	mc_engine_set_clock(app->engine, hold);
	return changed;
}

static bool has_rows(const struct mc_changes *ch)
{
	return ch->ntickets || ch->ncounters || ch->nevents;
}

/* Runs ops[0..n) against the engine in order, each into its own change
 * set chs[i] with its result res[i], and commits all their rows in one
 * transaction: a group commit, so the actions that arrive while one
 * commit is on its way to the disk share the next fsync instead of
 * queueing one each (a clerk's NEXT does not wait behind a row of
 * presses). A new office day ends the group before the action that
 * notices it; that action starts the next group, the rollover's rows
 * first. Returns how many ops were taken (done: committed, or refused —
 * res[i] says which), or 0 when the store is busy (the engine is back as
 * it was; try again later). */
static int attempt(struct mc_app *app, struct wop *const *ops, int n, struct result *res,
		   struct mc_changes *chs)
{
	struct mc_when w;
	char err[300];
	bool rows = false;
	int k;

	mc_changes_clear(&app->tick);
	if (mc_engine_savepoint(app->engine) < 0) {
		memset(&res[0], 0, sizeof(res[0]));
		mc_changes_clear(&chs[0]);
		res[0].err = MC_E_NOMEM;
		return 1;
	}
	int room = app->printer_room;
	for (k = 0; k < n; k++) {
		const struct wop *op = ops[k];
		struct result *r = &res[k];
		struct mc_changes *ch = &chs[k];

		memset(r, 0, sizeof(*r));
		clock_check(app, &w);
		/* A new office day first, in the same transaction as the action. */
		if (w.day > mc_engine_day(app->engine)) {
			if (k > 0)
				break;
			mc_engine_tick(app->engine, &w, &app->tick);
		}
		switch (op->kind) {
		case WOP_PRESS:
			/* The jobs of this group are handed over after its commit:
			 * the queue is full for the presses past its room. The
			 * printer says so itself once they are queued (or the
			 * savepoint puts the state back if the commit fails). */
			if (room == 0 && mc_engine_printer(app->engine) == MC_PRINTER_READY)
				mc_engine_set_printer(app->engine, MC_PRINTER_FULL);
			r->err = mc_engine_press(app->engine, &w, op->service, op->priority, op->source,
						 &r->is, ch);
			if (room > 0 && r->err == MC_OK && !r->is.duplicate && r->is.ticket.print == MC_P_PENDING)
				room--;
			break;
		case WOP_COUNTER:
			r->err = mc_engine_counter(app->engine, &w, op->counter, op->act, op->arg, &r->t, ch);
			break;
		case WOP_TICK:
			mc_changes_clear(ch);
			break;
		}
		rows |= has_rows(ch);
	}
	if ((!rows && !app->tick.nevents) || store_write(app, &app->tick, chs, k, err, sizeof(err)) == 0) {
		mc_engine_release(app->engine);
		return k;
	}
	int e = errno;
	/* A failed commit changes nothing: the engine goes back, and every
	 * action of the group is refused (a later one may have relied on an
	 * earlier one's rows: a double tap's ticket). */
	mc_engine_rollback(app->engine);
	mc_changes_clear(&app->tick);
	for (int i = 0; i < k; i++)
		mc_changes_clear(&chs[i]);
	if (e == EBUSY)
		return 0;
	mc_log(MC_LOG_ERR, "database write failed, %d action%s refused: %s", k, k == 1 ? "" : "s", err);
	for (int i = 0; i < k; i++)
		if (res[i].err == MC_OK) {
			res[i].err = MC_E_STORE;
			snprintf(res[i].why, sizeof(res[i].why), "%s", err);
			app->store_refused++;
		}
	return k;
}

/* Tells whoever waits what a committed (or refused) action gave. */
static void answer(const struct wop *op, const struct result *r)
{
	if (op->done)
		op->done(op->ctx, r->err, op->kind == WOP_PRESS ? &r->is : NULL,
			 op->kind == WOP_COUNTER ? &r->t : NULL, r->why);
}

/* Tells every output what a committed action did (its rows ch; tick, the
 * rollover's, or NULL) and clears both. Returns whether anything changed
 * (then the caller tells the outputs once). A press is answered before
 * its print job is handed over. */
static bool tell(struct mc_app *app, const struct wop *op, struct result *r, struct mc_changes *ch,
		 struct mc_changes *tick)
{
	bool any = has_rows(ch) || (tick && tick->nevents);

	if (tick)
		log_changes(app, tick);
	log_changes(app, ch);
	/* The touch screen shows the number of its own presses and of the
	 * physical service buttons' (the ticket screen, app-screen.c): that
	 * citizen knows it even if the printer refuses the job. */
	if (op->kind == WOP_PRESS && r->err == MC_OK && !r->is.duplicate && app->cfg.screen.present &&
	    (!strcmp(op->source, "touch") || !strncmp(op->source, "gpio:", 5))) {
		app->shown[app->shown_next] = r->is.ticket.id;
		app->shown_next = (app->shown_next + 1) % (int)(sizeof(app->shown) / sizeof(app->shown[0]));
	}
	/* Outputs may ask which input pressed (a GPIO press shows the ticket
	 * screen too): valid during these calls only. */
	r->is.source = op->source;
	if (op->kind == WOP_PRESS && r->err == MC_OK && !r->is.duplicate)
		for (int i = 0; i < app->noutputs; i++)
			if (app->outputs[i].ops->issued)
				app->outputs[i].ops->issued(app->outputs[i].priv, &r->is);
	if (op->kind == WOP_COUNTER && r->err == MC_OK)
		for (size_t i = 0; i < ch->nevents; i++) {
			const struct mc_event *ev = &ch->events[i];
			/* A reactivation queued behind the current citizen is no call. */
			if (ev->kind == MC_EV_CALL || ev->kind == MC_EV_RECALL ||
			    (ev->kind == MC_EV_REACTIVATE && r->t.status == MC_T_CALLED))
				notify_called(app, op->counter, &r->t, ev->kind);
		}
	mc_changes_clear(ch);
	if (tick)
		mc_changes_clear(tick);
	return any;
}

static void refuse_store(struct mc_app *app, const struct wop *op, const char *why)
{
	struct result r;

	memset(&r, 0, sizeof(r));
	r.err = MC_E_STORE;
	snprintf(r.why, sizeof(r.why), "%s", why);
	app->store_refused++;
	answer(op, &r);
}

static int64_t on_wq_timer(struct mc_loop *loop, long long id, void *ctx);

static struct wop *wq_pop(struct mc_app *app)
{
	struct wop *op = app->wq_head;

	app->wq_head = op->next;
	if (!app->wq_head)
		app->wq_tail = NULL;
	app->wq_len--;
	return op;
}

/* Moves the clerks' actions queued behind presses to the queue's head, in
 * their order, so that a NEXT commits in a group of its own before them:
 * under a flood of presses a clerk's key then waits for the commit on its
 * way to the disk and its own, not also for a group of presses (their
 * engine work and their pages). Requests that wait in the queue together
 * arrived within one commit of each other and none was answered yet, so
 * no order between different requesters was promised; one socket client's
 * own requests keep theirs (a pipelined press then NEXT: the NEXT may
 * call that ticket), and so does everything behind such a NEXT. Never
 * past a new office day; looks at the first BATCH_MAX actions only (the
 * rest are reached by the next groups). */
static void counters_first(struct mc_app *app)
{
	struct wop **tail = &app->wq_head, **at = &app->wq_head;

	for (int seen = 0; *at && (*at)->kind != WOP_TICK && seen < BATCH_MAX; seen++) {
		struct wop *op = *at;
		if (op->kind != WOP_COUNTER) {
			at = &op->next;
			continue;
		}
		if (at == tail) {
			tail = at = &op->next;
			continue;
		}
		for (struct wop *p = *tail; op->origin && p != op; p = p->next)
			if (p->origin == op->origin)
				return; /* its own client's press before it */
		if (op == app->wq_tail) /* the press before it is the last now */
			app->wq_tail = (struct wop *)((char *)at - offsetof(struct wop, next));
		*at = op->next; /* out, then in at the counters' end */
		op->next = *tail;
		*tail = op;
		tail = &op->next;
	}
}

/* Works through the write queue, a group of actions per commit, until it
 * is empty or the store is busy (then a timer tries again): clerks'
 * actions first, in a group of their own, then the rest in order. */
static void pump(struct mc_app *app)
{
	struct wop *ops[BATCH_MAX];

	if (app->pumping)
		return;
	app->pumping = true;
	while (app->wq_head) {
		if (mc_mono_ms() >= app->wq_head->deadline_ms) {
			struct wop *op = wq_pop(app);
			refuse_store(app, op, "the database stayed locked by another program for longer "
				     "than [office] store_wait");
			free(op);
			continue;
		}
		counters_first(app);
		int n = 0;
		for (struct wop *op = app->wq_head; op && n < BATCH_MAX; op = op->next) {
			if (n > 0 && ops[0]->kind == WOP_COUNTER && op->kind != WOP_COUNTER)
				break;
			ops[n++] = op;
		}
		int k = attempt(app, ops, n, app->br, app->bch);
		if (k == 0) {
			app->store_busy = true;
			snprintf(app->store_problem, sizeof(app->store_problem),
				 "the database is locked by another program: actions wait");
			if (!app->wq_timer)
				app->wq_timer = mc_loop_add_timer(app->loop, RETRY_MS, on_wq_timer, app);
			break;
		}
		app->store_busy = false;
		/* Off the queue before anyone is told: an answer may queue more.
		 * Every answer of the group goes out before any output is told. */
		for (int i = 0; i < k; i++)
			wq_pop(app);
		for (int i = 0; i < k; i++)
			answer(ops[i], &app->br[i]);
		bool any = false;
		for (int i = 0; i < k; i++) {
			any |= tell(app, ops[i], &app->br[i], &app->bch[i], i == 0 ? &app->tick : NULL);
			free(ops[i]);
		}
		if (any)
			notify_changed(app);
	}
	app->pumping = false;
}

static int64_t on_wq_timer(struct mc_loop *loop, long long id, void *ctx)
{
	struct mc_app *app = ctx;

	(void)loop;
	app->wq_timer = 0;
	pump(app);
	if (app->wq_head && !app->wq_timer) {
		app->wq_timer = id;
		return RETRY_MS;
	}
	return -1;
}

static int64_t on_pump_timer(struct mc_loop *loop, long long id, void *ctx)
{
	struct mc_app *app = ctx;

	(void)loop;
	(void)id;
	app->pump_timer = 0;
	pump(app);
	return -1;
}

static void submit(struct mc_app *app, const struct wop *tmpl)
{
	struct wop *op = malloc(sizeof(*op));

	if (!op) {
		struct result r;
		memset(&r, 0, sizeof(r));
		r.err = MC_E_NOMEM;
		answer(tmpl, &r);
		return;
	}
	*op = *tmpl;
	op->next = NULL;
	op->deadline_ms = mc_mono_ms() + app->cfg.office.store_wait_ms;
	if (app->wq_tail)
		app->wq_tail->next = op;
	else
		app->wq_head = op;
	app->wq_tail = op;
	app->wq_len++;
	if (app->store_busy)
		app->store_busy_waits++;
	if (app->wq_timer)
		return; /* the busy store's retry timer takes it, in order */
	/* Pumped once this loop turn's events are read: every action that
	 * arrived in the same turn shares one commit. */
	if (!app->pump_timer)
		app->pump_timer = mc_loop_add_timer(app->loop, 0, on_pump_timer, app);
	if (app->pump_timer < 0) {
		app->pump_timer = 0;
		pump(app);
	}
}

/* Looks at the clocks between events: the hold on issuing, and a new
 * office day rolled over through the write queue. */
static void now_checked(struct mc_app *app, struct mc_when *w)
{
	bool changed = clock_check(app, w);

	if (w->day > mc_engine_day(app->engine)) {
		struct wop op = { .kind = WOP_TICK };
		submit(app, &op);
		/* At once, not at the end of the loop turn: a request read in
		 * this turn already sees the new day. */
		if (!app->wq_timer)
			pump(app);
	}
	if (changed)
		notify_changed(app);
}

void mc_app_clock_changed(struct mc_app *app)
{
	struct mc_when w;

	now_checked(app, &w);
}

int mc_app_confirm_clock(struct mc_app *app, char *err, size_t errlen)
{
	if (mc_app_clock_confirm(app->clock, err, errlen) < 0)
		return -1;
	mc_app_clock_changed(app);
	return 0;
}

static void submit_press(struct mc_app *app, int service, bool priority, const char *source,
			 uint64_t origin, mc_app_done_fn done, void *ctx)
{
	struct wop op = { .kind = WOP_PRESS, .service = service, .priority = priority,
			  .origin = origin, .done = done, .ctx = ctx };

	snprintf(op.source, sizeof(op.source), "%s", source ? source : "");
	submit(app, &op);
}

static void submit_counter(struct mc_app *app, int counter, enum mc_action act, int arg,
			   uint64_t origin, mc_app_done_fn done, void *ctx)
{
	struct wop op = { .kind = WOP_COUNTER, .counter = counter, .act = act, .arg = arg,
			  .origin = origin, .done = done, .ctx = ctx };

	submit(app, &op);
}

void mc_app_submit_press(struct mc_app *app, int service, bool priority, const char *source,
			 mc_app_done_fn done, void *ctx)
{
	submit_press(app, service, priority, source, 0, done, ctx);
}

void mc_app_submit_counter(struct mc_app *app, int counter, enum mc_action act, int arg,
			   mc_app_done_fn done, void *ctx)
{
	submit_counter(app, counter, act, arg, 0, done, ctx);
}

/* The synchronous form: after the actions already queued, tried once,
 * never queued itself (a caller that cannot wait is refused at once while
 * the store is busy). */
static enum mc_err run_now(struct mc_app *app, const struct wop *op, struct result *r)
{
	struct wop *ops[1] = { (struct wop *)op };

	pump(app);
	if (app->wq_head || app->pumping || attempt(app, ops, 1, r, &app->ch) == 0) {
		memset(r, 0, sizeof(*r));
		refuse_store(app, op, "the database is locked by another program");
		return MC_E_STORE;
	}
	answer(op, r);
	if (tell(app, op, r, &app->ch, &app->tick))
		notify_changed(app);
	return r->err;
}

enum mc_err mc_app_press(struct mc_app *app, int service, bool priority, const char *source,
			 struct mc_issue *out)
{
	struct wop op = { .kind = WOP_PRESS, .service = service, .priority = priority };
	struct result r;

	snprintf(op.source, sizeof(op.source), "%s", source ? source : "");
	enum mc_err err = run_now(app, &op, &r);
	*out = r.is;
	return err;
}

int mc_app_key_hold(const struct mc_app *app, enum mc_action act)
{
	return act == MC_A_NEXT || act == MC_A_PRIORITY_NEXT ? app->cfg.office.next_hold_ms : 0;
}

enum mc_err mc_app_counter(struct mc_app *app, int counter, enum mc_action act, int arg,
			   struct mc_ticket *t)
{
	struct wop op = { .kind = WOP_COUNTER, .counter = counter, .act = act, .arg = arg };
	struct result r;

	enum mc_err err = run_now(app, &op, &r);
	if (t)
		*t = r.t;
	return err;
}

void mc_app_print_outcome(struct mc_app *app, int64_t id, enum mc_print_status outcome)
{
	struct mc_when w;
	bool shown = false;

	mc_app_now(app, &w);
	/* A number shown on a screen is held by the citizen even when the
	 * printer refused the job. */
	for (size_t i = 0; i < sizeof(app->shown) / sizeof(app->shown[0]); i++)
		shown |= app->shown[i] == id;
	mc_engine_print_outcome(app->engine, &w, id, outcome, shown, &app->scratch);
	if (!app->scratch.nevents)
		return;
	for (size_t i = 0; i < app->scratch.nevents; i++) {
		const struct mc_ticket *t = mc_engine_ticket(app->engine, app->scratch.events[i].ticket);
		mc_log(MC_LOG_INFO, "event %s %s", mc_event_kind_name(app->scratch.events[i].kind),
		       t ? t->label : "");
	}
	if (mc_changes_append(&app->marks, &app->scratch) < 0)
		mc_log(MC_LOG_ERR, "out of memory: a print outcome is not saved (it stays pending)");
	mc_changes_clear(&app->scratch);
	/* Batch before sleeping: every outcome of this loop turn goes in one
	 * commit, or with the next action's. */
	if (!app->marks_timer)
		app->marks_timer = mc_loop_add_timer(app->loop, 0, on_marks_timer, app);
	notify_changed(app);
}

void mc_app_printed(struct mc_app *app, int64_t id, bool ok)
{
	mc_app_print_outcome(app, id, ok ? MC_P_PRINTED : MC_P_FAILED);
}

void mc_app_set_printer(struct mc_app *app, enum mc_printer_ok state, const char *text)
{
	if (mc_engine_printer(app->engine) != state || strcmp(app->printer_text, text ? text : "")) {
		mc_log(state == MC_PRINTER_DOWN ? MC_LOG_WARNING : MC_LOG_NOTICE, "printer: %s",
		       text ? text : "");
		mc_engine_set_printer(app->engine, state);
		snprintf(app->printer_text, sizeof(app->printer_text), "%s", text ? text : "");
		notify_changed(app);
	}
}

void mc_app_set_printer_room(struct mc_app *app, int room)
{
	app->printer_room = room;
}

void mc_app_set_issuing_paused(struct mc_app *app, bool paused)
{
	if (mc_engine_issuing_paused(app->engine) == paused)
		return;
	mc_engine_set_issuing_paused(app->engine, paused);
	mc_log(MC_LOG_NOTICE, "ticket issuing %s", paused ? "paused" : "resumed");
	notify_changed(app);
}

int mc_app_add_output(struct mc_app *app, const struct mc_output_ops *ops, void *priv)
{
	if (app->noutputs == MAX_OUTPUTS) {
		errno = ENOSPC;
		return -1;
	}
	app->outputs[app->noutputs++] = (struct output){ ops, priv };
	return 0;
}

struct mc_app_hooks *mc_app_hooks(struct mc_app *app)
{
	return &app->hooks;
}

/* ---- status for kioskctl ----------------------------------------------- */

static json_t *ticket_json(const struct mc_config *cfg, const struct mc_ticket *t,
			   const char *service, const char *cur_service)
{
	char day[16];

	mc_format_day(t->day, day, sizeof(day));
	return json_pack("{s:I, s:s, s:s, s:s, s:i, s:i, s:s, s:b, s:s, s:s, s:i, s:i, s:i, s:i,"
			 " s:I, s:I, s:I, s:I, s:I}",
			 "id", (json_int_t)t->id,
			 "service", service ? service : cfg->services[t->service].key,
			 "cur_service", cur_service ? cur_service : cfg->services[t->cur_service].key,
			 "day", day, "round", t->round, "number", t->number, "label", t->label,
			 "priority", t->priority, "status", mc_ticket_status_name(t->status),
			 "print", mc_print_status_name(t->print), "counter", t->counter,
			 "clerk", t->clerk, "rating", t->rating, "transfers", t->transfers,
			 "issued_at", (json_int_t)t->issued_wall, "called_at", (json_int_t)t->called_wall,
			 "finished_at", (json_int_t)t->finished_wall, "wait_ms", (json_int_t)t->wait_ms,
			 "service_ms", (json_int_t)t->service_ms);
}

static void format_open(const struct mc_app *app, int32_t day, int minute, char *buf, size_t len)
{
	char d[16];

	if (minute < 0) {
		snprintf(buf, len, "none");
		return;
	}
	mc_format_day(day, d, sizeof(d));
	snprintf(buf, len, "%s %02d:%02d", d, minute / 60, minute % 60);
	(void)app;
}

void mc_app_status(struct mc_app *app, json_t *obj)
{
	const struct mc_config *cfg = &app->cfg;
	struct mc_when w;
	int32_t nd = 0;
	int nm = -1;
	char day[16], next[32] = "";
	json_t *services = json_array(), *counters = json_array();

	mc_app_now(app, &w);
	if (app->ctl) {
		/* The control socket's own figures: clients, unsent bytes, ... */
		json_t *sock = json_object();
		mc_ctl_stats(app->ctl, sock);
		json_object_set_new(obj, "socket", sock);
	}
	bool open = mc_engine_is_open(app->engine, &w, &nd, &nm);
	if (!open)
		format_open(app, nd, nm, next, sizeof(next));
	mc_format_day(mc_engine_day(app->engine), day, sizeof(day));
	json_object_set_new(obj, "version", json_string(MC_VERSION));
	json_object_set_new(obj, "office", json_string(cfg->office.name));
	json_object_set_new(obj, "timezone", json_string(cfg->office.timezone));
	/* For kioskctl diag: the state this kioskd really uses, and how long it runs. */
	json_object_set_new(obj, "state_dir", json_string(app->state_dir));
	/* kioskctl diag matches it with systemd's MainPID of the unit. */
	json_object_set_new(obj, "pid", json_integer((json_int_t)getpid()));
	json_object_set_new(obj, "uptime_s", json_integer((json_int_t)((mc_mono_ms() - app->started_ms) / 1000)));
	/* Loop turns that ran a handler since the start: an idle kiosk's stays
	 * still; tests count the turns a burst of requests takes. */
	json_object_set_new(obj, "loop_wakeups", json_integer((json_int_t)mc_loop_wakeups(app->loop)));
	json_object_set_new(obj, "day", json_string(day));
	json_object_set_new(obj, "open", json_boolean(open));
	if (!open)
		json_object_set_new(obj, "next_open", json_string(next));
	json_object_set_new(obj, "sim", json_boolean(app->sim));
	json_object_set_new(obj, "issuing_paused", json_boolean(mc_engine_issuing_paused(app->engine)));
	if (app->clock)
		mc_app_clock_status(app->clock, obj);
	json_object_set_new(obj, "waiting", json_integer(mc_engine_waiting(app->engine, -1)));
	for (int i = 0; i < cfg->nservices; i++)
		json_array_append_new(services, json_pack(
			"{s:s, s:s, s:s, s:s, s:i, s:I}", "key", cfg->services[i].key,
			"name", cfg->services[i].name,
			"name_en", cfg->services[i].name_en[0] ? cfg->services[i].name_en : cfg->services[i].name,
			"prefix", cfg->services[i].prefix,
			"waiting", mc_engine_waiting(app->engine, i),
			"est_wait_s", (json_int_t)(mc_engine_estimate(app->engine, i, false) / 1000)));
	json_object_set_new(obj, "services", services);
	for (int i = 0; i < cfg->ncounters; i++) {
		const struct mc_counter_state *c = mc_engine_counter_state(app->engine, cfg->counters[i].number);
		const struct mc_ticket *t = c->current ? mc_engine_ticket(app->engine, c->current) : NULL;
		json_array_append_new(counters, json_pack(
			"{s:i, s:s, s:b, s:i, s:i}", "number", c->number, "current", t ? t->label : "",
			"paused", c->paused, "clerk", c->clerk,
			"waiting", mc_engine_waiting_for_counter(app->engine, c->number)));
	}
	json_object_set_new(obj, "counters", counters);
	/* Print states of today's and open tickets, and what became of the
	 * ones whose paper is uncertain. */
	size_t nt;
	const struct mc_ticket *ts = mc_engine_tickets(app->engine, &nt);
	int pc[5] = { 0 }, served[5] = { 0 }, noshow[5] = { 0 };
	for (size_t i = 0; i < nt; i++) {
		if (ts[i].day != mc_engine_day(app->engine))
			continue;
		pc[ts[i].print]++;
		served[ts[i].print] += ts[i].status == MC_T_FINISHED;
		noshow[ts[i].print] += ts[i].status == MC_T_NOSHOW;
	}
	json_object_set_new(obj, "print", json_pack(
		"{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i}", "printed", pc[MC_P_PRINTED],
		"pending", pc[MC_P_PENDING], "in_doubt", pc[MC_P_IN_DOUBT],
		"in_doubt_served", served[MC_P_IN_DOUBT], "in_doubt_noshow", noshow[MC_P_IN_DOUBT],
		"failed", pc[MC_P_FAILED], "failed_served", served[MC_P_FAILED],
		"failed_noshow", noshow[MC_P_FAILED]));
	struct mc_store_checkpoints ck;
	char ckpt_text[400] = "";
	mc_store_checkpoints(app->store, &ck);
	if (ck.trouble) {
		snprintf(ckpt_text, sizeof(ckpt_text), "không dồn được WAL vào cơ sở dữ liệu: WAL có %d trang "
			 "và chỉ tăng, hết chỗ thì không cấp được số / checkpoints fail (%s): the WAL holds %d "
			 "pages and only grows; tickets are refused once it cannot grow",
			 ck.wal_pages, ck.trouble, ck.wal_pages);
		mc_store_disk_note(app->store, ckpt_text, sizeof(ckpt_text));
	}
	json_object_set_new(obj, "store", json_pack(
		"{s:s, s:s, s:s, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:i}", "id", mc_store_id(app->store),
		"state", app->store_busy ? "busy" : app->store_problem[0] ? "error" : ck.trouble ? "degraded" : "ok",
		"text", app->store_problem[0] || app->store_busy ? app->store_problem : ckpt_text,
		"queued", app->wq_len,
		"waited", (json_int_t)app->store_busy_waits, "refused", (json_int_t)app->store_refused,
		"checkpoints", (json_int_t)ck.done, "checkpoints_failed", (json_int_t)ck.failed,
		"checkpoints_on_loop", (json_int_t)ck.on_loop, "wal_ahead", (json_int_t)ck.wal_ahead,
		"layout", mc_store_layout(app->store, NULL)));
	static const char *const pstate[] = { "absent", "ready", "down", "full" };
	json_object_set_new(obj, "printer", json_pack("{s:s, s:s}", "state",
						      pstate[mc_engine_printer(app->engine)],
						      "text", app->printer_text));
	for (int i = 0; i < app->noutputs; i++)
		if (app->outputs[i].ops->status)
			app->outputs[i].ops->status(app->outputs[i].priv, obj);
}

/* ---- control socket commands ------------------------------------------- */

static enum mc_ctl_result cmd_status(void *ctx, json_t *req, json_t *resp, uint64_t client)
{
	struct mc_when w;

	/* A look at the clocks first: status is also how a step is noticed
	 * between events. */
	now_checked(ctx, &w);
	mc_app_status(ctx, resp);
	return MC_CTL_OK;
}

static enum mc_ctl_result engine_error(struct mc_app *app, json_t *resp, enum mc_err err)
{
	json_object_set_new(resp, "message_en", json_string(mc_err_message(err, "en")));
	return mc_ctl_error(resp, mc_err_token(err), "%s", mc_err_message(err, app->cfg.office.language));
}

/* A control-socket client waiting for its queued action. */
struct ctl_wait {
	struct mc_app *app;
	uint64_t client;
};

static void answer_press(void *ctx, enum mc_err err, const struct mc_issue *is,
			 const struct mc_ticket *t, const char *why)
{
	struct ctl_wait *cw = ctx;
	struct mc_app *app = cw->app;
	json_t *resp = json_object();

	(void)t;
	if (err == MC_E_CLOSED) {
		char next[32];
		format_open(app, is->open_day, is->open_minute, next, sizeof(next));
		json_object_set_new(resp, "next_open", json_string(next));
	}
	if (err != MC_OK) {
		engine_error(app, resp, err);
		if (why && *why)
			json_object_set_new(resp, "detail", json_string(why));
		json_object_set_new(resp, "ok", json_false());
	} else {
		json_object_set_new(resp, "ticket", ticket_json(&app->cfg, &is->ticket, NULL, NULL));
		json_object_set_new(resp, "label", json_string(is->ticket.label));
		json_object_set_new(resp, "duplicate", json_boolean(is->duplicate));
		json_object_set_new(resp, "ahead", json_integer(is->ahead));
		json_object_set_new(resp, "est_wait_s", json_integer(is->est_wait_ms / 1000));
	}
	mc_ctl_send(app->ctl, cw->client, resp, true);
	json_decref(resp);
	free(cw);
}

static enum mc_ctl_result cmd_press(void *ctx, json_t *req, json_t *resp, uint64_t client)
{
	struct mc_app *app = ctx;
	const char *key = json_string_value(json_object_get(req, "service"));
	const char *source = json_string_value(json_object_get(req, "source"));
	json_t *jprio = json_object_get(req, "priority");
	json_t *jsource = json_object_get(req, "source");
	bool priority = json_is_true(jprio);
	struct ctl_wait *cw;
	int s;

	if (!key)
		return mc_ctl_error(resp, "bad_request", "press needs a string \"service\"");
	/* A priority given as 1 or "yes" was a plain ticket, silently. */
	if (jprio && !json_is_boolean(jprio) && !json_is_null(jprio))
		return mc_ctl_error(resp, "bad_request", "\"priority\" must be true or false");
	if (jsource && !json_is_string(jsource) && !json_is_null(jsource))
		return mc_ctl_error(resp, "bad_request", "\"source\" must be a string");
	s = mc_config_service_index(&app->cfg, key);
	if (s < 0)
		return mc_ctl_error(resp, "no_service", "no service '%s' in %s", key, app->cfg.path);
	cw = malloc(sizeof(*cw));
	if (!cw)
		return mc_ctl_error(resp, "nomem", "out of memory");
	*cw = (struct ctl_wait){ app, client };
	/* Answered when committed: at once, or after a busy store let go. */
	submit_press(app, s, priority, source ? source : "socket", client + 1, answer_press, cw);
	return MC_CTL_LATER;
}

static const struct {
	const char *name;
	enum mc_action act;
} actions[] = {
	{ "next", MC_A_NEXT }, { "priority-next", MC_A_PRIORITY_NEXT }, { "recall", MC_A_RECALL },
	{ "noshow", MC_A_NOSHOW }, { "finish", MC_A_FINISH }, { "pause", MC_A_PAUSE },
	{ "resume", MC_A_RESUME }, { "transfer", MC_A_TRANSFER }, { "login", MC_A_LOGIN },
	{ "logout", MC_A_LOGOUT }, { "rate", MC_A_RATE }, { "reactivate", MC_A_REACTIVATE },
};

static void answer_counter(void *ctx, enum mc_err err, const struct mc_issue *is,
			   const struct mc_ticket *t, const char *why)
{
	struct ctl_wait *cw = ctx;
	struct mc_app *app = cw->app;
	json_t *resp = json_object();

	(void)is;
	if (err != MC_OK) {
		engine_error(app, resp, err);
		if (why && *why)
			json_object_set_new(resp, "detail", json_string(why));
		json_object_set_new(resp, "ok", json_false());
	} else if (t->id) {
		json_object_set_new(resp, "ticket", ticket_json(&app->cfg, t, NULL, NULL));
	}
	mc_ctl_send(app->ctl, cw->client, resp, true);
	json_decref(resp);
	free(cw);
}

static enum mc_ctl_result cmd_counter(void *ctx, json_t *req, json_t *resp, uint64_t client)
{
	struct mc_app *app = ctx;
	json_t *num = json_object_get(req, "counter");
	const char *action = json_string_value(json_object_get(req, "action"));
	json_t *jarg = json_object_get(req, "arg");
	int arg = 0;
	size_t i;

	if (!json_is_integer(num) || !action)
		return mc_ctl_error(resp, "bad_request", "counter needs an integer \"counter\" and a string \"action\"");
	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (!strcmp(actions[i].name, action))
			break;
	if (i == sizeof(actions) / sizeof(actions[0]))
		return mc_ctl_error(resp, "bad_request", "unknown counter action '%s'", action);
	if (actions[i].act == MC_A_TRANSFER) {
		const char *key = json_string_value(jarg);
		arg = key ? mc_config_service_index(&app->cfg, key) : -1;
		if (arg < 0)
			return mc_ctl_error(resp, "no_service", "transfer needs a service key in \"arg\"");
	} else if (jarg && !json_is_null(jarg)) {
		if (!json_is_integer(jarg) || json_integer_value(jarg) < 0 || json_integer_value(jarg) > 65535)
			return mc_ctl_error(resp, "bad_request", "\"arg\" must be an integer 0..65535");
		arg = (int)json_integer_value(jarg);
	}
	json_int_t n = json_integer_value(num);
	if (n < 1 || n > 247)
		return mc_ctl_error(resp, "no_counter", "counter numbers are 1 to 247");
	struct ctl_wait *cw = malloc(sizeof(*cw));
	if (!cw)
		return mc_ctl_error(resp, "nomem", "out of memory");
	*cw = (struct ctl_wait){ app, client };
	submit_counter(app, (int)n, actions[i].act, arg, client + 1, answer_counter, cw);
	return MC_CTL_LATER;
}

/* Where store rows are collected. */
struct rows {
	json_t *arr;             /* the JSON array */
	struct mc_when now;      /* for the wait so far of waiting tickets */
};

/* Collects store rows into a JSON array; a waiting ticket also gets
 * waited_ms, its wait so far. */
static int add_row(const struct mc_store_ticket *row, void *ctx)
{
	struct rows *r = ctx;
	struct mc_ticket t = row->t;

	t.service = t.service < 0 ? 0 : t.service;
	t.cur_service = t.cur_service < 0 ? 0 : t.cur_service;
	json_t *o = ticket_json(NULL, &t, row->service, row->cur_service);
	if (o && t.status == MC_T_WAITING)
		json_object_set_new(o, "waited_ms", json_integer(mc_ticket_waited_ms(&t, &r->now)));
	json_array_append_new(r->arr, o);
	return 0;
}

static enum mc_ctl_result cmd_tickets(void *ctx, json_t *req, json_t *resp, uint64_t client)
{
	struct mc_app *app = ctx;
	const char *dtext = json_string_value(json_object_get(req, "day"));
	int32_t day = mc_engine_day(app->engine);
	char err[256];
	json_t *arr = json_array();

	if (dtext && mc_parse_day(dtext, &day) < 0) {
		json_decref(arr);
		return mc_ctl_error(resp, "bad_request", "day '%s' is not YYYY-MM-DD", dtext);
	}
	struct rows rows = { .arr = arr };
	mc_app_now(app, &rows.now);
	if (mc_store_each_ticket(app->store, &app->cfg, day, add_row, &rows, err, sizeof(err)) < 0) {
		json_decref(arr);
		return mc_ctl_error(resp, "store", "%s", err);
	}
	json_object_set_new(resp, "tickets", arr);
	/* Tools print times in the office's zone, not the machine's. */
	json_object_set_new(resp, "timezone", json_string(app->cfg.office.timezone));
	return MC_CTL_OK;
}

static enum mc_ctl_result cmd_clock(void *ctx, json_t *req, json_t *resp, uint64_t client)
{
	struct mc_app *app = ctx;
	const char *action = json_string_value(json_object_get(req, "action"));
	char err[256];

	if (action && !strcmp(action, "confirm")) {
		if (mc_app_confirm_clock(app, err, sizeof(err)) < 0)
			return mc_ctl_error(resp, "store", "%s", err);
	} else if (action && strcmp(action, "status")) {
		return mc_ctl_error(resp, "bad_request", "clock action must be \"status\" or \"confirm\"");
	} else {
		struct mc_when w;
		now_checked(app, &w);
	}
	mc_app_clock_status(app->clock, resp);
	return MC_CTL_OK;
}

static enum mc_ctl_result cmd_issuing(void *ctx, json_t *req, json_t *resp, uint64_t client)
{
	struct mc_app *app = ctx;
	json_t *paused = json_object_get(req, "paused");

	if (!json_is_boolean(paused))
		return mc_ctl_error(resp, "bad_request", "issuing needs a boolean \"paused\"");
	mc_app_set_issuing_paused(app, json_is_true(paused));
	return MC_CTL_OK;
}

/* ---- timers and signals ------------------------------------------------ */

/* Milliseconds to the next local midnight, at most ten minutes so that a
 * clock set by NTP after boot is noticed soon. */
static int64_t until_midnight(const struct mc_app *app)
{
	struct mc_when w;

	mc_app_now(app, &w);
	int64_t ms = (int64_t)(1440 - w.minute) * 60000 - (w.wall_ms % 60000) + 1000;
	return ms > 600000 ? 600000 : ms;
}

static int64_t on_day_timer(struct mc_loop *loop, long long id, void *ctx)
{
	struct mc_app *app = ctx;
	struct mc_when w;

	(void)loop;
	(void)id;
	now_checked(app, &w);
	return until_midnight(app);
}

static void on_signal(struct mc_loop *loop, int fd, int mask, void *ctx)
{
	struct signalfd_siginfo si;

	(void)mask;
	(void)ctx;
	if (read(fd, &si, sizeof(si)) == sizeof(si))
		mc_log(MC_LOG_NOTICE, "signal %u: stopping", si.ssi_signo);
	mc_loop_stop(loop);
}

/* ---- lifecycle --------------------------------------------------------- */

static int make_dirs(const char *path)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			mkdir(buf, 0755);
			*p = '/';
		}
	return mkdir(buf, 0750) == 0 || errno == EEXIST ? 0 : -1;
}

/* Takes STATE/kioskd.lock (flock, exclusive, not waiting) and writes this
 * process's id into it: a second kioskd on the same state directory (a
 * technician's test run beside the service) would hand out the same
 * numbers, and each would overwrite the other's rows. The kernel drops
 * the lock when the process ends, however it ends. flock, not fcntl: the
 * two do not meet on Linux, and SQLite's fcntl locks on kiosk.db stay as
 * they are. Returns the descriptor, or -1 with a message. */
static int lock_state_dir(const char *dir, char *err, size_t errlen)
{
	char path[300], pid[32] = "";

	snprintf(path, sizeof(path), "%s/kioskd.lock", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0640);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s: %s", path, fd < 0 ? strerror(errno) : "not a regular file: remove it");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		if (e == EWOULDBLOCK) {
			char who[48] = "";
			ssize_t n = pread(fd, pid, sizeof(pid) - 1, 0);
			pid[n > 0 ? n : 0] = 0;
			pid[strcspn(pid, "\n")] = 0;
			if (*pid)
				snprintf(who, sizeof(who), " (pid %.20s)", pid);
			snprintf(err, errlen, "another kioskd%s is using the state directory %s: two would give "
				 "out the same numbers; stop it first (systemctl stop motcua-kioskd)", who, dir);
		} else {
			snprintf(err, errlen, "%s: cannot lock: %s", path, strerror(e));
		}
		close(fd);
		return -1;
	}
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, strlen(pid), 0) < 0)
		mc_log(MC_LOG_WARNING, "%s: cannot write the process id: %s", path, strerror(errno));
	return fd;
}

struct mc_app *mc_app_new(const struct mc_app_options *opt, char *err, size_t errlen, int *exit_code)
{
	struct mc_app *app = calloc(1, sizeof(*app));
	char path[512], msg[600];
	struct mc_when w;
	int skipped;

	*exit_code = 1;
	if (!app) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	app->sigfd = -1;
	app->lock_fd = -1;
	if (opt->cfg)
		app->cfg = *opt->cfg;
	else if (mc_config_load(opt->board, &app->cfg, err, errlen) < 0) {
		*exit_code = MC_EX_CONFIG;
		goto err_free;
	}
	if (opt->bus_device)
		snprintf(app->cfg.bus.device, sizeof(app->cfg.bus.device), "%s", opt->bus_device);
	/* Opening hours and days are the office's local time. */
	setenv("TZ", app->cfg.office.timezone, 1);
	tzset();
	app->sim = opt->sim;
	app->boot = read_boot_id();
	snprintf(app->state_dir, sizeof(app->state_dir), "%s", opt->state_dir);
	app->started_ms = mc_mono_ms();
	app->printer_room = -1;
	if (make_dirs(app->state_dir) < 0) {
		snprintf(err, errlen, "cannot create state directory %s: %s", app->state_dir, strerror(errno));
		goto err_free;
	}
	app->lock_fd = lock_state_dir(app->state_dir, err, errlen);
	if (app->lock_fd < 0)
		goto err_free;
	app->loop = mc_loop_new();
	app->engine = mc_engine_new(&app->cfg);
	if (!app->loop || !app->engine) {
		snprintf(err, errlen, "out of memory");
		goto err_close;
	}
	snprintf(path, sizeof(path), "%s/kiosk.db", app->state_dir);
	app->store = mc_store_open_mode(path, opt->init_store ? MC_STORE_INIT : MC_STORE_GUARDED,
					msg, sizeof(msg));
	if (!app->store) {
		if (errno == EUCLEAN)
			*exit_code = MC_EX_CONFIG;
		snprintf(err, errlen, "database: %s", msg);
		goto err_close;
	}
	mc_log(MC_LOG_NOTICE, "database %s, store %s", path, mc_store_id(app->store));
	const char *why;
	if (mc_store_layout(app->store, &why) != MC_STORE_LAYOUT)
		mc_log(MC_LOG_WARNING, "database indexes left in their first layout (each ticket writes "
		       "5 pages, not 3; tried again at the next start): %s", why);
	mc_app_now(app, &w);
	if (mc_store_load(app->store, &app->cfg, app->engine, &w, &skipped, msg, sizeof(msg)) < 0) {
		snprintf(err, errlen, "database %s: %s", path, msg);
		goto err_close;
	}
	if (skipped)
		mc_log(MC_LOG_WARNING, "%d open tickets belong to services no longer in %s; they are not called",
		       skipped, app->cfg.path);
	/* The WAL is copied back by a thread, not by the commits on the loop. */
	if (mc_store_checkpoint_in_thread(app->store) < 0)
		mc_log(MC_LOG_WARNING, "database checkpoints stay on the loop: no thread (%s)",
		       strerror(errno));

	snprintf(path, sizeof(path), "%s", opt->socket);
	char *slash = strrchr(path, '/');
	if (slash && slash != path) {
		*slash = 0;
		make_dirs(path);
	}
	app->ctl = mc_ctl_new(app->loop, opt->socket);
	if (!app->ctl) {
		snprintf(err, errlen, "control socket %s: %s", opt->socket,
			 errno == EEXIST ? "exists and is not a socket: kioskd replaces only a socket that "
					   "an earlier kioskd left (is --socket mistyped?)" :
			 errno == EADDRINUSE ? "another process listens on it (another kioskd? stop it first)" :
			 strerror(errno));
		goto err_close;
	}
	mc_ctl_register(app->ctl, "status", "queue, counters and devices", cmd_status, app);
	mc_ctl_register(app->ctl, "press", "issue a ticket: service, priority, source", cmd_press, app);
	mc_ctl_register(app->ctl, "counter", "counter action: counter, action, arg", cmd_counter, app);
	mc_ctl_register(app->ctl, "tickets", "tickets of a day: day (YYYY-MM-DD)", cmd_tickets, app);
	mc_ctl_register(app->ctl, "issuing", "pause or resume issuing: paused", cmd_issuing, app);
	mc_ctl_register(app->ctl, "clock", "clock trust and the office day: action (status|confirm)",
			cmd_clock, app);

	app->clock = mc_app_clock_new(app, mc_engine_day(app->engine), msg, sizeof(msg));
	if (!app->clock) {
		snprintf(err, errlen, "%s", msg);
		goto err_close;
	}
	/* The clock's first word, before any output or press: the day (a
	 * rollover missed while kioskd was down) and whether to issue. */
	now_checked(app, &w);

	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	app->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (app->sigfd < 0 || mc_loop_add_fd(app->loop, app->sigfd, MC_READ, on_signal, app) < 0) {
		snprintf(err, errlen, "signalfd: %s", strerror(errno));
		goto err_close;
	}
	app->day_timer = mc_loop_add_timer(app->loop, until_midnight(app), on_day_timer, app);
	return app;

err_close:
	mc_app_free(app);
	return NULL;
err_free:
	free(app);
	return NULL;
}

void mc_app_free(struct mc_app *app)
{
	if (!app)
		return;
	/* Writes still waiting are refused while whoever waits for them (an
	 * output, a client) still exists; print outcomes still unsaved get
	 * one last chance. Actions of the last loop turn are committed first. */
	pump(app);
	while (app->wq_head) {
		struct wop *op = app->wq_head;
		app->wq_head = op->next;
		refuse_store(app, op, "kioskd is stopping");
		free(op);
	}
	app->wq_tail = NULL;
	if (app->store && (app->marks.ntickets || app->marks.nevents)) {
		char msg[300];
		if (store_write(app, NULL, NULL, 0, msg, sizeof(msg)) < 0)
			mc_log(MC_LOG_WARNING, "print outcomes not saved at exit (they become in doubt): %s", msg);
	}
	for (int i = app->noutputs - 1; i >= 0; i--)
		if (app->outputs[i].ops->free)
			app->outputs[i].ops->free(app->outputs[i].priv);
	mc_app_clock_free(app->clock);
	mc_ctl_free(app->ctl);
	if (app->sigfd >= 0) {
		mc_loop_del_fd(app->loop, app->sigfd);
		close(app->sigfd);
	}
	if (app->marks_timer > 0)
		mc_loop_del_timer(app->loop, app->marks_timer);
	if (app->wq_timer > 0)
		mc_loop_del_timer(app->loop, app->wq_timer);
	if (app->pump_timer > 0)
		mc_loop_del_timer(app->loop, app->pump_timer);
	if (app->store) {
		/* Files removed while the kiosk was idle (no write noticed it): what
		 * kioskd holds is written back now, or the next start would find
		 * no database and begin the day again at its first number. The
		 * directory too, after an rm -r of it. */
		char msg[600];
		make_dirs(app->state_dir);
		int rc = mc_store_check_files(app->store, msg, sizeof(msg));
		if (rc == 1)
			mc_log(MC_LOG_WARNING, "database: a file was removed or replaced under kioskd; what it "
			       "held was written back before stopping");
		else if (rc < 0)
			mc_log(MC_LOG_ERR, "database, stopping: %s", msg);
	}
	mc_store_close(app->store);
	mc_engine_free(app->engine);
	mc_changes_free(&app->ch);
	mc_changes_free(&app->marks);
	mc_changes_free(&app->scratch);
	mc_changes_free(&app->tick);
	for (int i = 0; i < BATCH_MAX; i++)
		mc_changes_free(&app->bch[i]);
	mc_loop_free(app->loop);
	if (app->lock_fd >= 0)
		close(app->lock_fd); /* after the database is closed */
	free(app);
}

int mc_app_run(struct mc_app *app)
{
	/* Up and READY: commits from now on overwrite allocated WAL blocks
	 * (not before: a start that fails and is restarted would write it
	 * each time). */
	mc_store_write_ahead(app->store);
	/* Catch up with a day that changed while kioskd was down. */
	on_day_timer(app->loop, 0, app);
	notify_changed(app);
	return mc_loop_run(app->loop);
}

void mc_app_stop(struct mc_app *app) { mc_loop_stop(app->loop); }
struct mc_loop *mc_app_loop(struct mc_app *app) { return app->loop; }
struct mc_ctl *mc_app_ctl(struct mc_app *app) { return app->ctl; }
const struct mc_config *mc_app_config(const struct mc_app *app) { return &app->cfg; }
const struct mc_engine *mc_app_engine(const struct mc_app *app) { return app->engine; }
bool mc_app_sim(const struct mc_app *app) { return app->sim; }
const char *mc_app_state_dir(const struct mc_app *app) { return app->state_dir; }
struct mc_store *mc_app_store(struct mc_app *app) { return app->store; }
