/*
 * The report's casework figures (casework.md sections 1 and 2; outcomes.md
 * `report`): the overrides made in the period, by the band they set and
 * their direction, with their rate per 100 packages received, and the NFA
 * decisions with and without a second person's sign-off. Shared by the
 * JSON, text and HTML writers.
 */
#include "reftriage/mreport.h"

#include "reftriage/jsonw.h"
#include "reftriage/report.h"

/* Overrides per 100 packages received in the period; false when none was received. */
static bool per_100(const struct mreport *m, double *v)
{
	if (m->total.received <= 0)
		return false;
	*v = 100.0 * (double)m->casework.overrides / (double)m->total.received;
	return true;
}

int mreport_casework_json(struct buf *b, const struct mreport *m, bool *first)
{
	const struct mreport_casework *c = &m->casework;
	bool f = true, fb = true;
	double rate = 0;
	bool has_rate = per_100(m, &rate);
	size_t i;
	int rc = 0;

	rc |= jsonw_key(b, first, "overrides");
	rc |= buf_addc(b, '{');
	rc |= jsonw_key_int(b, &f, "count", c->overrides);
	rc |= jsonw_key_int(b, &f, "up", c->up);
	rc |= jsonw_key_int(b, &f, "down", c->down);
	rc |= jsonw_key_number(b, &f, "per_100_received", has_rate, rate);
	rc |= jsonw_key(b, &f, "by_band");
	rc |= buf_addc(b, '{');
	for (i = 0; i < m->nprio; i++) {
		bool f2 = true;

		rc |= jsonw_key(b, &fb, m->prio[i]);
		rc |= buf_addc(b, '{');
		rc |= jsonw_key_int(b, &f2, "up", c->band_up[i]);
		rc |= jsonw_key_int(b, &f2, "down", c->band_down[i]);
		rc |= buf_addc(b, '}');
	}
	rc |= buf_adds(b, "}}");
	f = true;
	rc |= jsonw_key(b, first, "nfa");
	rc |= buf_addc(b, '{');
	rc |= jsonw_key_int(b, &f, "total", c->nfa);
	rc |= jsonw_key_int(b, &f, "signed_off", c->nfa_signed_off);
	rc |= jsonw_key_int(b, &f, "without_sign_off", c->nfa - c->nfa_signed_off);
	rc |= buf_addc(b, '}');
	return rc ? -1 : 0;
}

/* The overrides and NFA sign-offs of the period, for people: text, or html. */
static int casework_words(struct buf *b, const struct mreport *m, bool html)
{
	const struct mreport_casework *c = &m->casework;
	double rate = 0;
	size_t i;
	int rc = 0;

	rc |= buf_adds(b, html ? "<p class=casework><b>Overrides:</b>" : "overrides:");
	rc |= buf_addf(b, " %ld made (%ld up, %ld down)", c->overrides, c->up, c->down);
	if (per_100(m, &rate))
		rc |= buf_addf(b, ", %.1f per 100 packages received", rate);
	for (i = 0; i < m->nprio; i++) {
		if (!c->band_up[i] && !c->band_down[i])
			continue;
		rc |= buf_adds(b, i ? "; " : ": ");
		rc |=
		    html ? report_html_escape(b, m->prio[i]) : report_text_safe(b, m->prio[i], 16);
		rc |= buf_addf(b, " %ld up, %ld down", c->band_up[i], c->band_down[i]);
	}
	if (html)
		rc |= buf_addf(b,
		               ". <b>Closed without action:</b> %ld, %ld signed off by a second "
		               "person, %ld without.</p>\n",
		               c->nfa, c->nfa_signed_off, c->nfa - c->nfa_signed_off);
	else
		rc |= buf_addf(b,
		               "\nnfa: %ld closed without action, %ld signed off by a second "
		               "person, %ld without\n",
		               c->nfa, c->nfa_signed_off, c->nfa - c->nfa_signed_off);
	return rc ? -1 : 0;
}

int mreport_casework_text(struct buf *b, const struct mreport *m)
{
	return casework_words(b, m, false);
}

int mreport_casework_html(struct buf *b, const struct mreport *m)
{
	return casework_words(b, m, true);
}
