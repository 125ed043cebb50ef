/* display.c — display boards on GPIO: state, blinking, and the worker that
 * plays encoded frames (see display.h). */
#include "display.h"
#include "gpio.h"
#include "loop.h"
#include "max7219.h"
#include "tm1637.h"
#include "worker.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One frame to play, and what came of it. */
struct frame {
	struct mc_display *d;    /* board */
	struct mc_wave wave;     /* steps */
	int err;                 /* errno of a failed set, 0 = played */
	char bad_line[72];       /* the line that failed */
};

struct mc_display {
	struct mc_loop *loop;    /* owner of the blink timer */
	enum mc_display_kind kind; /* chip */
	struct mc_gpio_line *lines[3]; /* CLK,DIO or DIN,CLK,LOAD */
	int nlines;
	int brightness;          /* chip units */
	int blink_ms;            /* blink half-period */
	struct mc_worker *worker; /* plays frames */
	char text[16];           /* asked-for text */
	bool paused;             /* asked-for mark */
	bool on;                 /* asked-for on/off (blink phase) */
	bool full;               /* digits changed since the last frame sent */
	bool dirty;              /* state not yet sent */
	bool inflight;           /* a frame is with the worker */
	int toggles;             /* blink half-periods left */
	long long blink_timer;   /* loop timer id (0: none) */
	bool blink_due;          /* a phase came while a frame was playing */
	uint64_t frames;         /* frames played */
	bool failed;             /* the last frame failed */
	mc_display_fault_fn on_fault; /* told when failed changes */
	void *fault_ctx;         /* its context */
	char why[160];           /* why */
};

const char *mc_display_kind_name(enum mc_display_kind kind)
{
	return kind == MC_DISPLAY_TM1637 ? "tm1637" : kind == MC_DISPLAY_MAX7219 ? "max7219" : "none";
}

/* Waits until deadline (monotonic ns): spins for short waits, which are all
 * a bit-banged frame has, so that the datasheet minimums are met without
 * sleeping far longer. */
static void wait_until(int64_t deadline)
{
	int64_t now;

	while ((now = mc_gpio_now_ns()) < deadline) {
		if (deadline - now > 200000) {
			struct timespec ts = { 0, (long)(deadline - now - 100000) };
			nanosleep(&ts, NULL);
		}
	}
}

static void run_frame(void *p)
{
	struct frame *f = p;
	struct mc_display *d = f->d;
	int64_t next = 0;

	for (size_t i = 0; i < f->wave.n; i++) {
		const struct mc_wave_step *s = &f->wave.steps[i];
		wait_until(next);
		if (mc_gpio_line_set(d->lines[s->pin], s->level) < 0) {
			f->err = errno ? errno : EIO;
			snprintf(f->bad_line, sizeof(f->bad_line), "%s", mc_gpio_line_name(d->lines[s->pin]));
			return;
		}
		next = mc_gpio_now_ns() + s->hold_ns;
	}
	wait_until(next);
}

static void sync_board(struct mc_display *d);
static void blink_step(struct mc_display *d);

static void done_frame(void *p, void *ctx)
{
	struct frame *f = p;
	struct mc_display *d = f->d;
	bool was = d->failed;

	(void)ctx;
	d->inflight = false;
	if (f->err) {
		if (!d->failed)
			d->full = true;  /* rewrite everything once it works again */
		d->failed = true;
		snprintf(d->why, sizeof(d->why), "%s display: GPIO line %s: %s", mc_display_kind_name(d->kind),
			 f->bad_line, strerror(f->err));
	} else {
		d->failed = false;
		d->why[0] = 0;
		d->frames++;
	}
	free(f);
	if (was != d->failed && d->on_fault && d->worker)
		d->on_fault(d->fault_ctx, d, d->failed);
	if (d->blink_due && d->worker) {
		d->blink_due = false;
		blink_step(d);
	}
	if (d->worker)
		sync_board(d);
}

void mc_display_on_fault(struct mc_display *d, mc_display_fault_fn fn, void *ctx)
{
	d->on_fault = fn;
	d->fault_ctx = ctx;
}

/* Sends the current state if it is not on the board and nothing is in flight. */
static void sync_board(struct mc_display *d)
{
	struct frame *f;

	if (!d->dirty || d->inflight || !d->worker)
		return;
	f = malloc(sizeof(*f));
	if (!f)
		return;
	f->d = d;
	f->wave.n = 0;
	f->wave.overflow = false;
	f->err = 0;
	if (d->kind == MC_DISPLAY_TM1637) {
		uint8_t seg[MC_TM1637_DIGITS];
		mc_tm1637_segments(d->text, d->paused, seg);
		if (d->full)
			mc_tm1637_encode(&f->wave, seg, d->brightness, d->on);
		else
			mc_tm1637_encode_control(&f->wave, d->brightness, d->on);
	} else {
		uint8_t seg[MC_MAX7219_DIGITS];
		mc_max7219_segments(d->text, d->paused, seg);
		if (d->full)
			mc_max7219_encode(&f->wave, seg, d->brightness, d->on);
		else
			mc_max7219_encode_frame(&f->wave, 0x0C, d->on ? 1 : 0);
	}
	d->dirty = false;
	d->full = false;
	d->inflight = true;
	if (mc_worker_submit(d->worker, f, run_frame, done_frame, NULL) < 0) {
		d->inflight = false;
		d->dirty = true;
		free(f);
	}
}

static int64_t on_blink(struct mc_loop *loop, long long id, void *ctx);

/* The next blink phase goes to the board; the timer for the one after it
 * starts now, so every phase is shown for a whole half-period. */
static void blink_step(struct mc_display *d)
{
	d->on = !d->on;
	d->dirty = true;
	if (--d->toggles <= 0)
		d->on = true;
	sync_board(d);
	if (d->toggles > 0 && d->loop && !d->blink_timer) {
		d->blink_timer = mc_loop_add_timer(d->loop, d->blink_ms, on_blink, d);
		if (d->blink_timer < 0)
			d->blink_timer = 0;
	}
}

/* A phase that falls while a frame is still being sent waits for that
 * frame (done_frame plays it): a slow board blinks slower, but shows every
 * off and on instead of merging two phases into one frame. */
static int64_t on_blink(struct mc_loop *loop, long long id, void *ctx)
{
	struct mc_display *d = ctx;

	(void)loop;
	(void)id;
	d->blink_timer = 0;
	if (d->inflight)
		d->blink_due = true;
	else
		blink_step(d);
	return -1;
}

void mc_display_show(struct mc_display *d, const char *text, bool paused, int blinks)
{
	if (strcmp(d->text, text) || d->paused != paused)
		d->full = true;
	snprintf(d->text, sizeof(d->text), "%s", text);
	d->paused = paused;
	if (blinks > 0 && d->loop) {
		if (d->blink_timer)
			mc_loop_del_timer(d->loop, d->blink_timer);
		/* Off first, then on: blinks off/on pairs ending on. */
		d->on = true;
		d->toggles = 2 * blinks;
		d->blink_due = false;
		d->blink_timer = mc_loop_add_timer(d->loop, d->blink_ms, on_blink, d);
		if (d->blink_timer < 0)
			d->blink_timer = 0;
	} else if (d->toggles <= 0) {
		d->on = true;
	}
	d->dirty = d->dirty || d->full || blinks > 0;
	sync_board(d);
}

struct mc_display *mc_display_new(struct mc_gpio *gpio, enum mc_display_kind kind,
				  const struct mc_gpio_lines_conf *lines, int blink_ms,
				  char *err, size_t errlen)
{
	struct mc_display *d = calloc(1, sizeof(*d));
	int want = kind == MC_DISPLAY_TM1637 ? 2 : 3;

	if (!d) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (lines->n != want) {
		snprintf(err, errlen, "%s display needs %d lines, %d given", mc_display_kind_name(kind), want,
			 lines->n);
		free(d);
		return NULL;
	}
	d->kind = kind;
	d->blink_ms = blink_ms;
	d->brightness = lines->brightness >= 0 ? lines->brightness : kind == MC_DISPLAY_TM1637 ? 4 : 8;
	for (int i = 0; i < want; i++) {
		struct mc_gpio_req req = {
			.consumer = "motcua-display", .dir = MC_GPIO_OUT, .active_low = lines->active_low,
			/* TM1637's DIO is the chip's acknowledge line too: never drive it high. */
			.open_drain = kind == MC_DISPLAY_TM1637 && i == MC_TM1637_DIO,
			/* Idle levels: TM1637 both high; MAX7219 CLK low, LOAD high. */
			.initial = kind == MC_DISPLAY_TM1637 ? 1 : i == MC_MAX7219_LOAD,
		};
		d->lines[i] = mc_gpio_request(gpio, &lines->lines[i], &req, err, errlen);
		if (!d->lines[i])
			goto err_release;
		d->nlines++;
	}
	d->on = true;
	d->full = true;
	d->dirty = true;
	return d;

err_release:
	for (int i = 0; i < d->nlines; i++)
		mc_gpio_line_release(d->lines[i]);
	free(d);
	return NULL;
}

int mc_display_start(struct mc_display *d, struct mc_loop *loop)
{
	d->loop = loop;
	d->worker = mc_worker_new(loop, "gpio-display");
	if (!d->worker)
		return -1;
	sync_board(d);
	return 0;
}

void mc_display_free(struct mc_display *d)
{
	struct mc_worker *w;

	if (!d)
		return;
	if (d->blink_timer && d->loop)
		mc_loop_del_timer(d->loop, d->blink_timer);
	w = d->worker;
	d->worker = NULL;
	mc_worker_free(w);
	for (int i = 0; i < d->nlines; i++)
		mc_gpio_line_release(d->lines[i]);
	free(d);
}

const char *mc_display_text(const struct mc_display *d) { return d->text; }
bool mc_display_paused(const struct mc_display *d) { return d->paused; }
uint64_t mc_display_frames(const struct mc_display *d) { return d->frames; }
int mc_display_busy(const struct mc_display *d) { return d->inflight + d->dirty; }
bool mc_display_blinking(const struct mc_display *d) { return d->toggles > 0; }

bool mc_display_failed(const struct mc_display *d, const char **why)
{
	if (why)
		*why = d->why;
	return d->failed;
}
