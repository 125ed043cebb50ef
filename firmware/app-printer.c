/* app-printer.c — the printer worker as an output (see app-printer.h).
 *
 * Every device call happens on the worker thread, which runs below the
 * loop's priority; the loop thread only queues jobs and takes their
 * results. A ticket job is sent at most once: whatever happens (refused,
 * stalled, reset, paper out), its outcome is reported once through
 * mc_app_print_outcome() and it is never retried, so a ticket can never
 * come out twice. The outcome is `printed` when the printer took the whole
 * job, `failed` only when nothing was sent, `in_doubt` otherwise. At most
 * [printer] queue tickets wait for the printer; past that the engine is
 * told the queue is full and on_failure answers at once. Jobs still queued
 * at shutdown stay "pending" in the store and are in doubt at the next
 * start (callable, never printed again). */
#include "app.h"
#include "app-printer.h"
#include "services.h"
#include "ctl.h"
#include "log.h"
#include "loop.h"
#include "worker.h"

#include "escpos.h"
#include "printer.h"
#include "ticket.h"

#include <errno.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

enum job_kind { JOB_TICKET, JOB_STATUS, JOB_TEST, JOB_REPRINT };

/* What is printed on a ticket (copied, so the job owns it). */
struct ticket_text {
	char office[MC_TEXT];
	char service[MC_TEXT];
	char service_en[MC_TEXT];
	char label[8];
	char counters[128];
	bool priority;
	int64_t wall_ms;
	int ahead;
	int wait_min;
};

struct printer_out {
	struct mc_app *app;
	struct mc_worker *worker;        /* the printer thread */
	struct mc_printer *printer;      /* used on the worker thread only */
	struct mc_ticket_layout *layout; /* worker thread only: made there at its first ticket */
	char device[300];                /* effective device URI */
	long long timer;                 /* idle status timer */
	bool closing;                    /* shutting down: report nothing */
	bool status_queued;              /* a status job is queued */
	bool failed_since_ok;            /* last job failed: unknown is not ok */
	enum mc_escpos_state state;      /* last state seen */
	char last_error[256];            /* last failure, for status */
	unsigned long printed, failed;   /* tickets since start */
	unsigned long in_doubt;          /* tickets cut off part way since start */
	int tickets_queued;              /* ticket jobs queued or printing */
	enum mc_printer_ok dev_state;    /* what the device last said ... */
	char dev_text[128];              /* ... and why */
	bool niced;                      /* worker thread: priority lowered */
	size_t last_bytes;               /* bytes of the last job */
	int64_t last_sent_us;            /* monotonic µs the last job was handed over */
	struct ticket_text last;         /* last ticket printed, for reprint-last */
	bool have_last;
};

struct job {
	struct printer_out *po;
	enum job_kind kind;
	int64_t id;                      /* ticket (JOB_TICKET) */
	uint64_t client;                 /* ctl client awaiting the answer (test, reprint, status) */
	bool reply;                      /* answer client */
	struct ticket_text tt;
	/* results */
	int rc;
	enum mc_escpos_state state;
	size_t bytes, sent;
	int64_t sent_us;
	char err[256];
};

static int64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- worker thread ----------------------------------------------------- */

static void run_print(struct job *j)
{
	const struct mc_config *cfg = mc_app_config(j->po->app);
	const struct mc_printer_conf *pc = &cfg->printer;
	struct mc_escpos_buf buf = { 0 };
	char note[200];
	struct mc_ticket_print tp = {
		.office = j->tt.office, .desk = pc->desk, .address = pc->address,
		.valid_today = pc->valid_today, .missed_note = pc->missed_note, .service = j->tt.service, .service_en = j->tt.service_en,
		.label = j->tt.label, .priority = j->tt.priority, .issued_wall_ms = j->tt.wall_ms,
		.ahead = j->tt.ahead, .est_wait_min = j->tt.wait_min, .counters = j->tt.counters,
		.footer = pc->footer, .footer_en = pc->footer_en, .logo_png = pc->logo, .qr = pc->qr,
		.banner = j->kind == JOB_TEST ? "IN THỬ · TEST PRINT" :
			  j->kind == JOB_REPRINT ? "BẢN IN LẠI · REPRINT" : NULL,
	};
	if (!j->po->layout)
		j->po->layout = mc_ticket_layout_new();
	struct mc_raster *r = j->po->layout ?
		mc_ticket_layout_render(j->po->layout, &tp, pc->width, NULL, note, sizeof(note)) :
		mc_ticket_render(&tp, pc->width, NULL, note, sizeof(note));

	j->rc = -1;
	if (!r) {
		snprintf(j->err, sizeof(j->err), "ticket layout failed: %s", note);
		return;
	}
	if (note[0])
		mc_log(MC_LOG_WARNING, "printer: %s", note);
	struct mc_escpos_image img = mc_raster_image(r);
	struct mc_escpos_job_opts eo = { .full_cut = pc->full_cut, .feed_lines = 4, .realtime_off = true };
	if (mc_escpos_job(&buf, &img, &eo) < 0) {
		snprintf(j->err, sizeof(j->err), "ESC/POS encoding failed: %s", strerror(errno));
		goto out;
	}
	j->bytes = buf.len;
	j->rc = mc_printer_print(j->po->printer, buf.data, buf.len, r, &j->state, &j->sent, j->err,
				 sizeof(j->err));
	j->sent_us = mono_us();
out:
	mc_escpos_buf_free(&buf);
	mc_raster_free(r);
}

static void run_job(void *p)
{
	struct job *j = p;

	/* Rendering and sending must never take the CPU from the loop. */
	if (!j->po->niced) {
		setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10);
		j->po->niced = true;
	}

	if (j->kind == JOB_STATUS) {
		/* A technician asks (not the idle poll): every query again,
		 * nothing taken as learned. */
		if (j->reply)
			mc_printer_forget(j->po->printer);
		j->rc = mc_printer_status(j->po->printer, &j->state, j->err, sizeof(j->err));
	}
	else
		run_print(j);
}

/* ---- loop thread ------------------------------------------------------- */

/* Copies text into buf (size n), cut at a character boundary so the
 * app's status text stays valid UTF-8. */
static const char *fit(char *buf, size_t n, const char *text)
{
	size_t len = strlen(text);

	if (len >= n) {
		len = n - 1;
		while (len > 0 && ((unsigned char)text[len] & 0xc0) == 0x80)
			len--;
	}
	memcpy(buf, text, len);
	buf[len] = 0;
	return buf;
}

/* Tells the app the device's state, or that the print queue is full. */
static void publish(struct printer_out *po)
{
	int bound = mc_app_config(po->app)->printer.queue;

	mc_app_set_printer_room(po->app, bound > po->tickets_queued ? bound - po->tickets_queued : 0);
	if (po->dev_state == MC_PRINTER_READY && po->tickets_queued >= bound)
		mc_app_set_printer(po->app, MC_PRINTER_FULL,
				   "Hàng đợi in đầy (print queue full)");
	else
		mc_app_set_printer(po->app, po->dev_state, po->dev_text);
}

static void set_dev(struct printer_out *po, enum mc_printer_ok state, const char *text)
{
	po->dev_state = state;
	fit(po->dev_text, sizeof(po->dev_text), text ? text : "");
	publish(po);
}

/* Tells the app what the printer's state means for issuing tickets. */
static void apply_state(struct printer_out *po, int rc, enum mc_escpos_state st, const char *err)
{
	char text[384], t[128];

	po->state = st;
	if (rc == 0 && mc_escpos_state_can_print(st)) {
		set_dev(po, MC_PRINTER_READY, mc_escpos_state_text(st));
	} else if (rc == 0 && st == MC_ESCPOS_UNKNOWN && !po->failed_since_ok) {
		/* Some printers never answer status: that alone is no reason to stop. */
		set_dev(po, MC_PRINTER_READY, mc_escpos_state_text(st));
	} else if (rc == 0 && st == MC_ESCPOS_UNKNOWN) {
		snprintf(text, sizeof(text), "Máy in không trả lời sau lỗi in (no status after a failed print): %s",
			 po->last_error);
		set_dev(po, MC_PRINTER_DOWN, fit(t, sizeof(t), text));
	} else if (rc == 0) {
		set_dev(po, MC_PRINTER_DOWN, mc_escpos_state_text(st));
	} else {
		set_dev(po, MC_PRINTER_DOWN, fit(t, sizeof(t), err));
	}
}

static json_t *job_json(const struct job *j)
{
	return json_pack("{s:b, s:s, s:s, s:I, s:I}", "printed", j->rc == 0, "state",
			 mc_escpos_state_name(j->state), "error", j->rc ? j->err : "", "bytes",
			 (json_int_t)j->bytes, "sent", (json_int_t)j->sent);
}

static void done_job(void *p, void *ctx)
{
	struct job *j = p;
	struct printer_out *po = j->po;

	(void)ctx;
	if (po->closing)
		goto out;
	if (j->kind == JOB_STATUS)
		po->status_queued = false;
	if (j->kind != JOB_STATUS) {
		po->last_bytes = j->bytes;
		if (j->sent_us)
			po->last_sent_us = j->sent_us;
		if (j->rc == 0) {
			po->failed_since_ok = false;
		} else {
			po->failed_since_ok = true;
			snprintf(po->last_error, sizeof(po->last_error), "%s", j->err);
		}
	}
	if (j->rc < 0)
		mc_log(MC_LOG_WARNING, "printer %s: %s", po->device, j->err);
	apply_state(po, j->rc, j->state, j->err);
	if (j->kind == JOB_TICKET) {
		enum mc_print_status outcome = MC_P_PRINTED;
		po->tickets_queued--;
		if (j->rc == 0) {
			po->printed++;
			po->last = j->tt;
			po->have_last = true;
		} else if (j->sent == 0) {
			outcome = MC_P_FAILED; /* refused before any byte was sent */
			po->failed++;
		} else {
			outcome = MC_P_IN_DOUBT; /* bytes went out: it may be on paper */
			po->in_doubt++;
		}
		mc_app_print_outcome(po->app, j->id, outcome);
		publish(po);
	}
	if (j->reply) {
		json_t *msg = job_json(j);
		if (j->rc < 0) {
			json_object_set_new(msg, "ok", json_false());
			json_object_set_new(msg, "error", json_string("printer"));
			json_object_set_new(msg, "message", json_string(j->err));
		}
		mc_ctl_send(mc_app_ctl(po->app), j->client, msg, true);
		json_decref(msg);
	}
out:
	free(j);
}

static int submit(struct printer_out *po, struct job *j)
{
	j->po = po;
	if (mc_worker_submit(po->worker, j, run_job, done_job, NULL) < 0)
		return -1;
	return 0;
}

static void fill_text(struct printer_out *po, const struct mc_issue *is, struct ticket_text *tt)
{
	const struct mc_config *cfg = mc_app_config(po->app);
	const struct mc_ticket *t = &is->ticket;
	const struct mc_service_conf *s = &cfg->services[t->cur_service];
	size_t n = 0;

	memset(tt, 0, sizeof(*tt));
	snprintf(tt->office, sizeof(tt->office), "%s", cfg->office.name);
	snprintf(tt->service, sizeof(tt->service), "%s", s->name);
	snprintf(tt->service_en, sizeof(tt->service_en), "%s", s->name_en);
	snprintf(tt->label, sizeof(tt->label), "%s", t->label);
	tt->priority = t->priority;
	tt->wall_ms = t->issued_wall;
	tt->ahead = is->ahead;
	tt->wait_min = (int)((is->est_wait_ms + 59999) / 60000);
	for (int i = 0; i < cfg->ncounters; i++)
		if (cfg->counters[i].services & (1u << t->cur_service) && n + 8 < sizeof(tt->counters))
			n += (size_t)snprintf(tt->counters + n, sizeof(tt->counters) - n, "%s%d", n ? ", " : "",
					      cfg->counters[i].number);
}

static void issued(void *priv, const struct mc_issue *is)
{
	struct printer_out *po = priv;
	struct job *j;

	if (is->ticket.print != MC_P_PENDING)
		return;
	j = calloc(1, sizeof(*j));
	if (!j) {
		mc_app_print_outcome(po->app, is->ticket.id, MC_P_FAILED);
		return;
	}
	j->kind = JOB_TICKET;
	j->id = is->ticket.id;
	fill_text(po, is, &j->tt);
	if (submit(po, j) < 0) {
		mc_app_print_outcome(po->app, is->ticket.id, MC_P_FAILED);
		free(j);
		return;
	}
	po->tickets_queued++;
	publish(po);
}

static void queue_status(struct printer_out *po)
{
	struct job *j;

	if (po->status_queued || mc_worker_pending(po->worker))
		return;
	j = calloc(1, sizeof(*j));
	if (!j)
		return;
	j->kind = JOB_STATUS;
	if (submit(po, j) < 0) {
		free(j);
		return;
	}
	po->status_queued = true;
}

/* The device needs polling: paper runs out and covers open while idle. */
static int64_t on_timer(struct mc_loop *loop, long long id, void *ctx)
{
	struct printer_out *po = ctx;

	queue_status(po);
	return (int64_t)mc_app_config(po->app)->printer.status_interval_s * 1000;
}

static void status(void *priv, json_t *st)
{
	struct printer_out *po = priv;
	json_t *p = json_object_get(st, "printer");

	if (!p) {
		p = json_object();
		json_object_set_new(st, "printer", p);
	}
	json_object_set_new(p, "device", json_string(po->device));
	json_object_set_new(p, "detail", json_string(mc_escpos_state_name(po->state)));
	json_object_set_new(p, "printed", json_integer((json_int_t)po->printed));
	json_object_set_new(p, "failed", json_integer((json_int_t)po->failed));
	json_object_set_new(p, "in_doubt", json_integer((json_int_t)po->in_doubt));
	json_object_set_new(p, "queue_bound", json_integer(mc_app_config(po->app)->printer.queue));
	json_object_set_new(p, "last_error", json_string(po->last_error));
	json_object_set_new(p, "last_bytes", json_integer((json_int_t)po->last_bytes));
	json_object_set_new(p, "last_sent_us", json_integer((json_int_t)po->last_sent_us));
	/* queued: every job the worker holds, status checks too (0: idle);
	 * tickets_queued: ticket jobs queued or printing, what queue_bound
	 * bounds. */
	json_object_set_new(p, "queued", json_integer((json_int_t)mc_worker_pending(po->worker)));
	json_object_set_new(p, "tickets_queued", json_integer(po->tickets_queued));
}

static void release(void *priv)
{
	struct printer_out *po = priv;

	po->closing = true;
	if (po->timer > 0)
		mc_loop_del_timer(mc_app_loop(po->app), po->timer);
	mc_worker_free(po->worker);      /* joins the thread: the layout is ours now */
	mc_ticket_layout_free(po->layout);
	mc_printer_close(po->printer);
	free(po);
}

static const struct mc_output_ops printer_ops = {
	.name = "printer",
	.issued = issued,
	.status = status,
	.free = release,
};

/* ---- control commands -------------------------------------------------- */

static enum mc_ctl_result cmd_status(void *ctx, json_t *req, json_t *resp, uint64_t client)
{
	struct printer_out *po = ctx;
	struct job *j;

	if (!json_is_true(json_object_get(req, "check"))) {
		json_t *wrap = json_object();
		mc_app_status(po->app, wrap);
		json_object_update(resp, json_object_get(wrap, "printer"));
		json_decref(wrap);
		return MC_CTL_OK;
	}
	j = calloc(1, sizeof(*j));
	if (!j)
		return mc_ctl_error(resp, "nomem", "out of memory");
	j->kind = JOB_STATUS;
	j->reply = true;
	j->client = client;
	if (submit(po, j) < 0) {
		free(j);
		return mc_ctl_error(resp, "printer", "the printer worker is stopped");
	}
	return MC_CTL_LATER;
}

/* A refusal to queue a print: a code for scripts and a message for people. */
struct refusal {
	const char *code;        /* "no_ticket", "nomem", "printer" */
	const char *message;     /* Vietnamese (English) */
};

/* Queues a test ticket or the last ticket again for client (0: the
 * technician menu, no socket client to answer). 0, or -1 with *why. */
static int queue_print(struct printer_out *po, enum job_kind kind, uint64_t client, struct refusal *why)
{
	struct job *j;

	if (kind == JOB_REPRINT && !po->have_last) {
		*why = (struct refusal){ "no_ticket",
			"chưa có vé nào được in từ khi khởi động (no ticket printed since start)" };
		return -1;
	}
	j = calloc(1, sizeof(*j));
	if (!j) {
		*why = (struct refusal){ "nomem", "out of memory" };
		return -1;
	}
	j->kind = kind;
	j->reply = client != 0;
	j->client = client;
	if (kind == JOB_REPRINT) {
		j->tt = po->last;
	} else {
		const struct mc_config *cfg = mc_app_config(po->app);
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		snprintf(j->tt.office, sizeof(j->tt.office), "%s", cfg->office.name);
		snprintf(j->tt.service, sizeof(j->tt.service), "%s",
			 cfg->nservices ? cfg->services[0].name : "Tư pháp – Hộ tịch");
		snprintf(j->tt.label, sizeof(j->tt.label), "0000");
		snprintf(j->tt.counters, sizeof(j->tt.counters), "—");
		j->tt.wall_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
		j->tt.ahead = 0;
		j->tt.wait_min = 0;
	}
	if (submit(po, j) < 0) {
		free(j);
		*why = (struct refusal){ "printer", "the printer worker is stopped" };
		return -1;
	}
	return 0;
}

static enum mc_ctl_result print_cmd(struct printer_out *po, enum job_kind kind, json_t *resp,
				    uint64_t client)
{
	struct refusal why;

	if (queue_print(po, kind, client, &why) < 0)
		return mc_ctl_error(resp, why.code, "%s", why.message);
	return MC_CTL_LATER;
}

static enum mc_ctl_result cmd_test(void *ctx, json_t *req, json_t *resp, uint64_t client)
{
	return print_cmd(ctx, JOB_TEST, resp, client);
}

static enum mc_ctl_result cmd_reprint(void *ctx, json_t *req, json_t *resp, uint64_t client)
{
	return print_cmd(ctx, JOB_REPRINT, resp, client);
}

/* printer-reprint {"label": "1023"}: today's ticket with that number
 * again, for a citizen who lost it, marked as a reprint, with the time it
 * was first issued; the queue is unchanged. Only a ticket still waiting,
 * being called, or missed (which may be reactivated) is reprinted. */
static enum mc_ctl_result cmd_reprint_label(void *ctx, json_t *req, json_t *resp, uint64_t client)
{
	struct printer_out *po = ctx;
	const char *label = json_string_value(json_object_get(req, "label"));
	const struct mc_engine *e = mc_app_engine(po->app);
	const struct mc_ticket *found = NULL;
	size_t n = 0;

	if (!label || !label[0])
		return mc_ctl_error(resp, "bad_request", "say which number (label) to reprint");
	const struct mc_ticket *ts = mc_engine_tickets(e, &n);
	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(ts[i].label, label))
			found = &ts[i];  /* the latest of the day if a range wrapped */
	if (!found)
		return mc_ctl_error(resp, "no_ticket", "hôm nay không có số này (no such number today)");
	if (found->status != MC_T_WAITING && found->status != MC_T_CALLED && found->status != MC_T_NOSHOW)
		return mc_ctl_error(resp, "not_open",
				    "số này đã xong hoặc đã huỷ, không in lại (this number is finished or void)");
	struct job *j = calloc(1, sizeof(*j));
	if (!j)
		return mc_ctl_error(resp, "nomem", "out of memory");
	j->kind = JOB_REPRINT;
	j->reply = client != 0;
	j->client = client;
	struct mc_issue is = { .ticket = *found, .ahead = -1, .est_wait_ms = 0 };
	fill_text(po, &is, &j->tt);
	j->tt.wait_min = -1;
	if (submit(po, j) < 0) {
		free(j);
		return mc_ctl_error(resp, "printer", "the printer worker is stopped");
	}
	return MC_CTL_LATER;
}

/* The technician menu's buttons (the app's printer hooks). */
static int tech_print(void *priv, enum job_kind kind, char *msg, size_t len)
{
	struct refusal why;

	msg[0] = 0;
	if (queue_print(priv, kind, 0, &why) < 0) {
		snprintf(msg, len, "%s", why.message);
		return -1;
	}
	return 0;
}

int mc_app_printer_test(void *priv, char *msg, size_t len) { return tech_print(priv, JOB_TEST, msg, len); }

int mc_app_printer_reprint_last(void *priv, char *msg, size_t len)
{
	return tech_print(priv, JOB_REPRINT, msg, len);
}

/* ---- start ------------------------------------------------------------- */

int mc_app_add_printer(struct mc_app *app, char *err, size_t errlen)
{
	const struct mc_config *cfg = mc_app_config(app);
	struct printer_out *po;
	char msg[256];

	if (!cfg->printer.present)
		return 0;
	po = calloc(1, sizeof(*po));
	if (!po) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	po->app = app;
	po->state = MC_ESCPOS_UNKNOWN;
	po->dev_state = MC_PRINTER_READY;
	if (mc_app_sim(app) && !strncmp(cfg->printer.device, "usb:", 4))
		snprintf(po->device, sizeof(po->device), "file:sim-tickets");
	else
		snprintf(po->device, sizeof(po->device), "%s", cfg->printer.device);
	struct mc_printer_options opt = {
		.timeout_ms = cfg->printer.timeout_ms,
		.base_dir = mc_app_state_dir(app),
	};
	po->printer = mc_printer_open(po->device, &opt, msg, sizeof(msg));
	if (!po->printer) {
		snprintf(err, errlen, "%s:[printer] device: %s", cfg->path, msg);
		free(po);
		return -1;
	}
	po->worker = mc_worker_new(mc_app_loop(app), "printer");
	if (!po->worker) {
		snprintf(err, errlen, "printer worker: %s", strerror(errno));
		mc_printer_close(po->printer);
		free(po);
		return -1;
	}
	if (mc_app_add_output(app, &printer_ops, po) < 0) {
		snprintf(err, errlen, "too many outputs");
		release(po);
		return -1;
	}
	struct mc_ctl *ctl = mc_app_ctl(app);
	mc_ctl_register(ctl, "printer-status", "printer state; check: true asks the device now", cmd_status, po);
	mc_ctl_register(ctl, "printer-test", "print a test ticket", cmd_test, po);
	mc_ctl_register(ctl, "printer-reprint-last", "reprint the last printed ticket, marked as a reprint",
			cmd_reprint, po);
	mc_ctl_register(ctl, "printer-reprint", "reprint today's ticket {label}, marked as a reprint",
			cmd_reprint_label, po);
	/* The technician menu reaches the printer through these. */
	struct mc_app_hooks *h = mc_app_hooks(app);
	h->test_print = mc_app_printer_test;
	h->reprint_last = mc_app_printer_reprint_last;
	h->printer = po;
	queue_status(po);
	po->timer = mc_loop_add_timer(mc_app_loop(app), (int64_t)cfg->printer.status_interval_s * 1000,
				      on_timer, po);
	mc_log(MC_LOG_NOTICE, "printer: %s, %d dots", po->device, cfg->printer.width);
	return 0;
}

static int service_start(struct mc_app *app, void *priv, char *err, size_t errlen)
{
	(void)priv;
	return mc_app_add_printer(app, err, errlen);
}

const struct mc_service mc_service_printer = {
	.name = "printer",
	.start = service_start,
	.exit_code = 1,
};
