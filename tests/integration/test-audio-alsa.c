/* test-audio-alsa.c — the announcement player through ALSA's file PCM
 * (file:FILE=...,FORMAT=wav, a real alsa-lib PCM writing what was played):
 * output equals the expected clips joined sample for sample, chime
 * included (clips the test writes itself, byte by byte, with known samples,
 * and the output read back by the test's own RIFF reader; the words of a
 * call written out); calls in quick succession play in order without overlap; a
 * missing clip is an error at load naming the file; a bad device fails
 * clearly; volume and format conversion.
 *
 * Usage: test-audio-alsa CLIPDIR (the built-in set, built by tools/clips). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "audio.h"
#include "clips.h"
#include "loop.h"
#include "vnnum.h"
#include "wav.h"

static const char *clipdir;
static char tmpdir[256];

/* Done callbacks record here, in the order they ran. */
struct record {
	int order[8];
	struct mc_audio_result r[8];
	int n;
};

struct tag {
	struct record *rec;
	int id;
};

static void on_done(void *ctx, const struct mc_audio_result *r)
{
	struct tag *t = ctx;

	t->rec->order[t->rec->n] = t->id;
	t->rec->r[t->rec->n++] = *r;
}

/* Runs the loop until want callbacks ran (at most ~30 s). */
static void wait_for(struct mc_loop *loop, struct record *rec, int want)
{
	for (int i = 0; i < 300 && rec->n < want; i++)
		mc_loop_run_once(loop, 100);
	assert_int_equal(rec->n, want);
}

/* Loads every clip a northern Vietnamese + English kiosk with prefix B needs. */
static struct mc_clipset *load_default(void)
{
	const char *keys[256];
	struct mc_reading r = { .lang = MC_LANG_VI };
	char err[1024];
	int n = mc_vnnum_vocabulary(&r, true, "B", keys, 256);
	assert_true(n > 0);
	struct mc_clipset *set = mc_clipset_load(clipdir, keys, (size_t)n, err, sizeof(err));
	if (!set)
		fail_msg("%s", err);
	return set;
}

/* ---- a clip set the test makes itself ----------------------------------
 * The expected output must not come from the code under test: every clip
 * of this set is written here, byte by byte (RIFF, PCM, 16 bits, mono,
 * 16000 Hz), with samples that are a known function of the clip's key, and
 * the played file is read back by the small RIFF reader below, not by
 * mc_wav_read. */
#define KNOWN_RATE 16000

static char knowndir[300];

static uint32_t key_hash(const char *key)
{
	uint32_t h = 2166136261u;

	for (; *key; key++)
		h = (h ^ (uint8_t)*key) * 16777619u;
	return h;
}

/* Clip key's length in frames and its sample i. */
static size_t known_frames(const char *key)
{
	return 160 + key_hash(key) % 400;
}

/* Silent first and last samples: such clips are kept sample for sample
 * (clips.h), so the expected output is exactly these samples. */
static int16_t known_sample(const char *key, size_t i)
{
	if (i == 0 || i == known_frames(key) - 1)
		return 0;
	return (int16_t)((int)(key_hash(key) % 20000) - 10000 + (int)(i % 64) * 37);
}

static void put_le(FILE *f, uint32_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		fputc((int)((v >> (8 * i)) & 0xff), f);
}

/* Writes dir/key.wav (making its folders) by hand. */
static void write_known_clip(const char *dir, const char *key)
{
	char path[512];
	size_t n = known_frames(key);

	snprintf(path, sizeof(path), "%s/%s.wav", dir, key);
	for (char *p = path + strlen(dir) + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			mkdir(path, 0755);
			*p = '/';
		}
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fwrite("RIFF", 1, 4, f);
	put_le(f, (uint32_t)(36 + n * 2), 4);
	fwrite("WAVEfmt ", 1, 8, f);
	put_le(f, 16, 4);             /* fmt chunk size */
	put_le(f, 1, 2);              /* PCM */
	put_le(f, 1, 2);              /* mono */
	put_le(f, KNOWN_RATE, 4);
	put_le(f, KNOWN_RATE * 2, 4); /* bytes per second */
	put_le(f, 2, 2);              /* block align */
	put_le(f, 16, 2);             /* bits */
	fwrite("data", 1, 4, f);
	put_le(f, (uint32_t)(n * 2), 4);
	for (size_t i = 0; i < n; i++)
		put_le(f, (uint16_t)known_sample(key, i), 2);
	assert_int_equal(fclose(f), 0);
}

/* A set of known clips for every key a northern Vietnamese + English
 * kiosk with prefix B needs, and the chime. */
static struct mc_clipset *load_known(void)
{
	const char *keys[256];
	struct mc_reading r = { .lang = MC_LANG_VI };
	char err[1024];
	int n = mc_vnnum_vocabulary(&r, true, "B", keys, 256);

	assert_true(n > 0);
	write_known_clip(knowndir, MC_KEY_CHIME);
	for (int i = 0; i < n; i++)
		write_known_clip(knowndir, keys[i]);
	struct mc_clipset *set = mc_clipset_load(knowndir, keys, (size_t)n, err, sizeof(err));
	if (!set)
		fail_msg("%s", err);
	return set;
}

/* The known clips of keys, joined. */
static int16_t *expected(const char *const *keys, size_t n, size_t *frames, int *rate)
{
	size_t total = 0, k = 0;

	/* A breath is silence, a share of the pause's length (clips.h). */
	const size_t breath = (size_t)KNOWN_RATE * MC_CLIP_PAUSE_MS / 1000 * MC_CLIP_BREATH_MS / MC_CLIP_PAUSE_MS;

	for (size_t i = 0; i < n; i++)
		total += strcmp(keys[i], MC_KEY_BREATH) ? known_frames(keys[i]) : breath;
	int16_t *all = malloc(total * sizeof(int16_t));
	assert_non_null(all);
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(keys[i], MC_KEY_BREATH)) {
			for (size_t j = 0; j < breath; j++)
				all[k++] = 0;
			continue;
		}
		for (size_t j = 0; j < known_frames(keys[i]); j++)
			all[k++] = known_sample(keys[i], j);
	}
	*frames = total;
	*rate = KNOWN_RATE;
	return all;
}

static uint32_t get_le(const uint8_t *p, int bytes)
{
	uint32_t v = 0;

	for (int i = bytes - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* Reads a 16-bit PCM WAV by its RIFF chunks; a data size of 0 or past the
 * end (a writer that never went back to fix it) means "to the end". */
static int16_t *read_riff(const char *path, size_t *frames, int *rate, int *channels)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("%s: cannot open", path);
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *buf = malloc((size_t)len);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	assert_true(len >= 12 && !memcmp(buf, "RIFF", 4) && !memcmp(buf + 8, "WAVE", 4));
	size_t pos = 12, bits = 0;
	int16_t *out = NULL;
	while (pos + 8 <= (size_t)len) {
		uint32_t size = get_le(buf + pos + 4, 4);
		const uint8_t *body = buf + pos + 8;
		if (!memcmp(buf + pos, "fmt ", 4)) {
			assert_int_equal(get_le(body, 2), 1); /* PCM */
			*channels = (int)get_le(body + 2, 2);
			*rate = (int)get_le(body + 4, 4);
			bits = get_le(body + 14, 2);
		} else if (!memcmp(buf + pos, "data", 4)) {
			size_t avail = (size_t)len - pos - 8;
			if (size == 0 || size > avail)
				size = (uint32_t)avail;
			assert_int_equal(bits, 16);
			*frames = size / 2 / (size_t)*channels;
			out = malloc(*frames * (size_t)*channels * sizeof(int16_t) + 1);
			assert_non_null(out);
			for (size_t i = 0; i < *frames * (size_t)*channels; i++)
				out[i] = (int16_t)get_le(body + 2 * i, 2);
			break;
		}
		pos += 8 + size + (size & 1);
	}
	free(buf);
	if (!out)
		fail_msg("%s: no data chunk", path);
	return out;
}

/* Chime + the call of label to counter, Vietnamese, whole numbers. */
static size_t call_keys(const char *label, int counter, const char **keys, size_t max)
{
	struct mc_reading r = { .lang = MC_LANG_VI };
	keys[0] = MC_KEY_CHIME;
	int n = mc_vnnum_call(label, counter, &r, keys + 1, max - 1);
	assert_true(n > 0);
	return (size_t)n + 1;
}

static void compare_output(const char *path, const int16_t *want, size_t frames, int rate)
{
	size_t got_frames = 0;
	int got_rate = 0, got_channels = 0;
	int16_t *got = read_riff(path, &got_frames, &got_rate, &got_channels);

	assert_int_equal(got_rate, rate);
	assert_int_equal(got_channels, 1);
	if (got_frames != frames)
		fail_msg("%s: %zu frames played, %zu expected", path, got_frames, frames);
	for (size_t i = 0; i < frames; i++)
		if (got[i] != want[i])
			fail_msg("%s: sample %zu is %d, expected %d", path, i, got[i], want[i]);
	free(got);
}

static void test_one_call_exact(void **state)
{
	struct mc_loop *loop = mc_loop_new();
	struct mc_clipset *set = load_known();
	char dev[512], out[300], err[512], words[512];
	const char *keys[64];
	struct record rec = { 0 };
	struct tag t = { &rec, 1 };
	size_t n = call_keys("1023", 3, keys, 64), frames;
	int rate;
	/* The words, written out: "một nghìn không trăm hai mươi ba", to counter 3,
	 * with a breath before the number and before "đến quầy số". */
	static const char *const spoken[] = {
		"chime", "vi/moi_cong_dan_co_so", "breath", "vi/num/mot", "vi/num/nghin",
		"vi/num/khong", "vi/num/tram", "vi/num/hai", "vi/num/muoi_", "vi/num/ba", "breath",
		"vi/den_quay_so", "vi/num/ba",
	};

	(void)state;
	assert_int_equal(n, sizeof(spoken) / sizeof(spoken[0]));
	for (size_t i = 0; i < n; i++)
		assert_string_equal(keys[i], spoken[i]);
	assert_string_equal(mc_vnnum_join(keys, n, words, sizeof(words)),
			    "♪ Mời công dân có số một nghìn không trăm hai mươi ba đến quầy số ba");
	snprintf(out, sizeof(out), "%s/one.wav", tmpdir);
	snprintf(dev, sizeof(dev), "file:FILE=%s,FORMAT=wav", out);
	struct mc_audio *a = mc_audio_new(loop, set, dev, 100, true, err, sizeof(err));
	if (!a)
		fail_msg("%s", err);
	assert_int_equal(mc_audio_play(a, keys, n, on_done, &t, NULL), 0);
	wait_for(loop, &rec, 1);
	assert_true(rec.r[0].ok);
	assert_true(rec.r[0].first_us >= rec.r[0].queued_us);
	assert_int_equal(mc_audio_played(a), 1);
	mc_audio_free(a);

	int16_t *want = expected(keys, n, &frames, &rate);
	assert_int_equal(rec.r[0].frames, frames);
	compare_output(out, want, frames, rate);
	free(want);
	mc_clipset_free(set);
	mc_loop_free(loop);
}

static void test_three_in_order(void **state)
{
	static const struct { const char *label; int counter; } calls[3] = {
		{ "1001", 1 }, { "B017", 2 }, { "2105", 3 },
	};
	struct mc_loop *loop = mc_loop_new();
	struct mc_clipset *set = load_known();
	char dev[512], out[300], err[512];
	const char *keys[3][64], *all[192];
	size_t nk[3], nall = 0, frames;
	struct record rec = { 0 };
	struct tag tags[3];
	int rate;

	(void)state;
	snprintf(out, sizeof(out), "%s/three.wav", tmpdir);
	snprintf(dev, sizeof(dev), "file:FILE=%s,FORMAT=wav", out);
	struct mc_audio *a = mc_audio_new(loop, set, dev, 100, true, err, sizeof(err));
	if (!a)
		fail_msg("%s", err);
	/* Queued back to back, before the first has played. */
	for (int i = 0; i < 3; i++) {
		tags[i] = (struct tag){ &rec, i };
		nk[i] = call_keys(calls[i].label, calls[i].counter, keys[i], 64);
		assert_int_equal(mc_audio_play(a, keys[i], nk[i], on_done, &tags[i], NULL), 0);
		memcpy(all + nall, keys[i], nk[i] * sizeof(char *));
		nall += nk[i];
	}
	assert_true(mc_audio_pending(a) >= 2);
	wait_for(loop, &rec, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(rec.order[i], i);
		assert_true(rec.r[i].ok);
		/* Each started after the one before had drained: no overlap. */
		if (i)
			assert_true(rec.r[i].first_us >= rec.r[i - 1].done_us);
	}
	mc_audio_free(a);
	int16_t *want = expected(all, nall, &frames, &rate);
	compare_output(out, want, frames, rate);
	free(want);
	mc_clipset_free(set);
	mc_loop_free(loop);
}

/* A device name with {n}: one complete WAV per announcement. */
static void test_file_per_call(void **state)
{
	struct mc_loop *loop = mc_loop_new();
	struct mc_clipset *set = load_known();
	char dev[512], out[300], err[512];
	const char *keys[2][64];
	size_t nk[2], frames;
	struct record rec = { 0 };
	struct tag tags[2] = { { &rec, 0 }, { &rec, 1 } };
	int rate;

	(void)state;
	snprintf(dev, sizeof(dev), "file:FILE=%s/call-{n}.wav,FORMAT=wav", tmpdir);
	struct mc_audio *a = mc_audio_new(loop, set, dev, 100, true, err, sizeof(err));
	if (!a)
		fail_msg("%s", err);
	nk[0] = call_keys("1001", 1, keys[0], 64);
	nk[1] = call_keys("B002", 2, keys[1], 64);
	assert_int_equal(mc_audio_play(a, keys[0], nk[0], on_done, &tags[0], NULL), 0);
	assert_int_equal(mc_audio_play(a, keys[1], nk[1], on_done, &tags[1], NULL), 0);
	wait_for(loop, &rec, 2);
	assert_true(rec.r[0].ok && rec.r[1].ok);
	/* Both files are complete while the player still runs. */
	for (int i = 0; i < 2; i++) {
		int16_t *want = expected(keys[i], nk[i], &frames, &rate);
		snprintf(out, sizeof(out), "%s/call-%04d.wav", tmpdir, i + 1);
		compare_output(out, want, frames, rate);
		free(want);
	}
	mc_audio_free(a);
	mc_clipset_free(set);
	mc_loop_free(loop);
}

/* Copies clip key from the default set into dir. */
static void copy_clip(const char *dir, const char *key)
{
	char src[512], dst[512], err[512], sub[512];
	struct mc_wav w;

	snprintf(src, sizeof(src), "%s/%s.wav", clipdir, key);
	snprintf(dst, sizeof(dst), "%s/%s.wav", dir, key);
	/* Make the folders of the key. */
	snprintf(sub, sizeof(sub), "%s", dst);
	for (char *p = sub + strlen(dir) + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			mkdir(sub, 0755);
			*p = '/';
		}
	if (mc_wav_read(src, &w, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_int_equal(mc_wav_write(dst, w.rate, w.channels, w.samples, w.frames), 0);
	mc_wav_release(&w);
}

static void test_missing_clip(void **state)
{
	const char *keys[256];
	struct mc_reading r = { .lang = MC_LANG_VI };
	char dir[300], path[512], err[1024];
	int n = mc_vnnum_vocabulary(&r, false, "", keys, 256);

	(void)state;
	snprintf(dir, sizeof(dir), "%s/partial", tmpdir);
	mkdir(dir, 0755);
	copy_clip(dir, MC_KEY_CHIME);
	for (int i = 0; i < n; i++)
		copy_clip(dir, keys[i]);
	/* Complete: loads. */
	struct mc_clipset *set = mc_clipset_load(dir, keys, (size_t)n, err, sizeof(err));
	if (!set)
		fail_msg("%s", err);
	mc_clipset_free(set);
	/* Two clips gone: refused at load, naming them. */
	snprintf(path, sizeof(path), "%s/vi/num/bay.wav", dir);
	assert_int_equal(unlink(path), 0);
	snprintf(path, sizeof(path), "%s/vi/den_quay_so.wav", dir);
	assert_int_equal(unlink(path), 0);
	assert_null(mc_clipset_load(dir, keys, (size_t)n, err, sizeof(err)));
	if (!strstr(err, "missing") || !strstr(err, "and 1 more") ||
	    !(strstr(err, "vi/num/bay") && strstr(err, "vi/den_quay_so")))
		fail_msg("unclear message: %s", err);
	/* No chime: refused too. */
	snprintf(path, sizeof(path), "%s/chime.wav", dir);
	assert_int_equal(unlink(path), 0);
	assert_null(mc_clipset_load(dir, keys, (size_t)n, err, sizeof(err)));
	if (!strstr(err, "chime.wav") || !strstr(err, "missing"))
		fail_msg("unclear message: %s", err);
	/* Not a WAV file. */
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("not audio", f);
	fclose(f);
	assert_null(mc_clipset_load(dir, keys, (size_t)n, err, sizeof(err)));
	if (!strstr(err, "chime.wav") || !strstr(err, "not a WAV"))
		fail_msg("unclear message: %s", err);
}

static void test_volume_and_pause(void **state)
{
	struct mc_loop *loop = mc_loop_new();
	struct mc_clipset *set = load_default();
	char dev[512], out[300], err[512];
	const char *keys[] = { "vi/num/mot", MC_KEY_PAUSE, "vi/num/hai" };
	struct record rec = { 0 };
	struct tag t = { &rec, 1 };
	size_t f1, f2, fp;
	struct mc_wav got;

	(void)state;
	snprintf(out, sizeof(out), "%s/vol.wav", tmpdir);
	snprintf(dev, sizeof(dev), "file:FILE=%s,FORMAT=wav", out);
	struct mc_audio *a = mc_audio_new(loop, set, dev, 50, true, err, sizeof(err));
	if (!a)
		fail_msg("%s", err);
	assert_int_equal(mc_audio_play(a, keys, 3, on_done, &t, NULL), 0);
	wait_for(loop, &rec, 1);
	mc_audio_free(a);
	const int16_t *s1 = mc_clipset_get(set, "vi/num/mot", &f1);
	const int16_t *s2 = mc_clipset_get(set, "vi/num/hai", &f2);
	assert_non_null(mc_clipset_get(set, MC_KEY_PAUSE, &fp));
	assert_int_equal(fp, (size_t)mc_clipset_rate(set) * MC_CLIP_PAUSE_MS / 1000);
	assert_int_equal(mc_wav_read(out, &got, err, sizeof(err)), 0);
	assert_int_equal(got.frames, f1 + fp + f2);
	for (size_t i = 0; i < f1; i++)
		assert_int_equal(got.samples[i], (int16_t)(s1[i] * 50 / 100));
	for (size_t i = 0; i < fp; i++)
		assert_int_equal(got.samples[f1 + i], 0);
	for (size_t i = 0; i < f2; i++)
		assert_int_equal(got.samples[f1 + fp + i], (int16_t)(s2[i] * 50 / 100));
	mc_wav_release(&got);
	mc_clipset_free(set);
	mc_loop_free(loop);
}

static void test_unknown_key_and_bad_device(void **state)
{
	struct mc_loop *loop = mc_loop_new();
	struct mc_clipset *set = load_default();
	char err[512];
	const char *keys[] = { "vi/num/mot", "vi/num/khong_co" };
	const char *bad = NULL;
	struct record rec = { 0 };
	struct tag t = { &rec, 1 };

	(void)state;
	/* Strict: refused with the device named. */
	assert_null(mc_audio_new(loop, set, "no_such_pcm_motcua", 100, true, err, sizeof(err)));
	if (!strstr(err, "no_such_pcm_motcua"))
		fail_msg("unclear message: %s", err);
	/* Lenient: starts, each announcement fails clearly and the next retries. */
	struct mc_audio *a = mc_audio_new(loop, set, "no_such_pcm_motcua", 100, false, err,
					  sizeof(err));
	assert_non_null(a);
	assert_true(strstr(err, "no_such_pcm_motcua") != NULL);
	assert_int_equal(mc_audio_play(a, keys, 2, on_done, &t, &bad), -1);
	assert_int_equal(errno, ENOENT);
	assert_string_equal(bad, "vi/num/khong_co");
	assert_int_equal(mc_audio_play(a, keys, 0, on_done, &t, NULL), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(mc_audio_play(a, keys, 1, on_done, &t, NULL), 0);
	assert_int_equal(mc_audio_play(a, keys, 1, on_done, &t, NULL), 0);
	wait_for(loop, &rec, 2);
	assert_false(rec.r[0].ok);
	assert_false(rec.r[1].ok);
	assert_true(strstr(rec.r[1].error, "no_such_pcm_motcua") != NULL);
	assert_int_equal(mc_audio_failed(a), 2);
	assert_true(strstr(mc_audio_last_error(a), "no_such_pcm_motcua") != NULL);
	mc_audio_free(a);
	mc_clipset_free(set);
	mc_loop_free(loop);
}

static void test_convert_and_fade(void **state)
{
	char dir[300], path[512], err[512];
	const char *keys[] = { "loud" };
	int16_t chime[2205] = { 0 }, loud[44100 * 2];
	size_t frames;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/mixed", tmpdir);
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/chime.wav", dir);
	assert_int_equal(mc_wav_write(path, 22050, 1, chime, 2205), 0);
	/* One second of a loud stereo square wave at 44.1 kHz, edges loud. */
	for (size_t i = 0; i < 44100; i++) {
		loud[2 * i] = (i / 50) % 2 ? 20000 : -20000;
		loud[2 * i + 1] = loud[2 * i];
	}
	snprintf(path, sizeof(path), "%s/loud.wav", dir);
	assert_int_equal(mc_wav_write(path, 44100, 2, loud, 44100), 0);
	struct mc_clipset *set = mc_clipset_load(dir, keys, 1, err, sizeof(err));
	if (!set)
		fail_msg("%s", err);
	assert_int_equal(mc_clipset_rate(set), 22050);
	assert_int_equal(mc_clipset_channels(set), 1);
	const int16_t *s = mc_clipset_get(set, "loud", &frames);
	assert_int_equal(frames, 22050);
	assert_int_equal(mc_clipset_faded(set), 1);
	/* Faded edges start and end at silence; the middle keeps its level. */
	assert_int_equal(s[0], 0);
	assert_true(abs(s[frames - 1]) <= MC_CLIP_QUIET_EDGE);
	assert_true(abs(s[frames / 2 + 10]) > 15000);
	mc_clipset_free(set);
}

static void test_quiet_hours(void **state)
{
	(void)state;
	assert_false(mc_audio_is_quiet(0, 0, 600));            /* none */
	assert_true(mc_audio_is_quiet(720, 810, 720));         /* 12:00-13:30 */
	assert_false(mc_audio_is_quiet(720, 810, 810));
	assert_true(mc_audio_is_quiet(1320, 360, 1439));       /* 22:00-06:00 */
	assert_true(mc_audio_is_quiet(1320, 360, 0));
	assert_false(mc_audio_is_quiet(1320, 360, 360));
	assert_false(mc_audio_is_quiet(1320, 360, 700));
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_call_exact),
		cmocka_unit_test(test_three_in_order),
		cmocka_unit_test(test_file_per_call),
		cmocka_unit_test(test_missing_clip),
		cmocka_unit_test(test_volume_and_pause),
		cmocka_unit_test(test_unknown_key_and_bad_device),
		cmocka_unit_test(test_convert_and_fade),
		cmocka_unit_test(test_quiet_hours),
	};
	char cmd[300];

	if (argc != 2) {
		fprintf(stderr, "usage: test-audio-alsa CLIPDIR\n");
		return 2;
	}
	clipdir = argv[1];
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/motcua-audio-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(knowndir, sizeof(knowndir), "%s/known", tmpdir);
	mkdir(knowndir, 0755);
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return rc;
}
