/* rauc-client.h — a client of the RAUC update service on the system D-Bus
 * (de.pengutronix.rauc), for kioskctl's update and diag and for kioskd's
 * update commands. Every call blocks (D-Bus round trips): kioskd calls it
 * on a worker thread only. One client per thread. DBUS_SYSTEM_BUS_ADDRESS
 * picks another bus. */
#ifndef MC_RAUC_CLIENT_H
#define MC_RAUC_CLIENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct rauc_client;

/* Connects to the system bus and checks RAUC is there: running, or
 * activatable with a system.conf where RAUC looks for one (without one it
 * would exit at once: RAUC's package on a system without A/B slots).
 * NULL with a message for people in err. Free with rauc_client_free().
 * MOTCUA_RAUC_SYSTEM_CONF names the file to look for instead (tests). */
struct rauc_client *rauc_client_open(char *err, size_t errlen);
/* Closes the connection. Accepts NULL. */
void rauc_client_free(struct rauc_client *rc);

/* Reads a string property of the Installer (Compatible, BootSlot,
 * Operation, LastError, Variant) into buf. Returns 0, or -1 with err. */
int rauc_client_prop(struct rauc_client *rc, const char *name, char *buf, size_t len,
		     char *err, size_t errlen);

/* Marks a slot (which: "booted", "other" or a slot name) as state ("good",
 * "bad", "active"); slot and msg receive RAUC's answer. Blocks on D-Bus.
 * 0, or -1 with "RAUC Mark failed: why" in err. */
int rauc_client_mark(struct rauc_client *rc, const char *state, const char *which, char *slot, size_t slen,
		     char *msg, size_t mlen, char *err, size_t errlen);

/* Reads a bundle's compatible and version (RAUC checks its signature over
 * the whole bundle). Blocks on D-Bus for up to 10 minutes (a large bundle on
 * a slow stick; sd-bus's default 25 s was too short in the lab).
 * Returns 0, or -1 with RAUC's message in err. */
int rauc_client_info(struct rauc_client *rc, const char *bundle, char *compat, size_t clen,
		     char *version, size_t vlen, char *err, size_t errlen);

/* Installs bundle (an absolute path), calling progress(percent, message,
 * ctx) on every change of RAUC's Progress. Returns 0 when RAUC completed
 * with success, or -1 with RAUC's LastError (or why the call failed) in err. */
int rauc_client_install(struct rauc_client *rc, const char *bundle,
			void (*progress)(int percent, const char *msg, void *ctx), void *ctx,
			char *err, size_t errlen);

/* The slots as an array of objects {"name": ..., key: value...} from
 * GetSlotStatus (strings and numbers). NULL with err. Caller decrefs. */
json_t *rauc_client_slots(struct rauc_client *rc, char *err, size_t errlen);

/* A technician's explanation of a RAUC error text: says "signature" or
 * "compatible" problems plainly in Vietnamese and English; NULL for
 * other errors. */
const char *rauc_explain(const char *rauc_error);

#endif
