/*
 * The audit trail in the store: appending entries inside the caller's
 * transaction, reading them back for 'audit log' and 'audit verify'. The
 * hashing is src/audit/chain.c's.
 */
#include "store-internal.h"

#include "reftriage/alloc.h"

/* The seq of the last entry (0 when none) and its hash (zeros when none). */
static int head(struct store *st, int64_t *seq, unsigned char hash[HASH_BYTES], struct diag *d)
{
	const char *what = "reading the audit trail";
	sqlite3_stmt *s =
	    store_prepare(st, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", what, d);
	int rc;

	if (!s)
		return -1;
	*seq = 0;
	memset(hash, 0, HASH_BYTES);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*seq = sqlite3_column_int64(s, 0);
		if (sqlite3_column_bytes(s, 1) == HASH_BYTES)
			memcpy(hash, sqlite3_column_blob(s, 1), HASH_BYTES);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, rc, what, d);
	return 0;
}

int store_audit_head(struct store *st, int64_t *seq, unsigned char hash[HASH_BYTES], struct diag *d)
{
	return head(st, seq, hash, d);
}

/* Start the entry being built, if not yet: its seq follows the last one. */
static int pending(struct store *st, struct diag *d)
{
	unsigned char h[HASH_BYTES];
	int64_t seq;

	if (!st->in_tx) {
		diag_at(d, st->path, 0, NULL);
		return diag_set(d, EX_SOFTWARE, "an audit entry outside a transaction");
	}
	if (st->audit_seq)
		return 0;
	if (head(st, &seq, h, d) < 0)
		return -1;
	st->audit_seq = seq + 1;
	st->audit_pos = 0;
	return 0;
}

/* While reading, a ref named is noted for the consultation's entry (consult.c). */
static int consult_ref(struct store *st, const char *ref, struct diag *d)
{
	sqlite3_stmt *s = store_stmt(st, S_CONSULT_REF, d);

	if (!s)
		return -1;
	if (sqlite3_bind_text(s, 1, ref, -1, SQLITE_STATIC) != SQLITE_OK)
		return store_fail(st, SQLITE_ERROR, "noting a consulted package", d);
	if (sqlite3_step(s) != SQLITE_DONE)
		return store_fail(st, sqlite3_errcode(st->db), "noting a consulted package", d);
	sqlite3_reset(s);
	return 0;
}

int store_audit_ref(struct store *st, const char *ref, struct diag *d)
{
	sqlite3_stmt *s;

	if (st->reading)
		return consult_ref(st, ref, d);
	if (pending(st, d) < 0)
		return -1;
	s = store_stmt(st, S_AUDIT_REF, d);
	if (!s)
		return -1;
	if (sqlite3_bind_int64(s, 1, st->audit_seq) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, ++st->audit_pos) != SQLITE_OK ||
	    sqlite3_bind_text(s, 3, ref, -1, SQLITE_STATIC) != SQLITE_OK)
		return store_fail(st, SQLITE_ERROR, "writing the audit trail", d);
	if (sqlite3_step(s) != SQLITE_DONE)
		return store_fail(st, sqlite3_errcode(st->db), "writing the audit trail", d);
	sqlite3_reset(s);
	return 0;
}

/*
 * Run one INSERT ... SELECT of refs for the pending entry: ?1 seq, ?2 the
 * position before the first, ?3 the import run, ?4 the row id its rows follow.
 * Positions are ?2 plus the row's distance from ?4: in row order, without a
 * sort (gaps do not matter; only the order does).
 */
static int insert_refs(struct store *st, const char *sql, int64_t import_id, int64_t after,
                       int64_t *n, struct diag *d)
{
	const char *what = "writing the audit trail";
	sqlite3_stmt *s = store_prepare(st, sql, what, d);

	if (!s)
		return -1;
	if (sqlite3_bind_int64(s, 1, st->audit_seq) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, st->audit_pos) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 3, import_id) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 4, after) != SQLITE_OK) {
		sqlite3_finalize(s);
		return store_fail(st, SQLITE_ERROR, what, d);
	}
	if (store_run(st, s, what, d) < 0)
		return -1;
	*n += sqlite3_changes64(st->db);
	return store_one_int(st, "SELECT coalesce(max(pos), 0) FROM audit_refs WHERE seq = ?1",
	                     st->audit_seq, &st->audit_pos, what, d);
}

/* Every package's links: through an IP address apart (store_link_counts). */
struct both_links {
	const struct link_counts *other, *ip;
};

/*
 * rt_linked(package_id): whether the package shares a linking key with
 * another, an IP address included (the combination the trail records).
 */
static void linked_fn(sqlite3_context *c, int argc, sqlite3_value **argv)
{
	const struct both_links *lc = sqlite3_user_data(c);
	int64_t id = sqlite3_value_int64(argv[0]);

	(void)argc;
	sqlite3_result_int(c,
	                   link_counts_get(lc->other, id) > 0 || link_counts_get(lc->ip, id) > 0);
}

/*
 * The refs of this import's packages that share a key with another: every
 * package's links counted in one walk of the keys, in key order, then read
 * through rt_linked() (a function of this connection only, for this one
 * statement), instead of a lookup of each key of each package.
 */
static int linked_refs(struct store *st, const char *sql, const struct store_import *imp,
                       int64_t *n, struct diag *d)
{
	const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY;
	struct both_links lc;
	int rc;

	if (store_link_counts(st, &lc.other, &lc.ip, d) < 0)
		return -1;
	rc = sqlite3_create_function(st->db, "rt_linked", 1, flags, &lc, linked_fn, NULL, NULL);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, "writing the audit trail", d);
	rc = insert_refs(st, sql, imp->id, imp->first_version_id, n, d);
	/* Remove it before lc goes: nothing may call it with a dangling pointer. */
	if (sqlite3_create_function(st->db, "rt_linked", 1, flags, NULL, NULL, NULL, NULL) !=
	        SQLITE_OK &&
	    rc == 0)
		rc = store_fail(st, SQLITE_ERROR, "writing the audit trail", d);
	return rc;
}

int store_audit_import_refs(struct store *st, const struct store_import *imp, bool linked,
                            int64_t *n, struct diag *d)
{
	static const char stored[] =
	    "INSERT INTO audit_refs (seq, pos, ref) SELECT ?1, ?2 + (v.id - ?4), p.ref FROM "
	    "package_versions v JOIN packages p ON p.id = v.package_id WHERE v.id > ?4 AND "
	    "v.import_id = ?3 ORDER BY v.id";
	static const char quarantined[] =
	    "INSERT INTO audit_refs (seq, pos, ref) SELECT ?1, ?2 + (q.id - ?4), q.package_ref "
	    "FROM "
	    "quarantine q WHERE q.id > ?4 AND q.import_id = ?3 AND q.package_ref IS NOT NULL "
	    "ORDER BY q.id";
	static const char combined[] =
	    "INSERT INTO audit_refs (seq, pos, ref) SELECT ?1, ?2 + (v.id - ?4), p.ref FROM "
	    "package_versions v JOIN packages p ON p.id = v.package_id WHERE v.id > ?4 AND "
	    "v.import_id = ?3 AND rt_linked(v.package_id) ORDER BY v.id";

	*n = 0;
	if (store_versions_flush(st, d) < 0 || pending(st, d) < 0)
		return -1;
	if (linked)
		return linked_refs(st, combined, imp, n, d);
	if (insert_refs(st, stored, imp->id, imp->first_version_id, n, d) < 0)
		return -1;
	return insert_refs(st, quarantined, imp->id, imp->first_quarantine_id, n, d);
}

/* Hash the refs stored for seq, in order. */
static int hash_refs(struct store *st, int64_t seq, struct audit_refs *r, struct diag *d)
{
	sqlite3_stmt *s = store_stmt(st, S_AUDIT_REFS_OF, d);
	int rc;

	if (!s)
		return -1;
	audit_refs_init(r);
	if (sqlite3_bind_int64(s, 1, seq) != SQLITE_OK)
		return store_fail(st, SQLITE_ERROR, "reading the audit trail", d);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		audit_refs_add(r, (const char *)sqlite3_column_text(s, 0),
		               (size_t)sqlite3_column_bytes(s, 0));
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, "reading the audit trail", d);
	return 0;
}

/*
 * Whether action is one a reader records: a consultation, a worklist's
 * export, a backup. Such an entry may be spooled (spool.c), and its refs
 * wait to be indexed (index_refs).
 */
bool store_audit_by_reader(const char *action)
{
	return strcmp(audit_category(action), "consultation") == 0 ||
	       strcmp(action, "export") == 0 || strcmp(action, "backup") == 0;
}

/* The seq up to which audit_ref_index holds every entry's refs (schema 22). */
#define INDEXED_UPTO                                                                               \
	"coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'audit_refs_indexed'), 0)"

/*
 * A consultation's refs wait outside the index until this many do: a list of
 * 500 packages would otherwise write 500 scattered pages of it (schema 22).
 */
#define REF_INDEX_WAIT 20000

/*
 * Bring audit_ref_index up to entry seq: at once for an entry that is not a
 * reader's (reader_entry: a consultation, an export, a backup), for a
 * reader's only once REF_INDEX_WAIT refs wait. 'audit log --ref' reads the
 * waiting refs directly, so none is ever out of its reach.
 */
static int index_refs(struct store *st, int64_t seq, bool reader_entry, struct diag *d)
{
	const char *what = "indexing the audit trail's refs";
	int64_t from, waiting = REF_INDEX_WAIT;

	if (store_one_int(st, "SELECT " INDEXED_UPTO, 0, &from, what, d) < 0)
		return -1;
	if (reader_entry &&
	    store_step_int(st,
	                   store_prepare_with(st,
	                                      "SELECT count(*) FROM (SELECT 1 FROM audit_refs "
	                                      "WHERE seq > ?1 LIMIT ?2)",
	                                      what, d,
	                                      STORE_ARGS(ARG_INT(from), ARG_INT(REF_INDEX_WAIT))),
	                   &waiting, what, d) < 0)
		return -1;
	if (waiting < REF_INDEX_WAIT)
		return 0;
	if (store_run_with(st,
	                   "INSERT OR IGNORE INTO audit_ref_index (ref, seq) SELECT ref, seq FROM "
	                   "audit_refs WHERE seq > ?1",
	                   what, d, STORE_ARGS(ARG_INT(from))) < 0)
		return -1;
	return store_run_with(st,
	                      "INSERT OR REPLACE INTO meta (key, value) VALUES "
	                      "('audit_refs_indexed', ?1)",
	                      what, d, STORE_ARGS(ARG_INT(seq)));
}

int store_audit_append(struct store *st, const struct store_audit_new *in, int64_t *seq_out,
                       struct diag *d)
{
	const char *what = "writing the audit trail";
	struct audit_entry e;
	struct audit_refs r;
	unsigned char refs_hash[HASH_BYTES];
	int64_t last;
	sqlite3_stmt *s;
	int rc;

	if (pending(st, d) < 0)
		return -1;
	memset(&e, 0, sizeof(e));
	e.seq = st->audit_seq;
	e.at = in->at;
	e.operator_name = in->operator_name;
	e.action = in->action;
	e.reason = in->reason && in->reason[0] ? in->reason : NULL;
	e.details = in->details;
	e.details_len = in->details_len;
	hash_bytes(e.details_hash, e.details, e.details_len);
	if (head(st, &last, e.prev_hash, d) < 0)
		return -1;
	if (last != e.seq - 1) {
		diag_at(d, st->path, 0, NULL);
		return diag_set(d, EX_SOFTWARE, "the audit trail moved during a transaction");
	}
	if (hash_refs(st, e.seq, &r, d) < 0)
		return -1;
	e.n_refs = r.n;
	audit_refs_final(&r, refs_hash);
	audit_entry_hash(&e, e.n_refs, refs_hash, e.hash);
	s = store_stmt(st, S_AUDIT_APPEND, d);
	if (!s)
		return -1;
	if (sqlite3_bind_int64(s, 1, e.seq) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, e.at) != SQLITE_OK ||
	    sqlite3_bind_text(s, 3, e.operator_name, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(s, 4, e.action, -1, SQLITE_STATIC) != SQLITE_OK ||
	    (e.reason ? sqlite3_bind_text(s, 5, e.reason, -1, SQLITE_STATIC)
	              : sqlite3_bind_null(s, 5)) != SQLITE_OK ||
	    sqlite3_bind_text(s, 6, e.details, (int)e.details_len, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_blob(s, 7, e.details_hash, HASH_BYTES, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 8, e.n_refs) != SQLITE_OK ||
	    sqlite3_bind_blob(s, 9, e.prev_hash, HASH_BYTES, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_blob(s, 10, e.hash, HASH_BYTES, SQLITE_STATIC) != SQLITE_OK)
		return store_fail(st, SQLITE_ERROR, what, d);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, what, d);
	if (index_refs(st, e.seq, store_audit_by_reader(e.action), d) < 0)
		return -1;
	if (seq_out)
		*seq_out = e.seq;
	st->audit_seq = 0;
	st->audit_pos = 0;
	return 0;
}

static int on_entry(sqlite3_stmt *s, void *x)
{
	struct row_fn *f = x;
	struct audit_entry e;

	memset(&e, 0, sizeof(e));
	e.seq = sqlite3_column_int64(s, 0);
	e.at = sqlite3_column_int64(s, 1);
	e.operator_name = (const char *)sqlite3_column_text(s, 2);
	e.action = (const char *)sqlite3_column_text(s, 3);
	e.reason = (const char *)sqlite3_column_text(s, 4);
	e.details = (const char *)sqlite3_column_text(s, 5);
	e.details_len = (size_t)sqlite3_column_bytes(s, 5);
	if (!e.operator_name)
		e.operator_name = "";
	if (!e.action)
		e.action = "";
	if (!e.details)
		e.details = "";
	/* A hash of the wrong size stays zeros and fails verification. */
	if (sqlite3_column_bytes(s, 6) == HASH_BYTES)
		memcpy(e.details_hash, sqlite3_column_blob(s, 6), HASH_BYTES);
	e.n_refs = sqlite3_column_int64(s, 7);
	if (sqlite3_column_bytes(s, 8) == HASH_BYTES)
		memcpy(e.prev_hash, sqlite3_column_blob(s, 8), HASH_BYTES);
	if (sqlite3_column_bytes(s, 9) == HASH_BYTES)
		memcpy(e.hash, sqlite3_column_blob(s, 9), HASH_BYTES);
	return f->fn.entry(f->ctx, &e);
}

int store_audit_each(struct store *st, const struct store_audit_query *q,
                     int (*fn)(void *ctx, const struct audit_entry *e), void *ctx, struct diag *d)
{
	const char *what = "reading the audit trail";
	struct row_fn f = {.fn.entry = fn, .ctx = ctx};
	sqlite3_stmt *s;

#define ENTRIES                                                                                    \
	"SELECT seq, at, operator, action, reason, details, details_hash, n_refs, prev_hash, "     \
	"hash FROM audit WHERE (?1 IS NULL OR at >= ?1) AND (?2 IS NULL OR action = ?2) AND (?3 "  \
	"IS NULL OR operator = ?3) AND seq >= ?5"
	/*
	 * Only a query by ref names the index of refs: a copy from before
	 * schema 22, which has none, is walked by 'restore' and verify. Without
	 * a ref, ?4 is still a parameter, bound NULL.
	 */
	static const char by_ref[] =
	    ENTRIES " AND seq IN (SELECT seq FROM audit_ref_index WHERE ref = ?4 UNION ALL SELECT "
	            "seq FROM audit_refs WHERE seq > " INDEXED_UPTO " AND ref = ?4) ORDER BY seq";
	static const char all[] = ENTRIES " AND ?4 IS NULL ORDER BY seq";
#undef ENTRIES

	s = store_prepare(st, q && q->ref ? by_ref : all, what, d);
	if (!s)
		return -1;
	if ((q && q->has_since ? sqlite3_bind_int64(s, 1, q->since) : sqlite3_bind_null(s, 1)) !=
	        SQLITE_OK ||
	    (q && q->action ? sqlite3_bind_text(s, 2, q->action, -1, SQLITE_STATIC)
	                    : sqlite3_bind_null(s, 2)) != SQLITE_OK ||
	    (q && q->operator_name ? sqlite3_bind_text(s, 3, q->operator_name, -1, SQLITE_STATIC)
	                           : sqlite3_bind_null(s, 3)) != SQLITE_OK ||
	    (q && q->ref ? sqlite3_bind_text(s, 4, q->ref, -1, SQLITE_STATIC)
	                 : sqlite3_bind_null(s, 4)) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 5, q ? q->from_seq : 0) != SQLITE_OK) {
		sqlite3_finalize(s);
		return store_fail(st, SQLITE_ERROR, what, d);
	}
	return store_step_rows(st, s, false, what, on_entry, &f, d);
}

int store_audit_refs_hash(struct store *st, int64_t seq, int64_t *n, unsigned char out[HASH_BYTES],
                          struct diag *d)
{
	struct audit_refs r;

	if (hash_refs(st, seq, &r, d) < 0)
		return -1;
	*n = r.n;
	audit_refs_final(&r, out);
	return 0;
}

int store_audit_each_ref(struct store *st, int64_t seq, int (*fn)(void *ctx, const char *ref),
                         void *ctx, struct diag *d)
{
	sqlite3_stmt *s =
	    store_prepare(st, "SELECT ref FROM audit_refs WHERE seq = ?1 ORDER BY pos",
	                  "reading the audit trail", d);
	int rc, r = 0;

	if (!s)
		return -1;
	if (sqlite3_bind_int64(s, 1, seq) != SQLITE_OK) {
		sqlite3_finalize(s);
		return store_fail(st, SQLITE_ERROR, "reading the audit trail", d);
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((r = fn(ctx, (const char *)sqlite3_column_text(s, 0))) != 0)
			break;
	sqlite3_finalize(s);
	if (r != 0)
		return r;
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, "reading the audit trail", d);
	return 0;
}

int store_audit_stray_refs(struct store *st, int64_t *seq, struct diag *d)
{
	return store_one_int(st,
	                     "SELECT min(seq) FROM audit_refs WHERE seq NOT IN (SELECT seq FROM "
	                     "audit)",
	                     0, seq, "reading the audit trail", d);
}

int store_audit_unindexed_refs(struct store *st, int64_t *seq, struct diag *d)
{
	int64_t has;

	/* A copy from before schema 22 has none (it is made from the refs when migrated). */
	*seq = 0;
	if (store_one_int(st,
	                  "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
	                  "name = 'audit_ref_index')",
	                  0, &has, "reading the audit trail", d) < 0)
		return -1;
	if (!has)
		return 0;
	return store_one_int(st,
	                     "SELECT min(r.seq) FROM audit_refs r WHERE r.seq <= " INDEXED_UPTO
	                     " AND NOT EXISTS (SELECT 1 FROM audit_ref_index i WHERE i.ref = "
	                     "r.ref AND i.seq = r.seq)",
	                     0, seq, "reading the audit trail", d);
}

int store_id(struct store *st, char out[33], struct diag *d)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT value FROM meta WHERE key = 'store_id'",
	                                "reading the store id", d);
	int rc;

	if (!s)
		return -1;
	out[0] = '\0';
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(s, 0) == 32)
		memcpy(out, sqlite3_column_text(s, 0), 33);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, rc, "reading the store id", d);
	if (!out[0]) {
		diag_at(d, st->path, 0, NULL);
		return diag_set(d, EX_DATAERR, "the store has no id (its meta table was changed)");
	}
	return 0;
}
