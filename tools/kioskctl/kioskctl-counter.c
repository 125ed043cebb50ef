/* kioskctl-counter.c — `kioskctl counter N ACTION [ARG]`: a clerk's keypad. */
#include <stdio.h>
#include <string.h>

#include "kioskctl.h"
#include "tools-common.h"

static void print_help(void)
{
	printf("Usage: kioskctl counter N ACTION [ARG] [--json] [--socket PATH]\n\n"
	       "Acts at counter N as its keypad would. ACTION is one of:\n"
	       "  next               finish the current ticket, call the next one\n"
	       "  priority-next      the same, taking a priority ticket first\n"
	       "  recall             call the current ticket again\n"
	       "  noshow             the current citizen did not come\n"
	       "  reactivate [NUM]   a no-show came back (latest, or number NUM)\n"
	       "  finish             the current ticket is served\n"
	       "  pause | resume     stop or restart calling at this counter\n"
	       "  transfer SERVICE   send the current ticket to another service, keeping its place\n"
	       "  login CLERK        clerk number 1-255 starts work here\n"
	       "  logout             the clerk leaves\n"
	       "  rate R             the citizen's rating of the ticket served last: R is the\n"
	       "                     level on the office's scale, best first (1 = Rất hài lòng)\n"
	       "Prints the number concerned, if any.\n");
}

int cmd_counter(int argc, char **argv)
{
	static const char *const noarg[] = { "next", "priority-next", "recall", "noshow", "finish",
					     "pause", "resume", "logout" };
	struct ctl_opts o = { 0 };
	long n, v;

	int first = parse_common_opts(argc, argv, "counter", print_help, &o);
	if (first < 0)
		return COMMON_OPTS_EXIT(first);
	argc -= first;
	argv += first;
	if (argc < 2)
		return usage_error("counter", "give a counter number and an action");
	if (!parse_int(argv[0], 1, 247, &n))
		return usage_error("counter", "'%s' is not a counter number (1-247)", argv[0]);
	const char *act = argv[1];
	json_t *req = json_pack("{s:s, s:i, s:s}", "cmd", "counter", "counter", (int)n, "action", act);
	bool known = false;
	for (size_t i = 0; i < sizeof(noarg) / sizeof(noarg[0]); i++)
		known |= !strcmp(act, noarg[i]);
	if (known) {
		if (argc != 2)
			return json_decref(req), usage_error("counter", "%s takes no argument", act);
	} else if (!strcmp(act, "transfer")) {
		if (argc != 3)
			return json_decref(req), usage_error("counter", "transfer needs a SERVICE");
		json_object_set_new(req, "arg", json_string(argv[2]));
	} else if (!strcmp(act, "login") || !strcmp(act, "rate") || !strcmp(act, "reactivate")) {
		long lo = 1, hi = !strcmp(act, "rate") ? 5 : !strcmp(act, "login") ? 255 : 9999;
		if (!strcmp(act, "reactivate") && argc == 2) {
			v = 0;
		} else if (argc != 3 || !parse_int(argv[2], lo, hi, &v)) {
			json_decref(req);
			return usage_error("counter", "%s needs a number from %ld to %ld", act, lo, hi);
		}
		json_object_set_new(req, "arg", json_integer(v));
	} else {
		json_decref(req);
		return usage_error("counter", "unknown action '%s'", act);
	}
	json_t *a = ctl_request(&o, req, NULL, NULL);
	if (!a)
		return EXIT_FAIL;
	int rc = EXIT_OK;
	if (o.json) {
		print_json(a);
		rc = json_is_true(json_object_get(a, "ok")) ? EXIT_OK : EXIT_FAIL;
	} else if (ctl_ok(a, "counter")) {
		json_t *t = json_object_get(a, "ticket");
		if (t)
			printf("%s\n", json_string_value(json_object_get(t, "label")));
	} else {
		rc = EXIT_FAIL;
	}
	json_decref(a);
	return rc;
}
