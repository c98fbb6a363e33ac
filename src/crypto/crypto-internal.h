/* Private to src/crypto/: the one place sodium.h is included. */
#ifndef REFTRIAGE_CRYPTO_INTERNAL_H
#define REFTRIAGE_CRYPTO_INTERNAL_H

#include "reftriage/compat.h"

#include <sodium.h>

struct diag;

/* Fill d with code and "FILE: msg" (and ": strerror(e)"); always -1. */
int crypto_fail(struct diag *d, const char *file, int code, const char *msg);
int crypto_fail_errno(struct diag *d, const char *file, int code, const char *msg, int e);

enum {
	CRYPTO_FILE_KEY = 1 << 0,    /* a key: never through a symbolic link */
	CRYPTO_FILE_SECRET = 1 << 1, /* a secret key: the user's own, mode 0600 or stricter */
};

/*
 * Read a small text file (at most cap - 1 bytes) into buf, NUL-terminated.
 * It must be a regular file, checked with lstat before it is opened (and
 * opened with O_NONBLOCK), so a FIFO or a device is refused at once, never
 * read. what names the file in messages ("the token key"). With
 * CRYPTO_FILE_KEY it must not be a symbolic link; with CRYPTO_FILE_SECRET it
 * must also belong to the calling user and be readable by nobody else.
 * Refusals are 78 for a secret key, else 66; kind completes the message "too
 * large to be ..." (65).
 */
int crypto_read_small(const char *path, char *buf, size_t cap, unsigned flags, const char *what,
                      const char *kind, struct diag *d);

#endif
