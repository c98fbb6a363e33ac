/* reftriage assign REF --to NAME: set who is working a package. */
#include "reftriage/cli.h"

static const char usage[] =
    "usage: reftriage [--db PATH] [--operator NAME] assign REF --to NAME [--note TEXT]\n\n"
    "Set the assignee of package REF. A new package becomes assigned; otherwise its\n"
    "status is kept. A closed package cannot be assigned: reopen it first. The change\n"
    "is recorded with the time and the operator, and shown by 'reftriage show REF'.\n";

int cmd_assign(struct cli *cli, int argc, char **argv)
{
	return cli_workflow_main(cli, argc, argv, usage, true);
}
