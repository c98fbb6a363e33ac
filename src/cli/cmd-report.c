/* reftriage report: the management view of a period (outcomes.md; docs/report.md). */
#include "reftriage/cli.h"

#include "reftriage/mreport.h"
#include "reftriage/timeutil.h"

static const char *const formats[] = {"text", "json", "html", NULL};
const struct cli_opt report_opts[] = {
    {"from", 0, CLI_TEXT, "DATE", "first local date of the period (default: 28 days before --to)",
     NULL, 0, 0},
    {"to", 0, CLI_TEXT, "DATE", "the local date after the period (default: tomorrow)", NULL, 0, 0},
    {"by", 0, CLI_ENUM, "FIELD", "split every figure by force, assignee or source", report_by_names,
     0, 0},
    CLI_OPT_FORMAT(formats, "text for people, json for scripts, html to print"),
    CLI_OPT_OUTPUT("write to FILE (private, replaced atomically); - stdout"),
    CLI_OPT_END,
};
const char report_about[] =
    "The management view of a period of local dates (TZ; --to is the day after it):\n"
    "packages received by week and priority, response within time by band, the\n"
    "backlog by age now, outcomes, and a daily trend; --by splits every figure.\n"
    "html is one self-contained page with charts for a monthly meeting.\n";

/* --from and --to as local dates; a usage error names the option and a near date. */
static int period(struct cli *cli, int64_t now, int64_t *from, int64_t *to)
{
	const char *opt[2] = {"from", "to"};
	int64_t *day[2] = {from, to};
	struct diag d;
	int i;

	*to = report_local_day(now) + 1;
	*from = INT64_MIN;
	for (i = 0; i < 2; i++) {
		const char *v = cli_str(cli, opt[i]);
		char name[8];

		(void)snprintf(name, sizeof(name), "--%s", opt[i]);
		if (v && report_parse_date(name, v, day[i], &d) < 0)
			return cli_usage_error(cli, "%s %s%s%s%s", name, d.message,
			                       d.suggestion[0] ? "; did you mean '" : "",
			                       d.suggestion, d.suggestion[0] ? "'?" : "");
	}
	if (*from == INT64_MIN)
		*from = *to - 28;
	if (*to <= *from) {
		char a[16], z[16];

		/* The two swapped, or a period of one day when they are the same. */
		time_format_date((int32_t)(*to < *from ? *to : *from), a);
		time_format_date((int32_t)(*to < *from ? *from : *from + 1), z);
		return cli_usage_error(
		    cli, "--to must be after --from; did you mean '--from %s --to %s'?", a, z);
	}
	if (*to - *from > REPORT_MAX_DAYS)
		return cli_usage_error(cli, "a report covers at most %d days, not %lld",
		                       REPORT_MAX_DAYS, (long long)(*to - *from));
	return EX_OK;
}

static enum store_report_by by_of(const char *v)
{
	size_t i;

	for (i = 0; v && report_by_names[i]; i++)
		if (strcmp(v, report_by_names[i]) == 0)
			return (enum store_report_by)(i + 1);
	return STORE_BY_NONE;
}

int cmd_report(struct cli *cli)
{
	const char *format = cli_str(cli, "format");
	int64_t now = time_now(), from, to;
	struct mreport m;
	struct diag d;
	int rc = period(cli, now, &from, &to), w;

	if (rc != EX_OK)
		return rc;
	format = format ? format : "text";
	diag_clear(&d);
	mreport_init(&m);
	m.scored = cli->scored;
	m.as_of = cli->as_of;
	if (mreport_build(&m, cli->st, cli->rs, from, to, by_of(cli_str(cli, "by")), now, &d) < 0) {
		mreport_release(&m);
		return cli_report(&d);
	}
	if (strcmp(format, "json") == 0)
		w = mreport_write_json(cli->out, &m);
	else if (strcmp(format, "html") == 0)
		w = mreport_write_html(cli->out, &m, cli->operator_name, now);
	else
		w = mreport_write_text(cli->out, &m);
	if (w < 0)
		rc = cli_fail(cli, EX_IOERR, "cannot write the report: %s", strerror(errno));
	cli_details_str(&cli->details, "format", format);
	cli_details_time(&cli->details, "from", m.from);
	cli_details_time(&cli->details, "to", m.to);
	cli_details_str(&cli->details, "by", cli_str(cli, "by"));
	mreport_release(&m);
	return rc;
}
