/*
 * The management report's --by groups on paper: one row a group in three
 * tables (intake and backlog, response within time, outcomes), so that the
 * groups are compared side by side and a month of eight assignees takes a
 * page, not a page or two each (issue 27). The text and json writers keep
 * every figure of every group.
 */
#include "reftriage/mreport.h"

#include "reftriage/alloc.h"
#include "reftriage/report.h"

#include <stdlib.h>

static const char *group_name(const struct report_figures *g)
{
	return g->value ? g->value : "(none)";
}

/* Alphabetical, "(none)" last: a row is found by its name. */
static int by_name(const void *a, const void *b)
{
	const struct report_figures *x = *(const struct report_figures *const *)a;
	const struct report_figures *y = *(const struct report_figures *const *)b;

	if (!x->value || !y->value)
		return !x->value - !y->value;
	return strcmp(x->value, y->value);
}

static int head_cell(struct buf *b, const char *s)
{
	int rc = buf_adds(b, "<th>");

	rc |= report_html_escape(b, s);
	return rc | buf_adds(b, "</th>");
}

static int row_start(struct buf *b, const struct report_figures *g)
{
	int rc = buf_adds(b, "<tr><th>");

	rc |= report_html_escape(b, group_name(g));
	return rc | buf_adds(b, "</th>");
}

static int intake(struct buf *b, const struct mreport *m, const struct report_figures **g, size_t n,
                  const char *by)
{
	size_t i, k;
	int rc = 0;

	rc |= buf_adds(b, "<div class=blk><h3>Received and backlog by ");
	rc |= report_html_escape(b, by);
	rc |= buf_adds(b, "</h3>\n<table><thead><tr>");
	rc |= head_cell(b, by);
	rc |= buf_adds(b, "<th>received</th>");
	for (k = 0; k < m->nprio; k++)
		rc |= head_cell(b, m->prio[k]);
	rc |= buf_adds(b, "<th>unscored</th><th>open now</th><th>overdue</th>");
	for (k = 0; k < REPORT_AGES; k++)
		rc |= buf_addf(b, "<th>open %s d</th>", report_age_names[k]);
	rc |= buf_adds(b, "</tr></thead><tbody>\n");
	for (i = 0; i < n; i++) {
		rc |= row_start(b, g[i]);
		rc |= buf_addf(b, "<td class=n>%ld</td>", g[i]->received);
		for (k = 0; k < m->nprio; k++)
			rc |= buf_addf(b, "<td class=n>%ld</td>", g[i]->received_by_priority[k]);
		rc |= buf_addf(b, "<td class=n>%ld</td><td class=n>%ld</td><td class=n>%ld</td>",
		               g[i]->received_by_priority[REPORT_UNSCORED], g[i]->open,
		               g[i]->overdue);
		for (k = 0; k < REPORT_AGES; k++)
			rc |= buf_addf(b, "<td class=n>%ld</td>", g[i]->by_age[k]);
		rc |= buf_adds(b, "</tr>\n");
	}
	return rc | buf_adds(b, "</tbody></table></div>\n");
}

static int response(struct buf *b, const struct mreport *m, const struct report_figures **g,
                    size_t n, const char *by)
{
	size_t i, k;
	int rc = 0;

	rc |= buf_adds(b, "<div class=blk><h3>Response within time by ");
	rc |= report_html_escape(b, by);
	rc |= buf_adds(b, "</h3>\n<p class=meta>Each cell: met within time of those fallen due "
	                  "(met, late, or open and overdue), as above.</p>\n<table><thead><tr>");
	rc |= head_cell(b, by);
	for (k = 0; k < m->nprio; k++)
		rc |= head_cell(b, m->prio[k]);
	rc |= buf_adds(b, "</tr></thead><tbody>\n");
	for (i = 0; i < n; i++) {
		rc |= row_start(b, g[i]);
		for (k = 0; k < m->nprio; k++) {
			long w = report_within_time(g[i], k);
			long fallen = g[i]->met[k] + g[i]->late[k] + g[i]->open_overdue[k];

			rc |= w < 0 ? buf_adds(b, "<td class=n>-</td>")
			            : buf_addf(b, "<td class=n>%ld of %ld (%ld%%)</td>",
			                       g[i]->met[k], fallen, w);
		}
		rc |= buf_adds(b, "</tr>\n");
	}
	return rc | buf_adds(b, "</tbody></table></div>\n");
}

/* The codes any group has, in the order first met (at most 32: the codes are fixed). */
static size_t outcome_codes_of(const struct report_figures **g, size_t n, const char **codes)
{
	size_t i, k, c, nc = 0;

	for (i = 0; i < n; i++)
		for (k = 0; k < g[i]->noutcomes; k++) {
			for (c = 0; c < nc && strcmp(codes[c], g[i]->outcomes[k].code) != 0; c++)
				;
			if (c == nc && nc < 32)
				codes[nc++] = g[i]->outcomes[k].code;
		}
	return nc;
}

static int outcomes(struct buf *b, const struct report_figures **g, size_t n, const char *by)
{
	const char *codes[32];
	size_t i, k, c, nc = outcome_codes_of(g, n, codes);
	int rc = 0;

	/* None in any group: the figures for all referrals above already say so. */
	if (nc == 0)
		return 0;
	rc |= buf_adds(b, "<div class=blk><h3>Outcomes dated in the period by ");
	rc |= report_html_escape(b, by);
	rc |= buf_adds(b, "</h3>\n");
	rc |= buf_adds(b, "<table><thead><tr>");
	rc |= head_cell(b, by);
	for (c = 0; c < nc; c++)
		rc |= head_cell(b, codes[c]);
	rc |= buf_adds(b, "</tr></thead><tbody>\n");
	for (i = 0; i < n; i++) {
		rc |= row_start(b, g[i]);
		for (c = 0; c < nc; c++) {
			long v = 0;

			for (k = 0; k < g[i]->noutcomes; k++)
				if (strcmp(g[i]->outcomes[k].code, codes[c]) == 0)
					v = g[i]->outcomes[k].n;
			rc |= buf_addf(b, "<td class=n>%ld</td>", v);
		}
		rc |= buf_adds(b, "</tr>\n");
	}
	return rc | buf_adds(b, "</tbody></table></div>\n");
}

int report_html_groups(struct buf *b, const struct mreport *m)
{
	const struct report_figures **g;
	const char *by;
	size_t i;
	int rc = 0;

	/* No --by (by 0): no groups, and no name to read. */
	if (m->by == 0 || m->ngroups == 0)
		return 0;
	by = report_by_names[m->by - 1];
	g = rt_calloc(m->ngroups, sizeof(*g));
	if (!g)
		return -1;
	for (i = 0; i < m->ngroups; i++)
		g[i] = &m->groups[i];
	qsort((void *)g, m->ngroups, sizeof(*g), by_name);
	rc |= buf_addf(b, "<h2>By %s: %zu</h2>\n", by, m->ngroups);
	rc |= intake(b, m, g, m->ngroups, by);
	rc |= response(b, m, g, m->ngroups, by);
	rc |= outcomes(b, g, m->ngroups, by);
	rt_free((void *)g);
	return rc ? -1 : 0;
}
