/*
 * The team's roster (casework.md section 5; schema 20): optional. When it has
 * a name, the names a change gives for a person (assign --to, --approved-by)
 * must be on it, in any case, so that DS.Patel and ds.patel are one person.
 */
#include "store-internal.h"

int store_team_add(struct store *st, const char *name, const char *operator_name, int64_t at,
                   bool *added, struct diag *d)
{
	if (store_run_with(st,
	                   "INSERT INTO team (name, added_at, added_by) VALUES (?1, ?2, ?3) "
	                   "ON CONFLICT (name) DO NOTHING",
	                   "adding to the roster", d,
	                   STORE_ARGS(ARG_TEXT(name), ARG_INT(at), ARG_TEXT(operator_name))) < 0)
		return -1;
	*added = sqlite3_changes(st->db) > 0;
	return 0;
}

int store_team_check(struct store *st, const char *field, const char *name,
                     char canon[STORE_NAME_MAX], struct diag *d)
{
	char nearest[STORE_FILTER_NEAREST];
	sqlite3_stmt *s;
	bool found;
	int rc;

	(void)snprintf(canon, STORE_NAME_MAX, "%s", name);
	s = store_prepare_with(st,
	                       "SELECT (SELECT name FROM team WHERE name = ?1), EXISTS "
	                       "(SELECT 1 FROM team)",
	                       "reading the roster", d, STORE_ARGS(ARG_TEXT(name)));
	if (!s)
		return -1;
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		return store_fail(st, rc, "reading the roster", d);
	}
	if (sqlite3_column_type(s, 0) != SQLITE_NULL)
		(void)snprintf(canon, STORE_NAME_MAX, "%s",
		               (const char *)sqlite3_column_text(s, 0));
	found = sqlite3_column_type(s, 0) != SQLITE_NULL || sqlite3_column_int(s, 1) == 0;
	sqlite3_finalize(s);
	if (found)
		return 0;
	if (store_filter_check(st, STORE_FILTER_TEAM, name, &found, nearest, d) < 0)
		return -1;
	diag_at(d, st->path, 0, field);
	diag_set(d, EX_DATAERR,
	         "'%s' is not on the team's roster ('reftriage team list'; 'reftriage team add "
	         "NAME' adds one)",
	         name);
	if (nearest[0])
		diag_suggest(d, nearest);
	return -1;
}

int store_team_remove(struct store *st, const char *name, char removed[STORE_NAME_MAX],
                      struct diag *d)
{
	if (store_team_check(st, "NAME", name, removed, d) < 0)
		return d->code == EX_DATAERR ? 1 : -1;
	/* Without a roster store_team_check passes every name: nothing is removed. */
	if (store_run_with(st, "DELETE FROM team WHERE name = ?1", "removing from the roster", d,
	                   STORE_ARGS(ARG_TEXT(removed))) < 0)
		return -1;
	if (sqlite3_changes(st->db) == 0) {
		diag_at(d, st->path, 0, "NAME");
		diag_set(d, EX_DATAERR, "'%s' is not on the team's roster (it has no names)", name);
		return 1;
	}
	return 0;
}

int store_team_each(struct store *st,
                    int (*fn)(void *ctx, const char *name, int64_t at, const char *by), void *ctx,
                    struct diag *d)
{
	sqlite3_stmt *s = store_prepare(
	    st, "SELECT name, added_at, added_by FROM team ORDER BY name", "reading the roster", d);
	int rc;

	if (!s)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (fn(ctx, (const char *)sqlite3_column_text(s, 0), sqlite3_column_int64(s, 1),
		       (const char *)sqlite3_column_text(s, 2)) < 0) {
			sqlite3_finalize(s);
			return -1;
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, "reading the roster", d);
	return 0;
}
