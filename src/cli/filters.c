/*
 * The worklist's filters from its options (moved from src/cli/cmd-worklist.c):
 * priorities by the rule set's band names, statuses open or (--closed)
 * closed, a force area or assignee that some package, or the roster, has.
 */
#include "reftriage/cli.h"

#include "reftriage/rules.h"
#include "reftriage/text.h"
#include "reftriage/timeutil.h"

#include <ctype.h>

/* Split a comma-separated list into words; -1 when there are more than max. */
static int split(char *s, const char **words, size_t max, size_t *n)
{
	char *p = s;

	*n = 0;
	while (p) {
		char *comma = strchr(p, ',');

		if (comma)
			*comma = '\0';
		if (*n == max)
			return -1;
		words[(*n)++] = p;
		p = comma ? comma + 1 : NULL;
	}
	return 0;
}

/* --priority names no band: list the rule set's bands ("P1, P2, P3 or P4"). */
static int bad_priority(struct cli *cli, const char *p)
{
	const char *names[RULES_MAX_BANDS + 1];
	char list[256];
	size_t i, n = 0;

	for (i = 0; i < cli->rs->nbands && n + 1 < ARRAY_SIZE(names); i++)
		names[n++] = cli->rs->bands[i].priority;
	names[n] = NULL;
	cli_join(list, sizeof(list), (const char *const *)names);
	return cli_usage_error(cli, "--priority '%s' is not a priority of the rules in use (%s)", p,
	                       list);
}

/*
 * A state misspelt ("in-progress", "inprogress"), or NULL: the state of want
 * it is nearest to once '-' and ' ' are read as '_', so that the message does
 * not send the analyst to the other kind of state for a typo.
 */
static const char *near_status(const char *s, const char *const *want)
{
	char w[32];
	size_t i, len = strlen(s);

	if (len >= sizeof(w))
		return NULL;
	for (i = 0; i < len; i++)
		w[i] = (s[i] == '-' || s[i] == ' ') ? '_' : (char)tolower((unsigned char)s[i]);
	w[len] = '\0';
	return text_suggest(w, len, want, 2);
}

/*
 * A --force-area or --assigned-to value that no package in the store has, in
 * any case, open or closed, is a mistake (a typo, a wrong name), not an empty
 * list: EX_DATAERR with the stored value nearest to it.
 */
static int known_value(struct cli *cli, const char *opt, enum store_filter_field f,
                       const char *value)
{
	char nearest[STORE_FILTER_NEAREST], field[16];
	bool found;
	struct diag d;

	diag_clear(&d);
	if (store_filter_check(cli->st, f, value, &found, nearest, &d) < 0)
		return cli_report(&d);
	/* A name on the roster is a person, whether or not anything is assigned to them. */
	if (!found && f == STORE_FILTER_ASSIGNEE) {
		char near_team[STORE_FILTER_NEAREST];

		if (store_filter_check(cli->st, STORE_FILTER_TEAM, value, &found, near_team, &d) <
		    0)
			return cli_report(&d);
		if (near_team[0])
			memcpy(nearest, near_team, sizeof(near_team));
	}
	if (found)
		return EX_OK;
	(void)snprintf(field, sizeof(field), "--%s", opt);
	diag_at(&d, cli->db_path, 0, field);
	diag_set(&d, EX_DATAERR, "no package in the store, open or closed, %s '%s'",
	         f == STORE_FILTER_FORCE_AREA ? "has the force area" : "is assigned to", value);
	if (nearest[0])
		diag_suggest(&d, nearest);
	return cli_report(&d);
}

int cli_worklist_filters(struct cli *cli, struct store_worklist_query *q, char *prio, char *status)
{
	const char *words[16];
	size_t i, n = 0;
	int rc;

	q->limit = cli_count(cli, "limit", 0);
	q->force_area = cli_str(cli, "force-area");
	q->assigned_to = cli_str(cli, "assigned-to");
	/* "none" (any case): the packages without a force area. */
	q->no_force_area = q->force_area && text_ieq(q->force_area, strlen(q->force_area), "none");
	if (q->force_area && !q->no_force_area &&
	    (rc = known_value(cli, "force-area", STORE_FILTER_FORCE_AREA, q->force_area)) != EX_OK)
		return rc;
	if (q->assigned_to &&
	    (rc = known_value(cli, "assigned-to", STORE_FILTER_ASSIGNEE, q->assigned_to)) != EX_OK)
		return rc;
	q->has_since = cli_flag(cli, "since");
	q->since = cli_time(cli, "since", 0);
	q->has_changed_since = cli_flag(cli, "changed-since");
	q->changed_since = cli_time(cli, "changed-since", 0);
	q->now = cli_time(cli, "now", time_now());
	if (prio && split(prio, words, ARRAY_SIZE(words), &n) < 0)
		return cli_usage_error(cli, "--priority takes at most %zu names",
		                       ARRAY_SIZE(words));
	for (i = 0; i < n; i++) {
		int b = ruleset_band_named(cli->rs, words[i]);

		if (b < 0)
			return bad_priority(cli, words[i]);
		q->priorities[q->npriorities++] = b;
	}
	q->closed = cli_flag(cli, "closed");
	if (status && split(status, q->statuses, ARRAY_SIZE(q->statuses), &q->nstatuses) < 0)
		return cli_usage_error(cli, "--status takes at most %zu states",
		                       ARRAY_SIZE(q->statuses));
	for (i = 0; i < q->nstatuses; i++) {
		const char *const *want = q->closed ? store_closed_statuses : store_open_statuses;
		size_t k;

		/* States in any case; one of the other kind is a mistake worth naming. */
		for (k = 0; want[k] && !text_ieq(q->statuses[i], strlen(q->statuses[i]), want[k]);
		     k++)
			;
		if (!want[k] && near_status(q->statuses[i], want))
			return cli_usage_error(cli,
			                       "--status '%s' is not a state; did you mean '%s'?",
			                       q->statuses[i], near_status(q->statuses[i], want));
		if (!want[k] && !q->closed)
			return cli_usage_error(
			    cli,
			    "--status '%s': the worklist holds open packages (new, "
			    "assigned, in_progress, reopened, awaiting_info, "
			    "transfer_pending); for closed ones: worklist --closed "
			    "--status %s",
			    q->statuses[i], q->statuses[i]);
		if (!want[k])
			return cli_usage_error(
			    cli,
			    "--status '%s': with --closed, a closing state (actioned, "
			    "nfa, transferred, duplicate)",
			    q->statuses[i]);
		q->statuses[i] = want[k];
	}
	return EX_OK;
}
