/* test-audio-alsa.c — the announcement player through ALSA's file PCM
 * (file:FILE=...,FORMAT=wav, a real alsa-lib PCM writing what was played):
 * output equals the expected clips joined sample for sample, chime
 * included; calls in quick succession play in order without overlap; a
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

/* Expected output: the clip files themselves, read straight from disk, joined. */
static int16_t *expected(const char *const *keys, size_t n, size_t *frames, int *rate)
{
	int16_t *all = NULL;
	size_t total = 0;

	for (size_t i = 0; i < n; i++) {
		char path[512], err[512];
		struct mc_wav w;
		/* A breath is silence, a share of the pause's length. */
		if (!strcmp(keys[i], MC_KEY_BREATH)) {
			size_t f = (size_t)*rate * MC_CLIP_PAUSE_MS / 1000 * MC_CLIP_BREATH_MS / MC_CLIP_PAUSE_MS;
			all = realloc(all, (total + f) * sizeof(int16_t));
			assert_non_null(all);
			memset(all + total, 0, f * sizeof(int16_t));
			total += f;
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s.wav", clipdir, keys[i]);
		if (mc_wav_read(path, &w, err, sizeof(err)) < 0)
			fail_msg("%s", err);
		assert_int_equal(w.channels, 1);
		*rate = w.rate;
		all = realloc(all, (total + w.frames) * sizeof(int16_t));
		assert_non_null(all);
		memcpy(all + total, w.samples, w.frames * sizeof(int16_t));
		total += w.frames;
		mc_wav_release(&w);
	}
	*frames = total;
	return all;
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
	struct mc_wav got;
	char err[512];

	if (mc_wav_read(path, &got, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	assert_int_equal(got.rate, rate);
	assert_int_equal(got.channels, 1);
	if (got.frames != frames)
		fail_msg("%s: %zu frames played, %zu expected", path, got.frames, frames);
	for (size_t i = 0; i < frames; i++)
		if (got.samples[i] != want[i])
			fail_msg("%s: sample %zu is %d, expected %d", path, i, got.samples[i], want[i]);
	mc_wav_release(&got);
}

static void test_one_call_exact(void **state)
{
	struct mc_loop *loop = mc_loop_new();
	struct mc_clipset *set = load_default();
	char dev[512], out[300], err[512];
	const char *keys[64];
	struct record rec = { 0 };
	struct tag t = { &rec, 1 };
	size_t n = call_keys("1023", 3, keys, 64), frames;
	int rate;

	(void)state;
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
	struct mc_clipset *set = load_default();
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
	struct mc_clipset *set = load_default();
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
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return rc;
}
