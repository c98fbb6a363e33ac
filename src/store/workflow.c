/* The workflow: assignments, status changes and their history. */
#include "store-internal.h"

int store_workflow(struct store *st, int64_t package_id, const struct store_event *e,
                   struct diag *d)
{
	const char *what = "recording the change";

	if (store_run_with(
	        st,
	        "INSERT INTO package_events (package_id, at, operator, action, "
	        "from_status, to_status, assigned_to, note, of_package_id, "
	        "transfer_to, their_ref, approved_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
	        "nullif(?9, 0), ?10, ?11, ?12)",
	        what, d,
	        STORE_ARGS(ARG_INT(package_id), ARG_INT(e->at), ARG_TEXT(e->operator_name),
	                   ARG_TEXT(e->action), ARG_TEXT(e->from_status), ARG_TEXT(e->to_status),
	                   ARG_TEXT(e->assigned_to), ARG_TEXT(e->note), ARG_INT(e->of_package_id),
	                   ARG_TEXT(e->transfer_to), ARG_TEXT(e->their_ref),
	                   ARG_TEXT(e->approved_by))) < 0)
		return -1;
	/* A note is history only: the package, its mark and its score stay as they are. */
	if (strcmp(e->action, "note") == 0)
		return 0;
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
	    "package_id = ?1 AND NOT " STORE_IS_OPEN("?2"),
	    what, d, STORE_ARGS(ARG_INT(package_id), ARG_TEXT(e->to_status)));
}

int store_each_event(struct store *st, int64_t package_id,
                     int (*fn)(void *ctx, const struct store_event *e), void *ctx, struct diag *d)
{
	sqlite3_stmt *s = store_prepare_with(
	    st,
	    "SELECT e.at, e.operator, e.action, e.from_status, e.to_status, e.assigned_to, "
	    "e.note, e.of_package_id, o.ref, e.transfer_to, e.their_ref, e.approved_by, "
	    "e.priority, e.direction, e.code FROM package_events e LEFT JOIN packages o ON "
	    "o.id = e.of_package_id WHERE e.package_id = ?1 ORDER BY e.id",
	    "reading the history", d, STORE_ARGS(ARG_INT(package_id)));
	int rc;

	if (!s)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_event e;

		store_cols(
		    s, 0,
		    STORE_COLS(
		        COL_I64(&e.at), COL_TEXT(&e.operator_name), COL_TEXT(&e.action),
		        COL_TEXT(&e.from_status), COL_TEXT(&e.to_status), COL_TEXT(&e.assigned_to),
		        COL_TEXT(&e.note), COL_I64(&e.of_package_id), COL_TEXT(&e.of_ref),
		        COL_TEXT(&e.transfer_to), COL_TEXT(&e.their_ref), COL_TEXT(&e.approved_by),
		        COL_TEXT(&e.priority), COL_TEXT(&e.direction), COL_TEXT(&e.code)));
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

int store_each_duplicate(struct store *st, int64_t package_id,
                         int (*fn)(void *ctx, const char *ref), void *ctx, struct diag *d)
{
	/* A duplicate's latest closing is the event that made it one. */
	sqlite3_stmt *s = store_prepare_with(
	    st,
	    "SELECT p.ref FROM package_events e JOIN packages p ON p.id = e.package_id WHERE "
	    "e.of_package_id = ?1 AND p.status = 'duplicate' AND e.id = (SELECT max(l.id) FROM "
	    "package_events l WHERE l.package_id = p.id AND l.action = 'status') ORDER BY p.ref",
	    "reading the duplicates", d, STORE_ARGS(ARG_INT(package_id)));
	int rc;

	if (!s)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (fn(ctx, (const char *)sqlite3_column_text(s, 0)) < 0) {
			sqlite3_finalize(s);
			return -1;
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, "reading the duplicates", d);
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
