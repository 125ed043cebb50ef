/* kioskctl-tap.c — `kioskctl tap X Y [--hall]`: a touch on a running kiosk's
 * screen, for technicians testing a panel and for tests. kioskd pushes it
 * through SDL as a finger down and up, exactly where a finger would land. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kioskctl.h"
#include "tools-common.h"

static void print_help(void)
{
	printf("Usage: kioskctl tap X Y [--hall] [--socket PATH] [--json]\n"
	       "       kioskctl tap --control NAME [--socket PATH] [--json]\n\n"
	       "Touches the kiosk's screen at X, Y (pixels from the top left of the screen\n"
	       "as the citizen sees it, after rotation), or the hall screen with --hall, or\n"
	       "the centre of a named control (service:N, priority, lang:vi, lang:en, tech,\n"
	       "back, ...). Prints the screen shown once the touch is handled.\n"
	       "Chạm vào màn hình của kiosk đang chạy tại X, Y (hoặc màn hình sảnh với --hall).\n");
}

int cmd_tap(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONG_OPTS, { "hall", no_argument, NULL, 'H' }, { "control", required_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl_opts o = { 0 };
	bool hall = false;
	const char *control = NULL;
	long x = 0, y = 0;
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			print_help();
			return EXIT_OK;
		}
		if (c == 'H') {
			hall = true;
			continue;
		}
		if (c == 'C') {
			control = optarg;
			continue;
		}
		if (!common_opt(&o, c, optarg))
			return usage_error("tap", "unknown option");
	}
	json_t *req;
	if (control) {
		if (argc != optind || hall)
			return usage_error("tap", "--control NAME takes no X Y and no --hall");
		req = json_pack("{s:s, s:s}", "cmd", "tap", "control", control);
	} else {
		if (argc - optind != 2 || !parse_int(argv[optind], 0, 100000, &x) ||
		    !parse_int(argv[optind + 1], 0, 100000, &y))
			return usage_error("tap", "give X and Y, whole pixels from 0");
		req = json_pack("{s:s, s:I, s:I, s:b}", "cmd", "tap", "x", (json_int_t)x, "y", (json_int_t)y,
				"hall", hall);
	}
	json_t *a = ctl_request(&o, req, NULL, NULL);
	int rc = a && ctl_ok(a, "tap") ? EXIT_OK : EXIT_FAIL;
	if (rc == EXIT_OK) {
		if (o.json)
			print_json(a);
		else
			printf("%s\n", json_string_value(json_object_get(a, "showing")) ?
			       json_string_value(json_object_get(a, "showing")) : "");
	}
	json_decref(a);
	return rc;
}
