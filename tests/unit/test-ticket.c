/* test-ticket.c — the ticket layout (ui/ticket.c): any width, long text
 * wraps or shrinks and is never cut, logo dithered, QR drawn, numbers
 * fit. Needs fonts-noto-core. */
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

static struct mc_ticket_print sample(void)
{
	return (struct mc_ticket_print){
		.office = "UBND phường Bách Khoa", .service = "Tư pháp – Hộ tịch",
		.service_en = "Justice – Civil status", .label = "1023", .priority = false,
		.issued_wall_ms = 1764048600000, .ahead = 3, .est_wait_min = 15, .counters = "1, 2",
		.footer = "Xin cảm ơn quý công dân!", .footer_en = "Thank you!",
	};
}

/* Black dots in columns [x0, x1) of r. */
static long ink_in_columns(const struct mc_raster *r, int x0, int x1)
{
	long n = 0;

	for (int y = 0; y < r->height; y++)
		for (int x = x0; x < x1; x++)
			n += mc_raster_get(r, x, y);
	return n;
}

static long ink_in_rows(const struct mc_raster *r, int y0, int y1)
{
	long n = 0;

	for (int y = y0; y < y1 && y < r->height; y++)
		for (int x = 0; x < r->width; x++)
			n += mc_raster_get(r, x, y);
	return n;
}

static void test_widths(void **state)
{
	const int widths[] = { 384, 576, 512, 200, 832 };
	struct mc_ticket_print t = sample();
	char err[256];

	for (size_t i = 0; i < sizeof(widths) / sizeof(widths[0]); i++) {
		struct mc_ticket_box b;
		struct mc_raster *r = mc_ticket_render(&t, widths[i], &b, err, sizeof(err));
		assert_non_null(r);
		assert_string_equal(err, "");
		assert_int_equal(r->width, widths[i]);
		assert_int_equal(r->stride, (widths[i] + 7) / 8);
		assert_true(r->height > widths[i]);      /* a ticket is taller than wide */
		/* The number is big, inside the paper, and inked. */
		assert_true(b.x >= 0 && b.x + b.w <= widths[i]);
		assert_true(b.h > widths[i] / 8);
		assert_true(ink_in_rows(r, b.y, b.y + b.h) > 0);
		/* Margins stay white: nothing runs off the edge. */
		assert_int_equal(ink_in_columns(r, 0, 1), 0);
		assert_int_equal(ink_in_columns(r, widths[i] - 1, widths[i]), 0);
		mc_raster_free(r);
	}
	assert_null(mc_ticket_render(&t, 10, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "width"));
}

static void test_long_text_wraps(void **state)
{
	struct mc_ticket_print t = sample();
	char err[256];
	struct mc_raster *a = mc_ticket_render(&t, 384, NULL, err, sizeof(err));

	t.service = "Chứng thực bản sao từ bản chính, chứng thực chữ ký, chứng thực hợp đồng, "
		    "giao dịch liên quan đến động sản và quyền sử dụng đất của hộ gia đình";
	t.office = "ỦYBANNHÂNDÂNPHƯỜNGBÁCHKHOAQUẬNHAIBÀTRƯNGTHÀNHPHỐHÀNỘI";  /* no spaces */
	t.counters = "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20";
	t.label = "B12345";
	struct mc_ticket_box b;
	struct mc_raster *r = mc_ticket_render(&t, 384, &b, err, sizeof(err));
	assert_non_null(a);
	assert_non_null(r);
	/* More lines, not lost ones: the ticket grows. */
	assert_true(r->height > a->height + 60);
	assert_int_equal(ink_in_columns(r, 0, 2), 0);
	assert_int_equal(ink_in_columns(r, 382, 384), 0);
	/* A long number still fits. */
	assert_true(b.x >= 0 && b.x + b.w <= 384);
	mc_raster_free(a);
	mc_raster_free(r);
}

/* A number too wide even at the smallest size wraps, and its ink stays on
 * the paper, also where a letter's ink reaches past its advance (the 'J'
 * of a label at 64 dots stuck out by a dot), or one glyph is wider than
 * the paper at the smallest size (U+FDFD at 66 dots: both found by
 * fuzz-ticket). */
static void test_wrapped_number_on_paper(void **state)
{
	static const char *const labels[] = { "a\tb\nc", "\xef\xb7\xbd", "B\xef\xb7\xbd\xef\xb7\xbd", "Justic status", "JJJJJJJJJJJJ", "fffffffffffff",
					       "ỤỤỤỤỤỤỤỤỤỤỤ", "WWWWWWWWWWWWWWWWW" };
	const int widths[] = { 64, 65, 72, 96, 128 };
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		for (size_t k = 0; k < sizeof(widths) / sizeof(widths[0]); k++) {
			struct mc_ticket_print t = sample();
			struct mc_ticket_box b;
			t.label = labels[i];
			struct mc_raster *r = mc_ticket_render(&t, widths[k], &b, err, sizeof(err));
			assert_non_null(r);
			if (b.x < 0 || b.x + b.w > widths[k] || b.y < 0 || b.y + b.h > r->height)
				fail_msg("'%s' at %d dots: the number's ink at x %d..%d", labels[i],
					 widths[k], b.x, b.x + b.w);
			mc_raster_free(r);
		}
}

static void test_priority_qr_logo(void **state)
{
	struct mc_ticket_print t = sample();
	char err[256], logo[] = "/tmp/mc-test-logo-XXXXXX";
	struct mc_raster *plain = mc_ticket_render(&t, 576, NULL, err, sizeof(err));

	/* A gray gradient logo. */
	int fd = mkstemp(logo);
	assert_true(fd >= 0);
	close(fd);
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 200, 80);
	cairo_t *cr = cairo_create(s);
	cairo_pattern_t *g = cairo_pattern_create_linear(0, 0, 200, 0);
	cairo_pattern_add_color_stop_rgb(g, 0, 0, 0, 0);
	cairo_pattern_add_color_stop_rgb(g, 1, 1, 1, 1);
	cairo_set_source(cr, g);
	cairo_paint(cr);
	cairo_pattern_destroy(g);
	cairo_destroy(cr);
	assert_int_equal(cairo_surface_write_to_png(s, logo), CAIRO_STATUS_SUCCESS);
	cairo_surface_destroy(s);

	t.priority = true;
	t.qr = "https://dichvucong.gov.vn/ve/1023";
	t.logo_png = logo;
	struct mc_raster *full = mc_ticket_render(&t, 576, NULL, err, sizeof(err));
	assert_non_null(full);
	assert_string_equal(err, "");
	assert_true(full->height > plain->height + 200);
	/* The logo's mid-gray is dithered: around half the dots of its middle
	 * band are black, in a mix, not a solid block. */
	long black = 0, total = 0;
	int x0 = 288 - 20, x1 = 288 + 20;
	for (int y = 30; y < 60; y++)
		for (int x = x0; x < x1; x++, total++)
			black += mc_raster_get(full, x, y);
	assert_true(black > total / 4 && black < total * 3 / 4);

	/* A missing logo is left out, said, and the ticket still prints. */
	t.logo_png = "/nonexistent/logo.png";
	struct mc_raster *nologo = mc_ticket_render(&t, 576, NULL, err, sizeof(err));
	assert_non_null(nologo);
	assert_non_null(strstr(err, "logo"));
	assert_true(nologo->height < full->height);
	unlink(logo);
	mc_raster_free(plain);
	mc_raster_free(full);
	mc_raster_free(nologo);
}

static void test_png_round_trip(void **state)
{
	struct mc_ticket_print t = sample();
	char err[256], path[] = "/tmp/mc-test-ticket-XXXXXX";
	struct mc_raster *r = mc_ticket_render(&t, 384, NULL, err, sizeof(err));
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(mc_raster_write_png(r, path, err, sizeof(err)), 0);
	struct mc_raster *back = mc_raster_read_png(path, err, sizeof(err));
	assert_non_null(back);
	assert_int_equal(back->width, r->width);
	assert_int_equal(back->height, r->height);
	assert_memory_equal(back->bits, r->bits, (size_t)r->stride * (size_t)r->height);
	unlink(path);
	assert_null(mc_raster_read_png(path, err, sizeof(err)));
	mc_raster_free(r);
	mc_raster_free(back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_widths),
		cmocka_unit_test(test_long_text_wraps),
		cmocka_unit_test(test_wrapped_number_on_paper),
		cmocka_unit_test(test_priority_qr_logo),
		cmocka_unit_test(test_png_round_trip),
	};
	setenv("TZ", "Asia/Ho_Chi_Minh", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
