/* uplink.c — the city uplink's thread: SQLite reader, libpq writer (see
 * uplink.h). */
#include "uplink.h"

#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "module.h"

#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS 300000

struct mc_uplink {
	/* Set at start, read-only after. */
	char *db_path, *url, *office, *board;
	int interval_ms, batch;
	int (*renew)(void *ctx, char *id);
	void *renew_ctx;
	pthread_t thread;

	/* Shared with the loop thread. */
	pthread_mutex_t lock;
	pthread_cond_t wake;        /* stop requests */
	bool stop;                  /* the thread should end */
	struct mc_uplink_status st; /* what status shows */

	/* The thread's own. */
	sqlite3 *ro;                /* read-only reader of the store */
	sqlite3 *rw;                /* writer of uplink_state only */
	PGconn *pg;                 /* central session, NULL when down */
	char store_id[33];          /* store id shipped under */
	int64_t hwm;                /* newest acknowledged event */
	bool scales;                /* the city keeps each rating's scale (schema 2) */
	bool restores;              /* the city links restored stores (schema 3) */
};

/* A growing byte buffer for COPY data. */
struct buf {
	char *p;
	size_t n, cap;
};

static int buf_put(struct buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->n + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = 0;
	return 0;
}

static int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int buf_printf(struct buf *b, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -1;
	return buf_put(b, tmp, (size_t)n);
}

/* A text field in COPY's text format: backslash escapes. */
static int buf_text(struct buf *b, const char *s)
{
	for (; s && *s; s++) {
		const char *e = *s == '\\' ? "\\\\" : *s == '\t' ? "\\t" : *s == '\n' ? "\\n" : *s == '\r' ? "\\r" : NULL;
		if (e ? buf_put(b, e, 2) : buf_put(b, s, 1))
			return -1;
	}
	return 0;
}

/* ---- status ------------------------------------------------------------- */

static int64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void set_state(struct mc_uplink *u, const char *state)
{
	pthread_mutex_lock(&u->lock);
	snprintf(u->st.state, sizeof(u->st.state), "%s", state);
	pthread_mutex_unlock(&u->lock);
}

/* Records a failure (message without libpq's trailing newline). */
static void set_error(struct mc_uplink *u, const char *what, const char *msg, int64_t retry_ms)
{
	char text[256];
	snprintf(text, sizeof(text), "%s: %s", what, msg ? msg : "");
	size_t n = strlen(text);
	while (n && (text[n - 1] == '\n' || text[n - 1] == ' '))
		text[--n] = 0;
	pthread_mutex_lock(&u->lock);
	bool first = !u->st.failures;
	snprintf(u->st.state, sizeof(u->st.state), "offline");
	snprintf(u->st.error, sizeof(u->st.error), "%s", text);
	u->st.failures++;
	u->st.retry_ms = retry_ms;
	pthread_mutex_unlock(&u->lock);
	if (first)
		mc_log(MC_LOG_WARNING, "uplink: %s (retrying with back-off; events wait in the local log)", text);
}

/* Sleeps ms or until stop; returns true when stopping. */
static bool pause_ms(struct mc_uplink *u, int64_t ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)(ms / 1000);
	ts.tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&u->lock);
	while (!u->stop && pthread_cond_timedwait(&u->wake, &u->lock, &ts) != ETIMEDOUT)
		;
	bool stop = u->stop;
	pthread_mutex_unlock(&u->lock);
	return stop;
}

/* ---- the local store ----------------------------------------------------- */

static int open_local(struct mc_uplink *u, char *err, size_t errlen)
{
	char uri[1200];
	size_t o = (size_t)snprintf(uri, sizeof(uri), "file:");
	for (const unsigned char *p = (const unsigned char *)u->db_path; *p && o + 4 < sizeof(uri); p++) {
		if (*p == '%' || *p == '?' || *p == '#')
			o += (size_t)snprintf(uri + o, sizeof(uri) - o, "%%%02X", *p);
		else
			uri[o++] = (char)*p;
	}
	uri[o] = 0;
	snprintf(uri + o, sizeof(uri) - o, "?mode=ro");
	if (sqlite3_open_v2(uri, &u->ro, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    sqlite3_open_v2(u->db_path, &u->rw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s", u->db_path,
			 u->rw ? sqlite3_errmsg(u->rw) : u->ro ? sqlite3_errmsg(u->ro) : "out of memory");
		return -1;
	}
	sqlite3_busy_timeout(u->ro, 5000);
	sqlite3_busy_timeout(u->rw, 5000);
	if (sqlite3_exec(u->rw, "PRAGMA synchronous=FULL;"
			 "CREATE TABLE IF NOT EXISTS uplink_state (store_id TEXT PRIMARY KEY,"
			 " hwm INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
			 /* Restores this database went through: store_id (or
			  * 'pending' until the new id is known) was restored from
			  * from_store, sharing its events up to at_event and its
			  * tickets up to max_ticket. */
			 "CREATE TABLE IF NOT EXISTS uplink_restore (store_id TEXT PRIMARY KEY,"
			 " from_store TEXT NOT NULL, at_event INTEGER NOT NULL, max_ticket INTEGER NOT NULL)",
			 NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "uplink_state: %s", sqlite3_errmsg(u->rw));
		return -1;
	}
	return 0;
}

static int64_t local_int(sqlite3 *db, const char *sql, const char *arg, int64_t arg2, int64_t dflt)
{
	sqlite3_stmt *s;
	int64_t v = dflt;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return dflt;
	if (sqlite3_bind_parameter_count(s) && arg)
		sqlite3_bind_text(s, 1, arg, -1, SQLITE_STATIC);
	else if (sqlite3_bind_parameter_count(s))
		sqlite3_bind_int64(s, 1, arg2);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* Reads the store id; 0 or -1. */
static int read_store_id(struct mc_uplink *u, char *id)
{
	sqlite3_stmt *s;
	int rc = -1;

	if (sqlite3_prepare_v2(u->ro, "SELECT value FROM meta WHERE key = 'store_id'", -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_bytes(s, 0) == 32) {
		memcpy(id, sqlite3_column_text(s, 0), 32);
		id[32] = 0;
		rc = 0;
	}
	sqlite3_finalize(s);
	return rc;
}

/* Records the high-water mark of store id. A failure only means a resend
 * later (harmless); it is logged. The mark is committed without its own
 * fsync (synchronous=NORMAL for this one statement; the next ticket's FULL
 * commit syncs the WAL it is in): a mark lost to a power cut only resends
 * events the city already holds under the same key, while an fsync'd mark
 * kept kioskd's write lock for a whole fsync after every batch, and a press
 * that met it waited for it. Restore facts stay fully synced. */
static void save_hwm(struct mc_uplink *u, const char *id, int64_t hwm)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(u->rw, "INSERT OR REPLACE INTO uplink_state VALUES (?, ?, ?)", -1, &s, NULL) != SQLITE_OK) {
		mc_log(MC_LOG_WARNING, "uplink: cannot record the mark: %s", sqlite3_errmsg(u->rw));
		return;
	}
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, hwm);
	sqlite3_bind_int64(s, 3, wall_ms());
	sqlite3_exec(u->rw, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
	if (sqlite3_step(s) != SQLITE_DONE)
		mc_log(MC_LOG_WARNING, "uplink: cannot record the mark: %s", sqlite3_errmsg(u->rw));
	sqlite3_finalize(s);
	sqlite3_exec(u->rw, "PRAGMA synchronous=FULL", NULL, NULL, NULL);
}

/* ---- the central session -------------------------------------------------- */

static PGresult *pg_exec(struct mc_uplink *u, const char *sql, int n, const char *const *params)
{
	PGresult *r = PQexecParams(u->pg, sql, n, NULL, params, NULL, NULL, 0);
	ExecStatusType t = PQresultStatus(r);

	if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK) {
		set_error(u, "central", PQresultErrorMessage(r), 0);
		PQclear(r);
		return NULL;
	}
	return r;
}

static int pg_run(struct mc_uplink *u, const char *sql, int n, const char *const *params)
{
	PGresult *r = pg_exec(u, sql, n, params);
	PQclear(r);
	return r ? 0 : -1;
}

/* Streams data into a COPY ... FROM STDIN that sql starts. */
static int pg_copy(struct mc_uplink *u, const char *sql, const struct buf *b)
{
	PGresult *r = PQexec(u->pg, sql);
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		set_error(u, "central copy", PQresultErrorMessage(r), 0);
		PQclear(r);
		return -1;
	}
	PQclear(r);
	if ((b->n && PQputCopyData(u->pg, b->p, (int)b->n) != 1) || PQputCopyEnd(u->pg, NULL) != 1) {
		set_error(u, "central copy", PQerrorMessage(u->pg), 0);
		return -1;
	}
	r = PQgetResult(u->pg);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		set_error(u, "central copy", PQresultErrorMessage(r), 0);
	PQclear(r);
	while ((r = PQgetResult(u->pg)))
		PQclear(r);
	return ok ? 0 : -1;
}

/* Whether local event k is the city's event k of store id (time, kind
 * and ticket); -1 on a central error. */
static int same_event(struct mc_uplink *u, const char *id, int64_t k)
{
	char ks[24];
	snprintf(ks, sizeof(ks), "%" PRId64, k);
	const char *p[3] = { u->office, id, ks };
	PGresult *r = pg_exec(u, "SELECT at_ms, kind, ticket FROM motcua.events"
			      " WHERE office = $1 AND store_id = $2 AND event_id = $3", 3, p);
	sqlite3_stmt *s;
	int same = 0;

	if (!r)
		return -1;
	if (PQntuples(r) == 1 &&
	    sqlite3_prepare_v2(u->ro, "SELECT at, kind, ticket FROM events WHERE id = ?", -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, k);
		if (sqlite3_step(s) == SQLITE_ROW)
			same = sqlite3_column_int64(s, 0) == strtoll(PQgetvalue(r, 0, 0), NULL, 10) &&
			       !strcmp((const char *)sqlite3_column_text(s, 1), PQgetvalue(r, 0, 1)) &&
			       sqlite3_column_int64(s, 2) == strtoll(PQgetvalue(r, 0, 2), NULL, 10);
		sqlite3_finalize(s);
	}
	PQclear(r);
	return same;
}

/* The newest event a restored database shares with the city's log of
 * store id: a backup is a prefix of that log, so the events that match
 * are exactly those up to some k in [lo, hi] (lo is known to match, or
 * 0): found by bisection. -1 on a central error. */
static int64_t fork_point(struct mc_uplink *u, const char *id, int64_t lo, int64_t hi)
{
	while (lo < hi) {
		int64_t mid = lo + (hi - lo + 1) / 2;
		int same = same_event(u, id, mid);
		if (same < 0)
			return -1;
		if (same)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/* Records (locally) the restore fact of the store id just given, or
 * 'pending' before it is known. */
static void save_restore(struct mc_uplink *u, const char *store, const char *from, int64_t at, int64_t max_ticket)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(u->rw, "INSERT OR REPLACE INTO uplink_restore VALUES (?, ?, ?, ?)", -1, &s, NULL) != SQLITE_OK) {
		mc_log(MC_LOG_WARNING, "uplink: cannot record the restore: %s", sqlite3_errmsg(u->rw));
		return;
	}
	sqlite3_bind_text(s, 1, store, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, from, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, at);
	sqlite3_bind_int64(s, 4, max_ticket);
	if (sqlite3_step(s) != SQLITE_DONE)
		mc_log(MC_LOG_WARNING, "uplink: cannot record the restore: %s", sqlite3_errmsg(u->rw));
	sqlite3_finalize(s);
}

/* Sends the restore facts this database holds (idempotent in the city);
 * a 'pending' one whose renewal finished before a crash is given the
 * current store id first. */
static int send_restores(struct mc_uplink *u, const char *id)
{
	sqlite3_stmt *s;
	int rc = 0;

	if (sqlite3_prepare_v2(u->rw, "UPDATE uplink_restore SET store_id = ?1 WHERE store_id = 'pending'"
			       " AND from_store <> ?1", -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
		sqlite3_step(s);
		sqlite3_finalize(s);
	}
	if (!u->restores)
		return 0;
	if (sqlite3_prepare_v2(u->ro, "SELECT store_id, from_store, at_event, max_ticket FROM uplink_restore"
			       " WHERE store_id <> 'pending'", -1, &s, NULL) != SQLITE_OK)
		return 0; /* an older database without the table */
	while (!rc && sqlite3_step(s) == SQLITE_ROW) {
		char at[24], mt[24];
		snprintf(at, sizeof(at), "%lld", (long long)sqlite3_column_int64(s, 2));
		snprintf(mt, sizeof(mt), "%lld", (long long)sqlite3_column_int64(s, 3));
		const char *p[4] = { (const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1), at, mt };
		rc = pg_run(u, "SELECT motcua.put_restore($1, $2, $3::bigint, $4::bigint)", 4, p);
	}
	sqlite3_finalize(s);
	return rc;
}

/* Checks the city's newest event of this store id against the local log
 * and settles the high-water mark, renewing the store id after a restore. */
static int reconcile(struct mc_uplink *u)
{
	char id[33];

	if (read_store_id(u, id) < 0) {
		set_error(u, "store", "the database has no store id", 0);
		return -1;
	}
	int64_t hwm = local_int(u->rw, "SELECT hwm FROM uplink_state WHERE store_id = ?", id, 0, 0);
	const char *p[3] = { u->office, id, NULL };
	PGresult *r = pg_exec(u, "SELECT event_id, at_ms, kind, ticket FROM motcua.events"
			      " WHERE office = $1 AND store_id = $2 ORDER BY event_id DESC LIMIT 1", 2, p);
	if (!r)
		return -1;
	if (PQntuples(r) == 1) {
		int64_t c = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		if (c > hwm) {
			/* Is the city's newest event ours? */
			sqlite3_stmt *s;
			bool same = false;
			if (sqlite3_prepare_v2(u->ro, "SELECT at, kind, ticket FROM events WHERE id = ?", -1, &s, NULL) == SQLITE_OK) {
				sqlite3_bind_int64(s, 1, c);
				if (sqlite3_step(s) == SQLITE_ROW)
					same = sqlite3_column_int64(s, 0) == strtoll(PQgetvalue(r, 0, 1), NULL, 10) &&
					       !strcmp((const char *)sqlite3_column_text(s, 1), PQgetvalue(r, 0, 2)) &&
					       sqlite3_column_int64(s, 2) == strtoll(PQgetvalue(r, 0, 3), NULL, 10);
				sqlite3_finalize(s);
			}
			if (same) {
				/* A commit whose local record was lost (a crash). */
				hwm = c;
				save_hwm(u, id, hwm);
			} else {
				char nid[33];
				/* The events both lives share are in the city under
				 * the old id already: the new id starts after them. */
				int64_t local_max = local_int(u->ro, "SELECT coalesce(max(id), 0) FROM events", NULL, 0, 0);
				int64_t fork = fork_point(u, id, hwm, local_max < c ? local_max : c);
				if (fork < 0) {
					PQclear(r);
					return -1;
				}
				int64_t max_ticket = local_int(u->ro, "SELECT coalesce(max(ticket), 0) FROM events WHERE id <= ?",
							       NULL, fork, 0);
				mc_log(MC_LOG_WARNING, "uplink: the city holds events of store %s up to %" PRId64
				       " but this database shares only %" PRId64 " of them: restored from a backup;"
				       " asking for a new store id", id, c, fork);
				save_restore(u, "pending", id, fork, max_ticket);
				if (!u->renew || u->renew(u->renew_ctx, nid) < 0) {
					PQclear(r);
					set_error(u, "store", "cannot renew the store id of a restored database", 0);
					return -1;
				}
				save_restore(u, nid, id, fork, max_ticket);
				sqlite3_exec(u->rw, "DELETE FROM uplink_restore WHERE store_id = 'pending'", NULL, NULL, NULL);
				hwm = fork;
				save_hwm(u, nid, hwm);
				memcpy(id, nid, sizeof(id));
				pthread_mutex_lock(&u->lock);
				u->st.renewals++;
				pthread_mutex_unlock(&u->lock);
			}
		}
	}
	PQclear(r);
	if (send_restores(u, id) < 0)
		return -1;
	memcpy(u->store_id, id, sizeof(id));
	u->hwm = hwm;
	pthread_mutex_lock(&u->lock);
	memcpy(u->st.store_id, id, sizeof(id));
	u->st.sent_id = hwm;
	pthread_mutex_unlock(&u->lock);
	return 0;
}

/* Opens a session: connection, staging tables, board facts, reconcile. */
static int session_open(struct mc_uplink *u)
{
	const char *keys[] = { "dbname", "connect_timeout", "application_name", "keepalives_idle",
			       "keepalives_interval", "keepalives_count", "tcp_user_timeout", NULL };
	const char *vals[] = { u->url, "10", "motcua-uplink", "30", "10", "3", "60000", NULL };

	set_state(u, "connecting");
	u->pg = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(u->pg) != CONNECTION_OK) {
		set_error(u, "connect", PQerrorMessage(u->pg), 0);
		goto err_close;
	}
	const char *p[2] = { NULL, u->board };
	/* Does the city keep each rating's scale (central schema 2)? An
	 * older schema gets what it knows, so kiosks may be updated first. */
	PGresult *r = pg_exec(u, "SELECT EXISTS (SELECT FROM pg_attribute WHERE attrelid ="
			      " to_regclass('motcua.ticket_inbox') AND attname = 'scale' AND NOT attisdropped)", 0, NULL);
	if (!r)
		goto err_close;
	u->scales = !strcmp(PQgetvalue(r, 0, 0), "t");
	PQclear(r);
	if (!(r = pg_exec(u, "SELECT to_regclass('motcua.restores') IS NOT NULL", 0, NULL)))
		goto err_close;
	u->restores = !strcmp(PQgetvalue(r, 0, 0), "t");
	PQclear(r);
	if (pg_run(u, "SET client_min_messages = warning", 0, NULL) ||
	    pg_run(u, "CREATE TEMP TABLE up_ev (event_id bigint, at_ms bigint, mono bigint, boot bigint,"
		   " day date, kind text, ticket bigint, counter int, clerk int, value int, detail text)"
		   " ON COMMIT DELETE ROWS", 0, NULL) ||
	    pg_run(u, "CREATE TEMP TABLE up_tk (ticket bigint, version bigint, service text, cur_service text,"
		   " day date, label text, priority boolean, status text, print text, counter int, clerk int,"
		   " rating int, transfers int, issued_ms bigint, called_ms bigint, finished_ms bigint,"
		   " wait_ms bigint, service_ms bigint, scale text) ON COMMIT DELETE ROWS", 0, NULL) ||
	    pg_run(u, u->scales ? "SELECT motcua.put_board($1::jsonb)"
		   : "SELECT motcua.put_board(($1::jsonb)->>'timezone', ($1::jsonb)->'services')", 1, p + 1) ||
	    reconcile(u))
		goto err_close;
	pthread_mutex_lock(&u->lock);
	bool was_down = u->st.failures > 0;
	u->st.failures = 0;
	u->st.retry_ms = 0;
	u->st.error[0] = 0;
	pthread_mutex_unlock(&u->lock);
	if (was_down)
		mc_log(MC_LOG_NOTICE, "uplink: connected to the city's database again");
	return 0;

err_close:
	PQfinish(u->pg);
	u->pg = NULL;
	return -1;
}

/* Reads the next batch from the store into COPY buffers. Returns the
 * number of events (0: caught up), or -1. */
static int read_batch(struct mc_uplink *u, struct buf *ev, struct buf *tk, int64_t *last, int64_t *local_max)
{
	sqlite3_stmt *s = NULL;
	int n = 0, rc = -1;

	if (sqlite3_exec(u->ro, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	*local_max = local_int(u->ro, "SELECT coalesce(max(id), 0) FROM events", NULL, 0, 0);
	*last = u->hwm;
	if (sqlite3_prepare_v2(u->ro, "SELECT id, at, mono, boot, day, kind, ticket, counter, clerk, value, detail"
			       " FROM events WHERE id > ? ORDER BY id LIMIT ?", -1, &s, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(s, 1, u->hwm);
	sqlite3_bind_int(s, 2, u->batch);
	int step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		*last = sqlite3_column_int64(s, 0);
		if (buf_printf(ev, "%lld\t%lld\t%lld\t%lld\t", (long long)*last, (long long)sqlite3_column_int64(s, 1),
			       (long long)sqlite3_column_int64(s, 2), (long long)sqlite3_column_int64(s, 3)) ||
		    buf_text(ev, (const char *)sqlite3_column_text(s, 4)) || buf_put(ev, "\t", 1) ||
		    buf_text(ev, (const char *)sqlite3_column_text(s, 5)) ||
		    buf_printf(ev, "\t%lld\t%d\t%d\t%d\t", (long long)sqlite3_column_int64(s, 6), sqlite3_column_int(s, 7),
			       sqlite3_column_int(s, 8), sqlite3_column_int(s, 9)) ||
		    buf_text(ev, (const char *)sqlite3_column_text(s, 10)) || buf_put(ev, "\n", 1))
			goto fail_nomem;
		n++;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (step != SQLITE_DONE)
		goto fail;
	if (n) {
		/* The touched tickets as the store holds them in this snapshot;
		 * version: the newest event they can reflect; a rated one with
		 * the scale of its newest rating event (as the local report
		 * reads it). */
		if (sqlite3_prepare_v2(u->ro, "SELECT id, service, cur_service, day, label, priority, status, print,"
				       " counter, clerk, rating, transfers, issued_at, called_at, finished_at, wait_ms, service_ms,"
				       " CASE WHEN rating > 0 THEN coalesce((SELECT detail FROM events WHERE ticket = tickets.id"
				       "  AND kind = 'rate' ORDER BY id DESC LIMIT 1), '') END"
				       " FROM tickets WHERE id IN (SELECT ticket FROM events WHERE id > ?1 AND id <= ?2 AND ticket > 0)",
				       -1, &s, NULL) != SQLITE_OK)
			goto fail;
		sqlite3_bind_int64(s, 1, u->hwm);
		sqlite3_bind_int64(s, 2, *last);
		while ((step = sqlite3_step(s)) == SQLITE_ROW) {
			if (buf_printf(tk, "%lld\t%lld\t", (long long)sqlite3_column_int64(s, 0), (long long)*local_max))
				goto fail_nomem;
			for (int c = 1; c <= 4; c++)
				if (buf_text(tk, (const char *)sqlite3_column_text(s, c)) || buf_put(tk, "\t", 1))
					goto fail_nomem;
			if (buf_put(tk, sqlite3_column_int(s, 5) ? "t\t" : "f\t", 2) ||
			    buf_text(tk, (const char *)sqlite3_column_text(s, 6)) || buf_put(tk, "\t", 1) ||
			    buf_text(tk, (const char *)sqlite3_column_text(s, 7)))
				goto fail_nomem;
			for (int c = 8; c <= 16; c++)
				if (buf_printf(tk, "\t%lld", (long long)sqlite3_column_int64(s, c)))
					goto fail_nomem;
			if (buf_put(tk, "\t", 1) ||
			    (sqlite3_column_type(s, 17) == SQLITE_NULL ? buf_put(tk, "\\N", 2)
			     : buf_text(tk, (const char *)sqlite3_column_text(s, 17))) ||
			    buf_put(tk, "\n", 1))
				goto fail_nomem;
		}
		sqlite3_finalize(s);
		s = NULL;
		if (step != SQLITE_DONE)
			goto fail;
	}
	rc = n;
	goto out;

fail_nomem:
	set_error(u, "store", "out of memory", 0);
	goto out;
fail:
	set_error(u, "store", sqlite3_errmsg(u->ro), 0);
out:
	sqlite3_finalize(s);
	sqlite3_exec(u->ro, "COMMIT", NULL, NULL, NULL);
	return rc;
}

/* Ships one batch; returns events shipped (0: caught up), or -1 (the
 * session is then dropped). */
static int ship(struct mc_uplink *u)
{
	struct buf ev = { 0 }, tk = { 0 };
	int64_t last, local_max;
	int n = read_batch(u, &ev, &tk, &last, &local_max);
	const char *p[2] = { u->office, u->store_id };

	if (n <= 0) {
		free(ev.p);
		free(tk.p);
		if (n == 0) {
			pthread_mutex_lock(&u->lock);
			u->st.local_max = local_max;
			u->st.backlog = local_max > u->hwm ? local_max - u->hwm : 0;
			pthread_mutex_unlock(&u->lock);
		}
		return n;
	}
	set_state(u, "shipping");
	if (pg_run(u, "BEGIN", 0, NULL) ||
	    pg_copy(u, "COPY up_ev FROM STDIN", &ev) ||
	    pg_run(u, "INSERT INTO motcua.events (office, store_id, event_id, at, at_ms, mono, boot, day, kind,"
		   " ticket, counter, clerk, value, detail)"
		   " SELECT $1, $2, event_id, timestamptz 'epoch' + at_ms * interval '1 millisecond', at_ms, mono, boot,"
		   " day, kind, ticket, counter, clerk, value, detail FROM up_ev ON CONFLICT DO NOTHING", 2, p) ||
	    pg_copy(u, "COPY up_tk FROM STDIN", &tk) ||
	    pg_run(u, u->scales ?
		   "INSERT INTO motcua.ticket_inbox (office, store_id, ticket, version, service, cur_service, day,"
		   " label, priority, status, print, counter, clerk, rating, transfers, issued_ms, called_ms,"
		   " finished_ms, wait_ms, service_ms, scale) SELECT $1, $2, ticket, version, service, cur_service, day,"
		   " label, priority, status, print, counter, clerk, rating, transfers, issued_ms, called_ms,"
		   " finished_ms, wait_ms, service_ms, scale FROM up_tk"
		   : "INSERT INTO motcua.ticket_inbox SELECT $1, $2, ticket, version, service, cur_service, day,"
		   " label, priority, status, print, counter, clerk, rating, transfers, issued_ms, called_ms,"
		   " finished_ms, wait_ms, service_ms FROM up_tk", 2, p) ||
	    pg_run(u, "SELECT motcua.fold()", 0, NULL) ||
	    pg_run(u, "COMMIT", 0, NULL)) {
		free(ev.p);
		free(tk.p);
		return -1;
	}
	free(ev.p);
	free(tk.p);
	/* Only now is the mark moved, locally and durably. */
	u->hwm = last;
	save_hwm(u, u->store_id, last);
	pthread_mutex_lock(&u->lock);
	u->st.sent_id = last;
	u->st.local_max = local_max > last ? local_max : last;
	u->st.backlog = local_max > last ? local_max - last : 0;
	u->st.shipped += n;
	u->st.batches++;
	u->st.failures = 0;
	u->st.retry_ms = 0;
	u->st.error[0] = 0;
	u->st.last_ok_ms = wall_ms();
	pthread_mutex_unlock(&u->lock);
	return n;
}

/* Refreshes the backlog from the local log (while offline: it grows). */
static void refresh_backlog(struct mc_uplink *u)
{
	int64_t m = local_int(u->ro, "SELECT coalesce(max(id), 0) FROM events", NULL, 0, -1);
	if (m < 0)
		return;
	pthread_mutex_lock(&u->lock);
	u->st.local_max = m;
	u->st.backlog = m > u->hwm ? m - u->hwm : 0;
	pthread_mutex_unlock(&u->lock);
}

static void *run(void *arg)
{
	struct mc_uplink *u = arg;
	int64_t backoff = BACKOFF_MIN_MS;

	for (;;) {
		pthread_mutex_lock(&u->lock);
		bool stop = u->stop;
		pthread_mutex_unlock(&u->lock);
		if (stop)
			break;
		int n = -1;
		if (u->pg || session_open(u) == 0)
			n = ship(u);
		if (n < 0) {
			PQfinish(u->pg);
			u->pg = NULL;
			pthread_mutex_lock(&u->lock);
			u->st.retry_ms = backoff;
			snprintf(u->st.state, sizeof(u->st.state), "offline");
			pthread_mutex_unlock(&u->lock);
			bool stop_now = false;
			for (int64_t left = backoff; left > 0 && !stop_now; left -= u->interval_ms) {
				refresh_backlog(u);
				stop_now = pause_ms(u, left < u->interval_ms ? left : u->interval_ms);
			}
			if (stop_now)
				break;
			backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
			continue;
		}
		backoff = BACKOFF_MIN_MS;
		if (n < u->batch) {
			set_state(u, "idle");
			if (pause_ms(u, u->interval_ms))
				break;
		}
	}
	PQfinish(u->pg);
	u->pg = NULL;
	set_state(u, "stopped");
	return NULL;
}

struct mc_uplink *mc_uplink_start(const struct mc_uplink_setup *s, char *err, size_t errlen)
{
	struct mc_uplink *u = calloc(1, sizeof(*u));
	pthread_condattr_t ca;

	if (!u)
		goto err_nomem;
	u->db_path = strdup(s->db_path);
	u->url = strdup(s->url);
	u->office = strdup(s->office);
	u->board = strdup(s->board_json ? s->board_json : "{}");
	if (!u->db_path || !u->url || !u->office || !u->board)
		goto err_nomem;
	u->interval_ms = s->interval_ms > 0 ? s->interval_ms : 5000;
	u->batch = s->batch > 0 ? s->batch : 1000;
	u->renew = s->renew;
	u->renew_ctx = s->renew_ctx;
	snprintf(u->st.state, sizeof(u->st.state), "starting");
	pthread_mutex_init(&u->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&u->wake, &ca);
	pthread_condattr_destroy(&ca);
	if (open_local(u, err, errlen) < 0)
		goto err_free;
	char id[33];
	if (read_store_id(u, id) == 0) {
		memcpy(u->st.store_id, id, sizeof(id));
		u->st.sent_id = u->hwm = local_int(u->rw, "SELECT hwm FROM uplink_state WHERE store_id = ?", id, 0, 0);
	}
	int rc = pthread_create(&u->thread, NULL, run, u);
	if (rc) {
		snprintf(err, errlen, "cannot start the uplink thread: %s", strerror(rc));
		goto err_free;
	}
	return u;

err_nomem:
	snprintf(err, errlen, "out of memory");
err_free:
	if (u) {
		sqlite3_close(u->ro);
		sqlite3_close(u->rw);
		free(u->db_path);
		free(u->url);
		free(u->office);
		free(u->board);
		free(u);
	}
	return NULL;
}

void mc_uplink_stop(struct mc_uplink *u)
{
	if (!u)
		return;
	pthread_mutex_lock(&u->lock);
	u->stop = true;
	pthread_cond_broadcast(&u->wake);
	pthread_mutex_unlock(&u->lock);
	pthread_join(u->thread, NULL);
	sqlite3_close(u->ro);
	sqlite3_close(u->rw);
	pthread_mutex_destroy(&u->lock);
	pthread_cond_destroy(&u->wake);
	free(u->db_path);
	free(u->url);
	free(u->office);
	free(u->board);
	free(u);
}

void mc_uplink_status(struct mc_uplink *u, struct mc_uplink_status *out)
{
	pthread_mutex_lock(&u->lock);
	*out = u->st;
	pthread_mutex_unlock(&u->lock);
}

MC_MODULE_EXPORT const struct mc_uplink_api mc_uplink_api = {
	.version = MC_UPLINK_API_VERSION,
	.start = mc_uplink_start,
	.stop = mc_uplink_stop,
	.status = mc_uplink_status,
};
