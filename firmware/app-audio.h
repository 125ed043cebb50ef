/* app-audio.h — voice announcements in kioskd: connects the audio driver
 * (drivers/audio) to the app. Each call, recall or reactivation is queued
 * as "chime, Mời công dân có số … đến quầy số …" ([audio] repeat times,
 * then in English when [audio] english = yes), outside quiet hours; the
 * control socket gets "say" and "announce" for technicians. */
#ifndef MC_APP_AUDIO_H
#define MC_APP_AUDIO_H

#include <stddef.h>

struct mc_app;

/* Adds the voice output when board.conf has [audio]: loads and checks the
 * clip set ([audio] clips, relative to board.conf's folder, or the built-in
 * espeak-ng set) and opens [audio] device. In simulator mode, when the
 * device cannot be opened (no sound card), each announcement is written to
 * its own STATE/voice/call-NNNN.wav instead (numbered from 0001 at start). A device that fails outside simulator
 * mode is logged and retried at each announcement; the kiosk keeps serving.
 * Returns 0 (also when there is no [audio]), or -1 with a message in err
 * when the clip set is incomplete or unreadable (a start-up error). */
int mc_app_add_audio(struct mc_app *app, char *err, size_t errlen);

#endif
