/*
 * Ed25519 signatures in minisign's formats (src/crypto/sign.c), so that a
 * force can check what reftriage signs, and sign what it imports, with the
 * minisign tool Debian ships:
 *
 *   public key  "untrusted comment: ...\n" base64("Ed" keynum[8] pk[32]) "\n"
 *   secret key  "untrusted comment: ...\n" base64("Ed" kdf[2] "B2" salt[32]
 *               opslimit[8] memlimit[8] keynum[8] sk[64] checksum[32]) "\n";
 *               kdf "Sc": the last 104 bytes are XORed with scrypt(passphrase);
 *               kdf "\0\0": unencrypted
 *   signature   "untrusted comment: ...\n" base64("ED" keynum[8] sig[64]) "\n"
 *               "trusted comment: TEXT\n" base64(global_sig[64]) "\n"
 *               sig signs BLAKE2b-512 of the file; global_sig signs sig || TEXT
 *
 * Secret key material lives only in libsodium's guarded memory
 * (sodium_malloc: locked, not dumped) and is wiped when freed; core dumps are
 * off while a secret key is loaded.
 */
#ifndef REFTRIAGE_SIGN_H
#define REFTRIAGE_SIGN_H

#include "reftriage/diag.h"
#include "reftriage/hash.h"

#define SIGN_KEYNUM_BYTES 8
#define SIGN_KEYID_LEN    17 /* 16 hex digits and a NUL, as minisign prints them */
#define SIGN_COMMENT_MAX  8000

struct sign_pubkey {
	unsigned char keynum[SIGN_KEYNUM_BYTES];
	unsigned char pk[32];
};

/* The key id as minisign prints it (upper-case hex of the little-endian number). */
void sign_keyid(const unsigned char keynum[SIGN_KEYNUM_BYTES], char out[SIGN_KEYID_LEN]);

/* Read a minisign public key file. EX_NOINPUT when it cannot be read, EX_DATAERR when bad. */
int sign_pubkey_load(const char *path, struct sign_pubkey *out, struct diag *d) MUST_CHECK;

/* Memory for passphrases: guarded, locked, wiped when freed. NULL when none is left. */
char *sign_secret_alloc(size_t n);
void sign_secret_free(char *p);

/*
 * Asks for a passphrase into buf (capacity cap, NUL-terminated); confirm asks
 * twice and checks they match. 0, or -1 with d filled.
 */
typedef int (*sign_passphrase_fn)(void *ctx, char *buf, size_t cap, bool confirm, struct diag *d);

struct sign_seckey;

/*
 * Load a secret key: refused (EX_CONFIG) unless it is a regular file that
 * neither group nor others may read; a passphrase is asked for through get
 * when it is encrypted. Core dumps are disabled until sign_seckey_free().
 */
int sign_seckey_load(const char *path, sign_passphrase_fn get, void *ctx, struct sign_seckey **out,
                     struct diag *d) MUST_CHECK;
/* Wipe and free the key; core dumps are allowed again. NULL is fine. */
void sign_seckey_free(struct sign_seckey *k);
void sign_seckey_keyid(const struct sign_seckey *k, char out[SIGN_KEYID_LEN]);

/*
 * Write a new key pair to PREFIX.pub and PREFIX.key (mode 0600; never over an
 * existing file). The secret key is encrypted with a passphrase asked for
 * through get (twice), unless get is NULL: then it is stored unencrypted.
 */
int sign_keygen(const char *prefix, sign_passphrase_fn get, void *ctx, char keyid[SIGN_KEYID_LEN],
                struct diag *d) MUST_CHECK;

/*
 * Sign the bytes of fd (read from the start) and write the signature to
 * sig_path (mode 0600, replaced atomically) with trusted_comment (one line).
 */
int sign_fd(const struct sign_seckey *k, int fd, const char *sig_path, const char *trusted_comment,
            struct diag *d) MUST_CHECK;

/*
 * Check that sig_path is a valid signature by pk of the bytes of fd (read
 * from the start; name is for messages). On success *trusted_comment is the
 * signed comment (caller frees with rt_free) and file_hash the BLAKE2b-256 of
 * the bytes read, to check that what is then imported is what was verified.
 * EX_NOINPUT when the signature file cannot be read, EX_DATAERR otherwise.
 */
int sign_verify_fd(const struct sign_pubkey *pk, int fd, const char *name, const char *sig_path,
                   char **trusted_comment, unsigned char file_hash[HASH_BYTES],
                   struct diag *d) MUST_CHECK;

#endif
