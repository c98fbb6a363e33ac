/*
 * Passphrases for secret keys: from the terminal without echo, or from the
 * first line of a file named by --passphrase-file (for unattended jobs; it
 * must be private, as a secret key must). Never from the command line or the
 * environment, where other users and logs can see them.
 */
#include "reftriage/cli.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

/* Read one line from fd into buf (cap bytes with the NUL); -1 when too long. */
static int read_line(int fd, char *buf, size_t cap, size_t *len)
{
	char c;

	*len = 0;
	for (;;) {
		ssize_t n = read(fd, &c, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || c == '\n')
			break;
		if (*len + 1 >= cap)
			return -1;
		buf[(*len)++] = c;
	}
	if (*len && buf[*len - 1] == '\r')
		(*len)--;
	buf[*len] = '\0';
	return 0;
}

static int from_file(const char *path, char *buf, size_t cap, struct diag *d)
{
	struct stat sb;
	size_t len;
	/* O_NONBLOCK: a FIFO opens at once, to be refused below, instead of waiting for a writer.
	 */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	diag_at(d, path, 0, NULL);
	if (fd < 0)
		return diag_set(d, EX_NOINPUT, "cannot open the passphrase file: %s",
		                strerror(errno));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || (sb.st_mode & 077)) {
		(void)close(fd);
		return diag_set(d, EX_CONFIG,
		                "refused: a passphrase file must be a regular file only its owner "
		                "can read (chmod 600 %s)",
		                path);
	}
	if (read_line(fd, buf, cap, &len) < 0) {
		(void)close(fd);
		return diag_set(d, EX_DATAERR, "the passphrase is too long");
	}
	(void)close(fd);
	if (len == 0)
		return diag_set(d, EX_DATAERR, "the passphrase file's first line is empty");
	return 0;
}

static int ask(int tty, const char *prompt, char *buf, size_t cap, struct diag *d)
{
	struct termios old, quiet;
	size_t len;
	int rc;

	if (tcgetattr(tty, &old) != 0)
		return diag_set(d, EX_USAGE, "cannot ask for a passphrase: %s", strerror(errno));
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	/*
	 * Echo off (dropping anything typed ahead, which was echoed) before the
	 * prompt: what is typed once the prompt shows is kept.
	 */
	if (tcsetattr(tty, TCSAFLUSH, &quiet) != 0)
		return diag_set(d, EX_USAGE, "cannot ask for a passphrase: %s", strerror(errno));
	if (write(tty, prompt, strlen(prompt)) < 0) {
		(void)tcsetattr(tty, TCSAFLUSH, &old);
		return diag_set(d, EX_USAGE, "cannot ask for a passphrase: %s", strerror(errno));
	}
	rc = read_line(tty, buf, cap, &len);
	(void)tcsetattr(tty, TCSAFLUSH, &old);
	if (write(tty, "\n", 1) < 0) {
		/* The line end is only for looks. */
	}
	if (rc < 0)
		return diag_set(d, EX_DATAERR, "the passphrase is too long");
	if (len == 0)
		return diag_set(d, EX_DATAERR, "an empty passphrase protects nothing");
	return 0;
}

int cli_passphrase(void *ctx, char *buf, size_t cap, bool confirm, struct diag *d)
{
	const struct cli_passphrase_src *src = ctx;
	char *again;
	int tty, rc;

	if (src && src->file)
		return from_file(src->file, buf, cap, d);
	tty = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	diag_at(d, src && src->key ? src->key : "(passphrase)", 0, NULL);
	if (tty < 0)
		return diag_set(d, EX_USAGE,
		                "the key needs a passphrase and there is no terminal to ask on; "
		                "name a file holding it with --passphrase-file");
	rc = ask(tty, confirm ? "Passphrase for the new key: " : "Passphrase: ", buf, cap, d);
	if (rc == 0 && confirm) {
		again = sign_secret_alloc(cap);
		if (!again) {
			rc = diag_set(d, EX_SOFTWARE, "out of memory");
		} else {
			rc = ask(tty, "The same again: ", again, cap, d);
			if (rc == 0 && strcmp(buf, again) != 0)
				rc = diag_set(d, EX_DATAERR, "the passphrases do not match");
			sign_secret_free(again);
		}
	}
	(void)close(tty);
	return rc;
}
