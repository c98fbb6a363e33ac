/*
 * reftriage keygen: a minisign-format key pair for signing exports and
 * checkpoints, or (--token-key) a unit's key for identifier tokens.
 */
#include "reftriage/cli.h"
#include "reftriage/token.h"

const struct cli_opt keygen_opts[] = {
    {"output", 'o', CLI_TEXT, "PREFIX", "write PREFIX.pub and PREFIX.key", NULL, 0, 0},
    {"unencrypted", 0, CLI_FLAG, NULL,
     "store the secret key without a passphrase (an unattended job)", NULL, 0, 0},
    CLI_OPT_PASSPHRASE_FILE("the passphrase, from a file only its owner reads"),
    {"token-key", 0, CLI_TEXT, "FILE",
     "instead, write a new token key for CyberTipline import (64 hex digits, 0600)", NULL, 0, 0},
    CLI_OPT_END,
};
const char keygen_about[] =
    "Write a new Ed25519 key pair in minisign's formats: PREFIX.pub (the public\n"
    "key, to give to whoever checks signatures) and PREFIX.key (the secret key).\n"
    "Both are created mode 0600 and never over an existing file. The secret key is\n"
    "encrypted with a passphrase, as minisign does (scrypt, 1 GiB), asked for on\n"
    "the terminal without echo, or read from the first line of --passphrase-file.\n"
    "With --unencrypted, anyone who can read the file can sign.\n"
    "minisign reads these keys, and reftriage reads minisign's (minisign -G).\n"
    "With --token-key FILE, write instead a new random 32-byte token key (64 hex\n"
    "digits, mode 0600, never over an existing file): the unit's key that turns\n"
    "identifiers in CyberTipline reports into tokens (import --token-key). Keep\n"
    "one per unit and keep it safe: without it, new reports no longer link to old\n"
    "ones (docs/security.md).\n";

/* keygen --token-key FILE. */
static int token_keygen(struct cli *cli, const char *path)
{
	struct diag d;

	if (cli_str(cli, "output") || cli_flag(cli, "unencrypted") ||
	    cli_str(cli, "passphrase-file"))
		return cli_usage_error(cli, "--token-key writes a token key only; it takes no "
		                            "--output, --unencrypted or --passphrase-file");
	diag_clear(&d);
	if (token_key_generate(path, &d) < 0)
		return cli_report(&d);
	cli_note(cli, "token key %s written (mode 0600); give import --token-key %s", path, path);
	return EX_OK;
}

int cmd_keygen(struct cli *cli)
{
	struct cli_passphrase_src src = {cli_str(cli, "passphrase-file"), NULL};
	const char *prefix = cli_str(cli, "output");
	bool unencrypted = cli_flag(cli, "unencrypted");
	char keyid[SIGN_KEYID_LEN];
	struct diag d;

	if (cli_str(cli, "token-key"))
		return token_keygen(cli, cli_str(cli, "token-key"));
	if (!prefix || !prefix[0])
		return cli_usage_error(cli, "name the key files with --output PREFIX");
	if (unencrypted && src.file)
		return cli_usage_error(cli,
		                       "--unencrypted and --passphrase-file contradict each other");
	src.key = prefix;
	diag_clear(&d);
	if (sign_keygen(prefix, unencrypted ? NULL : cli_passphrase, &src, keyid, &d) < 0)
		return cli_report(&d);
	cli_note(cli,
	         "key %s: public key %s.pub, secret key %s.key%s; give %s.pub to whoever checks "
	         "signatures; keep %s.key private (mode 0600)",
	         keyid, prefix, prefix, unencrypted ? " (NOT encrypted)" : " (encrypted)", prefix,
	         prefix);
	return EX_OK;
}
