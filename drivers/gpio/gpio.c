/* gpio.c — the backend-independent part of the GPIO layer (see gpio.h). */
#include "gpio.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct mc_gpio_line {
	struct mc_gpio *gpio;        /* owner */
	void *priv;                  /* the backend's line */
	char name[72];               /* CHIP:LINE */
	bool output;                 /* requested as output */
	struct mc_gpio_line *next;   /* next line of the owner */
};

struct mc_gpio {
	const struct mc_gpio_ops *ops;  /* backend */
	void *priv;                     /* backend state */
	struct mc_gpio_line *lines;     /* requested lines */
};

int64_t mc_gpio_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void mc_gpio_line_text(const struct mc_gpio_line_conf *l, char *buf, size_t len)
{
	if (l->offset >= 0)
		snprintf(buf, len, "%s:%d", l->chip, l->offset);
	else
		snprintf(buf, len, "%s:%s", l->chip, l->name);
}

struct mc_gpio *mc_gpio_new(const struct mc_gpio_ops *ops, void *priv)
{
	struct mc_gpio *g = calloc(1, sizeof(*g));

	if (!g) {
		if (ops->free)
			ops->free(priv);
		return NULL;
	}
	g->ops = ops;
	g->priv = priv;
	return g;
}

void mc_gpio_free(struct mc_gpio *g)
{
	if (!g)
		return;
	while (g->lines)
		mc_gpio_line_release(g->lines);
	if (g->ops->free)
		g->ops->free(g->priv);
	free(g);
}

const char *mc_gpio_backend_name(const struct mc_gpio *g)
{
	return g->ops->name;
}

int mc_gpio_open_chip(struct mc_gpio *g, const char *chip, char *err, size_t errlen)
{
	return g->ops->open_chip(g->priv, chip, err, errlen);
}

struct mc_gpio_line *mc_gpio_request(struct mc_gpio *g, const struct mc_gpio_line_conf *l,
				     const struct mc_gpio_req *req, char *err, size_t errlen)
{
	struct mc_gpio_line *line = calloc(1, sizeof(*line));

	if (!line) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	line->priv = g->ops->request(g->priv, l, req, err, errlen);
	if (!line->priv) {
		free(line);
		return NULL;
	}
	line->gpio = g;
	line->output = req->dir == MC_GPIO_OUT;
	mc_gpio_line_text(l, line->name, sizeof(line->name));
	line->next = g->lines;
	g->lines = line;
	return line;
}

void mc_gpio_line_release(struct mc_gpio_line *line)
{
	struct mc_gpio_line **p;

	if (!line)
		return;
	for (p = &line->gpio->lines; *p && *p != line; p = &(*p)->next)
		;
	if (*p)
		*p = line->next;
	line->gpio->ops->release(line->priv);
	free(line);
}

const char *mc_gpio_line_name(const struct mc_gpio_line *line)
{
	return line->name;
}

int mc_gpio_line_fd(const struct mc_gpio_line *line)
{
	return line->output ? -1 : line->gpio->ops->event_fd(line->priv);
}

int mc_gpio_line_read_events(struct mc_gpio_line *line, struct mc_gpio_event *ev, int max)
{
	if (line->output) {
		errno = EINVAL;
		return -1;
	}
	return line->gpio->ops->read_events(line->priv, ev, max);
}

int mc_gpio_line_get(struct mc_gpio_line *line)
{
	return line->gpio->ops->get_value(line->priv);
}

int mc_gpio_line_set(struct mc_gpio_line *line, int value)
{
	if (!line->output) {
		errno = EPERM;
		return -1;
	}
	return line->gpio->ops->set_value(line->priv, value ? 1 : 0);
}

bool mc_gpio_line_is_output(const struct mc_gpio_line *line)
{
	return line->output;
}

bool mc_gpio_line_debounced(const struct mc_gpio_line *line)
{
	return !line->output && line->gpio->ops->debounced && line->gpio->ops->debounced(line->priv);
}
