/*
 * Case outcomes (docs/outcomes.md): what became of a referral, recorded by
 * 'reftriage outcome' and read by 'rules backtest'. The codes and their
 * labels are fixed here (src/model/outcome.c); the store keeps the rows
 * (src/store/outcomes.c).
 */
#ifndef REFTRIAGE_OUTCOME_H
#define REFTRIAGE_OUTCOME_H

#include "reftriage/diag.h"

/* What an outcome says about the referral's priority, for a backtest. */
enum outcome_label { OUTCOME_NONE, OUTCOME_EXCLUDED, OUTCOME_NEGATIVE, OUTCOME_POSITIVE };

struct outcome_code {
	const char *code;
	const char *meaning;
	enum outcome_label label;
};

/* The codes, in the order of docs/outcomes.md; outcome_code_names is NULL-terminated. */
extern const struct outcome_code outcome_codes[];
extern const size_t outcome_ncodes;
extern const char *const outcome_code_names[];

/* The code spelt s[0..n) exactly (lower case), or NULL. Static. */
const struct outcome_code *outcome_code_find(const char *s, size_t n);

/* "positive", "negative", "excluded" (and "none"). Static. */
const char *outcome_label_name(enum outcome_label l);

/*
 * A package's label from its codes, ';'-separated: positive if any outcome
 * is positive, else negative if any is negative, else excluded when it has
 * any outcome, else none. Unknown codes count as none.
 */
enum outcome_label outcome_label_of(const char *codes);

#define OUTCOME_COUNT_MAX 10000
#define OUTCOME_NOTE_MAX  2000

/* One outcome's fields, checked. */
struct outcome_fields {
	const struct outcome_code *code;
	int32_t date; /* days since 1970 */
	char date_text[16];
	long count;
};

/*
 * Check one outcome given as text: code (any case), date (YYYY-MM-DD, not
 * after today; NULL or "": today), count (a whole number from 1; NULL or "":
 * 1) and note (NULL or text without control characters but line breaks).
 * -1 with d's field and message set (EX_DATAERR; a misspelt code's nearest
 * code as the suggestion); the caller sets d's file and line.
 */
int outcome_parse(const char *code, const char *date, const char *count, const char *note,
                  int32_t today, struct outcome_fields *out, struct diag *d) MUST_CHECK;

/* --- the store's outcomes (src/store/outcomes.c) ---------------------- */

struct store;

struct store_outcome {
	const char *ref;
	const char *code;
	const char *date; /* YYYY-MM-DD */
	long count;       /* from 1 */
	const char *note; /* NULL: none, or erased by purge */
	int64_t recorded_at;
	const char *operator_name;
};

enum store_outcome_put { STORE_OUTCOME_RECORDED, STORE_OUTCOME_KNOWN, STORE_OUTCOME_NO_REF };

/*
 * Record o (recorded_at and operator_name set by the caller) inside the
 * caller's transaction. *res says whether it was recorded, was already
 * there (the same package, code, date and count: nothing changes), or
 * names no package (nothing recorded). The ref is named in the audit entry
 * being built when the package exists.
 */
int store_outcome_put(struct store *st, const struct store_outcome *o, enum store_outcome_put *res,
                      struct diag *d) MUST_CHECK;

/*
 * Every outcome (ref NULL), or those of package ref, ordered by ref, date
 * and code. The strings are valid during the call only; a non-zero return
 * from fn stops and is returned.
 */
int store_each_outcome(struct store *st, const char *ref,
                       int (*fn)(void *ctx, const struct store_outcome *o), void *ctx,
                       struct diag *d) MUST_CHECK;

/*
 * The number of outcomes of each code dated from from_date to before
 * to_date (YYYY-MM-DD, either NULL: unbounded), in code order.
 */
int store_outcome_counts(struct store *st, const char *from_date, const char *to_date,
                         int (*fn)(void *ctx, const char *code, long n), void *ctx,
                         struct diag *d) MUST_CHECK;

/* --- what a backtest reads (src/store/outcomes.c) --------------------- */

/* Every package's id and received_at, in id order. */
int store_each_received(struct store *st, int (*fn)(void *ctx, int64_t id, int64_t received_at),
                        void *ctx, struct diag *d) MUST_CHECK;

/* Every linking key and package, in (key, package id) order (reftriage/links.h). */
int store_each_link_key(struct store *st, int (*fn)(void *ctx, int64_t key, int64_t id), void *ctx,
                        struct diag *d) MUST_CHECK;

struct store_labelled {
	int64_t id;
	const char *ref;
	const void *facts; /* the latest version's; empty after a purge */
	size_t facts_len;
	const char *codes; /* its outcome codes, ';'-separated */
};

/* Every package with at least one outcome, in id order. */
int store_each_with_outcome(struct store *st, int (*fn)(void *ctx, const struct store_labelled *p),
                            void *ctx, struct diag *d) MUST_CHECK;

#endif
