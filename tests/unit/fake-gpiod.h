/* fake-gpiod.h — a stand-in for the kernel's GPIO character device behind
 * the two libgpiod APIs, so the adapters drivers/gpio/gpio-v1.c and
 * gpio-v2.c run in tests on machines without GPIO.
 *
 * fake-gpiod-core.c holds the simulated chips and lines (what the kernel
 * would); fake-gpiod-v1.c and fake-gpiod-v2.c implement the subset of
 * libgpiod 1.6 and 2.x the adapters use, compiled against the real gpiod.h
 * of their version, on top of the core. A test drives the lines (edges,
 * holders), reads what the adapter asked for, and makes any call fail on
 * demand. Single-threaded; state is process-wide (a test program is one
 * simulated machine). */
#ifndef FAKE_GPIOD_H
#define FAKE_GPIOD_H

#include <stdbool.h>
#include <stdint.h>

/* What the adapter requested for a line, as the kernel would hold it. */
enum fake_bias { FAKE_BIAS_AS_IS, FAKE_BIAS_PULL_UP, FAKE_BIAS_PULL_DOWN, FAKE_BIAS_DISABLED };

struct fake_line_state {
	bool requested;              /* held by the adapter */
	bool output;                 /* direction */
	bool both_edges;             /* input with both-edge events */
	bool active_low;             /* logical inversion */
	bool open_drain;             /* output drive */
	enum fake_bias bias;         /* input pull */
	unsigned long debounce_us;   /* kernel debounce period (0: none) */
	int value;                   /* logical value (outputs: as set) */
	char consumer[32];           /* the request's consumer label */
};

/* ---- for tests ----------------------------------------------------- */

/* Forgets every chip and failure (no request may be open). */
void fake_gpiod_reset(void);
/* A chip /dev/NAME labelled label with nlines lines. 0 or -1. */
int fake_gpiod_add_chip(const char *name, const char *label, unsigned nlines);
/* Names a line (gpioinfo's name). */
void fake_gpiod_name_line(const char *chip, unsigned offset, const char *name);
/* Another program holds the line (EBUSY for the adapter). */
void fake_gpiod_hold(const char *chip, unsigned offset, const char *consumer);
/* The next call of libgpiod operation op fails with err. Operations:
 * "open" (chip), "request", "get", "set", "read" (events), "wait". */
void fake_gpiod_fail(const char *op, int err);
/* Whether the kernel accepts a debounce period (false: EINVAL, as a kernel
 * before 5.10 or a chip without it). Default true. */
void fake_gpiod_debounce_supported(bool yes);
/* Queues an edge on an input: to logical level active (1) or inactive
 * (0) at ts_ns; the line's fd becomes readable. 0, or -1 if the line is
 * not a requested input. */
int fake_gpiod_edge(const char *chip, unsigned offset, int active, uint64_t ts_ns);
/* Copies the line's state into st. 0, or -1 if no such line. */
int fake_gpiod_state(const char *chip, unsigned offset, struct fake_line_state *st);
/* Chips the adapter has open now. */
int fake_gpiod_open_chips(void);

/* ---- for the API shims (fake-gpiod-v1.c, -v2.c) ---------------------- */

struct fk_chip;

/* Opens a chip by path "/dev/NAME", NAME, number or label (label only when
 * by_label). NULL with errno ENOENT, or an injected failure. */
struct fk_chip *fk_chip_open(const char *what, bool by_label);
void fk_chip_close(struct fk_chip *c);
const char *fk_chip_name(const struct fk_chip *c);
const char *fk_chip_label(const struct fk_chip *c);
unsigned fk_chip_nlines(const struct fk_chip *c);
/* Offset of the line named name, or -1 with errno ENOENT. */
int fk_line_by_name(const struct fk_chip *c, const char *name);
/* Name and consumer of a line ("" if none). */
const char *fk_line_name(const struct fk_chip *c, unsigned offset);
const char *fk_line_consumer(const struct fk_chip *c, unsigned offset);
/* Requests a line as want says (requested/value/consumer fields are set
 * here). 0, or -1 with errno: EBUSY, EINVAL, injected. */
int fk_line_request(struct fk_chip *c, unsigned offset, const struct fake_line_state *want);
void fk_line_release(struct fk_chip *c, unsigned offset);
/* The line's event fd (readable while edges are queued). */
int fk_line_fd(const struct fk_chip *c, unsigned offset);
/* Finds chip and offset of an event fd; false if none. */
bool fk_line_of_fd(int fd, struct fk_chip **c, unsigned *offset);
/* Pops the oldest queued edge: 1, 0 if none, -1 on injected "read". */
int fk_line_pop(struct fk_chip *c, unsigned offset, int *active, uint64_t *ts_ns);
/* Whether edges are queued: 1, 0, or -1 on injected "wait". */
int fk_line_pending(struct fk_chip *c, unsigned offset);
/* Logical value, or -1 with errno (injected "get"). */
int fk_line_get(struct fk_chip *c, unsigned offset);
/* Sets an output's logical value; 0 or -1 with errno (EPERM: an input,
 * or injected "set"). */
int fk_line_set(struct fk_chip *c, unsigned offset, int value);
/* Consumes an injected failure of op: true with errno set. */
bool fk_fail(const char *op);

#endif
