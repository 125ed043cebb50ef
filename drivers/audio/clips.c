/* clips.c — clip sets: loading, checking and converting WAV clips (see
 * clips.h). */
#include "clips.h"
#include "vnnum.h"
#include "wav.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One loaded clip. */
struct clip {
	char *key;               /* its key (malloc'd) */
	int16_t *samples;        /* in the set's format (malloc'd) */
	size_t frames;           /* frames in samples */
};

struct mc_clipset {
	char dir[256];           /* folder loaded from */
	int rate;                /* the set's format: the chime's */
	int channels;
	struct clip *clips;      /* chime first, then each distinct key */
	size_t nclips;
	size_t faded;            /* clips given an edge fade */
	int16_t *silence;        /* MC_KEY_PAUSE */
	size_t silence_frames;
};

int mc_clip_convert(struct mc_wav *w, int rate, int channels)
{
	size_t frames = w->frames;
	int16_t *s = w->samples;

	/* Channels first, at the source rate. */
	if (w->channels != channels) {
		int16_t *m = malloc(frames * (size_t)channels * sizeof(int16_t) + 2);
		if (!m)
			goto err_nomem;
		for (size_t i = 0; i < frames; i++) {
			long sum = 0;
			for (int c = 0; c < w->channels; c++)
				sum += s[i * (size_t)w->channels + (size_t)c];
			if (channels == 1 || w->channels == 1) {
				/* Down to mono: the mean; up from mono: copies. */
				int16_t v = (int16_t)(sum / w->channels);
				for (int c = 0; c < channels; c++)
					m[i * (size_t)channels + (size_t)c] = v;
			} else {
				/* Other layouts: the first channels, the rest silent. */
				for (int c = 0; c < channels; c++)
					m[i * (size_t)channels + (size_t)c] =
						c < w->channels ? s[i * (size_t)w->channels + (size_t)c] : 0;
			}
		}
		free(s);
		w->samples = s = m;
		w->channels = channels;
	}
	if (w->rate != rate && frames) {
		/* Linear interpolation: output frame i sits at i*src/dst. */
		size_t out = (size_t)((unsigned long long)frames * (unsigned)rate / (unsigned)w->rate);
		int16_t *r = malloc(out * (size_t)channels * sizeof(int16_t) + 2);
		if (!r)
			goto err_nomem;
		for (size_t i = 0; i < out; i++) {
			unsigned long long num = (unsigned long long)i * (unsigned)w->rate;
			size_t j = (size_t)(num / (unsigned)rate);
			double frac = (double)(num % (unsigned)rate) / rate;
			size_t k = j + 1 < frames ? j + 1 : j;
			for (int c = 0; c < channels; c++) {
				double a = s[j * (size_t)channels + (size_t)c];
				double b = s[k * (size_t)channels + (size_t)c];
				r[i * (size_t)channels + (size_t)c] = (int16_t)(a + (b - a) * frac);
			}
		}
		free(s);
		w->samples = r;
		w->frames = out;
	}
	w->rate = rate;
	return 0;
err_nomem:
	errno = ENOMEM;
	return -1;
}

/* Fades a loud first or last edge of w over MC_CLIP_FADE_MS. True if it did. */
static bool fade_edges(struct mc_wav *w)
{
	size_t ch = (size_t)w->channels, len = (size_t)w->rate * MC_CLIP_FADE_MS / 1000;
	bool loud_in = false, loud_out = false;

	if (!w->frames)
		return false;
	if (len > w->frames / 2)
		len = w->frames / 2;
	for (size_t c = 0; c < ch; c++) {
		loud_in |= abs(w->samples[c]) > MC_CLIP_QUIET_EDGE;
		loud_out |= abs(w->samples[(w->frames - 1) * ch + c]) > MC_CLIP_QUIET_EDGE;
	}
	for (size_t i = 0; i < len; i++) {
		/* Gain i/len at the start, mirrored at the end. */
		for (size_t c = 0; c < ch; c++) {
			if (loud_in) {
				int16_t *p = &w->samples[i * ch + c];
				*p = (int16_t)((long)*p * (long)i / (long)len);
			}
			if (loud_out) {
				int16_t *p = &w->samples[(w->frames - 1 - i) * ch + c];
				*p = (int16_t)((long)*p * (long)i / (long)len);
			}
		}
	}
	if (len == 0 && (loud_in || loud_out)) {
		for (size_t c = 0; c < ch; c++) {
			w->samples[c] = 0;
			w->samples[(w->frames - 1) * ch + c] = 0;
		}
	}
	return loud_in || loud_out;
}

/* Reads DIR/KEY.wav into a clip in the set's format (rate 0: adopt its own). */
static int load_one(struct mc_clipset *set, const char *key, struct clip *out, char *err,
		    size_t errlen)
{
	char path[512];
	struct mc_wav w;

	if (strstr(key, "..") || key[0] == '/' ||
	    (size_t)snprintf(path, sizeof(path), "%s/%s.wav", set->dir, key) >= sizeof(path)) {
		snprintf(err, errlen, "clip key '%s' is not a relative name", key);
		errno = EINVAL;
		return -1;
	}
	if (mc_wav_read(path, &w, err, errlen) < 0)
		return -1;
	if (!set->rate) {
		set->rate = w.rate;
		set->channels = w.channels;
	}
	if (mc_clip_convert(&w, set->rate, set->channels) < 0) {
		snprintf(err, errlen, "%s: out of memory", path);
		mc_wav_release(&w);
		return -1;
	}
	if (fade_edges(&w))
		set->faded++;
	out->key = strdup(key);
	if (!out->key) {
		snprintf(err, errlen, "%s: out of memory", path);
		mc_wav_release(&w);
		return -1;
	}
	out->samples = w.samples;
	out->frames = w.frames;
	return 0;
}

static bool loaded(const struct mc_clipset *set, const char *key)
{
	for (size_t i = 0; i < set->nclips; i++)
		if (!strcmp(set->clips[i].key, key))
			return true;
	return false;
}

struct mc_clipset *mc_clipset_load(const char *dir, const char *const *keys, size_t n, char *err,
				   size_t errlen)
{
	struct mc_clipset *set = calloc(1, sizeof(*set));
	char first[512] = "", more[256] = "";
	size_t nbad = 0;

	if (!set) {
		snprintf(err, errlen, "clip set %s: out of memory", dir);
		return NULL;
	}
	if (strlen(dir) >= sizeof(set->dir)) {
		snprintf(err, errlen, "clip set folder name too long: %s", dir);
		goto err_free;
	}
	strcpy(set->dir, dir);
	set->clips = calloc(n + 1, sizeof(*set->clips));
	if (!set->clips) {
		snprintf(err, errlen, "clip set %s: out of memory", dir);
		goto err_free;
	}
	/* The chime fixes the format; without it nothing else can load. */
	if (load_one(set, MC_KEY_CHIME, &set->clips[0], first, sizeof(first)) < 0) {
		snprintf(err, errlen, "clip set %s: %s", dir, first);
		goto err_free;
	}
	set->nclips = 1;
	for (size_t i = 0; i < n; i++) {
		char e[512];
		if (loaded(set, keys[i]))
			continue;
		if (load_one(set, keys[i], &set->clips[set->nclips], e, sizeof(e)) < 0) {
			/* Go on, to name every bad file in one message. */
			if (!nbad++)
				snprintf(first, sizeof(first), "%s", e);
			else if (strlen(more) + strlen(keys[i]) + 8 < sizeof(more))
				snprintf(more + strlen(more), sizeof(more) - strlen(more), "%s%s",
					 nbad > 2 ? ", " : "", keys[i]);
			continue;
		}
		set->nclips++;
	}
	if (nbad) {
		if (nbad == 1)
			snprintf(err, errlen, "clip set %s: %s", dir, first);
		else
			snprintf(err, errlen, "clip set %s: %s (and %zu more: %s)", dir, first,
				 nbad - 1, more);
		goto err_free;
	}
	set->silence_frames = (size_t)set->rate * MC_CLIP_PAUSE_MS / 1000;
	set->silence = calloc(set->silence_frames * (size_t)set->channels + 1, sizeof(int16_t));
	if (!set->silence) {
		snprintf(err, errlen, "clip set %s: out of memory", dir);
		goto err_free;
	}
	return set;
err_free:
	mc_clipset_free(set);
	return NULL;
}

void mc_clipset_free(struct mc_clipset *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->nclips; i++) {
		free(set->clips[i].key);
		free(set->clips[i].samples);
	}
	free(set->clips);
	free(set->silence);
	free(set);
}

int mc_clipset_rate(const struct mc_clipset *set) { return set->rate; }
int mc_clipset_channels(const struct mc_clipset *set) { return set->channels; }
const char *mc_clipset_dir(const struct mc_clipset *set) { return set->dir; }
size_t mc_clipset_count(const struct mc_clipset *set) { return set->nclips; }
size_t mc_clipset_faded(const struct mc_clipset *set) { return set->faded; }

const int16_t *mc_clipset_get(const struct mc_clipset *set, const char *key, size_t *frames)
{
	if (!strcmp(key, MC_KEY_PAUSE)) {
		*frames = set->silence_frames;
		return set->silence;
	}
	if (!strcmp(key, MC_KEY_BREATH)) {
		*frames = set->silence_frames * MC_CLIP_BREATH_MS / MC_CLIP_PAUSE_MS;
		return set->silence;
	}
	for (size_t i = 0; i < set->nclips; i++)
		if (!strcmp(set->clips[i].key, key)) {
			*frames = set->clips[i].frames;
			return set->clips[i].samples;
		}
	return NULL;
}
