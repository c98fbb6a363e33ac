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
#include <getopt.h>
#include <unistd.h>

static const char usage[] =
    "usage: reftriage [--db PATH] audit log [--since TIME] [--action A] [--operator NAME]\n"
    "                                       [--ref REF] [--format table|json]\n"
    "       reftriage [--db PATH] audit verify [--checkpoint FILE --pubkey PUB]\n"
    "       reftriage [--db PATH] audit checkpoint --key SECKEY --output FILE\n"
    "                                       [--passphrase-file F]\n\n"
    "The audit trail records every collection (import), alteration (status, assign,\n"
    "rules install, score), consultation (worklist, show, stats, quarantine, audit\n"
    "log), disclosure (worklist --output), combination (linking) and erasure (purge):\n"
    "when, who (--operator), why (--reason), and which package refs; never content.\n"
    "Its entries form a BLAKE2b hash chain.\n\n"
    "  log         the entries, oldest first; filters combine. Reading the log is\n"
    "              itself recorded.\n"
    "  verify      check the chain: exit 0 when intact, 65 naming the first broken\n"
    "              entry. With --checkpoint FILE --pubkey PUB, also check the signed\n"
    "              checkpoint FILE (and FILE.minisig) and that the chain still passes\n"
    "              through it: this catches a trail cut short or rewritten whole.\n"
    "  checkpoint  sign a statement of the store id, the last entry's number and\n"
    "              hash, and the time, into FILE and FILE.minisig (minisign format).\n"
    "              Keep checkpoints off this host, with the supervisor.\n";

/* --- log ------------------------------------------------------------- */

struct log_ctx {
	struct store *st;
	bool json;
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

static int on_entry(void *ctx, const struct audit_entry *e)
{
	struct log_ctx *x = ctx;
	char t[40];
	int rc = 0;

	time_format(e->at, t);
	x->n++;
	if (x->json) {
		bool first = true;
		char hex[HASH_HEX];

		buf_reset(&x->b);
		rc |= buf_addc(&x->b, '{');
		rc |= jsonw_key(&x->b, &first, "seq");
		rc |= buf_addf(&x->b, "%lld", (long long)e->seq);
		rc |= jsonw_key(&x->b, &first, "at");
		rc |= jsonw_string(&x->b, t, strlen(t));
		rc |= jsonw_key(&x->b, &first, "operator");
		rc |= jsonw_string(&x->b, e->operator_name, strlen(e->operator_name));
		rc |= jsonw_key(&x->b, &first, "action");
		rc |= jsonw_string(&x->b, e->action, strlen(e->action));
		rc |= jsonw_key(&x->b, &first, "category");
		rc |= buf_addf(&x->b, "\"%s\"", audit_category(e->action));
		rc |= jsonw_key(&x->b, &first, "reason");
		rc |= e->reason ? jsonw_string(&x->b, e->reason, strlen(e->reason))
		                : buf_adds(&x->b, "null");
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
		rc |= buf_adds(&x->b, "}\n");
		if (rc) {
			diag_set(x->d, EX_SOFTWARE, "out of memory");
			return -1;
		}
		fwrite(x->b.data, 1, x->b.len, stdout);
	} else {
		struct refs_text r = {0, ""};

		if (store_audit_each_ref(x->st, e->seq, add_ref_text, &r, x->d) != 0)
			return -1;
		if (x->n == 1)
			printf("%-6s %-20s %-14s %-16s %-14s %s\n", "SEQ", "TIME (UTC)", "OPERATOR",
			       "ACTION", "KIND", "REFS");
		printf("%-6lld %.19sZ ", (long long)e->seq, t);
		cli_put_safe(stdout, e->operator_name, strlen(e->operator_name), NULL);
		printf("%*s %-16s %-14s ",
		       (int)(14 - (strlen(e->operator_name) < 14 ? strlen(e->operator_name) : 14)),
		       "", e->action, audit_category(e->action));
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
	}
	if (ferror(stdout)) {
		diag_set(x->d, EX_IOERR, "standard output: write error");
		return -1;
	}
	return 0;
}

static int do_log(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"since", required_argument, NULL, 's'},
	    {"action", required_argument, NULL, 'a'},
	    {"operator", required_argument, NULL, 'o'},
	    {"ref", required_argument, NULL, 'r'},
	    {"format", required_argument, NULL, 'f'},
	    {"wait", required_argument, NULL, 'w'},
	    {NULL, 0, NULL, 0},
	};
	struct store_audit_query q;
	struct cli_details det;
	struct log_ctx x;
	struct store *st;
	struct diag d;
	long wait_s = 5;
	int c, rc;

	memset(&q, 0, sizeof(q));
	memset(&x, 0, sizeof(x));
	cli_getopt_start();
	while ((c = cli_getopt(cli, argc, argv, ":", opts)) != -1) {
		switch (c) {
		case 's':
			if (cli_parse_time(cli, "--since", cli_optarg, &q.since) != EX_OK)
				return EX_USAGE;
			q.has_since = true;
			break;
		case 'a':
			q.action = cli_optarg;
			break;
		case 'o':
			q.operator_name = cli_optarg;
			break;
		case 'r':
			q.ref = cli_optarg;
			break;
		case 'f':
			if (strcmp(cli_optarg, "json") == 0)
				x.json = true;
			else if (strcmp(cli_optarg, "table") != 0)
				return cli_usage_error(
				    cli, "--format takes table or json, not '%s'", cli_optarg);
			break;
		case 'w':
			if (cli_parse_wait(cli, cli_optarg, &wait_s) < 0)
				return EX_USAGE;
			break;
		default:
			return EX_USAGE;
		}
	}
	if (cli_no_operands(cli, argc, argv) != EX_OK)
		return EX_USAGE;
	rc = cli_open_store(cli, (int)wait_s * 1000, &st);
	if (rc != EX_OK)
		return rc;
	buf_init(&x.b);
	x.st = st;
	x.d = &d;
	diag_clear(&d);
	/* Reading the trail is a consultation too: recorded in the same transaction. */
	if (store_begin(st, &d) < 0 || store_audit_each(st, &q, on_entry, &x, &d) != 0) {
		store_rollback(st);
		rc = cli_report(&d);
		goto out;
	}
	if (q.ref && store_audit_ref(st, q.ref, &d) < 0) {
		store_rollback(st);
		rc = cli_report(&d);
		goto out;
	}
	cli_details_init(&det);
	if (q.has_since)
		cli_details_time(&det, "since", q.since);
	cli_details_str(&det, "action", q.action);
	cli_details_str(&det, "operator", q.operator_name);
	cli_details_int(&det, "entries", x.n);
	rc = cli_audit_commit(cli, st, "audit log", &det);
	if (rc == EX_OK && !x.json && x.n == 0)
		fprintf(stderr, "reftriage: audit log: no entries match\n");
out:
	buf_release(&x.b);
	store_close(st);
	return rc;
}

/* --- verify ---------------------------------------------------------- */

struct verify_ctx {
	struct store *st;
	struct audit_verifier v;
	struct diag *d;
	char why[400];
	bool broken;
	/* A checkpoint to pass through: its seq and head. */
	const struct audit_checkpoint *cp;
	bool cp_seen;
};

static int on_verify(void *ctx, const struct audit_entry *e)
{
	struct verify_ctx *x = ctx;
	unsigned char refs[HASH_BYTES];
	int64_t n;

	if (store_audit_refs_hash(x->st, e->seq, &n, refs, x->d) < 0)
		return -1;
	if (audit_verify_entry(&x->v, e, n, refs, x->why, sizeof(x->why)) < 0) {
		x->broken = true;
		return 1;
	}
	if (x->cp && e->seq == x->cp->seq) {
		x->cp_seen = true;
		if (memcmp(e->hash, x->cp->head, HASH_BYTES) != 0) {
			char t[40];

			time_format(x->cp->at, t);
			(void)snprintf(
			    x->why, sizeof(x->why),
			    "entry %lld differs from the signed checkpoint of %s: the trail "
			    "was rewritten up to there",
			    (long long)e->seq, t);
			x->broken = true;
			return 1;
		}
	}
	return 0;
}

/* Read, check the signature of, and parse the checkpoint at path. Returns an exit code. */
static int load_checkpoint(const char *path, const char *pub, struct audit_checkpoint *cp,
                           char **tc)
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
		fprintf(stderr, "reftriage: %s: cannot open: %s\n", path, strerror(errno));
		return EX_NOINPUT;
	}
	buf_init(&sig);
	if (buf_addf(&sig, "%s.minisig", path) < 0) {
		(void)close(fd);
		fprintf(stderr, "reftriage: audit verify: out of memory\n");
		return EX_SOFTWARE;
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
		fprintf(stderr, "reftriage: %s: not a valid checkpoint: %s\n", path,
		        n < 0                       ? strerror(errno)
		        : (size_t)n == sizeof(text) ? "too long"
		                                    : why);
		return EX_DATAERR;
	}
	return EX_OK;
}

static int do_verify(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"checkpoint", required_argument, NULL, 'c'},
	    {"pubkey", required_argument, NULL, 'p'},
	    {NULL, 0, NULL, 0},
	};
	const char *cp_path = NULL, *pub = NULL;
	struct audit_checkpoint cp;
	struct verify_ctx x;
	struct store *st = NULL;
	struct diag d;
	int64_t stray, head_seq;
	unsigned char head[HASH_BYTES];
	char hex[HASH_HEX], id[33], *tc = NULL;
	int c, rc;

	cli_getopt_start();
	while ((c = cli_getopt(cli, argc, argv, ":", opts)) != -1) {
		if (c == 'c')
			cp_path = cli_optarg;
		else if (c == 'p')
			pub = cli_optarg;
		else
			return EX_USAGE;
	}
	if (cli_no_operands(cli, argc, argv) != EX_OK)
		return EX_USAGE;
	if (!cp_path != !pub)
		return cli_usage_error(cli, "--checkpoint FILE and --pubkey PUB go together");
	memset(&x, 0, sizeof(x));
	if (cp_path) {
		rc = load_checkpoint(cp_path, pub, &cp, &tc);
		rt_free(tc);
		if (rc != EX_OK)
			return rc;
		x.cp = &cp;
	}
	rc = cli_open_store(cli, 5000, &st);
	if (rc != EX_OK)
		return rc;
	diag_clear(&d);
	x.st = st;
	x.d = &d;
	audit_verifier_init(&x.v);
	if (x.cp) {
		if (store_id(st, id, &d) < 0) {
			rc = cli_report(&d);
			goto out;
		}
		if (strcmp(id, cp.store_id) != 0) {
			fprintf(
			    stderr,
			    "reftriage: audit verify: %s: the checkpoint is of another store (%s, "
			    "not %s)\n",
			    cli->db_path, cp.store_id, id);
			rc = EX_DATAERR;
			goto out;
		}
	}
	/* Verifying records nothing: it can run on a read-only copy of the store. */
	rc = store_audit_each(st, NULL, on_verify, &x, &d);
	if (rc < 0) {
		rc = cli_report(&d);
		goto out;
	}
	if (!x.broken) {
		if (store_audit_stray_refs(st, &stray, &d) < 0) {
			rc = cli_report(&d);
			goto out;
		}
		if (stray) {
			(void)snprintf(
			    x.why, sizeof(x.why),
			    "entry %lld: refs are stored for it but there is no such entry "
			    "(it was removed)",
			    (long long)stray);
			x.broken = true;
		}
	}
	if (!x.broken && x.cp && !x.cp_seen) {
		char t[40];

		time_format(cp.at, t);
		(void)snprintf(
		    x.why, sizeof(x.why),
		    "entry %lld is missing: the trail ends at entry %lld, but the signed "
		    "checkpoint of %s vouches for entry %lld (entries were removed from the "
		    "end)",
		    (long long)x.v.next_seq, (long long)x.v.next_seq - 1, t, (long long)cp.seq);
		x.broken = true;
	}
	if (x.broken) {
		fprintf(stderr, "reftriage: audit verify: %s: BROKEN: %s\n", cli->db_path, x.why);
		rc = EX_DATAERR;
		goto out;
	}
	if (store_audit_head(st, &head_seq, head, &d) < 0) {
		rc = cli_report(&d);
		goto out;
	}
	hash_hex(hex, head);
	printf("intact: %lld entries, the last %lld with hash %s\n", (long long)x.v.checked,
	       (long long)head_seq, hex);
	if (x.cp)
		printf("the chain passes through the signed checkpoint at entry %lld\n",
		       (long long)cp.seq);
	rc = EX_OK;
out:
	store_close(st);
	return rc;
}

/* --- checkpoint ------------------------------------------------------ */

static int do_checkpoint(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"key", required_argument, NULL, 'k'},
	    {"output", required_argument, NULL, 'o'},
	    {"passphrase-file", required_argument, NULL, 'p'},
	    {NULL, 0, NULL, 0},
	};
	struct cli_passphrase_src src = {NULL, NULL};
	const char *key_path = NULL, *output = NULL;
	struct sign_seckey *key = NULL;
	struct audit_checkpoint cp;
	struct cli_details det;
	struct store *st = NULL;
	struct buf text, sig, tc;
	struct diag d;
	char keyid[SIGN_KEYID_LEN], t[40];
	int c, fd = -1, rc;

	cli_getopt_start();
	while ((c = cli_getopt(cli, argc, argv, ":", opts)) != -1) {
		if (c == 'k')
			key_path = cli_optarg;
		else if (c == 'o')
			output = cli_optarg;
		else if (c == 'p')
			src.file = cli_optarg;
		else
			return EX_USAGE;
	}
	if (cli_no_operands(cli, argc, argv) != EX_OK)
		return EX_USAGE;
	if (!key_path || !output)
		return cli_usage_error(cli, "name the secret key (--key) and the file (--output)");
	src.key = key_path;
	diag_clear(&d);
	buf_init(&text);
	buf_init(&sig);
	buf_init(&tc);
	if (sign_seckey_load(key_path, cli_passphrase, &src, &key, &d) < 0)
		return cli_report(&d);
	sign_seckey_keyid(key, keyid);
	rc = cli_open_store(cli, 30000, &st);
	if (rc != EX_OK)
		goto out;
	memset(&cp, 0, sizeof(cp));
	/* The checkpoint's own entry first, so that the statement vouches for it too. */
	cli_details_init(&det);
	cli_details_str(&det, "file", output);
	cli_details_str(&det, "key", keyid);
	if (store_begin(st, &d) < 0 || store_id(st, cp.store_id, &d) < 0 ||
	    cli_audit(cli, st, "audit checkpoint", &det, &d) < 0 ||
	    store_audit_head(st, &cp.seq, cp.head, &d) < 0) {
		cli_details_release(&det);
		store_rollback(st);
		rc = cli_report(&d);
		goto out;
	}
	cli_details_release(&det);
	cp.at = time_now();
	time_format(cp.at, t);
	if (audit_checkpoint_format(&cp, &text) < 0 || buf_addf(&sig, "%s.minisig", output) < 0 ||
	    buf_addf(&tc, "reftriage checkpoint\tstore:%s\tseq:%lld\ttime:%s", cp.store_id,
	             (long long)cp.seq, t) < 0) {
		store_rollback(st);
		fprintf(stderr, "reftriage: audit checkpoint: out of memory\n");
		rc = EX_SOFTWARE;
		goto out;
	}
	/* The statement, then its signature, then the commit: no checkpoint of an unrecorded head.
	 */
	fd = open(output, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || write(fd, text.data, text.len) != (ssize_t)text.len || fsync(fd) != 0) {
		fprintf(stderr, "reftriage: %s: cannot write: %s\n", output, strerror(errno));
		store_rollback(st);
		rc = fd < 0 ? EX_CANTCREAT : EX_IOERR;
		if (fd >= 0)
			(void)unlink(output);
		goto out;
	}
	if (sign_fd(key, fd, sig.data, tc.data, &d) < 0 || store_commit(st, &d) < 0) {
		store_rollback(st);
		(void)unlink(output);
		(void)unlink(sig.data);
		rc = cli_report(&d);
		goto out;
	}
	printf("%s", text.data);
	fprintf(stderr,
	        "reftriage: audit checkpoint: entry %lld signed with key %s into %s and %s; keep "
	        "them off this host\n",
	        (long long)cp.seq, keyid, output, sig.data);
	rc = EX_OK;
out:
	if (fd >= 0)
		(void)close(fd);
	sign_seckey_free(key);
	buf_release(&text);
	buf_release(&sig);
	buf_release(&tc);
	store_close(st);
	return rc;
}

int cmd_audit(struct cli *cli, int argc, char **argv)
{
	static const struct cli_sub sub[] = {
	    {"log", do_log}, {"verify", do_verify}, {"checkpoint", do_checkpoint}};

	return cli_subcommand(cli, argc, argv, sub, ARRAY_SIZE(sub), usage,
	                      "log, verify or checkpoint");
}
