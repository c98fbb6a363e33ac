/* Private to src/store/: the one place sqlite3.h is included. */
#ifndef REFTRIAGE_STORE_INTERNAL_H
#define REFTRIAGE_STORE_INTERNAL_H

#include "reftriage/outcome.h"
#include "reftriage/links.h"
#include "reftriage/store.h"

#include <sqlite3.h>

struct migration {
	int version;
	const char *name;
	const char *sql;
};

extern const struct migration migrations[];
extern const size_t n_migrations;

/* Statements prepared once per store and kept. */
enum stmt_id {
	S_FIND_REF,
	S_INSERT_PACKAGE,
	S_UPDATE_PACKAGE,
	S_REOPEN_EVENT,
	S_LAPSE_EVENT,
	S_LAPSE_OVERRIDE,
	S_INSERT_VERSION,
	S_INSERT_VERSIONS,
	S_INSERT_KEY,
	S_INSERT_KEYS,
	S_DELETE_KEY,
	S_INSERT_QUARANTINE,
	S_RESOLVE_QUARANTINE,
	S_QUARANTINE_KNOWN,
	S_PUT_SCORE,
	S_PUT_SCORES,
	S_VERSION_FACTS,
	S_AUDIT_REF,
	S_CONSULT_REF,
	S_AUDIT_REFS_OF,
	S_AUDIT_APPEND,
	S_OUTCOMES_OF,
	S_PUT_HISTORY,
	S_PUT_HISTORIES,
	S_DECONF_HITS,
	S_COUNT
};

/* Rows of S_INSERT_KEYS. */
#define STORE_KEYS_PER_INSERT 64

/* Rows of S_INSERT_VERSIONS, and one waiting to be written (versions.c). */
#define STORE_VERSIONS_PER_INSERT 64
struct pending_version {
	int64_t pid, import_id, line, index, now; /* index < 0: none */
	int version;
	unsigned char hash[32];
	size_t facts, facts_len; /* in store.version_facts */
};

/* Rows of S_PUT_HISTORIES, and one waiting to be written (history.c). */
#define STORE_HISTORY_PER_INSERT 64
struct pending_history {
	int64_t package_id, at, due_at, rule_set_id;
	size_t priority; /* offset in store.history_names */
};

struct store {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *stmt[S_COUNT];
	struct buf scratch; /* facts and keys of the package being stored */
	bool in_tx;
	int64_t audit_seq; /* the audit entry being built in this transaction; 0: none */
	int64_t audit_pos; /* how many refs it has so far */
	bool reading;      /* a consultation's read transaction (consult.c) */
	/*
	 * The spool batch folded in this transaction (spool.c): its file, open and
	 * locked from the fold until the commit removes it or a rollback leaves it
	 * for the next writer; fold_open false: none.
	 */
	bool fold_open;
	int fold_fd;
	/*
	 * Whether quarantine holds a record with a ref not yet resolved, as known
	 * in this transaction (q_known false: not yet asked): when it holds none,
	 * storing a package need not look (quarantine.c).
	 */
	bool q_known, q_any;
	/*
	 * Every package's link counts, kept while links_fresh (keys.c): cleared
	 * by any change to package_keys here (store_keys_changed) or, as PRAGMA
	 * data_version tells, by another connection's commit.
	 */
	struct link_counts links, ip_links;
	bool links_fresh;
	int64_t links_data_version;
	/*
	 * A bulk rescore's score rows, written STORE_SCORES_PER_INSERT to a
	 * statement (scores.c); their text in score_text.
	 */
	bool batch_scores;
	struct pending_score *scores; /* STORE_SCORES_PER_INSERT */
	size_t nscores;
	struct buf score_text;
	/*
	 * Linking keys stored but not yet written, (key, package_id) pairs,
	 * STORE_KEYS_PER_INSERT to a statement (keys.c): written before anything
	 * reads package_keys, discarded with a rollback.
	 */
	int64_t keys[2 * STORE_KEYS_PER_INSERT];
	size_t nkeys;
	/*
	 * Versions stored but not yet written, STORE_VERSIONS_PER_INSERT to a
	 * statement (versions.c), their facts in version_facts: written before
	 * anything reads package_versions, before a commit or the file's
	 * savepoint, and discarded with a rollback.
	 */
	struct pending_version versions[STORE_VERSIONS_PER_INSERT];
	size_t nversions;
	struct buf version_facts;
	/*
	 * Priority history rows not yet written, STORE_HISTORY_PER_INSERT to a
	 * statement (history.c), their priorities' names in history_names.
	 */
	struct pending_history history[STORE_HISTORY_PER_INSERT];
	size_t nhistory;
	struct buf history_names;
};

/* Rows of S_PUT_SCORES. */
#define STORE_SCORES_PER_INSERT 64

/* scores.c: drop a bulk rescore's rows not yet written (with a rollback); free them. */
void store_scores_discard(struct store *st);
void store_scores_release(struct store *st);

/* keys.c: store p's linking keys for package pid (its latest version). */
int store_add_keys(struct store *st, const struct package *p, int64_t pid, struct diag *d);
/* keys.c: remove the linking keys of pid's version, which a new one replaces. */
int store_drop_keys(struct store *st, int64_t pid, int version, struct diag *d);
/* versions.c: a version to write, 64 to a statement (facts_len bytes of facts). */
int store_add_version(struct store *st, const struct pending_version *v, const void *facts,
                      struct diag *d);
/* versions.c: write the versions waiting (before package_versions is read, a commit, a savepoint).
 */
int store_versions_flush(struct store *st, struct diag *d);
/* versions.c: forget the versions waiting (with a rollback of what stored them). */
void store_versions_discard(struct store *st);
/* history.c: forget the priority history rows waiting (with a rollback). */
void store_history_discard(struct store *st);

/* keys.c: write the keys waiting (before package_keys is read, a commit, a savepoint). */
int store_keys_flush(struct store *st, struct diag *d);
/* keys.c: forget the keys waiting (with a rollback of what stored them). */
void store_keys_discard(struct store *st);
/* keys.c: rt_link_key() and rt_facts_keys() on (or off) the connection, for migrations. */
int store_key_functions(struct store *st, bool on);
/* quarantine.c: rt_blake2b() on (or off) the connection, for migrations (schema 17). */
int store_quarantine_functions(struct store *st, bool on);

/* This connection changed package_keys (or undid changes): the kept link counts are stale. */
static inline void store_keys_changed(struct store *st)
{
	st->links_fresh = false;
}

/* Append a consultation's entry to the spool, when the store is busy (spool.c). */
int store_spool_append(struct store *st, const struct store_audit_new *e, struct diag *d);
/* Fold the spooled audit entries into the chain, in the writer's transaction. */
int store_spool_fold(struct store *st, struct diag *d);
/*
 * A backup's spool (backup.c): in st's read transaction, begin its snapshot
 * and add to lines every spooled line the chain in that snapshot does not
 * hold (*n of them), each ended by a line break.
 */
int store_spool_carry(struct store *st, struct buf *lines, long *n, struct diag *d);
/* A restored store's spool: lines written as st's new spool file, for the next writer. */
int store_spool_put(struct store *st, const struct buf *lines, struct diag *d);
/* After a commit: remove the folded batch. */
void store_spool_settle(struct store *st);
/* After a rollback (or closing without a commit): leave the batch for the next writer. */
void store_spool_abandon(struct store *st);

/*
 * The worklist filters shared by the open and closed lists: their SQL, the
 * parameters numbered from ?(*n + 1) (recv: the alias whose received_at
 * --since reads), then bound in the same order. -1: no memory.
 */
int store_filters_sql(struct buf *sql, const struct store_worklist_query *q, size_t npriorities,
                      const char *recv, int *n);
/* The statement built in sql (built: nonzero when building it ran out of memory); releases sql. */
sqlite3_stmt *store_prepare_built(struct store *st, struct buf *sql, int built, const char *what,
                                  struct diag *d);
int store_bind_filters(sqlite3_stmt *s, const struct store_worklist_query *q, size_t npriorities,
                       int *n);
/* A worklist row's first 13 columns (the open and closed lists share them) into r; 13. */
int store_worklist_cols(sqlite3_stmt *s, struct store_worklist_row *r);
/* Step s, a statement of one integer (NULL: its preparation failed), into *out; finalize it. */
int store_step_int(struct store *st, sqlite3_stmt *s, int64_t *out, const char *what,
                   struct diag *d);
/* Step a count(*) statement s (NULL: its preparation failed, d says why) and finalize it. */
int store_count_of(struct store *st, sqlite3_stmt *s, long *count, const char *what,
                   struct diag *d);

/*
 * SQL: whether the status col is open (cli.md); the others are closed. One
 * place, so that every query agrees on which packages are open. A chain of
 * equalities, not an IN list: SQLite builds a table for an IN list at every
 * run of a statement and at every row written to a partial index whose
 * WHERE has one. The index of the open packages (schema 21) has this WHERE,
 * word for word, so that a query with it reads that index
 * (store_refresh_stats checks that it can).
 */
/* A deconfliction entry still in force on day (its until_day not past), aliased e. */
#define DECONF_ACTIVE(day) "(e.until_day IS NULL OR e.until_day >= " day ")"

#define STORE_IS_OPEN(col)                                                                         \
	"(" col " = 'new' OR " col " = 'assigned' OR " col " = 'in_progress' OR " col              \
	" = 'reopened' OR " col " = 'awaiting_info' OR " col " = 'transfer_pending')"

/*
 * A score row that is current: of the package's latest version, at the
 * store's as_of (as_of and rule_set_id NULL: not frozen by a close), and the
 * store's scores are of the active rules (the rule set installed last). An
 * open package without one is not scored yet (issue 24): listed first.
 */
#define CURRENT_SCORE                                                                              \
	"s.as_of IS NULL AND s.rule_set_id IS NULL AND s.version = p.latest_version AND (SELECT "  \
	"CAST(value AS INTEGER) FROM meta WHERE key = 'scored_rule_set') IS (SELECT rule_set_id "  \
	"FROM rule_installs ORDER BY id DESC LIMIT 1)"

/* SQL: whether the linking key k (a column name) is an IP address's (links.h). */
#define STORE_STR_(x)      #x
#define STORE_STR(x)       STORE_STR_(x)
#define STORE_KEY_IS_IP(k) "(" k " >> 56) = " STORE_STR(LINK_KIND_IP)

/* The page cache's bound, for PRAGMA cache_size: 32 MiB (negative: KiB). */
#define STORE_CACHE_SIZE "-32768"

/* Fill d from the connection's last error; always returns -1. */
int store_fail(struct store *st, int rc, const char *what, struct diag *d);

/* Prepare a one-off statement (the caller finalizes it); NULL after filling d with what. */
sqlite3_stmt *store_prepare(struct store *st, const char *sql, const char *what, struct diag *d);

/*
 * Run a query that returns one integer (NULL reads as 0), binding arg to ?1
 * when the query has a parameter. -1 after filling d with what.
 */
int store_one_int(struct store *st, const char *sql, int64_t arg, int64_t *out, const char *what,
                  struct diag *d);

/*
 * Step s to its end, calling each(s, x) for each row until one returns
 * non-zero, which is returned as it is (d is each's to fill). s is reset when
 * kept (a statement of st->stmt[]), else finalized. 0, or -1 after filling d
 * when stepping failed.
 */
int store_step_rows(struct store *st, sqlite3_stmt *s, bool kept, const char *what,
                    int (*each)(sqlite3_stmt *s, void *x), void *x, struct diag *d);

/*
 * A value for a statement's parameter ?N, N its place in a list: ARG_INT,
 * ARG_TEXT (NULL binds NULL), ARG_TEXTN (n bytes of text), ARG_BLOB (n
 * bytes; 0, an empty blob) or ARG_NULL. The member initialised checks the value's type.
 * Text and blobs are bound SQLITE_STATIC: they must outlive the statement's
 * steps.
 */
struct store_arg {
	enum { STORE_ARG_INT, STORE_ARG_TEXT, STORE_ARG_BLOB } type;
	union {
		int64_t i;
		const char *text;
		const void *blob;
	} v;
	int len; /* text: its size, or -1 up to its NUL; blob: its size */
};
#define ARG_INT(x)      ((struct store_arg){STORE_ARG_INT, {.i = (x)}, 0})
#define ARG_TEXT(x)     ((struct store_arg){STORE_ARG_TEXT, {.text = (x)}, -1})
#define ARG_TEXTN(x, n) ((struct store_arg){STORE_ARG_TEXT, {.text = (x)}, (int)(n)})
#define ARG_BLOB(p, n)  ((struct store_arg){STORE_ARG_BLOB, {.blob = (p)}, (int)(n)})
#define ARG_NULL        ARG_TEXT(NULL)
/* A list of them, as the two arguments (array, count) the functions below take. */
#define STORE_ARGS(...)                                                                            \
	(const struct store_arg[]){__VA_ARGS__},                                                   \
	    sizeof((const struct store_arg[]){__VA_ARGS__}) / sizeof(struct store_arg)

/* Bind args to ?1..?n of s: SQLITE_OK, or the first bind's error. */
int store_bind(sqlite3_stmt *s, const struct store_arg *args, size_t n);
/* The same from ?first: one row of a statement that inserts several. */
int store_bind_at(sqlite3_stmt *s, int first, const struct store_arg *args, size_t n);

/* store_prepare() then store_bind(); NULL after filling d with what. */
sqlite3_stmt *store_prepare_with(struct store *st, const char *sql, const char *what,
                                 struct diag *d, const struct store_arg *args, size_t n);

/* Prepare, bind and run one statement that returns no rows; -1 after filling d with what. */
int store_run_with(struct store *st, const char *sql, const char *what, struct diag *d,
                   const struct store_arg *args, size_t n);

/*
 * Where a row's column goes, N its place in a list: COL_INT, COL_I64,
 * COL_LONG, COL_BOOL (non-zero), COL_TEXT (NULL for NULL or when memory ran
 * out) or COL_BLOB (the bytes and their size). The member initialised checks
 * the destination's type. Text and blobs point into the row: valid until the
 * statement steps again.
 */
struct store_col {
	enum {
		STORE_COL_INT,
		STORE_COL_I64,
		STORE_COL_LONG,
		STORE_COL_BOOL,
		STORE_COL_TEXT,
		STORE_COL_BLOB
	} type;
	union {
		int *i;
		int64_t *i64;
		long *l;
		bool *b;
		const char **text;
		const void **blob;
	} to;
	size_t *len; /* blob: its size */
};
#define COL_INT(p)        ((struct store_col){STORE_COL_INT, {.i = (p)}, NULL})
#define COL_I64(p)        ((struct store_col){STORE_COL_I64, {.i64 = (p)}, NULL})
#define COL_LONG(p)       ((struct store_col){STORE_COL_LONG, {.l = (p)}, NULL})
#define COL_BOOL(p)       ((struct store_col){STORE_COL_BOOL, {.b = (p)}, NULL})
#define COL_TEXT(p)       ((struct store_col){STORE_COL_TEXT, {.text = (p)}, NULL})
#define COL_BLOB(p, size) ((struct store_col){STORE_COL_BLOB, {.blob = (p)}, (size)})
/* A list of them, as the two arguments (array, count) store_cols() takes. */
#define STORE_COLS(...)                                                                            \
	(const struct store_col[]){__VA_ARGS__},                                                   \
	    sizeof((const struct store_col[]){__VA_ARGS__}) / sizeof(struct store_col)

/* Read the current row of s, column i into cols[i - first], from column first on. */
void store_cols(sqlite3_stmt *s, int first, const struct store_col *cols, size_t n);

/*
 * The caller's typed callback and its context, for the each of
 * store_step_rows() that reads a row and hands it on: one member a kind of
 * row, so that each reader names the one it calls.
 */
struct row_fn {
	union {
		int (*outcome)(void *ctx, const struct store_outcome *o);
		int (*count)(void *ctx, const char *code, long n);
		int (*received)(void *ctx, int64_t id, int64_t received_at);
		int (*key)(void *ctx, int64_t key, int64_t id);
		int (*labelled)(void *ctx, const struct store_labelled *p);
		int (*worklist)(void *ctx, const struct store_worklist_row *r);
		int (*report)(void *ctx, const struct store_report_row *r);
		int (*entry)(void *ctx, const struct audit_entry *e);
	} fn;
	void *ctx;
};

/*
 * Step s to its first row: 0, the row there to read (the caller finalizes
 * s); 1 when there is none, or -1 after filling d with what, s finalized.
 */
int store_step_one(struct store *st, sqlite3_stmt *s, const char *what, struct diag *d);

/* Step a prepared statement that returns no rows, then finalize it; -1 after filling d. */
int store_run(struct store *st, sqlite3_stmt *s, const char *what, struct diag *d);
/* The same for a kept statement (of st->stmt[]): stepped, then reset for its next use. */
int store_run_kept(struct store *st, sqlite3_stmt *s, const char *what, struct diag *d);

/*
 * The *waiting rows waiting in the store (versions, priority history),
 * written as an INSERT of per_insert rows when there are that many, else one
 * a statement; then none waits (*waiting 0, also on failure) and data, the
 * bytes the rows point into, is emptied. bind binds rows[i] as the row-th
 * row of s: 0, or -1 when a bind failed.
 */
typedef int (*store_bind_row)(struct store *st, sqlite3_stmt *s, int row, const void *rows,
                              size_t i);
int store_write_waiting(struct store *st, enum stmt_id one, enum stmt_id many, size_t per_insert,
                        const void *rows, size_t *waiting, struct buf *data, store_bind_row bind,
                        const char *what, struct diag *d);

/* Run one statement that returns no rows (no parameters); -1 after filling d with what. */
int store_exec(struct store *st, const char *sql, const char *what, struct diag *d);

/* The statement id, prepared on first use; NULL after filling d. */
sqlite3_stmt *store_stmt(struct store *st, enum stmt_id id, struct diag *d);

/*
 * shared.c: with --shared, refuse (EX_CANTCREAT) a directory others can read
 * or write; record in meta that the store is shared; and name the file, its
 * mode, owner and group and the user when the store or its -wal/-shm files
 * (or their directory) refuse the user (EX_CONFIG). Each: 0, or -1 with d.
 */
int store_shared_dir_check(const char *path, struct diag *d);
int store_mark_shared(struct store *st, struct diag *d);
int store_access_check(const char *path, struct diag *d);

/*
 * quarantine.c: a record with package_ref ref (rlen bytes) was stored (or
 * found unchanged) by import import_id: its quarantined records not yet
 * resolved are resolved by it. 0, or -1 with d filled.
 */
int store_resolve_quarantine(struct store *st, int64_t import_id, const char *ref, size_t rlen,
                             int64_t now, struct diag *d);

#endif
