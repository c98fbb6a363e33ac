/*
 * reftriage find TYPE VALUE: the packages and deconfliction entries that carry
 * a subject, a ref (prefix) or an identifier (casework.md section 4).
 */
#include "reftriage/cli.h"

#include "reftriage/contract.h"
#include "reftriage/deconflict.h"
#include "reftriage/jsonw.h"
#include "reftriage/links.h"
#include "reftriage/rules.h"
#include "reftriage/text.h"
#include "reftriage/timeutil.h"
#include "reftriage/token.h"

static const char *const formats[] = {"table", "json", NULL};
const struct cli_opt find_opts[] = {
    {"token-key", 0, CLI_TEXT, "FILE",
     "VALUE is a raw identifier: tokenise it with this key first (REFTRIAGE_TOKEN_KEY does "
     "not apply)",
     NULL, 0, 0},
    {"scope", 0, CLI_TEXT, "S", "the scope of a username, other or device (with --token-key)", NULL,
     0, 0},
    {"all", 'a', CLI_FLAG, NULL, "closed packages too", NULL, 0, 0},
    CLI_OPT_FORMAT(formats, "table (default) or json"),
    CLI_OPT_WAIT_READ,
    CLI_OPT_END,
};
const char find_about[] =
    "TYPE is subject (a subject_ref as stored), ref (a package_ref prefix, any case)\n"
    "or an identifier type (email, username, ip, phone, device, payment, other),\n"
    "whose VALUE is a token as stored, or with --token-key a raw identifier,\n"
    "tokenised as the XML import does (--scope for username, other, device) and\n"
    "never stored, printed or audited. Lists the open packages (--all: closed too)\n"
    "that carry it, with priority, status and assignee, and the deconfliction\n"
    "entries that name it. Exit 0 when anything names it, 1 when nothing does.\n";

static const char *const types[] = {"subject", "ref",    "email",   "username", "ip",
                                    "phone",   "device", "payment", "other",    NULL};

struct find_ctx {
	struct cli *cli;
	bool json;
	struct buf out;
	long packages, entries;
	int err;  /* -1: out of memory */
	int code; /* an exit code already reported */
};

static int put_str(struct buf *b, bool *first, const char *key, const char *s)
{
	int rc = jsonw_key(b, first, key);

	rc |= s ? jsonw_string(b, s, strlen(s)) : buf_adds(b, "null");
	return rc;
}

/* An entry: as a json object, or a table line. */
static void put_entry(struct find_ctx *x, const char *type, const char *owner, const char *op,
                      const char *contact, bool possible, const char *indent)
{
	if (x->json) {
		bool f = true;

		x->err |= buf_addc(&x->out, '{');
		x->err |= put_str(&x->out, &f, "owner", owner);
		x->err |= put_str(&x->out, &f, "operation", op);
		x->err |= put_str(&x->out, &f, "contact", contact);
		x->err |= put_str(&x->out, &f, "type", type);
		if (possible)
			x->err |= jsonw_key(&x->out, &f, "possible") | buf_adds(&x->out, "true");
		x->err |= buf_addc(&x->out, '}');
		return;
	}
	cli_print(stdout, "%s%s, operation %s, contact %s (%s entry)%s\n", indent, owner,
	          op ? op : "not named", contact, type, possible ? ", possible match" : "");
}

static const char *state_name(enum deconf_state s)
{
	return s == DECONF_HIT ? "hit" : s == DECONF_ACKNOWLEDGED ? "acknowledged" : NULL;
}

static int on_package(void *ctx, const struct store_found *p)
{
	struct find_ctx *x = ctx;
	const char *prio =
	    p->priority >= 0 && x->cli->rs && (size_t)p->priority < x->cli->rs->nbands
	        ? x->cli->rs->bands[p->priority].priority
	        : "-";
	struct deconf_view v;
	struct diag d;
	size_t i;

	diag_clear(&d);
	if (store_audit_ref(x->cli->st, p->ref, &d) < 0 ||
	    cli_deconf_view(x->cli->st, p->id, NULL, time_now(), &v, &d) < 0) {
		x->code = cli_report(&d);
		return -1;
	}
	x->packages++;
	if (x->json) {
		bool f = true;

		x->err |= buf_adds(&x->out, x->packages > 1 ? ",{" : "{");
		x->err |= put_str(&x->out, &f, "ref", p->ref);
		x->err |= put_str(&x->out, &f, "priority", strcmp(prio, "-") ? prio : NULL);
		x->err |= put_str(&x->out, &f, "status", p->status);
		x->err |= put_str(&x->out, &f, "assigned_to", p->assigned_to);
		x->err |= jsonw_key(&x->out, &f, "deconfliction");
		x->err |= buf_adds(&x->out, "{\"state\":");
		if (state_name(v.state))
			x->err |= buf_addf(&x->out, "\"%s\"", state_name(v.state));
		else
			x->err |= buf_adds(&x->out, "null");
		x->err |= buf_adds(&x->out, ",\"matches\":[");
		for (i = 0; i < v.n; i++) {
			if (i)
				x->err |= buf_addc(&x->out, ',');
			put_entry(x, v.m[i].type, v.m[i].owner, v.m[i].operation, v.m[i].contact,
			          v.m[i].possible, "");
		}
		if (v.le) {
			if (v.n)
				x->err |= buf_addc(&x->out, ',');
			put_entry(x, "le_agency", v.le_agency, v.le_case[0] ? v.le_case : NULL,
			          "see the provider's report", false, "");
		}
		x->err |= buf_adds(&x->out, "]}}");
	} else {
		cli_print(stdout, "%-24s %-4s %-12s %-16s %s\n", p->ref, prio, p->status,
		          p->assigned_to ? p->assigned_to : "-",
		          state_name(v.state) ? state_name(v.state) : "");
	}
	cli_deconf_view_release(&v);
	return 0;
}

static int on_entry(void *ctx, const struct deconf_row *r)
{
	struct find_ctx *x = ctx;

	if (x->json && x->entries)
		x->err |= buf_addc(&x->out, ',');
	if (!x->json && !x->entries)
		puts("named by the deconfliction list:");
	x->entries++;
	put_entry(x, r->type, r->owner, r->operation, r->contact, strcmp(r->type, "ip") == 0, "  ");
	return 0;
}

/* The token or subject_ref to look for, into out; an exit code after a message. */
static int search_value(struct cli *cli, int kind, const char *type, char *out, size_t size)
{
	const char *value = cli->operands[1], *keyf = cli_str(cli, "token-key");
	const char *scope = cli_str(cli, "scope"), *expected;
	struct token_key *key = NULL;
	struct diag d;
	int rc;

	if (scope && !keyf)
		return cli_usage_error(
		    cli, "--scope goes with --token-key (a token has its scope in it)");
	if (!keyf || kind <= LINK_KIND_SUBJECT) {
		if (keyf)
			return cli_usage_error(cli,
			                       "--token-key is for identifiers: a %s is never "
			                       "tokenised",
			                       type);
		if (strlen(value) >= size || !*value)
			return cli_fail(cli, EX_DATAERR, "%s: 1 to %zu bytes", type, size - 1);
		/* A raw identifier given without the key must not reach the audit trail as a token.
		 */
		if (kind > LINK_KIND_SUBJECT && !token_is_hex(value, strlen(value)))
			return cli_fail(
			    cli, EX_DATAERR,
			    "VALUE: <redacted, %zu bytes> is not a token (hex digits); a raw "
			    "identifier needs --token-key FILE",
			    strlen(value));
		(void)snprintf(out, size, "%s", value);
		return EX_OK;
	}
	diag_clear(&d);
	if (token_key_load(keyf, &key, &d) < 0)
		return cli_report(&d);
	rc = token_ident(key, type, scope ? scope : "", value, strlen(value), out, &expected);
	token_key_free(key);
	if (rc < 0)
		return cli_fail(cli, EX_DATAERR, "VALUE: <redacted, %zu bytes> is not %s",
		                strlen(value), expected);
	return EX_OK;
}

static bool ref_prefix_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 64 &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._/-") == n;
}

int cmd_find(struct cli *cli)
{
	const char *type = cli->operands[0], *fmt = cli_str(cli, "format");
	struct find_ctx x;
	char value[DECONF_VALUE_MAX + TOKEN_HEX];
	int64_t key = 0;
	struct diag d;
	int t, kind, rc;

	for (t = 0; types[t] && strcmp(types[t], type) != 0; t++)
		;
	if (!types[t])
		return cli_bad_value(cli, "TYPE", type, types);
	kind = t == 0 ? LINK_KIND_SUBJECT : t == 1 ? 0 : LINK_KIND_IDENT + (t - 2);
	if (kind == 0) {
		if (cli_str(cli, "token-key") || cli_str(cli, "scope"))
			return cli_usage_error(
			    cli, "--token-key and --scope are for identifiers, not refs");
		if (!ref_prefix_ok(cli->operands[1]))
			return cli_fail(
			    cli, EX_DATAERR,
			    "ref: a prefix of a package_ref is 1 to 64 of A-Z a-z 0-9 . _ / -");
		(void)snprintf(value, sizeof(value), "%s", cli->operands[1]);
	} else if ((rc = search_value(cli, kind, type, value, sizeof(value))) != EX_OK) {
		return rc;
	}
	memset(&x, 0, sizeof(x));
	x.cli = cli;
	x.json = fmt && strcmp(fmt, "json") == 0;
	buf_init(&x.out);
	if (x.json)
		x.err |= buf_adds(&x.out, "{\"packages\":[");
	diag_clear(&d);
	if (kind == 0) {
		rc = store_find_ref(cli->st, value, cli_flag(cli, "all"), on_package, &x, &d);
	} else {
		key = link_key(kind, value, strlen(value));
		rc = store_find_key(cli->st, key, cli_flag(cli, "all"), on_package, &x, &d);
		if (rc == 0 && x.json)
			x.err |= buf_adds(&x.out, "],\"entries\":[");
		if (rc == 0)
			rc = store_deconf_by_key(cli->st, key, time_local_day(time_now()), on_entry,
			                         &x, &d);
	}
	if (rc < 0) {
		buf_release(&x.out);
		return x.code ? x.code : cli_report(&d);
	}
	if (x.json) {
		x.err |= buf_adds(&x.out, kind == 0 ? "],\"entries\":[]}\n" : "]}\n");
		if (x.err < 0 || fwrite(x.out.data, 1, x.out.len, stdout) != x.out.len)
			rc = -1;
	} else if (!x.packages && !x.entries) {
		puts("nothing carries it");
	}
	buf_release(&x.out);
	if (rc < 0)
		return cli_fail(cli, EX_IOERR, "standard output: write error");
	/* The consultation's entry: the type and the token (or ref, subject_ref), never a raw
	 * value. */
	cli->action = "find";
	cli_details_str(&cli->details, "type", type);
	cli_details_str(&cli->details,
	                kind == 0                   ? "prefix"
	                : kind == LINK_KIND_SUBJECT ? "subject_ref"
	                                            : "token",
	                value);
	cli_details_bool(&cli->details, "all", cli_flag(cli, "all"));
	cli_details_int(&cli->details, "packages", x.packages);
	cli_details_int(&cli->details, "entries", x.entries);
	if (!x.packages && !x.entries)
		cli->exit_code = 1;
	return EX_OK;
}
