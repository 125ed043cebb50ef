/* kioskctl-central.c — the city's PostgreSQL: `kioskctl central init URL`,
 * `kioskctl central add-office URL CODE --name N --group G`, and
 * `kioskctl report --central URL --month YYYY-MM` (DESIGN §9). */
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "central.h"
#include "kioskctl.h"
#include "report.h"
#include "tools-common.h"

static void print_help(void)
{
	printf("Usage: kioskctl central init URL [--schema N]\n"
	       "       kioskctl central add-office URL CODE --name NAME [--group GROUP]\n"
	       "       kioskctl central add-reader URL ROLE\n\n"
	       "Cơ sở dữ liệu PostgreSQL của thành phố / the city's PostgreSQL.\n\n"
	       "  init         create or migrate the central schema (safe to run again);\n"
	       "               URL is the city administrator's connection; --schema N\n"
	       "               stops at version N (staged upgrades; never goes back)\n"
	       "  add-office   register an office (or rename it) with its own login role,\n"
	       "               which may only add its own office's rows; prints the\n"
	       "               [uplink] lines for that office's board.conf\n"
	       "  add-reader   a login role that may only read (for the city's reports);\n"
	       "               prints its connection string\n\n"
	       "URL is a libpq connection string ('host=... dbname=... user=...') or a\n"
	       "postgresql:// URI.\n"
	       "Exit status: 0 done, 1 failed, 2 bad usage.\n");
}

/* Connects to url, or prints why and returns NULL. */
static PGconn *connect_to(const char *cmd, const char *url)
{
	PGconn *c = PQconnectdb(url);

	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "kioskctl %s: cannot connect: %s", cmd, PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	PQclear(PQexec(c, "SET client_min_messages = warning"));
	return c;
}

/* The office's connection string: the administrator's with the office's
 * user and password (host, port, dbname, sslmode... kept). */
static void office_url(const char *admin, const char *role, const char *pw, char *out, size_t len)
{
	PQconninfoOption *opts = PQconninfoParse(admin, NULL);
	size_t o = 0;

	out[0] = 0;
	for (PQconninfoOption *p = opts; p && p->keyword; p++) {
		const char *v = p->val;
		if (!strcmp(p->keyword, "user"))
			v = role;
		else if (!strcmp(p->keyword, "password"))
			v = pw;
		if (!v || !*v)
			continue;
		o += (size_t)snprintf(out + o, o < len ? len - o : 0, "%s%s='", o ? " " : "", p->keyword);
		for (; *v && o + 3 < len; v++) {
			if (*v == '\'' || *v == '\\')
				out[o++] = '\\';
			out[o++] = *v;
		}
		o += (size_t)snprintf(out + o, o < len ? len - o : 0, "'");
	}
	PQconninfoFree(opts);
}

int cmd_central(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' }, { "group", required_argument, NULL, 'g' },
		{ "schema", required_argument, NULL, 's' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = NULL, *grp = "";
	int schema = 0;
	char err[1024] = "";
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h': print_help(); return EXIT_OK;
		case 'n': name = optarg; break;
		case 'g': grp = optarg; break;
		case 's':
			schema = atoi(optarg);
			if (schema < 1 || schema > MC_CENTRAL_SCHEMA)
				return usage_error("central", "--schema takes a version 1-%d", MC_CENTRAL_SCHEMA);
			break;
		default: return usage_error("central", "unknown option (try --help)");
		}
	}
	if (optind + 2 > argc)
		return usage_error("central", "give init URL or add-office URL CODE --name NAME");
	const char *verb = argv[optind], *url = argv[optind + 1];
	if (!strcmp(verb, "init")) {
		if (optind + 2 != argc)
			return usage_error("central", "init takes only URL");
		PGconn *pg = connect_to("central", url);
		int from, to;
		if (!pg)
			return EXIT_FAIL;
		if (mc_central_init(pg, schema, &from, &to, err, sizeof(err)) < 0) {
			fprintf(stderr, "kioskctl central: init: %s", err);
			PQfinish(pg);
			return EXIT_FAIL;
		}
		PQfinish(pg);
		if (from == to)
			printf("Lược đồ đã ở phiên bản %d / schema already at version %d\n", to, to);
		else
			printf("Lược đồ: phiên bản %d → %d / schema migrated from version %d to %d\n", from, to, from, to);
		return EXIT_OK;
	}
	if (!strcmp(verb, "add-office")) {
		if (optind + 3 != argc)
			return usage_error("central", "add-office takes URL CODE");
		if (!name || !*name)
			return usage_error("central", "add-office needs --name NAME (the office's name)");
		const char *code = argv[optind + 2];
		char role[64], pw[40], line[2048];
		PGconn *pg = connect_to("central", url);
		if (!pg)
			return EXIT_FAIL;
		int v = mc_central_version(pg, err, sizeof(err));
		if (v < 1 || v > MC_CENTRAL_SCHEMA) {
			fprintf(stderr, "kioskctl central: the schema is missing or old: run 'kioskctl central init URL' first\n");
			PQfinish(pg);
			return EXIT_FAIL;
		}
		if (mc_central_add_office(pg, code, name, grp, role, sizeof(role), pw, sizeof(pw), err, sizeof(err)) < 0) {
			fprintf(stderr, "kioskctl central: add-office: %s", err);
			PQfinish(pg);
			return EXIT_FAIL;
		}
		PQfinish(pg);
		office_url(url, role, pw, line, sizeof(line));
		printf("; Dán vào board.conf của %s / paste into that office's board.conf\n"
		       "[uplink]\nurl = %s\noffice = %s\n", name, line, code);
		return EXIT_OK;
	}
	if (!strcmp(verb, "add-reader")) {
		if (optind + 3 != argc)
			return usage_error("central", "add-reader takes URL ROLE");
		char pw[40], line[2048];
		PGconn *pg = connect_to("central", url);
		if (!pg)
			return EXIT_FAIL;
		int v = mc_central_version(pg, err, sizeof(err));
		if (v < 1 || v > MC_CENTRAL_SCHEMA ||
		    mc_central_add_reader(pg, argv[optind + 2], pw, sizeof(pw), err, sizeof(err)) < 0) {
			fprintf(stderr, "kioskctl central: add-reader: %s\n", err[0] ? err : "run 'kioskctl central init URL' first");
			PQfinish(pg);
			return EXIT_FAIL;
		}
		PQfinish(pg);
		office_url(url, argv[optind + 2], pw, line, sizeof(line));
		printf("%s\n", line);
		return EXIT_OK;
	}
	return usage_error("central", "unknown action '%s' (init, add-office or add-reader)", verb);
}

/* ---- the city's report ---------------------------------------------------- */

static void report_help(void)
{
	printf("Usage: kioskctl report --central URL --month YYYY-MM [--group G]\n"
	       "                       [--format table|csv|json|pdf] [--out FILE] [--no-rollups]\n\n"
	       "Báo cáo tháng của thành phố: mọi văn phòng, theo nhóm và lĩnh vực.\n"
	       "The city's monthly report: every office, group and service — tickets,\n"
	       "wait (mean, median, P90), share within target, no-shows, tickets in doubt,\n"
	       "satisfaction; offices ranked, with the change against the previous month.\n"
	       "Months are each office's own local days.\n\n"
	       "  --central URL   the city's PostgreSQL (the report role's connection)\n"
	       "  --group G       only offices of group G\n"
	       "  --no-rollups    count from the tickets instead of the daily roll-ups\n"
	       "                  (same figures; slower — for checks and the benchmark)\n"
	       "Exit status: 0 done, 1 failed, 2 bad usage.\n");
}

static void minutes(const json_t *v, char mark, char *buf, size_t len)
{
	if (!json_is_number(v)) {
		snprintf(buf, len, "–");
		return;
	}
	snprintf(buf, len, "%.1f", json_number_value(v) / 60000.0);
	char *d = strchr(buf, '.');
	if (d)
		*d = mark;
}

static void share(const json_t *v, char mark, char *buf, size_t len)
{
	if (!json_is_number(v)) {
		snprintf(buf, len, "–");
		return;
	}
	snprintf(buf, len, "%.1f%%", json_number_value(v) * 100.0);
	char *d = strchr(buf, '.');
	if (d)
		*d = mark;
}

/* One line of figures: table (aligned) or CSV (';', decimal comma). */
static void figures_line(FILE *f, bool csv, const char *rank, const char *office, const char *grp,
			 const char *what, const json_t *x, const json_t *prev)
{
	char mean[16], med[16], p90[16], wt[16], sat[16], dt[24] = "", dw[24] = "";
	char mark = csv ? ',' : '.';

	minutes(json_object_get(x, "wait_mean_ms"), mark, mean, sizeof(mean));
	minutes(json_object_get(x, "wait_median_ms"), mark, med, sizeof(med));
	minutes(json_object_get(x, "wait_p90_ms"), mark, p90, sizeof(p90));
	share(json_object_get(x, "within_target"), mark, wt, sizeof(wt));
	share(json_object_get(x, "satisfied"), mark, sat, sizeof(sat));
	if (json_is_object(prev)) {
		snprintf(dt, sizeof(dt), "%+lld", (long long)(json_integer_value(json_object_get(x, "tickets")) -
							       json_integer_value(json_object_get(prev, "tickets"))));
		const json_t *a = json_object_get(x, "within_target"), *b = json_object_get(prev, "within_target");
		if (json_is_number(a) && json_is_number(b)) {
			snprintf(dw, sizeof(dw), "%+.1f", (json_number_value(a) - json_number_value(b)) * 100.0);
			char *d = strchr(dw, '.');
			if (d)
				*d = mark;
		}
	}
	long long tickets = (long long)json_integer_value(json_object_get(x, "tickets"));
	long long noshow = (long long)json_integer_value(json_object_get(x, "noshow"));
	long long doubt = (long long)json_integer_value(json_object_get(x, "in_doubt"));
	if (csv)
		fprintf(f, "%s;%s;%s;%s;%lld;%s;%s;%s;%s;%lld;%lld;%s;%s;%s\n", rank, office, grp, what, tickets, mean,
			med, p90, wt, noshow, doubt, sat, dt, dw);
	else
		fprintf(f, "%4s  %-10s %-12s %-28s %7lld %7s %7s %7s %8s %6lld %6lld %8s %7s %7s\n", rank, office, grp,
			what, tickets, mean, med, p90, wt, noshow, doubt, sat, dt, dw);
}

/* The office's ratings by level of its board's scale, as shares. */
static void levels_line(FILE *f, const json_t *levels)
{
	size_t k;
	json_t *l;

	if (!json_array_size(levels) || !json_is_number(json_object_get(json_array_get(levels, 0), "share")))
		return;
	fprintf(f, "%4s  %-10s mức hài lòng / levels:", "", "");
	json_array_foreach(levels, k, l) {
		char pct[16];
		const json_t *label = json_object_get(l, "label");
		share(json_object_get(l, "share"), '.', pct, sizeof(pct));
		if (json_is_string(label))
			fprintf(f, "%s %s %s", k ? " ·" : "", json_string_value(label), pct);
		else
			fprintf(f, "%s mức %lld %s", k ? " ·" : "", (long long)json_integer_value(json_object_get(l, "level")), pct);
	}
	fputc('\n', f);
}

static void write_report(FILE *f, const json_t *rep, bool csv)
{
	size_t i, j;
	json_t *of, *s;

	if (csv)
		fprintf(f, "\xEF\xBB\xBFHạng;Mã đơn vị;Nhóm;Lĩnh vực;Số phiếu;Chờ trung bình (phút);"
			"Chờ trung vị (phút);90%% lượt chờ không quá (phút);Trong thời gian mục tiêu;Vắng mặt;"
			"Phiếu in chưa chắc;Hài lòng;Số phiếu so với tháng trước;"
			"Trong thời gian mục tiêu so với tháng trước (điểm %%)\n");
	else
		fprintf(f, "BÁO CÁO THÁNG %s — CÁC TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG\n"
			"City report for %s (thời gian chờ tính bằng phút / waits in minutes)\n\n"
			"%4s  %-10s %-12s %-28s %7s %7s %7s %7s %8s %6s %6s %8s %7s %7s\n",
			json_string_value(json_object_get(rep, "month")), json_string_value(json_object_get(rep, "month")),
			"Hạng", "Mã", "Nhóm", "Lĩnh vực / office", "Số vé", "Chờ TB", "T.vị", "P90", "Đúng hạn",
			"Vắng", "N.vấn", "Hài lòng", "Δ vé", "Δ đ.h");
	json_array_foreach(json_object_get(rep, "offices"), i, of) {
		char rank[8] = "–";
		const char *code = json_string_value(json_object_get(of, "code"));
		const char *grp = json_string_value(json_object_get(of, "group"));
		if (json_is_integer(json_object_get(of, "rank")))
			snprintf(rank, sizeof(rank), "%lld", (long long)json_integer_value(json_object_get(of, "rank")));
		figures_line(f, csv, rank, code, grp, json_string_value(json_object_get(of, "name")),
			     json_object_get(of, "total"), json_object_get(of, "previous"));
		if (!csv)
			levels_line(f, json_object_get(json_object_get(of, "total"), "levels"));
		json_array_foreach(json_object_get(of, "services"), j, s) {
			char what[200];
			snprintf(what, sizeof(what), "  %s", json_string_value(json_object_get(s, "name")));
			figures_line(f, csv, "", code, grp, what, s, NULL);
		}
	}
	if (!csv)
		fprintf(f, "\nNhóm / groups\n");
	json_array_foreach(json_object_get(rep, "groups"), i, s)
		figures_line(f, csv, "", "", json_string_value(json_object_get(s, "group")), "Tổng nhóm / group total", s, NULL);
	figures_line(f, csv, "", "", "", "Toàn thành phố / city", json_object_get(rep, "city"), NULL);
}

/* ---- PDF: the office report's administrative form ------------------------- */

/* Cell texts of one table, kept until the PDF is drawn. */
struct cells {
	char (*txt)[200];        /* texts */
	const char **ptr;        /* pointers to them, row after row */
	size_t n, cap;           /* used, allocated */
};

static void cell(struct cells *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void cell(struct cells *c, const char *fmt, ...)
{
	va_list ap;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		char (*t)[200] = realloc(c->txt, cap * sizeof(*t));
		if (!t)
			return;
		c->txt = t;
		c->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(c->txt[c->n], sizeof(c->txt[0]), fmt, ap);
	va_end(ap);
	c->n++;
}

/* Pointers are taken once every cell is in (the texts may move before). */
static const char *const *cell_ptrs(struct cells *c)
{
	c->ptr = calloc(c->n ? c->n : 1, sizeof(*c->ptr));
	for (size_t i = 0; c->ptr && i < c->n; i++)
		c->ptr[i] = c->txt[i];
	return c->ptr;
}

/* The 12 figure columns of a row (name given by the caller first). */
static void figure_cells(struct cells *c, const json_t *x, const json_t *prev)
{
	char mean[16], med[16], p90[16], wt[16], sat[16], dw[24] = "–";

	minutes(json_object_get(x, "wait_mean_ms"), ',', mean, sizeof(mean));
	minutes(json_object_get(x, "wait_median_ms"), ',', med, sizeof(med));
	minutes(json_object_get(x, "wait_p90_ms"), ',', p90, sizeof(p90));
	share(json_object_get(x, "within_target"), ',', wt, sizeof(wt));
	share(json_object_get(x, "satisfied"), ',', sat, sizeof(sat));
	const json_t *a = json_object_get(x, "within_target"), *b = prev ? json_object_get(prev, "within_target") : NULL;
	if (json_is_number(a) && json_is_number(b)) {
		snprintf(dw, sizeof(dw), "%+.1f", (json_number_value(a) - json_number_value(b)) * 100.0);
		char *d = strchr(dw, '.');
		if (d)
			*d = ',';
	}
	cell(c, "%lld", (long long)json_integer_value(json_object_get(x, "tickets")));
	cell(c, "%s", mean);
	cell(c, "%s", med);
	cell(c, "%s", p90);
	cell(c, "%s", wt);
	cell(c, "%lld", (long long)json_integer_value(json_object_get(x, "noshow")));
	cell(c, "%lld", (long long)json_integer_value(json_object_get(x, "in_doubt")));
	cell(c, "%s", sat);
	cell(c, "%s", dw);
}

static int write_pdf(const json_t *rep, const char *path)
{
	static const char *const head[12] = { "Hạng", "Đơn vị", "Nhóm", "Số phiếu", "Chờ trung bình (phút)",
					      "Chờ trung vị (phút)", "90% lượt chờ không quá (phút)",
					      "Trong thời gian mục tiêu", "Vắng mặt", "Phiếu in chưa chắc", "Hài lòng",
					      "So với tháng trước (điểm %)" };
	static const char *const head_en[12] = { "Rank", "Office", "Group", "Tickets", "Mean wait (min)",
						 "Median wait (min)", "90% of waits at most (min)", "Within target",
						 "No-shows", "Print in doubt", "Satisfied", "Within target vs last month" };
	size_t noff = json_array_size(json_object_get(rep, "offices"));
	struct mc_report_table *t = calloc(noff + 2, sizeof(*t));
	struct cells *c = calloc(noff + 2, sizeof(*c));
	char period[96], period_en[96], err[512], (*titles)[200] = calloc(noff + 2, sizeof(*titles));
	size_t i, j, nt = 0;
	json_t *of, *s;
	int rc = -1;

	if (!t || !c || !titles)
		goto out;
	snprintf(period, sizeof(period), "Tháng %s (theo ngày địa phương của từng đơn vị)",
		 json_string_value(json_object_get(rep, "month")));
	snprintf(period_en, sizeof(period_en), "City report for %s, in each office's local days",
		 json_string_value(json_object_get(rep, "month")));
	/* Ranking of offices. */
	json_array_foreach(json_object_get(rep, "offices"), i, of) {
		const json_t *rank = json_object_get(of, "rank");
		if (json_is_integer(rank))
			cell(&c[nt], "%lld", (long long)json_integer_value(rank));
		else
			cell(&c[nt], "–");
		cell(&c[nt], "%s (%s)", json_string_value(json_object_get(of, "name")),
		     json_string_value(json_object_get(of, "code")));
		cell(&c[nt], "%s", json_string_value(json_object_get(of, "group")));
		figure_cells(&c[nt], json_object_get(of, "total"), json_object_get(of, "previous"));
	}
	t[nt] = (struct mc_report_table){ .title = "Xếp hạng các đơn vị", .title_en = "Offices ranked (within target, then satisfaction, then mean wait)",
					  .ncols = 12, .nrows = noff, .total_row = SIZE_MAX };
	nt++;
	/* Groups and the city. */
	size_t ng = 0;
	json_array_foreach(json_object_get(rep, "groups"), i, s) {
		cell(&c[nt], "%s", "");
		cell(&c[nt], "%lld đơn vị", (long long)json_integer_value(json_object_get(s, "offices")));
		cell(&c[nt], "%s", json_string_value(json_object_get(s, "group")));
		figure_cells(&c[nt], s, NULL);
		ng++;
	}
	cell(&c[nt], "%s", "");
	cell(&c[nt], "Toàn thành phố");
	cell(&c[nt], "%s", "");
	figure_cells(&c[nt], json_object_get(rep, "city"), NULL);
	t[nt] = (struct mc_report_table){ .title = "Theo nhóm và toàn thành phố", .title_en = "By group and city-wide",
					  .ncols = 12, .nrows = ng + 1, .total_row = ng };
	nt++;
	/* Each office by service. */
	json_array_foreach(json_object_get(rep, "offices"), i, of) {
		size_t n = 0;
		json_array_foreach(json_object_get(of, "services"), j, s) {
			cell(&c[nt], "%s", "");
			cell(&c[nt], "%s", json_string_value(json_object_get(s, "name")));
			cell(&c[nt], "%s", json_string_value(json_object_get(s, "service")));
			figure_cells(&c[nt], s, NULL);
			n++;
		}
		cell(&c[nt], "%s", "");
		cell(&c[nt], "Tổng cộng");
		cell(&c[nt], "%s", "");
		figure_cells(&c[nt], json_object_get(of, "total"), json_object_get(of, "previous"));
		snprintf(titles[nt], sizeof(titles[0]), "%s (%s) — theo lĩnh vực", json_string_value(json_object_get(of, "name")),
			 json_string_value(json_object_get(of, "code")));
		t[nt] = (struct mc_report_table){ .title = titles[nt], .title_en = "By service", .ncols = 12,
						  .nrows = n + 1, .total_row = n };
		nt++;
	}
	for (i = 0; i < nt; i++) {
		for (int k = 0; k < 12; k++) {
			t[i].head[k] = head[k];
			t[i].head_en[k] = head_en[k];
		}
		if (!(t[i].cells = cell_ptrs(&c[i])) || c[i].n != t[i].nrows * 12)
			goto out;
	}
	err[0] = 0;
	if (mc_report_write_tables_pdf("ỦY BAN NHÂN DÂN THÀNH PHỐ",
				       "BÁO CÁO THÁNG CÁC TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG", period, period_en, t, nt,
				       path, err, sizeof(err)) < 0) {
		fprintf(stderr, "kioskctl report: %s\n", err);
		goto out;
	}
	rc = 0;
out:
	if (rc && !err[0])
		fprintf(stderr, "kioskctl report: out of memory\n");
	for (i = 0; c && i < noff + 2; i++) {
		free(c[i].txt);
		free(c[i].ptr);
	}
	free(c);
	free(t);
	free(titles);
	return rc;
}

int cmd_report_central(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "central", required_argument, NULL, 'c' }, { "month", required_argument, NULL, 'm' },
		{ "group", required_argument, NULL, 'g' }, { "format", required_argument, NULL, 'F' },
		{ "json", no_argument, NULL, 'J' }, { "out", required_argument, NULL, 'o' },
		{ "no-rollups", no_argument, NULL, 'R' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *url = NULL, *month = NULL, *format = "table", *out = NULL;
	struct mc_central_report_opts ro = { .rollups = true };
	char err[1024], tail;
	int c, rc = EXIT_FAIL;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h': report_help(); return EXIT_OK;
		case 'c': url = optarg; break;
		case 'm': month = optarg; break;
		case 'g': ro.group = optarg; break;
		case 'F': format = optarg; break;
		case 'J': format = "json"; break;
		case 'o': out = optarg; break;
		case 'R': ro.rollups = false; break;
		default: return usage_error("report", "unknown option (try --help)");
		}
	}
	if (optind < argc)
		return usage_error("report", "unexpected argument '%s'", argv[optind]);
	if (!month || sscanf(month, "%4d-%2d%c", &ro.year, &ro.month, &tail) != 2 || strlen(month) != 7 ||
	    ro.month < 1 || ro.month > 12 || ro.year < 1970)
		return usage_error("report", "--central needs --month YYYY-MM");
	if (strcmp(format, "table") && strcmp(format, "csv") && strcmp(format, "json") && strcmp(format, "pdf"))
		return usage_error("report", "--format '%s': use table, csv, json or pdf", format);
	if (!strcmp(format, "pdf") && !out)
		return usage_error("report", "--format pdf needs --out FILE.pdf");
	PGconn *pg = connect_to("report", url);
	if (!pg)
		return EXIT_FAIL;
	json_t *rep = mc_central_report(pg, &ro, err, sizeof(err));
	PQfinish(pg);
	if (!rep) {
		fprintf(stderr, "kioskctl report: %s", err);
		return EXIT_FAIL;
	}
	if (!strcmp(format, "pdf")) {
		rc = write_pdf(rep, out) ? EXIT_FAIL : EXIT_OK;
		goto out;
	}
	FILE *f = out ? fopen(out, "w") : stdout;
	if (!f) {
		perror(out);
		goto out;
	}
	if (!strcmp(format, "json")) {
		json_dumpf(rep, f, JSON_INDENT(2) | JSON_REAL_PRECISION(17));
		fputc('\n', f);
	} else {
		write_report(f, rep, !strcmp(format, "csv"));
	}
	if ((out ? fclose(f) : fflush(f)) == 0)
		rc = EXIT_OK;
out:
	json_decref(rep);
	return rc;
}
