/*
 * Counting links for a whole store at once: for each package, how many other
 * packages share at least one linking key with it.
 *
 * The keys arrive in (key, package) order, so each key's packages come
 * together as a group. Only groups of two or more matter; their members are
 * kept (4 bytes each), then indexed by package, and each package's count is
 * the number of distinct packages in its groups, less itself. A package in
 * one group (the usual case) needs no more than the group's size; one in
 * several has its partners sorted and deduplicated. Memory is 4 bytes per
 * package id and 8 bytes per membership of a shared key while the counts
 * are made, 4 bytes per package id after: about 17 MB at the peak for the
 * million-package benchmark store, against the one index lookup per package
 * that it replaces (docs/PERFORMANCE.md).
 */
#include "reftriage/links.h"

#include "reftriage/alloc.h"

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

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

int link_counts_finish(struct link_counts *lc)
{
	uint32_t *off = NULL, *pg = NULL, *scratch = NULL;
	size_t capscratch = 0, i, g;
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
	if (!lc->count || !off || !pg)
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
	memset(lc->count, 0, lc->n * sizeof(*lc->count));
	for (i = 0; i < lc->n; i++) {
		uint32_t k, first = off[i], last = off[i + 1];
		size_t n = 0, j, distinct = 0;

		if (last - first == 1) {
			g = pg[first];
			lc->count[i] = lc->gstart[g + 1] - lc->gstart[g] - 1;
			continue;
		}
		if (last == first)
			continue;
		for (k = first; k < last; k++) {
			g = pg[k];
			if (grow(&scratch, &capscratch, n + (lc->gstart[g + 1] - lc->gstart[g])) <
			    0)
				goto out;
			for (j = lc->gstart[g]; j < lc->gstart[g + 1]; j++)
				scratch[n++] = lc->mem[j];
		}
		qsort(scratch, n, sizeof(*scratch), cmp_u32);
		for (j = 0; j < n; j++)
			if ((j == 0 || scratch[j] != scratch[j - 1]) && scratch[j] != i)
				distinct++;
		lc->count[i] = (uint32_t)distinct;
	}
	rc = 0;
out:
	rt_free(off);
	rt_free(pg);
	rt_free(scratch);
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
