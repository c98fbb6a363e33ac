/* reftriage purge: erase the content of closed packages past retention. */
#include "reftriage/cli.h"

#include "reftriage/timeutil.h"

#include <poll.h>
#include <unistd.h>

/*
 * How long the question waits for its answer. The writer's lock is held
 * meanwhile (the count asked about must be the count erased), so a purge
 * left at the prompt must not keep the nightly import out for long.
 */
#define CONFIRM_SECONDS 60

const struct cli_opt purge_opts[] = {
    {"closed-before", 0, CLI_TIME, "DATE",
     "packages closed before DATE (YYYY-MM-DD, midnight UTC, or RFC 3339) (required)", NULL, 0, 0},
    CLI_OPT_DRY_RUN("list what would be erased (REF, closed at) and change nothing"),
    {"force", 0, CLI_FLAG, NULL, "erase closures newer than the retention_days setting allows",
     NULL, 0, 0},
    CLI_OPT_WAIT,
    CLI_OPT_END,
};
const char purge_about[] =
    "Erase the content of every package that was closed (in any closing\n"
    "state) before DATE: all its versions' fields, its score, its linking\n"
    "keys, and the quarantined records that name it. Its ref, its versions'\n"
    "content hashes and its workflow history (who decided what, and why) stay, and\n"
    "each erasure is recorded in the audit trail. Freed pages are overwritten and\n"
    "the write-ahead log is emptied, so the content is not left in the file.\n"
    "A dry run's listing is recorded as a consultation.\n"
    "The floor: a DATE later than now minus the store setting retention_days\n"
    "(default 365; 'reftriage settings') is refused (65) without --force; a DATE in\n"
    "the future always (64). On a terminal, purge prints how many packages it\n"
    "would erase and goes on only when the word purge is typed (else exit 1).\n";

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

static int count_ref(void *ctx, const char *ref, int64_t closed_at)
{
	(void)ctx;
	(void)ref;
	(void)closed_at;
	return 0;
}

/*
 * The floor: a DATE within retention_days of now is refused without --force
 * (a wrong year must not erase a year of closures). An exit code.
 */
static int floor_check(struct cli *cli, const struct store_purge *p, bool force)
{
	char t[40], f[40];
	struct diag d;
	long days;
	int64_t floor;

	diag_clear(&d);
	if (store_retention_days(cli->st, &days, &d) < 0)
		return cli_report(&d);
	floor = p->now - days * US_PER_DAY;
	floor -= floor % US_PER_SEC; /* said to the second */
	cli_details_int(&cli->details, "retention_days", days);
	if (p->closed_before <= floor)
		return EX_OK;
	time_format(p->closed_before, t);
	time_format(floor, f);
	if (force) {
		cli_details_bool(&cli->details, "forced", true);
		cli_warn(cli,
		         "warning: --force: --closed-before %s is within the %ld days the store "
		         "keeps (retention_days; the floor is %s)",
		         t, days, f);
		return EX_OK;
	}
	return cli_fail(cli, EX_DATAERR,
	                "%s: --closed-before %s is within the %ld days the store keeps "
	                "(retention_days): the latest DATE allowed is %s; nothing erased (give "
	                "--force to erase all the same)",
	                cli->db_path, t, days, f);
}

/*
 * On a terminal: say how many would go and go on only when the word purge is
 * typed within CONFIRM_SECONDS. An exit code: EX_OK to go on, 1 when not
 * confirmed.
 */
static int confirm(struct cli *cli, struct store_purge *p)
{
	struct store_purge count = *p;
	char t[40], answer[64];
	struct pollfd in = {STDIN_FILENO, POLLIN, 0};
	struct diag d;

	diag_clear(&d);
	count.dry_run = true;
	if (store_purge(cli->st, &count, count_ref, NULL, &d) != 0)
		return cli_report(&d);
	if (count.packages == 0)
		return EX_OK;
	time_format(p->closed_before, t);
	fprintf(stderr,
	        "reftriage: purge: %ld package%s closed before %s will have %s content erased; "
	        "this cannot be undone.\nType purge to go on (within %d s): ",
	        count.packages, count.packages == 1 ? "" : "s", t,
	        count.packages == 1 ? "its" : "their", CONFIRM_SECONDS);
	(void)fflush(stderr);
	if (poll(&in, 1, CONFIRM_SECONDS * 1000) != 1 || !fgets(answer, sizeof(answer), stdin) ||
	    strcmp(answer, "purge\n") != 0) {
		cli_warn(cli, "not confirmed: nothing erased");
		return 1;
	}
	cli_details_bool(&cli->details, "confirmed", true);
	return EX_OK;
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
	if ((rc = floor_check(cli, &p, cli_flag(cli, "force"))) != EX_OK)
		return rc;
	diag_clear(&d);
	x.cli = cli;
	x.st = cli->st;
	x.d = &d;
	x.dry_run = p.dry_run = cli_flag(cli, "dry-run");
	if (!x.dry_run && isatty(STDIN_FILENO) && (rc = confirm(cli, &p)) != EX_OK)
		return rc;
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
