/*
 * reftriage override REF PRIORITY --code CODE --note TEXT [--approved-by NAME]
 * reftriage override REF --clear --note TEXT [--approved-by NAME]
 *
 * Professional judgement on a package's priority (casework.md section 1;
 * docs/workflow.md): the effective priority becomes the override's, the
 * score and the rules that fired stay as computed. A lowering, and the clear
 * of a raising override, need a second person (--approved-by). Every check
 * comes before anything is written: a refused override records nothing.
 */
#include "reftriage/cli.h"

#include "reftriage/score.h"
#include "reftriage/text.h"
#include "reftriage/timeutil.h"

static const char *const codes[] = {"new-information",
                                    "known-subject",
                                    "child-at-risk",
                                    "risk-overstated",
                                    "actioned-elsewhere",
                                    "professional-judgement",
                                    NULL};
/* The directions each code allows, in the order of codes[] (casework.md's table). */
static const struct {
	bool up, down;
} code_may[] = {{true, true},  {true, false}, {true, false},
                {false, true}, {false, true}, {true, true}};

const struct cli_opt override_opts[] = {
    {"code", 'c', CLI_ENUM, "CODE",
     "why: new-information, known-subject, child-at-risk, "
     "risk-overstated, actioned-elsewhere, professional-judgement",
     codes, 0, 0},
    CLI_OPT_NOTE("what the judgement rests on (required)"),
    {"approved-by", 0, CLI_TEXT, "NAME",
     "the second person who approves a lowering (required to lower)", NULL, 0, 0},
    {"clear", 0, CLI_FLAG, NULL, "end the override: the rules' priority applies again", NULL, 0, 0},
    CLI_OPT_WAIT,
    CLI_OPT_END,
};
const char override_about[] =
    "Set the effective priority of package REF to PRIORITY, with a reason code and\n"
    "a note; the score and the rules that fired stay as computed, and 'show' says\n"
    "both. Codes: new-information and professional-judgement raise or lower;\n"
    "known-subject and child-at-risk only raise; risk-overstated and\n"
    "actioned-elsewhere only lower. Lowering, and --clear of a raising override,\n"
    "need --approved-by NAME, a person other than the operator. A new version with\n"
    "changed content ends a lowering override; rescoring and 'rules install' never\n"
    "do. Every override and clear is in the package's history and the audit trail.\n";

/* What the package is now. */
struct ov_ctx {
	int64_t id;
	char ref[80];
	char status[16];
	bool has_override;
	bool override_up;
	char override_priority[64];
};

static int on_pkg(void *ctx, const struct store_package *p)
{
	struct ov_ctx *x = ctx;

	x->id = p->id;
	(void)snprintf(x->ref, sizeof(x->ref), "%s", p->ref);
	(void)snprintf(x->status, sizeof(x->status), "%s", p->status);
	return 0;
}

static int on_override(void *ctx, const struct store_override *o)
{
	struct ov_ctx *x = ctx;

	x->has_override = true;
	x->override_up = strcmp(o->direction, "up") == 0;
	(void)snprintf(x->override_priority, sizeof(x->override_priority), "%s", o->priority);
	return 0;
}

/* The options alone, before the store is read: EX_OK or a usage error. */
static int check_options(struct cli *cli, bool clear)
{
	const char *note = cli_str(cli, "note"), *by = cli_str(cli, "approved-by");

	if (clear && cli->noperands > 1)
		return cli_usage_error(cli,
		                       "--clear takes no PRIORITY: the rules' priority applies");
	if (!clear && cli->noperands < 2)
		return cli_usage_error(cli, "say the priority (override REF PRIORITY --code CODE "
		                            "--note TEXT), or --clear");
	if (clear && cli_str(cli, "code"))
		return cli_usage_error(cli, "--clear takes no --code: --note says why");
	if (!clear && !cli_str(cli, "code"))
		return cli_usage_error(cli,
		                       "an override needs --code CODE: one of new-information, "
		                       "known-subject, child-at-risk, risk-overstated, "
		                       "actioned-elsewhere, professional-judgement");
	if (!note)
		return cli_usage_error(cli,
		                       "%s needs --note TEXT: the reason is part of the record",
		                       clear ? "clearing an override" : "an override");
	if (!cli_text_ok(note, 2000, true))
		return cli_usage_error(cli, "--note takes 1 to 2000 bytes of text");
	if (by && !cli_text_ok(by, 64, false))
		return cli_usage_error(cli, "--approved-by takes a name of 1 to 64 bytes of text");
	return EX_OK;
}

/* A lowering's second person: EX_OK, 64 when missing, 65 when it is the operator. */
static int check_approval(struct cli *cli, const char *ref, const char *what)
{
	const char *by = cli_str(cli, "approved-by");

	if (!by)
		return cli_usage_error(cli,
		                       "%s lowers the effective priority of %s: it needs "
		                       "--approved-by NAME, a second person",
		                       what, ref);
	if (text_ieq(by, strlen(by), cli->operator_name))
		return cli_refuse(
		    ref,
		    "--approved-by %s is the operator: a lowering needs a second person "
		    "to approve it",
		    by);
	return EX_OK;
}

static bool is_open(const char *status)
{
	return store_status_open(status);
}

/* The audit entry's details. */
static void audit_details(struct cli *cli, const char *priority, const char *computed,
                          const char *direction, const char *code)
{
	struct cli_details *x = &cli->details;

	cli->action = "override";
	cli_details_str(x, "priority", priority);
	cli_details_str(x, "computed_priority", computed);
	cli_details_str(x, "direction", direction);
	cli_details_str(x, "code", code);
	cli_details_str(x, "approved_by", cli_str(cli, "approved-by"));
	cli_details_str(x, "note", cli_str(cli, "note"));
	if (!priority)
		cli_details_bool(x, "cleared", true);
}

/* --clear: the rules' priority applies again. */
static int clear_override(struct cli *cli, struct ov_ctx *x)
{
	struct diag d;
	int rc;

	if (!x->has_override)
		return cli_refuse(x->ref, "has no override to clear (the rules' priority applies)");
	/* Clearing a raising override lowers the effective priority: the two-person rule. */
	if (x->override_up &&
	    (rc = check_approval(cli, x->ref, "clearing this raising override")) != EX_OK)
		return rc;
	diag_clear(&d);
	rc =
	    store_clear_override(cli->st, x->id, x->status, cli->operator_name,
	                         cli_str(cli, "approved-by"), time_now(), cli_str(cli, "note"), &d);
	if (rc < 0 || score_one(cli->st, x->id, x->ref, &d) < 0 ||
	    store_audit_ref(cli->st, x->ref, &d) < 0)
		return cli_report(&d);
	audit_details(cli, NULL, NULL, x->override_up ? "up" : "down", NULL);
	cli_note(cli, "%s: override cleared; the rules' priority applies", x->ref);
	return EX_OK;
}

static int set_override(struct cli *cli, struct ov_ctx *x, const struct store_score *sc)
{
	const struct ruleset *rs = cli->rs;
	const char *code = cli_str(cli, "code");
	struct store_override o;
	struct diag d;
	size_t k;
	int band = ruleset_band_named(rs, cli->operands[1]), rc;
	bool up;

	if (band < 0) {
		const char *names[RULES_MAX_BANDS + 1];

		for (k = 0; k < rs->nbands && k < RULES_MAX_BANDS; k++)
			names[k] = rs->bands[k].priority;
		names[k] = NULL;
		return cli_bad_value(cli, "PRIORITY", cli->operands[1], names);
	}
	if (band == sc->rules_priority)
		return cli_refuse(x->ref,
		                  "the rules already give %s: an override must change the priority "
		                  "(--clear ends one)",
		                  rs->bands[band].priority);
	up = band < sc->rules_priority;
	for (k = 0; codes[k] && strcmp(codes[k], code) != 0; k++)
		;
	if (!codes[k] || !(up ? code_may[k].up : code_may[k].down))
		return cli_refuse(x->ref,
		                  "%s cannot %s a priority (the rules give %s; see 'reftriage "
		                  "override --help')",
		                  code, up ? "raise" : "lower",
		                  rs->bands[sc->rules_priority].priority);
	/*
	 * A lowering, or a new override that leaves the package less urgent
	 * than the one it replaces, needs a second person; an approval given
	 * anyway must still be someone else's.
	 */
	if ((!up || band > sc->priority || cli_str(cli, "approved-by")) &&
	    (rc = check_approval(cli, x->ref, up ? "this override" : "lowering")) != EX_OK)
		return rc;
	memset(&o, 0, sizeof(o));
	o.priority = rs->bands[band].priority;
	o.band = band;
	o.direction = up ? "up" : "down";
	o.code = code;
	o.operator_name = cli->operator_name;
	o.approved_by = cli_str(cli, "approved-by");
	o.at = time_now();
	o.note = cli_str(cli, "note");
	diag_clear(&d);
	if (store_put_override(cli->st, x->id, x->status, &o, &d) < 0 ||
	    score_one(cli->st, x->id, x->ref, &d) < 0 || store_audit_ref(cli->st, x->ref, &d) < 0)
		return cli_report(&d);
	audit_details(cli, o.priority, rs->bands[sc->rules_priority].priority, o.direction, code);
	cli_note(cli, "%s: %s by override (%s); the rules say %s", x->ref, o.priority, code,
	         rs->bands[sc->rules_priority].priority);
	return EX_OK;
}

int cmd_override(struct cli *cli)
{
	bool clear = cli_flag(cli, "clear");
	const char *ref = cli->operands[0];
	struct store_score sc;
	struct ov_ctx x;
	struct buf fired;
	struct diag d;
	int rc;

	if ((rc = check_options(cli, clear)) != EX_OK)
		return rc;
	diag_clear(&d);
	/* With a roster, the second person is one of its names (casework.md 5). */
	if (cli_str(cli, "approved-by")) {
		char canon[STORE_NAME_MAX];

		if (store_team_check(cli->st, "--approved-by", cli_str(cli, "approved-by"), canon,
		                     &d) < 0)
			return cli_report(&d);
	}
	memset(&x, 0, sizeof(x));
	rc = store_get_package(cli->st, ref, on_pkg, NULL, &x, &d);
	if (rc == 1)
		return cli_no_package(cli, ref);
	if (rc < 0 || store_get_override(cli->st, x.id, on_override, &x, &d) < 0)
		return cli_report(&d);
	if (!is_open(x.status))
		return cli_refuse(
		    x.ref,
		    "is %s (closed): its priority no longer ranks it; reopen it first with "
		    "'reftriage status %s in_progress --note WHY'",
		    x.status, x.ref);
	if (clear)
		return clear_override(cli, &x);
	if (!cli->scored)
		return cli_refuse(x.ref, "nothing is scored yet: run 'reftriage score' first");
	buf_init(&fired);
	rc = store_get_score(cli->st, x.id, &sc, &fired, &d);
	if (rc == 0)
		rc = set_override(cli, &x, &sc);
	else if (rc == 1)
		rc = cli_refuse(x.ref, "has no score yet: run 'reftriage score' first");
	else
		rc = cli_report(&d);
	buf_release(&fired);
	return rc;
}
