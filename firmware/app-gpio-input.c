/* app-gpio-input.c — GPIO inputs: debounced edges become presses of services, counter keys, rating buttons and the technician button (see app-gpio-int.h). */
#include "app-gpio-int.h"
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/* ---- presses ----------------------------------------------------------- */

/* A press of a service button waiting for the store. */
struct pending_press {
	struct input *in;
	enum mc_press p;
};

static void issued_answer(void *ctx, enum mc_err e, const struct mc_issue *is,
			  const struct mc_ticket *t, const char *why)
{
	struct pending_press *pp = ctx;
	char res[96];

	(void)t;
	(void)why;
	if (e == MC_OK)
		snprintf(res, sizeof(res), "%s %s", is->duplicate ? "same ticket (double tap)" : "ticket",
			 is->ticket.label);
	else
		snprintf(res, sizeof(res), "refused: %s", mc_err_token(e));
	mc_app_gpio_publish(pp->in->g, pp->in, pp->p, res);
	free(pp);
}

static void issue(struct mc_app_gpio *g, struct input *in, enum mc_press p)
{
	struct pending_press *pp = malloc(sizeof(*pp));

	if (!pp) {
		mc_app_gpio_publish(g, in, p, "refused: nomem");
		return;
	}
	*pp = (struct pending_press){ in, p };
	/* Queued behind other writes while the database is busy; answered
	 * when saved. */
	mc_app_submit_press(g->app, in->service, false, in->source, issued_answer, pp);
}

static void tech(struct mc_app_gpio *g, struct input *in, enum mc_press p)
{
	const struct mc_engine *e = mc_app_engine(g->app);

	const struct mc_app_hooks *h = mc_app_hooks(g->app);

	if (g->tech_fn || h->open_tech) {
		if (g->tech_fn)
			g->tech_fn(g->tech_ctx);
		else
			h->open_tech(h->screen);
		mc_app_gpio_publish(g, in, p, "technician menu");
		return;
	}
	bool paused = !mc_engine_issuing_paused(e);
	mc_app_set_issuing_paused(g->app, paused);
	mc_app_gpio_publish(g, in, p, paused ? "technician: issuing paused" : "technician: issuing resumed");
}

static void counter_action(struct mc_app_gpio *g, struct input *in, enum mc_press p)
{
	static const enum mc_action acts[] = { MC_A_NEXT, MC_A_PRIORITY_NEXT, MC_A_RECALL, MC_A_NOSHOW,
					       MC_A_FINISH, MC_A_PAUSE_TOGGLE };
	struct mc_ticket t;
	char res[96];
	enum mc_err e;

	memset(&t, 0, sizeof(t));
	if (in->role == R_RATING)
		e = mc_app_counter(g->app, in->counter, MC_A_RATE, in->rating, &t);
	else
		e = mc_app_counter(g->app, in->counter, acts[in->key],
				   mc_app_key_hold(g->app, acts[in->key]), &t);
	if (e != MC_OK)
		snprintf(res, sizeof(res), "refused: %s", mc_err_token(e));
	else if (in->role == R_RATING)
		snprintf(res, sizeof(res), "rated %s: %d", t.id ? t.label : "", in->rating);
	else if (t.id)
		snprintf(res, sizeof(res), "%s %s", mc_app_gpio_key_names[in->key], t.label);
	else
		snprintf(res, sizeof(res), "%s", mc_app_gpio_key_names[in->key]);
	mc_app_gpio_publish(g, in, p, res);
}

/* Whether every button of the technician combination is held. */
static bool combo_held(struct mc_app_gpio *g)
{
	int n = 0;

	for (int i = 0; i < g->ninputs; i++)
		if (g->inputs[i].in_combo) {
			if (!g->inputs[i].db.stable)
				return false;
			n++;
		}
	return n >= 2;
}

static void on_press(struct mc_app_gpio *g, struct input *in, enum mc_press p)
{
	if (p == MC_PRESS_DOWN)
		in->presses++;
	switch (in->role) {
	case R_SERVICE:
		if (!in->in_combo) {
			if (p == MC_PRESS_DOWN)
				issue(g, in, p);
			else
				mc_app_gpio_publish(g, in, p, "");
			return;
		}
		/* A combination button gives its ticket on release, unless the
		 * press completed the combination. */
		if (p == MC_PRESS_LONG && in->combo_used) {
			mc_app_gpio_publish(g, in, p, "combination already done");
		} else if (p == MC_PRESS_LONG && combo_held(g)) {
			for (int i = 0; i < g->ninputs; i++)
				if (g->inputs[i].in_combo)
					g->inputs[i].combo_used = true;
			tech(g, in, p);
		} else if (p == MC_PRESS_UP) {
			if (in->combo_used)
				mc_app_gpio_publish(g, in, p, "combination: no ticket");
			else
				issue(g, in, p);
			in->combo_used = false;
		} else {
			mc_app_gpio_publish(g, in, p, "");
		}
		return;
	case R_KEY:
	case R_RATING:
		if (p == MC_PRESS_DOWN)
			counter_action(g, in, p);
		else
			mc_app_gpio_publish(g, in, p, "");
		return;
	case R_TECH:
		if (p == MC_PRESS_DOWN)
			tech(g, in, p);
		else
			mc_app_gpio_publish(g, in, p, "");
		return;
	}
}

static int64_t on_debounce(struct mc_loop *loop, long long id, void *ctx)
{
	struct input *in = ctx;
	int64_t now = mc_mono_ms(), next;
	enum mc_press p;

	(void)loop;
	(void)id;
	while ((p = mc_debounce_due(&in->db, now, mc_gpio_line_get(in->line))) != MC_PRESS_NONE)
		on_press(in->g, in, p);
	next = mc_debounce_next(&in->db);
	if (next < 0) {
		in->timer = 0;
		return -1;
	}
	return next > now ? next - now : 0;
}

/* Edges are read as they come, with no polling; each edge (re)arms the
 * line's debounce timer. */
void mc_app_gpio_on_edge(struct mc_loop *loop, int fd, int mask, void *ctx)
{
	struct input *in = ctx;
	struct mc_gpio_event ev[16];
	int64_t now = mc_mono_ms();
	int n;

	(void)fd;
	(void)mask;
	while ((n = mc_gpio_line_read_events(in->line, ev, 16)) > 0) {
		for (int i = 0; i < n; i++)
			mc_debounce_edge(&in->db, now, ev[i].value);
		if (n < 16)
			break;
	}
	if (in->timer)
		mc_loop_del_timer(loop, in->timer);
	int64_t next = mc_debounce_next(&in->db);
	in->timer = next < 0 ? 0 : mc_loop_add_timer(loop, next > now ? next - now : 0, on_debounce, in);
	if (in->timer < 0)
		in->timer = 0;
}
