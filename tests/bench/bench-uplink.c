/* bench-uplink.c — the city uplink at city scale (issue 19).
 *
 * 1. Starts a private PostgreSQL 15 (initdb + pg_ctl in a scratch
 *    directory, Unix socket only, as 'nobody' under root; fsync on).
 * 2. Generates one office's month of kiosk database (2,000 tickets a day,
 *    the store's own schema and event format: issue, printed, call,
 *    finish or no-show, half of them rated) and copies it for N offices,
 *    each with its own store id.
 * 3. Ingest: every office's log through the real uplink thread
 *    (firmware/uplink.c: SQLite reader, COPY, fold into tickets and daily
 *    roll-ups), C offices at a time; prints events/s.
 * 4. The city's monthly report (tools/central): with and without the
 *    roll-ups, interleaved, median of 3.
 * 5. Press latency of a kioskd whose uplink ships all the time, interleaved
 *    press by press with a kioskd without one.
 * Then extrapolates to 500 offices. Environment: MC_BENCH_OFFICES (50),
 * MC_BENCH_PER_DAY (2000), MC_BENCH_DAYS (30), MC_BENCH_CONCURRENT (4),
 * MC_BENCH_DIR (scratch parent, default /var/tmp), MC_BENCH_KEEP=1 keeps
 * it. Disk: about 1.3 GB of SQLite and 4 GB of PostgreSQL for 50 offices. */
#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <math.h>
#include <pwd.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "central.h"
#include "config.h"
#include "store.h"
#include "uplink.h"

#define PGBIN "/usr/lib/postgresql/15/bin"

static char dir[256], sockdir[300], prefix[128];
static bool pg_running;

static void pg_stop(void);

static void die(const char *what, const char *msg)
{
	fflush(stdout);
	fprintf(stderr, "bench-uplink: %s: %s (scratch left in %s)\n", what, msg, dir);
	if (pg_running)
		pg_stop();
	exit(1);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int env_int(const char *name, int dflt)
{
	const char *v = getenv(name);
	return v && atoi(v) > 0 ? atoi(v) : dflt;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static double urand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

static void sh(const char *cmd)
{
	if (system(cmd) != 0)
		die("command failed", cmd);
}

/* ---- PostgreSQL ----------------------------------------------------------- */

static void pg_start(void)
{
	char cmd[2048];

	snprintf(sockdir, sizeof(sockdir), "%s/sock", dir);
	mkdir(sockdir, 0777);
	if (geteuid() == 0) {
		struct passwd *pw = getpwnam("nobody");
		if (!pw)
			die("postgres", "no user 'nobody' to run the server as");
		if (chown(dir, pw->pw_uid, pw->pw_gid) || chown(sockdir, pw->pw_uid, pw->pw_gid))
			die("chown", strerror(errno));
		snprintf(prefix, sizeof(prefix), "setpriv --reuid=%u --regid=%u --clear-groups -- ",
			 (unsigned)pw->pw_uid, (unsigned)pw->pw_gid);
	}
	snprintf(cmd, sizeof(cmd), "cd / && %s%s/initdb -D %s/data -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null",
		 prefix, PGBIN, dir);
	sh(cmd);
	snprintf(cmd, sizeof(cmd),
		 "cd / && %s%s/pg_ctl -D %s/data -l %s/pg.log -w -o \"-k %s -c listen_addresses='' -c shared_buffers=512MB"
		 " -c max_wal_size=8GB -c max_connections=100\" start >/dev/null", prefix, PGBIN, dir, dir, sockdir);
	sh(cmd);
	pg_running = true;
	char url[512];
	snprintf(url, sizeof(url), "host=%s dbname=postgres user=postgres", sockdir);
	PGconn *c = PQconnectdb(url);
	if (PQstatus(c) != CONNECTION_OK)
		die("postgres", PQerrorMessage(c));
	PQclear(PQexec(c, "CREATE DATABASE city"));
	PQfinish(c);
}

static void pg_stop(void)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "cd / && %s%s/pg_ctl -D %s/data -m fast -w stop >/dev/null", prefix, PGBIN, dir);
	pg_running = false;
	if (system(cmd) != 0)
		fprintf(stderr, "bench-uplink: pg_ctl stop failed\n");
}

static void admin_url(char *buf, size_t len, const char *user)
{
	snprintf(buf, len, "host=%s dbname=city user=%s", sockdir, user);
}

/* ---- one office's month --------------------------------------------------- */

static const char *const SVC[4] = { "civil", "land", "biz", "social" };

static void ev(sqlite3_stmt *s, int64_t at, int64_t boot, const char *day, const char *kind, int64_t ticket,
	       int counter, int value)
{
	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, at);
	sqlite3_bind_int64(s, 2, at + 1000000);
	sqlite3_bind_int64(s, 3, boot);
	sqlite3_bind_text(s, 4, day, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, ticket);
	sqlite3_bind_int(s, 7, counter);
	sqlite3_bind_int(s, 8, counter ? 100 + counter : 0);
	sqlite3_bind_int(s, 9, value);
	sqlite3_bind_text(s, 10, "", -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		die("insert event", "failed");
}

/* Writes the template office database; returns its number of events. */
static int64_t generate(const char *path, int32_t first, int days, int per_day)
{
	char err[256];
	struct mc_store *st = mc_store_open(path, err, sizeof(err));
	if (!st)
		die("store", err);
	mc_store_close(st);
	sqlite3 *db;
	sqlite3_stmt *tk, *es;
	if (sqlite3_open(path, &db) != SQLITE_OK)
		die("open", path);
	sqlite3_exec(db, "PRAGMA synchronous=OFF; BEGIN", NULL, NULL, NULL);
	if (sqlite3_prepare_v2(db, "INSERT INTO tickets VALUES (?,?,?,?,0,?,?,0,?,?,?,?,?,0,?,?,?,?,?,?,?,?,?,?,?)",
			       -1, &tk, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO events (at, mono, boot, day, kind, ticket, counter, clerk, value, detail)"
			       " VALUES (?,?,?,?,?,?,?,?,?,?)", -1, &es, NULL) != SQLITE_OK)
		die("prepare", sqlite3_errmsg(db));
	int64_t id = 0;
	for (int32_t day = first; day < first + days; day++) {
		char dtext[16];
		mc_format_day(day, dtext, sizeof(dtext));
		int64_t open_ms = ((int64_t)day * 86400 - 7 * 3600 + 7 * 3600 + 1800) * 1000; /* 07:30 local */
		int seq[4] = { 0 };
		for (int i = 0; i < per_day; i++) {
			int s = (int)(urand() * 4);
			int64_t issued = open_ms + (int64_t)((double)i / per_day * 9.5 * 3600000.0);
			double r = urand();
			const char *status = r < 0.02 ? "voided" : r < 0.07 ? "noshow" : "finished";
			int64_t wait = -1, serv = -1, called = 0, fin = issued + 3000;
			int counter = 0, rating = 0;
			if (strcmp(status, "voided")) {
				wait = (int64_t)(-log(1 - urand()) * 12 * 60000);
				called = issued + wait;
				counter = 1 + (int)(urand() * 8);
				fin = called + 120000;
			}
			if (!strcmp(status, "finished")) {
				serv = 60000 + (int64_t)(-log(1 - urand()) * 300000);
				fin = called + serv;
				rating = urand() < 0.5 ? 1 + (int)(urand() * 4) : 0;
			}
			char label[8];
			int number = (s + 1) * 1000 + ++seq[s];
			snprintf(label, sizeof(label), "%d", number);
			id++;
			int k = 1;
			sqlite3_reset(tk);
			sqlite3_bind_int64(tk, k++, id);
			sqlite3_bind_text(tk, k++, SVC[s], -1, SQLITE_STATIC);
			sqlite3_bind_text(tk, k++, SVC[s], -1, SQLITE_STATIC);
			sqlite3_bind_text(tk, k++, dtext, -1, SQLITE_STATIC);
			sqlite3_bind_int(tk, k++, number);
			sqlite3_bind_text(tk, k++, label, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(tk, k++, status, -1, SQLITE_STATIC);
			sqlite3_bind_text(tk, k++, strcmp(status, "voided") ? "printed" : "failed", -1, SQLITE_STATIC);
			sqlite3_bind_int(tk, k++, counter);
			sqlite3_bind_int(tk, k++, counter ? 100 + counter : 0);
			sqlite3_bind_int(tk, k++, rating);
			sqlite3_bind_int64(tk, k++, issued);
			sqlite3_bind_int64(tk, k++, called);
			sqlite3_bind_int64(tk, k++, fin);
			sqlite3_bind_int64(tk, k++, issued + 1000000);
			sqlite3_bind_int64(tk, k++, called ? called + 1000000 : 0);
			sqlite3_bind_int64(tk, k++, fin + 1000000);
			sqlite3_bind_int64(tk, k++, day);
			sqlite3_bind_int64(tk, k++, called ? day : 0);
			sqlite3_bind_int64(tk, k++, day);
			sqlite3_bind_int64(tk, k++, wait);
			sqlite3_bind_int64(tk, k++, serv);
			if (sqlite3_step(tk) != SQLITE_DONE)
				die("insert ticket", sqlite3_errmsg(db));
			ev(es, issued, day, dtext, "issue", id, 0, 0);
			if (!strcmp(status, "voided")) {
				ev(es, issued + 3000, day, dtext, "print_failed", id, 0, 0);
				continue;
			}
			ev(es, issued + 2000, day, dtext, "printed", id, 0, 0);
			ev(es, called, day, dtext, "call", id, counter, 0);
			ev(es, fin, day, dtext, !strcmp(status, "finished") ? "finish" : "noshow", id, counter, 0);
			if (rating)
				ev(es, fin + 20000, day, dtext, "rate", id, counter, rating);
		}
	}
	sqlite3_finalize(tk);
	sqlite3_finalize(es);
	if (sqlite3_exec(db, "COMMIT; PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) != SQLITE_OK)
		die("commit", sqlite3_errmsg(db));
	sqlite3_stmt *s;
	int64_t n = 0;
	sqlite3_prepare_v2(db, "SELECT max(id) FROM events", -1, &s, NULL);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

/* A copy of the template with a store id of its own. */
static void copy_office(const char *from, const char *to, int i)
{
	char cmd[1024], sql[160];
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", from, to);
	sh(cmd);
	sqlite3 *db;
	if (sqlite3_open(to, &db) != SQLITE_OK)
		die("open", to);
	snprintf(sql, sizeof(sql), "UPDATE meta SET value = printf('%%032x', %d) WHERE key = 'store_id'", i + 1);
	sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
}

/* ---- the kiosk's press latency ------------------------------------------- */

static int connect_sock(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	if (fd >= 0)
		close(fd);
	return -1;
}

static double request(int fd, const char *line)
{
	char buf[8192];
	size_t n = 0, len = strlen(line);
	double t0 = now_s();
	if (write(fd, line, len) != (ssize_t)len)
		die("kioskd", "write");
	for (;;) {
		ssize_t r = read(fd, buf + n, sizeof(buf) - 1 - n);
		if (r <= 0)
			die("kioskd", "connection lost");
		n += (size_t)r;
		if (memchr(buf, '\n', n) || n == sizeof(buf) - 1)
			break;
	}
	double ms = (now_s() - t0) * 1000;
	buf[n] = 0;
	/* A refused action is answered at once and would time nothing. */
	if (!strstr(buf, "\"ok\": true") && !strstr(buf, "\"ok\":true"))
		die("kioskd refused", buf);
	return ms;
}

static pid_t start_kioskd(const char *d, const char *board_text, int *fd)
{
	char board[400], sock[400], state[400];
	snprintf(board, sizeof(board), "%s/board.conf", d);
	snprintf(sock, sizeof(sock), "%s/kioskd.sock", d);
	snprintf(state, sizeof(state), "%s/state", d);
	mkdir(d, 0755);
	FILE *f = fopen(board, "w");
	if (!f)
		die("board", strerror(errno));
	fputs(board_text, f);
	fclose(f);
	pid_t p = fork();
	if (p == 0) {
		int nul = open("/dev/null", O_WRONLY);
		dup2(nul, 1);
		dup2(nul, 2);
		execl(MC_KIOSKD_PATH, "kioskd", "--board", board, "--state-dir", state, "--socket", sock, (char *)NULL);
		_exit(127);
	}
	*fd = -1;
	for (int i = 0; i < 600 && *fd < 0; i++) {
		usleep(50000);
		*fd = connect_sock(sock);
	}
	if (*fd < 0)
		die("kioskd", "did not start");
	return p;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void print_lat(const char *what, double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_d);
	printf("  %-28s p50 %6.2f ms  p90 %6.2f ms  p99 %6.2f ms  max %6.2f ms  (%d presses)\n", what, v[n / 2],
	       v[(n * 9 + 9) / 10 - 1], v[(n * 99 + 99) / 100 - 1], v[n - 1], n);
}

static const char BOARD[] =
	"[office]\nname = Phường Đo\nhours = mon-sun 00:00-24:00\ndouble_tap = 0\nclock = trust\n"
	"[service.civil]\nname = Tư pháp\nnumbers = 1-999\n[service.land]\nname = Đất đai\nnumbers = 1001-1999\n"
	"[counter.1]\nservices = civil, land\n[counter.2]\nservices = civil, land\n";

static void press_latency(PGconn *admin, int npress)
{
	char err[512], role[64], pw[40], a_dir[400], b_dir[400], board[2048];
	if (mc_central_add_office(admin, "LIVE", "Phường Đo", "bench", role, sizeof(role), pw, sizeof(pw), err, sizeof(err)))
		die("add-office", err);
	snprintf(a_dir, sizeof(a_dir), "%s/kiosk-uplink", dir);
	snprintf(b_dir, sizeof(b_dir), "%s/kiosk-alone", dir);
	snprintf(board, sizeof(board), "%s[uplink]\nurl = host=%s dbname=city user=%s\noffice = LIVE\n"
		 "interval = 100ms\nbatch = 20\n", BOARD, sockdir, role);
	int fa, fb;
	pid_t pa = start_kioskd(a_dir, board, &fa), pb = start_kioskd(b_dir, BOARD, &fb);
	double *la = calloc((size_t)npress, sizeof(double)), *lb = calloc((size_t)npress, sizeof(double));
	if (!la || !lb)
		die("bench", "out of memory");
	char line[200];
	for (int i = 0; i < npress; i++) {
		snprintf(line, sizeof(line), "{\"cmd\":\"press\",\"service\":\"%s\",\"source\":\"b%d\"}\n",
			 i % 2 ? "civil" : "land", i);
		/* Alternate which goes first, so neither always follows the other. */
		if (i % 2) {
			la[i] = request(fa, line);
			lb[i] = request(fb, line);
		} else {
			lb[i] = request(fb, line);
			la[i] = request(fa, line);
		}
		snprintf(line, sizeof(line), "{\"cmd\":\"counter\",\"counter\":%d,\"action\":\"next\"}\n", i % 2 + 1);
		request(fa, line);
		request(fb, line);
	}
	usleep(500000);
	/* The uplink really shipped while the presses were made. */
	PGresult *r = PQexec(admin, "SELECT count(*) FROM motcua.events WHERE office = 'LIVE'");
	printf("  press latency, %d presses each, interleaved (the uplink shipped %s events meanwhile):\n", npress,
	       PQresultStatus(r) == PGRES_TUPLES_OK ? PQgetvalue(r, 0, 0) : "?");
	PQclear(r);
	print_lat("kioskd with the uplink:", la, npress);
	print_lat("kioskd without:", lb, npress);
	kill(pa, SIGTERM);
	kill(pb, SIGTERM);
	waitpid(pa, NULL, 0);
	waitpid(pb, NULL, 0);
	close(fa);
	close(fb);
	free(la);
	free(lb);
}

/* ---- main ---------------------------------------------------------------- */

int main(void)
{
	int noffices = env_int("MC_BENCH_OFFICES", 50), per_day = env_int("MC_BENCH_PER_DAY", 2000);
	int days = env_int("MC_BENCH_DAYS", 30), conc = env_int("MC_BENCH_CONCURRENT", 4);
	const char *parent = getenv("MC_BENCH_DIR") ? getenv("MC_BENCH_DIR") : "/var/tmp";
	char err[1024], url[600], tmpl[400], path[400];
	int32_t first = mc_days_from_civil(2026, 9, 1);

	snprintf(dir, sizeof(dir), "%s/mc-bench-uplink-XXXXXX", parent);
	if (!mkdtemp(dir))
		die("mkdtemp", strerror(errno));
	chmod(dir, 0755);
	printf("bench-uplink: %d offices × %d days × %d tickets a day, %d offices at a time (in %s)\n", noffices, days,
	       per_day, conc, dir);
	pg_start();
	admin_url(url, sizeof(url), "postgres");
	PGconn *admin = PQconnectdb(url);
	int from, to;
	if (PQstatus(admin) != CONNECTION_OK || mc_central_init(admin, 0, &from, &to, err, sizeof(err)))
		die("central init", PQstatus(admin) != CONNECTION_OK ? PQerrorMessage(admin) : err);

	double t0 = now_s();
	snprintf(tmpl, sizeof(tmpl), "%s/template.db", dir);
	int64_t per_office = generate(tmpl, first, days, per_day);
	printf("  generated one office: %lld events, %d tickets in %.1f s\n", (long long)per_office, days * per_day,
	       now_s() - t0);

	char (*roles)[64] = calloc((size_t)noffices, sizeof(*roles));
	char board[256];
	snprintf(board, sizeof(board), "{\"timezone\":\"Asia/Ho_Chi_Minh\",\"services\":["
		 "{\"key\":\"civil\",\"position\":1,\"name\":\"Tư pháp\",\"name_en\":\"Justice\",\"target_ms\":900000},"
		 "{\"key\":\"land\",\"position\":2,\"name\":\"Đất đai\",\"name_en\":\"Land\",\"target_ms\":1200000}]}");
	for (int i = 0; i < noffices; i++) {
		char code[16], name[64], pw[40];
		snprintf(code, sizeof(code), "W%03d", i + 1);
		snprintf(name, sizeof(name), "Phường %d", i + 1);
		if (mc_central_add_office(admin, code, name, i % 5 ? "Bắc" : "Nam", roles[i], sizeof(roles[i]), pw,
					  sizeof(pw), err, sizeof(err)))
			die("add-office", err);
		snprintf(path, sizeof(path), "%s/office-%03d.db", dir, i + 1);
		copy_office(tmpl, path, i);
	}

	/* Ingest through the real uplink threads, conc offices at a time. */
	struct mc_uplink **up = calloc((size_t)noffices, sizeof(*up));
	int next = 0, done = 0, running = 0;
	t0 = now_s();
	while (done < noffices) {
		while (running < conc && next < noffices) {
			char ourl[600], code[16];
			snprintf(path, sizeof(path), "%s/office-%03d.db", dir, next + 1);
			snprintf(code, sizeof(code), "W%03d", next + 1);
			admin_url(ourl, sizeof(ourl), roles[next]);
			struct mc_uplink_setup s = { .db_path = path, .url = ourl, .office = code, .interval_ms = 200,
						     .batch = 10000, .board_json = board };
			if (!(up[next] = mc_uplink_start(&s, err, sizeof(err))))
				die("uplink", err);
			next++;
			running++;
		}
		usleep(50000);
		for (int i = 0; i < next; i++) {
			struct mc_uplink_status st;
			if (!up[i])
				continue;
			mc_uplink_status(up[i], &st);
			if (st.sent_id == per_office) {
				mc_uplink_stop(up[i]);
				up[i] = NULL;
				done++;
				running--;
			} else if (st.failures > 3) {
				die("uplink", st.error);
			}
		}
	}
	double ingest = now_s() - t0;
	double total_events = (double)per_office * noffices;
	printf("  ingest: %.0f events (%d tickets) in %.1f s = %.0f events/s, %.0f tickets/s\n", total_events,
	       noffices * days * per_day, ingest, total_events / ingest, noffices * days * per_day / ingest);
	PGresult *r = PQexec(admin, "SELECT count(*), pg_size_pretty(pg_database_size('city')) FROM motcua.events");
	printf("  central: %s events, database %s\n", PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1));
	PQclear(r);
	PQclear(PQexec(admin, "VACUUM ANALYZE"));

	/* The city's monthly report, with and without the roll-ups. */
	double tw[3], tn[3];
	for (int k = 0; k < 3; k++) {
		struct mc_central_report_opts o = { .year = 2026, .month = 9, .rollups = true };
		double a = now_s();
		json_t *j = mc_central_report(admin, &o, err, sizeof(err));
		tw[k] = now_s() - a;
		if (!j)
			die("report", err);
		json_decref(j);
		o.rollups = false;
		a = now_s();
		j = mc_central_report(admin, &o, err, sizeof(err));
		tn[k] = now_s() - a;
		if (!j)
			die("report", err);
		json_decref(j);
	}
	qsort(tw, 3, sizeof(double), cmp_d);
	qsort(tn, 3, sizeof(double), cmp_d);
	printf("  city monthly report (%d offices): with roll-ups %.2f s (%.2f–%.2f), from the tickets %.2f s (%.2f–%.2f)\n",
	       noffices, tw[1], tw[0], tw[2], tn[1], tn[0], tn[2]);
	printf("  extrapolated to 500 offices (linear): ingest of a month %.0f min at this rate; report %.1f s with"
	       " roll-ups, %.1f s without\n", total_events * 500 / noffices / (total_events / ingest) / 60,
	       tw[1] * 500 / noffices, tn[1] * 500 / noffices);
	printf("  a month of 500 offices arrives at %.0f events/s on average over office hours (9.5 h × 30 days)\n",
	       total_events * 500 / noffices / (9.5 * 3600 * days));

	press_latency(admin, env_int("MC_BENCH_PRESSES", 1000));
	PQfinish(admin);
	free(up);
	free(roles);
	pg_stop();
	if (!getenv("MC_BENCH_KEEP")) {
		char cmd[400];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		sh(cmd);
	}
	return 0;
}
