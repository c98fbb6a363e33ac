/*
 * Pieces the management report and the rules diff pages share: local dates
 * and times (TZ) for people, the report's date parsing, the head and tail of
 * a self-contained A4 page, and inline SVG charts.
 */
#include "reftriage/mreport.h"

#include "reftriage/report.h"
#include "reftriage/text.h"
#include "reftriage/timeutil.h"

#include <time.h>

int64_t report_local_midnight(int64_t day)
{
	struct tm tm;
	int64_t y;
	unsigned m, dd;
	time_t t;

	civil_from_days(day, &y, &m, &dd);
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (int)(y - 1900);
	tm.tm_mon = (int)m - 1;
	tm.tm_mday = (int)dd;
	/* The zone decides whether summer time is in force at that midnight. */
	tm.tm_isdst = -1;
	tzset();
	t = mktime(&tm);
	if (t == (time_t)-1)
		return day * US_PER_DAY;
	return (int64_t)t * US_PER_SEC;
}

int64_t report_local_day(int64_t us)
{
	time_t t = (time_t)time_floor_div(us, US_PER_SEC);
	struct tm tm;

	tzset();
	if (!localtime_r(&t, &tm))
		return time_floor_div(us, US_PER_DAY);
	return days_from_civil(tm.tm_year + 1900, (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday);
}

/* A near date for one that is not quite YYYY-MM-DD, or "" when none is near. */
static void near_date(const char *s, char out[16])
{
	unsigned y, m, dd;
	int n = 0;
	int64_t us, last;
	const char *why;

	out[0] = '\0';
	/* A date-time: its date part. */
	if (strlen(s) > 10 && time_parse_datetime(s, strlen(s), &us, &why) == 0) {
		(void)snprintf(out, 16, "%.10s", s);
		return;
	}
	if (sscanf(s, "%4u-%2u-%2u%n", &y, &m, &dd, &n) != 3 || s[n] || y < 1900 || m < 1 ||
	    m > 12 || dd < 1 || dd > 31)
		return;
	/* A day the month does not have: the month's last day. */
	last = (m == 12 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, m + 1, 1)) -
	       days_from_civil(y, m, 1);
	if (dd > last)
		dd = (unsigned)last;
	(void)snprintf(out, 16, "%04u-%02u-%02u", y % 10000u, m % 100u, dd % 100u);
	if (strcmp(out, s) == 0)
		out[0] = '\0';
}

int report_parse_date(const char *what, const char *s, int64_t *day, struct diag *d)
{
	const char *why = NULL;
	int32_t days;
	char near[16];

	if (time_parse_date(s, strlen(s), &days, &why) == 0) {
		*day = days;
		return 0;
	}
	diag_clear(d);
	diag_at(d, NULL, 0, what);
	near_date(s, near);
	(void)diag_set(d, EX_USAGE, "'%s' is not a date (YYYY-MM-DD, a local date): %s", s, why);
	if (near[0])
		diag_suggest(d, near);
	return -1;
}

int report_text_safe(struct buf *b, const char *s, size_t width)
{
	char shown[512];

	text_display(shown, sizeof(shown), s ? s : "-", s ? strlen(s) : 1,
	             width < sizeof(shown) / 4 ? width : sizeof(shown) / 4);
	return buf_adds(b, shown);
}

#define MARKING "OFFICIAL-SENSITIVE"

static const char css[] =
    "@page { size: A4 portrait; margin: 18mm 12mm 16mm 12mm;\n"
    "  @top-center { content: \"" MARKING "\"; font: bold 11pt sans-serif; }\n"
    "  @bottom-center { content: \"" MARKING "\"; font: bold 11pt sans-serif; }\n"
    "  @bottom-right { content: \"Page \" counter(page) \" of \" counter(pages);"
    " font: 8pt sans-serif; } }\n"
    "body { font: 9pt/1.35 sans-serif; color: #000; margin: 0; }\n"
    ".marking { text-align: center; font-weight: bold; letter-spacing: .05em; }\n"
    "@media print { .marking { display: none; } }\n"
    "h1 { font-size: 15pt; margin: 0 0 2mm; } h2 { font-size: 11.5pt; margin: 5mm 0 1.5mm; }\n"
    "h3 { font-size: 10pt; margin: 4mm 0 1mm; }\n"
    "table { border-collapse: collapse; margin: 1mm 0 2mm; }\n"
    "th, td { border: 0.5pt solid #888; padding: 0.8mm 2.5mm; text-align: left; }\n"
    "th { background: #e8e8e8; } td.n { text-align: right; }\n"
    "td.same { background: #eef5ee; } td.up { background: #fde8e8; } "
    "td.down { background: #e8eefd; }\n"
    "thead { display: table-header-group; } tr { break-inside: avoid; }\n"
    ".blk { break-inside: avoid; } h2, h3 { break-after: avoid; }\n"
    "table.side { display: inline-table; vertical-align: top; margin-right: 6mm; }\n"
    "svg { display: block; margin: 1mm 0 3mm; } p.meta { margin: 1mm 0; }\n";

int report_page_head(struct buf *b, const char *title)
{
	int rc = 0;

	rc |= buf_adds(b, "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>\n"
	                  "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
	                  "'none'; style-src 'unsafe-inline'\">\n<title>");
	rc |= report_html_escape(b, title);
	rc |= buf_addf(b, " - %s</title>\n<style>\n%s</style></head><body>\n", MARKING, css);
	rc |= buf_adds(b, "<div class=marking>" MARKING "</div>\n<h1>");
	rc |= report_html_escape(b, title);
	rc |= buf_adds(b, "</h1>\n");
	return rc ? -1 : 0;
}

int report_page_tail(struct buf *b)
{
	return buf_adds(b, "<div class=marking>" MARKING "</div>\n</body></html>\n");
}

int report_page_flush(FILE *f, struct buf *b)
{
	if (b->len && fwrite(b->data, 1, b->len, f) != b->len)
		return -1;
	buf_reset(b);
	return 0;
}

/* Chart geometry, in SVG user units (about a point each on the page). */
#define CW 520
#define CH 150
#define CL 40 /* left margin, for the axis labels */
#define CB 22 /* bottom margin, for the labels */

static int svg_axis(struct buf *b, long max)
{
	int rc = 0, k;

	for (k = 0; k <= 4; k++) {
		int y = 8 + (CH - CB - 8) * (4 - k) / 4;

		rc |= buf_addf(b,
		               "<line x1=%d y1=%d x2=%d y2=%d stroke=\"#ddd\"/>"
		               "<text x=%d y=%d font-size=8 text-anchor=end>%ld</text>\n",
		               CL, y, CW, y, CL - 3, y + 3, max * k / 4);
	}
	return rc;
}

int report_svg_chart(struct buf *b, const char *title, const char *const *labels, size_t n,
                     const struct report_series *s, size_t nseries, bool bars, long top)
{
	long max = top > 0 ? top : 4;
	size_t i, k, step = n > 14 ? (n + 13) / 14 : 1;
	double dx = n ? (double)(CW - CL - 10) / (double)n : 1, h = CH - CB - 8;
	int rc = 0;

	for (k = 0; k < nseries; k++)
		for (i = 0; i < n; i++)
			if (s[k].v[i] > max)
				max = s[k].v[i];
	/* A round top for the axis: the next multiple of 4 at least. */
	max = (max + 3) / 4 * 4;
	rc |= buf_addf(b,
	               "<svg width=%d height=%d "
	               "viewBox=\"0 0 %d %d\" role=img aria-label=\"",
	               CW, CH + 14, CW, CH + 14);
	rc |= report_html_escape(b, title);
	rc |= buf_adds(b, "\">\n");
	rc |= svg_axis(b, max);
	for (k = 0; k < nseries; k++) {
		if (bars && k == 0) {
			for (i = 0; i < n; i++) {
				double bh = h * (double)s[k].v[i] / (double)max;

				rc |= buf_addf(b,
				               "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				               "height=\"%.1f\" fill=\"%s\"/>\n",
				               CL + 5 + dx * (double)i, 8 + h - bh, dx * 0.8, bh,
				               s[k].colour);
			}
			continue;
		}
		rc |= buf_addf(b, "<polyline fill=none stroke=\"%s\" stroke-width=1.5 points=\"",
		               s[k].colour);
		for (i = 0; i < n; i++)
			rc |= buf_addf(b, "%s%.1f,%.1f", i ? " " : "",
			               CL + 5 + dx * ((double)i + 0.4),
			               8 + h - h * (double)s[k].v[i] / (double)max);
		rc |= buf_adds(b, "\"/>\n");
	}
	for (i = 0; i < n; i += step) {
		rc |= buf_addf(b, "<text x=\"%.1f\" y=%d font-size=7 text-anchor=middle>",
		               CL + 5 + dx * ((double)i + 0.4), CH - CB + 12);
		rc |= report_html_escape(b, labels[i]);
		rc |= buf_adds(b, "</text>\n");
	}
	for (k = 0; k < nseries; k++) {
		rc |= buf_addf(b,
		               "<rect x=%d y=%d width=8 height=8 fill=\"%s\"/><text x=%d y=%d "
		               "font-size=8>",
		               CL + 5 + (int)k * 120, CH + 2, s[k].colour, CL + 16 + (int)k * 120,
		               CH + 9);
		rc |= report_html_escape(b, s[k].name);
		rc |= buf_adds(b, "</text>\n");
	}
	rc |= buf_adds(b, "</svg>\n");
	return rc ? -1 : 0;
}
