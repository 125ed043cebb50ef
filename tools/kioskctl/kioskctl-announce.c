/* kioskctl-announce.c — `kioskctl announce NUMBER COUNTER`: says a call as
 * the kiosk would, for a technician testing the speakers. */
#include <stdio.h>

#include "kioskctl.h"
#include "tools-common.h"

static void print_help(void)
{
	printf("Usage: kioskctl announce NUMBER COUNTER [--force] [--json] [--socket PATH]\n\n"
	       "Says \"Mời công dân có số NUMBER đến quầy số COUNTER\" on the kiosk's speaker,\n"
	       "with the chime, [audio] repeat and English as board.conf sets them, and waits\n"
	       "until it has played. NUMBER is a ticket label (1023, B017); nothing is\n"
	       "called in the queue. --force plays during quiet hours too.\n");
}

int cmd_announce(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONG_OPTS,
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl_opts o = { 0 };
	bool force = false;
	long counter;
	int c;

	while ((c = getopt_long(argc, argv, "hf", opts, NULL)) != -1) {
		if (c == 'h') {
			print_help();
			return EXIT_OK;
		} else if (c == 'f') {
			force = true;
		} else if (!common_opt(&o, c, optarg)) {
			return usage_error("announce", "unknown option");
		}
	}
	if (argc - optind != 2)
		return usage_error("announce", "give NUMBER and COUNTER");
	if (!parse_int(argv[optind + 1], 1, 9999, &counter))
		return usage_error("announce", "COUNTER '%s' must be 1..9999", argv[optind + 1]);
	json_t *a = ctl_request(&o, json_pack("{s:s, s:s, s:i, s:b}", "cmd", "announce", "number",
					      argv[optind], "counter", (int)counter, "force", force),
				NULL, NULL);
	if (!a)
		return EXIT_FAIL;
	int rc = EXIT_OK;
	if (o.json) {
		print_json(a);
		rc = json_is_true(json_object_get(a, "ok")) ? EXIT_OK : EXIT_FAIL;
	} else if (ctl_ok(a, "announce")) {
		printf("%s (%lld ms)\n", json_string_value(json_object_get(a, "text")),
		       (long long)json_integer_value(json_object_get(a, "ms")));
	} else {
		rc = EXIT_FAIL;
	}
	json_decref(a);
	return rc;
}
