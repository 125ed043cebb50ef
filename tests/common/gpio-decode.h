/* gpio-decode.h — test helper: reads TM1637 and MAX7219 traffic back out of
 * the waveform the fake GPIO backend recorded, independently of the
 * encoders, and checks each datasheet's timing minimums on the way.
 * Header-only (static functions) so that unit and integration tests share it. */
#ifndef MC_TEST_GPIO_DECODE_H
#define MC_TEST_GPIO_DECODE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "gpio-fake.h"

/* What a TM1637 ended up showing. */
struct tm_state {
	uint8_t seg[4];          /* digit registers 0..3 */
	bool on;                 /* display control: on */
	int brightness;          /* 0..7 */
	int transactions;        /* START..STOP transactions seen */
	int offs;                /* display-off commands seen (blinks) */
	int bad_acks;            /* ninth clocks where DIO was not released */
	int64_t min_high_ns, min_low_ns, min_period_ns, min_setup_ns, min_hold_ns; /* timing seen */
	char error[160];         /* protocol error, "" = none */
};

/* What a MAX7219 ended up showing. */
struct max_state {
	uint8_t reg[16];         /* register file */
	bool written[16];        /* registers written */
	int frames;              /* 16-bit frames latched */
	int offs;                /* shutdown (display off) frames seen */
	int64_t min_high_ns, min_low_ns, min_period_ns, min_setup_ns, min_css_ns, min_load_high_ns;
	char error[160];         /* protocol error, "" = none */
};

/* 7-segment patterns (a..g = bits 0..6) back to characters. */
static inline char seg_char(uint8_t s)
{
	static const struct { uint8_t s; char c; } map[] = {
		{ 0x3F, '0' }, { 0x06, '1' }, { 0x5B, '2' }, { 0x4F, '3' }, { 0x66, '4' }, { 0x6D, '5' },
		{ 0x7D, '6' }, { 0x07, '7' }, { 0x7F, '8' }, { 0x6F, '9' }, { 0x40, '-' }, { 0x00, ' ' },
		{ 0x77, 'A' }, { 0x7C, 'B' }, { 0x39, 'C' }, { 0x5E, 'D' }, { 0x79, 'E' }, { 0x71, 'F' },
		{ 0x73, 'P' },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].s == (s & 0x7F))
			return map[i].c;
	return '?';
}

#define BIG_NS INT64_MAX

/* Decodes TM1637 traffic on clk/dio (names "CHIP:OFFSET"), both starting
 * high. Returns 0, or -1 with st->error set. */
static inline int tm_decode(const struct mc_gpio_fake_change *ch, size_t n, const char *clk, const char *dio,
			    struct tm_state *st)
{
	int c = 1, d = 1, nbits = 0, nbytes = 0, sample = 0;
	bool in_tx = false, pending = false;
	uint8_t cur = 0, bytes[16];
	int64_t last_rise = -1, last_fall = -1, last_dio = -1;

	memset(st, 0, sizeof(*st));
	st->min_high_ns = st->min_low_ns = st->min_period_ns = st->min_setup_ns = st->min_hold_ns = BIG_NS;
	for (size_t i = 0; i < n; i++) {
		int64_t t = ch[i].t_ns;
		if (!strcmp(ch[i].line, clk)) {
			if (ch[i].level == c)
				continue;
			c = ch[i].level;
			if (c) { /* rising: DIO is sampled, kept if no START/STOP follows */
				if (last_fall >= 0 && t - last_fall < st->min_low_ns)
					st->min_low_ns = t - last_fall;
				if (last_rise >= 0 && t - last_rise < st->min_period_ns)
					st->min_period_ns = t - last_rise;
				if (last_dio >= 0 && t - last_dio < st->min_setup_ns)
					st->min_setup_ns = t - last_dio;
				last_rise = t;
				pending = in_tx;
				sample = d;
			} else {
				if (last_rise >= 0 && t - last_rise < st->min_high_ns)
					st->min_high_ns = t - last_rise;
				last_fall = t;
				if (!pending)
					continue;
				pending = false;
				if (nbits == 8) { /* acknowledge clock */
					if (!sample)
						st->bad_acks++;
					if (nbytes < 16)
						bytes[nbytes++] = cur;
					nbits = 0;
					cur = 0;
				} else {
					cur |= (uint8_t)(sample << nbits);
					nbits++;
				}
			}
		} else if (!strcmp(ch[i].line, dio)) {
			if (ch[i].level == d)
				continue;
			d = ch[i].level;
			if (!c && last_rise >= 0 && in_tx && t - last_rise < st->min_hold_ns)
				st->min_hold_ns = t - last_rise;
			last_dio = t;
			if (c)
				pending = false; /* START or STOP: that clock carried no bit */
			if (c && !d) { /* START */
				in_tx = true;
				nbits = nbytes = 0;
				cur = 0;
			} else if (c && d && in_tx) { /* STOP */
				in_tx = false;
				st->transactions++;
				if (nbits) {
					snprintf(st->error, sizeof(st->error), "STOP after %d stray bits", nbits);
					return -1;
				}
				if (nbytes == 1 && bytes[0] == 0x40)
					continue;
				if (nbytes >= 1 && (bytes[0] & 0xF0) == 0xC0) {
					for (int k = 1; k < nbytes; k++)
						if ((bytes[0] & 0x0F) + k - 1 < 4)
							st->seg[(bytes[0] & 0x0F) + k - 1] = bytes[k];
				} else if (nbytes == 1 && (bytes[0] & 0xF0) == 0x80) {
					st->on = (bytes[0] & 0x08) != 0;
					st->offs += !st->on;
					st->brightness = bytes[0] & 7;
				} else {
					snprintf(st->error, sizeof(st->error), "unknown command 0x%02x (%d bytes)",
						 nbytes ? bytes[0] : 0, nbytes);
					return -1;
				}
			}
		}
	}
	if (in_tx) {
		snprintf(st->error, sizeof(st->error), "transaction never stopped");
		return -1;
	}
	return 0;
}

/* The 4 characters a TM1637 shows (blank as ' '), into buf (≥ 5 bytes). */
static inline void tm_text(const struct tm_state *st, char *buf)
{
	for (int i = 0; i < 4; i++)
		buf[i] = seg_char(st->seg[i]);
	buf[4] = 0;
}

/* Decodes MAX7219 traffic on din/clk/load: CLK starts low, LOAD high. */
static inline int max_decode(const struct mc_gpio_fake_change *ch, size_t n, const char *din, const char *clk,
			     const char *load, struct max_state *st)
{
	int dv = 0, c = 0, l = 1, nbits = 0;
	unsigned frame = 0;
	int64_t last_rise = -1, last_fall = -1, last_din = -1, load_fall = -1, load_rise = -1;

	memset(st, 0, sizeof(*st));
	st->min_high_ns = st->min_low_ns = st->min_period_ns = st->min_setup_ns = st->min_css_ns =
		st->min_load_high_ns = BIG_NS;
	for (size_t i = 0; i < n; i++) {
		int64_t t = ch[i].t_ns;
		if (!strcmp(ch[i].line, din)) {
			dv = ch[i].level;
			last_din = t;
		} else if (!strcmp(ch[i].line, clk)) {
			if (ch[i].level == c)
				continue;
			c = ch[i].level;
			if (c) {
				if (last_fall >= 0 && t - last_fall < st->min_low_ns)
					st->min_low_ns = t - last_fall;
				if (last_rise >= 0 && t - last_rise < st->min_period_ns)
					st->min_period_ns = t - last_rise;
				if (last_din >= 0 && t - last_din < st->min_setup_ns)
					st->min_setup_ns = t - last_din;
				if (!l && nbits == 0 && t - load_fall < st->min_css_ns)
					st->min_css_ns = t - load_fall;
				last_rise = t;
				if (!l) {
					frame = frame << 1 | (unsigned)dv;
					nbits++;
				}
			} else {
				if (last_rise >= 0 && t - last_rise < st->min_high_ns)
					st->min_high_ns = t - last_rise;
				last_fall = t;
			}
		} else if (!strcmp(ch[i].line, load)) {
			if (ch[i].level == l)
				continue;
			l = ch[i].level;
			if (!l) {
				if (load_rise >= 0 && t - load_rise < st->min_load_high_ns)
					st->min_load_high_ns = t - load_rise;
				load_fall = t;
				nbits = 0;
				frame = 0;
			} else {
				load_rise = t;
				if (nbits != 16) {
					snprintf(st->error, sizeof(st->error), "LOAD rose after %d bits, not 16", nbits);
					return -1;
				}
				st->reg[(frame >> 8) & 0x0F] = (uint8_t)frame;
				st->written[(frame >> 8) & 0x0F] = true;
				st->offs += ((frame >> 8) & 0x0F) == 0x0C && !(frame & 1);
				st->frames++;
			}
		}
	}
	return 0;
}

/* The 8 characters a MAX7219 shows in no-decode mode (register 1 is the
 * rightmost digit), into buf (≥ 9 bytes). */
static inline void max_text(const struct max_state *st, char *buf)
{
	for (int i = 0; i < 8; i++) {
		uint8_t r = st->reg[8 - i], s = 0;
		/* DP A B C D E F G (D7..D0) back to a..g = bits 0..6. */
		for (int b = 0; b < 7; b++)
			if (r & (1u << (6 - b)))
				s |= (uint8_t)(1u << b);
		buf[i] = seg_char(s);
	}
	buf[8] = 0;
}

#endif
