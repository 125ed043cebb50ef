/* app-gpio-output.c — GPIO outputs: counter display boards and status lights follow the queue (see app-gpio-int.h). */
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

/* ---- output: displays and lights --------------------------------------- */

static void set_light(struct light *l, int v)
{
	if (!l->line || l->value == v)
		return;
	if (mc_gpio_line_set(l->line, v) == 0)
		l->value = v;
	else
		mc_log(MC_LOG_WARNING, "gpio: light %s on %s: %s", l->name, mc_gpio_line_name(l->line),
		       strerror(errno));
}

static void update_lights(struct mc_app_gpio *g)
{
	const struct mc_engine *e = mc_app_engine(g->app);
	enum mc_printer_ok pr = mc_engine_printer(e);
	struct mc_when w;
	bool fault = pr == MC_PRINTER_DOWN, paper_low = false;
	const char *text = NULL;
	json_t *st = NULL;

	if (!g->lights[0].line && !g->lights[1].line && !g->lights[2].line)
		return;
	mc_app_now(g->app, &w);
	for (int i = 0; i < g->ndisps; i++)
		fault |= mc_display_failed(g->disps[i].d, NULL);
	if (g->lights[1].line && pr != MC_PRINTER_ABSENT) {
		/* The printer's own words say whether paper runs low. */
		st = json_object();
		mc_app_status(g->app, st);
		text = json_string_value(json_object_get(json_object_get(st, "printer"), "text"));
		paper_low = text && (strcasestr(text, "paper") || strstr(text, "giấy"));
	}
	set_light(&g->lights[0], mc_engine_is_open(e, &w, NULL, NULL) && !mc_engine_issuing_paused(e) &&
		  pr != MC_PRINTER_DOWN);
	set_light(&g->lights[1], paper_low);
	set_light(&g->lights[2], fault);
	json_decref(st);
}

/* A board started or stopped failing: log it and update the fault light. */
void mc_app_gpio_display_fault(void *ctx, struct mc_display *d, bool failed)
{
	struct mc_app_gpio *g = ctx;
	const char *why;
	int counter = 0;

	for (int i = 0; i < g->ndisps; i++)
		if (g->disps[i].d == d)
			counter = g->disps[i].counter;
	mc_display_failed(d, &why);
	if (failed)
		mc_log(MC_LOG_WARNING, "gpio: counter %d board: %s", counter, why);
	else
		mc_log(MC_LOG_NOTICE, "gpio: counter %d board works again", counter);
	update_lights(g);
}

static void show_counter(struct mc_app_gpio *g, struct disp *dp, int blinks)
{
	const struct mc_engine *e = mc_app_engine(g->app);
	const struct mc_counter_state *cs = mc_engine_counter_state(e, dp->counter);
	const struct mc_ticket *t = cs && cs->current ? mc_engine_ticket(e, cs->current) : NULL;
	bool paused = cs && cs->paused;
	const char *text = t ? t->label : paused ? "----" : "";

	if (!blinks && !strcmp(text, mc_display_text(dp->d)) && paused == mc_display_paused(dp->d))
		return;
	mc_display_show(dp->d, text, paused, blinks);
}

static void out_called(void *priv, int counter, const struct mc_ticket *t, enum mc_event_kind kind)
{
	struct mc_app_gpio *g = priv;

	(void)t;
	(void)kind;
	for (int i = 0; i < g->ndisps; i++)
		if (g->disps[i].counter == counter)
			show_counter(g, &g->disps[i], g->cfg->gpio.blinks);
}

void mc_app_gpio_refresh(struct mc_app_gpio *g)
{
	for (int i = 0; i < g->ndisps; i++)
		show_counter(g, &g->disps[i], 0);
	update_lights(g);
}

static void out_status(void *priv, json_t *status)
{
	struct mc_app_gpio *g = priv;
	json_t *obj = json_object();

	mc_app_gpio_status_json(g, obj);
	json_object_del(obj, "recent");
	json_object_set_new(status, "gpio", obj);
}

static void out_changed(void *priv)
{
	mc_app_gpio_refresh(priv);
}

static void out_free(void *priv)
{
	mc_app_gpio_free(priv);
}

const struct mc_output_ops mc_app_gpio_output = {
	.name = "gpio",
	.called = out_called,
	.changed = out_changed,
	.status = out_status,
	.free = out_free,
};
