/* printer.h — the ticket printer: one contract, four transports chosen by
 * the URI of board.conf's [printer] device:
 *
 *   usb:VID:PID | usb:auto   libusb-1.0, printer-class interface (printer-usb.c)
 *   tcp:HOST:PORT            raw port 9100, one connection per job (printer-tcp.c)
 *   cups:QUEUE               raw job through the CUPS API (printer-cups.c)
 *   file:DIR                 ESC/POS bytes + PNG preview per ticket (printer-file.c)
 *
 * Every call may block for up to the configured timeout (a few times over
 * for a whole job): call them from a worker thread, never the event loop.
 * One mc_printer is used by one thread at a time. Errors come back as -1
 * with a message for people in the caller's buffer; drivers never print. */
#ifndef MC_PRINTER_H
#define MC_PRINTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "escpos.h"
#include "raster.h"

struct mc_printer;
struct mc_usb_ops;

/* How a printer is opened. */
struct mc_printer_options {
	int timeout_ms;          /* I/O timeout per step (connect, write, reply) */
	const char *base_dir;    /* relative file: directories resolve here (NULL: cwd) */
	const struct mc_usb_ops *usb; /* libusb calls for usb: (NULL: the real libusb) */
};

/* A backend. Wrappers below supply defaults for NULL ops. */
struct mc_printer_ops {
	int version;             /* 1 */
	const char *scheme;      /* "usb", "tcp", "cups", "file" */
	/* Parses arg (the URI after "scheme:") and sets up *priv. Does no device
	 * I/O that can hang. Returns 0, or -1 with err filled. */
	int (*open)(void **priv, const char *arg, const struct mc_printer_options *opt,
		    char *err, size_t errlen);
	/* Asks the device for its state. NULL: the state is always unknown.
	 * Returns 0 with *st set (UNKNOWN if it did not answer), or -1 with err
	 * when the device cannot be reached. */
	int (*status)(void *priv, enum mc_escpos_state *st, char *err, size_t errlen);
	/* Sends one whole job (ESC/POS bytes; preview is the raster they draw,
	 * for backends that keep a picture). Before sending it checks the state
	 * the same way status does and sends nothing unless the printer can print;
	 * afterwards it checks again where the transport allows. *st receives the
	 * last state seen. Returns 0 if the job was handed over whole and the
	 * printer did not report a fault, -1 with err otherwise. *sent receives
	 * the bytes handed to the transport. */
	int (*print)(void *priv, const uint8_t *data, size_t len, const struct mc_raster *preview,
		     enum mc_escpos_state *st, size_t *sent, char *err, size_t errlen);
	/* Releases priv. */
	void (*close)(void *priv);
	/* Forgets what was learned about which status queries the printer
	 * answers (a technician asks for a fresh check). NULL: nothing learned. */
	void (*forget)(void *priv);
};

/* The backends. mc_printer_cups_ops lives in the module
 * lib/motcua/printer-cups.so (module.h), which mc_printer_open() loads for
 * the first cups: device; only that module defines it. */
extern const struct mc_printer_ops mc_printer_file_ops;
extern const struct mc_printer_ops mc_printer_tcp_ops;
extern const struct mc_printer_ops mc_printer_cups_ops;
extern const struct mc_printer_ops mc_printer_usb_ops;

/* Opens the printer device names (a URI above). Does not touch the device
 * yet where that could hang. NULL with a message in err (bad URI, unknown
 * scheme, out of memory). */
struct mc_printer *mc_printer_open(const char *device, const struct mc_printer_options *opt,
				   char *err, size_t errlen);
/* Closes p. Accepts NULL. */
void mc_printer_close(struct mc_printer *p);
/* The device URI p was opened with. Valid while p lives. */
const char *mc_printer_device(const struct mc_printer *p);
/* Forgets what the backend learned of the printer's answers (see
 * mc_printer_ops.forget); the next checks ask every query again. On the
 * printer's worker thread, like the other calls. */
void mc_printer_forget(struct mc_printer *p);
/* Checks the state (see mc_printer_ops.status). Returns 0 or -1 with err. */
int mc_printer_status(struct mc_printer *p, enum mc_escpos_state *st, char *err, size_t errlen);
/* Prints one job (see mc_printer_ops.print). Returns 0 or -1 with err. */
int mc_printer_print(struct mc_printer *p, const uint8_t *data, size_t len,
		     const struct mc_raster *preview, enum mc_escpos_state *st, size_t *sent,
		     char *err, size_t errlen);

/* Parses "HOST:PORT" (HOST may be [v6]) into host and port. Returns 0 or -1. */
int mc_printer_parse_hostport(const char *arg, char *host, size_t hostlen, int *port);

#endif
