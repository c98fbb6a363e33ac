/* rules diff as one self-contained HTML page (outcomes.md). */
#include "diff-internal.h"

#include "reftriage/alloc.h"
#include "reftriage/report.h"
#include "reftriage/timeutil.h"

static int html_matrix(struct buf *b, const struct rules_diff *df)
{
	size_t i, j;
	int rc = 0;

	rc |= buf_adds(b, "<table><thead><tr><th>from \\ to</th>");
	for (j = 0; j < df->to->nbands; j++) {
		rc |= buf_adds(b, "<th>");
		rc |= report_html_escape(b, df->to->bands[j].priority);
		rc |= buf_adds(b, "</th>");
	}
	rc |= buf_adds(b, "<th>total</th></tr></thead><tbody>\n");
	for (i = 0; i < df->from->nbands; i++) {
		rc |= buf_adds(b, "<tr><th>");
		rc |= report_html_escape(b, df->from->bands[i].priority);
		rc |= buf_adds(b, "</th>");
		for (j = 0; j < df->to->nbands; j++)
			rc |= buf_addf(b, "<td class=\"n %s\">%ld</td>",
			               i == j  ? "same"
			               : j < i ? "up"
			                       : "down",
			               df->matrix[i][j]);
		rc |= buf_addf(b, "<td class=n>%ld</td></tr>\n", diff_total(df, i, true));
	}
	rc |= buf_adds(b, "<tr><th>total</th>");
	for (j = 0; j < df->to->nbands; j++)
		rc |= buf_addf(b, "<td class=n>%ld</td>", diff_total(df, j, false));
	return rc | buf_addf(b, "<td class=n>%zu</td></tr></tbody></table>\n", df->n);
}

static int html_movers(struct buf *b, const struct rules_diff *df, const uint32_t *m, size_t n)
{
	size_t i;
	int rc = 0;

	rc |= buf_addf(b, "<h2>Packages that change priority (%zu%s)</h2>\n", df->priority_changed,
	               n < df->priority_changed ? ", the first 500 listed" : "");
	if (!n)
		return rc | buf_adds(b, "<p>No package changes priority.</p>\n");
	rc |= buf_adds(b, "<table><thead><tr><th>Reference</th><th>Priority</th><th>Score</th>"
	                  "<th>Rank</th><th>Why: rules that fire (+) or stop (-), rules that "
	                  "count differently, what set the priority</th></tr></thead><tbody>\n");
	for (i = 0; i < n; i++)
		rc |= diff_mover_line(b, df, &df->pkgs[m[i]], true);
	return rc | buf_adds(b, "</tbody></table>\n");
}

/* The same name and version as the rules compared with, other bytes: said on the page too. */
static int html_same_label(struct buf *b, const struct rules_diff *df)
{
	int rc = 0;

	if (!rules_diff_same_label(df->from, df->to))
		return 0;
	rc |= buf_adds(b, "<p><strong>Warning: the new file has the name and version of the "
	                  "current rules (");
	rc |= report_html_escape(b, df->to->name);
	rc |= buf_addc(b, ' ');
	rc |= report_html_escape(b, df->to->version);
	return rc | buf_adds(b, ") but other contents: both would be listed and audited under "
	                        "one name. Give it a new version before installing it.</strong>"
	                        "</p>\n");
}

int report_diff_html(FILE *f, const struct rules_diff *df, int64_t generated_at)
{
	struct buf b;
	uint32_t *m;
	size_t n = 0;
	char t[TIME_LOCAL_MAX];
	int rc = 0;

	buf_init(&b);
	m = diff_movers(df, false, HTML_MOVERS, &n);
	rc |= !m;
	time_format_local(generated_at, t);
	rc |= report_page_head(&b, "What new rules would change");
	rc |= buf_adds(&b, "<p class=meta>");
	rc |= diff_names(&b, df, true);
	rc |= buf_addf(&b, ". Nothing was installed. Generated %s.</p>\n", t);
	rc |= html_same_label(&b, df);
	rc |= diff_summary(&b, df, true);
	rc |= buf_adds(&b, "<h2>Open packages by priority</h2>\n<p class=meta>Rows: the current "
	                   "rules; columns: the new ones. Red: more urgent; blue: less "
	                   "urgent.</p>\n");
	rc |= html_matrix(&b, df);
	if (m)
		rc |= html_movers(&b, df, m, n);
	rc |= diff_due(&b, df, true);
	rc |= diff_backtest_pair(&b, df, true);
	rc |= report_page_tail(&b);
	if (!rc)
		rc = report_page_flush(f, &b);
	rt_free(m);
	buf_release(&b);
	return rc ? -1 : 0;
}
