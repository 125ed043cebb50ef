/* bench-report.c — reports over one year of a busy office.
 *
 * 1. Generates a year (2025, Monday–Saturday) of an office with 8 services
 *    and 12 counters: 2,000 tickets a weekday, 1,000 on Saturdays, ratings
 *    on half the served tickets, clerk sessions with a lunch pause, straight
 *    into a database created by the real store (one transaction, prepared
 *    statements). Prints the time and the database size.
 * 2. Times a month's and the year's report in every format (compute + write,
 *    median of 3).
 * 3. Starts a real kioskd on that database and measures ticket latency over
 *    its control socket (press → answer, each one an fsync'd commit, one
 *    every 100 ms), in windows of 20 presses alone and 20 while a child
 *    process computes year reports in a loop (stopped and continued), in
 *    turn, so both meet the same machine.
 *
 * Usage: bench-report [--days N] [--presses N] [--keep DIR [--generate-only]]
 * (--keep DIR leaves the database and board.conf there, for trying reports
 * by hand; --generate-only stops after step 1.)
 * Prints figures only; asserts nothing about time. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "report.h"
#include "store.h"

#define NSVC 8
#define NCTR 12

static const char board_text[] =
	"[office]\nclock = trust\n"
	"name = Trung tâm Phục vụ hành chính công phường Hoàn Kiếm (thử tải)\n"
	"timezone = Asia/Ho_Chi_Minh\n"
	"hours = mon-sun 00:00-24:00\n"
	"double_tap = 0\n"
	"[service.s1]\nname = Tư pháp – Hộ tịch\nnumbers = 1001-1999\ntarget_wait = 20m\n"
	"[service.s2]\nname = Đất đai\nnumbers = 2001-2999\ntarget_wait = 30m\n"
	"[service.s3]\nname = Xây dựng\nnumbers = 3001-3999\ntarget_wait = 30m\n"
	"[service.s4]\nname = Đăng ký kinh doanh\nnumbers = 4001-4999\ntarget_wait = 20m\n"
	"[service.s5]\nname = Lao động – Thương binh và Xã hội\nnumbers = 5001-5999\ntarget_wait = 15m\n"
	"[service.s6]\nname = Tài nguyên – Môi trường\nnumbers = 6001-6999\ntarget_wait = 25m\n"
	"[service.s7]\nname = Văn hóa – Thông tin\nnumbers = 7001-7999\ntarget_wait = 15m\n"
	"[service.s8]\nname = Chứng thực\nnumbers = 8001-8999\ntarget_wait = 10m\n"
	"[counter.1]\nservices = s1, s4\n[counter.2]\nservices = s2, s5\n[counter.3]\nservices = s3, s6\n"
	"[counter.4]\nservices = s4, s7\n[counter.5]\nservices = s5, s8\n[counter.6]\nservices = s6, s1\n"
	"[counter.7]\nservices = s7, s2\n[counter.8]\nservices = s8, s3\n[counter.9]\nservices = s1, s8\n"
	"[counter.10]\nservices = s2, s8\n[counter.11]\nservices = s1, s2\n[counter.12]\nservices = s8, s4\n";

/* Share of arrivals per service (sums to 100) and mean wait in minutes. */
static const int svc_weight[NSVC] = { 25, 15, 8, 10, 8, 6, 3, 25 };
static const double svc_wait[NSVC] = { 14, 22, 20, 12, 9, 15, 8, 6 };
static const int svc_target[NSVC] = { 20, 30, 30, 20, 15, 25, 15, 10 };

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static double urand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "bench-report: %s: %s\n", what, msg);
	exit(1);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* ---- the generator ------------------------------------------------------ */

/* The event insert: at, mono, boot, day, kind, ticket, counter, clerk, value, detail. */
static void event(sqlite3_stmt *s, int64_t at, int64_t mono, int64_t boot, const char *day, const char *kind,
		  int64_t ticket, int counter, int clerk, int value, const char *detail)
{
	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, at);
	sqlite3_bind_int64(s, 2, mono);
	sqlite3_bind_int64(s, 3, boot);
	sqlite3_bind_text(s, 4, day, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, ticket);
	sqlite3_bind_int(s, 7, counter);
	sqlite3_bind_int(s, 8, clerk);
	sqlite3_bind_int(s, 9, value);
	sqlite3_bind_text(s, 10, detail, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		die("insert event", sqlite3_errmsg(sqlite3_db_handle(s)));
}

/* Fills the database at path with ndays days from 2025-01-01; returns the
 * number of tickets. */
static long generate(const char *path, int ndays)
{
	char err[256];
	struct mc_store *st = mc_store_open(path, err, sizeof(err)); /* the real schema */
	if (!st)
		die("store", err);
	mc_store_close(st);

	sqlite3 *db;
	sqlite3_stmt *tk, *ev;
	if (sqlite3_open(path, &db) != SQLITE_OK)
		die("open", sqlite3_errmsg(db));
	sqlite3_exec(db, "PRAGMA synchronous=OFF; BEGIN", NULL, NULL, NULL);
	if (sqlite3_prepare_v2(db, "INSERT INTO tickets VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
			       -1, &tk, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO events (at, mono, boot, day, kind, ticket, counter, clerk, value, detail)"
			       " VALUES (?,?,?,?,?,?,?,?,?,?)", -1, &ev, NULL) != SQLITE_OK)
		die("prepare", sqlite3_errmsg(db));

	static const char *const keys[NSVC] = { "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8" };
	/* Counters serving each service, as in board_text. */
	int serving[NSVC][NCTR], nserving[NSVC] = { 0 };
	static const int ctr_svc[NCTR][3] = { { 0, 3, 0 }, { 1, 4, 0 }, { 2, 5, 0 }, { 3, 6, 0 }, { 4, 7, 0 },
					      { 5, 0, 0 }, { 6, 1, 0 }, { 7, 2, 0 }, { 0, 7, 0 }, { 1, 7, 0 },
					      { 0, 1, 0 }, { 7, 3, 0 } };
	for (int c = 0; c < NCTR; c++)
		for (int k = 0; k < 2; k++) {
			int s = ctr_svc[c][k];
			serving[s][nserving[s]++] = c + 1;
		}
	int64_t *arr = malloc(2100 * sizeof(*arr));
	int64_t id = 0;
	int32_t first = mc_days_from_civil(2025, 1, 1);
	char prev[16] = "";
	if (!arr)
		die("generate", "out of memory");
	for (int32_t day = first; day < first + ndays; day++) {
		int wd = mc_weekday(day);
		char dtext[16];
		if (wd == 0)
			continue; /* closed on Sundays */
		mc_format_day(day, dtext, sizeof(dtext));
		int n = wd == 6 ? 1000 : 2000;
		/* Local midnight in UTC ms (UTC+7); the kiosk boots each morning. */
		int64_t mid = ((int64_t)day * 86400 - 7 * 3600) * 1000, boot = day;
		int64_t mono0 = 1000000 - mid; /* mono = wall + mono0 within the day */
		event(ev, mid, mid + mono0, boot, dtext, "rollover", 0, 0, 0, 0, prev);
		snprintf(prev, sizeof(prev), "%s", dtext);
		/* Clerks log in at 07:25, pause for lunch, log out at 17:05. */
		int64_t t_in = mid + (7 * 60 + 25) * 60000ll, t_p = mid + (11 * 60 + 30) * 60000ll;
		int64_t t_r = mid + (13 * 60 + 30) * 60000ll, t_out = mid + (17 * 60 + 5) * 60000ll;
		for (int c = 1; c <= NCTR; c++)
			event(ev, t_in, t_in + mono0, boot, dtext, "login", 0, c, 100 + c, 100 + c, "");
		if (wd != 6) {
			for (int c = 1; c <= NCTR; c++)
				event(ev, t_p, t_p + mono0, boot, dtext, "pause", 0, c, 100 + c, 0, "");
			for (int c = 1; c <= NCTR; c++)
				event(ev, t_r, t_r + mono0, boot, dtext, "resume", 0, c, 100 + c, 0, "");
		}
		/* Arrivals: 07:30–11:30 and (weekdays) 13:30–17:00, a morning peak. */
		for (int i = 0; i < n; i++) {
			double u = urand();
			int64_t m;
			if (wd == 6 || u < 0.6)
				m = (int64_t)((7.5 + 4 * pow(urand(), 1.3)) * 3600000);
			else
				m = (int64_t)((13.5 + 3.5 * urand()) * 3600000);
			arr[i] = mid + m;
		}
		qsort(arr, (size_t)n, sizeof(*arr), cmp_i64);
		int seq[NSVC] = { 0 };
		for (int i = 0; i < n; i++) {
			int s = 0, pick = (int)(urand() * 100);
			while (pick >= svc_weight[s] && s < NSVC - 1)
				pick -= svc_weight[s++];
			int number = (s + 1) * 1000 + 1 + seq[s]++;
			char label[8];
			snprintf(label, sizeof(label), "%d", number);
			bool prio = urand() < 0.05;
			double r = urand();
			static const char *const names[] = { "voided", "noshow", "expired", "finished" };
			enum { VOIDED, NOSHOW, EXPIRED, FINISHED };
			int kind = r < 0.02 ? VOIDED : r < 0.07 ? NOSHOW : r < 0.075 ? EXPIRED : FINISHED;
			const char *status = names[kind];
			int transfers = kind == FINISHED && urand() < 0.02;
			int64_t issued = arr[i], called = 0, fin = 0, wait = -1, serv = -1;
			int counter = 0, clerk = 0, rating = 0;
			if (kind == FINISHED || kind == NOSHOW) {
				wait = (int64_t)(-log(1 - urand()) * svc_wait[s] * 60000 * (prio ? 0.3 : 1));
				if (wait > 3 * 3600000)
					wait = 3 * 3600000;
				called = issued + wait;
				counter = serving[s][(int)(urand() * nserving[s])];
				clerk = 100 + counter;
			}
			if (kind == FINISHED) {
				serv = 120000 + (int64_t)(-log(1 - urand()) * 360000);
				fin = called + serv;
				if (urand() < 0.5) {
					/* Longer waits, lower ratings. */
					double q = urand() - (double)wait / (svc_target[s] * 60000.0) * 0.25;
					rating = q < 0.05 ? 1 : q < 0.15 ? 2 : q < 0.55 ? 3 : 4;
				}
			} else if (!strcmp(status, "noshow")) {
				fin = called + 120000;
			} else {
				fin = !strcmp(status, "expired") ? mid + 86400000ll : issued + 3000;
			}
			id++;
			int k = 1;
			sqlite3_reset(tk);
			sqlite3_bind_int64(tk, k++, id);
			sqlite3_bind_text(tk, k++, keys[s], -1, SQLITE_STATIC);
			sqlite3_bind_text(tk, k++, transfers ? keys[(s + 1) % NSVC] : keys[s], -1, SQLITE_STATIC);
			sqlite3_bind_text(tk, k++, dtext, -1, SQLITE_STATIC);
			sqlite3_bind_int(tk, k++, 0);
			sqlite3_bind_int(tk, k++, number);
			sqlite3_bind_text(tk, k++, label, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int(tk, k++, prio);
			sqlite3_bind_text(tk, k++, status, -1, SQLITE_STATIC);
			sqlite3_bind_text(tk, k++, !strcmp(status, "voided") ? "failed" : "printed", -1, SQLITE_STATIC);
			sqlite3_bind_int(tk, k++, counter);
			sqlite3_bind_int(tk, k++, clerk);
			sqlite3_bind_int(tk, k++, rating);
			sqlite3_bind_int(tk, k++, transfers);
			sqlite3_bind_int64(tk, k++, issued);
			sqlite3_bind_int64(tk, k++, called);
			sqlite3_bind_int64(tk, k++, fin);
			sqlite3_bind_int64(tk, k++, issued + mono0);
			sqlite3_bind_int64(tk, k++, called ? called + mono0 : 0);
			sqlite3_bind_int64(tk, k++, fin ? fin + mono0 : 0);
			sqlite3_bind_int64(tk, k++, boot);
			sqlite3_bind_int64(tk, k++, called ? boot : 0);
			sqlite3_bind_int64(tk, k++, fin ? boot : 0);
			sqlite3_bind_int64(tk, k++, wait);
			sqlite3_bind_int64(tk, k++, serv);
			if (sqlite3_step(tk) != SQLITE_DONE)
				die("insert ticket", sqlite3_errmsg(db));
			event(ev, issued, issued + mono0, boot, dtext, "issue", id, 0, 0, prio, "");
			if (!strcmp(status, "voided")) {
				event(ev, issued + 3000, issued + 3000 + mono0, boot, dtext, "print_failed", id, 0, 0, 0, "");
				continue;
			}
			event(ev, issued + 2000, issued + 2000 + mono0, boot, dtext, "printed", id, 0, 0, 0, "");
			if (called)
				event(ev, called, called + mono0, boot, dtext, "call", id, counter, clerk, 0, "");
			if (transfers)
				event(ev, called + 60000, called + 60000 + mono0, boot, dtext, "transfer", id, counter, clerk,
				      (s + 1) % NSVC, keys[(s + 1) % NSVC]);
			if (kind == FINISHED)
				event(ev, fin, fin + mono0, boot, dtext, "finish", id, counter, clerk, 0, "");
			else if (!strcmp(status, "noshow"))
				event(ev, fin, fin + mono0, boot, dtext, "noshow", id, counter, clerk, 0, "");
			if (rating)
				event(ev, fin + 20000, fin + 20000 + mono0, boot, dtext, "rate", id, counter, clerk, rating, "");
		}
		for (int c = 1; c <= NCTR; c++)
			event(ev, t_out, t_out + mono0, boot, dtext, "logout", 0, c, 100 + c, 0, "");
	}
	sqlite3_exec(db, "INSERT OR REPLACE INTO meta VALUES ('day', (SELECT MAX(day) FROM tickets))", NULL, NULL, NULL);
	sqlite3_finalize(tk);
	sqlite3_finalize(ev);
	if (sqlite3_exec(db, "COMMIT; PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) != SQLITE_OK)
		die("commit", sqlite3_errmsg(db));
	sqlite3_close(db);
	free(arr);
	return (long)id;
}

/* ---- timing reports ----------------------------------------------------- */

static const char *const fmt_names[] = { "table", "csv", "json", "pdf" };

/* One report: compute + write in fmt. Returns seconds. */
static double one_report(const char *db, const struct mc_config *cfg, int32_t from, int32_t to, int fmt,
			 const char *dir)
{
	struct mc_report_opts o = { .from = from, .to = to, .dims = (1u << MC_REPORT_NDIMS) - 1 };
	char err[512], path[1024];
	double t0 = now_s();
	struct mc_report *r = mc_report_compute(db, cfg, &o, err, sizeof(err));
	if (!r)
		die("report", err);
	snprintf(path, sizeof(path), "%s/report.%s", dir, fmt_names[fmt]);
	if (fmt == MC_REPORT_PDF) {
		if (mc_report_write_pdf(r, path, err, sizeof(err)) < 0)
			die("pdf", err);
	} else {
		FILE *f = fopen(path, "w");
		if (!f || mc_report_write_text(r, (enum mc_report_format)fmt, f) < 0)
			die("write", strerror(errno));
		fclose(f);
	}
	mc_report_free(r);
	return now_s() - t0;
}

static double median3(double a, double b, double c)
{
	double v[3] = { a, b, c };
	qsort(v, 3, sizeof(v[0]), cmp_double);
	return v[1];
}

/* ---- recount ------------------------------------------------------------ */

static int64_t q_int(sqlite3 *db, const char *sql, const char *svc, int64_t arg)
{
	sqlite3_stmt *s;
	int64_t v = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		die("recount", sqlite3_errmsg(db));
	sqlite3_bind_text(s, 1, svc, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, arg);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* Recounts the year's per-service figures straight from the ticket rows
 * with SQL and compares them with the report's. Returns the mismatches. */
static int recount(const char *path, const struct mc_config *cfg, int32_t from, int32_t to)
{
	struct mc_report_opts o = { .from = from, .to = to, .dims = 1u << MC_REPORT_SERVICE };
	char err[512];
	struct mc_report *r = mc_report_compute(path, cfg, &o, err, sizeof(err));
	sqlite3 *db;
	int bad = 0, figures = 0;
	size_t n;

	if (!r)
		die("report", err);
	sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
	const struct mc_report_row *rows = mc_report_rows(r, MC_REPORT_SERVICE, &n);
	for (size_t i = 0; i < n; i++) {
		const struct mc_report_row *row = &rows[i];
		const char *k = row->key;
		int64_t nw = q_int(db, "SELECT COUNT(*) FROM tickets WHERE service = ?1 AND wait_ms >= 0", k, 0);
		int64_t want[] = {
			q_int(db, "SELECT COUNT(*) FROM tickets WHERE service = ?1", k, 0),
			q_int(db, "SELECT COUNT(*) FROM tickets WHERE service = ?1 AND status = 'finished'", k, 0),
			q_int(db, "SELECT COUNT(*) FROM tickets WHERE service = ?1 AND status = 'noshow'", k, 0),
			q_int(db, "SELECT COUNT(*) FROM tickets WHERE service = ?1 AND wait_ms > ?2", k, row->target_ms),
			q_int(db, "SELECT MAX(wait_ms) FROM tickets WHERE service = ?1", k, 0),
			q_int(db, "SELECT wait_ms FROM tickets WHERE service = ?1 AND wait_ms >= 0 ORDER BY wait_ms"
				  " LIMIT 1 OFFSET ?2", k, (nw * 9 + 9) / 10 - 1),
			q_int(db, "SELECT SUM(wait_ms) FROM tickets WHERE service = ?1 AND wait_ms >= 0", k, 0),
			q_int(db, "SELECT COUNT(*) FROM tickets WHERE service = ?1 AND rating >= 3", k, 0),
		};
		int64_t got[] = {
			row->issued, row->served, row->noshow, row->over_target, row->wait.max_ms, row->wait.p90_ms,
			(int64_t)llround(row->wait.mean_ms * (double)row->wait.n), row->satisfied,
		};
		for (size_t f = 0; f < sizeof(want) / sizeof(want[0]); f++, figures++)
			if (want[f] != got[f]) {
				printf("    recount differs: %s figure %zu: report %lld, SQL %lld\n", k, f,
				       (long long)got[f], (long long)want[f]);
				bad++;
			}
	}
	printf("  recount from the raw tickets (SQL): %d of %d per-service figures agree\n", figures - bad, figures);
	sqlite3_close(db);
	mc_report_free(r);
	return bad;
}

/* ---- kioskd latency ------------------------------------------------------ */

static int connect_to(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Sends line, reads one answer line; returns seconds, or -1. */
static double request(int fd, const char *line, bool *ok)
{
	char buf[8192];
	size_t n = 0;
	double t0 = now_s();
	size_t len = strlen(line);
	if (write(fd, line, len) != (ssize_t)len)
		return -1;
	for (;;) {
		ssize_t r = read(fd, buf + n, sizeof(buf) - 1 - n);
		if (r <= 0)
			return -1;
		n += (size_t)r;
		buf[n] = 0;
		if (memchr(buf, '\n', n))
			break;
		if (n == sizeof(buf) - 1)
			return -1;
	}
	*ok = strstr(buf, "\"ok\": true") || strstr(buf, "\"ok\":true");
	return now_s() - t0;
}

/* Presses n tickets, spread over the services, into lat (ms). */
static int presses(int fd, int n, int round, double *lat)
{
	char line[160];
	int fails = 0;
	for (int i = 0; i < n; i++) {
		bool ok = false;
		snprintf(line, sizeof(line), "{\"cmd\":\"press\",\"service\":\"s%d\",\"source\":\"bench%d\"}\n",
			 (i + round) % NSVC + 1, i);
		double t = request(fd, line, &ok);
		if (t < 0)
			die("kioskd", "connection lost");
		if (!ok)
			fails++;
		lat[i] = t * 1000;
		usleep(100000);  /* one press every 100 ms, as a busy hall */
		/* Keep the queue short: a counter calls now and then. */
		if (i % 2) {
			snprintf(line, sizeof(line), "{\"cmd\":\"counter\",\"counter\":%d,\"action\":\"next\"}\n",
				 i % NCTR + 1);
			request(fd, line, &ok);
		}
	}
	return fails;
}

static void print_lat(const char *what, double *lat, int n, int fails)
{
	qsort(lat, (size_t)n, sizeof(*lat), cmp_double);
	printf("  %-34s p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms  (%d presses, %d refused)\n", what,
	       lat[n / 2], lat[(n * 99 + 99) / 100 - 1], lat[n - 1], n, fails);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "days", required_argument, NULL, 'd' }, { "presses", required_argument, NULL, 'p' },
		{ "keep", required_argument, NULL, 'k' }, { "generate-only", no_argument, NULL, 'g' },
		{ NULL, 0, NULL, 0 },
	};
	int ndays = 365, npress = 200, c;
	bool only_generate = false;
	const char *keep = NULL;
	static struct mc_config cfg;
	char dir[] = "/tmp/motcua-bench-report-XXXXXX", path[1024], board[1024], sock[1024], err[512];

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'd')
			ndays = atoi(optarg);
		else if (c == 'p')
			npress = atoi(optarg);
		else if (c == 'k')
			keep = optarg;
		else if (c == 'g')
			only_generate = true;
		else
			return 2;
	}
	if (ndays < 31 || ndays > 366 || npress < 10 || npress > 5000 || (only_generate && !keep)) {
		fprintf(stderr, "bench-report: --days 31..366, --presses 10..5000, --generate-only with --keep\n");
		return 2;
	}
	if (keep) {
		snprintf(dir, sizeof(dir), "%s", keep);
		mkdir(dir, 0755);
	} else if (!mkdtemp(dir)) {
		die("mkdtemp", strerror(errno));
	}
	snprintf(path, sizeof(path), "%s/kiosk.db", dir);
	snprintf(board, sizeof(board), "%s/board.conf", dir);
	snprintf(sock, sizeof(sock), "%s/kioskd.sock", dir);
	unlink(path);
	FILE *f = fopen(board, "w");
	if (!f)
		die("board", strerror(errno));
	fputs(board_text, f);
	fclose(f);
	if (mc_config_load(board, &cfg, err, sizeof(err)) < 0)
		die("board", err);
	setenv("TZ", cfg.office.timezone, 1);
	tzset();

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("bench-report: one year of a busy office (8 services, 12 counters)\n");
	double t0 = now_s();
	long ntickets = generate(path, ndays);
	double tgen = now_s() - t0;
	struct stat sb;
	stat(path, &sb);
	sqlite3 *db;
	sqlite3_stmt *s;
	long nevents = 0;
	sqlite3_open(path, &db);
	if (sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM events", -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		nevents = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	printf("  generated %ld tickets, %ld events over %d days in %.2f s (%.0f tickets/s)\n", ntickets, nevents,
	       ndays, tgen, (double)ntickets / tgen);
	printf("  database size %.1f MB (%.0f bytes a ticket)\n", (double)sb.st_size / 1e6,
	       (double)sb.st_size / (double)ntickets);

	if (only_generate) {
		printf("  kept %s\n", dir);
		return 0;
	}
	int32_t y0 = mc_days_from_civil(2025, 1, 1);
	struct {
		const char *name;
		int32_t from, to;
	} periods[] = {
		{ "month 2025-06", mc_days_from_civil(2025, 6, 1), mc_days_from_civil(2025, 6, 30) },
		{ "year 2025", y0, y0 + ndays - 1 },
	};
	printf("  report time, compute + write, all groupings, median of 3:\n");
	for (size_t p = 0; p < 2; p++) {
		printf("    %-14s", periods[p].name);
		for (int fm = 0; fm < 4; fm++) {
			double a = one_report(path, &cfg, periods[p].from, periods[p].to, fm, dir);
			double b = one_report(path, &cfg, periods[p].from, periods[p].to, fm, dir);
			double cc = one_report(path, &cfg, periods[p].from, periods[p].to, fm, dir);
			printf("  %s %6.3f s", fmt_names[fm], median3(a, b, cc));
		}
		printf("\n");
	}
	snprintf(err, sizeof(err), "%s/report.pdf", dir);
	stat(err, &sb);
	recount(path, &cfg, y0, y0 + ndays - 1);
	printf("  year PDF: %.0f KB\n", (double)sb.st_size / 1024);

	/* ---- kioskd beside a year report ---- */
	pid_t kd = fork();
	if (kd == 0) {
		int nul = open("/dev/null", O_WRONLY);
		dup2(nul, 1);
		dup2(nul, 2);
		execl(MC_KIOSKD_PATH, "kioskd", "--board", board, "--state-dir", dir, "--socket", sock, (char *)NULL);
		_exit(127);
	}
	int fd = -1;
	t0 = now_s();
	for (int i = 0; i < 600 && fd < 0; i++) {
		usleep(50000);
		fd = connect_to(sock);
	}
	if (fd < 0) {
		kill(kd, SIGTERM);
		die("kioskd", "did not start");
	}
	printf("  kioskd started on the year's database in %.2f s\n", now_s() - t0);
	double *lat = calloc((size_t)npress, sizeof(*lat));
	if (!lat)
		die("bench", "out of memory");
	presses(fd, npress < 20 ? npress : 20, 0, lat); /* warm up */
	pid_t rep = fork();
	if (rep == 0) {
		/* A manager's year report, again and again. */
		for (;;)
			one_report(path, &cfg, y0, y0 + ndays - 1, MC_REPORT_PDF, dir);
	}
	kill(rep, SIGSTOP);
	/* Windows of 20 presses, alone and beside the reports in turn (which
	 * comes first flips every round), so both meet the same machine. */
	double *alone = calloc((size_t)npress, sizeof(*alone)), *beside = calloc((size_t)npress, sizeof(*beside));
	int na = 0, nb = 0, fa = 0, fb = 0;
	for (int round = 0; na < npress || nb < npress; round++)
		for (int half = 0; half < 2; half++) {
			bool busy = (half == 0) == (round % 2 == 0);
			int *n = busy ? &nb : &na, k = npress - *n < 20 ? npress - *n : 20;
			if (k <= 0)
				continue;
			kill(rep, busy ? SIGCONT : SIGSTOP);
			if (busy)
				usleep(200000);
			int refused = presses(fd, k, round, (busy ? beside : alone) + *n);
			*(busy ? &fb : &fa) += refused;
			*n += k;
		}
	kill(rep, SIGKILL);
	waitpid(rep, NULL, 0);
	print_lat("ticket latency, kioskd alone:", alone, na, fa);
	print_lat("ticket latency, beside year reports:", beside, nb, fb);
	printf("  %-34s p50 %.2fx, p99 %.2fx\n", "beside reports / alone:", beside[nb / 2] / alone[na / 2],
	       beside[(nb * 99 + 99) / 100 - 1] / alone[(na * 99 + 99) / 100 - 1]);
	free(alone);
	free(beside);
	close(fd);
	kill(kd, SIGTERM);
	waitpid(kd, NULL, 0);
	free(lat);
	if (!keep) {
		char cmd[1200];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "bench-report: could not remove %s\n", dir);
	} else {
		printf("  kept %s\n", dir);
	}
	return 0;
}
