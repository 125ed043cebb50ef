/* kioskctl-say.c — `kioskctl say KEY...`: plays clips of the voice's clip
 * set on the kiosk's speaker, for a technician testing it. */
#include <stdio.h>

#include "kioskctl.h"
#include "tools-common.h"

static void print_help(void)
{
	printf("Usage: kioskctl say KEY... [--force] [--json] [--socket PATH]\n\n"
	       "Plays the clips KEY... of the kiosk's clip set, joined, and waits until they\n"
	       "have played. A KEY is a clip file's path in the set without .wav, e.g.\n"
	       "  kioskctl say chime vi/moi_cong_dan_co_so vi/num/mot vi/den_quay_so vi/num/ba\n"
	       "'pause' is a short silence. --force plays during quiet hours too.\n");
}

int cmd_say(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONG_OPTS,
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl_opts o = { 0 };
	bool force = false;
	int c;

	while ((c = getopt_long(argc, argv, "hf", opts, NULL)) != -1) {
		if (c == 'h') {
			print_help();
			return EXIT_OK;
		} else if (c == 'f') {
			force = true;
		} else if (!common_opt(&o, c, optarg)) {
			return usage_error("say", "unknown option");
		}
	}
	if (argc - optind < 1)
		return usage_error("say", "give at least one clip KEY (e.g. chime)");
	json_t *keys = json_array();
	for (int i = optind; i < argc; i++)
		json_array_append_new(keys, json_string(argv[i]));
	json_t *a = ctl_request(&o, json_pack("{s:s, s:o, s:b}", "cmd", "say", "keys", keys, "force",
					      force),
				NULL, NULL);
	if (!a)
		return EXIT_FAIL;
	int rc = EXIT_OK;
	if (o.json) {
		print_json(a);
		rc = json_is_true(json_object_get(a, "ok")) ? EXIT_OK : EXIT_FAIL;
	} else if (ctl_ok(a, "say")) {
		printf("%s (%lld ms)\n", json_string_value(json_object_get(a, "text")),
		       (long long)json_integer_value(json_object_get(a, "ms")));
	} else {
		rc = EXIT_FAIL;
	}
	json_decref(a);
	return rc;
}
