/*
 * Backup and restore (docs/operations.md). A backup is SQLite's online
 * backup API run in one read transaction of the store, so that readers and
 * writers carry on and the copy is the store as at one moment. The audit
 * spool's lines that the copied chain does not hold travel inside the copy,
 * in a table carried_spool(pos, line); a restore writes them as the new
 * store's spool, which its first write (the restore's own entry) folds into
 * the chain, each line checked in full as any spooled line is.
 */
#include "store-internal.h"

#include <unistd.h>

#define CARRIED_TABLE "carried_spool"

/* An error of the copy's own connection. */
static int copy_fail(sqlite3 *db, const char *path, int rc, const char *what, struct diag *d)
{
	int code = rc & 0xff;

	diag_at(d, path, 0, NULL);
	return diag_set(d,
	                code == SQLITE_IOERR || code == SQLITE_FULL ? EX_IOERR
	                : code == SQLITE_NOMEM                      ? EX_SOFTWARE
	                : code == SQLITE_CANTOPEN                   ? EX_CANTCREAT
	                                                            : EX_IOERR,
	                "%s: %s", what,
	                code == SQLITE_FULL ? "the disk is full"
	                : db                ? sqlite3_errmsg(db)
	                                    : sqlite3_errstr(rc));
}

/*
 * A failed copy is removed by its caller; its journal, which a write that
 * failed half-way leaves hot beside it, goes here, with the copy's connection.
 */
static void close_failed(sqlite3 *db, const char *dest)
{
	char path[4096];

	sqlite3_close(db);
	if (snprintf(path, sizeof(path), "%s-journal", dest) < (int)sizeof(path))
		(void)unlink(path);
}

/* The carried lines as rows of the copy. */
static int put_carried(sqlite3 *db, const char *path, const struct buf *lines, struct diag *d)
{
	const char *what = "writing the copy";
	sqlite3_stmt *s = NULL;
	size_t at = 0;
	int rc = sqlite3_exec(db,
	                      "BEGIN; CREATE TABLE " CARRIED_TABLE
	                      " (pos INTEGER PRIMARY KEY, line TEXT NOT NULL)",
	                      NULL, NULL, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, "INSERT INTO " CARRIED_TABLE " (line) VALUES (?1)", -1,
		                        &s, NULL);
	while (rc == SQLITE_OK && at < lines->len) {
		const char *nl = memchr(lines->data + at, '\n', lines->len - at);
		size_t end = nl ? (size_t)(nl - lines->data) : lines->len;

		rc = sqlite3_bind_text(s, 1, lines->data + at, (int)(end - at), SQLITE_STATIC);
		if (rc == SQLITE_OK)
			rc =
			    sqlite3_step(s) == SQLITE_DONE ? sqlite3_reset(s) : sqlite3_errcode(db);
		at = end + 1;
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : copy_fail(db, path, rc, what, d);
}

int store_backup(struct store *st, const char *dest, long *carried, struct diag *d)
{
	const char *what = "writing the copy";
	sqlite3_backup *b;
	sqlite3 *db = NULL;
	struct buf lines;
	int rc;

	buf_init(&lines);
	/* The snapshot begins here, with the spool read at the same moment. */
	if (store_spool_carry(st, &lines, carried, d) < 0) {
		buf_release(&lines);
		return -1;
	}
	rc = sqlite3_open_v2(dest, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "PRAGMA synchronous = FULL", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	b = sqlite3_backup_init(db, "main", st->db, "main");
	if (!b) {
		rc = sqlite3_errcode(db);
		goto fail;
	}
	/* Every page in one step: one read transaction of the store. */
	rc = sqlite3_backup_step(b, -1);
	if (sqlite3_backup_finish(b) != SQLITE_OK && rc == SQLITE_DONE)
		rc = sqlite3_errcode(db);
	if (rc != SQLITE_DONE) {
		/* The store's own error (a page it could not read) is told as the store's. */
		if ((rc & 0xff) != SQLITE_IOERR && (rc & 0xff) != SQLITE_FULL &&
		    sqlite3_errcode(st->db) != SQLITE_OK && sqlite3_errcode(db) == SQLITE_OK) {
			close_failed(db, dest);
			buf_release(&lines);
			return store_fail(st, rc, "reading the store", d);
		}
		goto fail;
	}
	/* One file, whatever journal the store keeps. */
	rc = sqlite3_exec(db, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	if (lines.len && put_carried(db, dest, &lines, d) < 0) {
		close_failed(db, dest);
		buf_release(&lines);
		return -1;
	}
	buf_release(&lines);
	rc = sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : copy_fail(NULL, dest, rc, what, d);
fail:
	(void)copy_fail(db, dest, rc, what, d);
	close_failed(db, dest);
	buf_release(&lines);
	return -1;
}

int store_check_integrity(struct store *st, struct diag *d)
{
	const char *what = "checking the copy";
	sqlite3_stmt *s = store_prepare(st, "PRAGMA integrity_check", what, d);
	int rc;

	if (!s)
		goto damaged;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(s, 0), "ok") == 0) {
		sqlite3_finalize(s);
		return 0;
	}
	if (rc == SQLITE_ROW) {
		diag_at(d, st->path, 0, NULL);
		diag_set(d, EX_DATAERR, "the copy is damaged: %s", sqlite3_column_text(s, 0));
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_finalize(s);
	(void)store_fail(st, rc, what, d);
damaged:
	if (d->code == EX_CONFIG || d->code == EX_SOFTWARE)
		d->code = EX_DATAERR;
	return -1;
}

int store_carried(struct store *st, struct buf *lines, long *n, struct diag *d)
{
	const char *what = "reading the copy's audit spool";
	sqlite3_stmt *s;
	bool has = false;
	int rc, err = 0;

	*n = 0;
	if (store_has_table(st, CARRIED_TABLE, &has, d) < 0)
		return -1;
	if (!has)
		return 0;
	s = store_prepare(st, "SELECT line FROM " CARRIED_TABLE " ORDER BY pos", what, d);
	if (!s)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		err |=
		    buf_add(lines, sqlite3_column_text(s, 0), (size_t)sqlite3_column_bytes(s, 0));
		err |= buf_addc(lines, '\n');
		(*n)++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, what, d);
	if (err) {
		diag_at(d, st->path, 0, NULL);
		return diag_set(d, EX_SOFTWARE, "out of memory");
	}
	return 0;
}

int store_restore_begin(struct store *st, const struct buf *lines, struct diag *d)
{
	const char *what = "writing the restored store";
	int rc = sqlite3_exec(st->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return store_fail(st, rc, what, d);
	if (lines->len && store_spool_put(st, lines, d) < 0)
		return -1;
	if (store_begin(st, d) < 0)
		return -1;
	if (store_exec(st, "DROP TABLE IF EXISTS " CARRIED_TABLE, what, d) < 0) {
		store_rollback(st);
		return -1;
	}
	return 0;
}
