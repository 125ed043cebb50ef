/* fake-gpiod-v2.c — the subset of libgpiod 2.x that drivers/gpio/gpio-v2.c
 * uses, compiled against libgpiod 2's own gpiod.h, on the simulated chips
 * of fake-gpiod-core.c. Linked into test-gpio-v2 instead of libgpiod.
 * Like the real library: settings are copied into the line config, the
 * request holds its offsets, events are read into a caller's buffer. */
#include <errno.h>
#include <gpiod.h>
#include <stdlib.h>
#include <string.h>

#include "fake-gpiod.h"

enum { MAX_OFFSETS = 8 };

struct gpiod_chip {
	struct fk_chip *c;
};

struct gpiod_chip_info {
	char label[32];
	size_t nlines;
};

struct gpiod_line_info {
	char consumer[32];
};

struct gpiod_line_settings {
	struct fake_line_state st;
	enum gpiod_line_direction dir;
	enum gpiod_line_edge edge;
};

struct gpiod_line_config {
	unsigned offsets[MAX_OFFSETS];
	struct gpiod_line_settings settings[MAX_OFFSETS];
	size_t n;
};

struct gpiod_request_config {
	char consumer[32];
};

struct gpiod_line_request {
	struct fk_chip *c;
	unsigned offsets[MAX_OFFSETS];
	size_t n;
};

struct gpiod_edge_event {
	enum gpiod_edge_event_type type;
	uint64_t ts_ns;
	unsigned offset;
};

struct gpiod_edge_event_buffer {
	size_t capacity, n;
	struct gpiod_edge_event *ev;
};

struct gpiod_chip *gpiod_chip_open(const char *path)
{
	struct gpiod_chip *chip;
	struct fk_chip *c;

	if (strncmp(path, "/dev/", 5)) {
		errno = ENOENT; /* libgpiod 2 opens paths only */
		return NULL;
	}
	c = fk_chip_open(path, false);
	if (!c)
		return NULL;
	chip = calloc(1, sizeof(*chip));
	if (!chip) {
		fk_chip_close(c);
		errno = ENOMEM;
		return NULL;
	}
	chip->c = c;
	return chip;
}

void gpiod_chip_close(struct gpiod_chip *chip)
{
	if (!chip)
		return;
	fk_chip_close(chip->c);
	free(chip);
}

struct gpiod_chip_info *gpiod_chip_get_info(struct gpiod_chip *chip)
{
	struct gpiod_chip_info *info = calloc(1, sizeof(*info));

	if (!info) {
		errno = ENOMEM;
		return NULL;
	}
	strncpy(info->label, fk_chip_label(chip->c), sizeof(info->label) - 1);
	info->nlines = fk_chip_nlines(chip->c);
	return info;
}

void gpiod_chip_info_free(struct gpiod_chip_info *info)
{
	free(info);
}

const char *gpiod_chip_info_get_label(struct gpiod_chip_info *info)
{
	return info->label;
}

size_t gpiod_chip_info_get_num_lines(struct gpiod_chip_info *info)
{
	return info->nlines;
}

int gpiod_chip_get_line_offset_from_name(struct gpiod_chip *chip, const char *name)
{
	return fk_line_by_name(chip->c, name);
}

struct gpiod_line_info *gpiod_chip_get_line_info(struct gpiod_chip *chip, unsigned int offset)
{
	struct gpiod_line_info *info;

	if (offset >= fk_chip_nlines(chip->c)) {
		errno = EINVAL;
		return NULL;
	}
	info = calloc(1, sizeof(*info));
	if (!info) {
		errno = ENOMEM;
		return NULL;
	}
	strncpy(info->consumer, fk_line_consumer(chip->c, offset), sizeof(info->consumer) - 1);
	return info;
}

void gpiod_line_info_free(struct gpiod_line_info *info)
{
	free(info);
}

const char *gpiod_line_info_get_consumer(struct gpiod_line_info *info)
{
	return info->consumer[0] ? info->consumer : NULL;
}

struct gpiod_line_settings *gpiod_line_settings_new(void)
{
	struct gpiod_line_settings *s = calloc(1, sizeof(*s));

	if (!s) {
		errno = ENOMEM;
		return NULL;
	}
	s->dir = GPIOD_LINE_DIRECTION_AS_IS;
	s->edge = GPIOD_LINE_EDGE_NONE;
	return s;
}

void gpiod_line_settings_free(struct gpiod_line_settings *settings)
{
	free(settings);
}

int gpiod_line_settings_set_direction(struct gpiod_line_settings *settings, enum gpiod_line_direction direction)
{
	if (direction < GPIOD_LINE_DIRECTION_AS_IS || direction > GPIOD_LINE_DIRECTION_OUTPUT) {
		errno = EINVAL;
		return -1;
	}
	settings->dir = direction;
	return 0;
}

int gpiod_line_settings_set_edge_detection(struct gpiod_line_settings *settings, enum gpiod_line_edge edge)
{
	if (edge < GPIOD_LINE_EDGE_NONE || edge > GPIOD_LINE_EDGE_BOTH) {
		errno = EINVAL;
		return -1;
	}
	settings->edge = edge;
	return 0;
}

int gpiod_line_settings_set_bias(struct gpiod_line_settings *settings, enum gpiod_line_bias bias)
{
	switch (bias) {
	case GPIOD_LINE_BIAS_AS_IS: settings->st.bias = FAKE_BIAS_AS_IS; return 0;
	case GPIOD_LINE_BIAS_PULL_UP: settings->st.bias = FAKE_BIAS_PULL_UP; return 0;
	case GPIOD_LINE_BIAS_PULL_DOWN: settings->st.bias = FAKE_BIAS_PULL_DOWN; return 0;
	case GPIOD_LINE_BIAS_DISABLED: settings->st.bias = FAKE_BIAS_DISABLED; return 0;
	default: errno = EINVAL; return -1;
	}
}

int gpiod_line_settings_set_drive(struct gpiod_line_settings *settings, enum gpiod_line_drive drive)
{
	if (drive != GPIOD_LINE_DRIVE_PUSH_PULL && drive != GPIOD_LINE_DRIVE_OPEN_DRAIN) {
		errno = EINVAL; /* open source: the adapter never asks */
		return -1;
	}
	settings->st.open_drain = drive == GPIOD_LINE_DRIVE_OPEN_DRAIN;
	return 0;
}

void gpiod_line_settings_set_active_low(struct gpiod_line_settings *settings, bool active_low)
{
	settings->st.active_low = active_low;
}

void gpiod_line_settings_set_debounce_period_us(struct gpiod_line_settings *settings, unsigned long period)
{
	settings->st.debounce_us = period;
}

int gpiod_line_settings_set_event_clock(struct gpiod_line_settings *settings, enum gpiod_line_clock event_clock)
{
	(void)settings;
	if (event_clock != GPIOD_LINE_CLOCK_MONOTONIC) {
		errno = EINVAL; /* the fake's timestamps are the test's own */
		return -1;
	}
	return 0;
}

int gpiod_line_settings_set_output_value(struct gpiod_line_settings *settings, enum gpiod_line_value value)
{
	if (value != GPIOD_LINE_VALUE_ACTIVE && value != GPIOD_LINE_VALUE_INACTIVE) {
		errno = EINVAL;
		return -1;
	}
	settings->st.value = value == GPIOD_LINE_VALUE_ACTIVE;
	return 0;
}

struct gpiod_line_config *gpiod_line_config_new(void)
{
	struct gpiod_line_config *lc = calloc(1, sizeof(*lc));

	if (!lc)
		errno = ENOMEM;
	return lc;
}

void gpiod_line_config_free(struct gpiod_line_config *config)
{
	free(config);
}

int gpiod_line_config_add_line_settings(struct gpiod_line_config *config, const unsigned int *offsets,
					size_t num_offsets, struct gpiod_line_settings *settings)
{
	if (!num_offsets || config->n + num_offsets > MAX_OFFSETS) {
		errno = num_offsets ? E2BIG : EINVAL;
		return -1;
	}
	for (size_t i = 0; i < num_offsets; i++) {
		config->offsets[config->n] = offsets[i];
		config->settings[config->n++] = *settings; /* a copy, as libgpiod does */
	}
	return 0;
}

struct gpiod_request_config *gpiod_request_config_new(void)
{
	struct gpiod_request_config *rc = calloc(1, sizeof(*rc));

	if (!rc)
		errno = ENOMEM;
	return rc;
}

void gpiod_request_config_free(struct gpiod_request_config *config)
{
	free(config);
}

void gpiod_request_config_set_consumer(struct gpiod_request_config *config, const char *consumer)
{
	strncpy(config->consumer, consumer ? consumer : "", sizeof(config->consumer) - 1);
}

struct gpiod_line_request *gpiod_chip_request_lines(struct gpiod_chip *chip, struct gpiod_request_config *req_cfg,
						    struct gpiod_line_config *line_cfg)
{
	struct gpiod_line_request *r = calloc(1, sizeof(*r));

	if (!r) {
		errno = ENOMEM;
		return NULL;
	}
	r->c = chip->c;
	for (size_t i = 0; i < line_cfg->n; i++) {
		const struct gpiod_line_settings *s = &line_cfg->settings[i];
		struct fake_line_state want = s->st;
		if (s->dir == GPIOD_LINE_DIRECTION_OUTPUT) {
			want.output = true;
		} else {
			want.value = 0;
			want.both_edges = s->edge == GPIOD_LINE_EDGE_BOTH;
		}
		if (req_cfg)
			memcpy(want.consumer, req_cfg->consumer, sizeof(want.consumer));
		if (fk_line_request(chip->c, line_cfg->offsets[i], &want) < 0) {
			int e = errno;
			for (size_t k = 0; k < r->n; k++)
				fk_line_release(r->c, r->offsets[k]);
			free(r);
			errno = e;
			return NULL;
		}
		r->offsets[r->n++] = line_cfg->offsets[i];
	}
	return r;
}

void gpiod_line_request_release(struct gpiod_line_request *request)
{
	if (!request)
		return;
	for (size_t k = 0; k < request->n; k++)
		fk_line_release(request->c, request->offsets[k]);
	free(request);
}

/* Whether offset belongs to the request (EINVAL otherwise, as libgpiod). */
static bool has_offset(const struct gpiod_line_request *r, unsigned offset)
{
	for (size_t k = 0; k < r->n; k++)
		if (r->offsets[k] == offset)
			return true;
	errno = EINVAL;
	return false;
}

enum gpiod_line_value gpiod_line_request_get_value(struct gpiod_line_request *request, unsigned int offset)
{
	int v;

	if (!has_offset(request, offset))
		return GPIOD_LINE_VALUE_ERROR;
	v = fk_line_get(request->c, offset);
	return v < 0 ? GPIOD_LINE_VALUE_ERROR : v ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE;
}

int gpiod_line_request_set_value(struct gpiod_line_request *request, unsigned int offset,
				 enum gpiod_line_value value)
{
	if (!has_offset(request, offset))
		return -1;
	return fk_line_set(request->c, offset, value == GPIOD_LINE_VALUE_ACTIVE);
}

/* The fake gives one fd per line; a request of one line (the adapter's
 * only kind) has that line's fd. */
int gpiod_line_request_get_fd(struct gpiod_line_request *request)
{
	return request->n ? fk_line_fd(request->c, request->offsets[0]) : -1;
}

int gpiod_line_request_wait_edge_events(struct gpiod_line_request *request, int64_t timeout_ns)
{
	if (timeout_ns != 0) {
		errno = EINVAL; /* the adapter never blocks */
		return -1;
	}
	for (size_t k = 0; k < request->n; k++) {
		int p = fk_line_pending(request->c, request->offsets[k]);
		if (p)
			return p;
	}
	return 0;
}

int gpiod_line_request_read_edge_events(struct gpiod_line_request *request, struct gpiod_edge_event_buffer *buffer,
					size_t max_events)
{
	if (max_events > buffer->capacity)
		max_events = buffer->capacity;
	buffer->n = 0;
	for (size_t k = 0; k < request->n && buffer->n < max_events; k++) {
		int active;
		uint64_t ts;
		int r;
		while (buffer->n < max_events && (r = fk_line_pop(request->c, request->offsets[k], &active, &ts)) != 0) {
			if (r < 0)
				return -1;
			struct gpiod_edge_event *e = &buffer->ev[buffer->n++];
			e->type = active ? GPIOD_EDGE_EVENT_RISING_EDGE : GPIOD_EDGE_EVENT_FALLING_EDGE;
			e->ts_ns = ts;
			e->offset = request->offsets[k];
		}
	}
	return (int)buffer->n;
}

struct gpiod_edge_event_buffer *gpiod_edge_event_buffer_new(size_t capacity)
{
	struct gpiod_edge_event_buffer *b = calloc(1, sizeof(*b));

	if (!capacity)
		capacity = 64;
	if (b)
		b->ev = calloc(capacity, sizeof(*b->ev));
	if (!b || !b->ev) {
		free(b);
		errno = ENOMEM;
		return NULL;
	}
	b->capacity = capacity;
	return b;
}

void gpiod_edge_event_buffer_free(struct gpiod_edge_event_buffer *buffer)
{
	if (!buffer)
		return;
	free(buffer->ev);
	free(buffer);
}

struct gpiod_edge_event *gpiod_edge_event_buffer_get_event(struct gpiod_edge_event_buffer *buffer,
							  unsigned long index)
{
	if (index >= buffer->n) {
		errno = EINVAL;
		return NULL;
	}
	return &buffer->ev[index];
}

enum gpiod_edge_event_type gpiod_edge_event_get_event_type(struct gpiod_edge_event *event)
{
	return event->type;
}

uint64_t gpiod_edge_event_get_timestamp_ns(struct gpiod_edge_event *event)
{
	return event->ts_ns;
}
