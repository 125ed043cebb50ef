/* bench-store.c — what durability costs a ticket. Issues 5,000 tickets
 * through the engine and the store (one fsync'd WAL transaction each, as
 * kioskd does) and, interleaved with them in the same run and directory,
 * 5,000 bare one-row inserts with the same SQLite settings (A B B A ...).
 * Prints p50/p99/max latency and the rate of the time spent in each, and
 * the ratios: pairwise median, p50, p99, throughput. Asserts nothing. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench-stats.h"
#include "config.h"
#include "engine.h"
#include "loop.h"
#include "store.h"

#define N 5000

static const char BOARD[] =
	"[office]\nclock = trust\nhours = mon-sun 00:00-24:00\ndouble_tap = 0ms\n"
	"[service.civil]\nname = Tư pháp – Hộ tịch\nnumbers = 1-9999\n"
	"[service.land]\nname = Đất đai\nnumbers = 1-9999\n"
	"[counter.1]\nservices = civil, land\n";

static int64_t now_us(void)
{
	return bench_mono_ns() / 1000;
}

/* Prints the figures of one series; returns its p50 in µs. */
static int64_t report(const char *name, int64_t *lat, int n, int64_t total_us)
{
	qsort(lat, (size_t)n, sizeof(*lat), bench_cmp_i64);
	int64_t p50 = lat[n / 2], p99 = lat[n * 99 / 100], max = lat[n - 1];
	printf("%-28s p50 %7.3f ms  p99 %7.3f ms  max %7.3f ms  %8.0f /s\n", name, (double)p50 / 1000,
	       (double)p99 / 1000, (double)max / 1000, (double)n * 1e6 / (double)total_us);
	return p50;
}

int main(void)
{
	char dir[] = "/tmp/mc-bench-XXXXXX", path[128], err[256];
	static struct mc_config cfg;
	static int64_t lat_t[N], lat_b[N];
	struct mc_changes ch = { 0 };
	struct mc_issue is;
	int skipped;

	if (!mkdtemp(dir) || mc_config_load_string(BOARD, "bench.conf", &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "setup failed: %s\n", err);
		return 1;
	}

	/* Engine + store, as kioskd commits a press. */
	snprintf(path, sizeof(path), "%s/kiosk.db", dir);
	struct mc_store *st = mc_store_open(path, err, sizeof(err));
	struct mc_engine *e = mc_engine_new(&cfg);
	struct mc_when w = { .mono_ms = mc_mono_ms(), .wall_ms = 1764036000000, .boot = 1,
			     .day = mc_days_from_civil(2026, 11, 25), .minute = 600 };
	if (!st || !e || mc_store_load(st, &cfg, e, &w, &skipped, err, sizeof(err)) < 0) {
		fprintf(stderr, "store: %s\n", err);
		return 1;
	}
	/* Baseline: a bare one-row insert, fsync'd the same way. */
	snprintf(path, sizeof(path), "%s/bare.db", dir);
	sqlite3 *db;
	sqlite3_stmt *s;
	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			 "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO t (v) VALUES (?)", -1, &s, NULL) != SQLITE_OK) {
		fprintf(stderr, "baseline: %s\n", sqlite3_errmsg(db));
		return 1;
	}
	/* Interleaved: a ticket and a bare insert in turn, which goes first
	 * flipping every pair (A B B A ...), so both meet the same disk. */
	int64_t total_t = 0, total_b = 0;
	static double ratio[N];
	for (int i = 0; i < N; i++) {
		for (int half = 0; half < 2; half++) {
			int64_t a = now_us();
			if ((half == 0) == (i % 2 == 0)) {
				w.mono_ms = mc_mono_ms();
				w.wall_ms++;
				if (mc_engine_press(e, &w, i % 2, false, NULL, &is, &ch) != MC_OK ||
				    mc_store_commit(st, &cfg, &ch, err, sizeof(err)) < 0) {
					fprintf(stderr, "ticket %d failed: %s\n", i, err);
					return 1;
				}
				lat_t[i] = now_us() - a;
				total_t += lat_t[i];
			} else {
				sqlite3_reset(s);
				sqlite3_bind_int(s, 1, i);
				if (sqlite3_step(s) != SQLITE_DONE) {
					fprintf(stderr, "baseline insert failed\n");
					return 1;
				}
				lat_b[i] = now_us() - a;
				total_b += lat_b[i];
			}
		}
		ratio[i] = (double)lat_t[i] / (double)(lat_b[i] > 0 ? lat_b[i] : 1);
	}
	mc_store_close(st);
	mc_engine_free(e);
	mc_changes_free(&ch);
	sqlite3_finalize(s);
	sqlite3_close(db);

	printf("%d tickets and %d bare inserts interleaved, WAL + synchronous=FULL, in %s\n", N, N, dir);
	int64_t pt = report("ticket (engine + store)", lat_t, N, total_t);
	int64_t pb = report("bare fsync'd 1-row insert", lat_b, N, total_b);
	qsort(ratio, N, sizeof(ratio[0]), bench_cmp_double);
	printf("ratio ticket/bare: pairwise median %.2fx, p50 %.2fx, p99 %.2fx, throughput %.2fx\n",
	       ratio[N / 2], (double)pt / (double)pb, (double)lat_t[N * 99 / 100] / (double)lat_b[N * 99 / 100],
	       (double)total_t / (double)total_b);
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : 1;
}
