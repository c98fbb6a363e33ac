/* reftriage init: create the store, with the default rules installed. */
#include "reftriage/cli.h"

#include "reftriage/hash.h"
#include "reftriage/rules.h"
#include "reftriage/timeutil.h"

const struct cli_opt init_opts[] = {
    {"shared", 0, CLI_FLAG, NULL, "files 0660 for the owner's group (a team on one host)", NULL, 0,
     0},
    CLI_OPT_END,
};
const char init_about[] =
    "Create a new store at PATH (--db; default ./reftriage.db) with the default\n"
    "priority rules (rules/default.json, built in) installed and active. The file is\n"
    "created mode 0600; init refuses to overwrite anything already there.\n"
    "--shared: a store for a team on one host, like 'git init --shared=group': the\n"
    "store, its -wal and -shm files and the files reftriage writes beside it\n"
    "(--output) are mode 0660 for the owner's group. Refused when the directory\n"
    "can be read or written by everyone. See docs/security.md, \"Sharing a store\".\n";

#define BUILT_IN "(built-in rules/default.json)"

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

static int install_default(const struct cli *cli, struct store *st, const struct ruleset *rs,
                           struct diag *d)
{
	int64_t id;

	if (store_begin(st, d) < 0 || audit_init(cli, st, d) < 0 ||
	    store_rules_install(st, rs->hash, rs->name, rs->version, default_rules,
	                        default_rules_len, cli->operator_name, BUILT_IN, time_now(), &id,
	                        d) < 0 ||
	    cli_audit_rules_install(cli, st, rs, BUILT_IN, d) < 0 || store_commit(st, d) < 0)
		return -1;
	return 0;
}

int cmd_init(struct cli *cli)
{
	struct rules_errors errs;
	struct ruleset *rs;
	struct store *st;
	struct diag d;
	char hex[HASH_HEX];
	int rc = EX_OK;

	rules_errors_init(&errs);
	rs = ruleset_parse((const char *)default_rules, default_rules_len, &errs);
	rules_errors_release(&errs);
	if (!rs)
		return cli_fail(cli, EX_SOFTWARE, "the built-in default rules do not load");
	diag_clear(&d);
	if ((cli_flag(cli, "shared") ? store_create_shared(cli->db_path, &st, &d)
	                             : store_create(cli->db_path, &st, &d)) < 0) {
		ruleset_free(rs);
		return cli_report(&d);
	}
	if (install_default(cli, st, rs, &d) < 0) {
		store_close(st);
		/* A store without rules is half made: remove what init created. */
		(void)remove(cli->db_path);
		rc = cli_report(&d);
	} else {
		store_close(st);
		hash_hex(hex, rs->hash);
		cli_note(cli, "created %sstore %s (schema %d) with rules %s %s (%.12s)",
		         cli_flag(cli, "shared") ? "shared (group read/write) " : "", cli->db_path,
		         store_schema_version(), rs->name, rs->version, hex);
	}
	ruleset_free(rs);
	return rc;
}
