/*
 * import's writers (cli.md, import): the progress line, the line of a file that was not a clean
 * success, the summary line, and the JSON summary for scripts.
 */
#include "reftriage/isummary.h"

#include "reftriage/diag.h"
#include "reftriage/jsonw.h"
#include "reftriage/timeutil.h"

/* Every file's counts added up, and how many files were read, how many stopped. */
struct totals {
	unsigned long n_new, n_updated, n_unchanged, n_rejected, n_withheld, n_reopened, n_known;
	size_t read, stopped;
};

static void add_up(const struct isummary *s, struct totals *t)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < s->n; i++) {
		const struct isummary_file *r = &s->files[i];

		t->read += r->hashed && !r->error[0];
		t->stopped += r->stopped;
		t->n_new += r->n_new;
		t->n_updated += r->n_updated;
		t->n_unchanged += r->n_unchanged;
		t->n_rejected += r->n_rejected;
		t->n_withheld += r->n_withheld;
		t->n_reopened += r->n_reopened;
		t->n_known += r->n_known;
	}
}

void isummary_progress(FILE *f, struct isummary_progress *p, uint64_t bytes, unsigned long records)
{
	int64_t now = time_now();
	double secs;

	if (!p->on || now - p->last < 250000)
		return;
	p->last = now;
	secs = (double)(now - p->start) / 1e6;
	fprintf(f, "\r\033[K%s: %lu records, %.0f records/s", p->name, records,
	        secs > 0 ? (double)records / secs : 0.0);
	if (p->size)
		fprintf(f, ", %.0f%%", 100.0 * (double)bytes / (double)p->size);
	p->shown = true;
}

void isummary_progress_clear(FILE *f, struct isummary_progress *p)
{
	if (p->shown)
		fputs("\r\033[K", f);
	p->shown = false;
}

void isummary_file_line(FILE *f, const struct isummary *s, const struct isummary_file *r)
{
	if (r->code != EX_OK && r->code != EX_DATAERR)
		return;
	if (r->error[0] || s->n < 2 || (!r->n_rejected && !r->stopped && !r->n_withheld))
		return;
	fprintf(f, "%s: %lu %s (%lu new, %lu updated), %lu unchanged, %lu rejected", r->name,
	        r->n_new + r->n_updated, s->dry_run ? "would be imported" : "imported", r->n_new,
	        r->n_updated, r->n_unchanged, r->n_rejected);
	if (r->n_known)
		fprintf(f, ", %lu known (already in quarantine)", r->n_known);
	if (r->n_reopened)
		fprintf(f, "; %lu closed reopened: %.*s", r->n_reopened, (int)r->reopened.len - 1,
		        r->reopened.data);
	if (r->n_withheld)
		fprintf(f, "; --strict: %lu valid records not imported", r->n_withheld);
	if (r->stopped)
		fprintf(f, "; reading stopped at a file-level error");
	if (s->dry_run)
		fprintf(f, " [dry run: nothing stored]");
	fputc('\n', f);
}

/*
 * What the summary line is about: the one file, or "N files"; with
 * --recursive, every file read is named, so that a file found deep in a tree
 * is never read unseen.
 */
static int subject(struct buf *b, const struct isummary *s, size_t read)
{
	size_t i;
	bool first = true;
	int rc = 0;

	if (read == 1 && s->n == 1)
		return buf_adds(b, s->files[0].name);
	rc |= buf_addf(b, "%zu file%s", read, read == 1 ? "" : "s");
	if (!s->recursive || !read)
		return rc;
	for (i = 0; i < s->n; i++)
		if (s->files[i].hashed && !s->files[i].error[0])
			rc |= buf_addf(b, "%s%s", first ? " (" : ", ", s->files[i].name),
			    first = false;
	return rc | buf_addc(b, ')');
}

/* "; closed reopened: REF..." (the first few) for the summary line; -1: no memory. */
static int reopened(struct buf *b, const struct isummary *s)
{
	size_t i, k, shown = 0, more = 0;
	int rc = buf_adds(b, "; closed reopened:");

	for (i = 0; i < s->n; i++) {
		const struct buf *r = &s->files[i].reopened;

		for (k = 0; k < r->len;) {
			const char *sp = memchr(r->data + k, ' ', r->len - k);
			size_t len = sp ? (size_t)(sp - (r->data + k)) : r->len - k;

			if (shown++ < 5)
				rc |= buf_addf(b, " %.*s", (int)len, r->data + k);
			else
				more++;
			k += len + 1;
		}
	}
	if (more)
		rc |= buf_addf(b, " and %zu more", more);
	return rc;
}

int isummary_line(struct buf *b, const struct isummary *s, const struct buf *scored)
{
	struct totals t;
	struct buf what, more;
	int rc;

	add_up(s, &t);
	if (!t.read)
		return 0; /* no file was read: its error said everything */
	buf_init(&more);
	buf_init(&what);
	rc = t.n_known ? buf_addf(&more, ", %lu known reject%s (already in quarantine, not shown)",
	                          t.n_known, t.n_known == 1 ? "" : "s")
	               : 0;
	rc |= t.n_reopened ? reopened(&more, s) : 0;
	if (t.n_withheld)
		rc |= buf_addf(&more, "; --strict: %lu valid records not imported", t.n_withheld);
	if (t.stopped)
		rc |= buf_adds(&more, "; reading stopped at a file-level error");
	rc |= subject(&what, s, t.read);
	if (rc == 0)
		rc = buf_addf(b,
		              "%s: %lu %s (%lu new, %lu updated, %lu reopened), %lu unchanged, %lu "
		              "rejected%s%s%s",
		              what.data, t.n_new + t.n_updated,
		              s->dry_run ? "would be imported" : "imported", t.n_new, t.n_updated,
		              t.n_reopened, t.n_unchanged, t.n_rejected, more.len ? more.data : "",
		              scored->len  ? "; "
		              : s->dry_run ? " [dry run: nothing stored]"
		                           : "",
		              scored->len ? scored->data : "");
	buf_release(&what);
	buf_release(&more);
	return rc ? -1 : 0;
}

/* A file's ,"reopened":N,"reopened_refs":[...] in the JSON summary. */
static int json_reopened(struct buf *b, const struct isummary_file *r)
{
	size_t i, start = 0;
	int rc = buf_addf(b, ",\"reopened\":%lu,\"reopened_refs\":[", r->n_reopened);

	for (i = 0; i < r->reopened.len; i++) {
		if (r->reopened.data[i] != ' ')
			continue;
		rc |= start ? buf_addc(b, ',') : 0;
		rc |= jsonw_string(b, r->reopened.data + start, i - start);
		start = i + 1;
	}
	return rc | buf_addc(b, ']');
}

/* One file's object in the summary's "files" array. */
static int json_file(struct buf *b, const struct isummary_file *r)
{
	bool f1 = true;
	char hex[HASH_HEX];
	int rc = 0;

	rc |= buf_addc(b, '{');
	rc |= jsonw_key_str(b, &f1, "file", r->name);
	rc |= jsonw_key_str(b, &f1, "format", r->format);
	rc |= jsonw_key(b, &f1, "bytes");
	rc |= buf_addf(b, "%llu", (unsigned long long)r->bytes);
	rc |= jsonw_key(b, &f1, "file_hash");
	if (r->hashed) {
		hash_hex(hex, r->hash);
		rc |= jsonw_string(b, hex, strlen(hex));
	} else {
		rc |= buf_adds(b, "null");
	}
	rc |= buf_addf(b,
	               ",\"new\":%lu,\"updated\":%lu,\"unchanged\":%lu,\"rejected\":%lu,"
	               "\"known_rejects\":%lu,\"withheld\":%lu,\"stopped\":%s,\"status\":\"%s\","
	               "\"exit_code\":%d",
	               r->n_new, r->n_updated, r->n_unchanged, r->n_rejected, r->n_known,
	               r->n_withheld, r->stopped ? "true" : "false",
	               r->status ? r->status : "error", r->code);
	rc |= json_reopened(b, r);
	rc |= jsonw_key(b, &f1, "error");
	rc |= r->error[0] ? jsonw_string(b, r->error, strlen(r->error)) : buf_adds(b, "null");
	rc |= buf_addc(b, '}');
	return rc;
}

int isummary_write_json(FILE *f, const struct isummary *s, int exit_code)
{
	struct totals t;
	struct buf b;
	size_t i;
	bool first = true;
	int rc = 0;

	add_up(s, &t);
	buf_init(&b);
	rc |= buf_addc(&b, '{');
	rc |= jsonw_key_str(&b, &first, "store", s->store);
	rc |= jsonw_key(&b, &first, "dry_run");
	rc |= buf_adds(&b, s->dry_run ? "true" : "false");
	rc |= jsonw_key(&b, &first, "strict");
	rc |= buf_adds(&b, s->strict ? "true" : "false");
	rc |= jsonw_key(&b, &first, "files");
	rc |= buf_addc(&b, '[');
	for (i = 0; i < s->n; i++) {
		if (i)
			rc |= buf_addc(&b, ',');
		rc |= json_file(&b, &s->files[i]);
	}
	rc |=
	    buf_addf(&b,
	             "],\"totals\":{\"new\":%lu,\"updated\":%lu,\"unchanged\":%lu,\"rejected\":%lu,"
	             "\"known_rejects\":%lu,\"withheld\":%lu,\"reopened\":%lu},\"exit_code\":%d}\n",
	             t.n_new, t.n_updated, t.n_unchanged, t.n_rejected, t.n_known, t.n_withheld,
	             t.n_reopened, exit_code);
	if (rc == 0)
		(void)fwrite(b.data, 1, b.len, f);
	buf_release(&b);
	return rc ? -1 : 0;
}

int isummary_write_failed(FILE *f, const char *store, bool dry_run, bool strict, int exit_code,
                          const char *why)
{
	bool first = true;
	struct buf b;
	int rc = 0;

	/*
	 * import --summary json when the run stops before any file is read: no
	 * store (78), the store busy (75), a bad option value, an unreadable key.
	 * A nightly job parses standard output; an empty one would read as
	 * "nothing happened".
	 */
	buf_init(&b);
	rc |= buf_addc(&b, '{');
	rc |= jsonw_key_str(&b, &first, "store", store);
	rc |= jsonw_key(&b, &first, "dry_run");
	rc |= buf_adds(&b, dry_run ? "true" : "false");
	rc |= jsonw_key(&b, &first, "strict");
	rc |= buf_adds(&b, strict ? "true" : "false");
	rc |= buf_adds(&b, ",\"files\":[],\"totals\":{\"new\":0,\"updated\":0,\"unchanged\":0,"
	                   "\"rejected\":0,\"known_rejects\":0,\"withheld\":0,\"reopened\":0}");
	rc |= buf_addf(&b, ",\"exit_code\":%d", exit_code);
	rc |= jsonw_key(&b, &first, "error");
	rc |= why && why[0] ? jsonw_string(&b, why, strlen(why)) : buf_adds(&b, "null");
	rc |= buf_adds(&b, "}\n");
	if (rc == 0 && fwrite(b.data, 1, b.len, f) != b.len)
		rc = -1;
	buf_release(&b);
	return rc ? -1 : 0;
}
