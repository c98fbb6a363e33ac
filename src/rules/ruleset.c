/*
 * Loading a rules file (rules.md): every key, band and rule is checked, and
 * every problem reported, before a rule set is accepted.
 */
#include "reftriage/rules.h"

#include "reftriage/alloc.h"
#include "reftriage/buf.h"
#include "reftriage/jsondoc.h"
#include "reftriage/text.h"

const char *const rule_category_names[] = {
    "grooming_risk",   "contact_offence", "child_at_risk", "material",
    "subject_history", "ageing",          "other",         NULL};

#define POINTS_MIN (-1000)
#define POINTS_MAX 1000

/* A score records the rules that fired as 16-bit positions. */
_Static_assert(RULES_MAX_RULES <= 65535, "rule positions must fit in uint16_t");

void ruleset_free(struct ruleset *rs)
{
	size_t i;

	if (!rs)
		return;
	for (i = 0; i < rs->nbands; i++) {
		rt_free(rs->bands[i].priority);
		rt_free(rs->bands[i].label);
	}
	for (i = 0; i < rs->nrules; i++) {
		rt_free(rs->rules[i].id);
		rt_free(rs->rules[i].description);
		rt_free(rs->rules[i].when);
		cond_free(rs->rules[i].cond);
	}
	rt_free(rs->bands);
	rt_free(rs->rules);
	rt_free(rs->name);
	rt_free(rs->version);
	rt_free(rs);
}

int ruleset_band(const struct ruleset *rs, const char *priority)
{
	size_t i;

	/* A band whose priority was refused has none: skip it, do not crash on it. */
	for (i = 0; i < rs->nbands; i++)
		if (rs->bands[i].priority && strcmp(rs->bands[i].priority, priority) == 0)
			return (int)i;
	return -1;
}

int ruleset_band_named(const struct ruleset *rs, const char *name)
{
	size_t i;

	for (i = 0; i < rs->nbands; i++)
		if (rs->bands[i].priority && text_ieq(name, strlen(name), rs->bands[i].priority))
			return (int)i;
	return -1;
}

const struct rule *ruleset_rule(const struct ruleset *rs, const char *id)
{
	size_t i;

	for (i = 0; i < rs->nrules; i++)
		if (strcmp(rs->rules[i].id, id) == 0)
			return &rs->rules[i];
	return NULL;
}

int ruleset_ageing_ids(const struct ruleset *rs, struct buf *out)
{
	size_t i;
	int n = 0;

	for (i = 0; i < rs->nrules; i++) {
		if (rs->rules[i].category != CAT_AGEING)
			continue;
		if ((n && buf_adds(out, ", ") < 0) || buf_adds(out, rs->rules[i].id) < 0)
			return -1;
		n++;
	}
	return n;
}

struct loader {
	struct diag_list *errs;
	struct ruleset *rs;
};

/* Copy a string member; NULL (after an error) when it is missing or wrong. */
static char *get_string(struct loader *l, const struct jv *obj, const char *key, const char *where,
                        bool required, size_t max)
{
	const struct jv *v = jv_get(obj, key);
	const char *s;
	size_t n;
	char *copy;

	if (!v || (!required && jv_kind(v) == JV_NULL)) {
		if (required)
			rules_error_add(l->errs, where, key, 0, "is required");
		return NULL;
	}
	if (jv_kind(v) != JV_STRING) {
		rules_error_add(l->errs, where, key, 0, "is %s; expected a string",
		                jv_kind_name(v));
		return NULL;
	}
	s = jv_string(v, &n);
	if (required && n == 0) {
		rules_error_add(l->errs, where, key, 0, "is empty");
		return NULL;
	}
	if (n > max || utf8_invalid_at(s, n) != n || memchr(s, '\0', n)) {
		rules_error_add(l->errs, where, key, 0,
		                "must be UTF-8 text of at most %zu bytes, without NUL", max);
		return NULL;
	}
	copy = rt_memdup0(s, n);
	if (!copy)
		l->errs->oom = true;
	return copy;
}

/* Report keys of obj that are not in allowed (NULL-terminated). */
static void unknown_keys(struct loader *l, const struct jv *obj, const char *const *allowed,
                         const char *where)
{
	struct jv_iter *it;

	for (it = jv_first(obj); it; it = jv_next(obj, it)) {
		const char *key = jv_iter_key(it);
		const char *best = NULL;
		unsigned best_d = 3;
		char shown[120];
		size_t i;

		for (i = 0; allowed[i]; i++) {
			unsigned d;

			if (strcmp(key, allowed[i]) == 0)
				break;
			d = text_distance(key, strlen(key), allowed[i], strlen(allowed[i]), 2);
			if (d < best_d) {
				best_d = d;
				best = allowed[i];
			}
		}
		if (allowed[i])
			continue;
		text_display(shown, sizeof(shown), key, strlen(key), 40);
		if (best)
			rules_error_add(l->errs, where, NULL, 0,
			                "unknown key \"%s\" (did you mean %s?)", shown, best);
		else
			rules_error_add(l->errs, where, NULL, 0, "unknown key \"%s\"", shown);
	}
}

static void load_bands(struct loader *l, const struct jv *arr)
{
	static const char *const keys[] = {"priority", "label", "min_score", "respond_within_hours",
	                                   NULL};
	struct ruleset *rs = l->rs;
	size_t i, n = jv_size(arr);

	if (n == 0) {
		rules_error_add(l->errs, "top level", "bands", 0, "needs at least one band");
		return;
	}
	if (n > RULES_MAX_BANDS) {
		rules_error_add(l->errs, "top level", "bands", 0,
		                "has %zu bands; at most %d are allowed", n, RULES_MAX_BANDS);
		return;
	}
	rs->bands = rt_calloc(n, sizeof(*rs->bands));
	if (!rs->bands) {
		l->errs->oom = true;
		return;
	}
	rs->nbands = n;
	for (i = 0; i < n; i++) {
		const struct jv *b = jv_at(arr, i), *min, *hours;
		struct band *band = &rs->bands[i];
		char where[64];
		size_t k;

		(void)snprintf(where, sizeof(where), "bands[%zu]", i);
		if (jv_kind(b) != JV_OBJECT) {
			rules_error_add(l->errs, where, NULL, 0, "is %s; expected an object",
			                jv_kind_name(b));
			continue;
		}
		band->priority = get_string(l, b, "priority", where, true, 16);
		if (band->priority) {
			(void)snprintf(where, sizeof(where), "band %s", band->priority);
			for (k = 0; k < i; k++)
				if (rs->bands[k].priority &&
				    strcmp(rs->bands[k].priority, band->priority) == 0)
					rules_error_add(
					    l->errs, where, "priority", 0,
					    "is used by an earlier band too; priority names "
					    "must be unique");
		}
		unknown_keys(l, b, keys, where);
		band->label = get_string(l, b, "label", where, true, 64);
		min = jv_get(b, "min_score");
		if (!min) {
			rules_error_add(l->errs, where, "min_score", 0,
			                "is required (null for the last band)");
		} else if (jv_kind(min) == JV_NULL) {
			if (i + 1 < n)
				rules_error_add(
				    l->errs, where, "min_score", 0,
				    "is null, but only the last band may have no minimum");
		} else if (jv_kind(min) != JV_INT) {
			rules_error_add(
			    l->errs, where, "min_score", 0,
			    "is %s; expected a whole number (or null for the last band)",
			    jv_kind_name(min));
		} else {
			band->has_min = true;
			band->min_score = jv_int(min);
			if (i + 1 == n)
				rules_error_add(l->errs, where, "min_score", 0,
				                "must be null: the last band catches every score "
				                "below the others");
			for (k = i; k-- > 0;) {
				if (!rs->bands[k].has_min)
					continue;
				if (rs->bands[k].min_score <= band->min_score)
					rules_error_add(
					    l->errs, where, "min_score", 0,
					    "%lld is not below the band before it (%lld); bands go "
					    "most urgent first, min_score strictly decreasing",
					    (long long)band->min_score,
					    (long long)rs->bands[k].min_score);
				break;
			}
		}
		hours = jv_get(b, "respond_within_hours");
		if (!hours)
			rules_error_add(l->errs, where, "respond_within_hours", 0, "is required");
		else if (jv_kind(hours) != JV_INT || jv_int(hours) < 1 || jv_int(hours) > 24 * 366)
			rules_error_add(l->errs, where, "respond_within_hours", 0,
			                "must be a whole number of hours from 1 to 8784");
		else
			band->respond_within_hours = jv_int(hours);
	}
}

static bool id_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n < 1 || n > RULE_ID_MAX)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

struct id_pos {
	const char *id;
	size_t i; /* position in rules[] */
};

static int id_pos_cmp(const void *a, const void *b)
{
	const struct id_pos *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	if (c)
		return c;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* One error for an id used by run[0..n-1] (n >= 2, in file order). */
static void report_repeated_id(struct loader *l, const struct id_pos *run, size_t n)
{
	char where[96], shown[64], later[200];
	size_t k, len = 0, listed = n - 1 < 4 ? n - 1 : 4;

	text_display(shown, sizeof(shown), run[0].id, strlen(run[0].id), 32);
	(void)snprintf(where, sizeof(where), "rule %s", shown);
	later[0] = '\0';
	for (k = 1; k <= listed; k++)
		len += (size_t)snprintf(later + len, sizeof(later) - len, "%srules[%zu]",
		                        k > 1 ? ", " : "", run[k].i);
	if (n - 1 > listed)
		(void)snprintf(later + len, sizeof(later) - len, " and %zu other rules",
		               n - 1 - listed);
	rules_error_add(l->errs, where, "id", 0,
	                "is used by rules[%zu] and again by %s; ids must be unique", run[0].i,
	                later);
}

/*
 * Every id used more than once, reported once, in the order of first use.
 * Sorting keeps this O(n log n): comparing every pair was quadratic in time
 * and, with one error per pair, in memory.
 */
static void check_unique_ids(struct loader *l)
{
	const struct ruleset *rs = l->rs;
	struct id_pos *sorted = rt_calloc(rs->nrules ? rs->nrules : 1, sizeof(*sorted));
	size_t *run_at = rt_calloc(rs->nrules ? rs->nrules : 1, sizeof(*run_at));
	size_t i, j, n = 0;

	if (!sorted || !run_at) {
		l->errs->oom = true;
		goto out;
	}
	for (i = 0; i < rs->nrules; i++)
		if (rs->rules[i].id)
			sorted[n++] = (struct id_pos){rs->rules[i].id, i};
	qsort(sorted, n, sizeof(*sorted), id_pos_cmp);
	/* run_at[first position] = 1 + where its run of equal ids starts in sorted[]. */
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && strcmp(sorted[j].id, sorted[i].id) == 0; j++)
			;
		if (j - i > 1)
			run_at[sorted[i].i] = i + 1;
	}
	for (i = 0; i < rs->nrules; i++) {
		const struct id_pos *run;

		if (!run_at[i])
			continue;
		run = &sorted[run_at[i] - 1];
		for (j = 1; run + j < sorted + n && strcmp(run[j].id, run[0].id) == 0; j++)
			;
		report_repeated_id(l, run, j);
	}
out:
	rt_free(sorted);
	rt_free(run_at);
}

static void load_rules(struct loader *l, const struct jv *arr)
{
	static const char *const keys[] = {"id",     "category", "description", "when",
	                                   "points", "floor",    NULL};
	struct ruleset *rs = l->rs;
	size_t i, n = jv_size(arr);

	/* Before any rule is looked at: the work below grows with the count. */
	if (n > RULES_MAX_RULES) {
		rules_error_add(l->errs, "top level", "rules", 0,
		                "has %zu rules; at most %d are allowed", n, RULES_MAX_RULES);
		return;
	}
	rs->rules = rt_calloc(n ? n : 1, sizeof(*rs->rules));
	if (!rs->rules) {
		l->errs->oom = true;
		return;
	}
	rs->nrules = n;
	for (i = 0; i < n; i++) {
		const struct jv *r = jv_at(arr, i), *pts, *cat;
		struct rule *rule = &rs->rules[i];
		char where[96], *floor_name;

		rule->floor = -1;
		(void)snprintf(where, sizeof(where), "rules[%zu]", i);
		if (jv_kind(r) != JV_OBJECT) {
			rules_error_add(l->errs, where, NULL, 0, "is %s; expected an object",
			                jv_kind_name(r));
			continue;
		}
		rule->id = get_string(l, r, "id", where, true, 64);
		if (rule->id) {
			char shown[64];

			text_display(shown, sizeof(shown), rule->id, strlen(rule->id), 32);
			(void)snprintf(where, sizeof(where), "rule %s", shown);
			if (!id_ok(rule->id))
				rules_error_add(l->errs, where, "id", 0,
				                "must be 1 to 32 of A-Z a-z 0-9 _ . -");
		}
		unknown_keys(l, r, keys, where);
		cat = jv_get(r, "category");
		rule->category = -1;
		if (!cat) {
			rules_error_add(l->errs, where, "category", 0, "is required");
		} else {
			size_t cl = 0;
			const char *cs = jv_kind(cat) == JV_STRING ? jv_string(cat, &cl) : NULL;
			int c = cs ? contract_enum_index(rule_category_names, cs, cl) : -1;
			char list[300];

			if (c < 0) {
				contract_enum_list(rule_category_names, list, sizeof(list));
				rules_error_add(l->errs, where, "category", 0, "must be one of %s",
				                list);
			}
			rule->category = c;
		}
		rule->description = get_string(l, r, "description", where, true, 400);
		rule->when = get_string(l, r, "when", where, true, 4000);
		if (rule->when)
			rule->cond = cond_compile(rule->when, strlen(rule->when), where, l->errs);
		pts = jv_get(r, "points");
		if (!pts)
			rules_error_add(l->errs, where, "points", 0, "is required");
		else if (jv_kind(pts) != JV_INT || jv_int(pts) < POINTS_MIN ||
		         jv_int(pts) > POINTS_MAX)
			rules_error_add(l->errs, where, "points", 0,
			                "must be a whole number from %d to %d", POINTS_MIN,
			                POINTS_MAX);
		else
			rule->points = jv_int(pts);
		floor_name = get_string(l, r, "floor", where, false, 16);
		if (floor_name) {
			rule->floor = ruleset_band(rs, floor_name);
			if (rule->floor < 0) {
				char shown[40];

				text_display(shown, sizeof(shown), floor_name, strlen(floor_name),
				             16);
				rules_error_add(l->errs, where, "floor", 0,
				                "\"%s\" is not the priority of any band", shown);
			}
			rt_free(floor_name);
		}
	}
	check_unique_ids(l);
}

struct ruleset *ruleset_parse(const char *bytes, size_t len, struct diag_list *errs)
{
	static const char *const keys[] = {"name", "version", "bands", "rules", NULL};
	struct loader l = {errs, NULL};
	struct jdoc_error je;
	struct jdoc *doc;
	const struct jv *root, *bands, *rules;

	if (len > RULES_MAX_FILE_BYTES) {
		rules_error_add(errs, "top level", NULL, 0,
		                "the file has %zu bytes; a rules file has at most %d", len,
		                RULES_MAX_FILE_BYTES);
		return NULL;
	}
	if (utf8_invalid_at(bytes, len) != len) {
		rules_error_add(errs, "top level", NULL, 0, "the file is not valid UTF-8");
		return NULL;
	}
	doc = jdoc_parse(bytes, len, &je);
	if (!doc) {
		if (je.oom) {
			errs->oom = true;
			return NULL;
		}
		rules_error_add(errs, "top level", NULL, je.column > 0 ? (unsigned)je.column : 0,
		                "invalid JSON: %s", je.text);
		if (errs->n)
			errs->d[errs->n - 1].line = je.line > 0 ? (unsigned long)je.line : 0;
		return NULL;
	}
	root = jdoc_root(doc);
	l.rs = rt_calloc(1, sizeof(*l.rs));
	if (!l.rs) {
		errs->oom = true;
		jdoc_free(doc);
		return NULL;
	}
	hash_bytes(l.rs->hash, bytes, len);
	if (jv_kind(root) != JV_OBJECT) {
		rules_error_add(errs, "top level", NULL, 0, "is %s; expected an object",
		                jv_kind_name(root));
		goto out;
	}
	unknown_keys(&l, root, keys, "top level");
	l.rs->name = get_string(&l, root, "name", "top level", true, 200);
	l.rs->version = get_string(&l, root, "version", "top level", true, 64);
	bands = jv_get(root, "bands");
	if (!bands || jv_kind(bands) != JV_ARRAY)
		rules_error_add(errs, "top level", "bands", 0,
		                "is required: an array of bands, most urgent first");
	else
		load_bands(&l, bands);
	rules = jv_get(root, "rules");
	if (!rules || jv_kind(rules) != JV_ARRAY)
		rules_error_add(errs, "top level", "rules", 0, "is required: an array of rules");
	else if (l.rs->bands || !bands)
		load_rules(&l, rules);
out:
	jdoc_free(doc);
	if (errs->n || errs->oom) {
		ruleset_free(l.rs);
		return NULL;
	}
	return l.rs;
}

size_t ruleset_fired(const struct ruleset *rs, const char *fired, const struct rule **out,
                     size_t max)
{
	const char *p = fired;
	size_t n = 0;

	while (p && *p && n < max) {
		const char *end = strchr(p, ';');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char id[RULE_ID_MAX + 1];
		const struct rule *ru;

		if (len <= RULE_ID_MAX) {
			memcpy(id, p, len);
			id[len] = '\0';
			if ((ru = ruleset_rule(rs, id)) != NULL)
				out[n++] = ru;
		}
		p = end ? end + 1 : p + len;
	}
	return n;
}
