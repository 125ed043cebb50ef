/* central.h — the city's PostgreSQL (DESIGN §9): schema migrations, office
 * registration and the city-wide monthly report, over libpq.
 *
 * Everything lives in schema "motcua". Calls block on the network; they are
 * for kioskctl (the kiosk's own uplink is firmware/uplink.c). Errors: -1
 * (or NULL) with a message in err. */
#ifndef MC_CENTRAL_H
#define MC_CENTRAL_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

/* The schema version this code writes. */
#define MC_CENTRAL_SCHEMA 3

/* Migrations: entry i takes the schema from version i to i + 1. */
extern const char *const mc_central_migrations[];
extern const int mc_central_nmigrations;

/* Creates or migrates the schema (idempotent) up to version target (0:
 * MC_CENTRAL_SCHEMA; a lower target is for staged upgrades and tests and
 * never goes back) and makes sure the monthly event partitions exist
 * from January 2025 to three years ahead. *from and *to receive the
 * versions before and after. */
int mc_central_init(PGconn *c, int target, int *from, int *to, char *err, size_t errlen);

/* The schema version of the database (0: none), or -1 with err. */
int mc_central_version(PGconn *c, char *err, size_t errlen);

/* Registers office code (or updates its name and group) with its own login
 * role "office_<code>" and a new random password (written to password,
 * ≥ 33 bytes). role receives the role name (≥ 64 bytes). */
int mc_central_add_office(PGconn *c, const char *code, const char *name, const char *grp,
			  char *role, size_t rolelen, char *password, size_t pwlen,
			  char *err, size_t errlen);

/* Creates (or re-keys) a login role that may only read, for the city's
 * reports: member of motcua_report. password as for add_office. */
int mc_central_add_reader(PGconn *c, const char *role, char *password, size_t pwlen, char *err, size_t errlen);

/* What the city's report covers. */
struct mc_central_report_opts {
	int year, month;       /* the month, in each office's own local days */
	const char *group;     /* only offices of this group, or NULL */
	bool rollups;          /* counts and means from the daily roll-ups
	                        * (false: everything from the tickets) */
};

/* Computes the report as a JSON object (caller frees with json_decref):
 * {"month", "group", "offices": [{code, name, group, timezone, scale,
 *  rank, total, previous, services: [...]}], "groups": [...], "city": {...}}
 * where each figure set has tickets, served, noshow, voided, expired,
 * in_doubt, waits, wait_mean_ms, wait_median_ms, wait_p90_ms, with_target,
 * over_target, within_target (share 0..1 or null), ratings [l1..l5]
 * (tickets rated at each position, best first, whatever their scale),
 * rated, satisfied_count (ratings in the satisfied levels of their own
 * stored scale, as the office's report counts them) and satisfied (their
 * share, or null). An office's scale is its board's ({levels,
 * satisfied_levels, labels, labels_en}, or null before its uplink sent
 * it), and its figure sets also have "levels": [{level, label, label_en,
 * count, share}] labelled with it. NULL with err. */
json_t *mc_central_report(PGconn *c, const struct mc_central_report_opts *o, char *err, size_t errlen);

#endif
