/* store.c — SQLite persistence of tickets, counters and events (see store.h). */
#include "store.h"
#include "smallfile.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* The checkpointer: a thread with its own connection that copies the WAL
 * back into the database, so the loop's commits never do it (a checkpoint
 * writes up to MC_STORE_CHECKPOINT_PAGES pages and fsyncs the database). */
struct checkpointer {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool want;                 /* a commit left the WAL at the threshold */
	bool stop;                 /* mc_store_close / a reopen */
	char path[512];            /* the database file */
	atomic_ulong done, failed; /* checkpoints run, and refused or failed */
	atomic_int trouble;        /* SQLite's code for why the last checkpoint
	                            * that was not merely refused failed (a
	                            * full disk: SQLITE_FULL), 0: it ran */
	atomic_int upto;           /* WAL frames when the last one ended (0: reset) */
	unsigned long on_loop;     /* backstops run by the committing thread */
	/* Warming the WAL ahead of the writer (warm_wal), on the committing
	 * thread only: */
	int wal_fd;                /* the WAL, read-only (-1: not open yet, -2: cannot) */
	long long frame_bytes;     /* a frame: header and page (0: page size unknown) */
	int pages_seen;            /* frames in the WAL after the last commit */
};

struct mc_store {
	char path[512];            /* the database file */
	char id[33];               /* store id, 32 hex digits */
	dev_t db_dev, wal_dev;     /* identity of the files opened ... */
	ino_t db_ino, wal_ino;     /* ... checked against the paths */
	bool have_wal;             /* wal_dev/wal_ino are known */
	char lost[400];            /* the database was replaced: why ("" = ours) */
	sqlite3 *db;               /* the open database */
	sqlite3_stmt *put_ticket;  /* upsert a ticket row by id */
	sqlite3_stmt *put_counter; /* INSERT OR REPLACE a counter row */
	sqlite3_stmt *add_event;   /* INSERT an event */
	sqlite3_stmt *put_day;     /* the engine's day */
	sqlite3_stmt *begin, *commit, *rollback; /* prepared once: a commit
	                            * parses no SQL (sqlite3_exec would, each time) */
	char day_saved[16];        /* the day the meta row holds ("" = unknown) */
	char day_pending[16];      /* the day this transaction writes */
	int version;               /* schema version after migration */
	int layout;                /* MC_STORE_LAYOUT, 1 (see relayout), 0 before the first open */
	char layout_why[200];      /* why the relayout failed ("" = it did not) */
	bool bg_checkpoint;        /* mc_store_checkpoint_in_thread was asked */
	struct checkpointer *ckpt; /* its thread, while the database is open */
	unsigned long ckpt_done, ckpt_failed, ckpt_on_loop; /* of checkpointers stopped */
	unsigned long wal_ahead;   /* bytes of zeros written ahead in the WAL */
	bool ahead_asked;          /* mc_store_write_ahead was called: a
	                            * reopen writes the new WAL ahead too */
};

/* Migrations: entry i takes the schema from version i to i + 1. Never edit
 * a released entry; add a new one. */
static const char *const migrations[] = {
	/* 0 -> 1: the first schema. */
	"CREATE TABLE tickets ("
	"  id INTEGER PRIMARY KEY,"
	"  service TEXT NOT NULL,"          /* issuing service key (numbering) */
	"  cur_service TEXT NOT NULL,"      /* where it waits now (transfer) */
	"  day TEXT NOT NULL,"              /* local day of issue, YYYY-MM-DD */
	"  round INTEGER NOT NULL,"         /* wraps of the range that day */
	"  number INTEGER NOT NULL,"
	"  label TEXT NOT NULL,"
	"  priority INTEGER NOT NULL,"
	"  status TEXT NOT NULL,"
	"  print TEXT NOT NULL,"
	"  counter INTEGER NOT NULL,"
	"  clerk INTEGER NOT NULL,"
	"  rating INTEGER NOT NULL,"
	"  transfers INTEGER NOT NULL,"
	"  issued_at INTEGER NOT NULL,"     /* UTC ms */
	"  called_at INTEGER NOT NULL,"     /* UTC ms, 0 = never */
	"  finished_at INTEGER NOT NULL,"   /* UTC ms, 0 = not yet */
	"  issued_mono INTEGER NOT NULL, called_mono INTEGER NOT NULL, finished_mono INTEGER NOT NULL,"
	"  issued_boot INTEGER NOT NULL, called_boot INTEGER NOT NULL, finished_boot INTEGER NOT NULL,"
	"  wait_ms INTEGER NOT NULL,"       /* -1 = never called */
	"  service_ms INTEGER NOT NULL,"    /* -1 = not finished */
	"  UNIQUE (service, day, round, number)"
	");"
	"CREATE INDEX tickets_day ON tickets(day);"
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL,"            /* UTC ms */
	"  mono INTEGER NOT NULL, boot INTEGER NOT NULL,"
	"  day TEXT NOT NULL,"              /* engine day after the change */
	"  kind TEXT NOT NULL,"
	"  ticket INTEGER NOT NULL,"        /* 0 = none */
	"  counter INTEGER NOT NULL,"       /* 0 = none */
	"  clerk INTEGER NOT NULL,"         /* 0 = none */
	"  value INTEGER NOT NULL,"         /* rating, clerk, priority, ... */
	"  detail TEXT NOT NULL"            /* transfer target, rating scale, ... */
	");"
	"CREATE INDEX events_ticket ON events(ticket);"
	"CREATE TABLE counters ("
	"  number INTEGER PRIMARY KEY, current INTEGER NOT NULL, last_served INTEGER NOT NULL,"
	"  paused INTEGER NOT NULL, clerk INTEGER NOT NULL, normals INTEGER NOT NULL"
	");"
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	/* Events are history: the log can grow but never change. */
	"CREATE TRIGGER events_no_update BEFORE UPDATE ON events"
	"  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;"
	"CREATE TRIGGER events_no_delete BEFORE DELETE ON events"
	"  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;",
};

#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

static int db_fail(struct mc_store *st, char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s: %s", what, sqlite3_errmsg(st->db));
	return -1;
}

static int exec(struct mc_store *st, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s", msg ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int migrate(struct mc_store *st, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	int v = 0;

	if (exec(st, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", err, errlen))
		return -1;
	if (sqlite3_prepare_v2(st->db, "SELECT version FROM schema_version", -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, err, errlen, "schema version");
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (v > NMIGRATIONS) {
		snprintf(err, errlen, "database schema %d is newer than this kioskd (%d): refusing to touch it",
			 v, NMIGRATIONS);
		return -1;
	}
	for (; v < NMIGRATIONS; v++) {
		char sql[128];
		if (exec(st, "BEGIN IMMEDIATE", err, errlen))
			return -1;
		if (exec(st, migrations[v], err, errlen))
			goto err_rollback;
		snprintf(sql, sizeof(sql), "DELETE FROM schema_version; INSERT INTO schema_version VALUES (%d)", v + 1);
		if (exec(st, sql, err, errlen) || exec(st, "COMMIT", err, errlen))
			goto err_rollback;
	}
	st->version = v;
	return 0;

err_rollback:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* ---- layout ------------------------------------------------------------ */

/* The first layout's keys, as migration 0 wrote them. */
#define TICKETS_TABLE "CREATE TABLE tickets ("
#define TICKETS_KEY_1 "UNIQUE (service, day, round, number)"
#define TICKETS_KEY_2 "UNIQUE (day, service, round, number)"

/* Rewrites the first layout's indexes into the second's (see store.h,
 * MC_STORE_LAYOUT), in one transaction; a database already in the second
 * is left alone. Not a migration: the schema version stays, so that an
 * older kioskd (the other slot, after a rollback) still opens the file,
 * and it reads it as before: the same tables, columns and rows, the
 * same uniqueness, and an index for each of its queries. A failure
 * (disk full, a lock held past the busy timeout) leaves the first layout
 * and is no error: st->layout_why says why, and the next start tries
 * again. */
static void relayout(struct mc_store *st)
{
	sqlite3_stmt *s;
	char *tickets = NULL;    /* the new tickets table's CREATE, or NULL */
	bool events = false;     /* events_ticket is still there */
	char err[160];

	st->layout = 1;
	st->layout_why[0] = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT name, sql FROM sqlite_master WHERE name IN "
			       "('tickets', 'events_ticket')", -1, &s, NULL) != SQLITE_OK) {
		snprintf(st->layout_why, sizeof(st->layout_why), "reading the schema: %s",
			 sqlite3_errmsg(st->db));
		return;
	}
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 0);
		const char *sql = (const char *)sqlite3_column_text(s, 1);
		const char *key = sql ? strstr(sql, TICKETS_KEY_1) : NULL;

		if (!strcmp(name, "events_ticket")) {
			events = true;
		} else if (key && !strncmp(sql, TICKETS_TABLE, sizeof(TICKETS_TABLE) - 1)) {
			/* The same table, the key's columns reordered (the key is
			 * the clause's only text that changes). */
			tickets = sqlite3_mprintf("%.*s" TICKETS_KEY_2 "%s", (int)(key - sql), sql,
						  key + sizeof(TICKETS_KEY_1) - 1);
			if (!tickets) {
				snprintf(st->layout_why, sizeof(st->layout_why), "out of memory");
				sqlite3_finalize(s);
				return;
			}
		}
	}
	sqlite3_finalize(s);
	if (!tickets && !events) {
		st->layout = MC_STORE_LAYOUT;
		return;
	}
	/* The table's rows are copied out and back, not changed: the ids
	 * stay, so every event still names its ticket. Dropping the old table
	 * drops its two indexes (the key and tickets_day). Not ALTER TABLE
	 * RENAME: it re-parses the whole schema, and the heap it took stayed
	 * (about 0.37 MB of kioskd's private memory, against 2 MB in all). */
	if (exec(st, "BEGIN IMMEDIATE", err, sizeof(err)) ||
	    (tickets && (exec(st, "CREATE TABLE tickets_relayout AS SELECT * FROM tickets;"
			      "DROP TABLE tickets", err, sizeof(err)) ||
			 exec(st, tickets, err, sizeof(err)) ||
			 exec(st, "INSERT INTO tickets SELECT * FROM tickets_relayout;"
			      "DROP TABLE tickets_relayout", err, sizeof(err)))) ||
	    (events && exec(st, "DROP INDEX events_ticket;"
			    "CREATE INDEX events_rating ON events(ticket) WHERE kind = 'rate'",
			    err, sizeof(err))) ||
	    exec(st, "COMMIT", err, sizeof(err))) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		snprintf(st->layout_why, sizeof(st->layout_why), "%s", err);
	} else {
		st->layout = MC_STORE_LAYOUT;
	}
	sqlite3_free(tickets);
}

/* ---- identity (DESIGN §6) ---------------------------------------------- */

/* What a technician does about a file kioskd will not use. */
#define WHAT_TO_DO "restore kiosk.db (with its -wal file) from a backup, or start afresh with " \
	"kioskd --init-store (an unusable file is set aside, numbering restarts)"

/* 1 with the marker's first line in id when the file exists (whatever
 * it holds: a regular file, or anything else, which reads as ""), 0 when
 * it does not. */
static int read_marker(const char *path, char *id, size_t len)
{
	char mpath[600];

	snprintf(mpath, sizeof(mpath), "%s.id", path);
	if (mc_read_small_file(mpath, id, len) < 0 && errno == ENOENT)
		return 0;
	id[strcspn(id, "\r\n")] = 0;
	return 1;
}

/* Writes the marker file atomically (temporary file, fsync, rename). */
static int write_marker(const struct mc_store *st)
{
	char mpath[600], tmp[620];
	int fd;

	snprintf(mpath, sizeof(mpath), "%s.id", st->path);
	snprintf(tmp, sizeof(tmp), "%s.tmp", mpath);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0)
		return -1;
	if (dprintf(fd, "%s\n", st->id) < 0 || fsync(fd) < 0) {
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	return rename(tmp, mpath);
}

static int random_id(char out[33])
{
	unsigned char b[16];

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		return -1;
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
	return 0;
}

static off_t file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? sb.st_size : -1;
}

/* Looks at the file's first 100 bytes: NULL when it may be a database of
 * any application, else why it is not one. wal_frames: a -wal file with
 * frames lies beside it; its size in the header is then not checked, as a
 * checkpoint cut short (kill -9, power loss) leaves page 1, copied first,
 * counting pages the file has not grown to yet, and SQLite recovers them
 * from the WAL. */
static const char *bad_header(const char *path, off_t size, bool wal_frames)
{
	unsigned char h[100];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return "cannot be read";
	n = read(fd, h, sizeof(h));
	close(fd);
	if (n < (ssize_t)sizeof(h))
		return "is truncated (shorter than a database header)";
	if (memcmp(h, "SQLite format 3", 16))
		return "is not a SQLite database";
	uint32_t psz = (uint32_t)h[16] << 8 | h[17];
	if (psz == 1)
		psz = 65536;
	uint32_t pages = (uint32_t)h[28] << 24 | (uint32_t)h[29] << 16 | (uint32_t)h[30] << 8 | h[31];
	bool valid = !memcmp(h + 24, h + 92, 4) && pages;
	if (valid && !wal_frames && (off_t)pages * psz > size)
		return "is truncated (shorter than its header says)";
	return NULL;
}

/* Whether a -wal file holds at least one frame: a WAL header (magic
 * 0x377f0682 or 0x377f0683) and a first frame with the header's salt
 * (https://www.sqlite.org/fileformat2.html#walformat). Its size says
 * nothing: the WAL is written ahead with zeros (mc_store_write_ahead). */
static bool wal_has_frames(const char *wal)
{
	unsigned char h[32 + 24];
	int fd = open(wal, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	ssize_t n = read(fd, h, sizeof(h));
	close(fd);
	if (n != (ssize_t)sizeof(h))
		return false;
	uint32_t magic = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
	return (magic & ~1u) == 0x377f0682u && !memcmp(h + 16, h + 32 + 8, 8);
}

/* Renames path and its -wal/-shm to path.set-aside-TIME (nothing deleted). */
static void set_aside(const char *path)
{
	static const char *const sfx[] = { "", "-wal", "-shm" };
	char from[600], to[640];
	long long t = (long long)time(NULL);

	for (int i = 0; i < 3; i++) {
		snprintf(from, sizeof(from), "%s%s", path, sfx[i]);
		snprintf(to, sizeof(to), "%s.set-aside-%lld%s", path, t, sfx[i]);
		rename(from, to);
	}
}

static int prepare_all(struct mc_store *st, char *err, size_t errlen);
static void close_db(struct mc_store *st);
static int checkpointer_start(struct mc_store *st);
static void checkpointer_stop(struct mc_store *st);

/* Records which files are open, for mc_store_check_files. */
static void note_files(struct mc_store *st)
{
	struct stat sb;
	char wal[600];

	if (stat(st->path, &sb) == 0) {
		st->db_dev = sb.st_dev;
		st->db_ino = sb.st_ino;
	}
	snprintf(wal, sizeof(wal), "%s-wal", st->path);
	st->have_wal = stat(wal, &sb) == 0;
	if (st->have_wal) {
		st->wal_dev = sb.st_dev;
		st->wal_ino = sb.st_ino;
	}
}

/* Stamps application_id and the store id into the open database, in one
 * transaction, and writes the marker. */
static int stamp_identity(struct mc_store *st, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	char sql[160], id[33] = "";

	if (exec(st, "BEGIN IMMEDIATE", err, errlen))
		return -1;
	snprintf(sql, sizeof(sql), "PRAGMA application_id = %d;"
		 "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)",
		 MC_STORE_APP_ID);
	if (exec(st, sql, err, errlen))
		goto err_rollback;
	if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = 'store_id'", -1, &s, NULL) != SQLITE_OK) {
		db_fail(st, err, errlen, "store id");
		goto err_rollback;
	}
	if (sqlite3_step(s) == SQLITE_ROW)
		snprintf(id, sizeof(id), "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	if (strlen(id) != 32) {
		if (random_id(id) < 0) {
			snprintf(err, errlen, "getrandom: %s", strerror(errno));
			goto err_rollback;
		}
		snprintf(sql, sizeof(sql), "INSERT OR REPLACE INTO meta VALUES ('store_id', '%s')", id);
		if (exec(st, sql, err, errlen))
			goto err_rollback;
	}
	if (exec(st, "COMMIT", err, errlen))
		goto err_rollback;
	memcpy(st->id, id, sizeof(st->id));
	char old[64] = "";
	if ((!read_marker(st->path, old, sizeof(old)) || strcmp(old, st->id)) && write_marker(st) < 0) {
		snprintf(err, errlen, "cannot write the marker %s.id: %s", st->path, strerror(errno));
		return -1;
	}
	return 0;

err_rollback:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* What an existing, non-empty database is: 0 ours (or made before the
 * identity), 1 a database with no tables (as good as empty), -1 unusable
 * with the reason in why. */
/* SQLite's codes that say the file could not be read or written now (a
 * full disk, an I/O error, no permission, a lock, no memory), not that
 * what it holds is bad: the file is not to be set aside for them. */
static bool not_damage(int code)
{
	switch (code & 0xff) {
	case SQLITE_IOERR: case SQLITE_FULL: case SQLITE_CANTOPEN: case SQLITE_READONLY:
	case SQLITE_PERM: case SQLITE_BUSY: case SQLITE_LOCKED: case SQLITE_NOMEM:
		return true;
	default:
		return false;
	}
}

/* inspect's answer when a read failed: -2 for not_damage's codes, with
 * the free space when the disk is full, else -1 (damaged). */
static int read_failed(struct mc_store *st, char *why, size_t len)
{
	if (!not_damage(sqlite3_errcode(st->db))) {
		snprintf(why, len, "is damaged (%s)", sqlite3_errmsg(st->db));
		return -1;
	}
	snprintf(why, len, "cannot be read now (%s)", sqlite3_errmsg(st->db));
	mc_store_disk_note(st, why, len);
	return -2;
}

static int inspect(struct mc_store *st, char *why, size_t len)
{
	sqlite3_stmt *s;
	int rc, app_id = 0, ours = 0, tables = 0;

	if (sqlite3_prepare_v2(st->db, "PRAGMA quick_check(1)", -1, &s, NULL) != SQLITE_OK)
		return read_failed(st, why, len);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW && not_damage(sqlite3_errcode(st->db))) {
		sqlite3_finalize(s);
		return read_failed(st, why, len);
	}
	if (rc != SQLITE_ROW || strcmp((const char *)sqlite3_column_text(s, 0), "ok")) {
		snprintf(why, len, "is damaged (%s)", rc == SQLITE_ROW ?
			 (const char *)sqlite3_column_text(s, 0) : sqlite3_errmsg(st->db));
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_finalize(s);
	if (sqlite3_prepare_v2(st->db, "PRAGMA application_id", -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return read_failed(st, why, len);
	}
	app_id = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (sqlite3_prepare_v2(st->db, "SELECT name FROM sqlite_master WHERE type = 'table'", -1, &s, NULL) != SQLITE_OK)
		return read_failed(st, why, len);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *n = (const char *)sqlite3_column_text(s, 0);
		tables++;
		ours += !strcmp(n, "tickets") || !strcmp(n, "schema_version");
	}
	sqlite3_finalize(s);
	if (app_id == MC_STORE_APP_ID || (app_id == 0 && ours == 2))
		return 0;
	if (app_id == 0 && tables == 0)
		return 1;
	snprintf(why, len, "belongs to another program (application_id %d, %d tables, not motcua's)",
		 app_id, tables);
	return -1;
}

/* Opens st->path as mode says; st is zeroed but for path. */
static int open_db(struct mc_store *st, enum mc_store_mode mode, char *err, size_t errlen)
{
	const char *path = st->path;
	char marker[64] = "", why[200], wal[600];
	bool have_marker = read_marker(path, marker, sizeof(marker));
	off_t size = file_size(path);

	snprintf(wal, sizeof(wal), "%s-wal", path);
	bool empty = size <= 0 && file_size(wal) <= 0;
	if (empty && have_marker && mode == MC_STORE_GUARDED) {
		snprintf(err, errlen, "%s is %s, but the marker %s.id says this kiosk's database was "
			 "here: " WHAT_TO_DO, path, size < 0 ? "missing" : "empty", path);
		errno = EUCLEAN;
		return -1;
	}
	if (size > 0) {
		const char *bad = bad_header(path, size, wal_has_frames(wal));
		if (bad) {
			if (mode != MC_STORE_INIT) {
				snprintf(why, sizeof(why), "%s", bad);
				goto unusable;
			}
			set_aside(path);
		}
	} else if (size == 0 && mode == MC_STORE_INIT) {
		set_aside(path);
	}
	for (;;) {
		if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
			snprintf(err, errlen, "cannot open %s: %s", path,
				 st->db ? sqlite3_errmsg(st->db) : "out of memory");
			errno = EIO;
			return -1;
		}
		/* Waiting is allowed while starting, never afterwards. */
		sqlite3_busy_timeout(st->db, 5000);
		if (empty)
			break;
		int k = inspect(st, why, sizeof(why));
		if (k == 0)
			break;
		if (k == -2) {
			/* Nothing says the file is bad: it stays where it is, also
			 * under --init-store, and the next start tries again. */
			close_db(st);
			snprintf(err, errlen, "%s %s; nothing says the database is damaged, and it is "
				 "left as it is: kioskd starts once that is mended (systemd restarts it "
				 "every 2 s)", path, why);
			errno = EIO;
			return -1;
		}
		if (k == 1 && !(have_marker && mode == MC_STORE_GUARDED))
			break;
		if (k == 1)
			snprintf(why, sizeof(why), "holds no tables");
		if (mode != MC_STORE_INIT)
			goto unusable;
		close_db(st);
		set_aside(path);
		empty = true;
	}
	if (exec(st, "PRAGMA journal_mode=WAL", err, errlen) ||
	    exec(st, "PRAGMA synchronous=FULL", err, errlen) ||
	    exec(st, "PRAGMA foreign_keys=ON", err, errlen) ||
	    migrate(st, err, errlen) || stamp_identity(st, err, errlen)) {
		mc_store_disk_note(st, err, errlen);
		errno = EIO;
		return -1;
	}
	/* At a start only: a reopen (mc_store_check_files) opens a copy of
	 * what kioskd held, in the same layout, and runs on the loop, where a
	 * rewrite of a year's tickets must not. */
	if (!st->layout)
		relayout(st);
	if (prepare_all(st, err, errlen)) {
		errno = EIO;
		return -1;
	}
	/* A few ms for a brief write of another connection, as DESIGN §6
	 * allows: without it every press that met the uplink's one-row
	 * commit waited for the 20 ms retry timer (p99 20.7 ms vs 1.1 ms in
	 * bench-uplink). */
	sqlite3_busy_timeout(st->db, MC_STORE_BUSY_MS);
	st->day_saved[0] = 0; /* the first commit writes the day */
	note_files(st);
	if (st->bg_checkpoint && checkpointer_start(st) < 0)
		st->bg_checkpoint = false; /* the commits checkpoint, as before */
	return 0;

unusable:
	close_db(st);
	snprintf(err, errlen, "%s %s: " WHAT_TO_DO, path, why);
	errno = EUCLEAN;
	return -1;
}

static int prepare_all(struct mc_store *st, char *err, size_t errlen)
{
	if (sqlite3_prepare_v2(st->db,
			       /* An upsert on the id only: OR REPLACE would also
				* replace a row that breaks UNIQUE(service, day, round,
				* number), silently deleting a ticket. */
			       "INSERT INTO tickets VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
			       " ON CONFLICT(id) DO UPDATE SET service = excluded.service,"
			       " cur_service = excluded.cur_service, day = excluded.day, round = excluded.round,"
			       " number = excluded.number, label = excluded.label, priority = excluded.priority,"
			       " status = excluded.status, print = excluded.print, counter = excluded.counter,"
			       " clerk = excluded.clerk, rating = excluded.rating, transfers = excluded.transfers,"
			       " issued_at = excluded.issued_at, called_at = excluded.called_at,"
			       " finished_at = excluded.finished_at, issued_mono = excluded.issued_mono,"
			       " called_mono = excluded.called_mono, finished_mono = excluded.finished_mono,"
			       " issued_boot = excluded.issued_boot, called_boot = excluded.called_boot,"
			       " finished_boot = excluded.finished_boot, wait_ms = excluded.wait_ms,"
			       " service_ms = excluded.service_ms",
			       -1, &st->put_ticket, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO counters VALUES (?,?,?,?,?,?)", -1,
			       &st->put_counter, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db,
			       "INSERT INTO events (at, mono, boot, day, kind, ticket, counter, clerk, value, detail)"
			       " VALUES (?,?,?,?,?,?,?,?,?,?)", -1, &st->add_event, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO meta VALUES ('day', ?)", -1,
			       &st->put_day, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, "BEGIN IMMEDIATE", -1, &st->begin, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, "COMMIT", -1, &st->commit, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, "ROLLBACK", -1, &st->rollback, NULL) != SQLITE_OK)
		return db_fail(st, err, errlen, "prepare");
	return 0;
}

static void close_db(struct mc_store *st)
{
	checkpointer_stop(st);
	sqlite3_finalize(st->put_ticket);
	sqlite3_finalize(st->put_counter);
	sqlite3_finalize(st->add_event);
	sqlite3_finalize(st->put_day);
	sqlite3_finalize(st->begin);
	sqlite3_finalize(st->commit);
	sqlite3_finalize(st->rollback);
	sqlite3_close(st->db);
	st->put_ticket = st->put_counter = st->add_event = st->put_day = NULL;
	st->begin = st->commit = st->rollback = NULL;
	st->db = NULL;
}

struct mc_store *mc_store_open_mode(const char *path, enum mc_store_mode mode, char *err,
				    size_t errlen)
{
	struct mc_store *st = calloc(1, sizeof(*st));

	if (!st) {
		snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	snprintf(st->path, sizeof(st->path), "%s", path);
	if (open_db(st, mode, err, errlen) < 0) {
		int e = errno;
		mc_store_close(st);
		errno = e;
		return NULL;
	}
	return st;
}

struct mc_store *mc_store_open(const char *path, char *err, size_t errlen)
{
	return mc_store_open_mode(path, MC_STORE_ANY, err, errlen);
}

void mc_store_close(struct mc_store *st)
{
	if (!st)
		return;
	close_db(st);
	free(st);
}

/* Asks the kernel to read into its page cache the WAL bytes the next
 * commits will write (POSIX_FADV_WILLNEED: the reads are queued, not
 * waited for), after each commit on the committing thread. A frame is a
 * 24-byte header and a page, so a commit's writes begin and end inside
 * file pages (SQLite writes header and page apart: 6 writes for a press's
 * 3 frames), and a write into part of a page the cache no longer holds
 * first reads that page from the disk, synchronously. The WAL written
 * ahead was written when kioskd started and not touched since: a cache
 * that drops pages nobody touched (memory pressure; this machine's kernel
 * does it on its own, about 1 MB every 10 s of a 20 MB file with 23 GB
 * free) had dropped them, and in 67 and 81 of 2000 presses (two traced
 * runs) the loop slept 2-3 times for such a read (0.1-0.3 ms each)
 * between the request and its fdatasync. The start of the WAL, where the
 * writer restarts once a checkpoint copied every frame, was written long
 * before too, and the checkpoint read only each page's latest frame: the
 * checkpointer warms it then (warm_wal_start).
 *
 * The window is the next WAL_WARM_BYTES, or twice the last commit if that
 * is more (a group of presses; at most WAL_WARM_MAX_BYTES), asked after
 * every commit: pages asked for before may have been dropped again since
 * (an idle hour), and asking for pages the cache holds costs a lookup
 * (one system call, a few µs, against the commit's fdatasync of
 * 0.3-0.6 ms). The offsets are SQLite's WAL format: a 32-byte file
 * header, then frames of a 24-byte header and a page. */
#define WAL_WARM_BYTES (64 * 1024)
#define WAL_WARM_MAX_BYTES (1024 * 1024)
#define WAL_HEADER_BYTES 32
static void warm_wal(struct checkpointer *c, int pages, int grew)
{
	if (c->wal_fd == -2 || c->frame_bytes <= 0)
		return;
	if (c->wal_fd < 0) {
		char wal[600];
		snprintf(wal, sizeof(wal), "%s-wal", c->path);
		c->wal_fd = open(wal, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (c->wal_fd < 0) {
			c->wal_fd = -2; /* not a file we may read: commits go on as before */
			return;
		}
	}
	long long at = WAL_HEADER_BYTES + (long long)pages * c->frame_bytes;
	long long want = (long long)(grew > 0 ? grew : 0) * c->frame_bytes * 2;
	if (want < WAL_WARM_BYTES)
		want = WAL_WARM_BYTES;
	if (want > WAL_WARM_MAX_BYTES)
		want = WAL_WARM_MAX_BYTES;
	posix_fadvise(c->wal_fd, (off_t)at, (off_t)want, POSIX_FADV_WILLNEED); /* from at's page on */
}

/* The first WAL_WARM_BYTES of the WAL, the same way, on the checkpointer's
 * thread once a checkpoint copied every frame: the next commit restarts
 * the WAL there. */
static void warm_wal_start(const char *path)
{
	char wal[600];

	snprintf(wal, sizeof(wal), "%s-wal", path);
	int fd = open(wal, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0) {
		posix_fadvise(fd, 0, WAL_WARM_BYTES, POSIX_FADV_WILLNEED);
		close(fd);
	}
}

/* Keeps why checkpoints fail (either thread): SQLITE_BUSY and
 * SQLITE_LOCKED only say another checkpoint or writer was there, and
 * change nothing. */
static void note_trouble(struct checkpointer *c, int rc)
{
	if (rc == SQLITE_OK)
		atomic_store(&c->trouble, 0);
	else if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
		atomic_store(&c->trouble, rc);
}

/* The checkpointer's thread: waits for a full WAL, then runs a PASSIVE
 * checkpoint through its own connection (it never waits for the loop's
 * connection, and the loop's never waits for it: SQLite lets a checkpoint
 * run beside a writer). */
static void *checkpointer_run(void *p)
{
	struct checkpointer *c = p;
	sqlite3 *db = NULL;

	/* Below the loop's priority (it inherits the loop thread's), but
	 * not so far below that ordinary processes starve it: at nice 10
	 * under a flood of presses from four processes at 0 it got about 2 %
	 * of a CPU, the WAL reached MC_STORE_WAL_MAX_PAGES and the loop
	 * checkpointed itself for 150-210 ms. */
	errno = 0;
	int nice = getpriority(PRIO_PROCESS, 0);
	if (errno == 0)
		setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), nice + 5 > 19 ? 19 : nice + 5);
	/* A first read makes the connection see the database in WAL mode
	 * (until then a checkpoint through it is a no-op that reports OK);
	 * a small cache, as it reads no table. */
	if (sqlite3_open_v2(c->path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
		    SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA cache_size = 16; SELECT count(*) FROM sqlite_master", NULL, NULL,
			 NULL) != SQLITE_OK) {
		sqlite3_close(db);
		db = NULL;
	}
	pthread_mutex_lock(&c->lock);
	for (;;) {
		while (!c->want && !c->stop)
			pthread_cond_wait(&c->wake, &c->lock);
		if (c->stop)
			break;
		c->want = false;
		pthread_mutex_unlock(&c->lock);
		int frames = 0, copied = 0;
		int rc = db ? sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_PASSIVE, &frames,
							&copied)
			    : SQLITE_CANTOPEN;
		atomic_store(&c->upto, frames > 0 ? frames : 0);
		if (rc == SQLITE_OK && frames > 0 && copied == frames)
			warm_wal_start(c->path); /* before it is counted done */
		atomic_fetch_add(rc == SQLITE_OK ? &c->done : &c->failed, 1);
		note_trouble(c, rc);
		pthread_mutex_lock(&c->lock);
	}
	pthread_mutex_unlock(&c->lock);
	sqlite3_close(db);
	return NULL;
}

/* sqlite3_wal_hook: runs on the committing (loop) thread after each commit
 * with the frames now in the WAL; warms the WAL's next pages (warm_wal)
 * and wakes the checkpointer.
 *
 * The writer restarts the WAL from its start only after a checkpoint
 * copied every frame; commits that land during a checkpoint leave a tail,
 * so the WAL may stay above the threshold for a while. The checkpointer is
 * woken again only when that tail has grown by an eighth of the threshold
 * (not after every commit: each checkpoint costs two fsyncs). Should the
 * writer outrun it for good (a flood), the commit that takes the WAL to
 * MC_STORE_WAL_MAX_PAGES checkpoints itself, as SQLite does by default:
 * the WAL stays bounded whatever the load. */
static int on_wal_commit(void *ctx, sqlite3 *db, const char *name, int pages)
{
	struct checkpointer *c = ctx;
	int upto = atomic_load(&c->upto);
	int grew = pages >= c->pages_seen ? pages - c->pages_seen : pages;

	if (pages < upto) { /* the WAL was restarted */
		atomic_store(&c->upto, 0);
		upto = 0;
	}
	c->pages_seen = pages;
	warm_wal(c, pages, grew);
	if (pages >= MC_STORE_WAL_MAX_PAGES) {
		note_trouble(c, sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL));
		c->on_loop++;
		return SQLITE_OK;
	}
	if (pages >= MC_STORE_CHECKPOINT_PAGES && pages >= upto + MC_STORE_CHECKPOINT_PAGES / 8) {
		pthread_mutex_lock(&c->lock);
		c->want = true;
		pthread_cond_signal(&c->wake);
		pthread_mutex_unlock(&c->lock);
	}
	return SQLITE_OK;
}

static int checkpointer_start(struct mc_store *st)
{
	struct checkpointer *c = calloc(1, sizeof(*c));

	if (!c)
		return -1;
	snprintf(c->path, sizeof(c->path), "%s", st->path);
	c->wal_fd = -1;
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, "PRAGMA page_size", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		c->frame_bytes = 24 + sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->wake, NULL);
	/* The thread takes no signal: they are the caller's (kioskd reads
	 * SIGTERM from a signalfd, blocked only after the store is open). */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&c->thread, NULL, checkpointer_run, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		pthread_cond_destroy(&c->wake);
		pthread_mutex_destroy(&c->lock);
		free(c);
		return -1;
	}
	pthread_setname_np(c->thread, "mc-checkpoint");
	st->ckpt = c;
	/* Replaces SQLite's own hook, the automatic checkpoint in commits. */
	sqlite3_wal_hook(st->db, on_wal_commit, c);
	return 0;
}

static void checkpointer_stop(struct mc_store *st)
{
	struct checkpointer *c = st->ckpt;

	if (!c)
		return;
	if (st->db)
		sqlite3_wal_autocheckpoint(st->db, MC_STORE_CHECKPOINT_PAGES);
	pthread_mutex_lock(&c->lock);
	c->stop = true;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
	st->ckpt_done += atomic_load(&c->done);
	st->ckpt_failed += atomic_load(&c->failed);
	st->ckpt_on_loop += c->on_loop;
	if (c->wal_fd >= 0)
		close(c->wal_fd);
	pthread_cond_destroy(&c->wake);
	pthread_mutex_destroy(&c->lock);
	free(c);
	st->ckpt = NULL;
}

/* Writes zeros into the WAL from its end up to MC_STORE_WAL_AHEAD_PAGES
 * frames, and syncs them. A commit then overwrites blocks the file system
 * has already allocated, so its fdatasync flushes data only; appending
 * also commits the file's new size to the file system's journal (ext4
 * here, 5-frame writes, interleaved: 0.50 against 0.66 ms a sync on a
 * quiet machine, 0.25 against 0.45 ms under load). Zeros are never a
 * valid frame (no magic, no salt), so recovery stops where the real frames
 * end. Only ever past the file's end, and under SQLite's write lock (an
 * empty write transaction), so no other connection or process appends
 * meanwhile: nothing that was written is touched. Out of space (or a file
 * size limit), the file is cut back to its size: commits then append as
 * before. */
unsigned long mc_store_write_ahead(struct mc_store *st)
{
	char wal[600], err[200];
	sqlite3_stmt *s;
	long long psz = 0;

	if (sqlite3_prepare_v2(st->db, "PRAGMA page_size", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		psz = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	st->ahead_asked = true;
	if (st->wal_ahead || psz <= 0 || exec(st, "BEGIN IMMEDIATE", err, sizeof(err)))
		return 0; /* done, or another writer holds the lock: commits append */
	snprintf(wal, sizeof(wal), "%s-wal", st->path);
	int fd = open(wal, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		exec(st, "ROLLBACK", err, sizeof(err));
		return 0; /* no WAL (not in WAL mode): nothing to do */
	}
	struct stat sb;
	off_t want = 32 + (off_t)MC_STORE_WAL_AHEAD_PAGES * (24 + psz), at;
	char *zeros = NULL;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || sb.st_size >= want ||
	    !(zeros = calloc(1, 65536)))
		goto out;
	for (at = sb.st_size; at < want;) {
		size_t n = want - at < 65536 ? (size_t)(want - at) : 65536;
		ssize_t w = pwrite(fd, zeros, n, at);
		if (w <= 0)
			break;
		at += w;
	}
	if (at < want || fdatasync(fd) < 0) {
		if (ftruncate(fd, sb.st_size) == 0)
			fdatasync(fd);
	} else {
		st->wal_ahead = (unsigned long)(want - sb.st_size);
	}
out:
	free(zeros);
	close(fd);
	exec(st, "ROLLBACK", err, sizeof(err));
	return st->wal_ahead;
}

int mc_store_checkpoint_in_thread(struct mc_store *st)
{
	if (st->ckpt)
		return 0;
	if (checkpointer_start(st) < 0)
		return -1;
	st->bg_checkpoint = true;
	return 0;
}

void mc_store_checkpoints(const struct mc_store *st, struct mc_store_checkpoints *out)
{
	out->done = st->ckpt_done + (st->ckpt ? atomic_load(&st->ckpt->done) : 0);
	out->failed = st->ckpt_failed + (st->ckpt ? atomic_load(&st->ckpt->failed) : 0);
	out->on_loop = st->ckpt_on_loop + (st->ckpt ? st->ckpt->on_loop : 0);
	out->wal_ahead = st->wal_ahead;
	int trouble = st->ckpt ? atomic_load(&st->ckpt->trouble) : 0;
	out->trouble = trouble ? sqlite3_errstr(trouble) : NULL;
	out->wal_pages = st->ckpt ? st->ckpt->pages_seen : 0;
}

void mc_store_disk_note(const struct mc_store *st, char *text, size_t len)
{
	long long room = mc_store_disk_free(st);
	size_t n = strlen(text);

	if (room >= 0 && room < MC_STORE_DISK_LOW && n + 1 < len)
		snprintf(text + n, len - n, " — đĩa đầy: còn trống %lld KB / the disk is full: %lld KB free",
			 room / 1024, room / 1024);
}

long long mc_store_disk_free(const struct mc_store *st)
{
	struct statvfs v;

	if (statvfs(st->path, &v) < 0)
		return -1;
	/* What kioskd may still write: root also has the blocks a file
	 * system keeps back for it. */
	return (long long)(geteuid() == 0 ? v.f_bfree : v.f_bavail) * (long long)v.f_frsize;
}

const char *mc_store_id(const struct mc_store *s)
{
	return s->id;
}

int mc_store_renew_id(struct mc_store *s)
{
	char id[33], sql[128], err[200];

	if (random_id(id) < 0)
		return -1;
	snprintf(sql, sizeof(sql), "BEGIN IMMEDIATE; INSERT OR REPLACE INTO meta VALUES ('store_id', '%s'); COMMIT", id);
	if (exec(s, sql, err, sizeof(err))) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		errno = EIO;
		return -1;
	}
	memcpy(s->id, id, sizeof(s->id));
	return write_marker(s);
}

/* ---- still our files --------------------------------------------------- */

static bool same_file(const char *path, dev_t dev, ino_t ino)
{
	struct stat sb;

	return stat(path, &sb) == 0 && sb.st_dev == dev && sb.st_ino == ino;
}

/* Copies the open database (with what its WAL holds) to a new file to. */
static int copy_open_db(struct mc_store *st, const char *to, char *err, size_t errlen)
{
	sqlite3 *dst = NULL;
	sqlite3_backup *b;
	char tmp[600];
	int rc;

	snprintf(tmp, sizeof(tmp), "%s.saving", to);
	unlink(tmp);
	if (sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
		goto err;
	b = sqlite3_backup_init(dst, "main", st->db, "main");
	if (!b)
		goto err;
	rc = sqlite3_backup_step(b, -1);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE)
		goto err;
	sqlite3_close(dst);
	dst = NULL;
	if (rename(tmp, to) < 0) {
		snprintf(err, errlen, "cannot save the database to %s: %s", to, strerror(errno));
		return -1;
	}
	return 0;
err:
	snprintf(err, errlen, "cannot save the database to %s: %s", to,
		 dst ? sqlite3_errmsg(dst) : "out of memory");
	sqlite3_close(dst);
	unlink(tmp);
	return -1;
}

int mc_store_check_files(struct mc_store *st, char *err, size_t errlen)
{
	char wal[600];

	if (st->lost[0]) {
		snprintf(err, errlen, "%s", st->lost);
		return -1;
	}
	snprintf(wal, sizeof(wal), "%s-wal", st->path);
	bool db_ok = same_file(st->path, st->db_dev, st->db_ino);
	if (!st->have_wal && db_ok) {
		note_files(st);
		return 0;
	}
	bool wal_ok = same_file(wal, st->wal_dev, st->wal_ino);
	if (db_ok && wal_ok)
		return 0;
	if (db_ok) {
		/* The WAL was unlinked or replaced: what it held reaches the
		 * database file through the open handle. */
		sqlite3_stmt *s;
		int busy = 1;
		if (sqlite3_prepare_v2(st->db, "PRAGMA wal_checkpoint(TRUNCATE)", -1, &s, NULL) == SQLITE_OK) {
			if (sqlite3_step(s) == SQLITE_ROW)
				busy = sqlite3_column_int(s, 0);
			sqlite3_finalize(s);
		}
		if (busy) {
			snprintf(err, errlen, "the WAL file %s was removed under kioskd and saving it is not "
				 "finished yet (%s); no tickets until it is", wal, sqlite3_errmsg(st->db));
			return -1;
		}
	} else {
		struct stat sb;
		char to[640];
		if (stat(st->path, &sb) == 0) {
			/* Replaced by another file: keep ours beside it, trust neither. */
			snprintf(to, sizeof(to), "%s.saved-%lld", st->path, (long long)time(NULL));
			if (copy_open_db(st, to, err, errlen) == 0)
				snprintf(err, errlen, "%s was replaced under kioskd; what kioskd held is saved in "
					 "%s: stop kioskd, put the right file in place, start it again", st->path, to);
			snprintf(st->lost, sizeof(st->lost), "%s", err);
			return -1;
		}
		if (copy_open_db(st, st->path, err, errlen) < 0)
			return -1;
	}
	close_db(st);
	if (open_db(st, MC_STORE_ANY, err, errlen) < 0)
		return -1;
	/* The new WAL starts empty: without this, every commit would grow
	 * it again until the next start. */
	if (st->ahead_asked) {
		st->wal_ahead = 0;
		mc_store_write_ahead(st);
	}
	return 1;
}

int mc_store_schema_version(struct mc_store *st)
{
	return st->version;
}

int mc_store_layout(const struct mc_store *st, const char **why)
{
	if (why)
		*why = st->layout_why;
	return st->layout;
}

static const char *service_key(const struct mc_config *cfg, int i)
{
	return i >= 0 && i < cfg->nservices ? cfg->services[i].key : "?";
}

static int put_ticket(struct mc_store *st, const struct mc_config *cfg, const struct mc_ticket *t)
{
	sqlite3_stmt *s = st->put_ticket;
	char day[16];
	int i = 1;

	mc_format_day(t->day, day, sizeof(day));
	sqlite3_reset(s);
	sqlite3_bind_int64(s, i++, t->id);
	sqlite3_bind_text(s, i++, service_key(cfg, t->service), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, i++, service_key(cfg, t->cur_service), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, i++, day, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, i++, t->round);
	sqlite3_bind_int(s, i++, t->number);
	sqlite3_bind_text(s, i++, t->label, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, i++, t->priority);
	sqlite3_bind_text(s, i++, mc_ticket_status_name(t->status), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, i++, mc_print_status_name(t->print), -1, SQLITE_STATIC);
	sqlite3_bind_int(s, i++, t->counter);
	sqlite3_bind_int(s, i++, t->clerk);
	sqlite3_bind_int(s, i++, t->rating);
	sqlite3_bind_int(s, i++, t->transfers);
	sqlite3_bind_int64(s, i++, t->issued_wall);
	sqlite3_bind_int64(s, i++, t->called_wall);
	sqlite3_bind_int64(s, i++, t->finished_wall);
	sqlite3_bind_int64(s, i++, t->issued_mono);
	sqlite3_bind_int64(s, i++, t->called_mono);
	sqlite3_bind_int64(s, i++, t->finished_mono);
	sqlite3_bind_int64(s, i++, t->issued_boot);
	sqlite3_bind_int64(s, i++, t->called_boot);
	sqlite3_bind_int64(s, i++, t->finished_boot);
	sqlite3_bind_int64(s, i++, t->wait_ms);
	sqlite3_bind_int64(s, i++, t->service_ms);
	return sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
}

static int put_counter(struct mc_store *st, const struct mc_counter_state *c)
{
	sqlite3_stmt *s = st->put_counter;

	sqlite3_reset(s);
	sqlite3_bind_int(s, 1, c->number);
	sqlite3_bind_int64(s, 2, c->current);
	sqlite3_bind_int64(s, 3, c->last_served);
	sqlite3_bind_int(s, 4, c->paused);
	sqlite3_bind_int(s, 5, c->clerk);
	sqlite3_bind_int(s, 6, c->normals);
	return sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
}

static int add_event(struct mc_store *st, const struct mc_config *cfg, const struct mc_changes *ch,
		     const struct mc_event *ev, const char *day)
{
	sqlite3_stmt *s = st->add_event;
	char detail[MC_SCALE_TEXT] = "";

	/* A rating carries its scale, so a later change of scale leaves the
	 * meaning of this one alone. */
	if (ev->kind == MC_EV_RATE)
		mc_scale_format(&cfg->satisfaction.scale, detail, sizeof(detail));
	else if (ev->kind == MC_EV_TRANSFER)
		snprintf(detail, sizeof(detail), "%s", service_key(cfg, ev->value));
	else if (ev->kind == MC_EV_ROLLOVER)
		mc_format_day(ev->value, detail, sizeof(detail));
	sqlite3_reset(s);
	sqlite3_bind_int64(s, 1, ch->when.wall_ms);
	sqlite3_bind_int64(s, 2, ch->when.mono_ms);
	sqlite3_bind_int64(s, 3, ch->when.boot);
	sqlite3_bind_text(s, 4, day, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, mc_event_kind_name(ev->kind), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, ev->ticket);
	sqlite3_bind_int(s, 7, ev->counter);
	sqlite3_bind_int(s, 8, ev->clerk);
	sqlite3_bind_int(s, 9, ev->value);
	sqlite3_bind_text(s, 10, detail, -1, SQLITE_TRANSIENT);
	return sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
}

/* Runs a prepared statement that returns no rows (BEGIN, COMMIT,
 * ROLLBACK). Returns SQLITE_OK or its error (sqlite3_errcode agrees). */
static int run(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* errno for the last SQLite failure. */
static int sql_errno(struct mc_store *st)
{
	switch (sqlite3_errcode(st->db)) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return EBUSY;
	case SQLITE_FULL:
		return ENOSPC;
	default:
		return EIO;
	}
}

static int put_set(struct mc_store *st, const struct mc_config *cfg, const struct mc_changes *ch)
{
	char day[16];

	mc_format_day(ch->day, day, sizeof(day));
	for (size_t i = 0; i < ch->ntickets; i++)
		if (put_ticket(st, cfg, &ch->tickets[i]))
			return -1;
	for (size_t i = 0; i < ch->ncounters; i++)
		if (put_counter(st, &ch->counters[i]))
			return -1;
	for (size_t i = 0; i < ch->nevents; i++)
		if (add_event(st, cfg, ch, &ch->events[i], day))
			return -1;
	/* The day row only when it changes: rewriting it (a page of meta and
	 * one of its key index) was 2 of the 7 pages every press wrote. What
	 * the row holds now: this transaction's last write, else the saved. */
	if (!strcmp(day, st->day_pending[0] ? st->day_pending : st->day_saved))
		return 0;
	sqlite3_reset(st->put_day);
	sqlite3_bind_text(st->put_day, 1, day, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st->put_day) != SQLITE_DONE)
		return -1;
	snprintf(st->day_pending, sizeof(st->day_pending), "%s", day);
	return 0;
}

int mc_store_commit_many(struct mc_store *st, const struct mc_config *cfg,
			 const struct mc_changes *const *sets, size_t n, char *err, size_t errlen)
{
	bool any = false;
	int e;

	for (size_t k = 0; k < n; k++)
		any |= sets[k]->ntickets || sets[k]->ncounters || sets[k]->nevents;
	if (!any)
		return 0;
	if (run(st->begin) != SQLITE_OK) {
		e = sql_errno(st);
		db_fail(st, err, errlen, "commit");
		errno = e;
		return -1;
	}
	st->day_pending[0] = 0;
	for (size_t k = 0; k < n; k++)
		if ((sets[k]->ntickets || sets[k]->ncounters || sets[k]->nevents) && put_set(st, cfg, sets[k]))
			goto err_rollback;
	if (run(st->commit) != SQLITE_OK)
		goto err_rollback;
	if (st->day_pending[0])
		memcpy(st->day_saved, st->day_pending, sizeof(st->day_saved));
	return 0;

err_rollback:
	st->day_pending[0] = 0;
	e = sql_errno(st);
	db_fail(st, err, errlen, "commit");
	run(st->rollback);
	errno = e;
	return -1;
}

int mc_store_commit(struct mc_store *st, const struct mc_config *cfg,
		    const struct mc_changes *ch, char *err, size_t errlen)
{
	return mc_store_commit_many(st, cfg, &ch, 1, err, errlen);
}

/* Reads a ticket row in table column order. */
static void read_ticket(sqlite3_stmt *s, const struct mc_config *cfg, struct mc_store_ticket *out)
{
	struct mc_ticket *t = &out->t;
	int i = 0;

	memset(out, 0, sizeof(*out));
	t->id = sqlite3_column_int64(s, i++);
	out->service = (const char *)sqlite3_column_text(s, i++);
	out->cur_service = (const char *)sqlite3_column_text(s, i++);
	t->service = mc_config_service_index(cfg, out->service);
	t->cur_service = mc_config_service_index(cfg, out->cur_service);
	if (mc_parse_day((const char *)sqlite3_column_text(s, i++), &t->day) < 0)
		t->day = 0;
	t->round = sqlite3_column_int(s, i++);
	t->number = sqlite3_column_int(s, i++);
	snprintf(t->label, sizeof(t->label), "%s", (const char *)sqlite3_column_text(s, i++));
	t->priority = sqlite3_column_int(s, i++) != 0;
	int st = mc_ticket_status_from_name((const char *)sqlite3_column_text(s, i++));
	t->status = st < 0 ? MC_T_VOIDED : (enum mc_ticket_status)st;
	int ps = mc_print_status_from_name((const char *)sqlite3_column_text(s, i++));
	/* A print state this firmware does not know may be on paper: in doubt,
	 * callable (DESIGN §2). */
	t->print = ps < 0 ? MC_P_IN_DOUBT : (enum mc_print_status)ps;
	t->counter = sqlite3_column_int(s, i++);
	t->clerk = sqlite3_column_int(s, i++);
	t->rating = sqlite3_column_int(s, i++);
	t->transfers = sqlite3_column_int(s, i++);
	t->issued_wall = sqlite3_column_int64(s, i++);
	t->called_wall = sqlite3_column_int64(s, i++);
	t->finished_wall = sqlite3_column_int64(s, i++);
	t->issued_mono = sqlite3_column_int64(s, i++);
	t->called_mono = sqlite3_column_int64(s, i++);
	t->finished_mono = sqlite3_column_int64(s, i++);
	t->issued_boot = sqlite3_column_int64(s, i++);
	t->called_boot = sqlite3_column_int64(s, i++);
	t->finished_boot = sqlite3_column_int64(s, i++);
	t->wait_ms = sqlite3_column_int64(s, i++);
	t->service_ms = sqlite3_column_int64(s, i++);
}

int mc_store_load(struct mc_store *st, const struct mc_config *cfg, struct mc_engine *e,
		  const struct mc_when *now, int *skipped, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	int32_t day = 0;
	int64_t next_id = 1;
	struct mc_changes ch = { 0 };
	char dtext[16];

	*skipped = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = 'day'", -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, err, errlen, "load day");
	if (sqlite3_step(s) == SQLITE_ROW && mc_parse_day((const char *)sqlite3_column_text(s, 0), &day) < 0)
		day = 0;
	sqlite3_finalize(s);
	if (sqlite3_prepare_v2(st->db, "SELECT COALESCE(MAX(id), 0) + 1 FROM tickets", -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, err, errlen, "load ids");
	if (sqlite3_step(s) == SQLITE_ROW)
		next_id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	mc_engine_restore_begin(e, day, next_id);

	mc_format_day(day, dtext, sizeof(dtext));
	if (sqlite3_prepare_v2(st->db,
			       "SELECT * FROM tickets WHERE day = ?1 OR (day < ?1 AND status IN ('waiting','called'))"
			       " ORDER BY id", -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, err, errlen, "load tickets");
	sqlite3_bind_text(s, 1, dtext, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct mc_store_ticket row;
		read_ticket(s, cfg, &row);
		if (row.t.service < 0 || row.t.cur_service < 0) {
			(*skipped)++;
			continue;
		}
		if (mc_engine_restore_ticket(e, &row.t) < 0) {
			sqlite3_finalize(s);
			snprintf(err, errlen, "load tickets: out of memory");
			return -1;
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return db_fail(st, err, errlen, "load tickets");

	if (sqlite3_prepare_v2(st->db, "SELECT * FROM counters", -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, err, errlen, "load counters");
	while (sqlite3_step(s) == SQLITE_ROW) {
		struct mc_counter_state c = {
			.number = sqlite3_column_int(s, 0),
			.current = sqlite3_column_int64(s, 1),
			.last_served = sqlite3_column_int64(s, 2),
			.paused = sqlite3_column_int(s, 3) != 0,
			.clerk = sqlite3_column_int(s, 4),
			.normals = sqlite3_column_int(s, 5),
		};
		mc_engine_restore_counter(e, &c);
	}
	sqlite3_finalize(s);

	if (mc_engine_restore_end(e, now, &ch) < 0) {
		mc_changes_free(&ch);
		snprintf(err, errlen, "restore: out of memory");
		return -1;
	}
	sqlite3_busy_timeout(st->db, 5000); /* a cold start may wait */
	rc = mc_store_commit(st, cfg, &ch, err, errlen);
	sqlite3_busy_timeout(st->db, MC_STORE_BUSY_MS);
	mc_changes_free(&ch);
	return rc;
}

int mc_store_each_ticket(struct mc_store *st, const struct mc_config *cfg, int32_t day,
			 int (*fn)(const struct mc_store_ticket *t, void *ctx), void *ctx,
			 char *err, size_t errlen)
{
	sqlite3_stmt *s;
	char dtext[16];
	int rc;

	mc_format_day(day, dtext, sizeof(dtext));
	if (sqlite3_prepare_v2(st->db, "SELECT * FROM tickets WHERE day = ? ORDER BY id", -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, err, errlen, "tickets");
	sqlite3_bind_text(s, 1, dtext, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct mc_store_ticket row;
		read_ticket(s, cfg, &row);
		if (fn(&row, ctx))
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		db_fail(st, err, errlen, "tickets");
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_finalize(s);
	return 0;
}
