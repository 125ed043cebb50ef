/* bench-audio.c — voice figures: latency from a call to its first sample
 * accepted by ALSA (p50/p99/max, on the null PCM and on the file PCM), set
 * against a bare worker round trip measured in the same run; number-reading
 * throughput against plain snprintf; clip-set load time.
 *
 * Usage: bench-audio [CLIPDIR]   (default: the set built in this tree) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audio.h"
#include "clips.h"
#include "loop.h"
#include "vnnum.h"
#include "worker.h"

#ifndef MC_CLIPS_BUILD_DIR
#define MC_CLIPS_BUILD_DIR "clips/default"
#endif

#define ROUNDS 200

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static void report(const char *what, int64_t *v, int n, const char *unit)
{
	qsort(v, (size_t)n, sizeof(*v), cmp64);
	printf("  %-44s p50 %7lld  p99 %7lld  max %7lld %s\n", what, (long long)v[n / 2],
	       (long long)v[n * 99 / 100], (long long)v[n - 1], unit);
}

struct lat {
	int64_t first[ROUNDS];
	int64_t ms[ROUNDS];
	int n;
	int64_t submit_ns, ran_ns;
};

static void on_done(void *ctx, const struct mc_audio_result *r)
{
	struct lat *l = ctx;

	l->first[l->n] = r->first_us - r->queued_us;
	l->ms[l->n] = (r->done_us - r->queued_us) / 1000;
	l->n++;
}

/* One announcement at a time on device: call → first sample. */
static int bench_player(struct mc_loop *loop, struct mc_clipset *set, const char *device,
			const char *what)
{
	const char *keys[64];
	struct mc_reading r = { .lang = MC_LANG_VI };
	struct lat l = { .n = 0 };
	char err[512];
	struct mc_audio *a = mc_audio_new(loop, set, device, 80, true, err, sizeof(err));

	if (!a) {
		fprintf(stderr, "bench-audio: %s\n", err);
		return -1;
	}
	for (int i = 0; i < ROUNDS; i++) {
		char label[8];
		snprintf(label, sizeof(label), "%d", 1001 + i);
		keys[0] = MC_KEY_CHIME;
		int n = mc_vnnum_call(label, 1 + i % 9, &r, keys + 1, 63);
		int before = l.n;
		if (mc_audio_play(a, keys, (size_t)n + 1, on_done, &l, NULL) < 0)
			return -1;
		while (l.n == before)
			mc_loop_run_once(loop, 1000);
	}
	report(what, l.first, l.n, "µs");
	mc_audio_free(a);
	return 0;
}

static void job_run(void *p)
{
	struct lat *l = p;
	l->ran_ns = now_ns();
}

static void job_done(void *p, void *ctx)
{
	struct lat *l = p;
	(void)ctx;
	l->first[l->n++] = (l->ran_ns - l->submit_ns) / 1000;
}

/* Baseline: an empty job's trip from the loop to the worker thread. */
static void bench_worker(struct mc_loop *loop)
{
	struct mc_worker *w = mc_worker_new(loop, "bench");
	struct lat l = { .n = 0 };

	for (int i = 0; i < ROUNDS; i++) {
		int before = l.n;
		l.submit_ns = now_ns();
		mc_worker_submit(w, &l, job_run, job_done, NULL);
		while (l.n == before)
			mc_loop_run_once(loop, 1000);
	}
	report("baseline: empty worker job, submit → run", l.first, l.n, "µs");
	mc_worker_free(w);
}

static void bench_reading(void)
{
	const char *keys[MC_VNNUM_MAX];
	struct mc_reading vi = { .lang = MC_LANG_VI }, dg = { .lang = MC_LANG_VI, .digits = true },
			  en = { .lang = MC_LANG_EN };
	const int N = 2000000;
	char buf[32];
	volatile int sink = 0;
	int64_t t0, t_base, t_vi, t_dg, t_en;

	t0 = now_ns();
	for (int i = 0; i < N; i++)
		sink += snprintf(buf, sizeof(buf), "%d", 1000 + i % 9000);
	t_base = now_ns() - t0;
	t0 = now_ns();
	for (int i = 0; i < N; i++)
		sink += mc_vnnum_whole(1000 + i % 9000, &vi, keys, MC_VNNUM_MAX);
	t_vi = now_ns() - t0;
	t0 = now_ns();
	for (int i = 0; i < N; i++) {
		snprintf(buf, sizeof(buf), "%d", 1000 + i % 9000);
		sink += mc_vnnum_label(buf, &dg, keys, MC_VNNUM_MAX);
	}
	t_dg = now_ns() - t0;
	t0 = now_ns();
	for (int i = 0; i < N; i++)
		sink += mc_vnnum_whole(1000 + i % 9000, &en, keys, MC_VNNUM_MAX);
	t_en = now_ns() - t0;
	(void)sink;
	printf("number reading, 1000..9999, %d each:\n", N);
	printf("  baseline snprintf(\"%%d\")                     %6.1f ns/number\n",
	       (double)t_base / N);
	printf("  Vietnamese whole (mc_vnnum_whole)            %6.1f ns/number  (%.1fx baseline, %.1f M/s)\n",
	       (double)t_vi / N, (double)t_vi / (double)t_base, N / ((double)t_vi / 1e3));
	printf("  Vietnamese digits (snprintf + mc_vnnum_label) %6.1f ns/number  (%.1fx baseline)\n",
	       (double)t_dg / N, (double)t_dg / (double)t_base);
	printf("  English whole                                %6.1f ns/number  (%.1fx baseline)\n",
	       (double)t_en / N, (double)t_en / (double)t_base);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : MC_CLIPS_BUILD_DIR;
	const char *keys[256];
	struct mc_reading r = { .lang = MC_LANG_VI };
	char err[1024], dev[300], tmp[] = "/tmp/bench-audio-XXXXXX";
	int n = mc_vnnum_vocabulary(&r, true, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", keys, 256);
	struct mc_loop *loop = mc_loop_new();
	int64_t load[20];

	for (int i = 0; i < 20; i++) {
		int64_t t0 = now_ns();
		struct mc_clipset *s = mc_clipset_load(dir, keys, (size_t)n, err, sizeof(err));
		load[i] = (now_ns() - t0) / 1000;
		if (!s) {
			fprintf(stderr, "bench-audio: %s\n", err);
			return 1;
		}
		mc_clipset_free(s);
	}
	struct mc_clipset *set = mc_clipset_load(dir, keys, (size_t)n, err, sizeof(err));
	printf("clip set %s: %zu clips, %d Hz\n", dir, mc_clipset_count(set), mc_clipset_rate(set));
	report("load and check the whole set (20 runs)", load, 20, "µs");

	printf("call → first sample accepted by ALSA, %d calls one at a time (volume 80):\n", ROUNDS);
	bench_worker(loop);
	if (bench_player(loop, set, "null", "ALSA null PCM") < 0)
		return 1;
	if (!mkdtemp(tmp))
		return 1;
	snprintf(dev, sizeof(dev), "file:FILE=%s/out.wav,FORMAT=wav", tmp);
	if (bench_player(loop, set, dev, "ALSA file PCM (WAV)") < 0)
		return 1;
	snprintf(dev, sizeof(dev), "%s/out.wav", tmp);
	unlink(dev);
	rmdir(tmp);
	bench_reading();
	mc_clipset_free(set);
	mc_loop_free(loop);
	return 0;
}
