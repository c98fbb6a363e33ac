/* Token keys and tokens (include/reftriage/token.h). */
#include "reftriage/token.h"

#include "crypto-internal.h"
#include "reftriage/alloc.h"
#include "reftriage/pfile.h"

#include <arpa/inet.h>

struct token_key {
	unsigned char k[TOKEN_KEY_BYTES];
};

int token_key_generate(const char *path, struct diag *d)
{
	unsigned char key[TOKEN_KEY_BYTES];
	char hex[2 * TOKEN_KEY_BYTES + 2];
	struct pfile pf;
	int rc;

	randombytes_buf(key, sizeof(key));
	(void)sodium_bin2hex(hex, sizeof(hex), key, sizeof(key));
	sodium_memzero(key, sizeof(key));
	hex[2 * TOKEN_KEY_BYTES] = '\n';
	if (pfile_open(&pf, path, PFILE_NOCLOBBER, d) < 0) {
		sodium_memzero(hex, sizeof(hex));
		return -1;
	}
	rc = pfile_write(&pf, hex, 2 * TOKEN_KEY_BYTES + 1, d);
	sodium_memzero(hex, sizeof(hex));
	if (rc < 0) {
		pfile_abort(&pf);
		return -1;
	}
	return pfile_commit(&pf, d);
}

/* 64 hex digits, with only white space around them, into k. */
static int parse_key(const char *text, struct token_key *k)
{
	const char *end = NULL;
	size_t n = 0;

	while (*text == ' ' || *text == '\t' || *text == '\n' || *text == '\r')
		text++;
	if (sodium_hex2bin(k->k, sizeof(k->k), text, strlen(text), NULL, &n, &end) != 0 ||
	    n != sizeof(k->k))
		return -1;
	while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')
		end++;
	return *end ? -1 : 0;
}

int token_key_parse(const char *text, struct token_key **out)
{
	struct token_key *k = sodium_malloc(sizeof(*k));

	*out = NULL;
	if (!k)
		return -1;
	if (parse_key(text, k) < 0) {
		sodium_free(k);
		return -1;
	}
	*out = k;
	return 0;
}

/*
 * Why text (a key file's content) is not a token key, for a message that
 * never shows the content: NULL when it is one.
 */
static const char *key_text_problem(const char *text, char *why, size_t size)
{
	static const char ws[] = " \t\r\n";
	size_t start = strspn(text, ws), n = 0;
	const char *p = text + start;

	while (p[n] && !strchr(ws, p[n]))
		n++;
	if (n == 0)
		return "empty";
	if (p[n + strspn(p + n, ws)])
		return "more than one word";
	if (strspn(p, "0123456789abcdefABCDEF") < n)
		return "holds a character that is not a hex digit";
	if (n != 2 * TOKEN_KEY_BYTES) {
		(void)snprintf(why, size, "too %s: %zu hex digits",
		               n < 2 * TOKEN_KEY_BYTES ? "short" : "long", n);
		return why;
	}
	return NULL;
}

int token_key_load(const char *path, struct token_key **out, struct diag *d)
{
	char text[256], shape[64];
	const char *why;
	int rc;

	*out = NULL;
	if (crypto_read_small(path, text, sizeof(text), CRYPTO_FILE_KEY | CRYPTO_FILE_SECRET,
	                      "the token key", "a token key", d) < 0) {
		if (d->code == EX_DATAERR)
			d->code = EX_CONFIG; /* too large: a wrong file named as the key */
		sodium_memzero(text, sizeof(text));
		return -1;
	}
	why = key_text_problem(text, shape, sizeof(shape));
	rc = why ? -1 : token_key_parse(text, out);
	sodium_memzero(text, sizeof(text));
	if (rc < 0 && !why)
		return crypto_fail(d, path, EX_SOFTWARE, "out of memory");
	if (rc < 0) {
		diag_at(d, path, 0, NULL);
		return diag_set(d, EX_CONFIG,
		                "not a token key (%s; a token key is 64 hex digits, as 'reftriage "
		                "keygen --token-key FILE' writes)",
		                why);
	}
	return 0;
}

void token_key_free(struct token_key *k)
{
	sodium_free(k); /* wipes first; NULL is fine */
}

void token_make(const struct token_key *k, const char *type, const char *scope, const char *value,
                size_t n, char out[TOKEN_HEX])
{
	crypto_generichash_state st;
	unsigned char h[16];
	static const unsigned char us = 0x1f;

	(void)crypto_generichash_init(&st, k->k, sizeof(k->k), sizeof(h));
	(void)crypto_generichash_update(&st, (const unsigned char *)type, strlen(type));
	(void)crypto_generichash_update(&st, &us, 1);
	(void)crypto_generichash_update(&st, (const unsigned char *)scope, strlen(scope));
	(void)crypto_generichash_update(&st, &us, 1);
	(void)crypto_generichash_update(&st, (const unsigned char *)value, n);
	(void)crypto_generichash_final(&st, h, sizeof(h));
	(void)sodium_bin2hex(out, TOKEN_HEX, h, sizeof(h));
}

static bool ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static const char *trim(const char *s, size_t *n)
{
	while (*n && ws(*s))
		s++, (*n)--;
	while (*n && ws(s[*n - 1]))
		(*n)--;
	return s;
}

static void lower(char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] - 'A' + 'a');
}

/* The normal form of an email address in v[0..*n), in place; -1 when it is not one. */
static int norm_email(char *v, size_t *n)
{
	char *at = memchr(v, '@', *n);
	size_t i;

	for (i = 0; i < *n; i++)
		if ((unsigned char)v[i] <= ' ' || v[i] == 0x7f)
			return -1;
	if (!at || at == v || at == v + *n - 1 || memchr(at + 1, '@', *n - (size_t)(at - v) - 1))
		return -1;
	lower(v, *n);
	return 0;
}

/* An IP address in v[0..*n) as RFC 5952 writes it (inet_ntop), in v (cap bytes). */
static int norm_ip(char *v, size_t *n, size_t cap)
{
	char in[64], out[INET6_ADDRSTRLEN];
	unsigned char a[16];
	int af = AF_INET;

	if (*n == 0 || *n >= sizeof(in))
		return -1;
	memcpy(in, v, *n);
	in[*n] = '\0';
	if (inet_pton(AF_INET, in, a) != 1) {
		af = AF_INET6;
		if (inet_pton(AF_INET6, in, a) != 1)
			return -1;
	}
	if (!inet_ntop(af, a, out, sizeof(out)) || strlen(out) >= cap)
		return -1;
	*n = strlen(out);
	memcpy(v, out, *n);
	return 0;
}

/* The digits of v[0..*n), in place; -1 when there are none. */
static int norm_phone(char *v, size_t *n)
{
	size_t i, j = 0;

	for (i = 0; i < *n; i++)
		if (v[i] >= '0' && v[i] <= '9')
			v[j++] = v[i];
	*n = j;
	return j ? 0 : -1;
}

int token_ident(const struct token_key *k, const char *type, const char *scope, const char *value,
                size_t n, char out[TOKEN_HEX], const char **expected)
{
	char sc[256];
	/*
	 * The raw value's working copy: on the stack when it fits, as nearly
	 * every one does, else on the heap; wiped either way. It was
	 * sodium_malloc()'s guarded, locked pages: eight system calls an
	 * identifier, three quarters of a CyberTipline import's time
	 * (PERFORMANCE.md), to guard a copy of bytes the input already holds in
	 * ordinary memory.
	 */
	char small[512];
	char *v;
	size_t sn = strlen(scope), cap = n + INET6_ADDRSTRLEN;
	int rc = 0;

	*expected = NULL;
	value = trim(value, &n);
	scope = trim(scope, &sn);
	if (sn >= sizeof(sc)) {
		*expected = "a scope of at most 255 bytes";
		return -1;
	}
	memcpy(sc, scope, sn);
	sc[sn] = '\0';
	if (strcmp(type, "username") == 0 || strcmp(type, "other") == 0)
		lower(sc, sn);
	v = cap <= sizeof(small) ? small : rt_malloc(cap);
	if (!v) {
		*expected = "a value that fits in memory";
		return -1;
	}
	memcpy(v, value, n);
	if (strcmp(type, "email") == 0) {
		rc = norm_email(v, &n);
		*expected = "an email address (one @)";
	} else if (strcmp(type, "ip") == 0) {
		rc = norm_ip(v, &n, cap);
		*expected = "an IPv4 or IPv6 address";
	} else if (strcmp(type, "phone") == 0) {
		rc = norm_phone(v, &n);
		*expected = "a phone number (no digits)";
	} else if (strcmp(type, "username") == 0) {
		lower(v, n);
	}
	if (rc == 0 && n == 0) {
		rc = -1;
		*expected = "a value (it is empty)";
	}
	if (rc == 0) {
		token_make(k, type, sc, v, n, out);
		*expected = NULL;
	}
	sodium_memzero(v, cap);
	if (v != small)
		rt_free(v);
	return rc;
}

bool token_is_hex(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 128)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return false;
	return true;
}
