/* kioskctl.c — the technician's and scripts' tool: dispatches to one
 * command per file. */
#include <stdio.h>
#include <string.h>

#include "kioskctl.h"
#include "tools-common.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "status", cmd_status, "queue, counters and devices" },
	{ "press", cmd_press, "take a ticket, as a citizen would" },
	{ "counter", cmd_counter, "act at a counter: next, recall, noshow, finish, ..." },
	{ "tickets", cmd_tickets, "list a day's tickets" },
	{ "issuing", cmd_issuing, "pause or resume issuing tickets" },
	{ "clock", cmd_clock, "whether the wall clock is trusted; confirm it for this boot" },
	{ "screenshot", cmd_screenshot, "save what the screen shows as PNG" },
	{ "tap", cmd_tap, "touch the screen at X Y (or the hall with --hall)" },
	{ "pin-hash", cmd_pin_hash, "hash a technician PIN for board.conf" },
	{ "config", cmd_config, "check a board.conf; list every key with its range and default" },
	{ "update", cmd_update, "install a signed update bundle (RAUC)" },
	{ "diag", cmd_diag, "one diagnostic report for a technician" },
	{ "gpio", cmd_gpio, "GPIO lines: status, watch presses live, press (sim)" },
	{ "say", cmd_say, "play voice clips on the speaker" },
	{ "announce", cmd_announce, "say a call on the speaker (test)" },
	{ "report", cmd_report, "wait-time and satisfaction reports (table, CSV, JSON, PDF)" },
	{ "printer", cmd_printer, "printer state, test ticket, reprint the last ticket" },
	{ "bus", cmd_bus, "counter bus: units, errors, presses" },
	{ "central", cmd_central, "the city's PostgreSQL: init the schema, add an office" },
};

static void print_help(void)
{
	printf("Usage: kioskctl COMMAND [OPTIONS] [ARGS]\n\n"
	       "Talks to kioskd over its control socket (--socket PATH, or $MOTCUA_SOCKET), and\n"
	       "waits up to $MOTCUA_TIMEOUT seconds (default 60, 0: for ever) for each answer.\n\n"
	       "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		printf("  %-10s %s\n", commands[i].name, commands[i].summary);
	printf("\n'kioskctl COMMAND --help' tells more. Exit status: 0 done, 1 failed, 2 bad usage.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		print_help();
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		print_help();
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("kioskctl %s\n", MC_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "kioskctl: unknown command '%s'\nTry 'kioskctl --help'.\n", argv[1]);
	return EXIT_USAGE;
}
