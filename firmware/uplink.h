/* uplink.h — ships the kiosk's append-only event log to the city's
 * PostgreSQL (DESIGN §9), from a thread of its own.
 *
 * The thread reads the store through its own read-only SQLite connection
 * (a WAL reader: it never blocks the loop's commits), sends the events after
 * its high-water mark in batches, each in one central transaction keyed by
 * (office, store id, event id) so a resend changes nothing, together with
 * the current rows of the tickets those events touched (a rated one with
 * the scale text of its newest rating event, so the city counts it
 * satisfied on its own scale, as the local report does), and records the
 * high-water mark locally (table uplink_state, one small write of its own)
 * only after the central commit. On each new session it sends the board
 * facts and checks the city's newest event of this store id against the
 * local log: the city being ahead with the same event means a commit whose
 * local record was lost (the mark moves up); a different or missing event
 * means the store was restored from a backup, and the thread asks for a new
 * store id (renew) before it ships anything: the new id starts after the
 * last event both lives share (bisection against the city), and the fact
 * "restored from store X at event N, its tickets up to M" (local table
 * uplink_restore) is sent at every session, so the city folds tickets the
 * backup carried over onto their first life's rows. Failures are retried with
 * exponential back-off (1 s doubling to 5 min); memory is one batch,
 * however long the kiosk stays offline.
 *
 * Threads: mc_uplink_start/stop/status are called from the loop thread;
 * status never waits on the network (a mutex held only to copy fields). */
#ifndef MC_UPLINK_H
#define MC_UPLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mc_uplink;

/* What the thread needs; strings are copied by mc_uplink_start. */
struct mc_uplink_setup {
	const char *db_path;     /* the kiosk's SQLite file */
	const char *url;         /* libpq connection string or URI */
	const char *office;      /* the office's code */
	int interval_ms;         /* pause when caught up */
	int batch;               /* events per central transaction */
	const char *board_json;  /* {"timezone": ..., "scale": mc_scale_format text,
	                          * "services": [{key, position, name, name_en,
	                          * target_ms}]} */
	/* Gives the store a new id (on the thread that owns the store) and
	 * writes it to id[33]. Called on the uplink thread, may block until
	 * done; returns 0 or -1. */
	int (*renew)(void *ctx, char *id);
	void *renew_ctx;         /* passed to renew */
};

/* A copy of the uplink's state for status and diag. */
struct mc_uplink_status {
	char state[16];          /* starting, connecting, shipping, idle, offline, stopped */
	char store_id[33];       /* the store id it ships under */
	int64_t sent_id;         /* high-water mark: newest event the city acknowledged */
	int64_t local_max;       /* newest local event when last looked */
	int64_t backlog;         /* events not yet acknowledged (local_max - sent_id) */
	int64_t shipped;         /* events sent since start */
	int64_t batches;         /* central transactions committed since start */
	int renewals;            /* store ids renewed (restored backups) since start */
	int failures;            /* failed attempts in a row */
	int64_t last_ok_ms;      /* wall ms of the last central commit (0: none) */
	int64_t retry_ms;        /* back-off before the next attempt (0: none) */
	char error[256];         /* last error ("" after a success) */
};

/* Starts the thread. NULL with a message in err. */
struct mc_uplink *mc_uplink_start(const struct mc_uplink_setup *s, char *err, size_t errlen);
/* Stops the thread (waits for the transaction in progress to end or fail)
 * and frees everything. Accepts NULL. */
void mc_uplink_stop(struct mc_uplink *u);
/* Copies the current state. */
void mc_uplink_status(struct mc_uplink *u, struct mc_uplink_status *out);

/* The uplink as kioskd loads it: the module lib/motcua/uplink.so (see
 * module.h) exports this table as the data symbol "mc_uplink_api", so a
 * kiosk without [uplink] never maps libpq. Tools and benchmarks that link
 * uplink.c call the functions above directly. */
struct mc_uplink_api {
	int version;                   /* MC_UPLINK_API_VERSION */
	struct mc_uplink *(*start)(const struct mc_uplink_setup *s, char *err, size_t errlen);
	void (*stop)(struct mc_uplink *u);
	void (*status)(struct mc_uplink *u, struct mc_uplink_status *out);
};
#define MC_UPLINK_API_VERSION 1
extern const struct mc_uplink_api mc_uplink_api;

#endif
