/*
 * reftriage: triage of child-protection referral packages.
 *
 * The table of commands. A new verb is one row here and one function,
 * cmd_<verb>(), in src/cli/cmd-<verb>.c with its options and help text
 * (declared with CLI_VERB in reftriage/cli.h); the dispatcher (dispatch.c)
 * does the rest as the row's flags say.
 */
#include "reftriage/cli.h"

#include "reftriage/alloc.h"
#include "reftriage/hash.h"
#include "reftriage/sandbox.h"

#include <sys/stat.h>

#define ANY (-1)

static const char *const states[] = {"new",           "assigned",         "in_progress", "reopened",
                                     "awaiting_info", "transfer_pending", "actioned",    "nfa",
                                     "transferred",   "duplicate",        NULL};

static const struct cli_cmd commands[] = {
    {"init", CLI_RUN(init), 0, "create the store (refuses to overwrite one)", NULL, 0, 0, NULL,
     NULL},
    {"import", CLI_RUN(import), CLI_STORE,
     "import packages from CSV, JSON, NDJSON or CyberTipline XML", "FILE|DIR...|-", 1, ANY, NULL,
     NULL},
    {"rules", NULL, NULL, NULL, 0, "check, compare, install, show or backtest the priority rules",
     NULL, 0, 0, rules_subs, NULL},
    {"score", CLI_RUN(score), CLI_STORE, "rescore all open packages with the active rules", NULL, 0,
     0, NULL, NULL},
    {"worklist", CLI_RUN(worklist), CLI_STORE | CLI_READ | CLI_RULES | CLI_OUTPUT,
     "the ranked list of open packages", NULL, 0, 0, NULL, NULL},
    {"show", CLI_RUN(show), CLI_STORE | CLI_READ | CLI_OUTPUT,
     "one package: fields, score and why, links, versions", "REF", 1, 1, NULL, NULL},
    {"assign", CLI_RUN(assign), CLI_STORE | CLI_TXN, "set who is working one or more packages",
     "REF...", 1, ANY, NULL, NULL},
    {"status", CLI_RUN(status), CLI_STORE | CLI_TXN,
     "move one or more packages through the workflow", "REF... STATE", 2, ANY, NULL, states},
    {"note", CLI_RUN(note), CLI_STORE | CLI_TXN, "add a note to a package without changing it",
     "REF TEXT", 2, 2, NULL, NULL},
    {"team", CLI_RUN(team), CLI_STORE | CLI_TXN, "the team's roster: add, list or remove names",
     "add NAME... | list | remove NAME", 1, ANY, NULL, NULL},
    {"override", CLI_RUN(override), CLI_STORE | CLI_TXN | CLI_RULES,
     "set or clear a priority override, with a reason (a second person to lower)", "REF [PRIORITY]",
     1, 2, NULL, NULL},
    {"alert", CLI_RUN(alert), CLI_STORE | CLI_READ | CLI_RULES,
     "open packages overdue or due soon (exit 1 when any), for cron", NULL, 0, 0, NULL, NULL},
    {"stats", CLI_RUN(stats), CLI_STORE | CLI_READ | CLI_RULES,
     "counts by priority, status, source, type; the oldest; time to act", NULL, 0, 0, NULL, NULL},
    {"report", CLI_RUN(report), CLI_STORE | CLI_READ | CLI_RULES | CLI_OUTPUT,
     "the management view of a period: intake, response, backlog, trend", NULL, 0, 0, NULL, NULL},
    {"quarantine", NULL, NULL, NULL, 0, "rejected records with their reasons", NULL, 0, 0,
     quarantine_subs, NULL},
    {"deconflict", NULL, NULL, NULL, 0,
     "the list of subjects other operations hold: import, list, clear", NULL, 0, 0, deconflict_subs,
     NULL},
    {"find", CLI_RUN(find), CLI_STORE | CLI_READ | CLI_RULES,
     "the packages and deconfliction entries that carry a subject, ref or identifier", "TYPE VALUE",
     2, 2, NULL, NULL},
    {"audit", NULL, NULL, NULL, 0, "the audit trail: log, verify, checkpoint", NULL, 0, 0,
     audit_subs, NULL},
    {"outcome", CLI_RUN(outcome), CLI_STORE | CLI_TXN, "record, import or list case outcomes",
     "REF CODE | import FILE.csv | list", 1, 2, NULL, NULL},
    {"purge", CLI_RUN(purge), CLI_STORE | CLI_TXN,
     "erase the content of packages closed before a date", NULL, 0, 0, NULL, NULL},
    {"backup", CLI_RUN(backup), CLI_STORE | CLI_READ,
     "a consistent, verified copy of the store, to a new file or stdout", "DEST|-", 1, 1, NULL,
     NULL},
    {"restore", CLI_RUN(restore), 0, "make a new store (--db) from a verified backup", "SRC|-", 1,
     1, NULL, NULL},
    {"settings", CLI_RUN(settings), CLI_STORE | CLI_TXN,
     "list, show or set the store settings (nfa_sign_off, retention_days)", "[NAME [VALUE]]", 0, 2,
     NULL, NULL},
    {"keygen", CLI_RUN(keygen), 0, "make a minisign-format key pair for signing", NULL, 0, 0, NULL,
     NULL},
    {"help", CLI_RUN(help), 0, "describe a command", "[COMMAND [SUBCOMMAND]]", 0, 2, NULL, NULL},
    CLI_CMD_END,
};

int main(int argc, char **argv)
{
	struct diag d;

	/* Everything reftriage creates is for its owner only. */
	umask(077);
	/*
	 * The process cannot reach the network nor run another program
	 * (sandbox.h). The login name comes through NSS, which may need the
	 * network, so it is resolved first; nothing has been read yet.
	 */
	(void)cli_login_name();
	diag_clear(&d);
	if (sandbox_enter(&d) < 0)
		return cli_report(&d);
	if (hash_library_init() < 0) {
		fputs("reftriage: cannot initialise libsodium\n", stderr);
		return EX_SOFTWARE;
	}
	if (store_library_init() < 0) {
		fprintf(stderr, "reftriage: cannot initialise SQLite%s\n",
		        alloc_failures() ? ": out of memory" : "");
		return EX_SOFTWARE;
	}
	return cli_main(commands, argc, argv);
}
