/*
 * reftriage alert: the open packages overdue or due soon, for cron to mail.
 * Silent with exit 0 when there are none; the list and exit 1 otherwise,
 * so that 'reftriage alert || mail -s ...' mails only when there is news.
 */
#include "reftriage/cli.h"

#include "reftriage/jsonw.h"
#include "reftriage/report.h"
#include "reftriage/rules.h"
#include "reftriage/timeutil.h"

static const char *const formats[] = {"table", "json", NULL};
const struct cli_opt alert_opts[] = {
    {"within", 0, CLI_COUNT, "HOURS", "due within this many hours (default 24)", NULL, 0, 24 * 366},
    CLI_OPT_NOW("the time to judge at (default the clock)"),
    CLI_OPT_STALE_AFTER,
    CLI_OPT_FORMAT(formats, "table for people, json for scripts"),
    CLI_OPT_WAIT_READ,
    CLI_OPT_END,
};
const char alert_about[] =
    "The open packages that are overdue or due within HOURS, soonest due first.\n"
    "Prints nothing and exits 0 when there are none; otherwise prints them and\n"
    "exits 1. 64 and above is an error (78: no store), not news of referrals:\n"
    "a job mails 'referrals due' on exit 1 only, and a failure on any other\n"
    "(docs/nightly.md). Stale scores are warned of on stderr.\n"
    "Each open quarantined record (refused at import, neither resolved nor\n"
    "dismissed) is due now: listed in a section of its own (json: \"quarantine\"),\n"
    "and exit 1 until it is resolved or dismissed.\n"
    "Open packages not scored yet (an import stopped before its rescore) are\n"
    "listed first, as due now, until 'reftriage score' scores them.\n"
    "Each package listed is recorded as consulted.\n";

struct alert_ctx {
	struct cli *cli;
	struct buf b;
	bool json;
	long n;
	bool unscored; /* the rows now are of packages not scored yet */
	int64_t now;
	struct diag *d;
	struct store_qopen q; /* the open quarantine: due now */
};

/* The table's heading, before its first row: with nothing due, alert stays silent. */
static void heading(const struct alert_ctx *x)
{
	if (x->n == 0)
		printf("%-4s %-24s %-21s %-8s %-12s %s\n", "PRI", "REF", "DUE", "", "STATUS",
		       "ASSIGNED");
}

/*
 * A package not scored yet: its priority and due time are not known, so it
 * is due now (issue 24), listed before the others.
 */
static int on_unscored(struct alert_ctx *x, const struct store_worklist_row *r)
{
	bool first = true;
	int err = 0;

	if (!x->json) {
		heading(x);
		cli_print(stdout, "%-4s %-24s NOT SCORED YET: run 'reftriage score'  %-12s %s\n",
		          "-", r->ref, r->status, r->assigned_to ? r->assigned_to : "-");
		x->n++;
		return 0;
	}
	err |= buf_adds(&x->b, x->n++ ? ",{" : "{");
	err |= jsonw_key(&x->b, &first, "package_ref");
	err |= jsonw_string(&x->b, r->ref, strlen(r->ref));
	err |=
	    buf_adds(&x->b, ",\"priority\":null,\"score\":null,\"due_at\":null,\"overdue\":null");
	err |= jsonw_key(&x->b, &first, "status");
	err |= jsonw_string(&x->b, r->status, strlen(r->status));
	err |= jsonw_key(&x->b, &first, "assigned_to");
	err |= r->assigned_to ? jsonw_string(&x->b, r->assigned_to, strlen(r->assigned_to))
	                      : buf_adds(&x->b, "null");
	err |= buf_adds(&x->b, ",\"unscored\":true}");
	return err ? diag_set(x->d, EX_SOFTWARE, "out of memory") : 0;
}

static int on_due(void *ctx, const struct store_worklist_row *r)
{
	struct alert_ctx *x = ctx;
	const char *prio = r->priority >= 0 && (size_t)r->priority < x->cli->rs->nbands
	                       ? x->cli->rs->bands[r->priority].priority
	                       : "?";
	char due[40];
	bool first = true;
	int err = 0;

	if (x->unscored)
		return on_unscored(x, r);
	if (!x->json) {
		char local[TIME_LOCAL_MAX];

		/* People read local times (TZ); the JSON below is UTC. */
		time_format_local(r->due_at, local);
		heading(x);
		cli_print(stdout, "%-4s %-24s %-21s %-8s %-12s %s\n", prio, r->ref, local,
		          r->overdue ? "OVERDUE" : "", r->status,
		          r->assigned_to ? r->assigned_to : "-");
		x->n++;
		return 0;
	}
	time_format(r->due_at, due);
	err |= buf_adds(&x->b, x->n++ ? ",{" : "{");
	err |= jsonw_key(&x->b, &first, "package_ref");
	err |= jsonw_string(&x->b, r->ref, strlen(r->ref));
	err |= jsonw_key(&x->b, &first, "priority");
	err |= jsonw_string(&x->b, prio, strlen(prio));
	err |= buf_addf(&x->b, ",\"score\":%lld,\"due_at\":\"%.19sZ\",\"overdue\":%s",
	                (long long)r->score, due, r->overdue ? "true" : "false");
	err |= jsonw_key(&x->b, &first, "status");
	err |= jsonw_string(&x->b, r->status, strlen(r->status));
	err |= jsonw_key(&x->b, &first, "assigned_to");
	err |= r->assigned_to ? jsonw_string(&x->b, r->assigned_to, strlen(r->assigned_to))
	                      : buf_adds(&x->b, "null");
	err |= buf_adds(&x->b, ",\"unscored\":false}");
	return err ? diag_set(x->d, EX_SOFTWARE, "out of memory") : 0;
}

/* For people: the open quarantine after the packages, in a section of its own. */
static int put_quarantine(struct alert_ctx *x)
{
	buf_reset(&x->b);
	if ((x->n && buf_addc(&x->b, '\n') < 0) ||
	    report_quarantine_text(&x->b, &x->q, REPORT_QUARANTINE_SHOWN) < 0)
		return cli_fail(x->cli, EX_SOFTWARE, "out of memory");
	if (fwrite(x->b.data, 1, x->b.len, stdout) != x->b.len)
		return cli_fail(x->cli, EX_IOERR, "standard output: write error");
	return EX_OK;
}

/* The JSON object around the items: the header fields, then the list. */
static int put_json(struct alert_ctx *x, bool stale, long within, long unscored)
{
	char t[40];
	int err = 0;

	time_format(x->cli->as_of, t);
	err |= printf("{\"as_of\":") < 0;
	err |= printf(x->cli->scored ? "\"%.19sZ\"" : "null", t) < 0;
	time_format(x->now, t);
	err |= printf(",\"now\":\"%.19sZ\",\"within_hours\":%ld,\"stale\":%s,\"count\":%ld,"
	              "\"unscored\":%ld,\"items\":[",
	              t, within, stale ? "true" : "false", x->n, unscored) < 0;
	err |= fwrite(x->b.data, 1, x->b.len, stdout) != x->b.len;
	buf_reset(&x->b);
	if (buf_adds(&x->b, "],\"quarantine\":") < 0 || report_quarantine_json(&x->b, &x->q) < 0)
		return cli_fail(x->cli, EX_SOFTWARE, "out of memory");
	err |= fwrite(x->b.data, 1, x->b.len, stdout) != x->b.len;
	err |= printf("}\n") < 0;
	return err ? cli_fail(x->cli, EX_IOERR, "standard output: write error") : EX_OK;
}

int cmd_alert(struct cli *cli)
{
	const char *format = cli_str(cli, "format");
	long within = cli_count(cli, "within", 24);
	struct store_worklist_query q;
	struct alert_ctx x;
	struct diag d;
	struct store_worklist_query u;
	bool stale;
	long unscored = 0;
	int rc = EX_OK;

	memset(&q, 0, sizeof(q));
	memset(&x, 0, sizeof(x));
	diag_clear(&d);
	x.cli = cli;
	x.d = &d;
	x.json = format && strcmp(format, "json") == 0;
	x.now = q.now = cli_time(cli, "now", time_now());
	q.has_due_before = true;
	q.due_before = x.now + (int64_t)within * 3600 * US_PER_SEC;
	q.by_due = true;
	q.lean = true;
	buf_init(&x.b);
	stale = cli_scores_stale(cli, cli->scored, cli->as_of, x.now);
	cli_deconf_warn_stale(cli);
	u = q;
	u.unscored = true;
	/* The packages not scored yet first: due now, whatever --within. */
	if (store_unscored(cli->st, &unscored, &d) < 0 ||
	    (unscored && (x.unscored = true, store_worklist(cli->st, &u, on_due, &x, &d) < 0 ||
	                                         store_worklist_note(cli->st, &u, &d) < 0)) ||
	    (x.unscored = false, store_worklist(cli->st, &q, on_due, &x, &d) < 0) ||
	    store_worklist_note(cli->st, &q, &d) < 0 ||
	    store_quarantine_open(cli->st, SIZE_MAX, &x.q, &d) < 0)
		rc = cli_report(&d);
	else if (x.json && (x.n || x.q.open))
		rc = put_json(&x, stale || unscored, within, unscored);
	else if (x.q.open)
		rc = put_quarantine(&x);
	cli_warn_unscored(cli, unscored);
	buf_release(&x.b);
	cli_details_int(&cli->details, "within_hours", within);
	cli_details_int(&cli->details, "listed", x.n);
	if (unscored)
		cli_details_int(&cli->details, "unscored", unscored);
	if (x.q.open)
		cli_details_int(&cli->details, "quarantine_open", x.q.open);
	/* Something to act on (a quarantined record is due now): exit 1, once recorded. */
	if (rc == EX_OK && (x.n || x.q.open))
		cli->exit_code = 1;
	store_qopen_release(&x.q);
	return rc;
}
