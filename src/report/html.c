/*
 * The supervisors' daily priority list, for paper: one self-contained HTML
 * page (inline CSS, no scripts, nothing fetched) printed on A4 portrait from
 * a browser. The first page is the summary: when the list was made, when the
 * scores were computed (and a banner when they are stale), the counts by
 * priority with overdue, the filters in force and "N of M", and a key to the
 * rules that fired. Then one table per priority, each starting a new page,
 * in compact rows (25 or more to a page, even where packages fire many rules:
 * the rules fired have half the width) with an empty "decision / initials"
 * column for the morning meeting. Every page carries the protective marking,
 * the list's date, "N of M" with the filters, and "Page N of M" in its
 * margins; the table header, with the priority, repeats on every page.
 * Times are local (TZ), to the minute, with the zone. Every value from a
 * package is escaped.
 *
 * A printed list is read by people, so its rows are held until the end, when
 * the summary at the top can be written: use filters or --limit for a very
 * large caseload.
 */
#include "reftriage/report.h"

#include "reftriage/alloc.h"
#include "reftriage/deconflict.h"
#include "reftriage/hash.h"
#include "reftriage/timeutil.h"

#define MARKING REPORT_MARKING

struct html_state {
	struct report_header h;
	char as_of[TIME_LOCAL_MAX], generated[TIME_LOCAL_MAX], hash[HASH_HEX];
	char *rules_name, *rules_version, *operator_name, *filters;
	struct buf rows[REPORT_MAX_BANDS]; /* one table body per priority */
	struct buf unscored;               /* the table body of those not scored yet */
	long nunscored;
	long listed[REPORT_MAX_BANDS], overdue[REPORT_MAX_BANDS];
	bool *fired; /* by rule index: fired for a package listed */
	size_t nrules;
};

static struct html_state *state;

const char *report_html_entity(char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&#39;";
	default:
		return NULL;
	}
}

/* Append s with & < > " ' escaped; control characters are dropped, line breaks become spaces. */
static int esc(struct buf *b, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		const char *e = report_html_entity(*s);
		int rc;

		if (e)
			rc = buf_adds(b, e);
		else if (c == '\n' || c == '\r' || c == '\t')
			rc = buf_addc(b, ' ');
		else
			rc = c < 0x20 || c == 0x7f ? 0 : buf_addc(b, (char)c);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int report_html_escape(struct buf *b, const char *s)
{
	return esc(b, s);
}

/* Append s as the inside of a CSS string: anything but plain text as a hex escape. */
static int css_esc(struct buf *b, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		int rc;

		if (c < 0x20 || c == 0x7f)
			rc = 0;
		else if (c >= 0x80 || (c >= '0' && c <= '9') ||
		         ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || strchr(" ,.:;-_()/+#", c))
			rc = buf_addc(b, (char)c);
		else
			rc = buf_addf(b, "\\%x ", c);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* Append s with each '_' as a space: "in_progress" reads (and wraps) as "in progress". */
static int esc_words(struct buf *b, const char *s)
{
	for (; s && *s; s++) {
		char one[2] = {*s == '_' ? ' ' : *s, '\0'};

		if (esc(b, one) < 0)
			return -1;
	}
	return 0;
}

static char *dup_or_empty(const char *s)
{
	return rt_memdup0(s ? s : "", s ? strlen(s) : 0);
}

static int html_begin(struct report *r, const struct report_header *h)
{
	size_t i;

	state = rt_calloc(1, sizeof(*state));
	if (!state)
		return -1;
	state->h = *h;
	if (h->scored)
		time_format_local(h->as_of, state->as_of);
	else
		(void)snprintf(state->as_of, sizeof(state->as_of), "(nothing scored yet)");
	time_format_local(h->generated_at, state->generated);
	hash_hex(state->hash, h->rules_hash);
	state->rules_name = dup_or_empty(h->rules_name);
	state->rules_version = dup_or_empty(h->rules_version);
	state->operator_name = dup_or_empty(h->operator_name);
	state->filters = h->filters ? dup_or_empty(h->filters) : NULL;
	state->nrules = r->rs ? r->rs->nrules : 0;
	state->fired = rt_calloc(state->nrules ? state->nrules : 1, sizeof(*state->fired));
	for (i = 0; i < REPORT_MAX_BANDS; i++)
		buf_init(&state->rows[i]);
	buf_init(&state->unscored);
	return state->rules_name && state->rules_version && state->operator_name && state->fired &&
	               (state->filters || !h->filters)
	           ? 0
	           : -1;
}

/*
 * Every fired rule as its id and points, each kept whole (a hair space before the
 * points), thin spaces between them: the row wraps there, never inside one.
 */
static int reasons(struct report *r, struct buf *b, const struct report_item *it)
{
	size_t k;

	for (k = 0; k < it->nfired; k++) {
		const struct rule *ru = it->fired[k];

		if (r->rs && ru >= r->rs->rules && ru < r->rs->rules + state->nrules)
			state->fired[ru - r->rs->rules] = true;
		if (buf_adds(b, k ? "&#8201;<span>" : "<span>") < 0 || esc(b, ru->id) < 0 ||
		    buf_addf(b, "&#8202;<b>%lld</b></span>", (long long)ru->points) < 0)
			return -1;
	}
	return it->nfired ? 0 : buf_adds(b, "&ndash;");
}

/* "2026-11-03 13:13 GMT" as a date line and a time line. */
static int when(struct buf *b, int64_t us)
{
	char t[TIME_LOCAL_MAX];

	time_format_local(us, t);
	return buf_addf(b, "%.10s<br>", t) < 0 ? -1 : esc(b, t + 11);
}

/* A deconfliction hit is printed on its row: nobody acts before talking to the holder. */
static int deconf_mark(struct buf *b, const struct report_item *it)
{
	if (it->deconf == DECONF_HIT)
		return buf_adds(b, "<br><b>DECONFLICT FIRST</b>");
	if (it->deconf == DECONF_ACKNOWLEDGED)
		return buf_adds(b, "<br><i>deconflicted</i>");
	return 0;
}

/*
 * The summary page says which deconfliction list the marks come from and how
 * old it is, and says so loudly when there is none or it is old.
 */
static int deconf_fact(struct buf *b, const struct html_state *s)
{
	const struct deconf_meta *m = s->h.deconf;
	char t[TIME_LOCAL_MAX], hex[HASH_HEX];
	int64_t age;
	int rc = 0;

	if (!m)
		return 0;
	rc |= buf_adds(b, "</td></tr>\n<tr><th>Deconfliction</th><td>");
	if (!m->present)
		return rc |
		       buf_adds(b, "<b>NO LIST</b>: no package is checked against another "
		                   "operation's subjects (<i>reftriage deconflict import</i>)");
	age = (s->h.generated_at - m->imported_at) / US_PER_DAY;
	time_format_local(m->imported_at, t);
	hash_hex(hex, m->hash);
	rc |= buf_adds(b, "list ");
	rc |= esc(b, m->source);
	rc |= buf_addf(b, " (%ld entries, hash %.16s&hellip;), imported ", m->entries, hex);
	rc |= esc(b, t);
	if (age > DECONF_STALE_DAYS)
		rc |= buf_addf(b, ": <b>%lld DAYS OLD</b>, import the current one", (long long)age);
	else
		rc |= buf_addf(b, ", %lld day%s old", (long long)age, age == 1 ? "" : "s");
	return rc;
}

/* A package not scored yet: what it is and who has it; nothing a score would say. */
static int html_unscored(struct report *r, const struct report_item *it)
{
	struct buf *b = &state->unscored;
	int rc = 0;

	state->nunscored++;
	rc |= buf_adds(b, "<tr><td class=n></td><td class=ref>");
	rc |= esc(b, it->ref);
	rc |= buf_adds(b, "<br><small>not scored</small></td><td>received<br>");
	rc |= when(b, it->received_at);
	rc |= buf_adds(b, "</td><td>");
	rc |= esc_words(b, it->referral_type);
	rc |= buf_adds(b, "<br><small>");
	rc |= esc(b, it->force_area ? it->force_area : "-");
	rc |= buf_adds(b, "</small></td><td>");
	rc |= esc(b, it->assigned_to ? it->assigned_to : "-");
	rc |= buf_adds(b, "<br><small>");
	rc |= esc_words(b, it->status);
	if (it->updated)
		rc |= buf_adds(b, " <i>(updated)</i>");
	rc |= deconf_mark(b, it);
	rc |= buf_adds(b, "</small></td><td class=why>not scored yet: run <i>reftriage "
	                  "score</i></td><td></td></tr>\n");
	r->items++;
	return rc ? -1 : 0;
}

static int html_item(struct report *r, const struct report_item *it)
{
	int g = it->priority_index >= 0 && it->priority_index < REPORT_MAX_BANDS
	            ? it->priority_index
	            : REPORT_MAX_BANDS - 1;
	struct buf *b = &state->rows[g];
	int rc = 0;

	if (it->unscored)
		return html_unscored(r, it);
	state->listed[g]++;
	state->overdue[g] += it->overdue;
	rc |= buf_addf(b, "<tr%s><td class=n>%ld</td><td class=ref>",
	               it->overdue ? " class=over" : "", it->rank);
	rc |= esc(b, it->ref);
	rc |= buf_adds(b, "<br><small>");
	rc |= esc(b, it->priority);
	/* An override marks the row: which way, and what the rules said. */
	if (it->override) {
		rc |= buf_adds(b, strcmp(it->override->direction, "up") == 0
		                      ? " <b class=ovr>&uarr; override</b> (rules "
		                      : " <b class=ovr>&darr; override</b> (rules ");
		rc |= esc(b, it->computed_priority ? it->computed_priority : "?");
		rc |= buf_addc(b, ')');
	}
	rc |= buf_addf(b, " &middot; score %lld</small></td><td>", (long long)it->score);
	rc |= when(b, it->due_at);
	rc |= buf_adds(b, it->overdue ? "<br><b>OVERDUE</b></td><td>" : "</td><td>");
	rc |= esc_words(b, it->referral_type);
	rc |= buf_adds(b, "<br><small>");
	rc |= esc(b, it->force_area ? it->force_area : "-");
	rc |= buf_adds(b, "</small></td><td>");
	rc |= esc(b, it->assigned_to ? it->assigned_to : "-");
	rc |= buf_adds(b, "<br><small>");
	rc |= esc_words(b, it->status);
	if (it->updated)
		rc |= buf_adds(b, " <i>(updated)</i>");
	rc |= deconf_mark(b, it);
	rc |= buf_adds(b, "</small></td><td class=why>");
	rc |= reasons(r, b, it);
	rc |= buf_adds(b, "</td><td></td></tr>\n");
	r->items++;
	return rc ? -1 : 0;
}

static const char css[] =
    "@page { size: A4 portrait; margin: 12mm 8mm 11mm 8mm;\n"
    "  @top-center { content: \"" MARKING "\"; font: bold 11pt sans-serif; }\n"
    "  @bottom-center { content: \"" MARKING "\"; font: bold 11pt sans-serif; }\n"
    "  @bottom-right { content: \"Page \" counter(page) \" of \" counter(pages);"
    " font: 8pt sans-serif; } }\n"
    "body { font: 8.5pt/1.3 sans-serif; color: #000; margin: 0; }\n"
    ".marking { text-align: center; font-weight: bold; letter-spacing: .05em; }\n"
    "@media print { .marking { display: none; } }\n"
    "h1 { font-size: 15pt; margin: 0 0 3mm; } h2 { font-size: 11pt; margin: 5mm 0 1.5mm; }\n"
    ".stale { border: 1.5pt solid #000; padding: 2mm 3mm; margin: 0 0 3mm; font-weight: bold;"
    " font-size: 10pt; }\n"
    "table { border-collapse: collapse; }\n"
    "th, td { border: 0.5pt solid #888; padding: 1mm 2.5mm; text-align: left;"
    " vertical-align: top; }\n"
    "th { background: #e8e8e8; } td.n { text-align: right; }\n"
    "table.facts th { background: none; font-weight: normal; width: 32mm; }\n"
    "table.facts th, table.facts td { border: none; padding: 0.6mm 2mm 0.6mm 0; }\n"
    "td.none { color: #555; font-style: italic; }\n"
    ".key { column-count: 2; column-gap: 6mm; font-size: 7pt; }\n"
    ".key p { margin: 0 0 0.8mm; break-inside: avoid; } .key b { white-space: nowrap; }\n"
    "table.list { width: 100%; table-layout: fixed; font-size: 6.5pt; line-height: 1.08;"
    " break-before: page; font-family: \"DejaVu Sans Condensed\", \"Arial Narrow\","
    " \"Liberation Sans Narrow\", sans-serif; font-stretch: condensed; }\n"
    "table.list td, table.list th { padding: 0.25mm 0.6mm; overflow-wrap: break-word; }\n"
    "table.list thead { display: table-header-group; } table.list tr { break-inside: avoid; }\n"
    "table.list th.cap { background: none; border: none; font-size: 8.5pt; padding: 0 0 1mm; }\n"
    "table.list td small { font-size: 6pt; }\n"
    "table.list td.why { font-size: 6pt; line-height: 1.1; }\n"
    "td.why span { white-space: nowrap; }\n"
    "tr.over td { background: #f0f0f0; } tr.over td b { letter-spacing: .03em; }\n"
    ".quarantine { border: 1.5pt solid #000; padding: 1mm 3mm 2mm; margin: 3mm 0; }\n"
    ".quarantine h2 { margin-top: 1mm; } .quarantine table { font-size: 7.5pt; }\n";

/* The margins of every page: the list's date, what it holds, a stale warning. */
static int page_margins(struct buf *b, const struct html_state *s)
{
	int rc = 0;

	rc |= buf_adds(b, "@page { @top-left { content: \"Daily list ");
	rc |= css_esc(b, s->generated);
	rc |= buf_adds(b, "\"; font: 8pt sans-serif; }\n  @top-right { content: \"");
	rc |= s->h.stale ? buf_adds(b, "SCORES STALE, as of ") : buf_adds(b, "Scores as of ");
	rc |= css_esc(b, s->as_of);
	rc |= buf_addf(b, "\"; font: %s 8pt sans-serif; }\n  @bottom-left { content: \"",
	               s->h.stale ? "bold" : "normal");
	rc |= buf_addf(b, "%ld of %ld open", s->h.count, s->h.total_open);
	if (s->filters) {
		rc |= buf_adds(b, ": ");
		rc |= css_esc(b, s->filters);
	}
	rc |= buf_adds(b, "\"; font: 8pt sans-serif; } }\n");
	return rc ? -1 : 0;
}

/* The facts of the list: when, which scores and rules, how many of how many, filters. */
static int facts(struct buf *b, const struct html_state *s)
{
	const struct report_summary *sum = &s->h.summary;
	int rc = 0;

	if (s->h.unscored_total)
		rc |= buf_addf(b,
		               "<p class=stale>NOT SCORED YET: %ld open package%s no score under "
		               "the active rules (an import stopped before its rescore?); those "
		               "selected are printed first, in their own table. Run <i>reftriage "
		               "score</i> and print the list again.</p>\n",
		               s->h.unscored_total, s->h.unscored_total == 1 ? " has" : "s have");
	if (s->h.old) {
		rc |= buf_adds(b, "<p class=stale>STALE: these scores were computed at ");
		rc |= esc(b, s->as_of);
		rc |= buf_adds(b, ", longer ago than the stale limit. Run <i>reftriage score</i> "
		                  "and print the list again before relying on it.</p>\n");
	}
	rc |= buf_adds(b, "<table class=facts><tr><th>List made</th><td><b>");
	rc |= esc(b, s->generated);
	rc |= buf_adds(b, "</b> by ");
	rc |= esc(b, s->operator_name);
	rc |= buf_adds(b, "</td></tr>\n<tr><th>Scores as of</th><td><b>");
	rc |= esc(b, s->as_of);
	rc |= buf_adds(b, "</b> with rules ");
	rc |= esc(b, s->rules_name);
	rc |= buf_addc(b, ' ');
	rc |= esc(b, s->rules_version);
	rc |=
	    buf_addf(b, " (hash %.16s&hellip;)</td></tr>\n<tr><th>This list</th><td><b>", s->hash);
	rc |= buf_addf(b, "%ld of %ld open package%s</b>", s->h.count, s->h.total_open,
	               s->h.total_open == 1 ? "" : "s");
	if (s->h.quarantine && s->h.quarantine->open)
		rc |= buf_addf(b, "; <b>%ld in quarantine</b>, not triaged (below)",
		               s->h.quarantine->open);
	if (s->h.matching != s->h.count)
		rc |= buf_addf(b, " (%ld match the filters)", s->h.matching);
	rc |= buf_adds(b, "</td></tr>\n<tr><th>Filters</th><td>");
	rc |= s->filters ? esc(b, s->filters) : buf_adds(b, "none: every open package");
	rc |= buf_adds(b, "</td></tr>\n<tr><th>Oldest selected</th><td>");
	if (sum->has_oldest) {
		char t[TIME_LOCAL_MAX];

		time_format_local(sum->oldest_at, t);
		rc |= esc(b, sum->oldest_ref);
		rc |= buf_adds(b, ", received ");
		rc |= esc(b, t);
	} else {
		rc |= buf_adds(b, "none");
	}
	rc |= deconf_fact(b, s);
	rc |= buf_adds(b, "</td></tr></table>\n");
	return rc ? -1 : 0;
}

/* Counts by priority: selected by the filters, overdue, printed here. */
static int band_counts(struct buf *b, const struct ruleset *rs, const struct html_state *s)
{
	const struct report_summary *sum = &s->h.summary;
	size_t g;
	int rc = 0;

	rc |= buf_adds(b, "<h2>By priority</h2>\n<table class=summary><thead><tr><th>Priority</th>"
	                  "<th>Respond within</th><th>Selected</th><th>Overdue</th>"
	                  "<th>Printed</th></tr></thead><tbody>\n");
	for (g = 0; rs && g < rs->nbands && g < REPORT_MAX_BANDS; g++) {
		rc |= buf_adds(b, "<tr><td>");
		rc |= esc(b, rs->bands[g].priority);
		rc |= buf_adds(b, " ");
		rc |= esc(b, rs->bands[g].label);
		rc |= buf_addf(b, "</td><td class=n>%lld h</td>",
		               (long long)rs->bands[g].respond_within_hours);
		if (!sum->selected[g])
			rc |= buf_adds(
			    b, "<td class=none colspan=3>not selected (filter)</td></tr>\n");
		else
			rc |=
			    buf_addf(b,
			             "<td class=n>%ld</td><td class=n>%ld</td><td class=n>%ld</td>"
			             "</tr>\n",
			             sum->count[g], sum->overdue[g], s->listed[g]);
	}
	if (s->h.unscored)
		rc |= buf_addf(b,
		               "<tr><td>Not scored yet</td><td class=n>-</td><td class=n>%ld</td>"
		               "<td class=n>-</td><td class=n>%ld</td></tr>\n",
		               s->h.unscored, s->nunscored);
	rc |= buf_adds(b, "</tbody></table>\n");
	return rc ? -1 : 0;
}

/* The key: each rule that fired for a package printed, its points and what it means. */
static int rule_key(struct buf *b, const struct ruleset *rs, const struct html_state *s)
{
	size_t k;
	int rc = 0;

	rc |= buf_adds(b, "<h2>Why: the rules that fired</h2>\n<p>Each row lists every rule that "
	                  "fired for the package, with its points.</p>\n<div class=key>\n");
	for (k = 0; rs && k < s->nrules; k++) {
		if (!s->fired[k])
			continue;
		rc |= buf_adds(b, "<p><b>");
		rc |= esc(b, rs->rules[k].id);
		rc |= buf_addf(b, " %+lld</b> ", (long long)rs->rules[k].points);
		rc |= esc(b, rs->rules[k].description);
		if (rs->rules[k].floor >= 0 && (size_t)rs->rules[k].floor < rs->nbands) {
			rc |= buf_adds(b, "; at least ");
			rc |= esc(b, rs->bands[rs->rules[k].floor].priority);
		}
		rc |= buf_adds(b, "</p>\n");
	}
	rc |= buf_adds(b, "</div>\n");
	return rc ? -1 : 0;
}

/* The box on page 1 that lists the open quarantined records (cli.md). */
static int quarantine_box(struct buf *b, const struct store_qopen *q, size_t max)
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

/* The first page: the title, the facts, the counts, the key. */
static int summary_page(struct buf *b, const struct ruleset *rs, const struct html_state *s)
{
	int rc = 0;

	rc |= buf_adds(b, "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>\n"
	                  "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
	                  "'none'; style-src 'unsafe-inline'\">\n<title>Daily priority list ");
	rc |= esc(b, s->generated);
	rc |= buf_addf(b, " - %s</title>\n<style>\n%s", MARKING, css);
	rc |= page_margins(b, s);
	rc |= buf_adds(b, "</style></head><body>\n<div class=marking>" MARKING "</div>\n"
	                  "<h1>Daily priority list</h1>\n");
	rc |= facts(b, s);
	if (s->h.quarantine)
		rc |= quarantine_box(b, s->h.quarantine, REPORT_QUARANTINE_SHOWN);
	rc |= band_counts(b, rs, s);
	rc |= rule_key(b, rs, s);
	return rc ? -1 : 0;
}

/*
 * One priority's table (g, or the packages not scored yet when unscored):
 * its caption and header repeat on every page it fills.
 */
static int band_table(struct report *r, const struct ruleset *rs, size_t g, bool unscored)
{
	const struct html_state *s = state;
	struct buf *b = &r->b;
	const struct buf *rows = unscored ? &s->unscored : &s->rows[g];
	int rc = 0;

	/* The rules fired take the width: their row's height is the page's limit. */
	rc |= buf_adds(b, "<table class=list><colgroup><col style=\"width:3.5%\">"
	                  "<col style=\"width:12%\"><col style=\"width:7%\">"
	                  "<col style=\"width:9%\"><col style=\"width:7%\">"
	                  "<col style=\"width:53%\"><col style=\"width:8.5%\"></colgroup>\n"
	                  "<thead><tr><th class=cap colspan=7>");
	if (unscored) {
		rc |= buf_adds(b, "Not scored yet &mdash; run <i>reftriage score</i>");
	} else {
		rc |= esc(b, rs->bands[g].priority);
		rc |= buf_adds(b, " &ndash; ");
		rc |= esc(b, rs->bands[g].label);
	}
	rc |= buf_addf(b, " &middot; %ld printed &middot; list of ",
	               unscored ? s->nunscored : s->listed[g]);
	rc |= esc(b, s->generated);
	rc |= buf_adds(b, "</th></tr>\n<tr><th>#</th><th>Reference, priority</th><th>Due</th>"
	                  "<th>Type, force area</th><th>Assigned</th><th>Why: rules "
	                  "fired, points</th><th>Decision / initials</th></tr></thead><tbody>\n");
	if (rc || fwrite(b->data, 1, b->len, r->out) != b->len ||
	    fwrite(rows->data, 1, rows->len, r->out) != rows->len)
		return -1;
	buf_reset(b);
	return fputs("</tbody></table>\n", r->out) < 0 ? -1 : 0;
}

static int html_end(struct report *r)
{
	const struct ruleset *rs = r->rs;
	size_t g, ngroups = rs ? rs->nbands : 0;

	if (ngroups > REPORT_MAX_BANDS)
		ngroups = REPORT_MAX_BANDS;
	if (summary_page(&r->b, rs, state) < 0 ||
	    (r->items == 0 && buf_adds(&r->b, "<p>No open referrals match.</p>\n") < 0) ||
	    fwrite(r->b.data, 1, r->b.len, r->out) != r->b.len)
		return -1;
	buf_reset(&r->b);
	/* The packages not scored yet first: any of them may be the most urgent. */
	if (state->nunscored && band_table(r, rs, 0, true) < 0)
		return -1;
	for (g = 0; g < ngroups; g++)
		if (state->listed[g] && band_table(r, rs, g, false) < 0)
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
	for (i = 0; i < REPORT_MAX_BANDS; i++)
		buf_release(&state->rows[i]);
	buf_release(&state->unscored);
	rt_free(state->rules_name);
	rt_free(state->rules_version);
	rt_free(state->operator_name);
	rt_free(state->filters);
	rt_free(state->fired);
	rt_free(state);
	state = NULL;
}

const struct report_writer report_html = {"html", html_begin, html_item, html_end, html_release};
