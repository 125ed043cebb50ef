/* bench-gpio.c — GPIO figures: edge → ticket and edge → call latency
 * through the real loop, glue, engine and SQLite store (fake GPIO backend),
 * against the debounce interval they must include; and display frame write
 * time on the fake lines against the sum of the datasheet holds. Prints
 * p50/p99/max. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app-gpio.h"
#include "app.h"
#include "display.h"
#include "engine.h"
#include "gpio-fake.h"
#include "gpio.h"
#include "loop.h"
#include "max7219.h"
#include "tm1637.h"

#define N 200

static int cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static void report(const char *what, int64_t *v, int n, const char *unit, double div)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	printf("  %-46s p50 %8.3f  p99 %8.3f  max %8.3f %s\n", what, (double)v[n / 2] / div,
	       (double)v[(n * 99) / 100] / div, (double)v[n - 1] / div, unit);
}

static const char board[] =
	"[office]\nclock = trust\nname = Bench\nhours = mon-sun 00:00-24:00\ndouble_tap = 0ms\n"
	"[service.civil]\nname = Tư pháp\nnumbers = 1-9999\nbutton = gpiochip0:17 active-low\n"
	"[counter.1]\nservices = civil\nkeys = next = gpiochip0:5 active-low\n"
	"display = tm1637 gpiochip0:23,24\n"
	"[gpio]\ndebounce = 5ms\nblinks = 0\n";

static int waiting(struct mc_app *app)
{
	return mc_engine_waiting(mc_app_engine(app), 0);
}

static int bench_inputs(void)
{
	char dir[] = "/tmp/mc-bench-gpio-XXXXXX", path[128], sock[128], err[512];
	struct mc_config *cfg = malloc(sizeof(*cfg));
	struct mc_gpio_fake *fake;
	int code;
	int64_t issue[N], call[N], frame_ns[N];

	if (!cfg || !mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/board.conf", dir);
	snprintf(sock, sizeof(sock), "%s/k.sock", dir);
	FILE *f = fopen(path, "w");
	fputs(board, f);
	fclose(f);
	if (mc_config_load(path, cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	struct mc_gpio *gpio = mc_gpio_fake_new(false, &fake);
	mc_gpio_fake_add_chip(fake, "gpiochip0", 54);
	struct mc_app_gpio *g = mc_app_gpio_open(cfg, gpio, false, err, sizeof(err));
	struct mc_app_options opt = { .board = path, .state_dir = dir, .socket = sock };
	struct mc_app *app = g ? mc_app_new(&opt, err, sizeof(err), &code) : NULL;
	if (!app || mc_app_gpio_start(g, app) < 0) {
		fprintf(stderr, "bench-gpio: %s\n", err);
		return 1;
	}
	struct mc_loop *loop = mc_app_loop(app);
	for (int i = 0; i < N; i++) {
		/* Citizen's button: edge to committed ticket. */
		int before = waiting(app);
		int64_t t0 = mc_gpio_now_ns();
		mc_gpio_fake_drive(fake, "gpiochip0", 17, 0, 0);
		while (waiting(app) == before)
			mc_loop_run_once(loop, 1);
		issue[i] = mc_gpio_now_ns() - t0;
		mc_gpio_fake_drive(fake, "gpiochip0", 17, 1, 0);
		for (int64_t end = mc_mono_ms() + 8; mc_mono_ms() < end;)
			mc_loop_run_once(loop, 1);

		/* Clerk's NEXT: edge to committed call, then the board's frame. */
		size_t n0, n1;
		free(mc_gpio_fake_changes(fake, &n0));
		before = waiting(app);
		t0 = mc_gpio_now_ns();
		mc_gpio_fake_drive(fake, "gpiochip0", 5, 0, 0);
		while (waiting(app) == before)
			mc_loop_run_once(loop, 1);
		int64_t t1 = mc_gpio_now_ns();
		call[i] = t1 - t0;
		/* The display worker writes the frame; it is done when the lines
		 * have been quiet for 3 ms. */
		for (size_t last = n0;;) {
			mc_loop_run_once(loop, 1);
			struct mc_gpio_fake_change *ch = mc_gpio_fake_changes(fake, &n1);
			if (n1 > n0 && n1 == last && mc_gpio_now_ns() - ch[n1 - 1].t_ns > 3000000) {
				frame_ns[i] = ch[n1 - 1].t_ns - t1;
				free(ch);
				break;
			}
			last = n1;
			free(ch);
		}
		mc_gpio_fake_drive(fake, "gpiochip0", 5, 1, 0);
		for (int64_t end = mc_mono_ms() + 8; mc_mono_ms() < end;)
			mc_loop_run_once(loop, 1);
	}
	printf("inputs (fake GPIO, real loop + engine + SQLite store), %d presses each, debounce 5 ms:\n", N);
	report("edge -> ticket committed", issue, N, "ms", 1e6);
	report("edge -> call committed (NEXT key)", call, N, "ms", 1e6);
	report("call committed -> TM1637 frame on the lines", frame_ns, N, "ms", 1e6);
	printf("  baseline: the debounce interval itself = 5.000 ms (every press waits it by design)\n");
	mc_app_free(app);
	free(cfg);
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	return 0;
}

static int64_t holds(const struct mc_wave *w)
{
	int64_t s = 0;

	for (size_t i = 0; i < w->n; i++)
		s += w->steps[i].hold_ns;
	return s;
}

static int bench_frames(void)
{
	struct mc_loop *loop = mc_loop_new();
	struct mc_gpio_fake *fake;
	struct mc_gpio *gpio = mc_gpio_fake_new(true, &fake);
	struct mc_gpio_lines_conf tm = { .n = 2, .brightness = -1 }, mx = { .n = 3, .brightness = -1 };
	char err[256];
	static struct mc_wave w;
	int64_t enc[N], tmw[N], mxw[N], blink[N];
	const char *texts[] = { "1001", "1002", "B017", "9999" };

	for (int i = 0; i < 3; i++) {
		strcpy(tm.lines[i].chip, "gpiochip0");
		strcpy(mx.lines[i].chip, "gpiochip0");
		tm.lines[i].offset = 5 + i;
		mx.lines[i].offset = 9 + i;
	}
	struct mc_display *dt = mc_display_new(gpio, MC_DISPLAY_TM1637, &tm, 1000, err, sizeof(err));
	struct mc_display *dm = mc_display_new(gpio, MC_DISPLAY_MAX7219, &mx, 1000, err, sizeof(err));
	if (!dt || !dm || mc_display_start(dt, loop) || mc_display_start(dm, loop))
		return 1;
	while (mc_display_busy(dt) || mc_display_busy(dm))
		mc_loop_run_once(loop, 5);
	for (int i = 0; i < N; i++) {
		uint8_t seg[4];
		int64_t t0 = mc_gpio_now_ns();
		w.n = 0;
		mc_tm1637_segments(texts[i % 4], false, seg);
		mc_tm1637_encode(&w, seg, 4, true);
		enc[i] = mc_gpio_now_ns() - t0;

		t0 = mc_gpio_now_ns();
		mc_display_show(dt, texts[i % 4], i & 1, 0);
		while (mc_display_busy(dt))
			mc_loop_run_once(loop, 1);
		tmw[i] = mc_gpio_now_ns() - t0;

		t0 = mc_gpio_now_ns();
		mc_display_show(dm, texts[(i + 1) % 4], i & 1, 0);
		while (mc_display_busy(dm))
			mc_loop_run_once(loop, 1);
		mxw[i] = mc_gpio_now_ns() - t0;
	}
	/* A blink half-period is one display-control frame. */
	for (int i = 0; i < N; i++) {
		int64_t t0 = mc_gpio_now_ns();
		mc_display_show(dt, texts[0], false, 1);
		uint64_t f0 = mc_display_frames(dt);
		while (mc_display_frames(dt) == f0)
			mc_loop_run_once(loop, 1);
		blink[i] = mc_gpio_now_ns() - t0;
		while (mc_display_busy(dt))
			mc_loop_run_once(loop, 1);
	}
	uint8_t seg4[4] = { 0 }, seg8[8] = { 0 };
	w.n = 0;
	mc_tm1637_encode(&w, seg4, 4, true);
	int64_t tm_min = holds(&w);
	size_t tm_steps = w.n;
	w.n = 0;
	mc_tm1637_encode_control(&w, 4, true);
	int64_t tc_min = holds(&w);
	w.n = 0;
	mc_max7219_encode(&w, seg8, 8, true);
	int64_t mx_min = holds(&w);
	size_t mx_steps = w.n;

	printf("display frames (worker thread, fake lines; the loop never waits):\n");
	report("TM1637 encode 4 digits (pure)", enc, N, "us", 1e3);
	report("TM1637 full frame written", tmw, N, "ms", 1e6);
	printf("    baseline: sum of datasheet-derived holds %.3f ms (%zu steps) -> ratio p50 %.2f\n",
	       (double)tm_min / 1e6, tm_steps, (double)tmw[N / 2] / (double)tm_min);
	report("TM1637 blink (display-control frame) written", blink, N, "ms", 1e6);
	printf("    baseline: holds %.3f ms -> ratio p50 %.2f\n", (double)tc_min / 1e6,
	       (double)blink[N / 2] / (double)tc_min);
	report("MAX7219 full update (13 frames) written", mxw, N, "ms", 1e6);
	printf("    baseline: holds %.3f ms (%zu steps) -> ratio p50 %.2f\n", (double)mx_min / 1e6, mx_steps,
	       (double)mxw[N / 2] / (double)mx_min);
	mc_display_free(dt);
	mc_display_free(dm);
	mc_gpio_free(gpio);
	mc_loop_free(loop);
	return 0;
}

int main(void)
{
	if (bench_frames())
		return 1;
	return bench_inputs();
}
