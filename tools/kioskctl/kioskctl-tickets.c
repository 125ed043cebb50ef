/* kioskctl-tickets.c — `kioskctl tickets [--day YYYY-MM-DD]`: a day's tickets. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "kioskctl.h"
#include "tools-common.h"

static void print_help(void)
{
	printf("Usage: kioskctl tickets [--day YYYY-MM-DD] [--json] [--socket PATH]\n\n"
	       "Lists the tickets of a day (default: kioskd's current day): number,\n"
	       "service, status, print state, counter, wait and service times. Times\n"
	       "are in the office's zone ([office] timezone); a waiting ticket's wait is\n"
	       "its wait so far.\n");
}

static void hhmm(long long ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms <= 0) {
		snprintf(buf, len, "--:--");
		return;
	}
	localtime_r(&t, &tm);
	strftime(buf, len, "%H:%M:%S", &tm);
}

int cmd_tickets(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONG_OPTS, { "day", required_argument, NULL, 'd' }, { NULL, 0, NULL, 0 },
	};
	struct ctl_opts o = { 0 };
	const char *day = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "hd:", opts, NULL)) != -1) {
		if (c == 'h') {
			print_help();
			return EXIT_OK;
		} else if (c == 'd') {
			day = optarg;
		} else if (!common_opt(&o, c, optarg)) {
			return usage_error("tickets", "unknown option");
		}
	}
	if (optind < argc)
		return usage_error("tickets", "unexpected argument '%s'", argv[optind]);
	json_t *req = json_pack("{s:s}", "cmd", "tickets");
	if (day)
		json_object_set_new(req, "day", json_string(day));
	json_t *a = ctl_request(&o, req, NULL, NULL);
	if (!a)
		return EXIT_FAIL;
	if (!ctl_ok(a, "tickets")) {
		json_decref(a);
		return EXIT_FAIL;
	}
	use_office_zone(a);
	json_t *list = json_object_get(a, "tickets");
	if (o.json) {
		print_json(list);
		json_decref(a);
		return EXIT_OK;
	}
	printf("%-6s %-10s %-9s %-8s %-7s %-8s %-8s %7s %7s\n", "số", "service", "status", "print",
	       "counter", "issued", "called", "wait", "service");
	size_t i;
	json_t *t;
	/* Tickets whose paper is uncertain (in doubt) or missing (failed), and
	 * what became of them: a technician's measure of the printer. */
	int doubt[3] = { 0 }, failed[3] = { 0 };
	json_array_foreach(list, i, t) {
		const char *p = json_string_value(json_object_get(t, "print"));
		const char *st = json_string_value(json_object_get(t, "status"));
		int *n = p && !strcmp(p, "in_doubt") ? doubt : p && !strcmp(p, "failed") ? failed : NULL;
		if (n) {
			n[0]++;
			n[1] += st && !strcmp(st, "finished");
			n[2] += st && !strcmp(st, "noshow");
		}
	}
	json_array_foreach(list, i, t) {
		char is[16], ca[16];
		long long w = json_integer_value(json_object_get(t, "wait_ms"));
		/* A waiting ticket: its wait so far. */
		if (json_is_integer(json_object_get(t, "waited_ms")))
			w = json_integer_value(json_object_get(t, "waited_ms"));
		long long s = json_integer_value(json_object_get(t, "service_ms"));
		hhmm(json_integer_value(json_object_get(t, "issued_at")), is, sizeof(is));
		hhmm(json_integer_value(json_object_get(t, "called_at")), ca, sizeof(ca));
		printf("%-5s%s %-10s %-9s %-8s %-7lld %-8s %-8s %6llds %6llds\n",
		       json_string_value(json_object_get(t, "label")),
		       json_is_true(json_object_get(t, "priority")) ? "*" : " ",
		       json_string_value(json_object_get(t, "cur_service")),
		       json_string_value(json_object_get(t, "status")),
		       json_string_value(json_object_get(t, "print")),
		       json_integer_value(json_object_get(t, "counter")), is, ca,
		       w < 0 ? 0 : w / 1000, s < 0 ? 0 : s / 1000);
	}
	printf("\nIn chưa chắc (in doubt): %d, đã phục vụ (served) %d, vắng (no-show) %d\n"
	       "In lỗi (failed): %d, đã phục vụ (served) %d, vắng (no-show) %d\n",
	       doubt[0], doubt[1], doubt[2], failed[0], failed[1], failed[2]);
	json_decref(a);
	return EXIT_OK;
}
