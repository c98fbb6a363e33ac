/*
 * The command-line layer: the only code that prints or exits. main.c holds
 * the table of commands and does the common work once (global options, the
 * store path, the operator, error printing, mapping results to exit codes);
 * each verb lives in src/cli/cmd-<verb>.c.
 */
#ifndef REFTRIAGE_CLI_H
#define REFTRIAGE_CLI_H

#include "reftriage/diag.h"
#include "reftriage/store.h"

struct cli {
	const char *db_path;       /* --db, REFTRIAGE_DB, or ./reftriage.db */
	const char *operator_name; /* --operator, REFTRIAGE_OPERATOR, or the login name */
	const char *command;       /* "import", "quarantine show", ... for messages */
};

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

int cmd_init(struct cli *cli, int argc, char **argv);
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
