#include "reftriage/hash.h"

#include "crypto-internal.h"

#include <unistd.h>

_Static_assert(sizeof(crypto_generichash_state) <= sizeof(((struct hash_stream *)0)->state),
               "hash_stream too small for crypto_generichash_state");

int hash_library_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

void hash_bytes(unsigned char out[HASH_BYTES], const void *p, size_t n)
{
	/* Cannot fail with these sizes and no key. */
	(void)crypto_generichash(out, HASH_BYTES, p, n, NULL, 0);
}

void hash_stream_init(struct hash_stream *h)
{
	(void)crypto_generichash_init((crypto_generichash_state *)(void *)h->state, NULL, 0,
	                              HASH_BYTES);
}

void hash_stream_update(struct hash_stream *h, const void *p, size_t n)
{
	(void)crypto_generichash_update((crypto_generichash_state *)(void *)h->state, p, n);
}

void hash_stream_final(struct hash_stream *h, unsigned char out[HASH_BYTES])
{
	(void)crypto_generichash_final((crypto_generichash_state *)(void *)h->state, out,
	                               HASH_BYTES);
}

uint64_t hash_short(const void *p, size_t n)
{
	static const unsigned char key[crypto_shorthash_KEYBYTES] = "reftriage links";
	unsigned char out[crypto_shorthash_BYTES];
	uint64_t v = 0;
	size_t i;

	(void)crypto_shorthash(out, p, n, key);
	for (i = 0; i < sizeof(out); i++)
		v |= (uint64_t)out[i] << (8 * i);
	return v;
}

void hash_hex(char out[HASH_HEX], const unsigned char h[HASH_BYTES])
{
	(void)sodium_bin2hex(out, HASH_HEX, h, HASH_BYTES);
}

/* Read fd from its start to its end, handing each chunk to add(h, ...); -1 on a read error. */
static int read_all(int fd, void (*add)(void *h, const unsigned char *p, size_t n), void *h)
{
	unsigned char chunk[1 << 14];

	if (lseek(fd, 0, SEEK_SET) != 0)
		return -1;
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		add(h, chunk, (size_t)n);
	}
}

static void add_blake2b(void *h, const unsigned char *p, size_t n)
{
	hash_stream_update(h, p, n);
}

static void add_sha256(void *h, const unsigned char *p, size_t n)
{
	(void)crypto_hash_sha256_update(h, p, n);
}

int hash_fd(int fd, unsigned char out[HASH_BYTES])
{
	struct hash_stream h;

	hash_stream_init(&h);
	if (read_all(fd, add_blake2b, &h) < 0)
		return -1;
	hash_stream_final(&h, out);
	return 0;
}

int hash_sha256_fd(int fd, unsigned char out[HASH_BYTES])
{
	crypto_hash_sha256_state h;

	(void)crypto_hash_sha256_init(&h);
	if (read_all(fd, add_sha256, &h) < 0)
		return -1;
	(void)crypto_hash_sha256_final(&h, out);
	return 0;
}
