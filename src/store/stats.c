/* Counts for reftriage stats. */
#include "store-internal.h"

static int one_int(struct store *st, const char *sql, int64_t *v, struct diag *d)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);

	if (rc != SQLITE_OK)
		return store_fail(st, rc, "counting", d);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return store_fail(st, rc, "counting", d);
	return 0;
}

int store_stats_group(struct store *st, enum store_group g, int64_t now,
                      int (*fn)(void *ctx, const char *key, long count, long overdue), void *ctx,
                      struct diag *d)
{
	static const char *const sql[] = {
	    [GROUP_PRIORITY] =
	        "SELECT s.priority, count(*), sum(s.due_at < ?1) FROM scores s JOIN "
	        "packages p ON p.id = s.package_id WHERE " STORE_IS_OPEN(
	            "p.status") " AND " CURRENT_SCORE " GROUP BY s.priority ORDER BY s.priority",
	    [GROUP_STATUS] =
	        "SELECT status, count(*), 0 FROM packages GROUP BY status ORDER BY "
	        "CASE status WHEN 'new' THEN 0 WHEN 'assigned' THEN 1 WHEN "
	        "'in_progress' THEN 2 WHEN 'reopened' THEN 3 WHEN 'awaiting_info' THEN 4 WHEN "
	        "'transfer_pending' THEN 5 WHEN 'actioned' THEN 6 WHEN 'nfa' THEN 7 WHEN "
	        "'transferred' THEN 8 ELSE 9 END",
	    [GROUP_SOURCE] = "SELECT source, count(*), 0 FROM packages WHERE " STORE_IS_OPEN(
	        "status") " GROUP BY source ORDER BY count(*) DESC, source",
	    [GROUP_TYPE] = "SELECT referral_type, count(*), 0 FROM packages WHERE " STORE_IS_OPEN(
	        "status") " GROUP BY referral_type ORDER BY count(*) DESC, referral_type",
	};
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, sql[g], -1, &s, NULL);

	if (rc == SQLITE_OK && g == GROUP_PRIORITY)
		rc = sqlite3_bind_int64(s, 1, now);
	if (rc != SQLITE_OK) {
		sqlite3_finalize(s);
		return store_fail(st, rc, "counting", d);
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (fn(ctx, (const char *)sqlite3_column_text(s, 0),
		       (long)sqlite3_column_int64(s, 1), (long)sqlite3_column_int64(s, 2)) < 0) {
			sqlite3_finalize(s);
			return -1;
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, rc, "counting", d);
	return 0;
}

int store_stats(struct store *st, struct store_stats *out, struct diag *d)
{
	sqlite3_stmt *s = NULL;
	int64_t n;
	int rc;

	memset(out, 0, sizeof(*out));
	if (one_int(st, "SELECT count(*) FROM packages WHERE " STORE_IS_OPEN("status"), &n, d) < 0)
		return -1;
	out->open = (long)n;
	if (one_int(st, "SELECT count(*) FROM packages", &n, d) < 0)
		return -1;
	out->closed = (long)n - out->open;
	if (store_unscored(st, &out->unscored, d) < 0)
		return -1;
	rc = sqlite3_prepare_v2(st->db,
	                        "SELECT ref, received_at FROM packages WHERE " STORE_IS_OPEN(
	                            "status") " ORDER BY received_at, ref LIMIT 1",
	                        -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, "counting", d);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->has_oldest = true;
		(void)snprintf(out->oldest_ref, sizeof(out->oldest_ref), "%s",
		               (const char *)sqlite3_column_text(s, 0));
		out->oldest_received_at = sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, rc, "counting", d);
	/* Time from receipt to the first assignment or status change, per package. */
	if (one_int(st,
	            "SELECT count(DISTINCT package_id) FROM package_events WHERE action <> 'note'",
	            &n, d) < 0)
		return -1;
	out->acted = (long)n;
	if (!out->acted)
		return 0;
	/* The median, read from the ordered list without holding it: the middle one or two. */
	rc = sqlite3_prepare_v2(
	    st->db,
	    "SELECT min(e.at) - p.received_at AS t FROM package_events e JOIN "
	    "packages p ON p.id = e.package_id WHERE e.action <> 'note' GROUP BY "
	    "e.package_id ORDER BY t "
	    "LIMIT 2 OFFSET ?1",
	    -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store_fail(st, rc, "counting", d);
	if (sqlite3_bind_int64(s, 1, (out->acted - 1) / 2) != SQLITE_OK) {
		sqlite3_finalize(s);
		return store_fail(st, SQLITE_ERROR, "counting", d);
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		int64_t a = sqlite3_column_int64(s, 0), b = a;

		if (out->acted % 2 == 0 && sqlite3_step(s) == SQLITE_ROW)
			b = sqlite3_column_int64(s, 0);
		out->median_to_first_action = a + (b - a) / 2;
		rc = SQLITE_ROW;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return store_fail(st, rc == SQLITE_DONE ? SQLITE_CORRUPT : rc, "counting", d);
	return 0;
}
