/*
 * libFuzzer harness: the rules-file checker and the condition language. With
 * the first byte even the input is a whole rules file; odd, it is one
 * condition. What compiles is evaluated against two fixed packages, and the
 * results folded into a volatile sum.
 */
#include "reftriage/hash.h"
#include "reftriage/score.h"

static volatile unsigned long sink;
static struct package pkg[2];

static void setup(void)
{
	static const char *const kv[][2] = {
	    {"package_ref", "SYN-F-1"},   {"received_at", "2026-11-02T08:00:00Z"},
	    {"source", "CEOP"},           {"referral_type", "grooming"},
	    {"meeting_proposed", "yes"},  {"meeting_date", "2026-11-04"},
	    {"youngest_child_age", "12"}, {"summary", "Met at the PARK"},
	    {"force_area", "North"},      {"images_cat_a", "3"},
	    {"subject_ref", "S1"}};
	struct reasons r;
	size_t i;
	int k;

	for (k = 0; k < 2; k++) {
		package_init(&pkg[k]);
		reasons_clear(&r);
		for (i = 0; i < (k ? 4 : sizeof(kv) / sizeof(kv[0])); i++)
			(void)package_set_text(&pkg[k], contract_lookup(kv[i][0], strlen(kv[i][0])),
			                       kv[i][1], strlen(kv[i][1]), &r);
		if (package_finish(&pkg[k], &r) < 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct diag_list errs;
	struct cond_input in;
	int64_t as_of = INT64_C(1793000000) * 1000000;
	int k;

	if (!ready) {
		if (hash_library_init() < 0)
			abort();
		setup();
		ready = true;
	}
	if (size < 1)
		return 0;
	diag_list_init(&errs, RULES_MAX_ERRORS);
	if (data[0] & 1) {
		struct cond *c = cond_compile((const char *)data + 1, size - 1, "fuzz", &errs);

		for (k = 0; c && k < 2; k++) {
			score_derive(&pkg[k], k, k, as_of, &in);
			sink += (unsigned long)cond_eval(c, &in);
		}
		cond_free(c);
	} else {
		struct ruleset *rs = ruleset_parse((const char *)data + 1, size - 1, &errs);

		for (k = 0; rs && k < 2; k++) {
			uint16_t fired[65536];
			struct score_result r;

			r.fired = fired;
			score_derive(&pkg[k], k, k, as_of, &in);
			score_package(rs, &in, as_of, &r);
			sink += (unsigned long)r.score + (unsigned long)r.priority + r.nfired;
		}
		ruleset_free(rs);
	}
	sink += errs.n;
	diag_list_release(&errs);
	return 0;
}
