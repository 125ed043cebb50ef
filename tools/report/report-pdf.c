/* report-pdf.c — the report drawn with cairo + pango: an A4 PDF a manager
 * prints and signs, and the charts as PNG files (see report.h). */
#include "report-int.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <errno.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define A4_W 595.28
#define A4_H 841.89
#define MARGIN 40.0
#define FONT "Noto Sans"

/* Drawing state of the PDF: the page and where the next thing goes. */
struct doc {
	cairo_t *cr;          /* the context */
	double y;             /* next free line */
	int page;             /* page number, from 1 */
	char footer[MC_TEXT + 160]; /* office and period, at each page's foot */
};

/* Colours of the chart series. */
static const double series_rgb[][3] = {
	{ 0.16, 0.38, 0.67 }, { 0.93, 0.55, 0.17 }, { 0.20, 0.60, 0.35 }, { 0.75, 0.22, 0.20 },
};

/* ---- text ----------------------------------------------------------------- */

static PangoLayout *layout(cairo_t *cr, const char *text, double size, bool bold, double width)
{
	PangoLayout *l = pango_cairo_create_layout(cr);
	PangoFontDescription *fd = pango_font_description_from_string(FONT);

	pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
	if (bold)
		pango_font_description_set_weight(fd, PANGO_WEIGHT_BOLD);
	pango_layout_set_font_description(l, fd);
	pango_font_description_free(fd);
	if (width > 0) {
		pango_layout_set_width(l, (int)(width * PANGO_SCALE));
		pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	}
	pango_layout_set_text(l, text, -1);
	return l;
}

static double text_height(PangoLayout *l)
{
	int w, h;
	pango_layout_get_size(l, &w, &h);
	return (double)h / PANGO_SCALE;
}

static double text_width(PangoLayout *l)
{
	int w, h;
	pango_layout_get_size(l, &w, &h);
	return (double)w / PANGO_SCALE;
}

/* Draws text at (x, y); align -1 left, 0 centre, 1 right within width.
 * Returns its height. */
static double draw_text(cairo_t *cr, double x, double y, double width, int align, const char *text,
			double size, bool bold)
{
	PangoLayout *l = layout(cr, text, size, bold, width);
	if (width > 0)
		pango_layout_set_alignment(l, align < 0 ? PANGO_ALIGN_LEFT : align > 0 ? PANGO_ALIGN_RIGHT
							    : PANGO_ALIGN_CENTER);
	cairo_move_to(cr, x, y);
	pango_cairo_show_layout(cr, l);
	double h = text_height(l);
	g_object_unref(l);
	return h;
}

/* ---- charts ---------------------------------------------------------------- */

/* A bar chart: ncat categories, nser series of values, an optional
 * horizontal marker per category (target), in a w × h box at (x, y). */
struct chart {
	const char *title;           /* above the chart */
	const char *unit;            /* y axis unit */
	size_t ncat;                 /* categories */
	const char **cat;            /* category labels */
	int nser;                    /* series (≤ 4) */
	const char *ser[4];          /* series names for the legend */
	const double *val[4];        /* ncat values per series */
	const double *marker;        /* ncat markers (≤ 0: none), or NULL */
	const char *marker_name;     /* legend text of the marker */
	bool show_values;            /* each bar's value above it ("31,7%" with unit %) */
};

static double nice_step(double max)
{
	double raw = max / 5, mag = pow(10, floor(log10(raw > 0 ? raw : 1)));
	double n = raw / mag;
	return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * mag;
}

static void draw_chart(cairo_t *cr, double x, double y, double w, double h, const struct chart *c)
{
	double max = 0;
	char buf[64];

	cairo_save(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);
	double th = draw_text(cr, x, y, w, -1, c->title, 10, true);
	/* Legend on the title's line, at the right. */
	double lx = x + w;
	/* One series needs no legend: the title names it. */
	int nlegend = c->nser > 1 || c->marker ? c->nser + (c->marker ? 1 : 0) : 0;
	for (int s = nlegend - 1; s >= 0; s--) {
		const char *name = s < c->nser ? c->ser[s] : c->marker_name;
		PangoLayout *l = layout(cr, name, 7, false, 0);
		lx -= text_width(l) + 16;
		if (s < c->nser) {
			cairo_set_source_rgb(cr, series_rgb[s][0], series_rgb[s][1], series_rgb[s][2]);
			cairo_rectangle(cr, lx, y + 3, 8, 7);
			cairo_fill(cr);
		} else {
			cairo_set_source_rgb(cr, 0.8, 0, 0);
			cairo_set_line_width(cr, 1.5);
			cairo_move_to(cr, lx, y + 6.5);
			cairo_line_to(cr, lx + 9, y + 6.5);
			cairo_stroke(cr);
		}
		cairo_set_source_rgb(cr, 0, 0, 0);
		cairo_move_to(cr, lx + 11, y + 1);
		pango_cairo_show_layout(cr, l);
		g_object_unref(l);
	}
	for (size_t i = 0; i < c->ncat; i++) {
		for (int s = 0; s < c->nser; s++)
			if (c->val[s][i] > max)
				max = c->val[s][i];
		if (c->marker && c->marker[i] > max)
			max = c->marker[i];
	}
	if (max <= 0)
		max = 1;
	double step = nice_step(max), top = ceil(max / step) * step;
	/* The unit sits between the title (one or two lines) and the plot. */
	double px = x + 34, py = y + th + 16, pw = w - 38, ph = h - th - 16 - 30;
	/* Grid and y labels. */
	cairo_set_line_width(cr, 0.4);
	for (double v = 0; v <= top + step / 2; v += step) {
		double gy = py + ph - v / top * ph;
		cairo_set_source_rgb(cr, 0.8, 0.8, 0.8);
		cairo_move_to(cr, px, gy);
		cairo_line_to(cr, px + pw, gy);
		cairo_stroke(cr);
		cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
		snprintf(buf, sizeof(buf), "%g", v);
		draw_text(cr, x, gy - 5, 30, 1, buf, 7, false);
	}
	draw_text(cr, x, py - 13, 60, -1, c->unit, 7, false);
	/* Bars. */
	double slot = c->ncat ? pw / (double)c->ncat : pw;
	double bw = slot * 0.8 / (c->nser ? c->nser : 1);
	for (size_t i = 0; i < c->ncat; i++) {
		double sx = px + slot * (double)i + slot * 0.1;
		for (int s = 0; s < c->nser; s++) {
			double v = c->val[s][i], bh = v / top * ph;
			cairo_set_source_rgb(cr, series_rgb[s][0], series_rgb[s][1], series_rgb[s][2]);
			cairo_rectangle(cr, sx + bw * s, py + ph - bh, bw * 0.92, bh);
			cairo_fill(cr);
			if (c->show_values) {
				/* The figure itself, Vietnamese style (decimal comma). */
				snprintf(buf, sizeof(buf), "%.1f%s", v, !strcmp(c->unit, "%") ? "%" : "");
				char *dot = strchr(buf, '.');
				if (dot)
					*dot = ',';
				cairo_set_source_rgb(cr, 0, 0, 0);
				draw_text(cr, sx + bw * s - 4, py + ph - bh - 10, bw * 0.92 + 8, 0, buf, 7, true);
			}
		}
		if (c->marker && c->marker[i] > 0) {
			double my = py + ph - c->marker[i] / top * ph;
			cairo_set_source_rgb(cr, 0.8, 0, 0);
			cairo_set_line_width(cr, 1.5);
			cairo_move_to(cr, sx - slot * 0.05, my);
			cairo_line_to(cr, sx + slot * 0.85, my);
			cairo_stroke(cr);
		}
		cairo_set_source_rgb(cr, 0, 0, 0);
		PangoLayout *l = layout(cr, c->cat[i], slot < 30 ? 6 : 7, false, slot - 2);
		pango_layout_set_alignment(l, PANGO_ALIGN_CENTER);
		pango_layout_set_height(l, -2);
		pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
		cairo_move_to(cr, px + slot * (double)i + 1, py + ph + 3);
		pango_cairo_show_layout(cr, l);
		g_object_unref(l);
	}
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_set_line_width(cr, 0.8);
	cairo_move_to(cr, px, py);
	cairo_line_to(cr, px, py + ph);
	cairo_line_to(cr, px + pw, py + ph);
	cairo_stroke(cr);
	cairo_restore(cr);
}

/* The three charts' data, built from a report. */
struct charts {
	const char *svc_name[MC_MAX_SERVICES * 4];
	double svc_mean[MC_MAX_SERVICES * 4], svc_p90[MC_MAX_SERVICES * 4], svc_target[MC_MAX_SERVICES * 4];
	size_t nsvc;
	const char *hour_name[24];
	double hour_count[24];
	size_t nhour;
	char hour_label[24][8];
	const char *rating_name[MC_SCALE_MAX];
	double rating_share[MC_SCALE_MAX];
	char satisfaction_title[96];
	struct chart waits, arrivals, satisfaction;
};

static void build_charts(const struct mc_report *r, struct charts *c)
{
	size_t n;
	const struct mc_report_row *rows;

	memset(c, 0, sizeof(*c));
	rows = mc_report_rows(r, MC_REPORT_SERVICE, &n);
	for (size_t i = 0; i < n && i < MC_MAX_SERVICES * 4; i++) {
		c->svc_name[i] = rows[i].name;
		c->svc_mean[i] = rows[i].wait.n ? rows[i].wait.mean_ms / 60000.0 : 0;
		c->svc_p90[i] = rows[i].wait.n ? (double)rows[i].wait.p90_ms / 60000.0 : 0;
		c->svc_target[i] = (double)rows[i].target_ms / 60000.0;
		c->nsvc++;
	}
	c->waits = (struct chart){
		.title = "Thời gian chờ theo lĩnh vực", .unit = "phút", .ncat = c->nsvc, .cat = c->svc_name,
		.nser = 2, .ser = { "Trung bình", "90% lượt chờ không quá" }, .val = { c->svc_mean, c->svc_p90 },
		.marker = c->svc_target, .marker_name = "Mục tiêu",
	};
	/* Arrivals: the hours from the first to the last with tickets. */
	rows = mc_report_rows(r, MC_REPORT_HOUR, &n);
	int first = 24, last = -1;
	for (size_t i = 0; i < n; i++)
		if (rows[i].issued) {
			first = first < (int)i ? first : (int)i;
			last = (int)i;
		}
	for (int hr = first; hr <= last; hr++) {
		snprintf(c->hour_label[c->nhour], sizeof(c->hour_label[0]), "%dh", hr);
		c->hour_name[c->nhour] = c->hour_label[c->nhour];
		c->hour_count[c->nhour++] = rows[hr].issued;
	}
	c->arrivals = (struct chart){
		.title = "Lượt đến theo giờ (số phiếu)", .unit = "phiếu", .ncat = c->nhour, .cat = c->hour_name,
		.nser = 1, .ser = { "Số phiếu" }, .val = { c->hour_count },
	};
	/* Satisfaction: each level's share on the scale in use last (the
	 * tables give every scale of the period). */
	const struct mc_report_row *t = mc_report_total(r);
	int si = mc_report_nscales(r) - 1, nr = 0, nl = 0;
	const struct mc_scale *sc = mc_report_scale(r, si);
	if (sc) {
		nl = sc->n;
		for (int k = 1; k <= sc->n; k++)
			nr += t->ratings[si][k];
		for (int k = 0; k < sc->n; k++) {
			c->rating_name[k] = sc->vi[k];
			c->rating_share[k] = nr ? 100.0 * t->ratings[si][k + 1] / nr : 0;
		}
	}
	snprintf(c->satisfaction_title, sizeof(c->satisfaction_title), "Mức độ hài lòng (%% của %d lượt đánh giá)", nr);
	c->satisfaction = (struct chart){
		.title = c->satisfaction_title, .unit = "%", .ncat = (size_t)nl, .cat = c->rating_name,
		.nser = 1, .ser = { "Tỷ lệ" }, .val = { c->rating_share }, .show_values = true,
	};
}

/* ---- PDF ------------------------------------------------------------------- */

static void page_footer(struct doc *d)
{
	char buf[MC_TEXT + 200];
	snprintf(buf, sizeof(buf), "%s — trang %d", d->footer, d->page);
	cairo_set_source_rgb(d->cr, 0.4, 0.4, 0.4);
	draw_text(d->cr, MARGIN, A4_H - MARGIN + 12, A4_W - 2 * MARGIN, 0, buf, 7, false);
	cairo_set_source_rgb(d->cr, 0, 0, 0);
}

static void new_page(struct doc *d)
{
	page_footer(d);
	cairo_show_page(d->cr);
	d->page++;
	d->y = MARGIN;
}

static void need(struct doc *d, double h)
{
	if (d->y + h > A4_H - MARGIN)
		new_page(d);
}

/* Draws a table's heading row at the current line; returns its height. */
static double draw_head(struct doc *d, const struct sec *x, const double *cw, double size)
{
	cairo_t *cr = d->cr;
	double hh = 0, cx = MARGIN, fw = A4_W - 2 * MARGIN;

	for (int c = 0; c < x->ncols; c++) {
		PangoLayout *l = layout(cr, x->head[c], size, true, cw[c] - 4);
		double th = text_height(l);
		g_object_unref(l);
		hh = th > hh ? th : hh;
	}
	hh += 4;
	cairo_set_source_rgb(cr, 0.9, 0.92, 0.96);
	cairo_rectangle(cr, MARGIN, d->y, fw, hh);
	cairo_fill(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);
	for (int c = 0; c < x->ncols; c++) {
		/* Figures right-aligned; names and the summary's gloss left. */
		draw_text(cr, cx + 2, d->y + 2, cw[c] - 4, c && !(x->ncols == 3 && c == 1) ? 1 : -1, x->head[c],
			  size, true);
		cx += cw[c];
	}
	d->y += hh;
	return hh;
}

/* Height of row i of x in columns cw. */
static double row_height(cairo_t *cr, const struct sec *x, size_t i, const double *cw, double size)
{
	double rh = 0;

	for (int c = 0; c < x->ncols; c++) {
		PangoLayout *l = layout(cr, x->cells[i][c], size, false, cw[c] - 4);
		double th = text_height(l);
		g_object_unref(l);
		rh = th > rh ? th : rh;
	}
	return rh + 3;
}

/* Height of x's heading row in columns cw (as draw_head draws it). */
static double head_height(cairo_t *cr, const struct sec *x, const double *cw, double size)
{
	double hh = 0;

	for (int c = 0; c < x->ncols; c++) {
		PangoLayout *l = layout(cr, x->head[c], size, true, cw[c] - 4);
		double th = text_height(l);
		g_object_unref(l);
		hh = th > hh ? th : hh;
	}
	return hh + 4;
}

/* Rows a section's title and headings keep with them on their page, so a
 * heading never ends a page; and rows the block after the last section
 * (the signatures) keeps with it, so that block never stands alone. */
#define KEEP_ROWS 2
/* Space after a table. */
#define TABLE_GAP 8

/* Draws a section as a ruled table, breaking pages between rows. tail is
 * the height of what must follow the table's last rows on their page (the
 * signature block after the last table; 0 otherwise). */
static void draw_sec(struct doc *d, const struct sec *x, double tail)
{
	cairo_t *cr = d->cr;
	double fw = A4_W - 2 * MARGIN, cw[SEC_MAXCOLS];
	double size = x->ncols > 8 ? 7 : 8;

	/* Columns as wide as their cells need (headings may wrap onto two
	 * lines), then stretched or squeezed to the page's width. */
	double sum = 0;
	for (int c = 0; c < x->ncols; c++) {
		PangoLayout *l = layout(cr, x->head[c], size, true, 0);
		double nat = text_width(l) / 2 + 8;
		g_object_unref(l);
		for (size_t i = 0; i < x->nrows; i++) {
			l = layout(cr, x->cells[i][c], size, false, 0);
			double tw = text_width(l) + 8;
			g_object_unref(l);
			if (tw > nat)
				nat = tw;
		}
		cw[c] = nat;
		sum += nat;
	}
	for (int c = 0; c < x->ncols; c++)
		cw[c] *= fw / sum;

	/* The title, its English line, the headings and the first rows (all
	 * of them, and the tail, when the table is that short) on one page. */
	PangoLayout *lt = layout(cr, x->title, 11, true, fw), *le = layout(cr, x->title_en, 7, false, fw);
	double keep = 6 + text_height(lt) + text_height(le) + 3 + head_height(cr, x, cw, size);
	g_object_unref(lt);
	g_object_unref(le);
	size_t first_rows = x->nrows <= KEEP_ROWS ? x->nrows : KEEP_ROWS;
	for (size_t i = 0; i < first_rows; i++)
		keep += row_height(cr, x, i, cw, size);
	if (x->nrows <= KEEP_ROWS && tail > 0)
		keep += TABLE_GAP + tail;
	need(d, keep);
	d->y += 6;
	d->y += draw_text(cr, MARGIN, d->y, fw, -1, x->title, 11, true);
	cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
	d->y += draw_text(cr, MARGIN, d->y, fw, -1, x->title_en, 7, false) + 3;
	cairo_set_source_rgb(cr, 0, 0, 0);
	double x0 = MARGIN, cx;
	draw_head(d, x, cw, size);
	/* The last rows that go with the tail. */
	size_t tail_from = tail > 0 && x->nrows > KEEP_ROWS ? x->nrows - KEEP_ROWS : SIZE_MAX;
	for (size_t i = 0; i < x->nrows; i++) {
		double rh = row_height(cr, x, i, cw, size), want = rh;
		if (i == tail_from) {
			for (size_t k = i + 1; k < x->nrows; k++)
				want += row_height(cr, x, k, cw, size);
			want += TABLE_GAP + tail;
		}
		if (d->y + want > A4_H - MARGIN) {
			/* The table goes on: its headings again on the new page. */
			new_page(d);
			draw_head(d, x, cw, size);
		}
		bool total = i == x->total_row;
		cx = x0;
		for (int c = 0; c < x->ncols; c++) {
			/* The summary's English column reads as a gloss. */
			bool gloss = x->ncols == 3 && c == 1;
			if (gloss)
				cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
			draw_text(cr, cx + 2, d->y + 1.5, cw[c] - 4, c && !gloss ? 1 : -1, x->cells[i][c], size, total);
			cairo_set_source_rgb(cr, 0, 0, 0);
			cx += cw[c];
		}
		cairo_set_source_rgb(cr, total ? 0 : 0.8, total ? 0 : 0.8, total ? 0 : 0.8);
		cairo_set_line_width(cr, total ? 0.8 : 0.3);
		cairo_move_to(cr, x0, total ? d->y : d->y + rh);
		cairo_line_to(cr, x0 + fw, total ? d->y : d->y + rh);
		cairo_stroke(cr);
		cairo_set_source_rgb(cr, 0, 0, 0);
		d->y += rh;
	}
	d->y += TABLE_GAP;
}

/* Height of the signature block (date, two titles, room to sign). */
#define SIGN_H 130

static void draw_signatures(struct doc *d)
{
	cairo_t *cr = d->cr;
	double fw = A4_W - 2 * MARGIN, half = fw / 2;
	char date[96];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	snprintf(date, sizeof(date), "Ngày %d tháng %d năm %d", tm.tm_mday, tm.tm_mon + 1, tm.tm_year + 1900);
	need(d, SIGN_H);
	d->y += 16;
	draw_text(cr, MARGIN + half, d->y, half, 0, date, 9, false);
	d->y += 16;
	draw_text(cr, MARGIN, d->y, half, 0, "NGƯỜI LẬP BIỂU", 10, true);
	draw_text(cr, MARGIN + half, d->y, half, 0, "THỦ TRƯỞNG ĐƠN VỊ", 10, true);
	d->y += 14;
	draw_text(cr, MARGIN, d->y, half, 0, "(Ký, ghi rõ họ tên)", 8, false);
	draw_text(cr, MARGIN + half, d->y, half, 0, "(Ký tên, đóng dấu)", 8, false);
	d->y += 80;
}

int mc_report_write_pdf(const struct mc_report *r, const char *path, char *err, size_t errlen)
{
	const struct mc_config *cfg = mc_report_config(r);
	struct secs s;
	struct charts ch;
	char period[128], period_en[128], made[192];
	struct doc d = { 0 };
	int rc = -1;

	cairo_surface_t *sf = cairo_pdf_surface_create(path, A4_W, A4_H);
	if (cairo_surface_status(sf) != CAIRO_STATUS_SUCCESS) {
		snprintf(err, errlen, "cannot write %s: %s", path, cairo_status_to_string(cairo_surface_status(sf)));
		cairo_surface_destroy(sf);
		return -1;
	}
	cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_TITLE, "Báo cáo thời gian chờ và mức độ hài lòng");
	cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_CREATOR, "motcua kioskctl " MC_VERSION);
	if (report_sections(r, ',', &s)) {
		snprintf(err, errlen, "out of memory");
		cairo_surface_destroy(sf);
		return -1;
	}
	d.cr = cairo_create(sf);
	d.page = 1;
	d.y = MARGIN;
	report_period_vi(r, period, sizeof(period));
	report_period_en(r, period_en, sizeof(period_en));
	snprintf(d.footer, sizeof(d.footer), "%s · %s", cfg->office.name, period);

	/* Letterhead in the manner of an administrative document. */
	double fw = A4_W - 2 * MARGIN, half = fw / 2;
	draw_text(d.cr, MARGIN, d.y, half, 0, cfg->office.name, 9, true);
	draw_text(d.cr, MARGIN + half, d.y, half, 0, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 9, true);
	d.y += 13;
	/* The number is written in by hand when the report is registered. */
	draw_text(d.cr, MARGIN, d.y, half, 0, "Số: ........../BC-TTPVHCC", 9, false);
	draw_text(d.cr, MARGIN + half, d.y, half, 0, "Độc lập – Tự do – Hạnh phúc", 9, true);
	d.y += 16;
	{
		char when[160];
		time_t now = time(NULL);
		struct tm tm;
		localtime_r(&now, &tm);
		if (cfg->office.place[0])
			snprintf(when, sizeof(when), "%s, ngày %d tháng %d năm %d", cfg->office.place, tm.tm_mday,
				 tm.tm_mon + 1, tm.tm_year + 1900);
		else
			snprintf(when, sizeof(when), "Ngày %d tháng %d năm %d", tm.tm_mday, tm.tm_mon + 1,
				 tm.tm_year + 1900);
		draw_text(d.cr, MARGIN + half, d.y, half, 0, when, 9, false);
	}
	d.y += 24;
	d.y += draw_text(d.cr, MARGIN, d.y, fw, 0, "BÁO CÁO THỜI GIAN CHỜ VÀ MỨC ĐỘ HÀI LÒNG", 15, true);
	d.y += draw_text(d.cr, MARGIN, d.y, fw, 0, period, 11, false);
	cairo_set_source_rgb(d.cr, 0.35, 0.35, 0.35);
	snprintf(made, sizeof(made), "Wait time and satisfaction report · %s", period_en);
	d.y += draw_text(d.cr, MARGIN, d.y, fw, 0, made, 8, false) + 8;
	cairo_set_source_rgb(d.cr, 0, 0, 0);

	if (s.n)
		draw_sec(&d, &s.sec[0], s.n == 1 ? SIGN_H : 0);
	/* Charts. */
	build_charts(r, &ch);
	need(&d, 200);
	draw_chart(d.cr, MARGIN, d.y, fw, 190, &ch.waits);
	d.y += 200;
	need(&d, 200);
	draw_chart(d.cr, MARGIN, d.y, fw * 0.6 - 8, 190, &ch.arrivals);
	draw_chart(d.cr, MARGIN + fw * 0.6 + 8, d.y, fw * 0.4 - 8, 190, &ch.satisfaction);
	d.y += 200;
	for (size_t i = 1; i < s.n; i++)
		draw_sec(&d, &s.sec[i], i == s.n - 1 ? SIGN_H : 0);
	draw_signatures(&d);
	page_footer(&d);
	cairo_show_page(d.cr);
	cairo_destroy(d.cr);
	cairo_surface_finish(sf);
	if (cairo_surface_status(sf) != CAIRO_STATUS_SUCCESS)
		snprintf(err, errlen, "cannot write %s: %s", path, cairo_status_to_string(cairo_surface_status(sf)));
	else
		rc = 0;
	cairo_surface_destroy(sf);
	report_sections_free(&s);
	return rc;
}

int mc_report_write_tables_pdf(const char *issuer, const char *title, const char *period,
			       const char *period_en, const struct mc_report_table *t, size_t n,
			       const char *path, char *err, size_t errlen)
{
	struct doc d = { 0 };
	bool nomem = false;
	int rc = -1;

	cairo_surface_t *sf = cairo_pdf_surface_create(path, A4_W, A4_H);
	if (cairo_surface_status(sf) != CAIRO_STATUS_SUCCESS) {
		snprintf(err, errlen, "cannot write %s: %s", path, cairo_status_to_string(cairo_surface_status(sf)));
		cairo_surface_destroy(sf);
		return -1;
	}
	cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_TITLE, title);
	cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_CREATOR, "motcua kioskctl " MC_VERSION);
	d.cr = cairo_create(sf);
	d.page = 1;
	d.y = MARGIN;
	snprintf(d.footer, sizeof(d.footer), "%s · %s", issuer, period);
	double fw = A4_W - 2 * MARGIN, half = fw / 2;
	draw_text(d.cr, MARGIN, d.y, half, 0, issuer, 9, true);
	draw_text(d.cr, MARGIN + half, d.y, half, 0, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 9, true);
	d.y += 13;
	draw_text(d.cr, MARGIN + half, d.y, half, 0, "Độc lập – Tự do – Hạnh phúc", 9, true);
	d.y += 30;
	d.y += draw_text(d.cr, MARGIN, d.y, fw, 0, title, 15, true);
	d.y += draw_text(d.cr, MARGIN, d.y, fw, 0, period, 11, false);
	cairo_set_source_rgb(d.cr, 0.35, 0.35, 0.35);
	d.y += draw_text(d.cr, MARGIN, d.y, fw, 0, period_en, 8, false) + 8;
	cairo_set_source_rgb(d.cr, 0, 0, 0);
	for (size_t i = 0; i < n; i++) {
		struct sec x = { .ncols = t[i].ncols, .nrows = t[i].nrows, .total_row = t[i].total_row };
		if (x.ncols < 1 || x.ncols > SEC_MAXCOLS)
			continue;
		snprintf(x.title, sizeof(x.title), "%s", t[i].title);
		snprintf(x.title_en, sizeof(x.title_en), "%s", t[i].title_en ? t[i].title_en : "");
		for (int c = 0; c < x.ncols; c++) {
			snprintf(x.head[c], SEC_HEAD, "%s", t[i].head[c] ? t[i].head[c] : "");
			snprintf(x.head_en[c], SEC_HEAD, "%s", t[i].head_en[c] ? t[i].head_en[c] : "");
		}
		x.cells = calloc(x.nrows ? x.nrows : 1, sizeof(*x.cells));
		if (!x.cells) {
			nomem = true;
			goto out;
		}
		for (size_t r = 0; r < x.nrows; r++)
			for (int c = 0; c < x.ncols; c++)
				snprintf(x.cells[r][c], SEC_CELL, "%s", t[i].cells[r * (size_t)x.ncols + (size_t)c]);
		draw_sec(&d, &x, i == n - 1 ? SIGN_H : 0);
		free(x.cells);
	}
	draw_signatures(&d);
	page_footer(&d);
	cairo_show_page(d.cr);
out:
	cairo_destroy(d.cr);
	cairo_surface_finish(sf);
	if (nomem)
		snprintf(err, errlen, "out of memory");
	else if (cairo_surface_status(sf) != CAIRO_STATUS_SUCCESS)
		snprintf(err, errlen, "cannot write %s: %s", path, cairo_status_to_string(cairo_surface_status(sf)));
	else
		rc = 0;
	cairo_surface_destroy(sf);
	return rc;
}

/* ---- PNG ------------------------------------------------------------------- */

static int write_chart_png(const struct chart *c, const char *dir, const char *name, char *err, size_t errlen)
{
	const int w = 1200, h = 700;
	char path[1024];
	int rc = -1;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	cairo_surface_t *sf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
	cairo_t *cr = cairo_create(sf);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	/* Draw in points at 2× so text stays crisp. */
	cairo_scale(cr, 2, 2);
	draw_chart(cr, 16, 16, w / 2.0 - 32, h / 2.0 - 24, c);
	cairo_destroy(cr);
	cairo_status_t st = cairo_surface_write_to_png(sf, path);
	if (st != CAIRO_STATUS_SUCCESS)
		snprintf(err, errlen, "cannot write %s: %s", path, cairo_status_to_string(st));
	else
		rc = 0;
	cairo_surface_destroy(sf);
	return rc;
}

int mc_report_write_png(const struct mc_report *r, const char *dir, char *err, size_t errlen)
{
	struct charts ch;

	build_charts(r, &ch);
	if (write_chart_png(&ch.waits, dir, "waits.png", err, errlen) ||
	    write_chart_png(&ch.arrivals, dir, "arrivals.png", err, errlen) ||
	    write_chart_png(&ch.satisfaction, dir, "satisfaction.png", err, errlen))
		return -1;
	return 0;
}
