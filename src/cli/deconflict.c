/*
 * Deconfliction as the verbs see it (casework.md section 3): one package's
 * matches, acknowledgement and state (show, find, status), the hold on
 * action that status asks about, and the warning that the list is old.
 */
#include "reftriage/cli.h"

#include "reftriage/alloc.h"
#include "reftriage/deconflict.h"
#include "reftriage/package.h"
#include "reftriage/report.h"
#include "reftriage/text.h"
#include "reftriage/timeutil.h"

static char *dup_or_null(const char *s)
{
	size_t n;
	char *p;

	if (!s)
		return NULL;
	n = strlen(s);
	p = rt_malloc(n + 1);
	if (p)
		memcpy(p, s, n + 1);
	return p;
}

static int add_match(void *ctx, const struct deconf_row *r)
{
	struct deconf_view *v = ctx;
	struct deconf_match *m, *grown = rt_realloc(v->m, (v->n + 1) * sizeof(*v->m));

	if (!grown)
		return -2;
	v->m = grown;
	m = &v->m[v->n++];
	memset(m, 0, sizeof(*m));
	m->type = dup_or_null(r->type);
	m->value = dup_or_null(r->value);
	m->owner = dup_or_null(r->owner);
	m->operation = dup_or_null(r->operation);
	m->contact = dup_or_null(r->contact);
	m->until_day = r->until_day;
	m->added_at = r->added_at;
	m->possible = strcmp(r->type, "ip") == 0;
	if (!m->type || !m->value || !m->owner || !m->contact || (r->operation && !m->operation))
		return -2;
	return 0;
}

static int on_id(void *ctx, const struct store_package *p)
{
	*(int64_t *)ctx = p->id;
	return 0;
}

/* le_agency and le_case of p into v. */
static void le_of(const struct package *p, struct deconf_view *v)
{
	size_t n;
	const char *s;

	if (!package_known(p, F_LE_AGENCY))
		return;
	v->le = true;
	s = package_str(p, F_LE_AGENCY, &n);
	(void)snprintf(v->le_agency, sizeof(v->le_agency), "%.*s", (int)n, s);
	if (package_known(p, F_LE_CASE)) {
		s = package_str(p, F_LE_CASE, &n);
		(void)snprintf(v->le_case, sizeof(v->le_case), "%.*s", (int)n, s);
	}
}

/* Holding matches first, then by owner: the order show and find print. */
static int by_holding(const void *a, const void *b)
{
	const struct deconf_match *x = a, *y = b;

	if (x->possible != y->possible)
		return x->possible ? 1 : -1;
	return strcmp(x->owner, y->owner);
}

int cli_deconf_view(struct store *st, int64_t package_id, const struct package *p, int64_t now,
                    struct deconf_view *v, struct diag *d)
{
	struct deconf_pkg dp;
	struct package pkg;
	struct buf facts;
	size_t i;
	int rc = 0, version;

	memset(v, 0, sizeof(*v));
	package_init(&pkg);
	buf_init(&facts);
	if (!p) {
		rc = store_latest_facts(st, package_id, &facts, &version, d);
		if (rc == 0 && facts.len && package_decode_facts(&pkg, facts.data, facts.len) == 0)
			p = &pkg;
	}
	if (rc == 0 && p) {
		le_of(p, v);
		rc = store_deconf_matches(st, p, time_local_day(now), add_match, v, d);
		if (rc == -2) {
			diag_at(d, NULL, 0, NULL);
			rc = diag_set(d, EX_SOFTWARE, "out of memory");
		}
	}
	buf_release(&facts);
	package_release(&pkg);
	if (rc < 0)
		return -1;
	if (v->n > 1)
		qsort(v->m, v->n, sizeof(*v->m), by_holding);
	rc = store_deconf_ack_get(st, package_id, &v->ack, d);
	if (rc < 0)
		return -1;
	v->has_ack = rc == 0;
	memset(&dp, 0, sizeof(dp));
	for (i = 0; i < v->n; i++) {
		if (v->m[i].possible) {
			dp.possible++;
			continue;
		}
		dp.hits++;
		if (v->m[i].added_at > dp.newest_hit)
			dp.newest_hit = v->m[i].added_at;
	}
	dp.ack_at = v->has_ack ? v->ack.at : 0;
	v->state = deconf_state_of(&dp, v->le);
	return 0;
}

void cli_deconf_view_release(struct deconf_view *v)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		rt_free(v->m[i].type);
		rt_free(v->m[i].value);
		rt_free(v->m[i].owner);
		rt_free(v->m[i].operation);
		rt_free(v->m[i].contact);
	}
	rt_free(v->m);
	memset(v, 0, sizeof(*v));
}

int cli_deconflict_hold(struct cli *cli, const char *ref, const char *to_status)
{
	const char *note = cli_str(cli, "deconflicted");
	bool acting = text_ieq(to_status, strlen(to_status), "in_progress") ||
	              text_ieq(to_status, strlen(to_status), "actioned");
	int64_t id = 0, now = time_now();
	struct deconf_view v;
	struct diag d;
	size_t i;
	int rc;

	if (note && !cli_text_ok(note, 2000, true))
		return cli_usage_error(cli, "--deconflicted takes 1 to 2000 bytes of text: who was "
		                            "contacted and what was agreed");
	if (!acting && !note)
		return EX_OK; /* triage, assignment, closing without action: not held */
	diag_clear(&d);
	rc = store_get_package(cli->st, ref, on_id, NULL, &id, &d);
	if (rc == 1)
		return EX_OK; /* the workflow says there is no such package */
	if (rc < 0 || cli_deconf_view(cli->st, id, NULL, now, &v, &d) < 0)
		return cli_report(&d);
	if (note) {
		rc = store_deconf_ack_put(cli->st, id, now, cli->operator_name, note, &d) < 0
		         ? cli_report(&d)
		         : EX_OK;
		cli_deconf_view_release(&v);
		return rc;
	}
	if (v.state != DECONF_HIT) {
		cli_deconf_view_release(&v);
		return EX_OK;
	}
	fputs("reftriage: ", stderr);
	cli_put_safe(stderr, ref, strlen(ref), NULL);
	fprintf(stderr, ": held for deconfliction: talk to the holder%s before acting:\n",
	        v.n + v.le > 1 ? "s" : "");
	for (i = 0; i < v.n; i++)
		if (!v.m[i].possible)
			cli_print(stderr, "  %s, operation %s, contact %s (%s entry)\n",
			          v.m[i].owner, v.m[i].operation ? v.m[i].operation : "not named",
			          v.m[i].contact, v.m[i].type);
	if (v.le)
		cli_print(stderr,
		          "  %s, case %s, contact: see the provider's report (le_agency: the "
		          "provider reported it to them)\n",
		          v.le_agency, v.le_case[0] ? v.le_case : "not given");
	fputs("reftriage: then record it: 'reftriage status ", stderr);
	cli_put_safe(stderr, ref, strlen(ref), NULL);
	fprintf(stderr, " %s --deconflicted \"WHO WAS CONTACTED, WHAT WAS AGREED\"'\n", to_status);
	cli_deconf_view_release(&v);
	return EX_DATAERR;
}

void cli_deconf_warn_stale(const struct cli *cli)
{
	struct deconf_meta m;
	struct diag d;
	int64_t age;

	diag_clear(&d);
	if (store_deconf_meta(cli->st, &m, &d) < 0 || !m.present)
		return;
	age = time_now() - m.imported_at;
	if (age > DECONF_STALE_DAYS * US_PER_DAY)
		cli_warn(
		    cli,
		    "warning: the deconfliction list is %lld days old (imported %s): import the "
		    "current export ('reftriage deconflict import FILE.csv')",
		    (long long)(age / US_PER_DAY), m.source);
}

int cli_deconf_lists(const struct cli *cli, struct deconf_map *m, struct deconf_meta *meta)
{
	struct diag d;

	diag_clear(&d);
	if (store_deconf_meta(cli->st, meta, &d) < 0 ||
	    store_deconf_map_by_ref(cli->st, time_local_day(time_now()), m, &d) < 0)
		return cli_report(&d);
	cli_deconf_warn_stale(cli);
	return EX_OK;
}

int cli_deconf_item(struct store *st, const struct deconf_map *m, const char *ref,
                    const void *facts, size_t facts_len, bool detail, struct deconf_view *v,
                    struct report_item *it, struct diag *d)
{
	const struct deconf_pkg *dp = m->n ? deconf_map_get_ref(m, ref) : NULL;
	bool le = package_facts_known(facts, facts_len, F_LE_AGENCY);
	int rc;

	cli_deconf_view_release(v);
	it->deconf = (int)deconf_state_of(dp, le);
	it->deconf_view = NULL;
	if (!detail || (!dp && !le))
		return 0;
	{
		struct package pkg;

		package_init(&pkg);
		rc = package_decode_facts(&pkg, facts, facts_len) == 0 ? 0 : 1;
		if (rc == 0) {
			le_of(&pkg, v);
			if (dp)
				rc = store_deconf_matches(st, &pkg, time_local_day(time_now()),
				                          add_match, v, d);
		}
		package_release(&pkg);
		if (rc == -2) {
			diag_at(d, NULL, 0, NULL);
			return diag_set(d, EX_SOFTWARE, "out of memory");
		}
		if (rc < 0)
			return -1;
		if (v->n > 1)
			qsort(v->m, v->n, sizeof(*v->m), by_holding);
	}
	it->deconf_view = v;
	return 0;
}

int cli_deconf_show_text(FILE *out, struct store *st, int64_t package_id, struct diag *d)
{
	struct deconf_view v;
	char t[TIME_LOCAL_MAX];
	size_t i;

	if (cli_deconf_view(st, package_id, NULL, time_now(), &v, d) < 0)
		return -1;
	if (v.state == DECONF_HIT)
		fprintf(
		    out,
		    "DECONFLICTION HIT: another operation holds this subject: talk to them before "
		    "acting\n");
	else if (v.state == DECONF_ACKNOWLEDGED)
		fprintf(out, "deconflicted: the holders below were contacted\n");
	else if (v.n)
		fprintf(out,
		        "deconfliction: a possible match only (an IP address, often shared)\n");
	for (i = 0; i < v.n; i++)
		cli_print(out, "  %-9s %s, operation %s, contact %s (%s entry)\n",
		          v.m[i].possible ? "possible" : "held by", v.m[i].owner,
		          v.m[i].operation ? v.m[i].operation : "not named", v.m[i].contact,
		          v.m[i].type);
	if (v.le)
		cli_print(out,
		          "  %-9s %s, case %s, contact: see the provider's report (le_agency)\n",
		          "held by", v.le_agency, v.le_case[0] ? v.le_case : "not given");
	if (v.has_ack && v.state != DECONF_NONE) {
		time_format_local(v.ack.at, t);
		cli_print(out, "  %-9s by %s on %s: %s%s\n", "contacted", v.ack.operator_name, t,
		          v.ack.note,
		          v.state == DECONF_HIT ? " (before a later list added a holder: lapsed)"
		                                : "");
	}
	cli_deconf_view_release(&v);
	return 0;
}

int cli_deconf_show_json(struct store *st, int64_t package_id, struct buf *b, struct diag *d)
{
	struct deconf_view v;
	struct report_item it;
	int rc;

	if (cli_deconf_view(st, package_id, NULL, time_now(), &v, d) < 0)
		return -1;
	memset(&it, 0, sizeof(it));
	it.deconf = (int)v.state;
	it.deconf_view = &v;
	rc = report_deconf_json(b, &it);
	cli_deconf_view_release(&v);
	if (rc < 0) {
		diag_at(d, NULL, 0, NULL);
		return diag_set(d, EX_SOFTWARE, "out of memory");
	}
	return 0;
}
