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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "engine.h"

#define MC_STORE_SCHEMA 1  /* schema version this code writes */
#define MC_STORE_APP_ID 0x4d435541 /* PRAGMA application_id: "MCUA" */

struct mc_store;

/* How a database is opened (DESIGN §6, identity). Every mode stamps
 * application_id and a store id (meta row 'store_id', 32 lowercase hex
 * digits) into a database it creates or migrates, and writes the store id
 * and a newline to the marker file path + ".id". */
enum mc_store_mode {
	MC_STORE_ANY,      /* create if missing or empty (tests, benchmarks) */
	MC_STORE_GUARDED,  /* kioskd: create only where no marker exists */
	MC_STORE_INIT,     /* --init-store: set an unusable file aside (renamed
	                    * path.set-aside-TIME), then create afresh; a sound
	                    * database of ours is kept and opened */
};

/* Opens the database at path in MC_STORE_ANY mode. */
struct mc_store *mc_store_open(const char *path, char *err, size_t errlen);
/* Opens the database at path as mode says and migrates it to the current
 * schema; a database made before the identity (our tables, no
 * application_id) is migrated too. NULL with a message for people in err
 * and errno EUCLEAN when the file is missing, empty, foreign or corrupt
 * where it must not be created (kioskd exits 78 then), other errno for
 * other failures. Sets a busy timeout of MC_STORE_BUSY_MS: a commit waits
 * that long at most for another connection's write (the uplink's
 * high-water mark, a backup's step: about one fsync), then fails with
 * EBUSY and the caller retries from a timer. */
#define MC_STORE_BUSY_MS 3
struct mc_store *mc_store_open_mode(const char *path, enum mc_store_mode mode, char *err,
				    size_t errlen);
/* Accepts NULL. */
void mc_store_close(struct mc_store *st);

/* WAL checkpoints off the committing thread (kioskd: the loop). By default
 * SQLite copies the WAL back into the database inside the commit that
 * takes it past 1000 pages — a few ms of writes and an fsync of the
 * database on the loop. After this call a thread of the store's own
 * (named "mc-checkpoint", 5 nice levels below the thread that opened the
 * store, its own connection) runs a PASSIVE
 * checkpoint when a commit leaves MC_STORE_CHECKPOINT_PAGES or more in
 * the WAL (pages of 4 KiB: a press adds 3). Only when commits
 * outrun it (a flood) does the commit that takes the WAL to
 * MC_STORE_WAL_MAX_PAGES checkpoint on the committing thread, so the WAL
 * stays bounded. Kept across a reopen by mc_store_check_files; stopped
 * (joined) by mc_store_close, whose last connection then checkpoints as
 * before. With it, each commit also asks the kernel to read the WAL's
 * next pages into its cache (POSIX_FADV_WILLNEED, not waited for), so
 * that a commit never waits to read a page it writes part of (see
 * warm_wal in store.c). Returns 0, or -1 with errno when the thread cannot start (the
 * commits go on checkpointing then). */
#define MC_STORE_CHECKPOINT_PAGES 1000
#define MC_STORE_WAL_MAX_PAGES 4000
int mc_store_checkpoint_in_thread(struct mc_store *st);

/* Writes the WAL ahead: zeros from its end up to MC_STORE_WAL_AHEAD_PAGES
 * frames (about 17 MiB: as far as the WAL can grow, MC_STORE_WAL_MAX_PAGES
 * and one more group), synced, under SQLite's write lock, so that commits
 * overwrite allocated blocks instead of growing the file (a commit's
 * fdatasync then need not commit the file's size: 0.50 against 0.66 ms on
 * this machine's ext4, quiet; and under a flood that outruns the
 * checkpointer, a commit past the part written ahead waited 70-190 ms for
 * the file system's journal to take the database pages a checkpoint had
 * just written). Blocks for the write and its sync (15-17 ms here; an
 * SD card writing 20 MB/s would take about a second: an estimate, not
 * measured) and up to MC_STORE_BUSY_MS for the lock;
 * skipped when another writer holds it. kioskd calls it once it is up
 * (mc_app_run), so a start that fails, and is restarted, does not write it
 * each time; SQLite deletes the WAL at a clean close, so each start that
 * gets that far writes it once, and mc_store_check_files writes the new
 * WAL ahead after a reopen. Nothing written is touched; out of space,
 * the WAL is left as it was. Returns the bytes written (0: none: done
 * before, no room, locked, or the WAL was already that long). */
#define MC_STORE_WAL_AHEAD_PAGES (MC_STORE_WAL_MAX_PAGES + 256)
unsigned long mc_store_write_ahead(struct mc_store *st);

/* Checkpoints since the store opened (for `kioskctl status`). */
struct mc_store_checkpoints {
	unsigned long done;    /* run by the thread */
	unsigned long failed;  /* refused (another connection's checkpoint in
	                        * progress: SQLITE_BUSY) or failed */
	unsigned long on_loop; /* run by a commit: the WAL reached its maximum */
	unsigned long wal_ahead; /* bytes written ahead into the WAL
	                          * (mc_store_write_ahead; 0: none) */
	const char *trouble;   /* why the last checkpoint failed, in SQLite's
	                        * words (static; "database or disk is full"
	                        * when the database file cannot grow), NULL
	                        * when it ran or none was tried. Refusals
	                        * (another checkpoint, SQLITE_BUSY) do not
	                        * count. While checkpoints fail the WAL only
	                        * grows: commits go on in the room written
	                        * ahead, and fail once the WAL cannot grow. */
	int wal_pages;         /* frames in the WAL after the last commit
	                        * (0: no checkpointer thread) */
};
/* Safe on the owning thread only. */
void mc_store_checkpoints(const struct mc_store *st, struct mc_store_checkpoints *out);

/* Bytes free for kioskd's writes on the database's file system
 * (statvfs: a root process counts the blocks kept back for root), or -1
 * with errno. Asks the kernel only: no disk I/O. */
#define MC_STORE_DISK_LOW (1LL << 20) /* below this the disk counts as full */
long long mc_store_disk_free(const struct mc_store *st);

/* Appends to text (NUL-terminated, in a buffer of len bytes; cut short to
 * fit) " — đĩa đầy: còn trống N KB / the disk is full: N KB free" when
 * mc_store_disk_free is under MC_STORE_DISK_LOW; else leaves it. SQLite
 * itself may say only "disk I/O error" then (growing its WAL index). */
void mc_store_disk_note(const struct mc_store *st, char *text, size_t len);


/* Commits ch in one transaction. Returns 0, or -1 with a message in err
 * (the database is unchanged then) and errno: EBUSY when another process
 * holds the write lock (retry later), ENOSPC when the disk is full, EIO
 * otherwise. Never waits for a lock. */
int mc_store_commit(struct mc_store *st, const struct mc_config *cfg,
		    const struct mc_changes *ch, char *err, size_t errlen);
/* Commits n change sets, in order, in one transaction (a group commit of
 * print outcomes with an action). Same results as mc_store_commit. */
int mc_store_commit_many(struct mc_store *st, const struct mc_config *cfg,
			 const struct mc_changes *const *sets, size_t n, char *err, size_t errlen);

/* Are the database and its WAL still the files opened (not unlinked or
 * replaced under us)? Returns 0 when they are; else saves what the open
 * handle holds (a checkpoint through it, or a copy to path when the
 * database itself was unlinked), reopens, and returns 1 when that
 * succeeded, or -1 with a message in err when the store cannot be trusted
 * (nothing may be acknowledged then). After a reopen the new WAL is
 * written ahead (as mc_store_write_ahead) when it was before. Call before
 * each write batch. */
int mc_store_check_files(struct mc_store *st, char *err, size_t errlen);

/* Rebuilds e (fresh from mc_engine_new) from the store: the saved day,
 * that day's tickets, open tickets of earlier days, counters. Tickets of
 * services no longer in cfg are skipped and counted in *skipped. Calls
 * mc_engine_restore_end and commits its changes (prints in doubt): a cold
 * start only.
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
 * already holds), and rewrites the marker file beside it. Returns 0, or -1
 * (the id is unchanged in the database). */
int mc_store_renew_id(struct mc_store *st);

/* The schema version of the open database. */
int mc_store_schema_version(struct mc_store *st);

/* The layout of the open database's indexes: which pages a commit
 * writes. Layout 1 (schema 1 as first written): tickets keyed
 * UNIQUE (service, day, round, number) plus an index tickets_day(day),
 * events indexed by ticket (events_ticket): a press wrote 5 pages (the
 * ticket, its 2 index entries, the event, its index entry). Layout 2:
 * the key UNIQUE (day, service, round, number), which also serves
 * lookups by day (so no tickets_day), and only ratings indexed by ticket
 * (events_rating, partial: the reports' and uplink's lookup is
 * "kind = 'rate'"): a press writes 3 pages. Opening a layout-1 database
 * (mc_store_open*; not the reopen of mc_store_check_files, on the loop)
 * rewrites it to layout 2 in one transaction (the tickets copied out and
 * back, their rows and ids unchanged): 0.8-0.9 s for 150,000 tickets on
 * the development machine, a few seconds for a year's on an SD card (an
 * estimate). The schema version is unchanged, so an older
 * kioskd opens either layout. Returns MC_STORE_LAYOUT, or 1 when the
 * rewrite failed (the database works as before; it is tried again at the
 * next open); why (may be NULL) is then set to the reason, "" otherwise,
 * owned by st until the next open. */
#define MC_STORE_LAYOUT 2
int mc_store_layout(const struct mc_store *st, const char **why);

#endif
