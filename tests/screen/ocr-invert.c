/* ocr-invert.c — turns light text on a coloured ground (the kiosk's white
 * on blue buttons) into dark text on white for tesseract: grey, inverted,
 * thresholded. Dark text on a light ground comes out white on black; with
 * --dark the same thresholding keeps dark text dark instead (blue on
 * white), so a test reads both pictures.
 *
 * Usage: ocr-invert [--dark] IN.png OUT.png */
#include <cairo.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	bool dark = argc == 4 && !strcmp(argv[1], "--dark");
	if (argc != 3 + dark) {
		fprintf(stderr, "usage: %s [--dark] IN.png OUT.png\n", argv[0]);
		return 2;
	}
	argv += dark;
	cairo_surface_t *s = cairo_image_surface_create_from_png(argv[1]);
	if (cairo_surface_status(s)) {
		fprintf(stderr, "%s: cannot read %s\n", argv[0], argv[1]);
		return 1;
	}
	cairo_surface_flush(s);
	unsigned char *d = cairo_image_surface_get_data(s);
	int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
	int stride = cairo_image_surface_get_stride(s);
	for (int y = 0; y < h; y++) {
		uint32_t *row = (uint32_t *)(void *)(d + (long)y * stride);
		for (int x = 0; x < w; x++) {
			uint32_t p = row[x];
			unsigned lum = (((p >> 16) & 0xff) * 299 + ((p >> 8) & 0xff) * 587 + (p & 0xff) * 114) / 1000;
			unsigned v = dark ? (lum < 160 ? 0 : 255) : (255 - lum < 100 ? 0 : 255);
			row[x] = 0xff000000u | v << 16 | v << 8 | v;
		}
	}
	cairo_surface_mark_dirty(s);
	int rc = cairo_surface_write_to_png(s, argv[2]) == CAIRO_STATUS_SUCCESS ? 0 : 1;
	cairo_surface_destroy(s);
	return rc;
}
