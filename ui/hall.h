/* hall.h — the hall screen: each open counter with the number it serves,
 * the last calls with the newest blinking, and the waiting count of every
 * service, in Vietnamese with English below. Like screen.h it is pure of
 * SDL: views in, frames out, owned by the UI thread. It draws only when
 * the view changed, and while the newest call blinks (MC_HALL_BLINK_MS). */
#ifndef MC_HALL_H
#define MC_HALL_H

#include <cairo.h>
#include <stdbool.h>
#include <stdint.h>

#include "i18n.h"
#include "view.h"

#define MC_HALL_BLINK_MS 10000    /* the newest call blinks this long */
#define MC_HALL_BLINK_PERIOD 500  /* on/off half-period */

struct mc_hall;

/* A hall screen of width × height. fixed_clock ("HH:MM") replaces the time
 * (tests), NULL for the real one. NULL on out of memory. */
struct mc_hall *mc_hall_new(const struct mc_i18n *t, int width, int height, const char *fixed_clock);
/* Accepts NULL. */
void mc_hall_free(struct mc_hall *h);
/* New queue state at monotonic now_ms; a new call starts the blinking. */
void mc_hall_set_view(struct mc_hall *h, const struct mc_view *v, int64_t now_ms);
/* Changes the size (window resized). */
void mc_hall_set_size(struct mc_hall *h, int width, int height);
/* Blink phases and the minute clock. */
void mc_hall_tick(struct mc_hall *h, int64_t now_ms);
/* Monotonic ms of the next tick needed, or -1. */
int64_t mc_hall_deadline(const struct mc_hall *h, int64_t now_ms);
/* Whether a frame must be drawn. */
bool mc_hall_dirty(const struct mc_hall *h);
/* Draws the hall; clears dirty. */
void mc_hall_render(struct mc_hall *h, cairo_t *cr);
/* Whether the newest call is blinking now. */
bool mc_hall_blinking(const struct mc_hall *h);

#endif
