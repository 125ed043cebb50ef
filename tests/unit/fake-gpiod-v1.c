/* fake-gpiod-v1.c — the subset of libgpiod 1.6 that drivers/gpio/gpio-v1.c
 * uses, compiled against libgpiod 1.6's own gpiod.h, on the simulated chips
 * of fake-gpiod-core.c. Linked into test-gpio-v1 instead of libgpiod. */
#include <errno.h>
#include <gpiod.h>
#include <stdlib.h>
#include <string.h>

#include "fake-gpiod.h"

/* libgpiod 1.6's opaque handles: a chip owns one handle per line. */
struct gpiod_line {
	struct gpiod_chip *chip;
	unsigned offset;
	char consumer[32];
};

struct gpiod_chip {
	struct fk_chip *c;
	struct gpiod_line lines[64];
};

struct gpiod_chip *gpiod_chip_open_lookup(const char *descr)
{
	struct fk_chip *c = fk_chip_open(descr, true);
	struct gpiod_chip *chip;

	if (!c)
		return NULL;
	chip = calloc(1, sizeof(*chip));
	if (!chip) {
		fk_chip_close(c);
		errno = ENOMEM;
		return NULL;
	}
	chip->c = c;
	for (unsigned o = 0; o < 64; o++) {
		chip->lines[o].chip = chip;
		chip->lines[o].offset = o;
	}
	return chip;
}

void gpiod_chip_close(struct gpiod_chip *chip)
{
	fk_chip_close(chip->c);
	free(chip);
}

unsigned int gpiod_chip_num_lines(struct gpiod_chip *chip)
{
	return fk_chip_nlines(chip->c);
}

struct gpiod_line *gpiod_chip_get_line(struct gpiod_chip *chip, unsigned int offset)
{
	if (offset >= fk_chip_nlines(chip->c)) {
		errno = EINVAL;
		return NULL;
	}
	return &chip->lines[offset];
}

struct gpiod_line *gpiod_chip_find_line(struct gpiod_chip *chip, const char *name)
{
	int off = fk_line_by_name(chip->c, name);

	return off < 0 ? NULL : &chip->lines[off];
}

const char *gpiod_line_consumer(struct gpiod_line *line)
{
	const char *who = fk_line_consumer(line->chip->c, line->offset);

	return *who ? who : NULL;
}

int gpiod_line_request(struct gpiod_line *line, const struct gpiod_line_request_config *config,
		       int default_val)
{
	struct fake_line_state want = { 0 };
	int f = config->flags;

	if (config->request_type == GPIOD_LINE_REQUEST_DIRECTION_OUTPUT) {
		want.output = true;
		want.value = default_val ? 1 : 0;
	} else if (config->request_type == GPIOD_LINE_REQUEST_EVENT_BOTH_EDGES) {
		want.both_edges = true;
	} else if (config->request_type != GPIOD_LINE_REQUEST_DIRECTION_INPUT) {
		errno = EINVAL; /* the adapter uses no other kind */
		return -1;
	}
	want.active_low = f & GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW;
	want.open_drain = f & GPIOD_LINE_REQUEST_FLAG_OPEN_DRAIN;
	if (f & GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP)
		want.bias = FAKE_BIAS_PULL_UP;
	else if (f & GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN)
		want.bias = FAKE_BIAS_PULL_DOWN;
	else if (f & GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE)
		want.bias = FAKE_BIAS_DISABLED;
	if (config->consumer)
		strncpy(want.consumer, config->consumer, sizeof(want.consumer) - 1);
	return fk_line_request(line->chip->c, line->offset, &want);
}

void gpiod_line_release(struct gpiod_line *line)
{
	fk_line_release(line->chip->c, line->offset);
}

int gpiod_line_event_get_fd(struct gpiod_line *line)
{
	int fd = fk_line_fd(line->chip->c, line->offset);

	if (fd < 0)
		errno = EPERM;
	return fd;
}

int gpiod_line_event_read_fd_multiple(int fd, struct gpiod_line_event *events, unsigned int num_events)
{
	struct fk_chip *c;
	unsigned off;
	int n = 0;

	if (!fk_line_of_fd(fd, &c, &off)) {
		errno = EBADF;
		return -1;
	}
	while ((unsigned)n < num_events) {
		int active;
		uint64_t ts;
		int r = fk_line_pop(c, off, &active, &ts);
		if (r < 0)
			return -1;
		if (!r)
			break;
		events[n].event_type = active ? GPIOD_LINE_EVENT_RISING_EDGE : GPIOD_LINE_EVENT_FALLING_EDGE;
		events[n].ts.tv_sec = (time_t)(ts / 1000000000u);
		events[n].ts.tv_nsec = (long)(ts % 1000000000u);
		n++;
	}
	return n;
}

int gpiod_line_get_value(struct gpiod_line *line)
{
	return fk_line_get(line->chip->c, line->offset);
}

int gpiod_line_set_value(struct gpiod_line *line, int value)
{
	return fk_line_set(line->chip->c, line->offset, value);
}
