/* reftriage quarantine list | show ID | dismiss ID...: records refused at import. */
#include "reftriage/cli.h"

#include "reftriage/buf.h"
#include "reftriage/jsonw.h"
#include "reftriage/report.h"
#include "reftriage/text.h"
#include "reftriage/timeutil.h"

static const char *const list_formats[] = {"table", "json", NULL};
static const struct cli_opt list_opts[] = {
    CLI_OPT_FORMAT(list_formats, "table (default) or json"),
    {"all", 'a', CLI_FLAG, NULL, "dismissed and resolved records too, marked", NULL, 0, 0},
    CLI_OPT_WAIT_READ,
    CLI_OPT_END,
};
static const char list_about[] =
    "Records refused at import, kept with their raw bytes, source file, position\n"
    "and every reason: one line per record: ID, FILE:LINE, the package_ref when it\n"
    "was valid, the number of reasons and the first reason. Only the open ones:\n"
    "a record a person dismissed (quarantine dismiss), or whose package_ref was\n"
    "later imported cleanly (resolved), shows only with --all, marked.\n"
    "--format json: an object with an `items` array (times UTC).\n";
static const struct cli_opt dismiss_opts[] = {
    CLI_OPT_NOTE("why (needed): kept with the record and in the audit trail"),
    CLI_OPT_END,
};
static const char dismiss_about[] =
    "Dismiss open quarantined records: nothing more will come of them (a test\n"
    "record, a duplicate of one resent correctly). --note says why; the note, the\n"
    "operator and the time are kept with each record and in the audit trail. A\n"
    "dismissed record leaves the default list ('quarantine list --all' shows it).\n"
    "Every ID must be an open record, or nothing is dismissed (exit 65).\n";
static const struct cli_opt qshow_opts[] = {CLI_OPT_WAIT_READ, CLI_OPT_END};
static const char qshow_about[] = "One quarantined record in full: reasons and raw bytes.\n";

/* Print the stored reasons ("FIELD<TAB>message" lines) as "FIELD: message". */
static void print_reasons(const char *reasons, bool first_only, size_t *count)
{
	const char *p = reasons;
	size_t n = 0;

	while (*p) {
		const char *nl = strchr(p, '\n'), *tab;
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		tab = memchr(p, '\t', len);
		n++;
		if (!first_only || n == 1) {
			if (!first_only)
				fputs("  ", stdout);
			if (tab) {
				cli_put_safe(stdout, p, (size_t)(tab - p), NULL);
				fputs(": ", stdout);
				cli_put_safe(stdout, tab + 1, len - (size_t)(tab - p) - 1, NULL);
			} else {
				cli_put_safe(stdout, p, len, NULL);
			}
			if (!first_only)
				putchar('\n');
		}
		p += len + (nl ? 1 : 0);
	}
	*count = n;
}

/* The consultation being recorded: the refs shown, where a record had one. */
struct q_ctx {
	struct store *st;
	struct diag *d;
	long shown, hidden;
	bool all;
	struct buf *json; /* --format json: the items written so far; NULL: a table */
};

/* Whether q is listed (counting those hidden), recording its ref when it is. */
static int seen(struct q_ctx *x, const struct store_quarantined *q)
{
	if (!x->all && q->state != STORE_Q_OPEN) {
		x->hidden++;
		return 1;
	}
	x->shown++;
	if (q->package_ref && store_audit_ref(x->st, q->package_ref, x->d) < 0)
		return -2;
	return 0;
}

/* What became of a record that is no longer open: "[...]" in a list (brackets). */
static void print_state(const struct store_quarantined *q, bool brackets)
{
	const char *open = brackets ? "  [" : "";
	char t[TIME_LOCAL_MAX];

	if (q->state == STORE_Q_RESOLVED) {
		time_format_local(q->resolved_at, t);
		printf("%sresolved: imported cleanly %s, import %lld%s", open, t,
		       (long long)q->resolved_by_import, brackets ? "]" : "");
	} else if (q->state == STORE_Q_DISMISSED) {
		time_format_local(q->dismissed_at, t);
		printf("%sdismissed %s by ", open, t);
		cli_put_safe(stdout, q->dismissed_by, strlen(q->dismissed_by), NULL);
		fputs(": ", stdout);
		cli_put_safe(stdout, q->dismiss_note, strlen(q->dismiss_note), NULL);
		if (brackets)
			putchar(']');
	}
}

static int on_list(void *ctx, const struct store_quarantined *q)
{
	size_t n;
	int rc = seen(ctx, q);

	if (rc)
		return rc < 0 ? rc : 0;
	/* The heading before the first row shown: an empty list stays empty. */
	if (((struct q_ctx *)ctx)->shown == 1)
		printf("%-6s %s  %s  %s\n", "ID", "FILE:LINE", "REF", "REASON");
	printf("%-6lld ", (long long)q->id);
	cli_put_safe(stdout, q->file, strlen(q->file), NULL);
	printf(":%lu", q->line);
	if (q->index >= 0)
		printf("[%ld]", q->index);
	printf("  %s  ", q->package_ref ? q->package_ref : "-");
	print_reasons(q->reasons, true, &n);
	if (n > 1)
		printf(" (+%zu more)", n - 1);
	print_state(q, true);
	putchar('\n');
	return ferror(stdout) ? -1 : 0;
}

/* "reasons":[{"field","message"}...] from the stored "FIELD<TAB>message" lines. */
static int json_reasons(struct buf *b, const char *p)
{
	int rc = buf_adds(b, ",\"reasons\":[");
	bool first_reason = true;

	while (*p) {
		const char *nl = strchr(p, '\n'), *tab;
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		bool first = true;

		tab = memchr(p, '\t', len);
		rc |= buf_adds(b, first_reason ? "{" : ",{");
		first_reason = false;
		rc |= jsonw_key(b, &first, "field");
		rc |= jsonw_string(b, p, tab ? (size_t)(tab - p) : 0);
		rc |= jsonw_key(b, &first, "message");
		rc |= tab ? jsonw_string(b, tab + 1, len - (size_t)(tab - p) - 1)
		          : jsonw_string(b, p, len);
		rc |= buf_addc(b, '}');
		p += len + (nl ? 1 : 0);
	}
	return rc | buf_addc(b, ']');
}

/* "key":"text" or "key":null. */
static int json_text(struct buf *b, bool *first, const char *key, const char *v)
{
	return jsonw_key(b, first, key) | (v ? jsonw_string(b, v, strlen(v)) : buf_adds(b, "null"));
}

/* "key":"YYYY-MM-DDTHH:MM:SSZ" or "key":null when us is 0. */
static int json_time(struct buf *b, bool *first, const char *key, int64_t us)
{
	int rc = jsonw_key(b, first, key);

	if (!us)
		return rc | buf_adds(b, "null");
	return rc | buf_addc(b, '"') | report_time(b, us) | buf_addc(b, '"');
}

static int on_json(void *ctx, const struct store_quarantined *q)
{
	static const char *const states[] = {"open", "dismissed", "resolved"};
	struct q_ctx *x = ctx;
	struct buf *b = x->json;
	bool first = true;
	int rc = seen(x, q);

	if (rc)
		return rc < 0 ? rc : 0;
	rc = buf_adds(b, x->shown > 1 ? ",{" : "{");
	rc |= jsonw_key(b, &first, "id") | buf_addf(b, "%lld", (long long)q->id);
	rc |= json_text(b, &first, "state", states[q->state]);
	rc |= json_text(b, &first, "file", q->file);
	rc |= jsonw_key(b, &first, "line") | buf_addf(b, "%lu", q->line);
	rc |= jsonw_key(b, &first, "index");
	rc |= q->index >= 0 ? buf_addf(b, "%ld", q->index) : buf_adds(b, "null");
	rc |= json_text(b, &first, "package_ref", q->package_ref);
	rc |= json_time(b, &first, "rejected_at", q->created_at);
	rc |= jsonw_key(b, &first, "import") | buf_addf(b, "%lld", (long long)q->import_id);
	rc |= json_reasons(b, q->reasons);
	rc |= json_time(b, &first, "dismissed_at", q->dismissed_at);
	rc |= json_text(b, &first, "dismissed_by", q->dismissed_by);
	rc |= json_text(b, &first, "note", q->dismiss_note);
	rc |= json_time(b, &first, "resolved_at", q->resolved_at);
	rc |= jsonw_key(b, &first, "resolved_by_import");
	rc |= q->resolved_by_import ? buf_addf(b, "%lld", (long long)q->resolved_by_import)
	                            : buf_adds(b, "null");
	if ((rc | buf_addc(b, '}')) != 0) {
		diag_set(x->d, EX_SOFTWARE, "out of memory");
		return -1;
	}
	return 0;
}

static int on_show(void *ctx, const struct store_quarantined *q)
{
	char t[TIME_LOCAL_MAX];
	size_t n;

	if (seen(ctx, q) < 0)
		return -2;
	time_format_local(q->created_at, t);
	printf("quarantine  %lld\nfile        ", (long long)q->id);
	cli_put_safe(stdout, q->file, strlen(q->file), NULL);
	printf("\nline        %lu\n", q->line);
	if (q->index >= 0)
		printf("array index %ld\n", q->index);
	printf("package_ref %s\nrejected at %s (import %lld)\nstate       %s",
	       q->package_ref ? q->package_ref : "-", t, (long long)q->import_id,
	       q->state == STORE_Q_OPEN ? "open" : "");
	print_state(q, false);
	printf("\nreasons\n");
	print_reasons(q->reasons, false, &n);
	printf("raw record  %llu bytes%s\n", (unsigned long long)q->raw_size,
	       q->raw_len < q->raw_size ? ", first part shown" : "");
	{
		size_t rn = q->raw_len;

		/* The record's own line end is not worth a line of its own. */
		if (rn && ((const char *)q->raw)[rn - 1] == '\n')
			rn--;
		if (rn && ((const char *)q->raw)[rn - 1] == '\r')
			rn--;
		fputs("  | ", stdout);
		cli_put_safe(stdout, q->raw, rn, "  | ");
	}
	putchar('\n');
	return ferror(stdout) ? -1 : 0;
}

/* The JSON list: {"all":B,"shown":N,"hidden":M,"items":[...]} on stdout. */
static int list_json(struct cli *cli, struct q_ctx *x)
{
	struct buf b;
	int rc;

	buf_init(&b);
	x->json = &b;
	rc = buf_adds(&b, "{\"items\":[") < 0 ? -1 : store_quarantine(cli->st, 0, on_json, x, x->d);
	if (rc < 0) {
		buf_release(&b);
		return cli_report(x->d);
	}
	rc = buf_addf(&b, "],\"all\":%s,\"shown\":%ld,\"hidden\":%ld}\n", x->all ? "true" : "false",
	              x->shown, x->hidden);
	if (rc == 0 && (fwrite(b.data, 1, b.len, stdout) != b.len || fflush(stdout) != 0)) {
		buf_release(&b);
		return cli_fail(cli, EX_IOERR, "write error: %s", strerror(errno));
	}
	buf_release(&b);
	return rc < 0 ? cli_fail(cli, EX_SOFTWARE, "out of memory") : EX_OK;
}

/* list (id 0) or show ID, recorded as a consultation. */
static int quarantine(struct cli *cli, long id)
{
	struct q_ctx x;
	struct diag d;
	int rc;

	memset(&x, 0, sizeof(x));
	diag_clear(&d);
	x.st = cli->st;
	x.d = &d;
	x.all = id > 0 || (cli_has_opt(cli, "all") && cli_flag(cli, "all"));
	if (id == 0 && cli_has_opt(cli, "format") && cli_str(cli, "format") &&
	    text_ieq(cli_str(cli, "format"), strlen(cli_str(cli, "format")), "json")) {
		if ((rc = list_json(cli, &x)) != EX_OK)
			return rc;
	} else {
		rc = store_quarantine(cli->st, id, id ? on_show : on_list, &x, &d);
		if (rc == 1)
			return cli_fail(cli, EX_DATAERR, "no quarantined record %ld", id);
		if (rc < 0)
			return cli_report(&d);
	}
	if (id)
		cli_details_int(&cli->details, "id", id);
	cli_details_int(&cli->details, "records", x.shown);
	if (x.hidden)
		cli_note(
		    cli,
		    "%ld open record%s; %ld dismissed or resolved not shown (--all shows them)",
		    x.shown, x.shown == 1 ? "" : "s", x.hidden);
	return EX_OK;
}

static int do_list(struct cli *cli)
{
	return quarantine(cli, 0);
}

/* An ID operand: a number from 1, else -1 (after a usage error). */
static long parse_id(struct cli *cli, const char *s)
{
	char *end;
	long id;

	errno = 0;
	id = strtol(s, &end, 10);
	if (!s[0] || strspn(s, "0123456789") != strlen(s) || *end || errno || id < 1) {
		(void)cli_usage_error(cli, "ID is a number from 1, not '%s'", s);
		return -1;
	}
	return id;
}

static int do_show(struct cli *cli)
{
	long id = parse_id(cli, cli->operands[0]);

	return id < 0 ? EX_USAGE : quarantine(cli, id);
}

/* Dismiss one record, naming its ref in the entry. Returns an exit code. */
static int dismiss_one(struct cli *cli, long id, const char *note, struct buf *ids)
{
	char ref[128];
	struct diag d;
	int rc;

	diag_clear(&d);
	rc = store_quarantine_dismiss(cli->st, id, cli->operator_name, note, time_now(), ref,
	                              sizeof(ref), &d);
	if (rc == 1)
		return cli_fail(cli, EX_DATAERR, "no quarantined record %ld; nothing dismissed",
		                id);
	if (rc == 2)
		return cli_fail(cli, EX_DATAERR,
		                "quarantined record %ld is already dismissed or resolved; nothing "
		                "dismissed",
		                id);
	if (rc < 0 || (ref[0] && store_audit_ref(cli->st, ref, &d) < 0))
		return cli_report(&d);
	if (buf_addf(ids, "%s%ld", ids->len ? " " : "", id) < 0)
		return cli_fail(cli, EX_SOFTWARE, "out of memory");
	return EX_OK;
}

static int do_dismiss(struct cli *cli)
{
	const char *note = cli_str(cli, "note");
	struct buf ids;
	int i, rc = EX_OK;

	if (!note || !note[0] || strlen(note) > 2000 ||
	    utf8_invalid_at(note, strlen(note)) != strlen(note))
		return cli_usage_error(
		    cli, "dismiss needs --note TEXT (why; UTF-8 text, at most 2000 bytes)");
	for (i = 0; i < cli->noperands; i++)
		if (parse_id(cli, cli->operands[i]) < 0)
			return EX_USAGE;
	buf_init(&ids);
	for (i = 0; i < cli->noperands && rc == EX_OK; i++)
		rc = dismiss_one(cli, parse_id(cli, cli->operands[i]), note, &ids);
	if (rc == EX_OK) {
		cli_details_str(&cli->details, "ids", ids.data);
		cli_details_str(&cli->details, "note", note);
		cli_details_int(&cli->details, "dismissed", cli->noperands);
		cli_note(cli, "dismissed %d quarantined record%s: %s", cli->noperands,
		         cli->noperands == 1 ? "" : "s", ids.data);
	}
	buf_release(&ids);
	return rc;
}

const struct cli_cmd quarantine_subs[] = {
    {"list", do_list, list_opts, list_about, CLI_STORE | CLI_READ,
     "the open quarantined records, one a line", NULL, 0, 0, NULL, NULL},
    {"show", do_show, qshow_opts, qshow_about, CLI_STORE | CLI_READ,
     "one quarantined record in full", "ID", 1, 1, NULL, NULL},
    {"dismiss", do_dismiss, dismiss_opts, dismiss_about, CLI_STORE | CLI_TXN,
     "dismiss quarantined records, with a note", "ID...", 1, -1, NULL, NULL},
    CLI_CMD_END,
};
