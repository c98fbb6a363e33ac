/* The condition language, rule-set checking, and scoring. */
#include "unit.h"

#include "reftriage/hash.h"
#include "reftriage/score.h"
#include "reftriage/timeutil.h"

static struct package pkg;
static struct reasons rs_reasons;

/* Build pkg from "field=value" pairs (CSV text semantics); "" values stay unknown. */
static void make(const char *const *kv)
{
	size_t i;

	package_reset(&pkg);
	reasons_clear(&rs_reasons);
	(void)package_set_text(&pkg, F_PACKAGE_REF, "SYN-T-1", 7, &rs_reasons);
	(void)package_set_text(&pkg, F_SOURCE, "CEOP", 4, &rs_reasons);
	(void)package_set_text(&pkg, F_REFERRAL_TYPE, "grooming", 8, &rs_reasons);
	for (i = 0; kv[i]; i++) {
		const char *eq = strchr(kv[i], '=');
		int f = contract_lookup(kv[i], (size_t)(eq - kv[i]));

		assert_true(f >= 0);
		assert_int_equal(package_set_text(&pkg, f, eq + 1, strlen(eq + 1), &rs_reasons), 0);
	}
	if (!package_known(&pkg, F_RECEIVED_AT))
		assert_int_equal(
		    package_set_text(&pkg, F_RECEIVED_AT, "2026-11-02T08:00:00Z", 20, &rs_reasons),
		    0);
	assert_int_equal(package_finish(&pkg, &rs_reasons), 0);
}

static enum tv eval_at(const char *src, int64_t linked, int64_t as_of)
{
	struct diag_list errs;
	struct cond_input in;
	struct cond *c;
	enum tv r;

	diag_list_init(&errs, RULES_MAX_ERRORS);
	c = cond_compile(src, strlen(src), "test", &errs);
	if (!c)
		fail_msg("%s: %s", src, errs.n ? errs.d[0].message : "?");
	score_derive(&pkg, linked, 0, as_of, &in);
	r = cond_eval(c, &in);
	cond_free(c);
	diag_list_release(&errs);
	return r;
}

static int64_t T0;

static int by_time(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static enum tv eval(const char *src)
{
	return eval_at(src, 0, T0);
}

static const char *tv_value(enum tv v)
{
	return v == TV_TRUE ? "yes" : v == TV_FALSE ? "no" : "";
}

/* The SQL tables for and/or/not over true, false and unknown. */
static enum tv and3(enum tv a, enum tv b)
{
	if (a == TV_FALSE || b == TV_FALSE)
		return TV_FALSE;
	return a == TV_UNKNOWN || b == TV_UNKNOWN ? TV_UNKNOWN : TV_TRUE;
}

static enum tv or3(enum tv a, enum tv b)
{
	if (a == TV_TRUE || b == TV_TRUE)
		return TV_TRUE;
	return a == TV_UNKNOWN || b == TV_UNKNOWN ? TV_UNKNOWN : TV_FALSE;
}

static enum tv not3(enum tv a)
{
	return a == TV_UNKNOWN ? TV_UNKNOWN : a == TV_TRUE ? TV_FALSE : TV_TRUE;
}

static void truth_tables(void **state)
{
	static const enum tv vals[] = {TV_TRUE, TV_FALSE, TV_UNKNOWN};
	size_t i, j, k;

	(void)state;
	for (i = 0; i < 3; i++) {
		for (j = 0; j < 3; j++) {
			for (k = 0; k < 3; k++) {
				char a[64], b[64], c[64];
				const char *kv[] = {a, b, c, NULL};
				enum tv A = vals[i], B = vals[j], C = vals[k];

				(void)snprintf(a, sizeof(a), "meeting_proposed=%s", tv_value(A));
				(void)snprintf(b, sizeof(b), "travel_indicated=%s", tv_value(B));
				(void)snprintf(c, sizeof(c), "ongoing_contact=%s", tv_value(C));
				make(kv);
				assert_int_equal(eval("meeting_proposed"), A);
				assert_int_equal(eval("not meeting_proposed"), not3(A));
				assert_int_equal(eval("meeting_proposed and travel_indicated"),
				                 and3(A, B));
				assert_int_equal(eval("meeting_proposed or travel_indicated"),
				                 or3(A, B));
				assert_int_equal(eval("meeting_proposed is known"),
				                 A == TV_UNKNOWN ? TV_FALSE : TV_TRUE);
				assert_int_equal(eval("meeting_proposed is unknown"),
				                 A == TV_UNKNOWN ? TV_TRUE : TV_FALSE);
				/* Precedence: not binds tighter than and, and tighter than or. */
				assert_int_equal(eval("not meeting_proposed and travel_indicated "
				                      "or ongoing_contact"),
				                 or3(and3(not3(A), B), C));
				assert_int_equal(
				    eval(
				        "meeting_proposed or travel_indicated and ongoing_contact"),
				    or3(A, and3(B, C)));
				assert_int_equal(eval("(meeting_proposed or travel_indicated) and "
				                      "ongoing_contact"),
				                 and3(or3(A, B), C));
				assert_int_equal(eval("not not meeting_proposed"), A);
				assert_int_equal(eval("meeting_proposed = true"),
				                 A == TV_UNKNOWN ? TV_UNKNOWN : A);
				assert_int_equal(eval("meeting_proposed != true"), not3(A));
			}
		}
	}
}

static void every_test_on_unknown_is_unknown(void **state)
{
	static const char *const empty[] = {NULL};
	static const char *const tests[] = {
	    "subject_age = 30",        "subject_age != 30",      "subject_age < 30",
	    "subject_age <= 30",       "subject_age > 30",       "subject_age >= 30",
	    "subject_age in [30, 40]", "force_area = \"X\"",     "force_area contains \"x\"",
	    "subject_sex = \"M\"",     "subject_sex in [\"M\"]", "meeting_date = \"2026-11-04\"",
	    "days_to_meeting < 3",     "images_total > 0",       "child_identified",
	};
	size_t i;

	(void)state;
	make(empty);
	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		if (eval(tests[i]) != TV_UNKNOWN)
			fail_msg("%s is not unknown", tests[i]);
	}
	assert_int_equal(eval("subject_age is unknown"), TV_TRUE);
	assert_int_equal(eval("not subject_age = 30"), TV_UNKNOWN);
}

static void comparisons(void **state)
{
	static const char *const kv[] = {"subject_age=30",          "force_area=North Shire",
	                                 "subject_sex=M",           "summary=Met at the PARK",
	                                 "meeting_date=2026-11-04", NULL};

	(void)state;
	make(kv);
	assert_int_equal(eval("subject_age = 30"), TV_TRUE);
	assert_int_equal(eval("subject_age != 30"), TV_FALSE);
	assert_int_equal(eval("subject_age < 30"), TV_FALSE);
	assert_int_equal(eval("subject_age <= 30"), TV_TRUE);
	assert_int_equal(eval("subject_age > 29"), TV_TRUE);
	assert_int_equal(eval("subject_age >= 31"), TV_FALSE);
	assert_int_equal(eval("subject_age in [18, 30, 45]"), TV_TRUE);
	assert_int_equal(eval("subject_age in [18]"), TV_FALSE);
	assert_int_equal(eval("force_area = \"North Shire\""), TV_TRUE);
	assert_int_equal(eval("force_area = \"north shire\""), TV_FALSE); /* = is exact */
	assert_int_equal(eval("force_area in [\"A\", \"North Shire\"]"), TV_TRUE);
	assert_int_equal(eval("summary contains \"park\""), TV_TRUE); /* ASCII case folded */
	assert_int_equal(eval("summary contains \"PaRk\""), TV_TRUE);
	assert_int_equal(eval("summary contains \"school\""), TV_FALSE);
	assert_int_equal(eval("subject_sex = \"M\""), TV_TRUE);
	assert_int_equal(eval("subject_sex in [\"F\", \"X\"]"), TV_FALSE);
	assert_int_equal(eval("source = \"CEOP\" and referral_type = \"grooming\""), TV_TRUE);
	assert_int_equal(eval("meeting_date = \"2026-11-04\""), TV_TRUE);
	assert_int_equal(eval("meeting_date != \"2026-11-05\""), TV_TRUE);
	assert_int_equal(eval("summary contains \"a \\\"quoted\\\" word\""), TV_FALSE);
}

static void derived_fields(void **state)
{
	static const char *const kv[] = {"received_at=2026-11-02T08:00:00+01:00",
	                                 "meeting_date=2026-11-04", "images_cat_b=5", NULL};
	static const char *const none[] = {NULL};
	const char *why;
	int64_t as_of;

	(void)state;
	make(kv); /* received 07:00 UTC */
	/* One day later, to the microsecond: one whole day. One microsecond before: none. */
	assert_int_equal(time_parse_datetime("2026-11-03T07:00:00Z", 20, &as_of, &why), 0);
	assert_int_equal(eval_at("days_waiting = 1", 0, as_of), TV_TRUE);
	assert_int_equal(eval_at("days_waiting = 0", 0, as_of - 1), TV_TRUE);
	/* An as_of before receipt waits 0 days, not a negative number. */
	assert_int_equal(eval_at("days_waiting = 0", 0, as_of - 10 * US_PER_DAY), TV_TRUE);
	/* days_to_meeting counts UTC dates: 23:59:59 on the 3rd is still 1 day out. */
	assert_int_equal(time_parse_datetime("2026-11-03T23:59:59Z", 20, &as_of, &why), 0);
	assert_int_equal(eval_at("days_to_meeting = 1", 0, as_of), TV_TRUE);
	assert_int_equal(eval_at("days_to_meeting = 0", 0, as_of + US_PER_SEC), TV_TRUE);
	assert_int_equal(eval_at("days_to_meeting = -2", 0, as_of + 3 * US_PER_DAY), TV_TRUE);
	assert_int_equal(eval_at("images_total = 5", 0, as_of), TV_TRUE);
	assert_int_equal(eval_at("linked_packages = 3", 3, as_of), TV_TRUE);
	make(none);
	assert_int_equal(eval_at("images_total is unknown", 0, as_of), TV_TRUE);
	assert_int_equal(eval_at("days_to_meeting is unknown", 0, as_of), TV_TRUE);
	assert_int_equal(eval_at("linked_packages = 0", 0, as_of), TV_TRUE);
}

/* Compile src and return its first error as "column N: message". */
static const char *first_error(const char *src, size_t *count)
{
	static char out[600];
	struct diag_list errs;
	struct cond *c;

	diag_list_init(&errs, RULES_MAX_ERRORS);
	c = cond_compile(src, strlen(src), "rule X", &errs);
	assert_null(c);
	assert_true(errs.n >= 1);
	(void)snprintf(out, sizeof(out), "column %lu: %s", errs.d[0].column, errs.d[0].message);
	if (count)
		*count = errs.n;
	diag_list_release(&errs);
	return out;
}

static void compile_errors(void **state)
{
	size_t n;

	(void)state;
	assert_string_equal(first_error("meeting_proposed and youngest_chlid_age < 13", NULL),
	                    "column 22: unknown field \"youngest_chlid_age\" (did you mean "
	                    "youngest_child_age?)");
	assert_string_equal(first_error("subject_age", NULL),
	                    "column 1: subject_age is a whole-number field; on its own a field "
	                    "must be yes/no (compare it, or write subject_age is known)");
	assert_string_equal(first_error("source < \"CEOP\"", NULL),
	                    "column 8: < needs a whole-number field; source is a field with fixed "
	                    "values (only = and != apply)");
	assert_string_equal(first_error("source = \"ceop\"", NULL),
	                    "column 10: \"ceop\" is not a value of source (did you mean \"CEOP\"? "
	                    "values are case-sensitive)");
	assert_string_equal(
	    first_error("subject_age = \"30\"", NULL),
	    "column 15: subject_age is a whole-number field: compare it with a whole "
	    "number, not \"30\"");
	assert_string_equal(first_error("child_in_household = 1", NULL),
	                    "column 22: child_in_household is a yes/no field: compare it with true "
	                    "or false, not 1");
	assert_string_equal(first_error("subject_age contains \"3\"", NULL),
	                    "column 13: contains needs a text field; subject_age is a whole-number "
	                    "field");
	assert_string_equal(first_error("identifiers is known", NULL),
	                    "column 1: identifiers cannot be tested in a condition (use "
	                    "linked_packages)");
	assert_string_equal(first_error("meeting_proposed AND travel_indicated", NULL),
	                    "column 18: unexpected AND: keywords are lowercase (write and)");
	assert_string_equal(first_error("NOT meeting_proposed", NULL),
	                    "column 1: unknown field \"NOT\" (keywords are lowercase: \"not\")");
	assert_string_equal(first_error("(meeting_proposed or travel_indicated", NULL),
	                    "column 38: expected ')' to close the '(' at column 1, found the end");
	assert_string_equal(first_error("meeting_proposed && travel_indicated", NULL),
	                    "column 18: unexpected '&': write 'and' / 'or'");
	assert_string_equal(first_error("summary contains \"unclosed", NULL),
	                    "column 18: the string is not closed with \"");
	assert_string_equal(first_error("subject_age > 3.5", NULL),
	                    "column 16: a number must be whole digits (no fractions, units or "
	                    "letters)");
	assert_string_equal(first_error("", NULL), "column 1: the condition is empty");
	assert_string_equal(first_error("meeting_proposed is", NULL),
	                    "column 20: expected known or unknown after is, found the end");
	assert_string_equal(first_error("meeting_proposed travel_indicated", NULL),
	                    "column 18: unexpected travel_indicated after a complete condition "
	                    "(missing and/or?)");
	assert_string_equal(first_error("meeting_date = \"2026-02-30\"", NULL),
	                    "column 16: \"2026-02-30\" is not a date: day does not exist in that "
	                    "month");
	/* Nesting is bounded, so a hostile condition cannot exhaust the stack. */
	{
		char deep[300];
		size_t k;

		for (k = 0; k < 65; k++)
			deep[k] = '(';
		(void)snprintf(deep + 65, sizeof(deep) - 65, "meeting_proposed");
		assert_string_equal(first_error(deep, NULL),
		                    "column 65: parentheses and not nest more than 64 deep");
		memset(deep, 0, sizeof(deep));
		for (k = 0; k < 65; k++)
			memcpy(deep + 4 * k, "not ", 4);
		(void)snprintf(deep + 260, sizeof(deep) - 260, "distribution");
		assert_string_equal(first_error(deep, NULL),
		                    "column 257: parentheses and not nest more than 64 deep");
	}
	/* Every type error in one condition is reported, not only the first. */
	(void)first_error("subject_agee > 3 and sourse = \"CEOP\" and child_in_household = 2", &n);
	assert_int_equal(n, 3);
}

/* --- rule sets and scoring ------------------------------------------------ */

static const char bands[] = "\"bands\": ["
                            "{\"priority\": \"P1\", \"label\": \"Immediate\", \"min_score\": 100, "
                            "\"respond_within_hours\": 24},"
                            "{\"priority\": \"P2\", \"label\": \"High\", \"min_score\": 50, "
                            "\"respond_within_hours\": 72},"
                            "{\"priority\": \"P3\", \"label\": \"Medium\", \"min_score\": 20, "
                            "\"respond_within_hours\": 336},"
                            "{\"priority\": \"P4\", \"label\": \"Low\", \"min_score\": null, "
                            "\"respond_within_hours\": 720}]";

static struct ruleset *load(const char *rules_json)
{
	char text[4000];
	struct diag_list errs;
	struct ruleset *rs;

	(void)snprintf(text, sizeof(text),
	               "{\"name\": \"t\", \"version\": \"1\", %s, \"rules\": %s}", bands,
	               rules_json);
	diag_list_init(&errs, RULES_MAX_ERRORS);
	rs = ruleset_parse(text, strlen(text), &errs);
	if (!rs)
		fail_msg("%s: %s", errs.n ? errs.d[0].field : "",
		         errs.n ? errs.d[0].message : "oom");
	diag_list_release(&errs);
	return rs;
}

static void score_with(const struct ruleset *rs, struct score_result *out, uint16_t *fired)
{
	struct cond_input in;

	out->fired = fired;
	score_derive(&pkg, 0, 0, T0, &in);
	score_package(rs, &in, T0, out);
}

/* Score pkg with rules_json (and the bands above), then free the rules. */
static void score_rules(const char *rules_json, struct score_result *out, uint16_t *fired)
{
	struct ruleset *rs = load(rules_json);

	score_with(rs, out, fired);
	ruleset_free(rs);
}

/* Score pkg with rule A (points, fires) and, unless ageing is 0, ageing rule W (fires). */
static void score_a(int points, int ageing, struct score_result *out, uint16_t *fired)
{
	char rules[600], w[200] = "";

	if (ageing)
		(void)snprintf(w, sizeof(w),
		               ", {\"id\": \"W\", \"category\": \"ageing\", \"description\": "
		               "\"w\", \"when\": \"days_waiting >= 0\", \"points\": %d}",
		               ageing);
	(void)snprintf(rules, sizeof(rules),
	               "[{\"id\": \"A\", \"category\": \"other\", \"description\": \"a\", "
	               "\"when\": \"subject_age = 50\", \"points\": %d}%s]",
	               points, w);
	score_rules(rules, out, fired);
}

static void band_boundaries_and_floors(void **state)
{
	static const char *const kv[] = {"subject_age=50", NULL};
	struct ruleset *rs;
	struct score_result r;
	uint16_t fired[8];
	static const struct {
		int points;
		int priority;
	} cases[] = {{100, 0}, {99, 1}, {50, 1},  {49, 2},  {20, 2},
	             {19, 3},  {0, 3},  {-40, 3}, {1000, 0}};
	size_t i;

	(void)state;
	make(kv);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		score_a(cases[i].points, 0, &r, fired);
		assert_int_equal(r.score, cases[i].points);
		assert_int_equal(r.priority, cases[i].priority);
		assert_int_equal(r.band, cases[i].priority);
	}
	/* Points add up, negative ones too; a floor lifts the priority above the band. */
	rs = load("[{\"id\": \"A\", \"category\": \"other\", \"description\": \"a\", \"when\": "
	          "\"subject_age = 50\", \"points\": 30},"
	          "{\"id\": \"B\", \"category\": \"other\", \"description\": \"b\", \"when\": "
	          "\"subject_age > 40\", \"points\": -45, \"floor\": \"P2\"},"
	          "{\"id\": \"C\", \"category\": \"other\", \"description\": \"c\", \"when\": "
	          "\"subject_age < 40\", \"points\": 500, \"floor\": \"P1\"},"
	          "{\"id\": \"D\", \"category\": \"other\", \"description\": \"d\", \"when\": "
	          "\"child_identified\", \"points\": 500, \"floor\": \"P1\"}]");
	score_with(rs, &r, fired);
	assert_int_equal(r.score, -15);
	assert_int_equal(r.band, 3);
	assert_int_equal(r.priority, 1); /* floor P2 */
	assert_int_equal(r.nfired, 2);
	assert_int_equal(fired[0], 0);
	assert_int_equal(fired[1], 1);
	/* due_at is received_at plus the *priority* band's hours (P2: 72). */
	assert_int_equal(r.due_at, pkg.v[F_RECEIVED_AT] + 72 * 3600 * US_PER_SEC);
	assert_false(r.overdue);
	ruleset_free(rs);
}

/* rules.md scoring step 2: ageing points order a band, never choose it. */
static void ageing_orders_within_a_band(void **state)
{
	static const char *const kv[] = {"subject_age=50", NULL};
	static const struct {
		int points, ageing, band;
	} cases[] = {
	    {49, 30, 2},                /* 79 in all, but 49 without ageing: P3, not P2 */
	    {99, 60, 1},                /* 159 in all: still P2 */
	    {50, 0, 1},                 /* the boundary itself, without ageing */
	    {19, 900, 3},               /* any amount of waiting leaves P4 in P4 */
	    {100, 10, 0}, {50, -40, 1}, /* negative ageing points cannot lower the band either */
	};
	struct score_result r;
	uint16_t fired[4];
	size_t i;

	(void)state;
	make(kv);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		score_a(cases[i].points, cases[i].ageing, &r, fired);
		/* The score, which orders the list, still counts the waiting. */
		assert_int_equal(r.score, cases[i].points + cases[i].ageing);
		assert_int_equal(r.nfired, cases[i].ageing ? 2 : 1);
		assert_int_equal(r.band, cases[i].band);
		assert_int_equal(r.priority, cases[i].band);
	}
}

/* due_at for a package received 2026-11-02T08:00:00Z with these fields. */
static int64_t due_with(const char *const *kv, const char *rules)
{
	struct score_result r;
	uint16_t fired[4];

	make(kv);
	score_rules(rules, &r, fired);
	return r.due_at;
}

static int64_t at(const char *when)
{
	int64_t t;
	const char *why;

	assert_int_equal(time_parse_datetime(when, strlen(when), &t, &why), 0);
	return t;
}

/* rules.md scoring step 4: a proposed meeting brings due_at forward. */
static void meeting_bounds_due_at(void **state)
{
	static const char *const same_day[] = {"meeting_proposed=yes", "meeting_date=2026-11-02",
	                                       NULL};
	static const char *const next_day[] = {"meeting_proposed=yes", "meeting_date=2026-11-03",
	                                       NULL};
	static const char *const before[] = {"meeting_proposed=yes", "meeting_date=2026-11-01",
	                                     NULL};
	static const char *const eight_days[] = {"meeting_proposed=yes", "meeting_date=2026-11-10",
	                                         NULL};
	static const char *const not_proposed[] = {"meeting_proposed=no", "meeting_date=2026-11-03",
	                                           NULL};
	static const char *const unknown[] = {"meeting_date=2026-11-03", NULL};
	static const char *const no_date[] = {"meeting_proposed=yes", NULL};
	static const char p1[] = "[{\"id\": \"M\", \"category\": \"child_at_risk\", "
	                         "\"description\": \"m\", \"when\": \"meeting_proposed\", "
	                         "\"points\": 0, \"floor\": \"P1\"}]";
	int64_t received = at("2026-11-02T08:00:00Z"), p4 = received + 720 * 3600 * US_PER_SEC;

	(void)state;
	/* On the day of receipt: due at once (never before received_at). */
	assert_int_equal(due_with(same_day, "[]"), received);
	/* The day after: the start of that day, sooner than P4's 30 days. */
	assert_int_equal(due_with(next_day, "[]"), at("2026-11-03T00:00:00Z"));
	/* A meeting dated before the day of receipt is past: the band's full time. */
	assert_int_equal(due_with(before, "[]"), p4);
	/* Eight days out with P1's 24 hours: the band's time is the earlier. */
	assert_int_equal(due_with(eight_days, p1), received + 24 * 3600 * US_PER_SEC);
	assert_int_equal(due_with(eight_days, "[]"), at("2026-11-10T00:00:00Z"));
	/* Only a meeting that is proposed, with a known date, counts. */
	assert_int_equal(due_with(not_proposed, "[]"), p4);
	assert_int_equal(due_with(unknown, "[]"), p4);
	assert_int_equal(due_with(no_date, "[]"), p4);
}

/*
 * rules.md scoring step 4: a package reopened by a new version is due from
 * when that version was stored (the later of it and received_at), and a
 * meeting bounds due_at from the day of that clock start.
 */
static void reopen_starts_the_clock(void **state)
{
	static const char *const kv[] = {"received_at=2026-11-18T10:00:00Z", "meeting_proposed=yes",
	                                 "meeting_date=2026-11-30", NULL};
	static const char *const met[] = {"received_at=2026-11-18T10:00:00Z",
	                                  "meeting_proposed=yes", "meeting_date=2026-11-20", NULL};
	static const char p1[] = "[{\"id\": \"M\", \"category\": \"child_at_risk\", "
	                         "\"description\": \"m\", \"when\": \"meeting_proposed\", "
	                         "\"points\": 0, \"floor\": \"P1\"}]";
	struct ruleset *rs;
	struct score_result r;
	struct cond_input in;
	uint16_t fired[4];
	int64_t reopened = at("2026-11-27T12:00:00Z");

	(void)state;
	rs = load(p1);
	r.fired = fired;
	make(kv);
	score_derive(&pkg, 0, 0, reopened, &in);
	assert_int_equal(in.clock_start, at("2026-11-18T10:00:00Z"));
	score_package(rs, &in, reopened, &r);
	assert_int_equal(r.due_at, at("2026-11-19T10:00:00Z")); /* from receipt */
	score_reopened(&in, reopened);
	score_package(rs, &in, reopened, &r);
	assert_int_equal(r.due_at, at("2026-11-28T12:00:00Z")); /* 24 h from the reopen */
	assert_false(r.overdue);
	/* An earlier time, or none, leaves the clock at receipt. */
	score_derive(&pkg, 0, 0, reopened, &in);
	score_reopened(&in, 0);
	score_reopened(&in, at("2026-11-01T00:00:00Z"));
	assert_int_equal(in.clock_start, at("2026-11-18T10:00:00Z"));
	/* A meeting dated before the reopen's day is past: it bounds nothing. */
	make(met);
	score_derive(&pkg, 0, 0, reopened, &in);
	score_reopened(&in, reopened);
	score_package(rs, &in, reopened, &r);
	assert_int_equal(r.due_at, at("2026-11-28T12:00:00Z"));
	ruleset_free(rs);
}

/* The limits hold in the library, for a stored rule set as for a file. */
static void limits(void **state)
{
	struct diag_list errs;
	size_t i, len = RULES_MAX_FILE_BYTES + 1;
	char *big = malloc(len);

	(void)state;
	assert_non_null(big);
	memset(big, ' ', len);
	big[0] = '{';
	big[len - 1] = '}';
	diag_list_init(&errs, RULES_MAX_ERRORS);
	assert_null(ruleset_parse(big, len, &errs));
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.d[0].message,
	                    "the file has 1048577 bytes; a rules file has at most "
	                    "1048576");
	diag_list_release(&errs);
	free(big);
	/* Errors beyond RULES_MAX_ERRORS are counted, not kept. */
	for (i = 0; i < RULES_MAX_ERRORS + 7; i++)
		rules_error_add(&errs, "here", NULL, 0, "error %zu", i);
	assert_int_equal(errs.n, RULES_MAX_ERRORS);
	assert_int_equal(errs.more, 7);
	assert_string_equal(errs.d[RULES_MAX_ERRORS - 1].message, "error 99");
	diag_list_release(&errs);
	assert_int_equal(errs.more, 0);
}

static void overdue_is_strictly_after_due(void **state)
{
	static const char *const kv[] = {"received_at=2026-11-01T00:00:00Z", NULL};
	struct ruleset *rs;
	struct score_result r;
	struct cond_input in;
	uint16_t fired[4];
	int64_t due;

	(void)state;
	make(kv);
	rs = load("[]");
	r.fired = fired;
	due = pkg.v[F_RECEIVED_AT] + 720 * 3600 * US_PER_SEC;
	score_derive(&pkg, 0, 0, due, &in);
	score_package(rs, &in, due, &r);
	assert_int_equal(r.due_at, due);
	assert_false(r.overdue);
	score_package(rs, &in, due + 1, &r);
	assert_true(r.overdue);
	ruleset_free(rs);
}

/*
 * score_valid_until: scoring at any time from as_of up to the time it gives
 * must give the same result. Rules with every kind of test on the two
 * fields that move with time, packages received, due and meeting at
 * different times, and as_of sampled across ten weeks at and around every
 * day's midnight, every due time and the hours between.
 */
static bool same_result(const struct score_result *a, const struct score_result *b)
{
	return a->score == b->score && a->band == b->band && a->priority == b->priority &&
	       a->due_at == b->due_at && a->overdue == b->overdue && a->nfired == b->nfired &&
	       memcmp(a->fired, b->fired, a->nfired * sizeof(a->fired[0])) == 0;
}

#define HOLD_SAMPLES 1200

static void a_score_holds_until_valid_until(void **state)
{
	static const char *const packages[][4] = {
	    {"received_at=2026-11-01T00:00:00Z", NULL},
	    {"received_at=2026-11-02T13:45:00Z", "meeting_proposed=true", "meeting_date=2026-11-20",
	     NULL},
	    {"received_at=2026-11-10T23:59:59Z", "meeting_date=2026-11-09", NULL},
	    {"received_at=2026-12-30T06:00:00Z", "meeting_proposed=yes", "meeting_date=2027-01-02",
	     NULL},
	};
	static struct score_result res[HOLD_SAMPLES];
	static uint16_t fired[HOLD_SAMPLES][16];
	static int64_t at[HOLD_SAMPLES], until[HOLD_SAMPLES];
	struct ruleset *rs = load(
	    "[{\"id\": \"W1\", \"category\": \"ageing\", \"description\": \"w\", \"when\": "
	    "\"days_waiting >= 3\", \"points\": 5},"
	    "{\"id\": \"W2\", \"category\": \"ageing\", \"description\": \"w\", \"when\": "
	    "\"days_waiting > 9 and days_waiting <= 20\", \"points\": 7},"
	    "{\"id\": \"W3\", \"category\": \"other\", \"description\": \"w\", \"when\": "
	    "\"days_waiting = 5 or days_waiting in [12, 40]\", \"points\": 60},"
	    "{\"id\": \"W4\", \"category\": \"other\", \"description\": \"w\", \"when\": "
	    "\"not (days_waiting != 30) or days_waiting < 1\", \"points\": 1},"
	    "{\"id\": \"M1\", \"category\": \"grooming_risk\", \"description\": \"m\", \"when\": "
	    "\"days_to_meeting >= 0 and days_to_meeting <= 7\", \"points\": 200, \"floor\": "
	    "\"P1\"},"
	    "{\"id\": \"M2\", \"category\": \"other\", \"description\": \"m\", \"when\": "
	    "\"days_to_meeting < -3 or days_to_meeting = 10 or days_to_meeting is unknown\", "
	    "\"points\": 3}]");
	struct score_horizon h;
	size_t p, i, j, n, checked = 0, longer = 0;

	(void)state;
	assert_int_equal(score_horizon_init(&h, rs), 0);
	for (p = 0; p < sizeof(packages) / sizeof(packages[0]); p++) {
		struct cond_input in;
		int64_t start, due = 0;

		make(packages[p]);
		start =
		    time_floor_div(pkg.v[F_RECEIVED_AT], US_PER_DAY) * US_PER_DAY - 3 * US_PER_DAY;
		/* Each day: midnight, a microsecond either side, every sixth hour. */
		for (n = 0; n + 8 <= HOLD_SAMPLES - 4 && n < 8 * 70;) {
			int64_t day = start + (int64_t)(n / 8) * US_PER_DAY;

			at[n++] = day - 1;
			at[n++] = day;
			at[n++] = day + 1;
			for (i = 1; i <= 4; i++)
				at[n++] = day + (int64_t)i * 6 * 3600 * US_PER_SEC - (int64_t)i;
			at[n++] = day + 23 * 3600 * US_PER_SEC;
		}
		/* Around the due time (as scored at the start). */
		res[0].fired = fired[0];
		score_derive(&pkg, 0, 0, start, &in);
		score_package(rs, &in, start, &res[0]);
		due = res[0].due_at;
		at[n++] = due - 1;
		at[n++] = due;
		at[n++] = due + 1;
		at[n++] = due + 2;
		qsort(at, n, sizeof(at[0]), by_time);
		for (i = 0; i < n; i++) {
			res[i].fired = fired[i];
			score_derive(&pkg, 0, 0, at[i], &in);
			score_package(rs, &in, at[i], &res[i]);
			until[i] = score_valid_until(&h, &in, &res[i]);
			assert_true(until[i] > at[i]);
		}
		for (i = 0; i < n; i++) {
			for (j = i + 1; j < n && at[j] < until[i]; j++) {
				if (!same_result(&res[i], &res[j]))
					fail_msg(
					    "package %zu: scored at %lld, valid until %lld, but "
					    "different at %lld",
					    p, (long long)at[i], (long long)until[i],
					    (long long)at[j]);
				checked++;
			}
			longer += until[i] - at[i] > US_PER_DAY;
		}
	}
	/* It holds across many samples, and for more than a day at a time. */
	assert_true(checked > 10000);
	assert_true(longer > 100);
	score_horizon_release(&h);
	ruleset_free(rs);
}

static int setup(void **state)
{
	const char *why;

	(void)state;
	if (hash_library_init() < 0)
		return -1;
	package_init(&pkg);
	return time_parse_datetime("2026-11-02T18:00:00Z", 20, &T0, &why);
}

static int teardown(void **state)
{
	(void)state;
	package_release(&pkg);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(truth_tables),
	    cmocka_unit_test(every_test_on_unknown_is_unknown),
	    cmocka_unit_test(comparisons),
	    cmocka_unit_test(derived_fields),
	    cmocka_unit_test(compile_errors),
	    cmocka_unit_test(band_boundaries_and_floors),
	    cmocka_unit_test(overdue_is_strictly_after_due),
	    cmocka_unit_test(limits),
	    cmocka_unit_test(ageing_orders_within_a_band),
	    cmocka_unit_test(meeting_bounds_due_at),
	    cmocka_unit_test(reopen_starts_the_clock),
	    cmocka_unit_test(a_score_holds_until_valid_until),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
