/*
 * The management report's queries (outcomes.md, `report`): one statement a
 * figure, each read once in one pass, every package's group (its force,
 * assignee or source, for --by) in the same row. The figures are counted by
 * the caller (src/report/report-build.c), which knows the local calendar.
 */
#include "store-internal.h"

/* The column a --by groups on; "NULL": no grouping. Fixed text, never input. */
static const char *group_column(enum store_report_by by)
{
	switch (by) {
	case STORE_BY_FORCE:
		return "p.force_area";
	case STORE_BY_ASSIGNEE:
		return "p.assigned_to";
	case STORE_BY_SOURCE:
		return "p.source";
	case STORE_BY_NONE:
		break;
	}
	return "NULL";
}

/*
 * Each query's text, with %s for the group column. ?1 and ?2 are the
 * period's bounds (UTC microseconds; outcome dates as YYYY-MM-DD text).
 *
 * The first action on a package is its first status other than new,
 * assigned and reopened after its clock start (outcomes.md): the work
 * started, not the case allocated.
 */
#define CLOCK_START "max(p.received_at, coalesce(p.reopened_at, p.received_at))"
static const char *const queries[] = {
    /* received.by_priority: the first priority recorded for the package (schema 15). */
    [STORE_REPORT_RECEIVED] =
        "SELECT p.received_at, NULL, NULL, %s, CASE WHEN p.received_at >= ?1 THEN (SELECT "
        "h.priority FROM priority_history h WHERE h.package_id = p.id ORDER BY h.id LIMIT 1) "
        "END, NULL, NULL, NULL, NULL FROM packages p WHERE p.received_at < ?2 AND ?1 <= ?2",
    /*
     * Every history row of each package that can count in the period: its
     * clock started before the period's end. A closed package whose last
     * change came before the period and after its clock start acted before
     * it, so counts in none of its figures. With each, its first action A
     * (a status other than new, assigned and reopened since the clock
     * start; an override, which leaves the status as it was, is none); one
     * whose A is before the period counts in none either (report-build.c
     * judges it so): leaving it out here would run that subquery twice a
     * row.
     */
    [STORE_REPORT_RESPONSE] =
        "SELECT h.at, NULL, c.a, c.g, h.priority, NULL, c.id, c.cs, h.due_at FROM (SELECT "
        "p.id AS id, %s AS g, " CLOCK_START " AS cs, (SELECT min(e.at) FROM package_events e "
        "WHERE e.package_id = p.id AND e.action <> 'note' AND e.action <> 'override' AND e.at "
        ">= " CLOCK_START " AND e.to_status NOT IN ('new', "
        "'assigned', 'reopened')) AS a FROM packages p WHERE " CLOCK_START " < ?2 AND NOT "
        "(NOT " STORE_IS_OPEN(
            "p.status") " AND p.changed_at < ?1 AND p.changed_at >= " CLOCK_START
                        ")) c JOIN priority_history h ON h.package_id = c.id ORDER BY c.id, h.id",
    [STORE_REPORT_OPEN] = "SELECT p.received_at, s.priority, s.due_at, %s, NULL, NULL, NULL, "
                          "NULL, NULL FROM packages p LEFT JOIN scores s ON s.package_id = "
                          "p.id WHERE " STORE_IS_OPEN("p.status") " AND ?1 <= ?2",
    [STORE_REPORT_EVENTS] =
        "SELECT e.at, NULL, NULL, %s, e.from_status, e.to_status, NULL, NULL, NULL FROM "
        "package_events e JOIN packages p ON p.id = e.package_id WHERE e.at < ?2 AND ?1 <= "
        "?2 AND e.from_status <> e.to_status",
    [STORE_REPORT_OUTCOMES] =
        "SELECT 0, NULL, NULL, %s, o.outcome_date, o.code, NULL, NULL, NULL FROM outcomes o "
        "JOIN packages p ON p.id = o.package_id WHERE o.outcome_date >= ?1 AND "
        "o.outcome_date < ?2",
};

int store_history_seeded(struct store *st, int64_t *at, struct diag *d)
{
	return store_one_int(st, "SELECT (SELECT value FROM meta WHERE key = 'history_seeded_at')",
	                     0, at, "reading the priority history", d);
}

int store_has_table(struct store *st, const char *name, bool *has, struct diag *d)
{
	sqlite3_stmt *s = store_prepare(
	    st, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
	    "reading the schema", d);
	int rc;

	if (!s)
		return -1;
	if (sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC) != SQLITE_OK) {
		sqlite3_finalize(s);
		return store_fail(st, SQLITE_ERROR, "reading the schema", d);
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*has = sqlite3_column_int(s, 0) > 0;
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return store_fail(st, rc, "reading the schema", d);
	return 0;
}

/* Bind the bounds: times, or for the outcomes' dates the same as text. */
static int bind_bounds(sqlite3_stmt *s, enum store_report_query q,
                       const struct store_report_period *p)
{
	if (q == STORE_REPORT_OUTCOMES)
		return sqlite3_bind_text(s, 1, p->from_date, -1, SQLITE_STATIC) != SQLITE_OK ||
		       sqlite3_bind_text(s, 2, p->to_date, -1, SQLITE_STATIC) != SQLITE_OK;
	return sqlite3_bind_int64(s, 1, p->from) != SQLITE_OK ||
	       sqlite3_bind_int64(s, 2, p->to) != SQLITE_OK;
}

static int on_row(sqlite3_stmt *s, void *x)
{
	struct row_fn *f = x;
	struct store_report_row row, *r = &row;

	r->at = sqlite3_column_int64(s, 0);
	r->priority = sqlite3_column_type(s, 1) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 1);
	r->has_at2 = sqlite3_column_type(s, 2) != SQLITE_NULL;
	r->at2 = r->has_at2 ? sqlite3_column_int64(s, 2) : 0;
	r->group = (const char *)sqlite3_column_text(s, 3);
	r->text1 = (const char *)sqlite3_column_text(s, 4);
	r->text2 = (const char *)sqlite3_column_text(s, 5);
	r->package_id = sqlite3_column_int64(s, 6);
	r->clock_start = sqlite3_column_int64(s, 7);
	r->due_at = sqlite3_column_int64(s, 8);
	return f->fn.report(f->ctx, r) < 0 ? -1 : 0;
}

int store_report_each(struct store *st, enum store_report_query q, enum store_report_by by,
                      const struct store_report_period *p,
                      int (*fn)(void *ctx, const struct store_report_row *r), void *ctx,
                      struct diag *d)
{
	const char *what = "reading the report's figures";
	struct row_fn f = {.fn.report = fn, .ctx = ctx};
	sqlite3_stmt *s;
	char sql[1536];
	const char *mark = strstr(queries[q], "%s");

	/* The group column in place of the query's %s. */
	(void)snprintf(sql, sizeof(sql), "%.*s%s%s", (int)(mark - queries[q]), queries[q],
	               group_column(by), mark + 2);
	s = store_prepare(st, sql, what, d);
	if (!s)
		return -1;
	if (bind_bounds(s, q, p)) {
		sqlite3_finalize(s);
		return store_fail(st, SQLITE_ERROR, what, d);
	}
	return store_step_rows(st, s, false, what, on_row, &f, d);
}

int store_scan_cache(struct store *st, bool scan, struct diag *d)
{
	/*
	 * A pass that reads every open package once gains nothing from a large
	 * page cache: each page is read once. 8 MiB instead of 32 while it
	 * runs leaves the memory to what the pass holds.
	 */
	return store_exec(
	    st, scan ? "PRAGMA cache_size = -8192" : "PRAGMA cache_size = " STORE_CACHE_SIZE,
	    "setting the page cache", d);
}
