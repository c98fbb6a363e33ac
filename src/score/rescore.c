/* Scoring every open package in the store at one as_of. */
#include "reftriage/score.h"

#include "reftriage/alloc.h"
#include "reftriage/deconflict.h"
#include "reftriage/diag.h"
#include "reftriage/links.h"
#include "reftriage/store.h"
#include "reftriage/timeutil.h"
#include "reftriage/workq.h"

_Static_assert(SCORE_LINKS_MAX == LINK_COUNT_MAX, "the stored counts saturate where scoring does");

static int out_of_memory(struct store *st, struct diag *d)
{
	diag_at(d, store_path(st), 0, NULL);
	return diag_set(d, EX_SOFTWARE, "out of memory");
}

static int unreadable(struct store *st, const char *ref, struct diag *d)
{
	diag_at(d, store_path(st), 0, NULL);
	return diag_set(d, EX_SOFTWARE,
	                "package %s: its stored content cannot be read; the store has been altered",
	                ref);
}

struct load_ctx {
	struct ruleset **rs;
	int64_t *id;
	struct diag *d;
	const char *path;
};

static int on_rules(void *ctx, const struct store_rules *r)
{
	struct load_ctx *x = ctx;
	struct diag_list errs;

	diag_list_init(&errs, RULES_MAX_ERRORS);
	*x->rs = ruleset_parse(r->body, r->body_len, &errs);
	*x->id = r->id;
	if (!*x->rs) {
		diag_at(x->d, x->path, 0, NULL);
		if (errs.oom)
			diag_set(x->d, EX_SOFTWARE, "out of memory");
		else
			diag_set(x->d, EX_CONFIG,
			         "the active rules (%s %s) cannot be used: %s%s%s; install a "
			         "corrected rules file",
			         r->name, r->version, errs.n ? errs.d[0].field : "",
			         errs.n ? ": " : "", errs.n ? errs.d[0].message : "");
		diag_list_release(&errs);
		return -1;
	}
	diag_list_release(&errs);
	return 0;
}

int score_load_rules(struct store *st, int64_t id, struct ruleset **rs, int64_t *rule_set_id,
                     struct diag *d)
{
	struct load_ctx x = {rs, rule_set_id, d, store_path(st)};
	int rc;

	*rs = NULL;
	rc = store_rules_get(st, id, on_rules, &x, d);
	if (rc == 1) {
		diag_at(d, store_path(st), 0, NULL);
		return diag_set(
		    d, EX_CONFIG,
		    "no rules are installed; install some with 'reftriage rules install "
		    "FILE'");
	}
	return rc < 0 ? -1 : 0;
}

struct all_ctx {
	struct store *st;
	const struct ruleset *rs;
	int64_t rule_set_id, as_of;
	struct score_horizon horizon;
	/*
	 * Stored scores are of this rule set, at an as_of not after this one: a
	 * row whose package and links are unchanged, and whose valid_until is
	 * later than as_of, is kept as it is, unread.
	 */
	bool keep_valid;
	/*
	 * The priority history: rows at now, the system clock's time of the
	 * write; renamed[i]: the stored scores' rule set names band i otherwise
	 * than rs does (or has none), so the same index is another priority.
	 */
	int64_t now;
	bool renamed[RULES_MAX_BANDS];
	struct buf facts; /* a package's, read when it needs scoring */
	/* the scoring thread's */
	struct package pkg;
	uint16_t *fired;
	/* every package's, for score_all (score_one asks the store for its one) */
	const struct link_counts *links, *ip_links;
	struct deconf_map deconf; /* every package's deconfliction matches at as_of's local day */
	unsigned long count;
	struct diag *d;
};

/*
 * One open package on its way through the scoring thread: what the store
 * gave (copied, as the row is gone once the next is read), then the score.
 */
struct scoring {
	int64_t id, linked, ip_linked, reopened_at;
	int64_t deconf; /* active non-ip deconfliction entries matched */
	int version;
	struct buf ref, facts;
	/* the override in force (ov.priority in ov_name), when there is one */
	struct score_override ov;
	struct buf ov_name;
	bool has_prev;
	struct store_score prev;
	struct buf prev_fired;
	/* the result */
	bool unreadable, oom;
	struct store_score sc;
	struct buf fired;
};

/* Whether a score row holds exactly what was computed, so need not be written. */
static bool same_score(const struct store_score *a, const struct store_score *b)
{
	return a->version == b->version && a->score == b->score && a->band == b->band &&
	       a->priority == b->priority && a->rules_priority == b->rules_priority &&
	       a->due_at == b->due_at && a->overdue == b->overdue && a->linked == b->linked &&
	       a->ip_linked == b->ip_linked && a->received_at == b->received_at &&
	       a->valid_until == b->valid_until && strcmp(a->fired, b->fired) == 0;
}

int score_read_facts(struct store *st, struct package *pkg, const void *facts, size_t len,
                     const char *ref, struct diag *d)
{
	int rc = package_decode_facts(pkg, facts, len);

	if (rc == 0)
		return 0;
	return rc == -2 ? out_of_memory(st, d) : unreadable(st, ref, d);
}

int score_prepare(struct store *st, const struct store_open_package *op,
                  const struct link_counts *links, const struct link_counts *ip_links,
                  int64_t as_of, struct package *pkg, struct cond_input *in, struct diag *d)
{
	int64_t linked, ip_linked;

	if (score_read_facts(st, pkg, op->facts, op->facts_len, op->ref, d) < 0)
		return -1;
	if (links) {
		linked = link_counts_get(links, op->id);
		ip_linked = link_counts_get(ip_links, op->id);
	} else if (store_linked_count(st, op->id, pkg, &linked, &ip_linked, d) < 0) {
		return -1;
	}
	score_derive(pkg, linked, ip_linked, as_of, in);
	score_reopened(in, op->reopened_at);
	if (store_deconf_hits_one(st, pkg, time_local_day(as_of), &linked, d) < 0)
		return -1;
	score_deconflicted(in, linked);
	return 0;
}

static void scoring_init(void *item)
{
	struct scoring *sg = item;

	memset(sg, 0, sizeof(*sg));
	buf_init(&sg->ref);
	buf_init(&sg->facts);
	buf_init(&sg->prev_fired);
	buf_init(&sg->fired);
	buf_init(&sg->ov_name);
}

static void scoring_release(void *item)
{
	struct scoring *sg = item;

	buf_release(&sg->ref);
	buf_release(&sg->facts);
	buf_release(&sg->prev_fired);
	buf_release(&sg->fired);
	buf_release(&sg->ov_name);
}

/* Copy an open package (and its links) into sg; -1 when out of memory. */
static int scoring_fill(struct scoring *sg, const struct store_open_package *op, int64_t linked,
                        int64_t ip_linked)
{
	buf_reset(&sg->ref);
	buf_reset(&sg->facts);
	buf_reset(&sg->prev_fired);
	sg->id = op->id;
	sg->version = op->version;
	sg->linked = linked;
	sg->ip_linked = ip_linked;
	sg->reopened_at = op->reopened_at;
	sg->has_prev = op->prev != NULL;
	if (buf_adds(&sg->ref, op->ref) < 0 || buf_add(&sg->facts, op->facts, op->facts_len) < 0)
		return -1;
	memset(&sg->ov, 0, sizeof(sg->ov));
	if (op->ov_priority) {
		buf_reset(&sg->ov_name);
		if (buf_adds(&sg->ov_name, op->ov_priority) < 0)
			return -1;
		sg->ov.priority = sg->ov_name.data;
		sg->ov.band = op->ov_band;
		sg->ov.up = op->ov_up;
		sg->ov.at = op->ov_at;
	}
	if (op->prev) {
		sg->prev = *op->prev;
		if (buf_adds(&sg->prev_fired, op->prev->fired) < 0)
			return -1;
		sg->prev.fired = sg->prev_fired.data; /* the row's own are gone with it */
		sg->prev.ref = NULL;
	}
	return 0;
}

/* On the scoring thread: decode, derive, score; nothing here touches the store. */
static void scoring_work(void *item, void *arg)
{
	struct scoring *sg = item;
	struct all_ctx *x = arg;
	struct store_score *sc = &sg->sc;
	struct cond_input in;
	struct score_result r;
	size_t i;
	int rc = package_decode_facts(&x->pkg, sg->facts.data, sg->facts.len);

	sg->oom = rc == -2;
	sg->unreadable = rc == -1;
	if (rc < 0)
		return;
	score_derive(&x->pkg, sg->linked, sg->ip_linked, x->as_of, &in);
	score_reopened(&in, sg->reopened_at);
	score_deconflicted(&in, sg->deconf);
	r.fired = x->fired;
	score_package(x->rs, &in, x->as_of, &r);
	if (sg->ov.priority)
		score_apply_override(x->rs, &in, &sg->ov, x->as_of, &r);
	buf_reset(&sg->fired);
	sg->oom = buf_adds(&sg->fired, "") < 0;
	for (i = 0; i < r.nfired; i++)
		if ((i && buf_addc(&sg->fired, ';') < 0) ||
		    buf_adds(&sg->fired, x->rs->rules[r.fired[i]].id) < 0)
			sg->oom = true;
	memset(sc, 0, sizeof(*sc));
	sc->package_id = sg->id;
	sc->version = sg->version;
	sc->rule_set_id = x->rule_set_id;
	sc->as_of = x->as_of;
	sc->score = r.score;
	sc->band = r.band;
	sc->priority = r.priority;
	sc->rules_priority = r.rules_priority;
	sc->due_at = r.due_at;
	sc->overdue = r.overdue;
	sc->linked = in.derived[D_LINKED_PACKAGES - CONTRACT_NFIELDS];
	sc->ip_linked = in.derived[D_IP_LINKED_PACKAGES - CONTRACT_NFIELDS];
	sc->fired = sg->fired.data;
	sc->received_at = x->pkg.v[F_RECEIVED_AT];
	sc->ref = sg->ref.data;
	sc->valid_until = score_valid_until(&x->horizon, &in, &r);
}

/*
 * Whether the package's effective priority or due_at is not what its stored
 * score said: then the priority history gains a row (outcomes.md). A
 * package without a current score (new, or reopened: its row was frozen
 * when it closed) gains one too.
 */
static bool history_changed(const struct all_ctx *x, const struct scoring *sg)
{
	return !sg->has_prev || sg->prev.priority != sg->sc.priority ||
	       sg->prev.due_at != sg->sc.due_at || x->renamed[sg->sc.priority];
}

/* Back on the store's thread, in order: write the score when it changed. */
static int scoring_done(void *item, void *arg)
{
	struct scoring *sg = item;
	struct all_ctx *x = arg;

	if (sg->unreadable)
		return unreadable(x->st, sg->ref.data, x->d);
	if (sg->oom)
		return out_of_memory(x->st, x->d);
	x->count++;
	if (history_changed(x, sg)) {
		struct store_history h = {sg->id, x->now, sg->sc.due_at, x->rule_set_id,
		                          x->rs->bands[sg->sc.priority].priority};

		if (store_history_add(x->st, &h, x->d) < 0)
			return -1;
	}
	/* Most scores do not change between rescores: write only those that do. */
	if (sg->has_prev && same_score(&sg->prev, &sg->sc))
		return 0;
	return store_put_score(x->st, &sg->sc, x->d);
}

/* Score one package on this thread (score_one). */
static int score_here(struct all_ctx *x, const struct store_open_package *op)
{
	struct scoring sg;
	int64_t linked, ip_linked;
	int rc = -1;

	scoring_init(&sg);
	if (score_read_facts(x->st, &x->pkg, op->facts, op->facts_len, op->ref, x->d) == 0 &&
	    store_linked_count(x->st, op->id, &x->pkg, &linked, &ip_linked, x->d) == 0) {
		if (scoring_fill(&sg, op, linked, ip_linked) < 0) {
			rc = out_of_memory(x->st, x->d);
		} else if (store_deconf_hits_one(x->st, &x->pkg, time_local_day(x->as_of),
		                                 &sg.deconf, x->d) < 0) {
			rc = -1;
		} else {
			scoring_work(&sg, x);
			rc = scoring_done(&sg, x);
		}
	}
	scoring_release(&sg);
	return rc;
}

static const struct workq_fns scoring_fns = {
    sizeof(struct scoring), scoring_init, scoring_release, scoring_work, scoring_done,
};

/* Packages in flight between the store's thread and the scoring thread. */
#define SCORING_RING 256

struct all_queue {
	struct all_ctx *x;
	struct workq *q;
};

/* Whether op's stored score is what scoring it now would give (all_ctx.keep_valid). */
static bool still_valid(const struct all_ctx *x, const struct store_open_package *op,
                        int64_t linked, int64_t ip_linked)
{
	const struct store_score *p = op->prev;

	return x->keep_valid && p && p->version == op->version && x->as_of < p->valid_until &&
	       p->linked == linked &&
	       p->ip_linked == ip_linked; /* the counts saturate as scoring does (top) */
}

/* store_each_open's callback: queue the package for the scoring thread. */
static int on_open(void *ctx, const struct store_open_package *op)
{
	struct all_queue *aq = ctx;
	struct all_ctx *x = aq->x;
	int64_t linked = link_counts_get(x->links, op->id);
	int64_t ip_linked = link_counts_get(x->ip_links, op->id);
	struct store_open_package with = *op;
	struct scoring *sg;

	if (still_valid(x, op, linked, ip_linked)) {
		x->count++;
		return 0;
	}
	if (!op->facts) {
		if (store_version_facts(x->st, op->id, op->version, &x->facts, x->d) < 0)
			return -1;
		with.facts = x->facts.data;
		with.facts_len = x->facts.len;
	}
	sg = workq_next(aq->q);
	if (!sg)
		return -1; /* a score could not be written: x->d says why */
	if (scoring_fill(sg, &with, linked, ip_linked) < 0)
		return out_of_memory(x->st, x->d);
	{
		const struct deconf_pkg *dp = deconf_map_get(&x->deconf, op->id);

		sg->deconf = dp ? dp->hits : 0;
	}
	workq_push(aq->q);
	return 0;
}

/* Set up the scoring of packages with rs at as_of; -1 (d filled) when memory runs out. */
static int all_init(struct all_ctx *x, struct store *st, const struct ruleset *rs,
                    int64_t rule_set_id, int64_t as_of, struct diag *d)
{
	memset(x, 0, sizeof(*x));
	x->st = st;
	x->rs = rs;
	x->rule_set_id = rule_set_id;
	x->as_of = as_of;
	x->now = time_now();
	x->d = d;
	package_init(&x->pkg);
	buf_init(&x->facts);
	x->fired = rt_calloc(rs->nrules ? rs->nrules : 1, sizeof(*x->fired));
	if (!x->fired || score_horizon_init(&x->horizon, rs) < 0)
		return out_of_memory(st, d);
	return 0;
}

static void all_release(struct all_ctx *x)
{
	rt_free(x->fired);
	deconf_map_release(&x->deconf);
	score_horizon_release(&x->horizon);
	buf_release(&x->facts);
	package_release(&x->pkg);
}

/*
 * Score every open package: the store read and written here, the rules on a
 * second thread. With bulk (most rows will be written), every package's
 * facts come with it; otherwise only those of the packages whose stored
 * score may have changed are read.
 */
static int score_each_open(struct all_ctx *x, bool bulk)
{
	struct all_queue aq = {x, workq_start(&scoring_fns, SCORING_RING, x)};
	int rc;

	if (!aq.q)
		return out_of_memory(x->st, x->d);
	rc = store_each_open(x->st, bulk, on_open, &aq, x->d);
	if (workq_finish(aq.q) < 0)
		rc = -1;
	workq_free(aq.q);
	return rc;
}

/*
 * Which of rs's bands the stored scores, of rule set scored_id, name
 * otherwise: every one when that rule set cannot be read.
 */
static int find_renamed(struct all_ctx *x, int64_t scored_id)
{
	struct ruleset *prev = NULL;
	int64_t id;
	size_t i;
	struct diag ignored;

	if (scored_id == x->rule_set_id)
		return 0;
	diag_clear(&ignored);
	if (score_load_rules(x->st, scored_id, &prev, &id, &ignored) < 0 || !prev) {
		for (i = 0; i < RULES_MAX_BANDS; i++)
			x->renamed[i] = true;
		return 0;
	}
	for (i = 0; i < x->rs->nbands && i < RULES_MAX_BANDS; i++)
		x->renamed[i] = i >= prev->nbands ||
		                strcmp(prev->bands[i].priority, x->rs->bands[i].priority) != 0;
	ruleset_free(prev);
	return 0;
}

int score_all(struct store *st, const struct ruleset *rs, int64_t rule_set_id, int64_t as_of,
              unsigned long *count, struct diag *d)
{
	struct all_ctx x;
	int64_t scored_as_of, scored_id;
	bool bulk = false, deconf_current = false;
	int64_t today = time_local_day(as_of);
	int rc = -1, scored;

	if (all_init(&x, st, rs, rule_set_id, as_of, d) == 0 &&
	    (scored = store_get_scored(st, &scored_as_of, &scored_id, d)) >= 0 &&
	    store_link_counts(st, &x.links, &x.ip_links, d) == 0 &&
	    store_deconf_map(st, today, &x.deconf, d) == 0 &&
	    store_deconf_scored_current(st, today, &deconf_current, d) == 0 &&
	    store_scores_begin(st, rule_set_id, &bulk, d) == 0) {
		/* A new list, or an entry lapsed, may change any package's deconfliction_hits. */
		x.keep_valid = scored == 0 && scored_id == rule_set_id && scored_as_of <= as_of &&
		               deconf_current;
		if ((scored != 0 || find_renamed(&x, scored_id) == 0) &&
		    score_each_open(&x, bulk) == 0 && store_scores_end(st, bulk, d) == 0 &&
		    store_history_flush(st, d) == 0 &&
		    store_set_scored(st, as_of, rule_set_id, d) == 0 &&
		    store_deconf_mark_scored(st, today, d) == 0) {
			*count = x.count;
			rc = 0;
		}
	}
	all_release(&x);
	return rc;
}

/* score_one's: the override in force, copied into the package (band name in ov_name). */
struct one_override {
	struct store_open_package *op;
	char name[64];
};

static int on_override(void *ctx, const struct store_override *o)
{
	struct one_override *w = ctx;

	(void)snprintf(w->name, sizeof(w->name), "%s", o->priority);
	w->op->ov_priority = w->name;
	w->op->ov_band = o->band;
	w->op->ov_up = strcmp(o->direction, "up") == 0;
	w->op->ov_at = o->at;
	return 0;
}

int score_one(struct store *st, int64_t package_id, const char *ref, struct diag *d)
{
	struct store_open_package op;
	struct one_override ov;
	struct ruleset *rs = NULL;
	struct all_ctx x;
	struct buf facts;
	int64_t as_of, id;
	int rc, got = -1;

	rc = store_get_scored(st, &as_of, &id, d);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (score_load_rules(st, id, &rs, &id, d) < 0)
		return -1;
	buf_init(&facts);
	memset(&op, 0, sizeof(op));
	op.id = package_id;
	op.ref = ref;
	ov.op = &op;
	rc = -1;
	if (all_init(&x, st, rs, id, as_of, d) == 0 &&
	    store_reopened_at(st, package_id, &op.reopened_at, d) == 0 &&
	    (got = store_get_override(st, package_id, on_override, &ov, d)) >= 0 &&
	    store_latest_facts(st, package_id, &facts, &op.version, d) == 0) {
		op.facts = facts.data;
		op.facts_len = facts.len;
		rc = score_here(&x, &op);
	}
	all_release(&x);
	buf_release(&facts);
	ruleset_free(rs);
	return rc;
}
