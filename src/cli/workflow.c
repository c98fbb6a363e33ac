/*
 * Assignments, status changes and notes: which transitions are allowed, and
 * the one transaction that applies and records each (store_workflow).
 *
 *   open:   new, assigned, in_progress, reopened, awaiting_info, transfer_pending
 *   closed: actioned, nfa, transferred, duplicate
 *
 * - Nothing goes back to new: new means untouched.
 * - assigned needs an assignee (reftriage assign REF --to NAME).
 * - nfa, awaiting_info and a transfer need --note: a decision not to act, to
 *   wait for a partner or to pass the referral on must say why (it can be
 *   disclosable under CPIA).
 * - duplicate needs --of OTHER, a package in the store (not itself).
 * - transferred --to FORCE is open (transfer_pending: the sending team keeps
 *   the duty, the due time stands) until transferred --their-ref REF2 records
 *   the receiving force's reference and closes it (casework.md section 5).
 * - Reopening a closed package, or changing one closed state for another,
 *   needs --note. A reopened package is scored at the store's as_of.
 * - reopened is for a closed package only: by hand (with --note), or by the
 *   import when a new version of a closed package arrives. From reopened, a
 *   person moves on as from any open state.
 * - A closed package cannot be assigned; reopen it first.
 * - Several refs: every one is checked before any changes; one refused
 *   changes none (65). Each change is its own history row and audit entry.
 */
#include "reftriage/cli.h"

#include "reftriage/alloc.h"
#include "reftriage/score.h"

#include "reftriage/text.h"
#include "reftriage/timeutil.h"

static const char *const states[] = {"new",           "assigned",         "in_progress", "reopened",
                                     "awaiting_info", "transfer_pending", "actioned",    "nfa",
                                     "transferred",   "duplicate",        NULL};

static bool is_closed(const char *s)
{
	return !store_status_open(s);
}

/* What a status change names besides its state (casework.md section 5). */
struct wf_extra {
	const char *of;          /* duplicate --of OTHER: as given */
	int64_t of_id;           /* and that package, once found */
	char of_ref[80];         /*   with its stored ref */
	const char *transfer_to; /* --to FORCE */
	const char *their_ref;   /* --their-ref REF2 */
	const char *approved_by; /* nfa --approved-by NAME (the roster's spelling) */
	char approver[STORE_NAME_MAX];
};

struct wf_ctx {
	int64_t id;
	char ref[80];
	char status[24];
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
bool cli_text_ok(const char *s, size_t max, bool lines)
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

int cli_refuse(const char *ref, const char *fmt, ...)
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
			return cli_refuse(
			    w->ref,
			    "is %s (closed): reopen it first with 'reftriage status %s "
			    "in_progress --note WHY'",
			    from, w->ref);
		if (w->has_assignee && strcmp(w->assigned, assignee) == 0)
			return cli_refuse(w->ref, "is already assigned to %s", assignee);
		return EX_OK;
	}
	if (strcmp(from, to) == 0)
		return cli_refuse(w->ref, "is already %s%s", to,
		                  " (to add a note without a change: 'reftriage note REF TEXT')");
	if (w->purged && !is_closed(to))
		return cli_refuse(w->ref, "cannot be reopened: its content was erased by purge");
	if (strcmp(to, "new") == 0)
		return cli_refuse(w->ref,
		                  "cannot go back to new (new means nobody has touched it)");
	if (strcmp(to, "reopened") == 0 && !is_closed(from))
		return cli_refuse(w->ref, "is %s (open): only a closed package can be reopened",
		                  from);
	if (strcmp(to, "assigned") == 0 && !w->has_assignee)
		return cli_refuse(w->ref,
		                  "has nobody to be assigned to: use 'reftriage assign %s --to "
		                  "NAME'",
		                  w->ref);
	if ((strcmp(to, "nfa") == 0 || strcmp(to, "awaiting_info") == 0 ||
	     strcmp(to, "transfer_pending") == 0) &&
	    !note)
		return cli_refuse(w->ref,
		                  "%s needs --note: a decision %s must be recorded with its reason",
		                  strcmp(to, "transfer_pending") == 0 ? "transferred" : to,
		                  strcmp(to, "nfa") == 0             ? "to take no further action"
		                  : strcmp(to, "awaiting_info") == 0 ? "to wait for a partner"
		                                                     : "to transfer");
	if (is_closed(from) && !note)
		return cli_refuse(
		    w->ref, "is %s (closed): changing a closed package needs --note WHY", from);
	return EX_OK;
}

/* The rules of what a closing names: duplicate and transfer (casework.md section 5). */
static int check_extra(const struct wf_ctx *w, const char *to, const struct wf_extra *x,
                       const char *note)
{
	if (strcmp(to, "duplicate") == 0 && w->id == x->of_id)
		return cli_refuse(w->ref, "cannot be a duplicate of itself");
	/* transferred with only --their-ref closes the transfer pending, and needs one. */
	if (strcmp(to, "transferred") == 0 && !x->transfer_to &&
	    strcmp(w->status, "transfer_pending") != 0)
		return cli_refuse(
		    w->ref,
		    "has no transfer pending (it is %s): name the force with --to FORCE "
		    "and say why with --note",
		    w->status);
	if (strcmp(to, "transferred") == 0 && x->transfer_to && !note)
		return cli_refuse(w->ref,
		                  "transferred needs --note: a decision to transfer must be "
		                  "recorded with its reason");
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
	if (by && !cli_text_ok(by, 64, false))
		return cli_usage_error(cli, "--approved-by takes a name of 1 to 64 bytes of text");
	if (by && text_ieq(by, strlen(by), cli->operator_name))
		return cli_refuse(
		    w->ref,
		    "--approved-by %s is the operator: an NFA sign-off needs a second "
		    "person",
		    by);
	diag_clear(&d);
	if (store_setting_get(cli->st, "nfa_sign_off", &set, &d) < 0)
		return cli_report(&d);
	if (!by && strcmp(set.value, "on") == 0)
		return cli_refuse(w->ref,
		                  "the setting nfa_sign_off is on: nfa needs --approved-by NAME, a "
		                  "second person who signs it off");
	return EX_OK;
}

/*
 * The alteration, in the change's transaction: the ref, the change and the
 * note (a decision and its reasons, which CPIA may make disclosable, belong
 * in the append-only trail). One entry a package, as one change would be.
 */
static int audit_workflow(struct cli *cli, struct store *st, const struct wf_ctx *w,
                          const struct store_event *e, bool rescored, struct diag *d)
{
	struct cli_details x;
	int rc;

	if (store_audit_ref(st, w->ref, d) < 0)
		return -1;
	cli_details_init(&x);
	cli_details_str(&x, "from", e->from_status);
	cli_details_str(&x, "to", e->to_status);
	cli_details_str(&x, "assigned_to", e->assigned_to);
	cli_details_str(&x, "note", e->note);
	cli_details_str(&x, "of", e->of_ref);
	cli_details_str(&x, "transfer_to", e->transfer_to);
	cli_details_str(&x, "their_ref", e->their_ref);
	/* The deconfliction acknowledgement it was made under (casework.md 3). */
	if (cli_has_opt(cli, "deconflicted"))
		cli_details_str(&x, "deconflicted", cli_str(cli, "deconflicted"));
	cli_details_str(&x, "approved_by", e->approved_by);
	cli_details_int(&x, "version", w->version);
	if (rescored)
		cli_details_bool(&x, "rescored", true);
	rc = cli_audit(cli, st, e->action, &x, d);
	cli_details_release(&x);
	return rc;
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

/*
 * STATE and the options that go with it, checked once for every ref: the
 * state's own spelling into *to_status (transferred --to without --their-ref
 * is transfer_pending), and the package --of names. EX_OK or an exit code.
 */
static int settle_state(struct cli *cli, const char **to_status, struct wf_extra *x)
{
	const char *to = *to_status;
	size_t i;

	/* A state in any case: IN_PROGRESS is in_progress. */
	for (i = 0; states[i] && !text_ieq(to, strlen(to), states[i]); i++)
		;
	if (!states[i])
		return cli_bad_value(cli, "STATE", to, states);
	to = states[i];
	x->of = cli_str(cli, "of");
	x->transfer_to = cli_str(cli, "to");
	x->their_ref = cli_str(cli, "their-ref");
	if (strcmp(to, "duplicate") == 0 && !x->of)
		return cli_usage_error(cli,
		                       "duplicate needs --of OTHER, the package it duplicates");
	if (x->of && strcmp(to, "duplicate") != 0)
		return cli_usage_error(cli, "--of goes with duplicate");
	if (strcmp(to, "transferred") == 0 && !x->transfer_to && !x->their_ref)
		return cli_usage_error(cli, "transferred needs --to FORCE (the transfer, pending "
		                            "until accepted) or --their-ref REF (the receiving "
		                            "force's reference, which closes it)");
	if (strcmp(to, "transfer_pending") == 0 && (!x->transfer_to || x->their_ref))
		return cli_usage_error(cli,
		                       "transfer_pending needs --to FORCE (and no --their-ref)");
	if ((x->transfer_to || x->their_ref) && strcmp(to, "transferred") != 0 &&
	    strcmp(to, "transfer_pending") != 0)
		return cli_usage_error(cli, "--to and --their-ref go with transferred");
	if (x->transfer_to && !cli_text_ok(x->transfer_to, 128, false))
		return cli_usage_error(cli, "--to takes a force's name of 1 to 128 bytes of text");
	if (x->their_ref && !cli_text_ok(x->their_ref, 64, false))
		return cli_usage_error(cli,
		                       "--their-ref takes a reference of 1 to 64 bytes of text");
	if (strcmp(to, "transferred") == 0 && !x->their_ref)
		to = "transfer_pending";
	if (x->of) {
		struct wf_ctx o;
		int rc = load(cli, x->of, &o);

		if (rc != EX_OK)
			return rc;
		x->of_id = o.id;
		(void)snprintf(x->of_ref, sizeof(x->of_ref), "%s", o.ref);
	}
	*to_status = to;
	return EX_OK;
}

/* The change to w as an event. */
static void make_event(struct cli *cli, const struct wf_ctx *w, const char *to_status,
                       const char *assignee, const char *note, const struct wf_extra *x,
                       struct store_event *e)
{
	memset(e, 0, sizeof(*e));
	e->at = time_now();
	e->operator_name = cli->operator_name;
	e->action = to_status ? "status" : "assign";
	e->from_status = w->status;
	/* Assigning a new package makes it assigned; otherwise the status stays. */
	e->to_status = to_status                       ? to_status
	               : strcmp(w->status, "new") == 0 ? "assigned"
	                                               : w->status;
	e->assigned_to = assignee;
	e->note = note;
	if (x->of_id) {
		e->of_package_id = x->of_id;
		e->of_ref = x->of_ref;
	}
	e->transfer_to = x->transfer_to;
	e->their_ref = x->their_ref;
	e->approved_by = x->approved_by;
}

/* Apply one checked change, and say what changed. */
static int apply(struct cli *cli, const struct wf_ctx *w, const char *to_status,
                 const char *assignee, const struct wf_extra *x)
{
	struct store_event e;
	struct diag d;
	bool reopened;

	make_event(cli, w, to_status, assignee, cli_str(cli, "note"), x, &e);
	reopened = is_closed(w->status) && !is_closed(e.to_status);
	diag_clear(&d);
	if (store_workflow(cli->st, w->id, &e, &d) < 0 ||
	    (reopened && score_one(cli->st, w->id, w->ref, &d) < 0) ||
	    audit_workflow(cli, cli->st, w, &e, reopened, &d) < 0)
		return cli_report(&d);
	/* Taking a package from a colleague is news for them: said even with --quiet. */
	if (assignee && w->has_assignee)
		cli_warn(cli, "%s: was %s, now assigned to %s", w->ref, w->assigned, assignee);
	else if (assignee)
		cli_note(cli, "%s: assigned to %s (%s)", w->ref, assignee, e.to_status);
	else
		cli_note(cli, "%s: %s -> %s", w->ref, w->status, e.to_status);
	return EX_OK;
}

int cli_workflow_refs(struct cli *cli, char *const *refs, int nrefs, const char *to_status,
                      const char *assignee)
{
	const char *note = cli_str(cli, "note");
	char canon[STORE_NAME_MAX];
	struct wf_extra x;
	struct wf_ctx *w;
	struct diag d;
	int i, j, rc = EX_OK, bad = EX_OK;

	memset(&x, 0, sizeof(x));
	if (to_status && (rc = settle_state(cli, &to_status, &x)) != EX_OK)
		return rc;
	if (assignee && !cli_text_ok(assignee, 64, false))
		return cli_usage_error(cli, "--to takes a name of 1 to 64 bytes of text");
	if (note && !cli_text_ok(note, 2000, true))
		return cli_usage_error(cli, "--note takes 1 to 2000 bytes of text");
	diag_clear(&d);
	if (assignee && store_team_check(cli->st, "--to", assignee, canon, &d) < 0)
		return cli_report(&d);
	x.approved_by = cli_has_opt(cli, "approved-by") ? cli_str(cli, "approved-by") : NULL;
	if (x.approved_by && cli_text_ok(x.approved_by, 64, false)) {
		if (store_team_check(cli->st, "--approved-by", x.approved_by, x.approver, &d) < 0)
			return cli_report(&d);
		x.approved_by = x.approver;
	}
	if (assignee)
		assignee = canon;
	w = rt_calloc((size_t)nrefs, sizeof(*w));
	if (!w)
		return cli_fail(cli, EX_SOFTWARE, "out of memory");
	/* Every ref first: one refused changes none, and each refusal is said. */
	for (i = 0; i < nrefs; i++) {
		rc = load(cli, refs[i], &w[i]);
		for (j = 0; rc == EX_OK && j < i; j++)
			if (w[j].id == w[i].id)
				rc = cli_refuse(w[i].ref, "is named twice");
		if (rc == EX_OK)
			rc = check(&w[i], to_status, assignee, note);
		if (rc == EX_OK && to_status)
			rc = check_extra(&w[i], to_status, &x, note);
		if (rc == EX_OK)
			rc = check_sign_off(cli, &w[i], to_status);
		if (rc != EX_OK && bad == EX_OK)
			bad = rc;
	}
	if (bad != EX_OK && nrefs > 1)
		cli_warn(cli, "nothing changed: every package named must be ready for the change");
	for (i = 0; bad == EX_OK && i < nrefs; i++)
		bad = apply(cli, &w[i], to_status, assignee, &x);
	if (bad == EX_OK)
		cli->audited = true;
	rt_free(w);
	return bad;
}

int cli_workflow(struct cli *cli, const char *ref, const char *to_status, const char *assignee)
{
	char *refs[1];

	refs[0] = (char *)(uintptr_t)ref;
	return cli_workflow_refs(cli, refs, 1, to_status, assignee);
}

int cli_workflow_note(struct cli *cli, const char *ref, const char *text)
{
	struct store_event e;
	struct wf_extra x;
	struct wf_ctx w;
	struct diag d;
	int rc;

	if (!cli_text_ok(text, 2000, true))
		return cli_usage_error(cli, "TEXT takes 1 to 2000 bytes of text");
	if ((rc = load(cli, ref, &w)) != EX_OK)
		return rc;
	memset(&x, 0, sizeof(x));
	make_event(cli, &w, w.status, NULL, text, &x, &e);
	e.action = "note";
	diag_clear(&d);
	if (store_workflow(cli->st, w.id, &e, &d) < 0 ||
	    audit_workflow(cli, cli->st, &w, &e, false, &d) < 0)
		return cli_report(&d);
	cli->audited = true;
	cli_note(cli, "%s: note added (%s)", w.ref, w.status);
	return EX_OK;
}
