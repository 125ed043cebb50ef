/* test-bus-config.c — board.conf's counter bus keys: [bus] values are
 * validated with FILE:LINE messages, and unit = bus:ADDR needs a [bus]. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"

#define BASE "[service.a]\nname = A\n[counter.1]\nservices = a\nunit = bus:3\n"

static struct mc_config cfg;

static void test_bus_ok(void **state)
{
	char err[256] = "";

	(void)state;
	assert_int_equal(mc_config_load_string(BASE "[bus]\ndevice = /dev/ttyUSB0\nbaud = 115200\n"
					       "parity = none\ntimeout = 40ms\noffline_poll = 1s\n"
					       "brightness = 7\nblink = 3s\n", "b.conf", &cfg, err, sizeof(err)), 0);
	assert_true(cfg.bus.present);
	assert_string_equal(cfg.bus.device, "/dev/ttyUSB0");
	assert_int_equal(cfg.bus.baud, 115200);
	assert_int_equal(cfg.bus.parity, 'N');
	assert_int_equal(cfg.bus.timeout_ms, 40);
	assert_int_equal(cfg.bus.offline_poll_ms, 1000);
	assert_int_equal(cfg.bus.brightness, 7);
	assert_int_equal(cfg.bus.blink_ms, 3000);
	assert_int_equal(cfg.counters[0].bus_addr, 3);

	/* Defaults: 19200 8E1, 100 ms, brightness 12, blink 5 s. */
	assert_int_equal(mc_config_load_string(BASE "[bus]\n", "b.conf", &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.bus.baud, 19200);
	assert_int_equal(cfg.bus.parity, 'E');
	assert_int_equal(cfg.bus.data_bits, 8);
	assert_int_equal(cfg.bus.stop_bits, 1);
	assert_int_equal(cfg.bus.timeout_ms, 100);
	assert_int_equal(cfg.bus.brightness, 12);
	assert_int_equal(cfg.bus.blink_ms, 5000);
}

static void expect_error(const char *text, const char *msg)
{
	char err[256] = "";

	assert_int_equal(mc_config_load_string(text, "b.conf", &cfg, err, sizeof(err)), -1);
	if (!strstr(err, msg))
		fail_msg("expected '%s' in '%s'", msg, err);
}

static void test_bus_errors(void **state)
{
	(void)state;
	expect_error(BASE "[bus]\nbaud = 12345\n", "b.conf:7: baud: '12345' must be one of");
	expect_error(BASE "[bus]\nparity = mark\n", "b.conf:7: parity: 'mark' must be none, even or odd");
	expect_error(BASE "[bus]\nbrightness = 16\n", "b.conf:7: brightness: 16 is out of range (0 to 15)");
	expect_error(BASE "[bus]\ntimeout = 1ms\n", "b.conf:7: timeout: '1ms' is out of range");
	expect_error(BASE "[bus]\nblink = soon\n", "b.conf:7: blink: 'soon' is not a duration");
	expect_error(BASE "[bus]\nstop_bits = 3\n", "b.conf:7: stop_bits: 3 is out of range");
	expect_error(BASE "[bus]\nspeed = 9600\n", "b.conf:7: unknown key 'speed' in [bus]");
	expect_error("[service.a]\nname = A\n[counter.1]\nservices = a\nunit = bus:0\n[bus]\n",
		     "b.conf:5: unit: 'bus:0' must be bus:ADDR with ADDR from 1 to 247");
	expect_error(BASE, "b.conf:3: [counter.1]: unit = bus:3 but there is no [bus] section");
	expect_error(BASE "[counter.2]\nservices = a\nunit = bus:3\n[bus]\n",
		     "[counter.2]: bus address 3 is already used by counter 1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bus_ok),
		cmocka_unit_test(test_bus_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
