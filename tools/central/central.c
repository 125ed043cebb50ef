/* central.c — schema migration, office registration and the city's report
 * on the city's PostgreSQL (see central.h). */
#include "central.h"

#include <ctype.h>
#include <stdint.h>

#include "report.h"
#include "scale.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

/* Runs sql (no parameters); 0, or -1 with err. */
static int run(PGconn *c, const char *sql, char *err, size_t errlen)
{
	PGresult *r = PQexec(c, sql);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;

	if (!ok)
		snprintf(err, errlen, "%s", PQresultErrorMessage(r));
	PQclear(r);
	return ok ? 0 : -1;
}

/* Runs a parameterised query; the result, or NULL with err. */
static PGresult *query(PGconn *c, const char *sql, int n, const char *const *params, char *err,
		       size_t errlen)
{
	PGresult *r = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);

	if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK) {
		snprintf(err, errlen, "%s", PQresultErrorMessage(r));
		PQclear(r);
		return NULL;
	}
	return r;
}

int mc_central_version(PGconn *c, char *err, size_t errlen)
{
	PGresult *r = query(c, "SELECT to_regclass('motcua.schema_version') IS NOT NULL", 0, NULL, err, errlen);
	int v = 0;

	if (!r)
		return -1;
	bool have = !strcmp(PQgetvalue(r, 0, 0), "t");
	PQclear(r);
	if (!have)
		return 0;
	if (!(r = query(c, "SELECT coalesce(max(version), 0) FROM motcua.schema_version", 0, NULL, err, errlen)))
		return -1;
	v = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	return v;
}

int mc_central_init(PGconn *c, int target, int *from, int *to, char *err, size_t errlen)
{
	int v;

	if (target <= 0 || target > mc_central_nmigrations)
		target = mc_central_nmigrations;

	/* One administrator at a time: the lock holds until the end. */
	if (run(c, "BEGIN", err, errlen) ||
	    run(c, "SELECT pg_advisory_xact_lock(7306712)", err, errlen) ||
	    run(c, "CREATE SCHEMA IF NOT EXISTS motcua", err, errlen) ||
	    run(c, "CREATE TABLE IF NOT EXISTS motcua.schema_version (version int NOT NULL)", err, errlen))
		goto err_rollback;
	if ((v = mc_central_version(c, err, errlen)) < 0)
		goto err_rollback;
	*from = v;
	if (v > mc_central_nmigrations) {
		snprintf(err, errlen, "the central schema is version %d, newer than this kioskctl (%d)", v,
			 mc_central_nmigrations);
		goto err_rollback;
	}
	for (; v < target; v++) {
		char sql[128];
		if (run(c, mc_central_migrations[v], err, errlen))
			goto err_rollback;
		snprintf(sql, sizeof(sql), "DELETE FROM motcua.schema_version; INSERT INTO motcua.schema_version VALUES (%d)",
			 v + 1);
		if (run(c, sql, err, errlen))
			goto err_rollback;
	}
	*to = v;
	/* Monthly partitions: January 2025 to three years from now. */
	if (run(c,
		"DO $$ DECLARE m date := date '2025-01-01'; n text; BEGIN"
		"  WHILE m < date_trunc('month', now()) + interval '37 months' LOOP"
		"    n := 'events_' || to_char(m, 'YYYY_MM');"
		"    IF to_regclass('motcua.' || n) IS NULL THEN"
		"      EXECUTE format('CREATE TABLE motcua.%I PARTITION OF motcua.events"
		"        FOR VALUES FROM (%L) TO (%L)', n, m::timestamptz, (m + interval '1 month')::timestamptz);"
		"    END IF;"
		"    m := m + interval '1 month';"
		"  END LOOP; END $$", err, errlen) ||
	    run(c, "COMMIT", err, errlen))
		goto err_rollback;
	return 0;

err_rollback:
	PQclear(PQexec(c, "ROLLBACK"));
	return -1;
}

int mc_central_add_office(PGconn *c, const char *code, const char *name, const char *grp,
			  char *role, size_t rolelen, char *password, size_t pwlen,
			  char *err, size_t errlen)
{
	unsigned char b[16];
	char lower[40];
	size_t i;

	if (!*code || strlen(code) >= 32) {
		snprintf(err, errlen, "an office code is 1-31 letters, digits, '-' or '_'");
		return -1;
	}
	for (i = 0; code[i]; i++) {
		if (!isalnum((unsigned char)code[i]) && code[i] != '-' && code[i] != '_') {
			snprintf(err, errlen, "'%s' is not an office code (letters, digits, '-' or '_')", code);
			return -1;
		}
		lower[i] = code[i] == '-' ? '_' : (char)tolower((unsigned char)code[i]);
	}
	lower[i] = 0;
	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b) || pwlen < 33) {
		snprintf(err, errlen, "no random bytes for the password");
		return -1;
	}
	for (i = 0; i < sizeof(b); i++)
		snprintf(password + 2 * i, 3, "%02x", b[i]);
	snprintf(role, rolelen, "office_%s", lower);

	const char *p[4] = { code, name, grp, role };
	PGresult *r;
	if (run(c, "BEGIN", err, errlen))
		return -1;
	if (!(r = query(c, "SELECT 1 FROM pg_roles WHERE rolname = $1", 1, p + 3, err, errlen)))
		goto err_rollback;
	bool exists = PQntuples(r) > 0;
	PQclear(r);
	char *qrole = PQescapeIdentifier(c, role, strlen(role));
	char *qpw = PQescapeLiteral(c, password, strlen(password));
	char sql[512];
	snprintf(sql, sizeof(sql), "%s ROLE %s LOGIN PASSWORD %s; GRANT motcua_office TO %s",
		 exists ? "ALTER" : "CREATE", qrole ? qrole : "?", qpw ? qpw : "''", qrole ? qrole : "?");
	PQfreemem(qrole);
	PQfreemem(qpw);
	if (run(c, sql, err, errlen))
		goto err_rollback;
	if (!(r = query(c,
			"INSERT INTO motcua.offices (code, name, grp, role) VALUES ($1, $2, $3, $4)"
			" ON CONFLICT (code) DO UPDATE SET name = excluded.name, grp = excluded.grp, role = excluded.role",
			4, p, err, errlen)))
		goto err_rollback;
	PQclear(r);
	return run(c, "COMMIT", err, errlen);

err_rollback:
	PQclear(PQexec(c, "ROLLBACK"));
	return -1;
}

int mc_central_add_reader(PGconn *c, const char *role, char *password, size_t pwlen, char *err, size_t errlen)
{
	unsigned char b[16];
	char sql[512];

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b) || pwlen < 33) {
		snprintf(err, errlen, "no random bytes for the password");
		return -1;
	}
	for (size_t i = 0; i < sizeof(b); i++)
		snprintf(password + 2 * i, 3, "%02x", b[i]);
	const char *p[1] = { role };
	PGresult *r = query(c, "SELECT 1 FROM pg_roles WHERE rolname = $1", 1, p, err, errlen);
	if (!r)
		return -1;
	bool exists = PQntuples(r) > 0;
	PQclear(r);
	char *qrole = PQescapeIdentifier(c, role, strlen(role));
	char *qpw = PQescapeLiteral(c, password, strlen(password));
	snprintf(sql, sizeof(sql), "%s ROLE %s LOGIN PASSWORD %s; GRANT motcua_report TO %s",
		 exists ? "ALTER" : "CREATE", qrole ? qrole : "?", qpw ? qpw : "''", qrole ? qrole : "?");
	PQfreemem(qrole);
	PQfreemem(qpw);
	return run(c, sql, err, errlen);
}

/* ---- the report --------------------------------------------------------- */

/* Figures per (office, service) of one month: counts and means from the
 * roll-ups or from the tickets, medians and P90 always from the tickets.
 * $1, $2: first and last local day; $3: group or NULL. */
static const char SQL_ROLLUPS[] =
	"WITH o AS (SELECT code FROM motcua.offices WHERE $3::text IS NULL OR grp = $3)"
	" SELECT office, service, sum(tickets), sum(served), sum(noshow), sum(voided), sum(expired),"
	"  sum(in_doubt), sum(waits), sum(wait_sum_ms), sum(with_target), sum(over_target),"
	"  sum(rated), sum(satisfied), sum(l1), sum(l2), sum(l3), sum(l4), sum(l5)"
	" FROM motcua.daily WHERE office IN (SELECT code FROM o) AND day BETWEEN $1 AND $2"
	" GROUP BY office, service ORDER BY office, service";

static const char SQL_TICKETS[] =
	"WITH o AS (SELECT code FROM motcua.offices WHERE $3::text IS NULL OR grp = $3)"
	" SELECT t.office, t.service, count(*), count(*) FILTER (WHERE status = 'finished'),"
	"  count(*) FILTER (WHERE status = 'noshow'), count(*) FILTER (WHERE status = 'voided'),"
	"  count(*) FILTER (WHERE status = 'expired'), count(*) FILTER (WHERE print = 'in_doubt'),"
	"  count(*) FILTER (WHERE wait_ms >= 0), coalesce(sum(wait_ms) FILTER (WHERE wait_ms >= 0), 0),"
	"  count(*) FILTER (WHERE wait_ms >= 0 AND s.target_ms > 0),"
	"  count(*) FILTER (WHERE wait_ms >= 0 AND s.target_ms > 0 AND wait_ms > s.target_ms),"
	"  count(*) FILTER (WHERE level > 0), count(*) FILTER (WHERE t.satisfied),"
	"  count(*) FILTER (WHERE level = 1), count(*) FILTER (WHERE level = 2),"
	"  count(*) FILTER (WHERE level = 3), count(*) FILTER (WHERE level = 4),"
	"  count(*) FILTER (WHERE level = 5)"
	" FROM motcua.tickets t LEFT JOIN motcua.services s ON s.office = t.office AND s.service = t.service"
	" WHERE t.office IN (SELECT code FROM o) AND t.day BETWEEN $1 AND $2"
	" GROUP BY t.office, t.service ORDER BY t.office, t.service";

/* The waits of the month per (office, service), for exact medians and P90
 * computed here (the local report's own definitions and sort): from the
 * roll-ups' sorted daily arrays, or gathered from the tickets. */
static const char SQL_WAITS_ROLLUPS[] =
	"WITH o AS (SELECT code, grp FROM motcua.offices WHERE $3::text IS NULL OR grp = $3)"
	" SELECT d.office, o.grp, d.service, d.wait_values FROM motcua.daily d JOIN o ON o.code = d.office"
	" WHERE d.day BETWEEN $1 AND $2 AND d.waits > 0 ORDER BY d.office, d.service";
static const char SQL_WAITS_TICKETS[] =
	"WITH o AS (SELECT code, grp FROM motcua.offices WHERE $3::text IS NULL OR grp = $3)"
	" SELECT t.office, o.grp, t.service, array_agg(t.wait_ms) FROM motcua.tickets t JOIN o ON o.code = t.office"
	" WHERE t.day BETWEEN $1 AND $2 AND t.wait_ms >= 0 GROUP BY t.office, o.grp, t.service ORDER BY 1, 3";

/* The counted fields of a figure set, in SQL column order from 2. */
static const char *const COUNTS[] = {
	"tickets", "served", "noshow", "voided", "expired", "in_doubt", "waits", "wait_sum_ms",
	"with_target", "over_target", "rated", "satisfied_count",
};
#define NCOUNTS 12
#define NLEVELS MC_SCALE_MAX   /* rating positions 1..5 */

static json_t *new_figures(void)
{
	json_t *f = json_object();
	for (int i = 0; i < NCOUNTS; i++)
		json_object_set_new(f, COUNTS[i], json_integer(0));
	json_object_set_new(f, "ratings", json_pack("[iiiii]", 0, 0, 0, 0, 0));
	return f;
}

/* Adds the counts of b into a. */
static void add_figures(json_t *a, const json_t *b)
{
	for (int i = 0; i < NCOUNTS; i++)
		json_object_set_new(a, COUNTS[i], json_integer(json_integer_value(json_object_get(a, COUNTS[i])) +
							       json_integer_value(json_object_get(b, COUNTS[i]))));
	json_t *ra = json_object_get(a, "ratings"), *rb = json_object_get(b, "ratings");
	for (size_t k = 0; k < NLEVELS; k++)
		json_array_set_new(ra, k, json_integer(json_integer_value(json_array_get(ra, k)) +
						       json_integer_value(json_array_get(rb, k))));
}

/* Derived shares and the mean from the counts. */
static void finish_figures(json_t *f)
{
	json_int_t waits = json_integer_value(json_object_get(f, "waits"));
	json_int_t sum = json_integer_value(json_object_get(f, "wait_sum_ms"));
	json_int_t wt = json_integer_value(json_object_get(f, "with_target"));
	json_int_t ot = json_integer_value(json_object_get(f, "over_target"));
	/* Each rating was counted satisfied or not on its own stored scale
	 * when it was folded in (schema 2), as the office's report does. */
	json_int_t nr = json_integer_value(json_object_get(f, "rated"));
	json_int_t sat = json_integer_value(json_object_get(f, "satisfied_count"));
	json_object_set_new(f, "wait_mean_ms", waits ? json_real((double)sum / (double)waits) : json_null());
	json_object_set_new(f, "within_target", wt ? json_real((double)(wt - ot) / (double)wt) : json_null());
	json_object_set_new(f, "satisfied", nr ? json_real((double)sat / (double)nr) : json_null());
	if (!json_object_get(f, "wait_median_ms"))
		json_object_set_new(f, "wait_median_ms", json_null());
	if (!json_object_get(f, "wait_p90_ms"))
		json_object_set_new(f, "wait_p90_ms", json_null());
}

/* The board's scale from its stored text as JSON ({levels,
 * satisfied_levels, labels, labels_en}), or null when unknown ("": the
 * office's uplink has not sent it yet) or unreadable. */
static json_t *scale_json(const char *text)
{
	struct mc_scale sc;

	if (!*text || mc_scale_parse(text, &sc) < 0)
		return json_null();
	json_t *vi = json_array(), *en = json_array();
	for (int k = 0; k < sc.n; k++) {
		json_array_append_new(vi, json_string(sc.vi[k]));
		json_array_append_new(en, json_string(sc.en[k]));
	}
	return json_pack("{s:i, s:i, s:o, s:o}", "levels", sc.n, "satisfied_levels", sc.satisfied, "labels", vi,
			 "labels_en", en);
}

/* Adds "levels" to a figure set: the counts by position with their
 * shares of all ratings, labelled with the board's scale (positions
 * past it, rated on an earlier larger scale, have null labels). */
static void label_levels(json_t *f, const json_t *scale)
{
	json_t *r = json_object_get(f, "ratings"), *out = json_array();
	size_t n = json_is_object(scale) ? (size_t)json_integer_value(json_object_get(scale, "levels")) : 0, upto = n;
	json_int_t all = 0;

	for (size_t k = 0; k < NLEVELS; k++) {
		json_int_t c = json_integer_value(json_array_get(r, k));
		all += c;
		if (c && k + 1 > upto)
			upto = k + 1;
	}
	for (size_t k = 0; k < upto; k++) {
		json_int_t c = json_integer_value(json_array_get(r, k));
		json_t *vi = k < n ? json_array_get(json_object_get(scale, "labels"), k) : NULL;
		json_t *en = k < n ? json_array_get(json_object_get(scale, "labels_en"), k) : NULL;
		json_array_append_new(out, json_pack("{s:i, s:O, s:O, s:I, s:o}", "level", (int)k + 1,
						     "label", vi ? vi : json_null(), "label_en", en ? en : json_null(),
						     "count", (json_int_t)c,
						     "share", all ? json_real((double)c / (double)all) : json_null()));
	}
	json_object_set_new(f, "levels", out);
}

/* Median and P90 of n waits (sorted in place) into f. */
static void set_stats(json_t *f, int64_t *v, size_t n)
{
	struct mc_report_stats st;

	mc_report_stats_of(v, n, &st);
	json_object_set_new(f, "wait_median_ms", n ? json_real(st.median_ms) : json_null());
	json_object_set_new(f, "wait_p90_ms", n ? json_integer(st.p90_ms) : json_null());
}

/* The waits of one (office, service) pair. */
struct pair {
	char office[40], grp[160], service[40];
	int64_t *v;              /* values */
	size_t n, cap;           /* used, allocated */
};

/* Appends the numbers of a PostgreSQL array text "{1,2,3}" to p. */
static int parse_values(struct pair *p, const char *s)
{
	for (s = strchr(s, '{'); s && *s && *s != '}';) {
		char *end;
		s++;
		long long x = strtoll(s, &end, 10);
		if (end == s)
			break;
		if (p->n == p->cap) {
			size_t cap = p->cap ? p->cap * 2 : 1024;
			int64_t *q = realloc(p->v, cap * sizeof(*q));
			if (!q)
				return -1;
			p->v = q;
			p->cap = cap;
		}
		p->v[p->n++] = x;
		s = end;
	}
	return 0;
}

/* Medians and P90 of every pair, office, group and the city, into
 * pct_pair ("office\tservice"), pct_office, pct_group and pct_city. */
static int wait_stats(PGconn *c, const char *const *p, bool rollups, json_t *pct_pair, json_t *pct_office,
		      json_t *pct_group, json_t *pct_city, char *err, size_t errlen)
{
	PGresult *r = query(c, rollups ? SQL_WAITS_ROLLUPS : SQL_WAITS_TICKETS, 3, p, err, errlen);
	struct pair *pairs = NULL;
	size_t np = 0, total = 0;
	int64_t *all = NULL, *tmp = NULL;
	int rc = -1;

	if (!r)
		return -1;
	for (int i = 0; i < PQntuples(r); i++) {
		const char *office = PQgetvalue(r, i, 0), *service = PQgetvalue(r, i, 2);
		if (!np || strcmp(pairs[np - 1].office, office) || strcmp(pairs[np - 1].service, service)) {
			struct pair *q = realloc(pairs, (np + 1) * sizeof(*q));
			if (!q)
				goto out_nomem;
			pairs = q;
			memset(&pairs[np], 0, sizeof(pairs[np]));
			snprintf(pairs[np].office, sizeof(pairs[np].office), "%s", office);
			snprintf(pairs[np].grp, sizeof(pairs[np].grp), "%s", PQgetvalue(r, i, 1));
			snprintf(pairs[np].service, sizeof(pairs[np].service), "%s", service);
			np++;
		}
		if (parse_values(&pairs[np - 1], PQgetvalue(r, i, 3)))
			goto out_nomem;
	}
	PQclear(r);
	r = NULL;
	for (size_t i = 0; i < np; i++)
		total += pairs[i].n;
	all = malloc((total ? total : 1) * sizeof(*all));
	tmp = malloc((total ? total : 1) * sizeof(*tmp));
	if (!all || !tmp)
		goto out_nomem;
	/* Pairs are in office order: each office's values are contiguous. */
	size_t o = 0;
	for (size_t i = 0; i < np; i++) {
		memcpy(all + o, pairs[i].v, pairs[i].n * sizeof(*all));
		o += pairs[i].n;
	}
	for (size_t i = 0, start = 0, k = 0; i < np; i++) {
		char key[100];
		json_t *f = json_object();
		snprintf(key, sizeof(key), "%s\t%s", pairs[i].office, pairs[i].service);
		set_stats(f, pairs[i].v, pairs[i].n);
		json_object_set_new(pct_pair, key, f);
		k += pairs[i].n;
		if (i + 1 == np || strcmp(pairs[i + 1].office, pairs[i].office)) {
			memcpy(tmp, all + start, (k - start) * sizeof(*tmp));
			f = json_object();
			set_stats(f, tmp, k - start);
			json_object_set_new(pct_office, pairs[i].office, f);
			start = k;
		}
	}
	/* Groups: gather each group's values. */
	for (size_t i = 0; i < np; i++) {
		if (json_object_get(pct_group, pairs[i].grp))
			continue;
		size_t n = 0;
		for (size_t j = i; j < np; j++)
			if (!strcmp(pairs[j].grp, pairs[i].grp)) {
				memcpy(tmp + n, pairs[j].v, pairs[j].n * sizeof(*tmp));
				n += pairs[j].n;
			}
		json_t *f = json_object();
		set_stats(f, tmp, n);
		json_object_set_new(pct_group, pairs[i].grp, f);
	}
	set_stats(pct_city, all, total);
	rc = 0;
	goto out;

out_nomem:
	snprintf(err, errlen, "out of memory");
out:
	PQclear(r);
	for (size_t i = 0; i < np; i++)
		free(pairs[i].v);
	free(pairs);
	free(all);
	free(tmp);
	return rc;
}

/* Per-office totals of one month (counts only), keyed by office code. */
static json_t *month_figures(PGconn *c, const char *from, const char *to, const char *group, bool rollups,
			     json_t **pairs, char *err, size_t errlen)
{
	const char *p[3] = { from, to, group };
	PGresult *r = query(c, rollups ? SQL_ROLLUPS : SQL_TICKETS, 3, p, err, errlen);
	json_t *offices = json_object();

	if (!r) {
		json_decref(offices);
		return NULL;
	}
	if (pairs)
		*pairs = json_array();
	for (int i = 0; i < PQntuples(r); i++) {
		const char *office = PQgetvalue(r, i, 0);
		json_t *f = new_figures();
		for (int k = 0; k < NCOUNTS; k++)
			json_object_set_new(f, COUNTS[k], json_integer(strtoll(PQgetvalue(r, i, 2 + k), NULL, 10)));
		json_t *ra = json_object_get(f, "ratings");
		for (int k = 0; k < NLEVELS; k++)
			json_array_set_new(ra, (size_t)k, json_integer(strtoll(PQgetvalue(r, i, 2 + NCOUNTS + k), NULL, 10)));
		json_t *tot = json_object_get(offices, office);
		if (!tot) {
			tot = new_figures();
			json_object_set_new(offices, office, tot);
		}
		add_figures(tot, f);
		if (pairs) {
			json_object_set_new(f, "office", json_string(office));
			json_object_set_new(f, "service", json_string(PQgetvalue(r, i, 1)));
			json_array_append_new(*pairs, f);
		} else {
			json_decref(f);
		}
	}
	PQclear(r);
	return offices;
}

static void month_days(int y, int m, char *from, char *to, size_t len)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int last = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100) || y % 400 == 0));
	snprintf(from, len, "%04d-%02d-01", y, m);
	snprintf(to, len, "%04d-%02d-%02d", y, m, last);
}

/* Orders offices best first: larger share within target, then satisfied,
 * then shorter mean wait. */
static int cmp_offices(const void *a, const void *b)
{
	const json_t *x = json_object_get(*(json_t *const *)a, "total");
	const json_t *y = json_object_get(*(json_t *const *)b, "total");
	double keys[3][2];
	const char *names[3] = { "within_target", "satisfied", "wait_mean_ms" };
	for (int k = 0; k < 3; k++) {
		const json_t *vx = json_object_get(x, names[k]), *vy = json_object_get(y, names[k]);
		double dflt = k == 2 ? 1e300 : -1;
		keys[k][0] = json_is_number(vx) ? json_number_value(vx) : dflt;
		keys[k][1] = json_is_number(vy) ? json_number_value(vy) : dflt;
		if (keys[k][0] != keys[k][1])
			return (k == 2 ? keys[k][0] > keys[k][1] : keys[k][0] < keys[k][1]) ? 1 : -1;
	}
	return strcmp(json_string_value(json_object_get(*(json_t *const *)a, "code")),
		      json_string_value(json_object_get(*(json_t *const *)b, "code")));
}

json_t *mc_central_report(PGconn *c, const struct mc_central_report_opts *o, char *err, size_t errlen)
{
	char from[16], to[16], pfrom[16], pto[16], month[16];
	int py = o->month == 1 ? o->year - 1 : o->year, pm = o->month == 1 ? 12 : o->month - 1;
	json_t *pairs = NULL, *cur = NULL, *prev = NULL, *out = NULL, *list = NULL;
	PGresult *r = NULL;

	month_days(o->year, o->month, from, to, sizeof(from));
	month_days(py, pm, pfrom, pto, sizeof(pfrom));
	snprintf(month, sizeof(month), "%04d-%02d", o->year, o->month);
	/* Satisfaction on each rating's scale came with version 2. */
	int v = mc_central_version(c, err, errlen);
	if (v < 0)
		return NULL;
	if (v < 2) {
		snprintf(err, errlen, "the city's schema is version %d; this report needs 2 or later:"
			 " run 'kioskctl central init URL' as the administrator\n", v);
		return NULL;
	}
	if (run(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err, errlen))
		return NULL;
	if (!(cur = month_figures(c, from, to, o->group, o->rollups, &pairs, err, errlen)) ||
	    !(prev = month_figures(c, pfrom, pto, o->group, o->rollups, NULL, err, errlen)))
		goto out;
	const char *p[3] = { from, to, o->group };
	json_t *pct_office = json_object(), *pct_group = json_object(), *pct_city = json_object();
	json_t *pct_pair = json_object();
	if (wait_stats(c, p, o->rollups, pct_pair, pct_office, pct_group, pct_city, err, errlen)) {
		json_decref(pct_pair), json_decref(pct_office), json_decref(pct_group), json_decref(pct_city);
		goto out;
	}
	{
		size_t i;
		json_t *f;
		json_array_foreach(pairs, i, f) {
			char key[100];
			snprintf(key, sizeof(key), "%s\t%s", json_string_value(json_object_get(f, "office")),
				 json_string_value(json_object_get(f, "service")));
			json_t *pc = json_object_get(pct_pair, key);
			if (pc)
				json_object_update(f, pc);
			finish_figures(f);
		}
	}
	json_decref(pct_pair);

	/* Offices with their board facts and services. */
	if (!(r = query(c,
			"SELECT o.code, o.name, o.grp, o.timezone, coalesce(s.service, ''), coalesce(s.name, ''),"
			" coalesce(s.name_en, ''), coalesce(s.target_ms, 0), o.scale"
			" FROM motcua.offices o LEFT JOIN motcua.services s ON s.office = o.code"
			" WHERE $1::text IS NULL OR o.grp = $1 ORDER BY o.code, s.position", 1, &o->group, err, errlen))) {
		json_decref(pct_office), json_decref(pct_group), json_decref(pct_city);
		goto out;
	}
	json_t *offices = json_object();
	list = json_array();
	for (int i = 0; i < PQntuples(r); i++) {
		const char *code = PQgetvalue(r, i, 0);
		json_t *of = json_object_get(offices, code);
		if (!of) {
			of = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "code", code, "name", PQgetvalue(r, i, 1),
				       "group", PQgetvalue(r, i, 2), "timezone", PQgetvalue(r, i, 3), "services", json_array(),
				       "scale", scale_json(PQgetvalue(r, i, 8)));
			json_object_set_new(offices, code, of);
			json_array_append(list, of);
		}
		if (*PQgetvalue(r, i, 4)) {
			json_t *s = new_figures();
			json_object_set_new(s, "service", json_string(PQgetvalue(r, i, 4)));
			json_object_set_new(s, "name", json_string(PQgetvalue(r, i, 5)));
			json_object_set_new(s, "name_en", json_string(PQgetvalue(r, i, 6)));
			json_object_set_new(s, "target_ms", json_integer(strtoll(PQgetvalue(r, i, 7), NULL, 10)));
			json_array_append_new(json_object_get(of, "services"), s);
		}
	}
	PQclear(r);
	r = NULL;
	/* Service figures into their office's list (services no longer on the
	 * board are added at the end). */
	size_t i;
	json_t *f;
	json_array_foreach(pairs, i, f) {
		json_t *of = json_object_get(offices, json_string_value(json_object_get(f, "office")));
		if (!of)
			continue;
		json_t *svcs = json_object_get(of, "services"), *s = NULL, *cand;
		size_t j;
		json_array_foreach(svcs, j, cand)
			if (!strcmp(json_string_value(json_object_get(cand, "service")),
				    json_string_value(json_object_get(f, "service"))))
				s = cand;
		if (!s) {
			s = json_pack("{s:O, s:O, s:O, s:i}", "service", json_object_get(f, "service"),
				      "name", json_object_get(f, "service"), "name_en", json_object_get(f, "service"),
				      "target_ms", 0);
			json_array_append_new(svcs, s);
		}
		json_object_del(f, "office");
		json_object_del(f, "service");
		json_object_update(s, f);
	}
	/* Office, group and city totals; ranking; the previous month. */
	json_t *groups = json_object(), *city = new_figures();
	size_t k;
	json_t *of;
	json_array_foreach(list, k, of) {
		const char *code = json_string_value(json_object_get(of, "code"));
		const char *grp = json_string_value(json_object_get(of, "group"));
		json_t *tot = new_figures(), *s;
		size_t j;
		const json_t *scale = json_object_get(of, "scale");
		json_array_foreach(json_object_get(of, "services"), j, s) {
			finish_figures(s);
			label_levels(s, scale);
			add_figures(tot, s);
		}
		json_t *pc = json_object_get(pct_office, code);
		if (pc)
			json_object_update(tot, pc);
		finish_figures(tot);
		label_levels(tot, scale);
		json_object_set_new(of, "total", tot);
		json_t *pv = json_object_get(prev, code);
		if (pv) {
			json_t *pf = json_deep_copy(pv);
			finish_figures(pf);
			json_object_del(pf, "wait_median_ms");
			json_object_del(pf, "wait_p90_ms");
			json_object_set_new(of, "previous", pf);
		} else {
			json_object_set_new(of, "previous", json_null());
		}
		json_t *g = json_object_get(groups, grp);
		if (!g) {
			g = new_figures();
			json_object_set_new(g, "group", json_string(grp));
			json_object_set_new(g, "offices", json_integer(0));
			json_object_set_new(groups, grp, g);
		}
		add_figures(g, tot);
		json_object_set_new(g, "offices", json_integer(json_integer_value(json_object_get(g, "offices")) + 1));
		add_figures(city, tot);
	}
	/* Rank among offices that had tickets. */
	size_t n = json_array_size(list), nr = 0;
	json_t **sorted = calloc(n ? n : 1, sizeof(*sorted));
	json_array_foreach(list, k, of)
		if (json_integer_value(json_object_get(json_object_get(of, "total"), "tickets")) > 0)
			sorted[nr++] = of;
	qsort(sorted, nr, sizeof(*sorted), cmp_offices);
	json_array_foreach(list, k, of)
		json_object_set_new(of, "rank", json_null());
	for (k = 0; k < nr; k++)
		json_object_set_new(sorted[k], "rank", json_integer((json_int_t)k + 1));
	json_t *ranked = json_array();
	for (k = 0; k < nr; k++)
		json_array_append(ranked, sorted[k]);
	json_array_foreach(list, k, of)
		if (json_is_null(json_object_get(of, "rank")))
			json_array_append(ranked, of);
	free(sorted);
	json_t *glist = json_array();
	const char *gk;
	json_t *gv;
	json_object_foreach(groups, gk, gv) {
		json_t *pc = json_object_get(pct_group, gk);
		if (pc)
			json_object_update(gv, pc);
		finish_figures(gv);
		json_array_append(glist, gv);
	}
	json_object_update(city, pct_city);
	finish_figures(city);
	out = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:b}", "month", month, "from", from, "to", to,
			"group", o->group ? json_string(o->group) : json_null(),
			"offices", ranked, "groups", glist, "city", city, "rollups", o->rollups);
	json_decref(offices);
	json_decref(groups);
	json_decref(pct_office), json_decref(pct_group), json_decref(pct_city);
out:
	PQclear(r);
	PQclear(PQexec(c, "COMMIT"));
	json_decref(pairs);
	json_decref(cur);
	json_decref(prev);
	json_decref(list);
	return out;
}
