/* kioskctl-central.c — the city's PostgreSQL: `kioskctl central init URL`,
 * `kioskctl central add-office URL CODE --name N --group G`, and
 * `kioskctl report --central URL --month YYYY-MM` (DESIGN §9). */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "central.h"
#include "kioskctl.h"
#include "tools-common.h"

static void print_help(void)
{
	printf("Usage: kioskctl central init URL\n"
	       "       kioskctl central add-office URL CODE --name NAME [--group GROUP]\n"
	       "       kioskctl central add-reader URL ROLE\n\n"
	       "Cơ sở dữ liệu PostgreSQL của thành phố / the city's PostgreSQL.\n\n"
	       "  init         create or migrate the central schema (safe to run again);\n"
	       "               URL is the city administrator's connection\n"
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
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const char *name = NULL, *grp = "";
	char err[1024] = "";
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h': print_help(); return EXIT_OK;
		case 'n': name = optarg; break;
		case 'g': grp = optarg; break;
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
		if (mc_central_init(pg, &from, &to, err, sizeof(err)) < 0) {
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
		if (mc_central_version(pg, err, sizeof(err)) != MC_CENTRAL_SCHEMA) {
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
		if (mc_central_version(pg, err, sizeof(err)) != MC_CENTRAL_SCHEMA ||
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
	       "                       [--format table|csv|json] [--out FILE] [--no-rollups]\n\n"
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

static void write_report(FILE *f, const json_t *rep, bool csv)
{
	size_t i, j;
	json_t *of, *s;

	if (csv)
		fprintf(f, "\xEF\xBB\xBFsep=;\nHạng;Mã;Nhóm;Lĩnh vực;Số vé;Chờ TB (phút);Trung vị;P90;Đúng hạn;"
			"Vắng mặt;Vé nghi vấn;Hài lòng;Δ vé;Δ đúng hạn (điểm)\n");
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
	if (strcmp(format, "table") && strcmp(format, "csv") && strcmp(format, "json"))
		return usage_error("report", "--format '%s': the city report is table, csv or json", format);
	PGconn *pg = connect_to("report", url);
	if (!pg)
		return EXIT_FAIL;
	json_t *rep = mc_central_report(pg, &ro, err, sizeof(err));
	PQfinish(pg);
	if (!rep) {
		fprintf(stderr, "kioskctl report: %s", err);
		return EXIT_FAIL;
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
