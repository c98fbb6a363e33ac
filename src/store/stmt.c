/*
 * The statements and errors every store file builds on: the prepared
 * statements kept for the whole session, one-shot statements, and turning an
 * SQLite result into a diag. Nothing here calls another store file.
 */
#include "store-internal.h"

/*
 * A score row: package_id, version, score, band, priority, due_at, overdue,
 * linked, fired, received_at, ref, ip_linked, valid_until, rules_priority,
 * numbered in that
 * order (unnumbered parameters count on from the last); as_of and
 * rule_set_id NULL, the store's current scoring (schema 5).
 */
#define SCORE_INSERT_COLS                                                                          \
	"package_id, version, rule_set_id, as_of, score, band, priority, due_at, overdue, "        \
	"linked, "                                                                                 \
	"fired, received_at, ref, ip_linked, valid_until, rules_priority"
#define SCORE_ROW    "(?, ?, NULL, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define SCORE_ROWS2  SCORE_ROW ", " SCORE_ROW
#define SCORE_ROWS4  SCORE_ROWS2 ", " SCORE_ROWS2
#define SCORE_ROWS8  SCORE_ROWS4 ", " SCORE_ROWS4
#define SCORE_ROWS16 SCORE_ROWS8 ", " SCORE_ROWS8
#define SCORE_ROWS32 SCORE_ROWS16 ", " SCORE_ROWS16
#define SCORE_ROWS64 SCORE_ROWS32 ", " SCORE_ROWS32
_Static_assert(STORE_SCORES_PER_INSERT == 64, "SCORE_ROWS64 holds STORE_SCORES_PER_INSERT rows");

/* A linking key's row, (key, package_id); 64 of them. */
#define KEY_ROW    "(?, ?)"
#define KEY_ROWS2  KEY_ROW ", " KEY_ROW
#define KEY_ROWS4  KEY_ROWS2 ", " KEY_ROWS2
#define KEY_ROWS8  KEY_ROWS4 ", " KEY_ROWS4
#define KEY_ROWS16 KEY_ROWS8 ", " KEY_ROWS8
#define KEY_ROWS32 KEY_ROWS16 ", " KEY_ROWS16
#define KEY_ROWS64 KEY_ROWS32 ", " KEY_ROWS32
_Static_assert(STORE_KEYS_PER_INSERT == 64, "KEY_ROWS64 holds STORE_KEYS_PER_INSERT rows");

/* A version's row: its columns, and 64 of them. */
#define VERSION_COLS                                                                               \
	"package_id, version, content_hash, import_id, source_line, source_index, imported_at, "   \
	"facts"
#define VERSION_ROW    "(?, ?, ?, ?, ?, ?, ?, ?)"
#define VERSION_ROWS2  VERSION_ROW ", " VERSION_ROW
#define VERSION_ROWS4  VERSION_ROWS2 ", " VERSION_ROWS2
#define VERSION_ROWS8  VERSION_ROWS4 ", " VERSION_ROWS4
#define VERSION_ROWS16 VERSION_ROWS8 ", " VERSION_ROWS8
#define VERSION_ROWS32 VERSION_ROWS16 ", " VERSION_ROWS16
#define VERSION_ROWS64 VERSION_ROWS32 ", " VERSION_ROWS32
_Static_assert(STORE_VERSIONS_PER_INSERT == 64,
               "VERSION_ROWS64 holds STORE_VERSIONS_PER_INSERT rows");

#define HISTORY_COLS   "package_id, at, priority, due_at, rule_set_id"
#define HISTORY_ROW    "(?, ?, ?, ?, ?)"
#define HISTORY_ROWS2  HISTORY_ROW ", " HISTORY_ROW
#define HISTORY_ROWS4  HISTORY_ROWS2 ", " HISTORY_ROWS2
#define HISTORY_ROWS8  HISTORY_ROWS4 ", " HISTORY_ROWS4
#define HISTORY_ROWS16 HISTORY_ROWS8 ", " HISTORY_ROWS8
#define HISTORY_ROWS32 HISTORY_ROWS16 ", " HISTORY_ROWS16
#define HISTORY_ROWS64 HISTORY_ROWS32 ", " HISTORY_ROWS32
_Static_assert(STORE_HISTORY_PER_INSERT == 64,
               "HISTORY_ROWS64 holds STORE_HISTORY_PER_INSERT rows");

static const char *const stmt_sql[S_COUNT] = {
    /*
     * Unchanged when any version has the hash: re-running nights is
     * idempotent. Whether the status is open is decided in C: SQLite builds
     * a temporary table for an IN list at every run (schema 11).
     */
    [S_FIND_REF] = "SELECT p.id, p.latest_version, p.status, EXISTS (SELECT 1 FROM "
                   "package_versions v WHERE v.package_id = p.id AND v.content_hash = ?2) "
                   "FROM packages p WHERE p.ref = ?1",
    [S_INSERT_PACKAGE] = "INSERT INTO packages (ref, latest_version, received_at, source, "
                         "referral_type, force_area, first_seen_at, changed_at) VALUES "
                         "(?1, 1, ?2, ?3, ?4, ?5, ?6, ?6) ON CONFLICT (ref) DO NOTHING",
    /* A new version marks the package updated, and reopens a closed one. */
    /* A reopen starts the response clock again when the version is stored (schema 15). */
    [S_UPDATE_PACKAGE] =
        "UPDATE packages SET latest_version = ?2, received_at = ?3, source = "
        "?4, referral_type = ?5, force_area = ?6, changed_at = ?7, updated = "
        "1, reopened_at = CASE WHEN " STORE_IS_OPEN(
            "status") " THEN reopened_at ELSE ?7 END, "
                      "status = CASE WHEN " STORE_IS_OPEN(
                          "status") " THEN status ELSE 'reopened' END WHERE id = ?1",
    /* The reopen in the package's history, by the operator who imported the version. */
    [S_REOPEN_EVENT] = "INSERT INTO package_events (package_id, at, operator, action, "
                       "from_status, to_status, note) SELECT ?1, ?2, operator, 'status', ?3, "
                       "'reopened', ?4 FROM imports WHERE id = ?5",
    /*
     * A new version with changed content ends a lowering override: the
     * package returns to its computed priority (casework.md section 1), said
     * in its history by the import's operator. A raising override stays.
     */
    [S_LAPSE_EVENT] = "INSERT INTO package_events (package_id, at, operator, action, "
                      "from_status, to_status, note) SELECT ?1, ?2, i.operator, 'override', "
                      "p.status, p.status, 'override lapsed: new information' FROM overrides "
                      "o JOIN packages p ON p.id = o.package_id JOIN imports i ON i.id = ?3 "
                      "WHERE o.package_id = ?1 AND o.direction = 'down'",
    [S_LAPSE_OVERRIDE] = "DELETE FROM overrides WHERE package_id = ?1 AND direction = 'down'",
    [S_INSERT_VERSION] = "INSERT INTO package_versions (" VERSION_COLS ") VALUES " VERSION_ROW,
    [S_INSERT_VERSIONS] = "INSERT INTO package_versions (" VERSION_COLS ") VALUES " VERSION_ROWS64,
    [S_INSERT_KEY] = "INSERT OR IGNORE INTO package_keys (key, package_id) VALUES " KEY_ROW,
    [S_INSERT_KEYS] = "INSERT OR IGNORE INTO package_keys (key, package_id) VALUES " KEY_ROWS64,
    [S_DELETE_KEY] = "DELETE FROM package_keys WHERE key = ?1 AND package_id = ?2",
    [S_INSERT_QUARANTINE] = "INSERT INTO quarantine (import_id, file, line, array_index, "
                            "package_ref, raw, raw_size, reasons, created_at, raw_hash, "
                            "received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    /* A record of the ref imported cleanly resolves its quarantined ones (schema 9). */
    [S_RESOLVE_QUARANTINE] = "UPDATE quarantine SET resolved_at = ?3, resolved_by_import = ?2 "
                             "WHERE package_ref = ?1 AND resolved_at IS NULL",
    /* A known reject: the same raw bytes quarantined before, in any state (schema 17). */
    [S_QUARANTINE_KNOWN] = "SELECT EXISTS (SELECT 1 FROM quarantine WHERE raw_hash = ?1 AND "
                           "raw_size = ?2)",
    [S_PUT_SCORE] = "INSERT OR REPLACE INTO scores (" SCORE_INSERT_COLS ") VALUES " SCORE_ROW,
    [S_PUT_SCORES] = "INSERT OR REPLACE INTO scores (" SCORE_INSERT_COLS ") VALUES " SCORE_ROWS64,
    [S_VERSION_FACTS] = "SELECT facts FROM package_versions WHERE package_id = ?1 AND version = "
                        "?2",
    [S_AUDIT_REF] = "INSERT INTO audit_refs (seq, pos, ref) VALUES (?1, ?2, ?3)",
    [S_CONSULT_REF] = "INSERT INTO temp.consulted (ref) VALUES (?1)",
    [S_AUDIT_REFS_OF] = "SELECT ref FROM audit_refs WHERE seq = ?1 ORDER BY pos",
    [S_AUDIT_APPEND] = "INSERT INTO audit (seq, at, operator, action, reason, details, "
                       "details_hash, n_refs, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                       "?7, ?8, ?9, ?10)",
    /* A package's outcomes: asked for each item of a JSON worklist, so kept prepared. */
    [S_OUTCOMES_OF] = "SELECT p.ref, o.code, o.outcome_date, o.count, o.note, o.recorded_at, "
                      "o.operator FROM outcomes o JOIN packages p ON p.id = o.package_id WHERE "
                      "p.ref = ?1 ORDER BY o.outcome_date, o.code, o.id",
    [S_PUT_HISTORY] = "INSERT INTO priority_history (" HISTORY_COLS ") VALUES " HISTORY_ROW,
    [S_PUT_HISTORIES] = "INSERT INTO priority_history (" HISTORY_COLS ") VALUES " HISTORY_ROWS64,
    /* One key's entries in force on a day (?1), IP addresses apart: asked per package. */
    [S_DECONF_HITS] = "SELECT count(*) FROM deconf_entries e WHERE e.key = ?2 AND e.type != 'ip' "
                      "AND " DECONF_ACTIVE("?1"),
};

const char *store_path(const struct store *st)
{
	return st->path;
}

/*
 * What went wrong: SQLite's own message when its last call on the
 * connection failed, else rc's text (a failure found here, such as a row
 * that should be there and is not, or memory that ran out outside SQLite),
 * never "not an error".
 */
static const char *fail_text(struct store *st, int rc)
{
	int last = st->db ? sqlite3_errcode(st->db) : SQLITE_OK;

	if (last != SQLITE_OK && last != SQLITE_ROW && last != SQLITE_DONE)
		return sqlite3_errmsg(st->db);
	return sqlite3_errstr(rc);
}

int store_fail(struct store *st, int rc, const char *what, struct diag *d)
{
	int code;

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		diag_at(d, st->path, 0, NULL);
		return diag_set(d, EX_TEMPFAIL,
		                "the store is busy: another reftriage is writing to it; try again "
		                "later");
	case SQLITE_IOERR:
	case SQLITE_FULL:
		code = EX_IOERR;
		break;
	case SQLITE_NOTADB:
		diag_at(d, st->path, 0, NULL);
		return diag_set(d, EX_CONFIG, "not a reftriage store (not an SQLite database)");
	case SQLITE_CORRUPT:
		code = EX_CONFIG;
		break;
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
	case SQLITE_PERM:
		code = EX_CANTCREAT;
		break;
	default:
		code = EX_SOFTWARE;
	}
	diag_at(d, st->path, 0, NULL);
	return diag_set(d, code, "%s: %s", what, fail_text(st, rc));
}

sqlite3_stmt *store_prepare(struct store *st, const char *sql, const char *what, struct diag *d)
{
	sqlite3_stmt *s = NULL;
	const char *tail = NULL;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, &tail);

	if (rc != SQLITE_OK) {
		(void)store_fail(st, rc, what, d);
		return NULL;
	}
	/* One statement a call: a second one would be silently left unrun. */
	while (tail && (*tail == ' ' || *tail == '\n' || *tail == '\t' || *tail == ';'))
		tail++;
	if (tail && *tail) {
		sqlite3_finalize(s);
		diag_at(d, st->path, 0, NULL);
		diag_set(d, EX_SOFTWARE, "%s: internal error: more than one SQL statement", what);
		return NULL;
	}
	return s;
}

sqlite3_stmt *store_stmt(struct store *st, enum stmt_id id, struct diag *d)
{
	int rc;

	if (st->stmt[id]) {
		sqlite3_reset(st->stmt[id]);
		sqlite3_clear_bindings(st->stmt[id]);
		return st->stmt[id];
	}
	rc = sqlite3_prepare_v3(st->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &st->stmt[id],
	                        NULL);
	if (rc != SQLITE_OK) {
		(void)store_fail(st, rc, "preparing a statement", d);
		return NULL;
	}
	return st->stmt[id];
}

int store_run(struct store *st, sqlite3_stmt *s, const char *what, struct diag *d)
{
	int rc = sqlite3_step(s);

	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, what, d);
	return 0;
}

int store_run_kept(struct store *st, sqlite3_stmt *s, const char *what, struct diag *d)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, what, d);
	return 0;
}

int store_step_one(struct store *st, sqlite3_stmt *s, const char *what, struct diag *d)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW)
		return 0;
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 1 : store_fail(st, rc, what, d);
}

int store_exec(struct store *st, const char *sql, const char *what, struct diag *d)
{
	sqlite3_stmt *s = store_prepare(st, sql, what, d);

	return s ? store_run(st, s, what, d) : -1;
}

int store_one_int(struct store *st, const char *sql, int64_t arg, int64_t *out, const char *what,
                  struct diag *d)
{
	sqlite3_stmt *s = store_prepare(st, sql, what, d);

	if (!s)
		return -1;
	if (sqlite3_bind_parameter_count(s) > 0 && sqlite3_bind_int64(s, 1, arg) != SQLITE_OK) {
		sqlite3_finalize(s);
		return store_fail(st, SQLITE_ERROR, what, d);
	}
	return store_step_int(st, s, out, what, d);
}

int store_step_int(struct store *st, sqlite3_stmt *s, int64_t *out, const char *what,
                   struct diag *d)
{
	int rc;

	if (!s)
		return -1;
	*out = 0;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return store_fail(st, rc, what, d);
	return 0;
}

int store_step_rows(struct store *st, sqlite3_stmt *s, bool kept, const char *what,
                    int (*each)(sqlite3_stmt *s, void *x), void *x, struct diag *d)
{
	int rc, r = 0;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((r = each(s, x)) != 0)
			break;
	if (kept)
		sqlite3_reset(s);
	else
		sqlite3_finalize(s);
	if (r != 0)
		return r;
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, what, d);
	return 0;
}

int store_bind_at(sqlite3_stmt *s, int first, const struct store_arg *args, size_t n)
{
	int rc = SQLITE_OK;
	size_t i;

	for (i = 0; rc == SQLITE_OK && i < n; i++) {
		const struct store_arg *a = &args[i];
		int at = first + (int)i;

		if (a->type == STORE_ARG_INT)
			rc = sqlite3_bind_int64(s, at, a->v.i);
		else if (a->type == STORE_ARG_TEXT)
			rc = sqlite3_bind_text(s, at, a->v.text, a->len, SQLITE_STATIC);
		else
			rc = sqlite3_bind_blob(s, at, a->len ? a->v.blob : "", a->len,
			                       SQLITE_STATIC);
	}
	return rc;
}

int store_bind(sqlite3_stmt *s, const struct store_arg *args, size_t n)
{
	return store_bind_at(s, 1, args, n);
}

sqlite3_stmt *store_prepare_with(struct store *st, const char *sql, const char *what,
                                 struct diag *d, const struct store_arg *args, size_t n)
{
	sqlite3_stmt *s = store_prepare(st, sql, what, d);

	if (s && store_bind(s, args, n) != SQLITE_OK) {
		sqlite3_finalize(s);
		(void)store_fail(st, SQLITE_ERROR, what, d);
		return NULL;
	}
	return s;
}

int store_run_with(struct store *st, const char *sql, const char *what, struct diag *d,
                   const struct store_arg *args, size_t n)
{
	sqlite3_stmt *s = store_prepare_with(st, sql, what, d, args, n);

	return s ? store_run(st, s, what, d) : -1;
}

void store_cols(sqlite3_stmt *s, int first, const struct store_col *cols, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct store_col *c = &cols[i];
		int at = first + (int)i;

		switch (c->type) {
		case STORE_COL_INT:
			*c->to.i = sqlite3_column_int(s, at);
			break;
		case STORE_COL_I64:
			*c->to.i64 = sqlite3_column_int64(s, at);
			break;
		case STORE_COL_LONG:
			*c->to.l = (long)sqlite3_column_int64(s, at);
			break;
		case STORE_COL_BOOL:
			*c->to.b = sqlite3_column_int64(s, at) != 0;
			break;
		case STORE_COL_TEXT:
			*c->to.text = (const char *)sqlite3_column_text(s, at);
			break;
		case STORE_COL_BLOB:
			/* The blob first, then its size: SQLite's advice. */
			*c->to.blob = sqlite3_column_blob(s, at);
			*c->len = (size_t)sqlite3_column_bytes(s, at);
			break;
		}
	}
}

/* Run statement id on count rows from rows[first]. */
static int run_rows(struct store *st, enum stmt_id id, const void *rows, size_t first, size_t count,
                    store_bind_row bind, const char *what, struct diag *d)
{
	sqlite3_stmt *s = store_stmt(st, id, d);
	size_t i;

	if (!s)
		return -1;
	for (i = 0; i < count; i++)
		if (bind(st, s, (int)i, rows, first + i) < 0)
			return store_fail(st, SQLITE_ERROR, what, d);
	return store_run_kept(st, s, what, d);
}

int store_write_waiting(struct store *st, enum stmt_id one, enum stmt_id many, size_t per_insert,
                        const void *rows, size_t *waiting, struct buf *data, store_bind_row bind,
                        const char *what, struct diag *d)
{
	size_t i, n = *waiting;
	int rc = 0;

	*waiting = 0;
	if (n == per_insert)
		rc = run_rows(st, many, rows, 0, n, bind, what, d);
	else
		for (i = 0; i < n && rc == 0; i++)
			rc = run_rows(st, one, rows, i, 1, bind, what, d);
	buf_reset(data);
	return rc;
}
