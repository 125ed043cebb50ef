/* kioskctl-update.c — `kioskctl update BUNDLE`: installs a signed RAUC
 * bundle into the other A/B slot with a progress bar, refusing a bundle
 * with an untrusted signature or for another board. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
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
	       "\n"
	       "With kioskd running, the bundle goes through kioskd, which accepts only\n"
	       "regular files under [update] bundle_dirs (USB sticks, the state directory's\n"
	       "updates/); a bundle anywhere else is first sent over the control socket\n"
	       "into updates/. Without kioskd, kioskctl talks to the RAUC service on the\n"
	       "system D-Bus itself.\n");
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

/* One connection to kioskd for the whole update (an upload belongs to it). */
struct conn {
	int fd;
	FILE *in;
};

static int conn_open(struct conn *c, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (strlen(path) >= sizeof(sa.sun_path))
		return -1;
	strcpy(sa.sun_path, path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -1;
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(c->fd);
		return -1;
	}
	int rfd = dup(c->fd);
	c->in = rfd >= 0 ? fdopen(rfd, "r") : NULL;
	if (!c->in) {
		if (rfd >= 0)
			close(rfd);
		close(c->fd);
		return -1;
	}
	return 0;
}

static void conn_close(struct conn *c)
{
	fclose(c->in);
	close(c->fd);
}

/* Sends req (stolen); returns the final answer, progress lines shown. */
static json_t *conn_ask(struct conn *c, json_t *req, struct bar *b)
{
	char *text = json_dumps(req, JSON_COMPACT);
	char *line = NULL;
	size_t cap = 0;
	json_t *answer = NULL;

	json_decref(req);
	if (!text)
		return NULL;
	size_t len = strlen(text);
	text[len] = '\n';
	for (size_t off = 0; off < len + 1;) {
		ssize_t n = send(c->fd, text + off, len + 1 - off, MSG_NOSIGNAL);
		if (n < 0) {
			free(text);
			return NULL;
		}
		off += (size_t)n;
	}
	free(text);
	while (getline(&line, &cap, c->in) > 0) {
		json_error_t jerr;
		json_t *msg = json_loads(line, 0, &jerr);
		if (!msg)
			break;
		if (json_is_true(json_object_get(msg, "more"))) {
			json_t *pct = json_object_get(msg, "progress");
			if (json_is_integer(pct))
				show_progress((int)json_integer_value(pct),
					      json_string_value(json_object_get(msg, "message")) ?: "", b);
			json_decref(msg);
			continue;
		}
		answer = msg;
		break;
	}
	free(line);
	return answer;
}

/* Sends the file at path into kioskd's updates/ (base64 lines of 36 KiB);
 * fills dest with where it landed. 0 or -1 (printed). */
static int upload(struct conn *c, const char *path, struct bar *b, char *dest, size_t destlen)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char name[101];
	unsigned char raw[36 * 1024];
	char enc[sizeof(raw) / 3 * 4 + 8];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	long long off = 0;
	int rc = -1;

	/* The name kioskd accepts: letters, digits, . _ -, ending .raucb. */
	size_t n = 0;
	for (const char *p = base; *p && n < 94; p++) {
		bool keep = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			    (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || (*p == '.' && n > 0);
		name[n++] = keep ? *p : '_';
	}
	name[n] = 0;
	if (n < 7 || strcmp(name + n - 6, ".raucb"))
		snprintf(name + (n > 94 ? 94 : n), sizeof(name) - (n > 94 ? 94 : n), ".raucb");
	if (fd < 0) {
		fprintf(stderr, "kioskctl update: cannot read '%s': %s\n", path, strerror(errno));
		return -1;
	}
	if (!b->json)
		printf("Gửi gói vào kiosk (sending the bundle to kioskd as %s)\n", name);
	for (;;) {
		ssize_t got = read(fd, raw, sizeof(raw));
		if (got < 0) {
			fprintf(stderr, "kioskctl update: reading '%s': %s\n", path, strerror(errno));
			break;
		}
		size_t e = 0;
		for (ssize_t i = 0; i < got; i += 3) {
			unsigned v = (unsigned)raw[i] << 16 | (i + 1 < got ? (unsigned)raw[i + 1] << 8 : 0) |
				     (i + 2 < got ? raw[i + 2] : 0);
			enc[e++] = b64[v >> 18 & 63];
			enc[e++] = b64[v >> 12 & 63];
			enc[e++] = i + 1 < got ? b64[v >> 6 & 63] : '=';
			enc[e++] = i + 2 < got ? b64[v & 63] : '=';
		}
		enc[e] = 0;
		bool last = (size_t)got < sizeof(raw);
		json_t *a = conn_ask(c, json_pack("{s:s, s:s, s:I, s:s, s:b}", "cmd", "update-upload",
						  "name", name, "offset", (json_int_t)off, "data", enc,
						  "last", last), b);
		if (!a || !ctl_ok(a, "update-upload")) {
			json_decref(a);
			break;
		}
		off += got;
		if (last) {
			snprintf(dest, destlen, "%s", json_string_value(json_object_get(a, "path")) ?: "");
			rc = dest[0] ? 0 : -1;
			json_decref(a);
			break;
		}
		json_decref(a);
	}
	close(fd);
	return rc;
}

/* The update through kioskd: install path, or upload it first when kioskd
 * will not read it where it is. Exit status. */
static int via_kioskd(struct conn *c, const char *path, struct bar *b)
{
	char dest[PATH_MAX];
	json_t *a = conn_ask(c, json_pack("{s:s, s:s}", "cmd", "update-install", "bundle", path), b);

	if (a && !json_is_true(json_object_get(a, "ok")) &&
	    !strcmp(json_string_value(json_object_get(a, "error")) ?: "", "bad_bundle")) {
		json_decref(a);
		if (upload(c, path, b, dest, sizeof(dest)) < 0)
			return EXIT_FAIL;
		a = conn_ask(c, json_pack("{s:s, s:s}", "cmd", "update-install", "bundle", dest), b);
	}
	if (!a) {
		fprintf(stderr, "kioskctl update: kioskd closed the connection without answering\n");
		return EXIT_FAIL;
	}
	if (b->tty)
		printf("\n");
	if (b->json)
		print_json(a);
	bool ok = ctl_ok(a, "update");
	if (ok && !b->json)
		printf("Đã cài xong. Khởi động lại để chạy thử bản mới: systemctl reboot \"0 tryboot\"\n"
		       "Installed. Reboot to try it: systemctl reboot \"0 tryboot\"\n");
	json_decref(a);
	return ok ? EXIT_OK : EXIT_FAIL;
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
	struct conn kc;
	if (conn_open(&kc, o.socket ? o.socket : default_socket()) == 0) {
		rc = via_kioskd(&kc, path, &b);
		conn_close(&kc);
		return rc;
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
