/*
 * The dispatcher: parse the command line against the table of commands and
 * each verb's table of options, then do the work every verb shares once: open
 * the store, load the rules, open the output, run the verb in one transaction
 * and append its audit entry, and map the outcome to an exit code.
 */
#include "reftriage/cli.h"

#include "reftriage/alloc.h"
#include "reftriage/hash.h"
#include "reftriage/isummary.h"
#include "reftriage/score.h"
#include "reftriage/text.h"
#include "reftriage/timeutil.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

const struct cli_opt cli_global_opts[] = {
    {"db", 0, CLI_TEXT, "PATH", "the store (default: $REFTRIAGE_DB, else ./reftriage.db)", NULL, 0,
     0},
    {"operator", 0, CLI_TEXT, "NAME",
     "who is acting (default: $REFTRIAGE_OPERATOR, else the login)", NULL, 0, 0},
    {"reason", 0, CLI_TEXT, "TEXT", "why, for the audit trail (default: $REFTRIAGE_REASON)", NULL,
     0, 0},
    {"quiet", 'q', CLI_FLAG, NULL, "print nothing on stderr when all goes well", NULL, 0, 0},
    {"help", 'h', CLI_FLAG, NULL, "describe reftriage, or the command named", NULL, 0, 0},
    {"version", 0, CLI_FLAG, NULL, "print the version", NULL, 0, 0},
    CLI_OPT_END,
};
enum { G_DB, G_OPERATOR, G_REASON, G_QUIET, G_HELP, G_VERSION, G_N };

/* What parsing found: the command, its sub-command, the global options. */
struct parsed {
	const struct cli_cmd *table;
	const struct cli_cmd *cmd, *sub;
	const char *global[G_N];
	bool dashdash;
};

static size_t count_opts(const struct cli_opt *o)
{
	size_t n = 0;

	while (o && o[n].name)
		n++;
	return n;
}

/* The row in use: the sub-command once named, else the command. */
static const struct cli_cmd *current(const struct parsed *p)
{
	return p->sub ? p->sub : p->cmd;
}

static const struct cli_cmd *find_cmd(const struct cli_cmd *t, const char *name)
{
	for (; t && t->name; t++)
		if (strcmp(t->name, name) == 0)
			return t;
	return NULL;
}

/* "did you mean" among the names of t's rows. */
static const char *near_cmd(const struct cli_cmd *t, const char *name)
{
	const char *names[64];
	size_t n = 0;

	for (; t && t->name && n + 1 < ARRAY_SIZE(names); t++)
		names[n++] = t->name;
	names[n] = NULL;
	return text_suggest(name, strlen(name), names, 2);
}

static int unknown_word(struct cli *cli, const struct cli_cmd *t, const char *word, bool sub)
{
	const char *near = near_cmd(t, word), *names[64];
	char list[512];
	size_t n = 0;

	if (near)
		return cli_usage_error(cli, "'%s' is not a %scommand; did you mean '%s'?", word,
		                       sub ? "sub-" : "", near);
	if (!sub)
		return cli_usage_error(cli, "'%s' is not a command", word);
	for (; t->name && n + 1 < ARRAY_SIZE(names); t++)
		names[n++] = t->name;
	names[n] = NULL;
	cli_join(list, sizeof(list), names);
	return cli_usage_error(cli, "'%s' is not %s", word, list);
}

/* Check v against the option's kind; CLI_ENUM values become the choice's own spelling. */
static int check_value(struct cli *cli, const struct cli_opt *o, const char **v)
{
	char opt[48];

	(void)snprintf(opt, sizeof(opt), "--%s", o->name);
	if (o->kind == CLI_TIME) {
		int64_t t;
		const char *why;

		if (time_parse_when(*v, strlen(*v), time_now(), &t, &why) < 0)
			return cli_usage_error(cli, "%s '%s' is not a time: %s", opt, *v, why);
	} else if (o->kind == CLI_COUNT) {
		char *end;
		long n;

		/* Digits only: strtol alone would take "-0", "+5" and " 5". */
		errno = 0;
		n = strtol(*v, &end, 10);
		if (strspn(*v, "0123456789") != strlen(*v) || !**v || *end || errno || n < o->min ||
		    n > o->max)
			return cli_usage_error(cli,
			                       "%s takes a whole number from %ld to %ld, not '%s'",
			                       opt, o->min, o->max, *v);
	} else if (o->kind == CLI_ENUM) {
		size_t i;

		for (i = 0; o->choices[i]; i++)
			if (text_ieq(*v, strlen(*v), o->choices[i])) {
				*v = o->choices[i];
				return EX_OK;
			}
		return cli_bad_value(cli, opt, *v, o->choices);
	}
	return EX_OK;
}

/* The option named (long name, or short letter when name is NULL) in table o. */
static const struct cli_opt *match(const struct cli_opt *o, const char *name, size_t len,
                                   char shortc, size_t *idx)
{
	size_t i;

	for (i = 0; o && o[i].name; i++)
		if (name ? strlen(o[i].name) == len && strncmp(o[i].name, name, len) == 0
		         : o[i].shortc == shortc) {
			*idx = i;
			return &o[i];
		}
	return NULL;
}

static int unknown_option(struct cli *cli, const struct parsed *p, const char *arg)
{
	const char *names[64];
	const struct cli_opt *tabs[2] = {current(p) ? current(p)->opts : NULL, cli_global_opts};
	size_t n = 0, t, i, len = strcspn(arg + 2, "=");
	const char *near = NULL;

	for (t = 0; t < 2; t++)
		for (i = 0; tabs[t] && tabs[t][i].name && n + 1 < ARRAY_SIZE(names); i++)
			names[n++] = tabs[t][i].name;
	names[n] = NULL;
	if (arg[1] == '-')
		near = text_suggest(arg + 2, len, names, 2);
	if (near)
		return cli_usage_error(cli, "unknown option '%.*s'; did you mean '--%s'?",
		                       (int)len + 2, arg, near);
	return cli_usage_error(cli, "unknown option '%s'", arg);
}

/*
 * One option at argv[*i] (long, or a cluster of short ones): look it up in
 * the verb's table, then the global one; take its value; check it.
 */
static int take_option(struct cli *cli, struct parsed *p, int argc, char **argv, int *i)
{
	const char *arg = argv[*i], *name = NULL, *val = NULL;
	size_t len = 0, idx = 0;
	char shortc = 0;
	int k = 1;

	if (arg[1] == '-') {
		name = arg + 2;
		len = strcspn(name, "=");
		if (name[len] == '=')
			val = name + len + 1;
	}
	do {
		const struct cli_opt *verb = current(p) ? current(p)->opts : NULL;
		const struct cli_opt *o;
		bool global = false;
		int rc;

		if (!name)
			shortc = arg[k++];
		o = match(verb, name, len, shortc, &idx);
		if (!o) {
			o = match(cli_global_opts, name, len, shortc, &idx);
			global = o != NULL;
		}
		if (!o)
			return name ? unknown_option(cli, p, arg)
			            : cli_usage_error(cli, "unknown option '-%c'", shortc);
		if (o->kind == CLI_FLAG) {
			if (val)
				return cli_usage_error(cli, "--%s takes no value", o->name);
			val = "";
		} else if (!name && arg[k]) {
			val = arg + k; /* -n5 */
			k = (int)strlen(arg);
		} else if (!val) {
			if (*i + 1 >= argc)
				return cli_usage_error(cli, "option '%s' needs a value", arg);
			val = argv[++*i];
		}
		if ((rc = check_value(cli, o, &val)) != EX_OK)
			return rc;
		if (global)
			p->global[idx] = val;
		else
			cli->values[idx] = val;
		val = NULL;
	} while (!name && arg[k]);
	return EX_OK;
}

/* A word that is not an option: the command, its sub-command, or an operand. */
static int take_word(struct cli *cli, struct parsed *p, char *word)
{
	if (!p->cmd) {
		p->cmd = find_cmd(p->table, word);
		if (!p->cmd)
			return unknown_word(cli, p->table, word, false);
		(void)snprintf(cli->command, sizeof(cli->command), "%s", word);
		return EX_OK;
	}
	if (p->cmd->subs && !p->sub) {
		p->sub = find_cmd(p->cmd->subs, word);
		if (!p->sub)
			return unknown_word(cli, p->cmd->subs, word, true);
		(void)snprintf(cli->command, sizeof(cli->command), "%s %s", p->cmd->name, word);
		return EX_OK;
	}
	cli->operands[cli->noperands++] = word;
	return EX_OK;
}

static int parse(struct cli *cli, struct parsed *p, int argc, char **argv)
{
	int i, rc;

	(void)snprintf(cli->command, sizeof(cli->command), "reftriage");
	cli->operands = rt_calloc((size_t)argc + 1, sizeof(*cli->operands));
	if (!cli->operands)
		return cli_fail(cli, EX_SOFTWARE, "out of memory");
	for (i = 1; i < argc; i++) {
		char *a = argv[i];

		if (!p->dashdash && strcmp(a, "--") == 0) {
			p->dashdash = true;
			continue;
		}
		if (!p->dashdash && a[0] == '-' && a[1])
			rc = take_option(cli, p, argc, argv, &i);
		else
			rc = take_word(cli, p, a);
		if (rc != EX_OK)
			return rc;
	}
	return EX_OK;
}

const char *cli_login_name(void)
{
	static char name[64];
	struct passwd *pw;

	if (name[0])
		return name;
	pw = getpwuid(geteuid());
	if (pw && pw->pw_name && pw->pw_name[0])
		(void)snprintf(name, sizeof(name), "%s", pw->pw_name);
	else
		(void)snprintf(name, sizeof(name), "uid:%ld", (long)geteuid());
	return name;
}

/* Global options: the command line, else the environment, else the defaults. */
static int settle_globals(struct cli *cli, const struct parsed *p)
{
	const char *env;

	env = getenv("REFTRIAGE_DB");
	cli->db_path = p->global[G_DB] ? p->global[G_DB] : env && *env ? env : "reftriage.db";
	env = getenv("REFTRIAGE_OPERATOR");
	cli->operator_name = p->global[G_OPERATOR] ? p->global[G_OPERATOR]
	                     : env && *env         ? env
	                                           : NULL;
	if (!cli->operator_name || !cli->operator_name[0])
		cli->operator_name = cli_login_name();
	env = getenv("REFTRIAGE_REASON");
	cli->reason = p->global[G_REASON] ? p->global[G_REASON] : env && *env ? env : NULL;
	if (cli->reason && !cli->reason[0])
		cli->reason = NULL;
	cli->quiet = p->global[G_QUIET] != NULL;
	if (!cli->db_path[0])
		return cli_usage_error(cli, "--db needs a path");
	/* Every audit entry can be spooled; the spool refuses longer fields (store.h). */
	if (strlen(cli->operator_name) > SPOOL_OPERATOR_MAX)
		return cli_usage_error(cli, "the operator's name is longer than %d bytes",
		                       SPOOL_OPERATOR_MAX);
	if (cli->reason && strlen(cli->reason) > SPOOL_REASON_MAX)
		return cli_usage_error(cli, "--reason is longer than %d bytes", SPOOL_REASON_MAX);
	return EX_OK;
}

/* A store made shared on purpose (init --shared): its group may read it. */
static bool shared_on_purpose(struct cli *cli)
{
	bool shared = false;
	struct diag d;

	diag_clear(&d);
	return store_is_shared(cli->st, &shared, &d) == 0 && shared;
}

static int open_store(struct cli *cli)
{
	struct stat sb;
	struct diag d;
	/*
	 * A verb that writes waits for another writer (--wait). A reader is never
	 * refused because a writer is busy: in WAL mode it waits only for the
	 * moments SQLite itself locks (opening, a checkpoint), always up to 30 s
	 * (a loaded machine can stretch those moments past 5); its --wait is how
	 * long its audit entry waits before it is spooled.
	 */
	long wait_s = (cli->cmd->flags & CLI_READ) ? 30
	              : !cli_has_opt(cli, "wait")  ? 5
	                                           : cli_count(cli, "wait", 30);

	diag_clear(&d);
	if (store_open(cli->db_path, (int)wait_s * 1000, &cli->st, &d) < 0)
		return cli_report(&d);
	/* reftriage makes stores 0600 (0660 shared); one others can read was made so by hand. */
	if (stat(cli->db_path, &sb) == 0 && (sb.st_mode & 077)) {
		bool shared = shared_on_purpose(cli);

		if (shared && !(sb.st_mode & 007))
			return EX_OK;
		diag_at(&d, cli->db_path, 0, NULL);
		d.severity = DIAG_WARNING;
		(void)diag_set(
		    &d, EX_OK,
		    "the store may be read by %s (mode %04o): it holds OFFICIAL-SENSITIVE "
		    "referrals; make it %s with 'chmod %s %s'",
		    (sb.st_mode & 007) ? "anyone" : "its group", (unsigned)(sb.st_mode & 07777),
		    shared ? "its group's only" : "private", shared ? "660" : "600", cli->db_path);
		(void)cli_report(&d);
	}
	return EX_OK;
}

/* The rule set the stored scores were computed with, or the active one. */
static int load_rules(struct cli *cli)
{
	struct diag d;
	int64_t id = 0;
	int rc;

	diag_clear(&d);
	rc = store_get_scored(cli->st, &cli->as_of, &id, &d);
	if (rc < 0)
		return cli_report(&d);
	cli->scored = rc == 0;
	if (score_load_rules(cli->st, cli->scored ? id : 0, &cli->rs, &id, &d) < 0)
		return cli_report(&d);
	return EX_OK;
}

/* A file written beside a shared store is shared with its group too. */
static unsigned output_sharing(struct cli *cli)
{
	bool shared = false;
	struct diag d;

	diag_clear(&d);
	return cli->st && store_is_shared(cli->st, &shared, &d) == 0 && shared ? PFILE_SHARED : 0;
}

static int open_output(struct cli *cli)
{
	const char *path = cli_str(cli, "output");
	struct diag d;

	cli->out = stdout;
	if (!path || strcmp(path, "-") == 0)
		return EX_OK;
	diag_clear(&d);
	if (pfile_open(&cli->output, path,
	               ((cli->cmd->flags & CLI_OUTPUT_NEW) ? PFILE_NOCLOBBER : 0) |
	                   output_sharing(cli),
	               &d) < 0) {
		if (d.code == EX_CANTCREAT)
			(void)snprintf(d.message + strlen(d.message),
			               sizeof(d.message) - strlen(d.message),
			               " ('-o -' writes to standard output)");
		return cli_report(&d);
	}
	cli->out = cli->output.f;
	return EX_OK;
}

int cli_commit(struct cli *cli)
{
	struct diag d;

	diag_clear(&d);
	if ((!cli->audited && cli_audit(cli, cli->st, cli->action ? cli->action : cli->command,
	                                &cli->details, &d) < 0) ||
	    store_commit(cli->st, &d) < 0)
		return cli_report(&d);
	cli->committed = true;
	return EX_OK;
}

/* A consultation's entry: appended, or spooled when a writer holds the store past --wait. */
static int consult(struct cli *cli)
{
	long wait_s = cli_has_opt(cli, "wait") ? cli_count(cli, "wait", 5) : 5;
	bool spooled = false;
	struct diag d;

	diag_clear(&d);
	if (cli_audit_consult(cli, cli->st, cli->action ? cli->action : cli->command, &cli->details,
	                      (int)wait_s * 1000, &spooled, &d) < 0)
		return cli_report(&d);
	if (spooled)
		cli_warn(
		    cli,
		    "note: a writer held the store past %ld s; this consultation's audit entry "
		    "is spooled beside it and enters the trail with the next write",
		    wait_s);
	return EX_OK;
}

/*
 * The verb succeeded: the output file is complete and hashed into the entry,
 * the entry appended and committed, and only then the file put in place, so
 * that a crash leaves a recorded disclosure without a file, never a file
 * unrecorded.
 */
static int finish(struct cli *cli)
{
	unsigned char h[HASH_BYTES];
	struct diag d;

	diag_clear(&d);
	if (pfile_is_open(&cli->output)) {
		if (pfile_sync(&cli->output, &d) < 0)
			return cli_report(&d);
		if (hash_fd(pfile_fd(&cli->output), h) != 0)
			return cli_fail(cli, EX_IOERR, "%s: read error: %s", cli->output.path,
			                strerror(errno));
		cli_details_str(&cli->details, "output", cli->output.path);
		cli_details_hash(&cli->details, "output_hash", h);
	}
	if ((cli->cmd->flags & CLI_TXN) && !cli->committed) {
		int rc = cli_commit(cli);

		if (rc != EX_OK)
			return rc;
	}
	if (cli->cmd->flags & CLI_READ) {
		int rc = consult(cli);

		if (rc != EX_OK)
			return rc;
	}
	if (pfile_is_open(&cli->output) && pfile_commit(&cli->output, &d) < 0)
		return cli_report(&d);
	return EX_OK;
}

/* import --summary json: a JSON summary even when the run stops before a file (isummary.h). */
static void summary_failed(struct cli *cli, int exit_code)
{
	if (cli_has_opt(cli, "summary") && cli_flag(cli, "summary") &&
	    isummary_write_failed(stdout, cli->db_path, cli_flag(cli, "dry-run"),
	                          cli_flag(cli, "strict"), exit_code, cli_last_error()) < 0)
		cli_warn(cli, "writing the JSON summary failed");
}

static int run(struct cli *cli)
{
	unsigned f = cli->cmd->flags;
	struct diag d;
	int rc = EX_OK;

	diag_clear(&d);
	if ((f & CLI_STORE) && (rc = open_store(cli)) == EX_OK) {
		if ((f & CLI_TXN) && store_begin(cli->st, &d) < 0)
			rc = cli_report(&d);
		else if ((f & CLI_READ) && store_begin_read(cli->st, &d) < 0)
			rc = cli_report(&d);
	}
	if (rc == EX_OK && (f & CLI_RULES))
		rc = load_rules(cli);
	if (rc != EX_OK) {
		summary_failed(cli, rc);
		return rc;
	}
	if (f & CLI_OUTPUT)
		rc = open_output(cli);
	else
		cli->out = stdout;
	if (rc == EX_OK)
		rc = cli->cmd->run(cli);
	else
		summary_failed(cli, rc); /* a script parses stdout: never leave it empty */
	if (rc == EX_OK)
		rc = finish(cli);
	if (rc == EX_OK && cli->exit_code)
		rc = cli->exit_code;
	if (rc != EX_OK && cli->also_written.len)
		(void)unlink(cli->also_written.data);
	return rc;
}

static void release(struct cli *cli)
{
	pfile_abort(&cli->output);
	if (cli->st)
		store_rollback(cli->st);
	store_close(cli->st);
	ruleset_free(cli->rs);
	cli_details_release(&cli->details);
	buf_release(&cli->also_written);
	rt_free(cli->operands);
}

static int check_operands(struct cli *cli)
{
	const struct cli_cmd *c = cli->cmd;

	if (cli->noperands < c->min_operands ||
	    (c->max_operands >= 0 && cli->noperands > c->max_operands)) {
		if (c->max_operands == 0)
			return cli_usage_error(cli, "unexpected argument '%s'", cli->operands[0]);
		return cli_usage_error(cli, "takes %s", c->operands ? c->operands : "no arguments");
	}
	return EX_OK;
}

static int dispatch(struct cli *cli, struct parsed *p, int argc, char **argv)
{
	int rc = parse(cli, p, argc, argv);

	if (rc == EX_OK)
		rc = settle_globals(cli, p);
	if (rc != EX_OK)
		return rc;
	if (p->global[G_VERSION] && !p->cmd) {
		printf("reftriage %s (store schema %d)\n", REFTRIAGE_VERSION,
		       store_schema_version());
		return EX_OK;
	}
	if (p->global[G_HELP] || !p->cmd) {
		if (p->cmd)
			cli_help_command(stdout, p->cmd, p->sub);
		else
			cli_help_main(p->global[G_HELP] ? stdout : stderr, p->table);
		return p->global[G_HELP] ? EX_OK : EX_USAGE;
	}
	if (p->cmd->subs && !p->sub) {
		cli_help_command(stderr, p->cmd, NULL);
		return EX_USAGE;
	}
	cli->cmd = current(p);
	if ((rc = check_operands(cli)) != EX_OK)
		return rc;
	return run(cli);
}

int cli_main(const struct cli_cmd *table, int argc, char **argv)
{
	struct parsed p;
	struct cli cli;
	int rc;

	memset(&p, 0, sizeof(p));
	memset(&cli, 0, sizeof(cli));
	p.table = table;
	cli.table = table;
	cli_details_init(&cli.details);
	buf_init(&cli.also_written);
	rc = dispatch(&cli, &p, argc, argv);
	release(&cli);
	/* A command that already failed has said why; only a clean run needs the check. */
	if (rc == EX_OK || rc == cli.exit_code)
		return cli_finish_stdout() == EX_OK ? rc : EX_IOERR;
	(void)fflush(stdout);
	return rc;
}

/* --- a verb's option values ---------------------------------------------- */

static const char *const *slot(const struct cli *cli, const char *name)
{
	size_t i, n = cli->cmd ? count_opts(cli->cmd->opts) : 0;

	for (i = 0; i < n && i < ARRAY_SIZE(cli->values); i++)
		if (strcmp(cli->cmd->opts[i].name, name) == 0)
			return &cli->values[i];
	return NULL;
}

static const char *value(const struct cli *cli, const char *name)
{
	const char *const *v = slot(cli, name);

	/* A verb reading an option its table lacks is a bug that must not pass silently. */
	if (!v) {
		fprintf(stderr,
		        "reftriage: internal error: %s reads option --%s, not in its table\n",
		        cli->command, name);
		abort();
	}
	return *v;
}

bool cli_has_opt(const struct cli *cli, const char *name)
{
	return slot(cli, name) != NULL;
}

const char *cli_str(const struct cli *cli, const char *name)
{
	return value(cli, name);
}

bool cli_flag(const struct cli *cli, const char *name)
{
	return value(cli, name) != NULL;
}

int64_t cli_time(const struct cli *cli, const char *name, int64_t dflt)
{
	const char *v = value(cli, name), *why;
	int64_t t, now = time_now();

	/* One clock: "12h" is 12 hours before --now where the verb has one, else the clock. */
	if (strcmp(name, "now") != 0 && cli_has_opt(cli, "now"))
		now = cli_time(cli, "now", now);
	return v && time_parse_when(v, strlen(v), now, &t, &why) == 0 ? t : dflt;
}

long cli_count(const struct cli *cli, const char *name, long dflt)
{
	const char *v = value(cli, name);

	return v ? strtol(v, NULL, 10) : dflt;
}
