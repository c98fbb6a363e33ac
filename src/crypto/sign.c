/* Ed25519 signatures and keys in minisign's formats (see sign.h). */
#include "reftriage/sign.h"
#include "reftriage/pfile.h"

#include "crypto-internal.h"

#include "reftriage/alloc.h"
#include "reftriage/buf.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define SIGALG        "Ed"
#define SIGALG_HASHED "ED"
#define KDFALG        "Sc"
#define CHKALG        "B2"
#define COMMENT       "untrusted comment: "
#define TRUSTED       "trusted comment: "

/* minisign's cost for encrypting a secret key (scrypt, 1 GiB). */
#define KDF_OPSLIMIT crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_SENSITIVE
#define KDF_MEMLIMIT crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_SENSITIVE
/* What a key file may ask of us; beyond this it is refused, not obeyed. */
#define KDF_OPSLIMIT_MAX (KDF_OPSLIMIT * 4ULL)
#define KDF_MEMLIMIT_MAX (KDF_MEMLIMIT * 2ULL)

#define PASSPHRASE_MAX 1024

struct keynum_sk {
	unsigned char keynum[SIGN_KEYNUM_BYTES];
	unsigned char sk[crypto_sign_SECRETKEYBYTES];
	unsigned char chk[crypto_generichash_BYTES];
};

struct seckey_file {
	unsigned char sig_alg[2];
	unsigned char kdf_alg[2];
	unsigned char chk_alg[2];
	unsigned char kdf_salt[crypto_pwhash_scryptsalsa208sha256_SALTBYTES];
	unsigned char kdf_opslimit_le[8];
	unsigned char kdf_memlimit_le[8];
	struct keynum_sk keynum_sk;
};

struct pubkey_file {
	unsigned char sig_alg[2];
	unsigned char keynum[SIGN_KEYNUM_BYTES];
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
};

struct sig_file {
	unsigned char sig_alg[2];
	unsigned char keynum[SIGN_KEYNUM_BYTES];
	unsigned char sig[crypto_sign_BYTES];
};

_Static_assert(sizeof(struct seckey_file) == 158, "minisign secret key layout");
_Static_assert(sizeof(struct pubkey_file) == 42, "minisign public key layout");
_Static_assert(sizeof(struct sig_file) == 74, "minisign signature layout");

struct sign_seckey {
	struct seckey_file f; /* decrypted */
};

static uint64_t le64_load(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static void le64_store(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++) {
		p[i] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
}

void sign_keyid(const unsigned char keynum[SIGN_KEYNUM_BYTES], char out[SIGN_KEYID_LEN])
{
	(void)snprintf(out, SIGN_KEYID_LEN, "%016llX", (unsigned long long)le64_load(keynum));
}

char *sign_secret_alloc(size_t n)
{
	char *p = sodium_malloc(n);

	if (p)
		sodium_memzero(p, n);
	return p;
}

void sign_secret_free(char *p)
{
	sodium_free(p); /* wipes first; NULL is fine */
}

/* A minisign secret key, public key or signature file. */
enum minisign_file { MS_SECRET, MS_PUBLIC, MS_SIGNATURE };

static int read_small(const char *path, char *buf, size_t cap, enum minisign_file what,
                      struct diag *d)
{
	static const unsigned flags[] = {CRYPTO_FILE_KEY | CRYPTO_FILE_SECRET, CRYPTO_FILE_KEY, 0};
	static const char *const names[] = {"the secret key", "the public key", "a signature"};

	return crypto_read_small(path, buf, cap, flags[what], names[what],
	                         "a minisign key or signature", d);
}

static char *next_line(char **p)
{
	char *s = *p, *nl;
	size_t n;

	if (!s || !*s)
		return NULL;
	nl = strchr(s, '\n');
	if (nl) {
		*nl = '\0';
		*p = nl + 1;
	} else {
		*p = s + strlen(s);
	}
	n = strlen(s);
	while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

/* Decode base64 line s into exactly n bytes at out. */
static int unbase64(const char *s, unsigned char *out, size_t n)
{
	size_t got = 0;

	if (sodium_base642bin(out, n, s, strlen(s), NULL, &got, NULL,
	                      sodium_base64_VARIANT_ORIGINAL) != 0)
		return -1;
	return got == n ? 0 : -1;
}

int sign_pubkey_load(const char *path, struct sign_pubkey *out, struct diag *d)
{
	char text[2048];
	char *p = text, *line;
	struct pubkey_file f;

	if (read_small(path, text, sizeof(text), MS_PUBLIC, d) < 0)
		return -1;
	line = next_line(&p);
	if (!line || strncmp(line, COMMENT, strlen(COMMENT)) != 0)
		return crypto_fail(
		    d, path, EX_DATAERR,
		    "not a minisign public key (the first line is not an untrusted comment)");
	line = next_line(&p);
	if (!line || unbase64(line, (unsigned char *)&f, sizeof(f)) < 0)
		return crypto_fail(
		    d, path, EX_DATAERR,
		    "not a minisign public key (the second line is not a base64 key)");
	if (memcmp(f.sig_alg, SIGALG, 2) != 0)
		return crypto_fail(d, path, EX_DATAERR, "not an Ed25519 minisign public key");
	memcpy(out->keynum, f.keynum, sizeof(out->keynum));
	memcpy(out->pk, f.pk, sizeof(out->pk));
	return 0;
}

static void seckey_chk(unsigned char chk[crypto_generichash_BYTES], const struct seckey_file *f)
{
	crypto_generichash_state hs;

	(void)crypto_generichash_init(&hs, NULL, 0, crypto_generichash_BYTES);
	(void)crypto_generichash_update(&hs, f->sig_alg, sizeof(f->sig_alg));
	(void)crypto_generichash_update(&hs, f->keynum_sk.keynum, sizeof(f->keynum_sk.keynum));
	(void)crypto_generichash_update(&hs, f->keynum_sk.sk, sizeof(f->keynum_sk.sk));
	(void)crypto_generichash_final(&hs, chk, crypto_generichash_BYTES);
	sodium_memzero(&hs, sizeof(hs));
}

/* XOR the key part with scrypt(passphrase, salt); it both encrypts and decrypts. */
static int kdf_xor(struct seckey_file *f, const char *pass, struct diag *d, const char *path)
{
	unsigned char *stream = sodium_malloc(sizeof(f->keynum_sk));
	unsigned char *k = (unsigned char *)&f->keynum_sk;
	size_t i;

	if (!stream)
		return crypto_fail(d, path, EX_SOFTWARE, "out of memory");
	if (crypto_pwhash_scryptsalsa208sha256(stream, sizeof(f->keynum_sk), pass, strlen(pass),
	                                       f->kdf_salt, le64_load(f->kdf_opslimit_le),
	                                       (size_t)le64_load(f->kdf_memlimit_le)) != 0) {
		sodium_free(stream);
		return crypto_fail(
		    d, path, EX_SOFTWARE,
		    "cannot derive the key from the passphrase (scrypt needs 1 GiB of "
		    "memory)");
	}
	for (i = 0; i < sizeof(f->keynum_sk); i++)
		k[i] ^= stream[i];
	sodium_free(stream);
	return 0;
}

/* Core dumps off while secret key material is in memory (restored when freed). */
static struct rlimit saved_core;
static int keys_loaded;

static void dumps_off(void)
{
	struct rlimit none;

	if (keys_loaded++ == 0) {
		if (getrlimit(RLIMIT_CORE, &saved_core) != 0)
			saved_core.rlim_cur = saved_core.rlim_max = 0;
		none.rlim_cur = 0;
		none.rlim_max = saved_core.rlim_max;
		(void)setrlimit(RLIMIT_CORE, &none);
		(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	}
}

static void dumps_on(void)
{
	if (keys_loaded > 0 && --keys_loaded == 0) {
		(void)setrlimit(RLIMIT_CORE, &saved_core);
		(void)prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	}
}

/* Decode the key file's text (comment line, base64 line) into f. */
static int seckey_parse(const char *path, char *text, struct seckey_file *f, struct diag *d)
{
	char *p = text, *line;

	line = next_line(&p);
	if (!line || strncmp(line, COMMENT, strlen(COMMENT)) != 0)
		return crypto_fail(
		    d, path, EX_DATAERR,
		    "not a minisign secret key (the first line is not an untrusted comment)");
	line = next_line(&p);
	if (!line || unbase64(line, (unsigned char *)f, sizeof(*f)) < 0)
		return crypto_fail(
		    d, path, EX_DATAERR,
		    "not a minisign secret key (the second line is not a base64 key)");
	if (memcmp(f->sig_alg, SIGALG, 2) != 0 || memcmp(f->chk_alg, CHKALG, 2) != 0)
		return crypto_fail(d, path, EX_DATAERR, "not an Ed25519 minisign secret key");
	return 0;
}

/*
 * Decrypt f's key part with the passphrase get() asks for, when it is
 * encrypted, and check its checksum either way.
 */
static int seckey_unlock(const char *path, sign_passphrase_fn get, void *ctx, struct seckey_file *f,
                         struct diag *d)
{
	unsigned char chk[crypto_generichash_BYTES];
	char *pass = NULL;
	int rc = -1;

	if (memcmp(f->kdf_alg, KDFALG, 2) == 0) {
		if (le64_load(f->kdf_opslimit_le) > KDF_OPSLIMIT_MAX ||
		    le64_load(f->kdf_memlimit_le) > KDF_MEMLIMIT_MAX)
			return crypto_fail(
			    d, path, EX_DATAERR,
			    "the key asks for more scrypt work than reftriage allows");
		pass = sign_secret_alloc(PASSPHRASE_MAX);
		if (!pass)
			return crypto_fail(d, path, EX_SOFTWARE, "out of memory");
		if (get(ctx, pass, PASSPHRASE_MAX, false, d) < 0 || kdf_xor(f, pass, d, path) < 0)
			goto out;
		seckey_chk(chk, f);
		if (sodium_memcmp(chk, f->keynum_sk.chk, sizeof(chk)) != 0) {
			crypto_fail(d, path, EX_DATAERR, "wrong passphrase for this key");
			goto out;
		}
	} else if (memcmp(f->kdf_alg, "\0\0", 2) == 0) {
		/* minisign -W leaves the checksum zero; when it is set, it must match. */
		seckey_chk(chk, f);
		if (!sodium_is_zero(f->keynum_sk.chk, sizeof(chk)) &&
		    sodium_memcmp(chk, f->keynum_sk.chk, sizeof(chk)) != 0) {
			crypto_fail(d, path, EX_DATAERR,
			            "the secret key is damaged (its checksum is wrong)");
			goto out;
		}
	} else {
		return crypto_fail(d, path, EX_DATAERR,
		                   "the secret key uses an unknown key derivation");
	}
	rc = 0;
out:
	sodium_memzero(chk, sizeof(chk));
	sign_secret_free(pass);
	return rc;
}

/*
 * Whatever the checksum says, the key must be a whole Ed25519 key: its seed
 * must give back the same secret key.
 */
static int seckey_whole(const char *path, const struct seckey_file *f, struct diag *d)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	unsigned char *seed;
	bool ok;

	if (crypto_sign_ed25519_sk_to_pk(pk, f->keynum_sk.sk) != 0)
		return crypto_fail(d, path, EX_DATAERR, "the secret key is damaged");
	seed = sodium_malloc(crypto_sign_SEEDBYTES + crypto_sign_SECRETKEYBYTES +
	                     crypto_sign_PUBLICKEYBYTES);
	if (!seed)
		return crypto_fail(d, path, EX_SOFTWARE, "out of memory");
	(void)crypto_sign_ed25519_sk_to_seed(seed, f->keynum_sk.sk);
	ok = crypto_sign_seed_keypair(seed + crypto_sign_SEEDBYTES + crypto_sign_SECRETKEYBYTES,
	                              seed + crypto_sign_SEEDBYTES, seed) == 0 &&
	     sodium_memcmp(seed + crypto_sign_SEEDBYTES, f->keynum_sk.sk,
	                   crypto_sign_SECRETKEYBYTES) == 0;
	sodium_free(seed);
	if (!ok)
		return crypto_fail(d, path, EX_DATAERR, "the secret key is damaged");
	return 0;
}

int sign_seckey_load(const char *path, sign_passphrase_fn get, void *ctx, struct sign_seckey **out,
                     struct diag *d)
{
	const size_t cap = 4096;
	char *text;
	struct sign_seckey *k;
	int rc = -1;

	*out = NULL;
	dumps_off();
	text = sign_secret_alloc(cap);
	k = (struct sign_seckey *)sign_secret_alloc(sizeof(*k));
	if (!text || !k) {
		crypto_fail(d, path, EX_SOFTWARE, "out of memory");
		goto out;
	}
	if (read_small(path, text, cap, MS_SECRET, d) < 0 ||
	    seckey_parse(path, text, &k->f, d) < 0 || seckey_unlock(path, get, ctx, &k->f, d) < 0 ||
	    seckey_whole(path, &k->f, d) < 0)
		goto out;
	*out = k;
	k = NULL;
	rc = 0;
out:
	sign_secret_free(text);
	if (rc < 0) {
		sign_secret_free((char *)k);
		dumps_on();
	}
	return rc;
}

void sign_seckey_free(struct sign_seckey *k)
{
	if (!k)
		return;
	sign_secret_free((char *)k);
	dumps_on();
}

void sign_seckey_keyid(const struct sign_seckey *k, char out[SIGN_KEYID_LEN])
{
	sign_keyid(k->f.keynum_sk.keynum, out);
}

/* Create path (mode 0600) holding text; with excl, never over an existing file. */
static int write_new(const char *path, const char *text, size_t len, bool excl, struct diag *d)
{
	struct pfile pf;

	if (pfile_open(&pf, path, excl ? PFILE_NOCLOBBER : 0, d) < 0)
		return -1;
	if (pfile_write(&pf, text, len, d) < 0) {
		pfile_abort(&pf);
		return -1;
	}
	return pfile_commit(&pf, d);
}

/* Append "\n"-terminated base64 of p[0..n) to b (which may be secret memory: no growth). */
static int put_base64(char *out, size_t cap, size_t *len, const void *p, size_t n)
{
	size_t need = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);

	if (*len + need + 1 > cap)
		return -1;
	(void)sodium_bin2base64(out + *len, need, p, n, sodium_base64_VARIANT_ORIGINAL);
	*len += need - 1;
	out[(*len)++] = '\n';
	out[*len] = '\0';
	return 0;
}

static int put_text(char *out, size_t cap, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (*len + n + 1 > cap)
		return -1;
	memcpy(out + *len, s, n + 1);
	*len += n;
	return 0;
}

int sign_keygen(const char *prefix, sign_passphrase_fn get, void *ctx, char keyid[SIGN_KEYID_LEN],
                struct diag *d)
{
	struct seckey_file *f = NULL;
	struct pubkey_file pub;
	struct buf pub_path, key_path, pub_text;
	char *pass = NULL, *text = NULL;
	const size_t cap = 1024;
	size_t len = 0;
	int rc = -1;

	buf_init(&pub_path);
	buf_init(&key_path);
	buf_init(&pub_text);
	dumps_off();
	f = (struct seckey_file *)sign_secret_alloc(sizeof(*f));
	text = sign_secret_alloc(cap);
	if (!f || !text || buf_addf(&pub_path, "%s.pub", prefix) < 0 ||
	    buf_addf(&key_path, "%s.key", prefix) < 0) {
		crypto_fail(d, prefix, EX_SOFTWARE, "out of memory");
		goto out;
	}
	memcpy(f->sig_alg, SIGALG, 2);
	memcpy(f->chk_alg, CHKALG, 2);
	randombytes_buf(f->keynum_sk.keynum, sizeof(f->keynum_sk.keynum));
	if (crypto_sign_keypair(pub.pk, f->keynum_sk.sk) != 0) {
		crypto_fail(d, prefix, EX_SOFTWARE, "cannot make a key pair");
		goto out;
	}
	memcpy(pub.sig_alg, SIGALG, 2);
	memcpy(pub.keynum, f->keynum_sk.keynum, sizeof(pub.keynum));
	seckey_chk(f->keynum_sk.chk, f);
	if (get) {
		memcpy(f->kdf_alg, KDFALG, 2);
		randombytes_buf(f->kdf_salt, sizeof(f->kdf_salt));
		le64_store(f->kdf_opslimit_le, KDF_OPSLIMIT);
		le64_store(f->kdf_memlimit_le, KDF_MEMLIMIT);
		pass = sign_secret_alloc(PASSPHRASE_MAX);
		if (!pass) {
			crypto_fail(d, prefix, EX_SOFTWARE, "out of memory");
			goto out;
		}
		if (get(ctx, pass, PASSPHRASE_MAX, true, d) < 0 ||
		    kdf_xor(f, pass, d, key_path.data) < 0)
			goto out;
	} else {
		memset(f->kdf_alg, 0, 2);
	}
	sign_keyid(pub.keynum, keyid);
	if (put_text(text, cap, &len,
	             get ? COMMENT "minisign encrypted secret key\n"
	                 : COMMENT "minisign secret key, NOT encrypted: keep it safe\n") < 0 ||
	    put_base64(text, cap, &len, f, sizeof(*f)) < 0 ||
	    buf_addf(&pub_text, COMMENT "minisign public key %s\n", keyid) < 0 ||
	    buf_reserve(&pub_text, 80) < 0) {
		crypto_fail(d, prefix, EX_SOFTWARE, "out of memory");
		goto out;
	}
	{
		size_t n = pub_text.len;

		if (put_base64(pub_text.data, pub_text.cap, &n, &pub, sizeof(pub)) < 0) {
			crypto_fail(d, prefix, EX_SOFTWARE, "out of memory");
			goto out;
		}
		pub_text.len = n;
	}
	/* Both files are new: a key is never overwritten. The secret key first. */
	if (write_new(key_path.data, text, len, true, d) < 0)
		goto out;
	if (write_new(pub_path.data, pub_text.data, pub_text.len, true, d) < 0) {
		(void)unlink(key_path.data);
		goto out;
	}
	rc = 0;
out:
	sign_secret_free(pass);
	sign_secret_free(text);
	sign_secret_free((char *)f);
	dumps_on();
	buf_release(&pub_path);
	buf_release(&key_path);
	buf_release(&pub_text);
	return rc;
}

/* BLAKE2b-512 (what minisign signs) and BLAKE2b-256 of fd's bytes from the start. */
static int hash_both(int fd, const char *name, unsigned char h512[64],
                     unsigned char h256[HASH_BYTES], struct diag *d)
{
	crypto_generichash_state hs;
	struct hash_stream h2;
	unsigned char *chunk;
	const size_t size = 1 << 16;

	if (lseek(fd, 0, SEEK_SET) != 0)
		return crypto_fail_errno(d, name, EX_IOERR, "cannot read it twice (is it a pipe?)",
		                         errno);
	chunk = rt_malloc(size);
	if (!chunk)
		return crypto_fail(d, name, EX_SOFTWARE, "out of memory");
	(void)crypto_generichash_init(&hs, NULL, 0, 64);
	hash_stream_init(&h2);
	for (;;) {
		ssize_t n = read(fd, chunk, size);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			rt_free(chunk);
			return crypto_fail_errno(d, name, EX_IOERR, "read error", e);
		}
		if (n == 0)
			break;
		(void)crypto_generichash_update(&hs, chunk, (size_t)n);
		hash_stream_update(&h2, chunk, (size_t)n);
	}
	rt_free(chunk);
	(void)crypto_generichash_final(&hs, h512, 64);
	hash_stream_final(&h2, h256);
	if (lseek(fd, 0, SEEK_SET) != 0)
		return crypto_fail_errno(d, name, EX_IOERR, "cannot read it twice", errno);
	return 0;
}

int sign_fd(const struct sign_seckey *k, int fd, const char *sig_path, const char *trusted_comment,
            struct diag *d)
{
	unsigned char h512[64], h256[HASH_BYTES], global[crypto_sign_BYTES];
	struct sig_file sig;
	struct buf both, text;
	size_t n;
	int rc = -1;

	if (strchr(trusted_comment, '\n') || strchr(trusted_comment, '\r') ||
	    strlen(trusted_comment) > SIGN_COMMENT_MAX)
		return crypto_fail(d, sig_path, EX_SOFTWARE,
		                   "the trusted comment is not one short line");
	if (hash_both(fd, sig_path, h512, h256, d) < 0)
		return -1;
	memcpy(sig.sig_alg, SIGALG_HASHED, 2);
	memcpy(sig.keynum, k->f.keynum_sk.keynum, sizeof(sig.keynum));
	(void)crypto_sign_detached(sig.sig, NULL, h512, sizeof(h512), k->f.keynum_sk.sk);
	buf_init(&both);
	buf_init(&text);
	if (buf_add(&both, sig.sig, sizeof(sig.sig)) < 0 || buf_adds(&both, trusted_comment) < 0) {
		crypto_fail(d, sig_path, EX_SOFTWARE, "out of memory");
		goto out;
	}
	(void)crypto_sign_detached(global, NULL, (const unsigned char *)both.data, both.len,
	                           k->f.keynum_sk.sk);
	if (buf_adds(&text, COMMENT "signature from reftriage secret key\n") < 0 ||
	    buf_reserve(&text, 200 + strlen(trusted_comment)) < 0) {
		crypto_fail(d, sig_path, EX_SOFTWARE, "out of memory");
		goto out;
	}
	n = text.len;
	if (put_base64(text.data, text.cap, &n, &sig, sizeof(sig)) < 0 ||
	    put_text(text.data, text.cap, &n, TRUSTED) < 0 ||
	    put_text(text.data, text.cap, &n, trusted_comment) < 0 ||
	    put_text(text.data, text.cap, &n, "\n") < 0 ||
	    put_base64(text.data, text.cap, &n, global, sizeof(global)) < 0) {
		crypto_fail(d, sig_path, EX_SOFTWARE, "out of memory");
		goto out;
	}
	text.len = n;
	rc = write_new(sig_path, text.data, text.len, false, d);
out:
	buf_release(&both);
	buf_release(&text);
	return rc;
}

/*
 * Decode a minisign signature file's four lines: the signature into sig, the
 * global signature into global, and *tc pointed at the trusted comment's text
 * inside text. Only prehashed Ed25519 signatures are accepted.
 */
static int sig_parse(const char *sig_path, char *text, struct sig_file *sig,
                     unsigned char global[crypto_sign_BYTES], char **tc, struct diag *d)
{
	char *p = text, *line;

	line = next_line(&p);
	if (!line || strncmp(line, COMMENT, strlen(COMMENT)) != 0)
		return crypto_fail(d, sig_path, EX_DATAERR,
		                   "refused: not a minisign signature (the first line is not an "
		                   "untrusted comment)");
	line = next_line(&p);
	if (!line || unbase64(line, (unsigned char *)sig, sizeof(*sig)) < 0)
		return crypto_fail(d, sig_path, EX_DATAERR,
		                   "refused: not a minisign signature (the second line is not a "
		                   "base64 signature)");
	*tc = next_line(&p);
	if (!*tc || strncmp(*tc, TRUSTED, strlen(TRUSTED)) != 0)
		return crypto_fail(
		    d, sig_path, EX_DATAERR,
		    "refused: not a minisign signature (the third line is not a trusted comment)");
	*tc += strlen(TRUSTED);
	line = next_line(&p);
	if (!line || unbase64(line, global, crypto_sign_BYTES) < 0)
		return crypto_fail(d, sig_path, EX_DATAERR,
		                   "refused: not a minisign signature (the fourth line is not a "
		                   "base64 signature)");
	if (memcmp(sig->sig_alg, SIGALG, 2) == 0)
		return crypto_fail(
		    d, sig_path, EX_DATAERR,
		    "refused: a legacy (not prehashed) signature; sign with minisign "
		    "0.9 or later (without -l)");
	if (memcmp(sig->sig_alg, SIGALG_HASHED, 2) != 0)
		return crypto_fail(d, sig_path, EX_DATAERR,
		                   "refused: an unknown signature algorithm");
	return 0;
}

/* Check that the global signature covers the file's signature and trusted comment tc. */
static int sig_check_comment(const struct sign_pubkey *pk, const struct sig_file *sig,
                             const unsigned char global[crypto_sign_BYTES], const char *tc,
                             const char *sig_path, struct diag *d)
{
	struct buf both;
	int rc = 0;

	buf_init(&both);
	if (buf_add(&both, sig->sig, sizeof(sig->sig)) < 0 || buf_adds(&both, tc) < 0)
		rc = crypto_fail(d, sig_path, EX_SOFTWARE, "out of memory");
	else if (crypto_sign_verify_detached(global, (const unsigned char *)both.data, both.len,
	                                     pk->pk) != 0)
		rc = crypto_fail(d, sig_path, EX_DATAERR,
		                 "refused: the trusted comment was changed after signing");
	buf_release(&both);
	return rc;
}

int sign_verify_fd(const struct sign_pubkey *pk, int fd, const char *name, const char *sig_path,
                   char **trusted_comment, unsigned char file_hash[HASH_BYTES], struct diag *d)
{
	char *text, *tc = NULL;
	unsigned char h512[64], global[crypto_sign_BYTES];
	struct sig_file sig;
	char want[SIGN_KEYID_LEN], got[SIGN_KEYID_LEN];
	int rc = -1;

	*trusted_comment = NULL;
	text = rt_malloc(SIGN_COMMENT_MAX + 1024);
	if (!text)
		return crypto_fail(d, sig_path, EX_SOFTWARE, "out of memory");
	if (access(sig_path, F_OK) != 0 && errno == ENOENT) {
		diag_at(d, name, 0, NULL);
		diag_set(
		    d, EX_DATAERR,
		    "refused: no signature %s beside it (--verify-key needs every file signed)",
		    sig_path);
		goto out;
	}
	if (read_small(sig_path, text, SIGN_COMMENT_MAX + 1024, MS_SIGNATURE, d) < 0) {
		if (d->code == EX_NOINPUT)
			d->code = EX_DATAERR; /* unreadable signature: the file is refused */
		goto out;
	}
	if (sig_parse(sig_path, text, &sig, global, &tc, d) < 0)
		goto out;
	if (memcmp(sig.keynum, pk->keynum, sizeof(sig.keynum)) != 0) {
		sign_keyid(sig.keynum, got);
		sign_keyid(pk->keynum, want);
		diag_at(d, sig_path, 0, NULL);
		diag_set(d, EX_DATAERR, "refused: signed by key %s, not by the trusted key %s", got,
		         want);
		goto out;
	}
	if (hash_both(fd, name, h512, file_hash, d) < 0)
		goto out;
	if (crypto_sign_verify_detached(sig.sig, h512, sizeof(h512), pk->pk) != 0) {
		crypto_fail(d, name, EX_DATAERR,
		            "refused: the signature does not match the file (it was changed after "
		            "signing, or the signature is forged)");
		goto out;
	}
	if (sig_check_comment(pk, &sig, global, tc, sig_path, d) < 0)
		goto out;
	*trusted_comment = rt_memdup0(tc, strlen(tc));
	if (!*trusted_comment) {
		crypto_fail(d, sig_path, EX_SOFTWARE, "out of memory");
		goto out;
	}
	rc = 0;
out:
	rt_free(text);
	return rc;
}
