/*
 * struct buf: a growable byte buffer, always NUL-terminated (the NUL is not
 * counted in len). buf_init() needs no allocation; buf_release() frees the
 * contents. Functions that grow the buffer return 0, or -1 when memory runs
 * out (the buffer is then unchanged) or the buffer would pass its limit.
 */
#ifndef REFTRIAGE_BUF_H
#define REFTRIAGE_BUF_H

#include "reftriage/compat.h"

struct buf {
	char *data; /* owned; never NULL after buf_init() */
	size_t len; /* bytes in use, not counting the NUL */
	size_t cap; /* bytes allocated; 0 while data points at a static "" */
};

void buf_init(struct buf *b);
void buf_release(struct buf *b);
/* Make room for n more bytes (plus the NUL). */
int buf_reserve(struct buf *b, size_t n) MUST_CHECK;
int buf_add(struct buf *b, const void *p, size_t n) MUST_CHECK;
int buf_addc(struct buf *b, char c) MUST_CHECK;
int buf_adds(struct buf *b, const char *s) MUST_CHECK;
int buf_addf(struct buf *b, const char *fmt, ...) PRINTF_LIKE(2, 3) MUST_CHECK;
/* Empty the buffer, keeping its allocation. */
void buf_reset(struct buf *b);
/* Drop everything but the first len bytes (len <= b->len). */
void buf_truncate(struct buf *b, size_t len);
/* Take ownership of the contents; the buffer is left empty. Caller frees. */
char *buf_detach(struct buf *b, size_t *len);

#endif
