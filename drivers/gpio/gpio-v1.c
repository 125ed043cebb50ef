/* gpio-v1.c — the libgpiod 1.6 backend (Debian 12, Raspberry Pi OS
 * bookworm). With gpio-v2.c (libgpiod 2.x) the only files that include
 * gpiod.h; the build compiles the one matching pkg-config's libgpiod.
 * libgpiod 1.6 has no kernel debounce: the caller debounces with a timer
 * (req->debounce_us is ignored, mc_gpio_line_debounced() is false). */
#include "gpio.h"

#include <errno.h>
#include <gpiod.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An open chip, shared by its lines. */
struct chip {
	char name[32];           /* as board.conf wrote it */
	struct gpiod_chip *chip; /* libgpiod handle */
	struct chip *next;       /* next open chip */
};

/* The backend's state: the open chips. */
struct v1 {
	struct chip *chips;      /* opened so far */
};

/* A requested line. */
struct v1_line {
	struct gpiod_line *line; /* libgpiod handle, owned by its chip */
};

static struct chip *find_chip(struct v1 *v, const char *name, char *err, size_t errlen)
{
	struct chip *c;

	for (c = v->chips; c; c = c->next)
		if (!strcmp(c->name, name))
			return c;
	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	errno = 0;
	c->chip = gpiod_chip_open_lookup(name);
	if (!c->chip) {
		int e = errno ? errno : ENOENT;
		if (e == ENOENT || e == ENODEV)
			snprintf(err, errlen, "GPIO chip '%s' does not exist (no /dev/%s and no chip with that "
				 "label; see `gpiodetect` and board.conf)", name, name);
		else
			snprintf(err, errlen, "GPIO chip '%s' cannot be opened: %s%s", name, strerror(e),
				 e == EACCES ? " (run kioskd in the gpio group)" : "");
		free(c);
		errno = e;
		return NULL;
	}
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->next = v->chips;
	v->chips = c;
	return c;
}

static int v1_open_chip(void *priv, const char *chip, char *err, size_t errlen)
{
	return find_chip(priv, chip, err, errlen) ? 0 : -1;
}

static void *v1_request(void *priv, const struct mc_gpio_line_conf *l, const struct mc_gpio_req *req,
			char *err, size_t errlen)
{
	struct chip *c = find_chip(priv, l->chip, err, errlen);
	struct gpiod_line_request_config rc = { .consumer = req->consumer };
	struct gpiod_line *line;
	struct v1_line *vl;
	char name[72];

	if (!c)
		return NULL;
	mc_gpio_line_text(l, name, sizeof(name));
	errno = 0;
	if (l->offset >= 0) {
		if ((unsigned)l->offset >= gpiod_chip_num_lines(c->chip)) {
			snprintf(err, errlen, "GPIO line %s does not exist: chip %s has %u lines", name, l->chip,
				 gpiod_chip_num_lines(c->chip));
			errno = ENOENT;
			return NULL;
		}
		line = gpiod_chip_get_line(c->chip, (unsigned)l->offset);
	} else {
		line = gpiod_chip_find_line(c->chip, l->name);
	}
	if (!line) {
		snprintf(err, errlen, "GPIO line %s does not exist on chip %s (see `gpioinfo %s`)", name, l->chip,
			 l->chip);
		errno = ENOENT;
		return NULL;
	}
	if (req->active_low)
		rc.flags |= GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW;
	if (req->dir == MC_GPIO_IN) {
		rc.request_type = GPIOD_LINE_REQUEST_EVENT_BOTH_EDGES;
		if (req->bias == MC_GPIO_BIAS_PULL_UP)
			rc.flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP;
		else if (req->bias == MC_GPIO_BIAS_PULL_DOWN)
			rc.flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN;
		else if (req->bias == MC_GPIO_BIAS_DISABLE)
			rc.flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE;
	} else {
		rc.request_type = GPIOD_LINE_REQUEST_DIRECTION_OUTPUT;
		if (req->open_drain)
			rc.flags |= GPIOD_LINE_REQUEST_FLAG_OPEN_DRAIN;
	}
	if (gpiod_line_request(line, &rc, req->initial) < 0) {
		int e = errno;
		const char *who = gpiod_line_consumer(line);
		if (e == EBUSY)
			snprintf(err, errlen, "GPIO line %s is busy: already used by '%s'", name,
				 who ? who : "another program");
		else
			snprintf(err, errlen, "GPIO line %s cannot be requested as %s: %s", name,
				 req->dir == MC_GPIO_IN ? "an input with edge events" : "an output", strerror(e));
		errno = e;
		return NULL;
	}
	vl = calloc(1, sizeof(*vl));
	if (!vl) {
		gpiod_line_release(line);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	vl->line = line;
	return vl;
}

static int v1_event_fd(void *line)
{
	struct v1_line *vl = line;

	return gpiod_line_event_get_fd(vl->line);
}

static int v1_read_events(void *line, struct mc_gpio_event *ev, int max)
{
	struct v1_line *vl = line;
	struct gpiod_line_event buf[16];
	struct pollfd pfd = { .fd = gpiod_line_event_get_fd(vl->line), .events = POLLIN };
	int n;

	if (pfd.fd < 0 || poll(&pfd, 1, 0) <= 0)
		return 0;
	if (max > 16)
		max = 16;
	n = gpiod_line_event_read_fd_multiple(pfd.fd, buf, (unsigned)max);
	for (int i = 0; i < n; i++) {
		ev[i].value = buf[i].event_type == GPIOD_LINE_EVENT_RISING_EDGE;
		ev[i].ts_ns = (int64_t)buf[i].ts.tv_sec * 1000000000 + buf[i].ts.tv_nsec;
	}
	return n;
}

static int v1_get_value(void *line)
{
	struct v1_line *vl = line;

	return gpiod_line_get_value(vl->line);
}

static int v1_set_value(void *line, int value)
{
	struct v1_line *vl = line;

	return gpiod_line_set_value(vl->line, value);
}

static void v1_release(void *line)
{
	struct v1_line *vl = line;

	gpiod_line_release(vl->line);
	free(vl);
}

static void v1_free(void *priv)
{
	struct v1 *v = priv;

	while (v->chips) {
		struct chip *c = v->chips;
		v->chips = c->next;
		gpiod_chip_close(c->chip);
		free(c);
	}
	free(v);
}

static const struct mc_gpio_ops v1_ops = {
	.name = "libgpiod-v1",
	.open_chip = v1_open_chip,
	.request = v1_request,
	.event_fd = v1_event_fd,
	.read_events = v1_read_events,
	.get_value = v1_get_value,
	.set_value = v1_set_value,
	.release = v1_release,
	.free = v1_free,
};

struct mc_gpio *mc_gpio_board_new(void)
{
	struct v1 *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	return mc_gpio_new(&v1_ops, v);
}
