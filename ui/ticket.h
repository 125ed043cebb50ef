/* ticket.h — the printed ticket's layout, drawn with cairo + pango (so
 * Vietnamese is shaped with every tone mark) into a 1-bit raster at the
 * printer's width (576 dots for 80 mm, 384 for 58 mm, or any other).
 *
 * Text that does not fit wraps or shrinks; it is never cut off. Fonts come
 * from fontconfig by family ("Noto Sans", Debian's fonts-noto-core). Pure
 * apart from reading the logo PNG.
 *
 * A ticket layout (mc_ticket_layout) keeps what does not change between
 * tickets: the office, service names, footers, headings and the fixed
 * parts of the count lines laid out and turned into dots once per text,
 * size and width; the logo dithered once per file and width; the QR code
 * once per content and width; one drawing surface. Tickets drawn through
 * it are dot for dot those mc_ticket_render draws alone. Its memory is
 * bounded (64 paragraphs, two logo placements, one QR, one surface the
 * size of the longest ticket). */
#ifndef MC_TICKET_H
#define MC_TICKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "raster.h"

/* What goes on one ticket. Strings are UTF-8; NULL or "" leaves a line out. */
struct mc_ticket_print {
	const char *office;        /* office name */
	const char *desk;          /* second header line, the desk's name (NULL: none) */
	const char *address;       /* how the ticket addresses the citizen, one register
	                            * throughout (NULL or "": "quý công dân") */
	const char *service;       /* service name, Vietnamese */
	const char *service_en;    /* service name, English (second) */
	const char *label;         /* the number, e.g. "1023" or "B017" */
	bool priority;             /* priority citizen: marked */
	int64_t issued_wall_ms;    /* UTC ms; printed in local time (TZ) */
	int ahead;                 /* people waiting before it (<0: leave out; 0:
	                            * "Không phải chờ" instead of the count and wait) */
	int est_wait_min;          /* estimated wait in minutes (<=0: leave out) */
	const char *counters;      /* counters serving it, e.g. "1, 2" */
	const char *footer;        /* last line, Vietnamese */
	const char *footer_en;     /* last line, English */
	const char *logo_png;      /* path of a PNG logo, dithered (NULL: none) */
	const char *qr;            /* QR code content (NULL: none) */
	const char *banner;        /* a mark above everything, e.g. "IN THỬ" (NULL: none) */
	bool valid_today;          /* "Phiếu chỉ có giá trị trong ngày" */
	bool missed_note;          /* what to do when one's number was passed */
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

/* Threads: mc_ticket_render may be called from any thread (it makes and
 * drops its own layout). A layout is confined to one thread at a time
 * (in kioskd, the printer worker that made it); it is not locked. */
struct mc_ticket_layout;

/* A new, empty layout, or NULL when out of memory. */
struct mc_ticket_layout *mc_ticket_layout_new(void);
/* Frees lay and everything it keeps. Accepts NULL. */
void mc_ticket_layout_free(struct mc_ticket_layout *lay);
/* As mc_ticket_render, reusing and filling lay's caches. A logo file that
 * changes (time, size, inode) is read again. */
struct mc_raster *mc_ticket_layout_render(struct mc_ticket_layout *lay, const struct mc_ticket_print *t,
					  int width, struct mc_ticket_box *box, char *err, size_t errlen);

#endif
