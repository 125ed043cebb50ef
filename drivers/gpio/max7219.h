/* max7219.h — the MAX7219 8-digit LED driver's serial protocol as pure
 * encoders (pins: 0 = DIN, 1 = CLK, 2 = LOAD/CS; CLK idles low, LOAD high).
 *
 * Per the Maxim MAX7219 datasheet: 16-bit frames, MSB first, D15-D12 unused,
 * D11-D8 the register, D7-D0 the data; DIN is shifted in on CLK's rising
 * edge while LOAD is low and latched on LOAD's rising edge. Minimum times:
 * CLK period 100 ns, CLK high and low 50 ns, DIN setup 25 ns, DIN hold 0,
 * LOAD low to CLK rise 25 ns, LOAD high pulse 50 ns. We hold every step
 * 1 µs. Registers: 1..8 digits (1 = rightmost), 9 decode mode, 10
 * intensity, 11 scan limit, 12 shutdown, 15 display test. */
#ifndef MC_MAX7219_H
#define MC_MAX7219_H

#include <stdbool.h>
#include <stdint.h>

#include "wave.h"

enum { MC_MAX7219_DIN = 0, MC_MAX7219_CLK = 1, MC_MAX7219_LOAD = 2 };

#define MC_MAX7219_HOLD_NS 1000u /* our hold for every step */
#define MC_MAX7219_DIGITS 8      /* digits on the board */

/* Segments for text on 8 digits, right-aligned, in the MAX7219's no-decode
 * bit order (DP A B C D E F G = D7..D0); seg[0] is the leftmost digit;
 * mark lights the rightmost decimal point (the paused mark). */
void mc_max7219_segments(const char *text, bool mark, uint8_t seg[MC_MAX7219_DIGITS]);
/* Appends one frame writing data to register reg. */
void mc_max7219_encode_frame(struct mc_wave *w, int reg, int data);
/* Appends a whole update: display test off, no decode, scan all 8 digits,
 * intensity (0..15), the 8 digits, and shutdown off (on) or on (off). */
void mc_max7219_encode(struct mc_wave *w, const uint8_t seg[MC_MAX7219_DIGITS], int intensity, bool on);

#endif
