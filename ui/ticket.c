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
#include <sys/stat.h>
#include <time.h>

#define FONT "Noto Sans"
#define MAX_HEIGHT 30000
#define NCACHE 96      /* paragraphs kept: a board's services, footers, counts */
#define NOPS 128        /* drawing steps of one ticket */
#define INK_PAD 3      /* dots around a text's ink that antialiasing may touch */

enum { LEFT, CENTER };

struct band;

/* A paragraph laid out once and reused while its text, style and width
 * stay the same (office, service names, footers, fixed headings, and the
 * short counts that repeat, such as "Số người trước bạn: 3"). */
struct para {
	char *text;                  /* NULL: free slot */
	int width, max_lines, align;
	double size, min_size;
	bool bold, inverse;
	PangoLayout *l;              /* fitted: font size chosen, width set */
	PangoRectangle ink, log;     /* its extents, dots */
	unsigned long used;          /* last use, for eviction */
	/* its dots when drawn with the pen at fx and its top at a row plus fy
	 * (glyphs land on whole dots, so only the fraction matters); rows from
	 * dy past that row */
	int lines;                   /* its line count */
	int line_w;                  /* its first line's width, Pango units */
	bool have_dots;
	double fx, fy;               /* the pen's x, and the fraction of its top */
	int dy;
	struct band *dots;
};

/* A picture already turned into dots: rows [0, h) of a band width dots
 * wide, ORed into a ticket at some row. */
struct band {
	int width, h;
	int stride;
	int b0, b1;                  /* bytes of each row that may be inked */
	uint8_t *bits;
};

/* One drawing step, laid out before the surface is drawn on. */
struct op {
	enum { OP_PARA, OP_TEXT, OP_RECT, OP_BAND } kind;
	struct para *para;           /* OP_PARA: a cached paragraph, top at y */
	PangoLayout *l;              /* OP_TEXT: this ticket's own (owned) */
	double x, y;                 /* OP_PARA: top; OP_TEXT: pen; OP_RECT: corner */
	double w, h;                 /* OP_RECT (whole dots) */
	const struct band *band;     /* OP_BAND: dots to OR in at row y0 */
	int x0, y0, x1, y1;          /* dots this step may ink (OP_TEXT) */
};

struct mc_ticket_layout {
	cairo_surface_t *meas;       /* 1x1: the context's font options come from it */
	cairo_t *meas_cr;
	PangoContext *ctx;           /* every layout is made in it */
	struct para cache[NCACHE];
	unsigned long clock;
	/* logo: file identity, width, and its dithered dots at the rows it was
	 * drawn at (cairo's scaling filter is not exact under a translation,
	 * so a logo below a banner is another set of dots) */
	char *logo_path;
	struct stat logo_st;
	int logo_width;
	bool logo_bad;               /* the file cannot be read: message below */
	char logo_err[160];
	cairo_surface_t *logo_img;   /* the decoded PNG */
	struct {
		int y0;              /* row of its top; -1: empty */
		double h;            /* drawn height, dots (fractional) */
		struct band dots;
		unsigned long used;
	} logo[2];
	/* QR code: content, width, dots */
	char *qr_text;
	int qr_width;
	bool qr_bad;
	struct band qr;
	/* the drawing surface, kept white between tickets */
	cairo_surface_t *surf;
	cairo_t *cr;
	int surf_w, surf_h;
};

/* One ticket being laid out. */
struct pass {
	struct mc_ticket_layout *lay;
	const struct mc_ticket_print *t;
	int width;                   /* dots */
	double s;                    /* scale from the 576-dot design */
	double m;                    /* side margin */
	double y;                    /* cursor */
	struct op ops[NOPS];
	int nops;
	struct mc_ticket_box box;    /* the number's ink */
	char *err;                   /* notes for the caller */
	size_t errlen;
};

static void note(struct pass *p, const char *msg)
{
	size_t n = strlen(p->err);

	snprintf(p->err + n, p->errlen - n, "%s%s", n ? "; " : "", msg);
}

static struct op *add_op(struct pass *p)
{
	if (p->nops >= NOPS)
		return NULL;
	struct op *o = &p->ops[p->nops++];
	memset(o, 0, sizeof(*o));
	return o;
}

static void set_font(PangoLayout *l, double px, bool bold)
{
	PangoFontDescription *fd = pango_font_description_from_string(FONT);

	pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
	pango_font_description_set_absolute_size(fd, px * PANGO_SCALE);
	pango_layout_set_font_description(l, fd);
	pango_font_description_free(fd);
}

static PangoLayout *make_layout(struct mc_ticket_layout *lay, const char *text, double px, bool bold)
{
	PangoLayout *l = pango_layout_new(lay->ctx);

	set_font(l, px, bold);
	pango_layout_set_text(l, text, -1);
	return l;
}

/* Sets l to the size of step i and says whether it fits (fits(l)). */
typedef bool fit_fn(PangoLayout *l, const void *arg);

/* The first step i in [0, last] whose size fits, or last if none does:
 * the answer of trying every size from the largest, found by measuring
 * once at the largest size and scaling, then checking the neighbour. */
static int fit_step(PangoLayout *l, const double *px, int last, bool bold, double over,
		    fit_fn *fits, const void *arg)
{
	int i, est;

	/* step 0 was measured by the caller: over = how many times too big */
	est = 0;
	while (est < last && px[est] / px[0] * over > 1.0)
		est++;
	if (est < 1)
		est = 1;
	if (est > last)
		est = last;
	set_font(l, px[est], bold);
	i = est;
	if (fits(l, arg)) {
		/* go up while the larger size fits too */
		while (i > 1) {
			set_font(l, px[i - 1], bold);
			if (!fits(l, arg))
				break;
			i--;
		}
	} else {
		while (i < last) {
			i++;
			set_font(l, px[i], bold);
			if (fits(l, arg))
				break;
		}
	}
	set_font(l, px[i], bold);
	return i;
}

struct lines_arg {
	int max_lines;
};

static bool lines_fit(PangoLayout *l, const void *arg)
{
	return pango_layout_get_line_count(l) <= ((const struct lines_arg *)arg)->max_lines;
}

/* Lays out a paragraph that shrinks from size towards min_size until it
 * takes at most max_lines lines (see paragraph()). */
static PangoLayout *fit_paragraph(struct mc_ticket_layout *lay, const char *text, double size,
				  double min_size, int max_lines, bool bold, int align, double avail)
{
	double px[64];
	int n = 0, last;
	struct lines_arg la = { max_lines };

	/* the sizes tried: the last is the first whose next would be too small */
	for (double v = size; n < 64; v *= 0.92) {
		px[n++] = v;
		if (v * 0.92 < min_size)
			break;
	}
	last = n - 1;
	PangoLayout *l = make_layout(lay, text, px[0], bold);
	pango_layout_set_width(l, (int)(avail * PANGO_SCALE));
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_alignment(l, align == CENTER ? PANGO_ALIGN_CENTER : PANGO_ALIGN_LEFT);
	int lines = pango_layout_get_line_count(l);
	if (lines <= max_lines || last == 0)
		return l;
	/* Too many lines: the text is about lines/max_lines times too long
	 * (area shrinks with the square of the size). */
	fit_step(l, px, last, bold, sqrt((double)lines / max_lines), lines_fit, &la);
	return l;
}

static struct para *cached_paragraph(struct mc_ticket_layout *lay, const char *text, int width,
				     double size, double min_size, int max_lines, bool bold, int align,
				     bool inverse, double avail)
{
	struct para *free_slot = NULL, *oldest = NULL;

	for (int i = 0; i < NCACHE; i++) {
		struct para *c = &lay->cache[i];
		if (!c->text) {
			if (!free_slot)
				free_slot = c;
			continue;
		}
		if (c->width == width && c->size == size && c->min_size == min_size &&
		    c->max_lines == max_lines && c->bold == bold && c->align == align &&
		    c->inverse == inverse && !strcmp(c->text, text)) {
			c->used = ++lay->clock;
			return c;
		}
		if (!oldest || c->used < oldest->used)
			oldest = c;
	}
	struct para *c = free_slot ? free_slot : oldest;
	char *copy = strdup(text);
	if (!copy)
		return NULL;
	if (c->text) {
		free(c->text);
		g_object_unref(c->l);
	}
	struct band *dots = c->dots;  /* its memory is reused */
	*c = (struct para){ .text = copy, .width = width, .size = size, .min_size = min_size,
			    .max_lines = max_lines, .bold = bold, .align = align, .inverse = inverse,
			    .dots = dots };
	c->l = fit_paragraph(lay, text, size, min_size, max_lines, bold, align, avail);
	pango_layout_get_pixel_extents(c->l, &c->ink, &c->log);
	c->lines = pango_layout_get_line_count(c->l);
	PangoRectangle lr;
	pango_layout_line_get_extents(pango_layout_get_line_readonly(c->l, 0), NULL, &lr);
	c->line_w = lr.width;
	c->used = ++lay->clock;
	return c;
}

static void ink_box(struct op *o, const PangoRectangle *ink, double x, double y)
{
	o->x0 = (int)floor(x + ink->x) - INK_PAD;
	o->y0 = (int)floor(y + ink->y) - INK_PAD;
	o->x1 = (int)ceil(x + ink->x + ink->width) + INK_PAD;
	o->y1 = (int)ceil(y + ink->y + ink->height) + INK_PAD;
}

static void add_rect(struct pass *p, double x, double y, double w, double h)
{
	struct op *o = add_op(p);

	if (!o)
		return;
	o->kind = OP_RECT;
	o->x = x, o->y = y, o->w = w, o->h = h;
}

/* A wrapped paragraph: shrinks from size towards min_size until it takes
 * at most max_lines lines, then wraps however many lines it needs. With
 * inverse, white text on a black band. Advances the cursor. */
static void paragraph(struct pass *p, const char *text, double size, double min_size,
		      int max_lines, bool bold, int align, bool inverse)
{
	double avail = p->width - 2 * p->m - (inverse ? 2 * p->m : 0);

	if (!text || !text[0])
		return;
	struct para *c = cached_paragraph(p->lay, text, p->width, size * p->s, min_size * p->s, max_lines,
					  bold, align, inverse, avail);
	if (!c)
		return;
	double pad = inverse ? 6 * p->s : 0;
	struct op *o = add_op(p);
	if (o) {
		o->kind = OP_PARA;
		o->para = c;
		o->x = p->m + (inverse ? p->m : 0);
		o->y = p->y;
	}
	p->y += c->log.height + 2 * pad;
}

/* A left-aligned line made of pieces, some of which change from ticket to
 * ticket (a count, a time): when the whole fits on one line at its first
 * size, each piece is laid out (and kept) on its own and set where it
 * falls in the line, as one layout of the whole would set it (the pieces
 * meet at spaces and digits, which Noto Sans neither kerns nor joins);
 * otherwise the joined text is one paragraph that wraps or shrinks. */
static void pieces(struct pass *p, const char *const *in, int nin, double size, double min_size,
		   int max_lines)
{
	double avail = p->width - 2 * p->m;
	enum { MAXP = 32 };
	const char *part[MAXP];
	char one[MAXP][2];
	struct para *c[MAXP];
	char all[512];
	size_t len = 0;
	long sum = 0;
	int h = 0, n = 0;
	bool one_line = true;

	/* Numbers, dates and times go a character at a time (Noto Sans's
	 * digits are tabular and unkerned), so ten digits and two marks serve
	 * every count and clock. */
	all[0] = 0;
	for (int i = 0; i < nin; i++) {
		len += (size_t)snprintf(all + len, len < sizeof(all) ? sizeof(all) - len : 0, "%s", in[i]);
		bool numeric = in[i][0] != 0;
		for (const char *q = in[i]; *q; q++)
			if (!((*q >= '0' && *q <= '9') || *q == ':' || *q == '/'))
				numeric = false;
		if (!numeric) {
			if (n < MAXP)
				part[n++] = in[i];
			else
				one_line = false;
			continue;
		}
		for (const char *q = in[i]; *q; q++) {
			if (n >= MAXP) {
				one_line = false;
				break;
			}
			one[n][0] = *q;
			one[n][1] = 0;
			part[n] = one[n];
			n++;
		}
	}
	for (int i = 0; i < n && one_line; i++) {
		c[i] = cached_paragraph(p->lay, part[i], p->width, size * p->s, min_size * p->s, max_lines,
					false, LEFT, false, avail);
		if (!c[i] || c[i]->lines != 1) {
			one_line = false;
			break;
		}
		sum += c[i]->line_w;
		h = c[i]->log.height > h ? c[i]->log.height : h;
	}
	if (!one_line || len >= sizeof(all) || sum > (long)(avail * PANGO_SCALE)) {
		paragraph(p, all, size, min_size, max_lines, false, LEFT, false);
		return;
	}
	sum = 0;
	for (int i = 0; i < n; i++) {
		struct op *o = add_op(p);
		if (!o)
			break;
		o->kind = OP_PARA;
		o->para = c[i];
		o->x = p->m + (double)sum / PANGO_SCALE;
		o->y = p->y;
		sum += c[i]->line_w;
	}
	p->y += h;
}

struct number_arg {
	double avail;
};

static bool number_fits(PangoLayout *l, const void *arg)
{
	PangoRectangle ink, log;
	double avail = ((const struct number_arg *)arg)->avail;

	pango_layout_get_pixel_extents(l, &ink, &log);
	return ink.width <= avail && log.width <= avail;
}

/* The number: one line, as large as fits (wrapping only if even the
 * smallest size is too wide, so it is never cut). */
static void number(struct pass *p, const char *label)
{
	struct number_arg na = { p->width - 2 * p->m };
	PangoRectangle ink, log;
	double px[128];
	int n = 0;

	for (double v = 230 * p->s; v >= 12 && n < 128; v *= 0.95)
		px[n++] = v;
	if (n == 0)
		return;
	PangoLayout *l = make_layout(p->lay, label, px[0], true);
	pango_layout_get_pixel_extents(l, &ink, &log);
	if (!(ink.width <= na.avail && log.width <= na.avail) && n > 1) {
		double over = fmax(ink.width, log.width) / na.avail;
		int i = fit_step(l, px, n - 1, true, over, number_fits, &na);
		if (i == n - 1 && !number_fits(l, &na)) {
			pango_layout_set_width(l, (int)(na.avail * PANGO_SCALE));
			pango_layout_set_wrap(l, PANGO_WRAP_CHAR);
			/* Lines wrap by their advance, but a letter's ink may
			 * reach past it (the hook of a J): narrow the wrap by the
			 * overhang until the ink is within the margins too. */
			pango_layout_get_pixel_extents(l, &ink, &log);
			for (int k = 0; k < 8 && ink.width > na.avail; k++) {
				int w = pango_layout_get_width(l) -
					(int)ceil(ink.width - na.avail) * PANGO_SCALE;
				if (w < PANGO_SCALE)
					break;
				pango_layout_set_width(l, w);
				pango_layout_get_pixel_extents(l, &ink, &log);
			}
			/* One glyph wider than the paper at the smallest size
			 * (U+FDFD in a prefix) cannot wrap: only a smaller size
			 * keeps it on the paper. */
			double v = px[n - 1];
			for (int k = 0; k < 8 && ink.width > na.avail && v > 2; k++) {
				v *= fmax(0.5, 0.97 * na.avail / ink.width);
				set_font(l, v, true);
				pango_layout_get_pixel_extents(l, &ink, &log);
			}
		}
		pango_layout_get_pixel_extents(l, &ink, &log);
	}
	/* Center on the ink; the line box of a big font has much air. */
	double x = (p->width - ink.width) / 2.0 - ink.x;
	double y = p->y - ink.y + 4 * p->s;
	struct op *o = add_op(p);
	if (o) {
		o->kind = OP_TEXT;
		o->l = l;              /* the step owns this ticket's own layout */
		o->x = floor(x);
		o->y = floor(y);
		ink_box(o, &ink, o->x, o->y);
	} else {
		g_object_unref(l);
	}
	p->box = (struct mc_ticket_box){ (int)floor(x) + ink.x, (int)floor(y) + ink.y, ink.width, ink.height };
	p->y += ink.height + 12 * p->s;
}

static void rule(struct pass *p)
{
	p->y += 6 * p->s;
	add_rect(p, p->m, floor(p->y), p->width - 2 * p->m, ceil(2 * p->s));
	p->y += 10 * p->s;
}

static void space(struct pass *p, double d)
{
	p->y += d * p->s;
}

static void band_free(struct band *b)
{
	free(b->bits);
	memset(b, 0, sizeof(*b));
}

static int band_new(struct band *b, int width, int h)
{
	band_free(b);
	b->width = width;
	b->h = h;
	b->stride = (width + 7) / 8;
	b->b0 = 0;
	b->b1 = b->stride;
	b->bits = calloc((size_t)b->stride * (size_t)(h > 0 ? h : 1), 1);
	return b->bits ? 0 : -1;
}

static void set_dot(uint8_t *row, int x)
{
	row[x / 8] |= (uint8_t)(0x80u >> (x % 8));
}

/* Luminance 0..255 of an RGB24 pixel. */
static int lum(uint32_t px)
{
	return (int)((((px >> 16) & 0xff) * 299 + ((px >> 8) & 0xff) * 587 + (px & 0xff) * 114) / 1000);
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

static void logo_forget(struct mc_ticket_layout *lay)
{
	for (int i = 0; i < 2; i++) {
		band_free(&lay->logo[i].dots);
		lay->logo[i].y0 = -1;
	}
	if (lay->logo_img)
		cairo_surface_destroy(lay->logo_img);
	lay->logo_img = NULL;
}

/* Reads the logo PNG once per file (again when it changes) and width. */
static void load_logo(struct mc_ticket_layout *lay, const char *path, int width)
{
	struct stat st;

	if (stat(path, &st) < 0)
		memset(&st, 0, sizeof(st));
	if (lay->logo_path && !strcmp(lay->logo_path, path) && lay->logo_width == width &&
	    st.st_mtim.tv_sec == lay->logo_st.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == lay->logo_st.st_mtim.tv_nsec && st.st_size == lay->logo_st.st_size &&
	    st.st_ino == lay->logo_st.st_ino)
		return;
	free(lay->logo_path);
	lay->logo_path = strdup(path);
	lay->logo_st = st;
	lay->logo_width = width;
	lay->logo_bad = false;
	lay->logo_err[0] = 0;
	logo_forget(lay);
	cairo_surface_t *img = cairo_image_surface_create_from_png(path);
	if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
		snprintf(lay->logo_err, sizeof(lay->logo_err), "logo %s left out: %s", path,
			 cairo_status_to_string(cairo_surface_status(img)));
		cairo_surface_destroy(img);
		lay->logo_bad = true;
		return;
	}
	lay->logo_img = img;
}

/* The logo scaled and dithered (Floyd–Steinberg) with its top at row y0,
 * as dots; rows below the picture that its filtering touches are
 * thresholded as the rest of the ticket. NULL when out of memory. */
static int logo_at(struct mc_ticket_layout *lay, int width, double s, int y0)
{
	int slot = lay->logo[0].used <= lay->logo[1].used ? 0 : 1;

	for (int i = 0; i < 2; i++)
		if (lay->logo[i].y0 == y0 && lay->logo[i].dots.bits) {
			lay->logo[i].used = ++lay->clock;
			return i;
		}
	cairo_surface_t *img = lay->logo_img;
	double lw = cairo_image_surface_get_width(img), lh = cairo_image_surface_get_height(img);
	double k = fmin((width * 0.6) / lw, (160 * s) / lh);
	double w = lw * k, h = lh * k;
	double x = floor((width - w) / 2);
	int rows = (int)ceil(y0 + h) - y0, total = rows + 4;
	cairo_surface_t *surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, y0 + total);
	if (cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS ||
	    band_new(&lay->logo[slot].dots, width, total) < 0) {
		cairo_surface_destroy(surf);
		return -1;
	}
	cairo_t *cr = cairo_create(surf);
	set_options(cr);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_translate(cr, x, y0);
	cairo_scale(cr, k, k);
	cairo_set_source_surface(cr, img, 0, 0);
	cairo_paint(cr);
	cairo_destroy(cr);
	cairo_surface_flush(surf);
	lay->logo[slot].y0 = y0;
	lay->logo[slot].h = h;
	lay->logo[slot].used = ++lay->clock;
	struct band *b = &lay->logo[slot].dots;
	unsigned char *data = cairo_image_surface_get_data(surf);
	int stride = cairo_image_surface_get_stride(surf);
	int *cur = calloc((size_t)width + 2, sizeof(int)), *next = calloc((size_t)width + 2, sizeof(int));
	for (int y = 0; y < total; y++) {
		const uint32_t *row = (const uint32_t *)(void *)(data + (size_t)(y0 + y) * (size_t)stride);
		uint8_t *out = b->bits + (size_t)y * (size_t)b->stride;
		bool dither = cur && next && y < rows;
		if (dither)
			memset(next, 0, ((size_t)width + 2) * sizeof(int));
		for (int xx = 0; xx < width; xx++) {
			int v = lum(row[xx]);
			if (!dither) {
				if (v < 128)
					set_dot(out, xx);
				continue;
			}
			v += cur[xx + 1] / 16;
			int o = v < 128 ? 0 : 255, e = v - o;
			if (!o)
				set_dot(out, xx);
			cur[xx + 2] += e * 7;
			next[xx] += e * 3;
			next[xx + 1] += e * 5;
			next[xx + 2] += e;
		}
		if (dither) {
			int *tmp = cur;
			cur = next;
			next = tmp;
		}
	}
	free(cur);
	free(next);
	cairo_surface_destroy(surf);
	return slot;
}

static void logo(struct pass *p)
{
	struct mc_ticket_layout *lay = p->lay;
	const char *path = p->t->logo_png;

	if (!path || !path[0])
		return;
	load_logo(lay, path, p->width);
	if (lay->logo_bad) {
		note(p, lay->logo_err);
		return;
	}
	int y0 = (int)floor(p->y), i = logo_at(lay, p->width, p->s, y0);
	struct op *o = i < 0 ? NULL : add_op(p);
	if (!o) {
		note(p, "logo left out: out of memory");
		return;
	}
	o->kind = OP_BAND;
	o->band = &lay->logo[i].dots;
	o->y0 = y0;
	p->y += lay->logo[i].h + 10 * p->s;
}

/* The QR code's modules as dots, once per content and width. */
static void load_qr(struct mc_ticket_layout *lay, const char *text, int width)
{
	if (lay->qr_text && !strcmp(lay->qr_text, text) && lay->qr_width == width)
		return;
	free(lay->qr_text);
	lay->qr_text = strdup(text);
	lay->qr_width = width;
	lay->qr_bad = false;
	band_free(&lay->qr);
	QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!q) {
		lay->qr_bad = true;
		return;
	}
	int quiet = 4, mods = q->width + 2 * quiet;
	int px = (int)floor(width * 0.45 / mods);
	if (px < 2)
		px = 2;
	int size = px * mods;
	int x0 = (width - size) / 2;
	if (band_new(&lay->qr, width, size) < 0) {
		lay->qr_bad = true;
		QRcode_free(q);
		return;
	}
	for (int r = 0; r < q->width; r++)
		for (int c = 0; c < q->width; c++) {
			if (!(q->data[r * q->width + c] & 1))
				continue;
			for (int yy = (r + quiet) * px; yy < (r + quiet + 1) * px; yy++)
				for (int xx = x0 + (c + quiet) * px; xx < x0 + (c + quiet + 1) * px; xx++)
					if (xx >= 0 && xx < width)
						set_dot(lay->qr.bits + (size_t)yy * (size_t)lay->qr.stride, xx);
		}
	QRcode_free(q);
}

static void qr(struct pass *p, const char *text)
{
	if (!text || !text[0])
		return;
	load_qr(p->lay, text, p->width);
	if (p->lay->qr_bad) {
		note(p, "QR code left out: content too long");
		return;
	}
	struct op *o = add_op(p);
	if (!o)
		return;
	o->kind = OP_BAND;
	o->band = &p->lay->qr;
	o->y0 = (int)ceil(p->y);
	p->y = o->y0 + p->lay->qr.h;
}

/* Lays out the whole ticket as drawing steps. */
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
	paragraph(p, t->desk, 22, 14, 2, false, CENTER, false);
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
	const char *addr = t->address && t->address[0] ? t->address : "quý công dân";
	if (t->ahead == 0) {
		/* Nobody ahead: no count and no "about 0 minutes". */
		paragraph(p, "Không phải chờ", 26, 16, 2, true, LEFT, false);
		paragraph(p, "No waiting", 20, 12, 2, false, LEFT, false);
		space(p, 4);
	}
	if (t->ahead > 0) {
		char n[16];
		snprintf(n, sizeof(n), "%d", t->ahead);
		snprintf(line, sizeof(line), "Số người chờ trước %s: ", addr);
		pieces(p, (const char *[]){ line, n }, 2, 26, 16, 2);
		pieces(p, (const char *[]){ "People ahead of you: ", n }, 2, 20, 12, 2);
		space(p, 4);
	}
	if (t->ahead != 0 && t->est_wait_min > 0) {
		char n[16];
		snprintf(n, sizeof(n), "%d", t->est_wait_min);
		pieces(p, (const char *[]){ "Thời gian chờ dự kiến: khoảng ", n, " phút" }, 3, 26, 16, 2);
		pieces(p, (const char *[]){ "Estimated wait: about ", n, " min" }, 3, 20, 12, 2);
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
		char day[32], hms[32];
		localtime_r(&secs, &tm);
		snprintf(day, sizeof(day), "%02d/%02d/%04d", tm.tm_mday, tm.tm_mon + 1, tm.tm_year + 1900);
		snprintf(hms, sizeof(hms), "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
		pieces(p, (const char *[]){ "Ngày ", day, " lúc ", hms }, 4, 24, 14, 2);
	}
	if (t->valid_today || t->missed_note)
		space(p, 6);
	if (t->valid_today) {
		paragraph(p, "Phiếu chỉ có giá trị trong ngày.", 22, 14, 2, true, LEFT, false);
		paragraph(p, "Valid only on the day of issue.", 18, 12, 2, false, LEFT, false);
	}
	if (t->missed_note) {
		snprintf(line, sizeof(line), "Nếu đã qua số của mình, %s vui lòng báo nhân viên tại quầy "
			 "để được gọi lại.", addr);
		paragraph(p, line, 22, 14, 4, false, LEFT, false);
		paragraph(p, "If your number has passed, please tell the staff at the counter to be "
			  "called again.", 18, 12, 4, false, LEFT, false);
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

/* The scratch surface, at least width x height, white. Each text is
 * drawn alone at its top (a whole number of rows shifted: glyphs land on
 * whole dots, so only the fraction of a row matters), so the surface is
 * as tall as the tallest text (the number), not the ticket. */
static int surface_for(struct mc_ticket_layout *lay, int width, int height)
{
	if (lay->surf && lay->surf_w == width && lay->surf_h >= height)
		return 0;
	if (lay->cr)
		cairo_destroy(lay->cr);
	if (lay->surf)
		cairo_surface_destroy(lay->surf);
	lay->cr = NULL;
	int h = height < 256 ? 256 : height + height / 4;
	if (h > MAX_HEIGHT)
		h = height;
	lay->surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, h);
	if (cairo_surface_status(lay->surf) != CAIRO_STATUS_SUCCESS) {
		cairo_surface_destroy(lay->surf);
		lay->surf = NULL;
		return -1;
	}
	lay->surf_w = width;
	lay->surf_h = h;
	lay->cr = cairo_create(lay->surf);
	set_options(lay->cr);
	cairo_set_source_rgb(lay->cr, 1, 1, 1);
	cairo_paint(lay->cr);
	return 0;
}

/* The surface's dots [x0, x1) x [y0, y1) (x0 a multiple of 8) as bits ORed
 * into out (stride bytes a row, row 0 = y0, bit 0 = x0), eight dots a byte.
 * What is drawn here is black or white with gray edges (grayscale
 * antialiasing of a gray source), so a dot's luminance is its blue byte;
 * it is black below half. */
static void take_dots(cairo_surface_t *s, int x0, int y0, int x1, int y1, uint8_t *out, int stride)
{
	const unsigned char *data = cairo_image_surface_get_data(s);
	int sstride = cairo_image_surface_get_stride(s);

	for (int y = y0; y < y1; y++) {
		const uint32_t *row = (const uint32_t *)(const void *)(data + (size_t)y * (size_t)sstride);
		uint8_t *o = out + (size_t)(y - y0) * (size_t)stride;
		int x = x0;
		for (; x + 8 <= x1; x += 8) {
			const uint32_t *q = row + x;
			uint64_t w0, w1, w2, w3;
			memcpy(&w0, q, 8), memcpy(&w1, q + 2, 8), memcpy(&w2, q + 4, 8), memcpy(&w3, q + 6, 8);
			const uint64_t mask = 0x0000008000000080ull;
			if (((w0 & w1 & w2 & w3) & mask) == mask)
				continue;  /* eight light dots: the common case */
			if (((w0 | w1 | w2 | w3) & mask) == 0) {
				o[(x - x0) / 8] = 0xff;  /* eight dark dots */
				continue;
			}
			uint8_t b = 0;
			for (int i = 0; i < 8; i++)
				b |= (uint8_t)((~q[i] >> 7 & 1u) << (7 - i));
			o[(x - x0) / 8] |= b;
		}
		for (; x < x1; x++)
			if (!(row[x] & 0x80))
				o[(x - x0) / 8] |= (uint8_t)(0x80u >> ((x - x0) % 8));
	}
}

/* Makes the surface's dots [x0, x1) x [y0, y1) white again (the caller
 * tells cairo with cairo_surface_mark_dirty before it draws again). */
static void whiten(cairo_surface_t *s, int x0, int y0, int x1, int y1)
{
	unsigned char *data = cairo_image_surface_get_data(s);
	int stride = cairo_image_surface_get_stride(s);

	for (int y = y0; y < y1; y++)
		memset(data + (size_t)y * (size_t)stride + (size_t)x0 * 4, 0xff, (size_t)(x1 - x0) * 4);
}

static void or_band(struct mc_raster *r, const struct band *b, int y0)
{
	for (int y = 0; y < b->h; y++) {
		if (y0 + y < 0 || y0 + y >= r->height)
			continue;
		uint8_t *out = r->bits + (size_t)(y0 + y) * (size_t)r->stride;
		const uint8_t *in = b->bits + (size_t)y * (size_t)b->stride;
		int i = b->b0, end = b->b1 < r->stride ? b->b1 : r->stride;
		for (; i + 8 <= end; i += 8) {
			uint64_t a, c;
			memcpy(&a, out + i, 8);
			memcpy(&c, in + i, 8);
			a |= c;
			memcpy(out + i, &a, 8);
		}
		for (; i < end; i++)
			out[i] |= in[i];
	}
}

/* A black rectangle on whole dots, as cairo fills it. */
static void fill_dots(struct mc_raster *r, int x, int y, int w, int h)
{
	for (int yy = y < 0 ? 0 : y; yy < y + h && yy < r->height; yy++)
		for (int xx = x < 0 ? 0 : x; xx < x + w && xx < r->width; xx++)
			set_dot(r->bits + (size_t)yy * (size_t)r->stride, xx);
}

/* Clips [x0, x1) to the ticket's width, x0 down to a whole byte. */
static bool clip_x(int width, int *x0, int *x1)
{
	*x0 = *x0 < 0 ? 0 : *x0 & ~7;
	*x1 = *x1 > width ? width : *x1;
	return *x0 < *x1;
}

/* A paragraph's dots: from its cache when it was drawn at the same pen x
 * and fraction of a row, else drawn alone on the white scratch surface
 * (its top row at the surface's row 0), taken into the cache and
 * whitened. ORed into r. */
static int para_dots(struct mc_ticket_layout *lay, const struct pass *p, const struct op *o,
		     struct mc_raster *r)
{
	struct para *c = o->para;
	double top = floor(o->y), fy = o->y - top;

	if (!c->have_dots || c->fy != fy || c->fx != o->x || !c->dots) {
		double pad = c->inverse ? 6 * p->s : 0, bh = ceil(c->log.height + 2 * pad);
		double px = o->x, py = o->y + pad;
		int x0 = (int)floor(px + c->ink.x) - INK_PAD, y0 = (int)floor(py + c->ink.y) - INK_PAD;
		int x1 = (int)ceil(px + c->ink.x + c->ink.width) + INK_PAD;
		int y1 = (int)ceil(py + c->ink.y + c->ink.height) + INK_PAD;
		if (c->inverse) {
			x0 = x0 < (int)p->m ? x0 : (int)p->m;
			x1 = x1 > p->width - (int)p->m ? x1 : p->width - (int)p->m;
			y0 = y0 < (int)top ? y0 : (int)top;
			y1 = y1 > (int)(top + bh) ? y1 : (int)(top + bh);
		}
		c->have_dots = false;
		if (!c->dots)
			c->dots = calloc(1, sizeof(*c->dots));
		if (!c->dots || !clip_x(p->width, &x0, &x1) || surface_for(lay, p->width, y1 - y0) < 0 ||
		    band_new(c->dots, p->width, y1 - y0) < 0)
			return x0 < x1 ? -1 : 0;  /* out of memory, or nothing to draw */
		cairo_t *cr = lay->cr;
		double shift = y0;     /* whole rows */
		if (c->inverse) {
			cairo_set_source_rgb(cr, 0, 0, 0);
			cairo_rectangle(cr, p->m, top - shift, p->width - 2 * p->m, bh);
			cairo_fill(cr);
			cairo_set_source_rgb(cr, 1, 1, 1);
		} else {
			cairo_set_source_rgb(cr, 0, 0, 0);
		}
		cairo_move_to(cr, px, py - shift);
		pango_cairo_show_layout(cr, c->l);
		cairo_surface_flush(lay->surf);
		/* the band is the ticket's width; columns from x0 keep their place */
		take_dots(lay->surf, x0, 0, x1, y1 - y0, c->dots->bits + x0 / 8, c->dots->stride);
		c->dots->b0 = x0 / 8;
		c->dots->b1 = (x1 + 7) / 8;
		whiten(lay->surf, x0, 0, x1, y1 - y0);
		cairo_surface_mark_dirty(lay->surf);
		c->have_dots = true;
		c->fx = px;
		c->fy = fy;
		c->dy = y0 - (int)top;
	}
	or_band(r, c->dots, (int)top + c->dy);
	return 0;
}

/* This ticket's own text (the number): drawn alone on the scratch surface
 * (its top row at row 0), taken into r, whitened. */
static int text_dots(struct mc_ticket_layout *lay, const struct op *o, struct mc_raster *r)
{
	int x0 = o->x0, x1 = o->x1, rows = o->y1 - o->y0;

	if (!clip_x(r->width, &x0, &x1))
		return 0;
	if (surface_for(lay, r->width, rows) < 0)
		return -1;
	cairo_set_source_rgb(lay->cr, 0, 0, 0);
	cairo_move_to(lay->cr, o->x, o->y - o->y0);
	pango_cairo_show_layout(lay->cr, o->l);
	cairo_surface_flush(lay->surf);
	int ys = o->y0 < 0 ? 0 : o->y0, ye = o->y1 > r->height ? r->height : o->y1;
	if (ys < ye)
		take_dots(lay->surf, x0, ys - o->y0, x1, ye - o->y0,
			  r->bits + (size_t)ys * (size_t)r->stride + x0 / 8, r->stride);
	whiten(lay->surf, x0, 0, x1, rows);
	cairo_surface_mark_dirty(lay->surf);
	return 0;
}

struct mc_ticket_layout *mc_ticket_layout_new(void)
{
	struct mc_ticket_layout *lay = calloc(1, sizeof(*lay));

	if (!lay)
		return NULL;
	lay->meas = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 1);
	lay->meas_cr = cairo_create(lay->meas);
	set_options(lay->meas_cr);
	lay->ctx = pango_cairo_create_context(lay->meas_cr);
	lay->logo[0].y0 = lay->logo[1].y0 = -1;
	if (!lay->ctx) {
		mc_ticket_layout_free(lay);
		return NULL;
	}
	return lay;
}

void mc_ticket_layout_free(struct mc_ticket_layout *lay)
{
	if (!lay)
		return;
	for (int i = 0; i < NCACHE; i++)
		if (lay->cache[i].text) {
			free(lay->cache[i].text);
			g_object_unref(lay->cache[i].l);
		}
	for (int i = 0; i < NCACHE; i++)
		if (lay->cache[i].dots) {
			band_free(lay->cache[i].dots);
			free(lay->cache[i].dots);
		}
	logo_forget(lay);
	band_free(&lay->qr);
	free(lay->logo_path);
	free(lay->qr_text);
	if (lay->cr)
		cairo_destroy(lay->cr);
	if (lay->surf)
		cairo_surface_destroy(lay->surf);
	if (lay->ctx)
		g_object_unref(lay->ctx);
	if (lay->meas_cr)
		cairo_destroy(lay->meas_cr);
	if (lay->meas)
		cairo_surface_destroy(lay->meas);
	free(lay);
}

struct mc_raster *mc_ticket_layout_render(struct mc_ticket_layout *lay, const struct mc_ticket_print *t,
					  int width, struct mc_ticket_box *box, char *err, size_t errlen)
{
	struct pass p = { .lay = lay, .t = t, .width = width, .err = err, .errlen = errlen };
	struct mc_raster *r = NULL;

	err[0] = 0;
	if (width < 64 || width > 4096) {
		snprintf(err, errlen, "ticket width %d dots is out of range (64..4096)", width);
		return NULL;
	}
	p.s = width / 576.0;
	p.m = floor(8 * p.s);

	/* Lay out once: where everything goes, and so the height. */
	layout(&p);
	int height = (int)ceil(p.y);
	if (height > MAX_HEIGHT)
		height = MAX_HEIGHT;
	r = mc_raster_new(width, height);
	if (!r) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	/* Pictures and paragraphs come as dots (drawn alone the first time);
	 * the number is drawn, taken and whitened again. */
	for (int i = 0; i < p.nops; i++) {
		struct op *o = &p.ops[i];
		if (o->kind == OP_BAND)
			or_band(r, o->band, o->y0);
		else if (o->kind == OP_RECT)
			fill_dots(r, (int)o->x, (int)o->y, (int)o->w, (int)o->h);
		else if ((o->kind == OP_PARA && para_dots(lay, &p, o, r) < 0) ||
			 (o->kind == OP_TEXT && text_dots(lay, o, r) < 0)) {
			snprintf(err, errlen, "cannot draw the ticket: out of memory");
			mc_raster_free(r);
			r = NULL;
			goto out;
		}
	}
	if (box)
		*box = p.box;
out:
	for (int i = 0; i < p.nops; i++)
		if (p.ops[i].kind == OP_TEXT && p.ops[i].l)
			g_object_unref(p.ops[i].l);
	return r;
}

struct mc_raster *mc_ticket_render(const struct mc_ticket_print *t, int width,
				   struct mc_ticket_box *box, char *err, size_t errlen)
{
	struct mc_ticket_layout *lay = mc_ticket_layout_new();

	if (!lay) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	struct mc_raster *r = mc_ticket_layout_render(lay, t, width, box, err, errlen);
	mc_ticket_layout_free(lay);
	return r;
}

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
