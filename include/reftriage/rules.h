/*
 * Priority rules (shared/spec/rules.md): the condition language and rule
 * sets. A condition is compiled once per rule set (lexed, parsed to a tree,
 * type-checked against the contract's field types) and then evaluated for
 * each package with three-valued logic.
 *
 * Ownership: ruleset_parse() returns a new rule set that the caller frees
 * with ruleset_free(); pointers into it stay valid until then.
 */
#ifndef REFTRIAGE_RULES_H
#define REFTRIAGE_RULES_H

#include "reftriage/hash.h"
#include "reftriage/diag.h"
#include "reftriage/package.h"

/* Fields a condition can name: the contract's (but identifiers) and these. */
enum derived_field {
	D_DAYS_WAITING = CONTRACT_NFIELDS,
	D_DAYS_TO_MEETING,
	D_IMAGES_TOTAL,
	D_LINKED_PACKAGES,
	D_IP_LINKED_PACKAGES,
	D_DECONFLICTION_HITS, /* casework.md section 3 */
	COND_NFIELDS
};
#define DERIVED_N (COND_NFIELDS - CONTRACT_NFIELDS)

/* The name of condition field f (contract or derived). */
const char *cond_field_name(int f);

/* Three-valued truth, as in SQL. */
enum tv { TV_FALSE = 0, TV_TRUE = 1, TV_UNKNOWN = 2 };

/* What a condition is evaluated against. */
struct cond_input {
	const struct package *pkg;
	int64_t derived[DERIVED_N];
	unsigned derived_known; /* bit i set: derived[i] is known */
	/*
	 * When the response clock started (rules.md, scoring step 4):
	 * received_at, or for a package reopened by a new version the later of
	 * that and when the version was stored (score_derive, score_reopened).
	 */
	int64_t clock_start;
};

/*
 * Limits a rules file must keep (docs/rules.md). Each is checked before the
 * work it bounds, so that no file, however large or repetitive, makes
 * checking it slow or costly in memory.
 */
#define RULES_MAX_FILE_BYTES (1024 * 1024) /* the whole file */
#define RULES_MAX_RULES      1000          /* entries in "rules" */
#define RULES_MAX_BANDS      16            /* entries in "bands" */
#define RULES_MAX_CONDITION  4000          /* bytes of one "when" */
#define RULES_MAX_NEST       64            /* parentheses and not, nested */
#define RULES_MAX_ERRORS     100           /* problems kept; the rest are counted */

/*
 * Every problem found in a rules file is collected, not only the first, in
 * a struct diag_list (diag.h) of at most RULES_MAX_ERRORS: each has the
 * field "rule ID: key" (or "bands[2]", "top level"), the column in a
 * condition, the line for a JSON syntax error, and the message.
 */
/* Add one problem; where is "rule ID" or similar, key may be NULL, column 0. */
void rules_error_add(struct diag_list *errs, const char *where, const char *key, unsigned column,
                     const char *fmt, ...) PRINTF_LIKE(5, 6);

struct cond;

/*
 * Compile a condition. Problems are added to errs under where (with key
 * "when" and the column). Returns NULL when there were any.
 */
struct cond *cond_compile(const char *src, size_t len, const char *where, struct diag_list *errs);
enum tv cond_eval(const struct cond *c, const struct cond_input *in);
void cond_free(struct cond *c);
/*
 * Call fn with each literal that a comparison or "in" test of integer field
 * compares field with (score.c's validity of a score over time).
 */
void cond_each_literal(const struct cond *c, int field, void (*fn)(void *ctx, int64_t v),
                       void *ctx);

enum rule_category {
	CAT_GROOMING_RISK,
	CAT_CONTACT_OFFENCE,
	CAT_CHILD_AT_RISK,
	CAT_MATERIAL,
	CAT_SUBJECT_HISTORY,
	CAT_AGEING,
	CAT_OTHER,
	CAT_N
};
extern const char *const rule_category_names[];

struct band {
	char *priority; /* "P1" */
	char *label;    /* "Immediate" */
	bool has_min;   /* false for the last band */
	int64_t min_score;
	int64_t respond_within_hours;
};

/* A rule id is 1 to RULE_ID_MAX of [A-Za-z0-9_.-] (rules.md). */
#define RULE_ID_MAX 32

struct rule {
	char *id;
	int category;
	char *description;
	char *when;
	struct cond *cond;
	int64_t points;
	int floor; /* index into bands, or -1 */
};

struct ruleset {
	char *name;
	char *version;
	struct band *bands;
	size_t nbands;
	struct rule *rules;
	size_t nrules;
	unsigned char hash[HASH_BYTES]; /* BLAKE2b-256 of the file's bytes */
};

/*
 * Parse and check a rules file's bytes completely. Returns the rule set, or
 * NULL with every problem in errs (errs->oom when memory ran out).
 */
struct ruleset *ruleset_parse(const char *bytes, size_t len, struct diag_list *errs);
void ruleset_free(struct ruleset *rs);

/* The band index for a priority name, or -1. */
int ruleset_band(const struct ruleset *rs, const char *priority);
/* The same, the name in any case (a person typed it: p1 is P1). */
int ruleset_band_named(const struct ruleset *rs, const char *name);
/* The rule with this id, or NULL. */
const struct rule *ruleset_rule(const struct ruleset *rs, const char *id);

/*
 * The fired rules a stored score names (their ids, ';'-separated, in
 * rules-file order: the one place that form is read), into out[0..max):
 * rules rs does not know are skipped. Returns how many; the rules are
 * borrowed from rs.
 */
size_t ruleset_fired(const struct ruleset *rs, const char *fired, const struct rule **out,
                     size_t max);

struct buf;

/*
 * Append to out the ids of rs's ageing rules (category "ageing"), in file
 * order and separated by ", ": their points order packages within a band but
 * never choose the band (rules.md, scoring step 2). Returns how many there
 * are (0 appends nothing), or -1 when memory ran out.
 */
int ruleset_ageing_ids(const struct ruleset *rs, struct buf *out) MUST_CHECK;

#endif
