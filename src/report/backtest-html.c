/*
 * rules backtest --format html: one self-contained page (inline CSS and
 * SVG, no script, nothing fetched: the Content-Security-Policy says so too)
 * with the figures, the ROC curve, the positives' share by band, the band
 * table and the rules table. Every value from the rules file is escaped.
 */
#include "reftriage/backtest.h"

#include "reftriage/buf.h"
#include "reftriage/hash.h"
#include "reftriage/timeutil.h"

#define MARKING "OFFICIAL-SENSITIVE"

/* The characters HTML gives a meaning to, and what stands for them. */
static const struct {
	char c;
	const char *entity;
} entities[] = {{'&', "&amp;"}, {'<', "&lt;"}, {'>', "&gt;"}, {'"', "&quot;"}, {'\'', "&#39;"}};

/* Append s escaped; control characters become spaces. */
static int put(struct buf *b, const char *s)
{
	for (; s && *s; s++) {
		const char *rep = NULL;
		size_t i;

		for (i = 0; i < ARRAY_SIZE(entities); i++)
			if (*s == entities[i].c)
				rep = entities[i].entity;
		if (rep ? buf_adds(b, rep) < 0
		        : buf_addc(b, (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s) < 0)
			return -1;
	}
	return 0;
}

static const char css[] =
    "body { font: 11pt/1.35 sans-serif; margin: 1.5em; color: #111; }\n"
    ".marking { text-align: center; font-weight: bold; letter-spacing: .1em; }\n"
    "table { border-collapse: collapse; margin: .6em 0 1.2em; }\n"
    "th, td { border: 1px solid #999; padding: .15em .5em; }\n"
    "td.n { text-align: right; font-variant-numeric: tabular-nums; }\n"
    ".charts svg { margin-right: 2em; }\n"
    ".charts p { max-width: 40em; }\n"
    /*
     * Margin boxes of its own: a browser that finds them prints them instead
     * of its date, title and file:// address on every page.
     */
    "@page { size: A4 portrait; margin: 18mm 15mm 16mm 15mm;\n"
    "  @top-center { content: \"" MARKING "\"; font: bold 11pt sans-serif; }\n"
    "  @bottom-center { content: \"" MARKING "\"; font: bold 11pt sans-serif; }\n"
    "  @bottom-right { content: \"Page \" counter(page) \" of \" counter(pages);"
    " font: 8pt sans-serif; } }\n"
    "@media print { .marking { display: none; } body { margin: 0; } }\n";

/* What an AUC means, in one plain sentence, on the page beside the figure. */
#define AUC_PLAIN                                                                                  \
	"The AUC is the chance that a referral picked at random from those with a positive "       \
	"outcome was ranked above one picked at random from those with a negative outcome: 0.5 "   \
	"is no better than tossing a coin (the dashed diagonal of the chart), 1.0 is a perfect "   \
	"ranking."

static int fraction(struct buf *b, bool has, double v)
{
	return has ? buf_addf(b, "%.3f", v) : buf_adds(b, "&ndash;");
}

static int head(struct buf *b, const struct backtest_report *r, const char *note)
{
	const struct backtest *bt = r->bt;
	char hex[HASH_HEX], t[TIME_LOCAL_MAX];
	int rc = 0;

	hash_hex(hex, r->rs->hash);
	time_format_local(r->generated_at, t); /* for people: local, to the minute */
	rc |= buf_adds(b, "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>\n"
	                  "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
	                  "'none'; style-src 'unsafe-inline'\">\n<title>Backtest of ");
	rc |= put(b, r->rs->name);
	rc |= buf_addf(b, " - " MARKING "</title>\n<style>\n%s</style></head><body>\n", css);
	rc |= buf_adds(b, "<div class=marking>" MARKING "</div>\n<h1>Backtest of rules <b>");
	rc |= put(b, r->rs->name);
	rc |= buf_addc(b, ' ');
	rc |= put(b, r->rs->version);
	rc |= buf_addf(b,
	               "</b></h1>\n<p>Hash %.16s&hellip;. Generated %s. Each referral scored as "
	               "on the day it arrived.</p>\n<p>",
	               hex, t);
	rc |= buf_addf(b,
	               "%ld labelled referrals: %ld positive, %ld negative; %ld excluded. "
	               "AUC <b>",
	               bt->packages, bt->positives, bt->negatives, bt->excluded);
	rc |= fraction(b, bt->auc.has_auc, bt->auc.auc);
	rc |= buf_adds(b, "</b>");
	if (bt->auc.has_ci)
		rc |= buf_addf(b, " (95%% interval %.3f to %.3f, DeLong)", bt->auc.lo, bt->auc.hi);
	rc |= buf_adds(b, ". Top bands to ");
	rc |= put(b, r->rs->bands[bt->top].priority);
	rc |= buf_adds(b, ": recall ");
	rc |= fraction(b, bt->has_recall, bt->recall_top);
	rc |= buf_adds(b, " of positives, ");
	rc |= fraction(b, bt->has_negatives_in_top, bt->negatives_in_top);
	rc |= buf_adds(b, " of negatives.</p>\n");
	/* The overrides, in one plain sentence (casework.md section 1; docs/workflow.md). */
	{
		struct buf sentence;

		buf_init(&sentence);
		rc |= backtest_override_sentence(&sentence, bt, r->rs);
		rc |= buf_addf(b, "<p class=overrides>Overrides: %ld (%ld up, %ld down); ",
		               bt->overrides.count, bt->overrides.up, bt->overrides.down);
		rc |= sentence.len ? put(b, sentence.data) : 0;
		rc |= buf_adds(b, ".</p>\n");
		buf_release(&sentence);
	}
	rc |= buf_adds(b, "<p>" AUC_PLAIN "</p>\n");
	if (note) {
		rc |= buf_adds(b, "<p><b>Note:</b> ");
		rc |= put(b, note);
		rc |= buf_adds(b, ".</p>\n");
	}
	return rc ? -1 : 0;
}

/* The ROC curve in a 200 x 200 plot with the diagonal of chance. */
static int roc_svg(struct buf *b, const struct backtest *bt)
{
	size_t i;
	int rc = 0;

	rc |= buf_adds(b, "<svg width=240 height=240 viewBox=\"-30 -10 240 240\" role=img "
	                  "aria-label=\"ROC curve\"><title>ROC curve</title>\n"
	                  "<rect x=0 y=0 width=200 height=200 fill=none stroke=#999 />\n"
	                  "<line x1=0 y1=200 x2=200 y2=0 stroke=#666 stroke-dasharray=4 />\n"
	                  "<text x=112 y=100 font-size=9 fill=#444 transform=\"rotate(-45 112 "
	                  "100)\" text-anchor=middle>chance: AUC 0.5</text>\n"
	                  "<polyline fill=none stroke=#036 stroke-width=2 points=\"");
	for (i = 0; i < bt->auc.npoints; i++)
		rc |= buf_addf(b, "%s%.1f,%.1f", i ? " " : "", bt->auc.roc[i].fpr * 200,
		               200 - bt->auc.roc[i].tpr * 200);
	rc |= buf_adds(b, "\" />\n<text x=100 y=222 text-anchor=middle font-size=11>negatives "
	                  "ranked above (share)</text>\n<text x=-18 y=100 font-size=11 "
	                  "transform=\"rotate(-90 -18 100)\" text-anchor=middle>positives ranked "
	                  "above (share)</text>\n</svg>\n");
	return rc ? -1 : 0;
}

/* One bar a band: its share of positives. */
static int bands_svg(struct buf *b, const struct backtest_report *r)
{
	const struct backtest *bt = r->bt;
	size_t i, n = bt->nbands ? bt->nbands : 1;
	double w = 200.0 / (double)n;
	int rc = 0;

	rc |= buf_adds(b, "<svg width=240 height=240 viewBox=\"-30 -10 240 240\" role=img "
	                  "aria-label=\"positives' share by band\"><title>Positives' share by "
	                  "band</title>\n<rect x=0 y=0 width=200 height=200 fill=none stroke=#999 "
	                  "/>\n");
	for (i = 0; i < bt->nbands; i++) {
		const struct backtest_band *g = &bt->bands[i];
		double share = g->packages ? (double)g->positives / (double)g->packages : 0;

		rc |= buf_addf(b,
		               "<rect x=%.1f y=%.1f width=%.1f height=%.1f fill=#036 />\n<text "
		               "x=%.1f y=214 text-anchor=middle font-size=11>",
		               (double)i * w + w * 0.15, 200 - share * 200, w * 0.7, share * 200,
		               (double)i * w + w / 2);
		rc |= put(b, r->rs->bands[i].priority);
		rc |= buf_adds(b, "</text>\n");
	}
	rc |= buf_adds(b, "<text x=100 y=232 text-anchor=middle font-size=11>positives' share of "
	                  "each band</text>\n</svg>\n");
	return rc ? -1 : 0;
}

static int tables(struct buf *b, const struct backtest_report *r)
{
	const struct backtest *bt = r->bt;
	size_t i;
	int rc = 0;

	rc |= buf_adds(b, "<h2>Bands</h2>\n<table><thead><tr><th>Priority</th><th>Referrals</th>"
	                  "<th>Positive</th><th>Negative</th></tr></thead><tbody>\n");
	for (i = 0; i < bt->nbands; i++) {
		rc |= buf_adds(b, "<tr><td>");
		rc |= put(b, r->rs->bands[i].priority);
		rc |=
		    buf_addf(b,
		             "</td><td class=n>%ld</td><td class=n>%ld</td><td class=n>%ld</td>"
		             "</tr>\n",
		             bt->bands[i].packages, bt->bands[i].positives, bt->bands[i].negatives);
	}
	rc |= buf_adds(b, "</tbody></table>\n<h2>Rules</h2>\n<table><thead><tr><th>Rule</th>"
	                  "<th>Fired</th><th>On positives</th><th>Lift</th></tr></thead><tbody>\n");
	for (i = 0; i < bt->nrules; i++) {
		rc |= buf_adds(b, "<tr><td>");
		rc |= put(b, r->rs->rules[i].id);
		rc |= buf_addf(b, "</td><td class=n>%ld</td><td class=n>%ld</td><td class=n>",
		               bt->rules[i].fired, bt->rules[i].positives_fired);
		rc |= bt->rules[i].has_lift ? buf_addf(b, "%.2f", bt->rules[i].lift)
		                            : buf_adds(b, "&ndash;");
		rc |= buf_adds(b, "</td></tr>\n");
	}
	rc |= buf_adds(b, "</tbody></table>\n");
	return rc ? -1 : 0;
}

int backtest_write_html(FILE *f, const struct backtest_report *r)
{
	struct buf b;
	int rc;

	buf_init(&b);
	rc = head(&b, r, backtest_note(r->bt));
	rc |= buf_adds(&b, "<div class=charts>\n");
	rc |= roc_svg(&b, r->bt);
	rc |= bands_svg(&b, r);
	rc |= buf_adds(&b, "</div>\n");
	rc |= tables(&b, r);
	rc |= buf_adds(&b, "<div class=marking>" MARKING "</div>\n</body></html>\n");
	if (rc == 0 && fwrite(b.data, 1, b.len, f) != b.len)
		rc = -1;
	buf_release(&b);
	return rc ? -1 : 0;
}
