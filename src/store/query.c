/* Reading packages, versions and quarantine for show and quarantine. */
#include "store-internal.h"

static const char *col_text(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

int store_get_package(struct store *st, const char *ref,
                      int (*pkg_fn)(void *ctx, const struct store_package *p),
                      int (*ver_fn)(void *ctx, const struct store_version *v), void *ctx,
                      struct diag *d)
{
	sqlite3_stmt *s = NULL;
	struct store_package p;
	int rc, ret = -1;

	rc = sqlite3_prepare_v2(
	    st->db,
	    "SELECT id, ref, latest_version, status, assigned_to, updated, "
	    "received_at, first_seen_at, changed_at, purged_at FROM packages WHERE ref = ?1",
	    -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, "reading a package", d);
	if (sqlite3_bind_text(s, 1, ref, -1, SQLITE_STATIC) != SQLITE_OK) {
		ret = store_fail(st, SQLITE_ERROR, "reading a package", d);
		goto out;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		ret = 1;
		goto out;
	}
	if (rc != SQLITE_ROW) {
		ret = store_fail(st, rc, "reading a package", d);
		goto out;
	}
	p.id = sqlite3_column_int64(s, 0);
	p.ref = col_text(s, 1);
	p.latest_version = sqlite3_column_int(s, 2);
	p.status = col_text(s, 3);
	p.assigned_to = col_text(s, 4);
	p.updated = sqlite3_column_int(s, 5) != 0;
	p.received_at = sqlite3_column_int64(s, 6);
	p.first_seen_at = sqlite3_column_int64(s, 7);
	p.changed_at = sqlite3_column_int64(s, 8);
	p.purged_at = sqlite3_column_type(s, 9) == SQLITE_NULL ? 0 : sqlite3_column_int64(s, 9);
	if (pkg_fn(ctx, &p) < 0) {
		diag_set(d, EX_IOERR, "write error");
		goto out;
	}
	sqlite3_finalize(s);
	rc = sqlite3_prepare_v2(st->db,
	                        "SELECT v.version, v.content_hash, v.imported_at, i.file, "
	                        "v.source_line, v.source_index, v.facts "
	                        "FROM package_versions v JOIN imports i ON i.id = v.import_id "
	                        "WHERE v.package_id = ?1 ORDER BY v.version DESC",
	                        -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, "reading versions", d);
	if (sqlite3_bind_int64(s, 1, p.id) != SQLITE_OK) {
		ret = store_fail(st, SQLITE_ERROR, "reading versions", d);
		goto out;
	}
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

int store_quarantine(struct store *st, int64_t id,
                     int (*fn)(void *ctx, const struct store_quarantined *q), void *ctx,
                     struct diag *d)
{
	sqlite3_stmt *s = NULL;
	int rc, ret = -1;
	bool any = false;

	rc = sqlite3_prepare_v2(st->db,
	                        "SELECT id, import_id, file, line, array_index, package_ref, raw, "
	                        "raw_size, reasons, created_at FROM quarantine "
	                        "WHERE ?1 = 0 OR id = ?1 ORDER BY id",
	                        -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, "reading quarantine", d);
	if (sqlite3_bind_int64(s, 1, id) != SQLITE_OK) {
		ret = store_fail(st, SQLITE_ERROR, "reading quarantine", d);
		goto out;
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_quarantined q;

		any = true;
		q.id = sqlite3_column_int64(s, 0);
		q.import_id = sqlite3_column_int64(s, 1);
		q.file = col_text(s, 2);
		q.line = (unsigned long)sqlite3_column_int64(s, 3);
		q.index = sqlite3_column_type(s, 4) == SQLITE_NULL
		              ? -1
		              : (long)sqlite3_column_int64(s, 4);
		q.package_ref = col_text(s, 5);
		q.raw = sqlite3_column_blob(s, 6);
		q.raw_len = (size_t)sqlite3_column_bytes(s, 6);
		q.raw_size = (uint64_t)sqlite3_column_int64(s, 7);
		q.reasons = col_text(s, 8);
		q.created_at = sqlite3_column_int64(s, 9);
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
