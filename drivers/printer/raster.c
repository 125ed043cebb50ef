/* raster.c — 1-bit images and their PNG form, through libpng (see raster.h). */
#include "raster.h"

#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mc_raster *mc_raster_new(int width, int height)
{
	if (width < 1 || height < 0 || width > 65535 || height > 1000000) {
		errno = EINVAL;
		return NULL;
	}
	struct mc_raster *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->width = width;
	r->height = height;
	r->stride = (width + 7) / 8;
	r->bits = calloc((size_t)r->stride * (size_t)(height ? height : 1), 1);
	if (!r->bits) {
		free(r);
		errno = ENOMEM;
		return NULL;
	}
	return r;
}

void mc_raster_free(struct mc_raster *r)
{
	if (!r)
		return;
	free(r->bits);
	free(r);
}

int mc_raster_get(const struct mc_raster *r, int x, int y)
{
	if (x < 0 || y < 0 || x >= r->width || y >= r->height)
		return 0;
	return (r->bits[(size_t)y * (size_t)r->stride + (size_t)x / 8] >> (7 - x % 8)) & 1;
}

void mc_raster_set(struct mc_raster *r, int x, int y, int v)
{
	if (x < 0 || y < 0 || x >= r->width || y >= r->height)
		return;
	uint8_t *p = &r->bits[(size_t)y * (size_t)r->stride + (size_t)x / 8];
	uint8_t m = (uint8_t)(0x80u >> (x % 8));
	*p = v ? (uint8_t)(*p | m) : (uint8_t)(*p & ~m);
}

struct mc_escpos_image mc_raster_image(const struct mc_raster *r)
{
	return (struct mc_escpos_image){ r->bits, r->width, r->height, r->stride };
}

int mc_raster_write_png(const struct mc_raster *r, const char *path, char *err, size_t errlen)
{
	/* volatile: f, row and rc live across libpng's setjmp (png and info
	 * are reached through their addresses). */
	FILE *volatile f = NULL;
	png_structp png = NULL;
	png_infop info = NULL;
	uint8_t *volatile row = NULL;
	volatile int rc = -1;

	f = fopen(path, "wb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	info = png ? png_create_info_struct(png) : NULL;
	row = malloc((size_t)r->stride);
	if (!png || !info || !row) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	if (setjmp(png_jmpbuf(png))) {
		snprintf(err, errlen, "%s: libpng could not write the image", path);
		goto out;
	}
	png_init_io(png, f);
	png_set_IHDR(png, info, (png_uint_32)r->width, (png_uint_32)(r->height ? r->height : 1), 1,
		     PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
		     PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	/* PNG gray 1 is white; the raster's 1 is black. */
	for (int y = 0; y < (r->height ? r->height : 1); y++) {
		for (int i = 0; i < r->stride; i++)
			row[i] = r->height ? (uint8_t)~r->bits[(size_t)y * (size_t)r->stride + (size_t)i] : 0xff;
		png_write_row(png, row);
	}
	png_write_end(png, NULL);
	rc = 0;
out:
	png_destroy_write_struct(&png, &info);
	free(row);
	if (fclose(f) != 0 && rc == 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	return rc;
}

struct mc_raster *mc_raster_read_png(const char *path, char *err, size_t errlen)
{
	png_image img;
	uint8_t *gray = NULL;
	struct mc_raster *r = NULL;

	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(&img, path)) {
		snprintf(err, errlen, "%s: %s", path, img.message);
		return NULL;
	}
	img.format = PNG_FORMAT_GRAY;
	gray = malloc(PNG_IMAGE_SIZE(img));
	if (!gray) {
		png_image_free(&img);
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	if (!png_image_finish_read(&img, NULL, gray, 0, NULL)) {
		snprintf(err, errlen, "%s: %s", path, img.message);
		goto out;
	}
	r = mc_raster_new((int)img.width, (int)img.height);
	if (!r) {
		snprintf(err, errlen, "%s: image too large", path);
		goto out;
	}
	for (int y = 0; y < r->height; y++)
		for (int x = 0; x < r->width; x++)
			if (gray[(size_t)y * img.width + (size_t)x] < 128)
				mc_raster_set(r, x, y, 1);
out:
	free(gray);
	return r;
}
