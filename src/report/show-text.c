/*
 * reftriage show, for people: the package in 80 columns (moved here from
 * src/cli/cmd-show.c, which reads the store and calls these in order). Every
 * value from a package or a person goes through report_put_safe().
 */
#include "reftriage/show.h"

#include "reftriage/outcome.h"
#include "reftriage/text.h"
#include "reftriage/timeutil.h"

#include <stdarg.h>

/* The field values' column: "  " and a 32-character name and a space. */
#define VALUE_COL 35
/* GLUE joins two words that must stay on one line ("floor P1"): written as a space. */
#define GLUE '\x1f'

void report_put_safe(FILE *f, const char *s, size_t n, const char *indent)
{
	size_t i = 0;

	while (i < n) {
		size_t ok = utf8_invalid_at(s + i, n - i), k;

		for (k = 0; k < ok; k++) {
			unsigned char c = (unsigned char)s[i + k];

			if (c == '\n') {
				fputc('\n', f);
				if (indent)
					fputs(indent, f);
			} else if (c == '\t') {
				fputc('\t', f);
			} else if (c < 0x20 || c == 0x7f) {
				fprintf(f, "\\x%02x", c);
			} else if (c == 0xc2 && k + 1 < ok && (unsigned char)s[i + k + 1] >= 0x80 &&
			           (unsigned char)s[i + k + 1] <= 0x9f) {
				/* C1 controls (U+0080-U+009F) can drive terminals too. */
				fprintf(f, "\\u%04x", (unsigned char)s[i + k + 1]);
				k++;
			} else {
				fputc(c, f);
			}
		}
		i += ok;
		if (i < n) {
			fprintf(f, "\\x%02x", (unsigned char)s[i]);
			i++;
		}
	}
}

void report_vprint(FILE *f, const char *fmt, va_list ap)
{
	char line[2048];
	int n = vsnprintf(line, sizeof(line), fmt, ap);

	if (n > 0)
		report_put_safe(f, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1,
		                NULL);
}

void report_print(FILE *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_vprint(f, fmt, ap);
	va_end(ap);
}

/*
 * Write s from column col, wrapped at spaces to SHOW_WIDTH (runs of spaces
 * become one); later lines start at column indent. A word longer than a line
 * is written whole.
 */
void report_show_wrapped(FILE *f, const char *s, size_t n, size_t col, size_t indent)
{
	char pad[SHOW_WIDTH + 1];
	size_t i = 0, start = col;

	indent = indent < SHOW_WIDTH ? indent : SHOW_WIDTH;
	memset(pad, ' ', indent);
	pad[indent] = '\0';
	while (i < n && s[i] == ' ')
		i++;
	while (i < n) {
		size_t w = i;

		while (w < n && s[w] != ' ')
			w++;
		if (col > start && col + 1 + (w - i) > SHOW_WIDTH) {
			fprintf(f, "\n%s", pad);
			col = start = indent;
		} else if (col > start) {
			fputc(' ', f);
			col++;
		}
		for (; i < w; i++) {
			const char *g = memchr(s + i, GLUE, w - i);
			size_t len = g ? (size_t)(g - (s + i)) : w - i;

			report_put_safe(f, s + i, len, pad);
			col += len + (g != NULL);
			i += len;
			if (g)
				fputc(' ', f);
		}
		for (i = w; i < n && s[i] == ' '; i++)
			;
	}
}

void report_show_rule(FILE *f, const struct ruleset *rs, const struct rule *ru)
{
	char line[600];
	int n;

	/* Ageing points order packages within a band; they never choose it (rules.md). */
	n = snprintf(line, sizeof(line), "%s%s%s%s", ru->description,
	             ru->floor >= 0 ? "; floor\x1f" : "",
	             ru->floor >= 0 ? rs->bands[ru->floor].priority : "",
	             strcmp(rule_category_names[ru->category], "ageing") == 0 ? " (ageing)" : "");
	fprintf(f, "  %+6lld  %-22s ", (long long)ru->points, ru->id);
	report_show_wrapped(f, line,
	                    n < 0                      ? 0
	                    : (size_t)n < sizeof(line) ? (size_t)n
	                                               : sizeof(line) - 1,
	                    11 + (strlen(ru->id) > 22 ? strlen(ru->id) : 22), 33);
	fputc('\n', f);
}

/* priority, score and due; the band the score alone reaches when a floor raised it. */
/* How show says an override (casework.md section 1): the decision line, the history. */
static const char *ov_band(const struct ruleset *rs, int i)
{
	return i >= 0 && (size_t)i < rs->nbands ? rs->bands[i].priority : "?";
}

struct ov_text {
	FILE *f;
	const struct ruleset *rs;
	const struct store_score *sc;
};

static int on_text(void *ctx, const struct store_override *o)
{
	struct ov_text *x = ctx;
	char t[TIME_LOCAL_MAX];

	time_format_local(o->at, t);
	fprintf(x->f, "%s by override (", ov_band(x->rs, x->sc->priority));
	report_put_safe(x->f, o->code, strlen(o->code), NULL);
	fputs(", ", x->f);
	report_put_safe(x->f, o->operator_name, strlen(o->operator_name), NULL);
	if (o->approved_by) {
		fputs(", approved by ", x->f);
		report_put_safe(x->f, o->approved_by, strlen(o->approved_by), NULL);
	}
	fprintf(x->f, ", %s); rules say %s", t, ov_band(x->rs, x->sc->rules_priority));
	return 0;
}

int report_override_text(FILE *f, struct store *st, int64_t id, const struct ruleset *rs,
                         const struct store_score *sc, struct diag *d)
{
	struct ov_text x = {f, rs, sc};
	int rc = store_get_override(st, id, on_text, &x, d);

	return rc < 0 ? -1 : rc == 0 ? 1 : 0;
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

int report_show_priority(FILE *f, struct store *st, int64_t id, const struct store_score *sc,
                         const struct ruleset *rs, struct diag *d)
{
	char t[TIME_LOCAL_MAX];
	int rc;

	fputs("priority  ", f);
	/* An override is the decision line: "P1 by override (...); rules say P3". */
	rc = report_override_text(f, st, id, rs, sc, d);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		fprintf(f, "%s (", rs->bands[sc->priority].priority);
		report_put_safe(f, rs->bands[sc->priority].label,
		                strlen(rs->bands[sc->priority].label), NULL);
		fputc(')', f);
	}
	fprintf(f, "   score %lld\n", (long long)sc->score);
	if (sc->priority != sc->band && sc->rules_priority == sc->priority)
		fprintf(f,
		        "          the score without its ageing points reaches %s; a rule's floor "
		        "raised it\n",
		        rs->bands[sc->band].priority);
	time_format_local(sc->due_at, t);
	fprintf(f, "due       %s%s\n", t, sc->overdue ? "   OVERDUE" : "");
	return 0;
}

void report_show_state(FILE *f, const struct store_package *p, const struct report_case *c)
{
	fprintf(f, "status    %s%s\n", p->status,
	        !p->updated ? ""
	        : strcmp(p->status, "new") == 0
	            ? " (a newer version has arrived)"
	            : " (updated since assigned: a newer version has arrived)");
	if (strcmp(p->status, "duplicate") == 0 && c->of_ref[0])
		report_print(f, "          duplicate of %s\n", c->of_ref);
	if (c->duplicates.len)
		report_print(f, "duplicates  %s\n", c->duplicates.data);
	if (c->transfer && strcmp(p->status, "transferred") == 0)
		report_print(f, "transfer  to %s, their ref %s\n",
		             c->transfer_to[0] ? c->transfer_to : "(not named)", c->their_ref);
	else if (c->transfer)
		report_print(f, "transfer  to %s, pending their reference\n", c->transfer_to);
	fprintf(f, "assigned  ");
	if (p->assigned_to)
		report_put_safe(f, p->assigned_to, strlen(p->assigned_to), NULL);
	else
		fputc('-', f);
	fputc('\n', f);
}

/* Fields grouped as an analyst reads a referral. */
static const struct {
	const char *title;
	int first, last; /* contract field range, inclusive */
} groups[] = {
    {"package", F_PACKAGE_REF, F_SUMMARY},
    {"subject", F_SUBJECT_REF, F_SUBJECT_ON_BAIL_OR_LICENCE},
    {"material", F_IMAGES_CAT_A, F_LIVESTREAM_PAYMENT},
    {"communications", F_SEXUAL_COMMUNICATION, F_CHILDREN_CONTACTED},
    {"child at risk", F_CHILD_IDENTIFIED, F_ONGOING_CONTACT},
    {"linking", F_IDENTIFIERS, F_IDENTIFIERS},
    {"source", F_SOURCE_FIRST, F_SOURCE_LAST},
};

/* One field's line: its name and value (wrapped), or with all "(unknown)". */
static int field(FILE *f, const struct package *pkg, int k, bool all, bool *titled,
                 const char *title, struct buf *b)
{
	bool known = package_known(pkg, k);

	if (!known && !all)
		return 0;
	if (!*titled)
		fprintf(f, "  %s\n", title);
	*titled = true;
	fprintf(f, "    %-30s ", contract_fields[k].name);
	buf_reset(b);
	if (!known) {
		fputs("(unknown)", f);
	} else if (contract_fields[k].type == FT_DATETIME) {
		char t[TIME_LOCAL_MAX];

		time_format_local(pkg->v[k], t); /* for people: local */
		fputs(t, f);
	} else if (package_format_value(pkg, k, b) < 0) {
		return -1;
	} else {
		report_show_wrapped(f, b->data, b->len, VALUE_COL, VALUE_COL);
	}
	fputc('\n', f);
	return 0;
}

int report_show_fields(FILE *f, const struct package *pkg, const char *heading, bool all,
                       struct buf *scratch)
{
	size_t g, unknown = 0;
	int k, err = 0;

	fprintf(f, "\n%s\n", heading);
	for (g = 0; g < ARRAY_SIZE(groups); g++) {
		bool titled = false;

		for (k = groups[g].first; k <= groups[g].last; k++) {
			unknown += !package_known(pkg, k);
			err |= field(f, pkg, k, all, &titled, groups[g].title, scratch);
		}
	}
	if (unknown && !all)
		fprintf(f, "  %zu field%s unknown (show --all lists them)\n", unknown,
		        unknown == 1 ? "" : "s");
	return err ? -1 : 0;
}

void report_show_event(FILE *f, const struct store_event *e)
{
	char t[TIME_LOCAL_MAX];

	time_format_local(e->at, t);
	fprintf(f, "  %s  ", t);
	report_put_safe(f, e->operator_name, strlen(e->operator_name), NULL);
	if (strcmp(e->action, "note") == 0) {
		fprintf(f, "  note (%s)", e->to_status);
	} else if (strcmp(e->action, "override") == 0) {
		report_event_override_text(f, e);
	} else if (e->assigned_to) {
		fputs("  assigned to ", f);
		report_put_safe(f, e->assigned_to, strlen(e->assigned_to), NULL);
		if (strcmp(e->from_status, e->to_status) != 0)
			fprintf(f, " (%s -> %s)", e->from_status, e->to_status);
	} else {
		fprintf(f, "  %s -> %s", e->from_status, e->to_status);
	}
	if (e->of_ref)
		report_print(f, " (of %s)", e->of_ref);
	if (e->transfer_to)
		report_print(f, " (to %s)", e->transfer_to);
	if (e->their_ref)
		report_print(f, " (their ref %s)", e->their_ref);
	if (e->approved_by) {
		fputs(", approved by ", f);
		report_put_safe(f, e->approved_by, strlen(e->approved_by), NULL);
	}
	if (e->note) {
		fputs("\n      note: ", f);
		report_show_wrapped(f, e->note, strlen(e->note), 12, 12);
	}
	fputc('\n', f);
}

void report_show_outcome(FILE *f, const struct store_outcome *o)
{
	const char *label = outcome_label_name(outcome_label_of(o->code));

	report_print(f, "  %s  %-26s %-9s count %ld, recorded by %s\n", o->date, o->code, label,
	             o->count, o->operator_name);
	if (o->note) {
		fputs("      ", f);
		report_put_safe(f, o->note, strlen(o->note), "      ");
		fputc('\n', f);
	}
}

void report_show_link(FILE *f, const char *ref, const char *key)
{
	fprintf(f, "  %-24s shares ", ref);
	report_put_safe(f, key, strlen(key), NULL);
	fputc('\n', f);
}

void report_show_version(FILE *f, const struct store_version *v, const char *hex)
{
	char t[TIME_LOCAL_MAX];

	time_format_local(v->imported_at, t);
	fprintf(f, "  v%-3d imported %s\n       from ", v->version, t);
	report_put_safe(f, v->file, strlen(v->file), NULL);
	fprintf(f, ":%lu", v->line);
	if (v->index >= 0)
		fprintf(f, " [%ld]", v->index);
	fprintf(f, "\n       hash %s\n", hex);
}

void report_show_change(FILE *f, const char *name, const char *old, const char *new_value)
{
	const char *o = old ? old : "(unknown)", *nv = new_value ? new_value : "(unknown)";

	if (VALUE_COL + strlen(o) + strlen(nv) + 3 <= SHOW_WIDTH) {
		fprintf(f, "  %-32s ", name);
		report_print(f, "%s \xe2\x86\x92 %s\n", o, nv);
	} else {
		fprintf(f, "  %s\n    was  ", name);
		report_show_wrapped(f, o, strlen(o), 9, 9);
		fputs("\n    now  ", f);
		report_show_wrapped(f, nv, strlen(nv), 9, 9);
		fputc('\n', f);
	}
}

void report_case_init(struct report_case *c)
{
	memset(c, 0, sizeof(*c));
	buf_init(&c->duplicates);
}

void report_case_release(struct report_case *c)
{
	buf_release(&c->duplicates);
}

void report_case_event(struct report_case *c, const struct store_event *e)
{
	if (strcmp(e->action, "status") != 0)
		return;
	/* A later change of status ends what an earlier closing named. */
	c->of_ref[0] = '\0';
	if (e->of_ref)
		(void)snprintf(c->of_ref, sizeof(c->of_ref), "%s", e->of_ref);
	c->transfer = strcmp(e->to_status, "transfer_pending") == 0 ||
	              strcmp(e->to_status, "transferred") == 0;
	if (!c->transfer)
		c->transfer_to[0] = c->their_ref[0] = '\0';
	if (e->transfer_to)
		(void)snprintf(c->transfer_to, sizeof(c->transfer_to), "%s", e->transfer_to);
	if (e->their_ref)
		(void)snprintf(c->their_ref, sizeof(c->their_ref), "%s", e->their_ref);
}
