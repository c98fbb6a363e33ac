/* The worklist writers: csv, json and ndjson (cli.md's columns and keys). */
#include "reftriage/report.h"

#include "reftriage/deconflict.h"
#include "reftriage/hash.h"
#include "reftriage/jsonw.h"
#include "reftriage/timeutil.h"

void report_init(struct report *r, FILE *out, const struct report_writer *w,
                 const struct ruleset *rs)
{
	memset(r, 0, sizeof(*r));
	r->out = out;
	r->w = w;
	r->rs = rs;
	buf_init(&r->b);
}

void report_release(struct report *r)
{
	if (r->w && r->w->release)
		r->w->release(r);
	buf_release(&r->b);
}

int report_time(struct buf *b, int64_t us)
{
	char t[40];

	/* Whole seconds, as cli.md asks; floor, so a time never moves later. */
	time_format(time_floor_div(us, US_PER_SEC) * US_PER_SEC, t);
	return buf_adds(b, t);
}

int report_csv_field(struct buf *b, const char *s, bool guard_formula)
{
	bool quote = false;
	size_t i, n;

	if (!s)
		return 0;
	n = strlen(s);
	for (i = 0; i < n; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
			quote = true;
	/*
	 * A spreadsheet runs a cell that starts with = + - @ as a formula. Free
	 * text from a package is prefixed with ' so that it is shown, not run
	 * (OWASP's advice for CSV exports).
	 */
	if (guard_formula && n && strchr("=+-@\t\r", s[0]))
		quote = true;
	if (!quote)
		return buf_add(b, s, n);
	if (buf_addc(b, '"') < 0)
		return -1;
	if (guard_formula && n && strchr("=+-@\t\r", s[0]) && buf_addc(b, '\'') < 0)
		return -1;
	for (i = 0; i < n; i++)
		if ((s[i] == '"' && buf_addc(b, '"') < 0) || buf_addc(b, s[i]) < 0)
			return -1;
	return buf_addc(b, '"');
}

static int flush(struct report *r)
{
	if (r->b.len && fwrite(r->b.data, 1, r->b.len, r->out) != r->b.len)
		return -1;
	buf_reset(&r->b);
	return 0;
}

/* --- csv -------------------------------------------------------------- */

static int csv_begin(struct report *r, const struct report_header *h)
{
	if (buf_adds(&r->b,
	             "rank,package_ref,priority,score,received_at,due_at,overdue,status,"
	             "assigned_to,force_area,referral_type,reasons,updated,computed_priority,"
	             "override,deconfliction") < 0 ||
	    (h->closed && buf_adds(&r->b, ",closed_at,closed_by") < 0) ||
	    buf_adds(&r->b, "\r\n") < 0)
		return -1;
	return flush(r);
}

/* The line's end: for worklist --closed, closed_at and closed_by first. */
static int csv_closed(struct buf *b, const struct report_item *it)
{
	if (it->closed && (buf_addc(b, ',') < 0 || report_time(b, it->closed_at) < 0 ||
	                   buf_addc(b, ',') < 0 || report_csv_field(b, it->closed_by, true) < 0))
		return -1;
	return buf_adds(b, "\r\n") < 0 ? -1 : 0;
}

/* A package not scored yet: rank, priority, score, due_at, overdue and reasons empty. */
static int csv_unscored(struct report *r, const struct report_item *it)
{
	struct buf *b = &r->b;

	if (buf_addc(b, ',') < 0 || report_csv_field(b, it->ref, false) < 0 ||
	    buf_adds(b, ",,,") < 0 || report_time(b, it->received_at) < 0 ||
	    buf_adds(b, ",,,") < 0 || report_csv_field(b, it->status, false) < 0 ||
	    buf_addc(b, ',') < 0 || report_csv_field(b, it->assigned_to, true) < 0 ||
	    buf_addc(b, ',') < 0 || report_csv_field(b, it->force_area, true) < 0 ||
	    buf_addc(b, ',') < 0 || report_csv_field(b, it->referral_type, false) < 0 ||
	    buf_adds(b, it->updated ? ",,true,,," : ",,false,,,") < 0 ||
	    buf_adds(b, report_deconf_name(it->deconf)) < 0 || csv_closed(b, it) < 0)
		return -1;
	return flush(r);
}

static int csv_item(struct report *r, const struct report_item *it)
{
	struct buf *b = &r->b;

	if (it->unscored)
		return csv_unscored(r, it);
	if (buf_addf(b, "%ld,", it->rank) < 0 || report_csv_field(b, it->ref, false) < 0 ||
	    buf_addc(b, ',') < 0 || report_csv_field(b, it->priority, false) < 0 ||
	    buf_addf(b, ",%lld,", (long long)it->score) < 0 ||
	    report_time(b, it->received_at) < 0 || buf_addc(b, ',') < 0 ||
	    report_time(b, it->due_at) < 0 || buf_adds(b, it->overdue ? ",true," : ",false,") < 0 ||
	    report_csv_field(b, it->status, false) < 0 || buf_addc(b, ',') < 0 ||
	    report_csv_field(b, it->assigned_to, true) < 0 || buf_addc(b, ',') < 0 ||
	    report_csv_field(b, it->force_area, true) < 0 || buf_addc(b, ',') < 0 ||
	    report_csv_field(b, it->referral_type, false) < 0 || buf_addc(b, ',') < 0 ||
	    report_csv_field(b, it->reasons, false) < 0 ||
	    buf_adds(b, it->updated ? ",true," : ",false,") < 0 ||
	    report_csv_field(b, it->computed_priority, false) < 0 || buf_addc(b, ',') < 0 ||
	    (it->override && buf_adds(b, it->override->direction) < 0) || buf_addc(b, ',') < 0 ||
	    buf_adds(b, report_deconf_name(it->deconf)) < 0 || csv_closed(b, it) < 0)
		return -1;
	return flush(r);
}

static int nothing(struct report *r)
{
	(void)r;
	return 0;
}

/* --- json and ndjson ------------------------------------------------------ */

static int json_string_or_null(struct buf *b, const char *s)
{
	return s ? jsonw_string(b, s, strlen(s)) : buf_adds(b, "null");
}

/* --- deconfliction (casework.md section 3) ---------------------------- */

const char *report_deconf_name(int state)
{
	return state == DECONF_HIT ? "hit" : state == DECONF_ACKNOWLEDGED ? "acknowledged" : "";
}

static int deconf_match_json(struct buf *b, bool *comma, const char *owner, const char *op,
                             const char *contact, const char *type, bool possible)
{
	bool first = true;
	int rc = *comma ? buf_addc(b, ',') : 0;

	*comma = true;
	rc |= buf_addc(b, '{') | jsonw_key(b, &first, "owner") | json_string_or_null(b, owner);
	rc |= jsonw_key(b, &first, "operation") | json_string_or_null(b, op);
	rc |= jsonw_key(b, &first, "contact") | json_string_or_null(b, contact);
	rc |= jsonw_key(b, &first, "type") | json_string_or_null(b, type);
	if (possible)
		rc |= jsonw_key(b, &first, "possible") | buf_adds(b, "true");
	return rc | buf_addc(b, '}');
}

int report_deconf_json(struct buf *b, const struct report_item *it)
{
	const struct deconf_view *v = it->deconf_view;
	bool comma = false;
	size_t i;
	int rc;

	rc = it->deconf
	         ? buf_addf(b, "{\"state\":\"%s\",\"matches\":[", report_deconf_name(it->deconf))
	         : buf_adds(b, "{\"state\":null,\"matches\":[");
	for (i = 0; v && i < v->n; i++)
		rc |= deconf_match_json(b, &comma, v->m[i].owner, v->m[i].operation,
		                        v->m[i].contact, v->m[i].type, v->m[i].possible);
	if (v && v->le)
		rc |= deconf_match_json(b, &comma, v->le_agency, v->le_case[0] ? v->le_case : NULL,
		                        "see the provider's report", "le_agency", false);
	return rc | buf_adds(b, "]}");
}

static int json_time(struct buf *b, int64_t us)
{
	return buf_addc(b, '"') < 0 || report_time(b, us) < 0 ? -1 : buf_addc(b, '"');
}

/*
 * "override": null, or who overrode the rules' priority, how and why
 * (casework.md section 1).
 */
static int json_override(struct buf *b, bool *first, const struct store_override *o)
{
	bool f2 = true;
	int rc = jsonw_key(b, first, "override");

	if (!o)
		return rc | buf_adds(b, "null");
	rc |= buf_addc(b, '{');
	rc |= jsonw_key_str(b, &f2, "direction", o->direction);
	rc |= jsonw_key_str(b, &f2, "code", o->code);
	rc |= jsonw_key_str(b, &f2, "by", o->operator_name);
	rc |= jsonw_key(b, &f2, "approved_by");
	rc |= json_string_or_null(b, o->approved_by);
	rc |= jsonw_key(b, &f2, "at");
	rc |= json_time(b, o->at);
	rc |= jsonw_key_str(b, &f2, "note", o->note);
	return rc | buf_addc(b, '}');
}

const char *report_override_mark(const struct store_override *o, bool utf8)
{
	bool up = o && strcmp(o->direction, "up") == 0;

	if (!o)
		return "";
	if (utf8)
		return up ? "\u2191" : "\u2193";
	return up ? "^" : "v";
}

/* "outcomes": the package's recorded outcomes (docs/outcomes.md). */
static int json_outcomes(struct buf *b, bool *first, const struct report_item *it)
{
	size_t i;
	int rc = jsonw_key(b, first, "outcomes") | buf_addc(b, '[');

	for (i = 0; i < it->noutcomes; i++)
		rc |= buf_addf(b, "%s{\"code\":\"%s\",\"date\":\"%s\",\"count\":%ld}", i ? "," : "",
		               it->outcomes[i].code, it->outcomes[i].date, it->outcomes[i].count);
	return rc | buf_addc(b, ']');
}

/*
 * The contract v2 fields the package knows (data-contract.md, "Fields from
 * the source systems"), as an object in contract order; null when none.
 */
static int json_source(struct buf *b, const struct package *p)
{
	bool first = true;
	int f, rc = 0;

	for (f = F_SOURCE_FIRST; p && f <= F_SOURCE_LAST; f++) {
		if (!package_known(p, f))
			continue;
		rc |= first ? buf_addc(b, '{') : 0;
		rc |= jsonw_key(b, &first, contract_fields[f].name);
		if (contract_fields[f].type == FT_INT)
			rc |= buf_addf(b, "%lld", (long long)p->v[f]);
		else if (contract_fields[f].type == FT_BOOL)
			rc |= buf_adds(b, p->v[f] ? "true" : "false");
		else {
			struct buf v;

			buf_init(&v);
			rc |= package_format_value(p, f, &v);
			rc |= jsonw_string(b, v.data, v.len);
			buf_release(&v);
		}
	}
	return rc | (first ? buf_adds(b, "null") : buf_addc(b, '}')) ? -1 : 0;
}

static int json_item_object(struct report *r, const struct report_item *it)
{
	struct buf *b = &r->b;
	bool first = true;
	size_t i;
	int rc = 0;

	/* Not scored yet: what a score would say is null (not known). */
	rc |= buf_addc(b, '{');
	rc |= jsonw_key(b, &first, "rank");
	rc |= it->unscored ? buf_adds(b, "null") : buf_addf(b, "%ld", it->rank);
	rc |= jsonw_key(b, &first, "package_ref");
	rc |= json_string_or_null(b, it->ref);
	rc |= jsonw_key(b, &first, "priority");
	rc |= json_string_or_null(b, it->priority);
	rc |= jsonw_key(b, &first, "score");
	rc |= it->unscored ? buf_adds(b, "null") : buf_addf(b, "%lld", (long long)it->score);
	rc |= jsonw_key(b, &first, "received_at");
	rc |= json_time(b, it->received_at);
	rc |= jsonw_key(b, &first, "due_at");
	rc |= it->unscored ? buf_adds(b, "null") : json_time(b, it->due_at);
	rc |= jsonw_key(b, &first, "overdue");
	rc |= buf_adds(b, it->unscored ? "null" : it->overdue ? "true" : "false");
	rc |= jsonw_key(b, &first, "status");
	rc |= json_string_or_null(b, it->status);
	rc |= jsonw_key(b, &first, "assigned_to");
	rc |= json_string_or_null(b, it->assigned_to);
	rc |= jsonw_key(b, &first, "force_area");
	rc |= json_string_or_null(b, it->force_area);
	rc |= jsonw_key(b, &first, "referral_type");
	rc |= json_string_or_null(b, it->referral_type);
	rc |= jsonw_key(b, &first, "reasons");
	rc |= json_string_or_null(b, it->reasons);
	rc |= jsonw_key(b, &first, "updated");
	rc |= buf_adds(b, it->updated ? "true" : "false");
	rc |= jsonw_key(b, &first, "computed_priority");
	rc |= json_string_or_null(b, it->computed_priority);
	rc |= json_override(b, &first, it->override);
	rc |= jsonw_key(b, &first, "deconfliction");
	rc |= report_deconf_json(b, it);
	if (it->closed) {
		rc |= jsonw_key(b, &first, "closed_at") | json_time(b, it->closed_at);
		rc |= jsonw_key(b, &first, "closed_by") | json_string_or_null(b, it->closed_by);
	}
	rc |= json_outcomes(b, &first, it);
	rc |= jsonw_key(b, &first, "explanation");
	rc |= buf_addc(b, '[');
	for (i = 0; i < it->nfired; i++) {
		const struct rule *ru = it->fired[i];
		const char *cat = rule_category_names[ru->category];
		bool f2 = true;

		rc |= buf_adds(b, i ? ",{" : "{");
		rc |= jsonw_key_str(b, &f2, "rule", ru->id);
		rc |= jsonw_key_str(b, &f2, "category", cat);
		rc |= jsonw_key_int(b, &f2, "points", (long long)ru->points);
		rc |= jsonw_key_str(b, &f2, "description", ru->description);
		rc |= buf_addc(b, '}');
	}
	rc |= buf_addc(b, ']');
	rc |= jsonw_key(b, &first, "source");
	rc |= json_source(b, it->pkg);
	rc |= buf_addc(b, '}');
	return rc ? -1 : 0;
}

int report_quarantine_json(struct buf *b, const struct store_qopen *q)
{
	struct buf reason;
	size_t i;
	int rc = buf_addf(b, "{\"open\":%ld,\"items\":[", q->open);

	buf_init(&reason);
	for (i = 0; i < q->nitems; i++) {
		const struct store_qitem *it = &q->items[i];
		bool first = true;

		rc |= buf_adds(b, i ? ",{" : "{");
		rc |= jsonw_key_int(b, &first, "id", (long long)it->id);
		rc |= jsonw_key(b, &first, "package_ref");
		rc |= it->package_ref ? jsonw_string(b, it->package_ref, strlen(it->package_ref))
		                      : buf_adds(b, "null");
		rc |= jsonw_key(b, &first, "received_at");
		if (it->has_received)
			rc |= buf_addc(b, '"') | report_time(b, it->received_at) | buf_addc(b, '"');
		else
			rc |= buf_adds(b, "null");
		rc |= jsonw_key_str(b, &first, "file", it->file ? it->file : "");
		rc |= jsonw_key_int(b, &first, "line", (long long)it->line);
		buf_reset(&reason);
		rc |= buf_addf(&reason, "%s: %s", it->field, it->message);
		rc |= jsonw_key(b, &first, "reason");
		rc |= rc ? -1 : jsonw_string(b, reason.data, reason.len);
		rc |= buf_addc(b, '}');
	}
	rc |= buf_adds(b, "]}");
	buf_release(&reason);
	return rc ? -1 : 0;
}

static int json_begin(struct report *r, const struct report_header *h)
{
	struct buf *b = &r->b;
	bool first = true;
	char hex[HASH_HEX];
	int rc = 0;

	rc |= buf_addc(b, '{');
	rc |= jsonw_key(b, &first, "as_of");
	rc |= h->scored ? json_time(b, h->as_of) : buf_adds(b, "null");
	rc |= jsonw_key(b, &first, "rules_hash");
	if (h->rules_hash) {
		hash_hex(hex, h->rules_hash);
		rc |= jsonw_string(b, hex, strlen(hex));
	} else {
		rc |= buf_adds(b, "null");
	}
	rc |= jsonw_key(b, &first, "generated_at");
	rc |= json_time(b, h->generated_at);
	rc |= jsonw_key(b, &first, "stale");
	rc |= buf_adds(b, h->stale ? "true" : "false");
	if (h->quarantine) {
		rc |= jsonw_key(b, &first, "quarantine");
		rc |= report_quarantine_json(b, h->quarantine);
	}
	/* The first items are the packages not scored yet, this many before --limit. */
	rc |= jsonw_key(b, &first, "unscored");
	rc |= buf_addf(b, "%ld", h->unscored);
	rc |= jsonw_key(b, &first, "items");
	rc |= buf_addc(b, '[');
	return rc ? -1 : flush(r);
}

static int json_item(struct report *r, const struct report_item *it)
{
	if ((r->items && buf_addc(&r->b, ',') < 0) || buf_addc(&r->b, '\n') < 0 ||
	    json_item_object(r, it) < 0)
		return -1;
	r->items++;
	return flush(r);
}

static int json_end(struct report *r)
{
	if (buf_adds(&r->b, r->items ? "\n]}\n" : "]}\n") < 0)
		return -1;
	return flush(r);
}

static int ndjson_begin(struct report *r, const struct report_header *h)
{
	(void)r;
	(void)h;
	return 0;
}

static int ndjson_item(struct report *r, const struct report_item *it)
{
	if (json_item_object(r, it) < 0 || buf_addc(&r->b, '\n') < 0)
		return -1;
	return flush(r);
}

static const struct report_writer writers[] = {
    {"csv", csv_begin, csv_item, nothing, NULL},
    {"json", json_begin, json_item, json_end, NULL},
    {"ndjson", ndjson_begin, ndjson_item, nothing, NULL},
};

const struct report_writer *report_writer(const char *format)
{
	size_t i;

	if (strcmp(format, "table") == 0)
		return &report_table;
	if (strcmp(format, "html") == 0)
		return &report_html;
	for (i = 0; i < ARRAY_SIZE(writers); i++)
		if (strcmp(writers[i].name, format) == 0)
			return &writers[i];
	return NULL;
}

const char *report_formats(void)
{
	return "table, csv, json, ndjson or html";
}
