/* app-gpio.c — GPIO glue: requesting the lines board.conf names, start, free, and the gpio service row (see app-gpio-int.h). */
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
#include "services.h"

/* ---- opening ----------------------------------------------------------- */

static struct input *add_input(struct mc_app_gpio *g, const struct mc_gpio_lines_conf *lc, int idx,
			       enum role role, const char *what, char *err, size_t errlen)
{
	struct mc_gpio_req req = {
		.consumer = "motcua", .dir = MC_GPIO_IN, .active_low = lc->active_low, .bias = lc->bias,
		.debounce_us = g->cfg->gpio.debounce_ms * 1000,
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
	/* Where the kernel debounces (libgpiod 2), an edge is already settled:
	 * count it at once; otherwise the level must hold debounce_ms. */
	mc_debounce_init(&in->db, mc_gpio_line_debounced(in->line) ? 0 : g->cfg->gpio.debounce_ms,
			 g->cfg->gpio.long_press_ms, v > 0);
	return in;
}

const char *const mc_app_gpio_key_names[] = { "next", "priority-next", "recall", "noshow", "finish", "pause" };

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
			snprintf(in->what, sizeof(in->what), "counter %d %s", c->number, mc_app_gpio_key_names[in->key]);
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
		g->gpio = sim ? mc_gpio_fake_new(true, &g->fake) : mc_gpio_board_new();
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

void mc_app_gpio_free(struct mc_app_gpio *g)
{
	if (!g)
		return;
	mc_app_gpio_restore_keyboard(g);
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

/* ---- start ------------------------------------------------------------- */

int mc_app_gpio_start(struct mc_app_gpio *g, struct mc_app *app)
{
	g->app = app;
	g->loop = mc_app_loop(app);
	g->cfg = mc_app_config(app);
	for (int i = 0; i < g->ninputs; i++)
		if (mc_loop_add_fd(g->loop, mc_gpio_line_fd(g->inputs[i].line), MC_READ, mc_app_gpio_on_edge, &g->inputs[i]) < 0)
			goto err_free;
	for (int i = 0; i < g->ndisps; i++) {
		mc_display_on_fault(g->disps[i].d, mc_app_gpio_display_fault, g);
		if (mc_display_start(g->disps[i].d, g->loop) < 0)
			goto err_free;
	}
	mc_ctl_on_gone(mc_app_ctl(app), mc_app_gpio_watcher_gone, g);
	if (mc_ctl_register(mc_app_ctl(app), "gpio", "GPIO lines: action status|watch|inject", mc_app_gpio_cmd, g) < 0)
		goto err_free;
	if (mc_app_add_output(app, &mc_app_gpio_output, g) < 0)
		goto err_free;
	mc_app_gpio_refresh(g);
	if (g->ninputs || g->ndisps)
		mc_log(MC_LOG_NOTICE, "gpio: %d inputs, %d display boards, backend %s", g->ninputs, g->ndisps,
		       mc_gpio_backend_name(g->gpio));
	return 0;

err_free:
	mc_app_gpio_free(g);
	return -1;
}

struct mc_gpio_fake *mc_app_gpio_fake(struct mc_app_gpio *g) { return g->fake; }

bool mc_app_gpio_boards_idle(const struct mc_app_gpio *g)
{
	for (int i = 0; i < g->ndisps; i++)
		if (mc_display_busy(g->disps[i].d) || mc_display_blinking(g->disps[i].d))
			return false;
	return true;
}
int mc_app_gpio_nlines(const struct mc_app_gpio *g) { return g->ninputs; }

void mc_app_gpio_on_tech(struct mc_app_gpio *g, mc_tech_fn fn, void *ctx)
{
	g->tech_fn = fn;
	g->tech_ctx = ctx;
}

/* ---- the gpio service -------------------------------------------------- */

/* Requests every line board.conf names: a chip or line that is missing or
 * busy stops kioskd here, before the database or the socket. */
static int service_check(const struct mc_config *cfg, const struct mc_app_options *opt, void **priv,
			 char *err, size_t errlen)
{
	*priv = mc_app_gpio_open(cfg, NULL, opt->sim, err, errlen);
	return *priv ? 0 : -1;
}

static int service_start(struct mc_app *app, void *priv, char *err, size_t errlen)
{
	struct mc_app_gpio *g = priv;

	if (mc_app_gpio_start(g, app) < 0) {
		snprintf(err, errlen, "cannot start the GPIO inputs");
		return -1;
	}
	if (mc_app_sim(app))
		mc_app_gpio_keyboard(g, STDIN_FILENO);
	return 0;
}

static void service_stop(void *priv)
{
	mc_app_gpio_free(priv);
}

const struct mc_service mc_service_gpio = {
	.name = "gpio",
	.check = service_check,
	.start = service_start,
	.stop = service_stop,
	.exit_code = 1,
};
