/* kioskctl-update.c — `kioskctl update BUNDLE`: installs a signed RAUC
 * bundle into the other A/B slot with a progress bar, refusing a bundle
 * with an untrusted signature or for another board. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kioskctl.h"
#include "rauc-client.h"
#include "tools-common.h"

static void print_help(void)
{
	printf("Usage: kioskctl update [--json] BUNDLE\n\n"
	       "Cài bản cập nhật (install an update): checks the bundle's signature and that\n"
	       "it was made for this kind of kiosk, writes it to the slot not running now,\n"
	       "and shows progress. Then reboot: the new system is tried once and kept only\n"
	       "when kioskd finds itself healthy; otherwise the old one comes back.\n"
	       "Talks to the RAUC service on the system D-Bus.\n");
}

/* Progress bar state. */
struct bar {
	bool tty;                /* redraw one line, else print lines */
	bool json;               /* print JSON lines instead */
};

static void show_progress(int pct, const char *msg, void *ctx)
{
	struct bar *b = ctx;
	char fill[41];
	int n = pct < 0 ? 0 : pct > 100 ? 40 : pct * 40 / 100;

	if (b->json) {
		json_t *j = json_pack("{s:i, s:s}", "progress", pct, "message", msg);
		char *s = json_dumps(j, JSON_COMPACT);
		if (s)
			printf("%s\n", s);
		free(s);
		json_decref(j);
		fflush(stdout);
		return;
	}
	memset(fill, '#', (size_t)n);
	memset(fill + n, '.', (size_t)(40 - n));
	fill[40] = 0;
	printf("%s[%s] %3d%% %-50.50s%s", b->tty ? "\r" : "", fill, pct, msg, b->tty ? "" : "\n");
	fflush(stdout);
}

/* Prints a refusal with its plain explanation. */
static int refuse(const struct bar *b, const char *what, const char *rauc_error)
{
	const char *plain = rauc_explain(rauc_error);

	if (b->tty)
		printf("\n");
	fprintf(stderr, "kioskctl update: %s%s%s\n  RAUC: %s\n", what, plain ? ": " : "",
		plain ? plain : "", rauc_error);
	if (b->json) {
		json_t *j = json_pack("{s:b, s:s, s:s, s:s}", "ok", 0, "error", what, "explanation",
				      plain ? plain : "", "rauc", rauc_error);
		print_json(j);
		json_decref(j);
	}
	return EXIT_FAIL;
}

int cmd_update(int argc, char **argv)
{
	static const struct option opts[] = { COMMON_LONG_OPTS, { NULL, 0, NULL, 0 } };
	struct ctl_opts o = { 0 };
	struct bar b = { 0 };
	char path[PATH_MAX], err[1024], compat[256], version[128], mine[256];
	int c, rc = EXIT_FAIL;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			print_help();
			return EXIT_OK;
		}
		if (!common_opt(&o, c, optarg))
			return usage_error("update", "unknown option");
	}
	if (argc - optind != 1)
		return usage_error("update", "give one bundle file (.raucb)");
	b.json = o.json;
	b.tty = !o.json && isatty(STDOUT_FILENO);
	if (!realpath(argv[optind], path)) {
		fprintf(stderr, "kioskctl update: cannot read '%s': %m\n", argv[optind]);
		return EXIT_FAIL;
	}
	struct rauc_client *rcl = rauc_client_open(err, sizeof(err));
	if (!rcl) {
		fprintf(stderr, "kioskctl update: %s\n", err);
		return EXIT_FAIL;
	}
	/* Check first, so a bundle for another board is refused before anything
	 * is written. When Info fails (RAUC's D-Bus Info says only "rauc info
	 * error"), the installation below fails at its own signature check,
	 * before writing, with the precise reason in LastError. */
	bool known = rauc_client_info(rcl, path, compat, sizeof(compat), version, sizeof(version),
				      err, sizeof(err)) == 0;
	if (!known) {
		snprintf(compat, sizeof(compat), "?");
		snprintf(version, sizeof(version), "?");
	}
	if (known && rauc_client_prop(rcl, "Compatible", mine, sizeof(mine), err, sizeof(err)) == 0 &&
	    strcmp(mine, compat)) {
		char why[600];
		snprintf(why, sizeof(why), "Compatible mismatch: bundle is for '%s', this kiosk is '%s'",
			 compat, mine);
		rc = refuse(&b, "gói cập nhật bị từ chối (bundle refused)", why);
		goto out;
	}
	if (!b.json)
		printf("Cài bản %s cho %s (installing version %s for %s)\n", version, compat, version,
		       compat);
	if (rauc_client_install(rcl, path, show_progress, &b, err, sizeof(err)) < 0) {
		rc = refuse(&b, rauc_explain(err) ? "gói cập nhật bị từ chối (bundle refused)"
						  : "cài đặt thất bại (installation failed)", err);
		goto out;
	}
	if (b.json) {
		json_t *j = json_pack("{s:b, s:s, s:s}", "ok", 1, "version", version, "compatible", compat);
		print_json(j);
		json_decref(j);
	} else {
		printf("%sĐã cài xong. Khởi động lại để chạy thử bản mới: systemctl reboot \"0 tryboot\"\n"
		       "Installed. Reboot to try it: systemctl reboot \"0 tryboot\" — kept only if "
		       "kioskd finds itself healthy.\n", b.tty ? "\n" : "");
	}
	rc = EXIT_OK;
out:
	rauc_client_free(rcl);
	return rc;
}
