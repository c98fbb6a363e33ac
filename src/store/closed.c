/*
 * worklist --closed (casework.md section 5): the closed packages with the
 * worklist's filters, each with when and by whom it was closed (its latest
 * status change: a note after the close does not move it).
 */
#include "store-internal.h"

static sqlite3_stmt *closed_stmt(struct store *st, const struct store_worklist_query *q,
                                 bool count_only, struct diag *d)
{
	struct buf sql;
	sqlite3_stmt *s = NULL;
	size_t i;
	int rc, n = 0;

	buf_init(&sql);
	rc = buf_adds(&sql,
	              count_only
	                  ? "SELECT count(*)"
	                  : "SELECT coalesce(s.priority, -1), coalesce(s.score, 0), p.received_at, "
	                    "coalesce(s.due_at, 0), 0, p.ref, p.status, p.assigned_to, "
	                    "p.force_area, p.referral_type, s.fired, p.updated, NULL, "
	                    "coalesce(c.at, p.changed_at), c.operator");
	rc |= buf_adds(
	    &sql, " FROM packages p LEFT JOIN scores s ON s.package_id = p.id LEFT JOIN "
	          "package_events c ON c.id = (SELECT max(e.id) FROM package_events e "
	          "WHERE e.package_id = p.id AND e.action = 'status') WHERE NOT " STORE_IS_OPEN(
	              "p.status"));
	if (q->nstatuses) {
		rc |= buf_adds(&sql, " AND p.status IN (");
		for (i = 0; i < q->nstatuses; i++)
			rc |= buf_addf(&sql, "%s?%d", i ? ", " : "", ++n);
		rc |= buf_addc(&sql, ')');
	}
	if (q->npriorities) {
		rc |= buf_adds(&sql, " AND s.priority IN (");
		for (i = 0; i < q->npriorities; i++)
			rc |= buf_addf(&sql, "%s?%d", i ? ", " : "", ++n);
		rc |= buf_addc(&sql, ')');
	}
	if (q->no_force_area)
		rc |= buf_adds(&sql, " AND p.force_area IS NULL");
	else if (q->force_area)
		rc |= buf_addf(&sql, " AND p.force_area = ?%d COLLATE NOCASE", ++n);
	if (q->assigned_to)
		rc |= buf_addf(&sql, " AND p.assigned_to = ?%d COLLATE NOCASE", ++n);
	if (q->has_since)
		rc |= buf_addf(&sql, " AND p.received_at >= ?%d", ++n);
	if (q->has_changed_since) {
		++n;
		rc |= buf_addf(&sql,
		               " AND (EXISTS (SELECT 1 FROM package_versions v WHERE v.package_id "
		               "= p.id AND v.imported_at > ?%d) OR EXISTS (SELECT 1 FROM "
		               "package_events e WHERE e.package_id = p.id AND e.at > ?%d))",
		               n, n);
	}
	if (!count_only)
		rc |= buf_addf(&sql, " ORDER BY 14 DESC, p.ref LIMIT ?%d", ++n);
	if (rc) {
		buf_release(&sql);
		diag_at(d, st->path, 0, NULL);
		diag_set(d, EX_SOFTWARE, "out of memory");
		return NULL;
	}
	rc = sqlite3_prepare_v2(st->db, sql.data, -1, &s, NULL);
	buf_release(&sql);
	if (rc != SQLITE_OK) {
		(void)store_fail(st, rc, "reading the closed packages", d);
		return NULL;
	}
	n = 0;
	for (i = 0; rc == SQLITE_OK && i < q->nstatuses; i++)
		rc = sqlite3_bind_text(s, ++n, q->statuses[i], -1, SQLITE_STATIC);
	for (i = 0; rc == SQLITE_OK && i < q->npriorities; i++)
		rc = sqlite3_bind_int(s, ++n, q->priorities[i]);
	if (rc == SQLITE_OK && q->force_area && !q->no_force_area)
		rc = sqlite3_bind_text(s, ++n, q->force_area, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK && q->assigned_to)
		rc = sqlite3_bind_text(s, ++n, q->assigned_to, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK && q->has_since)
		rc = sqlite3_bind_int64(s, ++n, q->since);
	if (rc == SQLITE_OK && q->has_changed_since)
		rc = sqlite3_bind_int64(s, ++n, q->changed_since);
	if (rc == SQLITE_OK && !count_only)
		rc = sqlite3_bind_int64(s, ++n, q->limit > 0 ? q->limit : -1);
	if (rc != SQLITE_OK) {
		sqlite3_finalize(s);
		(void)store_fail(st, rc, "reading the closed packages", d);
		return NULL;
	}
	return s;
}

int store_closed_count(struct store *st, const struct store_worklist_query *q, long *count,
                       struct diag *d)
{
	sqlite3_stmt *s = closed_stmt(st, q, true, d);
	int rc;

	if (!s)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*count = (long)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return store_fail(st, rc, "reading the closed packages", d);
	return 0;
}

static int on_closed_row(sqlite3_stmt *s, void *x)
{
	struct row_fn *f = x;
	struct store_worklist_row r;

	memset(&r, 0, sizeof(r));
	store_cols(s, 0,
	           STORE_COLS(COL_INT(&r.priority), COL_I64(&r.score), COL_I64(&r.received_at),
	                      COL_I64(&r.due_at), COL_BOOL(&r.overdue), COL_TEXT(&r.ref),
	                      COL_TEXT(&r.status), COL_TEXT(&r.assigned_to),
	                      COL_TEXT(&r.force_area), COL_TEXT(&r.referral_type),
	                      COL_TEXT(&r.fired), COL_BOOL(&r.updated),
	                      COL_BLOB(&r.facts, &r.facts_len), COL_I64(&r.closed_at),
	                      COL_TEXT(&r.closed_by)));
	return f->fn.worklist(f->ctx, &r) < 0 ? -1 : 0;
}

int store_closed(struct store *st, const struct store_worklist_query *q,
                 int (*fn)(void *ctx, const struct store_worklist_row *r), void *ctx,
                 struct diag *d)
{
	struct row_fn f = {.fn.worklist = fn, .ctx = ctx};
	sqlite3_stmt *s = closed_stmt(st, q, false, d);

	if (!s)
		return -1;
	return store_step_rows(st, s, false, "reading the closed packages", on_closed_row, &f, d);
}
