/*
 * What-if scoring and rules diff: the open packages scored in memory with
 * other rule sets, nothing stored. One pass over the open packages, links
 * counted once and each package decoded and derived once, then scored with
 * every rule set: about the cost of one rescore, less its writes.
 */
#include "reftriage/whatif.h"

#include "reftriage/alloc.h"
#include "reftriage/diag.h"
#include "reftriage/store.h"

struct whatif_ctx {
	struct store *st;
	const struct ruleset *const *rs;
	size_t n;
	int64_t as_of;
	struct package pkg;
	const struct link_counts *lc, *ip;
	struct score_result r[WHATIF_MAX_SETS];
	int (*fn)(void *ctx, const struct whatif_row *row);
	void *ctx;
	struct diag *d;
};

static int on_whatif(void *ctx, const struct store_open_package *op)
{
	struct whatif_ctx *x = ctx;
	struct whatif_row row;
	struct cond_input in;
	size_t i;

	if (score_prepare(x->st, op, x->lc, x->ip, x->as_of, &x->pkg, &in, x->d) < 0)
		return -1;
	for (i = 0; i < x->n; i++)
		score_package(x->rs[i], &in, x->as_of, &x->r[i]);
	row.package_id = op->id;
	row.ref = op->ref;
	row.received_at = x->pkg.v[F_RECEIVED_AT];
	row.r = x->r;
	return x->fn(x->ctx, &row);
}

int score_whatif(struct store *st, const struct ruleset *const *rs, size_t n, int64_t as_of,
                 int (*fn)(void *ctx, const struct whatif_row *row), void *ctx, struct diag *d)
{
	struct whatif_ctx x;
	struct diag spare;
	size_t i;
	int rc = -1;

	memset(&x, 0, sizeof(x));
	x.st = st;
	x.rs = rs;
	x.n = n < WHATIF_MAX_SETS ? n : WHATIF_MAX_SETS;
	x.as_of = as_of;
	x.fn = fn;
	x.ctx = ctx;
	x.d = d;
	package_init(&x.pkg);
	for (i = 0; i < x.n; i++) {
		x.r[i].fired = rt_calloc(rs[i]->nrules ? rs[i]->nrules : 1, sizeof(uint16_t));
		if (!x.r[i].fired) {
			diag_at(d, store_path(st), 0, NULL);
			(void)diag_set(d, EX_SOFTWARE, "out of memory");
			goto out;
		}
	}
	if (store_scan_cache(st, true, d) == 0 && store_link_counts(st, &x.lc, &x.ip, d) == 0 &&
	    store_each_open(st, true, on_whatif, &x, d) == 0)
		rc = 0;
	/* After a failure, d keeps the first problem. */
	if (store_scan_cache(st, false, rc < 0 ? &spare : d) < 0)
		rc = -1;
out:
	for (i = 0; i < x.n; i++)
		rt_free(x.r[i].fired);
	package_release(&x.pkg);
	return rc;
}

/* --- rules diff ---------------------------------------------------------- */

void rules_diff_init(struct rules_diff *df)
{
	memset(df, 0, sizeof(*df));
	buf_init(&df->names);
}

void rules_diff_release(struct rules_diff *df)
{
	rt_free(df->pkgs);
	rt_free(df->order);
	rt_free(df->moved);
	rt_free(df->fired_from);
	rt_free(df->fired_to);
	rt_free(df->to_in_from);
	rt_free(df->from_in_to);
	rt_free(df->rule_changed);
	rt_free(df->policy);
	buf_release(&df->names);
	memset(df, 0, sizeof(*df));
}

static int oom(struct rules_diff *df, struct diag *d)
{
	(void)df;
	diag_at(d, NULL, 0, NULL);
	return diag_set(d, EX_SOFTWARE, "out of memory");
}

/* For each rule of a, the index of the rule with the same id in b, or -1. */
static void map_rules(const struct ruleset *a, const struct ruleset *b, int *out)
{
	size_t i;

	for (i = 0; i < a->nrules; i++) {
		const struct rule *r = ruleset_rule(b, a->rules[i].id);

		out[i] = r ? (int)(r - b->rules) : -1;
	}
}

/* A floor's band name, or NULL: floors are compared by name, bands may be renumbered. */
static const char *floor_name(const struct ruleset *rs, const struct rule *r)
{
	return r->floor >= 0 ? rs->bands[r->floor].priority : NULL;
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* Whether rule a of from and b of to would score a package differently. */
static bool scores_differ(const struct rules_diff *df, const struct rule *a, const struct rule *b)
{
	return a->points != b->points ||
	       !same_str(floor_name(df->from, a), floor_name(df->to, b)) ||
	       (a->category == CAT_AGEING) != (b->category == CAT_AGEING);
}

static bool rule_differs(const struct rules_diff *df, const struct rule *a, const struct rule *b)
{
	return scores_differ(df, a, b) || a->category != b->category ||
	       strcmp(a->description, b->description) != 0 || strcmp(a->when, b->when) != 0;
}

static bool band_differs(const struct band *a, const struct band *b)
{
	return a->has_min != b->has_min || (a->has_min && a->min_score != b->min_score) ||
	       a->respond_within_hours != b->respond_within_hours ||
	       strcmp(a->label, b->label) != 0;
}

static int policy_add(struct rules_diff *df, size_t *cap, int kind, int change, int from, int to)
{
	if (df->npolicy == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct rules_diff_policy *np = rt_realloc(df->policy, ncap * sizeof(*np));

		if (!np)
			return -1;
		df->policy = np;
		*cap = ncap;
	}
	df->policy[df->npolicy++] =
	    (struct rules_diff_policy){(uint8_t)kind, (uint8_t)change, (int16_t)from, (int16_t)to};
	return 0;
}

/*
 * The policies' own differences: bands matched by priority name, rules by
 * id; each in to's order (changed or added), then from's that to lacks.
 */
static int policy_diff(struct rules_diff *df)
{
	const struct ruleset *from = df->from, *to = df->to;
	size_t cap = 0, i;
	int rc = 0;

	for (i = 0; i < to->nbands; i++) {
		int k = ruleset_band(from, to->bands[i].priority);

		if (k < 0)
			rc |= policy_add(df, &cap, RULES_DIFF_BAND, RULES_DIFF_ADDED, -1, (int)i);
		else if (band_differs(&from->bands[k], &to->bands[i]))
			rc |= policy_add(df, &cap, RULES_DIFF_BAND, RULES_DIFF_CHANGED, k, (int)i);
	}
	for (i = 0; i < from->nbands; i++)
		if (ruleset_band(to, from->bands[i].priority) < 0)
			rc |= policy_add(df, &cap, RULES_DIFF_BAND, RULES_DIFF_REMOVED, (int)i, -1);
	for (i = 0; i < to->nrules; i++) {
		int k = df->to_in_from[i];

		if (k < 0)
			rc |= policy_add(df, &cap, RULES_DIFF_RULE, RULES_DIFF_ADDED, -1, (int)i);
		else if (rule_differs(df, &from->rules[k], &to->rules[i]))
			rc |= policy_add(df, &cap, RULES_DIFF_RULE, RULES_DIFF_CHANGED, k, (int)i);
	}
	for (i = 0; i < from->nrules; i++)
		if (df->from_in_to[i] < 0)
			rc |= policy_add(df, &cap, RULES_DIFF_RULE, RULES_DIFF_REMOVED, (int)i, -1);
	return rc ? -1 : 0;
}

static int diff_alloc(struct rules_diff *df, const struct ruleset *from, const struct ruleset *to)
{
	size_t i;

	df->fired_from = rt_calloc(from->nrules + 1, sizeof(bool));
	df->fired_to = rt_calloc(to->nrules + 1, sizeof(bool));
	df->to_in_from = rt_calloc(to->nrules + 1, sizeof(int));
	df->from_in_to = rt_calloc(from->nrules + 1, sizeof(int));
	df->rule_changed = rt_calloc(to->nrules + 1, sizeof(bool));
	df->moved = rt_calloc(64, sizeof(uint16_t));
	df->capmoved = 64;
	df->nmoved = 1; /* offset 0 means "no change" */
	if (!df->fired_from || !df->fired_to || !df->to_in_from || !df->from_in_to ||
	    !df->rule_changed || !df->moved)
		return -1;
	map_rules(to, from, df->to_in_from);
	map_rules(from, to, df->from_in_to);
	for (i = 0; i < to->nrules; i++)
		df->rule_changed[i] =
		    df->to_in_from[i] >= 0 &&
		    scores_differ(df, &from->rules[df->to_in_from[i]], &to->rules[i]);
	return policy_diff(df);
}

static int moved_add(struct rules_diff *df, uint16_t v)
{
	if (df->nmoved == df->capmoved) {
		size_t cap = df->capmoved * 2;
		uint16_t *m;

		if (cap > UINT32_MAX)
			return -1;
		m = rt_realloc(df->moved, cap * sizeof(*m));
		if (!m)
			return -1;
		df->moved = m;
		df->capmoved = cap;
	}
	df->moved[df->nmoved++] = v;
	return 0;
}

/*
 * The rules that fire under one set and not the other (by rule id), and
 * those that fire under both with other points or floor: stored at an
 * offset in moved, or nothing when both fired the same rules alike.
 */
static int note_rules(struct rules_diff *df, const struct score_result *a,
                      const struct score_result *b, uint32_t *off)
{
	uint16_t nadd = 0, nrem = 0, nchg = 0;
	size_t i, start = df->nmoved;
	int rc = 0;

	*off = 0;
	for (i = 0; i < a->nfired; i++)
		df->fired_from[a->fired[i]] = true;
	for (i = 0; i < b->nfired; i++)
		df->fired_to[b->fired[i]] = true;
	for (i = 0; i < b->nfired; i++) {
		int k = df->to_in_from[b->fired[i]];

		nadd += k < 0 || !df->fired_from[k];
		nchg += k >= 0 && df->fired_from[k] && df->rule_changed[b->fired[i]];
	}
	for (i = 0; i < a->nfired; i++) {
		int k = df->from_in_to[a->fired[i]];

		nrem += k < 0 || !df->fired_to[k];
	}
	if (nadd || nrem || nchg) {
		*off = (uint32_t)start;
		rc |= moved_add(df, nadd);
		rc |= moved_add(df, nrem);
		rc |= moved_add(df, nchg);
		for (i = 0; i < b->nfired; i++) {
			int k = df->to_in_from[b->fired[i]];

			if (k < 0 || !df->fired_from[k])
				rc |= moved_add(df, b->fired[i]);
		}
		for (i = 0; i < a->nfired; i++) {
			int k = df->from_in_to[a->fired[i]];

			if (k < 0 || !df->fired_to[k])
				rc |= moved_add(df, a->fired[i]);
		}
		for (i = 0; i < b->nfired; i++) {
			int k = df->to_in_from[b->fired[i]];

			if (k >= 0 && df->fired_from[k] && df->rule_changed[b->fired[i]])
				rc |= moved_add(df, b->fired[i]);
		}
	}
	for (i = 0; i < a->nfired; i++)
		df->fired_from[a->fired[i]] = false;
	for (i = 0; i < b->nfired; i++)
		df->fired_to[b->fired[i]] = false;
	return rc ? -1 : 0;
}

/* The first fired rule whose floor set r's priority, or -1 when its band did. */
static int floor_rule(const struct ruleset *rs, const struct score_result *r)
{
	size_t i;

	if (r->priority == r->band)
		return -1;
	for (i = 0; i < r->nfired; i++)
		if (rs->rules[r->fired[i]].floor == r->priority)
			return r->fired[i];
	return -1;
}

struct diff_ctx {
	struct rules_diff *df;
	struct diag *d;
};

static int on_pair(void *ctx, const struct whatif_row *row)
{
	struct diff_ctx *x = ctx;
	struct rules_diff *df = x->df;
	struct rules_diff_pkg *p;
	size_t off = df->names.len;

	if (df->n == df->cap) {
		size_t cap = df->cap ? df->cap * 2 : 1024;
		struct rules_diff_pkg *np;

		if (cap > UINT32_MAX || !(np = rt_realloc(df->pkgs, cap * sizeof(*np))))
			return oom(df, x->d);
		df->pkgs = np;
		df->cap = cap;
	}
	if (off > UINT32_MAX || buf_add(&df->names, row->ref, strlen(row->ref) + 1) < 0)
		return oom(df, x->d);
	p = &df->pkgs[df->n++];
	memset(p, 0, sizeof(*p));
	p->received_at = row->received_at;
	p->ref = (uint32_t)off;
	p->from_score = row->r[0].score;
	p->to_score = row->r[1].score;
	p->from_priority = (uint8_t)row->r[0].priority;
	p->to_priority = (uint8_t)row->r[1].priority;
	p->from_band = (uint8_t)row->r[0].band;
	p->to_band = (uint8_t)row->r[1].band;
	p->from_floor = (int16_t)floor_rule(df->from, &row->r[0]);
	p->to_floor = (int16_t)floor_rule(df->to, &row->r[1]);
	p->from_due_at = row->r[0].due_at;
	p->to_due_at = row->r[1].due_at;
	p->from_overdue = row->r[0].overdue;
	p->to_overdue = row->r[1].overdue;
	df->matrix[p->from_priority][p->to_priority]++;
	if (note_rules(df, &row->r[0], &row->r[1], &p->rules) < 0)
		return oom(df, x->d);
	return 0;
}

/* qsort has no context argument: the diff being sorted. */
static const struct rules_diff *sorting;

/*
 * Rank order under one rule set: priority, score highest first, then the
 * worklist's tie-breaks, received_at and ref bytewise (the ref only for
 * packages received at the same microsecond, so rarely compared).
 */
static int rank_cmp(uint8_t pa, int64_t sa, uint8_t pb, int64_t sb, uint32_t i, uint32_t j)
{
	const struct rules_diff_pkg *p = &sorting->pkgs[i], *q = &sorting->pkgs[j];

	if (pa != pb)
		return pa < pb ? -1 : 1;
	if (sa != sb)
		return sa > sb ? -1 : 1;
	if (p->received_at != q->received_at)
		return p->received_at < q->received_at ? -1 : 1;
	return strcmp(sorting->names.data + p->ref, sorting->names.data + q->ref);
}

static int by_from(const void *a, const void *b)
{
	uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;

	return rank_cmp(sorting->pkgs[i].from_priority, sorting->pkgs[i].from_score,
	                sorting->pkgs[j].from_priority, sorting->pkgs[j].from_score, i, j);
}

static int by_to(const void *a, const void *b)
{
	uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;

	return rank_cmp(sorting->pkgs[i].to_priority, sorting->pkgs[i].to_score,
	                sorting->pkgs[j].to_priority, sorting->pkgs[j].to_score, i, j);
}

/* Both rankings: from_rank and to_rank of every package; order left in to_rank order. */
static int rank(struct rules_diff *df)
{
	size_t i;

	if (!df->n)
		return 0;
	df->order = rt_calloc(df->n, sizeof(*df->order));
	if (!df->order)
		return -1;
	sorting = df;
	for (i = 0; i < df->n; i++)
		df->order[i] = (uint32_t)i;
	qsort(df->order, df->n, sizeof(*df->order), by_from);
	for (i = 0; i < df->n; i++)
		df->pkgs[df->order[i]].from_rank = (uint32_t)i + 1;
	qsort(df->order, df->n, sizeof(*df->order), by_to);
	for (i = 0; i < df->n; i++)
		df->pkgs[df->order[i]].to_rank = (uint32_t)i + 1;
	sorting = NULL;
	for (i = 0; i < df->n; i++) {
		const struct rules_diff_pkg *p = &df->pkgs[i];

		df->priority_changed += p->from_priority != p->to_priority;
		df->score_changed += p->from_score != p->to_score;
		df->rank_changed += p->from_rank != p->to_rank;
		df->due_earlier += p->to_due_at < p->from_due_at;
		df->due_later += p->to_due_at > p->from_due_at;
		df->become_overdue += !p->from_overdue && p->to_overdue;
		df->stop_overdue += p->from_overdue && !p->to_overdue;
		df->changed += rules_diff_changed(p);
	}
	return 0;
}

int rules_diff_run(struct rules_diff *df, struct store *st, const struct ruleset *from,
                   const struct ruleset *to, int64_t as_of, struct diag *d)
{
	const struct ruleset *sets[2] = {from, to};
	struct diff_ctx x = {df, d};

	df->from = from;
	df->to = to;
	df->as_of = as_of;
	if (diff_alloc(df, from, to) < 0)
		return oom(df, d);
	if (score_whatif(st, sets, 2, as_of, on_pair, &x, d) < 0)
		return -1;
	if (rank(df) < 0)
		return oom(df, d);
	return 0;
}

bool rules_diff_changed(const struct rules_diff_pkg *p)
{
	return p->from_priority != p->to_priority || p->from_score != p->to_score ||
	       p->from_rank != p->to_rank || p->from_due_at != p->to_due_at;
}

const char *rules_diff_ref(const struct rules_diff *df, const struct rules_diff_pkg *p)
{
	return df->names.data + p->ref;
}

void rules_diff_rules(const struct rules_diff *df, const struct rules_diff_pkg *p,
                      const uint16_t **added, size_t *nadded, const uint16_t **removed,
                      size_t *nremoved)
{
	static const uint16_t none[1] = {0};
	const uint16_t *m;

	if (!p->rules) {
		*added = *removed = none;
		*nadded = *nremoved = 0;
		return;
	}
	m = df->moved + p->rules;
	*nadded = m[0];
	*nremoved = m[1];
	*added = m + 3;
	*removed = m + 3 + m[0];
}

const uint16_t *rules_diff_rules_changed(const struct rules_diff *df,
                                         const struct rules_diff_pkg *p, size_t *n)
{
	static const uint16_t none[1] = {0};
	const uint16_t *m;

	if (!p->rules) {
		*n = 0;
		return none;
	}
	m = df->moved + p->rules;
	*n = m[2];
	return m + 3 + m[0] + m[1];
}

bool rules_diff_same_label(const struct ruleset *from, const struct ruleset *to)
{
	return strcmp(from->name, to->name) == 0 && strcmp(from->version, to->version) == 0 &&
	       memcmp(from->hash, to->hash, sizeof(from->hash)) != 0;
}
