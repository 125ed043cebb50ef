/* test-gpio-app.c — the GPIO glue in a real app (real SQLite store, real
 * loop) with the fake GPIO backend: bouncing buttons issue exactly one
 * ticket, counter keys and rating buttons act on the right counter, the
 * technician combination works, the counter's board shows the called
 * number, lights follow the kiosk, and unusable lines give clear errors. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "app-gpio.h"
#include "app.h"
#include "engine.h"
#include "gpio-decode.h"
#include "gpio-fake.h"
#include "gpio.h"
#include "loop.h"

static const char board[] =
	"[office]\nname = UBND phường thử\nhours = mon-sun 00:00-24:00\ndouble_tap = 0ms\n"  /* 1-4 */
	"[service.civil]\nname = Tư pháp – Hộ tịch\nbutton = gpiochip0:17 active-low pull-up\n"  /* 5-7 */
	"[service.land]\nname = Đất đai\nbutton = gpiochip0:27 active-low pull-up\n"            /* 8-10 */
	"[service.social]\nname = Lao động – Xã hội\nbutton = gpiochip0:22 active-low\n"       /* 11-13 */
	"[counter.1]\nservices = civil, social\n"                                               /* 14-15 */
	"keys = next,recall,noshow,finish = gpiochip0:5,6,13,19 active-low pull-up\n"           /* 16 */
	"rating_keys = gpiochip0:12,16,20,21 active-low\n"                                      /* 17 */
	"display = tm1637 gpiochip0:23,24\n"                                                    /* 18 */
	"[counter.2]\nservices = land\nkeys = next,pause = gpiochip0:7,8 active-low\n"          /* 19-21 */
	"[gpio]\ndebounce = 10ms\nlong_press = 300ms\ntech_combo = civil+land\n"                /* 22-25 */
	"light_ready = gpiochip0:25\nlight_fault = gpiochip0:26\nblink = 50ms\nblinks = 2\n"    /* 26-29 */
	"[office]\nclock = trust\n"                                                           /* 30-31 */
	"next_hold = 0ms\n";  /* 32: the tests press NEXT at machine speed */

struct fx {
	char dir[64];                /* temp dir */
	char path[128];              /* board.conf */
	char sock[128];              /* control socket */
	struct mc_config *cfg;       /* board, read for the GPIO step */
	struct mc_gpio_fake *fake;   /* the backend's handle */
	struct mc_app *app;          /* the app */
	struct mc_app_gpio *g;       /* the GPIO step (owned by the app) */
	long long want_answered;     /* contact(): the edges to wait for */
};

static int write_board(struct fx *f, const char *text)
{
	FILE *fp = fopen(f->path, "w");

	if (!fp)
		return -1;
	fputs(text, fp);
	return fclose(fp);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[512];
	int code;

	strcpy(f->dir, "/tmp/mc-gpio-app-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/board.conf", f->dir);
	snprintf(f->sock, sizeof(f->sock), "%s/kioskd.sock", f->dir);
	if (write_board(f, board) < 0)
		return -1;
	f->cfg = malloc(sizeof(*f->cfg));
	if (mc_config_load(f->path, f->cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	struct mc_gpio *gpio = mc_gpio_fake_new(false, &f->fake);
	mc_gpio_fake_add_chip(f->fake, "gpiochip0", 54);
	struct mc_app_gpio *g = mc_app_gpio_open(f->cfg, gpio, false, err, sizeof(err));
	if (!g) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	struct mc_app_options opt = { .board = f->path, .state_dir = f->dir, .socket = f->sock };
	f->app = mc_app_new(&opt, err, sizeof(err), &code);
	if (!f->app) {
		fprintf(stderr, "%s\n", err);
		mc_app_gpio_free(g);
		return -1;
	}
	if (mc_app_gpio_start(g, f->app) < 0)
		return -1;
	f->g = g;
	*state = f;
	return 0;
}

static void rm_dir(const char *dir)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

static int teardown(void **state)
{
	struct fx *f = *state;

	mc_app_free(f->app);
	free(f->cfg);
	rm_dir(f->dir);
	free(f);
	return 0;
}

/* Runs the app's loop for ms milliseconds. */
static void run_for(struct fx *f, int ms)
{
	int64_t until = mc_mono_ms() + ms;

	while (mc_mono_ms() < until)
		mc_loop_run_once(mc_app_loop(f->app), 5);
}

/* Runs the app's loop until pred(f, arg) holds. The test waits for what it
 * needs, never for a time: a loaded machine or qemu-user may take longer
 * than the board's debounce, long press or blink phases (a press's ticket is
 * committed by the store, later). Fails after a hang guard of 30 s times
 * MC_TEST_TIMEOUT_SCALE, which only ends a wait that would never end. */
static void run_until(struct fx *f, bool (*pred)(struct fx *f, int arg), int arg, const char *what)
{
	const char *s = getenv("MC_TEST_TIMEOUT_SCALE");
	long k = s ? strtol(s, NULL, 10) : 1;
	int64_t end = mc_mono_ms() + 30000 * (k > 0 ? k : 1);

	while (!pred(f, arg)) {
		if (mc_mono_ms() > end)
			fail_msg("waited in vain for %s (%d)", what, arg);
		mc_loop_run_once(mc_app_loop(f->app), 5);
	}
}

static json_t *gpio_line(struct fx *f, const char *line, json_t **status);

/* Edges (down, up) of input gpiochip0:OFFSET acted on so far, as kioskctl
 * gpio status shows them ("answered"): a service button's press counts once
 * its ticket is committed. */
static long long answered(struct fx *f, int offset)
{
	char name[32];
	json_t *st;

	snprintf(name, sizeof(name), "gpiochip0:%d", offset);
	json_t *l = gpio_line(f, name, &st);
	long long n = l ? (long long)json_integer_value(json_object_get(l, "answered")) : -1;
	json_decref(st);
	return n;
}

static bool edge_answered(struct fx *f, int offset) { return answered(f, offset) >= f->want_answered; }

static bool boards_idle(struct fx *f, int arg)
{
	(void)arg;
	return mc_app_gpio_boards_idle(f->g);
}

static bool light_is(struct fx *f, int offset_level)
{
	return mc_gpio_fake_level(f->fake, "gpiochip0", offset_level / 2) == offset_level % 2;
}

static bool issuing_paused(struct fx *f, int arg)
{
	(void)arg;
	return mc_engine_issuing_paused(mc_app_engine(f->app));
}

/* A switch to ground with contact bounce: active-low lines go low. Returns
 * once the debounced edge has been acted on. */
static void contact(struct fx *f, int offset, bool closed, bool bounce)
{
	f->want_answered = answered(f, offset) + 1;
	if (bounce)
		for (int i = 0; i < 4; i++) {
			mc_gpio_fake_drive(f->fake, "gpiochip0", offset, !closed, 0);
			mc_loop_run_once(mc_app_loop(f->app), 0);
			mc_gpio_fake_drive(f->fake, "gpiochip0", offset, closed, 0);
			mc_loop_run_once(mc_app_loop(f->app), 0);
		}
	mc_gpio_fake_drive(f->fake, "gpiochip0", offset, !closed, 0);
	run_until(f, edge_answered, offset, closed ? "the press acted on" : "the release acted on");
}

static void press(struct fx *f, int offset, bool bounce)
{
	contact(f, offset, true, bounce);
	contact(f, offset, false, bounce);
}

static int waiting(struct fx *f, const char *service)
{
	return mc_engine_waiting(mc_app_engine(f->app), mc_config_service_index(mc_app_config(f->app), service));
}

static const struct mc_ticket *current(struct fx *f, int counter)
{
	const struct mc_counter_state *cs = mc_engine_counter_state(mc_app_engine(f->app), counter);
	return cs && cs->current ? mc_engine_ticket(mc_app_engine(f->app), cs->current) : NULL;
}

/* The gpio status object, as kioskctl gpio status shows it. */
static json_t *gpio_line(struct fx *f, const char *line, json_t **status)
{
	json_t *st = json_object(), *lines, *v;
	size_t i;

	mc_app_status(f->app, st);
	lines = json_object_get(json_object_get(st, "gpio"), "lines");
	*status = st;
	json_array_foreach(lines, i, v)
		if (!strcmp(json_string_value(json_object_get(v, "line")), line))
			return v;
	return NULL;
}

static void bouncing_button_issues_one_ticket(void **state)
{
	struct fx *f = *state;
	json_t *st, *l;

	assert_int_equal(waiting(f, "social"), 0);
	press(f, 22, true);
	assert_int_equal(waiting(f, "social"), 1);
	assert_int_equal(waiting(f, "civil"), 0);
	l = gpio_line(f, "gpiochip0:22", &st);
	assert_non_null(l);
	assert_int_equal(json_integer_value(json_object_get(l, "presses")), 1);
	assert_string_equal(json_string_value(json_object_get(l, "what")), "service social");
	json_decref(st);
	/* A second real press is a second ticket (double tap is off here). */
	press(f, 22, false);
	assert_int_equal(waiting(f, "social"), 2);
}

static void keys_act_on_their_counter(void **state)
{
	struct fx *f = *state;
	struct mc_gpio_fake_change *ch;
	struct tm_state tm;
	char text[8];
	size_t n;

	press(f, 22, true);                 /* social ticket */
	press(f, 27, false);                /* land ticket (combination button: on release) */
	assert_int_equal(waiting(f, "land"), 1);
	press(f, 5, true);                  /* counter 1 NEXT */
	const struct mc_ticket *t = current(f, 1);
	assert_non_null(t);
	assert_int_equal(t->service, mc_config_service_index(mc_app_config(f->app), "social"));
	assert_null(current(f, 2));          /* counter 2 untouched */
	assert_int_equal(waiting(f, "land"), 1);
	char label[8];
	strcpy(label, t->label);

	/* Counter 1's board shows the number after blinking twice. */
	run_until(f, boards_idle, 0, "the boards done");
	ch = mc_gpio_fake_changes(f->fake, &n);
	if (tm_decode(ch, n, "gpiochip0:23", "gpiochip0:24", &tm))
		fail_msg("%s", tm.error);
	tm_text(&tm, text);
	char want[8];
	snprintf(want, sizeof(want), "%4s", label);
	assert_string_equal(text, want);
	assert_true(tm.on);
	assert_int_equal(tm.offs, 2);
	free(ch);

	press(f, 7, false);                 /* counter 2 NEXT: the land ticket */
	assert_non_null(current(f, 2));
	assert_int_equal(waiting(f, "land"), 0);
	assert_string_equal(current(f, 1)->label, label);

	/* FINISH then the "very satisfied" button rate counter 1's ticket;
	 * the board's traffic from here on is recorded. */
	run_until(f, boards_idle, 0, "the boards done");
	mc_gpio_fake_clear(f->fake);
	press(f, 19, false);
	assert_null(current(f, 1));
	press(f, 21, false);
	const struct mc_counter_state *cs = mc_engine_counter_state(mc_app_engine(f->app), 1);
	assert_int_equal(mc_engine_ticket(mc_app_engine(f->app), cs->last_served)->rating, 4);
	/* The board goes blank when nothing is being served. */
	run_until(f, boards_idle, 0, "the boards done");
	ch = mc_gpio_fake_changes(f->fake, &n);
	if (tm_decode(ch, n, "gpiochip0:23", "gpiochip0:24", &tm))
		fail_msg("%s", tm.error);
	tm_text(&tm, text);
	assert_true(tm.transactions > 0);    /* written, not merely left alone */
	assert_string_equal(text, "    ");
	free(ch);
}

static void combination_button_waits_for_release(void **state)
{
	struct fx *f = *state;

	contact(f, 17, true, true);
	assert_int_equal(waiting(f, "civil"), 0);
	contact(f, 17, false, true);
	assert_int_equal(waiting(f, "civil"), 1);
}

static void technician_combination_and_ready_light(void **state)
{
	struct fx *f = *state;

	run_for(f, 20);
	assert_int_equal(mc_gpio_fake_level(f->fake, "gpiochip0", 25), 1); /* ready */
	assert_int_equal(mc_gpio_fake_level(f->fake, "gpiochip0", 26), 0); /* no fault */
	contact(f, 17, true, false);
	contact(f, 27, true, false);
	run_until(f, issuing_paused, 0, "long_press of the combination");
	assert_true(mc_engine_issuing_paused(mc_app_engine(f->app)));
	contact(f, 17, false, false);
	contact(f, 27, false, false);
	/* The combination issued no tickets, and the kiosk is not ready. */
	assert_int_equal(waiting(f, "civil"), 0);
	assert_int_equal(waiting(f, "land"), 0);
	assert_int_equal(mc_gpio_fake_level(f->fake, "gpiochip0", 25), 0);
	/* A plain button is refused while issuing is paused. */
	press(f, 22, false);
	assert_int_equal(waiting(f, "social"), 0);
}

/* A small office's day on GPIO alone (no bus, no screen, no printer):
 * citizens press service buttons, two clerks call and finish with their
 * keys, citizens rate; every ticket ends served and the boards follow. */
static void office_day_on_gpio_only(void **state)
{
	struct fx *f = *state;
	static const int buttons[] = { 22, 17, 27 };  /* social, civil, land */
	unsigned seed = 12345;
	int issued = 0, rated = 0;

	for (int round = 0; round < 12; round++) {
		/* Two or three citizens arrive. */
		for (int k = 0; k < 2 + round % 2; k++) {
			seed = seed * 1103515245u + 12345u;
			press(f, buttons[(seed >> 16) % 3], (seed >> 20) & 1);
			issued++;
		}
		/* Each clerk finishes the citizen at the desk and calls the next. */
		press(f, 5, true);   /* counter 1 NEXT (civil, social) */
		press(f, 7, false);  /* counter 2 NEXT (land) */
		if (round % 3 == 0 && current(f, 1)) {
			press(f, 19, false);              /* counter 1 FINISH */
			press(f, 12 + (round % 2) * 4, false); /* rating 1 or 2 */
			rated++;
		}
	}
	/* Closing time: the clerks call until nobody waits. */
	for (int i = 0; i < 40 && (waiting(f, "civil") + waiting(f, "social") + waiting(f, "land")); i++) {
		if (waiting(f, "civil") + waiting(f, "social"))
			press(f, 5, false);
		if (waiting(f, "land"))
			press(f, 7, false);
	}
	press(f, 19, false);
	if (current(f, 2))
		press(f, 7, false);  /* NEXT with nobody waiting still finishes */
	size_t n, finished = 0, with_rating = 0;
	const struct mc_ticket *t = mc_engine_tickets(mc_app_engine(f->app), &n);
	for (size_t i = 0; i < n; i++) {
		finished += t[i].status == MC_T_FINISHED;
		with_rating += t[i].rating > 0;
	}
	assert_int_equal((int)n, issued);
	assert_int_equal((int)finished, issued);
	assert_int_equal((int)with_rating, rated);
	assert_null(current(f, 1));
	assert_null(current(f, 2));
	/* An idle kiosk writes nothing to its boards. First let the day's last
	 * frames and blinks finish: on a loaded machine they may still be going
	 * out (a quiet 100 ms was once taken for the end, between two blink
	 * phases). The boards say when they are done. */
	struct mc_gpio_fake_change *ch;
	run_until(f, boards_idle, 0, "the boards done");
	mc_gpio_fake_clear(f->fake);
	press(f, 5, false);  /* NEXT with nobody: refused, board stays blank */
	run_for(f, 50);
	ch = mc_gpio_fake_changes(f->fake, &n);
	assert_int_equal(n, 0);  /* nothing changed: no frame written */
	free(ch);
	json_t *st, *l = gpio_line(f, "gpiochip0:5", &st);
	assert_non_null(l);
	assert_true(json_integer_value(json_object_get(l, "presses")) >= 12);
	json_decref(st);
}

/* A pause key pauses its counter; the board marks a paused counter. */
static void pause_key_and_paused_mark(void **state)
{
	struct fx *f = *state;
	struct mc_gpio_fake_change *ch;
	struct tm_state tm;
	char text[8];
	size_t n;

	press(f, 8, true);
	assert_true(mc_engine_counter_state(mc_app_engine(f->app), 2)->paused);
	assert_false(mc_engine_counter_state(mc_app_engine(f->app), 1)->paused);
	press(f, 8, false);
	assert_false(mc_engine_counter_state(mc_app_engine(f->app), 2)->paused);

	/* Counter 1 (with the board) paused with nobody called: "----" and the colon. */
	run_until(f, boards_idle, 0, "the boards done");
	mc_gpio_fake_clear(f->fake);
	assert_int_equal(mc_app_counter(f->app, 1, MC_A_PAUSE, 0, NULL), MC_OK);
	run_until(f, boards_idle, 0, "the boards done");
	ch = mc_gpio_fake_changes(f->fake, &n);
	if (tm_decode(ch, n, "gpiochip0:23", "gpiochip0:24", &tm))
		fail_msg("%s", tm.error);
	tm_text(&tm, text);
	assert_string_equal(text, "----");
	assert_int_equal(tm.seg[1] & 0x80, 0x80);
	free(ch);
}

/* A board whose line fails lights the fault light until it works again. */
static void failing_board_lights_fault(void **state)
{
	struct fx *f = *state;

	run_for(f, 50);
	assert_int_equal(mc_gpio_fake_level(f->fake, "gpiochip0", 26), 0);
	mc_gpio_fake_fail_set(f->fake, "gpiochip0", 23, EIO);
	press(f, 22, false);
	press(f, 5, false);                  /* a call: the board must be written */
	run_until(f, light_is, 26 * 2 + 1, "the fault light on");
	assert_int_equal(mc_gpio_fake_level(f->fake, "gpiochip0", 26), 1);
	json_t *st = json_object();
	mc_app_status(f->app, st);
	json_t *d = json_array_get(json_object_get(json_object_get(st, "gpio"), "displays"), 0);
	assert_true(json_is_true(json_object_get(d, "failed")));
	assert_non_null(strstr(json_string_value(json_object_get(d, "why")), "gpiochip0:23"));
	json_decref(st);
	/* The kiosk keeps serving meanwhile. */
	assert_non_null(current(f, 1));
	mc_gpio_fake_fail_set(f->fake, "gpiochip0", 23, 0);
	press(f, 6, false);                  /* RECALL: written again */
	run_until(f, light_is, 26 * 2 + 0, "the fault light off");
	assert_int_equal(mc_gpio_fake_level(f->fake, "gpiochip0", 26), 0);
}

/* ---- errors at open ---------------------------------------------------- */

static void open_error(const char *text, int fail_offset, const char *want)
{
	struct fx f;
	struct mc_gpio_fake *fake;
	char err[512] = "";
	struct mc_config *cfg = malloc(sizeof(*cfg));

	memset(&f, 0, sizeof(f));
	strcpy(f.dir, "/tmp/mc-gpio-err-XXXXXX");
	assert_non_null(mkdtemp(f.dir));
	snprintf(f.path, sizeof(f.path), "%s/board.conf", f.dir);
	assert_int_equal(write_board(&f, text), 0);
	assert_int_equal(mc_config_load(f.path, cfg, err, sizeof(err)), 0);
	struct mc_gpio *gpio = mc_gpio_fake_new(false, &fake);
	mc_gpio_fake_add_chip(fake, "gpiochip0", 54);
	if (fail_offset >= 0)
		mc_gpio_fake_fail_request(fake, "gpiochip0", fail_offset, EBUSY, false);
	assert_null(mc_app_gpio_open(cfg, gpio, false, err, sizeof(err)));
	char full[600];
	snprintf(full, sizeof(full), "%s/%s", f.dir, want);
	if (strncmp(err, full, strlen(full)))
		fail_msg("got  %s\nwant %s", err, full);
	free(cfg);
	rm_dir(f.dir);
}

static void line_that_cannot_be_requested(void **state)
{
	(void)state;
	open_error(board, 6, "board.conf:16: [counter.1] keys: GPIO line gpiochip0:6 is busy");
	open_error(board, 24, "board.conf:18: [counter.1] display: GPIO line gpiochip0:24 is busy");
	open_error(board, 26, "board.conf:27: [gpio] light_fault: GPIO line gpiochip0:26 is busy");
}

static void chip_that_does_not_exist(void **state)
{
	char text[sizeof(board) + 64];

	(void)state;
	snprintf(text, sizeof(text), "%s", board);
	char *p = strstr(text, "gpiochip0:22");
	memcpy(p, "gpiochip3", 9);
	open_error(text, -1, "board.conf:13: [service.social] button: GPIO chip 'gpiochip3' does not exist");
	snprintf(text, sizeof(text), "%s", board);
	p = strstr(text, "gpiochip0:22");
	memcpy(p, "gpiochip0:99", 12);
	open_error(text, -1, "board.conf:13: [service.social] button: GPIO line gpiochip0:99 does not exist");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(bouncing_button_issues_one_ticket, setup, teardown),
		cmocka_unit_test_setup_teardown(keys_act_on_their_counter, setup, teardown),
		cmocka_unit_test_setup_teardown(combination_button_waits_for_release, setup, teardown),
		cmocka_unit_test_setup_teardown(technician_combination_and_ready_light, setup, teardown),
		cmocka_unit_test_setup_teardown(office_day_on_gpio_only, setup, teardown),
		cmocka_unit_test_setup_teardown(pause_key_and_paused_mark, setup, teardown),
		cmocka_unit_test_setup_teardown(failing_board_lights_fault, setup, teardown),
		cmocka_unit_test(line_that_cannot_be_requested),
		cmocka_unit_test(chip_that_does_not_exist),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
