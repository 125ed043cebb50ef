/* app-rauc.h — kioskd on an A/B-updated system (app-rauc.c): marking the
 * booted RAUC slot good after kioskd's own health check, and installing
 * update bundles found on removable media (the technician screen, and
 * `kioskctl update` through the control socket). */
#ifndef MC_APP_RAUC_H
#define MC_APP_RAUC_H

#include <stdbool.h>

struct mc_app;
struct mc_rauc;

/* Schedules kioskd's health check; when it passes (store open, the loop
 * has run, and every device in the status either answered or is known
 * absent), asks RAUC over the system D-Bus to mark the booted slot good
 * (de.pengutronix.rauc.Installer.Mark "good" "booted"), on a worker thread.
 * Without a bus or a RAUC service the step is skipped quietly (a log line
 * at debug priority). delay_ms is the wait before the first check
 * (MOTCUA_HEALTH_DELAY_MS overrides it; tests use it). The outcome shows
 * in kioskctl status under "update". Also registers the control commands
 * "update-find" and "update-install" (below, for the technician screen
 * and scripts). Returns the update handle, owned by the app (freed with
 * it), or NULL with errno. */
struct mc_rauc *mc_app_add_rauc(struct mc_app *app, int delay_ms);

/* An update bundle found on removable media. */
struct mc_bundle {
	char path[512];          /* absolute path of the .raucb */
	char compatible[128];    /* the board family it is for ("" if unreadable) */
	char version[64];        /* its version ("" if unreadable) */
	bool installable;        /* trusted signature and this board's compatible */
	char why[256];           /* when not installable: why, for people (vi / en) */
};

/* Called on the loop thread with the bundles found (valid during the call). */
typedef void (*mc_bundles_fn)(void *ctx, const struct mc_bundle *b, int n);
/* Called on the loop thread as an installation progresses. */
typedef void (*mc_update_progress_fn)(void *ctx, int percent, const char *message);
/* Called on the loop thread when an installation ended; message says what
 * happened or why it was refused, for people. */
typedef void (*mc_update_done_fn)(void *ctx, bool ok, const char *message);

/* Looks for *.raucb files in [update] bundle_dirs and the state
 * directory's updates/, down to two folders below each (a stick mounted at
 * /media/usb-sda1, /run/media/USER/LABEL; MOTCUA_MEDIA_DIRS, colon-separated
 * directories, replaces them) and asks RAUC about each file the install
 * gate accepts (bundle.h), on a worker thread; then calls done. At most 16
 * bundles. Also the app's update_find hook. Returns 0, or -1 with errno. */
int mc_rauc_find(struct mc_rauc *r, mc_bundles_fn done, void *ctx);

/* Installs bundle (an absolute path) through RAUC on a worker thread,
 * refusing a bundle for another board before anything is written; RAUC
 * refuses an untrusted signature. One installation at a time. ctx must
 * stay valid until done is called. Returns 0, or -1 with errno (EBUSY
 * while another installation runs). */
int mc_rauc_install(struct mc_rauc *r, const char *bundle, mc_update_progress_fn progress,
		    mc_update_done_fn done, void *ctx);

#endif
