/* draw.c — cairo + pango helpers (see draw.h). */
#include "draw.h"

#include <math.h>
#include <pango/pangocairo.h>

void mc_draw_color(cairo_t *cr, uint32_t rgb)
{
	cairo_set_source_rgb(cr, ((rgb >> 16) & 0xff) / 255.0, ((rgb >> 8) & 0xff) / 255.0,
			     (rgb & 0xff) / 255.0);
}

static void rounded(cairo_t *cr, struct mc_rect r, double rad)
{
	if (rad <= 0) {
		cairo_rectangle(cr, r.x, r.y, r.w, r.h);
		return;
	}
	rad = fmin(rad, fmin(r.w, r.h) / 2);
	cairo_new_sub_path(cr);
	cairo_arc(cr, r.x + r.w - rad, r.y + rad, rad, -M_PI / 2, 0);
	cairo_arc(cr, r.x + r.w - rad, r.y + r.h - rad, rad, 0, M_PI / 2);
	cairo_arc(cr, r.x + rad, r.y + r.h - rad, rad, M_PI / 2, M_PI);
	cairo_arc(cr, r.x + rad, r.y + rad, rad, M_PI, 3 * M_PI / 2);
	cairo_close_path(cr);
}

void mc_draw_box(cairo_t *cr, struct mc_rect r, double radius, uint32_t rgb)
{
	rounded(cr, r, radius);
	mc_draw_color(cr, rgb);
	cairo_fill(cr);
}

void mc_draw_frame(cairo_t *cr, struct mc_rect r, double radius, double lw, uint32_t rgb)
{
	rounded(cr, mc_rect_inset(r, lw / 2), radius);
	mc_draw_color(cr, rgb);
	cairo_set_line_width(cr, lw);
	cairo_stroke(cr);
}

struct mc_rect mc_rect_inset(struct mc_rect r, double d)
{
	return (struct mc_rect){ r.x + d, r.y + d, fmax(0, r.w - 2 * d), fmax(0, r.h - 2 * d) };
}

bool mc_rect_has(struct mc_rect r, double x, double y)
{
	return x >= r.x && y >= r.y && x < r.x + r.w && y < r.y + r.h;
}

/* Whether every line of lay starts after a space or a line break, that
 * is no word was cut in two to fit. */
static bool breaks_between_words(PangoLayout *lay, const char *text)
{
	int n = pango_layout_get_line_count(lay);

	for (int i = 1; i < n; i++) {
		PangoLayoutLine *line = pango_layout_get_line_readonly(lay, i);
		int at = line ? line->start_index : 0;
		if (at > 0 && text[at - 1] != ' ' && text[at - 1] != '\n' && text[at - 1] != '-')
			return false;
	}
	return true;
}

double mc_draw_text(cairo_t *cr, const char *text, struct mc_rect r, double max_px,
		    int max_lines, unsigned flags, uint32_t rgb)
{
	PangoLayout *lay = pango_cairo_create_layout(cr);
	PangoFontDescription *fd = pango_font_description_from_string(MC_FONT);
	double px = max_px, min_px = fmax(4, max_px / 10);
	int w, h;

	pango_font_description_set_weight(fd, flags & MC_TEXT_BOLD ? PANGO_WEIGHT_BOLD
								  : PANGO_WEIGHT_NORMAL);
	pango_layout_set_text(lay, text, -1);
	pango_layout_set_width(lay, (int)(r.w * PANGO_SCALE));
	pango_layout_set_wrap(lay, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_alignment(lay, flags & MC_TEXT_CENTER ? PANGO_ALIGN_CENTER
				   : flags & MC_TEXT_RIGHT ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
	/* Shrink by about 8 % a step until the text fits the box and the lines. */
	for (;;) {
		pango_font_description_set_absolute_size(fd, px * PANGO_SCALE);
		pango_layout_set_font_description(lay, fd);
		pango_layout_get_pixel_size(lay, &w, &h);
		/* A long name breaks between words: a word cut in two means
		 * the size is too large. */
		bool words_fit = !pango_layout_is_wrapped(lay) ||
				 (pango_layout_get_line_count(lay) <= max_lines && breaks_between_words(lay, text));
		if ((h <= r.h && words_fit && pango_layout_get_line_count(lay) <= max_lines) ||
		    px <= min_px)
			break;
		px = fmax(min_px, px * 0.92);
	}
	if (pango_layout_get_line_count(lay) > max_lines || h > r.h) {
		pango_layout_set_ellipsize(lay, PANGO_ELLIPSIZE_END);
		pango_layout_set_height(lay, -max_lines);
		pango_layout_get_pixel_size(lay, &w, &h);
	}
	double y = flags & MC_TEXT_TOP ? r.y : r.y + (r.h - h) / 2;
	mc_draw_color(cr, rgb);
	cairo_move_to(cr, r.x, y);
	pango_cairo_show_layout(cr, lay);
	pango_font_description_free(fd);
	g_object_unref(lay);
	return px;
}
