/* reftriage score: rescore every open package at one as_of. */
#include "reftriage/cli.h"

#include "reftriage/timeutil.h"

#include <getopt.h>

static const char usage[] =
    "usage: reftriage [--db PATH] score [--as-of TIME] [--wait SECONDS]\n\n"
    "Rescore every open package (new, assigned, in_progress) with the active rules\n"
    "at one time, TIME (RFC 3339 or a date; default now), so that the worklist\n"
    "never mixes stale and fresh scores. A nightly job runs import, then score.\n";

int cmd_score(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"as-of", required_argument, NULL, 'a'},
	    {"wait", required_argument, NULL, 'w'},
	    {NULL, 0, NULL, 0},
	};
	struct store *st;
	int64_t as_of = time_now();
	long wait_s = 30;
	int c, rc;

	cli_getopt_start();
	while ((c = cli_getopt(cli, argc, argv, ":h", opts)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage, stdout);
			return EX_OK;
		case 'a':
			if (cli_parse_time(cli, "--as-of", cli_optarg, &as_of) != EX_OK)
				return EX_USAGE;
			break;
		case 'w':
			if (cli_parse_wait(cli, cli_optarg, &wait_s) < 0)
				return EX_USAGE;
			break;
		default:
			return EX_USAGE;
		}
	}
	if (cli_no_operands(cli, argc, argv) != EX_OK)
		return EX_USAGE;
	rc = cli_open_store(cli, (int)wait_s * 1000, &st);
	if (rc != EX_OK)
		return rc;
	rc = cli_rescore(cli, st, as_of);
	store_close(st);
	return rc;
}
