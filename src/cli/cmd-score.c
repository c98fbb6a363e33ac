/* reftriage score: rescore every open package at one as_of. */
#include "reftriage/cli.h"

#include "reftriage/timeutil.h"

const struct cli_opt score_opts[] = {CLI_OPT_AS_OF, CLI_OPT_WAIT, CLI_OPT_END};
const char score_about[] =
    "Rescore every open package with the active rules at one time (default now),\n"
    "so that the worklist never mixes stale and fresh scores. A nightly job runs\n"
    "import, then score.\n";

int cmd_score(struct cli *cli)
{
	return cli_rescore(cli, cli->st, cli_time(cli, "as-of", time_now()));
}
