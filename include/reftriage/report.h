/*
 * Worklist output: one interface, a writer per format. The CLI builds a
 * struct report_item for each ranked package and hands it to the writer; a
 * new format (the terminal table, the printable HTML list) is one more
 * writer behind the same three calls.
 */
#ifndef REFTRIAGE_REPORT_H
#define REFTRIAGE_REPORT_H

#include "reftriage/buf.h"
#include "reftriage/package.h"
#include "reftriage/rules.h"
#include "reftriage/store.h"

#define REPORT_MAX_BANDS 16

/* The protective marking of every printed page (the daily list, the case file). */
#define REPORT_MARKING "OFFICIAL-SENSITIVE"

/*
 * What a list for people (the table, the printed list) says it holds: the
 * packages the filters select, before --limit, by band; so a filtered or
 * limited list never shows a count or an oldest date that is not true of it.
 */
struct report_summary {
	bool counted;                    /* false: nothing below was counted */
	long count[REPORT_MAX_BANDS];    /* selected by the filters, by band index */
	long overdue[REPORT_MAX_BANDS];  /* of those, overdue */
	bool selected[REPORT_MAX_BANDS]; /* the band passes --priority */
	bool has_oldest;                 /* the oldest received of those: */
	int64_t oldest_at;
	char oldest_ref[80];
};

struct report_header {
	bool scored;   /* false: nothing scored yet */
	int64_t as_of; /* when the scores were computed */
	const unsigned char *rules_hash;
	const char *rules_name;
	const char *rules_version;
	int64_t generated_at;
	const char *operator_name;
	long count; /* packages the list holds (after --limit) */
	/* Filled for the people's formats (table, html); zero for the others. */
	long matching;       /* packages the filters select, before --limit */
	long total_open;     /* every open package, whatever the filters */
	const char *filters; /* "priority P1, P2; first 5"; NULL: no filter, no limit */
	bool stale;          /* the scores are older than --stale-after, or some not scored */
	bool old;            /* the scores are older than --stale-after */
	/*
	 * Open packages without a current score (an import committed without
	 * its rescore): in all, and those the filters select, listed first.
	 */
	long unscored_total;
	long unscored;
	struct report_summary summary;
	/* The open quarantine, said by every format that has a header; NULL: not read. */
	const struct store_qopen *quarantine;
	bool closed; /* worklist --closed: the closed packages, with closed_at and closed_by */
	/* The deconfliction list the marks come from (people's formats); NULL: not read. */
	const struct deconf_meta *deconf;
};

/* One recorded outcome of a listed package (docs/outcomes.md). */
struct report_outcome {
	const char *code; /* static: an outcome code */
	char date[16];    /* YYYY-MM-DD */
	long count;
};

struct report_item {
	/*
	 * Not scored yet: listed before the ranked, rank 0 and priority NULL,
	 * score, due_at, overdue and reasons not known.
	 */
	bool unscored;
	long rank; /* from 1 */
	const char *ref;
	const char *priority; /* band name */
	int64_t score;
	int64_t received_at;
	int64_t due_at;
	bool overdue;
	const char *status;
	const char *assigned_to; /* NULL when unknown */
	const char *force_area;  /* NULL when unknown */
	const char *referral_type;
	const char *reasons;             /* fired rule ids in file order, ';'-separated */
	int priority_index;              /* band index: 0 is the most urgent */
	bool updated;                    /* a new version arrived since a person last acted on it */
	const struct rule *const *fired; /* the same rules, for explanations */
	size_t nfired;
	const struct report_outcome *outcomes; /* json and ndjson: its outcomes, oldest first */
	size_t noutcomes;
	const struct package *pkg; /* its fields (json: the "source" object), or NULL */
	/* worklist --closed: status is the closing state; when and by whom it was closed. */
	bool closed;
	int64_t closed_at;
	const char *closed_by;
	/* Deconfliction (casework.md section 3): an enum deconf_state (0: none). */
	int deconf;
	const struct deconf_view *deconf_view; /* json, ndjson: its matches; NULL: none */
	/*
	 * The priority the rules gave (band name; NULL when unscored) and the
	 * override in force, NULL when none (casework.md section 1): priority
	 * above is then the override's.
	 */
	const char *computed_priority;
	const struct store_override *override;
};

struct deconf_view;
struct deconf_meta;

/* "hit", "acknowledged" or "" for an enum deconf_state. */
const char *report_deconf_name(int state);
/* The json object {"state","matches":[...]} of an item, appended to b. */
int report_deconf_json(struct buf *b, const struct report_item *it);

/* "up" / "down" as the mark a table or page shows: ↑ ↓ in UTF-8, else ^ v. */
const char *report_override_mark(const struct store_override *o, bool utf8);

struct report;

struct report_writer {
	const char *name;
	int (*begin)(struct report *r, const struct report_header *h);
	int (*item)(struct report *r, const struct report_item *it);
	int (*end)(struct report *r);
	void (*release)(struct report *r); /* optional: free what begin kept, whatever happened */
};

struct report {
	FILE *out;
	const struct report_writer *w;
	const struct ruleset *rs;
	struct buf b; /* scratch for one line or object */
	long items;
	int width;     /* table: the terminal's columns */
	bool colour;   /* table: colour the priority (a terminal, and NO_COLOR unset) */
	long count;    /* table: rows to come, for the rank column's width */
	long unscored; /* table: packages not scored yet, from the header */
	int section;   /* table: 0 before the first row, 1 the unscored, 2 the ranked */
	bool utf8;     /* table: the terminal takes UTF-8 (the override marks ↑ ↓, else ^ v) */
};

/* The writer for a format name ("table", "csv", "json", "ndjson", "html"), or NULL. */
const struct report_writer *report_writer(const char *format);
/* "table, csv, json, ndjson or html", for messages. */
const char *report_formats(void);

void report_init(struct report *r, FILE *out, const struct report_writer *w,
                 const struct ruleset *rs);
void report_release(struct report *r);

/* Helpers the writers share: append a value to r->b. */
int report_time(struct buf *b, int64_t us); /* YYYY-MM-DDTHH:MM:SSZ */
int report_csv_field(struct buf *b, const char *s, bool guard_formula);
/*
 * Append s as a table cell exactly width characters wide: control characters
 * escaped, cut with an ellipsis when longer, padded with spaces (on the left
 * when right_align).
 */
int report_cell(struct buf *b, const char *s, size_t width, bool right_align);

/*
 * Append s to b for HTML: & < > " ' escaped, control characters dropped,
 * line breaks as spaces (the daily list's escaping, for every page).
 */
int report_html_escape(struct buf *b, const char *s);
/* The HTML entity for c when it must be escaped (& < > " '), else NULL. */
const char *report_html_entity(char c);

/*
 * The open quarantine (cli.md "Nothing waits unseen"), appended to b: the
 * JSON object {"open","items":[{"id","package_ref","received_at","file",
 * "line","reason"}]}; for people, a heading line and at most max records a
 * line (then how many more), nothing when none is open; one record's line.
 * -1 when memory runs out.
 */
int report_quarantine_json(struct buf *b, const struct store_qopen *q);
int report_quarantine_text(struct buf *b, const struct store_qopen *q, size_t max);
int report_quarantine_line(struct buf *b, const struct store_qitem *it);

/*
 * How many open quarantined records the lists for people name (then "and N
 * more"): every one. cli.md asks for each, and each is a referral nobody has
 * triaged; a long box says how much there is to do.
 */
#define REPORT_QUARANTINE_SHOWN SIZE_MAX

/*
 * The filters of a worklist query as people read them ("priority P1, P2;
 * first 5"), band names from rs, into text (size bytes); NULL when none.
 */
const char *report_describe_filters(const struct store_worklist_query *q, const struct ruleset *rs,
                                    char *text, size_t size);

/*
 * The item for row r of a worklist (or of the closed list): its fields,
 * borrowed from r, and its fired rules from rs into fired (rs->nrules
 * slots). unscored: listed before the ranked, without a score.
 */
void report_item_from_row(struct report_item *it, const struct store_worklist_row *r,
                          const struct ruleset *rs, const struct rule **fired, bool unscored);

extern const struct report_writer report_table;
/* worklist --closed for people: the closed packages, with when and by whom closed. */
extern const struct report_writer report_closed_table;
extern const struct report_writer report_html;

#endif
