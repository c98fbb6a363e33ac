/*
 * reftriage import: read packages from files (or stdin), validate each record,
 * and store the valid ones; each file is one transaction.
 */
#include "reftriage/cli.h"

#include "reftriage/alloc.h"
#include "reftriage/buf.h"
#include "reftriage/hash.h"
#include "reftriage/ingest.h"
#include "reftriage/jsonw.h"
#include "reftriage/timeutil.h"
#include "reftriage/token.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const formats[] = {"csv", "json", "ndjson", "xml", NULL};
static const char *const summaries[] = {"json", NULL};
const struct cli_opt import_opts[] = {
    CLI_OPT_FORMAT(formats, "force the format (default: from the name, else the content)"),
    {"strict", 0, CLI_FLAG, NULL, "a file with any rejected record imports nothing", NULL, 0, 0},
    CLI_OPT_DRY_RUN("validate and report only; the store is not changed"),
    {"ignore-unknown-fields", 0, CLI_FLAG, NULL,
     "accept columns/keys outside the contract (ignored)", NULL, 0, 0},
    {"summary", 0, CLI_ENUM, "FORMAT", "one JSON summary object on stdout, for scripts", summaries,
     0, 0},
    CLI_OPT_AS_OF,
    CLI_OPT_WAIT,
    {"recursive", 'r', CLI_FLAG, NULL, "a DIR stands for its files and those of its subdirectories",
     NULL, 0, 0},
    {"delimiter", 0, CLI_TEXT, "C", "CSV field separator (default ','): one character", NULL, 0, 0},
    {"verify-key", 0, CLI_TEXT, "PUB",
     "every FILE must carry a valid minisign signature FILE.minisig by this key", NULL, 0, 0},
    {"token-key", 0, CLI_TEXT, "FILE",
     "the unit's token key for CyberTipline XML (default: $REFTRIAGE_TOKEN_KEY)", NULL, 0, 0},
    {"max-xml-bytes", 0, CLI_COUNT, "N", "refuse a CyberTipline record over N bytes (16 MiB)", NULL,
     1024, 1L << 30},
    CLI_OPT_END,
};
const char import_about[] =
    "Import referral packages from CSV, JSON (one object or an array), NDJSON or\n"
    "CyberTipline XML (--format xml: NCMEC reports in a cybertip envelope, whose\n"
    "identifiers become tokens under the unit's --token-key). The format comes\n"
    "from the file name (.csv, .json, .ndjson/.jsonl, .xml), else from the content.\n"
    "A DIR stands for its *.csv, *.json, *.ndjson, *.jsonl and *.xml files,\n"
    "in name order. Each file is one transaction: it is wholly in or wholly out.\n"
    "Records that break the data contract are refused, never altered: each is\n"
    "reported as FILE:LINE: FIELD: message and kept in quarantine. Then every open\n"
    "package is rescored at one time (--as-of, default now). With --verify-key, a\n"
    "file's signature's trusted comment goes in the audit trail. The progress line\n"
    "shows only when stderr is a terminal (none with --quiet).\n\n"
    "A rejected record already in quarantine (the same raw bytes, open, dismissed or\n"
    "resolved) is a known reject: counted, not printed or quarantined again.\n"
    "CSV: spaces and tabs around a bool, int, enum, date or time are ignored.\n\n"
    "Exit: 0 all records imported or unchanged, or known rejects; 65 a new record\n"
    "or a file was rejected;\n"
    "66 a file cannot be opened; 74 I/O error; 75 the store is busy (retry).\n";

struct file_report {
	const char *name;
	const char *format;
	uint64_t bytes;
	unsigned char hash[HASH_BYTES];
	bool hashed;
	unsigned long n_new, n_updated, n_unchanged, n_rejected, n_withheld;
	unsigned long n_known;    /* rejected as before: in quarantine already, not news */
	unsigned long n_reopened; /* of n_updated: closed packages that a new version reopened */
	struct buf reopened;      /* their refs, each followed by a space */
	bool stopped;
	int code;              /* 0, or the exit code for this file */
	const char *status;    /* for --summary json */
	char error[600];       /* a file-level error, when there is one */
	char signer[17];       /* --verify-key: the key id that signed the file */
	char *trusted_comment; /* and the signature's trusted comment (owned) */
};

/* The progress line: on a terminal, a few times a second, cleared at the end. */
struct progress {
	bool on;
	const char *name;
	uint64_t size; /* 0 when unknown (a pipe) */
	int64_t start, last;
	bool shown;
};

static void on_progress(void *ctx, uint64_t bytes, unsigned long records);

struct import_ctx {
	struct cli *cli;
	struct store *st;
	bool strict, dry_run, summary_json;
	size_t nfiles; /* the files named (a DIR's files each) */
	struct ingest_opts opts;
	struct store_import imp;
	struct file_report *rep;
	bool withholding; /* --strict and a record was rejected: store nothing more */
	bool wrote;       /* a file of this run is committed */
	int64_t now;
	struct progress prog;
	/* --verify-key: the trusted key, and the hash of the bytes it verified. */
	bool verify;
	struct sign_pubkey key;
	bool has_expect;
	unsigned char expect[HASH_BYTES];
	struct token_key *token_key; /* --token-key or REFTRIAGE_TOKEN_KEY, or NULL */
};

static void on_progress(void *ctx, uint64_t bytes, unsigned long records)
{
	struct import_ctx *x = ctx;
	struct progress *p = &x->prog;
	int64_t now = time_now();
	double secs;

	if (!p->on || now - p->last < 250000)
		return;
	p->last = now;
	secs = (double)(now - p->start) / 1e6;
	fprintf(stderr, "\r\033[K%s: %lu records, %.0f records/s", p->name, records,
	        secs > 0 ? (double)records / secs : 0.0);
	if (p->size)
		fprintf(stderr, ", %.0f%%", 100.0 * (double)bytes / (double)p->size);
	p->shown = true;
}

static void progress_clear(struct progress *p)
{
	if (p->shown)
		fputs("\r\033[K", stderr);
	p->shown = false;
}

static void print_reasons(const struct import_ctx *x, const struct ingest_record *rec)
{
	size_t i;

	for (i = 0; i <= rec->reasons->n; i++) {
		struct diag d;

		if (i == rec->reasons->n && !rec->reasons->more)
			break;
		diag_clear(&d);
		diag_at(&d, x->rep->name, rec->line,
		        i < rec->reasons->n ? rec->reasons->r[i].field : "record");
		if (i < rec->reasons->n)
			(void)diag_set(&d, EX_DATAERR, "%s", rec->reasons->r[i].message);
		else
			(void)diag_set(&d, EX_DATAERR, "and %zu more reasons", rec->reasons->more);
		cli_report_problem(&d);
	}
}

/* A closed package reopened by a new version: count it and name it. */
static int note_reopened(struct file_report *r, const struct package *p, struct diag *d)
{
	size_t n;
	const char *ref = package_str(p, F_PACKAGE_REF, &n);

	r->n_updated++;
	r->n_reopened++;
	if (buf_add(&r->reopened, ref, n) < 0 || buf_addc(&r->reopened, ' ') < 0) {
		diag_at(d, r->name, 0, NULL);
		return diag_set(d, EX_SOFTWARE, "out of memory");
	}
	return 0;
}

static int on_record(void *ctx, const struct ingest_record *rec, struct diag *d)
{
	struct import_ctx *x = ctx;
	enum store_put res;

	if (!rec->pkg) {
		struct store_reject rj;
		char ref[80];
		bool known;

		if (store_quarantine_known(x->st, rec->raw_hash, rec->raw_size, &known, d) < 0)
			return -1;
		if (!known)
			print_reasons(x, rec);
		x->rep->n_rejected += !known;
		x->rep->n_known += known;
		if (x->strict && !x->withholding) {
			/* Undo what this file stored so far; from now on only quarantine. */
			if (store_rollback_to_savepoint(x->st, d) < 0)
				return -1;
			x->withholding = true;
			x->rep->n_withheld = x->rep->n_new + x->rep->n_updated;
			x->rep->n_new = x->rep->n_updated = x->rep->n_reopened = 0;
			buf_reset(&x->rep->reopened);
		}
		memset(&rj, 0, sizeof(rj));
		rj.file = x->rep->name;
		rj.line = rec->line;
		rj.index = rec->index;
		rj.package_ref = NULL;
		if (rec->ref && rec->ref_len < sizeof(ref)) {
			memcpy(ref, rec->ref, rec->ref_len);
			ref[rec->ref_len] = '\0';
			rj.package_ref = ref;
		}
		rj.raw = rec->raw;
		rj.raw_len = rec->raw_len;
		rj.raw_size = rec->raw_size;
		rj.raw_hash = rec->raw_hash;
		rj.has_received = rec->has_received;
		rj.received_at = rec->received_at;
		rj.reasons = rec->reasons;
		return known ? 0 : store_put_quarantine(x->st, x->imp.id, &rj, x->now, d);
	}
	if (x->withholding) {
		x->rep->n_withheld++;
		return 0;
	}
	if (store_put_package(x->st, x->imp.id, rec->pkg, rec->facts, rec->facts_len, rec->line,
	                      rec->index, x->now, &res, d) < 0)
		return -1;
	if (res == STORE_NEW)
		x->rep->n_new++;
	else if (res == STORE_UPDATED)
		x->rep->n_updated++;
	else if (res == STORE_REOPENED)
		return note_reopened(x->rep, rec->pkg, d);
	else
		x->rep->n_unchanged++;
	return 0;
}

/* Report a failure that ends this file's import, and remember it for the summary. */
static int file_failed(struct import_ctx *x, const struct diag *d)
{
	(void)snprintf(x->rep->error, sizeof(x->rep->error), "%s", d->message);
	x->rep->n_new = x->rep->n_updated = x->rep->n_unchanged = 0;
	x->rep->n_rejected = x->rep->n_withheld = x->rep->n_reopened = x->rep->n_known = 0;
	buf_reset(&x->rep->reopened);
	return cli_report(d);
}

/* The refs a file reopened, in its import entry: "reopened" counts, "reopened_refs" names. */
static void audit_reopened(struct cli_details *det, struct file_report *r)
{
	if (!r->n_reopened)
		return;
	cli_details_int(det, "reopened", (int64_t)r->n_reopened);
	r->reopened.data[r->reopened.len - 1] = '\0'; /* the last space */
	cli_details_str(det, "reopened_refs", r->reopened.data);
	r->reopened.data[r->reopened.len - 1] = ' ';
}

/*
 * The file's audit entries, in its transaction: the collection (the refs it
 * stored or quarantined, the file's hash and counts) and, when any of its
 * packages now share a linking key with another, the combination.
 */
static int audit_import(struct import_ctx *x, struct diag *d)
{
	struct cli_details det;
	int64_t n;
	int rc;

	if (store_audit_import_refs(x->st, &x->imp, false, &n, d) < 0)
		return -1;
	cli_details_init(&det);
	cli_details_str(&det, "file", x->rep->name);
	cli_details_hash(&det, "file_hash", x->imp.file_hash);
	cli_details_str(&det, "format", x->imp.format);
	cli_details_int(&det, "bytes", (int64_t)x->imp.bytes);
	cli_details_int(&det, "new", (int64_t)x->imp.n_new);
	cli_details_int(&det, "updated", (int64_t)x->imp.n_updated);
	cli_details_int(&det, "unchanged", (int64_t)x->imp.n_unchanged);
	cli_details_int(&det, "rejected", (int64_t)x->imp.n_rejected);
	cli_details_int(&det, "withheld", (int64_t)x->imp.n_withheld);
	if (x->rep->n_known)
		cli_details_int(&det, "known_rejects", (int64_t)x->rep->n_known);
	cli_details_bool(&det, "strict", x->strict);
	audit_reopened(&det, x->rep);
	if (x->rep->signer[0]) {
		cli_details_str(&det, "signed_by", x->rep->signer);
		cli_details_str(&det, "trusted_comment", x->rep->trusted_comment);
	}
	rc = cli_audit(x->cli, x->st, "import", &det, d);
	cli_details_release(&det);
	if (rc < 0)
		return -1;
	if (store_audit_import_refs(x->st, &x->imp, true, &n, d) < 0)
		return -1;
	if (n == 0)
		return 0;
	cli_details_init(&det);
	cli_details_str(&det, "file", x->rep->name);
	cli_details_int(&det, "linked", n);
	rc = cli_audit(x->cli, x->st, "link", &det, d);
	cli_details_release(&det);
	return rc;
}

/*
 * Open the file's transaction and its import row, then a savepoint so that
 * --strict can undo the packages stored so far and keep the row. On failure
 * nothing is left open.
 */
static int import_begin(struct import_ctx *x, struct diag *d)
{
	if (store_begin(x->st, d) < 0)
		return -1;
	memset(&x->imp, 0, sizeof(x->imp));
	x->imp.file = x->rep->name;
	x->imp.format = ingest_format_name(x->opts.format);
	x->imp.operator_name = x->cli->operator_name;
	x->imp.strict = x->strict;
	x->imp.started_at = x->now;
	if (store_import_start(x->st, &x->imp, d) < 0 || store_savepoint(x->st, d) < 0) {
		store_rollback(x->st);
		return -1;
	}
	return 0;
}

/* Copy what the read found into the import row, before it is finished. */
static void import_counts(struct import_ctx *x, const struct ingest_result *res)
{
	memcpy(x->imp.file_hash, res->file_hash, HASH_BYTES);
	x->imp.format = x->rep->format;
	x->imp.bytes = res->bytes;
	x->imp.n_new = x->rep->n_new;
	x->imp.n_updated = x->rep->n_updated;
	x->imp.n_unchanged = x->rep->n_unchanged;
	x->imp.n_rejected = x->rep->n_rejected;
	x->imp.n_withheld = x->rep->n_withheld;
	x->imp.stopped = res->stopped;
}

/* Import one open file descriptor as one transaction. Returns an exit code. */
static int import_fd(struct import_ctx *x, int fd)
{
	struct ingest_result res;
	struct diag d;
	int rc;

	diag_clear(&d);
	x->withholding = false;
	x->now = time_now();
	if (import_begin(x, &d) < 0)
		return file_failed(x, &d);
	x->prog.name = x->rep->name;
	x->prog.start = x->prog.last = time_now();
	rc = ingest_fd(fd, x->rep->name, &x->opts, on_record, on_progress, x, &res, &d);
	progress_clear(&x->prog);
	x->rep->format = ingest_format_name(res.format);
	x->rep->bytes = res.bytes;
	memcpy(x->rep->hash, res.file_hash, HASH_BYTES);
	x->rep->hashed = true;
	x->rep->stopped = res.stopped;
	if (rc < 0) {
		store_rollback(x->st);
		return file_failed(x, &d);
	}
	if (x->has_expect && memcmp(x->expect, res.file_hash, HASH_BYTES) != 0) {
		/* What was read is not what the signature was checked against. */
		store_rollback(x->st);
		diag_at(&d, x->rep->name, 0, NULL);
		diag_set(&d, EX_DATAERR,
		         "refused: the file changed between checking its signature and importing "
		         "it; nothing imported");
		return file_failed(x, &d);
	}
	import_counts(x, &res);
	if (store_import_finish(x->st, &x->imp, time_now(), &d) < 0 ||
	    (!x->dry_run && audit_import(x, &d) < 0)) {
		store_rollback(x->st);
		return file_failed(x, &d);
	}
	if (x->dry_run)
		store_rollback(x->st);
	else if (store_commit(x->st, &d) < 0)
		return file_failed(x, &d);
	/* Known rejects alone are not news; a file that stopped, or --strict withholding, is. */
	return x->rep->n_rejected || x->rep->stopped || x->rep->n_withheld ? EX_DATAERR : EX_OK;
}

/*
 * --verify-key: path must carry path.minisig, a valid signature by the
 * trusted key; the file is read once to check it (and then imported from the
 * same descriptor, its hash compared again). Returns an exit code.
 */
static int verify_file(struct import_ctx *x, int fd, const char *path, struct file_report *r)
{
	struct buf sig;
	struct diag d;
	int rc;

	buf_init(&sig);
	diag_clear(&d);
	if (buf_addf(&sig, "%s.minisig", path) < 0) {
		r->code = cli_fail(x->cli, EX_SOFTWARE, "out of memory");
		return r->code;
	}
	rc = sign_verify_fd(&x->key, fd, path, sig.data, &r->trusted_comment, x->expect, &d);
	buf_release(&sig);
	if (rc < 0) {
		(void)snprintf(r->error, sizeof(r->error), "%s", d.message);
		r->status = "refused";
		r->code = cli_report(&d);
		return r->code;
	}
	sign_keyid(x->key.keynum, r->signer);
	x->has_expect = true;
	return EX_OK;
}

/*
 * Of several files, one that was not a clean success (rejected records) gets
 * a line of its own; the summary line covers the rest (and a single file).
 */
static void print_file_line(const struct import_ctx *x, const struct file_report *r)
{
	if (r->code != EX_OK && r->code != EX_DATAERR)
		return;
	if (r->error[0] || x->nfiles < 2 || (!r->n_rejected && !r->stopped && !r->n_withheld))
		return;
	fprintf(stderr, "%s: %lu %s (%lu new, %lu updated), %lu unchanged, %lu rejected", r->name,
	        r->n_new + r->n_updated, x->dry_run ? "would be imported" : "imported", r->n_new,
	        r->n_updated, r->n_unchanged, r->n_rejected);
	if (r->n_known)
		fprintf(stderr, ", %lu known (already in quarantine)", r->n_known);
	if (r->n_reopened)
		fprintf(stderr, "; %lu closed reopened: %.*s", r->n_reopened,
		        (int)r->reopened.len - 1, r->reopened.data);
	if (r->n_withheld)
		fprintf(stderr, "; --strict: %lu valid records not imported", r->n_withheld);
	if (r->stopped)
		fprintf(stderr, "; reading stopped at a file-level error");
	if (x->dry_run)
		fprintf(stderr, " [dry run: nothing stored]");
	fputc('\n', stderr);
}

/*
 * What the summary line is about: the one file, or "N files"; with
 * --recursive, every file read is named, so that a file found deep in a tree
 * is never read unseen.
 */
static int summary_subject(const struct import_ctx *x, const struct file_report *reps, size_t n,
                           struct buf *b)
{
	size_t i, read = 0;
	bool first = true;
	int rc = 0;

	for (i = 0; i < n; i++)
		read += reps[i].hashed && !reps[i].error[0];
	if (read == 1 && n == 1)
		return buf_adds(b, reps[0].name);
	rc |= buf_addf(b, "%zu file%s", read, read == 1 ? "" : "s");
	if (!cli_flag(x->cli, "recursive") || !read)
		return rc;
	for (i = 0; i < n; i++)
		if (reps[i].hashed && !reps[i].error[0])
			rc |= buf_addf(b, "%s%s", first ? " (" : ", ", reps[i].name), first = false;
	return rc | buf_addc(b, ')');
}

/* "; closed reopened: REF..." (the first few) for the summary line; -1: no memory. */
static int summary_reopened(const struct file_report *reps, size_t n, struct buf *b)
{
	size_t i, k, shown = 0, more = 0;
	int rc = buf_adds(b, "; closed reopened:");

	for (i = 0; i < n; i++) {
		const struct buf *r = &reps[i].reopened;

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

/*
 * The one line a successful import prints (cli_note: none with --quiet): the
 * files read, what they did to the store, and the rescore, when there was one.
 */
static void print_summary(const struct import_ctx *x, const struct file_report *reps, size_t n,
                          const struct buf *scored)
{
	unsigned long t[7] = {0};
	size_t i, stopped = 0;
	struct buf subject, more;
	int rc;

	for (i = 0; i < n; i++) {
		stopped += reps[i].hashed && !reps[i].error[0];
		t[0] += reps[i].n_new;
		t[1] += reps[i].n_updated;
		t[2] += reps[i].n_reopened;
		t[3] += reps[i].n_unchanged;
		t[4] += reps[i].n_rejected;
		t[5] += reps[i].n_withheld;
		t[6] += reps[i].n_known;
	}
	if (!stopped)
		return; /* no file was read: its error said everything */
	for (stopped = 0, i = 0; i < n; i++)
		stopped += reps[i].stopped;
	buf_init(&more);
	buf_init(&subject);
	rc = t[6] ? buf_addf(&more, ", %lu known reject%s (already in quarantine, not shown)", t[6],
	                     t[6] == 1 ? "" : "s")
	          : 0;
	rc |= t[2] ? summary_reopened(reps, n, &more) : 0;
	if (t[5])
		rc |= buf_addf(&more, "; --strict: %lu valid records not imported", t[5]);
	if (stopped)
		rc |= buf_adds(&more, "; reading stopped at a file-level error");
	if ((rc | summary_subject(x, reps, n, &subject)) == 0)
		cli_note(x->cli,
		         "%s: %lu %s (%lu new, %lu updated, %lu reopened), %lu unchanged, %lu "
		         "rejected%s%s%s",
		         subject.data, t[0] + t[1], x->dry_run ? "would be imported" : "imported",
		         t[0], t[1], t[2], t[3], t[4], more.len ? more.data : "",
		         scored->len  ? "; "
		         : x->dry_run ? " [dry run: nothing stored]"
		                      : "",
		         scored->len ? scored->data : "");
	buf_release(&subject);
	buf_release(&more);
}

/* A file's ,"reopened":N,"reopened_refs":[...] in the JSON summary. */
static int json_reopened(struct buf *b, const struct file_report *r)
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
static int json_file_report(struct buf *b, const struct file_report *r)
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

static int json_summary(const struct import_ctx *x, const struct file_report *reps, size_t n,
                        int exit_code)
{
	struct buf b;
	unsigned long t[7] = {0};
	size_t i;
	bool first = true;
	int rc = 0;

	buf_init(&b);
	rc |= buf_addc(&b, '{');
	rc |= jsonw_key_str(&b, &first, "store", x->cli->db_path);
	rc |= jsonw_key(&b, &first, "dry_run");
	rc |= buf_adds(&b, x->dry_run ? "true" : "false");
	rc |= jsonw_key(&b, &first, "strict");
	rc |= buf_adds(&b, x->strict ? "true" : "false");
	rc |= jsonw_key(&b, &first, "files");
	rc |= buf_addc(&b, '[');
	for (i = 0; i < n; i++) {
		const struct file_report *r = &reps[i];

		if (i)
			rc |= buf_addc(&b, ',');
		rc |= json_file_report(&b, r);
		t[0] += r->n_new;
		t[1] += r->n_updated;
		t[2] += r->n_unchanged;
		t[3] += r->n_rejected;
		t[4] += r->n_withheld;
		t[5] += r->n_reopened;
		t[6] += r->n_known;
	}
	rc |=
	    buf_addf(&b,
	             "],\"totals\":{\"new\":%lu,\"updated\":%lu,\"unchanged\":%lu,\"rejected\":%lu,"
	             "\"known_rejects\":%lu,\"withheld\":%lu,\"reopened\":%lu},\"exit_code\":%d}\n",
	             t[0], t[1], t[2], t[3], t[6], t[4], t[5], exit_code);
	if (rc == 0)
		fwrite(b.data, 1, b.len, stdout);
	buf_release(&b);
	if (rc)
		return cli_fail(x->cli, EX_SOFTWARE, "out of memory writing the summary");
	return EX_OK;
}

/* Worse outcomes win: a stop, then unreadable input, then rejected data. */
static int worse(int a, int b)
{
	static const int order[] = {EX_SOFTWARE,  EX_IOERR,   EX_TEMPFAIL, EX_CONFIG,
	                            EX_CANTCREAT, EX_NOINPUT, EX_DATAERR,  EX_OK};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(order); i++)
		if (a == order[i] || b == order[i])
			return order[i];
	return a ? a : b;
}

static bool fatal(int code)
{
	return code != EX_OK && code != EX_DATAERR && code != EX_NOINPUT;
}

static bool importable(const char *name)
{
	static const char *const ext[] = {".csv", ".json", ".ndjson", ".jsonl", ".xml"};
	size_t i, n = strlen(name);

	if (name[0] == '.')
		return false;
	for (i = 0; i < ARRAY_SIZE(ext); i++) {
		size_t m = strlen(ext[i]);

		if (n > m && strcmp(name + n - m, ext[i]) == 0)
			return true;
	}
	return false;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_path(char ***paths, size_t *n, size_t *cap, char *p)
{
	if (!p)
		return -1;
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		char **np = rt_realloc(*paths, c * sizeof(*np));

		if (!np) {
			rt_free(p);
			return -1;
		}
		*paths = np;
		*cap = c;
	}
	(*paths)[(*n)++] = p;
	return 0;
}

/* A DIR's path joined with an entry's name; NULL when memory runs out. */
static char *join(const char *dir, const char *name)
{
	size_t len = strlen(dir);
	struct buf b;

	buf_init(&b);
	if (buf_addf(&b, "%s%s%s", dir, len && dir[len - 1] == '/' ? "" : "/", name) < 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

/* How deep --recursive goes: far past any delivery's layout. */
#define MAX_DEPTH 32

/*
 * Add dir's importable files (and, when recursive, those of its
 * subdirectories) to paths. Dot-files and dot-directories are skipped, and so
 * is a symbolic link to a directory (it could loop, or lead out of the tree).
 * 1 when dir cannot be listed, -1 when memory runs out.
 */
static int walk(const char *dir, bool recursive, int depth, char ***paths, size_t *n, size_t *cap)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = 0;

	if (!d)
		return 1;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		struct stat sb;
		char *p;

		if (e->d_name[0] == '.')
			continue;
		if (!(p = join(dir, e->d_name))) {
			rc = -1;
			break;
		}
		if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode) && recursive && depth < MAX_DEPTH) {
			rc = walk(p, recursive, depth + 1, paths, n, cap) < 0 ? -1 : 0;
			rt_free(p);
		} else if (importable(e->d_name) && !(stat(p, &sb) == 0 && S_ISDIR(sb.st_mode))) {
			rc = add_path(paths, n, cap, p);
		} else {
			rt_free(p);
		}
	}
	(void)closedir(d);
	return rc;
}

/*
 * The files to read: each FILE as given, each DIR replaced by its importable
 * files in name order (with --recursive, its subdirectories' too, all in
 * path order). -1 when memory runs out.
 */
static int expand(struct cli *cli, char ***paths, size_t *n)
{
	bool recursive = cli_flag(cli, "recursive");
	size_t cap = 0;
	int i;

	*paths = NULL;
	*n = 0;
	for (i = 0; i < cli->noperands; i++) {
		const char *arg = cli->operands[i];
		size_t first = *n;
		struct stat sb;
		int rc = 1;

		if (strcmp(arg, "-") != 0 && stat(arg, &sb) == 0 && S_ISDIR(sb.st_mode))
			rc = walk(arg, recursive, 0, paths, n, &cap);
		if (rc < 0)
			return -1;
		/* A FILE, or a DIR that cannot be listed: "cannot read: it is a directory". */
		if (rc > 0 && add_path(paths, n, &cap, rt_memdup0(arg, strlen(arg))) < 0)
			return -1;
		if (rc == 0 && *n > first)
			qsort(*paths + first, *n - first, sizeof(**paths), by_name);
		else if (rc == 0)
			fprintf(stderr,
			        "reftriage: %s: no .csv, .json, .ndjson, .jsonl or .xml files to "
			        "import%s\n",
			        arg, recursive ? " (nor in its subdirectories)" : "");
	}
	return 0;
}

/* The operands' own rules: '-' has no signature and is named once (its format is sniffed). */
static int check_inputs(struct cli *cli, const struct import_ctx *x)
{
	int i, stdin_seen = 0;

	for (i = 0; i < cli->noperands; i++) {
		if (strcmp(cli->operands[i], "-") != 0)
			continue;
		if (x->verify)
			return cli_usage_error(
			    cli,
			    "--verify-key needs signed files; standard input has no signature");
		if (stdin_seen++)
			return cli_usage_error(cli, "standard input ('-') named twice");
	}
	return EX_OK;
}

/* --delimiter C: one byte that can separate CSV fields. */
static int delimiter(struct cli *cli, struct import_ctx *x)
{
	const char *c = cli_str(cli, "delimiter");

	if (!c)
		return EX_OK;
	if (strlen(c) != 1 || !ingest_delimiter_ok(c[0]))
		return cli_usage_error(
		    cli,
		    "--delimiter is one character (e.g. ';', or $'\\t' for a tab), "
		    "not a quote or a line end; got '%s'",
		    c);
	x->opts.delimiter = c[0];
	return EX_OK;
}

/* The unit's token key, when one is named: needed for CyberTipline XML only. */
static int load_token_key(struct cli *cli, struct import_ctx *x)
{
	const char *path = cli_str(cli, "token-key");
	struct diag d;

	if (!path || !path[0])
		path = getenv("REFTRIAGE_TOKEN_KEY");
	if (!path || !path[0])
		return EX_OK;
	diag_clear(&d);
	if (token_key_load(path, &x->token_key, &d) < 0)
		return cli_report(&d);
	x->opts.token_key = x->token_key;
	return EX_OK;
}

/* The options, into x. Returns an exit code. */
static int setup(struct cli *cli, struct import_ctx *x)
{
	const char *format = cli_str(cli, "format"), *key_path = cli_str(cli, "verify-key");
	struct diag d;
	int rc;

	x->cli = cli;
	x->st = cli->st;
	x->strict = cli_flag(cli, "strict");
	x->dry_run = cli_flag(cli, "dry-run");
	x->opts.ignore_unknown = cli_flag(cli, "ignore-unknown-fields");
	x->opts.threaded = true; /* decode beside the store's writes (docs/PERFORMANCE.md) */
	x->summary_json = cli_flag(cli, "summary");
	if (format && ingest_format_parse(format, &x->opts.format) < 0)
		return cli_bad_value(cli, "--format", format, formats);
	x->verify = key_path != NULL;
	if (delimiter(cli, x) != EX_OK || check_inputs(cli, x) != EX_OK)
		return EX_USAGE;
	diag_clear(&d);
	if (key_path && sign_pubkey_load(key_path, &x->key, &d) < 0)
		return cli_report(&d);
	x->opts.max_xml_bytes = (uint64_t)cli_count(cli, "max-xml-bytes", 0);
	if ((rc = load_token_key(cli, x)) != EX_OK)
		return rc;
	x->prog.on = !cli->quiet && isatty(STDERR_FILENO);
	return EX_OK;
}

/* A file's failure before any import: remember it and say so. */
static int refuse_file(struct file_report *r, int code, const char *status, const char *fmt, ...)
    PRINTF_LIKE(4, 5);
static int refuse_file(struct file_report *r, int code, const char *status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
	r->code = code;
	r->status = status;
	fputs("reftriage: ", stderr);
	cli_put_safe(stderr, r->name, strlen(r->name), NULL);
	fprintf(stderr, ": %s\n", r->error);
	return code;
}

/*
 * Once a file of this run is in the store, the rest of the run (the next
 * files, the rescore) waits for another writer as long as it takes, up to an
 * hour: exit 75 means that nothing of the run was written, so the summary
 * and the exit code never disagree (docs/nightly.md).
 */
static void committed_some(struct import_ctx *x, int fc)
{
	if (x->dry_run || (fc != EX_OK && fc != EX_DATAERR) || x->wrote)
		return;
	x->wrote = true;
	if (store_set_wait(x->st, 3600 * 1000) < 0)
		return; /* the shorter wait stays */
}

/* Whether file i is the same file as one already read. */
static bool read_before(const struct file_report *reps, const struct stat *seen, int i)
{
	int k;

	for (k = 0; k < i; k++)
		if (reps[k].hashed && seen[k].st_dev == seen[i].st_dev &&
		    seen[k].st_ino == seen[i].st_ino)
			return true;
	return false;
}

/* Open, check and import the i-th path. Returns an exit code. */
static int import_path(struct import_ctx *x, const char *path, struct file_report *reps,
                       struct stat *seen, int i)
{
	struct file_report *r = &reps[i];
	bool is_stdin = strcmp(path, "-") == 0;
	int fd, fc;

	x->rep = r;
	buf_init(&r->reopened);
	r->name = is_stdin ? "(stdin)" : path;
	fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return refuse_file(r, EX_NOINPUT, NULL, "cannot open: %s", strerror(errno));
	if (fstat(fd, &seen[i]) != 0 || S_ISDIR(seen[i].st_mode)) {
		fc =
		    refuse_file(r, EX_NOINPUT, NULL, "cannot read: %s",
		                S_ISDIR(seen[i].st_mode) ? "it is a directory that cannot be listed"
		                                         : strerror(errno));
	} else if (!is_stdin && read_before(reps, seen, i)) {
		fc = refuse_file(r, EX_OK, "duplicate", "named more than once; read once only");
	} else if (x->has_expect = false, x->verify && verify_file(x, fd, path, r) != EX_OK) {
		fc = r->code;
	} else {
		x->prog.size = S_ISREG(seen[i].st_mode) ? (uint64_t)seen[i].st_size : 0;
		fc = r->code = import_fd(x, fd);
		committed_some(x, fc);
		r->status = fc == EX_OK                        ? "ok"
		            : fc == EX_DATAERR && !r->error[0] ? "rejected"
		                                               : "error";
		print_file_line(x, r);
	}
	if (!is_stdin)
		(void)close(fd);
	return fc;
}

int cmd_import(struct cli *cli)
{
	struct import_ctx x;
	struct file_report *reps = NULL;
	struct stat *seen = NULL;
	struct buf scored;
	char **paths = NULL;
	size_t npaths = 0, i;
	int code;

	memset(&x, 0, sizeof(x));
	buf_init(&scored);
	if ((code = setup(cli, &x)) != EX_OK) {
		if (cli_flag(cli, "summary"))
			cli_import_summary_failed(cli, code);
		goto out;
	}
	if (expand(cli, &paths, &npaths) < 0 ||
	    !(reps = rt_calloc(npaths ? npaths : 1, sizeof(*reps))) ||
	    !(seen = rt_calloc(npaths ? npaths : 1, sizeof(*seen)))) {
		code = cli_fail(cli, EX_SOFTWARE, "out of memory");
		goto out;
	}
	x.nfiles = npaths;
	for (i = 0; i < npaths; i++) {
		if (fatal(code)) {
			reps[i].name = strcmp(paths[i], "-") == 0 ? "(stdin)" : paths[i];
			(void)snprintf(reps[i].error, sizeof(reps[i].error),
			               "not read: import stopped earlier");
			reps[i].status = "not_read";
			continue;
		}
		code = worse(code, import_path(&x, paths[i], reps, seen, (int)i));
	}
	/* Every open package is rescored at one as_of, so that new links count everywhere. */
	if (!x.dry_run && !fatal(code))
		code = worse(
		    code, cli_rescore_said(cli, x.st, cli_time(cli, "as-of", time_now()), &scored));
	if (!fatal(code))
		print_summary(&x, reps, npaths, &scored);
	if (x.summary_json)
		code = worse(code, json_summary(&x, reps, npaths, code));
out:
	for (i = 0; reps && i < npaths; i++) {
		rt_free(reps[i].trusted_comment);
		buf_release(&reps[i].reopened);
	}
	rt_free(reps);
	rt_free(seen);
	buf_release(&scored);
	while (npaths)
		rt_free(paths[--npaths]);
	rt_free(paths);
	token_key_free(x.token_key);
	return code;
}
