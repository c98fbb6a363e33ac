/*
 * Package versions: an import's rows written 64 to a statement, and reading
 * one version's facts. The rows wait in the store (store.versions) and are
 * written before anything reads package_versions in the same transaction,
 * before a commit or the file's savepoint; a rollback forgets them.
 */
#include "store-internal.h"

#include <string.h>

/* Bind version rows[i] as the row-th of statement s (8 parameters a row). */
static int bind_version(struct store *st, sqlite3_stmt *s, int row, const void *rows, size_t i)
{
	const struct pending_version *v = (const struct pending_version *)rows + i;
	const struct store_arg args[] = {
	    ARG_INT(v->pid),       ARG_INT(v->version),
	    ARG_BLOB(v->hash, 32), ARG_INT(v->import_id),
	    ARG_INT(v->line),      v->index >= 0 ? ARG_INT(v->index) : ARG_NULL,
	    ARG_INT(v->now),       ARG_BLOB(st->version_facts.data + v->facts, v->facts_len),
	};

	return store_bind_at(s, row * (int)ARRAY_SIZE(args) + 1, args, ARRAY_SIZE(args)) !=
	               SQLITE_OK
	           ? -1
	           : 0;
}

int store_versions_flush(struct store *st, struct diag *d)
{
	return store_write_waiting(st, S_INSERT_VERSION, S_INSERT_VERSIONS,
	                           STORE_VERSIONS_PER_INSERT, st->versions, &st->nversions,
	                           &st->version_facts, bind_version, "storing a version", d);
}

void store_versions_discard(struct store *st)
{
	st->nversions = 0;
	buf_reset(&st->version_facts);
}

/*
 * A version waits to be written with 63 others: SQLite's cost per statement
 * paid once for 64. The rows are appended in id order, so the statement
 * journal the foreign keys ask for holds a page or two.
 */
int store_add_version(struct store *st, const struct pending_version *v, const void *facts,
                      struct diag *d)
{
	struct pending_version *w = &st->versions[st->nversions];

	*w = *v;
	w->facts = st->version_facts.len;
	if (buf_add(&st->version_facts, facts, v->facts_len) < 0) {
		diag_at(d, st->path, 0, NULL);
		return diag_set(d, EX_SOFTWARE, "out of memory");
	}
	if (++st->nversions == STORE_VERSIONS_PER_INSERT)
		return store_versions_flush(st, d);
	return 0;
}

int store_version_facts(struct store *st, int64_t package_id, int version, struct buf *facts,
                        struct diag *d)
{
	sqlite3_stmt *s = store_stmt(st, S_VERSION_FACTS, d);
	int rc;

	if (!s || store_versions_flush(st, d) < 0)
		return -1;
	if (sqlite3_bind_int64(s, 1, package_id) != SQLITE_OK ||
	    sqlite3_bind_int(s, 2, version) != SQLITE_OK)
		return store_fail(st, SQLITE_ERROR, "reading a package", d);
	rc = sqlite3_step(s);
	buf_reset(facts);
	if (rc == SQLITE_ROW &&
	    buf_add(facts, sqlite3_column_blob(s, 0), (size_t)sqlite3_column_bytes(s, 0)) < 0)
		rc = SQLITE_NOMEM;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return store_fail(st, rc == SQLITE_DONE ? SQLITE_CORRUPT : rc, "reading a package",
		                  d);
	return 0;
}
