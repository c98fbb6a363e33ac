/*
 * Counting links for a whole store at once: for each package, how many other
 * packages share at least one linking key with it.
 *
 * The keys arrive in (key, package) order, so each key's packages come
 * together as a group. Only groups of two or more matter; their members are
 * kept (4 bytes each), then indexed by package, and each package's count is
 * the number of distinct packages in its groups, less itself, saturated at
 * LINK_COUNT_MAX (data-contract.md: 1000 means "1,000 or more"). A package
 * in one group (the usual case) needs no more than the group's size; one in
 * several has its partners counted once each with a mark per package, and
 * stops at the cap, so a cluster of any size costs time linear in its
 * members. Memory is 8 bytes per package id and 8 bytes per membership of a
 * shared key while the counts are made, 4 bytes per package id after: about
 * 21 MB at the peak for the million-package benchmark store, against the one
 * index lookup per package that it replaces (docs/PERFORMANCE.md).
 */
#include "reftriage/links.h"

#include "reftriage/alloc.h"
#include "reftriage/contract.h"
#include "reftriage/hash.h"
#include "reftriage/package.h"

#include <stdlib.h>

static int grow(uint32_t **v, size_t *cap, size_t need)
{
	size_t n = *cap ? *cap : 1024;
	uint32_t *p;

	if (need <= *cap)
		return 0;
	while (n < need) {
		if (n > SIZE_MAX / 2 / sizeof(**v))
			return -1;
		n *= 2;
	}
	p = rt_realloc(*v, n * sizeof(**v));
	if (!p)
		return -1;
	*v = p;
	*cap = n;
	return 0;
}

void link_counts_init(struct link_counts *lc)
{
	memset(lc, 0, sizeof(*lc));
	buf_init(&lc->key);
}

/* Close the group being read: keep it when it links two or more packages. */
static int close_group(struct link_counts *lc)
{
	size_t i;

	if (lc->ncur >= 2) {
		if (grow(&lc->mem, &lc->capmem, lc->nmem + lc->ncur) < 0 ||
		    grow(&lc->gstart, &lc->capg, lc->ngroups + 2) < 0)
			return -1;
		if (!lc->ngroups)
			lc->gstart[0] = 0;
		for (i = 0; i < lc->ncur; i++)
			lc->mem[lc->nmem++] = lc->cur[i];
		lc->gstart[++lc->ngroups] = (uint32_t)lc->nmem;
	}
	lc->ncur = 0;
	return 0;
}

int link_counts_add(struct link_counts *lc, const char *key, size_t len, int64_t package_id)
{
	if (package_id < 0 || package_id >= (int64_t)UINT32_MAX)
		return -2;
	if (lc->nmem + lc->ncur >= UINT32_MAX - 1) /* positions in mem are 32-bit */
		return -1;
	if (!lc->started || len != lc->key.len || memcmp(key, lc->key.data, len) != 0) {
		if (close_group(lc) < 0)
			return -1;
		buf_reset(&lc->key);
		if (buf_add(&lc->key, key, len) < 0)
			return -1;
		lc->started = true;
	}
	if (grow(&lc->cur, &lc->capcur, lc->ncur + 1) < 0)
		return -1;
	lc->cur[lc->ncur++] = (uint32_t)package_id;
	if ((uint64_t)package_id >= lc->n)
		lc->n = (size_t)package_id + 1;
	return 0;
}

/*
 * The distinct partners of package i, in groups pg[first..last), counted up
 * to LINK_COUNT_MAX: seen[] holds, for each package, the last package whose
 * partners it was counted among (plus one), so no partner is counted twice
 * and nothing is sorted. A group as large as the cap settles the count at
 * once; otherwise each group is smaller than the cap, so the work for one
 * package is bounded by its keys times the cap, whatever the cluster's size.
 */
static uint32_t distinct_partners(const struct link_counts *lc, const uint32_t *pg, uint32_t first,
                                  uint32_t last, uint32_t i, uint32_t *seen)
{
	uint32_t k, j, distinct = 0;

	for (k = first; k < last; k++)
		if (lc->gstart[pg[k] + 1] - lc->gstart[pg[k]] > LINK_COUNT_MAX)
			return LINK_COUNT_MAX;
	seen[i] = i + 1;
	for (k = first; k < last && distinct < LINK_COUNT_MAX; k++)
		for (j = lc->gstart[pg[k]]; j < lc->gstart[pg[k] + 1]; j++) {
			uint32_t m = lc->mem[j];

			if (seen[m] != i + 1) {
				seen[m] = i + 1;
				if (++distinct == LINK_COUNT_MAX)
					break;
			}
		}
	return distinct;
}

int link_counts_finish(struct link_counts *lc)
{
	uint32_t *off = NULL, *pg = NULL, *seen = NULL;
	size_t i, g;
	int rc = -1;

	if (close_group(lc) < 0)
		return -1;
	rt_free(lc->cur);
	lc->cur = NULL;
	lc->capcur = 0;
	buf_release(&lc->key);
	lc->count = rt_calloc(lc->n ? lc->n : 1, sizeof(*lc->count));
	off = rt_calloc(lc->n + 1, sizeof(*off));
	pg = rt_malloc((lc->nmem ? lc->nmem : 1) * sizeof(*pg));
	seen = rt_calloc(lc->n ? lc->n : 1, sizeof(*seen));
	if (!lc->count || !off || !pg || !seen)
		goto out;
	/* Index the groups by package: off[id] .. off[id + 1] in pg (count is the fill). */
	for (i = 0; i < lc->nmem; i++)
		off[lc->mem[i] + 1]++;
	for (i = 0; i < lc->n; i++)
		off[i + 1] += off[i];
	for (g = 0; g < lc->ngroups; g++)
		for (i = lc->gstart[g]; i < lc->gstart[g + 1]; i++) {
			uint32_t id = lc->mem[i];

			pg[off[id] + lc->count[id]++] = (uint32_t)g;
		}
	for (i = 0; i < lc->n; i++) {
		uint32_t first = off[i], last = off[i + 1], n;

		if (last - first == 1) {
			g = pg[first];
			n = lc->gstart[g + 1] - lc->gstart[g] - 1;
			lc->count[i] = n < LINK_COUNT_MAX ? n : LINK_COUNT_MAX;
		} else {
			lc->count[i] = last == first ? 0
			                             : distinct_partners(lc, pg, first, last,
			                                                 (uint32_t)i, seen);
		}
	}
	rc = 0;
out:
	rt_free(off);
	rt_free(pg);
	rt_free(seen);
	rt_free(lc->mem);
	rt_free(lc->gstart);
	lc->mem = lc->gstart = NULL;
	lc->nmem = lc->capmem = lc->ngroups = lc->capg = 0;
	return rc;
}

int64_t link_counts_get(const struct link_counts *lc, int64_t package_id)
{
	if (!lc->count || package_id < 0 || (uint64_t)package_id >= lc->n)
		return 0;
	return lc->count[package_id];
}

void link_counts_release(struct link_counts *lc)
{
	rt_free(lc->count);
	rt_free(lc->mem);
	rt_free(lc->gstart);
	rt_free(lc->cur);
	buf_release(&lc->key);
	memset(lc, 0, sizeof(*lc));
}

/* The length snprintf wrote, of what it would have (n) into size bytes. */
static size_t shown(int n, size_t size)
{
	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

int64_t link_key(int kind, const char *s, size_t n)
{
	return (int64_t)(((uint64_t)kind << 56) | (hash_short(s, n) & ((UINT64_C(1) << 56) - 1)));
}

const char *link_kind_name(int kind)
{
	int i;

	if (kind == LINK_KIND_SUBJECT)
		return "subject";
	for (i = 0; contract_ident_types[i]; i++)
		if (kind == LINK_KIND_IDENT + i)
			return contract_ident_types[i];
	return NULL;
}

/* The keys of p for fn, with their text when text (link_keys_of), else none. */
static int walk_keys(const struct package *p, bool text,
                     int (*fn)(void *ctx, int64_t key, const char *text, size_t len), void *ctx)
{
	size_t i, n;
	const char *subject = package_str(p, F_SUBJECT_REF, &n);
	char t[300]; /* the contract bounds a subject_ref and a token to 128 bytes */
	int rc, tn = 0;

	if (subject) {
		if (text)
			tn = snprintf(t, sizeof(t), "subject:%.*s", (int)n, subject);
		rc = fn(ctx, link_key(LINK_KIND_SUBJECT, subject, n), text ? t : NULL,
		        text ? shown(tn, sizeof(t)) : 0);
		if (rc)
			return rc;
	}
	for (i = 0; i < p->nids; i++) {
		const struct ident *id = &p->ids[i];
		const char *token = p->arena.data + id->off;

		if (text)
			tn = snprintf(t, sizeof(t), "%s:%.*s", contract_ident_types[id->type],
			              (int)id->len, token);
		rc = fn(ctx, link_key(LINK_KIND_IDENT + id->type, token, id->len), text ? t : NULL,
		        text ? shown(tn, sizeof(t)) : 0);
		if (rc)
			return rc;
	}
	return 0;
}

int link_keys_of(const struct package *p,
                 int (*fn)(void *ctx, int64_t key, const char *text, size_t len), void *ctx)
{
	return walk_keys(p, true, fn, ctx);
}

int link_keys_only(const struct package *p,
                   int (*fn)(void *ctx, int64_t key, const char *text, size_t len), void *ctx)
{
	return walk_keys(p, false, fn, ctx);
}
