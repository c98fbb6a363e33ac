/*
 * From the store's worklist rows to the writers' items, and the filters as
 * people read them (moved from src/cli/cmd-worklist.c).
 */
#include "reftriage/report.h"

#include "reftriage/timeutil.h"

#include <stdarg.h>

/* Append to text (size bytes, *n used) as snprintf does; what does not fit is cut. */
static void addf(char *text, size_t size, size_t *n, const char *fmt, ...) PRINTF_LIKE(4, 5);
static void addf(char *text, size_t size, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (*n + 1 >= size)
		return;
	va_start(ap, fmt);
	k = vsnprintf(text + *n, size - *n, fmt, ap);
	va_end(ap);
	if (k > 0)
		*n = *n + (size_t)k < size ? *n + (size_t)k : size - 1;
}

/* The filters in force as people read them, or NULL: "priority P1, P2; first 5". */
const char *report_describe_filters(const struct store_worklist_query *q, const struct ruleset *rs,
                                    char *text, size_t size)
{
	char t[TIME_LOCAL_MAX];
	size_t i, n = 0;

	text[0] = '\0';
	for (i = 0; i < q->npriorities; i++)
		addf(text, size, &n, "%s%s", i ? ", " : "priority ",
		     rs->bands[q->priorities[i]].priority);
	for (i = 0; i < q->nstatuses; i++)
		addf(text, size, &n, "%s%s",
		     i   ? ", "
		     : n ? "; status "
		         : "status ",
		     q->statuses[i]);
	if (q->no_force_area)
		addf(text, size, &n, "%sno force area", n ? "; " : "");
	else if (q->force_area)
		addf(text, size, &n, "%sforce area %s", n ? "; " : "", q->force_area);
	if (q->assigned_to)
		addf(text, size, &n, "%sassigned to %s", n ? "; " : "", q->assigned_to);
	if (q->has_since) {
		time_format_local(q->since, t);
		addf(text, size, &n, "%sreceived since %s", n ? "; " : "", t);
	}
	if (q->has_changed_since) {
		time_format_local(q->changed_since, t);
		addf(text, size, &n, "%schanged since %s", n ? "; " : "", t);
	}
	if (q->limit)
		addf(text, size, &n, "%sfirst %ld", n ? "; " : "", q->limit);
	return n ? text : NULL;
}

void report_item_from_row(struct report_item *it, const struct store_worklist_row *r,
                          const struct ruleset *rs, const struct rule **fired, bool unscored)
{
	memset(it, 0, sizeof(*it));
	/* A closed package without a score (erased) is listed as one not scored. */
	it->unscored = unscored || r->priority < 0;
	it->ref = r->ref;
	it->priority = it->unscored                       ? NULL
	               : (size_t)r->priority < rs->nbands ? rs->bands[r->priority].priority
	                                                  : "?";
	it->score = r->score;
	it->received_at = r->received_at;
	it->due_at = r->due_at;
	it->overdue = r->overdue;
	it->status = r->status;
	it->assigned_to = r->assigned_to;
	it->force_area = r->force_area;
	it->referral_type = r->referral_type;
	it->reasons = r->fired;
	it->priority_index = r->priority;
	it->updated = r->updated;
	it->fired = fired;
	/* The explanation: each fired rule, looked up in the rule set that scored it. */
	it->nfired = it->unscored ? 0 : ruleset_fired(rs, r->fired, fired, rs->nrules);
	it->closed_at = r->closed_at;
	it->closed_by = r->closed_by;
	/* The rules' band beside an override's (casework.md section 1); else the same. */
	it->override = r->overridden ? &r->ov : NULL;
	it->computed_priority = !it->override  ? it->priority
	                        : it->unscored ? NULL
	                        : r->rules_priority >= 0 && (size_t)r->rules_priority < rs->nbands
	                            ? rs->bands[r->rules_priority].priority
	                            : "?";
}
