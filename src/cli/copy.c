/*
 * The audit chain walked entry by entry, as 'audit verify' walks it, and the
 * check of a copy of the store that backup makes before it reports success
 * and restore before it writes anything (docs/operations.md): a reftriage
 * store, PRAGMA integrity_check "ok", and that same walk of its chain.
 */
#include "reftriage/cli.h"

#include "reftriage/timeutil.h"

#include <string.h>

static int on_entry(void *ctx, const struct audit_entry *e)
{
	struct cli_chain *x = ctx;
	unsigned char refs[HASH_BYTES];
	int64_t n;

	if (store_audit_refs_hash(x->st, e->seq, &n, refs, x->d) < 0)
		return -1;
	if (audit_verify_entry(&x->v, e, n, refs, x->why, sizeof(x->why)) < 0) {
		x->broken = true;
		return 1;
	}
	/*
	 * Not a break: the hashes link. But a time set back deserves a look,
	 * except a consultation's, which the spool may fold after later entries
	 * (docs/security.md).
	 */
	if (x->v.went_back && x->warn && !store_audit_by_reader(e->action)) {
		char t[40], tb[40];

		time_format(e->at, t);
		time_format(x->v.before_at, tb);
		cli_warn(x->warn,
		         "warning: %s: entry %lld is dated %s, earlier than entry %lld (%s): the "
		         "clock went back or the time was set",
		         x->warn->db_path, (long long)e->seq, t, (long long)e->seq - 1, tb);
	}
	if (x->cp && e->seq == x->cp->seq) {
		x->cp_seen = true;
		if (memcmp(e->hash, x->cp->head, HASH_BYTES) != 0) {
			char t[40];

			time_format(x->cp->at, t);
			(void)snprintf(
			    x->why, sizeof(x->why),
			    "entry %lld differs from the signed checkpoint of %s: the trail "
			    "was rewritten up to there",
			    (long long)e->seq, t);
			x->broken = true;
			return 1;
		}
	}
	return 0;
}

int cli_walk_chain(struct store *st, const struct audit_checkpoint *cp, const struct cli *warn,
                   struct cli_chain *x, struct diag *d)
{
	int64_t stray;

	memset(x, 0, sizeof(*x));
	x->warn = warn;
	x->st = st;
	x->d = d;
	x->cp = cp;
	audit_verifier_init(&x->v);
	if (store_audit_each(st, NULL, on_entry, x, d) < 0)
		return -1;
	if (!x->broken) {
		if (store_audit_stray_refs(st, &stray, d) < 0)
			return -1;
		if (stray) {
			(void)snprintf(
			    x->why, sizeof(x->why),
			    "entry %lld: refs are stored for it but there is no such entry "
			    "(it was removed)",
			    (long long)stray);
			x->broken = true;
		}
	}
	if (!x->broken) {
		if (store_audit_unindexed_refs(st, &stray, d) < 0)
			return -1;
		if (stray) {
			(void)snprintf(x->why, sizeof(x->why),
			               "entry %lld: its refs were removed from the index of refs, "
			               "so 'audit log --ref' would not find it",
			               (long long)stray);
			x->broken = true;
		}
	}
	if (!x->broken && x->cp && !x->cp_seen) {
		char t[40];

		time_format(x->cp->at, t);
		(void)snprintf(
		    x->why, sizeof(x->why),
		    "entry %lld is missing: the trail ends at entry %lld, but the signed "
		    "checkpoint of %s vouches for entry %lld (entries were removed from "
		    "the end)",
		    (long long)x->v.next_seq, (long long)x->v.next_seq - 1, t,
		    (long long)x->cp->seq);
		x->broken = true;
	}
	return 0;
}

int cli_check_copy(const struct cli *cli, const char *path, const char *label, struct cli_copy *out)
{
	struct cli_chain x;
	struct store *st = NULL;
	struct diag d;
	(void)cli;
	memset(out, 0, sizeof(*out));
	buf_init(&out->carried);
	diag_clear(&d);
	if (store_open_copy(path, &st, &d) < 0 || store_check_integrity(st, &d) < 0)
		goto fail;
	if (cli_walk_chain(st, NULL, NULL, &x, &d) < 0)
		goto fail;
	if (x.broken) {
		store_close(st);
		return cli_fail(cli, EX_DATAERR, "%s: the copy's audit trail is BROKEN: %s", label,
		                x.why);
	}
	out->entries = x.v.checked;
	if (store_audit_head(st, &out->head_seq, out->head, &d) < 0 ||
	    store_carried(st, &out->carried, &out->ncarried, &d) < 0)
		goto fail;
	store_close(st);
	return EX_OK;
fail:
	store_close(st);
	/* Damage found while reading is the copy's fault: bad data, not a failed program. */
	if (d.code == EX_CONFIG || d.code == EX_SOFTWARE)
		d.code = EX_DATAERR;
	diag_at(&d, label, 0, NULL);
	return cli_report(&d);
}

void cli_copy_release(struct cli_copy *c)
{
	buf_release(&c->carried);
}
