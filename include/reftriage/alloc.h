/*
 * Our own allocator entry points. Every allocation in src/ goes through them
 * so that tests can fail the Nth allocation (alloc_fail_after) and prove that
 * running out of memory gives a clean error, never a crash.
 */
#ifndef REFTRIAGE_ALLOC_H
#define REFTRIAGE_ALLOC_H

#include "reftriage/compat.h"

void *rt_malloc(size_t n);
void *rt_calloc(size_t count, size_t size);
void *rt_realloc(void *p, size_t n);
void rt_free(void *p);
/* Duplicate n bytes plus a NUL; NULL when out of memory. */
char *rt_memdup0(const void *p, size_t n);

/*
 * Fault injection: after n more successful allocations, every allocation
 * fails. A negative n turns injection off (the default). Reads the
 * environment variable REFTRIAGE_FAIL_ALLOC once, at the first allocation.
 */
void alloc_fail_after(long n);

/*
 * How many allocations have failed so far. A library that reports running
 * out of memory as something else (jansson can call it an invalid token) is
 * caught by comparing this before and after the call.
 */
unsigned long alloc_failures(void);

#endif
