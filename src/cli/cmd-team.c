/* reftriage team add NAME... | list | remove NAME: the team's roster. */
#include "reftriage/cli.h"

#include "reftriage/text.h"
#include "reftriage/timeutil.h"

const struct cli_opt team_opts[] = {
    CLI_OPT_WAIT,
    CLI_OPT_END,
};
const char team_about[] =
    "The roster is optional. While it has a name, 'assign --to' and '--approved-by'\n"
    "take only its names (in any case, written as the roster spells them) and\n"
    "'worklist --assigned-to' takes them in any case; without one, names are free\n"
    "text. Removing a name keeps every history that names it. Each change is\n"
    "recorded in the audit trail.\n";

/* A name: 1 to 64 bytes of UTF-8 text, no control characters, not all spaces. */
static bool name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n >= STORE_NAME_MAX || utf8_invalid_at(s, n) != n || strspn(s, " ") == n)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

static int put_name(void *ctx, const char *name, int64_t at, const char *by)
{
	char t[TIME_LOCAL_MAX];

	(void)ctx;
	time_format_local(at, t);
	cli_put_safe(stdout, name, strlen(name), NULL);
	fputs("\t(added by ", stdout);
	cli_put_safe(stdout, by, strlen(by), NULL);
	printf(" on %s)\n", t);
	return ferror(stdout) ? -1 : 0;
}

static int add(struct cli *cli)
{
	struct diag d;
	long added = 0;
	int i;

	diag_clear(&d);
	for (i = 1; i < cli->noperands; i++)
		if (!name_ok(cli->operands[i]))
			return cli_usage_error(cli, "a name is 1 to 64 bytes of text");
	for (i = 1; i < cli->noperands; i++) {
		bool fresh;

		if (store_team_add(cli->st, cli->operands[i], cli->operator_name, time_now(),
		                   &fresh, &d) < 0)
			return cli_report(&d);
		if (fresh) {
			added++;
			cli_details_str(&cli->details, "added", cli->operands[i]);
		} else {
			cli_note(cli, "%s is on the roster already (in some case)",
			         cli->operands[i]);
		}
	}
	cli->action = "team";
	cli_details_int(&cli->details, "count", added);
	cli_note(cli, "%ld name%s added to the roster", added, added == 1 ? "" : "s");
	return EX_OK;
}

int cmd_team(struct cli *cli)
{
	const char *sub = cli->operands[0];
	char removed[STORE_NAME_MAX];
	struct diag d;
	int rc;

	diag_clear(&d);
	if (strcmp(sub, "add") == 0) {
		if (cli->noperands < 2)
			return cli_usage_error(cli, "team add takes one or more names");
		return add(cli);
	}
	if (strcmp(sub, "list") == 0) {
		if (cli->noperands != 1)
			return cli_usage_error(cli, "team list takes no operand");
		cli->action = "team list";
		if (store_team_each(cli->st, put_name, NULL, &d) < 0)
			return ferror(stdout)
			           ? cli_fail(cli, EX_IOERR, "standard output: write error")
			           : cli_report(&d);
		return EX_OK;
	}
	if (strcmp(sub, "remove") == 0) {
		if (cli->noperands != 2)
			return cli_usage_error(cli, "team remove takes one name");
		rc = store_team_remove(cli->st, cli->operands[1], removed, &d);
		if (rc != 0)
			return cli_report(&d);
		cli->action = "team";
		cli_details_str(&cli->details, "removed", removed);
		cli_note(cli, "%s removed from the roster", removed);
		return EX_OK;
	}
	{
		static const char *const subs[] = {"add", "list", "remove", NULL};

		return cli_bad_value(cli, "team", sub, subs);
	}
}
