/* reftriage note REF TEXT: a note in a package's history, without a change. */
#include "reftriage/cli.h"

const struct cli_opt note_opts[] = {
    CLI_OPT_WAIT,
    CLI_OPT_END,
};
const char note_about[] =
    "Add TEXT (1 to 2000 bytes) to the history of package REF, open or closed, with\n"
    "the time and the operator; its status, assignee and score do not change. A note\n"
    "is an alteration in the audit trail and shows in 'worklist --changed-since'.\n";

int cmd_note(struct cli *cli)
{
	return cli_workflow_note(cli, cli->operands[0], cli->operands[1]);
}
