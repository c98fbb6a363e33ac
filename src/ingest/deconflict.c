/*
 * Reading a deconfliction list (reftriage/deconflict.h; casework.md section
 * 3): the whole file through the small CSV reader (rows.c), every line
 * checked, every problem kept, so that a list with any bad line changes
 * nothing and the analyst sees all of them at once. A raw identifier is
 * tokenised here, by the tokeniser the XML import uses, and never leaves
 * this file: messages about a value give its size, not its bytes.
 */
#include "reftriage/deconflict.h"

#include "reftriage/alloc.h"
#include "reftriage/contract.h"
#include "reftriage/csvrows.h"
#include "reftriage/links.h"
#include "reftriage/text.h"
#include "reftriage/timeutil.h"
#include "reftriage/token.h"

enum col { C_TYPE, C_VALUE, C_SCOPE, C_OWNER, C_OPERATION, C_CONTACT, C_UNTIL, C_N };

static const char *const col_names[] = {"type",      "value",   "scope", "owner",
                                        "operation", "contact", "until", NULL};
static const bool col_required[C_N] = {true, true, false, true, false, true, false};

struct rd {
	const char *path;
	const struct token_key *key;
	struct deconf_file *out;
	struct diag_list *errs;
	struct diag *d;
	int col[C_N]; /* the column of each, -1 when absent */
	size_t ncols;
	bool header_seen, bad_header, too_many;
	bool oom;
};

void deconf_file_init(struct deconf_file *f)
{
	memset(f, 0, sizeof(*f));
	buf_init(&f->text);
}

void deconf_file_release(struct deconf_file *f)
{
	rt_free(f->e);
	buf_release(&f->text);
	memset(f, 0, sizeof(*f));
}

static void problem(struct rd *x, unsigned long line, const char *field, const char *fmt, ...)
    PRINTF_LIKE(4, 5);

static void problem(struct rd *x, unsigned long line, const char *field, const char *fmt, ...)
{
	struct diag *p = diag_list_add(x->errs);
	va_list ap;

	if (!p)
		return;
	diag_at(p, x->path, line, field);
	p->code = EX_DATAERR;
	va_start(ap, fmt);
	(void)vsnprintf(p->message, sizeof(p->message), fmt, ap);
	va_end(ap);
}

/*
 * s[0..n) as it may be shown: only when every byte is in allowed (a type's
 * or a date's characters), so that a raw identifier put in the wrong column
 * is never echoed; else its size.
 */
static const char *shown(char *dst, size_t size, const char *s, size_t n, const char *allowed)
{
	size_t i;

	for (i = 0; i < n && s[i] && strchr(allowed, s[i]); i++)
		;
	if (i == n && n < size && n <= 32)
		(void)snprintf(dst, size, "'%.*s'", (int)n, s);
	else
		(void)snprintf(dst, size, "<redacted, %zu bytes>", n);
	return dst;
}

#define WORD_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_- "

static int header(struct rd *x, const struct csv_row *r)
{
	size_t i;
	int c;

	x->header_seen = true;
	x->ncols = r->n;
	for (c = 0; c < C_N; c++)
		x->col[c] = -1;
	for (i = 0; i < r->n && i < CSVROWS_MAX_FIELDS; i++) {
		const char *name = r->f[i];
		size_t n = r->len[i];

		for (c = 0; col_names[c] &&
		            !(strlen(col_names[c]) == n && memcmp(col_names[c], name, n) == 0);
		     c++)
			;
		if (!col_names[c]) {
			const char *near = text_suggest(name, n, col_names, 3);
			char what[80];

			shown(what, sizeof(what), name, n, WORD_CHARS);
			problem(x, r->line, "header",
			        "%s is not a column (columns: type, value, "
			        "scope, owner, operation, contact, until)%s%s%s",
			        what, near ? "; did you mean '" : "", near ? near : "",
			        near ? "'?" : "");
			x->bad_header = true;
		} else if (x->col[c] >= 0) {
			problem(x, r->line, "header", "column '%s' appears twice", col_names[c]);
			x->bad_header = true;
		} else {
			x->col[c] = (int)i;
		}
	}
	if (r->n > CSVROWS_MAX_FIELDS) {
		problem(x, r->line, "header", "%zu columns (at most %d)", r->n, CSVROWS_MAX_FIELDS);
		x->bad_header = true;
	}
	for (c = 0; c < C_N; c++)
		if (col_required[c] && x->col[c] < 0) {
			problem(x, r->line, "header", "no column '%s' (required)", col_names[c]);
			x->bad_header = true;
		}
	return 0;
}

/* A text field: valid UTF-8, no control byte, within max bytes, non-empty when required. */
static bool text_field(struct rd *x, const struct csv_row *r, enum col c, size_t max, bool need,
                       const char **s, size_t *n)
{
	size_t i;

	*s = "";
	*n = 0;
	if (x->col[c] < 0)
		return true;
	*s = r->f[x->col[c]];
	*n = r->len[x->col[c]];
	if (*n == 0 && need) {
		problem(x, r->line, col_names[c], "empty (required)");
		return false;
	}
	if (*n > max) {
		problem(x, r->line, col_names[c], "%zu bytes (at most %zu)", *n, max);
		return false;
	}
	if (utf8_invalid_at(*s, *n) != *n) {
		problem(x, r->line, col_names[c], "not UTF-8");
		return false;
	}
	for (i = 0; i < *n; i++)
		if ((unsigned char)(*s)[i] < 0x20 || (*s)[i] == 0x7f) {
			problem(x, r->line, col_names[c], "has a control character at byte %zu",
			        i + 1);
			return false;
		}
	return true;
}

static uint32_t keep(struct rd *x, const char *s, size_t n)
{
	size_t off = x->out->text.len;

	if (n == 0)
		return 0;
	if (off > UINT32_MAX - n - 1 || buf_add(&x->out->text, s, n) < 0 ||
	    buf_addc(&x->out->text, '\0') < 0) {
		x->oom = true;
		return 0;
	}
	return (uint32_t)off;
}

/* The type column: "subject" (kind LINK_KIND_SUBJECT) or an identifier type; -1 after a problem. */
static int type_kind(struct rd *x, const struct csv_row *r, const char *s, size_t n)
{
	static const char *const types[] = {"subject", "email",   "username", "ip", "phone",
	                                    "device",  "payment", "other",    NULL};
	int i = contract_enum_index(contract_ident_types, s, n);
	const char *near;
	char what[60];

	if (n == 7 && memcmp(s, "subject", 7) == 0)
		return LINK_KIND_SUBJECT;
	if (i >= 0)
		return LINK_KIND_IDENT + i;
	near = text_suggest(s, n, types, 3);
	shown(what, sizeof(what), s, n, WORD_CHARS);
	problem(x, r->line, "type",
	        "%s is not a type (subject, email, username, ip, phone, device, payment or "
	        "other)%s%s%s",
	        what, near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
	return -1;
}

static bool value_of(struct rd *x, const struct csv_row *r, int kind, const char *type,
                     const char *scope, const char *v, size_t n, char *out, size_t *outn)
{
	const char *expected;
	size_t i;

	if (n == 0) {
		problem(x, r->line, "value", "empty (required)");
		return false;
	}
	if (kind == LINK_KIND_SUBJECT || !x->key) {
		if (n > DECONF_VALUE_MAX) {
			problem(x, r->line, "value", "%zu bytes (at most %d)", n, DECONF_VALUE_MAX);
			return false;
		}
		if (kind != LINK_KIND_SUBJECT && !token_is_hex(v, n)) {
			problem(x, r->line, "value",
			        "<redacted, %zu bytes> is not a token (hex digits); a raw "
			        "identifier needs --token-key FILE",
			        n);
			return false;
		}
		for (i = 0; i < n; i++)
			if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f) {
				problem(x, r->line, "value", "has a control character at byte %zu",
				        i + 1);
				return false;
			}
		memcpy(out, v, n);
		*outn = n;
		return true;
	}
	if (token_ident(x->key, type, scope, v, n, out, &expected) < 0) {
		problem(x, r->line, "value", "<redacted, %zu bytes> is not %s", n, expected);
		return false;
	}
	*outn = strlen(out);
	return true;
}

static bool until_of(struct rd *x, const struct csv_row *r, int64_t *day)
{
	const char *s, *why;
	size_t n;
	int32_t days;

	*day = -1;
	if (x->col[C_UNTIL] < 0)
		return true;
	s = r->f[x->col[C_UNTIL]];
	n = r->len[x->col[C_UNTIL]];
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0)
		return true;
	if (n != 10 || time_parse_date(s, n, &days, &why) < 0) {
		char what[40];

		shown(what, sizeof(what), s, n, "0123456789-/. ");
		problem(x, r->line, "until", "%s is not a date (YYYY-MM-DD, the last day it holds)",
		        what);
		return false;
	}
	*day = days;
	return true;
}

static int add_entry(struct rd *x, const struct deconf_entry *e)
{
	struct deconf_file *f = x->out;

	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 256;
		struct deconf_entry *p = rt_realloc(f->e, cap * sizeof(*p));

		if (!p) {
			x->oom = true;
			return -1;
		}
		f->e = p;
		f->cap = cap;
	}
	f->e[f->n++] = *e;
	return 0;
}

static int on_row(void *ctx, const struct csv_row *r)
{
	struct rd *x = ctx;
	const char *s[C_N];
	size_t n[C_N];
	char type[16], scope[256], value[DECONF_VALUE_MAX + TOKEN_HEX];
	size_t vn = 0;
	struct deconf_entry e;
	bool ok = true;
	int kind;

	if (!x->header_seen)
		return header(x, r);
	if (x->bad_header || x->too_many)
		return 0;
	if (x->out->n + x->errs->n + x->errs->more >= DECONF_MAX_ENTRIES) {
		problem(x, r->line, "file", "more than %d entries (the limit of a list)",
		        DECONF_MAX_ENTRIES);
		x->too_many = true;
		return 0;
	}
	if (r->n != x->ncols) {
		problem(x, r->line, "record", "%zu fields, but the header has %zu", r->n, x->ncols);
		return 0;
	}
	memset(&e, 0, sizeof(e));
	e.line = r->line;
	kind = type_kind(x, r, r->f[x->col[C_TYPE]], r->len[x->col[C_TYPE]]);
	ok &= text_field(x, r, C_OWNER, DECONF_OWNER_MAX, true, &s[C_OWNER], &n[C_OWNER]);
	ok &= text_field(x, r, C_OPERATION, DECONF_OPERATION_MAX, false, &s[C_OPERATION],
	                 &n[C_OPERATION]);
	ok &= text_field(x, r, C_CONTACT, DECONF_CONTACT_MAX, true, &s[C_CONTACT], &n[C_CONTACT]);
	ok &= text_field(x, r, C_SCOPE, sizeof(scope) - 1, false, &s[C_SCOPE], &n[C_SCOPE]);
	ok &= until_of(x, r, &e.until_day);
	if (kind < 0)
		return 0;
	(void)snprintf(type, sizeof(type), "%s",
	               kind == LINK_KIND_SUBJECT ? "subject"
	                                         : contract_ident_types[kind - LINK_KIND_IDENT]);
	memcpy(scope, s[C_SCOPE], n[C_SCOPE]);
	scope[n[C_SCOPE]] = '\0';
	ok &= value_of(x, r, kind, type, scope, r->f[x->col[C_VALUE]], r->len[x->col[C_VALUE]],
	               value, &vn);
	if (!ok)
		return 0;
	e.key = link_key(kind, value, vn);
	e.type = keep(x, type, strlen(type));
	e.value = keep(x, value, vn);
	e.owner = keep(x, s[C_OWNER], n[C_OWNER]);
	e.operation = keep(x, s[C_OPERATION], n[C_OPERATION]);
	e.contact = keep(x, s[C_CONTACT], n[C_CONTACT]);
	if (x->oom || add_entry(x, &e) < 0) {
		diag_at(x->d, x->path, 0, NULL);
		return diag_set(x->d, EX_SOFTWARE, "out of memory");
	}
	return 0;
}

/* An entry's identity, for finding the same (type, value, owner) twice. */
struct ident3 {
	const char *type, *value, *owner;
	unsigned long line;
};

static int by_identity(const void *a, const void *b)
{
	const struct ident3 *x = a, *y = b;
	int c = strcmp(x->type, y->type);

	if (!c)
		c = strcmp(x->value, y->value);
	if (!c)
		c = strcmp(x->owner, y->owner);
	if (!c)
		c = x->line < y->line ? -1 : x->line > y->line;
	return c;
}

/* The same (type, value, owner) twice is a problem of the later line. */
static int duplicates(struct rd *x)
{
	struct deconf_file *f = x->out;
	struct ident3 *v;
	size_t i;

	if (f->n < 2)
		return 0;
	v = rt_calloc(f->n, sizeof(*v));
	if (!v)
		return -1;
	for (i = 0; i < f->n; i++) {
		v[i].type = deconf_text(f, f->e[i].type);
		v[i].value = deconf_text(f, f->e[i].value);
		v[i].owner = deconf_text(f, f->e[i].owner);
		v[i].line = f->e[i].line;
	}
	qsort(v, f->n, sizeof(*v), by_identity);
	for (i = 1; i < f->n; i++)
		if (strcmp(v[i - 1].type, v[i].type) == 0 &&
		    strcmp(v[i - 1].value, v[i].value) == 0 &&
		    strcmp(v[i - 1].owner, v[i].owner) == 0)
			problem(x, v[i].line, "value",
			        "the same type, value and owner as line %lu (one entry each)",
			        v[i - 1].line);
	rt_free(v);
	return 0;
}

int deconf_read(const char *path, const struct token_key *key, struct deconf_file *out,
                struct diag_list *errs, struct diag *d)
{
	struct rd x;
	int rc;

	memset(&x, 0, sizeof(x));
	x.path = path;
	x.key = key;
	x.out = out;
	x.errs = errs;
	x.d = d;
	/* Offset 0 is the empty string. */
	if (buf_addc(&out->text, '\0') < 0) {
		diag_at(d, path, 0, NULL);
		return diag_set(d, EX_SOFTWARE, "out of memory");
	}
	rc = csv_rows_read_capped(path, DECONF_MAX_BYTES, out->hash, on_row, &x, d);
	if (rc < 0)
		return -1;
	if (!x.header_seen) {
		diag_at(d, path, 0, NULL);
		return diag_set(d, EX_DATAERR,
		                "empty: a list needs a header (type,value,owner,contact ...)");
	}
	if (!errs->n && !errs->more && duplicates(&x) < 0) {
		diag_at(d, path, 0, NULL);
		return diag_set(d, EX_SOFTWARE, "out of memory");
	}
	return errs->n || errs->more || errs->oom ? 1 : 0;
}
