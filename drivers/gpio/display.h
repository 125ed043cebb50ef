/* display.h — a counter's GPIO display board (TM1637 or MAX7219): shows a
 * number, blinks it on a new call, marks a paused counter.
 *
 * Frames are encoded on the loop (pure encoders) and played on the board's
 * output lines by the display's own worker thread, timed to the chip's
 * datasheet; the loop never waits for a frame. At most one frame is in
 * flight: a newer state replaces any state not yet sent. Blinking uses a
 * loop timer only while it blinks, so an idle board costs nothing. */
#ifndef MC_DISPLAY_H
#define MC_DISPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gpio.h"

/* A counter's GPIO display board. */
enum mc_display_kind {
	MC_DISPLAY_NONE,         /* no board */
	MC_DISPLAY_TM1637,       /* tm1637 CHIP:CLK,DIO — 4 digits */
	MC_DISPLAY_MAX7219,      /* max7219 CHIP:DIN,CLK,LOAD — 8 digits */
};

/* Parses a board.conf display value, "tm1637 CHIP:CLK,DIO" or "max7219
 * CHIP:DIN,CLK,LOAD", either with [brightness=N] and the GPIO options, into
 * *kind and g. Opens nothing. 0, or -1 with "display...: what is wrong" in
 * err. (spec.c) */
int mc_display_parse(const char *value, enum mc_display_kind *kind, struct mc_gpio_lines_conf *g,
		     char *err, size_t errlen);

struct mc_loop;
struct mc_gpio;
struct mc_display;

/* Requests the board's output lines (from board.conf: CLK,DIO or
 * DIN,CLK,LOAD, with brightness -1 for the default); blink_ms is the blink
 * half-period. Nothing is sent before mc_display_start(). NULL with a
 * message naming the line or chip in err. */
struct mc_display *mc_display_new(struct mc_gpio *gpio, enum mc_display_kind kind,
				  const struct mc_gpio_lines_conf *lines, int blink_ms,
				  char *err, size_t errlen);
/* Starts the board's worker on loop and sends the first frame (blank).
 * 0, or -1 with errno. */
int mc_display_start(struct mc_display *d, struct mc_loop *loop);
/* Stops the worker (after the frame in flight) and releases the lines.
 * Accepts NULL. */
void mc_display_free(struct mc_display *d);

/* Shows text (right-aligned, last digits kept; "" blank) with the paused
 * mark or not, blinking blinks times first (0: steady). */
void mc_display_show(struct mc_display *d, const char *text, bool paused, int blinks);

/* Called on the loop thread when the board starts or stops failing. */
typedef void (*mc_display_fault_fn)(void *ctx, struct mc_display *d, bool failed);
/* Sets the fault callback (NULL: none). */
void mc_display_on_fault(struct mc_display *d, mc_display_fault_fn fn, void *ctx);

/* What the board was last asked to show. */
const char *mc_display_text(const struct mc_display *d);
/* Whether the paused mark is asked for. */
bool mc_display_paused(const struct mc_display *d);
/* Frames played so far. */
uint64_t mc_display_frames(const struct mc_display *d);
/* Whether the last frame failed; *why (may be NULL) gets the reason. */
bool mc_display_failed(const struct mc_display *d, const char **why);
/* Frames queued or playing (0: the board shows the latest state). */
int mc_display_busy(const struct mc_display *d);
/* Whether blink phases are still to be shown (each off and on reaches the
 * board: a phase due while a frame plays waits for it). */
bool mc_display_blinking(const struct mc_display *d);
/* "tm1637" or "max7219". */
const char *mc_display_kind_name(enum mc_display_kind kind);

#endif
