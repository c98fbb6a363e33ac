/*
 * Validation of one referral package against the data contract, its
 * canonical form and its content hash.
 */
#include "reftriage/package.h"

#include "reftriage/alloc.h"
#include "reftriage/hash.h"
#include "reftriage/jsonw.h"
#include "reftriage/text.h"
#include "reftriage/timeutil.h"

/* Values shown in messages are cut to this many characters (the contract's rule). */
#define SHOW_CHARS 80

void reasons_clear(struct reasons *r)
{
	r->n = 0;
	r->more = 0;
}

void reasons_add(struct reasons *r, const char *field, const char *fmt, ...)
{
	struct reason *x;
	va_list ap;

	if (r->n == REASONS_MAX) {
		r->more++;
		return;
	}
	x = &r->r[r->n++];
	(void)snprintf(x->field, sizeof(x->field), "%s", field);
	va_start(ap, fmt);
	(void)vsnprintf(x->message, sizeof(x->message), fmt, ap);
	va_end(ap);
}

void package_init(struct package *p)
{
	memset(p, 0, sizeof(*p));
	buf_init(&p->arena);
	buf_init(&p->canonical);
}

void package_reset(struct package *p)
{
	memset(p->known, 0, sizeof(p->known));
	memset(p->seen, 0, sizeof(p->seen));
	p->nids = 0;
	p->oom = false;
	buf_reset(&p->arena);
	buf_reset(&p->canonical);
}

void package_release(struct package *p)
{
	if (!p)
		return;
	buf_release(&p->arena);
	buf_release(&p->canonical);
	rt_free(p->ids);
	package_init(p);
}

int package_copy(struct package *dst, const struct package *src)
{
	memcpy(dst->known, src->known, sizeof(dst->known));
	memcpy(dst->v, src->v, sizeof(dst->v));
	memcpy(dst->soff, src->soff, sizeof(dst->soff));
	memcpy(dst->slen, src->slen, sizeof(dst->slen));
	memcpy(dst->seen, src->seen, sizeof(dst->seen));
	memcpy(dst->hash, src->hash, sizeof(dst->hash));
	dst->oom = src->oom;
	dst->nids = 0;
	buf_reset(&dst->arena);
	buf_reset(&dst->canonical);
	if (buf_add(&dst->arena, src->arena.data, src->arena.len) < 0 ||
	    buf_add(&dst->canonical, src->canonical.data, src->canonical.len) < 0)
		return -1;
	if (src->nids > dst->idcap) {
		struct ident *ids = rt_realloc(dst->ids, src->nids * sizeof(*ids));

		if (!ids)
			return -1;
		dst->ids = ids;
		dst->idcap = src->nids;
	}
	if (src->nids)
		memcpy(dst->ids, src->ids, src->nids * sizeof(*dst->ids));
	dst->nids = src->nids;
	return 0;
}

bool package_oom(const struct package *p)
{
	return p->oom;
}

const char *package_str(const struct package *p, int f, size_t *len)
{
	if (!package_known(p, f))
		return NULL;
	*len = p->slen[f];
	return p->arena.data + p->soff[f];
}

static const char *fname(int f)
{
	return contract_fields[f].name;
}

/* Quote a value for a message: "value", cut and with unprintables escaped. */
static const char *show(char *dst, size_t size, const char *s, size_t n)
{
	char tmp[SHOW_CHARS * 4 + 8];

	text_display(tmp, sizeof(tmp), s, n, SHOW_CHARS);
	(void)snprintf(dst, size, "\"%s\"", tmp);
	return dst;
}

static int reject(struct reasons *r, int f, const char *s, size_t n, const char *fmt, ...)
    PRINTF_LIKE(5, 6);

/* Add "<value> <what>" for field f; always returns -1. */
static int reject(struct reasons *r, int f, const char *s, size_t n, const char *fmt, ...)
{
	char v[SHOW_CHARS * 4 + 16], what[400];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (s)
		reasons_add(r, fname(f), "%s %s", show(v, sizeof(v), s, n), what);
	else
		reasons_add(r, fname(f), "%s", what);
	return -1;
}

static void int_expectation(int f, char *dst, size_t size)
{
	const struct field_def *d = &contract_fields[f];

	if (d->max == CONTRACT_COUNT_MAX)
		(void)snprintf(dst, size, "a whole number, 0 or more");
	else
		(void)snprintf(dst, size, "a whole number from %lld to %lld", (long long)d->min,
		               (long long)d->max);
}

/* Mark field f as given in this record; a second value for it is an error. */
static int seen_once(struct package *p, int f, struct reasons *r)
{
	if ((p->seen[f / 64] >> (f % 64)) & 1) {
		reasons_add(r, fname(f), "given more than once in the record");
		return -1;
	}
	p->seen[f / 64] |= UINT64_C(1) << (f % 64);
	return 0;
}

static void set_known(struct package *p, int f, int64_t v)
{
	p->v[f] = v;
	p->known[f / 64] |= UINT64_C(1) << (f % 64);
}

static int check_int(struct package *p, int f, int64_t v, const char *s, size_t n,
                     struct reasons *r)
{
	const struct field_def *d = &contract_fields[f];
	char exp[80];

	if (v < d->min || v > d->max) {
		int_expectation(f, exp, sizeof(exp));
		return reject(r, f, s, n, "is out of range (expected %s)", exp);
	}
	set_known(p, f, v);
	return 0;
}

static int parse_int_text(struct package *p, int f, const char *s, size_t n, struct reasons *r)
{
	int64_t v = 0;
	size_t i = 0;
	bool neg = false;
	char exp[80];

	if (s[0] == '-') {
		neg = true;
		i = 1;
	}
	if (i == n)
		goto bad;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			goto bad;
		if (v > (INT64_C(1) << 40)) {
			int_expectation(f, exp, sizeof(exp));
			return reject(r, f, s, n, "is out of range (expected %s)", exp);
		}
		v = v * 10 + (s[i] - '0');
	}
	/* A '-' only where the range allows it (data-contract.md): "-0" is no count. */
	if (neg && v == 0 && contract_fields[f].min >= 0) {
		int_expectation(f, exp, sizeof(exp));
		return reject(r, f, s, n, "has a minus sign (expected %s)", exp);
	}
	return check_int(p, f, neg ? -v : v, s, n, r);
bad:
	int_expectation(f, exp, sizeof(exp));
	return reject(r, f, s, n, "is not a whole number (expected %s)", exp);
}

static int parse_bool_text(struct package *p, int f, const char *s, size_t n, struct reasons *r)
{
	static const char *const yes[] = {"true", "yes", "y", "1"};
	static const char *const no[] = {"false", "no", "n", "0"};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (text_ieq(s, n, yes[i])) {
			set_known(p, f, 1);
			return 0;
		}
		if (text_ieq(s, n, no[i])) {
			set_known(p, f, 0);
			return 0;
		}
	}
	return reject(r, f, s, n,
	              "is not a yes/no value (expected true, false, yes, no, y, n, 1 or 0; empty "
	              "for unknown)");
}

static int store_string(struct package *p, int f, const char *s, size_t n)
{
	size_t off = p->arena.len;

	if (buf_add(&p->arena, s, n) < 0) {
		p->oom = true;
		return -1;
	}
	p->soff[f] = (uint32_t)off;
	p->slen[f] = (uint32_t)n;
	p->known[f / 64] |= UINT64_C(1) << (f % 64);
	return 0;
}

static bool ref_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '/' || c == '-';
}

static int parse_string(struct package *p, int f, const char *s, size_t n, struct reasons *r)
{
	const struct field_def *d = &contract_fields[f];
	size_t i;

	if (f == F_PACKAGE_REF) {
		if (n < 3 || n > 64)
			return reject(r, f, s, n,
			              "is %zu characters long (expected 3 to 64 characters)", n);
		if (!((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') ||
		      (s[0] >= '0' && s[0] <= '9')))
			return reject(r, f, s, n, "does not start with a letter or digit");
		for (i = 0; i < n; i++)
			if (!ref_char((unsigned char)s[i]))
				return reject(r, f, s, n,
				              "has a character outside A-Z a-z 0-9 . _ / - at "
				              "position %zu",
				              i + 1);
		return store_string(p, f, s, n);
	}
	if ((int64_t)n > d->max)
		return reject(r, f, s, n, "is %zu bytes long (the limit is %lld bytes)", n,
		              (long long)d->max);
	/* Free text may hold line breaks and tabs; short fields hold no control characters. */
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f) {
			if (f == F_SUMMARY && (c == '\n' || c == '\r' || c == '\t'))
				continue;
			return reject(r, f, s, n,
			              "has a control character (byte 0x%02x) at byte %zu", c,
			              i + 1);
		}
	}
	return store_string(p, f, s, n);
}

static int parse_enum(struct package *p, int f, const char *s, size_t n, struct reasons *r)
{
	const struct field_def *d = &contract_fields[f];
	int k = contract_enum_index(d->values, s, n), i;
	char list[300];

	if (k >= 0) {
		set_known(p, f, k);
		return 0;
	}
	contract_enum_list(d->values, list, sizeof(list));
	for (i = 0; d->values[i]; i++)
		if (text_ieq(s, n, d->values[i]))
			return reject(r, f, s, n,
			              "is not one of %s (did you mean %s? case matters)", list,
			              d->values[i]);
	return reject(r, f, s, n, "is not one of %s", list);
}

static int parse_ident_list(struct package *p, const char *s, size_t n, struct reasons *r)
{
	size_t start = 0, item = 1, i;
	int rc = 0;

	for (i = 0; i <= n; i++) {
		const char *it, *colon;
		size_t len;

		if (i < n && s[i] != ';')
			continue;
		it = s + start;
		len = i - start;
		colon = memchr(it, ':', len);
		if (!colon) {
			char v[SHOW_CHARS * 4 + 16];

			reasons_add(r, "identifiers", "item %zu %s is not of the form type:token",
			            item, show(v, sizeof(v), it, len));
			rc = -1;
		} else if (package_add_ident(p, it, (size_t)(colon - it), colon + 1,
		                             len - (size_t)(colon - it) - 1, item, r) < 0) {
			rc = -1;
		}
		start = i + 1;
		item++;
	}
	return rc;
}

int package_add_ident(struct package *p, const char *type, size_t tlen, const char *token,
                      size_t klen, size_t item, struct reasons *r)
{
	int t = contract_enum_index(contract_ident_types, type, tlen);
	char v[SHOW_CHARS * 4 + 16], list[200];
	struct ident *id;
	size_t i;

	if (t < 0) {
		contract_enum_list(contract_ident_types, list, sizeof(list));
		reasons_add(r, "identifiers", "item %zu: type %s is not one of %s", item,
		            show(v, sizeof(v), type, tlen), list);
		return -1;
	}
	if (klen == 0) {
		reasons_add(r, "identifiers", "item %zu: the %s token is empty", item,
		            contract_ident_types[t]);
		return -1;
	}
	if (klen > 128) {
		reasons_add(r, "identifiers",
		            "item %zu: token %s is %zu bytes long (the limit is 128)", item,
		            show(v, sizeof(v), token, klen), klen);
		return -1;
	}
	for (i = 0; i < klen; i++) {
		unsigned char c = (unsigned char)token[i];

		if (c <= 0x20 || c == 0x7f || c == ';') {
			reasons_add(r, "identifiers",
			            "item %zu: token %s has a space, ';' or control character",
			            item, show(v, sizeof(v), token, klen));
			return -1;
		}
	}
	if (utf8_invalid_at(token, klen) != klen) {
		reasons_add(r, "identifiers", "item %zu: token %s is not valid UTF-8", item,
		            show(v, sizeof(v), token, klen));
		return -1;
	}
	if (p->nids == p->idcap) {
		size_t cap = p->idcap ? p->idcap * 2 : 8;
		struct ident *ids = rt_realloc(p->ids, cap * sizeof(*ids));

		if (!ids) {
			p->oom = true;
			return -1;
		}
		p->ids = ids;
		p->idcap = cap;
	}
	id = &p->ids[p->nids];
	id->type = (uint8_t)t;
	id->off = (uint32_t)p->arena.len;
	id->len = (uint32_t)klen;
	if (buf_add(&p->arena, token, klen) < 0) {
		p->oom = true;
		return -1;
	}
	p->nids++;
	p->known[F_IDENTIFIERS / 64] |= UINT64_C(1) << (F_IDENTIFIERS % 64);
	return 0;
}

/*
 * Whether text that is not UTF-8 reads as Windows-1252, the encoding Excel
 * writes for a plain "CSV" on a UK Windows desktop: every byte from 0x80 is one
 * that Windows-1252 defines (0x81, 0x8d, 0x8f, 0x90 and 0x9d are not) and
 * not 0xff (a 'ÿ' in English text is far less likely than a damaged byte).
 */
static bool looks_cp1252(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == 0x81 || c == 0x8d || c == 0x8f || c == 0x90 || c == 0x9d || c == 0xff)
			return false;
	}
	return true;
}

/* Checks shared by every encoding: NUL bytes and UTF-8. */
static int check_bytes(int f, const char *s, size_t n, struct reasons *r)
{
	size_t bad;
	const char *nul = memchr(s, '\0', n);

	if (nul)
		return reject(r, f, s, n, "has a NUL byte at byte %zu", (size_t)(nul - s) + 1);
	bad = utf8_invalid_at(s, n);
	if (bad != n && looks_cp1252(s, n))
		return reject(r, f, s, n,
		              "is not valid UTF-8 (byte %zu is 0x%02x); the file looks like "
		              "Windows-1252 (a spreadsheet's plain 'CSV' save): convert it with "
		              "'iconv -f WINDOWS-1252 -t UTF-8 FILE > FILE.utf8' and import that",
		              bad + 1, (unsigned char)s[bad]);
	if (bad != n)
		return reject(r, f, s, n, "is not valid UTF-8 (byte %zu is 0x%02x)", bad + 1,
		              (unsigned char)s[bad]);
	return 0;
}

static int set_text(struct package *p, int f, const char *s, size_t n, struct reasons *r)
{
	const char *why;
	int64_t us;
	int32_t days;

	if (check_bytes(f, s, n, r) < 0)
		return -1;
	switch (contract_fields[f].type) {
	case FT_STRING:
		return parse_string(p, f, s, n, r);
	case FT_ENUM:
		return parse_enum(p, f, s, n, r);
	case FT_INT:
		return parse_int_text(p, f, s, n, r);
	case FT_BOOL:
		return parse_bool_text(p, f, s, n, r);
	case FT_DATETIME:
		if (time_parse_datetime(s, n, &us, &why) < 0)
			return reject(r, f, s, n, "is not a valid time: %s", why);
		set_known(p, f, us);
		return 0;
	case FT_DATE:
		if (time_parse_date(s, n, &days, &why) < 0)
			return reject(r, f, s, n, "is not a valid date: %s", why);
		set_known(p, f, days);
		return 0;
	case FT_LIST:
		return parse_ident_list(p, s, n, r);
	}
	return -1;
}

int package_set_text(struct package *p, int f, const char *s, size_t n, struct reasons *r)
{
	if (seen_once(p, f, r) < 0)
		return -1;
	if (n == 0)
		return 0;
	return set_text(p, f, s, n, r);
}

int package_set_csv_text(struct package *p, int f, const char *s, size_t n, struct reasons *r)
{
	enum field_type t = contract_fields[f].type;

	/* A spreadsheet leaves spaces around a cell's value: they are not part of it. */
	if (t == FT_BOOL || t == FT_INT || t == FT_ENUM || t == FT_DATE || t == FT_DATETIME) {
		while (n && (s[0] == ' ' || s[0] == '\t')) {
			s++;
			n--;
		}
		while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
	}
	return package_set_text(p, f, s, n, r);
}

int package_set_json_null(struct package *p, int f, struct reasons *r)
{
	return seen_once(p, f, r);
}

static const char *json_expectation(int f)
{
	switch (contract_fields[f].type) {
	case FT_INT:
		return "a JSON number with no fraction, or null";
	case FT_BOOL:
		return "true, false or null";
	case FT_LIST:
		return "an array of {\"type\", \"token\"} objects, or null";
	default:
		return "a JSON string, or null";
	}
}

int package_set_json_string(struct package *p, int f, const char *s, size_t n, struct reasons *r)
{
	enum field_type t = contract_fields[f].type;

	if (seen_once(p, f, r) < 0)
		return -1;
	if (t == FT_INT || t == FT_BOOL || t == FT_LIST)
		return reject(r, f, s, n, "is a string (expected %s)", json_expectation(f));
	if (n == 0)
		return 0;
	return set_text(p, f, s, n, r);
}

int package_set_json_int(struct package *p, int f, int64_t v, const char *lexeme, struct reasons *r)
{
	if (seen_once(p, f, r) < 0)
		return -1;
	if (contract_fields[f].type != FT_INT)
		return reject(r, f, lexeme, strlen(lexeme), "is a number (expected %s)",
		              json_expectation(f));
	return check_int(p, f, v, lexeme, strlen(lexeme), r);
}

int package_set_json_real(struct package *p, int f, const char *lexeme, struct reasons *r)
{
	char exp[80];

	if (seen_once(p, f, r) < 0)
		return -1;
	if (contract_fields[f].type != FT_INT)
		return reject(r, f, lexeme, strlen(lexeme), "is a number (expected %s)",
		              json_expectation(f));
	int_expectation(f, exp, sizeof(exp));
	return reject(r, f, lexeme, strlen(lexeme),
	              "is not a whole number (expected %s; fractions and exponents are refused)",
	              exp);
}

int package_set_json_bool(struct package *p, int f, bool v, struct reasons *r)
{
	const char *lex = v ? "true" : "false";

	if (seen_once(p, f, r) < 0)
		return -1;
	if (contract_fields[f].type != FT_BOOL)
		return reject(r, f, lex, strlen(lex), "is a boolean (expected %s)",
		              json_expectation(f));
	set_known(p, f, v ? 1 : 0);
	return 0;
}

int package_set_json_wrong(struct package *p, int f, const char *kind, struct reasons *r)
{
	if (seen_once(p, f, r) < 0)
		return -1;
	reasons_add(r, fname(f), "is %s (expected %s)", kind, json_expectation(f));
	return -1;
}

/* Identifiers sort by type, then token bytes; equal ones are dropped. */
static const char *sort_arena;

static int ident_cmp(const void *a, const void *b)
{
	const struct ident *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c;

	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	c = memcmp(sort_arena + x->off, sort_arena + y->off, n);
	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

static void normalise_idents(struct package *p)
{
	size_t i, o = 0;

	if (p->nids < 2)
		return;
	sort_arena = p->arena.data;
	qsort(p->ids, p->nids, sizeof(*p->ids), ident_cmp);
	for (i = 0; i < p->nids; i++)
		if (o == 0 || ident_cmp(&p->ids[o - 1], &p->ids[i]) != 0)
			p->ids[o++] = p->ids[i];
	p->nids = o;
}

static int build_canonical(struct package *p)
{
	struct buf *b = &p->canonical;
	bool first = true;
	int f;

	buf_reset(b);
	if (buf_addc(b, '{') < 0)
		return -1;
	for (f = 0; f < CONTRACT_NFIELDS; f++) {
		const struct field_def *d = &contract_fields[f];
		char tmp[48];
		size_t i;
		int rc = 0;

		if (!package_known(p, f))
			continue;
		if (jsonw_key(b, &first, d->name) < 0)
			return -1;
		switch (d->type) {
		case FT_STRING:
			rc = jsonw_string(b, p->arena.data + p->soff[f], p->slen[f]);
			break;
		case FT_ENUM:
			rc = jsonw_string(b, d->values[p->v[f]], strlen(d->values[p->v[f]]));
			break;
		case FT_INT:
			rc = buf_addf(b, "%lld", (long long)p->v[f]);
			break;
		case FT_BOOL:
			rc = buf_adds(b, p->v[f] ? "true" : "false");
			break;
		case FT_DATETIME:
			time_format(p->v[f], tmp);
			rc = jsonw_string(b, tmp, strlen(tmp));
			break;
		case FT_DATE:
			time_format_date((int32_t)p->v[f], tmp);
			rc = jsonw_string(b, tmp, strlen(tmp));
			break;
		case FT_LIST:
			rc = buf_addc(b, '[');
			for (i = 0; rc == 0 && i < p->nids; i++) {
				const struct ident *id = &p->ids[i];
				const char *t = contract_ident_types[id->type];

				rc = buf_adds(b, i ? ",{\"type\":" : "{\"type\":");
				if (rc == 0)
					rc = jsonw_string(b, t, strlen(t));
				if (rc == 0)
					rc = buf_adds(b, ",\"token\":");
				if (rc == 0)
					rc = jsonw_string(b, p->arena.data + id->off, id->len);
				if (rc == 0)
					rc = buf_addc(b, '}');
			}
			if (rc == 0)
				rc = buf_addc(b, ']');
			break;
		}
		if (rc < 0)
			return -1;
	}
	return buf_addc(b, '}');
}

/* Whether field already has a reason (then "missing" would be noise). */
static bool has_reason(const struct reasons *r, const char *field)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->r[i].field, field) == 0)
			return true;
	return false;
}

int package_finish(struct package *p, struct reasons *r)
{
	int f;

	if (p->oom)
		return -1;
	for (f = 0; f < CONTRACT_NFIELDS; f++)
		if (contract_fields[f].required && !package_known(p, f) && !has_reason(r, fname(f)))
			reasons_add(r, fname(f), "is required but %s",
			            (p->seen[f / 64] >> (f % 64)) & 1 ? "empty" : "missing");
	if (r->n || r->more)
		return -1;
	normalise_idents(p);
	if (build_canonical(p) < 0) {
		p->oom = true;
		return -1;
	}
	hash_bytes(p->hash, p->canonical.data, p->canonical.len);
	return 0;
}

int package_format_value(const struct package *p, int f, struct buf *out)
{
	const struct field_def *d = &contract_fields[f];
	char tmp[48];
	size_t i;

	switch (d->type) {
	case FT_STRING:
		return buf_add(out, p->arena.data + p->soff[f], p->slen[f]);
	case FT_ENUM:
		return buf_adds(out, d->values[p->v[f]]);
	case FT_INT:
		return buf_addf(out, "%lld", (long long)p->v[f]);
	case FT_BOOL:
		return buf_adds(out, p->v[f] ? "yes" : "no");
	case FT_DATETIME:
		time_format(p->v[f], tmp);
		return buf_adds(out, tmp);
	case FT_DATE:
		time_format_date((int32_t)p->v[f], tmp);
		return buf_adds(out, tmp);
	case FT_LIST:
		for (i = 0; i < p->nids; i++)
			if (buf_addf(out, "%s%s:%.*s", i ? "; " : "",
			             contract_ident_types[p->ids[i].type], (int)p->ids[i].len,
			             p->arena.data + p->ids[i].off) < 0)
				return -1;
		return 0;
	}
	return -1;
}

/*
 * Facts layout (versions 1 and 2), the durable stored form of a package:
 *   u8 version; the known mask, little-endian: 8 bytes in version 1 (the
 *   contract's first 64 fields), 16 in version 2; then each known field in
 *   contract order: bool and enum as one byte; int, date and datetime as a
 *   zigzag LEB128 varint; string as a varint length and its bytes;
 *   identifiers as a varint count, then for each a type byte, a varint
 *   length and the token bytes.
 * The canonical form is rebuilt from it (package_rebuild_canonical), and its
 * hash must match the stored content hash.
 */
static int put_varint(struct buf *b, uint64_t v)
{
	unsigned char x[10];
	size_t n = 0;

	do {
		x[n] = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v)
			x[n] |= 0x80;
		n++;
	} while (v);
	return buf_add(b, x, n);
}

static uint64_t zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/*
 * Version 1 while no field past the 64th is known, so that a package of
 * contract v1 is stored as it always was.
 */
static int put_mask(const struct package *p, struct buf *out)
{
	unsigned char mask[8 * CONTRACT_MASK_WORDS];
	size_t i, words = 1;

	for (i = 1; i < CONTRACT_MASK_WORDS; i++)
		if (p->known[i])
			words = CONTRACT_MASK_WORDS;
	for (i = 0; i < 8 * words; i++)
		mask[i] = (unsigned char)(p->known[i / 8] >> (8 * (i % 8)));
	if (buf_addc(out, words == 1 ? 1 : PACKAGE_FACTS_VERSION) < 0)
		return -1;
	return buf_add(out, mask, 8 * words);
}

bool package_facts_known(const void *data, size_t len, int f)
{
	const unsigned char *p = data;
	size_t words;

	if (!p || len < 9 || f < 0 || f >= CONTRACT_NFIELDS)
		return false;
	words = p[0] == 1 ? 1 : p[0] == PACKAGE_FACTS_VERSION ? CONTRACT_MASK_WORDS : 0;
	if ((size_t)f / 64 >= words || len < 1 + 8 * words)
		return false;
	return (p[1 + (size_t)f / 8] >> (f % 8)) & 1;
}

int package_encode_facts(const struct package *p, struct buf *out)
{
	size_t i;
	int f;

	buf_reset(out);
	if (put_mask(p, out) < 0)
		return -1;
	for (f = 0; f < CONTRACT_NFIELDS; f++) {
		int rc = 0;

		if (!package_known(p, f))
			continue;
		switch (contract_fields[f].type) {
		case FT_BOOL:
		case FT_ENUM:
			rc = buf_addc(out, (char)p->v[f]);
			break;
		case FT_INT:
		case FT_DATE:
		case FT_DATETIME:
			rc = put_varint(out, zigzag(p->v[f]));
			break;
		case FT_STRING:
			rc = put_varint(out, p->slen[f]);
			if (rc == 0)
				rc = buf_add(out, p->arena.data + p->soff[f], p->slen[f]);
			break;
		case FT_LIST:
			rc = put_varint(out, p->nids);
			for (i = 0; rc == 0 && i < p->nids; i++) {
				rc = buf_addc(out, (char)p->ids[i].type);
				if (rc == 0)
					rc = put_varint(out, p->ids[i].len);
				if (rc == 0)
					rc = buf_add(out, p->arena.data + p->ids[i].off,
					             p->ids[i].len);
			}
			break;
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

struct reader {
	const unsigned char *p;
	size_t n;
};

static int get_varint(struct reader *rd, uint64_t *v)
{
	unsigned shift = 0;

	*v = 0;
	while (rd->n && shift < 64) {
		unsigned char c = *rd->p++;

		rd->n--;
		*v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return 0;
		shift += 7;
	}
	return -1;
}

static int get_byte(struct reader *rd, unsigned char *c)
{
	if (!rd->n)
		return -1;
	*c = *rd->p++;
	rd->n--;
	return 0;
}

/* Copy len bytes into the arena; -1 when short, too long or out of memory. */
static int get_bytes(struct reader *rd, struct package *p, uint64_t len, uint32_t *off)
{
	if (rd->n < len || len > UINT32_MAX)
		return -1;
	*off = (uint32_t)p->arena.len;
	if (buf_add(&p->arena, rd->p, (size_t)len) < 0)
		return -2; /* out of memory, not malformed */
	rd->p += len;
	rd->n -= (size_t)len;
	return 0;
}

static int count_values(int f)
{
	const char *const *v = contract_fields[f].values;
	int n = 0;

	while (v[n])
		n++;
	return n;
}

/* The version byte and the known mask into known; -1 when malformed. */
static int get_mask(struct reader *rd, uint64_t known[CONTRACT_MASK_WORDS])
{
	unsigned char c;
	size_t i, bytes;

	if (get_byte(rd, &c) < 0 || (c != 1 && c != PACKAGE_FACTS_VERSION))
		return -1;
	bytes = c == 1 ? 8 : 8 * CONTRACT_MASK_WORDS;
	if (rd->n < bytes)
		return -1;
	memset(known, 0, CONTRACT_MASK_WORDS * sizeof(known[0]));
	for (i = 0; i < bytes; i++)
		known[i / 8] |= (uint64_t)rd->p[i] << (8 * (i % 8));
	rd->p += bytes;
	rd->n -= bytes;
	/* No bit past the last field. */
	if (CONTRACT_NFIELDS % 64 && known[CONTRACT_MASK_WORDS - 1] >> (CONTRACT_NFIELDS % 64))
		return -1;
	return 0;
}

int package_decode_facts(struct package *p, const void *data, size_t len)
{
	struct reader rd = {data, len};
	uint64_t known[CONTRACT_MASK_WORDS], v;
	unsigned char c;
	uint32_t off;
	int f, i, i2;

	package_reset(p);
	if (get_mask(&rd, known) < 0)
		return -1;
	for (f = 0; f < CONTRACT_NFIELDS; f++) {
		const struct field_def *d = &contract_fields[f];

		if (!((known[f / 64] >> (f % 64)) & 1))
			continue;
		switch (d->type) {
		case FT_BOOL:
			if (get_byte(&rd, &c) < 0 || c > 1)
				return -1;
			p->v[f] = c;
			break;
		case FT_ENUM:
			if (get_byte(&rd, &c) < 0 || c >= count_values(f))
				return -1;
			p->v[f] = c;
			break;
		case FT_INT:
		case FT_DATE:
		case FT_DATETIME:
			if (get_varint(&rd, &v) < 0)
				return -1;
			p->v[f] = unzigzag(v);
			if (d->type == FT_INT && (p->v[f] < d->min || p->v[f] > d->max))
				return -1;
			break;
		case FT_STRING:
			if (get_varint(&rd, &v) < 0)
				return -1;
			if ((i = get_bytes(&rd, p, v, &off)) < 0)
				return i;
			p->soff[f] = off;
			p->slen[f] = (uint32_t)v;
			break;
		case FT_LIST:
			if (get_varint(&rd, &v) < 0 || v > rd.n)
				return -1;
			for (i = 0; (uint64_t)i < v; i++) {
				uint64_t tl;

				if (get_byte(&rd, &c) < 0 || c >= 7)
					return -1;
				if (p->nids == p->idcap) {
					size_t cap = p->idcap ? p->idcap * 2 : 8;
					struct ident *ids = rt_realloc(p->ids, cap * sizeof(*ids));

					if (!ids)
						return -2; /* out of memory */
					p->ids = ids;
					p->idcap = cap;
				}
				if (get_varint(&rd, &tl) < 0)
					return -1;
				if ((i2 = get_bytes(&rd, p, tl, &off)) < 0)
					return i2;
				p->ids[p->nids].type = c;
				p->ids[p->nids].off = off;
				p->ids[p->nids].len = (uint32_t)tl;
				p->nids++;
			}
			break;
		}
	}
	if (rd.n)
		return -1;
	memcpy(p->known, known, sizeof(p->known));
	return 0;
}

int package_rebuild_canonical(struct package *p)
{
	if (build_canonical(p) < 0)
		return -1;
	hash_bytes(p->hash, p->canonical.data, p->canonical.len);
	return 0;
}
