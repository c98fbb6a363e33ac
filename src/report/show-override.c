/*
 * How 'show' says an override in JSON (casework.md section 1): in the score
 * and in the package's history. The text is in show-text.c.
 */
#include "reftriage/show.h"

#include "reftriage/jsonw.h"
#include "reftriage/rules.h"
#include "reftriage/store.h"
#include "reftriage/timeutil.h"

struct ov_show {
	const struct ruleset *rs;
	const struct store_score *sc;
	struct buf *b;
	bool *first;
	int err;
};

static const char *band_name(const struct ruleset *rs, int i)
{
	return i >= 0 && (size_t)i < rs->nbands ? rs->bands[i].priority : "?";
}

static int json_time(struct buf *b, int64_t us)
{
	char t[40];

	time_format(us, t);
	return jsonw_string(b, t, strlen(t));
}

static int json_str_or_null(struct buf *b, const char *s)
{
	return s ? jsonw_string(b, s, strlen(s)) : buf_adds(b, "null");
}

static int on_json(void *ctx, const struct store_override *o)
{
	struct ov_show *x = ctx;
	bool f = true;

	x->err |= buf_addc(x->b, '{');
	x->err |= jsonw_key_str(x->b, &f, "direction", o->direction);
	x->err |= jsonw_key_str(x->b, &f, "code", o->code);
	x->err |= jsonw_key_str(x->b, &f, "by", o->operator_name);
	x->err |= jsonw_key(x->b, &f, "approved_by");
	x->err |= json_str_or_null(x->b, o->approved_by);
	x->err |= jsonw_key(x->b, &f, "at");
	x->err |= json_time(x->b, o->at);
	x->err |= jsonw_key_str(x->b, &f, "note", o->note);
	x->err |= buf_addc(x->b, '}');
	return 0;
}

int report_override_json(struct store *st, int64_t id, struct buf *b, bool *first,
                         const struct ruleset *rs, const struct store_score *sc)
{
	struct ov_show x = {rs, sc, b, first, 0};
	const char *computed = band_name(rs, sc->rules_priority);
	struct diag d;
	int rc;

	x.err |= jsonw_key_str(b, first, "computed_priority", computed);
	x.err |= jsonw_key(b, first, "override");
	diag_clear(&d);
	rc = store_get_override(st, id, on_json, &x, &d);
	if (rc < 0)
		return -1;
	if (rc == 1)
		x.err |= buf_adds(b, "null");
	return x.err ? -1 : 0;
}

int report_event_extra_json(struct buf *b, bool *first, const struct store_event *e)
{
	int rc = 0;

	/* Only where there is something to say: older events keep their shape. */
	if (e->approved_by) {
		rc |= jsonw_key(b, first, "approved_by");
		rc |= jsonw_string(b, e->approved_by, strlen(e->approved_by));
	}
	if (strcmp(e->action, "override") == 0) {
		rc |= jsonw_key(b, first, "priority");
		rc |= json_str_or_null(b, e->priority);
		rc |= jsonw_key(b, first, "direction");
		rc |= json_str_or_null(b, e->direction);
		rc |= jsonw_key(b, first, "code");
		rc |= json_str_or_null(b, e->code);
	}
	return rc ? -1 : 0;
}
