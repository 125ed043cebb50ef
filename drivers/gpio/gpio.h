/* gpio.h — GPIO lines through a backend: libgpiod on the board (gpio-v1.c
 * for libgpiod 1.6 — Debian 12, Raspberry Pi OS bookworm — or gpio-v2.c for
 * libgpiod 2.x — Debian 13, trixie — chosen at build time from pkg-config's
 * libgpiod version; these two are the only files that include gpiod.h), a
 * fake in tests and in the simulator (gpio-fake.c).
 *
 * A struct mc_gpio is one backend instance; it opens chips as lines are
 * requested and closes them at mc_gpio_free(). A struct mc_gpio_line is one
 * requested line: an input with edge events (its fd goes on the event loop)
 * or an output. Values are logical: 1 means active (pressed, lit) whatever
 * the line's active-low setting; the backend does the inversion.
 *
 * Threads: requesting and releasing happen on one thread (the loop's). A
 * line's set/get may be called from one other thread at a time (a display
 * worker owns its output lines). */
#ifndef MC_GPIO_H
#define MC_GPIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MC_GPIO_MAX_LINES 8     /* lines in one board.conf GPIO value */

/* Bias (pull resistor) asked for GPIO input lines. */
enum mc_gpio_bias {
	MC_GPIO_BIAS_AS_IS,      /* leave as the board set it */
	MC_GPIO_BIAS_DISABLE,    /* no pull resistor */
	MC_GPIO_BIAS_PULL_UP,    /* internal pull-up */
	MC_GPIO_BIAS_PULL_DOWN,  /* internal pull-down */
};

/* One GPIO line as board.conf names it: CHIP:OFFSET or CHIP:LINE-NAME. */
struct mc_gpio_line_conf {
	char chip[32];           /* gpiochip0, /dev/gpiochip0, or a chip label */
	int offset;              /* line offset on the chip, -1: use name */
	char name[32];           /* line name when offset is -1 (e.g. GPIO17) */
};

/* A group of GPIO lines from one board.conf value, with shared options:
 *   LINE[,LINE...] [active-low|active-high] [pull-up|pull-down|bias-disable]
 * where each LINE is CHIP:OFFSET, CHIP:NAME, or a bare OFFSET/NAME on the
 * chip of the LINE before it. */
struct mc_gpio_lines_conf {
	int n;                   /* lines given (0 = none) */
	struct mc_gpio_line_conf lines[MC_GPIO_MAX_LINES]; /* in the order given */
	bool active_low;         /* a low level means pressed / lit */
	enum mc_gpio_bias bias;  /* pull resistor for inputs */
	int brightness;          /* display boards: 0..7 (TM1637) or 0..15 (MAX7219); -1 = default */
	int line;                /* board.conf line of the value (0 = not given) */
};

/* Parses a board.conf GPIO value "LINE[,LINE...] [OPTION...]" (see struct
 * mc_gpio_lines_conf) into g, wanting between min and max lines. Options
 * other than active-low/active-high/pull-up/pull-down/bias-disable/as-is are
 * refused, except brightness=N (0..max_bright) when max_bright > 0. Opens
 * nothing. 0, or -1 with "WHAT: what is wrong" in err; g->line is left 0
 * for the caller. (spec.c) */
int mc_gpio_lines_parse(const char *value, const char *what, int min, int max, int max_bright,
			struct mc_gpio_lines_conf *g, char *err, size_t errlen);
/* Whether a and b name the same line (same chip text, offset or name). */
bool mc_gpio_line_same(const struct mc_gpio_line_conf *a, const struct mc_gpio_line_conf *b);

struct mc_gpio;
struct mc_gpio_line;

/* How a line is requested. */
enum mc_gpio_dir {
	MC_GPIO_IN,   /* input with both-edge events */
	MC_GPIO_OUT,  /* output */
};

/* What a line is asked to be. */
struct mc_gpio_req {
	const char *consumer;    /* shown by gpioinfo, e.g. "motcua" */
	enum mc_gpio_dir dir;    /* input or output */
	bool active_low;         /* logical 1 = low level */
	enum mc_gpio_bias bias;  /* pull resistor (inputs) */
	bool open_drain;         /* output only drives low (TM1637 DIO) */
	int initial;             /* outputs: first logical value */
	int debounce_us;         /* inputs: debounce period the backend may have the
				  * kernel apply (0: none); see mc_gpio_line_debounced() */
};

/* One edge. */
struct mc_gpio_event {
	int value;               /* logical level after the edge: 1 active, 0 not */
	int64_t ts_ns;           /* the backend's timestamp of the edge */
};

/* A backend. Every op gets the priv given to mc_gpio_new(); line ops get
 * the line's own pointer returned by request. */
struct mc_gpio_ops {
	const char *name;        /* "libgpiod-v1", "libgpiod-v2", "fake" */
	/* Opens (or finds open) chip; 0, or -1 with a message naming the chip
	 * in err (errno ENOENT when it does not exist). */
	int (*open_chip)(void *priv, const char *chip, char *err, size_t errlen);
	/* Requests line l as req says. NULL with a message naming the line. */
	void *(*request)(void *priv, const struct mc_gpio_line_conf *l, const struct mc_gpio_req *req,
			 char *err, size_t errlen);
	/* The fd that becomes readable when an input has events. */
	int (*event_fd)(void *line);
	/* Reads up to max pending events without blocking; count, or -1. */
	int (*read_events)(void *line, struct mc_gpio_event *ev, int max);
	/* Logical value now, or -1 with errno. */
	int (*get_value)(void *line);
	/* Sets an output's logical value; 0 or -1 with errno. */
	int (*set_value)(void *line, int value);
	/* Whether the kernel debounces the line's edges (req->debounce_us was
	 * applied). May be NULL: never. */
	bool (*debounced)(void *line);
	/* Releases the line. */
	void (*release)(void *line);
	/* Frees priv (every line is released before). May be NULL. */
	void (*free)(void *priv);
};

/* A backend instance from ops and priv (owned from now on, freed by
 * ops->free). NULL on out of memory (priv is then freed). */
struct mc_gpio *mc_gpio_new(const struct mc_gpio_ops *ops, void *priv);
/* The board's libgpiod backend, the one this build was made with:
 * libgpiod 1.6 (gpio-v1.c) or 2.x (gpio-v2.c). NULL on out of memory. */
struct mc_gpio *mc_gpio_board_new(void);
/* Releases every line still requested, closes chips. Accepts NULL. */
void mc_gpio_free(struct mc_gpio *g);
/* The backend's name. */
const char *mc_gpio_backend_name(const struct mc_gpio *g);

/* Checks that chip exists and can be opened. 0, or -1 with
 * "GPIO chip 'NAME' ..." in err. */
int mc_gpio_open_chip(struct mc_gpio *g, const char *chip, char *err, size_t errlen);

/* Requests line l. NULL with a message naming the line ("GPIO line
 * gpiochip0:17 ...: why") in err. The line belongs to g. */
struct mc_gpio_line *mc_gpio_request(struct mc_gpio *g, const struct mc_gpio_line_conf *l,
				     const struct mc_gpio_req *req, char *err, size_t errlen);
/* Releases a line. Accepts NULL. */
void mc_gpio_line_release(struct mc_gpio_line *line);
/* "CHIP:OFFSET" or "CHIP:NAME", as board.conf wrote it. Valid while the line is. */
const char *mc_gpio_line_name(const struct mc_gpio_line *line);
/* Event fd of an input (for mc_loop_add_fd), or -1 for an output. */
int mc_gpio_line_fd(const struct mc_gpio_line *line);
/* Reads pending edge events without blocking; count (0: none), or -1. */
int mc_gpio_line_read_events(struct mc_gpio_line *line, struct mc_gpio_event *ev, int max);
/* Logical value, or -1 with errno. */
int mc_gpio_line_get(struct mc_gpio_line *line);
/* Sets an output's logical value; 0 or -1 with errno. */
int mc_gpio_line_set(struct mc_gpio_line *line, int value);
/* Whether the line is an output. */
bool mc_gpio_line_is_output(const struct mc_gpio_line *line);
/* Whether the kernel debounces the line's edges (libgpiod 2 with the
 * request's debounce_us): its edges are already settled, so the caller's
 * timer debounce can count them at once. False for outputs and backends
 * without kernel debounce (libgpiod 1.6, fake). */
bool mc_gpio_line_debounced(const struct mc_gpio_line *line);

/* Writes "CHIP:OFFSET" or "CHIP:NAME" for l into buf. */
void mc_gpio_line_text(const struct mc_gpio_line_conf *l, char *buf, size_t len);

/* Monotonic clock in nanoseconds (timestamps of the fake and the players). */
int64_t mc_gpio_now_ns(void);

#endif
