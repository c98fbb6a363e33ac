/* The audit chain: hashing, checking entry by entry, checkpoint statements. */
#include "unit.h"

#include "reftriage/audit.h"

struct chain {
	struct audit_entry e[4];
	unsigned char refs[4][HASH_BYTES];
	int64_t nrefs[4];
};

static const char *const details[4] = {"{\"a\":1}", "{\"b\":2}", "{}", "{\"note\":\"x\"}"};

/* Four linked entries; entry 1 names two refs. */
static void build(struct chain *c)
{
	int i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < 4; i++) {
		struct audit_entry *e = &c->e[i];
		struct audit_refs r;

		e->seq = i + 1;
		e->at = 1700000000000000LL + i;
		e->operator_name = "alice";
		e->action = i == 1 ? "show" : "status";
		e->reason = i == 3 ? "weekly review" : NULL;
		e->details = details[i];
		e->details_len = strlen(details[i]);
		hash_bytes(e->details_hash, e->details, e->details_len);
		audit_refs_init(&r);
		if (i == 1) {
			audit_refs_add(&r, "SYN-1", 5);
			audit_refs_add(&r, "SYN-2", 5);
		}
		c->nrefs[i] = r.n;
		e->n_refs = r.n;
		audit_refs_final(&r, c->refs[i]);
		if (i > 0)
			memcpy(e->prev_hash, c->e[i - 1].hash, HASH_BYTES);
		audit_entry_hash(e, r.n, c->refs[i], e->hash);
	}
}

/* Check the chain; the index of the first entry refused, or -1. */
static int first_broken(struct chain *c, char *why, size_t n)
{
	struct audit_verifier v;
	int i;

	audit_verifier_init(&v);
	for (i = 0; i < 4; i++)
		if (audit_verify_entry(&v, &c->e[i], c->nrefs[i], c->refs[i], why, n) < 0)
			return i;
	return -1;
}

static void intact_chain_verifies(void **state)
{
	struct chain c;
	char why[300];

	(void)state;
	build(&c);
	assert_int_equal(first_broken(&c, why, sizeof(why)), -1);
	/* The same fields give the same hash; another reason another. */
	{
		unsigned char h[HASH_BYTES];

		audit_entry_hash(&c.e[3], c.nrefs[3], c.refs[3], h);
		assert_memory_equal(h, c.e[3].hash, HASH_BYTES);
		c.e[3].reason = "weekly review.";
		audit_entry_hash(&c.e[3], c.nrefs[3], c.refs[3], h);
		assert_memory_not_equal(h, c.e[3].hash, HASH_BYTES);
		/* No reason and an empty reason are different entries. */
		c.e[0].reason = "";
		audit_entry_hash(&c.e[0], c.nrefs[0], c.refs[0], h);
		assert_memory_not_equal(h, c.e[0].hash, HASH_BYTES);
	}
}

static void each_change_is_named(void **state)
{
	struct chain c;
	char why[300];

	(void)state;
	build(&c);
	c.e[2].operator_name = "mallory";
	assert_int_equal(first_broken(&c, why, sizeof(why)), 2);
	assert_non_null(strstr(why, "entry 3: its hash does not match"));

	build(&c);
	c.e[1].details = "{\"b\":3}";
	assert_int_equal(first_broken(&c, why, sizeof(why)), 1);
	assert_non_null(strstr(why, "entry 2: its details were changed"));

	build(&c);
	c.nrefs[1] = 1; /* a ref removed from the store */
	assert_int_equal(first_broken(&c, why, sizeof(why)), 1);
	assert_non_null(strstr(why, "names 2 package refs but 1 are stored"));

	build(&c);
	c.refs[1][0] ^= 1; /* a ref changed */
	assert_int_equal(first_broken(&c, why, sizeof(why)), 1);

	build(&c);
	c.e[2] = c.e[3]; /* entry 3 deleted: 4 follows 2 */
	assert_int_equal(first_broken(&c, why, sizeof(why)), 2);
	assert_non_null(strstr(why, "entry 3 is missing"));

	build(&c);
	{
		struct audit_entry t = c.e[1];

		c.e[1] = c.e[2]; /* swapped, renumbered */
		c.e[2] = t;
		c.e[1].seq = 2;
		c.e[2].seq = 3;
	}
	assert_int_equal(first_broken(&c, why, sizeof(why)), 1);
	assert_non_null(strstr(why, "does not follow entry 1"));

	build(&c);
	c.e[0].at += 1; /* the time moved */
	assert_int_equal(first_broken(&c, why, sizeof(why)), 0);
}

static void checkpoint_round_trip(void **state)
{
	struct audit_checkpoint c, back;
	struct buf b;
	char why[200];

	(void)state;
	memset(&c, 0, sizeof(c));
	memcpy(c.store_id, "0123456789abcdef0123456789abcdef", 33);
	c.seq = 4711;
	memset(c.head, 0xab, HASH_BYTES);
	c.at = 1795305600000000LL; /* 2026-11-22T00:00:00Z */
	buf_init(&b);
	assert_int_equal(audit_checkpoint_format(&c, &b), 0);
	assert_string_equal(
	    b.data, "reftriage audit checkpoint v1\n"
	            "store: 0123456789abcdef0123456789abcdef\n"
	            "seq: 4711\n"
	            "head: abababababababababababababababababababababababababababababababab\n"
	            "time: 2026-11-22T00:00:00Z\n");
	assert_int_equal(audit_checkpoint_parse(b.data, b.len, &back, why, sizeof(why)), 0);
	assert_string_equal(back.store_id, c.store_id);
	assert_int_equal(back.seq, 4711);
	assert_memory_equal(back.head, c.head, HASH_BYTES);
	assert_int_equal(back.at, c.at);
	buf_release(&b);
}

static void checkpoint_refuses_malformed(void **state)
{
	static const char *const bad[] = {
	    "",
	    "reftriage audit checkpoint v2\n",
	    "reftriage audit checkpoint v1\nstore: xyz\n",
	    "reftriage audit checkpoint v1\nstore: 0123456789abcdef0123456789abcdef\nseq: 0\n",
	    "reftriage audit checkpoint v1\nstore: 0123456789abcdef0123456789abcdef\nseq: 1x\n",
	    "reftriage audit checkpoint v1\nstore: 0123456789abcdef0123456789abcdef\nseq: 1\nhead: "
	    "AB\n",
	    "reftriage audit checkpoint v1\nstore: 0123456789abcdef0123456789abcdef\nseq: 1\nhead: "
	    "abababababababababababababababababababababababababababababababab\ntime: soon\n",
	    "reftriage audit checkpoint v1\nstore: 0123456789abcdef0123456789abcdef\nseq: 1\nhead: "
	    "abababababababababababababababababababababababababababababababab\ntime: "
	    "2026-11-22T00:00:00Z\nmore\n",
	};
	struct audit_checkpoint c;
	char why[200];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(
		    audit_checkpoint_parse(bad[i], strlen(bad[i]), &c, why, sizeof(why)), -1);
}

static void categories(void **state)
{
	(void)state;
	assert_string_equal(audit_category("import"), "collection");
	assert_string_equal(audit_category("link"), "combination");
	assert_string_equal(audit_category("export"), "disclosure");
	assert_string_equal(audit_category("purge"), "erasure");
	assert_string_equal(audit_category("worklist"), "consultation");
	assert_string_equal(audit_category("status"), "alteration");
	assert_string_equal(audit_category("init"), "administration");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(intact_chain_verifies),
	    cmocka_unit_test(each_change_is_named),
	    cmocka_unit_test(checkpoint_round_trip),
	    cmocka_unit_test(checkpoint_refuses_malformed),
	    cmocka_unit_test(categories),
	};

	if (hash_library_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
