/* app-rauc.c — after an update, kioskd tells RAUC the booted slot is good,
 * but only once its own health check passes; a slot never marked good is
 * left by the bootloader's one-shot try, so a broken update rolls back by
 * itself (see app-rauc.h). The D-Bus call runs on a worker thread. */
#include "app-rauc.h"
#include "app.h"
#include "bundle.h"
#include "services.h"
#include "ctl.h"
#include "log.h"
#include "loop.h"
#include "rauc-client.h"
#include "worker.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
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

	/* Where bundles may come from ([update] bundle_dirs, or the media
	 * mounts and updates/; MOTCUA_MEDIA_DIRS adds the tests' own). */
	char dirs[MC_UPDATE_MAX_DIRS + 8][MC_TEXT];
	const char *dirp[MC_UPDATE_MAX_DIRS + 8];
	int ndirs;
	char updates[MC_TEXT];     /* STATE/updates: where uploads land */

	/* The one upload in progress (loop thread). */
	uint64_t up_client;        /* its client, 0 when none */
	int up_fd;                 /* STATE/updates/.NAME.part */
	char up_name[128];         /* NAME */
	uint64_t up_size;          /* bytes written so far */
	bool up_writing;           /* a chunk is with the io thread */
};

#define MAX_UPLOAD ((uint64_t)2 << 30)   /* 2 GiB: larger than any bundle */

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
		snprintf(r->text, sizeof(r->text), "đang chờ / waiting: %s", why);
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
		snprintf(r->text, sizeof(r->text), "không gọi được D-Bus / cannot start the D-Bus call: %s",
			 strerror(errno));
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
		/* [update] bundle_dirs (and updates/), down to a stick's folder:
		 * /media/usb-sda1/x.raucb, /run/media/USER/LABEL/x.raucb. */
		for (int d = 0; d < j->r->ndirs; d++) {
			snprintf(pattern, sizeof(pattern), "%s/*.raucb", j->r->dirs[d]);
			add_matches(j, pattern);
			snprintf(pattern, sizeof(pattern), "%s/*/*.raucb", j->r->dirs[d]);
			add_matches(j, pattern);
			snprintf(pattern, sizeof(pattern), "%s/*/*/*.raucb", j->r->dirs[d]);
			add_matches(j, pattern);
		}
	}
	if (!j->n)
		return;
	struct rauc_client *rc = rauc_client_open(err, sizeof(err));
	if (rc)
		rauc_client_prop(rc, "Compatible", mine, sizeof(mine), err, sizeof(err));
	for (int i = 0; i < j->n; i++) {
		struct mc_bundle *b = &j->b[i];
		char why[400];
		int fd = mc_bundle_open(j->r->dirp, j->r->ndirs, b->path, why, sizeof(why));
		if (fd < 0) {
			snprintf(b->why, sizeof(b->why), "Không dùng được tệp này (not accepted): %.200s", why);
			continue;
		}
		close(fd);
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

	char why[600];
	struct rauc *r = ctx;

	if (!bundle || bundle[0] != '/')
		return mc_ctl_error(resp, "bad_request", "update-install needs an absolute path in \"bundle\"");
	/* RAUC reads the file as root: only regular files where bundles
	 * belong, not a link to a system file or a device. */
	int fd = mc_bundle_open(r->dirp, r->ndirs, bundle, why, sizeof(why));
	if (fd < 0)
		return mc_ctl_error(resp, "bad_bundle", "Không dùng được gói này (bundle not accepted): %s", why);
	close(fd);
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

/* ---- uploads: `kioskctl update FILE` from anywhere ------------------------ */

static void upload_abort(struct rauc *r)
{
	char part[MC_TEXT + 160];

	if (!r->up_client)
		return;
	close(r->up_fd);
	snprintf(part, sizeof(part), "%s/.%s.part", r->updates, r->up_name);
	unlink(part);
	r->up_client = 0;
	r->up_fd = -1;
}

/* The uploading client went away: its partial file goes too. */
static void upload_gone(void *ctx, uint64_t client)
{
	struct rauc *r = ctx;

	if (r->up_client == client && !r->up_writing)
		upload_abort(r);
	else if (r->up_client == client)
		r->up_client = UINT64_MAX;  /* aborted when the chunk is written */
}

/* One chunk written on the io thread. */
struct chunk_job {
	struct rauc *r;
	uint64_t client;
	int fd;
	unsigned char *data;
	size_t len;
	bool last;
	int err;                   /* errno of a failed write, else 0 */
};

static void run_chunk(void *p)
{
	struct chunk_job *j = p;
	size_t off = 0;

	while (off < j->len) {
		ssize_t n = write(j->fd, j->data + off, j->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			j->err = n < 0 ? errno : EIO;
			return;
		}
		off += (size_t)n;
	}
	if (j->last && fsync(j->fd) < 0)
		j->err = errno;
}

static void done_chunk(void *p, void *ctx)
{
	struct chunk_job *j = p;
	struct rauc *r = j->r;
	struct mc_ctl *ctl = mc_app_ctl(r->app);
	json_t *msg = NULL;

	(void)ctx;
	r->up_writing = false;
	if (r->up_client != j->client) {
		upload_abort(r);   /* the client went meanwhile */
	} else if (j->err) {
		msg = json_pack("{s:b, s:s, s:s}", "ok", 0, "error", "io_error", "message",
				strerror(j->err));
		upload_abort(r);
	} else if (j->last) {
		char part[MC_TEXT + 160], dest[MC_TEXT + 160];
		snprintf(part, sizeof(part), "%s/.%s.part", r->updates, r->up_name);
		snprintf(dest, sizeof(dest), "%s/%s", r->updates, r->up_name);
		close(r->up_fd);
		r->up_fd = -1;
		r->up_client = 0;
		if (rename(part, dest) < 0) {
			msg = json_pack("{s:b, s:s, s:s}", "ok", 0, "error", "io_error", "message",
					strerror(errno));
			unlink(part);
		} else {
			mc_log(MC_LOG_NOTICE, "update: received %s (%llu bytes)", dest,
			       (unsigned long long)r->up_size);
			msg = json_pack("{s:s, s:I}", "path", dest, "size", (json_int_t)r->up_size);
		}
	} else {
		msg = json_pack("{s:I}", "size", (json_int_t)r->up_size);
	}
	if (msg) {
		mc_ctl_send(ctl, j->client, msg, true);
		json_decref(msg);
	}
	free(j->data);
	free(j);
}

/* Decodes base64 text into out (room for 3 * len / 4 bytes). Returns the
 * byte count, or -1 if text is not base64. */
static long unbase64(const char *text, size_t len, unsigned char *out)
{
	unsigned acc = 0;
	int bits = 0;
	long n = 0;
	size_t pad = 0;

	if (len % 4)
		return -1;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		unsigned v;
		if (c >= 'A' && c <= 'Z')
			v = (unsigned)(c - 'A');
		else if (c >= 'a' && c <= 'z')
			v = (unsigned)(c - 'a' + 26);
		else if (c >= '0' && c <= '9')
			v = (unsigned)(c - '0' + 52);
		else if (c == '+')
			v = 62;
		else if (c == '/')
			v = 63;
		else if (c == '=' && i >= len - 2) {
			pad++;
			continue;
		} else
			return -1;
		if (pad)
			return -1;
		acc = (acc << 6) | v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	return n;
}

/* {"cmd": "update-upload", "name": N, "offset": O, "data": BASE64, "last": B}:
 * appends a chunk to STATE/updates/.N.part (offset 0 starts it afresh);
 * the last chunk renames it to STATE/updates/N and answers its "path".
 * One upload at a time; it is dropped if its client goes. */
static enum mc_ctl_result cmd_update_upload(void *ctx, json_t *req, json_t *resp, uint64_t client)
{
	struct rauc *r = ctx;
	const char *name = json_string_value(json_object_get(req, "name"));
	const char *data = json_string_value(json_object_get(req, "data"));
	json_t *jo = json_object_get(req, "offset");
	bool last = json_is_true(json_object_get(req, "last"));

	if (!name || !mc_bundle_name_ok(name))
		return mc_ctl_error(resp, "bad_request", "\"name\" must be a file name ending in .raucb "
				    "(letters, digits, . _ -)");
	if (!data || !json_is_integer(jo) || json_integer_value(jo) < 0)
		return mc_ctl_error(resp, "bad_request", "update-upload needs \"offset\" and base64 \"data\"");
	uint64_t offset = (uint64_t)json_integer_value(jo);
	if (r->installing)
		return mc_ctl_error(resp, "busy", "Đang cài một bản cập nhật (an update is being installed)");
	if (offset == 0) {
		if (r->up_client && r->up_client != client)
			return mc_ctl_error(resp, "busy", "another upload is in progress");
		if (r->up_writing)
			return mc_ctl_error(resp, "busy", "the previous chunk is still being written");
		upload_abort(r);
		char part[MC_TEXT + 160];
		mkdir(r->updates, 0750);
		snprintf(part, sizeof(part), "%s/.%s.part", r->updates, name);
		r->up_fd = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0640);
		if (r->up_fd < 0)
			return mc_ctl_error(resp, "io_error", "cannot write %s: %s", part, strerror(errno));
		r->up_client = client;
		r->up_size = 0;
		snprintf(r->up_name, sizeof(r->up_name), "%s", name);
	} else if (r->up_client != client || strcmp(r->up_name, name) || offset != r->up_size ||
		   r->up_writing) {
		return mc_ctl_error(resp, "bad_request", "no upload of %s at offset %llu from this client",
				    name, (unsigned long long)offset);
	}
	size_t len = strlen(data);
	struct chunk_job *j = calloc(1, sizeof(*j));
	unsigned char *bytes = malloc(len / 4 * 3 + 3);
	long n = bytes ? unbase64(data, len, bytes) : -1;
	if (!j || n < 0 || r->up_size + (uint64_t)n > MAX_UPLOAD) {
		free(j);
		free(bytes);
		upload_abort(r);
		return mc_ctl_error(resp, "bad_request", n < 0 ? "\"data\" is not base64"
				    : "the bundle is larger than 2 GiB");
	}
	*j = (struct chunk_job){ r, client, r->up_fd, bytes, (size_t)n, last, 0 };
	if (mc_worker_submit(r->io, j, run_chunk, done_chunk, NULL) < 0) {
		free(bytes);
		free(j);
		upload_abort(r);
		return mc_ctl_error(resp, "busy", "cannot write now");
	}
	r->up_size += (uint64_t)n;
	r->up_writing = true;
	return MC_CTL_LATER;
}

/* ---- hooks for the technician screen ------------------------------------- */

static int hook_find(void *update, void (*done)(void *ctx, const struct mc_bundle *b, int n), void *ctx)
{
	return mc_rauc_find(update, done, ctx);
}

static int hook_install(void *update, const char *bundle,
			void (*progress)(void *ctx, int percent, const char *message),
			void (*done)(void *ctx, bool ok, const char *message), void *ctx, char *msg, size_t len)
{
	struct rauc *r = update;
	char why[600];

	/* The same gate as update-install: RAUC reads the file as root. */
	int fd = mc_bundle_open(r->dirp, r->ndirs, bundle, why, sizeof(why));
	if (fd < 0) {
		snprintf(msg, len, "Không dùng được gói này (bundle not accepted): %s", why);
		return -1;
	}
	close(fd);
	if (mc_rauc_install(update, bundle, progress, done, ctx) < 0) {
		if (errno == EBUSY)
			snprintf(msg, len, "Đang cài một bản cập nhật khác (another update is being installed)");
		else
			snprintf(msg, len, "Không bắt đầu cài được (cannot start the update): %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* The directories update-install accepts (see struct rauc). */
static void set_dirs(struct rauc *r)
{
	const struct mc_config *cfg = mc_app_config(r->app);
	const char *env = getenv("MOTCUA_MEDIA_DIRS");

	snprintf(r->updates, sizeof(r->updates), "%s/updates", mc_app_state_dir(r->app));
	/* board.conf's, by default /media and /run/media (its key row). */
	for (int i = 0; i < cfg->update.ndirs; i++)
		snprintf(r->dirs[r->ndirs++], MC_TEXT, "%s", cfg->update.bundle_dirs[i]);
	/* Always: kioskd's own, filled only by update-upload. */
	snprintf(r->dirs[r->ndirs++], MC_TEXT, "%s", r->updates);
	if (env && *env) {
		char copy[1024], *save = NULL;
		snprintf(copy, sizeof(copy), "%s", env);
		for (char *d = strtok_r(copy, ":", &save); d && r->ndirs < MC_UPDATE_MAX_DIRS + 8;
		     d = strtok_r(NULL, ":", &save))
			snprintf(r->dirs[r->ndirs++], MC_TEXT, "%s", d);
	}
	for (int i = 0; i < r->ndirs; i++)
		r->dirp[i] = r->dirs[i];
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
	struct mc_app_hooks *h = mc_app_hooks(r->app);

	if (h->update == r) {
		h->update_find = NULL;
		h->update_install = NULL;
		h->update = NULL;
	}

	mc_loop_del_timer(mc_app_loop(r->app), r->timer);
	r->up_writing = false;
	upload_abort(r);
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
	r->up_fd = -1;
	set_dirs(r);
	snprintf(r->text, sizeof(r->text), "kiểm tra sau / health check in %d ms", delay_ms);
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
	mc_ctl_register(mc_app_ctl(app), "update-upload",
			"receive a bundle into updates/: name, offset, data (base64), last",
			cmd_update_upload, r);
	mc_ctl_on_gone(mc_app_ctl(app), upload_gone, r);
	struct mc_app_hooks *h = mc_app_hooks(app);
	h->update_find = hook_find;
	h->update_install = hook_install;
	h->update = r;
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
