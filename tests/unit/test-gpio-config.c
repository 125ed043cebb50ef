/* test-gpio-config.c — board.conf's GPIO values: the CHIP:LINE syntax,
 * options, counter keys, rating keys, displays, lights, the technician
 * combination, and precise FILE:LINE errors. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"

#define HEAD "[service.civil]\nname = Hộ tịch\n"          /* lines 1-2 */
#define HEAD2 "[service.land]\nname = Đất đai\n"          /* lines 3-4 */
#define CTR "[counter.1]\nservices = civil, land\n"        /* lines 5-6 */

static struct mc_config *cfg;

static int setup(void **state)
{
	(void)state;
	cfg = malloc(sizeof(*cfg));
	return cfg ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(cfg);
	return 0;
}

static int load(const char *text, char *err)
{
	return mc_config_load_string(text, "board.conf", cfg, err, 512);
}

static void button_by_offset_and_options(void **state)
{
	char err[512] = "";

	(void)state;
	assert_int_equal(load(HEAD "button = gpiochip0:17 active-low pull-up\n" HEAD2 CTR, err), 0);
	const struct mc_gpio_lines_conf *b = &cfg->services[0].button_gpio;
	assert_int_equal(b->n, 1);
	assert_string_equal(b->lines[0].chip, "gpiochip0");
	assert_int_equal(b->lines[0].offset, 17);
	assert_true(b->active_low);
	assert_int_equal(b->bias, MC_GPIO_BIAS_PULL_UP);
	assert_int_equal(b->line, 3);
	assert_int_equal(cfg->services[1].button_gpio.n, 0);
}

static void button_by_line_name(void **state)
{
	char err[512] = "";

	(void)state;
	assert_int_equal(load(HEAD "button = pinctrl-bcm2711:GPIO17 pull-down\n" HEAD2 CTR, err), 0);
	const struct mc_gpio_lines_conf *b = &cfg->services[0].button_gpio;
	assert_string_equal(b->lines[0].chip, "pinctrl-bcm2711");
	assert_int_equal(b->lines[0].offset, -1);
	assert_string_equal(b->lines[0].name, "GPIO17");
	assert_false(b->active_low);
	assert_int_equal(b->bias, MC_GPIO_BIAS_PULL_DOWN);
}

static void keys_with_actions(void **state)
{
	char err[512] = "";

	(void)state;
	assert_int_equal(load(HEAD HEAD2 CTR "keys = next,recall,noshow,finish,pause = gpiochip0:20,21,22,gpiochip1:3,4 active-low\n",
			      err), 0);
	const struct mc_counter_conf *c = &cfg->counters[0];
	assert_int_equal(c->keys_gpio.n, 5);
	assert_int_equal(c->key_actions[0], MC_KEY_NEXT);
	assert_int_equal(c->key_actions[1], MC_KEY_RECALL);
	assert_int_equal(c->key_actions[2], MC_KEY_NOSHOW);
	assert_int_equal(c->key_actions[3], MC_KEY_FINISH);
	assert_int_equal(c->key_actions[4], MC_KEY_PAUSE);
	assert_string_equal(c->keys_gpio.lines[2].chip, "gpiochip0");
	assert_int_equal(c->keys_gpio.lines[2].offset, 22);
	assert_string_equal(c->keys_gpio.lines[3].chip, "gpiochip1");
	assert_string_equal(c->keys_gpio.lines[4].chip, "gpiochip1");
	assert_int_equal(c->keys_gpio.lines[4].offset, 4);
	assert_true(c->keys_gpio.active_low);
}

static void keys_short_form(void **state)
{
	char err[512] = "";

	(void)state;
	assert_int_equal(load(HEAD HEAD2 CTR "keys = gpiochip0:20,21,22\n", err), 0);
	const struct mc_counter_conf *c = &cfg->counters[0];
	assert_int_equal(c->keys_gpio.n, 3);
	assert_int_equal(c->key_actions[0], MC_KEY_NEXT);
	assert_int_equal(c->key_actions[1], MC_KEY_RECALL);
	assert_int_equal(c->key_actions[2], MC_KEY_NOSHOW);
}

static void displays_and_ratings(void **state)
{
	char err[512] = "";

	(void)state;
	/* An errno left over from an earlier call (here ERANGE) does not make
	 * a good number bad. */
	struct mc_gpio_lines_conf lc;
	char msg[256];
	errno = ERANGE;
	assert_int_equal(mc_gpio_lines_parse("gpiochip0:5,6 brightness=7", "display", 2, 2, 7, &lc,
					     msg, sizeof(msg)), 0);
	assert_int_equal(lc.brightness, 7);
	errno = ERANGE;
	assert_int_equal(load(HEAD HEAD2 CTR "display = tm1637 gpiochip0:5,6 brightness=7\n"
			      "rating_keys = gpiochip0:12,16,20,21 active-low pull-up\n"
			      "[counter.2]\nservices = land\ndisplay = max7219 gpiochip0:9,10,11\n", err), 0);
	assert_int_equal(cfg->counters[0].display_kind, MC_DISPLAY_TM1637);
	assert_int_equal(cfg->counters[0].display_gpio.n, 2);
	assert_int_equal(cfg->counters[0].display_gpio.brightness, 7);
	assert_int_equal(cfg->counters[0].rating_gpio.n, 4);
	assert_int_equal(cfg->counters[0].rating_gpio.lines[3].offset, 21);
	assert_int_equal(cfg->counters[1].display_kind, MC_DISPLAY_MAX7219);
	assert_int_equal(cfg->counters[1].display_gpio.n, 3);
	assert_int_equal(cfg->counters[1].display_gpio.brightness, -1);
}

static void gpio_section(void **state)
{
	char err[512] = "";

	(void)state;
	assert_int_equal(load(HEAD "button = gpiochip0:17\n" HEAD2 "button = gpiochip0:27\n" CTR
			      "[gpio]\ntech_button = gpiochip0:4 active-low\ntech_combo = civil+land\n"
			      "light_ready = gpiochip0:25\nlight_fault = gpiochip0:26 active-low\n"
			      "debounce = 30ms\nlong_press = 3s\nblinks = 5\nblink = 250ms\n", err), 0);
	assert_int_equal(cfg->gpio.tech_gpio.lines[0].offset, 4);
	assert_int_equal(cfg->gpio.tech_combo, 3u);
	assert_int_equal(cfg->gpio.ready_gpio.lines[0].offset, 25);
	assert_true(cfg->gpio.fault_gpio.active_low);
	assert_int_equal(cfg->gpio.paper_low_gpio.n, 0);
	assert_int_equal(cfg->gpio.debounce_ms, 30);
	assert_int_equal(cfg->gpio.long_press_ms, 3000);
	assert_int_equal(cfg->gpio.blinks, 5);
	assert_int_equal(cfg->gpio.blink_ms, 250);
}

/* Each bad value gives its own FILE:LINE message. */
static void errors(void **state)
{
	static const struct {
		const char *text;
		const char *msg;
	} cases[] = {
		{ HEAD "button = 17\n" HEAD2 CTR, "board.conf:3: button: '17' names no chip" },
		{ HEAD "button = gpiochip0:17 sideways\n" HEAD2 CTR, "board.conf:3: button: unknown option 'sideways'" },
		{ HEAD "button = gpiochip0:17,18\n" HEAD2 CTR, "board.conf:3: button: too many lines (at most 1)" },
		{ HEAD "button = gpiochip0:600\n" HEAD2 CTR, "board.conf:3: button: line offset 600 is out of range" },
		{ HEAD "button = gpiochip0:a/b\n" HEAD2 CTR, "board.conf:3: button: 'a/b' is not a line offset or line name" },
		{ HEAD HEAD2 CTR "keys = next,recall = gpiochip0:20,21,22\n",
		  "board.conf:7: keys: 2 actions but 3 lines: give one line per action" },
		{ HEAD HEAD2 CTR "keys = next,jump = gpiochip0:20,21\n", "board.conf:7: keys: 'jump' is not a key action" },
		{ HEAD HEAD2 CTR "keys = next,next = gpiochip0:20,21\n", "board.conf:7: keys: action 'next' is given twice" },
		{ HEAD HEAD2 CTR "keys = gpiochip0:20,20\n", "board.conf:7: keys: line gpiochip0:20 is given twice" },
		{ HEAD HEAD2 CTR "rating_keys = gpiochip0:1,2,3\n", "board.conf:7: [counter.1]: rating_keys has 3 lines, the satisfaction scale 4 levels" },
		{ HEAD HEAD2 CTR "rating_keys = gpiochip0:1,2,3,4,5,6\n", "board.conf:7: rating_keys: too many lines (at most 5)" },
		{ HEAD HEAD2 CTR "display = tm1637 gpiochip0:5\n", "board.conf:7: display (tm1637 CLK,DIO): 1 line given, 2 needed" },
		{ HEAD HEAD2 CTR "display = tm1637 gpiochip0:5,6 brightness=9\n",
		  "board.conf:7: display (tm1637 CLK,DIO): brightness must be 0 to 7" },
		{ HEAD HEAD2 CTR "display = ht16k33 gpiochip0:5,6\n", "board.conf:7: display: 'ht16k33 gpiochip0:5,6' must be" },
		{ HEAD "button = gpiochip0:17\n" HEAD2 CTR "keys = gpiochip0:20,17\n",
		  "board.conf:8: [counter.1] keys: GPIO line gpiochip0:17 is already used by [service.civil] button (line 3)" },
		{ HEAD "button = gpiochip0:17\n" HEAD2 CTR "[gpio]\ntech_combo = civil+land\n",
		  "board.conf:9: [gpio]: tech_combo: [service.land] has no button" },
		{ HEAD "button = gpiochip0:17\n" HEAD2 CTR "[gpio]\ntech_combo = civil\n",
		  "board.conf:9: [gpio]: tech_combo needs two or more service buttons" },
		{ HEAD HEAD2 CTR "[gpio]\nlight_ready = gpiochip0:1 brightness=3\n",
		  "board.conf:8: light_ready: unknown option 'brightness=3'" },
	};
	char err[512];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = 0;
		assert_int_equal(load(cases[i].text, err), -1);
		if (strncmp(err, cases[i].msg, strlen(cases[i].msg))) {
			fprintf(stderr, "case %zu:\n  got  %s\n  want %s...\n", i, err, cases[i].msg);
			fail();
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(button_by_offset_and_options),
		cmocka_unit_test(button_by_line_name),
		cmocka_unit_test(keys_with_actions),
		cmocka_unit_test(keys_short_form),
		cmocka_unit_test(displays_and_ratings),
		cmocka_unit_test(gpio_section),
		cmocka_unit_test(errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
