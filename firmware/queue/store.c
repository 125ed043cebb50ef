/* store.c — SQLite persistence of tickets, counters and events (see store.h). */
#include "store.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <sys/random.h>
#include <stdlib.h>
#include <string.h>

struct mc_store {
	sqlite3 *db;               /* the open database */
	sqlite3_stmt *put_ticket;  /* upsert a ticket row by id */
	sqlite3_stmt *put_counter; /* INSERT OR REPLACE a counter row */
	sqlite3_stmt *add_event;   /* INSERT an event */
	sqlite3_stmt *put_day;     /* the engine's day */
	int version;               /* schema version after migration */
	char id[33];               /* store id, 32 hex digits */
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

/* 16 random bytes as 32 lowercase hex digits into out[33]. */
static int random_id(char *out)
{
	unsigned char b[16];
	size_t got = 0;

	while (got < sizeof(b)) {
		ssize_t n = getrandom(b + got, sizeof(b) - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)n;
	}
	for (size_t i = 0; i < sizeof(b); i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
	return 0;
}

/* Writes id as the store id (inside the caller's transaction). */
static int put_id(struct mc_store *st, const char *id)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO meta VALUES ('store_id', ?)", -1, &s,
			       NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(s);
	return rc;
}

/* Reads the store id, creating it when the database has none. */
static int load_id(struct mc_store *st, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	char id[33] = "";

	if (exec(st, "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)", err, errlen))
		return -1;
	if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = 'store_id'", -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, err, errlen, "store id");
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_bytes(s, 0) == 32)
		snprintf(id, sizeof(id), "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	if (!id[0]) {
		if (random_id(id)) {
			snprintf(err, errlen, "store id: no random bytes");
			return -1;
		}
		if (exec(st, "BEGIN IMMEDIATE", err, errlen))
			return -1;
		if (put_id(st, id) || sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
			db_fail(st, err, errlen, "store id");
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
	}
	memcpy(st->id, id, sizeof(st->id));
	return 0;
}

const char *mc_store_id(const struct mc_store *st)
{
	return st->id;
}

int mc_store_renew_id(struct mc_store *st)
{
	char id[33];

	if (random_id(id))
		return -1;
	if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	if (put_id(st, id) || sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	memcpy(st->id, id, sizeof(st->id));
	return 0;
}

struct mc_store *mc_store_open(const char *path, char *err, size_t errlen)
{
	struct mc_store *st = calloc(1, sizeof(*st));

	if (!st) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s", path,
			 st->db ? sqlite3_errmsg(st->db) : "out of memory");
		goto err_close;
	}
	sqlite3_busy_timeout(st->db, 2000);
	if (exec(st, "PRAGMA journal_mode=WAL", err, errlen) ||
	    exec(st, "PRAGMA synchronous=FULL", err, errlen) ||
	    exec(st, "PRAGMA foreign_keys=ON", err, errlen))
		goto err_close;
	if (migrate(st, err, errlen) || load_id(st, err, errlen))
		goto err_close;
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
			       &st->put_day, NULL) != SQLITE_OK) {
		db_fail(st, err, errlen, "prepare");
		goto err_close;
	}
	return st;

err_close:
	mc_store_close(st);
	return NULL;
}

void mc_store_close(struct mc_store *st)
{
	if (!st)
		return;
	sqlite3_finalize(st->put_ticket);
	sqlite3_finalize(st->put_counter);
	sqlite3_finalize(st->add_event);
	sqlite3_finalize(st->put_day);
	sqlite3_close(st->db);
	free(st);
}

int mc_store_schema_version(struct mc_store *st)
{
	return st->version;
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

int mc_store_commit(struct mc_store *st, const struct mc_config *cfg,
		    const struct mc_changes *ch, char *err, size_t errlen)
{
	char day[16];

	if (!ch->ntickets && !ch->ncounters && !ch->nevents)
		return 0;
	mc_format_day(ch->day, day, sizeof(day));
	if (exec(st, "BEGIN IMMEDIATE", err, errlen))
		return -1;
	for (size_t i = 0; i < ch->ntickets; i++)
		if (put_ticket(st, cfg, &ch->tickets[i]))
			goto err_rollback;
	for (size_t i = 0; i < ch->ncounters; i++)
		if (put_counter(st, &ch->counters[i]))
			goto err_rollback;
	for (size_t i = 0; i < ch->nevents; i++)
		if (add_event(st, cfg, ch, &ch->events[i], day))
			goto err_rollback;
	sqlite3_reset(st->put_day);
	sqlite3_bind_text(st->put_day, 1, day, -1, SQLITE_STATIC);
	if (sqlite3_step(st->put_day) != SQLITE_DONE)
		goto err_rollback;
	if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto err_rollback;
	return 0;

err_rollback:
	db_fail(st, err, errlen, "commit");
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
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
	t->print = ps < 0 ? MC_P_FAILED : (enum mc_print_status)ps;
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
	rc = mc_store_commit(st, cfg, &ch, err, errlen);
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
