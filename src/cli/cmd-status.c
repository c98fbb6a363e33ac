/* reftriage status REF STATE: move a package through the workflow. */
#include "reftriage/cli.h"

const struct cli_opt status_opts[] = {
    CLI_OPT_NOTE("why, kept with the change (needed to close or reopen)"),
    {"approved-by", 0, CLI_TEXT, "NAME",
     "nfa: the second person who signs it off (required when nfa_sign_off is on)", NULL, 0, 0},
    CLI_OPT_WAIT,
    CLI_OPT_END,
};
const char status_about[] =
    "STATE is new, assigned, in_progress, reopened (open) or actioned, nfa,\n"
    "transferred (closed). Closed packages leave the worklist but stay in 'show';\n"
    "a new version of a closed package reopens it (status reopened).\n"
    "  - nothing goes back to new; assigned needs an assignee (reftriage assign)\n"
    "  - nfa and transferred need --note: the reason is part of the record\n"
    "  - with the setting nfa_sign_off on, nfa needs --approved-by NAME, another person\n"
    "  - reopening or changing a closed package needs --note\n"
    "Every change is recorded with the time, the operator and the note.\n";

int cmd_status(struct cli *cli)
{
	return cli_workflow(cli, cli->operands[0], cli->operands[1], NULL);
}
