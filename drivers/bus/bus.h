/* bus.h — the counter bus master: one thread that owns the RS-485 line and
 * speaks Modbus RTU (libmodbus) to every counter unit (DESIGN.md §5).
 *
 * The thread polls each unit's input registers, turns new presses into
 * events for the loop thread (an eventfd plus a queue), and writes display
 * images handed to it with mc_bus_set_display(), one coalesced write per
 * unit, always before the next poll. A unit that misses 3 polls in a row is
 * offline: reported, polled every offline_poll_ms only, and rewritten in
 * full when it answers again. Every function here except the thread itself
 * is called from the loop thread and never blocks on the line. The driver
 * never prints: what happens reaches the caller as events and figures. */
#ifndef MC_BUS_H
#define MC_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "regs.h"

#define MC_BUS_MAX_UNITS 247     /* Modbus addresses 1..247 */
#define MC_BUS_OFFLINE_MISSES 3  /* missed polls in a row that make a unit offline */

/* How to run the line. Strings are copied. */
struct mc_bus_options {
	const char *device;      /* serial device, e.g. /dev/ttyUSB0 or a pty */
	int baud;                /* bits per second */
	char parity;             /* 'N', 'E' or 'O' */
	int data_bits;           /* 7 or 8 (RTU wants 8) */
	int stop_bits;           /* 1 or 2 */
	int timeout_ms;          /* response timeout of one request */
	int poll_ms;             /* pause between rounds (0: poll back to back) */
	int offline_poll_ms;     /* how often an offline unit is tried, and the port reopened */
	const int *addrs;        /* unit addresses to poll, 1..247, no repeats */
	int naddrs;              /* how many */
};

/* What the thread tells the loop. */
enum mc_bus_event_kind {
	MC_BUS_EV_KEY,           /* a new press at addr: code */
	MC_BUS_EV_LOST,          /* lost presses at addr (more than 8 between reads) */
	MC_BUS_EV_ONLINE,        /* addr answers (first time, or again after offline) */
	MC_BUS_EV_OFFLINE,       /* addr missed 3 polls in a row */
	MC_BUS_EV_PORT,          /* the serial port opened (ok) or failed (text says why) */
	MC_BUS_EV_RESTART,       /* addr restarted (its sequence stepped back to seq) */
	MC_BUS_EV_FAULT,         /* addr answers but refuses a request: text says what ("" cleared) */
};

/* One event. */
struct mc_bus_event {
	enum mc_bus_event_kind kind;
	int addr;                /* unit address (0 for PORT) */
	uint16_t code;           /* KEY: the key code, undecoded */
	uint16_t seq;            /* KEY/ONLINE: the unit's sequence after this press / now */
	unsigned lost;           /* LOST: presses lost */
	bool ok;                 /* PORT: opened (true) or failed (false) */
	char text[160];          /* PORT: what happened; OFFLINE: the last error */
};

/* Figures of one unit, counted since mc_bus_open(). */
struct mc_bus_unit_stats {
	int addr;                /* unit address */
	bool online;             /* answering */
	bool seen;               /* answered at least once */
	uint16_t seq;            /* last sequence read */
	uint64_t polls;          /* read requests sent */
	uint64_t ok;             /* requests answered correctly */
	uint64_t timeouts;       /* no answer in time */
	uint64_t crc_errors;     /* answers with a bad CRC */
	uint64_t garbage;        /* answers that were not the reply asked for */
	uint64_t exceptions;     /* Modbus exception replies (unit refused) */
	uint64_t writes;         /* display writes done */
	uint64_t write_errors;   /* display writes that failed (retried) */
	uint64_t presses;        /* presses read */
	uint64_t lost;           /* presses lost (more than 8 between reads) */
	uint64_t unknown;        /* presses with a code outside protocol v1 */
	uint64_t offline_count;  /* times it went offline */
	uint64_t restarts;       /* times its sequence stepped back (the unit restarted) */
	uint64_t write_rejects;  /* display writes refused with an exception reply */
	char last_error[96];     /* the last error, "" if none */
	char fault[96];          /* what the unit refuses now ("" if nothing): an
	                          * exception reply is an answer, the unit stays
	                          * online and polled, the rewrite backs off */
};

/* Figures of the line. */
struct mc_bus_stats {
	bool port_open;          /* the serial port is open */
	bool rs485_kernel;       /* the kernel drives RS-485 direction (else: automatic / pty) */
	char port_error[160];    /* why the port is not open ("" if it is) */
	uint64_t rounds;         /* full polling rounds */
	double round_ms;         /* duration of the last round */
	double round_ms_avg;     /* moving average of the round duration */
};

struct mc_bus;

/* Checks opt and starts the bus thread. The port is opened by the thread,
 * so a missing device is not an error here: it is reported as a PORT event
 * and retried every offline_poll_ms. NULL with a message in err on bad
 * options or when the thread cannot start. */
struct mc_bus *mc_bus_open(const struct mc_bus_options *opt, char *err, size_t errlen);
/* Stops the thread (after the request in progress) and closes the port.
 * Accepts NULL. */
void mc_bus_close(struct mc_bus *bus);

/* An fd that becomes readable when events are queued (an eventfd). */
int mc_bus_event_fd(const struct mc_bus *bus);
/* Takes up to max queued events, oldest first, and clears the fd when the
 * queue is empty. Returns how many. Call mc_bus_handled() once the events
 * are acted on. */
size_t mc_bus_take_events(struct mc_bus *bus, struct mc_bus_event *ev, size_t max);
/* The loop has acted on the events taken (and set the displays they
 * change): the thread, which waits a short while for this so that the new
 * display goes out before the next poll, resumes at once. */
void mc_bus_handled(struct mc_bus *bus);

/* Sets what unit addr should show. The thread writes only the registers
 * that differ from what the unit last accepted, in one request, before its
 * next poll. Returns 0, or -1 with errno ENOENT for an address not polled. */
int mc_bus_set_display(struct mc_bus *bus, int addr, const struct mc_bus_display *d);

/* Copies unit addr's figures. Returns 0, or -1 with errno ENOENT. */
int mc_bus_unit_stats(struct mc_bus *bus, int addr, struct mc_bus_unit_stats *st);
/* Copies the line's figures. */
void mc_bus_stats(struct mc_bus *bus, struct mc_bus_stats *st);

#endif
