/* clips.h — a clip set: the recorded words and phrases announcements are
 * joined from, as plain WAV files in a folder an office can edit.
 *
 * Layout (KEY = a clip key from vnnum.h, file DIR/KEY.wav):
 *   DIR/chime.wav                        the chime before every call
 *   DIR/vi/moi_cong_dan_co_so.wav        "Mời công dân có số"
 *   DIR/vi/den_quay_so.wav               "đến quầy số"
 *   DIR/vi/num/mot.wav, ...              number words (một, mốt, mươi, mười, ...)
 *   DIR/vi/chu/b.wav, ...                letter names of service prefixes (bê)
 *   DIR/en/number.wav, en/please_go_to_counter.wav, en/num/..., en/letter/...
 *
 * Format: the chime's format is the set's format (rate and channels); every
 * other clip is converted to it when loaded (channels averaged or copied,
 * rate changed by linear interpolation), so an office may mix recordings.
 * A clip whose first or last sample is not near silence gets a 5 ms fade on
 * that edge, so joined clips never click; clips that start and end in
 * silence are kept sample for sample.
 *
 * A set is loaded and checked once at start; after that it is read-only and
 * may be read from any thread. */
#ifndef MC_CLIPS_H
#define MC_CLIPS_H

#include <stddef.h>
#include <stdint.h>

struct mc_clipset;
struct mc_wav;

/* Length of the pause (MC_KEY_PAUSE) between repeats of a call, in ms. */
#define MC_CLIP_PAUSE_MS 600
/* Length of a breath (MC_KEY_BREATH) before the number and "đến quầy số", in ms. */
#define MC_CLIP_BREATH_MS 200
/* Length of the fade given to a loud clip edge, in ms. */
#define MC_CLIP_FADE_MS 5
/* An edge sample within ±this is silence (about -36 dBFS). */
#define MC_CLIP_QUIET_EDGE 512

/* Loads DIR/chime.wav and DIR/KEY.wav for each of the n keys (duplicates
 * allowed). Every missing or unreadable file is an error: returns NULL with
 * a message in err naming the folder, the first bad file and how many more
 * are missing, e.g. "clip set /x: missing /x/vi/num/mot.wav (and 3 more:
 * vi/num/hai, ...)". */
struct mc_clipset *mc_clipset_load(const char *dir, const char *const *keys, size_t n, char *err,
				   size_t errlen);
/* Frees the set. Accepts NULL. */
void mc_clipset_free(struct mc_clipset *set);

/* Frames per second of every clip of the set. */
int mc_clipset_rate(const struct mc_clipset *set);
/* Channels (interleaved) of every clip of the set. */
int mc_clipset_channels(const struct mc_clipset *set);
/* The folder the set was loaded from. */
const char *mc_clipset_dir(const struct mc_clipset *set);
/* Number of clips loaded, chime included. */
size_t mc_clipset_count(const struct mc_clipset *set);
/* Clips whose edges were faded at load (loud edges). */
size_t mc_clipset_faded(const struct mc_clipset *set);

/* The samples of clip key in the set's format and *frames their count, or
 * NULL if key was not loaded. MC_KEY_CHIME is the chime; MC_KEY_PAUSE is
 * MC_CLIP_PAUSE_MS of silence. Valid until mc_clipset_free(). */
const int16_t *mc_clipset_get(const struct mc_clipset *set, const char *key, size_t *frames);

/* Converts w (any rate and channels) to rate and channels in place, as the
 * loader does. Returns 0, or -1 with errno ENOMEM. */
int mc_clip_convert(struct mc_wav *w, int rate, int channels);

#endif
