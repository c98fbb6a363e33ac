/*
 * libFuzzer harness: the audit spool's line check (issue 24). Every line of
 * the input is checked as a spooled entry would be before a writer folds it,
 * against a fixed time window; what it says is folded into a volatile sum.
 * The check must hold for any bytes: a spool is a file anyone with access to
 * the store's directory can edit.
 */
#include "reftriage/hash.h"
#include "reftriage/store.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static volatile unsigned long sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const int64_t lo = INT64_C(1793000000) * 1000000, hi = lo + INT64_C(86400) * 1000000;
	const char *text = (const char *)data;
	static int ready;
	size_t at = 0;

	if (!ready) {
		if (hash_library_init() < 0)
			abort();
		ready = 1;
	}
	while (at < size) {
		const char *nl = memchr(text + at, '\n', size - at);
		size_t end = nl ? (size_t)(nl - text) : size;
		const char *why = store_spool_line_check(text + at, end - at, lo, hi);

		sink += why ? strlen(why) : 1;
		at = end + 1;
	}
	return 0;
}
