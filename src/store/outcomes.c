/* Case outcomes, and what a backtest reads: one statement each, bound parameters. */
#include "store-internal.h"

#include "reftriage/outcome.h"

static const char *col_text(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

/* The id of package ref: 0, or 1 when there is none (the import's kept statement). */
static int find_ref(struct store *st, const char *ref, int64_t *id, struct diag *d)
{
	sqlite3_stmt *s = store_stmt(st, S_FIND_REF, d);
	int rc = s ? store_bind(s, STORE_ARGS(ARG_TEXT(ref))) : SQLITE_ERROR;

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
	int64_t id = 0;
	int rc;

	*res = STORE_OUTCOME_NO_REF;
	rc = find_ref(st, o->ref, &id, d);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	/* The same outcome twice is one: the second changes nothing. */
	if (store_run_with(st,
	                   "INSERT OR IGNORE INTO outcomes (package_id, code, outcome_date, count, "
	                   "note, recorded_at, operator) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	                   what, d,
	                   STORE_ARGS(ARG_INT(id), ARG_TEXT(o->code), ARG_TEXT(o->date),
	                              ARG_INT(o->count), ARG_TEXT(o->note), ARG_INT(o->recorded_at),
	                              ARG_TEXT(o->operator_name))) < 0)
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

static int on_outcome(sqlite3_stmt *s, void *x)
{
	struct row_fn *f = x;
	struct store_outcome o;

	store_cols(s, 0,
	           STORE_COLS(COL_TEXT(&o.ref), COL_TEXT(&o.code), COL_TEXT(&o.date),
	                      COL_LONG(&o.count), COL_TEXT(&o.note), COL_I64(&o.recorded_at),
	                      COL_TEXT(&o.operator_name)));
	if (!o.ref || !o.code || !o.date || !o.operator_name)
		return -1;
	return f->fn.outcome(f->ctx, &o);
}

/* One package's outcomes, through the statement the store keeps prepared. */
static int outcomes_of(struct store *st, const char *ref, struct row_fn *f, struct diag *d)
{
	const char *what = "reading outcomes";
	sqlite3_stmt *s = store_stmt(st, S_OUTCOMES_OF, d);

	if (!s)
		return -1;
	if (store_bind(s, STORE_ARGS(ARG_TEXT(ref))) != SQLITE_OK) {
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
	struct row_fn f = {.fn.outcome = fn, .ctx = ctx};
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

static int on_count(sqlite3_stmt *s, void *x)
{
	struct row_fn *f = x;
	const char *code = col_text(s, 0);

	return code ? f->fn.count(f->ctx, code, (long)sqlite3_column_int64(s, 1)) : -1;
}

int store_outcome_counts(struct store *st, const char *from_date, const char *to_date,
                         int (*fn)(void *ctx, const char *code, long n), void *ctx, struct diag *d)
{
	const char *what = "counting outcomes";
	struct row_fn f = {.fn.count = fn, .ctx = ctx};
	sqlite3_stmt *s = store_prepare_with(
	    st,
	    "SELECT code, count(*) FROM outcomes WHERE (?1 IS NULL OR outcome_date >= "
	    "?1) AND (?2 IS NULL OR outcome_date < ?2) GROUP BY code ORDER BY code",
	    what, d, STORE_ARGS(ARG_TEXT(from_date), ARG_TEXT(to_date)));

	return s ? each_row(st, s, what, on_count, &f, d) : -1;
}

static int on_received(sqlite3_stmt *s, void *x)
{
	struct row_fn *f = x;

	return f->fn.received(f->ctx, sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1));
}

int store_each_received(struct store *st, int (*fn)(void *ctx, int64_t id, int64_t received_at),
                        void *ctx, struct diag *d)
{
	const char *what = "reading packages";
	struct row_fn f = {.fn.received = fn, .ctx = ctx};
	sqlite3_stmt *s =
	    store_prepare(st, "SELECT id, received_at FROM packages ORDER BY id", what, d);

	return s ? each_row(st, s, what, on_received, &f, d) : -1;
}

static int on_key(sqlite3_stmt *s, void *x)
{
	struct row_fn *f = x;

	return f->fn.key(f->ctx, sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1));
}

int store_each_link_key(struct store *st, int (*fn)(void *ctx, int64_t key, int64_t id), void *ctx,
                        struct diag *d)
{
	const char *what = "linking packages";
	struct row_fn f = {.fn.key = fn, .ctx = ctx};
	sqlite3_stmt *s;

	if (store_keys_flush(st, d) < 0)
		return -1;
	/* The primary key's order: one walk of the table, no sort. */
	s = store_prepare(st, "SELECT key, package_id FROM package_keys ORDER BY key, package_id",
	                  what, d);
	return s ? each_row(st, s, what, on_key, &f, d) : -1;
}

static int on_labelled(sqlite3_stmt *s, void *x)
{
	struct row_fn *f = x;
	struct store_labelled p;

	store_cols(s, 0,
	           STORE_COLS(COL_I64(&p.id), COL_TEXT(&p.ref), COL_BLOB(&p.facts, &p.facts_len),
	                      COL_TEXT(&p.codes)));
	if (!p.ref || !p.codes)
		return -1;
	return f->fn.labelled(f->ctx, &p);
}

int store_each_with_outcome(struct store *st, int (*fn)(void *ctx, const struct store_labelled *p),
                            void *ctx, struct diag *d)
{
	const char *what = "reading packages with outcomes";
	struct row_fn f = {.fn.labelled = fn, .ctx = ctx};
	sqlite3_stmt *s = store_prepare(
	    st,
	    "SELECT p.id, p.ref, v.facts, o.codes FROM (SELECT package_id, group_concat(code, "
	    "';') AS codes FROM outcomes GROUP BY package_id) o JOIN packages p ON p.id = "
	    "o.package_id JOIN package_versions v ON v.package_id = p.id AND v.version = "
	    "p.latest_version ORDER BY p.id",
	    what, d);

	return s ? each_row(st, s, what, on_labelled, &f, d) : -1;
}
