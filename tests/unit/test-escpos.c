/* test-escpos.c — golden bytes of the ESC/POS encoder and the status
 * parser's verdicts (drivers/printer/escpos.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "escpos.h"

#define BYTES(...) ((const uint8_t[]){ __VA_ARGS__ }), sizeof((const uint8_t[]){ __VA_ARGS__ })

static void assert_buf(const struct mc_escpos_buf *b, const uint8_t *want, size_t n)
{
	assert_false(b->failed);
	assert_int_equal(b->len, n);
	assert_memory_equal(b->data, want, n);
}

static void test_simple_commands(void **state)
{
	struct mc_escpos_buf b = { 0 };

	mc_escpos_init(&b);
	assert_buf(&b, BYTES(0x1b, 0x40));
	mc_escpos_buf_reset(&b);
	mc_escpos_realtime_off(&b);
	assert_buf(&b, BYTES(0x1d, 0x28, 0x44, 0x05, 0x00, 0x14, 0x01, 0x00, 0x02, 0x00));
	mc_escpos_buf_reset(&b);
	mc_escpos_feed(&b, 4);
	mc_escpos_feed(&b, 999);
	assert_buf(&b, BYTES(0x1b, 0x64, 0x04, 0x1b, 0x64, 0xff));
	mc_escpos_buf_reset(&b);
	mc_escpos_cut(&b, false, 3);
	mc_escpos_cut(&b, true, 0);
	assert_buf(&b, BYTES(0x1d, 0x56, 0x42, 0x03, 0x1d, 0x56, 0x41, 0x00));
	mc_escpos_buf_reset(&b);
	for (int n = 1; n <= 4; n++)
		assert_int_equal(mc_escpos_status_query(&b, n), 0);
	assert_buf(&b, BYTES(0x10, 0x04, 1, 0x10, 0x04, 2, 0x10, 0x04, 3, 0x10, 0x04, 4));
	assert_int_equal(mc_escpos_status_query(&b, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(mc_escpos_status_query(&b, 5), -1);
	mc_escpos_buf_free(&b);
}

static void test_raster_golden(void **state)
{
	/* 12 dots wide: the padding dots of each row's second byte must be
	 * cleared even if the source has them set. */
	const uint8_t bits[] = { 0xff, 0xff, 0x80, 0x01, 0x0f, 0xf0 };
	struct mc_escpos_image img = { bits, 12, 3, 2 };
	struct mc_escpos_buf b = { 0 };

	assert_int_equal(mc_escpos_raster(&b, &img, 256), 0);
	assert_buf(&b, BYTES(0x1d, 0x76, 0x30, 0x00, 0x02, 0x00, 0x03, 0x00,
			     0xff, 0xf0, 0x80, 0x00, 0x0f, 0xf0));
	mc_escpos_buf_free(&b);
}

static void test_job_golden(void **state)
{
	const uint8_t bits[] = { 0xaa, 0x55 };
	struct mc_escpos_image img = { bits, 8, 2, 1 };
	struct mc_escpos_job_opts o = { .full_cut = false, .feed_lines = 5, .realtime_off = true };
	struct mc_escpos_buf b = { 0 };

	assert_int_equal(mc_escpos_job(&b, &img, &o), 0);
	assert_buf(&b, BYTES(0x1b, 0x40,
			     0x1d, 0x28, 0x44, 0x05, 0x00, 0x14, 0x01, 0x00, 0x02, 0x00,
			     0x1d, 0x76, 0x30, 0x00, 0x01, 0x00, 0x02, 0x00, 0xaa, 0x55,
			     0x1b, 0x64, 0x05,
			     0x1d, 0x56, 0x42, 0x00));
	mc_escpos_buf_reset(&b);
	o.full_cut = true;
	o.realtime_off = false;
	o.feed_lines = 0;
	assert_int_equal(mc_escpos_job(&b, &img, &o), 0);
	assert_buf(&b, BYTES(0x1b, 0x40, 0x1d, 0x76, 0x30, 0x00, 0x01, 0x00, 0x02, 0x00, 0xaa, 0x55,
			     0x1b, 0x64, 0x00, 0x1d, 0x56, 0x41, 0x00));
	o.feed_lines = 256;
	assert_int_equal(mc_escpos_job(&b, &img, &o), -1);
	o.feed_lines = -1;
	assert_int_equal(mc_escpos_job(&b, &img, &o), -1);
	/* 255 lines is the most ESC d n can say. */
	mc_escpos_buf_reset(&b);
	o.feed_lines = 255;
	assert_int_equal(mc_escpos_job(&b, &img, &o), 0);
	assert_buf(&b, BYTES(0x1b, 0x40, 0x1d, 0x76, 0x30, 0x00, 0x01, 0x00, 0x02, 0x00, 0xaa, 0x55,
			     0x1b, 0x64, 0xff, 0x1d, 0x56, 0x41, 0x00));
	mc_escpos_buf_free(&b);
}

/* Walks the GS v 0 commands of b: checks each is whole and at most max
 * rows, that no height is a multiple of 48, and that the rows in order
 * equal the image's. Returns the number of commands. */
static int walk_chunks(const struct mc_escpos_buf *b, const uint8_t *bits, int stride, int height, int max)
{
	size_t i = 0;
	int rows = 0, n = 0;

	while (i < b->len) {
		assert_true(i + 8 <= b->len);
		assert_int_equal(b->data[i], 0x1d);
		assert_int_equal(b->data[i + 1], 0x76);
		assert_int_equal(b->data[i + 2], 0x30);
		int xb = b->data[i + 4] | b->data[i + 5] << 8;
		int y = b->data[i + 6] | b->data[i + 7] << 8;
		assert_int_equal(xb, stride);
		assert_true(y >= 1 && y <= max);
		assert_true(y % 48 != 0);
		assert_true(i + 8 + (size_t)(xb * y) <= b->len);
		assert_memory_equal(b->data + i + 8, bits + (size_t)rows * (size_t)stride, (size_t)(xb * y));
		rows += y;
		i += 8 + (size_t)(xb * y);
		n++;
	}
	assert_int_equal(rows, height);
	return n;
}

static void test_raster_chunks(void **state)
{
	enum { STRIDE = 72, MAXH = 1000 };
	static uint8_t bits[STRIDE * MAXH];
	struct mc_escpos_buf b = { 0 };

	for (size_t k = 0; k < sizeof(bits); k++)
		bits[k] = (uint8_t)(k * 131 + k / 72);
	const int heights[] = { 1, 47, 48, 96, 250, 256, 257, 298, 600, 999, 1000 };
	for (size_t h = 0; h < sizeof(heights) / sizeof(heights[0]); h++) {
		const int chunks[] = { 1, 100, 128, 250, 256 };
		for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
			struct mc_escpos_image img = { bits, 576, heights[h], STRIDE };
			mc_escpos_buf_reset(&b);
			assert_int_equal(mc_escpos_raster(&b, &img, chunks[c]), 0);
			int n = walk_chunks(&b, bits, STRIDE, heights[h], chunks[c]);
			assert_true(n >= (heights[h] + chunks[c] - 1) / chunks[c]);
		}
	}
	/* 600 rows in 250-row commands: 250, 250, 100. */
	struct mc_escpos_image img = { bits, 576, 600, STRIDE };
	mc_escpos_buf_reset(&b);
	assert_int_equal(mc_escpos_raster(&b, &img, 250), 0);
	assert_int_equal(walk_chunks(&b, bits, STRIDE, 600, 250), 3);
	assert_int_equal(b.len, 3 * 8 + 600 * STRIDE);
	mc_escpos_buf_free(&b);
}

static void test_raster_bad(void **state)
{
	const uint8_t bits[8] = { 0 };
	struct mc_escpos_buf b = { 0 };
	struct mc_escpos_image ok = { bits, 8, 8, 1 };
	struct mc_escpos_image narrow = { bits, 16, 4, 1 };

	assert_int_equal(mc_escpos_raster(&b, &ok, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(mc_escpos_raster(&b, &ok, 257), -1);
	assert_int_equal(mc_escpos_raster(&b, &narrow, 100), -1);
	/* Nine dots need two bytes a row: a one-byte stride is too narrow. */
	struct mc_escpos_image nine = { bits, 9, 4, 1 };
	assert_int_equal(mc_escpos_raster(&b, &nine, 100), -1);
	assert_int_equal(mc_escpos_raster(&b, NULL, 100), -1);
	assert_int_equal(b.len, 0);
	mc_escpos_buf_free(&b);
}

static enum mc_escpos_state verdict(int n1, int n2, int n3, int n4)
{
	struct mc_escpos_status s;
	const int v[5] = { 0, n1, n2, n3, n4 };

	memset(&s, 0, sizeof(s));
	for (int n = 1; n <= 4; n++)
		if (v[n] >= 0)
			assert_int_equal(mc_escpos_status_set(&s, n, (uint8_t)v[n]), 0);
	return mc_escpos_status_state(&s);
}

static void test_status(void **state)
{
	struct mc_escpos_status s;

	memset(&s, 0, sizeof(s));
	assert_int_equal(mc_escpos_status_state(&s), MC_ESCPOS_UNKNOWN);
	/* Bytes without the fixed bits are not replies. */
	assert_false(mc_escpos_is_status_byte(0x00));
	assert_false(mc_escpos_is_status_byte(0x13));
	assert_true(mc_escpos_is_status_byte(0x12));
	assert_int_equal(mc_escpos_status_set(&s, 4, 0x00), -1);
	assert_int_equal(mc_escpos_status_set(&s, 0, 0x12), -1);
	assert_int_equal(mc_escpos_status_set(&s, 5, 0x12), -1);
	assert_int_equal(mc_escpos_status_state(&s), MC_ESCPOS_UNKNOWN);

	assert_int_equal(verdict(0x12, 0x12, 0x12, 0x12), MC_ESCPOS_READY);
	assert_int_equal(verdict(0x12, -1, -1, -1), MC_ESCPOS_READY);
	assert_int_equal(verdict(0x12, 0x12, -1, 0x1e), MC_ESCPOS_NEAR_END);
	assert_int_equal(verdict(0x1a, 0x32, -1, 0x72), MC_ESCPOS_PAPER_OUT);
	assert_int_equal(verdict(-1, -1, -1, 0x7e), MC_ESCPOS_PAPER_OUT);
	assert_int_equal(verdict(-1, 0x32, -1, -1), MC_ESCPOS_PAPER_OUT);
	assert_int_equal(verdict(0x1a, 0x16, -1, 0x12), MC_ESCPOS_COVER_OPEN);
	/* Cover open wins over paper out (both reported when the lid is up). */
	assert_int_equal(verdict(0x1a, 0x36, -1, 0x72), MC_ESCPOS_COVER_OPEN);
	assert_int_equal(verdict(0x1a, 0x12, -1, 0x12), MC_ESCPOS_OFFLINE);
	assert_int_equal(verdict(0x1a, 0x52, 0x1a, 0x12), MC_ESCPOS_ERROR);
	assert_int_equal(verdict(0x12, 0x12, 0x32, 0x12), MC_ESCPOS_ERROR);
	assert_int_equal(verdict(0x12, 0x12, 0x52, 0x12), MC_ESCPOS_ERROR);
	assert_int_equal(verdict(0x12, 0x12, 0x12, 0x1e), MC_ESCPOS_NEAR_END);
	/* Only one of the two paper-end bits (0x20, 0x40 of n=4) is not paper
	 * out, and only one of the two near-end bits (0x04, 0x08) is not near end. */
	assert_int_equal(verdict(0x12, 0x12, 0x12, 0x32), MC_ESCPOS_READY);
	assert_int_equal(verdict(-1, -1, -1, 0x52), MC_ESCPOS_READY);
	assert_int_equal(verdict(0x12, 0x12, 0x12, 0x16), MC_ESCPOS_READY);
	assert_int_equal(verdict(-1, -1, -1, 0x1a), MC_ESCPOS_READY);
	/* Each reply alone is read: n=1 offline bit, n=2 cover, n=3 cutter. */
	assert_int_equal(verdict(0x1a, -1, -1, -1), MC_ESCPOS_OFFLINE);
	assert_int_equal(verdict(-1, 0x16, -1, -1), MC_ESCPOS_COVER_OPEN);
	assert_int_equal(verdict(-1, -1, 0x1a, -1), MC_ESCPOS_ERROR);
	assert_int_equal(verdict(-1, 0x12, -1, -1), MC_ESCPOS_READY);
	assert_int_equal(verdict(-1, -1, 0x12, -1), MC_ESCPOS_READY);
	assert_int_equal(verdict(-1, -1, -1, 0x12), MC_ESCPOS_READY);

	assert_true(mc_escpos_state_can_print(MC_ESCPOS_READY));
	assert_true(mc_escpos_state_can_print(MC_ESCPOS_NEAR_END));
	assert_false(mc_escpos_state_can_print(MC_ESCPOS_PAPER_OUT));
	assert_false(mc_escpos_state_can_print(MC_ESCPOS_UNKNOWN));
	assert_false(mc_escpos_state_can_print(MC_ESCPOS_OFFLINE));
	assert_string_equal(mc_escpos_state_name((enum mc_escpos_state)(MC_ESCPOS_ERROR + 1)), "unknown");
	for (int st = MC_ESCPOS_UNKNOWN; st <= MC_ESCPOS_ERROR; st++) {
		assert_int_equal(mc_escpos_state_from_name(mc_escpos_state_name((enum mc_escpos_state)st)), st);
		assert_non_null(strstr(mc_escpos_state_text((enum mc_escpos_state)st), "áy in"));
	}
	assert_int_equal(mc_escpos_state_from_name("bogus"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple_commands),
		cmocka_unit_test(test_raster_golden),
		cmocka_unit_test(test_job_golden),
		cmocka_unit_test(test_raster_chunks),
		cmocka_unit_test(test_raster_bad),
		cmocka_unit_test(test_status),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
