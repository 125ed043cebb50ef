/* app-rauc.c — after an update, kioskd tells RAUC the booted slot is good,
 * but only once its own health check passes; a slot never marked good is
 * left by the bootloader's one-shot try, so a broken update rolls back by
 * itself (see app-rauc.h). The D-Bus call runs on a worker thread. */
#include "app-rauc.h"
#include "app.h"
#include "services.h"
#include "ctl.h"
#include "log.h"
#include "loop.h"
#include "rauc-client.h"
#include "worker.h"

#include <errno.h>
#include <glob.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define HEALTH_RETRY_MS 2000   /* wait between health checks */
#define HEALTH_TRIES 30        /* checks before giving up */
#define MAX_BUNDLES 16         /* bundles reported by a search */

/* Where marking the slot stands. */
enum mark_state {
	MARK_PENDING,    /* health check not passed yet */
	MARK_ASKING,     /* D-Bus call in flight */
	MARK_DONE,       /* RAUC marked the booted slot good */
	MARK_SKIPPED,    /* no bus or no RAUC service: nothing to mark */
	MARK_UNHEALTHY,  /* the health check never passed: left unmarked */
	MARK_FAILED,     /* RAUC refused or the call failed */
};

/* The RAUC output's state (struct mc_rauc is the public name). */
struct rauc {
	struct mc_app *app;        /* whose health is checked */
	struct mc_worker *worker;  /* runs the blocking Mark call */
	struct mc_worker *io;      /* runs searches and installations */
	long long timer;           /* health check timer, 0 when none */
	int tries;                 /* health checks done */
	enum mark_state state;
	char text[256];            /* for people: slot name, or why not */

	/* The installation in progress (loop thread only, but for the
	 * progress fields, which the io thread writes under lock). */
	bool installing;
	mc_update_progress_fn progress;
	mc_update_done_fn done;
	void *ctx;
	int efd;                   /* io thread -> loop: progress changed */
	pthread_mutex_t lock;      /* guards pct, msg, fresh */
	int pct;
	char msg[256];
	bool fresh;                /* pct/msg not yet passed on */
};

/* One Mark call, filled on the worker thread. */
struct mark_job {
	enum mark_state result;    /* MARK_DONE, MARK_SKIPPED or MARK_FAILED */
	char text[256];            /* slot and RAUC's message, or the error */
};

static void run_mark(void *p)
{
	struct mark_job *j = p;
	char slot[64], msg[160], err[256];
	struct rauc_client *rc = rauc_client_open(err, sizeof(err));

	if (!rc) {
		/* No bus or no RAUC: not an A/B-updated system, nothing to mark. */
		j->result = MARK_SKIPPED;
		snprintf(j->text, sizeof(j->text), "%s", err);
		return;
	}
	if (rauc_client_mark(rc, "good", "booted", slot, sizeof(slot), msg, sizeof(msg), err, sizeof(err)) < 0) {
		j->result = MARK_FAILED;
		snprintf(j->text, sizeof(j->text), "%s", err);
	} else {
		j->result = MARK_DONE;
		snprintf(j->text, sizeof(j->text), "slot %s: %s", slot, msg);
	}
	rauc_client_free(rc);
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

	for (size_t i = 0; i < sizeof(waiting) / sizeof(waiting[0]); i++)
		if (!strcmp(state, waiting[i]))
			return true;
	return false;
}

/* kioskd's health: it runs on the loop (so the store opened and the loop
 * runs); every device object in the status has answered or is absent:
 * - no device is in a "not answered yet" state;
 * - a configured printer has reported a state through mc_app_set_printer
 *   (its text is set; the engine starts it "ready" before anyone asked),
 *   unless the hardware is simulated;
 * - a polling device (the counter bus) has finished a round, or its port
 *   is known to be down.
 * Fills why with the first device that has not answered. */
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
		const char *text = json_string_value(json_object_get(v, "text"));
		json_t *rounds = json_object_get(v, "rounds");
		if (!state)
			continue;  /* not a device with a state (e.g. GPIO's line list) */
		if (unanswered(state) ||
		    (!strcmp(key, "printer") && strcmp(state, "absent") && (!text || !*text) &&
		     !mc_app_sim(r->app)) ||
		    (json_is_integer(rounds) && json_integer_value(rounds) == 0 && strcmp(state, "down"))) {
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

/* ---- finding bundles on USB sticks ------------------------------------ */

/* One search, filled on the io thread. */
struct find_job {
	struct rauc *r;
	mc_bundles_fn done;
	void *ctx;
	struct mc_bundle b[MAX_BUNDLES];
	int n;
};

static void add_matches(struct find_job *j, const char *pattern)
{
	glob_t g;

	if (glob(pattern, 0, NULL, &g) != 0)
		return;
	for (size_t i = 0; i < g.gl_pathc && j->n < MAX_BUNDLES; i++)
		snprintf(j->b[j->n++].path, sizeof(j->b[0].path), "%s", g.gl_pathv[i]);
	globfree(&g);
}

static void run_find(void *p)
{
	struct find_job *j = p;
	const char *dirs = getenv("MOTCUA_MEDIA_DIRS");
	char err[512], mine[128] = "", pattern[600];

	if (dirs && *dirs) {
		char *copy = strdup(dirs), *save = NULL;
		for (char *d = copy ? strtok_r(copy, ":", &save) : NULL; d; d = strtok_r(NULL, ":", &save)) {
			snprintf(pattern, sizeof(pattern), "%s/*.raucb", d);
			add_matches(j, pattern);
		}
		free(copy);
	} else {
		add_matches(j, "/media/*/*.raucb");
		add_matches(j, "/media/*/*/*.raucb");
		add_matches(j, "/run/media/*/*/*.raucb");
	}
	if (!j->n)
		return;
	struct rauc_client *rc = rauc_client_open(err, sizeof(err));
	if (rc)
		rauc_client_prop(rc, "Compatible", mine, sizeof(mine), err, sizeof(err));
	for (int i = 0; i < j->n; i++) {
		struct mc_bundle *b = &j->b[i];
		if (!rc) {
			snprintf(b->why, sizeof(b->why), "%.200s", err);
		} else if (rauc_client_info(rc, b->path, b->compatible, sizeof(b->compatible), b->version,
					    sizeof(b->version), err, sizeof(err)) < 0) {
			snprintf(b->why, sizeof(b->why), "Không kiểm tra được chữ ký hoặc tệp bị hỏng "
				 "(cannot verify it: untrusted signature or damaged file)");
		} else if (strcmp(b->compatible, mine)) {
			char theirs[sizeof(b->compatible)];
			memcpy(theirs, b->compatible, sizeof(theirs));
			snprintf(b->why, sizeof(b->why), "Dành cho loại máy khác: %.60s (for another board; "
				 "this kiosk is %.60s)", theirs, mine);
		} else {
			b->installable = true;
		}
	}
	rauc_client_free(rc);
}

static void done_find(void *p, void *ctx)
{
	struct find_job *j = p;

	(void)ctx;
	j->done(j->ctx, j->b, j->n);
	free(j);
}

int mc_rauc_find(struct mc_rauc *pub, mc_bundles_fn done, void *ctx)
{
	struct rauc *r = (struct rauc *)pub;
	struct find_job *j = calloc(1, sizeof(*j));

	if (!j)
		return -1;
	*j = (struct find_job){ .r = r, .done = done, .ctx = ctx };
	if (mc_worker_submit(r->io, j, run_find, done_find, NULL) < 0) {
		free(j);
		return -1;
	}
	return 0;
}

/* ---- installing ---------------------------------------------------------- */

/* One installation, run on the io thread. */
struct install_job {
	struct rauc *r;
	char path[512];
	bool ok;
	char message[1024];       /* for people */
};

/* io thread: RAUC's progress changed; wake the loop. */
static void thread_progress(int pct, const char *msg, void *ctx)
{
	struct rauc *r = ctx;
	uint64_t one = 1;

	pthread_mutex_lock(&r->lock);
	r->pct = pct;
	snprintf(r->msg, sizeof(r->msg), "%s", msg);
	r->fresh = true;
	pthread_mutex_unlock(&r->lock);
	if (write(r->efd, &one, sizeof(one)) < 0) {
		/* The counter is saturated only if the loop is gone. */
	}
}

/* Passes a fresh progress report to the caller, on the loop thread. */
static void pass_progress(struct rauc *r)
{
	char msg[256];
	int pct;
	bool fresh;

	pthread_mutex_lock(&r->lock);
	fresh = r->fresh;
	r->fresh = false;
	pct = r->pct;
	snprintf(msg, sizeof(msg), "%s", r->msg);
	pthread_mutex_unlock(&r->lock);
	if (fresh && r->installing && r->progress)
		r->progress(r->ctx, pct, msg);
}

static void on_progress_fd(struct mc_loop *loop, int fd, int mask, void *ctx)
{
	uint64_t n;

	(void)loop;
	(void)mask;
	if (read(fd, &n, sizeof(n)) < 0) {
		/* Nothing pending. */
	}
	pass_progress(ctx);
}

static void refuse_text(struct install_job *j, const char *what, const char *rauc_error)
{
	const char *plain = rauc_explain(rauc_error);

	snprintf(j->message, sizeof(j->message), "%s%s%s (RAUC: %.600s)", what, plain ? ": " : "",
		 plain ? plain : "", rauc_error);
}

static void run_install(void *p)
{
	struct install_job *j = p;
	char err[1024], compat[128], version[64], mine[128];
	struct rauc_client *rc = rauc_client_open(err, sizeof(err));

	if (!rc) {
		snprintf(j->message, sizeof(j->message), "%s", err);
		return;
	}
	if (rauc_client_info(rc, j->path, compat, sizeof(compat), version, sizeof(version), err,
			     sizeof(err)) == 0 &&
	    rauc_client_prop(rc, "Compatible", mine, sizeof(mine), err, sizeof(err)) == 0 &&
	    strcmp(compat, mine)) {
		char why[400];
		snprintf(why, sizeof(why), "Compatible mismatch: bundle is for '%s', this kiosk is '%s'",
			 compat, mine);
		refuse_text(j, "Gói cập nhật bị từ chối (bundle refused)", why);
		goto out;
	}
	if (rauc_client_install(rc, j->path, thread_progress, j->r, err, sizeof(err)) < 0) {
		refuse_text(j, rauc_explain(err) ? "Gói cập nhật bị từ chối (bundle refused)"
						 : "Cài đặt thất bại (installation failed)", err);
		goto out;
	}
	j->ok = true;
	snprintf(j->message, sizeof(j->message), "Đã cài xong, khởi động lại để chạy thử "
		 "(installed; reboot to try it)");
out:
	rauc_client_free(rc);
}

static void done_install(void *p, void *ctx)
{
	struct install_job *j = p;
	struct rauc *r = j->r;

	(void)ctx;
	pass_progress(r);
	mc_log(j->ok ? MC_LOG_NOTICE : MC_LOG_WARNING, "update %s: %s", j->path, j->message);
	r->installing = false;
	if (r->done)
		r->done(r->ctx, j->ok, j->message);
	free(j);
}

int mc_rauc_install(struct mc_rauc *pub, const char *bundle, mc_update_progress_fn progress,
		    mc_update_done_fn done, void *ctx)
{
	struct rauc *r = (struct rauc *)pub;
	struct install_job *j;

	if (r->installing) {
		errno = EBUSY;
		return -1;
	}
	if (!bundle || bundle[0] != '/' || strlen(bundle) >= sizeof(j->path)) {
		errno = EINVAL;
		return -1;
	}
	j = calloc(1, sizeof(*j));
	if (!j)
		return -1;
	j->r = r;
	snprintf(j->path, sizeof(j->path), "%s", bundle);
	if (mc_worker_submit(r->io, j, run_install, done_install, NULL) < 0) {
		free(j);
		return -1;
	}
	mc_log(MC_LOG_NOTICE, "update: installing %s", bundle);
	r->installing = true;
	r->progress = progress;
	r->done = done;
	r->ctx = ctx;
	return 0;
}

/* ---- control commands ---------------------------------------------------- */

/* A control client waiting for an answer. */
struct waiter {
	struct rauc *r;
	uint64_t client;
};

static void ctl_found(void *ctx, const struct mc_bundle *b, int n)
{
	struct waiter *w = ctx;
	json_t *arr = json_array(), *msg = json_object();

	for (int i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:b, s:s}", "path", b[i].path,
						     "compatible", b[i].compatible, "version", b[i].version,
						     "installable", b[i].installable, "why", b[i].why));
	json_object_set_new(msg, "bundles", arr);
	mc_ctl_send(mc_app_ctl(w->r->app), w->client, msg, true);
	json_decref(msg);
	free(w);
}

static enum mc_ctl_result cmd_update_find(void *ctx, json_t *req, json_t *resp, uint64_t client)
{
	struct waiter *w = malloc(sizeof(*w));

	(void)req;
	if (!w)
		return mc_ctl_error(resp, "no_memory", "out of memory");
	*w = (struct waiter){ ctx, client };
	if (mc_rauc_find(ctx, ctl_found, w) < 0) {
		free(w);
		return mc_ctl_error(resp, "busy", "cannot search for bundles now");
	}
	return MC_CTL_LATER;
}

static void ctl_progress(void *ctx, int pct, const char *message)
{
	struct waiter *w = ctx;
	json_t *msg = json_pack("{s:i, s:s}", "progress", pct, "message", message);

	mc_ctl_send(mc_app_ctl(w->r->app), w->client, msg, false);
	json_decref(msg);
}

static void ctl_installed(void *ctx, bool ok, const char *message)
{
	struct waiter *w = ctx;
	json_t *msg = ok ? json_pack("{s:s}", "message", message)
			 : json_pack("{s:b, s:s, s:s}", "ok", 0, "error", "update_refused", "message", message);

	mc_ctl_send(mc_app_ctl(w->r->app), w->client, msg, true);
	json_decref(msg);
	free(w);
}

static enum mc_ctl_result cmd_update_install(void *ctx, json_t *req, json_t *resp, uint64_t client)
{
	const char *bundle = json_string_value(json_object_get(req, "bundle"));
	struct waiter *w;

	if (!bundle || bundle[0] != '/')
		return mc_ctl_error(resp, "bad_request", "update-install needs an absolute path in \"bundle\"");
	w = malloc(sizeof(*w));
	if (!w)
		return mc_ctl_error(resp, "no_memory", "out of memory");
	*w = (struct waiter){ ctx, client };
	if (mc_rauc_install(ctx, bundle, ctl_progress, ctl_installed, w) < 0) {
		int e = errno;
		free(w);
		if (e == EBUSY)
			return mc_ctl_error(resp, "busy", "Đang cài một bản cập nhật khác "
					    "(another update is being installed)");
		return mc_ctl_error(resp, "bad_request", "cannot start the update: %s", strerror(e));
	}
	return MC_CTL_LATER;
}

static void status(void *priv, json_t *obj)
{
	struct rauc *r = priv;
	static const char *const names[] = { "pending", "asking", "marked-good", "skipped",
					     "unhealthy", "failed" };

	json_object_set_new(obj, "update", json_pack("{s:s, s:s, s:b}", "state", names[r->state],
						     "text", r->text, "installing", r->installing));
}

static void release(void *priv)
{
	struct rauc *r = priv;

	mc_loop_del_timer(mc_app_loop(r->app), r->timer);
	/* Jobs never run still get their done callback: no caller waits
	 * forever, and the ctl waiters are freed. */
	mc_worker_free(r->io);
	mc_worker_free(r->worker);
	mc_loop_del_fd(mc_app_loop(r->app), r->efd);
	close(r->efd);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

static const struct mc_output_ops rauc_ops = {
	.name = "rauc",
	.status = status,
	.free = release,
};

struct mc_rauc *mc_app_add_rauc(struct mc_app *app, int delay_ms)
{
	struct rauc *r = calloc(1, sizeof(*r));
	const char *env = getenv("MOTCUA_HEALTH_DELAY_MS");
	struct mc_loop *loop = mc_app_loop(app);

	if (!r)
		return NULL;
	if (env && *env)
		delay_ms = atoi(env);
	if (delay_ms < 0)
		delay_ms = 0;
	r->app = app;
	snprintf(r->text, sizeof(r->text), "health check in %d ms", delay_ms);
	pthread_mutex_init(&r->lock, NULL);
	r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (r->efd < 0)
		goto err_free;
	r->worker = mc_worker_new(loop, "rauc-mark");
	r->io = r->worker ? mc_worker_new(loop, "rauc-install") : NULL;
	if (!r->io)
		goto err_workers;
	if (mc_loop_add_fd(loop, r->efd, MC_READ, on_progress_fd, r) < 0)
		goto err_workers;
	r->timer = mc_loop_add_timer(loop, delay_ms, on_health, r);
	if (r->timer < 0)
		goto err_fd;
	if (mc_app_add_output(app, &rauc_ops, r) < 0)
		goto err_timer;
	mc_ctl_register(mc_app_ctl(app), "update-find",
			"update bundles on USB sticks, checked by RAUC", cmd_update_find, r);
	mc_ctl_register(mc_app_ctl(app), "update-install",
			"install an update bundle: bundle (streams progress)", cmd_update_install, r);
	return (struct mc_rauc *)r;

err_timer:
	mc_loop_del_timer(loop, r->timer);
err_fd:
	mc_loop_del_fd(loop, r->efd);
err_workers:
	mc_worker_free(r->io);
	mc_worker_free(r->worker);
	close(r->efd);
err_free:
	pthread_mutex_destroy(&r->lock);
	free(r);
	return NULL;
}

/* The health check runs 10 s after start (MOTCUA_HEALTH_DELAY_MS overrides). */
static int service_start(struct mc_app *app, void *priv, char *err, size_t errlen)
{
	(void)priv;
	if (mc_app_add_rauc(app, 10000))
		return 0;
	snprintf(err, errlen, "cannot set up the systemd and update hooks");
	return -1;
}

const struct mc_service mc_service_rauc = {
	.name = "rauc",
	.start = service_start,
	.exit_code = 1,
};
