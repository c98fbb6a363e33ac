/*
 * reftriage restore SRC|- --db NEW: a verified backup becomes a new store,
 * never over an existing file (docs/operations.md). The bytes are copied
 * into a private file beside NEW, checked as backup checks them, given the
 * entry "restore" in their own chain, and only then put in place.
 */
#include "reftriage/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const struct cli_opt restore_opts[] = {CLI_OPT_END};
const char restore_about[] =
    "Make the store named by --db (or REFTRIAGE_DB) from a backup: a file, or -\n"
    "for standard input (age -d -i key.txt store.db.age | reftriage restore -\n"
    "--db new.db). The store must not exist. The backup is checked first, as\n"
    "backup checks it (integrity_check, the audit chain); the new store's chain\n"
    "then records \"restore\" with the backup's SHA-256. Audit entries carried\n"
    "from the old store's spool enter the chain before it.\n";

/* Copy SRC's bytes into pf. Returns an exit code after a message. */
static int take_bytes(struct cli *cli, const char *src, struct pfile *pf, off_t *size)
{
	int fd = strcmp(src, "-") == 0 ? STDIN_FILENO : open(src, O_RDONLY | O_CLOEXEC);
	char chunk[1 << 16];
	struct diag d;
	ssize_t n;

	*size = 0;
	if (fd < 0)
		return cli_fail(cli, errno == ENOENT ? EX_NOINPUT : EX_NOINPUT,
		                "%s: cannot open: %s", src, strerror(errno));
	diag_clear(&d);
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			if (fd != STDIN_FILENO)
				(void)close(fd);
			return cli_fail(cli, e == EISDIR ? EX_NOINPUT : EX_IOERR,
			                "%s: read error: %s", src, strerror(e));
		}
		if (pfile_write(pf, chunk, (size_t)n, &d) < 0) {
			if (fd != STDIN_FILENO)
				(void)close(fd);
			return cli_report(&d);
		}
		*size += n;
	}
	if (fd != STDIN_FILENO)
		(void)close(fd);
	if (*size == 0)
		return cli_fail(cli, EX_DATAERR, "%s: empty: not a backup", src);
	return pfile_sync(pf, &d) < 0 ? cli_report(&d) : EX_OK;
}

/* Files SQLite or the spool may leave beside the temporary store when a restore fails. */
static void remove_beside(const char *tmp)
{
	static const char *const ext[] = {"-wal", "-shm", "-journal", "-spool", "-spool.fold"};
	char path[4096];
	size_t i;

	for (i = 0; tmp && i < ARRAY_SIZE(ext); i++)
		if (snprintf(path, sizeof(path), "%s%s", tmp, ext[i]) < (int)sizeof(path))
			(void)unlink(path);
}

/* The restore's entry in the new store's chain, the carried spool folded before it. */
static int record(struct cli *cli, const char *tmp, const char *from, const char *sha,
                  const struct cli_copy *copy)
{
	struct store *st = NULL;
	struct diag d;
	char head[HASH_HEX];

	diag_clear(&d);
	hash_hex(head, copy->head);
	cli_details_str(&cli->details, "from", from);
	cli_details_str(&cli->details, "sha256", sha);
	cli_details_int(&cli->details, "head_seq", copy->head_seq);
	cli_details_str(&cli->details, "head", head);
	cli_details_int(&cli->details, "spool_carried", copy->ncarried);
	if (store_open(tmp, 5000, &st, &d) < 0 || store_restore_begin(st, &copy->carried, &d) < 0 ||
	    cli_audit(cli, st, "restore", &cli->details, &d) < 0 || store_commit(st, &d) < 0) {
		store_close(st);
		diag_at(&d, cli->db_path, 0, NULL);
		return cli_report(&d);
	}
	store_close(st);
	return EX_OK;
}

int cmd_restore(struct cli *cli)
{
	const char *src = cli->operands[0];
	const char *from = strcmp(src, "-") == 0 ? "standard input" : src;
	unsigned char sha[HASH_BYTES];
	char hex[HASH_HEX];
	struct cli_copy copy;
	struct pfile pf;
	struct stat sb;
	struct diag d;
	off_t size;
	int rc;

	diag_clear(&d);
	if (lstat(cli->db_path, &sb) == 0)
		return cli_fail(
		    cli, EX_CANTCREAT,
		    "%s: already exists; restore makes a new store and never writes over "
		    "one (name another with --db)",
		    cli->db_path);
	if (pfile_open(&pf, cli->db_path, PFILE_NOCLOBBER, &d) < 0)
		return cli_report(&d);
	rc = take_bytes(cli, src, &pf, &size);
	if (rc == EX_OK && hash_sha256_fd(pfile_fd(&pf), sha) != 0)
		rc = cli_fail(cli, EX_IOERR, "%s: cannot read the copy back: %s", cli->db_path,
		              strerror(errno));
	hash_hex(hex, sha);
	memset(&copy, 0, sizeof(copy));
	buf_init(&copy.carried);
	if (rc == EX_OK)
		rc = cli_check_copy(cli, pf.tmp, from, &copy);
	if (rc == EX_OK)
		rc = record(cli, pf.tmp, from, hex, &copy);
	if (rc != EX_OK) {
		remove_beside(pf.tmp);
		pfile_abort(&pf);
	} else if (pfile_commit(&pf, &d) < 0) {
		rc = cli_report(&d); /* the store closed cleanly: nothing left beside it */
	}
	if (rc == EX_OK)
		cli_note(cli,
		         "%s: restored from %s (sha256 %s): %lld audit entries checked, the last "
		         "%lld%s",
		         cli->db_path, from, hex, (long long)copy.entries, (long long)copy.head_seq,
		         copy.ncarried ? "; spooled entries carried in the backup are folded" : "");
	cli_copy_release(&copy);
	return rc;
}
