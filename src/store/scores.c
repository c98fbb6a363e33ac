/* Rule sets, scores, linking and the ranked worklist. */
#include "store-internal.h"

#include "reftriage/timeutil.h"

/* The same list as STORE_IS_OPEN. */
const char *const store_open_statuses[] = {
    "new", "assigned", "in_progress", "reopened", "awaiting_info", "transfer_pending", NULL};
/* The closed statuses: every other one. */
const char *const store_closed_statuses[] = {"actioned", "nfa", "transferred", "duplicate", NULL};

bool store_status_open(const char *status)
{
	size_t i;

	for (i = 0; status && store_open_statuses[i]; i++)
		if (strcmp(status, store_open_statuses[i]) == 0)
			return true;
	return false;
}

#include "reftriage/alloc.h"

static const char *col_text(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

int store_rules_install(struct store *st, const unsigned char hash[32], const char *name,
                        const char *version, const void *body, size_t len,
                        const char *operator_name, const char *source_file, int64_t now,
                        int64_t *rule_set_id, struct diag *d)
{
	const char *what = "storing the rule set";
	sqlite3_stmt *s;
	int rc;

	if (store_run_with(
	        st,
	        "INSERT INTO rule_sets (hash, name, version, body, first_seen_at) VALUES "
	        "(?1, ?2, ?3, ?4, ?5) ON CONFLICT (hash) DO NOTHING",
	        what, d,
	        STORE_ARGS(ARG_BLOB(hash, 32), ARG_TEXT(name), ARG_TEXT(version),
	                   ARG_BLOB(body, len), ARG_INT(now))) < 0)
		return -1;
	s = store_prepare_with(st, "SELECT id FROM rule_sets WHERE hash = ?1", what, d,
	                       STORE_ARGS(ARG_BLOB(hash, 32)));
	if (!s)
		return -1;
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		return store_fail(st, rc == SQLITE_DONE ? SQLITE_CORRUPT : rc, what, d);
	}
	*rule_set_id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return store_run_with(st,
	                      "INSERT INTO rule_installs (rule_set_id, installed_at, operator, "
	                      "source_file) VALUES (?1, ?2, ?3, ?4)",
	                      what, d,
	                      STORE_ARGS(ARG_INT(*rule_set_id), ARG_INT(now),
	                                 ARG_TEXT(operator_name), ARG_TEXT(source_file)));
}

int store_rules_get(struct store *st, int64_t id, int (*fn)(void *ctx, const struct store_rules *r),
                    void *ctx, struct diag *d)
{
	const char *what = "reading the rules";
	struct store_rules r;
	int rc, ret;
	/* The active rule set is the one installed last; a given id, its latest install. */
	sqlite3_stmt *s = store_prepare_with(
	    st,
	    "SELECT r.id, r.hash, r.name, r.version, r.body, i.installed_at, i.operator, "
	    "i.source_file FROM rule_installs i JOIN rule_sets r ON r.id = i.rule_set_id "
	    "WHERE ?1 = 0 OR r.id = ?1 ORDER BY i.id DESC LIMIT 1",
	    what, d, STORE_ARGS(ARG_INT(id)));

	if (!s)
		return -1;
	rc = store_step_one(st, s, what, d);
	if (rc != 0)
		return rc;
	if (sqlite3_column_bytes(s, 1) != 32) {
		sqlite3_finalize(s);
		return store_fail(st, SQLITE_CORRUPT, what, d);
	}
	r.id = sqlite3_column_int64(s, 0);
	r.hash = sqlite3_column_blob(s, 1);
	r.name = col_text(s, 2);
	r.version = col_text(s, 3);
	r.body = sqlite3_column_blob(s, 4);
	r.body_len = (size_t)sqlite3_column_bytes(s, 4);
	r.installed_at = sqlite3_column_int64(s, 5);
	r.operator_name = col_text(s, 6);
	r.source_file = col_text(s, 7);
	ret = fn(ctx, &r);
	sqlite3_finalize(s);
	return ret < 0 ? -1 : 0;
}

/* A score row's columns, read by read_score() (s. names the scores table). */
#define SCORE_COLS                                                                                 \
	"s.version, s.score, s.band, s.priority, s.due_at, s.overdue, s.linked, s.fired, "         \
	"s.received_at, s.ip_linked, s.valid_until, coalesce(s.rules_priority, s.priority)"
#define SCORE_NCOLS 12

/* Read SCORE_COLS from column c on; fired points into the statement's row. */
static void read_score(sqlite3_stmt *s, int c, struct store_score *out)
{
	memset(out, 0, sizeof(*out));
	out->version = sqlite3_column_int(s, c);
	out->score = sqlite3_column_int64(s, c + 1);
	out->band = sqlite3_column_int(s, c + 2);
	out->priority = sqlite3_column_int(s, c + 3);
	out->due_at = sqlite3_column_int64(s, c + 4);
	out->overdue = sqlite3_column_int(s, c + 5) != 0;
	out->linked = sqlite3_column_int64(s, c + 6);
	out->fired = col_text(s, c + 7);
	out->received_at = sqlite3_column_int64(s, c + 8);
	out->ip_linked = sqlite3_column_int64(s, c + 9);
	/* NULL (a row from before schema 12): as good as expired. */
	out->valid_until = sqlite3_column_type(s, c + 10) == SQLITE_NULL
	                       ? INT64_MIN
	                       : sqlite3_column_int64(s, c + 10);
	out->rules_priority = sqlite3_column_int(s, c + 11);
}

/*
 * How to read the open packages: through their index when they are at most
 * half the store (one that has served for years: 500 of a million), the
 * table itself otherwise (a first import: every package open), where the
 * index would add a lookup of each row. The planner, left to itself, chose
 * the index there once it held more columns (schema 23; PERFORMANCE.md).
 * How many are open is the planner's own statistics' figure, refreshed by
 * each complete rescore (store_refresh_stats), or when a store has none
 * yet, a count that stops at half.
 */
static int open_access(struct store *st, const char **how, const char *what, struct diag *d)
{
	int64_t all, stats, open = -1;

	if (store_one_int(st, "SELECT coalesce(max(id), 0) FROM packages", 0, &all, what, d) < 0 ||
	    store_one_int(st,
	                  "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1')",
	                  0, &stats, what, d) < 0 ||
	    (stats &&
	     store_one_int(st,
	                   "SELECT coalesce((SELECT CAST(stat AS INTEGER) FROM sqlite_stat1 "
	                   "WHERE tbl = 'packages' AND idx = 'packages_open'), -1)",
	                   0, &open, what, d) < 0))
		return -1;
	if (open < 0 && store_one_int(st,
	                              "SELECT count(*) FROM (SELECT 1 FROM packages p INDEXED BY "
	                              "packages_open WHERE " STORE_IS_OPEN("p.status") " LIMIT ?1)",
	                              all / 2 + 1, &open, what, d) < 0)
		return -1;
	*how = open > all / 2 ? " NOT INDEXED" : " INDEXED BY packages_open";
	return 0;
}

int store_each_open(struct store *st, bool facts,
                    int (*fn)(void *ctx, const struct store_open_package *p), void *ctx,
                    struct diag *d)
{
	const char *what = "reading open packages";
	const char *how;
	struct buf sql;
	sqlite3_stmt *s;
	int64_t overrides;
	int rc;

	/*
	 * Each open package's latest version, with its score row when that is
	 * current, and the override in force on it (casework.md section 1):
	 * joined only when some package has one (the join was 6 % of a
	 * rescore's instructions where none has; PERFORMANCE.md).
	 */
	if (open_access(st, &how, what, d) < 0 ||
	    store_one_int(st, "SELECT EXISTS (SELECT 1 FROM overrides)", 0, &overrides, what, d) <
	        0)
		return -1;
	buf_init(&sql);
	rc = buf_addf(&sql,
	              "SELECT p.id, p.latest_version, p.ref, %s, " SCORE_COLS ", p.reopened_at, %s "
	              "FROM packages p%s%s%s LEFT JOIN scores s ON s.package_id = p.id AND "
	              "s.as_of IS NULL AND s.rule_set_id IS NULL WHERE " STORE_IS_OPEN("p.status"),
	              facts ? "v.facts" : "NULL",
	              overrides ? "o.priority, o.band, o.direction = 'up', o.at"
	                        : "NULL, NULL, NULL, NULL",
	              how,
	              facts ? " JOIN package_versions v ON v.package_id = p.id AND v.version = "
	                      "p.latest_version"
	                    : "",
	              overrides ? " LEFT JOIN overrides o ON o.package_id = p.id" : "");
	s = store_prepare_built(st, &sql, rc, what, d);
	if (!s)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_open_package p;
		struct store_score prev;

		p.id = sqlite3_column_int64(s, 0);
		p.version = sqlite3_column_int(s, 1);
		p.ref = col_text(s, 2);
		p.facts = sqlite3_column_blob(s, 3);
		p.facts_len = (size_t)sqlite3_column_bytes(s, 3);
		p.prev = NULL;
		p.reopened_at = sqlite3_column_int64(s, 4 + SCORE_NCOLS); /* NULL reads 0 */
		p.ov_priority = col_text(s, 5 + SCORE_NCOLS);
		p.ov_band = sqlite3_column_int(s, 6 + SCORE_NCOLS);
		p.ov_up = sqlite3_column_int(s, 7 + SCORE_NCOLS) != 0;
		p.ov_at = sqlite3_column_int64(s, 8 + SCORE_NCOLS);
		if (sqlite3_column_type(s, 4) != SQLITE_NULL) {
			read_score(s, 4, &prev);
			prev.package_id = p.id;
			prev.ref = p.ref;
			if (prev.fired)
				p.prev = &prev;
		}
		if (!p.ref) {
			rc = SQLITE_NOMEM;
			break;
		}
		if (fn(ctx, &p) < 0) {
			sqlite3_finalize(s);
			return -1;
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, what, d);
	return 0;
}

/* Bind score row sc as the row-th of statement s (14 parameters a row). */
static int bind_score(sqlite3_stmt *s, int row, const struct store_score *sc)
{
	int p = row * 14;

	return sqlite3_bind_int64(s, p + 1, sc->package_id) != SQLITE_OK ||
	               sqlite3_bind_int(s, p + 2, sc->version) != SQLITE_OK ||
	               sqlite3_bind_int64(s, p + 3, sc->score) != SQLITE_OK ||
	               sqlite3_bind_int(s, p + 4, sc->band) != SQLITE_OK ||
	               sqlite3_bind_int(s, p + 5, sc->priority) != SQLITE_OK ||
	               sqlite3_bind_int64(s, p + 6, sc->due_at) != SQLITE_OK ||
	               sqlite3_bind_int(s, p + 7, sc->overdue) != SQLITE_OK ||
	               sqlite3_bind_int64(s, p + 8, sc->linked) != SQLITE_OK ||
	               sqlite3_bind_text(s, p + 9, sc->fired, -1, SQLITE_STATIC) != SQLITE_OK ||
	               sqlite3_bind_int64(s, p + 10, sc->received_at) != SQLITE_OK ||
	               sqlite3_bind_text(s, p + 11, sc->ref, -1, SQLITE_STATIC) != SQLITE_OK ||
	               sqlite3_bind_int64(s, p + 12, sc->ip_linked) != SQLITE_OK ||
	               sqlite3_bind_int64(s, p + 13, sc->valid_until) != SQLITE_OK ||
	               sqlite3_bind_int(s, p + 14, sc->rules_priority) != SQLITE_OK
	           ? -1
	           : 0;
}

/* Bind n score rows to statement id and run it once. */
static int run_scores(struct store *st, enum stmt_id id, const struct store_score *sc, size_t n,
                      struct diag *d)
{
	const char *what = "storing a score";
	sqlite3_stmt *s = store_stmt(st, id, d);
	size_t i;
	int rc;

	if (!s)
		return -1;
	for (i = 0; i < n; i++)
		if (bind_score(s, (int)i, &sc[i]) < 0)
			return store_fail(st, SQLITE_ERROR, what, d);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, what, d);
	return 0;
}

/* A bulk rescore's score row, waiting; its text is in store.score_text. */
struct pending_score {
	struct store_score sc;
	size_t fired, ref; /* offsets */
};

/* Write the score rows waiting: one statement for a full batch, else one a row. */
static int flush_scores(struct store *st, struct diag *d)
{
	struct store_score rows[STORE_SCORES_PER_INSERT];
	size_t i, n = st->nscores;

	for (i = 0; i < n; i++) {
		rows[i] = st->scores[i].sc;
		rows[i].fired = st->score_text.data + st->scores[i].fired;
		rows[i].ref = st->score_text.data + st->scores[i].ref;
	}
	st->nscores = 0;
	if (n == STORE_SCORES_PER_INSERT) {
		if (run_scores(st, S_PUT_SCORES, rows, n, d) < 0)
			return -1;
	} else {
		for (i = 0; i < n; i++)
			if (run_scores(st, S_PUT_SCORE, &rows[i], 1, d) < 0)
				return -1;
	}
	buf_reset(&st->score_text);
	return 0;
}

void store_scores_release(struct store *st)
{
	rt_free(st->scores);
	st->scores = NULL;
	st->nscores = 0;
	st->batch_scores = false;
	buf_release(&st->score_text);
}

void store_scores_discard(struct store *st)
{
	st->nscores = 0;
	st->batch_scores = false;
	buf_reset(&st->score_text);
}

int store_put_score(struct store *st, const struct store_score *sc, struct diag *d)
{
	struct pending_score *w;

	if (!st->batch_scores)
		return run_scores(st, S_PUT_SCORE, sc, 1, d);
	if (!st->scores) {
		st->scores = rt_calloc(STORE_SCORES_PER_INSERT, sizeof(*st->scores));
		if (!st->scores)
			return store_fail(st, SQLITE_NOMEM, "storing a score", d);
	}
	w = &st->scores[st->nscores];
	w->sc = *sc;
	w->fired = st->score_text.len;
	if (buf_add(&st->score_text, sc->fired, strlen(sc->fired) + 1) < 0)
		return store_fail(st, SQLITE_NOMEM, "storing a score", d);
	w->ref = st->score_text.len;
	if (buf_add(&st->score_text, sc->ref, strlen(sc->ref) + 1) < 0)
		return store_fail(st, SQLITE_NOMEM, "storing a score", d);
	if (++st->nscores == STORE_SCORES_PER_INSERT)
		return flush_scores(st, d);
	return 0;
}

/* The ranking index: the same text as schemas/005-current-scores.sql. */
static const char rank_index_sql[] =
    "CREATE INDEX scores_rank ON scores (priority, score DESC, received_at, ref)";

int store_scores_begin(struct store *st, int64_t rule_set_id, bool *bulk, struct diag *d)
{
	const char *what = "preparing the rescore";
	int64_t scored_id = 0, unscored = 0, scored = 0, bounded = 0;
	sqlite3_stmt *s;
	int rc;

	*bulk = false;
	/*
	 * Package ids only grow, so the packages above the highest scored id are
	 * the ones never scored (a fresh import's), and that id is about how
	 * many rows the table holds. Both come from the ends of two B-trees.
	 */
	s = store_prepare(st,
	                  "SELECT coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = "
	                  "'scored_rule_set'), 0), coalesce((SELECT max(package_id) FROM "
	                  "scores), 0), EXISTS (SELECT 1 FROM meta WHERE key = "
	                  "'scores_valid_until')",
	                  what, d);
	if (!s)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		scored_id = sqlite3_column_int64(s, 0);
		scored = sqlite3_column_int64(s, 1);
		bounded = sqlite3_column_int64(s, 2);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return store_fail(st, rc, what, d);
	if (store_one_int(st, "SELECT count(*) FROM packages WHERE id > ?1", scored, &unscored,
	                  what, d) < 0)
		return -1;
	/*
	 * Below ten thousand rows, inserting into the index costs little either
	 * way. The first rescore of a store that had no valid_until (schema 12)
	 * writes every row once.
	 */
	if (!((scored_id != rule_set_id || !bounded) && scored >= 10000) &&
	    !(unscored >= 10000 && unscored > scored))
		return 0;
	if (store_exec(st, "DROP INDEX scores_rank", what, d) < 0)
		return -1;
	*bulk = true;
	/* Most rows will be written: many to a statement, not one. */
	st->batch_scores = true;
	return 0;
}

int store_scores_end(struct store *st, bool bulk, struct diag *d)
{
	const char *what = "building the ranking";

	if (!bulk)
		return 0;
	st->batch_scores = false;
	if (flush_scores(st, d) < 0)
		return -1;
	/*
	 * SQLite's sort may hold as much memory as the page cache is allowed:
	 * shrink the cache while it runs, so that the sort reuses what the cache
	 * gives back and peak memory stays where the cache put it.
	 */
	if (store_exec(st, "PRAGMA cache_size = -8192", what, d) < 0)
		return -1;
	if (store_exec(st, rank_index_sql, what, d) < 0)
		return -1;
	return store_exec(st, "PRAGMA cache_size = " STORE_CACHE_SIZE, what, d);
}

static int put_meta(struct store *st, const char *key, int64_t v, struct diag *d)
{
	sqlite3_stmt *s =
	    store_prepare(st, "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
	                  "recording the scoring time", d);

	if (!s)
		return -1;
	if (sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, v) != SQLITE_OK) {
		sqlite3_finalize(s);
		return store_fail(st, SQLITE_ERROR, "recording the scoring time", d);
	}
	return store_run(st, s, "recording the scoring time", d);
}

/*
 * What a complete rescore leaves behind, read from the ends of four B-trees:
 * the highest package, version, score row and rules install. Every way the
 * program gives an open package a version or rules its score was not
 * computed for (an import committed without its rescore: issue 24) moves
 * one of them, and so does taking away the newest score rows. A count of
 * the score rows would see any row taken away, but costs a walk of an
 * index: 90 ms of a 45 ms list at a million packages (docs/design.md).
 */
#define SCORED_STATE                                                                               \
	"(SELECT coalesce(max(id), 0) FROM packages) || ' ' || (SELECT coalesce(max(id), 0) FROM " \
	"package_versions) || ' ' || (SELECT coalesce(max(package_id), 0) FROM scores) || ' ' || " \
	"(SELECT coalesce(max(id), 0) FROM rule_installs)"

static int store_refresh_stats(struct store *st, struct diag *d)
{
	sqlite3_stmt *s;

	/*
	 * The planner's statistics (sqlite_stat1), after each complete rescore:
	 * how many packages are open decides whether a list reads the index of
	 * the open ones or walks the ranking (schema 21). analysis_limit (set at
	 * open) makes this a sample: about 0.1 s on a million packages.
	 */
	if (store_exec(st, "ANALYZE packages", "updating the statistics", d) < 0 ||
	    store_exec(st, "ANALYZE scores", "updating the statistics", d) < 0)
		return -1;
	/* The index's WHERE and STORE_IS_OPEN must agree, or no list could use it. */
	s = store_prepare(st,
	                  "SELECT 1 FROM packages p INDEXED BY packages_open WHERE " STORE_IS_OPEN(
	                      "p.status") " LIMIT 0",
	                  "checking the index of the open packages", d);
	if (!s)
		return -1;
	sqlite3_finalize(s);
	return 0;
}

int store_set_scored(struct store *st, int64_t as_of, int64_t rule_set_id, struct diag *d)
{
	/* scores_valid_until: every open package's row now has its valid_until (schema 12). */
	if (put_meta(st, "scored_as_of", as_of, d) < 0 ||
	    put_meta(st, "scores_valid_until", 1, d) < 0 ||
	    put_meta(st, "scored_rule_set", rule_set_id, d) < 0)
		return -1;
	/* Every open package has its score now: the state that says so (store_unscored). */
	if (store_exec(
	        st, "INSERT OR REPLACE INTO meta (key, value) SELECT 'scored_state', " SCORED_STATE,
	        "recording the scoring time", d) < 0)
		return -1;
	return store_refresh_stats(st, d);
}

int store_get_scored(struct store *st, int64_t *as_of, int64_t *rule_set_id, struct diag *d)
{
	sqlite3_stmt *s =
	    store_prepare(st,
	                  "SELECT (SELECT value FROM meta WHERE key = 'scored_as_of'), "
	                  "(SELECT value FROM meta WHERE key = 'scored_rule_set')",
	                  "reading the scoring time", d);
	int rc, ret = 0;

	if (!s)
		return -1;
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		return store_fail(st, rc, "reading the scoring time", d);
	}
	if (sqlite3_column_type(s, 0) == SQLITE_NULL || sqlite3_column_type(s, 1) == SQLITE_NULL) {
		ret = 1;
	} else {
		*as_of = sqlite3_column_int64(s, 0);
		*rule_set_id = sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	return ret;
}

int store_get_score(struct store *st, int64_t package_id, struct store_score *out,
                    struct buf *fired, struct diag *d)
{
	/* An open package's row is as of the store's current scoring (schema 5). */
	sqlite3_stmt *s = store_prepare_with(
	    st,
	    "SELECT " SCORE_COLS ", coalesce(rule_set_id, (SELECT CAST(value AS INTEGER) FROM "
	    "meta WHERE key = 'scored_rule_set')), coalesce(as_of, (SELECT CAST(value AS INTEGER) "
	    "FROM meta WHERE key = 'scored_as_of')) FROM scores s WHERE package_id = ?1",
	    "reading a score", d, STORE_ARGS(ARG_INT(package_id)));
	int rc;

	if (!s)
		return -1;
	rc = store_step_one(st, s, "reading a score", d);
	if (rc != 0)
		return rc;
	read_score(s, 0, out);
	out->package_id = package_id;
	out->rule_set_id = sqlite3_column_int64(s, SCORE_NCOLS);
	out->as_of = sqlite3_column_int64(s, SCORE_NCOLS + 1);
	buf_reset(fired);
	if (out->fired && buf_adds(fired, out->fired) < 0) {
		sqlite3_finalize(s);
		return store_fail(st, SQLITE_NOMEM, "reading a score", d);
	}
	out->fired = fired->data;
	sqlite3_finalize(s);
	return 0;
}

/* What the worklist query is for: its rows, their count, or noting their refs. */
enum wl_mode { WL_ROWS, WL_COUNT, WL_NOTE };

/*
 * A scored row's columns (store_worklist_cols, then on_worklist_row's):
 * the head, the package's other columns and facts (row_full) or, for a
 * lean query, what packages_open holds so that no page of packages is read
 * (row_lean), and the override.
 */
static const char row_head[] = "SELECT s.priority, s.score, s.received_at, s.due_at, "
                               "s.due_at < ?1, p.ref, p.status, p.assigned_to, ";
static const char row_full[] = "p.force_area, p.referral_type, s.fired, p.updated, "
                               "(SELECT v.facts FROM package_versions v WHERE "
                               "v.package_id = p.id AND v.version = s.version), ";
static const char row_lean[] = "NULL, NULL, s.fired, 0, NULL, ";
static const char row_tail[] = "coalesce(s.rules_priority, s.priority), o.direction, o.code, "
                               "o.operator, o.approved_by, o.at, o.note";

/*
 * Build the worklist query with every filter as a bound parameter: the rows
 * in rank order, their count, or (WL_NOTE) the same refs in the same order
 * into the consultation's temp table.
 */
static sqlite3_stmt *worklist_stmt(struct store *st, const struct store_worklist_query *q,
                                   enum wl_mode mode, struct diag *d)
{
	bool count_only = mode == WL_COUNT;
	/* An unscored package has no priority and no due time: those filters pass it. */
	size_t npriorities = q->unscored ? 0 : q->npriorities;
	bool due_before = q->has_due_before && !q->unscored;
	struct buf sql;
	sqlite3_stmt *s = NULL;
	int rc, n = 0;

	buf_init(&sql);
	if (mode == WL_NOTE)
		rc = buf_adds(&sql, "INSERT INTO temp.consulted (ref) SELECT p.ref");
	else if (!q->unscored)
		rc = count_only ? buf_adds(&sql, "SELECT count(*)")
		                : buf_addf(&sql, "%s%s%s", row_head, q->lean ? row_lean : row_full,
		                           row_tail);
	else
		/* Not scored: nothing known of priority, score or due (?1 IS NULL: false). */
		rc = buf_adds(&sql,
		              count_only
		                  ? "SELECT count(*)"
		                  : "SELECT -1, 0, p.received_at, 0, ?1 IS NULL, p.ref, "
		                    "p.status, p.assigned_to, p.force_area, p.referral_type, "
		                    "NULL, p.updated, (SELECT v.facts FROM package_versions v "
		                    "WHERE v.package_id = p.id AND v.version = p.latest_version), "
		                    "-1, NULL, NULL, NULL, NULL, 0, NULL");
	n = mode == WL_ROWS ? 1 : 0; /* the rows' ?1 is now, for overdue */
	/* The unscored: an anti-join that the primary key of scores serves. */
	rc |= buf_adds(
	    &sql, q->unscored ? " FROM packages p WHERE " STORE_IS_OPEN(
	                            "p.status") " AND NOT EXISTS (SELECT 1 FROM scores s WHERE "
	                                        "s.package_id = p.id AND " CURRENT_SCORE ")"
	          : mode == WL_ROWS
	              /* with the override in force, for the writers */
	              ? " FROM scores s JOIN packages p ON p.id = s.package_id LEFT JOIN "
	                "overrides o ON o.package_id = p.id WHERE " STORE_IS_OPEN(
	                    "p.status") " AND " CURRENT_SCORE
	              : " FROM scores s JOIN packages p ON p.id = s.package_id "
	                "WHERE " STORE_IS_OPEN("p.status") " AND " CURRENT_SCORE);
	rc |= store_filters_sql(&sql, q, npriorities, q->unscored ? "p" : "s", &n);
	if (due_before)
		rc |= buf_addf(&sql, " AND s.due_at <= ?%d", ++n);
	/* The unscored, oldest first; then rules.md's order: priority, score (highest first),
	 * received_at, ref (bytewise). */
	if (!count_only && q->unscored)
		rc |= buf_addf(&sql, " ORDER BY p.received_at, p.ref LIMIT ?%d", ++n);
	else if (!count_only)
		rc |= buf_addf(&sql,
		               " ORDER BY %ss.priority, s.score DESC, s.received_at, s.ref "
		               "LIMIT ?%d",
		               q->by_due ? "s.due_at, " : "", ++n);
	s = store_prepare_built(st, &sql, rc, "reading the worklist", d);
	if (!s)
		return NULL;
	n = 0;
	rc = SQLITE_OK;
	if (mode == WL_ROWS)
		rc = sqlite3_bind_int64(s, ++n, q->now ? q->now : time_now());
	if (rc == SQLITE_OK)
		rc = store_bind_filters(s, q, npriorities, &n);
	if (rc == SQLITE_OK && due_before)
		rc = sqlite3_bind_int64(s, ++n, q->due_before);
	if (rc == SQLITE_OK && !count_only)
		rc = sqlite3_bind_int64(s, ++n, q->limit > 0 ? q->limit : -1);
	if (rc != SQLITE_OK) {
		sqlite3_finalize(s);
		(void)store_fail(st, rc, "reading the worklist", d);
		return NULL;
	}
	return s;
}

int store_filters_sql(struct buf *sql, const struct store_worklist_query *q, size_t npriorities,
                      const char *recv, int *n)
{
	size_t i;
	int rc = 0;

	if (q->nstatuses) {
		rc |= buf_adds(sql, " AND p.status IN (");
		for (i = 0; i < q->nstatuses; i++)
			rc |= buf_addf(sql, "%s?%d", i ? ", " : "", ++*n);
		rc |= buf_addc(sql, ')');
	}
	if (npriorities) {
		rc |= buf_adds(sql, " AND s.priority IN (");
		for (i = 0; i < npriorities; i++)
			rc |= buf_addf(sql, "%s?%d", i ? ", " : "", ++*n);
		rc |= buf_addc(sql, ')');
	}
	/* Any case: the comparison's collation, which the assignee's index serves. */
	if (q->no_force_area)
		rc |= buf_adds(sql, " AND p.force_area IS NULL");
	else if (q->force_area)
		rc |= buf_addf(sql, " AND p.force_area = ?%d COLLATE NOCASE", ++*n);
	if (q->assigned_to)
		rc |= buf_addf(sql, " AND p.assigned_to = ?%d COLLATE NOCASE", ++*n);
	if (q->has_since)
		rc |= buf_addf(sql, " AND %s.received_at >= ?%d", recv, ++*n);
	if (q->has_changed_since) {
		++*n;
		rc |= buf_addf(sql,
		               " AND (EXISTS (SELECT 1 FROM package_versions v WHERE v.package_id "
		               "= p.id AND v.imported_at > ?%d) OR EXISTS (SELECT 1 FROM "
		               "package_events e WHERE e.package_id = p.id AND e.at > ?%d))",
		               *n, *n);
	}
	return rc ? -1 : 0;
}

sqlite3_stmt *store_prepare_built(struct store *st, struct buf *sql, int built, const char *what,
                                  struct diag *d)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (built) {
		buf_release(sql);
		diag_at(d, st->path, 0, NULL);
		diag_set(d, EX_SOFTWARE, "out of memory");
		return NULL;
	}
	rc = sqlite3_prepare_v2(st->db, sql->data, -1, &s, NULL);
	buf_release(sql);
	if (rc != SQLITE_OK) {
		(void)store_fail(st, rc, what, d);
		return NULL;
	}
	return s;
}

int store_bind_filters(sqlite3_stmt *s, const struct store_worklist_query *q, size_t npriorities,
                       int *n)
{
	int rc = SQLITE_OK;
	size_t i;

	for (i = 0; rc == SQLITE_OK && i < q->nstatuses; i++)
		rc = sqlite3_bind_text(s, ++*n, q->statuses[i], -1, SQLITE_STATIC);
	for (i = 0; rc == SQLITE_OK && i < npriorities; i++)
		rc = sqlite3_bind_int(s, ++*n, q->priorities[i]);
	if (rc == SQLITE_OK && q->force_area && !q->no_force_area)
		rc = sqlite3_bind_text(s, ++*n, q->force_area, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK && q->assigned_to)
		rc = sqlite3_bind_text(s, ++*n, q->assigned_to, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK && q->has_since)
		rc = sqlite3_bind_int64(s, ++*n, q->since);
	if (rc == SQLITE_OK && q->has_changed_since)
		rc = sqlite3_bind_int64(s, ++*n, q->changed_since);
	return rc;
}

int store_count_of(struct store *st, sqlite3_stmt *s, long *count, const char *what, struct diag *d)
{
	int64_t v;

	if (store_step_int(st, s, &v, what, d) < 0)
		return -1;
	*count = (long)v;
	return 0;
}

int store_worklist_count(struct store *st, const struct store_worklist_query *q, long *count,
                         struct diag *d)
{
	return store_count_of(st, worklist_stmt(st, q, WL_COUNT, d), count, "reading the worklist",
	                      d);
}

int store_worklist_cols(sqlite3_stmt *s, struct store_worklist_row *r)
{
	memset(r, 0, sizeof(*r));
	store_cols(s, 0,
	           STORE_COLS(COL_INT(&r->priority), COL_I64(&r->score), COL_I64(&r->received_at),
	                      COL_I64(&r->due_at), COL_BOOL(&r->overdue), COL_TEXT(&r->ref),
	                      COL_TEXT(&r->status), COL_TEXT(&r->assigned_to),
	                      COL_TEXT(&r->force_area), COL_TEXT(&r->referral_type),
	                      COL_TEXT(&r->fired), COL_BOOL(&r->updated),
	                      COL_BLOB(&r->facts, &r->facts_len)));
	return 13;
}

static int on_worklist_row(sqlite3_stmt *s, void *x)
{
	struct row_fn *f = x;
	struct store_worklist_row r;

	store_cols(s, store_worklist_cols(s, &r),
	           STORE_COLS(COL_INT(&r.rules_priority), COL_TEXT(&r.ov.direction),
	                      COL_TEXT(&r.ov.code), COL_TEXT(&r.ov.operator_name),
	                      COL_TEXT(&r.ov.approved_by), COL_I64(&r.ov.at),
	                      COL_TEXT(&r.ov.note)));
	r.overridden = r.ov.direction != NULL;
	return f->fn.worklist(f->ctx, &r) < 0 ? -1 : 0;
}

int store_worklist(struct store *st, const struct store_worklist_query *q,
                   int (*fn)(void *ctx, const struct store_worklist_row *r), void *ctx,
                   struct diag *d)
{
	struct row_fn f = {.fn.worklist = fn, .ctx = ctx};
	sqlite3_stmt *s = worklist_stmt(st, q, WL_ROWS, d);

	if (!s)
		return -1;
	return store_step_rows(st, s, false, "reading the worklist", on_worklist_row, &f, d);
}

int store_worklist_note(struct store *st, const struct store_worklist_query *q, struct diag *d)
{
	sqlite3_stmt *s;

	if (!st->reading) {
		diag_at(d, st->path, 0, NULL);
		return diag_set(d, EX_SOFTWARE, "noting a worklist outside a consultation");
	}
	s = worklist_stmt(st, q, WL_NOTE, d);
	if (!s)
		return -1;
	return store_run(st, s, "noting the consulted packages", d);
}

int store_unscored(struct store *st, long *count, struct diag *d)
{
	struct store_worklist_query q;
	int64_t same = 0;

	*count = 0;
	/* Nothing changed since a complete rescore: none (the anti-join reads every package). */
	if (store_one_int(st,
	                  "SELECT (" SCORED_STATE ") IS (SELECT value FROM meta WHERE key = "
	                  "'scored_state')",
	                  0, &same, "counting the unscored packages", d) < 0)
		return -1;
	if (same)
		return 0;
	memset(&q, 0, sizeof(q));
	q.unscored = true;
	return store_worklist_count(st, &q, count, d);
}
