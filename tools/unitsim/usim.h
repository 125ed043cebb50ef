/* usim.h — simulated counter units (DESIGN.md §5) on one serial line:
 * the Modbus RTU slave side of the counter bus, paced at the line's baud
 * rate so that timing is real.
 *
 * One thread owns the line. It reads the master's requests, models their
 * time on the wire (characters of start + data + parity + stop bits, the
 * 3.5-character silence that ends a frame, the unit's turnaround) and sends
 * each reply byte at the moment the line would deliver it. Units can be
 * pressed, killed, made to answer garbage, and a share of frames can be
 * corrupted, for tests. Used by tools/unitsim, the tests and the bench. */
#ifndef MC_USIM_H
#define MC_USIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "regs.h"

/* How to run the line. */
struct usim_options {
	const char *device;      /* serial device to play on, or NULL: make a pty */
	const char *link;        /* pty mode: also make this symlink to the kiosk's end (may be NULL) */
	int baud;                /* bits per second, for pacing */
	char parity;             /* 'N', 'E' or 'O' */
	int data_bits;           /* 7 or 8 */
	int stop_bits;           /* 1 or 2 */
	int turnaround_us;       /* unit's time from frame end to reply start, beyond 3.5 chars */
	const int *addrs;        /* unit addresses, 1..247 */
	int naddrs;              /* how many */
	unsigned seed;           /* random seed (corruption, garbage) */
};

/* Called on the line thread after unit addr accepted a display write. */
typedef void (*usim_display_fn)(void *ctx, int addr, const struct mc_bus_display *d);

/* Figures of the line. */
struct usim_stats {
	uint64_t requests;       /* frames received */
	uint64_t bad_crc;        /* frames received with a bad CRC (ignored) */
	uint64_t replies;        /* replies sent */
	uint64_t corrupted;      /* frames corrupted on purpose (either way) */
	uint64_t garbage;        /* garbage answers sent */
};

struct usim;

/* Opens the line (or makes the pty) and starts the thread. NULL with a
 * message in err. */
struct usim *usim_new(const struct usim_options *opt, usim_display_fn fn, void *ctx,
		      char *err, size_t errlen);
/* Stops the thread, closes the line, removes the link. Accepts NULL. */
void usim_free(struct usim *s);
/* The path the kiosk opens: the pty's other end (or the device). */
const char *usim_path(const struct usim *s);

/* Presses key code at unit addr count times at once (between two polls),
 * as a unit does: sequence +1 and the code becomes register 1, each time.
 * *when_us (may be NULL) receives the monotonic time of the press in µs.
 * Returns 0, or -1 (ENOENT) for an unknown address. */
int usim_press(struct usim *s, int addr, uint16_t code, int count, int64_t *when_us);
/* Copies unit addr's display and the number of writes it accepted so far
 * (*gen), and the time in µs of the last one (*when_us); either may be NULL. */
int usim_display(struct usim *s, int addr, struct mc_bus_display *d, uint64_t *gen, int64_t *when_us);
/* Waits until unit addr has accepted more than gen writes, at most
 * timeout_ms. Returns 0, or -1 with errno ETIMEDOUT or ENOENT. */
int usim_wait_display(struct usim *s, int addr, uint64_t gen, int timeout_ms);
/* Unit addr stops answering (dead) or answers again. */
int usim_set_dead(struct usim *s, int addr, bool dead);
/* Unit addr answers every request with random bytes, or normally again. */
int usim_set_garbage(struct usim *s, int addr, bool garbage);
/* Corrupts (one flipped bit) this share of frames in each direction, 0..1. */
void usim_set_corrupt(struct usim *s, double share);
/* Copies the line's figures. */
void usim_stats(struct usim *s, struct usim_stats *st);
/* The monotonic clock in µs, as the simulator stamps presses and writes. */
int64_t usim_now_us(void);
/* Time of one character on this line, in µs (bits × 1e6 / baud). */
double usim_char_us(const struct usim_options *opt);
/* The silence that ends a frame (3.5 characters, 1750 µs above 19200 baud). */
double usim_t35_us(const struct usim_options *opt);

#endif
