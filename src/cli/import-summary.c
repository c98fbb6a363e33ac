/*
 * import --summary json when the run stops before any file is read: no store
 * (78), the store busy (75), a bad option value, an unreadable key. A nightly
 * job parses standard output; an empty one would read as "nothing happened".
 */
#include "reftriage/cli.h"

#include "reftriage/buf.h"
#include "reftriage/jsonw.h"

void cli_import_summary_failed(struct cli *cli, int exit_code)
{
	const char *why = cli_last_error();
	bool first = true;
	struct buf b;
	int rc = 0;

	buf_init(&b);
	rc |= buf_addc(&b, '{');
	rc |= jsonw_key_str(&b, &first, "store", cli->db_path);
	rc |= jsonw_key(&b, &first, "dry_run");
	rc |= buf_adds(&b, cli_flag(cli, "dry-run") ? "true" : "false");
	rc |= jsonw_key(&b, &first, "strict");
	rc |= buf_adds(&b, cli_flag(cli, "strict") ? "true" : "false");
	rc |= buf_adds(&b, ",\"files\":[],\"totals\":{\"new\":0,\"updated\":0,\"unchanged\":0,"
	                   "\"rejected\":0,\"known_rejects\":0,\"withheld\":0,\"reopened\":0}");
	rc |= buf_addf(&b, ",\"exit_code\":%d", exit_code);
	rc |= jsonw_key(&b, &first, "error");
	rc |= why[0] ? jsonw_string(&b, why, strlen(why)) : buf_adds(&b, "null");
	rc |= buf_adds(&b, "}\n");
	if (rc == 0)
		fwrite(b.data, 1, b.len, stdout);
	buf_release(&b);
}
