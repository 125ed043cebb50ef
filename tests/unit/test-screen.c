/* test-screen.c — the kiosk screen's state machine and layout, pure (no
 * SDL): touches become requests, results and timeouts move between screens,
 * standing notices follow the view, frames are drawn only on visible
 * changes, the PIN pad locks out, and the home layout keeps every one of
 * 2 to 16 service buttons on screen at sizes from 480×800 to 1920×1080. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "screen.h"

static struct mc_i18n *tr;

static void make_view(struct mc_view *v, int n)
{
	memset(v, 0, sizeof(*v));
	snprintf(v->office, sizeof(v->office), "UBND xã Thử Nghiệm");
	snprintf(v->office_en, sizeof(v->office_en), "Test Commune");
	v->nservices = n;
	for (int i = 0; i < n; i++) {
		snprintf(v->services[i].name, sizeof(v->services[i].name), "Lĩnh vực số %d – Hộ tịch", i + 1);
		snprintf(v->services[i].name_en, sizeof(v->services[i].name_en), "Service %d", i + 1);
		v->services[i].waiting = i;
	}
	v->open = true;
	v->printer = MC_VIEW_PRINTER_READY;
	snprintf(v->status, sizeof(v->status), "{}");
}

/* Draws s into a scratch surface of its size. */
static void draw(struct mc_screen *s, int w, int h)
{
	cairo_surface_t *surf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
	cairo_t *cr = cairo_create(surf);
	mc_screen_render(s, cr);
	cairo_destroy(cr);
	cairo_surface_destroy(surf);
}

static struct mc_screen *new_screen(int w, int h, const char *hash)
{
	struct mc_screen_options o = { .width = w, .height = h, .lang = MC_LANG_VI, .home_timeout_s = 8,
				       .pin_hash = hash, .fixed_clock = "09:41", .brightness = 10 };
	struct mc_screen *s = mc_screen_new(&o, tr);
	assert_non_null(s);
	return s;
}

/* A 1280x800 screen showing a view of three services, drawn once. */
static struct mc_screen *home_screen(struct mc_view *v)
{
	struct mc_screen *s = new_screen(1280, 800, "");

	make_view(v, 3);
	mc_screen_set_view(s, v);
	draw(s, 1280, 800);
	return s;
}

static bool tap(struct mc_screen *s, const char *name, int64_t now, struct mc_screen_req *req)
{
	double x, y;

	assert_true(mc_screen_find(s, name, &x, &y));
	return mc_screen_touch(s, x, y, now, req);
}

static void test_press_ticket_timeout(void **state)
{
	struct mc_view v;
	struct mc_screen *s = home_screen(&v);
	struct mc_screen_req req;

	(void)state;
	assert_int_equal(mc_screen_current(s), MC_SCR_HOME);

	/* A service button asks for a ticket of that service, normal. */
	assert_true(tap(s, "service:2", 1000, &req));
	assert_int_equal(req.kind, MC_REQ_PRESS);
	assert_int_equal(req.service, 2);
	assert_false(req.priority);
	/* The pressed button is drawn at once, and a second touch waits. */
	assert_true(mc_screen_dirty(s));
	draw(s, 1280, 800);
	assert_false(tap(s, "service:1", 1010, &req));

	struct mc_view_result r = { .outcome = MC_VIEW_ISSUED, .service = 2, .printing = true, .ahead = 3 };
	snprintf(r.label, sizeof(r.label), "3004");
	mc_screen_set_result(s, &r, 1100);
	assert_int_equal(mc_screen_current(s), MC_SCR_TICKET);
	draw(s, 1280, 800);
	/* Home again after home_timeout (8 s)... */
	mc_screen_tick(s, 1100 + 7999);
	assert_int_equal(mc_screen_current(s), MC_SCR_TICKET);
	mc_screen_tick(s, 1100 + 8000);
	assert_int_equal(mc_screen_current(s), MC_SCR_HOME);
	/* ...or by its own button once the number has been up a few seconds. */
	draw(s, 1280, 800);
	assert_true(tap(s, "service:0", 20000, &req));
	mc_screen_set_result(s, &r, 20100);
	/* Before the frame is drawn, a touch lands on controls nobody sees. */
	assert_false(mc_screen_touch(s, 640, 400, 20700, &req));
	draw(s, 1280, 800);
	/* Repeated taps anywhere, the button too, do nothing during the hold. */
	assert_false(mc_screen_find(s, "any", &(double){ 0 }, &(double){ 0 }));
	for (int64_t t = 20150; t < 20100 + MC_TICKET_HOLD_MS; t += 400) {
		assert_false(mc_screen_touch(s, 640, 400, t, &req));
		assert_false(tap(s, "back", t, &req));
		assert_int_equal(mc_screen_current(s), MC_SCR_TICKET);
	}
	/* After it, a touch off the button still does nothing... */
	assert_false(mc_screen_touch(s, 640, 300, 20100 + MC_TICKET_HOLD_MS, &req));
	assert_int_equal(mc_screen_current(s), MC_SCR_TICKET);
	/* ...and the button goes home. */
	assert_false(tap(s, "back", 20100 + MC_TICKET_HOLD_MS, &req));
	assert_int_equal(mc_screen_current(s), MC_SCR_HOME);
	/* A tap landing during the change acts on nothing, even once drawn. */
	draw(s, 1280, 800);
	assert_false(tap(s, "service:0", 20100 + MC_TICKET_HOLD_MS + 100, &req));
	assert_int_equal(req.kind, MC_REQ_NONE);
	assert_true(tap(s, "service:0", 20100 + MC_TICKET_HOLD_MS + MC_SCREEN_GUARD_MS, &req));
	mc_screen_free(s);
}

/* A new screen drawn slowly: the guard runs MC_SCREEN_GUARD_MS from its
 * first frame shown, not only from the change (a sanitizer build took
 * longer than the guard to draw a page, and the finger of a double tap
 * acted on it). */
static void guard_runs_from_the_frame_shown(void **state)
{
	struct mc_view v;
	struct mc_screen *s = home_screen(&v);
	struct mc_screen_req req;

	(void)state;
	mc_screen_shown(s, 500);
	assert_false(tap(s, "priority", 1000, &req));
	assert_int_equal(mc_screen_current(s), MC_SCR_PRIORITY);
	draw(s, 1280, 800);
	mc_screen_shown(s, 1800);            /* on the panel 800 ms after the change */
	assert_false(tap(s, "service:0", 1000 + MC_SCREEN_GUARD_MS + 100, &req));
	assert_false(tap(s, "service:0", 1800 + MC_SCREEN_GUARD_MS - 1, &req));
	assert_int_equal(req.kind, MC_REQ_NONE);
	/* A later frame of the same screen does not restart the guard. */
	draw(s, 1280, 800);
	mc_screen_shown(s, 2200);
	assert_true(tap(s, "service:0", 1800 + MC_SCREEN_GUARD_MS, &req));
	assert_int_equal(req.kind, MC_REQ_PRESS);
	assert_true(req.priority);
	mc_screen_free(s);
}

/* [screen] ticket_hold sets the hold: the ticket screen ignores its button
 * for that long, says until when (mc_screen_hold_until), then goes home by
 * it; no ticket screen, no hold. */
static void test_ticket_hold_option(void **state)
{
	struct mc_screen_options o = { .width = 1280, .height = 800, .lang = MC_LANG_VI, .home_timeout_s = 60,
				       .ticket_hold_ms = 9000, .fixed_clock = "09:41", .brightness = 10 };
	struct mc_screen *s = mc_screen_new(&o, tr);
	struct mc_view v;
	struct mc_screen_req req;

	(void)state;
	assert_non_null(s);
	make_view(&v, 3);
	mc_screen_set_view(s, &v);
	draw(s, 1280, 800);
	assert_int_equal(mc_screen_hold_until(s), 0);
	assert_true(tap(s, "service:1", 1000, &req));
	struct mc_view_result r = { .outcome = MC_VIEW_ISSUED, .service = 1, .printing = true, .ahead = 0 };
	snprintf(r.label, sizeof(r.label), "2001");
	mc_screen_set_result(s, &r, 1100);
	draw(s, 1280, 800);
	assert_int_equal(mc_screen_hold_until(s), 1100 + 9000);
	/* Past the default hold, well inside this one: the button does nothing. */
	for (int64_t t = 1100 + MC_TICKET_HOLD_MS; t < 1100 + 9000; t += 500) {
		assert_false(tap(s, "back", t, &req));
		assert_int_equal(mc_screen_current(s), MC_SCR_TICKET);
	}
	assert_false(tap(s, "back", 1100 + 9000, &req));
	assert_int_equal(mc_screen_current(s), MC_SCR_HOME);
	assert_int_equal(mc_screen_hold_until(s), 0);
	mc_screen_free(s);
}

/* The language chosen by one citizen does not stay for the next. */
static void test_language_back_to_default(void **state)
{
	struct mc_screen *s = new_screen(800, 480, "");
	struct mc_view v;
	struct mc_screen_req req;

	(void)state;
	make_view(&v, 2);
	mc_screen_set_view(s, &v);
	draw(s, 800, 480);
	assert_false(tap(s, "lang:en", 1000, &req));
	assert_int_equal(mc_screen_lang(s), MC_LANG_EN);
	/* Nobody takes a ticket: Vietnamese again after home_timeout (8 s). */
	mc_screen_tick(s, 1000 + 7999);
	assert_int_equal(mc_screen_lang(s), MC_LANG_EN);
	mc_screen_tick(s, 1000 + 8000);
	assert_int_equal(mc_screen_lang(s), MC_LANG_VI);
	assert_int_equal(mc_screen_current(s), MC_SCR_HOME);
	/* The technician menu's language button: the menu only. */
	mc_screen_enter_tech(s, 20000);
	draw(s, 800, 480);
	assert_false(tap(s, "tech:lang", 21000, &req));
	assert_int_equal(mc_screen_lang(s), MC_LANG_EN);
	draw(s, 800, 480);
	assert_false(tap(s, "tech:exit", 21000, &req));
	assert_int_equal(mc_screen_current(s), MC_SCR_HOME);
	assert_int_equal(mc_screen_lang(s), MC_LANG_VI);
	mc_screen_free(s);
}

static void test_priority_and_language(void **state)
{
	struct mc_screen *s = new_screen(800, 480, "");
	struct mc_view v;
	struct mc_screen_req req;

	(void)state;
	make_view(&v, 2);
	mc_screen_set_view(s, &v);
	draw(s, 800, 480);
	assert_false(tap(s, "lang:en", 0, &req));
	assert_int_equal(mc_screen_lang(s), MC_LANG_EN);
	draw(s, 800, 480);
	assert_false(tap(s, "priority", 0, &req));
	assert_int_equal(mc_screen_current(s), MC_SCR_PRIORITY);
	draw(s, 800, 480);
	assert_true(tap(s, "service:1", MC_SCREEN_GUARD_MS, &req));
	assert_int_equal(req.kind, MC_REQ_PRESS);
	assert_true(req.priority);
	struct mc_view_result r = { .outcome = MC_VIEW_ISSUED, .service = 1 };
	mc_screen_set_result(s, &r, 100);
	mc_screen_tick(s, 100 + 8000);
	/* Back home in the default language for the next citizen. */
	assert_int_equal(mc_screen_current(s), MC_SCR_HOME);
	assert_int_equal(mc_screen_lang(s), MC_LANG_VI);
	mc_screen_free(s);
}

static void test_notices(void **state)
{
	struct mc_screen *s = new_screen(1024, 600, "");
	struct mc_view v;
	struct mc_screen_req req;
	double x, y;

	(void)state;
	make_view(&v, 4);
	v.open = false;
	v.next_minute = 450;
	mc_screen_set_view(s, &v);
	draw(s, 1024, 600);
	assert_int_equal(mc_screen_current(s), MC_SCR_NOTICE);
	assert_int_equal(mc_screen_notice(s), MC_NOTICE_CLOSED);
	/* No service button while closed: a touch there asks nothing. */
	assert_false(mc_screen_find(s, "service:0", &x, &y));
	assert_false(mc_screen_touch(s, 512, 300, 0, &req));
	v.open = true;
	v.issuing_paused = true;
	mc_screen_set_view(s, &v);
	assert_int_equal(mc_screen_notice(s), MC_NOTICE_PAUSED);
	v.issuing_paused = false;
	v.printer = MC_VIEW_PRINTER_DOWN;
	mc_screen_set_view(s, &v);
	assert_int_equal(mc_screen_notice(s), MC_NOTICE_PRINTER);
	/* Policy "screen": the home stays, the ticket says to remember the number. */
	v.print_fail_screen = true;
	mc_screen_set_view(s, &v);
	assert_int_equal(mc_screen_current(s), MC_SCR_HOME);
	/* Refusals from the engine become transient notices. */
	struct mc_view_result r = { .outcome = MC_VIEW_EXHAUSTED };
	mc_screen_set_result(s, &r, 0);
	assert_int_equal(mc_screen_notice(s), MC_NOTICE_EXHAUSTED);
	r.outcome = MC_VIEW_BUSY;
	mc_screen_set_result(s, &r, 0);
	assert_int_equal(mc_screen_notice(s), MC_NOTICE_BUSY);
	mc_screen_tick(s, 8000);
	assert_int_equal(mc_screen_current(s), MC_SCR_HOME);
	mc_screen_free(s);
}

static void test_redraw_only_on_change(void **state)
{
	struct mc_view v;
	struct mc_screen *s = home_screen(&v);

	(void)state;
	assert_false(mc_screen_dirty(s));
	mc_screen_set_view(s, &v);          /* the same view */
	assert_false(mc_screen_dirty(s));
	v.counters[0].number = 7;           /* hall-only data */
	v.ncounters = 1;
	snprintf(v.status, sizeof(v.status), "{\"printer\":{}}"); /* technician-only */
	mc_screen_set_view(s, &v);
	assert_false(mc_screen_dirty(s));
	v.services[1].waiting++;            /* shown on home */
	mc_screen_set_view(s, &v);
	assert_true(mc_screen_dirty(s));
	draw(s, 1280, 800);
	mc_screen_tick(s, 5000);            /* fixed clock: nothing to do */
	assert_false(mc_screen_dirty(s));
	assert_int_equal(mc_screen_deadline(s, 5000), -1);
	mc_screen_free(s);
}

static void test_pin_lockout(void **state)
{
	char hash[crypto_pwhash_STRBYTES];
	struct mc_view v;
	struct mc_screen_req req;

	(void)state;
	assert_int_equal(crypto_pwhash_str(hash, "2468", 4, crypto_pwhash_OPSLIMIT_MIN,
					   crypto_pwhash_MEMLIMIT_MIN), 0);
	struct mc_screen *s = new_screen(800, 480, hash);
	make_view(&v, 2);
	mc_screen_set_view(s, &v);
	draw(s, 800, 480);
	tap(s, "tech", 0, &req);
	assert_int_equal(mc_screen_current(s), MC_SCR_PIN);
	for (int i = 0; i < MC_PIN_ATTEMPTS; i++) {
		draw(s, 800, 480);
		tap(s, "pin:1", 1000, &req);
		tap(s, "pin:1", 1000, &req);
		tap(s, "pin:1", 1000, &req);
		tap(s, "pin:1", 1000, &req);
		tap(s, "pin:ok", 1000, &req);
		assert_int_equal(mc_screen_deadline(s, 1000), 1000); /* check after the "Checking…" frame */
		draw(s, 800, 480);
		mc_screen_tick(s, 1000);
		assert_int_equal(mc_screen_current(s), MC_SCR_PIN);
	}
	assert_true(mc_screen_pin_locked(s, 1000));
	/* The right PIN is refused while locked... */
	draw(s, 800, 480);
	tap(s, "pin:2", 1000, &req);
	tap(s, "pin:4", 1000, &req);
	tap(s, "pin:6", 1000, &req);
	tap(s, "pin:8", 1000, &req);
	tap(s, "pin:ok", 1000, &req);
	mc_screen_tick(s, 1000);
	assert_int_equal(mc_screen_current(s), MC_SCR_PIN);
	/* ...and accepted after the lockout. */
	int64_t later = 1000 + MC_PIN_LOCKOUT_S * 1000 + 1;
	assert_false(mc_screen_pin_locked(s, later));
	draw(s, 800, 480);
	tap(s, "pin:2", later, &req);
	tap(s, "pin:4", later, &req);
	tap(s, "pin:6", later, &req);
	tap(s, "pin:8", later, &req);
	tap(s, "pin:ok", later, &req);
	mc_screen_tick(s, later);
	assert_int_equal(mc_screen_current(s), MC_SCR_TECH);
	/* Pause from the menu is a request for the app. */
	draw(s, 800, 480);
	assert_false(tap(s, "tech:pause", later + 1, &req)); /* the menu has just come up */
	assert_true(tap(s, "tech:pause", later + MC_SCREEN_GUARD_MS, &req));
	assert_int_equal(req.kind, MC_REQ_PAUSE);
	assert_int_equal(req.arg, 1);
	assert_false(tap(s, "tech:exit", later + MC_SCREEN_GUARD_MS, &req));
	assert_int_equal(mc_screen_current(s), MC_SCR_HOME);
	mc_screen_free(s);
}

static void test_layout_every_count_and_size(void **state)
{
	static const int sizes[][2] = { { 800, 480 }, { 1024, 600 }, { 1280, 800 }, { 1920, 1080 },
					{ 480, 800 }, { 1080, 1920 } };
	struct mc_view v;

	(void)state;
	for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
		int w = sizes[z][0], h = sizes[z][1];
		for (int n = 2; n <= 16; n++) {
			struct mc_screen *s = new_screen(w, h, "");
			double cx[16], cy[16], x, y;
			make_view(&v, n);
			mc_screen_set_view(s, &v);
			draw(s, w, h);
			for (int i = 0; i < n; i++) {
				char name[16];
				snprintf(name, sizeof(name), "service:%d", i);
				assert_true(mc_screen_find(s, name, &cx[i], &cy[i]));
				assert_true(cx[i] > 0 && cx[i] < w && cy[i] > 0 && cy[i] < h);
				for (int j = 0; j < i; j++)
					assert_true(cx[i] != cx[j] || cy[i] != cy[j]);
			}
			/* Buttons read in order: left to right, then down. */
			for (int i = 1; i < n; i++)
				assert_true(cy[i] > cy[i - 1] || (cy[i] == cy[i - 1] && cx[i] > cx[i - 1]));
			assert_true(mc_screen_find(s, "priority", &x, &y));
			assert_true(mc_screen_find(s, "lang:en", &x, &y));
			assert_true(mc_screen_find(s, "tech", &x, &y));
			mc_screen_free(s);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_press_ticket_timeout),
		cmocka_unit_test(test_ticket_hold_option),
		cmocka_unit_test(guard_runs_from_the_frame_shown),
		cmocka_unit_test(test_priority_and_language),
		cmocka_unit_test(test_language_back_to_default),
		cmocka_unit_test(test_notices),
		cmocka_unit_test(test_redraw_only_on_change),
		cmocka_unit_test(test_pin_lockout),
		cmocka_unit_test(test_layout_every_count_and_size),
	};
	if (sodium_init() < 0)
		return 1;
	tr = mc_i18n_new(MC_LOCALEDIR_BUILD);
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	mc_i18n_free(tr);
	return rc;
}
