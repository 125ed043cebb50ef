/* app-systemd.h — kioskd as a systemd service: readiness, the watchdog,
 * the STATUS line (app-systemd.c). The A/B updates are in app-rauc.h. */
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

#endif
