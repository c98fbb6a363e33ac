/*
 * Token keys (shared/spec/cybertip.md, "Identifiers → tokens"): a unit's
 * 32-byte secret, kept in a file of 64 hex digits that only its owner can
 * read, never in the store. A token is the hex of a keyed BLAKE2b with a
 * 16-byte output over "type 0x1F scope 0x1F value", so the same identifier
 * gives the same token within a unit (reports link) and nothing outside it.
 */
#ifndef REFTRIAGE_TOKEN_H
#define REFTRIAGE_TOKEN_H

#include "reftriage/diag.h"

#define TOKEN_KEY_BYTES 32
#define TOKEN_HEX       33 /* 32 hex digits and a NUL */

struct token_key;

/*
 * Write a new random key to path as 64 hex digits and a newline, mode 0600,
 * never over an existing file (73). -1 with d filled.
 */
int token_key_generate(const char *path, struct diag *d) MUST_CHECK;

/*
 * Read the key in path: 78 when others may read the file or it is not a
 * regular file, 66 when it cannot be opened, 65 when it does not hold
 * exactly 64 hex digits (and white space around them). The key is held in
 * locked memory, wiped by token_key_free().
 */
int token_key_load(const char *path, struct token_key **out, struct diag *d) MUST_CHECK;
void token_key_free(struct token_key *k);

/* A key from text as the file holds it (64 hex digits); -1 when it is not one. */
int token_key_parse(const char *text, struct token_key **out) MUST_CHECK;

/* The token of value (n bytes) of the given type and scope, as hex. */
void token_make(const struct token_key *k, const char *type, const char *scope, const char *value,
                size_t n, char out[TOKEN_HEX]);

/*
 * One identifier as a token, normalised exactly as cybertip.md says, for
 * every reader of raw identifiers (the XML import, deconflict import, find):
 * value and scope trimmed; email lowercased and holding one '@' between
 * other bytes and no space or control byte; username lowercased; ip as
 * RFC 5952 writes it; phone its digits; the scope of username and other
 * lowercased, of device as given. type is a contract identifier type's
 * name; scope may be empty. -1 when the value cannot be one of its type,
 * with *expected saying what it should be (never the value); nothing of
 * the value is kept: scratch is wiped before return.
 */
int token_ident(const struct token_key *k, const char *type, const char *scope, const char *value,
                size_t n, char out[TOKEN_HEX], const char **expected) MUST_CHECK;

/* Whether s[0..n) is 1 to 128 hex digits (a token as reftriage makes them). */
bool token_is_hex(const char *s, size_t n);

#endif
