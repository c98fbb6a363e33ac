/*
 * rules diff's writers (outcomes.md): the movement matrix between two rule
 * sets over the open packages, and each package that moves; text for
 * people (report-diff-text.c), JSON for machines (report-diff-json.c), one
 * self-contained HTML page (report-diff-html.c). Here, what they share:
 * which packages are listed, why each moves, the policies' own changes, the
 * summary lines, the rule sets' names and the backtest side by side.
 */
#include "diff-internal.h"

#include "reftriage/alloc.h"
#include "reftriage/backtest.h"
#include "reftriage/hash.h"
#include "reftriage/report.h"
#include "reftriage/timeutil.h"

/* The packages in from's band k (row), or in to's band k (column). */
long diff_total(const struct rules_diff *df, size_t k, bool row)
{
	size_t i, n = row ? df->to->nbands : df->from->nbands;
	long sum = 0;

	for (i = 0; i < n; i++)
		sum += row ? df->matrix[k][i] : df->matrix[i][k];
	return sum;
}

static int band_move(const struct rules_diff_pkg *p)
{
	int m = (int)p->to_priority - (int)p->from_priority;

	return m < 0 ? -m : m;
}

/*
 * Whether p is taken in pass k: by the most bands moved first (passes
 * RULES_MAX_BANDS ... 1 bands), or for overdue, those that become overdue
 * now, then those that stop being overdue.
 */
static bool in_pass(const struct rules_diff_pkg *p, bool overdue, int k)
{
	if (overdue)
		return p->from_overdue != p->to_overdue && p->to_overdue == (k == 0);
	return band_move(p) == RULES_MAX_BANDS - k;
}

uint32_t *diff_movers(const struct rules_diff *df, bool overdue, size_t max, size_t *n)
{
	uint32_t *m = rt_calloc(max + 1, sizeof(*m));
	int k, passes = overdue ? 2 : RULES_MAX_BANDS;
	size_t i;

	*n = 0;
	if (!m)
		return NULL;
	for (k = 0; k < passes && *n < max; k++)
		for (i = 0; i < df->n && *n < max; i++)
			if (in_pass(&df->pkgs[df->order[i]], overdue, k))
				m[(*n)++] = df->order[i];
	return m;
}

/* s for the medium: escaped for HTML, or made safe and cut at width for a terminal. */
static int put(struct buf *b, const char *s, size_t width, bool html)
{
	return html ? report_html_escape(b, s) : report_text_safe(b, s, width);
}

/* "+ID -ID": the rules that fire only under to (+) and only under from (-). */
static int rule_list(struct buf *b, const struct rules_diff *df, const struct rules_diff_pkg *p,
                     bool html)
{
	const uint16_t *add, *rem;
	size_t na, nr, i;
	int rc = 0;

	rules_diff_rules(df, p, &add, &na, &rem, &nr);
	for (i = 0; i < na; i++) {
		rc |= buf_adds(b, i ? " +" : "+");
		rc |= put(b, df->to->rules[add[i]].id, 40, html);
	}
	for (i = 0; i < nr; i++) {
		rc |= buf_adds(b, i || na ? " -" : "-");
		rc |= put(b, df->from->rules[rem[i]].id, 40, html);
	}
	return rc;
}

/* A rule's floor: its band's priority, or "none". */
static const char *floor_of(const struct ruleset *rs, const struct rule *r)
{
	return r && r->floor >= 0 ? rs->bands[r->floor].priority : "none";
}

/*
 * "ID points 30 -> 60, floor none -> P1": p's rules that fire under both
 * sets but count differently, each after sep.
 */
static int changed_list(struct buf *b, const struct rules_diff *df, const struct rules_diff_pkg *p,
                        const char *sep, bool html)
{
	const uint16_t *chg;
	size_t n, i;
	int rc = 0;

	chg = rules_diff_rules_changed(df, p, &n);
	for (i = 0; i < n; i++) {
		const struct rule *z = &df->to->rules[chg[i]];
		const struct rule *a = ruleset_rule(df->from, z->id);
		bool pts = a && a->points != z->points;

		if (!a)
			continue;
		rc |= buf_adds(b, i ? ", " : sep);
		rc |= put(b, z->id, 40, html);
		if (pts)
			rc |= buf_addf(b, " points %lld %s %lld", (long long)a->points,
			               html ? "&rarr;" : "->", (long long)z->points);
		if (strcmp(floor_of(df->from, a), floor_of(df->to, z)) != 0) {
			rc |= buf_adds(b, pts ? ", floor " : " floor ");
			rc |= put(b, floor_of(df->from, a), 16, html);
			rc |= buf_adds(b, html ? " &rarr; " : " -> ");
			rc |= put(b, floor_of(df->to, z), 16, html);
		}
		if (!pts && strcmp(floor_of(df->from, a), floor_of(df->to, z)) == 0)
			rc |= buf_addf(b, " category %s %s %s", rule_category_names[a->category],
			               html ? "&rarr;" : "->", rule_category_names[z->category]);
	}
	return rc;
}

/* What set a priority: "band P2" (the score reached it) or "floor P1 of ID". */
static int cause(struct buf *b, const struct ruleset *rs, int band, int floor, bool html)
{
	int rc = 0;

	if (floor < 0)
		return buf_adds(b, "band ") | put(b, rs->bands[band].priority, 16, html);
	rc |= buf_adds(b, "floor ");
	rc |= put(b, rs->bands[rs->rules[floor].floor].priority, 16, html);
	rc |= buf_adds(b, " of ");
	return rc | put(b, rs->rules[floor].id, 40, html);
}

/*
 * Why p moves: the rules that started or stopped firing, those that fire
 * under both but count differently, then what set its priority under each
 * rule set ("band P3 -> floor P1 of ID"): never empty for a package whose
 * priority changes.
 */
static int reason(struct buf *b, const struct rules_diff *df, const struct rules_diff_pkg *p,
                  bool html)
{
	const uint16_t *add, *rem;
	size_t na, nr, nc;
	int rc = 0;

	rules_diff_rules(df, p, &add, &na, &rem, &nr);
	(void)rules_diff_rules_changed(df, p, &nc);
	rc |= rule_list(b, df, p, html);
	rc |= changed_list(b, df, p, na || nr ? "; " : "", html);
	if (p->from_priority == p->to_priority)
		return rc;
	rc |= na || nr || nc ? buf_adds(b, "; ") : 0;
	rc |= cause(b, df->from, p->from_band, p->from_floor, html);
	rc |= buf_adds(b, html ? " &rarr; " : " -> ");
	return rc | cause(b, df->to, p->to_band, p->to_floor, html);
}

/* A listed package's reference and its priority from -> to: the start of its line or row. */
static int move_cells(struct buf *b, const struct rules_diff *df, const struct rules_diff_pkg *p,
                      bool html)
{
	const char *ref = rules_diff_ref(df, p), *fp = df->from->bands[p->from_priority].priority,
	           *tp = df->to->bands[p->to_priority].priority;
	int rc = 0;

	if (html) {
		rc |= buf_adds(b, "<tr><td>");
		rc |= report_html_escape(b, ref);
		rc |= buf_adds(b, "</td><td>");
		rc |= report_html_escape(b, fp);
		rc |= buf_adds(b, " &rarr; ");
		return rc | report_html_escape(b, tp);
	}
	rc |= buf_adds(b, "  ");
	rc |= report_cell(b, ref, 24, false);
	rc |= buf_adds(b, "  ");
	rc |= report_cell(b, fp, 4, false);
	rc |= buf_adds(b, " -> ");
	return rc | report_cell(b, tp, 4, false);
}

int diff_mover_line(struct buf *b, const struct rules_diff *df, const struct rules_diff_pkg *p,
                    bool html)
{
	int rc = move_cells(b, df, p, html);

	rc |= html ? buf_addf(b,
	                      "</td><td class=n>%lld &rarr; %lld</td><td class=n>%u &rarr; "
	                      "%u</td><td>",
	                      (long long)p->from_score, (long long)p->to_score, p->from_rank,
	                      p->to_rank)
	           : buf_addf(b, "  score %lld -> %lld  rank %u -> %u  ", (long long)p->from_score,
	                      (long long)p->to_score, p->from_rank, p->to_rank);
	rc |= reason(b, df, p, html);
	return rc | buf_adds(b, html ? "</td></tr>\n" : "\n");
}

static int due_line(struct buf *b, const struct rules_diff *df, const struct rules_diff_pkg *p,
                    bool html)
{
	char t[TIME_LOCAL_MAX], t2[TIME_LOCAL_MAX];

	time_format_local(p->from_due_at, t);
	time_format_local(p->to_due_at, t2);
	return move_cells(b, df, p, html) |
	       buf_addf(b,
	                html ? "</td><td>%s &rarr; %s</td><td>%s</td></tr>\n"
	                     : "  due %s -> %s  %s\n",
	                t, t2, p->to_overdue ? "overdue now" : "no longer overdue");
}

/* The due-time section: each package that starts or stops being overdue at as_of. */
int diff_due(struct buf *b, const struct rules_diff *df, bool html)
{
	char t[TIME_LOCAL_MAX];
	size_t n = 0, i, total = df->become_overdue + df->stop_overdue;
	uint32_t *m = diff_movers(df, true, html ? HTML_MOVERS : TEXT_MOVERS, &n);
	int rc = !m;

	time_format_local(df->as_of, t);
	if (html)
		rc |=
		    buf_addf(b,
		             "<h2>Due times</h2>\n<p class=meta>At %s: due earlier for %zu, later "
		             "for %zu; %zu become overdue now, %zu stop being overdue%s.</p>\n",
		             t, df->due_earlier, df->due_later, df->become_overdue,
		             df->stop_overdue, n < total ? " (the first 500 listed)" : "");
	else
		rc |= buf_addf(b, "\ndue times at %s: earlier for %zu, later for %zu\n%s", t,
		               df->due_earlier, df->due_later,
		               total ? "" : "no package becomes or stops being overdue.\n");
	if (!html && total)
		rc |= buf_addf(
		    b, "%zu become overdue now, %zu stop being overdue (%zu of %zu listed)\n",
		    df->become_overdue, df->stop_overdue, n, total);
	if (html && n && m)
		rc |=
		    buf_adds(b, "<table><thead><tr><th>Reference</th><th>Priority</th><th>Due</th>"
		                "<th></th></tr></thead><tbody>\n");
	for (i = 0; m && i < n; i++)
		rc |= due_line(b, df, &df->pkgs[m[i]], html);
	rc |= html && n && m ? buf_adds(b, "</tbody></table>\n") : 0;
	rt_free(m);
	return rc;
}

/* --- the policies' own changes ------------------------------------------- */

/* "name A -> Z", or "name A" when both are the same or one side is absent (NULL). */
static int field(struct buf *b, const char *name, const char *a, const char *z, size_t width,
                 bool html)
{
	int rc = buf_adds(b, name);

	rc |= buf_addc(b, ' ');
	if (a && z && strcmp(a, z) != 0) {
		rc |= put(b, a, width, html);
		rc |= buf_adds(b, html ? " &rarr; " : " -> ");
		return rc | put(b, z, width, html);
	}
	return rc | put(b, a ? a : z, width, html);
}

static void band_min(char *t, size_t size, const struct band *x)
{
	if (!x)
		t[0] = '\0';
	else if (x->has_min)
		(void)snprintf(t, size, "%lld", (long long)x->min_score);
	else
		(void)snprintf(t, size, "null");
}

static void band_hours(char *t, size_t size, const struct band *x)
{
	if (x)
		(void)snprintf(t, size, "%lld", (long long)x->respond_within_hours);
	else
		t[0] = '\0';
}

const char *const diff_change_names[] = {"added", "removed", "changed"};

/* A policy change's band priority or rule id (to's, or from's when removed). */
const char *diff_policy_id(const struct rules_diff *df, const struct rules_diff_policy *c)
{
	const struct ruleset *rs = c->to >= 0 ? df->to : df->from;
	int k = c->to >= 0 ? c->to : c->from;

	return c->kind == RULES_DIFF_BAND ? rs->bands[k].priority : rs->rules[k].id;
}

/* "band P2 changed: min_score 50, respond_within_hours 168 -> 72". */
static int policy_band(struct buf *b, const struct rules_diff *df,
                       const struct rules_diff_policy *c, bool html)
{
	const struct band *a = c->from >= 0 ? &df->from->bands[c->from] : NULL;
	const struct band *z = c->to >= 0 ? &df->to->bands[c->to] : NULL;
	char am[24], zm[24], ah[24], zh[24];
	int rc = 0;

	band_min(am, sizeof(am), a);
	band_min(zm, sizeof(zm), z);
	band_hours(ah, sizeof(ah), a);
	band_hours(zh, sizeof(zh), z);
	rc |= buf_adds(b, "band ");
	rc |= put(b, diff_policy_id(df, c), 16, html);
	rc |= buf_addf(b, " %s: ", diff_change_names[c->change]);
	rc |= field(b, "min_score", a ? am : NULL, z ? zm : NULL, 24, html);
	rc |= buf_adds(b, ", ");
	rc |= field(b, "respond_within_hours", a ? ah : NULL, z ? zh : NULL, 24, html);
	/* Labels are free text, perhaps with commas and colons: quoted. */
	if (a && z && strcmp(a->label, z->label) != 0) {
		rc |= buf_adds(b, html ? ", label &ldquo;" : ", label \"");
		rc |= put(b, a->label, 40, html);
		rc |= buf_adds(b, html ? "&rdquo; &rarr; &ldquo;" : "\" -> \"");
		rc |= put(b, z->label, 40, html);
		rc |= buf_adds(b, html ? "&rdquo;" : "\"");
	}
	return rc;
}

/* "rule GROOMING changed: points 30 -> 60, floor none; when changed". */
static int policy_rule(struct buf *b, const struct rules_diff *df,
                       const struct rules_diff_policy *c, bool html)
{
	const struct rule *a = c->from >= 0 ? &df->from->rules[c->from] : NULL;
	const struct rule *z = c->to >= 0 ? &df->to->rules[c->to] : NULL;
	char ap[24], zp[24];
	int rc = 0;

	(void)snprintf(ap, sizeof(ap), "%lld", a ? (long long)a->points : 0LL);
	(void)snprintf(zp, sizeof(zp), "%lld", z ? (long long)z->points : 0LL);
	rc |= buf_adds(b, "rule ");
	rc |= put(b, diff_policy_id(df, c), 40, html);
	rc |= buf_addf(b, " %s: ", diff_change_names[c->change]);
	rc |= field(b, "points", a ? ap : NULL, z ? zp : NULL, 24, html);
	rc |= buf_adds(b, ", ");
	rc |= field(b, "floor", a ? floor_of(df->from, a) : NULL, z ? floor_of(df->to, z) : NULL,
	            16, html);
	if (!a || !z)
		return rc;
	if (a->category != z->category) {
		rc |= buf_adds(b, ", ");
		rc |= field(b, "category", rule_category_names[a->category],
		            rule_category_names[z->category], 24, html);
	}
	rc |= strcmp(a->when, z->when) != 0 ? buf_adds(b, ", condition (when) changed") : 0;
	rc |=
	    strcmp(a->description, z->description) != 0 ? buf_adds(b, ", description changed") : 0;
	return rc;
}

/*
 * The lines every diff starts with (rules diff's text and html, and rules
 * install on standard error): how many change priority, score and rank;
 * the due times; the policies' own changes.
 */
int diff_summary(struct buf *b, const struct rules_diff *df, bool html)
{
	size_t i;
	int rc = 0;

	rc |= buf_addf(b,
	               "%s%zu change priority, %zu change score, %zu change rank.%s"
	               "due earlier for %zu, later for %zu; %zu become overdue now, %zu stop "
	               "being overdue.%s",
	               html ? "<p class=meta>" : "", df->priority_changed, df->score_changed,
	               df->rank_changed, html ? "<br>\n" : "\n", df->due_earlier, df->due_later,
	               df->become_overdue, df->stop_overdue, html ? "</p>\n" : "\n");
	if (!df->npolicy)
		return rc |
		       buf_adds(b, html ? "<h2>Policy changes</h2>\n<p>None: the same bands "
		                          "and rules.</p>\n"
		                        : "\npolicy changes: none (the same bands and rules)\n");
	rc |= html ? buf_addf(b, "<h2>Policy changes (%zu)</h2>\n<ul>\n", df->npolicy)
	           : buf_addf(b, "\npolicy changes (%zu)\n", df->npolicy);
	for (i = 0; i < df->npolicy; i++) {
		const struct rules_diff_policy *c = &df->policy[i];

		rc |= buf_adds(b, html ? "<li>" : "  ");
		rc |= c->kind == RULES_DIFF_BAND ? policy_band(b, df, c, html)
		                                 : policy_rule(b, df, c, html);
		rc |= buf_adds(b, html ? "</li>\n" : "\n");
	}
	return rc | (html ? buf_adds(b, "</ul>\n") : 0);
}

int diff_names(struct buf *b, const struct rules_diff *df, bool html)
{
	char h1[HASH_HEX], h2[HASH_HEX], t[TIME_LOCAL_MAX];
	const struct ruleset *rs[2] = {df->from, df->to};
	int rc = 0, k;

	hash_hex(h1, df->from->hash);
	hash_hex(h2, df->to->hash);
	time_format_local(df->as_of, t);
	for (k = 0; k < 2; k++) {
		rc |= buf_adds(b, k ? " to " : "");
		rc |= put(b, rs[k]->name, 60, html);
		rc |= buf_addc(b, ' ');
		rc |= put(b, rs[k]->version, 30, html);
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
int diff_backtest_pair(struct buf *b, const struct rules_diff *df, bool html)
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
