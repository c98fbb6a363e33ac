/* Reading packages and versions for show (quarantine: quarantine.c). */
#include "store-internal.h"

#include "reftriage/text.h"

static const char *col_text(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

int store_get_package(struct store *st, const char *ref,
                      int (*pkg_fn)(void *ctx, const struct store_package *p),
                      int (*ver_fn)(void *ctx, const struct store_version *v), void *ctx,
                      struct diag *d)
{
	struct store_package p;
	int rc, ret = -1;
	/* purged_at is NULL, read as 0, unless purge erased the content. */
	sqlite3_stmt *s = store_prepare_with(
	    st,
	    "SELECT id, ref, latest_version, status, assigned_to, updated, "
	    "received_at, first_seen_at, changed_at, purged_at FROM packages WHERE ref = ?1",
	    "reading a package", d, STORE_ARGS(ARG_TEXT(ref)));

	if (!s)
		return -1;
	rc = store_step_one(st, s, "reading a package", d);
	if (rc != 0)
		return rc;
	store_cols(s, 0,
	           STORE_COLS(COL_I64(&p.id), COL_TEXT(&p.ref), COL_INT(&p.latest_version),
	                      COL_TEXT(&p.status), COL_TEXT(&p.assigned_to), COL_BOOL(&p.updated),
	                      COL_I64(&p.received_at), COL_I64(&p.first_seen_at),
	                      COL_I64(&p.changed_at), COL_I64(&p.purged_at)));
	if (pkg_fn(ctx, &p) < 0) {
		diag_set(d, EX_IOERR, "write error");
		goto out;
	}
	sqlite3_finalize(s);
	if (!ver_fn)
		return 0;
	s = store_prepare_with(st,
	                       "SELECT v.version, v.content_hash, v.imported_at, i.file, "
	                       "v.source_line, v.source_index, v.facts "
	                       "FROM package_versions v JOIN imports i ON i.id = v.import_id "
	                       "WHERE v.package_id = ?1 ORDER BY v.version DESC",
	                       "reading versions", d, STORE_ARGS(ARG_INT(p.id)));
	if (!s)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_version v;

		v.version = sqlite3_column_int(s, 0);
		v.hash = sqlite3_column_blob(s, 1);
		if (sqlite3_column_bytes(s, 1) != 32) {
			ret = store_fail(st, SQLITE_CORRUPT, "reading versions", d);
			goto out;
		}
		v.imported_at = sqlite3_column_int64(s, 2);
		v.file = col_text(s, 3);
		v.line = (unsigned long)sqlite3_column_int64(s, 4);
		v.index = sqlite3_column_type(s, 5) == SQLITE_NULL
		              ? -1
		              : (long)sqlite3_column_int64(s, 5);
		v.facts = sqlite3_column_blob(s, 6);
		v.facts_len = (size_t)sqlite3_column_bytes(s, 6);
		if (ver_fn(ctx, &v) < 0) {
			diag_set(d, EX_IOERR, "write error");
			goto out;
		}
	}
	if (rc != SQLITE_DONE) {
		ret = store_fail(st, rc, "reading versions", d);
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(s);
	return ret;
}

/* Version v's facts of package pid, decoded into p; EX_DATAERR in d when it has none. */
static int load_version(struct store *st, const char *ref, int64_t pid, int v, struct package *p,
                        struct diag *d)
{
	sqlite3_stmt *s = store_prepare_with(
	    st, "SELECT facts FROM package_versions WHERE package_id = ?1 AND version = ?2",
	    "reading versions", d, STORE_ARGS(ARG_INT(pid), ARG_INT(v)));
	int rc, ok = -1;

	if (!s)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(s, 0) > 0)
		ok = package_decode_facts(p, sqlite3_column_blob(s, 0),
		                          (size_t)sqlite3_column_bytes(s, 0));
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, rc, "reading versions", d);
	if (ok == 0)
		return 0;
	diag_at(d, st->path, 0, NULL);
	if (rc == SQLITE_DONE)
		return diag_set(d, EX_DATAERR, "%s has no version %d", ref, v);
	if (sqlite3_errcode(st->db) == SQLITE_NOMEM || package_oom(p))
		return diag_set(d, EX_SOFTWARE, "out of memory");
	return diag_set(d, EX_DATAERR, "%s: version %d's content was erased or cannot be read", ref,
	                v);
}

/* A package's id and latest version by ref; 1 when there is none. */
static int find_ref(struct store *st, const char *ref, int64_t *pid, int64_t *latest,
                    struct diag *d)
{
	sqlite3_stmt *s =
	    store_prepare_with(st, "SELECT id, latest_version FROM packages WHERE ref = ?1",
	                       "reading a package", d, STORE_ARGS(ARG_TEXT(ref)));
	int rc;

	if (!s)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*pid = sqlite3_column_int64(s, 0);
		*latest = sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return 1;
	return rc == SQLITE_ROW ? 0 : store_fail(st, rc, "reading a package", d);
}

int store_diff_versions(struct store *st, const char *ref, int from, int to,
                        int (*fn)(void *ctx, int field, const char *old, const char *new_value),
                        void *ctx, struct diag *d)
{
	struct package a, b;
	int64_t pid = 0, latest = 0;
	int rc;

	rc = find_ref(st, ref, &pid, &latest, d);
	if (rc != 0)
		return rc;
	if (from == 0 && to == 0) {
		to = (int)latest;
		from = to - 1;
	}
	if (from < 1 && latest == 1) {
		diag_at(d, st->path, 0, NULL);
		return diag_set(d, EX_DATAERR, "%s has one version only: nothing to compare", ref);
	}
	package_init(&a);
	package_init(&b);
	rc = -1;
	if (load_version(st, ref, pid, from, &a, d) == 0 &&
	    load_version(st, ref, pid, to, &b, d) == 0) {
		rc = package_diff(&a, &b, fn, ctx);
		if (rc == -1 && !d->message[0]) {
			diag_at(d, st->path, 0, NULL);
			diag_set(d, EX_SOFTWARE, "out of memory");
		}
	}
	package_release(&a);
	package_release(&b);
	return rc;
}

/* s[0..len) lower-cased (ASCII) into out (at least len + 1 bytes). */
static void lower(const char *s, size_t len, char *out)
{
	size_t i;

	for (i = 0; i < len; i++)
		out[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
	out[len] = '\0';
}

int store_filter_check(struct store *st, enum store_filter_field f, const char *value, bool *found,
                       char nearest[STORE_FILTER_NEAREST], struct diag *d)
{
	/*
	 * COLLATE NOCASE on the comparison, not lower() on the column: the
	 * comparison can use the NOCASE indexes of migration 16.
	 */
	static const char *const exact[] = {
	    "SELECT count(*) FROM (SELECT 1 FROM packages WHERE force_area = ?1 "
	    "COLLATE NOCASE LIMIT 1)",
	    "SELECT count(*) FROM (SELECT 1 FROM packages WHERE assigned_to = ?1 "
	    "COLLATE NOCASE LIMIT 1)",
	    "SELECT count(*) FROM team WHERE name = ?1"};
	static const char *const all[] = {
	    "SELECT DISTINCT force_area FROM packages WHERE force_area IS NOT NULL",
	    "SELECT DISTINCT assigned_to FROM packages WHERE assigned_to IS NOT NULL",
	    "SELECT name FROM team"};
	size_t vlen = strlen(value);
	char want[STORE_FILTER_NEAREST], have[STORE_FILTER_NEAREST];
	unsigned best = 4;
	sqlite3_stmt *s;
	int rc;

	nearest[0] = '\0';
	s = store_prepare_with(st, exact[f], "checking a filter", d, STORE_ARGS(ARG_TEXT(value)));
	if (!s)
		return -1;
	rc = sqlite3_step(s);
	*found = rc == SQLITE_ROW && sqlite3_column_int64(s, 0) > 0;
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return store_fail(st, rc, "checking a filter", d);
	if (*found || vlen >= STORE_FILTER_NEAREST)
		return 0;
	lower(value, vlen, want);
	s = store_prepare(st, all[f], "checking a filter", d);
	if (!s)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *v = col_text(s, 0);
		size_t len = v ? strlen(v) : 0;
		unsigned dist;

		if (!v || len >= STORE_FILTER_NEAREST)
			continue;
		lower(v, len, have);
		dist = text_distance(want, vlen, have, len, best - 1);
		/* A short word is near everything: only a close call for one. */
		if (dist < best && (vlen > 3 || dist <= 1)) {
			best = dist;
			memcpy(nearest, v, len + 1);
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, "checking a filter", d);
	return 0;
}
