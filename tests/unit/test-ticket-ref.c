/* test-ticket-ref.c — reference tickets: the layout draws the same dots as
 * the reviewed PNGs in tests/unit/ticket-ref/ (logo, QR, banners, priority,
 * long text, widths 200..832), rendered one by one and again through one
 * long-lived layout (its caches must not change a dot), in an order that
 * makes every cache serve a different ticket than the one that filled it.
 *
 * A mismatch writes the new ticket beside the reference as NAME.new.png to
 * look at by eye. `test-ticket-ref --write DIR` writes the references
 * (after a change that is meant to alter tickets, reviewed by eye).
 * Needs fonts-noto-core; TZ is Asia/Ho_Chi_Minh. */
#include <cairo.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ticket.h"

static const char *refdir = MC_TICKET_REF_DIR;
static char logo_path[64];

struct ref_case {
	const char *name;
	int width;
	struct mc_ticket_print t;
};

#define BASE .office = "UBND phường Bách Khoa", .service = "Tư pháp – Hộ tịch",                 \
	     .service_en = "Justice – Civil status", .issued_wall_ms = 1764048600000,             \
	     .counters = "1, 2", .footer = "Xin cảm ơn quý công dân!", .footer_en = "Thank you!"

static struct ref_case cases[] = {
	{ "plain-576", 576, { BASE, .label = "1023", .ahead = 3, .est_wait_min = 15 } },
	{ "full-576", 576, { BASE, .label = "1024", .ahead = 4, .est_wait_min = 17, .priority = true,
			     .qr = "https://dichvucong.gov.vn/ve/1023", .logo_png = logo_path } },
	{ "full2-576", 576, { BASE, .label = "B017", .ahead = 12, .est_wait_min = 48,
			      .qr = "https://dichvucong.gov.vn/ve/1023", .logo_png = logo_path } },
	{ "banner-576", 576, { BASE, .label = "0000", .ahead = 5, .est_wait_min = 20,
			       .banner = "BẢN IN LẠI · REPRINT", .logo_png = logo_path } },
	{ "plain-384", 384, { BASE, .label = "1023", .ahead = 3, .est_wait_min = 15 } },
	{ "full-384", 384, { BASE, .label = "2051", .ahead = 7, .est_wait_min = 9, .priority = true,
			     .qr = "https://dichvucong.gov.vn/", .logo_png = logo_path,
			     .banner = "IN THỬ · TEST PRINT" } },
	{ "long-384", 384, { .office = "ỦYBANNHÂNDÂNPHƯỜNGBÁCHKHOAQUẬNHAIBÀTRƯNGTHÀNHPHỐHÀNỘI",
			     .service = "Chứng thực bản sao từ bản chính, chứng thực chữ ký, chứng thực hợp "
					"đồng, giao dịch liên quan đến động sản và quyền sử dụng đất của hộ "
					"gia đình",
			     .service_en = "Certification of copies, signatures and contracts",
			     .label = "B12345", .issued_wall_ms = 1764048600000, .ahead = 31,
			     .est_wait_min = 125,
			     .counters = "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20",
			     .footer = "Xin cảm ơn quý công dân! Vui lòng giữ phiếu đến khi được gọi và "
				       "xuất trình tại quầy.",
			     .footer_en = "Thank you! Keep this ticket until your number is called." } },
	{ "narrow-200", 200, { BASE, .label = "1023", .ahead = 3, .est_wait_min = 15,
			       .qr = "https://dichvucong.gov.vn/", .logo_png = logo_path } },
	{ "wide-832", 832, { BASE, .label = "A999", .ahead = 1, .est_wait_min = 2, .priority = true,
			     .qr = "https://dichvucong.gov.vn/ve/1023", .logo_png = logo_path } },
	{ "sparse-512", 512, { .label = "7", .ahead = -1, .est_wait_min = -1 } },
	{ "notes-576", 576, { BASE, .label = "1001", .ahead = 0, .est_wait_min = 0,
			      .desk = "Trung tâm Phục vụ hành chính công phường Bách Khoa",
			      .address = "quý khách", .valid_today = true, .missed_note = true,
			      .qr = "https://dichvucong.gov.vn/ve/1023", .logo_png = logo_path } },
	{ "notes-384", 384, { BASE, .label = "1002", .ahead = 2, .est_wait_min = 0,
			      .desk = "Bộ phận Một cửa", .valid_today = true, .missed_note = true } },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* A logo with a gray gradient, a disc and text, so dithering is exercised. */
static void make_logo(void)
{
	snprintf(logo_path, sizeof(logo_path), "/tmp/mc-ref-logo-%d.png", (int)getpid());
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 240, 96);
	cairo_t *cr = cairo_create(s);
	cairo_pattern_t *g = cairo_pattern_create_linear(0, 0, 240, 0);
	cairo_pattern_add_color_stop_rgb(g, 0, 0, 0, 0);
	cairo_pattern_add_color_stop_rgb(g, 1, 1, 1, 1);
	cairo_set_source(cr, g);
	cairo_paint(cr);
	cairo_pattern_destroy(g);
	cairo_set_source_rgb(cr, 0.8, 0.1, 0.1);
	cairo_arc(cr, 180, 48, 36, 0, 6.2831853);
	cairo_fill(cr);
	cairo_destroy(cr);
	cairo_surface_write_to_png(s, logo_path);
	cairo_surface_destroy(s);
}

static int same(const struct mc_raster *a, const struct mc_raster *b)
{
	return a->width == b->width && a->height == b->height &&
	       !memcmp(a->bits, b->bits, (size_t)a->stride * (size_t)a->height);
}

static void check(const struct ref_case *c, const struct mc_raster *r, const char *how)
{
	char path[512], err[256];

	snprintf(path, sizeof(path), "%s/%s.png", refdir, c->name);
	struct mc_raster *ref = mc_raster_read_png(path, err, sizeof(err));
	assert_non_null(ref);
	if (!same(ref, r)) {
		char out[600];
		snprintf(out, sizeof(out), "/tmp/%s.new.png", c->name);
		long n = 0;
		int fx = -1, fy = -1;
		for (int y = 0; y < r->height && y < ref->height; y++)
			for (int x = 0; x < r->width && x < ref->width; x++)
				if (mc_raster_get(r, x, y) != mc_raster_get(ref, x, y) && n++ == 0)
					fx = x, fy = y;
		mc_raster_write_png(r, out, err, sizeof(err));
		fail_msg("%s (%s) differs from %s (%dx%d vs %dx%d, %ld dots differ, first at %d,%d); "
			 "new one in %s", c->name, how, path, r->width, r->height, ref->width, ref->height, n,
			 fx, fy, out);
	}
	mc_raster_free(ref);
}

/* Each ticket alone: a fresh layout every time. */
static void test_alone(void **state)
{
	char err[256];

	for (size_t i = 0; i < NCASES; i++) {
		struct mc_raster *r = mc_ticket_render(&cases[i].t, cases[i].width, NULL, err, sizeof(err));
		assert_non_null(r);
		check(&cases[i], r, "alone");
		mc_raster_free(r);
	}
}

/* One layout for all, three rounds in a shuffled order: cached office,
 * services, footers, logo and QR serve tickets they were not made for. */
static void test_one_layout(void **state)
{
	static const int order[] = { 1, 2, 0, 5, 10, 4, 6, 3, 11, 8, 7, 9 };
	struct mc_ticket_layout *lay = mc_ticket_layout_new();
	char err[256];

	assert_non_null(lay);
	for (int round = 0; round < 3; round++)
		for (size_t k = 0; k < NCASES; k++) {
			size_t i = (size_t)order[(k + (size_t)round * 3) % NCASES];
			struct mc_raster *r = mc_ticket_layout_render(lay, &cases[i].t, cases[i].width, NULL,
								      err, sizeof(err));
			assert_non_null(r);
			check(&cases[i], r, "one layout");
			mc_raster_free(r);
		}
	mc_ticket_layout_free(lay);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alone),
		cmocka_unit_test(test_one_layout),
	};
	int rc;

	setenv("TZ", "Asia/Ho_Chi_Minh", 1);
	make_logo();
	if (argc == 3 && !strcmp(argv[1], "--write")) {
		char path[512], err[256];
		for (size_t i = 0; i < NCASES; i++) {
			struct mc_raster *r = mc_ticket_render(&cases[i].t, cases[i].width, NULL, err, sizeof(err));
			snprintf(path, sizeof(path), "%s/%s.png", argv[2], cases[i].name);
			if (!r || mc_raster_write_png(r, path, err, sizeof(err)) < 0) {
				fprintf(stderr, "%s: %s\n", cases[i].name, err);
				return 1;
			}
			mc_raster_free(r);
		}
		unlink(logo_path);
		return 0;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(logo_path);
	return rc;
}
