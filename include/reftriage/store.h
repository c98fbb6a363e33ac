/*
 * The store: one SQLite file (mode 0600, WAL) holding packages, their
 * versions, linking keys, import runs and quarantine. src/store/ is the only
 * module that includes sqlite3.h; every statement in it is prepared once and
 * takes its values through bound parameters.
 *
 * Ownership: store_create()/store_open() return a new struct store that the
 * caller frees with store_close(). Strings handed to callbacks are valid only
 * during the call.
 */
#ifndef REFTRIAGE_STORE_H
#define REFTRIAGE_STORE_H

#include "reftriage/audit.h"
#include "reftriage/diag.h"
#include "reftriage/links.h"
#include "reftriage/package.h"

struct store;

/*
 * Route SQLite's memory through our allocator (see alloc.h) and initialise
 * SQLite. Call once, before anything else in this module.
 */
int store_library_init(void) MUST_CHECK;

/* The schema version this binary writes (the highest migration in schemas/). */
int store_schema_version(void);

/*
 * Create a new store at path; refuses (EX_CANTCREAT) if anything exists
 * there. The file is created mode 0600 and put in WAL mode.
 */
int store_create(const char *path, struct store **out, struct diag *d) MUST_CHECK;

/*
 * The same for a team on one host (init --shared): the file is mode 0660 for
 * the owner's group (so are the -wal and -shm files SQLite makes from it),
 * and the store records that it is shared. Refused (EX_CANTCREAT) when the
 * directory can be read or written by everyone.
 */
int store_create_shared(const char *path, struct store **out, struct diag *d) MUST_CHECK;

/*
 * Whether the store was made shared (init --shared): its group may read and
 * write it, and what reftriage writes beside it is shared too. 0, or -1.
 */
int store_is_shared(struct store *st, bool *shared, struct diag *d) MUST_CHECK;

/*
 * Open an existing store. wait_ms is how long to wait for another writer
 * before giving up with EX_TEMPFAIL. A missing file or one that is not a
 * reftriage store is EX_CONFIG; so is a store written by a newer reftriage.
 * An older store is migrated.
 */
int store_open(const char *path, int wait_ms, struct store **out, struct diag *d) MUST_CHECK;
void store_close(struct store *st);

/* --- backup and restore (backup.c; docs/operations.md) ---------------- */

/*
 * Copy st into dest, an empty file, with SQLite's online backup API in st's
 * read transaction (store_begin_read), so that readers and writers carry on.
 * Spooled audit lines the copied chain does not hold are carried inside the
 * copy (table carried_spool; *carried of them). The copy is one file
 * (rollback journal mode). -1 with d filled (74 on an I/O error).
 */
int store_backup(struct store *st, const char *dest, long *carried, struct diag *d) MUST_CHECK;
/*
 * Open a copy read-only to check it: a reftriage store of a schema this
 * build knows. -1 with d filled: 65 when it is no store or is damaged.
 */
int store_open_copy(const char *path, struct store **out, struct diag *d) MUST_CHECK;
/* PRAGMA integrity_check on a copy: 0 when "ok", else -1 with d filled (65). */
int store_check_integrity(struct store *st, struct diag *d) MUST_CHECK;
/* The spooled lines a copy carries, appended to lines (*n of them). */
int store_carried(struct store *st, struct buf *lines, long *n, struct diag *d) MUST_CHECK;
/*
 * A restored store, opened with store_open: switch it to WAL, give it the
 * carried lines as its spool, and begin its first write transaction (which
 * folds them) with the carried table dropped. The caller appends the
 * restore's entry and commits.
 */
int store_restore_begin(struct store *st, const struct buf *lines, struct diag *d) MUST_CHECK;

/* The path the store was opened with. */
const char *store_path(const struct store *st);

/* Write transactions. store_begin() takes the write lock at once (BEGIN IMMEDIATE). */
/* How long later transactions wait for another writer, in ms. -1 on error. */
int store_set_wait(struct store *st, int wait_ms) MUST_CHECK;

int store_begin(struct store *st, struct diag *d) MUST_CHECK;
int store_commit(struct store *st, struct diag *d) MUST_CHECK;
/* Roll back the open transaction, if any. Cannot fail in a way callers can mend. */
void store_rollback(struct store *st);
/* A savepoint inside a transaction, to undo part of it. */
int store_savepoint(struct store *st, struct diag *d) MUST_CHECK;
int store_rollback_to_savepoint(struct store *st, struct diag *d) MUST_CHECK;

/* --- import ----------------------------------------------------------- */

struct store_import {
	const char *file;
	const char *format;
	const char *operator_name;
	bool strict;
	int64_t started_at;
	/* Filled in before store_import_finish(). */
	unsigned char file_hash[32];
	uint64_t bytes;
	unsigned long n_new, n_updated, n_unchanged, n_rejected, n_withheld;
	bool stopped;
	int64_t id; /* set by store_import_start() */
	/* Set by store_import_start(): what this run adds has larger row ids. */
	int64_t first_version_id, first_quarantine_id;
};

int store_import_start(struct store *st, struct store_import *imp, struct diag *d) MUST_CHECK;
int store_import_finish(struct store *st, const struct store_import *imp, int64_t now,
                        struct diag *d) MUST_CHECK;

/* STORE_REOPENED: a new version of a closed package, which it reopened. */
enum store_put { STORE_NEW, STORE_UPDATED, STORE_UNCHANGED, STORE_REOPENED };

/*
 * Store a validated package: a new package, a new version of a known one
 * (when its content hash differs from every stored version's), or nothing
 * (unchanged). A new version marks the package updated; one of a closed
 * package also reopens it (status reopened, assignee kept), with a status
 * event by the import's operator noting "reopened: new version N". facts
 * are p's package_encode_facts() when the caller has them (the import's
 * decoder makes them on its own thread), else NULL.
 */
int store_put_package(struct store *st, int64_t import_id, const struct package *p,
                      const void *facts, size_t facts_len, unsigned long line, long index,
                      int64_t now, enum store_put *res, struct diag *d) MUST_CHECK;

struct store_reject {
	const char *file;
	unsigned long line;
	long index;              /* -1 when not in an array */
	const char *package_ref; /* NULL when unknown */
	const void *raw;
	size_t raw_len;
	uint64_t raw_size;
	const unsigned char *raw_hash; /* 32 bytes: ingest_record.raw_hash */
	bool has_received;             /* received_at was valid */
	int64_t received_at;
	const struct reasons *reasons;
};

int store_put_quarantine(struct store *st, int64_t import_id, const struct store_reject *r,
                         int64_t now, struct diag *d) MUST_CHECK;

/*
 * Whether a rejected record with these raw bytes (raw_hash, 32 bytes, of
 * raw_size bytes) is in quarantine already, open, dismissed or resolved: a
 * known reject, not quarantined again (cli.md "Known rejects are not news").
 */
int store_quarantine_known(struct store *st, const unsigned char *raw_hash, uint64_t raw_size,
                           bool *known, struct diag *d) MUST_CHECK;

/* --- reading ---------------------------------------------------------- */

struct store_package {
	int64_t id;
	const char *ref;
	int latest_version;
	const char *status;
	const char *assigned_to; /* NULL when unassigned */
	bool updated;
	int64_t received_at;
	int64_t first_seen_at;
	int64_t changed_at;
	int64_t purged_at; /* 0 unless its content was erased by purge */
};

struct store_version {
	int version;
	const unsigned char *hash; /* 32 bytes */
	int64_t imported_at;
	const char *file; /* the input file it came from */
	unsigned long line;
	long index;
	const void *facts; /* see package_decode_facts(); empty after a purge */
	size_t facts_len;
};

/*
 * Look up a package by ref. Returns 0 and calls pkg_fn once, then ver_fn (if
 * not NULL) for each version newest first; 1 when there is no such package;
 * -1 on error.
 */
int store_get_package(struct store *st, const char *ref,
                      int (*pkg_fn)(void *ctx, const struct store_package *p),
                      int (*ver_fn)(void *ctx, const struct store_version *v), void *ctx,
                      struct diag *d) MUST_CHECK;

/*
 * show --diff: the fields that changed from version from to version to of
 * ref (both 0: the latest version's predecessor to the latest), each passed
 * to fn as package_diff() does (field is a contract field index; old and
 * new_value are NULL when unknown). Returns 0; 1 when there is no such
 * package; -1 with d filled (EX_DATAERR: no such version, or its content
 * was erased by purge); fn's own positive return when it stops.
 */
int store_diff_versions(struct store *st, const char *ref, int from, int to,
                        int (*fn)(void *ctx, int field, const char *old, const char *new_value),
                        void *ctx, struct diag *d) MUST_CHECK;

/* Where a quarantined record stands (schema 9). */
enum store_qstate {
	STORE_Q_OPEN,      /* waiting for a person */
	STORE_Q_DISMISSED, /* a person dismissed it, with a note */
	STORE_Q_RESOLVED,  /* a record of its package_ref was imported cleanly later */
};

struct store_quarantined {
	int64_t id;
	int64_t import_id;
	const char *file;
	unsigned long line;
	long index;
	const char *package_ref; /* NULL when unknown */
	const void *raw;
	size_t raw_len;
	uint64_t raw_size;
	const char *reasons; /* one a line: FIELD, a tab, the message */
	int64_t created_at;
	enum store_qstate state;
	int64_t dismissed_at;       /* 0 when not dismissed */
	const char *dismissed_by;   /* NULL when not dismissed */
	const char *dismiss_note;   /* NULL when not dismissed */
	int64_t resolved_at;        /* 0 when not resolved */
	int64_t resolved_by_import; /* the import that resolved it, or 0 */
};

/*
 * Every quarantined record (open, dismissed and resolved), oldest first; or
 * only id when id > 0. Each is passed to fn, valid during the call. Returns
 * 0; 1 when id > 0 names no record; -1 with d filled (fn's -1: write error).
 */
int store_quarantine(struct store *st, int64_t id,
                     int (*fn)(void *ctx, const struct store_quarantined *q), void *ctx,
                     struct diag *d) MUST_CHECK;

/* One open quarantined record, as every list names it. */
struct store_qitem {
	int64_t id;
	char *package_ref; /* NULL when it had no valid one */
	bool has_received; /* its received_at was valid: */
	int64_t received_at;
	char *file;
	unsigned long line;
	long index;    /* position in a JSON array, else -1 */
	char *field;   /* its first reason: the field ("record" for the record as a whole) */
	char *message; /* and what is wrong with it */
};

/*
 * The open quarantined records (cli.md "Nothing waits unseen"): how many,
 * when the longest-waiting came in (its received_at where valid, else when
 * it was quarantined), and the first max_items of them, oldest first.
 * Owned by the struct: store_qopen_release() frees them.
 */
struct store_qopen {
	long open;
	bool has_oldest;
	int64_t oldest_received;
	struct store_qitem *items;
	size_t nitems;
};

/* Fill q (counted through the index of the open records only); -1 with d filled. */
int store_quarantine_open(struct store *st, size_t max_items, struct store_qopen *q,
                          struct diag *d) MUST_CHECK;
void store_qopen_release(struct store_qopen *q);

/*
 * Dismiss the open quarantined record id, by operator_name, with note (not
 * empty), at now. Returns 0; 1 when there is no record id; 2 when it was
 * already dismissed or resolved (nothing changed); -1 with d filled. Its
 * package_ref goes to ref[ref_size] ("" when it had none), for the audit.
 */
int store_quarantine_dismiss(struct store *st, int64_t id, const char *operator_name,
                             const char *note, int64_t now, char *ref, size_t ref_size,
                             struct diag *d) MUST_CHECK;

/* --- rule sets -------------------------------------------------------- */

struct store_rules {
	int64_t id;
	const unsigned char *hash; /* 32 bytes */
	const char *name;
	const char *version;
	const void *body; /* the file's bytes as installed */
	size_t body_len;
	int64_t installed_at; /* of the latest install of this rule set */
	const char *operator_name;
	const char *source_file;
};

/*
 * Record an installation of a rule set (kept under its hash; stored once)
 * and make it the active one. Sets *rule_set_id.
 */
int store_rules_install(struct store *st, const unsigned char hash[32], const char *name,
                        const char *version, const void *body, size_t len,
                        const char *operator_name, const char *source_file, int64_t now,
                        int64_t *rule_set_id, struct diag *d) MUST_CHECK;

/*
 * Call fn with the active rule set (id 0) or rule set id. Returns 0, 1 when
 * there is none, -1 on error.
 */
int store_rules_get(struct store *st, int64_t id, int (*fn)(void *ctx, const struct store_rules *r),
                    void *ctx, struct diag *d) MUST_CHECK;

/* --- scores ----------------------------------------------------------- */

/*
 * How many other packages share a linking key with package_id's latest
 * version: *count through a subject or an identifier other than an IP
 * address (linked_packages), *ip_count through an IP address
 * (ip_linked_packages). Not saturated (score_derive() does that). latest
 * is that version, decoded: its keys are the ones stored (src/store/keys.c);
 * NULL when its facts cannot be read, and the keys are then found by reading
 * the whole table.
 */
int store_linked_count(struct store *st, int64_t package_id, const struct package *latest,
                       int64_t *count, int64_t *ip_count, struct diag *d) MUST_CHECK;

/*
 * Count the links of every package in one walk of the linking keys, in key
 * order (reftriage/links.h): lc through every key but IP addresses', ip
 * through IP addresses'. The counts are the store's, valid until the next
 * call or store_close: they are kept and given again while no linking key
 * has changed, here or in another process (an import's audit entry and the
 * rescore after it walk the keys once).
 */
int store_link_counts(struct store *st, const struct link_counts **lc,
                      const struct link_counts **ip, struct diag *d) MUST_CHECK;

struct store_score {
	int64_t package_id;
	int version;
	int64_t rule_set_id; /* read back: the store's current one for an open package */
	int64_t as_of;       /* read back: the store's current one for an open package */
	int64_t score;
	int band;
	int priority;       /* the effective priority: an override's when one is in force */
	int rules_priority; /* the priority the rules gave (casework.md section 1) */
	int64_t due_at;     /* the effective due_at */
	bool overdue;
	int64_t linked;    /* linked_packages */
	int64_t ip_linked; /* ip_linked_packages */
	const char *fired; /* rule ids, ';'-separated, in file order */
	int64_t received_at;
	const char *ref;
	/*
	 * Scoring at any time from the store's as_of to this one gives this row
	 * again (score_valid_until); INT64_MIN when not known (schema 12).
	 */
	int64_t valid_until;
};

struct store_open_package {
	int64_t id;
	int version;
	const char *ref;
	const void *facts; /* NULL when not asked for */
	size_t facts_len;
	/* Its current score row (as_of and rule_set_id unset), or NULL if it has none. */
	const struct store_score *prev;
	/* When the version that last reopened it was stored; 0: never (rules.md, step 4). */
	int64_t reopened_at;
	/* The override in force: its band's name (NULL: none), index when made, direction, time. */
	const char *ov_priority;
	int ov_band;
	bool ov_up;
	int64_t ov_at;
};

/*
 * Call fn for the latest version of every open package (new, assigned,
 * in_progress, reopened), with its stored facts when facts is true (else
 * store_version_facts reads them for the packages that need them).
 */
int store_each_open(struct store *st, bool facts,
                    int (*fn)(void *ctx, const struct store_open_package *p), void *ctx,
                    struct diag *d) MUST_CHECK;

/* The stored facts of a package's version, into facts. */
int store_version_facts(struct store *st, int64_t package_id, int version, struct buf *facts,
                        struct diag *d) MUST_CHECK;

/*
 * Store a package's current score: its row is marked as scored at the store's
 * as_of with its rule set (store_set_scored), whatever s->as_of and
 * s->rule_set_id say.
 */
int store_put_score(struct store *st, const struct store_score *s, struct diag *d) MUST_CHECK;
/*
 * Before a rescore with rule_set_id: when it will probably rewrite most score
 * rows (a different rule set, more unscored packages than scored ones, or
 * rows from before schema 12 without valid_until), drop the ranking index, so that store_scores_end
 * builds it again in one sort instead of a million random inserts. Sets *bulk (the rescore then
 * reads every package's facts with it: store_each_open).
 */
int store_scores_begin(struct store *st, int64_t rule_set_id, bool *bulk,
                       struct diag *d) MUST_CHECK;
/* After the rescore: build the ranking index again if it was dropped. */
int store_scores_end(struct store *st, bool bulk, struct diag *d) MUST_CHECK;
/* Record the as_of and rule set that every open package was last scored with. */
int store_set_scored(struct store *st, int64_t as_of, int64_t rule_set_id,
                     struct diag *d) MUST_CHECK;
/* Read them back; 1 when nothing has been scored yet. */
int store_get_scored(struct store *st, int64_t *as_of, int64_t *rule_set_id,
                     struct diag *d) MUST_CHECK;
/* The score of one package, its fired rule ids in *fired; 1 when it has none. */
int store_get_score(struct store *st, int64_t package_id, struct store_score *out,
                    struct buf *fired, struct diag *d) MUST_CHECK;

/*
 * The packages that share a linking key with package_id, and the key: every
 * key but IP addresses'; or with ip, the IP addresses shared with packages
 * that share nothing else (possible links). latest as for
 * store_linked_count().
 */
int store_each_link(struct store *st, int64_t package_id, const struct package *latest, bool ip,
                    int (*fn)(void *ctx, const char *ref, int64_t key), void *ctx,
                    struct diag *d) MUST_CHECK;

/* --- worklist --------------------------------------------------------- */

/*
 * Filters combine (and); an unset filter lets everything through. The force
 * area and the assignee match in any case (ASCII); see store_filter_check
 * for telling a value that matches nothing from an empty list.
 */
struct store_worklist_query {
	long limit;              /* 0: no limit */
	int priorities[16];      /* band indexes */
	size_t npriorities;      /* 0: every priority */
	const char *statuses[4]; /* open statuses */
	size_t nstatuses;        /* 0: every open status */
	const char *force_area;  /* NULL: any */
	bool no_force_area;      /* only packages without a force area */
	const char *assigned_to; /* NULL: any */
	bool has_since;
	int64_t since; /* received_at at or after this time */
	/*
	 * worklist --changed-since: only packages with a new version, a status
	 * change, an assignment or a note (every one is a workflow event) after
	 * this time: the handover between shifts.
	 */
	bool has_changed_since;
	int64_t changed_since;
	/*
	 * overdue is judged at now (rules.md step 5: the time the list is
	 * produced, not the scores' as_of); 0 means the clock.
	 */
	int64_t now;
	bool has_due_before; /* alert: due at or before this time only */
	int64_t due_before;
	bool by_due; /* alert's order: due_at, then the rank order */
	/*
	 * The caller reads only each row's priority, score, due time, ref,
	 * status, assignee and override (alert): its force area, referral type
	 * and facts are NULL and updated false, and the open packages' index
	 * answers for the packages, so that the list reads a quarter of the
	 * pages it would (PERFORMANCE.md).
	 */
	bool lean;
	/*
	 * The open packages without a current score instead (no score row of
	 * their latest version with the active rules: an import committed
	 * without its rescore), oldest received first; --priority and
	 * has_due_before pass them all (their priority is not known).
	 */
	bool unscored;
	/*
	 * worklist --closed (casework.md section 5): the closed packages
	 * instead (store_closed), statuses naming closed states; most
	 * recently closed first.
	 */
	bool closed;
};

/* The fields a worklist filter names by value. */
enum store_filter_field { STORE_FILTER_FORCE_AREA, STORE_FILTER_ASSIGNEE, STORE_FILTER_TEAM };

#define STORE_FILTER_NEAREST 65 /* a did-you-mean value: 64 bytes and a NUL */

/*
 * Whether any package in the store, open or closed, has field f equal to
 * value in any case (ASCII): *found (STORE_FILTER_TEAM: whether the roster
 * has the name). When none has, nearest gets the stored
 * value nearest to it (within a few edits, in any case), else "". Returns 0,
 * or -1 with d set.
 */
int store_filter_check(struct store *st, enum store_filter_field f, const char *value, bool *found,
                       char nearest[STORE_FILTER_NEAREST], struct diag *d) MUST_CHECK;

/*
 * The open statuses (casework.md "States"), NULL-terminated: new, assigned,
 * in_progress, reopened, awaiting_info, transfer_pending.
 */
extern const char *const store_open_statuses[];
/* The closed statuses (casework.md "States"), NULL-terminated. */
extern const char *const store_closed_statuses[];

/* Whether status (may be NULL) is one of store_open_statuses. */
bool store_status_open(const char *status);

/* An override in force, or one being made. Strings valid during the call. */
struct store_override {
	const char *priority;  /* the band's name */
	int band;              /* its index in the rule set when made */
	const char *direction; /* "up" or "down" */
	const char *code;
	const char *operator_name;
	const char *approved_by; /* NULL when none */
	int64_t at;
	const char *note;
};

struct store_worklist_row {
	int priority; /* band index */
	int64_t score;
	int64_t received_at;
	int64_t due_at;
	bool overdue;
	const char *ref;
	const char *status;
	const char *assigned_to; /* NULL when unassigned */
	const char *force_area;  /* NULL when unknown */
	const char *referral_type;
	const char *fired;
	/*
	 * A new version arrived after the last status change or assignment made
	 * by a person (an automatic reopen does not clear it).
	 */
	bool updated;
	const void *facts; /* the scored version's facts (package_decode_facts) */
	size_t facts_len;
	/* store_closed: when and by whom it was closed (its last status change). */
	int64_t closed_at;
	const char *closed_by;
	/*
	 * priority is the effective one; rules_priority the rules' (-1 when
	 * unscored). With an override in force (overridden), ov says who made it
	 * and why (ov.priority and ov.band unset).
	 */
	int rules_priority;
	bool overridden;
	struct store_override ov;
};

/*
 * How many open packages have no current score (store_worklist_query's
 * unscored), whatever the filters. Quick when nothing changed since the last
 * complete rescore (meta scored_state); else an anti-join over the open packages.
 */
int store_unscored(struct store *st, long *count, struct diag *d) MUST_CHECK;

/* How many open packages the query selects (ignoring its limit). */
int store_worklist_count(struct store *st, const struct store_worklist_query *q, long *count,
                         struct diag *d) MUST_CHECK;

/*
 * In a consultation (store_begin_read), note the refs store_worklist() lists
 * for q, in the same order, for the audit entry: once, by the caller, from the
 * same snapshot. -1 with d filled.
 */
int store_worklist_note(struct store *st, const struct store_worklist_query *q,
                        struct diag *d) MUST_CHECK;

/* Open packages in rank order (rules.md), calling fn for each. */
int store_worklist(struct store *st, const struct store_worklist_query *q,
                   int (*fn)(void *ctx, const struct store_worklist_row *r), void *ctx,
                   struct diag *d) MUST_CHECK;

/*
 * The closed packages that q's filters select (q->statuses: closed states;
 * since, changed_since, priorities, force area, assignee as the worklist),
 * most recently closed first, then by ref; fn called with each (facts NULL;
 * priority -1 when the package has no score, as after a purge). Their count,
 * ignoring the limit, into *count.
 */
int store_closed(struct store *st, const struct store_worklist_query *q,
                 int (*fn)(void *ctx, const struct store_worklist_row *r), void *ctx,
                 struct diag *d) MUST_CHECK;
int store_closed_count(struct store *st, const struct store_worklist_query *q, long *count,
                       struct diag *d) MUST_CHECK;

/* --- workflow --------------------------------------------------------- */

struct store_event {
	int64_t at;
	const char *operator_name;
	const char *action; /* "assign", "status" or "override" (store_put_override) */
	const char *from_status;
	const char *to_status;
	const char *assigned_to; /* NULL when none */
	const char *note;        /* NULL when none */
	/*
	 * What a closing names (casework.md section 5), NULL/0 when nothing:
	 * duplicate: the package it duplicates (of_package_id when written;
	 * of_ref, that package's ref, when read); transfer_pending or
	 * transferred: the force it is passed to, and the receiving force's
	 * reference that closes the transfer.
	 */
	int64_t of_package_id;
	const char *of_ref;
	const char *transfer_to;
	const char *their_ref;
	const char *approved_by; /* the second person (an NFA under nfa_sign_off); NULL */
	/* action "override" (status unchanged): the band set, NULL when ended; up or down */
	const char *priority;
	const char *direction;
	const char *code;
};

/*
 * Record an assignment or status change of package_id and apply it: status
 * and assigned_to become to_status and assigned_to (NULL: unchanged), and the
 * "updated since assigned" mark is cleared. A note (action "note") is
 * recorded and changes nothing else. Inside the caller's transaction.
 */
int store_workflow(struct store *st, int64_t package_id, const struct store_event *e,
                   struct diag *d) MUST_CHECK;

/* The history of package_id, oldest first. */
int store_each_event(struct store *st, int64_t package_id,
                     int (*fn)(void *ctx, const struct store_event *e), void *ctx,
                     struct diag *d) MUST_CHECK;

/*
 * The packages closed as duplicates of package_id (status duplicate, their
 * latest closing naming it), fn called with each ref in ref order.
 */
int store_each_duplicate(struct store *st, int64_t package_id,
                         int (*fn)(void *ctx, const char *ref), void *ctx,
                         struct diag *d) MUST_CHECK;

/* --- the team's roster (src/store/team.c) ------------------------------- */

#define STORE_NAME_MAX 65 /* a person's name: 64 bytes and a NUL */

/* Add name (1 to 64 bytes of text) to the roster; *added false when it was there (any case). */
int store_team_add(struct store *st, const char *name, const char *operator_name, int64_t at,
                   bool *added, struct diag *d) MUST_CHECK;
/* Remove name (any case) from the roster; 1 when it is not on it (d filled, with a suggestion). */
int store_team_remove(struct store *st, const char *name, char removed[STORE_NAME_MAX],
                      struct diag *d) MUST_CHECK;
/* The roster in name order (any case), fn called with each name, when and by whom added. */
int store_team_each(struct store *st,
                    int (*fn)(void *ctx, const char *name, int64_t at, const char *by), void *ctx,
                    struct diag *d) MUST_CHECK;

/*
 * A person named in a change (assign --to, --approved-by): when the store has
 * a roster, name must be on it, in any case, and canon receives the roster's
 * spelling; without a roster any name passes as given (casework.md section
 * 5). -1 with d filled (EX_DATAERR, field named, a did-you-mean suggestion)
 * when name is not on the roster. The one check every verb that names a
 * person calls.
 */
int store_team_check(struct store *st, const char *field, const char *name,
                     char canon[STORE_NAME_MAX], struct diag *d) MUST_CHECK;

/* When the version that last reopened package_id was stored (0: never) into *at. */
int store_reopened_at(struct store *st, int64_t package_id, int64_t *at, struct diag *d) MUST_CHECK;

/* The latest version of package_id: its facts into *facts, its version into *version. */
int store_latest_facts(struct store *st, int64_t package_id, struct buf *facts, int *version,
                       struct diag *d) MUST_CHECK;

/* --- overrides (src/store/override.c; casework.md section 1) --------- */

/*
 * The override in force on package_id: 0 and fn called once; 1 when there
 * is none; -1 with d filled.
 */
int store_get_override(struct store *st, int64_t package_id,
                       int (*fn)(void *ctx, const struct store_override *o), void *ctx,
                       struct diag *d) MUST_CHECK;

/* Every override in force, open and closed packages alike, by package id. */
int store_each_override(struct store *st,
                        int (*fn)(void *ctx, int64_t package_id, const struct store_override *o),
                        void *ctx, struct diag *d) MUST_CHECK;

/*
 * The overrides made in [from, to) (events, whether still in force or not),
 * counted by the band they set and their direction.
 */
int store_each_override_made(struct store *st, int64_t from, int64_t to,
                             int (*fn)(void *ctx, const char *priority, bool up, long n), void *ctx,
                             struct diag *d) MUST_CHECK;

/* NFA decisions (status changes to nfa) made in [from, to), and how many were signed off. */
struct store_nfa_counts {
	long total, signed_off;
};
int store_nfa_counts(struct store *st, int64_t from, int64_t to, struct store_nfa_counts *out,
                     struct diag *d) MUST_CHECK;

/*
 * Make o the override in force on package_id (replacing any) and record it
 * in the package's history (an 'override' event, status unchanged: status).
 * Inside the caller's transaction; the caller rescores the package.
 */
int store_put_override(struct store *st, int64_t package_id, const char *status,
                       const struct store_override *o, struct diag *d) MUST_CHECK;

/*
 * End the override in force on package_id and record why (note): by
 * operator_name (approved_by, NULL when none) at `at`. 1 when there was none.
 */
int store_clear_override(struct store *st, int64_t package_id, const char *status,
                         const char *operator_name, const char *approved_by, int64_t at,
                         const char *note, struct diag *d) MUST_CHECK;

/* --- the priority history (src/store/history.c) ------------------------ */

/*
 * A change of a package's effective priority or due_at (outcomes.md): at is
 * the system clock's time of the write, priority the band's name in rule set
 * rule_set_id. Written by the rescore (import, score, rules install, reopen);
 * an override, when there is one, writes its own row through the same call.
 */
struct store_history {
	int64_t package_id, at, due_at, rule_set_id;
	const char *priority; /* copied */
};

/*
 * Add a row. Rows wait and are written STORE_HISTORY_PER_INSERT to a
 * statement, before a commit or store_history_flush; a rollback forgets
 * them. Rows are never changed or removed (the table's triggers refuse it)
 * but by purge, with the package's content.
 */
int store_history_add(struct store *st, const struct store_history *h, struct diag *d) MUST_CHECK;
/* Write the rows waiting. */
int store_history_flush(struct store *st, struct diag *d) MUST_CHECK;

/* --- stats ----------------------------------------------------------- */

enum store_group { GROUP_PRIORITY, GROUP_STATUS, GROUP_SOURCE, GROUP_TYPE };

/*
 * Counts by a grouping: open packages by priority (key is the band index as
 * text; overdue counted at now, rules.md step 5), by source and by type; all
 * packages by status.
 */
int store_stats_group(struct store *st, enum store_group g, int64_t now,
                      int (*fn)(void *ctx, const char *key, long count, long overdue), void *ctx,
                      struct diag *d) MUST_CHECK;

struct store_stats {
	long open, closed;
	long unscored; /* open packages without a current score (store_unscored) */
	bool has_oldest;
	char oldest_ref[72];
	int64_t oldest_received_at;
	long acted;                     /* packages with at least one workflow change */
	int64_t median_to_first_action; /* microseconds; valid when acted > 0 */
};

int store_stats(struct store *st, struct store_stats *out, struct diag *d) MUST_CHECK;

/* --- settings (cli.md `settings`) ------------------------------------ */

#define STORE_SETTING_MAX 16 /* a value and its NUL */

/* A store setting: its value, and who set it when (a default has no row). */
struct store_setting {
	const char *name; /* static */
	char value[STORE_SETTING_MAX];
	bool is_default;
	int64_t changed_at; /* 0 for a default */
	char changed_by[128];
};

/* The settings this store knows, NULL-terminated, in the order they are listed. */
extern const char *const store_setting_names[];

/* The retention floor's default: purge keeps a year of closures (cli.md). */
#define STORE_RETENTION_DAYS_DEFAULT 365
#define STORE_RETENTION_DAYS_MIN     30
#define STORE_RETENTION_DAYS_MAX     36500

/*
 * Check value as a value of setting name and write its stored form (on/off
 * in lower case; a number as given) into canon. Returns 0, or -1 with d
 * (EX_USAGE; the field is the name; the suggestion the nearest known name
 * when name is unknown).
 */
int store_setting_check(const char *name, const char *value, char canon[STORE_SETTING_MAX],
                        struct diag *d) MUST_CHECK;

/* Setting name (known, see store_setting_check) as it stands: 0, or -1 with d set. */
int store_setting_get(struct store *st, const char *name, struct store_setting *out,
                      struct diag *d) MUST_CHECK;

/*
 * Set name to value (checked first; stored in canon form), as set by
 * operator_name at at, in the caller's transaction; *old gets what it was.
 * Returns 0, or -1 with d set.
 */
int store_setting_set(struct store *st, const char *name, const char *value,
                      const char *operator_name, int64_t at, struct store_setting *old,
                      struct diag *d) MUST_CHECK;

/* The retention_days setting: how many days of closures purge keeps. */
int store_retention_days(struct store *st, long *days, struct diag *d) MUST_CHECK;

/* --- erasure -------------------------------------------------------- */

struct store_purge {
	int64_t closed_before; /* packages whose last workflow change is before this */
	int64_t now;
	bool dry_run; /* only find them (and call fn) */
	/* Counted by store_purge(). */
	long packages, versions, quarantined, scores;
};

/*
 * Erase the content of every closed package last changed before
 * p->closed_before and not yet purged: each version's facts, its linking
 * keys, its score, the notes of its outcomes, and the quarantined records
 * that name its ref. Its ref, its versions' content hashes, its workflow
 * history and its outcomes' codes, dates and counts stay. fn is called
 * with each ref first (a non-zero return stops and is returned); with
 * dry_run, nothing else is done. Inside the
 * caller's transaction; freed pages are overwritten (secure_delete).
 */
int store_purge(struct store *st, struct store_purge *p,
                int (*fn)(void *ctx, const char *ref, int64_t closed_at), void *ctx,
                struct diag *d) MUST_CHECK;

/*
 * After a committed purge: copy the WAL into the database and empty it, so
 * that no erased page stays in the journal. EX_TEMPFAIL when a reader kept
 * it from finishing (the erasure itself stands).
 */
int store_purge_settle(struct store *st, struct diag *d) MUST_CHECK;

/* --- audit trail (docs/security.md) ----------------------------------- */

struct store_audit_new {
	int64_t at;
	const char *operator_name;
	const char *action;  /* see audit_category() */
	const char *reason;  /* NULL or "": none given */
	const char *details; /* a JSON object */
	size_t details_len;
};

/*
 * A consultation (docs/security.md): read in a deferred transaction, which
 * a writer never blocks; store_audit_ref() then notes the refs shown in the
 * connection's own temporary table. store_audit_consult() ends the reading
 * and appends entry e with those refs, waiting up to wait_ms for the write
 * lock; past that it spools the entry beside the store (*spooled true), to
 * be folded into the chain by the next writer. -1 with d filled.
 */
int store_begin_read(struct store *st, struct diag *d) MUST_CHECK;
int store_audit_consult(struct store *st, const struct store_audit_new *e, int wait_ms,
                        bool *spooled, struct diag *d) MUST_CHECK;
/*
 * Lines waiting in the spool and in a batch a writer has not yet committed
 * (*n), of which *damaged are not entries a reader writes (they will be
 * folded as "audit spool damaged"); *path (when not NULL) gets the spool's
 * path, which the caller frees.
 */
int store_spool_count(struct store *st, long *n, long *damaged, char **path,
                      struct diag *d) MUST_CHECK;
/*
 * The limits of a spooled entry's fields. The command line refuses an
 * --operator or --reason longer than these, so that no reader writes a line
 * the next writer would have to fold as damaged.
 */
#define SPOOL_OPERATOR_MAX 256
#define SPOOL_REASON_MAX   4096
#define SPOOL_DETAILS_MAX  65536
#define SPOOL_REF_MAX      256
/*
 * Why one spool line (len bytes, no line end) is not an entry a reader
 * writes with a time in [lo, hi] (microseconds), or NULL when it is one.
 * For the fuzzer and the tests; the fold uses the same check.
 */
const char *store_spool_line_check(const char *line, size_t len, int64_t lo, int64_t hi);

/*
 * Name package ref in the entry being built: the next store_audit_append()
 * in this transaction. Refs are kept in the order named.
 */
int store_audit_ref(struct store *st, const char *ref, struct diag *d) MUST_CHECK;

/*
 * Name, in the entry being built, the refs import run imp collected (stored
 * or quarantined; linked false) or, with linked true, those of its packages
 * that now share a linking key with another package. *n is how many.
 */
int store_audit_import_refs(struct store *st, const struct store_import *imp, bool linked,
                            int64_t *n, struct diag *d) MUST_CHECK;

/*
 * Append an entry, with the refs named since the last append, to the hash
 * chain; inside the caller's write transaction, so that the entry commits or
 * rolls back with the change it records. *seq (if not NULL) is its number.
 */
int store_audit_append(struct store *st, const struct store_audit_new *e, int64_t *seq,
                       struct diag *d) MUST_CHECK;

/* The last entry's seq (0 when the trail is empty) and hash. */
int store_audit_head(struct store *st, int64_t *seq, unsigned char hash[HASH_BYTES],
                     struct diag *d) MUST_CHECK;

/* Filters combine (and); an unset filter lets everything through. */
struct store_audit_query {
	bool has_since;
	int64_t since;
	const char *action;
	const char *operator_name;
	const char *ref;
	int64_t from_seq;
};

/* Entries in order of seq; a non-zero return from fn stops and is returned. */
int store_audit_each(struct store *st, const struct store_audit_query *q,
                     int (*fn)(void *ctx, const struct audit_entry *e), void *ctx,
                     struct diag *d) MUST_CHECK;
/* The refs of entry seq in order; a non-zero return from fn stops and is returned. */
int store_audit_each_ref(struct store *st, int64_t seq, int (*fn)(void *ctx, const char *ref),
                         void *ctx, struct diag *d) MUST_CHECK;
/* How many refs are stored for entry seq, and their hash (see audit.h). */
int store_audit_refs_hash(struct store *st, int64_t seq, int64_t *n, unsigned char out[HASH_BYTES],
                          struct diag *d) MUST_CHECK;
/*
 * Whether action is one a reader records (a consultation, an export, a
 * backup): the entries a reader may spool, whose refs wait to be indexed.
 */
bool store_audit_by_reader(const char *action);
/* The smallest seq of stored refs that belong to no entry; 0 when none. */
int store_audit_stray_refs(struct store *st, int64_t *seq, struct diag *d) MUST_CHECK;
/*
 * The smallest seq of an entry whose refs the index of refs should hold
 * (schema 22) but does not, so that 'audit log --ref' would not find it; 0
 * when none.
 */
int store_audit_unindexed_refs(struct store *st, int64_t *seq, struct diag *d) MUST_CHECK;

/* --- the management report (src/store/report.c) ----------------------- */

/* What a report's figures are split by (--by). */
enum store_report_by { STORE_BY_NONE, STORE_BY_FORCE, STORE_BY_ASSIGNEE, STORE_BY_SOURCE };

/*
 * The report's queries, one row a package (or event, or outcome) with its
 * group (NULL: unknown, or no grouping):
 *   RECEIVED  every package received before to: at received_at, text1 the
 *             first priority recorded for it, when received in the period
 *             (NULL: none, or received before)
 *   RESPONSE  each priority history row (at, text1 its priority, due_at) of
 *             the packages that can count in the period, grouped by package
 *             (package_id, clock_start), in the order written; at2 the first
 *             action since the clock start (has_at2 false: none yet)
 *   OPEN      every open package: at received_at, priority, at2 due_at
 *   EVENTS    status changes before to: at, text1 from_status, text2 to_status
 *   OUTCOMES  outcomes dated in [from_date, to_date): text2 the code
 */
enum store_report_query {
	STORE_REPORT_RECEIVED,
	STORE_REPORT_RESPONSE,
	STORE_REPORT_OPEN,
	STORE_REPORT_EVENTS,
	STORE_REPORT_OUTCOMES,
};

struct store_report_period {
	int64_t from, to;                /* UTC microseconds; to exclusive */
	const char *from_date, *to_date; /* the same as local dates, YYYY-MM-DD */
};

struct store_report_row {
	int64_t at;
	int priority; /* -1: none */
	bool has_at2;
	int64_t at2;
	const char *group; /* valid during the call */
	const char *text1, *text2;
	int64_t package_id, clock_start, due_at; /* RESPONSE */
};

int store_report_each(struct store *st, enum store_report_query q, enum store_report_by by,
                      const struct store_report_period *p,
                      int (*fn)(void *ctx, const struct store_report_row *r), void *ctx,
                      struct diag *d) MUST_CHECK;

/*
 * Shrink the page cache for a pass that reads every open package once
 * (scan true), or give it its usual size back (false).
 */
int store_scan_cache(struct store *st, bool scan, struct diag *d) MUST_CHECK;

/*
 * When the priority history was seeded from the scores of a store migrated
 * from before it (schema 15), into *at; 0: it was not.
 */
int store_history_seeded(struct store *st, int64_t *at, struct diag *d) MUST_CHECK;

/* Whether the store has table name (a store older than its migration has not). */
int store_has_table(struct store *st, const char *name, bool *has, struct diag *d) MUST_CHECK;

/* The store's id: 32 hex digits, made when the store was created. */
int store_id(struct store *st, char out[33], struct diag *d) MUST_CHECK;

#endif
