#include "reftriage/jsonw.h"

#include <math.h>
#include <stdlib.h>

/* A byte that JSON needs escaped in a string: a control character, '"' or '\\'. */
static bool needs_escape(unsigned char c)
{
	return c < 0x20 || c == '"' || c == '\\';
}

int jsonw_string(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run;
	char *p;

	if (buf_reserve(b, n + 2) < 0)
		return -1;
	/*
	 * Nearly every string has nothing to escape: written in one copy (a
	 * tenth of the import's instructions went here byte by byte).
	 */
	for (i = 0; i < n && !needs_escape((unsigned char)s[i]); i++)
		;
	p = b->data + b->len;
	*p++ = '"';
	memcpy(p, s, i);
	b->len += i + 1;
	if (i == n) { /* room was made for both quotes */
		b->data[b->len++] = '"';
		b->data[b->len] = '\0';
		return 0;
	}
	b->data[b->len] = '\0';
	run = i;
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[8];
		size_t en = 2;

		if (!needs_escape(c))
			continue;
		if (buf_add(b, s + run, i - run) < 0)
			return -1;
		run = i + 1;
		esc[0] = '\\';
		switch (c) {
		case '"':
			esc[1] = '"';
			break;
		case '\\':
			esc[1] = '\\';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			en = 6;
		}
		if (buf_add(b, esc, en) < 0)
			return -1;
	}
	if (buf_add(b, s + run, n - run) < 0)
		return -1;
	return buf_addc(b, '"');
}

int jsonw_key(struct buf *b, bool *first, const char *key)
{
	if (!*first && buf_addc(b, ',') < 0)
		return -1;
	*first = false;
	if (jsonw_string(b, key, strlen(key)) < 0)
		return -1;
	return buf_addc(b, ':');
}

int jsonw_key_str(struct buf *b, bool *first, const char *key, const char *s)
{
	if (jsonw_key(b, first, key) < 0)
		return -1;
	return s ? jsonw_string(b, s, strlen(s)) : buf_adds(b, "null");
}

int jsonw_key_int(struct buf *b, bool *first, const char *key, long long v)
{
	if (jsonw_key(b, first, key) < 0)
		return -1;
	return buf_addf(b, "%lld", v);
}

const char *jsonw_number_text(char dst[JSONW_NUMBER_MAX], double v)
{
	if (!isfinite(v)) {
		(void)snprintf(dst, JSONW_NUMBER_MAX, "null");
		return dst;
	}
	/*
	 * 15 significant digits always name one double, but not always v: the
	 * doubles are closer together than that near some values (1/3 needs 16,
	 * 0.1 + 0.2 needs 17). 17 digits always read back as v.
	 */
	(void)snprintf(dst, JSONW_NUMBER_MAX, "%.15g", v);
	if (strtod(dst, NULL) != v)
		(void)snprintf(dst, JSONW_NUMBER_MAX, "%.17g", v);
	return dst;
}

int jsonw_number(struct buf *b, double v)
{
	char t[JSONW_NUMBER_MAX];

	return buf_adds(b, jsonw_number_text(t, v));
}

int jsonw_key_number(struct buf *b, bool *first, const char *key, bool has, double v)
{
	if (jsonw_key(b, first, key) < 0)
		return -1;
	return has ? jsonw_number(b, v) : buf_adds(b, "null");
}
