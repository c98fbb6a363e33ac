/*
 * What rules diff's writers share (src/report/report-diff*.c): private to
 * them. Each appends to b and returns 0, or non-zero when memory runs out;
 * with html, the text is escaped for the page, else made safe and cut for a
 * terminal.
 */
#ifndef REFTRIAGE_DIFF_INTERNAL_H
#define REFTRIAGE_DIFF_INTERNAL_H

#include "reftriage/mreport.h"
#include "reftriage/whatif.h"

/* Packages listed as top movers, and of those that become or stop being overdue. */
#define TEXT_MOVERS 20
#define HTML_MOVERS 500

/* The packages in from's band k (row), or in to's band k (column). */
long diff_total(const struct rules_diff *df, size_t k, bool row);

/*
 * The first max packages to list, in new-rank order, their indexes in
 * df->pkgs; *n of them. Not overdue: those whose priority changes, the most
 * bands moved first. Overdue: those that become overdue now, then those that
 * stop being overdue. NULL when memory runs out; the caller frees.
 */
uint32_t *diff_movers(const struct rules_diff *df, bool overdue, size_t max, size_t *n);

/*
 * A package that changes priority: its reference, priority, score and rank
 * from -> to and why it moves (the rules that start or stop firing or count
 * differently, what set its priority), as a line or a table row.
 */
int diff_mover_line(struct buf *b, const struct rules_diff *df, const struct rules_diff_pkg *p,
                    bool html);
/*
 * The due-time section: the due times that change, then each package that
 * becomes or stops being overdue at as_of (the first TEXT_MOVERS, or
 * HTML_MOVERS on the page), its due time from -> to.
 */
int diff_due(struct buf *b, const struct rules_diff *df, bool html);

/* "added", "removed", "changed": a policy change's kind, by its change. */
extern const char *const diff_change_names[];
/* A policy change's band priority or rule id (to's, or from's when removed). */
const char *diff_policy_id(const struct rules_diff *df, const struct rules_diff_policy *c);

/* The lines every diff starts with: how many move, the due times, the policies' own changes. */
int diff_summary(struct buf *b, const struct rules_diff *df, bool html);
/* "NAME VERSION (hash H) to NAME VERSION (hash H), N open packages scored as of T". */
int diff_names(struct buf *b, const struct rules_diff *df, bool html);
/* Both rule sets measured on the recorded outcomes, side by side; nothing without them. */
int diff_backtest_pair(struct buf *b, const struct rules_diff *df, bool html);

#endif
