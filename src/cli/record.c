/*
 * The audit entries commands leave (docs/security.md): a details object
 * built as JSON, appended with the refs named so far, inside the command's
 * own transaction.
 */
#include "reftriage/cli.h"

#include "reftriage/isummary.h"
#include "reftriage/jsonw.h"
#include "reftriage/rules.h"
#include "reftriage/timeutil.h"

void cli_details_init(struct cli_details *x)
{
	buf_init(&x->b);
	x->first = true;
	x->err = buf_addc(&x->b, '{');
}

void cli_details_release(struct cli_details *x)
{
	buf_release(&x->b);
}

void cli_details_str(struct cli_details *x, const char *key, const char *value)
{
	if (!value)
		return;
	x->err |= jsonw_key(&x->b, &x->first, key);
	x->err |= jsonw_string(&x->b, value, strlen(value));
}

void cli_details_int(struct cli_details *x, const char *key, int64_t value)
{
	x->err |= jsonw_key(&x->b, &x->first, key);
	x->err |= buf_addf(&x->b, "%lld", (long long)value);
}

void cli_details_bool(struct cli_details *x, const char *key, bool value)
{
	x->err |= jsonw_key(&x->b, &x->first, key);
	x->err |= buf_adds(&x->b, value ? "true" : "false");
}

void cli_details_hash(struct cli_details *x, const char *key, const unsigned char h[HASH_BYTES])
{
	char hex[HASH_HEX];

	hash_hex(hex, h);
	cli_details_str(x, key, hex);
}

void cli_details_time(struct cli_details *x, const char *key, int64_t us)
{
	char t[40];

	time_format(us, t);
	cli_details_str(x, key, t);
}

/* The entry: now, the operator and the reason from cli, the details closed. */
static int entry(const struct cli *cli, struct store *st, const char *action, struct cli_details *x,
                 struct store_audit_new *e, struct diag *d)
{
	x->err |= buf_addc(&x->b, '}');
	if (x->err) {
		diag_at(d, store_path(st), 0, NULL);
		return diag_set(d, EX_SOFTWARE, "out of memory");
	}
	memset(e, 0, sizeof(*e));
	e->at = time_now();
	e->operator_name = cli->operator_name;
	e->action = action;
	e->reason = cli->reason;
	e->details = x->b.data;
	e->details_len = x->b.len;
	return 0;
}

int cli_audit(const struct cli *cli, struct store *st, const char *action, struct cli_details *x,
              struct diag *d)
{
	struct store_audit_new e;

	if (entry(cli, st, action, x, &e, d) < 0)
		return -1;
	return store_audit_append(st, &e, NULL, d);
}

int cli_audit_consult(const struct cli *cli, struct store *st, const char *action,
                      struct cli_details *x, int wait_ms, bool *spooled, struct diag *d)
{
	struct store_audit_new e;

	if (entry(cli, st, action, x, &e, d) < 0)
		return -1;
	return store_audit_consult(st, &e, wait_ms, spooled, d);
}

/*
 * The alteration a rescore is: every open package's score. Its refs are not
 * listed (a nightly rescore of a year's packages would add a million rows a
 * night); the entry says how many, when and with which rules.
 */
int cli_audit_score(const struct cli *cli, struct store *st, const struct ruleset *rs,
                    int64_t as_of, unsigned long n, struct diag *d)
{
	struct cli_details x;
	int rc;

	cli_details_init(&x);
	cli_details_str(&x, "after", cli->command);
	cli_details_time(&x, "as_of", as_of);
	cli_details_hash(&x, "rules", rs->hash);
	cli_details_str(&x, "rules_name", rs->name);
	cli_details_str(&x, "rules_version", rs->version);
	cli_details_int(&x, "open_packages", (int64_t)n);
	rc = cli_audit(cli, st, "score", &x, d);
	cli_details_release(&x);
	return rc;
}

int cli_audit_rules_install(const struct cli *cli, struct store *st, const struct ruleset *rs,
                            const char *source, struct diag *d)
{
	struct cli_details x;
	int rc;

	cli_details_init(&x);
	cli_details_hash(&x, "rules", rs->hash);
	cli_details_str(&x, "rules_name", rs->name);
	cli_details_str(&x, "rules_version", rs->version);
	cli_details_str(&x, "file", source);
	rc = cli_audit(cli, st, "rules install", &x, d);
	cli_details_release(&x);
	return rc;
}

/* The refs a file reopened, in its import entry: "reopened" counts, "reopened_refs" names. */
static void audit_reopened(struct cli_details *det, struct isummary_file *r)
{
	if (!r->n_reopened)
		return;
	cli_details_int(det, "reopened", (int64_t)r->n_reopened);
	r->reopened.data[r->reopened.len - 1] = '\0'; /* the last space */
	cli_details_str(det, "reopened_refs", r->reopened.data);
	r->reopened.data[r->reopened.len - 1] = ' ';
}

int cli_audit_import(const struct cli *cli, struct store *st, struct store_import *imp,
                     struct isummary_file *r, struct diag *d)
{
	struct cli_details det;
	int64_t n;
	int rc;

	if (store_audit_import_refs(st, imp, false, &n, d) < 0)
		return -1;
	cli_details_init(&det);
	cli_details_str(&det, "file", r->name);
	cli_details_hash(&det, "file_hash", imp->file_hash);
	cli_details_str(&det, "format", imp->format);
	cli_details_int(&det, "bytes", (int64_t)imp->bytes);
	cli_details_int(&det, "new", (int64_t)imp->n_new);
	cli_details_int(&det, "updated", (int64_t)imp->n_updated);
	cli_details_int(&det, "unchanged", (int64_t)imp->n_unchanged);
	cli_details_int(&det, "rejected", (int64_t)imp->n_rejected);
	cli_details_int(&det, "withheld", (int64_t)imp->n_withheld);
	if (r->n_known)
		cli_details_int(&det, "known_rejects", (int64_t)r->n_known);
	cli_details_bool(&det, "strict", imp->strict);
	audit_reopened(&det, r);
	if (r->signer[0]) {
		cli_details_str(&det, "signed_by", r->signer);
		cli_details_str(&det, "trusted_comment", r->trusted_comment);
	}
	rc = cli_audit(cli, st, "import", &det, d);
	cli_details_release(&det);
	if (rc < 0)
		return -1;
	if (store_audit_import_refs(st, imp, true, &n, d) < 0)
		return -1;
	if (n == 0)
		return 0;
	cli_details_init(&det);
	cli_details_str(&det, "file", r->name);
	cli_details_int(&det, "linked", n);
	rc = cli_audit(cli, st, "link", &det, d);
	cli_details_release(&det);
	return rc;
}
