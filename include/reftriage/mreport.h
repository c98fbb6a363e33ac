/*
 * The management report and the rules diff pages (shared/spec/outcomes.md):
 * the figures of a period, computed from the store's queries
 * (src/store/report.c) in src/report/report-build.c, and their writers:
 * text for people (local times, TZ), JSON for machines (UTC), and one
 * self-contained HTML page with inline SVG charts (no script, nothing
 * fetched).
 *
 * Ownership: struct mreport is the caller's (mreport_init/mreport_release);
 * everything it points to is owned by it.
 */
#ifndef REFTRIAGE_MREPORT_H
#define REFTRIAGE_MREPORT_H

#include "reftriage/buf.h"
#include "reftriage/diag.h"
#include "reftriage/rules.h"
#include "reftriage/store.h"

struct rules_diff;

/* --- periods: local dates (TZ) and the UTC instants they start at ------- */

/* The UTC instant at which local date day (days since 1970) begins. */
int64_t report_local_midnight(int64_t day);
/* The local date (days since 1970) of the UTC instant us. */
int64_t report_local_day(int64_t us);

/*
 * Parse a report date "YYYY-MM-DD" into days since 1970. On failure fill d
 * (EX_USAGE, field what) with why, and a suggestion where one is near: the
 * date part of a date-time, a zero-padded month or day, the last day of a
 * month for a day it does not have.
 */
int report_parse_date(const char *what, const char *s, int64_t *day, struct diag *d) MUST_CHECK;

/* --- the figures ---------------------------------------------------------- */

/* --by's choices, in the order of enum store_report_by from 1: force, assignee, source. */
extern const char *const report_by_names[];

#define REPORT_AGES 4
extern const char *const report_age_names[]; /* "0-7", "8-14", "15-30", "31+" */
/*
 * The priorities a report counts under: the rule set's bands in order, then
 * any other name the priority history holds (a band of an earlier rule
 * set), in the order met, up to REPORT_PRIOS in all.
 */
#define REPORT_PRIOS (2 * RULES_MAX_BANDS)
/* The received_by_priority slot of packages without a recorded priority. */
#define REPORT_UNSCORED REPORT_PRIOS

struct mreport_outcome {
	char *code;
	long n;
};

/* Every figure of the report, for all packages or one group of --by. */
struct report_figures {
	char *value; /* the group's force, assignee or source; NULL: unknown, or the totals */
	long received;
	long received_by_priority[REPORT_PRIOS + 1];
	long *by_week; /* nweeks */
	/* outcomes.md: due is the sum of met, late, open_overdue and not_yet_due */
	long due[REPORT_PRIOS], met[REPORT_PRIOS], late[REPORT_PRIOS], open_overdue[REPORT_PRIOS],
	    not_yet_due[REPORT_PRIOS];
	long open, overdue, by_age[REPORT_AGES];
	struct mreport_outcome *outcomes;
	size_t noutcomes;
	long open_before;                           /* open at the start of the period */
	long *day_received, *day_closed, *day_open; /* ndays each; day_open: at the day's end */
};

/*
 * The period's casework (casework.md sections 1 and 2), for all packages:
 * overrides made, by the band they set (prio's index) and direction, and
 * NFA decisions with and without a second person's sign-off.
 */
struct mreport_casework {
	long overrides, up, down;
	long band_up[REPORT_PRIOS], band_down[REPORT_PRIOS];
	long nfa, nfa_signed_off;
};

struct mreport {
	int64_t from_day, to_day; /* local dates; to is exclusive */
	int64_t from, to;         /* the UTC instants they begin at */
	int64_t now;              /* backlog and overdue are judged at now */
	bool scored;
	int64_t as_of; /* the stored scores' */
	const struct ruleset *rs;
	char *prio[REPORT_PRIOS]; /* the priorities' names (see REPORT_PRIOS) */
	size_t nprio;
	int64_t seeded_at; /* the history was seeded from the scores then (schema 15); 0: not */
	enum store_report_by by;
	size_t ndays, nweeks;
	int64_t *day_start;            /* ndays + 1 instants */
	int64_t first_monday;          /* local date of the first week's Monday */
	bool has_outcomes;             /* the store keeps outcomes */
	struct store_qopen quarantine; /* the open quarantine at now: counted, no items */
	struct mreport_casework casework;
	struct report_figures total;
	struct report_figures *groups; /* by value, in the order first met */
	size_t ngroups, capgroups;
	/* group lookup: open addressing on the value */
	uint32_t *slots;
	size_t nslots;
};

/*
 * A priority's share met within time, in whole per cent: met / (met + late +
 * open_overdue); -1 when that is 0 (no figure).
 */
long report_within_time(const struct report_figures *f, size_t prio);

/* The longest period a report covers, in days. */
#define REPORT_MAX_DAYS 732

void mreport_init(struct mreport *m);
void mreport_release(struct mreport *m);

/*
 * Compute every figure of the period [from_day, to_day) from the store,
 * split by by: the store's queries are run once each. rs is the rule set of
 * the stored scores (its bands name the priorities). -1 with d filled.
 */
int mreport_build(struct mreport *m, struct store *st, const struct ruleset *rs, int64_t from_day,
                  int64_t to_day, enum store_report_by by, int64_t now, struct diag *d) MUST_CHECK;

/* The writers: -1 on a write error or when memory runs out. */
int mreport_write_text(FILE *f, const struct mreport *m) MUST_CHECK;
/*
 * The casework figures (report-casework.c), appended to b: the JSON members
 * "overrides" and "nfa"; a text line each; an HTML paragraph.
 */
int mreport_casework_json(struct buf *b, const struct mreport *m, bool *first) MUST_CHECK;
int mreport_casework_text(struct buf *b, const struct mreport *m) MUST_CHECK;
int mreport_casework_html(struct buf *b, const struct mreport *m) MUST_CHECK;
int mreport_write_json(FILE *f, const struct mreport *m) MUST_CHECK;
/*
 * The --by groups for the printed report: one row a group in a table each
 * for intake and backlog, response within time and outcomes, sorted by name
 * (src/report/report-groups.c). Nothing when there are no groups.
 */
int report_html_groups(struct buf *b, const struct mreport *m) MUST_CHECK;

int mreport_write_html(FILE *f, const struct mreport *m, const char *operator_name,
                       int64_t generated_at) MUST_CHECK;

/* --- shared page pieces (src/report/report-page.c) ------------------------ */

/* Append the start of a self-contained page: doctype, CSP, inline CSS, marking, title. */
int report_page_head(struct buf *b, const char *title) MUST_CHECK;
/* Append the end of the page: the marking again. */
int report_page_tail(struct buf *b) MUST_CHECK;
/* Write b to f and empty it; -1 on a write error. */
int report_page_flush(FILE *f, struct buf *b) MUST_CHECK;
/* Append s for a terminal: control characters and bad UTF-8 escaped, at most width characters. */
int report_text_safe(struct buf *b, const char *s, size_t width) MUST_CHECK;

struct report_series {
	const char *name;   /* the legend */
	const char *colour; /* CSS colour */
	const long *v;      /* n values */
};

/*
 * Append an inline SVG chart of n points: series drawn as lines (bars
 * false) or the first series as bars, with labels[i] under every step-th
 * point. The axis runs from 0 to top, or (top 0) to the largest value.
 */
int report_svg_chart(struct buf *b, const char *title, const char *const *labels, size_t n,
                     const struct report_series *s, size_t nseries, bool bars, long top) MUST_CHECK;

/* --- rules diff (src/report/report-diff.c) -------------------------------- */

/*
 * The movement matrix, one line a band of from (rows: from's priorities,
 * columns: to's), with totals; for `rules diff` and `rules install`.
 */
int report_diff_matrix(FILE *f, const struct rules_diff *df) MUST_CHECK;
/*
 * The summary lines the text starts with, which rules install prints too:
 * how many change priority, score and rank; how many fall due earlier or
 * later and start or stop being overdue; the bands and rules that differ.
 */
int report_diff_summary(FILE *f, const struct rules_diff *df) MUST_CHECK;
/*
 * The whole diff as text (summary, matrix, top movers with their reasons,
 * the packages that start or stop being overdue), json or html.
 */
int report_diff_text(FILE *f, const struct rules_diff *df) MUST_CHECK;
int report_diff_json(FILE *f, const struct rules_diff *df) MUST_CHECK;
int report_diff_html(FILE *f, const struct rules_diff *df, int64_t generated_at) MUST_CHECK;

#endif
