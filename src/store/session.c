/* A session with the store: opening, creating and migrating it; transactions. */
#include "store-internal.h"

#include "reftriage/alloc.h"
#include "reftriage/timeutil.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* PRAGMA application_id: "RFTR", so a reftriage store is known as one. */
#define APPLICATION_ID 0x52465452

/*
 * SQLite allocates through our allocator, so that the tests that fail the Nth
 * allocation reach SQLite too. SQLite wants each block's size back: it is kept
 * in a 16-byte header (which keeps the alignment malloc gives).
 */
#define MEM_HEADER 16

static void *mem_malloc(int n)
{
	unsigned char *p = n > 0 ? rt_malloc((size_t)n + MEM_HEADER) : NULL;

	if (!p)
		return NULL;
	memcpy(p, &n, sizeof(n));
	return p + MEM_HEADER;
}

static void mem_free(void *p)
{
	if (p)
		rt_free((unsigned char *)p - MEM_HEADER);
}

static void *mem_realloc(void *p, int n)
{
	unsigned char *q;

	if (!p)
		return mem_malloc(n);
	if (n <= 0)
		return NULL;
	q = rt_realloc((unsigned char *)p - MEM_HEADER, (size_t)n + MEM_HEADER);
	if (!q)
		return NULL;
	memcpy(q, &n, sizeof(n));
	return q + MEM_HEADER;
}

static int mem_size(void *p)
{
	int n = 0;

	if (p)
		memcpy(&n, (unsigned char *)p - MEM_HEADER, sizeof(n));
	return n;
}

static int mem_roundup(int n)
{
	return (n + 7) & ~7;
}

static int mem_init(void *app)
{
	(void)app;
	return SQLITE_OK;
}

static void mem_shutdown(void *app)
{
	(void)app;
}

int store_library_init(void)
{
	static const sqlite3_mem_methods methods = {mem_malloc,  mem_free, mem_realloc,  mem_size,
	                                            mem_roundup, mem_init, mem_shutdown, NULL};

	if (sqlite3_config(SQLITE_CONFIG_MALLOC, &methods) != SQLITE_OK)
		return -1;
	/*
	 * No statistics of SQLite's memory use (nothing reads them): without
	 * them every sqlite3_malloc and sqlite3_free skips a global mutex, which
	 * was 3 % of an import's store thread (perf).
	 */
	if (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK)
		return -1;
	return sqlite3_initialize() == SQLITE_OK ? 0 : -1;
}

int store_schema_version(void)
{
	return migrations[n_migrations - 1].version;
}

/* Run a statement that returns no rows and has no parameters. */
static int exec(struct store *st, const char *sql, struct diag *d)
{
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return store_fail(st, rc, "writing to the store", d);
	return 0;
}

static struct store *store_new(const char *path, struct diag *d)
{
	struct store *st = rt_calloc(1, sizeof(*st));

	if (st)
		st->path = rt_memdup0(path, strlen(path));
	if (!st || !st->path) {
		rt_free(st);
		diag_at(d, path, 0, NULL);
		diag_set(d, EX_SOFTWARE, "out of memory");
		return NULL;
	}
	buf_init(&st->scratch);
	buf_init(&st->score_text);
	buf_init(&st->version_facts);
	buf_init(&st->history_names);
	return st;
}

void store_close(struct store *st)
{
	int i;

	if (!st)
		return;
	if (st->in_tx)
		store_rollback(st);
	for (i = 0; i < S_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	/* Closing can only fail with statements left open, and all are finalized. */
	(void)sqlite3_close(st->db);
	link_counts_release(&st->links);
	link_counts_release(&st->ip_links);
	store_scores_release(st);
	buf_release(&st->version_facts);
	buf_release(&st->history_names);
	buf_release(&st->scratch);
	rt_free(st->path);
	rt_free(st);
}

static int connect(struct store *st, int flags, int wait_ms, struct diag *d)
{
	int rc = sqlite3_open_v2(st->path, &st->db, flags | SQLITE_OPEN_NOMUTEX, NULL);

	if (rc != SQLITE_OK) {
		int code = rc & 0xff;

		(void)store_fail(st, rc, "cannot open the store", d);
		if (code != SQLITE_NOMEM)
			d->code = EX_CONFIG;
		return -1;
	}
	sqlite3_extended_result_codes(st->db, 1);
	if (sqlite3_busy_timeout(st->db, wait_ms) != SQLITE_OK)
		return store_fail(st, SQLITE_ERROR, "setting the busy timeout", d);
	/*
	 * FULL makes each commit durable; with one transaction per input file it
	 * costs one fsync a file. The cache bounds the memory SQLite may use.
	 * ANALYZE reads a sample of each index, not all of it (scores.c).
	 */
	return exec(st,
	            "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; "
	            "PRAGMA cache_size = " STORE_CACHE_SIZE "; PRAGMA trusted_schema = OFF; "
	            "PRAGMA analysis_limit = 1000;",
	            d);
}

/* Fail when a migration left a row pointing at nothing. */
static int check_foreign_keys(struct store *st, struct diag *d)
{
	sqlite3_stmt *s = store_prepare(st, "PRAGMA foreign_key_check", "migrating the store", d);
	int rc;

	if (!s)
		return -1;
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return 0;
	return store_fail(st, rc == SQLITE_ROW ? SQLITE_CORRUPT : rc, "migrating the store", d);
}

/*
 * An existing store migrated by this reftriage: an audit entry (action
 * "migrate", schema versions in its details), in the migration's own
 * transaction. A store being created records nothing here.
 */
static int record_migration(struct store *st, int64_t from, struct diag *d)
{
	char details[64];
	struct store_audit_new e = {0};
	int n;

	if (from == 0)
		return 0;
	n = snprintf(details, sizeof(details), "{\"from\":%lld,\"to\":%d}", (long long)from,
	             store_schema_version());
	e.at = time_now();
	e.operator_name = "reftriage";
	e.action = "migrate";
	e.details = details;
	e.details_len = (size_t)n;
	return store_audit_append(st, &e, NULL, d);
}

static int migrate_steps(struct store *st, int64_t from, struct diag *d)
{
	size_t i;

	if (store_begin(st, d) < 0)
		return -1;
	for (i = 0; i < n_migrations; i++) {
		char sql[64];

		if (migrations[i].version <= from)
			continue;
		if (exec(st, migrations[i].sql, d) < 0) {
			store_rollback(st);
			return -1;
		}
		(void)snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", migrations[i].version);
		if (exec(st, sql, d) < 0) {
			store_rollback(st);
			return -1;
		}
	}
	if (check_foreign_keys(st, d) < 0 || record_migration(st, from, d) < 0) {
		store_rollback(st);
		return -1;
	}
	return store_commit(st, d);
}

/*
 * Apply the migrations after from in one transaction. Foreign keys are off
 * meanwhile (SQLite's way to rebuild a table that others refer to, as
 * schema 6 does) and checked before the commit; the functions of keys.c,
 * rt_link_key() and rt_facts_keys(), are there for schemas 13 and 14 only,
 * and quarantine.c's rt_blake2b() for schema 17.
 */
static int migrate(struct store *st, int64_t from, struct diag *d)
{
	int rc;

	if (store_key_functions(st, true) < 0 || store_quarantine_functions(st, true) < 0)
		return store_fail(st, SQLITE_ERROR, "migrating the store", d);
	if (exec(st, "PRAGMA foreign_keys = OFF", d) < 0)
		return -1;
	rc = migrate_steps(st, from, d);
	if (exec(st, "PRAGMA foreign_keys = ON", d) < 0 || store_key_functions(st, false) < 0 ||
	    store_quarantine_functions(st, false) < 0)
		return rc < 0 ? -1 : store_fail(st, SQLITE_ERROR, "migrating the store", d);
	return rc;
}

static int create(const char *path, bool shared, struct store **out, struct diag *d)
{
	struct store *st;
	char sql[96];
	int fd;

	*out = NULL;
	if (shared && store_shared_dir_check(path, d) < 0)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, shared ? 0660 : 0600);
	/* The umask may have taken the group's bits: a shared store needs them. */
	if (fd >= 0 && shared && fchmod(fd, 0660) != 0) {
		diag_at(d, path, 0, NULL);
		(void)close(fd);
		(void)unlink(path);
		return diag_set(d, EX_CANTCREAT, "cannot make the store group-writable: %s",
		                strerror(errno));
	}
	if (fd < 0) {
		diag_at(d, path, 0, NULL);
		if (errno == EEXIST)
			return diag_set(
			    d, EX_CANTCREAT,
			    "a file already exists there; init never overwrites a store "
			    "(use --db to name a new one)");
		return diag_set(d, EX_CANTCREAT, "cannot create the store: %s", strerror(errno));
	}
	if (close(fd) != 0) {
		diag_at(d, path, 0, NULL);
		(void)unlink(path);
		return diag_set(d, EX_CANTCREAT, "cannot create the store: %s", strerror(errno));
	}
	st = store_new(path, d);
	if (!st) {
		(void)unlink(path);
		return -1;
	}
	/*
	 * 16 KiB pages, set before the first table: a quarter of the page reads,
	 * writes and splits of SQLite's 4 KiB default for the same rows; the
	 * million-row import took 30 % less time (docs/PERFORMANCE.md). Stores
	 * created earlier keep 4 KiB pages.
	 */
	(void)snprintf(
	    sql, sizeof(sql),
	    "PRAGMA page_size = 16384; PRAGMA application_id = %d; PRAGMA journal_mode = "
	    "WAL;",
	    APPLICATION_ID);
	if (connect(st, SQLITE_OPEN_READWRITE, 0, d) < 0 || exec(st, sql, d) < 0 ||
	    migrate(st, 0, d) < 0 || (shared && store_mark_shared(st, d) < 0)) {
		if (d->code == EX_CONFIG)
			d->code = EX_CANTCREAT;
		store_close(st);
		(void)unlink(path);
		return -1;
	}
	*out = st;
	return 0;
}

int store_create(const char *path, struct store **out, struct diag *d)
{
	return create(path, false, out, d);
}

int store_create_shared(const char *path, struct store **out, struct diag *d)
{
	return create(path, true, out, d);
}

int store_open(const char *path, int wait_ms, struct store **out, struct diag *d)
{
	struct store *st;
	struct stat sb;
	int err;
	int64_t app, version;

	*out = NULL;
	if (stat(path, &sb) != 0) {
		diag_at(d, path, 0, NULL);
		if (errno == ENOENT)
			return diag_set(d, EX_CONFIG,
			                "no store here; create one with 'reftriage init' (or name "
			                "it with --db or REFTRIAGE_DB)");
		err = errno;
		if (err == EACCES && store_access_check(path, d) < 0)
			return -1; /* its directory refused the user: named, with its mode */
		diag_at(d, path, 0, NULL);
		return diag_set(d, EX_CONFIG, "cannot open the store: %s", strerror(err));
	}
	if (store_access_check(path, d) < 0)
		return -1;
	st = store_new(path, d);
	if (!st)
		return -1;
	if (connect(st, SQLITE_OPEN_READWRITE, wait_ms, d) < 0)
		goto fail;
	if (store_one_int(st, "PRAGMA application_id", 0, &app, "reading the store", d) < 0)
		goto fail;
	if (app != APPLICATION_ID) {
		diag_at(d, path, 0, NULL);
		diag_set(d, EX_CONFIG,
		         "not a reftriage store (an SQLite database of another kind)");
		goto fail;
	}
	if (store_one_int(st, "PRAGMA user_version", 0, &version, "reading the store", d) < 0)
		goto fail;
	if (version > store_schema_version()) {
		diag_at(d, path, 0, NULL);
		diag_set(d, EX_CONFIG,
		         "the store has schema version %lld, newer than this reftriage knows (%d); "
		         "use a newer reftriage",
		         (long long)version, store_schema_version());
		goto fail;
	}
	if (version < store_schema_version() && migrate(st, version, d) < 0)
		goto fail;
	*out = st;
	return 0;
fail:
	store_close(st);
	return -1;
}

int store_open_copy(const char *path, struct store **out, struct diag *d)
{
	struct store *st = store_new(path, d);
	int64_t app, version;

	*out = NULL;
	if (!st)
		return -1;
	if (connect(st, SQLITE_OPEN_READONLY, 5000, d) < 0 ||
	    store_one_int(st, "PRAGMA application_id", 0, &app, "reading the copy", d) < 0 ||
	    store_one_int(st, "PRAGMA user_version", 0, &version, "reading the copy", d) < 0)
		goto fail;
	diag_at(d, path, 0, NULL);
	if (app != APPLICATION_ID) {
		diag_set(d, EX_DATAERR,
		         "not a reftriage store (an SQLite database of another kind)");
		goto fail;
	}
	if (version < 1 || version > store_schema_version()) {
		diag_set(d, EX_DATAERR,
		         "a store of schema version %lld, which this reftriage (%d) "
		         "cannot restore",
		         (long long)version, store_schema_version());
		goto fail;
	}
	*out = st;
	return 0;
fail:
	/* A file that is no store, or a damaged one, is bad data here, not a configuration. */
	if (d->code == EX_CONFIG)
		d->code = EX_DATAERR;
	store_close(st);
	return -1;
}

int store_set_wait(struct store *st, int wait_ms)
{
	return sqlite3_busy_timeout(st->db, wait_ms) == SQLITE_OK ? 0 : -1;
}

int store_begin(struct store *st, struct diag *d)
{
	if (exec(st, "BEGIN IMMEDIATE", d) < 0)
		return -1;
	st->in_tx = true;
	st->audit_seq = st->audit_pos = 0;
	st->q_known = st->q_any = false; /* another writer may have quarantined since */
	/* Consultations spooled while the store was busy enter the chain first. */
	if (store_spool_fold(st, d) < 0) {
		store_rollback(st);
		return -1;
	}
	return 0;
}

int store_commit(struct store *st, struct diag *d)
{
	if (st->audit_pos) {
		/* Refs named for an entry never appended: a bug; do not commit it. */
		store_rollback(st);
		diag_at(d, st->path, 0, NULL);
		return diag_set(d, EX_SOFTWARE, "an audit entry was left unfinished");
	}
	if (st->batch_scores || st->nscores) {
		/* A bulk rescore without store_scores_end: a bug; do not commit half of it. */
		store_rollback(st);
		diag_at(d, st->path, 0, NULL);
		return diag_set(d, EX_SOFTWARE, "a rescore was left unfinished");
	}
	if (store_versions_flush(st, d) < 0 || store_keys_flush(st, d) < 0 ||
	    store_history_flush(st, d) < 0 || exec(st, "COMMIT", d) < 0) {
		store_rollback(st);
		return -1;
	}
	st->in_tx = false;
	store_spool_settle(st);
	return 0;
}

void store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_tx = st->reading = false;
	st->audit_seq = st->audit_pos = 0;
	store_spool_abandon(st);
	store_scores_discard(st);
	store_versions_discard(st);
	store_keys_discard(st);
	store_history_discard(st);
	store_keys_changed(st); /* what the counts were made from may be undone */
}

int store_savepoint(struct store *st, struct diag *d)
{
	if (store_versions_flush(st, d) < 0 || store_keys_flush(st, d) < 0 ||
	    store_history_flush(st, d) < 0)
		return -1;
	return exec(st, "SAVEPOINT file_records", d);
}

int store_rollback_to_savepoint(struct store *st, struct diag *d)
{
	store_versions_discard(st); /* the file's own: its packages go back too */
	store_keys_discard(st);
	store_history_discard(st);
	store_keys_changed(st);
	return exec(st, "ROLLBACK TO file_records", d);
}
