/*
 * LD_PRELOAD shim for the I/O fault tests: the Nth write, pwrite, fsync or
 * fdatasync to a regular file, and every one after it, fails with the errno
 * named by IOFAIL_ERRNO (EIO or ENOSPC). IOFAIL_AFTER=N (1 is the first
 * call). Terminals and pipes are never failed, so messages still get out.
 * IOFAIL_COUNT=FILE writes the number of calls seen to FILE at exit.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static long calls, fail_at = -1;
static int fail_errno = EIO;

static void setup(void)
{
	static int done;
	const char *s;

	if (done)
		return;
	done = 1;
	s = getenv("IOFAIL_AFTER");
	if (s && *s)
		fail_at = strtol(s, NULL, 10);
	s = getenv("IOFAIL_ERRNO");
	if (s && strcmp(s, "ENOSPC") == 0)
		fail_errno = ENOSPC;
}

static int should_fail(int fd)
{
	struct stat sb;

	setup();
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
		return 0;
	calls++;
	return fail_at > 0 && calls >= fail_at;
}

__attribute__((destructor)) static void report(void)
{
	const char *out = getenv("IOFAIL_COUNT");
	FILE *f;

	if (out && (f = fopen(out, "w")) != NULL) {
		fprintf(f, "%ld\n", calls);
		fclose(f);
	}
}

#define NEXT(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

ssize_t write(int fd, const void *buf, size_t n)
{
	if (should_fail(fd)) {
		errno = fail_errno;
		return -1;
	}
	return NEXT(write)(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	if (should_fail(fd)) {
		errno = fail_errno;
		return -1;
	}
	return NEXT(pwrite)(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	if (should_fail(fd)) {
		errno = fail_errno;
		return -1;
	}
	return NEXT(pwrite64)(fd, buf, n, off);
}

int fsync(int fd)
{
	if (should_fail(fd)) {
		errno = fail_errno;
		return -1;
	}
	return NEXT(fsync)(fd);
}

int fdatasync(int fd)
{
	if (should_fail(fd)) {
		errno = fail_errno;
		return -1;
	}
	return NEXT(fdatasync)(fd);
}
