/*
 * What-if scoring and rules diff (shared/spec/outcomes.md): the open
 * packages scored in memory with rule sets other than the stored scores',
 * nothing written, and the movement between two rule sets.
 *
 * Ownership: a struct rules_diff is the caller's (rules_diff_init /
 * rules_diff_release); the rule sets it points to must outlive it.
 */
#ifndef REFTRIAGE_WHATIF_H
#define REFTRIAGE_WHATIF_H

#include "reftriage/buf.h"
#include "reftriage/score.h"

struct store;
struct diag;

/* One open package scored with each of n rule sets; valid during the callback only. */
struct whatif_row {
	int64_t package_id;
	const char *ref;
	int64_t received_at;
	const struct score_result *r; /* r[i]: scored with rule set i */
};

#define WHATIF_MAX_SETS 4

/*
 * Score the latest version of every open package with each of rs[0..n)
 * (n <= WHATIF_MAX_SETS) at as_of, as score_all() would, in one pass over
 * the open packages with the links counted once; nothing is stored. fn is
 * called once a package; a -1 from it stops the pass (d filled by fn).
 */
int score_whatif(struct store *st, const struct ruleset *const *rs, size_t n, int64_t as_of,
                 int (*fn)(void *ctx, const struct whatif_row *row), void *ctx,
                 struct diag *d) MUST_CHECK;

/*
 * One open package in a diff: both rule sets' results. Ranks start at 1.
 * The floor fields say what set each priority: the index of the first fired
 * rule whose floor is that priority, when it is more urgent than the band
 * the score reaches (the band), else -1 (the band set it).
 */
struct rules_diff_pkg {
	int64_t received_at;
	int64_t from_score, to_score;
	int64_t from_due_at, to_due_at;
	uint32_t ref;   /* offset of its ref in names */
	uint32_t rules; /* offset in moved of its rule changes; 0: none */
	uint32_t from_rank, to_rank;
	int16_t from_floor, to_floor; /* rule indexes in from and to, or -1 */
	uint8_t from_priority, to_priority;
	uint8_t from_band, to_band; /* the band the score reaches */
	bool from_overdue, to_overdue;
};

/* One difference between the two policies themselves. */
enum rules_diff_kind { RULES_DIFF_BAND, RULES_DIFF_RULE };
enum rules_diff_change { RULES_DIFF_ADDED, RULES_DIFF_REMOVED, RULES_DIFF_CHANGED };

struct rules_diff_policy {
	uint8_t kind;   /* enum rules_diff_kind */
	uint8_t change; /* enum rules_diff_change */
	int16_t from;   /* index of the band or rule in from, or -1 when added */
	int16_t to;     /* in to, or -1 when removed */
};

struct backtest;

struct rules_diff {
	const struct ruleset *from, *to;
	/* Where outcomes exist: both rule sets' backtest, shown side by side; else NULL. */
	const struct backtest *bt_from, *bt_to;
	int64_t as_of;
	size_t n;                    /* open packages */
	struct rules_diff_pkg *pkgs; /* in the order the store gave them */
	uint32_t *order;             /* indexes of pkgs in to_rank order */
	struct buf names;            /* the refs, each NUL-terminated */
	/*
	 * Rule changes: at an offset, the number added, removed and changed,
	 * then the added rules' indexes in to, the removed ones' in from and
	 * the changed ones' in to (fired under both, their points or floor
	 * different).
	 */
	uint16_t *moved;
	size_t nmoved, capmoved;
	long matrix[RULES_MAX_BANDS][RULES_MAX_BANDS]; /* [from priority][to priority] */
	size_t changed; /* packages whose priority, score, rank or due_at change */
	size_t priority_changed, score_changed, rank_changed;
	/* Due times at as_of: how many fall due earlier or later, start or stop being overdue. */
	size_t due_earlier, due_later, become_overdue, stop_overdue;
	/* The policies' own differences: bands (to's order, then removed ones), then rules. */
	struct rules_diff_policy *policy;
	size_t npolicy;
	size_t cap;
	/* Scratch for one package: which rules fired, by index. */
	bool *fired_from, *fired_to;
	int *to_in_from, *from_in_to; /* the same rule id in the other set, or -1 */
	bool *rule_changed;           /* by index in to: in from too, other points or floor */
};

void rules_diff_init(struct rules_diff *df);
void rules_diff_release(struct rules_diff *df);

/*
 * Score every open package with from and with to at as_of (score_whatif)
 * and fill df: both ranks, due times and overdue at as_of, the movement
 * matrix, each package's rules added, removed and changed, and the
 * policies' own differences. Nothing is stored.
 */
int rules_diff_run(struct rules_diff *df, struct store *st, const struct ruleset *from,
                   const struct ruleset *to, int64_t as_of, struct diag *d) MUST_CHECK;

/* Whether p's priority, score, rank or due_at differ between the two rule sets. */
bool rules_diff_changed(const struct rules_diff_pkg *p);
/* p's ref. */
const char *rules_diff_ref(const struct rules_diff *df, const struct rules_diff_pkg *p);
/*
 * p's rules added (ids in to) and removed (ids in from): *nadded and
 * *nremoved, and the indexes, borrowed from df.
 */
void rules_diff_rules(const struct rules_diff *df, const struct rules_diff_pkg *p,
                      const uint16_t **added, size_t *nadded, const uint16_t **removed,
                      size_t *nremoved);
/*
 * p's rules that fired under both sets but whose points or floor differ:
 * their indexes in to (borrowed from df), *n of them.
 */
const uint16_t *rules_diff_rules_changed(const struct rules_diff *df,
                                         const struct rules_diff_pkg *p, size_t *n);
/*
 * Whether to has from's name and version but other bytes (another hash):
 * two different policies that the audit trail and the lists would name
 * alike.
 */
bool rules_diff_same_label(const struct ruleset *from, const struct ruleset *to);

#endif
