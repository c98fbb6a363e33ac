/*
 * The case file of one package (reftriage show REF --format html): what
 * 'show' says of it, with every version's fields, on A4 pages for the
 * package's paper file. Self-contained as the daily list is (inline CSS, no
 * script, nothing fetched), with the same protective marking at the top and
 * bottom of every page, and the ref, who made it, when and "Page N of M" in
 * the margins. Each section of the text becomes a heading and its lines,
 * kept in columns as 'show' lays them out; every value is escaped.
 */
#include "reftriage/show.h"

#include "reftriage/report.h"
#include "reftriage/timeutil.h"

static const char css[] =
    "@page { size: A4 portrait; margin: 14mm 12mm 13mm 12mm;\n"
    "  @top-center { content: \"" REPORT_MARKING "\"; font: bold 11pt sans-serif; }\n"
    "  @bottom-center { content: \"" REPORT_MARKING "\"; font: bold 11pt sans-serif; }\n"
    "  @bottom-right { content: \"Page \" counter(page) \" of \" counter(pages);"
    " font: 8pt sans-serif; } }\n"
    "body { font: 9pt/1.3 sans-serif; color: #000; margin: 0; }\n"
    ".marking { text-align: center; font-weight: bold; letter-spacing: .05em; }\n"
    "@media print { .marking { display: none; } }\n"
    "h1 { font-size: 15pt; margin: 0 0 3mm; }\n"
    "h2 { font-size: 11pt; margin: 5mm 0 1.5mm; border-bottom: 0.5pt solid #888;"
    " break-after: avoid; }\n"
    "table.facts th { font-weight: normal; text-align: left; padding: 0.6mm 4mm 0.6mm 0; }\n"
    "pre { font: 8pt/1.25 \"DejaVu Sans Mono\", \"Liberation Mono\", monospace;"
    " margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }\n";

/* s (n bytes) for HTML text: & < > " ' escaped, line breaks kept. */
static int esc_lines(struct buf *b, const char *s, size_t n)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < n && !rc; i++) {
		const char *e = report_html_entity(s[i]);

		rc = e ? buf_adds(b, e) : buf_addc(b, s[i]);
	}
	return rc;
}

/* The ref for a CSS string: characters of a reference only, others as '?'. */
static int css_ref(struct buf *b, const char *s)
{
	int rc = 0;

	for (; *s && !rc; s++)
		rc = buf_addc(b, (*s >= '0' && *s <= '9') || (*s >= 'A' && *s <= 'Z') ||
		                         (*s >= 'a' && *s <= 'z') || strchr("-_/.: ", *s)
		                     ? *s
		                     : '?');
	return rc;
}

/*
 * The sections of the text: the first (the decision) as it is, then each
 * block after a blank line as its first line for a heading and the rest.
 */
static int sections(struct buf *b, const char *text, size_t len)
{
	size_t i = 0;
	bool first = true;
	int rc = 0;

	while (i < len && !rc) {
		const char *end = text + len;
		const char *brk = NULL, *p;
		size_t n;

		for (p = text + i; p + 1 < end; p++)
			if (p[0] == '\n' && p[1] == '\n') {
				brk = p;
				break;
			}
		n = (brk ? (size_t)(brk - text) : len) - i;
		if (!first) {
			const char *nl = memchr(text + i, '\n', n);
			size_t h = nl ? (size_t)(nl - (text + i)) : n;

			rc |= buf_adds(b, "<h2>");
			rc |= esc_lines(b, text + i, h);
			rc |= buf_adds(b, "</h2>\n");
			i += h + (nl != NULL);
			n -= h + (nl != NULL);
		}
		if (n) {
			rc |= buf_adds(b, "<pre>");
			rc |= esc_lines(b, text + i, n);
			rc |= buf_adds(b, "</pre>\n");
		}
		i += n + (brk ? 2 : 0);
		first = false;
	}
	return rc;
}

int report_case_html(FILE *out, const char *ref, const char *text, size_t len, int64_t generated_at,
                     const char *operator_name)
{
	char t[TIME_LOCAL_MAX];
	struct buf b;
	int rc = 0;

	buf_init(&b);
	time_format_local(generated_at, t);
	rc |= buf_adds(&b, "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>\n"
	                   "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
	                   "'none'; style-src 'unsafe-inline'\">\n<title>Case file ");
	rc |= report_html_escape(&b, ref);
	rc |= buf_addf(&b, " - %s</title>\n<style>\n%s", REPORT_MARKING, css);
	rc |= buf_adds(&b, "@page { @top-left { content: \"Case file ");
	rc |= css_ref(&b, ref);
	rc |= buf_adds(&b, "\"; font: 8pt sans-serif; }\n  @bottom-left { content: \"Made ");
	rc |= css_ref(&b, t);
	rc |= buf_adds(&b, "\"; font: 8pt sans-serif; } }\n</style></head><body>\n"
	                   "<div class=marking>" REPORT_MARKING "</div>\n<h1>Case file: ");
	rc |= report_html_escape(&b, ref);
	rc |= buf_adds(&b, "</h1>\n<table class=facts><tr><th>Made</th><td>");
	rc |= report_html_escape(&b, t);
	rc |= buf_adds(&b, " by ");
	rc |= report_html_escape(&b, operator_name);
	rc |= buf_adds(&b, "</td></tr><tr><th>Holds</th><td>the decision and its explanation, "
	                   "every version's fields, links, history and outcomes</td></tr>"
	                   "</table>\n");
	rc |= sections(&b, text, len);
	rc |= buf_adds(&b, "<div class=marking>" REPORT_MARKING "</div>\n</body></html>\n");
	if (!rc && fwrite(b.data, 1, b.len, out) != b.len)
		rc = -1;
	buf_release(&b);
	return rc ? -1 : 0;
}
