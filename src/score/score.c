/* Derived fields and scoring, exactly as rules.md says. */
#include "reftriage/score.h"

#include "reftriage/alloc.h"
#include "reftriage/text.h"
#include "reftriage/timeutil.h"

void score_derive(const struct package *p, int64_t linked_packages, int64_t ip_linked_packages,
                  int64_t as_of, struct cond_input *in)
{
	int64_t waited, total = 0;
	bool any = false;
	int f;

	in->pkg = p;
	in->derived_known = 0;
	in->clock_start = p->v[F_RECEIVED_AT];
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
	/* One for a known le_agency; the list's matches are added by score_deconflicted. */
	in->derived[D_DECONFLICTION_HITS - CONTRACT_NFIELDS] =
	    package_known(p, F_LE_AGENCY) ? 1 : 0;
	in->derived_known |= 1u << (D_DECONFLICTION_HITS - CONTRACT_NFIELDS);
}

void score_deconflicted(struct cond_input *in, int64_t hits)
{
	in->derived[D_DECONFLICTION_HITS - CONTRACT_NFIELDS] += hits;
}

void score_reopened(struct cond_input *in, int64_t reopened_at)
{
	if (reopened_at > in->clock_start)
		in->clock_start = reopened_at;
}

/*
 * The clock start plus the band's response time, but no later than the
 * start (00:00 UTC) of a proposed meeting's day when that day is not before
 * the day the clock started, and never before the clock start (rules.md,
 * scoring step 4): the package falls due before the child is to be met, and
 * a package reopened by a new version is due from when that version came,
 * not born overdue.
 */
static int64_t due_at(const struct package *p, int64_t received, int64_t respond_within_hours)
{
	int64_t due = received + respond_within_hours * 3600 * US_PER_SEC, meeting;

	if (!package_known(p, F_MEETING_PROPOSED) || !p->v[F_MEETING_PROPOSED] ||
	    !package_known(p, F_MEETING_DATE))
		return due;
	/* A meeting dated before the clock start's day is past: it bounds nothing. */
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
	out->rules_priority = out->priority;
	out->due_at =
	    due_at(in->pkg, in->clock_start, rs->bands[out->priority].respond_within_hours);
	out->overdue = as_of > out->due_at;
}

int score_override_band(const struct ruleset *rs, const struct score_override *ov)
{
	size_t i, n = strlen(ov->priority);

	for (i = 0; i < rs->nbands; i++)
		if (text_ieq(ov->priority, n, rs->bands[i].priority))
			return (int)i;
	if (ov->band < 0)
		return 0;
	return (size_t)ov->band < rs->nbands ? ov->band : (int)rs->nbands - 1;
}

void score_apply_override(const struct ruleset *rs, const struct cond_input *in,
                          const struct score_override *ov, int64_t as_of, struct score_result *out)
{
	int b = score_override_band(rs, ov);
	int64_t hours = rs->bands[b].respond_within_hours;

	out->rules_priority = out->priority;
	out->priority = b;
	if (ov->up) {
		/* Raised: never later than the rules said, and the new band's time from now on. */
		int64_t t = ov->at + hours * 3600 * US_PER_SEC;

		if (t < out->due_at)
			out->due_at = t;
	} else {
		/* Lowered: as if the rules had put it in that band from its clock start. */
		out->due_at = due_at(in->pkg, in->clock_start, hours);
	}
	out->overdue = as_of > out->due_at;
}

/* --- how long a score stays what it is ---------------------------------- */

struct points {
	int64_t *v;
	size_t n, cap;
	bool oom;
};

static void add_point(struct points *p, int64_t v)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		int64_t *n = rt_realloc(p->v, cap * sizeof(*n));

		if (!n) {
			p->oom = true;
			return;
		}
		p->v = n;
		p->cap = cap;
	}
	p->v[p->n++] = v;
}

/* A test "x op k" changes its answer only where x reaches k or k + 1. */
static void on_literal(void *ctx, int64_t k)
{
	add_point(ctx, k);
	if (k < INT64_MAX)
		add_point(ctx, k + 1);
}

static int by_value(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The points of every rule's tests on field, sorted, each once; -1 when out of memory. */
static int collect(const struct ruleset *rs, int field, int64_t **out, size_t *n)
{
	struct points p = {0};
	size_t i, k = 0;

	for (i = 0; i < rs->nrules; i++)
		cond_each_literal(rs->rules[i].cond, field, on_literal, &p);
	if (p.oom) {
		rt_free(p.v);
		return -1;
	}
	if (p.n)
		qsort(p.v, p.n, sizeof(*p.v), by_value);
	for (i = 0; i < p.n; i++)
		if (k == 0 || p.v[i] != p.v[k - 1])
			p.v[k++] = p.v[i];
	*out = p.v;
	*n = k;
	return 0;
}

int score_horizon_init(struct score_horizon *h, const struct ruleset *rs)
{
	memset(h, 0, sizeof(*h));
	if (collect(rs, D_DAYS_WAITING, &h->wait, &h->nwait) < 0 ||
	    collect(rs, D_DAYS_TO_MEETING, &h->meet, &h->nmeet) < 0) {
		score_horizon_release(h);
		return -1;
	}
	return 0;
}

void score_horizon_release(struct score_horizon *h)
{
	rt_free(h->wait);
	rt_free(h->meet);
	memset(h, 0, sizeof(*h));
}

/* a + b * c, or INT64_MAX where it would not fit. */
static int64_t add_mul(int64_t a, int64_t b, int64_t c)
{
	int64_t m, r;

	if (__builtin_mul_overflow(b, c, &m) || __builtin_add_overflow(a, m, &r))
		return INT64_MAX;
	return r;
}

int64_t score_valid_until(const struct score_horizon *h, const struct cond_input *in,
                          const struct score_result *r)
{
	const struct package *p = in->pkg;
	int64_t until = INT64_MAX, t;
	size_t i;

	/*
	 * days_waiting only grows: w' = floor((as_of' - received_at) / day)
	 * reaches the first point above today's w at received_at + point days.
	 */
	for (i = 0; i < h->nwait; i++) {
		if (h->wait[i] > in->derived[D_DAYS_WAITING - CONTRACT_NFIELDS]) {
			t = add_mul(p->v[F_RECEIVED_AT], h->wait[i], US_PER_DAY);
			until = t < until ? t : until;
			break;
		}
	}
	/*
	 * days_to_meeting only falls: t' = meeting - floor(as_of' / day) stays
	 * at or above the highest point at or below today's t (call it q) while
	 * floor(as_of' / day) <= meeting - q, that is until day meeting - q + 1.
	 */
	if (in->derived_known & (1u << (D_DAYS_TO_MEETING - CONTRACT_NFIELDS))) {
		int64_t days = in->derived[D_DAYS_TO_MEETING - CONTRACT_NFIELDS];

		for (i = h->nmeet; i-- > 0;) {
			if (h->meet[i] <= days) {
				int64_t day;

				if (__builtin_sub_overflow(p->v[F_MEETING_DATE], h->meet[i],
				                           &day) ||
				    __builtin_add_overflow(day, 1, &day))
					break;
				t = add_mul(0, day, US_PER_DAY);
				until = t < until ? t : until;
				break;
			}
		}
	}
	/* Not yet overdue: it is from the microsecond after due_at. */
	if (!r->overdue && r->due_at < INT64_MAX && r->due_at + 1 < until)
		until = r->due_at + 1;
	return until;
}
