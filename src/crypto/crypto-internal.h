/* Private to src/crypto/: the one place sodium.h is included. */
#ifndef REFTRIAGE_CRYPTO_INTERNAL_H
#define REFTRIAGE_CRYPTO_INTERNAL_H

#include "reftriage/compat.h"

#include <sodium.h>

struct diag;

/* Fill d with code and "FILE: msg" (and ": strerror(e)"); always -1. */
int crypto_fail(struct diag *d, const char *file, int code, const char *msg);
int crypto_fail_errno(struct diag *d, const char *file, int code, const char *msg, int e);

/*
 * Read a small text file (at most cap - 1 bytes) into buf, NUL-terminated.
 * secret, when not NULL, names what the file holds ("the secret key"): it
 * must then be a regular file nobody but its owner can read (else 78). kind
 * completes the message "too large to be ..." (65).
 */
int crypto_read_small(const char *path, char *buf, size_t cap, const char *secret, const char *kind,
                      struct diag *d);

#endif
