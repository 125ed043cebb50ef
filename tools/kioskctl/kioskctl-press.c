/* kioskctl-press.c — `kioskctl press SERVICE [--priority]`: take a ticket. */
#include <stdio.h>

#include "kioskctl.h"
#include "tools-common.h"

static void print_help(void)
{
	printf("Usage: kioskctl press SERVICE [--priority] [--source NAME] [--json] [--socket PATH]\n\n"
	       "Takes a ticket of SERVICE (the KEY of [service.KEY]) as a citizen would, and\n"
	       "prints the number issued. --priority takes a priority ticket (elderly,\n"
	       "disabled, pregnant, veterans). Presses from the same --source within the\n"
	       "double-tap interval give the same ticket again.\n");
}

int cmd_press(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONG_OPTS,
		{ "priority", no_argument, NULL, 'p' },
		{ "source", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl_opts o = { 0 };
	bool priority = false;
	const char *source = "kioskctl";
	int c;

	while ((c = getopt_long(argc, argv, "hps:", opts, NULL)) != -1) {
		if (c == 'h') {
			print_help();
			return EXIT_OK;
		} else if (c == 'p') {
			priority = true;
		} else if (c == 's') {
			source = optarg;
		} else if (!common_opt(&o, c, optarg)) {
			return usage_error("press", "unknown option");
		}
	}
	if (argc - optind != 1)
		return usage_error("press", "give exactly one SERVICE");
	json_t *a = ctl_request(&o, json_pack("{s:s, s:s, s:b, s:s}", "cmd", "press", "service",
					      argv[optind], "priority", priority, "source", source),
				NULL, NULL);
	if (!a)
		return EXIT_FAIL;
	int rc = EXIT_OK;
	if (o.json) {
		print_json(a);
		rc = json_is_true(json_object_get(a, "ok")) ? EXIT_OK : EXIT_FAIL;
	} else if (ctl_ok(a, "press")) {
		printf("%s\n", json_string_value(json_object_get(a, "label")));
		if (json_is_true(json_object_get(a, "duplicate")))
			fprintf(stderr, "kioskctl press: double tap: same ticket as before\n");
	} else {
		const char *next = json_string_value(json_object_get(a, "next_open"));
		if (next)
			fprintf(stderr, "kioskctl press: mở cửa lại lúc / opens again at %s\n", next);
		rc = EXIT_FAIL;
	}
	json_decref(a);
	return rc;
}
