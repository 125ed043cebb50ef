/* kioskctl-clock.c — `kioskctl clock status|confirm`: whether kioskd trusts
 * the wall clock, which office day it keeps, and the technician's
 * confirmation of the clock for the current boot (DESIGN §8). */
#include <stdio.h>
#include <string.h>

#include "kioskctl.h"
#include "tools-common.h"

static void print_help(void)
{
	printf("Usage: kioskctl clock status|confirm [--json] [--socket PATH]\n\n"
	       "status   shows whether kioskd trusts the wall clock (and who vouches for it),\n"
	       "         the office day tickets are dated with, and why issuing waits if it does.\n"
	       "confirm  the technician vouches for the wall clock until the next reboot\n"
	       "         (offices with neither NTP nor an RTC). Check the time first: `date`.\n");
}

static void print_clock(json_t *c)
{
	const char *notice = json_string_value(json_object_get(c, "notice"));
	const char *notice_en = json_string_value(json_object_get(c, "notice_en"));

	printf("Đồng hồ (clock): %s — chế độ (mode) %s\n", json_string_value(json_object_get(c, "state")),
	       json_string_value(json_object_get(c, "mode")));
	printf("Nguồn (source): %s%s\n", json_string_value(json_object_get(c, "source")),
	       json_is_true(json_object_get(c, "confirmed")) ? "; kỹ thuật viên đã xác nhận (confirmed this boot)" : "");
	printf("Ngày làm việc (office day): %s; đồng hồ (wall clock): %s\n",
	       json_string_value(json_object_get(c, "day")), json_string_value(json_object_get(c, "wall_day")));
	if (json_integer_value(json_object_get(c, "last_step_s")))
		printf("Bước nhảy gần nhất (last step): %+lld s\n",
		       (long long)json_integer_value(json_object_get(c, "last_step_s")));
	if (json_object_get(c, "settle_left_s"))
		printf("Chờ thêm (settling): %lld s\n", (long long)json_integer_value(json_object_get(c, "settle_left_s")));
	if (notice)
		printf("%s (%s)\n", notice, notice_en ? notice_en : "");
}

int cmd_clock(int argc, char **argv)
{
	struct ctl_opts o = { 0 };

	int first = parse_common_opts(argc, argv, "clock", print_help, &o);
	if (first < 0)
		return COMMON_OPTS_EXIT(first);
	if (argc - first != 1 || (strcmp(argv[first], "status") && strcmp(argv[first], "confirm")))
		return usage_error("clock", "say status or confirm");
	json_t *a = ctl_request(&o, json_pack("{s:s, s:s}", "cmd", "clock", "action", argv[first]), NULL, NULL);
	if (!a)
		return EXIT_FAIL;
	if (!ctl_ok(a, "clock")) {
		json_decref(a);
		return EXIT_FAIL;
	}
	json_t *c = json_object_get(a, "clock");
	if (o.json)
		print_json(c);
	else
		print_clock(c);
	json_decref(a);
	return EXIT_OK;
}
