/*
 * Overrides (casework.md section 1): the one in force on a package, in the
 * overrides table, and each one made, cleared or lapsed as an 'override'
 * event in the package's history (schema 18). The rescore applies the one in
 * force (src/score/rescore.c); scores then hold the effective priority.
 */
#include "store-internal.h"

int store_get_override(struct store *st, int64_t package_id,
                       int (*fn)(void *ctx, const struct store_override *o), void *ctx,
                       struct diag *d)
{
	const char *what = "reading an override";
	sqlite3_stmt *s = store_prepare_with(
	    st,
	    "SELECT priority, band, direction, code, operator, approved_by, at, note FROM "
	    "overrides WHERE package_id = ?1",
	    what, d, STORE_ARGS(ARG_INT(package_id)));
	struct store_override o;
	int rc;

	if (!s)
		return -1;
	rc = store_step_one(st, s, what, d);
	if (rc != 0)
		return rc;
	store_cols(s, 0,
	           STORE_COLS(COL_TEXT(&o.priority), COL_INT(&o.band), COL_TEXT(&o.direction),
	                      COL_TEXT(&o.code), COL_TEXT(&o.operator_name),
	                      COL_TEXT(&o.approved_by), COL_I64(&o.at), COL_TEXT(&o.note)));
	if (!o.priority || !o.direction || !o.code || !o.operator_name || !o.note) {
		sqlite3_finalize(s);
		return store_fail(st, SQLITE_NOMEM, what, d);
	}
	rc = fn(ctx, &o);
	sqlite3_finalize(s);
	return rc < 0 ? -1 : 0;
}

/* The override event in the package's history; priority and direction NULL for an end. */
static int event(struct store *st, int64_t package_id, const char *status,
                 const struct store_override *o, struct diag *d)
{
	return store_run_with(
	    st,
	    "INSERT INTO package_events (package_id, at, operator, action, from_status, "
	    "to_status, note, approved_by, priority, direction, code) VALUES (?1, ?2, ?3, "
	    "'override', ?4, ?4, ?5, ?6, ?7, ?8, ?9)",
	    "recording the override", d,
	    STORE_ARGS(ARG_INT(package_id), ARG_INT(o->at), ARG_TEXT(o->operator_name),
	               ARG_TEXT(status), ARG_TEXT(o->note), ARG_TEXT(o->approved_by),
	               ARG_TEXT(o->priority), ARG_TEXT(o->direction), ARG_TEXT(o->code)));
}

int store_put_override(struct store *st, int64_t package_id, const char *status,
                       const struct store_override *o, struct diag *d)
{
	if (store_run_with(st,
	                   "INSERT OR REPLACE INTO overrides (package_id, priority, band, "
	                   "direction, code, operator, approved_by, at, note) VALUES (?1, ?2, ?3, "
	                   "?4, ?5, ?6, ?7, ?8, ?9)",
	                   "recording the override", d,
	                   STORE_ARGS(ARG_INT(package_id), ARG_TEXT(o->priority), ARG_INT(o->band),
	                              ARG_TEXT(o->direction), ARG_TEXT(o->code),
	                              ARG_TEXT(o->operator_name), ARG_TEXT(o->approved_by),
	                              ARG_INT(o->at), ARG_TEXT(o->note))) < 0)
		return -1;
	return event(st, package_id, status, o, d);
}

int store_clear_override(struct store *st, int64_t package_id, const char *status,
                         const char *operator_name, const char *approved_by, int64_t at,
                         const char *note, struct diag *d)
{
	struct store_override o;
	int64_t n;

	if (store_one_int(st, "SELECT count(*) FROM overrides WHERE package_id = ?1", package_id,
	                  &n, "reading an override", d) < 0)
		return -1;
	if (n == 0)
		return 1;
	memset(&o, 0, sizeof(o));
	o.operator_name = operator_name;
	o.approved_by = approved_by;
	o.at = at;
	o.note = note;
	if (store_run_with(st, "DELETE FROM overrides WHERE package_id = ?1",
	                   "clearing the override", d, STORE_ARGS(ARG_INT(package_id))) < 0)
		return -1;
	return event(st, package_id, status, &o, d);
}

int store_each_override(struct store *st,
                        int (*fn)(void *ctx, int64_t package_id, const struct store_override *o),
                        void *ctx, struct diag *d)
{
	const char *what = "reading the overrides";
	sqlite3_stmt *s = store_prepare_with(
	    st,
	    "SELECT package_id, priority, band, direction, code, operator, approved_by, at, note "
	    "FROM overrides ORDER BY package_id",
	    what, d, NULL, 0);
	int rc;

	if (!s)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_override o;
		int64_t id;

		store_cols(s, 0,
		           STORE_COLS(COL_I64(&id), COL_TEXT(&o.priority), COL_INT(&o.band),
		                      COL_TEXT(&o.direction), COL_TEXT(&o.code),
		                      COL_TEXT(&o.operator_name), COL_TEXT(&o.approved_by),
		                      COL_I64(&o.at), COL_TEXT(&o.note)));
		if (!o.priority || !o.direction) {
			rc = SQLITE_NOMEM;
			break;
		}
		if (fn(ctx, id, &o) < 0) {
			sqlite3_finalize(s);
			return -1;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, rc, what, d);
}

int store_each_override_made(struct store *st, int64_t from, int64_t to,
                             int (*fn)(void *ctx, const char *priority, bool up, long n), void *ctx,
                             struct diag *d)
{
	const char *what = "counting the overrides";
	sqlite3_stmt *s = store_prepare_with(
	    st,
	    "SELECT priority, direction = 'up', count(*) FROM package_events WHERE action = "
	    "'override' AND priority IS NOT NULL AND at >= ?1 AND at < ?2 GROUP BY 1, 2 ORDER BY "
	    "1, 2",
	    what, d, STORE_ARGS(ARG_INT(from), ARG_INT(to)));
	int rc;

	if (!s)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *prio = (const char *)sqlite3_column_text(s, 0);

		if (!prio) {
			rc = SQLITE_NOMEM;
			break;
		}
		if (fn(ctx, prio, sqlite3_column_int(s, 1) != 0, (long)sqlite3_column_int64(s, 2)) <
		    0) {
			sqlite3_finalize(s);
			return -1;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, rc, what, d);
}

int store_nfa_counts(struct store *st, int64_t from, int64_t to, struct store_nfa_counts *out,
                     struct diag *d)
{
	const char *what = "counting the NFA decisions";
	sqlite3_stmt *s = store_prepare_with(
	    st,
	    "SELECT count(*), count(approved_by) FROM package_events WHERE action = 'status' AND "
	    "to_status = 'nfa' AND at >= ?1 AND at < ?2",
	    what, d, STORE_ARGS(ARG_INT(from), ARG_INT(to)));
	int rc;

	memset(out, 0, sizeof(*out));
	if (!s)
		return -1;
	rc = store_step_one(st, s, what, d);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		out->total = (long)sqlite3_column_int64(s, 0);
		out->signed_off = (long)sqlite3_column_int64(s, 1);
		sqlite3_finalize(s);
	}
	return 0;
}
