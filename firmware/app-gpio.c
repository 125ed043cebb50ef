/* app-gpio.c — GPIO glue between board.conf's buttons, keys, displays and
 * lights and the app (see app-gpio.h). */
#include "app-gpio.h"
#include "app.h"
#include "ctl.h"
#include "debounce.h"
#include "display.h"
#include "gpio-fake.h"
#include "gpio.h"
#include "log.h"
#include "loop.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define MAX_WATCHERS 8
#define RECENT 16

/* What an input line is for. */
enum role {
	R_SERVICE,   /* a citizen's service button */
	R_KEY,       /* a clerk's counter key */
	R_RATING,    /* a citizen's rating button at a counter */
	R_TECH,      /* the technician button */
};

/* One debounced input line. */
struct input {
	struct mc_app_gpio *g;       /* owner */
	enum role role;              /* what it is for */
	int service;                 /* R_SERVICE: service index */
	int counter;                 /* R_KEY, R_RATING: counter number */
	enum mc_gpio_key key;        /* R_KEY: action */
	int rating;                  /* R_RATING: 1..4 */
	struct mc_gpio_line *line;   /* the line */
	struct mc_debounce db;       /* debouncer */
	long long timer;             /* pending debounce/long-press timer (0: none) */
	bool in_combo;               /* part of the technician combination */
	bool combo_used;             /* this press completed the combination */
	char what[64];               /* "service civil", "counter 1 next", ... */
	char source[80];             /* "gpio:CHIP:LINE" for the engine */
	uint64_t presses;            /* debounced presses so far */
	char last[24];               /* last press kind */
	int64_t last_wall;           /* and its time, UTC ms */
};

/* A counter's display board. */
struct disp {
	int counter;                 /* counter number */
	struct mc_display *d;        /* the board */
};

/* A status light. */
struct light {
	const char *name;            /* "ready", "paper_low", "fault" */
	struct mc_gpio_line *line;   /* NULL: not wired */
	int value;                   /* lit now */
};

/* A press recorded for status and watchers. */
struct recent {
	int64_t wall;                /* UTC ms */
	char line[72];               /* CHIP:LINE */
	char what[64];               /* input's role */
	char press[8];               /* down/up/long */
	char result[96];             /* what it did */
};

/* A simulated press being played on the fake backend. */
struct inject {
	struct mc_app_gpio *g;       /* owner */
	char chip[32];               /* line */
	int offset;
	int levels[16];              /* physical levels to drive, in turn */
	int delays[16];              /* ms before each */
	int n, i;                    /* steps, next step */
	long long timer;             /* loop timer */
	struct inject *next;
};

struct mc_app_gpio {
	const struct mc_config *cfg; /* board.conf */
	struct mc_app *app;          /* after start */
	struct mc_loop *loop;        /* after start */
	struct mc_gpio *gpio;        /* backend */
	struct mc_gpio_fake *fake;   /* fake backend's handle, or NULL */
	struct input *inputs;        /* every input */
	int ninputs;
	struct disp *disps;          /* every display board */
	int ndisps;
	struct light lights[3];      /* ready, paper low, fault */
	mc_tech_fn tech_fn;          /* technician action */
	void *tech_ctx;
	uint64_t watchers[MAX_WATCHERS]; /* clients of "gpio watch" */
	int watch_left[MAX_WATCHERS];    /* events before the final (-1: forever) */
	int nwatchers;
	struct recent recent[RECENT];    /* ring of recent presses */
	int nrecent;                     /* total recorded */
	struct inject *injects;          /* simulated presses in progress */
	int kbd_fd;                      /* simulator keyboard, -1: none */
	struct termios kbd_saved;        /* its settings before raw mode */
};

/* ---- opening ----------------------------------------------------------- */

static struct input *add_input(struct mc_app_gpio *g, const struct mc_gpio_lines_conf *lc, int idx,
			       enum role role, const char *what, char *err, size_t errlen)
{
	struct mc_gpio_req req = {
		.consumer = "motcua", .dir = MC_GPIO_IN, .active_low = lc->active_low, .bias = lc->bias,
	};
	struct input *in = &g->inputs[g->ninputs];
	char msg[256];

	memset(in, 0, sizeof(*in));
	in->line = mc_gpio_request(g->gpio, &lc->lines[idx], &req, msg, sizeof(msg));
	if (!in->line) {
		snprintf(err, errlen, "%s:%d: %s: %s", g->cfg->path, lc->line, what, msg);
		return NULL;
	}
	g->ninputs++;
	in->g = g;
	in->role = role;
	snprintf(in->what, sizeof(in->what), "%s", what);
	snprintf(in->source, sizeof(in->source), "gpio:%s", mc_gpio_line_name(in->line));
	snprintf(in->last, sizeof(in->last), "none");
	/* Start from the line's level, so a key held at boot is no press. */
	int v = mc_gpio_line_get(in->line);
	mc_debounce_init(&in->db, g->cfg->gpio.debounce_ms, g->cfg->gpio.long_press_ms, v > 0);
	return in;
}

static const char *const key_names[] = { "next", "priority-next", "recall", "noshow", "finish", "pause" };

static int open_lines(struct mc_app_gpio *g, char *err, size_t errlen)
{
	const struct mc_config *cfg = g->cfg;
	char what[64];
	int max = 1;
	struct mc_gpio_req out = { .consumer = "motcua-light", .dir = MC_GPIO_OUT };
	const struct mc_gpio_lines_conf *lc[3] = { &cfg->gpio.ready_gpio, &cfg->gpio.paper_low_gpio,
						   &cfg->gpio.fault_gpio };
	static const char *const lname[3] = { "ready", "paper_low", "fault" };

	for (int i = 0; i < cfg->nservices; i++)
		max += cfg->services[i].button_gpio.n;
	for (int i = 0; i < cfg->ncounters; i++)
		max += cfg->counters[i].keys_gpio.n + cfg->counters[i].rating_gpio.n;
	g->inputs = calloc((size_t)max, sizeof(*g->inputs));
	g->disps = calloc((size_t)cfg->ncounters + 1, sizeof(*g->disps));
	if (!g->inputs || !g->disps) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (int i = 0; i < cfg->nservices; i++) {
		const struct mc_service_conf *s = &cfg->services[i];
		if (!s->button_gpio.n)
			continue;
		snprintf(what, sizeof(what), "[service.%s] button", s->key);
		struct input *in = add_input(g, &s->button_gpio, 0, R_SERVICE, what, err, errlen);
		if (!in)
			return -1;
		in->service = i;
		in->in_combo = (cfg->gpio.tech_combo >> i) & 1u;
		snprintf(in->what, sizeof(in->what), "service %s", s->key);
	}
	for (int i = 0; i < cfg->ncounters; i++) {
		const struct mc_counter_conf *c = &cfg->counters[i];
		for (int k = 0; k < c->keys_gpio.n; k++) {
			snprintf(what, sizeof(what), "[counter.%d] keys", c->number);
			struct input *in = add_input(g, &c->keys_gpio, k, R_KEY, what, err, errlen);
			if (!in)
				return -1;
			in->counter = c->number;
			in->key = c->key_actions[k];
			snprintf(in->what, sizeof(in->what), "counter %d %s", c->number, key_names[in->key]);
		}
		for (int k = 0; k < c->rating_gpio.n; k++) {
			snprintf(what, sizeof(what), "[counter.%d] rating_keys", c->number);
			struct input *in = add_input(g, &c->rating_gpio, k, R_RATING, what, err, errlen);
			if (!in)
				return -1;
			in->counter = c->number;
			in->rating = k + 1;
			snprintf(in->what, sizeof(in->what), "counter %d rating %d", c->number, k + 1);
		}
		if (c->display_kind != MC_DISPLAY_NONE) {
			char msg[256];
			struct mc_display *d = mc_display_new(g->gpio, c->display_kind, &c->display_gpio,
							      cfg->gpio.blink_ms, msg, sizeof(msg));
			if (!d) {
				snprintf(err, errlen, "%s:%d: [counter.%d] display: %s", cfg->path,
					 c->display_gpio.line, c->number, msg);
				return -1;
			}
			g->disps[g->ndisps].counter = c->number;
			g->disps[g->ndisps++].d = d;
		}
	}
	if (cfg->gpio.tech_gpio.n) {
		struct input *in = add_input(g, &cfg->gpio.tech_gpio, 0, R_TECH, "[gpio] tech_button", err, errlen);
		if (!in)
			return -1;
		snprintf(in->what, sizeof(in->what), "technician");
	}
	for (int i = 0; i < 3; i++) {
		char msg[256];
		g->lights[i].name = lname[i];
		if (!lc[i]->n)
			continue;
		out.active_low = lc[i]->active_low;
		g->lights[i].line = mc_gpio_request(g->gpio, &lc[i]->lines[0], &out, msg, sizeof(msg));
		if (!g->lights[i].line) {
			snprintf(err, errlen, "%s:%d: [gpio] light_%s: %s", cfg->path, lc[i]->line, lname[i], msg);
			return -1;
		}
	}
	return 0;
}

struct mc_app_gpio *mc_app_gpio_open(const struct mc_config *cfg, struct mc_gpio *backend, bool sim,
				     char *err, size_t errlen)
{
	struct mc_app_gpio *g = calloc(1, sizeof(*g));

	if (!g) {
		mc_gpio_free(backend);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	g->cfg = cfg;
	g->kbd_fd = -1;
	g->gpio = backend;
	if (!g->gpio)
		g->gpio = sim ? mc_gpio_fake_new(true, &g->fake) : mc_gpio_v1_new();
	if (!g->gpio) {
		snprintf(err, errlen, "out of memory");
		goto err_free;
	}
	if (open_lines(g, err, errlen) < 0)
		goto err_free;
	return g;

err_free:
	mc_app_gpio_free(g);
	return NULL;
}

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

/* Records a press and streams it to watchers. */
static void publish(struct mc_app_gpio *g, struct input *in, enum mc_press p, const char *result)
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

static void status_json(struct mc_app_gpio *g, json_t *obj)
{
	json_t *lines = json_array(), *disps = json_array(), *lights = json_object(), *rec = json_array();

	for (int i = 0; i < g->ninputs; i++) {
		struct input *in = &g->inputs[i];
		json_array_append_new(lines, json_pack("{s:s, s:s, s:s, s:i, s:b, s:I, s:s, s:I}",
			"line", mc_gpio_line_name(in->line), "what", in->what, "dir", "in",
			"level", mc_gpio_line_get(in->line), "pressed", in->db.stable != 0,
			"presses", (json_int_t)in->presses, "last", in->last, "last_at", (json_int_t)in->last_wall));
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
	publish(pp->in->g, pp->in, pp->p, res);
	free(pp);
}

static void issue(struct mc_app_gpio *g, struct input *in, enum mc_press p)
{
	struct pending_press *pp = malloc(sizeof(*pp));

	if (!pp) {
		publish(g, in, p, "refused: nomem");
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

	if (g->tech_fn) {
		g->tech_fn(g->tech_ctx);
		publish(g, in, p, "technician menu");
		return;
	}
	bool paused = !mc_engine_issuing_paused(e);
	mc_app_set_issuing_paused(g->app, paused);
	publish(g, in, p, paused ? "technician: issuing paused" : "technician: issuing resumed");
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
		e = mc_app_counter(g->app, in->counter, acts[in->key], 0, &t);
	if (e != MC_OK)
		snprintf(res, sizeof(res), "refused: %s", mc_err_token(e));
	else if (in->role == R_RATING)
		snprintf(res, sizeof(res), "rated %s: %d", t.id ? t.label : "", in->rating);
	else if (t.id)
		snprintf(res, sizeof(res), "%s %s", key_names[in->key], t.label);
	else
		snprintf(res, sizeof(res), "%s", key_names[in->key]);
	publish(g, in, p, res);
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
				publish(g, in, p, "");
			return;
		}
		/* A combination button gives its ticket on release, unless the
		 * press completed the combination. */
		if (p == MC_PRESS_LONG && in->combo_used) {
			publish(g, in, p, "combination already done");
		} else if (p == MC_PRESS_LONG && combo_held(g)) {
			for (int i = 0; i < g->ninputs; i++)
				if (g->inputs[i].in_combo)
					g->inputs[i].combo_used = true;
			tech(g, in, p);
		} else if (p == MC_PRESS_UP) {
			if (in->combo_used)
				publish(g, in, p, "combination: no ticket");
			else
				issue(g, in, p);
			in->combo_used = false;
		} else {
			publish(g, in, p, "");
		}
		return;
	case R_KEY:
	case R_RATING:
		if (p == MC_PRESS_DOWN)
			counter_action(g, in, p);
		else
			publish(g, in, p, "");
		return;
	case R_TECH:
		if (p == MC_PRESS_DOWN)
			tech(g, in, p);
		else
			publish(g, in, p, "");
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
static void on_edge(struct mc_loop *loop, int fd, int mask, void *ctx)
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
static void on_display_fault(void *ctx, struct mc_display *d, bool failed)
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

static void out_changed(void *priv)
{
	struct mc_app_gpio *g = priv;

	for (int i = 0; i < g->ndisps; i++)
		show_counter(g, &g->disps[i], 0);
	update_lights(g);
}

static void out_status(void *priv, json_t *status)
{
	struct mc_app_gpio *g = priv;
	json_t *obj = json_object();

	status_json(g, obj);
	json_object_del(obj, "recent");
	json_object_set_new(status, "gpio", obj);
}

static void restore_keyboard(struct mc_app_gpio *g)
{
	if (g->kbd_fd < 0)
		return;
	if (g->loop)
		mc_loop_del_fd(g->loop, g->kbd_fd);
	tcsetattr(g->kbd_fd, TCSANOW, &g->kbd_saved);
	g->kbd_fd = -1;
}

void mc_app_gpio_free(struct mc_app_gpio *g)
{
	if (!g)
		return;
	restore_keyboard(g);
	while (g->injects) {
		struct inject *j = g->injects;
		g->injects = j->next;
		if (g->loop)
			mc_loop_del_timer(g->loop, j->timer);
		free(j);
	}
	for (int i = 0; i < g->ninputs; i++) {
		if (g->loop) {
			if (g->inputs[i].timer)
				mc_loop_del_timer(g->loop, g->inputs[i].timer);
			mc_loop_del_fd(g->loop, mc_gpio_line_fd(g->inputs[i].line));
		}
	}
	for (int i = 0; i < g->ndisps; i++)
		mc_display_free(g->disps[i].d);
	for (int i = 0; i < 3; i++)
		if (g->lights[i].line)
			mc_gpio_line_set(g->lights[i].line, 0);
	mc_gpio_free(g->gpio);
	free(g->inputs);
	free(g->disps);
	free(g);
}

static void out_free(void *priv)
{
	mc_app_gpio_free(priv);
}

static const struct mc_output_ops gpio_output = {
	.name = "gpio",
	.called = out_called,
	.changed = out_changed,
	.status = out_status,
	.free = out_free,
};

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
static int inject(struct mc_app_gpio *g, struct input *in, const char *how, bool bounce)
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

static enum mc_ctl_result cmd_gpio(void *ctx, json_t *req, json_t *resp, uint64_t client)
{
	struct mc_app_gpio *g = ctx;
	const char *action = json_string_value(json_object_get(req, "action"));

	if (!action || !strcmp(action, "status")) {
		status_json(g, resp);
		return MC_CTL_OK;
	}
	if (!strcmp(action, "watch")) {
		json_t *jc = json_object_get(req, "count");
		int count = json_is_integer(jc) ? (int)json_integer_value(jc) : -1;
		if (jc && (!json_is_integer(jc) || count < 1))
			return mc_ctl_error(resp, "bad_request", "\"count\" must be a positive integer");
		if (g->nwatchers == MAX_WATCHERS)
			return mc_ctl_error(resp, "busy", "at most %d watchers", MAX_WATCHERS);
		json_t *hello = json_pack("{s:b, s:i}", "watching", 1, "lines", g->ninputs);
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
		if (inject(g, in, how, json_is_true(json_object_get(req, "bounce"))) < 0)
			return mc_ctl_error(resp, "nomem", "out of memory");
		json_object_set_new(resp, "line", json_string(mc_gpio_line_name(in->line)));
		json_object_set_new(resp, "what", json_string(in->what));
		return MC_CTL_OK;
	}
	return mc_ctl_error(resp, "bad_request", "unknown gpio action '%s' (status, watch, inject)", action);
}

/* ---- simulator keyboard ------------------------------------------------ */

static const char kbd_keys[] = "1234567890qwertyuiopasdfghjklzxcvbnm";

static void on_key(struct mc_loop *loop, int fd, int mask, void *ctx)
{
	struct mc_app_gpio *g = ctx;
	char buf[32];
	ssize_t n = read(fd, buf, sizeof(buf));

	(void)loop;
	(void)mask;
	if (n <= 0) {
		restore_keyboard(g);
		return;
	}
	for (ssize_t i = 0; i < n; i++) {
		const char *k = strchr(kbd_keys, tolower((unsigned char)buf[i]));
		int idx = k && buf[i] ? (int)(k - kbd_keys) : -1;
		if (idx < 0 || idx >= g->ninputs)
			continue;
		inject(g, &g->inputs[idx], isupper((unsigned char)buf[i]) ? "long" : "short", false);
	}
}

int mc_app_gpio_keyboard(struct mc_app_gpio *g, int fd)
{
	struct termios raw;

	if (!g->fake || !g->loop || !isatty(fd) || !g->ninputs || tcgetattr(fd, &g->kbd_saved) < 0)
		return -1;
	raw = g->kbd_saved;
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSANOW, &raw) < 0)
		return -1;
	g->kbd_fd = fd;
	if (mc_loop_add_fd(g->loop, fd, MC_READ, on_key, g) < 0) {
		restore_keyboard(g);
		return -1;
	}
	printf("[GPIO] Phím bấm thay cho nút GPIO (chữ hoa: bấm giữ) / keys press GPIO inputs "
	       "(upper case: long press):\n");
	for (int i = 0; i < g->ninputs && kbd_keys[i]; i++)
		printf("  %c  %-24s %s\n", kbd_keys[i], g->inputs[i].what, mc_gpio_line_name(g->inputs[i].line));
	fflush(stdout);
	return 0;
}

/* ---- start ------------------------------------------------------------- */

int mc_app_gpio_start(struct mc_app_gpio *g, struct mc_app *app)
{
	g->app = app;
	g->loop = mc_app_loop(app);
	g->cfg = mc_app_config(app);
	for (int i = 0; i < g->ninputs; i++)
		if (mc_loop_add_fd(g->loop, mc_gpio_line_fd(g->inputs[i].line), MC_READ, on_edge, &g->inputs[i]) < 0)
			goto err_free;
	for (int i = 0; i < g->ndisps; i++) {
		mc_display_on_fault(g->disps[i].d, on_display_fault, g);
		if (mc_display_start(g->disps[i].d, g->loop) < 0)
			goto err_free;
	}
	if (mc_ctl_register(mc_app_ctl(app), "gpio", "GPIO lines: action status|watch|inject", cmd_gpio, g) < 0)
		goto err_free;
	if (mc_app_add_output(app, &gpio_output, g) < 0)
		goto err_free;
	out_changed(g);
	if (g->ninputs || g->ndisps)
		mc_log(MC_LOG_NOTICE, "gpio: %d inputs, %d display boards, backend %s", g->ninputs, g->ndisps,
		       mc_gpio_backend_name(g->gpio));
	return 0;

err_free:
	mc_app_gpio_free(g);
	return -1;
}

struct mc_gpio_fake *mc_app_gpio_fake(struct mc_app_gpio *g) { return g->fake; }
int mc_app_gpio_nlines(const struct mc_app_gpio *g) { return g->ninputs; }

void mc_app_gpio_on_tech(struct mc_app_gpio *g, mc_tech_fn fn, void *ctx)
{
	g->tech_fn = fn;
	g->tech_ctx = ctx;
}
