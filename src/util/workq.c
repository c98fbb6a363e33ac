/*
 * The ordered work queue (include/reftriage/workq.h). Items tail..: free;
 * wpos..tail: queued, the worker's; head..wpos: finished, the caller's to
 * hand back. The caller queues items a batch at a time (WORKQ_BATCH, or
 * fewer when it must wait or finish), and the worker takes every queued item
 * at once and publishes them together, so the lock is taken about once a
 * batch on each side, not once an item.
 */
#include "reftriage/workq.h"

#include "reftriage/alloc.h"

#include <pthread.h>
#include <string.h>

#define WORKQ_BATCH 32

struct workq {
	struct workq_fns fns;
	void *arg;
	unsigned char *items;
	size_t n;
	size_t wpos, tail;         /* under mu; counts: the item is [count % n] */
	size_t head, ctail, cwpos; /* the caller's own: handed back, filled, finished as seen */
	bool closing, failed, threaded, locks;
	pthread_mutex_t mu;
	pthread_cond_t queued, finished;
	pthread_t th;
};

static void *item(struct workq *q, size_t i)
{
	return q->items + (i % q->n) * q->fns.item_size;
}

static void *worker(void *arg)
{
	struct workq *q = arg;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		size_t from = q->wpos, to = q->tail, i;

		if (from == to) {
			if (q->closing)
				break;
			pthread_cond_wait(&q->queued, &q->mu);
			continue;
		}
		pthread_mutex_unlock(&q->mu);
		for (i = from; i < to; i++)
			q->fns.work(item(q, i), q->arg);
		pthread_mutex_lock(&q->mu);
		q->wpos = to;
		pthread_cond_signal(&q->finished);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

struct workq *workq_start(const struct workq_fns *fns, size_t nitems, void *arg)
{
	struct workq *q = rt_calloc(1, sizeof(*q));
	size_t i;

	if (!q)
		return NULL;
	q->fns = *fns;
	q->arg = arg;
	q->n = nitems ? nitems : 1;
	q->items = rt_calloc(q->n, fns->item_size);
	if (!q->items) {
		rt_free(q);
		return NULL;
	}
	for (i = 0; i < q->n; i++)
		fns->init(item(q, i));
	q->locks = pthread_mutex_init(&q->mu, NULL) == 0;
	if (q->locks && pthread_cond_init(&q->queued, NULL) != 0) {
		pthread_mutex_destroy(&q->mu);
		q->locks = false;
	}
	if (q->locks && pthread_cond_init(&q->finished, NULL) != 0) {
		pthread_cond_destroy(&q->queued);
		pthread_mutex_destroy(&q->mu);
		q->locks = false;
	}
	/* Without a thread (or its locks) the work is done in workq_push. */
	q->threaded = q->locks && pthread_create(&q->th, NULL, worker, q) == 0;
	return q;
}

/*
 * Queue the items filled so far and learn which are finished, waiting for
 * one when block (the ring is full, or the caller is finishing).
 */
static void sync_worker(struct workq *q, bool block)
{
	pthread_mutex_lock(&q->mu);
	if (q->tail != q->ctail) {
		q->tail = q->ctail;
		pthread_cond_signal(&q->queued);
	}
	while (block && q->wpos == q->head)
		pthread_cond_wait(&q->finished, &q->mu);
	q->cwpos = q->wpos;
	pthread_mutex_unlock(&q->mu);
}

/* Hand back the items known to be finished; false once a done function failed. */
static bool hand_back(struct workq *q)
{
	size_t to = q->cwpos;

	/* head is the caller's alone: the worker works on wpos..tail only */
	for (; q->head < to; q->head++)
		if (!q->failed && q->fns.done(item(q, q->head), q->arg) < 0)
			q->failed = true;
	return !q->failed;
}

void *workq_next(struct workq *q)
{
	if (q->threaded) {
		bool full = q->ctail - q->head == q->n;

		if (full || q->ctail % WORKQ_BATCH == 0)
			sync_worker(q, full);
	}
	if (!hand_back(q))
		return NULL;
	return item(q, q->ctail);
}

void workq_push(struct workq *q)
{
	if (!q->threaded) {
		q->fns.work(item(q, q->ctail), q->arg);
		q->cwpos = ++q->ctail;
		return;
	}
	q->ctail++;
}

int workq_finish(struct workq *q)
{
	while (q->head < q->ctail) {
		if (q->threaded)
			sync_worker(q, true);
		(void)hand_back(q);
	}
	return q->failed ? -1 : 0;
}

void workq_free(struct workq *q)
{
	size_t i;

	if (!q)
		return;
	if (q->threaded) {
		pthread_mutex_lock(&q->mu);
		q->closing = true;
		pthread_cond_signal(&q->queued);
		pthread_mutex_unlock(&q->mu);
		if (pthread_join(q->th, NULL) != 0)
			return; /* cannot happen for a thread of ours; q may still be in use */
	}
	if (q->locks) {
		pthread_mutex_destroy(&q->mu);
		pthread_cond_destroy(&q->queued);
		pthread_cond_destroy(&q->finished);
	}
	for (i = 0; i < q->n; i++)
		q->fns.release(item(q, i));
	rt_free(q->items);
	rt_free(q);
}
