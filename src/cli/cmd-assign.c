/* reftriage assign REF --to NAME: set who is working a package. */
#include "reftriage/cli.h"

#include <getopt.h>

static const char usage[] =
    "usage: reftriage [--db PATH] [--operator NAME] assign REF --to NAME [--note TEXT]\n\n"
    "Set the assignee of package REF. A new package becomes assigned; otherwise its\n"
    "status is kept. A closed package cannot be assigned: reopen it first. The change\n"
    "is recorded with the time and the operator, and shown by 'reftriage show REF'.\n";

int cmd_assign(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"to", required_argument, NULL, 't'},
	    {"note", required_argument, NULL, 'n'},
	    {"wait", required_argument, NULL, 'w'},
	    {NULL, 0, NULL, 0},
	};
	const char *to = NULL, *note = NULL;
	long wait_s = 30;
	int c;

	cli_getopt_start();
	while ((c = cli_getopt(cli, argc, argv, ":h", opts)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage, stdout);
			return EX_OK;
		case 't':
			to = cli_optarg;
			break;
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
	if (argc - cli_optind != 1)
		return cli_usage_error(cli, "name exactly one package REF");
	if (!to)
		return cli_usage_error(cli, "say who with --to NAME");
	return cli_workflow(cli, argv[cli_optind], NULL, to, note, wait_s);
}
