/*
 * rules backtest (docs/outcomes.md): every package with a positive or
 * negative outcome scored as at its own received_at, and how well the rule
 * set's order separates the positives from the negatives.
 *
 * backtest_auc() is the statistics alone (src/score/auc.c), a pure function
 * for unit tests; backtest_run() reads the store and scores
 * (src/score/backtest.c). Nothing is stored.
 */
#ifndef REFTRIAGE_BACKTEST_H
#define REFTRIAGE_BACKTEST_H

#include "reftriage/diag.h"
#include "reftriage/rules.h"

/* One labelled package as ranked: a lower priority index or a higher score ranks first. */
struct backtest_case {
	int priority;
	int64_t score;
	bool positive;
};

/* A point of the ROC curve: the shares of negatives and positives ranked at or above a tie group.
 */
struct backtest_point {
	double fpr, tpr;
};

struct backtest_auc {
	bool has_auc;   /* false: no positive-negative pair */
	double auc;     /* P(a positive ranks above a negative), ties counting 1/2 */
	bool has_ci;    /* false: fewer than two positives or two negatives */
	double lo, hi;  /* DeLong's 95 % interval, clipped to [0, 1] */
	size_t npoints; /* the ROC curve from (0, 0) to (1, 1), one point per tie group */
	struct backtest_point *roc; /* owned; freed by backtest_auc_release() */
};

/*
 * The AUC of cases[0..n) with DeLong's 95 % interval and the ROC curve.
 * Sorts cases into rank order. -1 only when memory runs out.
 */
int backtest_auc(struct backtest_case *cases, size_t n, struct backtest_auc *out) MUST_CHECK;
void backtest_auc_release(struct backtest_auc *a);

struct backtest_band {
	long packages, positives, negatives;
};

struct backtest_rule {
	long fired, positives_fired;
	bool has_lift; /* false: it never fired, or there is no positive */
	double lift;   /* (positives_fired / fired) / (positives / packages) */
};

/*
 * The overrides among the labelled packages (casework.md section 1): those
 * with an override in force, by the direction recorded, and the top-band
 * recall of the rules' priority against the final one (the override's band
 * where there is one, else the rules').
 */
struct backtest_overrides {
	long count, up, down;
	long positives_up, negatives_up, positives_down, negatives_down;
	double recall_top_rules, recall_top_final; /* valid when backtest.has_recall */
};

struct backtest {
	long packages; /* positives + negatives */
	long positives, negatives;
	long excluded;   /* packages whose outcomes are all excluded ones */
	long unreadable; /* labelled packages whose content purge erased: left out */
	int top;         /* the least urgent band counted as top */
	bool has_recall; /* false: no positive */
	double recall_top;
	bool has_negatives_in_top; /* false: no negative */
	double negatives_in_top;
	struct backtest_auc auc;
	size_t nbands; /* rs->nbands */
	struct backtest_band *bands;
	size_t nrules; /* rs->nrules, in file order */
	struct backtest_rule *rules;
	struct backtest_overrides overrides;
};

/*
 * Score every package with a positive or negative outcome with rs as at its
 * own received_at (derived fields with as_of = received_at; links counting
 * only packages received at or before it), and measure. top is a band
 * index. out is filled (release it with backtest_release(), also after a
 * failure). -1 with d filled on failure.
 */
struct store;
int backtest_run(struct store *st, const struct ruleset *rs, int top, struct backtest *out,
                 struct diag *d) MUST_CHECK;
void backtest_release(struct backtest *b);

/* The writers (src/report/backtest.c): text, json and html; -1 on a write error. */
struct backtest_report {
	const struct backtest *bt;
	const struct ruleset *rs;
	const char *rules_source; /* the file measured, or NULL for the active rules */
	int64_t generated_at;
};
int backtest_write_text(FILE *f, const struct backtest_report *r) MUST_CHECK;
int backtest_write_json(FILE *f, const struct backtest_report *r) MUST_CHECK;
int backtest_write_html(FILE *f, const struct backtest_report *r) MUST_CHECK;
/*
 * The overrides in one plain sentence, appended to b: "overrides raised the
 * share of positives in P1–P2 from x % to y %" (or lowered, or left it at x
 * %), or why there is nothing to say. -1 when memory runs out.
 */
struct buf;
int backtest_override_sentence(struct buf *b, const struct backtest *bt,
                               const struct ruleset *rs) MUST_CHECK;
/* Why a figure is missing (no labelled package, no pair, too few for an interval), or NULL. */
const char *backtest_note(const struct backtest *bt);

#endif
