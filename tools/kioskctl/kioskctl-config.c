/* kioskctl-config.c — `kioskctl config check FILE`: validates a board.conf
 * exactly as kioskd does, without starting anything. */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "kioskctl.h"
#include "tools-common.h"

static void print_help(void)
{
	printf("Usage: kioskctl config check FILE [--json]\n\n"
	       "Reads FILE as kioskd would and reports the first problem as\n"
	       "FILE:LINE: what is wrong (exit 1), or a summary (exit 0).\n");
}

int cmd_config(int argc, char **argv)
{
	struct ctl_opts o = { 0 };
	static struct mc_config cfg; /* large; read-only use within this call */
	char err[512];

	int first = parse_common_opts(argc, argv, "config", print_help, &o);
	if (first < 0)
		return COMMON_OPTS_EXIT(first);
	if (argc - first != 2 || strcmp(argv[first], "check"))
		return usage_error("config", "say: config check FILE");
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
