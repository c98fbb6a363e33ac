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
