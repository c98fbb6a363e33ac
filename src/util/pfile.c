/* Private files written atomically: see include/reftriage/pfile.h. */
#include "reftriage/pfile.h"

#include "reftriage/alloc.h"
#include "reftriage/buf.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(struct diag *d, const char *path, int code, const char *what, int e)
{
	diag_at(d, path, 0, NULL);
	return diag_set(d, code, "%s: %s", what, strerror(e ? e : EIO));
}

const char *pfile_kind(unsigned m)
{
	return S_ISDIR(m)    ? "a directory"
	       : S_ISLNK(m)  ? "a symbolic link"
	       : S_ISFIFO(m) ? "a FIFO (named pipe)"
	       : S_ISCHR(m)  ? "a character device"
	       : S_ISBLK(m)  ? "a block device"
	       : S_ISSOCK(m) ? "a socket"
	                     : "not a regular file";
}

/*
 * An existing target must be a regular file: renaming over a device, a FIFO
 * or a link would put a private file where the system (or the user) keeps
 * something else, and report success. ENOENT is fine: the file is new.
 */
static int target_ok(const char *path, struct diag *d)
{
	struct stat sb;

	if (lstat(path, &sb) != 0)
		return errno == ENOENT ? 0 : fail(d, path, EX_CANTCREAT, "cannot create", errno);
	if (S_ISREG(sb.st_mode))
		return 0;
	diag_at(d, path, 0, NULL);
	return diag_set(d, EX_CANTCREAT,
	                "refused: it is %s, not a regular file; reftriage replaces only regular "
	                "files",
	                pfile_kind(sb.st_mode));
}

/* A name beside path that nobody else uses: path.tmp-XXXXXX, made with O_EXCL. */
static int create_beside(struct pfile *pf, mode_t mode, struct diag *d)
{
	static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	size_t n = strlen(pf->path);
	unsigned long seed = (unsigned long)getpid() ^ (unsigned long)(uintptr_t)pf;
	int tries, fd = -1;

	pf->tmp = rt_malloc(n + 13);
	if (!pf->tmp)
		return fail(d, pf->path, EX_SOFTWARE, "cannot create", ENOMEM);
	for (tries = 0; tries < 100 && fd < 0; tries++) {
		int i;

		memcpy(pf->tmp, pf->path, n);
		memcpy(pf->tmp + n, ".tmp-", 5);
		for (i = 0; i < 7; i++) {
			seed =
			    seed * 6364136223846793005UL + 1442695040888963407UL + (unsigned)tries;
			pf->tmp[n + 5 + i] = digits[(seed >> 33) % 36];
		}
		pf->tmp[n + 12] = '\0';
		fd = open(pf->tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		int e = errno;

		rt_free(pf->tmp);
		pf->tmp = NULL;
		return fail(d, pf->path, EX_CANTCREAT, "cannot create", e);
	}
	/* The umask may have taken the group's bits: a shared file needs them. */
	if ((pf->flags & PFILE_SHARED) && fchmod(fd, mode) != 0) {
		int e = errno;

		(void)close(fd);
		(void)unlink(pf->tmp);
		rt_free(pf->tmp);
		pf->tmp = NULL;
		return fail(d, pf->path, EX_CANTCREAT, "cannot create", e);
	}
	pf->f = fdopen(fd, "w");
	if (!pf->f) {
		(void)close(fd);
		(void)unlink(pf->tmp);
		rt_free(pf->tmp);
		pf->tmp = NULL;
		return fail(d, pf->path, EX_SOFTWARE, "cannot create", ENOMEM);
	}
	return 0;
}

int pfile_open(struct pfile *pf, const char *path, unsigned flags, struct diag *d)
{
	struct stat sb;

	memset(pf, 0, sizeof(*pf));
	pf->flags = flags;
	if (strcmp(path, "-") == 0) {
		pf->is_stdout = true;
		pf->f = stdout;
		return 0;
	}
	if ((flags & PFILE_NOCLOBBER) && lstat(path, &sb) == 0) {
		diag_at(d, path, 0, NULL);
		return diag_set(d, EX_CANTCREAT, "already exists; reftriage does not overwrite it");
	}
	if (target_ok(path, d) < 0)
		return -1;
	pf->path = rt_memdup0(path, strlen(path));
	if (!pf->path)
		return fail(d, path, EX_SOFTWARE, "cannot create", ENOMEM);
	if (create_beside(pf, (flags & PFILE_SHARED) ? 0660 : 0600, d) < 0) {
		rt_free(pf->path);
		pf->path = NULL;
		return -1;
	}
	return 0;
}

bool pfile_is_open(const struct pfile *pf)
{
	return pf->f != NULL;
}

int pfile_write(struct pfile *pf, const void *p, size_t n, struct diag *d)
{
	if (n && fwrite(p, 1, n, pf->f) != n)
		return fail(d, pf->is_stdout ? "standard output" : pf->path, EX_IOERR,
		            "write error", errno);
	return 0;
}

int pfile_fd(const struct pfile *pf)
{
	return fileno(pf->f);
}

int pfile_sync(struct pfile *pf, struct diag *d)
{
	const char *name = pf->is_stdout ? "standard output" : pf->path;

	if (fflush(pf->f) != 0 || ferror(pf->f))
		return fail(d, name, EX_IOERR, "write error", errno);
	if (!pf->is_stdout && fsync(fileno(pf->f)) != 0)
		return fail(d, name, EX_IOERR, "write error", errno);
	return 0;
}

static void release(struct pfile *pf)
{
	rt_free(pf->path);
	rt_free(pf->tmp);
	memset(pf, 0, sizeof(*pf));
}

/* Sync the directory that holds path, so that the new name survives a crash. */
static int sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	struct buf dir;
	int fd, rc = 0;

	buf_init(&dir);
	if (buf_add(&dir, slash ? path : ".", slash ? (size_t)(slash - path) + 1 : 1) < 0)
		return -1;
	fd = open(dir.data, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0)
		rc = -1;
	if (fd >= 0)
		(void)close(fd);
	buf_release(&dir);
	return rc;
}

int pfile_commit(struct pfile *pf, struct diag *d)
{
	int rc = 0, e;

	if (pf->is_stdout) {
		rc = pfile_sync(pf, d);
		release(pf);
		return rc;
	}
	if (pfile_sync(pf, d) < 0) {
		pfile_abort(pf);
		return -1;
	}
	e = fclose(pf->f) != 0 ? errno : 0;
	pf->f = NULL;
	if (e) {
		rc = fail(d, pf->path, EX_IOERR, "write error", e);
	} else if (pf->flags & PFILE_NOCLOBBER) {
		/* link() never replaces: the target appearing meanwhile is refused. */
		if (link(pf->tmp, pf->path) != 0)
			rc = fail(d, pf->path, EX_CANTCREAT, "cannot create", errno);
		(void)unlink(pf->tmp);
	} else if (target_ok(pf->path, d) < 0) {
		rc = -1; /* it became something else while we wrote */
	} else if (rename(pf->tmp, pf->path) != 0) {
		rc = fail(d, pf->path, EX_CANTCREAT, "cannot create", errno);
	}
	if (rc == 0 && sync_dir(pf->path) < 0)
		rc = fail(d, pf->path, EX_IOERR, "write error", errno);
	if (rc < 0 && pf->tmp)
		(void)unlink(pf->tmp);
	release(pf);
	return rc;
}

void pfile_abort(struct pfile *pf)
{
	if (!pf || !pf->f) {
		if (pf)
			release(pf);
		return;
	}
	if (!pf->is_stdout) {
		(void)fclose(pf->f);
		(void)unlink(pf->tmp);
	} else {
		(void)fflush(pf->f);
	}
	release(pf);
}
