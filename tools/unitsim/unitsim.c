/* unitsim.c — the counter-unit simulator: plays N counter units (keypad +
 * display, DESIGN.md §5) on a serial device or on a pty pair it makes,
 * paced at the line's baud rate. Shows each unit's display as it changes
 * and takes key presses from its terminal or a script. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "usim.h"

/* Set by SIGINT/SIGTERM: the one piece of state a signal handler may touch. */
static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

/* The program's state, shared by the display callback and the reader. */
struct sim {
	struct usim *u;          /* the line */
	bool json;               /* JSON lines instead of text for people */
	pthread_mutex_t out;     /* one line at a time on stdout */
};

static void print_help(void)
{
	printf("Usage: unitsim [OPTIONS]\n\n"
	       "Plays counter units (keypad + display) on the counter bus, Modbus RTU\n"
	       "protocol v1, paced at the line's baud rate.\n\n"
	       "  -u, --units LIST       unit addresses, e.g. 1,2,3 or 1-16 (default 1)\n"
	       "  -d, --device PATH      play on this serial device\n"
	       "  -l, --link PATH        (no --device) make a pty pair and link PATH to the\n"
	       "                         kiosk's end; kioskd's [bus] device is PATH\n"
	       "  -b, --baud N           line speed for pacing (default 19200)\n"
	       "  -p, --parity N|E|O     parity (default E)\n"
	       "  -t, --turnaround US    unit's reply delay after the frame gap (default 1000)\n"
	       "  -c, --corrupt PCT      corrupt PCT %% of frames each way (default 0)\n"
	       "  -s, --script FILE      read commands from FILE, then from the terminal\n"
	       "  -j, --json             JSON lines on stdout (for scripts and tests)\n"
	       "  -k, --stay             keep the units running when the input ends\n"
	       "                         (until SIGTERM or Ctrl-C)\n"
	       "  -h, --help             this help\n\n"
	       "Commands, one a line:\n"
	       "  ADDR KEY [ARG]         press a key at unit ADDR. KEY: n next, r recall,\n"
	       "                         x noshow, f finish, p pause, v priority,\n"
	       "                         t N transfer to service N, g R rating R (1-5, best first),\n"
	       "                         l K login clerk K, o logout, code 0xNNNN any code\n"
	       "  presses ADDR COUNT KEY [ARG]   COUNT presses at once (between two polls)\n"
	       "  dead ADDR on|off       the unit stops / starts answering\n"
	       "  garbage ADDR on|off    the unit answers random bytes / normally\n"
	       "  corrupt PCT            corrupt PCT %% of frames\n"
	       "  show [ADDR]            print the displays\n"
	       "  stats                  line figures\n"
	       "  sleep MS               pause (scripts)\n"
	       "  quit                   stop\n");
}

/* Prints s as a JSON string. */
static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c > 0x7e)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void print_display(struct sim *sim, int addr, const struct mc_bus_display *d)
{
	pthread_mutex_lock(&sim->out);
	if (sim->json) {
		printf("{\"event\":\"display\",\"unit\":%d,\"text\":", addr);
		json_str(d->text);
		printf(",\"waiting\":%u,\"blink\":%s,\"paused\":%s,\"brightness\":%u}\n", d->waiting,
		       d->blink ? "true" : "false", d->paused ? "true" : "false", d->brightness);
	} else {
		printf("quầy/unit %3d  [%-8.8s]  chờ/waiting %-4u%s%s  sáng/bright %u\n", addr, d->text,
		       d->waiting, d->blink ? "  * nhấp nháy/blink" : "",
		       d->paused ? "  || tạm dừng/paused" : "", d->brightness);
	}
	fflush(stdout);
	pthread_mutex_unlock(&sim->out);
}

static void on_display(void *ctx, int addr, const struct mc_bus_display *d)
{
	print_display(ctx, addr, d);
}

/* Answers a command: a JSON line, or for people the text when human. */
static void reply_line(struct sim *sim, bool ok, bool human, const char *arg)
{
	pthread_mutex_lock(&sim->out);
	if (sim->json) {
		printf("{\"event\":\"%s\",\"text\":", ok ? "ok" : "error");
		json_str(arg ? arg : "");
		printf("}\n");
	} else if (!ok || human) {
		printf("%s\n", arg ? arg : "");
	}
	fflush(stdout);
	pthread_mutex_unlock(&sim->out);
}

/* Parses a unit list "1,2,5-8" into addrs. Returns the count or -1. */
static int parse_units(const char *s, int *addrs, int max)
{
	char buf[512], *save = NULL;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", s);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int a, b;
		char extra;
		if (sscanf(t, "%d-%d%c", &a, &b, &extra) == 2) {
		} else if (sscanf(t, "%d%c", &a, &extra) == 1) {
			b = a;
		} else {
			return -1;
		}
		if (a < 1 || b > 247 || a > b)
			return -1;
		for (int i = a; i <= b; i++) {
			if (n == max)
				return -1;
			addrs[n++] = i;
		}
	}
	return n;
}

/* Turns KEY [ARG] into a key code; 0 if not understood. */
static uint16_t key_code(const char *key, const char *arg)
{
	static const struct {
		const char *a, *b;
		enum mc_bus_key k;
	} keys[] = {
		{ "n", "next", MC_BUS_KEY_NEXT }, { "r", "recall", MC_BUS_KEY_RECALL },
		{ "x", "noshow", MC_BUS_KEY_NOSHOW }, { "f", "finish", MC_BUS_KEY_FINISH },
		{ "p", "pause", MC_BUS_KEY_PAUSE }, { "v", "priority", MC_BUS_KEY_PRIORITY },
		{ "t", "transfer", MC_BUS_KEY_TRANSFER }, { "g", "rate", MC_BUS_KEY_RATE },
		{ "l", "login", MC_BUS_KEY_LOGIN }, { "o", "logout", MC_BUS_KEY_LOGOUT },
	};
	char *end;

	if (!key)
		return 0;
	if (!strcasecmp(key, "code")) {
		unsigned long v = arg ? strtoul(arg, &end, 0) : 0;
		return arg && !*end && v <= 0xffff ? (uint16_t)v : 0;
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcasecmp(key, keys[i].a) && strcasecmp(key, keys[i].b))
			continue;
		long v = arg ? strtol(arg, &end, 0) : 0;
		if (arg && *end)
			return 0;
		return mc_bus_key_encode(keys[i].k, (int)v);
	}
	return 0;
}

static bool on_off(const char *s, bool *v)
{
	if (s && !strcmp(s, "on"))
		*v = true;
	else if (s && !strcmp(s, "off"))
		*v = false;
	else
		return false;
	return true;
}

/* Runs one command line. Returns false on quit. */
static bool command(struct sim *sim, char *line, const int *addrs, int naddrs)
{
	char *tok[6] = { NULL };
	int nt = 0;
	char *save = NULL, msg[160];
	bool v;

	for (char *t = strtok_r(line, " \t\r\n", &save); t && nt < 6; t = strtok_r(NULL, " \t\r\n", &save))
		tok[nt++] = t;
	if (!nt || tok[0][0] == '#')
		return true;
	if (!strcmp(tok[0], "quit") || !strcmp(tok[0], "q"))
		return false;
	if (!strcmp(tok[0], "sleep") && nt == 2) {
		usleep((useconds_t)atoi(tok[1]) * 1000u);
		reply_line(sim, true, false, "sleep");
		return true;
	}
	if (!strcmp(tok[0], "show")) {
		for (int i = 0; i < naddrs; i++) {
			struct mc_bus_display d;
			if ((nt < 2 || addrs[i] == atoi(tok[1])) && usim_display(sim->u, addrs[i], &d, NULL, NULL) == 0)
				print_display(sim, addrs[i], &d);
		}
		reply_line(sim, true, false, "show");
		return true;
	}
	if (!strcmp(tok[0], "stats")) {
		struct usim_stats st;
		usim_stats(sim->u, &st);
		snprintf(msg, sizeof(msg), "requests=%llu bad_crc=%llu replies=%llu corrupted=%llu garbage=%llu",
			 (unsigned long long)st.requests, (unsigned long long)st.bad_crc,
			 (unsigned long long)st.replies, (unsigned long long)st.corrupted,
			 (unsigned long long)st.garbage);
		reply_line(sim, true, true, msg);
		return true;
	}
	if (!strcmp(tok[0], "corrupt") && nt == 2) {
		usim_set_corrupt(sim->u, atof(tok[1]) / 100.0);
		reply_line(sim, true, false, "corrupt");
		return true;
	}
	if ((!strcmp(tok[0], "dead") || !strcmp(tok[0], "garbage")) && nt == 3 && on_off(tok[2], &v)) {
		int rc = tok[0][0] == 'd' ? usim_set_dead(sim->u, atoi(tok[1]), v)
					  : usim_set_garbage(sim->u, atoi(tok[1]), v);
		snprintf(msg, sizeof(msg), rc ? "no unit %s" : "unit %s", tok[1]);
		reply_line(sim, rc == 0, false, msg);
		return true;
	}
	int first = 0, count = 1;
	if (!strcmp(tok[0], "presses") && nt >= 4) {
		first = 1;
		count = atoi(tok[2]);
		tok[2] = tok[1];
		first = 2;
	} else if (!strcmp(tok[0], "press") && nt >= 3) {
		first = 1;
	}
	char *end;
	long addr = strtol(tok[first], &end, 10);
	uint16_t code = *end ? 0 : key_code(tok[first + 1], tok[first + 2]);
	if (!code || count < 1 || count > 65535) {
		snprintf(msg, sizeof(msg), "not understood: %s (try --help)", tok[0]);
		reply_line(sim, false, true, msg);
		return true;
	}
	if (usim_press(sim->u, (int)addr, code, count, NULL) < 0) {
		snprintf(msg, sizeof(msg), "no unit %s", tok[first]);
		reply_line(sim, false, true, msg);
		return true;
	}
	snprintf(msg, sizeof(msg), "unit %ld pressed 0x%04x x%d", addr, code, count);
	reply_line(sim, true, false, msg);
	return true;
}

static bool run_file(struct sim *sim, FILE *f, const int *addrs, int naddrs)
{
	char line[256];

	while (!stopping && fgets(line, sizeof(line), f))
		if (!command(sim, line, addrs, naddrs))
			return false;
	return true;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "units", required_argument, NULL, 'u' }, { "device", required_argument, NULL, 'd' },
		{ "link", required_argument, NULL, 'l' }, { "baud", required_argument, NULL, 'b' },
		{ "parity", required_argument, NULL, 'p' }, { "turnaround", required_argument, NULL, 't' },
		{ "corrupt", required_argument, NULL, 'c' }, { "script", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' }, { "stay", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int addrs[247], naddrs = 1, c;
	struct usim_options o = { .baud = 19200, .parity = 'E', .data_bits = 8, .stop_bits = 1,
				  .turnaround_us = 1000, .addrs = addrs };
	struct sim sim = { .json = false };
	const char *script = NULL;
	bool stay = false;
	struct sigaction sa = { .sa_handler = on_stop };
	double corrupt = 0;
	char err[256];

	addrs[0] = 1;
	while ((c = getopt_long(argc, argv, "u:d:l:b:p:t:c:s:jkh", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			naddrs = parse_units(optarg, addrs, 247);
			if (naddrs < 1) {
				fprintf(stderr, "unitsim: --units '%s': give addresses 1-247 like 1,2,5-8\n", optarg);
				return 2;
			}
			break;
		case 'd': o.device = optarg; break;
		case 'l': o.link = optarg; break;
		case 'b': o.baud = atoi(optarg); break;
		case 'p':
			o.parity = optarg[0];
			if (strlen(optarg) != 1 || !strchr("NEO", o.parity)) {
				fprintf(stderr, "unitsim: --parity must be N, E or O\n");
				return 2;
			}
			break;
		case 't': o.turnaround_us = atoi(optarg); break;
		case 'c': corrupt = atof(optarg) / 100.0; break;
		case 's': script = optarg; break;
		case 'j': sim.json = true; break;
		case 'k': stay = true; break;
		case 'h': print_help(); return 0;
		default: fprintf(stderr, "Try 'unitsim --help'.\n"); return 2;
		}
	}
	if (optind < argc || o.baud < 300 || o.turnaround_us < 0) {
		fprintf(stderr, "unitsim: bad arguments\nTry 'unitsim --help'.\n");
		return 2;
	}
	o.naddrs = naddrs;
	/* Line faults (--corrupt) follow a seed: MC_TEST_SEED when set (the
	 * test suite fixes it, `tools/dev.sh test --all` draws one), else the pid. */
	o.seed = getenv("MC_TEST_SEED") ? (unsigned)strtoul(getenv("MC_TEST_SEED"), NULL, 10)
					: (unsigned)getpid();
	pthread_mutex_init(&sim.out, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* No SA_RESTART: Ctrl-C interrupts the read of the next command. The
	 * line thread blocks both signals, so they reach this thread. */
	sigset_t stops, old;
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	pthread_sigmask(SIG_BLOCK, &stops, &old);
	sim.u = usim_new(&o, on_display, &sim, err, sizeof(err));
	if (!sim.u) {
		fprintf(stderr, "unitsim: %s\n", err);
		return 1;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	usim_set_corrupt(sim.u, corrupt);
	pthread_mutex_lock(&sim.out);
	if (sim.json) {
		printf("{\"event\":\"ready\",\"path\":");
		json_str(usim_path(sim.u));
		printf(",\"units\":%d,\"baud\":%d}\n", naddrs, o.baud);
	} else {
		printf("unitsim: %d đơn vị quầy / counter units on %s%s%s, %d baud.\n"
		       "Gõ/type '1 n' = NEXT ở quầy 1; 'show'; 'quit'; --help for all.\n",
		       naddrs, usim_path(sim.u), o.link ? " -> link " : "", o.link ? o.link : "", o.baud);
	}
	fflush(stdout);
	pthread_mutex_unlock(&sim.out);

	bool go = true;
	if (script) {
		FILE *f = fopen(script, "r");
		if (!f) {
			fprintf(stderr, "unitsim: cannot read %s: %s\n", script, strerror(errno));
			usim_free(sim.u);
			return 1;
		}
		go = run_file(&sim, f, addrs, naddrs);
		fclose(f);
	}
	if (go && !stopping)
		go = run_file(&sim, stdin, addrs, naddrs);
	pthread_sigmask(SIG_BLOCK, &stops, NULL);
	while (go && stay && !stopping)
		sigsuspend(&old);
	usim_free(sim.u);
	pthread_mutex_destroy(&sim.out);
	return 0;
}
