/*
 * The fast path for a JSON record that is a plain package object.
 *
 * Almost every record of a delivery is a flat object: keys of the contract,
 * each once, with strings, integers, booleans and nulls, and an identifiers
 * array of {"type", "token"} objects. Such a record is read here straight
 * into the package, with the same package_set_json_* calls, in the same
 * (document) order, as json.c makes over jansson's tree. Anything else (an
 * unknown or repeated key, a real number, a nested value, a malformed byte, a
 * \u0000 or a lone surrogate) makes this decline, and json.c reads the record
 * with jansson, which gives the one message for every problem. So this path
 * only ever accepts what jansson would accept, and fills the package as
 * jansson's path would: the fuzzer checks that (tests/fuzz/fuzz_ingest.c runs
 * each input both ways and compares every record).
 *
 * It exists for speed: building jansson's tree (an allocation for each value
 * and a hash table for each object) was half the decoder's time, and the
 * decoder the slower of the import's two threads for JSON
 * (docs/PERFORMANCE.md).
 */
#include "ingest-internal.h"

#include "reftriage/contract.h"

struct flat {
	const char *p, *end;
	struct buf *scratch; /* two: a value, and an identifier's token */
};

static void skip_ws(struct flat *f)
{
	while (f->p < f->end && (*f->p == ' ' || *f->p == '\t' || *f->p == '\n' || *f->p == '\r'))
		f->p++;
}

static bool eat(struct flat *f, char c)
{
	skip_ws(f);
	if (f->p < f->end && *f->p == c) {
		f->p++;
		return true;
	}
	return false;
}

static int hex4(const char *s, const char *end)
{
	int v = 0, i;

	if (end - s < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

static int put_utf8(struct buf *b, unsigned long cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return buf_add(b, u, n);
}

/*
 * Decode the escapes of a string whose body is s[0..n) into b. 1, or 0 to
 * decline (an escape jansson would refuse, or \u0000, which jansson's path
 * handles), -1 when out of memory.
 */
static int unescape(struct buf *b, const char *s, size_t n)
{
	const char *end = s + n;

	buf_reset(b);
	while (s < end) {
		const char *bs = memchr(s, '\\', (size_t)(end - s));
		unsigned long cp;
		int h, lo;

		if (!bs)
			return buf_add(b, s, (size_t)(end - s)) < 0 ? -1 : 1;
		if (buf_add(b, s, (size_t)(bs - s)) < 0)
			return -1;
		s = bs + 1;
		if (s >= end)
			return 0;
		switch (*s++) {
		case '"':
			cp = '"';
			break;
		case '\\':
			cp = '\\';
			break;
		case '/':
			cp = '/';
			break;
		case 'b':
			cp = '\b';
			break;
		case 'f':
			cp = '\f';
			break;
		case 'n':
			cp = '\n';
			break;
		case 'r':
			cp = '\r';
			break;
		case 't':
			cp = '\t';
			break;
		case 'u':
			h = hex4(s, end);
			if (h <= 0 || (h >= 0xdc00 && h <= 0xdfff))
				return 0;
			s += 4;
			cp = (unsigned long)h;
			if (h >= 0xd800 && h <= 0xdbff) {
				if (end - s < 6 || s[0] != '\\' || s[1] != 'u')
					return 0;
				lo = hex4(s + 2, end);
				if (lo < 0xdc00 || lo > 0xdfff)
					return 0;
				s += 6;
				cp = 0x10000 + (((unsigned long)h - 0xd800) << 10) +
				     ((unsigned long)lo - 0xdc00);
			}
			break;
		default:
			return 0;
		}
		if (put_utf8(b, cp) < 0)
			return -1;
	}
	return 1;
}

/*
 * A string at f->p (its opening quote): its decoded bytes in *s, *n (in the
 * record itself when it has no escape, else in b). 1, 0 to decline, -1 when
 * out of memory. The record is valid UTF-8 already (json.c checks first).
 */
static int string(struct flat *f, struct buf *b, const char **s, size_t *n)
{
	const char *q, *body;
	bool esc = false;

	if (f->p >= f->end || *f->p != '"')
		return 0;
	body = ++f->p;
	for (q = body; q < f->end; q++) {
		unsigned char c = (unsigned char)*q;

		if (c == '"')
			break;
		if (c < 0x20)
			return 0; /* a raw control character: jansson says which */
		if (c == '\\') {
			esc = true;
			if (++q == f->end)
				return 0;
		}
	}
	if (q >= f->end)
		return 0;
	f->p = q + 1;
	if (!esc) {
		*s = body;
		*n = (size_t)(q - body);
		return 1;
	}
	{
		int rc = unescape(b, body, (size_t)(q - body));

		if (rc <= 0)
			return rc;
	}
	*s = b->data;
	*n = b->len;
	return 1;
}

static bool word(struct flat *f, const char *w, size_t n)
{
	if ((size_t)(f->end - f->p) < n || memcmp(f->p, w, n) != 0)
		return false;
	f->p += n;
	return true;
}

/* An integer as jansson reads one: -?(0|[1-9][0-9]*), at most 18 digits here. */
static bool integer(struct flat *f, int64_t *v, char *lex, size_t lexsize)
{
	const char *q = f->p;
	bool neg = false;
	int64_t x = 0;
	size_t digits = 0;

	if (q < f->end && *q == '-') {
		neg = true;
		q++;
	}
	if (q >= f->end || *q < '0' || *q > '9')
		return false;
	if (*q == '0' && q + 1 < f->end && q[1] >= '0' && q[1] <= '9')
		return false;
	while (q < f->end && *q >= '0' && *q <= '9') {
		if (++digits > 18)
			return false;
		x = x * 10 + (*q++ - '0');
	}
	/* A real number, or "-0", is left to jansson. */
	if ((q < f->end && (*q == '.' || *q == 'e' || *q == 'E')) || (neg && x == 0))
		return false;
	if ((size_t)(q - f->p) >= lexsize)
		return false;
	memcpy(lex, f->p, (size_t)(q - f->p));
	lex[q - f->p] = '\0';
	*v = neg ? -x : x;
	f->p = q;
	return true;
}

/* The identifiers array, f->p after its '['. 1, 0 to decline, -1 out of memory. */
static int identifiers(struct flat *f, struct package *pkg, struct reasons *r)
{
	size_t item = 0;

	if (eat(f, ']'))
		return 1;
	do {
		const char *type = NULL, *token = NULL, *s;
		size_t tlen = 0, klen = 0, n;
		int member, rc;

		if (!eat(f, '{'))
			return 0;
		for (member = 0; member < 2; member++) {
			bool is_type;

			if (member && !eat(f, ','))
				return 0;
			skip_ws(f);
			if (word(f, "\"type\"", 6))
				is_type = true;
			else if (word(f, "\"token\"", 7))
				is_type = false;
			else
				return 0;
			if ((is_type ? type : token) || !eat(f, ':'))
				return 0;
			skip_ws(f);
			rc = string(f, &f->scratch[is_type ? 0 : 1], &s, &n);
			if (rc <= 0)
				return rc;
			if (is_type) {
				type = s;
				tlen = n;
			} else {
				token = s;
				klen = n;
			}
		}
		if (!eat(f, '}'))
			return 0;
		(void)package_add_ident(pkg, type, tlen, token, klen, ++item, r);
	} while (eat(f, ','));
	return eat(f, ']') ? 1 : 0;
}

/* One member's value for field fi, at f->p. 1, 0 to decline, -1 out of memory. */
static int value(struct flat *f, int fi, struct package *pkg, struct reasons *r)
{
	const char *s;
	size_t n;
	int64_t v;
	char lex[24];
	int rc;

	skip_ws(f);
	if (f->p >= f->end)
		return 0;
	switch (*f->p) {
	case '"':
		rc = string(f, &f->scratch[0], &s, &n);
		if (rc <= 0)
			return rc;
		(void)package_set_json_string(pkg, fi, s, n, r);
		return 1;
	case 't':
	case 'f':
		if (word(f, "true", 4))
			(void)package_set_json_bool(pkg, fi, true, r);
		else if (word(f, "false", 5))
			(void)package_set_json_bool(pkg, fi, false, r);
		else
			return 0;
		return 1;
	case 'n':
		if (!word(f, "null", 4))
			return 0;
		(void)package_set_json_null(pkg, fi, r);
		return 1;
	case '[':
		if (fi != F_IDENTIFIERS)
			return 0;
		f->p++;
		if (package_set_json_null(pkg, fi, r) < 0)
			return 0; /* jansson's path says the same, and skips the items */
		return identifiers(f, pkg, r);
	default:
		if (!integer(f, &v, lex, sizeof(lex)))
			return 0;
		(void)package_set_json_int(pkg, fi, v, lex, r);
		return 1;
	}
}

int ingest_json_flat(const char *s, size_t n, struct package *pkg, struct reasons *r,
                     struct buf scratch[2])
{
	struct flat f = {s, s + n, scratch};
	uint64_t seen[CONTRACT_MASK_WORDS] = {0};
	int rc;

	package_reset(pkg);
	if (!eat(&f, '{'))
		return 0;
	if (!eat(&f, '}')) {
		do {
			const char *key;
			size_t klen;
			int fi;

			skip_ws(&f);
			rc = string(&f, &scratch[0], &key, &klen);
			if (rc <= 0)
				return rc;
			fi = contract_lookup(key, klen);
			/* Unknown and repeated keys have their own messages in json.c. */
			if (fi < 0 || (seen[fi / 64] >> (fi % 64)) & 1)
				return 0;
			seen[fi / 64] |= UINT64_C(1) << (fi % 64);
			if (!eat(&f, ':'))
				return 0;
			rc = value(&f, fi, pkg, r);
			if (rc <= 0)
				return rc;
		} while (eat(&f, ','));
		if (!eat(&f, '}'))
			return 0;
	}
	skip_ws(&f);
	if (f.p != f.end)
		return 0;
	(void)package_finish(pkg, r);
	return 1;
}
