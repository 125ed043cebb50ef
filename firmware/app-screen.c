/* app-screen.c — the app's screen output and the touch input (see app-screen.h). */
#include "app-screen.h"
#include "services.h"
#include "app.h"
#include "app-rauc.h"
#include "ctl.h"
#include "datadir.h"
#include "log.h"
#include "loop.h"
#include "netaddr.h"
#include "present.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The view's arrays hold everything the config may name. */
static_assert(MC_VIEW_TEXT >= MC_TEXT, "view names shorter than config names");
static_assert(MC_VIEW_SERVICES >= MC_MAX_SERVICES, "view holds fewer services than config");
static_assert(MC_VIEW_COUNTERS >= MC_MAX_COUNTERS, "view holds fewer counters than config");
static_assert(sizeof(((struct mc_view_tech *)0)->addrs[0]) == MC_NETADDR_LEN, "address lines");

#define TECH_REFRESH_MS 5000   /* the menu's network and clock lines, while it is open */

struct mc_app_screen;

/* The context of an update search or installation: the update service
 * calls back exactly once, possibly after the screen is gone (then s is
 * NULL and the callback only frees this). */
struct tech_call {
	struct mc_app_screen *s;
	bool find;                      /* a search (else an installation) */
};

struct mc_app_screen {
	struct mc_app *app;
	struct mc_present *present;     /* the UI thread */
	struct mc_view view;            /* scratch, built on the loop thread */
	long long flush_timer;          /* pending view push (0: none) */
	uint32_t call_seq;              /* calls seen */
	int64_t recent[MC_VIEW_CALLS];  /* ticket ids of the last calls, newest first */
	int recent_counter[MC_VIEW_CALLS];
	int nrecent;
	unsigned long frames;           /* MC_PE_FRAME events */
	void (*observe)(void *, const struct mc_present_event *); /* test observer */
	void *observe_ctx;
	long long last_ticket_frame_us; /* last frame showing a ticket */
	/* The technician menu (loop thread). */
	bool tech_open;                 /* the menu is up: keep view.tech filled */
	long long tech_timer;           /* refresh while open (0: none) */
	struct mc_view_tech upd;        /* the update part of view.tech, kept between views */
	struct tech_call *find_call;    /* the search in flight (NULL: none) */
	struct tech_call *install_call; /* the installation in flight (NULL: none) */
};

/* ---- the view ---------------------------------------------------------- */

/* Today's no-shows a clerk may still call back, newest first: the hall
 * lists them so a citizen who missed the call sees it. */
static void missed_numbers(const struct mc_engine *e, const struct mc_config *cfg, const struct mc_when *w,
			   struct mc_view *v)
{
	size_t n;
	const struct mc_ticket *t = mc_engine_tickets(e, &n);
	int64_t window = (int64_t)cfg->office.noshow_window_s * 1000;

	for (size_t i = n; i-- > 0 && v->nmissed < MC_VIEW_MISSED;) {
		if (t[i].status != MC_T_NOSHOW || t[i].day != w->day || w->wall_ms - t[i].finished_wall > window)
			continue;
		snprintf(v->missed[v->nmissed++], sizeof(v->missed[0]), "%s", t[i].label);
	}
}

/* Appends one part to the staff alert, in both languages. */
static void alert_add(struct mc_view *v, const char *vi, const char *en)
{
	size_t a = strlen(v->alert), b = strlen(v->alert_en);
	snprintf(v->alert + a, sizeof(v->alert) - a, "%s%s", a ? " · " : "", vi);
	snprintf(v->alert_en + b, sizeof(v->alert_en) - b, "%s%s", b ? " · " : "", en);
}

/* What the staff must see on the hall and the technician screen: paper
 * near its end, the printer unable to print, counter units offline. */
static void staff_alert(json_t *st, struct mc_view *v)
{
	json_t *units = json_object_get(json_object_get(st, "bus"), "units");
	json_t *u;
	size_t i;
	char vi[64], en[64];

	if (!strcmp(v->printer_state, "near_end"))
		alert_add(v, "Giấy in sắp hết: thay cuộn giấy", "Paper near its end: load a new roll");
	else if (v->printer == MC_VIEW_PRINTER_DOWN)
		alert_add(v, "Máy in không in được", "The printer cannot print");
	json_array_foreach(units, i, u) {
		if (json_is_false(json_object_get(u, "online"))) {
			int c = (int)json_integer_value(json_object_get(u, "counter"));
			snprintf(vi, sizeof(vi), "Bàn phím quầy %d mất kết nối", c);
			snprintf(en, sizeof(en), "Counter %d keypad offline", c);
			alert_add(v, vi, en);
		}
	}
}

/* The technician menu's lines: version, addresses, clock, speaker, update. */
static void build_tech(struct mc_app_screen *s, json_t *st, struct mc_view_tech *t)
{
	const struct mc_app_hooks *h = mc_app_hooks(s->app);
	json_t *clock = json_object_get(st, "clock"), *audio = json_object_get(st, "audio");

	/* The update's state first: the rest is filled around it. */
	*t = s->upd;
	if (!h->update_install)
		t->update = MC_VIEW_UPD_NONE;
	snprintf(t->version, sizeof(t->version), "%s", MC_VERSION);
	int n = mc_netaddr_list(t->addrs, MC_VIEW_ADDRS);
	t->naddrs = n < 0 ? 0 : n;
	t->clock_trusted = json_is_true(json_object_get(clock, "trusted"));
	t->clock_confirmed = json_is_true(json_object_get(clock, "confirmed"));
	const char *mode = json_string_value(json_object_get(clock, "mode"));
	const char *src = json_string_value(json_object_get(clock, "source"));
	snprintf(t->clock_mode, sizeof(t->clock_mode), "%s", mode ? mode : "");
	snprintf(t->clock_source, sizeof(t->clock_source), "%s", src ? src : "");
	t->volume = h->get_volume ? h->get_volume(h->audio) : -1;
	const char *aerr = json_string_value(json_object_get(audio, "error"));
	snprintf(t->audio_error, sizeof(t->audio_error), "%s", aerr ? aerr : "");
	t->played = (unsigned long)json_integer_value(json_object_get(audio, "played"));
}

static void build_view(struct mc_app_screen *s)
{
	struct mc_view *v = &s->view;
	const struct mc_config *cfg = mc_app_config(s->app);
	const struct mc_engine *e = mc_app_engine(s->app);
	struct mc_when w;

	memset(v, 0, sizeof(*v));
	mc_app_now(s->app, &w);
	snprintf(v->office, sizeof(v->office), "%s", cfg->office.name);
	snprintf(v->office_en, sizeof(v->office_en), "%s",
		 cfg->office.name_en[0] ? cfg->office.name_en : cfg->office.name);
	v->nservices = cfg->nservices;
	for (int i = 0; i < cfg->nservices; i++) {
		struct mc_view_service *sv = &v->services[i];
		snprintf(sv->name, sizeof(sv->name), "%s", cfg->services[i].name);
		snprintf(sv->name_en, sizeof(sv->name_en), "%s",
			 cfg->services[i].name_en[0] ? cfg->services[i].name_en : cfg->services[i].name);
		sv->waiting = mc_engine_waiting(e, i);
		sv->est_wait_min = (int)((mc_engine_estimate(e, i, false) + 59999) / 60000);
		sv->prio_est_wait_min = (int)((mc_engine_estimate(e, i, true) + 59999) / 60000);
	}
	/* The priority screen shows the priority queue: its own count. */
	size_t nt;
	const struct mc_ticket *tk = mc_engine_tickets(e, &nt);
	for (size_t i = 0; i < nt; i++)
		if (tk[i].status == MC_T_WAITING && tk[i].priority && tk[i].cur_service < cfg->nservices)
			v->services[tk[i].cur_service].prio_waiting++;
	v->ncounters = cfg->ncounters;
	for (int i = 0; i < cfg->ncounters; i++) {
		const struct mc_counter_state *c = mc_engine_counter_state(e, cfg->counters[i].number);
		const struct mc_ticket *t = c && c->current ? mc_engine_ticket(e, c->current) : NULL;
		v->counters[i].number = cfg->counters[i].number;
		v->counters[i].paused = c && c->paused;
		v->counters[i].service = t ? t->cur_service : -1;
		snprintf(v->counters[i].label, sizeof(v->counters[i].label), "%s", t ? t->label : "");
	}
	for (int i = 0; i < s->nrecent; i++) {
		const struct mc_ticket *t = mc_engine_ticket(e, s->recent[i]);
		if (!t)
			continue;
		struct mc_view_call *c = &v->calls[v->ncalls++];
		snprintf(c->label, sizeof(c->label), "%s", t->label);
		c->counter = s->recent_counter[i];
		c->service = t->cur_service;
	}
	v->call_seq = s->call_seq;
	missed_numbers(e, cfg, &w, v);
	v->open = mc_engine_is_open(e, &w, &v->next_day, &v->next_minute);
	/* A break: the office opens again today and one of today's spans has
	 * already begun (not the morning before opening). */
	if (!v->open && v->next_day == w.day && v->next_minute >= 0) {
		int wd = mc_weekday(w.day);
		for (int i = 0; i < cfg->office.nhours[wd]; i++)
			v->lunch |= cfg->office.hours[wd][i].from <= w.minute;
	}
	v->issuing_paused = mc_engine_issuing_paused(e);
	switch (mc_engine_clock(e)) {
	case MC_E_CLOCK_UNTRUSTED: v->clock = MC_VIEW_CLOCK_UNTRUSTED; break;
	case MC_E_CLOCK_SETTLING: v->clock = MC_VIEW_CLOCK_SETTLING; break;
	case MC_E_CLOCK_BEHIND: v->clock = MC_VIEW_CLOCK_BEHIND; break;
	default: v->clock = MC_VIEW_CLOCK_OK; break;
	}
	switch (mc_engine_printer(e)) {
	case MC_PRINTER_ABSENT: v->printer = MC_VIEW_PRINTER_ABSENT; break;
	case MC_PRINTER_READY: v->printer = MC_VIEW_PRINTER_READY; break;
	case MC_PRINTER_DOWN: v->printer = MC_VIEW_PRINTER_DOWN; break;
	/* Its queue is full: for a moment it takes no more tickets. */
	case MC_PRINTER_FULL: v->printer = MC_VIEW_PRINTER_DOWN; break;
	}
	v->print_fail_screen = cfg->printer.on_fail == MC_PRINT_FAIL_SCREEN;
	json_t *st = json_object();
	mc_app_status(s->app, st);
	const char *ptext = json_string_value(json_object_get(json_object_get(st, "printer"), "text"));
	snprintf(v->printer_text, sizeof(v->printer_text), "%s", ptext ? ptext : "");
	const char *pstate = json_string_value(json_object_get(json_object_get(st, "printer"), "detail"));
	snprintf(v->printer_state, sizeof(v->printer_state), "%s", pstate ? pstate : "");
	staff_alert(st, v);
	/* The technician menu shows the devices: keep only their sections. */
	json_t *dev = json_object();
	static const char *const keys[] = { "printer", "bus", "gpio", "audio" };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (json_object_get(st, keys[i]))
			json_object_set(dev, keys[i], json_object_get(st, keys[i]));
	char *dump = json_dumps(dev, JSON_COMPACT);
	json_decref(dev);
	snprintf(v->status, sizeof(v->status), "%s", dump ? dump : "{}");
	free(dump);
	if (s->tech_open)
		build_tech(s, st, &v->tech);
	json_decref(st);
}

static int64_t on_flush(struct mc_loop *loop, long long id, void *ctx)
{
	struct mc_app_screen *s = ctx;

	(void)loop;
	(void)id;
	s->flush_timer = 0;
	build_view(s);
	mc_present_set_view(s->present, &s->view);
	return -1;
}

/* Several changes of one event become one view. */
static void schedule(struct mc_app_screen *s)
{
	if (!s->flush_timer)
		s->flush_timer = mc_loop_add_timer(mc_app_loop(s->app), 0, on_flush, s);
	if (s->flush_timer < 0)
		s->flush_timer = 0;
}

/* ---- output ops -------------------------------------------------------- */

static void changed(void *priv) { schedule(priv); }

static enum mc_view_outcome view_outcome(enum mc_err err);

/* The result screen of a ticket, from an issue. */
static void result_of(const struct mc_issue *is, int service, bool priority, struct mc_view_result *r)
{
	r->service = service;
	r->priority = priority;
	snprintf(r->label, sizeof(r->label), "%s", is->ticket.label);
	r->duplicate = is->duplicate;
	r->printing = is->ticket.print == MC_P_PENDING || is->ticket.print == MC_P_PRINTED;
	r->ahead = is->ahead;
	r->est_wait_min = (int)((is->est_wait_ms + 59999) / 60000);
}

static void issued(void *priv, const struct mc_issue *is)
{
	struct mc_app_screen *s = priv;

	/* A physical service button shows the same ticket screen as a touch
	 * (a touch gets its screen from do_press). */
	if (is->source && !strncmp(is->source, "gpio:", 5)) {
		struct mc_view_result r = { .outcome = view_outcome(MC_OK) };
		result_of(is, is->ticket.service, is->ticket.priority, &r);
		mc_present_set_result(s->present, &r);
	}
	schedule(s);
}

static void called(void *priv, int counter, const struct mc_ticket *t, enum mc_event_kind kind)
{
	struct mc_app_screen *s = priv;
	int i, n = s->nrecent;

	(void)kind;
	/* Move the ticket to the top of the recent calls. */
	for (i = 0; i < n; i++)
		if (s->recent[i] == t->id)
			break;
	if (i == n && n < MC_VIEW_CALLS)
		n++;
	for (int j = (i < n ? i : n - 1); j > 0; j--) {
		s->recent[j] = s->recent[j - 1];
		s->recent_counter[j] = s->recent_counter[j - 1];
	}
	s->recent[0] = t->id;
	s->recent_counter[0] = counter;
	s->nrecent = n;
	s->call_seq++;
	schedule(s);
}

/* Pings for taps carry the control client with this bit set. */
#define TAP_TOKEN (UINT64_C(1) << 63)

static const char *screen_name(enum mc_screen_id id)
{
	static const char *const names[] = { "home", "priority", "ticket", "notice", "pin", "technician" };
	return names[id < MC_SCR_COUNT ? id : 0];
}

static void status(void *priv, json_t *obj)
{
	struct mc_app_screen *s = priv;
	struct mc_present_stats st;

	mc_present_get_stats(s->present, &st);
	/* holding: the ticket screen up now still ignores every touch;
	 * guarding: a change of screen or page is too recent for a touch. */
	int64_t now = mc_mono_ms();
	json_t *o = json_pack("{s:s, s:s, s:b, s:b, s:i, s:i, s:I, s:I, s:s}",
		"driver", st.driver, "showing", screen_name(st.screen),
		"holding", st.hold_until_ms > now, "guarding", st.guard_until_ms > now,
		"width", st.width, "height", st.height, "frames", (json_int_t)st.kiosk_frames,
		"hall_frames", (json_int_t)st.hall_frames, "language", mc_lang_code(st.lang));
	/* The technician menu: its page, and the USB-stick update as it shows it. */
	static const char *const pages[] = { "main", "sound", "update", "confirm" };
	static const char *const upd[] = { "none", "idle", "searching", "listed", "installing", "done", "failed" };
	const struct mc_app_hooks *h = mc_app_hooks(s->app);
	json_t *bundles = json_array();
	for (int i = 0; i < s->upd.nbundles; i++)
		json_array_append_new(bundles, json_pack("{s:s, s:b}", "path", s->upd.bundles[i].path,
							 "installable", s->upd.bundles[i].installable));
	json_object_set_new(o, "technician", json_pack("{s:s, s:s, s:o, s:i, s:s, s:s}",
		"page", st.screen == MC_SCR_TECH ? pages[st.tech_page & 3] : "",
		"update", h->update_install ? upd[s->upd.update] : "none", "bundles", bundles,
		"update_percent", s->upd.update_pct, "update_path", s->upd.update_path,
		"update_message", s->upd.update_msg));
	json_object_set_new(obj, "screen", o);
}

static void release(void *priv)
{
	struct mc_app_screen *s = priv;

	if (s->flush_timer)
		mc_loop_del_timer(mc_app_loop(s->app), s->flush_timer);
	if (s->tech_timer)
		mc_loop_del_timer(mc_app_loop(s->app), s->tech_timer);
	/* The update service may answer after we are gone: it frees these. */
	if (s->find_call)
		s->find_call->s = NULL;
	if (s->install_call)
		s->install_call->s = NULL;
	mc_present_free(s->present);
	free(s);
}

static const struct mc_output_ops screen_ops = {
	.name = "screen",
	.issued = issued,
	.called = called,
	.changed = changed,
	.status = status,
	.free = release,
};

/* ---- events from the UI thread ----------------------------------------- */

/* The screens' words for the engine's answers. */
static enum mc_view_outcome view_outcome(enum mc_err err)
{
	switch (err) {
	case MC_OK: return MC_VIEW_ISSUED;
	case MC_E_CLOSED: return MC_VIEW_CLOSED;
	case MC_E_PRINTER: return MC_VIEW_NO_PRINTER;
	case MC_E_ISSUING_PAUSED: return MC_VIEW_PAUSED;
	case MC_E_EXHAUSTED: return MC_VIEW_EXHAUSTED;
	case MC_E_CLOCK_UNTRUSTED:
	case MC_E_CLOCK_SETTLING:
	case MC_E_CLOCK_BEHIND: return MC_VIEW_CLOCK;
	default: return MC_VIEW_BUSY;
	}
}

/* A touch press waiting for the store. */
struct pending_touch {
	struct mc_app_screen *s;
	struct mc_screen_req req;
};

static void touch_answer(void *ctx, enum mc_err err, const struct mc_issue *is,
			 const struct mc_ticket *t, const char *why)
{
	struct pending_touch *pt = ctx;
	struct mc_view_result r = { 0 };

	(void)t;
	(void)why;
	r.outcome = view_outcome(err);
	r.service = pt->req.service;
	r.priority = pt->req.priority;
	if (err == MC_OK) {
		result_of(is, pt->req.service, pt->req.priority, &r);
	} else if (err == MC_E_CLOSED) {
		r.open_day = is->open_day;
		r.open_minute = is->open_minute;
	}
	mc_present_set_result(pt->s->present, &r);
	free(pt);
}

static void do_press(struct mc_app_screen *s, const struct mc_screen_req *req)
{
	struct pending_touch *pt = malloc(sizeof(*pt));

	if (!pt) {
		struct mc_view_result r = { .outcome = view_outcome(MC_E_NOMEM), .service = req->service };
		mc_present_set_result(s->present, &r);
		return;
	}
	*pt = (struct pending_touch){ s, *req };
	/* The result shows before the ticket goes to the printer; while the
	 * database is busy the press waits in order. */
	mc_app_submit_press(s->app, req->service, req->priority, "touch", touch_answer, pt);
}

/* ---- the technician menu's requests --------------------------------------- */

static int64_t on_tech_refresh(struct mc_loop *loop, long long id, void *ctx)
{
	struct mc_app_screen *s = ctx;

	(void)loop;
	(void)id;
	if (!s->tech_open) {
		s->tech_timer = 0;
		return -1;
	}
	schedule(s);
	return TECH_REFRESH_MS;
}

static void tech_found(void *ctx, const struct mc_bundle *b, int n)
{
	struct tech_call *c = ctx;
	struct mc_app_screen *s = c->s;

	free(c);
	if (!s)
		return;
	s->find_call = NULL;
	/* An installation started meanwhile keeps its state. */
	if (s->upd.update == MC_VIEW_UPD_SEARCHING)
		s->upd.update = MC_VIEW_UPD_LISTED;
	s->upd.nbundles = 0;
	for (int i = 0; i < n && s->upd.nbundles < MC_VIEW_BUNDLES; i++) {
		struct mc_view_bundle *vb = &s->upd.bundles[s->upd.nbundles++];
		memset(vb, 0, sizeof(*vb));
		snprintf(vb->path, sizeof(vb->path), "%s", b[i].path);
		snprintf(vb->version, sizeof(vb->version), "%s", b[i].version);
		vb->installable = b[i].installable;
		snprintf(vb->why, sizeof(vb->why), "%s", b[i].why);
	}
	mc_log(MC_LOG_INFO, "technician menu: %d update bundle(s) found", n);
	schedule(s);
}

static void tech_progress(void *ctx, int pct, const char *message)
{
	struct tech_call *c = ctx;

	if (!c->s)
		return;
	c->s->upd.update_pct = pct;
	snprintf(c->s->upd.update_msg, sizeof(c->s->upd.update_msg), "%s", message);
	schedule(c->s);
}

static void tech_installed(void *ctx, bool ok, const char *message)
{
	struct tech_call *c = ctx;
	struct mc_app_screen *s = c->s;

	free(c);
	if (!s)
		return;
	s->install_call = NULL;
	s->upd.update = ok ? MC_VIEW_UPD_DONE : MC_VIEW_UPD_FAILED;
	if (ok)
		s->upd.update_pct = 100;
	snprintf(s->upd.update_msg, sizeof(s->upd.update_msg), "%s", message);
	schedule(s);
}

static void tech_update(struct mc_app_screen *s, const struct mc_screen_req *req)
{
	const struct mc_app_hooks *h = mc_app_hooks(s->app);
	char msg[600];

	if (!h->update_find || !h->update_install) {
		mc_present_set_message_key(s->present, S_UPD_NONE);
		return;
	}
	if (req->kind == MC_REQ_UPDATE_FIND) {
		if (s->find_call || s->upd.update == MC_VIEW_UPD_INSTALLING)
			return;  /* one search at a time; its answer comes */
		struct tech_call *c = calloc(1, sizeof(*c));
		if (!c)
			return;
		*c = (struct tech_call){ s, true };
		if (h->update_find(h->update, tech_found, c) < 0) {
			free(c);
			mc_present_set_message(s->present, "Không tìm được lúc này (cannot search now)");
			return;
		}
		s->find_call = c;
		s->upd.update = MC_VIEW_UPD_SEARCHING;
		schedule(s);
		return;
	}
	/* Install: the one bundle the technician confirmed. */
	if (s->install_call)
		return;
	struct tech_call *c = calloc(1, sizeof(*c));
	if (!c)
		return;
	*c = (struct tech_call){ s, false };
	if (h->update_install(h->update, req->path, tech_progress, tech_installed, c, msg, sizeof(msg)) < 0) {
		free(c);
		s->upd.update = MC_VIEW_UPD_FAILED;
		snprintf(s->upd.update_path, sizeof(s->upd.update_path), "%s", req->path);
		snprintf(s->upd.update_msg, sizeof(s->upd.update_msg), "%s", msg);
		schedule(s);
		return;
	}
	mc_log(MC_LOG_NOTICE, "technician menu: installing %s", req->path);
	s->install_call = c;
	s->upd.update = MC_VIEW_UPD_INSTALLING;
	s->upd.update_pct = 0;
	s->upd.update_msg[0] = 0;
	snprintf(s->upd.update_path, sizeof(s->upd.update_path), "%s", req->path);
	schedule(s);
}

static void tech_sound(struct mc_app_screen *s, const struct mc_screen_req *req)
{
	const struct mc_app_hooks *h = mc_app_hooks(s->app);
	char msg[300] = "";

	if (!h->set_volume) {
		mc_present_set_message_key(s->present, S_NO_VOICE);
		return;
	}
	if (req->kind == MC_REQ_SPEAKER_TEST) {
		if (h->speaker_test(h->audio, msg, sizeof(msg)) == 0)
			mc_present_set_message_key(s->present, S_SPEAKER_PLAYING);
		else
			mc_present_set_message(s->present, msg);
		return;
	}
	int vol = h->get_volume(h->audio) + req->arg;
	vol = vol < 0 ? 0 : vol > 100 ? 100 : vol;
	if (h->set_volume(h->audio, vol, msg, sizeof(msg)) < 0)
		mc_present_set_message(s->present, msg);
	else
		mc_present_set_message_key(s->present, S_DONE);
	schedule(s);
}

static void do_tech(struct mc_app_screen *s, const struct mc_screen_req *req)
{
	const struct mc_app_hooks *h = mc_app_hooks(s->app);
	char msg[256] = "";
	int (*op)(void *, char *, size_t) = NULL;

	switch (req->kind) {
	case MC_REQ_TECH_OPEN:
		s->tech_open = true;
		if (!s->tech_timer)
			s->tech_timer = mc_loop_add_timer(mc_app_loop(s->app), TECH_REFRESH_MS, on_tech_refresh, s);
		if (s->tech_timer < 0)
			s->tech_timer = 0;
		schedule(s);
		return;
	case MC_REQ_TECH_CLOSE:
		s->tech_open = false;
		if (s->tech_timer)
			mc_loop_del_timer(mc_app_loop(s->app), s->tech_timer);
		s->tech_timer = 0;
		schedule(s);
		return;
	case MC_REQ_SPEAKER_TEST:
	case MC_REQ_VOLUME:
		tech_sound(s, req);
		return;
	case MC_REQ_UPDATE_FIND:
	case MC_REQ_UPDATE_INSTALL:
		tech_update(s, req);
		return;
	case MC_REQ_PAUSE:
		mc_app_set_issuing_paused(s->app, req->arg != 0);
		mc_present_set_message_key(s->present, S_DONE);
		return;
	case MC_REQ_CLOCK_CONFIRM:
		if (mc_app_confirm_clock(s->app, msg, sizeof(msg)) == 0)
			mc_present_set_message_key(s->present, S_CLOCK_CONFIRMED);
		else
			mc_present_set_message(s->present, msg);
		return;
	case MC_REQ_TEST_PRINT:
		op = h->test_print;
		break;
	case MC_REQ_REPRINT:
		op = h->reprint_last;
		break;
	default:
		return;
	}
	if (!op) {
		mc_present_set_message_key(s->present, S_NOT_AVAILABLE);
		return;
	}
	if (op(h->printer, msg, sizeof(msg)) == 0 && !msg[0])
		mc_present_set_message_key(s->present, S_DONE);
	else
		mc_present_set_message(s->present, msg);
}

static void on_event(void *ctx, const struct mc_present_event *ev)
{
	struct mc_app_screen *s = ctx;

	switch (ev->kind) {
	case MC_PE_REQUEST:
		if (ev->req.kind == MC_REQ_PRESS)
			do_press(s, &ev->req);
		else
			do_tech(s, &ev->req);
		break;
	case MC_PE_SCREENSHOT: {
		json_t *msg = ev->ok ? json_object()
				     : json_pack("{s:b, s:s, s:s}", "ok", 0, "error", "screenshot", "message", ev->text);
		mc_ctl_send(mc_app_ctl(s->app), ev->token, msg, true);
		json_decref(msg);
		break;
	}
	case MC_PE_FRAME:
		s->frames++;
		if (!ev->hall && ev->screen == MC_SCR_TICKET)
			s->last_ticket_frame_us = ev->at_us;
		break;
	case MC_PE_QUIT:
		mc_log(MC_LOG_NOTICE, "screen window closed: stopping");
		mc_app_stop(s->app);
		break;
	case MC_PE_PONG:
		/* A tap's answer, once the UI thread has handled it. */
		if (ev->token & TAP_TOKEN) {
			struct mc_present_stats st;
			mc_present_get_stats(s->present, &st);
			/* Where it touched: a control's centre when tapped by name. */
			json_t *msg = json_pack("{s:s, s:s, s:f, s:f}", "showing", screen_name(st.screen),
						"language", mc_lang_code(st.lang), "x", st.tap_x, "y", st.tap_y);
			mc_ctl_send(mc_app_ctl(s->app), ev->token & ~TAP_TOKEN, msg, true);
			json_decref(msg);
		}
		break;
	}
	if (s->observe)
		s->observe(s->observe_ctx, ev);
}

static enum mc_ctl_result cmd_screenshot(void *ctx, json_t *req, json_t *resp, uint64_t client)
{
	struct mc_app_screen *s = ctx;
	const char *path = json_string_value(json_object_get(req, "path"));
	bool hall = json_is_true(json_object_get(req, "hall"));

	if (!path || path[0] != '/')
		return mc_ctl_error(resp, "bad_request", "screenshot needs an absolute \"path\"");
	if (mc_present_screenshot(s->present, hall, path, client) < 0)
		return mc_ctl_error(resp, "busy", "the screen is busy, try again");
	return MC_CTL_LATER;
}

/* tap: {x, y} logical pixels of the kiosk screen (or of the hall window
 * with hall: true), or {control: NAME} (mc_screen_find's names). Answers
 * once the UI thread has handled the touch, with the screen up then.
 * twice: true (kiosk screen, x and y): a double tap — the same point again
 * as soon as the frame after the first touch is shown, whatever the
 * machine's speed (tests of the change guard). */
static enum mc_ctl_result cmd_tap(void *ctx, json_t *req, json_t *resp, uint64_t client)
{
	struct mc_app_screen *s = ctx;
	json_t *xj = json_object_get(req, "x"), *yj = json_object_get(req, "y");
	const char *name = json_string_value(json_object_get(req, "control"));
	bool hall = json_is_true(json_object_get(req, "hall"));
	bool twice = json_is_true(json_object_get(req, "twice"));
	int rc;

	if (!name && (!json_is_number(xj) || !json_is_number(yj) || json_number_value(xj) < 0 ||
		      json_number_value(yj) < 0))
		return mc_ctl_error(resp, "bad_request", "tap needs x and y (pixels from the top left, 0 or more) "
				    "or a \"control\" name");
	if (hall && name)
		return mc_ctl_error(resp, "bad_request", "the hall screen has no named controls: give x and y");
	if (twice && (hall || name))
		return mc_ctl_error(resp, "bad_request", "twice is for x and y on the kiosk screen");
	if (hall)
		rc = mc_present_touch_hall(s->present, json_number_value(xj), json_number_value(yj));
	else
		rc = mc_present_touch(s->present, name, name ? 0 : json_number_value(xj),
				      name ? 0 : json_number_value(yj));
	/* The UI thread takes its messages in order: a ping between the two
	 * touches draws and shows the first one's frame before the second. */
	if (rc == 0 && twice &&
	    (mc_present_ping(s->present, 0) < 0 ||
	     mc_present_touch(s->present, NULL, json_number_value(xj), json_number_value(yj)) < 0))
		rc = -1;
	if (rc < 0)
		return mc_ctl_error(resp, hall ? "no_hall" : "busy",
				    hall ? "this kiosk has no hall screen" : "the screen is busy, try again");
	if (mc_present_ping(s->present, TAP_TOKEN | client) < 0)
		return mc_ctl_error(resp, "busy", "the screen is busy, try again");
	return MC_CTL_LATER;
}

/* ---- start ------------------------------------------------------------- */

/* After a restart, the recent calls are the engine's tickets called last. */
static void seed_recent(struct mc_app_screen *s)
{
	size_t n;
	const struct mc_ticket *t = mc_engine_tickets(mc_app_engine(s->app), &n);

	for (size_t i = 0; i < n; i++) {
		if (!t[i].called_wall || t[i].status == MC_T_VOIDED)
			continue;
		/* Insertion into a list kept newest first, at most MC_VIEW_CALLS long. */
		int k = s->nrecent < MC_VIEW_CALLS ? s->nrecent++ : MC_VIEW_CALLS;
		while (k > 0 && mc_engine_ticket(mc_app_engine(s->app), s->recent[k - 1])->called_wall <
				t[i].called_wall) {
			if (k < MC_VIEW_CALLS) {
				s->recent[k] = s->recent[k - 1];
				s->recent_counter[k] = s->recent_counter[k - 1];
			}
			k--;
		}
		if (k < MC_VIEW_CALLS) {
			s->recent[k] = t[i].id;
			s->recent_counter[k] = t[i].counter;
		}
	}
}

/* The translations, under the install prefix (MOTCUA_LOCALEDIR overrides). */
static void localedir(char *buf, size_t len)
{
	if (mc_data_path("MOTCUA_LOCALEDIR", "share/locale", buf, len) < 0)
		snprintf(buf, len, "/usr/share/locale");
}

struct mc_app_screen *mc_app_add_screen(struct mc_app *app, const struct mc_app_screen_options *o,
					char *err, size_t errlen)
{
	const struct mc_config *cfg = mc_app_config(app);
	bool sim = mc_app_sim(app);
	const char *hall = cfg->hall.present ? cfg->hall.display : "";
	struct mc_app_screen *s;

	err[0] = 0;
	if (!cfg->screen.present && !hall[0])
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->app = app;
	s->upd.update = MC_VIEW_UPD_IDLE;
	if (o) {
		s->observe = o->observe;
		s->observe_ctx = o->observe_ctx;
	}
	const char *driver = o && o->driver ? o->driver : cfg->screen.driver;
	if (!driver[0] && sim && !getenv("DISPLAY") && !getenv("WAYLAND_DISPLAY"))
		driver = "offscreen";
	char locales[256];
	localedir(locales, sizeof(locales));
	struct mc_present_options po = {
		.driver = driver,
		.width = cfg->screen.width,
		.height = cfg->screen.height,
		.rotate = cfg->screen.rotate,
		.fullscreen = !sim,
		.hall = hall[0] != 0,
		.hall_width = cfg->hall.width,
		.hall_height = cfg->hall.height,
		.hall_display = !strncmp(hall, "screen:", 7) ? atoi(hall + 7) : -1,
		.lang = strcmp(cfg->office.language, "en") ? MC_LANG_VI : MC_LANG_EN,
		.home_timeout_s = cfg->screen.home_timeout_s,
		.ticket_hold_ms = cfg->screen.ticket_hold_ms,
		.pin_hash = cfg->screen.pin_hash,
		.localedir = locales,
		.backlight = cfg->screen.backlight,
		.fixed_clock = o ? o->fixed_clock : NULL,
		.report_frames = o && o->report_frames,
	};
	s->present = mc_present_new(mc_app_loop(app), &po, on_event, s, err, errlen);
	if (!s->present) {
		free(s);
		return NULL;
	}
	seed_recent(s);
	if (mc_app_add_output(app, &screen_ops, s) < 0) {
		snprintf(err, errlen, "too many outputs");
		mc_present_free(s->present);
		free(s);
		return NULL;
	}
	/* The GPIO technician button opens the menu through this. */
	struct mc_app_hooks *h = mc_app_hooks(app);
	h->open_tech = mc_app_screen_open_tech;
	h->screen = s;
	mc_ctl_register(mc_app_ctl(app), "screenshot", "PNG of the screen: path (absolute), hall", cmd_screenshot, s);
	mc_ctl_register(mc_app_ctl(app), "tap", "touch the screen: x, y (or control), hall", cmd_tap, s);
	build_view(s);
	mc_present_set_view(s->present, &s->view);
	return s;
}

void mc_app_screen_open_tech(void *priv)
{
	struct mc_app_screen *s = priv;

	mc_log(MC_LOG_NOTICE, "technician menu opened by the GPIO technician button");
	mc_present_enter_tech(s->present);
}

struct mc_present *mc_app_screen_present(struct mc_app_screen *s) { return s->present; }

unsigned long mc_app_screen_frames(const struct mc_app_screen *s, long long *last_ticket_frame_us)
{
	if (last_ticket_frame_us)
		*last_ticket_frame_us = s->last_ticket_frame_us;
	return s->frames;
}

/* The touch and hall screens; without them the kiosk still serves. */
static int service_start(struct mc_app *app, void *priv, char *err, size_t errlen)
{
	(void)priv;
	if (!mc_app_add_screen(app, NULL, err, errlen) && err[0])
		mc_log(MC_LOG_ERR, "screen not started, serving without it: %s", err);
	return 0;
}

const struct mc_service mc_service_screen = {
	.name = "screen",
	.start = service_start,
	.exit_code = 1,
};
