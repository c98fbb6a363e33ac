/* reftriage stats: the state of the caseload at a glance. */
#include "reftriage/cli.h"

#include "reftriage/jsonw.h"
#include "reftriage/score.h"
#include "reftriage/timeutil.h"

static const char *const formats[] = {"text", "json", NULL};
const struct cli_opt stats_opts[] = {
    CLI_OPT_FORMAT(formats, "text for people, json for scripts"),
    CLI_OPT_NOW("judge overdue at TIME (default the clock)"),
    CLI_OPT_WAIT_READ,
    CLI_OPT_END,
};
const char stats_about[] =
    "Open packages by priority (with how many are overdue), by source and by type;\n"
    "all packages by status; the oldest open referral; and the median time from\n"
    "receipt to the first assignment or status change, for packages that have one.\n";

static const struct {
	enum store_group g;
	const char *title, *key;
} groups[] = {
    {GROUP_PRIORITY, "open packages by priority", "by_priority"},
    {GROUP_STATUS, "all packages by status", "by_status"},
    {GROUP_SOURCE, "open packages by source", "by_source"},
    {GROUP_TYPE, "open packages by referral type", "by_type"},
};

struct stats_ctx {
	bool json;
	struct store_qopen q; /* the open quarantine (counted only) */
	struct store_nfa_counts nfa;
	const struct ruleset *rs;
	struct buf *b;
	size_t n;
	int err;
};

static int on_group(void *ctx, const char *key, long count, long overdue)
{
	struct stats_ctx *x = ctx;
	const char *name = key;
	char label[200] = "";

	if (x->rs && key && key[0] >= '0' && key[0] <= '9') { /* a band index */
		long i = strtol(key, NULL, 10);

		if (i >= 0 && (size_t)i < x->rs->nbands) {
			name = x->rs->bands[i].priority;
			(void)snprintf(label, sizeof(label), "%s", x->rs->bands[i].label);
		}
	}
	if (x->json) {
		bool first = true;

		x->err |= buf_adds(x->b, x->n ? ",{" : "{");
		x->err |= jsonw_key(x->b, &first, "key");
		x->err |= jsonw_string(x->b, name, strlen(name));
		x->err |= jsonw_key(x->b, &first, "count");
		x->err |= buf_addf(x->b, "%ld", count);
		if (label[0]) {
			x->err |= jsonw_key(x->b, &first, "overdue");
			x->err |= buf_addf(x->b, "%ld", overdue);
		}
		x->err |= buf_addc(x->b, '}');
	} else if (label[0]) {
		printf("  %-12s %7ld   overdue %-7ld %s\n", name, count, overdue, label);
	} else {
		printf("  %-22s %7ld\n", name, count);
	}
	x->n++;
	return x->err ? -1 : 0;
}

static void duration(char *dst, size_t size, int64_t us)
{
	int64_t mins = us / (60 * US_PER_SEC);

	if (mins < 0)
		mins = 0;
	(void)snprintf(dst, size, "%lldd %02lldh %02lldm", (long long)(mins / 1440),
	               (long long)(mins / 60 % 24), (long long)(mins % 60));
}

/* The consultation: counts only, and the one ref shown (the oldest open). */
static int audit_stats(struct cli *cli, const struct store_stats *ss, bool json)
{
	struct diag d;

	diag_clear(&d);
	if (ss->has_oldest && store_audit_ref(cli->st, ss->oldest_ref, &d) < 0)
		return cli_report(&d);
	cli_details_str(&cli->details, "format", json ? "json" : "text");
	cli_details_int(&cli->details, "open", ss->open);
	cli_details_int(&cli->details, "closed", ss->closed);
	if (ss->unscored)
		cli_details_int(&cli->details, "unscored", ss->unscored);
	return EX_OK;
}

static void json_oldest(struct stats_ctx *x, const struct store_stats *ss)
{
	bool f2 = true;
	char t[40];

	if (!ss->has_oldest) {
		x->err |= buf_adds(x->b, "null");
		return;
	}
	time_format(ss->oldest_received_at, t);
	x->err |= buf_addc(x->b, '{');
	x->err |= jsonw_key(x->b, &f2, "package_ref");
	x->err |= jsonw_string(x->b, ss->oldest_ref, strlen(ss->oldest_ref));
	x->err |= jsonw_key(x->b, &f2, "received_at");
	x->err |= jsonw_string(x->b, t, strlen(t));
	x->err |= buf_addc(x->b, '}');
}

static int stats_json(struct cli *cli, struct stats_ctx *x, const struct store_stats *ss)
{
	struct buf *b = x->b;
	bool first = true;
	struct diag d;
	char t[40];
	size_t i;

	diag_clear(&d);
	x->err |= buf_addc(b, '{');
	x->err |= jsonw_key(b, &first, "as_of");
	time_format(cli->as_of, t);
	x->err |= cli->scored ? jsonw_string(b, t, strlen(t)) : buf_adds(b, "null");
	x->err |= jsonw_key(b, &first, "open");
	x->err |= buf_addf(b, "%ld", ss->open);
	x->err |= jsonw_key(b, &first, "closed");
	x->err |= buf_addf(b, "%ld", ss->closed);
	/* Open packages not scored yet: in no priority below (issue 24). */
	x->err |= jsonw_key(b, &first, "unscored");
	x->err |= buf_addf(b, "%ld", ss->unscored);
	for (i = 0; i < ARRAY_SIZE(groups); i++) {
		x->n = 0;
		x->err |= jsonw_key(b, &first, groups[i].key);
		x->err |= buf_addc(b, '[');
		if (store_stats_group(cli->st, groups[i].g, cli_time(cli, "now", time_now()),
		                      on_group, x, &d) < 0)
			return cli_report(&d);
		x->err |= buf_addc(b, ']');
	}
	x->err |= jsonw_key(b, &first, "oldest_open");
	json_oldest(x, ss);
	x->err |= jsonw_key(b, &first, "quarantine");
	x->err |= buf_addf(b, "{\"open\":%ld,\"oldest_received\":", x->q.open);
	time_format(x->q.oldest_received, t);
	x->err |= x->q.has_oldest ? jsonw_string(b, t, strlen(t)) : buf_adds(b, "null");
	x->err |= buf_addc(b, '}');
	x->err |= jsonw_key(b, &first, "packages_with_action");
	x->err |= buf_addf(b, "%ld", ss->acted);
	x->err |= jsonw_key_number(b, &first, "median_hours_to_first_action", ss->acted != 0,
	                           (double)ss->median_to_first_action / 3.6e9);
	/* NFA decisions, all time: how many a second person signed off (casework.md 2). */
	x->err |= jsonw_key(b, &first, "nfa");
	x->err |= buf_addf(b, "{\"total\":%ld,\"signed_off\":%ld,\"without_sign_off\":%ld}",
	                   x->nfa.total, x->nfa.signed_off, x->nfa.total - x->nfa.signed_off);
	x->err |= buf_adds(b, "}\n");
	if (x->err)
		return cli_fail(cli, EX_SOFTWARE, "out of memory");
	fwrite(b->data, 1, b->len, stdout);
	return EX_OK;
}

static int stats_text(struct cli *cli, struct stats_ctx *x, const struct store_stats *ss)
{
	struct diag d;
	char t[TIME_LOCAL_MAX], dur[40];
	size_t i;

	diag_clear(&d);
	time_format_local(cli->as_of, t);
	if (cli->scored)
		printf("as of %s (scores), rules %s %s\n", t, cli->rs->name, cli->rs->version);
	else
		printf("nothing scored yet; rules %s %s\n", cli->rs->name, cli->rs->version);
	printf("%ld open, %ld closed\n", ss->open, ss->closed);
	if (x->q.open) {
		time_format_local(x->q.oldest_received, t);
		printf("QUARANTINE: %ld rejected record%s open, not triaged (oldest received %s): "
		       "'reftriage quarantine list'\n",
		       x->q.open, x->q.open == 1 ? "" : "s", t);
	} else {
		printf("quarantine: none open\n");
	}
	if (ss->unscored)
		printf("%ld open not scored yet (in no priority below): run 'reftriage score'\n",
		       ss->unscored);
	for (i = 0; i < ARRAY_SIZE(groups); i++) {
		printf("\n%s\n", groups[i].title);
		x->n = 0;
		if (store_stats_group(cli->st, groups[i].g, cli_time(cli, "now", time_now()),
		                      on_group, x, &d) < 0)
			return cli_report(&d);
		if (!x->n)
			printf("  none\n");
	}
	printf("\noldest open referral\n");
	time_format_local(ss->oldest_received_at, t);
	if (ss->has_oldest)
		printf("  %s received %s\n", ss->oldest_ref, t);
	else
		printf("  none\n");
	printf("\nmedian time from receipt to first action\n");
	duration(dur, sizeof(dur), ss->median_to_first_action);
	if (ss->acted)
		printf("  %s over %ld package%s\n", dur, ss->acted, ss->acted == 1 ? "" : "s");
	else
		printf("  no package has been acted on yet\n");
	printf("\nclosed without action (nfa decisions)\n  %ld, %ld signed off by a second "
	       "person, %ld without\n",
	       x->nfa.total, x->nfa.signed_off, x->nfa.total - x->nfa.signed_off);
	return EX_OK;
}

int cmd_stats(struct cli *cli)
{
	const char *format = cli_str(cli, "format");
	bool json = format && strcmp(format, "json") == 0;
	struct stats_ctx x;
	struct store_stats ss;
	struct buf b;
	struct diag d;
	int rc;

	diag_clear(&d);
	if (store_stats(cli->st, &ss, &d) < 0)
		return cli_report(&d);
	cli_warn_unscored(cli, ss.unscored);
	memset(&x, 0, sizeof(x));
	if (store_quarantine_open(cli->st, 0, &x.q, &d) < 0 ||
	    store_nfa_counts(cli->st, INT64_MIN, INT64_MAX, &x.nfa, &d) < 0) {
		store_qopen_release(&x.q);
		return cli_report(&d);
	}
	buf_init(&b);
	x.json = json;
	x.rs = cli->rs;
	x.b = &b;
	rc = json ? stats_json(cli, &x, &ss) : stats_text(cli, &x, &ss);
	buf_release(&b);
	if (x.q.open)
		cli_details_int(&cli->details, "quarantine_open", x.q.open);
	return rc == EX_OK ? audit_stats(cli, &ss, json) : rc;
}
