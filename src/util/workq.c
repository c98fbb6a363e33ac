/*
 * The ordered work queue (include/reftriage/workq.h). Items tail..: free;
 * wpos..tail: queued, the worker's; head..wpos: finished, the caller's to
 * hand back. The worker takes every queued item at once and publishes them
 * together, so the lock is taken about once a batch, not once an item.
 */
#include "reftriage/workq.h"

#include "reftriage/alloc.h"

#include <pthread.h>
#include <string.h>

struct workq {
	struct workq_fns fns;
	void *arg;
	unsigned char *items;
	size_t n;
	size_t head, wpos, tail; /* counts; the item is [count % n] */
	bool closing, failed, threaded;
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
	if (pthread_mutex_init(&q->mu, NULL) == 0 && pthread_cond_init(&q->queued, NULL) == 0 &&
	    pthread_cond_init(&q->finished, NULL) == 0)
		q->threaded = pthread_create(&q->th, NULL, worker, q) == 0;
	return q;
}

/* Hand back the items finished so far (wait for one when block); false once one failed. */
static bool hand_back(struct workq *q, bool block)
{
	size_t to;

	if (q->threaded) {
		pthread_mutex_lock(&q->mu);
		while (block && q->wpos == q->head)
			pthread_cond_wait(&q->finished, &q->mu);
		to = q->wpos;
		pthread_mutex_unlock(&q->mu);
	} else {
		to = q->wpos;
	}
	for (; q->head < to; q->head++)
		if (!q->failed && q->fns.done(item(q, q->head), q->arg) < 0)
			q->failed = true;
	return !q->failed;
}

void *workq_next(struct workq *q)
{
	if (!hand_back(q, q->tail - q->head == q->n))
		return NULL;
	return item(q, q->tail);
}

void workq_push(struct workq *q)
{
	if (!q->threaded) {
		q->fns.work(item(q, q->tail), q->arg);
		q->wpos = ++q->tail;
		return;
	}
	pthread_mutex_lock(&q->mu);
	q->tail++;
	pthread_cond_signal(&q->queued);
	pthread_mutex_unlock(&q->mu);
}

int workq_finish(struct workq *q)
{
	while (q->head < q->tail)
		(void)hand_back(q, true);
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
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->queued);
	pthread_cond_destroy(&q->finished);
	for (i = 0; i < q->n; i++)
		q->fns.release(item(q, i));
	rt_free(q->items);
	rt_free(q);
}
