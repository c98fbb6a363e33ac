/* reftriage status REF... STATE: move packages through the workflow. */
#include "reftriage/cli.h"

const struct cli_opt status_opts[] = {
    CLI_OPT_NOTE("why, kept with the change (needed to close, wait, transfer or reopen)"),
    {"of", 0, CLI_TEXT, "OTHER", "duplicate: the package this one duplicates", NULL, 0, 0},
    {"to", 0, CLI_TEXT, "FORCE", "transferred: the force it goes to (pending until accepted)", NULL,
     0, 0},
    {"their-ref", 0, CLI_TEXT, "REF", "transferred: the receiving force's reference (closes it)",
     NULL, 0, 0},
    {"deconflicted", 0, CLI_TEXT, "NOTE",
     "who was contacted and what was agreed: lifts a deconfliction hold (casework.md 3)", NULL, 0,
     0},
    {"approved-by", 0, CLI_TEXT, "NAME",
     "nfa: the second person who signs it off (required when nfa_sign_off is on)", NULL, 0, 0},
    CLI_OPT_WAIT,
    CLI_OPT_END,
};
const char status_about[] =
    "STATE is new, assigned, in_progress, reopened, awaiting_info, transfer_pending\n"
    "(open) or actioned, nfa, transferred, duplicate (closed). Closed packages leave\n"
    "the worklist but stay in 'show'; a new version of a closed package reopens it.\n"
    "  - nothing goes back to new; assigned needs an assignee (reftriage assign)\n"
    "  - nfa and awaiting_info need --note: the reason is part of the record\n"
    "  - awaiting_info (waiting for a partner) stays on the list, due as before\n"
    "  - duplicate needs --of OTHER, the package it duplicates\n"
    "  - transferred --to FORCE --note WHY is open (transfer_pending) and stays\n"
    "    on the list until transferred --their-ref REF records the receiving\n"
    "    force's reference and closes it\n"
    "  - with the setting nfa_sign_off on, nfa needs --approved-by NAME, another person\n"
    "  - reopening or changing a closed package needs --note\n"
    "Several REFs change together: if any cannot change, none does (65).\n"
    "Every change is recorded with the time, the operator and the note.\n";

int cmd_status(struct cli *cli)
{
	size_t n = cli->noperands - 1, i;
	const char *state = cli->operands[n];
	int rc;

	/* An acknowledgement names one package's holders and who was contacted. */
	if (n > 1 && cli_str(cli, "deconflicted"))
		return cli_usage_error(cli, "--deconflicted records one package's contact with its "
		                            "holders: give one REF with it");
	/* The deconfliction hold (casework.md 3), every ref before any change. */
	for (i = 0; i < n; i++)
		if ((rc = cli_deconflict_hold(cli, cli->operands[i], state)) != EX_OK)
			return rc;
	return cli_workflow_refs(cli, cli->operands, n, state, NULL);
}
