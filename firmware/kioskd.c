/* kioskd.c — the kiosk daemon: reads board.conf once, checks every service
 * on it (services.h), rebuilds the queue from the database, starts the
 * services, runs the event loop. */
#include "app.h"
#include "i18n.h"
#include "log.h"
#include "services.h"

#include <assert.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void print_help(void)
{
	printf("Usage: kioskd --board FILE [--state-dir DIR] [--socket PATH] [--sim]\n"
	       "\n"
	       "The queue-ticket kiosk daemon.\n"
	       "\n"
	       "  -b, --board FILE      board.conf to run (required)\n"
	       "  -d, --state-dir DIR   database and runtime files (default %s)\n"
	       "  -s, --socket PATH     control socket (default %s)\n"
	       "      --sim             simulate the hardware this machine lacks\n"
	       "      --init-store      start a new database where kiosk.db is missing, empty or\n"
	       "                        unusable (the old file is set aside; numbering restarts)\n"
	       "      --bus-device PATH use PATH as the counter bus port ([bus] device)\n"
	       "  -h, --help            this help\n"
	       "  -v, --version         print the version\n"
	       "\n"
	       "Exit status: 0 stopped cleanly, 1 failure (also a database that cannot be read now:\n"
	       "a full disk, an I/O error), 2 bad usage, 78 bad board.conf or a database\n"
	       "missing, empty, foreign or damaged where one existed.\n",
	       MC_DEFAULT_STATE_DIR, MC_DEFAULT_SOCKET);
}

#define MAX_SERVICES 32

/* Releases what the checks kept for services that were never started. */
static void stop_checked(void **priv, int n)
{
	for (int i = n - 1; i >= 0; i--)
		if (priv[i] && mc_services[i]->stop)
			mc_services[i]->stop(priv[i]);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "board", required_argument, NULL, 'b' },
		{ "state-dir", required_argument, NULL, 'd' },
		{ "socket", required_argument, NULL, 's' },
		{ "sim", no_argument, NULL, 'S' },
		{ "bus-device", required_argument, NULL, 'B' },
		{ "init-store", no_argument, NULL, 'I' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	struct mc_app_options opt = {
		.state_dir = MC_DEFAULT_STATE_DIR,
		.socket = MC_DEFAULT_SOCKET,
	};
	char err[1024];
	int c, code;

	/* Before any thread: the screens' catalogues switch LANGUAGE once. */
	mc_i18n_prepare_env();
	while ((c = getopt_long(argc, argv, "b:d:s:hv", opts, NULL)) != -1) {
		switch (c) {
		case 'b': opt.board = optarg; break;
		case 'd': opt.state_dir = optarg; break;
		case 's': opt.socket = optarg; break;
		case 'S': opt.sim = true; break;
		case 'B': opt.bus_device = optarg; break;
		case 'I': opt.init_store = true; break;
		case 'h': print_help(); return 0;
		case 'v': printf("kioskd %s\n", MC_VERSION); return 0;
		default: fprintf(stderr, "Try 'kioskd --help'.\n"); return 2;
		}
	}
	if (optind < argc || !opt.board) {
		fprintf(stderr, "kioskd: %s\nTry 'kioskd --help'.\n",
			optind < argc ? "unexpected argument" : "--board FILE is required");
		return 2;
	}
	/* board.conf is read here, once: the services' checks and the app use
	 * this copy. */
	struct mc_config *cfg = malloc(sizeof(*cfg));
	void *priv[MAX_SERVICES] = { NULL };
	int nchecked = 0;
	if (!cfg) {
		fprintf(stderr, "kioskd: out of memory\n");
		return 1;
	}
	if (mc_config_load(opt.board, cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "kioskd: %s\n", err);
		free(cfg);
		return MC_EX_CONFIG;
	}
	if (opt.bus_device)
		snprintf(cfg->bus.device, sizeof(cfg->bus.device), "%s", opt.bus_device);
	opt.cfg = cfg;
	/* Every check before anything is touched: a board naming a chip or a
	 * line that is not there stops here (78), before the database or the
	 * socket is opened. */
	for (; mc_services[nchecked]; nchecked++) {
		const struct mc_service *sv = mc_services[nchecked];
		assert(nchecked < MAX_SERVICES);
		err[0] = 0;
		if (sv->check && sv->check(cfg, &opt, &priv[nchecked], err, sizeof(err)) < 0) {
			fprintf(stderr, "kioskd: %s\n", err);
			stop_checked(priv, nchecked);
			free(cfg);
			return MC_EX_CONFIG;
		}
	}
	struct mc_app *app = mc_app_new(&opt, err, sizeof(err), &code);
	if (!app) {
		fprintf(stderr, "kioskd: %s\n", err);
		stop_checked(priv, nchecked);
		free(cfg);
		return code;
	}
	for (int i = 0; mc_services[i]; i++) {
		const struct mc_service *sv = mc_services[i];
		void *p = priv[i];

		priv[i] = NULL; /* start takes it over, even when it fails */
		err[0] = 0;
		if (sv->start && sv->start(app, p, err, sizeof(err)) < 0) {
			fprintf(stderr, "kioskd: %s\n", err[0] ? err : sv->name);
			stop_checked(priv, nchecked);
			mc_app_free(app);
			free(cfg);
			return sv->exit_code ? sv->exit_code : 1;
		}
	}
	free(cfg); /* the checks' handles were started: nothing points into it */
	mc_log(MC_LOG_NOTICE, "kioskd %s ready: board %s, socket %s%s", MC_VERSION, opt.board,
	       opt.socket, opt.sim ? ", simulator mode" : "");
	int rc = mc_app_run(app);
	mc_app_free(app);
	return rc < 0 ? 1 : 0;
}
