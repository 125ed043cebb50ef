/* ticket.h — the printed ticket's layout, drawn with cairo + pango (so
 * Vietnamese is shaped with every tone mark) into a 1-bit raster at the
 * printer's width (576 dots for 80 mm, 384 for 58 mm, or any other).
 *
 * Text that does not fit wraps or shrinks; it is never cut off. Fonts come
 * from fontconfig by family ("Noto Sans", Debian's fonts-noto-core). Pure
 * apart from reading the logo PNG; thread-safe (call it from the printer
 * worker). */
#ifndef MC_TICKET_H
#define MC_TICKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "raster.h"

/* What goes on one ticket. Strings are UTF-8; NULL or "" leaves a line out. */
struct mc_ticket_print {
	const char *office;        /* office name */
	const char *service;       /* service name, Vietnamese */
	const char *service_en;    /* service name, English (second) */
	const char *label;         /* the number, e.g. "1023" or "B017" */
	bool priority;             /* priority citizen: marked */
	int64_t issued_wall_ms;    /* UTC ms; printed in local time (TZ) */
	int ahead;                 /* people waiting before it (<0: leave out) */
	int est_wait_min;          /* estimated wait in minutes (<0: leave out) */
	const char *counters;      /* counters serving it, e.g. "1, 2" */
	const char *footer;        /* last line, Vietnamese */
	const char *footer_en;     /* last line, English */
	const char *logo_png;      /* path of a PNG logo, dithered (NULL: none) */
	const char *qr;            /* QR code content (NULL: none) */
	const char *banner;        /* a mark above everything, e.g. "IN THỬ" (NULL: none) */
};

/* Where the number's ink lies on the ticket, in dots. */
struct mc_ticket_box {
	int x, y;      /* top-left */
	int w, h;      /* size */
};

/* Renders t at width dots (64..4096) into a new raster (caller frees with
 * mc_raster_free). If box is not NULL it receives where the number is. A
 * missing or unreadable logo or QR is left out and said in err, which is
 * otherwise "". NULL with a message in err on failure. */
struct mc_raster *mc_ticket_render(const struct mc_ticket_print *t, int width,
				   struct mc_ticket_box *box, char *err, size_t errlen);

/* A ticket layout that keeps what does not change between tickets. */
struct mc_ticket_layout;

struct mc_ticket_layout *mc_ticket_layout_new(void);
void mc_ticket_layout_free(struct mc_ticket_layout *lay);
struct mc_raster *mc_ticket_layout_render(struct mc_ticket_layout *lay, const struct mc_ticket_print *t,
					  int width, struct mc_ticket_box *box, char *err, size_t errlen);

#endif
