/* bench-render.c — renders tickets through one ticket layout, as the
 * printer worker does, so callgrind can count the instructions of one
 * ticket (tools/bench/callgrind.sh runs it twice, with N and 1 + N tickets,
 * and takes the difference: load-independent, repeatable).
 *
 * Usage: bench-render N [WIDTH [LOGO.png]]   (default 576 dots, a drawn logo)
 * Each ticket has a new number, wait, time; the office, service, footer,
 * logo and QR are the board's. Prints the tickets' heights. */
#include "ticket.h"

#include <cairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1, width = argc > 2 ? atoi(argv[2]) : 576;
	char logo[64], err[256], label[16];
	long rows = 0;

	if (argc > 3) {
		snprintf(logo, sizeof(logo), "%s", argv[3]);
	} else {
		snprintf(logo, sizeof(logo), "/tmp/mc-bench-logo-%d.png", (int)getpid());
		cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 240, 96);
		cairo_t *cr = cairo_create(s);
		cairo_pattern_t *g = cairo_pattern_create_linear(0, 0, 240, 0);
		cairo_pattern_add_color_stop_rgb(g, 0, 0, 0, 0);
		cairo_pattern_add_color_stop_rgb(g, 1, 1, 1, 1);
		cairo_set_source(cr, g);
		cairo_paint(cr);
		cairo_pattern_destroy(g);
		cairo_destroy(cr);
		cairo_surface_write_to_png(s, logo);
		cairo_surface_destroy(s);
	}
	setenv("TZ", "Asia/Ho_Chi_Minh", 1);
	struct mc_ticket_layout *lay = mc_ticket_layout_new();
	if (!lay)
		return 1;
	for (int i = 0; i < n; i++) {
		snprintf(label, sizeof(label), "%04d", 1000 + i % 9000);
		struct mc_ticket_print t = {
			.office = "UBND phường Bách Khoa", .service = "Tư pháp – Hộ tịch",
			.service_en = "Justice – Civil status", .label = label, .priority = i % 7 == 3,
			.issued_wall_ms = 1764048600000 + i * 61000LL, .ahead = i % 40,
			.est_wait_min = 1 + i % 90, .counters = "1, 2", .footer = "Xin cảm ơn quý công dân!",
			.footer_en = "Thank you!", .qr = "https://dichvucong.gov.vn/", .logo_png = logo,
		};
		struct mc_raster *r = mc_ticket_layout_render(lay, &t, width, NULL, err, sizeof(err));
		if (!r) {
			fprintf(stderr, "render: %s\n", err);
			return 1;
		}
		rows += r->height;
		mc_raster_free(r);
	}
	mc_ticket_layout_free(lay);
	if (argc <= 3)
		unlink(logo);
	printf("%d tickets, %d dots, %ld rows\n", n, width, rows);
	return 0;
}
