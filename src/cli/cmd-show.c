/*
 * reftriage show REF: one package for people, the decision first (priority,
 * score, due, status, and why: each rule that fired with its points), then
 * the known fields, links, history and versions, in 80 columns; with
 * --format json, everything for scripts; with --format html, the case file
 * (every version's fields too). show REF --diff: the fields that changed
 * between two versions. This file reads the store in that order; the
 * writers are in src/report/show-*.c.
 */
#include "reftriage/cli.h"

#include "reftriage/hash.h"
#include "reftriage/jsonw.h"
#include "reftriage/package.h"
#include "reftriage/score.h"
#include "reftriage/show.h"
#include "reftriage/timeutil.h"

static const char *const formats[] = {"text", "json", "html", NULL};
const struct cli_opt show_opts[] = {
    CLI_OPT_FORMAT(formats, "text for people, json for scripts, html the printable case file"),
    {"all", 'a', CLI_FLAG, NULL, "list the unknown fields too", NULL, 0, 0},
    {"diff", 0, CLI_FLAG, NULL, "the fields that changed between two versions", NULL, 0, 0},
    {"versions", 0, CLI_TEXT, "A,B",
     "with --diff: compare version A with B (default: the last two)", NULL, 0, 0},
    CLI_OPTS_EXPORT,
    CLI_OPT_WAIT_READ,
    CLI_OPT_END,
};
const char show_about[] =
    "Show one package: the decision first (priority, score, due, status, and\n"
    "why: every rule that fired, with its points), then the fields of its\n"
    "latest version that are known (--all: the unknown ones too), linked\n"
    "packages, its history and every version received, newest first. Times are\n"
    "local (TZ) in text, UTC in json. --diff lists the fields that changed from\n"
    "one version to the next, old -> new (exit 65 when there is one version).\n"
    "For the case file: --format html -o FILE (A4, OFFICIAL-SENSITIVE on every\n"
    "page, every version's fields), or --format json -o FILE --sign KEY; a file\n"
    "written is recorded as a disclosure, with --recipient.\n";

/* The field values' column, as src/report/show-text.c lays them out. */
#define VALUE_COL 35

struct show_ctx {
	bool json, html, all;
	bool first_version;
	bool damaged; /* a version failed its hash check */
	struct store *st;
	FILE *out;
	const char *ref;   /* as asked for */
	int64_t id;        /* the package's id in the store */
	int64_t purged_at; /* 0, or when its content was erased */
	int64_t first_seen_at;
	int latest_version;
	struct package pkg;
	struct report_case kase; /* what its closing names */
	struct buf b;
	int code; /* an exit code already reported, or 0 */
	int err;
};

/* The score and the rule set that computed it: 0, 1 when not scored, -1 on error. */
static int load_score(struct show_ctx *x, struct store_score *sc, struct buf *fired,
                      struct ruleset **rs, struct diag *d)
{
	int64_t rsid;
	int rc;

	*rs = NULL;
	rc = store_get_score(x->st, x->id, sc, fired, d);
	if (rc == 0 && score_load_rules(x->st, sc->rule_set_id, rs, &rsid, d) < 0)
		return -1;
	if (rc == 0 && !fired->data && buf_adds(fired, "") < 0)
		return -1;
	return rc;
}

/* --- the package ------------------------------------------------------ */

static void put_rule(struct show_ctx *x, const struct ruleset *rs, const char *fired)
{
	const struct rule *rules[256];
	size_t i, n = ruleset_fired(rs, fired, rules, ARRAY_SIZE(rules));

	for (i = 0; i < n; i++)
		report_show_rule(x->out, rs, rules[i]);
}

/* The decision: priority, score, due, status, why, and what scored it. */
static int text_decision(struct show_ctx *x, const struct store_package *p, struct diag *d)
{
	struct store_score sc;
	struct ruleset *rs = NULL;
	char t[TIME_LOCAL_MAX], hex[HASH_HEX];
	struct buf fired;
	int rc;

	buf_init(&fired);
	rc = load_score(x, &sc, &fired, &rs, d);
	if (rc == 1)
		fprintf(x->out, "priority  not scored (closed, or not yet scored: run reftriage "
		                "score)\n");
	else if (rc == 0 && report_show_priority(x->out, x->st, x->id, &sc, rs, d) < 0)
		rc = -1;
	report_show_state(x->out, p, &x->kase);
	if (rc == 0) {
		fprintf(x->out, "why       %s\n",
		        fired.data[0] ? "the rules that fired, with their points"
		                      : "no rule fired");
		put_rule(x, rs, fired.data);
		time_format_local(sc.as_of, t);
		hash_hex(hex, rs->hash);
		fprintf(x->out, "scored    as of %s, version %d\nrules     ", t, sc.version);
		report_print(x->out, "%s %s (%.12s)\n", rs->name, rs->version, hex);
	}
	ruleset_free(rs);
	buf_release(&fired);
	return rc < 0 ? -1 : 0;
}

static int text_package(struct show_ctx *x, const struct store_package *p)
{
	char t[TIME_LOCAL_MAX];
	struct diag d;

	diag_clear(&d);
	fputs("package   ", x->out);
	report_put_safe(x->out, p->ref, strlen(p->ref), NULL);
	fputc('\n', x->out);
	if (cli_deconf_show_text(x->out, x->st, p->id, &d) < 0 || text_decision(x, p, &d) < 0) {
		x->code = cli_report(&d);
		return -1;
	}
	if (p->purged_at) {
		time_format_local(p->purged_at, t);
		fprintf(x->out,
		        "content   erased by purge on %s\n          (its ref, content hashes and "
		        "history are kept)\n",
		        t);
	}
	return 0;
}

static void json_time(struct show_ctx *x, int64_t us)
{
	char t[40];

	time_format(us, t);
	x->err |= jsonw_string(&x->b, t, strlen(t));
}

static int json_package(struct show_ctx *x, const struct store_package *p)
{
	bool first = true;
	struct diag d;

	diag_clear(&d);
	buf_reset(&x->b);
	x->err |= buf_addc(&x->b, '{');
	x->err |= jsonw_key(&x->b, &first, "package_ref");
	x->err |= jsonw_string(&x->b, p->ref, strlen(p->ref));
	x->err |= jsonw_key(&x->b, &first, "status");
	x->err |= jsonw_string(&x->b, p->status, strlen(p->status));
	x->err |= jsonw_key(&x->b, &first, "deconfliction");
	if (cli_deconf_show_json(x->st, p->id, &x->b, &d) < 0) {
		x->code = cli_report(&d);
		return -1;
	}
	x->err |= jsonw_key(&x->b, &first, "assigned_to");
	x->err |= p->assigned_to ? jsonw_string(&x->b, p->assigned_to, strlen(p->assigned_to))
	                         : buf_adds(&x->b, "null");
	x->err |= report_json_case(&x->b, &x->kase);
	x->err |= jsonw_key(&x->b, &first, "updated");
	x->err |= buf_adds(&x->b, p->updated ? "true" : "false");
	x->err |= jsonw_key(&x->b, &first, "latest_version");
	x->err |= buf_addf(&x->b, "%d", p->latest_version);
	x->err |= jsonw_key(&x->b, &first, "first_seen_at");
	json_time(x, p->first_seen_at);
	x->err |= jsonw_key(&x->b, &first, "erased_at");
	if (p->purged_at)
		json_time(x, p->purged_at);
	else
		x->err |= buf_adds(&x->b, "null");
	x->err |= jsonw_key(&x->b, &first, "versions");
	x->err |= buf_addc(&x->b, '[');
	fwrite(x->b.data, 1, x->b.len, x->out);
	return x->err ? -1 : 0;
}

static int case_event(void *ctx, const struct store_event *e)
{
	report_case_event(ctx, e);
	return 0;
}

static int case_duplicate(void *ctx, const char *ref)
{
	struct buf *b = ctx;

	return (b->len && buf_adds(b, ", ") < 0) || buf_adds(b, ref) < 0 ? -1 : 0;
}

static int on_package(void *ctx, const struct store_package *p)
{
	struct show_ctx *x = ctx;
	struct diag d;

	x->id = p->id;
	x->purged_at = p->purged_at;
	x->first_seen_at = p->first_seen_at;
	x->latest_version = p->latest_version;
	/* What a closing names: the other package of a duplicate, the force of a transfer. */
	diag_clear(&d);
	if (store_each_event(x->st, x->id, case_event, &x->kase, &d) < 0 ||
	    store_each_duplicate(x->st, x->id, case_duplicate, &x->kase.duplicates, &d) < 0) {
		x->code = cli_report(&d);
		return -1;
	}
	return x->json ? json_package(x, p) : text_package(x, p);
}

/* --- history, outcomes and links ---------------------------------------- */

static int on_event(void *ctx, const struct store_event *e)
{
	struct show_ctx *x = ctx;

	if (x->json)
		x->err |= report_json_event(&x->b, e, x->first_version);
	else
		report_show_event(x->out, e);
	x->first_version = false;
	return x->err ? -1 : 0;
}

/* The history of assignments, status changes and notes: text, or a JSON member into x->b. */
static int print_history(struct show_ctx *x, struct diag *d)
{
	x->first_version = true;
	if (x->json)
		x->err |= buf_adds(&x->b, ",\"history\":[");
	else
		fprintf(x->out,
		        "\nhistory (assignments, status changes and notes, oldest first)\n");
	if (store_each_event(x->st, x->id, on_event, x, d) < 0)
		return -1;
	if (x->json)
		x->err |= buf_addc(&x->b, ']');
	else if (x->first_version)
		fprintf(x->out, "  none yet\n");
	return x->err ? -1 : 0;
}

static int on_show_outcome(void *ctx, const struct store_outcome *o)
{
	struct show_ctx *x = ctx;

	if (x->json)
		x->err |= report_json_outcome(&x->b, o, x->first_version);
	else
		report_show_outcome(x->out, o);
	x->first_version = false;
	return x->err ? -1 : 0;
}

/* The outcomes recorded (docs/outcomes.md): text, or a JSON member into x->b. */
static int print_outcomes(struct show_ctx *x, struct diag *d)
{
	int rc;

	x->first_version = true;
	if (x->json)
		x->err |= buf_adds(&x->b, ",\"outcomes\":[");
	else
		fprintf(x->out, "\noutcomes (oldest first)\n");
	rc = store_each_outcome(x->st, x->ref, on_show_outcome, x, d);
	if (x->json)
		x->err |= buf_addc(&x->b, ']');
	else if (x->first_version)
		fprintf(x->out, "  none recorded\n");
	return rc < 0 || x->err ? -1 : 0;
}

/* Both lists, the linked packages and the possible links: text, or JSON members into x->b. */
static int print_links(struct show_ctx *x, struct diag *d)
{
	return report_show_links(x->json ? NULL : x->out, x->json ? &x->b : NULL, x->st, x->id,
	                         x->purged_at != 0, d);
}

/* The JSON members score, linked and possible_links, appended to x->b. */
static int json_score_links(struct show_ctx *x, struct diag *d)
{
	struct store_score sc;
	struct ruleset *rs = NULL;
	struct buf fired;
	int rc;

	buf_init(&fired);
	rc = load_score(x, &sc, &fired, &rs, d);
	x->err |= buf_adds(&x->b, ",\"score\":");
	if (rc == 1)
		x->err |= buf_adds(&x->b, "null");
	else if (rc == 0)
		x->err |= report_json_score(&x->b, x->st, x->id, &sc, rs, fired.data);
	ruleset_free(rs);
	buf_release(&fired);
	if (rc < 0 || print_links(x, d) < 0)
		return -1;
	return x->err ? -1 : 0;
}

/* --- versions --------------------------------------------------------- */

/*
 * Rebuild a version's package and canonical form from its stored facts, and
 * check the hash: a mismatch means the store was altered outside reftriage.
 */
static int load_version(struct show_ctx *x, const struct store_version *v)
{
	if (package_decode_facts(&x->pkg, v->facts, v->facts_len) < 0 ||
	    package_rebuild_canonical(&x->pkg) < 0) {
		fprintf(stderr, "reftriage: show: version %d: the stored content cannot be read\n",
		        v->version);
		x->damaged = true;
		return -1;
	}
	if (memcmp(x->pkg.hash, v->hash, HASH_BYTES) != 0) {
		fprintf(
		    stderr,
		    "reftriage: show: version %d: the stored content does not match its content "
		    "hash; the store has been altered\n",
		    v->version);
		x->damaged = true;
	}
	return 0;
}

/* Before the first (newest) version: its fields, the links and the history. */
static int text_middle(struct show_ctx *x, int version)
{
	char t[TIME_LOCAL_MAX], heading[64];
	struct diag d;

	diag_clear(&d);
	(void)snprintf(heading, sizeof(heading), "fields of the latest version (v%d)", version);
	if (!x->purged_at && report_show_fields(x->out, &x->pkg, heading, x->all, &x->b) < 0)
		x->err = -1;
	if (print_links(x, &d) < 0 || print_history(x, &d) < 0 || print_outcomes(x, &d) < 0) {
		x->code = d.code ? cli_report(&d) : 0;
		return -1;
	}
	time_format_local(x->first_seen_at, t);
	fprintf(x->out, "\nversions (%d, newest first; first seen %s)\n", x->latest_version, t);
	return x->err ? -1 : 0;
}

static int on_version(void *ctx, const struct store_version *v)
{
	struct show_ctx *x = ctx;
	char hex[HASH_HEX], heading[64];
	bool first;

	hash_hex(hex, v->hash);
	if (!x->purged_at && load_version(x, v) < 0)
		return -1;
	if (x->json) {
		buf_reset(&x->b);
		x->err |= report_json_version(&x->b, v, hex, x->purged_at ? NULL : &x->pkg,
		                              x->first_version);
		fwrite(x->b.data, 1, x->b.len, x->out);
		x->first_version = false;
		return x->err ? -1 : 0;
	}
	first = x->first_version;
	if (first && text_middle(x, v->version) < 0)
		return -1;
	x->first_version = false;
	/* The case file: every version with its own fields, each a section. */
	if (x->html && !first)
		fprintf(x->out, "\nversion %d\n", v->version);
	report_show_version(x->out, v, hex);
	(void)snprintf(heading, sizeof(heading), "fields of version %d", v->version);
	if (x->html && !first && !x->purged_at &&
	    report_show_fields(x->out, &x->pkg, heading, x->all, &x->b) < 0)
		x->err = -1;
	return x->err ? -1 : 0;
}

/* --- show REF --diff ---------------------------------------------------- */

/* --versions A,B: two version numbers from 1; 0 and 0 when absent. */
static int parse_versions(struct cli *cli, int *from, int *to)
{
	const char *s = cli_str(cli, "versions");
	long a, b;
	char *end;

	*from = *to = 0;
	if (!s)
		return EX_OK;
	if (!cli_flag(cli, "diff"))
		return cli_usage_error(cli, "--versions goes with --diff");
	errno = 0;
	a = strtol(s, &end, 10);
	/* Digits and the comma only: strtol alone would take "+1,-0" or " 1, 2". */
	if (strspn(s, "0123456789,") == strlen(s) && end != s && *end == ',') {
		const char *p = end + 1;

		b = strtol(p, &end, 10);
		if (end != p && !*end && !errno && a >= 1 && b >= 1 && a <= INT_MAX &&
		    b <= INT_MAX && a != b) {
			*from = (int)a;
			*to = (int)b;
			return EX_OK;
		}
	}
	return cli_usage_error(cli,
	                       "--versions takes two different version numbers, A,B (as 1,2), "
	                       "not '%s'",
	                       s);
}

/* Print the changes from version from to to (0, 0: the last two). */
static int show_diff(struct cli *cli, const char *ref, int from, int to, bool json)
{
	struct diag d;
	int rc;

	diag_clear(&d);
	rc = report_show_diff(cli->out, cli->st, ref, from, to, json, &d);
	if (rc == 1)
		return cli_no_package(cli, ref);
	if (rc < 0)
		return d.code ? cli_report(&d) : cli_fail(cli, EX_SOFTWARE, "out of memory");
	return EX_OK;
}

/* --- the command ------------------------------------------------------ */

static int show_package(struct cli *cli, struct show_ctx *x, const char *ref)
{
	struct diag d;
	int rc;

	diag_clear(&d);
	rc = store_get_package(cli->st, ref, on_package, on_version, x, &d);
	if (rc == 1)
		return cli_no_package(cli, ref);
	if (rc < 0)
		return x->damaged ? EX_DATAERR : x->code ? x->code : cli_report(&d);
	if (x->json) {
		buf_reset(&x->b);
		if (buf_addc(&x->b, ']') < 0 || json_score_links(x, &d) < 0 ||
		    print_history(x, &d) < 0 || print_outcomes(x, &d) < 0 ||
		    buf_adds(&x->b, "}\n") < 0)
			return d.code ? cli_report(&d) : EX_SOFTWARE;
		fwrite(x->b.data, 1, x->b.len, x->out);
	}
	return x->damaged ? EX_DATAERR : EX_OK;
}

/* The case file: the text show, with every version's fields, as one printable page set. */
static int show_html(struct cli *cli, struct show_ctx *x, const char *ref)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	x->out = open_memstream(&text, &len);
	if (!x->out)
		return cli_fail(cli, EX_SOFTWARE, "out of memory");
	rc = show_package(cli, x, ref);
	if (fclose(x->out) != 0 && rc == EX_OK)
		rc = cli_fail(cli, EX_SOFTWARE, "out of memory");
	x->out = cli->out;
	if (rc == EX_OK &&
	    report_case_html(cli->out, ref, text, len, time_now(), cli->operator_name) < 0)
		rc = ferror(cli->out) ? EX_IOERR : cli_fail(cli, EX_SOFTWARE, "out of memory");
	free(text); /* open_memstream's buffer is the C library's */
	return rc;
}

/* A file written is a disclosure (as worklist --output), signed with --sign. */
static int disclose(struct cli *cli, const char *format)
{
	const char *r = cli_str(cli, "recipient");
	int rc = EX_OK;

	if (!pfile_is_open(&cli->output))
		return EX_OK;
	if (cli_str(cli, "sign"))
		rc = cli_sign_output(cli, cli_str(cli, "sign"));
	if (rc != EX_OK)
		return rc;
	cli->action = "export";
	cli_details_str(&cli->details, "recipient", r ? r : "unspecified");
	cli_note(cli, "%s: %s written to %s", cli->operands[0], format, cli_str(cli, "output"));
	return EX_OK;
}

int cmd_show(struct cli *cli)
{
	const char *ref = cli->operands[0], *output = cli_str(cli, "output");
	const char *format = cli_str(cli, "format");
	struct show_ctx x;
	struct diag d;
	int rc, from, to;

	if (cli_str(cli, "sign") && (!output || strcmp(output, "-") == 0))
		return cli_usage_error(cli, "--sign signs a file: name it with --output");
	if (cli_str(cli, "recipient") && (!output || strcmp(output, "-") == 0))
		return cli_usage_error(cli, "--recipient goes with --output");
	memset(&x, 0, sizeof(x));
	x.json = format && strcmp(format, "json") == 0;
	x.html = format && strcmp(format, "html") == 0;
	if (x.html && cli_flag(cli, "diff"))
		return cli_usage_error(cli, "--diff is text or json");
	x.all = cli_flag(cli, "all");
	x.out = cli->out;
	package_init(&x.pkg);
	report_case_init(&x.kase);
	buf_init(&x.b);
	x.first_version = true;
	x.st = cli->st;
	x.ref = ref;
	diag_clear(&d);
	if ((rc = parse_versions(cli, &from, &to)) == EX_OK)
		rc = cli_flag(cli, "diff") ? show_diff(cli, ref, from, to, x.json)
		     : x.html              ? show_html(cli, &x, ref)
		                           : show_package(cli, &x, ref);
	cli_details_str(&cli->details, "format", x.json ? "json" : x.html ? "html" : "text");
	if (cli_flag(cli, "diff"))
		cli_details_bool(&cli->details, "diff", true);
	if (rc == EX_OK && store_audit_ref(cli->st, ref, &d) < 0)
		rc = cli_report(&d);
	if (rc == EX_OK)
		rc = disclose(cli, x.json ? "json" : x.html ? "the case file" : "text");
	package_release(&x.pkg);
	report_case_release(&x.kase);
	buf_release(&x.b);
	return rc;
}
