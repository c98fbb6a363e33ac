/* reftriage quarantine list | show ID: records refused at import. */
#include "reftriage/cli.h"

#include "reftriage/timeutil.h"

#include <getopt.h>

static const char usage[] =
    "usage: reftriage [--db PATH] quarantine list\n"
    "       reftriage [--db PATH] quarantine show ID\n\n"
    "Records refused at import, kept with their raw bytes, source file, position\n"
    "and every reason. 'list' prints one line per record: ID, FILE:LINE, the\n"
    "package_ref when it was valid, the number of reasons and the first reason.\n"
    "'show' prints one record in full.\n";

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
	char t[40];
	size_t n;

	if (seen(ctx, q) < 0)
		return -2;
	time_format(q->created_at, t);
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

int cmd_quarantine(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	struct store *st = NULL;
	struct q_ctx x;
	struct diag d;
	long id = 0;
	int c, rc;

	cli_getopt_start();
	while ((c = cli_getopt(cli, argc, argv, ":h", opts)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			return EX_OK;
		}
		return EX_USAGE;
	}
	if (cli_optind >= argc)
		return cli_usage_error(cli, "say 'list' or 'show ID'");
	if (strcmp(argv[cli_optind], "list") == 0) {
		if (argc - cli_optind != 1)
			return cli_usage_error(cli, "'list' takes no arguments");
	} else if (strcmp(argv[cli_optind], "show") == 0) {
		if (argc - cli_optind != 2)
			return cli_usage_error(cli, "'show' takes one quarantine ID");
		if (cli_parse_uint(cli, "ID", argv[cli_optind + 1], LONG_MAX, &id) < 0 || id == 0)
			return id == 0 ? cli_usage_error(cli, "ID is a number from 1") : EX_USAGE;
	} else {
		return cli_usage_error(cli, "'%s' is not list or show", argv[cli_optind]);
	}
	rc = cli_open_store(cli, 5000, &st);
	if (rc != EX_OK)
		return rc;
	diag_clear(&d);
	x.st = st;
	x.d = &d;
	/* A consultation is recorded: the write lock first, the entry with the reading. */
	if (store_begin(st, &d) < 0) {
		rc = cli_report(&d);
		goto out;
	}
	rc = store_quarantine(st, id, id ? on_show : on_list, &x, &d);
	if (rc == 1) {
		fprintf(stderr, "reftriage: quarantine: no quarantined record %ld\n", id);
		rc = EX_DATAERR;
	} else if (rc < 0) {
		rc = cli_report(&d);
	} else {
		struct cli_details det;

		cli_details_init(&det);
		if (id)
			cli_details_int(&det, "id", id);
		cli_details_int(&det, "records", x.shown);
		rc = cli_audit_commit(cli, st, id ? "quarantine show" : "quarantine list", &det);
	}
out:
	store_rollback(st);
	store_close(st);
	return rc;
}
