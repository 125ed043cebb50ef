/* report-text.c — the report laid out as sections, and written as a
 * terminal table, CSV or JSON (see report.h, report-int.h). */
#include "report-int.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- formatting cells -------------------------------------------------- */

static void fmt_int(char *buf, int v)
{
	snprintf(buf, SEC_CELL, "%d", v);
}

static void fmt_min(char *buf, const struct mc_report_stats *s, double ms, char mark)
{
	if (!s->n)
		snprintf(buf, SEC_CELL, "–");
	else
		mc_report_minutes(ms, mark, buf, SEC_CELL);
}

static void fmt_pct(char *buf, int part, int whole, char mark)
{
	if (whole <= 0) {
		snprintf(buf, SEC_CELL, "–");
		return;
	}
	snprintf(buf, SEC_CELL, "%.1f", 100.0 * part / whole);
	char *dot = strchr(buf, '.');
	if (dot)
		*dot = mark;
}

static void fmt_hours(char *buf, int64_t ms, char mark)
{
	snprintf(buf, SEC_CELL, "%.1f", (double)ms / 3600000.0);
	char *dot = strchr(buf, '.');
	if (dot)
		*dot = mark;
}

static int rated(const struct mc_report_row *row)
{
	return row->rated;
}

size_t report_text_width(const char *s)
{
	size_t w = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		unsigned cp = *p;
		int len = cp < 0x80 ? 1 : cp < 0xe0 ? 2 : cp < 0xf0 ? 3 : 4;
		if (len == 2 && p[1])
			cp = ((cp & 0x1fu) << 6) | (p[1] & 0x3fu);
		else if (len == 3 && p[1] && p[2])
			cp = ((cp & 0x0fu) << 12) | ((p[1] & 0x3fu) << 6) | (p[2] & 0x3fu);
		/* Combining diacritics take no column. */
		if (!(cp >= 0x300 && cp < 0x370))
			w++;
		for (int i = 0; i < len && *p; i++)
			p++;
	}
	return w;
}

static void period_days(const struct mc_report *r, int *y1, int *m1, int *d1, int *y2, int *m2, int *d2,
			bool *month)
{
	const struct mc_report_opts *o = mc_report_options(r);
	mc_civil_from_days(o->from, y1, m1, d1);
	mc_civil_from_days(o->to, y2, m2, d2);
	int ny, nm, nd;
	mc_civil_from_days(o->to + 1, &ny, &nm, &nd);
	*month = *d1 == 1 && *y1 == *y2 && *m1 == *m2 && nd == 1;
}

void report_period_vi(const struct mc_report *r, char *buf, size_t len)
{
	int y1, m1, d1, y2, m2, d2;
	bool month;
	period_days(r, &y1, &m1, &d1, &y2, &m2, &d2, &month);
	if (month)
		snprintf(buf, len, "Tháng %02d/%04d", m1, y1);
	else if (mc_report_options(r)->from == mc_report_options(r)->to)
		snprintf(buf, len, "Ngày %02d/%02d/%04d", d1, m1, y1);
	else
		snprintf(buf, len, "Từ ngày %02d/%02d/%04d đến ngày %02d/%02d/%04d", d1, m1, y1, d2, m2, y2);
}

void report_period_en(const struct mc_report *r, char *buf, size_t len)
{
	int y1, m1, d1, y2, m2, d2;
	bool month;
	period_days(r, &y1, &m1, &d1, &y2, &m2, &d2, &month);
	if (month)
		snprintf(buf, len, "Month %04d-%02d", y1, m1);
	else if (mc_report_options(r)->from == mc_report_options(r)->to)
		snprintf(buf, len, "Day %04d-%02d-%02d", y1, m1, d1);
	else
		snprintf(buf, len, "From %04d-%02d-%02d to %04d-%02d-%02d", y1, m1, d1, y2, m2, d2);
}

/* ---- sections ------------------------------------------------------------ */

static struct sec *sec_add(struct secs *s, const char *title, const char *title_en, size_t rows,
			   int ncols, const char *const *head, const char *const *head_en)
{
	struct sec *p = realloc(s->sec, (s->n + 1) * sizeof(*p));
	if (!p)
		return NULL;
	s->sec = p;
	struct sec *x = &s->sec[s->n];
	memset(x, 0, sizeof(*x));
	x->cells = calloc(rows ? rows : 1, sizeof(*x->cells));
	if (!x->cells)
		return NULL;
	s->n++;
	snprintf(x->title, sizeof(x->title), "%s", title);
	snprintf(x->title_en, sizeof(x->title_en), "%s", title_en);
	x->ncols = ncols;
	for (int i = 0; i < ncols; i++) {
		snprintf(x->head[i], SEC_HEAD, "%s", head[i]);
		snprintf(x->head_en[i], SEC_HEAD, "%s", head_en[i]);
	}
	x->total_row = SIZE_MAX;
	return x;
}

void report_sections_free(struct secs *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->sec[i].cells);
	free(s->sec);
	s->sec = NULL;
	s->n = 0;
}

static const char *const dim_title[MC_REPORT_NDIMS][2] = {
	{ "theo lĩnh vực", "by service" },
	{ "theo quầy", "by counter" },
	{ "theo cán bộ", "by clerk" },
	{ "theo giờ trong ngày", "by hour of day" },
	{ "theo ngày trong tuần", "by weekday" },
};
static const char *const dim_head[MC_REPORT_NDIMS][2] = {
	{ "Lĩnh vực", "Service" },
	{ "Quầy", "Counter" },
	{ "Cán bộ", "Clerk" },
	{ "Giờ", "Hour" },
	{ "Thứ", "Weekday" },
};

static void summary_row(char (*row)[SEC_CELL], const char *vi, const char *en, const char *value)
{
	snprintf(row[0], SEC_CELL, "%s", vi);
	snprintf(row[1], SEC_CELL, "%s", en);
	snprintf(row[2], SEC_CELL, "%s", value);
}

static int add_summary(const struct mc_report *r, char mark, struct secs *s)
{
	static const char *const h[] = { "Chỉ tiêu", "Figure", "Giá trị" };
	static const char *const he[] = { "Chỉ tiêu", "Figure", "Value" };
	const struct mc_report_row *t = mc_report_total(r);
	struct sec *x = sec_add(s, "Tổng hợp", "Summary", 22, 3, h, he);
	char v[SEC_CELL];
	size_t n = 0;

	if (!x)
		return -1;
#define ROW(vi, en, ...) do { snprintf(v, sizeof(v), __VA_ARGS__); summary_row(x->cells[n++], vi, en, v); } while (0)
#define ROWV(vi, en) summary_row(x->cells[n++], vi, en, v)
	ROW("Số ngày có khách", "Days with tickets", "%d", mc_report_days_with_tickets(r));
	ROW("Phiếu đã phát", "Tickets issued", "%d", t->issued);
	ROW("Đã phục vụ", "Served", "%d", t->served);
	ROW("Vắng mặt khi gọi", "No-show", "%d", t->noshow);
	ROW("Chuyển lĩnh vực", "Transferred", "%d", t->transferred);
	ROW("Phiếu hủy", "Voided", "%d", t->voided);
	ROW("Hết hạn cuối ngày", "Expired at closing", "%d", t->expired);
	ROW("In chưa chắc (phục vụ / vắng)", "Print in doubt (served / no-show)", "%d (%d / %d)",
	    t->in_doubt, t->in_doubt_served, t->in_doubt_noshow);
	ROW("In lỗi (phục vụ / vắng)", "Print failed (served / no-show)", "%d (%d / %d)",
	    t->print_failed, t->failed_served, t->failed_noshow);
	fmt_pct(v, t->priority, t->issued, mark);
	ROWV("Tỷ lệ ưu tiên (%)", "Priority share (%)");
	fmt_min(v, &t->wait, t->wait.mean_ms, mark);
	ROWV("Thời gian chờ trung bình (phút)", "Mean wait (min)");
	fmt_min(v, &t->wait, t->wait.median_ms, mark);
	ROWV("Thời gian chờ trung vị (phút)", "Median wait (min)");
	fmt_min(v, &t->wait, (double)t->wait.p90_ms, mark);
	ROWV("90% lượt chờ không quá (phút)", "90% of waits at most (min)");
	fmt_min(v, &t->wait, (double)t->wait.max_ms, mark);
	ROWV("Thời gian chờ lâu nhất (phút)", "Longest wait (min)");
	fmt_min(v, &t->service, t->service.mean_ms, mark);
	ROWV("Thời gian phục vụ trung bình (phút)", "Mean service (min)");
	fmt_min(v, &t->service, t->service.median_ms, mark);
	ROWV("Thời gian phục vụ trung vị (phút)", "Median service (min)");
	fmt_min(v, &t->service, (double)t->service.p90_ms, mark);
	ROWV("90% lượt phục vụ không quá (phút)", "90% of services at most (min)");
	fmt_pct(v, t->over_target, t->with_target, mark);
	ROWV("Chờ quá thời gian mục tiêu (%)", "Over target wait (%)");
	ROW("Số lượt đánh giá", "Ratings", "%d", rated(t));
	fmt_pct(v, t->satisfied, rated(t), mark);
	ROWV("Hài lòng (%)", "Satisfied (%)");
#undef ROW
#undef ROWV
	x->nrows = n;
	return 0;
}

/* Counts and shares of a grouping, with the total last. */
static int add_counts(const struct mc_report *r, int d, char mark, struct secs *s)
{
	const char *h[] = { dim_head[d][0], "Phát hành", "Đã phục vụ", "Vắng mặt", "Chuyển lĩnh vực",
			    "Phiếu hủy", "Hết hạn cuối ngày", "Ưu tiên (%)", "Chờ quá mục tiêu (%)", "Hài lòng (%)" };
	const char *he[] = { dim_head[d][1], "Issued", "Served", "No-show", "Transferred",
			     "Voided", "Expired at closing", "Priority (%)", "Over target wait (%)", "Satisfied (%)" };
	char title[96], title_en[96];
	size_t n;
	const struct mc_report_row *rows = mc_report_rows(r, (enum mc_report_dim)d, &n);

	snprintf(title, sizeof(title), "Số lượng %s", dim_title[d][0]);
	snprintf(title_en, sizeof(title_en), "Counts %s", dim_title[d][1]);
	struct sec *x = sec_add(s, title, title_en, n + 1, 10, h, he);
	if (!x)
		return -1;
	for (size_t i = 0; i <= n; i++) {
		const struct mc_report_row *row = i < n ? &rows[i] : mc_report_total(r);
		char (*c)[SEC_CELL] = x->cells[x->nrows++];
		/* Hours nobody came in are left out of the tables. */
		if (i < n && d == MC_REPORT_HOUR && !row->issued) {
			x->nrows--;
			continue;
		}
		snprintf(c[0], SEC_CELL, "%s", row->name);
		fmt_int(c[1], row->issued);
		fmt_int(c[2], row->served);
		fmt_int(c[3], row->noshow);
		fmt_int(c[4], row->transferred);
		fmt_int(c[5], row->voided);
		fmt_int(c[6], row->expired);
		fmt_pct(c[7], row->priority, row->issued, mark);
		fmt_pct(c[8], row->over_target, row->with_target, mark);
		fmt_pct(c[9], row->satisfied, rated(row), mark);
	}
	x->total_row = x->nrows - 1;
	return 0;
}

/* Wait and service times of a grouping, in minutes, total last. */
static int add_times(const struct mc_report *r, int d, char mark, struct secs *s)
{
	/* Words an office manager reads without a glossary: no "TB", "PV"
	 * or "P90" (the 90th percentile is "90% lượt ... không quá"). */
	const char *h[] = { dim_head[d][0], "Chờ trung bình", "Chờ trung vị", "90% lượt chờ không quá",
			    "Chờ lâu nhất", "Phục vụ trung bình", "Phục vụ trung vị",
			    "90% lượt phục vụ không quá", "Phục vụ lâu nhất", "Mục tiêu chờ" };
	const char *he[] = { dim_head[d][1], "Mean wait", "Median wait", "90% of waits at most", "Longest wait",
			     "Mean service", "Median service", "90% of services at most", "Longest service",
			     "Target wait" };
	char title[96], title_en[96];
	size_t n;
	const struct mc_report_row *rows = mc_report_rows(r, (enum mc_report_dim)d, &n);
	int ncols = d == MC_REPORT_SERVICE ? 10 : 9;

	snprintf(title, sizeof(title), "Thời gian chờ và phục vụ (phút) %s", dim_title[d][0]);
	snprintf(title_en, sizeof(title_en), "Wait and service times (min) %s", dim_title[d][1]);
	struct sec *x = sec_add(s, title, title_en, n + 1, ncols, h, he);
	if (!x)
		return -1;
	for (size_t i = 0; i <= n; i++) {
		const struct mc_report_row *row = i < n ? &rows[i] : mc_report_total(r);
		char (*c)[SEC_CELL] = x->cells[x->nrows++];
		/* Hours nobody came in are left out of the tables. */
		if (i < n && d == MC_REPORT_HOUR && !row->issued) {
			x->nrows--;
			continue;
		}
		snprintf(c[0], SEC_CELL, "%s", row->name);
		fmt_min(c[1], &row->wait, row->wait.mean_ms, mark);
		fmt_min(c[2], &row->wait, row->wait.median_ms, mark);
		fmt_min(c[3], &row->wait, (double)row->wait.p90_ms, mark);
		fmt_min(c[4], &row->wait, (double)row->wait.max_ms, mark);
		fmt_min(c[5], &row->service, row->service.mean_ms, mark);
		fmt_min(c[6], &row->service, row->service.median_ms, mark);
		fmt_min(c[7], &row->service, (double)row->service.p90_ms, mark);
		fmt_min(c[8], &row->service, (double)row->service.max_ms, mark);
		if (ncols == 10) {
			struct mc_report_stats one = { .n = row->target_ms > 0 };
			fmt_min(c[9], &one, (double)row->target_ms, mark);
		}
	}
	x->total_row = x->nrows - 1;
	return 0;
}

/* Ratings of a grouping on one scale: each level's count and share (best
 * first), the ratings and the satisfied share; total last. */
static int add_satisfaction_scale(const struct mc_report *r, int d, int si, char mark, struct secs *s)
{
	const struct mc_scale *sc = mc_report_scale(r, si);
	char hb[SEC_MAXCOLS][SEC_HEAD], hbe[SEC_MAXCOLS][SEC_HEAD];
	const char *h[SEC_MAXCOLS], *he[SEC_MAXCOLS];
	char title[96], title_en[96], which[32] = "", which_en[32] = "";
	int ncols = 2 * sc->n + 3;
	size_t n;
	const struct mc_report_row *rows = mc_report_rows(r, (enum mc_report_dim)d, &n);

	snprintf(hb[0], SEC_HEAD, "%s", dim_head[d][0]);
	snprintf(hbe[0], SEC_HEAD, "%s", dim_head[d][1]);
	for (int k = 0; k < sc->n; k++) {
		snprintf(hb[1 + k], SEC_HEAD, "%s", sc->vi[k]);
		snprintf(hbe[1 + k], SEC_HEAD, "%s", sc->en[k]);
		snprintf(hb[1 + sc->n + k], SEC_HEAD, "%s (%%)", sc->vi[k]);
		snprintf(hbe[1 + sc->n + k], SEC_HEAD, "%s (%%)", sc->en[k]);
	}
	snprintf(hb[ncols - 2], SEC_HEAD, "Lượt đánh giá");
	snprintf(hbe[ncols - 2], SEC_HEAD, "Ratings");
	/* Not just "Hài lòng (%)": a level of the scale may be called that. */
	if (sc->satisfied > 1) {
		snprintf(hb[ncols - 1], SEC_HEAD, "Hài lòng, mức 1–%d (%%)", sc->satisfied);
		snprintf(hbe[ncols - 1], SEC_HEAD, "Satisfied, levels 1–%d (%%)", sc->satisfied);
	} else {
		snprintf(hb[ncols - 1], SEC_HEAD, "Hài lòng, mức 1 (%%)");
		snprintf(hbe[ncols - 1], SEC_HEAD, "Satisfied, level 1 (%%)");
	}
	for (int k = 0; k < ncols; k++) {
		h[k] = hb[k];
		he[k] = hbe[k];
	}
	if (mc_report_nscales(r) > 1) {
		snprintf(which, sizeof(which), ", thang %d/%d", si + 1, mc_report_nscales(r));
		snprintf(which_en, sizeof(which_en), ", scale %d/%d", si + 1, mc_report_nscales(r));
	}
	snprintf(title, sizeof(title), "Mức độ hài lòng %s (thang %d mức%s%s)", dim_title[d][0], sc->n, which,
		 sc->legacy ? ", thang cũ" : "");
	snprintf(title_en, sizeof(title_en), "Satisfaction %s (%d-level scale%s%s)", dim_title[d][1], sc->n,
		 which_en, sc->legacy ? ", old scale" : "");
	struct sec *x = sec_add(s, title, title_en, n + 1, ncols, h, he);
	if (!x)
		return -1;
	x->nrows = 0;
	for (size_t i = 0; i <= n; i++) {
		const struct mc_report_row *row = i < n ? &rows[i] : mc_report_total(r);
		int nr = 0, sat = 0;
		char (*c)[SEC_CELL] = x->cells[x->nrows];
		for (int k = 1; k <= sc->n; k++) {
			nr += row->ratings[si][k];
			sat += k <= sc->satisfied ? row->ratings[si][k] : 0;
		}
		/* Rows with no rating on this scale are left out (not the total). */
		if (i < n && !nr)
			continue;
		snprintf(c[0], SEC_CELL, "%s", row->name);
		for (int k = 1; k <= sc->n; k++) {
			fmt_int(c[k], row->ratings[si][k]);
			fmt_pct(c[sc->n + k], row->ratings[si][k], nr, mark);
		}
		fmt_int(c[ncols - 2], nr);
		fmt_pct(c[ncols - 1], sat, nr, mark);
		x->nrows++;
	}
	x->total_row = x->nrows - 1;
	return 0;
}

static int add_satisfaction(const struct mc_report *r, int d, char mark, struct secs *s)
{
	for (int si = 0; si < mc_report_nscales(r); si++)
		if (add_satisfaction_scale(r, d, si, mark, s))
			return -1;
	return 0;
}

static int add_arrivals(const struct mc_report *r, char mark, struct secs *s)
{
	static const char *const h[] = { "Giờ", "Số phiếu", "Trung bình mỗi ngày", "Chờ trung bình (phút)" };
	static const char *const he[] = { "Hour", "Tickets", "Per day", "Mean wait (min)" };
	size_t n;
	const struct mc_report_row *rows = mc_report_rows(r, MC_REPORT_HOUR, &n);
	int days = mc_report_days_with_tickets(r);
	struct sec *x = sec_add(s, "Lượt đến theo giờ", "Arrivals per hour", n, 4, h, he);

	if (!x)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char (*c)[SEC_CELL] = x->cells[x->nrows];
		if (!rows[i].issued)
			continue;
		snprintf(c[0], SEC_CELL, "%s", rows[i].name);
		fmt_int(c[1], rows[i].issued);
		snprintf(c[2], SEC_CELL, "%.1f", days ? (double)rows[i].issued / days : 0.0);
		char *dot = strchr(c[2], '.');
		if (dot)
			*dot = mark;
		fmt_min(c[3], &rows[i].wait, rows[i].wait.mean_ms, mark);
		x->nrows++;
	}
	return 0;
}

static int add_sessions(const struct mc_report *r, int d, char mark, struct secs *s)
{
	const char *h[] = { dim_head[d][0], "Đăng nhập (giờ)", "Mở phục vụ (giờ)", "Tạm dừng (giờ)",
			    "Đã phục vụ", "Phục vụ trung bình (phút)" };
	const char *he[] = { dim_head[d][1], "Logged in (h)", "Open (h)", "Paused (h)", "Served",
			     "Mean service (min)" };
	size_t n;
	const struct mc_report_row *rows = mc_report_rows(r, (enum mc_report_dim)d, &n);
	struct sec *x = sec_add(s, d == MC_REPORT_COUNTER ? "Thời gian mở quầy" : "Thời gian làm việc của cán bộ",
				d == MC_REPORT_COUNTER ? "Counters' open time" : "Clerks' working time", n, 6, h, he);

	if (!x)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char (*c)[SEC_CELL] = x->cells[x->nrows];
		if (!strcmp(rows[i].key, "0"))
			continue;
		snprintf(c[0], SEC_CELL, "%s", rows[i].name);
		fmt_hours(c[1], rows[i].logged_ms, mark);
		fmt_hours(c[2], rows[i].open_ms, mark);
		fmt_hours(c[3], rows[i].paused_ms, mark);
		fmt_int(c[4], rows[i].served);
		fmt_min(c[5], &rows[i].service, rows[i].service.mean_ms, mark);
		x->nrows++;
	}
	return 0;
}

static int add_worst(const struct mc_report *r, char mark, struct secs *s)
{
	static const char *const h[] = { "Hạng", "Số phiếu", "Ngày", "Giờ phát", "Lĩnh vực", "Quầy",
					 "Chờ (phút)", "Mục tiêu (phút)" };
	static const char *const he[] = { "Rank", "Ticket", "Day", "Issued at", "Service", "Counter",
					  "Wait (min)", "Target (min)" };
	size_t n;
	const struct mc_report_worst *w = mc_report_worst(r, &n);
	const struct mc_config *cfg = mc_report_config(r);
	struct sec *x = sec_add(s, "Những lượt chờ lâu nhất", "Longest waits", n, 8, h, he);

	if (!x)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char (*c)[SEC_CELL] = x->cells[i];
		time_t t = (time_t)(w[i].issued_at / 1000);
		struct tm tm;
		int si = mc_config_service_index(cfg, w[i].service);
		struct mc_report_stats one = { .n = w[i].target_ms > 0 };
		localtime_r(&t, &tm);
		snprintf(c[0], SEC_CELL, "%zu", i + 1);
		snprintf(c[1], SEC_CELL, "%s", w[i].label);
		snprintf(c[2], SEC_CELL, "%s", w[i].day);
		strftime(c[3], SEC_CELL, "%H:%M", &tm);
		snprintf(c[4], SEC_CELL, "%s", si >= 0 ? cfg->services[si].name : w[i].service);
		snprintf(c[5], SEC_CELL, "%d", w[i].counter);
		mc_report_minutes((double)w[i].wait_ms, mark, c[6], SEC_CELL);
		fmt_min(c[7], &one, (double)w[i].target_ms, mark);
	}
	x->nrows = n;
	return 0;
}

int report_sections(const struct mc_report *r, char mark, struct secs *s)
{
	size_t n;

	memset(s, 0, sizeof(*s));
	if (add_summary(r, mark, s))
		goto err_free;
	for (int d = 0; d < MC_REPORT_NDIMS; d++) {
		if (!mc_report_rows(r, (enum mc_report_dim)d, &n) && !(mc_report_options(r)->dims & (1u << d)))
			continue;
		if (add_counts(r, d, mark, s) || add_times(r, d, mark, s))
			goto err_free;
		if ((d == MC_REPORT_SERVICE || d == MC_REPORT_COUNTER || d == MC_REPORT_CLERK) &&
		    add_satisfaction(r, d, mark, s))
			goto err_free;
		if (d == MC_REPORT_HOUR && add_arrivals(r, mark, s))
			goto err_free;
		if ((d == MC_REPORT_COUNTER || d == MC_REPORT_CLERK) && add_sessions(r, d, mark, s))
			goto err_free;
	}
	if (!(mc_report_options(r)->dims & (1u << MC_REPORT_SERVICE)) && add_satisfaction(r, MC_REPORT_SERVICE, mark, s))
		goto err_free;
	if (add_worst(r, mark, s))
		goto err_free;
	return 0;

err_free:
	report_sections_free(s);
	return -1;
}

/* ---- terminal table ----------------------------------------------------- */

static void pad(FILE *f, size_t n)
{
	while (n--)
		fputc(' ', f);
}

static void write_sec_table(const struct sec *x, FILE *f)
{
	size_t w[SEC_MAXCOLS];

	for (int c = 0; c < x->ncols; c++) {
		w[c] = report_text_width(x->head[c]);
		for (size_t i = 0; i < x->nrows; i++) {
			size_t cw = report_text_width(x->cells[i][c]);
			if (cw > w[c])
				w[c] = cw;
		}
	}
	fprintf(f, "\n%s\n", x->title);
	for (int c = 0; c < x->ncols; c++) {
		size_t hw = report_text_width(x->head[c]);
		if (c == 0) {
			fputs(x->head[c], f);
			pad(f, w[c] - hw);
		} else {
			pad(f, w[c] - hw + 2);
			fputs(x->head[c], f);
		}
	}
	fputc('\n', f);
	size_t line = 0;
	for (int c = 0; c < x->ncols; c++)
		line += w[c] + (c ? 2 : 0);
	for (size_t i = 0; i < line; i++)
		fputs("─", f);
	fputc('\n', f);
	for (size_t i = 0; i < x->nrows; i++) {
		if (i == x->total_row && i) {
			for (size_t k = 0; k < line; k++)
				fputs("─", f);
			fputc('\n', f);
		}
		for (int c = 0; c < x->ncols; c++) {
			size_t cw = report_text_width(x->cells[i][c]);
			if (c == 0) {
				fputs(x->cells[i][c], f);
				pad(f, w[c] - cw);
			} else {
				pad(f, w[c] - cw + 2);
				fputs(x->cells[i][c], f);
			}
		}
		fputc('\n', f);
	}
}

static int write_table(const struct mc_report *r, FILE *f)
{
	struct secs s;
	char period[128];

	if (report_sections(r, ',', &s))
		return -1;
	report_period_vi(r, period, sizeof(period));
	fprintf(f, "BÁO CÁO THỜI GIAN CHỜ VÀ MỨC ĐỘ HÀI LÒNG\n%s\n%s\n",
		mc_report_config(r)->office.name, period);
	for (size_t i = 0; i < s.n; i++) {
		if (i == 0) {
			/* The summary: figure and value only. */
			fprintf(f, "\n%s\n", s.sec[0].title);
			size_t w = 0;
			for (size_t k = 0; k < s.sec[0].nrows; k++)
				if (report_text_width(s.sec[0].cells[k][0]) > w)
					w = report_text_width(s.sec[0].cells[k][0]);
			for (size_t k = 0; k < s.sec[0].nrows; k++) {
				fputs(s.sec[0].cells[k][0], f);
				pad(f, w - report_text_width(s.sec[0].cells[k][0]) + 2);
				fprintf(f, "%s\n", s.sec[0].cells[k][2]);
			}
			continue;
		}
		write_sec_table(&s.sec[i], f);
	}
	report_sections_free(&s);
	return ferror(f) ? -1 : 0;
}

/* ---- CSV ---------------------------------------------------------------- */

static void csv_field(FILE *f, const char *v)
{
	if (strpbrk(v, ",\"\n\r;")) {
		fputc('"', f);
		for (const char *p = v; *p; p++) {
			if (*p == '"')
				fputc('"', f);
			fputc(*p, f);
		}
		fputc('"', f);
	} else {
		fputs(v, f);
	}
}

static int write_csv(const struct mc_report *r, FILE *f)
{
	struct secs s;
	char period[128], period_en[128], line[512];

	/* Vietnamese-locale Excel reads ';' between fields and ',' as the
	 * decimal mark (a "sep=" line would make it ignore the byte order mark
	 * and lose the tone marks). */
	if (report_sections(r, ',', &s))
		return -1;
	report_period_vi(r, period, sizeof(period));
	report_period_en(r, period_en, sizeof(period_en));
	/* The byte order mark tells Excel the file is UTF-8. */
	fputs("\xEF\xBB\xBF", f);
	csv_field(f, "Báo cáo thời gian chờ và mức độ hài lòng / Wait time and satisfaction report");
	fputs("\r\n", f);
	csv_field(f, mc_report_config(r)->office.name);
	fputs("\r\n", f);
	snprintf(line, sizeof(line), "%s / %s", period, period_en);
	csv_field(f, line);
	fputs("\r\n", f);
	for (size_t i = 0; i < s.n; i++) {
		const struct sec *x = &s.sec[i];
		fputs("\r\n", f);
		snprintf(line, sizeof(line), "%s / %s", x->title, x->title_en);
		csv_field(f, line);
		fputs("\r\n", f);
		if (i == 0) {
			/* The summary: "figure / English figure", value. */
			fputs("Chỉ tiêu / Figure;Giá trị / Value\r\n", f);
			for (size_t k = 0; k < x->nrows; k++) {
				snprintf(line, sizeof(line), "%s / %s", x->cells[k][0], x->cells[k][1]);
				csv_field(f, line);
				fputc(';', f);
				csv_field(f, x->cells[k][2]);
				fputs("\r\n", f);
			}
			continue;
		}
		for (int c = 0; c < x->ncols; c++) {
			if (c)
				fputc(';', f);
			snprintf(line, sizeof(line), "%s / %s", x->head[c], x->head_en[c]);
			csv_field(f, line);
		}
		fputs("\r\n", f);
		for (size_t k = 0; k < x->nrows; k++) {
			for (int c = 0; c < x->ncols; c++) {
				if (c)
					fputc(';', f);
				csv_field(f, x->cells[k][c]);
			}
			fputs("\r\n", f);
		}
	}
	report_sections_free(&s);
	return ferror(f) ? -1 : 0;
}

/* The long form: every figure of every table on its own line, under one
 * heading row, so an Excel pivot table (or a database) can use the file
 * as it is: "table; row; figure; value" (Vietnamese / English in the
 * heading, like the CSV). Empty figures ("–") are left empty. */
static int write_csv_long(const struct mc_report *r, FILE *f)
{
	struct secs s;
	char line[SEC_HEAD * 2 + 200];

	if (report_sections(r, ',', &s))
		return -1;
	fputs("\xEF\xBB\xBF", f);
	fputs("Bảng / Table;Hàng / Row;Chỉ tiêu / Figure;Giá trị / Value\r\n", f);
	for (size_t i = 0; i < s.n; i++) {
		const struct sec *x = &s.sec[i];
		bool summary = i == 0;
		for (size_t k = 0; k < x->nrows; k++)
			for (int c = summary ? 2 : 1; c < x->ncols; c++) {
				const char *v = x->cells[k][c];
				csv_field(f, x->title);
				fputc(';', f);
				csv_field(f, summary ? "Tổng cộng" : x->cells[k][0]);
				fputc(';', f);
				if (summary)
					snprintf(line, sizeof(line), "%s", x->cells[k][0]);
				else
					snprintf(line, sizeof(line), "%s", x->head[c]);
				csv_field(f, line);
				fputc(';', f);
				csv_field(f, strcmp(v, "–") ? v : "");
				fputs("\r\n", f);
			}
	}
	report_sections_free(&s);
	return ferror(f) ? -1 : 0;
}

/* ---- JSON --------------------------------------------------------------- */

static json_t *stats_json(const struct mc_report_stats *s)
{
	if (!s->n)
		return json_pack("{s:i}", "n", 0);
	return json_pack("{s:I,s:f,s:f,s:I,s:I}", "n", (json_int_t)s->n, "mean_ms", s->mean_ms,
			 "median_ms", s->median_ms, "p90_ms", (json_int_t)s->p90_ms, "max_ms",
			 (json_int_t)s->max_ms);
}

static json_t *row_json(const struct mc_report *r, const struct mc_report_row *row)
{
	int nr = rated(row);
	json_t *o = json_pack("{s:s,s:s,s:s,s:i,s:i,s:i,s:i,s:i,s:i,s:i,s:o,s:o,s:i,s:i,s:i}",
			      "key", row->key, "name", row->name, "name_en", row->name_en,
			      "issued", row->issued, "served", row->served, "noshow", row->noshow,
			      "transferred", row->transferred, "voided", row->voided,
			      "expired", row->expired, "priority", row->priority,
			      "wait", stats_json(&row->wait), "service", stats_json(&row->service),
			      "with_target", row->with_target, "over_target", row->over_target,
			      "days", row->days);
	if (!o)
		return NULL;
	json_object_set_new(o, "print", json_pack("{s:i,s:i,s:i,s:i,s:i,s:i}", "in_doubt", row->in_doubt,
						  "in_doubt_served", row->in_doubt_served, "in_doubt_noshow",
						  row->in_doubt_noshow, "failed", row->print_failed,
						  "failed_served", row->failed_served, "failed_noshow", row->failed_noshow));
	json_object_set_new(o, "priority_share", row->issued ? json_real((double)row->priority / row->issued) : json_null());
	json_object_set_new(o, "over_target_share",
			    row->with_target ? json_real((double)row->over_target / row->with_target) : json_null());
	if (row->target_ms)
		json_object_set_new(o, "target_ms", json_integer(row->target_ms));
	json_t *scales = json_array();
	for (int si = 0; si < mc_report_nscales(r); si++) {
		const struct mc_scale *sc = mc_report_scale(r, si);
		json_t *levels = json_array();
		int ns = 0, sat = 0;
		for (int k = 1; k <= sc->n; k++) {
			ns += row->ratings[si][k];
			sat += k <= sc->satisfied ? row->ratings[si][k] : 0;
		}
		for (int k = 1; k <= sc->n; k++)
			json_array_append_new(levels, json_pack("{s:i,s:s,s:s,s:i,s:o,s:o}", "level", k,
								"label", sc->vi[k - 1], "label_en", sc->en[k - 1],
								"count", row->ratings[si][k],
								"share", ns ? json_real((double)row->ratings[si][k] / ns)
									    : json_null(),
								"mean_wait_ms", row->ratings[si][k]
									? json_real(row->wait_by_rating_ms[si][k])
									: json_null()));
		json_array_append_new(scales, json_pack("{s:i,s:i,s:b,s:o,s:i,s:o}", "scale", si + 1,
							"satisfied_levels", sc->satisfied, "legacy", sc->legacy,
							"levels", levels, "rated", ns,
							"satisfied_share", ns ? json_real((double)sat / ns) : json_null()));
	}
	/* Counts by position, best first, over every scale (what the city's
	 * report compares with). */
	json_t *bypos = json_object();
	for (int k = 1; k <= MC_SCALE_MAX; k++) {
		char key[4];
		int c = 0;
		for (int si = 0; si < MC_REPORT_SCALES; si++)
			c += row->ratings[si][k];
		snprintf(key, sizeof(key), "%d", k);
		json_object_set_new(bypos, key, json_integer(c));
	}
	json_object_set_new(o, "satisfaction", json_pack("{s:i,s:i,s:o,s:o,s:o}", "rated", nr, "satisfied", row->satisfied,
							 "satisfied_share",
							 nr ? json_real((double)row->satisfied / nr) : json_null(),
							 "ratings", bypos, "scales", scales));
	if (row->logged_ms || row->open_ms || row->paused_ms)
		json_object_set_new(o, "sessions", json_pack("{s:I,s:I,s:I}", "logged_ms", (json_int_t)row->logged_ms,
							     "open_ms", (json_int_t)row->open_ms,
							     "paused_ms", (json_int_t)row->paused_ms));
	return o;
}

static int write_json(const struct mc_report *r, FILE *f)
{
	const struct mc_report_opts *o = mc_report_options(r);
	char from[16], to[16], period[128];
	size_t n;

	mc_format_day(o->from, from, sizeof(from));
	mc_format_day(o->to, to, sizeof(to));
	report_period_vi(r, period, sizeof(period));
	json_t *root = json_pack("{s:s,s:s,s:s,s:s,s:i,s:o}", "office", mc_report_config(r)->office.name,
				 "from", from, "to", to, "period", period, "days_with_tickets",
				 mc_report_days_with_tickets(r), "total", row_json(r, mc_report_total(r)));
	if (!root) {
		errno = ENOMEM;
		return -1;
	}
	json_t *by = json_object();
	for (int d = 0; d < MC_REPORT_NDIMS; d++) {
		const struct mc_report_row *rows = mc_report_rows(r, (enum mc_report_dim)d, &n);
		if (!(o->dims & (1u << d)))
			continue;
		json_t *a = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, row_json(r, &rows[i]));
		json_object_set_new(by, mc_report_dim_name((enum mc_report_dim)d), a);
	}
	json_object_set_new(root, "by", by);
	const struct mc_report_worst *w = mc_report_worst(r, &n);
	json_t *wa = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(wa, json_pack("{s:I,s:s,s:s,s:s,s:i,s:I,s:I,s:I}", "ticket", (json_int_t)w[i].ticket,
						    "label", w[i].label, "day", w[i].day, "service", w[i].service,
						    "counter", w[i].counter, "issued_at", (json_int_t)w[i].issued_at,
						    "wait_ms", (json_int_t)w[i].wait_ms, "target_ms",
						    (json_int_t)w[i].target_ms));
	json_object_set_new(root, "worst_waits", wa);
	int rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	fputc('\n', f);
	json_decref(root);
	return rc || ferror(f) ? -1 : 0;
}

int mc_report_write_text(const struct mc_report *r, enum mc_report_format fmt, FILE *f)
{
	switch (fmt) {
	case MC_REPORT_TABLE: return write_table(r, f);
	case MC_REPORT_CSV: return write_csv(r, f);
	case MC_REPORT_CSV_LONG: return write_csv_long(r, f);
	case MC_REPORT_JSON: return write_json(r, f);
	default:
		errno = EINVAL;
		return -1;
	}
}
