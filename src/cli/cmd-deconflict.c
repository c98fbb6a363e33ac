/*
 * reftriage deconflict import FILE.csv | list | clear --note TEXT: the list of
 * subjects and identifiers other operations hold (casework.md section 3).
 */
#include "reftriage/cli.h"

#include "reftriage/deconflict.h"
#include "reftriage/jsonw.h"
#include "reftriage/timeutil.h"
#include "reftriage/token.h"

static const struct cli_opt dimport_opts[] = {
    {"token-key", 0, CLI_TEXT, "FILE",
     "the values are raw identifiers: tokenise them with this key (REFTRIAGE_TOKEN_KEY does "
     "not apply)",
     NULL, 0, 0},
    CLI_OPT_WAIT,
    CLI_OPT_END,
};
static const char dimport_about[] =
    "Replace the active deconfliction list with FILE.csv, the export of the\n"
    "force's intelligence system: a header, then one entry a line; columns in any\n"
    "order: type (subject or an identifier type), value, scope, owner, operation,\n"
    "contact, until (a local date, inclusive). value is a token as stored (hex) or\n"
    "a subject_ref; with --token-key it is a raw identifier, tokenised as the XML\n"
    "import does and never stored. All or nothing: any bad line, and nothing\n"
    "changes (every bad line reported, exit 65). At most 64 MiB and 500,000\n"
    "entries. Re-importing the same entries keeps every acknowledgement and dates\n"
    "the list anew. The open packages are rescored.\n";
static const char *const dlist_formats[] = {"table", "json", NULL};
static const struct cli_opt dlist_opts[] = {
    CLI_OPT_FORMAT(dlist_formats, "table (default) or json"),
    CLI_OPT_WAIT_READ,
    CLI_OPT_END,
};
static const char dlist_about[] =
    "The active list: where and when it came from, then each entry (type, token\n"
    "or subject_ref, owner, operation, contact, until, and whether it is active).\n";
static const struct cli_opt dclear_opts[] = {
    CLI_OPT_NOTE("why there is no list now (needed)"),
    CLI_OPT_WAIT,
    CLI_OPT_END,
};
static const char dclear_about[] =
    "Remove the active list: nothing is held for deconfliction any more but a\n"
    "known le_agency. The open packages are rescored.\n";

static int do_import(struct cli *cli)
{
	const char *path = cli->operands[0], *keyf = cli_str(cli, "token-key");
	struct token_key *key = NULL;
	struct deconf_file f;
	struct deconf_change ch;
	struct diag_list errs;
	struct diag d;
	size_t nbad;
	int rc;

	diag_clear(&d);
	if (keyf && token_key_load(keyf, &key, &d) < 0)
		return cli_report(&d);
	deconf_file_init(&f);
	diag_list_init(&errs, 100);
	rc = deconf_read(path, key, &f, &errs, &d);
	token_key_free(key);
	if (rc < 0) {
		rc = cli_report(&d);
	} else if (rc > 0) {
		nbad = cli_report_list(path, &errs, "problem");
		rc = cli_fail(cli, errs.oom ? EX_SOFTWARE : EX_DATAERR,
		              "%s: %zu bad line%s: nothing changed (the list stays as it was)",
		              path, nbad, nbad == 1 ? "" : "s");
	} else if (store_deconf_replace(cli->st, &f, path, cli->operator_name, time_now(), &ch,
	                                &d) < 0) {
		rc = cli_report(&d);
	} else {
		cli->action = "deconflict import";
		cli_details_str(&cli->details, "file", path);
		cli_details_hash(&cli->details, "file_hash", f.hash);
		cli_details_int(&cli->details, "entries", (int64_t)f.n);
		cli_details_int(&cli->details, "added", ch.added);
		cli_details_int(&cli->details, "removed", ch.removed);
		cli_details_bool(&cli->details, "token_key", keyf != NULL);
		rc = cli_commit(cli);
		if (rc == EX_OK) {
			cli_note(cli, "%s: %zu entr%s (%ld new, %ld kept, %ld removed)", path, f.n,
			         f.n == 1 ? "y" : "ies", ch.added, ch.kept, ch.removed);
			rc = cli_rescore(cli, cli->st, time_now());
		}
	}
	diag_list_release(&errs);
	deconf_file_release(&f);
	return rc;
}

struct list_ctx {
	bool json, first;
	long n;
	struct buf b;
};

static int put_entry(void *ctx, const struct deconf_row *r)
{
	struct list_ctx *x = ctx;
	char until[16] = "-";

	x->n++;
	if (r->until_day >= 0)
		time_format_date((int32_t)r->until_day, until);
	if (!x->json) {
		cli_print(stdout, "%-8s %-32s %-24s %-20s %-10s %s%s\n", r->type, r->value,
		          r->owner, r->operation ? r->operation : "-", until, r->contact,
		          r->active ? "" : " (lapsed)");
		return ferror(stdout) ? -1 : 0;
	}
	buf_reset(&x->b);
	if (buf_adds(&x->b, x->first ? "\n  " : ",\n  ") < 0)
		return -1;
	x->first = false;
	{
		bool f = true;
		int rc = buf_addc(&x->b, '{');

		rc |= jsonw_key(&x->b, &f, "type") | jsonw_string(&x->b, r->type, strlen(r->type));
		rc |=
		    jsonw_key(&x->b, &f, "value") | jsonw_string(&x->b, r->value, strlen(r->value));
		rc |=
		    jsonw_key(&x->b, &f, "owner") | jsonw_string(&x->b, r->owner, strlen(r->owner));
		rc |= jsonw_key(&x->b, &f, "operation");
		rc |= r->operation ? jsonw_string(&x->b, r->operation, strlen(r->operation))
		                   : buf_adds(&x->b, "null");
		rc |= jsonw_key(&x->b, &f, "contact") |
		      jsonw_string(&x->b, r->contact, strlen(r->contact));
		rc |= jsonw_key(&x->b, &f, "until");
		rc |=
		    r->until_day >= 0 ? buf_addf(&x->b, "\"%s\"", until) : buf_adds(&x->b, "null");
		rc |=
		    jsonw_key(&x->b, &f, "active") | buf_adds(&x->b, r->active ? "true" : "false");
		if (rc | buf_addc(&x->b, '}'))
			return -1;
	}
	return fwrite(x->b.data, 1, x->b.len, stdout) == x->b.len ? 0 : -1;
}

static int do_list(struct cli *cli)
{
	const char *fmt = cli_str(cli, "format");
	struct list_ctx x = {fmt && strcmp(fmt, "json") == 0, true, 0, {0}};
	struct deconf_meta m;
	char t[TIME_LOCAL_MAX], hex[HASH_HEX];
	struct diag d;
	int64_t now = time_now();
	int rc;

	buf_init(&x.b);
	diag_clear(&d);
	if (store_deconf_meta(cli->st, &m, &d) < 0)
		return cli_report(&d);
	hash_hex(hex, m.hash);
	time_format_local(m.imported_at, t);
	if (x.json) {
		struct buf b;
		bool f = true;

		buf_init(&b);
		rc = buf_adds(&b, "{\"list\":");
		if (!m.present) {
			rc |= buf_adds(&b, "null");
		} else {
			char iso[40];

			time_format(m.imported_at, iso);
			rc |= buf_addc(&b, '{') | jsonw_key(&b, &f, "source") |
			      jsonw_string(&b, m.source, strlen(m.source));
			rc |= jsonw_key(&b, &f, "imported_at") | buf_addf(&b, "\"%s\"", iso);
			rc |= jsonw_key(&b, &f, "imported_by") |
			      jsonw_string(&b, m.imported_by, strlen(m.imported_by));
			rc |= jsonw_key(&b, &f, "file_hash") | buf_addf(&b, "\"%s\"", hex);
			rc |= jsonw_key(&b, &f, "entries") | buf_addf(&b, "%ld", m.entries);
			rc |= jsonw_key(&b, &f, "age_days") |
			      buf_addf(&b, "%lld", (long long)((now - m.imported_at) / US_PER_DAY));
			rc |= buf_addc(&b, '}');
		}
		rc |= buf_adds(&b, ",\"entries\":[");
		if (rc < 0 || fwrite(b.data, 1, b.len, stdout) != b.len) {
			buf_release(&b);
			return cli_fail(cli, EX_IOERR, "standard output: write error");
		}
		buf_release(&b);
	} else if (!m.present) {
		puts("no deconfliction list (reftriage deconflict import FILE.csv)");
	} else {
		cli_print(stdout,
		          "list %s, imported %s by %s, %ld entr%s, %lld day%s old (%.12s)\n",
		          m.source, t, m.imported_by, m.entries, m.entries == 1 ? "y" : "ies",
		          (long long)((now - m.imported_at) / US_PER_DAY),
		          (now - m.imported_at) / US_PER_DAY == 1 ? "" : "s", hex);
		printf("%-8s %-32s %-24s %-20s %-10s %s\n", "type", "value", "owner", "operation",
		       "until", "contact");
	}
	rc = store_deconf_each(cli->st, time_local_day(now), put_entry, &x, &d);
	buf_release(&x.b);
	if (rc < 0 && d.code)
		return cli_report(&d);
	if (rc != 0 || (x.json && fputs(x.first ? "]}\n" : "\n]}\n", stdout) == EOF))
		return cli_fail(cli, EX_IOERR, "standard output: write error");
	cli_details_int(&cli->details, "entries", x.n);
	return EX_OK;
}

static int do_clear(struct cli *cli)
{
	const char *note = cli_str(cli, "note");
	struct diag d;
	long removed = 0;
	int rc;

	if (!note || !*note)
		return cli_usage_error(cli, "clear needs --note TEXT: why there is no list now");
	diag_clear(&d);
	if (store_deconf_clear(cli->st, &removed, &d) < 0)
		return cli_report(&d);
	cli->action = "deconflict clear";
	cli_details_str(&cli->details, "note", note);
	cli_details_int(&cli->details, "removed", removed);
	rc = cli_commit(cli);
	if (rc != EX_OK)
		return rc;
	cli_note(cli, "no deconfliction list now (%ld entr%s removed)", removed,
	         removed == 1 ? "y" : "ies");
	return cli_rescore(cli, cli->st, time_now());
}

const struct cli_cmd deconflict_subs[] = {
    {"import", do_import, dimport_opts, dimport_about, CLI_STORE | CLI_TXN,
     "replace the active list with a CSV export", "FILE.csv", 1, 1, NULL, NULL},
    {"list", do_list, dlist_opts, dlist_about, CLI_STORE | CLI_READ,
     "the active entries and when the list came", NULL, 0, 0, NULL, NULL},
    {"clear", do_clear, dclear_opts, dclear_about, CLI_STORE | CLI_TXN, "no list, with a note",
     NULL, 0, 0, NULL, NULL},
    CLI_CMD_END,
};
