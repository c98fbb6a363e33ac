/*
 * Deconfliction (shared/spec/casework.md section 3): the list of subjects and
 * identifiers other operations hold, exported by the force's intelligence
 * system, read whole (src/ingest/deconflict.c), kept as one active list in the
 * store (src/store/deconflict.c) and matched against every package's linking
 * keys. No raw identifier is kept: a value given raw (with --token-key) is
 * tokenised as the XML import does (token_ident) while the file is read.
 */
#ifndef REFTRIAGE_DECONFLICT_H
#define REFTRIAGE_DECONFLICT_H

#include "reftriage/buf.h"
#include "reftriage/diag.h"
#include "reftriage/hash.h"

/* Limits of a list (docs/workflow.md): checked before anything is stored. */
#define DECONF_MAX_BYTES     (64L * 1024 * 1024) /* the file */
#define DECONF_MAX_ENTRIES   500000              /* its lines after the header */
#define DECONF_VALUE_MAX     128                 /* a token or a subject_ref */
#define DECONF_OWNER_MAX     128
#define DECONF_OPERATION_MAX 128
#define DECONF_CONTACT_MAX   256
#define DECONF_STALE_DAYS    7 /* a list older than this is said to be */

/* One entry; its text lives in the list's arena (deconf_text). */
struct deconf_entry {
	int64_t key;       /* the linking key (links.h) a matching package holds */
	int64_t until_day; /* the last local day it is active (days since 1970); -1: no end */
	uint32_t type, value, owner, operation, contact; /* offsets in the arena */
	unsigned long line;                              /* in the file */
};

struct deconf_file {
	struct deconf_entry *e;
	size_t n, cap;
	struct buf text; /* NUL-terminated strings; offset 0 is "" */
	unsigned char hash[HASH_BYTES];
};

void deconf_file_init(struct deconf_file *f);
void deconf_file_release(struct deconf_file *f);

static inline const char *deconf_text(const struct deconf_file *f, uint32_t off)
{
	return f->text.data + off;
}

struct token_key;

/*
 * Read the list in path (casework.md section 3's CSV). key NULL: values are
 * tokens as stored (hex); else raw identifiers, tokenised. Every bad line is
 * added to errs (FILE:LINE: FIELD: message, never a raw value); 0 when there
 * was none, 1 when there were (nothing to store), -1 with d filled when the
 * file cannot be read at all (66, 74, 65 too large or not CSV).
 */
int deconf_read(const char *path, const struct token_key *key, struct deconf_file *out,
                struct diag_list *errs, struct diag *d) MUST_CHECK;

/* The state shown for a package (csv's deconfliction column). */
enum deconf_state { DECONF_NONE, DECONF_HIT, DECONF_ACKNOWLEDGED };

/* --- the store's list (src/store/deconflict.c) ------------------------- */

struct store;

/* The active list: when it came, from what, how many entries. */
struct deconf_meta {
	bool present; /* false: no list (never imported, or cleared) */
	int64_t imported_at;
	char imported_by[130];
	char source[256];
	unsigned char hash[HASH_BYTES];
	long entries;
};
int store_deconf_meta(struct store *st, struct deconf_meta *m, struct diag *d) MUST_CHECK;

/* What a replacement did to the entries. */
struct deconf_change {
	long added, kept, removed;
};

/*
 * Replace the active list with f in the caller's transaction: entries of the
 * same (type, value, owner) keep when they were added (an acknowledgement
 * made since still covers them), the others are new or removed. The list is
 * dated at, with source and by. Rescore after.
 */
int store_deconf_replace(struct store *st, const struct deconf_file *f, const char *source,
                         const char *by, int64_t at, struct deconf_change *ch,
                         struct diag *d) MUST_CHECK;
/* No list: every entry removed (*removed says how many). */
int store_deconf_clear(struct store *st, long *removed, struct diag *d) MUST_CHECK;

/* One entry as stored. */
struct deconf_row {
	const char *type, *value, *owner, *operation, *contact; /* operation NULL: none */
	int64_t until_day;                                      /* -1: no end */
	int64_t added_at;
	bool active; /* at the day asked for */
};

/* Every entry, by type, owner and value; active as at local day today. */
int store_deconf_each(struct store *st, int64_t today,
                      int (*fn)(void *ctx, const struct deconf_row *r), void *ctx,
                      struct diag *d) MUST_CHECK;
struct package;
/* The active entries (at today) that package p (a latest version) matches, key by key. */
int store_deconf_matches(struct store *st, const struct package *p, int64_t today,
                         int (*fn)(void *ctx, const struct deconf_row *r), void *ctx,
                         struct diag *d) MUST_CHECK;
/* The active entries (at today) whose linking key is key (find). */
int store_deconf_by_key(struct store *st, int64_t key, int64_t today,
                        int (*fn)(void *ctx, const struct deconf_row *r), void *ctx,
                        struct diag *d) MUST_CHECK;

/* A package found by find (casework.md section 4). */
struct store_found {
	int64_t id;
	const char *ref, *status, *assigned_to; /* assigned_to NULL: nobody */
	int priority;                           /* the band index of its score; -1: none */
};
/* The packages whose latest version holds linking key key; open only unless all. */
int store_find_key(struct store *st, int64_t key, bool all,
                   int (*fn)(void *ctx, const struct store_found *p), void *ctx,
                   struct diag *d) MUST_CHECK;
/* The packages whose ref begins with prefix, in any case (an index range). */
int store_find_ref(struct store *st, const char *prefix, bool all,
                   int (*fn)(void *ctx, const struct store_found *p), void *ctx,
                   struct diag *d) MUST_CHECK;

/* A package's acknowledgement ("--deconflicted NOTE"). */
struct deconf_ack {
	int64_t at;
	char operator_name[130];
	char note[2004];
};
/* 0 with *a filled, 1 when there is none, -1 with d filled. */
int store_deconf_ack_get(struct store *st, int64_t package_id, struct deconf_ack *a,
                         struct diag *d) MUST_CHECK;
int store_deconf_ack_put(struct store *st, int64_t package_id, int64_t at, const char *by,
                         const char *note, struct diag *d) MUST_CHECK;

/* Every package with an active match, its counts: what scoring and the lists need. */
struct deconf_pkg {
	int64_t package_id;
	char *ref;          /* with store_deconf_map_by_ref only */
	uint32_t hits;      /* active non-ip entries matched */
	uint32_t possible;  /* active ip entries matched */
	int64_t newest_hit; /* the latest added_at of those hits (0: none) */
	int64_t ack_at;     /* the acknowledgement's time, 0: none */
};
struct deconf_map {
	struct deconf_pkg *p; /* by package_id */
	size_t n;
};
/* Load the map for local day today; an empty map when there is no list. */
int store_deconf_map(struct store *st, int64_t today, struct deconf_map *m,
                     struct diag *d) MUST_CHECK;
/* The same, with each ref, sorted by ref (the lists, whose rows have no id). */
int store_deconf_map_by_ref(struct store *st, int64_t today, struct deconf_map *m,
                            struct diag *d) MUST_CHECK;
const struct deconf_pkg *deconf_map_get_ref(const struct deconf_map *m, const char *ref);
void deconf_map_release(struct deconf_map *m);
/* The entry of package_id, NULL for none. */
const struct deconf_pkg *deconf_map_get(const struct deconf_map *m, int64_t package_id);

/*
 * A package's state from its matches and whether le_agency is known (held
 * like a hit, as old as any acknowledgement): hit until an acknowledgement
 * made after the newest hit entry was added.
 */
enum deconf_state deconf_state_of(const struct deconf_pkg *p, bool le_agency);

/*
 * Whether the stored scores were computed with the list as it is at local
 * day today (meta deconf_generation against scored_deconf_generation, and no
 * entry lapsed since the day they were scored); and mark them so.
 */
int store_deconf_scored_current(struct store *st, int64_t today, bool *current,
                                struct diag *d) MUST_CHECK;
int store_deconf_mark_scored(struct store *st, int64_t today, struct diag *d) MUST_CHECK;
/* The active non-ip entries (at today) package p matches (scoring one package). */
int store_deconf_hits_one(struct store *st, const struct package *p, int64_t today, int64_t *hits,
                          struct diag *d) MUST_CHECK;

/* Everything known about one package's deconfliction, for show, find and status. */
struct deconf_match {
	char *type, *value, *owner, *operation, *contact; /* operation NULL: none */
	int64_t until_day;                                /* -1: no end */
	int64_t added_at;
	bool possible; /* an ip entry: listed, never holding */
};
struct deconf_view {
	struct deconf_match *m; /* the active matches, holding ones first */
	size_t n;
	bool le; /* le_agency known */
	char le_agency[130], le_case[70];
	bool has_ack;
	struct deconf_ack ack;
	enum deconf_state state;
};

#endif
