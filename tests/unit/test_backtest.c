/* The statistics of a backtest (src/score/auc.c) and the outcome labels (src/model/outcome.c). */
#include "unit.h"

#include "reftriage/backtest.h"
#include "reftriage/outcome.h"

static double auc_of(struct backtest_case *c, size_t n, struct backtest_auc *a)
{
	assert_int_equal(backtest_auc(c, n, a), 0);
	return a->auc;
}

static void separated(void **state)
{
	/* Every positive above every negative: 1, with no spread at all. */
	struct backtest_case c[] = {
	    {3, 0, false}, {0, 10, true}, {1, 5, true}, {2, 7, false}, {0, 9, true}, {3, 1, false},
	};
	struct backtest_auc a;
	size_t i;

	(void)state;
	assert_true(auc_of(c, ARRAY_SIZE(c), &a) == 1.0);
	assert_true(a.has_ci);
	assert_true(a.lo == 1.0 && a.hi == 1.0);
	/* Reversed (the cases are now in rank order): 0. */
	for (i = 0; i < ARRAY_SIZE(c); i++)
		c[i].positive = !c[i].positive;
	backtest_auc_release(&a);
	assert_true(auc_of(c, ARRAY_SIZE(c), &a) == 0.0);
	backtest_auc_release(&a);
}

static void all_tied(void **state)
{
	/* One tie group: every pair counts one half; the ROC is the diagonal in one step. */
	struct backtest_case c[] = {{1, 5, true}, {1, 5, false}, {1, 5, true}, {1, 5, false}};
	struct backtest_auc a;

	(void)state;
	assert_true(auc_of(c, ARRAY_SIZE(c), &a) == 0.5);
	assert_int_equal(a.npoints, 2);
	assert_true(a.roc[1].fpr == 1.0 && a.roc[1].tpr == 1.0);
	backtest_auc_release(&a);
}

static void priority_before_score(void **state)
{
	/* A more urgent priority ranks first whatever the score (rules.md's order). */
	struct backtest_case c[] = {{0, 1, true}, {1, 500, false}};
	struct backtest_auc a;

	(void)state;
	assert_true(auc_of(c, ARRAY_SIZE(c), &a) == 1.0);
	assert_false(a.has_ci); /* one of each: no interval */
	backtest_auc_release(&a);
}

static void fixture(void **state)
{
	/* tests/cli/t0660-backtest.bats works these out by hand: 0.74, [0.410866, 1.069]. */
	struct backtest_case c[] = {
	    {1, 90, true},  {1, 60, true}, {1, 60, false}, {1, 55, true}, {2, 30, true},
	    {2, 30, false}, {3, 0, false}, {3, 0, true},   {3, 0, false}, {3, 0, false},
	};
	struct backtest_auc a;

	(void)state;
	assert_true(auc_of(c, ARRAY_SIZE(c), &a) > 0.74 - 1e-12 && a.auc < 0.74 + 1e-12);
	assert_true(a.has_ci);
	assert_true(a.lo > 0.4108655 && a.lo < 0.4108665);
	assert_true(a.hi == 1.0);
	assert_int_equal(a.npoints, 6);
	backtest_auc_release(&a);
}

static void empty_and_one_sided(void **state)
{
	struct backtest_case c[] = {{1, 5, true}, {2, 5, true}};
	struct backtest_auc a;

	(void)state;
	assert_int_equal(backtest_auc(NULL, 0, &a), 0);
	assert_false(a.has_auc);
	backtest_auc_release(&a);
	assert_int_equal(backtest_auc(c, 2, &a), 0);
	assert_false(a.has_auc);
	assert_false(a.has_ci);
	backtest_auc_release(&a);
}

static void labels(void **state)
{
	(void)state;
	assert_int_equal(outcome_label_of("nfa_no_offence;charged"), OUTCOME_POSITIVE);
	assert_int_equal(outcome_label_of("duplicate;nfa_public_interest"), OUTCOME_NEGATIVE);
	assert_int_equal(outcome_label_of("transferred;duplicate"), OUTCOME_EXCLUDED);
	assert_int_equal(outcome_label_of(""), OUTCOME_NONE);
	assert_non_null(outcome_code_find("IIOC_Found", 10));
	assert_null(outcome_code_find("arrest;", 7));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(separated),
	    cmocka_unit_test(all_tied),
	    cmocka_unit_test(priority_before_score),
	    cmocka_unit_test(fixture),
	    cmocka_unit_test(empty_and_one_sided),
	    cmocka_unit_test(labels),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
