/*
 * The supervisors' daily priority list: one self-contained HTML page (inline
 * CSS, no scripts, nothing fetched) that prints on A4 portrait with the
 * protective marking at the top and bottom of every page, page numbers, the
 * table header repeated on each page, and each priority group after the
 * first starting on a new page. Every value from a package is escaped.
 *
 * A printed list is read by people, so its rows are held until the end, when
 * the summary at the top can be counted: use filters or --limit for a very
 * large caseload.
 */
#include "reftriage/report.h"

#include "reftriage/alloc.h"
#include "reftriage/hash.h"
#include "reftriage/timeutil.h"

#define MARKING    "OFFICIAL-SENSITIVE"
#define MAX_GROUPS 16

struct html_state {
	struct report_header h;
	char as_of[40], generated[40], hash[HASH_HEX];
	char *rules_name, *rules_version, *operator_name;
	struct buf rows[MAX_GROUPS]; /* one table body per priority */
	long count[MAX_GROUPS], overdue[MAX_GROUPS];
	char oldest_ref[80];
	int64_t oldest_at;
	bool has_oldest;
};

static struct html_state *state;

/* Append s with & < > " ' escaped; control characters are dropped, line breaks become spaces. */
static int esc(struct buf *b, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		int rc;

		switch (c) {
		case '&':
			rc = buf_adds(b, "&amp;");
			break;
		case '<':
			rc = buf_adds(b, "&lt;");
			break;
		case '>':
			rc = buf_adds(b, "&gt;");
			break;
		case '"':
			rc = buf_adds(b, "&quot;");
			break;
		case '\'':
			rc = buf_adds(b, "&#39;");
			break;
		case '\n':
		case '\r':
		case '\t':
			rc = buf_addc(b, ' ');
			break;
		default:
			rc = c < 0x20 || c == 0x7f ? 0 : buf_addc(b, (char)c);
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

int report_html_escape(struct buf *b, const char *s)
{
	return esc(b, s);
}

static char *dup_or_empty(const char *s)
{
	return rt_memdup0(s ? s : "", s ? strlen(s) : 0);
}

static int html_begin(struct report *r, const struct report_header *h)
{
	size_t i;

	(void)r;
	state = rt_calloc(1, sizeof(*state));
	if (!state)
		return -1;
	state->h = *h;
	if (h->scored)
		time_format(h->as_of, state->as_of);
	else
		(void)snprintf(state->as_of, sizeof(state->as_of), "not yet scored");
	time_format(h->generated_at, state->generated);
	hash_hex(state->hash, h->rules_hash);
	state->rules_name = dup_or_empty(h->rules_name);
	state->rules_version = dup_or_empty(h->rules_version);
	state->operator_name = dup_or_empty(h->operator_name);
	for (i = 0; i < MAX_GROUPS; i++)
		buf_init(&state->rows[i]);
	return state->rules_name && state->rules_version && state->operator_name ? 0 : -1;
}

/* The fired rules with the most points first, at most three, as descriptions. */
static int top_reasons(struct buf *b, const struct report_item *it)
{
	bool used[64] = {false};
	size_t k, shown = 0;

	while (shown < 3 && shown < it->nfired) {
		size_t best = SIZE_MAX;

		for (k = 0; k < it->nfired && k < 64; k++)
			if (!used[k] &&
			    (best == SIZE_MAX || it->fired[k]->points > it->fired[best]->points))
				best = k;
		if (best == SIZE_MAX)
			break;
		used[best] = true;
		if ((shown && buf_adds(b, "; ") < 0) || esc(b, it->fired[best]->description) < 0)
			return -1;
		shown++;
	}
	if (it->nfired > shown && buf_addf(b, " (+%zu more)", it->nfired - shown) < 0)
		return -1;
	return 0;
}

static int html_item(struct report *r, const struct report_item *it)
{
	int g = it->priority_index < MAX_GROUPS ? it->priority_index : MAX_GROUPS - 1;
	struct buf *b = &state->rows[g];
	const char *p;
	char t[40];
	int rc = 0;

	(void)r;
	state->count[g]++;
	if (it->overdue)
		state->overdue[g]++;
	if (!state->has_oldest || it->received_at < state->oldest_at) {
		state->has_oldest = true;
		state->oldest_at = it->received_at;
		(void)snprintf(state->oldest_ref, sizeof(state->oldest_ref), "%s", it->ref);
	}
	rc |= buf_addf(b, "<tr%s><td class=n>%ld</td><td class=ref>",
	               it->overdue ? " class=over" : "", it->rank);
	rc |= esc(b, it->ref);
	rc |= buf_adds(b, "</td><td>");
	rc |= esc(b, it->priority);
	rc |= buf_addf(b, "</td><td class=n>%lld</td><td>", (long long)it->score);
	time_format(it->received_at, t);
	rc |= buf_addf(b, "%.10s<br>%.5s</td><td>", t, t + 11);
	time_format(it->due_at, t);
	rc |= buf_addf(b, "%.10s<br>%.5s%s</td><td>", t, t + 11,
	               it->overdue ? " <b>OVERDUE</b>" : "");
	for (p = it->status; p && *p; p++)
		rc |= buf_addc(b, *p == '_' ? ' ' : *p);
	if (it->updated)
		rc |= buf_adds(b, " <i>(updated)</i>");
	rc |= buf_adds(b, "</td><td>");
	rc |= esc(b, it->assigned_to ? it->assigned_to : "-");
	rc |= buf_adds(b, "</td><td>");
	rc |= esc(b, it->force_area ? it->force_area : "-");
	rc |= buf_adds(b, "</td><td>");
	/* "sexual_communication" reads (and wraps) better as "sexual communication". */
	for (p = it->referral_type; p && *p; p++)
		rc |= buf_addc(b, *p == '_' ? ' ' : *p);
	rc |= buf_adds(b, "</td><td class=why>");
	rc |= top_reasons(b, it);
	rc |= buf_adds(b, "</td></tr>\n");
	r->items++;
	return rc ? -1 : 0;
}

static const char css[] =
    "@page { size: A4 portrait; margin: 20mm 10mm 18mm 10mm;\n"
    "  @top-center { content: \"" MARKING "\"; font: bold 11pt sans-serif; }\n"
    "  @bottom-center { content: \"" MARKING "\"; font: bold 11pt sans-serif; }\n"
    "  @bottom-right { content: \"Page \" counter(page) \" of \" counter(pages);"
    " font: 8pt sans-serif; } }\n"
    "body { font: 8.5pt/1.3 sans-serif; color: #000; margin: 0; }\n"
    ".marking { text-align: center; font-weight: bold; letter-spacing: .05em; }\n"
    "@media print { .marking { display: none; } }\n"
    "h1 { font-size: 14pt; margin: 0 0 2mm; } h2 { font-size: 11pt; margin: 4mm 0 1mm; }\n"
    "table { border-collapse: collapse; width: 100%; table-layout: fixed; }\n"
    "table.list { font-size: 7.5pt; } td { overflow-wrap: break-word; }\n"
    "table.list td, table.list th { padding: 0.8mm 0.9mm; }\n"
    "thead { display: table-header-group; } tr { break-inside: avoid; }\n"
    "th, td { border: 0.5pt solid #888; padding: 1mm 1.2mm; text-align: left; vertical-align: "
    "top; }\n"
    "th { background: #e8e8e8; } td.n { text-align: right; } td.ref { white-space: nowrap; }\n"
    "tr.over td { background: #fde8e8; }\n"
    ".group { break-before: page; } .group.first { break-before: auto; }\n"
    "table.summary { width: auto; table-layout: auto; }\n"
    "table.summary td, table.summary th { padding: 0.8mm 3mm; }\n"
    "p.meta { margin: 1mm 0; }\n";

static int html_end(struct report *r)
{
	struct html_state *s = state;
	const struct ruleset *rs = r->rs;
	struct buf *b = &r->b;
	long total = 0, overdue = 0;
	size_t g, ngroups = rs ? rs->nbands : 0;
	bool first = true;
	char t[40];
	int rc = 0;

	if (ngroups > MAX_GROUPS)
		ngroups = MAX_GROUPS;
	for (g = 0; g < ngroups; g++) {
		total += s->count[g];
		overdue += s->overdue[g];
	}
	rc |= buf_adds(b,
	               "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>\n"
	               "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	               "style-src 'unsafe-inline'\">\n<title>Daily priority list ");
	rc |= esc(b, s->as_of);
	rc |= buf_addf(b, " - %s</title>\n<style>\n%s</style></head><body>\n", MARKING, css);
	rc |= buf_adds(b, "<div class=marking>" MARKING "</div>\n<h1>Daily priority list</h1>\n");
	if (s->h.stale)
		rc |= buf_adds(b,
		               "<p class=stale><b>STALE SCORES</b>: computed more than the allowed "
		               "time before this list; run 'reftriage score' and print again "
		               "before acting on this order.</p>\n");
	rc |= buf_adds(b, "<p class=meta>Scores as of <b>");
	rc |= esc(b, s->as_of);
	rc |= buf_adds(b, "</b> with rules <b>");
	rc |= esc(b, s->rules_name);
	rc |= buf_addc(b, ' ');
	rc |= esc(b, s->rules_version);
	rc |= buf_addf(b, "</b> (hash %.16s&hellip;)</p>\n<p class=meta>Generated %s by ", s->hash,
	               s->generated);
	rc |= esc(b, s->operator_name);
	rc |= buf_addf(b, ". %ld open referral%s listed, %ld overdue.</p>\n", total,
	               total == 1 ? "" : "s", overdue);
	rc |= buf_adds(b, "<table class=summary><thead><tr><th>Priority</th><th>Respond "
	                  "within</th><th>Listed</th><th>Overdue</th></tr></thead><tbody>\n");
	for (g = 0; g < ngroups; g++) {
		rc |= buf_adds(b, "<tr><td>");
		rc |= esc(b, rs->bands[g].priority);
		rc |= buf_adds(b, " ");
		rc |= esc(b, rs->bands[g].label);
		rc |= buf_addf(
		    b,
		    "</td><td class=n>%lld h</td><td class=n>%ld</td><td class=n>%ld</td>"
		    "</tr>\n",
		    (long long)rs->bands[g].respond_within_hours, s->count[g], s->overdue[g]);
	}
	rc |= buf_adds(b, "</tbody></table>\n<p class=meta>Oldest open referral listed: ");
	if (s->has_oldest) {
		time_format(s->oldest_at, t);
		rc |= esc(b, s->oldest_ref);
		rc |= buf_addf(b, ", received %.10s %.5s UTC", t, t + 11);
	} else {
		rc |= buf_adds(b, "none");
	}
	rc |= buf_adds(b, ".</p>\n");
	if (rc || fwrite(b->data, 1, b->len, r->out) != b->len)
		return -1;
	buf_reset(b);
	for (g = 0; g < ngroups; g++) {
		if (!s->count[g])
			continue;
		rc |= buf_addf(b, "<section class=\"group%s\"><h2>", first ? " first" : "");
		rc |= esc(b, rs->bands[g].priority);
		rc |= buf_adds(b, " &ndash; ");
		rc |= esc(b, rs->bands[g].label);
		rc |= buf_addf(b,
		               " (%ld)</h2>\n<table class=list><colgroup><col style=\"width:3%%\">"
		               "<col style=\"width:15.5%%\"><col style=\"width:3.5%%\">"
		               "<col style=\"width:5%%\"><col style=\"width:9.5%%\">"
		               "<col style=\"width:9.5%%\"><col style=\"width:9%%\">"
		               "<col style=\"width:8%%\"><col style=\"width:9%%\">"
		               "<col style=\"width:10%%\"><col style=\"width:18%%\"></colgroup>"
		               "<thead><tr><th>#</th><th>Reference</th>"
		               "<th>Pri</th><th>Score</th><th>Received (UTC)</th><th>Due (UTC)</th>"
		               "<th>Status</th><th>Assigned</th><th>Force area</th><th>Type</th>"
		               "<th>Main reasons</th></tr></thead><tbody>\n",
		               s->count[g]);
		first = false;
		if (rc || fwrite(b->data, 1, b->len, r->out) != b->len ||
		    fwrite(s->rows[g].data, 1, s->rows[g].len, r->out) != s->rows[g].len)
			return -1;
		buf_reset(b);
		if (fputs("</tbody></table></section>\n", r->out) < 0)
			return -1;
	}
	if (total == 0 && fputs("<p>No open referrals match.</p>\n", r->out) < 0)
		return -1;
	if (fputs("<div class=marking>" MARKING "</div>\n</body></html>\n", r->out) < 0)
		return -1;
	return 0;
}

static void html_release(struct report *r)
{
	size_t i;

	(void)r;
	if (!state)
		return;
	for (i = 0; i < MAX_GROUPS; i++)
		buf_release(&state->rows[i]);
	rt_free(state->rules_name);
	rt_free(state->rules_version);
	rt_free(state->operator_name);
	rt_free(state);
	state = NULL;
}

const struct report_writer report_html = {"html", html_begin, html_item, html_end, html_release};
