/*
 * Counting links for a whole store at once: for each package, how many other
 * packages share at least one linking key with it (src/model/links.c).
 */
#ifndef REFTRIAGE_LINKS_H
#define REFTRIAGE_LINKS_H

#include "reftriage/buf.h"
#include "reftriage/compat.h"

/* Counts saturate here: 1000 means "1,000 or more" (data-contract.md). */
#define LINK_COUNT_MAX 1000

/*
 * A linking key, as package_keys stores it (schema 13): the key's kind in
 * the top byte (LINK_KIND_SUBJECT, or LINK_KIND_IDENT + the index of the
 * identifier's type in contract_ident_types), and 56 bits of hash_short()
 * of the subject_ref or token below it. Two different keys share a value
 * with a chance of about one in 2^56 for a pair (for a store of two million
 * keys, about 3 in 100,000 that any pair does): the two packages then count
 * as linked, which can raise a priority and never lowers one. Keys of one
 * kind are one run in key order, so the IP keys are one run, as before.
 */
#define LINK_KIND_SUBJECT 1
#define LINK_KIND_IDENT   2
/* "ip" is contract_ident_types[2] (test_links checks). */
#define LINK_KIND_IP (LINK_KIND_IDENT + 2)
int64_t link_key(int kind, const char *s, size_t n);

/* The kind of a key, and whether it is an IP address's (counted apart). */
static inline int link_key_kind(int64_t key)
{
	return (int)((uint64_t)key >> 56);
}

static inline bool link_key_is_ip(int64_t key)
{
	return link_key_kind(key) == LINK_KIND_IP;
}
/* The text form of a kind, "subject" or the identifier type; NULL for none. */
const char *link_kind_name(int kind);

struct package;

/*
 * Call fn with each linking key of p (its subject_ref, then each identifier)
 * and the key's text, "subject:REF" or "TYPE:TOKEN"; stops at the first
 * non-zero fn returns, and returns it.
 */
int link_keys_of(const struct package *p,
                 int (*fn)(void *ctx, int64_t key, const char *text, size_t len), void *ctx);
/* The same keys in the same order without their text (NULL, 0): for the store, which keeps numbers.
 */
int link_keys_only(const struct package *p,
                   int (*fn)(void *ctx, int64_t key, const char *text, size_t len), void *ctx);

struct link_counts {
	uint32_t *count; /* count[package id], once finished */
	size_t n;        /* ids below n have a count */
	/* while the keys are read */
	uint32_t *mem, *gstart,
	    *cur; /* members of shared keys; where each key starts; this key's */
	size_t nmem, capmem, ngroups, capg, ncur, capcur;
	struct buf key;
	bool started;
};

void link_counts_init(struct link_counts *lc);
/*
 * Add one linking key of one package. Keys must come in (key, package id)
 * order, each pair once. -1 when out of memory (or past 2^32 memberships),
 * -2 for an id beyond 2^32.
 */
int link_counts_add(struct link_counts *lc, const char *key, size_t len,
                    int64_t package_id) MUST_CHECK;
/* Count every package's links from the keys added; -1 when out of memory. */
int link_counts_finish(struct link_counts *lc) MUST_CHECK;
/* The count of a package (0 for one with no shared key), at most LINK_COUNT_MAX. */
int64_t link_counts_get(const struct link_counts *lc, int64_t package_id);
void link_counts_release(struct link_counts *lc);

#endif
