/* kioskctl-config.c — `kioskctl config check FILE`: validates a board.conf
 * exactly as kioskd does, without starting anything; `kioskctl config keys`:
 * every key the parser knows, with its type, range and default (the
 * parser's own table; board.conf(5) is generated from it). */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "kioskctl.h"
#include "tools-common.h"

static void print_help(void)
{
	printf("Usage: kioskctl config check FILE [--json]\n"
	       "       kioskctl config keys [--json]\n\n"
	       "check: reads FILE as kioskd would and reports the first problem as\n"
	       "FILE:LINE: what is wrong (exit 1), or a summary (exit 0).\n"
	       "keys: lists every key of every section with its type, range and\n"
	       "default, from the parser's own table (board.conf(5) explains them).\n");
}

/* One key as a line: [section] key, type, range, default. */
static int print_key(const struct mc_config_key_info *k, void *user)
{
	json_t *arr = user;
	char range[64] = "";

	if (arr) {
		json_t *j = json_pack("{s:s, s:s, s:s}", "section", k->section, "key", k->name, "kind", k->kind);
		if (!strcmp(k->kind, "integer") || !strcmp(k->kind, "duration")) {
			json_object_set_new(j, "min", json_integer(k->min));
			json_object_set_new(j, "max", json_integer(k->max));
		}
		if (k->unit)
			json_object_set_new(j, "unit", json_string(k->unit));
		if (k->max_bytes)
			json_object_set_new(j, "max_bytes", json_integer((json_int_t)k->max_bytes));
		json_object_set_new(j, "default", k->def ? json_string(k->def) : json_null());
		json_array_append_new(arr, j);
		return 0;
	}
	if (!strcmp(k->kind, "integer") || !strcmp(k->kind, "duration"))
		snprintf(range, sizeof(range), "%ld-%ld%s", k->min, k->max, k->unit ? k->unit : "");
	else if (k->max_bytes)
		snprintf(range, sizeof(range), "<=%zu bytes", k->max_bytes);
	printf("[%s] %-16s %-9s %-18s %s\n", k->section, k->name, k->kind, range[0] ? range : "-",
	       k->def ? k->def : "(none)");
	return 0;
}

static int list_keys(bool json)
{
	json_t *arr = json ? json_array() : NULL;

	mc_config_keys_each(print_key, arr);
	if (arr) {
		print_json(arr);
		json_decref(arr);
	}
	return EXIT_OK;
}

int cmd_config(int argc, char **argv)
{
	struct ctl_opts o = { 0 };
	static struct mc_config cfg; /* large; read-only use within this call */
	char err[512];

	int first = parse_common_opts(argc, argv, "config", print_help, &o);
	if (first < 0)
		return COMMON_OPTS_EXIT(first);
	if (argc - first == 1 && !strcmp(argv[first], "keys"))
		return list_keys(o.json);
	if (argc - first != 2 || strcmp(argv[first], "check"))
		return usage_error("config", "say: config check FILE, or config keys");
	const char *file = argv[first + 1];
	if (mc_config_load(file, &cfg, err, sizeof(err)) < 0) {
		if (o.json) {
			json_t *j = json_pack("{s:b, s:s}", "ok", 0, "message", err);
			print_json(j);
			json_decref(j);
		} else {
			fprintf(stderr, "%s\n", err);
		}
		return EXIT_FAIL;
	}
	/* Valid, but likely not what was meant. */
	if (cfg.warnings[0] && !o.json)
		fputs(cfg.warnings, stderr);
	if (o.json) {
		json_t *j = json_pack("{s:b, s:s, s:i, s:i, s:b, s:b, s:b, s:b, s:s}", "ok", 1, "office",
				      cfg.office.name, "services", cfg.nservices, "counters", cfg.ncounters,
				      "printer", cfg.printer.present, "bus", cfg.bus.present, "audio",
				      cfg.audio.present, "screen", cfg.screen.present, "warnings", cfg.warnings);
		print_json(j);
		json_decref(j);
	} else {
		printf("%s: OK — %s: %d services, %d counters%s%s%s%s\n", file, cfg.office.name,
		       cfg.nservices, cfg.ncounters, cfg.printer.present ? ", printer" : "",
		       cfg.bus.present ? ", counter bus" : "", cfg.audio.present ? ", voice" : "",
		       cfg.screen.present ? ", screen" : "");
	}
	return EXIT_OK;
}
