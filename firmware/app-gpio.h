/* app-gpio.h — GPIO glue: kiosk service buttons, counter keys, rating
 * buttons, the technician button or long-press combination, counter display
 * boards and status lights, as board.conf wires them.
 *
 * Two steps, so that a board naming a chip or line that is not there stops
 * kioskd before anything else is touched: mc_app_gpio_open() requests every
 * line from the config alone; mc_app_gpio_start() then puts the inputs on
 * the app's loop, registers the displays and lights as an output and the
 * "gpio" control command (status, watch, inject). */
#ifndef MC_APP_GPIO_H
#define MC_APP_GPIO_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

struct mc_app;
struct mc_gpio;
struct mc_gpio_fake;
struct mc_app_gpio;

/* Called for the technician button (or combination). */
typedef void (*mc_tech_fn)(void *ctx);

/* Requests every GPIO line cfg names through backend (owned from now on;
 * NULL: libgpiod, or in sim mode a fake where every chip exists). cfg must
 * stay valid until mc_app_gpio_start(). Returns a handle even when the board
 * has no GPIO. NULL with a message naming the chip or line in err. */
struct mc_app_gpio *mc_app_gpio_open(const struct mc_config *cfg, struct mc_gpio *backend, bool sim,
				     char *err, size_t errlen);
/* Frees a handle that was never started. Accepts NULL. */
void mc_app_gpio_free(struct mc_app_gpio *g);
/* Attaches g to app: inputs on the loop, displays and lights as an output,
 * the "gpio" control command. The app owns g from then on (it is freed
 * with the app's outputs). 0, or -1 with errno (g is then freed). */
int mc_app_gpio_start(struct mc_app_gpio *g, struct mc_app *app);

/* The fake backend in sim mode or when a test gave one, else NULL. */
struct mc_gpio_fake *mc_app_gpio_fake(struct mc_app_gpio *g);
/* Sets what the technician button does (default: pause or resume ticket
 * issuing, e.g. to change the paper roll). */
void mc_app_gpio_on_tech(struct mc_app_gpio *g, mc_tech_fn fn, void *ctx);
/* Number of GPIO lines in use. */
int mc_app_gpio_nlines(const struct mc_app_gpio *g);
/* Whether every display board shows its latest state with no blink phase
 * left (a condition tests wait for instead of a time). */
bool mc_app_gpio_boards_idle(const struct mc_app_gpio *g);

/* Simulator: reads single keys from fd (a tty, set to raw mode until
 * exit) and presses the mapped GPIO inputs on the fake backend; prints the
 * key map to stdout. 0, or -1 when not in sim mode or fd is no tty. */
int mc_app_gpio_keyboard(struct mc_app_gpio *g, int fd);

#endif
