/*
 * Quarantine you can work: reading the records refused at import, dismissing
 * them, and resolving them when their package_ref later imports cleanly.
 */
#include "store-internal.h"

#include "reftriage/alloc.h"
#include "reftriage/hash.h"

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

int store_quarantine_known(struct store *st, const unsigned char *raw_hash, uint64_t raw_size,
                           bool *known, struct diag *d)
{
	sqlite3_stmt *s = store_stmt(st, S_QUARANTINE_KNOWN, d);
	int rc;

	*known = false;
	if (raw_size == 0)
		return 0; /* nothing of it was kept (a file that could not be read): never known */
	if (!s)
		return -1;
	if (sqlite3_bind_blob(s, 1, raw_hash, 32, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, (sqlite3_int64)raw_size) != SQLITE_OK)
		return store_fail(st, SQLITE_ERROR, "looking for a known reject", d);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*known = sqlite3_column_int(s, 0) != 0;
	sqlite3_reset(s); /* a kept statement: reset, never finalized */
	return rc == SQLITE_ROW ? 0 : store_fail(st, rc, "looking for a known reject", d);
}

void store_qopen_release(struct store_qopen *q)
{
	size_t i;

	if (!q)
		return;
	for (i = 0; i < q->nitems; i++) {
		rt_free(q->items[i].package_ref);
		rt_free(q->items[i].file);
		rt_free(q->items[i].field);
		rt_free(q->items[i].message);
	}
	rt_free(q->items);
	memset(q, 0, sizeof(*q));
}

static char *dup_col(sqlite3_stmt *s, int i, bool *oom)
{
	const char *t = col_text(s, i);
	char *p;

	if (!t)
		return NULL;
	p = rt_memdup0(t, (size_t)sqlite3_column_bytes(s, i));
	*oom = *oom || !p;
	return p;
}

/* The item's first reason, from the stored "FIELD<TAB>message" lines. */
static void first_reason(struct store_qitem *it, const char *reasons, bool *oom)
{
	size_t len = strcspn(reasons, "\n");
	const char *tab = memchr(reasons, '\t', len);

	if (tab) {
		it->field = rt_memdup0(reasons, (size_t)(tab - reasons));
		it->message = rt_memdup0(tab + 1, len - (size_t)(tab - reasons) - 1);
	} else {
		it->field = rt_memdup0("record", 6);
		it->message = rt_memdup0(reasons, len);
	}
	*oom = *oom || !it->field || !it->message;
}

/* The open records: a row each, read into q->items. */
static int read_open(struct store *st, size_t max_items, struct store_qopen *q, struct diag *d)
{
	const char *what = "reading quarantine";
	sqlite3_stmt *s;
	bool oom = false;
	int rc;

	q->items = rt_calloc(max_items, sizeof(*q->items));
	if (!q->items) {
		diag_at(d, st->path, 0, NULL);
		return diag_set(d, EX_SOFTWARE, "out of memory");
	}
	s = store_prepare_with(st,
	                       "SELECT id, package_ref, received_at, file, line, array_index, "
	                       "reasons FROM quarantine WHERE dismissed_at IS NULL AND "
	                       "resolved_at IS NULL ORDER BY id LIMIT ?1",
	                       what, d, STORE_ARGS(ARG_INT((int64_t)max_items)));
	if (!s)
		return -1;
	while (!oom && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_qitem *it = &q->items[q->nitems++];

		it->id = sqlite3_column_int64(s, 0);
		it->package_ref = dup_col(s, 1, &oom);
		it->has_received = sqlite3_column_type(s, 2) != SQLITE_NULL;
		it->received_at = sqlite3_column_int64(s, 2);
		it->file = dup_col(s, 3, &oom);
		it->line = (unsigned long)sqlite3_column_int64(s, 4);
		it->index = sqlite3_column_type(s, 5) == SQLITE_NULL
		                ? -1
		                : (long)sqlite3_column_int64(s, 5);
		first_reason(it, col_text(s, 6) ? col_text(s, 6) : "", &oom);
	}
	sqlite3_finalize(s);
	if (oom) {
		diag_at(d, st->path, 0, NULL);
		return diag_set(d, EX_SOFTWARE, "out of memory");
	}
	return rc == SQLITE_DONE ? 0 : store_fail(st, rc, what, d);
}

int store_quarantine_open(struct store *st, size_t max_items, struct store_qopen *q, struct diag *d)
{
	const char *what = "counting open quarantined records";
	sqlite3_stmt *s;

	memset(q, 0, sizeof(*q));
	/* Through the index of the open records only (schema 17): alert stays fast. */
	s = store_prepare(st,
	                  "SELECT count(*), min(coalesce(received_at, created_at)) FROM "
	                  "quarantine WHERE dismissed_at IS NULL AND resolved_at IS NULL",
	                  what, d);
	if (!s || store_step_one(st, s, what, d) != 0)
		return -1;
	q->open = (long)sqlite3_column_int64(s, 0);
	q->has_oldest = sqlite3_column_type(s, 1) != SQLITE_NULL;
	q->oldest_received = sqlite3_column_int64(s, 1);
	sqlite3_finalize(s);
	if (q->open == 0 || max_items == 0)
		return 0;
	if (read_open(st, max_items < (size_t)q->open ? max_items : (size_t)q->open, q, d) < 0) {
		store_qopen_release(q);
		return -1;
	}
	return 0;
}

/* rt_blake2b(blob): BLAKE2b-256 of the bytes, for schema 17's raw_hash of the rows before it. */
static void blake2b_fn(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	const void *p = sqlite3_value_blob(argv[0]);
	int n = sqlite3_value_bytes(argv[0]);
	unsigned char h[HASH_BYTES];

	(void)argc;
	if (!p && n > 0) {
		sqlite3_result_error_nomem(cx);
		return;
	}
	hash_bytes(h, p ? p : "", (size_t)n);
	sqlite3_result_blob(cx, h, HASH_BYTES, SQLITE_TRANSIENT);
}

int store_quarantine_functions(struct store *st, bool on)
{
	const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY;

	return sqlite3_create_function(st->db, "rt_blake2b", 1, flags, NULL, on ? blake2b_fn : NULL,
	                               NULL, NULL) == SQLITE_OK
	           ? 0
	           : -1;
}
