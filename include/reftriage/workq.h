/*
 * An ordered work queue: a second thread does each item's work while the
 * caller fills the next; the caller gets the items back, finished, in the
 * order it queued them, on its own thread (so whatever it then does, such as
 * writing the store, stays on one thread). Memory is the ring of items, fixed
 * at the start. Without a second thread the work is done in workq_push.
 */
#ifndef REFTRIAGE_WORKQ_H
#define REFTRIAGE_WORKQ_H

#include "reftriage/compat.h"

#include <stddef.h>

struct workq;

struct workq_fns {
	size_t item_size;
	void (*init)(void *item);            /* once per item, before use */
	void (*release)(void *item);         /* once per item, at the end */
	void (*work)(void *item, void *arg); /* on the second thread */
	int (*done)(void *item, void *arg);  /* on the caller's thread, in order; -1 stops */
};

/* A queue of nitems items, its thread started; NULL when out of memory. */
struct workq *workq_start(const struct workq_fns *fns, size_t nitems, void *arg);

/*
 * The next item to fill, after handing back the finished ones that a full
 * ring is waiting on; NULL once a done function has failed.
 */
void *workq_next(struct workq *q);

/* Queue the item workq_next gave. */
void workq_push(struct workq *q);

/* Wait for every queued item and hand each back; 0, or -1 when a done function failed. */
int workq_finish(struct workq *q) MUST_CHECK;

/* Stop the thread (finishing its work first) and free everything. */
void workq_free(struct workq *q);

#endif
