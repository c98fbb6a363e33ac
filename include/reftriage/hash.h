/*
 * BLAKE2b-256 (libsodium's crypto_generichash with a 32-byte output and no
 * key): content hashes of packages, input files, rule sets and audit entries.
 * libsodium is used only in src/crypto/ (hash.c and sign.c), whose private
 * crypto-internal.h is the one file that includes sodium.h.
 */
#ifndef REFTRIAGE_HASH_H
#define REFTRIAGE_HASH_H

#include "reftriage/compat.h"

#include <stdalign.h>

#define HASH_BYTES 32
#define HASH_HEX   (HASH_BYTES * 2 + 1)

/* Initialise libsodium; call once before any other hash_ function. */
int hash_library_init(void) MUST_CHECK;

void hash_bytes(unsigned char out[HASH_BYTES], const void *p, size_t n);

/* Incremental hashing, for files read in chunks. */
struct hash_stream {
	alignas(64) unsigned char state[384];
};
void hash_stream_init(struct hash_stream *h);
void hash_stream_update(struct hash_stream *h, const void *p, size_t n);
void hash_stream_final(struct hash_stream *h, unsigned char out[HASH_BYTES]);

/* The hash of fd's bytes from its start; -1 with errno on a read error. */
int hash_fd(int fd, unsigned char out[HASH_BYTES]) MUST_CHECK;

/*
 * SHA-256 of fd's bytes from its start (the hash people check a backup with:
 * sha256sum); -1 with errno on a read error. HASH_BYTES is its size too.
 */
int hash_sha256_fd(int fd, unsigned char out[HASH_BYTES]) MUST_CHECK;

/*
 * A 64-bit hash of p[0..n): SipHash-2-4 (libsodium's crypto_shorthash) under
 * a fixed, public key. For lookups, not for security: anyone can make two
 * inputs collide (links.h says what a collision does there).
 */
uint64_t hash_short(const void *p, size_t n);

/* Lower-case hex, NUL-terminated. */
void hash_hex(char out[HASH_HEX], const unsigned char h[HASH_BYTES]);

#endif
