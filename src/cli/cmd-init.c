/* reftriage init: create the store, with the default rules installed. */
#include "reftriage/cli.h"

#include "reftriage/hash.h"
#include "reftriage/rules.h"
#include "reftriage/timeutil.h"

#include <getopt.h>

static const char usage[] =
    "usage: reftriage [--db PATH] init\n\n"
    "Create a new store at PATH (default ./reftriage.db) with the default priority\n"
    "rules (rules/default.json, built in) installed and active. The file is\n"
    "created mode 0600; init refuses to overwrite anything already there.\n";

/* The trail's first entry: the store's creation, naming the store's id. */
static int audit_init(const struct cli *cli, struct store *st, struct diag *d)
{
	struct cli_details x;
	char id[33];
	int rc;

	if (store_id(st, id, d) < 0)
		return -1;
	cli_details_init(&x);
	cli_details_str(&x, "store", id);
	cli_details_int(&x, "schema", store_schema_version());
	rc = cli_audit(cli, st, "init", &x, d);
	cli_details_release(&x);
	return rc;
}

int cmd_init(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	struct rules_errors errs;
	struct ruleset *rs;
	struct store *st;
	struct diag d;
	char hex[HASH_HEX];
	int64_t id;
	int c;

	cli_getopt_start();
	while ((c = cli_getopt(cli, argc, argv, ":h", opts)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			return EX_OK;
		}
		return EX_USAGE;
	}
	if (cli_no_operands(cli, argc, argv) != EX_OK)
		return EX_USAGE;
	rules_errors_init(&errs);
	rs = ruleset_parse((const char *)default_rules, default_rules_len, &errs);
	rules_errors_release(&errs);
	if (!rs) {
		fprintf(stderr, "reftriage: init: the built-in default rules do not load\n");
		return EX_SOFTWARE;
	}
	diag_clear(&d);
	if (store_create(cli->db_path, &st, &d) < 0) {
		ruleset_free(rs);
		return cli_report(&d);
	}
	if (store_begin(st, &d) < 0 || audit_init(cli, st, &d) < 0 ||
	    store_rules_install(st, rs->hash, rs->name, rs->version, default_rules,
	                        default_rules_len, cli->operator_name,
	                        "(built-in rules/default.json)", time_now(), &id, &d) < 0 ||
	    cli_audit_rules_install(cli, st, rs, "(built-in rules/default.json)", &d) < 0 ||
	    store_commit(st, &d) < 0) {
		store_close(st);
		ruleset_free(rs);
		/* A store without rules is half made: remove what init created. */
		(void)remove(cli->db_path);
		return cli_report(&d);
	}
	store_close(st);
	hash_hex(hex, rs->hash);
	fprintf(stderr, "reftriage: created store %s (schema %d) with rules %s %s (%.12s)\n",
	        cli->db_path, store_schema_version(), rs->name, rs->version, hex);
	ruleset_free(rs);
	return EX_OK;
}
