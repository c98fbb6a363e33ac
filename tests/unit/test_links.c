/* Counting every package's links in one walk of the keys (src/model/links.c). */
#include "unit.h"

#include "reftriage/alloc.h"
#include "reftriage/contract.h"
#include "reftriage/hash.h"
#include "reftriage/links.h"
#include "reftriage/package.h"

#include <stdio.h>
#include <stdlib.h>

struct pair {
	char key[16];
	uint32_t id;
};

static int cmp_pair(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->id > y->id) - (x->id < y->id);
}

/* Feed sorted pairs; 0, or what link_counts_add/finish returned. */
static int build(struct link_counts *lc, const struct pair *p, size_t n)
{
	size_t i;
	int rc;

	link_counts_init(lc);
	for (i = 0; i < n; i++)
		if ((rc = link_counts_add(lc, p[i].key, strlen(p[i].key), p[i].id)) < 0)
			return rc;
	return link_counts_finish(lc);
}

static void small_cases(void **state)
{
	/* 1 and 2 share a subject and a phone (counted once); 2 and 3 an email;
	 * 4 shares nothing; 5 has no keys at all. */
	struct pair p[] = {
	    {"email:e1", 2}, {"email:e1", 3},  {"phone:p1", 1},  {"phone:p1", 2},
	    {"phone:p9", 4}, {"subject:s", 1}, {"subject:s", 2},
	};
	struct link_counts lc;

	(void)state;
	assert_int_equal(build(&lc, p, sizeof(p) / sizeof(p[0])), 0);
	assert_int_equal(link_counts_get(&lc, 1), 1);
	assert_int_equal(link_counts_get(&lc, 2), 2);
	assert_int_equal(link_counts_get(&lc, 3), 1);
	assert_int_equal(link_counts_get(&lc, 4), 0);
	assert_int_equal(link_counts_get(&lc, 5), 0);
	assert_int_equal(link_counts_get(&lc, 0), 0);
	assert_int_equal(link_counts_get(&lc, -1), 0);
	link_counts_release(&lc);
	/* No keys at all. */
	assert_int_equal(build(&lc, p, 0), 0);
	assert_int_equal(link_counts_get(&lc, 1), 0);
	link_counts_release(&lc);
}

/* Random stores: every count equals a brute-force count of distinct partners. */
static void agrees_with_brute_force(void **state)
{
	enum { N = 400, MAXK = 4 };
	static struct pair p[N * MAXK];
	static unsigned char shares[N + 1][N + 1];
	struct link_counts lc;
	int round;

	(void)state;
	srand(7);
	for (round = 0; round < 20; round++) {
		size_t n = 0, i, j;
		int nkeys = 20 + rand() % 400;

		for (i = 1; i <= N; i++) {
			int k = rand() % (MAXK + 1), m;

			for (m = 0; m < k; m++) {
				char key[16];

				(void)snprintf(key, sizeof(key), "k:%d", rand() % nkeys);
				for (j = 0; j < n; j++) /* each (key, package) once */
					if (p[j].id == i && strcmp(p[j].key, key) == 0)
						break;
				if (j < n)
					continue;
				memcpy(p[n].key, key, sizeof(key));
				p[n++].id = (uint32_t)i;
			}
		}
		qsort(p, n, sizeof(p[0]), cmp_pair);
		memset(shares, 0, sizeof(shares));
		for (i = 0; i < n; i++)
			for (j = 0; j < n; j++)
				if (p[i].id != p[j].id && strcmp(p[i].key, p[j].key) == 0)
					shares[p[i].id][p[j].id] = 1;
		assert_int_equal(build(&lc, p, n), 0);
		for (i = 1; i <= N; i++) {
			int64_t want = 0;

			for (j = 1; j <= N; j++)
				want += shares[i][j];
			assert_int_equal(link_counts_get(&lc, (int64_t)i), want);
		}
		link_counts_release(&lc);
	}
}

static void add_pair(struct pair *p, size_t *n, const char *key, size_t id)
{
	(void)snprintf(p[*n].key, sizeof(p[*n].key), "%s", key);
	p[(*n)++].id = (uint32_t)id;
}

/*
 * Counts saturate at LINK_COUNT_MAX (data-contract.md), at the edge on both
 * sides: a key shared by 1,001 packages gives each 1,000 partners; by 1,000,
 * 999. Package 1 is also in two groups of 600 whose other members differ
 * (1,198 partners: saturated), package 2 in two that overlap (counted once).
 */
static void saturates_at_the_cap(void **state)
{
	enum { BIG = 1001, HALF = 600 };
	static struct pair p[BIG + 1000 + 4 * HALF];
	struct link_counts lc;
	size_t n = 0, i;

	(void)state;
	for (i = 0; i < BIG; i++) /* a: packages 10..1010 */
		add_pair(p, &n, "a", 10 + i);
	for (i = 0; i < 1000; i++) /* b: packages 2000..2999 */
		add_pair(p, &n, "b", 2000 + i);
	/* c and d: package 1 with 3001..3599 and 4001..4599 */
	for (i = 0; i < HALF; i++) {
		add_pair(p, &n, "c", i ? 3000 + i : 1);
		add_pair(p, &n, "d", i ? 4000 + i : 1);
	}
	/* e and f: package 2 with 5001..5599 and 5101..5699 (499 in both) */
	for (i = 0; i < HALF; i++) {
		add_pair(p, &n, "e", i ? 5000 + i : 2);
		add_pair(p, &n, "f", i ? 5100 + i : 2);
	}
	qsort(p, n, sizeof(p[0]), cmp_pair);
	assert_int_equal(build(&lc, p, n), 0);
	assert_int_equal(link_counts_get(&lc, 10), LINK_COUNT_MAX);
	assert_int_equal(link_counts_get(&lc, 1010), LINK_COUNT_MAX);
	assert_int_equal(link_counts_get(&lc, 2000), 999);
	assert_int_equal(link_counts_get(&lc, 1), LINK_COUNT_MAX);
	assert_int_equal(link_counts_get(&lc, 3001), HALF - 1);
	assert_int_equal(link_counts_get(&lc, 2), 5699 - 5001 + 1);
	assert_int_equal(link_counts_get(&lc, 5001), HALF - 1);
	link_counts_release(&lc);
}

/* Running out of memory at any allocation: -1, nothing leaked (ASan checks). */
static void out_of_memory(void **state)
{
	struct pair p[64];
	struct link_counts lc;
	long nth;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < 64; i++) {
		(void)snprintf(p[i].key, sizeof(p[i].key), "k:%02zu", i / 3);
		p[i].id = (uint32_t)(i % 5 + 1 + i / 3);
	}
	qsort(p, 64, sizeof(p[0]), cmp_pair);
	for (nth = 0;; nth++) {
		alloc_fail_after(nth);
		rc = build(&lc, p, 64);
		alloc_fail_after(-1);
		link_counts_release(&lc);
		if (rc == 0)
			break;
		assert_int_equal(rc, -1);
	}
	assert_true(nth > 3);
	/* An id beyond 32 bits is refused, not truncated. */
	link_counts_init(&lc);
	assert_int_equal(link_counts_add(&lc, "k", 1, (int64_t)1 << 33), -2);
	link_counts_release(&lc);
}

/* A package's keys (schema 13): the kind in the top byte, the same key for the same token. */
struct seen_keys {
	int64_t key[8];
	char text[8][64];
	size_t n;
};

static int collect_key(void *ctx, int64_t key, const char *text, size_t len)
{
	struct seen_keys *k = ctx;

	assert_true(k->n < 8);
	k->key[k->n] = key;
	(void)snprintf(k->text[k->n], sizeof(k->text[0]), "%.*s", (int)len, text);
	k->n++;
	return 0;
}

static int collect_bare_key(void *ctx, int64_t key, const char *text, size_t len)
{
	struct seen_keys *k = ctx;

	assert_null(text);
	assert_int_equal(len, 0);
	assert_true(k->n < 8);
	k->key[k->n++] = key;
	return 0;
}

static void keys_of_a_package(void **state)
{
	struct package p;
	struct reasons r;
	struct seen_keys k = {0};

	(void)state;
	assert_string_equal(contract_ident_types[LINK_KIND_IP - LINK_KIND_IDENT], "ip");
	assert_string_equal(link_kind_name(LINK_KIND_SUBJECT), "subject");
	assert_null(link_kind_name(LINK_KIND_IDENT + 7));
	package_init(&p);
	reasons_clear(&r);
	assert_int_equal(package_set_text(&p, F_SUBJECT_REF, "S-1", 3, &r), 0);
	assert_int_equal(
	    package_set_text(&p, F_IDENTIFIERS, "ip:10.0.0.1;email:a@x;username:a@x", 34, &r), 0);
	assert_int_equal(link_keys_of(&p, collect_key, &k), 0);
	assert_int_equal(k.n, 4);
	assert_string_equal(k.text[0], "subject:S-1");
	assert_int_equal(k.key[0], link_key(LINK_KIND_SUBJECT, "S-1", 3));
	for (size_t i = 0; i < k.n; i++) {
		const char *colon = strchr(k.text[i], ':');
		int kind = link_key_kind(k.key[i]);

		assert_true(k.key[i] > 0);
		assert_non_null(link_kind_name(kind));
		assert_int_equal(strlen(link_kind_name(kind)), (size_t)(colon - k.text[i]));
		assert_memory_equal(link_kind_name(kind), k.text[i], (size_t)(colon - k.text[i]));
		assert_int_equal(link_key_is_ip(k.key[i]), strncmp(k.text[i], "ip:", 3) == 0);
	}
	/* Without their text, the same keys in the same order. */
	{
		struct seen_keys bare = {0};

		assert_int_equal(link_keys_only(&p, collect_bare_key, &bare), 0);
		assert_int_equal(bare.n, k.n);
		assert_memory_equal(bare.key, k.key, k.n * sizeof(k.key[0]));
	}
	/* The same token under two types is two keys; the same key is the same number. */
	assert_int_not_equal(link_key(LINK_KIND_IDENT, "a@x", 3),
	                     link_key(LINK_KIND_IDENT + 1, "a@x", 3));
	assert_int_equal(link_key(LINK_KIND_IDENT, "a@x", 3), link_key(LINK_KIND_IDENT, "a@x", 3));
	assert_int_not_equal(link_key(LINK_KIND_IDENT, "a@x", 3),
	                     link_key(LINK_KIND_IDENT, "a@y", 3));
	package_release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(small_cases),          cmocka_unit_test(agrees_with_brute_force),
	    cmocka_unit_test(saturates_at_the_cap), cmocka_unit_test(out_of_memory),
	    cmocka_unit_test(keys_of_a_package),
	};

	if (hash_library_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
