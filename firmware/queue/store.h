/* store.h — the kiosk's durable record: one SQLite file in WAL mode with
 * synchronous=FULL.
 *
 * Every engine change set is committed as one transaction (ticket rows,
 * counter rows and append-only event rows together), so a power cut loses
 * nothing acknowledged. UNIQUE(service, day, round, number) makes a reused
 * number impossible. The engine is rebuilt from the store at start.
 * Calls block on disk I/O (an fsync per commit). */
#ifndef MC_STORE_H
#define MC_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "engine.h"

#define MC_STORE_SCHEMA 1  /* schema version this code writes */

struct mc_store;

/* Opens (creating if needed) the database at path and migrates it to the
 * current schema. NULL with a message in err on failure. */
struct mc_store *mc_store_open(const char *path, char *err, size_t errlen);
/* Accepts NULL. */
void mc_store_close(struct mc_store *st);

/* Commits ch in one transaction. Returns 0, or -1 with a message in err
 * (the database is unchanged then). */
int mc_store_commit(struct mc_store *st, const struct mc_config *cfg,
		    const struct mc_changes *ch, char *err, size_t errlen);

/* Rebuilds e (fresh from mc_engine_new) from the store: the saved day,
 * that day's tickets, open tickets of earlier days, counters. Tickets of
 * services no longer in cfg are skipped and counted in *skipped. Calls
 * mc_engine_restore_end and commits its changes (voided prints).
 * Returns 0, or -1 with a message in err. */
int mc_store_load(struct mc_store *st, const struct mc_config *cfg, struct mc_engine *e,
		  const struct mc_when *now, int *skipped, char *err, size_t errlen);

/* A ticket row as stored, with its service keys (valid during the call). */
struct mc_store_ticket {
	struct mc_ticket t;        /* service/cur_service are -1 if unknown to cfg */
	const char *service;       /* issuing service key */
	const char *cur_service;   /* current service key */
};

/* Calls fn for each ticket of local day, in id order; stops early when fn
 * returns non-zero. Returns 0, or -1 with a message in err. */
int mc_store_each_ticket(struct mc_store *st, const struct mc_config *cfg, int32_t day,
			 int (*fn)(const struct mc_store_ticket *t, void *ctx), void *ctx,
			 char *err, size_t errlen);

/* The store id: the database's creation record, 32 lowercase hex digits
 * (16 random bytes), kept in meta(key = 'store_id'). Created with the
 * database, and on opening a database that lacks it. The city's uplink keys
 * events by (office, store id, event id). Valid while st is open (until
 * mc_store_renew_id or mc_store_close). */
const char *mc_store_id(const struct mc_store *st);

/* Gives the database a new random store id in one transaction (a store
 * restored from a backup must not reuse the id whose later events the city
 * already holds). Returns 0, or -1 (the id is unchanged). */
int mc_store_renew_id(struct mc_store *st);

/* The schema version of the open database. */
int mc_store_schema_version(struct mc_store *st);

#endif
