/*
 * The stored scores: the rescore that import and score share (every open
 * package at one as_of), and whether the scores a list shows are stale.
 */
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
	char t[TIME_LOCAL_MAX], hex[HASH_HEX];
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
	time_format_local(as_of, t);
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

bool cli_scores_stale(const struct cli *cli, bool scored, int64_t as_of, int64_t now)
{
	long hours = cli_count(cli, "stale-after", 24);
	int64_t age = now - as_of;
	char t[TIME_LOCAL_MAX];

	if (!scored || age <= (int64_t)hours * 3600 * US_PER_SEC)
		return false;
	time_format_local(as_of, t);
	cli_warn(cli,
	         "warning: the scores are stale: computed %lld h ago (as of %s), more than %ld h; "
	         "run 'reftriage score' to bring them up to date",
	         (long long)(age / (3600 * US_PER_SEC)), t, hours);
	return true;
}

void cli_warn_unscored(const struct cli *cli, long n)
{
	if (n > 0)
		cli_warn(cli,
		         "warning: %ld open package%s not scored yet (an import stopped before "
		         "its rescore?): they have no priority; run 'reftriage score'",
		         n, n == 1 ? " is" : "s are");
}
