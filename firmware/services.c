/* services.c — the table of kioskd's services (see services.h): one row per
 * service, each defined in its own app-*.c. */
#include "services.h"

extern const struct mc_service mc_service_gpio;     /* app-gpio.c */
extern const struct mc_service mc_service_audio;    /* app-audio.c */
extern const struct mc_service mc_service_terminal; /* app-term.c (simulator) */
extern const struct mc_service mc_service_printer;  /* app-printer.c */
extern const struct mc_service mc_service_bus;      /* app-bus.c */
extern const struct mc_service mc_service_uplink;   /* app-uplink.c: the city's PostgreSQL */
extern const struct mc_service mc_service_screen;   /* app-screen.c (touch and hall) */
extern const struct mc_service mc_service_rauc;     /* app-rauc.c */
extern const struct mc_service mc_service_systemd;  /* app-systemd.c: last, READY=1 */

/* Start order: inputs first (GPIO lines were checked before the app), then
 * the outputs, then the update health check and systemd's READY. */
const struct mc_service *const mc_services[] = {
	&mc_service_gpio,
	&mc_service_audio,
	&mc_service_terminal,
	&mc_service_printer,
	&mc_service_bus,
	&mc_service_uplink,
	&mc_service_screen,
	&mc_service_rauc,
	&mc_service_systemd,
	NULL,
};
