/* tools-common.c — kioskctl's shared helpers (see tools-common.h). */
#include "tools-common.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "kiosk-paths.h"

const char *default_socket(void)
{
	const char *s = getenv("MOTCUA_SOCKET");

	return s && *s ? s : MC_DEFAULT_SOCKET;
}

bool common_opt(struct ctl_opts *o, int c, const char *arg)
{
	switch (c) {
	case 'S':
		o->socket = arg;
		return true;
	case 'J':
		o->json = true;
		return true;
	default:
		return false;
	}
}

int parse_common_opts(int argc, char **argv, const char *cmd, void (*help)(void),
		      struct ctl_opts *o)
{
	static const struct option opts[] = { COMMON_LONG_OPTS, { NULL, 0, NULL, 0 } };
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			help();
			return -1;
		}
		if (!common_opt(o, c, optarg)) {
			usage_error(cmd, "unknown option");
			return -2;
		}
	}
	return optind;
}

int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "kioskctl %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'kioskctl %s --help'.\n", cmd);
	return EXIT_USAGE;
}

bool parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;

	errno = 0;
	if (!s || !*s)
		return false;
	*out = strtol(s, &end, 10);
	return !errno && !*end && *out >= lo && *out <= hi;
}

/* Seconds to wait for each line of kioskd's answer: MOTCUA_TIMEOUT, or
 * CTL_WAIT_S; 0 waits for ever. kioskd answers in milliseconds, a press
 * within [office] store_wait (2 s unless set); a kioskd stopped (SIGSTOP,
 * a debugger) or stuck made kioskctl wait for ever. A watch (o->stream)
 * waits for as long as the technician wants. */
#define CTL_WAIT_S 60
static long answer_wait_s(void)
{
	const char *v = getenv("MOTCUA_TIMEOUT");
	long s;

	return v && *v && parse_int(v, 0, 86400, &s) ? s : CTL_WAIT_S;
}

json_t *ctl_request(const struct ctl_opts *o, json_t *req,
		    void (*on_more)(json_t *msg, void *ctx), void *ctx)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = o->socket ? o->socket : default_socket();
	char *text = json_dumps(req, JSON_COMPACT);
	json_t *answer = NULL;
	int fd = -1;

	json_decref(req);
	if (!text || strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "kioskctl: bad request or socket path\n");
		goto out;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "kioskctl: cannot reach kioskd at %s: %s\n"
			"Is kioskd running? (systemctl status motcua-kioskd, or --socket PATH)\n",
			path, strerror(errno));
		goto out;
	}
	long wait_s = o->stream ? 0 : answer_wait_s();
	struct timeval tv = { .tv_sec = wait_s };
	if (wait_s > 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	size_t len = strlen(text);
	text[len] = '\n';
	for (size_t off = 0; off < len + 1;) {
		ssize_t n = send(fd, text + off, len + 1 - off, MSG_NOSIGNAL);
		if (n < 0) {
			fprintf(stderr, "kioskctl: sending to kioskd: %s\n", strerror(errno));
			goto out;
		}
		off += (size_t)n;
	}
	FILE *f = fdopen(fd, "r");
	if (!f)
		goto out;
	fd = -1;
	char *line = NULL;
	size_t cap = 0;
	errno = 0;
	while (getline(&line, &cap, f) > 0) {
		json_error_t jerr;
		json_t *msg = json_loads(line, 0, &jerr);
		if (!msg) {
			fprintf(stderr, "kioskctl: kioskd sent a bad answer: %s\n", jerr.text);
			break;
		}
		if (json_is_true(json_object_get(msg, "more"))) {
			if (on_more)
				on_more(msg, ctx);
			json_decref(msg);
			continue;
		}
		answer = msg;
		break;
	}
	if (!answer && ferror(f) && (errno == EAGAIN || errno == EWOULDBLOCK))
		fprintf(stderr, "kioskctl: kioskd did not answer within %ld s (stopped or stuck? "
			"systemctl status motcua-kioskd); it may still act on the request when it goes on. "
			"MOTCUA_TIMEOUT=SECONDS waits longer (0: for ever)\n", wait_s);
	else if (!answer && ferror(f))
		fprintf(stderr, "kioskctl: reading kioskd's answer: %s\n", strerror(errno));
	else if (!answer)
		fprintf(stderr, "kioskctl: kioskd closed the connection without answering\n");
	free(line);
	fclose(f);
out:
	if (fd >= 0)
		close(fd);
	free(text);
	return answer;
}

bool ctl_ok(json_t *answer, const char *what)
{
	if (json_is_true(json_object_get(answer, "ok")))
		return true;
	const char *msg = json_string_value(json_object_get(answer, "message"));
	const char *en = json_string_value(json_object_get(answer, "message_en"));
	const char *tok = json_string_value(json_object_get(answer, "error"));
	fprintf(stderr, "kioskctl %s: %s%s%s%s (%s)\n", what, msg ? msg : "failed",
		en ? " / " : "", en ? en : "", "", tok ? tok : "error");
	return false;
}

void print_json(json_t *v)
{
	char *s = json_dumps(v, JSON_INDENT(2) | JSON_SORT_KEYS);

	if (s) {
		puts(s);
		free(s);
	}
}

void use_office_zone(json_t *answer)
{
	const char *tz = json_string_value(json_object_get(answer, "timezone"));

	if (tz && *tz) {
		setenv("TZ", tz, 1);
		tzset();
	}
}

const char *mc_state_words(const char *state)
{
	static const char *const words[][2] = {
		{ "ok", "tốt / ok" }, { "ready", "sẵn sàng / ready" }, { "down", "hỏng / down" },
		{ "offline", "mất kết nối / offline" }, { "online", "trực tuyến / online" },
		{ "failed", "lỗi / failed" }, { "error", "lỗi / error" }, { "unhealthy", "không ổn / unhealthy" },
		{ "quiet", "giờ yên lặng / quiet hours" }, { "absent", "không có / absent" },
		{ "booted", "đang chạy / booted" }, { "pending", "đang chờ / pending" },
		{ "asking", "đang hỏi / asking" }, { "marked-good", "đã xác nhận tốt / marked-good" },
		{ "skipped", "bỏ qua / skipped" }, { "idle", "rảnh / idle" }, { "shipping", "đang gửi / shipping" },
		{ "connecting", "đang kết nối / connecting" }, { "stopped", "đã dừng / stopped" },
		{ "degraded", "thiếu một phần / degraded" }, { "untrusted", "chưa tin cậy / untrusted" },
		{ "settling", "chờ ổn định / settling" }, { "behind", "lùi trước ngày làm việc / behind" },
		{ "unknown", "không rõ / unknown" }, { "busy", "đang bận / busy" }, { "full", "đầy / full" },
	};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(state, words[i][0]))
			return words[i][1];
	return state;
}
