/*
 * Quarantine you can work: reading the records refused at import, dismissing
 * them, and resolving them when their package_ref later imports cleanly.
 */
#include "store-internal.h"

static const char *col_text(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

static void read_row(sqlite3_stmt *s, struct store_quarantined *q)
{
	q->id = sqlite3_column_int64(s, 0);
	q->import_id = sqlite3_column_int64(s, 1);
	q->file = col_text(s, 2);
	q->line = (unsigned long)sqlite3_column_int64(s, 3);
	q->index = sqlite3_column_type(s, 4) == SQLITE_NULL ? -1 : (long)sqlite3_column_int64(s, 4);
	q->package_ref = col_text(s, 5);
	q->raw = sqlite3_column_blob(s, 6);
	q->raw_len = (size_t)sqlite3_column_bytes(s, 6);
	q->raw_size = (uint64_t)sqlite3_column_int64(s, 7);
	q->reasons = col_text(s, 8);
	q->created_at = sqlite3_column_int64(s, 9);
	q->dismissed_at = sqlite3_column_int64(s, 10);
	q->dismissed_by = col_text(s, 11);
	q->dismiss_note = col_text(s, 12);
	q->resolved_at = sqlite3_column_int64(s, 13);
	q->resolved_by_import = sqlite3_column_int64(s, 14);
	q->state = sqlite3_column_type(s, 13) != SQLITE_NULL   ? STORE_Q_RESOLVED
	           : sqlite3_column_type(s, 10) != SQLITE_NULL ? STORE_Q_DISMISSED
	                                                       : STORE_Q_OPEN;
}

int store_quarantine(struct store *st, int64_t id,
                     int (*fn)(void *ctx, const struct store_quarantined *q), void *ctx,
                     struct diag *d)
{
	sqlite3_stmt *s;
	int rc, ret = -1;
	bool any = false;

	s = store_prepare(
	    st,
	    "SELECT id, import_id, file, line, array_index, package_ref, raw, "
	    "raw_size, reasons, created_at, dismissed_at, dismissed_by, dismiss_note, "
	    "resolved_at, resolved_by_import FROM quarantine WHERE ?1 = 0 OR id = ?1 "
	    "ORDER BY id",
	    "reading quarantine", d);
	if (!s)
		return -1;
	if (sqlite3_bind_int64(s, 1, id) != SQLITE_OK) {
		ret = store_fail(st, SQLITE_ERROR, "reading quarantine", d);
		goto out;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_quarantined q;

		any = true;
		read_row(s, &q);
		if (fn(ctx, &q) < 0) {
			if (!d->message[0])
				diag_set(d, EX_IOERR, "write error");
			goto out;
		}
	}
	if (rc != SQLITE_DONE) {
		ret = store_fail(st, rc, "reading quarantine", d);
		goto out;
	}
	ret = (id > 0 && !any) ? 1 : 0;
out:
	sqlite3_finalize(s);
	return ret;
}

/* Record id's state and package_ref: 0, 1 when there is none, -1 with d filled. */
static int dismiss_find(struct store *st, int64_t id, bool *open, char *ref, size_t ref_size,
                        struct diag *d)
{
	sqlite3_stmt *s =
	    store_prepare_with(st,
	                       "SELECT dismissed_at IS NULL AND resolved_at IS NULL, "
	                       "package_ref FROM quarantine WHERE id = ?1",
	                       "dismissing a quarantined record", d, STORE_ARGS(ARG_INT(id)));
	int rc;

	if (!s)
		return -1;
	rc = sqlite3_step(s);
	ref[0] = '\0';
	if (rc == SQLITE_ROW) {
		const char *r = col_text(s, 1);

		*open = sqlite3_column_int(s, 0) != 0;
		if (r)
			(void)snprintf(ref, ref_size, "%s", r);
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return 1;
	if (rc != SQLITE_ROW)
		return store_fail(st, rc, "dismissing a quarantined record", d);
	return 0;
}

int store_quarantine_dismiss(struct store *st, int64_t id, const char *operator_name,
                             const char *note, int64_t now, char *ref, size_t ref_size,
                             struct diag *d)
{
	sqlite3_stmt *s;
	bool open = false;
	int rc = dismiss_find(st, id, &open, ref, ref_size, d);

	if (rc != 0)
		return rc;
	if (!open)
		return 2;
	s = store_prepare(st,
	                  "UPDATE quarantine SET dismissed_at = ?2, dismissed_by = ?3, "
	                  "dismiss_note = ?4 WHERE id = ?1",
	                  "dismissing a quarantined record", d);
	if (!s)
		return -1;
	if (sqlite3_bind_int64(s, 1, id) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, now) != SQLITE_OK ||
	    sqlite3_bind_text(s, 3, operator_name, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(s, 4, note, -1, SQLITE_STATIC) != SQLITE_OK) {
		sqlite3_finalize(s);
		return store_fail(st, SQLITE_ERROR, "dismissing a quarantined record", d);
	}
	return store_run(st, s, "dismissing a quarantined record", d);
}

int store_resolve_quarantine(struct store *st, int64_t import_id, const char *ref, size_t rlen,
                             int64_t now, struct diag *d)
{
	sqlite3_stmt *s;
	int64_t any;
	int rc;

	/* Most imports find nothing to resolve: ask once a transaction, not once a record. */
	if (!st->q_known) {
		if (store_one_int(
		        st,
		        "SELECT EXISTS (SELECT 1 FROM quarantine WHERE package_ref IS NOT "
		        "NULL AND resolved_at IS NULL)",
		        0, &any, "resolving quarantined records", d) < 0)
			return -1;
		st->q_known = true;
		st->q_any = st->q_any || any;
	}
	if (!st->q_any)
		return 0;
	s = store_stmt(st, S_RESOLVE_QUARANTINE, d);
	if (!s)
		return -1;
	if (sqlite3_bind_text(s, 1, ref, (int)rlen, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, import_id) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 3, now) != SQLITE_OK)
		return store_fail(st, SQLITE_ERROR, "resolving quarantined records", d);
	rc = sqlite3_step(s);
	sqlite3_reset(s); /* a kept statement: reset, never finalized */
	return rc == SQLITE_DONE ? 0 : store_fail(st, rc, "resolving quarantined records", d);
}
