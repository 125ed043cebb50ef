/* kioskctl-status.c — `kioskctl status`: the queue, counters and devices. */
#include <stdio.h>

#include "kioskctl.h"
#include "tools-common.h"

static void print_help(void)
{
	printf("Usage: kioskctl status [--json] [--socket PATH]\n\n"
	       "Shows the office's day, whether it is open, each service's waiting count\n"
	       "and estimated wait, each counter's current number, and device states.\n");
}

/* Prints device sections (printer, bus, ...) in a generic way. */
static void print_device(const char *name, json_t *v)
{
	const char *state = json_string_value(json_object_get(v, "state"));
	const char *text = json_string_value(json_object_get(v, "text"));
	const char *key;
	json_t *f;

	if (state) {
		printf("%-9s %s%s%s\n", name, mc_state_words(state), text && *text ? " — " : "",
		       text && *text ? text : "");
		return;
	}
	/* A device without a one-word state: its plain fields. */
	printf("%-9s", name);
	json_object_foreach(v, key, f) {
		if (json_is_string(f))
			printf(" %s=%s", key, json_string_value(f));
		else if (json_is_integer(f))
			printf(" %s=%lld", key, (long long)json_integer_value(f));
		else if (json_is_boolean(f))
			printf(" %s=%s", key, json_is_true(f) ? "yes" : "no");
	}
	printf("\n");
}

int cmd_status(int argc, char **argv)
{
	struct ctl_opts o = { 0 };

	int first = parse_common_opts(argc, argv, "status", print_help, &o);
	if (first < 0)
		return COMMON_OPTS_EXIT(first);
	if (first < argc)
		return usage_error("status", "unexpected argument '%s'", argv[first]);
	json_t *a = ctl_request(&o, json_pack("{s:s}", "cmd", "status"), NULL, NULL);
	if (!a)
		return EXIT_FAIL;
	if (!ctl_ok(a, "status")) {
		json_decref(a);
		return EXIT_FAIL;
	}
	if (o.json) {
		json_object_del(a, "ok");
		print_json(a);
		json_decref(a);
		return EXIT_OK;
	}
	bool open = json_is_true(json_object_get(a, "open"));
	printf("%s — %s — %s%s%s\n", json_string_value(json_object_get(a, "office")),
	       json_string_value(json_object_get(a, "day")),
	       open ? "đang mở cửa (open)" : "đóng cửa (closed)",
	       open ? "" : ", mở lại ", open ? "" : json_string_value(json_object_get(a, "next_open")));
	if (json_is_true(json_object_get(a, "issuing_paused")))
		printf("Tạm dừng cấp số (issuing paused)\n");
	json_t *clock = json_object_get(a, "clock");
	if (json_string_value(json_object_get(clock, "notice")))
		printf("%s (%s)\n", json_string_value(json_object_get(clock, "notice")),
		       json_string_value(json_object_get(clock, "notice_en")));
	printf("Đang chờ (waiting): %lld\n\nLĩnh vực (services):\n",
	       json_integer_value(json_object_get(a, "waiting")));
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(a, "services"), i, v)
		printf("  %-10s %-32s chờ %3lld   ~%lld phút\n", json_string_value(json_object_get(v, "key")),
		       json_string_value(json_object_get(v, "name")),
		       json_integer_value(json_object_get(v, "waiting")),
		       (json_integer_value(json_object_get(v, "est_wait_s")) + 59) / 60);
	printf("\nQuầy (counters):\n");
	json_array_foreach(json_object_get(a, "counters"), i, v) {
		const char *cur = json_string_value(json_object_get(v, "current"));
		printf("  quầy %-3lld %-12s%s clerk %-3lld chờ %lld\n",
		       json_integer_value(json_object_get(v, "number")),
		       cur && *cur ? cur : "—",
		       json_is_true(json_object_get(v, "paused")) ? " tạm dừng" : "         ",
		       json_integer_value(json_object_get(v, "clerk")),
		       json_integer_value(json_object_get(v, "waiting")));
	}
	printf("\n");
	const char *key;
	json_object_foreach(a, key, v)
		if (json_is_object(v))
			print_device(key, v);
	json_decref(a);
	return EXIT_OK;
}
