/* The ordered work queue (src/util/workq.c): order, results, a failing hand-back. */
#include "unit.h"

#include "reftriage/workq.h"

struct item {
	long in, out;
};

struct run {
	long next;    /* the input expected back next */
	long fail_at; /* the done function fails at this input; -1: never */
	long sum;
};

static void init(void *it)
{
	memset(it, 0, sizeof(struct item));
}

static void release(void *it)
{
	(void)it;
}

static void work(void *it, void *arg)
{
	struct item *x = it;

	(void)arg;
	x->out = x->in * x->in;
}

static int done(void *it, void *arg)
{
	struct item *x = it;
	struct run *r = arg;

	assert_int_equal(x->in, r->next); /* in the order queued */
	assert_int_equal(x->out, x->in * x->in);
	r->next++;
	r->sum += x->out;
	return x->in == r->fail_at ? -1 : 0;
}

static const struct workq_fns fns = {sizeof(struct item), init, release, work, done};

/* Run n items through a ring of size ring; returns workq_finish's result. */
static int run(size_t ring, long n, struct run *r, long *queued)
{
	struct workq *q = workq_start(&fns, ring, r);
	long i;
	int rc;

	assert_non_null(q);
	for (i = 0; i < n; i++) {
		struct item *x = workq_next(q);

		if (!x)
			break;
		x->in = i;
		workq_push(q);
	}
	*queued = i;
	rc = workq_finish(q);
	workq_free(q);
	return rc;
}

static void every_item_back_in_order(void **state)
{
	static const size_t rings[] = {1, 2, 3, 256};
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(rings) / sizeof(rings[0]); k++) {
		struct run r = {0, -1, 0};
		long queued, want = 0, i;

		assert_int_equal(run(rings[k], 100000, &r, &queued), 0);
		assert_int_equal(queued, 100000);
		assert_int_equal(r.next, 100000);
		for (i = 0; i < 100000; i++)
			want += i * i;
		assert_int_equal(r.sum, want);
	}
}

/* A failing hand-back stops the queue: nothing after it is handed back, and -1. */
static void a_failure_stops(void **state)
{
	struct run r = {0, 500, 0};
	long queued;

	(void)state;
	assert_int_equal(run(8, 100000, &r, &queued), -1);
	assert_int_equal(r.next, 501);
	assert_true(queued < 100000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_item_back_in_order),
	    cmocka_unit_test(a_failure_stops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
