/* test-bus-driver.c — the bus master thread (drivers/bus/bus.c) against the
 * unit simulator in-process on a real pty pair: units come online, displays
 * are written once per change and never when nothing changed, presses come
 * as events in order, a dead unit goes offline and is rewritten in full on
 * its return, and a missing port is reported, not fatal. */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bus.h"
#include "usim.h"

/* Collects events from the bus until one matches or timeout_ms passes. */
struct ctx {
	struct mc_bus *bus;
	struct usim *sim;
	struct mc_bus_event ev[256];
	size_t nev;
};

static void pump(struct ctx *c, int timeout_ms)
{
	struct pollfd p = { .fd = mc_bus_event_fd(c->bus), .events = POLLIN };

	if (poll(&p, 1, timeout_ms) > 0) {
		size_t room = sizeof(c->ev) / sizeof(c->ev[0]) - c->nev;
		c->nev += mc_bus_take_events(c->bus, c->ev + c->nev, room);
		mc_bus_handled(c->bus);
	}
}

static const struct mc_bus_event *find_ev(struct ctx *c, enum mc_bus_event_kind kind, int addr, size_t from)
{
	for (size_t i = from; i < c->nev; i++)
		if (c->ev[i].kind == kind && c->ev[i].addr == addr)
			return &c->ev[i];
	return NULL;
}

static const struct mc_bus_event *wait_ev(struct ctx *c, enum mc_bus_event_kind kind, int addr,
					  size_t from, int timeout_ms)
{
	int64_t end = usim_now_us() + (int64_t)timeout_ms * 1000;
	const struct mc_bus_event *e;

	while (!(e = find_ev(c, kind, addr, from)) && usim_now_us() < end)
		pump(c, 20);
	if (!e) /* the test fails here, naming what never came */
		fail_msg("no bus event of kind %d from unit %d within %d ms", (int)kind, addr, timeout_ms);
	return e;
}

/* Returns once the driver thread has begun a whole cycle (displays, then
 * polls) after this call: two presses at addr, each waited for as its KEY
 * event. The first may be read by a cycle already under way; the second is
 * read by a later cycle, whose display writes came after the call. An event,
 * not a sleep: it holds however slow the machine is. */
static void full_cycle(struct ctx *c, int addr)
{
	for (int i = 0; i < 2; i++) {
		size_t from = c->nev;
		assert_int_equal(usim_press(c->sim, addr, 0x0001, 1, NULL), 0);
		assert_non_null(wait_ev(c, MC_BUS_EV_KEY, addr, from, 10000));
	}
}

/* Returns once the driver has tried the offline unit addr twice more. */
static void two_retries(struct ctx *c, int addr)
{
	struct mc_bus_unit_stats st;
	uint64_t before;

	assert_int_equal(mc_bus_unit_stats(c->bus, addr, &st), 0);
	before = st.timeouts;
	for (int i = 0; i < 1000 && st.timeouts < before + 2; i++) {
		pump(c, 20);
		assert_int_equal(mc_bus_unit_stats(c->bus, addr, &st), 0);
	}
	assert_true(st.timeouts >= before + 2);
}

static int setup(void **state)
{
	static const int addrs[] = { 1, 2, 3 };
	struct ctx *c = calloc(1, sizeof(*c));
	char err[256];
	struct usim_options so = { .baud = 115200, .parity = 'E', .data_bits = 8, .stop_bits = 1,
				   .turnaround_us = 500, .addrs = addrs, .naddrs = 3, .seed = 7 };

	assert_non_null(c);
	c->sim = usim_new(&so, NULL, NULL, err, sizeof(err));
	assert_non_null(c->sim);
	/* A generous answer timeout: the simulator's thread may be scheduled
	 * late on a loaded machine, and a late answer must not count as a
	 * timeout on a clean line (asserted below). */
	struct mc_bus_options bo = { .device = usim_path(c->sim), .baud = 115200, .parity = 'E',
				     .data_bits = 8, .stop_bits = 1, .timeout_ms = 500,
				     .offline_poll_ms = 100, .addrs = addrs, .naddrs = 3 };
	c->bus = mc_bus_open(&bo, err, sizeof(err));
	assert_non_null(c->bus);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	mc_bus_close(c->bus);
	usim_free(c->sim);
	free(c);
	return 0;
}

static void test_online_displays_presses(void **state)
{
	struct ctx *c = *state;
	struct mc_bus_display d = { .text = "1001", .waiting = 4, .blink = true, .brightness = 9 }, got;
	uint64_t gen, gen2;

	assert_non_null(wait_ev(c, MC_BUS_EV_PORT, 0, 0, 5000));
	for (int a = 1; a <= 3; a++)
		assert_non_null(wait_ev(c, MC_BUS_EV_ONLINE, a, 0, 5000));

	/* A display is written once, and reads back as set. */
	assert_int_equal(mc_bus_set_display(c->bus, 2, &d), 0);
	assert_int_equal(usim_wait_display(c->sim, 2, 0, 5000), 0);
	usim_display(c->sim, 2, &got, &gen, NULL);
	assert_string_equal(got.text, "1001    ");
	assert_int_equal(got.waiting, 4);
	assert_true(got.blink);
	assert_int_equal(got.brightness, 9);
	assert_int_equal(gen, 1);

	/* The same image again: no write, though the driver has since had
	 * every chance to write (a whole cycle at that unit). */
	assert_int_equal(mc_bus_set_display(c->bus, 2, &d), 0);
	full_cycle(c, 2);
	usim_display(c->sim, 2, NULL, &gen2, NULL);
	assert_int_equal(gen2, 1);

	/* Two changes set before the thread looks are coalesced or written in
	 * order; either way the unit ends with the last one. */
	d.waiting = 3;
	mc_bus_set_display(c->bus, 2, &d);
	d.blink = false;
	mc_bus_set_display(c->bus, 2, &d);
	for (int i = 0; i < 100; i++) {
		usim_display(c->sim, 2, &got, &gen2, NULL);
		if (got.waiting == 3 && !got.blink)
			break;
		usleep(10000);
	}
	assert_int_equal(got.waiting, 3);
	assert_false(got.blink);
	assert_in_range(gen2, 2, 3);
	assert_int_equal(mc_bus_set_display(c->bus, 9, &d), -1);
	assert_int_equal(errno, ENOENT);

	/* Presses come as KEY events, oldest first, with their sequence. */
	size_t from = c->nev;
	usim_press(c->sim, 3, 0x0001, 1, NULL);
	usim_press(c->sim, 3, 0x0307, 1, NULL);
	usim_press(c->sim, 3, 0x0102, 1, NULL);
	const struct mc_bus_event *e = wait_ev(c, MC_BUS_EV_KEY, 3, from, 5000);
	assert_non_null(e);
	for (int i = 0; i < 50 && c->nev - from < 3; i++)
		pump(c, 20);
	uint16_t want[] = { 0x0001, 0x0307, 0x0102 };
	size_t k = 0;
	for (size_t i = from; i < c->nev; i++)
		if (c->ev[i].kind == MC_BUS_EV_KEY) {
			assert_int_equal(c->ev[i].addr, 3);
			assert_true(k < 3);
			assert_int_equal(c->ev[i].code, want[k]);
			if (k)
				assert_int_equal((uint16_t)(c->ev[i].seq - c->ev[i - 1].seq), 1);
			k++;
		}
	assert_int_equal(k, 3);

	/* Eleven at once: eight events and a LOST of three. */
	from = c->nev;
	usim_press(c->sim, 1, 0x0004, 11, NULL);
	assert_non_null(wait_ev(c, MC_BUS_EV_LOST, 1, from, 5000));
	for (int i = 0; i < 20; i++)
		pump(c, 20);
	k = 0;
	for (size_t i = from; i < c->nev; i++) {
		if (c->ev[i].kind == MC_BUS_EV_KEY && c->ev[i].addr == 1)
			k++;
		if (c->ev[i].kind == MC_BUS_EV_LOST)
			assert_int_equal(c->ev[i].lost, 3);
	}
	assert_int_equal(k, 8);
	struct mc_bus_unit_stats st;
	assert_int_equal(mc_bus_unit_stats(c->bus, 1, &st), 0);
	assert_int_equal(st.presses, 8);
	assert_int_equal(st.lost, 3);
	assert_int_equal(st.crc_errors + st.garbage + st.timeouts, 0);
}

static void test_offline_and_back(void **state)
{
	struct ctx *c = *state;
	struct mc_bus_display d = { .text = "2002", .waiting = 1, .brightness = 5 }, got;
	struct mc_bus_unit_stats st;
	uint64_t gen;

	for (int a = 1; a <= 3; a++)
		assert_non_null(wait_ev(c, MC_BUS_EV_ONLINE, a, 0, 5000));
	mc_bus_set_display(c->bus, 1, &d);
	assert_int_equal(usim_wait_display(c->sim, 1, 0, 5000), 0);

	size_t from = c->nev;
	usim_set_dead(c->sim, 1, true);
	assert_non_null(wait_ev(c, MC_BUS_EV_OFFLINE, 1, from, 5000));
	assert_int_equal(mc_bus_unit_stats(c->bus, 1, &st), 0);
	assert_false(st.online);
	assert_int_equal(st.offline_count, 1);
	assert_true(st.timeouts >= MC_BUS_OFFLINE_MISSES);

	/* The others keep answering while 1 is dead. */
	from = c->nev;
	usim_press(c->sim, 2, 0x0001, 1, NULL);
	assert_non_null(wait_ev(c, MC_BUS_EV_KEY, 2, from, 5000));

	/* A change while offline, then the unit returns: written at once. */
	usim_display(c->sim, 1, NULL, &gen, NULL);
	strcpy(d.text, "2003");
	d.paused = true;
	mc_bus_set_display(c->bus, 1, &d);
	two_retries(c, 1);
	usim_display(c->sim, 1, &got, NULL, NULL);
	assert_string_equal(got.text, "2002    ");
	usim_set_dead(c->sim, 1, false);
	assert_non_null(wait_ev(c, MC_BUS_EV_ONLINE, 1, from, 5000));
	assert_int_equal(usim_wait_display(c->sim, 1, gen, 5000), 0);
	usim_display(c->sim, 1, &got, NULL, NULL);
	assert_string_equal(got.text, "2003    ");
	assert_true(got.paused);
	assert_int_equal(got.brightness, 5);
}

static void test_missing_port(void **state)
{
	static const int addrs[] = { 1 };
	char err[256];
	struct ctx c = { 0 };
	struct mc_bus_options bo = { .device = "/nonexistent/ttyUSB9", .baud = 19200, .parity = 'E',
				     .data_bits = 8, .stop_bits = 1, .timeout_ms = 30,
				     .offline_poll_ms = 50, .addrs = addrs, .naddrs = 1 };
	struct mc_bus_stats st;

	(void)state;
	c.bus = mc_bus_open(&bo, err, sizeof(err));
	assert_non_null(c.bus);
	const struct mc_bus_event *e = wait_ev(&c, MC_BUS_EV_PORT, 0, 0, 5000);
	assert_non_null(e);
	assert_false(e->ok);
	assert_non_null(strstr(e->text, "/nonexistent/ttyUSB9"));
	mc_bus_stats(c.bus, &st);
	assert_false(st.port_open);
	mc_bus_close(c.bus);

	/* Bad options are refused at once with a message. */
	int dup[] = { 4, 4 };
	bo.addrs = dup;
	bo.naddrs = 2;
	err[0] = 0;
	assert_null(mc_bus_open(&bo, err, sizeof(err)));
	assert_non_null(strstr(err, "given twice"));
	bo.naddrs = 0;
	assert_null(mc_bus_open(&bo, err, sizeof(err)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_online_displays_presses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_offline_and_back, setup, teardown),
		cmocka_unit_test(test_missing_port),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
