/* tm1637.c — TM1637 protocol encoder (see tm1637.h). */
#include "tm1637.h"

#include <string.h>

#define H MC_TM1637_HALF_NS

void mc_tm1637_segments(const char *text, bool mark, uint8_t seg[MC_TM1637_DIGITS])
{
	size_t n = strlen(text);
	const char *p = n > MC_TM1637_DIGITS ? text + n - MC_TM1637_DIGITS : text;
	size_t len = strlen(p);

	memset(seg, 0, MC_TM1637_DIGITS);
	for (size_t i = 0; i < len; i++)
		seg[MC_TM1637_DIGITS - len + i] = mc_seg7(p[i]);
	if (mark)
		seg[1] |= 0x80;
}

static void start(struct mc_wave *w)
{
	/* From idle (both high): DIO falls while CLK is high, then CLK falls. */
	mc_wave_add(w, MC_TM1637_CLK, 1, H);
	mc_wave_add(w, MC_TM1637_DIO, 1, H);
	mc_wave_add(w, MC_TM1637_DIO, 0, H);
	mc_wave_add(w, MC_TM1637_CLK, 0, H);
}

static void stop(struct mc_wave *w)
{
	/* DIO low while CLK is low, CLK rises, then DIO rises. */
	mc_wave_add(w, MC_TM1637_DIO, 0, H);
	mc_wave_add(w, MC_TM1637_CLK, 1, H);
	mc_wave_add(w, MC_TM1637_DIO, 1, H);
}

static void byte(struct mc_wave *w, uint8_t b)
{
	for (int i = 0; i < 8; i++) {
		mc_wave_add(w, MC_TM1637_DIO, (b >> i) & 1, H);
		mc_wave_add(w, MC_TM1637_CLK, 1, H);
		mc_wave_add(w, MC_TM1637_CLK, 0, 0);
	}
	/* Ninth clock: DIO released for the chip's acknowledge. */
	mc_wave_add(w, MC_TM1637_DIO, 1, H);
	mc_wave_add(w, MC_TM1637_CLK, 1, H);
	mc_wave_add(w, MC_TM1637_CLK, 0, H);
}

static uint8_t control(int brightness, bool on)
{
	if (brightness < 0)
		brightness = 0;
	if (brightness > 7)
		brightness = 7;
	return (uint8_t)(on ? 0x88 | brightness : 0x80);
}

void mc_tm1637_encode_control(struct mc_wave *w, int brightness, bool on)
{
	start(w);
	byte(w, control(brightness, on));
	stop(w);
}

void mc_tm1637_encode(struct mc_wave *w, const uint8_t seg[MC_TM1637_DIGITS], int brightness, bool on)
{
	start(w);
	byte(w, 0x40);
	stop(w);
	start(w);
	byte(w, 0xC0);
	for (int i = 0; i < MC_TM1637_DIGITS; i++)
		byte(w, seg[i]);
	stop(w);
	mc_tm1637_encode_control(w, brightness, on);
}
