/*
 * Every line reftriage writes to stderr goes through here: errors from a
 * struct diag, usage errors, warnings and the one line a success may print
 * (none with --quiet); and the safe printing of untrusted text.
 */
#include "reftriage/cli.h"

#include "reftriage/show.h"

#include "reftriage/text.h"

/*
 * The one format of a problem: FILE:LINE: FIELD: column N: message (did you
 * mean 'X'?), every part that is known, all of it printed safely.
 */
static void put_problem(const struct diag *d)
{
	if (d->file[0]) {
		cli_put_safe(stderr, d->file, strlen(d->file), NULL);
		fputc(':', stderr);
		if (d->line)
			fprintf(stderr, "%lu:", d->line);
		fputc(' ', stderr);
	}
	if (d->field[0]) {
		cli_put_safe(stderr, d->field, strlen(d->field), NULL);
		fputs(": ", stderr);
	}
	if (d->column)
		fprintf(stderr, "column %lu: ", d->column);
	if (d->message[0])
		cli_put_safe(stderr, d->message, strlen(d->message), NULL);
	else
		fputs("unknown error", stderr);
	if (d->suggestion[0]) {
		fputs(" (did you mean '", stderr);
		cli_put_safe(stderr, d->suggestion, strlen(d->suggestion), NULL);
		fputs("'?)", stderr);
	}
	fputc('\n', stderr);
}

/* The last error reported, for a JSON summary to carry (cli_last_error). */
static char last_error[sizeof(((struct diag *)0)->message) + 300];

const char *cli_last_error(void)
{
	return last_error;
}

int cli_report(const struct diag *d)
{
	if (d->severity != DIAG_WARNING)
		(void)snprintf(last_error, sizeof(last_error), "%s%s%s%s", d->file,
		               d->file[0] ? ": " : "", d->message,
		               d->message[0] ? "" : "unknown error");
	fputs("reftriage: ", stderr);
	if (d->severity == DIAG_WARNING)
		fputs("warning: ", stderr);
	put_problem(d);
	return d->code ? d->code : EX_SOFTWARE;
}

void cli_report_problem(const struct diag *d)
{
	put_problem(d);
}

size_t cli_report_list(const char *file, const struct diag_list *l, const char *noun)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		struct diag d = l->d[i];

		if (!d.file[0])
			(void)snprintf(d.file, sizeof(d.file), "%s", file);
		put_problem(&d);
	}
	if (l->more) {
		cli_put_safe(stderr, file, strlen(file), NULL);
		fprintf(stderr, ": and %zu more %s%s\n", l->more, noun, l->more == 1 ? "" : "s");
	}
	return l->n + l->more;
}

/*
 * "reftriage: <command>: " and the message. Messages quote what people and
 * files supplied (names, refs, rule names), so the whole line goes through
 * the one sanitiser: it cannot drive the terminal.
 */
static void say(const struct cli *cli, const char *fmt, va_list ap)
{
	char line[1024];
	int n;

	if (cli->command[0] && strcmp(cli->command, "reftriage") != 0)
		fprintf(stderr, "reftriage: %s: ", cli->command);
	else
		fputs("reftriage: ", stderr);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0)
		n = 0;
	cli_put_safe(stderr, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1, NULL);
}

int cli_usage_error(const struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(cli, fmt, ap);
	va_end(ap);
	if (cli->command[0] && strcmp(cli->command, "reftriage") != 0)
		fprintf(stderr, " (see 'reftriage %s --help')\n", cli->command);
	else
		fputs(" (see 'reftriage --help')\n", stderr);
	return EX_USAGE;
}

void cli_join(char *dst, size_t size, const char *const *words)
{
	size_t i, len = 0;

	dst[0] = '\0';
	for (i = 0; words[i] && len < size; i++)
		len += (size_t)snprintf(dst + len, size - len, "%s%s",
		                        i == 0         ? ""
		                        : words[i + 1] ? ", "
		                                       : " or ",
		                        words[i]);
}

int cli_bad_value(const struct cli *cli, const char *what, const char *value,
                  const char *const *choices)
{
	const char *near = text_suggest(value, strlen(value), choices, 2);
	char list[400];

	cli_join(list, sizeof(list), choices);
	if (near)
		return cli_usage_error(cli, "%s '%s' is not one of %s; did you mean '%s'?", what,
		                       value, list, near);
	return cli_usage_error(cli, "%s takes %s, not '%s'", what, list, value);
}

void cli_warn(const struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(cli, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_note(const struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	if (cli->quiet)
		return;
	/* What stdout holds first, then the summary, when both go to one terminal. */
	(void)fflush(stdout);
	va_start(ap, fmt);
	say(cli, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_fail(const struct cli *cli, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	va_start(ap, fmt);
	say(cli, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

int cli_no_package(const struct cli *cli, const char *ref)
{
	fprintf(stderr, "reftriage: %s: no package with ref '", cli->command);
	cli_put_safe(stderr, ref, strlen(ref), NULL);
	fprintf(stderr, "' in %s\n", cli->db_path);
	return EX_DATAERR;
}

void cli_print(FILE *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_vprint(f, fmt, ap);
	va_end(ap);
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

void cli_put_safe(FILE *f, const char *s, size_t n, const char *indent)
{
	report_put_safe(f, s, n, indent);
}
