/* rules diff for machines (outcomes.md): one JSON object. */
#include "diff-internal.h"

#include "reftriage/hash.h"
#include "reftriage/jsonw.h"
#include "reftriage/report.h"

static int json_ids(struct buf *b, const struct ruleset *rs, const uint16_t *ix, size_t n)
{
	size_t i;
	int rc = buf_addc(b, '[');

	for (i = 0; i < n; i++) {
		rc |= i ? buf_addc(b, ',') : 0;
		rc |= jsonw_string(b, rs->rules[ix[i]].id, strlen(rs->rules[ix[i]].id));
	}
	return rc | buf_addc(b, ']');
}

static int json_change(struct buf *b, const struct rules_diff *df, const struct rules_diff_pkg *p)
{
	const char *ref = rules_diff_ref(df, p), *fp = df->from->bands[p->from_priority].priority,
	           *tp = df->to->bands[p->to_priority].priority;
	const uint16_t *add, *rem;
	size_t na, nr;
	bool first = true;
	int rc = 0;

	rules_diff_rules(df, p, &add, &na, &rem, &nr);
	rc |= buf_addc(b, '{');
	rc |= jsonw_key_str(b, &first, "package_ref", ref);
	rc |= jsonw_key_str(b, &first, "from_priority", fp);
	rc |= jsonw_key_str(b, &first, "to_priority", tp);
	rc |= jsonw_key_int(b, &first, "from_score", (long long)p->from_score);
	rc |= jsonw_key_int(b, &first, "to_score", (long long)p->to_score);
	rc |= jsonw_key(b, &first, "from_rank");
	rc |= buf_addf(b, "%u", p->from_rank);
	rc |= jsonw_key(b, &first, "to_rank");
	rc |= buf_addf(b, "%u", p->to_rank);
	rc |= jsonw_key(b, &first, "rules_added");
	rc |= json_ids(b, df->to, add, na);
	rc |= jsonw_key(b, &first, "rules_removed");
	rc |= json_ids(b, df->from, rem, nr);
	rc |= jsonw_key(b, &first, "from_due_at");
	rc |= buf_addc(b, '"') | report_time(b, p->from_due_at) | buf_addc(b, '"');
	rc |= jsonw_key(b, &first, "to_due_at");
	rc |= buf_addc(b, '"') | report_time(b, p->to_due_at) | buf_addc(b, '"');
	rc |= jsonw_key(b, &first, "from_overdue");
	rc |= buf_adds(b, p->from_overdue ? "true" : "false");
	rc |= jsonw_key(b, &first, "to_overdue");
	rc |= buf_adds(b, p->to_overdue ? "true" : "false");
	return rc | buf_addc(b, '}');
}

/* A band as its rules file gives it (min_score null for the last), or null. */
static int json_band(struct buf *b, const struct band *x)
{
	bool first = true;
	int rc = 0;

	if (!x)
		return buf_adds(b, "null");
	rc |= buf_addc(b, '{');
	rc |= jsonw_key_str(b, &first, "priority", x->priority);
	rc |= jsonw_key_str(b, &first, "label", x->label);
	rc |= jsonw_key(b, &first, "min_score");
	rc |= x->has_min ? buf_addf(b, "%lld", (long long)x->min_score) : buf_adds(b, "null");
	rc |= jsonw_key_int(b, &first, "respond_within_hours", (long long)x->respond_within_hours);
	return rc | buf_addc(b, '}');
}

/* A rule with the keys of its rules file, floor null when it has none; or null. */
static int json_rule(struct buf *b, const struct ruleset *rs, const struct rule *x)
{
	bool first = true;
	int rc = 0;

	if (!x)
		return buf_adds(b, "null");
	rc |= buf_addc(b, '{');
	rc |= jsonw_key_str(b, &first, "id", x->id);
	rc |= jsonw_key_str(b, &first, "category", rule_category_names[x->category]);
	rc |= jsonw_key_str(b, &first, "description", x->description);
	rc |= jsonw_key_str(b, &first, "when", x->when);
	rc |= jsonw_key_int(b, &first, "points", (long long)x->points);
	rc |=
	    jsonw_key_str(b, &first, "floor", x->floor >= 0 ? rs->bands[x->floor].priority : NULL);
	return rc | buf_addc(b, '}');
}

/* due_changes and policy_changes: what follows the list of changes. */
static int json_tail(struct buf *b, const struct rules_diff *df)
{
	size_t i;
	int rc = 0;

	rc |= buf_addf(b,
	               ",\n\"due_changes\":{\"earlier\":%zu,\"later\":%zu,\"become_overdue\":%zu,"
	               "\"stop_overdue\":%zu},\n\"policy_changes\":[",
	               df->due_earlier, df->due_later, df->become_overdue, df->stop_overdue);
	for (i = 0; i < df->npolicy; i++) {
		const struct rules_diff_policy *c = &df->policy[i];
		bool band = c->kind == RULES_DIFF_BAND, first = true;

		rc |= buf_adds(b, i ? ",\n{" : "\n{");
		rc |= jsonw_key_str(b, &first, "kind", band ? "band" : "rule");
		rc |= jsonw_key_str(b, &first, "id", diff_policy_id(df, c));
		rc |= jsonw_key_str(b, &first, "change", diff_change_names[c->change]);
		rc |= jsonw_key(b, &first, "from");
		rc |= band
		          ? json_band(b, c->from >= 0 ? &df->from->bands[c->from] : NULL)
		          : json_rule(b, df->from, c->from >= 0 ? &df->from->rules[c->from] : NULL);
		rc |= jsonw_key(b, &first, "to");
		rc |= band ? json_band(b, c->to >= 0 ? &df->to->bands[c->to] : NULL)
		           : json_rule(b, df->to, c->to >= 0 ? &df->to->rules[c->to] : NULL);
		rc |= buf_addc(b, '}');
	}
	return rc | buf_adds(b, df->npolicy ? "\n]}\n" : "]}\n");
}

static int json_head(struct buf *b, const struct rules_diff *df)
{
	char h[HASH_HEX];
	bool first = true;
	size_t i, j;
	int rc = 0;

	rc |= buf_addc(b, '{');
	rc |= jsonw_key(b, &first, "from_hash");
	hash_hex(h, df->from->hash);
	rc |= jsonw_string(b, h, strlen(h));
	rc |= jsonw_key(b, &first, "to_hash");
	hash_hex(h, df->to->hash);
	rc |= jsonw_string(b, h, strlen(h));
	rc |= jsonw_key(b, &first, "as_of");
	rc |= buf_addc(b, '"') | report_time(b, df->as_of) | buf_addc(b, '"');
	rc |= jsonw_key(b, &first, "open_packages");
	rc |= buf_addf(b, "%zu", df->n);
	rc |= jsonw_key(b, &first, "matrix");
	rc |= buf_addc(b, '{');
	for (i = 0; i < df->from->nbands; i++) {
		bool f2 = true;

		rc |= jsonw_key(b, &(bool){i == 0}, df->from->bands[i].priority);
		rc |= buf_addc(b, '{');
		for (j = 0; j < df->to->nbands; j++) {
			rc |= jsonw_key(b, &f2, df->to->bands[j].priority);
			rc |= buf_addf(b, "%ld", df->matrix[i][j]);
		}
		rc |= buf_addc(b, '}');
	}
	rc |= buf_addc(b, '}');
	rc |= jsonw_key(b, &first, "changes");
	return rc | buf_addc(b, '[');
}

int report_diff_json(FILE *f, const struct rules_diff *df)
{
	struct buf b;
	size_t i, k = 0;
	int rc;

	buf_init(&b);
	rc = json_head(&b, df);
	for (i = 0; i < df->n && !rc; i++) {
		const struct rules_diff_pkg *p = &df->pkgs[df->order[i]];

		if (!rules_diff_changed(p))
			continue;
		rc |= buf_adds(&b, k++ ? ",\n" : "\n");
		rc |= json_change(&b, df, p);
		if (b.len > 65536)
			rc |= report_page_flush(f, &b);
	}
	rc |= buf_adds(&b, k ? "\n]" : "]");
	rc |= json_tail(&b, df);
	if (!rc)
		rc = report_page_flush(f, &b);
	buf_release(&b);
	return rc ? -1 : 0;
}
