/*
 * The command-line layer: the only code that prints or exits.
 *
 * src/cli/main.c holds the table of commands (struct cli_cmd): each row names
 * a verb, its function, its options (struct cli_opt), a summary and flags that
 * the dispatcher (src/cli/dispatch.c) acts on: open the store, take the writer
 * lock with --wait, load the rules, run the verb inside one transaction that
 * also appends its audit entry, open the --output file. A verb's function
 * receives that ready context and does its one job. --help, bash completion
 * and the man page's synopsis are generated from the same rows
 * (src/cli/help.c), so they cannot drift. Messages go through src/cli/msg.c.
 */
#ifndef REFTRIAGE_CLI_H
#define REFTRIAGE_CLI_H

#include "reftriage/diag.h"
#include "reftriage/pfile.h"
#include "reftriage/sign.h"
#include "reftriage/store.h"

struct ruleset;

/* What an option's value is; the dispatcher checks it before the verb runs. */
enum cli_kind {
	CLI_FLAG,  /* no value */
	CLI_TEXT,  /* any text */
	CLI_TIME,  /* a TIME: RFC 3339, a date, a local time, now/today/yesterday, 12h
	              (time_parse_when) */
	CLI_COUNT, /* a whole number from min (0 or more) to max: decimal digits, no sign */
	CLI_ENUM,  /* one of choices, in any case */
};

/* One option of a verb: the row its help, completion and synopsis come from. */
struct cli_opt {
	const char *name;           /* the long name, without "--"; NULL ends a table */
	char shortc;                /* the short name, 0 for none */
	enum cli_kind kind;         /* what the value is */
	const char *metavar;        /* the value's name in help ("TIME"); NULL for a flag */
	const char *help;           /* one line */
	const char *const *choices; /* CLI_ENUM: the values, NULL-terminated */
	long min, max;              /* CLI_COUNT: the range */
};

#define CLI_OPT_END                                                                                \
	{                                                                                          \
		NULL, 0, CLI_FLAG, NULL, NULL, NULL, 0, 0                                          \
	}
/* --wait: how long a writer waits for another (default 30 s). */
#define CLI_OPT_WAIT                                                                               \
	{                                                                                          \
		"wait", 0, CLI_COUNT, "SECONDS", "wait this long for another writer (default 30)", \
		    NULL, 0, 86400                                                                 \
	}
/* --wait for a consultation: how long its audit entry waits before it is spooled. */
#define CLI_OPT_WAIT_READ                                                                          \
	{                                                                                          \
		"wait", 0, CLI_COUNT, "SECONDS",                                                   \
		    "wait this long for a writer before spooling the audit entry (default 5)",     \
		    NULL, 0, 86400                                                                 \
	}
#define CLI_OPT_AS_OF                                                                              \
	{                                                                                          \
		"as-of", 0, CLI_TIME, "TIME", "scoring time (default now; also 12h, yesterday)",   \
		    NULL, 0, 0                                                                     \
	}

/*
 * The options several verbs have: their name, short name, kind and value are
 * the same in every verb; each verb says what the option does there.
 */
#define CLI_OPT_FORMAT(choices, help)                                                              \
	{                                                                                          \
		"format", 'f', CLI_ENUM, "FORMAT", help, choices, 0, 0                             \
	}
#define CLI_OPT_OUTPUT(help)                                                                       \
	{                                                                                          \
		"output", 'o', CLI_TEXT, "FILE", help, NULL, 0, 0                                  \
	}
#define CLI_OPT_NOTE(help)                                                                         \
	{                                                                                          \
		"note", 0, CLI_TEXT, "TEXT", help, NULL, 0, 0                                      \
	}
#define CLI_OPT_NOW(help)                                                                          \
	{                                                                                          \
		"now", 0, CLI_TIME, "TIME", help, NULL, 0, 0                                       \
	}
/* No short form: -n is --limit wherever it exists (cli.md). */
#define CLI_OPT_DRY_RUN(help)                                                                      \
	{                                                                                          \
		"dry-run", 0, CLI_FLAG, NULL, help, NULL, 0, 0                                     \
	}
#define CLI_OPT_PASSPHRASE_FILE(help)                                                              \
	{                                                                                          \
		"passphrase-file", 0, CLI_TEXT, "FILE", help, NULL, 0, 0                           \
	}
/* Writing a file for someone else: -o, its recipient, a signature (worklist, show). */
#define CLI_OPTS_EXPORT                                                                              \
	CLI_OPT_OUTPUT(                                                                              \
	    "write FILE (mode 0600) atomically, recorded as a disclosure; - is stdout"),             \
	    {"recipient", 0, CLI_TEXT, "NAME", "who the file is for (recorded with the disclosure)", \
	     NULL,        0, 0},                                                                     \
	    {"sign",                                                                                 \
	     0,                                                                                      \
	     CLI_TEXT,                                                                               \
	     "SECKEY",                                                                               \
	     "also write FILE.minisig, signed with this minisign key",                               \
	     NULL,                                                                                   \
	     0,                                                                                      \
	     0},                                                                                     \
	    CLI_OPT_PASSPHRASE_FILE("the key's passphrase, from a private file")
/* --stale-after: when the stored scores are too old to trust. */
#define CLI_OPT_STALE_AFTER                                                                        \
	{                                                                                          \
		"stale-after", 0, CLI_COUNT, "HOURS",                                              \
		    "scores older than this are stale (default 24)", NULL, 0, 24 * 366             \
	}

/* Flags of a command row, acted on by the dispatcher in this order. */
enum {
	CLI_STORE = 1 << 0,      /* open the store named by --db (waits --wait for a writer) */
	CLI_TXN = 1 << 1,        /* run in one transaction; on success append the audit entry
	                            (cli->action, cli->details, the refs named) and commit */
	CLI_RULES = 1 << 2,      /* load the rule set the stored scores were computed with */
	CLI_OUTPUT = 1 << 3,     /* --output FILE is a private file written atomically */
	CLI_OUTPUT_NEW = 1 << 4, /* and never over an existing file */
	CLI_READ = 1 << 5,       /* a consultation: read without waiting for a writer, then
	                            append the entry (or spool it, past --wait; docs/security.md) */
};

/*
 * The details of an audit entry, built as a JSON object (src/cli/record.c).
 * Adding never fails on the spot: err remembers it, and cli_audit() reports.
 */
struct cli_details {
	struct buf b;
	bool first;
	int err;
};

struct cli_cmd;

/* The context a verb runs in. Everything is owned by the dispatcher. */
struct cli {
	const char *db_path;         /* --db, REFTRIAGE_DB, or ./reftriage.db */
	const char *operator_name;   /* --operator, REFTRIAGE_OPERATOR, or the login name */
	const char *reason;          /* --reason or REFTRIAGE_REASON: the justification; NULL */
	bool quiet;                  /* --quiet: nothing on stderr on success */
	char command[48];            /* "import", "quarantine show", ... for messages */
	const struct cli_cmd *table; /* the table of commands */
	const struct cli_cmd *cmd;   /* the row being run */
	const char *values[32];      /* each option's value as given ("" for a flag); NULL */
	char **operands;             /* what is left once options are taken */
	int noperands;
	/* Made ready by the dispatcher as the row's flags ask. */
	struct store *st;           /* CLI_STORE */
	struct ruleset *rs;         /* CLI_RULES: the scoring rule set (or the active one) */
	int64_t as_of;              /* CLI_RULES: when the stored scores were computed */
	bool scored;                /*   and whether there are any */
	const char *action;         /* CLI_TXN: the entry's action; default the command */
	struct cli_details details; /* CLI_TXN: the entry's details */
	FILE *out;                  /* stdout, or the --output file (CLI_OUTPUT) */
	struct pfile output;        /* CLI_OUTPUT with a file: written atomically */
	struct buf also_written;    /* a file the verb wrote beside it, removed on failure */
	bool audited;               /* CLI_TXN: the verb appended its entry itself */
	bool committed;             /* CLI_TXN: the verb committed early (cli_commit) */
	int exit_code; /* a success that is news (alert: 1), returned when all is done */
};

/* A row of the table of commands (main.c), or of a verb's sub-commands. */
struct cli_cmd {
	const char *name;
	int (*run)(struct cli *cli);    /* NULL when subs lists the sub-commands */
	const struct cli_opt *opts;     /* ended by CLI_OPT_END; NULL none */
	const char *about;              /* --help's text under the synopsis; NULL */
	unsigned flags;                 /* CLI_STORE, ... */
	const char *summary;            /* one line, for the list of commands */
	const char *operands;           /* the synopsis's operands ("REF STATE"); NULL none */
	int min_operands, max_operands; /* max -1: any number */
	const struct cli_cmd *subs;     /* NULL-name-terminated; NULL none */
	const char *const *words;       /* completion's choices for the last operand; NULL */
};

#define CLI_CMD_END                                                                                \
	{                                                                                          \
		NULL, NULL, NULL, NULL, 0, NULL, NULL, 0, 0, NULL, NULL                            \
	}

/* A verb is its function, its options and its help text, declared together. */
#define CLI_VERB(v)                                                                                \
	int cmd_##v(struct cli *cli);                                                              \
	extern const struct cli_opt v##_opts[];                                                    \
	extern const char v##_about[]

/* The table's own fields for a verb declared with CLI_VERB. */
#define CLI_RUN(v) cmd_##v, v##_opts, v##_about

/* --- the dispatcher (dispatch.c) -------------------------------------- */

/* Parse argv, run the command it names and return its exit code. */
int cli_main(const struct cli_cmd *table, int argc, char **argv);

/*
 * The login name (NSS: getpwuid), the default operator; "uid:N" when the
 * user has none. Resolved once and kept: main() calls it before the seccomp
 * filter goes in, since NSS may talk to a directory service.
 */
const char *cli_login_name(void);

/*
 * CLI_TXN: append the entry and commit now, for a verb with work to do after
 * its change is durable. Returns an exit code (after a message).
 */
int cli_commit(struct cli *cli);

/* An option's value as given, NULL when absent (CLI_ENUM: the choice's own spelling). */
const char *cli_str(const struct cli *cli, const char *name);
/* Whether the verb being run has the option at all. */
bool cli_has_opt(const struct cli *cli, const char *name);
/* Whether a flag (or any option) was given. */
bool cli_flag(const struct cli *cli, const char *name);
/* A CLI_TIME option's value in microseconds since 1970, or dflt when absent. */
int64_t cli_time(const struct cli *cli, const char *name, int64_t dflt);
/* A CLI_COUNT option's value, or dflt when absent. */
long cli_count(const struct cli *cli, const char *name, long dflt);

/* --- messages (msg.c): every line reftriage writes to stderr ------------ */

/* Print "reftriage: FILE:LINE: FIELD: message" (and its suggestion); returns d->code. */
int cli_report(const struct diag *d);

/*
 * A problem in a file, as compilers print them: FILE:LINE: FIELD: message,
 * without the program's name (import's reasons, a rules file's errors).
 */
void cli_report_problem(const struct diag *d);

/*
 * Every problem of list l (those without a file are about file), then
 * "FILE: and N more NOUNs" for the ones not kept. Returns how many in all.
 */
size_t cli_report_list(const char *file, const struct diag_list *l, const char *noun);

/* Print "reftriage: <command>: message (see 'reftriage <command> --help')"; EX_USAGE. */
int cli_usage_error(const struct cli *cli, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* A problem with a value: as cli_usage_error, with "did you mean" from choices. */
int cli_bad_value(const struct cli *cli, const char *what, const char *value,
                  const char *const *choices);

/* "a, b or c" from a NULL-terminated list, cut to size. */
void cli_join(char *dst, size_t size, const char *const *words);

/* Print "reftriage: <command>: message" (a warning: shown even with --quiet). */
void cli_warn(const struct cli *cli, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* Print "reftriage: <command>: message" on success; nothing with --quiet. */
void cli_note(const struct cli *cli, const char *fmt, ...) PRINTF_LIKE(2, 3);

/*
 * The last error cli_report or cli_fail printed ("FILE: message"), "" when
 * none: for a JSON summary that must say why a run stopped. Static.
 */
const char *cli_last_error(void);

/* Print "reftriage: <command>: message" and return code (an error with no diag). */
int cli_fail(const struct cli *cli, int code, const char *fmt, ...) PRINTF_LIKE(3, 4);

/* "no package with ref 'REF' in STORE" (65), the ref printed safely. */
int cli_no_package(const struct cli *cli, const char *ref);

/* printf through cli_put_safe(): for lines that hold untrusted text (cut at 2 KiB). */
void cli_print(FILE *f, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* Flush stdout and report a write error (a full disk must not look like success). */
int cli_finish_stdout(void);

/*
 * Write untrusted text to f so that it cannot drive the terminal: control
 * characters and bytes that are not UTF-8 are written as \xNN; a line break
 * is written as a line break followed by indent (NULL: none).
 */
void cli_put_safe(FILE *f, const char *s, size_t n, const char *indent);

/* --- audit entries (record.c) ----------------------------------------- */

void cli_details_init(struct cli_details *x);
void cli_details_release(struct cli_details *x);
void cli_details_str(struct cli_details *x, const char *key,
                     const char *value); /* NULL: left out */
void cli_details_int(struct cli_details *x, const char *key, int64_t value);
void cli_details_bool(struct cli_details *x, const char *key, bool value);
void cli_details_hash(struct cli_details *x, const char *key, const unsigned char h[HASH_BYTES]);
void cli_details_time(struct cli_details *x, const char *key, int64_t us);

/*
 * Append the audit entry for action, with details x and the refs named with
 * store_audit_ref() since the last entry, in st's open transaction. The
 * operator and the reason come from cli. -1 with d filled on failure.
 */
int cli_audit(const struct cli *cli, struct store *st, const char *action, struct cli_details *x,
              struct diag *d) MUST_CHECK;

/*
 * A consultation's entry, after its reading (store_audit_consult): appended
 * when the write lock comes within wait_ms, else spooled (*spooled true).
 */
int cli_audit_consult(const struct cli *cli, struct store *st, const char *action,
                      struct cli_details *x, int wait_ms, bool *spooled, struct diag *d) MUST_CHECK;

/* The entry of a rescore of n open packages at as_of with rs (no refs: see record.c). */
int cli_audit_score(const struct cli *cli, struct store *st, const struct ruleset *rs,
                    int64_t as_of, unsigned long n, struct diag *d) MUST_CHECK;
/* The entry of installing rs from source. */
int cli_audit_rules_install(const struct cli *cli, struct store *st, const struct ruleset *rs,
                            const char *source, struct diag *d) MUST_CHECK;
/*
 * The entries of one file's import, in its transaction: the collection (the
 * refs it stored or quarantined, the file's hash and counts, then what r
 * adds: known rejects, reopened packages, the signer) and, when any of its
 * packages now share a linking key with another, the combination.
 */
struct isummary_file;
int cli_audit_import(const struct cli *cli, struct store *st, struct store_import *imp,
                     struct isummary_file *r, struct diag *d) MUST_CHECK;

/* --- shared pieces of verbs ------------------------------------------- */

/*
 * Rescore every open package with the active rules at as_of, in one write
 * transaction, and say so on stderr. Returns an exit code.
 */
int cli_rescore(const struct cli *cli, struct store *st, int64_t as_of);
/* The same, its line ("scored N open packages as of ...") added to said, not printed. */
int cli_rescore_said(const struct cli *cli, struct store *st, int64_t as_of, struct buf *said);

/*
 * Whether scores computed at as_of are stale at now: older than the verb's
 * --stale-after hours (default 24; cli.md). Warns on stderr when they are.
 */
bool cli_scores_stale(const struct cli *cli, bool scored, int64_t as_of, int64_t now);
/* Warn on stderr that n open packages are not scored yet (nothing when n is 0). */
void cli_warn_unscored(const struct cli *cli, long n);

/*
 * --sign KEY of a verb that wrote --output FILE (src/cli/export.c): write
 * FILE.minisig (removed if the verb fails), its trusted comment naming the
 * file, the command and the time, and note the key's id in the entry's
 * details. Returns an exit code (after a message).
 */
int cli_sign_output(struct cli *cli, const char *key_path);

/*
 * worklist's filters (src/cli/filters.c) into q from its options; prio and
 * status are copies of --priority and --status, cut up in place and
 * borrowed by q. Returns an exit code (after a message).
 */
int cli_worklist_filters(struct cli *cli, struct store_worklist_query *q, char *prio, char *status);

/* The default rules, built into the binary from rules/default.json. */
extern const unsigned char default_rules[];
extern const size_t default_rules_len;

/*
 * The workflow shared by assign and status (src/cli/workflow.c): apply one
 * change to package ref in cli's transaction, checking the transition, and
 * say what changed. to_status NULL keeps the status (an assignment); assignee
 * NULL keeps the assignee. Returns an exit code.
 */
/* A note or a name: 1 to max bytes of UTF-8 text, no control character but (lines) a newline. */
bool cli_text_ok(const char *s, size_t max, bool lines);
/* "reftriage: REF: ..." on stderr for a change refused; EX_DATAERR. */
int cli_refuse(const char *ref, const char *fmt, ...) PRINTF_LIKE(2, 3);
int cli_workflow(struct cli *cli, const char *ref, const char *to_status, const char *assignee);
/*
 * The same for nrefs packages at once (bulk assign and status): every ref
 * is checked before any changes, and one refused changes none (65). Each
 * change is its own history row and audit entry.
 */
int cli_workflow_refs(struct cli *cli, char *const *refs, int nrefs, const char *to_status,
                      const char *assignee);
/* A note on package ref without a change (casework.md section 5): history and audit. */
int cli_workflow_note(struct cli *cli, const char *ref, const char *text);

/* --- overrides in show (override-show.c; casework.md section 1) -------- */

struct store_score;
struct store_event;
struct ruleset;

/*
 * Where a passphrase comes from (src/cli/passphrase.c): file (when set, its
 * first line; it must be private) or else the terminal, without echo. key
 * names the key for messages. cli_passphrase() is a sign_passphrase_fn.
 */
struct cli_passphrase_src {
	const char *file;
	const char *key;
};
int cli_passphrase(void *ctx, char *buf, size_t cap, bool confirm, struct diag *d);

/*
 * The audit chain of st walked entry by entry (copy.c): each entry's hash,
 * its place after the one before, its refs; no refs left without an entry;
 * and, with cp, that the chain passes through the signed checkpoint. -1
 * with d filled when it cannot be read; else 0, and x->broken, x->why say
 * whether and where it is broken.
 */
struct cli_chain {
	const struct cli *warn; /* where to warn of entries dated back; NULL: nowhere */
	struct store *st;
	struct audit_verifier v; /* v.checked: the entries checked */
	struct diag *d;
	char why[400];
	bool broken;
	const struct audit_checkpoint *cp;
	bool cp_seen;
};
int cli_walk_chain(struct store *st, const struct audit_checkpoint *cp, const struct cli *warn,
                   struct cli_chain *x, struct diag *d) MUST_CHECK;

/*
 * A copy of the store checked (copy.c): what backup and restore know of it.
 * carried: the spooled audit lines it carries, one a line (ncarried).
 */
struct cli_copy {
	int64_t entries, head_seq;
	unsigned char head[HASH_BYTES];
	struct buf carried;
	long ncarried;
};
/*
 * Open the copy at path read-only and check it: a reftriage store, PRAGMA
 * integrity_check, the audit chain as 'audit verify' checks it; fill out
 * (released with cli_copy_release, whatever the result). Messages name
 * label. Returns an exit code after a message: 65 when it is damaged.
 */
int cli_check_copy(const struct cli *cli, const char *path, const char *label,
                   struct cli_copy *out);
void cli_copy_release(struct cli_copy *c);

/* --- deconfliction (deconflict.c; casework.md section 3) --------------- */

struct deconf_view;
struct package;

/*
 * What is known of package_id's deconfliction at now: its active matches,
 * le_agency (from p, or read from its latest version when p is NULL), its
 * acknowledgement and state. -1 with d filled.
 */
int cli_deconf_view(struct store *st, int64_t package_id, const struct package *p, int64_t now,
                    struct deconf_view *v, struct diag *d) MUST_CHECK;
void cli_deconf_view_release(struct deconf_view *v);

/*
 * status REF STATE's hold: in_progress or actioned on a package with a hit
 * is refused (65, naming each holder) unless --deconflicted NOTE, which is
 * recorded as the package's acknowledgement (and in the status entry). EX_OK
 * to go on, else an exit code after a message.
 */
int cli_deconflict_hold(struct cli *cli, const char *ref, const char *to_status);

/* Warn on stderr when the active list is older than DECONF_STALE_DAYS (worklist, alert). */
void cli_deconf_warn_stale(const struct cli *cli);

/*
 * show: package_id's deconfliction at the top of the text (nothing when it has
 * no match), or as the json object {"state","matches"} appended to b. -1 with d filled.
 */
int cli_deconf_show_text(FILE *out, struct store *st, int64_t package_id,
                         struct diag *d) MUST_CHECK;
int cli_deconf_show_json(struct store *st, int64_t package_id, struct buf *b,
                         struct diag *d) MUST_CHECK;

struct deconf_map;
struct deconf_meta;
struct report_item;
/*
 * For a list (worklist): the list's meta and every matched package by ref,
 * with the warning when the list is old. Returns an exit code.
 */
int cli_deconf_lists(const struct cli *cli, struct deconf_map *m, struct deconf_meta *meta);
/*
 * An item's deconfliction from the map and its facts (le_agency); with
 * detail (json), its matches in v (released by the caller). -1 with d filled.
 */
int cli_deconf_item(struct store *st, const struct deconf_map *m, const char *ref,
                    const void *facts, size_t facts_len, bool detail, struct deconf_view *v,
                    struct report_item *it, struct diag *d) MUST_CHECK;

/* --- generated text (help.c) ------------------------------------------ */

/* --help of a command (sub NULL) or of one of its sub-commands. */
void cli_help_command(FILE *f, const struct cli_cmd *cmd, const struct cli_cmd *sub);
/* reftriage --help: the global options and the list of commands. */
void cli_help_main(FILE *f, const struct cli_cmd *table);
/* The bash completion script, from the table. */
void cli_help_completion(FILE *f, const struct cli_cmd *table);
/* The man page's SYNOPSIS section (roff), from the table. */
void cli_help_synopsis(FILE *f, const struct cli_cmd *table);
/* The global options' table (dispatch.c). */
extern const struct cli_opt cli_global_opts[];

/* --- the verbs -------------------------------------------------------- */

CLI_VERB(init);
CLI_VERB(import);
CLI_VERB(score);
CLI_VERB(worklist);
CLI_VERB(show);
CLI_VERB(assign);
CLI_VERB(status);
CLI_VERB(override);
CLI_VERB(stats);
CLI_VERB(report);
CLI_VERB(purge);
CLI_VERB(find);
CLI_VERB(keygen);
CLI_VERB(outcome);
CLI_VERB(help);
CLI_VERB(alert);
CLI_VERB(backup);
CLI_VERB(restore);
CLI_VERB(settings);
CLI_VERB(note);
CLI_VERB(team);
/* Verbs made of sub-commands export their table instead. */
extern const struct cli_cmd rules_subs[];
extern const struct cli_cmd audit_subs[];
extern const struct cli_cmd quarantine_subs[];
extern const struct cli_cmd deconflict_subs[];

#endif
