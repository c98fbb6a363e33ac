/*
 * reftriage audit: read the audit trail (log), check its hash chain and any
 * signed checkpoint (verify), and sign its head (checkpoint).
 */
#include "reftriage/cli.h"

#include "reftriage/alloc.h"
#include "reftriage/jsondoc.h"
#include "reftriage/jsonw.h"
#include "reftriage/timeutil.h"

#include <fcntl.h>
#include <unistd.h>

static const char *const log_formats[] = {"table", "json", "ndjson", NULL};
static const struct cli_opt log_opts[] = {
    {"since", 0, CLI_TIME, "TIME", "entries at or after TIME", NULL, 0, 0},
    {"action", 0, CLI_TEXT, "ACTION", "entries of this action (import, status, worklist, ...)",
     NULL, 0, 0},
    {"operator", 0, CLI_TEXT, "NAME",
     "entries by this operator (here a filter, not the global option)", NULL, 0, 0},
    {"ref", 0, CLI_TEXT, "REF", "entries that name this package", NULL, 0, 0},
    CLI_OPT_FORMAT(log_formats,
                   "table for people, json ({\"items\": [...]}) or ndjson (a line an entry)"),
    CLI_OPT_WAIT_READ,
    CLI_OPT_END,
};
static const char log_about[] =
    "The audit trail records every collection (import), alteration (status, assign,\n"
    "rules install, score), consultation (worklist, show, stats, quarantine, audit\n"
    "log), disclosure (worklist --output), combination (linking) and erasure (purge):\n"
    "when, who (--operator), why (--reason), and which package refs; never content.\n"
    "The entries are listed oldest first; filters combine. Reading the log is\n"
    "itself recorded.\n";
static const struct cli_opt verify_opts[] = {
    {"checkpoint", 0, CLI_TEXT, "FILE", "also check this signed checkpoint (and FILE.minisig)",
     NULL, 0, 0},
    {"pubkey", 0, CLI_TEXT, "PUB", "the checkpoint's public key", NULL, 0, 0},
    CLI_OPT_END,
};
static const char verify_about[] =
    "Check the chain: exit 0 when intact, 65 naming the first broken entry. With\n"
    "--checkpoint FILE --pubkey PUB, also check the signed checkpoint FILE (and\n"
    "FILE.minisig) and that the chain still passes through it: this catches a trail\n"
    "cut short or rewritten whole. It also checks that the index of refs that\n"
    "'audit log --ref' reads holds every entry's refs. Verifying records nothing.\n";
static const struct cli_opt checkpoint_opts[] = {
    {"key", 0, CLI_TEXT, "SECKEY", "the minisign secret key to sign with (required)", NULL, 0, 0},
    CLI_OPT_OUTPUT("the statement's file (required); FILE.minisig beside it"),
    CLI_OPT_PASSPHRASE_FILE("the key's passphrase, from a private file"),
    CLI_OPT_WAIT,
    CLI_OPT_END,
};
static const char checkpoint_about[] =
    "Sign a statement of the store id, the last entry's number and hash, and the\n"
    "time, into FILE and FILE.minisig (minisign format). Keep checkpoints off this\n"
    "host, with the supervisor.\n";

/* --- log ------------------------------------------------------------- */

struct log_ctx {
	struct store *st;
	bool json;
	bool ndjson; /* with json: one entry a line, no enclosing document */
	long n;
	struct buf b;
	struct diag *d;
};

static int add_ref_json(void *ctx, const char *ref)
{
	struct log_ctx *x = ctx;
	int rc = 0;

	if (x->b.data[x->b.len - 1] != '[')
		rc |= buf_addc(&x->b, ',');
	rc |= jsonw_string(&x->b, ref, strlen(ref));
	return rc ? -1 : 0;
}

struct refs_text {
	long n;
	char first[80];
};

static int add_ref_text(void *ctx, const char *ref)
{
	struct refs_text *r = ctx;

	if (r->n++ == 0)
		(void)snprintf(r->first, sizeof(r->first), "%s", ref);
	return 0;
}

/* The details as a JSON value when they parse as an object, else as a string. */
static int put_details(struct buf *b, const char *details, size_t len)
{
	struct jdoc_error e;
	struct jdoc *doc = jdoc_parse(details, len, &e);
	bool object = doc && jv_kind(jdoc_root(doc)) == JV_OBJECT;

	jdoc_free(doc);
	return object ? buf_add(b, details, len) : jsonw_string(b, details, len);
}

/*
 * One entry as a JSON object on a line of its own into x->b, then to standard
 * output: an item of the document ("items", after a comma from the second on),
 * or with ndjson a line by itself.
 */
static int entry_json(struct log_ctx *x, const struct audit_entry *e, const char *t)
{
	bool first = true;
	char hex[HASH_HEX];
	int rc = 0;

	buf_reset(&x->b);
	if (!x->ndjson)
		rc |= buf_adds(&x->b, x->n > 1 ? ",\n" : "\n");
	rc |= buf_addc(&x->b, '{');
	rc |= jsonw_key_int(&x->b, &first, "seq", (long long)e->seq);
	rc |= jsonw_key_str(&x->b, &first, "at", t);
	rc |= jsonw_key_str(&x->b, &first, "operator", e->operator_name);
	rc |= jsonw_key_str(&x->b, &first, "action", e->action);
	rc |= jsonw_key(&x->b, &first, "category");
	rc |= buf_addf(&x->b, "\"%s\"", audit_category(e->action));
	rc |= jsonw_key_str(&x->b, &first, "reason", e->reason);
	rc |= jsonw_key(&x->b, &first, "refs");
	rc |= buf_addc(&x->b, '[');
	if (rc == 0 && store_audit_each_ref(x->st, e->seq, add_ref_json, x, x->d) != 0)
		return -1;
	rc |= buf_addc(&x->b, ']');
	rc |= jsonw_key(&x->b, &first, "details");
	rc |= put_details(&x->b, e->details, e->details_len);
	rc |= jsonw_key(&x->b, &first, "hash");
	hash_hex(hex, e->hash);
	rc |= jsonw_string(&x->b, hex, strlen(hex));
	rc |= buf_adds(&x->b, x->ndjson ? "}\n" : "}");
	if (rc) {
		diag_set(x->d, EX_SOFTWARE, "out of memory");
		return -1;
	}
	fwrite(x->b.data, 1, x->b.len, stdout);
	return 0;
}

/* One entry as table rows, the heading before the first; untrusted text made safe. */
static int entry_text(struct log_ctx *x, const struct audit_entry *e)
{
	struct refs_text r = {0, ""};
	char lt[TIME_LOCAL_MAX];
	size_t oplen = strlen(e->operator_name);

	if (store_audit_each_ref(x->st, e->seq, add_ref_text, &r, x->d) != 0)
		return -1;
	time_format_local(e->at, lt);
	if (x->n == 1)
		printf("%-6s %-20s %-14s %-16s %-14s %s\n", "SEQ", "TIME", "OPERATOR", "ACTION",
		       "KIND", "REFS");
	printf("%-6lld %-20s ", (long long)e->seq, lt);
	cli_put_safe(stdout, e->operator_name, oplen, NULL);
	printf("%*s %-16s %-14s ", (int)(14 - (oplen < 14 ? oplen : 14)), "", e->action,
	       audit_category(e->action));
	if (r.n == 0)
		printf("-");
	else
		cli_put_safe(stdout, r.first, strlen(r.first), NULL);
	if (r.n > 1)
		printf(" (+%ld more)", r.n - 1);
	putchar('\n');
	if (e->reason) {
		fputs("       reason: ", stdout);
		cli_put_safe(stdout, e->reason, strlen(e->reason), "       ");
		putchar('\n');
	}
	fputs("       ", stdout);
	cli_put_safe(stdout, e->details, e->details_len, "       ");
	putchar('\n');
	return 0;
}

static int on_entry(void *ctx, const struct audit_entry *e)
{
	struct log_ctx *x = ctx;
	char t[40];

	time_format(e->at, t);
	x->n++;
	if ((x->json ? entry_json(x, e, t) : entry_text(x, e)) < 0)
		return -1;
	if (ferror(stdout)) {
		diag_set(x->d, EX_IOERR, "standard output: write error");
		return -1;
	}
	return 0;
}

static int do_log(struct cli *cli)
{
	struct store_audit_query q;
	const char *format = cli_str(cli, "format");
	struct log_ctx x;
	struct diag d;

	memset(&q, 0, sizeof(q));
	memset(&x, 0, sizeof(x));
	q.has_since = cli_flag(cli, "since");
	q.since = cli_time(cli, "since", 0);
	q.action = cli_str(cli, "action");
	q.operator_name = cli_str(cli, "operator");
	q.ref = cli_str(cli, "ref");
	x.ndjson = format && strcmp(format, "ndjson") == 0;
	x.json = x.ndjson || (format && strcmp(format, "json") == 0);
	buf_init(&x.b);
	x.st = cli->st;
	x.d = &d;
	diag_clear(&d);
	if (x.json && !x.ndjson)
		fputs("{\"items\":[", stdout);
	/* Reading the trail is a consultation too: recorded in the same transaction. */
	if (store_audit_each(cli->st, &q, on_entry, &x, &d) != 0 ||
	    (q.ref && store_audit_ref(cli->st, q.ref, &d) < 0)) {
		buf_release(&x.b);
		return cli_report(&d);
	}
	buf_release(&x.b);
	if (x.json && !x.ndjson)
		fputs(x.n ? "\n]}\n" : "]}\n", stdout);
	if (q.has_since)
		cli_details_time(&cli->details, "since", q.since);
	cli_details_str(&cli->details, "action", q.action);
	cli_details_str(&cli->details, "operator", q.operator_name);
	cli_details_int(&cli->details, "entries", x.n);
	if (!x.json && x.n == 0)
		cli_note(cli, "no entries match");
	return EX_OK;
}

/* --- verify ---------------------------------------------------------- */

/* Read, check the signature of, and parse the checkpoint at path. Returns an exit code. */
static int load_checkpoint(const struct cli *cli, const char *path, const char *pub,
                           struct audit_checkpoint *cp, char **tc)
{
	struct sign_pubkey key;
	unsigned char h[HASH_BYTES];
	char text[1024], why[200];
	struct buf sig;
	struct diag d;
	ssize_t n;
	int fd, rc;

	diag_clear(&d);
	if (sign_pubkey_load(pub, &key, &d) < 0)
		return cli_report(&d);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return cli_fail(cli, EX_NOINPUT, "%s: cannot open: %s", path, strerror(errno));
	}
	buf_init(&sig);
	if (buf_addf(&sig, "%s.minisig", path) < 0) {
		(void)close(fd);
		return cli_fail(cli, EX_SOFTWARE, "out of memory");
	}
	rc = sign_verify_fd(&key, fd, path, sig.data, tc, h, &d);
	buf_release(&sig);
	if (rc < 0) {
		(void)close(fd);
		return cli_report(&d);
	}
	n = read(fd, text, sizeof(text));
	(void)close(fd);
	if (n < 0 || (size_t)n == sizeof(text) ||
	    audit_checkpoint_parse(text, (size_t)n, cp, why, sizeof(why)) < 0) {
		return cli_fail(cli, EX_DATAERR, "%s: not a valid checkpoint: %s", path,
		                n < 0                       ? strerror(errno)
		                : (size_t)n == sizeof(text) ? "too long"
		                                            : why);
	}
	return EX_OK;
}

/* The checkpoint named is of this store; EX_OK or an exit code after a message. */
static int same_store(struct cli *cli, const struct audit_checkpoint *cp)
{
	struct diag d;
	char id[33];

	diag_clear(&d);
	if (store_id(cli->st, id, &d) < 0)
		return cli_report(&d);
	if (strcmp(id, cp->store_id) != 0)
		return cli_fail(cli, EX_DATAERR,
		                "%s: the checkpoint is of another store (%s, not %s)", cli->db_path,
		                cp->store_id, id);
	return EX_OK;
}

/*
 * Consultation entries spooled while a writer was busy: said, and checked in
 * full. Lines that are no entry a reader writes break nothing yet, but the
 * next write records them as damaged: verify fails (65) while they wait.
 */
static int spooled(struct cli *cli)
{
	long n, damaged, entries;
	char *path = NULL;
	struct diag d;
	int rc = EX_OK;

	diag_clear(&d);
	if (store_spool_count(cli->st, &n, &damaged, &path, &d) < 0) {
		rt_free(path);
		return cli_report(&d);
	}
	entries = n - damaged;
	if (entries)
		cli_print(
		    stdout,
		    "spooled: %ld consultation entr%s in %s wait for the next write to enter the "
		    "chain\n",
		    entries, entries == 1 ? "y" : "ies", path);
	if (damaged) {
		cli_print(
		    stdout,
		    "spooled: %ld line%s of the spool %s not an entry a reader writes; the next "
		    "write records %s as damaged\n",
		    damaged, damaged == 1 ? "" : "s", damaged == 1 ? "is" : "are",
		    damaged == 1 ? "it" : "them");
		rc = cli_fail(cli, EX_DATAERR,
		              "%s: the audit spool holds %ld damaged or untrusted line%s "
		              "(docs/security.md)",
		              path, damaged, damaged == 1 ? "" : "s");
	}
	rt_free(path);
	return rc;
}

static int do_verify(struct cli *cli)
{
	const char *cp_path = cli_str(cli, "checkpoint"), *pub = cli_str(cli, "pubkey");
	struct audit_checkpoint cp;
	struct cli_chain x;
	struct diag d;
	int64_t head_seq;
	unsigned char head[HASH_BYTES];
	char hex[HASH_HEX], *tc = NULL;
	int rc;

	if (!cp_path != !pub)
		return cli_usage_error(cli, "--checkpoint FILE and --pubkey PUB go together");
	if (cp_path) {
		rc = load_checkpoint(cli, cp_path, pub, &cp, &tc);
		rt_free(tc);
		if (rc != EX_OK || (rc = same_store(cli, &cp)) != EX_OK)
			return rc;
	}
	diag_clear(&d);
	if (cli_walk_chain(cli->st, cp_path ? &cp : NULL, cli, &x, &d) < 0)
		return cli_report(&d);
	if (x.broken)
		return cli_fail(cli, EX_DATAERR, "%s: BROKEN: %s", cli->db_path, x.why);
	if (store_audit_head(cli->st, &head_seq, head, &d) < 0)
		return cli_report(&d);
	hash_hex(hex, head);
	printf("intact: %lld entries, the last %lld with hash %s\n", (long long)x.v.checked,
	       (long long)head_seq, hex);
	if (cp_path)
		printf("the chain passes through the signed checkpoint at entry %lld\n",
		       (long long)cp.seq);
	return spooled(cli);
}

/* --- checkpoint ------------------------------------------------------ */

/* The statement of the head, after the checkpoint's own entry, so that it vouches for it too. */
static int state_head(struct cli *cli, const char *keyid, struct audit_checkpoint *cp,
                      struct buf *text)
{
	struct diag d;

	memset(cp, 0, sizeof(*cp));
	diag_clear(&d);
	cli_details_str(&cli->details, "file", cli_str(cli, "output"));
	cli_details_str(&cli->details, "key", keyid);
	if (store_id(cli->st, cp->store_id, &d) < 0 ||
	    cli_audit(cli, cli->st, "audit checkpoint", &cli->details, &d) < 0 ||
	    store_audit_head(cli->st, &cp->seq, cp->head, &d) < 0)
		return cli_report(&d);
	cli->audited = true; /* the dispatcher only commits */
	cp->at = time_now();
	if (audit_checkpoint_format(cp, text) < 0)
		return cli_fail(cli, EX_SOFTWARE, "out of memory");
	return EX_OK;
}

static int do_checkpoint(struct cli *cli)
{
	struct cli_passphrase_src src = {cli_str(cli, "passphrase-file"), cli_str(cli, "key")};
	const char *output = cli_str(cli, "output");
	struct sign_seckey *key = NULL;
	struct audit_checkpoint cp;
	struct buf text, sig, tc;
	struct diag d;
	char keyid[SIGN_KEYID_LEN], t[40];
	int rc;

	if (!src.key || !output || strcmp(output, "-") == 0)
		return cli_usage_error(cli, "name the secret key (--key) and the file (--output)");
	diag_clear(&d);
	buf_init(&text);
	buf_init(&sig);
	buf_init(&tc);
	if (sign_seckey_load(src.key, cli_passphrase, &src, &key, &d) < 0)
		return cli_report(&d);
	sign_seckey_keyid(key, keyid);
	rc = state_head(cli, keyid, &cp, &text);
	time_format(cp.at, t);
	if (rc == EX_OK && (buf_addf(&sig, "%s.minisig", output) < 0 ||
	                    buf_addf(&tc, "reftriage checkpoint\tstore:%s\tseq:%lld\ttime:%s",
	                             cp.store_id, (long long)cp.seq, t) < 0))
		rc = cli_fail(cli, EX_SOFTWARE, "out of memory");
	/* The statement, then its signature, then the commit: no checkpoint of an unrecorded head.
	 */
	if (rc == EX_OK && (pfile_write(&cli->output, text.data, text.len, &d) < 0 ||
	                    pfile_sync(&cli->output, &d) < 0 ||
	                    sign_fd(key, pfile_fd(&cli->output), sig.data, tc.data, &d) < 0))
		rc = cli_report(&d);
	else if (rc == EX_OK && buf_adds(&cli->also_written, sig.data) < 0)
		rc = cli_fail(cli, EX_SOFTWARE, "out of memory");
	/* The statement goes to the file only: standard output stays for a pipe's data. */
	if (rc == EX_OK) {
		cli_note(cli,
		         "entry %lld signed with key %s into %s and %s; keep them off this host",
		         (long long)cp.seq, keyid, output, sig.data);
	}
	sign_seckey_free(key);
	buf_release(&text);
	buf_release(&sig);
	buf_release(&tc);
	return rc;
}

const struct cli_cmd audit_subs[] = {
    {"log", do_log, log_opts, log_about, CLI_STORE | CLI_READ, "the entries, oldest first", NULL, 0,
     0, NULL, NULL},
    {"verify", do_verify, verify_opts, verify_about, CLI_STORE,
     "check the hash chain (and a signed checkpoint)", NULL, 0, 0, NULL, NULL},
    {"checkpoint", do_checkpoint, checkpoint_opts, checkpoint_about,
     CLI_STORE | CLI_TXN | CLI_OUTPUT | CLI_OUTPUT_NEW, "sign the chain's head into a file", NULL,
     0, 0, NULL, NULL},
    CLI_CMD_END,
};
