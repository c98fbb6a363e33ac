/* reftriage purge: erase the content of closed packages past retention. */
#include "reftriage/cli.h"

#include "reftriage/timeutil.h"

#include <getopt.h>

static const char usage[] =
    "usage: reftriage [--db PATH] [--reason TEXT] purge --closed-before DATE [--dry-run]\n\n"
    "Erase the content of every package that was closed (actioned, nfa or\n"
    "transferred) before DATE: all its versions' fields, its score, its linking\n"
    "keys, and the quarantined records that name it. Its ref, its versions'\n"
    "content hashes and its workflow history (who decided what, and why) stay, and\n"
    "each erasure is recorded in the audit trail. Freed pages are overwritten and\n"
    "the write-ahead log is emptied, so the content is not left in the file.\n\n"
    "  --closed-before DATE   a date (YYYY-MM-DD, midnight UTC) or an RFC 3339 time\n"
    "  --dry-run              list what would be erased (REF, closed at) and change\n"
    "                         nothing (the listing is recorded as a consultation)\n"
    "  --wait SECONDS         wait this long for another writer (default 30)\n";

struct purge_ctx {
	const struct cli *cli;
	struct store *st;
	struct diag *d;
	bool dry_run;
};

static int on_ref(void *ctx, const char *ref, int64_t closed_at)
{
	struct purge_ctx *x = ctx;
	char t[40];

	if (store_audit_ref(x->st, ref, x->d) < 0)
		return -1;
	time_format(closed_at, t);
	if (x->dry_run) {
		cli_put_safe(stdout, ref, strlen(ref), NULL);
		printf("\t%s\n", t);
		if (ferror(stdout)) {
			diag_set(x->d, EX_IOERR, "standard output: write error");
			return -1;
		}
	}
	return 0;
}

int cmd_purge(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"closed-before", required_argument, NULL, 'c'},
	    {"dry-run", no_argument, NULL, 'n'},
	    {"wait", required_argument, NULL, 'w'},
	    {NULL, 0, NULL, 0},
	};
	struct store_purge p;
	struct purge_ctx x;
	struct cli_details det;
	struct store *st = NULL;
	struct diag d;
	bool have_date = false;
	long wait_s = 30;
	char t[40];
	int c, rc;

	memset(&p, 0, sizeof(p));
	memset(&x, 0, sizeof(x));
	cli_getopt_start();
	while ((c = cli_getopt(cli, argc, argv, ":h", opts)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage, stdout);
			return EX_OK;
		case 'c':
			if (cli_parse_time(cli, "--closed-before", cli_optarg, &p.closed_before) !=
			    EX_OK)
				return EX_USAGE;
			have_date = true;
			break;
		case 'n':
			x.dry_run = true;
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
	if (!have_date)
		return cli_usage_error(cli, "say which packages with --closed-before DATE");
	p.now = time_now();
	if (p.closed_before > p.now)
		return cli_usage_error(cli, "--closed-before is in the future");
	rc = cli_open_store(cli, (int)wait_s * 1000, &st);
	if (rc != EX_OK)
		return rc;
	diag_clear(&d);
	x.cli = cli;
	x.st = st;
	x.d = &d;
	p.dry_run = x.dry_run;
	if (store_begin(st, &d) < 0 || store_purge(st, &p, on_ref, &x, &d) != 0) {
		store_rollback(st);
		rc = cli_report(&d);
		goto out;
	}
	cli_details_init(&det);
	cli_details_time(&det, "closed_before", p.closed_before);
	cli_details_int(&det, "packages", p.packages);
	if (x.dry_run) {
		/* Nothing was changed; the listing is a consultation and is recorded. */
		rc = cli_audit_commit(cli, st, "purge dry-run", &det);
		if (rc == EX_OK)
			fprintf(stderr,
			        "reftriage: purge: %ld package%s would be erased [dry run]\n",
			        p.packages, p.packages == 1 ? "" : "s");
		goto out;
	}
	cli_details_int(&det, "versions", p.versions);
	cli_details_int(&det, "quarantined", p.quarantined);
	cli_details_int(&det, "scores", p.scores);
	rc = cli_audit_commit(cli, st, "purge", &det);
	if (rc != EX_OK)
		goto out;
	time_format(p.closed_before, t);
	fprintf(stderr,
	        "reftriage: purge: erased the content of %ld package%s closed before %s (%ld "
	        "version%s, %ld quarantined record%s, %ld score%s); refs and hashes kept\n",
	        p.packages, p.packages == 1 ? "" : "s", t, p.versions, p.versions == 1 ? "" : "s",
	        p.quarantined, p.quarantined == 1 ? "" : "s", p.scores, p.scores == 1 ? "" : "s");
	if (store_purge_settle(st, &d) < 0)
		rc = cli_report(&d);
out:
	store_close(st);
	return rc;
}
