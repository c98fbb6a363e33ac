/* Writing imported packages, versions, linking keys and quarantine rows. */
#include "store-internal.h"

#include "reftriage/contract.h"
#include "reftriage/links.h"

static int bind_text(sqlite3_stmt *s, int i, const char *p, size_t n)
{
	if (!p)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_text(s, i, p, (int)n, SQLITE_STATIC);
}

int store_import_start(struct store *st, struct store_import *imp, struct diag *d)
{
	sqlite3_stmt *s;
	int rc;

	s = store_prepare(st,
	                  "INSERT INTO imports (file, format, operator, strict, started_at) "
	                  "VALUES (?1, ?2, ?3, ?4, ?5)",
	                  "recording the import", d);
	if (!s)
		return -1;
	if (sqlite3_bind_text(s, 1, imp->file, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(s, 2, imp->format, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(s, 3, imp->operator_name, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int(s, 4, imp->strict) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 5, imp->started_at) != SQLITE_OK) {
		sqlite3_finalize(s);
		return store_fail(st, SQLITE_ERROR, "recording the import", d);
	}
	if (store_run(st, s, "recording the import", d) < 0)
		return -1;
	imp->id = sqlite3_last_insert_rowid(st->db);
	s = store_prepare(st,
	                  "SELECT (SELECT coalesce(max(id), 0) FROM package_versions), "
	                  "(SELECT coalesce(max(id), 0) FROM quarantine)",
	                  "recording the import", d);
	if (!s)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		imp->first_version_id = sqlite3_column_int64(s, 0);
		imp->first_quarantine_id = sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return store_fail(st, rc, "recording the import", d);
	return 0;
}

int store_import_finish(struct store *st, const struct store_import *imp, int64_t now,
                        struct diag *d)
{
	sqlite3_stmt *s;

	s = store_prepare(st,
	                  "UPDATE imports SET file_hash = ?2, bytes = ?3, finished_at = ?4, "
	                  "n_new = ?5, n_updated = ?6, n_unchanged = ?7, n_rejected = ?8, "
	                  "n_withheld = ?9, stopped = ?10, format = ?11 WHERE id = ?1",
	                  "recording the import", d);
	if (!s)
		return -1;
	if (sqlite3_bind_int64(s, 1, imp->id) != SQLITE_OK ||
	    sqlite3_bind_blob(s, 2, imp->file_hash, 32, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 3, (sqlite3_int64)imp->bytes) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 4, now) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 5, (sqlite3_int64)imp->n_new) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 6, (sqlite3_int64)imp->n_updated) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 7, (sqlite3_int64)imp->n_unchanged) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 8, (sqlite3_int64)imp->n_rejected) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 9, (sqlite3_int64)imp->n_withheld) != SQLITE_OK ||
	    sqlite3_bind_int(s, 10, imp->stopped) != SQLITE_OK ||
	    sqlite3_bind_text(s, 11, imp->format, -1, SQLITE_STATIC) != SQLITE_OK) {
		sqlite3_finalize(s);
		return store_fail(st, SQLITE_ERROR, "recording the import", d);
	}
	return store_run(st, s, "recording the import", d);
}

/* What is known of a ref before a record of it is stored. */
struct known {
	int64_t pid;
	int version;   /* the latest */
	bool open;     /* its status is open */
	bool same;     /* some version has the record's content hash */
	char from[16]; /* its status */
};

/* Look up ref: 1 with what is known of it, 0 when new. */
static int find(struct store *st, const struct package *p, struct known *k, struct diag *d)
{
	sqlite3_stmt *s = store_stmt(st, S_FIND_REF, d);
	size_t rlen;
	const char *ref = package_str(p, F_PACKAGE_REF, &rlen);
	const char *status;
	int rc;

	if (!s || store_versions_flush(st, d) < 0) /* the file's own versions are compared too */
		return -1;
	if (bind_text(s, 1, ref, rlen) != SQLITE_OK ||
	    sqlite3_bind_blob(s, 2, p->hash, 32, SQLITE_STATIC) != SQLITE_OK)
		return store_fail(st, SQLITE_ERROR, "looking up a package", d);
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(s);
		return 0;
	}
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return store_fail(st, rc, "looking up a package", d);
	}
	k->pid = sqlite3_column_int64(s, 0);
	k->version = sqlite3_column_int(s, 1);
	status = (const char *)sqlite3_column_text(s, 2);
	k->open = store_status_open(status);
	(void)snprintf(k->from, sizeof(k->from), "%s", status ? status : "");
	k->same = sqlite3_column_int(s, 3) != 0;
	sqlite3_reset(s);
	return 1;
}

/*
 * A new version of a closed package reopens it (data-contract.md): the
 * change goes in its history as a status change by the importing operator.
 */
/* A new version ends a lowering override (S_LAPSE_EVENT says why). */
static int lapse_override(struct store *st, int64_t import_id, int64_t pid, int64_t now,
                          struct diag *d)
{
	const char *what = "ending an override";
	sqlite3_stmt *s = store_stmt(st, S_LAPSE_EVENT, d);

	if (!s)
		return -1;
	if (sqlite3_bind_int64(s, 1, pid) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, now) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 3, import_id) != SQLITE_OK)
		return store_fail(st, SQLITE_ERROR, what, d);
	if (store_run_kept(st, s, what, d) < 0)
		return -1;
	s = store_stmt(st, S_LAPSE_OVERRIDE, d);
	if (!s)
		return -1;
	if (sqlite3_bind_int64(s, 1, pid) != SQLITE_OK)
		return store_fail(st, SQLITE_ERROR, what, d);
	return store_run_kept(st, s, what, d);
}

static int record_reopen(struct store *st, int64_t import_id, const struct known *k, int version,
                         int64_t now, struct diag *d)
{
	sqlite3_stmt *s = store_stmt(st, S_REOPEN_EVENT, d);
	char note[48];

	if (!s)
		return -1;
	(void)snprintf(note, sizeof(note), "reopened: new version %d", version);
	if (sqlite3_bind_int64(s, 1, k->pid) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, now) != SQLITE_OK ||
	    sqlite3_bind_text(s, 3, k->from, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(s, 4, note, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 5, import_id) != SQLITE_OK)
		return store_fail(st, SQLITE_ERROR, "reopening a package", d);
	return store_run_kept(st, s, "reopening a package", d);
}

static int bind_summary_cols(sqlite3_stmt *s, int first, const struct package *p)
{
	const struct field_def *src = &contract_fields[F_SOURCE];
	const struct field_def *type = &contract_fields[F_REFERRAL_TYPE];
	size_t n;
	const char *fa = package_str(p, F_FORCE_AREA, &n);

	if (sqlite3_bind_int64(s, first, p->v[F_RECEIVED_AT]) != SQLITE_OK ||
	    sqlite3_bind_text(s, first + 1, src->values[p->v[F_SOURCE]], -1, SQLITE_STATIC) !=
	        SQLITE_OK ||
	    sqlite3_bind_text(s, first + 2, type->values[p->v[F_REFERRAL_TYPE]], -1,
	                      SQLITE_STATIC) != SQLITE_OK ||
	    bind_text(s, first + 3, fa, n) != SQLITE_OK)
		return -1;
	return 0;
}

int store_put_package(struct store *st, int64_t import_id, const struct package *p,
                      const void *facts, size_t facts_len, unsigned long line, long index,
                      int64_t now, enum store_put *res, struct diag *d)
{
	struct known k;
	struct pending_version v;
	int version = 0, rc;
	sqlite3_stmt *s;
	size_t rlen;
	const char *ref = package_str(p, F_PACKAGE_REF, &rlen);

	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	/*
	 * The package row is tried first: a new ref (every one, in a first
	 * import) is then one statement, not a lookup and an insert. A ref
	 * already stored is left as it is (ON CONFLICT on ref only; any other
	 * constraint still fails) and looked up.
	 */
	s = store_stmt(st, S_INSERT_PACKAGE, d);
	if (!s)
		return -1;
	if (bind_text(s, 1, ref, rlen) != SQLITE_OK || bind_summary_cols(s, 2, p) < 0 ||
	    sqlite3_bind_int64(s, 6, now) != SQLITE_OK)
		return store_fail(st, SQLITE_ERROR, "storing a package", d);
	if (store_run_kept(st, s, "storing a package", d) < 0)
		return -1;
	if (sqlite3_changes(st->db) == 1) {
		k.pid = sqlite3_last_insert_rowid(st->db);
		version = 1;
		*res = STORE_NEW;
	} else {
		rc = find(st, p, &k, d);
		if (rc < 0)
			return -1;
		if (rc == 0) /* the ref conflicted, yet is not there */
			return store_fail(st, SQLITE_CORRUPT, "storing a package", d);
		if (k.same) {
			*res = STORE_UNCHANGED;
			return store_resolve_quarantine(st, import_id, ref, rlen, now, d);
		}
		version = k.version + 1;
		if (store_drop_keys(st, k.pid, k.version, d) < 0 ||
		    (!k.open && record_reopen(st, import_id, &k, version, now, d) < 0))
			return -1;
		s = store_stmt(st, S_UPDATE_PACKAGE, d);
		if (!s)
			return -1;
		if (sqlite3_bind_int64(s, 1, k.pid) != SQLITE_OK ||
		    sqlite3_bind_int(s, 2, version) != SQLITE_OK ||
		    bind_summary_cols(s, 3, p) < 0 || sqlite3_bind_int64(s, 7, now) != SQLITE_OK)
			return store_fail(st, SQLITE_ERROR, "storing a package", d);
		if (store_run_kept(st, s, "storing a package", d) < 0 ||
		    lapse_override(st, import_id, k.pid, now, d) < 0)
			return -1;
		*res = k.open ? STORE_UPDATED : STORE_REOPENED;
	}
	if (!facts) {
		if (package_encode_facts(p, &st->scratch) < 0) {
			diag_at(d, st->path, 0, NULL);
			return diag_set(d, EX_SOFTWARE, "out of memory");
		}
		facts = st->scratch.data;
		facts_len = st->scratch.len;
	}
	v.pid = k.pid;
	v.version = version;
	memcpy(v.hash, p->hash, 32);
	v.import_id = import_id;
	v.line = (int64_t)line;
	v.index = index;
	v.now = now;
	v.facts_len = facts_len;
	if (store_add_version(st, &v, facts, d) < 0 || store_add_keys(st, p, k.pid, d) < 0)
		return -1;
	return store_resolve_quarantine(st, import_id, ref, rlen, now, d);
}

/*
 * Reasons are stored one a line, "FIELD<TAB>message". Neither part can hold
 * a tab or a line break: values in messages are shown escaped.
 */
static int reasons_text(struct buf *b, const struct reasons *r)
{
	size_t i;

	buf_reset(b);
	for (i = 0; i < r->n; i++)
		if (buf_addf(b, "%s\t%s\n", r->r[i].field, r->r[i].message) < 0)
			return -1;
	if (r->more && buf_addf(b, "record\tand %zu more reasons\n", r->more) < 0)
		return -1;
	return 0;
}

int store_put_quarantine(struct store *st, int64_t import_id, const struct store_reject *r,
                         int64_t now, struct diag *d)
{
	sqlite3_stmt *s = store_stmt(st, S_INSERT_QUARANTINE, d);

	if (!s)
		return -1;
	if (reasons_text(&st->scratch, r->reasons) < 0) {
		diag_at(d, st->path, 0, NULL);
		return diag_set(d, EX_SOFTWARE, "out of memory");
	}
	if (sqlite3_bind_int64(s, 1, import_id) != SQLITE_OK ||
	    sqlite3_bind_text(s, 2, r->file, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 3, (sqlite3_int64)r->line) != SQLITE_OK ||
	    (r->index >= 0 ? sqlite3_bind_int64(s, 4, r->index) : sqlite3_bind_null(s, 4)) !=
	        SQLITE_OK ||
	    bind_text(s, 5, r->package_ref, r->package_ref ? strlen(r->package_ref) : 0) !=
	        SQLITE_OK ||
	    sqlite3_bind_blob(s, 6, r->raw_len ? r->raw : "", (int)r->raw_len, SQLITE_STATIC) !=
	        SQLITE_OK ||
	    sqlite3_bind_int64(s, 7, (sqlite3_int64)r->raw_size) != SQLITE_OK ||
	    bind_text(s, 8, st->scratch.data, st->scratch.len) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 9, now) != SQLITE_OK ||
	    sqlite3_bind_blob(s, 10, r->raw_hash, 32, SQLITE_STATIC) != SQLITE_OK ||
	    (r->has_received ? sqlite3_bind_int64(s, 11, r->received_at)
	                     : sqlite3_bind_null(s, 11)) != SQLITE_OK)
		return store_fail(st, SQLITE_ERROR, "storing a rejected record", d);
	st->q_any = st->q_any || r->package_ref; /* one a later record may resolve */
	return store_run_kept(st, s, "storing a rejected record", d);
}
