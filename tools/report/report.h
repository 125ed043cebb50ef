/* report.h — wait-time and satisfaction reports from the kiosk's database.
 *
 * A report covers local days [from, to] and is computed only from the ticket
 * rows and the append-only event log, so a report of a past month never
 * changes. The database is opened read-only (a WAL reader: kioskd is never
 * blocked) and each day is read by its own short statement; a copied file
 * on an office PC works too. Figures are grouped by service, counter, clerk,
 * hour of day and weekday.
 *
 * Definitions (the same in every format):
 *   issued       every ticket issued in the period (voided ones too)
 *   served       status finished;  noshow, voided, expired: by status
 *   transferred  tickets transferred at least once
 *   wait         issue → first call (wait_ms, from the monotonic clock)
 *   service      last call → finish (service_ms), finished tickets only
 *   median       mean of the two middle values when the count is even
 *   p90          nearest rank: the value at rank ceil(0.9·n) of n sorted
 *   over target  called tickets whose wait exceeds their service's
 *                target_wait, over called tickets whose service has one
 *   ratings      each on the scale stored with it (scale.h): a period in
 *                which the office changed its scale has one set of level
 *                counts per scale, in order of first use; a rating stored
 *                without a scale is on the first firmware's four levels
 *   satisfied    ratings in the top levels of their own scale (its
 *                "satisfied" count) over all ratings
 * A ticket counts for its issuing service (numbering), the counter and
 * clerk that last called it (0: never called), the local hour of its issue
 * and the weekday of its day. Local hours use the process's TZ: callers set
 * TZ to the office's zone first (as kioskd does). */
#ifndef MC_REPORT_H
#define MC_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"

#define MC_REPORT_SCALES 4   /* satisfaction scales one report can hold */

/* Ways to group figures. */
enum mc_report_dim {
	MC_REPORT_SERVICE,   /* issuing service */
	MC_REPORT_COUNTER,   /* counter that last called the ticket */
	MC_REPORT_CLERK,     /* clerk logged in at that counter */
	MC_REPORT_HOUR,      /* local hour of issue, 0..23 */
	MC_REPORT_WEEKDAY,   /* weekday of the ticket's day, 0 = Sunday */
	MC_REPORT_NDIMS
};

/* What to compute. */
struct mc_report_opts {
	int32_t from, to;    /* local days (since 1970-01-01), inclusive */
	unsigned dims;       /* bit (1u << dim) for each grouping wanted */
	int worst;           /* how many of the longest waits to keep (0: 10) */
	/* Called after each day is read (may be NULL): done of total days. */
	void (*progress)(void *ctx, int done, int total);
	void *progress_ctx;  /* passed to progress */
};

/* Mean, median, p90 and max of a set of durations in ms. */
struct mc_report_stats {
	int64_t n;           /* values (0: the rest is meaningless) */
	double mean_ms;      /* arithmetic mean */
	double median_ms;    /* median (see the definition above) */
	int64_t p90_ms;      /* 90th percentile, nearest rank */
	int64_t max_ms;      /* largest */
};

/* The figures of one group (or of the whole period). */
struct mc_report_row {
	char key[40];            /* service key, counter or clerk number, hour, weekday */
	char name[MC_TEXT];      /* Vietnamese label for people */
	char name_en[MC_TEXT];   /* English label */
	int64_t target_ms;       /* service rows: target wait (0: none) */
	int issued;              /* tickets issued */
	int served;              /* finished */
	int noshow;              /* did not come when called */
	int transferred;         /* transferred at least once */
	int voided;              /* voided (never printed, cancelled) */
	int in_doubt;            /* print in doubt (may be on paper; callable) */
	int in_doubt_served;     /* of them, served */
	int in_doubt_noshow;     /* of them, no-show */
	int print_failed;        /* print refused before any byte was sent */
	int failed_served;       /* of them, served (the screen showed the number) */
	int failed_noshow;       /* of them, no-show */
	int expired;             /* still open when the day closed */
	int priority;            /* priority tickets */
	struct mc_report_stats wait;     /* issue → first call */
	struct mc_report_stats service;  /* call → finish */
	int with_target;         /* called tickets whose service has a target */
	int over_target;         /* of them, waited longer than the target */
	int rated;               /* tickets rated, on any scale */
	int satisfied;           /* of them, in the satisfied levels of their scale */
	int ratings[MC_REPORT_SCALES][MC_SCALE_MAX + 1]; /* [s][r] tickets rated r (best
	                          * first) on scale s (mc_report_scale); [s][0] unused */
	double wait_by_rating_ms[MC_REPORT_SCALES][MC_SCALE_MAX + 1]; /* their mean wait (ms) */
	int64_t logged_ms;       /* counters and clerks: time logged in */
	int64_t open_ms;         /* counters: logged in and not paused */
	int64_t paused_ms;       /* counters: paused while logged in */
	int days;                /* days of the period with tickets in this row */
};

/* One of the longest waits. */
struct mc_report_worst {
	int64_t ticket;          /* ticket id */
	char label[8];           /* printed number */
	char day[12];            /* local day, YYYY-MM-DD */
	char service[32];        /* issuing service key */
	int counter;             /* counter that called it */
	int64_t issued_at;       /* UTC ms */
	int64_t wait_ms;         /* its wait */
	int64_t target_ms;       /* its service's target (0: none) */
};

struct mc_report;

/* Computes a report over the database file at db_path (opened read-only;
 * never written) with the services of cfg (which must outlive the report).
 * NULL with a message in err: no such file, not a kiosk database, bad
 * period, out of memory. A newer schema is read as long as the columns
 * used are there (migrations only add). Blocks on disk reads; holds no
 * transaction longer than one day's statement. */
struct mc_report *mc_report_compute(const char *db_path, const struct mc_config *cfg,
				    const struct mc_report_opts *opts, char *err, size_t errlen);
/* Accepts NULL. */
void mc_report_free(struct mc_report *r);

/* The options it was computed with. */
const struct mc_report_opts *mc_report_options(const struct mc_report *r);
/* The board it was computed for. */
const struct mc_config *mc_report_config(const struct mc_report *r);
/* Figures of the whole period. Valid until mc_report_free. */
const struct mc_report_row *mc_report_total(const struct mc_report *r);
/* Rows of a grouping, in key order, *n of them (0 when not computed or
 * empty). Rows with no ticket are left out, except hours and weekdays
 * which are always all there when computed. Valid until mc_report_free. */
const struct mc_report_row *mc_report_rows(const struct mc_report *r, enum mc_report_dim dim,
					   size_t *n);
/* The longest waits, longest first, *n of them. */
const struct mc_report_worst *mc_report_worst(const struct mc_report *r, size_t *n);
/* Satisfaction scales met in the period, in order of first use (0 when
 * nothing was rated), and one of them. Valid until mc_report_free. */
int mc_report_nscales(const struct mc_report *r);
const struct mc_scale *mc_report_scale(const struct mc_report *r, int i);

/* Days of the period that had tickets. */
int mc_report_days_with_tickets(const struct mc_report *r);

/* Name of a grouping ("service", "counter", ...), and back (-1: unknown). */
const char *mc_report_dim_name(enum mc_report_dim dim);
int mc_report_dim_from_name(const char *s);

/* ---- output (report-text.c, report-pdf.c) ---- */

/* Output formats. */
enum mc_report_format {
	MC_REPORT_TABLE,     /* aligned text for a terminal, Vietnamese */
	MC_REPORT_CSV,       /* UTF-8 with BOM, ';' and decimal commas: Vietnamese-locale Excel */
	MC_REPORT_JSON,      /* every figure, durations in ms */
	MC_REPORT_PDF,       /* A4, cairo + pango, tables and charts */
	MC_REPORT_CSV_LONG,  /* the CSV's conventions, one long table for a pivot
	                      * table: table; row; figure; value per line */
};

/* Writes r as text (table, CSV, long CSV or JSON) to f. Returns 0, or -1 with errno. */
int mc_report_write_text(const struct mc_report *r, enum mc_report_format fmt, FILE *f);
/* Draws r as an A4 PDF into path. Returns 0, or -1 with a message in err. */
int mc_report_write_pdf(const struct mc_report *r, const char *path, char *err, size_t errlen);
/* Draws the charts as PNG files into the existing directory dir:
 * waits.png (wait per service), arrivals.png (arrivals per hour) and
 * satisfaction.png (ratings). Returns 0, or -1 with a message in err. */
int mc_report_write_png(const struct mc_report *r, const char *dir, char *err, size_t errlen);

/* A table for the administrative PDF form of mc_report_write_tables_pdf
 * (the city's report across offices uses it). */
#define MC_REPORT_TABLE_COLS 12
struct mc_report_table {
	const char *title;               /* Vietnamese title */
	const char *title_en;            /* English title */
	int ncols;                       /* columns, 1..MC_REPORT_TABLE_COLS */
	const char *head[MC_REPORT_TABLE_COLS];    /* Vietnamese headings */
	const char *head_en[MC_REPORT_TABLE_COLS]; /* English headings */
	const char *const *cells;        /* nrows × ncols texts, row after row */
	size_t nrows;                    /* rows */
	size_t total_row;                /* row drawn as a total, or SIZE_MAX */
};

/* Draws tables as an A4 PDF in the office report's administrative form
 * (letterhead with issuer, title, period, the tables, signatures).
 * Returns 0, or -1 with a message in err. */
int mc_report_write_tables_pdf(const char *issuer, const char *title, const char *period,
			       const char *period_en, const struct mc_report_table *t, size_t n,
			       const char *path, char *err, size_t errlen);

/* Summarises n durations (sorted in place) by the definitions above. */
void mc_report_stats_of(int64_t *v, size_t n, struct mc_report_stats *out);

/* Formats ms as minutes with one decimal and the given decimal mark
 * ("12,5" or "12.5"). */
void mc_report_minutes(double ms, char mark, char *buf, size_t len);

#endif
