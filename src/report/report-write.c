/*
 * The management report as JSON (for machines: times UTC, dates local as
 * the period is) and as text (for people: local times with the zone).
 */
#include "reftriage/mreport.h"

#include "reftriage/jsonw.h"
#include "reftriage/report.h"
#include "reftriage/timeutil.h"

static int json_str(struct buf *b, const char *s)
{
	return s ? jsonw_string(b, s, strlen(s)) : buf_adds(b, "null");
}

static int json_date(struct buf *b, int64_t day)
{
	char t[16];

	time_format_date((int32_t)day, t);
	return json_str(b, t);
}

static int json_received(struct buf *b, const struct mreport *m, const struct report_figures *f)
{
	bool first = true, f2 = true;
	size_t i;
	int rc = 0;

	rc |= buf_adds(b, "{");
	rc |= jsonw_key_int(b, &first, "total", f->received);
	rc |= jsonw_key(b, &first, "by_priority");
	rc |= buf_addc(b, '{');
	for (i = 0; i < m->nprio; i++) {
		rc |= jsonw_key(b, &f2, m->prio[i]);
		rc |= buf_addf(b, "%ld", f->received_by_priority[i]);
	}
	if (f->received_by_priority[REPORT_UNSCORED]) {
		rc |= jsonw_key_int(b, &f2, "unscored", f->received_by_priority[REPORT_UNSCORED]);
	}
	rc |= buf_adds(b, "}");
	rc |= jsonw_key(b, &first, "by_week");
	rc |= buf_addc(b, '[');
	for (i = 0; i < m->nweeks; i++) {
		rc |= buf_adds(b, i ? ",{\"week\":" : "{\"week\":");
		rc |= json_date(b, m->first_monday + 7 * (int64_t)i);
		rc |= buf_addf(b, ",\"count\":%ld}", f->by_week[i]);
	}
	return rc | buf_adds(b, "]}");
}

static int json_response(struct buf *b, const struct mreport *m, const struct report_figures *f)
{
	bool first = true;
	size_t i;
	int rc = buf_addc(b, '{');

	for (i = 0; i < m->nprio; i++) {
		long whole = f->met[i] + f->late[i] + f->open_overdue[i];

		rc |= jsonw_key(b, &first, m->prio[i]);
		rc |= buf_addf(b,
		               "{\"due\":%ld,\"met\":%ld,\"late\":%ld,\"open_overdue\":%ld,"
		               "\"not_yet_due\":%ld,\"within_time\":",
		               f->due[i], f->met[i], f->late[i], f->open_overdue[i],
		               f->not_yet_due[i]);
		/* A fraction in [0, 1], as the backtest's (outcomes.md); null when none fell due.
		 */
		rc |= whole ? jsonw_number(b, (double)f->met[i] / (double)whole) | buf_addc(b, '}')
		            : buf_adds(b, "null}");
	}
	return rc | buf_addc(b, '}');
}

static int json_backlog(struct buf *b, const struct report_figures *f)
{
	size_t i;
	int rc = buf_addf(b, "{\"open\":%ld,\"overdue\":%ld,\"by_age\":{", f->open, f->overdue);

	for (i = 0; i < REPORT_AGES; i++)
		rc |= buf_addf(b, "%s\"%s\":%ld", i ? "," : "", report_age_names[i], f->by_age[i]);
	return rc | buf_adds(b, "}}");
}

static int json_trend(struct buf *b, const struct mreport *m, const struct report_figures *f)
{
	size_t i;
	int rc = buf_addc(b, '[');

	for (i = 0; i < m->ndays; i++) {
		rc |= buf_adds(b, i ? ",{\"date\":" : "{\"date\":");
		rc |= json_date(b, m->from_day + (int64_t)i);
		rc |= buf_addf(b, ",\"received\":%ld,\"closed\":%ld,\"open\":%ld}",
		               f->day_received[i], f->day_closed[i], f->day_open[i]);
	}
	return rc | buf_addc(b, ']');
}

/* The figures' keys (received ... trend), without the braces around them. */
static int json_figures(struct buf *b, const struct mreport *m, const struct report_figures *f,
                        bool *first)
{
	bool f2 = true;
	size_t i;
	int rc = 0;

	rc |= jsonw_key(b, first, "received");
	rc |= json_received(b, m, f);
	rc |= jsonw_key(b, first, "response");
	rc |= json_response(b, m, f);
	rc |= jsonw_key(b, first, "backlog");
	rc |= json_backlog(b, f);
	rc |= jsonw_key(b, first, "outcomes");
	rc |= buf_addc(b, '{');
	for (i = 0; i < f->noutcomes; i++) {
		rc |= jsonw_key(b, &f2, f->outcomes[i].code);
		rc |= buf_addf(b, "%ld", f->outcomes[i].n);
	}
	rc |= buf_addc(b, '}');
	rc |= jsonw_key(b, first, "trend");
	return rc | json_trend(b, m, f);
}

static int json_time(struct buf *b, int64_t us)
{
	return buf_addc(b, '"') | report_time(b, us) | buf_addc(b, '"');
}

/*
 * The note of a store migrated from before the priority history, when the
 * period starts before that: what its response figures rest on.
 */
static int seeded_note(struct buf *b, const struct mreport *m)
{
	return buf_adds(b, "the priority history starts when this store was migrated (") |
	       report_time(b, m->seeded_at) |
	       buf_adds(b, "): each package received before then is judged by the priority and due "
	                   "time it had at that migration, as if in force since its clock start");
}

static int json_note(struct buf *b, const struct mreport *m)
{
	struct buf t;
	int rc;

	buf_init(&t);
	rc = seeded_note(&t, m);
	rc |= rc ? -1 : jsonw_string(b, t.data, t.len);
	buf_release(&t);
	return rc;
}

int mreport_write_json(FILE *f, const struct mreport *m)
{
	struct buf b;
	bool first = true;
	size_t i;
	int rc = 0;

	buf_init(&b);
	rc |= buf_addc(&b, '{');
	rc |= jsonw_key(&b, &first, "from");
	rc |= json_time(&b, m->from);
	rc |= jsonw_key(&b, &first, "to");
	rc |= json_time(&b, m->to);
	rc |= jsonw_key(&b, &first, "from_date");
	rc |= json_date(&b, m->from_day);
	rc |= jsonw_key(&b, &first, "to_date");
	rc |= json_date(&b, m->to_day);
	rc |= jsonw_key(&b, &first, "as_of");
	rc |= m->scored ? json_time(&b, m->as_of) : buf_adds(&b, "null");
	rc |= jsonw_key(&b, &first, "now");
	rc |= json_time(&b, m->now);
	rc |= jsonw_key(&b, &first, "note");
	rc |= m->seeded_at > m->from ? json_note(&b, m) : buf_adds(&b, "null");
	rc |= jsonw_key(&b, &first, "quarantine");
	rc |= buf_addf(&b, "{\"open\":%ld,\"oldest_received\":", m->quarantine.open);
	rc |= m->quarantine.has_oldest ? json_time(&b, m->quarantine.oldest_received)
	                               : buf_adds(&b, "null");
	rc |= buf_addc(&b, '}');
	rc |= mreport_casework_json(&b, m, &first);
	rc |= json_figures(&b, m, &m->total, &first);
	if (m->by != STORE_BY_NONE) {
		rc |= jsonw_key(&b, &first, "by");
		rc |= buf_adds(&b, "{\"field\":");
		rc |= json_str(&b, report_by_names[m->by - 1]);
		rc |= buf_adds(&b, ",\"groups\":[");
		for (i = 0; i < m->ngroups; i++) {
			bool f2 = true;

			rc |= buf_adds(&b, i ? ",\n{" : "\n{");
			rc |= jsonw_key(&b, &f2, "value");
			rc |= json_str(&b, m->groups[i].value);
			rc |= json_figures(&b, m, &m->groups[i], &f2);
			rc |= buf_addc(&b, '}');
		}
		rc |= buf_adds(&b, "]}");
	}
	rc |= buf_adds(&b, "}\n");
	if (!rc)
		rc = report_page_flush(f, &b);
	buf_release(&b);
	return rc ? -1 : 0;
}

/* --- text ------------------------------------------------------------------ */

static int text_figures(struct buf *b, const struct mreport *m, const struct report_figures *f)
{
	char t[16];
	size_t i;
	int rc = 0;

	rc |= buf_addf(b, "received: %ld", f->received);
	for (i = 0; i < m->nprio; i++) {
		rc |= buf_adds(b, i ? ", " : " (");
		rc |= report_text_safe(b, m->prio[i], 8);
		rc |= buf_addf(b, " %ld", f->received_by_priority[i]);
	}
	if (f->received_by_priority[REPORT_UNSCORED])
		rc |= buf_addf(b, ", unscored %ld", f->received_by_priority[REPORT_UNSCORED]);
	rc |= buf_adds(b, ")\n  by week (from Monday):");
	for (i = 0; i < m->nweeks; i++) {
		time_format_date((int32_t)(m->first_monday + 7 * (int64_t)i), t);
		rc |= buf_addf(b, "%s %s %ld", i ? "," : "", t, f->by_week[i]);
	}
	rc |= buf_adds(b, "\nresponse within time (by the priority and due time in force then; "
	                  "met: first action at or before due)\n  priority     due     met    "
	                  "late  open overdue  not yet due  within time\n");
	for (i = 0; i < m->nprio; i++) {
		long w = report_within_time(f, i);

		rc |= buf_adds(b, "  ");
		rc |= report_cell(b, m->prio[i], 8, false);
		rc |= buf_addf(b, "  %6ld  %6ld  %6ld  %12ld  %11ld  ", f->due[i], f->met[i],
		               f->late[i], f->open_overdue[i], f->not_yet_due[i]);
		rc |= w >= 0 ? buf_addf(b, "%10ld%%\n", w) : buf_adds(b, "         -\n");
	}
	rc |= buf_addf(b, "backlog now: %ld open, %ld overdue; days since receipt", f->open,
	               f->overdue);
	for (i = 0; i < REPORT_AGES; i++)
		rc |= buf_addf(b, "%s %s: %ld", i ? "," : "", report_age_names[i], f->by_age[i]);
	rc |= buf_adds(b, "\noutcomes dated in the period:");
	for (i = 0; i < f->noutcomes; i++) {
		rc |= buf_adds(b, i ? ", " : " ");
		rc |= report_text_safe(b, f->outcomes[i].code, 40);
		rc |= buf_addf(b, " %ld", f->outcomes[i].n);
	}
	rc |= buf_adds(b, f->noutcomes ? "\n" : m->has_outcomes ? " none\n" : " none recorded\n");
	rc |= buf_adds(b, "trend   date          received  closed  open at the day's end\n");
	for (i = 0; i < m->ndays; i++) {
		time_format_date((int32_t)(m->from_day + (int64_t)i), t);
		rc |= buf_addf(b, "        %s  %8ld  %6ld  %6ld\n", t, f->day_received[i],
		               f->day_closed[i], f->day_open[i]);
	}
	return rc;
}

int mreport_write_text(FILE *f, const struct mreport *m)
{
	char a[16], z[16], t1[TIME_LOCAL_MAX], t2[TIME_LOCAL_MAX], t3[TIME_LOCAL_MAX];
	struct buf b;
	size_t i;
	int rc = 0;

	buf_init(&b);
	time_format_date((int32_t)m->from_day, a);
	time_format_date((int32_t)m->to_day - 1, z);
	time_format_local(m->from, t1);
	time_format_local(m->to, t2);
	time_format_local(m->now, t3);
	rc |= buf_addf(&b, "report: %s to %s (from %s to %s), %zu day%s; backlog at %s\n", a, z, t1,
	               t2, m->ndays, m->ndays == 1 ? "" : "s", t3);
	if (m->scored) {
		time_format_local(m->as_of, t1);
		rc |= buf_addf(&b, "priorities as scored at %s\n", t1);
	}
	if (m->seeded_at > m->from) {
		rc |= buf_adds(&b, "note: ");
		rc |= seeded_note(&b, m);
		rc |= buf_addc(&b, '\n');
	}
	if (m->quarantine.open) {
		time_format_local(m->quarantine.oldest_received, t1);
		rc |=
		    buf_addf(&b,
		             "QUARANTINE: %ld rejected record%s open, not triaged (oldest received "
		             "%s)\n",
		             m->quarantine.open, m->quarantine.open == 1 ? "" : "s", t1);
	} else {
		rc |= buf_adds(&b, "quarantine: none open\n");
	}
	rc |= mreport_casework_text(&b, m);
	rc |= buf_addc(&b, '\n');
	rc |= text_figures(&b, m, &m->total);
	for (i = 0; i < m->ngroups && !rc; i++) {
		rc |= buf_addf(&b, "\n%s: ", report_by_names[m->by - 1]);
		rc |= m->groups[i].value ? report_text_safe(&b, m->groups[i].value, 60)
		                         : buf_adds(&b, "(none)");
		rc |= buf_addc(&b, '\n');
		rc |= text_figures(&b, m, &m->groups[i]);
		rc |= report_page_flush(f, &b);
	}
	if (!rc)
		rc = report_page_flush(f, &b);
	buf_release(&b);
	return rc ? -1 : 0;
}
