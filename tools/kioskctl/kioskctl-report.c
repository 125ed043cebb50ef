/* kioskctl-report.c — `kioskctl report`: wait-time and satisfaction reports
 * for a day, a month or a date range, read straight from the database
 * (read-only; works beside a running kioskd and on a copied file). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kiosk-paths.h"
#include "config.h"
#include "kioskctl.h"
#include "report.h"
#include "tools-common.h"

#define CMD "report"

static void print_help(void)
{
	printf("Usage: kioskctl report --board FILE [--db FILE]\n"
	       "                       (--day YYYY-MM-DD | --month YYYY-MM | --from YYYY-MM-DD --to YYYY-MM-DD)\n"
	       "                       [--by service,counter,clerk,hour,weekday] [--format table|csv|csv-long|json|pdf]\n"
	       "                       [--out FILE] [--png DIR] [--worst N]\n\n"
	       "Báo cáo thời gian chờ, thời gian phục vụ và mức độ hài lòng.\n"
	       "Wait time, service time and satisfaction report, computed from the\n"
	       "database's tickets and event log (a past month's report never changes).\n\n"
	       "  --board FILE    board.conf: office name, service names, target waits (required)\n"
	       "  --db FILE       database (default %s/kiosk.db); opened read-only,\n"
	       "                  a copy works too\n"
	       "  --day D         one day;  --month YYYY-MM  one month;  --from D --to D  a range\n"
	       "  --by LIST       groupings, comma-separated (default: service; the PDF has all)\n"
	       "  --format F      table (terminal, default), csv (UTF-8 with BOM, for Excel),\n"
	       "                  csv-long (the same, one line per figure: table;row;figure;value,\n"
	       "                  for an Excel pivot table), json, pdf (A4, needs --out)\n"
	       "  --out FILE      write there instead of standard output\n"
	       "  --png DIR       also draw the charts as waits.png, arrivals.png,\n"
	       "                  satisfaction.png in DIR (alone when no --format is given)\n"
	       "  --worst N       how many of the longest waits to list (default 10)\n"
	       "  --json          same as --format json\n\n"
	       "The city's report across offices: kioskctl report --central URL --month M\n"
	       "(kioskctl report --central x --help tells more).\n\n"
	       "Exit status: 0 done, 1 failed, 2 bad usage.\n",
	       MC_DEFAULT_STATE_DIR);
}

/* The progress bar: on stderr, only on a terminal. */
struct bar {
	bool on;       /* drawing */
	int last;      /* last percentage drawn */
};

static void progress(void *ctx, int done, int total)
{
	struct bar *b = ctx;
	int pct = total ? done * 100 / total : 100;

	if (!b->on || pct == b->last)
		return;
	b->last = pct;
	int fill = pct * 30 / 100;
	fprintf(stderr, "\rĐang đọc / reading %3d%% [", pct);
	for (int i = 0; i < 30; i++)
		fputs(i < fill ? "█" : "·", stderr);
	fprintf(stderr, "] %d/%d ngày", done, total);
	if (done == total)
		fputs("\r\033[K", stderr);
	fflush(stderr);
}

static int parse_month(const char *s, int32_t *from, int32_t *to)
{
	int y, m;
	char tail;

	if (sscanf(s, "%4d-%2d%c", &y, &m, &tail) != 2 || strlen(s) != 7 || y < 1970 || m < 1 || m > 12)
		return -1;
	*from = mc_days_from_civil(y, m, 1);
	*to = (m == 12 ? mc_days_from_civil(y + 1, 1, 1) : mc_days_from_civil(y, m + 1, 1)) - 1;
	return 0;
}

static int parse_dims(const char *s, unsigned *dims)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", s);
	*dims = 0;
	for (char *tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		int d = mc_report_dim_from_name(tok);
		if (d < 0)
			return -1;
		*dims |= 1u << d;
	}
	return *dims ? 0 : -1;
}

/* mkdir -p path: each missing folder of path, mode 0777 less the umask.
 * 0, or -1 with errno (ENOTDIR when a part is a file). */
static int make_dirs(const char *path)
{
	char buf[4096];
	struct stat st;

	if (strlen(path) >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(buf, path);
	for (char *p = buf + 1; ; p++) {
		if (*p != '/' && *p)
			continue;
		char was = *p;
		*p = 0;
		if (mkdir(buf, 0777) < 0 && errno != EEXIST)
			return -1;
		if (stat(buf, &st) < 0)
			return -1;
		if (!S_ISDIR(st.st_mode)) {
			errno = ENOTDIR;
			return -1;
		}
		*p = was;
		if (!was)
			return 0;
	}
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "board", required_argument, NULL, 'b' }, { "db", required_argument, NULL, 'D' },
		{ "day", required_argument, NULL, 'd' }, { "month", required_argument, NULL, 'm' },
		{ "from", required_argument, NULL, 'f' }, { "to", required_argument, NULL, 't' },
		{ "by", required_argument, NULL, 'B' }, { "format", required_argument, NULL, 'F' },
		{ "out", required_argument, NULL, 'o' }, { "png", required_argument, NULL, 'P' },
		{ "worst", required_argument, NULL, 'w' }, { "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const char *board = NULL, *db = MC_DEFAULT_STATE_DIR "/kiosk.db", *out = NULL, *png = NULL;
	const char *day = NULL, *month = NULL, *from = NULL, *to = NULL, *by = NULL, *format = NULL;
	struct mc_report_opts ro = { .worst = 10 };
	enum mc_report_format fmt = MC_REPORT_TABLE;
	static struct mc_config cfg; /* large; kioskctl runs one command */
	char err[1024];
	int c, rc = EXIT_FAIL;
	long n;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--central") || !strncmp(argv[i], "--central=", 10))
			return cmd_report_central(argc, argv);
	optind = 1;
	while ((c = getopt_long(argc, argv, "hb:", opts, NULL)) != -1) {
		switch (c) {
		case 'h': print_help(); return EXIT_OK;
		case 'b': board = optarg; break;
		case 'D': db = optarg; break;
		case 'd': day = optarg; break;
		case 'm': month = optarg; break;
		case 'f': from = optarg; break;
		case 't': to = optarg; break;
		case 'B': by = optarg; break;
		case 'F': format = optarg; break;
		case 'J': format = "json"; break;
		case 'o': out = optarg; break;
		case 'P': png = optarg; break;
		case 'w':
			if (!parse_int(optarg, 1, 1000, &n))
				return usage_error(CMD, "--worst wants a number from 1 to 1000, not '%s'", optarg);
			ro.worst = (int)n;
			break;
		default: return usage_error(CMD, "unknown option (try --help)");
		}
	}
	if (optind < argc)
		return usage_error(CMD, "unexpected argument '%s'", argv[optind]);
	if (!board)
		return usage_error(CMD, "--board FILE is required (office name, services, target waits)");
	if (!!day + !!month + !!(from || to) != 1)
		return usage_error(CMD, "give exactly one of --day D, --month YYYY-MM, or --from D --to D");
	if (day && mc_parse_day(day, &ro.from) < 0)
		return usage_error(CMD, "--day '%s' is not a date like 2026-03-31", day);
	if (day)
		ro.to = ro.from;
	if (month && parse_month(month, &ro.from, &ro.to) < 0)
		return usage_error(CMD, "--month '%s' is not a month like 2026-03", month);
	if (from || to) {
		if (!from || !to)
			return usage_error(CMD, "--from and --to go together");
		if (mc_parse_day(from, &ro.from) < 0)
			return usage_error(CMD, "--from '%s' is not a date like 2026-03-01", from);
		if (mc_parse_day(to, &ro.to) < 0)
			return usage_error(CMD, "--to '%s' is not a date like 2026-03-31", to);
		if (ro.to < ro.from)
			return usage_error(CMD, "--to %s is before --from %s", to, from);
	}
	if (format) {
		if (!strcmp(format, "table"))
			fmt = MC_REPORT_TABLE;
		else if (!strcmp(format, "csv"))
			fmt = MC_REPORT_CSV;
		else if (!strcmp(format, "csv-long"))
			fmt = MC_REPORT_CSV_LONG;
		else if (!strcmp(format, "json"))
			fmt = MC_REPORT_JSON;
		else if (!strcmp(format, "pdf"))
			fmt = MC_REPORT_PDF;
		else
			return usage_error(CMD, "--format '%s': use table, csv, csv-long, json or pdf", format);
	}
	if (fmt == MC_REPORT_PDF && !out)
		return usage_error(CMD, "--format pdf needs --out FILE.pdf");
	ro.dims = 1u << MC_REPORT_SERVICE;
	if (by && parse_dims(by, &ro.dims) < 0)
		return usage_error(CMD, "--by '%s': use service, counter, clerk, hour, weekday (comma-separated)", by);
	if (fmt == MC_REPORT_PDF && !by)
		ro.dims = (1u << MC_REPORT_NDIMS) - 1;
	if (fmt == MC_REPORT_PDF || png)
		ro.dims |= 1u << MC_REPORT_SERVICE | 1u << MC_REPORT_HOUR; /* the charts */

	if (mc_config_load(board, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "kioskctl report: %s\n", err);
		return EXIT_FAIL;
	}
	/* Local hours and days are the office's. */
	setenv("TZ", cfg.office.timezone, 1);
	tzset();

	struct bar bar = { .on = isatty(STDERR_FILENO) && ro.to - ro.from >= 7, .last = -1 };
	ro.progress = progress;
	ro.progress_ctx = &bar;
	struct mc_report *r = mc_report_compute(db, &cfg, &ro, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "kioskctl report: %s\n", err);
		return EXIT_FAIL;
	}
	/* --png DIR makes DIR, and the folders above it, when they are not
	 * there yet (like mkdir -p). */
	if (png && make_dirs(png) < 0) {
		fprintf(stderr, "kioskctl report: cannot make %s: %s\n", png, strerror(errno));
		mc_report_free(r);
		return EXIT_FAIL;
	}
	if (png && mc_report_write_png(r, png, err, sizeof(err)) < 0) {
		fprintf(stderr, "kioskctl report: %s\n", err);
		goto out_free;
	}
	if (png && !format) {
		rc = EXIT_OK;
		goto out_free;
	}
	if (fmt == MC_REPORT_PDF) {
		if (mc_report_write_pdf(r, out, err, sizeof(err)) < 0) {
			fprintf(stderr, "kioskctl report: %s\n", err);
			goto out_free;
		}
		rc = EXIT_OK;
		goto out_free;
	}
	FILE *f = out ? fopen(out, "w") : stdout;
	if (!f) {
		fprintf(stderr, "kioskctl report: cannot write %s: %s\n", out, strerror(errno));
		goto out_free;
	}
	int wr = mc_report_write_text(r, fmt, f);
	if ((out ? fclose(f) : fflush(f)) != 0)
		wr = -1;
	if (wr < 0) {
		fprintf(stderr, "kioskctl report: cannot write %s: %s\n", out ? out : "standard output",
			strerror(errno));
		goto out_free;
	}
	rc = EXIT_OK;
out_free:
	mc_report_free(r);
	return rc;
}
