/* test-gpio-adapter.c — a libgpiod adapter (drivers/gpio/gpio-v1.c or
 * gpio-v2.c, built as test-gpio-v1 / test-gpio-v2 with MC_GPIOD_API 1 or 2)
 * through the mc_gpio contract, on a stand-in libgpiod of its API version
 * (fake-gpiod-v1.c / -v2.c): what each request asks of the kernel, edge
 * events with their values and timestamps, outputs, names, and every
 * failure the kernel can give, made on demand. */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fake-gpiod.h"
#include "gpio.h"

#ifndef MC_GPIOD_API
#error "MC_GPIOD_API (1 or 2) names the adapter under test"
#endif

static const struct mc_gpio_line_conf L3 = { .chip = "gpiochip0", .offset = 3 };
static const struct mc_gpio_line_conf L5 = { .chip = "gpiochip0", .offset = 5 };

static const struct mc_gpio_req IN_REQ = {
	.consumer = "motcua", .dir = MC_GPIO_IN, .active_low = true, .bias = MC_GPIO_BIAS_PULL_UP,
	.debounce_us = 20000,
};
static const struct mc_gpio_req OUT_REQ = {
	.consumer = "motcua-light", .dir = MC_GPIO_OUT, .open_drain = true, .initial = 1,
};

static int setup(void **state)
{
	fake_gpiod_reset();
	assert_int_equal(fake_gpiod_add_chip("gpiochip0", "pinctrl-bcm2711", 8), 0);
	assert_int_equal(fake_gpiod_add_chip("gpiochip1", "raspberrypi-exp-gpio", 4), 0);
	fake_gpiod_name_line("gpiochip0", 6, "GPIO6");
	*state = mc_gpio_board_new();
	assert_non_null(*state);
	return 0;
}

static int teardown(void **state)
{
	mc_gpio_free(*state);
	/* Every chip the adapter opened is closed again. */
	assert_int_equal(fake_gpiod_open_chips(), 0);
	fake_gpiod_reset();
	return 0;
}

static void backend_is_the_built_api(void **state)
{
	assert_string_equal(mc_gpio_backend_name(*state), MC_GPIOD_API == 1 ? "libgpiod-v1" : "libgpiod-v2");
}

static void input_request_asks_the_kernel_for_edges_bias_and_polarity(void **state)
{
	struct fake_line_state st;
	char err[256] = "";
	struct mc_gpio_line *l = mc_gpio_request(*state, &L3, &IN_REQ, err, sizeof(err));

	assert_non_null(l);
	assert_int_equal(fake_gpiod_state("gpiochip0", 3, &st), 0);
	assert_true(st.requested);
	assert_false(st.output);
	assert_true(st.both_edges);
	assert_true(st.active_low);
	assert_int_equal(st.bias, FAKE_BIAS_PULL_UP);
	assert_string_equal(st.consumer, "motcua");
	assert_true(mc_gpio_line_fd(l) >= 0);
	assert_false(mc_gpio_line_is_output(l));
	assert_string_equal(mc_gpio_line_name(l), "gpiochip0:3");
	/* Neighbouring lines are untouched. */
	assert_int_equal(fake_gpiod_state("gpiochip0", 2, &st), 0);
	assert_false(st.requested);
	mc_gpio_line_release(l);
	assert_int_equal(fake_gpiod_state("gpiochip0", 3, &st), 0);
	assert_false(st.requested);
}

static void bias_choices_reach_the_kernel(void **state)
{
	static const struct { enum mc_gpio_bias in; enum fake_bias out; } map[] = {
		{ MC_GPIO_BIAS_AS_IS, FAKE_BIAS_AS_IS },
		{ MC_GPIO_BIAS_PULL_DOWN, FAKE_BIAS_PULL_DOWN },
		{ MC_GPIO_BIAS_DISABLE, FAKE_BIAS_DISABLED },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		struct mc_gpio_req req = IN_REQ;
		struct fake_line_state st;
		char err[256];
		req.bias = map[i].in;
		req.active_low = false;
		struct mc_gpio_line *l = mc_gpio_request(*state, &L3, &req, err, sizeof(err));
		assert_non_null(l);
		assert_int_equal(fake_gpiod_state("gpiochip0", 3, &st), 0);
		assert_int_equal(st.bias, map[i].out);
		assert_false(st.active_low);
		mc_gpio_line_release(l);
	}
}

static void kernel_debounce_where_the_api_has_it(void **state)
{
	struct fake_line_state st;
	char err[256];
	struct mc_gpio_line *l = mc_gpio_request(*state, &L3, &IN_REQ, err, sizeof(err));

	assert_non_null(l);
	assert_int_equal(fake_gpiod_state("gpiochip0", 3, &st), 0);
#if MC_GPIOD_API == 2
	/* libgpiod 2: the period is in the line settings, the kernel debounces. */
	assert_int_equal(st.debounce_us, 20000);
	assert_true(mc_gpio_line_debounced(l));
#else
	/* libgpiod 1.6 has no debounce: the caller's timer does it. */
	assert_int_equal(st.debounce_us, 0);
	assert_false(mc_gpio_line_debounced(l));
#endif
	mc_gpio_line_release(l);

	/* No period asked: none set, timer debounce. */
	struct mc_gpio_req req = IN_REQ;
	req.debounce_us = 0;
	l = mc_gpio_request(*state, &L3, &req, err, sizeof(err));
	assert_non_null(l);
	assert_int_equal(fake_gpiod_state("gpiochip0", 3, &st), 0);
	assert_int_equal(st.debounce_us, 0);
	assert_false(mc_gpio_line_debounced(l));
	mc_gpio_line_release(l);
}

static void kernel_without_debounce_falls_back_to_the_timer(void **state)
{
	struct fake_line_state st;
	char err[256] = "";

	fake_gpiod_debounce_supported(false);
	struct mc_gpio_line *l = mc_gpio_request(*state, &L3, &IN_REQ, err, sizeof(err));
	assert_non_null(l);
	assert_int_equal(fake_gpiod_state("gpiochip0", 3, &st), 0);
	assert_true(st.requested);
	assert_true(st.both_edges);
	assert_int_equal(st.debounce_us, 0);
	assert_false(mc_gpio_line_debounced(l));
	mc_gpio_line_release(l);
}

static void edges_come_as_logical_values_with_timestamps(void **state)
{
	struct mc_gpio_event ev[8];
	char err[256];
	struct mc_gpio_line *l = mc_gpio_request(*state, &L3, &IN_REQ, err, sizeof(err));
	struct pollfd pfd;

	assert_non_null(l);
	pfd = (struct pollfd){ .fd = mc_gpio_line_fd(l), .events = POLLIN };
	assert_int_equal(poll(&pfd, 1, 0), 0);
	assert_int_equal(mc_gpio_line_read_events(l, ev, 8), 0);

	assert_int_equal(fake_gpiod_edge("gpiochip0", 3, 1, 5000000123ull), 0);
	assert_int_equal(fake_gpiod_edge("gpiochip0", 3, 0, 5020000456ull), 0);
	assert_int_equal(fake_gpiod_edge("gpiochip0", 3, 1, 7000000000ull), 0);
	/* The fd the loop watches wakes up. */
	assert_int_equal(poll(&pfd, 1, 0), 1);
	/* Read in two goes: max is honoured, order kept. */
	assert_int_equal(mc_gpio_line_read_events(l, ev, 2), 2);
	assert_int_equal(ev[0].value, 1);
	assert_int_equal(ev[0].ts_ns, 5000000123ll);
	assert_int_equal(ev[1].value, 0);
	assert_int_equal(ev[1].ts_ns, 5020000456ll);
	assert_int_equal(mc_gpio_line_read_events(l, ev, 8), 1);
	assert_int_equal(ev[0].value, 1);
	assert_int_equal(ev[0].ts_ns, 7000000000ll);
	assert_int_equal(mc_gpio_line_read_events(l, ev, 8), 0);
	assert_int_equal(poll(&pfd, 1, 0), 0);
	/* The level is read through the adapter too. */
	assert_int_equal(mc_gpio_line_get(l), 1);
	mc_gpio_line_release(l);
}

static void event_read_failure_is_reported(void **state)
{
	struct mc_gpio_event ev[4];
	char err[256];
	struct mc_gpio_line *l = mc_gpio_request(*state, &L3, &IN_REQ, err, sizeof(err));

	assert_non_null(l);
	assert_int_equal(fake_gpiod_edge("gpiochip0", 3, 1, 1000), 0);
	fake_gpiod_fail(MC_GPIOD_API == 1 ? "read" : "wait", EIO);
	assert_int_equal(mc_gpio_line_read_events(l, ev, 4), -1);
	assert_int_equal(errno, EIO);
	/* The edge is still there once the kernel answers again. */
	assert_int_equal(mc_gpio_line_read_events(l, ev, 4), 1);
	assert_int_equal(ev[0].value, 1);
	fake_gpiod_fail("get", EIO);
	assert_int_equal(mc_gpio_line_get(l), -1);
	mc_gpio_line_release(l);
}

static void output_request_sets_drive_initial_and_values(void **state)
{
	struct fake_line_state st;
	char err[256];
	struct mc_gpio_line *l = mc_gpio_request(*state, &L5, &OUT_REQ, err, sizeof(err));

	assert_non_null(l);
	assert_true(mc_gpio_line_is_output(l));
	assert_int_equal(mc_gpio_line_fd(l), -1);
	assert_false(mc_gpio_line_debounced(l));
	assert_int_equal(fake_gpiod_state("gpiochip0", 5, &st), 0);
	assert_true(st.requested);
	assert_true(st.output);
	assert_true(st.open_drain);
	assert_false(st.both_edges);
	assert_int_equal(st.debounce_us, 0);
	assert_int_equal(st.value, 1);
	assert_string_equal(st.consumer, "motcua-light");

	assert_int_equal(mc_gpio_line_set(l, 0), 0);
	assert_int_equal(fake_gpiod_state("gpiochip0", 5, &st), 0);
	assert_int_equal(st.value, 0);
	assert_int_equal(mc_gpio_line_get(l), 0);
	assert_int_equal(mc_gpio_line_set(l, 1), 0);
	assert_int_equal(fake_gpiod_state("gpiochip0", 5, &st), 0);
	assert_int_equal(st.value, 1);

	/* The kernel refuses a write: the caller hears it, the value stays. */
	fake_gpiod_fail("set", EIO);
	errno = 0;
	assert_int_equal(mc_gpio_line_set(l, 0), -1);
	assert_int_equal(errno, EIO);
	assert_int_equal(fake_gpiod_state("gpiochip0", 5, &st), 0);
	assert_int_equal(st.value, 1);
	mc_gpio_line_release(l);

	/* Push-pull, starting inactive. */
	struct mc_gpio_req req = OUT_REQ;
	req.open_drain = false;
	req.initial = 0;
	l = mc_gpio_request(*state, &L5, &req, err, sizeof(err));
	assert_non_null(l);
	assert_int_equal(fake_gpiod_state("gpiochip0", 5, &st), 0);
	assert_false(st.open_drain);
	assert_int_equal(st.value, 0);
	mc_gpio_line_release(l);
}

static void line_by_name_and_chip_by_number(void **state)
{
	const struct mc_gpio_line_conf byname = { .chip = "gpiochip0", .offset = -1, .name = "GPIO6" };
	const struct mc_gpio_line_conf bynum = { .chip = "1", .offset = 2 };
	const struct mc_gpio_line_conf bypath = { .chip = "/dev/gpiochip1", .offset = 3 };
	struct fake_line_state st;
	char err[256];
	struct mc_gpio_line *a = mc_gpio_request(*state, &byname, &IN_REQ, err, sizeof(err));
	struct mc_gpio_line *b = mc_gpio_request(*state, &bynum, &OUT_REQ, err, sizeof(err));
	struct mc_gpio_line *c = mc_gpio_request(*state, &bypath, &OUT_REQ, err, sizeof(err));

	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	assert_string_equal(mc_gpio_line_name(a), "gpiochip0:GPIO6");
	assert_int_equal(fake_gpiod_state("gpiochip0", 6, &st), 0);
	assert_true(st.requested);
	assert_int_equal(fake_gpiod_state("gpiochip1", 2, &st), 0);
	assert_true(st.requested && st.output);
	assert_int_equal(fake_gpiod_state("gpiochip1", 3, &st), 0);
	assert_true(st.requested && st.output);
	/* Lines are released at mc_gpio_free (teardown checks the chips). */
}

static void missing_chip_line_and_name_are_named(void **state)
{
	const struct mc_gpio_line_conf nochip = { .chip = "gpiochip7", .offset = 1 };
	const struct mc_gpio_line_conf far = { .chip = "gpiochip0", .offset = 8 };
	const struct mc_gpio_line_conf noname = { .chip = "gpiochip0", .offset = -1, .name = "GPIO99" };
	char err[256] = "";

	errno = 0;
	assert_int_equal(mc_gpio_open_chip(*state, "gpiochip7", err, sizeof(err)), -1);
	assert_int_equal(errno, ENOENT);
	assert_non_null(strstr(err, "GPIO chip 'gpiochip7' does not exist"));
	assert_int_equal(mc_gpio_open_chip(*state, "gpiochip0", err, sizeof(err)), 0);

	assert_null(mc_gpio_request(*state, &nochip, &IN_REQ, err, sizeof(err)));
	assert_non_null(strstr(err, "'gpiochip7' does not exist"));
	assert_null(mc_gpio_request(*state, &far, &IN_REQ, err, sizeof(err)));
	assert_int_equal(errno, ENOENT);
	assert_non_null(strstr(err, "GPIO line gpiochip0:8 does not exist: chip gpiochip0 has 8 lines"));
	assert_null(mc_gpio_request(*state, &noname, &IN_REQ, err, sizeof(err)));
	assert_int_equal(errno, ENOENT);
	assert_non_null(strstr(err, "GPIO line gpiochip0:GPIO99 does not exist on chip gpiochip0"));
}

static void chip_open_refused_is_not_called_missing(void **state)
{
	char err[256] = "";

	fake_gpiod_fail("open", EACCES);
	assert_int_equal(mc_gpio_open_chip(*state, "gpiochip0", err, sizeof(err)), -1);
	assert_int_equal(errno, EACCES);
	assert_non_null(strstr(err, "cannot be opened"));
	assert_non_null(strstr(err, "gpio group"));
	/* Not cached as open: the next try opens it. */
	assert_int_equal(mc_gpio_open_chip(*state, "gpiochip0", err, sizeof(err)), 0);
}

static void busy_line_names_its_holder(void **state)
{
	char err[256] = "";

	fake_gpiod_hold("gpiochip0", 3, "gpio-keys");
	errno = 0;
	assert_null(mc_gpio_request(*state, &L3, &IN_REQ, err, sizeof(err)));
	assert_int_equal(errno, EBUSY);
	assert_string_equal(err, "GPIO line gpiochip0:3 is busy: already used by 'gpio-keys'");
}

static void request_failure_on_demand(void **state)
{
	struct fake_line_state st;
	char err[256] = "";

	fake_gpiod_fail("request", EIO);
	assert_null(mc_gpio_request(*state, &L5, &OUT_REQ, err, sizeof(err)));
	assert_int_equal(errno, EIO);
	assert_non_null(strstr(err, "GPIO line gpiochip0:5 cannot be requested as an output"));
	assert_int_equal(fake_gpiod_state("gpiochip0", 5, &st), 0);
	assert_false(st.requested);

	fake_gpiod_fail("request", EPERM);
	assert_null(mc_gpio_request(*state, &L3, &IN_REQ, err, sizeof(err)));
	assert_int_equal(errno, EPERM);
	assert_non_null(strstr(err, "as an input with edge events"));
	/* Then it works. */
	struct mc_gpio_line *l = mc_gpio_request(*state, &L3, &IN_REQ, err, sizeof(err));
	assert_non_null(l);
	mc_gpio_line_release(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(backend_is_the_built_api, setup, teardown),
		cmocka_unit_test_setup_teardown(input_request_asks_the_kernel_for_edges_bias_and_polarity, setup,
						teardown),
		cmocka_unit_test_setup_teardown(bias_choices_reach_the_kernel, setup, teardown),
		cmocka_unit_test_setup_teardown(kernel_debounce_where_the_api_has_it, setup, teardown),
		cmocka_unit_test_setup_teardown(kernel_without_debounce_falls_back_to_the_timer, setup, teardown),
		cmocka_unit_test_setup_teardown(edges_come_as_logical_values_with_timestamps, setup, teardown),
		cmocka_unit_test_setup_teardown(event_read_failure_is_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(output_request_sets_drive_initial_and_values, setup, teardown),
		cmocka_unit_test_setup_teardown(line_by_name_and_chip_by_number, setup, teardown),
		cmocka_unit_test_setup_teardown(missing_chip_line_and_name_are_named, setup, teardown),
		cmocka_unit_test_setup_teardown(chip_open_refused_is_not_called_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(busy_line_names_its_holder, setup, teardown),
		cmocka_unit_test_setup_teardown(request_failure_on_demand, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
