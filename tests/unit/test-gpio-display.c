/* test-gpio-display.c — TM1637 and MAX7219 boards driven through the fake
 * GPIO backend: a decoder reads the frames back out of the recorded
 * waveform and checks the digits shown and each datasheet's minimum times;
 * failing lines give clear errors. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "display.h"
#include "gpio-decode.h"
#include "gpio-fake.h"
#include "gpio.h"
#include "loop.h"

struct fx {
	struct mc_loop *loop;
	struct mc_gpio *gpio;
	struct mc_gpio_fake *fake;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	f->loop = mc_loop_new();
	f->gpio = mc_gpio_fake_new(false, &f->fake);
	mc_gpio_fake_add_chip(f->fake, "gpiochip0", 54);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	mc_gpio_free(f->gpio);
	mc_loop_free(f->loop);
	free(f);
	return 0;
}

static struct mc_gpio_lines_conf lines(int n, const int *offs)
{
	struct mc_gpio_lines_conf lc;

	memset(&lc, 0, sizeof(lc));
	lc.n = n;
	lc.brightness = -1;
	for (int i = 0; i < n; i++) {
		strcpy(lc.lines[i].chip, "gpiochip0");
		lc.lines[i].offset = offs[i];
	}
	return lc;
}

/* Runs the loop until the board has sent everything and no blink is left:
 * a condition, not a time (under qemu-user a frame takes longer than a
 * blink half-period, and each phase still has to reach the board). */
static void settle(struct fx *f, struct mc_display *d)
{
	while (mc_display_busy(d) || mc_display_blinking(d))
		mc_loop_run_once(f->loop, 10);
}

static void check_tm_timing(const struct tm_state *st)
{
	/* TM1637 datasheet minimums; 250 kHz at most. */
	assert_true(st->min_high_ns >= 400);
	assert_true(st->min_low_ns >= 400);
	assert_true(st->min_period_ns >= 4000);
	assert_true(st->min_setup_ns >= 100);
	assert_true(st->min_hold_ns >= 100);
	assert_int_equal(st->bad_acks, 0);
}

static void tm1637_shows_number(void **state)
{
	struct fx *f = *state;
	const int offs[] = { 5, 6 };
	struct mc_gpio_lines_conf lc = lines(2, offs);
	char err[256], text[8];
	struct mc_display *d = mc_display_new(f->gpio, MC_DISPLAY_TM1637, &lc, 50, err, sizeof(err));
	struct mc_gpio_fake_change *ch;
	struct tm_state st;
	size_t n;

	assert_non_null(d);
	assert_int_equal(mc_display_start(d, f->loop), 0);
	mc_display_show(d, "1023", false, 0);
	settle(f, d);
	ch = mc_gpio_fake_changes(f->fake, &n);
	assert_non_null(ch);
	if (tm_decode(ch, n, "gpiochip0:5", "gpiochip0:6", &st)) fail_msg("%s", st.error);
	tm_text(&st, text);
	assert_string_equal(text, "1023");
	assert_true(st.on);
	assert_int_equal(st.brightness, 4);
	check_tm_timing(&st);
	free(ch);

	/* A shorter number is right-aligned; the paused mark lights digit 2's colon. */
	mc_gpio_fake_clear(f->fake);
	mc_display_show(d, "7", true, 0);
	settle(f, d);
	ch = mc_gpio_fake_changes(f->fake, &n);
	if (tm_decode(ch, n, "gpiochip0:5", "gpiochip0:6", &st)) fail_msg("%s", st.error);
	tm_text(&st, text);
	assert_string_equal(text, "   7");
	assert_int_equal(st.seg[1] & 0x80, 0x80);
	assert_int_equal(st.seg[0] & 0x80, 0);
	free(ch);
	assert_true(mc_display_frames(d) >= 2);
	assert_false(mc_display_failed(d, NULL));
	mc_display_free(d);
	/* Lines are released with the board. */
	assert_false(mc_gpio_fake_requested(f->fake, "gpiochip0", 5));
}

static void tm1637_blinks_on_call(void **state)
{
	struct fx *f = *state;
	const int offs[] = { 5, 6 };
	struct mc_gpio_lines_conf lc = lines(2, offs);
	char err[256], text[8];
	struct mc_display *d;
	struct mc_gpio_fake_change *ch;
	struct tm_state st;
	size_t n;

	lc.brightness = 7;
	d = mc_display_new(f->gpio, MC_DISPLAY_TM1637, &lc, 40, err, sizeof(err));
	assert_non_null(d);
	assert_int_equal(mc_display_start(d, f->loop), 0);
	settle(f, d);
	mc_gpio_fake_clear(f->fake);
	mc_display_show(d, "1001", false, 3);
	settle(f, d);
	ch = mc_gpio_fake_changes(f->fake, &n);
	if (tm_decode(ch, n, "gpiochip0:5", "gpiochip0:6", &st)) fail_msg("%s", st.error);
	tm_text(&st, text);
	assert_string_equal(text, "1001");
	/* Three blinks: three times off, and it ends on. */
	assert_int_equal(st.offs, 3);
	assert_true(st.on);
	assert_int_equal(st.brightness, 7);
	check_tm_timing(&st);
	free(ch);
	mc_display_free(d);
}

/* A blink half-period shorter than a frame (0 ms here; under qemu-user or a
 * loaded machine 40 ms can be): each off and on still reaches the board,
 * none merged into the frame that was playing when it fell due. */
static void tm1637_blinks_every_phase_when_frames_are_slow(void **state)
{
	struct fx *f = *state;
	const int offs[] = { 5, 6 };
	struct mc_gpio_lines_conf lc = lines(2, offs);
	char err[256], text[8];
	struct mc_display *d;
	struct mc_gpio_fake_change *ch;
	struct tm_state st;
	size_t n;

	d = mc_display_new(f->gpio, MC_DISPLAY_TM1637, &lc, 0, err, sizeof(err));
	assert_non_null(d);
	assert_int_equal(mc_display_start(d, f->loop), 0);
	settle(f, d);
	mc_gpio_fake_clear(f->fake);
	mc_display_show(d, "2002", false, 4);
	settle(f, d);
	ch = mc_gpio_fake_changes(f->fake, &n);
	if (tm_decode(ch, n, "gpiochip0:5", "gpiochip0:6", &st)) fail_msg("%s", st.error);
	tm_text(&st, text);
	assert_string_equal(text, "2002");
	assert_int_equal(st.offs, 4);
	assert_true(st.on);
	free(ch);
	mc_display_free(d);
}

static void max7219_shows_number(void **state)
{
	struct fx *f = *state;
	const int offs[] = { 9, 10, 11 };
	struct mc_gpio_lines_conf lc = lines(3, offs);
	char err[256], text[12];
	struct mc_display *d = mc_display_new(f->gpio, MC_DISPLAY_MAX7219, &lc, 40, err, sizeof(err));
	struct mc_gpio_fake_change *ch;
	struct max_state st;
	size_t n;

	assert_non_null(d);
	/* Idle levels at request: CLK low, LOAD high. */
	assert_int_equal(mc_gpio_fake_level(f->fake, "gpiochip0", 10), 0);
	assert_int_equal(mc_gpio_fake_level(f->fake, "gpiochip0", 11), 1);
	assert_int_equal(mc_display_start(d, f->loop), 0);
	mc_display_show(d, "B042", true, 2);
	settle(f, d);
	ch = mc_gpio_fake_changes(f->fake, &n);
	assert_int_equal(max_decode(ch, n, "gpiochip0:9", "gpiochip0:10", "gpiochip0:11", &st), 0);
	max_text(&st, text);
	assert_string_equal(text, "    B042");
	assert_int_equal(st.reg[0x09], 0);   /* no decode: raw segments */
	assert_int_equal(st.reg[0x0B], 7);   /* all 8 digits scanned */
	assert_int_equal(st.reg[0x0A], 8);   /* default intensity */
	assert_int_equal(st.reg[0x0F], 0);   /* display test off */
	assert_int_equal(st.reg[0x0C], 1);   /* on at the end */
	assert_int_equal(st.offs, 2);        /* two blinks */
	assert_int_equal(st.reg[1] & 0x80, 0x80); /* paused: rightmost DP */
	/* MAX7219 datasheet minimums. */
	assert_true(st.min_high_ns >= 50);
	assert_true(st.min_low_ns >= 50);
	assert_true(st.min_period_ns >= 100);
	assert_true(st.min_setup_ns >= 25);
	assert_true(st.min_css_ns >= 25);
	assert_true(st.min_load_high_ns >= 50);
	free(ch);
	mc_display_free(d);
}

static void failing_line_is_reported_and_recovers(void **state)
{
	struct fx *f = *state;
	const int offs[] = { 5, 6 };
	struct mc_gpio_lines_conf lc = lines(2, offs);
	char err[256], text[8];
	const char *why;
	struct mc_display *d = mc_display_new(f->gpio, MC_DISPLAY_TM1637, &lc, 40, err, sizeof(err));
	struct mc_gpio_fake_change *ch;
	struct tm_state st;
	size_t n;

	assert_non_null(d);
	mc_gpio_fake_fail_set(f->fake, "gpiochip0", 6, EIO);
	assert_int_equal(mc_display_start(d, f->loop), 0);
	mc_display_show(d, "2001", false, 0);
	settle(f, d);
	assert_true(mc_display_failed(d, &why));
	assert_non_null(strstr(why, "gpiochip0:6"));
	assert_non_null(strstr(why, "tm1637"));
	/* The line heals; the next state is written whole. */
	mc_gpio_fake_fail_set(f->fake, "gpiochip0", 6, 0);
	mc_gpio_fake_clear(f->fake);
	mc_display_show(d, "2002", false, 0);
	settle(f, d);
	assert_false(mc_display_failed(d, NULL));
	ch = mc_gpio_fake_changes(f->fake, &n);
	/* The failed frame may have left DIO low mid-byte: decode from a fresh START. */
	if (tm_decode(ch, n, "gpiochip0:5", "gpiochip0:6", &st)) fail_msg("%s", st.error);
	tm_text(&st, text);
	assert_string_equal(text, "2002");
	free(ch);
	mc_display_free(d);
}

static void request_errors_name_the_line(void **state)
{
	struct fx *f = *state;
	const int offs[] = { 5, 6 };
	struct mc_gpio_lines_conf lc = lines(2, offs);
	char err[256] = "";

	mc_gpio_fake_fail_request(f->fake, "gpiochip0", 6, EBUSY, true);
	assert_null(mc_display_new(f->gpio, MC_DISPLAY_TM1637, &lc, 40, err, sizeof(err)));
	assert_non_null(strstr(err, "GPIO line gpiochip0:6 is busy"));
	/* The first line was given back. */
	assert_false(mc_gpio_fake_requested(f->fake, "gpiochip0", 5));

	strcpy(lc.lines[0].chip, "gpiochip7");
	assert_null(mc_display_new(f->gpio, MC_DISPLAY_TM1637, &lc, 40, err, sizeof(err)));
	assert_non_null(strstr(err, "GPIO chip 'gpiochip7' does not exist"));

	strcpy(lc.lines[0].chip, "gpiochip0");
	lc.lines[0].offset = 60;
	assert_null(mc_display_new(f->gpio, MC_DISPLAY_TM1637, &lc, 40, err, sizeof(err)));
	assert_non_null(strstr(err, "GPIO line gpiochip0:60 does not exist"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(tm1637_shows_number, setup, teardown),
		cmocka_unit_test_setup_teardown(tm1637_blinks_on_call, setup, teardown),
		cmocka_unit_test_setup_teardown(tm1637_blinks_every_phase_when_frames_are_slow, setup, teardown),
		cmocka_unit_test_setup_teardown(max7219_shows_number, setup, teardown),
		cmocka_unit_test_setup_teardown(failing_line_is_reported_and_recovers, setup, teardown),
		cmocka_unit_test_setup_teardown(request_errors_name_the_line, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
