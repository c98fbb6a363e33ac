/* reftriage status REF STATE: move a package through the workflow. */
#include "reftriage/cli.h"

#include <getopt.h>

static const char usage[] =
    "usage: reftriage [--db PATH] [--operator NAME] status REF STATE [--note TEXT]\n\n"
    "STATE is new, assigned, in_progress (open) or actioned, nfa, transferred\n"
    "(closed). Closed packages leave the worklist but stay in 'show'.\n"
    "  - nothing goes back to new; assigned needs an assignee (reftriage assign)\n"
    "  - nfa and transferred need --note: the reason is part of the record\n"
    "  - reopening or changing a closed package needs --note\n"
    "Every change is recorded with the time, the operator and the note.\n";

int cmd_status(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"note", required_argument, NULL, 'n'},
	    {"wait", required_argument, NULL, 'w'},
	    {NULL, 0, NULL, 0},
	};
	const char *note = NULL;
	long wait_s = 30;
	int c;

	cli_getopt_start();
	while ((c = cli_getopt(cli, argc, argv, ":h", opts)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage, stdout);
			return EX_OK;
		case 'n':
			note = cli_optarg;
			break;
		case 'w':
			if (cli_parse_uint(cli, "--wait", cli_optarg, 86400, &wait_s) < 0)
				return EX_USAGE;
			break;
		default:
			return EX_USAGE;
		}
	}
	if (argc - cli_optind != 2)
		return cli_usage_error(cli, "name a package REF and a STATE");
	return cli_workflow(cli, argv[cli_optind], argv[cli_optind + 1], NULL, note, wait_s);
}
