/*
 * Consultations never wait on a writer (issue 14; docs/security.md).
 *
 * A reader reads in a deferred transaction: WAL lets it read while an import
 * writes. The refs it shows are noted in a temporary table (the connection's
 * own, so no write lock on the store). Its s.62 entry is then appended with
 * the write lock, waited for up to the reader's --wait; past that the entry
 * goes to the spool (spool.c), which the next writer folds into the chain.
 * The refs a reader names reach the temporary table through store_audit_ref
 * (audit.c).
 */
#include "store-internal.h"

#define CONSULT_TABLE                                                                              \
	"CREATE TEMP TABLE IF NOT EXISTS consulted (pos INTEGER PRIMARY KEY, ref TEXT)"

int store_begin_read(struct store *st, struct diag *d)
{
	const char *what = "reading the store";

	if (store_exec(st, CONSULT_TABLE, what, d) < 0 ||
	    store_exec(st, "DELETE FROM consulted", what, d) < 0 ||
	    store_exec(st, "BEGIN", what, d) < 0)
		return -1;
	st->in_tx = true;
	st->reading = true;
	st->audit_seq = st->audit_pos = 0;
	return 0;
}

/* The refs noted while reading become the refs of the entry being built. */
static int copy_consulted(struct store *st, struct diag *d)
{
	unsigned char h[HASH_BYTES];
	sqlite3_stmt *s;
	int64_t last;
	int rc;

	if (store_audit_head(st, &last, h, d) < 0)
		return -1;
	s = store_prepare(st,
	                  "INSERT INTO audit_refs (seq, pos, ref) SELECT ?1, pos, ref FROM "
	                  "consulted ORDER BY pos",
	                  "writing the audit trail", d);
	if (!s)
		return -1;
	rc = sqlite3_bind_int64(s, 1, last + 1);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, "writing the audit trail", d);
	st->audit_seq = last + 1;
	st->audit_pos = sqlite3_changes64(st->db);
	return 0;
}

int store_audit_consult(struct store *st, const struct store_audit_new *e, int wait_ms,
                        bool *spooled, struct diag *d)
{
	int rc;

	*spooled = false;
	/* The reading is over: end its snapshot, keep the noted refs (a temp table). */
	if (store_exec(st, "COMMIT", "reading the store", d) < 0)
		return -1;
	st->in_tx = st->reading = false;
	(void)sqlite3_busy_timeout(st->db, wait_ms);
	rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc == SQLITE_BUSY) {
		*spooled = true;
		return store_spool_append(st, e, d);
	}
	if (rc != SQLITE_OK)
		return store_fail(st, rc, "writing the audit trail", d);
	st->in_tx = true;
	st->audit_seq = st->audit_pos = 0;
	if (store_spool_fold(st, d) < 0 || copy_consulted(st, d) < 0 ||
	    store_audit_append(st, e, NULL, d) < 0 || store_commit(st, d) < 0)
		goto fail;
	return 0;
fail:
	store_rollback(st);
	return -1;
}
