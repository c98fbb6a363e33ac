/*
 * bench-eval STORE: how fast the active rules evaluate, apart from SQLite.
 * Reads every open package's facts into memory once (bounded: stops at
 * 2,000,000), then times (a) decoding the facts and (b) decoding, deriving
 * and scoring, over all of them. Evaluation alone is (b) - (a).
 * Prints "packages decode_seconds decode_and_score_seconds".
 */
#include "reftriage/alloc.h"
#include "reftriage/buf.h"
#include "reftriage/diag.h"
#include "reftriage/hash.h"
#include "reftriage/score.h"
#include "reftriage/store.h"

#include <time.h>

struct blobs {
	struct buf data;
	size_t *off;
	size_t n, cap;
};

static int collect(void *ctx, const struct store_open_package *p)
{
	struct blobs *b = ctx;

	if (b->n == 2000000)
		return 0;
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 1024;
		size_t *off = rt_realloc(b->off, (cap + 1) * sizeof(*off));

		if (!off)
			return -1;
		b->off = off;
		b->cap = cap;
	}
	b->off[b->n++] = b->data.len;
	return buf_add(&b->data, p->facts, p->facts_len);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct blobs b = {0};
	struct store *st;
	struct ruleset *rs;
	struct package p;
	struct diag d;
	uint16_t *fired;
	int64_t id, as_of = INT64_C(1793000000) * 1000000, sum = 0;
	double t0, t1, t2;
	size_t i;

	if (argc != 2 || hash_library_init() < 0) {
		fprintf(stderr, "usage: bench-eval STORE\n");
		return 64;
	}
	diag_clear(&d);
	buf_init(&b.data);
	package_init(&p);
	if (store_open(argv[1], 5000, &st, &d) < 0 || score_load_rules(st, 0, &rs, &id, &d) < 0 ||
	    store_each_open(st, true, collect, &b, &d) < 0) {
		fprintf(stderr, "bench-eval: %s: %s\n", argv[1], d.message);
		return 1;
	}
	b.off[b.n] = b.data.len;
	fired = rt_calloc(rs->nrules + 1, sizeof(*fired));
	if (!fired)
		return 1;
	t0 = now();
	for (i = 0; i < b.n; i++)
		if (package_decode_facts(&p, b.data.data + b.off[i], b.off[i + 1] - b.off[i]) < 0)
			return 1;
	t1 = now();
	for (i = 0; i < b.n; i++) {
		struct cond_input in;
		struct score_result r;

		if (package_decode_facts(&p, b.data.data + b.off[i], b.off[i + 1] - b.off[i]) < 0)
			return 1;
		r.fired = fired;
		score_derive(&p, 0, 0, as_of, &in);
		score_package(rs, &in, as_of, &r);
		sum += r.score; /* use the result, so the work cannot be dropped */
	}
	t2 = now();
	printf("%zu %.3f %.3f %lld\n", b.n, t1 - t0, t2 - t1, (long long)sum);
	ruleset_free(rs);
	store_close(st);
	package_release(&p);
	buf_release(&b.data);
	rt_free(b.off);
	rt_free(fired);
	return 0;
}
