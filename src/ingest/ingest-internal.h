/*
 * What the decoders share, private to src/ingest/. Callers see only
 * include/reftriage/ingest.h.
 *
 * The files depend one way, with no loop:
 *
 *   pipe.c    (ingest_fd: on a second thread when it can, records handed back in order)
 *     → source.c  (ingest_read: open the stream, detect the format, dispatch)
 *     → formats.c  (the decoder table: one row a format)
 *       → csv.c, json.c, ...  (one decoder a file)
 *         → reader.c  (struct source, handing over rejected records)
 *
 * To add an input format: write src/ingest/<format>.c with one function of
 * type ingest_decode_fn (and a sniff function, if the content can tell it),
 * declare them at the end of this file, and add their row at the end of
 * ingest_decoders[] in formats.c (docs/design.md, "How to add an input format").
 */
#ifndef REFTRIAGE_INGEST_INTERNAL_H
#define REFTRIAGE_INGEST_INTERNAL_H

#include "reftriage/ingest.h"

/* --- reader.c: a buffered reader over a file descriptor ------------------ */

#define INGEST_CHUNK (256 * 1024)

/* Reads a file, hashing every byte it reads. */
struct source {
	int fd;
	const char *name;
	unsigned char *buf; /* INGEST_CHUNK bytes */
	size_t pos, len;    /* the bytes not yet used are buf[pos..len) */
	bool eof;
	bool nonblank; /* a byte other than white space (or the BOM) was read */
	uint64_t total;
	struct hash_stream hash;
	ingest_progress_fn progress;
	void *ctx;
	unsigned long *records;
};

/* Refill an empty buffer; 0 at end of file with len == 0, -1 on read error. */
int source_fill(struct source *s, struct diag *d);

/*
 * The bytes not yet used, *p[0..*n), refilling first when none are left;
 * they count as used (valid until the next call). 1 with a chunk, 0 at end of
 * file, -1 on read error.
 */
int source_next(struct source *s, const unsigned char **p, size_t *n, struct diag *d);

/*
 * Read on, after what the buffer holds, until it holds a byte other than
 * white space, is full, or the file ends: enough to tell an empty delivery
 * and to sniff the format. 0, or -1 on read error.
 */
int source_peek(struct source *s, struct diag *d);

/*
 * Append p[0..n) to the record being cut from the stream, rec. *size counts
 * every byte; past max bytes none is kept and *oversize is set (the record is
 * then rejected as too large, whole). -1 only when out of memory.
 */
int ingest_rec_add(struct buf *rec, uint64_t *size, bool *oversize, size_t max,
                   const unsigned char *p, size_t n);

/*
 * Hand over a rejected record (raw cut to INGEST_MAX_RAW). pkg, when not
 * NULL, is the record's partly validated package, for its package_ref.
 */
int ingest_reject(ingest_fn fn, void *ctx, const struct reasons *r, const struct package *pkg,
                  const char *raw, size_t raw_len, uint64_t raw_size, unsigned long line,
                  long index, struct diag *d);

/* --- source.c ------------------------------------------------------------- */

/* ingest_fd (reftriage/ingest.h), always on the caller's thread. */
int ingest_read(int fd, const char *name, const struct ingest_opts *opts, ingest_fn fn,
                ingest_progress_fn progress, void *ctx, struct ingest_result *res, struct diag *d);

/* --- formats.c: the decoder table ------------------------------------------ */

/* How sure a sniff function is that the first bytes are its format. */
enum ingest_sniff { SNIFF_NO, SNIFF_MAYBE, SNIFF_YES };

/*
 * Look at the first bytes of a file: p[0..n) starts at its first byte other
 * than white space (after any BOM); n >= 1. The highest answer wins; on a tie,
 * the earlier row.
 */
typedef enum ingest_sniff (*ingest_sniff_fn)(const unsigned char *p, size_t n);

/*
 * Read s to its end (or until a file-level error stops it), calling fn for
 * every record; count them in res->records and set res->stopped on a
 * file-level error. Returns 0, or -1 with d filled.
 */
typedef int (*ingest_decode_fn)(struct source *s, const struct ingest_opts *o, ingest_fn fn,
                                void *ctx, struct ingest_result *res, struct diag *d);

struct ingest_decoder {
	const char *name;              /* for --format and messages; NULL: no format */
	const char *const *aliases;    /* other --format names; NULL-terminated, or NULL */
	const char *const *extensions; /* file name endings, with the dot; NULL-terminated */
	ingest_sniff_fn sniff;         /* NULL: never chosen from content */
	ingest_decode_fn decode;
};

/* Indexed by enum ingest_format; row INGEST_AUTO is empty. */
extern const struct ingest_decoder ingest_decoders[];
extern const size_t ingest_ndecoders;

/* --- the decoders ---------------------------------------------------------- */

int ingest_csv_decode(struct source *s, const struct ingest_opts *o, ingest_fn fn, void *ctx,
                      struct ingest_result *res, struct diag *d);
int ingest_json_decode(struct source *s, const struct ingest_opts *o, ingest_fn fn, void *ctx,
                       struct ingest_result *res, struct diag *d);
int ingest_ndjson_decode(struct source *s, const struct ingest_opts *o, ingest_fn fn, void *ctx,
                         struct ingest_result *res, struct diag *d);
enum ingest_sniff ingest_json_sniff(const unsigned char *p, size_t n);
/*
 * jsonflat.c: read the JSON record s[0..n) into pkg (then package_finish)
 * when it is a flat package object, using scratch; 1 when it was, else 0
 * (pkg and r then hold partial work: json.c starts again with jansson).
 */
int ingest_json_flat(const char *s, size_t n, struct package *pkg, struct reasons *r,
                     struct buf scratch[2]);
enum ingest_sniff ingest_csv_sniff(const unsigned char *p, size_t n);
int ingest_xml_decode(struct source *s, const struct ingest_opts *o, ingest_fn fn, void *ctx,
                      struct ingest_result *res, struct diag *d);
enum ingest_sniff ingest_xml_sniff(const unsigned char *p, size_t n);

#endif
