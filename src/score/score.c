/* Derived fields and scoring, exactly as rules.md says. */
#include "reftriage/score.h"

#include "reftriage/timeutil.h"

void score_derive(const struct package *p, int64_t linked_packages, int64_t ip_linked_packages,
                  int64_t as_of, struct cond_input *in)
{
	int64_t waited, total = 0;
	bool any = false;
	int f;

	in->pkg = p;
	in->derived_known = 0;
	/* Whole days from received_at to as_of, rounded down, never negative. */
	waited = time_floor_div(as_of - p->v[F_RECEIVED_AT], US_PER_DAY);
	in->derived[D_DAYS_WAITING - CONTRACT_NFIELDS] = waited < 0 ? 0 : waited;
	in->derived_known |= 1u << (D_DAYS_WAITING - CONTRACT_NFIELDS);
	/* The meeting date minus as_of's UTC date: negative once past. */
	if (package_known(p, F_MEETING_DATE)) {
		in->derived[D_DAYS_TO_MEETING - CONTRACT_NFIELDS] =
		    p->v[F_MEETING_DATE] - time_floor_div(as_of, US_PER_DAY);
		in->derived_known |= 1u << (D_DAYS_TO_MEETING - CONTRACT_NFIELDS);
	}
	/* The sum of the known image counts; unknown when all three are. */
	for (f = F_IMAGES_CAT_A; f <= F_IMAGES_CAT_C; f++) {
		if (package_known(p, f)) {
			total += p->v[f];
			any = true;
		}
	}
	if (any) {
		in->derived[D_IMAGES_TOTAL - CONTRACT_NFIELDS] = total;
		in->derived_known |= 1u << (D_IMAGES_TOTAL - CONTRACT_NFIELDS);
	}
	in->derived[D_LINKED_PACKAGES - CONTRACT_NFIELDS] =
	    linked_packages < SCORE_LINKS_MAX ? linked_packages : SCORE_LINKS_MAX;
	in->derived_known |= 1u << (D_LINKED_PACKAGES - CONTRACT_NFIELDS);
	in->derived[D_IP_LINKED_PACKAGES - CONTRACT_NFIELDS] =
	    ip_linked_packages < SCORE_LINKS_MAX ? ip_linked_packages : SCORE_LINKS_MAX;
	in->derived_known |= 1u << (D_IP_LINKED_PACKAGES - CONTRACT_NFIELDS);
}

/*
 * received_at plus the band's response time, but no later than the start
 * (00:00 UTC) of a proposed meeting's day when that day is not before the
 * day of receipt, and never before received_at (rules.md, scoring step 4):
 * the package falls due before the child is to be met.
 */
static int64_t due_at(const struct package *p, int64_t respond_within_hours)
{
	int64_t received = p->v[F_RECEIVED_AT];
	int64_t due = received + respond_within_hours * 3600 * US_PER_SEC, meeting;

	if (!package_known(p, F_MEETING_PROPOSED) || !p->v[F_MEETING_PROPOSED] ||
	    !package_known(p, F_MEETING_DATE))
		return due;
	/* A meeting dated before the day of receipt is past: it bounds nothing. */
	if (p->v[F_MEETING_DATE] < time_floor_div(received, US_PER_DAY))
		return due;
	meeting = p->v[F_MEETING_DATE] * US_PER_DAY;
	if (meeting < due)
		due = meeting;
	return due < received ? received : due;
}

void score_package(const struct ruleset *rs, const struct cond_input *in, int64_t as_of,
                   struct score_result *out)
{
	int64_t band_score = 0;
	size_t i;

	out->score = 0;
	out->nfired = 0;
	out->priority = (int)rs->nbands - 1;
	for (i = 0; i < rs->nrules; i++) {
		const struct rule *r = &rs->rules[i];

		/* A rule fires only when its condition is true (not unknown). */
		if (cond_eval(r->cond, in) != TV_TRUE)
			continue;
		out->score += r->points;
		if (r->category != CAT_AGEING)
			band_score += r->points;
		out->fired[out->nfired++] = (uint16_t)i;
	}
	/*
	 * The first band whose min_score <= the score without ageing points; the
	 * last band catches the rest. Waiting orders packages within a band but
	 * never moves one to a more urgent band, whose response time would then
	 * already have passed.
	 */
	out->band = (int)rs->nbands - 1;
	for (i = 0; i + 1 < rs->nbands; i++) {
		if (rs->bands[i].min_score <= band_score) {
			out->band = (int)i;
			break;
		}
	}
	/* The most urgent of the band and every fired rule's floor. */
	out->priority = out->band;
	for (i = 0; i < out->nfired; i++) {
		int fl = rs->rules[out->fired[i]].floor;

		if (fl >= 0 && fl < out->priority)
			out->priority = fl;
	}
	out->due_at = due_at(in->pkg, rs->bands[out->priority].respond_within_hours);
	out->overdue = as_of > out->due_at;
}
