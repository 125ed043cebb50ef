/* app-clock.c — kioskd's clock service (see app-clock.h). */
#include "app-clock.h"
#include "app.h"
#include "clock-trust.h"
#include "log.h"
#include "loop.h"
#include "smallfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define TEN_YEARS_S (10LL * 366 * 24 * 3600)
#define CLOCK_FILE_MAX 1024 /* STATE/clock is four short lines; more is not ours */

struct mc_app_clock {
	struct mc_app *app;
	struct mc_loop *loop;
	const struct mc_config *cfg;
	struct mc_dayclock dc;          /* the day logic's state */
	struct mc_dayclock_conf k;      /* its thresholds */
	struct mc_clock_trust trust;    /* who vouches for the clock */
	bool sim;                       /* --sim: trusted */
	int wake_fd;                    /* eventfd the trust source writes */
	int set_fd;                     /* timerfd told when CLOCK_REALTIME is set */
	long long settle_timer;         /* due when a pending step has held */
	char boot_id[40];               /* this boot's id, as the kernel writes it */
	bool confirmed;                 /* a technician confirmed the clock this boot */
	char confirmed_boot[40];        /* boot of the saved confirmation */
	char path[512];                 /* STATE_DIR/clock */
	char why[160];                  /* the trust source's last words */
	int64_t wall_ms;                /* wall clock at the last check */
	int32_t wall_day;               /* its local day */
	/* What the state file holds, to write it only when it matters. */
	int32_t saved_day;
	int64_t saved_offset;
	bool saved_ref;
	bool restore_ref;               /* dc.ref_boot is set at the first check */
	bool checked;                   /* the first check ran (and was logged) */
};

enum mc_err mc_clock_state_err(enum mc_clock_state s)
{
	static const enum mc_err errs[] = { MC_OK, MC_E_CLOCK_UNTRUSTED, MC_E_CLOCK_SETTLING,
					    MC_E_CLOCK_BEHIND };
	return errs[s];
}

/* ---- the state file ---------------------------------------------------- */

static void read_boot_id(char *buf, size_t len)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");

	buf[0] = 0;
	if (f) {
		if (!fgets(buf, (int)len, f))
			buf[0] = 0;
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = 0;
	if (!buf[0])
		snprintf(buf, len, "unknown");
}

/* Reads STATE_DIR/clock; a missing or odd file leaves the defaults.
 * *day is the database's day (0: a new database): the file's day is taken
 * only when the database has none. The database holds every ticket of its
 * day, so its day is the one numbering must go on from; a later day in
 * the file is either a rollover whose commit never happened (nothing was
 * issued on it) or a wrong file (a copy from another kiosk, a hand edit,
 * garbage), which would expire the whole queue and refuse every press as
 * "the clock went back" until that day came. */
static void load_state(struct mc_app_clock *c, int32_t *day)
{
	char text[CLOCK_FILE_MAX], key[32], val[64], boot[40] = "";
	long long offset = 0;
	bool have_offset = false;

	if (mc_read_small_file(c->path, text, sizeof(text)) < 0) {
		if (errno != ENOENT)
			mc_log(MC_LOG_WARNING, "clock: cannot read %s: %s", c->path,
			       errno == EINVAL ? "not a regular file" : strerror(errno));
		return;
	}
	for (char *line = text, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		if (strlen(line) > 120 || sscanf(line, "%31s %63s", key, val) != 2)
			continue; /* not a line kioskd writes */
		if (!strcmp(key, "day")) {
			int32_t d;
			if (mc_parse_day(val, &d) < 0 || d <= *day)
				continue;
			if (*day) {
				char was[16];
				mc_format_day(*day, was, sizeof(was));
				mc_log(MC_LOG_WARNING, "clock: %s says the office day is %s, later than the "
				       "database's %s: the database's day is kept", c->path, val, was);
			} else {
				*day = d;
			}
		} else if (!strcmp(key, "boot")) {
			snprintf(boot, sizeof(boot), "%s", val);
		} else if (!strcmp(key, "offset")) {
			have_offset = sscanf(val, "%lld", &offset) == 1;
		} else if (!strcmp(key, "confirmed")) {
			snprintf(c->confirmed_boot, sizeof(c->confirmed_boot), "%s", val);
		}
	}
	c->confirmed = !strcmp(c->confirmed_boot, c->boot_id);
	if (have_offset && !strcmp(boot, c->boot_id)) {
		/* Same boot: the reference still holds, so a step made while
		 * kioskd was down is still a step. */
		c->saved_ref = true;
		c->saved_offset = offset;
	}
}

/* Replaces STATE_DIR/clock (write, fsync, rename). */
static int save_state(struct mc_app_clock *c)
{
	char tmp[520], day[16];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.new", c->path);
	f = fopen(tmp, "w");
	if (!f)
		goto err;
	mc_format_day(c->dc.day, day, sizeof(day));
	fprintf(f, "# kioskd's clock state: the last trusted office day, the clock reference, the confirmed boot\n");
	if (c->dc.day)
		fprintf(f, "day %s\n", day);
	if (c->dc.have_ref)
		fprintf(f, "boot %s\noffset %lld\n", c->boot_id, (long long)c->dc.ref_offset);
	if (c->confirmed_boot[0])
		fprintf(f, "confirmed %s\n", c->confirmed_boot);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		fclose(f);
		goto err_unlink;
	}
	if (fclose(f) != 0 || rename(tmp, c->path) != 0)
		goto err_unlink;
	c->saved_day = c->dc.day;
	c->saved_offset = c->dc.ref_offset;
	c->saved_ref = c->dc.have_ref;
	return 0;
err_unlink:
	unlink(tmp);
err:
	mc_log(MC_LOG_ERR, "clock: cannot save %s: %s", c->path, strerror(errno));
	return -1;
}

/* ---- wake-ups ---------------------------------------------------------- */

/* Arms the timerfd so that any setting of CLOCK_REALTIME cancels it. The
 * expiry itself is far away: midnight comes through the app's day timer,
 * which runs on the monotonic clock. */
static void arm_set_fd(struct mc_app_clock *c)
{
	struct itimerspec its = { .it_value = { .tv_sec = time(NULL) + TEN_YEARS_S } };

	if (timerfd_settime(c->set_fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &its, NULL) < 0)
		mc_log(MC_LOG_WARNING, "clock: cannot watch for clock changes: %s", strerror(errno));
}

static void on_set(struct mc_loop *loop, int fd, int mask, void *ctx)
{
	struct mc_app_clock *c = ctx;
	uint64_t n;

	(void)loop;
	(void)mask;
	if (read(fd, &n, sizeof(n)) < 0 && errno == ECANCELED)
		mc_log(MC_LOG_NOTICE, "clock: the system clock was set");
	arm_set_fd(c);
	mc_app_clock_changed(c->app);
}

static void on_wake(struct mc_loop *loop, int fd, int mask, void *ctx)
{
	struct mc_app_clock *c = ctx;
	uint64_t n;

	(void)loop;
	(void)mask;
	if (read(fd, &n, sizeof(n)) < 0) {
		/* spurious: nothing to read */
	}
	mc_app_clock_changed(c->app);
}

static int64_t on_settle(struct mc_loop *loop, long long id, void *ctx)
{
	struct mc_app_clock *c = ctx;

	(void)loop;
	(void)id;
	c->settle_timer = 0;
	mc_app_clock_changed(c->app);
	return -1;
}

/* ---- checking ---------------------------------------------------------- */

static void log_state(struct mc_app_clock *c, enum mc_clock_state old)
{
	char day[16];

	mc_format_day(c->dc.day, day, sizeof(day));
	switch (c->dc.state) {
	case MC_CLOCK_OK:
		mc_log(MC_LOG_NOTICE, "clock: trusted (%s), office day %s: issuing",
		       c->confirmed ? "confirmed by a technician" : c->why, day);
		break;
	case MC_CLOCK_UNTRUSTED:
		mc_log(MC_LOG_WARNING, "clock: not trusted yet (%s): no tickets until it is synchronised or a "
		       "technician confirms it (kioskctl clock confirm)", c->why);
		break;
	case MC_CLOCK_SETTLING:
		mc_log(MC_LOG_WARNING, "clock: stepped %+lld s into a later day: issuing paused until it has "
		       "held %d s", (long long)(c->dc.last_step_ms / 1000), c->cfg->office.clock_settle_s);
		break;
	case MC_CLOCK_BEHIND:
		mc_log(MC_LOG_WARNING, "clock: the wall clock is on a day before the office day %s: the day does "
		       "not move back; issuing paused until the clock reaches it", day);
		break;
	}
	(void)old;
}

enum mc_clock_state mc_app_clock_check(struct mc_app_clock *c, struct mc_when *w)
{
	enum mc_clock_state old = c->dc.state;
	int64_t old_step = c->dc.last_step_ms;
	char why[sizeof(c->why)];

	if (c->restore_ref) {
		c->dc.ref_boot = w->boot;
		c->restore_ref = false;
	}
	bool trusted = mc_clock_trust_trusted(&c->trust, why, sizeof(why));
	memcpy(c->why, why, sizeof(why));
	struct mc_dayclock_obs o = {
		.wall_ms = w->wall_ms, .mono_ms = w->mono_ms, .boot = w->boot,
		.wall_day = w->day, .trusted = trusted || c->confirmed,
	};
	c->wall_ms = w->wall_ms;
	c->wall_day = w->day;
	enum mc_clock_state st = mc_dayclock_observe(&c->dc, &c->k, &o);
	if (c->dc.day)
		w->day = c->dc.day;
	if (st != old || c->dc.last_step_ms != old_step) {
		if (c->dc.last_step_ms != old_step && st != MC_CLOCK_SETTLING)
			mc_log(MC_LOG_NOTICE, "clock: stepped %+lld s", (long long)(c->dc.last_step_ms / 1000));
		if (st != old)
			log_state(c, old);
	} else if (!c->checked) {
		log_state(c, old);
	}
	c->checked = true;
	/* Save what a restart needs: a new day, a new reference (not every
	 * slow slew of NTP: a quarter of a step). */
	int64_t drift = c->dc.ref_offset - c->saved_offset;
	if (c->dc.day != c->saved_day || c->dc.have_ref != c->saved_ref ||
	    (c->dc.have_ref && (drift > c->k.step_ms / 4 || drift < -c->k.step_ms / 4)))
		save_state(c);
	int64_t left = mc_dayclock_settle_left(&c->dc, &c->k, w->mono_ms);
	if (left >= 0 && !c->settle_timer)
		c->settle_timer = mc_loop_add_timer(c->loop, left + 1, on_settle, c);
	return st;
}

int32_t mc_app_clock_day(const struct mc_app_clock *c) { return c->dc.day; }
enum mc_clock_state mc_app_clock_state(const struct mc_app_clock *c) { return c->dc.state; }

int mc_app_clock_confirm(struct mc_app_clock *c, char *err, size_t errlen)
{
	char old[sizeof(c->confirmed_boot)];

	memcpy(old, c->confirmed_boot, sizeof(old));
	snprintf(c->confirmed_boot, sizeof(c->confirmed_boot), "%s", c->boot_id);
	if (save_state(c) < 0) {
		memcpy(c->confirmed_boot, old, sizeof(old));
		snprintf(err, errlen, "cannot save %s: %s", c->path, strerror(errno));
		return -1;
	}
	if (!c->confirmed)
		mc_log(MC_LOG_NOTICE, "clock: confirmed by a technician for this boot (%s)", c->boot_id);
	c->confirmed = true;
	return 0;
}

void mc_app_clock_status(struct mc_app_clock *c, json_t *obj)
{
	char day[16] = "", wall_day[16] = "";
	enum mc_clock_state st = c->dc.state;
	enum mc_err e = mc_clock_state_err(st);
	json_t *o;

	if (c->dc.day)
		mc_format_day(c->dc.day, day, sizeof(day));
	mc_format_day(c->wall_day, wall_day, sizeof(wall_day));
	o = json_pack("{s:s, s:s, s:b, s:s, s:b, s:s, s:s, s:I, s:i, s:i, s:I}",
		      "mode", c->sim ? "trust" : mc_clock_mode_name(c->cfg->office.clock),
		      "state", mc_clock_state_name(st), "trusted", st != MC_CLOCK_UNTRUSTED,
		      "source", c->why, "confirmed", c->confirmed, "day", day, "wall_day", wall_day,
		      "wall_ms", (json_int_t)c->wall_ms, "step_s", c->cfg->office.clock_step_s,
		      "settle_s", c->cfg->office.clock_settle_s,
		      "last_step_s", (json_int_t)(c->dc.last_step_ms / 1000));
	if (st == MC_CLOCK_SETTLING) {
		int64_t left = mc_dayclock_settle_left(&c->dc, &c->k, mc_mono_ms());
		json_object_set_new(o, "settle_left_s", json_integer((left + 999) / 1000));
	}
	if (e != MC_OK) {
		json_object_set_new(o, "notice", json_string(mc_err_message(e, "vi")));
		json_object_set_new(o, "notice_en", json_string(mc_err_message(e, "en")));
	}
	json_object_set_new(obj, "clock", o);
}

/* ---- life -------------------------------------------------------------- */

struct mc_app_clock *mc_app_clock_new(struct mc_app *app, int32_t day, char *err, size_t errlen)
{
	struct mc_app_clock *c = calloc(1, sizeof(*c));

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->app = app;
	c->loop = mc_app_loop(app);
	c->cfg = mc_app_config(app);
	c->sim = mc_app_sim(app);
	c->wake_fd = c->set_fd = -1;
	c->k.step_ms = (int64_t)c->cfg->office.clock_step_s * 1000;
	c->k.settle_ms = (int64_t)c->cfg->office.clock_settle_s * 1000;
	read_boot_id(c->boot_id, sizeof(c->boot_id));
	snprintf(c->path, sizeof(c->path), "%s/clock", mc_app_state_dir(app));
	load_state(c, &day);
	mc_dayclock_init(&c->dc, day);
	if (c->saved_ref) {
		/* The reference of this boot: restored, not re-taken (its boot
		 * number is the app's, known at the first look). */
		c->dc.have_ref = true;
		c->dc.ref_offset = c->saved_offset;
		c->restore_ref = true;
	}
	c->saved_day = day;
	if (mc_clock_trust_open(&c->trust, c->cfg->office.clock, c->sim, err, errlen) < 0)
		goto err_free;
	if (c->trust.ops == NULL)
		goto err_free;
	if (!strcmp(c->trust.ops->name, "file"))
		mc_log(MC_LOG_WARNING, "clock: trust comes from the TEST source MC_CLOCK_TRUST_FILE, not from NTP");
	c->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	c->set_fd = timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC | TFD_NONBLOCK);
	if (c->wake_fd < 0 || c->set_fd < 0) {
		snprintf(err, errlen, "clock: %s", strerror(errno));
		goto err_close;
	}
	arm_set_fd(c);
	if (mc_loop_add_fd(c->loop, c->wake_fd, MC_READ, on_wake, c) < 0 ||
	    mc_loop_add_fd(c->loop, c->set_fd, MC_READ, on_set, c) < 0) {
		snprintf(err, errlen, "clock: %s", strerror(errno));
		goto err_close;
	}
	if (mc_clock_trust_start(&c->trust, c->wake_fd, err, errlen) < 0)
		goto err_close;
	return c;

err_close:
	mc_app_clock_free(c);
	return NULL;
err_free:
	free(c);
	return NULL;
}

void mc_app_clock_free(struct mc_app_clock *c)
{
	if (!c)
		return;
	mc_clock_trust_close(&c->trust);
	if (c->settle_timer)
		mc_loop_del_timer(c->loop, c->settle_timer);
	if (c->wake_fd >= 0) {
		mc_loop_del_fd(c->loop, c->wake_fd);
		close(c->wake_fd);
	}
	if (c->set_fd >= 0) {
		mc_loop_del_fd(c->loop, c->set_fd);
		close(c->set_fd);
	}
	free(c);
}
