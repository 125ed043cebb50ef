/* kiosk-paths.h — where kioskd keeps its files by default, for kioskd and
 * for the tools that find them (kioskctl, reports). Public. */
#ifndef MC_KIOSK_PATHS_H
#define MC_KIOSK_PATHS_H

#define MC_DEFAULT_STATE_DIR "/var/lib/motcua"         /* kiosk.db and its marker */
#define MC_DEFAULT_SOCKET "/run/motcua/kioskd.sock"    /* the control socket */

#endif
