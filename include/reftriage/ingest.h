/*
 * Streaming decoders: CSV (RFC 4180, via libcsv), JSON (one object or an
 * array of them, framed one element at a time and decoded with jansson) and
 * NDJSON (one object a line). Memory is bounded by the largest record, never
 * by the file: no decoder holds more than one record at a time.
 *
 * Each record, valid or not, is handed to a callback as it is read. A record
 * that breaks the contract comes with every reason and its raw bytes, for
 * quarantine. Problems with the file as a whole (a bad CSV header, JSON that
 * cannot be framed) are also handed over as a rejected record, after which
 * reading stops and ingest_result.stopped is set.
 */
#ifndef REFTRIAGE_INGEST_H
#define REFTRIAGE_INGEST_H

#include "reftriage/diag.h"
#include "reftriage/hash.h"
#include "reftriage/package.h"

/*
 * An input format: a row of the decoder table (src/ingest/formats.c). The
 * constants name the rows built in; a row added later is found by its name
 * with ingest_format_parse().
 */
enum ingest_format { INGEST_AUTO, INGEST_CSV, INGEST_JSON, INGEST_NDJSON, INGEST_XML };

/* The format's name, "csv", "json", "ndjson", "xml" (and "auto"); a static string. */
const char *ingest_format_name(enum ingest_format f);
/* Parse a --format value (a format's name, or "jsonl"); -1 when it names none. */
int ingest_format_parse(const char *s, enum ingest_format *out);

/* Records larger than this are refused (and not held in memory). */
#define INGEST_MAX_RECORD (1024 * 1024)
/* At most this much of a rejected record's raw text is kept for quarantine. */
#define INGEST_MAX_RAW (64 * 1024)

/* A CyberTipline XML record (one cybertip) larger than this is refused. */
#define INGEST_MAX_XML_BYTES (16 * 1024 * 1024)

struct token_key;

struct ingest_opts {
	enum ingest_format format; /* INGEST_AUTO: from the name, then the content */
	bool ignore_unknown;       /* unknown columns/keys are ignored, not errors */
	size_t max_record;         /* 0: INGEST_MAX_RECORD */
	char delimiter;            /* CSV field separator; 0: ',' (see ingest_delimiter_ok) */
	/* CyberTipline XML: the unit's token key (NULL: XML is refused, 78) and
	 * the largest record in bytes (0: INGEST_MAX_XML_BYTES). */
	const struct token_key *token_key;
	uint64_t max_xml_bytes;
	/*
	 * Decode on a second thread (src/ingest/pipe.c) when fd is a regular
	 * file: reading, validation, the canonical form and its hash overlap
	 * with what fn does; fn and the progress function are still called on
	 * the caller's thread, in order. A pipe or terminal is read on the
	 * caller's thread, so that a failure in fn never waits on its writer.
	 */
	bool threaded;
	/* For tests: read every JSON record through jansson's tree, never src/ingest/jsonflat.c. */
	bool json_via_tree;
};

/*
 * Whether c can separate CSV fields: one byte that is not a quote, a line
 * end, or NUL. The CLI checks --delimiter with it.
 */
bool ingest_delimiter_ok(char c);

struct ingest_record {
	const struct package *pkg;     /* the valid package, or NULL when rejected */
	const struct reasons *reasons; /* every reason, when rejected */
	const char *ref;               /* a rejected record's valid package_ref, or NULL */
	size_t ref_len;
	const char *raw; /* the record's bytes as read (at most INGEST_MAX_RAW) */
	size_t raw_len;
	uint64_t raw_size; /* the record's full size in bytes */
	/*
	 * A rejected record's: BLAKE2b-256 of its bytes as read (all of them,
	 * not only the raw_len kept; of a record too large to hold, those read
	 * before it was refused), to know it again; and its received_at where
	 * that was valid.
	 */
	unsigned char raw_hash[HASH_BYTES];
	bool has_received;
	int64_t received_at;
	unsigned long line; /* line where the record starts (1-based) */
	long index;         /* position in a JSON array, else -1 */
	/*
	 * The valid package's package_encode_facts(), made on the decoder's
	 * thread while the store's thread stores the records before it; NULL
	 * when not made (the store makes them).
	 */
	const void *facts;
	size_t facts_len;
};

/*
 * Called once per record. The record and everything it points to are valid
 * only during the call. Return 0 to go on, or -1 (with d filled) to stop.
 */
typedef int (*ingest_fn)(void *ctx, const struct ingest_record *rec, struct diag *d);

/* Called now and then with the bytes read so far (for progress). May be NULL. */
typedef void (*ingest_progress_fn)(void *ctx, uint64_t bytes, unsigned long records);

struct ingest_result {
	enum ingest_format format;           /* the format used */
	uint64_t bytes;                      /* bytes read */
	unsigned char file_hash[HASH_BYTES]; /* BLAKE2b-256 of the bytes read */
	unsigned long records;               /* records handed to the callback */
	bool stopped;                        /* reading stopped at a file-level error */
};

/*
 * Read fd to its end (name is used in messages and for format detection),
 * calling fn for each record. Returns 0, or -1 with d filled: EX_IOERR for a
 * read error, EX_DATAERR for an empty delivery (no bytes, or only white space,
 * blank lines and a BOM: fn is not called) or when the format cannot be
 * detected, EX_SOFTWARE when memory runs out, or whatever fn set.
 */
int ingest_fd(int fd, const char *name, const struct ingest_opts *opts, ingest_fn fn,
              ingest_progress_fn progress, void *ctx, struct ingest_result *res, struct diag *d);

/*
 * Paths to read, each owned by the list: ingest_paths_add() takes p (NULL,
 * or memory running out: -1, p freed); ingest_paths_release() frees them.
 */
struct ingest_paths {
	char **p;
	size_t n, cap;
};
int ingest_paths_add(struct ingest_paths *l, char *p);
void ingest_paths_release(struct ingest_paths *l);

/*
 * Add the files a directory stands for to l, in path order: those named
 * *.csv, *.json, *.ndjson, *.jsonl or *.xml, not dot-files; with recursive,
 * those of its subdirectories too (not dot-directories, nor a symbolic link
 * to a directory, 32 levels at most). 0 (perhaps none added), 1 when dir
 * cannot be listed, -1 when memory runs out.
 */
int ingest_dir_files(const char *dir, bool recursive, struct ingest_paths *l);

#endif
