/*
 * What an import says of itself (cli.md, import): the progress line on a
 * terminal; of several files, a line for each that was not a clean
 * success; the one summary line; and the JSON summary of --summary json.
 * The CLI fills a struct isummary_file for each file as it reads it and
 * prints what these writers make, to the FILE it gives them.
 */
#ifndef REFTRIAGE_ISUMMARY_H
#define REFTRIAGE_ISUMMARY_H

#include "reftriage/buf.h"
#include "reftriage/hash.h"

/* One file of an import, as it went. */
struct isummary_file {
	const char *name;
	const char *format;
	uint64_t bytes;
	unsigned char hash[HASH_BYTES];
	bool hashed;
	unsigned long n_new, n_updated, n_unchanged, n_rejected, n_withheld;
	unsigned long n_known;    /* rejected as before: in quarantine already, not news */
	unsigned long n_reopened; /* of n_updated: closed packages that a new version reopened */
	struct buf reopened;      /* their refs, each followed by a space */
	bool stopped;
	int code;              /* 0, or the exit code for this file */
	const char *status;    /* for --summary json */
	char error[600];       /* a file-level error, when there is one */
	char signer[17];       /* --verify-key: the key id that signed the file */
	char *trusted_comment; /* and the signature's trusted comment (owned) */
};

/* The import: what was asked, and its files in the order named. */
struct isummary {
	const char *store; /* the store's path */
	bool dry_run, strict;
	bool recursive; /* the summary line names every file read */
	const struct isummary_file *files;
	size_t n; /* the files named (a DIR's files each) */
};

/* The progress line: on a terminal, a few times a second, cleared at the end. */
struct isummary_progress {
	bool on;
	const char *name;
	uint64_t size; /* 0 when unknown (a pipe) */
	int64_t start, last;
	bool shown;
};

/* When p->on, rewrite the file's line on f (a terminal), at most four times a second. */
void isummary_progress(FILE *f, struct isummary_progress *p, uint64_t bytes, unsigned long records);
/* Clear the line, when one was written. */
void isummary_progress_clear(FILE *f, struct isummary_progress *p);

/*
 * Of several files, the line of one that was not a clean success (rejected
 * records, a stop, --strict withholding), written to f; nothing for the
 * others, which the summary line covers.
 */
void isummary_file_line(FILE *f, const struct isummary *s, const struct isummary_file *r);

/*
 * The summary line, appended to b without a line end: the files read, what
 * they did to the store, then scored (what the rescore said) when it is not
 * empty. Nothing when no file was read (each file's error said everything).
 * -1 when memory runs out.
 */
int isummary_line(struct buf *b, const struct isummary *s, const struct buf *scored) MUST_CHECK;

/* The --summary json object, a line, written to f; -1 when memory runs out. */
int isummary_write_json(FILE *f, const struct isummary *s, int exit_code) MUST_CHECK;
/* The same object when the run stopped before reading a file: no files, the error (why). */
int isummary_write_failed(FILE *f, const char *store, bool dry_run, bool strict, int exit_code,
                          const char *why) MUST_CHECK;

#endif
