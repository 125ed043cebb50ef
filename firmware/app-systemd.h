/* app-systemd.h — kioskd as a systemd service and an A/B-updated system:
 * readiness, the watchdog, the STATUS line (app-systemd.c), and marking
 * the booted RAUC slot good after kioskd's own health check (app-rauc.c). */
#ifndef MC_APP_SYSTEMD_H
#define MC_APP_SYSTEMD_H

struct mc_app;

/* Tells systemd kioskd is ready (READY=1 with a STATUS= line) and, when
 * the service manager asked for a watchdog (sd_watchdog_enabled), arms a
 * loop timer that sends WATCHDOG=1 at half the interval, so a stuck loop
 * stops pinging and systemd restarts kioskd. STATUS= follows the queue
 * (open/closed, waiting count). Call once, after the store is open and the
 * drivers are up, just before mc_app_run(). Without NOTIFY_SOCKET every
 * message is silently dropped. With MOTCUA_TEST_HOOKS=1 in the environment
 * it also registers the test-only control command "test-stall" (blocks the
 * loop for "ms" milliseconds). Returns 0, or -1 with errno. */
int mc_app_add_systemd(struct mc_app *app);

/* Schedules kioskd's health check; when it passes (store open, the loop
 * has run, and every device in the status either answered or is known
 * absent), asks RAUC over the system D-Bus to mark the booted slot good
 * (de.pengutronix.rauc.Installer.Mark "good" "booted"), on a worker thread.
 * Without a bus or a RAUC service the step is skipped quietly (a log line
 * at debug priority). delay_ms is the wait before the first check
 * (MOTCUA_HEALTH_DELAY_MS overrides it; tests use it). The outcome shows
 * in kioskctl status under "update". Returns 0, or -1 with errno. */
int mc_app_add_rauc(struct mc_app *app, int delay_ms);

#endif
