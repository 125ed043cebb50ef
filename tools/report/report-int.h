/* report-int.h — what the report's output files share: the report laid out
 * as titled tables of formatted cells, so the terminal table, the CSV and
 * the PDF show the same figures under the same headings. Private to
 * tools/report. */
#ifndef MC_REPORT_INT_H
#define MC_REPORT_INT_H

#include "report.h"

#define SEC_MAXCOLS 14   /* columns of a section at most */
#define SEC_HEAD 72      /* bytes of a column heading at most */
#define SEC_CELL (MC_TEXT + 16) /* bytes of a cell at most */

/* One titled table of formatted cells. */
struct sec {
	char title[96];          /* Vietnamese title */
	char title_en[96];       /* English title */
	int ncols;               /* columns */
	char head[SEC_MAXCOLS][SEC_HEAD];    /* Vietnamese column headings */
	char head_en[SEC_MAXCOLS][SEC_HEAD]; /* English column headings */
	char (*cells)[SEC_MAXCOLS][SEC_CELL]; /* nrows rows of ncols cells */
	size_t nrows;            /* rows */
	size_t total_row;        /* index of the "total" row, or SIZE_MAX */
};

/* All sections of a report, in order. */
struct secs {
	struct sec *sec;         /* sections */
	size_t n;                /* how many */
};

/* Lays r out with decimal mark mark (',' for people, '.' for machines).
 * Returns 0 or -1 on out of memory (s is freed then). */
int report_sections(const struct mc_report *r, char mark, struct secs *s);
/* Frees what report_sections made. Accepts an empty s. */
void report_sections_free(struct secs *s);

/* "Báo cáo ... từ ngày D đến ngày D" style texts for titles. */
void report_period_vi(const struct mc_report *r, char *buf, size_t len);
/* The same in English. */
void report_period_en(const struct mc_report *r, char *buf, size_t len);
/* Columns a UTF-8 string takes on a terminal (combining marks take none). */
size_t report_text_width(const char *s);

#endif
