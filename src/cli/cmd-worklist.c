/* reftriage worklist: the ranked list of open packages. */
#include "reftriage/cli.h"

#include "reftriage/alloc.h"
#include "reftriage/report.h"
#include "reftriage/score.h"
#include "reftriage/timeutil.h"

#include <getopt.h>
#include <sys/ioctl.h>
#include <unistd.h>

static const char usage[] =
    "usage: reftriage [--db PATH] worklist [OPTIONS]\n\n"
    "The open packages ranked as rules.md says: priority, then score (highest\n"
    "first), then received_at (oldest first), then package_ref. Reads the stored\n"
    "scores; the header (and the JSON's as_of) says when they were computed (run\n"
    "'reftriage score' to bring them up to date).\n\n"
    "Filters (they combine):\n"
    "  --priority P1,P2       these priorities only\n"
    "  --status S,...         new, assigned and/or in_progress\n"
    "  --force-area NAME      packages owned by this force area\n"
    "  --assigned-to NAME     packages assigned to NAME\n"
    "  --since DATE           received on or after DATE (or an RFC 3339 time)\n"
    "  --limit N              the first N\n\n"
    "Output:\n"
    "  --format table|csv|json|ndjson|html   table is the default on a terminal,\n"
    "                         csv otherwise; the table fits $COLUMNS or the terminal;\n"
    "                         html is the printable daily list (A4, marked\n"
    "                         OFFICIAL-SENSITIVE on every page)\n"
    "  --output FILE          write FILE (mode 0600) atomically instead of stdout;\n"
    "                         recorded in the audit trail as a disclosure\n"
    "  --recipient NAME       who the file is for (recorded with the disclosure)\n"
    "  --sign SECKEY          also write FILE.minisig, signed with the minisign\n"
    "                         secret key SECKEY ('minisign -Vm FILE -p PUB' checks it)\n"
    "  --passphrase-file F    the key's passphrase, from a private file (default: asked\n"
    "                         on the terminal)\n"
    "Colour is used only when stdout is a terminal and NO_COLOR is not set.\n";

struct wl_ctx {
	struct store *st;
	struct diag *d;
	struct report rep;
	const struct ruleset *rs;
	const struct rule **fired;
	struct buf reasons;
	long rank;
	int err;
};

static int on_row(void *ctx, const struct store_worklist_row *r)
{
	struct wl_ctx *x = ctx;
	struct report_item it;
	const char *p = r->fired;

	/* Each ref listed is named in the consultation's audit entry. */
	if (store_audit_ref(x->st, r->ref, x->d) < 0)
		return -1;
	memset(&it, 0, sizeof(it));
	it.rank = ++x->rank;
	it.ref = r->ref;
	it.priority = r->priority >= 0 && (size_t)r->priority < x->rs->nbands
	                  ? x->rs->bands[r->priority].priority
	                  : "?";
	it.score = r->score;
	it.received_at = r->received_at;
	it.due_at = r->due_at;
	it.overdue = r->overdue;
	it.status = r->status;
	it.assigned_to = r->assigned_to;
	it.force_area = r->force_area;
	it.referral_type = r->referral_type;
	it.reasons = r->fired;
	it.priority_index = r->priority;
	it.updated = r->updated;
	it.fired = x->fired;
	/* The explanation: each fired rule id, looked up in the rule set that scored it. */
	while (p && *p && it.nfired < x->rs->nrules) {
		const char *end = strchr(p, ';');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		const struct rule *ru;

		buf_reset(&x->reasons);
		if (buf_add(&x->reasons, p, n) < 0)
			return -1;
		ru = ruleset_rule(x->rs, x->reasons.data);
		if (ru)
			x->fired[it.nfired++] = ru;
		p = end ? end + 1 : NULL;
	}
	if (x->rep.w->item(&x->rep, &it) < 0) {
		x->err = EX_IOERR;
		return -1;
	}
	return 0;
}

/* Split a comma-separated list into words; -1 when there are more than max. */
static int split(char *s, const char **words, size_t max, size_t *n)
{
	char *p = s;

	*n = 0;
	while (p) {
		char *comma = strchr(p, ',');

		if (comma)
			*comma = '\0';
		if (*n == max)
			return -1;
		words[(*n)++] = p;
		p = comma ? comma + 1 : NULL;
	}
	return 0;
}

/* The table's width: $COLUMNS, else the terminal's, else 100. */
static int table_width(void)
{
	const char *env = getenv("COLUMNS");
	struct winsize ws;
	long v;

	if (env && *env) {
		v = strtol(env, NULL, 10);
		if (v >= 20 && v <= 1000)
			return (int)v;
	}
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
		return ws.ws_col;
	return 100;
}

/* Write to a temporary file beside FILE, renamed into place when complete. */
static FILE *open_output(const char *path, char **tmp)
{
	size_t n = strlen(path);
	FILE *f;
	int fd;

	*tmp = rt_malloc(n + 16);
	if (!*tmp) {
		errno = ENOMEM;
		return NULL;
	}
	memcpy(*tmp, path, n);
	memcpy(*tmp + n, ".tmp-XXXXXX", 12);
	fd = mkstemp(*tmp);
	if (fd < 0) {
		rt_free(*tmp);
		*tmp = NULL;
		return NULL;
	}
	f = fdopen(fd, "w");
	if (!f) {
		(void)close(fd);
		(void)unlink(*tmp);
		rt_free(*tmp);
		*tmp = NULL;
	}
	return f;
}

int cmd_worklist(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"format", required_argument, NULL, 'f'},
	    {"limit", required_argument, NULL, 'l'},
	    {"output", required_argument, NULL, 'o'},
	    {"priority", required_argument, NULL, 'p'},
	    {"status", required_argument, NULL, 's'},
	    {"force-area", required_argument, NULL, 'a'},
	    {"assigned-to", required_argument, NULL, 't'},
	    {"since", required_argument, NULL, 'S'},
	    {"sign", required_argument, NULL, 'k'},
	    {"passphrase-file", required_argument, NULL, 'P'},
	    {"recipient", required_argument, NULL, 'r'},
	    {NULL, 0, NULL, 0},
	};
	struct cli_passphrase_src src = {NULL, NULL};
	struct sign_seckey *key = NULL;
	const char *key_path = NULL, *recipient = NULL;
	struct buf sig_path;
	bool signed_ok = false;
	unsigned char file_hash[HASH_BYTES];
	const struct report_writer *w = NULL;
	const char *prio_words[16];
	size_t nprio = 0, i;
	struct store_worklist_query q = {0};
	struct report_header h;
	struct store *st = NULL;
	struct ruleset *rs = NULL;
	struct wl_ctx x;
	struct diag d;
	const char *output = NULL;
	char *tmp = NULL;
	FILE *out = stdout;
	int64_t rule_set_id = 0;
	int c, rc;

	memset(&x, 0, sizeof(x));
	buf_init(&x.reasons);
	cli_getopt_start();
	while ((c = cli_getopt(cli, argc, argv, ":h", opts)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage, stdout);
			return EX_OK;
		case 'f':
			w = report_writer(cli_optarg);
			if (!w)
				return cli_usage_error(cli, "--format takes %s, not '%s'",
				                       report_formats(), cli_optarg);
			break;
		case 'l':
			if (cli_parse_uint(cli, "--limit", cli_optarg, LONG_MAX, &q.limit) < 0)
				return EX_USAGE;
			if (q.limit == 0)
				return cli_usage_error(cli, "--limit takes a number from 1");
			break;
		case 'o':
			output = cli_optarg;
			break;
		case 'p':
			if (split(cli_optarg, prio_words, ARRAY_SIZE(prio_words), &nprio) < 0)
				return cli_usage_error(cli, "--priority takes at most %zu names",
				                       ARRAY_SIZE(prio_words));
			break;
		case 's':
			if (split(cli_optarg, q.statuses, ARRAY_SIZE(q.statuses), &q.nstatuses) < 0)
				return cli_usage_error(
				    cli, "--status takes new, assigned and in_progress");
			for (i = 0; i < q.nstatuses; i++)
				if (strcmp(q.statuses[i], "new") &&
				    strcmp(q.statuses[i], "assigned") &&
				    strcmp(q.statuses[i], "in_progress"))
					return cli_usage_error(
					    cli,
					    "--status '%s': the worklist holds open packages "
					    "only (new, assigned, in_progress)",
					    q.statuses[i]);
			break;
		case 'a':
			q.force_area = cli_optarg;
			break;
		case 't':
			q.assigned_to = cli_optarg;
			break;
		case 'S':
			if (cli_parse_time(cli, "--since", cli_optarg, &q.since) != EX_OK)
				return EX_USAGE;
			q.has_since = true;
			break;
		case 'k':
			key_path = cli_optarg;
			break;
		case 'P':
			src.file = cli_optarg;
			break;
		case 'r':
			recipient = cli_optarg;
			break;
		default:
			return EX_USAGE;
		}
	}
	if (cli_no_operands(cli, argc, argv) != EX_OK)
		return EX_USAGE;
	if (key_path && !output)
		return cli_usage_error(cli, "--sign signs a file: name it with --output");
	if (recipient && !output)
		return cli_usage_error(cli, "--recipient goes with --output");
	buf_init(&sig_path);
	diag_clear(&d);
	if (key_path) {
		src.key = key_path;
		if (buf_addf(&sig_path, "%s.minisig", output) < 0) {
			fprintf(stderr, "reftriage: worklist: out of memory\n");
			return EX_SOFTWARE;
		}
		/* The key (and its passphrase) before anything else: no half-done export. */
		if (sign_seckey_load(key_path, cli_passphrase, &src, &key, &d) < 0) {
			buf_release(&sig_path);
			return cli_report(&d);
		}
	}
	rc = cli_open_store(cli, 5000, &st);
	if (rc != EX_OK)
		goto out;
	memset(&h, 0, sizeof(h));
	x.st = st;
	x.d = &d;
	/* A consultation is recorded: the write lock first, the entry with the reading. */
	if (store_begin(st, &d) < 0) {
		rc = cli_report(&d);
		goto out;
	}
	rc = store_get_scored(st, &h.as_of, &rule_set_id, &d);
	if (rc < 0) {
		rc = cli_report(&d);
		goto out;
	}
	h.scored = rc == 0;
	/* Explain with the rule set the scores were computed with, or the active one. */
	if (score_load_rules(st, h.scored ? rule_set_id : 0, &rs, &rule_set_id, &d) < 0) {
		rc = cli_report(&d);
		goto out;
	}
	/* Priority names are the rule set's band names. */
	for (i = 0; i < nprio; i++) {
		int b = ruleset_band(rs, prio_words[i]);

		if (b < 0) {
			rc = cli_usage_error(
			    cli, "--priority '%s' is not a priority of the rules in use",
			    prio_words[i]);
			goto out;
		}
		q.priorities[q.npriorities++] = b;
	}
	if (!w)
		w = report_writer(!output && isatty(STDOUT_FILENO) ? "table" : "csv");
	if (w == &report_table && store_worklist_count(st, &q, &h.count, &d) < 0) {
		rc = cli_report(&d);
		goto out;
	}
	if (q.limit > 0 && h.count > q.limit)
		h.count = q.limit;
	h.rules_hash = rs->hash;
	h.rules_name = rs->name;
	h.rules_version = rs->version;
	h.generated_at = time_now();
	h.operator_name = cli->operator_name;
	x.rs = rs;
	x.fired = rt_calloc(rs->nrules ? rs->nrules : 1, sizeof(*x.fired));
	if (!x.fired) {
		fprintf(stderr, "reftriage: worklist: out of memory\n");
		rc = EX_SOFTWARE;
		goto out;
	}
	if (output) {
		out = open_output(output, &tmp);
		if (!out) {
			rc = errno == ENOMEM ? EX_SOFTWARE : EX_CANTCREAT;
			fprintf(stderr, "reftriage: %s: %s: %s\n", output,
			        rc == EX_SOFTWARE ? "out of memory" : "cannot create",
			        strerror(errno));
			goto out;
		}
	}
	report_init(&x.rep, out, w, rs);
	x.rep.width = table_width();
	x.rep.colour =
	    !output && isatty(STDOUT_FILENO) && !(getenv("NO_COLOR") && *getenv("NO_COLOR"));
	rc = EX_OK;
	/*
	 * A writer fails for want of memory or for a write error; the stream's
	 * error flag tells which, so a full disk is 74 and memory 70.
	 */
	if (w->begin(&x.rep, &h) < 0) {
		rc = EX_IOERR;
	} else if (store_worklist(st, &q, on_row, &x, &d) < 0) {
		rc = x.err ? x.err : d.message[0] ? cli_report(&d) : EX_SOFTWARE;
	} else if (w->end(&x.rep) < 0) {
		rc = EX_IOERR;
	}
	if (rc == EX_IOERR && !ferror(out)) {
		fprintf(stderr, "reftriage: worklist: out of memory\n");
		rc = EX_SOFTWARE;
	}
	report_release(&x.rep);
	if (output) {
		if (rc == EX_OK && (fflush(out) != 0 || fsync(fileno(out)) != 0 ||
		                    hash_fd(fileno(out), file_hash) != 0))
			rc = EX_IOERR;
		if (rc == EX_OK && key) {
			char tc[SIGN_COMMENT_MAX / 2], t[40];
			const char *base = strrchr(output, '/');
			size_t k;

			time_format(time_now(), t);
			(void)snprintf(tc, sizeof(tc),
			               "timestamp:%lld\tfile:%s\thashed\treftriage worklist %s",
			               (long long)(time_now() / 1000000), base ? base + 1 : output,
			               t);
			for (k = 0; tc[k]; k++)
				if ((unsigned char)tc[k] < 0x20 && tc[k] != '\t')
					tc[k] = '?';
			if (sign_fd(key, fileno(out), sig_path.data, tc, &d) < 0)
				rc = cli_report(&d);
			else
				signed_ok = true;
		}
		if (fclose(out) != 0 && rc == EX_OK)
			rc = EX_IOERR;
		if (rc == EX_IOERR)
			fprintf(stderr, "reftriage: %s: write error: %s\n", output,
			        strerror(errno));
		/* Renamed into place only once its disclosure is recorded (below). */
	} else if (rc == EX_IOERR) {
		fprintf(stderr, "reftriage: standard output: write error: %s\n", strerror(errno));
	}
	/* The list first, then the summary, when both go to one terminal. */
	if (rc == EX_OK && !output && fflush(stdout) != 0)
		rc = EX_IOERR;
	if (rc == EX_OK) {
		struct cli_details det;

		cli_details_init(&det);
		cli_details_str(&det, "format", w->name);
		cli_details_int(&det, "rows", x.rank);
		cli_details_time(&det, "as_of", h.as_of);
		if (nprio || q.nstatuses || q.force_area || q.assigned_to || q.has_since || q.limit)
			cli_details_bool(&det, "filtered", true);
		cli_details_str(&det, "force_area", q.force_area);
		cli_details_str(&det, "assigned_to", q.assigned_to);
		if (q.limit)
			cli_details_int(&det, "limit", q.limit);
		if (output) {
			cli_details_str(&det, "output", output);
			cli_details_hash(&det, "output_hash", file_hash);
			cli_details_str(&det, "recipient", recipient ? recipient : "unspecified");
			if (signed_ok) {
				char keyid[SIGN_KEYID_LEN];

				sign_seckey_keyid(key, keyid);
				cli_details_str(&det, "signed_by", keyid);
			}
		}
		/* A file written is a disclosure; a list on the screen is a consultation. */
		rc = cli_audit_commit(cli, st, output ? "export" : "worklist", &det);
		/*
		 * The file appears only after its entry is committed: a crash in between
		 * leaves a recorded disclosure without a file, never a file unrecorded.
		 */
		if (rc == EX_OK && output && rename(tmp, output) != 0) {
			fprintf(stderr, "reftriage: %s: cannot create: %s\n", output,
			        strerror(errno));
			rc = EX_CANTCREAT;
		}
	}
	if (rc != EX_OK && output && tmp) {
		(void)unlink(tmp);
		if (signed_ok)
			(void)unlink(sig_path.data);
	}
	if (rc == EX_OK)
		fprintf(stderr, "reftriage: worklist: %ld open package%s%s%s\n", x.rank,
		        x.rank == 1 ? "" : "s", output ? " written to " : "", output ? output : "");
out:
	if (st)
		store_rollback(st);
	sign_seckey_free(key);
	buf_release(&sig_path);
	rt_free(tmp);
	rt_free(x.fired);
	buf_release(&x.reasons);
	ruleset_free(rs);
	store_close(st);
	return rc;
}
