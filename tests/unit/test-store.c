/* test-store.c — the SQLite store on a real file: schema and migration,
 * one transaction per change set, the unique number rule, append-only
 * events, and the engine rebuilt from disk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "engine.h"
#include "store.h"

static const char BOARD[] =
	"[office]\nhours = mon-sun 00:00-24:00\nnoshow_window = 10m\n"
	"[service.civil]\nname = Tư pháp\nnumbers = 1001-1999\n"
	"[service.land]\nname = Đất đai\nnumbers = 2001-2999\n"
	"[counter.1]\nservices = civil, land\n";

struct fx {
	char dir[64], path[96];
	struct mc_config cfg;
	struct mc_changes ch;
	int64_t mono;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[256];

	strcpy(f->dir, "/tmp/mc-store-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/kiosk.db", f->dir);
	assert_int_equal(mc_config_load_string(BOARD, "t.conf", &f->cfg, err, sizeof(err)), 0);
	f->mono = 1000;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	mc_changes_free(&f->ch);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static struct mc_when now(struct fx *f)
{
	f->mono += 1000;
	return (struct mc_when){ .mono_ms = f->mono, .wall_ms = 1764000000000 + f->mono, .boot = 1,
				 .day = mc_days_from_civil(2026, 11, 25), .minute = 600 };
}

static int64_t query_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int64_t v = -1;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

static void schema_is_created_in_wal_mode(void **state)
{
	struct fx *f = *state;
	char err[256];
	struct mc_store *st = mc_store_open(f->path, err, sizeof(err));

	assert_non_null(st);
	assert_int_equal(mc_store_schema_version(st), MC_STORE_SCHEMA);
	mc_store_close(st);
	assert_int_equal(query_int(f->path, "SELECT version FROM schema_version"), MC_STORE_SCHEMA);
	sqlite3 *db;
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
	sqlite3_finalize(s);
	sqlite3_close(db);
	/* Opening again migrates nothing and keeps the version. */
	st = mc_store_open(f->path, err, sizeof(err));
	assert_non_null(st);
	mc_store_close(st);
}

/* The store id: 32 hex digits, kept across opens, recreated when missing,
 * replaced by renew (and the new one kept). */
static void store_id_is_kept_and_renewed(void **state)
{
	struct fx *f = *state;
	char err[256], first[33], second[33];
	struct mc_store *st = mc_store_open(f->path, err, sizeof(err));
	sqlite3 *db;

	assert_non_null(st);
	assert_int_equal(strlen(mc_store_id(st)), 32);
	assert_int_equal(strspn(mc_store_id(st), "0123456789abcdef"), 32);
	snprintf(first, sizeof(first), "%s", mc_store_id(st));
	mc_store_close(st);
	st = mc_store_open(f->path, err, sizeof(err));
	assert_string_equal(mc_store_id(st), first);
	assert_int_equal(mc_store_renew_id(st), 0);
	assert_string_not_equal(mc_store_id(st), first);
	snprintf(second, sizeof(second), "%s", mc_store_id(st));
	mc_store_close(st);
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'store_id'", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), second);
	sqlite3_finalize(s);
	/* A database of an earlier build, without the row, gets one. */
	assert_int_equal(sqlite3_exec(db, "DELETE FROM meta WHERE key = 'store_id'", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	st = mc_store_open(f->path, err, sizeof(err));
	assert_int_equal(strlen(mc_store_id(st)), 32);
	assert_string_not_equal(mc_store_id(st), second);
	mc_store_close(st);
}

static void newer_schema_is_refused(void **state)
{
	struct fx *f = *state;
	char err[256];
	struct mc_store *st = mc_store_open(f->path, err, sizeof(err));
	sqlite3 *db;

	mc_store_close(st);
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE schema_version SET version = 99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_null(mc_store_open(f->path, err, sizeof(err)));
	assert_non_null(strstr(err, "schema 99 is newer"));
}

static void changes_commit_and_rebuild_the_engine(void **state)
{
	struct fx *f = *state;
	char err[256];
	struct mc_store *st = mc_store_open(f->path, err, sizeof(err));
	struct mc_engine *e = mc_engine_new(&f->cfg);
	struct mc_issue is;
	struct mc_ticket t;
	struct mc_when w;
	int skipped;

	w = now(f);
	assert_int_equal(mc_store_load(st, &f->cfg, e, &w, &skipped, err, sizeof(err)), 0);
	for (int i = 0; i < 3; i++) {
		w = now(f);
		assert_int_equal(mc_engine_press(e, &w, i % 2, false, NULL, &is, &f->ch), MC_OK);
		assert_int_equal(mc_store_commit(st, &f->cfg, &f->ch, err, sizeof(err)), 0);
	}
	w = now(f);
	assert_int_equal(mc_engine_counter(e, &w, 1, MC_A_NEXT, 0, &t, &f->ch), MC_OK);
	assert_int_equal(mc_store_commit(st, &f->cfg, &f->ch, err, sizeof(err)), 0);
	w = now(f);
	assert_int_equal(mc_engine_counter(e, &w, 1, MC_A_TRANSFER, 1, &t, &f->ch), MC_OK);
	assert_int_equal(mc_store_commit(st, &f->cfg, &f->ch, err, sizeof(err)), 0);
	mc_engine_free(e);
	mc_store_close(st);

	assert_int_equal(query_int(f->path, "SELECT count(*) FROM tickets"), 3);
	assert_int_equal(query_int(f->path, "SELECT count(*) FROM events WHERE kind = 'issue'"), 3);
	assert_int_equal(query_int(f->path, "SELECT count(*) FROM events WHERE kind = 'transfer' AND detail = 'land'"), 1);
	assert_int_equal(query_int(f->path, "SELECT wait_ms FROM tickets WHERE label = '1001'"), 3000);

	/* Rebuilt from disk: 1001 waits for land in its original place. */
	st = mc_store_open(f->path, err, sizeof(err));
	e = mc_engine_new(&f->cfg);
	w = now(f);
	assert_int_equal(mc_store_load(st, &f->cfg, e, &w, &skipped, err, sizeof(err)), 0);
	assert_int_equal(mc_engine_waiting(e, 1), 2);
	w = now(f);
	assert_int_equal(mc_engine_press(e, &w, 0, false, NULL, &is, &f->ch), MC_OK);
	assert_string_equal(is.ticket.label, "1003");
	assert_int_equal(is.ticket.id, 4);
	assert_int_equal(mc_engine_counter(e, &w, 1, MC_A_NEXT, 0, &t, &f->ch), MC_OK);
	assert_string_equal(t.label, "1001");
	mc_engine_free(e);
	mc_store_close(st);
}

static void a_change_that_breaks_a_rule_writes_nothing(void **state)
{
	struct fx *f = *state;
	char err[256];
	struct mc_store *st = mc_store_open(f->path, err, sizeof(err));
	struct mc_engine *e = mc_engine_new(&f->cfg);
	struct mc_issue is;
	struct mc_when w = now(f);

	assert_int_equal(mc_engine_press(e, &w, 0, false, NULL, &is, &f->ch), MC_OK);
	assert_int_equal(mc_store_commit(st, &f->cfg, &f->ch, err, sizeof(err)), 0);
	/* The same number again under another id: the unique rule refuses the
	 * whole transaction, its event included. */
	f->ch.tickets[0].id = 99;
	assert_int_equal(mc_store_commit(st, &f->cfg, &f->ch, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "UNIQUE"));
	mc_store_close(st);
	mc_engine_free(e);
	assert_int_equal(query_int(f->path, "SELECT count(*) FROM tickets"), 1);
	assert_int_equal(query_int(f->path, "SELECT count(*) FROM events WHERE kind = 'issue'"), 1);
}

static void events_are_append_only(void **state)
{
	struct fx *f = *state;
	char err[256];
	struct mc_store *st = mc_store_open(f->path, err, sizeof(err));
	struct mc_engine *e = mc_engine_new(&f->cfg);
	struct mc_issue is;
	struct mc_when w = now(f);
	sqlite3 *db;

	assert_int_equal(mc_engine_press(e, &w, 0, false, NULL, &is, &f->ch), MC_OK);
	assert_int_equal(mc_store_commit(st, &f->cfg, &f->ch, err, sizeof(err)), 0);
	mc_store_close(st);
	mc_engine_free(e);
	int64_t n = query_int(f->path, "SELECT count(*) FROM events");
	assert_true(n >= 1);
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "DELETE FROM events", NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "UPDATE events SET kind = 'x'", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(query_int(f->path, "SELECT count(*) FROM events"), n);
	assert_int_equal(query_int(f->path, "SELECT count(*) FROM events WHERE kind = 'x'"), 0);
}

/* ---- failure and restore paths (issue 20) ------------------------------- */

static struct mc_store *open_loaded(struct fx *f, const struct mc_config *cfg, struct mc_engine *e, int *skipped)
{
	char err[256];
	struct mc_store *st = mc_store_open(f->path, err, sizeof(err));
	struct mc_when w = now(f);

	assert_non_null(st);
	if (mc_store_load(st, cfg, e, &w, skipped, err, sizeof(err)) != 0)
		fail_msg("load: %s", err);
	return st;
}

static void a_commit_after_a_refused_one_succeeds(void **state)
{
	struct fx *f = *state;
	char err[256];
	int skipped;
	struct mc_engine *e = mc_engine_new(&f->cfg);
	struct mc_store *st = open_loaded(f, &f->cfg, e, &skipped);
	struct mc_issue is;
	struct mc_when w = now(f);

	assert_int_equal(mc_engine_press(e, &w, 0, false, NULL, &is, &f->ch), MC_OK);
	assert_int_equal(mc_store_commit(st, &f->cfg, &f->ch, err, sizeof(err)), 0);
	f->ch.tickets[0].id = 99;
	assert_int_equal(mc_store_commit(st, &f->cfg, &f->ch, err, sizeof(err)), -1);
	/* The refused transaction was rolled back: the same store goes on. */
	w = now(f);
	assert_int_equal(mc_engine_press(e, &w, 1, false, NULL, &is, &f->ch), MC_OK);
	if (mc_store_commit(st, &f->cfg, &f->ch, err, sizeof(err)) != 0)
		fail_msg("commit after a refused one: %s", err);
	/* An empty change set is no transaction and no error. */
	mc_changes_clear(&f->ch);
	assert_int_equal(mc_store_commit(st, &f->cfg, &f->ch, err, sizeof(err)), 0);
	mc_store_close(st);
	mc_engine_free(e);
	assert_int_equal(query_int(f->path, "SELECT count(*) FROM tickets"), 2);
	assert_int_equal(query_int(f->path, "SELECT count(*) FROM tickets WHERE label = '2001'"), 1);
	assert_int_equal(query_int(f->path, "SELECT count(*) FROM events WHERE kind = 'issue'"), 2);
}

static void query_text(const char *path, const char *sql, char *out, size_t len)
{
	sqlite3 *db;
	sqlite3_stmt *s;

	out[0] = 0;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
		snprintf(out, len, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(db);
}

/* The saved day (meta row 'day') is written only when it changes, yet it
 * always follows the committed change sets: a refused commit leaves the
 * old day, and the next commit with the new day writes it. */
static void the_saved_day_follows_the_commits(void **state)
{
	struct fx *f = *state;
	char err[256], day[32], want[16];
	int skipped;
	struct mc_engine *e = mc_engine_new(&f->cfg);
	struct mc_store *st = open_loaded(f, &f->cfg, e, &skipped);
	struct mc_issue is;
	struct mc_when w = now(f);

	assert_int_equal(mc_engine_press(e, &w, 0, false, NULL, &is, &f->ch), MC_OK);
	assert_int_equal(mc_store_commit(st, &f->cfg, &f->ch, err, sizeof(err)), 0);
	query_text(f->path, "SELECT value FROM meta WHERE key = 'day'", day, sizeof(day));
	assert_string_equal(day, "2026-11-25");
	/* The same set again with the next day, refused (id 99 repeats the
	 * number): nothing of it stays, the day neither. */
	f->ch.day = w.day + 1;
	f->ch.tickets[0].id = 99;
	assert_int_equal(mc_store_commit(st, &f->cfg, &f->ch, err, sizeof(err)), -1);
	query_text(f->path, "SELECT value FROM meta WHERE key = 'day'", day, sizeof(day));
	assert_string_equal(day, "2026-11-25");
	/* A press of the next day is committed with its day. */
	w = now(f);
	assert_int_equal(mc_engine_press(e, &w, 0, false, NULL, &is, &f->ch), MC_OK);
	f->ch.day = w.day + 1;
	assert_int_equal(mc_store_commit(st, &f->cfg, &f->ch, err, sizeof(err)), 0);
	mc_format_day(w.day + 1, want, sizeof(want));
	query_text(f->path, "SELECT value FROM meta WHERE key = 'day'", day, sizeof(day));
	assert_string_equal(day, want);
	/* Back to the first day (a clock set back and confirmed): written. */
	w = now(f);
	assert_int_equal(mc_engine_press(e, &w, 1, false, NULL, &is, &f->ch), MC_OK);
	assert_int_equal(mc_store_commit(st, &f->cfg, &f->ch, err, sizeof(err)), 0);
	query_text(f->path, "SELECT value FROM meta WHERE key = 'day'", day, sizeof(day));
	assert_string_equal(day, "2026-11-25");
	/* One group of two sets, the next day's then the first day's: the
	 * row ends with the last set's day, as if each had been committed. */
	struct mc_changes ch2 = { 0 };
	w = now(f);
	assert_int_equal(mc_engine_press(e, &w, 0, false, NULL, &is, &f->ch), MC_OK);
	f->ch.day = w.day + 1;
	assert_int_equal(mc_engine_press(e, &w, 1, false, NULL, &is, &ch2), MC_OK);
	const struct mc_changes *sets[] = { &f->ch, &ch2 };
	assert_int_equal(mc_store_commit_many(st, &f->cfg, sets, 2, err, sizeof(err)), 0);
	query_text(f->path, "SELECT value FROM meta WHERE key = 'day'", day, sizeof(day));
	assert_string_equal(day, "2026-11-25");
	mc_changes_free(&ch2);
	mc_store_close(st);
	mc_engine_free(e);
}

/* The checkpointer thread copies the WAL back: after enough commits it
 * has run, nothing ran on the committing thread, and the database holds
 * every row when read through a connection of its own. */
static void checkpoints_run_on_the_store_thread(void **state)
{
	struct fx *f = *state;
	char err[256];
	int skipped;
	struct mc_engine *e = mc_engine_new(&f->cfg);
	struct mc_store *st = open_loaded(f, &f->cfg, e, &skipped);
	struct mc_store_checkpoints ck;
	struct mc_issue is;
	int n = 0;

	assert_int_equal(mc_store_checkpoint_in_thread(st), 0);
	/* 600 presses of 3 pages: past the 1,000-page threshold, far below
	 * the 4,000 pages where a commit would checkpoint itself. */
	for (; n < 600; n++) {
		struct mc_when w = now(f);
		assert_int_equal(mc_engine_press(e, &w, n % 2, false, NULL, &is, &f->ch), MC_OK);
		assert_int_equal(mc_store_commit(st, &f->cfg, &f->ch, err, sizeof(err)), 0);
	}
	/* The thread runs below the commits' priority: give it time (a
	 * guard against a hang, not a bound on its speed). */
	for (int i = 0; i < 6000; i++) {
		mc_store_checkpoints(st, &ck);
		if (ck.done)
			break;
		usleep(10000);
	}
	assert_true(ck.done > 0);
	assert_int_equal(ck.on_loop, 0);
	assert_int_equal(ck.failed, 0);
	mc_store_close(st);
	mc_engine_free(e);
	assert_int_equal(query_int(f->path, "SELECT count(*) FROM tickets"), n);
}

static off_t size_of(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? sb.st_size : -1;
}

static unsigned char *read_all(const char *path, off_t n)
{
	unsigned char *b = malloc(n ? (size_t)n : 1);
	FILE *fp = fopen(path, "rb");

	assert_non_null(b);
	assert_non_null(fp);
	assert_int_equal(fread(b, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	return b;
}

/* One press of service (0 civil, 1 land) committed; the press and the
 * commit must succeed. */
static void press_committed(struct fx *f, struct mc_store *st, struct mc_engine *e, int service)
{
	char err[256];
	struct mc_issue is;
	struct mc_when w = now(f);

	assert_int_equal(mc_engine_press(e, &w, service, false, NULL, &is, &f->ch), MC_OK);
	assert_int_equal(mc_store_commit(st, &f->cfg, &f->ch, err, sizeof(err)), 0);
}

/* The WAL is written ahead with zeros past its end (so commits overwrite
 * allocated blocks): what it held stays byte for byte, the commits land
 * inside it without growing the file, and another connection and a
 * reopen read every row. Where the file may not grow (a file size limit
 * standing in for a full disk), or another writer holds SQLite's write
 * lock, the WAL is left as it was and commits go on. */
static void the_wal_is_written_ahead(void **state)
{
	struct fx *f = *state;
	char wal[128];
	int skipped;
	struct mc_engine *e = mc_engine_new(&f->cfg);
	struct mc_store *st = open_loaded(f, &f->cfg, e, &skipped);
	struct mc_store_checkpoints ck;
	const off_t full = 32 + (off_t)MC_STORE_WAL_AHEAD_PAGES * (24 + 4096);

	snprintf(wal, sizeof(wal), "%s-wal", f->path);
	off_t before = size_of(wal);
	assert_true(before > 32 && before < full); /* the open stamped the store */
	unsigned char *held = read_all(wal, before);
	assert_int_equal(mc_store_write_ahead(st), (unsigned long)(full - before));
	assert_int_equal(mc_store_write_ahead(st), 0); /* once */
	assert_int_equal(size_of(wal), full);
	unsigned char *now_b = read_all(wal, full);
	assert_memory_equal(now_b, held, (size_t)before);
	for (off_t i = before; i < full; i++)
		if (now_b[i])
			fail_msg("byte %lld of the WAL written ahead is %d", (long long)i, now_b[i]);
	free(now_b);
	free(held);
	mc_store_checkpoints(st, &ck);
	assert_int_equal(ck.wal_ahead, (unsigned long)(full - before));
	for (int n = 0; n < 20; n++)
		press_committed(f, st, e, n % 2);
	assert_int_equal(size_of(wal), full);
	assert_int_equal(query_int(f->path, "SELECT count(*) FROM tickets"), 20);
	mc_store_close(st);
	mc_engine_free(e);
	assert_int_equal(query_int(f->path, "SELECT count(*) FROM tickets"), 20);

	/* No room: a file size limit just past what the store holds. */
	e = mc_engine_new(&f->cfg);
	st = open_loaded(f, &f->cfg, e, &skipped);
	before = size_of(wal);
	assert_true(before > 0);
	struct rlimit old, lim = { .rlim_cur = (rlim_t)before + 64 * 1024, .rlim_max = RLIM_INFINITY };
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim.rlim_max = old.rlim_max;
	void (*was)(int) = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	unsigned long rc = mc_store_write_ahead(st);
	off_t after = size_of(wal);
	mc_store_checkpoints(st, &ck);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, was);
	assert_int_equal(rc, 0);
	assert_int_equal(after, before);
	assert_int_equal(ck.wal_ahead, 0);
	press_committed(f, st, e, 0);
	mc_store_close(st);
	mc_engine_free(e);
	assert_int_equal(query_int(f->path, "SELECT count(*) FROM tickets"), 21);

	/* Another writer holds SQLite's write lock: nothing is written ahead
	 * (it could be appending frames), and the store carries on. */
	e = mc_engine_new(&f->cfg);
	st = open_loaded(f, &f->cfg, e, &skipped);
	before = size_of(wal);
	assert_true(before > 0 && before < full);
	sqlite3 *other;
	assert_int_equal(sqlite3_open(f->path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(mc_store_write_ahead(st), 0);
	assert_int_equal(size_of(wal), before);
	mc_store_checkpoints(st, &ck);
	assert_int_equal(ck.wal_ahead, 0);
	assert_int_equal(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);
	press_committed(f, st, e, 0);
	mc_store_close(st);
	mc_engine_free(e);
	assert_int_equal(query_int(f->path, "SELECT count(*) FROM tickets"), 22);
}

/* Which of the file's first npages pages (of the system's page size) the
 * kernel's page cache holds (mincore on a mapping of the file), into
 * in[]; returns how many. */
static int resident(const char *path, unsigned char *in, size_t npages)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int n = 0;

	assert_true(fd >= 0);
	size_t ps = (size_t)sysconf(_SC_PAGESIZE);
	void *m = mmap(NULL, npages * ps, PROT_READ, MAP_SHARED, fd, 0);
	assert_true(m != MAP_FAILED);
	assert_int_equal(mincore(m, npages * ps, in), 0);
	for (size_t i = 0; i < npages; i++)
		n += in[i] & 1;
	munmap(m, npages * ps);
	close(fd);
	return n;
}

/* Frames in the WAL, read from the file as SQLite's format defines them
 * (a 32-byte header whose bytes 16-23 are the salts, then frames of a
 * 24-byte header, whose bytes 8-15 repeat them, and a page): counted
 * from frame `from` on, those before it known to be there and not read
 * (reading pulls pages into the page cache), until the first frame whose
 * salts differ from salt (the zeros written ahead). */
static long wal_frames_from(const char *path, long page, long from, const unsigned char *salt)
{
	unsigned char fh[24];
	long n = from;
	FILE *fp = fopen(path, "rb");

	assert_non_null(fp);
	while (fseek(fp, 32 + n * (24 + page), SEEK_SET) == 0 && fread(fh, 1, 24, fp) == 24 &&
	       !memcmp(fh + 8, salt, 8))
		n++;
	fclose(fp);
	return n;
}

/* The WAL header's salts, into salt[8]. */
static void wal_salt(const char *path, unsigned char *salt)
{
	unsigned char hdr[32];
	FILE *fp = fopen(path, "rb");

	assert_non_null(fp);
	assert_int_equal(fread(hdr, 1, 32, fp), 32);
	memcpy(salt, hdr + 16, 8);
	fclose(fp);
}

static long wal_frames(const char *path, long page)
{
	unsigned char salt[8];

	wal_salt(path, salt);
	return wal_frames_from(path, page, 0, salt);
}

/* The commits keep the WAL's next pages in the page cache: a frame is a
 * 24-byte header and a page, so a commit writes parts of file pages, and
 * a page the cache dropped (the part written ahead at the start is
 * untouched for long) is first read from the disk, on the committing
 * thread. Here every page of the WAL is dropped from the cache (as memory
 * pressure would), a press committed, and the pages from the end of its
 * frames on (read from the file, not asked of the store) must come back
 * into the cache without anyone reading them; then the same for the WAL's
 * start once a checkpoint copied every frame. Skipped where the file
 * system keeps every page in memory (tmpfs: nothing is dropped). */
static void the_commits_warm_the_wal_ahead(void **state)
{
	struct fx *f = *state;
	char wal[128];
	int skipped;
	struct mc_engine *e = mc_engine_new(&f->cfg);
	struct mc_store *st = open_loaded(f, &f->cfg, e, &skipped);
	const size_t ps = (size_t)sysconf(_SC_PAGESIZE); /* the system's, not SQLite's */
	const size_t npages = (1 << 20) / ps; /* the first MB: far past a few presses */
	unsigned char in[256];

	snprintf(wal, sizeof(wal), "%s-wal", f->path);
	assert_int_equal(mc_store_checkpoint_in_thread(st), 0);
	assert_true(npages <= sizeof(in) && mc_store_write_ahead(st) > npages * ps);
	press_committed(f, st, e, 0);
	int fd = open(wal, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fdatasync(fd), 0);
	assert_int_equal(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
	close(fd);
	int left = resident(wal, in, npages);
	if (left > (int)npages / 2) {
		mc_store_close(st);
		mc_engine_free(e);
		print_message("the file system kept %d of %zu WAL pages in memory: "
			      "nothing to warm here\n", left, npages);
		skip();
	}
	press_committed(f, st, e, 1);
	/* The reads are queued, not waited for: give them time (a guard
	 * against a hang, not a bound on their speed). The snapshot of the
	 * cache comes before the WAL is read here (reading pulls pages in). */
	const size_t want = (64 << 10) / ps; /* 64 KB from the next frame on */
	for (int i = 0; i < 500 && resident(wal, in, npages) < (int)want; i++)
		usleep(10000);
	usleep(50000);
	resident(wal, in, npages);
	long next = 32 + wal_frames(wal, 4096) * (24 + 4096); /* the next frame's offset */
	size_t first = (size_t)next / ps;
	assert_true(first + want <= npages);
	for (size_t p = first; p < first + want; p++)
		if (!(in[p] & 1))
			fail_msg("WAL page %zu (the next frame is at byte %ld) is not in the page "
				 "cache after the commit", p, next);

	/* The start: presses up to just below the checkpoint's threshold,
	 * every page dropped again, then the press that wakes the
	 * checkpointer. Once it copied every frame (nothing else reads or
	 * writes here), the WAL's first 64 KB, where the next commit
	 * restarts it, must come back: the checkpoint itself read only each
	 * database page's latest frame, and most of those frames are old
	 * versions of the tickets' and events' pages. */
	int presses = 2;
	struct mc_store_checkpoints ck;
	for (long frames = wal_frames(wal, 4096); frames < MC_STORE_CHECKPOINT_PAGES - 10;
	     frames = wal_frames(wal, 4096)) {
		for (int i = 0; i < (frames < MC_STORE_CHECKPOINT_PAGES - 100 ? 20 : 1); i++, presses++)
			press_committed(f, st, e, presses % 2);
	}
	mc_store_checkpoints(st, &ck);
	assert_int_equal(ck.done, 0);
	unsigned char salt[8];
	wal_salt(wal, salt);
	long frames = wal_frames(wal, 4096);
	fd = open(wal, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
	close(fd);
	for (; frames < MC_STORE_CHECKPOINT_PAGES; frames = wal_frames_from(wal, 4096, frames, salt))
		press_committed(f, st, e, presses++ % 2);
	for (int i = 0; i < 6000 && !ck.done; i++) { /* a guard against a hang */
		usleep(10000);
		mc_store_checkpoints(st, &ck);
	}
	assert_int_equal(ck.done, 1);
	for (int i = 0; i < 500 && resident(wal, in, want) < (int)want; i++)
		usleep(10000);
	for (size_t p = 0; p < want; p++)
		if (!(in[p] & 1))
			fail_msg("WAL page %zu is not in the page cache after a checkpoint copied "
				 "every frame", p);
	mc_store_close(st);
	mc_engine_free(e);
	assert_int_equal(query_int(f->path, "SELECT count(*) FROM tickets"), presses);
}

static void rows_of_a_service_board_conf_lost_are_skipped(void **state)
{
	struct fx *f = *state;
	char err[256];
	int skipped = -1;
	struct mc_engine *e = mc_engine_new(&f->cfg);
	struct mc_store *st = open_loaded(f, &f->cfg, e, &skipped);
	struct mc_issue is;
	struct mc_ticket t;
	struct mc_when w;

	assert_int_equal(skipped, 0);
	for (int i = 0; i < 4; i++) {
		w = now(f);
		assert_int_equal(mc_engine_press(e, &w, i < 3 ? 0 : 1, false, NULL, &is, &f->ch), MC_OK);
		assert_int_equal(mc_store_commit(st, &f->cfg, &f->ch, err, sizeof(err)), 0);
	}
	/* 1001 is transferred to land: it names land as its current service. */
	w = now(f);
	assert_int_equal(mc_engine_counter(e, &w, 1, MC_A_NEXT, 0, &t, &f->ch), MC_OK);
	assert_int_equal(mc_store_commit(st, &f->cfg, &f->ch, err, sizeof(err)), 0);
	w = now(f);
	assert_int_equal(mc_engine_counter(e, &w, 1, MC_A_TRANSFER, 1, &t, &f->ch), MC_OK);
	assert_int_equal(mc_store_commit(st, &f->cfg, &f->ch, err, sizeof(err)), 0);
	mc_store_close(st);
	mc_engine_free(e);

	/* board.conf now has civil only. */
	struct mc_config civil;
	assert_int_equal(mc_config_load_string("[office]\nhours = mon-sun 00:00-24:00\n"
					       "[service.civil]\nname = Tư pháp\nnumbers = 1001-1999\n"
					       "[counter.1]\nservices = civil\n", "c.conf", &civil, err, sizeof(err)), 0);
	e = mc_engine_new(&civil);
	st = open_loaded(f, &civil, e, &skipped);
	/* 2001 (land) and 1001 (now waiting for land) are skipped; 1002, 1003 load. */
	assert_int_equal(skipped, 2);
	assert_int_equal(mc_engine_waiting(e, 0), 2);
	w = now(f);
	assert_int_equal(mc_engine_counter(e, &w, 1, MC_A_NEXT, 0, &t, &f->ch), MC_OK);
	assert_string_equal(t.label, "1002");
	assert_int_equal(mc_store_commit(st, &civil, &f->ch, err, sizeof(err)), 0);
	/* Numbering goes on past the numbers still held on disk. */
	w = now(f);
	assert_int_equal(mc_engine_press(e, &w, 0, false, NULL, &is, &f->ch), MC_OK);
	assert_string_equal(is.ticket.label, "1004");
	assert_int_equal(is.ticket.id, 5); /* past every id on disk, skipped ones too */
	mc_store_close(st);
	mc_engine_free(e);
}

static void rows_with_an_unknown_status_are_never_called(void **state)
{
	struct fx *f = *state;
	char err[256];
	int skipped;
	struct mc_engine *e = mc_engine_new(&f->cfg);
	struct mc_store *st = open_loaded(f, &f->cfg, e, &skipped);
	struct mc_issue is;
	struct mc_ticket t;
	struct mc_when w;
	sqlite3 *db;

	for (int i = 0; i < 3; i++) {
		w = now(f);
		assert_int_equal(mc_engine_press(e, &w, 0, false, NULL, &is, &f->ch), MC_OK);
		assert_int_equal(mc_store_commit(st, &f->cfg, &f->ch, err, sizeof(err)), 0);
	}
	mc_store_close(st);
	mc_engine_free(e);
	/* A newer firmware wrote states this one does not know. */
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE tickets SET status = 'teleported' WHERE label = '1001';"
				      "UPDATE tickets SET print = 'glowing' WHERE label = '1002';",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	e = mc_engine_new(&f->cfg);
	st = open_loaded(f, &f->cfg, e, &skipped);
	assert_int_equal(skipped, 0);
	/* 1001: status unknown, taken as voided, never called; 1002: print
	 * unknown, taken as in doubt (it may be on paper): called like any
	 * other, then 1003. */
	assert_int_equal(mc_engine_waiting(e, 0), 2);
	const struct mc_ticket *x = mc_engine_ticket(e, 2);
	assert_non_null(x);
	assert_int_equal(x->print, MC_P_IN_DOUBT);
	w = now(f);
	assert_int_equal(mc_engine_counter(e, &w, 1, MC_A_NEXT, 0, &t, &f->ch), MC_OK);
	assert_string_equal(t.label, "1002");
	assert_int_equal(mc_store_commit(st, &f->cfg, &f->ch, err, sizeof(err)), 0);
	w = now(f);
	assert_int_equal(mc_engine_counter(e, &w, 1, MC_A_NEXT, 0, &t, &f->ch), MC_OK);
	assert_string_equal(t.label, "1003");
	assert_int_equal(mc_store_commit(st, &f->cfg, &f->ch, err, sizeof(err)), 0);
	assert_int_equal(mc_engine_counter(e, &w, 1, MC_A_NEXT, 0, &t, &f->ch), MC_E_EMPTY);
	x = mc_engine_ticket(e, 1);
	assert_non_null(x);
	assert_int_equal(x->status, MC_T_VOIDED);
	/* Their numbers stay taken: the next is 1004. */
	assert_int_equal(mc_engine_press(e, &w, 0, false, NULL, &is, &f->ch), MC_OK);
	assert_string_equal(is.ticket.label, "1004");
	mc_store_close(st);
	mc_engine_free(e);
}

static int collect(const struct mc_store_ticket *t, void *ctx)
{
	char *out = ctx;

	strcat(out, t->t.label);
	strcat(out, t->service);
	strcat(out, t->cur_service);
	strcat(out, mc_ticket_status_name(t->t.status));
	strcat(out, ";");
	return !strcmp(t->t.label, "1003");
}

static void counters_and_every_ticket_field_come_back(void **state)
{
	struct fx *f = *state;
	char err[256], seen[512] = "";
	int skipped;
	struct mc_engine *e = mc_engine_new(&f->cfg);
	struct mc_store *st = open_loaded(f, &f->cfg, e, &skipped);
	struct mc_issue is;
	struct mc_ticket t, served, called;
	struct mc_when w;

#define STEP(call) do { w = now(f); assert_int_equal(call, MC_OK); \
	assert_int_equal(mc_store_commit(st, &f->cfg, &f->ch, err, sizeof(err)), 0); } while (0)
	STEP(mc_engine_press(e, &w, 0, true, NULL, &is, &f->ch));
	STEP(mc_engine_press(e, &w, 0, false, NULL, &is, &f->ch));
	STEP(mc_engine_press(e, &w, 1, false, NULL, &is, &f->ch));
	STEP(mc_engine_press(e, &w, 0, false, NULL, &is, &f->ch));
	STEP(mc_engine_counter(e, &w, 1, MC_A_LOGIN, 42, &t, &f->ch));
	STEP(mc_engine_counter(e, &w, 1, MC_A_NEXT, 0, &t, &f->ch));
	STEP(mc_engine_counter(e, &w, 1, MC_A_FINISH, 0, &served, &f->ch));
	STEP(mc_engine_counter(e, &w, 1, MC_A_RATE, 3, &t, &f->ch));
	STEP(mc_engine_counter(e, &w, 1, MC_A_NEXT, 0, &called, &f->ch));
	/* A recall changes no row, only logs an event: it is committed too. */
	STEP(mc_engine_counter(e, &w, 1, MC_A_RECALL, 0, &t, &f->ch));
	STEP(mc_engine_counter(e, &w, 1, MC_A_PAUSE, 0, &t, &f->ch));
#undef STEP
	assert_int_equal(query_int(f->path, "SELECT count(*) FROM events WHERE kind = 'recall'"), 1);
	mc_store_close(st);
	mc_engine_free(e);

	e = mc_engine_new(&f->cfg);
	st = open_loaded(f, &f->cfg, e, &skipped);
	const struct mc_counter_state *c = mc_engine_counter_state(e, 1);
	assert_true(c->paused);
	assert_int_equal(c->clerk, 42);
	assert_int_equal(c->current, called.id);
	assert_int_equal(c->last_served, served.id);
	const struct mc_ticket *x = mc_engine_ticket(e, served.id);
	assert_non_null(x);
	assert_string_equal(x->label, "1001");
	assert_true(x->priority);
	assert_int_equal(x->status, MC_T_FINISHED);
	assert_int_equal(x->counter, 1);
	assert_int_equal(x->clerk, 42);
	assert_int_equal(x->rating, 3);
	assert_int_equal(x->round, served.round);
	assert_int_equal(x->wait_ms, served.wait_ms);
	assert_int_equal(x->service_ms, served.service_ms);
	assert_int_equal(x->issued_wall, served.issued_wall);
	assert_int_equal(x->called_wall, served.called_wall);
	assert_int_equal(x->finished_wall, served.finished_wall);
	assert_int_equal(x->called_boot, served.called_boot);
	x = mc_engine_ticket(e, called.id);
	assert_non_null(x);
	assert_string_equal(x->label, "1002");
	assert_int_equal(x->status, MC_T_CALLED);
	assert_int_equal(x->transfers, 0);
	x = mc_engine_ticket(e, 3);
	assert_non_null(x);
	assert_string_equal(x->label, "2001");
	assert_int_equal(x->service, 1);
	assert_int_equal(x->cur_service, 1);
	/* The paused counter calls nobody. */
	assert_int_equal(mc_engine_counter(e, &w, 1, MC_A_NEXT, 0, &t, &f->ch), MC_E_PAUSED);
	/* Each service's numbering goes on from its own rows. */
	assert_int_equal(mc_engine_press(e, &w, 1, false, NULL, &is, &f->ch), MC_OK);
	assert_string_equal(is.ticket.label, "2002");
	assert_int_equal(mc_engine_press(e, &w, 0, false, NULL, &is, &f->ch), MC_OK);
	assert_string_equal(is.ticket.label, "1004");
	/* Tickets of the day in id order, stopping when asked. */
	assert_int_equal(mc_store_each_ticket(st, &f->cfg, w.day, collect, seen, err, sizeof(err)), 0);
	assert_string_equal(seen, "1001civilcivilfinished;1002civilcivilcalled;2001landlandwaiting;1003civilcivilwaiting;");
	seen[0] = 0;
	assert_int_equal(mc_store_each_ticket(st, &f->cfg, w.day - 1, collect, seen, err, sizeof(err)), 0);
	assert_string_equal(seen, "");
	mc_store_close(st);
	mc_engine_free(e);
}

/* The store id (the contract the city uplink relies on): 32 lowercase hex
 * digits, the same in meta and in the marker file; renewing changes both. */
static void store_id_and_marker(void **state)
{
	struct fx *f = *state;
	char err[256], marker[128], line[64] = "", sql[128];
	struct mc_store *st = mc_store_open_mode(f->path, MC_STORE_GUARDED, err, sizeof(err));
	FILE *m;

	assert_non_null(st);
	const char *id = mc_store_id(st);
	assert_int_equal(strlen(id), 32);
	assert_int_equal(strspn(id, "0123456789abcdef"), 32);
	snprintf(marker, sizeof(marker), "%s.id", f->path);
	m = fopen(marker, "r");
	assert_non_null(m);
	assert_non_null(fgets(line, sizeof(line), m));
	fclose(m);
	snprintf(sql, sizeof(sql), "%s\n", id);
	assert_string_equal(line, sql);
	char old[33];
	snprintf(old, sizeof(old), "%s", id);
	assert_int_equal(mc_store_renew_id(st), 0);
	assert_string_not_equal(mc_store_id(st), old);
	snprintf(old, sizeof(old), "%s", mc_store_id(st));
	mc_store_close(st);
	m = fopen(marker, "r");
	assert_non_null(fgets(line, sizeof(line), m));
	fclose(m);
	assert_memory_equal(line, old, 32);
	assert_int_equal(query_int(f->path, "PRAGMA application_id"), MC_STORE_APP_ID);
	/* Open again: the same id. */
	st = mc_store_open_mode(f->path, MC_STORE_GUARDED, err, sizeof(err));
	assert_non_null(st);
	assert_string_equal(mc_store_id(st), old);
	mc_store_close(st);
}

/* Another connection holds the write lock: the commit fails at once with
 * EBUSY and writes nothing; two change sets commit in one transaction. */
static void busy_store_fails_at_once(void **state)
{
	struct fx *f = *state;
	char err[256];
	struct mc_store *st = mc_store_open(f->path, err, sizeof(err));
	struct mc_engine *e = mc_engine_new(&f->cfg);
	struct mc_changes ch2 = { 0 };
	struct mc_issue is;
	struct mc_when w = now(f);
	sqlite3 *db;

	assert_int_equal(mc_engine_press(e, &w, 0, false, NULL, &is, &f->ch), MC_OK);
	assert_int_equal(mc_engine_press(e, &w, 1, false, NULL, &is, &ch2), MC_OK);
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	errno = 0;
	assert_int_equal(mc_store_commit(st, &f->cfg, &f->ch, err, sizeof(err)), -1);
	assert_int_equal(errno, EBUSY);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(db);
	assert_int_equal(query_int(f->path, "SELECT count(*) FROM tickets"), 0);
	const struct mc_changes *sets[] = { &f->ch, &ch2 };
	assert_int_equal(mc_store_commit_many(st, &f->cfg, sets, 2, err, sizeof(err)), 0);
	assert_int_equal(query_int(f->path, "SELECT count(*) FROM tickets"), 2);
	assert_int_equal(query_int(f->path, "SELECT count(*) FROM events WHERE kind = 'issue'"), 2);
	mc_changes_free(&ch2);
	mc_engine_free(e);
	mc_store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(schema_is_created_in_wal_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(newer_schema_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(store_id_is_kept_and_renewed, setup, teardown),
		cmocka_unit_test_setup_teardown(changes_commit_and_rebuild_the_engine, setup, teardown),
		cmocka_unit_test_setup_teardown(a_change_that_breaks_a_rule_writes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(events_are_append_only, setup, teardown),
		cmocka_unit_test_setup_teardown(a_commit_after_a_refused_one_succeeds, setup, teardown),
		cmocka_unit_test_setup_teardown(the_saved_day_follows_the_commits, setup, teardown),
		cmocka_unit_test_setup_teardown(checkpoints_run_on_the_store_thread, setup, teardown),
		cmocka_unit_test_setup_teardown(the_wal_is_written_ahead, setup, teardown),
		cmocka_unit_test_setup_teardown(the_commits_warm_the_wal_ahead, setup, teardown),
		cmocka_unit_test_setup_teardown(rows_of_a_service_board_conf_lost_are_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(rows_with_an_unknown_status_are_never_called, setup, teardown),
		cmocka_unit_test_setup_teardown(counters_and_every_ticket_field_come_back, setup, teardown),
		cmocka_unit_test_setup_teardown(store_id_and_marker, setup, teardown),
		cmocka_unit_test_setup_teardown(busy_store_fails_at_once, setup, teardown),
	};
	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
