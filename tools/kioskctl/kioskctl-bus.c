/* kioskctl-bus.c — `kioskctl bus status`: the counter bus line and each
 * unit's figures (answers, timeouts, CRC errors, garbage, presses). */
#include <stdio.h>
#include <string.h>

#include "kioskctl.h"
#include "tools-common.h"

static void print_help(void)
{
	printf("Usage: kioskctl bus status [--json] [--socket PATH]\n\n"
	       "Shows the counter bus (RS-485, Modbus RTU): the port, the polling round,\n"
	       "and for each counter unit whether it answers, its requests, timeouts,\n"
	       "CRC errors, garbage answers, presses read, lost and unknown presses.\n");
}

static long long num(json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }

int cmd_bus(int argc, char **argv)
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
			return usage_error("bus", "unknown option");
	}
	if (argc - optind != 1 || strcmp(argv[optind], "status"))
		return usage_error("bus", "say 'bus status'");
	json_t *a = ctl_request(&o, json_pack("{s:s}", "cmd", "bus"), NULL, NULL);
	if (!a)
		return EXIT_FAIL;
	const char *e = json_string_value(json_object_get(a, "error"));
	if (e && !strcmp(e, "unknown_command")) {
		fprintf(stderr, "kioskctl bus: this kiosk runs no counter bus (board.conf needs [bus] and "
			"counters with unit = bus:ADDR)\n");
		json_decref(a);
		return EXIT_FAIL;
	}
	if (!ctl_ok(a, "bus")) {
		json_decref(a);
		return EXIT_FAIL;
	}
	json_t *b = json_object_get(a, "bus");
	if (o.json) {
		print_json(b);
		json_decref(a);
		return EXIT_OK;
	}
	printf("Bus/counter bus: %s %lld %s — %s%s\n%s\n",
	       json_string_value(json_object_get(b, "device")), num(b, "baud"),
	       json_string_value(json_object_get(b, "framing")),
	       json_string_value(json_object_get(b, "state")),
	       json_is_true(json_object_get(b, "rs485_kernel")) ? ", kernel RS-485" : "",
	       json_string_value(json_object_get(b, "text")));
	printf("\n%-4s %-5s %-7s %8s %8s %7s %5s %7s %6s %7s %5s %5s %6s  %s\n", "unit", "quầy",
	       "state", "polls", "ok", "timeout", "crc", "garbage", "writes", "presses", "lost",
	       "unkn", "refuse", "last press");
	size_t i;
	json_t *u;
	json_array_foreach(json_object_get(b, "units"), i, u) {
		printf("%-4lld %-5lld %-7s %8lld %8lld %7lld %5lld %7lld %6lld %7lld %5lld %5lld %6lld  %s\n",
		       num(u, "addr"), num(u, "counter"),
		       json_is_true(json_object_get(u, "online")) ? "online" : "OFFLINE",
		       num(u, "polls"), num(u, "ok"), num(u, "timeouts"), num(u, "crc_errors"),
		       num(u, "garbage") + num(u, "exceptions"), num(u, "writes"), num(u, "presses"),
		       num(u, "lost"), num(u, "ignored"),
		       num(u, "refused"), json_string_value(json_object_get(u, "last_press")));
		const char *fault = json_string_value(json_object_get(u, "fault"));
		if ((fault && *fault) || num(u, "restarts") || num(u, "exceptions"))
			printf("     lỗi/fault: %s; exceptions %lld, writes refused %lld, restarts %lld\n",
			       fault && *fault ? fault : "-", num(u, "exceptions"), num(u, "write_rejects"),
			       num(u, "restarts"));
	}
	json_decref(a);
	return EXIT_OK;
}
