/* Field validation, canonical form, content hash and facts of a package. */
#include "unit.h"

#include "reftriage/hash.h"
#include "reftriage/package.h"

struct fixture {
	struct package p;
	struct reasons r;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx || hash_library_init() < 0)
		return -1;
	package_init(&fx->p);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	package_release(&fx->p);
	free(fx);
	return 0;
}

static int set(struct fixture *fx, int f, const char *v)
{
	return package_set_text(&fx->p, f, v, strlen(v), &fx->r);
}

static void start(struct fixture *fx)
{
	package_reset(&fx->p);
	reasons_clear(&fx->r);
}

/* The four required fields, valid. */
static void required(struct fixture *fx)
{
	assert_int_equal(set(fx, F_PACKAGE_REF, "SYN-2026-0001"), 0);
	assert_int_equal(set(fx, F_RECEIVED_AT, "2026-11-02T08:15:00+01:00"), 0);
	assert_int_equal(set(fx, F_SOURCE, "CEOP"), 0);
	assert_int_equal(set(fx, F_REFERRAL_TYPE, "grooming"), 0);
}

static void one_reason(struct fixture *fx, const char *field, const char *needle)
{
	assert_int_equal(fx->r.n, 1);
	assert_string_equal(fx->r.r[0].field, field);
	if (!strstr(fx->r.r[0].message, needle))
		fail_msg("message \"%s\" lacks \"%s\"", fx->r.r[0].message, needle);
}

static void valid_minimal(void **state)
{
	struct fixture *fx = *state;
	size_t n;
	const char *c;

	start(fx);
	required(fx);
	assert_int_equal(package_finish(&fx->p, &fx->r), 0);
	c = package_canonical(&fx->p, &n);
	assert_string_equal(c, "{\"package_ref\":\"SYN-2026-0001\",\"received_at\":"
	                       "\"2026-11-02T07:15:00Z\",\"source\":\"CEOP\",\"referral_type\":"
	                       "\"grooming\"}");
}

static void missing_required_all_reported(void **state)
{
	struct fixture *fx = *state;

	start(fx);
	assert_int_equal(set(fx, F_FORCE_AREA, "Northshire"), 0);
	assert_int_equal(set(fx, F_SOURCE, ""), 0);
	assert_int_equal(package_finish(&fx->p, &fx->r), -1);
	assert_int_equal(fx->r.n, 4);
	assert_string_equal(fx->r.r[0].field, "package_ref");
	assert_non_null(strstr(fx->r.r[0].message, "missing"));
	assert_string_equal(fx->r.r[2].field, "source");
	assert_non_null(strstr(fx->r.r[2].message, "empty"));
}

static void ints(void **state)
{
	struct fixture *fx = *state;

	start(fx);
	assert_int_equal(set(fx, F_SUBJECT_AGE, "34"), 0);
	assert_int_equal(fx->p.v[F_SUBJECT_AGE], 34);
	start(fx);
	assert_int_equal(set(fx, F_SUBJECT_AGE, "3.5"), -1);
	one_reason(fx, "subject_age", "\"3.5\" is not a whole number");
	start(fx);
	assert_int_equal(set(fx, F_SUBJECT_AGE, "9"), -1);
	one_reason(fx, "subject_age", "out of range (expected a whole number from 10 to 120)");
	start(fx);
	assert_int_equal(set(fx, F_SUBJECT_AGE, " 34"), -1);
	one_reason(fx, "subject_age", "not a whole number");
	start(fx);
	assert_int_equal(set(fx, F_IMAGES_CAT_A, "-1"), -1);
	one_reason(fx, "images_cat_a", "0 or more");
	start(fx);
	assert_int_equal(set(fx, F_IMAGES_CAT_A, "99999999999999999999999"), -1);
	one_reason(fx, "images_cat_a", "out of range");
	start(fx);
	assert_int_equal(set(fx, F_YOUNGEST_CHILD_AGE, "18"), -1);
	one_reason(fx, "youngest_child_age", "0 to 17");
	start(fx);
	assert_int_equal(set(fx, F_IMAGES_CAT_A, "1e3"), -1);
	start(fx);
	assert_int_equal(set(fx, F_IMAGES_CAT_A, "-"), -1);
	/* No sign where the range has no negatives: "-0" and "+1" are not counts. */
	start(fx);
	assert_int_equal(set(fx, F_IMAGES_CAT_A, "-0"), -1);
	one_reason(fx, "images_cat_a",
	           "\"-0\" has a minus sign (expected a whole number, 0 or more)");
	start(fx);
	assert_int_equal(set(fx, F_SUBJECT_AGE, "-00"), -1);
	one_reason(fx, "subject_age", "has a minus sign");
	start(fx);
	assert_int_equal(set(fx, F_IMAGES_CAT_A, "+1"), -1);
	one_reason(fx, "images_cat_a", "not a whole number");
}

static void bools(void **state)
{
	struct fixture *fx = *state;
	static const char *const yes[] = {"true", "TRUE", "Yes", "y", "1"};
	static const char *const no[] = {"false", "No", "N", "0"};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		start(fx);
		assert_int_equal(set(fx, F_CHILD_IN_HOUSEHOLD, yes[i]), 0);
		assert_int_equal(fx->p.v[F_CHILD_IN_HOUSEHOLD], 1);
	}
	for (i = 0; i < ARRAY_SIZE(no); i++) {
		start(fx);
		assert_int_equal(set(fx, F_CHILD_IN_HOUSEHOLD, no[i]), 0);
		assert_int_equal(fx->p.v[F_CHILD_IN_HOUSEHOLD], 0);
	}
	start(fx);
	assert_int_equal(set(fx, F_CHILD_IN_HOUSEHOLD, ""), 0);
	assert_false(package_known(&fx->p, F_CHILD_IN_HOUSEHOLD)); /* unknown is not false */
	start(fx);
	assert_int_equal(set(fx, F_CHILD_IN_HOUSEHOLD, "yes-ish"), -1);
	one_reason(fx, "child_in_household", "\"yes-ish\" is not a yes/no value");
}

static int set_csv(struct fixture *fx, int f, const char *v)
{
	return package_set_csv_text(&fx->p, f, v, strlen(v), &fx->r);
}

/* CSV: spaces and tabs around a typed value are a spreadsheet's, not the value's. */
static void csv_spaces(void **state)
{
	struct fixture *fx = *state;
	size_t n;

	start(fx);
	assert_int_equal(set_csv(fx, F_CHILD_SELF_HARM_RISK, "Y "), 0);
	assert_int_equal(fx->p.v[F_CHILD_SELF_HARM_RISK], 1);
	assert_int_equal(set_csv(fx, F_SUBJECT_AGE, "\t 34 "), 0);
	assert_int_equal(fx->p.v[F_SUBJECT_AGE], 34);
	assert_int_equal(set_csv(fx, F_SOURCE, " CEOP\t"), 0);
	assert_int_equal(set_csv(fx, F_RECEIVED_AT, " 2026-11-02T08:15:00Z "), 0);
	assert_int_equal(set_csv(fx, F_MEETING_DATE, "2026-11-20  "), 0);
	assert_int_equal(set_csv(fx, F_IMAGES_CAT_A, "   "), 0); /* only spaces: unknown */
	assert_false(package_known(&fx->p, F_IMAGES_CAT_A));
	assert_int_equal(fx->r.n, 0);
	/* Text keeps its spaces; a space inside a value is still wrong. */
	assert_int_equal(set_csv(fx, F_FORCE_AREA, " Northshire "), 0);
	assert_string_equal(package_str(&fx->p, F_FORCE_AREA, &n), " Northshire ");
	assert_int_equal(n, 12);
	start(fx);
	assert_int_equal(set_csv(fx, F_PACKAGE_REF, "SYN-1 "), -1);
	one_reason(fx, "package_ref", "has a character outside");
	start(fx);
	assert_int_equal(set_csv(fx, F_SUBJECT_AGE, " 3 4 "), -1);
	one_reason(fx, "subject_age", "\"3 4\" is not a whole number");
	/* Not in JSON, nor in package_set_text. */
	start(fx);
	assert_int_equal(set(fx, F_CHILD_SELF_HARM_RISK, "Y "), -1);
	start(fx);
	assert_int_equal(package_set_json_string(&fx->p, F_SOURCE, "CEOP ", 5, &fx->r), -1);
}

static void strings_and_refs(void **state)
{
	struct fixture *fx = *state;
	char big[4002];

	start(fx);
	assert_int_equal(set(fx, F_PACKAGE_REF, "ab"), -1);
	one_reason(fx, "package_ref", "3 to 64");
	start(fx);
	assert_int_equal(set(fx, F_PACKAGE_REF, "-abc"), -1);
	one_reason(fx, "package_ref", "start with a letter or digit");
	start(fx);
	assert_int_equal(set(fx, F_PACKAGE_REF, "abc;drop"), -1);
	one_reason(fx, "package_ref", "position 4");
	start(fx);
	assert_int_equal(set(fx, F_PACKAGE_REF, "CEOP/2026.11_A-1"), 0);
	memset(big, 'a', sizeof(big));
	start(fx);
	assert_int_equal(package_set_text(&fx->p, F_SUMMARY, big, 4001, &fx->r), -1);
	one_reason(fx, "summary", "4001 bytes long (the limit is 4000 bytes)");
	start(fx);
	assert_int_equal(package_set_text(&fx->p, F_SUMMARY, big, 4000, &fx->r), 0);
	start(fx);
	assert_int_equal(set(fx, F_SUMMARY, "line one\nline two\ttab"), 0);
	start(fx);
	assert_int_equal(set(fx, F_FORCE_AREA, "North\nshire"), -1);
	one_reason(fx, "force_area", "control character");
	start(fx);
	assert_int_equal(package_set_text(&fx->p, F_SUMMARY, "a\0b", 3, &fx->r), -1);
	one_reason(fx, "summary", "NUL byte at byte 2");
	start(fx);
	assert_int_equal(set(fx, F_SUMMARY, "bad \xff byte"), -1);
	one_reason(fx, "summary", "not valid UTF-8 (byte 5 is 0xff)");
}

static void enums(void **state)
{
	struct fixture *fx = *state;

	start(fx);
	assert_int_equal(set(fx, F_SOURCE, "ceop"), -1);
	one_reason(fx, "source", "did you mean CEOP?");
	start(fx);
	assert_int_equal(set(fx, F_REFERRAL_TYPE, "stalking"), -1);
	one_reason(fx, "referral_type", "is not one of possession, distribution");
	start(fx);
	assert_int_equal(set(fx, F_CLASSIFICATION, "OFFICIAL-SENSITIVE"), 0);
}

static void identifiers(void **state)
{
	struct fixture *fx = *state;
	size_t n;
	const char *c;

	start(fx);
	required(fx);
	assert_int_equal(set(fx, F_IDENTIFIERS, "ip:3a7b;email:9f86;ip:3a7b;email:0000"), 0);
	assert_int_equal(package_finish(&fx->p, &fx->r), 0);
	c = package_canonical(&fx->p, &n);
	/* Sorted by type (contract order), then token; the duplicate dropped. */
	assert_non_null(strstr(c, "\"identifiers\":[{\"type\":\"email\",\"token\":\"0000\"},"
	                          "{\"type\":\"email\",\"token\":\"9f86\"},{\"type\":\"ip\","
	                          "\"token\":\"3a7b\"}]"));
	start(fx);
	assert_int_equal(set(fx, F_IDENTIFIERS, "email:a;fax:b;phone:;junk"), -1);
	assert_int_equal(fx->r.n, 3);
	assert_non_null(strstr(fx->r.r[0].message, "item 2: type \"fax\""));
	assert_non_null(strstr(fx->r.r[1].message, "item 3: the phone token is empty"));
	assert_non_null(strstr(fx->r.r[2].message, "item 4 \"junk\""));
}

static void dates(void **state)
{
	struct fixture *fx = *state;

	start(fx);
	assert_int_equal(set(fx, F_RECEIVED_AT, "2026-11-02T08:15:00"), -1);
	one_reason(fx, "received_at", "no time zone");
	start(fx);
	assert_int_equal(set(fx, F_MEETING_DATE, "2026-02-30"), -1);
	one_reason(fx, "meeting_date", "day does not exist");
	start(fx);
	assert_int_equal(set(fx, F_MEETING_DATE, "2026-11-09"), 0);
}

static void every_reason_collected(void **state)
{
	struct fixture *fx = *state;

	start(fx);
	required(fx);
	(void)set(fx, F_SUBJECT_AGE, "old");
	(void)set(fx, F_CHILD_IN_HOUSEHOLD, "perhaps");
	(void)set(fx, F_MEETING_DATE, "soon");
	assert_int_equal(package_finish(&fx->p, &fx->r), -1);
	assert_int_equal(fx->r.n, 3);
	assert_string_equal(fx->r.r[0].field, "subject_age");
	assert_string_equal(fx->r.r[1].field, "child_in_household");
	assert_string_equal(fx->r.r[2].field, "meeting_date");
}

static void long_values_cut_to_80(void **state)
{
	struct fixture *fx = *state;
	char v[300];

	memset(v, '7', 299);
	v[299] = '\0';
	v[0] = 'x';
	start(fx);
	assert_int_equal(set(fx, F_SUBJECT_AGE, v), -1);
	/* "x777...(80 characters)..." */
	assert_non_null(strstr(fx->r.r[0].message, "7...\" is not a whole number"));
	assert_true(strlen(fx->r.r[0].message) < 200);
}

/* The same package given as CSV text and as JSON values has one hash. */
static void csv_and_json_hash_alike(void **state)
{
	struct fixture *fx = *state;
	unsigned char h1[HASH_BYTES];
	struct reasons *r = &fx->r;
	struct package *p = &fx->p;

	start(fx);
	required(fx);
	assert_int_equal(set(fx, F_SUBJECT_AGE, "34"), 0);
	assert_int_equal(set(fx, F_CHILD_IN_HOUSEHOLD, "Y"), 0);
	assert_int_equal(set(fx, F_SUMMARY, "Synthetic \"test\" data\n"), 0);
	assert_int_equal(set(fx, F_IDENTIFIERS, "username:u1;email:e1"), 0);
	assert_int_equal(set(fx, F_FORCE_AREA, ""), 0);
	assert_int_equal(package_finish(p, r), 0);
	memcpy(h1, p->hash, HASH_BYTES);

	start(fx);
	/* JSON order differs, times are given in UTC, unknowns are null. */
	assert_int_equal(package_set_json_string(p, F_SOURCE, "CEOP", 4, r), 0);
	assert_int_equal(package_set_json_string(p, F_RECEIVED_AT, "2026-11-02T07:15:00Z", 20, r),
	                 0);
	assert_int_equal(package_set_json_string(p, F_PACKAGE_REF, "SYN-2026-0001", 13, r), 0);
	assert_int_equal(package_set_json_string(p, F_REFERRAL_TYPE, "grooming", 8, r), 0);
	assert_int_equal(package_set_json_int(p, F_SUBJECT_AGE, 34, "34", r), 0);
	assert_int_equal(package_set_json_bool(p, F_CHILD_IN_HOUSEHOLD, true, r), 0);
	assert_int_equal(package_set_json_string(p, F_SUMMARY, "Synthetic \"test\" data\n", 22, r),
	                 0);
	assert_int_equal(package_add_ident(p, "email", 5, "e1", 2, 1, r), 0);
	assert_int_equal(package_add_ident(p, "username", 8, "u1", 2, 2, r), 0);
	assert_int_equal(package_set_json_null(p, F_FORCE_AREA, r), 0);
	assert_int_equal(package_finish(p, r), 0);
	assert_memory_equal(h1, p->hash, HASH_BYTES);
}

static void json_types(void **state)
{
	struct fixture *fx = *state;
	struct package *p = &fx->p;

	start(fx);
	assert_int_equal(package_set_json_real(p, F_SUBJECT_AGE, "3.5", &fx->r), -1);
	one_reason(fx, "subject_age", "fractions");
	start(fx);
	assert_int_equal(package_set_json_string(p, F_SUBJECT_AGE, "34", 2, &fx->r), -1);
	one_reason(fx, "subject_age", "is a string (expected a JSON number");
	start(fx);
	assert_int_equal(package_set_json_string(p, F_CHILD_IN_HOUSEHOLD, "true", 4, &fx->r), -1);
	one_reason(fx, "child_in_household", "expected true, false or null");
	start(fx);
	assert_int_equal(package_set_json_int(p, F_FORCE_AREA, 7, "7", &fx->r), -1);
	one_reason(fx, "force_area", "is a number (expected a JSON string");
	start(fx);
	assert_int_equal(package_set_json_bool(p, F_SUBJECT_AGE, true, &fx->r), -1);
	start(fx);
	assert_int_equal(package_set_json_wrong(p, F_SUMMARY, "an object", &fx->r), -1);
	one_reason(fx, "summary", "is an object");
	start(fx);
	assert_int_equal(package_set_json_string(p, F_FORCE_AREA, "a", 1, &fx->r), 0);
	assert_int_equal(package_set_json_string(p, F_FORCE_AREA, "b", 1, &fx->r), -1);
	one_reason(fx, "force_area", "more than once");
}

static void facts_round_trip(void **state)
{
	struct fixture *fx = *state;
	struct package q;
	struct buf b;
	int f;

	start(fx);
	required(fx);
	assert_int_equal(set(fx, F_SUBJECT_AGE, "34"), 0);
	assert_int_equal(set(fx, F_CHILD_IN_HOUSEHOLD, "no"), 0);
	assert_int_equal(set(fx, F_MEETING_DATE, "2026-11-09"), 0);
	assert_int_equal(set(fx, F_SUMMARY, "text"), 0);
	assert_int_equal(set(fx, F_IDENTIFIERS, "ip:1;email:2"), 0);
	assert_int_equal(package_finish(&fx->p, &fx->r), 0);
	buf_init(&b);
	package_init(&q);
	assert_int_equal(package_encode_facts(&fx->p, &b), 0);
	assert_int_equal(package_decode_facts(&q, b.data, b.len), 0);
	/* Contract v1 fields only: stored as before contract v2 (version 1). */
	assert_int_equal(b.data[0], 1);
	assert_memory_equal(q.known, fx->p.known, sizeof(q.known));
	for (f = 0; f < CONTRACT_NFIELDS; f++) {
		struct buf x, y;

		if (!package_known(&q, f))
			continue;
		buf_init(&x);
		buf_init(&y);
		assert_int_equal(package_format_value(&q, f, &x), 0);
		assert_int_equal(package_format_value(&fx->p, f, &y), 0);
		assert_string_equal(x.data, y.data);
		buf_release(&x);
		buf_release(&y);
	}
	/* Truncated or versioned differently: refused, never misread. */
	assert_int_equal(package_decode_facts(&q, b.data, b.len - 1), -1);
	b.data[0] = 99;
	assert_int_equal(package_decode_facts(&q, b.data, b.len), -1);
	package_release(&q);
	buf_release(&b);
}

/* A contract v2 field past the 64th: version 2 facts, read back the same. */
static void facts_v2_round_trip(void **state)
{
	struct fixture *fx = *state;
	struct package q;
	struct buf b, x;

	start(fx);
	required(fx);
	assert_int_equal(set(fx, F_SOURCE_PRIORITY, "E"), 0);
	assert_int_equal(set(fx, F_ESP_SADISTIC_ONLINE_EXPLOITATION, "true"), 0);
	assert_int_equal(set(fx, F_INCIDENT_AT, "2026-10-30T21:40:00+01:00"), 0);
	assert_int_equal(package_finish(&fx->p, &fx->r), 0);
	buf_init(&b);
	buf_init(&x);
	package_init(&q);
	assert_int_equal(package_encode_facts(&fx->p, &b), 0);
	assert_int_equal(b.data[0], PACKAGE_FACTS_VERSION);
	assert_int_equal(package_decode_facts(&q, b.data, b.len), 0);
	assert_memory_equal(q.known, fx->p.known, sizeof(q.known));
	assert_true(package_known(&q, F_ESP_SADISTIC_ONLINE_EXPLOITATION));
	assert_int_equal(package_format_value(&q, F_INCIDENT_AT, &x), 0);
	assert_string_equal(x.data, "2026-10-30T20:40:00Z");
	assert_int_equal(package_rebuild_canonical(&q), 0);
	assert_memory_equal(q.hash, fx->p.hash, sizeof(q.hash));
	/* A mask bit past the last field is refused. */
	b.data[1 + 8 * CONTRACT_MASK_WORDS - 1] = (char)0x80;
	assert_int_equal(package_decode_facts(&q, b.data, b.len), -1);
	package_release(&q);
	buf_release(&b);
	buf_release(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(valid_minimal),
	    cmocka_unit_test(facts_v2_round_trip),
	    cmocka_unit_test(missing_required_all_reported),
	    cmocka_unit_test(ints),
	    cmocka_unit_test(bools),
	    cmocka_unit_test(csv_spaces),
	    cmocka_unit_test(strings_and_refs),
	    cmocka_unit_test(enums),
	    cmocka_unit_test(identifiers),
	    cmocka_unit_test(dates),
	    cmocka_unit_test(every_reason_collected),
	    cmocka_unit_test(long_values_cut_to_80),
	    cmocka_unit_test(csv_and_json_hash_alike),
	    cmocka_unit_test(json_types),
	    cmocka_unit_test(facts_round_trip),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
