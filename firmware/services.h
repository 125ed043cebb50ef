/* services.h — kioskd's services (gpio, printer, bus, audio, screen, hall,
 * uplink, systemd, rauc, the simulator's terminal): one row each in one static
 * table, started in table order.
 *
 * kioskd reads board.conf once, runs every row's check on it (a failure
 * exits 78 with FILE:LINE before the database or the socket is opened),
 * creates the app, then runs every row's start. A service offers what
 * others need through the app's typed hooks (app.h struct mc_app_hooks).
 * Adding a service is one file defining its struct mc_service and one row
 * in services.c. */
#ifndef MC_SERVICES_H
#define MC_SERVICES_H

#include <stddef.h>

#include "app.h"
#include "config.h"

/* One service. Every op may be NULL. */
struct mc_service {
	const char *name;        /* "gpio", "printer", ... (logs) */
	/* Validates the service's part of the loaded board.conf, probing what
	 * must exist before anything is touched (e.g. GPIO chips and lines, which
	 * it keeps in *priv for start). 0, or -1 with "FILE:LINE: what is wrong"
	 * (or a message naming the device) in err; kioskd then exits 78. */
	int (*check)(const struct mc_config *cfg, const struct mc_app_options *opt, void **priv,
		     char *err, size_t errlen);
	/* Attaches the service to app (outputs, loop, control commands, hooks),
	 * taking over priv from check. 0, or -1 with a message in err (err may
	 * stay "": the service then names the failure itself). */
	int (*start)(struct mc_app *app, void *priv, char *err, size_t errlen);
	/* Releases what check kept when start is never reached (a later check
	 * or the app failed). A started service is stopped with the app. */
	void (*stop)(void *priv);
	int exit_code;           /* kioskd's exit status when start fails (1, or 78
	                          * for a start that finds board.conf wrong) */
};

/* The table, in start order; ends with NULL. */
extern const struct mc_service *const mc_services[];

#endif
