/*
 * The open quarantine on every list (cli.md "Nothing waits unseen"): the
 * same few lines for people (worklist table, alert, stats, report text). Its
 * JSON object is report.c's, the printed pages' box html.c's.
 */
#include "reftriage/report.h"

#include "reftriage/mreport.h"
#include "reftriage/timeutil.h"

int report_quarantine_line(struct buf *b, const struct store_qitem *it)
{
	char t[TIME_LOCAL_MAX];
	int rc = buf_addf(b, "  #%lld  ", (long long)it->id);

	rc |= report_text_safe(b, it->package_ref ? it->package_ref : "(no valid ref)", 64);
	if (it->has_received) {
		time_format_local(it->received_at, t);
		rc |= buf_addf(b, "  received %s", t);
	}
	rc |= buf_adds(b, "  ");
	rc |= report_text_safe(b, it->file, 100);
	rc |= buf_addf(b, ":%lu  ", it->line);
	rc |= report_text_safe(b, it->field, 40);
	rc |= buf_adds(b, ": ");
	rc |= report_text_safe(b, it->message, 100);
	return rc ? -1 : 0;
}

int report_quarantine_text(struct buf *b, const struct store_qopen *q, size_t max)
{
	size_t i;
	int rc = 0;

	if (q->open == 0)
		return 0;
	rc |= buf_addf(b,
	               "QUARANTINE: %ld rejected record%s open, not triaged: fix and resend, or "
	               "'reftriage quarantine dismiss ID --note T'\n",
	               q->open, q->open == 1 ? "" : "s");
	for (i = 0; i < q->nitems && i < max; i++)
		rc |= report_quarantine_line(b, &q->items[i]) | buf_addc(b, '\n');
	if ((size_t)q->open > i)
		rc |=
		    buf_addf(b, "  ... and %ld more: 'reftriage quarantine list' shows every one\n",
		             q->open - (long)i);
	return rc ? -1 : 0;
}
