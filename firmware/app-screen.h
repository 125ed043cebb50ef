/* app-screen.h — glue between the app and the screens: an mc_output that
 * turns every committed change into a view of the one engine for the UI
 * thread (present.h), turns touches into mc_app_press() and technician
 * actions on the loop thread (through the app's hooks: printer, voice,
 * update), keeps the technician menu's lines (version, addresses, clock,
 * speaker, USB-stick update) in the view while the menu is open, and serves
 * `kioskctl screenshot` and `kioskctl tap`. */
#ifndef MC_APP_SCREEN_H
#define MC_APP_SCREEN_H

#include <stdbool.h>
#include <stddef.h>

struct mc_app;
struct mc_app_screen;
struct mc_present;
struct mc_present_event;

/* Options beyond board.conf, for tests and the benchmark. */
struct mc_app_screen_options {
	const char *driver;      /* SDL video driver, overrides [screen] driver (NULL: none) */
	const char *fixed_clock; /* "HH:MM" instead of the time (NULL: real) */
	bool report_frames;      /* count frame events (mc_app_screen_frames) */
	/* Sees every presenter event after the app handled it (tests), or NULL. */
	void (*observe)(void *ctx, const struct mc_present_event *ev);
	void *observe_ctx;       /* its argument */
};

/* Starts the screen(s) the board describes: [screen] for the touch screen,
 * [hall] display = window | screen:N for the hall. In simulator mode the
 * windows open on $DISPLAY/$WAYLAND_DISPLAY, else offscreen. Returns NULL
 * and a message in err when they cannot start; the kiosk keeps serving
 * without a screen then. With neither section, returns NULL and err "". */
struct mc_app_screen *mc_app_add_screen(struct mc_app *app, const struct mc_app_screen_options *o,
					char *err, size_t errlen);
/* Opens the technician menu on the touch screen without the PIN; s is the
 * struct mc_app_screen. mc_app_add_screen sets it as the app's open_tech
 * hook, for the GPIO technician button or combination (hands inside the
 * kiosk). */
void mc_app_screen_open_tech(void *s);
/* The presenter, for tests (synthetic touches, stats). Owned by s. */
struct mc_present *mc_app_screen_present(struct mc_app_screen *s);
/* Number of MC_PE_FRAME events seen (report_frames), and the monotonic µs
 * of the last kiosk frame that showed the ticket screen (0: none yet). */
unsigned long mc_app_screen_frames(const struct mc_app_screen *s, long long *last_ticket_frame_us);

#endif
