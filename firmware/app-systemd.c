/* app-systemd.c — kioskd under systemd: READY=1, watchdog pings from the
 * event loop, and a STATUS= line with the queue's state (see app-systemd.h). */
#include "app-systemd.h"
#include "app.h"
#include "services.h"
#include "ctl.h"
#include "log.h"
#include "loop.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>

/* The systemd output's state. */
struct sysd {
	struct mc_app *app;      /* whose queue STATUS describes */
	long long wd_timer;      /* watchdog timer id, 0 when none */
	int64_t wd_ms;           /* ping interval (half of WATCHDOG_USEC) */
	char status[160];        /* last STATUS= text sent */
};

/* The STATUS= text for the queue as it is now. */
static void status_text(struct sysd *s, char *buf, size_t len)
{
	const struct mc_engine *e = mc_app_engine(s->app);
	struct mc_when w;

	mc_app_now(s->app, &w);
	bool open = mc_engine_is_open(e, &w, NULL, NULL);
	int waiting = mc_engine_waiting(e, -1);
	bool paused = mc_engine_issuing_paused(e);
	enum mc_err clock = mc_engine_clock(e);
	if (clock != MC_OK) {
		/* The clock's notice first: it is why nothing is issued. */
		snprintf(buf, len, "%s, %d đang chờ (%s, %d waiting)", mc_err_message(clock, "vi"), waiting,
			 mc_err_message(clock, "en"), waiting);
		return;
	}
	snprintf(buf, len, "%s, %d đang chờ%s (%s, %d waiting%s)",
		 open ? "Đang mở cửa" : "Đóng cửa", waiting, paused ? ", tạm dừng cấp số" : "",
		 open ? "open" : "closed", waiting, paused ? ", issuing paused" : "");
}

/* Sends STATUS= if the text changed since the last one. */
static void send_status(struct sysd *s)
{
	char text[sizeof(s->status)];

	status_text(s, text, sizeof(text));
	if (!strcmp(text, s->status))
		return;
	snprintf(s->status, sizeof(s->status), "%s", text);
	sd_notifyf(0, "STATUS=%s", text);
}

static void changed(void *priv) { send_status(priv); }

/* A watchdog ping: runs only when the loop runs, so a stuck loop stops
 * pinging. The opening hours change STATUS with time, refreshed here too. */
static int64_t on_watchdog(struct mc_loop *loop, long long id, void *ctx)
{
	struct sysd *s = ctx;

	(void)loop;
	(void)id;
	sd_notify(0, "WATCHDOG=1");
	send_status(s);
	return s->wd_ms;
}

static void status(void *priv, json_t *obj)
{
	struct sysd *s = priv;

	json_object_set_new(obj, "systemd", json_pack("{s:s, s:s, s:I}", "state",
		sd_booted() > 0 ? "booted" : "absent", "text", s->status,
		"watchdog_ms", (json_int_t)s->wd_ms));
}

static void release(void *priv)
{
	struct sysd *s = priv;

	sd_notify(0, "STOPPING=1\nSTATUS=Đang dừng (stopping)");
	mc_loop_del_timer(mc_app_loop(s->app), s->wd_timer);
	free(s);
}

static const struct mc_output_ops sysd_ops = {
	.name = "systemd",
	.changed = changed,
	.status = status,
	.free = release,
};

/* TEST HOOK, registered only with MOTCUA_TEST_HOOKS=1: blocks the event
 * loop for "ms" milliseconds, so tests can see a stuck loop stop the
 * watchdog pings. Never use it on a kiosk. */
static enum mc_ctl_result cmd_test_stall(void *ctx, json_t *req, json_t *resp, uint64_t client)
{
	json_t *ms = json_object_get(req, "ms");

	(void)ctx;
	(void)client;
	if (!json_is_integer(ms) || json_integer_value(ms) < 0 || json_integer_value(ms) > 600000)
		return mc_ctl_error(resp, "bad_request", "test-stall needs an integer \"ms\" 0..600000");
	json_int_t left = json_integer_value(ms);
	mc_log(MC_LOG_WARNING, "TEST HOOK: stalling the event loop for %lld ms", (long long)left);
	struct timespec ts = { .tv_sec = left / 1000, .tv_nsec = (left % 1000) * 1000000 };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	return MC_CTL_OK;
}

int mc_app_add_systemd(struct mc_app *app)
{
	struct sysd *s = calloc(1, sizeof(*s));
	uint64_t usec = 0;

	if (!s)
		return -1;
	s->app = app;
	if (sd_watchdog_enabled(0, &usec) > 0 && usec >= 2000) {
		s->wd_ms = (int64_t)(usec / 2000);
		s->wd_timer = mc_loop_add_timer(mc_app_loop(app), s->wd_ms, on_watchdog, s);
		if (s->wd_timer < 0)
			goto err_free;
		mc_log(MC_LOG_INFO, "systemd watchdog: a ping every %lld ms", (long long)s->wd_ms);
	}
	if (mc_app_add_output(app, &sysd_ops, s) < 0)
		goto err_timer;
	const char *hooks = getenv("MOTCUA_TEST_HOOKS");
	if (hooks && !strcmp(hooks, "1")) {
		mc_log(MC_LOG_WARNING, "TEST HOOKS enabled (MOTCUA_TEST_HOOKS=1): not for a kiosk");
		mc_ctl_register(mc_app_ctl(app), "test-stall", "TEST HOOK: block the loop for ms",
				cmd_test_stall, app);
	}
	status_text(s, s->status, sizeof(s->status));
	sd_notifyf(0, "READY=1\nSTATUS=%s", s->status);
	return 0;

err_timer:
	mc_loop_del_timer(mc_app_loop(app), s->wd_timer);
err_free:
	free(s);
	return -1;
}

/* Last in the table: READY=1 once the store is open and the drivers are up. */
static int service_start(struct mc_app *app, void *priv, char *err, size_t errlen)
{
	(void)priv;
	if (mc_app_add_systemd(app) == 0)
		return 0;
	snprintf(err, errlen, "cannot set up the systemd and update hooks");
	return -1;
}

const struct mc_service mc_service_systemd = {
	.name = "systemd",
	.start = service_start,
	.exit_code = 1,
};
