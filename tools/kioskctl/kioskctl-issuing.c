/* kioskctl-issuing.c — `kioskctl issuing pause|resume`: the technician's switch. */
#include <stdio.h>
#include <string.h>

#include "kioskctl.h"
#include "tools-common.h"

static void print_help(void)
{
	printf("Usage: kioskctl issuing pause|resume [--socket PATH]\n\n"
	       "Pauses or resumes issuing tickets (e.g. while changing the paper roll).\n"
	       "Counters keep calling those already waiting.\n");
}

int cmd_issuing(int argc, char **argv)
{
	static const struct option opts[] = { COMMON_LONG_OPTS, { NULL, 0, NULL, 0 } };
	struct ctl_opts o = { 0 };
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			print_help();
			return EXIT_OK;
		}
		if (!common_opt(&o, c, optarg))
			return usage_error("issuing", "unknown option");
	}
	if (argc - optind != 1 || (strcmp(argv[optind], "pause") && strcmp(argv[optind], "resume")))
		return usage_error("issuing", "say pause or resume");
	json_t *a = ctl_request(&o, json_pack("{s:s, s:b}", "cmd", "issuing", "paused",
					      !strcmp(argv[optind], "pause")), NULL, NULL);
	int rc = a && ctl_ok(a, "issuing") ? EXIT_OK : EXIT_FAIL;
	json_decref(a);
	return rc;
}
