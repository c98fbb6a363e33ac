/*
 * A small streaming JSON writer into a struct buf. Output is compact, keys
 * are written in the order given, and strings are escaped the same way every
 * time (this is what makes the canonical form of a package canonical):
 * '"' '\\' and control characters are escaped (\n \r \t \b \f, else \u00XX),
 * everything else, including non-ASCII UTF-8, is copied as it is.
 */
#ifndef REFTRIAGE_JSONW_H
#define REFTRIAGE_JSONW_H

#include "reftriage/buf.h"

/* Append s[0..n) as a JSON string (with quotes). */
int jsonw_string(struct buf *b, const char *s, size_t n) MUST_CHECK;
/* Append "key": with the separator needed; *first tracks the first member. */
int jsonw_key(struct buf *b, bool *first, const char *key) MUST_CHECK;
/* A member: "key": then s as a string, or null when s is NULL. */
int jsonw_key_str(struct buf *b, bool *first, const char *key, const char *s) MUST_CHECK;
/* A member: "key": then the integer v. */
int jsonw_key_int(struct buf *b, bool *first, const char *key, long long v) MUST_CHECK;

/* Longest text jsonw_number_text writes, with its NUL. */
#define JSONW_NUMBER_MAX 32

/*
 * The one way a number that need not be an integer is written as JSON
 * (shared/spec/cli.md): the shortest decimal that reads back as the same
 * double, "%.15g" where that reads back exactly, else "%.17g" (which always
 * does). So a script that recomputes a figure from the same data gets the
 * same double. NaN and the infinities have no JSON form: "null". Writes
 * into dst (JSONW_NUMBER_MAX bytes) and returns dst.
 */
const char *jsonw_number_text(char dst[JSONW_NUMBER_MAX], double v);
/* Append v as jsonw_number_text writes it. */
int jsonw_number(struct buf *b, double v) MUST_CHECK;
/* A member: "key": then v (jsonw_number), or null when !has. */
int jsonw_key_number(struct buf *b, bool *first, const char *key, bool has, double v) MUST_CHECK;

#endif
