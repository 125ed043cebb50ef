/* gpio-fake.h — a GPIO backend with no hardware, for tests and the
 * simulator: chips exist because a test says so (or, in auto mode, whatever
 * board.conf names), inputs get edges injected, every output change is
 * recorded with its monotonic time, and requests can fail on demand. */
#ifndef MC_GPIO_FAKE_H
#define MC_GPIO_FAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mc_gpio;
struct mc_gpio_fake;

/* One recorded output change. */
struct mc_gpio_fake_change {
	int64_t t_ns;            /* monotonic time of the change */
	char line[72];           /* "CHIP:OFFSET" */
	int level;               /* physical level after the change, 0 or 1 */
};

/* A fake backend. With auto_chips, any chip name exists with 64 lines and
 * line names "GPIO<n>" are offset n; otherwise only chips added with
 * mc_gpio_fake_add_chip() exist. *fake receives the handle for the calls
 * below; it lives as long as the returned mc_gpio. NULL on out of memory. */
struct mc_gpio *mc_gpio_fake_new(bool auto_chips, struct mc_gpio_fake **fake);

/* Adds chip name with nlines lines (named "GPIO<n>"). 0 or -1. */
int mc_gpio_fake_add_chip(struct mc_gpio_fake *f, const char *name, int nlines);
/* Makes the request of chip:offset fail with errno err (EBUSY: "used by
 * another program"), once (once = true) or for good. */
void mc_gpio_fake_fail_request(struct mc_gpio_fake *f, const char *chip, int offset, int err, bool once);
/* Makes every set of chip:offset fail with err from now on (0 heals it). */
void mc_gpio_fake_fail_set(struct mc_gpio_fake *f, const char *chip, int offset, int err);

/* Drives the physical level of input chip:offset (as a switch on the pin
 * would). An edge event is queued when the logical level changes, with
 * time t_ns (0: now). 0, or -1 with ENOENT if no input holds that line. */
int mc_gpio_fake_drive(struct mc_gpio_fake *f, const char *chip, int offset, int level, int64_t t_ns);
/* Physical level of a requested line, or -1 if it is not requested. */
int mc_gpio_fake_level(struct mc_gpio_fake *f, const char *chip, int offset);
/* Whether chip:offset is requested now. */
bool mc_gpio_fake_requested(struct mc_gpio_fake *f, const char *chip, int offset);

/* Copies the recorded output changes (oldest first) into a new array the
 * caller frees; *n receives the count. NULL with *n = 0 when none. */
struct mc_gpio_fake_change *mc_gpio_fake_changes(struct mc_gpio_fake *f, size_t *n);
/* Forgets the recorded changes. */
void mc_gpio_fake_clear(struct mc_gpio_fake *f);

#endif
