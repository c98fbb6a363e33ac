/* UTF-8 validation, safe display of values, edit distance, times. */
#include "unit.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "reftriage/buf.h"
#include "reftriage/jsonw.h"
#include "reftriage/text.h"
#include "reftriage/timeutil.h"

static void utf8_valid_and_invalid(void **state)
{
	(void)state;
	assert_int_equal(utf8_invalid_at("plain ascii", 11), 11);
	assert_int_equal(utf8_invalid_at("caf\xc3\xa9", 5), 5);
	assert_int_equal(utf8_invalid_at("\xf0\x9f\x98\x80", 4), 4);       /* U+1F600 */
	assert_int_equal(utf8_invalid_at("ab\xff", 3), 2);                 /* never valid */
	assert_int_equal(utf8_invalid_at("\xc0\xaf", 2), 0);               /* overlong */
	assert_int_equal(utf8_invalid_at("\xe0\x80\xaf", 3), 0);           /* overlong */
	assert_int_equal(utf8_invalid_at("\xed\xa0\x80", 3), 0);           /* surrogate */
	assert_int_equal(utf8_invalid_at("\xf4\x90\x80\x80", 4), 0);       /* > U+10FFFF */
	assert_int_equal(utf8_invalid_at("12345678\xc3", 9), 8);           /* cut short */
	assert_int_equal(utf8_invalid_at("0123456789abcdef\x80", 17), 16); /* after fast path */
}

static void display_escapes_and_cuts(void **state)
{
	char out[400];
	char longv[200];

	(void)state;
	text_display(out, sizeof(out), "a\nb\x01\xff", 5, 80);
	assert_string_equal(out, "a\\nb\\x01\\xff");
	memset(longv, 'x', sizeof(longv));
	text_display(out, sizeof(out), longv, sizeof(longv), 80);
	assert_int_equal(strlen(out), 83);
	assert_string_equal(out + 80, "...");
	/* Multi-byte characters count as one and are never split. */
	text_display(out, sizeof(out), "\xc3\xa9\xc3\xa9\xc3\xa9", 6, 2);
	assert_string_equal(out, "\xc3\xa9\xc3\xa9...");
	/* A tiny buffer is never overrun. */
	text_display(out, 6, "abcdefghij", 10, 80);
	assert_true(strlen(out) < 6);
}

static void distance(void **state)
{
	(void)state;
	assert_int_equal(text_distance("source", 6, "source", 6, 3), 0);
	assert_int_equal(text_distance("sorce", 5, "source", 6, 3), 1);
	assert_int_equal(text_distance("youngest_chlid_age", 18, "youngest_child_age", 18, 3), 2);
	assert_true(text_distance("abc", 3, "xyzxyz", 6, 3) > 3);
	assert_true(text_ieq("TRUE", 4, "true"));
	assert_false(text_ieq("tru", 3, "true"));
}

static void parse_times(void **state)
{
	const char *why;
	int64_t us;
	int32_t days;
	char out[40];

	(void)state;
	assert_int_equal(time_parse_datetime("2026-11-02T08:15:00Z", 20, &us, &why), 0);
	time_format(us, out);
	assert_string_equal(out, "2026-11-02T08:15:00Z");
	/* An offset is converted to UTC. */
	assert_int_equal(time_parse_datetime("2026-11-02T08:15:00+01:00", 25, &us, &why), 0);
	time_format(us, out);
	assert_string_equal(out, "2026-11-02T07:15:00Z");
	/* Crossing midnight and a year backwards. */
	assert_int_equal(time_parse_datetime("2026-01-01T00:30:00+01:00", 25, &us, &why), 0);
	time_format(us, out);
	assert_string_equal(out, "2025-12-31T23:30:00Z");
	assert_int_equal(time_parse_datetime("2026-11-02T08:15:00.250-05:30", 29, &us, &why), 0);
	time_format(us, out);
	assert_string_equal(out, "2026-11-02T13:45:00.25Z");
	/* Microseconds, their trailing zeros cut; the earliest and latest years. */
	time_format(us + 1, out);
	assert_string_equal(out, "2026-11-02T13:45:00.250001Z");
	time_format(INT64_C(1793000000000000) + 123456, out);
	assert_string_equal(out, "2026-10-26T07:33:20.123456Z");
	time_format(0, out);
	assert_string_equal(out, "1970-01-01T00:00:00Z");
	time_format(-1, out);
	assert_string_equal(out, "1969-12-31T23:59:59.999999Z");
	time_format_date(0, out);
	assert_string_equal(out, "1970-01-01");
	time_format_date(20759, out);
	assert_string_equal(out, "2026-11-02");
	time_format_date(2932896, out);
	assert_string_equal(out, "9999-12-31");
	/* A date alone is midnight UTC. */
	assert_int_equal(time_parse_datetime("2024-02-29", 10, &us, &why), 0);
	time_format(us, out);
	assert_string_equal(out, "2024-02-29T00:00:00Z");
	/* Refused. */
	assert_int_equal(time_parse_datetime("2026-02-29", 10, &us, &why), -1);
	assert_int_equal(time_parse_datetime("2026-13-01", 10, &us, &why), -1);
	assert_int_equal(time_parse_datetime("2026-11-02T08:15:00", 19, &us, &why), -1);
	assert_non_null(strstr(why, "time zone"));
	assert_int_equal(time_parse_datetime("2026-11-02T24:00:00Z", 20, &us, &why), -1);
	assert_int_equal(time_parse_datetime("2026-11-02T23:59:60Z", 20, &us, &why), -1);
	assert_int_equal(time_parse_datetime("2026-11-02T08:15:00+1:00", 24, &us, &why), -1);
	assert_int_equal(time_parse_datetime("2026-11-02 08:15:00Z", 20, &us, &why), -1);
	assert_int_equal(time_parse_datetime("2026-11-02T08:15:00.1234567Z", 28, &us, &why), -1);
	assert_int_equal(time_parse_datetime("02/11/2026", 10, &us, &why), -1);
	assert_int_equal(time_parse_date("2026-11-02", 10, &days, &why), 0);
	time_format_date(days, out);
	assert_string_equal(out, "2026-11-02");
	assert_int_equal(time_parse_date("2026-11-02T00:00:00Z", 20, &days, &why), -1);
	assert_int_equal(time_parse_date("1899-12-31", 10, &days, &why), -1);
}

/* Times for people: local, to the minute, the zone named; TZ decides. */
static void local_times(void **state)
{
	char out[TIME_LOCAL_MAX];
	const char *why;
	int64_t us;

	(void)state;
	assert_int_equal(time_parse_datetime("2026-11-02T09:15:59.9Z", 22, &us, &why), 0);
	assert_int_equal(setenv("TZ", "Europe/London", 1), 0);
	time_format_local(us, out);
	assert_string_equal(out, "2026-11-02 09:15 GMT");
	/* Summer time: an hour on, and the zone says so. */
	assert_int_equal(time_parse_datetime("2026-07-01T23:30:00Z", 20, &us, &why), 0);
	time_format_local(us, out);
	assert_string_equal(out, "2026-07-02 00:30 BST");
	assert_int_equal(setenv("TZ", "UTC", 1), 0);
	time_format_local(us, out);
	assert_string_equal(out, "2026-07-01 23:30 UTC");
	assert_int_equal(unsetenv("TZ"), 0);
}

/* buf_addf: in the room there is, and across a growth, always NUL-terminated. */
static void buf_formats(void **state)
{
	struct buf b;
	int i;

	(void)state;
	buf_init(&b);
	assert_int_equal(buf_addf(&b, "%d-%s", 42, "x"), 0);
	assert_string_equal(b.data, "42-x");
	for (i = 0; i < 40; i++)
		assert_int_equal(buf_addf(&b, "[%02d:%s]", i, "abcdefgh"), 0);
	assert_int_equal(b.len, 4 + 40 * 13);
	assert_int_equal(b.data[b.len], '\0');
	assert_int_equal(memcmp(b.data + 4, "[00:abcdefgh][01:abcdefgh]", 26), 0);
	assert_string_equal(b.data + b.len - 13, "[39:abcdefgh]");
	buf_reset(&b);
	assert_int_equal(buf_addf(&b, "%0300d", 7), 0); /* longer than the room */
	assert_int_equal(b.len, 300);
	assert_int_equal(b.data[299], '7');
	assert_int_equal(b.data[300], '\0');
	buf_release(&b);
}

/* v written as JSON reads back as exactly v, and is text. */
static void json_number_reads_back(double v, const char *want)
{
	char t[JSONW_NUMBER_MAX];

	jsonw_number_text(t, v);
	if (want)
		assert_string_equal(t, want);
	assert_true(strtod(t, NULL) == v);
}

static void json_numbers(void **state)
{
	char t[JSONW_NUMBER_MAX];
	struct buf b;
	bool first = true;
	double third = 1.0 / 3.0, lift = 1.2698768197;
	int i;

	(void)state;
	/* 15 digits where they read back: the short form people expect. */
	json_number_reads_back(0.1, "0.1");
	json_number_reads_back(0.74, "0.74");
	json_number_reads_back(1.2698768197, "1.2698768197");
	json_number_reads_back(1e-7, "1e-07");
	json_number_reads_back(3.0, "3");
	json_number_reads_back(-2.5, "-2.5");
	json_number_reads_back(0.0, "0");
	json_number_reads_back(1e300, "1e+300");
	json_number_reads_back(123456789012345.0, "123456789012345");
	/* 17 where 15 would name another double. */
	json_number_reads_back(third, "0.33333333333333331");
	json_number_reads_back(0.1 + 0.2, "0.30000000000000004");
	json_number_reads_back(2.0 / 3.0, "0.66666666666666663");
	json_number_reads_back(1234567890123456789.0, "1.2345678901234568e+18");
	json_number_reads_back(DBL_MAX, "1.7976931348623157e+308");
	json_number_reads_back(DBL_MIN, "2.2250738585072014e-308");
	json_number_reads_back(5e-324, "4.94065645841247e-324"); /* 15 digits do */
	/* A figure computed from others, as a script would recompute it. */
	json_number_reads_back(lift * 7.0 / 9.0, NULL);
	for (i = 1; i < 2000; i++)
		json_number_reads_back((double)i / 997.0, NULL);
	/* Not numbers in JSON: null. */
	assert_string_equal(jsonw_number_text(t, NAN), "null");
	assert_string_equal(jsonw_number_text(t, INFINITY), "null");
	assert_string_equal(jsonw_number_text(t, -INFINITY), "null");
	/* Into a buffer, as a member, and absent. */
	buf_init(&b);
	assert_int_equal(buf_addc(&b, '{'), 0);
	assert_int_equal(jsonw_key_number(&b, &first, "lift", true, third), 0);
	assert_int_equal(jsonw_key_number(&b, &first, "auc", false, 0.5), 0);
	assert_int_equal(jsonw_key(&b, &first, "ci"), 0);
	assert_int_equal(buf_addc(&b, '['), 0);
	assert_int_equal(jsonw_number(&b, lift), 0);
	assert_int_equal(buf_adds(&b, "]}"), 0);
	assert_string_equal(b.data,
	                    "{\"lift\":0.33333333333333331,\"auc\":null,\"ci\":[1.2698768197]}");
	buf_release(&b);
}

/*
 * JSON strings: the escapes at the start, in the middle, at the end and
 * none, each written after other text into a buffer that has to grow, and
 * the buffer's length and NUL kept right (jsonw_string's one-copy path).
 */
static void json_strings(void **state)
{
	static const struct {
		const char *in;
		size_t n; /* 0: strlen(in) */
		const char *out;
	} cases[] = {
	    {"", 0, "\"\""},
	    {"plain text, nothing to escape", 0, "\"plain text, nothing to escape\""},
	    {"\"quoted\"", 0, "\"\\\"quoted\\\"\""},
	    {"a\\b", 0, "\"a\\\\b\""},
	    {"line\nbreak\ttab\r", 0, "\"line\\nbreak\\ttab\\r\""},
	    {"end\x01", 0, "\"end\\u0001\""},
	    {"\x1f\b\fx", 0, "\"\\u001f\\b\\fx\""},
	    {"caf\xc3\xa9 \xe2\x80\x94", 0, "\"caf\xc3\xa9 \xe2\x80\x94\""},
	    {"nul\0inside", 10, "\"nul\\u0000inside\""},
	};
	struct buf b;
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = cases[i].n ? cases[i].n : strlen(cases[i].in);

		/* Empty (no allocation yet), then after text that filled most of it. */
		for (j = 0; j < 2; j++) {
			buf_init(&b);
			if (j)
				for (size_t k = 0; k < 61; k++)
					assert_int_equal(buf_addc(&b, '-'), 0);
			assert_int_equal(jsonw_string(&b, cases[i].in, n), 0);
			assert_int_equal(buf_addc(&b, '|'), 0);
			assert_int_equal(b.len, 61 * j + strlen(cases[i].out) + 1);
			assert_memory_equal(b.data + 61 * j, cases[i].out, strlen(cases[i].out));
			assert_string_equal(b.data + 61 * j + strlen(cases[i].out), "|");
			buf_release(&b);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(utf8_valid_and_invalid),
	    cmocka_unit_test(local_times),
	    cmocka_unit_test(display_escapes_and_cuts),
	    cmocka_unit_test(distance),
	    cmocka_unit_test(parse_times),
	    cmocka_unit_test(buf_formats),
	    cmocka_unit_test(json_numbers),
	    cmocka_unit_test(json_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
