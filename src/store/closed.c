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
	rc |= store_filters_sql(&sql, q, q->npriorities, "p", &n);
	if (!count_only)
		rc |= buf_addf(&sql, " ORDER BY 14 DESC, p.ref LIMIT ?%d", ++n);
	s = store_prepare_built(st, &sql, rc, "reading the closed packages", d);
	if (!s)
		return NULL;
	n = 0;
	rc = store_bind_filters(s, q, q->npriorities, &n);
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
	return store_count_of(st, closed_stmt(st, q, true, d), count, "reading the closed packages",
	                      d);
}

static int on_closed_row(sqlite3_stmt *s, void *x)
{
	struct row_fn *f = x;
	struct store_worklist_row r;

	store_cols(s, store_worklist_cols(s, &r),
	           STORE_COLS(COL_I64(&r.closed_at), COL_TEXT(&r.closed_by)));
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
