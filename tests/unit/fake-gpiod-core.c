/* fake-gpiod-core.c — the simulated GPIO chips behind the stand-in
 * libgpiod of either API version (see fake-gpiod.h). */
#include "fake-gpiod.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

enum { MAX_CHIPS = 4, MAX_LINES = 64, MAX_QUEUE = 16, MAX_FAILS = 8 };

struct fk_line {
	struct fake_line_state st;   /* what is requested */
	char name[32];               /* gpioinfo name */
	char holder[32];             /* another program holding it ("": none) */
	int efd;                     /* eventfd: readable while edges queued (-1: none) */
	int active[MAX_QUEUE];       /* queued edges */
	uint64_t ts[MAX_QUEUE];
	int nq;
};

struct fk_chip {
	char name[32];               /* gpiochipN */
	char label[32];
	unsigned nlines;
	int opens;                   /* handles open on it */
	struct fk_line lines[MAX_LINES];
};

struct fail {
	char op[16];
	int err;
};

/* The simulated machine: the test program is one. */
static struct fk_chip chips[MAX_CHIPS];
static int nchips;
static struct fail fails[MAX_FAILS];
static int nfails;
static bool debounce_ok = true;

void fake_gpiod_reset(void)
{
	for (int i = 0; i < nchips; i++)
		for (unsigned o = 0; o < chips[i].nlines; o++)
			if (chips[i].lines[o].efd >= 0)
				close(chips[i].lines[o].efd);
	memset(chips, 0, sizeof(chips));
	nchips = 0;
	nfails = 0;
	debounce_ok = true;
}

static struct fk_chip *chip_named(const char *name)
{
	for (int i = 0; i < nchips; i++)
		if (!strcmp(chips[i].name, name))
			return &chips[i];
	return NULL;
}

static struct fk_line *line_at(const char *chip, unsigned offset)
{
	struct fk_chip *c = chip_named(chip);

	return c && offset < c->nlines ? &c->lines[offset] : NULL;
}

int fake_gpiod_add_chip(const char *name, const char *label, unsigned nlines)
{
	struct fk_chip *c;

	if (nchips == MAX_CHIPS || nlines > MAX_LINES)
		return -1;
	c = &chips[nchips++];
	snprintf(c->name, sizeof(c->name), "%s", name);
	snprintf(c->label, sizeof(c->label), "%s", label);
	c->nlines = nlines;
	for (unsigned o = 0; o < nlines; o++)
		c->lines[o].efd = -1;
	return 0;
}

void fake_gpiod_name_line(const char *chip, unsigned offset, const char *name)
{
	struct fk_line *l = line_at(chip, offset);

	if (l)
		snprintf(l->name, sizeof(l->name), "%s", name);
}

void fake_gpiod_hold(const char *chip, unsigned offset, const char *consumer)
{
	struct fk_line *l = line_at(chip, offset);

	if (l)
		snprintf(l->holder, sizeof(l->holder), "%s", consumer);
}

void fake_gpiod_fail(const char *op, int err)
{
	if (nfails < MAX_FAILS) {
		snprintf(fails[nfails].op, sizeof(fails[nfails].op), "%s", op);
		fails[nfails++].err = err;
	}
}

void fake_gpiod_debounce_supported(bool yes)
{
	debounce_ok = yes;
}

int fake_gpiod_edge(const char *chip, unsigned offset, int active, uint64_t ts_ns)
{
	struct fk_line *l = line_at(chip, offset);
	uint64_t one = 1;

	if (!l || !l->st.requested || l->st.output || l->nq == MAX_QUEUE)
		return -1;
	l->active[l->nq] = active ? 1 : 0;
	l->ts[l->nq++] = ts_ns;
	l->st.value = active ? 1 : 0;
	return write(l->efd, &one, sizeof(one)) == sizeof(one) ? 0 : -1;
}

int fake_gpiod_state(const char *chip, unsigned offset, struct fake_line_state *st)
{
	struct fk_line *l = line_at(chip, offset);

	if (!l)
		return -1;
	*st = l->st;
	return 0;
}

int fake_gpiod_open_chips(void)
{
	int n = 0;

	for (int i = 0; i < nchips; i++)
		n += chips[i].opens;
	return n;
}

bool fk_fail(const char *op)
{
	for (int i = 0; i < nfails; i++)
		if (!strcmp(fails[i].op, op)) {
			int e = fails[i].err;
			memmove(&fails[i], &fails[i + 1], (size_t)(nfails - i - 1) * sizeof(fails[0]));
			nfails--;
			errno = e;
			return true;
		}
	return false;
}

struct fk_chip *fk_chip_open(const char *what, bool by_label)
{
	struct fk_chip *c = NULL;
	char name[48];

	if (fk_fail("open"))
		return NULL;
	if (!strncmp(what, "/dev/", 5))
		what += 5;
	if (what[0] >= '0' && what[0] <= '9') {
		snprintf(name, sizeof(name), "gpiochip%s", what);
		what = name;
	}
	c = chip_named(what);
	for (int i = 0; !c && by_label && i < nchips; i++)
		if (!strcmp(chips[i].label, what))
			c = &chips[i];
	if (!c) {
		errno = ENOENT;
		return NULL;
	}
	c->opens++;
	return c;
}

void fk_chip_close(struct fk_chip *c)
{
	c->opens--;
}

const char *fk_chip_name(const struct fk_chip *c)
{
	return c->name;
}

const char *fk_chip_label(const struct fk_chip *c)
{
	return c->label;
}

unsigned fk_chip_nlines(const struct fk_chip *c)
{
	return c->nlines;
}

int fk_line_by_name(const struct fk_chip *c, const char *name)
{
	for (unsigned o = 0; o < c->nlines; o++)
		if (!strcmp(c->lines[o].name, name))
			return (int)o;
	errno = ENOENT;
	return -1;
}

const char *fk_line_name(const struct fk_chip *c, unsigned offset)
{
	return c->lines[offset].name;
}

const char *fk_line_consumer(const struct fk_chip *c, unsigned offset)
{
	const struct fk_line *l = &c->lines[offset];

	return l->holder[0] ? l->holder : l->st.consumer;
}

int fk_line_request(struct fk_chip *c, unsigned offset, const struct fake_line_state *want)
{
	struct fk_line *l;

	if (offset >= c->nlines) {
		errno = EINVAL;
		return -1;
	}
	l = &c->lines[offset];
	if (l->holder[0] || l->st.requested) {
		errno = EBUSY;
		return -1;
	}
	if (want->debounce_us && (!debounce_ok || want->output)) {
		errno = EINVAL;
		return -1;
	}
	if (fk_fail("request"))
		return -1;
	l->st = *want;
	l->st.requested = true;
	l->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	l->nq = 0;
	return l->efd < 0 ? -1 : 0;
}

void fk_line_release(struct fk_chip *c, unsigned offset)
{
	struct fk_line *l = &c->lines[offset];

	if (l->efd >= 0)
		close(l->efd);
	l->efd = -1;
	l->nq = 0;
	l->st.requested = false;
}

int fk_line_fd(const struct fk_chip *c, unsigned offset)
{
	return c->lines[offset].efd;
}

bool fk_line_of_fd(int fd, struct fk_chip **c, unsigned *offset)
{
	for (int i = 0; i < nchips; i++)
		for (unsigned o = 0; o < chips[i].nlines; o++)
			if (chips[i].lines[o].efd == fd && fd >= 0) {
				*c = &chips[i];
				*offset = o;
				return true;
			}
	return false;
}

int fk_line_pop(struct fk_chip *c, unsigned offset, int *active, uint64_t *ts_ns)
{
	struct fk_line *l = &c->lines[offset];
	uint64_t cnt;

	if (fk_fail("read"))
		return -1;
	if (!l->nq)
		return 0;
	*active = l->active[0];
	*ts_ns = l->ts[0];
	l->nq--;
	memmove(l->active, l->active + 1, (size_t)l->nq * sizeof(l->active[0]));
	memmove(l->ts, l->ts + 1, (size_t)l->nq * sizeof(l->ts[0]));
	if (!l->nq && read(l->efd, &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
		return -1;
	return 1;
}

int fk_line_pending(struct fk_chip *c, unsigned offset)
{
	if (fk_fail("wait"))
		return -1;
	return c->lines[offset].nq > 0;
}

int fk_line_get(struct fk_chip *c, unsigned offset)
{
	if (fk_fail("get"))
		return -1;
	return c->lines[offset].st.value;
}

int fk_line_set(struct fk_chip *c, unsigned offset, int value)
{
	struct fk_line *l = &c->lines[offset];

	if (!l->st.output) {
		errno = EPERM;
		return -1;
	}
	if (fk_fail("set"))
		return -1;
	l->st.value = value ? 1 : 0;
	return 0;
}
