/*
 * reftriage import: read packages from files (or stdin), validate each record,
 * and store the valid ones; each file is one transaction.
 */
#include "reftriage/cli.h"

#include "reftriage/alloc.h"
#include "reftriage/buf.h"
#include "reftriage/hash.h"
#include "reftriage/ingest.h"
#include "reftriage/isummary.h"
#include "reftriage/timeutil.h"
#include "reftriage/token.h"

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

struct import_ctx {
	struct cli *cli;
	struct store *st;
	bool strict, dry_run, summary_json;
	struct isummary sum; /* what the run says of itself: its files */
	struct ingest_opts opts;
	struct store_import imp;
	struct isummary_file *rep;
	bool withholding; /* --strict and a record was rejected: store nothing more */
	bool wrote;       /* a file of this run is committed */
	int64_t now;
	struct isummary_progress prog;
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

	isummary_progress(stderr, &x->prog, bytes, records);
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
static int note_reopened(struct isummary_file *r, const struct package *p, struct diag *d)
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
		if (known)
			return 0;
		if (rec->ref && rec->ref_len < sizeof(ref)) {
			memcpy(ref, rec->ref, rec->ref_len);
			ref[rec->ref_len] = '\0';
		}
		rj = (struct store_reject){
		    .file = x->rep->name,
		    .line = rec->line,
		    .index = rec->index,
		    .package_ref = rec->ref && rec->ref_len < sizeof(ref) ? ref : NULL,
		    .raw = rec->raw,
		    .raw_len = rec->raw_len,
		    .raw_size = rec->raw_size,
		    .raw_hash = rec->raw_hash,
		    .has_received = rec->has_received,
		    .received_at = rec->received_at,
		    .reasons = rec->reasons,
		};
		return store_put_quarantine(x->st, x->imp.id, &rj, x->now, d);
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
	isummary_progress_clear(stderr, &x->prog);
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
	    (!x->dry_run && cli_audit_import(x->cli, x->st, &x->imp, x->rep, &d) < 0)) {
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
static int verify_file(struct import_ctx *x, int fd, const char *path, struct isummary_file *r)
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

/*
 * The files to read: each FILE as given, each DIR replaced by its importable
 * files in name order (with --recursive, its subdirectories' too, all in
 * path order). -1 when memory runs out.
 */
static int expand(struct cli *cli, struct ingest_paths *paths)
{
	bool recursive = cli_flag(cli, "recursive");
	int i;

	for (i = 0; i < cli->noperands; i++) {
		const char *arg = cli->operands[i];
		size_t first = paths->n;
		struct stat sb;
		int rc = 1;

		if (strcmp(arg, "-") != 0 && stat(arg, &sb) == 0 && S_ISDIR(sb.st_mode))
			rc = ingest_dir_files(arg, recursive, paths);
		if (rc < 0)
			return -1;
		/* A FILE, or a DIR that cannot be listed: "cannot read: it is a directory". */
		if (rc > 0 && ingest_paths_add(paths, rt_memdup0(arg, strlen(arg))) < 0)
			return -1;
		if (rc == 0 && paths->n == first)
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
static int refuse_file(struct isummary_file *r, int code, const char *status, const char *fmt, ...)
    PRINTF_LIKE(4, 5);
static int refuse_file(struct isummary_file *r, int code, const char *status, const char *fmt, ...)
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
static bool read_before(const struct isummary_file *reps, const struct stat *seen, int i)
{
	int k;

	for (k = 0; k < i; k++)
		if (reps[k].hashed && seen[k].st_dev == seen[i].st_dev &&
		    seen[k].st_ino == seen[i].st_ino)
			return true;
	return false;
}

/* Open, check and import the i-th path. Returns an exit code. */
static int import_path(struct import_ctx *x, const char *path, struct isummary_file *reps,
                       struct stat *seen, int i)
{
	struct isummary_file *r = &reps[i];
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
		isummary_file_line(stderr, &x->sum, r);
	}
	if (!is_stdin)
		(void)close(fd);
	return fc;
}

/*
 * The one line a successful import prints (cli_note: none with --quiet): the
 * files read, what they did to the store, and the rescore, when there was one.
 */
static void print_summary(const struct import_ctx *x, const struct buf *scored)
{
	struct buf line;

	buf_init(&line);
	if (isummary_line(&line, &x->sum, scored) == 0 && line.len)
		cli_note(x->cli, "%s", line.data);
	buf_release(&line);
}

int cmd_import(struct cli *cli)
{
	struct import_ctx x;
	struct isummary_file *reps = NULL;
	struct stat *seen = NULL;
	struct buf scored;
	struct ingest_paths paths = {NULL, 0, 0};
	size_t i;
	int code;

	memset(&x, 0, sizeof(x));
	buf_init(&scored);
	if ((code = setup(cli, &x)) != EX_OK) {
		/* A nightly job parses stdout: a summary even now (a bad key, ...). */
		if (cli_flag(cli, "summary") &&
		    isummary_write_failed(cli->out, cli->db_path, cli_flag(cli, "dry-run"),
		                          cli_flag(cli, "strict"), code, cli_last_error()) < 0)
			cli_warn(cli, "writing the JSON summary failed");
		goto out;
	}
	if (expand(cli, &paths) < 0 || !(reps = rt_calloc(paths.n ? paths.n : 1, sizeof(*reps))) ||
	    !(seen = rt_calloc(paths.n ? paths.n : 1, sizeof(*seen)))) {
		code = cli_fail(cli, EX_SOFTWARE, "out of memory");
		goto out;
	}
	x.sum = (struct isummary){cli->db_path, x.dry_run, x.strict, cli_flag(cli, "recursive"),
	                          reps,         paths.n};
	for (i = 0; i < paths.n; i++) {
		if (fatal(code)) {
			reps[i].name = strcmp(paths.p[i], "-") == 0 ? "(stdin)" : paths.p[i];
			(void)snprintf(reps[i].error, sizeof(reps[i].error),
			               "not read: import stopped earlier");
			reps[i].status = "not_read";
			continue;
		}
		code = worse(code, import_path(&x, paths.p[i], reps, seen, (int)i));
	}
	/* Every open package is rescored at one as_of, so that new links count everywhere. */
	if (!x.dry_run && !fatal(code))
		code = worse(
		    code, cli_rescore_said(cli, x.st, cli_time(cli, "as-of", time_now()), &scored));
	if (!fatal(code))
		print_summary(&x, &scored);
	if (x.summary_json && isummary_write_json(stdout, &x.sum, code) < 0)
		code = worse(code, cli_fail(cli, EX_SOFTWARE, "out of memory writing the summary"));
out:
	for (i = 0; reps && i < paths.n; i++) {
		rt_free(reps[i].trusted_comment);
		buf_release(&reps[i].reopened);
	}
	rt_free(reps);
	rt_free(seen);
	buf_release(&scored);
	ingest_paths_release(&paths);
	token_key_free(x.token_key);
	return code;
}
