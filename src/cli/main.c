/*
 * reftriage: triage of child-protection referral packages.
 * The table of commands and the work common to all of them.
 */
#include "reftriage/cli.h"

#include "reftriage/alloc.h"
#include "reftriage/hash.h"
#include "reftriage/timeutil.h"

#include <getopt.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef REFTRIAGE_VERSION
#define REFTRIAGE_VERSION "0.1.0"
#endif

static const struct cmd commands[] = {
    {"init", "create the store (refuses to overwrite one)", cmd_init},
    {"import", "import packages from CSV, JSON or NDJSON files", cmd_import},
    {"rules", "check, install or show the priority rules", cmd_rules},
    {"score", "rescore all open packages with the active rules", cmd_score},
    {"worklist", "the ranked list of open packages", cmd_worklist},
    {"show", "one package: fields, score and why, links, versions", cmd_show},
    {"assign", "set who is working a package", cmd_assign},
    {"status", "move a package through the workflow", cmd_status},
    {"stats", "counts by priority, status, source and type; the oldest; time to act", cmd_stats},
    {"quarantine", "rejected records with their reasons (list | show ID)", cmd_quarantine},
    {"audit", "the audit trail: log, verify, checkpoint", cmd_audit},
    {"purge", "erase the content of packages closed before a date", cmd_purge},
    {"keygen", "make a minisign-format key pair for signing", cmd_keygen},
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
	        "usage: reftriage [--db PATH] [--operator NAME] [--reason TEXT] COMMAND [ARGS]\n\n"
	        "Triage of referral packages: import, validate, score, rank.\n\n"
	        "Commands:\n");
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nGlobal options:\n"
	           "  --db PATH        the store (default: $REFTRIAGE_DB, else ./reftriage.db)\n"
	           "  --operator NAME  who is acting, for the record (default: "
	           "$REFTRIAGE_OPERATOR, else the login name)\n"
	           "  --reason TEXT    why, for the audit trail (default: $REFTRIAGE_REASON)\n"
	           "  --version        print the version\n"
	           "  --help           print this help\n\n"
	           "'reftriage COMMAND --help' describes a command. Exit codes follow sysexits.h:\n"
	           "0 ok, 64 usage, 65 data error, 66 cannot open input, 70 internal error,\n"
	           "73 cannot create, 74 I/O error, 75 store busy (retry), 78 configuration.\n");
}

static const char *login_name(void)
{
	static char name[64];
	struct passwd *pw = getpwuid(geteuid());

	if (pw && pw->pw_name && pw->pw_name[0])
		(void)snprintf(name, sizeof(name), "%s", pw->pw_name);
	else
		(void)snprintf(name, sizeof(name), "uid:%ld", (long)geteuid());
	return name;
}

/* "--name VALUE" or "--name=VALUE" at argv[*i]; advances *i past it. */
static int global_value(int argc, char **argv, int *i, const char *name, const char **out)
{
	size_t n = strlen(name);
	const char *a = argv[*i];

	if (strncmp(a, name, n) != 0)
		return 0;
	if (a[n] == '=') {
		*out = a + n + 1;
		return 1;
	}
	if (a[n] != '\0')
		return 0;
	if (*i + 1 >= argc) {
		fprintf(stderr, "reftriage: %s needs a value (see 'reftriage --help')\n", name);
		return -1;
	}
	*out = argv[++*i];
	return 1;
}

int main(int argc, char **argv)
{
	struct cli cli;
	const char *env;
	int i, rc;
	size_t k;

	/* Everything reftriage creates is for its owner only. */
	umask(077);
	if (hash_library_init() < 0) {
		fprintf(stderr, "reftriage: cannot initialise libsodium\n");
		return EX_SOFTWARE;
	}
	if (store_library_init() < 0) {
		fprintf(stderr, "reftriage: cannot initialise SQLite%s\n",
		        alloc_failures() ? ": out of memory" : "");
		return EX_SOFTWARE;
	}
	memset(&cli, 0, sizeof(cli));
	env = getenv("REFTRIAGE_DB");
	cli.db_path = env && *env ? env : "reftriage.db";
	env = getenv("REFTRIAGE_OPERATOR");
	cli.operator_name = env && *env ? env : NULL;
	env = getenv("REFTRIAGE_REASON");
	cli.reason = env && *env ? env : NULL;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		int r;

		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return cli_finish_stdout();
		}
		if (strcmp(argv[i], "--version") == 0) {
			printf("reftriage %s (store schema %d)\n", REFTRIAGE_VERSION,
			       store_schema_version());
			return cli_finish_stdout();
		}
		if ((r = global_value(argc, argv, &i, "--db", &cli.db_path)) != 0) {
			if (r < 0)
				return EX_USAGE;
			continue;
		}
		if ((r = global_value(argc, argv, &i, "--operator", &cli.operator_name)) != 0) {
			if (r < 0)
				return EX_USAGE;
			continue;
		}
		if ((r = global_value(argc, argv, &i, "--reason", &cli.reason)) != 0) {
			if (r < 0)
				return EX_USAGE;
			if (!cli.reason[0])
				cli.reason = NULL;
			continue;
		}
		fprintf(stderr, "reftriage: unknown global option '%s' (see 'reftriage --help')\n",
		        argv[i]);
		return EX_USAGE;
	}
	if (i >= argc) {
		usage(stderr);
		return EX_USAGE;
	}
	if (!cli.db_path[0]) {
		fprintf(stderr, "reftriage: --db needs a path\n");
		return EX_USAGE;
	}
	if (!cli.operator_name || !cli.operator_name[0])
		cli.operator_name = login_name();
	for (k = 0; k < ARRAY_SIZE(commands); k++) {
		if (strcmp(argv[i], commands[k].name) != 0)
			continue;
		cli.command = commands[k].name;
		rc = commands[k].run(&cli, argc - i, argv + i);
		/* A command that already failed has said why; only a clean run needs the check. */
		if (rc == EX_OK)
			rc = cli_finish_stdout();
		else
			(void)fflush(stdout);
		return rc;
	}
	fprintf(stderr, "reftriage: '%s' is not a command (see 'reftriage --help')\n", argv[i]);
	return EX_USAGE;
}
