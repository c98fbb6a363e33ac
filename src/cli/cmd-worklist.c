/* reftriage worklist: the ranked list of open packages. */
#include "reftriage/cli.h"

#include "reftriage/deconflict.h"

#include "reftriage/outcome.h"

#include "reftriage/alloc.h"
#include "reftriage/text.h"
#include "reftriage/report.h"
#include "reftriage/score.h"
#include "reftriage/timeutil.h"

#include <ctype.h>
#include <sys/ioctl.h>
#include <unistd.h>

static const char *const formats[] = {"table", "csv", "json", "ndjson", "html", NULL};
const struct cli_opt worklist_opts[] = {
    {"priority", 'p', CLI_TEXT, "P1,P2", "these priorities only", NULL, 0, 0},
    {"status", 's', CLI_TEXT, "S,...",
     "these statuses only (open ones; with --closed, closing states)", NULL, 0, 0},
    {"closed", 0, CLI_FLAG, NULL, "the closed packages instead, with when and by whom closed", NULL,
     0, 0},
    {"force-area", 0, CLI_TEXT, "NAME", "this force area (any case; none: packages without one)",
     NULL, 0, 0},
    {"assigned-to", 0, CLI_TEXT, "NAME", "packages assigned to NAME (any case)", NULL, 0, 0},
    {"since", 0, CLI_TIME, "DATE", "received on or after DATE (or an RFC 3339 time)", NULL, 0, 0},
    {"changed-since", 0, CLI_TIME, "TIME",
     "a new version, status change, assignment or note after TIME (handover)", NULL, 0, 0},
    CLI_OPT_NOW("the list's time: overdue is judged at it (default the clock)"),
    CLI_OPT_STALE_AFTER,
    {"limit", 'n', CLI_COUNT, "N", "the first N", NULL, 1, LONG_MAX},
    CLI_OPT_FORMAT(formats, "table on a terminal, else csv; html is the printable daily list"),
    CLI_OPTS_EXPORT,
    CLI_OPT_WAIT_READ,
    CLI_OPT_END,
};
const char worklist_about[] =
    "The open packages ranked as rules.md says: priority, then score (highest\n"
    "first), then received_at (oldest first), then package_ref. Reads the stored\n"
    "scores; the header (and the JSON's as_of) says when they were computed (run\n"
    "'reftriage score' to bring them up to date). Open packages not scored yet\n"
    "(an import stopped before its rescore) are listed first, without a rank,\n"
    "and make the list stale. Filters combine. The table fits\n"
    "$COLUMNS or the terminal; the html list is A4, marked OFFICIAL-SENSITIVE on\n"
    "every page. 'minisign -Vm FILE -p PUB' checks a signed file. Colour is used\n"
    "only when stdout is a terminal and NO_COLOR is not set.\n";

struct wl_ctx {
	struct store *st;
	struct diag *d;
	struct report rep;
	const struct ruleset *rs;
	const struct rule **fired;
	struct buf reasons;
	long rank;     /* the ranked (scored) rows so far */
	long unscored; /* the unscored rows so far, listed before them */
	bool in_unscored;
	bool closed; /* worklist --closed */
	int err;
	struct report_outcome oc[16]; /* the item's outcomes (json and ndjson) */
	size_t noc;
	struct package pkg;       /* the row's fields, for the json "source" object */
	struct deconf_map deconf; /* deconfliction: every matched package, by ref */
	struct deconf_view dv;    /* json: the row's matches */
};

static int on_outcome(void *ctx, const struct store_outcome *o)
{
	struct wl_ctx *x = ctx;
	struct report_outcome *r = &x->oc[x->noc];
	const struct outcome_code *c = outcome_code_find(o->code, strlen(o->code));

	if (!c)
		return 0;
	r->code = c->code;
	(void)snprintf(r->date, sizeof(r->date), "%s", o->date);
	r->count = o->count;
	return ++x->noc == ARRAY_SIZE(x->oc); /* enough for a list; 'outcome list' has all */
}

/* The JSON lists carry each package's outcomes, when the store has any. */
static int item_outcomes(struct wl_ctx *x, struct report_item *it)
{
	int rc;

	x->noc = 0;
	if (strcmp(x->rep.w->name, "json") != 0 && strcmp(x->rep.w->name, "ndjson") != 0)
		return 0;
	rc = store_each_outcome(x->st, it->ref, on_outcome, x, x->d);
	it->outcomes = x->oc;
	it->noutcomes = x->noc;
	return rc < 0 ? -1 : 0;
}

/* The row's package, from its facts; NULL when they cannot be read. */
static const struct package *row_package(struct wl_ctx *x, const struct store_worklist_row *r)
{
	if (strcmp(x->rep.w->name, "json") != 0 && strcmp(x->rep.w->name, "ndjson") != 0)
		return NULL;
	if (!r->facts || package_decode_facts(&x->pkg, r->facts, r->facts_len) < 0)
		return NULL;
	return &x->pkg;
}

static int on_row(void *ctx, const struct store_worklist_row *r)
{
	struct wl_ctx *x = ctx;
	struct report_item it;

	report_item_from_row(&it, r, x->rs, x->fired, x->in_unscored);
	if (it.unscored)
		x->unscored++;
	else
		it.rank = ++x->rank;
	/* worklist --closed: numbered, with when and by whom each was closed. */
	if (x->closed) {
		it.rank = x->rank + x->unscored;
		it.closed = true;
		it.overdue = false;
	}
	it.pkg = row_package(x, r);
	if (item_outcomes(x, &it) < 0 || (x->closed && store_audit_ref(x->st, r->ref, x->d) < 0) ||
	    (!x->closed && cli_deconf_item(x->st, &x->deconf, r->ref, r->facts, r->facts_len,
	                                   strcmp(x->rep.w->name, "json") == 0 ||
	                                       strcmp(x->rep.w->name, "ndjson") == 0,
	                                   &x->dv, &it, x->d) < 0))
		return -1;
	if (x->rep.w->item(&x->rep, &it) < 0) {
		x->err = EX_IOERR;
		return -1;
	}
	return 0;
}

/*
 * Whether the terminal's character set is UTF-8, as the locale variables
 * say (the first set of LC_ALL, LC_CTYPE, LANG): the table's override marks
 * are then arrows, else ^ and v.
 */
static bool locale_utf8(void)
{
	static const char *const vars[] = {"LC_ALL", "LC_CTYPE", "LANG"};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vars); i++) {
		const char *v = getenv(vars[i]);

		if (v && *v)
			return strstr(v, "UTF-8") || strstr(v, "utf-8") || strstr(v, "UTF8") ||
			       strstr(v, "utf8");
	}
	return false;
}

/* The table's width: $COLUMNS, else the terminal's, else 100. */
static int table_width(void)
{
	const char *env = getenv("COLUMNS");
	struct winsize ws;
	long v;

	if (env && *env) {
		v = strtol(env, NULL, 10);
		if (v >= 20 && v <= 1000)
			return (int)v;
	}
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
		return ws.ws_col;
	return 100;
}

static int count_row(void *ctx, const struct store_worklist_row *r)
{
	struct report_summary *s = ctx;
	int b = r->priority >= 0 && r->priority < REPORT_MAX_BANDS ? r->priority : 0;

	s->count[b]++;
	s->overdue[b] += r->overdue;
	if (!s->has_oldest || r->received_at < s->oldest_at) {
		s->has_oldest = true;
		s->oldest_at = r->received_at;
		(void)snprintf(s->oldest_ref, sizeof(s->oldest_ref), "%s", r->ref);
	}
	return 0;
}

/*
 * What the list for people says it holds: how many of how many, the filters,
 * the bands' counts and the oldest package the filters select (the printed
 * list names it: it is in the audit entry too).
 */
static int summarise(struct cli *cli, const struct store_worklist_query *q, bool printed,
                     struct report_header *h)
{
	/* One list per run: the text lives as long as the header that points to it. */
	static char filters_text[2048];
	struct store_worklist_query all, unlimited = *q, unscored = *q;
	size_t i;
	struct diag d;

	memset(&all, 0, sizeof(all));
	unlimited.limit = 0;
	unscored.limit = 0;
	unscored.unscored = true;
	diag_clear(&d);
	h->filters = report_describe_filters(q, cli->rs, filters_text, sizeof(filters_text));
	for (i = 0; i < cli->rs->nbands && i < REPORT_MAX_BANDS; i++)
		h->summary.selected[i] = q->npriorities == 0;
	for (i = 0; i < q->npriorities; i++)
		if (q->priorities[i] >= 0 && q->priorities[i] < REPORT_MAX_BANDS)
			h->summary.selected[q->priorities[i]] = true;
	if (store_worklist_count(cli->st, q, &h->matching, &d) < 0 ||
	    store_worklist_count(cli->st, &all, &h->total_open, &d) < 0 ||
	    (printed && h->unscored_total &&
	     store_worklist(cli->st, &unscored, count_row, &h->summary, &d) < 0) ||
	    (printed && store_worklist(cli->st, &unlimited, count_row, &h->summary, &d) < 0) ||
	    (printed && h->summary.has_oldest &&
	     store_audit_ref(cli->st, h->summary.oldest_ref, &d) < 0))
		return cli_report(&d);
	h->summary.counted = printed;
	/* The unscored are open packages too: on the list, in its counts. */
	h->matching += h->unscored;
	h->total_open += h->unscored_total;
	h->count = q->limit > 0 && h->matching > q->limit ? q->limit : h->matching;
	return EX_OK;
}

/*
 * The open packages not scored yet (issue 24): how many in all (then the
 * scores are stale, with a warning) and how many the filters select.
 */
static int unscored_counts(struct cli *cli, const struct store_worklist_query *q,
                           struct report_header *h)
{
	struct store_worklist_query u = *q;
	struct diag d;

	diag_clear(&d);
	u.unscored = true;
	if (store_unscored(cli->st, &h->unscored_total, &d) < 0 ||
	    (h->unscored_total && store_worklist_count(cli->st, &u, &h->unscored, &d) < 0))
		return cli_report(&d);
	cli_warn_unscored(cli, h->unscored_total);
	return EX_OK;
}

/* The header: when the scores were computed, with which rules, how many. */
static int header(struct cli *cli, const struct store_worklist_query *q,
                  const struct report_writer *w, struct report_header *h)
{
	int rc;

	memset(h, 0, sizeof(*h));
	h->as_of = cli->as_of;
	h->scored = cli->scored;
	if ((rc = unscored_counts(cli, q, h)) != EX_OK)
		return rc;
	if ((w == &report_table || w == &report_html) &&
	    (rc = summarise(cli, q, w == &report_html, h)) != EX_OK)
		return rc;
	if (q->limit > 0 && h->count > q->limit)
		h->count = q->limit;
	h->rules_hash = cli->rs->hash;
	h->rules_name = cli->rs->name;
	h->rules_version = cli->rs->version;
	h->generated_at = q->now;
	h->operator_name = cli->operator_name;
	h->old = cli_scores_stale(cli, cli->scored, cli->as_of, q->now);
	h->stale = h->old || h->unscored_total;
	return EX_OK;
}

/*
 * The rows, and their refs noted for the audit entry: the unscored first
 * (they may be any priority), then the ranked; --limit counts both.
 */
static int list_rows(struct cli *cli, struct wl_ctx *x, const struct store_worklist_query *q,
                     const struct report_header *h, struct diag *d)
{
	struct store_worklist_query u = *q, ranked = *q;

	if (h->unscored) {
		u.unscored = true;
		x->in_unscored = true;
		if (store_worklist(cli->st, &u, on_row, x, d) < 0 ||
		    store_worklist_note(cli->st, &u, d) < 0)
			return -1;
		x->in_unscored = false;
		if (q->limit > 0 && x->unscored >= q->limit)
			return 0;
		if (q->limit > 0)
			ranked.limit = q->limit - x->unscored;
	}
	if (store_worklist(cli->st, &ranked, on_row, x, d) < 0 ||
	    store_worklist_note(cli->st, &ranked, d) < 0)
		return -1;
	return 0;
}

/*
 * Write the list. A writer fails for want of memory or for a write error;
 * the stream's error flag tells which, so a full disk is 74 and memory 70.
 */
static int write_list(struct cli *cli, struct wl_ctx *x, const struct store_worklist_query *q,
                      const struct report_header *h)
{
	struct diag d;
	int rc = EX_OK;

	diag_clear(&d);
	x->d = &d;
	if (x->rep.w->begin(&x->rep, h) < 0)
		rc = EX_IOERR;
	else if (list_rows(cli, x, q, h, &d) < 0)
		rc = x->err ? x->err : d.message[0] ? cli_report(&d) : EX_SOFTWARE;
	else if (x->rep.w->end(&x->rep) < 0)
		rc = EX_IOERR;
	if (rc == EX_IOERR && !ferror(cli->out))
		return cli_fail(cli, EX_SOFTWARE, "out of memory");
	if (rc == EX_IOERR)
		return cli_fail(cli, EX_IOERR, "%s: write error: %s",
		                pfile_is_open(&cli->output) ? cli_str(cli, "output")
		                                            : "standard output",
		                strerror(errno));
	return rc;
}

/* The consultation (or, with a file, the disclosure) entry's details. */
static void details(struct cli *cli, const struct store_worklist_query *q, const char *format,
                    long rows)
{
	struct cli_details *det = &cli->details;

	cli_details_str(det, "format", format);
	cli_details_int(det, "rows", rows);
	cli_details_time(det, "as_of", cli->as_of);
	if (q->npriorities || q->nstatuses || q->force_area || q->assigned_to || q->has_since ||
	    q->limit)
		cli_details_bool(det, "filtered", true);
	cli_details_str(det, "force_area", q->force_area);
	cli_details_str(det, "assigned_to", q->assigned_to);
	if (q->limit)
		cli_details_int(det, "limit", q->limit);
	if (pfile_is_open(&cli->output)) {
		const char *r = cli_str(cli, "recipient");

		/* A file written is a disclosure; a list on the screen is a consultation. */
		cli->action = "export";
		cli_details_str(det, "recipient", r ? r : "unspecified");
	}
}

/* Copies of the comma-separated options, which the filters cut up. */
struct lists {
	char *prio, *status;
};

/*
 * The open quarantine for the list's header (every record for json, the
 * first few for people); csv and ndjson have no header: stderr says it.
 */
static int quarantine(struct cli *cli, const char *format, struct store_qopen *q,
                      struct report_header *h)
{
	bool people = strcmp(format, "table") == 0 || strcmp(format, "html") == 0;
	struct diag d;

	diag_clear(&d);
	if (store_quarantine_open(cli->st, people ? REPORT_QUARANTINE_SHOWN : SIZE_MAX, q, &d) < 0)
		return cli_report(&d);
	h->quarantine = q;
	if (q->open && (strcmp(format, "csv") == 0 || strcmp(format, "ndjson") == 0))
		fprintf(stderr,
		        "reftriage: worklist: %ld rejected record%s in quarantine, not triaged: "
		        "'reftriage quarantine list'\n",
		        q->open, q->open == 1 ? "" : "s");
	if (q->open)
		cli_details_int(&cli->details, "quarantine_open", q->open);
	return EX_OK;
}

/* worklist --closed: the closed packages (casework.md section 5). */
static int run_closed(struct cli *cli, struct store_worklist_query *q, const char *format,
                      struct wl_ctx *x)
{
	const struct report_writer *w =
	    strcmp(format, "table") == 0 ? &report_closed_table : report_writer(format);
	static char filters_text[2048];
	struct report_header h;
	struct diag d;
	int rc = EX_OK;

	x->closed = true;
	if (strcmp(format, "html") == 0)
		return cli_usage_error(cli, "--closed lists as table, csv, json or ndjson (the "
		                            "printed list is of open packages)");
	memset(&h, 0, sizeof(h));
	diag_clear(&d);
	x->d = &d;
	h.closed = true;
	h.as_of = cli->as_of;
	h.scored = cli->scored;
	h.rules_hash = cli->rs->hash;
	h.rules_name = cli->rs->name;
	h.rules_version = cli->rs->version;
	h.generated_at = q->now;
	h.operator_name = cli->operator_name;
	h.filters = report_describe_filters(q, cli->rs, filters_text, sizeof(filters_text));
	if (store_closed_count(cli->st, q, &h.count, &d) < 0)
		return cli_report(&d);
	if (q->limit > 0 && h.count > q->limit)
		h.count = q->limit;
	report_init(&x->rep, cli->out, w, cli->rs);
	x->rep.width = table_width();
	if (w->begin(&x->rep, &h) < 0)
		rc = EX_IOERR;
	else if (store_closed(cli->st, q, on_row, x, &d) < 0)
		rc = x->err ? x->err : d.message[0] ? cli_report(&d) : EX_SOFTWARE;
	else if (w->end(&x->rep) < 0)
		rc = EX_IOERR;
	report_release(&x->rep);
	if (rc == EX_IOERR)
		return cli_fail(cli, EX_IOERR, "write error: %s", strerror(errno));
	if (rc == EX_OK) {
		long n = x->rank + x->unscored;

		details(cli, q, format, n);
		cli_details_bool(&cli->details, "closed", true);
		cli_note(cli, "%ld closed package%s", n, n == 1 ? "" : "s");
	}
	return rc;
}

static int run_list(struct cli *cli, const struct lists *l)
{
	const char *format = cli_str(cli, "format"), *key_path = cli_str(cli, "sign");
	bool to_file = pfile_is_open(&cli->output);
	struct store_worklist_query q;
	struct report_header h;
	struct store_qopen qo;
	struct wl_ctx x;
	struct deconf_meta dm;
	int rc;

	memset(&qo, 0, sizeof(qo));
	memset(&q, 0, sizeof(q));
	memset(&x, 0, sizeof(x));
	buf_init(&x.reasons);
	package_init(&x.pkg);
	if ((rc = cli_worklist_filters(cli, &q, l->prio, l->status)) != EX_OK)
		return rc;
	if (!format)
		format = !to_file && isatty(STDOUT_FILENO) ? "table" : "csv";
	if (q.closed) {
		x.st = cli->st;
		x.rs = cli->rs;
		x.fired = rt_calloc(cli->rs->nrules ? cli->rs->nrules : 1, sizeof(*x.fired));
		rc = x.fired ? run_closed(cli, &q, format, &x)
		             : cli_fail(cli, EX_SOFTWARE, "out of memory");
		rt_free(x.fired);
		package_release(&x.pkg);
		return rc;
	}
	if ((rc = header(cli, &q, report_writer(format), &h)) != EX_OK ||
	    (rc = quarantine(cli, format, &qo, &h)) != EX_OK ||
	    (rc = cli_deconf_lists(cli, &x.deconf, &dm)) != EX_OK) {
		store_qopen_release(&qo);
		deconf_map_release(&x.deconf);
		return rc;
	}
	h.deconf = &dm;
	x.st = cli->st;
	x.rs = cli->rs;
	x.fired = rt_calloc(cli->rs->nrules ? cli->rs->nrules : 1, sizeof(*x.fired));
	if (!x.fired) {
		store_qopen_release(&qo);
		return cli_fail(cli, EX_SOFTWARE, "out of memory");
	}
	report_init(&x.rep, cli->out, report_writer(format), cli->rs);
	x.rep.width = table_width();
	x.rep.utf8 = locale_utf8();
	x.rep.colour =
	    !to_file && isatty(STDOUT_FILENO) && !(getenv("NO_COLOR") && *getenv("NO_COLOR"));
	rc = write_list(cli, &x, &q, &h);
	report_release(&x.rep);
	store_qopen_release(&qo);
	deconf_map_release(&x.deconf);
	cli_deconf_view_release(&x.dv);
	rt_free(x.fired);
	buf_release(&x.reasons);
	package_release(&x.pkg);
	if (rc == EX_OK && key_path)
		rc = cli_sign_output(cli, key_path);
	if (rc == EX_OK) {
		long listed = x.rank + x.unscored;

		details(cli, &q, format, listed);
		if (x.unscored)
			cli_details_int(&cli->details, "unscored", x.unscored);
		cli_note(cli, "%ld open package%s%s%s%s", listed, listed == 1 ? "" : "s",
		         x.unscored ? ", the first not scored yet," : "",
		         to_file ? " written to " : "", to_file ? cli_str(cli, "output") : "");
	}
	return rc;
}

int cmd_worklist(struct cli *cli)
{
	const char *output = cli_str(cli, "output");
	struct lists l = {NULL, NULL};
	int rc;

	if (cli_str(cli, "sign") && (!output || strcmp(output, "-") == 0))
		return cli_usage_error(cli, "--sign signs a file: name it with --output");
	if (cli_str(cli, "recipient") && (!output || strcmp(output, "-") == 0))
		return cli_usage_error(cli, "--recipient goes with --output");
	if ((cli_str(cli, "priority") &&
	     !(l.prio = rt_memdup0(cli_str(cli, "priority"), strlen(cli_str(cli, "priority"))))) ||
	    (cli_str(cli, "status") &&
	     !(l.status = rt_memdup0(cli_str(cli, "status"), strlen(cli_str(cli, "status"))))))
		rc = cli_fail(cli, EX_SOFTWARE, "out of memory");
	else
		rc = run_list(cli, &l);
	rt_free(l.prio);
	rt_free(l.status);
	return rc;
}
