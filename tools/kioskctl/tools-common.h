/* tools-common.h — helpers shared by kioskctl's commands: options, the
 * control-socket client, and output. */
#ifndef MC_TOOLS_COMMON_H
#define MC_TOOLS_COMMON_H

#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>

/* Exit statuses of every command. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* Options every command accepts. */
struct ctl_opts {
	const char *socket;  /* control socket path */
	bool json;           /* print the raw JSON answer */
	bool stream;         /* the answer streams until the user stops it
	                      * (gpio watch): no MOTCUA_TIMEOUT */
};

/* getopt_long entries for --socket, --json and --help; commands append
 * their own. Short codes: 'S', 'J', 'h'. */
#define COMMON_LONG_OPTS \
	{ "socket", required_argument, NULL, 'S' }, \
	{ "json", no_argument, NULL, 'J' }, \
	{ "help", no_argument, NULL, 'h' }

/* Parses argv for a command that takes only the common options. Returns
 * the index of the first argument, or -1 after printing help (exit 0), or
 * -2 after a usage error (exit 2). */
int parse_common_opts(int argc, char **argv, const char *cmd, void (*help)(void),
		      struct ctl_opts *o);
/* Exit status for parse_common_opts' negative results. */
#define COMMON_OPTS_EXIT(r) ((r) == -1 ? EXIT_OK : EXIT_USAGE)

/* Handles a common option c; returns true if it was one. */
bool common_opt(struct ctl_opts *o, int c, const char *arg);
/* Default socket: $MOTCUA_SOCKET or the daemon's default. */
const char *default_socket(void);

/* Sends req (stolen) to kioskd and returns its final answer (caller
 * decrefs), or NULL after printing why to stderr. Streaming answers
 * ("more": true) are passed to on_more if given, else ignored. */
json_t *ctl_request(const struct ctl_opts *o, json_t *req,
		    void (*on_more)(json_t *msg, void *ctx), void *ctx);
/* True if answer says ok; else prints its message to stderr. */
bool ctl_ok(json_t *answer, const char *what);
/* Prints a JSON value on stdout, indented. */
void print_json(json_t *v);
/* Prints "kioskctl CMD: msg" to stderr and returns EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Makes local times in this process the office's: sets TZ to the zone
 * named by answer's "timezone" (kioskd's [office] timezone), so that a tool
 * on a UTC machine prints the times the screens, tickets and reports show.
 * Leaves TZ alone when the answer names none. */
void use_office_zone(json_t *answer);
/* A device's state token in both languages ("sẵn sàng / ready"); the token
 * itself when it is not known. Static text. */
const char *mc_state_words(const char *state);
/* Parses a whole decimal integer within [lo, hi]. */
bool parse_int(const char *s, long lo, long hi, long *out);

#endif
