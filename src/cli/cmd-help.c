/* reftriage help: the help text, the bash completion or the man page's synopsis (help.c). */
#include "reftriage/cli.h"
#include "reftriage/text.h"

#include <string.h>

const struct cli_opt help_opts[] = {
    {"completion", 0, CLI_FLAG, NULL, "print the bash completion script", NULL, 0, 0},
    {"man-synopsis", 0, CLI_FLAG, NULL, "print the man page's SYNOPSIS section (roff)", NULL, 0, 0},
    CLI_OPT_END,
};
const char help_about[] = "'reftriage help COMMAND' is 'reftriage COMMAND --help'.\n";

/* A word that names no row of t: the nearest name, else every name. */
static int unknown(struct cli *cli, const struct cli_cmd *t, const char *word, const char *what)
{
	const char *names[64], *near;
	char list[512];
	size_t n = 0;

	for (; t->name && n + 1 < ARRAY_SIZE(names); t++)
		names[n++] = t->name;
	names[n] = NULL;
	near = text_suggest(word, strlen(word), names, 2);
	if (near)
		return cli_usage_error(cli, "'%s' is not a %s; did you mean '%s'?", word, what,
		                       near);
	cli_join(list, sizeof(list), names);
	return cli_usage_error(cli, "'%s' is not a %s: %s", word, what, list);
}

int cmd_help(struct cli *cli)
{
	const struct cli_cmd *c, *s = NULL;

	if (cli_flag(cli, "completion")) {
		cli_help_completion(stdout, cli->table);
		return EX_OK;
	}
	if (cli_flag(cli, "man-synopsis")) {
		cli_help_synopsis(stdout, cli->table);
		return EX_OK;
	}
	if (cli->noperands == 0) {
		cli_help_main(stdout, cli->table);
		return EX_OK;
	}
	for (c = cli->table; c->name && strcmp(c->name, cli->operands[0]) != 0; c++)
		;
	if (!c->name)
		return unknown(cli, cli->table, cli->operands[0], "command");
	if (cli->noperands > 1 && c->subs)
		for (s = c->subs; s->name && strcmp(s->name, cli->operands[1]) != 0; s++)
			;
	if (s && !s->name)
		return unknown(cli, c->subs, cli->operands[1], "sub-command");
	cli_help_command(stdout, c, s);
	return EX_OK;
}
