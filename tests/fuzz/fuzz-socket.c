/* fuzz-socket.c — the control-socket protocol: each input is the bytes of
 * one connection (request lines, the last maybe without a newline) handed
 * to the real dispatcher of a kioskd application (mc_ctl_feed): the
 * simulator board, its store (SQLite) in a temporary directory, the core
 * commands, the GPIO commands (simulated lines) and the update commands
 * (update-find, update-install, update-upload; the system bus is pointed at
 * a socket that does not exist, so RAUC is never reached). Every answer must
 * be a line holding a JSON object with a boolean "ok"; a refusal carries
 * "error" and "message". The loop then runs one turn so work handed to
 * threads lands.
 *
 * The kiosk is made once per process, not per input (a store, threads and
 * GPIO lines cost far more than a request), and made afresh when the day
 * holds more than MAX_TICKETS tickets or after MAX_INPUTS inputs: what
 * requests leave behind (tickets, uploaded files) is then bounded, so the
 * `tickets` answer (every ticket of the day) and the work per input stay
 * small instead of growing with the run. MAX_TICKETS is small because the
 * `tickets` and `status` answers are most of an input's cost, and a day's
 * paths (three services, priority, counters calling, recalls, no-shows)
 * need only a few tickets. The temporary directory goes with its kiosk. */
#include <ftw.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app-gpio.h"
#include "app-rauc.h"
#include "app.h"
#include "config.h"
#include "ctl.h"
#include "engine.h"
#include "loop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Past this many tickets in the day, or this many inputs, the next input
 * gets a fresh kiosk. */
#define MAX_TICKETS 16
#define MAX_INPUTS 20000

static struct mc_app *app;
static long inputs;           /* fed to this kiosk */
static char dir[256];

/* A JSON scanner for the answers: checks the syntax of one value (RFC 8259,
 * strings in valid UTF-8, as jansson reads them) without building it. The
 * check runs on every answer of every input, and parsing them into objects
 * with jansson cost more than the dispatcher making them (a third of the
 * fuzzer's time); the replay build does both and requires they agree. */
/* The scanner is the harness's, not the kiosk's: no coverage feedback from
 * it (libFuzzer would chase answer shapes instead of the dispatcher's paths). */
#ifdef __clang__
#pragma clang attribute push(__attribute__((no_sanitize("coverage"))), apply_to = function)
#endif
struct scan {
	const unsigned char *p, *end;
	int depth;
};

static void skip_ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static bool lit(struct scan *s, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n))
		return false;
	s->p += n;
	return true;
}

static bool hex4(struct scan *s, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++, s->p++) {
		unsigned c = s->p < s->end ? *s->p : 0;
		if (c >= '0' && c <= '9')
			*v = *v * 16 + (c - '0');
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			*v = *v * 16 + ((c | 0x20) - 'a' + 10);
		else
			return false;
	}
	return true;
}

/* One UTF-8 sequence of 2 to 4 bytes led by c (already consumed): no
 * overlong forms, no surrogates, nothing past U+10FFFF. */
static bool utf8_tail(struct scan *s, unsigned c)
{
	int n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
	unsigned cp = c & (n == 1 ? 0x1fu : n == 2 ? 0x0fu : 0x07u);

	if (n < 0 || s->end - s->p < n)
		return false;
	for (int i = 0; i < n; i++) {
		if ((s->p[i] & 0xc0) != 0x80)
			return false;
		cp = cp << 6 | (s->p[i] & 0x3fu);
	}
	s->p += n;
	return (n != 2 || cp >= 0x800) && (n != 3 || cp >= 0x10000) && cp <= 0x10ffff &&
	       (cp < 0xd800 || cp > 0xdfff);
}

/* A string; *start and *len receive its raw bytes between the quotes. */
static bool string(struct scan *s, const unsigned char **start, size_t *len)
{
	if (s->p >= s->end || *s->p != '"')
		return false;
	*start = ++s->p;
	while (s->p < s->end && *s->p != '"') {
		unsigned c = *s->p++, v, lo;
		if (c < 0x20)
			return false;
		if (c >= 0x80 && !utf8_tail(s, c))
			return false;
		if (c != '\\')
			continue;
		if (s->p >= s->end)
			return false;
		c = *s->p++;
		if (c == 'u') {
			/* No NUL (jansson refuses it without JSON_ALLOW_NUL);
			 * a surrogate only as a high + low pair. */
			if (!hex4(s, &v) || !v)
				return false;
			if (v >= 0xdc00 && v <= 0xdfff)
				return false;
			if (v >= 0xd800 && v <= 0xdbff &&
			    (!lit(s, "\\u") || !hex4(s, &lo) || lo < 0xdc00 || lo > 0xdfff))
				return false;
		} else if (!c || !strchr("\"\\/bfnrt", (int)c)) {
			return false;
		}
	}
	if (s->p >= s->end)
		return false;
	*len = (size_t)(s->p - *start);
	s->p++;
	return true;
}

static bool digits(struct scan *s)
{
	const unsigned char *from = s->p;

	while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
		s->p++;
	return s->p > from;
}

static bool number(struct scan *s)
{
	if (s->p < s->end && *s->p == '-')
		s->p++;
	if (s->p < s->end && *s->p == '0')
		s->p++;
	else if (s->p >= s->end || *s->p < '1' || *s->p > '9' || !digits(s))
		return false;
	if (s->p < s->end && *s->p == '.' && (s->p++, !digits(s)))
		return false;
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (!digits(s))
			return false;
	}
	return true;
}

/* What an answer's top level holds: the type of "ok", "error", "message". */
struct top {
	int ok;                  /* -1 absent, 0 false, 1 true, 2 another type */
	bool error, message;     /* present as strings */
};

static bool value(struct scan *s, struct top *top);

/* An object or array after its opening bracket; top (an object at the top
 * level only) records the keys an answer must have. */
static bool members(struct scan *s, bool object, struct top *top)
{
	const unsigned char *key = NULL;
	size_t klen = 0;

	if (++s->depth > 64)
		return false;
	skip_ws(s);
	if (s->p < s->end && *s->p == (object ? '}' : ']')) {
		s->p++;
		s->depth--;
		return true;
	}
	for (;;) {
		skip_ws(s);
		if (object) {
			if (!string(s, &key, &klen))
				return false;
			skip_ws(s);
			if (!lit(s, ":"))
				return false;
			skip_ws(s);
		}
		const unsigned char *v = s->p;
		if (!value(s, NULL))
			return false;
		if (top && klen == 2 && !memcmp(key, "ok", 2))
			top->ok = *v == 't' ? 1 : *v == 'f' ? 0 : 2;
		else if (top && klen == 5 && !memcmp(key, "error", 5))
			top->error = *v == '"';
		else if (top && klen == 7 && !memcmp(key, "message", 7))
			top->message = *v == '"';
		skip_ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			continue;
		}
		if (s->p < s->end && *s->p == (object ? '}' : ']')) {
			s->p++;
			s->depth--;
			return true;
		}
		return false;
	}
}

static bool value(struct scan *s, struct top *top)
{
	const unsigned char *str;
	size_t len;

	if (s->p >= s->end)
		return false;
	switch (*s->p) {
	case '{':
		s->p++;
		return members(s, true, top);
	case '[':
		s->p++;
		return members(s, false, NULL);
	case '"':
		return string(s, &str, &len);
	case 't':
		return lit(s, "true");
	case 'f':
		return lit(s, "false");
	case 'n':
		return lit(s, "null");
	default:
		return number(s);
	}
}

/* Whether line is one answer: a JSON object with a boolean "ok", and a
 * refusal has string "error" and "message". */
static bool good_answer(const char *line, size_t len)
{
	struct scan s = { (const unsigned char *)line, (const unsigned char *)line + len, 0 };
	struct top top = { .ok = -1 };

	skip_ws(&s);
	if (s.p >= s.end || *s.p != '{' || !value(&s, &top))
		return false;
	skip_ws(&s);
	return s.p == s.end && (top.ok == 1 || (top.ok == 0 && top.error && top.message));
}

#ifdef __clang__
#pragma clang attribute pop
#endif

#ifdef MC_FUZZ_REPLAY
/* The same judgement by jansson (replay builds: the scanner's cross-check). */
static bool good_answer_jansson(const char *line, size_t len)
{
	json_error_t jerr;
	json_t *a = json_loadb(line, len, 0, &jerr);
	json_t *ok = a ? json_object_get(a, "ok") : NULL;
	bool good = json_is_object(a) && json_is_boolean(ok) &&
		    (json_is_true(ok) || (json_is_string(json_object_get(a, "error")) &&
					  json_is_string(json_object_get(a, "message"))));

	json_decref(a);
	return good;
}
#endif

static void check_answers(const char *text)
{
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		if (!nl) {
			fprintf(stderr, "answer without a newline: %s\n", p);
			abort();
		}
		size_t len = (size_t)(nl - p);
		bool good = good_answer(p, len);
#ifdef MC_FUZZ_REPLAY
		if (good != good_answer_jansson(p, len)) {
			fprintf(stderr, "scanner and jansson disagree (%d): %.*s\n", good, (int)len, p);
			abort();
		}
#endif
		if (!good) {
			fprintf(stderr, "bad answer: %.*s\n", (int)len, p);
			abort();
		}
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
	static char sock[300], media[300], bus[320];
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
	/* The update service's world: bundles only from the kiosk's own
	 * directories, no system bus (RAUC is never asked: an install fails as
	 * on a kiosk without RAUC), no health check during the run. */
	snprintf(media, sizeof(media), "%s/media", dir);
	snprintf(bus, sizeof(bus), "unix:path=%s/no-system-bus", dir);
	setenv("MOTCUA_MEDIA_DIRS", media, 1);
	setenv("DBUS_SYSTEM_BUS_ADDRESS", bus, 1);
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
	if (!mc_app_add_rauc(app, 24 * 3600 * 1000)) {
		perror("fuzz-socket: update service");
		abort();
	}
	inputs = 0;
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
	if (app && (nt > MAX_TICKETS || inputs >= MAX_INPUTS))
		teardown();
	if (!app)
		setup();
	inputs++;
	if (mc_ctl_feed(mc_app_ctl(app), (const char *)data, size, &answer) < 0)
		return 0;
	check_answers(answer);
	free(answer);
	mc_loop_run_once(mc_app_loop(app), 0);
	return 0;
}
