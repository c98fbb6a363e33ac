/*
 * Linking keys: writing a package's keys, and finding the packages that
 * share one with it.
 *
 * package_keys holds (key, package_id) for each key of each package's latest
 * version, and nothing else (schema 14): exactly the keys link_keys_of()
 * gives for that version's facts, none for an erased package. The table is
 * kept in key order only; a package's own keys are found from its facts, not
 * from an index by package, which cost every import a second B-tree insert
 * per key (docs/PERFORMANCE.md). Where the facts cannot be read (a store
 * altered by hand), the keys are found by reading the whole table instead:
 * slower, never wrong.
 */
#include "store-internal.h"

#include "reftriage/package.h"

#include <inttypes.h>
#include <string.h>

static int put_key(void *ctx, int64_t key, const char *text, size_t len)
{
	struct buf *b = ctx;

	(void)text;
	(void)len;
	return buf_addf(b, "%s%" PRId64, b->len > 1 ? "," : "", key) < 0 ? -1 : 0;
}

/* p's keys as a JSON array of integers, for json_each(); -1 when out of memory. */
static int keys_json(struct buf *b, const struct package *p)
{
	buf_reset(b);
	if (buf_addc(b, '[') < 0 || link_keys_only(p, put_key, b) < 0 || buf_addc(b, ']') < 0)
		return -1;
	return 0;
}

/* Run statement id (S_INSERT_KEY or S_INSERT_KEYS) on rows (key, package_id) pairs. */
static int run_keys(struct store *st, enum stmt_id id, const int64_t *pairs, size_t rows,
                    struct diag *d)
{
	sqlite3_stmt *s = store_stmt(st, id, d);
	size_t i;
	int rc;

	if (!s)
		return -1;
	for (i = 0; i < 2 * rows; i++)
		if (sqlite3_bind_int64(s, (int)i + 1, pairs[i]) != SQLITE_OK)
			return store_fail(st, SQLITE_ERROR, "storing linking keys", d);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, rc, "storing linking keys", d);
}

int store_keys_flush(struct store *st, struct diag *d)
{
	size_t i, n = st->nkeys;

	st->nkeys = 0;
	if (n == STORE_KEYS_PER_INSERT)
		return run_keys(st, S_INSERT_KEYS, st->keys, n, d);
	for (i = 0; i < n; i++)
		if (run_keys(st, S_INSERT_KEY, &st->keys[2 * i], 1, d) < 0)
			return -1;
	return 0;
}

void store_keys_discard(struct store *st)
{
	st->nkeys = 0;
}

struct key_ctx {
	struct store *st;
	int64_t pid;
	struct diag *d;
};

static int add_key(void *ctx, int64_t key, const char *text, size_t len)
{
	struct key_ctx *x = ctx;
	struct store *st = x->st;

	(void)text;
	(void)len;
	st->keys[2 * st->nkeys] = key;
	st->keys[2 * st->nkeys + 1] = x->pid;
	if (++st->nkeys == STORE_KEYS_PER_INSERT)
		return store_keys_flush(st, x->d);
	return 0;
}

/*
 * The keys wait to be written 64 to a statement: SQLite's cost per
 * statement paid once for 64. package_keys has no foreign key (schema 14),
 * so a statement of many rows with OR IGNORE cannot fail part-way and needs
 * no statement journal (with one, it was slower than a row at a time).
 */
int store_add_keys(struct store *st, const struct package *p, int64_t pid, struct diag *d)
{
	struct key_ctx x = {st, pid, d};

	store_keys_changed(st);
	return link_keys_only(p, add_key, &x) < 0 ? -1 : 0;
}

static int drop_key(void *ctx, int64_t key, const char *text, size_t len)
{
	struct key_ctx *x = ctx;
	sqlite3_stmt *s = store_stmt(x->st, S_DELETE_KEY, x->d);
	int rc;

	(void)text;
	(void)len;
	if (!s)
		return -1;
	if (sqlite3_bind_int64(s, 1, key) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, x->pid) != SQLITE_OK)
		return store_fail(x->st, SQLITE_ERROR, "replacing linking keys", x->d);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : store_fail(x->st, rc, "replacing linking keys", x->d);
}

int store_drop_keys(struct store *st, int64_t pid, int version, struct diag *d)
{
	struct key_ctx x = {st, pid, d};
	struct package old;
	struct buf facts;
	int rc;

	store_keys_changed(st);
	if (store_keys_flush(st, d) < 0)
		return -1;
	package_init(&old);
	buf_init(&facts);
	rc = store_version_facts(st, pid, version, &facts, d);
	if (rc == 0 && package_decode_facts(&old, facts.data, facts.len) == 0)
		rc = link_keys_only(&old, drop_key, &x) < 0 ? -1 : 0;
	else if (rc == 0) /* facts that cannot be read: every row of the package, by a scan */
		rc = store_run_with(st, "DELETE FROM package_keys WHERE package_id = ?1",
		                    "replacing linking keys", d, STORE_ARGS(ARG_INT(pid)));
	buf_release(&facts);
	package_release(&old);
	return rc;
}

/*
 * The SQL naming the package's own keys, mine(key): from ?2, a JSON array
 * of them, or when ?2 is NULL from the table by a scan (?1 the package).
 */
#define MINE                                                                                       \
	"WITH mine(key) AS (SELECT value FROM json_each(?2) UNION ALL SELECT key FROM "            \
	"package_keys WHERE ?2 IS NULL AND package_id = ?1) "

/* Whether the keys a and c are an IP address's, in SQL. */
#define A_IS_IP STORE_KEY_IS_IP("a.key")
#define C_IS_IP STORE_KEY_IS_IP("c.key")

/*
 * Run a MINE statement for package pid, after writing the keys waiting: ?1
 * pid, ?2 latest's keys in JSON (NULL without latest: the scan), ?3 ip when
 * the statement has one (ip >= 0); each(s, x) for each row, as
 * store_step_rows(). -1 after filling d with what.
 */
static int mine_rows(struct store *st, const char *sql, int64_t pid, const struct package *latest,
                     int ip, int (*each)(sqlite3_stmt *s, void *x), void *x, const char *what,
                     struct diag *d)
{
	struct store_arg args[3];
	struct buf json;
	sqlite3_stmt *s;
	int rc = -1;

	buf_init(&json);
	if (store_keys_flush(st, d) < 0)
		goto out;
	if (latest && keys_json(&json, latest) < 0) {
		rc = store_fail(st, SQLITE_NOMEM, what, d);
		goto out;
	}
	args[0] = ARG_INT(pid);
	args[1] = latest ? ARG_TEXTN(json.data, json.len) : ARG_NULL;
	args[2] = ARG_INT(ip);
	s = store_prepare_with(st, sql, what, d, args, ip >= 0 ? 3 : 2);
	if (s)
		rc = store_step_rows(st, s, false, what, each, x, d);
out:
	buf_release(&json);
	return rc;
}

/* The one row of store_linked_count's query, into x: int64_t[2]. */
static int read_counts(sqlite3_stmt *s, void *x)
{
	int64_t *counts = x;

	counts[0] = sqlite3_column_int64(s, 0);
	counts[1] = sqlite3_column_int64(s, 1);
	return 0;
}

int store_linked_count(struct store *st, int64_t package_id, const struct package *latest,
                       int64_t *count, int64_t *ip_count, struct diag *d)
{
	static const char sql[] =
	    MINE "SELECT count(DISTINCT CASE WHEN NOT " A_IS_IP " THEN b.package_id END), "
	         "count(DISTINCT CASE WHEN " A_IS_IP " THEN b.package_id END) "
	         "FROM mine a JOIN package_keys b ON b.key = a.key AND b.package_id <> ?1";
	int64_t counts[2] = {0, 0};

	if (mine_rows(st, sql, package_id, latest, -1, read_counts, counts, "linking packages", d) <
	    0)
		return -1;
	*count = counts[0];
	*ip_count = counts[1];
	return 0;
}

struct each_link {
	int (*fn)(void *ctx, const char *ref, int64_t key);
	void *ctx;
};

static int on_link(sqlite3_stmt *s, void *x)
{
	const struct each_link *e = x;

	return e->fn(e->ctx, (const char *)sqlite3_column_text(s, 0), sqlite3_column_int64(s, 1)) <
	               0
	           ? -1
	           : 0;
}

int store_each_link(struct store *st, int64_t package_id, const struct package *latest, bool ip,
                    int (*fn)(void *ctx, const char *ref, int64_t key), void *ctx, struct diag *d)
{
	/* With ip (?3 = 1): the IP keys shared with packages not linked otherwise. */
	static const char sql[] = MINE
	    "SELECT p.ref, b.key FROM mine a JOIN package_keys b ON b.key = a.key AND "
	    "b.package_id <> ?1 JOIN packages p ON p.id = b.package_id WHERE (" A_IS_IP ") = ?3 "
	    "AND (?3 = 0 OR NOT EXISTS (SELECT 1 FROM mine c JOIN package_keys e ON e.key = "
	    "c.key WHERE e.package_id = b.package_id AND NOT (" C_IS_IP "))) "
	    "ORDER BY p.ref, b.key";
	struct each_link e = {fn, ctx};

	return mine_rows(st, sql, package_id, latest, ip, on_link, &e, "reading linked packages",
	                 d);
}

/* --- every package's link counts, in one walk of the keys ------------- */

/* Walk every linking key in key order into st's counts; -1 with d filled. */
static int count_links(struct store *st, struct diag *d)
{
	const char *what = "linking packages";
	struct link_counts *lc = &st->links, *ip = &st->ip_links;
	sqlite3_stmt *s;
	int rc, added = 0;

	if (store_keys_flush(st, d) < 0)
		return -1;
	link_counts_release(lc);
	link_counts_release(ip);
	link_counts_init(lc);
	link_counts_init(ip);
	/* The primary key's order: one walk of the table, no sort. */
	s = store_prepare(st, "SELECT key, package_id FROM package_keys ORDER BY key, package_id",
	                  what, d);
	if (!s)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t key = sqlite3_column_int64(s, 0), id = sqlite3_column_int64(s, 1);
		char bytes[sizeof(key)];

		/* The IP keys are one run in key order (links.h): each set still comes sorted. */
		memcpy(bytes, &key, sizeof(key));
		added = link_counts_add(link_key_is_ip(key) ? ip : lc, bytes, sizeof(bytes), id);
		if (added < 0) {
			sqlite3_finalize(s);
			diag_at(d, st->path, 0, NULL);
			if (added == -2)
				return diag_set(d, EX_SOFTWARE,
				                "package id %lld is beyond what linking can count",
				                (long long)id);
			return diag_set(d, EX_SOFTWARE, "out of memory");
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, what, d);
	if (link_counts_finish(lc) < 0 || link_counts_finish(ip) < 0) {
		diag_at(d, st->path, 0, NULL);
		return diag_set(d, EX_SOFTWARE, "out of memory");
	}
	return 0;
}

int store_link_counts(struct store *st, const struct link_counts **lc,
                      const struct link_counts **ip, struct diag *d)
{
	int64_t version;

	/* Another connection's commit changes data_version; this connection's do not. */
	if (store_one_int(st, "PRAGMA data_version", 0, &version, "linking packages", d) < 0)
		return -1;
	if (!st->links_fresh || version != st->links_data_version) {
		st->links_fresh = false;
		if (count_links(st, d) < 0)
			return -1;
		st->links_fresh = true;
		st->links_data_version = version;
	}
	*lc = &st->links;
	*ip = &st->ip_links;
	return 0;
}

/* --- the functions of the migrations that rebuilt the keys (13, 14) ---- */

/*
 * rt_link_key(text): a linking key stored as text before schema 13
 * ("subject:REF", "TYPE:TOKEN") as the integer link_key() makes; an
 * integer (a key made so already) stays as it is. A key of no known kind
 * is an error that fails the migration whole, rather than drop a link.
 */
static void link_key_fn(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	int type = sqlite3_value_type(argv[0]); /* before the text conversion below */
	const char *t, *colon;
	size_t n, kn;
	char msg[120];
	int kind;

	(void)argc;
	if (type == SQLITE_INTEGER) {
		sqlite3_result_int64(cx, sqlite3_value_int64(argv[0]));
		return;
	}
	t = (const char *)sqlite3_value_text(argv[0]);
	n = (size_t)sqlite3_value_bytes(argv[0]);
	if (!t && type != SQLITE_NULL) {
		sqlite3_result_error_nomem(cx);
		return;
	}
	colon = t ? memchr(t, ':', n) : NULL;
	kn = colon ? (size_t)(colon - t) : 0;
	for (kind = 1; colon && link_kind_name(kind); kind++) {
		const char *name = link_kind_name(kind);

		if (strlen(name) == kn && memcmp(name, t, kn) == 0) {
			sqlite3_result_int64(cx, link_key(kind, colon + 1, n - kn - 1));
			return;
		}
	}
	/* The kind only: the rest is a ref or a token. */
	(void)snprintf(msg, sizeof(msg),
	               "a linking key of no known kind (\"%.*s\"); the store was not changed",
	               colon && kn <= 32 ? (int)kn : 0, colon ? t : "");
	sqlite3_result_error(cx, msg, -1);
}

/*
 * rt_facts_keys(facts): the keys of a version's facts as a JSON array, as
 * keys_json() gives them; '[]' for an erased package's empty facts, NULL for
 * facts that cannot be read (schema 14 then keeps the keys stored).
 */
static void facts_keys_fn(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	const void *facts = sqlite3_value_blob(argv[0]);
	size_t n = (size_t)sqlite3_value_bytes(argv[0]);
	struct package p;
	struct buf b;

	(void)argc;
	if (n == 0) {
		sqlite3_result_text(cx, "[]", 2, SQLITE_STATIC);
		return;
	}
	if (!facts) {
		sqlite3_result_error_nomem(cx);
		return;
	}
	package_init(&p);
	buf_init(&b);
	if (package_decode_facts(&p, facts, n) < 0)
		sqlite3_result_null(cx);
	else if (keys_json(&b, &p) < 0)
		sqlite3_result_error_nomem(cx);
	else
		sqlite3_result_text(cx, b.data, (int)b.len, SQLITE_TRANSIENT);
	buf_release(&b);
	package_release(&p);
}

int store_key_functions(struct store *st, bool on)
{
	const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY;

	if (sqlite3_create_function(st->db, "rt_link_key", 1, flags, NULL, on ? link_key_fn : NULL,
	                            NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(st->db, "rt_facts_keys", 1, flags, NULL,
	                            on ? facts_keys_fn : NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	return 0;
}
