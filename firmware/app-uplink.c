/* app-uplink.c — the city uplink's glue: board facts for the city, the
 * store-id renewal run on the loop thread (the store's owner), and the
 * uplink's state in status. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "log.h"
#include "loop.h"
#include "module.h"
#include "services.h"
#include "store.h"
#include "uplink.h"

struct glue {
	struct mc_app *app;
	const struct mc_uplink_api *api; /* the loaded module's entry points */
	struct mc_uplink *up;       /* the thread */
	int efd;                    /* uplink → loop: a renewal is asked */
	pthread_mutex_t lock;       /* guards the fields below */
	pthread_cond_t done_cv;     /* the loop answered */
	bool asked, done, closing;  /* renewal request state; closing: app ending */
	int rc;                     /* the loop's answer */
	char id[33];                /* the new store id */
};

/* Uplink thread: asks the loop to renew the store id and waits. */
static int renew(void *ctx, char *id)
{
	struct glue *g = ctx;
	uint64_t one = 1;
	int rc = -1;

	pthread_mutex_lock(&g->lock);
	g->asked = true;
	g->done = false;
	pthread_mutex_unlock(&g->lock);
	if (write(g->efd, &one, sizeof(one)) != sizeof(one))
		return -1;
	pthread_mutex_lock(&g->lock);
	while (!g->done && !g->closing) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 200000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&g->done_cv, &g->lock, &ts);
	}
	if (g->done) {
		rc = g->rc;
		memcpy(id, g->id, sizeof(g->id));
	}
	g->asked = false;
	pthread_mutex_unlock(&g->lock);
	return rc;
}

/* Loop thread: the renewal itself, in the store's own connection. */
static void on_renew(struct mc_loop *loop, int fd, int mask, void *ctx)
{
	struct glue *g = ctx;
	uint64_t n;

	(void)loop;
	(void)mask;
	if (read(fd, &n, sizeof(n)) != sizeof(n))
		return;
	pthread_mutex_lock(&g->lock);
	if (g->asked && !g->done) {
		struct mc_store *st = mc_app_store(g->app);
		g->rc = mc_store_renew_id(st);
		snprintf(g->id, sizeof(g->id), "%s", mc_store_id(st));
		g->done = true;
		pthread_cond_broadcast(&g->done_cv);
		if (!g->rc)
			mc_log(MC_LOG_NOTICE, "uplink: new store id %s", g->id);
	}
	pthread_mutex_unlock(&g->lock);
}

static void status(void *priv, json_t *obj)
{
	struct glue *g = priv;
	struct mc_uplink_status s;

	g->api->status(g->up, &s);
	char text[512];
	int n = snprintf(text, sizeof(text), "văn phòng %s: đã gửi đến sự kiện %lld/%lld, còn %lld"
			 " (sent up to event %lld of %lld, backlog %lld)", mc_app_config(g->app)->uplink.office,
			 (long long)s.sent_id, (long long)s.local_max, (long long)s.backlog, (long long)s.sent_id,
			 (long long)s.local_max, (long long)s.backlog);
	if (s.error[0] && n > 0 && (size_t)n < sizeof(text))
		snprintf(text + n, sizeof(text) - (size_t)n, "; lỗi / error: %s; thử lại sau %lld s", s.error,
			 (long long)(s.retry_ms / 1000));
	json_t *st = json_pack(
		"{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:i, s:i, s:I, s:I, s:s}",
		"state", s.state, "office", mc_app_config(g->app)->uplink.office, "store_id", s.store_id,
		"last_event_sent", (json_int_t)s.sent_id, "local_last_event", (json_int_t)s.local_max,
		"backlog", (json_int_t)s.backlog, "shipped", (json_int_t)s.shipped,
		"batches", (json_int_t)s.batches, "renewals", s.renewals, "failures", s.failures,
		"last_ok_ms", (json_int_t)s.last_ok_ms, "retry_ms", (json_int_t)s.retry_ms, "error", s.error);
	json_object_set_new(st, "text", json_string(text));
	json_object_set_new(obj, "uplink", st);
}

static void release(void *priv)
{
	struct glue *g = priv;

	pthread_mutex_lock(&g->lock);
	g->closing = true;
	pthread_cond_broadcast(&g->done_cv);
	pthread_mutex_unlock(&g->lock);
	g->api->stop(g->up);
	mc_loop_del_fd(mc_app_loop(g->app), g->efd);
	close(g->efd);
	pthread_mutex_destroy(&g->lock);
	pthread_cond_destroy(&g->done_cv);
	free(g);
}

static const struct mc_output_ops uplink_ops = {
	.name = "uplink",
	.status = status,
	.free = release,
};

/* The board facts the city's reports need, as JSON text (caller frees). */
static char *board_facts(const struct mc_config *cfg)
{
	json_t *svcs = json_array();
	for (int i = 0; i < cfg->nservices; i++) {
		const struct mc_service_conf *s = &cfg->services[i];
		json_array_append_new(svcs, json_pack("{s:s, s:i, s:s, s:s, s:I}", "key", s->key, "position", i + 1,
						      "name", s->name, "name_en", *s->name_en ? s->name_en : s->name,
						      "target_ms", (json_int_t)s->target_wait_s * 1000));
	}
	char scale[MC_SCALE_TEXT];
	mc_scale_format(&cfg->satisfaction.scale, scale, sizeof(scale));
	json_t *b = json_pack("{s:s, s:s, s:o, s:s}", "timezone", cfg->office.timezone, "name", cfg->office.name,
			      "services", svcs, "scale", scale);
	char *text = b ? json_dumps(b, JSON_COMPACT) : NULL;
	json_decref(b);
	return text;
}

/* Starts the uplink thread if board.conf has [uplink] (else does nothing)
 * and registers it as the output "uplink" (status only). Loop thread. */
static int service_start(struct mc_app *app, void *priv, char *err, size_t errlen)
{
	const struct mc_config *cfg = mc_app_config(app);
	char db[400];

	(void)priv;
	if (!cfg->uplink.present)
		return 0;
	/* libpq comes in with the module, only on a kiosk with [uplink]. */
	char why[512];
	const struct mc_uplink_api *api = mc_module_symbol("uplink", "mc_uplink_api", why, sizeof(why));
	if (!api || api->version != MC_UPLINK_API_VERSION) {
		snprintf(err, errlen, "uplink: %s", api ? "the uplink module is of another version" : why);
		return -1;
	}
	struct glue *g = calloc(1, sizeof(*g));
	char *facts = board_facts(cfg);
	if (!g || !facts) {
		snprintf(err, errlen, "out of memory");
		free(g);
		free(facts);
		return -1;
	}
	g->app = app;
	g->api = api;
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->done_cv, NULL);
	g->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (g->efd < 0 || mc_loop_add_fd(mc_app_loop(app), g->efd, MC_READ, on_renew, g) < 0) {
		snprintf(err, errlen, "uplink: %s", strerror(errno));
		goto err_free;
	}
	snprintf(db, sizeof(db), "%s/kiosk.db", mc_app_state_dir(app));
	struct mc_uplink_setup s = {
		.db_path = db, .url = cfg->uplink.url, .office = cfg->uplink.office,
		.interval_ms = cfg->uplink.interval_ms, .batch = cfg->uplink.batch,
		.board_json = facts, .renew = renew, .renew_ctx = g,
	};
	g->up = g->api->start(&s, err, errlen);
	free(facts);
	facts = NULL;
	if (!g->up)
		goto err_free;
	if (mc_app_add_output(app, &uplink_ops, g) < 0) {
		release(g);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	mc_log(MC_LOG_INFO, "uplink: office %s, every %d ms, %d events a batch", cfg->uplink.office,
	       cfg->uplink.interval_ms, cfg->uplink.batch);
	return 0;

err_free:
	free(facts);
	if (g->efd >= 0) {
		mc_loop_del_fd(mc_app_loop(app), g->efd);
		close(g->efd);
	}
	pthread_mutex_destroy(&g->lock);
	pthread_cond_destroy(&g->done_cv);
	free(g);
	return -1;
}

/* The services table's row (services.c): offline is not an error, so a
 * start fails only when the thread cannot be made. */
const struct mc_service mc_service_uplink = {
	.name = "uplink",
	.start = service_start,
	.exit_code = 1,
};
