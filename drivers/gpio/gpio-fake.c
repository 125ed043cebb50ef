/* gpio-fake.c — the fake GPIO backend (see gpio-fake.h). */
#include "gpio-fake.h"
#include "gpio.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define MAX_EVENTS 64

/* A chip that exists. */
struct fchip {
	char name[32];           /* chip name */
	int nlines;              /* lines on it */
	struct fchip *next;
};

/* A failure set up by a test. */
struct ffail {
	char chip[32];           /* chip of the line */
	int offset;              /* the line */
	int err;                 /* errno to fail with */
	bool once;               /* disarm after one failure */
	bool on_set;             /* fails sets, not requests */
	struct ffail *next;
};

/* A requested line. */
struct fline {
	struct mc_gpio_fake *f;  /* owner */
	char chip[32];           /* its chip */
	int offset;              /* its offset */
	char text[72];           /* CHIP:OFFSET */
	bool output;             /* direction */
	bool active_low;         /* logical = !physical */
	int level;               /* physical level */
	int efd;                 /* eventfd signalled with events (inputs) */
	struct mc_gpio_event ev[MAX_EVENTS]; /* queued events, FIFO */
	int nev;
	struct fline *next;
};

struct mc_gpio_fake {
	pthread_mutex_t mu;      /* guards everything below (workers set outputs) */
	bool auto_chips;         /* every chip exists */
	struct fchip *chips;     /* chips that exist */
	struct ffail *fails;     /* armed failures */
	struct fline *lines;     /* requested lines */
	struct mc_gpio_fake_change *rec; /* recorded output changes */
	size_t nrec, caprec;
};

static struct fchip *chip_find(struct mc_gpio_fake *f, const char *name)
{
	for (struct fchip *c = f->chips; c; c = c->next)
		if (!strcmp(c->name, name))
			return c;
	if (f->auto_chips && mc_gpio_fake_add_chip(f, name, 64) == 0)
		return f->chips;
	return NULL;
}

int mc_gpio_fake_add_chip(struct mc_gpio_fake *f, const char *name, int nlines)
{
	struct fchip *c = calloc(1, sizeof(*c));

	if (!c)
		return -1;
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->nlines = nlines;
	c->next = f->chips;
	f->chips = c;
	return 0;
}

static int fake_open_chip(void *priv, const char *chip, char *err, size_t errlen)
{
	struct mc_gpio_fake *f = priv;
	int rc = 0;

	pthread_mutex_lock(&f->mu);
	if (!chip_find(f, chip)) {
		snprintf(err, errlen, "GPIO chip '%s' does not exist (no /dev/%s and no chip with that label; "
			 "see `gpiodetect` and board.conf)", chip, chip);
		errno = ENOENT;
		rc = -1;
	}
	pthread_mutex_unlock(&f->mu);
	return rc;
}

static struct ffail *fail_find(struct mc_gpio_fake *f, const char *chip, int offset, bool on_set)
{
	for (struct ffail *x = f->fails; x; x = x->next)
		if (x->err && x->on_set == on_set && x->offset == offset && !strcmp(x->chip, chip))
			return x;
	return NULL;
}

static void *fake_request(void *priv, const struct mc_gpio_line_conf *l, const struct mc_gpio_req *req,
			  char *err, size_t errlen)
{
	struct mc_gpio_fake *f = priv;
	struct fline *fl = NULL;
	struct fchip *c;
	struct ffail *x;
	char name[72];
	int offset = l->offset;

	mc_gpio_line_text(l, name, sizeof(name));
	pthread_mutex_lock(&f->mu);
	c = chip_find(f, l->chip);
	if (!c) {
		snprintf(err, errlen, "GPIO chip '%s' does not exist (no /dev/%s and no chip with that label; "
			 "see `gpiodetect` and board.conf)", l->chip, l->chip);
		errno = ENOENT;
		goto out;
	}
	if (offset < 0 && (strncmp(l->name, "GPIO", 4) || sscanf(l->name + 4, "%d", &offset) != 1))
		offset = -1;
	if (offset < 0 || offset >= c->nlines) {
		if (l->offset >= 0)
			snprintf(err, errlen, "GPIO line %s does not exist: chip %s has %d lines", name, l->chip,
				 c->nlines);
		else
			snprintf(err, errlen, "GPIO line %s does not exist on chip %s (see `gpioinfo %s`)", name,
				 l->chip, l->chip);
		errno = ENOENT;
		goto out;
	}
	for (struct fline *o = f->lines; o; o = o->next)
		if (o->offset == offset && !strcmp(o->chip, l->chip)) {
			snprintf(err, errlen, "GPIO line %s is busy: already used by 'motcua'", name);
			errno = EBUSY;
			goto out;
		}
	x = fail_find(f, l->chip, offset, false);
	if (x) {
		int e = x->err;
		if (x->once)
			x->err = 0;
		if (e == EBUSY)
			snprintf(err, errlen, "GPIO line %s is busy: already used by 'another program'", name);
		else
			snprintf(err, errlen, "GPIO line %s cannot be requested as %s: %s", name,
				 req->dir == MC_GPIO_IN ? "an input with edge events" : "an output", strerror(e));
		errno = e;
		goto out;
	}
	fl = calloc(1, sizeof(*fl));
	if (!fl) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	fl->f = f;
	snprintf(fl->chip, sizeof(fl->chip), "%s", l->chip);
	fl->offset = offset;
	snprintf(fl->text, sizeof(fl->text), "%s:%d", l->chip, offset);
	fl->output = req->dir == MC_GPIO_OUT;
	fl->active_low = req->active_low;
	fl->efd = -1;
	if (fl->output) {
		fl->level = (req->initial ? 1 : 0) ^ fl->active_low;
	} else {
		/* An idle input rests at its inactive level (pulled). */
		fl->level = fl->active_low ? 1 : 0;
		fl->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (fl->efd < 0) {
			snprintf(err, errlen, "GPIO line %s: eventfd: %s", name, strerror(errno));
			free(fl);
			fl = NULL;
			goto out;
		}
	}
	fl->next = f->lines;
	f->lines = fl;
out:
	pthread_mutex_unlock(&f->mu);
	return fl;
}

static int fake_event_fd(void *line)
{
	return ((struct fline *)line)->efd;
}

static int fake_read_events(void *line, struct mc_gpio_event *ev, int max)
{
	struct fline *fl = line;
	struct mc_gpio_fake *f = fl->f;
	uint64_t v;
	int n;

	pthread_mutex_lock(&f->mu);
	if (read(fl->efd, &v, sizeof(v)) < 0) {
		/* Nothing signalled: the queue is empty too. */
	}
	n = fl->nev < max ? fl->nev : max;
	memcpy(ev, fl->ev, (size_t)n * sizeof(*ev));
	memmove(fl->ev, fl->ev + n, (size_t)(fl->nev - n) * sizeof(*ev));
	fl->nev -= n;
	if (fl->nev) {
		uint64_t one = 1;
		if (write(fl->efd, &one, sizeof(one)) < 0) {
			/* eventfd counter overflow cannot happen here */
		}
	}
	pthread_mutex_unlock(&f->mu);
	return n;
}

static int fake_get_value(void *line)
{
	struct fline *fl = line;
	int v;

	pthread_mutex_lock(&fl->f->mu);
	v = fl->level ^ fl->active_low;
	pthread_mutex_unlock(&fl->f->mu);
	return v;
}

static int fake_set_value(void *line, int value)
{
	struct fline *fl = line;
	struct mc_gpio_fake *f = fl->f;
	struct ffail *x;
	int rc = 0, level = (value ? 1 : 0) ^ fl->active_low;

	pthread_mutex_lock(&f->mu);
	x = fail_find(f, fl->chip, fl->offset, true);
	if (x) {
		errno = x->err;
		rc = -1;
		goto out;
	}
	if (level == fl->level)
		goto out;
	fl->level = level;
	if (f->nrec == f->caprec) {
		size_t cap = f->caprec ? f->caprec * 2 : 4096;
		struct mc_gpio_fake_change *p = realloc(f->rec, cap * sizeof(*p));
		if (!p) {
			errno = ENOMEM;
			rc = -1;
			goto out;
		}
		f->rec = p;
		f->caprec = cap;
	}
	f->rec[f->nrec].t_ns = mc_gpio_now_ns();
	snprintf(f->rec[f->nrec].line, sizeof(f->rec[f->nrec].line), "%s", fl->text);
	f->rec[f->nrec].level = level;
	f->nrec++;
out:
	pthread_mutex_unlock(&f->mu);
	return rc;
}

static void fake_release(void *line)
{
	struct fline *fl = line;
	struct mc_gpio_fake *f = fl->f;
	struct fline **p;

	pthread_mutex_lock(&f->mu);
	for (p = &f->lines; *p && *p != fl; p = &(*p)->next)
		;
	if (*p)
		*p = fl->next;
	pthread_mutex_unlock(&f->mu);
	if (fl->efd >= 0)
		close(fl->efd);
	free(fl);
}

static void fake_free(void *priv)
{
	struct mc_gpio_fake *f = priv;

	while (f->chips) {
		struct fchip *c = f->chips;
		f->chips = c->next;
		free(c);
	}
	while (f->fails) {
		struct ffail *x = f->fails;
		f->fails = x->next;
		free(x);
	}
	free(f->rec);
	pthread_mutex_destroy(&f->mu);
	free(f);
}

static const struct mc_gpio_ops fake_ops = {
	.name = "fake",
	.open_chip = fake_open_chip,
	.request = fake_request,
	.event_fd = fake_event_fd,
	.read_events = fake_read_events,
	.get_value = fake_get_value,
	.set_value = fake_set_value,
	.release = fake_release,
	.free = fake_free,
};

struct mc_gpio *mc_gpio_fake_new(bool auto_chips, struct mc_gpio_fake **fake)
{
	struct mc_gpio_fake *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	pthread_mutex_init(&f->mu, NULL);
	f->auto_chips = auto_chips;
	*fake = f;
	return mc_gpio_new(&fake_ops, f);
}

static void add_fail(struct mc_gpio_fake *f, const char *chip, int offset, int err, bool once, bool on_set)
{
	struct ffail *x;

	pthread_mutex_lock(&f->mu);
	x = fail_find(f, chip, offset, on_set);
	if (!x && err) {
		x = calloc(1, sizeof(*x));
		if (x) {
			snprintf(x->chip, sizeof(x->chip), "%s", chip);
			x->offset = offset;
			x->on_set = on_set;
			x->next = f->fails;
			f->fails = x;
		}
	}
	if (x) {
		x->err = err;
		x->once = once;
	}
	pthread_mutex_unlock(&f->mu);
}

void mc_gpio_fake_fail_request(struct mc_gpio_fake *f, const char *chip, int offset, int err, bool once)
{
	add_fail(f, chip, offset, err, once, false);
}

void mc_gpio_fake_fail_set(struct mc_gpio_fake *f, const char *chip, int offset, int err)
{
	add_fail(f, chip, offset, err, false, true);
}

static struct fline *line_find(struct mc_gpio_fake *f, const char *chip, int offset)
{
	for (struct fline *fl = f->lines; fl; fl = fl->next)
		if (fl->offset == offset && !strcmp(fl->chip, chip))
			return fl;
	return NULL;
}

int mc_gpio_fake_drive(struct mc_gpio_fake *f, const char *chip, int offset, int level, int64_t t_ns)
{
	struct fline *fl;
	int rc = 0;

	pthread_mutex_lock(&f->mu);
	fl = line_find(f, chip, offset);
	if (!fl || fl->output) {
		errno = ENOENT;
		rc = -1;
		goto out;
	}
	level = level ? 1 : 0;
	if (level == fl->level)
		goto out;
	fl->level = level;
	if (fl->nev == MAX_EVENTS) {
		/* The kernel's queue overflows the same way: oldest kept. */
		goto out;
	}
	fl->ev[fl->nev].value = level ^ fl->active_low;
	fl->ev[fl->nev].ts_ns = t_ns ? t_ns : mc_gpio_now_ns();
	fl->nev++;
	uint64_t one = 1;
	if (write(fl->efd, &one, sizeof(one)) < 0)
		rc = -1;
out:
	pthread_mutex_unlock(&f->mu);
	return rc;
}

int mc_gpio_fake_level(struct mc_gpio_fake *f, const char *chip, int offset)
{
	struct fline *fl;
	int v;

	pthread_mutex_lock(&f->mu);
	fl = line_find(f, chip, offset);
	v = fl ? fl->level : -1;
	pthread_mutex_unlock(&f->mu);
	return v;
}

bool mc_gpio_fake_requested(struct mc_gpio_fake *f, const char *chip, int offset)
{
	return mc_gpio_fake_level(f, chip, offset) >= 0;
}

struct mc_gpio_fake_change *mc_gpio_fake_changes(struct mc_gpio_fake *f, size_t *n)
{
	struct mc_gpio_fake_change *copy = NULL;

	pthread_mutex_lock(&f->mu);
	*n = 0;
	if (f->nrec) {
		copy = malloc(f->nrec * sizeof(*copy));
		if (copy) {
			memcpy(copy, f->rec, f->nrec * sizeof(*copy));
			*n = f->nrec;
		}
	}
	pthread_mutex_unlock(&f->mu);
	return copy;
}

void mc_gpio_fake_clear(struct mc_gpio_fake *f)
{
	pthread_mutex_lock(&f->mu);
	f->nrec = 0;
	pthread_mutex_unlock(&f->mu);
}
