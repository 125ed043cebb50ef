/* raster.h — a 1-bit image as ESC/POS prints it (MSB the leftmost dot,
 * 1 = black), and its PNG form for previews and tests. */
#ifndef MC_RASTER_H
#define MC_RASTER_H

#include <stdint.h>

#include "escpos.h"

/* A 1-bit image owning its bits. */
struct mc_raster {
	int width;       /* dots per row */
	int height;      /* rows */
	int stride;      /* bytes per row, (width + 7) / 8 */
	uint8_t *bits;   /* height * stride bytes, all white (0) when new */
};

/* A white raster width x height, or NULL with errno (EINVAL, ENOMEM). */
struct mc_raster *mc_raster_new(int width, int height);
/* Frees r. Accepts NULL. */
void mc_raster_free(struct mc_raster *r);
/* Whether dot (x, y) is black; false outside the image. */
int mc_raster_get(const struct mc_raster *r, int x, int y);
/* Sets dot (x, y) black (v != 0) or white; ignored outside the image. */
void mc_raster_set(struct mc_raster *r, int x, int y, int v);
/* The raster as the encoder's image view (valid while r lives). */
struct mc_escpos_image mc_raster_image(const struct mc_raster *r);
/* Writes r as a 1-bit grayscale PNG (black on white). Returns 0, or -1
 * with a message in err. */
int mc_raster_write_png(const struct mc_raster *r, const char *path, char *err, size_t errlen);
/* Reads a PNG (any format; dots darker than half are black) into a new
 * raster. NULL with a message in err. */
struct mc_raster *mc_raster_read_png(const char *path, char *err, size_t errlen);

#endif
