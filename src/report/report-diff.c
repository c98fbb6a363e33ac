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

static const char *const change_names[] = {"added", "removed", "changed"};

/* A policy change's band priority or rule id (to's, or from's when removed). */
static const char *policy_id(const struct rules_diff *df, const struct rules_diff_policy *c)
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
	rc |= put(b, policy_id(df, c), 16, html);
	rc |= buf_addf(b, " %s: ", change_names[c->change]);
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
	rc |= put(b, policy_id(df, c), 40, html);
	rc |= buf_addf(b, " %s: ", change_names[c->change]);
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
static int summary(struct buf *b, const struct rules_diff *df, bool html)
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

int report_diff_summary(FILE *f, const struct rules_diff *df)
{
	struct buf b;
	int rc;

	buf_init(&b);
	rc = summary(&b, df, false);
	if (!rc)
		rc = report_page_flush(f, &b);
	buf_release(&b);
	return rc ? -1 : 0;
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

/*
 * The first max packages that become overdue now, then those that stop
 * being overdue, each in new-rank order. The caller frees.
 */
static uint32_t *overdue_movers(const struct rules_diff *df, size_t max, size_t *n)
{
	uint32_t *m = rt_calloc(max + 1, sizeof(*m));
	size_t i;
	int pass;

	*n = 0;
	if (!m)
		return NULL;
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < df->n && *n < max; i++) {
			const struct rules_diff_pkg *p = &df->pkgs[df->order[i]];

			if (p->from_overdue != p->to_overdue && p->to_overdue == (pass == 0))
				m[(*n)++] = df->order[i];
		}
	return m;
}

/* The due-time section: each package that starts or stops being overdue at as_of. */
static int due_text(struct buf *b, const struct rules_diff *df)
{
	char t[TIME_LOCAL_MAX], t2[TIME_LOCAL_MAX];
	size_t n = 0, i, total = df->become_overdue + df->stop_overdue;
	uint32_t *m = overdue_movers(df, TEXT_MOVERS, &n);
	int rc = !m;

	time_format_local(df->as_of, t);
	rc |= buf_addf(b, "\ndue times at %s: earlier for %zu, later for %zu\n", t, df->due_earlier,
	               df->due_later);
	if (!total)
		rc |= buf_adds(b, "no package becomes or stops being overdue.\n");
	else
		rc |= buf_addf(
		    b, "%zu become overdue now, %zu stop being overdue (%zu of %zu listed)\n",
		    df->become_overdue, df->stop_overdue, n, total);
	for (i = 0; m && i < n; i++) {
		const struct rules_diff_pkg *p = &df->pkgs[m[i]];

		time_format_local(p->from_due_at, t);
		time_format_local(p->to_due_at, t2);
		rc |= buf_adds(b, "  ");
		rc |= report_cell(b, rules_diff_ref(df, p), 24, false);
		rc |= buf_adds(b, "  ");
		rc |= report_cell(b, df->from->bands[p->from_priority].priority, 4, false);
		rc |= buf_adds(b, " -> ");
		rc |= report_cell(b, df->to->bands[p->to_priority].priority, 4, false);
		rc |= buf_addf(b, "  due %s -> %s  %s\n", t, t2,
		               p->to_overdue ? "overdue now" : "no longer overdue");
	}
	rt_free(m);
	return rc;
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
	rc |= buf_adds(&b, ".\n");
	rc |= summary(&b, df, false);
	rc |= buf_adds(&b, "\nopen packages by priority (rows: from, columns: to)\n");
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
		rc |=
		    buf_addf(&b, "  score %lld -> %lld  rank %u -> %u  ", (long long)p->from_score,
		             (long long)p->to_score, p->from_rank, p->to_rank);
		rc |= reason(&b, df, p, false);
		rc |= buf_addc(&b, '\n');
	}
	rc |= due_text(&b, df);
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
	rc |= jsonw_key(b, &first, "from_due_at");
	rc |= buf_addc(b, '"') | report_time(b, p->from_due_at) | buf_addc(b, '"');
	rc |= jsonw_key(b, &first, "to_due_at");
	rc |= buf_addc(b, '"') | report_time(b, p->to_due_at) | buf_addc(b, '"');
	rc |= jsonw_key(b, &first, "from_overdue");
	rc |= buf_adds(b, p->from_overdue ? "true" : "false");
	rc |= jsonw_key(b, &first, "to_overdue");
	rc |= buf_adds(b, p->to_overdue ? "true" : "false");
	return rc | buf_addc(b, '}');
}

/* A band as its rules file gives it (min_score null for the last), or null. */
static int json_band(struct buf *b, const struct band *x)
{
	bool first = true;
	int rc = 0;

	if (!x)
		return buf_adds(b, "null");
	rc |= buf_addc(b, '{');
	rc |= jsonw_key_str(b, &first, "priority", x->priority);
	rc |= jsonw_key_str(b, &first, "label", x->label);
	rc |= jsonw_key(b, &first, "min_score");
	rc |= x->has_min ? buf_addf(b, "%lld", (long long)x->min_score) : buf_adds(b, "null");
	rc |= jsonw_key_int(b, &first, "respond_within_hours", (long long)x->respond_within_hours);
	return rc | buf_addc(b, '}');
}

/* A rule with the keys of its rules file, floor null when it has none; or null. */
static int json_rule(struct buf *b, const struct ruleset *rs, const struct rule *x)
{
	bool first = true;
	int rc = 0;

	if (!x)
		return buf_adds(b, "null");
	rc |= buf_addc(b, '{');
	rc |= jsonw_key_str(b, &first, "id", x->id);
	rc |= jsonw_key_str(b, &first, "category", rule_category_names[x->category]);
	rc |= jsonw_key_str(b, &first, "description", x->description);
	rc |= jsonw_key_str(b, &first, "when", x->when);
	rc |= jsonw_key_int(b, &first, "points", (long long)x->points);
	rc |=
	    jsonw_key_str(b, &first, "floor", x->floor >= 0 ? rs->bands[x->floor].priority : NULL);
	return rc | buf_addc(b, '}');
}

/* due_changes and policy_changes: what follows the list of changes. */
static int json_tail(struct buf *b, const struct rules_diff *df)
{
	size_t i;
	int rc = 0;

	rc |= buf_addf(b,
	               ",\n\"due_changes\":{\"earlier\":%zu,\"later\":%zu,\"become_overdue\":%zu,"
	               "\"stop_overdue\":%zu},\n\"policy_changes\":[",
	               df->due_earlier, df->due_later, df->become_overdue, df->stop_overdue);
	for (i = 0; i < df->npolicy; i++) {
		const struct rules_diff_policy *c = &df->policy[i];
		bool band = c->kind == RULES_DIFF_BAND, first = true;

		rc |= buf_adds(b, i ? ",\n{" : "\n{");
		rc |= jsonw_key_str(b, &first, "kind", band ? "band" : "rule");
		rc |= jsonw_key_str(b, &first, "id", policy_id(df, c));
		rc |= jsonw_key_str(b, &first, "change", change_names[c->change]);
		rc |= jsonw_key(b, &first, "from");
		rc |= band
		          ? json_band(b, c->from >= 0 ? &df->from->bands[c->from] : NULL)
		          : json_rule(b, df->from, c->from >= 0 ? &df->from->rules[c->from] : NULL);
		rc |= jsonw_key(b, &first, "to");
		rc |= band ? json_band(b, c->to >= 0 ? &df->to->bands[c->to] : NULL)
		           : json_rule(b, df->to, c->to >= 0 ? &df->to->rules[c->to] : NULL);
		rc |= buf_addc(b, '}');
	}
	return rc | buf_adds(b, df->npolicy ? "\n]}\n" : "]}\n");
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
	rc |= buf_adds(&b, k ? "\n]" : "]");
	rc |= json_tail(&b, df);
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
	                  "<th>Rank</th><th>Why: rules that fire (+) or stop (-), rules that "
	                  "count differently, what set the priority</th></tr></thead><tbody>\n");
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
		rc |= reason(b, df, p, true);
		rc |= buf_adds(b, "</td></tr>\n");
	}
	return rc | buf_adds(b, "</tbody></table>\n");
}

/* The packages that become or stop being overdue at as_of (the first 500). */
static int html_due(struct buf *b, const struct rules_diff *df)
{
	char t[TIME_LOCAL_MAX], t2[TIME_LOCAL_MAX];
	size_t n = 0, i, total = df->become_overdue + df->stop_overdue;
	uint32_t *m = overdue_movers(df, HTML_MOVERS, &n);
	int rc = !m;

	time_format_local(df->as_of, t);
	rc |= buf_addf(b,
	               "<h2>Due times</h2>\n<p class=meta>At %s: due earlier for %zu, later for "
	               "%zu; %zu become overdue now, %zu stop being overdue%s.</p>\n",
	               t, df->due_earlier, df->due_later, df->become_overdue, df->stop_overdue,
	               n < total ? " (the first 500 listed)" : "");
	if (!n || !m) {
		rt_free(m);
		return rc;
	}
	rc |= buf_adds(b, "<table><thead><tr><th>Reference</th><th>Priority</th><th>Due</th>"
	                  "<th></th></tr></thead><tbody>\n");
	for (i = 0; i < n; i++) {
		const struct rules_diff_pkg *p = &df->pkgs[m[i]];

		time_format_local(p->from_due_at, t);
		time_format_local(p->to_due_at, t2);
		rc |= buf_adds(b, "<tr><td>");
		rc |= report_html_escape(b, rules_diff_ref(df, p));
		rc |= buf_adds(b, "</td><td>");
		rc |= report_html_escape(b, df->from->bands[p->from_priority].priority);
		rc |= buf_adds(b, " &rarr; ");
		rc |= report_html_escape(b, df->to->bands[p->to_priority].priority);
		rc |= buf_addf(b, "</td><td>%s &rarr; %s</td><td>%s</td></tr>\n", t, t2,
		               p->to_overdue ? "overdue now" : "no longer overdue");
	}
	rt_free(m);
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
	m = movers(df, HTML_MOVERS, &n);
	rc |= !m;
	time_format_local(generated_at, t);
	rc |= report_page_head(&b, "What new rules would change");
	rc |= buf_adds(&b, "<p class=meta>");
	rc |= names(&b, df, true);
	rc |= buf_addf(&b, ". Nothing was installed. Generated %s.</p>\n", t);
	rc |= html_same_label(&b, df);
	rc |= summary(&b, df, true);
	rc |= buf_adds(&b, "<h2>Open packages by priority</h2>\n<p class=meta>Rows: the current "
	                   "rules; columns: the new ones. Red: more urgent; blue: less "
	                   "urgent.</p>\n");
	rc |= html_matrix(&b, df);
	if (m)
		rc |= html_movers(&b, df, m, n);
	rc |= html_due(&b, df);
	rc |= backtest_pair(&b, df, true);
	rc |= report_page_tail(&b);
	if (!rc)
		rc = report_page_flush(f, &b);
	rt_free(m);
	buf_release(&b);
	return rc ? -1 : 0;
}
