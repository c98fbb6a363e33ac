/*
 * Assignments and status changes: which transitions are allowed, and the
 * one transaction that applies and records each (store_workflow).
 *
 *   open:   new, assigned, in_progress, reopened
 *   closed: actioned, nfa, transferred
 *
 * - Nothing goes back to new: new means untouched.
 * - assigned needs an assignee (reftriage assign REF --to NAME).
 * - nfa and transferred need --note: a decision not to act, or to pass the
 *   referral on, must say why (it can be disclosable under CPIA).
 * - Reopening a closed package, or changing one closed state for another,
 *   needs --note. A reopened package is scored at the store's as_of.
 * - reopened is for a closed package only: by hand (with --note), or by the
 *   import when a new version of a closed package arrives. From reopened, a
 *   person moves on as from any open state.
 * - A closed package cannot be assigned; reopen it first.
 */
#include "reftriage/cli.h"

#include "reftriage/score.h"

#include "reftriage/text.h"
#include "reftriage/timeutil.h"

static const char *const states[] = {"new",      "assigned", "in_progress", "reopened",
                                     "actioned", "nfa",      "transferred", NULL};

static bool is_closed(const char *s)
{
	return strcmp(s, "actioned") == 0 || strcmp(s, "nfa") == 0 || strcmp(s, "transferred") == 0;
}

struct wf_ctx {
	int64_t id;
	char ref[80];
	char status[16];
	char assigned[80];
	bool has_assignee;
	int version; /* the latest */
	bool purged; /* its content was erased */
};

static int on_pkg(void *ctx, const struct store_package *p)
{
	struct wf_ctx *w = ctx;

	w->id = p->id;
	(void)snprintf(w->ref, sizeof(w->ref), "%s", p->ref);
	(void)snprintf(w->status, sizeof(w->status), "%s", p->status);
	w->has_assignee = p->assigned_to != NULL;
	w->version = p->latest_version;
	w->purged = p->purged_at != 0;
	(void)snprintf(w->assigned, sizeof(w->assigned), "%s",
	               p->assigned_to ? p->assigned_to : "");
	return 0;
}

/* Names and notes are shown to people and printed: text, no control characters. */
static bool text_ok(const char *s, size_t max, bool lines)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > max || utf8_invalid_at(s, n) != n)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && !(lines && c == '\n')) || c == 0x7f)
			return false;
	}
	return true;
}

static int refuse(const char *ref, const char *fmt, ...) PRINTF_LIKE(2, 3);

static int refuse(const char *ref, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "reftriage: %s: ", ref);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EX_DATAERR;
}

/* The transition rules; EX_OK or an exit code after a message. */
static int check(const struct wf_ctx *w, const char *to, const char *assignee, const char *note)
{
	const char *from = w->status;

	if (!to) { /* an assignment */
		if (is_closed(from))
			return refuse(w->ref,
			              "is %s (closed): reopen it first with 'reftriage status %s "
			              "in_progress --note WHY'",
			              from, w->ref);
		if (w->has_assignee && strcmp(w->assigned, assignee) == 0)
			return refuse(w->ref, "is already assigned to %s", assignee);
		return EX_OK;
	}
	if (strcmp(from, to) == 0)
		return refuse(w->ref, "is already %s", to);
	if (w->purged && !is_closed(to))
		return refuse(w->ref, "cannot be reopened: its content was erased by purge");
	if (strcmp(to, "new") == 0)
		return refuse(w->ref, "cannot go back to new (new means nobody has touched it)");
	if (strcmp(to, "reopened") == 0 && !is_closed(from))
		return refuse(w->ref, "is %s (open): only a closed package can be reopened", from);
	if (strcmp(to, "assigned") == 0 && !w->has_assignee)
		return refuse(w->ref,
		              "has nobody to be assigned to: use 'reftriage assign %s --to "
		              "NAME'",
		              w->ref);
	if ((strcmp(to, "nfa") == 0 || strcmp(to, "transferred") == 0) && !note)
		return refuse(w->ref,
		              "%s needs --note: a decision %s must be recorded with its reason", to,
		              strcmp(to, "nfa") == 0 ? "to take no further action" : "to transfer");
	if (is_closed(from) && !note)
		return refuse(w->ref, "is %s (closed): changing a closed package needs --note WHY",
		              from);
	return EX_OK;
}

/*
 * NFA sign-off (casework.md section 2): with the store setting nfa_sign_off
 * on, closing without action needs --approved-by, a person other than the
 * operator; an approval given when it is off is recorded, and is checked the
 * same way. --approved-by is for nfa only.
 */
static int check_sign_off(struct cli *cli, const struct wf_ctx *w, const char *to)
{
	const char *by = cli_has_opt(cli, "approved-by") ? cli_str(cli, "approved-by") : NULL;
	struct store_setting set;
	struct diag d;

	if (!to || strcmp(to, "nfa") != 0) {
		if (by)
			return cli_usage_error(cli, "--approved-by is for nfa (a sign-off)");
		return EX_OK;
	}
	if (by && !text_ok(by, 64, false))
		return cli_usage_error(cli, "--approved-by takes a name of 1 to 64 bytes of text");
	if (by && text_ieq(by, strlen(by), cli->operator_name))
		return refuse(w->ref,
		              "--approved-by %s is the operator: an NFA sign-off needs a second "
		              "person",
		              by);
	diag_clear(&d);
	if (store_setting_get(cli->st, "nfa_sign_off", &set, &d) < 0)
		return cli_report(&d);
	if (!by && strcmp(set.value, "on") == 0)
		return refuse(w->ref,
		              "the setting nfa_sign_off is on: nfa needs --approved-by NAME, a "
		              "second person who signs it off");
	return EX_OK;
}

/*
 * The alteration, in the change's transaction: the ref, the change and the
 * note (a decision and its reasons, which CPIA may make disclosable, belong
 * in the append-only trail).
 */
static int audit_workflow(struct cli *cli, struct store *st, const struct wf_ctx *w,
                          const struct store_event *e, bool rescored, struct diag *d)
{
	struct cli_details *x = &cli->details;

	if (store_audit_ref(st, w->ref, d) < 0)
		return -1;
	cli->action = e->action;
	cli_details_str(x, "from", e->from_status);
	cli_details_str(x, "to", e->to_status);
	cli_details_str(x, "assigned_to", e->assigned_to);
	cli_details_str(x, "note", e->note);
	if (e->approved_by)
		cli_details_str(x, "approved_by", e->approved_by);
	cli_details_int(x, "version", w->version);
	if (rescored)
		cli_details_bool(x, "rescored", true);
	return 0;
}

/* The package as it stands: EX_OK, or an exit code after a message. */
static int load(struct cli *cli, const char *ref, struct wf_ctx *w)
{
	struct diag d;
	int rc;

	memset(w, 0, sizeof(*w));
	diag_clear(&d);
	rc = store_get_package(cli->st, ref, on_pkg, NULL, w, &d);
	if (rc == 1)
		return cli_no_package(cli, ref);
	return rc < 0 ? cli_report(&d) : EX_OK;
}

int cli_workflow(struct cli *cli, const char *ref, const char *to_status, const char *assignee)
{
	const char *note = cli_str(cli, "note");
	struct store_event e;
	struct wf_ctx w;
	struct diag d;
	bool reopened;
	int rc;

	if (to_status) {
		/* A state in any case: IN_PROGRESS is in_progress. */
		size_t i;

		for (i = 0; states[i] && !text_ieq(to_status, strlen(to_status), states[i]); i++)
			;
		if (!states[i])
			return cli_bad_value(cli, "STATE", to_status, states);
		to_status = states[i];
	}
	if (assignee && !text_ok(assignee, 64, false))
		return cli_usage_error(cli, "--to takes a name of 1 to 64 bytes of text");
	if (note && !text_ok(note, 2000, true))
		return cli_usage_error(cli, "--note takes 1 to 2000 bytes of text");
	if ((rc = load(cli, ref, &w)) != EX_OK ||
	    (rc = check(&w, to_status, assignee, note)) != EX_OK ||
	    (rc = check_sign_off(cli, &w, to_status)) != EX_OK)
		return rc;
	memset(&e, 0, sizeof(e));
	e.at = time_now();
	e.operator_name = cli->operator_name;
	e.action = to_status ? "status" : "assign";
	e.from_status = w.status;
	/* Assigning a new package makes it assigned; otherwise the status stays. */
	e.to_status = to_status ? to_status : strcmp(w.status, "new") == 0 ? "assigned" : w.status;
	e.assigned_to = assignee;
	e.note = note;
	e.approved_by = cli_has_opt(cli, "approved-by") ? cli_str(cli, "approved-by") : NULL;
	reopened = is_closed(w.status) && !is_closed(e.to_status);
	diag_clear(&d);
	if (store_workflow(cli->st, w.id, &e, &d) < 0 ||
	    (reopened && score_one(cli->st, w.id, w.ref, &d) < 0) ||
	    audit_workflow(cli, cli->st, &w, &e, reopened, &d) < 0)
		return cli_report(&d);
	if (assignee)
		cli_note(cli, "%s: assigned to %s (%s)", w.ref, assignee, e.to_status);
	else
		cli_note(cli, "%s: %s -> %s", w.ref, w.status, e.to_status);
	return EX_OK;
}
