/*
 * One package for people and scripts (reftriage show): the writers of its
 * parts, called by src/cli/cmd-show.c as it reads the store. Text goes to a
 * stream in 80 columns, every value from a package or a person written so
 * that it cannot drive a terminal (report_put_safe); JSON is appended to a
 * buffer (each function returns 0, or -1 when memory runs out); the case
 * file (--format html) wraps the text in one self-contained printable page.
 */
#ifndef REFTRIAGE_SHOW_H
#define REFTRIAGE_SHOW_H

#include "reftriage/buf.h"
#include "reftriage/outcome.h"
#include "reftriage/package.h"
#include "reftriage/rules.h"
#include "reftriage/store.h"

#include <stdarg.h>
#include <stdio.h>

/* Text lines are kept to this many columns. */
#define SHOW_WIDTH 80

/*
 * Write s to f: control characters and bytes that are not UTF-8 as \xNN (C1
 * controls as \uNNNN); a line break is written as a line break followed by
 * indent (NULL: none). The one way untrusted text reaches a person.
 */
void report_put_safe(FILE *f, const char *s, size_t n, const char *indent);
/* printf through report_put_safe() (cut at 2 KiB). */
void report_print(FILE *f, const char *fmt, ...) PRINTF_LIKE(2, 3);
void report_vprint(FILE *f, const char *fmt, va_list ap) PRINTF_LIKE(2, 0);

/*
 * What a package's closing names (casework.md section 5), from its history:
 * the package it duplicates, the force it is transferred to and their
 * reference; and the refs of the packages closed as its duplicates. The
 * strings are owned by the struct (report_case_release).
 */
struct report_case {
	char of_ref[80];
	char transfer_to[130];
	char their_ref[66];
	bool transfer;         /* transfer_pending or transferred */
	struct buf duplicates; /* ", "-separated refs; empty: none */
};
void report_case_init(struct report_case *c);
void report_case_release(struct report_case *c);
/* Take what event e (oldest first) says of the package's closing. */
void report_case_event(struct report_case *c, const struct store_event *e);

/* --- text ------------------------------------------------------------- */

/* s wrapped at spaces from column col to SHOW_WIDTH, later lines at indent. */
void report_show_wrapped(FILE *f, const char *s, size_t n, size_t col, size_t indent);
/*
 * priority, score and due; with an override in force on package id, the
 * decision line says it: "P1 by override (CODE, BY[, approved by NAME],
 * TIME); rules say P3" (casework.md section 1). -1 with d on error.
 */
int report_show_priority(FILE *f, struct store *st, int64_t id, const struct store_score *sc,
                         const struct ruleset *rs, struct diag *d);
void report_show_rule(FILE *f, const struct ruleset *rs, const struct rule *ru);
/* status (with "updated"), assignee, and the duplicate and transfer lines. */
void report_show_state(FILE *f, const struct store_package *p, const struct report_case *c);
/* The known fields of pkg by group under heading (all: the unknown too). -1: no memory. */
int report_show_fields(FILE *f, const struct package *pkg, const char *heading, bool all,
                       struct buf *scratch);
void report_show_event(FILE *f, const struct store_event *e);
void report_show_outcome(FILE *f, const struct store_outcome *o);
void report_show_link(FILE *f, const char *ref, const char *key);
void report_show_version(FILE *f, const struct store_version *v, const char *hex);
void report_show_change(FILE *f, const char *field, const char *old, const char *new_value);

/* --- json (appended to b; first: no comma before it) -------------------- */

int report_json_case(struct buf *b, const struct report_case *c);
int report_json_event(struct buf *b, const struct store_event *e, bool first);
int report_json_outcome(struct buf *b, const struct store_outcome *o, bool first);
int report_json_link(struct buf *b, const char *ref, const char *key, bool first);
/*
 * The score object with its explanation (fired: the rule ids as stored), and
 * package id's "computed_priority" and "override" (null or an object).
 */
int report_json_score(struct buf *b, struct store *st, int64_t id, const struct store_score *sc,
                      const struct ruleset *rs, const char *fired);

/* --- overrides (show-override.c) ---------------------------------------- */

/* The decision line's override, without a newline: 1 when one is in force, 0 none, -1 error. */
int report_override_text(FILE *f, struct store *st, int64_t id, const struct ruleset *rs,
                         const struct store_score *sc, struct diag *d);
/* The JSON members "computed_priority" and "override" (null or an object), into b. */
int report_override_json(struct store *st, int64_t id, struct buf *b, bool *first,
                         const struct ruleset *rs, const struct store_score *sc);
/* A history event's override, as text (no newline) and its members as JSON. */
void report_event_override_text(FILE *f, const struct store_event *e);
int report_event_extra_json(struct buf *b, bool *first, const struct store_event *e);
/* A version; pkg its content (canonical form), NULL when erased. */
int report_json_version(struct buf *b, const struct store_version *v, const char *hex,
                        const struct package *pkg, bool first);
int report_json_change(struct buf *b, const char *field, const char *old, const char *new_value,
                       bool first);

/*
 * The packages linked to package id and the possible links (a shared IP
 * address only): text to out, or (json not NULL) the JSON members "linked"
 * and "possible_links" appended to json. erased: its content was purged.
 * 0, or -1 with d filled (d->code 0: out of memory).
 */
int report_show_links(FILE *out, struct buf *json, struct store *st, int64_t id, bool erased,
                      struct diag *d) MUST_CHECK;

/*
 * show REF --diff: the fields that changed from version from to to (0, 0:
 * the last two) to out, text or JSON. 0; 1 when there is no package ref or
 * no such version; -1 with d filled (d->code 0: out of memory).
 */
int report_show_diff(FILE *out, struct store *st, const char *ref, int from, int to, bool json,
                     struct diag *d) MUST_CHECK;

/* --- the case file ------------------------------------------------------ */

/*
 * The case file of package ref (show --format html): text, the package as
 * 'show' writes it (with every version's fields), as one self-contained A4
 * page set with the printed list's protective marking on every page, who
 * made it and when. -1 on a write error or when memory runs out.
 */
int report_case_html(FILE *out, const char *ref, const char *text, size_t len, int64_t generated_at,
                     const char *operator_name);

#endif
