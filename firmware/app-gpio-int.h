/* app-gpio-int.h — what the parts of the GPIO glue share (app-gpio.c:
 * opening and start; app-gpio-input.c: presses; app-gpio-output.c: display
 * boards and lights; app-gpio-ctl.c: status, watchers, simulated presses
 * and the "gpio" command; app-gpio-kbd.c: the simulator's keyboard).
 * Private to firmware/; loop thread only. */
#ifndef MC_APP_GPIO_INT_H
#define MC_APP_GPIO_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <termios.h>
#include <jansson.h>

#include "app-gpio.h"
#include "app.h"
#include "ctl.h"
#include "debounce.h"
#include "display.h"
#include "gpio.h"
#include "loop.h"

#define MAX_WATCHERS 8
#define RECENT 16

/* What an input line is for. */
enum role {
	R_SERVICE,   /* a citizen's service button */
	R_KEY,       /* a clerk's counter key */
	R_RATING,    /* a citizen's rating button at a counter */
	R_TECH,      /* the technician button */
};

/* One debounced input line. */
struct input {
	struct mc_app_gpio *g;       /* owner */
	enum role role;              /* what it is for */
	int service;                 /* R_SERVICE: service index */
	int counter;                 /* R_KEY, R_RATING: counter number */
	enum mc_gpio_key key;        /* R_KEY: action */
	int rating;                  /* R_RATING: 1..4 */
	struct mc_gpio_line *line;   /* the line */
	struct mc_debounce db;       /* debouncer */
	long long timer;             /* pending debounce/long-press timer (0: none) */
	bool in_combo;               /* part of the technician combination */
	bool combo_used;             /* this press completed the combination */
	char what[64];               /* "service civil", "counter 1 next", ... */
	char source[80];             /* "gpio:CHIP:LINE" for the engine */
	uint64_t presses;            /* debounced presses so far */
	uint64_t answered;           /* its edges (down, up) acted on and published so far */
	char last[24];               /* last press kind */
	int64_t last_wall;           /* and its time, UTC ms */
};

/* A counter's display board. */
struct disp {
	int counter;                 /* counter number */
	struct mc_display *d;        /* the board */
};

/* A status light. */
struct light {
	const char *name;            /* "ready", "paper_low", "fault" */
	struct mc_gpio_line *line;   /* NULL: not wired */
	int value;                   /* lit now */
};

/* A press recorded for status and watchers. */
struct recent {
	int64_t wall;                /* UTC ms */
	char line[72];               /* CHIP:LINE */
	char what[64];               /* input's role */
	char press[8];               /* down/up/long */
	char result[96];             /* what it did */
};

/* A simulated press being played on the fake backend. */
struct inject {
	struct mc_app_gpio *g;       /* owner */
	char chip[32];               /* line */
	int offset;
	int levels[16];              /* physical levels to drive, in turn */
	int delays[16];              /* ms before each */
	int n, i;                    /* steps, next step */
	long long timer;             /* loop timer */
	struct inject *next;
};

struct mc_app_gpio {
	const struct mc_config *cfg; /* board.conf */
	struct mc_app *app;          /* after start */
	struct mc_loop *loop;        /* after start */
	struct mc_gpio *gpio;        /* backend */
	struct mc_gpio_fake *fake;   /* fake backend's handle, or NULL */
	struct input *inputs;        /* every input */
	int ninputs;
	struct disp *disps;          /* every display board */
	int ndisps;
	struct light lights[3];      /* ready, paper low, fault */
	mc_tech_fn tech_fn;          /* technician action */
	void *tech_ctx;
	uint64_t watchers[MAX_WATCHERS]; /* clients of "gpio watch" */
	int watch_left[MAX_WATCHERS];    /* events before the final (-1: forever) */
	int nwatchers;
	struct recent recent[RECENT];    /* ring of recent presses */
	int nrecent;                     /* total recorded */
	struct inject *injects;          /* simulated presses in progress */
	int kbd_fd;                      /* simulator keyboard, -1: none */
	struct termios kbd_saved;        /* its settings before raw mode */
};

/* The board.conf names of the key actions, by enum mc_gpio_key (app-gpio.c). */
extern const char *const mc_app_gpio_key_names[];

/* app-gpio-input.c: an input line's edges (its fd on the loop). */
void mc_app_gpio_on_edge(struct mc_loop *loop, int fd, int mask, void *ctx);

/* app-gpio-output.c: the displays and lights as an app output. */
extern const struct mc_output_ops mc_app_gpio_output;
/* Called by a display board that starts or stops failing. */
void mc_app_gpio_display_fault(void *ctx, struct mc_display *d, bool failed);
/* Brings every display and light up to date with the queue. */
void mc_app_gpio_refresh(struct mc_app_gpio *g);

/* app-gpio-ctl.c: status, recent presses and watchers, simulated presses. */
void mc_app_gpio_publish(struct mc_app_gpio *g, struct input *in, enum mc_press p, const char *result);
/* Frees the "gpio watch" slot of a client that went (an mc_ctl_gone_fn). */
void mc_app_gpio_watcher_gone(void *ctx, uint64_t client);
void mc_app_gpio_status_json(struct mc_app_gpio *g, json_t *obj);
/* Plays a simulated press ("short", "long", "down", "up"; bounce: with
 * contact bounce) of input in on the fake backend (sim mode or a test's
 * fake). 0, or -1 when out of memory. */
int mc_app_gpio_inject(struct mc_app_gpio *g, struct input *in, const char *how, bool bounce);
enum mc_ctl_result mc_app_gpio_cmd(void *ctx, json_t *req, json_t *resp, uint64_t client);

/* app-gpio-kbd.c: leaves the simulator's keyboard as it was (no-op without). */
void mc_app_gpio_restore_keyboard(struct mc_app_gpio *g);

#endif
