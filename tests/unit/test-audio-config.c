/* test-audio-config.c — the [audio] keys of board.conf: defaults, values,
 * and a precise FILE:LINE message for bad ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"

/* The least board a kiosk accepts, before the [audio] section under test. */
#define BASE "[service.a]\nname = A\n[counter.1]\nservices = a\n"

static void test_defaults_and_values(void **state)
{
	struct mc_config cfg;
	char err[512];

	(void)state;
	assert_int_equal(mc_config_load_string(BASE "[audio]\n", "b.conf", &cfg, err, sizeof(err)), 0);
	assert_true(cfg.audio.present);
	assert_string_equal(cfg.audio.device, "default");
	assert_false(cfg.audio.south);
	assert_false(cfg.audio.colloquial);
	assert_true(cfg.audio.tu);
	assert_false(cfg.audio.english);
	assert_int_equal(cfg.audio.prefixed, MC_READ_WHOLE);
	assert_string_equal(cfg.warnings, "");
	assert_int_equal(mc_config_load_string(BASE "[audio]\ndevice = file:FILE=/tmp/x.wav,FORMAT=wav\n"
					       "dialect = south\ncolloquial = yes\ntu = no\n"
					       "english = yes\nnumbers = digits\nquiet = 22:00-06:00\n",
					       "b.conf", &cfg, err, sizeof(err)),
			 0);
	assert_string_equal(cfg.audio.device, "file:FILE=/tmp/x.wav,FORMAT=wav");
	assert_true(cfg.audio.south);
	assert_true(cfg.audio.colloquial);
	assert_false(cfg.audio.tu);
	assert_true(cfg.audio.english);
	assert_int_equal(cfg.audio.numbers, MC_READ_DIGITS);
	assert_int_equal(cfg.audio.quiet.from, 22 * 60);
	assert_int_equal(cfg.audio.quiet.to, 6 * 60);
	/* Valid, but the southern voice saying the northern "nhăm" is warned of. */
	assert_non_null(strstr(cfg.warnings, "b.conf:8: warning: [audio] colloquial = yes"));
	assert_non_null(strstr(cfg.warnings, "dialect = south"));
	assert_int_equal(mc_config_load_string(BASE "[audio]\nprefixed = digits\n", "b.conf", &cfg, err, sizeof(err)),
			 0);
	assert_int_equal(cfg.audio.prefixed, MC_READ_DIGITS);
	assert_int_equal(cfg.audio.numbers, MC_READ_WHOLE);
}

static void test_bad_values(void **state)
{
	struct mc_config cfg;
	char err[512];

	(void)state;
	assert_int_equal(mc_config_load_string(BASE "[audio]\nvoice = vi\ndialect = central\n", "b.conf",
					       &cfg, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "b.conf:7:"));
	assert_non_null(strstr(err, "dialect"));
	assert_int_equal(mc_config_load_string(BASE "[audio]\nenglish = maybe\n", "b.conf", &cfg, err,
					       sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "b.conf:6:"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_and_values),
		cmocka_unit_test(test_bad_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
