/* gpio-v2.c — the libgpiod 2.x backend (Debian 13, Raspberry Pi OS trixie).
 * With gpio-v1.c (libgpiod 1.6) the only files that include gpiod.h; the
 * build compiles the one matching pkg-config's libgpiod.
 *
 * libgpiod 2 requests lines through settings → line config → request; each
 * mc_gpio line is one request of one offset. Inputs ask the kernel to
 * debounce (req->debounce_us in the line settings): when the kernel takes
 * it, mc_gpio_line_debounced() is true and the caller counts edges at once;
 * a kernel that refuses it (EINVAL) gets the request again without, and the
 * caller's timer debounces as with libgpiod 1.6. */
#include "gpio.h"

#include <dirent.h>
#include <errno.h>
#include <gpiod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An open chip, shared by its lines. */
struct chip {
	char name[32];           /* as board.conf wrote it */
	struct gpiod_chip *chip; /* libgpiod handle */
	unsigned nlines;         /* lines the chip has */
	struct chip *next;       /* next open chip */
};

/* The backend's state: the open chips. */
struct v2 {
	struct chip *chips;      /* opened so far */
};

/* A requested line: its own request of one offset. */
struct v2_line {
	struct gpiod_line_request *req;     /* libgpiod request, owned */
	struct gpiod_edge_event_buffer *buf; /* inputs: events read into, owned */
	unsigned offset;                    /* the line on its chip */
	bool debounced;                     /* the kernel debounces it */
};

enum { EVENT_BUF = 16 };

/* Opens a chip as board.conf names it: a path, "gpiochipN", a number, or
 * a chip label (searched among /dev/gpiochip*), like libgpiod 1.6's lookup. */
static struct gpiod_chip *open_named(const char *name)
{
	char path[300];
	struct gpiod_chip *c;
	DIR *d;
	struct dirent *de;
	char *end;

	if (name[0] == '/')
		return gpiod_chip_open(name);
	strtoul(name, &end, 10);
	if (*name && !*end)
		snprintf(path, sizeof(path), "/dev/gpiochip%s", name);
	else
		snprintf(path, sizeof(path), "/dev/%s", name);
	c = gpiod_chip_open(path);
	if (c || (errno != ENOENT && errno != ENODEV))
		return c;
	/* A label: the chip whose label matches. */
	d = opendir("/dev");
	if (!d) {
		errno = ENOENT;
		return NULL;
	}
	while ((de = readdir(d))) {
		struct gpiod_chip_info *info;
		if (strncmp(de->d_name, "gpiochip", 8))
			continue;
		snprintf(path, sizeof(path), "/dev/%s", de->d_name);
		c = gpiod_chip_open(path);
		if (!c)
			continue;
		info = gpiod_chip_get_info(c);
		if (info && !strcmp(gpiod_chip_info_get_label(info), name)) {
			gpiod_chip_info_free(info);
			closedir(d);
			return c;
		}
		gpiod_chip_info_free(info);
		gpiod_chip_close(c);
	}
	closedir(d);
	errno = ENOENT;
	return NULL;
}

static struct chip *find_chip(struct v2 *v, const char *name, char *err, size_t errlen)
{
	struct gpiod_chip_info *info;
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
	c->chip = open_named(name);
	info = c->chip ? gpiod_chip_get_info(c->chip) : NULL;
	if (!info) {
		int e = errno ? errno : ENOENT;
		if (e == ENOENT || e == ENODEV || e == ENOTTY)
			snprintf(err, errlen, "GPIO chip '%s' does not exist (no /dev/%s and no chip with that "
				 "label; see `gpiodetect` and board.conf)", name, name);
		else
			snprintf(err, errlen, "GPIO chip '%s' cannot be opened: %s%s", name, strerror(e),
				 e == EACCES ? " (run kioskd in the gpio group)" : "");
		if (c->chip)
			gpiod_chip_close(c->chip);
		free(c);
		errno = e;
		return NULL;
	}
	c->nlines = (unsigned)gpiod_chip_info_get_num_lines(info);
	gpiod_chip_info_free(info);
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->next = v->chips;
	v->chips = c;
	return c;
}

static int v2_open_chip(void *priv, const char *chip, char *err, size_t errlen)
{
	return find_chip(priv, chip, err, errlen) ? 0 : -1;
}

/* The settings of one line as req asks; NULL on out of memory. */
static struct gpiod_line_settings *settings_for(const struct mc_gpio_req *req, bool debounce)
{
	struct gpiod_line_settings *s = gpiod_line_settings_new();

	if (!s)
		return NULL;
	gpiod_line_settings_set_active_low(s, req->active_low);
	if (req->dir == MC_GPIO_IN) {
		enum gpiod_line_bias bias = GPIOD_LINE_BIAS_AS_IS;
		if (req->bias == MC_GPIO_BIAS_PULL_UP)
			bias = GPIOD_LINE_BIAS_PULL_UP;
		else if (req->bias == MC_GPIO_BIAS_PULL_DOWN)
			bias = GPIOD_LINE_BIAS_PULL_DOWN;
		else if (req->bias == MC_GPIO_BIAS_DISABLE)
			bias = GPIOD_LINE_BIAS_DISABLED;
		if (gpiod_line_settings_set_direction(s, GPIOD_LINE_DIRECTION_INPUT) < 0 ||
		    gpiod_line_settings_set_edge_detection(s, GPIOD_LINE_EDGE_BOTH) < 0 ||
		    gpiod_line_settings_set_bias(s, bias) < 0)
			goto fail;
		gpiod_line_settings_set_event_clock(s, GPIOD_LINE_CLOCK_MONOTONIC);
		if (debounce)
			gpiod_line_settings_set_debounce_period_us(s, (unsigned long)req->debounce_us);
	} else {
		if (gpiod_line_settings_set_direction(s, GPIOD_LINE_DIRECTION_OUTPUT) < 0 ||
		    gpiod_line_settings_set_drive(s, req->open_drain ? GPIOD_LINE_DRIVE_OPEN_DRAIN
								      : GPIOD_LINE_DRIVE_PUSH_PULL) < 0 ||
		    gpiod_line_settings_set_output_value(s, req->initial ? GPIOD_LINE_VALUE_ACTIVE
									  : GPIOD_LINE_VALUE_INACTIVE) < 0)
			goto fail;
	}
	return s;
fail:
	gpiod_line_settings_free(s);
	return NULL;
}

/* One request of offset on chip c; NULL with errno. */
static struct gpiod_line_request *request_one(struct chip *c, unsigned offset, const struct mc_gpio_req *req,
					      bool debounce)
{
	struct gpiod_line_settings *s = settings_for(req, debounce);
	struct gpiod_line_config *lc = gpiod_line_config_new();
	struct gpiod_request_config *rc = gpiod_request_config_new();
	struct gpiod_line_request *r = NULL;
	int e = ENOMEM;

	if (s && lc && rc && gpiod_line_config_add_line_settings(lc, &offset, 1, s) == 0) {
		gpiod_request_config_set_consumer(rc, req->consumer);
		r = gpiod_chip_request_lines(c->chip, rc, lc);
		e = errno;
	} else if (s && lc && rc) {
		e = errno;
	}
	gpiod_request_config_free(rc);
	gpiod_line_config_free(lc);
	gpiod_line_settings_free(s);
	errno = e;
	return r;
}

/* Who holds a busy line ("another program" if the kernel does not say);
 * copied into buf. */
static const char *consumer_of(struct chip *c, unsigned offset, char *buf, size_t len)
{
	struct gpiod_line_info *info = gpiod_chip_get_line_info(c->chip, offset);
	const char *who = info ? gpiod_line_info_get_consumer(info) : NULL;

	snprintf(buf, len, "%s", who && *who ? who : "another program");
	gpiod_line_info_free(info);
	return buf;
}

static void *v2_request(void *priv, const struct mc_gpio_line_conf *l, const struct mc_gpio_req *req,
			char *err, size_t errlen)
{
	struct chip *c = find_chip(priv, l->chip, err, errlen);
	struct v2_line *vl;
	char name[72], who[64];
	bool debounce;
	int off;

	if (!c)
		return NULL;
	mc_gpio_line_text(l, name, sizeof(name));
	errno = 0;
	if (l->offset >= 0) {
		if ((unsigned)l->offset >= c->nlines) {
			snprintf(err, errlen, "GPIO line %s does not exist: chip %s has %u lines", name, l->chip,
				 c->nlines);
			errno = ENOENT;
			return NULL;
		}
		off = l->offset;
	} else {
		off = gpiod_chip_get_line_offset_from_name(c->chip, l->name);
	}
	if (off < 0) {
		snprintf(err, errlen, "GPIO line %s does not exist on chip %s (see `gpioinfo -c %s`)", name,
			 l->chip, l->chip);
		errno = ENOENT;
		return NULL;
	}
	vl = calloc(1, sizeof(*vl));
	if (!vl || (req->dir == MC_GPIO_IN && !(vl->buf = gpiod_edge_event_buffer_new(EVENT_BUF)))) {
		free(vl);
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	vl->offset = (unsigned)off;
	debounce = req->dir == MC_GPIO_IN && req->debounce_us > 0;
	vl->req = request_one(c, vl->offset, req, debounce);
	if (!vl->req && debounce && errno == EINVAL) {
		/* A kernel (or chip) without debounce: the caller's timer does it. */
		debounce = false;
		vl->req = request_one(c, vl->offset, req, false);
	}
	if (!vl->req) {
		int e = errno;
		if (e == EBUSY)
			snprintf(err, errlen, "GPIO line %s is busy: already used by '%s'", name,
				 consumer_of(c, vl->offset, who, sizeof(who)));
		else
			snprintf(err, errlen, "GPIO line %s cannot be requested as %s: %s", name,
				 req->dir == MC_GPIO_IN ? "an input with edge events" : "an output", strerror(e));
		gpiod_edge_event_buffer_free(vl->buf);
		free(vl);
		errno = e;
		return NULL;
	}
	vl->debounced = debounce;
	return vl;
}

static int v2_event_fd(void *line)
{
	struct v2_line *vl = line;

	return gpiod_line_request_get_fd(vl->req);
}

static int v2_read_events(void *line, struct mc_gpio_event *ev, int max)
{
	struct v2_line *vl = line;
	int n, ready;

	ready = gpiod_line_request_wait_edge_events(vl->req, 0);
	if (ready <= 0)
		return ready < 0 ? -1 : 0;
	if (max > EVENT_BUF)
		max = EVENT_BUF;
	n = gpiod_line_request_read_edge_events(vl->req, vl->buf, (size_t)max);
	for (int i = 0; i < n; i++) {
		struct gpiod_edge_event *e = gpiod_edge_event_buffer_get_event(vl->buf, (unsigned long)i);
		ev[i].value = gpiod_edge_event_get_event_type(e) == GPIOD_EDGE_EVENT_RISING_EDGE;
		ev[i].ts_ns = (int64_t)gpiod_edge_event_get_timestamp_ns(e);
	}
	return n;
}

static int v2_get_value(void *line)
{
	struct v2_line *vl = line;
	enum gpiod_line_value v = gpiod_line_request_get_value(vl->req, vl->offset);

	return v == GPIOD_LINE_VALUE_ERROR ? -1 : v == GPIOD_LINE_VALUE_ACTIVE;
}

static int v2_set_value(void *line, int value)
{
	struct v2_line *vl = line;

	return gpiod_line_request_set_value(vl->req, vl->offset,
					    value ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE);
}

static bool v2_debounced(void *line)
{
	const struct v2_line *vl = line;

	return vl->debounced;
}

static void v2_release(void *line)
{
	struct v2_line *vl = line;

	gpiod_line_request_release(vl->req);
	gpiod_edge_event_buffer_free(vl->buf);
	free(vl);
}

static void v2_free(void *priv)
{
	struct v2 *v = priv;

	while (v->chips) {
		struct chip *c = v->chips;
		v->chips = c->next;
		gpiod_chip_close(c->chip);
		free(c);
	}
	free(v);
}

static const struct mc_gpio_ops v2_ops = {
	.name = "libgpiod-v2",
	.open_chip = v2_open_chip,
	.request = v2_request,
	.event_fd = v2_event_fd,
	.read_events = v2_read_events,
	.get_value = v2_get_value,
	.set_value = v2_set_value,
	.debounced = v2_debounced,
	.release = v2_release,
	.free = v2_free,
};

struct mc_gpio *mc_gpio_board_new(void)
{
	struct v2 *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	return mc_gpio_new(&v2_ops, v);
}
