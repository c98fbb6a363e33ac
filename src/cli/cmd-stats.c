/* reftriage stats: the state of the caseload at a glance. */
#include "reftriage/cli.h"

#include "reftriage/jsonw.h"
#include "reftriage/score.h"
#include "reftriage/timeutil.h"

#include <getopt.h>

static const char usage[] =
    "usage: reftriage [--db PATH] stats [--format text|json]\n\n"
    "Open packages by priority (with how many are overdue), by source and by type;\n"
    "all packages by status; the oldest open referral; and the median time from\n"
    "receipt to the first assignment or status change, for packages that have one.\n";

struct stats_ctx {
	bool json;
	const struct ruleset *rs;
	struct buf *b;
	size_t n;
	int err;
};

static int on_group(void *ctx, const char *key, long count, long overdue)
{
	struct stats_ctx *x = ctx;
	const char *name = key;
	char label[200] = "";

	if (x->rs && key && key[0] >= '0' && key[0] <= '9') { /* a band index */
		long i = strtol(key, NULL, 10);

		if (i >= 0 && (size_t)i < x->rs->nbands) {
			name = x->rs->bands[i].priority;
			(void)snprintf(label, sizeof(label), "%s", x->rs->bands[i].label);
		}
	}
	if (x->json) {
		bool first = true;

		x->err |= buf_adds(x->b, x->n ? ",{" : "{");
		x->err |= jsonw_key(x->b, &first, "key");
		x->err |= jsonw_string(x->b, name, strlen(name));
		x->err |= jsonw_key(x->b, &first, "count");
		x->err |= buf_addf(x->b, "%ld", count);
		if (label[0]) {
			x->err |= jsonw_key(x->b, &first, "overdue");
			x->err |= buf_addf(x->b, "%ld", overdue);
		}
		x->err |= buf_addc(x->b, '}');
	} else if (label[0]) {
		printf("  %-12s %7ld   overdue %-7ld %s\n", name, count, overdue, label);
	} else {
		printf("  %-22s %7ld\n", name, count);
	}
	x->n++;
	return x->err ? -1 : 0;
}

static void duration(char *dst, size_t size, int64_t us)
{
	int64_t mins = us / (60 * US_PER_SEC);

	if (mins < 0)
		mins = 0;
	(void)snprintf(dst, size, "%lldd %02lldh %02lldm", (long long)(mins / 1440),
	               (long long)(mins / 60 % 24), (long long)(mins % 60));
}

/* The consultation: counts only, and the one ref shown (the oldest open). */
static int audit_stats(const struct cli *cli, struct store *st, const struct store_stats *ss,
                       bool json)
{
	struct cli_details x;
	struct diag d;

	diag_clear(&d);
	if (ss->has_oldest && store_audit_ref(st, ss->oldest_ref, &d) < 0)
		return cli_report(&d);
	cli_details_init(&x);
	cli_details_str(&x, "format", json ? "json" : "text");
	cli_details_int(&x, "open", ss->open);
	cli_details_int(&x, "closed", ss->closed);
	return cli_audit_commit(cli, st, "stats", &x);
}

int cmd_stats(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"format", required_argument, NULL, 'f'},
	    {NULL, 0, NULL, 0},
	};
	static const struct {
		enum store_group g;
		const char *title, *key;
	} groups[] = {
	    {GROUP_PRIORITY, "open packages by priority", "by_priority"},
	    {GROUP_STATUS, "all packages by status", "by_status"},
	    {GROUP_SOURCE, "open packages by source", "by_source"},
	    {GROUP_TYPE, "open packages by referral type", "by_type"},
	};
	struct stats_ctx x;
	struct store_stats ss;
	struct ruleset *rs = NULL;
	struct store *st = NULL;
	struct buf b;
	struct diag d;
	int64_t as_of = 0, rsid = 0;
	bool json = false, scored;
	char t[40], dur[40];
	size_t i;
	int c, rc;

	cli_getopt_start();
	while ((c = cli_getopt(cli, argc, argv, ":h", opts)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			return EX_OK;
		}
		if (c != 'f' || cli_parse_text_json(cli, cli_optarg, &json) != EX_OK)
			return EX_USAGE;
	}
	if (cli_no_operands(cli, argc, argv) != EX_OK)
		return EX_USAGE;
	rc = cli_open_store(cli, 5000, &st);
	if (rc != EX_OK)
		return rc;
	buf_init(&b);
	diag_clear(&d);
	/* A consultation is recorded: the write lock first, the entry with the reading. */
	if (store_begin(st, &d) < 0) {
		rc = cli_report(&d);
		goto out;
	}
	rc = store_get_scored(st, &as_of, &rsid, &d);
	if (rc < 0 || score_load_rules(st, rc == 0 ? rsid : 0, &rs, &rsid, &d) < 0 ||
	    store_stats(st, &ss, &d) < 0) {
		rc = cli_report(&d);
		goto out;
	}
	scored = rc == 0;
	memset(&x, 0, sizeof(x));
	x.json = json;
	x.rs = rs;
	x.b = &b;
	if (json) {
		bool first = true;

		x.err |= buf_addc(&b, '{');
		x.err |= jsonw_key(&b, &first, "as_of");
		if (scored) {
			time_format(as_of, t);
			x.err |= jsonw_string(&b, t, strlen(t));
		} else {
			x.err |= buf_adds(&b, "null");
		}
		x.err |= jsonw_key(&b, &first, "open");
		x.err |= buf_addf(&b, "%ld", ss.open);
		x.err |= jsonw_key(&b, &first, "closed");
		x.err |= buf_addf(&b, "%ld", ss.closed);
		for (i = 0; i < ARRAY_SIZE(groups); i++) {
			x.n = 0;
			x.err |= jsonw_key(&b, &first, groups[i].key);
			x.err |= buf_addc(&b, '[');
			if (store_stats_group(st, groups[i].g, on_group, &x, &d) < 0) {
				rc = cli_report(&d);
				goto out;
			}
			x.err |= buf_addc(&b, ']');
		}
		x.err |= jsonw_key(&b, &first, "oldest_open");
		if (ss.has_oldest) {
			bool f2 = true;

			time_format(ss.oldest_received_at, t);
			x.err |= buf_addc(&b, '{');
			x.err |= jsonw_key(&b, &f2, "package_ref");
			x.err |= jsonw_string(&b, ss.oldest_ref, strlen(ss.oldest_ref));
			x.err |= jsonw_key(&b, &f2, "received_at");
			x.err |= jsonw_string(&b, t, strlen(t));
			x.err |= buf_addc(&b, '}');
		} else {
			x.err |= buf_adds(&b, "null");
		}
		x.err |= jsonw_key(&b, &first, "packages_with_action");
		x.err |= buf_addf(&b, "%ld", ss.acted);
		x.err |= jsonw_key(&b, &first, "median_hours_to_first_action");
		x.err |= ss.acted ? buf_addf(&b, "%.1f", (double)ss.median_to_first_action / 3.6e9)
		                  : buf_adds(&b, "null");
		x.err |= buf_adds(&b, "}\n");
		if (x.err) {
			fprintf(stderr, "reftriage: stats: out of memory\n");
			rc = EX_SOFTWARE;
			goto out;
		}
		fwrite(b.data, 1, b.len, stdout);
		rc = audit_stats(cli, st, &ss, true);
		goto out;
	}
	if (scored) {
		time_format(as_of, t);
		printf("as of %s (scores), rules %s %s\n", t, rs->name, rs->version);
	} else {
		printf("nothing scored yet; rules %s %s\n", rs->name, rs->version);
	}
	printf("%ld open, %ld closed\n", ss.open, ss.closed);
	for (i = 0; i < ARRAY_SIZE(groups); i++) {
		printf("\n%s\n", groups[i].title);
		x.n = 0;
		if (store_stats_group(st, groups[i].g, on_group, &x, &d) < 0) {
			rc = cli_report(&d);
			goto out;
		}
		if (!x.n)
			printf("  none\n");
	}
	printf("\noldest open referral\n");
	if (ss.has_oldest) {
		time_format(ss.oldest_received_at, t);
		printf("  %s received %s\n", ss.oldest_ref, t);
	} else {
		printf("  none\n");
	}
	printf("\nmedian time from receipt to first action\n");
	if (ss.acted) {
		duration(dur, sizeof(dur), ss.median_to_first_action);
		printf("  %s over %ld package%s\n", dur, ss.acted, ss.acted == 1 ? "" : "s");
	} else {
		printf("  no package has been acted on yet\n");
	}
	rc = audit_stats(cli, st, &ss, false);
out:
	if (st)
		store_rollback(st); /* nothing to undo after a commit; after an error, the lock */
	ruleset_free(rs);
	buf_release(&b);
	store_close(st);
	return rc;
}
