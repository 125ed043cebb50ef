/* app-gpio-ctl.c — GPIO status, watchers, simulated presses and the "gpio" control command (see app-gpio-int.h). */
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

#include "gpio-fake.h"
#include "log.h"

/* ---- status, events and watchers --------------------------------------- */

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static json_t *recent_json(const struct recent *r)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:s}", "at", (json_int_t)r->wall, "line", r->line,
			 "what", r->what, "press", r->press, "result", r->result);
}

/* A watching client went: its slot is free again. */
void mc_app_gpio_watcher_gone(void *ctx, uint64_t client)
{
	struct mc_app_gpio *g = ctx;

	for (int i = 0; i < g->nwatchers;) {
		if (g->watchers[i] != client) {
			i++;
			continue;
		}
		g->watchers[i] = g->watchers[g->nwatchers - 1];
		g->watch_left[i] = g->watch_left[g->nwatchers - 1];
		g->nwatchers--;
	}
}

/* Records a press and streams it to watchers. */
void mc_app_gpio_publish(struct mc_app_gpio *g, struct input *in, enum mc_press p, const char *result)
{
	struct recent *r = &g->recent[g->nrecent++ % RECENT];
	struct mc_ctl *ctl = g->app ? mc_app_ctl(g->app) : NULL;

	r->wall = wall_ms();
	snprintf(r->line, sizeof(r->line), "%s", mc_gpio_line_name(in->line));
	snprintf(r->what, sizeof(r->what), "%s", in->what);
	snprintf(r->press, sizeof(r->press), "%s", mc_press_name(p));
	snprintf(r->result, sizeof(r->result), "%s", result);
	snprintf(in->last, sizeof(in->last), "%s", r->press);
	in->last_wall = r->wall;
	if (p == MC_PRESS_DOWN || p == MC_PRESS_UP)
		in->answered++;
	if (p == MC_PRESS_DOWN || p == MC_PRESS_LONG)
		mc_log(MC_LOG_INFO, "gpio %s (%s) %s: %s", r->line, in->what, r->press, result);
	if (!ctl)
		return;
	json_t *msg = recent_json(r);
	json_object_set_new(msg, "event", json_string("press"));
	for (int i = 0; i < g->nwatchers;) {
		bool final = g->watch_left[i] == 1;
		if (mc_ctl_send(ctl, g->watchers[i], msg, final) < 0 || final) {
			g->watchers[i] = g->watchers[g->nwatchers - 1];
			g->watch_left[i] = g->watch_left[g->nwatchers - 1];
			g->nwatchers--;
			continue;
		}
		if (g->watch_left[i] > 0)
			g->watch_left[i]--;
		i++;
	}
	json_decref(msg);
}

void mc_app_gpio_status_json(struct mc_app_gpio *g, json_t *obj)
{
	json_t *lines = json_array(), *disps = json_array(), *lights = json_object(), *rec = json_array();

	for (int i = 0; i < g->ninputs; i++) {
		struct input *in = &g->inputs[i];
		json_array_append_new(lines, json_pack("{s:s, s:s, s:s, s:i, s:b, s:I, s:I, s:s, s:I}",
			"line", mc_gpio_line_name(in->line), "what", in->what, "dir", "in",
			"level", mc_gpio_line_get(in->line), "pressed", in->db.stable != 0,
			"presses", (json_int_t)in->presses, "answered", (json_int_t)in->answered,
			"last", in->last, "last_at", (json_int_t)in->last_wall));
	}
	for (int i = 0; i < 3; i++) {
		if (!g->lights[i].line)
			continue;
		json_array_append_new(lines, json_pack("{s:s, s:s, s:s, s:i}", "line",
			mc_gpio_line_name(g->lights[i].line), "what", g->lights[i].name, "dir", "out",
			"level", mc_gpio_line_get(g->lights[i].line)));
		json_object_set_new(lights, g->lights[i].name, json_boolean(g->lights[i].value));
	}
	for (int i = 0; i < g->ndisps; i++) {
		const char *why;
		bool failed = mc_display_failed(g->disps[i].d, &why);
		const struct mc_counter_conf *c = &g->cfg->counters[mc_config_counter_index(g->cfg, g->disps[i].counter)];
		json_array_append_new(disps, json_pack("{s:i, s:s, s:s, s:s, s:b, s:I, s:b, s:s}",
			"counter", g->disps[i].counter, "kind", mc_display_kind_name(c->display_kind),
			"wiring", c->display, "text", mc_display_text(g->disps[i].d),
			"paused", mc_display_paused(g->disps[i].d),
			"frames", (json_int_t)mc_display_frames(g->disps[i].d), "failed", failed, "why", why));
	}
	int n = g->nrecent < RECENT ? g->nrecent : RECENT;
	for (int i = g->nrecent - n; i < g->nrecent; i++)
		json_array_append_new(rec, recent_json(&g->recent[i % RECENT]));
	json_object_set_new(obj, "backend", json_string(mc_gpio_backend_name(g->gpio)));
	json_object_set_new(obj, "debounce_ms", json_integer(g->cfg->gpio.debounce_ms));
	json_object_set_new(obj, "long_press_ms", json_integer(g->cfg->gpio.long_press_ms));
	json_object_set_new(obj, "lines", lines);
	json_object_set_new(obj, "displays", disps);
	json_object_set_new(obj, "lights", lights);
	json_object_set_new(obj, "recent", rec);
}

/* ---- simulated presses ------------------------------------------------- */

static int64_t on_inject(struct mc_loop *loop, long long id, void *ctx)
{
	struct inject *j = ctx;
	struct mc_app_gpio *g = j->g;

	(void)loop;
	(void)id;
	mc_gpio_fake_drive(g->fake, j->chip, j->offset, j->levels[j->i], 0);
	if (++j->i < j->n)
		return j->delays[j->i];
	for (struct inject **p = &g->injects; *p; p = &(*p)->next)
		if (*p == j) {
			*p = j->next;
			break;
		}
	free(j);
	return -1;
}

static struct input *find_input(struct mc_app_gpio *g, const char *name)
{
	for (int i = 0; i < g->ninputs; i++)
		if (!strcmp(mc_gpio_line_name(g->inputs[i].line), name) || !strcmp(g->inputs[i].what, name))
			return &g->inputs[i];
	return NULL;
}

/* Plays a press on the fake: optional contact bounce, the press, the hold,
 * the release. */
int mc_app_gpio_inject(struct mc_app_gpio *g, struct input *in, const char *how, bool bounce)
{
	struct inject *j = calloc(1, sizeof(*j));
	const char *name = mc_gpio_line_name(in->line);
	const char *colon = strrchr(name, ':');
	int active, hold;

	if (!j)
		return -1;
	snprintf(j->chip, sizeof(j->chip), "%.*s", (int)(colon - name), name);
	j->offset = atoi(colon + 1);
	/* The physical active level: an active-low button pulls the line low,
	 * which shows as the logical and the physical level disagreeing. */
	int logical = mc_gpio_line_get(in->line), phys = mc_gpio_fake_level(g->fake, j->chip, j->offset);
	active = logical ? phys : !phys;
	hold = !strcmp(how, "long") ? g->cfg->gpio.long_press_ms + g->cfg->gpio.debounce_ms + 100
				    : g->cfg->gpio.debounce_ms + 60;
	if (bounce) {
		for (int k = 0; k < 3; k++) {
			j->levels[j->n] = active;
			j->delays[j->n++] = 1;
			j->levels[j->n] = !active;
			j->delays[j->n++] = 1;
		}
	}
	if (strcmp(how, "up")) {
		j->levels[j->n] = active;
		j->delays[j->n++] = 1;
	}
	if (!strcmp(how, "short") || !strcmp(how, "long") || !strcmp(how, "up")) {
		j->levels[j->n] = !active;
		j->delays[j->n++] = !strcmp(how, "up") ? 0 : hold;
	}
	j->g = g;
	j->delays[0] = 0;
	j->timer = mc_loop_add_timer(g->loop, 0, on_inject, j);
	if (j->timer < 0) {
		free(j);
		return -1;
	}
	j->next = g->injects;
	g->injects = j;
	return 0;
}

/* ---- control command --------------------------------------------------- */

enum mc_ctl_result mc_app_gpio_cmd(void *ctx, json_t *req, json_t *resp, uint64_t client)
{
	struct mc_app_gpio *g = ctx;
	const char *action = json_string_value(json_object_get(req, "action"));

	if (!action || !strcmp(action, "status")) {
		mc_app_gpio_status_json(g, resp);
		return MC_CTL_OK;
	}
	if (!strcmp(action, "watch")) {
		json_t *jc = json_object_get(req, "count");
		int count = json_is_integer(jc) ? (int)json_integer_value(jc) : -1;
		if (jc && (!json_is_integer(jc) || count < 1))
			return mc_ctl_error(resp, "bad_request", "\"count\" must be a positive integer");
		if (g->nwatchers == MAX_WATCHERS)
			return mc_ctl_error(resp, "busy", "at most %d watchers", MAX_WATCHERS);
		json_t *hello = json_pack("{s:b, s:i, s:s}", "watching", 1, "lines", g->ninputs, "timezone",
					  g->cfg->office.timezone);
		mc_ctl_send(mc_app_ctl(g->app), client, hello, false);
		json_decref(hello);
		g->watchers[g->nwatchers] = client;
		g->watch_left[g->nwatchers++] = count;
		return MC_CTL_LATER;
	}
	if (!strcmp(action, "inject")) {
		const char *line = json_string_value(json_object_get(req, "line"));
		const char *how = json_string_value(json_object_get(req, "press"));
		struct input *in;
		if (!g->fake)
			return mc_ctl_error(resp, "not_sim", "inject works only in simulator mode (kioskd --sim)");
		if (!line)
			return mc_ctl_error(resp, "bad_request", "inject needs a string \"line\" (CHIP:OFFSET)");
		if (!how)
			how = "short";
		if (strcmp(how, "short") && strcmp(how, "long") && strcmp(how, "down") && strcmp(how, "up"))
			return mc_ctl_error(resp, "bad_request", "\"press\" must be short, long, down or up");
		in = find_input(g, line);
		if (!in)
			return mc_ctl_error(resp, "no_line", "no GPIO input %s in %s", line, g->cfg->path);
		if (mc_app_gpio_inject(g, in, how, json_is_true(json_object_get(req, "bounce"))) < 0)
			return mc_ctl_error(resp, "nomem", "out of memory");
		json_object_set_new(resp, "line", json_string(mc_gpio_line_name(in->line)));
		json_object_set_new(resp, "what", json_string(in->what));
		return MC_CTL_OK;
	}
	return mc_ctl_error(resp, "bad_request", "unknown gpio action '%s' (status, watch, inject)", action);
}
