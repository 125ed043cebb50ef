/* test-screen-app.c — the screens bound to a real kioskd app (temp board,
 * SQLite store, control socket) with SDL's offscreen driver: synthetic
 * touches (SDL_PushEvent) issue tickets and navigate, the hall follows the
 * counters, the technician menu pauses issuing behind a PIN, the PIN pad
 * locks out after repeated failures, notices follow the printer and the
 * technician, and an idle kiosk draws nothing.
 *
 * Usage: test-screen-app WORKDIR */
#include "app-printer.h"
#include "app-screen.h"
#include "app.h"
#include "i18n.h"
#include "loop.h"
#include "present.h"
#include "screen-harness.h"

#include <dirent.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static int failures;

#define CHECK(cond, ...) do { \
	if (!(cond)) { \
		fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
		failures++; \
	} \
} while (0)

struct fx {
	struct mc_app *app;
	struct mc_app_screen *scr;
	struct mc_present *p;
	struct mc_loop *loop;
	/* predicate arguments */
	enum mc_screen_id want_screen;
	enum mc_notice want_notice;
	size_t want_tickets;
	int want_checks;
	int64_t want_id;
	char dir[512];
};

static void stats(struct fx *f, struct mc_present_stats *st) { mc_present_get_stats(f->p, st); }

static bool is_screen(void *ctx)
{
	struct fx *f = ctx;
	struct mc_present_stats st;
	stats(f, &st);
	return st.screen == f->want_screen && (f->want_notice == MC_NOTICE_NONE || st.notice == f->want_notice);
}

static bool pin_checked(void *ctx)
{
	struct fx *f = ctx;
	struct mc_present_stats st;
	stats(f, &st);
	return st.pin_checks >= f->want_checks;
}

static bool blinking(void *ctx)
{
	struct fx *f = ctx;
	struct mc_present_stats st;
	stats(f, &st);
	return st.hall_blinking;
}

static bool printed(void *ctx)
{
	struct fx *f = ctx;
	const struct mc_ticket *t = mc_engine_ticket(mc_app_engine(f->app), f->want_id);
	return t && t->print == MC_P_PRINTED;
}

/* Files the file: printer wrote. */
static int nprints(const struct fx *f)
{
	char path[600];
	int n = 0;
	snprintf(path, sizeof(path), "%s/tickets", f->dir);
	DIR *d = opendir(path);
	struct dirent *de;
	while (d && (de = readdir(d)))
		n += de->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static bool one_more_print(void *ctx)
{
	struct fx *f = ctx;
	return nprints(f) > f->want_checks;
}

/* The ticket screen's hold has ended (or no ticket screen is up). */
static bool hold_over(void *ctx)
{
	struct fx *f = ctx;
	struct mc_present_stats st;
	stats(f, &st);
	return st.hold_until_ms <= mc_mono_ms();
}

static bool paused(void *ctx)
{
	struct fx *f = ctx;
	return mc_engine_issuing_paused(mc_app_engine(f->app));
}

static size_t ntickets(struct fx *f)
{
	size_t n;
	mc_engine_tickets(mc_app_engine(f->app), &n);
	return n;
}

static const struct mc_ticket *last_ticket(struct fx *f)
{
	size_t n;
	const struct mc_ticket *t = mc_engine_tickets(mc_app_engine(f->app), &n);
	return n ? &t[n - 1] : NULL;
}

static int wait_screen(struct harness *h, struct fx *f, enum mc_screen_id id, enum mc_notice n)
{
	f->want_screen = id;
	f->want_notice = n;
	return harness_until(h, is_screen, f, 30000);
}

/* Sleeps ms of monotonic time. */
static void pause_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0)
		;
}

static void touch(struct harness *h, struct fx *f, const char *name)
{
	/* The control is looked up in the frame on screen now. A new screen
	 * drops touches for MC_SCREEN_GUARD_MS (a finger meant for the old
	 * one): let that pass, as a person's next touch would. */
	harness_sync(h, f->p);
	pause_ms(MC_SCREEN_GUARD_MS + 100);
	CHECK(mc_present_touch(f->p, name, 0, 0) == 0, "touch %s queued", name);
	harness_sync(h, f->p);
}

/* A touch at logical (x, y), wherever it lands. */
static void touch_at(struct harness *h, struct fx *f, double x, double y)
{
	harness_sync(h, f->p);
	CHECK(mc_present_touch(f->p, NULL, x, y) == 0, "touch at %.0f,%.0f queued", x, y);
	harness_sync(h, f->p);
}

static void enter_pin(struct harness *h, struct fx *f, const char *pin)
{
	char key[8];
	struct mc_present_stats st;

	stats(f, &st);
	for (const char *c = pin; *c; c++) {
		snprintf(key, sizeof(key), "pin:%c", *c);
		touch(h, f, key);
	}
	touch(h, f, "pin:ok");
	f->want_checks = st.pin_checks + 1;
	CHECK(harness_until(h, pin_checked, f, 30000) == 0, "PIN %s was checked", pin);
	harness_sync(h, f->p);
}

/* The ticket screen's hold on the test boards ([screen] ticket_hold, in
 * seconds): long enough that the taps meant for it land inside it even
 * under qemu-user (MC_TEST_TIMEOUT_SCALE 20) or in a loaded sanitizer build
 * (2 to 6); the test checks they did, and waits for its end as a state
 * (hold_over), not a time. */
static int test_hold_s(void)
{
	const char *e = getenv("MC_TEST_TIMEOUT_SCALE");
	long k = e ? strtol(e, NULL, 10) : 1;
	return k >= 20 ? 60 : k > 1 ? 20 : 10;
}

static void write_board(const char *dir, const char *hash, const char *clock_mode, char *path, size_t len)
{
	snprintf(path, len, "%s/board.conf", dir);
	FILE *fp = fopen(path, "w");
	fprintf(fp,
		"[office]\nclock = %s\nname = UBND xã Thử Nghiệm\nname.en = Test Commune\nhours = mon-sun 00:00-24:00\n"
		"double_tap = 100ms\n\n"
		"[service.civil]\nname = Tư pháp – Hộ tịch\nname.en = Justice – Civil status\nnumbers = 1001-1999\n\n"
		"[service.land]\nname = Đất đai – Xây dựng\nname.en = Land – Construction\nnumbers = 2001-2999\n\n"
		"[counter.1]\nservices = civil, land\n\n"
		/* No status checks of its own (default every 5 s): one that
		 * answered "ready" just after the test set the printer down
		 * once took the printer notice away before it was shown. */
		"[printer]\ndevice = file:%s/tickets\non_failure = refuse\nstatus_interval = 1h\n\n"
		"[screen]\nwidth = 1024\nheight = 600\nhome_timeout = 600s\nticket_hold = %ds\npin_hash = %s\n"
		"backlight = %s/bl\n\n"
		"[hall]\ndisplay = window\nwidth = 800\nheight = 480\n", clock_mode, dir, test_hold_s(), hash, dir);
	fclose(fp);
	/* A sysfs-like backlight directory. */
	char bl[600];
	snprintf(bl, sizeof(bl), "%s/bl", dir);
	mkdir(bl, 0755);
	snprintf(bl, sizeof(bl), "%s/bl/max_brightness", dir);
	fp = fopen(bl, "w");
	fprintf(fp, "255\n");
	fclose(fp);
	snprintf(bl, sizeof(bl), "%s/bl/brightness", dir);
	fp = fopen(bl, "w");
	fprintf(fp, "255\n");
	fclose(fp);
}

static int start_board(struct fx *f, struct harness *h, const char *dir, const char *hash, const char *clock,
		       const char *clock_mode, bool sim)
{
	char board[512], sock[512], err[512];
	int code;

	memset(f, 0, sizeof(*f));
	memset(h, 0, sizeof(*h));
	snprintf(f->dir, sizeof(f->dir), "%s", dir);
	write_board(dir, hash, clock_mode, board, sizeof(board));
	snprintf(sock, sizeof(sock), "%s/k.sock", dir);
	struct mc_app_options ao = { .board = board, .state_dir = dir, .socket = sock, .sim = sim };
	f->app = mc_app_new(&ao, err, sizeof(err), &code);
	if (!f->app) {
		fprintf(stderr, "FAIL: app: %s\n", err);
		return -1;
	}
	/* The real printer output with a file: device (the technician's test print). */
	if (mc_app_add_printer(f->app, err, sizeof(err)) < 0) {
		fprintf(stderr, "FAIL: printer: %s\n", err);
		return -1;
	}
	struct mc_app_screen_options so = { .driver = "offscreen", .fixed_clock = clock,
					    .observe = harness_event, .observe_ctx = h };
	f->scr = mc_app_add_screen(f->app, &so, err, sizeof(err));
	if (!f->scr) {
		fprintf(stderr, "FAIL: screen: %s\n", err);
		return -1;
	}
	f->p = mc_app_screen_present(f->scr);
	f->loop = mc_app_loop(f->app);
	h->loop = f->loop;
	return 0;
}

static int start(struct fx *f, struct harness *h, const char *dir, const char *hash, const char *clock)
{
	return start_board(f, h, dir, hash, clock, "trust", true);
}

static void sync_app(struct harness *h, struct fx *f) { harness_sync(h, f->p); }

static bool clock_trusted(void *ctx)
{
	struct fx *f = ctx;
	return mc_engine_clock(mc_app_engine(f->app)) == MC_OK;
}

/* clock = ntp with no NTP (the test trust source says no): no tickets, the
 * clock notice stands on the screen; the technician confirms the clock from
 * the menu and tickets come again. */
static void test_clock_confirm(const char *dir, const char *hash)
{
	struct fx f;
	struct harness h;
	struct mc_issue is;
	char trust[600];

	snprintf(trust, sizeof(trust), "%s/trust", dir);
	FILE *fp = fopen(trust, "w");
	fprintf(fp, "0\n");
	fclose(fp);
	setenv("MC_CLOCK_TRUST_FILE", trust, 1);
	int r = start_board(&f, &h, dir, hash, "10:00", "ntp", false);
	unsetenv("MC_CLOCK_TRUST_FILE");
	if (r < 0) {
		failures++;
		return;
	}
	CHECK(wait_screen(&h, &f, MC_SCR_NOTICE, MC_NOTICE_CLOCK) == 0, "clock notice stands on home");
	CHECK(mc_app_press(f.app, 0, false, "test", &is) == MC_E_CLOCK_UNTRUSTED, "press refused: clock");
	CHECK(ntickets(&f) == 0, "no ticket while the clock is untrusted (%zu)", ntickets(&f));
	touch(&h, &f, "service:0");
	CHECK(ntickets(&f) == 0, "a touch issues nothing either (%zu)", ntickets(&f));
	mc_app_screen_open_tech(f.scr);
	CHECK(wait_screen(&h, &f, MC_SCR_TECH, MC_NOTICE_NONE) == 0, "technician menu");
	touch(&h, &f, "tech:clock");
	CHECK(harness_until(&h, clock_trusted, &f, 30000) == 0, "clock confirmed from the menu");
	touch(&h, &f, "tech:exit");
	CHECK(wait_screen(&h, &f, MC_SCR_HOME, MC_NOTICE_NONE) == 0, "home without the notice");
	f.want_tickets = ntickets(&f);
	touch(&h, &f, "service:0");
	CHECK(wait_screen(&h, &f, MC_SCR_TICKET, MC_NOTICE_NONE) == 0, "ticket after the confirmation");
	CHECK(ntickets(&f) == f.want_tickets + 1, "one ticket committed (%zu)", ntickets(&f));
	mc_app_free(f.app);
}

static void test_touch_flow(const char *dir, const char *hash)
{
	struct fx f;
	struct harness h;

	if (start(&f, &h, dir, hash, "10:00") < 0) {
		failures++;
		return;
	}
	CHECK(wait_screen(&h, &f, MC_SCR_HOME, MC_NOTICE_NONE) == 0, "home screen first");
	struct mc_present_stats st;

	/* A touch on the first service issues a ticket and shows it. */
	f.want_tickets = ntickets(&f);
	touch(&h, &f, "service:0");
	CHECK(wait_screen(&h, &f, MC_SCR_TICKET, MC_NOTICE_NONE) == 0, "ticket screen after a touch");
	CHECK(ntickets(&f) == f.want_tickets + 1, "one ticket committed (%zu)", ntickets(&f));
	const struct mc_ticket *t = last_ticket(&f);
	CHECK(t && t->service == 0 && !t->priority && !strcmp(t->label, "1001"), "ticket 1001 of civil");
	f.want_id = t ? t->id : 0;

	/* Repeated taps of an unsure hand — where the service button was, on
	 * the number, on the home button — neither leave the number nor issue
	 * another ticket during the hold; then only the home button goes home. */
	touch_at(&h, &f, 200, 300);
	touch_at(&h, &f, 640, 300);
	touch(&h, &f, "back");
	touch_at(&h, &f, 640, 700);
	stats(&f, &st);
	CHECK(st.hold_until_ms > mc_mono_ms(), "the taps landed inside the ticket screen's hold (%d s)", test_hold_s());
	CHECK(st.screen == MC_SCR_TICKET, "the number stays up whatever is touched (showing %d)", (int)st.screen);
	CHECK(ntickets(&f) == f.want_tickets + 1, "no second ticket from repeated taps (%zu)", ntickets(&f));
	CHECK(harness_until(&h, printed, &f, 30000) == 0, "ticket 1001 printed by the printer output");
	CHECK(harness_until(&h, hold_over, &f, 120000) == 0, "the hold ends");
	touch_at(&h, &f, 640, 300);
	stats(&f, &st);
	CHECK(st.screen == MC_SCR_TICKET, "after the hold a touch off the button still does nothing");
	touch(&h, &f, "back");
	CHECK(wait_screen(&h, &f, MC_SCR_HOME, MC_NOTICE_NONE) == 0, "home by the ticket screen's own button");

	/* The priority entry, then a service: a priority ticket. */
	touch(&h, &f, "priority");
	CHECK(wait_screen(&h, &f, MC_SCR_PRIORITY, MC_NOTICE_NONE) == 0, "priority screen");
	touch(&h, &f, "service:1");
	CHECK(wait_screen(&h, &f, MC_SCR_TICKET, MC_NOTICE_NONE) == 0, "ticket screen after priority");
	t = last_ticket(&f);
	CHECK(t && t->service == 1 && t->priority && !strcmp(t->label, "2001"), "priority ticket 2001 of land");
	f.want_id = t ? t->id : 0;
	CHECK(harness_until(&h, printed, &f, 30000) == 0, "ticket 2001 printed");
	CHECK(harness_until(&h, hold_over, &f, 120000) == 0, "the hold ends");
	touch(&h, &f, "back");
	CHECK(wait_screen(&h, &f, MC_SCR_HOME, MC_NOTICE_NONE) == 0, "home again");

	/* Language switch. */
	touch(&h, &f, "lang:en");
	sync_app(&h, &f);
	stats(&f, &st);
	CHECK(st.lang == MC_LANG_EN, "English after lang:en");
	touch(&h, &f, "lang:vi");

	/* A counter call makes the hall blink its newest call. */
	stats(&f, &st);
	uint64_t hall_before = st.hall_frames;
	CHECK(mc_app_counter(f.app, 1, MC_A_NEXT, 0, NULL) == MC_OK, "counter 1 calls");
	CHECK(harness_until(&h, blinking, &f, 30000) == 0, "hall blinks the new call");
	stats(&f, &st);
	CHECK(st.hall_frames > hall_before, "hall redrawn after the call");

	/* Technician: PIN, pause issuing, exit to the paused notice. */
	touch(&h, &f, "tech");
	CHECK(wait_screen(&h, &f, MC_SCR_PIN, MC_NOTICE_NONE) == 0, "PIN pad");
	enter_pin(&h, &f, "1234");
	CHECK(wait_screen(&h, &f, MC_SCR_TECH, MC_NOTICE_NONE) == 0, "technician menu after the right PIN");
	touch(&h, &f, "tech:pause");
	CHECK(harness_until(&h, paused, &f, 30000) == 0, "issuing paused from the menu");
	/* Test print goes to the printer output: one more file from the file: device. */
	f.want_checks = nprints(&f);
	touch(&h, &f, "tech:test");
	CHECK(harness_until(&h, one_more_print, &f, 30000) == 0, "test print from the menu reached the printer");
	/* Brightness − writes 9/10 of max_brightness to the backlight. */
	touch(&h, &f, "bright:-");
	harness_sync(&h, f.p);
	char blpath[600], blval[32] = "";
	snprintf(blpath, sizeof(blpath), "%s/bl/brightness", dir);
	FILE *bf = fopen(blpath, "r");
	if (bf && !fgets(blval, sizeof(blval), bf))
		blval[0] = 0;
	if (bf)
		fclose(bf);
	CHECK(atoi(blval) == 255 * 9 / 10, "backlight set to %d (got '%s')", 255 * 9 / 10, blval);
	touch(&h, &f, "tech:exit");
	CHECK(wait_screen(&h, &f, MC_SCR_NOTICE, MC_NOTICE_PAUSED) == 0, "paused notice on home");
	mc_app_set_issuing_paused(f.app, false);
	CHECK(wait_screen(&h, &f, MC_SCR_HOME, MC_NOTICE_NONE) == 0, "home after resume");

	/* The GPIO technician button's hook opens the menu without the PIN. */
	mc_app_screen_open_tech(f.scr);
	CHECK(wait_screen(&h, &f, MC_SCR_TECH, MC_NOTICE_NONE) == 0, "technician menu from the GPIO hook");
	touch(&h, &f, "tech:exit");
	CHECK(wait_screen(&h, &f, MC_SCR_HOME, MC_NOTICE_NONE) == 0, "home after the menu");

	/* Printer down with policy refuse: a standing notice, no ticket. */
	mc_app_set_printer(f.app, MC_PRINTER_DOWN, "out of paper");
	CHECK(wait_screen(&h, &f, MC_SCR_NOTICE, MC_NOTICE_PRINTER) == 0, "printer notice");
	mc_app_set_printer(f.app, MC_PRINTER_READY, "ok");
	CHECK(wait_screen(&h, &f, MC_SCR_HOME, MC_NOTICE_NONE) == 0, "home after the printer is back");

	/* A screenshot reads back the frame on screen: a real PNG of the panel's size. */
	char png[600];
	snprintf(png, sizeof(png), "%s/app-home.png", dir);
	CHECK(harness_shot(&h, f.p, false, png) == 0, "screenshot");
	stats(&f, &st);
	CHECK(st.width == 1024 && st.height == 600, "panel 1024x600 (%dx%d)", st.width, st.height);
	mc_app_free(f.app);
}

static void test_pin_lockout(const char *dir, const char *hash)
{
	struct fx f;
	struct harness h;
	struct mc_present_stats st;

	if (start(&f, &h, dir, hash, "10:00") < 0) {
		failures++;
		return;
	}
	CHECK(wait_screen(&h, &f, MC_SCR_HOME, MC_NOTICE_NONE) == 0, "home");
	touch(&h, &f, "tech");
	CHECK(wait_screen(&h, &f, MC_SCR_PIN, MC_NOTICE_NONE) == 0, "PIN pad");
	for (int i = 0; i < 4; i++) {
		enter_pin(&h, &f, "9999");
		stats(&f, &st);
		CHECK(st.screen == MC_SCR_PIN && !st.pin_locked, "wrong PIN %d: still on the pad, not locked", i + 1);
	}
	enter_pin(&h, &f, "0000");
	stats(&f, &st);
	CHECK(st.pin_locked, "locked after %d wrong PINs", MC_PIN_ATTEMPTS);
	/* While locked, even the right PIN is refused. */
	enter_pin(&h, &f, "1234");
	stats(&f, &st);
	CHECK(st.screen == MC_SCR_PIN && st.pin_locked, "right PIN refused during the lockout");
	mc_app_free(f.app);
}

static void test_idle(const char *dir, const char *hash)
{
	struct fx f;
	struct harness h;
	struct mc_present_stats a, b;

	/* The real clock: the only frame allowed is the minute changing. */
	if (start(&f, &h, dir, hash, NULL) < 0) {
		failures++;
		return;
	}
	CHECK(wait_screen(&h, &f, MC_SCR_HOME, MC_NOTICE_NONE) == 0, "home");
	sync_app(&h, &f);
	/* Let the start-up activity finish (a message posted while the UI
	 * thread was busy costs one more, empty, wake-up). */
	int64_t settle = mc_mono_ms() + 300;
	while (mc_mono_ms() < settle)
		mc_loop_run_once(f.loop, (int)(settle - mc_mono_ms()));
	stats(&f, &a);
	time_t t0 = time(NULL);
	int64_t end = mc_mono_ms() + 3000;
	while (mc_mono_ms() < end)
		mc_loop_run_once(f.loop, (int)(end - mc_mono_ms()));
	stats(&f, &b);
	time_t t1 = time(NULL);
	long minutes = (long)(t1 / 60 - t0 / 60);
	CHECK(b.kiosk_frames - a.kiosk_frames <= (uint64_t)minutes, "idle kiosk drew %llu frames in 3 s",
	      (unsigned long long)(b.kiosk_frames - a.kiosk_frames));
	CHECK(b.hall_frames - a.hall_frames <= (uint64_t)minutes, "idle hall drew %llu frames in 3 s",
	      (unsigned long long)(b.hall_frames - a.hall_frames));
	CHECK(b.wakeups - a.wakeups <= 2 * (uint64_t)minutes, "idle UI thread woke %llu times in 3 s",
	      (unsigned long long)(b.wakeups - a.wakeups));
	printf("idle 3 s: %llu kiosk frames, %llu hall frames, %llu UI wake-ups (minute changes: %ld)\n",
	       (unsigned long long)(b.kiosk_frames - a.kiosk_frames),
	       (unsigned long long)(b.hall_frames - a.hall_frames), (unsigned long long)(b.wakeups - a.wakeups),
	       minutes);
	mc_app_free(f.app);
}

int main(int argc, char **argv)
{
	char hash[crypto_pwhash_STRBYTES], dir[512];

	mc_i18n_prepare_env(); /* before any thread */
	if (argc != 2) {
		fprintf(stderr, "usage: %s WORKDIR\n", argv[0]);
		return 2;
	}
	if (sodium_init() < 0)
		return 1;
	/* Minimal cost parameters keep the test fast; kiosks use the interactive ones. */
	if (crypto_pwhash_str(hash, "1234", 4, crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN) != 0)
		return 1;
	mkdir(argv[1], 0755);
	/* Fresh state directories: a new database each run. */
	snprintf(dir, sizeof(dir), "%s/flow-XXXXXX", argv[1]);
	if (mkdtemp(dir))
		test_touch_flow(dir, hash);
	snprintf(dir, sizeof(dir), "%s/lockout-XXXXXX", argv[1]);
	if (mkdtemp(dir))
		test_pin_lockout(dir, hash);
	snprintf(dir, sizeof(dir), "%s/clock-XXXXXX", argv[1]);
	if (mkdtemp(dir))
		test_clock_confirm(dir, hash);
	snprintf(dir, sizeof(dir), "%s/idle-XXXXXX", argv[1]);
	if (mkdtemp(dir))
		test_idle(dir, hash);
	printf("%s\n", failures ? "FAILED" : "all screen app checks passed");
	return failures ? 1 : 0;
}
