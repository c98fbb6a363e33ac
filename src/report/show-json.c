/*
 * reftriage show --format json: the parts of the package's object (moved
 * here from src/cli/cmd-show.c), each appended to a buffer. Times are UTC.
 */
#include "reftriage/show.h"

#include "reftriage/hash.h"
#include "reftriage/jsonw.h"
#include "reftriage/outcome.h"
#include "reftriage/timeutil.h"

static int str_or_null(struct buf *b, const char *s)
{
	return s ? jsonw_string(b, s, strlen(s)) : buf_adds(b, "null");
}

static int utc(struct buf *b, int64_t us)
{
	char t[40];

	time_format(us, t);
	return jsonw_string(b, t, strlen(t));
}

int report_json_case(struct buf *b, const struct report_case *c)
{
	bool first = false; /* members of the package object, after others */
	int err = 0;

	err |= jsonw_key(b, &first, "duplicate_of");
	err |= str_or_null(b, c->of_ref[0] ? c->of_ref : NULL);
	err |= jsonw_key(b, &first, "duplicates");
	err |= buf_addc(b, '[');
	if (c->duplicates.len) {
		const char *s = c->duplicates.data;

		for (;;) {
			const char *comma = strstr(s, ", ");
			size_t n = comma ? (size_t)(comma - s) : strlen(s);

			err |= jsonw_string(b, s, n);
			if (!comma)
				break;
			err |= buf_addc(b, ',');
			s = comma + 2;
		}
	}
	err |= buf_addc(b, ']');
	err |= jsonw_key(b, &first, "transfer");
	if (c->transfer) {
		bool f2 = true;

		err |= buf_addc(b, '{');
		err |= jsonw_key(b, &f2, "to");
		err |= str_or_null(b, c->transfer_to[0] ? c->transfer_to : NULL);
		err |= jsonw_key(b, &f2, "their_ref");
		err |= str_or_null(b, c->their_ref[0] ? c->their_ref : NULL);
		err |= buf_addc(b, '}');
	} else {
		err |= buf_adds(b, "null");
	}
	return err ? -1 : 0;
}

int report_json_event(struct buf *b, const struct store_event *e, bool first_item)
{
	bool first = true;
	int err = 0;

	err |= buf_adds(b, first_item ? "{" : ",{");
	err |= jsonw_key(b, &first, "at") | utc(b, e->at);
	err |= jsonw_key(b, &first, "operator") | str_or_null(b, e->operator_name);
	err |= jsonw_key(b, &first, "action") | str_or_null(b, e->action);
	err |= jsonw_key(b, &first, "from_status") | str_or_null(b, e->from_status);
	err |= jsonw_key(b, &first, "to_status") | str_or_null(b, e->to_status);
	err |= jsonw_key(b, &first, "assigned_to") | str_or_null(b, e->assigned_to);
	err |= jsonw_key(b, &first, "note") | str_or_null(b, e->note);
	err |= jsonw_key(b, &first, "of") | str_or_null(b, e->of_ref);
	err |= jsonw_key(b, &first, "transfer_to") | str_or_null(b, e->transfer_to);
	err |= jsonw_key(b, &first, "their_ref") | str_or_null(b, e->their_ref);
	err |= report_event_extra_json(b, &first, e);
	err |= buf_addc(b, '}');
	return err ? -1 : 0;
}

int report_json_outcome(struct buf *b, const struct store_outcome *o, bool first_item)
{
	const char *label = outcome_label_name(outcome_label_of(o->code));
	bool first = true;
	int err = 0;

	err |= buf_adds(b, first_item ? "{" : ",{");
	err |= jsonw_key(b, &first, "code") | jsonw_string(b, o->code, strlen(o->code));
	err |= jsonw_key(b, &first, "label") | jsonw_string(b, label, strlen(label));
	err |= jsonw_key(b, &first, "date") | jsonw_string(b, o->date, strlen(o->date));
	err |= jsonw_key(b, &first, "count") | buf_addf(b, "%ld", o->count);
	err |= jsonw_key(b, &first, "note") | str_or_null(b, o->note);
	err |= buf_addc(b, '}');
	return err ? -1 : 0;
}

int report_json_link(struct buf *b, const char *ref, const char *key, bool first_item)
{
	bool first = true;
	int err = 0;

	err |= buf_adds(b, first_item ? "{" : ",{");
	err |= jsonw_key(b, &first, "package_ref") | jsonw_string(b, ref, strlen(ref));
	err |= jsonw_key(b, &first, "shared") | jsonw_string(b, key, strlen(key));
	err |= buf_addc(b, '}');
	return err ? -1 : 0;
}

static int rule(struct buf *b, const struct rule *ru, bool first_item)
{
	const char *cat = rule_category_names[ru->category];
	bool first = true;
	int err = 0;

	err |= buf_adds(b, first_item ? "{" : ",{");
	err |= jsonw_key(b, &first, "rule") | jsonw_string(b, ru->id, strlen(ru->id));
	err |= jsonw_key(b, &first, "category") | jsonw_string(b, cat, strlen(cat));
	err |= jsonw_key(b, &first, "points") | buf_addf(b, "%lld", (long long)ru->points);
	err |= jsonw_key(b, &first, "description");
	err |= jsonw_string(b, ru->description, strlen(ru->description));
	err |= buf_addc(b, '}');
	return err;
}

int report_json_score(struct buf *b, struct store *st, int64_t id, const struct store_score *sc,
                      const struct ruleset *rs, const char *fired)
{
	const char *pri = rs->bands[sc->priority].priority, *band = rs->bands[sc->band].priority;
	const struct rule *rules[256];
	char hex[HASH_HEX];
	bool first = true;
	size_t i, n = ruleset_fired(rs, fired, rules, ARRAY_SIZE(rules));
	int err = 0;

	hash_hex(hex, rs->hash);
	err |= buf_addc(b, '{');
	err |= jsonw_key(b, &first, "priority") | jsonw_string(b, pri, strlen(pri));
	err |= report_override_json(st, id, b, &first, rs, sc);
	err |= jsonw_key(b, &first, "band") | jsonw_string(b, band, strlen(band));
	err |= jsonw_key(b, &first, "score") | buf_addf(b, "%lld", (long long)sc->score);
	err |= jsonw_key(b, &first, "due_at") | utc(b, sc->due_at);
	err |= jsonw_key(b, &first, "overdue") | buf_adds(b, sc->overdue ? "true" : "false");
	err |= jsonw_key(b, &first, "as_of") | utc(b, sc->as_of);
	err |= jsonw_key(b, &first, "rules_hash") | jsonw_string(b, hex, strlen(hex));
	err |= jsonw_key(b, &first, "version_scored") | buf_addf(b, "%d", sc->version);
	err |= jsonw_key(b, &first, "linked_packages");
	err |= buf_addf(b, "%lld", (long long)sc->linked);
	err |= jsonw_key(b, &first, "ip_linked_packages");
	err |= buf_addf(b, "%lld", (long long)sc->ip_linked);
	err |= jsonw_key(b, &first, "explanation") | buf_addc(b, '[');
	for (i = 0; i < n; i++)
		err |= rule(b, rules[i], i == 0);
	err |= buf_adds(b, "]}");
	return err ? -1 : 0;
}

int report_json_version(struct buf *b, const struct store_version *v, const char *hex,
                        const struct package *pkg, bool first_item)
{
	bool first = true;
	size_t clen;
	int err = 0;

	err |= buf_adds(b, first_item ? "{" : ",{");
	err |= jsonw_key(b, &first, "version") | buf_addf(b, "%d", v->version);
	err |= jsonw_key(b, &first, "content_hash") | jsonw_string(b, hex, strlen(hex));
	err |= jsonw_key(b, &first, "imported_at") | utc(b, v->imported_at);
	err |= jsonw_key(b, &first, "file") | jsonw_string(b, v->file, strlen(v->file));
	err |= jsonw_key(b, &first, "line") | buf_addf(b, "%lu", v->line);
	err |= jsonw_key(b, &first, "array_index");
	err |= v->index >= 0 ? buf_addf(b, "%ld", v->index) : buf_adds(b, "null");
	/* The canonical form, byte for byte: its BLAKE2b-256 is content_hash. */
	err |= jsonw_key(b, &first, "package");
	if (!pkg) {
		err |= buf_adds(b, "null"); /* erased */
	} else {
		const char *canon = package_canonical(pkg, &clen);

		err |= buf_add(b, canon, clen);
	}
	err |= buf_addc(b, '}');
	return err ? -1 : 0;
}

int report_json_change(struct buf *b, const char *name, const char *old, const char *new_value,
                       bool first_item)
{
	bool first = true;
	int err = 0;

	err |= buf_adds(b, first_item ? "{" : ",{");
	err |= jsonw_key(b, &first, "field") | jsonw_string(b, name, strlen(name));
	err |= jsonw_key(b, &first, "old") | str_or_null(b, old);
	err |= jsonw_key(b, &first, "new") | str_or_null(b, new_value);
	err |= buf_addc(b, '}');
	return err ? -1 : 0;
}
