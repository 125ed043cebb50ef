/* kioskctl-gpio.c — `kioskctl gpio status|watch|press`: for technicians
 * wiring a kiosk: every GPIO line with its level and last press, a live
 * stream of presses, and (simulator) pressing a line by hand. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kioskctl.h"
#include "tools-common.h"

static void print_help(void)
{
	printf("Usage: kioskctl gpio status [--json] [--socket PATH]\n"
	       "       kioskctl gpio watch [--count N] [--json] [--socket PATH]\n"
	       "       kioskctl gpio press LINE [--long|--down|--up] [--bounce] [--socket PATH]\n\n"
	       "status  every GPIO line board.conf wires: what it is for, its level, presses,\n"
	       "        the last one; display boards (shown text, frames, faults); lights\n"
	       "        (Các đường GPIO: chức năng, mức, lần bấm gần nhất)\n"
	       "watch   prints each press as it happens until Ctrl-C (or N presses)\n"
	       "        (in từng lần bấm ngay khi có)\n"
	       "press   simulator only (kioskd --sim): presses LINE (CHIP:OFFSET, or a name\n"
	       "        from status such as \"counter 1 next\"); --long holds it past the\n"
	       "        long-press time, --bounce adds contact bounce\n");
}

static void print_event(json_t *m)
{
	json_int_t at = json_integer_value(json_object_get(m, "at"));
	time_t secs = (time_t)(at / 1000);
	struct tm tm;
	char when[16];

	localtime_r(&secs, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	printf("%s.%03d  %-14s %-22s %-5s %s\n", when, (int)(at % 1000),
	       json_string_value(json_object_get(m, "line")), json_string_value(json_object_get(m, "what")),
	       json_string_value(json_object_get(m, "press")), json_string_value(json_object_get(m, "result")));
	fflush(stdout);
}

static void on_watch(json_t *m, void *ctx)
{
	const struct ctl_opts *o = ctx;

	if (json_is_true(json_object_get(m, "watching"))) {
		use_office_zone(m);
		if (!o->json) {
			printf("Đang theo dõi %lld đường vào GPIO (Ctrl-C để dừng) / watching %lld GPIO inputs\n",
			       (long long)json_integer_value(json_object_get(m, "lines")),
			       (long long)json_integer_value(json_object_get(m, "lines")));
		} else {
			/* The first line says the watch is on: a script presses after it. */
			char *s = json_dumps(m, JSON_COMPACT | JSON_SORT_KEYS);
			if (s)
				puts(s);
			free(s);
		}
		fflush(stdout);
		return;
	}
	if (o->json) {
		char *s = json_dumps(m, JSON_COMPACT | JSON_SORT_KEYS);
		if (s)
			puts(s);
		free(s);
		fflush(stdout);
	} else {
		print_event(m);
	}
}

static void print_status(json_t *a)
{
	json_t *v;
	size_t i;

	printf("GPIO backend %s, debounce %lld ms, long press %lld ms\n",
	       json_string_value(json_object_get(a, "backend")),
	       (long long)json_integer_value(json_object_get(a, "debounce_ms")),
	       (long long)json_integer_value(json_object_get(a, "long_press_ms")));
	printf("%-16s %-22s %-4s %-5s %-7s %s\n", "LINE", "FOR", "DIR", "LEVEL", "PRESSES", "LAST");
	json_array_foreach(json_object_get(a, "lines"), i, v) {
		bool out = !strcmp(json_string_value(json_object_get(v, "dir")), "out");
		char presses[24];
		snprintf(presses, sizeof(presses), "%lld", (long long)json_integer_value(json_object_get(v, "presses")));
		printf("%-16s %-22s %-4s %-5lld %-7s %s\n", json_string_value(json_object_get(v, "line")),
		       json_string_value(json_object_get(v, "what")), out ? "out" : "in",
		       (long long)json_integer_value(json_object_get(v, "level")), out ? "-" : presses,
		       out ? "-" : json_string_value(json_object_get(v, "last")));
	}
	json_array_foreach(json_object_get(a, "displays"), i, v) {
		bool failed = json_is_true(json_object_get(v, "failed"));
		printf("board of counter %lld: %s shows \"%s\"%s, %lld frames%s%s\n",
		       (long long)json_integer_value(json_object_get(v, "counter")),
		       json_string_value(json_object_get(v, "wiring")), json_string_value(json_object_get(v, "text")),
		       json_is_true(json_object_get(v, "paused")) ? " (paused / tạm dừng)" : "",
		       (long long)json_integer_value(json_object_get(v, "frames")),
		       failed ? " — FAULT / LỖI: " : "", failed ? json_string_value(json_object_get(v, "why")) : "");
	}
	json_array_foreach(json_object_get(a, "recent"), i, v)
		print_event(v);
}

int cmd_gpio(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONG_OPTS,
		{ "count", required_argument, NULL, 'n' },
		{ "long", no_argument, NULL, 'l' },
		{ "down", no_argument, NULL, 'd' },
		{ "up", no_argument, NULL, 'u' },
		{ "bounce", no_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl_opts o = { 0 };
	const char *how = "short";
	bool bounce = false;
	long count = 0;
	int c;

	while ((c = getopt_long(argc, argv, "hn:", opts, NULL)) != -1) {
		switch (c) {
		case 'h': print_help(); return EXIT_OK;
		case 'n':
			if (!parse_int(optarg, 1, 1000000, &count))
				return usage_error("gpio", "--count needs a number from 1");
			break;
		case 'l': how = "long"; break;
		case 'd': how = "down"; break;
		case 'u': how = "up"; break;
		case 'b': bounce = true; break;
		default:
			if (!common_opt(&o, c, optarg))
				return usage_error("gpio", "unknown option");
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return usage_error("gpio", "give status, watch or press");
	json_t *req = json_pack("{s:s, s:s}", "cmd", "gpio", "action", argv[0]);
	json_t *a;
	int rc = EXIT_OK;
	if (!strcmp(argv[0], "status")) {
		if (argc != 1)
			return json_decref(req), usage_error("gpio", "status takes no argument");
		a = ctl_request(&o, req, NULL, NULL);
	} else if (!strcmp(argv[0], "watch")) {
		if (argc != 1)
			return json_decref(req), usage_error("gpio", "watch takes no argument");
		if (count)
			json_object_set_new(req, "count", json_integer(count));
		setvbuf(stdout, NULL, _IOLBF, 0);
		o.stream = true; /* quiet for minutes between presses: no timeout */
		a = ctl_request(&o, req, on_watch, &o);
		if (a && json_is_true(json_object_get(a, "ok")) && json_object_get(a, "line")) {
			/* The last press of a counted watch comes as the final answer. */
			on_watch(a, &o);
			json_decref(a);
			return EXIT_OK;
		}
	} else if (!strcmp(argv[0], "press")) {
		if (argc != 2)
			return json_decref(req), usage_error("gpio", "press needs one LINE (CHIP:OFFSET)");
		json_object_set_new(req, "action", json_string("inject"));
		json_object_set_new(req, "line", json_string(argv[1]));
		json_object_set_new(req, "press", json_string(how));
		json_object_set_new(req, "bounce", json_boolean(bounce));
		a = ctl_request(&o, req, NULL, NULL);
	} else {
		json_decref(req);
		return usage_error("gpio", "unknown action '%s' (status, watch, press)", argv[0]);
	}
	if (!a)
		return EXIT_FAIL;
	if (o.json) {
		print_json(a);
		rc = json_is_true(json_object_get(a, "ok")) ? EXIT_OK : EXIT_FAIL;
	} else if (ctl_ok(a, "gpio")) {
		if (!strcmp(argv[0], "status"))
			print_status(a);
		else if (!strcmp(argv[0], "press"))
			printf("%s (%s)\n", json_string_value(json_object_get(a, "line")),
			       json_string_value(json_object_get(a, "what")));
	} else {
		rc = EXIT_FAIL;
	}
	json_decref(a);
	return rc;
}
