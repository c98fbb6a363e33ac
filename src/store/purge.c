/* Erasure past retention: the content of closed packages goes, the record of them stays. */
#include "store-internal.h"

static int run1(struct store *st, const char *sql, int64_t id, long *changed, struct diag *d)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);

	if (rc != SQLITE_OK)
		return store_fail(st, rc, "erasing a package", d);
	if (sqlite3_bind_int64(s, 1, id) != SQLITE_OK) {
		sqlite3_finalize(s);
		return store_fail(st, SQLITE_ERROR, "erasing a package", d);
	}
	if (store_run(st, s, "erasing a package", d) < 0)
		return -1;
	if (changed)
		*changed += (long)sqlite3_changes(st->db);
	return 0;
}

static int exec_plain(struct store *st, const char *sql, struct diag *d)
{
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return store_fail(st, rc, "erasing packages", d);
	return 0;
}

int store_purge(struct store *st, struct store_purge *p,
                int (*fn)(void *ctx, const char *ref, int64_t closed_at), void *ctx, struct diag *d)
{
	sqlite3_stmt *s = NULL;
	int rc, r = 0;

	/* Pages freed from now on are zeroed, not left for a file reader to find. */
	if (store_keys_flush(st, d) < 0 || exec_plain(st, "PRAGMA secure_delete = ON", d) < 0 ||
	    exec_plain(st, "DROP TABLE IF EXISTS temp.purge_set", d) < 0)
		return -1;
	/* The packages to erase, chosen before anything changes. */
	rc = sqlite3_prepare_v2(
	    st->db,
	    "CREATE TEMP TABLE purge_set AS SELECT p.id AS id, p.ref AS ref, (SELECT max(e.at) "
	    "FROM package_events e WHERE e.package_id = p.id AND e.action <> 'note') AS closed_at "
	    "FROM packages p WHERE "
	    "NOT " STORE_IS_OPEN("p.status") " AND p.purged_at IS NULL AND "
	                                     "closed_at < ?1 ORDER BY closed_at, p.ref",
	    -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, "finding packages to erase", d);
	if (sqlite3_bind_int64(s, 1, p->closed_before) != SQLITE_OK) {
		sqlite3_finalize(s);
		return store_fail(st, SQLITE_ERROR, "finding packages to erase", d);
	}
	if (store_run(st, s, "finding packages to erase", d) < 0)
		return -1;
	rc = sqlite3_prepare_v2(
	    st->db, "SELECT id, ref, closed_at FROM temp.purge_set ORDER BY rowid", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, "finding packages to erase", d);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		sqlite3_stmt *u = NULL;

		if ((r = fn(ctx, (const char *)sqlite3_column_text(s, 1),
		            sqlite3_column_int64(s, 2))) != 0)
			break;
		p->packages++;
		if (p->dry_run)
			continue;
		store_keys_changed(st);
		if (run1(st, "UPDATE package_versions SET facts = x'' WHERE package_id = ?1", id,
		         &p->versions, d) < 0 ||
		    run1(st, "DELETE FROM scores WHERE package_id = ?1", id, &p->scores, d) < 0 ||
		    /* An outcome's code, date and count stay (for backtests); its note goes. */
		    run1(st, "UPDATE outcomes SET note = NULL WHERE package_id = ?1", id, NULL, d) <
		        0 ||
		    /* The override in force goes (its note with it); its events stay, as others do.
		     */
		    run1(st, "DELETE FROM overrides WHERE package_id = ?1", id, NULL, d) < 0 ||
		    run1(st,
		         "DELETE FROM quarantine WHERE package_ref = (SELECT ref FROM packages "
		         "WHERE id = ?1)",
		         id, &p->quarantined, d) < 0) {
			r = -1;
			break;
		}
		rc = sqlite3_prepare_v2(st->db, "UPDATE packages SET purged_at = ?2 WHERE id = ?1",
		                        -1, &u, NULL);
		if (rc != SQLITE_OK || sqlite3_bind_int64(u, 1, id) != SQLITE_OK ||
		    sqlite3_bind_int64(u, 2, p->now) != SQLITE_OK ||
		    sqlite3_step(u) != SQLITE_DONE) {
			sqlite3_finalize(u);
			r = store_fail(st, sqlite3_errcode(st->db), "erasing a package", d);
			break;
		}
		sqlite3_finalize(u);
		/* Its priority history goes with it: the table's trigger allows that once erased.
		 */
		if (run1(st, "DELETE FROM priority_history WHERE package_id = ?1", id, NULL, d) <
		    0) {
			r = -1;
			break;
		}
	}
	sqlite3_finalize(s);
	if (r != 0)
		return r;
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, "finding packages to erase", d);
	/*
	 * Their linking keys, in one pass over the table: it is kept in key
	 * order only (keys.c), and an erased package's facts no longer name them.
	 */
	if (!p->dry_run &&
	    exec_plain(
	        st, "DELETE FROM package_keys WHERE package_id IN (SELECT id FROM temp.purge_set)",
	        d) < 0)
		return -1;
	return exec_plain(st, "DROP TABLE temp.purge_set", d);
}

int store_purge_settle(struct store *st, struct diag *d)
{
	sqlite3_stmt *s = store_prepare(st, "PRAGMA wal_checkpoint(TRUNCATE)",
	                                "settling the erasure into the store", d);
	int rc, busy = 0;

	if (!s)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		busy = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return store_fail(st, rc, "settling the erasure into the store", d);
	if (busy) {
		/* Another reftriage was reading: the old pages wait in the WAL for its end. */
		diag_at(d, st->path, 0, NULL);
		return diag_set(d, EX_TEMPFAIL,
		                "the erasure is committed, but another reftriage was reading, so "
		                "the erased pages are still in the write-ahead log until the next "
		                "checkpoint; run the purge again when the store is quiet to clear "
		                "them");
	}
	return 0;
}
