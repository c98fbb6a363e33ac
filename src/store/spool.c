/*
 * The audit spool (issues 14 and 24; docs/security.md): an append-only file
 * beside the store (STORE-spool, one JSON line an entry, written under flock
 * and synced) holding the consultations' entries a reader could not append
 * while a writer held the store.
 *
 * No entry is ever lost, and none is folded twice. A writer, holding the
 * store's write lock, takes the whole spool as one batch: under the spool's
 * lock it renames STORE-spool to STORE-spool.fold (readers then start a new
 * spool), ends a torn last line, and appends a line naming the batch. It
 * folds every line into the chain in its own transaction, with an entry
 * "audit spool folded" naming the batch, and keeps the batch file locked
 * until its commit; then it removes the file. A rollback leaves the file for
 * the next writer, and so does a crash; the next writer folds a batch left
 * behind unless the chain names it already (a crash between the commit and
 * the removal). Lines move between files only by rename, so a line is in one
 * place at a time.
 *
 * Every line is checked in full before it is used. One that is not an entry
 * a reader writes (a member missing or of the wrong type, an unknown member,
 * an action that is not a consultation, a time outside [the last chained
 * entry's - 1 h, now + 5 min], a field over its limit), and every line of a
 * spool that others than the store's owner (or its group, when shared) could
 * write, is folded as an entry "audit spool damaged" with its size, its
 * BLAKE2b-256 and why: nothing leaves the spool unsaid, and nothing in it is
 * trusted further than its file.
 */
#include "store-internal.h"

#include "reftriage/alloc.h"
#include "reftriage/jsondoc.h"
#include "reftriage/jsonw.h"
#include "reftriage/timeutil.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define SPOOL_SLACK_BEFORE (3600LL * US_PER_SEC) /* an entry may precede the chain's last */
#define SPOOL_SLACK_AFTER  (300LL * US_PER_SEC)  /* clocks a little apart on one host */
#define BATCH_PREFIX       "{\"batch\":\""

/* The spool's path, or its batch's (suffix ".fold"). Owned by the caller. */
static char *spool_path(const struct store *st, const char *suffix)
{
	struct buf b;

	buf_init(&b);
	if (buf_addf(&b, "%s-spool%s", st->path, suffix) < 0)
		return NULL;
	return buf_detach(&b, NULL);
}

static int no_memory(struct store *st, struct diag *d)
{
	diag_at(d, st->path, 0, NULL);
	return diag_set(d, EX_SOFTWARE, "out of memory");
}

static int io_error(const char *path, const char *what, struct diag *d)
{
	int e = errno;

	diag_at(d, path, 0, NULL);
	return diag_set(d, e == ENOMEM ? EX_SOFTWARE : EX_IOERR, "%s: %s", what, strerror(e));
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
	return err ? no_memory(st, d) : 0;
}

/* Open path locked, the same file as its path names now (a writer may rename it away). */
static int open_locked(const char *path, int flags)
{
	int tries;

	for (tries = 0; tries < 100; tries++) {
		struct stat a, b;
		int fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);

		if (fd < 0)
			return -1;
		if (fstat(fd, &a) == 0 && !S_ISREG(a.st_mode)) {
			(void)close(fd);
			errno = EINVAL;
			return -1;
		}
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
 * end it, so that it stands alone (and is folded as damaged) rather than
 * spoiling the next line.
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

/* A shared store's spool is its group's too (init --shared): readers of the group append. */
static void share_spool(struct store *st, int fd)
{
	struct stat sb;
	bool shared = false;
	struct diag ignored;

	diag_clear(&ignored);
	if (fstat(fd, &sb) == 0 && sb.st_uid == geteuid() && !(sb.st_mode & 060) &&
	    store_is_shared(st, &shared, &ignored) == 0 && shared)
		(void)fchmod(fd, 0660);
}

int store_spool_append(struct store *st, const struct store_audit_new *e, struct diag *d)
{
	char *path = spool_path(st, "");
	struct buf line;
	int fd = -1, rc = -1;

	buf_init(&line);
	if (!path) {
		no_memory(st, d);
		goto out;
	}
	if (spool_line(st, e, &line, d) < 0)
		goto out;
	fd = open_locked(path, O_RDWR | O_APPEND | O_CREAT);
	if (fd < 0 || terminate_torn(fd) < 0 ||
	    write(fd, line.data, line.len) != (ssize_t)line.len || fsync(fd) != 0) {
		io_error(path, "cannot spool the audit entry", d);
		goto out;
	}
	share_spool(st, fd);
	rc = 0;
out:
	if (fd >= 0)
		(void)close(fd);
	rt_free(path);
	buf_release(&line);
	return rc;
}

/* --- checking a line ------------------------------------------------- */

/* Whether v is a string of 1..max bytes with no NUL (jansson has checked its UTF-8). */
static bool text_ok(const struct jv *v, size_t max)
{
	size_t n;
	const char *s;

	if (!v || jv_kind(v) != JV_STRING)
		return false;
	s = jv_string(v, &n);
	return n >= 1 && n <= max && memchr(s, '\0', n) == NULL;
}

/* The members a reader writes, and no other. */
static const char *unknown_member(const struct jv *o)
{
	static const char *const known[] = {"at",     "operator", "action",
	                                    "reason", "details",  "refs"};
	struct jv_iter *it;
	size_t i;

	for (it = jv_first(o); it; it = jv_next(o, it)) {
		for (i = 0; i < ARRAY_SIZE(known); i++)
			if (strcmp(jv_iter_key(it), known[i]) == 0)
				break;
		if (i == ARRAY_SIZE(known))
			return "a member a reader never writes";
	}
	return NULL;
}

/* Why details (a JSON object's text) is not one, or NULL. */
static const char *details_wrong(const struct jv *v)
{
	struct jdoc_error je;
	struct jdoc *doc;
	const char *s;
	size_t n;
	bool ok;

	if (!text_ok(v, SPOOL_DETAILS_MAX))
		return "details missing, not text or too long";
	s = jv_string(v, &n);
	doc = jdoc_parse(s, n, &je);
	ok = doc && jv_kind(jdoc_root(doc)) == JV_OBJECT;
	jdoc_free(doc);
	return ok ? NULL : "details not a JSON object";
}

/*
 * The entry on a spooled line (its strings borrowed from doc), or why it is
 * not one a reader writes: at within [lo, hi].
 */
static const char *check_line(const struct jdoc *doc, int64_t lo, int64_t hi,
                              struct store_audit_new *e, const struct jv **refs)
{
	const struct jv *o = doc ? jdoc_root(doc) : NULL, *v;
	const char *why;
	size_t i;

	memset(e, 0, sizeof(*e));
	if (!o || jv_kind(o) != JV_OBJECT)
		return "not a JSON object";
	if ((why = unknown_member(o)))
		return why;
	v = jv_get(o, "at");
	if (!v || jv_kind(v) != JV_INT)
		return "at missing or not an integer";
	e->at = jv_int(v);
	if (e->at < lo || e->at > hi)
		return "at outside the time a reader could have written it";
	if (!text_ok(jv_get(o, "operator"), SPOOL_OPERATOR_MAX))
		return "operator missing, not text or too long";
	if (!text_ok(v = jv_get(o, "action"), 64) || !store_audit_by_reader(jv_string(v, NULL)))
		return "action missing or not a consultation";
	v = jv_get(o, "reason");
	if (v && jv_kind(v) != JV_NULL && !text_ok(v, SPOOL_REASON_MAX))
		return "reason not text or too long";
	if ((why = details_wrong(jv_get(o, "details"))))
		return why;
	*refs = jv_get(o, "refs");
	if (!*refs || jv_kind(*refs) != JV_ARRAY)
		return "refs missing or not an array";
	for (i = 0; i < jv_size(*refs); i++)
		if (!text_ok(jv_at(*refs, i), SPOOL_REF_MAX))
			return "a ref not text or too long";
	e->operator_name = jv_string(jv_get(o, "operator"), NULL);
	e->action = jv_string(jv_get(o, "action"), NULL);
	e->reason = v && jv_kind(v) == JV_STRING ? jv_string(v, NULL) : NULL;
	e->details = jv_string(jv_get(o, "details"), &e->details_len);
	return NULL;
}

const char *store_spool_line_check(const char *line, size_t len, int64_t lo, int64_t hi)
{
	struct store_audit_new e;
	const struct jv *refs;
	struct jdoc_error je;
	struct jdoc *doc = jdoc_parse(line, len, &je);
	const char *why = check_line(doc, lo, hi, &e, &refs);

	jdoc_free(doc);
	return why;
}

/* Whether a line is a batch's name (a writer's, not an entry). */
static bool batch_line(const char *line, size_t len)
{
	return len == strlen(BATCH_PREFIX) + HASH_HEX - 1 + 2 &&
	       memcmp(line, BATCH_PREFIX, strlen(BATCH_PREFIX)) == 0 &&
	       memcmp(line + len - 2, "\"}", 2) == 0;
}

/* Why no line of the spool file fd can be trusted (others could write it), or NULL. */
static const char *untrusted(struct store *st, int fd, char *why, size_t size)
{
	struct stat sp, sb;
	bool shared = false;
	struct diag ignored;

	diag_clear(&ignored);
	if (fstat(fd, &sp) != 0 || stat(st->path, &sb) != 0)
		return NULL; /* nothing to compare with: the lines are still checked one by one */
	if (store_is_shared(st, &shared, &ignored) < 0)
		shared = false;
	if (shared ? (sp.st_mode & 002) || sp.st_gid != sb.st_gid
	           : (sp.st_mode & 022) || sp.st_uid != sb.st_uid) {
		(void)snprintf(why, size,
		               "the spool could be written by others than the store's %s "
		               "(mode %04o, uid %u, gid %u)",
		               shared ? "group" : "owner", (unsigned)(sp.st_mode & 07777),
		               (unsigned)sp.st_uid, (unsigned)sp.st_gid);
		return why;
	}
	return NULL;
}

/* The time window of a spooled entry: [last chained entry's at - 1 h, now + 5 min]. */
static int window(struct store *st, int64_t *lo, int64_t *hi, struct diag *d)
{
	int64_t last = 0, any = 0;

	if (store_one_int(st, "SELECT count(*) FROM (SELECT 1 FROM audit LIMIT 1)", 0, &any,
	                  "reading the audit trail", d) < 0 ||
	    store_one_int(st, "SELECT at FROM audit ORDER BY seq DESC LIMIT 1", 0, &last,
	                  "reading the audit trail", d) < 0)
		return -1;
	*hi = time_now() + SPOOL_SLACK_AFTER;
	*lo = any ? last - SPOOL_SLACK_BEFORE : INT64_MIN;
	return 0;
}

/* --- folding ------------------------------------------------------- */

/* An entry of the fold's own: operator reftriage, now, no refs. */
static int append_own(struct store *st, const char *action, const char *details, struct diag *d)
{
	struct store_audit_new e;

	memset(&e, 0, sizeof(e));
	e.at = time_now();
	e.operator_name = "reftriage";
	e.action = action;
	e.details = details;
	e.details_len = strlen(details);
	return store_audit_append(st, &e, NULL, d);
}

/* A spooled line that is no entry: the chain records that it was there, its size and hash. */
static int record_damaged(struct store *st, const char *line, size_t len, const char *why,
                          struct diag *d)
{
	unsigned char h[HASH_BYTES];
	char hex[HASH_HEX];
	struct buf b;
	bool first = true;
	int rc, err = 0;

	hash_bytes(h, line, len);
	hash_hex(hex, h);
	buf_init(&b);
	err |= buf_addc(&b, '{');
	err |= jsonw_key(&b, &first, "bytes");
	err |= buf_addf(&b, "%zu", len);
	err |= jsonw_key(&b, &first, "line_hash");
	err |= jsonw_string(&b, hex, strlen(hex));
	err |= jsonw_key(&b, &first, "why");
	err |= jsonw_string(&b, why, strlen(why));
	err |= buf_addc(&b, '}');
	rc = err ? no_memory(st, d) : append_own(st, "audit spool damaged", b.data, d);
	buf_release(&b);
	return rc;
}

/* Append one spooled line's entry with its refs, or record it as damaged. */
static int fold_one(struct store *st, const char *line, size_t len, int64_t lo, int64_t hi,
                    const char *distrust, long *entries, long *damaged, struct diag *d)
{
	struct store_audit_new e;
	const struct jv *refs = NULL;
	struct jdoc_error je;
	struct jdoc *doc = jdoc_parse(line, len, &je);
	const char *why = distrust ? distrust : check_line(doc, lo, hi, &e, &refs);
	int rc = 0;
	size_t i;

	if (why) {
		(*damaged)++;
		rc = record_damaged(st, line, len, why, d);
	} else {
		(*entries)++;
		for (i = 0; rc == 0 && i < jv_size(refs); i++)
			rc = store_audit_ref(st, jv_string(jv_at(refs, i), NULL), d);
		if (rc == 0)
			rc = store_audit_append(st, &e, NULL, d);
	}
	jdoc_free(doc);
	return rc;
}

/* The batch file's whole text, from the start. */
static int read_all(int fd, struct buf *b)
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

/* The batch name on text's last line (hex, HASH_HEX bytes), or "" when it has none. */
static void batch_of(const struct buf *t, char name[HASH_HEX])
{
	size_t end = t->len, start;

	name[0] = '\0';
	if (end && t->data[end - 1] == '\n')
		end--;
	start = end;
	while (start && t->data[start - 1] != '\n')
		start--;
	if (batch_line(t->data + start, end - start))
		(void)snprintf(name, HASH_HEX, "%.*s", HASH_HEX - 1,
		               t->data + start + strlen(BATCH_PREFIX));
}

/* Whether the chain names the batch already: folded and committed before a crash. */
static int folded_before(struct store *st, const char *name, bool *yes, struct diag *d)
{
	const char *what = "reading the audit trail";
	sqlite3_stmt *s =
	    store_prepare_with(st,
	                       "SELECT 1 FROM audit WHERE action = 'audit spool folded' AND "
	                       "json_extract(details, '$.batch') = ?1 LIMIT 1",
	                       what, d, STORE_ARGS(ARG_TEXT(name)));
	int rc = s ? store_step_one(st, s, what, d) : -1;

	if (rc < 0)
		return -1;
	if (rc == 0)
		sqlite3_finalize(s); /* a row; store_step_one finalized it otherwise */
	*yes = rc == 0;
	return 0;
}

/* Name the batch in fd (text its lines so far): a hash of its lines, the time and the process. */
static int name_batch(int fd, struct buf *text, char name[HASH_HEX])
{
	unsigned char h[HASH_BYTES];
	struct buf line;
	int rc;

	buf_init(&line);
	rc = buf_add(&line, text->data, text->len) < 0 ||
	             buf_addf(&line, "%lld %ld", (long long)time_now(), (long)getpid()) < 0
	         ? -1
	         : 0;
	if (rc == 0) {
		hash_bytes(h, line.data, line.len);
		hash_hex(name, h);
		line.len = 0;
		rc = buf_addf(&line, BATCH_PREFIX "%s\"}\n", name) < 0 ? -1 : 0;
	}
	if (rc == 0 && (write(fd, line.data, line.len) != (ssize_t)line.len || fsync(fd) != 0 ||
	                buf_add(text, line.data, line.len) < 0))
		rc = -1;
	buf_release(&line);
	return rc;
}

/* Fold every line of the batch (text, named name) and say so in the chain. */
static int fold_batch(struct store *st, int fd, const struct buf *text, const char *name,
                      struct diag *d)
{
	char distrust_buf[200], details[200];
	const char *distrust = untrusted(st, fd, distrust_buf, sizeof(distrust_buf));
	long entries = 0, damaged = 0;
	int64_t lo, hi;
	size_t at = 0;

	if (window(st, &lo, &hi, d) < 0)
		return -1;
	while (at < text->len) {
		const char *nl = memchr(text->data + at, '\n', text->len - at);
		size_t end = nl ? (size_t)(nl - text->data) : text->len;

		if (!batch_line(text->data + at, end - at) &&
		    fold_one(st, text->data + at, end - at, lo, hi, distrust, &entries, &damaged,
		             d) < 0)
			return -1;
		at = end + 1;
	}
	(void)snprintf(details, sizeof(details),
	               "{\"batch\":\"%s\",\"entries\":%ld,\"damaged\":%ld}", name, entries,
	               damaged);
	return append_own(st, "audit spool folded", details, d);
}

/*
 * Take the spool as a batch: rename it to the batch's name under its lock (a
 * reader waiting for that lock then finds the name gone and starts a new
 * spool), then open the batch locked. *fd -1 when there is no spool.
 */
static int take_spool(const char *spath, const char *fpath, int *fd, struct diag *d)
{
	struct stat sb;
	int sfd = open_locked(spath, O_RDWR);

	*fd = -1;
	if (sfd < 0)
		return errno == ENOENT ? 0 : io_error(spath, "cannot open the audit spool", d);
	if (fstat(sfd, &sb) != 0 || sb.st_size == 0) {
		(void)close(sfd);
		return 0;
	}
	if (rename(spath, fpath) != 0) {
		io_error(spath, "cannot take the audit spool", d);
		(void)close(sfd);
		return -1;
	}
	(void)close(sfd);
	*fd = open_locked(fpath, O_RDWR | O_APPEND);
	return *fd < 0 ? io_error(fpath, "cannot open the audit spool's batch", d) : 0;
}

/*
 * The batch to fold: one left behind by an earlier writer unless the chain
 * names it (then it is removed), else the spool taken now. *fd -1: none.
 */
static int batch_to_fold(struct store *st, const char *spath, const char *fpath, int *fd,
                         struct buf *text, char name[HASH_HEX], struct diag *d)
{
	bool done = false;

	*fd = open_locked(fpath, O_RDWR | O_APPEND);
	if (*fd < 0 && errno != ENOENT)
		return io_error(fpath, "cannot open the audit spool's batch", d);
	if (*fd >= 0) {
		if (read_all(*fd, text) < 0)
			return io_error(fpath, "cannot read the audit spool's batch", d);
		batch_of(text, name);
		if (name[0] && folded_before(st, name, &done, d) < 0)
			return -1;
		if (!done && text->len)
			return 0;
		/* In the chain already, or empty: gone, and the spool is next. */
		if (unlink(fpath) != 0)
			return io_error(fpath, "cannot remove the folded audit spool", d);
		(void)close(*fd);
		text->len = 0;
		name[0] = '\0';
	}
	if (take_spool(spath, fpath, fd, d) < 0)
		return -1;
	if (*fd >= 0 && read_all(*fd, text) < 0)
		return io_error(fpath, "cannot read the audit spool's batch", d);
	return 0;
}

int store_spool_fold(struct store *st, struct diag *d)
{
	char *spath = spool_path(st, ""), *fpath = spool_path(st, ".fold");
	char name[HASH_HEX] = "";
	struct buf text;
	int fd = -1, rc = -1;

	buf_init(&text);
	if (st->fold_open) {
		rc = 0; /* this transaction has its batch */
		goto out;
	}
	if (!spath || !fpath) {
		no_memory(st, d);
		goto out;
	}
	if (batch_to_fold(st, spath, fpath, &fd, &text, name, d) < 0)
		goto out;
	if (fd < 0) {
		rc = 0;
		goto out;
	}
	if (!name[0] &&
	    (terminate_torn(fd) < 0 ||
	     (text.len && text.data[text.len - 1] != '\n' && buf_addc(&text, '\n') < 0) ||
	     name_batch(fd, &text, name) < 0)) {
		io_error(fpath, "cannot name the audit spool's batch", d);
		goto out;
	}
	if (fold_batch(st, fd, &text, name, d) < 0)
		goto out;
	st->fold_open = true;
	st->fold_fd = fd;
	fd = -1;
	rc = 0;
out:
	if (fd >= 0)
		(void)close(fd);
	buf_release(&text);
	rt_free(spath);
	rt_free(fpath);
	return rc;
}

void store_spool_settle(struct store *st)
{
	char *fpath;

	if (!st->fold_open)
		return;
	/* Committed: the chain names the batch, so a failure here folds nothing twice. */
	fpath = spool_path(st, ".fold");
	if (fpath)
		(void)unlink(fpath);
	rt_free(fpath);
	store_spool_abandon(st);
}

void store_spool_abandon(struct store *st)
{
	if (st->fold_open)
		(void)close(st->fold_fd);
	st->fold_open = false;
	st->fold_fd = -1;
}

/* --- carrying, for a backup (backup.c) -------------------------------- */

/* Add path's lines (not a batch's name) to lines; "untrusted: " before each when others could write
 * it. */
static int carry_file(struct store *st, int fd, const char *path, bool fold, struct buf *lines,
                      long *n, struct diag *d)
{
	char distrust_buf[200], name[HASH_HEX];
	const char *distrust = untrusted(st, fd, distrust_buf, sizeof(distrust_buf));
	bool done = false;
	struct buf text;
	size_t at = 0;
	int rc = 0, err = 0;

	buf_init(&text);
	if (read_all(fd, &text) < 0)
		rc = io_error(path, "cannot read the audit spool", d);
	batch_of(&text, name);
	if (rc == 0 && fold && name[0] && (rc = folded_before(st, name, &done, d)) == 0 && done)
		text.len = 0; /* in the chain the copy holds */
	while (rc == 0 && at < text.len) {
		const char *nl = memchr(text.data + at, '\n', text.len - at);
		size_t end = nl ? (size_t)(nl - text.data) : text.len;

		if (end > at && !batch_line(text.data + at, end - at)) {
			if (distrust)
				err |= buf_adds(lines, "untrusted: ");
			err |= buf_add(lines, text.data + at, end - at);
			err |= buf_addc(lines, '\n');
			(*n)++;
		}
		at = end + 1;
	}
	buf_release(&text);
	if (rc == 0 && err)
		rc = no_memory(st, d);
	return rc;
}

int store_spool_carry(struct store *st, struct buf *lines, long *n, struct diag *d)
{
	char *spath = spool_path(st, ""), *fpath = spool_path(st, ".fold");
	int sfd = -1, ffd = -1, rc = -1;
	int64_t seq;

	*n = 0;
	if (!spath || !fpath) {
		no_memory(st, d);
		goto out;
	}
	/*
	 * Holding the spool's lock, no writer can take it as a batch: the
	 * snapshot begun now and the lines read now see the same moment.
	 */
	sfd = open_locked(spath, O_RDWR);
	if (sfd < 0 && errno != ENOENT) {
		io_error(spath, "cannot open the audit spool", d);
		goto out;
	}
	if (store_one_int(st, "SELECT max(seq) FROM audit", 0, &seq, "reading the audit trail", d) <
	    0)
		goto out;
	/* A batch a writer has taken but not committed (or left by a crash): not locked. */
	ffd = open(fpath, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (ffd < 0 && errno != ENOENT) {
		io_error(fpath, "cannot read the audit spool's batch", d);
		goto out;
	}
	if (ffd >= 0 && carry_file(st, ffd, fpath, true, lines, n, d) < 0)
		goto out;
	if (sfd >= 0 && carry_file(st, sfd, spath, false, lines, n, d) < 0)
		goto out;
	rc = 0;
out:
	if (sfd >= 0)
		(void)close(sfd);
	if (ffd >= 0)
		(void)close(ffd);
	rt_free(spath);
	rt_free(fpath);
	return rc;
}

int store_spool_put(struct store *st, const struct buf *lines, struct diag *d)
{
	char *spath = spool_path(st, "");
	int fd, rc = 0;

	if (!spath)
		return no_memory(st, d);
	fd = open(spath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || write(fd, lines->data, lines->len) != (ssize_t)lines->len || fsync(fd) != 0)
		rc = io_error(spath, "cannot write the audit spool", d);
	if (fd >= 0)
		(void)close(fd);
	rt_free(spath);
	return rc;
}

/* --- counting, for audit verify -------------------------------------- */

/* Count path's lines: entries, and lines that are none (all of them when others could write it). */
static int count_file(struct store *st, const char *path, int64_t lo, int64_t hi, long *n,
                      long *damaged, struct diag *d)
{
	char distrust_buf[200], name[HASH_HEX];
	const char *distrust;
	bool done = false;
	struct buf text;
	size_t at = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK), rc = 0;

	if (fd < 0)
		return errno == ENOENT ? 0 : io_error(path, "cannot read the audit spool", d);
	buf_init(&text);
	distrust = untrusted(st, fd, distrust_buf, sizeof(distrust_buf));
	if (read_all(fd, &text) < 0)
		rc = io_error(path, "cannot read the audit spool", d);
	batch_of(&text, name);
	if (rc == 0 && name[0] && (rc = folded_before(st, name, &done, d)) == 0 && done)
		text.len = 0; /* folded and committed; only its removal was cut short */
	while (rc == 0 && at < text.len) {
		const char *nl = memchr(text.data + at, '\n', text.len - at);
		size_t end = nl ? (size_t)(nl - text.data) : text.len;

		if (!batch_line(text.data + at, end - at)) {
			(*n)++;
			if (distrust || store_spool_line_check(text.data + at, end - at, lo, hi))
				(*damaged)++;
		}
		at = end + 1;
	}
	buf_release(&text);
	(void)close(fd);
	return rc;
}

int store_spool_count(struct store *st, long *n, long *damaged, char **path_out, struct diag *d)
{
	char *spath = spool_path(st, ""), *fpath = spool_path(st, ".fold");
	int64_t lo, hi;
	int rc = -1;

	*n = *damaged = 0;
	if (!spath || !fpath)
		no_memory(st, d);
	else if (window(st, &lo, &hi, d) == 0 &&
	         count_file(st, fpath, lo, hi, n, damaged, d) == 0 &&
	         count_file(st, spath, lo, hi, n, damaged, d) == 0)
		rc = 0;
	rt_free(fpath);
	if (path_out)
		*path_out = spath;
	else
		rt_free(spath);
	return rc;
}
