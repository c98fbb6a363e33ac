/*
 * A small CSV (RFC 4180) reader for files other than referral packages: the
 * outcome export of a case system (src/ingest/rows.c). Each record is
 * handed over with its starting line and its fields unquoted. Files are
 * read whole, up to CSVROWS_MAX_BYTES.
 */
#ifndef REFTRIAGE_CSVROWS_H
#define REFTRIAGE_CSVROWS_H

#include "reftriage/diag.h"

#define CSVROWS_MAX_BYTES  (256L * 1024 * 1024)
#define CSVROWS_MAX_FIELDS 32

/* One record: fields f[0..n), each f[i] NUL-terminated and len[i] long; valid during the call. */
struct csv_row {
	unsigned long line; /* where the record starts, from 1 */
	size_t n;           /* fields (more than CSVROWS_MAX_FIELDS are counted, not kept) */
	const char *f[CSVROWS_MAX_FIELDS];
	size_t len[CSVROWS_MAX_FIELDS];
};

/*
 * Read path ("-": standard input) and call fn for each record, blank lines
 * skipped, a UTF-8 byte order mark ignored. Returns 0; fn's non-zero return;
 * or -1 with d filled: EX_NOINPUT (cannot open), EX_IOERR, EX_DATAERR (too
 * large, a quoted field never closed, or a CR outside quotes that does not
 * begin a CRLF line end, with its line), EX_SOFTWARE. A field may hold NUL
 * bytes (len[i] counts them): the caller decides what they mean.
 */
int csv_rows_read(const char *path, int (*fn)(void *ctx, const struct csv_row *r), void *ctx,
                  struct diag *d) MUST_CHECK;

/*
 * The same, refusing a file over max_bytes (EX_DATAERR, "larger than N
 * bytes"), and, with hash non-NULL, the BLAKE2b-256 of the bytes read.
 */
int csv_rows_read_capped(const char *path, long max_bytes, unsigned char *hash,
                         int (*fn)(void *ctx, const struct csv_row *r), void *ctx,
                         struct diag *d) MUST_CHECK;

#endif
