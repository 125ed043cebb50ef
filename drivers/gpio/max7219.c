/* max7219.c — MAX7219 protocol encoder (see max7219.h). */
#include "max7219.h"

#include <string.h>

#define T MC_MAX7219_HOLD_NS

/* a..g in bits 0..6 (mc_seg7) to the MAX7219's D6..D0 = A..G. */
static uint8_t reorder(uint8_t s)
{
	uint8_t out = 0;

	for (int i = 0; i < 7; i++)
		if (s & (1u << i))
			out |= (uint8_t)(1u << (6 - i));
	return out;
}

void mc_max7219_segments(const char *text, bool mark, uint8_t seg[MC_MAX7219_DIGITS])
{
	size_t n = strlen(text);
	const char *p = n > MC_MAX7219_DIGITS ? text + n - MC_MAX7219_DIGITS : text;
	size_t len = strlen(p);

	memset(seg, 0, MC_MAX7219_DIGITS);
	for (size_t i = 0; i < len; i++)
		seg[MC_MAX7219_DIGITS - len + i] = reorder(mc_seg7(p[i]));
	if (mark)
		seg[MC_MAX7219_DIGITS - 1] |= 0x80;
}

void mc_max7219_encode_frame(struct mc_wave *w, int reg, int data)
{
	unsigned frame = ((unsigned)reg & 0x0Fu) << 8 | ((unsigned)data & 0xFFu);

	mc_wave_add(w, MC_MAX7219_CLK, 0, T);
	mc_wave_add(w, MC_MAX7219_LOAD, 0, T);
	for (int i = 15; i >= 0; i--) {
		mc_wave_add(w, MC_MAX7219_DIN, (frame >> i) & 1u, T);
		mc_wave_add(w, MC_MAX7219_CLK, 1, T);
		mc_wave_add(w, MC_MAX7219_CLK, 0, T);
	}
	mc_wave_add(w, MC_MAX7219_LOAD, 1, T);
}

void mc_max7219_encode(struct mc_wave *w, const uint8_t seg[MC_MAX7219_DIGITS], int intensity, bool on)
{
	if (intensity < 0)
		intensity = 0;
	if (intensity > 15)
		intensity = 15;
	mc_max7219_encode_frame(w, 0x0F, 0);          /* display test off */
	mc_max7219_encode_frame(w, 0x09, 0);          /* no decode: raw segments */
	mc_max7219_encode_frame(w, 0x0B, 7);          /* scan all 8 digits */
	mc_max7219_encode_frame(w, 0x0A, intensity);
	for (int d = 0; d < MC_MAX7219_DIGITS; d++)   /* register 1 = rightmost */
		mc_max7219_encode_frame(w, d + 1, seg[MC_MAX7219_DIGITS - 1 - d]);
	mc_max7219_encode_frame(w, 0x0C, on ? 1 : 0); /* shutdown register */
}
