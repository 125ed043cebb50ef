/* app-uplink.h — attaches the city uplink (uplink.h) to kioskd: started
 * when board.conf has [uplink], shown by status and diag, stopped with the
 * app. */
#ifndef MC_APP_UPLINK_H
#define MC_APP_UPLINK_H

#include <stddef.h>

struct mc_app;

/* Starts the uplink thread if board.conf has [uplink] (else does nothing)
 * and registers it as the output "uplink" (status only). Returns 0, or -1
 * with a message in err. Loop thread. */
int mc_app_add_uplink(struct mc_app *app, char *err, size_t errlen);

#endif
