/*
 * The store below the CLI: any-version idempotence, reopening, IP links
 * counted apart, the changed-since filter and the diff of two versions.
 */
#include "unit.h"

#include "reftriage/hash.h"
#include "reftriage/links.h"
#include "reftriage/outcome.h"
#include "reftriage/score.h"
#include "reftriage/store.h"

#include <stdlib.h>
#include <unistd.h>

#define T0 INT64_C(1793000000000000) /* some time in November 2026, in microseconds */

struct fixture {
	char dir[64];
	char path[96];
	struct store *st;
	struct store_import imp;
	struct package p;
	struct reasons r;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct diag d;

	if (!fx || hash_library_init() < 0 || store_library_init() < 0)
		return -1;
	(void)snprintf(fx->dir, sizeof(fx->dir), "/tmp/test_store.XXXXXX");
	if (!mkdtemp(fx->dir))
		return -1;
	(void)snprintf(fx->path, sizeof(fx->path), "%s/s.db", fx->dir);
	diag_clear(&d);
	if (store_create(fx->path, &fx->st, &d) < 0)
		return -1;
	package_init(&fx->p);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	char wal[128];

	store_close(fx->st);
	package_release(&fx->p);
	(void)unlink(fx->path);
	(void)snprintf(wal, sizeof(wal), "%s-wal", fx->path);
	(void)unlink(wal);
	(void)snprintf(wal, sizeof(wal), "%s-shm", fx->path);
	(void)unlink(wal);
	(void)rmdir(fx->dir);
	free(fx);
	return 0;
}

static void set(struct fixture *fx, int f, const char *v)
{
	if (v)
		assert_int_equal(package_set_text(&fx->p, f, v, strlen(v), &fx->r), 0);
}

/* Store one package in the open import at time now; the result. */
static enum store_put put(struct fixture *fx, const char *ref, const char *subject, const char *age,
                          const char *ids, int64_t now)
{
	enum store_put res;
	struct diag d;

	package_reset(&fx->p);
	reasons_clear(&fx->r);
	set(fx, F_PACKAGE_REF, ref);
	set(fx, F_RECEIVED_AT, "2026-11-02T08:00:00Z");
	set(fx, F_SOURCE, "CEOP");
	set(fx, F_REFERRAL_TYPE, "grooming");
	set(fx, F_SUBJECT_REF, subject);
	set(fx, F_SUBJECT_AGE, age);
	set(fx, F_IDENTIFIERS, ids);
	assert_int_equal(package_finish(&fx->p, &fx->r), 0);
	diag_clear(&d);
	assert_int_equal(
	    store_put_package(fx->st, fx->imp.id, &fx->p, NULL, 0, 2, -1, now, &res, &d), 0);
	return res;
}

static void begin_import(struct fixture *fx, int64_t now)
{
	struct diag d;

	diag_clear(&d);
	memset(&fx->imp, 0, sizeof(fx->imp));
	fx->imp.file = "night.csv";
	fx->imp.format = "csv";
	fx->imp.operator_name = "importer";
	fx->imp.started_at = now;
	assert_int_equal(store_begin(fx->st, &d), 0);
	assert_int_equal(store_import_start(fx->st, &fx->imp, &d), 0);
}

static void end_import(struct fixture *fx, int64_t now)
{
	struct diag d;

	diag_clear(&d);
	assert_int_equal(store_import_finish(fx->st, &fx->imp, now, &d), 0);
	assert_int_equal(store_commit(fx->st, &d), 0);
}

struct pkg_seen {
	int64_t id;
	char status[16];
	char assigned[16];
	bool updated;
	int version;
};

static int on_pkg(void *ctx, const struct store_package *p)
{
	struct pkg_seen *s = ctx;

	s->id = p->id;
	s->version = p->latest_version;
	s->updated = p->updated;
	(void)snprintf(s->status, sizeof(s->status), "%s", p->status);
	(void)snprintf(s->assigned, sizeof(s->assigned), "%s",
	               p->assigned_to ? p->assigned_to : "");
	return 0;
}

static struct pkg_seen get(struct fixture *fx, const char *ref)
{
	struct pkg_seen s;
	struct diag d;

	memset(&s, 0, sizeof(s));
	diag_clear(&d);
	assert_int_equal(store_get_package(fx->st, ref, on_pkg, NULL, &s, &d), 0);
	return s;
}

/* A, B and C: A and C share a subject; A and B share only an IP address. */
static void three(struct fixture *fx)
{
	begin_import(fx, T0);
	assert_int_equal(put(fx, "SYN-A", "S1", "34", "ip:10.0.0.1;email:a@x", T0), STORE_NEW);
	assert_int_equal(put(fx, "SYN-B", "S2", NULL, "ip:10.0.0.1", T0), STORE_NEW);
	assert_int_equal(put(fx, "SYN-C", "S1", NULL, "email:c@x", T0), STORE_NEW);
	end_import(fx, T0);
}

static void ip_links_apart(void **state)
{
	struct fixture *fx = *state;
	const struct link_counts *lc, *ip;
	int64_t a, b, c, n, nip;
	struct diag d;

	three(fx);
	a = get(fx, "SYN-A").id;
	b = get(fx, "SYN-B").id;
	c = get(fx, "SYN-C").id;
	diag_clear(&d);
	assert_int_equal(store_link_counts(fx->st, &lc, &ip, &d), 0);
	assert_int_equal(link_counts_get(lc, a), 1); /* C, through the subject */
	assert_int_equal(link_counts_get(ip, a), 1); /* B, through the IP address */
	assert_int_equal(link_counts_get(lc, b), 0);
	assert_int_equal(link_counts_get(ip, b), 1);
	assert_int_equal(link_counts_get(lc, c), 1);
	assert_int_equal(link_counts_get(ip, c), 0);
	/* The one-package lookup agrees with the walk. */
	assert_int_equal(store_linked_count(fx->st, a, NULL, &n, &nip, &d), 0);
	assert_true(n == 1 && nip == 1);
	assert_int_equal(store_linked_count(fx->st, b, NULL, &n, &nip, &d), 0);
	assert_true(n == 0 && nip == 1);
}

/* A package's links other than through an IP address, as store_link_counts gives them. */
static int64_t links_of(struct store *st, int64_t id)
{
	const struct link_counts *lc, *ip;
	struct diag d;

	diag_clear(&d);
	assert_int_equal(store_link_counts(st, &lc, &ip, &d), 0);
	return link_counts_get(lc, id);
}

/*
 * The store keeps the counts between calls (an import's audit entry and the
 * rescore after it), and counts again whenever a key may have changed: a
 * package stored here, a rollback, another connection's commit.
 */
static void kept_link_counts_follow_the_keys(void **state)
{
	struct fixture *fx = *state, fy;
	struct store *other = NULL;
	int64_t k1;
	struct diag d;

	begin_import(fx, T0 + 100);
	assert_int_equal(put(fx, "SYN-K1", "SK", NULL, NULL, T0 + 100), STORE_NEW);
	end_import(fx, T0 + 100);
	k1 = get(fx, "SYN-K1").id;
	assert_int_equal(links_of(fx->st, k1), 0);
	begin_import(fx, T0 + 101);
	assert_int_equal(put(fx, "SYN-K2", "SK", NULL, NULL, T0 + 101), STORE_NEW);
	assert_int_equal(links_of(fx->st, k1), 1); /* K2 shares the subject */
	store_rollback(fx->st);
	assert_int_equal(links_of(fx->st, k1), 0); /* K2 is gone again */
	/* Another process imports a package with the same subject. */
	diag_clear(&d);
	assert_int_equal(store_open(fx->path, 1000, &other, &d), 0);
	fy = *fx;
	fy.st = other;
	package_init(&fy.p);
	begin_import(&fy, T0 + 102);
	assert_int_equal(put(&fy, "SYN-K3", "SK", NULL, NULL, T0 + 102), STORE_NEW);
	end_import(&fy, T0 + 102);
	package_release(&fy.p);
	store_close(other);
	assert_int_equal(links_of(fx->st, k1), 1);
}

static void any_version_is_unchanged(void **state)
{
	struct fixture *fx = *state;

	begin_import(fx, T0 + 10);
	assert_int_equal(put(fx, "SYN-A", "S1", "35", "ip:10.0.0.1;email:a@x", T0 + 10),
	                 STORE_UPDATED);
	/* Version 1 again, and 2 again: both are stored, so nothing changes. */
	assert_int_equal(put(fx, "SYN-A", "S1", "34", "ip:10.0.0.1;email:a@x", T0 + 10),
	                 STORE_UNCHANGED);
	assert_int_equal(put(fx, "SYN-A", "S1", "35", "ip:10.0.0.1;email:a@x", T0 + 10),
	                 STORE_UNCHANGED);
	end_import(fx, T0 + 10);
	assert_int_equal(get(fx, "SYN-A").version, 2);
	assert_true(get(fx, "SYN-A").updated);
}

static void closed_is_reopened(void **state)
{
	struct fixture *fx = *state;
	struct store_event e = {T0 + 20, "dc.lee", "assign", "new", "assigned", "dc.lee", NULL, 0,
	                        NULL,    NULL,     NULL,     NULL,  NULL,       NULL,     NULL};
	int64_t c = get(fx, "SYN-C").id;
	struct pkg_seen s;
	struct diag d;

	diag_clear(&d);
	assert_int_equal(store_begin(fx->st, &d), 0);
	assert_int_equal(store_workflow(fx->st, c, &e, &d), 0);
	e.action = "status";
	e.from_status = "assigned";
	e.to_status = "nfa";
	e.assigned_to = NULL;
	e.note = "no offence";
	assert_int_equal(store_workflow(fx->st, c, &e, &d), 0);
	assert_int_equal(store_commit(fx->st, &d), 0);
	begin_import(fx, T0 + 30);
	assert_int_equal(put(fx, "SYN-C", "S1", "50", "email:c@x", T0 + 30), STORE_REOPENED);
	end_import(fx, T0 + 30);
	s = get(fx, "SYN-C");
	assert_string_equal(s.status, "reopened");
	assert_string_equal(s.assigned, "dc.lee"); /* the assignee is kept */
	assert_true(s.updated);
}

static int on_row(void *ctx, const struct store_worklist_row *r)
{
	struct buf *b = ctx;

	return buf_addf(b, "%s%s ", r->ref, r->updated ? "*" : "");
}

static void put_score(struct fixture *fx, const char *ref, int64_t score)
{
	struct store_score sc;
	struct pkg_seen p = get(fx, ref);
	struct diag d;

	memset(&sc, 0, sizeof(sc));
	sc.package_id = p.id;
	sc.version = p.version; /* a score of an older version is no current score (issue 24) */
	sc.score = score;
	sc.fired = "";
	sc.ref = ref;
	diag_clear(&d);
	assert_int_equal(store_put_score(fx->st, &sc, &d), 0);
}

/* The refs the worklist lists changed after t ("*": updated). */
static void changed_after(struct fixture *fx, int64_t t, const char *want)
{
	struct store_worklist_query q;
	struct buf b;
	struct diag d;

	memset(&q, 0, sizeof(q));
	q.has_changed_since = true;
	q.changed_since = t;
	buf_init(&b);
	diag_clear(&d);
	assert_int_equal(store_worklist(fx->st, &q, on_row, &b, &d), 0);
	assert_string_equal(b.data, want);
	buf_release(&b);
}

static void changed_since(void **state)
{
	struct fixture *fx = *state;
	struct diag d;

	diag_clear(&d);
	assert_int_equal(store_begin(fx->st, &d), 0);
	put_score(fx, "SYN-A", 30);
	put_score(fx, "SYN-B", 20);
	put_score(fx, "SYN-C", 10);
	assert_int_equal(store_commit(fx->st, &d), 0);
	changed_after(fx, T0 - 1, "SYN-A* SYN-B SYN-C* ");
	changed_after(fx, T0, "SYN-A* SYN-C* "); /* A's version 2, C's events */
	changed_after(fx, T0 + 10, "SYN-C* ");   /* C's assignment, closing and reopening */
	changed_after(fx, T0 + 30, "");
}

struct diffs {
	struct buf b;
};

static int on_diff(void *ctx, int field, const char *old, const char *new_value)
{
	struct diffs *x = ctx;

	return buf_addf(&x->b, "%s: %s -> %s; ", contract_fields[field].name, old ? old : "-",
	                new_value ? new_value : "-");
}

static void diff_versions(void **state)
{
	struct fixture *fx = *state;
	struct diffs x;
	struct diag d;

	buf_init(&x.b);
	diag_clear(&d);
	assert_int_equal(store_diff_versions(fx->st, "SYN-A", 0, 0, on_diff, &x, &d), 0);
	assert_string_equal(x.b.data, "subject_age: 34 -> 35; ");
	buf_reset(&x.b);
	assert_int_equal(store_diff_versions(fx->st, "SYN-A", 2, 1, on_diff, &x, &d), 0);
	assert_string_equal(x.b.data, "subject_age: 35 -> 34; ");
	buf_reset(&x.b);
	/* A field that becomes known, and a list that changes. */
	begin_import(fx, T0 + 40);
	assert_int_equal(put(fx, "SYN-B", "S2", "20", "ip:10.0.0.2", T0 + 40), STORE_UPDATED);
	end_import(fx, T0 + 40);
	assert_int_equal(store_diff_versions(fx->st, "SYN-B", 0, 0, on_diff, &x, &d), 0);
	assert_string_equal(x.b.data,
	                    "subject_age: - -> 20; identifiers: ip:10.0.0.1 -> ip:10.0.0.2; ");
	assert_int_equal(store_diff_versions(fx->st, "SYN-A", 1, 3, on_diff, &x, &d), -1);
	assert_int_equal(d.code, EX_DATAERR);
	assert_non_null(strstr(d.message, "SYN-A has no version 3"));
	assert_int_equal(store_diff_versions(fx->st, "SYN-NONE", 0, 0, on_diff, &x, &d), 1);
	buf_release(&x.b);
}

/* (key, package id) pairs, sorted to compare. */
struct pairs {
	int64_t v[64][2];
	size_t n;
	int64_t id; /* whose own keys on_own_key adds */
};

static int on_pair(void *ctx, int64_t key, int64_t id)
{
	struct pairs *p = ctx;

	assert_true(p->n < 64);
	p->v[p->n][0] = key;
	p->v[p->n++][1] = id;
	return 0;
}

static int on_own_key(void *ctx, int64_t key, const char *text, size_t len)
{
	struct pairs *p = ctx;

	(void)text;
	(void)len;
	return on_pair(p, key, p->id);
}

static int cmp_pair(const void *a, const void *b)
{
	const int64_t *x = a, *y = b;

	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	return x[1] < y[1] ? -1 : x[1] > y[1];
}

static void sort_pairs(struct pairs *p)
{
	qsort(p->v, p->n, sizeof(p->v[0]), cmp_pair);
}

/* The latest version of ref, decoded into out. */
static int64_t latest(struct fixture *fx, const char *ref, struct package *out)
{
	int64_t id = get(fx, ref).id;
	struct buf facts;
	struct diag d;
	int version;

	buf_init(&facts);
	diag_clear(&d);
	assert_int_equal(store_latest_facts(fx->st, id, &facts, &version, &d), 0);
	assert_int_equal(package_decode_facts(out, facts.data, facts.len), 0);
	buf_release(&facts);
	return id;
}

static int on_link_ref(void *ctx, const char *ref, int64_t key)
{
	struct buf *b = ctx;

	assert_int_equal(buf_addf(b, "%s:%lld;", ref, (long long)key), 0);
	return 0;
}

/* The links of id found from its facts and by a scan of the table: the same. */
static void links_agree(struct fixture *fx, int64_t id, const struct package *own)
{
	struct buf from_facts, scanned;
	int64_t n, nip, n2, nip2;
	struct diag d;
	int ip;

	diag_clear(&d);
	assert_int_equal(store_linked_count(fx->st, id, own, &n, &nip, &d), 0);
	assert_int_equal(store_linked_count(fx->st, id, NULL, &n2, &nip2, &d), 0);
	assert_true(n == n2 && nip == nip2);
	for (ip = 0; ip < 2; ip++) {
		buf_init(&from_facts);
		buf_init(&scanned);
		assert_int_equal(store_each_link(fx->st, id, own, ip, on_link_ref, &from_facts, &d),
		                 0);
		assert_int_equal(store_each_link(fx->st, id, NULL, ip, on_link_ref, &scanned, &d),
		                 0);
		assert_int_equal(buf_addc(&from_facts, 0), 0);
		assert_int_equal(buf_addc(&scanned, 0), 0);
		assert_string_equal(from_facts.data, scanned.data);
		buf_release(&from_facts);
		buf_release(&scanned);
	}
}

/*
 * package_keys holds exactly the keys of each package's latest version
 * (src/store/keys.c finds a package's keys from its facts, and writes them
 * 64 to a statement): after a new version drops an identifier and adds
 * another, even two versions in one file, no key of the old one stays; and
 * the keys of packages undone with the file's savepoint are not written.
 */
static void stored_keys_are_the_latest_versions(void **state)
{
	static const char *const refs[] = {"SYN-A", "SYN-B", "SYN-C", "SYN-D"};
	struct fixture *fx = *state;
	struct pairs stored = {0}, derived = {0};
	struct package own;
	struct diag d;
	size_t i;

	diag_clear(&d);
	begin_import(fx, T0 + 40);
	assert_int_equal(store_savepoint(fx->st, &d), 0);
	assert_int_equal(
	    put(fx, "SYN-GONE", "S9", NULL, "email:gone@x;phone:+447700900999", T0 + 40),
	    STORE_NEW);
	assert_int_equal(store_rollback_to_savepoint(fx->st, &d), 0);
	assert_int_equal(put(fx, "SYN-A", "S1", "35", "ip:10.0.0.1;phone:+447700900123", T0 + 40),
	                 STORE_UPDATED);
	assert_int_equal(put(fx, "SYN-B", "S2", NULL, "ip:10.0.0.9;phone:+447700900123", T0 + 40),
	                 STORE_UPDATED);
	assert_int_equal(put(fx, "SYN-D", "S4", NULL, "email:d1@x;username:d1", T0 + 40),
	                 STORE_NEW);
	assert_int_equal(put(fx, "SYN-D", "S4", NULL, "email:d2@x", T0 + 40), STORE_UPDATED);
	end_import(fx, T0 + 40);
	diag_clear(&d);
	assert_int_equal(store_each_link_key(fx->st, on_pair, &stored, &d), 0);
	package_init(&own);
	for (i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		derived.id = latest(fx, refs[i], &own);
		assert_int_equal(link_keys_of(&own, on_own_key, &derived), 0);
		links_agree(fx, derived.id, &own);
	}
	package_release(&own);
	sort_pairs(&stored);
	sort_pairs(&derived);
	assert_int_equal(stored.n, derived.n);
	assert_memory_equal(stored.v, derived.v, stored.n * sizeof(stored.v[0]));
	/* A version that is not there is a damaged store, said so (not "not an error"). */
	{
		struct buf facts;

		buf_init(&facts);
		diag_clear(&d);
		assert_int_equal(store_version_facts(fx->st, get(fx, "SYN-A").id, 99, &facts, &d),
		                 -1);
		assert_int_equal(d.code, EX_CONFIG);
		assert_non_null(
		    strstr(d.message, "reading a package: database disk image is malformed"));
		buf_release(&facts);
	}
	/* A and B now share the phone, and no longer the IP address. */
	assert_int_equal(links_of(fx->st, get(fx, "SYN-B").id), 1);
}

/* Both link counts stop at 1000 ("1,000 or more") for the rules, and stay apart. */
static void links_saturate(void **state)
{
	struct fixture *fx = *state;
	struct cond_input in;

	score_derive(&fx->p, 999, 5000, T0, &in);
	assert_int_equal(in.derived[D_LINKED_PACKAGES - CONTRACT_NFIELDS], 999);
	assert_int_equal(in.derived[D_IP_LINKED_PACKAGES - CONTRACT_NFIELDS], 1000);
	score_derive(&fx->p, 1001, 0, T0, &in);
	assert_int_equal(in.derived[D_LINKED_PACKAGES - CONTRACT_NFIELDS], 1000);
	assert_int_equal(in.derived[D_IP_LINKED_PACKAGES - CONTRACT_NFIELDS], 0);
	assert_true(in.derived_known & (1u << (D_IP_LINKED_PACKAGES - CONTRACT_NFIELDS)));
}

int main(void)
{
	/* One store, in order: each test builds on the one before. */
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(ip_links_apart),
	    cmocka_unit_test(any_version_is_unchanged),
	    cmocka_unit_test(closed_is_reopened),
	    cmocka_unit_test(changed_since),
	    cmocka_unit_test(diff_versions),
	    cmocka_unit_test(stored_keys_are_the_latest_versions),
	    cmocka_unit_test(links_saturate),
	    cmocka_unit_test(kept_link_counts_follow_the_keys),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
