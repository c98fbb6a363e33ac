/* Small files read by src/crypto/: keys and signatures. */
#include "crypto-internal.h"

#include "reftriage/diag.h"
#include "reftriage/pfile.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Fill d with a message about file; always -1. */
int crypto_fail(struct diag *d, const char *file, int code, const char *msg)
{
	diag_at(d, file, 0, NULL);
	return diag_set(d, code, "%s", msg);
}

/* The same with an errno's text after the message and ": ". */
int crypto_fail_errno(struct diag *d, const char *file, int code, const char *msg, int e)
{
	diag_at(d, file, 0, NULL);
	return diag_set(d, code, "%s: %s", msg, strerror(e));
}

/*
 * Whether sb (from lstat, before opening) is a file crypto_read_small() may
 * open: a regular file, for a key its owner's own and private. Nothing is
 * opened before this says yes, so a FIFO cannot hold the reader for ever and
 * a device is never opened at all.
 */
static int check_type(const char *path, const struct stat *sb, unsigned flags, const char *what,
                      struct diag *d)
{
	int code = (flags & CRYPTO_FILE_SECRET) ? EX_CONFIG : EX_NOINPUT;

	diag_at(d, path, 0, NULL);
	if (S_ISLNK(sb->st_mode) && !(flags & CRYPTO_FILE_KEY))
		return 0; /* a signature may be a link; a key may not (checked below) */
	if (!S_ISREG(sb->st_mode))
		return diag_set(d, code, "refused: it is %s; %s must be a regular file%s",
		                pfile_kind(sb->st_mode), what,
		                S_ISLNK(sb->st_mode) ? " (name the file itself, not a link to it)"
		                                     : "");
	if (!(flags & CRYPTO_FILE_SECRET))
		return 0;
	if (sb->st_uid != geteuid())
		return diag_set(
		    d, EX_CONFIG,
		    "refused: %s belongs to another user (uid %u), not to you (uid %u); "
		    "use a key file of your own",
		    what, (unsigned)sb->st_uid, (unsigned)geteuid());
	if (sb->st_mode & 077)
		return diag_set(d, EX_CONFIG,
		                "refused: %s may be read by %s (mode %04o); make it "
		                "private with 'chmod 600 %s'",
		                what, (sb->st_mode & 007) ? "anyone" : "its group",
		                (unsigned)(sb->st_mode & 07777), path);
	return 0;
}

int crypto_read_small(const char *path, char *buf, size_t cap, unsigned flags, const char *what,
                      const char *kind, struct diag *d)
{
	struct stat before, sb;
	size_t len = 0;
	int fd;

	if (lstat(path, &before) != 0)
		return crypto_fail_errno(d, path, EX_NOINPUT, "cannot open", errno);
	if (check_type(path, &before, flags, what, d) < 0)
		return -1;
	/* O_NONBLOCK: should a FIFO take the file's place meanwhile, open returns at once. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
	                    ((flags & CRYPTO_FILE_KEY) ? O_NOFOLLOW : 0));
	if (fd < 0)
		return crypto_fail_errno(d, path, EX_NOINPUT, "cannot open", errno);
	if (fstat(fd, &sb) != 0) {
		int e = errno;

		(void)close(fd);
		return crypto_fail_errno(d, path, EX_IOERR, "cannot open", e);
	}
	if (check_type(path, &sb, flags, what, d) < 0) {
		(void)close(fd);
		return -1;
	}
	if (sb.st_dev != before.st_dev || sb.st_ino != before.st_ino) {
		(void)close(fd);
		return crypto_fail(d, path, (flags & CRYPTO_FILE_SECRET) ? EX_CONFIG : EX_NOINPUT,
		                   "refused: the file was replaced while it was being opened");
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, cap - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			(void)close(fd);
			return crypto_fail_errno(d, path, EX_IOERR, "read error", e);
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == cap - 1) {
			(void)close(fd);
			diag_at(d, path, 0, NULL);
			return diag_set(d, EX_DATAERR, "too large to be %s", kind);
		}
	}
	(void)close(fd);
	buf[len] = '\0';
	if (strlen(buf) != len) { /* text after a NUL would go unseen */
		diag_at(d, path, 0, NULL);
		return diag_set(d, EX_DATAERR, "holds a NUL byte: not %s", kind);
	}
	return 0;
}

/* The next line of *p (without its \n or \r\n), NUL-terminated in place; NULL at the end. */
