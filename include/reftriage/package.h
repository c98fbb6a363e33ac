/*
 * struct package: one validated referral package, and the validation that
 * makes one. Decoders (ingest/) call the package_set_* functions once per
 * field as they read a record, then package_finish(). Every problem is added
 * to a struct reasons; nothing is altered or guessed. When reasons is empty
 * after package_finish(), the package holds its canonical form and hash.
 *
 * A package owns its memory: package_init() allocates nothing, package_reset()
 * empties it for the next record keeping its allocations (so a stream of
 * records costs no allocation per record), package_release() frees it.
 */
#ifndef REFTRIAGE_PACKAGE_H
#define REFTRIAGE_PACKAGE_H

#include "reftriage/buf.h"
#include "reftriage/contract.h"

#define REASONS_MAX 32

struct reason {
	char field[96];    /* contract field, "record" / "header", or an XML path */
	char message[600]; /* names the offending value (cut) and what was expected */
};

/* Every reason a record was refused; more than REASONS_MAX are counted. */
struct reasons {
	size_t n;
	size_t more;
	struct reason r[REASONS_MAX];
};

void reasons_clear(struct reasons *r);
void reasons_add(struct reasons *r, const char *field, const char *fmt, ...) PRINTF_LIKE(3, 4);

struct ident {
	uint8_t type; /* index into contract_ident_types */
	uint32_t off; /* token offset in the package's arena */
	uint32_t len;
};

struct package {
	uint64_t known[CONTRACT_MASK_WORDS]; /* bit i set: field i is known */
	int64_t v[CONTRACT_NFIELDS];         /* int, bool 0/1, enum index, datetime us, date days */
	uint32_t soff[CONTRACT_NFIELDS];     /* FT_STRING: offset in arena */
	uint32_t slen[CONTRACT_NFIELDS];
	uint64_t seen[CONTRACT_MASK_WORDS]; /* fields given in this record (duplicates) */
	struct buf arena;                   /* string bytes */
	struct ident *ids;
	size_t nids, idcap;
	struct buf canonical;   /* after package_finish() */
	unsigned char hash[32]; /* BLAKE2b-256 of canonical */
	bool oom;               /* a call failed for want of memory */
};

void package_init(struct package *p);
void package_reset(struct package *p);
void package_release(struct package *p);
/* Make dst (initialised) a copy of src, reusing dst's memory; -1 when out of memory. */
int package_copy(struct package *dst, const struct package *src) MUST_CHECK;

static inline bool package_known(const struct package *p, int f)
{
	return (p->known[f / 64] >> (f % 64)) & 1;
}

/* A known string field's bytes (not NUL-terminated), or NULL when unknown. */
const char *package_str(const struct package *p, int f, size_t *len);

/*
 * CSV semantics: set field f from its text. Empty text is unknown. Bools
 * accept true false yes no y n 1 0 in any case; ints are decimal digits;
 * identifiers are "type:token" items separated by ';'.
 * Returns 0, or -1 after adding reasons (or when memory runs out: see oom).
 */
int package_set_text(struct package *p, int f, const char *s, size_t n, struct reasons *r);

/*
 * A CSV cell: as package_set_text(), except that spaces and tabs around a
 * bool, int, enum, date or datetime value are ignored (spreadsheets leave
 * them, data-contract.md); text and identifier fields keep theirs.
 */
int package_set_csv_text(struct package *p, int f, const char *s, size_t n, struct reasons *r);

/* JSON semantics: the natural JSON types. */
int package_set_json_null(struct package *p, int f, struct reasons *r);
int package_set_json_string(struct package *p, int f, const char *s, size_t n, struct reasons *r);
int package_set_json_int(struct package *p, int f, int64_t v, const char *lexeme,
                         struct reasons *r);
int package_set_json_real(struct package *p, int f, const char *lexeme, struct reasons *r);
int package_set_json_bool(struct package *p, int f, bool v, struct reasons *r);
/* A value of the wrong JSON kind ("an array", "an object") for field f. */
int package_set_json_wrong(struct package *p, int f, const char *kind, struct reasons *r);
/* One identifier; item is its 1-based position, for messages. */
int package_add_ident(struct package *p, const char *type, size_t tlen, const char *token,
                      size_t klen, size_t item, struct reasons *r);

/*
 * Check what needs the whole record (required fields), then build the
 * canonical form and its hash. Returns 0 when the package is valid, -1 when
 * reasons were added. Sets *oom when it failed for want of memory.
 */
int package_finish(struct package *p, struct reasons *r);

/* Set after any package_* call that failed for want of memory. */
bool package_oom(const struct package *p);

/*
 * The canonical form: a JSON object of the known fields in contract order,
 * values normalised (times in UTC, identifiers sorted, duplicates dropped).
 * Its BLAKE2b-256 is the content hash, so `b2sum -l 256` of it agrees.
 * Valid until the next package_reset().
 */
static inline const char *package_canonical(const struct package *p, size_t *len)
{
	*len = p->canonical.len;
	return p->canonical.data;
}

/*
 * A known field's value as text, appended to out: strings as they are, times
 * in UTC as in the canonical form, bools as yes/no, identifiers as
 * "type:token; ...". Returns -1 when memory runs out.
 */
int package_format_value(const struct package *p, int f, struct buf *out) MUST_CHECK;

/*
 * The fields whose values differ between from (an older version) and to, in
 * contract order: fn(ctx, field, old, new) with each value as
 * package_format_value() writes it, NULL when unknown; the strings are valid
 * during the call. fn returns 0 to go on; any other value (a positive one:
 * -1 is kept for this) stops and is returned. -1 when memory runs out.
 */
int package_diff(const struct package *from, const struct package *to,
                 int (*fn)(void *ctx, int field, const char *old, const char *new_value),
                 void *ctx) MUST_CHECK;

/*
 * The facts: the compact binary form in which the store keeps a package,
 * versioned (its first byte is PACKAGE_FACTS_VERSION, or 1 for a package
 * that knows no contract v2 field; the layout is described in package.c). package_decode_facts()
 * rebuilds the package's fields (not its canonical form) and returns -1 for anything malformed
 * (-2 when memory ran out: not the store's fault); it never reads past len.
 * package_rebuild_canonical() then recomputes the canonical form and hash, which must equal the
 * hash stored with it.
 */
#define PACKAGE_FACTS_VERSION 2
int package_encode_facts(const struct package *p, struct buf *out) MUST_CHECK;
int package_decode_facts(struct package *p, const void *data, size_t len) MUST_CHECK;
/* Whether stored facts know field f, from their mask alone (no decoding); false when unreadable. */
bool package_facts_known(const void *data, size_t len, int f);
int package_rebuild_canonical(struct package *p) MUST_CHECK;

#endif
