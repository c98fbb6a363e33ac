/* reftriage purge: erase the content of closed packages past retention. */
#include "reftriage/cli.h"

#include "reftriage/timeutil.h"

const struct cli_opt purge_opts[] = {
    {"closed-before", 0, CLI_TIME, "DATE",
     "packages closed before DATE (YYYY-MM-DD, midnight UTC, or RFC 3339) (required)", NULL, 0, 0},
    CLI_OPT_DRY_RUN("list what would be erased (REF, closed at) and change nothing"),
    CLI_OPT_WAIT,
    CLI_OPT_END,
};
const char purge_about[] =
    "Erase the content of every package that was closed (actioned, nfa or\n"
    "transferred) before DATE: all its versions' fields, its score, its linking\n"
    "keys, and the quarantined records that name it. Its ref, its versions'\n"
    "content hashes and its workflow history (who decided what, and why) stay, and\n"
    "each erasure is recorded in the audit trail. Freed pages are overwritten and\n"
    "the write-ahead log is emptied, so the content is not left in the file.\n"
    "A dry run's listing is recorded as a consultation.\n";

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

int cmd_purge(struct cli *cli)
{
	struct cli_details *det = &cli->details;
	struct store_purge p;
	struct purge_ctx x;
	struct diag d;
	char t[40];
	int rc;

	memset(&p, 0, sizeof(p));
	memset(&x, 0, sizeof(x));
	if (!cli_flag(cli, "closed-before"))
		return cli_usage_error(cli, "say which packages with --closed-before DATE");
	p.closed_before = cli_time(cli, "closed-before", 0);
	p.now = time_now();
	if (p.closed_before > p.now)
		return cli_usage_error(cli, "--closed-before is in the future");
	diag_clear(&d);
	x.cli = cli;
	x.st = cli->st;
	x.d = &d;
	x.dry_run = p.dry_run = cli_flag(cli, "dry-run");
	if (store_purge(cli->st, &p, on_ref, &x, &d) != 0)
		return cli_report(&d);
	cli_details_time(det, "closed_before", p.closed_before);
	cli_details_int(det, "packages", p.packages);
	if (x.dry_run) {
		/* Nothing was changed; the listing is a consultation and is recorded. */
		cli->action = "purge dry-run";
		cli_note(cli, "%ld package%s would be erased [dry run]", p.packages,
		         p.packages == 1 ? "" : "s");
		return EX_OK;
	}
	cli_details_int(det, "versions", p.versions);
	cli_details_int(det, "quarantined", p.quarantined);
	cli_details_int(det, "scores", p.scores);
	if ((rc = cli_commit(cli)) != EX_OK)
		return rc;
	time_format(p.closed_before, t);
	cli_note(cli,
	         "erased the content of %ld package%s closed before %s (%ld version%s, %ld "
	         "quarantined record%s, %ld score%s); refs and hashes kept",
	         p.packages, p.packages == 1 ? "" : "s", t, p.versions, p.versions == 1 ? "" : "s",
	         p.quarantined, p.quarantined == 1 ? "" : "s", p.scores, p.scores == 1 ? "" : "s");
	/* The write-ahead log is emptied after the commit, so the content leaves the file. */
	if (store_purge_settle(cli->st, &d) < 0)
		return cli_report(&d);
	return EX_OK;
}
