/*
 * The deconfliction list in the store (reftriage/deconflict.h, schema 19):
 * one active list, its entries keyed as package_keys is, so that a match is
 * an index join in either direction (an entry's packages, a package's
 * entries), and one acknowledgement per package.
 */
#include "store-internal.h"

#include "reftriage/alloc.h"
#include "reftriage/deconflict.h"
#include "reftriage/links.h"

#include <stdlib.h>

/* An entry is active on local day D when it has no end or ends on D or later. */

static int put_meta(struct store *st, const char *key, int64_t v, struct diag *d)
{
	return store_run_with(st, "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
	                      "writing the deconfliction state", d,
	                      STORE_ARGS(ARG_TEXT(key), ARG_INT(v)));
}

static int get_meta(struct store *st, const char *key, int64_t *v, struct diag *d)
{
	sqlite3_stmt *s = store_prepare_with(
	    st, "SELECT coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = ?1), 0)",
	    "reading the deconfliction state", d, STORE_ARGS(ARG_TEXT(key)));
	int rc;

	if (!s)
		return -1;
	rc = store_step_one(st, s, "reading the deconfliction state", d);
	if (rc < 0)
		return -1;
	*v = rc == 0 ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	return 0;
}

/* A new generation of the list: every stored score must be computed again. */
static int bump(struct store *st, int64_t *gen, struct diag *d)
{
	if (get_meta(st, "deconf_generation", gen, d) < 0)
		return -1;
	++*gen;
	return put_meta(st, "deconf_generation", *gen, d);
}

int store_deconf_meta(struct store *st, struct deconf_meta *m, struct diag *d)
{
	sqlite3_stmt *s = store_prepare(
	    st, "SELECT imported_at, imported_by, source, file_hash, entries FROM deconf_list",
	    "reading the deconfliction list", d);
	const char *by = NULL, *src = NULL;
	const void *h = NULL;
	size_t hn = 0;
	int rc;

	memset(m, 0, sizeof(*m));
	if (!s)
		return -1;
	rc = store_step_one(st, s, "reading the deconfliction list", d);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	store_cols(s, 0,
	           STORE_COLS(COL_I64(&m->imported_at), COL_TEXT(&by), COL_TEXT(&src),
	                      COL_BLOB(&h, &hn), COL_LONG(&m->entries)));
	m->present = true;
	(void)snprintf(m->imported_by, sizeof(m->imported_by), "%s", by ? by : "");
	(void)snprintf(m->source, sizeof(m->source), "%s", src ? src : "");
	if (h && hn == HASH_BYTES)
		memcpy(m->hash, h, HASH_BYTES);
	sqlite3_finalize(s);
	return 0;
}

static int count_entries(struct store *st, int64_t *n, struct diag *d)
{
	return store_one_int(st, "SELECT count(*) FROM deconf_entries", 0, n,
	                     "counting the deconfliction entries", d);
}

int store_deconf_replace(struct store *st, const struct deconf_file *f, const char *source,
                         const char *by, int64_t at, struct deconf_change *ch, struct diag *d)
{
	static const char upsert[] =
	    "INSERT INTO deconf_entries (key, type, value, owner, operation, contact, until_day, "
	    "added_at, list_gen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (type, "
	    "value, owner) DO UPDATE SET operation = excluded.operation, contact = "
	    "excluded.contact, until_day = excluded.until_day, list_gen = excluded.list_gen";
	int64_t gen, before, after;
	sqlite3_stmt *s;
	size_t i;
	int rc = 0;

	memset(ch, 0, sizeof(*ch));
	if (bump(st, &gen, d) < 0 || count_entries(st, &before, d) < 0)
		return -1;
	s = store_prepare(st, upsert, "writing the deconfliction list", d);
	if (!s)
		return -1;
	for (i = 0; i < f->n && rc == 0; i++) {
		const struct deconf_entry *e = &f->e[i];
		const char *op = deconf_text(f, e->operation);
		int r;

		r = store_bind(s, STORE_ARGS(ARG_INT(e->key), ARG_TEXT(deconf_text(f, e->type)),
		                             ARG_TEXT(deconf_text(f, e->value)),
		                             ARG_TEXT(deconf_text(f, e->owner)),
		                             ARG_TEXT(*op ? op : NULL),
		                             ARG_TEXT(deconf_text(f, e->contact)),
		                             ARG_INT(e->until_day), ARG_INT(at), ARG_INT(gen)));
		if (r == SQLITE_OK && e->until_day < 0)
			r = sqlite3_bind_null(s, 7);
		if (r != SQLITE_OK)
			rc = store_fail(st, r, "writing the deconfliction list", d);
		else if ((r = sqlite3_step(s)) != SQLITE_DONE)
			rc = store_fail(st, r, "writing the deconfliction list", d);
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	if (rc < 0 || count_entries(st, &after, d) < 0)
		return -1;
	ch->added = (long)(after - before);
	if (store_run_with(st, "DELETE FROM deconf_entries WHERE list_gen != ?1",
	                   "writing the deconfliction list", d, STORE_ARGS(ARG_INT(gen))) < 0)
		return -1;
	ch->removed = sqlite3_changes(st->db);
	ch->kept = (long)f->n - ch->added;
	return store_run_with(
	    st,
	    "INSERT OR REPLACE INTO deconf_list (id, imported_at, imported_by, source, file_hash, "
	    "entries) VALUES (1, ?1, ?2, ?3, ?4, ?5)",
	    "writing the deconfliction list", d,
	    STORE_ARGS(ARG_INT(at), ARG_TEXT(by), ARG_TEXT(source), ARG_BLOB(f->hash, HASH_BYTES),
	               ARG_INT((int64_t)f->n)));
}

int store_deconf_clear(struct store *st, long *removed, struct diag *d)
{
	int64_t gen;

	if (bump(st, &gen, d) < 0 ||
	    store_exec(st, "DELETE FROM deconf_entries", "clearing the deconfliction list", d) < 0)
		return -1;
	*removed = sqlite3_changes(st->db);
	return store_exec(st, "DELETE FROM deconf_list", "clearing the deconfliction list", d);
}

struct rows_ctx {
	int (*fn)(void *ctx, const struct deconf_row *r);
	void *ctx;
};

static int on_entry(sqlite3_stmt *s, void *x)
{
	struct rows_ctx *c = x;
	struct deconf_row r;
	bool no_end = sqlite3_column_type(s, 5) == SQLITE_NULL;

	memset(&r, 0, sizeof(r));
	store_cols(s, 0,
	           STORE_COLS(COL_TEXT(&r.type), COL_TEXT(&r.value), COL_TEXT(&r.owner),
	                      COL_TEXT(&r.operation), COL_TEXT(&r.contact), COL_I64(&r.until_day),
	                      COL_I64(&r.added_at), COL_BOOL(&r.active)));
	if (no_end)
		r.until_day = -1;
	if (!r.type || !r.value || !r.owner || !r.contact)
		return -2; /* out of memory */
	return c->fn(c->ctx, &r);
}

#define ENTRY_COLS                                                                                 \
	"e.type, e.value, e.owner, e.operation, e.contact, e.until_day, "                          \
	"e.added_at, " DECONF_ACTIVE("?1")

static int each(struct store *st, sqlite3_stmt *s, const char *what,
                int (*fn)(void *ctx, const struct deconf_row *r), void *ctx, struct diag *d)
{
	struct rows_ctx c = {fn, ctx};
	int rc;

	if (!s)
		return -1;
	rc = store_step_rows(st, s, false, what, on_entry, &c, d);
	if (rc == -2) {
		diag_at(d, st->path, 0, NULL);
		return diag_set(d, EX_SOFTWARE, "out of memory");
	}
	return rc;
}

int store_deconf_each(struct store *st, int64_t today,
                      int (*fn)(void *ctx, const struct deconf_row *r), void *ctx, struct diag *d)
{
	static const char what[] = "reading the deconfliction list";

	return each(st,
	            store_prepare_with(st,
	                               "SELECT " ENTRY_COLS " FROM deconf_entries e ORDER BY "
	                               "e.type, e.owner, e.value",
	                               what, d, STORE_ARGS(ARG_INT(today))),
	            what, fn, ctx, d);
}

/*
 * A package's linking keys, from its facts (links.h): package_keys is keyed
 * by key, so a package's own entries are found key by key, each an index
 * lookup in deconf_entries.
 */
struct keys_ctx {
	int64_t *k;
	size_t n, cap;
};

static int collect_key(void *ctx, int64_t key, const char *text, size_t len)
{
	struct keys_ctx *x = ctx;

	(void)text;
	(void)len;
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 16;
		int64_t *k = rt_realloc(x->k, cap * sizeof(*k));

		if (!k)
			return -1;
		x->k = k;
		x->cap = cap;
	}
	x->k[x->n++] = key;
	return 0;
}

static int keys_of(struct store *st, const struct package *p, struct keys_ctx *x, struct diag *d)
{
	memset(x, 0, sizeof(*x));
	if (link_keys_only(p, collect_key, x) != 0) {
		rt_free(x->k);
		diag_at(d, st->path, 0, NULL);
		return diag_set(d, EX_SOFTWARE, "out of memory");
	}
	return 0;
}

int store_deconf_matches(struct store *st, const struct package *p, int64_t today,
                         int (*fn)(void *ctx, const struct deconf_row *r), void *ctx,
                         struct diag *d)
{
	struct keys_ctx x;
	size_t i;
	int rc = 0;

	if (keys_of(st, p, &x, d) < 0)
		return -1;
	for (i = 0; i < x.n && rc == 0; i++)
		rc = store_deconf_by_key(st, x.k[i], today, fn, ctx, d);
	rt_free(x.k);
	return rc;
}

int store_deconf_by_key(struct store *st, int64_t key, int64_t today,
                        int (*fn)(void *ctx, const struct deconf_row *r), void *ctx, struct diag *d)
{
	static const char what[] = "searching the deconfliction list";

	return each(st,
	            store_prepare_with(st,
	                               "SELECT " ENTRY_COLS " FROM deconf_entries e WHERE e.key = "
	                               "?2 AND " DECONF_ACTIVE("?1") " ORDER BY e.owner, e.value",
	                               what, d, STORE_ARGS(ARG_INT(today), ARG_INT(key))),
	            what, fn, ctx, d);
}

int store_deconf_ack_get(struct store *st, int64_t package_id, struct deconf_ack *a, struct diag *d)
{
	sqlite3_stmt *s = store_prepare_with(
	    st, "SELECT at, operator, note FROM deconf_acks WHERE package_id = ?1",
	    "reading an acknowledgement", d, STORE_ARGS(ARG_INT(package_id)));
	const char *by = NULL, *note = NULL;
	int rc;

	memset(a, 0, sizeof(*a));
	if (!s)
		return -1;
	rc = store_step_one(st, s, "reading an acknowledgement", d);
	if (rc != 0)
		return rc;
	store_cols(s, 0, STORE_COLS(COL_I64(&a->at), COL_TEXT(&by), COL_TEXT(&note)));
	(void)snprintf(a->operator_name, sizeof(a->operator_name), "%s", by ? by : "");
	(void)snprintf(a->note, sizeof(a->note), "%s", note ? note : "");
	sqlite3_finalize(s);
	return 0;
}

int store_deconf_ack_put(struct store *st, int64_t package_id, int64_t at, const char *by,
                         const char *note, struct diag *d)
{
	return store_run_with(
	    st,
	    "INSERT OR REPLACE INTO deconf_acks (package_id, at, operator, note) "
	    "VALUES (?1, ?2, ?3, ?4)",
	    "recording an acknowledgement", d,
	    STORE_ARGS(ARG_INT(package_id), ARG_INT(at), ARG_TEXT(by), ARG_TEXT(note)));
}

struct map_ctx {
	struct deconf_map *m;
	size_t cap;
	bool refs;
};

static int on_map(sqlite3_stmt *s, void *x)
{
	struct map_ctx *c = x;
	struct deconf_pkg *p;

	if (c->m->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 1024;
		struct deconf_pkg *v = rt_realloc(c->m->p, cap * sizeof(*v));

		if (!v)
			return -2;
		c->m->p = v;
		c->cap = cap;
	}
	p = &c->m->p[c->m->n++];
	p->package_id = sqlite3_column_int64(s, 0);
	p->hits = (uint32_t)sqlite3_column_int64(s, 1);
	p->possible = (uint32_t)sqlite3_column_int64(s, 2);
	p->newest_hit = sqlite3_column_int64(s, 3);
	p->ack_at = sqlite3_column_int64(s, 4);
	p->ref = NULL;
	if (c->refs) {
		const char *ref = (const char *)sqlite3_column_text(s, 5);
		size_t n = ref ? strlen(ref) : 0;

		p->ref = rt_malloc(n + 1);
		if (!p->ref)
			return -2;
		memcpy(p->ref, ref ? ref : "", n + 1);
	}
	return 0;
}

static int load_map(struct store *st, int64_t today, struct deconf_map *m, bool refs,
                    struct diag *d)
{
	static const char what[] = "matching the packages against the deconfliction list";
	struct map_ctx c = {m, 0, refs};
	sqlite3_stmt *s;
	int rc;

	memset(m, 0, sizeof(*m));
	/*
	 * From each active entry to the packages holding its key (the primary
	 * key of package_keys): as many lookups as entries, whatever the store's size.
	 */
	s = store_prepare_with(
	    st,
	    "SELECT k.package_id, sum(e.type != 'ip'), sum(e.type = 'ip'), coalesce(max(CASE WHEN "
	    "e.type != 'ip' THEN e.added_at END), 0), coalesce((SELECT a.at FROM deconf_acks a "
	    "WHERE a.package_id = k.package_id), 0), CASE WHEN ?2 THEN (SELECT p.ref FROM packages "
	    "p WHERE p.id = k.package_id) END FROM deconf_entries e CROSS JOIN package_keys k ON "
	    "k.key = "
	    "e.key WHERE " DECONF_ACTIVE("?1") " GROUP BY k.package_id ORDER BY k.package_id",
	    what, d, STORE_ARGS(ARG_INT(today), ARG_INT(refs)));
	if (!s)
		return -1;
	rc = store_step_rows(st, s, false, what, on_map, &c, d);
	if (rc == -2) {
		deconf_map_release(m);
		diag_at(d, st->path, 0, NULL);
		return diag_set(d, EX_SOFTWARE, "out of memory");
	}
	if (rc < 0)
		deconf_map_release(m);
	return rc;
}

int store_deconf_map(struct store *st, int64_t today, struct deconf_map *m, struct diag *d)
{
	return load_map(st, today, m, false, d);
}

static int by_ref(const void *a, const void *b)
{
	return strcmp(((const struct deconf_pkg *)a)->ref, ((const struct deconf_pkg *)b)->ref);
}

int store_deconf_map_by_ref(struct store *st, int64_t today, struct deconf_map *m, struct diag *d)
{
	if (load_map(st, today, m, true, d) < 0)
		return -1;
	if (m->n)
		qsort(m->p, m->n, sizeof(*m->p), by_ref);
	return 0;
}

const struct deconf_pkg *deconf_map_get_ref(const struct deconf_map *m, const char *ref)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(m->p[mid].ref, ref);

		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->n && strcmp(m->p[lo].ref, ref) == 0 ? &m->p[lo] : NULL;
}

void deconf_map_release(struct deconf_map *m)
{
	size_t i;

	for (i = 0; i < m->n && m->p; i++)
		rt_free(m->p[i].ref);
	rt_free(m->p);
	memset(m, 0, sizeof(*m));
}

const struct deconf_pkg *deconf_map_get(const struct deconf_map *m, int64_t package_id)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->p[mid].package_id < package_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->n && m->p[lo].package_id == package_id ? &m->p[lo] : NULL;
}

enum deconf_state deconf_state_of(const struct deconf_pkg *p, bool le_agency)
{
	bool held = le_agency || (p && p->hits);

	if (!held)
		return DECONF_NONE;
	if (p && p->ack_at && (!p->hits || p->ack_at >= p->newest_hit))
		return DECONF_ACKNOWLEDGED;
	return DECONF_HIT;
}

int store_deconf_scored_current(struct store *st, int64_t today, bool *current, struct diag *d)
{
	int64_t gen, scored, day, lapsed = 0;

	*current = false;
	if (get_meta(st, "deconf_generation", &gen, d) < 0 ||
	    get_meta(st, "scored_deconf_generation", &scored, d) < 0 ||
	    get_meta(st, "scored_deconf_day", &day, d) < 0)
		return -1;
	if (gen != scored)
		return 0;
	if (day < today) {
		sqlite3_stmt *s = store_prepare_with(
		    st,
		    "SELECT EXISTS (SELECT 1 FROM deconf_entries WHERE until_day >= ?1 AND "
		    "until_day < ?2)",
		    "reading the deconfliction list", d, STORE_ARGS(ARG_INT(day), ARG_INT(today)));

		if (!s || store_step_one(st, s, "reading the deconfliction list", d) != 0)
			return -1;
		lapsed = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	*current = !lapsed;
	return 0;
}

int store_deconf_mark_scored(struct store *st, int64_t today, struct diag *d)
{
	int64_t gen;

	if (get_meta(st, "deconf_generation", &gen, d) < 0)
		return -1;
	return put_meta(st, "scored_deconf_generation", gen, d) < 0
	           ? -1
	           : put_meta(st, "scored_deconf_day", today, d);
}

int store_deconf_hits_one(struct store *st, const struct package *p, int64_t today, int64_t *hits,
                          struct diag *d)
{
	static const char what[] = "matching a package against the deconfliction list";
	struct keys_ctx x;
	size_t i;
	int rc = 0;

	*hits = 0;
	if (keys_of(st, p, &x, d) < 0)
		return -1;
	/* A kept statement: a what-if asks this of every open package (rules diff). */
	for (i = 0; i < x.n && rc == 0; i++) {
		sqlite3_stmt *s;

		if (link_key_is_ip(x.k[i]))
			continue;
		s = store_stmt(st, S_DECONF_HITS, d);
		if (!s || store_bind(s, STORE_ARGS(ARG_INT(today), ARG_INT(x.k[i]))) != SQLITE_OK) {
			rc = s ? store_fail(st, SQLITE_ERROR, what, d) : -1;
			break;
		}
		if (sqlite3_step(s) != SQLITE_ROW) {
			rc = store_fail(st, sqlite3_errcode(st->db), what, d);
			sqlite3_reset(s);
			break;
		}
		*hits += sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
	}
	rt_free(x.k);
	return rc;
}

struct found_ctx {
	int (*fn)(void *ctx, const struct store_found *p);
	void *ctx;
};

static int on_found(sqlite3_stmt *s, void *x)
{
	struct found_ctx *c = x;
	struct store_found f;
	bool unscored = sqlite3_column_type(s, 4) == SQLITE_NULL;

	memset(&f, 0, sizeof(f));
	store_cols(s, 0,
	           STORE_COLS(COL_I64(&f.id), COL_TEXT(&f.ref), COL_TEXT(&f.status),
	                      COL_TEXT(&f.assigned_to), COL_INT(&f.priority)));
	if (unscored)
		f.priority = -1;
	if (!f.ref || !f.status)
		return -2;
	return c->fn(c->ctx, &f);
}

#define FOUND_COLS "p.id, p.ref, p.status, p.assigned_to, s.priority"
#define FOUND_OPEN "(?2 OR " STORE_IS_OPEN("p.status") ")"

static int found(struct store *st, sqlite3_stmt *s,
                 int (*fn)(void *ctx, const struct store_found *p), void *ctx, struct diag *d)
{
	struct found_ctx c = {fn, ctx};
	int rc;

	if (!s)
		return -1;
	rc = store_step_rows(st, s, false, "searching the packages", on_found, &c, d);
	if (rc == -2) {
		diag_at(d, st->path, 0, NULL);
		return diag_set(d, EX_SOFTWARE, "out of memory");
	}
	return rc;
}

int store_find_key(struct store *st, int64_t key, bool all,
                   int (*fn)(void *ctx, const struct store_found *p), void *ctx, struct diag *d)
{
	return found(
	    st,
	    store_prepare_with(st,
	                       "SELECT " FOUND_COLS " FROM package_keys k CROSS JOIN packages p "
	                       "ON p.id = k.package_id LEFT JOIN scores s ON s.package_id "
	                       "= p.id WHERE k.key = ?1 AND " FOUND_OPEN
	                       " ORDER BY coalesce(s.priority, 1000), p.ref",
	                       "searching the packages", d, STORE_ARGS(ARG_INT(key), ARG_INT(all))),
	    fn, ctx, d);
}

/* The ASCII letters of s, at most max of them, by position into at; how many, or max + 1. */
static size_t ascii_letters(const char *s, size_t *at, size_t max)
{
	size_t i, n = 0;

	for (i = 0; s[i]; i++)
		if ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z') {
			if (n == max)
				return max + 1;
			at[n++] = i;
		}
	return n;
}

int store_find_ref(struct store *st, const char *prefix, bool all,
                   int (*fn)(void *ctx, const struct store_found *p), void *ctx, struct diag *d)
{
	/*
	 * A prefix in any case without an index of refs in any case (schema 21
	 * dropped it: it cost every import 6 %): SQLite's NOCASE folds ASCII
	 * letters only, so the refs it matches are those that start with one of
	 * the prefix's 2^k spellings (k letters), each a range of the refs'
	 * own unique index. Every ref character sorts below 0x7f: the range of
	 * spelling v is [v, v 0x7f). Ranges of different spellings never meet.
	 * More than FIND_REF_LETTERS letters: one read of every ref instead.
	 */
	enum { FIND_REF_LETTERS = 8 };
	size_t at[FIND_REF_LETTERS], k = ascii_letters(prefix, at, FIND_REF_LETTERS), len;
	char v[80], upper[82];
	unsigned long mask, n;
	struct buf sql;
	sqlite3_stmt *s;
	int rc = 0, p = 0;

	len = strlen(prefix);
	if (k > FIND_REF_LETTERS || len + 2 > sizeof(v)) {
		(void)snprintf(upper, sizeof(upper), "%s\x7f", prefix);
		return found(st,
		             store_prepare_with(
		                 st,
		                 "SELECT " FOUND_COLS " FROM packages p LEFT JOIN scores s ON "
		                 "s.package_id = p.id WHERE p.ref COLLATE NOCASE >= ?1 AND p.ref "
		                 "COLLATE NOCASE < ?3 AND " FOUND_OPEN
		                 " ORDER BY coalesce(s.priority, 1000), p.ref",
		                 "searching the packages", d,
		                 STORE_ARGS(ARG_TEXT(prefix), ARG_INT(all), ARG_TEXT(upper))),
		             fn, ctx, d);
	}
	n = 1UL << k;
	buf_init(&sql);
	rc |= buf_adds(&sql, "SELECT " FOUND_COLS " FROM packages p LEFT JOIN scores s ON "
	                     "s.package_id = p.id WHERE (");
	for (mask = 0; mask < n; mask++)
		rc |= buf_addf(&sql, "%s(p.ref >= ?%lu AND p.ref < ?%lu)", mask ? " OR " : "",
		               2 * mask + 1, 2 * mask + 2);
	/* +p.status: the ranges choose the rows, not the index of the open packages. */
	rc |= buf_adds(&sql, all ? ")" : ") AND " STORE_IS_OPEN("+p.status"));
	rc |= buf_adds(&sql, " ORDER BY coalesce(s.priority, 1000), p.ref");
	s = store_prepare_built(st, &sql, rc, "searching the packages", d);
	if (!s)
		return -1;
	rc = SQLITE_OK;
	for (mask = 0; rc == SQLITE_OK && mask < n; mask++) {
		size_t b;

		memcpy(v, prefix, len + 1);
		for (b = 0; b < k; b++)
			v[at[b]] = (char)((mask >> b) & 1 ? v[at[b]] ^ 0x20 : v[at[b]]);
		(void)snprintf(upper, sizeof(upper), "%s\x7f", v);
		rc = sqlite3_bind_text(s, ++p, v, -1, SQLITE_TRANSIENT);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_text(s, ++p, upper, -1, SQLITE_TRANSIENT);
	}
	if (rc != SQLITE_OK) {
		sqlite3_finalize(s);
		return store_fail(st, rc, "searching the packages", d);
	}
	return found(st, s, fn, ctx, d);
}
