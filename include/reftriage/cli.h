/*
 * The command-line layer: the only code that prints or exits. main.c holds
 * the table of commands and does the common work once (global options, the
 * store path, the operator, error printing, mapping results to exit codes);
 * each verb lives in src/cli/cmd-<verb>.c.
 */
#ifndef REFTRIAGE_CLI_H
#define REFTRIAGE_CLI_H

#include "reftriage/diag.h"
#include "reftriage/sign.h"
#include "reftriage/store.h"

struct cli {
	const char *db_path;       /* --db, REFTRIAGE_DB, or ./reftriage.db */
	const char *operator_name; /* --operator, REFTRIAGE_OPERATOR, or the login name */
	const char *command;       /* "import", "quarantine show", ... for messages */
	const char *reason;        /* --reason or REFTRIAGE_REASON: the justification; NULL */
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
 * Append the entry as cli_audit() does, commit st's transaction, and release
 * x; on failure roll back and report. Returns an exit code.
 */
int cli_audit_commit(const struct cli *cli, struct store *st, const char *action,
                     struct cli_details *x);

struct ruleset;
/* The entry of a rescore of n open packages at as_of with rs (no refs: see record.c). */
int cli_audit_score(const struct cli *cli, struct store *st, const struct ruleset *rs,
                    int64_t as_of, unsigned long n, struct diag *d) MUST_CHECK;
/* The entry of installing rs from source. */
int cli_audit_rules_install(const struct cli *cli, struct store *st, const struct ruleset *rs,
                            const char *source, struct diag *d) MUST_CHECK;

struct cmd {
	const char *name;
	const char *summary;
	int (*run)(struct cli *cli, int argc, char **argv);
};

/* Print "reftriage: FILE:LINE: FIELD: message" to stderr; returns d->code. */
int cli_report(const struct diag *d);

/* Print "reftriage: <command>: message" and return EX_USAGE. */
int cli_usage_error(const struct cli *cli, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* Print a message about the command to stderr (no exit code). */
void cli_warn(const struct cli *cli, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* Open the store named by cli; on error reports it and returns its exit code. */
int cli_open_store(const struct cli *cli, int wait_ms, struct store **out);

/*
 * Parse options with getopt_long. Returns the option character, -1 at the
 * end, or '?' after printing a usage error (unknown option or missing value).
 * shortopts must start with ':'. Call cli_getopt_start() first.
 */
struct option;
void cli_getopt_start(void);
int cli_getopt(const struct cli *cli, int argc, char **argv, const char *shortopts,
               const struct option *longopts);
extern char *cli_optarg;
extern int cli_optind;

/* Flush stdout and report a write error (a full disk must not look like success). */
int cli_finish_stdout(void);

/* A verb's sub-commands ("rules check", "audit log", ...). run gets argv from the sub-command's
 * name. */
struct cli_sub {
	const char *name;
	int (*run)(struct cli *cli, int argc, char **argv);
};

/*
 * Run the sub-command argv[1] names, or print usage for --help (after the
 * verb or after the sub-command); names lists them for the usage error.
 */
int cli_subcommand(struct cli *cli, int argc, char **argv, const struct cli_sub *subs, size_t n,
                   const char *usage, const char *names);

/* EX_OK when getopt left no operands; else a usage error naming the first. */
int cli_no_operands(const struct cli *cli, int argc, char **argv);

/* Parse --wait SECONDS (0 to a day) into *out; -1 after a usage error. */
int cli_parse_wait(const struct cli *cli, const char *s, long *out);

/* Parse a non-negative integer option value; -1 after a usage error. */
int cli_parse_uint(const struct cli *cli, const char *opt, const char *s, long max, long *out);

/* Parse a --format that takes text or json; EX_USAGE after a message. */
int cli_parse_text_json(const struct cli *cli, const char *arg, bool *json);

/* Parse an --as-of style time (RFC 3339 or a date); EX_USAGE after a message. */
int cli_parse_time(const struct cli *cli, const char *opt, const char *s, int64_t *out);

/*
 * Rescore every open package with the active rules at as_of, in one write
 * transaction, and say so on stderr. Returns an exit code.
 */
int cli_rescore(const struct cli *cli, struct store *st, int64_t as_of);

/* The default rules, built into the binary from rules/default.json. */
extern const unsigned char default_rules[];
extern const size_t default_rules_len;

/*
 * The workflow shared by assign and status (src/cli/workflow.c): apply one
 * change to package ref, checking the transition, in one transaction, and say
 * what changed. to_status NULL keeps the status (an assignment); assignee
 * NULL keeps the assignee. Returns an exit code.
 */
int cli_workflow(const struct cli *cli, const char *ref, const char *to_status,
                 const char *assignee, const char *note, long wait_s);

/*
 * The command line of assign (with_to: REF --to NAME) and status (REF STATE),
 * both taking --note, --wait and --help, parsed once for both; then
 * cli_workflow(). Returns an exit code.
 */
int cli_workflow_main(struct cli *cli, int argc, char **argv, const char *usage, bool with_to);

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

int cmd_init(struct cli *cli, int argc, char **argv);
int cmd_keygen(struct cli *cli, int argc, char **argv);
int cmd_audit(struct cli *cli, int argc, char **argv);
int cmd_purge(struct cli *cli, int argc, char **argv);
int cmd_assign(struct cli *cli, int argc, char **argv);
int cmd_status(struct cli *cli, int argc, char **argv);
int cmd_stats(struct cli *cli, int argc, char **argv);
int cmd_rules(struct cli *cli, int argc, char **argv);
int cmd_score(struct cli *cli, int argc, char **argv);
int cmd_worklist(struct cli *cli, int argc, char **argv);
int cmd_import(struct cli *cli, int argc, char **argv);
int cmd_show(struct cli *cli, int argc, char **argv);
int cmd_quarantine(struct cli *cli, int argc, char **argv);

/*
 * Write untrusted text to f so that it cannot drive the terminal: control
 * characters and bytes that are not UTF-8 are written as \xNN; a line break
 * is written as a line break followed by indent (NULL: none).
 */
void cli_put_safe(FILE *f, const char *s, size_t n, const char *indent);

#endif
