/* app-printer.h — the ticket printer as an output of the app: a worker
 * thread renders, encodes and sends each ticket, checks the printer's state
 * before each ticket and every [printer] status_interval when idle, and
 * reports outcomes (mc_app_printed) and state changes (mc_app_set_printer).
 * Adds the control commands printer-status, printer-test and
 * printer-reprint-last. */
#ifndef MC_APP_PRINTER_H
#define MC_APP_PRINTER_H

#include <stddef.h>

struct mc_app;

/* Starts the printer output for the board's [printer] (no-op without one).
 * In simulator mode a usb: printer becomes file:sim-tickets. A relative
 * file: directory lives under the state directory. Returns 0, or -1 with a
 * message in err (bad device URI, unusable directory). */
int mc_app_add_printer(struct mc_app *app, char *err, size_t errlen);

/* The printer's hooks (set in the app's struct mc_app_hooks by
 * mc_app_add_printer, priv = the printer output): queue a test ticket, or
 * the last ticket again marked as a reprint. Return 0 when queued, or -1 with a
 * message for people in msg. Loop thread, never block. */
int mc_app_printer_test(void *priv, char *msg, size_t len);
int mc_app_printer_reprint_last(void *priv, char *msg, size_t len);

#endif
