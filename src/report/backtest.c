/*
 * The writers of 'rules backtest' (docs/outcomes.md): a short text report,
 * JSON with exactly the keys outcomes.md lists (and a few more), and one
 * self-contained HTML page (inline CSS and SVG; no script, nothing fetched)
 * with the band table, the rules table, the ROC curve and the positives'
 * share by band. Each writer builds its text in a buffer and writes it once.
 */
#include "reftriage/backtest.h"

#include "reftriage/buf.h"
#include "reftriage/hash.h"
#include "reftriage/jsonw.h"
#include "reftriage/report.h"
#include "reftriage/text.h"
#include "reftriage/timeutil.h"

/* Why a figure is missing, or NULL: the note that the text, JSON and HTML share. */
const char *backtest_note(const struct backtest *bt)
{
	if (bt->packages == 0)
		return "no package has a positive or negative outcome yet: record outcomes with "
		       "'reftriage outcome' (docs/outcomes.md)";
	if (!bt->auc.has_auc)
		return "the AUC needs at least one positive and one negative outcome";
	if (!bt->auc.has_ci)
		return "the AUC's interval needs at least two positives and two negatives";
	return NULL;
}

int backtest_override_sentence(struct buf *b, const struct backtest *bt, const struct ruleset *rs)
{
	const struct backtest_overrides *o = &bt->overrides;
	double from = o->recall_top_rules * 100, to = o->recall_top_final * 100;
	char top[160];

	if (bt->top > 0)
		(void)snprintf(top, sizeof(top), "%s\u2013%s", rs->bands[0].priority,
		               rs->bands[bt->top].priority);
	else
		(void)snprintf(top, sizeof(top), "%s", rs->bands[0].priority);
	if (o->count == 0)
		return buf_adds(b, "no labelled package has an override in force");
	if (!bt->has_recall)
		return buf_addf(b,
		                "%ld override%s in force, but no positive outcome to measure %s by",
		                o->count, o->count == 1 ? "" : "s", o->count == 1 ? "it" : "them");
	/* The shares as printed: equal when they print the same. */
	if ((long)(from * 10 + 0.5) == (long)(to * 10 + 0.5))
		return buf_addf(b, "overrides left the share of positives in %s at %.1f %%", top,
		                from);
	return buf_addf(b, "overrides %s the share of positives in %s from %.1f %% to %.1f %%",
	                to > from ? "raised" : "lowered", top, from, to);
}

static int flush(FILE *f, struct buf *b, int rc)
{
	if (rc == 0 && fwrite(b->data, 1, b->len, f) != b->len)
		rc = -1;
	buf_release(b);
	return rc ? -1 : 0;
}

/* A value from the rules file, shown with control characters escaped. */
static int add_safe(struct buf *b, const char *s)
{
	char shown[256];

	text_display(shown, sizeof(shown), s, strlen(s), 120);
	return buf_adds(b, shown);
}

/* "0.734" or "-" */
static int add_share(struct buf *b, bool has, double v)
{
	return has ? buf_addf(b, "%.3f", v) : buf_adds(b, "-");
}

static int text_header(struct buf *b, const struct backtest_report *r)
{
	const struct backtest *bt = r->bt;
	char hex[HASH_HEX];
	int rc = 0;

	hash_hex(hex, r->rs->hash);
	rc |= buf_adds(b, "backtest of ");
	rc |= add_safe(b, r->rs->name);
	rc |= buf_addc(b, ' ');
	rc |= add_safe(b, r->rs->version);
	rc |= buf_addf(b, " (hash %.16s...)%s", hex, r->rules_source ? " from " : "");
	if (r->rules_source)
		rc |= add_safe(b, r->rules_source);
	rc |= buf_addf(b,
	               "\nlabelled   %ld package%s: %ld positive, %ld negative; %ld excluded "
	               "(outcomes that say nothing of priority)\n",
	               bt->packages, bt->packages == 1 ? "" : "s", bt->positives, bt->negatives,
	               bt->excluded);
	if (bt->unreadable)
		rc |= buf_addf(b, "left out   %ld labelled package%s whose content purge erased\n",
		               bt->unreadable, bt->unreadable == 1 ? "" : "s");
	rc |= buf_adds(b, "AUC        ");
	rc |= add_share(b, bt->auc.has_auc, bt->auc.auc);
	if (bt->auc.has_ci)
		rc |=
		    buf_addf(b, "  (95 %% interval %.3f to %.3f, DeLong)", bt->auc.lo, bt->auc.hi);
	rc |= buf_addf(b, "\ntop bands  %s", r->rs->bands[0].priority);
	if (bt->top > 0)
		rc |= buf_addf(b, " to %s", r->rs->bands[bt->top].priority);
	rc |= buf_adds(b, ": ");
	rc |= add_share(b, bt->has_recall, bt->recall_top);
	rc |= buf_adds(b, " of positives (recall), ");
	rc |= add_share(b, bt->has_negatives_in_top, bt->negatives_in_top);
	rc |= buf_adds(b, " of negatives\n");
	rc |= buf_addf(b, "overrides  %ld (%ld up, %ld down): ", bt->overrides.count,
	               bt->overrides.up, bt->overrides.down);
	rc |= backtest_override_sentence(b, bt, r->rs);
	rc |= buf_addc(b, '\n');
	if (backtest_note(bt))
		rc |= buf_addf(b, "note       %s\n", backtest_note(bt));
	return rc ? -1 : 0;
}

int backtest_write_text(FILE *f, const struct backtest_report *r)
{
	const struct backtest *bt = r->bt;
	struct buf b;
	size_t i;
	int rc;

	buf_init(&b);
	rc = text_header(&b, r);
	rc |= buf_adds(&b, "\nband  packages  positives  negatives  positive share\n");
	for (i = 0; i < bt->nbands; i++) {
		const struct backtest_band *g = &bt->bands[i];

		rc |= buf_adds(&b, "  ");
		rc |= add_safe(&b, r->rs->bands[i].priority);
		rc |= buf_addf(&b, "  %8ld  %9ld  %9ld  ", g->packages, g->positives, g->negatives);
		rc |= add_share(&b, g->packages > 0,
		                g->packages ? (double)g->positives / (double)g->packages : 0);
		rc |= buf_addc(&b, '\n');
	}
	rc |= buf_addf(&b, "\n%-28s %7s %9s %6s\n", "rule", "fired", "positive", "lift");
	for (i = 0; i < bt->nrules; i++) {
		const struct backtest_rule *ru = &bt->rules[i];
		char id[64];

		text_display(id, sizeof(id), r->rs->rules[i].id, strlen(r->rs->rules[i].id), 28);
		rc |= buf_addf(&b, "%-28s %7ld %9ld ", id, ru->fired, ru->positives_fired);
		rc |= ru->has_lift ? buf_addf(&b, "%6.2f\n", ru->lift) : buf_addf(&b, "%6s\n", "-");
	}
	return flush(f, &b, rc);
}

/* --- JSON --------------------------------------------------------------- */

static int json_long(struct buf *b, bool *first, const char *key, long v)
{
	return jsonw_key(b, first, key) < 0 ? -1 : buf_addf(b, "%ld", v);
}

static int json_str(struct buf *b, bool *first, const char *key, const char *s)
{
	if (jsonw_key(b, first, key) < 0)
		return -1;
	return s ? jsonw_string(b, s, strlen(s)) : buf_adds(b, "null");
}

/* "overrides": casework.md section 1's figures; the recalls null without a positive. */
static int json_overrides(struct buf *b, bool *first, const struct backtest *bt)
{
	const struct backtest_overrides *o = &bt->overrides;
	bool f = true;
	int rc = jsonw_key(b, first, "overrides") | buf_addc(b, '{');

	rc |= json_long(b, &f, "count", o->count);
	rc |= json_long(b, &f, "up", o->up);
	rc |= json_long(b, &f, "down", o->down);
	rc |= json_long(b, &f, "positives_up", o->positives_up);
	rc |= json_long(b, &f, "negatives_up", o->negatives_up);
	rc |= json_long(b, &f, "positives_down", o->positives_down);
	rc |= json_long(b, &f, "negatives_down", o->negatives_down);
	rc |= jsonw_key_number(b, &f, "recall_top_rules", bt->has_recall, o->recall_top_rules);
	rc |= jsonw_key_number(b, &f, "recall_top_final", bt->has_recall, o->recall_top_final);
	return rc | buf_addc(b, '}') ? -1 : 0;
}

static int json_head(struct buf *b, bool *first, const struct backtest_report *r)
{
	const struct backtest *bt = r->bt;
	char hex[HASH_HEX];
	int rc = 0;

	hash_hex(hex, r->rs->hash);
	rc |= json_str(b, first, "rules_hash", hex);
	rc |= json_str(b, first, "rules_name", r->rs->name);
	rc |= json_str(b, first, "rules_version", r->rs->version);
	rc |= json_str(b, first, "rules_file", r->rules_source);
	rc |= jsonw_key(b, first, "generated_at");
	rc |= buf_addc(b, '"') | report_time(b, r->generated_at) | buf_addc(b, '"');
	rc |= json_long(b, first, "packages", bt->packages);
	rc |= json_long(b, first, "positives", bt->positives);
	rc |= json_long(b, first, "negatives", bt->negatives);
	rc |= json_long(b, first, "excluded", bt->excluded);
	rc |= json_long(b, first, "erased", bt->unreadable);
	rc |= jsonw_key_number(b, first, "auc", bt->auc.has_auc, bt->auc.auc);
	rc |= jsonw_key(b, first, "auc_ci95");
	rc |= bt->auc.has_ci ? buf_addc(b, '[') | jsonw_number(b, bt->auc.lo) | buf_addc(b, ',') |
	                           jsonw_number(b, bt->auc.hi) | buf_addc(b, ']')
	                     : buf_adds(b, "null");
	rc |= json_str(b, first, "auc_ci95_method", "DeLong");
	rc |= json_str(b, first, "top", r->rs->bands[bt->top].priority);
	rc |= jsonw_key_number(b, first, "recall_top", bt->has_recall, bt->recall_top);
	rc |= jsonw_key_number(b, first, "negatives_in_top", bt->has_negatives_in_top,
	                       bt->negatives_in_top);
	rc |= json_str(b, first, "note", backtest_note(bt));
	rc |= json_overrides(b, first, bt);
	return rc ? -1 : 0;
}

int backtest_write_json(FILE *f, const struct backtest_report *r)
{
	const struct backtest *bt = r->bt;
	bool first = true, f2;
	struct buf b;
	size_t i;
	int rc;

	buf_init(&b);
	rc = buf_addc(&b, '{');
	rc |= json_head(&b, &first, r);
	rc |= jsonw_key(&b, &first, "bands");
	rc |= buf_addc(&b, '[');
	for (i = 0; i < bt->nbands; i++) {
		f2 = true;
		rc |= buf_adds(&b, i ? ",{" : "{");
		rc |= json_str(&b, &f2, "priority", r->rs->bands[i].priority);
		rc |= json_long(&b, &f2, "packages", bt->bands[i].packages);
		rc |= json_long(&b, &f2, "positives", bt->bands[i].positives);
		rc |= json_long(&b, &f2, "negatives", bt->bands[i].negatives);
		rc |= buf_addc(&b, '}');
	}
	rc |= buf_addc(&b, ']');
	rc |= jsonw_key(&b, &first, "rules");
	rc |= buf_addc(&b, '[');
	for (i = 0; i < bt->nrules; i++) {
		f2 = true;
		rc |= buf_adds(&b, i ? ",{" : "{");
		rc |= json_str(&b, &f2, "rule", r->rs->rules[i].id);
		rc |= json_long(&b, &f2, "fired", bt->rules[i].fired);
		rc |= json_long(&b, &f2, "positives_fired", bt->rules[i].positives_fired);
		rc |= jsonw_key_number(&b, &f2, "lift", bt->rules[i].has_lift, bt->rules[i].lift);
		rc |= buf_addc(&b, '}');
	}
	rc |= buf_adds(&b, "]}\n");
	return flush(f, &b, rc);
}
