/*
 * Times in reftriage are UTC microseconds since 1970-01-01 (int64_t); dates
 * are days since 1970-01-01 (int32_t). Parsing is strict: what is not a
 * valid RFC 3339 date-time or YYYY-MM-DD date is refused, never guessed.
 */
#ifndef REFTRIAGE_TIMEUTIL_H
#define REFTRIAGE_TIMEUTIL_H

#include "reftriage/compat.h"

#define US_PER_SEC INT64_C(1000000)
#define US_PER_DAY (INT64_C(86400) * US_PER_SEC)

/* a / b rounded towards minus infinity (b > 0): whole days before 1970 too. */
int64_t time_floor_div(int64_t a, int64_t b);

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

/*
 * Parse "YYYY-MM-DD" (midnight UTC) or an RFC 3339 date-time with a Z or
 * +HH:MM offset and at most six fractional digits. On failure returns -1
 * and sets *why to a static phrase ("month 13 is not 01-12", ...).
 */
int time_parse_datetime(const char *s, size_t n, int64_t *us, const char **why);
/* Parse "YYYY-MM-DD" only. */
int time_parse_date(const char *s, size_t n, int32_t *days, const char **why);

/*
 * A TIME as people give one on the command line (cli.md, docs/workflow.md):
 * what time_parse_datetime takes (RFC 3339; a bare date is midnight UTC);
 * a local time without a zone, "2026-11-02 08:15" or "2026-11-02T08:15[:SS]"
 * (in the zone TZ names); "now"; "today" and "yesterday" (local midnight);
 * or a time ago, digits and a unit: "90min", "12h", "3d", "2w" (no "m":
 * minutes or months?).
 * Words in any case. now is the one clock the command runs at (--now, else
 * the system clock). -1 with *why set (a static phrase) otherwise.
 */
int time_parse_when(const char *s, size_t n, int64_t now, int64_t *us, const char **why);

/* "2026-11-02T08:15:00Z", with a fraction only when there is one. */
void time_format(int64_t us, char out[40]);
/* "2026-11-02". */
void time_format_date(int32_t days, char out[16]);

/*
 * For people (cli.md): the local time of us in the zone TZ names (the
 * system's zone when TZ is unset), to the minute (seconds dropped, never
 * rounded up), with the zone's abbreviation: "2026-11-02 09:15 GMT". A time
 * the C library cannot convert is written in UTC: "2026-11-02 09:15 UTC".
 */
#define TIME_LOCAL_MAX 48
void time_format_local(int64_t us, char out[TIME_LOCAL_MAX]);

/* The local date (TZ) of us, as days since 1970; the UTC date when it cannot be converted. */
int64_t time_local_day(int64_t us);

/*
 * The system clock. Only a build with REFTRIAGE_TEST_CLOCK defined (the
 * test-only binary, never installed) takes REFTRIAGE_NOW (an RFC 3339 time)
 * instead when it is set.
 */
int64_t time_now(void);

#endif
