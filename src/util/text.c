#include "reftriage/text.h"

/* Length of the UTF-8 sequence starting at s[i], or 0 if it is malformed. */
static size_t utf8_seq(const unsigned char *s, size_t len, size_t i)
{
	unsigned char c = s[i];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		if (i + 1 < len && (s[i + 1] & 0xc0) == 0x80)
			return 2;
		return 0;
	}
	if (c >= 0xe0 && c <= 0xef) {
		unsigned char lo = 0x80, hi = 0xbf;

		if (c == 0xe0)
			lo = 0xa0; /* no overlong forms */
		else if (c == 0xed)
			hi = 0x9f; /* no surrogates */
		if (i + 2 < len && s[i + 1] >= lo && s[i + 1] <= hi && (s[i + 2] & 0xc0) == 0x80)
			return 3;
		return 0;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		unsigned char lo = 0x80, hi = 0xbf;

		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f; /* nothing above U+10FFFF */
		if (i + 3 < len && s[i + 1] >= lo && s[i + 1] <= hi && (s[i + 2] & 0xc0) == 0x80 &&
		    (s[i + 3] & 0xc0) == 0x80)
			return 4;
		return 0;
	}
	return 0;
}

size_t utf8_invalid_at(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		size_t n;

		/* Fast path for runs of ASCII. */
		while (i + 8 <= len) {
			uint64_t w;

			memcpy(&w, s + i, 8);
			if (w & UINT64_C(0x8080808080808080))
				break;
			i += 8;
		}
		if (i >= len)
			break;
		n = utf8_seq(s, len, i);
		if (!n)
			return i;
		i += n;
	}
	return len;
}

size_t utf8_length(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

void text_display(char *dst, size_t dstsize, const char *str, size_t len, size_t max_chars)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, o = 0, chars = 0;

	if (!dstsize)
		return;
	while (i < len && chars < max_chars) {
		char tmp[8];
		size_t n = utf8_seq(s, len, i), tn;

		if (n == 1 && s[i] >= 0x20 && s[i] != 0x7f) {
			tmp[0] = (char)s[i];
			tn = 1;
		} else if (n == 1 && s[i] == '\n') {
			memcpy(tmp, "\\n", 2);
			tn = 2;
		} else if (n == 1 && s[i] == '\r') {
			memcpy(tmp, "\\r", 2);
			tn = 2;
		} else if (n == 1 && s[i] == '\t') {
			memcpy(tmp, "\\t", 2);
			tn = 2;
		} else if (n > 1) {
			memcpy(tmp, s + i, n);
			tn = n;
		} else {
			(void)snprintf(tmp, sizeof(tmp), "\\x%02x", s[i]);
			tn = 4;
			n = 1;
		}
		if (o + tn + 4 >= dstsize)
			break;
		memcpy(dst + o, tmp, tn);
		o += tn;
		i += n;
		chars++;
	}
	if (i < len && o + 3 < dstsize) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
}

bool text_ieq(const char *s, size_t len, const char *word)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char a = (unsigned char)s[i], b = (unsigned char)word[i];

		if (!b)
			return false;
		if (a >= 'A' && a <= 'Z')
			a = (unsigned char)(a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z')
			b = (unsigned char)(b - 'A' + 'a');
		if (a != b)
			return false;
	}
	return word[len] == '\0';
}

unsigned text_distance(const char *a, size_t alen, const char *b, size_t blen, unsigned cap)
{
	unsigned row[65];
	size_t i, j;

	if (alen > 64 || blen > 64)
		return cap + 1;
	for (j = 0; j <= blen; j++)
		row[j] = (unsigned)j;
	for (i = 1; i <= alen; i++) {
		unsigned prev = row[0], best;

		row[0] = (unsigned)i;
		best = row[0];
		for (j = 1; j <= blen; j++) {
			unsigned cur = row[j];
			unsigned cost = a[i - 1] == b[j - 1] ? 0 : 1;
			unsigned v = prev + cost;

			if (row[j] + 1 < v)
				v = row[j] + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			row[j] = v;
			prev = cur;
			if (v < best)
				best = v;
		}
		if (best > cap)
			return cap + 1;
	}
	return row[blen];
}

const char *text_suggest(const char *s, size_t len, const char *const *choices, unsigned cap)
{
	const char *best = NULL;
	unsigned best_d = cap + 1;
	size_t i;

	for (i = 0; choices[i]; i++) {
		unsigned d = text_distance(s, len, choices[i], strlen(choices[i]), cap);

		if (d < best_d) {
			best_d = d;
			best = choices[i];
		}
	}
	/* A one- or two-letter word is near everything: suggest only on a close call. */
	if (best && len <= 3 && best_d > 1)
		return NULL;
	return best;
}
