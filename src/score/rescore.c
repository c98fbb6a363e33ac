/* Scoring every open package in the store at one as_of. */
#include "reftriage/score.h"

#include "reftriage/alloc.h"
#include "reftriage/diag.h"
#include "reftriage/links.h"
#include "reftriage/store.h"

_Static_assert(SCORE_LINKS_MAX == LINK_COUNT_MAX, "the stored counts saturate where scoring does");

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
	struct package pkg;
	uint16_t *fired;
	struct buf ids;
	/* NULL: count each package's links with a query */
	const struct link_counts *links, *ip_links;
	unsigned long count;
	struct diag *d;
};

/* Whether a score row holds exactly what was computed, so need not be written. */
static bool same_score(const struct store_score *a, const struct store_score *b)
{
	return a->version == b->version && a->score == b->score && a->band == b->band &&
	       a->priority == b->priority && a->due_at == b->due_at && a->overdue == b->overdue &&
	       a->linked == b->linked && a->ip_linked == b->ip_linked &&
	       a->received_at == b->received_at && strcmp(a->fired, b->fired) == 0;
}

int score_read_facts(struct store *st, struct package *pkg, const void *facts, size_t len,
                     const char *ref, struct diag *d)
{
	if (package_decode_facts(pkg, facts, len) == 0)
		return 0;
	diag_at(d, store_path(st), 0, NULL);
	return diag_set(d, EX_SOFTWARE,
	                "package %s: its stored content cannot be read; the store has been altered",
	                ref);
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
	} else if (store_linked_count(st, op->id, &linked, &ip_linked, d) < 0) {
		return -1;
	}
	score_derive(pkg, linked, ip_linked, as_of, in);
	return 0;
}

static int on_open(void *ctx, const struct store_open_package *op)
{
	struct all_ctx *x = ctx;
	struct cond_input in;
	struct score_result r;
	struct store_score sc;
	size_t i;

	if (score_prepare(x->st, op, x->links, x->ip_links, x->as_of, &x->pkg, &in, x->d) < 0)
		return -1;
	r.fired = x->fired;
	score_package(x->rs, &in, x->as_of, &r);
	buf_reset(&x->ids);
	for (i = 0; i < r.nfired; i++)
		if ((i && buf_addc(&x->ids, ';') < 0) ||
		    buf_adds(&x->ids, x->rs->rules[r.fired[i]].id) < 0) {
			diag_at(x->d, store_path(x->st), 0, NULL);
			return diag_set(x->d, EX_SOFTWARE, "out of memory");
		}
	memset(&sc, 0, sizeof(sc));
	sc.package_id = op->id;
	sc.version = op->version;
	sc.rule_set_id = x->rule_set_id;
	sc.as_of = x->as_of;
	sc.score = r.score;
	sc.band = r.band;
	sc.priority = r.priority;
	sc.due_at = r.due_at;
	sc.overdue = r.overdue;
	sc.linked = in.derived[D_LINKED_PACKAGES - CONTRACT_NFIELDS];
	sc.ip_linked = in.derived[D_IP_LINKED_PACKAGES - CONTRACT_NFIELDS];
	sc.fired = x->ids.data;
	sc.received_at = x->pkg.v[F_RECEIVED_AT];
	sc.ref = op->ref;
	x->count++;
	/* Most scores do not change between rescores: write only those that do. */
	if (op->prev && same_score(op->prev, &sc))
		return 0;
	return store_put_score(x->st, &sc, x->d);
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
	x->d = d;
	package_init(&x->pkg);
	buf_init(&x->ids);
	x->fired = rt_calloc(rs->nrules ? rs->nrules : 1, sizeof(*x->fired));
	if (!x->fired) {
		diag_at(d, store_path(st), 0, NULL);
		return diag_set(d, EX_SOFTWARE, "out of memory");
	}
	return 0;
}

static void all_release(struct all_ctx *x)
{
	rt_free(x->fired);
	buf_release(&x->ids);
	package_release(&x->pkg);
}

int score_all(struct store *st, const struct ruleset *rs, int64_t rule_set_id, int64_t as_of,
              unsigned long *count, struct diag *d)
{
	struct link_counts lc, ip;
	struct all_ctx x;
	bool bulk = false;
	int rc = -1;

	link_counts_init(&lc);
	link_counts_init(&ip);
	if (all_init(&x, st, rs, rule_set_id, as_of, d) == 0 &&
	    store_link_counts(st, &lc, &ip, d) == 0 &&
	    store_scores_begin(st, rule_set_id, &bulk, d) == 0) {
		x.links = &lc;
		x.ip_links = &ip;
		if (store_each_open(st, on_open, &x, d) == 0 &&
		    store_scores_end(st, bulk, d) == 0 &&
		    store_set_scored(st, as_of, rule_set_id, d) == 0) {
			*count = x.count;
			rc = 0;
		}
	}
	link_counts_release(&lc);
	link_counts_release(&ip);
	all_release(&x);
	return rc;
}

int score_one(struct store *st, int64_t package_id, const char *ref, struct diag *d)
{
	struct store_open_package op;
	struct ruleset *rs = NULL;
	struct all_ctx x;
	struct buf facts;
	int64_t as_of, id;
	int rc;

	rc = store_get_scored(st, &as_of, &id, d);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (score_load_rules(st, id, &rs, &id, d) < 0)
		return -1;
	buf_init(&facts);
	memset(&op, 0, sizeof(op));
	op.id = package_id;
	op.ref = ref;
	rc = -1;
	if (all_init(&x, st, rs, id, as_of, d) == 0 &&
	    store_latest_facts(st, package_id, &facts, &op.version, d) == 0) {
		op.facts = facts.data;
		op.facts_len = facts.len;
		rc = on_open(&x, &op);
	}
	all_release(&x);
	buf_release(&facts);
	ruleset_free(rs);
	return rc;
}
