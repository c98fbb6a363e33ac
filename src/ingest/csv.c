/*
 * CSV decoding (RFC 4180) with libcsv's incremental parser. The only file
 * that includes csv.h.
 *
 * A small state machine of our own finds where each record ends (a line end
 * outside quotes) so that every record is known by its starting line and its
 * exact raw bytes, for messages and quarantine. Each complete record is then
 * handed to libcsv, in strict mode and with no trimming of spaces, to be split
 * into fields. A record longer than the limit is skipped without being held.
 */
#include "ingest-internal.h"

#include "reftriage/alloc.h"
#include "reftriage/text.h"

#include <csv.h>

enum qstate { Q_FIELD_START, Q_UNQUOTED, Q_QUOTED, Q_QUOTE_IN_QUOTED };

#define MAX_COLUMNS 256

struct csvdec {
	const char *name;
	const struct ingest_opts *o;
	unsigned char delim; /* the field separator: --delimiter, default ',' */
	ingest_fn fn;
	void *ctx;
	struct ingest_result *res;
	struct diag *d;

	struct csv_parser parser;
	bool parser_ok;

	/* The record being assembled. */
	struct buf rec;
	uint64_t rec_size;
	unsigned long rec_line;
	unsigned long quote_line;
	bool oversize;
	bool started;

	/* Tracking. */
	enum qstate q;
	unsigned long line;

	/* Fields of the record, from libcsv. */
	struct buf fields;
	size_t foff[MAX_COLUMNS + 1];
	size_t flen[MAX_COLUMNS + 1];
	size_t nfields;
	size_t records_ended;
	bool too_many;

	/* The header: column i maps to contract field map[i], or -1 (ignored). */
	bool have_header;
	int map[MAX_COLUMNS];
	char colname[MAX_COLUMNS][40]; /* for messages, escaped */
	size_t ncols;

	struct package pkg;
	struct reasons reasons;
	bool stop;
	bool nomem; /* an allocation failed inside a libcsv callback */
	int err;    /* -1 once fn or memory failed (d is filled) */
};

static void on_field(void *s, size_t len, void *data)
{
	struct csvdec *c = data;

	if (c->nfields >= MAX_COLUMNS) {
		c->too_many = true;
		c->nfields++;
		return;
	}
	c->foff[c->nfields] = c->fields.len;
	c->flen[c->nfields] = len;
	if (len && buf_add(&c->fields, s, len) < 0)
		c->nomem = true;
	c->nfields++;
}

static void on_record(int term, void *data)
{
	struct csvdec *c = data;

	(void)term;
	c->records_ended++;
}

static int no_space(unsigned char ch)
{
	(void)ch;
	return 0;
}

static int init_parser(struct csvdec *c)
{
	if (c->parser_ok) {
		csv_free(&c->parser);
		c->parser_ok = false;
	}
	if (csv_init(&c->parser, CSV_STRICT | CSV_STRICT_FINI) != 0)
		return -1;
	/* RFC 4180: spaces are part of a field; libcsv trims them unless told not to. */
	csv_set_space_func(&c->parser, no_space);
	csv_set_delim(&c->parser, c->delim);
	csv_set_realloc_func(&c->parser, rt_realloc);
	csv_set_free_func(&c->parser, rt_free);
	c->parser_ok = true;
	return 0;
}

/* Hand over the current record as rejected; with_pkg when c->pkg is this record's. */
static int reject_rec(struct csvdec *c, bool with_pkg)
{
	if (ingest_reject(c->fn, c->ctx, &c->reasons, with_pkg ? &c->pkg : NULL, c->rec.data,
	                  c->rec.len, c->rec_size, c->rec_line, -1, c->d) < 0) {
		c->err = -1;
		return -1;
	}
	return 0;
}

static int reject(struct csvdec *c)
{
	return reject_rec(c, false);
}

static int oom(struct csvdec *c)
{
	diag_at(c->d, c->name, c->rec_line, NULL);
	diag_set(c->d, EX_SOFTWARE, "out of memory");
	c->err = -1;
	return -1;
}

/*
 * A column name that is a contract field's apart from case, or spaces or
 * hyphens for underscores ("Package Ref", "RECEIVED_AT"): the field, or -1.
 * It is named in the error, never accepted: the contract names columns exactly.
 */
static int loose_lookup(const char *s, size_t n)
{
	char low[64];
	size_t i;

	while (n && s[0] == ' ')
		s++, n--;
	while (n && s[n - 1] == ' ')
		n--;
	if (n >= sizeof(low))
		return -1;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		low[i] = ch == ' ' || ch == '-'   ? '_'
		         : ch >= 'A' && ch <= 'Z' ? (char)(ch + 32)
		                                  : (char)ch;
	}
	return contract_lookup(low, n);
}

/* How many contract names the raw header line holds when split on sep. */
static size_t names_split_on(const struct buf *raw, char sep)
{
	const char *p = raw->data, *end = raw->data + raw->len;
	size_t hits = 0;

	while (end > p && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	for (;;) {
		const char *q = memchr(p, sep, (size_t)(end - p));
		const char *a = p, *b = q ? q : end;

		if (b - a >= 2 && *a == '"' && b[-1] == '"')
			a++, b--;
		hits += contract_lookup(a, (size_t)(b - a)) >= 0;
		if (!q)
			return hits;
		p = q + 1;
	}
}

/* A separator as a message shows it: 'c', a tab as tab_name, another byte in hex. */
static void sep_name(unsigned char sep, const char *tab_name, char out[16])
{
	if (sep == '\t')
		(void)snprintf(out, 16, "%s", tab_name);
	else if (sep > ' ' && sep < 0x7f)
		(void)snprintf(out, 16, "'%c'", sep);
	else
		(void)snprintf(out, 16, "byte 0x%02x", sep);
}

/*
 * The header names no field: when it does split into contract names on
 * another common separator (a spreadsheet saved with ';' or tabs), say so,
 * with the option that reads it. Returns whether it said so.
 */
static bool other_delimiter(struct csvdec *c)
{
	static const char seps[] = ",;\t|";
	size_t i, best = 1;
	char sep = 0, is[16], cur[16], opt[16];

	for (i = 0; seps[i]; i++) {
		size_t hits =
		    (unsigned char)seps[i] == c->delim ? 0 : names_split_on(&c->rec, seps[i]);

		if (hits > best)
			best = hits, sep = seps[i];
	}
	if (!sep)
		return false;
	sep_name((unsigned char)sep, "tabs", is);
	sep_name(c->delim, "tabs", cur);
	sep_name((unsigned char)sep, "$'\\t'", opt);
	reasons_add(&c->reasons, "header",
	            "the header splits into field names on %s, not on %s: import it with "
	            "--delimiter %s",
	            is, cur, opt);
	return true;
}

/* Column i's name is no contract field's: say so, with the name it may mean. */
static void unknown_column(struct csvdec *c, size_t i, const char *s, size_t n, size_t *loose)
{
	char shown[200];
	const char *hint;
	int f = loose_lookup(s, n);

	text_display(shown, sizeof(shown), s, n, 38);
	if (f >= 0) {
		(*loose)++;
		reasons_add(&c->reasons, shown[0] ? shown : "header",
		            "column %zu is not a field of the contract: name it %s (the contract "
		            "names columns exactly: lower case, with underscores)",
		            i + 1, contract_fields[f].name);
		return;
	}
	if (c->o->ignore_unknown)
		return;
	hint = contract_suggest(s, n);
	if (hint)
		reasons_add(&c->reasons, shown[0] ? shown : "header",
		            "column %zu is not a field of the contract (did you mean "
		            "%s?); use --ignore-unknown-fields to ignore it",
		            i + 1, hint);
	else
		reasons_add(&c->reasons, shown[0] ? shown : "header",
		            "column %zu is not a field of the contract; use "
		            "--ignore-unknown-fields to ignore it",
		            i + 1);
}

static int do_header(struct csvdec *c)
{
	size_t seen[CONTRACT_NFIELDS] = {0}; /* 1-based column of each field */
	size_t i, known = 0, loose = 0;
	int f;

	reasons_clear(&c->reasons);
	if (c->too_many) {
		reasons_add(&c->reasons, "header", "the header has more than %d columns",
		            MAX_COLUMNS);
		goto bad;
	}
	c->ncols = c->nfields;
	for (i = 0; i < c->nfields; i++) {
		const char *s = c->fields.data + c->foff[i];
		size_t n = c->flen[i];

		f = contract_lookup(s, n);
		c->map[i] = f;
		text_display(c->colname[i], sizeof(c->colname[i]), s, n, 38);
		if (utf8_invalid_at(s, n) != n || memchr(s, '\0', n)) {
			reasons_add(&c->reasons, "header",
			            "column %zu's name %s is not valid UTF-8 text", i + 1,
			            c->colname[i]);
			continue;
		}
		if (f >= 0 && seen[f]) {
			reasons_add(&c->reasons, contract_fields[f].name,
			            "the header names this column twice (columns %zu and %zu)",
			            seen[f], i + 1);
			continue;
		}
		if (f >= 0) {
			seen[f] = i + 1;
			known++;
			continue;
		}
		unknown_column(c, i, s, n, &loose);
	}
	if (known == 0 && loose == 0) {
		reasons_clear(&c->reasons);
		if (!other_delimiter(c))
			reasons_add(
			    &c->reasons, "header",
			    "the first line is not a header row: none of its %zu columns is a "
			    "contract field (it must name the columns, e.g. "
			    "package_ref,received_at,source,referral_type,...)",
			    c->nfields);
		goto bad;
	}
	for (f = 0; f < CONTRACT_NFIELDS; f++)
		if (contract_fields[f].required && !seen[f] && !loose)
			reasons_add(&c->reasons, contract_fields[f].name,
			            "the header has no column for this required field");
	if (c->reasons.n == 0) {
		c->have_header = true;
		return 0;
	}
bad:
	c->stop = true;
	c->res->stopped = true;
	return reject(c);
}

/* Column i is ignored (--ignore-unknown-fields); its bytes must still be text. */
static void check_ignored(struct csvdec *c, size_t i)
{
	const char *s = c->fields.data + c->foff[i];
	size_t n = c->flen[i], bad = utf8_invalid_at(s, n);
	const char *nul = memchr(s, '\0', n);

	if (bad == n && !nul)
		return;
	reasons_add(&c->reasons, c->colname[i],
	            nul ? "has a NUL byte (in a column that is otherwise ignored)"
	                : "is not valid UTF-8 (in a column that is otherwise ignored)");
}

static int do_record(struct csvdec *c)
{
	size_t i;
	struct ingest_record rec;

	c->res->records++;
	reasons_clear(&c->reasons);
	if (c->nfields != c->ncols) {
		reasons_add(&c->reasons, "record",
		            "the record has %zu fields but the header has %zu", c->nfields,
		            c->ncols);
		return reject(c);
	}
	package_reset(&c->pkg);
	for (i = 0; i < c->nfields; i++) {
		if (c->map[i] < 0) {
			/* Ignored columns too: invalid UTF-8 anywhere refuses the record. */
			check_ignored(c, i);
			continue;
		}
		(void)package_set_csv_text(&c->pkg, c->map[i], c->fields.data + c->foff[i],
		                           c->flen[i], &c->reasons);
	}
	if (package_finish(&c->pkg, &c->reasons) < 0) {
		if (package_oom(&c->pkg))
			return oom(c);
		return reject_rec(c, true);
	}
	memset(&rec, 0, sizeof(rec));
	rec.pkg = &c->pkg;
	rec.raw = c->rec.data;
	rec.raw_len = c->rec.len;
	rec.raw_size = c->rec_size;
	rec.line = c->rec_line;
	rec.index = -1;
	if (c->fn(c->ctx, &rec, c->d) < 0) {
		c->err = -1;
		return -1;
	}
	return 0;
}

/* The record in c->rec is complete: split it with libcsv and use it. */
static int end_record(struct csvdec *c, bool at_eof)
{
	size_t n;
	int rc = 0;

	if (!c->started)
		return 0;
	c->started = false;
	if (c->oversize) {
		reasons_clear(&c->reasons);
		c->res->records++;
		reasons_add(&c->reasons, "record",
		            "the record is %llu bytes long, over the limit of %zu bytes; it was "
		            "not read",
		            (unsigned long long)c->rec_size, c->o->max_record);
		rc = reject(c);
		goto done;
	}
	c->nfields = 0;
	c->records_ended = 0;
	c->too_many = false;
	buf_reset(&c->fields);
	n = csv_parse(&c->parser, c->rec.data, c->rec.len, on_field, on_record, c);
	if (n == c->rec.len && (at_eof || c->records_ended == 0))
		if (csv_fini(&c->parser, on_field, on_record, c) != 0)
			n = 0;
	if (c->nomem)
		return oom(c);
	if (c->err)
		return -1;
	if (n != c->rec.len || csv_error(&c->parser) != CSV_SUCCESS) {
		if (csv_error(&c->parser) == CSV_ENOMEM)
			return oom(c);
		reasons_clear(&c->reasons);
		c->res->records++;
		if (!c->have_header)
			c->stop = c->res->stopped = true;
		reasons_add(&c->reasons, c->have_header ? "record" : "header",
		            "malformed quoting: a quote inside an unquoted field, or text after a "
		            "closing quote (RFC 4180: a field with quotes must be wholly quoted, "
		            "with \"\" for a quote)");
		rc = reject(c);
		if (init_parser(c) < 0)
			return oom(c);
		goto done;
	}
	if (c->records_ended == 0)
		goto done; /* a blank line */
	if (c->records_ended > 1) {
		reasons_clear(&c->reasons);
		c->res->records++;
		reasons_add(&c->reasons, "record",
		            "a carriage return (CR) outside quotes inside the record; line ends "
		            "must be LF or CRLF");
		rc = reject(c);
		goto done;
	}
	if (!c->have_header)
		rc = do_header(c);
	else
		rc = do_record(c);
done:
	buf_reset(&c->rec);
	c->rec_size = 0;
	c->oversize = false;
	return rc;
}

static int append(struct csvdec *c, const unsigned char *p, size_t n)
{
	if (ingest_rec_add(&c->rec, &c->rec_size, &c->oversize, c->o->max_record, p, n) < 0)
		return oom(c);
	return 0;
}

/* Scan one chunk, ending records at line ends outside quotes. */
static int scan(struct csvdec *c, const unsigned char *p, size_t n)
{
	size_t i, from = 0;

	for (i = 0; i < n && !c->stop; i++) {
		unsigned char ch = p[i];

		if (!c->started) {
			c->started = true;
			c->rec_line = c->line;
		}
		switch (c->q) {
		case Q_FIELD_START:
			if (ch == '"') {
				c->q = Q_QUOTED;
				c->quote_line = c->line;
			} else if (ch != c->delim && ch != '\n') {
				c->q = Q_UNQUOTED;
			}
			break;
		case Q_UNQUOTED:
			if (ch == c->delim)
				c->q = Q_FIELD_START;
			break;
		case Q_QUOTED:
			if (ch == '"')
				c->q = Q_QUOTE_IN_QUOTED;
			break;
		case Q_QUOTE_IN_QUOTED:
			if (ch == '"')
				c->q = Q_QUOTED;
			else if (ch == c->delim)
				c->q = Q_FIELD_START;
			else if (ch != '\n')
				c->q = Q_UNQUOTED;
			break;
		}
		if (ch != '\n')
			continue;
		c->line++;
		if (c->q == Q_QUOTED)
			continue;
		c->q = Q_FIELD_START;
		if (append(c, p + from, i + 1 - from) < 0 || end_record(c, false) < 0)
			return -1;
		from = i + 1;
	}
	if (c->stop)
		return 0;
	return append(c, p + from, n - from);
}

bool ingest_delimiter_ok(char c)
{
	return c != '\0' && c != '"' && c != '\n' && c != '\r';
}

/* Any text may be CSV: the answer when no other format claims the file. */
enum ingest_sniff ingest_csv_sniff(const unsigned char *p, size_t n)
{
	(void)p;
	(void)n;
	return SNIFF_MAYBE;
}

int ingest_csv_decode(struct source *s, const struct ingest_opts *o, ingest_fn fn, void *ctx,
                      struct ingest_result *res, struct diag *d)
{
	struct csvdec *c = rt_calloc(1, sizeof(*c));
	const unsigned char *p;
	size_t n;
	int rc = 0, more;

	if (!c) {
		diag_at(d, s->name, 0, NULL);
		return diag_set(d, EX_SOFTWARE, "out of memory");
	}
	c->name = s->name;
	c->o = o;
	c->delim = o->delimiter ? (unsigned char)o->delimiter : ',';
	c->fn = fn;
	c->ctx = ctx;
	c->res = res;
	c->d = d;
	c->line = 1;
	buf_init(&c->rec);
	buf_init(&c->fields);
	package_init(&c->pkg);
	if (init_parser(c) < 0) {
		rc = oom(c);
		goto out;
	}
	while ((more = source_next(s, &p, &n, d)) > 0) {
		if (scan(c, p, n) < 0) {
			rc = -1;
			goto out;
		}
		if (c->stop)
			goto out;
	}
	if (more < 0) {
		rc = -1;
		goto out;
	}
	if (c->started && c->q == Q_QUOTED) {
		reasons_clear(&c->reasons);
		res->records++;
		reasons_add(
		    &c->reasons, c->have_header ? "record" : "header",
		    "unterminated quoted field: the quote opened on line %lu is never "
		    "closed, so the rest of the file (%llu bytes) could not be read as records",
		    c->quote_line, (unsigned long long)c->rec_size);
		res->stopped = true;
		rc = reject(c);
		goto out;
	}
	if (end_record(c, true) < 0) {
		rc = -1;
		goto out;
	}
	if (!c->have_header && !c->stop) {
		reasons_clear(&c->reasons);
		reasons_add(&c->reasons, "header", "the file has no header row (only blank lines)");
		res->stopped = true;
		rc = reject(c);
	}
out:
	if (c->parser_ok)
		csv_free(&c->parser);
	buf_release(&c->rec);
	buf_release(&c->fields);
	package_release(&c->pkg);
	rt_free(c);
	return rc;
}
