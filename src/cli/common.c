/* Work common to every command: reporting errors, options, the store, stdout. */
#include "reftriage/cli.h"

#include "reftriage/hash.h"
#include "reftriage/rules.h"
#include "reftriage/score.h"
#include "reftriage/timeutil.h"

#include <getopt.h>
#include <sys/stat.h>

char *cli_optarg;
int cli_optind;

int cli_report(const struct diag *d)
{
	fputs("reftriage: ", stderr);
	if (d->file[0])
		fprintf(stderr, "%s:", d->file);
	if (d->file[0] && d->line)
		fprintf(stderr, "%lu:", d->line);
	if (d->file[0])
		fputc(' ', stderr);
	if (d->field[0])
		fprintf(stderr, "%s: ", d->field);
	fprintf(stderr, "%s\n", d->message[0] ? d->message : "unknown error");
	return d->code ? d->code : EX_SOFTWARE;
}

int cli_usage_error(const struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "reftriage: %s: ", cli->command);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'reftriage %s --help')\n", cli->command);
	return EX_USAGE;
}

void cli_warn(const struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "reftriage: %s: ", cli->command);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_open_store(const struct cli *cli, int wait_ms, struct store **out)
{
	struct diag d;

	struct stat sb;

	diag_clear(&d);
	if (store_open(cli->db_path, wait_ms, out, &d) < 0)
		return cli_report(&d);
	/* reftriage makes stores 0600; a store others can read was made so by hand. */
	if (stat(cli->db_path, &sb) == 0 && (sb.st_mode & 077))
		fprintf(stderr,
		        "reftriage: warning: %s: the store may be read by %s (mode %04o): it holds "
		        "OFFICIAL-SENSITIVE referrals; make it private with 'chmod 600 %s'\n",
		        cli->db_path, (sb.st_mode & 007) ? "anyone" : "its group",
		        (unsigned)(sb.st_mode & 07777), cli->db_path);
	return EX_OK;
}

void cli_getopt_start(void)
{
	optind = 0; /* glibc: a full reset, as each command parses its own argv */
	opterr = 0;
}

int cli_getopt(const struct cli *cli, int argc, char **argv, const char *shortopts,
               const struct option *longopts)
{
	int c = getopt_long(argc, argv, shortopts, longopts, NULL);

	cli_optarg = optarg;
	cli_optind = optind;
	if (c == '?' || c == ':') {
		const char *bad = optind > 0 && optind <= argc ? argv[optind - 1] : "?";

		if (c == ':')
			cli_usage_error(cli, "option '%s' needs a value", bad);
		else if (optopt)
			cli_usage_error(cli, "unknown option '-%c'", optopt);
		else
			cli_usage_error(cli, "unknown option '%s'", bad);
		return '?';
	}
	return c;
}

int cli_finish_stdout(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "reftriage: standard output: write error: %s\n",
		        errno ? strerror(errno) : "unknown");
		return EX_IOERR;
	}
	return EX_OK;
}

int cli_parse_uint(const struct cli *cli, const char *opt, const char *s, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < 0 || v > max) {
		cli_usage_error(cli, "%s takes a whole number from 0 to %ld, not '%s'", opt, max,
		                s);
		return -1;
	}
	*out = v;
	return 0;
}

int cli_parse_time(const struct cli *cli, const char *opt, const char *s, int64_t *out)
{
	const char *why;

	if (time_parse_datetime(s, strlen(s), out, &why) < 0)
		return cli_usage_error(cli, "%s '%s' is not a time: %s", opt, s, why);
	return EX_OK;
}

int cli_rescore(const struct cli *cli, struct store *st, int64_t as_of)
{
	struct ruleset *rs = NULL;
	unsigned long n = 0;
	int64_t id;
	struct diag d;
	char t[40], hex[HASH_HEX];

	diag_clear(&d);
	if (store_begin(st, &d) < 0)
		return cli_report(&d);
	if (score_load_rules(st, 0, &rs, &id, &d) < 0 || score_all(st, rs, id, as_of, &n, &d) < 0 ||
	    cli_audit_score(cli, st, rs, as_of, n, &d) < 0 || store_commit(st, &d) < 0) {
		store_rollback(st);
		ruleset_free(rs);
		return cli_report(&d);
	}
	time_format(as_of, t);
	hash_hex(hex, rs->hash);
	fprintf(stderr, "reftriage: scored %lu open package%s as of %s with %s %s (%.12s)\n", n,
	        n == 1 ? "" : "s", t, rs->name, rs->version, hex);
	ruleset_free(rs);
	return EX_OK;
}

int cli_parse_text_json(const struct cli *cli, const char *arg, bool *json)
{
	if (strcmp(arg, "json") == 0)
		*json = true;
	else if (strcmp(arg, "text") == 0)
		*json = false;
	else
		return cli_usage_error(cli, "--format takes text or json, not '%s'", arg);
	return EX_OK;
}

int cli_parse_wait(const struct cli *cli, const char *s, long *out)
{
	return cli_parse_uint(cli, "--wait", s, 86400, out);
}

static bool is_help(const char *a)
{
	return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

int cli_subcommand(struct cli *cli, int argc, char **argv, const struct cli_sub *subs, size_t n,
                   const char *usage, const char *names)
{
	size_t i;

	if ((argc >= 2 && is_help(argv[1])) || (argc >= 3 && is_help(argv[2]))) {
		fputs(usage, stdout);
		return EX_OK;
	}
	if (argc < 2)
		return cli_usage_error(cli, "say %s", names);
	for (i = 0; i < n; i++)
		if (strcmp(argv[1], subs[i].name) == 0)
			return subs[i].run(cli, argc - 1, argv + 1);
	return cli_usage_error(cli, "'%s' is not %s", argv[1], names);
}

int cli_no_operands(const struct cli *cli, int argc, char **argv)
{
	if (cli_optind < argc)
		return cli_usage_error(cli, "unexpected argument '%s'", argv[cli_optind]);
	return EX_OK;
}
