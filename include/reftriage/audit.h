/*
 * The audit trail's hash chain (DPA 2018 s.62; docs/security.md).
 *
 * Each entry's hash is BLAKE2b-256 over the domain tag AUDIT_TAG, the
 * previous entry's hash (32 zero bytes before the first) and the entry's
 * canonical bytes: big-endian seq and time, each text as a 4-byte length and
 * its bytes, a byte saying whether there is a reason, the number of refs and
 * the BLAKE2b-256 of the refs (each as a 4-byte length and its bytes), and
 * the BLAKE2b-256 of the details. This module computes and checks hashes; it
 * knows nothing of where entries are kept (src/store/audit.c).
 */
#ifndef REFTRIAGE_AUDIT_H
#define REFTRIAGE_AUDIT_H

#include "reftriage/buf.h"
#include "reftriage/hash.h"

#define AUDIT_TAG "reftriage audit entry v1"

struct audit_entry {
	int64_t seq;
	int64_t at; /* microseconds since 1970, UTC */
	const char *operator_name;
	const char *action;
	const char *reason;  /* NULL: none given */
	const char *details; /* a JSON object */
	size_t details_len;
	unsigned char details_hash[HASH_BYTES];
	int64_t n_refs;
	unsigned char prev_hash[HASH_BYTES];
	unsigned char hash[HASH_BYTES];
};

/* The refs of one entry, hashed in order as they are read. */
struct audit_refs {
	struct hash_stream h;
	int64_t n;
};
void audit_refs_init(struct audit_refs *r);
void audit_refs_add(struct audit_refs *r, const char *ref, size_t len);
void audit_refs_final(struct audit_refs *r, unsigned char out[HASH_BYTES]);

/* The entry's hash from its fields, details_hash, prev_hash and its refs' hash. */
void audit_entry_hash(const struct audit_entry *e, int64_t n_refs,
                      const unsigned char refs_hash[HASH_BYTES], unsigned char out[HASH_BYTES]);

/*
 * The s.62 kind of operation an action is: "collection", "alteration",
 * "consultation", "disclosure", "combination", "erasure" or "administration".
 */
const char *audit_category(const char *action);

/*
 * Walks a trail in order, checking each entry against the one before. An
 * entry dated earlier than the one before it does not break the chain (the
 * hashes still link), but it is worth a warning: the clock went back, or a
 * time was set by hand. After each entry that follows on, went_back says
 * whether it was so and before_at is the time of the entry before it;
 * backwards counts such entries.
 */
struct audit_verifier {
	int64_t next_seq; /* the seq the next entry must have */
	unsigned char prev[HASH_BYTES];
	int64_t checked;
	int64_t last_at;   /* the time of the last entry checked */
	int64_t before_at; /* the time of the entry before that */
	bool went_back;
	int64_t backwards;
};
void audit_verifier_init(struct audit_verifier *v);

/*
 * Check entry e, whose refs as stored hashed to refs_hash (n_refs of them).
 * Returns 0 when it follows on; -1 with what is wrong in why (which names
 * the entry's seq).
 */
int audit_verify_entry(struct audit_verifier *v, const struct audit_entry *e, int64_t n_refs,
                       const unsigned char refs_hash[HASH_BYTES], char *why,
                       size_t why_len) MUST_CHECK;

/*
 * A checkpoint: a signed statement that the trail of store store_id had
 * reached entry seq, whose hash was head, at time at. Its text form is
 * line-based and stable, so that it can be read by people and by minisign.
 */
struct audit_checkpoint {
	char store_id[33];
	int64_t seq;
	unsigned char head[HASH_BYTES];
	int64_t at;
};

/* The statement's text, into b. */
int audit_checkpoint_format(const struct audit_checkpoint *c, struct buf *b) MUST_CHECK;
/* Parse a statement; -1 with why on anything unexpected. */
int audit_checkpoint_parse(const char *text, size_t len, struct audit_checkpoint *c, char *why,
                           size_t why_len) MUST_CHECK;

#endif
