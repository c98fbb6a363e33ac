/*
 * rules backtest: every labelled package scored as at its own received_at.
 *
 * The links a package had on the day it arrived are those to packages
 * received at or before it. They are counted for all labelled packages in
 * one walk of the linking keys in key order, as src/model/links.c does for
 * now: each key shared by two or more packages is kept as a group with its
 * members sorted by received_at, and indexed by package. A package in one
 * group (the usual case) counts the members received at or before it by a
 * binary search; one in several gathers those members from each group,
 * sorts and deduplicates them. Nothing is quadratic in the number of
 * packages: memory is 8 bytes per package id and 8 per membership of a
 * shared key, and time one sort of each group.
 */
#include "reftriage/backtest.h"

#include "reftriage/alloc.h"
#include "reftriage/links.h"
#include "reftriage/outcome.h"
#include "reftriage/score.h"
#include "reftriage/store.h"

#include <stdlib.h>

/* Groups of a key's packages, sorted by received_at, and their index by package. */
struct asof_links {
	const int64_t *received; /* received[id], shared */
	uint32_t *mem;           /* members of every group, group by group */
	size_t nmem, capmem;
	uint32_t *gstart; /* group g is mem[gstart[g] .. gstart[g + 1]) */
	size_t ngroups, capg;
	size_t cur;     /* where the group being read starts in mem */
	struct buf key; /* the key being read */
	bool started;
	uint32_t *off, *pg; /* package id's groups: pg[off[id] .. off[id + 1]) */
};

/* Make room for need entries in *v; -1 when memory runs out. */
static int reserve_u32(uint32_t **v, size_t *cap, size_t need)
{
	size_t c = *cap ? *cap * 2 : 4096;
	uint32_t *p;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	if (c > SIZE_MAX / sizeof(**v) || !(p = rt_realloc(*v, c * sizeof(**v))))
		return -1;
	*v = p;
	*cap = c;
	return 0;
}

static const int64_t *sort_received; /* qsort has no context argument */

static int cmp_by_received(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	int64_t rx = sort_received[x], ry = sort_received[y];

	if (rx != ry)
		return rx < ry ? -1 : 1;
	return (x > y) - (x < y);
}

/* Close the group being read: keep it, sorted, when it links two or more packages. */
static int close_key(struct asof_links *l)
{
	size_t n = l->nmem - l->cur;

	if (n < 2) {
		l->nmem = l->cur;
		return 0;
	}
	sort_received = l->received;
	qsort(l->mem + l->cur, n, sizeof(*l->mem), cmp_by_received);
	if (reserve_u32(&l->gstart, &l->capg, l->ngroups + 2) < 0)
		return -1;
	l->gstart[l->ngroups] = (uint32_t)l->cur;
	l->gstart[++l->ngroups] = (uint32_t)l->nmem;
	l->cur = l->nmem;
	return 0;
}

static int add_key(struct asof_links *l, const char *key, size_t len, int64_t id)
{
	if (!l->started || len != l->key.len || memcmp(key, l->key.data, len) != 0) {
		if (close_key(l) < 0)
			return -1;
		buf_reset(&l->key);
		if (buf_add(&l->key, key, len) < 0)
			return -1;
		l->started = true;
	}
	if (l->nmem >= UINT32_MAX - 1 || reserve_u32(&l->mem, &l->capmem, l->nmem + 1) < 0)
		return -1;
	l->mem[l->nmem++] = (uint32_t)id;
	return 0;
}

/* Index the groups by package, for ids below n. */
static int index_groups(struct asof_links *l, size_t n)
{
	size_t i, g, *fill;

	if (close_key(l) < 0)
		return -1;
	l->off = rt_calloc(n + 1, sizeof(*l->off));
	l->pg = rt_malloc((l->nmem ? l->nmem : 1) * sizeof(*l->pg));
	fill = rt_calloc(n + 1, sizeof(*fill));
	if (!l->off || !l->pg || !fill) {
		rt_free(fill);
		return -1;
	}
	for (i = 0; i < l->nmem; i++)
		l->off[l->mem[i] + 1]++;
	for (i = 0; i < n; i++)
		l->off[i + 1] += l->off[i];
	for (g = 0; g < l->ngroups; g++)
		for (i = l->gstart[g]; i < l->gstart[g + 1]; i++) {
			uint32_t id = l->mem[i];

			l->pg[l->off[id] + fill[id]++] = (uint32_t)g;
		}
	rt_free(fill);
	return 0;
}

/* How many of group g's members were received at or before t. */
static size_t received_by(const struct asof_links *l, size_t g, int64_t t)
{
	size_t lo = l->gstart[g], hi = l->gstart[g + 1];

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (l->received[l->mem[mid]] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo - l->gstart[g];
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/*
 * The packages other than id that share a key with it and were received at
 * or before it; scratch is reused between calls. -1 when memory runs out.
 */
static int64_t count_asof(const struct asof_links *l, uint32_t id, uint32_t **scratch, size_t *cap)
{
	size_t first = l->off[id], last = l->off[id + 1], n = 0, k, j, distinct = 0;
	int64_t t = l->received[id];

	if (last - first == 1)
		return (int64_t)received_by(l, l->pg[first], t) - 1;
	for (k = first; k < last; k++) {
		size_t g = l->pg[k], upto = received_by(l, g, t);

		if (reserve_u32(scratch, cap, n + upto) < 0)
			return -1;
		memcpy(*scratch + n, l->mem + l->gstart[g], upto * sizeof(**scratch));
		n += upto;
	}
	if (n)
		qsort(*scratch, n, sizeof(**scratch), cmp_u32);
	for (j = 0; j < n; j++)
		if ((j == 0 || (*scratch)[j] != (*scratch)[j - 1]) && (*scratch)[j] != id)
			distinct++;
	return (int64_t)distinct;
}

static void asof_release(struct asof_links *l)
{
	rt_free(l->mem);
	rt_free(l->gstart);
	rt_free(l->off);
	rt_free(l->pg);
	buf_release(&l->key);
}

/* --- the run ------------------------------------------------------------ */

struct run {
	struct store *st;
	const struct ruleset *rs;
	struct backtest *bt;
	struct diag *d;
	int64_t *received; /* by package id */
	size_t n, capn;    /* ids below n have one */
	struct asof_links links, ip;
	uint32_t *scratch;
	size_t capscratch;
	struct package pkg;
	uint16_t *fired;
	struct backtest_case *cases;
	size_t ncases, capcases;
	/* the override in force by package id (ov_band -1: none), and the final top count */
	int *ov_band;
	bool *ov_up;
	size_t nov;
	long pos_top_final;
};

static int oom(struct run *r)
{
	diag_at(r->d, store_path(r->st), 0, NULL);
	return diag_set(r->d, EX_SOFTWARE, "out of memory");
}

static int on_received(void *ctx, int64_t id, int64_t received_at)
{
	struct run *r = ctx;

	if (id < 0 || id >= (int64_t)UINT32_MAX - 2) {
		diag_at(r->d, store_path(r->st), 0, NULL);
		return diag_set(r->d, EX_SOFTWARE,
		                "package id %lld is beyond what linking can count", (long long)id);
	}
	if ((size_t)id >= r->capn) {
		size_t c = r->capn ? r->capn : 4096;
		int64_t *p;

		while (c <= (size_t)id)
			c *= 2;
		if (!(p = rt_realloc(r->received, c * sizeof(*p))))
			return oom(r);
		r->received = p;
		r->capn = c;
	}
	/* Ids come in order; a gap (a package id never used) is received never. */
	while (r->n < (size_t)id)
		r->received[r->n++] = INT64_MAX;
	r->received[r->n++] = received_at;
	r->links.received = r->ip.received = r->received;
	return 0;
}

static int on_key(void *ctx, int64_t key, int64_t id)
{
	struct run *r = ctx;
	char bytes[sizeof(key)];

	if (id < 0 || (size_t)id >= r->n)
		return 0; /* a key of no package: foreign keys forbid it */
	/* The IP keys are one run in key order, counted apart (data-contract.md). */
	memcpy(bytes, &key, sizeof(key));
	if (add_key(link_key_is_ip(key) ? &r->ip : &r->links, bytes, sizeof(bytes), id) < 0)
		return oom(r);
	return 0;
}

/* Count the package's outcome label and, for a labelled one, its fired rules. */
static int tally(struct run *r, const struct score_result *s, bool positive)
{
	struct backtest *bt = r->bt;
	size_t i;

	if (r->ncases == r->capcases) {
		size_t c = r->capcases ? r->capcases * 2 : 1024;
		struct backtest_case *p = rt_realloc(r->cases, c * sizeof(*p));

		if (!p)
			return oom(r);
		r->cases = p;
		r->capcases = c;
	}
	r->cases[r->ncases].priority = s->priority;
	r->cases[r->ncases].score = s->score;
	r->cases[r->ncases++].positive = positive;
	bt->packages++;
	*(positive ? &bt->positives : &bt->negatives) += 1;
	bt->bands[s->priority].packages++;
	*(positive ? &bt->bands[s->priority].positives : &bt->bands[s->priority].negatives) += 1;
	for (i = 0; i < s->nfired; i++) {
		bt->rules[s->fired[i]].fired++;
		bt->rules[s->fired[i]].positives_fired += positive;
	}
	return 0;
}

/* Keep each override in force: its band in the rule set measured, and its direction. */
static int on_override(void *ctx, int64_t id, const struct store_override *o)
{
	struct run *r = ctx;
	struct score_override so = {o->priority, o->band, false, o->at};

	if (id < 0 || (size_t)id >= r->nov)
		return 0; /* a package received after the walk began */
	r->ov_band[id] = score_override_band(r->rs, &so);
	r->ov_up[id] = strcmp(o->direction, "up") == 0;
	return 0;
}

/*
 * The overrides' figures: a labelled package with an override in force,
 * counted by its recorded direction and label; its final priority (for
 * recall_top_final) is the override's band, else the rules'.
 */
static void tally_override(struct run *r, int64_t id, const struct score_result *s, bool positive)
{
	struct backtest_overrides *o = &r->bt->overrides;
	int final = s->priority;

	if (id >= 0 && (size_t)id < r->nov && r->ov_band[id] >= 0) {
		final = r->ov_band[id];
		o->count++;
		if (r->ov_up[id]) {
			o->up++;
			*(positive ? &o->positives_up : &o->negatives_up) += 1;
		} else {
			o->down++;
			*(positive ? &o->positives_down : &o->negatives_down) += 1;
		}
	}
	if (positive && final <= r->bt->top)
		r->pos_top_final++;
}

/* Read the overrides in force, by package id (ids below r->n). */
static int load_overrides(struct run *r)
{
	size_t i;

	r->nov = r->n;
	r->ov_band = rt_malloc((r->nov ? r->nov : 1) * sizeof(*r->ov_band));
	r->ov_up = rt_calloc(r->nov ? r->nov : 1, sizeof(*r->ov_up));
	if (!r->ov_band || !r->ov_up)
		return oom(r);
	for (i = 0; i < r->nov; i++)
		r->ov_band[i] = -1;
	return store_each_override(r->st, on_override, r, r->d);
}

static int on_labelled(void *ctx, const struct store_labelled *p)
{
	struct run *r = ctx;
	enum outcome_label label = outcome_label_of(p->codes);
	struct cond_input in;
	struct score_result s;
	int64_t linked = 0, ip_linked = 0, as_of;

	if (label == OUTCOME_EXCLUDED || label == OUTCOME_NONE) {
		r->bt->excluded += label == OUTCOME_EXCLUDED;
		return 0;
	}
	/* purge erased its content: it cannot be scored, so it is left out and counted. */
	if (p->facts_len == 0) {
		r->bt->unreadable++;
		return 0;
	}
	if (score_read_facts(r->st, &r->pkg, p->facts, p->facts_len, p->ref, r->d) < 0)
		return -1;
	if (p->id >= 0 && (size_t)p->id < r->n) {
		linked = count_asof(&r->links, (uint32_t)p->id, &r->scratch, &r->capscratch);
		ip_linked = count_asof(&r->ip, (uint32_t)p->id, &r->scratch, &r->capscratch);
		if (linked < 0 || ip_linked < 0)
			return oom(r);
	}
	as_of = r->pkg.v[F_RECEIVED_AT];
	s.fired = r->fired;
	score_derive(&r->pkg, linked, ip_linked, as_of, &in);
	score_package(r->rs, &in, as_of, &s);
	tally_override(r, p->id, &s, label == OUTCOME_POSITIVE);
	return tally(r, &s, label == OUTCOME_POSITIVE);
}

/* The figures from the tallies: shares, lifts and the AUC. */
static int summarise(struct run *r)
{
	struct backtest *bt = r->bt;
	long pos_top = 0, neg_top = 0;
	size_t i;

	for (i = 0; i < bt->nbands && (int)i <= bt->top; i++) {
		pos_top += bt->bands[i].positives;
		neg_top += bt->bands[i].negatives;
	}
	bt->has_recall = bt->positives > 0;
	bt->recall_top = bt->positives ? (double)pos_top / (double)bt->positives : 0;
	bt->has_negatives_in_top = bt->negatives > 0;
	bt->negatives_in_top = bt->negatives ? (double)neg_top / (double)bt->negatives : 0;
	bt->overrides.recall_top_rules = bt->recall_top;
	bt->overrides.recall_top_final =
	    bt->positives ? (double)r->pos_top_final / (double)bt->positives : 0;
	for (i = 0; i < bt->nrules; i++) {
		struct backtest_rule *ru = &bt->rules[i];

		ru->has_lift = ru->fired > 0 && bt->positives > 0;
		if (ru->has_lift)
			ru->lift = ((double)ru->positives_fired / (double)ru->fired) /
			           ((double)bt->positives / (double)bt->packages);
	}
	if (backtest_auc(r->cases, r->ncases, &bt->auc) < 0)
		return oom(r);
	return 0;
}

/* Read every package's received_at and the keys; index the groups. */
static int load_links(struct run *r)
{
	if (store_each_received(r->st, on_received, r, r->d) != 0 ||
	    store_each_link_key(r->st, on_key, r, r->d) != 0)
		return -1;
	if (index_groups(&r->links, r->n) < 0 || index_groups(&r->ip, r->n) < 0)
		return oom(r);
	return 0;
}

int backtest_run(struct store *st, const struct ruleset *rs, int top, struct backtest *out,
                 struct diag *d)
{
	struct run r;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	memset(&r, 0, sizeof(r));
	r.st = st;
	r.rs = rs;
	r.bt = out;
	r.d = d;
	buf_init(&r.links.key);
	buf_init(&r.ip.key);
	package_init(&r.pkg);
	out->top = top;
	out->nbands = rs->nbands;
	out->nrules = rs->nrules;
	out->bands = rt_calloc(rs->nbands ? rs->nbands : 1, sizeof(*out->bands));
	out->rules = rt_calloc(rs->nrules ? rs->nrules : 1, sizeof(*out->rules));
	r.fired = rt_calloc(rs->nrules ? rs->nrules : 1, sizeof(*r.fired));
	if (!out->bands || !out->rules || !r.fired)
		(void)oom(&r);
	else if (load_links(&r) == 0 && load_overrides(&r) == 0 &&
	         store_each_with_outcome(st, on_labelled, &r, d) == 0)
		rc = summarise(&r);
	asof_release(&r.links);
	asof_release(&r.ip);
	package_release(&r.pkg);
	rt_free(r.received);
	rt_free(r.scratch);
	rt_free(r.fired);
	rt_free(r.cases);
	rt_free(r.ov_band);
	rt_free(r.ov_up);
	return rc;
}

void backtest_release(struct backtest *b)
{
	if (!b)
		return;
	backtest_auc_release(&b->auc);
	rt_free(b->bands);
	rt_free(b->rules);
	memset(b, 0, sizeof(*b));
}
