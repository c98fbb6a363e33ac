/* reftriage status REF STATE: move a package through the workflow. */
#include "reftriage/cli.h"

static const char usage[] =
    "usage: reftriage [--db PATH] [--operator NAME] status REF STATE [--note TEXT]\n\n"
    "STATE is new, assigned, in_progress, reopened (open) or actioned, nfa,\n"
    "transferred (closed). Closed packages leave the worklist but stay in 'show';\n"
    "a new version of a closed package reopens it (status reopened).\n"
    "  - nothing goes back to new; assigned needs an assignee (reftriage assign)\n"
    "  - nfa and transferred need --note: the reason is part of the record\n"
    "  - reopening or changing a closed package needs --note\n"
    "Every change is recorded with the time, the operator and the note.\n";

int cmd_status(struct cli *cli, int argc, char **argv)
{
	return cli_workflow_main(cli, argc, argv, usage, false);
}
