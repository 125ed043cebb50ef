/* wave.h — a bit-banged waveform: the steps a display encoder produces and
 * a player sets on output lines. Pure data. */
#ifndef MC_WAVE_H
#define MC_WAVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MC_WAVE_MAX 2048   /* steps in one waveform */

/* One step: set pin to level, then hold at least hold_ns before the next. */
struct mc_wave_step {
	uint8_t pin;       /* index into the board's lines (see each encoder) */
	uint8_t level;     /* physical level 0 or 1 */
	uint32_t hold_ns;  /* minimum time before the next step */
};

/* A waveform being built. Start with n = 0 and overflow = false. */
struct mc_wave {
	struct mc_wave_step steps[MC_WAVE_MAX]; /* in order */
	size_t n;          /* steps used */
	bool overflow;     /* a step did not fit: do not play it */
};

/* Appends a step (sets overflow when full). */
static inline void mc_wave_add(struct mc_wave *w, int pin, int level, uint32_t hold_ns)
{
	if (w->n == MC_WAVE_MAX) {
		w->overflow = true;
		return;
	}
	w->steps[w->n++] = (struct mc_wave_step){ (uint8_t)pin, (uint8_t)(level ? 1 : 0), hold_ns };
}

/* 7-segment pattern of c in a..g = bits 0..6 (the TM1637 order); unknown
 * characters are blank. Digits, A-Z as far as 7 segments can, '-', '_', ' '. */
uint8_t mc_seg7(char c);

#endif
