/*
 * Scoring one package against a rule set at a time as_of (rules.md):
 * a pure function of (package, its two link counts, clock start, rule set,
 * as_of).
 */
#ifndef REFTRIAGE_SCORE_H
#define REFTRIAGE_SCORE_H

#include "reftriage/rules.h"

struct score_result {
	int64_t score;      /* sum of the points of every rule that fired (orders the list) */
	int band;           /* the band the score without ageing rules' points reaches */
	int priority;       /* the most urgent of band and the floors of fired rules; under an
	                       override (score_apply_override), the override's band */
	int rules_priority; /* the rules' priority, whatever an override says */
	int64_t due_at;     /* the clock start + the priority band's respond_within_hours,
	                       or earlier for a proposed meeting (rules.md, scoring step 4) */
	bool overdue;       /* as_of > due_at */
	size_t nfired;
	uint16_t *fired; /* indices of fired rules, in file order; caller's array of nrules */
};

/* linked_packages and ip_linked_packages stop at this: 1000 means "1,000 or more". */
#define SCORE_LINKS_MAX 1000

/*
 * Fill in the derived fields of p: days_waiting, days_to_meeting,
 * images_total, linked_packages and ip_linked_packages (counted by the
 * store, passed in; saturated here at SCORE_LINKS_MAX).
 */
void score_derive(const struct package *p, int64_t linked_packages, int64_t ip_linked_packages,
                  int64_t as_of, struct cond_input *in);

/*
 * Add the active non-ip deconfliction entries a package matches to its
 * deconfliction_hits (score_derive counts a known le_agency).
 */
void score_deconflicted(struct cond_input *in, int64_t hits);

/*
 * The clock start of a package reopened by a new version stored at
 * reopened_at (0: none): the later of that and received_at. score_derive
 * starts the clock at received_at.
 */
void score_reopened(struct cond_input *in, int64_t reopened_at);

/* Score in (from score_derive) against rs; out->fired must hold rs->nrules entries. */
void score_package(const struct ruleset *rs, const struct cond_input *in, int64_t as_of,
                   struct score_result *out);

/*
 * An override in force (casework.md section 1): the band it names, and how
 * it was made. Only the effective priority and due_at change; the score and
 * the rules that fired stay as computed.
 */
struct score_override {
	const char *priority; /* the band's name; NULL: no override */
	int band;             /* its index when made: used when rs names no such band */
	bool up;              /* a raising override (the direction recorded when made) */
	int64_t at;           /* when it was made */
};

/* The band of rs that ov names: by name (any case), else its recorded index, clamped. */
int score_override_band(const struct ruleset *rs, const struct score_override *ov);

/*
 * Apply ov (its priority not NULL) to out, as score_package left it for in
 * at as_of: priority becomes the override's band; due_at, raised, the
 * earlier of the computed due_at and ov->at + that band's response time;
 * lowered, the clock start + that band's response time, still bounded by a
 * proposed meeting (rules.md step 4); overdue follows. rules_priority keeps
 * the rules' band.
 */
void score_apply_override(const struct ruleset *rs, const struct cond_input *in,
                          const struct score_override *ov, int64_t as_of, struct score_result *out);

/* --- the store's scores ------------------------------------------------ */

/*
 * How long a score stays what it is. Scoring depends on as_of only through
 * days_waiting, days_to_meeting and overdue, and a rule's test on an integer
 * ("x >= 14", "x in [1, 2]") can change its answer only where x reaches one
 * of the test's values k or k + 1: between those points every test, and so
 * the whole score, stays the same. The points are collected from the rule
 * set once; score_valid_until then says, for a package scored at as_of, the
 * first time at which its score could differ.
 */
struct score_horizon {
	int64_t *wait; /* days_waiting's points, ascending */
	size_t nwait;
	int64_t *meet; /* days_to_meeting's */
	size_t nmeet;
};

/* Collect rs's points; -1 when out of memory. */
int score_horizon_init(struct score_horizon *h, const struct ruleset *rs) MUST_CHECK;
void score_horizon_release(struct score_horizon *h);

/*
 * For r, the score of in (derived at some as_of): the first time after
 * as_of at which scoring the same package (same version and links, same
 * rules) could give another result; INT64_MAX when no later time can.
 * Scoring at any time in [as_of, that time) gives r again.
 */
int64_t score_valid_until(const struct score_horizon *h, const struct cond_input *in,
                          const struct score_result *r);

struct store;
struct diag;

/*
 * Load a stored rule set (id 0: the active one) and compile it. EX_CONFIG
 * when there is none or it cannot be used. The caller frees *rs.
 */
int score_load_rules(struct store *st, int64_t id, struct ruleset **rs, int64_t *rule_set_id,
                     struct diag *d) MUST_CHECK;

/* Decode a stored package's facts into pkg; -1 with d filled (the store was altered). */
int score_read_facts(struct store *st, struct package *pkg, const void *facts, size_t len,
                     const char *ref, struct diag *d) MUST_CHECK;

/*
 * Rescore every open package with rs at as_of, inside the caller's write
 * transaction, so that all scores share one as_of. Sets *count.
 */
int score_all(struct store *st, const struct ruleset *rs, int64_t rule_set_id, int64_t as_of,
              unsigned long *count, struct diag *d) MUST_CHECK;

struct store_open_package;
struct link_counts;
struct package;

/*
 * Decode an open package's stored facts into pkg (initialised by the
 * caller) and derive its fields at as_of into in, its links read from
 * links and ip_links (from store_link_counts; NULL: counted with a query).
 * Shared by score_all() and the what-if scoring (reftriage/whatif.h).
 */
int score_prepare(struct store *st, const struct store_open_package *op,
                  const struct link_counts *links, const struct link_counts *ip_links,
                  int64_t as_of, struct package *pkg, struct cond_input *in,
                  struct diag *d) MUST_CHECK;

/*
 * Score one package at the as_of and with the rule set that the store's
 * scores share (for a package reopened after closing), inside the caller's
 * transaction. Does nothing when nothing has been scored yet.
 */
int score_one(struct store *st, int64_t package_id, const char *ref, struct diag *d) MUST_CHECK;

#endif
