/*
 * struct pfile: the one way reftriage writes a file of its own (an exported
 * list, a signature, a key, a checkpoint). The bytes go to a new private file
 * beside the target (O_EXCL|O_NOFOLLOW, mode 0600, or 0660 for a shared
 * store); pfile_commit() writes everything out, syncs it, renames it into
 * place and syncs the directory, so a reader sees the whole file or none.
 * The path "-" means standard output: nothing is created, commit flushes.
 * Only a regular file is ever replaced.
 */
#ifndef REFTRIAGE_PFILE_H
#define REFTRIAGE_PFILE_H

#include "reftriage/diag.h"

#include <sys/types.h>

enum {
	PFILE_NOCLOBBER = 1 << 0, /* refuse (73) when the target exists, now or at commit */
	PFILE_SHARED = 1 << 1,    /* mode 0660 (a store shared by a Unix group), not 0600 */
};

struct pfile {
	FILE *f;    /* where to write; stdout for "-"; valid until commit or abort */
	char *path; /* the target (owned) */
	char *tmp;  /* the temporary file beside it (owned); NULL for "-" */
	unsigned flags;
	bool is_stdout;
};

/*
 * Start writing path. -1 with d filled: 73 when it cannot be created, or
 * when path exists and is not a regular file (a device, a FIFO, a directory,
 * a symbolic link: refused, never replaced; checked again at commit); 70 out
 * of memory.
 */
int pfile_open(struct pfile *pf, const char *path, unsigned flags, struct diag *d) MUST_CHECK;

/* Write n bytes; -1 with d filled (74) on a write error. */
int pfile_write(struct pfile *pf, const void *p, size_t n, struct diag *d) MUST_CHECK;

/*
 * Flush and sync what was written so far (the file stays temporary); for a
 * caller that hashes or signs the file's bytes before committing it.
 * -1 with d filled (74).
 */
int pfile_sync(struct pfile *pf, struct diag *d) MUST_CHECK;

/* The descriptor of the file being written (for hashing or signing it). */
int pfile_fd(const struct pfile *pf);

/*
 * Put the file in place: flush, sync, close, rename (link for NOCLOBBER),
 * sync the directory. Releases pf whatever happens; on failure the
 * temporary file is removed. -1 with d filled (74, or 73 when it exists).
 */
int pfile_commit(struct pfile *pf, struct diag *d) MUST_CHECK;

/* Throw the file away (the temporary is removed); pf is released. NULL-safe. */
void pfile_abort(struct pfile *pf);

/* Whether pf is open (between pfile_open() and commit or abort). */
bool pfile_is_open(const struct pfile *pf);

/* What a file of mode m that is not a regular file is, for a message ("a FIFO (named pipe)"). */
const char *pfile_kind(unsigned m);

#endif
