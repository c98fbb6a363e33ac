/*
 * Checking a copy of the store, as backup does before it reports success and
 * restore does before it writes anything (docs/operations.md): a reftriage
 * store, PRAGMA integrity_check "ok", and the audit chain intact entry by
 * entry, with the same checks as 'audit verify' (audit_verify_entry, and no
 * refs stored for an entry that is not there).
 */
#include "reftriage/cli.h"

#include <string.h>

struct chain_walk {
	struct store *st;
	struct audit_verifier v;
	struct diag *d;
	char why[400];
};

static int on_entry(void *ctx, const struct audit_entry *e)
{
	struct chain_walk *x = ctx;
	unsigned char refs[HASH_BYTES];
	int64_t n;

	if (store_audit_refs_hash(x->st, e->seq, &n, refs, x->d) < 0)
		return -1;
	return audit_verify_entry(&x->v, e, n, refs, x->why, sizeof(x->why)) < 0 ? 1 : 0;
}

/* The chain of st: intact (0), broken (1, x->why says how) or unreadable (-1, d filled). */
static int walk(struct store *st, struct chain_walk *x, struct diag *d)
{
	int64_t stray = 0;
	int rc;

	memset(x, 0, sizeof(*x));
	x->st = st;
	x->d = d;
	audit_verifier_init(&x->v);
	rc = store_audit_each(st, NULL, on_entry, x, d);
	if (rc != 0)
		return rc;
	if (store_audit_stray_refs(st, &stray, d) < 0)
		return -1;
	if (stray) {
		(void)snprintf(x->why, sizeof(x->why),
		               "entry %lld: refs are stored for it but there is no such entry",
		               (long long)stray);
		return 1;
	}
	return 0;
}

int cli_check_copy(const struct cli *cli, const char *path, const char *label, struct cli_copy *out)
{
	struct chain_walk x;
	struct store *st = NULL;
	struct diag d;
	int rc;

	(void)cli;
	memset(out, 0, sizeof(*out));
	buf_init(&out->carried);
	diag_clear(&d);
	if (store_open_copy(path, &st, &d) < 0 || store_check_integrity(st, &d) < 0)
		goto fail;
	rc = walk(st, &x, &d);
	if (rc < 0)
		goto fail;
	if (rc > 0) {
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
