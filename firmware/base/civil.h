/* civil.h — civil dates (proleptic Gregorian) as days since 1970-01-01:
 * the office's day, opening days, closed days and report periods. Pure
 * functions, no time zone: callers turn wall time into a local date first. */
#ifndef MC_CIVIL_H
#define MC_CIVIL_H

#include <stddef.h>
#include <stdint.h>

/* Days since 1970-01-01 of a civil date (m 1..12, d 1..31). */
int32_t mc_days_from_civil(int y, int m, int d);
/* Civil date of days since 1970-01-01. */
void mc_civil_from_days(int32_t day, int *y, int *m, int *d);
/* Weekday of a day, 0 = Sunday. */
int mc_weekday(int32_t day);
/* Parses "YYYY-MM-DD" (1970..9999, a real date) into days since 1970-01-01.
 * Returns 0, or -1 and leaves *out alone. */
int mc_parse_day(const char *s, int32_t *out);
/* Formats days since 1970-01-01 as "YYYY-MM-DD" (buf ≥ 11 bytes). */
void mc_format_day(int32_t day, char *buf, size_t len);

#endif
