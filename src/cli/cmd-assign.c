/* reftriage assign REF --to NAME: set who is working a package. */
#include "reftriage/cli.h"

const struct cli_opt assign_opts[] = {
    {"to", 't', CLI_TEXT, "NAME", "who is to work the package (required)", NULL, 0, 0},
    CLI_OPT_NOTE("why, kept with the change"),
    CLI_OPT_WAIT,
    CLI_OPT_END,
};
const char assign_about[] =
    "Set the assignee of package REF. A new package becomes assigned; otherwise its\n"
    "status is kept. A closed package cannot be assigned: reopen it first. The change\n"
    "is recorded with the time and the operator, and shown by 'reftriage show REF'.\n";

int cmd_assign(struct cli *cli)
{
	if (!cli_str(cli, "to"))
		return cli_usage_error(cli, "say who with --to NAME");
	return cli_workflow(cli, cli->operands[0], NULL, cli_str(cli, "to"));
}
