/* The rescore that import, score and status share: every open package at one as_of. */
#include "reftriage/cli.h"

#include "reftriage/buf.h"
#include "reftriage/hash.h"
#include "reftriage/rules.h"
#include "reftriage/score.h"
#include "reftriage/timeutil.h"

int cli_rescore_said(const struct cli *cli, struct store *st, int64_t as_of, struct buf *said)
{
	struct ruleset *rs = NULL;
	unsigned long n = 0;
	int64_t id;
	struct diag d;
	char t[40], hex[HASH_HEX];
	int rc;

	diag_clear(&d);
	if (store_begin(st, &d) < 0)
		return cli_report(&d);
	if (score_load_rules(st, 0, &rs, &id, &d) < 0 || score_all(st, rs, id, as_of, &n, &d) < 0 ||
	    cli_audit_score(cli, st, rs, as_of, n, &d) < 0 || store_commit(st, &d) < 0) {
		store_rollback(st);
		ruleset_free(rs);
		return cli_report(&d);
	}
	time_format(as_of, t);
	hash_hex(hex, rs->hash);
	rc = buf_addf(said, "scored %lu open package%s as of %s with %s %s (%.12s)", n,
	              n == 1 ? "" : "s", t, rs->name, rs->version, hex);
	ruleset_free(rs);
	return rc < 0 ? cli_fail(cli, EX_SOFTWARE, "out of memory") : EX_OK;
}

int cli_rescore(const struct cli *cli, struct store *st, int64_t as_of)
{
	struct buf said;
	int rc;

	buf_init(&said);
	rc = cli_rescore_said(cli, st, as_of, &said);
	if (rc == EX_OK)
		cli_note(cli, "%s", said.data);
	buf_release(&said);
	return rc;
}
