/*
 * rules diff for people (outcomes.md): the movement matrix, the summary
 * lines rules install prints too, and the whole diff as text.
 */
#include "diff-internal.h"

#include "reftriage/alloc.h"
#include "reftriage/report.h"
#include "reftriage/timeutil.h"

int report_diff_matrix(FILE *f, const struct rules_diff *df)
{
	struct buf b;
	size_t i, j;
	int rc = 0;

	buf_init(&b);
	rc |= buf_adds(&b, "  from \\ to");
	for (j = 0; j < df->to->nbands; j++) {
		rc |= buf_adds(&b, "  ");
		rc |= report_cell(&b, df->to->bands[j].priority, 6, true);
	}
	rc |= buf_adds(&b, "   total\n");
	for (i = 0; i < df->from->nbands; i++) {
		rc |= buf_adds(&b, "  ");
		rc |= report_cell(&b, df->from->bands[i].priority, 9, false);
		for (j = 0; j < df->to->nbands; j++)
			rc |= buf_addf(&b, "  %6ld", df->matrix[i][j]);
		rc |= buf_addf(&b, "  %6ld\n", diff_total(df, i, true));
	}
	rc |= buf_adds(&b, "  total    ");
	for (j = 0; j < df->to->nbands; j++)
		rc |= buf_addf(&b, "  %6ld", diff_total(df, j, false));
	rc |= buf_addf(&b, "  %6zu\n", df->n);
	if (!rc)
		rc = report_page_flush(f, &b);
	buf_release(&b);
	return rc ? -1 : 0;
}

int report_diff_summary(FILE *f, const struct rules_diff *df)
{
	struct buf b;
	int rc;

	buf_init(&b);
	rc = diff_summary(&b, df, false);
	if (!rc)
		rc = report_page_flush(f, &b);
	buf_release(&b);
	return rc ? -1 : 0;
}

int report_diff_text(FILE *f, const struct rules_diff *df)
{
	struct buf b;
	uint32_t *m;
	size_t n = 0, i;
	int rc = 0;

	buf_init(&b);
	m = diff_movers(df, false, TEXT_MOVERS, &n);
	rc |= !m;
	rc |= buf_adds(&b, "rules diff: ");
	rc |= diff_names(&b, df, false);
	rc |= buf_adds(&b, ".\n");
	rc |= diff_summary(&b, df, false);
	rc |= buf_adds(&b, "\nopen packages by priority (rows: from, columns: to)\n");
	rc |= report_page_flush(f, &b);
	rc |= report_diff_matrix(f, df);
	if (df->priority_changed == 0)
		rc |= buf_adds(&b, "\nno package changes priority.\n");
	else
		rc |= buf_addf(&b, "\ntop movers (most bands moved first; %zu of %zu)\n", n,
		               df->priority_changed);
	for (i = 0; m && i < n; i++)
		rc |= diff_mover_line(&b, df, &df->pkgs[m[i]], false);
	rc |= diff_due(&b, df, false);
	rc |= diff_backtest_pair(&b, df, false);
	if (!rc)
		rc = report_page_flush(f, &b);
	rt_free(m);
	buf_release(&b);
	return rc ? -1 : 0;
}
