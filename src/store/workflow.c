/* The workflow: assignments, status changes and their history. */
#include "store-internal.h"

int store_workflow(struct store *st, int64_t package_id, const struct store_event *e,
                   struct diag *d)
{
	const char *what = "recording the change";

	if (store_run_with(
	        st,
	        "INSERT INTO package_events (package_id, at, operator, action, "
	        "from_status, to_status, assigned_to, note, approved_by) VALUES (?1, ?2, "
	        "?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	        what, d,
	        STORE_ARGS(ARG_INT(package_id), ARG_INT(e->at), ARG_TEXT(e->operator_name),
	                   ARG_TEXT(e->action), ARG_TEXT(e->from_status), ARG_TEXT(e->to_status),
	                   ARG_TEXT(e->assigned_to), ARG_TEXT(e->note), ARG_TEXT(e->approved_by))) <
	    0)
		return -1;
	if (store_run_with(
	        st,
	        "UPDATE packages SET status = ?2, assigned_to = coalesce(?3, assigned_to), "
	        "updated = 0, changed_at = ?4 WHERE id = ?1",
	        what, d,
	        STORE_ARGS(ARG_INT(package_id), ARG_TEXT(e->to_status), ARG_TEXT(e->assigned_to),
	                   ARG_INT(e->at))) < 0)
		return -1;
	/*
	 * A closed package is no longer rescored: freeze its score row at the
	 * store's current as_of and rule set, so that it keeps saying when and
	 * with what it was last scored (schemas/005-current-scores.sql).
	 */
	return store_run_with(
	    st,
	    "UPDATE scores SET as_of = coalesce(as_of, (SELECT CAST(value AS INTEGER) FROM "
	    "meta WHERE key = 'scored_as_of')), rule_set_id = coalesce(rule_set_id, (SELECT "
	    "CAST(value AS INTEGER) FROM meta WHERE key = 'scored_rule_set')) WHERE "
	    "package_id = ?1 AND ?2 NOT IN " STORE_OPEN_STATUSES,
	    what, d, STORE_ARGS(ARG_INT(package_id), ARG_TEXT(e->to_status)));
}

int store_each_event(struct store *st, int64_t package_id,
                     int (*fn)(void *ctx, const struct store_event *e), void *ctx, struct diag *d)
{
	sqlite3_stmt *s = store_prepare_with(
	    st,
	    "SELECT at, operator, action, from_status, to_status, assigned_to, note, approved_by, "
	    "priority, direction, code FROM package_events WHERE package_id = ?1 ORDER BY id",
	    "reading the history", d, STORE_ARGS(ARG_INT(package_id)));
	int rc;

	if (!s)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_event e;

		store_cols(s, 0,
		           STORE_COLS(COL_I64(&e.at), COL_TEXT(&e.operator_name),
		                      COL_TEXT(&e.action), COL_TEXT(&e.from_status),
		                      COL_TEXT(&e.to_status), COL_TEXT(&e.assigned_to),
		                      COL_TEXT(&e.note), COL_TEXT(&e.approved_by),
		                      COL_TEXT(&e.priority), COL_TEXT(&e.direction),
		                      COL_TEXT(&e.code)));
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
