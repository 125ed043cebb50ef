/* tm1637.h — the TM1637 4-digit LED driver's two-wire protocol as pure
 * encoders (pins: 0 = CLK, 1 = DIO, both idle high, DIO open-drain).
 *
 * Per the Titan Micro TM1637 datasheet (v2.4): data is sent LSB first,
 * DIO changes while CLK is low and is read on CLK's rising edge; START is
 * DIO falling while CLK is high, STOP is DIO rising while CLK is high; the
 * chip acknowledges each byte by pulling DIO low on the ninth clock. Minimum
 * times: CLK pulse width 400 ns, data setup and hold 100 ns; CLK at most
 * 250 kHz for reliable operation over long wires. We use a 5 µs half period
 * (100 kHz). Commands: 0x40 write data with auto-increment, 0xC0 address 0,
 * 0x88|b display on at brightness b (0..7), 0x80 display off. */
#ifndef MC_TM1637_H
#define MC_TM1637_H

#include <stdbool.h>
#include <stdint.h>

#include "wave.h"

enum { MC_TM1637_CLK = 0, MC_TM1637_DIO = 1 };

#define MC_TM1637_HALF_NS 5000u  /* our half clock period */
#define MC_TM1637_DIGITS 4       /* digits on the board */

/* Segments for text on 4 digits, right-aligned (the last 4 characters);
 * mark lights the colon / point of digit 2 (the paused mark). */
void mc_tm1637_segments(const char *text, bool mark, uint8_t seg[MC_TM1637_DIGITS]);
/* Appends a whole update: data command, the 4 digits from address 0, and
 * display control (on at brightness 0..7, or off). */
void mc_tm1637_encode(struct mc_wave *w, const uint8_t seg[MC_TM1637_DIGITS], int brightness, bool on);
/* Appends only the display-control command (for blinking). */
void mc_tm1637_encode_control(struct mc_wave *w, int brightness, bool on);

#endif
