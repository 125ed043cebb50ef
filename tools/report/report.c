/* report.c — computing reports from tickets and events (see report.h). */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_CLERK 255
#define MAX_COUNTER 247

/* A growable list of durations, for medians and percentiles. */
struct vals {
	int64_t *v;      /* values */
	size_t n, cap;   /* used, allocated */
};

/* A row being accumulated. */
struct acc {
	struct mc_report_row row;   /* counts so far */
	struct vals wait, service;  /* durations, summarised at the end */
	double rating_wait[MC_REPORT_SCALES][MC_SCALE_MAX + 1]; /* sum of waits per scale and rating */
	int rating_waits[MC_REPORT_SCALES][MC_SCALE_MAX + 1];   /* how many of them had a wait */
	int32_t last_day;           /* last day counted in row.days */
	bool used;                  /* any ticket or session */
};

/* One grouping: accumulators indexed by a small key. */
struct dim {
	struct acc *acc;            /* nkeys accumulators */
	int nkeys;                  /* size of acc */
	struct mc_report_row *rows; /* final rows */
	size_t nrows;               /* final row count */
};

struct mc_report {
	const struct mc_config *cfg;    /* the board */
	struct mc_report_opts opts;     /* what was asked */
	struct acc total;               /* the whole period */
	struct mc_report_row total_row; /* summarised total */
	struct dim dims[MC_REPORT_NDIMS]; /* groupings */
	char (*extra)[32];              /* service keys unknown to the board */
	int nextra;                     /* how many */
	struct mc_report_worst *worst;  /* longest waits, longest first */
	size_t nworst;                  /* kept so far */
	int days_with_tickets;          /* days that had tickets */
	struct mc_scale scales[MC_REPORT_SCALES]; /* rating scales, in order of first use */
	char last_scale[MC_SCALE_TEXT]; /* stored text of the last scale looked up */
	int last_scale_i;               /* its index (-1: none yet) */
	int nscales;                    /* used */
	sqlite3 *db;                    /* open while computing */
};

static const char *const dim_names[MC_REPORT_NDIMS] = {
	"service", "counter", "clerk", "hour", "weekday",
};

static const char *const weekday_vi[7] = {
	"Chủ nhật", "Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy",
};
static const char *const weekday_en[7] = {
	"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
};

const char *mc_report_dim_name(enum mc_report_dim dim)
{
	return (unsigned)dim < MC_REPORT_NDIMS ? dim_names[dim] : "?";
}

int mc_report_dim_from_name(const char *s)
{
	for (int i = 0; i < MC_REPORT_NDIMS; i++)
		if (!strcmp(s, dim_names[i]))
			return i;
	return -1;
}

void mc_report_minutes(double ms, char mark, char *buf, size_t len)
{
	snprintf(buf, len, "%.1f", ms / 60000.0);
	char *dot = strchr(buf, '.');
	if (dot)
		*dot = mark;
}

/* ---- small helpers ------------------------------------------------------ */

static bool vals_push(struct vals *v, int64_t x)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 64;
		int64_t *p = realloc(v->v, cap * sizeof(*p));
		if (!p)
			return false;
		v->v = p;
		v->cap = cap;
	}
	v->v[v->n++] = x;
	return true;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Sorts durations: an LSD radix sort (three passes of 11 bits, whose
 * counts stay in the cache) when every value fits in 33 bits and there are
 * many (a year of waits is hundreds of thousands), qsort otherwise. */
static void sort_values(int64_t *v, size_t n)
{
	enum { BITS = 11, BUCKETS = 1 << BITS, PASSES = 3 };
	bool small = n >= 4096;
	for (size_t i = 0; i < n && small; i++)
		small = v[i] >= 0 && v[i] < ((int64_t)1 << (BITS * PASSES));
	int64_t *tmp = small ? malloc(n * sizeof(*tmp)) : NULL;
	if (!tmp) {
		qsort(v, n, sizeof(*v), cmp_i64);
		return;
	}
	size_t count[PASSES][BUCKETS + 1];
	memset(count, 0, sizeof(count));
	for (size_t i = 0; i < n; i++)
		for (int p = 0; p < PASSES; p++)
			count[p][(((uint64_t)v[i] >> (p * BITS)) & (BUCKETS - 1)) + 1]++;
	int64_t *from = v, *to = tmp;
	for (int p = 0; p < PASSES; p++) {
		for (size_t d = 1; d <= BUCKETS; d++)
			count[p][d] += count[p][d - 1];
		for (size_t i = 0; i < n; i++)
			to[count[p][((uint64_t)from[i] >> (p * BITS)) & (BUCKETS - 1)]++] = from[i];
		int64_t *t = from;
		from = to;
		to = t;
	}
	/* An odd number of passes leaves the result in tmp. */
	memcpy(v, from, n * sizeof(*v));
	free(tmp);
}

void mc_report_stats_of(int64_t *v, size_t n, struct mc_report_stats *s)
{
	memset(s, 0, sizeof(*s));
	if (!n)
		return;
	sort_values(v, n);
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += (double)v[i];
	s->n = (int64_t)n;
	s->mean_ms = sum / (double)n;
	s->median_ms = n % 2 ? (double)v[n / 2] : ((double)v[n / 2 - 1] + (double)v[n / 2]) / 2.0;
	size_t rank = (n * 9 + 9) / 10; /* ceil(0.9 n) */
	s->p90_ms = v[rank - 1];
	s->max_ms = v[n - 1];
}

/* Summarises v into s; frees v. */
static void vals_summarise(struct vals *v, struct mc_report_stats *s)
{
	mc_report_stats_of(v->v, v->n, s);
	free(v->v);
	memset(v, 0, sizeof(*v));
}

static void acc_free(struct acc *a)
{
	free(a->wait.v);
	free(a->service.v);
}

/* Interval from one event to the next: monotonic within one boot, else
 * the wall clock; never negative. */
static int64_t span(int64_t mono_a, int64_t boot_a, int64_t wall_a,
		    int64_t mono_b, int64_t boot_b, int64_t wall_b)
{
	int64_t d = boot_a == boot_b ? mono_b - mono_a : wall_b - wall_a;
	return d < 0 ? 0 : d;
}

/* ---- tickets ------------------------------------------------------------ */

/* A ticket row as the report needs it. */
struct tk {
	int64_t id;
	const char *service;
	int32_t day;
	const char *label;
	bool priority;
	const char *status;
	const char *print;   /* print state */
	int counter, clerk, rating, transfers;
	int scale;           /* index into mc_report's scales (rated tickets) */
	int64_t issued_at, wait_ms, service_ms;
	int hour;            /* local hour of issue */
};

/* Index of a service key in the service grouping: board services first,
 * then keys found only in the database. -1 on out of memory. */
static int service_slot(struct mc_report *r, const char *key)
{
	int i = mc_config_service_index(r->cfg, key);
	if (i >= 0)
		return i;
	for (int j = 0; j < r->nextra; j++)
		if (!strcmp(r->extra[j], key))
			return r->cfg->nservices + j;
	if (r->cfg->nservices + r->nextra >= MC_MAX_SERVICES * 4)
		return MC_MAX_SERVICES * 4 - 1; /* lump the rest together */
	char (*p)[32] = realloc(r->extra, (size_t)(r->nextra + 1) * sizeof(*p));
	if (!p)
		return -1;
	r->extra = p;
	snprintf(r->extra[r->nextra], sizeof(r->extra[0]), "%s", key);
	return r->cfg->nservices + r->nextra++;
}

static int64_t target_ms(const struct mc_report *r, const char *key)
{
	int i = mc_config_service_index(r->cfg, key);
	return i >= 0 ? (int64_t)r->cfg->services[i].target_wait_s * 1000 : 0;
}

/* Adds t to a. Returns false on out of memory. */
static bool acc_ticket(struct acc *a, const struct tk *t, int64_t target, const struct mc_scale *scales)
{
	struct mc_report_row *row = &a->row;

	a->used = true;
	if (a->last_day != t->day) {
		a->last_day = t->day;
		row->days++;
	}
	row->issued++;
	if (!strcmp(t->status, "finished"))
		row->served++;
	else if (!strcmp(t->status, "noshow"))
		row->noshow++;
	else if (!strcmp(t->status, "voided"))
		row->voided++;
	else if (!strcmp(t->status, "expired"))
		row->expired++;
	/* Tickets whose paper is uncertain or missing, and what became of them. */
	if (t->print && (!strcmp(t->print, "in_doubt") || !strcmp(t->print, "failed"))) {
		bool doubt = !strcmp(t->print, "in_doubt");
		bool served = !strcmp(t->status, "finished"), noshow = !strcmp(t->status, "noshow");
		*(doubt ? &row->in_doubt : &row->print_failed) += 1;
		*(doubt ? &row->in_doubt_served : &row->failed_served) += served;
		*(doubt ? &row->in_doubt_noshow : &row->failed_noshow) += noshow;
	}
	if (t->transfers > 0)
		row->transferred++;
	if (t->priority)
		row->priority++;
	if (t->wait_ms >= 0) {
		if (!vals_push(&a->wait, t->wait_ms))
			return false;
		if (target > 0) {
			row->with_target++;
			if (t->wait_ms > target)
				row->over_target++;
		}
	}
	if (!strcmp(t->status, "finished") && t->service_ms >= 0 && !vals_push(&a->service, t->service_ms))
		return false;
	if (t->rating >= 1) {
		row->ratings[t->scale][t->rating]++;
		row->rated++;
		if (t->rating <= scales[t->scale].satisfied)
			row->satisfied++;
		if (t->wait_ms >= 0) {
			a->rating_wait[t->scale][t->rating] += (double)t->wait_ms;
			a->rating_waits[t->scale][t->rating]++;
		}
	}
	return true;
}

/* Keeps t among the longest waits. */
static void keep_worst(struct mc_report *r, const struct tk *t, int64_t target)
{
	size_t cap = (size_t)r->opts.worst;
	if (t->wait_ms < 0)
		return;
	if (r->nworst == cap && r->worst[cap - 1].wait_ms >= t->wait_ms)
		return;
	size_t i = r->nworst < cap ? r->nworst++ : cap - 1;
	/* Insertion: ties keep the earlier ticket first. */
	while (i > 0 && r->worst[i - 1].wait_ms < t->wait_ms) {
		r->worst[i] = r->worst[i - 1];
		i--;
	}
	struct mc_report_worst *w = &r->worst[i];
	memset(w, 0, sizeof(*w));
	w->ticket = t->id;
	snprintf(w->label, sizeof(w->label), "%s", t->label);
	mc_format_day(t->day, w->day, sizeof(w->day));
	snprintf(w->service, sizeof(w->service), "%s", t->service);
	w->counter = t->counter;
	w->issued_at = t->issued_at;
	w->wait_ms = t->wait_ms;
	w->target_ms = target;
}

/* Local hour of a UTC ms time; caches the zone offset per UTC hour. */
static int local_hour(int64_t ms, int64_t *cache_hour, long *cache_off)
{
	int64_t h = ms / 3600000;
	if (h != *cache_hour) {
		time_t s = (time_t)(ms / 1000);
		struct tm tm;
		localtime_r(&s, &tm);
		*cache_hour = h;
		*cache_off = tm.tm_gmtoff;
	}
	int64_t local = ms / 1000 + *cache_off;
	int64_t hr = (local / 3600) % 24;
	return (int)(hr < 0 ? hr + 24 : hr);
}

static int fail_db(struct mc_report *r, char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s: %s", what, sqlite3_errmsg(r->db));
	return -1;
}

/* Names a counter's or clerk's row: "WORD N", or the none text for 0. */
static void name_numbered(struct mc_report_row *row, int k, const char *vi, const char *en,
			  const char *vi_none, const char *en_none)
{
	snprintf(row->key, sizeof(row->key), "%d", k);
	if (k) {
		snprintf(row->name, sizeof(row->name), "%s %d", vi, k);
		snprintf(row->name_en, sizeof(row->name_en), "%s %d", en, k);
	} else {
		snprintf(row->name, sizeof(row->name), "%s", vi_none);
		snprintf(row->name_en, sizeof(row->name_en), "%s", en_none);
	}
}

/* The scale a rating was given on, from its rating event's stored text
 * (scale.h): fills t->scale and turns a legacy rating (worst first) into a
 * position best first. -1 with a message when the text is not a scale or
 * the period holds more scales than a report can. */
static int rating_scale(struct mc_report *r, struct tk *t, const char *text, char *err, size_t errlen)
{
	struct mc_scale sc;
	int i;

	if (!text)
		text = "";
	if (r->last_scale_i >= 0 && !strcmp(text, r->last_scale)) {
		i = r->last_scale_i;
	} else {
		if (mc_scale_parse(text, &sc) < 0) {
			snprintf(err, errlen, "ticket %lld: the rating's scale '%.60s' cannot be read",
				 (long long)t->id, text);
			return -1;
		}
		for (i = 0; i < r->nscales && !mc_scale_equal(&r->scales[i], &sc); i++)
			;
		if (i == r->nscales) {
			if (r->nscales == MC_REPORT_SCALES) {
				snprintf(err, errlen, "more than %d satisfaction scales in the period: "
					 "report a shorter one", MC_REPORT_SCALES);
				return -1;
			}
			r->scales[r->nscales++] = sc;
		}
		snprintf(r->last_scale, sizeof(r->last_scale), "%s", text);
		r->last_scale_i = i;
	}
	t->scale = i;
	if (r->scales[i].legacy)
		t->rating = mc_scale_legacy_rating(t->rating);
	if (t->rating > r->scales[i].n)
		t->rating = 0;
	return 0;
}

static int read_tickets(struct mc_report *r, char *err, size_t errlen)
{
	sqlite3_stmt *s, *range = NULL;
	int64_t cache_hour = INT64_MIN;
	long cache_off = 0;
	int total_days = r->opts.to - r->opts.from + 1;
	int rc = -1;

	if (sqlite3_prepare_v2(r->db,
			       "SELECT id, service, label, priority, status, counter, clerk, rating,"
			       " transfers, issued_at, wait_ms, service_ms, print,"
			       " CASE WHEN rating > 0 THEN (SELECT detail FROM events WHERE ticket = tickets.id"
			       "  AND kind = 'rate' ORDER BY id DESC LIMIT 1) END FROM tickets"
			       " WHERE id BETWEEN ?1 AND ?2 AND +day = ?3 ORDER BY id", -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(r->db, "SELECT MIN(id), MAX(id) FROM tickets WHERE day = ?", -1, &range,
			       NULL) != SQLITE_OK) {
		fail_db(r, err, errlen, "reading tickets");
		sqlite3_finalize(s);
		return -1;
	}
	for (int32_t day = r->opts.from; day <= r->opts.to; day++) {
		char dtext[16];
		int step, n = 0;
		mc_format_day(day, dtext, sizeof(dtext));
		/* A day's ids from the index on day, then its rows by id: ids
		 * grow with time, so this reads the table in order instead of
		 * one index lookup per row. */
		sqlite3_reset(range);
		sqlite3_bind_text(range, 1, dtext, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(range) != SQLITE_ROW) {
			fail_db(r, err, errlen, "reading tickets");
			goto out;
		}
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, sqlite3_column_int64(range, 0));
		sqlite3_bind_int64(s, 2, sqlite3_column_int64(range, 1));
		sqlite3_bind_text(s, 3, dtext, -1, SQLITE_TRANSIENT);
		while ((step = sqlite3_step(s)) == SQLITE_ROW) {
			struct tk t = {
				.id = sqlite3_column_int64(s, 0),
				.service = (const char *)sqlite3_column_text(s, 1),
				.day = day,
				.label = (const char *)sqlite3_column_text(s, 2),
				.priority = sqlite3_column_int(s, 3) != 0,
				.status = (const char *)sqlite3_column_text(s, 4),
				.counter = sqlite3_column_int(s, 5),
				.clerk = sqlite3_column_int(s, 6),
				.rating = sqlite3_column_int(s, 7),
				.transfers = sqlite3_column_int(s, 8),
				.issued_at = sqlite3_column_int64(s, 9),
				.wait_ms = sqlite3_column_int64(s, 10),
				.service_ms = sqlite3_column_int64(s, 11),
				.print = (const char *)sqlite3_column_text(s, 12),
			};
			if (!t.service || !t.label || !t.status)
				goto err_nomem;
			if (t.rating && rating_scale(r, &t, (const char *)sqlite3_column_text(s, 13), err, errlen) < 0)
				goto out;
			t.hour = local_hour(t.issued_at, &cache_hour, &cache_off);
			int64_t target = target_ms(r, t.service);
			n++;
			if (!acc_ticket(&r->total, &t, target, r->scales))
				goto err_nomem;
			keep_worst(r, &t, target);
			for (int d = 0; d < MC_REPORT_NDIMS; d++) {
				struct dim *dm = &r->dims[d];
				int k;
				if (!dm->acc)
					continue;
				switch (d) {
				case MC_REPORT_SERVICE: k = service_slot(r, t.service); break;
				case MC_REPORT_COUNTER: k = t.counter; break;
				case MC_REPORT_CLERK: k = t.clerk; break;
				case MC_REPORT_HOUR: k = t.hour; break;
				default: k = mc_weekday(day); break;
				}
				if (k < 0 && d == MC_REPORT_SERVICE)
					goto err_nomem;
				if (k < 0 || k >= dm->nkeys)
					continue; /* a counter or clerk number out of range */
				if (!acc_ticket(&dm->acc[k], &t, target, r->scales))
					goto err_nomem;
			}
		}
		if (step != SQLITE_DONE) {
			fail_db(r, err, errlen, "reading tickets");
			goto out;
		}
		if (n)
			r->days_with_tickets++;
		if (r->opts.progress)
			r->opts.progress(r->opts.progress_ctx, day - r->opts.from + 1, total_days);
	}
	rc = 0;
	goto out;

err_nomem:
	snprintf(err, errlen, "out of memory");
out:
	sqlite3_finalize(s);
	sqlite3_finalize(range);
	return rc;
}

/* ---- counter and clerk sessions ------------------------------------------ */

/* A counter's session state while replaying events. */
struct sess {
	int clerk;                  /* logged-in clerk, 0: none */
	bool paused;                /* paused */
	bool seen;                  /* has a last event */
	int64_t mono, boot, wall;   /* time of its last event */
};

/* Credits the time since c's last event to its counter and clerk. */
static void credit(struct mc_report *r, int counter, struct sess *c, int64_t mono, int64_t boot, int64_t wall)
{
	if (c->seen && c->clerk) {
		int64_t d = span(c->mono, c->boot, c->wall, mono, boot, wall);
		struct dim *dc = &r->dims[MC_REPORT_COUNTER], *dk = &r->dims[MC_REPORT_CLERK];
		if (dc->acc) {
			struct acc *a = &dc->acc[counter];
			a->used = true;
			a->row.logged_ms += d;
			if (c->paused)
				a->row.paused_ms += d;
			else
				a->row.open_ms += d;
		}
		if (dk->acc && c->clerk <= MAX_CLERK) {
			struct acc *a = &dk->acc[c->clerk];
			a->used = true;
			a->row.logged_ms += d;
			if (c->paused)
				a->row.paused_ms += d;
			else
				a->row.open_ms += d;
		}
	}
	c->seen = true;
	c->mono = mono;
	c->boot = boot;
	c->wall = wall;
}

/* Replays the events that belong to no ticket (logins, logouts, pauses,
 * rollovers) from the period's first day on; a session still open when the
 * period's last day rolls over is closed by that rollover's LOGOUT (those
 * carry the new day), and reading stops at that rollover. Uses the index on
 * events(ticket), so only these few events are read. */
static int read_sessions(struct mc_report *r, char *err, size_t errlen)
{
	sqlite3_stmt *s;
	struct sess *c = calloc(MAX_COUNTER + 1, sizeof(*c));
	char from[16], last[16];
	int step;

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	mc_format_day(r->opts.from, from, sizeof(from));
	mc_format_day(r->opts.to, last, sizeof(last));
	if (sqlite3_prepare_v2(r->db,
			       "SELECT mono, boot, at, day, kind, counter, value FROM events"
			       " WHERE ticket = 0 AND day >= ?1 ORDER BY id",
			       -1, &s, NULL) != SQLITE_OK) {
		free(c);
		return fail_db(r, err, errlen, "reading sessions");
	}
	sqlite3_bind_text(s, 1, from, -1, SQLITE_TRANSIENT);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t mono = sqlite3_column_int64(s, 0), boot = sqlite3_column_int64(s, 1);
		int64_t wall = sqlite3_column_int64(s, 2);
		const char *day = (const char *)sqlite3_column_text(s, 3);
		const char *kind = (const char *)sqlite3_column_text(s, 4);
		int counter = sqlite3_column_int(s, 5), value = sqlite3_column_int(s, 6);
		if (!day || !kind)
			continue;
		if (!strcmp(kind, "rollover")) {
			/* Every session ended with the day; nothing after the
			 * rollover out of the period's last day belongs to it. */
			for (int i = 0; i <= MAX_COUNTER; i++) {
				credit(r, i, &c[i], mono, boot, wall);
				c[i] = (struct sess){ 0 };
			}
			if (strcmp(day, last) > 0)
				break;
			continue;
		}
		if (counter < 1 || counter > MAX_COUNTER)
			continue;
		struct sess *cs = &c[counter];
		credit(r, counter, cs, mono, boot, wall);
		if (!strcmp(kind, "login"))
			cs->clerk = value;
		else if (!strcmp(kind, "logout"))
			cs->clerk = 0;
		else if (!strcmp(kind, "pause"))
			cs->paused = true;
		else if (!strcmp(kind, "resume"))
			cs->paused = false;
	}
	sqlite3_finalize(s);
	free(c);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return fail_db(r, err, errlen, "reading sessions");
	return 0;
}

/* ---- summarising ------------------------------------------------------- */

static void finish_acc(struct acc *a, struct mc_report_row *out)
{
	*out = a->row;
	vals_summarise(&a->wait, &out->wait);
	vals_summarise(&a->service, &out->service);
	for (int sc = 0; sc < MC_REPORT_SCALES; sc++)
		for (int k = 1; k <= MC_SCALE_MAX; k++)
			out->wait_by_rating_ms[sc][k] = a->rating_waits[sc][k] ?
				a->rating_wait[sc][k] / a->rating_waits[sc][k] : 0;
}

static void label_row(const struct mc_report *r, int d, int k, struct mc_report_row *row)
{
	switch (d) {
	case MC_REPORT_SERVICE:
		if (k < r->cfg->nservices) {
			const struct mc_service_conf *sc = &r->cfg->services[k];
			snprintf(row->key, sizeof(row->key), "%s", sc->key);
			snprintf(row->name, sizeof(row->name), "%s", sc->name);
			snprintf(row->name_en, sizeof(row->name_en), "%s", *sc->name_en ? sc->name_en : sc->name);
			row->target_ms = (int64_t)sc->target_wait_s * 1000;
		} else {
			const char *key = k - r->cfg->nservices < r->nextra ? r->extra[k - r->cfg->nservices] : "?";
			snprintf(row->key, sizeof(row->key), "%s", key);
			snprintf(row->name, sizeof(row->name), "%s (không còn trong board.conf)", key);
			snprintf(row->name_en, sizeof(row->name_en), "%s (no longer in board.conf)", key);
		}
		break;
	case MC_REPORT_COUNTER:
		name_numbered(row, k, "Quầy", "Counter", "Chưa đến quầy", "Never called");
		break;
	case MC_REPORT_CLERK:
		name_numbered(row, k, "Cán bộ", "Clerk", "Không đăng nhập", "No clerk");
		/* A clerk named in board.conf ([clerk.N] name) by name: the
		 * manager knows people, not numbers (the key keeps N). */
		if (k && mc_config_clerk_name(r->cfg, k)) {
			snprintf(row->name, sizeof(row->name), "%s", mc_config_clerk_name(r->cfg, k));
			snprintf(row->name_en, sizeof(row->name_en), "%s", mc_config_clerk_name(r->cfg, k));
		}
		break;
	case MC_REPORT_HOUR:
		snprintf(row->key, sizeof(row->key), "%02d", k);
		snprintf(row->name, sizeof(row->name), "%02d:00–%02d:00", k, (k + 1) % 24);
		snprintf(row->name_en, sizeof(row->name_en), "%02d:00-%02d:00", k, (k + 1) % 24);
		break;
	default:
		snprintf(row->key, sizeof(row->key), "%d", k);
		snprintf(row->name, sizeof(row->name), "%s", weekday_vi[k]);
		snprintf(row->name_en, sizeof(row->name_en), "%s", weekday_en[k]);
		break;
	}
}

static int summarise(struct mc_report *r, char *err, size_t errlen)
{
	finish_acc(&r->total, &r->total_row);
	snprintf(r->total_row.key, sizeof(r->total_row.key), "total");
	snprintf(r->total_row.name, sizeof(r->total_row.name), "Tổng cộng");
	snprintf(r->total_row.name_en, sizeof(r->total_row.name_en), "Total");
	for (int d = 0; d < MC_REPORT_NDIMS; d++) {
		struct dim *dm = &r->dims[d];
		if (!dm->acc)
			continue;
		dm->rows = calloc((size_t)dm->nkeys, sizeof(*dm->rows));
		if (!dm->rows) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		/* Weekdays from Monday, as a Vietnamese calendar shows them. */
		for (int i = 0; i < dm->nkeys; i++) {
			int k = d == MC_REPORT_WEEKDAY ? (i + 1) % 7 : i;
			bool always = d == MC_REPORT_HOUR || d == MC_REPORT_WEEKDAY;
			bool board = d == MC_REPORT_SERVICE && k < r->cfg->nservices;
			if (!dm->acc[k].used && !always && !board)
				continue;
			struct mc_report_row *row = &dm->rows[dm->nrows++];
			finish_acc(&dm->acc[k], row);
			label_row(r, d, k, row);
		}
	}
	return 0;
}

/* ---- opening the database ---------------------------------------------- */

/* Builds a read-only URI for path, escaping what URIs reserve. */
static void make_uri(const char *path, bool immutable, char *buf, size_t len)
{
	size_t o = 0;
	o += (size_t)snprintf(buf, len, "file:");
	for (const unsigned char *p = (const unsigned char *)path; *p && o + 4 < len; p++) {
		if (*p == '%' || *p == '?' || *p == '#' || *p < 0x20)
			o += (size_t)snprintf(buf + o, len - o, "%%%02X", *p);
		else
			buf[o++] = (char)*p;
	}
	buf[o < len ? o : len - 1] = 0;
	snprintf(buf + strlen(buf), len - strlen(buf), "?mode=ro%s", immutable ? "&immutable=1" : "");
}

/* Opens path read-only and checks that it is a kiosk database this code
 * understands. A WAL database in a directory we cannot write (a copy on a
 * read-only share) is opened as immutable. */
static int open_db(struct mc_report *r, const char *path, char *err, size_t errlen)
{
	char uri[1200];
	sqlite3_stmt *s = NULL;

	for (int attempt = 0; attempt < 2; attempt++) {
		make_uri(path, attempt == 1, uri, sizeof(uri));
		if (sqlite3_open_v2(uri, &r->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
			snprintf(err, errlen, "cannot open %s: %s", path, r->db ? sqlite3_errmsg(r->db) : "out of memory");
			sqlite3_close(r->db);
			r->db = NULL;
			return -1;
		}
		sqlite3_busy_timeout(r->db, 2000);
		int rc = sqlite3_prepare_v2(r->db, "SELECT version FROM schema_version", -1, &s, NULL);
		int ec = sqlite3_extended_errcode(r->db);
		if (rc == SQLITE_OK)
			break;
		if (attempt == 0 && (ec == SQLITE_CANTOPEN || (ec & 0xff) == SQLITE_READONLY)) {
			sqlite3_close(r->db);
			r->db = NULL;
			continue;
		}
		if (rc == SQLITE_NOTADB || rc == SQLITE_ERROR)
			snprintf(err, errlen, "%s is not a kiosk database (%s)", path, sqlite3_errmsg(r->db));
		else
			snprintf(err, errlen, "cannot read %s: %s", path, sqlite3_errmsg(r->db));
		return -1;
	}
	int v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
	sqlite3_finalize(s);
	if (v < 1) {
		snprintf(err, errlen, "%s is not a kiosk database (no schema version)", path);
		return -1;
	}
	/* Later schemas only add (store.c's migrations are append-only), and
	 * every statement here names its columns: a newer file is read as is,
	 * and a column that went missing fails with SQLite's own message. */
	return 0;
}

/* ---- the report --------------------------------------------------------- */

struct mc_report *mc_report_compute(const char *db_path, const struct mc_config *cfg,
				    const struct mc_report_opts *opts, char *err, size_t errlen)
{
	static const int nkeys[MC_REPORT_NDIMS] = {
		MC_MAX_SERVICES * 4, MAX_COUNTER + 1, MAX_CLERK + 1, 24, 7,
	};
	struct mc_report *r;

	if (opts->to < opts->from) {
		snprintf(err, errlen, "the period ends before it starts");
		return NULL;
	}
	if (opts->to - opts->from > 366 * 10) {
		snprintf(err, errlen, "the period is longer than ten years");
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (r)
		r->last_scale_i = -1;
	if (!r)
		goto err_nomem;
	r->cfg = cfg;
	r->opts = *opts;
	if (r->opts.worst <= 0)
		r->opts.worst = 10;
	r->worst = calloc((size_t)r->opts.worst, sizeof(*r->worst));
	if (!r->worst)
		goto err_nomem;
	r->total.last_day = INT32_MIN;
	for (int d = 0; d < MC_REPORT_NDIMS; d++) {
		if (!(opts->dims & (1u << d)))
			continue;
		r->dims[d].nkeys = nkeys[d];
		r->dims[d].acc = calloc((size_t)nkeys[d], sizeof(struct acc));
		if (!r->dims[d].acc)
			goto err_nomem;
		for (int k = 0; k < nkeys[d]; k++)
			r->dims[d].acc[k].last_day = INT32_MIN;
	}
	if (open_db(r, db_path, err, errlen) || read_tickets(r, err, errlen) ||
	    read_sessions(r, err, errlen) || summarise(r, err, errlen))
		goto err_free;
	sqlite3_close(r->db);
	r->db = NULL;
	/* The accumulators are spent; keep only the rows. */
	for (int d = 0; d < MC_REPORT_NDIMS; d++) {
		if (!r->dims[d].acc)
			continue;
		for (int k = 0; k < r->dims[d].nkeys; k++)
			acc_free(&r->dims[d].acc[k]);
		free(r->dims[d].acc);
		r->dims[d].acc = NULL;
	}
	return r;

err_nomem:
	snprintf(err, errlen, "out of memory");
err_free:
	mc_report_free(r);
	return NULL;
}

void mc_report_free(struct mc_report *r)
{
	if (!r)
		return;
	sqlite3_close(r->db);
	acc_free(&r->total);
	for (int d = 0; d < MC_REPORT_NDIMS; d++) {
		if (r->dims[d].acc)
			for (int k = 0; k < r->dims[d].nkeys; k++)
				acc_free(&r->dims[d].acc[k]);
		free(r->dims[d].acc);
		free(r->dims[d].rows);
	}
	free(r->extra);
	free(r->worst);
	free(r);
}

const struct mc_report_opts *mc_report_options(const struct mc_report *r)
{
	return &r->opts;
}

const struct mc_config *mc_report_config(const struct mc_report *r)
{
	return r->cfg;
}

const struct mc_report_row *mc_report_total(const struct mc_report *r)
{
	return &r->total_row;
}

const struct mc_report_row *mc_report_rows(const struct mc_report *r, enum mc_report_dim dim, size_t *n)
{
	if ((unsigned)dim >= MC_REPORT_NDIMS) {
		*n = 0;
		return NULL;
	}
	*n = r->dims[dim].nrows;
	return r->dims[dim].rows;
}

const struct mc_report_worst *mc_report_worst(const struct mc_report *r, size_t *n)
{
	*n = r->nworst;
	return r->worst;
}

int mc_report_nscales(const struct mc_report *r)
{
	return r->nscales;
}

const struct mc_scale *mc_report_scale(const struct mc_report *r, int i)
{
	return i >= 0 && i < r->nscales ? &r->scales[i] : NULL;
}

int mc_report_days_with_tickets(const struct mc_report *r)
{
	return r->days_with_tickets;
}
