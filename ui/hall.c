/* hall.c — the hall screen (see hall.h). */
#include "hall.h"
#include "draw.h"
#include "civil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct mc_hall {
	const struct mc_i18n *t;  /* strings */
	int W, H;                 /* size */
	char fixed_clock[8];      /* "" = real time */
	char clock[8];            /* time shown */
	struct mc_view v;         /* latest view */
	bool have_view;           /* a view arrived */
	uint32_t seen_seq;        /* call_seq of the last blink start */
	int64_t blink_start;      /* monotonic ms (0: not blinking) */
	bool blink_on;            /* phase drawn */
	bool dirty;               /* a frame must be drawn */
};

static void clock_now(const struct mc_hall *h, char *buf, size_t len)
{
	if (h->fixed_clock[0]) {
		snprintf(buf, len, "%s", h->fixed_clock);
		return;
	}
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	snprintf(buf, len, "%02d:%02d", tm.tm_hour, tm.tm_min);
}

struct mc_hall *mc_hall_new(const struct mc_i18n *t, int width, int height, const char *fixed_clock)
{
	struct mc_hall *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->t = t;
	h->W = width;
	h->H = height;
	snprintf(h->fixed_clock, sizeof(h->fixed_clock), "%s", fixed_clock ? fixed_clock : "");
	h->dirty = true;
	return h;
}

void mc_hall_free(struct mc_hall *h) { free(h); }

void mc_hall_set_size(struct mc_hall *h, int width, int height)
{
	h->W = width;
	h->H = height;
	h->dirty = true;
}

/* The parts of a view the hall shows. */
static bool hall_differs(const struct mc_view *a, const struct mc_view *b)
{
	return a->nservices != b->nservices || a->ncounters != b->ncounters || a->ncalls != b->ncalls ||
	       a->call_seq != b->call_seq || a->clock != b->clock || strcmp(a->office, b->office) || a->open != b->open ||
	       a->lunch != b->lunch || a->next_day != b->next_day || a->next_minute != b->next_minute ||
	       strcmp(a->alert, b->alert) || a->nmissed != b->nmissed ||
	       memcmp(a->missed, b->missed, sizeof(a->missed[0]) * (size_t)a->nmissed) ||
	       memcmp(a->counters, b->counters, sizeof(a->counters[0]) * (size_t)a->ncounters) ||
	       memcmp(a->calls, b->calls, sizeof(a->calls[0]) * (size_t)a->ncalls) ||
	       memcmp(a->services, b->services, sizeof(a->services[0]) * (size_t)a->nservices);
}

void mc_hall_set_view(struct mc_hall *h, const struct mc_view *v, int64_t now_ms)
{
	if (!h->have_view || hall_differs(&h->v, v))
		h->dirty = true;
	if (h->have_view && v->call_seq != h->seen_seq && v->ncalls > 0) {
		h->blink_start = now_ms;
		h->blink_on = true;
	}
	h->seen_seq = v->call_seq;
	h->v = *v;
	h->have_view = true;
}

void mc_hall_tick(struct mc_hall *h, int64_t now_ms)
{
	char clock[8];

	if (h->blink_start) {
		int64_t el = now_ms - h->blink_start;
		bool on = el >= MC_HALL_BLINK_MS || (el / MC_HALL_BLINK_PERIOD) % 2 == 0;
		if (el >= MC_HALL_BLINK_MS)
			h->blink_start = 0;
		if (on != h->blink_on) {
			h->blink_on = on;
			h->dirty = true;
		}
	}
	clock_now(h, clock, sizeof(clock));
	if (strcmp(clock, h->clock))
		h->dirty = true;
}

int64_t mc_hall_deadline(const struct mc_hall *h, int64_t now_ms)
{
	int64_t next = -1;

	if (h->blink_start) {
		int64_t el = now_ms - h->blink_start;
		next = h->blink_start + (el / MC_HALL_BLINK_PERIOD + 1) * MC_HALL_BLINK_PERIOD;
	}
	if (!h->fixed_clock[0]) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		int64_t m = now_ms + 60000 - ((int64_t)ts.tv_sec % 60) * 1000 - ts.tv_nsec / 1000000 + 5;
		if (next < 0 || m < next)
			next = m;
	}
	return next;
}

bool mc_hall_dirty(const struct mc_hall *h) { return h->dirty; }
bool mc_hall_blinking(const struct mc_hall *h) { return h->blink_start != 0; }

/* A heading: Vietnamese, then English on the same line at four fifths of
 * its size (readable from the hall, not a footnote under it). */
static void bilingual(const struct mc_hall *h, cairo_t *cr, enum mc_str k, struct mc_rect r, double px,
		      unsigned flags, uint32_t rgb, uint32_t rgb_en)
{
	double used = mc_draw_text(cr, mc_tr(h->t, MC_LANG_VI, k), (struct mc_rect){ r.x, r.y, r.w * 0.55, r.h },
				   px, 1, flags | MC_TEXT_BOLD, rgb);
	mc_draw_text(cr, mc_tr(h->t, MC_LANG_EN, k), (struct mc_rect){ r.x + r.w * 0.56, r.y, r.w * 0.44, r.h },
		     used * 0.8, 1, MC_TEXT_RIGHT, rgb_en);
}

/* "Đang nghỉ trưa, mở lại lúc 13:30" or "Ngoài giờ làm việc · Mở cửa lại
 * lúc 07:30, Thứ Năm, 26/11/2026" for a closed office. */
static void closed_text(const struct mc_hall *h, char *buf, size_t len)
{
	char hm[16], date[64], open[160];
	int y, m, d;

	if (h->v.next_minute < 0) {
		snprintf(buf, len, "%s · %s", mc_tr(h->t, MC_LANG_VI, S_CLOSED), mc_tr(h->t, MC_LANG_VI, S_NO_OPENING));
		return;
	}
	snprintf(hm, sizeof(hm), "%02d:%02d", h->v.next_minute / 60, h->v.next_minute % 60);
	if (h->v.lunch) {
		mc_trf(h->t, MC_LANG_VI, S_LUNCH_UNTIL, buf, len, hm);
		return;
	}
	mc_civil_from_days(h->v.next_day, &y, &m, &d);
	snprintf(date, sizeof(date), "%s, %02d/%02d/%04d",
		 mc_tr(h->t, MC_LANG_VI, (enum mc_str)(S_SUNDAY + mc_weekday(h->v.next_day))), d, m, y);
	mc_trf(h->t, MC_LANG_VI, S_OPENS_AT, open, sizeof(open), hm, date);
	snprintf(buf, len, "%s · %s", mc_tr(h->t, MC_LANG_VI, S_CLOSED), open);
}

void mc_hall_render(struct mc_hall *h, cairo_t *cr)
{
	double W = h->W, H = h->H, u = fmin(W, H) / 100.0, pad = 2 * u;
	bool land = W >= H;
	char buf[256];

	clock_now(h, h->clock, sizeof(h->clock));
	mc_draw_box(cr, (struct mc_rect){ 0, 0, W, H }, 0, 0x10203A);
	struct mc_rect head = { 0, 0, W, H * 0.12 };
	mc_draw_box(cr, head, 0, 0x0B3D91);
	mc_draw_text(cr, h->v.office, (struct mc_rect){ pad, 0, W * 0.75, head.h }, head.h * 0.4, 2,
		     MC_TEXT_BOLD, 0xFFFFFF);
	mc_draw_text(cr, h->clock, (struct mc_rect){ W * 0.75, 0, W * 0.25 - pad, head.h }, head.h * 0.55, 1,
		     MC_TEXT_BOLD | MC_TEXT_RIGHT, 0xFFFFFF);

	/* For the staff, under the header: paper near its end, a device failing. */
	double top = head.h;
	if (h->v.alert[0]) {
		struct mc_rect a = { 0, head.h, W, fmax(H * 0.06, 20) };
		mc_draw_box(cr, a, 0, 0xC62828);
		snprintf(buf, sizeof(buf), "⚠ %s", h->v.alert);
		mc_draw_text(cr, buf, mc_rect_inset(a, u * 0.5), a.h * 0.6, 1, MC_TEXT_BOLD | MC_TEXT_CENTER, 0xFFFFFF);
		top += a.h;
	}

	/* Counters (left or top) and recent calls (right or bottom). */
	struct mc_rect body = { pad, top + pad, W - 2 * pad, H * 0.74 - top - 2 * pad };
	struct mc_rect cnt = land ? (struct mc_rect){ body.x, body.y, body.w * 0.58, body.h }
				  : (struct mc_rect){ body.x, body.y, body.w, body.h * 0.55 };
	struct mc_rect calls = land ? (struct mc_rect){ body.x + body.w * 0.61, body.y, body.w * 0.39, body.h }
				    : (struct mc_rect){ body.x, body.y + body.h * 0.58, body.w, body.h * 0.42 };
	double th = fmax(cnt.h * 0.12, 24);
	bilingual(h, cr, S_NOW_SERVING, (struct mc_rect){ cnt.x, cnt.y, cnt.w, th }, th * 0.55, MC_TEXT_LEFT,
		  0xFFD54F, 0xB8C4D8);
	int n = h->v.ncounters;
	int cols = n > 8 ? 3 : n > 4 ? 2 : 1;
	int rows = n > 0 ? (n + cols - 1) / cols : 1;
	double cw = cnt.w / cols, ch = (cnt.h - th - u) / rows;
	for (int i = 0; i < n; i++) {
		const struct mc_view_counter *c = &h->v.counters[i];
		struct mc_rect r = mc_rect_inset((struct mc_rect){ cnt.x + (i % cols) * cw,
								   cnt.y + th + u + (i / cols) * ch, cw, ch }, u * 0.5);
		mc_draw_box(cr, r, u, 0x1D3357);
		mc_trf(h->t, MC_LANG_VI, S_COUNTER_N, buf, sizeof(buf), c->number);
		mc_draw_text(cr, buf, (struct mc_rect){ r.x + u, r.y, r.w * 0.45, r.h }, fmin(r.h * 0.45, u * 6), 1,
			     MC_TEXT_BOLD, 0xFFFFFF);
		/* A paused counter says so, whatever it served last. */
		const char *num = c->paused ? mc_tr(h->t, MC_LANG_VI, S_PAUSED_MARK) : c->label[0] ? c->label : "—";
		mc_draw_text(cr, num, (struct mc_rect){ r.x + r.w * 0.45, r.y, r.w * 0.55 - u, r.h },
			     fmin(r.h * (c->paused ? 0.45 : 0.7), u * 10), 1, MC_TEXT_BOLD | MC_TEXT_RIGHT,
			     c->paused ? 0xFFA726 : c->label[0] ? 0xFFD54F : 0x8A93A3);
	}

	bilingual(h, cr, S_RECENT_CALLS, (struct mc_rect){ calls.x, calls.y, calls.w, th }, th * 0.55,
		  MC_TEXT_LEFT, 0xFFD54F, 0xB8C4D8);
	/* Four recent calls; below them the numbers that missed their call. */
	int shown = h->v.ncalls < 4 ? h->v.ncalls : 4;
	double rh = (calls.h - th - u) * 0.7 / 4;
	for (int i = 0; i < shown; i++) {
		const struct mc_view_call *c = &h->v.calls[i];
		struct mc_rect r = mc_rect_inset((struct mc_rect){ calls.x, calls.y + th + u + i * rh, calls.w, rh },
						 u * 0.4);
		/* Highlighted only while that counter still serves that number:
		 * after a transfer, a no-show or a pause nothing points there. */
		bool live = false;
		for (int k = 0; k < h->v.ncounters; k++)
			live |= h->v.counters[k].number == c->counter && !h->v.counters[k].paused &&
				!strcmp(h->v.counters[k].label, c->label);
		bool hi = i == 0 && live && h->blink_start && h->blink_on;
		mc_draw_box(cr, r, u, hi ? 0xFFD54F : i == 0 && live ? 0x2A4A7F : 0x1D3357);
		uint32_t fg = hi ? 0x10203A : live ? 0xFFFFFF : 0x8A93A3;
		mc_draw_text(cr, c->label, (struct mc_rect){ r.x + u, r.y, r.w * 0.45, r.h }, r.h * 0.62, 1,
			     MC_TEXT_BOLD, fg);
		mc_trf(h->t, MC_LANG_VI, S_COUNTER_N, buf, sizeof(buf), c->counter);
		char line[300];
		snprintf(line, sizeof(line), "→ %s", buf);
		mc_draw_text(cr, line, (struct mc_rect){ r.x + r.w * 0.45, r.y, r.w * 0.55 - u, r.h }, r.h * 0.45,
			     1, MC_TEXT_BOLD | MC_TEXT_RIGHT, fg);
	}

	struct mc_rect miss = { calls.x, calls.y + th + u + 4 * rh, calls.w, calls.y + calls.h - (calls.y + th + u + 4 * rh) };
	bilingual(h, cr, S_MISSED, (struct mc_rect){ miss.x, miss.y + u, miss.w, th * 0.8 }, th * 0.45,
		  MC_TEXT_LEFT, 0xFFA726, 0xB8C4D8);
	char list[MC_VIEW_MISSED * 10] = "";
	for (int i = 0; i < h->v.nmissed; i++) {
		size_t at = strlen(list);
		snprintf(list + at, sizeof(list) - at, "%s%s", i ? "   " : "", h->v.missed[i]);
	}
	mc_draw_text(cr, h->v.nmissed ? list : "—", (struct mc_rect){ miss.x + u, miss.y + u + th * 0.8, miss.w - 2 * u,
			miss.h - th * 0.8 - u }, th * 0.7, 2, MC_TEXT_BOLD, h->v.nmissed ? 0xFFFFFF : 0x8A93A3);

	/* Waiting per service along the bottom, or when closed, when it opens. */
	struct mc_rect foot = { pad, H * 0.76, W - 2 * pad, H * 0.24 - pad };
	if (h->have_view && !h->v.open) {
		char text[256];
		closed_text(h, text, sizeof(text));
		mc_draw_box(cr, foot, u, 0x0B3D91);
		mc_draw_text(cr, text, mc_rect_inset(foot, 2 * u), foot.h * 0.3, 2, MC_TEXT_BOLD | MC_TEXT_CENTER,
			     0xFFFFFF);
		h->dirty = false;
		return;
	}
	bilingual(h, cr, S_WAITING, (struct mc_rect){ foot.x, foot.y, foot.w, foot.h * 0.3 }, foot.h * 0.16,
		  MC_TEXT_LEFT, 0xFFD54F, 0xB8C4D8);
	int ns = h->v.nservices;
	int scol = ns > 8 ? (ns + 1) / 2 : ns;
	int srow = ns > 8 ? 2 : 1;
	double sw = scol ? foot.w / scol : foot.w, sh = foot.h * 0.68 / srow;
	for (int i = 0; i < ns; i++) {
		struct mc_rect r = mc_rect_inset((struct mc_rect){ foot.x + (i % scol) * sw,
								   foot.y + foot.h * 0.32 + (i / scol) * sh, sw, sh }, u * 0.4);
		mc_draw_box(cr, r, u, 0x1D3357);
		mc_draw_text(cr, h->v.services[i].name, (struct mc_rect){ r.x + u, r.y, r.w - 2 * u, r.h * 0.55 },
			     r.h * 0.3, 2, MC_TEXT_CENTER, 0xFFFFFF);
		snprintf(buf, sizeof(buf), "%d", h->v.services[i].waiting);
		mc_draw_text(cr, buf, (struct mc_rect){ r.x, r.y + r.h * 0.55, r.w, r.h * 0.45 }, r.h * 0.4, 1,
			     MC_TEXT_CENTER | MC_TEXT_BOLD, 0xFFD54F);
	}
	if (h->v.clock != MC_VIEW_CLOCK_OK) {
		/* No tickets while the clock is not trusted: the hall says so
		 * over the waiting counts, Vietnamese first. */
		enum mc_str k = h->v.clock == MC_VIEW_CLOCK_SETTLING ? S_CLOCK_SETTLING :
				h->v.clock == MC_VIEW_CLOCK_BEHIND ? S_CLOCK_BEHIND : S_CLOCK_UNTRUSTED;
		mc_draw_box(cr, foot, u, 0xB26A00);
		bilingual(h, cr, k, mc_rect_inset(foot, 2 * u), foot.h * 0.22, MC_TEXT_CENTER, 0xFFFFFF, 0xFFF3D6);
	}
	h->dirty = false;
}
