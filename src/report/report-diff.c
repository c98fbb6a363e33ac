/*
 * rules diff's writers (outcomes.md): the movement matrix between two rule
 * sets over the open packages, and each package that moves; text for
 * people, JSON for machines, one self-contained HTML page.
 */
#include "reftriage/mreport.h"

#include "reftriage/alloc.h"
#include "reftriage/backtest.h"
#include "reftriage/hash.h"
#include "reftriage/jsonw.h"
#include "reftriage/report.h"
#include "reftriage/timeutil.h"
#include "reftriage/whatif.h"

/* Packages listed as top movers: in text, and on the page. */
#define TEXT_MOVERS 20
#define HTML_MOVERS 500

/* The packages in from's band k (row), or in to's band k (column). */
static long total(const struct rules_diff *df, size_t k, bool row)
{
	size_t i, n = row ? df->to->nbands : df->from->nbands;
	long sum = 0;

	for (i = 0; i < n; i++)
		sum += row ? df->matrix[k][i] : df->matrix[i][k];
	return sum;
}

int report_diff_matrix(FILE *f, const struct rules_diff *df)
{
	struct buf b;
	size_t i, j;
	int rc = 0;

	buf_init(&b);
	rc |= buf_adds(&b, "  from \\ to");
	for (j = 0; j < df->to->nbands; j++) {
		rc |= buf_adds(&b, "  ");
		rc |= report_cell(&b, df->to->bands[j].priority, 6, true);
	}
	rc |= buf_adds(&b, "   total\n");
	for (i = 0; i < df->from->nbands; i++) {
		rc |= buf_adds(&b, "  ");
		rc |= report_cell(&b, df->from->bands[i].priority, 9, false);
		for (j = 0; j < df->to->nbands; j++)
			rc |= buf_addf(&b, "  %6ld", df->matrix[i][j]);
		rc |= buf_addf(&b, "  %6ld\n", total(df, i, true));
	}
	rc |= buf_adds(&b, "  total    ");
	for (j = 0; j < df->to->nbands; j++)
		rc |= buf_addf(&b, "  %6ld", total(df, j, false));
	rc |= buf_addf(&b, "  %6zu\n", df->n);
	if (!rc)
		rc = report_page_flush(f, &b);
	buf_release(&b);
	return rc ? -1 : 0;
}

static int band_move(const struct rules_diff_pkg *p)
{
	int m = (int)p->to_priority - (int)p->from_priority;

	return m < 0 ? -m : m;
}

/*
 * The first max packages whose priority changes, the most bands moved
 * first, then by new rank: one walk of the new ranking for each distance
 * moved, rather than a sort of every mover. The caller frees.
 */
static uint32_t *movers(const struct rules_diff *df, size_t max, size_t *n)
{
	uint32_t *m = rt_calloc(max + 1, sizeof(*m));
	int move;
	size_t i;

	*n = 0;
	if (!m)
		return NULL;
	for (move = RULES_MAX_BANDS; move > 0 && *n < max; move--)
		for (i = 0; i < df->n && *n < max; i++)
			if (band_move(&df->pkgs[df->order[i]]) == move)
				m[(*n)++] = df->order[i];
	return m;
}

/* " +ID -ID": the rules added and removed, ids separated by sep. */
static int rule_list(struct buf *b, const struct rules_diff *df, const struct rules_diff_pkg *p,
                     bool html)
{
	const uint16_t *add, *rem;
	size_t na, nr, i;
	int rc = 0;

	rules_diff_rules(df, p, &add, &na, &rem, &nr);
	for (i = 0; i < na; i++) {
		rc |= buf_adds(b, i ? " +" : "+");
		rc |= html ? report_html_escape(b, df->to->rules[add[i]].id)
		           : report_text_safe(b, df->to->rules[add[i]].id, 40);
	}
	for (i = 0; i < nr; i++) {
		rc |= buf_adds(b, i || na ? " -" : "-");
		rc |= html ? report_html_escape(b, df->from->rules[rem[i]].id)
		           : report_text_safe(b, df->from->rules[rem[i]].id, 40);
	}
	return rc;
}

static int names(struct buf *b, const struct rules_diff *df, bool html)
{
	char h1[HASH_HEX], h2[HASH_HEX], t[TIME_LOCAL_MAX];
	const struct ruleset *rs[2] = {df->from, df->to};
	int rc = 0, k;

	hash_hex(h1, df->from->hash);
	hash_hex(h2, df->to->hash);
	time_format_local(df->as_of, t);
	for (k = 0; k < 2; k++) {
		rc |= buf_adds(b, k ? " to " : "");
		rc |= html ? report_html_escape(b, rs[k]->name)
		           : report_text_safe(b, rs[k]->name, 60);
		rc |= buf_addc(b, ' ');
		rc |= html ? report_html_escape(b, rs[k]->version)
		           : report_text_safe(b, rs[k]->version, 30);
		rc |= buf_addf(b, " (hash %.12s)", k ? h2 : h1);
	}
	rc |= buf_addf(b, ", %zu open package%s scored as of %s", df->n, df->n == 1 ? "" : "s", t);
	return rc;
}

/* One figure of a backtest as text: a fraction as a percentage, an AUC with its interval. */
static void bt_figure(char *dst, size_t size, const struct backtest *bt, int which)
{
	if (which == 0)
		(void)snprintf(dst, size, "%ld (%ld+ / %ld-)", bt->packages, bt->positives,
		               bt->negatives);
	else if (which == 1 && bt->auc.has_auc && bt->auc.has_ci)
		(void)snprintf(dst, size, "%.3f [%.3f, %.3f]", bt->auc.auc, bt->auc.lo, bt->auc.hi);
	else if (which == 1 && bt->auc.has_auc)
		(void)snprintf(dst, size, "%.3f", bt->auc.auc);
	else if (which == 2 && bt->has_recall)
		(void)snprintf(dst, size, "%.1f %%", 100 * bt->recall_top);
	else if (which == 3 && bt->has_negatives_in_top)
		(void)snprintf(dst, size, "%.1f %%", 100 * bt->negatives_in_top);
	else
		(void)snprintf(dst, size, "-");
}

static const char *const bt_rows[] = {"labelled packages", "AUC [95 % interval]",
                                      "positives in the top bands", "negatives in the top bands"};

/*
 * Both rule sets measured on the recorded outcomes, side by side (text, or
 * html rows when html): what the change does to the dangerous cases.
 */
static int backtest_pair(struct buf *b, const struct rules_diff *df, bool html)
{
	char from[64], to[64];
	size_t i;
	int rc = 0;

	if (!df->bt_from || !df->bt_to)
		return 0;
	rc |= buf_adds(b,
	               html ? "<h2>On the recorded outcomes</h2>\n<p class=meta>Each labelled "
	                      "referral scored as on the day it arrived (rules backtest).</p>\n"
	                      "<table><thead><tr><th></th><th>current rules</th><th>new "
	                      "rules</th></tr></thead><tbody>\n"
	                    : "\non the recorded outcomes (rules backtest: each referral scored as "
	                      "on the day it arrived)\n                              current rules "
	                      "          new rules\n");
	for (i = 0; i < ARRAY_SIZE(bt_rows); i++) {
		bt_figure(from, sizeof(from), df->bt_from, (int)i);
		bt_figure(to, sizeof(to), df->bt_to, (int)i);
		rc |= html
		          ? buf_addf(b,
		                     "<tr><td>%s</td><td class=n>%s</td><td class=n>%s</td></tr>\n",
		                     bt_rows[i], from, to)
		          : buf_addf(b, "  %-28s%-24s%s\n", bt_rows[i], from, to);
	}
	return rc | (html ? buf_adds(b, "</tbody></table>\n") : 0);
}

int report_diff_text(FILE *f, const struct rules_diff *df)
{
	struct buf b;
	uint32_t *m;
	size_t n = 0, i;
	int rc = 0;

	buf_init(&b);
	m = movers(df, TEXT_MOVERS, &n);
	rc |= !m;
	rc |= buf_adds(&b, "rules diff: ");
	rc |= names(&b, df, false);
	rc |= buf_addf(&b,
	               ".\n%zu change priority, %zu change score, %zu change rank.\n\nopen "
	               "packages by priority (rows: from, columns: to)\n",
	               df->priority_changed, df->score_changed, df->rank_changed);
	rc |= report_page_flush(f, &b);
	rc |= report_diff_matrix(f, df);
	if (df->priority_changed == 0)
		rc |= buf_adds(&b, "\nno package changes priority.\n");
	else
		rc |= buf_addf(&b, "\ntop movers (most bands moved first; %zu of %zu)\n", n,
		               df->priority_changed);
	for (i = 0; m && i < n; i++) {
		const struct rules_diff_pkg *p = &df->pkgs[m[i]];

		rc |= buf_adds(&b, "  ");
		rc |= report_cell(&b, rules_diff_ref(df, p), 24, false);
		rc |= buf_adds(&b, "  ");
		rc |= report_cell(&b, df->from->bands[p->from_priority].priority, 4, false);
		rc |= buf_adds(&b, " -> ");
		rc |= report_cell(&b, df->to->bands[p->to_priority].priority, 4, false);
		rc |= buf_addf(&b, "  score %lld -> %lld  rank %u -> %u", (long long)p->from_score,
		               (long long)p->to_score, p->from_rank, p->to_rank);
		rc |= p->rules ? buf_adds(&b, "  ") | rule_list(&b, df, p, false) : 0;
		rc |= buf_addc(&b, '\n');
	}
	rc |= backtest_pair(&b, df, false);
	if (!rc)
		rc = report_page_flush(f, &b);
	rt_free(m);
	buf_release(&b);
	return rc ? -1 : 0;
}

static int json_ids(struct buf *b, const struct ruleset *rs, const uint16_t *ix, size_t n)
{
	size_t i;
	int rc = buf_addc(b, '[');

	for (i = 0; i < n; i++) {
		rc |= i ? buf_addc(b, ',') : 0;
		rc |= jsonw_string(b, rs->rules[ix[i]].id, strlen(rs->rules[ix[i]].id));
	}
	return rc | buf_addc(b, ']');
}

static int json_change(struct buf *b, const struct rules_diff *df, const struct rules_diff_pkg *p)
{
	const char *ref = rules_diff_ref(df, p), *fp = df->from->bands[p->from_priority].priority,
	           *tp = df->to->bands[p->to_priority].priority;
	const uint16_t *add, *rem;
	size_t na, nr;
	bool first = true;
	int rc = 0;

	rules_diff_rules(df, p, &add, &na, &rem, &nr);
	rc |= buf_addc(b, '{');
	rc |= jsonw_key_str(b, &first, "package_ref", ref);
	rc |= jsonw_key_str(b, &first, "from_priority", fp);
	rc |= jsonw_key_str(b, &first, "to_priority", tp);
	rc |= jsonw_key_int(b, &first, "from_score", (long long)p->from_score);
	rc |= jsonw_key_int(b, &first, "to_score", (long long)p->to_score);
	rc |= jsonw_key(b, &first, "from_rank");
	rc |= buf_addf(b, "%u", p->from_rank);
	rc |= jsonw_key(b, &first, "to_rank");
	rc |= buf_addf(b, "%u", p->to_rank);
	rc |= jsonw_key(b, &first, "rules_added");
	rc |= json_ids(b, df->to, add, na);
	rc |= jsonw_key(b, &first, "rules_removed");
	rc |= json_ids(b, df->from, rem, nr);
	return rc | buf_addc(b, '}');
}

static int json_head(struct buf *b, const struct rules_diff *df)
{
	char h[HASH_HEX];
	bool first = true;
	size_t i, j;
	int rc = 0;

	rc |= buf_addc(b, '{');
	rc |= jsonw_key(b, &first, "from_hash");
	hash_hex(h, df->from->hash);
	rc |= jsonw_string(b, h, strlen(h));
	rc |= jsonw_key(b, &first, "to_hash");
	hash_hex(h, df->to->hash);
	rc |= jsonw_string(b, h, strlen(h));
	rc |= jsonw_key(b, &first, "as_of");
	rc |= buf_addc(b, '"') | report_time(b, df->as_of) | buf_addc(b, '"');
	rc |= jsonw_key(b, &first, "open_packages");
	rc |= buf_addf(b, "%zu", df->n);
	rc |= jsonw_key(b, &first, "matrix");
	rc |= buf_addc(b, '{');
	for (i = 0; i < df->from->nbands; i++) {
		bool f2 = true;

		rc |= jsonw_key(b, &(bool){i == 0}, df->from->bands[i].priority);
		rc |= buf_addc(b, '{');
		for (j = 0; j < df->to->nbands; j++) {
			rc |= jsonw_key(b, &f2, df->to->bands[j].priority);
			rc |= buf_addf(b, "%ld", df->matrix[i][j]);
		}
		rc |= buf_addc(b, '}');
	}
	rc |= buf_addc(b, '}');
	rc |= jsonw_key(b, &first, "changes");
	return rc | buf_addc(b, '[');
}

int report_diff_json(FILE *f, const struct rules_diff *df)
{
	struct buf b;
	size_t i, k = 0;
	int rc;

	buf_init(&b);
	rc = json_head(&b, df);
	for (i = 0; i < df->n && !rc; i++) {
		const struct rules_diff_pkg *p = &df->pkgs[df->order[i]];

		if (!rules_diff_changed(p))
			continue;
		rc |= buf_adds(&b, k++ ? ",\n" : "\n");
		rc |= json_change(&b, df, p);
		if (b.len > 65536)
			rc |= report_page_flush(f, &b);
	}
	rc |= buf_adds(&b, k ? "\n]}\n" : "]}\n");
	if (!rc)
		rc = report_page_flush(f, &b);
	buf_release(&b);
	return rc ? -1 : 0;
}

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
		rc |= buf_addf(b, "<td class=n>%ld</td></tr>\n", total(df, i, true));
	}
	rc |= buf_adds(b, "<tr><th>total</th>");
	for (j = 0; j < df->to->nbands; j++)
		rc |= buf_addf(b, "<td class=n>%ld</td>", total(df, j, false));
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
	                  "<th>Rank</th><th>Rules added (+) and removed (-)</th></tr></thead>"
	                  "<tbody>\n");
	for (i = 0; i < n; i++) {
		const struct rules_diff_pkg *p = &df->pkgs[m[i]];

		rc |= buf_adds(b, "<tr><td>");
		rc |= report_html_escape(b, rules_diff_ref(df, p));
		rc |= buf_adds(b, "</td><td>");
		rc |= report_html_escape(b, df->from->bands[p->from_priority].priority);
		rc |= buf_adds(b, " &rarr; ");
		rc |= report_html_escape(b, df->to->bands[p->to_priority].priority);
		rc |= buf_addf(
		    b, "</td><td class=n>%lld &rarr; %lld</td><td class=n>%u &rarr; %u</td><td>",
		    (long long)p->from_score, (long long)p->to_score, p->from_rank, p->to_rank);
		rc |= rule_list(b, df, p, true);
		rc |= buf_adds(b, "</td></tr>\n");
	}
	return rc | buf_adds(b, "</tbody></table>\n");
}

int report_diff_html(FILE *f, const struct rules_diff *df, int64_t generated_at)
{
	struct buf b;
	uint32_t *m;
	size_t n = 0;
	char t[TIME_LOCAL_MAX];
	int rc = 0;

	buf_init(&b);
	m = movers(df, HTML_MOVERS, &n);
	rc |= !m;
	time_format_local(generated_at, t);
	rc |= report_page_head(&b, "What new rules would change");
	rc |= buf_adds(&b, "<p class=meta>");
	rc |= names(&b, df, true);
	rc |= buf_addf(&b,
	               ". Nothing was installed. Generated %s.</p>\n<p class=meta>%zu change "
	               "priority, %zu change score, %zu change rank.</p>\n<h2>Open packages "
	               "by priority</h2>\n<p class=meta>Rows: the current rules; columns: the "
	               "new ones. Red: more urgent; blue: less urgent.</p>\n",
	               t, df->priority_changed, df->score_changed, df->rank_changed);
	rc |= html_matrix(&b, df);
	if (m)
		rc |= html_movers(&b, df, m, n);
	rc |= backtest_pair(&b, df, true);
	rc |= report_page_tail(&b);
	if (!rc)
		rc = report_page_flush(f, &b);
	rt_free(m);
	buf_release(&b);
	return rc ? -1 : 0;
}
