/* Text helpers: UTF-8 validation and safe display of untrusted values. */
#ifndef REFTRIAGE_TEXT_H
#define REFTRIAGE_TEXT_H

#include "reftriage/compat.h"

/*
 * Return the offset of the first byte that is not part of well-formed UTF-8
 * (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF), or
 * len when all of s is valid.
 */
size_t utf8_invalid_at(const char *s, size_t len);

/* Number of code points in valid UTF-8. */
size_t utf8_length(const char *s, size_t len);

/*
 * Write a display form of an untrusted value into dst (always NUL-terminated):
 * at most max_chars characters, control characters and bytes that are not
 * valid UTF-8 written as \n, \t, \xNN, and "..." appended when cut. Never
 * writes more than dstsize bytes.
 */
void text_display(char *dst, size_t dstsize, const char *s, size_t len, size_t max_chars);

/* Case-insensitive (ASCII) comparison of s[0..len) with the C string word. */
bool text_ieq(const char *s, size_t len, const char *word);

/* Levenshtein distance between two short ASCII strings, capped at cap+1. */
unsigned text_distance(const char *a, size_t alen, const char *b, size_t blen, unsigned cap);

/*
 * The word of choices (NULL-terminated) nearest to s[0..len), for a "did you
 * mean" hint, or NULL when none is within cap edits. Borrowed from choices.
 */
const char *text_suggest(const char *s, size_t len, const char *const *choices, unsigned cap);

#endif
