/*
 * reftriage outcome REF CODE | outcome import FILE.csv | outcome list:
 * what became of each referral (docs/outcomes.md).
 *
 * One verb whose first operand says what to do: 'import' and 'list' are
 * words, anything else is a package ref. The operand count tells them apart
 * too: 'outcome list' has one operand, 'outcome REF CODE' two, so a package
 * whose ref is 'list' is still 'outcome list CODE'. Only a package whose ref
 * is literally 'import' cannot be named on the command line: record its
 * outcomes with 'outcome import FILE'.
 */
#include "reftriage/cli.h"

#include "reftriage/csvrows.h"
#include "reftriage/jsonw.h"
#include "reftriage/outcome.h"
#include "reftriage/report.h"
#include "reftriage/text.h"
#include "reftriage/timeutil.h"

#include <time.h>
#include <unistd.h>

static const char *const list_formats[] = {"table", "csv", "json", NULL};
const struct cli_opt outcome_opts[] = {
    {"date", 'd', CLI_TEXT, "DATE", "when it happened, YYYY-MM-DD (default today)", NULL, 0, 0},
    {"count", 0, CLI_COUNT, "N", "how many (children safeguarded; default 1)", NULL, 1,
     OUTCOME_COUNT_MAX},
    CLI_OPT_NOTE("a remark kept with it (erased by purge)"),
    CLI_OPT_FORMAT(list_formats, "list: table for people, csv or json for scripts"),
    CLI_OPT_WAIT,
    CLI_OPT_END,
};
const char outcome_about[] =
    "  outcome REF CODE [--date D] [--count N] [--note T]   record one outcome\n"
    "  outcome import FILE.csv    record every line of a case system's export\n"
    "  outcome list [--format table|csv|json]               every outcome recorded\n"
    "\n"
    "CODE is one of arrest, charged, safeguarded, contact_offence_found, iioc_found\n"
    "(positive), nfa_no_offence, nfa_insufficient_evidence, nfa_public_interest\n"
    "(negative), nfa_not_traced, duplicate, transferred (excluded). The same outcome\n"
    "(ref, code, date, count) is recorded once. FILE.csv has the header\n"
    "package_ref,code,date,count,note (date, count and note may be empty); a file\n"
    "with any bad line records nothing (exit 65). A package whose ref is 'import'\n"
    "is recorded through a file. 'rules backtest' measures the rules against the\n"
    "outcomes. See docs/outcomes.md.\n";

/* Today's local date, in days since 1970. */
static int32_t today(void)
{
	time_t t = (time_t)(time_now() / US_PER_SEC);
	struct tm tm;

	if (!localtime_r(&t, &tm))
		return (int32_t)time_floor_div(time_now(), US_PER_DAY);
	return (int32_t)days_from_civil(tm.tm_year + 1900, (unsigned)tm.tm_mon + 1,
	                                (unsigned)tm.tm_mday);
}

/* Store one checked outcome; *res says what happened. */
static int put(struct cli *cli, const char *ref, const struct outcome_fields *of, const char *note,
               enum store_outcome_put *res, struct diag *d)
{
	struct store_outcome o;

	o.ref = ref;
	o.code = of->code->code;
	o.date = of->date_text;
	o.count = of->count;
	o.note = note && *note ? note : NULL;
	o.recorded_at = time_now();
	o.operator_name = cli->operator_name;
	return store_outcome_put(cli->st, &o, res, d);
}

static int record(struct cli *cli)
{
	const char *ref = cli->operands[0], *note = cli_str(cli, "note");
	enum store_outcome_put res;
	struct outcome_fields of;
	struct diag d;

	diag_clear(&d);
	if (cli_flag(cli, "format"))
		return cli_usage_error(cli, "--format is for 'outcome list'");
	if (outcome_parse(cli->operands[1], cli_str(cli, "date"), cli_str(cli, "count"), note,
	                  today(), &of, &d) < 0) {
		d.code = EX_USAGE;
		diag_at(&d, "outcome", 0, NULL);
		return cli_report(&d);
	}
	if (put(cli, ref, &of, note, &res, &d) < 0)
		return cli_report(&d);
	if (res == STORE_OUTCOME_NO_REF)
		return cli_no_package(cli, ref);
	cli_details_str(&cli->details, "code", of.code->code);
	cli_details_str(&cli->details, "date", of.date_text);
	cli_details_int(&cli->details, "count", of.count);
	cli_details_bool(&cli->details, "recorded", res == STORE_OUTCOME_RECORDED);
	if (res == STORE_OUTCOME_KNOWN)
		cli_note(cli, "%s %s on %s was already recorded; nothing changed", ref,
		         of.code->code, of.date_text);
	else
		cli_note(cli, "recorded %s %s on %s (%s)", ref, of.code->code, of.date_text,
		         outcome_label_name(of.code->label));
	return EX_OK;
}

/* --- outcome import FILE.csv ------------------------------------------- */

enum { COL_REF, COL_CODE, COL_DATE, COL_COUNT, COL_NOTE, NCOLS };
static const char *const columns[] = {"package_ref", "code", "date", "count", "note", NULL};

struct import_ctx {
	struct cli *cli;
	const char *path;
	int col[NCOLS]; /* the field of each column, -1 when absent */
	size_t ncols;
	bool have_header;
	int32_t today;
	long lines, recorded, known, bad;
	int rc; /* a failure that is not a bad line */
};

/* A bad line: reported, counted; the import goes on to find every other. */
static int bad_line(struct import_ctx *x, struct diag *d, unsigned long line)
{
	diag_at(d, x->path, line, NULL);
	(void)cli_report(d);
	x->bad++;
	return 0;
}

/*
 * The first field of r holding a NUL byte, or -1: C strings end at a NUL, so
 * a ref with one would name another package, a note would lose its tail.
 */
static int nul_field(const struct csv_row *r, size_t *at)
{
	size_t i;

	for (i = 0; i < r->n && i < CSVROWS_MAX_FIELDS; i++) {
		const char *nul = memchr(r->f[i], '\0', r->len[i]);

		if (nul) {
			*at = (size_t)(nul - r->f[i]) + 1;
			return (int)i;
		}
	}
	return -1;
}

/* The header: every column one of columns[], package_ref and code present. */
static int header(struct import_ctx *x, const struct csv_row *r)
{
	struct diag d;
	size_t i;
	int c;

	for (c = 0; c < NCOLS; c++)
		x->col[c] = -1;
	x->have_header = true;
	x->ncols = r->n;
	if (nul_field(r, &i) >= 0) {
		diag_clear(&d);
		diag_at(&d, x->path, r->line, "header");
		(void)diag_set(&d, EX_DATAERR, "has a NUL byte at byte %zu of a column name", i);
		x->rc = cli_report(&d);
		return 1;
	}
	for (i = 0; i < r->n && i < CSVROWS_MAX_FIELDS; i++) {
		for (c = 0; c < NCOLS && strcmp(r->f[i], columns[c]) != 0; c++)
			;
		if (c < NCOLS && x->col[c] < 0) {
			x->col[c] = (int)i;
			continue;
		}
		diag_clear(&d);
		diag_at(&d, x->path, r->line, "header");
		diag_suggest(&d, c == NCOLS ? text_suggest(r->f[i], r->len[i], columns, 3) : NULL);
		(void)diag_set(&d, EX_DATAERR, "'%.40s' is %s column", r->f[i],
		               c == NCOLS ? "not a known" : "a repeated");
		x->rc = cli_report(&d);
		return 1;
	}
	if (x->col[COL_REF] < 0 || x->col[COL_CODE] < 0) {
		x->rc = cli_fail(x->cli, EX_DATAERR,
		                 "%s:%lu: header: needs the columns package_ref and code (of %s)",
		                 x->path, r->line, "package_ref,code,date,count,note");
		return 1;
	}
	return 0;
}

/* Column c of row r, or "" when the file has no such column. */
static const char *field_of(const struct import_ctx *x, const struct csv_row *r, int c)
{
	int i = x->col[c];

	return i >= 0 && (size_t)i < r->n && i < CSVROWS_MAX_FIELDS ? r->f[i] : "";
}

/* The name of the column field i of a row is in ("record" should there be none). */
static const char *column_of(const struct import_ctx *x, int i)
{
	int c;

	for (c = 0; c < NCOLS; c++)
		if (x->col[c] == i)
			return columns[c];
	return "record";
}

/* An unknown ref is a bad line like any other. */
static int no_ref(struct import_ctx *x, const char *ref, unsigned long line)
{
	struct diag d;
	char shown[80];

	diag_clear(&d);
	text_display(shown, sizeof(shown), ref, strlen(ref), 40);
	diag_at(&d, NULL, 0, "package_ref");
	(void)diag_set(&d, EX_DATAERR, "no package with ref '%s'", shown);
	return bad_line(x, &d, line);
}

static int on_row(void *ctx, const struct csv_row *r)
{
	struct import_ctx *x = ctx;
	const char *ref, *note;
	enum store_outcome_put res;
	struct outcome_fields of;
	struct diag d;
	size_t at;
	int nul;

	if (!x->have_header)
		return header(x, r);
	x->lines++;
	diag_clear(&d);
	if (r->n != x->ncols) {
		(void)diag_set(&d, EX_DATAERR, "%zu fields where the header has %zu", r->n,
		               x->ncols);
		return bad_line(x, &d, r->line);
	}
	if ((nul = nul_field(r, &at)) >= 0) {
		diag_at(&d, NULL, 0, column_of(x, nul));
		(void)diag_set(&d, EX_DATAERR, "has a NUL byte at byte %zu", at);
		return bad_line(x, &d, r->line);
	}
	ref = field_of(x, r, COL_REF);
	note = field_of(x, r, COL_NOTE);
	if (outcome_parse(field_of(x, r, COL_CODE), field_of(x, r, COL_DATE),
	                  field_of(x, r, COL_COUNT), note, x->today, &of, &d) < 0)
		return bad_line(x, &d, r->line);
	if (put(x->cli, ref, &of, note, &res, &d) < 0) {
		x->rc = cli_report(&d);
		return 1;
	}
	if (res == STORE_OUTCOME_NO_REF)
		return no_ref(x, ref, r->line);
	*(res == STORE_OUTCOME_RECORDED ? &x->recorded : &x->known) += 1;
	return 0;
}

/* Every line is checked; one bad line and the transaction is not committed. */
static int import(struct cli *cli)
{
	struct import_ctx x;
	struct diag d;
	int rc;

	if (cli_flag(cli, "date") || cli_flag(cli, "count") || cli_flag(cli, "note") ||
	    cli_flag(cli, "format"))
		return cli_usage_error(cli, "the file's lines give the dates, counts and notes");
	memset(&x, 0, sizeof(x));
	x.cli = cli;
	x.path = cli->operands[1];
	x.today = today();
	diag_clear(&d);
	rc = csv_rows_read(x.path, on_row, &x, &d);
	if (rc < 0)
		return cli_report(&d);
	if (rc > 0)
		return x.rc;
	if (!x.have_header)
		return cli_fail(cli, EX_DATAERR, "%s: empty: no header line", x.path);
	if (x.bad)
		return cli_fail(cli, EX_DATAERR, "%s: %ld bad line%s of %ld; nothing was recorded",
		                x.path, x.bad, x.bad == 1 ? "" : "s", x.lines);
	cli->action = "outcome import";
	cli_details_str(&cli->details, "file", x.path);
	cli_details_int(&cli->details, "lines", x.lines);
	cli_details_int(&cli->details, "recorded", x.recorded);
	cli_note(cli, "%s: %ld line%s: %ld outcome%s recorded, %ld already recorded", x.path,
	         x.lines, x.lines == 1 ? "" : "s", x.recorded, x.recorded == 1 ? "" : "s", x.known);
	return EX_OK;
}

/* --- outcome list -------------------------------------------------------- */

struct list_ctx {
	struct cli *cli;
	enum { L_TABLE, L_CSV, L_JSON } format;
	struct buf b;
	long n;
	struct diag *d;
};

static int list_json(struct list_ctx *x, const struct store_outcome *o)
{
	bool first = true;
	struct buf *b = &x->b;
	int rc = buf_adds(b, x->n ? ",\n{" : "\n{");

	rc |= jsonw_key_str(b, &first, "package_ref", o->ref);
	rc |= jsonw_key_str(b, &first, "code", o->code);
	rc |= jsonw_key(b, &first, "label");
	rc |= buf_addf(b, "\"%s\"", outcome_label_name(outcome_label_of(o->code)));
	rc |= jsonw_key_str(b, &first, "date", o->date);
	rc |= jsonw_key_int(b, &first, "count", o->count);
	rc |= jsonw_key_str(b, &first, "note", o->note);
	rc |= jsonw_key(b, &first, "recorded_at");
	rc |= buf_addc(b, '"') | report_time(b, o->recorded_at) | buf_addc(b, '"');
	rc |= jsonw_key_str(b, &first, "operator", o->operator_name);
	return rc | buf_addc(b, '}');
}

static int list_csv(struct list_ctx *x, const struct store_outcome *o)
{
	struct buf *b = &x->b;
	int rc = report_csv_field(b, o->ref, true);

	rc |= buf_addf(b, ",%s,%s,%ld,", o->code, o->date, o->count);
	rc |= report_csv_field(b, o->note, true);
	return rc | buf_addc(b, '\n');
}

static int on_outcome(void *ctx, const struct store_outcome *o)
{
	struct list_ctx *x = ctx;
	int rc = 0;

	if (store_audit_ref(x->cli->st, o->ref, x->d) < 0)
		return -1;
	buf_reset(&x->b);
	if (x->format == L_TABLE) {
		/* The heading before the first row: an empty list stays empty. */
		if (x->n == 0)
			printf("%-24s %-25s %-10s %5s  %s\n", "REF", "CODE", "DATE", "COUNT",
			       "NOTE");
		cli_print(stdout, "%-24s %-25s %s %5ld  ", o->ref, o->code, o->date, o->count);
		if (o->note)
			cli_put_safe(stdout, o->note, strlen(o->note), "      ");
		putchar('\n');
	} else {
		rc = x->format == L_CSV ? list_csv(x, o) : list_json(x, o);
	}
	x->n++;
	if (rc || fwrite(x->b.data, 1, x->b.len, stdout) != x->b.len || ferror(stdout)) {
		diag_at(x->d, "standard output", 0, NULL);
		return diag_set(x->d, EX_IOERR, "write error");
	}
	return 0;
}

static int list(struct cli *cli)
{
	const char *format = cli_str(cli, "format");
	struct list_ctx x;
	struct diag d;
	int rc;

	if (cli_flag(cli, "date") || cli_flag(cli, "count") || cli_flag(cli, "note"))
		return cli_usage_error(cli, "'outcome list' takes only --format");
	memset(&x, 0, sizeof(x));
	x.cli = cli;
	x.d = &d;
	x.format = !format || strcmp(format, "table") == 0 ? L_TABLE
	           : strcmp(format, "csv") == 0            ? L_CSV
	                                                   : L_JSON;
	buf_init(&x.b);
	diag_clear(&d);
	cli->action = "outcome list";
	if (x.format == L_CSV)
		fputs("package_ref,code,date,count,note\n", stdout);
	else if (x.format == L_JSON)
		fputs("{\"items\": [", stdout);
	rc = store_each_outcome(cli->st, NULL, on_outcome, &x, &d);
	buf_release(&x.b);
	if (rc != 0)
		return cli_report(&d);
	if (x.format == L_JSON)
		printf("%s], \"count\": %ld}\n", x.n ? "\n" : "", x.n);
	cli_details_int(&cli->details, "outcomes", x.n);
	return EX_OK;
}

int cmd_outcome(struct cli *cli)
{
	const char *first = cli->operands[0];

	if (strcmp(first, "list") == 0 && cli->noperands == 1)
		return list(cli);
	if (strcmp(first, "import") == 0 && cli->noperands == 2)
		return import(cli);
	if (cli->noperands != 2)
		return cli_usage_error(cli, "takes REF CODE, import FILE.csv or list");
	return record(cli);
}
