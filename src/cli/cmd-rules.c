/* reftriage rules check | install | show: the force's priority rules. */
#include "reftriage/cli.h"

#include "reftriage/alloc.h"
#include "reftriage/backtest.h"
#include "reftriage/buf.h"
#include "reftriage/hash.h"
#include "reftriage/mreport.h"
#include "reftriage/score.h"
#include "reftriage/timeutil.h"
#include "reftriage/whatif.h"

#include <fcntl.h>
#include <strings.h>
#include <unistd.h>

static const char *const formats[] = {"text", "json", NULL};
static const struct cli_opt check_opts[] = {CLI_OPT_END};
static const char check_about[] =
    "Validate a rules file: every error with its rule id and column (exit 0 or 65).\n"
    "The file format and the condition language are in docs/rules.md.\n";
static const struct cli_opt install_opts[] = {
    CLI_OPT_AS_OF,
    CLI_OPT_WAIT,
    CLI_OPT_DRY_RUN("print what would move (as rules diff) and stop"),
    {"verbose", 'v', CLI_FLAG, NULL, "print what moves (as --dry-run) before installing", NULL, 0,
     0},
    CLI_OPT_END,
};
static const char install_about[] =
    "Check FILE, keep it in the store under its BLAKE2b-256 hash, make it the active\n"
    "rule set and rescore every open package (at TIME, default now), in one\n"
    "transaction: never new rules with old scores. On success it prints one line:\n"
    "what was installed, how many open packages were rescored and how many changed\n"
    "priority. --dry-run prints how the open packages would move between priorities\n"
    "(one line a band, as rules diff) and rules diff's summary lines (priority,\n"
    "score, rank, due times, the bands and rules that differ) and stops: the store\n"
    "is not changed. --verbose prints the same before installing.\n";
static const char *const diff_formats[] = {"text", "json", "html", NULL};
static const struct cli_opt diff_opts[] = {
    {"against", 0, CLI_TEXT, "FILE", "compare with this rules file (default: the active rules)",
     NULL, 0, 0},
    CLI_OPT_AS_OF,
    CLI_OPT_FORMAT(diff_formats, "text for people, json for scripts, html to print"),
    CLI_OPT_OUTPUT("write to FILE (atomically) instead of standard output"),
    CLI_OPT_END,
};
static const char diff_about[] =
    "Score the open packages with the active rules (or --against FILE) and with FILE\n"
    "at one time (default now), in memory, and show what would change: the bands\n"
    "and rules that differ, how many packages move from each priority to each other\n"
    "(the matrix), each package whose priority, score, rank or due time changes\n"
    "(with why: the rules it gains and loses, the floor or band that sets its\n"
    "priority), and how many fall due earlier or later and become or stop being\n"
    "overdue at that time. Nothing is installed or stored (docs/report.md).\n";
static const struct cli_opt rshow_opts[] = {
    CLI_OPT_FORMAT(formats, "text for people; json prints the installed file exactly"),
    CLI_OPT_END,
};
static const char rshow_about[] =
    "The active rules: their hash, when and by whom they were installed, the bands\n"
    "and every rule.\n";

/* Rules files are small; anything larger than this is not one. */
#define RULES_MAX_BYTES RULES_MAX_FILE_BYTES

/* Read a whole rules file; EX_OK, or an exit code after a message. */
static int read_file(const char *path, struct buf *out)
{
	char chunk[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		fprintf(stderr, "reftriage: %s: cannot open: %s\n", path, strerror(errno));
		return EX_NOINPUT;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "reftriage: %s: read error: %s\n", path, strerror(errno));
			(void)close(fd);
			return EX_IOERR;
		}
		if (out->len + (size_t)n > RULES_MAX_BYTES) {
			fprintf(stderr, "reftriage: %s: larger than %d bytes: not a rules file\n",
			        path, RULES_MAX_BYTES);
			(void)close(fd);
			return EX_DATAERR;
		}
		if (buf_add(out, chunk, (size_t)n) < 0) {
			fprintf(stderr, "reftriage: %s: out of memory\n", path);
			(void)close(fd);
			return EX_SOFTWARE;
		}
	}
	(void)close(fd);
	return EX_OK;
}

/* Parse and check; print every error as FILE[:LINE]: WHERE: KEY: column N: message. */
static int check(const char *path, struct buf *body, struct ruleset **out)
{
	struct diag_list errs;
	size_t total;
	int rc = read_file(path, body);

	*out = NULL;
	if (rc != EX_OK)
		return rc;
	diag_list_init(&errs, RULES_MAX_ERRORS);
	*out = ruleset_parse(body->data, body->len, &errs);
	if (errs.oom) {
		fprintf(stderr, "reftriage: %s: out of memory\n", path);
		diag_list_release(&errs);
		return EX_SOFTWARE;
	}
	total = cli_report_list(path, &errs, "error");
	rc = errs.n ? EX_DATAERR : EX_OK;
	if (errs.n) {
		cli_put_safe(stderr, path, strlen(path), NULL);
		fprintf(stderr, ": %zu error%s; the rules were not accepted\n", total,
		        total == 1 ? "" : "s");
	}
	diag_list_release(&errs);
	return rc;
}

/*
 * The one success line, naming the ageing rules: their points order a band,
 * never choose it.
 */
static int note_ok(const struct cli *cli, const char *path, const struct ruleset *rs)
{
	char hex[HASH_HEX];
	struct buf ids;
	int n;

	buf_init(&ids);
	n = ruleset_ageing_ids(rs, &ids);
	hash_hex(hex, rs->hash);
	if (n >= 0)
		cli_note(cli, "%s: ok: %s %s, %zu rules, %zu bands, hash %s; %s%s", path, rs->name,
		         rs->version, rs->nrules, rs->nbands, hex,
		         n ? "ageing rules (order packages within a band, never change it): "
		           : "no ageing rules",
		         n ? ids.data : "");
	buf_release(&ids);
	return n < 0 ? cli_fail(cli, EX_SOFTWARE, "%s: out of memory", path) : EX_OK;
}

static int do_check(struct cli *cli)
{
	const char *path = cli->operands[0];
	struct ruleset *rs;
	struct buf body;
	int rc;

	buf_init(&body);
	rc = check(path, &body, &rs);
	if (rc == EX_OK)
		rc = note_ok(cli, path, rs);
	ruleset_free(rs);
	buf_release(&body);
	return rc;
}

/*
 * Score the open packages with from (NULL: the active rules) and to at
 * as_of, in memory: the diff that rules diff and rules install print.
 * Returns an exit code; *df is the caller's to release.
 */
static int run_diff(struct cli *cli, struct ruleset *from, const struct ruleset *to, int64_t as_of,
                    struct rules_diff *df, struct ruleset **active)
{
	struct diag d;
	int64_t id;

	diag_clear(&d);
	*active = NULL;
	if (!from) {
		if (score_load_rules(cli->st, 0, active, &id, &d) < 0)
			return cli_report(&d);
		from = *active;
	}
	if (rules_diff_run(df, cli->st, from, to, as_of, &d) < 0)
		return cli_report(&d);
	return EX_OK;
}

/*
 * A file with the active rules' name and version but other bytes: the
 * worklist, rules show and the audit trail would name two policies alike.
 * A warning on standard error (whatever the format), never a refusal: the
 * hash tells them apart, and a fix in place may be what the force wants.
 */
static void warn_same_label(struct cli *cli, const char *path, const struct ruleset *from,
                            const struct ruleset *to, const char *from_what)
{
	char h1[HASH_HEX], h2[HASH_HEX];

	if (!rules_diff_same_label(from, to))
		return;
	hash_hex(h1, to->hash);
	hash_hex(h2, from->hash);
	cli_warn(cli,
	         "warning: %s: the same name and version as %s (%s %s) but another hash (%.12s, "
	         "not %.12s): lists and the audit trail would name two policies alike; give it a "
	         "new version",
	         path, from_what, to->name, to->version, h1, h2);
}

/*
 * Before install switches: how the open packages would move, one line a
 * band (the diff's matrix), then the summary lines rules diff starts with
 * (priority, score, rank, due times, the policies' changes), on stderr.
 * Unusable active rules leave nothing to compare: installing a good file is
 * their cure, so it goes on.
 */
static int install_summary(struct cli *cli, const struct ruleset *rs, int64_t as_of,
                           size_t *changed)
{
	struct ruleset *active = NULL;
	struct rules_diff df;
	struct diag d;
	int64_t id;
	int rc = EX_OK;

	diag_clear(&d);
	if (score_load_rules(cli->st, 0, &active, &id, &d) < 0) {
		if (d.code != EX_CONFIG || cli_flag(cli, "dry-run"))
			return cli_report(&d);
		if (!cli->quiet)
			cli_warn(cli, "no summary of what moves: the active rules cannot be used");
		return EX_OK;
	}
	warn_same_label(cli, cli->operands[0], active, rs, "the active rules");
	/* With --quiet nothing would be shown: spare the second scoring pass. */
	if (cli->quiet && !cli_flag(cli, "dry-run")) {
		ruleset_free(active);
		return EX_OK;
	}
	rules_diff_init(&df);
	if (rules_diff_run(&df, cli->st, active, rs, as_of, &d) < 0)
		rc = cli_report(&d);
	*changed = df.priority_changed;
	/* The matrix is for the person deciding; the install itself says one line. */
	if (rc == EX_OK && !cli->quiet && (cli_flag(cli, "dry-run") || cli_flag(cli, "verbose"))) {
		cli_note(cli,
		         "%zu open packages by priority, the active rules (rows) to %s (columns); "
		         "%zu would change priority:",
		         df.n, cli->operands[0], df.priority_changed);
		if (report_diff_matrix(stderr, &df) < 0 || report_diff_summary(stderr, &df) < 0)
			rc = cli_fail(cli, EX_IOERR, "cannot write the summary");
	}
	rules_diff_release(&df);
	ruleset_free(active);
	return rc;
}

static int do_install(struct cli *cli)
{
	const char *path = cli->operands[0];
	int64_t as_of = cli_time(cli, "as-of", time_now()), id;
	struct ruleset *rs = NULL;
	struct buf body;
	struct diag d;
	unsigned long n = 0;
	size_t changed = SIZE_MAX;
	char hex[HASH_HEX], t[TIME_LOCAL_MAX], moved[64] = "";
	int rc;

	buf_init(&body);
	rc = check(path, &body, &rs);
	if (rc == EX_OK)
		rc = install_summary(cli, rs, as_of, &changed);
	if (rc == EX_OK && cli_flag(cli, "dry-run")) {
		cli_note(cli, "%s: dry run: nothing installed", path);
		ruleset_free(rs);
		buf_release(&body);
		return EX_OK;
	}
	diag_clear(&d);
	/* Installing and rescoring are one transaction: never new rules with old scores. */
	if (rc == EX_OK &&
	    (store_begin(cli->st, &d) < 0 ||
	     store_rules_install(cli->st, rs->hash, rs->name, rs->version, body.data, body.len,
	                         cli->operator_name, path, time_now(), &id, &d) < 0 ||
	     cli_audit_rules_install(cli, cli->st, rs, path, &d) < 0 ||
	     score_all(cli->st, rs, id, as_of, &n, &d) < 0 ||
	     cli_audit_score(cli, cli->st, rs, as_of, n, &d) < 0 || store_commit(cli->st, &d) < 0))
		rc = cli_report(&d);
	if (rc == EX_OK) {
		hash_hex(hex, rs->hash);
		time_format_local(as_of, t);
		if (changed != SIZE_MAX)
			(void)snprintf(moved, sizeof(moved), ", %zu changed priority", changed);
		cli_note(cli,
		         "installed %s %s (hash %s) from %s; rescored %lu open package%s as of "
		         "%s%s",
		         rs->name, rs->version, hex, path, n, n == 1 ? "" : "s", t, moved);
	}
	ruleset_free(rs);
	buf_release(&body);
	return rc;
}

/*
 * Where outcomes exist (outcomes.md), both rule sets measured on them, for
 * the text and html to show side by side: df->bt_from and df->bt_to point at
 * bt[0] and bt[1] (released by the caller), or stay NULL when no package is
 * labelled. Returns an exit code.
 */
static int diff_backtest(struct cli *cli, struct rules_diff *df, struct backtest bt[2])
{
	struct diag d;

	/* The top bands are the two most urgent, as rules backtest's default. */
	diag_clear(&d);
	if (backtest_run(cli->st, df->from, df->from->nbands > 1 ? 1 : 0, &bt[0], &d) < 0 ||
	    backtest_run(cli->st, df->to, df->to->nbands > 1 ? 1 : 0, &bt[1], &d) < 0)
		return cli_report(&d);
	if (bt[0].packages && bt[1].packages) {
		df->bt_from = &bt[0];
		df->bt_to = &bt[1];
	}
	return EX_OK;
}

static int write_diff(struct cli *cli, struct rules_diff *df, const char *format)
{
	struct backtest bt[2];
	int rc;

	memset(bt, 0, sizeof(bt));
	rc = strcmp(format, "json") != 0 ? diff_backtest(cli, df, bt) : EX_OK;
	if (rc == EX_OK &&
	    (strcmp(format, "json") == 0   ? report_diff_json(cli->out, df)
	     : strcmp(format, "html") == 0 ? report_diff_html(cli->out, df, time_now())
	                                   : report_diff_text(cli->out, df)) < 0)
		rc = cli_fail(cli, EX_IOERR, "cannot write the diff: %s", strerror(errno));
	backtest_release(&bt[0]);
	backtest_release(&bt[1]);
	df->bt_from = df->bt_to = NULL;
	if (rc != EX_OK)
		return rc;
	cli_details_str(&cli->details, "format", format);
	cli_details_hash(&cli->details, "from", df->from->hash);
	cli_details_hash(&cli->details, "to", df->to->hash);
	cli_details_time(&cli->details, "as_of", df->as_of);
	cli_details_int(&cli->details, "open_packages", (int64_t)df->n);
	cli_details_int(&cli->details, "priority_changed", (int64_t)df->priority_changed);
	return EX_OK;
}

static int do_diff(struct cli *cli)
{
	const char *format = cli_str(cli, "format"), *against = cli_str(cli, "against");
	int64_t as_of = cli_time(cli, "as-of", time_now());
	struct ruleset *to = NULL, *from = NULL, *active = NULL;
	struct buf body, body2;
	struct rules_diff df;
	int rc;

	buf_init(&body);
	buf_init(&body2);
	rules_diff_init(&df);
	rc = check(cli->operands[0], &body, &to);
	if (rc == EX_OK && against)
		rc = check(against, &body2, &from);
	if (rc == EX_OK)
		rc = run_diff(cli, from, to, as_of, &df, &active);
	if (rc == EX_OK)
		warn_same_label(cli, cli->operands[0], df.from, df.to,
		                against ? against : "the active rules");
	if (rc == EX_OK)
		rc = write_diff(cli, &df, format ? format : "text");
	rules_diff_release(&df);
	ruleset_free(active);
	ruleset_free(from);
	ruleset_free(to);
	buf_release(&body);
	buf_release(&body2);
	return rc;
}

struct show_ctx {
	bool json;
	struct ruleset *rs;
	int rc;
};

static int on_active(void *ctx, const struct store_rules *r)
{
	struct show_ctx *x = ctx;
	struct diag_list errs;
	char hex[HASH_HEX], t[TIME_LOCAL_MAX];
	size_t i;

	if (x->json) {
		fwrite(r->body, 1, r->body_len, stdout);
		return 0;
	}
	diag_list_init(&errs, RULES_MAX_ERRORS);
	x->rs = ruleset_parse(r->body, r->body_len, &errs);
	diag_list_release(&errs);
	hash_hex(hex, r->hash);
	time_format_local(r->installed_at, t);
	/* A rules file's names and descriptions are its author's text: printed safely. */
	cli_print(stdout, "rules      %s %s\nhash       %s\ninstalled  %s by %s from %s\n", r->name,
	          r->version, hex, t, r->operator_name, r->source_file);
	if (!x->rs) {
		fputs("reftriage: rules show: the stored rules cannot be read by this reftriage\n",
		      stderr);
		x->rc = EX_CONFIG;
		return 0;
	}
	printf("\nbands (most urgent first)\n");
	for (i = 0; i < x->rs->nbands; i++) {
		const struct band *b = &x->rs->bands[i];

		if (b->has_min)
			cli_print(stdout, "  %-4s score >= %-5lld respond within %4lld h  %s\n",
			          b->priority, (long long)b->min_score,
			          (long long)b->respond_within_hours, b->label);
		else
			cli_print(stdout, "  %-4s any other score    respond within %4lld h  %s\n",
			          b->priority, (long long)b->respond_within_hours, b->label);
	}
	printf("\nrules (in file order)\n");
	for (i = 0; i < x->rs->nrules; i++) {
		const struct rule *ru = &x->rs->rules[i];

		cli_print(stdout, "  %-24s %-16s %+5lld%s%s  %s\n      when %s\n", ru->id,
		          rule_category_names[ru->category], (long long)ru->points,
		          ru->floor >= 0 ? "  floor " : "",
		          ru->floor >= 0 ? x->rs->bands[ru->floor].priority : "", ru->description,
		          ru->when);
	}
	return 0;
}

static int do_show(struct cli *cli)
{
	const char *format = cli_str(cli, "format");
	struct show_ctx x = {format && strcmp(format, "json") == 0, NULL, EX_OK};
	struct diag d;
	int rc;

	diag_clear(&d);
	rc = store_rules_get(cli->st, 0, on_active, &x, &d);
	if (rc == 1)
		rc = cli_fail(cli, EX_CONFIG, "no rules are installed in %s", cli->db_path);
	else if (rc < 0)
		rc = cli_report(&d);
	else
		rc = x.rc;
	ruleset_free(x.rs);
	return rc;
}

static const char *const bt_formats[] = {"text", "json", "html", NULL};
static const struct cli_opt backtest_opts[] = {
    {"top", 0, CLI_TEXT, "P", "the least urgent band counted as top (default the second)", NULL, 0,
     0},
    CLI_OPT_FORMAT(bt_formats, "text for people, json for scripts, html to print"),
    CLI_OPT_OUTPUT("write to FILE (atomically) instead of standard output"),
    CLI_OPT_END,
};
static const char backtest_about[] =
    "Score every package with a positive or negative outcome with FILE (default: the\n"
    "active rules) as on the day it was received, and measure the order against the\n"
    "outcomes: AUC with a 95 % interval (DeLong), the share of positives and of\n"
    "negatives in the top bands, counts by band and each rule's lift. Nothing is\n"
    "stored. With no labelled package the figures are empty and a note says why\n"
    "(exit 0). See docs/outcomes.md.\n";

/* The rule set to measure: FILE, or the active one. */
static int backtest_rules(struct cli *cli, struct ruleset **rs)
{
	struct buf body;
	struct diag d;
	int64_t id;
	int rc = EX_OK;

	diag_clear(&d);
	if (cli->noperands == 0)
		return score_load_rules(cli->st, 0, rs, &id, &d) < 0 ? cli_report(&d) : EX_OK;
	buf_init(&body);
	rc = check(cli->operands[0], &body, rs);
	buf_release(&body);
	return rc;
}

/* --top P as a band index of rs (default the second band). */
static int backtest_top(struct cli *cli, const struct ruleset *rs, int *top)
{
	const char *p = cli_str(cli, "top");
	const char *names[17];
	size_t i;

	*top = rs->nbands > 1 ? 1 : 0;
	if (!p)
		return EX_OK;
	for (i = 0; i < rs->nbands && i + 1 < ARRAY_SIZE(names); i++) {
		names[i] = rs->bands[i].priority;
		if (strcasecmp(p, names[i]) == 0) {
			*top = (int)i;
			return EX_OK;
		}
	}
	names[i] = NULL;
	return cli_bad_value(cli, "--top", p, names);
}

static int do_backtest(struct cli *cli)
{
	const char *format = cli_str(cli, "format");
	struct backtest_report r;
	struct ruleset *rs = NULL;
	struct backtest bt;
	struct diag d;
	int top = 0, rc;

	memset(&bt, 0, sizeof(bt));
	diag_clear(&d);
	rc = backtest_rules(cli, &rs);
	if (rc == EX_OK)
		rc = backtest_top(cli, rs, &top);
	if (rc == EX_OK && backtest_run(cli->st, rs, top, &bt, &d) < 0)
		rc = cli_report(&d);
	if (rc == EX_OK) {
		r.bt = &bt;
		r.rs = rs;
		r.rules_source = cli->noperands ? cli->operands[0] : NULL;
		r.generated_at = time_now();
		if ((!format || strcmp(format, "text") == 0 ? backtest_write_text(cli->out, &r)
		     : strcmp(format, "json") == 0          ? backtest_write_json(cli->out, &r)
		                                   : backtest_write_html(cli->out, &r)) < 0)
			rc = cli_fail(cli, EX_IOERR, "write error: %s", strerror(errno));
		else if (backtest_note(&bt))
			cli_note(cli, "%s", backtest_note(&bt));
	}
	backtest_release(&bt);
	ruleset_free(rs);
	return rc;
}

const struct cli_cmd rules_subs[] = {
    {"check", do_check, check_opts, check_about, 0, "validate a rules file", "FILE", 1, 1, NULL,
     NULL},
    {"diff", do_diff, diff_opts, diff_about, CLI_STORE | CLI_READ | CLI_OUTPUT,
     "what a rules file would change, installing nothing", "FILE", 1, 1, NULL, NULL},
    {"install", do_install, install_opts, install_about, CLI_STORE,
     "make a rules file the active rules and rescore", "FILE", 1, 1, NULL, NULL},
    {"show", do_show, rshow_opts, rshow_about, CLI_STORE, "print the active rules", NULL, 0, 0,
     NULL, NULL},
    {"backtest", do_backtest, backtest_opts, backtest_about, CLI_STORE | CLI_OUTPUT,
     "measure rules against recorded outcomes", "[FILE]", 0, 1, NULL, NULL},
    CLI_CMD_END,
};
