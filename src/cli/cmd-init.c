/* reftriage init: create the store. */
#include "reftriage/cli.h"

#include <getopt.h>

static const char usage[] =
    "usage: reftriage [--db PATH] init\n\n"
    "Create a new, empty store at PATH (default ./reftriage.db). The file is\n"
    "created mode 0600; init refuses to overwrite anything already there.\n";

int cmd_init(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	struct store *st;
	struct diag d;
	int c;

	cli_getopt_start();
	while ((c = cli_getopt(cli, argc, argv, ":h", opts)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			return EX_OK;
		}
		return EX_USAGE;
	}
	if (cli_optind < argc)
		return cli_usage_error(cli, "unexpected argument '%s'", argv[cli_optind]);
	diag_clear(&d);
	if (store_create(cli->db_path, &st, &d) < 0)
		return cli_report(&d);
	store_close(st);
	fprintf(stderr, "reftriage: created store %s (schema %d)\n", cli->db_path,
	        store_schema_version());
	return EX_OK;
}
