/* bench-screen.c — figures for the touch screen: touch to first frame of
 * the ticket screen (p50/p99/max, against mc_app_press alone in the same
 * run), cairo render time per screen at 1280×800 and 1920×1080, and the
 * resident memory of the app with and without the UI. SDL offscreen. */
#include "app-screen.h"
#include "app.h"
#include "i18n.h"
#include "loop.h"
#include "present.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 200
#define RENDERS 30

/* What the bench watches. */
struct watch {
	enum mc_screen_id last;       /* screen of the last kiosk frame */
	int64_t last_at;              /* its present time, µs */
	int64_t render[MC_SCR_COUNT][RENDERS * 4]; /* render µs per screen */
	int nrender[MC_SCR_COUNT];
	bool collect;                 /* record render times */
};

static void observe(void *ctx, const struct mc_present_event *ev)
{
	struct watch *w = ctx;

	if (ev->kind != MC_PE_FRAME || ev->hall)
		return;
	w->last = ev->screen;
	w->last_at = ev->at_us;
	if (w->collect && w->nrender[ev->screen] < RENDERS * 4)
		w->render[ev->screen][w->nrender[ev->screen]++] = ev->render_us;
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static void pct(const char *what, int64_t *v, int n)
{
	if (n <= 0) {
		printf("%-40s no samples\n", what);
		return;
	}
	qsort(v, (size_t)n, sizeof(v[0]), cmp64);
	int i99 = (n * 99) / 100 < n ? (n * 99) / 100 : n - 1;
	printf("%-40s p50 %7.2f ms   p99 %7.2f ms   max %7.2f ms   (n=%d)\n", what, (double)v[n / 2] / 1000.0,
	       (double)v[i99] / 1000.0, (double)v[n - 1] / 1000.0, n);
}

static long rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

static int64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static struct mc_app *make_app(const char *dir, int w, int h)
{
	char board[512], sock[512], err[512], sub[400];
	int code;

	snprintf(sub, sizeof(sub), "%s/%dx%d", dir, w, h);
	mkdir(sub, 0755);
	snprintf(board, sizeof(board), "%s/board.conf", sub);
	FILE *fp = fopen(board, "w");
	fprintf(fp, "[office]\nclock = trust\nname = UBND phường Bách Khoa\nhours = mon-sun 00:00-24:00\ndouble_tap = 0ms\n\n"
		    "[service.civil]\nname = Tư pháp – Hộ tịch\nnumbers = 1-9999\n\n"
		    "[service.land]\nname = Đất đai – Xây dựng\nnumbers = 1-999\nprefix = D\n\n"
		    "[service.biz]\nname = Đăng ký kinh doanh\nnumbers = 1-999\nprefix = B\n\n"
		    "[counter.1]\nservices = civil, land, biz\n\n"
		    "[screen]\nwidth = %d\nheight = %d\nhome_timeout = 600s\n", w, h);
	fclose(fp);
	snprintf(sock, sizeof(sock), "%s/k.sock", sub);
	struct mc_app_options ao = { .board = board, .state_dir = sub, .socket = sock, .sim = true };
	struct mc_app *app = mc_app_new(&ao, err, sizeof(err), &code);
	if (!app)
		fprintf(stderr, "bench-screen: %s\n", err);
	return app;
}

static void run_until(struct mc_loop *loop, bool (*pred)(void *), void *ctx)
{
	int64_t end = mc_mono_ms() + 10000;
	while (!pred(ctx) && mc_mono_ms() < end)
		mc_loop_run_once(loop, 5);
}

struct wait_frame {
	struct watch *w;
	enum mc_screen_id id;
	int64_t after;
};

static bool frame_seen(void *ctx)
{
	struct wait_frame *f = ctx;
	return f->w->last == f->id && f->w->last_at >= f->after;
}

static void bench_size(const char *dir, int width, int height, bool touch_bench)
{
	static int64_t lat[ROUNDS], base[ROUNDS];
	struct watch w = { .last = MC_SCR_COUNT };
	char err[512], what[96];

	long rss0 = rss_kb();
	struct mc_app *app = make_app(dir, width, height);
	if (!app)
		return;
	long rss_app = rss_kb();
	struct mc_loop *loop = mc_app_loop(app);

	/* Baseline: the press itself, no UI. */
	for (int i = 0; i < ROUNDS && touch_bench; i++) {
		struct mc_issue is;
		int64_t t0 = mono_us();
		mc_app_press(app, i % 3, false, "bench", &is);
		base[i] = mono_us() - t0;
	}

	struct mc_app_screen_options so = { .driver = "offscreen", .report_frames = true,
					    .observe = observe, .observe_ctx = &w };
	struct mc_app_screen *s = mc_app_add_screen(app, &so, err, sizeof(err));
	if (!s) {
		fprintf(stderr, "bench-screen: %s\n", err);
		mc_app_free(app);
		return;
	}
	struct mc_present *p = mc_app_screen_present(s);
	struct wait_frame wf = { &w, MC_SCR_HOME, 0 };
	run_until(loop, frame_seen, &wf);
	long rss_ui = rss_kb();

	if (touch_bench) {
		int n = 0;
		for (int i = 0; i < ROUNDS; i++) {
			char name[32];
			snprintf(name, sizeof(name), "service:%d", i % 3);
			int64_t t0 = mono_us();
			mc_present_touch(p, name, 0, 0);
			wf = (struct wait_frame){ &w, MC_SCR_TICKET, t0 };
			run_until(loop, frame_seen, &wf);
			if (frame_seen(&wf))
				lat[n++] = w.last_at - t0;
			int64_t t1 = mono_us();
			mc_present_touch(p, "any", 0, 0);
			wf = (struct wait_frame){ &w, MC_SCR_HOME, t1 };
			run_until(loop, frame_seen, &wf);
		}
		printf("\n== touch to ticket screen, %dx%d ==\n", width, height);
		pct("mc_app_press alone (baseline)", base, ROUNDS);
		pct("touch -> first ticket frame presented", lat, n);
		qsort(base, ROUNDS, sizeof(base[0]), cmp64);
		printf("%-40s %.1fx the baseline p50\n", "ratio", base[ROUNDS / 2] ? (double)lat[n / 2] / (double)base[ROUNDS / 2] : 0);
	}

	/* Render time per screen: each show forces one frame. */
	static const struct { enum mc_screen_id id; enum mc_notice n; const char *name; } scr[] = {
		{ MC_SCR_HOME, MC_NOTICE_NONE, "home" }, { MC_SCR_PRIORITY, MC_NOTICE_NONE, "priority" },
		{ MC_SCR_TICKET, MC_NOTICE_NONE, "ticket" }, { MC_SCR_NOTICE, MC_NOTICE_BUSY, "notice" },
		{ MC_SCR_PIN, MC_NOTICE_NONE, "pin" }, { MC_SCR_TECH, MC_NOTICE_NONE, "technician" },
	};
	memset(w.nrender, 0, sizeof(w.nrender));
	w.collect = true;
	for (int r = 0; r < RENDERS; r++)
		for (size_t k = 0; k < sizeof(scr) / sizeof(scr[0]); k++) {
			int64_t t0 = mono_us();
			mc_present_show(p, scr[k].id, scr[k].n, (enum mc_lang)(r % 2));
			wf = (struct wait_frame){ &w, scr[k].id, t0 };
			run_until(loop, frame_seen, &wf);
		}
	w.collect = false;
	printf("\n== cairo+pango render time per screen, %dx%d ==\n", width, height);
	for (size_t k = 0; k < sizeof(scr) / sizeof(scr[0]); k++) {
		snprintf(what, sizeof(what), "render %s", scr[k].name);
		pct(what, w.render[scr[k].id], w.nrender[scr[k].id]);
	}
	printf("\n== resident memory, %dx%d ==\n", width, height);
	printf("%-40s %ld KiB\n", "process before the app", rss0);
	printf("%-40s %ld KiB (+%ld)\n", "app without UI", rss_app, rss_app - rss0);
	printf("%-40s %ld KiB (+%ld for the UI)\n", "app with UI (SDL, cairo, pango, fonts)", rss_ui, rss_ui - rss_app);
	printf("%-40s %ld KiB\n", "after the run", rss_kb());
	mc_app_free(app);
}

/* Starts kioskd --sim on board, waits for its socket, reads its VmRSS after
 * the screens (if any) drew their first frames, stops it. -1 on failure. */
static long kioskd_rss(const char *dir, const char *name, bool screen)
{
	char board[600], sock[600], state[600], path[700], line[256];
	long kb = -1;

	snprintf(state, sizeof(state), "%s/%s", dir, name);
	mkdir(state, 0755);
	snprintf(board, sizeof(board), "%s/board.conf", state);
	snprintf(sock, sizeof(sock), "%s/k.sock", state);
	FILE *fp = fopen(board, "w");
	fprintf(fp, "[office]\nclock = trust\nname = UBND phường Bách Khoa\nhours = mon-sun 00:00-24:00\n\n"
		    "[service.civil]\nname = Tư pháp – Hộ tịch\n\n[service.land]\nname = Đất đai – Xây dựng\n"
		    "numbers = 2001-2999\n\n[counter.1]\nservices = civil, land\n\n%s",
		screen ? "[screen]\nwidth = 1280\nheight = 800\n\n[hall]\ndisplay = window\n" : "");
	fclose(fp);
	fflush(stdout); /* the child must not flush our buffer again */
	pid_t pid = fork();
	if (pid == 0) {
		unsetenv("DISPLAY");
		unsetenv("WAYLAND_DISPLAY");
		if (!freopen("/dev/null", "w", stdout))
			_exit(127);
		execl(MC_KIOSKD_PATH, "kioskd", "--board", board, "--state-dir", state, "--socket", sock, "--sim",
		      (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 200 && access(sock, F_OK) != 0; i++)
		usleep(20000);
	usleep(500000); /* first frames */
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	fp = fopen(path, "r");
	while (fp && fgets(line, sizeof(line), fp))
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			break;
	if (fp)
		fclose(fp);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	return kb;
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/bench-screen-XXXXXX";

	mc_i18n_prepare_env(); /* before any thread */
	(void)argc;
	(void)argv;
	if (!mkdtemp(dir))
		return 1;
	/* The app logs every ticket on stderr: keep the figures readable. */
	if (!getenv("BENCH_VERBOSE") && !freopen("/dev/null", "w", stderr))
		return 1;
	bench_size(dir, 1280, 800, true);
	bench_size(dir, 1920, 1080, false);
	long plain = kioskd_rss(dir, "kioskd-plain", false), ui = kioskd_rss(dir, "kioskd-ui", true);
	printf("\n== kioskd --sim resident memory ==\n");
	printf("%-40s %ld KiB\n", "without [screen]", plain);
	printf("%-40s %ld KiB (+%ld, %.1fx)\n", "with [screen] 1280x800 + [hall] window", ui, ui - plain,
	       plain > 0 ? (double)ui / (double)plain : 0);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
