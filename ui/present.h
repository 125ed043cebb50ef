/* present.h — the UI thread: owns SDL (windows, renderers, touch), the kiosk
 * screen (screen.h) and the hall screen (hall.h), and talks to the event
 * loop only through two queues.
 *
 * Loop → UI: mc_present_set_view() and the other calls below post a message
 * and write an eventfd the UI thread polls; they never block on drawing.
 * UI → loop: what a touch asks (a ticket, a technician action), screenshots
 * taken and frames drawn come back as struct mc_present_event through an
 * eventfd watched by the loop, and fn runs on the loop thread.
 *
 * The UI thread sleeps in poll() until a message, a touch or its next
 * deadline (ticket screen timeout, the minute clock, hall blinking); a
 * frame is drawn only when something visible changed, so an idle kiosk
 * draws nothing. It never polls on a timer with the offscreen, dummy, KMSDRM
 * (it sleeps on the evdev devices SDL reads) and x11 (on the X connection)
 * drivers; other desktop drivers (wayland) are pumped every 20 ms while a
 * window is open (simulator only). Implemented in present-sdl.c. */
#ifndef MC_PRESENT_H
#define MC_PRESENT_H

#include <stdbool.h>
#include <stdint.h>

#include "screen.h"
#include "view.h"

struct mc_loop;
struct mc_present;

/* How to present. */
struct mc_present_options {
	const char *driver;      /* SDL video driver ("" or NULL: SDL's choice) */
	int width, height;       /* kiosk panel in pixels (before rotation) */
	int rotate;              /* 0, 90, 180, 270: the picture's rotation on the panel */
	bool fullscreen;         /* fill the display (the kiosk); false: a window */
	bool hall;               /* open the hall screen too */
	int hall_width, hall_height; /* its size */
	int hall_display;        /* display index for the hall (-1: a window) */
	enum mc_lang lang;       /* default language */
	int home_timeout_s;      /* ticket screen back to home after this */
	int ticket_hold_ms;      /* the ticket screen ignores touches this long (0: MC_TICKET_HOLD_MS) */
	const char *pin_hash;    /* technician PIN hash ("" : none) */
	const char *localedir;   /* where vi/ and en/ catalogues are */
	const char *fixed_clock; /* "HH:MM" instead of the time (tests) */
	int32_t fixed_day;       /* with fixed_clock */
	const char *backlight;   /* sysfs backlight dir ("" : first in /sys/class/backlight) */
	bool report_frames;      /* send MC_PE_FRAME for every frame (tests, benchmark) */
};

/* What comes back to the loop. */
enum mc_present_event_kind {
	MC_PE_REQUEST,           /* a touch asks: req */
	MC_PE_SCREENSHOT,        /* screenshot token finished: ok, text (error) */
	MC_PE_PONG,              /* mc_present_ping token: all earlier messages handled */
	MC_PE_FRAME,             /* a frame was presented (report_frames) */
	MC_PE_QUIT,              /* the window was closed (desktop) */
};

/* One event for the loop. */
struct mc_present_event {
	enum mc_present_event_kind kind;
	struct mc_screen_req req;    /* MC_PE_REQUEST */
	uint64_t token;              /* MC_PE_SCREENSHOT, MC_PE_PONG */
	bool ok;                     /* MC_PE_SCREENSHOT */
	bool hall;                   /* MC_PE_FRAME: which window */
	enum mc_screen_id screen;    /* MC_PE_FRAME: kiosk screen drawn */
	int64_t at_us;               /* MC_PE_FRAME: monotonic µs of the present */
	int64_t render_us;           /* MC_PE_FRAME: cairo drawing time */
	char text[256];              /* MC_PE_SCREENSHOT: error message */
};

/* Runs on the loop thread for each event. */
typedef void (*mc_present_fn)(void *ctx, const struct mc_present_event *ev);

/* Counters for tests and status. */
struct mc_present_stats {
	uint64_t kiosk_frames;       /* frames drawn on the kiosk screen */
	uint64_t hall_frames;        /* frames drawn on the hall screen */
	uint64_t wakeups;            /* times the UI thread woke up */
	enum mc_screen_id screen;    /* kiosk screen up now */
	enum mc_tech_page tech_page; /* the technician menu's page */
	enum mc_notice notice;       /* notice shown, if any */
	enum mc_lang lang;           /* language shown */
	int brightness;              /* 0..10 */
	bool hall_blinking;          /* newest call blinking */
	int pin_checks;              /* technician PINs checked */
	bool pin_locked;             /* PIN pad locked out */
	int64_t hold_until_ms;       /* the ticket screen's hold ends (mc_mono_ms), 0: no ticket screen */
	int64_t guard_until_ms;      /* touches dropped until then after a change (mc_mono_ms) */
	char driver[32];             /* SDL video driver in use */
	int width, height;           /* kiosk output size */
	double tap_x, tap_y;         /* logical point of the last synthetic touch */
};

/* Starts the UI thread and waits until SDL is up. NULL with a message in err
 * when SDL or a window cannot start (the kiosk keeps serving without it). */
struct mc_present *mc_present_new(struct mc_loop *loop, const struct mc_present_options *o,
				  mc_present_fn fn, void *ctx, char *err, size_t errlen);
/* Stops the thread, closes the windows. Accepts NULL. */
void mc_present_free(struct mc_present *p);

/* New queue state (copied; the latest wins). */
void mc_present_set_view(struct mc_present *p, const struct mc_view *v);
/* The outcome of the last MC_REQ_PRESS. */
void mc_present_set_result(struct mc_present *p, const struct mc_view_result *r);
/* A line for the technician menu. */
void mc_present_set_message(struct mc_present *p, const char *text);
/* A line for the technician menu from the catalogue, in the screen's language. */
void mc_present_set_message_key(struct mc_present *p, enum mc_str key);
/* Writes what the kiosk (or hall) screen shows now to path as PNG; an
 * MC_PE_SCREENSHOT event with token follows. Returns 0 or -1 (queue full). */
int mc_present_screenshot(struct mc_present *p, bool hall, const char *path, uint64_t token);
/* A synthetic touch (SDL_FINGERDOWN/UP through SDL_PushEvent) on the centre
 * of a named control (see mc_screen_find) of the kiosk screen, or at
 * logical (x, y) when name is NULL. Returns 0 or -1 (queue full). */
int mc_present_touch(struct mc_present *p, const char *name, double x, double y);
/* A synthetic touch at (x, y) pixels of the hall window. Returns 0, or -1
 * with no hall window or a full queue. */
int mc_present_touch_hall(struct mc_present *p, double x, double y);
/* Forces a kiosk screen (tests and reference images). */
int mc_present_show(struct mc_present *p, enum mc_screen_id id, enum mc_notice n, enum mc_lang lang);
/* Forces a page of the technician menu (reference images); the confirm
 * page asks about the view's first bundle. */
int mc_present_show_tech(struct mc_present *p, enum mc_tech_page page, enum mc_lang lang);
/* Opens the technician menu without the PIN (GPIO technician combination). */
int mc_present_enter_tech(struct mc_present *p);
/* Asks for an MC_PE_PONG with token once every earlier message is handled
 * and any frame it caused is presented. Returns 0 or -1. */
int mc_present_ping(struct mc_present *p, uint64_t token);
/* Copies the counters. Thread-safe. */
void mc_present_get_stats(struct mc_present *p, struct mc_present_stats *st);

/* The presenter as kioskd loads it: the module lib/motcua/screen.so (see
 * firmware/base/module.h) exports this table as the data symbol
 * "mc_present_api", and kioskd's mc_present_* (present-module.c) load it at
 * the first mc_present_new() and call through it, so a headless kiosk
 * never maps SDL2 and the X11, Wayland, PulseAudio and codec libraries it
 * pulls in. Programs that link mc_screen call the functions directly. */
struct mc_present_api {
	int version;                 /* MC_PRESENT_API_VERSION */
	struct mc_present *(*create)(struct mc_loop *loop, const struct mc_present_options *o,
				     mc_present_fn fn, void *ctx, char *err, size_t errlen);
	void (*destroy)(struct mc_present *p);
	void (*set_view)(struct mc_present *p, const struct mc_view *v);
	void (*set_result)(struct mc_present *p, const struct mc_view_result *r);
	void (*set_message)(struct mc_present *p, const char *text);
	void (*set_message_key)(struct mc_present *p, enum mc_str key);
	int (*screenshot)(struct mc_present *p, bool hall, const char *path, uint64_t token);
	int (*touch)(struct mc_present *p, const char *name, double x, double y);
	int (*touch_hall)(struct mc_present *p, double x, double y);
	int (*show)(struct mc_present *p, enum mc_screen_id id, enum mc_notice n, enum mc_lang lang);
	int (*enter_tech)(struct mc_present *p);
	int (*ping)(struct mc_present *p, uint64_t token);
	void (*get_stats)(struct mc_present *p, struct mc_present_stats *st);
};
#define MC_PRESENT_API_VERSION 1

#endif
