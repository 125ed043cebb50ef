/* fuzz-socket.c — the control-socket protocol: each input is the bytes of
 * one connection (request lines, the last maybe without a newline) handed
 * to the real dispatcher of a kioskd application (mc_ctl_feed): the
 * simulator board, its store in a temporary directory, the core commands
 * and the GPIO commands (simulated lines). Every answer must be a line
 * holding a JSON object with a boolean "ok"; a refusal carries "error" and
 * "message". The loop then runs one turn so work handed to threads lands.
 *
 * The kiosk is made once per process, not per input (a store, threads and
 * GPIO lines cost far more than a request), and made afresh when the day
 * holds more than MAX_TICKETS tickets: what requests leave behind is then
 * bounded, so the `tickets` answer (every ticket of the day) and the work
 * per input stay small instead of growing with the run. The temporary
 * directory goes with its kiosk. */
#include <ftw.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app-gpio.h"
#include "app.h"
#include "config.h"
#include "ctl.h"
#include "engine.h"
#include "loop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Past this many tickets in the day, the next input gets a fresh kiosk. */
#define MAX_TICKETS 32

static struct mc_app *app;
static char dir[256];

static void check_answers(const char *text)
{
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		json_error_t jerr;
		if (!nl) {
			fprintf(stderr, "answer without a newline: %s\n", p);
			abort();
		}
		json_t *a = json_loadb(p, (size_t)(nl - p), 0, &jerr);
		json_t *ok = a ? json_object_get(a, "ok") : NULL;
		if (!json_is_boolean(ok) ||
		    (json_is_false(ok) && (!json_is_string(json_object_get(a, "error")) ||
					   !json_is_string(json_object_get(a, "message"))))) {
			fprintf(stderr, "bad answer: %.*s\n", (int)(nl - p), p);
			abort();
		}
		json_decref(a);
		p = nl + 1;
	}
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) < 0 ? -1 : 0;
}

/* Frees the kiosk and removes its directory. */
static void teardown(void)
{
	mc_app_free(app);
	app = NULL;
	if (dir[0] && nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS) < 0)
		perror(dir);
	dir[0] = 0;
}

static void setup(void)
{
	static char sock[300];
	static struct mc_config cfg;
	static bool registered;
	char err[512];
	int code;
	const char *tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

	snprintf(dir, sizeof(dir), "%s/motcua-fuzz-socket-XXXXXX", tmp);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		abort();
	}
	snprintf(sock, sizeof(sock), "%s/kioskd.sock", dir);
	struct mc_app_options opt = { .board = MC_FUZZ_BOARD, .state_dir = dir, .socket = sock,
				      .sim = true };
	if (mc_config_load(opt.board, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		abort();
	}
	struct mc_app_gpio *gpio = mc_app_gpio_open(&cfg, NULL, true, err, sizeof(err));
	app = gpio ? mc_app_new(&opt, err, sizeof(err), &code) : NULL;
	if (!app || mc_app_gpio_start(gpio, app) < 0) {
		fprintf(stderr, "fuzz-socket: %s\n", err);
		abort();
	}
	if (!registered)
		atexit(teardown);
	registered = true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *answer;

	size_t nt = 0;

	if (app)
		mc_engine_tickets(mc_app_engine(app), &nt);
	if (app && nt > MAX_TICKETS)
		teardown();
	if (!app)
		setup();
	if (mc_ctl_feed(mc_app_ctl(app), (const char *)data, size, &answer) < 0)
		return 0;
	check_answers(answer);
	free(answer);
	mc_loop_run_once(mc_app_loop(app), 0);
	return 0;
}
