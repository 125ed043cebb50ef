/* app-term.c — simulator mode's terminal output: each printed ticket and
 * each call appears as a clear line on stdout. Printing goes through a
 * worker thread like a real printer's, and reports back to the app. */
#include "app.h"
#include "services.h"
#include "loop.h"
#include "worker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct term {
	struct mc_app *app;      /* to report prints */
	struct mc_worker *worker; /* the "printer" thread */
};

/* One ticket to "print". */
struct job {
	struct term *term;
	int64_t id;              /* ticket */
	char line[512];          /* what the paper would say */
};

static void run_print(void *p)
{
	struct job *j = p;

	fputs(j->line, stdout);
	fflush(stdout);
}

static void done_print(void *p, void *ctx)
{
	struct job *j = p;

	(void)ctx;
	mc_app_printed(j->term->app, j->id, true);
	free(j);
}

static void issued(void *priv, const struct mc_issue *is)
{
	struct term *t = priv;
	const struct mc_config *cfg = mc_app_config(t->app);
	const struct mc_service_conf *s = &cfg->services[is->ticket.service];
	struct job *j = calloc(1, sizeof(*j));

	if (!j)
		return;
	j->term = t;
	j->id = is->ticket.id;
	char wait[64];
	/* As the ticket says it: nobody ahead is no wait at all. */
	if (is->ahead == 0)
		snprintf(wait, sizeof(wait), "không phải chờ");
	else
		snprintf(wait, sizeof(wait), "chờ khoảng %lld phút", (long long)((is->est_wait_ms + 59999) / 60000));
	snprintf(j->line, sizeof(j->line), "[vé] %s | SỐ %s%s | %s | trước bạn: %d | %s\n",
		 cfg->office.name, is->ticket.label, is->ticket.priority ? " (ưu tiên)" : "", s->name,
		 is->ahead, wait);
	if (cfg->printer.present) {
		/* The printer output (app-printer.c) prints it and reports; this
		 * is only the terminal's line. */
		fputs(j->line, stdout);
		fflush(stdout);
		free(j);
		return;
	}
	if (is->ticket.print != MC_P_PENDING) {
		/* Screen only: nothing to print, but show it. */
		printf("[màn hình] SỐ %s | %s (không in)\n", is->ticket.label, s->name);
		fflush(stdout);
		free(j);
		return;
	}
	if (mc_worker_submit(t->worker, j, run_print, done_print, NULL) < 0) {
		mc_app_printed(t->app, j->id, false);
		free(j);
	}
}

static void called(void *priv, int counter, const struct mc_ticket *tk, enum mc_event_kind kind)
{
	struct term *t = priv;
	const struct mc_config *cfg = mc_app_config(t->app);

	printf("[gọi] %sMời công dân có số %s đến quầy số %d (%s)\n",
	       kind == MC_EV_RECALL ? "(nhắc lại) " : "", tk->label, counter,
	       cfg->services[tk->cur_service].name);
	fflush(stdout);
}

static void release(void *priv)
{
	struct term *t = priv;

	mc_worker_free(t->worker);
	free(t);
}

static const struct mc_output_ops term_ops = {
	.name = "terminal",
	.issued = issued,
	.called = called,
	.free = release,
};

/* Simulator mode only: tickets and calls as lines on stdout. */
static int service_start(struct mc_app *app, void *priv, char *err, size_t errlen)
{
	struct term *t;

	(void)priv;
	if (!mc_app_sim(app))
		return 0;
	t = calloc(1, sizeof(*t));
	if (!t)
		goto err;
	t->app = app;
	t->worker = mc_worker_new(mc_app_loop(app), "term-print");
	if (!t->worker) {
		free(t);
		goto err;
	}
	if (mc_app_add_output(app, &term_ops, t) < 0) {
		release(t);
		goto err;
	}
	return 0;

err:
	snprintf(err, errlen, "cannot start the simulated printer");
	return -1;
}

const struct mc_service mc_service_terminal = {
	.name = "terminal",
	.start = service_start,
	.exit_code = 1,
};
