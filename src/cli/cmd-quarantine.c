/* reftriage quarantine list | show ID: records refused at import. */
#include "reftriage/cli.h"

#include "reftriage/timeutil.h"

static const struct cli_opt list_opts[] = {CLI_OPT_WAIT_READ, CLI_OPT_END};
static const char list_about[] =
    "Records refused at import, kept with their raw bytes, source file, position\n"
    "and every reason: one line per record: ID, FILE:LINE, the package_ref when it\n"
    "was valid, the number of reasons and the first reason.\n";
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
	long shown;
};

static int seen(struct q_ctx *x, const struct store_quarantined *q)
{
	x->shown++;
	if (q->package_ref && store_audit_ref(x->st, q->package_ref, x->d) < 0)
		return -2;
	return 0;
}

static int on_list(void *ctx, const struct store_quarantined *q)
{
	size_t n;

	if (seen(ctx, q) < 0)
		return -2;
	printf("%-6lld ", (long long)q->id);
	cli_put_safe(stdout, q->file, strlen(q->file), NULL);
	printf(":%lu", q->line);
	if (q->index >= 0)
		printf("[%ld]", q->index);
	printf("  %s  ", q->package_ref ? q->package_ref : "-");
	print_reasons(q->reasons, true, &n);
	if (n > 1)
		printf(" (+%zu more)", n - 1);
	putchar('\n');
	return ferror(stdout) ? -1 : 0;
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
	printf("package_ref %s\nrejected at %s (import %lld)\nreasons\n",
	       q->package_ref ? q->package_ref : "-", t, (long long)q->import_id);
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
	rc = store_quarantine(cli->st, id, id ? on_show : on_list, &x, &d);
	if (rc == 1)
		return cli_fail(cli, EX_DATAERR, "no quarantined record %ld", id);
	if (rc < 0)
		return cli_report(&d);
	if (id)
		cli_details_int(&cli->details, "id", id);
	cli_details_int(&cli->details, "records", x.shown);
	return EX_OK;
}

static int do_list(struct cli *cli)
{
	return quarantine(cli, 0);
}

static int do_show(struct cli *cli)
{
	char *end;
	long id;

	errno = 0;
	id = strtol(cli->operands[0], &end, 10);
	if (!cli->operands[0][0] || *end || errno || id < 1)
		return cli_usage_error(cli, "ID is a number from 1, not '%s'", cli->operands[0]);
	return quarantine(cli, id);
}

const struct cli_cmd quarantine_subs[] = {
    {"list", do_list, list_opts, list_about, CLI_STORE | CLI_READ,
     "every quarantined record, one a line", NULL, 0, 0, NULL, NULL},
    {"show", do_show, qshow_opts, qshow_about, CLI_STORE | CLI_READ,
     "one quarantined record in full", "ID", 1, 1, NULL, NULL},
    CLI_CMD_END,
};
