/* reftriage keygen: a minisign-format key pair for signing exports and checkpoints. */
#include "reftriage/cli.h"

#include <getopt.h>

static const char usage[] =
    "usage: reftriage keygen --output PREFIX [--unencrypted | --passphrase-file FILE]\n\n"
    "Write a new Ed25519 key pair in minisign's formats: PREFIX.pub (the public\n"
    "key, to give to whoever checks signatures) and PREFIX.key (the secret key).\n"
    "Both are created mode 0600 and never over an existing file. The secret key is\n"
    "encrypted with a passphrase, as minisign does (scrypt, 1 GiB), asked for on\n"
    "the terminal without echo, or read from the first line of --passphrase-file.\n\n"
    "  --unencrypted            store the secret key without a passphrase, for an\n"
    "                           unattended job: anyone who can read the file can sign\n"
    "  --passphrase-file FILE   the passphrase, from a file only its owner can read\n\n"
    "minisign reads these keys, and reftriage reads minisign's (minisign -G).\n";

int cmd_keygen(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"output", required_argument, NULL, 'o'},
	    {"unencrypted", no_argument, NULL, 'u'},
	    {"passphrase-file", required_argument, NULL, 'p'},
	    {NULL, 0, NULL, 0},
	};
	struct cli_passphrase_src src = {NULL, NULL};
	const char *prefix = NULL;
	bool unencrypted = false;
	char keyid[SIGN_KEYID_LEN];
	struct diag d;
	int c;

	cli_getopt_start();
	while ((c = cli_getopt(cli, argc, argv, ":h", opts)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage, stdout);
			return EX_OK;
		case 'o':
			prefix = cli_optarg;
			break;
		case 'u':
			unencrypted = true;
			break;
		case 'p':
			src.file = cli_optarg;
			break;
		default:
			return EX_USAGE;
		}
	}
	if (cli_no_operands(cli, argc, argv) != EX_OK)
		return EX_USAGE;
	if (!prefix || !prefix[0])
		return cli_usage_error(cli, "name the key files with --output PREFIX");
	if (unencrypted && src.file)
		return cli_usage_error(cli,
		                       "--unencrypted and --passphrase-file contradict each other");
	src.key = prefix;
	diag_clear(&d);
	if (sign_keygen(prefix, unencrypted ? NULL : cli_passphrase, &src, keyid, &d) < 0)
		return cli_report(&d);
	fprintf(stderr,
	        "reftriage: keygen: key %s: public key %s.pub, secret key %s.key%s\n"
	        "reftriage: keygen: give %s.pub to whoever checks signatures; keep %s.key "
	        "private (mode 0600)\n",
	        keyid, prefix, prefix, unencrypted ? " (NOT encrypted)" : " (encrypted)", prefix,
	        prefix);
	return EX_OK;
}
