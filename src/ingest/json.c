/*
 * JSON and NDJSON decoding.
 *
 * A JSON file holds one object, an array of objects, or a sequence of objects
 * (NDJSON). A small framer of our own walks the bytes, tracking strings and
 * brackets, and cuts out one top-level element at a time; a flat package
 * object is read straight into the package (jsonflat.c), and anything else
 * is decoded by jansson, just that element (through jsondoc.h). So memory is bounded by one record,
 * a broken record does not stop its neighbours from being read, and every record is known by its
 * line, its array index and its raw bytes. An NDJSON file is read a line at a time.
 */
#include "ingest-internal.h"

#include "reftriage/alloc.h"
#include "reftriage/jsondoc.h"
#include "reftriage/text.h"

/* Records are flat; anything nested deeper than this is refused unread. */
#define MAX_DEPTH 32

enum outer {
	O_TOP,       /* before the first value */
	O_ARR_FIRST, /* after '[' */
	O_ARR_ELEM,  /* after ',' */
	O_ARR_AFTER, /* after an element */
	O_SEQ,       /* between top-level objects */
	O_DONE,      /* after the closing ']' */
};

enum elem_kind { E_BRACKET, E_STRING, E_BARE };

struct jsondec {
	const char *name;
	const struct ingest_opts *o;
	ingest_fn fn;
	void *ctx;
	struct ingest_result *res;
	struct diag *d;
	bool ndjson;

	enum outer outer;
	unsigned long line;
	int col; /* character column of the next byte, 1-based */

	/* The element being framed. */
	bool in_elem;
	enum elem_kind kind;
	bool in_str, esc;
	int depth, maxdepth;
	struct buf elem;
	struct buf copy; /* the element made UTF-8, to find who a refused record is */
	uint64_t elem_size;
	bool oversize;
	unsigned long elem_line;
	int elem_col;
	long index; /* array index, or -1 */
	long next_index;

	struct package pkg;
	struct reasons reasons;
	struct buf flat[2]; /* jsonflat.c's scratch */
	bool stop;
};

static int reject_rec(struct jsondec *j, bool with_pkg)
{
	return ingest_reject(j->fn, j->ctx, &j->reasons, with_pkg ? &j->pkg : NULL, j->elem.data,
	                     j->elem.len, j->elem_size, j->elem_line, j->index, j->d);
}

static int reject(struct jsondec *j)
{
	return reject_rec(j, false);
}

static int oom(struct jsondec *j)
{
	diag_at(j->d, j->name, j->elem_line, NULL);
	return diag_set(j->d, EX_SOFTWARE, "out of memory");
}

/* A problem with the file's structure: report it and stop reading. */
static int structural(struct jsondec *j, const char *fmt, ...) PRINTF_LIKE(2, 3);

static int structural(struct jsondec *j, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	reasons_clear(&j->reasons);
	reasons_add(&j->reasons, "record", "%s", msg);
	if (!j->in_elem) {
		j->elem_line = j->line;
		j->index = -1;
	}
	j->res->records++;
	j->res->stopped = true;
	j->stop = true;
	return reject(j);
}

static void add_idents(struct jsondec *j, const struct jv *arr)
{
	size_t i, n = jv_size(arr);

	for (i = 0; i < n; i++) {
		const struct jv *item = jv_at(arr, i), *type, *token;
		const char *ts, *ks;
		size_t tl, kl;

		type = jv_kind(item) == JV_OBJECT ? jv_get(item, "type") : NULL;
		token = jv_kind(item) == JV_OBJECT ? jv_get(item, "token") : NULL;
		if (!type || !token || jv_size(item) != 2 || jv_kind(type) != JV_STRING ||
		    jv_kind(token) != JV_STRING) {
			reasons_add(
			    &j->reasons, "identifiers",
			    "item %zu is not an object {\"type\": \"...\", \"token\": \"...\"} "
			    "with exactly those two string members",
			    i + 1);
			continue;
		}
		ts = jv_string(type, &tl);
		ks = jv_string(token, &kl);
		(void)package_add_ident(&j->pkg, ts, tl, ks, kl, i + 1, &j->reasons);
	}
}

/* Validate one decoded object; fill j->pkg and j->reasons. */
static void object_to_package(struct jsondec *j, const struct jv *obj)
{
	struct jv_iter *it;

	package_reset(&j->pkg);
	for (it = jv_first(obj); it; it = jv_next(obj, it)) {
		const char *key = jv_iter_key(it), *sv;
		const struct jv *v = jv_iter_value(it);
		size_t klen = strlen(key), sl;
		int f = contract_lookup(key, klen);
		char lex[64];

		if (f < 0) {
			char shown[160];
			const char *hint;

			if (j->o->ignore_unknown)
				continue;
			text_display(shown, sizeof(shown), key, klen, 38);
			hint = contract_suggest(key, klen);
			if (hint)
				reasons_add(
				    &j->reasons, shown,
				    "is not a field of the contract (did you mean %s?); use "
				    "--ignore-unknown-fields to ignore it",
				    hint);
			else
				reasons_add(&j->reasons, shown,
				            "is not a field of the contract; use "
				            "--ignore-unknown-fields to ignore it");
			continue;
		}
		switch (jv_kind(v)) {
		case JV_STRING:
			sv = jv_string(v, &sl);
			(void)package_set_json_string(&j->pkg, f, sv, sl, &j->reasons);
			break;
		case JV_INT:
			(void)snprintf(lex, sizeof(lex), "%lld", (long long)jv_int(v));
			(void)package_set_json_int(&j->pkg, f, jv_int(v), lex, &j->reasons);
			break;
		case JV_REAL:
			(void)snprintf(lex, sizeof(lex), "%.17g", jv_real(v));
			(void)package_set_json_real(&j->pkg, f, lex, &j->reasons);
			break;
		case JV_BOOL:
			(void)package_set_json_bool(&j->pkg, f, jv_true(v), &j->reasons);
			break;
		case JV_NULL:
			(void)package_set_json_null(&j->pkg, f, &j->reasons);
			break;
		case JV_ARRAY:
			if (f == F_IDENTIFIERS) {
				if (package_set_json_null(&j->pkg, f, &j->reasons) == 0)
					add_idents(j, v);
			} else {
				(void)package_set_json_wrong(&j->pkg, f, "an array", &j->reasons);
			}
			break;
		case JV_OBJECT:
			(void)package_set_json_wrong(&j->pkg, f, "an object", &j->reasons);
			break;
		}
	}
	(void)package_finish(&j->pkg, &j->reasons);
}

/*
 * The key of the top-level member that holds byte pos of the element (or the
 * key that holds it), for messages about bytes jansson refused; "record" when
 * there is none.
 */
static void key_at(const char *s, size_t n, size_t pos, char *out, size_t outsize)
{
	size_t i, kstart = 0, kend = 0, sstart = 0;
	bool in_str = false, esc = false, have = false;
	int depth = 0;

	(void)snprintf(out, outsize, "record");
	/* A string that holds pos is read to its end: it may be the key itself. */
	for (i = 0; i < n && (i < pos || in_str); i++) {
		char c = s[i];

		if (in_str) {
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"') {
				in_str = false;
				if (depth == 1) {
					size_t k = i + 1;

					while (k < n && (s[k] == ' ' || s[k] == '\t' ||
					                 s[k] == '\n' || s[k] == '\r'))
						k++;
					if (k < n && s[k] == ':') {
						kstart = sstart;
						kend = i;
						have = true;
					}
				}
			}
			continue;
		}
		if (c == '"') {
			in_str = true;
			sstart = i + 1;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			depth--;
		}
	}
	if (have)
		text_display(out, outsize, s + kstart, kend - kstart, 38);
}

/* The line and character column (as jansson counts them) of byte pos of the element. */
static void position(const struct jsondec *j, size_t pos, unsigned long *line, int *column)
{
	size_t i;

	*line = j->elem_line;
	*column = j->elem_col;
	for (i = 0; i < pos; i++) {
		unsigned char c = (unsigned char)j->elem.data[i];

		if (c == '\n') {
			++*line;
			*column = 1;
		} else if ((c & 0xc0) != 0x80) {
			++*column;
		}
	}
}

/*
 * A raw NUL byte is never JSON (inside a string it must be written \u0000),
 * but jansson lets one pass after a number: refuse the record before it looks.
 */
static int reject_nul(struct jsondec *j, size_t pos)
{
	unsigned long line;
	int column;
	char key[160];

	position(j, pos, &line, &column);
	key_at(j->elem.data, j->elem.len, pos, key, sizeof(key));
	reasons_add(&j->reasons, key,
	            "invalid JSON at line %lu, column %d: a NUL byte (0x00), which JSON text "
	            "never holds (in a string, write \\u0000)",
	            line, column);
	return reject(j);
}

/*
 * Who a record that is not UTF-8 is: its package_ref may be whole. Reads a
 * copy with every invalid byte made '?' (which breaks no JSON structure, and
 * is in no valid package_ref) into j->pkg, using j->reasons as scratch.
 * True when j->pkg holds a valid package_ref. Out of memory only loses it.
 */
static bool identify(struct jsondec *j, size_t bad)
{
	struct jdoc_error err;
	struct jdoc *doc;
	size_t at = bad, n = j->elem.len;

	/* Nothing of the record before may stand for this one's ref. */
	package_reset(&j->pkg);
	buf_reset(&j->copy);
	if (buf_add(&j->copy, j->elem.data, n) < 0)
		return false;
	while (at < n) {
		j->copy.data[at++] = '?';
		at += utf8_invalid_at(j->copy.data + at, n - at);
	}
	doc = jdoc_parse(j->copy.data, n, &err);
	if (!doc)
		return false;
	if (jv_kind(jdoc_root(doc)) == JV_OBJECT)
		object_to_package(j, jdoc_root(doc));
	jdoc_free(doc);
	return !package_oom(&j->pkg) && package_known(&j->pkg, F_PACKAGE_REF);
}

/* Invalid UTF-8 refuses the record; it is quarantined with its package_ref when that is whole. */
static int reject_bad_utf8(struct jsondec *j, size_t bad)
{
	bool known = identify(j, bad);
	char key[160];

	reasons_clear(&j->reasons);
	key_at(j->elem.data, j->elem.len, bad, key, sizeof(key));
	reasons_add(&j->reasons, key,
	            "is not valid UTF-8 (byte %zu of the record is 0x%02x); the record is refused",
	            bad + 1, (unsigned char)j->elem.data[bad]);
	return reject_rec(j, known);
}

/* Refuse a record jansson could not read, saying where and why. */
static int reject_unparsed(struct jsondec *j, const struct jdoc_error *err)
{
	/* jansson counts from the element's start, which need not start its line. */
	unsigned long line = j->elem_line + (unsigned long)(err->line > 0 ? err->line - 1 : 0);
	int column =
	    err->line == 1 && err->column > 0 ? err->column + j->elem_col - 1 : err->column;
	char key[160];

	/* Running out of memory is not bad data: never quarantine a good record for it. */
	if (err->oom)
		return oom(j);
	key_at(j->elem.data, j->elem.len, err->position, key, sizeof(key));
	if (err->nul_in_key)
		reasons_add(&j->reasons, key,
		            "the key contains a NUL character (\\u0000), at line %lu, column %d; "
		            "the record cannot be read",
		            line, column);
	else
		reasons_add(&j->reasons, key, "invalid JSON at line %lu, column %d: %s", line,
		            column, err->text);
	return reject(j);
}

static int deliver(struct jsondec *j)
{
	struct ingest_record rec;
	struct jdoc_error err;
	struct jdoc *doc;
	const char *nul;
	size_t bad;

	j->res->records++;
	reasons_clear(&j->reasons);
	if (j->oversize) {
		reasons_add(&j->reasons, "record",
		            "the record is %llu bytes long, over the limit of %zu bytes; it was "
		            "not read",
		            (unsigned long long)j->elem_size, j->o->max_record);
		return reject(j);
	}
	if (j->maxdepth > MAX_DEPTH) {
		reasons_add(
		    &j->reasons, "record",
		    "the record is nested %d levels deep (the limit is %d); it was not read",
		    j->maxdepth, MAX_DEPTH);
		return reject(j);
	}
	bad = utf8_invalid_at(j->elem.data, j->elem.len);
	if (bad != j->elem.len)
		return reject_bad_utf8(j, bad);
	nul = memchr(j->elem.data, '\0', j->elem.len);
	if (nul)
		return reject_nul(j, (size_t)(nul - j->elem.data));
	/* A flat package object is read without a tree (jsonflat.c); the rest by jansson. */
	if (j->o->json_via_tree ||
	    ingest_json_flat(j->elem.data, j->elem.len, &j->pkg, &j->reasons, j->flat) != 1) {
		reasons_clear(&j->reasons);
		doc = jdoc_parse_value(j->elem.data, j->elem.len, &err);
		if (!doc)
			return reject_unparsed(j, &err);
		if (jv_kind(jdoc_root(doc)) != JV_OBJECT) {
			reasons_add(&j->reasons, "record", "%s is %s, not a package object",
			            j->index >= 0 ? "the array element" : "the value",
			            jv_kind_name(jdoc_root(doc)));
			jdoc_free(doc);
			return reject(j);
		}
		object_to_package(j, jdoc_root(doc));
		jdoc_free(doc);
	}
	if (package_oom(&j->pkg))
		return oom(j);
	if (j->reasons.n || j->reasons.more)
		return reject_rec(j, true);
	memset(&rec, 0, sizeof(rec));
	rec.pkg = &j->pkg;
	rec.raw = j->elem.data;
	rec.raw_len = j->elem.len;
	rec.raw_size = j->elem_size;
	rec.line = j->elem_line;
	rec.index = j->index;
	return j->fn(j->ctx, &rec, j->d);
}

static void start_elem(struct jsondec *j, unsigned char c)
{
	j->in_elem = true;
	j->in_str = j->esc = false;
	j->depth = j->maxdepth = 0;
	j->kind = (c == '{' || c == '[') ? E_BRACKET : c == '"' ? E_STRING : E_BARE;
	j->elem_line = j->line;
	j->elem_col = j->col - 1; /* its first byte is counted already */
	j->elem_size = 0;
	j->oversize = false;
	buf_reset(&j->elem);
	if (j->outer == O_SEQ || j->outer == O_TOP)
		j->index = -1;
	else
		j->index = j->next_index++;
}

static int add_bytes(struct jsondec *j, const unsigned char *p, size_t n)
{
	if (ingest_rec_add(&j->elem, &j->elem_size, &j->oversize, j->o->max_record, p, n) < 0)
		return oom(j);
	return 0;
}

static int end_elem(struct jsondec *j)
{
	int rc;

	j->in_elem = false;
	rc = deliver(j);
	if (j->outer == O_ARR_FIRST || j->outer == O_ARR_ELEM)
		j->outer = O_ARR_AFTER;
	return rc;
}

static bool is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Count byte c into the line and column of the next byte. */
static void advance(struct jsondec *j, unsigned char c)
{
	if (c == '\n') {
		j->line++;
		j->col = 1;
	} else if ((c & 0xc0) != 0x80) {
		j->col++;
	}
}

/*
 * Scan byte c inside an element, tracking strings, escapes and bracket depth.
 * Returns whether c ends the element; *include says whether c belongs to it
 * (a byte that ends a bare element does not: it is read again outside it).
 */
static bool elem_byte(struct jsondec *j, unsigned char c, bool *include)
{
	*include = true;
	if (j->in_str) {
		if (j->esc)
			j->esc = false;
		else if (c == '\\')
			j->esc = true;
		else if (c == '"') {
			j->in_str = false;
			return j->kind == E_STRING;
		}
		return false;
	}
	if (j->kind == E_BARE) {
		if (is_ws(c) || c == ',' || c == ']' || c == '}' || c == '[' || c == '{' ||
		    c == '"') {
			*include = false;
			return true;
		}
		return false;
	}
	if (c == '"') {
		j->in_str = true;
	} else if (c == '{' || c == '[') {
		if (++j->depth > j->maxdepth)
			j->maxdepth = j->depth;
	} else if (c == '}' || c == ']') {
		return --j->depth == 0;
	}
	return false;
}

/*
 * Read byte c between elements: whitespace and the outer array's brackets and
 * commas. Returns 1 when c starts an element and 0 when it was consumed; on a
 * structural error it sets j->stop and returns what structural() returned.
 */
static int between_elems(struct jsondec *j, unsigned char c)
{
	if (is_ws(c))
		return 0;
	switch (j->outer) {
	case O_TOP:
		if (c == '[') {
			j->outer = O_ARR_FIRST;
			return 0;
		}
		j->outer = O_SEQ;
		break;
	case O_ARR_FIRST:
		if (c == ']') {
			j->outer = O_DONE;
			return 0;
		}
		break;
	case O_ARR_ELEM:
		if (c == ']')
			return structural(j,
			                  "a comma before ']' at line %lu: JSON allows no "
			                  "trailing comma",
			                  j->line);
		break;
	case O_ARR_AFTER:
		if (c == ',') {
			j->outer = O_ARR_ELEM;
			return 0;
		}
		if (c == ']') {
			j->outer = O_DONE;
			return 0;
		}
		if (c >= 0x20 && c < 0x7f)
			return structural(j,
			                  "expected ',' or ']' after array element %ld at "
			                  "line %lu, found '%c'",
			                  j->next_index - 1, j->line, c);
		return structural(j,
		                  "expected ',' or ']' after array element %ld at line "
		                  "%lu, found the byte 0x%02x",
		                  j->next_index - 1, j->line, c);
	case O_SEQ:
		break;
	case O_DONE:
		return structural(j, "text after the end of the array at line %lu", j->line);
	}
	if (c == '}' || c == ']')
		return structural(j, "unexpected '%c' at line %lu", c, j->line);
	return 1;
}

/*
 * Advance the framer over p[0..n). Bytes of an element are appended in runs,
 * not one at a time.
 */
static int frame(struct jsondec *j, const unsigned char *p, size_t n)
{
	size_t i = 0, from = 0;
	int rc;

	while (i < n && !j->stop) {
		unsigned char c = p[i];

		if (j->in_elem) {
			bool include, ends = elem_byte(j, c, &include);

			/* A byte that ends a bare element is counted below, outside it. */
			if (include)
				advance(j, c);
			if (!ends) {
				i++;
				continue;
			}
			if (add_bytes(j, p + from, i + (include ? 1 : 0) - from) < 0)
				return -1;
			if (end_elem(j) < 0)
				return -1;
			if (include)
				i++;
			from = i;
			continue;
		}
		advance(j, c);
		rc = between_elems(j, c);
		if (j->stop)
			return rc;
		if (rc > 0) {
			start_elem(j, c);
			from = i;
			if (j->kind == E_BRACKET)
				j->depth = j->maxdepth = 1;
			else if (j->kind == E_STRING)
				j->in_str = true;
		}
		i++;
	}
	if (j->in_elem && !j->stop)
		return add_bytes(j, p + from, n - from);
	return 0;
}

static int frame_eof(struct jsondec *j)
{
	if (j->stop)
		return 0;
	if (j->in_elem) {
		if (j->kind == E_BARE)
			return end_elem(j);
		j->res->stopped = true;
		j->stop = true;
		j->res->records++;
		reasons_clear(&j->reasons);
		reasons_add(&j->reasons, "record",
		            "the file ends inside this record (%s); it was not read",
		            j->in_str ? "an unterminated string" : "an unclosed '{' or '['");
		return reject(j);
	}
	if (j->outer == O_ARR_FIRST || j->outer == O_ARR_ELEM || j->outer == O_ARR_AFTER)
		return structural(j, "the file ends before the array is closed with ']'");
	return 0;
}

/* NDJSON: each line is one record; blank lines are ignored. */
static int ndjson_line(struct jsondec *j)
{
	size_t k;

	for (k = 0; k < j->elem.len; k++)
		if (!is_ws((unsigned char)j->elem.data[k]))
			break;
	if (k == j->elem.len && !j->oversize)
		return 0;
	return deliver(j);
}

static int ndjson(struct jsondec *j, const unsigned char *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		const unsigned char *nl = memchr(p + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - p) : n;

		if (!j->in_elem) {
			j->in_elem = true;
			j->elem_line = j->line;
			j->elem_col = 1;
			j->elem_size = 0;
			j->oversize = false;
			j->maxdepth = 0;
			j->index = -1;
			buf_reset(&j->elem);
		}
		if (add_bytes(j, p + i, end - i) < 0)
			return -1;
		if (!nl)
			break;
		j->in_elem = false;
		if (ndjson_line(j) < 0)
			return -1;
		j->line++;
		i = end + 1;
	}
	return 0;
}

static int decode(struct source *s, const struct ingest_opts *o, bool is_ndjson, ingest_fn fn,
                  void *ctx, struct ingest_result *res, struct diag *d)
{
	struct jsondec *j = rt_calloc(1, sizeof(*j));
	const unsigned char *p;
	size_t n;
	int rc = 0, more;

	if (!j) {
		diag_at(d, s->name, 0, NULL);
		return diag_set(d, EX_SOFTWARE, "out of memory");
	}
	j->name = s->name;
	j->o = o;
	j->fn = fn;
	j->ctx = ctx;
	j->res = res;
	j->d = d;
	j->ndjson = is_ndjson;
	j->line = 1;
	j->col = 1;
	j->index = -1;
	buf_init(&j->elem);
	buf_init(&j->copy);
	buf_init(&j->flat[0]);
	buf_init(&j->flat[1]);
	package_init(&j->pkg);
	while ((more = source_next(s, &p, &n, d)) > 0) {
		rc = is_ndjson ? ndjson(j, p, n) : frame(j, p, n);
		if (rc < 0 || j->stop)
			goto out;
	}
	if (more < 0) {
		rc = -1;
		goto out;
	}
	if (is_ndjson) {
		if (j->in_elem) {
			j->in_elem = false;
			rc = ndjson_line(j);
		}
	} else {
		rc = frame_eof(j);
	}
out:
	buf_release(&j->elem);
	buf_release(&j->copy);
	buf_release(&j->flat[0]);
	buf_release(&j->flat[1]);
	package_release(&j->pkg);
	rt_free(j);
	return rc;
}

int ingest_json_decode(struct source *s, const struct ingest_opts *o, ingest_fn fn, void *ctx,
                       struct ingest_result *res, struct diag *d)
{
	return decode(s, o, false, fn, ctx, res, d);
}

int ingest_ndjson_decode(struct source *s, const struct ingest_opts *o, ingest_fn fn, void *ctx,
                         struct ingest_result *res, struct diag *d)
{
	return decode(s, o, true, fn, ctx, res, d);
}

/* An object or an array, first: JSON (or NDJSON, which the same framer reads). */
enum ingest_sniff ingest_json_sniff(const unsigned char *p, size_t n)
{
	(void)n;
	return p[0] == '[' || p[0] == '{' ? SNIFF_YES : SNIFF_NO;
}
