/* kioskctl-printer.c — `kioskctl printer status|test|reprint-last|reprint N`: the
 * technician's view of the ticket printer. */
#include <stdio.h>
#include <string.h>

#include "kioskctl.h"
#include "tools-common.h"

static void print_help(void)
{
	printf("Usage: kioskctl printer status|test|reprint-last|reprint NUMBER [--json] [--socket PATH]\n\n"
	       "  status         ask the printer for its state now and show it\n"
	       "                 (paper, cover, connection; tickets printed and failed)\n"
	       "  test           print a test ticket marked IN THỬ / TEST PRINT\n"
	       "  reprint-last   print the last printed ticket again, marked BẢN IN LẠI /\n"
	       "                 REPRINT (e.g. after a paper jam); the queue is unchanged\n"
	       "  reprint NUMBER today's ticket NUMBER again for a citizen who lost it, marked\n"
	       "                 BẢN IN LẠI / REPRINT, with its first issue time; only a number\n"
	       "                 still waiting, called or missed; the queue is unchanged\n");
}

int cmd_printer(int argc, char **argv)
{
	static const struct option opts[] = { COMMON_LONG_OPTS, { NULL, 0, NULL, 0 } };
	struct ctl_opts o = { 0 };
	const char *cmd;
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			print_help();
			return EXIT_OK;
		}
		if (!common_opt(&o, c, optarg))
			return usage_error("printer", "unknown option");
	}
	const char *label = NULL;
	if (argc - optind == 2 && !strcmp(argv[optind], "reprint"))
		label = argv[optind + 1];
	else if (argc - optind != 1)
		return usage_error("printer", "say status, test, reprint-last or reprint NUMBER");
	if (!strcmp(argv[optind], "status"))
		cmd = "printer-status";
	else if (!strcmp(argv[optind], "test"))
		cmd = "printer-test";
	else if (!strcmp(argv[optind], "reprint-last"))
		cmd = "printer-reprint-last";
	else if (label)
		cmd = "printer-reprint";
	else
		return usage_error("printer", "unknown subcommand '%s' (status, test, reprint-last, reprint NUMBER)",
				   argv[optind]);
	json_t *req = json_pack("{s:s}", "cmd", cmd);
	if (label)
		json_object_set_new(req, "label", json_string(label));
	if (!strcmp(cmd, "printer-status"))
		json_object_set_new(req, "check", json_true());
	json_t *a = ctl_request(&o, req, NULL, NULL);
	if (!a)
		return EXIT_FAIL;
	if (o.json) {
		print_json(a);
		int rc = json_is_true(json_object_get(a, "ok")) ? EXIT_OK : EXIT_FAIL;
		json_decref(a);
		return rc;
	}
	if (!ctl_ok(a, argv[optind])) {
		json_decref(a);
		return EXIT_FAIL;
	}
	if (!strcmp(cmd, "printer-status")) {
		/* A fresh check answers with the job result; show the full state too. */
		json_t *s = ctl_request(&o, json_pack("{s:s}", "cmd", "printer-status"), NULL, NULL);
		json_t *v = s ? s : a;
		printf("Máy in (printer): %s\n  trạng thái (state): %s — %s\n  đã in (printed): %lld, lỗi (failed): %lld\n",
		       json_string_value(json_object_get(v, "device")) ?: "?",
		       json_string_value(json_object_get(v, "detail")) ?: "?",
		       json_string_value(json_object_get(v, "text")) ?: "",
		       json_integer_value(json_object_get(v, "printed")),
		       json_integer_value(json_object_get(v, "failed")));
		const char *le = json_string_value(json_object_get(v, "last_error"));
		if (le && *le)
			printf("  lỗi gần nhất (last error): %s\n", le);
		json_decref(s);
	} else {
		printf("Đã in (printed): %lld byte, trạng thái (state) %s\n",
		       json_integer_value(json_object_get(a, "bytes")),
		       json_string_value(json_object_get(a, "state")));
	}
	json_decref(a);
	return EXIT_OK;
}
