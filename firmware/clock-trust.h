/* clock-trust.h — who vouches for the wall clock: the sources behind
 * [office] clock = auto|ntp|rtc|trust (DESIGN §8, NOTES "Clocks under
 * systemd").
 *
 * A source is a small ops table plus a priv. It answers "is the wall clock
 * known right?" without blocking; anything slow (asking systemd-timedated
 * over D-Bus) runs in the source's own thread, which writes to the wake fd
 * given at start when its answer may have changed, so the loop looks again.
 * Sources only ever start trusting: once the clock is known synchronised,
 * later jumps are the day logic's business (dayclock.h).
 *
 * Backends:
 *   trust     always (clock = trust, and --sim)
 *   rtc       always: the board's RTC set the clock at boot (clock = rtc)
 *   ntp       systemd-timedated's NTPSynchronized over the system bus
 *             (DBUS_SYSTEM_BUS_ADDRESS is honoured), else adjtimex() where the
 *             sandbox allows it; asked from a thread every few seconds until
 *             it says yes
 *   auto      rtc when /sys/class/rtc/rtc0/hctosys says the RTC set the clock
 *             at boot, else ntp
 *   file      the test seam: the environment variable MC_CLOCK_TRUST_FILE
 *             names a file; the clock is trusted while it holds "1". Replaces
 *             auto and ntp only; kioskd logs loudly that it is in use. */
#ifndef MC_CLOCK_TRUST_H
#define MC_CLOCK_TRUST_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/* A source's operations. Every op runs on the loop thread. */
struct mc_clock_trust_ops {
	const char *name;        /* "trust", "rtc", "ntp", "file" */
	/* Starts watching. wake_fd is an eventfd the source may write (an 8-byte
	 * 1) from any thread when its answer may have changed. May be NULL.
	 * Returns 0, or -1 with a message in err. */
	int (*start)(void *priv, int wake_fd, char *err, size_t errlen);
	/* Whether the source vouches for the wall clock now; never blocks.
	 * why receives a short English text for status ("NTP synchronised
	 * (systemd-timedated)", "waiting for NTP: ..."). */
	bool (*trusted)(void *priv, char *why, size_t len);
	/* Stops any thread and frees priv. May be NULL. */
	void (*free)(void *priv);
};

/* A source in use. */
struct mc_clock_trust {
	const struct mc_clock_trust_ops *ops;
	void *priv;
};

/* Picks and builds the source for mode (sim forces "trust"). Returns 0, or
 * -1 with a message in err (out of memory). The source is not started. */
int mc_clock_trust_open(struct mc_clock_trust *t, enum mc_clock_mode mode, bool sim,
			char *err, size_t errlen);
/* Thin wrappers over the ops. */
int mc_clock_trust_start(struct mc_clock_trust *t, int wake_fd, char *err, size_t errlen);
bool mc_clock_trust_trusted(struct mc_clock_trust *t, char *why, size_t len);
/* Stops and frees the source; accepts a zeroed struct. */
void mc_clock_trust_close(struct mc_clock_trust *t);

/* Name of a mode as board.conf writes it ("auto", ...). Static string. */
const char *mc_clock_mode_name(enum mc_clock_mode mode);

#endif
