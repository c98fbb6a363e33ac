/*
 * The priority history (schema 15; outcomes.md, "Response is judged by what
 * was in force at the time"): a row each time a package's effective
 * priority or due_at changes. The rows wait in the store (store.history)
 * and are written 64 to a statement, like the versions of an import: before
 * a commit, a savepoint or store_history_flush; a rollback forgets them.
 */
#include "store-internal.h"

#include <string.h>

/* Bind row rows[i] as the row-th of statement s (5 parameters a row). */
static int bind_history(struct store *st, sqlite3_stmt *s, int row, const void *rows, size_t i)
{
	const struct pending_history *h = (const struct pending_history *)rows + i;
	const struct store_arg args[] = {
	    ARG_INT(h->package_id),
	    ARG_INT(h->at),
	    ARG_TEXT(st->history_names.data + h->priority),
	    ARG_INT(h->due_at),
	    ARG_INT(h->rule_set_id),
	};

	return store_bind_at(s, row * (int)ARRAY_SIZE(args) + 1, args, ARRAY_SIZE(args)) !=
	               SQLITE_OK
	           ? -1
	           : 0;
}

int store_history_flush(struct store *st, struct diag *d)
{
	return store_write_waiting(st, S_PUT_HISTORY, S_PUT_HISTORIES, STORE_HISTORY_PER_INSERT,
	                           st->history, &st->nhistory, &st->history_names, bind_history,
	                           "storing the priority history", d);
}

void store_history_discard(struct store *st)
{
	st->nhistory = 0;
	buf_reset(&st->history_names);
}

int store_history_add(struct store *st, const struct store_history *h, struct diag *d)
{
	struct pending_history *w = &st->history[st->nhistory];

	w->package_id = h->package_id;
	w->at = h->at;
	w->due_at = h->due_at;
	w->rule_set_id = h->rule_set_id;
	w->priority = st->history_names.len;
	if (buf_add(&st->history_names, h->priority, strlen(h->priority) + 1) < 0)
		return store_fail(st, SQLITE_NOMEM, "storing the priority history", d);
	if (++st->nhistory == STORE_HISTORY_PER_INSERT)
		return store_history_flush(st, d);
	return 0;
}

int store_reopened_at(struct store *st, int64_t package_id, int64_t *at, struct diag *d)
{
	return store_one_int(st, "SELECT coalesce(reopened_at, 0) FROM packages WHERE id = ?1",
	                     package_id, at, "reading a package", d);
}
