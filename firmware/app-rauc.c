/* app-rauc.c — after an update, kioskd tells RAUC the booted slot is good,
 * but only once its own health check passes; a slot never marked good is
 * left by the bootloader's one-shot try, so a broken update rolls back by
 * itself (see app-systemd.h). The D-Bus call runs on a worker thread. */
#include "app-systemd.h"
#include "app.h"
#include "log.h"
#include "loop.h"
#include "worker.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

#define RAUC_NAME "de.pengutronix.rauc"
#define HEALTH_RETRY_MS 2000   /* wait between health checks */
#define HEALTH_TRIES 30        /* checks before giving up */

/* Where marking the slot stands. */
enum mark_state {
	MARK_PENDING,    /* health check not passed yet */
	MARK_ASKING,     /* D-Bus call in flight */
	MARK_DONE,       /* RAUC marked the booted slot good */
	MARK_SKIPPED,    /* no bus or no RAUC service: nothing to mark */
	MARK_UNHEALTHY,  /* the health check never passed: left unmarked */
	MARK_FAILED,     /* RAUC refused or the call failed */
};

/* The RAUC output's state. */
struct rauc {
	struct mc_app *app;        /* whose health is checked */
	struct mc_worker *worker;  /* runs the blocking D-Bus call */
	long long timer;           /* health check timer, 0 when none */
	int tries;                 /* health checks done */
	enum mark_state state;
	char text[256];            /* for people: slot name, or why not */
};

/* One Mark call, filled on the worker thread. */
struct mark_job {
	enum mark_state result;    /* MARK_DONE, MARK_SKIPPED or MARK_FAILED */
	char text[256];            /* slot and RAUC's message, or the error */
};

/* True if RAUC owns its name on bus, or the bus can start it. */
static bool rauc_present(sd_bus *bus)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	int has = 0;

	if (sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
			       "org.freedesktop.DBus", "NameHasOwner", &e, &m, "s", RAUC_NAME) >= 0)
		sd_bus_message_read(m, "b", &has);
	m = sd_bus_message_unref(m);
	sd_bus_error_free(&e);
	if (has)
		return true;
	if (sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
			       "org.freedesktop.DBus", "ListActivatableNames", &e, &m, "") >= 0 &&
	    sd_bus_message_enter_container(m, 'a', "s") > 0) {
		const char *name;
		while (sd_bus_message_read(m, "s", &name) > 0)
			if (!strcmp(name, RAUC_NAME))
				has = 1;
	}
	sd_bus_message_unref(m);
	sd_bus_error_free(&e);
	return has;
}

static void run_mark(void *p)
{
	struct mark_job *j = p;
	sd_bus *bus = NULL;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	const char *slot = "", *msg = "";
	int r;

	r = sd_bus_open_system(&bus);
	if (r < 0) {
		j->result = MARK_SKIPPED;
		snprintf(j->text, sizeof(j->text), "no system D-Bus (%s)", strerror(-r));
		goto out;
	}
	if (!rauc_present(bus)) {
		j->result = MARK_SKIPPED;
		snprintf(j->text, sizeof(j->text), "no RAUC service on the bus");
		goto out;
	}
	r = sd_bus_call_method(bus, RAUC_NAME, "/", "de.pengutronix.rauc.Installer", "Mark", &e, &m,
			       "ss", "good", "booted");
	if (r < 0 || sd_bus_message_read(m, "ss", &slot, &msg) < 0) {
		j->result = MARK_FAILED;
		snprintf(j->text, sizeof(j->text), "RAUC Mark failed: %s",
			 e.message ? e.message : strerror(-r));
		goto out;
	}
	j->result = MARK_DONE;
	snprintf(j->text, sizeof(j->text), "slot %s: %s", slot, msg);
out:
	sd_bus_message_unref(m);
	sd_bus_error_free(&e);
	sd_bus_flush_close_unref(bus);
}

static void done_mark(void *p, void *ctx)
{
	struct mark_job *j = p;
	struct rauc *r = ctx;

	r->state = j->result;
	snprintf(r->text, sizeof(r->text), "%s", j->text);
	if (j->result == MARK_DONE)
		mc_log(MC_LOG_NOTICE, "health check passed; RAUC marked the booted slot good (%s)", j->text);
	else if (j->result == MARK_SKIPPED)
		mc_log(MC_LOG_DEBUG, "not marking a RAUC slot: %s", j->text);
	else
		mc_log(MC_LOG_ERR, "health check passed but marking the slot good failed: %s", j->text);
	free(j);
}

/* Device states that mean "has not answered yet". */
static bool unanswered(const char *state)
{
	static const char *const waiting[] = { "unknown", "starting", "probing", "connecting", "init" };

	if (!state)
		return true;
	for (size_t i = 0; i < sizeof(waiting) / sizeof(waiting[0]); i++)
		if (!strcmp(state, waiting[i]))
			return true;
	return false;
}

/* kioskd's health: it runs on the loop (so the store opened and the loop
 * runs); every device object in the status has answered or is absent.
 * Fills why with the first device that has not. */
static bool healthy(struct rauc *r, char *why, size_t len)
{
	json_t *st = json_object();
	const char *key;
	json_t *v;
	bool ok = true;

	mc_app_status(r->app, st);
	json_object_foreach(st, key, v) {
		if (!json_is_object(v) || !strcmp(key, "update") || !strcmp(key, "systemd"))
			continue;
		const char *state = json_string_value(json_object_get(v, "state"));
		if (unanswered(state)) {
			snprintf(why, len, "%s has not answered (state %s)", key, state ? state : "none");
			ok = false;
			break;
		}
	}
	json_decref(st);
	return ok;
}

static int64_t on_health(struct mc_loop *loop, long long id, void *ctx)
{
	struct rauc *r = ctx;
	char why[200];

	(void)loop;
	(void)id;
	r->tries++;
	if (!healthy(r, why, sizeof(why))) {
		snprintf(r->text, sizeof(r->text), "waiting: %s", why);
		if (r->tries < HEALTH_TRIES)
			return HEALTH_RETRY_MS;
		r->state = MARK_UNHEALTHY;
		r->timer = 0;
		mc_log(MC_LOG_ERR, "health check failed (%s): the booted slot is NOT marked good, "
		       "so the next reboot returns to the previous system", why);
		return -1;
	}
	r->timer = 0;
	struct mark_job *j = calloc(1, sizeof(*j));
	if (!j || mc_worker_submit(r->worker, j, run_mark, done_mark, r) < 0) {
		free(j);
		r->state = MARK_FAILED;
		snprintf(r->text, sizeof(r->text), "cannot start the D-Bus call: %s", strerror(errno));
		return -1;
	}
	r->state = MARK_ASKING;
	return -1;
}

static void status(void *priv, json_t *obj)
{
	struct rauc *r = priv;
	static const char *const names[] = { "pending", "asking", "marked-good", "skipped",
					     "unhealthy", "failed" };

	json_object_set_new(obj, "update", json_pack("{s:s, s:s}", "state", names[r->state],
						     "text", r->text));
}

static void release(void *priv)
{
	struct rauc *r = priv;

	mc_loop_del_timer(mc_app_loop(r->app), r->timer);
	mc_worker_free(r->worker);
	free(r);
}

static const struct mc_output_ops rauc_ops = {
	.name = "rauc",
	.status = status,
	.free = release,
};

int mc_app_add_rauc(struct mc_app *app, int delay_ms)
{
	struct rauc *r = calloc(1, sizeof(*r));
	const char *env = getenv("MOTCUA_HEALTH_DELAY_MS");

	if (!r)
		return -1;
	if (env && *env)
		delay_ms = atoi(env);
	if (delay_ms < 0)
		delay_ms = 0;
	r->app = app;
	snprintf(r->text, sizeof(r->text), "health check in %d ms", delay_ms);
	r->worker = mc_worker_new(mc_app_loop(app), "rauc-mark");
	if (!r->worker)
		goto err_free;
	r->timer = mc_loop_add_timer(mc_app_loop(app), delay_ms, on_health, r);
	if (r->timer < 0 || mc_app_add_output(app, &rauc_ops, r) < 0)
		goto err_worker;
	return 0;

err_worker:
	mc_loop_del_timer(mc_app_loop(app), r->timer);
	mc_worker_free(r->worker);
err_free:
	free(r);
	return -1;
}
