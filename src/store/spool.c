/*
 * The audit spool (issue 14; docs/security.md): an append-only file beside
 * the store (STORE-spool, one JSON line an entry, written under flock and
 * synced) holding the consultations' entries a reader could not append while
 * a writer held the store. The next writer folds every spooled entry into the
 * chain, in spool order, inside its own transaction (store_begin); once that
 * commits (store_commit), the folded lines are removed from the spool. An
 * entry already in the chain (a crash between the commit and the removal) is
 * not appended twice.
 */
#include "store-internal.h"

#include "reftriage/alloc.h"
#include "reftriage/jsondoc.h"
#include "reftriage/jsonw.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* The spool's path: the store's, with "-spool". Owned by the caller. */
static char *spool_path(const struct store *st)
{
	struct buf b;

	buf_init(&b);
	if (buf_addf(&b, "%s-spool", st->path) < 0)
		return NULL;
	return buf_detach(&b, NULL);
}

/* One spooled entry as a line of JSON: the entry's fields and its refs in order. */
static int spool_line(struct store *st, const struct store_audit_new *e, struct buf *b,
                      struct diag *d)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT ref FROM consulted ORDER BY pos",
	                                "reading the consulted packages", d);
	bool first = true;
	int rc, err = 0, n = 0;

	if (!s)
		return -1;
	err |= buf_addc(b, '{');
	err |= jsonw_key(b, &first, "at");
	err |= buf_addf(b, "%lld", (long long)e->at);
	err |= jsonw_key(b, &first, "operator");
	err |= jsonw_string(b, e->operator_name, strlen(e->operator_name));
	err |= jsonw_key(b, &first, "action");
	err |= jsonw_string(b, e->action, strlen(e->action));
	err |= jsonw_key(b, &first, "reason");
	err |= e->reason && e->reason[0] ? jsonw_string(b, e->reason, strlen(e->reason))
	                                 : buf_adds(b, "null");
	err |= jsonw_key(b, &first, "details");
	err |= jsonw_string(b, e->details, e->details_len);
	err |= jsonw_key(b, &first, "refs");
	err |= buf_addc(b, '[');
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		err |= buf_adds(b, n++ ? "," : "");
		err |= jsonw_string(b, (const char *)sqlite3_column_text(s, 0),
		                    (size_t)sqlite3_column_bytes(s, 0));
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, "reading the consulted packages", d);
	err |= buf_adds(b, "]}\n");
	if (err) {
		diag_at(d, st->path, 0, NULL);
		return diag_set(d, EX_SOFTWARE, "out of memory");
	}
	return 0;
}

/* Open the spool locked, the same file as its path names now (a writer may replace it). */
static int spool_open_locked(const char *path, int flags)
{
	int tries;

	for (tries = 0; tries < 100; tries++) {
		struct stat a, b;
		int fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW, 0600);

		if (fd < 0)
			return -1;
		if (flock(fd, LOCK_EX) == 0 && fstat(fd, &a) == 0 && stat(path, &b) == 0 &&
		    a.st_ino == b.st_ino && a.st_dev == b.st_dev)
			return fd;
		(void)close(fd);
	}
	errno = EAGAIN;
	return -1;
}

/*
 * A reader killed in the middle of its write leaves a line without its end:
 * end it, so that it stands alone (and is reported as damaged when folded)
 * rather than spoiling the next entry.
 */
static int terminate_torn(int fd)
{
	struct stat sb;
	char c;

	if (fstat(fd, &sb) != 0)
		return -1;
	if (sb.st_size == 0)
		return 0;
	if (pread(fd, &c, 1, sb.st_size - 1) != 1)
		return -1;
	return c == '\n' || write(fd, "\n", 1) == 1 ? 0 : -1;
}

/* Append the entry to the spool, synced, under the spool's lock. */
int store_spool_append(struct store *st, const struct store_audit_new *e, struct diag *d)
{
	char *path = spool_path(st);
	struct buf line;
	int fd = -1, rc = -1;

	buf_init(&line);
	if (!path || spool_line(st, e, &line, d) < 0)
		goto out;
	fd = spool_open_locked(path, O_RDWR | O_APPEND | O_CREAT);
	if (fd >= 0 && terminate_torn(fd) < 0)
		goto fail;
	if (fd < 0 || write(fd, line.data, line.len) != (ssize_t)line.len || fsync(fd) != 0) {
	fail:
		diag_at(d, path, 0, NULL);
		diag_set(d, EX_IOERR, "cannot spool the audit entry: %s", strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		(void)close(fd);
	rt_free(path);
	buf_release(&line);
	if (!path && rc < 0 && !d->message[0])
		diag_set(d, EX_SOFTWARE, "out of memory");
	return rc;
}

/* Whether an entry with these fields is in the chain already (folded before a crash). */
static int in_chain(struct store *st, const struct store_audit_new *e, bool *yes, struct diag *d)
{
	sqlite3_stmt *s = store_prepare_with(
	    st,
	    "SELECT 1 FROM audit WHERE at = ?1 AND operator = ?2 AND action = ?3 AND "
	    "details = ?4 LIMIT 1",
	    "reading the audit trail", d,
	    STORE_ARGS(ARG_INT(e->at), ARG_TEXT(e->operator_name), ARG_TEXT(e->action),
	               ARG_TEXTN(e->details, e->details_len)));
	int rc;

	if (!s)
		return -1;
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, rc, "reading the audit trail", d);
	*yes = rc == SQLITE_ROW;
	return 0;
}

/* A spooled line as an entry (borrowed from doc); -1 when it is not one. */
static int parse_line(const struct jdoc *doc, struct store_audit_new *e, const struct jv **refs)
{
	const struct jv *o = jdoc_root(doc), *v;
	size_t i;

	memset(e, 0, sizeof(*e));
	if (jv_kind(o) != JV_OBJECT || jv_kind(jv_get(o, "at")) != JV_INT ||
	    jv_kind(jv_get(o, "operator")) != JV_STRING ||
	    jv_kind(jv_get(o, "action")) != JV_STRING ||
	    jv_kind(jv_get(o, "details")) != JV_STRING ||
	    jv_kind(*refs = jv_get(o, "refs")) != JV_ARRAY)
		return -1;
	for (i = 0; i < jv_size(*refs); i++)
		if (jv_kind(jv_at(*refs, i)) != JV_STRING)
			return -1;
	e->at = jv_int(jv_get(o, "at"));
	e->operator_name = jv_string(jv_get(o, "operator"), NULL);
	e->action = jv_string(jv_get(o, "action"), NULL);
	v = jv_get(o, "reason");
	e->reason = v && jv_kind(v) == JV_STRING ? jv_string(v, NULL) : NULL;
	e->details = jv_string(jv_get(o, "details"), &e->details_len);
	return 0;
}

/*
 * A spooled line that is not an entry (a reader killed mid-write, or an edit
 * by hand): the chain records that it was there, its size and hash, so that
 * nothing leaves the spool unsaid.
 */
static int record_damaged(struct store *st, const char *line, size_t len, struct diag *d)
{
	unsigned char h[HASH_BYTES];
	char hex[HASH_HEX], details[200];
	struct store_audit_new e;
	bool dup = false;

	hash_bytes(h, line, len);
	hash_hex(hex, h);
	memset(&e, 0, sizeof(e));
	(void)snprintf(details, sizeof(details), "{\"bytes\":%zu,\"line_hash\":\"%s\"}", len, hex);
	e.at = 0; /* unknown; and the same each time, so a second fold finds it in the chain */
	e.operator_name = "reftriage";
	e.action = "audit spool damaged";
	e.details = details;
	e.details_len = strlen(details);
	if (in_chain(st, &e, &dup, d) < 0)
		return -1;
	return dup ? 0 : store_audit_append(st, &e, NULL, d);
}

/* Append one spooled entry, with its refs, unless the chain holds it already. */
static int fold_one(struct store *st, const struct jdoc *doc, const char *line, size_t len,
                    struct diag *d)
{
	struct store_audit_new e;
	const struct jv *refs;
	bool dup = false;
	size_t i;

	if (!doc || parse_line(doc, &e, &refs) < 0)
		return record_damaged(st, line, len, d);
	if (in_chain(st, &e, &dup, d) < 0)
		return -1;
	if (dup)
		return 0;
	for (i = 0; i < jv_size(refs); i++)
		if (store_audit_ref(st, jv_string(jv_at(refs, i), NULL), d) < 0)
			return -1;
	return store_audit_append(st, &e, NULL, d);
}

/* Every line of text[0..len) as an entry: fold (st) or only count (st NULL). */
static int each_line(struct store *st, const char *text, size_t len, long *n, long *damaged,
                     struct diag *d)
{
	size_t at = 0;

	*n = 0;
	while (at < len) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t end = nl ? (size_t)(nl - text) : len;
		struct jdoc_error je;
		struct jdoc *doc = jdoc_parse(text + at, end - at, &je);
		int rc = 0;

		if (st)
			rc = fold_one(st, doc, text + at, end - at, d);
		else if (!doc)
			(*damaged)++;
		jdoc_free(doc);
		if (rc < 0)
			return -1;
		(*n)++;
		at = end + 1;
	}
	return 0;
}

/* All of fd from the start into b; -1 (errno set) on error. */
static int read_fd(int fd, struct buf *b)
{
	char chunk[65536];
	off_t off = 0;
	ssize_t got;

	while ((got = pread(fd, chunk, sizeof(chunk), off)) > 0) {
		if (buf_add(b, chunk, (size_t)got) < 0) {
			errno = ENOMEM;
			return -1;
		}
		off += got;
	}
	return got < 0 ? -1 : 0;
}

/* The spool's whole text (empty when there is none), read under its lock. */
static int read_spool(const char *path, struct buf *b, struct diag *d)
{
	int fd = spool_open_locked(path, O_RDONLY), rc;

	if (fd < 0 && errno == ENOENT)
		return 0;
	rc = fd < 0 ? -1 : read_fd(fd, b);
	if (rc < 0) {
		diag_at(d, path, 0, NULL);
		diag_set(d, errno == ENOMEM ? EX_SOFTWARE : EX_IOERR,
		         "cannot read the audit spool: %s", strerror(errno));
	}
	if (fd >= 0)
		(void)close(fd);
	return rc;
}

/* The spool's path (*path, owned by the caller, NULL when out of memory) and whole text. */
static int load_spool(struct store *st, char **path, struct buf *text, struct diag *d)
{
	buf_init(text);
	*path = spool_path(st);
	if (!*path) {
		diag_at(d, st->path, 0, NULL);
		return diag_set(d, EX_SOFTWARE, "out of memory");
	}
	return read_spool(*path, text, d);
}

int store_spool_fold(struct store *st, struct diag *d)
{
	char *path;
	struct buf text;
	long n = 0;
	int rc = load_spool(st, &path, &text, d);

	if (rc == 0 && text.len) {
		/* A whole line only: a reader may be writing the next one. */
		size_t end = text.len;
		long damaged = 0;

		while (end && text.data[end - 1] != '\n')
			end--;
		st->spool_folded = end;
		rc = each_line(st, text.data, st->spool_folded, &n, &damaged, d);
	}
	if (rc < 0)
		st->spool_folded = 0;
	buf_release(&text);
	rt_free(path);
	return rc;
}

/* Replace the spool with its text after the first skip bytes: a reader re-opens by name. */
static void keep_rest(const char *path, const struct buf *text, size_t skip)
{
	struct buf t;
	int out;

	buf_init(&t);
	if (buf_addf(&t, "%s.new", path) == 0 &&
	    (out = open(t.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600)) >=
	        0) {
		size_t n = text->len - skip;

		if (write(out, text->data + skip, n) == (ssize_t)n && fsync(out) == 0)
			(void)rename(t.data, path);
		else
			(void)unlink(t.data);
		(void)close(out);
	}
	buf_release(&t);
}

/*
 * After the commit: drop the first spool_folded bytes, keeping what readers
 * added since. Best effort: an entry left behind is not folded twice.
 */
void store_spool_settle(struct store *st)
{
	char *path;
	struct buf text;
	int fd;

	if (!st->spool_folded)
		return;
	path = spool_path(st);
	fd = path ? spool_open_locked(path, O_RDWR) : -1;
	buf_init(&text);
	if (fd >= 0 && read_fd(fd, &text) == 0) {
		if (text.len <= st->spool_folded) {
			if (ftruncate(fd, 0) == 0)
				(void)fsync(fd);
		} else {
			keep_rest(path, &text, st->spool_folded);
		}
	}
	if (fd >= 0)
		(void)close(fd);
	buf_release(&text);
	rt_free(path);
	st->spool_folded = 0;
}

int store_spool_count(struct store *st, long *n, long *damaged, char **path_out, struct diag *d)
{
	char *path;
	struct buf text;
	int rc;

	*n = *damaged = 0;
	rc = load_spool(st, &path, &text, d);
	if (rc == 0 && text.len)
		rc = each_line(NULL, text.data, text.len, n, damaged, d);
	buf_release(&text);
	if (path_out)
		*path_out = path;
	else
		rt_free(path);
	return rc;
}
