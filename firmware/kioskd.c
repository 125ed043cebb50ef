/* kioskd.c — the kiosk daemon: reads board.conf, rebuilds the queue from
 * the database, runs the event loop. */
#include "app-gpio.h"
#include "app.h"
#include "app-systemd.h"
#include "app-audio.h"
#include "app-printer.h"
#include "app-screen.h"
#include "i18n.h"
#include "log.h"

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
	       "Exit status: 0 stopped cleanly, 1 failure, 2 bad usage, 78 bad board.conf or a database\n"
	       "missing, empty, foreign or damaged where one existed.\n",
	       MC_DEFAULT_STATE_DIR, MC_DEFAULT_SOCKET);
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
	char err[512];
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
	/* GPIO lines first: a board naming a chip or line that is not there
	 * stops here (78), before the database or the socket is touched. */
	struct mc_config *cfg = malloc(sizeof(*cfg));
	if (!cfg) {
		fprintf(stderr, "kioskd: out of memory\n");
		return 1;
	}
	if (mc_config_load(opt.board, cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "kioskd: %s\n", err);
		free(cfg);
		return MC_EX_CONFIG;
	}
	struct mc_app_gpio *gpio = mc_app_gpio_open(cfg, NULL, opt.sim, err, sizeof(err));
	if (!gpio) {
		fprintf(stderr, "kioskd: %s\n", err);
		free(cfg);
		return MC_EX_CONFIG;
	}
	struct mc_app *app = mc_app_new(&opt, err, sizeof(err), &code);
	if (!app) {
		fprintf(stderr, "kioskd: %s\n", err);
		mc_app_gpio_free(gpio);
		free(cfg);
		return code;
	}
	int grc = mc_app_gpio_start(gpio, app);
	free(cfg);
	if (grc < 0) {
		fprintf(stderr, "kioskd: cannot start the GPIO inputs\n");
		mc_app_free(app);
		return 1;
	}
	if (opt.sim)
		mc_app_gpio_keyboard(gpio, STDIN_FILENO);
	if (mc_app_add_audio(app, err, sizeof(err)) < 0) {
		fprintf(stderr, "kioskd: %s\n", err);
		mc_app_free(app);
		return MC_EX_CONFIG;
	}
	if (opt.sim && mc_app_add_terminal(app) < 0) {
		fprintf(stderr, "kioskd: cannot start the simulated printer\n");
		mc_app_free(app);
		return 1;
	}
	if (mc_app_add_printer(app, err, sizeof(err)) < 0) {
		fprintf(stderr, "kioskd: %s\n", err);
		mc_app_free(app);
		return 1;
	}
	if (mc_app_add_bus(app) < 0) {
		fprintf(stderr, "kioskd: cannot start the counter bus\n");
		mc_app_free(app);
		return 1;
	}
	/* The touch and hall screens; without them the kiosk still serves. The
	 * GPIO technician button then opens the technician menu on the screen. */
	struct mc_app_screen *scr = mc_app_add_screen(app, NULL, err, sizeof(err));
	if (scr)
		mc_app_gpio_on_tech(gpio, mc_app_screen_open_tech, scr);
	else if (err[0])
		mc_log(MC_LOG_ERR, "screen not started, serving without it: %s", err);
	/* Store open, drivers up: tell systemd, and schedule the health check
	 * that marks an updated slot good. */
	if (!mc_app_add_rauc(app, 10000) || mc_app_add_systemd(app) < 0) {
		fprintf(stderr, "kioskd: cannot set up the systemd and update hooks\n");
		mc_app_free(app);
		return 1;
	}
	mc_log(MC_LOG_NOTICE, "kioskd %s ready: board %s, socket %s%s", MC_VERSION, opt.board,
	       opt.socket, opt.sim ? ", simulator mode" : "");
	int rc = mc_app_run(app);
	mc_app_free(app);
	return rc < 0 ? 1 : 0;
}
