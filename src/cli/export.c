/*
 * A file written for someone else (worklist --output, show --output): its
 * signature. Shared by the verbs that export.
 */
#include "reftriage/cli.h"

#include "reftriage/timeutil.h"

/* --sign: the finished file's signature, FILE.minisig, removed if the export fails. */
int cli_sign_output(struct cli *cli, const char *key_path)
{
	struct cli_passphrase_src src = {cli_str(cli, "passphrase-file"), key_path};
	const char *output = cli_str(cli, "output"), *base = strrchr(output, '/');
	struct sign_seckey *key = NULL;
	char tc[SIGN_COMMENT_MAX / 2], t[40], keyid[SIGN_KEYID_LEN];
	struct diag d;
	size_t k;
	int rc = EX_OK;

	diag_clear(&d);
	time_format(time_now(), t);
	(void)snprintf(tc, sizeof(tc), "timestamp:%lld\tfile:%s\thashed\treftriage %s %s",
	               (long long)(time_now() / 1000000), base ? base + 1 : output, cli->command,
	               t);
	for (k = 0; tc[k]; k++)
		if ((unsigned char)tc[k] < 0x20 && tc[k] != '\t')
			tc[k] = '?';
	if (buf_addf(&cli->also_written, "%s.minisig", output) < 0)
		return cli_fail(cli, EX_SOFTWARE, "out of memory");
	if (sign_seckey_load(key_path, cli_passphrase, &src, &key, &d) < 0 ||
	    pfile_sync(&cli->output, &d) < 0 ||
	    sign_fd(key, pfile_fd(&cli->output), cli->also_written.data, tc, &d) < 0) {
		rc = cli_report(&d);
	} else {
		sign_seckey_keyid(key, keyid);
		cli_details_str(&cli->details, "signed_by", keyid);
	}
	sign_seckey_free(key);
	return rc;
}
