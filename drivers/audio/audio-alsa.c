/* audio-alsa.c — the announcement player on alsa-lib (see audio.h). */
#include "audio.h"
#include "clips.h"
#include "loop.h"
#include "worker.h"

#include <alsa/asoundlib.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Frames handed to ALSA per write. */
#define CHUNK 1024
/* ALSA buffer latency asked for, µs: short enough for a quick start,
 * long enough that a busy board does not underrun. */
#define LATENCY_US 200000

struct mc_audio {
	struct mc_worker *worker;  /* the player thread */
	const struct mc_clipset *set; /* clips, read-only */
	char device[256];          /* PCM name as configured */
	int volume;                /* 0..100, loop thread (each job takes a copy) */
	int rate, channels;        /* the set's format */
	bool per_call;             /* device has "{n}": one PCM per announcement */
	/* Player thread only (and start/stop, when it is not running): */
	snd_pcm_t *pcm;            /* open PCM, NULL after a failure */
	char name[300];            /* PCM name opened ("{n}" replaced) */
	unsigned seq;              /* announcements begun, for "{n}" */
	int16_t buf[CHUNK * 8];    /* scaled samples */
	/* Loop thread only: */
	size_t pending;            /* queued or playing */
	uint64_t played, failed;   /* outcomes since start */
	char last_error[512];      /* last failure, "" after a success */
};

/* One clip of an announcement. */
struct part {
	const int16_t *samples;
	size_t frames;
};

/* One queued announcement. */
struct job {
	struct mc_audio *a;
	mc_audio_done_fn done;
	void *ctx;
	struct mc_audio_result r;
	int volume;                /* 0..100, the player's volume when queued */
	size_t nparts;
	struct part parts[];
};

/* alsa-lib prints its own errors to stderr; the player reports them itself,
 * with the device name, through its callers' logs. */
static void quiet_alsa(const char *file, int line, const char *fn, int err, const char *fmt, ...)
{
	(void)file;
	(void)line;
	(void)fn;
	(void)err;
	(void)fmt;
}

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void mc_audio_scale(int16_t *out, const int16_t *in, size_t n, int volume)
{
	for (size_t i = 0; i < n; i++)
		out[i] = (int16_t)((int32_t)in[i] * volume / 100);
}

bool mc_audio_is_quiet(int from, int to, int minute)
{
	if (from == to)
		return false;
	if (from < to)
		return minute >= from && minute < to;
	return minute >= from || minute < to;   /* crosses midnight */
}

/* Opens and configures the PCM. Returns 0, or -1 with a message in err. */
static int open_pcm(struct mc_audio *a, char *err, size_t errlen)
{
	const char *n = strstr(a->device, "{n}");
	int rc;

	if (n)
		snprintf(a->name, sizeof(a->name), "%.*s%04u%s", (int)(n - a->device), a->device,
			 a->seq, n + 3);
	else
		snprintf(a->name, sizeof(a->name), "%s", a->device);
	rc = snd_pcm_open(&a->pcm, a->name, SND_PCM_STREAM_PLAYBACK, 0);
	if (rc < 0) {
		snprintf(err, errlen, "cannot open ALSA device '%s': %s", a->name, snd_strerror(rc));
		a->pcm = NULL;
		return -1;
	}
	rc = snd_pcm_set_params(a->pcm, SND_PCM_FORMAT_S16_LE, SND_PCM_ACCESS_RW_INTERLEAVED,
				(unsigned)a->channels, (unsigned)a->rate, 1, LATENCY_US);
	if (rc < 0) {
		snprintf(err, errlen, "ALSA device '%s' refuses %d Hz, %d channel(s), 16-bit: %s",
			 a->name, a->rate, a->channels, snd_strerror(rc));
		snd_pcm_close(a->pcm);
		a->pcm = NULL;
		return -1;
	}
	return 0;
}

/* Writes frames, recovering from underruns. Returns 0 or a negative ALSA error. */
static int write_all(struct mc_audio *a, struct job *j, const int16_t *s, size_t frames)
{
	while (frames) {
		snd_pcm_sframes_t w = snd_pcm_writei(a->pcm, s, frames);
		if (w < 0) {
			/* Underrun (-EPIPE), suspend (-ESTRPIPE), signal (-EINTR). */
			int rc = snd_pcm_recover(a->pcm, (int)w, 1);
			if (rc < 0)
				return rc;
			continue;
		}
		if (!j->r.first_us)
			j->r.first_us = now_us();
		s += (size_t)w * (size_t)a->channels;
		frames -= (size_t)w;
		j->r.frames += (size_t)w;
	}
	return 0;
}

/* Player thread: plays one announcement and drains it. */
static void run_job(void *p)
{
	struct job *j = p;
	struct mc_audio *a = j->a;
	size_t ch = (size_t)a->channels;
	int rc = 0;

	j->r.error[0] = 0;
	a->seq++;
	if (!a->pcm && open_pcm(a, j->r.error, sizeof(j->r.error)) < 0)
		return;
	snd_pcm_state_t st = snd_pcm_state(a->pcm);
	if (st == SND_PCM_STATE_SETUP || st == SND_PCM_STATE_XRUN) {
		rc = snd_pcm_prepare(a->pcm);
		if (rc < 0)
			goto err_close;
	}
	for (size_t i = 0; i < j->nparts && rc == 0; i++) {
		const struct part *pt = &j->parts[i];
		if (j->volume == 100) {
			rc = write_all(a, j, pt->samples, pt->frames);
			continue;
		}
		for (size_t off = 0; off < pt->frames && rc == 0; off += CHUNK) {
			size_t n = pt->frames - off < CHUNK ? pt->frames - off : CHUNK;
			mc_audio_scale(a->buf, pt->samples + off * ch, n * ch, j->volume);
			rc = write_all(a, j, a->buf, n);
		}
	}
	if (rc < 0)
		goto err_close;
	/* Drain: the announcement is over when the last sample has played. */
	rc = snd_pcm_drain(a->pcm);
	if (rc < 0)
		goto err_close;
	j->r.ok = true;
	j->r.done_us = now_us();
	if (a->per_call) {
		/* Closing completes this announcement's own file. */
		snd_pcm_close(a->pcm);
		a->pcm = NULL;
	}
	return;
err_close:
	snprintf(j->r.error, sizeof(j->r.error), "ALSA device '%s': %s", a->name,
		 snd_strerror(rc));
	/* Reopened by the next announcement (the device may come back). */
	snd_pcm_close(a->pcm);
	a->pcm = NULL;
	j->r.done_us = now_us();
}

/* Loop thread: reports and frees one announcement. */
static void done_job(void *p, void *ctx)
{
	struct job *j = p;
	struct mc_audio *a = j->a;

	(void)ctx;
	a->pending--;
	if (j->r.ok) {
		a->played++;
		a->last_error[0] = 0;
	} else {
		a->failed++;
		snprintf(a->last_error, sizeof(a->last_error), "%s", j->r.error);
	}
	if (j->done)
		j->done(j->ctx, &j->r);
	free(j);
}

struct mc_audio *mc_audio_new(struct mc_loop *loop, const struct mc_clipset *set,
			      const char *device, int volume, bool strict, char *err,
			      size_t errlen)
{
	struct mc_audio *a = calloc(1, sizeof(*a));

	if (errlen)
		err[0] = 0;
	snd_lib_error_set_handler(quiet_alsa);
	if (!a) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (strlen(device) >= sizeof(a->device) || volume < 0 || volume > 100) {
		snprintf(err, errlen, "bad audio device name or volume");
		goto err_free;
	}
	strcpy(a->device, device);
	a->set = set;
	a->volume = volume;
	a->rate = mc_clipset_rate(set);
	a->channels = mc_clipset_channels(set);
	if (a->channels > 8) {
		snprintf(err, errlen, "clip set has %d channels; at most 8", a->channels);
		goto err_free;
	}
	a->per_call = strstr(device, "{n}") != NULL;
	if (!a->per_call && open_pcm(a, a->last_error, sizeof(a->last_error)) < 0) {
		snprintf(err, errlen, "%s", a->last_error);
		if (strict)
			goto err_free;
	}
	a->worker = mc_worker_new(loop, "audio");
	if (!a->worker) {
		snprintf(err, errlen, "cannot start the audio thread: %s", strerror(errno));
		goto err_close;
	}
	return a;
err_close:
	if (a->pcm)
		snd_pcm_close(a->pcm);
err_free:
	free(a);
	return NULL;
}

void mc_audio_free(struct mc_audio *a)
{
	if (!a)
		return;
	mc_worker_free(a->worker);
	if (a->pcm) {
		snd_pcm_drain(a->pcm);
		snd_pcm_close(a->pcm);
	}
	free(a);
}

int mc_audio_play(struct mc_audio *a, const char *const *keys, size_t n, mc_audio_done_fn done,
		  void *ctx, const char **bad)
{
	struct job *j;

	if (n == 0 || n > MC_AUDIO_MAX_KEYS) {
		errno = EINVAL;
		return -1;
	}
	if (a->pending >= MC_AUDIO_MAX_QUEUE) {
		errno = EBUSY;
		return -1;
	}
	j = calloc(1, sizeof(*j) + n * sizeof(j->parts[0]));
	if (!j)
		return -1;
	for (size_t i = 0; i < n; i++) {
		j->parts[i].samples = mc_clipset_get(a->set, keys[i], &j->parts[i].frames);
		if (!j->parts[i].samples) {
			if (bad)
				*bad = keys[i];
			free(j);
			errno = ENOENT;
			return -1;
		}
	}
	j->a = a;
	j->volume = a->volume;
	j->nparts = n;
	j->done = done;
	j->ctx = ctx;
	j->r.queued_us = now_us();
	snprintf(j->r.error, sizeof(j->r.error), "not played: the player stopped");
	if (mc_worker_submit(a->worker, j, run_job, done_job, NULL) < 0) {
		int e = errno;
		free(j);
		errno = e;
		return -1;
	}
	a->pending++;
	return 0;
}

size_t mc_audio_pending(const struct mc_audio *a) { return a->pending; }
uint64_t mc_audio_played(const struct mc_audio *a) { return a->played; }
uint64_t mc_audio_failed(const struct mc_audio *a) { return a->failed; }
const char *mc_audio_last_error(const struct mc_audio *a) { return a->last_error; }
const char *mc_audio_device(const struct mc_audio *a) { return a->device; }

int mc_audio_set_volume(struct mc_audio *a, int volume)
{
	if (volume < 0 || volume > 100) {
		errno = EINVAL;
		return -1;
	}
	a->volume = volume;
	return 0;
}

int mc_audio_volume(const struct mc_audio *a) { return a->volume; }
