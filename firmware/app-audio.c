/* app-audio.c — voice announcements: the audio driver as an app output,
 * plus the "say" and "announce" control commands (see app-audio.h). */
#include "app-audio.h"
#include "app.h"
#include "services.h"
#include "audio.h"
#include "clips.h"
#include "datadir.h"
#include "ctl.h"
#include "log.h"
#include "vnnum.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The built-in clip set, under the install prefix (MOTCUA_CLIPS_DIR
 * overrides it). */
#define CLIPS_REL "share/motcua/clips/default"

/* The voice output. */
struct voice {
	struct mc_app *app;
	struct mc_clipset *set;      /* the clips, checked at start */
	struct mc_audio *audio;      /* the player thread */
	struct mc_reading reading;   /* [audio] voice, numbers and dialect */
	bool english;                /* English after Vietnamese */
	int repeat;                  /* times a call is said */
	struct mc_span quiet;        /* quiet hours */
	char device[400];            /* PCM actually used */
	uint64_t skipped_quiet;      /* calls not said in quiet hours */
	char letters[2 * MC_MAX_SERVICES + 1]; /* prefix letters with clips, for messages */
	char volume_path[600];       /* STATE_DIR/volume: the technician's volume */
	uint64_t tests;              /* speaker tests queued */
};

/* A control request waiting for its announcement to finish. */
struct pending_reply {
	struct voice *v;
	uint64_t client;
	char text[1024];             /* what is said, for the answer */
};

/* Keys of one call: chime, then the call `repeat` times (each time also in
 * English when asked), with pauses between. Returns the count, or -1. */
static int compose(const struct voice *v, const char *label, int counter, const char **keys,
		   size_t max)
{
	struct mc_reading en = v->reading;
	size_t n = 0;
	int k;

	en.lang = MC_LANG_EN;
	keys[n++] = MC_KEY_CHIME;
	for (int rep = 0; rep < v->repeat; rep++) {
		if (rep && n < max)
			keys[n++] = MC_KEY_PAUSE;
		k = mc_vnnum_call(label, counter, &v->reading, keys + n, max - n);
		if (k < 0)
			return -1;
		n += (size_t)k;
		if (v->english && v->reading.lang == MC_LANG_VI) {
			if (n == max) {
				errno = ENOSPC;
				return -1;
			}
			keys[n++] = MC_KEY_PAUSE;
			k = mc_vnnum_call(label, counter, &en, keys + n, max - n);
			if (k < 0)
				return -1;
			n += (size_t)k;
		}
	}
	return (int)n;
}

static bool is_quiet(const struct voice *v)
{
	struct mc_when w;

	mc_app_now(v->app, &w);
	return mc_audio_is_quiet(v->quiet.from, v->quiet.to, w.minute);
}

static void on_played(void *ctx, const struct mc_audio_result *r)
{
	struct voice *v = ctx;

	if (!r->ok)
		mc_log(MC_LOG_ERR, "voice: call not announced: %s", r->error);
	(void)v;
}

static void called(void *priv, int counter, const struct mc_ticket *t, enum mc_event_kind kind)
{
	struct voice *v = priv;
	const char *keys[MC_AUDIO_MAX_KEYS];
	char text[1024];
	int n;

	if (is_quiet(v)) {
		v->skipped_quiet++;
		mc_log(MC_LOG_INFO, "voice: quiet hours, %s to counter %d not announced", t->label,
		       counter);
		return;
	}
	n = compose(v, t->label, counter, keys, MC_AUDIO_MAX_KEYS);
	if (n < 0) {
		mc_log(MC_LOG_ERR, "voice: cannot read %s to counter %d aloud: %s", t->label, counter,
		       strerror(errno));
		return;
	}
	if (mc_audio_play(v->audio, keys, (size_t)n, on_played, v, NULL) < 0) {
		mc_log(MC_LOG_ERR, "voice: %s to counter %d not queued: %s", t->label, counter,
		       errno == EBUSY ? "too many announcements waiting" : strerror(errno));
		return;
	}
	mc_log(MC_LOG_INFO, "voice: %s%s", kind == MC_EV_RECALL ? "(nhắc lại) " : "",
	       mc_vnnum_join(keys + 1, (size_t)n - 1, text, sizeof(text)));
}

static void status(void *priv, json_t *obj)
{
	struct voice *v = priv;
	const char *err = mc_audio_last_error(v->audio);
	bool quiet = is_quiet(v);
	char text[512];

	if (*err)
		snprintf(text, sizeof(text), "%s", err);
	else
		snprintf(text, sizeof(text), "%s, đã đọc / played %llu, chờ / waiting %zu", v->device,
			 (unsigned long long)mc_audio_played(v->audio), mc_audio_pending(v->audio));
	json_object_set_new(obj, "audio",
			    json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:I, s:I, s:I, s:I, s:s, s:b}",
				      "state", *err ? "error" : quiet ? "quiet" : "ok", "text", text,
				      "device", v->device, "clips", mc_clipset_dir(v->set),
				      "rate", mc_clipset_rate(v->set), "clips_loaded",
				      (int)mc_clipset_count(v->set),
				      "pending", (json_int_t)mc_audio_pending(v->audio),
				      "played", (json_int_t)mc_audio_played(v->audio),
				      "failed", (json_int_t)mc_audio_failed(v->audio),
				      "skipped_quiet", (json_int_t)v->skipped_quiet,
				      "error", err, "quiet_now", quiet));
	/* The technician's volume and speaker tests (the menu's Loa page). */
	json_t *a = json_object_get(obj, "audio");
	json_object_set_new(a, "volume", json_integer(mc_audio_volume(v->audio)));
	json_object_set_new(a, "speaker_tests", json_integer((json_int_t)v->tests));
}

static void release(void *priv)
{
	struct voice *v = priv;
	struct mc_app_hooks *h = mc_app_hooks(v->app);

	if (h->audio == v) {
		h->speaker_test = NULL;
		h->set_volume = NULL;
		h->get_volume = NULL;
		h->audio = NULL;
	}

	mc_audio_free(v->audio);
	mc_clipset_free(v->set);
	free(v);
}

static const struct mc_output_ops voice_ops = {
	.name = "voice",
	.called = called,
	.status = status,
	.free = release,
};

/* ---- control commands -------------------------------------------------- */

static void reply_played(void *ctx, const struct mc_audio_result *r)
{
	struct pending_reply *p = ctx;
	json_t *msg;

	if (r->ok)
		msg = json_pack("{s:b, s:s, s:I, s:I, s:I}", "ok", 1, "text", p->text, "frames",
				(json_int_t)r->frames, "ms",
				(json_int_t)(r->frames * 1000 / (size_t)mc_clipset_rate(p->v->set)),
				"first_sample_us", (json_int_t)(r->first_us - r->queued_us));
	else
		msg = json_pack("{s:b, s:s, s:s}", "ok", 0, "error", "audio", "message", r->error);
	mc_ctl_send(mc_app_ctl(p->v->app), p->client, msg, true);
	json_decref(msg);
	free(p);
}

/* Queues keys for a control client; the answer comes when played. */
static enum mc_ctl_result play_for(struct voice *v, const char **keys, size_t n, json_t *req,
				   json_t *resp, uint64_t client)
{
	struct pending_reply *p;
	const char *bad = NULL;

	if (is_quiet(v) && !json_is_true(json_object_get(req, "force")))
		return mc_ctl_error(resp, "quiet",
				    "giờ yên lặng / quiet hours (%02d:%02d-%02d:%02d): add force to play anyway",
				    v->quiet.from / 60, v->quiet.from % 60, v->quiet.to / 60,
				    v->quiet.to % 60);
	p = calloc(1, sizeof(*p));
	if (!p)
		return mc_ctl_error(resp, "audio", "out of memory");
	p->v = v;
	p->client = client;
	mc_vnnum_join(keys, n, p->text, sizeof(p->text));
	if (mc_audio_play(v->audio, keys, n, reply_played, p, &bad) < 0) {
		int e = errno;
		free(p);
		if (e == ENOENT && bad && !strncmp(bad, "vi/chu/", 7))
			return mc_ctl_error(resp, "no_clip",
					    "chữ '%c' không có đoạn ghi âm / the letter '%c' has no clip (%s.wav): "
					    "the voice holds the letters of board.conf's prefixes only (%s); add a "
					    "service with that prefix or %s.wav to %s",
					    bad[7] - 'a' + 'A', bad[7] - 'a' + 'A', bad, v->letters[0] ? v->letters : "none",
					    bad, mc_clipset_dir(v->set));
		if (e == ENOENT)
			return mc_ctl_error(resp, "no_clip",
					    "không có đoạn ghi âm / no clip '%s' in %s (files are KEY.wav)",
					    bad, mc_clipset_dir(v->set));
		if (e == EBUSY)
			return mc_ctl_error(resp, "busy", "too many announcements waiting");
		return mc_ctl_error(resp, "bad_arg", "cannot play: %s", strerror(e));
	}
	return MC_CTL_LATER;
}

static enum mc_ctl_result cmd_say(void *ctx, json_t *req, json_t *resp, uint64_t client)
{
	struct voice *v = ctx;
	json_t *arr = json_object_get(req, "keys"), *k;
	const char *keys[MC_AUDIO_MAX_KEYS];
	size_t i, n = json_array_size(arr);

	if (!json_is_array(arr) || n == 0 || n > MC_AUDIO_MAX_KEYS)
		return mc_ctl_error(resp, "bad_arg", "keys: give 1 to %d clip keys (e.g. chime vi/num/mot)",
				    MC_AUDIO_MAX_KEYS);
	json_array_foreach(arr, i, k) {
		if (!json_is_string(k))
			return mc_ctl_error(resp, "bad_arg", "keys: item %zu is not a string", i + 1);
		keys[i] = json_string_value(k);
	}
	return play_for(v, keys, n, req, resp, client);
}

static enum mc_ctl_result cmd_announce(void *ctx, json_t *req, json_t *resp, uint64_t client)
{
	struct voice *v = ctx;
	const char *label = json_string_value(json_object_get(req, "number"));
	json_t *cj = json_object_get(req, "counter");
	const char *keys[MC_AUDIO_MAX_KEYS];
	int n;

	if (!label || !json_is_integer(cj))
		return mc_ctl_error(resp, "bad_arg", "give number (a ticket label such as 1023 or B017) and counter");
	json_int_t counter = json_integer_value(cj);
	if (counter < 1 || counter > 9999)
		return mc_ctl_error(resp, "bad_arg", "counter %lld: must be 1..9999", (long long)counter);
	n = compose(v, label, (int)counter, keys, MC_AUDIO_MAX_KEYS);
	if (n < 0)
		return mc_ctl_error(resp, "bad_arg",
				    "number '%s': not a ticket label (up to two letters A-Z, then 1-9 digits)",
				    label);
	return play_for(v, keys, (size_t)n, req, resp, client);
}

static enum mc_ctl_result cmd_no_audio(void *ctx, json_t *req, json_t *resp, uint64_t client)
{
	(void)ctx;
	(void)req;
	(void)client;
	return mc_ctl_error(resp, "no_audio", "board.conf has no [audio] section: no voice on this kiosk");
}

/* ---- the technician menu's hooks ----------------------------------------- */

static void test_played(void *ctx, const struct mc_audio_result *r)
{
	(void)ctx;
	if (!r->ok)
		mc_log(MC_LOG_ERR, "voice: speaker test not played: %s", r->error);
}

/* A call the way the hall hears one: the first number of the first
 * service to counter 1 (or the lowest counter). */
static int speaker_test(void *priv, char *msg, size_t len)
{
	struct voice *v = priv;
	const struct mc_config *cfg = mc_app_config(v->app);
	const char *keys[MC_AUDIO_MAX_KEYS];
	char label[16];
	int counter = cfg->ncounters ? cfg->counters[0].number : 1;

	if (cfg->nservices)
		snprintf(label, sizeof(label), "%s%d", cfg->services[0].prefix, cfg->services[0].lo);
	else
		snprintf(label, sizeof(label), "1001");
	int n = compose(v, label, counter, keys, MC_AUDIO_MAX_KEYS);
	if (n < 0 || mc_audio_play(v->audio, keys, (size_t)n, test_played, v, NULL) < 0) {
		snprintf(msg, len, "Không phát được (cannot play): %s",
			 errno == EBUSY ? "đang đọc nhiều số / too many calls waiting" : strerror(errno));
		return -1;
	}
	v->tests++;
	mc_log(MC_LOG_NOTICE, "voice: speaker test %s to counter %d at volume %d", label, counter,
	       mc_audio_volume(v->audio));
	return 0;
}

static int set_volume(void *priv, int volume, char *msg, size_t len)
{
	struct voice *v = priv;
	char tmp[620], text[16];

	volume = volume < 0 ? 0 : volume > 100 ? 100 : volume;
	mc_audio_set_volume(v->audio, volume);
	/* Kept across restarts: a small file replaced atomically. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", v->volume_path);
	snprintf(text, sizeof(text), "%d\n", volume);
	FILE *f = fopen(tmp, "w");
	bool ok = f && fputs(text, f) >= 0;
	if (f && fclose(f) != 0)
		ok = false;
	if (!ok || rename(tmp, v->volume_path) < 0) {
		snprintf(msg, len, "Âm lượng %d%% đã áp dụng nhưng không lưu được (applied, not saved): %s",
			 volume, strerror(errno));
		unlink(tmp);
		return -1;
	}
	mc_log(MC_LOG_NOTICE, "voice: volume set to %d by the technician (saved in %s)", volume, v->volume_path);
	return 0;
}

static int get_volume(void *priv)
{
	struct voice *v = priv;
	return mc_audio_volume(v->audio);
}

/* The technician's volume saved in STATE_DIR/volume, or fallback. */
static int saved_volume(const char *path, int fallback)
{
	FILE *f = fopen(path, "r");
	int vol;

	if (!f)
		return fallback;
	if (fscanf(f, "%d", &vol) != 1 || vol < 0 || vol > 100) {
		mc_log(MC_LOG_WARNING, "voice: %s does not hold a volume 0..100: using [audio] volume %d", path,
		       fallback);
		vol = fallback;
	}
	fclose(f);
	return vol;
}

/* ---- start ------------------------------------------------------------- */

/* The clip folder: [audio] clips (relative to board.conf), else the set
 * built in this tree, else the installed one. */
static void clip_dir(const struct mc_config *cfg, char *out, size_t len)
{

	if (cfg->audio.clips[0] == '/') {
		snprintf(out, len, "%s", cfg->audio.clips);
	} else if (cfg->audio.clips[0]) {
		const char *slash = strrchr(cfg->path, '/');
		if (slash)
			snprintf(out, len, "%.*s/%s", (int)(slash - cfg->path), cfg->path,
				 cfg->audio.clips);
		else
			snprintf(out, len, "%s", cfg->audio.clips);
	} else {
		if (mc_data_path("MOTCUA_CLIPS_DIR", CLIPS_REL, out, len) < 0)
			snprintf(out, len, "/usr/%s", CLIPS_REL);
	}
}

int mc_app_add_audio(struct mc_app *app, char *err, size_t errlen)
{
	const struct mc_config *cfg = mc_app_config(app);
	struct mc_ctl *ctl = mc_app_ctl(app);
	const char *keys[256];
	char letters[2 * MC_MAX_SERVICES + 1] = "", dir[512], e[600];
	struct voice *v;
	int n;

	if (!cfg->audio.present) {
		mc_ctl_register(ctl, "say", "play clips (no [audio]: refused)", cmd_no_audio, NULL);
		mc_ctl_register(ctl, "announce", "announce a call (no [audio]: refused)", cmd_no_audio, NULL);
		return 0;
	}
	v = calloc(1, sizeof(*v));
	if (!v) {
		snprintf(err, errlen, "audio: out of memory");
		return -1;
	}
	v->app = app;
	v->reading = (struct mc_reading){
		.lang = strcmp(cfg->audio.voice, "en") ? MC_LANG_VI : MC_LANG_EN,
		.digits = cfg->audio.numbers == MC_READ_DIGITS,
		.le = cfg->audio.south,
		.ngan = cfg->audio.south,
		.nham = cfg->audio.colloquial,
		.no_tu = !cfg->audio.tu,
		.prefixed_digits = cfg->audio.prefixed == MC_READ_DIGITS,
	};
	v->english = cfg->audio.english;
	v->repeat = cfg->audio.repeat;
	v->quiet = cfg->audio.quiet;
	for (int i = 0; i < cfg->nservices; i++)
		if (!strstr(letters, cfg->services[i].prefix))
			strcat(letters, cfg->services[i].prefix);
	snprintf(v->letters, sizeof(v->letters), "%s", letters);

	/* Every clip a call can need is checked now, not when it is needed. */
	n = mc_vnnum_vocabulary(&v->reading, v->english, letters, keys, 256);
	clip_dir(cfg, dir, sizeof(dir));
	v->set = n < 0 ? NULL : mc_clipset_load(dir, keys, (size_t)n, e, sizeof(e));
	if (!v->set) {
		snprintf(err, errlen, "[audio] %s", n < 0 ? "vocabulary too large" : e);
		free(v);
		return -1;
	}
	if (mc_clipset_faded(v->set))
		mc_log(MC_LOG_NOTICE, "voice: %zu clips of %s did not start or end in silence; their edges are faded",
		       mc_clipset_faded(v->set), dir);

	snprintf(v->device, sizeof(v->device), "%s", cfg->audio.device);
	snprintf(v->volume_path, sizeof(v->volume_path), "%s/volume", mc_app_state_dir(app));
	int volume = saved_volume(v->volume_path, cfg->audio.volume);
	v->audio = mc_audio_new(mc_app_loop(app), v->set, v->device, volume,
				mc_app_sim(app), e, sizeof(e));
	if (!v->audio && mc_app_sim(app)) {
		/* No sound card here: the simulator writes what it would say. */
		char folder[300];
		snprintf(folder, sizeof(folder), "%s/voice", mc_app_state_dir(app));
		mkdir(folder, 0755);
		mc_log(MC_LOG_NOTICE, "voice: %s; simulator writes each call to %s/call-NNNN.wav",
		       e, folder);
		snprintf(v->device, sizeof(v->device), "file:FILE=%s/call-{n}.wav,FORMAT=wav", folder);
		v->audio = mc_audio_new(mc_app_loop(app), v->set, v->device, volume, true,
					e, sizeof(e));
	} else if (v->audio && e[0]) {
		mc_log(MC_LOG_ERR, "voice: %s; calls are tried again on it as they come", e);
	}
	if (!v->audio) {
		snprintf(err, errlen, "[audio] %s", e);
		mc_clipset_free(v->set);
		free(v);
		return -1;
	}
	if (mc_app_add_output(app, &voice_ops, v) < 0) {
		snprintf(err, errlen, "audio: too many outputs");
		release(v);
		return -1;
	}
	struct mc_app_hooks *h = mc_app_hooks(app);
	h->speaker_test = speaker_test;
	h->set_volume = set_volume;
	h->get_volume = get_volume;
	h->audio = v;
	mc_ctl_register(ctl, "say", "play clips: keys [...], force", cmd_say, v);
	mc_ctl_register(ctl, "announce", "announce a call: number, counter, force", cmd_announce, v);
	mc_log(MC_LOG_NOTICE, "voice: %zu clips from %s (%d Hz) on %s", mc_clipset_count(v->set), dir,
	       mc_clipset_rate(v->set), v->device);
	return 0;
}

static int service_start(struct mc_app *app, void *priv, char *err, size_t errlen)
{
	(void)priv;
	return mc_app_add_audio(app, err, errlen);
}

/* A clip set that is incomplete or unreadable is a board.conf error (78). */
const struct mc_service mc_service_audio = {
	.name = "audio",
	.start = service_start,
	.exit_code = 78,
};
