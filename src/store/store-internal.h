/* Private to src/store/: the one place sqlite3.h is included. */
#ifndef REFTRIAGE_STORE_INTERNAL_H
#define REFTRIAGE_STORE_INTERNAL_H

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
	S_INSERT_VERSION,
	S_INSERT_KEY,
	S_DELETE_KEYS,
	S_LINKED,
	S_INSERT_QUARANTINE,
	S_RESOLVE_QUARANTINE,
	S_PUT_SCORE,
	S_AUDIT_REF,
	S_CONSULT_REF,
	S_AUDIT_REFS_OF,
	S_AUDIT_APPEND,
	S_OUTCOMES_OF,
	S_COUNT
};

struct store {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *stmt[S_COUNT];
	struct buf scratch; /* facts and keys of the package being stored */
	struct package old; /* a replaced version, decoded for its keys */
	bool in_tx;
	int64_t audit_seq;   /* the audit entry being built in this transaction; 0: none */
	int64_t audit_pos;   /* how many refs it has so far */
	bool reading;        /* a consultation's read transaction (consult.c) */
	size_t spool_folded; /* bytes of the audit spool folded in this transaction */
	/*
	 * Whether quarantine holds a record with a ref not yet resolved, as known
	 * in this transaction (q_known false: not yet asked): when it holds none,
	 * storing a package need not look (quarantine.c).
	 */
	bool q_known, q_any;
};

/* Append a consultation's entry to the spool, when the store is busy (spool.c). */
int store_spool_append(struct store *st, const struct store_audit_new *e, struct diag *d);
/* Fold the spooled audit entries into the chain, in the writer's transaction. */
int store_spool_fold(struct store *st, struct diag *d);
/* After a commit: drop the folded entries from the spool. */
void store_spool_settle(struct store *st);

/*
 * The open statuses, as an SQL list (cli.md): the others are closed. One
 * place, so that every query agrees on which packages are open.
 */
#define STORE_OPEN_STATUSES "('new', 'assigned', 'in_progress', 'reopened')"

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

/* Step a prepared statement that returns no rows, then finalize it; -1 after filling d. */
int store_run(struct store *st, sqlite3_stmt *s, const char *what, struct diag *d);

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
