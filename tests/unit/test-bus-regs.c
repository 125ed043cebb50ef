/* test-bus-regs.c — counter bus protocol v1: key codes, press decoding,
 * display image and write diff (drivers/bus/regs.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "regs.h"

static void test_key_codes(void **state)
{
	static const struct {
		uint16_t code;
		enum mc_bus_key key;
		int arg;
	} cases[] = {
		{ 1, MC_BUS_KEY_NEXT, 0 }, { 2, MC_BUS_KEY_RECALL, 0 }, { 3, MC_BUS_KEY_NOSHOW, 0 },
		{ 4, MC_BUS_KEY_FINISH, 0 }, { 5, MC_BUS_KEY_PAUSE, 0 }, { 6, MC_BUS_KEY_PRIORITY, 0 },
		{ 0x0101, MC_BUS_KEY_TRANSFER, 1 }, { 0x01ff, MC_BUS_KEY_TRANSFER, 255 },
		{ 0x0201, MC_BUS_KEY_RATE, 1 }, { 0x0204, MC_BUS_KEY_RATE, 4 },
		{ 0x0300, MC_BUS_KEY_LOGOUT, 0 }, { 0x0301, MC_BUS_KEY_LOGIN, 1 },
		{ 0x03ff, MC_BUS_KEY_LOGIN, 255 },
		/* Outside protocol v1. */
		{ 0, MC_BUS_KEY_UNKNOWN, 0 }, { 7, MC_BUS_KEY_UNKNOWN, 0 }, { 0xff, MC_BUS_KEY_UNKNOWN, 0 },
		{ 0x0100, MC_BUS_KEY_UNKNOWN, 0 }, { 0x0200, MC_BUS_KEY_UNKNOWN, 0 },
		{ 0x0205, MC_BUS_KEY_RATE, 5 }, { 0x0206, MC_BUS_KEY_UNKNOWN, 0 }, { 0x0400, MC_BUS_KEY_UNKNOWN, 0 },
		{ 0xffff, MC_BUS_KEY_UNKNOWN, 0 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int arg = -1;
		enum mc_bus_key k = mc_bus_key_decode(cases[i].code, &arg);
		assert_int_equal(k, cases[i].key);
		assert_int_equal(arg, cases[i].arg);
		if (k != MC_BUS_KEY_UNKNOWN)
			assert_int_equal(mc_bus_key_encode(k, arg), cases[i].code);
	}
	assert_int_equal(mc_bus_key_encode(MC_BUS_KEY_RATE, 6), 0);
	assert_int_equal(mc_bus_key_encode(MC_BUS_KEY_LOGIN, 0), 0);
	assert_int_equal(mc_bus_key_encode(MC_BUS_KEY_TRANSFER, 256), 0);
	assert_string_equal(mc_bus_key_name(MC_BUS_KEY_PRIORITY), "priority-next");
	assert_string_equal(mc_bus_key_name(MC_BUS_KEY_LOGOUT), "logout");
	assert_string_equal(mc_bus_key_name((enum mc_bus_key)(MC_BUS_KEY_LOGOUT + 1)), "unknown");
}

/* Builds a unit's input registers after presses codes[0..n-1] (oldest
 * first) starting from sequence start, as a unit would. */
static void unit_regs(uint16_t start, const uint16_t *codes, int n, uint16_t regs[9])
{
	memset(regs, 0, 9 * sizeof(regs[0]));
	regs[0] = start;
	for (int i = 0; i < n; i++) {
		memmove(regs + 2, regs + 1, 7 * sizeof(regs[0]));
		regs[1] = codes[i];
		regs[0]++;
	}
}

static void test_presses_none(void **state)
{
	uint16_t regs[9];
	struct mc_bus_presses p;
	const uint16_t c[] = { 1, 2 };

	(void)state;
	unit_regs(10, c, 2, regs);
	mc_bus_presses_decode(12, regs, 9, &p);
	assert_int_equal(p.n, 0);
	assert_int_equal(p.lost, 0);
	assert_int_equal(p.seq, 12);
	assert_int_equal(mc_bus_regs_needed(12, 12), 1);
}

static void test_presses_order_and_wrap(void **state)
{
	uint16_t regs[9];
	struct mc_bus_presses p;
	const uint16_t c[] = { 1, 0x0102, 4 };

	(void)state;
	/* The sequence wraps past 65535. */
	unit_regs(65534, c, 3, regs);
	assert_int_equal(regs[0], 1);
	assert_int_equal(mc_bus_regs_needed(65534, regs[0]), 4);
	mc_bus_presses_decode(65534, regs, 4, &p);
	assert_int_equal(p.n, 3);
	assert_int_equal(p.codes[0], 1);       /* oldest first */
	assert_int_equal(p.codes[1], 0x0102);
	assert_int_equal(p.codes[2], 4);       /* newest last */
	assert_int_equal(p.lost, 0);
	assert_int_equal(p.seq, 1);

	/* Only the ones after the last seen sequence. */
	mc_bus_presses_decode(0, regs, 9, &p);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.codes[0], 4);
}

static void test_presses_lost(void **state)
{
	uint16_t codes[11], regs[9];
	struct mc_bus_presses p;

	(void)state;
	for (int i = 0; i < 11; i++)
		codes[i] = (uint16_t)(0x0301 + i); /* distinct codes: login 1..11 */
	unit_regs(100, codes, 11, regs);
	assert_int_equal(mc_bus_regs_needed(100, regs[0]), 9);
	mc_bus_presses_decode(100, regs, 9, &p);
	assert_int_equal(p.n, 8);
	assert_int_equal(p.lost, 3);
	for (int i = 0; i < 8; i++)
		assert_int_equal(p.codes[i], codes[3 + i]);
	assert_int_equal(p.seq, 111);

	/* Exactly 8: nothing lost. */
	unit_regs(100, codes, 8, regs);
	mc_bus_presses_decode(100, regs, 9, &p);
	assert_int_equal(p.n, 8);
	assert_int_equal(p.lost, 0);
	assert_int_equal(p.codes[0], codes[0]);
}

static void test_presses_short_read(void **state)
{
	uint16_t regs[9];
	struct mc_bus_presses p;
	const uint16_t c[] = { 1, 2, 3 };

	(void)state;
	/* Only register 0..1 read but three presses: only what was read is
	 * returned, never a code from a register not read. */
	unit_regs(0, c, 3, regs);
	regs[2] = regs[3] = 0xdead;
	mc_bus_presses_decode(0, regs, 2, &p);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.codes[0], 3);
}

/* A unit that restarts: its sequence steps back (16-bit difference above
 * 32768) to the presses made since power-up. Those are the new presses
 * (at most 8), nothing is lost, and the next read of the same registers
 * gives nothing again. A step forward of 32768 is still presses. */
static void test_presses_restart(void **state)
{
	uint16_t regs[9] = { 2, 0x0001, 0x0004, 0, 0, 0, 0, 0, 0 };
	struct mc_bus_presses p;

	(void)state;
	mc_bus_presses_decode(201, regs, 9, &p);
	assert_true(p.restart);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.codes[0], 0x0004);  /* oldest first: FINISH, then NEXT */
	assert_int_equal(p.codes[1], 0x0001);
	assert_int_equal(p.lost, 0);
	assert_int_equal(p.seq, 2);
	assert_int_equal(mc_bus_regs_needed(201, 2), 3);
	mc_bus_presses_decode(p.seq, regs, 9, &p);
	assert_int_equal(p.n + (int)p.lost, 0);
	assert_false(p.restart);

	/* Restart with 12 presses since: the 8 newest, 4 lost. */
	regs[0] = 12;
	mc_bus_presses_decode(30000, regs, 9, &p);
	assert_true(p.restart);
	assert_int_equal(p.n, 8);
	assert_int_equal(p.lost, 4);

	/* Exactly 32768 ahead is not a restart. */
	regs[0] = (uint16_t)(100 + 32768);
	mc_bus_presses_decode(100, regs, 9, &p);
	assert_false(p.restart);
	assert_int_equal(p.lost, 32768 - 8);
}

static void test_display_encode(void **state)
{
	struct mc_bus_display d = { .text = "1023", .waiting = 7, .blink = true, .brightness = 12 };
	uint16_t r[MC_BUS_NHOLD];
	struct mc_bus_display back;

	(void)state;
	mc_bus_display_encode(&d, r);
	assert_int_equal(r[0], ('1' << 8) | '0');  /* high byte first */
	assert_int_equal(r[1], ('2' << 8) | '3');
	assert_int_equal(r[2], 0x2020);            /* space padded */
	assert_int_equal(r[3], 0x2020);
	assert_int_equal(r[4], 7);
	assert_int_equal(r[5], MC_BUS_FLAG_BLINK);
	assert_int_equal(r[6], 12);
	mc_bus_display_decode(r, &back);
	assert_string_equal(back.text, "1023    ");
	assert_int_equal(back.waiting, 7);
	assert_true(back.blink);
	assert_false(back.paused);

	/* Paused, odd length, non-ASCII bytes, caps. */
	struct mc_bus_display e = { .text = "B\xc3\xa1", .waiting = 70000, .paused = true, .brightness = 99 };
	mc_bus_display_encode(&e, r);
	assert_int_equal(r[0], ('B' << 8) | '?');
	assert_int_equal(r[1], ('?' << 8) | ' ');
	assert_int_equal(r[4], 65535);
	assert_int_equal(r[5], MC_BUS_FLAG_PAUSED);
	assert_int_equal(r[6], 15);

	mc_bus_display_decode(r, &back);
	assert_true(back.paused);
	assert_false(back.blink);
	assert_int_equal(back.waiting, 65535);
	assert_int_equal(back.brightness, 15);
	/* 65535 itself is sent as it is. */
	e.waiting = 65535;
	e.brightness = 15;
	mc_bus_display_encode(&e, r);
	assert_int_equal(r[4], 65535);
	assert_int_equal(r[6], 15);

	/* Eight characters fill all four registers; a ninth is cut. The text
	 * holds nine characters and no terminator here, so only the
	 * encoder's own limit stops it. */
	struct mc_bus_display f;
	memset(&f, 0, sizeof(f));
	memcpy(f.text, "ABCDEFGHI", 9);
	f.waiting = 3;
	mc_bus_display_encode(&f, r);
	assert_int_equal(r[0], ('A' << 8) | 'B');
	assert_int_equal(r[3], ('G' << 8) | 'H');
	assert_int_equal(r[4], 3); /* 'I' did not spill into the waiting count */
	mc_bus_display_decode(r, &back);
	assert_string_equal(back.text, "ABCDEFGH");
}

static void test_display_diff(void **state)
{
	struct mc_bus_display d = { .text = "1001", .waiting = 3, .brightness = 8 };
	uint16_t a[MC_BUS_NHOLD], b[MC_BUS_NHOLD];
	int first, count;

	(void)state;
	mc_bus_display_encode(&d, a);
	assert_true(mc_bus_display_diff(NULL, a, &first, &count));
	assert_int_equal(first, 0);
	assert_int_equal(count, 7);
	assert_false(mc_bus_display_diff(a, a, &first, &count));
	assert_int_equal(count, 0);

	/* Only the waiting count: one register. */
	d.waiting = 2;
	mc_bus_display_encode(&d, b);
	assert_true(mc_bus_display_diff(a, b, &first, &count));
	assert_int_equal(first, 4);
	assert_int_equal(count, 1);

	/* A new call: text (last digit), waiting and blink: one block 1..5. */
	memcpy(a, b, sizeof(a));
	strcpy(d.text, "1002");
	d.waiting = 1;
	d.blink = true;
	mc_bus_display_encode(&d, b);
	assert_true(mc_bus_display_diff(a, b, &first, &count));
	assert_int_equal(first, 1);
	assert_int_equal(count, 5);
}

static void test_crc(void **state)
{
	/* Read input registers 0..8 of unit 1: 01 04 00 00 00 09, CRC 30 0C. */
	const uint8_t f[] = { 0x01, 0x04, 0x00, 0x00, 0x00, 0x09 };

	(void)state;
	assert_int_equal(mc_bus_crc16(f, sizeof(f)), 0x0c30);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_codes),
		cmocka_unit_test(test_presses_none),
		cmocka_unit_test(test_presses_order_and_wrap),
		cmocka_unit_test(test_presses_lost),
		cmocka_unit_test(test_presses_short_read),
		cmocka_unit_test(test_presses_restart),
		cmocka_unit_test(test_display_encode),
		cmocka_unit_test(test_display_diff),
		cmocka_unit_test(test_crc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
