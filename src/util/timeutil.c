#include "reftriage/timeutil.h"

#include <string.h>
#include <time.h>

/* Howard Hinnant's days_from_civil / civil_from_days. */
int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	*y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y += *m <= 2;
}

static bool digits(const char *s, size_t n, unsigned *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (unsigned)(s[i] - '0');
	}
	return true;
}

static unsigned month_days(unsigned y, unsigned m)
{
	static const unsigned md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return md[m - 1];
}

static int parse_ymd(const char *s, size_t n, int64_t *days, const char **why)
{
	unsigned y, m, d;

	if (n < 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4, &y) || !digits(s + 5, 2, &m) ||
	    !digits(s + 8, 2, &d)) {
		*why = "not a date of the form YYYY-MM-DD";
		return -1;
	}
	if (y < 1900) {
		*why = "year is before 1900";
		return -1;
	}
	if (m < 1 || m > 12) {
		*why = "month is not 01-12";
		return -1;
	}
	if (d < 1 || d > month_days(y, m)) {
		*why = "day does not exist in that month";
		return -1;
	}
	*days = days_from_civil(y, m, d);
	return 0;
}

int time_parse_date(const char *s, size_t n, int32_t *days, const char **why)
{
	int64_t d;

	if (n != 10) {
		*why = "not a date of the form YYYY-MM-DD";
		return -1;
	}
	if (parse_ymd(s, n, &d, why) < 0)
		return -1;
	*days = (int32_t)d;
	return 0;
}

int time_parse_datetime(const char *s, size_t n, int64_t *us, const char **why)
{
	int64_t days, frac = 0, off = 0;
	unsigned hh, mi, ss;
	size_t i;

	if (parse_ymd(s, n, &days, why) < 0) {
		/* Keep a calendar reason ("day does not exist"); replace a shape one. */
		if (n < 10 || s[4] != '-' || s[7] != '-')
			*why = "not an RFC 3339 date-time (2026-11-02T08:15:00Z) or a date "
			       "(2026-11-02)";
		return -1;
	}
	if (n == 10) {
		*us = days * US_PER_DAY;
		return 0;
	}
	if (n < 19 || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':' ||
	    !digits(s + 11, 2, &hh) || !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &ss)) {
		*why = "not an RFC 3339 date-time (2026-11-02T08:15:00Z) or a date (2026-11-02)";
		return -1;
	}
	if (hh > 23 || mi > 59) {
		*why = "time of day is out of range";
		return -1;
	}
	if (ss > 59) {
		*why = "seconds are out of range (leap seconds are not accepted)";
		return -1;
	}
	i = 19;
	if (i < n && s[i] == '.') {
		size_t nd = 0;

		i++;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			if (nd == 6) {
				*why = "more than six fractional digits";
				return -1;
			}
			frac = frac * 10 + (s[i] - '0');
			nd++;
			i++;
		}
		if (nd == 0) {
			*why = "a decimal point with no digits after it";
			return -1;
		}
		while (nd++ < 6)
			frac *= 10;
	}
	if (i == n) {
		*why = "no time zone (add Z for UTC or an offset such as +01:00)";
		return -1;
	}
	if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == n) {
		off = 0;
	} else if ((s[i] == '+' || s[i] == '-') && i + 6 == n && s[i + 3] == ':') {
		unsigned oh, om;

		if (!digits(s + i + 1, 2, &oh) || !digits(s + i + 4, 2, &om)) {
			*why = "time zone offset is not +HH:MM or -HH:MM";
			return -1;
		}
		if (oh > 23 || om > 59) {
			*why = "time zone offset is out of range";
			return -1;
		}
		off = ((int64_t)oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
	} else {
		*why = "time zone is not Z or +HH:MM / -HH:MM";
		return -1;
	}
	*us = days * US_PER_DAY + ((int64_t)hh * 3600 + mi * 60 + ss - off) * US_PER_SEC + frac;
	return 0;
}

int64_t time_floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/* Write v as width decimal digits (its lowest ones) at o; the end. */
static char *put_digits(char *o, unsigned v, int width)
{
	int i;

	for (i = width - 1; i >= 0; i--) {
		o[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return o + width;
}

/* YYYY-MM-DD at o (years clamped to four digits); the end. */
static char *put_date(char *o, int64_t days)
{
	int64_t y;
	unsigned m, d;

	civil_from_days(days, &y, &m, &d);
	o = put_digits(o, (unsigned)(y < 0 ? 0 : y > 9999 ? 9999 : y), 4);
	*o++ = '-';
	o = put_digits(o, m, 2);
	*o++ = '-';
	return put_digits(o, d, 2);
}

/* By hand rather than snprintf: every record's canonical form has its times. */
void time_format(int64_t us, char out[40])
{
	int64_t days = time_floor_div(us, US_PER_DAY);
	int64_t rem = us - days * US_PER_DAY;
	unsigned secs = (unsigned)(rem / US_PER_SEC), frac = (unsigned)(rem % US_PER_SEC);
	char *o = put_date(out, days);

	*o++ = 'T';
	o = put_digits(o, secs / 3600, 2);
	*o++ = ':';
	o = put_digits(o, secs / 60 % 60, 2);
	*o++ = ':';
	o = put_digits(o, secs % 60, 2);
	if (frac) {
		*o++ = '.';
		o = put_digits(o, frac, 6);
		while (o[-1] == '0') /* frac is not 0: a digit other than 0 stays */
			o--;
	}
	*o++ = 'Z';
	*o = '\0';
}

void time_format_date(int32_t days, char out[16])
{
	*put_date(out, days) = '\0';
}

void time_format_local(int64_t us, char out[TIME_LOCAL_MAX])
{
	int64_t secs = time_floor_div(us, US_PER_SEC);
	time_t t = (time_t)secs;
	struct tm tm;
	char utc[40];

	tzset();
	if ((int64_t)t == secs && localtime_r(&t, &tm) &&
	    strftime(out, TIME_LOCAL_MAX, "%Y-%m-%d %H:%M %Z", &tm) > 0)
		return;
	time_format(secs * US_PER_SEC, utc);
	(void)snprintf(out, TIME_LOCAL_MAX, "%.10s %.5s UTC", utc, utc + 11);
}

int64_t time_local_day(int64_t us)
{
	int64_t secs = time_floor_div(us, US_PER_SEC);
	time_t t = (time_t)secs;
	struct tm tm;

	tzset();
	if ((int64_t)t == secs && localtime_r(&t, &tm))
		return days_from_civil((int64_t)tm.tm_year + 1900, (unsigned)tm.tm_mon + 1,
		                       (unsigned)tm.tm_mday);
	return time_floor_div(us, US_PER_DAY);
}

/* The local time y-m-d hh:mi:ss (TZ) in microseconds; -1 when the C library cannot say. */
static int local_to_us(int64_t y, unsigned m, unsigned d, unsigned hh, unsigned mi, unsigned ss,
                       int64_t *us)
{
	struct tm tm;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (y < 1900 || y > 9999)
		return -1;
	tm.tm_year = (int)(y - 1900);
	tm.tm_mon = (int)m - 1;
	tm.tm_mday = (int)d;
	tm.tm_hour = (int)hh;
	tm.tm_min = (int)mi;
	tm.tm_sec = (int)ss;
	tm.tm_isdst = -1; /* the zone's rule decides summer time */
	tzset();
	t = mktime(&tm);
	if (t == (time_t)-1)
		return -1;
	*us = (int64_t)t * US_PER_SEC;
	return 0;
}

/* Local midnight of the local day `back` days before now's. */
static int local_midnight(int64_t now, int back, int64_t *us)
{
	time_t t = (time_t)time_floor_div(now, US_PER_SEC);
	struct tm tm;

	tzset();
	if (!localtime_r(&t, &tm))
		return -1;
	/* Day 0 is the last of the month before: mktime normalises it. */
	return local_to_us(tm.tm_year + 1900, (unsigned)tm.tm_mon + 1,
	                   (unsigned)(tm.tm_mday - back), 0, 0, 0, us);
}

static bool word_is(const char *s, size_t n, const char *w)
{
	size_t i;

	if (n != strlen(w))
		return false;
	for (i = 0; i < n; i++)
		if ((s[i] | 0x20) != w[i])
			return false;
	return true;
}

int time_parse_when(const char *s, size_t n, int64_t now, int64_t *us, const char **why)
{
	static const struct {
		const char *unit;
		int64_t us;
	} units[] = {/* no "m": minutes or months? */
	             {"min", 60 * US_PER_SEC},
	             {"h", 3600 * US_PER_SEC},
	             {"d", US_PER_DAY},
	             {"w", 7 * US_PER_DAY}};
	size_t i, nd = 0;
	int64_t count = 0, days;
	unsigned hh, mi, ss = 0;

	if (word_is(s, n, "now")) {
		*us = now;
		return 0;
	}
	if (word_is(s, n, "today") || word_is(s, n, "yesterday")) {
		if (local_midnight(now, s[0] == 't' || s[0] == 'T' ? 0 : 1, us) < 0) {
			*why = "the local date cannot be worked out (TZ)";
			return -1;
		}
		return 0;
	}
	/* A time ago: digits, then a unit: 90m, 12h, 3d, 2w. */
	while (nd < n && s[nd] >= '0' && s[nd] <= '9' && nd < 6)
		count = count * 10 + (s[nd++] - '0');
	if (nd > 0 && nd < n && !(s[nd] >= '0' && s[nd] <= '9'))
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (word_is(s + nd, n - nd, units[i].unit)) {
				*us = now - count * units[i].us;
				return 0;
			}
	/* A local time, as people write one: 2026-11-02 08:15 or 2026-11-02T08:15[:SS]. */
	if ((n == 16 || n == 19) && (s[10] == ' ' || s[10] == 'T' || s[10] == 't') &&
	    s[13] == ':' && (n == 16 || s[16] == ':') && parse_ymd(s, 10, &days, why) == 0 &&
	    digits(s + 11, 2, &hh) && digits(s + 14, 2, &mi) &&
	    (n == 16 || digits(s + 17, 2, &ss))) {
		int64_t y;
		unsigned m, d;

		if (hh > 23 || mi > 59 || ss > 59) {
			*why = "time of day is out of range";
			return -1;
		}
		civil_from_days(days, &y, &m, &d);
		if (local_to_us(y, m, d, hh, mi, ss, us) < 0) {
			*why = "the local time cannot be worked out (TZ)";
			return -1;
		}
		return 0;
	}
	if (time_parse_datetime(s, n, us, why) == 0)
		return 0;
	if (n < 10 || s[4] != '-' || s[7] != '-')
		*why =
		    "give RFC 3339 (2026-11-02T08:15:00Z), a date (2026-11-02), a "
		    "local time (2026-11-02 08:15), now, today, yesterday, or a time ago (90min, "
		    "12h, 3d, 2w)";
	return -1;
}

int64_t time_now(void)
{
	struct timespec ts;
#ifdef REFTRIAGE_TEST_CLOCK
	/*
	 * Only the test build (build/tests/reftriage-testclock, never installed)
	 * lets the environment set the clock: every time a command records is
	 * the system clock's in the binary people run (docs/security.md).
	 */
	const char *env = getenv("REFTRIAGE_NOW");
	const char *why;
	int64_t us;

	if (env && *env && time_parse_datetime(env, strlen(env), &us, &why) == 0)
		return us;
#endif
	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * US_PER_SEC + ts.tv_nsec / 1000;
}
