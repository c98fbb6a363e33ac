/*
 * reftriage backup DEST|-: a consistent, verified copy of the store while
 * others keep working (docs/operations.md). The store part is
 * src/store/backup.c; the check of the copy is src/cli/copy.c.
 */
#include "reftriage/cli.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

const struct cli_opt backup_opts[] = {CLI_OPT_WAIT_READ, CLI_OPT_END};
const char backup_about[] =
    "Copy the store to DEST (a new file, mode 0600, or 0660 for a shared store;\n"
    "never over an existing file) or, with -, to standard output, for a tool such\n"
    "as age to encrypt. The copy is taken in one read transaction with SQLite's\n"
    "backup API, so that imports and readers carry on; the audit spool is folded\n"
    "first when the write lock comes within --wait, else carried inside the copy.\n"
    "The copy is checked before success: integrity_check and the audit chain.\n"
    "Recorded as a disclosure with the copy's SHA-256 and the chain head it holds.\n";

/* Fold the audit spool first, when the write lock comes within --wait. */
static int fold_first(struct cli *cli, bool *folded)
{
	long n = 0, damaged = 0, wait_s = cli_count(cli, "wait", 5);
	struct diag d;

	diag_clear(&d);
	*folded = false;
	if (store_spool_count(cli->st, &n, &damaged, NULL, &d) < 0)
		return cli_report(&d);
	if (n == 0)
		return EX_OK;
	store_rollback(cli->st); /* the dispatcher's reading, begun with nothing read */
	if (store_set_wait(cli->st, (int)wait_s * 1000) < 0)
		return cli_fail(cli, EX_SOFTWARE, "cannot set the busy timeout");
	if (store_begin(cli->st, &d) == 0) {
		if (store_commit(cli->st, &d) < 0)
			return cli_report(&d);
		*folded = true;
	} else if (d.code != EX_TEMPFAIL) {
		return cli_report(&d);
	}
	if (store_set_wait(cli->st, 5000) < 0 || store_begin_read(cli->st, &d) < 0)
		return cli_report(&d);
	return EX_OK;
}

/* Write the verified copy (fd) to standard output. */
static int stream(struct cli *cli, int fd)
{
	char chunk[1 << 16];
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) != 0)
		return cli_fail(cli, EX_IOERR, "cannot read the copy back: %s", strerror(errno));
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return cli_fail(cli, EX_IOERR, "cannot read the copy back: %s",
			                strerror(errno));
		if (fwrite(chunk, 1, (size_t)n, stdout) != (size_t)n)
			break;
	}
	return cli_finish_stdout();
}

int cmd_backup(struct cli *cli)
{
	const char *dest = cli->operands[0];
	bool to_stdout = strcmp(dest, "-") == 0, folded = false, shared = false;
	unsigned char sha[HASH_BYTES];
	char hex[HASH_HEX], head[HASH_HEX];
	struct cli_copy copy;
	struct buf tmp;
	struct diag d;
	long carried = 0;
	int rc;

	if (to_stdout && isatty(STDOUT_FILENO))
		return cli_usage_error(cli, "standard output is a terminal: pipe the copy into a "
		                            "program (age, gpg) or name a file");
	if ((rc = fold_first(cli, &folded)) != EX_OK)
		return rc;
	diag_clear(&d);
	buf_init(&tmp);
	/* The copy is made beside its destination; for -, beside the store, and never kept. */
	if (buf_addf(&tmp, "%s.backup", cli->db_path) < 0)
		return cli_fail(cli, EX_SOFTWARE, "out of memory");
	if (store_is_shared(cli->st, &shared, &d) < 0)
		shared = false;
	diag_clear(&d);
	rc = pfile_open(&cli->output, to_stdout ? tmp.data : dest,
	                (to_stdout ? 0 : PFILE_NOCLOBBER) | (shared ? PFILE_SHARED : 0), &d);
	buf_release(&tmp);
	if (rc < 0)
		return cli_report(&d);
	if (store_backup(cli->st, cli->output.tmp, &carried, &d) < 0) {
		diag_at(&d, dest, 0, NULL);
		return cli_report(&d);
	}
	if ((rc = cli_check_copy(cli, cli->output.tmp, dest, &copy)) != EX_OK) {
		cli_copy_release(&copy);
		return rc;
	}
	cli_copy_release(&copy);
	if (pfile_sync(&cli->output, &d) < 0)
		return cli_report(&d);
	if (hash_sha256_fd(pfile_fd(&cli->output), sha) != 0)
		return cli_fail(cli, EX_IOERR, "%s: cannot read the copy back: %s", dest,
		                strerror(errno));
	hash_hex(hex, sha);
	hash_hex(head, copy.head);
	cli->action = "backup";
	cli_details_str(&cli->details, "to", to_stdout ? "standard output" : dest);
	cli_details_str(&cli->details, "sha256", hex);
	cli_details_int(&cli->details, "head_seq", copy.head_seq);
	cli_details_str(&cli->details, "head", head);
	cli_details_int(&cli->details, "spool_carried", carried);
	if (to_stdout) {
		/* Streamed, then recorded by the dispatcher; the copy beside the store goes. */
		rc = stream(cli, pfile_fd(&cli->output));
		pfile_abort(&cli->output);
		if (rc != EX_OK)
			return rc;
	}
	cli_note(cli, "%s: copied and checked: %lld audit entries, the last %lld; sha256 %s%s",
	         to_stdout ? "standard output" : dest, (long long)copy.entries,
	         (long long)copy.head_seq, hex,
	         carried  ? "; the audit spool is carried inside the copy"
	         : folded ? "; the audit spool was folded first"
	                  : "");
	return EX_OK;
}
