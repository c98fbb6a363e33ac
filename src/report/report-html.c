/*
 * The management report as one self-contained A4 page set for a monthly
 * performance meeting: tables and inline SVG charts (intake and backlog by
 * day, response within time by band), no script, nothing fetched; each
 * --by group a row in tables that compare them (report-groups.c).
 */
#include "reftriage/mreport.h"

#include "reftriage/alloc.h"
#include "reftriage/report.h"
#include "reftriage/timeutil.h"

struct page {
	struct buf *b;
	const struct mreport *m;
	const char *const *day_labels;
	const char *const *band_labels;
};

/* Up to this many weeks, the weekly intake is one row across the page. */
#define WEEKS_ACROSS 7

static int cell_row(struct buf *b, const char *head, const long *v, size_t n)
{
	size_t i;
	int rc = buf_adds(b, "<tr><th>");

	rc |= report_html_escape(b, head);
	rc |= buf_adds(b, "</th>");
	for (i = 0; i < n; i++)
		rc |= buf_addf(b, "<td class=n>%ld</td>", v[i]);
	return rc | buf_adds(b, "</tr>\n");
}

static int html_received(const struct page *pg, const struct report_figures *f)
{
	struct buf *b = pg->b;
	size_t i, n = pg->m->nprio;
	int rc = 0;

	rc |= buf_addf(b,
	               "<div class=blk><h3>Received: %ld</h3>\n<table class=side><thead><tr><th>"
	               "</th>",
	               f->received);
	for (i = 0; i < n; i++) {
		rc |= buf_adds(b, "<th>");
		rc |= report_html_escape(b, pg->band_labels[i]);
		rc |= buf_adds(b, "</th>");
	}
	rc |= buf_adds(b, "<th>unscored</th></tr></thead><tbody>\n<tr><th>packages</th>");
	for (i = 0; i < n; i++)
		rc |= buf_addf(b, "<td class=n>%ld</td>", f->received_by_priority[i]);
	rc |= buf_addf(b, "<td class=n>%ld</td></tr>\n</tbody></table>\n",
	               f->received_by_priority[REPORT_UNSCORED]);
	/* A month's five or six weeks across the page; a longer period down it. */
	if (pg->m->nweeks <= WEEKS_ACROSS) {
		rc |= buf_adds(b, "<table class=side><thead><tr><th>week from</th>");
		for (i = 0; i < pg->m->nweeks; i++) {
			char t[16];

			time_format_date((int32_t)(pg->m->first_monday + 7 * (int64_t)i), t);
			rc |= buf_addf(b, "<th>%s</th>", t);
		}
		rc |= buf_adds(b, "</tr></thead><tbody>\n");
		rc |= cell_row(b, "received", f->by_week, pg->m->nweeks);
		return rc | buf_adds(b, "</tbody></table></div>\n");
	}
	rc |= buf_adds(b, "<table><thead><tr><th>week from</th><th>received</th></tr></thead>"
	                  "<tbody>\n");
	for (i = 0; i < pg->m->nweeks; i++) {
		char t[16];

		time_format_date((int32_t)(pg->m->first_monday + 7 * (int64_t)i), t);
		rc |= cell_row(b, t, &f->by_week[i], 1);
	}
	return rc | buf_adds(b, "</tbody></table></div>\n");
}

static int html_response(const struct page *pg, const struct report_figures *f)
{
	struct buf *b = pg->b;
	size_t i, n = pg->m->nprio;
	long within[REPORT_PRIOS];
	struct report_series s = {"% of those fallen due met within time", "#2a6", within};
	int rc = 0;

	rc |= buf_adds(b, "<div class=blk><h3>Response within time, by band</h3>\n<p "
	                  "class=meta>By the "
	                  "priority and due time in force at the time; met: first action (a "
	                  "status other than new, assigned or reopened) at or before the time "
	                  "due.</p>\n<table><thead><tr><th>priority</th><th>due</th><th>met</th>"
	                  "<th>late</th><th>open and overdue</th><th>not yet due</th><th>within "
	                  "time</th></tr></thead><tbody>\n");
	for (i = 0; i < n; i++) {
		long v[5] = {f->due[i], f->met[i], f->late[i], f->open_overdue[i],
		             f->not_yet_due[i]};
		long w = report_within_time(f, i);

		within[i] = w < 0 ? 0 : w;
		rc |= cell_row(b, pg->band_labels[i], v, 5);
		buf_truncate(b, b->len - strlen("</tr>\n"));
		rc |= w >= 0 ? buf_addf(b, "<td class=n>%ld%%</td></tr>\n", w)
		             : buf_adds(b, "<td class=n>-</td></tr>\n");
	}
	rc |= buf_adds(b, "</tbody></table>\n");
	rc |= report_svg_chart(b, "Response within time by band (%)", pg->band_labels, n, &s, 1,
	                       true, 100);
	return rc | buf_adds(b, "</div>\n");
}

static int html_backlog(const struct page *pg, const struct report_figures *f)
{
	struct buf *b = pg->b;
	size_t i;
	int rc = 0;

	rc |= buf_addf(
	    b,
	    "<div class=blk><h3>Backlog now: %ld open, %ld overdue</h3>\n<table><thead><tr><th>"
	    "days since receipt</th>",
	    f->open, f->overdue);
	for (i = 0; i < REPORT_AGES; i++)
		rc |= buf_addf(b, "<th>%s</th>", report_age_names[i]);
	rc |= buf_adds(b, "</tr></thead><tbody>\n");
	rc |= cell_row(b, "open packages", f->by_age, REPORT_AGES);
	rc |= buf_adds(b, "</tbody></table></div>\n<div class=blk><h3>Outcomes dated in the "
	                  "period</h3>\n");
	if (!f->noutcomes)
		return rc | buf_adds(b, pg->m->has_outcomes ? "<p>None.</p></div>\n"
		                                            : "<p>None recorded.</p></div>\n");
	rc |= buf_adds(b, "<table><tbody>\n");
	for (i = 0; i < f->noutcomes; i++)
		rc |= cell_row(b, f->outcomes[i].code, &f->outcomes[i].n, 1);
	return rc | buf_adds(b, "</tbody></table></div>\n");
}

static int html_trend(const struct page *pg, const struct report_figures *f)
{
	struct report_series in[2] = {{"received", "#36c", f->day_received},
	                              {"closed", "#c63", f->day_closed}};
	struct report_series open = {"open at the day's end", "#333", f->day_open};
	size_t n = pg->m->ndays;
	int rc = 0;

	rc |= buf_adds(pg->b, "<div class=blk><h3>Intake and backlog by day</h3>\n");
	rc |= report_svg_chart(pg->b, "Received and closed by day", pg->day_labels, n, in, 2, true,
	                       0);
	/* One block: the two charts are read together, and a page never ends with one. */
	rc |= report_svg_chart(pg->b, "Open at each day's end", pg->day_labels, n, &open, 1, false,
	                       0);
	return rc | buf_adds(pg->b, "</div>\n");
}

static int html_figures(const struct page *pg, const struct report_figures *f)
{
	return html_received(pg, f) | html_response(pg, f) | html_backlog(pg, f) |
	       html_trend(pg, f);
}

static int html_head(struct buf *b, const struct mreport *m, const char *operator_name,
                     int64_t generated_at)
{
	char a[16], z[16], t[TIME_LOCAL_MAX];
	int rc = 0;

	time_format_date((int32_t)m->from_day, a);
	time_format_date((int32_t)m->to_day - 1, z);
	rc |= report_page_head(b, "Referral performance report");
	rc |= buf_addf(b, "<p class=meta>Period <b>%s</b> to <b>%s</b> (%zu days, local dates); ",
	               a, z, m->ndays);
	time_format_local(m->now, t);
	rc |= buf_addf(b, "backlog and overdue at %s", t);
	if (m->scored) {
		time_format_local(m->as_of, t);
		rc |= buf_addf(b, "; priorities as scored at %s with ", t);
		rc |= report_html_escape(b, m->rs->name);
		rc |= buf_addc(b, ' ');
		rc |= report_html_escape(b, m->rs->version);
	}
	time_format_local(generated_at, t);
	rc |= buf_addf(b, ".</p>\n<p class=meta>Generated %s by ", t);
	rc |= report_html_escape(b, operator_name);
	rc |= buf_adds(b, ".</p>\n");
	if (m->seeded_at > m->from) {
		time_format_local(m->seeded_at, t);
		rc |=
		    buf_addf(b,
		             "<p class=meta>Note: the priority history starts when this store was "
		             "migrated (%s): each package received before then is judged by the "
		             "priority and due time it had at that migration.</p>\n",
		             t);
	}
	return rc;
}

/* Labels for the charts: each day as MM-DD, each band as its priority. */
static char *day_labels(const struct mreport *m, const char **labels)
{
	char *text = rt_calloc(m->ndays + 1, 8), t[16];
	size_t i;

	for (i = 0; text && i < m->ndays; i++) {
		time_format_date((int32_t)(m->from_day + (int64_t)i), t);
		(void)snprintf(text + 8 * i, 8, "%.5s", t + 5);
		labels[i] = text + 8 * i;
	}
	return text;
}

int mreport_write_html(FILE *f, const struct mreport *m, const char *operator_name,
                       int64_t generated_at)
{
	const char **labels = rt_calloc(m->ndays + 1, sizeof(*labels));
	const char *bands[REPORT_PRIOS];
	char *text = labels ? day_labels(m, labels) : NULL;
	struct buf b;
	struct page pg = {&b, m, labels, bands};
	size_t i;
	int rc = text ? 0 : -1;

	buf_init(&b);
	for (i = 0; i < m->nprio; i++)
		bands[i] = m->prio[i];
	rc |= html_head(&b, m, operator_name, generated_at);
	if (m->quarantine.open) {
		char t[TIME_LOCAL_MAX];

		time_format_local(m->quarantine.oldest_received, t);
		rc |= buf_addf(&b,
		               "<p class=quarantine><b>Quarantine: %ld rejected record%s open, not "
		               "triaged</b> (oldest received ",
		               m->quarantine.open, m->quarantine.open == 1 ? "" : "s");
		rc |= report_html_escape(&b, t);
		rc |= buf_adds(&b, ").</p>\n");
	}
	/*
	 * The figures flow from the heading on, each block kept whole: no page
	 * holds a title alone, and the groups share tables instead of a page
	 * each (at most 4 A4 pages for a month; t0760 prints and measures them).
	 */
	rc |= buf_adds(&b, "<h2>All referrals</h2>\n");
	rc |= mreport_casework_html(&b, m);
	rc |= rc ? -1 : html_figures(&pg, &m->total);
	rc |= rc ? -1 : report_html_groups(&b, m);
	rc |= report_page_tail(&b);
	if (!rc)
		rc = report_page_flush(f, &b);
	buf_release(&b);
	rt_free(text);
	rt_free((void *)labels);
	return rc ? -1 : 0;
}
