/* kioskctl-screenshot.c — `kioskctl screenshot FILE.png [--hall]`: what the
 * touch screen (or the hall screen) shows now, as PNG, for technicians and
 * remote support. kioskd writes the file, so it must be able to write there. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kioskctl.h"
#include "tools-common.h"

static void print_help(void)
{
	printf("Usage: kioskctl screenshot FILE.png [--hall] [--socket PATH] [--json]\n\n"
	       "Saves what the kiosk's touch screen shows now (or the hall screen with\n"
	       "--hall) as a PNG image. kioskd writes FILE, so its directory must be\n"
	       "writable by kioskd's user.\n");
}

int cmd_screenshot(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONG_OPTS, { "hall", no_argument, NULL, 'H' }, { NULL, 0, NULL, 0 },
	};
	struct ctl_opts o = { 0 };
	bool hall = false;
	char path[PATH_MAX + 1];
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			print_help();
			return EXIT_OK;
		}
		if (c == 'H') {
			hall = true;
			continue;
		}
		if (!common_opt(&o, c, optarg))
			return usage_error("screenshot", "unknown option");
	}
	if (argc - optind != 1)
		return usage_error("screenshot", "give one FILE.png");
	const char *file = argv[optind];
	size_t len = strlen(file);
	if (len < 5 || strcmp(file + len - 4, ".png"))
		return usage_error("screenshot", "FILE must end in .png");
	if (file[0] == '/') {
		snprintf(path, sizeof(path), "%s", file);
	} else {
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof(cwd))) {
			perror("kioskctl screenshot: getcwd");
			return EXIT_FAIL;
		}
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", cwd, file) >= sizeof(path))
			return usage_error("screenshot", "path too long");
	}
	json_t *a = ctl_request(&o, json_pack("{s:s, s:s, s:b}", "cmd", "screenshot", "path", path,
					      "hall", hall), NULL, NULL);
	int rc = a && ctl_ok(a, "screenshot") ? EXIT_OK : EXIT_FAIL;
	if (rc == EXIT_OK) {
		if (o.json)
			print_json(a);
		else
			printf("%s\n", path);
	}
	json_decref(a);
	return rc;
}
