/*
 * How 'show' says an override (casework.md section 1): on the decision line
 * ("P1 by override (child-at-risk, dc.ahmed, ...); rules say P3"), in the
 * JSON score, and in the package's history.
 */
#include "reftriage/show.h"

#include "reftriage/jsonw.h"
#include "reftriage/rules.h"
#include "reftriage/store.h"
#include "reftriage/timeutil.h"

struct ov_show {
	FILE *f; /* text */
	const struct ruleset *rs;
	const struct store_score *sc;
	struct buf *b; /* JSON; NULL: text */
	bool *first;
	int err;
};

static const char *band_name(const struct ruleset *rs, int i)
{
	return i >= 0 && (size_t)i < rs->nbands ? rs->bands[i].priority : "?";
}

static int on_text(void *ctx, const struct store_override *o)
{
	struct ov_show *x = ctx;
	char t[TIME_LOCAL_MAX];

	time_format_local(o->at, t);
	fprintf(x->f, "%s by override (", band_name(x->rs, x->sc->priority));
	report_put_safe(x->f, o->code, strlen(o->code), NULL);
	fputs(", ", x->f);
	report_put_safe(x->f, o->operator_name, strlen(o->operator_name), NULL);
	if (o->approved_by) {
		fputs(", approved by ", x->f);
		report_put_safe(x->f, o->approved_by, strlen(o->approved_by), NULL);
	}
	fprintf(x->f, ", %s); rules say %s", t, band_name(x->rs, x->sc->rules_priority));
	return 0;
}

int report_override_text(FILE *f, struct store *st, int64_t id, const struct ruleset *rs,
                         const struct store_score *sc, struct diag *d)
{
	struct ov_show x = {f, rs, sc, NULL, NULL, 0};
	int rc = store_get_override(st, id, on_text, &x, d);

	return rc < 0 ? -1 : rc == 0 ? 1 : 0;
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
	struct ov_show x = {NULL, rs, sc, b, first, 0};
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

void report_event_override_text(FILE *f, const struct store_event *e)
{
	if (!e->priority) {
		fputs("  override ended", f);
	} else {
		fprintf(f, "  override: %s (%s, ", e->priority,
		        e->direction && strcmp(e->direction, "up") == 0 ? "raised" : "lowered");
		report_put_safe(f, e->code ? e->code : "", e->code ? strlen(e->code) : 0, NULL);
		fputc(')', f);
	}
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
