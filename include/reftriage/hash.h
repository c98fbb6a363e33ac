/*
 * BLAKE2b-256 (libsodium's crypto_generichash with a 32-byte output and no
 * key): content hashes of packages, input files and rule sets. The only file
 * besides audit/ that includes sodium.h is src/model/hash.c.
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

/* Lower-case hex, NUL-terminated. */
void hash_hex(char out[HASH_HEX], const unsigned char h[HASH_BYTES]);

#endif
