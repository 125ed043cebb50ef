/* draw.h — shared drawing helpers for the screens (and anything else that
 * draws with cairo + pango): rectangles, rounded boxes and text fitted into
 * a box, shaped by pango with the "Noto Sans" family of fonts-noto-core so
 * every Vietnamese tone mark is right. Pure functions of a cairo context. */
#ifndef MC_DRAW_H
#define MC_DRAW_H

#include <cairo.h>
#include <stdbool.h>
#include <stdint.h>

#define MC_FONT "Noto Sans"

/* A rectangle in user space. */
struct mc_rect {
	double x, y, w, h;   /* top-left corner and size */
};

/* How text sits in its box. */
enum mc_text_flags {
	MC_TEXT_LEFT = 0,        /* horizontal: left (default) */
	MC_TEXT_CENTER = 1,      /* horizontal: centre */
	MC_TEXT_RIGHT = 2,       /* horizontal: right */
	MC_TEXT_BOLD = 4,        /* bold weight */
	MC_TEXT_TOP = 8,         /* vertical: top (default: middle) */
};

/* Sets the source colour from 0xRRGGBB. */
void mc_draw_color(cairo_t *cr, uint32_t rgb);
/* Fills r with rgb, corners rounded by radius (0: square). */
void mc_draw_box(cairo_t *cr, struct mc_rect r, double radius, uint32_t rgb);
/* Strokes r's outline, width lw. */
void mc_draw_frame(cairo_t *cr, struct mc_rect r, double radius, double lw, uint32_t rgb);
/* Draws UTF-8 text in r at the largest size up to max_px (pixel height of
 * the font) that fits in at most max_lines lines, wrapping at words; never
 * below a tenth of max_px, where the text is ellipsized instead. Returns
 * the size used. */
double mc_draw_text(cairo_t *cr, const char *text, struct mc_rect r, double max_px,
		    int max_lines, unsigned flags, uint32_t rgb);
/* r shrunk by d on every side. */
struct mc_rect mc_rect_inset(struct mc_rect r, double d);
/* Whether point (x, y) lies in r. */
bool mc_rect_has(struct mc_rect r, double x, double y);

#endif
