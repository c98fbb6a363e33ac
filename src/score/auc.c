/*
 * The statistics of a backtest: the AUC as the Mann-Whitney statistic with
 * ties counting one half, and DeLong's variance (DeLong, DeLong and
 * Clarke-Pearson 1988) for its 95 % interval, both in one walk of the cases
 * in rank order, tie group by tie group: O(n log n) for the sort.
 *
 * For a positive in a tie group, V10 is the share of negatives ranked below
 * it plus half of those tied with it; for a negative, V01 is the share of
 * positives ranked above it plus half of those tied. The AUC is the mean of
 * V10 (and of V01); var(AUC) = S10 / m + S01 / n, where S10 and S01 are the
 * sample variances of V10 over the m positives and of V01 over the n
 * negatives. Every case in a tie group shares its V, so the sums are taken
 * per group.
 */
#include "reftriage/backtest.h"

#include "reftriage/alloc.h"

#include <stdlib.h>

static int cmp_rank(const void *a, const void *b)
{
	const struct backtest_case *x = a, *y = b;

	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return 0;
}

static bool same_rank(const struct backtest_case *x, const struct backtest_case *y)
{
	return x->priority == y->priority && x->score == y->score;
}

void backtest_auc_release(struct backtest_auc *a)
{
	rt_free(a->roc);
	memset(a, 0, sizeof(*a));
}

/* The tie groups' counts, and the running totals above the group. */
struct walk {
	double m, n;      /* positives, negatives */
	double pos_above; /* positives in the groups already walked */
	double neg_above; /* negatives in the groups already walked */
	double sum10, sum01, sq10, sq01;
};

static void add_group(struct walk *w, double pos, double neg)
{
	double neg_below = w->n - w->neg_above - neg;
	double v10 = w->n > 0 ? (neg_below + 0.5 * neg) / w->n : 0;
	double v01 = w->m > 0 ? (w->pos_above + 0.5 * pos) / w->m : 0;

	w->sum10 += pos * v10;
	w->sq10 += pos * v10 * v10;
	w->sum01 += neg * v01;
	w->sq01 += neg * v01 * v01;
	w->pos_above += pos;
	w->neg_above += neg;
}

/*
 * The square root of x > 0 by Newton's method, to the last bit or so: the
 * one function of libm this needs, so that the build needs no -lm.
 */
static double root(double x)
{
	double r = x > 1 ? x : 1, prev;
	int i;

	for (i = 0; i < 200; i++) {
		prev = r;
		r = 0.5 * (r + x / r);
		if (r >= prev)
			break;
	}
	return r;
}

/* The 95 % interval from the walk's sums (needs two of each). */
static void interval(const struct walk *w, struct backtest_auc *out)
{
	double a = out->auc;
	/* The sample variances, sum((v - a)^2) / (k - 1), from the sums. */
	double s10 = (w->sq10 - 2 * a * w->sum10 + w->m * a * a) / (w->m - 1);
	double s01 = (w->sq01 - 2 * a * w->sum01 + w->n * a * a) / (w->n - 1);
	double var = s10 / w->m + s01 / w->n, se;

	se = var > 0 ? root(var) : 0;
	out->lo = a - 1.959963984540054 * se;
	out->hi = a + 1.959963984540054 * se;
	if (out->lo < 0)
		out->lo = 0;
	if (out->hi > 1)
		out->hi = 1;
	out->has_ci = true;
}

int backtest_auc(struct backtest_case *cases, size_t n, struct backtest_auc *out)
{
	struct walk w;
	size_t i, j;

	memset(out, 0, sizeof(*out));
	memset(&w, 0, sizeof(w));
	if (n)
		qsort(cases, n, sizeof(*cases), cmp_rank);
	for (i = 0; i < n; i++)
		*(cases[i].positive ? &w.m : &w.n) += 1;
	out->roc = rt_calloc(n + 1, sizeof(*out->roc));
	if (!out->roc)
		return -1;
	out->npoints = 1; /* (0, 0) */
	for (i = 0; i < n; i = j) {
		double pos = 0, neg = 0;

		for (j = i; j < n && same_rank(&cases[i], &cases[j]); j++)
			*(cases[j].positive ? &pos : &neg) += 1;
		add_group(&w, pos, neg);
		out->roc[out->npoints].fpr = w.n > 0 ? w.neg_above / w.n : 0;
		out->roc[out->npoints].tpr = w.m > 0 ? w.pos_above / w.m : 0;
		out->npoints++;
	}
	if (w.m > 0 && w.n > 0) {
		out->has_auc = true;
		out->auc = w.sum10 / w.m;
		if (w.m >= 2 && w.n >= 2)
			interval(&w, out);
	}
	return 0;
}
