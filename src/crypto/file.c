/* Small files read by src/crypto/: keys and signatures. */
#include "crypto-internal.h"

#include "reftriage/diag.h"

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
 * Read a small text file (at most cap - 1 bytes) into buf, NUL-terminated.
 * When secret (what the file holds, for messages: "the secret key"), it must
 * be a regular file nobody but its owner can read. kind completes "too large
 * to be ...".
 */
int crypto_read_small(const char *path, char *buf, size_t cap, const char *secret, const char *kind,
                      struct diag *d)
{
	struct stat sb;
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return crypto_fail_errno(d, path, EX_NOINPUT, "cannot open", errno);
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		(void)close(fd);
		return crypto_fail(d, path, secret ? EX_CONFIG : EX_NOINPUT, "not a regular file");
	}
	if (secret && (sb.st_mode & 077)) {
		(void)close(fd);
		diag_at(d, path, 0, NULL);
		return diag_set(d, EX_CONFIG,
		                "refused: %s may be read by %s (mode %04o); make it "
		                "private with 'chmod 600 %s'",
		                secret, (sb.st_mode & 007) ? "anyone" : "its group",
		                (unsigned)(sb.st_mode & 07777), path);
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
	return 0;
}

/* The next line of *p (without its \n or \r\n), NUL-terminated in place; NULL at the end. */
