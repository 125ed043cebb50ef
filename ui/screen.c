/* screen.c — the kiosk's touch screens (see screen.h). */
#include "screen.h"
#include "draw.h"
#include "civil.h"

#include <jansson.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_HITS 64

/* Colours. */
enum {
	C_BG = 0xF3F5F9, C_HEAD = 0x0B3D91, C_WHITE = 0xFFFFFF, C_TEXT = 0x1A1A1A,
	C_DIM = 0x5A6270, C_BTN = 0x1565C0, C_BTN_DOWN = 0x0A2F6B, C_PRIO = 0xF9A825,
	C_PRIO_DOWN = 0xC17900, C_RED = 0xC62828, C_GREEN = 0x2E7D32, C_GREY = 0x8A93A3,
	C_PANEL = 0xFFFFFF, C_LINE = 0xC9D0DB,
};

/* What a control does. */
enum act {
	A_SERVICE, A_PRIORITY, A_BACK, A_LANG, A_TECH_KEY, A_PIN_DIGIT, A_PIN_DEL, A_PIN_OK,
	A_TECH_TEST, A_TECH_REPRINT, A_TECH_PAUSE, A_TECH_LANG, A_BRIGHT_DOWN, A_BRIGHT_UP,
	A_TECH_EXIT, A_TECH_CLOCK, A_TECH_SOUND, A_TECH_UPDATE, A_TECH_BACK, A_VOL_DOWN, A_VOL_UP,
	A_SPEAKER, A_BUNDLE, A_RESCAN, A_INSTALL_OK, A_INSTALL_CANCEL, A_ANY,
};

/* A touchable control of the last frame. */
struct hit {
	struct mc_rect r;   /* where */
	enum act act;       /* what */
	int arg;            /* service, language or digit */
};

struct mc_screen {
	struct mc_screen_options o;
	char pin_hash[160];           /* copy of o.pin_hash */
	char fixed_clock[8];          /* copy of o.fixed_clock */
	const struct mc_i18n *t;      /* strings */
	struct mc_view v;             /* latest view */
	bool have_view;               /* a view arrived */
	enum mc_screen_id id;         /* screen chosen (HOME may show a standing notice) */
	enum mc_notice notice;        /* MC_SCR_NOTICE: which */
	enum mc_lang lang;            /* language shown */
	struct mc_view_result res;    /* last ticket result */
	int64_t until_ms;             /* ticket/notice/technician screens end (0: never) */
	int64_t shown_ms;             /* monotonic ms the current screen came up */
	int64_t guard_until;          /* touches before this are dropped (a screen change) */
	bool hits_stale;              /* the screen changed since hits were drawn */
	bool unshown;                 /* the screen changed since a frame of it was shown */
	enum mc_notice drawn_standing; /* standing notice of the last frame */
	bool dirty;                   /* a frame must be drawn */
	struct hit hits[MAX_HITS];    /* controls of the last frame */
	int nhits;
	int pressed;                  /* hit index shown pressed (-1: none) */
	bool waiting;                 /* a press is with the app */
	char pin[12];                 /* digits typed */
	bool pin_check;               /* check the PIN at the next tick */
	int pin_fails;                /* wrong PINs in a row */
	int pin_checks;               /* PINs checked (tests) */
	int64_t locked_until;         /* monotonic ms (0: not locked) */
	char locked_text[16];         /* wall time the lockout ends, "HH:MM" */
	char pin_msg[160];            /* message on the PIN pad */
	char tech_msg[160];           /* message on the technician menu */
	int brightness;               /* 0..10 */
	char clock[8];                /* "HH:MM" shown */
	enum mc_tech_page page;       /* technician menu page */
	char sel_path[512];           /* MC_TECH_CONFIRM: the bundle chosen */
	int tech_note;                /* for mc_screen_take_req: 1 menu opened, 2 closed, 0 none */
};

/* ---- helpers ----------------------------------------------------------- */

static const char *tr(const struct mc_screen *s, enum mc_str k) { return mc_tr(s->t, s->lang, k); }

static void now_text(const struct mc_screen *s, char *clock, size_t clen, int32_t *day)
{
	if (s->fixed_clock[0]) {
		snprintf(clock, clen, "%s", s->fixed_clock);
		*day = s->o.fixed_day;
		return;
	}
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	snprintf(clock, clen, "%02d:%02d", tm.tm_hour, tm.tm_min);
	*day = mc_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

static void date_text(const struct mc_screen *s, enum mc_lang lang, int32_t day, char *buf, size_t len)
{
	int y, m, d;

	mc_civil_from_days(day, &y, &m, &d);
	snprintf(buf, len, "%s, %02d/%02d/%04d",
		 mc_tr(s->t, lang, (enum mc_str)(S_SUNDAY + mc_weekday(day))), d, m, y);
}

static const char *svc_name(const struct mc_screen *s, int i)
{
	if (i < 0 || i >= s->v.nservices)
		return "";
	return s->lang == MC_LANG_EN ? s->v.services[i].name_en : s->v.services[i].name;
}

static struct hit *add_hit(struct mc_screen *s, struct mc_rect r, enum act a, int arg)
{
	if (s->nhits >= MAX_HITS - 1)
		return NULL;
	s->hits[s->nhits] = (struct hit){ r, a, arg };
	return &s->hits[s->nhits++];
}

/* Whether the control about to be added is the pressed one. */
static bool is_pressed(const struct mc_screen *s, enum act a, int arg)
{
	return s->pressed >= 0 && s->hits[s->pressed].act == a && s->hits[s->pressed].arg == arg;
}

/* Changes screen at monotonic time now. Touches are dropped until the new
 * screen is drawn and MC_SCREEN_GUARD_MS have passed, so that a tap meant
 * for the old screen never acts on the new one. */
static void go(struct mc_screen *s, enum mc_screen_id id, enum mc_notice n, int64_t until, int64_t now)
{
	/* The app keeps the menu's extra lines fresh only while it is open. */
	if (id == MC_SCR_TECH && s->id != MC_SCR_TECH) {
		s->tech_note = 1;
		s->page = MC_TECH_MAIN;
	} else if (id != MC_SCR_TECH && s->id == MC_SCR_TECH) {
		s->tech_note = 2;
	}
	s->id = id;
	s->notice = n;
	s->until_ms = until;
	s->shown_ms = now;
	s->guard_until = now + MC_SCREEN_GUARD_MS;
	s->hits_stale = true;
	s->unshown = true;
	s->pressed = -1;
	s->dirty = true;
}

/* Home in the office's default language, whatever happened before. */
static void go_home(struct mc_screen *s, int64_t now)
{
	s->lang = s->o.lang;
	s->waiting = false;
	memset(s->pin, 0, sizeof(s->pin));
	go(s, MC_SCR_HOME, MC_NOTICE_NONE, 0, now);
}

/* The notice the home screen stands on, if any. */
static enum mc_notice standing(const struct mc_screen *s)
{
	if (!s->have_view)
		return MC_NOTICE_NONE;
	/* Before opening hours: those are read from the clock. */
	if (s->v.clock != MC_VIEW_CLOCK_OK)
		return MC_NOTICE_CLOCK;
	if (!s->v.open)
		return MC_NOTICE_CLOSED;
	if (s->v.issuing_paused)
		return MC_NOTICE_PAUSED;
	if (s->v.printer == MC_VIEW_PRINTER_DOWN && !s->v.print_fail_screen)
		return MC_NOTICE_PRINTER;
	return MC_NOTICE_NONE;
}

/* ---- life -------------------------------------------------------------- */

struct mc_screen *mc_screen_new(const struct mc_screen_options *o, const struct mc_i18n *t)
{
	struct mc_screen *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->o = *o;
	snprintf(s->pin_hash, sizeof(s->pin_hash), "%s", o->pin_hash ? o->pin_hash : "");
	snprintf(s->fixed_clock, sizeof(s->fixed_clock), "%s", o->fixed_clock ? o->fixed_clock : "");
	s->o.pin_hash = s->pin_hash;
	s->o.fixed_clock = s->fixed_clock;
	s->t = t;
	s->brightness = o->brightness;
	s->pressed = -1;
	go_home(s, 0);
	s->guard_until = 0;
	return s;
}

void mc_screen_free(struct mc_screen *s) { free(s); }

void mc_screen_set_size(struct mc_screen *s, int width, int height)
{
	s->o.width = width;
	s->o.height = height;
	s->dirty = true;
}

/* Compares the parts of two views that the kiosk screens show. */
static bool kiosk_view_differs(const struct mc_view *a, const struct mc_view *b, bool tech)
{
	if (a->nservices != b->nservices || a->open != b->open || a->issuing_paused != b->issuing_paused ||
	    a->clock != b->clock ||
	    a->printer != b->printer || a->print_fail_screen != b->print_fail_screen ||
	    a->next_day != b->next_day || a->next_minute != b->next_minute || a->lunch != b->lunch ||
	    strcmp(a->alert, b->alert) || strcmp(a->printer_text, b->printer_text) ||
	    strcmp(a->office, b->office) || strcmp(a->office_en, b->office_en))
		return true;
	if (memcmp(a->services, b->services, sizeof(a->services[0]) * (size_t)a->nservices))
		return true;
	return tech && (strcmp(a->status, b->status) || strcmp(a->printer_text, b->printer_text) ||
			memcmp(&a->tech, &b->tech, sizeof(a->tech)) || strcmp(a->printer_state, b->printer_state));
}

void mc_screen_set_view(struct mc_screen *s, const struct mc_view *v)
{
	if (!s->have_view || kiosk_view_differs(&s->v, v, s->id == MC_SCR_TECH))
		s->dirty = true;
	s->v = *v;
	s->have_view = true;
	/* A standing notice coming or going is a change of screen too. */
	if ((s->id == MC_SCR_HOME || s->id == MC_SCR_PRIORITY) && standing(s) != s->drawn_standing)
		s->hits_stale = true;
}

void mc_screen_set_result(struct mc_screen *s, const struct mc_view_result *r, int64_t now_ms)
{
	int64_t until = now_ms + (int64_t)s->o.home_timeout_s * 1000;

	s->waiting = false;
	/* A physical button's ticket while a technician works: the menu stays. */
	if (s->id == MC_SCR_PIN || s->id == MC_SCR_TECH)
		return;
	s->res = *r;
	switch (r->outcome) {
	case MC_VIEW_ISSUED: go(s, MC_SCR_TICKET, MC_NOTICE_NONE, until, now_ms); break;
	case MC_VIEW_CLOSED: go(s, MC_SCR_NOTICE, MC_NOTICE_CLOSED, until, now_ms); break;
	case MC_VIEW_NO_PRINTER: go(s, MC_SCR_NOTICE, MC_NOTICE_PRINTER, until, now_ms); break;
	case MC_VIEW_PAUSED: go(s, MC_SCR_NOTICE, MC_NOTICE_PAUSED, until, now_ms); break;
	case MC_VIEW_EXHAUSTED: go(s, MC_SCR_NOTICE, MC_NOTICE_EXHAUSTED, until, now_ms); break;
	case MC_VIEW_CLOCK: go(s, MC_SCR_NOTICE, MC_NOTICE_CLOCK, until, now_ms); break;
	default: go(s, MC_SCR_NOTICE, MC_NOTICE_BUSY, until, now_ms); break;
	}
}

void mc_screen_set_message(struct mc_screen *s, const char *text)
{
	snprintf(s->tech_msg, sizeof(s->tech_msg), "%s", text);
	if (s->id == MC_SCR_TECH)
		s->dirty = true;
}

/* ---- touch ------------------------------------------------------------- */

static void one_language(const char *text, enum mc_lang lang, char *buf, size_t len);

/* Another page of the technician menu: like a change of screen, touches
 * are dropped until it is drawn and MC_SCREEN_GUARD_MS have passed, so a
 * double tap never acts on the page it opens. */
static void tech_page(struct mc_screen *s, enum mc_tech_page page, int64_t now)
{
	s->page = page;
	s->tech_msg[0] = 0;
	s->guard_until = now + MC_SCREEN_GUARD_MS;
	s->hits_stale = true;
	s->unshown = true;
	s->pressed = -1;
	s->dirty = true;
}

static void pin_digit(struct mc_screen *s, int d)
{
	size_t n = strlen(s->pin);

	if (n + 1 < sizeof(s->pin))
		s->pin[n] = (char)('0' + d);
}

bool mc_screen_touch(struct mc_screen *s, double x, double y, int64_t now_ms,
		     struct mc_screen_req *req)
{
	int i;

	memset(req, 0, sizeof(*req));
	if (s->waiting || s->pin_check)
		return false;
	/* During a screen change the controls under the finger are not the
	 * ones the citizen saw: drop the touch. */
	if (s->hits_stale || now_ms < s->guard_until)
		return false;
	for (i = s->nhits - 1; i >= 0; i--)
		if (mc_rect_has(s->hits[i].r, x, y))
			break;
	if (i < 0)
		return false;
	struct hit h = s->hits[i];
	/* The number stays up a few seconds whatever is touched: repeated taps
	 * of an unsure hand must neither hide it nor reach the home screen. */
	if (s->id == MC_SCR_TICKET && now_ms < mc_screen_hold_until(s))
		return false;
	s->pressed = i;
	s->dirty = true;
	if (s->id == MC_SCR_PIN || s->id == MC_SCR_TECH)
		s->until_ms = now_ms + MC_TECH_IDLE_S * 1000;
	switch (h.act) {
	case A_SERVICE:
		s->waiting = true;
		req->kind = MC_REQ_PRESS;
		req->service = h.arg;
		req->priority = s->id == MC_SCR_PRIORITY;
		return true;
	case A_PRIORITY:
		go(s, MC_SCR_PRIORITY, MC_NOTICE_NONE, now_ms + (int64_t)s->o.home_timeout_s * 3000, now_ms);
		return false;
	case A_BACK:
	case A_ANY:
	case A_TECH_EXIT:
		go_home(s, now_ms);
		return false;
	case A_LANG:
		s->lang = (enum mc_lang)h.arg;
		/* Another language lasts until the next ticket or home_timeout. */
		if (s->id == MC_SCR_HOME && s->lang != s->o.lang)
			s->until_ms = now_ms + (int64_t)s->o.home_timeout_s * 1000;
		return false;
	case A_TECH_KEY:
		memset(s->pin, 0, sizeof(s->pin));
		s->pin_msg[0] = 0;
		go(s, MC_SCR_PIN, MC_NOTICE_NONE, now_ms + MC_TECH_IDLE_S * 1000, now_ms);
		return false;
	case A_PIN_DIGIT:
		pin_digit(s, h.arg);
		return false;
	case A_PIN_DEL:
		if (s->pin[0])
			s->pin[strlen(s->pin) - 1] = 0;
		return false;
	case A_PIN_OK:
		if (s->pin[0])
			s->pin_check = true;
		return false;
	case A_TECH_TEST:
		req->kind = MC_REQ_TEST_PRINT;
		return true;
	case A_TECH_REPRINT:
		req->kind = MC_REQ_REPRINT;
		return true;
	case A_TECH_PAUSE:
		req->kind = MC_REQ_PAUSE;
		req->arg = !s->v.issuing_paused;
		return true;
	case A_TECH_CLOCK:
		req->kind = MC_REQ_CLOCK_CONFIRM;
		return true;
	case A_TECH_LANG:
		/* The technician's menu only: the kiosk's language stays. */
		s->lang = s->lang == MC_LANG_VI ? MC_LANG_EN : MC_LANG_VI;
		return false;
	case A_TECH_SOUND:
		tech_page(s, MC_TECH_SOUND, now_ms);
		return false;
	case A_TECH_UPDATE:
		tech_page(s, MC_TECH_UPDATE, now_ms);
		/* Look again, unless an installation is running. */
		if (s->v.tech.update == MC_VIEW_UPD_NONE || s->v.tech.update == MC_VIEW_UPD_INSTALLING)
			return false;
		req->kind = MC_REQ_UPDATE_FIND;
		return true;
	case A_TECH_BACK:
		tech_page(s, s->page == MC_TECH_CONFIRM ? MC_TECH_UPDATE : MC_TECH_MAIN, now_ms);
		return false;
	case A_VOL_DOWN:
	case A_VOL_UP:
		req->kind = MC_REQ_VOLUME;
		req->arg = h.act == A_VOL_UP ? 10 : -10;
		return true;
	case A_SPEAKER:
		req->kind = MC_REQ_SPEAKER_TEST;
		return true;
	case A_RESCAN:
		if (s->v.tech.update == MC_VIEW_UPD_INSTALLING)
			return false;
		req->kind = MC_REQ_UPDATE_FIND;
		return true;
	case A_BUNDLE:
		if (h.arg >= s->v.tech.nbundles || s->v.tech.update == MC_VIEW_UPD_INSTALLING)
			return false;
		if (!s->v.tech.bundles[h.arg].installable) {
			char why[300];
			one_language(s->v.tech.bundles[h.arg].why, s->lang, why, sizeof(why));
			snprintf(s->tech_msg, sizeof(s->tech_msg), "%s: %s", tr(s, S_UPD_NOT_INSTALLABLE), why);
			return false;
		}
		snprintf(s->sel_path, sizeof(s->sel_path), "%s", s->v.tech.bundles[h.arg].path);
		tech_page(s, MC_TECH_CONFIRM, now_ms);
		return false;
	case A_INSTALL_CANCEL:
		tech_page(s, MC_TECH_UPDATE, now_ms);
		return false;
	case A_INSTALL_OK:
		/* Installs exactly the bundle the technician read on this page. */
		if (!s->sel_path[0] || s->v.tech.update == MC_VIEW_UPD_INSTALLING)
			return false;
		req->kind = MC_REQ_UPDATE_INSTALL;
		snprintf(req->path, sizeof(req->path), "%s", s->sel_path);
		s->sel_path[0] = 0;
		tech_page(s, MC_TECH_UPDATE, now_ms);
		return true;
	case A_BRIGHT_DOWN:
	case A_BRIGHT_UP:
		s->brightness += h.act == A_BRIGHT_UP ? 1 : -1;
		s->brightness = s->brightness < 1 ? 1 : s->brightness > 10 ? 10 : s->brightness;
		req->kind = MC_REQ_BRIGHTNESS;
		req->arg = s->brightness;
		return true;
	}
	return false;
}

/* Checks the typed PIN against the stored hash (slow on purpose). */
static void check_pin(struct mc_screen *s, int64_t now_ms)
{
	s->pin_check = false;
	s->pin_checks++;
	s->dirty = true;
	if (s->locked_until && now_ms < s->locked_until) {
		mc_trf(s->t, s->lang, S_LOCKED_UNTIL, s->pin_msg, sizeof(s->pin_msg), s->locked_text);
		goto out;
	}
	if (!s->pin_hash[0]) {
		snprintf(s->pin_msg, sizeof(s->pin_msg), "%s", tr(s, S_NO_PIN));
		goto out;
	}
	if (crypto_pwhash_str_verify(s->pin_hash, s->pin, strlen(s->pin)) == 0) {
		s->pin_fails = 0;
		s->locked_until = 0;
		s->tech_msg[0] = 0;
		go(s, MC_SCR_TECH, MC_NOTICE_NONE, now_ms + MC_TECH_IDLE_S * 1000, now_ms);
		goto out;
	}
	if (++s->pin_fails >= MC_PIN_ATTEMPTS) {
		time_t end = time(NULL) + MC_PIN_LOCKOUT_S;
		struct tm tm;
		localtime_r(&end, &tm);
		snprintf(s->locked_text, sizeof(s->locked_text), "%02d:%02d", tm.tm_hour, tm.tm_min);
		s->locked_until = now_ms + MC_PIN_LOCKOUT_S * 1000;
		s->pin_fails = 0;
		mc_trf(s->t, s->lang, S_LOCKED_UNTIL, s->pin_msg, sizeof(s->pin_msg), s->locked_text);
	} else {
		mc_trf(s->t, s->lang, S_WRONG_PIN, s->pin_msg, sizeof(s->pin_msg),
			 MC_PIN_ATTEMPTS - s->pin_fails);
	}
out:
	sodium_memzero(s->pin, sizeof(s->pin));
}

void mc_screen_tick(struct mc_screen *s, int64_t now_ms)
{
	char clock[8];
	int32_t day;

	if (s->pin_check) {
		check_pin(s, now_ms);
		return;
	}
	if (s->until_ms && now_ms >= s->until_ms)
		go_home(s, now_ms);
	now_text(s, clock, sizeof(clock), &day);
	if (strcmp(clock, s->clock))
		s->dirty = true;
}

int64_t mc_screen_deadline(const struct mc_screen *s, int64_t now_ms)
{
	if (s->pin_check)
		return now_ms;
	int64_t next = -1;
	if (s->until_ms)
		next = s->until_ms;
	if (!s->fixed_clock[0]) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		int64_t to_minute = 60000 - ((int64_t)ts.tv_sec % 60) * 1000 - ts.tv_nsec / 1000000 + 5;
		if (next < 0 || now_ms + to_minute < next)
			next = now_ms + to_minute;
	}
	return next;
}

/* ---- drawing ----------------------------------------------------------- */

/* Geometry shared by the screens. */
struct geo {
	double W, H, u;     /* size; unit = 1 % of the shorter side */
	bool land;          /* landscape */
	struct mc_rect head, body, foot;
};

static struct geo layout(const struct mc_screen *s)
{
	struct geo g;

	g.W = s->o.width;
	g.H = s->o.height;
	g.u = fmin(g.W, g.H) / 100.0;
	g.land = g.W >= g.H;
	double hh = fmax(g.H * (g.land ? 0.13 : 0.085), 48);
	double fh = fmax(g.H * (g.land ? 0.15 : 0.1), 52);
	g.head = (struct mc_rect){ 0, 0, g.W, hh };
	g.foot = (struct mc_rect){ 0, g.H - fh, g.W, fh };
	g.body = (struct mc_rect){ 0, hh, g.W, g.H - hh - fh };
	return g;
}

static void draw_header(struct mc_screen *s, cairo_t *cr, const struct geo *g)
{
	char date[64];
	int32_t day;

	mc_draw_box(cr, g->head, 0, C_HEAD);
	now_text(s, s->clock, sizeof(s->clock), &day);
	date_text(s, s->lang, day, date, sizeof(date));
	double pad = 2 * g->u, cw = fmax(g->W * 0.22, 18 * g->u);
	struct mc_rect name = { pad, 0, g->W - cw - 3 * pad, g->head.h };
	const char *office = s->lang == MC_LANG_EN ? s->v.office_en : s->v.office;
	mc_draw_text(cr, office, name, g->head.h * 0.36, 2, MC_TEXT_BOLD, C_WHITE);
	struct mc_rect clk = { g->W - cw - pad, g->head.h * 0.06, cw, g->head.h * 0.58 };
	mc_draw_text(cr, s->clock, clk, g->head.h * 0.5, 1, MC_TEXT_BOLD | MC_TEXT_RIGHT, C_WHITE);
	struct mc_rect dt = { g->W - cw - pad, g->head.h * 0.62, cw, g->head.h * 0.32 };
	mc_draw_text(cr, date, dt, g->head.h * 0.2, 1, MC_TEXT_RIGHT, 0xD6E2F7);
}

/* The technician key: three small dots, bottom right, easy to miss. */
static void draw_tech_key(struct mc_screen *s, cairo_t *cr, const struct geo *g)
{
	double sz = fmax(6 * g->u, 30);
	struct mc_rect r = { g->W - sz - g->u, g->H - sz - g->u, sz, sz };

	mc_draw_color(cr, C_GREY);
	for (int i = -1; i <= 1; i++) {
		cairo_arc(cr, r.x + r.w / 2 + i * sz * 0.22, r.y + r.h / 2, sz * 0.06, 0, 2 * M_PI);
		cairo_fill(cr);
	}
	add_hit(s, r, A_TECH_KEY, 0);
}

static void draw_lang_switch(struct mc_screen *s, cairo_t *cr, struct mc_rect area, const struct geo *g)
{
	static const char *const names[MC_LANG_COUNT] = { "Tiếng Việt", "English" };
	double w = area.w / 2;

	for (int l = 0; l < MC_LANG_COUNT; l++) {
		struct mc_rect r = mc_rect_inset((struct mc_rect){ area.x + l * w, area.y, w, area.h }, g->u * 0.6);
		bool on = s->lang == (enum mc_lang)l;
		mc_draw_box(cr, r, r.h * 0.2, on ? C_HEAD : C_PANEL);
		mc_draw_frame(cr, r, r.h * 0.2, fmax(1, g->u * 0.3), C_HEAD);
		mc_draw_text(cr, names[l], mc_rect_inset(r, g->u), r.h * 0.38, 1,
			     MC_TEXT_CENTER | MC_TEXT_BOLD, on ? C_WHITE : C_HEAD);
		add_hit(s, r, A_LANG, l);
	}
}

/* Columns for n buttons in an area, aiming at wide buttons (about 2.6:1). */
static int grid_cols(int n, double w, double h)
{
	int best = 1;
	double best_score = 1e9;

	for (int c = 1; c <= n; c++) {
		int r = (n + c - 1) / c;
		double aspect = (w / c) / (h / r);
		double score = fabs(log(aspect / 2.6)) + (c * r - n) * 0.05;
		if (score < best_score) {
			best_score = score;
			best = c;
		}
	}
	return best;
}

static void draw_services(struct mc_screen *s, cairo_t *cr, const struct geo *g, struct mc_rect area,
			  bool prio)
{
	int n = s->v.nservices;
	if (n <= 0)
		return;
	int cols = grid_cols(n, area.w, area.h), rows = (n + cols - 1) / cols;
	double cw = area.w / cols, ch = area.h / rows, gap = g->u * 1.2;
	char info[300], wait[128], count[128];

	for (int i = 0; i < n; i++) {
		const struct mc_view_service *sv = &s->v.services[i];
		struct mc_rect r = { area.x + (i % cols) * cw, area.y + (i / cols) * ch, cw, ch };
		r = mc_rect_inset(r, gap / 2);
		bool down = is_pressed(s, A_SERVICE, i);
		uint32_t bg = prio ? (down ? C_PRIO_DOWN : C_PRIO) : (down ? C_BTN_DOWN : C_BTN);
		uint32_t fg = prio ? C_TEXT : C_WHITE;
		mc_draw_box(cr, r, g->u * 1.5, bg);
		if (down)
			mc_draw_frame(cr, r, g->u * 1.5, fmax(3, g->u * 0.8), 0xFFD54F);
		struct mc_rect in = mc_rect_inset(r, fmax(g->u * 1.2, 6));
		struct mc_rect nm = { in.x, in.y, in.w, in.h * 0.64 };
		struct mc_rect inf = { in.x, in.y + in.h * 0.66, in.w, in.h * 0.34 };
		mc_draw_text(cr, svc_name(s, i), nm, fmin(nm.h * 0.45, g->u * 7), 2,
			     MC_TEXT_CENTER | MC_TEXT_BOLD, fg);
		if (down && s->waiting) {
			snprintf(info, sizeof(info), "%s", tr(s, S_ISSUING));
		} else {
			/* The priority screen tells the priority queue's figures. */
			int nw = prio ? sv->prio_waiting : sv->waiting;
			int est = prio ? sv->prio_est_wait_min : sv->est_wait_min;
			mc_trf(s->t, s->lang, S_WAITING_N, count, sizeof(count), nw);
			if (est > 0)
				mc_trf(s->t, s->lang, S_ABOUT_MIN, wait, sizeof(wait), est);
			else
				snprintf(wait, sizeof(wait), "%s", tr(s, S_NO_WAIT));
			snprintf(info, sizeof(info), "%s  ·  %s", count, wait);
		}
		mc_draw_text(cr, info, inf, fmin(inf.h * 0.6, g->u * 4), 1, MC_TEXT_CENTER,
			     prio ? C_TEXT : 0xDCE8FA);
		add_hit(s, r, A_SERVICE, i);
	}
}

static void render_home(struct mc_screen *s, cairo_t *cr, const struct geo *g, bool prio)
{
	double pad = 2 * g->u;
	struct mc_rect title = { pad, g->body.y + g->u, g->W - 2 * pad, fmax(g->body.h * 0.1, 24) };
	struct mc_rect grid = { pad, title.y + title.h + g->u, g->W - 2 * pad,
				g->body.y + g->body.h - title.y - title.h - 2 * g->u };

	if (prio) {
		mc_draw_box(cr, title, g->u, C_PRIO);
		mc_draw_text(cr, tr(s, S_PRIORITY_CHOOSE), mc_rect_inset(title, g->u * 0.5),
			     title.h * 0.6, 1, MC_TEXT_CENTER | MC_TEXT_BOLD, C_TEXT);
	} else {
		mc_draw_text(cr, tr(s, S_CHOOSE_SERVICE), title, title.h * 0.7, 1,
			     MC_TEXT_CENTER | MC_TEXT_BOLD, C_TEXT);
	}
	draw_services(s, cr, g, grid, prio);

	/* Footer: priority entry (or back) on the left, languages on the right. */
	double keyw = fmax(6 * g->u, 30) + 2 * g->u;
	double langw = fmin(g->W * 0.36, 52 * g->u);
	struct mc_rect left = { pad, g->foot.y + g->u, g->W - langw - keyw - 3 * pad, g->foot.h - 2 * g->u };
	struct mc_rect lang = { left.x + left.w + pad, g->foot.y + g->foot.h * 0.18, langw, g->foot.h * 0.64 };
	if (prio) {
		bool down = is_pressed(s, A_BACK, 0);
		mc_draw_box(cr, left, g->u * 1.5, down ? 0x4A5160 : 0x6B7280);
		mc_draw_text(cr, tr(s, S_BACK), mc_rect_inset(left, g->u), left.h * 0.45, 1,
			     MC_TEXT_CENTER | MC_TEXT_BOLD, C_WHITE);
		add_hit(s, left, A_BACK, 0);
	} else {
		bool down = is_pressed(s, A_PRIORITY, 0);
		mc_draw_box(cr, left, g->u * 1.5, down ? C_PRIO_DOWN : C_PRIO);
		mc_draw_frame(cr, left, g->u * 1.5, fmax(2, g->u * 0.5), 0x7A4F00);
		struct mc_rect in = mc_rect_inset(left, g->u);
		double tw = in.w * (g->land ? 0.3 : 0.34);
		mc_draw_text(cr, tr(s, S_PRIORITY), (struct mc_rect){ in.x, in.y, tw, in.h }, in.h * 0.55,
			     1, MC_TEXT_CENTER | MC_TEXT_BOLD, C_TEXT);
		mc_draw_text(cr, tr(s, S_PRIORITY_WHO), (struct mc_rect){ in.x + tw, in.y, in.w - tw, in.h },
			     in.h * 0.32, 2, MC_TEXT_LEFT, C_TEXT);
		add_hit(s, left, A_PRIORITY, 0);
	}
	draw_lang_switch(s, cr, lang, g);
}

/* A device's "Vietnamese (English)" text in one language: the notice
 * speaks one language at a time. Other texts are shown as they are. */
static void one_language(const char *text, enum mc_lang lang, char *buf, size_t len)
{
	const char *open = strstr(text, " (");
	size_t n = strlen(text);

	if (!open || n < 2 || text[n - 1] != ')') {
		snprintf(buf, len, "%s", text);
		return;
	}
	if (lang == MC_LANG_VI)
		snprintf(buf, len, "%.*s", (int)(open - text), text);
	else
		snprintf(buf, len, "%.*s", (int)(text + n - 1 - (open + 2)), open + 2);
}

/* Formats the next opening time ("07:30", "Thứ Năm, 26/11/2026"). */
static void opening_text(const struct mc_screen *s, int32_t day, int minute, char *buf, size_t len)
{
	char date[64], hm[16];

	if (minute < 0) {
		snprintf(buf, len, "%s", tr(s, S_NO_OPENING));
		return;
	}
	date_text(s, s->lang, day, date, sizeof(date));
	snprintf(hm, sizeof(hm), "%02d:%02d", minute / 60, minute % 60);
	mc_trf(s->t, s->lang, S_OPENS_AT, buf, len, hm, date);
}

static void render_notice(struct mc_screen *s, cairo_t *cr, const struct geo *g, enum mc_notice n,
			  bool standing_notice)
{
	char line[256] = "", lunch[160];
	const char *title = "", *sub = "";
	uint32_t color = C_RED;

	switch (n) {
	case MC_NOTICE_CLOSED: {
		int32_t day = standing_notice ? s->v.next_day : s->res.open_day;
		int minute = standing_notice ? s->v.next_minute : s->res.open_minute;
		sub = tr(s, S_COME_BACK);
		color = C_HEAD;
		/* A lunch break says when it ends; otherwise outside hours,
		 * with the next opening. */
		if (s->v.lunch && day == s->v.next_day && minute >= 0) {
			char hm[16];
			snprintf(hm, sizeof(hm), "%02d:%02d", minute / 60, minute % 60);
			mc_trf(s->t, s->lang, S_LUNCH_UNTIL, lunch, sizeof(lunch), hm);
			title = lunch;
		} else {
			title = tr(s, S_CLOSED);
			opening_text(s, day, minute, line, sizeof(line));
		}
		break;
	}
	case MC_NOTICE_PRINTER:
		title = tr(s, S_PRINTER_DOWN);
		sub = tr(s, S_ASK_STAFF);
		one_language(s->v.printer_text, s->lang, line, sizeof(line));
		break;
	case MC_NOTICE_PAUSED:
		title = tr(s, S_PAUSED);
		sub = tr(s, S_PAUSED_WAIT);
		color = 0xB26A00;
		break;
	case MC_NOTICE_EXHAUSTED:
		title = tr(s, S_BUSY);
		sub = tr(s, S_EXHAUSTED);
		break;
	case MC_NOTICE_CLOCK: {
		/* The refusal and the view come from the same clock state. */
		enum mc_view_clock why = s->v.clock;
		title = tr(s, S_PAUSED);
		snprintf(line, sizeof(line), "%s", tr(s, why == MC_VIEW_CLOCK_SETTLING ? S_CLOCK_SETTLING :
						  why == MC_VIEW_CLOCK_BEHIND ? S_CLOCK_BEHIND : S_CLOCK_UNTRUSTED));
		sub = tr(s, S_PAUSED_WAIT);
		color = 0xB26A00;
		break;
	}
	case MC_NOTICE_BUSY:
	case MC_NOTICE_NONE:
		title = tr(s, S_BUSY);
		sub = tr(s, S_TRY_AGAIN);
		break;
	}
	struct mc_rect panel = mc_rect_inset(g->body, 4 * g->u);
	mc_draw_box(cr, panel, 2 * g->u, C_PANEL);
	mc_draw_box(cr, (struct mc_rect){ panel.x, panel.y, panel.w, fmax(g->u, 6) }, 0, color);
	struct mc_rect in = mc_rect_inset(panel, 4 * g->u);
	mc_draw_text(cr, title, (struct mc_rect){ in.x, in.y, in.w, in.h * 0.4 }, g->u * 9, 2,
		     MC_TEXT_CENTER | MC_TEXT_BOLD, color);
	mc_draw_text(cr, line, (struct mc_rect){ in.x, in.y + in.h * 0.42, in.w, in.h * 0.28 }, g->u * 6, 2,
		     MC_TEXT_CENTER | MC_TEXT_BOLD, C_TEXT);
	mc_draw_text(cr, sub, (struct mc_rect){ in.x, in.y + in.h * 0.72, in.w, in.h * 0.28 }, g->u * 5, 2,
		     MC_TEXT_CENTER, C_DIM);
	if (standing_notice) {
		struct mc_rect lang = { g->W * 0.3, g->foot.y + g->foot.h * 0.18, g->W * 0.4, g->foot.h * 0.64 };
		draw_lang_switch(s, cr, lang, g);
	} else {
		mc_draw_text(cr, tr(s, S_TOUCH_BACK), g->foot, g->foot.h * 0.3, 1, MC_TEXT_CENTER, C_DIM);
		add_hit(s, (struct mc_rect){ 0, 0, g->W, g->H }, A_ANY, 0);
	}
}

static void render_ticket(struct mc_screen *s, cairo_t *cr, const struct geo *g)
{
	const struct mc_view_result *r = &s->res;
	char ahead[96], wait[96], svc[MC_VIEW_TEXT + 32];

	struct mc_rect panel = mc_rect_inset(g->body, 3 * g->u);
	mc_draw_box(cr, panel, 2 * g->u, C_PANEL);
	struct mc_rect in = mc_rect_inset(panel, 3 * g->u);
	double y = in.y;
	mc_draw_text(cr, tr(s, S_YOUR_NUMBER), (struct mc_rect){ in.x, y, in.w, in.h * 0.1 }, g->u * 5, 1,
		     MC_TEXT_CENTER | MC_TEXT_BOLD, C_DIM);
	y += in.h * 0.1;
	mc_draw_text(cr, r->label, (struct mc_rect){ in.x, y, in.w, in.h * 0.36 }, in.h * 0.42, 1,
		     MC_TEXT_CENTER | MC_TEXT_BOLD, r->priority ? 0xB26A00 : C_HEAD);
	y += in.h * 0.37;
	snprintf(svc, sizeof(svc), "%s%s%s", svc_name(s, r->service), r->priority ? "  ·  " : "",
		 r->priority ? tr(s, S_PRIORITY) : "");
	mc_draw_text(cr, svc, (struct mc_rect){ in.x, y, in.w, in.h * 0.12 }, g->u * 5, 1,
		     MC_TEXT_CENTER | MC_TEXT_BOLD, C_TEXT);
	y += in.h * 0.13;
	mc_trf(s->t, s->lang, S_AHEAD_N, ahead, sizeof(ahead), r->ahead);
	mc_trf(s->t, s->lang, S_EST_WAIT_MIN, wait, sizeof(wait), r->est_wait_min);
	char both[200];
	snprintf(both, sizeof(both), "%s   ·   %s", ahead, wait);
	mc_draw_text(cr, both, (struct mc_rect){ in.x, y, in.w, in.h * 0.1 }, g->u * 4, 2,
		     MC_TEXT_CENTER, C_TEXT);
	y += in.h * 0.12;
	struct mc_rect note = { in.x + in.w * 0.05, y, in.w * 0.9, in.y + in.h - y };
	mc_draw_box(cr, note, g->u, r->printing ? C_GREEN : C_RED);
	mc_draw_text(cr, tr(s, r->printing ? S_TAKE_TICKET : S_REMEMBER_NUMBER), mc_rect_inset(note, g->u),
		     g->u * 6, 2, MC_TEXT_CENTER | MC_TEXT_BOLD, C_WHITE);
	/* Only this button (after the hold, ticket_hold_ms) or the timeout goes home:
	 * the rest of the screen does nothing when touched. */
	struct mc_rect home = { g->W * 0.3, g->foot.y + g->foot.h * 0.12, g->W * 0.4, g->foot.h * 0.76 };
	bool down = is_pressed(s, A_BACK, 0);
	mc_draw_box(cr, home, g->u * 1.5, down ? 0x4A5160 : 0x6B7280);
	mc_draw_text(cr, tr(s, S_HOME_BUTTON), mc_rect_inset(home, g->u), home.h * 0.42, 1,
		     MC_TEXT_CENTER | MC_TEXT_BOLD, C_WHITE);
	add_hit(s, home, A_BACK, 0);
}

static void render_pin(struct mc_screen *s, cairo_t *cr, const struct geo *g)
{
	char dots[32] = "";
	double pad = 2 * g->u;
	struct mc_rect info = { pad, g->body.y + g->u, g->land ? g->W * 0.42 : g->W - 2 * pad,
				g->land ? g->body.h - 2 * g->u : g->body.h * 0.3 };
	struct mc_rect pad_r = g->land ? (struct mc_rect){ g->W * 0.46, g->body.y + g->u, g->W * 0.5, g->body.h - 2 * g->u }
				       : (struct mc_rect){ pad, info.y + info.h, g->W - 2 * pad, g->body.h * 0.68 };

	for (size_t i = 0; i < strlen(s->pin) && i < 10; i++)
		strcat(dots, "● ");
	mc_draw_text(cr, tr(s, S_ENTER_PIN), (struct mc_rect){ info.x, info.y, info.w, info.h * 0.3 },
		     g->u * 6, 2, MC_TEXT_CENTER | MC_TEXT_BOLD, C_TEXT);
	struct mc_rect d = { info.x, info.y + info.h * 0.32, info.w, info.h * 0.2 };
	mc_draw_box(cr, d, g->u, C_PANEL);
	mc_draw_text(cr, dots, mc_rect_inset(d, g->u), d.h * 0.5, 1, MC_TEXT_CENTER, C_TEXT);
	mc_draw_text(cr, s->pin_check ? tr(s, S_CHECKING) : s->pin_msg,
		     (struct mc_rect){ info.x, info.y + info.h * 0.55, info.w, info.h * 0.45 }, g->u * 4.5, 3,
		     MC_TEXT_CENTER | MC_TEXT_BOLD, C_RED);
	static const char *const keys[12] = { "1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", "OK" };
	double kw = pad_r.w / 3, kh = pad_r.h / 4;
	for (int i = 0; i < 12; i++) {
		struct mc_rect r = mc_rect_inset((struct mc_rect){ pad_r.x + (i % 3) * kw, pad_r.y + (i / 3) * kh,
								   kw, kh }, g->u * 0.7);
		enum act a = i == 9 ? A_PIN_DEL : i == 11 ? A_PIN_OK : A_PIN_DIGIT;
		int arg = i == 10 ? 0 : i < 9 ? i + 1 : 0;
		bool down = is_pressed(s, a, arg);
		mc_draw_box(cr, r, g->u, down ? C_BTN_DOWN : i == 11 ? C_GREEN : C_BTN);
		mc_draw_text(cr, keys[i], r, r.h * 0.45, 1, MC_TEXT_CENTER | MC_TEXT_BOLD, C_WHITE);
		add_hit(s, r, a, arg);
	}
	struct mc_rect back = { pad, g->foot.y + g->u, g->W * 0.3, g->foot.h - 2 * g->u };
	mc_draw_box(cr, back, g->u, 0x6B7280);
	mc_draw_text(cr, tr(s, S_BACK), back, back.h * 0.45, 1, MC_TEXT_CENTER | MC_TEXT_BOLD, C_WHITE);
	add_hit(s, back, A_BACK, 0);
}

/* ---- the technician menu ------------------------------------------------- */

/* "Label: value" into buf. */
static void line_kv(const struct mc_screen *s, enum mc_str label, const char *value, char *buf, size_t len)
{
	snprintf(buf, len, "%s: %s", tr(s, label), value);
}

/* The printer in a technician's words: "sẵn sàng", "hết giấy", ... */
static void printer_words(const struct mc_screen *s, char *buf, size_t len)
{
	static const struct { const char *state; enum mc_str k; } words[] = {
		{ "near_end", S_PRN_NEAR_END }, { "paper_out", S_PRN_PAPER_OUT },
		{ "cover_open", S_PRN_COVER_OPEN }, { "offline", S_PRN_OFFLINE }, { "error", S_PRN_ERROR },
	};
	const char *st = s->v.printer_state;

	if (s->v.printer == MC_VIEW_PRINTER_ABSENT) {
		snprintf(buf, len, "%s", tr(s, S_NONE_HERE));
		return;
	}
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(st, words[i].state)) {
			snprintf(buf, len, "%s", tr(s, words[i].k));
			return;
		}
	if (s->v.printer == MC_VIEW_PRINTER_READY) {
		snprintf(buf, len, "%s", tr(s, !strcmp(st, "unknown") ? S_PRN_UNKNOWN : S_READY));
		return;
	}
	char why[160];
	one_language(s->v.printer_text, s->lang, why, sizeof(why));
	snprintf(buf, len, "%s%s%s", tr(s, S_CANNOT_PRINT), why[0] ? " — " : "", why);
}

/* The counter bus: how many keypads answer. */
static void bus_words(const struct mc_screen *s, json_t *root, char *buf, size_t len)
{
	json_t *units = json_object_get(json_object_get(root, "bus"), "units"), *u;
	size_t i;
	int online = 0;

	if (!json_object_get(root, "bus")) {
		snprintf(buf, len, "%s", tr(s, S_NONE_HERE));
		return;
	}
	json_array_foreach(units, i, u)
		online += json_is_true(json_object_get(u, "online"));
	mc_trf(s->t, s->lang, S_BUS_UNITS, buf, len, online, (int)json_array_size(units));
}

static void gpio_words(const struct mc_screen *s, json_t *root, char *buf, size_t len)
{
	json_t *g = json_object_get(root, "gpio");

	if (!g)
		snprintf(buf, len, "%s", tr(s, S_NONE_HERE));
	else
		mc_trf(s->t, s->lang, S_GPIO_LINES, buf, len, (int)json_array_size(json_object_get(g, "lines")));
}

static void speaker_words(const struct mc_screen *s, char *buf, size_t len)
{
	const struct mc_view_tech *t = &s->v.tech;
	char a[64], b[64];

	if (t->volume < 0) {
		snprintf(buf, len, "%s", tr(s, S_NONE_HERE));
		return;
	}
	mc_trf(s->t, s->lang, S_VOLUME_PCT, a, sizeof(a), t->volume);
	if (t->audio_error[0]) {
		char e[200];
		mc_trf(s->t, s->lang, S_SPEAKER_ERROR, e, sizeof(e), t->audio_error);
		snprintf(buf, len, "%s · %s", a, e);
		return;
	}
	mc_trf(s->t, s->lang, S_PLAYED_N, b, sizeof(b), t->played);
	snprintf(buf, len, "%s · %s", a, b);
}

/* The clock: the time shown and who vouches for it. */
static void clock_words(const struct mc_screen *s, char *buf, size_t len)
{
	const struct mc_view_tech *t = &s->v.tech;
	enum mc_str k;

	if (!t->clock_trusted)
		k = S_CLOCK_WAIT_NTP;
	else if (t->clock_confirmed)
		k = S_CLOCK_BY_TECH;
	else if (!strcmp(t->clock_mode, "trust"))
		k = S_CLOCK_TRUST;
	else if (!strcmp(t->clock_mode, "rtc") || strstr(t->clock_source, "RTC"))
		k = S_CLOCK_RTC;
	else
		k = S_CLOCK_NTP;
	snprintf(buf, len, "%s — %s", s->clock, tr(s, k));
}

static void network_words(const struct mc_screen *s, char *buf, size_t len)
{
	const struct mc_view_tech *t = &s->v.tech;
	size_t n = 0;

	buf[0] = 0;
	if (!t->naddrs) {
		snprintf(buf, len, "%s", tr(s, S_NO_NETWORK));
		return;
	}
	for (int i = 0; i < t->naddrs && n + 4 < len; i++) {
		int w = snprintf(buf + n, len - n, "%s%s", i ? " · " : "", t->addrs[i]);
		if (w < 0)
			break;
		n += (size_t)w;
	}
}

/* The status panel and the button area of a technician page. */
static void tech_split(const struct geo *g, double panel_share, struct mc_rect *panel, struct mc_rect *btns)
{
	double pad = 2 * g->u;

	*panel = (struct mc_rect){ pad, g->body.y + g->u, g->land ? g->W * panel_share - pad : g->W - 2 * pad,
				   g->land ? g->body.h - 2 * g->u : g->body.h * 0.5 };
	*btns = g->land ? (struct mc_rect){ g->W * panel_share + g->u, panel->y, g->W * (1 - panel_share) - pad - g->u,
					    panel->h }
			: (struct mc_rect){ pad, panel->y + panel->h + g->u, g->W - 2 * pad, g->body.h * 0.48 };
}

/* One technician button. */
struct tbtn {
	enum act a;
	int arg;
	const char *text;
	uint32_t color;
	bool wide;               /* takes a whole row */
};

/* Lays out buttons two a row (a wide one alone) in area, at least as tall
 * as a finger needs. */
static void draw_tbtns(struct mc_screen *s, cairo_t *cr, const struct geo *g, struct mc_rect area,
		       const struct tbtn *b, int n)
{
	int rows = 0;
	for (int i = 0; i < n; i++) {
		if (b[i].wide || i + 1 >= n || b[i + 1].wide)
			rows++;
		else
			rows++, i++;
	}
	double bh = area.h / (rows ? rows : 1), bw = area.w / 2, y = area.y;
	for (int i = 0; i < n; i++) {
		bool pair = !b[i].wide && i + 1 < n && !b[i + 1].wide;
		for (int k = 0; k < (pair ? 2 : 1); k++) {
			const struct tbtn *t = &b[i + k];
			struct mc_rect r = pair ? (struct mc_rect){ area.x + k * bw, y, bw, bh }
						: (struct mc_rect){ area.x, y, area.w, bh };
			r = mc_rect_inset(r, g->u * 0.7);
			bool down = is_pressed(s, t->a, t->arg);
			mc_draw_box(cr, r, g->u, down ? C_BTN_DOWN : t->color);
			mc_draw_text(cr, t->text, mc_rect_inset(r, g->u), fmin(r.h * 0.32, g->u * 5), 2,
				     MC_TEXT_CENTER | MC_TEXT_BOLD, C_WHITE);
			add_hit(s, r, t->a, t->arg);
		}
		i += pair;
		y += bh;
	}
}

static void render_tech_main(struct mc_screen *s, cairo_t *cr, const struct geo *g)
{
	char lines[10][700], val[600];
	int n = 0;
	json_t *root = json_loads(s->v.status, 0, NULL);
	struct mc_rect st, btns;

	tech_split(g, 0.56, &st, &btns);
	mc_draw_box(cr, st, g->u, C_PANEL);
	struct mc_rect in = mc_rect_inset(st, g->u * 1.5);

	printer_words(s, val, sizeof(val));
	line_kv(s, S_PRINTER, val, lines[n++], sizeof(lines[0]));
	bus_words(s, root, val, sizeof(val));
	line_kv(s, S_BUS, val, lines[n++], sizeof(lines[0]));
	gpio_words(s, root, val, sizeof(val));
	line_kv(s, S_GPIO, val, lines[n++], sizeof(lines[0]));
	/* Until the app has filled the menu's lines (a moment after it
	 * opens), say nothing rather than something wrong. */
	bool filled = s->v.tech.version[0] != 0;
	if (filled)
		speaker_words(s, val, sizeof(val));
	line_kv(s, S_SPEAKER, filled ? val : "…", lines[n++], sizeof(lines[0]));
	if (filled)
		clock_words(s, val, sizeof(val));
	line_kv(s, S_CLOCK, filled ? val : "…", lines[n++], sizeof(lines[0]));
	if (filled)
		network_words(s, val, sizeof(val));
	line_kv(s, S_NETWORK, filled ? val : "…", lines[n++], sizeof(lines[0]));
	line_kv(s, S_VERSION, s->v.tech.version[0] ? s->v.tech.version : "…", lines[n++], sizeof(lines[0]));
	int issuing = n;
	snprintf(lines[n], sizeof(lines[0]), "%s: %s   ·   ", tr(s, S_ISSUING_STATE),
		 tr(s, s->v.issuing_paused ? S_OFF : S_ON));
	size_t len = strlen(lines[n]);
	int waiting = 0;
	for (int i = 0; i < s->v.nservices; i++)
		waiting += s->v.services[i].waiting;
	mc_trf(s->t, s->lang, S_WAITING_TOTAL, lines[n] + len, sizeof(lines[0]) - len, waiting);
	if (s->v.clock != MC_VIEW_CLOCK_OK)
		/* What the technician must know first: why nothing is issued. */
		snprintf(lines[n], sizeof(lines[0]), "%s",
			 tr(s, s->v.clock == MC_VIEW_CLOCK_SETTLING ? S_CLOCK_SETTLING :
			       s->v.clock == MC_VIEW_CLOCK_BEHIND ? S_CLOCK_BEHIND : S_CLOCK_UNTRUSTED));
	n++;
	snprintf(lines[n++], sizeof(lines[0]), "%s: %d/10   ·   %s: %s", tr(s, S_BRIGHTNESS), s->brightness,
		 tr(s, S_LANGUAGE), s->lang == MC_LANG_VI ? "Tiếng Việt" : "English");
	double lh = in.h / (n + (s->v.alert[0] ? 1 : 0));
	for (int i = 0; i < n; i++)
		mc_draw_text(cr, lines[i], (struct mc_rect){ in.x, in.y + i * lh, in.w, lh }, fmin(lh * 0.5, g->u * 3.4),
			     2, MC_TEXT_LEFT | (i == issuing ? MC_TEXT_BOLD : 0), C_TEXT);
	/* What the staff must act on (paper near its end, a device failing). */
	if (s->v.alert[0]) {
		struct mc_rect a = { in.x, in.y + n * lh, in.w, lh };
		mc_draw_box(cr, a, g->u, C_RED);
		mc_draw_text(cr, s->lang == MC_LANG_VI ? s->v.alert : s->v.alert_en, mc_rect_inset(a, g->u * 0.5),
			     fmin(lh * 0.5, g->u * 3.4), 2, MC_TEXT_CENTER | MC_TEXT_BOLD, C_WHITE);
	}
	json_decref(root);

	char bdown[96], bup[96];
	snprintf(bdown, sizeof(bdown), "%s −", tr(s, S_BRIGHTNESS));
	snprintf(bup, sizeof(bup), "%s +", tr(s, S_BRIGHTNESS));
	struct tbtn b[10];
	int nb = 0;
	b[nb++] = (struct tbtn){ A_TECH_TEST, 0, tr(s, S_TEST_PRINT), C_BTN, false };
	b[nb++] = (struct tbtn){ A_TECH_REPRINT, 0, tr(s, S_REPRINT), C_BTN, false };
	b[nb++] = (struct tbtn){ A_TECH_SOUND, 0, tr(s, S_SOUND_BUTTON), C_BTN, false };
	b[nb++] = (struct tbtn){ A_TECH_UPDATE, 0, tr(s, S_UPDATE_BUTTON), C_BTN, false };
	b[nb++] = (struct tbtn){ A_BRIGHT_DOWN, 0, bdown, C_BTN, false };
	b[nb++] = (struct tbtn){ A_BRIGHT_UP, 0, bup, C_BTN, false };
	b[nb++] = (struct tbtn){ A_TECH_PAUSE, 0, tr(s, s->v.issuing_paused ? S_RESUME_ISSUING : S_PAUSE_ISSUING),
				 0xB26A00, false };
	b[nb++] = (struct tbtn){ A_TECH_LANG, 0, s->lang == MC_LANG_VI ? "English" : "Tiếng Việt", C_BTN, false };
	/* Confirming the clock is offered only while it is not trusted. */
	if (s->v.clock == MC_VIEW_CLOCK_UNTRUSTED)
		b[nb++] = (struct tbtn){ A_TECH_CLOCK, 0, tr(s, S_CONFIRM_CLOCK), 0xB26A00, false };
	b[nb++] = (struct tbtn){ A_TECH_EXIT, 0, tr(s, S_EXIT), C_RED, nb % 2 == 0 };
	draw_tbtns(s, cr, g, btns, b, nb);
}

/* A horizontal bar filled to pct. */
static void draw_bar(cairo_t *cr, struct mc_rect r, int pct, double radius, uint32_t color)
{
	mc_draw_box(cr, r, radius, C_LINE);
	struct mc_rect f = r;
	f.w = r.w * (pct < 0 ? 0 : pct > 100 ? 100 : pct) / 100.0;
	if (f.w > 0)
		mc_draw_box(cr, f, radius, color);
}

static void render_tech_sound(struct mc_screen *s, cairo_t *cr, const struct geo *g)
{
	const struct mc_view_tech *t = &s->v.tech;
	struct mc_rect st, btns;
	char line[700], val[600];

	tech_split(g, 0.56, &st, &btns);
	mc_draw_box(cr, st, g->u, C_PANEL);
	struct mc_rect in = mc_rect_inset(st, g->u * 2);
	mc_draw_text(cr, tr(s, S_SOUND_BUTTON), (struct mc_rect){ in.x, in.y, in.w, in.h * 0.16 }, g->u * 5, 1,
		     MC_TEXT_LEFT | MC_TEXT_BOLD, C_HEAD);
	struct tbtn b[4];
	int nb = 0;
	if (t->volume < 0) {
		mc_draw_text(cr, tr(s, S_NO_VOICE), (struct mc_rect){ in.x, in.y + in.h * 0.2, in.w, in.h * 0.5 },
			     g->u * 4, 3, MC_TEXT_LEFT, C_TEXT);
	} else {
		mc_trf(s->t, s->lang, S_VOLUME_PCT, val, sizeof(val), t->volume);
		mc_draw_text(cr, val, (struct mc_rect){ in.x, in.y + in.h * 0.2, in.w, in.h * 0.2 }, g->u * 7, 1,
			     MC_TEXT_LEFT | MC_TEXT_BOLD, C_TEXT);
		draw_bar(cr, (struct mc_rect){ in.x, in.y + in.h * 0.43, in.w, in.h * 0.1 }, t->volume, g->u, C_GREEN);
		speaker_words(s, val, sizeof(val));
		line_kv(s, S_SPEAKER, val, line, sizeof(line));
		mc_draw_text(cr, line, (struct mc_rect){ in.x, in.y + in.h * 0.6, in.w, in.h * 0.18 }, g->u * 3.6, 2,
			     MC_TEXT_LEFT, C_TEXT);
		b[nb++] = (struct tbtn){ A_VOL_DOWN, 0, tr(s, S_VOL_DOWN), C_BTN, false };
		b[nb++] = (struct tbtn){ A_VOL_UP, 0, tr(s, S_VOL_UP), C_BTN, false };
		b[nb++] = (struct tbtn){ A_SPEAKER, 0, tr(s, S_SPEAKER_TEST), C_GREEN, true };
	}
	mc_draw_text(cr, s->tech_msg, (struct mc_rect){ in.x, in.y + in.h * 0.8, in.w, in.h * 0.2 }, g->u * 3.6, 2,
		     MC_TEXT_LEFT | MC_TEXT_BOLD, C_HEAD);
	b[nb++] = (struct tbtn){ A_TECH_BACK, 0, tr(s, S_BACK), 0x6B7280, true };
	draw_tbtns(s, cr, g, btns, b, nb);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* The update service's outcome, "Vietnamese (English): more Vietnamese
 * (more English) (RAUC: its own words)", in one language: the text outside
 * the brackets, or the bracketed English parts; then RAUC's words. */
static void update_words(const char *msg, enum mc_lang lang, char *buf, size_t len)
{
	char out[600] = "", rauc[400] = "";
	size_t n = 0;
	int depth = 0;
	const char *group = NULL;

	for (const char *p = msg; *p; p++) {
		if (*p == '(' && depth++ == 0) {
			group = p + 1;
			continue;
		}
		if (*p == ')' && depth > 0 && --depth == 0) {
			size_t gl = (size_t)(p - group);
			if (!strncmp(group, "RAUC: ", 6))
				snprintf(rauc, sizeof(rauc), "%.*s", (int)gl, group);
			else if (lang == MC_LANG_EN && n + gl + 3 < sizeof(out))
				n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%.*s", n ? ": " : "", (int)gl, group);
			continue;
		}
		if (depth == 0 && lang == MC_LANG_VI && n + 2 < sizeof(out) &&
		    !(*p == ' ' && (n == 0 || out[n - 1] == ' ')))
			out[n++] = *p;
		out[n] = 0;
	}
	while (n && (out[n - 1] == ' ' || out[n - 1] == ':'))
		out[--n] = 0;
	snprintf(buf, len, "%s%s%s", out[0] ? out : msg, rauc[0] ? " — " : "", rauc);
}

static void render_tech_update(struct mc_screen *s, cairo_t *cr, const struct geo *g)
{
	const struct mc_view_tech *t = &s->v.tech;
	struct mc_rect st, btns;
	char line[700], why[300];

	tech_split(g, 0.66, &st, &btns);
	mc_draw_box(cr, st, g->u, C_PANEL);
	struct mc_rect in = mc_rect_inset(st, g->u * 1.5);
	double th = in.h * 0.12;
	mc_draw_text(cr, tr(s, S_UPDATE_TITLE), (struct mc_rect){ in.x, in.y, in.w, th }, g->u * 4.5, 1,
		     MC_TEXT_LEFT | MC_TEXT_BOLD, C_HEAD);
	/* Where the update stands, above the list. */
	struct mc_rect state = { in.x, in.y + th, in.w, in.h * 0.24 };
	uint32_t color = C_TEXT;
	line[0] = 0;
	switch (t->update) {
	case MC_VIEW_UPD_NONE: snprintf(line, sizeof(line), "%s", tr(s, S_UPD_NONE)); break;
	case MC_VIEW_UPD_IDLE:
	case MC_VIEW_UPD_SEARCHING: snprintf(line, sizeof(line), "%s", tr(s, S_UPD_SEARCHING)); break;
	case MC_VIEW_UPD_LISTED:
		if (!t->nbundles)
			snprintf(line, sizeof(line), "%s", tr(s, S_UPD_EMPTY));
		break;
	case MC_VIEW_UPD_INSTALLING: {
		char pct[64];
		mc_trf(s->t, s->lang, S_UPD_INSTALLING, pct, sizeof(pct), t->update_pct);
		snprintf(line, sizeof(line), "%s — %s", pct, base_name(t->update_path));
		draw_bar(cr, (struct mc_rect){ state.x, state.y + state.h * 0.5, state.w, state.h * 0.22 },
			 t->update_pct, g->u * 0.5, C_GREEN);
		/* RAUC's own step ("Copying image to rootfs.1"), small. */
		mc_draw_text(cr, t->update_msg, (struct mc_rect){ state.x, state.y + state.h * 0.75, state.w, state.h * 0.25 },
			     g->u * 3, 1, MC_TEXT_LEFT, C_DIM);
		state.h *= 0.5;
		break;
	}
	case MC_VIEW_UPD_DONE:
		snprintf(line, sizeof(line), "%s", tr(s, S_UPD_DONE));
		color = C_GREEN;
		break;
	case MC_VIEW_UPD_FAILED:
		update_words(t->update_msg, s->lang, why, sizeof(why));
		snprintf(line, sizeof(line), "%s: %s", tr(s, S_UPD_FAILED), why);
		color = C_RED;
		break;
	}
	if (t->update == MC_VIEW_UPD_LISTED && t->nbundles && !s->tech_msg[0]) {
		snprintf(line, sizeof(line), "%s", tr(s, S_UPD_PICK));
		color = C_DIM;
	}
	if (s->tech_msg[0]) {
		snprintf(line, sizeof(line), "%s", s->tech_msg);
		color = C_RED;
	}
	mc_draw_text(cr, line, state, g->u * 3.4, 3, MC_TEXT_LEFT | MC_TEXT_BOLD, color);
	/* The bundles: one finger-sized row each. */
	bool listing = t->update != MC_VIEW_UPD_INSTALLING && t->update != MC_VIEW_UPD_SEARCHING &&
		       t->update != MC_VIEW_UPD_IDLE;
	double ly = in.y + th + in.h * 0.25, lh = fmin((in.y + in.h - ly) / 4, fmax(g->u * 12, 56));
	for (int i = 0; listing && i < t->nbundles && ly + lh <= in.y + in.h + 1; i++, ly += lh) {
		const struct mc_view_bundle *b = &t->bundles[i];
		struct mc_rect r = mc_rect_inset((struct mc_rect){ in.x, ly, in.w, lh }, g->u * 0.5);
		bool down = is_pressed(s, A_BUNDLE, i);
		mc_draw_box(cr, r, g->u, down ? 0xDCE8FA : C_BG);
		mc_draw_frame(cr, r, g->u, fmax(1, g->u * 0.3), b->installable ? C_GREEN : C_GREY);
		char ver[96];
		mc_trf(s->t, s->lang, S_UPD_VERSION, ver, sizeof(ver), b->version[0] ? b->version : "?");
		snprintf(line, sizeof(line), "%s — %s", base_name(b->path), ver);
		struct mc_rect rin = mc_rect_inset(r, g->u);
		mc_draw_text(cr, line, (struct mc_rect){ rin.x, rin.y, rin.w, rin.h * 0.5 }, fmin(rin.h * 0.3, g->u * 3.4),
			     1, MC_TEXT_LEFT | MC_TEXT_BOLD, C_TEXT);
		if (b->installable)
			snprintf(why, sizeof(why), "%s", tr(s, S_UPD_INSTALLABLE));
		else
			one_language(b->why, s->lang, why, sizeof(why));
		mc_draw_text(cr, why, (struct mc_rect){ rin.x, rin.y + rin.h * 0.5, rin.w, rin.h * 0.5 },
			     fmin(rin.h * 0.26, g->u * 3), 1, MC_TEXT_LEFT, b->installable ? C_GREEN : C_RED);
		add_hit(s, r, A_BUNDLE, i);
	}
	struct tbtn b[2];
	int nb = 0;
	if (t->update != MC_VIEW_UPD_NONE && t->update != MC_VIEW_UPD_INSTALLING)
		b[nb++] = (struct tbtn){ A_RESCAN, 0, tr(s, S_UPD_RESCAN), C_BTN, true };
	b[nb++] = (struct tbtn){ A_TECH_BACK, 0, tr(s, S_BACK), 0x6B7280, true };
	struct mc_rect half = btns;
	half.h = fmin(btns.h, btns.h * nb / 3.0);
	draw_tbtns(s, cr, g, half, b, nb);
}

static void render_tech_confirm(struct mc_screen *s, cairo_t *cr, const struct geo *g)
{
	const struct mc_view_tech *t = &s->v.tech;
	char line[700], ver[96] = "";
	struct mc_rect panel = mc_rect_inset(g->body, 3 * g->u);

	for (int i = 0; i < t->nbundles; i++)
		if (!strcmp(t->bundles[i].path, s->sel_path))
			mc_trf(s->t, s->lang, S_UPD_VERSION, ver, sizeof(ver), t->bundles[i].version);
	struct mc_rect top = { panel.x, panel.y, panel.w, panel.h * 0.66 };
	mc_draw_box(cr, top, 2 * g->u, C_PANEL);
	struct mc_rect in = mc_rect_inset(top, 3 * g->u);
	mc_draw_text(cr, tr(s, S_UPD_CONFIRM), (struct mc_rect){ in.x, in.y, in.w, in.h * 0.3 }, g->u * 6, 1,
		     MC_TEXT_CENTER | MC_TEXT_BOLD, C_HEAD);
	snprintf(line, sizeof(line), "%s%s%s", base_name(s->sel_path), ver[0] ? " — " : "", ver);
	mc_draw_text(cr, line, (struct mc_rect){ in.x, in.y + in.h * 0.32, in.w, in.h * 0.25 }, g->u * 4.5, 2,
		     MC_TEXT_CENTER | MC_TEXT_BOLD, C_TEXT);
	mc_draw_text(cr, tr(s, S_UPD_CONFIRM_NOTE), (struct mc_rect){ in.x, in.y + in.h * 0.6, in.w, in.h * 0.4 },
		     g->u * 3.6, 3, MC_TEXT_CENTER, C_DIM);
	/* Cancel on the left, Install on the right, far apart. */
	double by = panel.y + panel.h * 0.72, bh = panel.h * 0.28;
	struct mc_rect cancel = { panel.x, by, panel.w * 0.4, bh };
	struct mc_rect ok = { panel.x + panel.w * 0.6, by, panel.w * 0.4, bh };
	mc_draw_box(cr, cancel, g->u, is_pressed(s, A_INSTALL_CANCEL, 0) ? C_BTN_DOWN : 0x6B7280);
	mc_draw_text(cr, tr(s, S_CANCEL), mc_rect_inset(cancel, g->u), fmin(bh * 0.36, g->u * 6), 1,
		     MC_TEXT_CENTER | MC_TEXT_BOLD, C_WHITE);
	add_hit(s, cancel, A_INSTALL_CANCEL, 0);
	if (t->update != MC_VIEW_UPD_INSTALLING) {
		mc_draw_box(cr, ok, g->u, is_pressed(s, A_INSTALL_OK, 0) ? C_BTN_DOWN : C_GREEN);
		mc_draw_text(cr, tr(s, S_UPD_INSTALL), mc_rect_inset(ok, g->u), fmin(bh * 0.36, g->u * 6), 1,
			     MC_TEXT_CENTER | MC_TEXT_BOLD, C_WHITE);
		add_hit(s, ok, A_INSTALL_OK, 0);
	}
}

static void render_tech(struct mc_screen *s, cairo_t *cr, const struct geo *g)
{
	switch (s->page) {
	case MC_TECH_MAIN: render_tech_main(s, cr, g); break;
	case MC_TECH_SOUND: render_tech_sound(s, cr, g); break;
	case MC_TECH_UPDATE: render_tech_update(s, cr, g); break;
	case MC_TECH_CONFIRM: render_tech_confirm(s, cr, g); break;
	}
	if (s->page == MC_TECH_MAIN)
		mc_draw_text(cr, s->tech_msg, mc_rect_inset(g->foot, g->u), g->foot.h * 0.3, 2,
			     MC_TEXT_CENTER | MC_TEXT_BOLD, C_HEAD);
}

void mc_screen_render(struct mc_screen *s, cairo_t *cr)
{
	struct geo g = layout(s);
	/* Keep the pressed control's identity across the rebuild of hits. */
	struct hit pressed = s->pressed >= 0 ? s->hits[s->pressed] : (struct hit){ .act = A_ANY, .arg = -1 };
	bool had_pressed = s->pressed >= 0;

	s->nhits = 0;
	s->hits_stale = false;
	s->drawn_standing = standing(s);
	cairo_save(cr);
	mc_draw_box(cr, (struct mc_rect){ 0, 0, g.W, g.H }, 0, C_BG);
	draw_header(s, cr, &g);
	/* is_pressed() compares against hits[pressed]: park the old one past the end. */
	if (had_pressed) {
		s->hits[MAX_HITS - 1] = pressed;
		s->pressed = MAX_HITS - 1;
	}
	enum mc_notice st = standing(s);
	switch (s->id) {
	case MC_SCR_HOME:
	case MC_SCR_PRIORITY:
		if (st != MC_NOTICE_NONE)
			render_notice(s, cr, &g, st, true);
		else
			render_home(s, cr, &g, s->id == MC_SCR_PRIORITY);
		draw_tech_key(s, cr, &g);
		break;
	case MC_SCR_TICKET: render_ticket(s, cr, &g); break;
	case MC_SCR_NOTICE: render_notice(s, cr, &g, s->notice, false); break;
	case MC_SCR_PIN: render_pin(s, cr, &g); break;
	case MC_SCR_TECH: render_tech(s, cr, &g); break;
	case MC_SCR_COUNT: break;
	}
	/* Map the pressed control onto this frame's hits. */
	s->pressed = -1;
	if (had_pressed)
		for (int i = 0; i < s->nhits; i++)
			if (s->hits[i].act == pressed.act && s->hits[i].arg == pressed.arg)
				s->pressed = i;
	cairo_restore(cr);
	s->dirty = false;
}

enum mc_screen_id mc_screen_current(const struct mc_screen *s)
{
	if ((s->id == MC_SCR_HOME || s->id == MC_SCR_PRIORITY) && standing(s) != MC_NOTICE_NONE)
		return MC_SCR_NOTICE;
	return s->id;
}

enum mc_notice mc_screen_notice(const struct mc_screen *s)
{
	if (s->id == MC_SCR_HOME || s->id == MC_SCR_PRIORITY)
		return standing(s);
	return s->id == MC_SCR_NOTICE ? s->notice : MC_NOTICE_NONE;
}

enum mc_lang mc_screen_lang(const struct mc_screen *s) { return s->lang; }
int mc_screen_brightness(const struct mc_screen *s) { return s->brightness; }
bool mc_screen_dirty(const struct mc_screen *s) { return s->dirty; }

void mc_screen_enter_tech(struct mc_screen *s, int64_t now_ms)
{
	s->waiting = false;
	s->tech_msg[0] = 0;
	go(s, MC_SCR_TECH, MC_NOTICE_NONE, now_ms + MC_TECH_IDLE_S * 1000, now_ms);
}

void mc_screen_show(struct mc_screen *s, enum mc_screen_id id, enum mc_notice n, enum mc_lang lang)
{
	go(s, id, n, 0, 0);
	s->guard_until = 0;
	s->hits_stale = false;
	s->lang = lang;
	s->waiting = false;
}

void mc_screen_show_tech_page(struct mc_screen *s, enum mc_tech_page page)
{
	s->page = page;
	s->tech_msg[0] = 0;
	snprintf(s->sel_path, sizeof(s->sel_path), "%s", s->v.tech.nbundles ? s->v.tech.bundles[0].path : "");
	s->hits_stale = false;
	s->dirty = true;
}

bool mc_screen_find(const struct mc_screen *s, const char *name, double *x, double *y)
{
	static const struct { const char *name; enum act a; int arg; } names[] = {
		{ "priority", A_PRIORITY, 0 }, { "lang:vi", A_LANG, MC_LANG_VI }, { "lang:en", A_LANG, MC_LANG_EN },
		{ "tech", A_TECH_KEY, 0 }, { "pin:ok", A_PIN_OK, 0 }, { "pin:del", A_PIN_DEL, 0 },
		{ "back", A_BACK, 0 }, { "tech:pause", A_TECH_PAUSE, 0 }, { "tech:exit", A_TECH_EXIT, 0 },
		{ "tech:test", A_TECH_TEST, 0 }, { "tech:reprint", A_TECH_REPRINT, 0 },
		{ "tech:lang", A_TECH_LANG, 0 }, { "bright:+", A_BRIGHT_UP, 0 }, { "bright:-", A_BRIGHT_DOWN, 0 },
		{ "tech:clock", A_TECH_CLOCK, 0 }, { "tech:sound", A_TECH_SOUND, 0 },
		{ "tech:update", A_TECH_UPDATE, 0 }, { "tech:back", A_TECH_BACK, 0 }, { "vol:+", A_VOL_UP, 0 },
		{ "vol:-", A_VOL_DOWN, 0 }, { "speaker", A_SPEAKER, 0 }, { "update:rescan", A_RESCAN, 0 },
		{ "install:ok", A_INSTALL_OK, 0 }, { "install:cancel", A_INSTALL_CANCEL, 0 },
		{ "any", A_ANY, 0 },
	};
	enum act a = A_ANY;
	int arg = 0;
	bool known = false;

	if (!strncmp(name, "service:", 8)) {
		a = A_SERVICE;
		arg = atoi(name + 8);
		known = true;
	} else if (!strncmp(name, "bundle:", 7)) {
		a = A_BUNDLE;
		arg = atoi(name + 7);
		known = true;
	} else if (!strncmp(name, "pin:", 4) && name[4] >= '0' && name[4] <= '9' && !name[5]) {
		a = A_PIN_DIGIT;
		arg = name[4] - '0';
		known = true;
	}
	for (size_t i = 0; !known && i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(names[i].name, name)) {
			a = names[i].a;
			arg = names[i].arg;
			known = true;
		}
	if (!known)
		return false;
	for (int i = 0; i < s->nhits; i++)
		if (s->hits[i].act == a && s->hits[i].arg == arg) {
			*x = s->hits[i].r.x + s->hits[i].r.w / 2;
			*y = s->hits[i].r.y + s->hits[i].r.h / 2;
			return true;
		}
	return false;
}

int mc_screen_pin_checks(const struct mc_screen *s) { return s->pin_checks; }
enum mc_tech_page mc_screen_tech_page(const struct mc_screen *s) { return s->page; }

bool mc_screen_take_req(struct mc_screen *s, struct mc_screen_req *req)
{
	memset(req, 0, sizeof(*req));
	if (!s->tech_note)
		return false;
	req->kind = s->tech_note == 1 ? MC_REQ_TECH_OPEN : MC_REQ_TECH_CLOSE;
	s->tech_note = 0;
	return true;
}
bool mc_screen_pin_locked(const struct mc_screen *s, int64_t now_ms)
{
	return s->locked_until && now_ms < s->locked_until;
}

int64_t mc_screen_guard_until(const struct mc_screen *s)
{
	return s->guard_until;
}

void mc_screen_shown(struct mc_screen *s, int64_t now_ms)
{
	/* Only a frame drawn since the change (its hits fresh) shows it. */
	if (!s->unshown || s->hits_stale)
		return;
	s->unshown = false;
	if (now_ms + MC_SCREEN_GUARD_MS > s->guard_until)
		s->guard_until = now_ms + MC_SCREEN_GUARD_MS;
}

int64_t mc_screen_hold_until(const struct mc_screen *s)
{
	if (s->id != MC_SCR_TICKET)
		return 0;
	return s->shown_ms + (s->o.ticket_hold_ms > 0 ? s->o.ticket_hold_ms : MC_TICKET_HOLD_MS);
}
