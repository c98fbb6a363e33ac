/* Case outcomes, and what a backtest reads: one statement each, bound parameters. */
#include "store-internal.h"

#include "reftriage/outcome.h"

static const char *col_text(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

/* Bind text, or NULL when v is. */
static int bind_text(sqlite3_stmt *s, int i, const char *v)
{
	return v ? sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(s, i);
}

/* The id of package ref: 0, or 1 when there is none (the import's kept statement). */
static int find_ref(struct store *st, const char *ref, int64_t *id, struct diag *d)
{
	sqlite3_stmt *s = store_stmt(st, S_FIND_REF, d);
	int rc = s ? bind_text(s, 1, ref) : SQLITE_ERROR;

	if (!s)
		return -1;
	rc = rc == SQLITE_OK ? sqlite3_step(s) : rc;
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return rc == SQLITE_DONE;
	return store_fail(st, rc, "finding a package", d);
}

int store_outcome_put(struct store *st, const struct store_outcome *o, enum store_outcome_put *res,
                      struct diag *d)
{
	const char *what = "recording an outcome";
	sqlite3_stmt *s;
	int64_t id = 0;
	int rc;

	*res = STORE_OUTCOME_NO_REF;
	rc = find_ref(st, o->ref, &id, d);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	/* The same outcome twice is one: the second changes nothing. */
	s = store_prepare(st,
	                  "INSERT OR IGNORE INTO outcomes (package_id, code, outcome_date, count, "
	                  "note, recorded_at, operator) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	                  what, d);
	if (!s)
		return -1;
	if (sqlite3_bind_int64(s, 1, id) != SQLITE_OK || bind_text(s, 2, o->code) != SQLITE_OK ||
	    bind_text(s, 3, o->date) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 4, o->count) != SQLITE_OK ||
	    bind_text(s, 5, o->note) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 6, o->recorded_at) != SQLITE_OK ||
	    bind_text(s, 7, o->operator_name) != SQLITE_OK) {
		sqlite3_finalize(s);
		return store_fail(st, SQLITE_ERROR, what, d);
	}
	if (store_run(st, s, what, d) < 0)
		return -1;
	*res = sqlite3_changes(st->db) ? STORE_OUTCOME_RECORDED : STORE_OUTCOME_KNOWN;
	return store_audit_ref(st, o->ref, d);
}

/*
 * store_step_rows(), where a callback that fails without saying why met a
 * NULL column: memory ran out.
 */
static int step_rows(struct store *st, sqlite3_stmt *s, bool kept, const char *what,
                     int (*each)(sqlite3_stmt *s, void *x), void *x, struct diag *d)
{
	int r = store_step_rows(st, s, kept, what, each, x, d);

	if (r == -1 && d->code == EX_OK) {
		diag_at(d, st->path, 0, NULL);
		return diag_set(d, EX_SOFTWARE, "out of memory %s", what);
	}
	return r;
}

/* step_rows() for a one-off statement. */
static int each_row(struct store *st, sqlite3_stmt *s, const char *what,
                    int (*each)(sqlite3_stmt *s, void *x), void *x, struct diag *d)
{
	return step_rows(st, s, false, what, each, x, d);
}

struct outcome_fn {
	int (*fn)(void *ctx, const struct store_outcome *o);
	void *ctx;
};

static int on_outcome(sqlite3_stmt *s, void *x)
{
	struct outcome_fn *f = x;
	struct store_outcome o;

	o.ref = col_text(s, 0);
	o.code = col_text(s, 1);
	o.date = col_text(s, 2);
	o.count = (long)sqlite3_column_int64(s, 3);
	o.note = col_text(s, 4);
	o.recorded_at = sqlite3_column_int64(s, 5);
	o.operator_name = col_text(s, 6);
	if (!o.ref || !o.code || !o.date || !o.operator_name)
		return -1;
	return f->fn(f->ctx, &o);
}

/* One package's outcomes, through the statement the store keeps prepared. */
static int outcomes_of(struct store *st, const char *ref, struct outcome_fn *f, struct diag *d)
{
	const char *what = "reading outcomes";
	sqlite3_stmt *s = store_stmt(st, S_OUTCOMES_OF, d);

	if (!s)
		return -1;
	if (bind_text(s, 1, ref) != SQLITE_OK) {
		sqlite3_reset(s);
		return store_fail(st, SQLITE_ERROR, what, d);
	}
	return step_rows(st, s, true, what, on_outcome, f, d);
}

int store_each_outcome(struct store *st, const char *ref,
                       int (*fn)(void *ctx, const struct store_outcome *o), void *ctx,
                       struct diag *d)
{
	const char *what = "reading outcomes";
	struct outcome_fn f = {fn, ctx};
	sqlite3_stmt *s;

	if (ref)
		return outcomes_of(st, ref, &f, d);
	s = store_prepare(st,
	                  "SELECT p.ref, o.code, o.outcome_date, o.count, o.note, o.recorded_at, "
	                  "o.operator FROM outcomes o JOIN packages p ON p.id = o.package_id ORDER "
	                  "BY p.ref, o.outcome_date, o.code, o.id",
	                  what, d);
	return s ? each_row(st, s, what, on_outcome, &f, d) : -1;
}

struct count_fn {
	int (*fn)(void *ctx, const char *code, long n);
	void *ctx;
};

static int on_count(sqlite3_stmt *s, void *x)
{
	struct count_fn *f = x;
	const char *code = col_text(s, 0);

	return code ? f->fn(f->ctx, code, (long)sqlite3_column_int64(s, 1)) : -1;
}

int store_outcome_counts(struct store *st, const char *from_date, const char *to_date,
                         int (*fn)(void *ctx, const char *code, long n), void *ctx, struct diag *d)
{
	const char *what = "counting outcomes";
	struct count_fn f = {fn, ctx};
	sqlite3_stmt *s;

	s = store_prepare(
	    st,
	    "SELECT code, count(*) FROM outcomes WHERE (?1 IS NULL OR outcome_date >= "
	    "?1) AND (?2 IS NULL OR outcome_date < ?2) GROUP BY code ORDER BY code",
	    what, d);
	if (!s)
		return -1;
	if (bind_text(s, 1, from_date) != SQLITE_OK || bind_text(s, 2, to_date) != SQLITE_OK) {
		sqlite3_finalize(s);
		return store_fail(st, SQLITE_ERROR, what, d);
	}
	return each_row(st, s, what, on_count, &f, d);
}

struct received_fn {
	int (*fn)(void *ctx, int64_t id, int64_t received_at);
	void *ctx;
};

static int on_received(sqlite3_stmt *s, void *x)
{
	struct received_fn *f = x;

	return f->fn(f->ctx, sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1));
}

int store_each_received(struct store *st, int (*fn)(void *ctx, int64_t id, int64_t received_at),
                        void *ctx, struct diag *d)
{
	const char *what = "reading packages";
	struct received_fn f = {fn, ctx};
	sqlite3_stmt *s =
	    store_prepare(st, "SELECT id, received_at FROM packages ORDER BY id", what, d);

	return s ? each_row(st, s, what, on_received, &f, d) : -1;
}

struct key_fn {
	int (*fn)(void *ctx, const char *key, size_t len, int64_t id);
	void *ctx;
};

static int on_key(sqlite3_stmt *s, void *x)
{
	struct key_fn *f = x;
	const char *key = col_text(s, 0);

	if (!key)
		return -1;
	return f->fn(f->ctx, key, (size_t)sqlite3_column_bytes(s, 0), sqlite3_column_int64(s, 1));
}

int store_each_link_key(struct store *st,
                        int (*fn)(void *ctx, const char *key, size_t len, int64_t id), void *ctx,
                        struct diag *d)
{
	const char *what = "linking packages";
	struct key_fn f = {fn, ctx};
	/* The primary key's order: one walk of the table, no sort. */
	sqlite3_stmt *s = store_prepare(
	    st, "SELECT key, package_id FROM package_keys ORDER BY key, package_id", what, d);

	return s ? each_row(st, s, what, on_key, &f, d) : -1;
}

struct labelled_fn {
	int (*fn)(void *ctx, const struct store_labelled *p);
	void *ctx;
};

static int on_labelled(sqlite3_stmt *s, void *x)
{
	struct labelled_fn *f = x;
	struct store_labelled p;

	p.id = sqlite3_column_int64(s, 0);
	p.ref = col_text(s, 1);
	p.facts = sqlite3_column_blob(s, 2);
	p.facts_len = (size_t)sqlite3_column_bytes(s, 2);
	p.codes = col_text(s, 3);
	if (!p.ref || !p.codes)
		return -1;
	return f->fn(f->ctx, &p);
}

int store_each_with_outcome(struct store *st, int (*fn)(void *ctx, const struct store_labelled *p),
                            void *ctx, struct diag *d)
{
	const char *what = "reading packages with outcomes";
	struct labelled_fn f = {fn, ctx};
	sqlite3_stmt *s = store_prepare(
	    st,
	    "SELECT p.id, p.ref, v.facts, o.codes FROM (SELECT package_id, group_concat(code, "
	    "';') AS codes FROM outcomes GROUP BY package_id) o JOIN packages p ON p.id = "
	    "o.package_id JOIN package_versions v ON v.package_id = p.id AND v.version = "
	    "p.latest_version ORDER BY p.id",
	    what, d);

	return s ? each_row(st, s, what, on_labelled, &f, d) : -1;
}
