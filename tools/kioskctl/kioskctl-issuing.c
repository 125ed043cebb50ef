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
	struct ctl_opts o = { 0 };

	int first = parse_common_opts(argc, argv, "issuing", print_help, &o);
	if (first < 0)
		return COMMON_OPTS_EXIT(first);
	if (argc - first != 1 || (strcmp(argv[first], "pause") && strcmp(argv[first], "resume")))
		return usage_error("issuing", "say pause or resume");
	json_t *a = ctl_request(&o, json_pack("{s:s, s:b}", "cmd", "issuing", "paused",
					      !strcmp(argv[first], "pause")), NULL, NULL);
	int rc = a && ctl_ok(a, "issuing") ? EXIT_OK : EXIT_FAIL;
	json_decref(a);
	return rc;
}
