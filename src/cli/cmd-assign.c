/* reftriage assign REF... --to NAME: set who is working packages. */
#include "reftriage/cli.h"

const struct cli_opt assign_opts[] = {
    {"to", 't', CLI_TEXT, "NAME", "who is to work the packages (required)", NULL, 0, 0},
    CLI_OPT_NOTE("why, kept with the change"),
    CLI_OPT_WAIT,
    CLI_OPT_END,
};
const char assign_about[] =
    "Set the assignee of each package REF. A new package becomes assigned;\n"
    "otherwise its status is kept. A closed package cannot be assigned: reopen\n"
    "it first. If any REF cannot be assigned, none is (65). Taking a package\n"
    "someone else holds is said on stderr (\"was NAME\"). When the store has a\n"
    "roster ('reftriage team'), NAME must be on it (any case). Each change is\n"
    "recorded with the time and the operator, and shown by 'reftriage show REF'.\n";

int cmd_assign(struct cli *cli)
{
	if (!cli_str(cli, "to"))
		return cli_usage_error(cli, "say who with --to NAME");
	return cli_workflow_refs(cli, cli->operands, cli->noperands, NULL, cli_str(cli, "to"));
}
