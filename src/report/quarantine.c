/*
 * The open quarantine on every list (cli.md "Nothing waits unseen"): the
 * same few lines for people (worklist table, alert, stats, report text), one
 * JSON object for machines, and a box for the printed pages.
 */
#include "reftriage/report.h"

#include "reftriage/jsonw.h"
#include "reftriage/mreport.h"
#include "reftriage/timeutil.h"

int report_quarantine_json(struct buf *b, const struct store_qopen *q)
{
	struct buf reason;
	size_t i;
	int rc = buf_addf(b, "{\"open\":%ld,\"items\":[", q->open);

	buf_init(&reason);
	for (i = 0; i < q->nitems; i++) {
		const struct store_qitem *it = &q->items[i];
		bool first = true;

		rc |= buf_adds(b, i ? ",{" : "{");
		rc |= jsonw_key_int(b, &first, "id", (long long)it->id);
		rc |= jsonw_key(b, &first, "package_ref");
		rc |= it->package_ref ? jsonw_string(b, it->package_ref, strlen(it->package_ref))
		                      : buf_adds(b, "null");
		rc |= jsonw_key(b, &first, "received_at");
		if (it->has_received)
			rc |= buf_addc(b, '"') | report_time(b, it->received_at) | buf_addc(b, '"');
		else
			rc |= buf_adds(b, "null");
		rc |= jsonw_key_str(b, &first, "file", it->file ? it->file : "");
		rc |= jsonw_key_int(b, &first, "line", (long long)it->line);
		buf_reset(&reason);
		rc |= buf_addf(&reason, "%s: %s", it->field, it->message);
		rc |= jsonw_key(b, &first, "reason");
		rc |= rc ? -1 : jsonw_string(b, reason.data, reason.len);
		rc |= buf_addc(b, '}');
	}
	rc |= buf_adds(b, "]}");
	buf_release(&reason);
	return rc ? -1 : 0;
}

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

int report_quarantine_html(struct buf *b, const struct store_qopen *q, size_t max)
{
	char t[TIME_LOCAL_MAX];
	size_t i;
	int rc = 0;

	if (q->open == 0)
		return 0;
	rc |= buf_addf(b,
	               "<div class=quarantine><h2>Quarantine: %ld rejected record%s not "
	               "triaged</h2>\n<p>Refused at import: each is a referral nobody has "
	               "triaged until it is resent correctly or dismissed "
	               "(<i>reftriage quarantine list</i>).</p>\n<table><thead><tr><th>ID</th>"
	               "<th>Reference</th><th>Received</th><th>File:line</th><th>First "
	               "reason</th></tr></thead><tbody>\n",
	               q->open, q->open == 1 ? "" : "s");
	for (i = 0; i < q->nitems && i < max; i++) {
		const struct store_qitem *it = &q->items[i];

		rc |= buf_addf(b, "<tr><td class=n>%lld</td><td>", (long long)it->id);
		rc |= report_html_escape(b, it->package_ref ? it->package_ref : "-");
		rc |= buf_adds(b, "</td><td>");
		if (it->has_received)
			time_format_local(it->received_at, t);
		rc |= report_html_escape(b, it->has_received ? t : "-");
		rc |= buf_adds(b, "</td><td>");
		rc |= report_html_escape(b, it->file);
		rc |= buf_addf(b, ":%lu</td><td>", it->line);
		rc |= report_html_escape(b, it->field);
		rc |= buf_adds(b, ": ");
		rc |= report_html_escape(b, it->message);
		rc |= buf_adds(b, "</td></tr>\n");
	}
	if ((size_t)q->open > i)
		rc |= buf_addf(b, "<tr><td colspan=5>and %ld more</td></tr>\n", q->open - (long)i);
	rc |= buf_adds(b, "</tbody></table></div>\n");
	return rc ? -1 : 0;
}
