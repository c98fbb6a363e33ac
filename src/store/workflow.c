/* The workflow: assignments, status changes and their history. */
#include "store-internal.h"

static int bind_opt(sqlite3_stmt *s, int i, const char *v)
{
	return v ? sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(s, i);
}

/* Prepare sql, or NULL after filling d. */
static sqlite3_stmt *prepare(struct store *st, const char *sql, struct diag *d)
{
	return store_prepare(st, sql, "recording the change", d);
}

/* Run s if every bind succeeded (bound is 0), else finalize it and fail. */
static int run_bound(struct store *st, sqlite3_stmt *s, int bound, struct diag *d)
{
	if (bound) {
		sqlite3_finalize(s);
		return store_fail(st, SQLITE_ERROR, "recording the change", d);
	}
	return store_run(st, s, "recording the change", d);
}

int store_workflow(struct store *st, int64_t package_id, const struct store_event *e,
                   struct diag *d)
{
	sqlite3_stmt *s;

	s = prepare(st,
	            "INSERT INTO package_events (package_id, at, operator, action, from_status, "
	            "to_status, assigned_to, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	            d);
	if (!s ||
	    run_bound(st, s,
	              sqlite3_bind_int64(s, 1, package_id) != SQLITE_OK ||
	                  sqlite3_bind_int64(s, 2, e->at) != SQLITE_OK ||
	                  sqlite3_bind_text(s, 3, e->operator_name, -1, SQLITE_STATIC) !=
	                      SQLITE_OK ||
	                  sqlite3_bind_text(s, 4, e->action, -1, SQLITE_STATIC) != SQLITE_OK ||
	                  sqlite3_bind_text(s, 5, e->from_status, -1, SQLITE_STATIC) != SQLITE_OK ||
	                  sqlite3_bind_text(s, 6, e->to_status, -1, SQLITE_STATIC) != SQLITE_OK ||
	                  bind_opt(s, 7, e->assigned_to) != SQLITE_OK ||
	                  bind_opt(s, 8, e->note) != SQLITE_OK,
	              d) < 0)
		return -1;
	s = prepare(st,
	            "UPDATE packages SET status = ?2, assigned_to = coalesce(?3, assigned_to), "
	            "updated = 0, changed_at = ?4 WHERE id = ?1",
	            d);
	if (!s ||
	    run_bound(st, s,
	              sqlite3_bind_int64(s, 1, package_id) != SQLITE_OK ||
	                  sqlite3_bind_text(s, 2, e->to_status, -1, SQLITE_STATIC) != SQLITE_OK ||
	                  bind_opt(s, 3, e->assigned_to) != SQLITE_OK ||
	                  sqlite3_bind_int64(s, 4, e->at) != SQLITE_OK,
	              d) < 0)
		return -1;
	/*
	 * A closed package is no longer rescored: freeze its score row at the
	 * store's current as_of and rule set, so that it keeps saying when and
	 * with what it was last scored (schemas/005-current-scores.sql).
	 */
	s = prepare(
	    st,
	    "UPDATE scores SET as_of = coalesce(as_of, (SELECT CAST(value AS INTEGER) FROM "
	    "meta WHERE key = 'scored_as_of')), rule_set_id = coalesce(rule_set_id, (SELECT "
	    "CAST(value AS INTEGER) FROM meta WHERE key = 'scored_rule_set')) WHERE "
	    "package_id = ?1 AND ?2 NOT IN " STORE_OPEN_STATUSES,
	    d);
	if (!s ||
	    run_bound(st, s,
	              sqlite3_bind_int64(s, 1, package_id) != SQLITE_OK ||
	                  sqlite3_bind_text(s, 2, e->to_status, -1, SQLITE_STATIC) != SQLITE_OK,
	              d) < 0)
		return -1;
	return 0;
}

int store_each_event(struct store *st, int64_t package_id,
                     int (*fn)(void *ctx, const struct store_event *e), void *ctx, struct diag *d)
{
	sqlite3_stmt *s = NULL;
	int rc;

	s = store_prepare(st,
	                  "SELECT at, operator, action, from_status, to_status, assigned_to, "
	                  "note FROM package_events WHERE package_id = ?1 ORDER BY id",
	                  "reading the history", d);
	if (!s)
		return -1;
	if (sqlite3_bind_int64(s, 1, package_id) != SQLITE_OK) {
		sqlite3_finalize(s);
		return store_fail(st, SQLITE_ERROR, "reading the history", d);
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_event e;

		e.at = sqlite3_column_int64(s, 0);
		e.operator_name = (const char *)sqlite3_column_text(s, 1);
		e.action = (const char *)sqlite3_column_text(s, 2);
		e.from_status = (const char *)sqlite3_column_text(s, 3);
		e.to_status = (const char *)sqlite3_column_text(s, 4);
		e.assigned_to = (const char *)sqlite3_column_text(s, 5);
		e.note = (const char *)sqlite3_column_text(s, 6);
		if (fn(ctx, &e) < 0) {
			sqlite3_finalize(s);
			return -1;
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, "reading the history", d);
	return 0;
}

int store_latest_facts(struct store *st, int64_t package_id, struct buf *facts, int *version,
                       struct diag *d)
{
	sqlite3_stmt *s = NULL;
	int rc;

	rc = sqlite3_prepare_v2(
	    st->db,
	    "SELECT v.version, v.facts FROM packages p JOIN package_versions v "
	    "ON v.package_id = p.id AND v.version = p.latest_version WHERE p.id = ?1",
	    -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, "reading a package", d);
	if (sqlite3_bind_int64(s, 1, package_id) != SQLITE_OK) {
		sqlite3_finalize(s);
		return store_fail(st, SQLITE_ERROR, "reading a package", d);
	}
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		return store_fail(st, rc == SQLITE_DONE ? SQLITE_CORRUPT : rc, "reading a package",
		                  d);
	}
	*version = sqlite3_column_int(s, 0);
	buf_reset(facts);
	rc = buf_add(facts, sqlite3_column_blob(s, 1), (size_t)sqlite3_column_bytes(s, 1));
	sqlite3_finalize(s);
	if (rc < 0)
		return store_fail(st, SQLITE_NOMEM, "reading a package", d);
	return 0;
}
