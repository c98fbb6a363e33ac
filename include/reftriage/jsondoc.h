/*
 * Reading JSON documents: a thin facade over jansson so that jansson.h is
 * included in one place (src/util/jsondoc.c). Used to decode one package
 * record at a time (ingest/) and rules files (rules/).
 *
 * Ownership: jdoc_parse() returns a new document that the caller frees with
 * jdoc_free(); every struct jv pointer is borrowed from its document and
 * valid until then. Strings are NUL-terminated and may hold NUL bytes
 * (their length says where they end).
 */
#ifndef REFTRIAGE_JSONDOC_H
#define REFTRIAGE_JSONDOC_H

#include "reftriage/compat.h"

struct jdoc;
struct jv;

enum jkind { JV_NULL, JV_BOOL, JV_INT, JV_REAL, JV_STRING, JV_ARRAY, JV_OBJECT };

struct jdoc_error {
	int line;        /* 1-based, within the text parsed; -1 when unknown */
	int column;      /* 1-based; -1 when unknown */
	size_t position; /* byte offset of the problem */
	bool oom;        /* parsing failed for want of memory, not bad JSON */
	bool nul_in_key; /* an object key holds \u0000, which jansson cannot keep */
	char text[160];
};

/*
 * Parse text[0..len) as one JSON object or array. Duplicate object keys are
 * refused; \u0000 in strings is allowed (callers check for NUL bytes
 * themselves), but not in keys (e->nul_in_key). NULL on error, with e filled.
 */
struct jdoc *jdoc_parse(const char *text, size_t len, struct jdoc_error *e);
/* The same for any JSON value: a string, number, true, false or null too. */
struct jdoc *jdoc_parse_value(const char *text, size_t len, struct jdoc_error *e);
void jdoc_free(struct jdoc *doc);
const struct jv *jdoc_root(const struct jdoc *doc);

enum jkind jv_kind(const struct jv *v);
/* "an object", "a string", ... for messages. */
const char *jv_kind_name(const struct jv *v);
/* The string (borrowed); its length in *len when len is not NULL. */
const char *jv_string(const struct jv *v, size_t *len);
int64_t jv_int(const struct jv *v);
double jv_real(const struct jv *v);
bool jv_true(const struct jv *v);
/* Elements of an array or members of an object. */
size_t jv_size(const struct jv *v);
const struct jv *jv_at(const struct jv *array, size_t i);
const struct jv *jv_get(const struct jv *object, const char *key);

/* Members of an object in document order: for (it = jv_first(o); it; it = jv_next(o, it)). */
struct jv_iter;
struct jv_iter *jv_first(const struct jv *object);
struct jv_iter *jv_next(const struct jv *object, struct jv_iter *it);
const char *jv_iter_key(struct jv_iter *it);
const struct jv *jv_iter_value(struct jv_iter *it);

#endif
