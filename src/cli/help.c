/*
 * Text generated from the table of commands and the verbs' option tables:
 * --help, 'reftriage help' (cmd-help.c), the bash completion script and the
 * man page's synopsis. One source, so they cannot drift apart.
 */
#include "reftriage/cli.h"

static const char exit_codes[] =
    "Exit codes follow sysexits.h: 0 ok, 64 usage, 65 data error, 66 cannot open\n"
    "input, 70 internal error, 73 cannot create, 74 I/O error, 75 store busy (retry),\n"
    "78 configuration.\n";

/* "-f, --format FORMAT" or "    --strict". */
static int opt_words(char *dst, size_t size, const struct cli_opt *o)
{
	return snprintf(dst, size, "%s%c%s--%s%s%s", o->shortc ? "-" : " ",
	                o->shortc ? o->shortc : ' ', o->shortc ? ", " : "  ", o->name,
	                o->metavar ? " " : "", o->metavar ? o->metavar : "");
}

/* text, wrapped at 80 columns, its lines after the first indented to col. */
static void put_wrapped(FILE *f, const char *text, int col)
{
	int at = col;
	const char *p = text;

	while (*p) {
		size_t n = strcspn(p, " ");

		if (at > col && at + 1 + (int)n > 80) {
			fprintf(f, "\n%*s", col, "");
			at = col;
		} else if (at > col) {
			fputc(' ', f);
			at++;
		}
		fprintf(f, "%.*s", (int)n, p);
		at += (int)n;
		p += n;
		while (*p == ' ')
			p++;
	}
	fputc('\n', f);
}

static void put_options(FILE *f, const char *title, const struct cli_opt *o)
{
	size_t i, k, len;

	if (!o || !o->name)
		return;
	fprintf(f, "\n%s:\n", title);
	for (i = 0; o[i].name; i++) {
		char w[64], help[400];

		(void)opt_words(w, sizeof(w), &o[i]);
		len = (size_t)snprintf(help, sizeof(help), "%s", o[i].help);
		for (k = 0; o[i].kind == CLI_ENUM && o[i].choices[k] && len < sizeof(help); k++)
			len += (size_t)snprintf(help + len, sizeof(help) - len, "%s%s",
			                        k ? "|" : " (", o[i].choices[k]);
		if (o[i].kind == CLI_ENUM && len + 1 < sizeof(help))
			(void)snprintf(help + len, sizeof(help) - len, ")");
		/* A long option name starts its help on the next line. */
		if (fprintf(f, "  %-22s", w) > 24)
			fprintf(f, "\n%*s", 25, "");
		else
			fputc(' ', f);
		put_wrapped(f, help, 25);
	}
}

/* Print word, wrapping at 80 columns under the command's name. */
static void put_word(FILE *f, int *col, int indent, const char *fmt, ...) PRINTF_LIKE(4, 5);
static void put_word(FILE *f, int *col, int indent, const char *fmt, ...)
{
	char w[160];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(w, sizeof(w), fmt, ap);
	va_end(ap);
	if (*col + 1 + n > 80) {
		fprintf(f, "\n%*s", indent, "");
		*col = indent;
	} else {
		fputc(' ', f);
		(*col)++;
	}
	fputs(w, f);
	*col += n;
}

/* "reftriage rules install FILE [--as-of TIME] [--wait SECONDS]", wrapped. */
static void synopsis(FILE *f, const char *prefix, const char *parent, const struct cli_cmd *c)
{
	const struct cli_opt *o = c->opts;
	int col, indent;

	col = fprintf(f, "%sreftriage %s%s%s", prefix, parent ? parent : "", parent ? " " : "",
	              c->name);
	indent = col < 40 ? col + 1 : 8;
	if (c->operands)
		put_word(f, &col, indent, "%s", c->operands);
	for (; o && o->name; o++)
		put_word(f, &col, indent, "[--%s%s%s]", o->name, o->metavar ? " " : "",
		         o->metavar ? o->metavar : "");
	fputc('\n', f);
}

/* The summary as a sentence: capital first, full stop. */
static void sentence(FILE *f, const char *s)
{
	fprintf(f, "%c%s.\n", s[0] >= 'a' && s[0] <= 'z' ? s[0] - 'a' + 'A' : s[0], s + 1);
}

void cli_help_command(FILE *f, const struct cli_cmd *cmd, const struct cli_cmd *sub)
{
	const struct cli_cmd *s;

	if (cmd->subs && !sub) {
		for (s = cmd->subs; s->name; s++)
			synopsis(f, s == cmd->subs ? "usage: " : "       ", cmd->name, s);
		fputc('\n', f);
		sentence(f, cmd->summary);
		fputc('\n', f);
		for (s = cmd->subs; s->name; s++)
			fprintf(f, "  %-12s %s\n", s->name, s->summary);
		fprintf(f, "\n'reftriage %s SUBCOMMAND --help' describes each.\n", cmd->name);
		return;
	}
	s = sub ? sub : cmd;
	synopsis(f, "usage: ", sub ? cmd->name : NULL, s);
	fputc('\n', f);
	sentence(f, s->summary);
	if (s->about && s->about[0])
		fprintf(f, "\n%s", s->about);
	put_options(f, "Options", s->opts);
	fputs("\nGlobal options (before or after the command): --db PATH, --operator NAME,\n"
	      "--reason TEXT, -q/--quiet. See 'reftriage --help'.\n",
	      f);
}

void cli_help_main(FILE *f, const struct cli_cmd *table)
{
	const struct cli_cmd *c;

	fputs("usage: reftriage [GLOBAL OPTIONS] COMMAND [ARGS]\n\n"
	      "Triage of referral packages: import, validate, score, rank, and prove the\n"
	      "policy on the force's own outcomes.\n\n"
	      "reftriage never uses the network: at start it installs a seccomp filter\n"
	      "under which socket() fails for every address family but AF_UNIX and no\n"
	      "other program can be run (execve fails).\n\nCommands:\n",
	      f);
	for (c = table; c->name; c++) {
		const struct cli_cmd *s;

		fprintf(f, "  %-12s %s\n", c->name, c->summary);
		for (s = c->subs; s && s->name; s++)
			fprintf(f, "    %-10s %s\n", s->name, s->summary);
	}
	put_options(f, "Global options (before or after the command)", cli_global_opts);
	fprintf(f, "\n'reftriage help COMMAND' describes a command.\n%s", exit_codes);
}

/* --- bash completion ------------------------------------------------------- */

static bool is_path(const struct cli_opt *o)
{
	static const char *const words[] = {"FILE", "PATH", "DIR", "PUB", "SECKEY", "PREFIX", NULL};
	size_t i;

	for (i = 0; o->metavar && words[i]; i++)
		if (strcmp(o->metavar, words[i]) == 0)
			return true;
	return false;
}

/* One case arm: the options a word list offers, and what follows a valued one. */
static void complete_opts(FILE *f, const struct cli_cmd *c)
{
	const struct cli_opt *o = c->opts, *p;
	size_t k;

	fputs("\t\tcase $prev in\n", f);
	for (p = o; p && p->name; p++) {
		if (p->kind == CLI_FLAG)
			continue;
		fprintf(f, "\t\t--%s", p->name);
		if (p->shortc)
			fprintf(f, " | -%c", p->shortc);
		if (p->kind == CLI_ENUM) {
			fputs(") COMPREPLY=($(compgen -W \"", f);
			for (k = 0; p->choices[k]; k++)
				fprintf(f, "%s%s", k ? " " : "", p->choices[k]);
			fputs("\" -- \"$cur\")); return ;;\n", f);
		} else if (is_path(p)) {
			fputs(") COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n", f);
		} else {
			fputs(") return ;;\n", f);
		}
	}
	fputs("\t\tesac\n\t\topts=\"", f);
	for (p = o; p && p->name; p++)
		fprintf(f, "%s--%s", p == o ? "" : " ", p->name);
	fputs("\"\n", f);
	if (c->words) {
		/* The words of the last operand, once the ones before it are typed. */
		fprintf(f, "\t\tif ((nops >= %d)); then words=\"", c->max_operands - 1);
		for (k = 0; c->words[k]; k++)
			fprintf(f, "%s%s", k ? " " : "", c->words[k]);
		fputs("\"; fi\n", f);
	}
}

void cli_help_completion(FILE *f, const struct cli_cmd *table)
{
	const struct cli_cmd *c, *s;
	const struct cli_opt *g;

	fputs("# bash completion for reftriage, generated by 'reftriage help --completion'\n"
	      "# from its table of commands. Installed by 'make install'.\n\n"
	      "_reftriage() {\n"
	      "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}\n"
	      "\tlocal i cmd=\"\" sub=\"\" opts=\"\" words=\"\" nops=0\n"
	      "\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
	      "\t\tcase ${COMP_WORDS[i]} in\n\t\t--db | --operator | --reason) ((i++)) ;;\n"
	      "\t\t-*) ;;\n\t\t*) if [[ -z $cmd ]]; then cmd=${COMP_WORDS[i]}; "
	      "elif [[ -z $sub ]]; then sub=${COMP_WORDS[i]}; fi; ((nops++)) ;;\n\t\tesac\n\tdone\n"
	      "\t((nops -= 1))\n"
	      "\tcase $prev in\n\t--db) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n"
	      "\t--operator | --reason) return ;;\n\tesac\n\tcase $cmd in\n\t\"\")\n\t\twords=\"",
	      f);
	for (c = table; c->name; c++)
		fprintf(f, "%s%s", c == table ? "" : " ", c->name);
	fputs("\" ;;\n", f);
	for (c = table; c->name; c++) {
		fprintf(f, "\t%s)\n", c->name);
		if (!c->subs) {
			complete_opts(f, c);
			fputs("\t\t;;\n", f);
			continue;
		}
		fputs("\t\tcase $sub in\n\t\t\"\") words=\"", f);
		for (s = c->subs; s->name; s++)
			fprintf(f, "%s%s", s == c->subs ? "" : " ", s->name);
		fputs("\" ;;\n", f);
		for (s = c->subs; s->name; s++) {
			fprintf(f, "\t\t%s)\n", s->name);
			complete_opts(f, s);
			fputs("\t\t;;\n", f);
		}
		fputs("\t\tesac\n\t\t;;\n", f);
	}
	fputs("\tesac\n\tif [[ $cur == -* ]]; then\n\t\tCOMPREPLY=($(compgen -W \"$opts", f);
	for (g = cli_global_opts; g->name; g++)
		fprintf(f, " --%s", g->name);
	fputs("\" -- \"$cur\"))\n\telif [[ -n $words ]]; then\n"
	      "\t\tCOMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n\telse\n"
	      "\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n\tfi\n}\n"
	      "complete -F _reftriage reftriage\n",
	      f);
}

/* --- the man page's synopsis ------------------------------------------------ */

/* Roff escapes the minus signs of option names. */
static void roff(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '-')
			fputc('\\', f);
		fputc(*s, f);
	}
}

static void man_opts(FILE *f, const struct cli_opt *o)
{
	for (; o && o->name; o++) {
		fputs(".RB [ \\-\\-", f);
		roff(f, o->name);
		if (o->metavar)
			fprintf(f, "\n.IR %s ]\n", o->metavar);
		else
			fputs(" ]\n", f);
	}
}

static void man_line(FILE *f, const char *name, const char *sub, const struct cli_cmd *c)
{

	fprintf(f, ".br\n.B reftriage %s%s%s\n", name, sub ? " " : "", sub ? sub : "");
	if (c->operands) {
		fputs(".I \"", f);
		roff(f, c->operands);
		fputs("\"\n", f);
	}
	man_opts(f, c->opts);
}

void cli_help_synopsis(FILE *f, const struct cli_cmd *table)
{
	const struct cli_cmd *c, *s;

	fputs(".\\\" Generated by 'reftriage help --man-synopsis' from the table of commands.\n"
	      ".SH SYNOPSIS\n.B reftriage\n.RI [ \"global options\" ]\n.I command\n.RI [ args ]\n",
	      f);
	for (c = table; c->name; c++) {
		if (!c->subs)
			man_line(f, c->name, NULL, c);
		for (s = c->subs; s && s->name; s++)
			man_line(f, c->name, s->name, s);
	}
	fputs(".PP\nGlobal options, before or after the command:\n", f);
	man_opts(f, cli_global_opts);
}
