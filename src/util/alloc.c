#include "reftriage/alloc.h"

#include <stdatomic.h>

/*
 * The failure injection of the tests (REFTRIAGE_FAIL_ALLOC, alloc_fail_after):
 * atomic, as the import's decoder and the rescore's scoring thread allocate
 * too. The environment is read at the first allocation, before any thread.
 */
static _Atomic long fail_after = -1;
static bool env_read;
static _Atomic unsigned long failures;

unsigned long alloc_failures(void)
{
	return failures;
}

static bool should_fail(void)
{
	if (!env_read) {
		const char *s = getenv("REFTRIAGE_FAIL_ALLOC");

		env_read = true;
		if (s && *s)
			fail_after = strtol(s, NULL, 10);
	}
	for (long n = atomic_load(&fail_after); n >= 0;) {
		if (n == 0) { /* from now on every allocation fails */
			failures++;
			return true;
		}
		if (atomic_compare_exchange_weak(&fail_after, &n, n - 1))
			return false;
	}
	return false;
}

void alloc_fail_after(long n)
{
	env_read = true;
	fail_after = n;
}

void *rt_malloc(size_t n)
{
	void *r;

	if (should_fail())
		return NULL;
	r = malloc(n ? n : 1);
	if (!r)
		failures++;
	return r;
}

void *rt_calloc(size_t count, size_t size)
{
	void *r;

	if (should_fail())
		return NULL;
	r = calloc(count ? count : 1, size ? size : 1);
	if (!r)
		failures++;
	return r;
}

void *rt_realloc(void *p, size_t n)
{
	void *r;

	if (should_fail())
		return NULL;
	r = realloc(p, n ? n : 1);
	if (!r)
		failures++;
	return r;
}

void rt_free(void *p)
{
	free(p);
}

char *rt_memdup0(const void *p, size_t n)
{
	char *s;

	if (n == SIZE_MAX)
		return NULL;
	s = rt_malloc(n + 1);
	if (!s)
		return NULL;
	if (n)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}
