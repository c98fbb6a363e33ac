/* The jansson facade; the only file that includes jansson.h. */
#include "reftriage/jsondoc.h"

#include "reftriage/alloc.h"

#include <jansson.h>

/* A struct jv is a json_t; a struct jdoc is the root json_t. */
#define J(v) ((json_t *)(uintptr_t)(const void *)(v))

static struct jdoc *parse(const char *text, size_t len, size_t flags, struct jdoc_error *e)
{
	unsigned long failures;
	json_error_t err;
	json_t *root;

	/* jansson allocates through ours, so running out of memory is testable. */
	json_set_alloc_funcs(rt_malloc, rt_free);
	memset(e, 0, sizeof(*e));
	failures = alloc_failures();
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL | flags, &err);
	/* jansson reports some allocation failures as bad tokens: count them ourselves. */
	if (alloc_failures() != failures) {
		json_decref(root);
		e->oom = true;
		(void)snprintf(e->text, sizeof(e->text), "out of memory");
		return NULL;
	}
	if (!root) {
		e->line = err.line;
		e->column = err.column;
		e->position = (size_t)err.position;
		e->oom = json_error_code(&err) == json_error_out_of_memory;
		e->nul_in_key = json_error_code(&err) == json_error_null_byte_in_key;
		(void)snprintf(e->text, sizeof(e->text), "%s", err.text);
		return NULL;
	}
	return (struct jdoc *)(void *)root;
}

struct jdoc *jdoc_parse(const char *text, size_t len, struct jdoc_error *e)
{
	return parse(text, len, 0, e);
}

struct jdoc *jdoc_parse_value(const char *text, size_t len, struct jdoc_error *e)
{
	return parse(text, len, JSON_DECODE_ANY, e);
}

void jdoc_free(struct jdoc *doc)
{
	json_decref(J(doc));
}

const struct jv *jdoc_root(const struct jdoc *doc)
{
	return (const struct jv *)(const void *)doc;
}

enum jkind jv_kind(const struct jv *v)
{
	if (!v) /* a member that is not there: never a crash (issue 24) */
		return JV_NULL;
	switch (json_typeof(J(v))) {
	case JSON_OBJECT:
		return JV_OBJECT;
	case JSON_ARRAY:
		return JV_ARRAY;
	case JSON_STRING:
		return JV_STRING;
	case JSON_INTEGER:
		return JV_INT;
	case JSON_REAL:
		return JV_REAL;
	case JSON_TRUE:
	case JSON_FALSE:
		return JV_BOOL;
	default:
		return JV_NULL;
	}
}

const char *jv_kind_name(const struct jv *v)
{
	static const char *const names[] = {
	    [JV_NULL] = "null",        [JV_BOOL] = "a boolean",  [JV_INT] = "a number",
	    [JV_REAL] = "a number",    [JV_STRING] = "a string", [JV_ARRAY] = "an array",
	    [JV_OBJECT] = "an object",
	};

	return names[jv_kind(v)];
}

const char *jv_string(const struct jv *v, size_t *len)
{
	if (len)
		*len = json_string_length(J(v));
	return json_string_value(J(v));
}

int64_t jv_int(const struct jv *v)
{
	return (int64_t)json_integer_value(J(v));
}

double jv_real(const struct jv *v)
{
	return json_real_value(J(v));
}

bool jv_true(const struct jv *v)
{
	return json_is_true(J(v));
}

size_t jv_size(const struct jv *v)
{
	if (json_is_array(J(v)))
		return json_array_size(J(v));
	if (json_is_object(J(v)))
		return json_object_size(J(v));
	return 0;
}

const struct jv *jv_at(const struct jv *array, size_t i)
{
	return (const struct jv *)(const void *)json_array_get(J(array), i);
}

const struct jv *jv_get(const struct jv *object, const char *key)
{
	return (const struct jv *)(const void *)json_object_get(J(object), key);
}

struct jv_iter *jv_first(const struct jv *object)
{
	return json_object_iter(J(object));
}

struct jv_iter *jv_next(const struct jv *object, struct jv_iter *it)
{
	return json_object_iter_next(J(object), it);
}

const char *jv_iter_key(struct jv_iter *it)
{
	return json_object_iter_key(it);
}

const struct jv *jv_iter_value(struct jv_iter *it)
{
	return (const struct jv *)(const void *)json_object_iter_value(it);
}
