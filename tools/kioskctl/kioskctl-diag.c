/* kioskctl-diag.c — `kioskctl diag`: one report for a technician: versions,
 * update slots, devices, GPIO chips, disk space, database integrity, clock. */
#include <arpa/inet.h>
#include <glob.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/timex.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "kiosk-paths.h"
#include "netaddr.h"
#include "kioskctl.h"
#include "rauc-client.h"
#include "tools-common.h"

/* The systemd unit the package installs. */
#define MC_UNIT "motcua-kioskd.service"

static void print_help(void)
{
	printf("Usage: kioskctl diag [--json] [--socket PATH] [--state-dir DIR]\n\n"
	       "Chẩn đoán (diagnostics): versions, RAUC slots, printer, counter bus and other\n"
	       "devices as kioskd sees them, GPIO chips, disk space, the database's integrity\n"
	       "check, and whether the clock is synchronised. Exit 1 if a check failed.\n"
	       "  --state-dir DIR   where kiosk.db is (default: the running kioskd's, else %s)\n"
	       "Each line: a check (Vietnamese / English), ok or !!, what was found.\n",
	       MC_DEFAULT_STATE_DIR);
}

/* One check's line: adds {"ok", "text"} under key and tracks failures. */
static void add(json_t *rep, const char *key, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void add(json_t *rep, const char *key, bool ok, const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	json_object_set_new(rep, key, json_pack("{s:b, s:s}", "ok", ok, "text", text));
}

static void check_versions(json_t *rep, json_t *status)
{
	struct utsname u;
	const char *kd = json_string_value(json_object_get(status, "version"));

	uname(&u);
	add(rep, "versions", true, "kioskctl %s, kioskd %s, nhân / kernel %s %s", MC_VERSION,
	    kd ? kd : "không chạy / not running", u.release, u.machine);
}

static void check_rauc(json_t *rep)
{
	char err[512], compat[256] = "", boot[64] = "";
	struct rauc_client *rc = rauc_client_open(err, sizeof(err));

	if (!rc) {
		add(rep, "slots", false, "%s", err);
		return;
	}
	rauc_client_prop(rc, "Compatible", compat, sizeof(compat), err, sizeof(err));
	rauc_client_prop(rc, "BootSlot", boot, sizeof(boot), err, sizeof(err));
	json_t *slots = rauc_client_slots(rc, err, sizeof(err));
	if (!slots) {
		add(rep, "slots", false, "%s", err);
		rauc_client_free(rc);
		return;
	}
	char text[1024];
	int n = snprintf(text, sizeof(text), "%s, đang chạy / booted %s", compat, boot);
	size_t i;
	json_t *s;
	json_array_foreach(slots, i, s) {
		const char *bn = json_string_value(json_object_get(s, "bootname"));
		if (!bn)
			continue;  /* child slots (boot partitions) follow their parent */
		const char *bs = json_string_value(json_object_get(s, "boot_status"));
		const char *ver = json_string_value(json_object_get(s, "bundle.version"));
		if (n > 0 && (size_t)n < sizeof(text))
			n += snprintf(text + n, sizeof(text) - (size_t)n, "; %s (%s) %s%s%s",
				      json_string_value(json_object_get(s, "name")), bn,
				      bs ? bs : "?", ver ? " v" : "", ver ? ver : "");
	}
	add(rep, "slots", true, "%s", text);
	json_object_set_new(json_object_get(rep, "slots"), "slots", slots);
	rauc_client_free(rc);
}

static void check_devices(json_t *rep, json_t *status)
{
	const char *key;
	json_t *v;

	if (!status) {
		add(rep, "kioskd", false, "không liên lạc được / not reachable: motcua-kioskd có chạy không? (is it running?)");
		return;
	}
	bool open = json_is_true(json_object_get(status, "open"));
	long long waiting = json_integer_value(json_object_get(status, "waiting"));
	add(rep, "kioskd", true, "%s, %s, %lld đang chờ / %s, %lld waiting",
	    json_string_value(json_object_get(status, "office")), open ? "đang mở cửa" : "đóng cửa", waiting,
	    open ? "open" : "closed", waiting);
	json_object_foreach(status, key, v) {
		const char *state = json_string_value(json_object_get(v, "state"));
		const char *text = json_string_value(json_object_get(v, "text"));
		if (!json_is_object(v) || !state)
			continue;
		bool ok = strcmp(state, "down") && strcmp(state, "offline") && strcmp(state, "failed") &&
			  strcmp(state, "unhealthy");
		add(rep, key, ok, "%s%s%s", mc_state_words(state), text && *text ? " — " : "", text ? text : "");
	}
}

/* The screen and the counter bus: "none" when this board has neither. */
static void check_absent(json_t *rep, json_t *status)
{
	json_t *scr = json_object_get(status, "screen");
	if (!status)
		return;
	if (!json_object_get(status, "bus"))
		add(rep, "bus", true, "không có / none (no [bus] in board.conf)");
	if (json_is_object(scr))
		add(rep, "screen", true, "màn hình / screen %s, %lldx%lld, đang hiện / showing %s",
		    json_string_value(json_object_get(scr, "driver")),
		    json_integer_value(json_object_get(scr, "width")), json_integer_value(json_object_get(scr, "height")),
		    json_string_value(json_object_get(scr, "showing")));
	else
		add(rep, "screen", true, "không có / none (no [screen] in board.conf)");
}

/* How long kioskd and the machine have run. */
static void check_uptime(json_t *rep, json_t *status)
{
	double up = 0;
	FILE *f = fopen("/proc/uptime", "r");
	if (f) {
		if (fscanf(f, "%lf", &up) != 1)
			up = 0;
		fclose(f);
	}
	long long k = status ? json_integer_value(json_object_get(status, "uptime_s")) : -1;
	char kd[64] = "không chạy / not running";
	if (k >= 0)
		snprintf(kd, sizeof(kd), "%lldh%02lldm", k / 3600, k / 60 % 60);
	add(rep, "uptime", true, "đã chạy / up: kioskd %s; máy / machine %ldh%02ldm", kd, (long)up / 3600,
	    (long)up / 60 % 60);
}

/* The addresses a technician reaches the kiosk at, IPv4 and IPv6. */
static void check_network(json_t *rep)
{
	char addrs[8][MC_NETADDR_LEN], text[700] = "";
	size_t n = 0;
	int k = mc_netaddr_list(addrs, 8);

	if (k < 0) {
		add(rep, "network", false, "getifaddrs: %m");
		return;
	}
	for (int i = 0; i < k; i++) {
		int w = snprintf(text + n, sizeof(text) - n, "%s%s", i ? ", " : "", addrs[i]);
		if (w > 0 && (size_t)w < sizeof(text) - n)
			n += (size_t)w;
	}
	/* Informational: a kiosk works offline. */
	if (k)
		add(rep, "network", true, "địa chỉ / addresses: %s", text);
	else
		add(rep, "network", true, "không có mạng / no network");
}

/* How often systemd restarted kioskd (a crash, the watchdog): NRestarts
 * of the unit, when the unit's main process is the kioskd that answered. */
static void check_restarts(json_t *rep, json_t *status)
{
	long long pid = status ? json_integer_value(json_object_get(status, "pid")) : 0;
	long long main_pid = -1, n = -1;
	char line[256];
	FILE *f;

	if (pid > 0 && (f = popen("systemctl show -p MainPID -p NRestarts " MC_UNIT " 2>/dev/null", "r"))) {
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "MainPID=%lld", &main_pid) == 1)
				continue;
			sscanf(line, "NRestarts=%lld", &n);
		}
		pclose(f);
	}
	if (pid <= 0)
		add(rep, "restarts", true, "không rõ / unknown: kioskd không chạy (not running)");
	else if (main_pid != pid || n < 0)
		add(rep, "restarts", true, "không rõ / unknown: kioskd không chạy dưới systemd (not under systemd as %s)",
		    MC_UNIT);
	else
		add(rep, "restarts", true, "systemd đã khởi động lại kioskd %lld lần / restarted kioskd %lld times%s",
		    n, n, n ? " (journalctl -u " MC_UNIT ")" : "");
}

static void check_gpio(json_t *rep)
{
	glob_t g;
	char text[512] = "";
	size_t n = 0;
	bool ok = true;

	if (glob("/dev/gpiochip*", 0, NULL, &g) != 0) {
		add(rep, "gpio", true, "không có chip GPIO / no GPIO chips on this machine");
		return;
	}
	for (size_t i = 0; i < g.gl_pathc && n < sizeof(text); i++) {
		bool rw = access(g.gl_pathv[i], R_OK | W_OK) == 0;
		ok = ok && rw;
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%s%s", i ? ", " : "",
				      g.gl_pathv[i] + 5, rw ? "" : " (không có quyền / no access)");
	}
	globfree(&g);
	add(rep, "gpio", ok, "chip GPIO / GPIO chips: %s", text);
}

static void check_disk(json_t *rep, const char *state_dir)
{
	struct statvfs a, b;
	bool ok = true;

	if (statvfs(state_dir, &a) < 0) {
		add(rep, "disk", false, "%s: %m", state_dir);
		return;
	}
	statvfs("/", &b);
	double fa = (double)a.f_bavail * (double)a.f_frsize / 1e6;
	double fb = (double)b.f_bavail * (double)b.f_frsize / 1e6;
	double pa = a.f_blocks ? 100.0 * (double)a.f_bavail / (double)a.f_blocks : 0;
	ok = fa >= 100 && pa >= 5;
	add(rep, "disk", ok, "%s: còn trống / free %.0f MB (%.0f%%); /: %.0f MB%s", state_dir, fa, pa, fb,
	    ok ? "" : " — SẮP ĐẦY: hãy giải phóng chỗ trống / LOW: free space before the database fills the disk");
}

static void check_db(json_t *rep, const char *state_dir)
{
	char path[512];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;

	snprintf(path, sizeof(path), "%s/kiosk.db", state_dir);
	if (access(path, R_OK) < 0) {
		add(rep, "database", false, "%s: %m", path);
		return;
	}
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK) {
		add(rep, "database", false, "%s: không mở được / cannot open: %s", path,
		    db ? sqlite3_errmsg(db) : "");
		goto out;
	}
	char first[512] = "";
	int rows = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (rows++ == 0)
			snprintf(first, sizeof(first), "%s", (const char *)sqlite3_column_text(st, 0));
	if (rc != SQLITE_DONE)
		add(rep, "database", false, "%s: không kiểm tra được / integrity check failed to run: %s", path,
		    sqlite3_errmsg(db));
	else if (rows == 1 && !strcmp(first, "ok"))
		add(rep, "database", true, "%s: nguyên vẹn / integrity_check ok", path);
	else
		add(rep, "database", false, "%s: HỎNG / CORRUPT (%d lỗi / problems): %s", path, rows, first);
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void check_clock(json_t *rep)
{
	struct timex tx = { 0 };
	int state = adjtimex(&tx);

	if (state < 0) {
		add(rep, "clock", false, "adjtimex: %m");
		return;
	}
	bool synced = state != TIME_ERROR && !(tx.status & STA_UNSYNC);
	add(rep, "clock", synced, "%s (sai số tối đa / max error %ld ms)",
	    synced ? "đã đồng bộ / synchronised" : "CHƯA đồng bộ: kiểm tra NTP / NOT synchronised: check NTP (timedatectl)",
	    tx.maxerror / 1000);
}

int cmd_diag(int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_LONG_OPTS, { "state-dir", required_argument, NULL, 'd' }, { NULL, 0, NULL, 0 }
	};
	struct ctl_opts o = { 0 };
	const char *state_dir = MC_DEFAULT_STATE_DIR;
	bool state_given = false;
	int c;

	while ((c = getopt_long(argc, argv, "hd:", opts, NULL)) != -1) {
		if (c == 'h') {
			print_help();
			return EXIT_OK;
		}
		if (c == 'd') {
			state_dir = optarg;
			state_given = true;
			continue;
		}
		if (!common_opt(&o, c, optarg))
			return usage_error("diag", "unknown option");
	}
	if (optind < argc)
		return usage_error("diag", "unexpected argument '%s'", argv[optind]);
	json_t *status = ctl_request(&o, json_pack("{s:s}", "cmd", "status"), NULL, NULL);
	if (status && !json_is_true(json_object_get(status, "ok"))) {
		json_decref(status);
		status = NULL;
	}
	/* The running kioskd's own state directory, unless one is given. */
	char own[512];
	const char *sd = json_string_value(json_object_get(status, "state_dir"));
	if (!state_given && sd) {
		snprintf(own, sizeof(own), "%s", sd);
		state_dir = own;
	}
	json_t *rep = json_object();
	check_versions(rep, status);
	check_rauc(rep);
	check_devices(rep, status);
	check_absent(rep, status);
	check_uptime(rep, status);
	check_restarts(rep, status);
	check_network(rep);
	check_gpio(rep);
	check_disk(rep, state_dir);
	check_db(rep, state_dir);
	check_clock(rep);
	json_decref(status);

	bool all_ok = true;
	const char *key;
	json_t *v;
	json_object_foreach(rep, key, v)
		all_ok = all_ok && json_is_true(json_object_get(v, "ok"));
	if (o.json) {
		print_json(rep);
	} else {
		json_object_foreach(rep, key, v)
			printf("%-3s %-9s %s\n", json_is_true(json_object_get(v, "ok")) ? "ok" : "!!",
			       key, json_string_value(json_object_get(v, "text")));
	}
	json_decref(rep);
	return all_ok ? EXIT_OK : EXIT_FAIL;
}
