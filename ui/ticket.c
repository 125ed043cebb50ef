/* ticket.c — the ticket layout with cairo + pango, thresholded to 1 bit
 * (the logo is dithered) — see ticket.h. */
#include "ticket.h"

#include <cairo.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FONT "Noto Sans"
#define MAX_HEIGHT 30000

/* One layout pass: measuring (cr draws nowhere) or drawing. */
struct pass {
	cairo_t *cr;                 /* where to draw */
	const struct mc_ticket_print *t;
	int width;                   /* dots */
	double s;                    /* scale from the 576-dot design */
	double m;                    /* side margin */
	double y;                    /* cursor */
	cairo_surface_t *logo;       /* loaded logo or NULL */
	int logo_y0, logo_y1;        /* rows the logo covers (to dither) */
	struct mc_ticket_box box;    /* the number's ink */
	char *err;                   /* notes for the caller */
	size_t errlen;
};

enum { LEFT, CENTER };

static PangoLayout *make_layout(struct pass *p, const char *text, double px, bool bold)
{
	PangoLayout *l = pango_cairo_create_layout(p->cr);
	PangoFontDescription *fd = pango_font_description_from_string(FONT);

	pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
	pango_font_description_set_absolute_size(fd, px * PANGO_SCALE);
	pango_layout_set_font_description(l, fd);
	pango_font_description_free(fd);
	pango_layout_set_text(l, text, -1);
	return l;
}

/* A wrapped paragraph: shrinks from size towards min_size until it takes
 * at most max_lines lines, then wraps however many lines it needs. With
 * inverse, white text on a black band. Advances the cursor. */
static void paragraph(struct pass *p, const char *text, double size, double min_size,
		      int max_lines, bool bold, int align, bool inverse)
{
	double avail = p->width - 2 * p->m - (inverse ? 2 * p->m : 0);
	PangoLayout *l = NULL;
	PangoRectangle ink, log;

	if (!text || !text[0])
		return;
	for (double px = size * p->s;; px *= 0.92) {
		if (l)
			g_object_unref(l);
		l = make_layout(p, text, px, bold);
		pango_layout_set_width(l, (int)(avail * PANGO_SCALE));
		pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
		pango_layout_set_alignment(l, align == CENTER ? PANGO_ALIGN_CENTER : PANGO_ALIGN_LEFT);
		if (pango_layout_get_line_count(l) <= max_lines || px * 0.92 < min_size * p->s)
			break;
	}
	pango_layout_get_pixel_extents(l, &ink, &log);
	double pad = inverse ? 6 * p->s : 0;
	if (inverse) {
		cairo_set_source_rgb(p->cr, 0, 0, 0);
		cairo_rectangle(p->cr, p->m, floor(p->y), p->width - 2 * p->m, ceil(log.height + 2 * pad));
		cairo_fill(p->cr);
		cairo_set_source_rgb(p->cr, 1, 1, 1);
	} else {
		cairo_set_source_rgb(p->cr, 0, 0, 0);
	}
	cairo_move_to(p->cr, p->m + (inverse ? p->m : 0), p->y + pad);
	pango_cairo_show_layout(p->cr, l);
	p->y += log.height + 2 * pad;
	g_object_unref(l);
}

/* The number: one line, as large as fits (wrapping only if even the
 * smallest size is too wide, so it is never cut). */
static void number(struct pass *p, const char *label)
{
	double avail = p->width - 2 * p->m;
	PangoLayout *l = NULL;
	PangoRectangle ink, log;
	double px;

	for (px = 230 * p->s; px >= 12; px *= 0.95) {
		if (l)
			g_object_unref(l);
		l = make_layout(p, label, px, true);
		pango_layout_get_pixel_extents(l, &ink, &log);
		if (ink.width <= avail && log.width <= avail)
			break;
	}
	if (px < 12) {
		pango_layout_set_width(l, (int)(avail * PANGO_SCALE));
		pango_layout_set_wrap(l, PANGO_WRAP_CHAR);
		pango_layout_get_pixel_extents(l, &ink, &log);
	}
	/* Center on the ink; the line box of a big font has much air. */
	double x = (p->width - ink.width) / 2.0 - ink.x;
	double y = p->y - ink.y + 4 * p->s;
	cairo_set_source_rgb(p->cr, 0, 0, 0);
	cairo_move_to(p->cr, floor(x), floor(y));
	pango_cairo_show_layout(p->cr, l);
	p->box = (struct mc_ticket_box){ (int)floor(x) + ink.x, (int)floor(y) + ink.y, ink.width, ink.height };
	p->y += ink.height + 12 * p->s;
	g_object_unref(l);
}

static void rule(struct pass *p)
{
	p->y += 6 * p->s;
	cairo_set_source_rgb(p->cr, 0, 0, 0);
	cairo_rectangle(p->cr, p->m, floor(p->y), p->width - 2 * p->m, ceil(2 * p->s));
	cairo_fill(p->cr);
	p->y += 10 * p->s;
}

static void space(struct pass *p, double d)
{
	p->y += d * p->s;
}

static void logo(struct pass *p)
{
	if (!p->logo)
		return;
	double lw = cairo_image_surface_get_width(p->logo), lh = cairo_image_surface_get_height(p->logo);
	double k = fmin((p->width * 0.6) / lw, (160 * p->s) / lh);
	double w = lw * k, h = lh * k;
	double x = floor((p->width - w) / 2), y = floor(p->y);

	cairo_save(p->cr);
	cairo_translate(p->cr, x, y);
	cairo_scale(p->cr, k, k);
	cairo_set_source_surface(p->cr, p->logo, 0, 0);
	cairo_paint(p->cr);
	cairo_restore(p->cr);
	p->logo_y0 = (int)y;
	p->logo_y1 = (int)ceil(y + h);
	p->y += h + 10 * p->s;
}

static void qr(struct pass *p, const char *text)
{
	QRcode *q;

	if (!text || !text[0])
		return;
	q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!q) {
		size_t n = strlen(p->err);
		snprintf(p->err + n, p->errlen - n, "%sQR code left out: content too long", n ? "; " : "");
		return;
	}
	int quiet = 4, mods = q->width + 2 * quiet;
	int px = (int)floor(p->width * 0.45 / mods);
	if (px < 2)
		px = 2;
	int size = px * mods;
	int x0 = (p->width - size) / 2, y0 = (int)ceil(p->y);
	cairo_set_source_rgb(p->cr, 0, 0, 0);
	for (int r = 0; r < q->width; r++)
		for (int c = 0; c < q->width; c++)
			if (q->data[r * q->width + c] & 1)
				cairo_rectangle(p->cr, x0 + (c + quiet) * px, y0 + (r + quiet) * px, px, px);
	cairo_fill(p->cr);
	p->y = y0 + size;
	QRcode_free(q);
}

/* Lays out the whole ticket on p->cr. */
static void layout(struct pass *p)
{
	const struct mc_ticket_print *t = p->t;
	char line[512], en[256];

	p->y = 10 * p->s;
	if (t->banner && t->banner[0]) {
		paragraph(p, t->banner, 30, 18, 2, true, CENTER, true);
		space(p, 8);
	}
	logo(p);
	paragraph(p, t->office, 28, 20, 3, true, CENTER, false);
	rule(p);
	paragraph(p, "SỐ THỨ TỰ · YOUR NUMBER", 22, 14, 2, false, CENTER, false);
	number(p, t->label && t->label[0] ? t->label : "?");
	if (t->priority) {
		paragraph(p, "ƯU TIÊN · PRIORITY", 30, 18, 2, true, CENTER, true);
		space(p, 8);
	}
	paragraph(p, t->service, 34, 22, 3, true, CENTER, false);
	if (t->service_en && t->service_en[0] && (!t->service || strcmp(t->service, t->service_en)))
		paragraph(p, t->service_en, 22, 14, 3, false, CENTER, false);
	rule(p);
	if (t->ahead >= 0) {
		snprintf(line, sizeof(line), "Số người trước bạn: %d", t->ahead);
		snprintf(en, sizeof(en), "People ahead of you: %d", t->ahead);
		paragraph(p, line, 26, 16, 2, false, LEFT, false);
		paragraph(p, en, 20, 12, 2, false, LEFT, false);
		space(p, 4);
	}
	if (t->est_wait_min >= 0) {
		snprintf(line, sizeof(line), "Thời gian chờ dự kiến: khoảng %d phút", t->est_wait_min);
		snprintf(en, sizeof(en), "Estimated wait: about %d min", t->est_wait_min);
		paragraph(p, line, 26, 16, 2, false, LEFT, false);
		paragraph(p, en, 20, 12, 2, false, LEFT, false);
		space(p, 4);
	}
	if (t->counters && t->counters[0]) {
		snprintf(line, sizeof(line), "Quầy phục vụ: %s", t->counters);
		snprintf(en, sizeof(en), "Served at counter: %s", t->counters);
		paragraph(p, line, 26, 16, 3, false, LEFT, false);
		paragraph(p, en, 20, 12, 3, false, LEFT, false);
		space(p, 4);
	}
	if (t->issued_wall_ms > 0) {
		time_t secs = (time_t)(t->issued_wall_ms / 1000);
		struct tm tm;
		localtime_r(&secs, &tm);
		snprintf(line, sizeof(line), "Ngày %02d/%02d/%04d lúc %02d:%02d:%02d", tm.tm_mday,
			 tm.tm_mon + 1, tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
		paragraph(p, line, 24, 14, 2, false, LEFT, false);
	}
	if (t->qr && t->qr[0]) {
		space(p, 8);
		qr(p, t->qr);
	}
	if ((t->footer && t->footer[0]) || (t->footer_en && t->footer_en[0])) {
		rule(p);
		paragraph(p, t->footer, 24, 14, 4, true, CENTER, false);
		paragraph(p, t->footer_en, 20, 12, 4, false, CENTER, false);
	}
	p->y += 12 * p->s;
}

static void set_options(cairo_t *cr)
{
	cairo_font_options_t *fo = cairo_font_options_create();

	cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_SLIGHT);
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_set_font_options(cr, fo);
	cairo_font_options_destroy(fo);
}

/* Luminance 0..255 of an RGB24 pixel. */
static int lum(uint32_t px)
{
	return (int)((((px >> 16) & 0xff) * 299 + ((px >> 8) & 0xff) * 587 + (px & 0xff) * 114) / 1000);
}

/* Thresholds the surface into r; rows [d0, d1) are dithered instead
 * (Floyd–Steinberg). */
static void to_bits(cairo_surface_t *s, struct mc_raster *r, int d0, int d1)
{
	unsigned char *data = cairo_image_surface_get_data(s);
	int stride = cairo_image_surface_get_stride(s);
	int w = r->width;
	int *cur = calloc((size_t)w + 2, sizeof(int)), *next = calloc((size_t)w + 2, sizeof(int));

	for (int y = 0; y < r->height; y++) {
		const uint32_t *row = (const uint32_t *)(void *)(data + (size_t)y * (size_t)stride);
		bool dither = cur && next && y >= d0 && y < d1;
		if (dither)
			memset(next, 0, ((size_t)w + 2) * sizeof(int));
		for (int x = 0; x < w; x++) {
			int v = lum(row[x]);
			if (!dither) {
				if (v < 128)
					mc_raster_set(r, x, y, 1);
				continue;
			}
			v += cur[x + 1] / 16;
			int out = v < 128 ? 0 : 255, e = v - out;
			if (!out)
				mc_raster_set(r, x, y, 1);
			cur[x + 2] += e * 7;
			next[x] += e * 3;
			next[x + 1] += e * 5;
			next[x + 2] += e;
		}
		if (dither) {
			int *tmp = cur;
			cur = next;
			next = tmp;
		}
	}
	free(cur);
	free(next);
}

struct mc_raster *mc_ticket_render(const struct mc_ticket_print *t, int width,
				   struct mc_ticket_box *box, char *err, size_t errlen)
{
	struct pass p = { .t = t, .width = width, .err = err, .errlen = errlen };
	cairo_surface_t *ms = NULL, *s = NULL;
	struct mc_raster *r = NULL;

	err[0] = 0;
	if (width < 64 || width > 4096) {
		snprintf(err, errlen, "ticket width %d dots is out of range (64..4096)", width);
		return NULL;
	}
	p.s = width / 576.0;
	p.m = floor(8 * p.s);
	if (t->logo_png && t->logo_png[0]) {
		p.logo = cairo_image_surface_create_from_png(t->logo_png);
		if (cairo_surface_status(p.logo) != CAIRO_STATUS_SUCCESS) {
			snprintf(err, errlen, "logo %s left out: %s", t->logo_png,
				 cairo_status_to_string(cairo_surface_status(p.logo)));
			cairo_surface_destroy(p.logo);
			p.logo = NULL;
		}
	}

	/* Pass 1 measures the height. */
	ms = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 1);
	p.cr = cairo_create(ms);
	set_options(p.cr);
	layout(&p);
	cairo_destroy(p.cr);
	cairo_surface_destroy(ms);
	int height = (int)ceil(p.y);
	if (height > MAX_HEIGHT)
		height = MAX_HEIGHT;

	/* Pass 2 draws. */
	s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
	if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
		snprintf(err, errlen, "cannot make a %dx%d image", width, height);
		goto out;
	}
	p.cr = cairo_create(s);
	set_options(p.cr);
	cairo_set_source_rgb(p.cr, 1, 1, 1);
	cairo_paint(p.cr);
	layout(&p);
	cairo_destroy(p.cr);
	cairo_surface_flush(s);
	r = mc_raster_new(width, height);
	if (!r) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	to_bits(s, r, p.logo_y0, p.logo_y1);
	if (box)
		*box = p.box;
out:
	cairo_surface_destroy(s);
	if (p.logo)
		cairo_surface_destroy(p.logo);
	return r;
}

struct mc_ticket_layout { int unused; };
struct mc_ticket_layout *mc_ticket_layout_new(void) { return calloc(1, sizeof(struct mc_ticket_layout)); }
void mc_ticket_layout_free(struct mc_ticket_layout *lay) { free(lay); }
struct mc_raster *mc_ticket_layout_render(struct mc_ticket_layout *lay, const struct mc_ticket_print *t,
					  int width, struct mc_ticket_box *box, char *err, size_t errlen)
{ (void)lay; return mc_ticket_render(t, width, box, err, errlen); }

#ifdef MC_SANITIZED
/* fontconfig keeps its configuration and font cache for the life of the
 * process (pango loads it once per rendering thread); LeakSanitizer would
 * report them at exit in every program that prints a ticket. Only those
 * allocations are silenced, through the sanitizer's documented hook. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libfontconfig.so\n";
}
#endif
