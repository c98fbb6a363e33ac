/* reftriage settings [NAME [VALUE]]: list, show or set a store setting. */
#include "reftriage/cli.h"

#include "reftriage/timeutil.h"

const struct cli_opt settings_opts[] = {
    CLI_OPT_WAIT,
    CLI_OPT_END,
};
const char settings_about[] =
    "Without NAME, list every store setting with its value and who set it when\n"
    "(or \"default\"); with NAME, print its value; with NAME VALUE, set it. Each\n"
    "change is recorded in the audit trail (an alteration), with the old value.\n"
    "  nfa_sign_off on|off    status REF nfa needs --approved-by (default off;\n"
    "                         recorded, not yet enforced by this version)\n"
    "  retention_days DAYS    purge --closed-before refuses a DATE later than now\n"
    "                         minus DAYS without --force (30 to 36500, default 365)\n";

/* One setting as a line of the list; 0, or -1 after a write error. */
static int put_line(const struct store_setting *s)
{
	char t[TIME_LOCAL_MAX];

	printf("%-16s %-6s ", s->name, s->value);
	if (s->is_default) {
		puts("(default)");
	} else {
		time_format_local(s->changed_at, t);
		fputs("(set by ", stdout);
		cli_put_safe(stdout, s->changed_by, strlen(s->changed_by), NULL);
		printf(" on %s)\n", t);
	}
	return ferror(stdout) ? -1 : 0;
}

int cmd_settings(struct cli *cli)
{
	const char *name = cli->noperands > 0 ? cli->operands[0] : NULL;
	struct store_setting s;
	char was[STORE_SETTING_MAX];
	struct diag d;
	size_t i;

	diag_clear(&d);
	if (cli->noperands < 2) {
		/* Reading the settings is a consultation, recorded as one. */
		cli->action = "settings show";
		for (i = 0; store_setting_names[i]; i++) {
			if (name && strcmp(name, store_setting_names[i]) != 0)
				continue;
			if (store_setting_get(cli->st, store_setting_names[i], &s, &d) < 0)
				return cli_report(&d);
			if (name ? puts(s.value) == EOF : put_line(&s) < 0)
				return cli_fail(cli, EX_IOERR, "standard output: write error");
		}
		if (name && store_setting_get(cli->st, name, &s, &d) < 0)
			return cli_usage_error(cli, "'%s' is not a setting%s%s%s", name,
			                       d.suggestion[0] ? "; did you mean '" : "",
			                       d.suggestion, d.suggestion[0] ? "'?" : "");
		cli_details_str(&cli->details, "name", name);
		return EX_OK;
	}
	if (store_setting_set(cli->st, name, cli->operands[1], cli->operator_name, time_now(), &s,
	                      &d) < 0) {
		if (d.code != EX_USAGE)
			return cli_report(&d);
		return cli_usage_error(cli, "%s: %s%s%s%s", name, d.message,
		                       d.suggestion[0] ? "; did you mean '" : "", d.suggestion,
		                       d.suggestion[0] ? "'?" : "");
	}
	cli->action = "settings";
	cli_details_str(&cli->details, "name", s.name);
	cli_details_str(&cli->details, "from", s.value);
	(void)snprintf(was, sizeof(was), "%s", s.value);
	if (store_setting_get(cli->st, s.name, &s, &d) < 0)
		return cli_report(&d);
	cli_details_str(&cli->details, "to", s.value);
	cli_note(cli, "%s: %s (was %s)", s.name, s.value, was);
	return EX_OK;
}
