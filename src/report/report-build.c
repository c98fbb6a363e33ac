/*
 * The management report's figures (outcomes.md, `report`): the store's
 * queries read once each, every row counted into the totals and into its
 * --by group. Periods are local dates (TZ): each day runs from one local
 * midnight to the next, so a day across a change of summer time is 23 or 25
 * hours long, and a month is its first to its last local day.
 */
#include "reftriage/mreport.h"

#include "reftriage/alloc.h"
#include "reftriage/timeutil.h"

const char *const report_by_names[] = {"force", "assignee", "source", NULL};
const char *const report_age_names[] = {"0-7", "8-14", "15-30", "31+", NULL};

void mreport_init(struct mreport *m)
{
	memset(m, 0, sizeof(*m));
}

static void figures_release(struct report_figures *f)
{
	size_t i;

	rt_free(f->value);
	rt_free(f->by_week);
	rt_free(f->day_received);
	rt_free(f->day_closed);
	rt_free(f->day_open);
	for (i = 0; i < f->noutcomes; i++)
		rt_free(f->outcomes[i].code);
	rt_free(f->outcomes);
	memset(f, 0, sizeof(*f));
}

void mreport_release(struct mreport *m)
{
	size_t i;

	for (i = 0; i < m->nprio; i++)
		rt_free(m->prio[i]);
	figures_release(&m->total);
	for (i = 0; i < m->ngroups; i++)
		figures_release(&m->groups[i]);
	rt_free(m->groups);
	rt_free(m->slots);
	rt_free(m->day_start);
	store_qopen_release(&m->quarantine);
	memset(m, 0, sizeof(*m));
}

static int figures_init(const struct mreport *m, struct report_figures *f, const char *value)
{
	memset(f, 0, sizeof(*f));
	f->value = value ? rt_memdup0(value, strlen(value)) : NULL;
	f->by_week = rt_calloc(m->nweeks + 1, sizeof(long));
	f->day_received = rt_calloc(m->ndays + 1, sizeof(long));
	f->day_closed = rt_calloc(m->ndays + 1, sizeof(long));
	f->day_open = rt_calloc(m->ndays + 1, sizeof(long));
	return (value && !f->value) || !f->by_week || !f->day_received || !f->day_closed ||
	               !f->day_open
	           ? -1
	           : 0;
}

static uint64_t hash_value(const char *s)
{
	uint64_t h = 1469598103934665603u;

	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return s ? h : 0;
}

static bool same_value(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* Double the lookup table and place every group again. */
static int grow_slots(struct mreport *m)
{
	size_t n = m->nslots ? m->nslots * 2 : 64, i;
	uint32_t *s = rt_calloc(n, sizeof(*s));

	if (!s)
		return -1;
	for (i = 0; i < m->ngroups; i++) {
		size_t k = hash_value(m->groups[i].value) & (n - 1);

		while (s[k])
			k = (k + 1) & (n - 1);
		s[k] = (uint32_t)i + 1;
	}
	rt_free(m->slots);
	m->slots = s;
	m->nslots = n;
	return 0;
}

/* The figures of group value (NULL: unknown), made on first sight; NULL when out of memory. */
static struct report_figures *group_of(struct mreport *m, const char *value)
{
	struct report_figures *g;
	size_t k;

	if ((m->ngroups + 1) * 2 > m->nslots && grow_slots(m) < 0)
		return NULL;
	for (k = hash_value(value) & (m->nslots - 1); m->slots[k]; k = (k + 1) & (m->nslots - 1))
		if (same_value(m->groups[m->slots[k] - 1].value, value))
			return &m->groups[m->slots[k] - 1];
	if (m->ngroups == m->capgroups) {
		size_t cap = m->capgroups ? m->capgroups * 2 : 16;

		g = rt_realloc(m->groups, cap * sizeof(*g));
		if (!g)
			return NULL;
		m->groups = g;
		m->capgroups = cap;
	}
	g = &m->groups[m->ngroups];
	if (figures_init(m, g, value) < 0) {
		figures_release(g);
		return NULL;
	}
	m->slots[k] = (uint32_t)++m->ngroups;
	return g;
}

/* The day of the period that at falls in (from <= at < to). */
static size_t day_index(const struct mreport *m, int64_t at)
{
	size_t lo = 0, hi = m->ndays;

	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (m->day_start[mid] <= at)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* The index of priority name in m->prio, added when new; -1: none, or no room left. */
static int prio_index(struct mreport *m, const char *name)
{
	size_t i;

	if (!name)
		return -1;
	for (i = 0; i < m->nprio; i++)
		if (strcmp(m->prio[i], name) == 0)
			return (int)i;
	if (m->nprio == REPORT_PRIOS)
		return -1;
	m->prio[m->nprio] = rt_memdup0(name, strlen(name));
	return m->prio[m->nprio] ? (int)m->nprio++ : -1;
}

long report_within_time(const struct report_figures *f, size_t prio)
{
	long whole = f->met[prio] + f->late[prio] + f->open_overdue[prio];

	return whole ? (f->met[prio] * 100 + whole / 2) / whole : -1;
}

/* One priority history row of the package being read (RESPONSE). */
struct hrow {
	int64_t at, due_at;
	int prio;
};

/* The package whose history rows are being read, judged when its last row is in. */
struct resp {
	bool any;
	int64_t id, clock_start, a;
	bool has_a;
	char *group;
	struct hrow *rows;
	size_t n, cap;
};

struct build_ctx {
	struct mreport *m;
	struct diag *d;
	int (*count)(struct mreport *m, struct report_figures *f, const struct store_report_row *r);
	struct resp resp;
};

static int count_received(struct mreport *m, struct report_figures *f,
                          const struct store_report_row *r)
{
	size_t day;
	int p;

	if (r->at < m->from) {
		f->open_before++;
		return 0;
	}
	day = day_index(m, r->at);
	f->received++;
	p = prio_index(m, r->text1);
	f->received_by_priority[p < 0 ? REPORT_UNSCORED : p]++;
	f->by_week[(size_t)(m->from_day + (int64_t)day - m->first_monday) / 7]++;
	f->day_received[day]++;
	f->day_open[day]++;
	return 0;
}

/* The history row in force at t: the last written at or before it (the first, before any). */
static const struct hrow *in_force(const struct resp *p, int64_t t)
{
	size_t i, k = 0;

	for (i = 1; i < p->n; i++)
		if (p->rows[i].at <= t)
			k = i;
	return &p->rows[k];
}

/*
 * Judge one package by its history (outcomes.md, docs/report.md): F, the
 * first time t since its clock start with t >= due(t), none when that is
 * after now; A, its first action since the clock start. Counted under the
 * priority in force at the earlier of A and F (at now, when neither is).
 */
static void judge(const struct mreport *m, const struct resp *p, struct report_figures *f)
{
	int64_t F = 0, due_now, at;
	bool has_f = false, in_f, in_a;
	const struct hrow *h;
	size_t i;
	int prio;

	for (i = 0; i < p->n && !has_f; i++) {
		int64_t start = p->rows[i].at > p->clock_start ? p->rows[i].at : p->clock_start;
		int64_t end = i + 1 < p->n ? p->rows[i + 1].at : INT64_MAX;
		int64_t t = start > p->rows[i].due_at ? start : p->rows[i].due_at;

		if (start < end && t < end) {
			F = t;
			has_f = t <= m->now;
			break;
		}
	}
	due_now = in_force(p, m->now)->due_at;
	in_f = has_f && F >= m->from && F < m->to;
	in_a = p->has_a && p->a >= m->from && p->a < m->to;
	at = p->has_a && (!has_f || p->a < F) ? p->a : has_f ? F : m->now;
	h = in_force(p, at);
	prio = h->prio;
	if (prio < 0)
		return;
	if (in_a && (!has_f || p->a <= F))
		f->met[prio]++;
	else if (in_f && p->has_a && p->a > F)
		f->late[prio]++;
	else if (in_f && !p->has_a)
		f->open_overdue[prio]++;
	else if (!p->has_a && !has_f && due_now >= m->from && due_now < m->to)
		f->not_yet_due[prio]++;
	else
		return;
	f->due[prio]++;
}

/* Judge the package read so far, into the totals and its group. */
static int resp_finish(struct build_ctx *x)
{
	struct resp *p = &x->resp;
	struct report_figures *g;

	if (!p->any || !p->n)
		return 0;
	judge(x->m, p, &x->m->total);
	if (x->m->by != STORE_BY_NONE) {
		g = group_of(x->m, p->group);
		if (!g)
			return -1;
		judge(x->m, p, g);
	}
	return 0;
}

static int resp_row(struct build_ctx *x, const struct store_report_row *r)
{
	struct resp *p = &x->resp;

	if (!p->any || r->package_id != p->id) {
		if (resp_finish(x) < 0)
			return -1;
		rt_free(p->group);
		p->group = r->group ? rt_memdup0(r->group, strlen(r->group)) : NULL;
		if (r->group && !p->group)
			return -1;
		p->any = true;
		p->id = r->package_id;
		p->clock_start = r->clock_start;
		p->has_a = r->has_at2;
		p->a = r->at2;
		p->n = 0;
	}
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;
		struct hrow *n = rt_realloc(p->rows, cap * sizeof(*n));

		if (!n)
			return -1;
		p->rows = n;
		p->cap = cap;
	}
	p->rows[p->n].at = r->at;
	p->rows[p->n].due_at = r->due_at;
	p->rows[p->n].prio = prio_index(x->m, r->text1);
	p->n++;
	return 0;
}

static int count_open(struct mreport *m, struct report_figures *f, const struct store_report_row *r)
{
	int64_t days = time_floor_div(m->now - r->at, US_PER_DAY);

	f->open++;
	if (r->has_at2 && r->at2 < m->now)
		f->overdue++;
	f->by_age[days <= 7 ? 0 : days <= 14 ? 1 : days <= 30 ? 2 : 3]++;
	return 0;
}

/* A status change moves a package out of the open ones (closing) or back (reopening). */
static int count_event(struct mreport *m, struct report_figures *f,
                       const struct store_report_row *r)
{
	bool was = store_status_open(r->text1), now = store_status_open(r->text2);
	size_t day;

	if (was == now)
		return 0;
	if (r->at < m->from) {
		f->open_before += now ? 1 : -1;
		return 0;
	}
	day = day_index(m, r->at);
	f->day_open[day] += now ? 1 : -1;
	if (!now)
		f->day_closed[day]++;
	return 0;
}

static int add_outcome(struct report_figures *f, const char *code)
{
	struct mreport_outcome *o;
	size_t i;

	for (i = 0; i < f->noutcomes; i++)
		if (strcmp(f->outcomes[i].code, code) == 0) {
			f->outcomes[i].n++;
			return 0;
		}
	o = rt_realloc(f->outcomes, (f->noutcomes + 1) * sizeof(*o));
	if (!o)
		return -1;
	f->outcomes = o;
	o[f->noutcomes].code = rt_memdup0(code, strlen(code));
	if (!o[f->noutcomes].code)
		return -1;
	o[f->noutcomes++].n = 1;
	return 0;
}

static int count_outcome(struct mreport *m, struct report_figures *f,
                         const struct store_report_row *r)
{
	(void)m;
	return r->text2 ? add_outcome(f, r->text2) : 0;
}

/* Count a row into the totals and, with --by, into its group. */
static int on_row(void *ctx, const struct store_report_row *r)
{
	struct build_ctx *x = ctx;
	struct report_figures *g;

	if (!x->count) {
		if (resp_row(x, r) == 0)
			return 0;
		goto oom;
	}
	if (x->count(x->m, &x->m->total, r) < 0)
		goto oom;
	if (x->m->by == STORE_BY_NONE)
		return 0;
	g = group_of(x->m, r->group);
	if (g && x->count(x->m, g, r) == 0)
		return 0;
oom:
	diag_at(x->d, NULL, 0, NULL);
	return diag_set(x->d, EX_SOFTWARE, "out of memory");
}

/* Open at each day's end: the open before the period plus each day's changes. */
static void settle(const struct mreport *m, struct report_figures *f)
{
	long open = f->open_before;
	size_t i;

	for (i = 0; i < m->ndays; i++) {
		open += f->day_open[i];
		f->day_open[i] = open;
	}
}

static int set_period(struct mreport *m, int64_t from_day, int64_t to_day, struct diag *d)
{
	size_t i;

	m->from_day = from_day;
	m->to_day = to_day;
	m->ndays = (size_t)(to_day - from_day);
	m->first_monday = from_day - (from_day + 3) % 7;
	m->nweeks = (size_t)(to_day - 1 - m->first_monday) / 7 + 1;
	m->day_start = rt_calloc(m->ndays + 1, sizeof(*m->day_start));
	if (!m->day_start || figures_init(m, &m->total, NULL) < 0) {
		diag_at(d, NULL, 0, NULL);
		return diag_set(d, EX_SOFTWARE, "out of memory");
	}
	for (i = 0; i <= m->ndays; i++)
		m->day_start[i] = report_local_midnight(from_day + (int64_t)i);
	m->from = m->day_start[0];
	m->to = m->day_start[m->ndays];
	return 0;
}

static int on_override_made(void *ctx, const char *priority, bool up, long n)
{
	struct mreport *m = ctx;
	int k = prio_index(m, priority);

	if (k < 0 && m->nprio < REPORT_PRIOS)
		return -1; /* out of memory; a name past REPORT_PRIOS counts in the totals only */
	m->casework.overrides += n;
	*(up ? &m->casework.up : &m->casework.down) += n;
	if (k >= 0)
		*(up ? &m->casework.band_up[k] : &m->casework.band_down[k]) += n;
	return 0;
}

/* The period's overrides and NFA decisions (struct mreport_casework). */
static int count_casework(struct mreport *m, struct store *st, struct diag *d)
{
	struct store_nfa_counts nfa;

	if (store_each_override_made(st, m->from, m->to, on_override_made, m, d) < 0) {
		if (!d->code) {
			diag_at(d, NULL, 0, NULL);
			diag_set(d, EX_SOFTWARE, "out of memory");
		}
		return -1;
	}
	if (store_nfa_counts(st, m->from, m->to, &nfa, d) < 0)
		return -1;
	m->casework.nfa = nfa.total;
	m->casework.nfa_signed_off = nfa.signed_off;
	return 0;
}

int mreport_build(struct mreport *m, struct store *st, const struct ruleset *rs, int64_t from_day,
                  int64_t to_day, enum store_report_by by, int64_t now, struct diag *d)
{
	/* NULL: the response, judged a package at a time (resp_row). */
	static int (*const counters[])(struct mreport *, struct report_figures *,
	                               const struct store_report_row *) = {
	    count_received, NULL, count_open, count_event, count_outcome};
	struct store_report_period p;
	char fd[16], td[16];
	size_t q, i;

	m->rs = rs;
	m->by = by;
	m->now = now;
	if (set_period(m, from_day, to_day, d) < 0)
		return -1;
	for (i = 0; rs && i < rs->nbands; i++)
		if (prio_index(m, rs->bands[i].priority) < 0) {
			diag_at(d, NULL, 0, NULL);
			return diag_set(d, EX_SOFTWARE, "out of memory");
		}
	if (store_history_seeded(st, &m->seeded_at, d) < 0)
		return -1;
	time_format_date((int32_t)from_day, fd);
	time_format_date((int32_t)to_day, td);
	p.from = m->from;
	p.to = m->to;
	p.from_date = fd;
	p.to_date = td;
	if (store_has_table(st, "outcomes", &m->has_outcomes, d) < 0 ||
	    store_quarantine_open(st, 0, &m->quarantine, d) < 0 || count_casework(m, st, d) < 0)
		return -1;
	for (q = 0; q < ARRAY_SIZE(counters); q++) {
		struct build_ctx x = {m, d, counters[q], {0}};
		int rc;

		if (q == STORE_REPORT_OUTCOMES && !m->has_outcomes)
			continue;
		rc = store_report_each(st, (enum store_report_query)q, by, &p, on_row, &x, d);
		if (rc == 0 && resp_finish(&x) < 0) {
			diag_at(d, NULL, 0, NULL);
			rc = diag_set(d, EX_SOFTWARE, "out of memory");
		}
		rt_free(x.resp.group);
		rt_free(x.resp.rows);
		if (rc < 0)
			return -1;
	}
	settle(m, &m->total);
	for (i = 0; i < m->ngroups; i++)
		settle(m, &m->groups[i]);
	return 0;
}
