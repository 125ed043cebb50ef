/* audio.h — the announcement player: a thread that plays queued clip
 * sequences on an ALSA PCM, one after another, never over each other.
 *
 * An announcement is a list of clip keys of one clip set (clips.h), played
 * joined sample for sample, then drained. Announcements queued while one
 * plays wait their turn (FIFO). The PCM is opened at start and kept open;
 * when the device fails (unplugged USB speaker) the announcement reports an
 * error and the next one reopens it. Playback runs on the player's own
 * thread (an mc_worker); results come back on the loop thread. */
#ifndef MC_AUDIO_H
#define MC_AUDIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mc_loop;
struct mc_clipset;
struct mc_audio;

/* Most keys in one announcement. */
#define MC_AUDIO_MAX_KEYS 256
/* Most announcements waiting at once; more are refused (EBUSY). */
#define MC_AUDIO_MAX_QUEUE 32

/* What became of one announcement, for its done callback. */
struct mc_audio_result {
	bool ok;                 /* played to the end */
	size_t frames;           /* frames written to the PCM */
	int64_t queued_us;       /* CLOCK_MONOTONIC µs when mc_audio_play() queued it */
	int64_t first_us;        /* when its first samples were accepted (0: never) */
	int64_t done_us;         /* when it had drained */
	char error[512];         /* why not ok ("" when ok) */
};

/* Called on the loop thread when an announcement has played or failed. */
typedef void (*mc_audio_done_fn)(void *ctx, const struct mc_audio_result *r);

/* Opens ALSA PCM device (any PCM name: "default", "hw:1,0",
 * "file:FILE=/tmp/x.wav,FORMAT=wav") for set's format and starts the player
 * thread. A name containing "{n}" is opened afresh for each announcement
 * with "{n}" replaced by its number from 0001 on, and closed after it
 * ("file:FILE=/tmp/call-{n}.wav,FORMAT=wav": one complete WAV per call); it
 * is not opened at start. volume is 0..100 (samples are scaled; 100 keeps them exact). The
 * set must outlive the player. Returns NULL with a message in err when the
 * thread cannot start, or when the device cannot be opened or configured and
 * strict is true; when strict is false such a player starts anyway with the
 * reason in err and mc_audio_last_error(), and each announcement tries the
 * device again. */
struct mc_audio *mc_audio_new(struct mc_loop *loop, const struct mc_clipset *set,
			      const char *device, int volume, bool strict, char *err,
			      size_t errlen);
/* Stops the player: the announcement in progress finishes, queued ones are
 * dropped (their done callbacks run with ok false), the PCM is drained and
 * closed (a file PCM's WAV header is completed). Blocks; accepts NULL. */
void mc_audio_free(struct mc_audio *a);

/* Queues the n clips keys (each in the set, or MC_KEY_PAUSE) as one
 * announcement; done(ctx, result) runs when it is over (done may be NULL).
 * Never blocks. Returns 0, or -1 with errno: ENOENT (a key is not in the
 * set; *bad, if given, receives it), EINVAL (n is 0 or too large), EBUSY
 * (queue full), ENOMEM. */
int mc_audio_play(struct mc_audio *a, const char *const *keys, size_t n, mc_audio_done_fn done,
		  void *ctx, const char **bad);

/* Announcements queued or playing. */
size_t mc_audio_pending(const struct mc_audio *a);
/* Announcements played to the end, and failed, since start. */
uint64_t mc_audio_played(const struct mc_audio *a);
uint64_t mc_audio_failed(const struct mc_audio *a);
/* The last device error for people ("" when the last announcement played). */
const char *mc_audio_last_error(const struct mc_audio *a);
/* The PCM name as given to mc_audio_new(). */
const char *mc_audio_device(const struct mc_audio *a);

/* Sets the volume (0..100) of the announcements queued from now on (one
 * already queued keeps the volume it was queued with). Loop thread. 0, or
 * -1 with errno EINVAL. */
int mc_audio_set_volume(struct mc_audio *a, int volume);
/* The volume new announcements get. */
int mc_audio_volume(const struct mc_audio *a);

/* Scales samples by volume percent (0..100) from in to out (may be equal). */
void mc_audio_scale(int16_t *out, const int16_t *in, size_t n, int volume);

/* True if minute (of the local day, 0..1439) is within quiet hours
 * [from, to), which may cross midnight; from == to means none. */
bool mc_audio_is_quiet(int from, int to, int minute);

#endif
